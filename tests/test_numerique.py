"""Tests du module territoire_lib.numerique (carnet 03)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from territoire_lib import numerique as nu
from territoire_lib.chargement import table_communes
from territoire_lib.construction.horaires_osm import heures_hebdo_osm
from territoire_lib.erreurs import ResultatVide
from territoire_lib.format import nombre


# --- horaires OpenStreetMap (lus à la construction) ---------------------------------------
@pytest.mark.parametrize("texte, heures", [
    ("Mo-Fr 09:00-12:00", 15.0),
    ("Mo-Fr 09:00-12:00,14:00-17:00; We off", 24.0),         # la règle postérieure remplace le mercredi
    ("Mo-Th 08:30-12:00; Tu 08:30-12:00,13:30-18:30", 19.0),  # 4 × 3,5 h + 5 h l'après-midi du mardi
    ("Tu,Th 10:00-12:00", 4.0),
    ("Sa-Mo 10:00-11:00", 3.0),                               # intervalle qui passe par dimanche
    ("Mo 09:00-12:00,11:00-13:00", 4.0),                      # plages fusionnées
])
def test_heures_osm(texte, heures):
    assert heures_hebdo_osm(pd.Series([texte])).iloc[0] == pytest.approx(heures)


@pytest.mark.parametrize("texte", ["PH off", "24/7", "09:00-12:00", "Fr 19:00-11:00", "Jan-Mar Mo 10:00-12:00"])
def test_heures_osm_illisibles_en_nan_jamais_zero(texte):
    res = heures_hebdo_osm(pd.Series([texte, None]))
    assert np.isnan(res.iloc[0]) and np.isnan(res.iloc[1])
    assert res.attrs["illisibles"] == 1


def test_heures_des_lieux_reels_calculees_a_la_construction():
    lieux = nu.lieux_mediation()
    h = lieux["heures_hebdo"]
    # même résultat que la lecture du texte publié, faite une fois à la construction
    pd.testing.assert_series_equal(h, heures_hebdo_osm(lieux["horaires"]), check_names=False)
    r = nu.resume_horaires_lieux()
    assert r["illisibles"] <= 10
    assert r["lus"] + r["illisibles"] + r["non_renseignes"] == len(lieux) == 687
    assert (h.dropna() > 0).all() and h.max() <= 7 * 24
    # la part des lieux peu ouverts porte sur les lieux lus, pas sur tous les lieux
    assert r["part_moins_10h_%"] == pytest.approx(100 * (h.dropna() < 10).mean())


def test_numerique_ne_lit_pas_de_texte_osm():
    import inspect

    source = inspect.getsource(nu)
    # la syntaxe OpenStreetMap est lue par la construction (construction/horaires_osm.py), pas par le thème
    assert "_heures_osm" not in source and "re.compile" not in source
    assert not hasattr(nu, "heures_hebdo_osm")
    assert "import altair" not in source and "import ipywidgets" not in source


# --- listes de modalités ----------------------------------------------------------------
def test_compter_modalites_sans_doublon_par_lieu():
    res = nu.compter_modalites(pd.Series(["A;A;B", "B", np.nan]))
    assert res.loc["A", "lieux"] == 1 and res.loc["B", "lieux"] == 2
    assert res.attrs == {"renseignes": 2, "non_renseignes": 1}


def test_services_reels():
    res = nu.compter_modalites(nu.lieux_mediation()["services"])
    assert res.index[0] == "Accéder à du matériel"
    assert (res["lieux"] <= res.attrs["renseignes"]).all()


# --- lieux ------------------------------------------------------------------------------
def test_lieux_sans_donnees_personnelles_et_dans_la_region():
    lieux = nu.lieux_mediation()
    assert not {"telephone", "courriel", "adresse", "site_web"} & set(lieux.columns)
    assert lieux["code_commune"].str[:2].isin(["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73",
                                               "74"]).all()


def test_epci_region_inconnue():
    with pytest.raises(ResultatVide, match="Codes valides"):
        nu.epci_region("99")


# --- présence en ligne --------------------------------------------------------------------
def test_presence_recalcule_les_parts():
    t = table_communes()
    res = nu.presence_par_taille_et_degurba()
    ok = t["a_site_web"].notna() & t["taille_commune"].notna() & t["degurba_niveau1_libelle"].notna()
    attendu = 100 * t.loc[ok, "a_site_web"].astype(float).mean()
    assert res.loc[("Ensemble", "part (%)"), "Ensemble"] == pytest.approx(attendu)
    assert res.loc[("Ensemble", "communes"), "Ensemble"] == ok.sum()
    with pytest.raises(ValueError, match="a_courriel"):
        nu.presence_par_taille_et_degurba("site")


def test_modele_logistique():
    m = nu.modele_site_web()
    a = m.attrs
    assert a["n"] + a["ecartees"] + a["ecartees_departements_sans_variation"] == len(table_communes())
    assert a["effets_fixes"] and a["nb_departements"] > 90 and a["converge"]
    assert 0 < a["pseudo_r2"] < 1
    # À population égale et dans un même département, le rural est moins en ligne (IC sous 1) …
    assert m.loc["commune_rurale", "ic95_haut"] < 1
    # … et la part des 65 ans et plus va avec PLUS de sites, pas moins.
    assert m.loc["part_65_ans_par_10_points", "ic95_bas"] > 1
    assert (m["ic95_bas"] < m["rapport_de_cotes"]).all() and (m["rapport_de_cotes"] < m["ic95_haut"]).all()


def test_modele_logistique_contre_statsmodels_direct():
    # Sans effets fixes : mêmes coefficients qu'un logit statsmodels écrit à la main (API matricielle).
    import statsmodels.api as sm

    t = table_communes()
    x = pd.DataFrame({
        "log10_population": np.log10(t["population_2023"].where(t["population_2023"] > 0)),
        "commune_rurale": (t["degurba_niveau1_libelle"] == "Zones rurales").astype(float).where(
            t["degurba_niveau1_libelle"].notna()),
        "part_65": 10 * t["population_65_ans_et_plus"] / t["population_rp2021"].where(t["population_rp2021"] > 0),
    })
    y = t["a_site_web"].astype(float)
    ok = x.notna().all(axis=1) & y.notna()
    direct = sm.Logit(y[ok], sm.add_constant(x[ok])).fit(disp=False)
    m = nu.modele_site_web(effets_fixes=False)
    assert np.allclose(m["coefficient"].to_numpy(), direct.params.iloc[1:].to_numpy(), rtol=1e-5)
    assert m.attrs["pseudo_r2"] == pytest.approx(direct.prsquared)


# --- zones blanches -----------------------------------------------------------------------
def test_zones_blanches_respectent_les_seuils():
    z = nu.zones_blanches(heures_max=8, part_65_min=28)
    c = z.communes
    assert (c["heures_ouverture_hebdo"] <= 8).all() and (c["part_65_ans_et_plus"] >= 28).all()
    codes = set(c["code_commune"])
    t = table_communes().set_index("code_commune").loc[list(codes)]
    assert t["a_site_web"].eq(False).all()
    assert z.population == pytest.approx(t["population_2023"].sum())
    assert "communes sur" in z.resume()


def test_zones_blanches_monotones_et_exclusions_comptees():
    large, strict = nu.zones_blanches(10, 25), nu.zones_blanches(4, 35)
    assert set(strict.communes["code_commune"]) <= set(large.communes["code_commune"])
    assert large.nb_communes_examinees + sum(large.ecartees.values()) == len(table_communes())
    assert nu.zones_blanches(10, 25, sans_courriel=True).communes.shape[0] < len(large.communes)


def test_zones_blanches_entrees_invalides():
    with pytest.raises(ValueError, match="part_65_min"):
        nu.zones_blanches(part_65_min=120)
    with pytest.raises(ResultatVide, match="Départements inconnus"):
        nu.zones_blanches(codes_departements=["XX"])
    assert nu.zones_blanches(codes_departements=["65"]).communes["code_departement"].eq("65").all()


# --- indice proxy ---------------------------------------------------------------------------
def test_normaliser_sens_et_bornes():
    s = pd.Series([3.0, 1.0, 2.0, np.nan])
    n = nu.normaliser(s, -1, "minmax")
    assert n.iloc[1] == 1.0 and n.iloc[0] == 0.0 and np.isnan(n.iloc[3])
    # rang : centile médian (rang − ½) / n, le même que pour les modèles du carnet 05
    r = nu.normaliser(s, -1, "rang")
    assert r.iloc[1] == pytest.approx(1 - 0.5 / 3) and r.iloc[0] == pytest.approx(0.5 / 3)
    z = nu.normaliser(s, 1, "zscore")
    assert z.mean() == pytest.approx(0) and z.std() == pytest.approx(1)
    with pytest.raises(ValueError, match="rang"):
        nu.normaliser(s, methode="z")


def test_incertitude_fragilite_plus_large_que_un_poids_a_la_fois():
    r = nu.incertitude_fragilite(region="84")
    assert r.resume["nb_scenarios"] == 3 * 7 * 2  # 3 normalisations × (1 + 6 exclusions) × 2 pondérations
    assert set(r.scenarios["exclue"]) == {"aucune", *nu.COMPOSANTES}
    un_a_la_fois = nu.sensibilite_poids(region="84")["part_changeant_de_quintile_%"].max()
    assert r.scenarios["part_changement_%"].max() > un_a_la_fois
    c = nu.correlations_fragilite(region="84")
    assert np.allclose(np.diag(c), 1) and np.allclose(c, c.T)


def test_indice_poids_un_seul_composant_egale_sa_norme():
    ind = nu.indice_fragilite({"part_65_ans_et_plus": 1.0}, region="84")
    assert ind["indice"].round(6).equals((100 * ind["n_part_65_ans_et_plus"]).round(6))
    assert ind["quintile"].value_counts().sort_index().tolist() == [33, 33, 33, 33, 33]


def test_indice_invariant_par_homothetie_des_poids():
    a = nu.indice_fragilite(nu.POIDS_DEFAUT, region="84")["indice"]
    b = nu.indice_fragilite({k: 3 * v for k, v in nu.POIDS_DEFAUT.items()}, region="84")["indice"]
    pd.testing.assert_series_equal(a.sort_index(), b.sort_index())


def test_indice_poids_invalides():
    with pytest.raises(ValueError, match="inconnues"):
        nu.indice_fragilite({"revenu": 1.0})
    with pytest.raises(ValueError, match="au moins un poids"):
        nu.indice_fragilite({"distance_lieu_mediation": 1.0})  # hors région : composante écartée


def test_sensibilite_nulle_pour_une_seule_composante():
    s = nu.sensibilite_poids({"part_65_ans_et_plus": 1.0, "mairie_site_web": 0.0}, region="84")
    assert s["spearman"].eq(1.0).all() and s["part_changeant_de_quintile_%"].eq(0).all()


def test_sensibilite_forme():
    s = nu.sensibilite_poids(region="84")
    assert len(s) == 2 * len(nu.COMPOSANTES)
    assert s["spearman"].between(-1, 1).all()
    with pytest.raises(ValueError, match="variation"):
        nu.sensibilite_poids(variation=1.5)


# --- couche de points (cartes.carte_points) ------------------------------------------------
def test_carte_points_sert_les_points_par_url_et_les_inclut_en_export(tmp_path, monkeypatch):
    import json

    from territoire_lib.cartes import carte, carte_points

    monkeypatch.chdir(tmp_path)
    fond = carte("lieux_mediation_pour_10000_hab", niveau="epci", codes=nu.epci_region())
    lieux = nu.lieux_mediation()
    avec_trou = pd.concat([lieux, lieux.head(1).assign(lon=np.nan)], ignore_index=True)
    c = carte_points(fond, avec_trou, "Lieu", nu.source_lieux(), {"nom": "Lieu", "commune": "Commune"})
    assert len(c.points) == len(lieux) and c.points.attrs["points_sans_coordonnees"] == 1
    # Lambert-93 : toute la région entre 600 et 1 100 km d'abscisse
    assert c.points["x"].between(600_000, 1_100_000).all()
    url = json.dumps(c.specification("url"))
    assert "cartes_generees/points-" in url and "Lieu" in url
    assert list((tmp_path / "cartes_generees").glob("points-*.csv"))
    inline = json.dumps(c.specification("inline"))
    assert lieux["nom"].iloc[0].replace('"', '\\"') in inline
    assert "Points : ANCT" in inline
    assert f"({nombre(len(lieux), 0)} localisés)" in c.description  # écrit à la française (« 1 234 »)


def test_carte_points_colonnes_absentes():
    from territoire_lib.cartes import carte, carte_points

    fond = carte("part_65_ans_et_plus", niveau="departement", codes=["73"])
    with pytest.raises(ValueError, match="Colonnes absentes"):
        carte_points(fond, pd.DataFrame({"x": [1.0]}), "Lieux", "Source : test")
    with pytest.raises(ResultatVide, match="coordonnées"):
        carte_points(fond, pd.DataFrame({"lon": [np.nan], "lat": [np.nan]}), "Lieux", "Source : test")
