"""Contrôles de fin de construction (totaux de référence, couverture), sur de petites tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from territoire_lib.catalogue import indicateur
from territoire_lib.construction import controles

TABLE = pd.DataFrame({
    "code_commune": ["01001", "01002", "01003", "97101", "97601"],
    "code_departement": ["01", "01", "01", "971", "976"],
    "code_region": ["84", "84", "84", "01", "06"],
    "population_2019": [10.0, np.nan, np.nan, 5.0, np.nan],
    "surface_km2": [1.0, 2.0, 3.0, 4.0, 5.0],
})
BLOCS = pd.DataFrame({"colonne": "population_2019", "bloc": "population_2019:01002+01003",
                      "code_commune": ["01002", "01003"], "valeur": 7.0, "motif": "commune rétablie"})
SOURCE = pd.DataFrame({"code_commune": ["01001", "01002", "97101", "97601"],
                       "code_departement": ["01", "01", "971", "976"], "code_region": ["84", "84", "01", "06"],
                       "population": [10.0, 7.0, 5.0, 300.0]})


def test_totaux_communes_plus_blocs_egaux_a_la_source():
    r = controles.controler_totaux(TABLE, BLOCS, {"population_2019": SOURCE})["population_2019"]
    assert r["ecarts"] == [] and r["blocs_comptes"] == 1
    assert r["france"] == {"France métropolitaine": 17.0, "France hors Mayotte": 22.0}
    assert "976" in r["exclus"]  # Mayotte : non disponible, hors contrôle


def test_total_partiel_fait_echouer_la_construction():
    sans_bloc = BLOCS.iloc[0:0]
    with pytest.raises(controles.ErreurControle, match="ne retrouve pas le total de la source"):
        controles.controler_totaux(TABLE, sans_bloc, {"population_2019": SOURCE})
    r = controles.controler_totaux(TABLE, sans_bloc, {"population_2019": SOURCE}, lever=False)["population_2019"]
    assert {"niveau": "departement", "code": "01", "reconstruit": 10.0, "source": 17.0} in r["ecarts"]


def test_bloc_compte_deux_fois_detecte():
    double = pd.concat([BLOCS, BLOCS.assign(bloc="population_2019:01002")])
    with pytest.raises(controles.ErreurControle):
        controles.controler_totaux(TABLE, double, {"population_2019": SOURCE})


def test_couverture_distingue_valeur_bloc_et_absence():
    lignes = controles.rapport_couverture(TABLE, BLOCS, [indicateur("population"), indicateur("surface")])
    p2019 = next(l for l in lignes if l["indicateur"] == "population" and l["millesime"] == "2019")
    assert (p2019["avec_valeur"], p2019["par_bloc"], p2019["sans_valeur"], p2019["communes"]) == (2, 2, 1, 5)
    p2016 = next(l for l in lignes if l["indicateur"] == "population" and l["millesime"] == "2016")
    assert "colonnes absentes" in p2016["hors_donnees"]
    assert next(l for l in lignes if l["indicateur"] == "surface")["avec_valeur"] == 5


def test_couverture_moyenne_ponderee_pas_completee_par_un_bloc():
    t = TABLE.assign(heures_ouverture_hebdo=1.0, population_2023=TABLE["population_2019"])
    b = BLOCS.assign(colonne="population_2023")
    ligne = controles.rapport_couverture(t, b, [indicateur("heures_ouverture_mairie")])[0]
    assert ligne["par_bloc"] == 0 and ligne["sans_valeur"] == 3
