"""Tests de territoire_lib.construction.mediation (fixtures fictives, sans réseau)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from territoire_lib.construction import lycees as L
from territoire_lib.construction import mediation as M

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture()
def lieux() -> pd.DataFrame:
    return M.lire_lieux_mediation(FIXTURES / "mediation" / "source_fixture.json")


@pytest.fixture()
def codes_postaux() -> pd.DataFrame:
    return L.lire_codes_postaux(FIXTURES / "lycees" / "codes_postaux_fixture.json")


@pytest.fixture()
def deleguees() -> pd.DataFrame:
    return L.lire_communes_deleguees(FIXTURES / "lycees" / "communes_deleguees_fixture.json")


@pytest.fixture()
def mairies() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code_commune": ["74010", "01004", "01007", "42218", "15999", "75056"],
            "lon": [6.1294, 5.3600, 5.3600, 4.3872, np.nan, 2.3522],
            "lat": [45.8992, 45.9580, 46.0058, 45.4340, np.nan, 48.8566],
            "departement": ["74", "01", "01", "42", "15", "75"],
        }
    )


@pytest.fixture()
def rattaches(lieux, codes_postaux, deleguees, mairies):
    return M.rattacher_lieux_mediation(lieux, codes_postaux, deleguees, mairies)


def _val(df: pd.DataFrame, id_: str, col: str):
    return df.loc[df["id"] == id_, col].iloc[0]


# --------------------------------------------------------------------------
# Lecture
# --------------------------------------------------------------------------
def test_lire_lieux_mediation(lieux):
    assert len(lieux) == 4
    assert lieux["id"].tolist() == ["0", "4", "5", "6"]
    assert _val(lieux, "4", "nom") == "Centre Social & Culturel Fictif"
    assert lieux["lon"].dtype == "float64" and lieux["lat"].dtype == "float64"
    assert str(lieux["date_maj"].dtype).startswith("datetime64")
    assert lieux["nb_services"].tolist() == [2, 1, 1, 1]
    # Gratuit : oui / non (adhésion) / inconnu (conditions absentes).
    assert lieux["gratuit"].dtype == "boolean"
    assert lieux["gratuit"].tolist()[:2] == [True, False]
    assert lieux["gratuit"].isna().tolist() == [False, False, True, True]
    assert lieux["horaires_renseignes"].tolist() == [True, False, True, False]
    # Heures par semaine lues à la construction : NaN si non renseigné ou illisible, jamais 0.
    assert lieux["heures_hebdo"].dtype == "float64"
    assert lieux["heures_hebdo"].fillna(-1).tolist() == [12.0, -1, 3.0, -1]
    assert lieux.attrs["horaires_illisibles"] == 0
    # Champs absents → NaN, jamais la chaîne « nan » / « None ».
    assert pd.isna(_val(lieux, "4", "publics_accueillis"))
    assert not lieux.astype("str").isin(["nan", "None"]).any().any()


def test_lire_lieux_mediation_refuse_les_fichiers_fictifs(tmp_path):
    faux = tmp_path / "lieux-inclusion-numerique.fake.json"
    shutil.copy(FIXTURES / "mediation" / "source_fixture.json", faux)
    with pytest.raises(ValueError, match="source.json"):
        M.lire_lieux_mediation(faux)
    incomplet = tmp_path / "source.json"
    incomplet.write_text(json.dumps([{"id": "1", "nom": "X"}]), encoding="utf-8")
    with pytest.raises(KeyError, match="champs manquants"):
        M.lire_lieux_mediation(incomplet)


# --------------------------------------------------------------------------
# Rattachement
# --------------------------------------------------------------------------
def test_rattacher_sans_mairies(lieux, codes_postaux, deleguees):
    df, rapport = M.rattacher_lieux_mediation(lieux, codes_postaux, deleguees)
    assert df["code_commune"].tolist()[:3] == ["74010", "74010", "74010"]
    assert _val(df, "4", "rattachement") == "commune_deleguee_dans_departement"
    assert pd.isna(_val(df, "6", "code_commune"))  # nom inconnu, code postal partagé
    assert rapport["nb_non_rattaches"] == 1
    assert "coordonnees_douteuses" not in df.columns


def test_rattacher_avec_mairies(rattaches):
    df, rapport = rattaches
    assert _val(df, "6", "code_commune") == "01004"
    assert _val(df, "6", "rattachement") == "code_postal_et_mairie_la_plus_proche"
    assert df["coordonnees_douteuses"].dtype == "boolean"
    assert df["coordonnees_douteuses"].tolist() == [False, False, True, False]
    assert rapport["nb_rattaches"] == 4
    assert rapport["nb_lieux_loin_de_leur_mairie"] == 1
    assert rapport["lieux_loin_de_leur_mairie"][0][:2] == ("5", "74010")


# --------------------------------------------------------------------------
# Indicateurs
# --------------------------------------------------------------------------
def test_indicateurs_mediation(rattaches, mairies, caplog):
    df, _ = rattaches
    hors = pd.DataFrame({"id": ["99", "98"], "code_commune": ["75056", np.nan],
                         "lon": [2.35, np.nan], "lat": [48.85, np.nan]})
    lieux = pd.concat([df, hors], ignore_index=True)
    ind, rapport = M.indicateurs_mediation(lieux, mairies)
    ind = ind.set_index("code_commune")
    assert ind["nb_lieux_mediation"].dtype == "Int64"
    assert ind["nb_lieux_mediation"].tolist()[:5] == [3, 1, 0, 0, 0]
    assert pd.isna(ind.loc["75056", "nb_lieux_mediation"])  # hors région : NA, pas 0
    assert ind.loc["75056", "mediation_couverture"] == M.COUVERTURE_HORS_ARA
    assert ind.loc["74010", "mediation_couverture"] == M.COUVERTURE_ARA
    d = ind["distance_lieu_mediation_km"]
    assert d["74010"] == pytest.approx(0.0, abs=0.01)
    assert d["01007"] == pytest.approx(5.32, abs=0.1)
    # Le lieu aux coordonnées douteuses (à ~14 km de Saint-Étienne) est ignoré :
    # le plus proche est alors à Ambérieu, à plus de 90 km.
    assert d["42218"] > 90
    assert np.isnan(d["15999"]) and np.isnan(d["75056"])
    assert rapport["lieux_hors_ara"] == ["99"]
    assert rapport["lieux_sans_code_commune"] == ["98"]
    assert rapport["lieux_sans_coordonnees"] == ["98"]
    assert rapport["lieux_coordonnees_douteuses"] == ["5"]
    assert rapport["nb_communes_ara"] == 5
    assert rapport["exemples_mairies_ara_sans_coordonnees"] == ["15999"]
    assert rapport["lieux_par_departement"] == {"01": 1, "74": 3, "75": 1, "inconnu": 1}
    assert "anomalies" in caplog.text


@pytest.mark.parametrize("colonne", ["code_region", "departement", None])
def test_indicateurs_mediation_perimetre(rattaches, mairies, colonne):
    df, _ = rattaches
    m = mairies.drop(columns="departement")
    if colonne == "code_region":
        m["code_region"] = ["84", "84", "84", "84", "84", "11"]
    elif colonne == "departement":
        m["departement"] = mairies["departement"]
    ind, _ = M.indicateurs_mediation(df, m)
    assert ind["nb_lieux_mediation"].isna().tolist() == [False] * 5 + [True]


def test_indicateurs_mediation_colonnes_manquantes(lieux, mairies):
    with pytest.raises(KeyError, match="rattacher_lieux_mediation"):
        M.indicateurs_mediation(lieux, mairies)


# --------------------------------------------------------------------------
# Table publiable
# --------------------------------------------------------------------------
def test_lieux_mediation_publics_sans_donnees_personnelles(rattaches):
    df, _ = rattaches
    pub = M.lieux_mediation_publics(df)
    assert list(pub.columns) == list(M.COLONNES_PUBLIQUES)
    assert not set(M.COLONNES_PERSONNELLES) & set(pub.columns)
    texte = pub.astype("str").to_string()
    for indice in ("exemple.invalid", "+336", "NOMFICTIF", "place Fictive"):
        assert indice not in texte
    assert pub["gratuit"].dtype == "boolean"
    assert pub["coordonnees_douteuses"].tolist() == [False, False, True, False]
    assert pub["id"].tolist() == ["0", "4", "5", "6"]


def test_lieux_mediation_publics_depuis_lecture_brute(lieux):
    pub = M.lieux_mediation_publics(lieux)
    assert pub["code_commune"].isna().all()
    assert pub["coordonnees_douteuses"].isna().all()


# --------------------------------------------------------------------------
# Données réelles (facultatif)
# --------------------------------------------------------------------------
@pytest.mark.donnees_sources
def test_donnees_reelles_mediation():
    racine = os.environ.get("TERRITOIRE_SOURCES_EXTRAITES")
    if not racine:
        pytest.skip("TERRITOIRE_SOURCES_EXTRAITES non défini")
    racine = Path(racine)
    chemin = racine / "gouvfr-anct-cartographie-nationale-5.22.0/package/assets/data/source.json"
    chemin_cp = racine / "codes-postaux-4.1.2/package/codes-postaux.json"
    if not chemin.exists() or not chemin_cp.exists():
        pytest.skip("sources médiation / codes postaux absentes")
    lieux = M.lire_lieux_mediation(chemin)
    assert len(lieux) == 687
    assert lieux["lon"].notna().all()
    assert int(lieux["horaires_renseignes"].sum()) == 617
    assert int(lieux["heures_hebdo"].notna().sum()) + lieux.attrs["horaires_illisibles"] == 617
    df, rapport = M.rattacher_lieux_mediation(lieux, L.lire_codes_postaux(chemin_cp))
    assert rapport["nb_rattaches"] >= 680
    assert df["code_commune"].dropna().str[:2].isin(M.DEPARTEMENTS_ARA).all()
    pub = M.lieux_mediation_publics(df)
    courriel = r"[\w.+-]+@[\w-]+\.[a-z]{2,}"
    assert not pub.astype("str").apply(lambda s: s.str.contains(courriel)).any().any()
    assert lieux["courriel"].str.contains(courriel).sum() > 500  # bien présents à la source
