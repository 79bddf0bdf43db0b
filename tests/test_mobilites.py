"""Carnet 02 : vieillissement, mairies, lycées, double vulnérabilité, versement mobilité."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from territoire_lib import indicateurs, mobilites
from territoire_lib.agregation import calculer, colonnes_requises
from territoire_lib.catalogue import indicateur
from territoire_lib.chargement import table_communes
from territoire_lib.erreurs import NiveauInconnu, ResultatVide


# --------------------------------------------------------------------------- agrégation part_population
def test_part_population_seuil_sommes_et_non_renseignees():
    t = pd.DataFrame({"distance_lycee_km": [0.0, 20.0, 16.0, np.nan], "population_2023": [100.0, 10.0, 30.0, 1000.0]})
    ind = indicateur("part_population_lycee_plus_15_km")
    assert colonnes_requises(ind) == ["distance_lycee_km", "population_2023"]
    v = calculer(t, ind, cle=pd.Series(["A", "A", "B", "B"]))
    assert v["A"] == pytest.approx(100 * 10 / 110)  # pondérée par la population, pas 50 %
    assert np.isnan(v["B"])  # une commune sans distance : la part du groupe n'est pas calculée (jamais en silence)
    partielle = calculer(t, ind, cle=pd.Series(["A", "A", "B", "B"]), partiel=True)
    assert partielle["B"] == pytest.approx(100.0)  # sur demande : écartée, pas comptée proche
    assert calculer(t, ind).tolist()[:3] == [0.0, 100.0, 100.0] and np.isnan(calculer(t, ind).iloc[3])


def test_part_population_oui_non():
    t = pd.DataFrame({"ouvert_apres_18h": pd.array([True, False, None], dtype="boolean"),
                      "population_2023": [10.0, 30.0, 60.0]})
    v = calculer(t, indicateur("part_population_mairie_apres_18h"), cle=pd.Series(["X"] * 3))
    assert v["X"] == pytest.approx(25.0)


@pytest.mark.parametrize("ident", ["part_population_lycee_plus_15_km", "part_population_lycee_plus_30_km",
                                   "part_population_mairie_apres_18h", "part_population_mairie_samedi",
                                   "part_population_versement_mobilite"])
@pytest.mark.parametrize("niveau", ["commune", "epci", "departement", "region", "degurba"])
def test_nouveaux_indicateurs_a_tous_les_niveaux(ident, niveau):
    df = indicateurs(ident, niveau=niveau, couverture=True)
    v = df[ident].dropna()
    if ident == "part_population_versement_mobilite" and niveau != "commune":
        # 24 492 communes absentes de la table : situation inconnue, jamais « sans versement » ;
        # un groupe qui en contient n'a pas de part calculée, et son statut le dit
        assert set(df.loc[df[ident].isna(), f"{ident}_statut"]) <= {"incomplet", "non disponible"}
        assert (df[f"{ident}_statut"] == "incomplet").any()
    else:
        assert len(v)
    assert v.between(0, 100).all()


# --------------------------------------------------------------------------- 1. vieillissement
def test_iris_codes_et_totaux_coherents_avec_les_communes():
    iris = mobilites.iris_rp2021()
    assert iris["code_iris"].str.len().eq(9).all() and iris["code_commune"].map(type).eq(str).all()
    t = table_communes()
    renseignees = t.loc[t["population_65_ans_et_plus"].notna(), "code_commune"]  # communes rétablies : NaN motivé
    somme_iris = iris.loc[iris["code_commune"].isin(renseignees), "population_65_ans_et_plus"].sum()
    assert somme_iris == pytest.approx(t["population_65_ans_et_plus"].sum(), rel=1e-9)
    assert set(iris["code_commune"]) <= set(t["code_commune"])


def test_classes_bornes_a_gauche():
    c = mobilites.classe_part_65_ans(pd.Series([14.99, 15.0, 35.0, np.nan]))
    assert c.astype(str).tolist()[:3] == ["moins de 15 %", "15 à moins de 20 %", "35 % ou plus"]
    assert pd.isna(c.iloc[3])


@pytest.mark.parametrize("maille", ["iris", "commune"])
def test_repartition(maille):
    r = mobilites.repartition_65_ans(maille)
    assert r["part_unites_%"].sum() == pytest.approx(100) and r["part_population_%"].sum() == pytest.approx(100)
    source = mobilites.iris_rp2021() if maille == "iris" else table_communes()
    assert r["nb_unites"].sum() + r.attrs["exclus"] == len(source)


def test_repartition_maille_inconnue():
    with pytest.raises(NiveauInconnu, match="iris"):
        mobilites.repartition_65_ans("quartier")


def test_dissimilarite_calcul_direct():
    c = mobilites.contrastes_intra_communaux()
    iris = mobilites.iris_rp2021()
    lyon = iris[(iris["code_commune"] == "69123") & (iris["population_rp2021"] >= 500) & (iris["typ_iris"] != "Z")]
    a = lyon["population_65_ans_et_plus"].to_numpy()
    b = lyon["population_rp2021"].to_numpy() - a
    attendu = 50 * np.abs(a / a.sum() - b / b.sum()).sum()
    assert c.loc["69123", "dissimilarite_%"] == pytest.approx(attendu)
    assert c["dissimilarite_%"].between(0, 100).all() and (c["nb_iris"] >= 20).all()
    assert c["dissimilarite_%"].is_monotonic_decreasing


def test_croissance_par_classe_depuis_les_sommes():
    c = mobilites.croissance_par_classe_65_ans()
    t = table_communes()
    part = 100 * t["population_65_ans_et_plus"] / t["population_rp2021"]
    m = (part >= 35) & t["population_2016"].notna() & t["population_2023"].notna()
    attendu = 100 * ((t.loc[m, "population_2023"].sum() / t.loc[m, "population_2016"].sum()) ** (1 / 7) - 1)
    assert c.loc["35 % ou plus", "evolution_annuelle_%"] == pytest.approx(attendu)
    assert c["nb_communes"].sum() + c.attrs["exclus"] == len(t)
    with pytest.raises(Exception, match="2016-2023"):
        mobilites.croissance_par_classe_65_ans("2019-2023")


# --------------------------------------------------------------------------- 2. mairies
def test_bilan_horaires_recoupe_journal_et_table():
    b = mobilites.bilan_horaires_mairies()
    assert b["illisible"] == 0 and b["ok"] + b["absent"] == b["communes"] == len(table_communes())
    assert sum(b["motifs_absent"].values()) == b["absent"]
    # chaque motif et chaque anomalie du journal a un libellé en français (carnet 02)
    motifs = {**b["motifs_absent"], **b["motifs_illisible"], **b["anomalies_tolerees"]}
    assert set(motifs) <= set(mobilites.MOTIFS_HORAIRES)


def test_heures_par_groupe():
    h = mobilites.heures_par_groupe("taille_commune")
    t = table_communes()
    assert (h["nb_mairies"] + h["sans_horaires"]).sum() + h.attrs["exclus"] == len(t)
    assert h.index[-1] == "moins de 500 hab." and h["mediane"].is_monotonic_decreasing
    assert (h["p10"] <= h["q1"]).all() and (h["q1"] <= h["mediane"]).all() and (h["mediane"] <= h["q3"]).all()
    with pytest.raises(NiveauInconnu):
        mobilites.heures_par_groupe("canton")


def test_desynchronisation_et_catalogue():
    d = mobilites.desynchronisation()
    f = d.loc["France entière"]
    assert f["mairies_soir_ou_samedi_%"] + f["mairies_ni_soir_ni_samedi_%"] == pytest.approx(100)
    assert f["population_soir_ou_samedi_%"] + f["population_ni_soir_ni_samedi_%"] == pytest.approx(100)
    assert max(f["mairies_apres_18h_%"], f["mairies_samedi_%"]) <= f["mairies_soir_ou_samedi_%"]
    assert f["nb_mairies"] + f["sans_horaires"] == len(table_communes())
    cat = indicateurs(["part_population_mairie_apres_18h", "mairie_ouverte_samedi"], niveau="zone")
    t = table_communes()
    pop = t["population_2023"].where(t["ouvert_apres_18h"].notna())
    assert 100 * pop[t["ouvert_apres_18h"].fillna(False).astype(bool)].sum() / pop.sum() == pytest.approx(
        f["population_apres_18h_%"])
    n = cat["part_population_mairie_apres_18h"]
    assert (n * t.groupby("zone")["population_2023"].sum()).sum() > 0


# --------------------------------------------------------------------------- 3. lycées
def test_eloignement_egal_au_catalogue():
    e = mobilites.eloignement_lycee((15, 30))
    cat = indicateurs(["part_population_lycee_plus_15_km", "part_population_lycee_plus_30_km"], niveau="departement")
    assert np.allclose(e["part_plus_15_km_%"], cat["part_population_lycee_plus_15_km"].reindex(e.index), equal_nan=True)
    assert np.allclose(e["part_plus_30_km_%"], cat["part_population_lycee_plus_30_km"].reindex(e.index), equal_nan=True)
    renseignes = e.dropna(subset=["part_plus_15_km_%"])  # Mayotte : pas de population légale
    assert len(renseignes) == 100 and (renseignes["part_plus_30_km_%"] <= renseignes["part_plus_15_km_%"]).all()
    assert e["communes_distance_inconnue"].sum() == table_communes()["distance_lycee_km"].isna().sum()
    assert e.loc["23", "nom"] == "Creuse"


def test_eloignement_france_et_seuil_decimal():
    e = mobilites.eloignement_lycee((7.5,), niveau=None)
    assert list(e.columns) == ["population_2023", "population_plus_7,5_km", "part_plus_7,5_km_%",
                               "communes_distance_inconnue"]


# --------------------------------------------------------------------------- 4. double vulnérabilité
def test_double_vulnerabilite_criteres_respectes():
    r = mobilites.double_vulnerabilite(30, 10, 15)
    s = r.signalees
    assert len(s) == r.chiffres["nb_communes_signalees"] > 0
    assert (s["part_65_ans_et_plus"] >= 30).all() and (s["heures_ouverture_hebdo"] <= 10).all()
    assert (s["distance_lycee_km"] > 15).all()
    assert r.chiffres["population_concernee"] == pytest.approx(s["population_2023"].sum())
    assert r.chiffres["nb_communes_evaluees"] + r.chiffres["nb_communes_non_evaluees"] == len(table_communes())
    non_eval = r.communes["nb_criteres"].isna()
    manque = r.communes[["part_65_ans_et_plus", "heures_ouverture_hebdo", "distance_lycee_km"]].isna().any(axis=1)
    assert (non_eval == manque).all()


def test_double_vulnerabilite_seuils_plus_stricts_moins_de_communes():
    large = mobilites.double_vulnerabilite(25, 15, 10).chiffres["nb_communes_signalees"]
    strict = mobilites.double_vulnerabilite(35, 6, 20).chiffres["nb_communes_signalees"]
    assert strict < large


def test_double_vulnerabilite_departement_et_carte():
    r = mobilites.double_vulnerabilite(codes_departement=["23"])
    assert set(r.communes["code_departement"]) == {"23"}
    classes = r.serie_carte().dropna().unique()
    assert set(classes) <= set(mobilites.CLASSES_CRITERES)
    assert "Seuils" in r.texte() and "communes cumulent" in r.texte()


@pytest.mark.parametrize("kwargs, erreur", [({"seuil_heures": -1}, ValueError), ({"seuil_65_ans": float("nan")}, ValueError),
                                            ({"codes_departement": ["99"]}, ResultatVide),
                                            ({"codes_departement": []}, ResultatVide)])
def test_double_vulnerabilite_mauvaises_demandes(kwargs, erreur):
    with pytest.raises(erreur):
        mobilites.double_vulnerabilite(**kwargs)


# --------------------------------------------------------------------------- 5. versement mobilité
def test_versement_mobilite():
    v = mobilites.versement_mobilite_par_groupe(None).loc["France entière"]
    t = table_communes()
    vm = t["versement_mobilite"]
    avec = vm.eq(True).fillna(False).astype(bool)
    assert v["nb_communes_versement"] == avec.sum()
    assert v["nb_communes_inconnues"] == vm.isna().sum() - 17  # Mayotte (sans population légale) exclue
    assert v["part_population_avec_%"] == pytest.approx(100 * t.loc[avec, "population_2023"].sum() / t["population_2023"].sum())
    inconnue = 100 * t.loc[vm.isna(), "population_2023"].sum() / t["population_2023"].sum()
    assert v["part_population_inconnue_%"] == pytest.approx(inconnue)  # jamais comptée « sans versement »
    assert v[["part_population_avec_%", "part_population_sans_%", "part_population_inconnue_%"]].sum() == pytest.approx(100)
    g = mobilites.versement_mobilite_par_groupe("degurba")
    assert g["nb_communes"].sum() + g.attrs["exclus"] == len(t)


# --------------------------------------------------------------------------- graphiques et panneau
def test_graphiques_avec_source():
    for g in (mobilites.graphique_heures("degurba"),
              mobilites.graphique_contrastes(mobilites.contrastes_intra_communaux(), n=5)):
        import json

        assert "Source :" in json.dumps(g.to_dict(), ensure_ascii=False)


def test_carte_serie_restreinte_a_un_departement():
    from territoire_lib.cartes import carte_serie

    r = mobilites.double_vulnerabilite(codes_departement=["23"])
    c = carte_serie(r.serie_carte(), "commune", "Test", "Source : test", categories=list(mobilites.CLASSES_CRITERES),
                    codes=r.communes.index.tolist())
    assert c.selection and set(c.valeurs["code"]) == set(r.communes.index)


def test_panneau_se_met_a_jour():
    pytest.importorskip("ipywidgets")
    p = mobilites.panneau_double_vulnerabilite(departement="23")
    curseur_65, menu = p.children[0], p.children[3]
    curseur_65.value = 40
    menu.value = "48"
    assert len(p.children) == 6 and menu.value == "48"
