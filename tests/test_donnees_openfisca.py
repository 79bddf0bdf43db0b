"""Tests des tables territoriales d'OpenFisca (zonage ABC, REI TH, versement mobilité)."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from territoire_lib.construction import openfisca as of

FIXTURES = Path(__file__).parent / "fixtures" / "openfisca"


# --------------------------------------------------------------------------
# Codes communes
# --------------------------------------------------------------------------
def test_normaliser_code_commune_regles() -> None:
    brut = pd.Series(["01001", " 2b033 ", "1001", 1001, 1001.0, "9777", "9788", "97411",
                      "123", "ABCDE", None, np.nan])
    codes, rap = of.normaliser_code_commune(brut)
    assert codes.dtype == "str"
    assert codes.iloc[:8].tolist() == ["01001", "2B033", "01001", "01001", "01001",
                                       "97701", "97801", "97411"]
    assert codes.iloc[8:].isna().all()
    assert rap["codes_speciaux"] == {"9777": "97701", "9788": "97801"}
    assert rap["codes_completes"] == {"1001": "01001"}
    assert rap["codes_non_reconstruits"] == ["123", "ABCDE", None, None]


# --------------------------------------------------------------------------
# Zonage ABC
# --------------------------------------------------------------------------
def test_zonage_abc_fixture(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=of.__name__):
        t = of.lire_zonage_abc(FIXTURES / "zonage_abc_fixture.csv")
    assert list(t.columns) == ["code_commune", "zonage_abc", "zonage_abc_reclasse"]
    assert t["code_commune"].tolist() == ["01001", "01004", "2A004", "75056", "97101", "99999"]
    assert t["zonage_abc"].dtype == of.TYPE_ZONAGE_ABC
    assert t["zonage_abc"].iloc[:5].tolist() == ["C", "B1", "A", "A bis", "B2"]
    assert pd.isna(t["zonage_abc"].iloc[5])  # classe « D » inconnue -> NA
    assert t["zonage_abc_reclasse"].dtype == "boolean"
    assert t["zonage_abc_reclasse"].tolist() == [False, False, True, False, False, False]
    # ordre : A bis > A > B1 > B2 > C
    tri = t.dropna(subset=["zonage_abc"]).sort_values("zonage_abc")
    assert tri["zonage_abc"].tolist() == ["C", "B2", "B1", "A", "A bis"]
    assert (t.loc[t["code_commune"] == "75056", "zonage_abc"] > "A").all()

    rap = of.rapport(t)
    assert rap["lignes_lues"] == 7 and rap["lignes_ecrites"] == 6
    assert rap["codes_non_reconstruits"] == ["XYZ"]
    assert rap["classes_inconnues"] == ["D"]
    assert rap["communes_par_classe"] == {"C": 1, "B2": 1, "B1": 1, "A": 1, "A bis": 1}
    assert "non reconstruits" in caplog.text and "inconnues" in caplog.text


def test_zonage_abc_colonne_absente() -> None:
    with pytest.raises(KeyError, match="Zone en vigueur"):
        of.preparer_zonage_abc(pd.DataFrame({"CODGEO": ["01001"], "Zone": ["C"]}))


# --------------------------------------------------------------------------
# Paramètres de taxe d'habitation
# --------------------------------------------------------------------------
def test_parametres_th_fixture(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=of.__name__):
        t = of.lire_parametres_th(FIXTURES / "parametres_th_2020_fixture.csv", 2020)
    assert list(t.columns) == ["code_commune", "annee", "valeur_locative_moyenne",
                               "valeur_locative_moyenne_epci", "taux_th_commune", "taux_th_epci"]
    assert t["code_commune"].tolist() == ["01001", "01002", "2A004", "05066", "97101", "97701"]
    assert t["annee"].dtype == "int64" and (t["annee"] == 2020).all()
    vl = t.set_index("code_commune")["valeur_locative_moyenne"]
    assert vl.dtype == "float64"
    assert vl["01001"] == 3031.0 and vl["2A004"] == 3613.0
    assert np.isnan(vl["05066"]) and np.isnan(vl["97701"])  # 0 -> NaN, jamais 0
    taux = t.set_index("code_commune")
    assert taux.loc["01001", "taux_th_commune"] == pytest.approx(11.06)
    assert np.isnan(taux.loc["05066", "taux_th_epci"])

    rap = of.rapport(t)
    assert rap["lignes_lues"] == 8 and rap["lignes_ecrites"] == 6
    assert rap["codes_completes"] == {"1002": "01002"}
    assert rap["codes_speciaux"] == {"9777": "97701"}
    assert rap["codes_non_reconstruits"] == ["ABC"]
    assert rap["doublons"] == ["01001"]
    assert rap["nb_vl_moyenne_renseignee"] == 4 and rap["nb_vl_moyenne_manquante"] == 2
    assert rap["mediane_vl_moyenne"] == pytest.approx((2376 + 3031) / 2)
    assert "double" in caplog.text


def test_parametres_th_annee_invalide() -> None:
    with pytest.raises(ValueError, match="annee doit être un entier"):
        of.lire_parametres_th(FIXTURES / "parametres_th_2020_fixture.csv", "2020")  # type: ignore[arg-type]


def test_parametres_th_colonne_absente() -> None:
    with pytest.raises(KeyError, match="valeur_locative_moyenne_com"):
        of.preparer_parametres_th(pd.DataFrame({"code_insee_commune": ["01001"], "taux_com": ["0.1"],
                                                "taux_epci": ["0"]}), 2020)


def test_valeurs_locatives_longue() -> None:
    longue = of.valeurs_locatives({
        2021: FIXTURES / "parametres_th_2021_fixture.csv",
        2020: FIXTURES / "parametres_th_2020_fixture.csv",
    })
    assert list(longue.columns) == ["code_commune", "annee", "valeur_locative_moyenne"]
    assert longue["annee"].tolist() == [2020] * 6 + [2021] * 4
    assert longue.duplicated(["code_commune", "annee"]).sum() == 0
    a2021 = longue[longue["annee"] == 2021].set_index("code_commune")["valeur_locative_moyenne"]
    assert a2021["05066"] == 1800.0
    rap = of.rapport(longue)["par_annee"]
    assert set(rap) == {2020, 2021}
    assert rap[2021]["nb_identiques_annee_precedente"] == 3  # 01001, 01002, 2A004
    with pytest.raises(ValueError, match="vide"):
        of.valeurs_locatives({})


# --------------------------------------------------------------------------
# Versement mobilité
# --------------------------------------------------------------------------
def test_versement_mobilite_fixture(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=of.__name__):
        t = of.lire_versement_mobilite(FIXTURES / "taux_versement_mobilite_fixture.json")
    assert t["code_commune"].tolist() == ["01024", "10013", "13055", "28002", "28004",
                                          "2A004", "75056", "97101"]
    assert t["versement_mobilite"].dtype == "boolean"
    assert t["taux_versement_mobilite"].dtype == "float64"
    i = t.set_index("code_commune")
    assert i.loc["10013", "taux_versement_mobilite"] == pytest.approx(1.05)
    assert i.loc["10013", "date_taux_aom"] == pd.Timestamp("2018-01-01")
    # taux programmé : la marche du 2024-01-01 est en vigueur, pas celle de 2025
    assert i.loc["28004", "taux_versement_mobilite_aom"] == pytest.approx(1.38)
    assert i.loc["28004", "taux_versement_mobilite_additionnel"] == pytest.approx(0.5)
    assert i.loc["28004", "taux_versement_mobilite"] == pytest.approx(1.88)
    # syndicat mixte seul
    assert np.isnan(i.loc["28002", "taux_versement_mobilite_aom"])
    assert i.loc["28002", "versement_mobilite"]
    assert i.loc["28002", "nom_smt"] == "SMCTCEL"
    # taux nul publié : 0.0 gardé, pas de versement
    assert i.loc["01024", "taux_versement_mobilite"] == 0.0
    assert not i.loc["01024", "versement_mobilite"]
    # seulement des taux futurs : NaN et faux
    assert np.isnan(i.loc["2A004", "taux_versement_mobilite"])
    assert not i.loc["2A004", "versement_mobilite"]
    # arrondissements regroupés ; taux divergents à Marseille -> le plus élevé
    assert i.loc["75056", "taux_versement_mobilite"] == pytest.approx(2.95)
    assert i.loc["13055", "taux_versement_mobilite"] == pytest.approx(2.0)
    # ligne illisible écartée, la précédente reste en vigueur
    assert i.loc["97101", "taux_versement_mobilite"] == pytest.approx(1.5)
    assert (t["date_reference"] == pd.Timestamp("2024-01-01")).all()

    rap = of.rapport(t)
    assert rap["date_reference"] == "2024-01-01"
    assert rap["codes_lus"] == 11 and rap["lignes_ecrites"] == 8
    assert rap["codes_sans_taux"] == ["99998"]
    assert rap["lignes_taux_invalides"] == 1
    assert rap["arrondissements_regroupes"] == 4
    assert rap["conflits_arrondissements"] == ["13055"]
    assert rap["nb_versement_mobilite"] == 6
    assert rap["nb_taux_nul"] == 1 and rap["nb_sans_taux_en_vigueur"] == 1
    assert rap["date_debut_max_fichier"] == "2030-01-01"
    assert "divergents" in caplog.text and "illisibles" in caplog.text


def test_versement_mobilite_autre_date() -> None:
    brut = of.lire_versement_mobilite_brut(FIXTURES / "taux_versement_mobilite_fixture.json")
    t = of.preparer_versement_mobilite(brut, dt.date(2025, 6, 1)).set_index("code_commune")
    assert t.loc["28004", "taux_versement_mobilite_aom"] == pytest.approx(1.5)
    t = of.preparer_versement_mobilite(brut, "2012-01-01").set_index("code_commune")
    assert np.isnan(t.loc["10013", "taux_versement_mobilite"])
    assert not t.loc["10013", "versement_mobilite"]


def test_versement_mobilite_erreurs() -> None:
    brut = of.deplier_taux_versement_mobilite({"10013": {"aot": {"nom": "X", "taux": {"2018-01-01": "1"}}}})
    with pytest.raises(ValueError, match="Date de référence invalide"):
        of.preparer_versement_mobilite(brut, "pas une date")
    with pytest.raises(ValueError, match="objet"):
        of.deplier_taux_versement_mobilite([1, 2])  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Données réelles (facultatif)
# --------------------------------------------------------------------------
@pytest.mark.donnees_sources
def test_donnees_reelles_openfisca() -> None:
    racine = os.environ.get("TERRITOIRE_SOURCES_EXTRAITES")
    if not racine:
        pytest.skip("TERRITOIRE_SOURCES_EXTRAITES non défini")
    assets = (Path(racine) / "openfisca_france-176.1.8-py3-none-any" / "openfisca_france" / "assets")
    if not assets.is_dir():
        pytest.skip(f"{assets} absent")
    z = of.lire_zonage_abc(assets / "zonage-communes" / "zonage-abc-juillet-2024.csv")
    assert len(z) == 34935
    assert of.rapport(z)["communes_par_classe"] == {"C": 28623, "B2": 3156, "B1": 2216,
                                                    "A": 816, "A bis": 124}
    longue = of.valeurs_locatives(
        {a: assets / "taxe_habitation" / f"parametres_th_{a}.csv" for a in range(2017, 2023)}
    )
    par_annee = of.rapport(longue)["par_annee"]
    assert par_annee[2020]["lignes_ecrites"] == 34969
    assert par_annee[2020]["codes_non_reconstruits"] == []
    assert par_annee[2020]["mediane_vl_moyenne"] == 2521.0
    vm = of.lire_versement_mobilite(assets / "versement_transport" / "taux.json")
    assert len(vm) == 10552
    assert of.rapport(vm)["nb_versement_mobilite"] == 10166
