"""Harmonisation au COG courant, sur de petites tables d'exemple (fixtures)."""
from __future__ import annotations

import numpy as np
import pytest
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


# ---------------------------------------------------------------- blocs (changements n-à-n)
def test_bloc_de_la_commune_retablie_valeur_exacte_de_l_ensemble():
    """01003 englobait 01004 (rétablie depuis) : 30 habitants pour l'ensemble, aucun pour chacune."""
    res, rapport = cog.harmoniser_population(ANCIENNE, COURANT, cog.table_passage(COURANT))
    assert rapport["blocs"] == [{"membres": ["01003", "01004"], "anciens": ["01003"], "valeur": 30.0}]
    blocs = cog.table_blocs(rapport["blocs"], "population_2016", "commune rétablie")
    assert list(blocs.columns) == list(cog.COLONNES_BLOCS)
    assert blocs["code_commune"].tolist() == ["01003", "01004"]
    assert blocs["bloc"].unique().tolist() == ["population_2016:01003+01004"]
    assert (blocs["valeur"] == 30.0).all() and blocs["valeur"].dtype == "float64"
    # communes + un bloc compté une fois = total de la source (100 + 50 + 30 + 0 ; 01005 inconnue)
    total = res["population"].sum() + blocs.drop_duplicates("bloc")["valeur"].sum()
    assert total == ANCIENNE["population"].sum()


def test_bloc_sans_valeur_source_omis():
    blocs = cog.table_blocs([{"membres": ["01003", "01004"], "valeur": None}], "population_2016", "x")
    assert blocs.empty and list(blocs.columns) == list(cog.COLONNES_BLOCS)


def test_comptages_bloc_parent_et_commune_retablie():
    t = pd.DataFrame({"code_commune": ["01001", "01002", "01003"], "n": [1.0, 2.0, 3.0]})
    retablies = cog.communes_retablies([ANCIENNE], COURANT)
    res, rapport = cog.harmoniser_comptages(t, ["n"], cog.table_passage(COURANT),
                                            {"01001", "01003", "01004"}, retablies=retablies)
    assert rapport["blocs"] == [{"membres": ["01003", "01004"], "anciens": ["01003"], "valeurs": {"n": 3.0}}]
    b = cog.table_blocs(rapport["blocs"], "n", "rétablie", cle="n")
    assert res["n"].sum() + b.drop_duplicates("bloc")["valeur"].sum() == t["n"].sum()


def test_comptages_code_reparti_sur_deux_communes_bloc_sans_part_partielle():
    """Un code source qui pointe vers deux communes : les deux en NaN, leur ensemble en bloc."""
    passage = pd.DataFrame({"ancien_code": ["01009", "01009"], "code_commune": ["01001", "01002"],
                            "nature": ["ancien code (fusion)"] * 2})
    t = pd.DataFrame({"code_commune": ["01009", "01001", "01003"], "n": [10.0, 4.0, 1.0]})
    res, rapport = cog.harmoniser_comptages(t, ["n"], passage, {"01001", "01002", "01003"})
    v = res.set_index("code_commune")["n"]
    assert np.isnan(v["01001"]) and v["01003"] == 1.0
    assert rapport["blocs"] == [{"membres": ["01001", "01002"], "anciens": ["01001", "01009"], "valeurs": {"n": 14.0}}]


# ---------------------------------------------------------------- complément d'une version (2016)
def _deux_versions():
    v = _version([("01001", "commune-actuelle", 100.0, None, None),
                  ("01002", "commune-actuelle", 40.0, None, None),   # commune nouvelle : chef-lieu seul
                  ("01003", "commune-actuelle", np.nan, None, None)])
    c = v.copy()
    c.loc[c["code"] == "01002", "population"] = 55.0
    return v, c


def test_completer_population_remplace_seulement_les_communes_nouvelles():
    v, c = _deux_versions()
    res, rapport = cog.completer_population(v, c, {"01002"})
    assert res["population"].tolist()[:2] == [100.0, 55.0] and np.isnan(res["population"].iloc[2])
    assert rapport["communes_completees"] == ["01002"] and rapport["habitants_ajoutes"] == 15.0
    assert rapport["communes_identiques"] == 2
    assert v.loc[v["code"] == "01002", "population"].item() == 40.0  # entrée intacte


@pytest.mark.parametrize("alteration,message", [
    (lambda c: c.assign(population=c["population"].where(c["code"] != "01001", 99.0)), "diffèrent sur 1 commune"),
    (lambda c: c[c["code"] != "01003"], "même géographie"),
    (lambda c: c.assign(population=c["population"].where(c["code"] != "01002", 40.0)), "supérieure"),
])
def test_completer_population_refuse_sans_preuve(alteration, message):
    v, c = _deux_versions()
    with pytest.raises(ValueError, match=message):
        cog.completer_population(v, alteration(c), {"01002"})
