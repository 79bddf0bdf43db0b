"""Les ratios agrégés sont recalculés depuis les sommes, jamais moyennés."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from territoire_lib import indicateurs
from territoire_lib.agregation import calculer
from territoire_lib.catalogue import indicateur
from territoire_lib.chargement import table_communes
from territoire_lib.erreurs import IndicateurNonDisponible


def test_ratio_depuis_les_sommes():
    t = pd.DataFrame({"population_65_ans_et_plus": [1.0, 300.0], "population_rp2021": [10.0, 1000.0]})
    v = calculer(t, indicateur("part_65_ans_et_plus"), cle=pd.Series(["X", "X"]))
    assert v["X"] == pytest.approx(100 * 301 / 1010)  # et non (10 % + 30 %) / 2


def test_taux_annuel():
    t = pd.DataFrame({"population_2016": [100.0], "population_2023": [121.0]})
    v = calculer(t, indicateur("evolution_population_annuelle"), "2016-2023", pd.Series(["X"]))
    assert v["X"] == pytest.approx(100 * (1.21 ** (1 / 7) - 1))


def test_part_communes_ignore_les_non_renseignees():
    t = pd.DataFrame({"ouvert_samedi": pd.array([True, False, None], dtype="boolean")})
    v = calculer(t, indicateur("mairie_ouverte_samedi"), cle=pd.Series(["X", "X", "X"]))
    assert v["X"] == pytest.approx(50.0)


def test_categorie_non_agregeable():
    with pytest.raises(IndicateurNonDisponible, match="regroupement"):
        indicateurs("zonage_abc", niveau="departement")


@pytest.mark.parametrize("niveau", ["epci", "departement", "region"])
def test_niveaux_coherents_avec_la_commune(niveau):
    """La part des 65 ans et plus d'un niveau = Σ numérateurs / Σ dénominateurs des communes."""
    t = table_communes()
    cle = {"epci": "code_epci", "departement": "code_departement", "region": "code_region"}[niveau]
    ok = t["population_65_ans_et_plus"].notna() & t["population_rp2021"].notna()
    g = t[ok].groupby(cle)
    attendu = 100 * g["population_65_ans_et_plus"].sum() / g["population_rp2021"].sum()
    obtenu = indicateurs("part_65_ans_et_plus", niveau=niveau)["part_65_ans_et_plus"]
    commun = attendu.index.intersection(obtenu.dropna().index)
    assert len(commun) > 10
    np.testing.assert_allclose(obtenu[commun], attendu[commun])


def test_population_nationale_egale_somme_des_regions():
    reg = indicateurs("population", niveau="region")["population"].sum()
    com = indicateurs("population", niveau="commune")["population"].sum()
    assert reg == com


def test_couverture_dit_les_communes_ecartees():
    """Une somme agrégée ne porte jamais en silence sur une partie du territoire : statut et décompte le disent."""
    from territoire_lib import completude

    df = indicateurs("population", niveau="zone", millesime=2016, couverture=True)
    c = completude("population", niveau="zone", millesime=2016)
    assert c.loc["drom", "nb_hors_champ"] == 17  # Mayotte, hors du champ des populations légales
    assert df.loc["drom", "population_communes_non_renseignees"] == 0
    # les communes nouvelles de 2019 ont leur population 2016 (version 0.3.0/0.4.0), les communes
    # rétablies sont couvertes par leur bloc : la France métropolitaine 2016 est complète
    assert (df["population_statut"] == "complet").all(), df
    assert df.loc["metro", "population"] > 64e6
    epci = indicateurs("population", niveau="epci", millesime=2023, couverture=True)
    assert epci["population_communes_non_renseignees"].sum() == 0
    assert (epci["population_statut"] != "incomplet").all()
