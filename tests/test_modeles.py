"""Tests des modèles de territoire (territoire_lib.modeles)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from territoire_lib import modeles as M
from territoire_lib.catalogue import indicateur

MODELES = ["cyber_territoire", "territoire_plateforme", "autonome_resilient", "competitivite_territoriale",
           "territoire_collaboratif", "soft_territoire", "territoire_de_liens"]


# --- Profils ---------------------------------------------------------------------------------

def test_sept_modeles_complets_et_indicateurs_du_catalogue():
    profils = M.profils_modeles()
    assert [m["id"] for m in profils] == MODELES
    for m in profils:
        assert m["resume"] and m["phrase_cle"] and m["angle_mort"]
        assert len(m["phrase_cle"]) < 250 and m["phrase_cle"].count(". ") == 0  # une seule phrase
        assert len(m["indicateurs"]) >= 2
        for i in m["indicateurs"]:
            assert indicateur(i["id"]).agregeable
            assert "mediation" not in i["id"]  # couverture régionale seulement : pas dans un score national
            # sans variance (courriel ≈ 99 % ; parité obligatoire partout depuis 2026) ou pur effet de taille
            assert i["id"] not in ("mairie_courriel", "part_femmes_elues", "population", "densite_population",
                                   "nb_lycees")
            assert i["sens"] in (1, -1) and i["poids"] > 0 and i["justification"].endswith(".")
    assert len({m["couleur"] for m in profils}) == 7


def test_cyber_ne_recompense_pas_le_territoire_mal_servi():
    cyber = {i["id"]: i["sens"] for i in M.profils_modeles()[0]["indicateurs"]}
    assert cyber.get("distance_lycee", -1) < 0 and cyber.get("heures_ouverture_mairie", 1) > 0


def test_profils_renvoyes_en_copie():
    p = M.profils_modeles()
    p[0]["indicateurs"][0]["poids"] = 99
    assert M.profils_modeles()[0]["indicateurs"][0]["poids"] != 99


def _ecrire(tmp_path, modification):
    brut = yaml.safe_load(open(M.FICHIER_MODELES, encoding="utf-8"))
    modification(brut)
    chemin = tmp_path / "modeles.yaml"
    chemin.write_text(yaml.safe_dump(brut, allow_unicode=True), encoding="utf-8")
    return chemin


def test_indicateur_inconnu_liste_les_valides(tmp_path):
    def f(b):
        b["modeles"][0]["indicateurs"][0]["id"] = "mairie_site"
    with pytest.raises(M.ProfilModeleInvalide) as e:
        M.profils_modeles(_ecrire(tmp_path, f))
    msg = str(e.value)
    assert "« cyber_territoire »" in msg and "« mairie_site »" in msg
    assert "Vouliez-vous dire : mairie_site_web" in msg
    assert "Indicateurs valides :" in msg and "part_65_ans_et_plus" in msg
    assert "degurba," not in msg  # une classe de commune n'est pas valide dans un profil


@pytest.mark.parametrize("champ, valeur, attendu", [
    ("sens", 2, "sens"), ("poids", 0, "poids"), ("poids", "fort", "poids"), ("justification", "", "justification"),
])
def test_ligne_de_profil_invalide(tmp_path, champ, valeur, attendu):
    def f(b):
        b["modeles"][1]["indicateurs"][0][champ] = valeur
    with pytest.raises(M.ProfilModeleInvalide, match=attendu):
        M.profils_modeles(_ecrire(tmp_path, f))


def test_modele_en_double_ou_incomplet(tmp_path):
    with pytest.raises(M.ProfilModeleInvalide, match="deux fois"):
        M.profils_modeles(_ecrire(tmp_path, lambda b: b["modeles"].append(dict(b["modeles"][0]))))
    with pytest.raises(M.ProfilModeleInvalide, match="phrase_cle"):
        M.profils_modeles(_ecrire(tmp_path, lambda b: b["modeles"][2].pop("phrase_cle")))


# --- Calcul sur un cas à la main --------------------------------------------------------------

PROFILS = [
    {"id": "a", "indicateurs": [{"id": "x", "sens": 1, "poids": 2.0}, {"id": "y", "sens": 1, "poids": 1.0}]},
    {"id": "b", "indicateurs": [{"id": "x", "sens": -1, "poids": 1.0}, {"id": "z", "sens": 1, "poids": 1.0}]},
]


def test_normaliser_centile_median_et_egalites():
    c = M.normaliser(pd.DataFrame({"x": [1.0, 2.0, 2.0, 4.0, np.nan]}))["x"]
    assert c.tolist()[:4] == pytest.approx([12.5, 50.0, 50.0, 87.5])
    assert np.isnan(c.iloc[4])
    # le sens −1 est symétrique : 100 − centile inverse exactement l'ordre
    assert (100 - c[:4]).tolist() == pytest.approx([87.5, 50.0, 50.0, 12.5])


def test_scores_moyenne_ponderee_orientee():
    c = pd.DataFrame({"x": [90.0, 10.0], "y": [30.0, 70.0], "z": [50.0, 20.0]}, index=["T1", "T2"])
    s = M.calculer_scores(c, PROFILS, standardise=False)
    assert s.loc["T1", "a"] == pytest.approx((2 * 90 + 30) / 3)
    assert s.loc["T1", "b"] == pytest.approx((10 + 50) / 2)
    assert s.loc["T2", "a"] == pytest.approx((2 * 10 + 70) / 3)
    assert s.loc["T2", "b"] == pytest.approx((90 + 20) / 2)
    assert s["modele_dominant"].tolist() == ["a", "b"]
    assert s["modele_second"].tolist() == ["b", "a"]
    assert s.loc["T2", "ecart_dominant_second"] == pytest.approx(55 - 30)


def test_poids_indicateurs_et_modeles():
    c = pd.DataFrame({"x": [90.0], "y": [30.0], "z": [50.0]})
    s = M.calculer_scores(c, PROFILS, poids_indicateurs={"x": 0.5}, standardise=False)  # x pèse 1 dans a, 0,5 dans b
    assert s.loc[0, "a"] == pytest.approx((90 + 30) / 2)
    assert s.loc[0, "b"] == pytest.approx((0.5 * 10 + 50) / 1.5)
    s = M.calculer_scores(c, PROFILS, poids_modeles={"b": 3}, standardise=False)
    assert s.loc[0, "b"] == pytest.approx(90) and s.loc[0, "modele_dominant"] == "b"
    with pytest.raises(M.ProfilModeleInvalide, match="Identifiants valides : x, y, z"):
        M.calculer_scores(c, PROFILS, poids_indicateurs={"w": 1})
    with pytest.raises(M.ProfilModeleInvalide, match="invalide"):
        M.calculer_scores(c, PROFILS, poids_modeles={"a": -1})


def test_valeurs_manquantes_regle_des_deux_tiers():
    # a : x (poids 2) manquant → 1/3 du poids renseigné → NaN ; b : z seul (1/2) → NaN
    c = pd.DataFrame({"x": [np.nan, 80.0], "y": [60.0, np.nan], "z": [40.0, np.nan]})
    s = M.calculer_scores(c, PROFILS, standardise=False)
    assert np.isnan(s.loc[0, "a"]) and np.isnan(s.loc[0, "b"])
    assert pd.isna(s.loc[0, "modele_dominant"])
    # ligne 1 : a garde x (2/3 du poids) → score = 80 ; b n'a que x (1/2) → NaN → pas de dominant
    assert s.loc[1, "a"] == pytest.approx(80) and np.isnan(s.loc[1, "b"])
    assert pd.isna(s.loc[1, "modele_dominant"])
    assert s.attrs["scores_incomplets"] == {"a": 1, "b": 2}


def test_scores_standardises_avant_comparaison():
    # « a » : scores bruts élevés mais peu dispersés ; « b » : plus bas mais plus dispersés.
    rng = np.random.default_rng(0)
    c = pd.DataFrame({"x": rng.uniform(60, 70, 50), "y": rng.uniform(60, 70, 50), "z": rng.uniform(0, 100, 50)})
    brut = M.calculer_scores(c, PROFILS, standardise=False)
    z = M.calculer_scores(c, PROFILS)
    assert np.allclose(z[["a", "b"]].mean(), 50) and np.allclose(z[["a", "b"]].std(), 10)
    attendu = ((brut[["a", "b"]] - brut[["a", "b"]].mean()) / brut[["a", "b"]].std()).idxmax(axis=1)
    assert z["modele_dominant"].tolist() == attendu.tolist()
    assert set(z["modele_dominant"]) == {"a", "b"} and (brut["modele_dominant"] == "a").mean() > 0.5


def test_modele_retire_par_poids_nul_ne_bloque_pas_le_dominant():
    c = pd.DataFrame({"x": [80.0], "y": [60.0], "z": [np.nan]})
    s = M.calculer_scores(c, PROFILS, poids_indicateurs={"z": 0, "x": 0}, standardise=False)  # b n'a plus aucun poids
    assert s.loc[0, "modele_dominant"] == "a"


# --- Données réelles --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scores_epci():
    return M.scores_modeles("epci")


def test_scores_epci(scores_epci, caplog):
    s = scores_epci
    assert list(s.columns) == ["code", "nom", *MODELES, "modele_dominant", "modele_second", "ecart_dominant_second"]
    assert len(s) == 1255 and s["code"].is_unique and s["code"].str.len().eq(9).all()
    ok = s[MODELES].stack().dropna()
    assert ok.between(0, 100).all()
    # centiles : chaque score a une moyenne proche de 50 (moyenne de centiles)
    assert s[MODELES].mean().between(45, 55).all()
    # les 5 EPCI de Mayotte n'ont pas de population : pas de dominant, et c'est dit
    sans = s.loc[s["modele_dominant"].isna(), "code"]
    from territoire_lib import territoires

    dep = territoires("epci").set_index("code_epci")["code_departement"]
    assert len(sans) == 5 and set(dep.loc[sans]) == {"976"}
    assert s.attrs["scores_incomplets"]["competitivite_territoriale"] == 5
    # tous les modèles dominent quelque part ; le second diffère du premier
    assert set(s["modele_dominant"].dropna()) == set(MODELES)
    assert (s["modele_dominant"] != s["modele_second"]).dropna().all()
    assert (s["ecart_dominant_second"].dropna() >= 0).all()


def test_scores_rapport_des_manquants(caplog):
    with caplog.at_level("WARNING", logger="territoire_lib.modeles"):
        M.scores_modeles("epci")
    assert "5 territoire(s) sans modèle dominant" in caplog.text and "200059871" in caplog.text


def test_poids_modele_nul_et_fort(scores_epci):
    s = M.scores_modeles("epci", poids_modeles={"soft_territoire": 0})
    assert "soft_territoire" not in set(s["modele_dominant"].dropna())
    s = M.scores_modeles("epci", poids_modeles={"autonome_resilient": 2})
    assert (s["modele_dominant"] == "autonome_resilient").sum() > (scores_epci["modele_dominant"] == "autonome_resilient").sum()


def test_millesimes_et_erreurs():
    s = M.scores_modeles("epci", millesimes={"evolution_population_annuelle": "2016-2022",
                                              "valeur_locative_moyenne": 2017})
    assert s.attrs["millesimes"]["valeur_locative_moyenne"] == 2017
    with pytest.raises(M.ProfilModeleInvalide, match="absent des profils"):
        M.scores_modeles("epci", millesimes={"part_65_ans_et_plus": 2021})
    with pytest.raises(Exception, match="Millésimes disponibles"):
        M.scores_modeles("epci", millesimes={"valeur_locative_moyenne": 2022})
    with pytest.raises(Exception, match="Niveaux valides"):
        M.scores_modeles("canton")


def test_niveau_commune_avec_manquants():
    s = M.scores_modeles("commune")
    assert len(s) == 34875
    sans = s["modele_dominant"].isna().sum()
    assert 0 < sans < 1000  # communes rétablies, mairies sans horaires, Mayotte…
    assert s.attrs["scores_incomplets"]["soft_territoire"] > 0


def test_sensibilite_epci():
    se = M.sensibilite("epci")
    n_scenarios = 2 * (len(M.indicateurs_modeles()) + 7)
    assert len(se) == n_scenarios
    r = se.attrs["resume"]
    assert r["nb_territoires"] == 1250 and 0 < r["nb_stables"] < 1250
    assert se["nb_changements"].max() == r["nb_changements_max"]
    cpt = se.attrs["changements_par_territoire"]
    assert int((cpt == 0).sum()) == r["nb_stables"] and cpt.isna().sum() == 5
    # retirer 20 % au poids d'un modèle ne peut lui faire gagner aucun territoire : tout changement
    # vient de territoires qu'il dominait
    base = M.scores_modeles("epci")
    moins = M.scores_modeles("epci", poids_modeles={"soft_territoire": 0.8})
    change = base["modele_dominant"] != moins["modele_dominant"]
    assert (base.loc[change, "modele_dominant"] == "soft_territoire").all()
    ligne = se[(se["id"] == "soft_territoire") & (se["variation"] == "−20 %")]
    assert int(ligne["nb_changements"].iloc[0]) == int(change.sum())
    with pytest.raises(ValueError, match="strictement comprise"):
        M.sensibilite("epci", variation=1.5)


def test_profil_territoire():
    p = M.profil_territoire("243100518")  # Toulouse Métropole
    assert p.attrs["nom"] == "Toulouse Métropole"
    assert len(p) == sum(len(m["indicateurs"]) for m in M.profils_modeles())
    s = M.scores_modeles("epci").set_index("code").loc["243100518"]
    brut = M.scores_modeles("epci", standardise=False).set_index("code").loc["243100518"]
    for m, g in p.groupby("modele"):
        w = g["poids"]
        assert (w * g["centile_oriente"]).sum() / w.sum() == pytest.approx(brut[m])
        assert g["score_modele"].iloc[0] == pytest.approx(s[m])
    assert p.attrs["modele_dominant"] == s["modele_dominant"]
    assert ((p["cible"] == 100) == (p["sens"] == 1)).all()
    with pytest.raises(Exception, match="Code de epci inconnu"):
        M.profil_territoire("123")


def test_correlations_et_stabilite_epci():
    c = M.correlations_modeles("epci")
    assert c.shape == (7, 8) and np.allclose(np.diag(c[MODELES]), 1)
    assert c["log_densite"].abs().max() < 0.85  # plus aucun score n'est la densité renommée à 0,8 et plus
    st = M.stabilite_modeles("epci")
    t = st.territoires
    assert st.resume["nb_scenarios"] == 3 * (1 + len(M.indicateurs_modeles())) * 2
    assert t["part_scenarios_identiques_%"].between(0, 100).all()
    ref = M.scores_modeles("epci", rapporter=False).set_index("code")["modele_dominant"]
    assert (t["reference"].dropna() == ref.reindex(t["reference"].dropna().index)).all()
    assert 0 <= st.resume["part_stables_%"] <= st.resume["part_stables_80_%"] <= 100


def test_profil_commune_ancien_code():
    with pytest.warns(UserWarning, match="n'est plus en vigueur"):
        p = M.profil_territoire("01003", niveau="commune")  # ancien code fusionné dans 01165
    assert p.attrs["code"] == "01165" and p.attrs["niveau"] == "commune"


def test_graphiques_et_carte(scores_epci, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    c = M.carte_modeles(scores_epci)
    assert c.options[0].classes == [m["nom"] for m in M.profils_modeles()]
    assert c.options[0].couleurs == [m["couleur"] for m in M.profils_modeles()]
    assert "Sources : " in c.options[0].source
    spec = c.specification()
    assert "Territoires en transition" in str(spec)
    for g in (M.graphique_distributions(scores_epci), M.graphique_effectifs(scores_epci),
              M.graphique_profil("243100518"), M.graphique_sensibilite(M.sensibilite("region"))):
        d = g.to_dict()
        assert "Sources : " in str(d)
        assert len(str(d)) < 60_000  # jamais les scores de tous les territoires dans le carnet


def test_ligne_source_depuis_le_catalogue():
    texte = M.ligne_source_modeles({"valeur_locative_moyenne": 2018})
    assert "(2018)" in texte and "Insee, RP 2021 (2021)" in texte
    assert texte.count("DILA") == 1


def test_explorateur_modeles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import ipywidgets as w

    boite = M.explorateur_modeles(code="243100518")
    assert isinstance(boite, w.VBox)
    accordeon = boite.children[0]
    curseur = accordeon.children[0].children[0]
    curseur.value = 1.5  # recalcul et redessin sans erreur
    assert "changent de modèle dominant" in boite.children[2].value
