"""Harmonisation au COG courant, sur de petites tables d'exemple (fixtures)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from territoire_lib.construction import cog


def _version(lignes):
    """Fausse version du COG (fixture) : code, type, population, anciensCodes, chefLieu."""
    df = pd.DataFrame(lignes, columns=["code", "type", "population", "anciensCodes", "chefLieu"])
    df["zone"], df["commune"], df["nom"] = "metro", None, "FIXTURE"
    df["departement"], df["region"] = "01", "84"
    return df


ANCIENNE = _version([
    ("01001", "commune-actuelle", 100.0, None, None),
    ("01002", "commune-actuelle", 50.0, None, None),   # fusionnée depuis dans 01001
    ("01003", "commune-actuelle", 30.0, None, None),   # englobe 01004, rétablie depuis
    ("01004", "commune-deleguee", None, None, "01003"),
    ("01005", "commune-actuelle", np.nan, None, None),  # population absente
    ("01006", "commune-actuelle", 0.0, None, None),     # vraiment 0 habitant
])
COURANT = _version([
    ("01001", "commune-actuelle", 160.0, ["01002"], None),
    ("01002", "commune-deleguee", None, None, "01001"),
    ("01003", "commune-actuelle", 20.0, None, None),
    ("01004", "commune-actuelle", 12.0, None, None),
    ("01005", "commune-actuelle", 7.0, None, None),
    ("01006", "commune-actuelle", 0.0, None, None),
])


def test_table_passage():
    p = cog.table_passage(COURANT)
    assert p[["ancien_code", "code_commune"]].values.tolist() == [["01002", "01001"]]


def test_fusion_sommee_n_a_n_signale_absent_jamais_zero():
    res, rapport = cog.harmoniser_population(ANCIENNE, COURANT, cog.table_passage(COURANT))
    pop = res.set_index("code_commune")["population"]
    assert pop["01001"] == 150  # 100 + 50
    assert np.isnan(pop["01003"]) and np.isnan(pop["01004"])  # rétablissement : non réparti
    assert np.isnan(pop["01005"])  # absent : NaN, pas 0
    assert pop["01006"] == 0  # zéro réel conservé
    assert sorted(rapport["communes_n_a_n"]) == ["01003", "01004"]
    assert rapport["population_absente"] == ["01005"]
    assert rapport["codes_non_traduits"] == []


def test_communes_retablies():
    r = cog.communes_retablies([ANCIENNE], COURANT)
    assert r.to_dict("records") == [{"code_commune": "01004", "code_parent": "01003"}]


def test_comptages_commune_retablie_absente_de_la_source():
    t = pd.DataFrame({"code_commune": ["01001", "01002", "01003"], "n": [1.0, 2.0, 3.0]})
    retablies = cog.communes_retablies([ANCIENNE], COURANT)
    res, rapport = cog.harmoniser_comptages(t, ["n"], cog.table_passage(COURANT),
                                            {"01001", "01003", "01004"}, retablies=retablies)
    valeurs = res.set_index("code_commune")["n"]
    assert valeurs["01001"] == 3.0
    assert np.isnan(valeurs["01003"])  # inclut 01004 : non comparable
    assert rapport["parents_non_comparables"] == ["01003"]


def test_code_inconnu_rapporte():
    t = pd.DataFrame({"code_commune": ["01001", "99999"], "n": [1.0, 2.0]})
    res, rapport = cog.harmoniser_comptages(t, ["n"], cog.table_passage(COURANT), {"01001"})
    assert rapport["codes_inconnus"] == ["99999"]
    assert res["n"].sum() == 1.0
