"""Règle de vérité : un agrégat est complet, ou NaN avec son motif ; partiel seulement sur demande, et étiqueté."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from territoire_lib import completude, expliquer, indicateurs
from territoire_lib.agregation import calculer_detail
from territoire_lib.catalogue import indicateur
from territoire_lib.chargement import table_blocs, table_communes

POP = indicateur("population")


def _table(valeurs, deps=None):
    n = len(valeurs)
    return pd.DataFrame({"code_commune": [f"0100{i}" for i in range(n)], "population_2016": valeurs,
                         "code_departement": deps or ["01"] * n})


def test_somme_incomplete_nan_avec_motif():
    t = _table([10.0, np.nan, 5.0])
    r = calculer_detail(t, POP, 2016, pd.Series(["X", "X", "Y"]))
    assert np.isnan(r.valeurs["X"]) and r.valeurs["Y"] == 5
    assert r.completude.loc["X", "statut"] == "incomplet"
    assert r.completude.loc["X", "nb_sans_valeur"] == 1
    assert r.completude.loc["X", "codes_sans_valeur"] == ("01001",)


def test_partiel_sur_demande_et_etiquete():
    t = _table([10.0, np.nan, 5.0])
    r = calculer_detail(t, POP, 2016, pd.Series(["X", "X", "Y"]), partiel=True)
    assert r.valeurs["X"] == 10 and r.completude.loc["X", "statut"] == "partiel"


def test_aucune_valeur_non_disponible():
    t = _table([np.nan, np.nan])
    r = calculer_detail(t, POP, 2016, pd.Series(["X", "X"]), partiel=True)
    assert np.isnan(r.valeurs["X"]) and r.completude.loc["X", "statut"] == "non disponible"


def _bloc(membres, valeur):
    return pd.DataFrame({"colonne": "population_2016", "bloc": "+".join(membres), "code_commune": membres,
                         "valeur": float(valeur), "motif": "ensemble publié"})


def test_bloc_complete_le_groupe_qui_le_contient():
    t = _table([10.0, np.nan, np.nan])
    b = _bloc(["01001", "01002"], 7)
    r = calculer_detail(t, POP, 2016, pd.Series(["X", "X", "X"]), blocs=b)
    assert r.valeurs["X"] == 17 and r.completude.loc["X", "statut"] == "complet"
    assert r.completude.loc["X", "nb_par_bloc"] == 2
    # à la commune, la valeur du bloc ne se répartit pas
    c = calculer_detail(t, POP, 2016, None, blocs=b)
    assert c.valeurs.isna().sum() == 2


def test_bloc_a_cheval_laisse_les_groupes_incomplets():
    t = _table([10.0, np.nan, np.nan])
    r = calculer_detail(t, POP, 2016, pd.Series(["X", "X", "Y"]), blocs=_bloc(["01001", "01002"], 7))
    assert r.valeurs.isna().all()
    assert set(r.completude["statut"]) == {"incomplet", "non disponible"}


def test_ratio_complet_ou_nan():
    ind = indicateur("densite_population")
    t = pd.DataFrame({"code_commune": ["a", "b"], "code_departement": ["01", "01"],
                      "population_2016": [100.0, 50.0], "surface_km2": [10.0, np.nan]})
    r = calculer_detail(t, ind, 2016, pd.Series(["X", "X"]))
    assert np.isnan(r.valeurs["X"])
    # partiel : mêmes communes au numérateur et au dénominateur
    assert calculer_detail(t, ind, 2016, pd.Series(["X", "X"]), partiel=True).valeurs["X"] == 10


def test_hors_champ_mayotte_ne_rend_pas_incomplet():
    t = _table([10.0, 5.0, np.nan], deps=["01", "01", "976"])
    r = calculer_detail(t, POP, 2016, pd.Series(["X", "X", "X"]))
    assert r.valeurs["X"] == 15 and r.completude.loc["X", "nb_hors_champ"] == 1
    seul = calculer_detail(t.iloc[[2]], POP, 2016, pd.Series(["M"], index=[2]))
    assert seul.completude.loc["M", "statut"] == "non disponible"


def test_base_declaree_sur_les_communes_renseignees():
    ind = indicateur("heures_ouverture_mairie")
    t = pd.DataFrame({"code_commune": ["a", "b"], "code_departement": ["01", "01"],
                      "heures_ouverture_hebdo": [10.0, np.nan], "population_2023": [100.0, 100.0]})
    r = calculer_detail(t, ind, None, pd.Series(["X", "X"]))
    assert r.valeurs["X"] == 10 and r.completude.loc["X", "statut"] == "sur les communes renseignées"


def test_moyenne_stricte_sans_base_declaree():
    ind = indicateur("distance_lycee")
    t = pd.DataFrame({"code_commune": ["a", "b"], "code_departement": ["01", "01"],
                      "distance_lycee_km": [10.0, np.nan], "population_2023": [100.0, 100.0]})
    assert np.isnan(calculer_detail(t, ind, None, pd.Series(["X", "X"])).valeurs["X"])


# ------------------------------------------------------------------ données livrées
@pytest.mark.parametrize("niveau", ["departement", "region", "zone", "degurba", "taille_commune"])
def test_jamais_de_somme_partielle_silencieuse(niveau):
    """À tout niveau, une somme de population est complète ou NaN ; le statut le dit."""
    df = indicateurs("population", niveau=niveau, millesime=2016, couverture=True)
    statut = df["population_statut"]
    assert set(statut) <= {"complet", "incomplet", "non disponible"}
    assert df.loc[statut != "complet", "population"].isna().all()
    assert (df.loc[statut == "complet", "population_communes_non_renseignees"] == 0).all()
    resume = df.attrs["completude"]["population"]
    assert sum(resume["statuts"].values()) == len(df)


def test_partiel_etiquete_dans_attrs():
    df = indicateurs("population", niveau="departement", millesime=2016, partiel=True, couverture=True)
    resume = df.attrs["completude"]["population"]
    assert resume["partiel"] is True
    partiels = df.index[df["population_statut"] == "partiel"]
    assert all(resume["territoires"][c]["statut"] == "partiel" for c in partiels)
    assert df.loc[partiels, "population"].notna().all()


def test_mayotte_non_disponible_et_france_hors_mayotte_complete():
    reg = indicateurs("population", niveau="region", millesime=2023, couverture=True)
    assert np.isnan(reg.loc["06", "population"]) and reg.loc["06", "population_statut"] == "non disponible"
    zone = indicateurs("population", niveau="zone", millesime=2023, couverture=True)
    assert (zone["population_statut"] == "complet").all()
    assert zone["population"].sum() == reg["population"].sum()


def test_blocs_aux_colonnes_du_contrat():
    b = table_blocs()
    assert list(b.columns) == ["colonne", "bloc", "code_commune", "valeur", "motif"]
    t = table_communes().set_index("code_commune")
    for colonne, g in b.groupby("colonne"):  # les membres d'un bloc n'ont pas de valeur propre
        assert t.loc[g["code_commune"], colonne].isna().all(), colonne


def test_expliquer_dit_source_version_empreinte_et_motifs():
    e = expliquer("population", "52", millesime=2016)
    texte = str(e)
    assert e.niveau == "region" and "Pays de la Loire" in texte
    assert "@etalab/decoupage-administratif" in texte and "sha256" in texte
    assert "COG" in texte or "code officiel géographique" in texte
    assert "Haute-Marne" in texte  # le même code désigne aussi un département
    assert e.statut in ("complet", "incomplet")
    if e.statut == "incomplet":
        assert e.sans_valeur and all(m for m in e.sans_valeur.values())
    d = expliquer("population", "52", niveau="departement", millesime=2023)
    assert d.nom == "Haute-Marne" and d.statut == "complet" and not d.sans_valeur
    assert e._repr_markdown_().startswith("**Pourquoi ce chiffre ?")


def test_expliquer_une_commune_et_une_base_declaree():
    e = expliquer("heures_ouverture_mairie", "23", niveau="departement")
    assert "base déclarée" in e.regle
    m = expliquer("population", "97611", millesime=2023)
    assert m.statut == "non disponible" and "Mayotte" in str(m)


def test_completude_par_niveau():
    c = completude("surface", niveau="departement")
    assert {"nb_communes", "nb_sans_valeur", "nb_par_bloc", "nb_hors_champ", "statut"} <= set(c.columns)
    assert c["nb_communes"].sum() == len(table_communes())
