"""Tests de la composition des EPCI au 1er janvier 2020 (fichier DGCL epcicom2020.xlsx)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from territoire_lib.construction import epci2020 as ep

ENTETE = ["dept", "siren", "raison_sociale", "nature_juridique", "mode_financ", "nb_membres",
          "total_pop_tot", "total_pop_mun", "dep_com", "insee", "siren_membre", "nom_membre",
          "ptot_2020", "pmun_2020"]

# Petit extrait au schéma DGCL. Volontairement : un code commune et des SIREN saisis
# comme NOMBRES (zéro initial perdu par Excel), un EPCI dont nb_membres est faux,
# une commune dans deux EPCI, un code illisible, un code incohérent avec dep_com.
LIGNES = [
    ["01", 200029999, "CC Test Ain", "CC", "FPU", 2, 110, 100, "01", 1001, 210100012, "Commune 1", 60, 55],
    ["01", 200029999, "CC Test Ain", "CC", "FPU", 2, 110, 100, "01", "01004", 210100046, "Commune 4", 50, 45],
    ["69", 200046977, "Métropole de Lyon", "MET69", "FPU", 1, 520, 500, "69", "69123", 216901231, "Lyon", 520, 500],
    ["2A", "242010056", "CA du Pays Ajaccien", "CA", "FPU", 3, 70, 68, "2A", "2A004", 212000046, "Ajaccio", 70, 68],
    ["971", "200018653", "CA Cap Excellence", "CA", "FPU", 1, 50, 49, "971", "97101", 219711017, "Les Abymes", 50, 49],
    ["971", "249710047", "CC Test Guadeloupe", "CC", "FA", 2, 80, 79, "971", "97101", 219711017, "Les Abymes", 50, 49],
    ["971", "249710047", "CC Test Guadeloupe", "CC", "FA", 2, 80, 79, "971", "ABC", 219711999, "Illisible", 30, 30],
    ["02", "200071983", "CC Test Aisne", "CC", "FA", 1, 10, 9, "02", "03001", 210300017, "Incohérente", 10, 9],
]


@pytest.fixture
def classeur(tmp_path: Path) -> Path:
    """Écrit l'extrait dans un vrai classeur xlsx (cellules numériques comprises)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Epcicom2020"
    ws.append(ENTETE)
    for ligne in LIGNES:
        ws.append(ligne)
    chemin = tmp_path / "epcicom2020_fixture.xlsx"
    wb.save(chemin)
    return chemin


def test_lire_epci_2020_fixture(classeur: Path, caplog: pytest.LogCaptureFixture) -> None:
    # la cellule insee de la première ligne est bien numérique dans le classeur
    ws = openpyxl.load_workbook(classeur).active
    assert ws["J2"].data_type == "n" and ws["J2"].value == 1001

    with caplog.at_level(logging.WARNING, logger=ep.__name__):
        epci, membres = ep.lire_epci_2020(classeur)

    assert list(epci.columns) == ["siren_epci", "nom_epci", "nature_juridique", "mode_financement",
                                  "departement", "nb_communes", "population_municipale",
                                  "population_totale"]
    assert list(membres.columns) == ["code_commune", "siren_epci_2020", "siren_commune",
                                     "nom_commune", "population_municipale", "population_totale"]
    assert epci["nb_communes"].dtype == "Int64" and membres["population_municipale"].dtype == "Int64"
    assert membres["code_commune"].dtype == "str"

    # 1001 (nombre) -> "01001" ; 2A004 et 97101 intacts ; ABC écarté ; 97101 gardé une fois
    assert membres["code_commune"].tolist() == ["01001", "01004", "69123", "2A004", "97101", "03001"]
    assert membres.set_index("code_commune").loc["01001", "siren_epci_2020"] == "200029999"
    assert membres.set_index("code_commune").loc["97101", "siren_epci_2020"] == "200018653"
    assert epci["siren_epci"].str.fullmatch(r"\d{9}").all()
    assert len(epci) == 6
    i = epci.set_index("siren_epci")
    assert i.loc["200046977", "nature_juridique"] == "MET69"
    assert i.loc["200029999", "population_municipale"] == 100

    rap = epci.attrs["rapport"]
    assert rap is membres.attrs["rapport"]
    assert rap["lignes_lues"] == 8 and rap["nb_membres_ecrits"] == 6
    assert rap["codes_completes"] == {"1001": "01001"}
    assert rap["codes_non_reconstruits"] == ["ABC"]
    assert rap["lignes_ecartees"] == [{"siren": "249710047", "insee": "ABC"}]
    assert rap["doublons_code_commune"] == ["97101"]
    assert rap["codes_incoherents_avec_departement"] == ["03001"]
    # CA du Pays Ajaccien annonce 3 membres pour 1 ligne ; la CC Guadeloupe perd ses lignes
    assert rap["epci_nb_communes_different_du_nombre_de_lignes"] == ["242010056", "249710047"]
    assert rap["epci_par_nature_juridique"] == {"CC": 3, "CA": 2, "MET69": 1}
    assert "complétés" in caplog.text and "plusieurs EPCI" in caplog.text


def test_preparer_epci_2020_colonne_absente() -> None:
    with pytest.raises(KeyError, match="insee"):
        ep.preparer_epci_2020(pd.DataFrame({"dept": ["01"], "siren": ["200029999"]}))


def test_normaliser_siren() -> None:
    s = pd.Series(["200029999", 200046977, 21010304.0, "21010304.0", "12345678901", None])
    assert ep.normaliser_siren(s).tolist()[:4] == ["200029999", "200046977", "021010304", "021010304"]
    assert ep.normaliser_siren(s).iloc[4:].isna().all()


@pytest.mark.donnees_sources
def test_donnees_reelles_epci2020() -> None:
    racine = os.environ.get("TERRITOIRE_SOURCES_EXTRAITES")
    if not racine:
        pytest.skip("TERRITOIRE_SOURCES_EXTRAITES non défini")
    chemin = (Path(racine) / "openfisca_france_local-6.17.11-py3-none-any"
              / "openfisca_france_local" / "epcicom2020.xlsx")
    if not chemin.is_file():
        pytest.skip(f"{chemin} absent")
    epci, membres = ep.lire_epci_2020(chemin)
    rap = epci.attrs["rapport"]
    assert len(epci) == 1255 and len(membres) == 34964
    assert rap["epci_par_nature_juridique"] == {"CC": 997, "CA": 222, "METRO": 21, "CU": 14, "MET69": 1}
    # preuve du format des codes : aucun complété, tous cohérents avec le département
    assert rap["codes_completes"] == {} and rap["codes_incoherents_avec_departement"] == []
    assert membres["code_commune"].str.fullmatch(r"\d{5}|2[AB]\d{3}").all()
    assert rap["epci_nb_communes_different_du_nombre_de_lignes"] == []
    assert int(epci["population_municipale"].sum()) == int(membres["population_municipale"].sum())
