"""France services (ANCT) : connecteur testé sur la vraie liste nationale au 1er août 2024.

La liste réelle est lue dans ``../shared/references/anct/`` (jamais copiée dans le
dépôt ; test sauté, avec un message, quand ``../shared`` est absent — il est
présent en CI). Les tests hors référence utilisent la fixture fictive au même
schéma (``tests/fixtures/connecteurs/fixture_liste-france-services.csv``).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import territoire_lib as tl
from territoire_lib import connecteurs
from territoire_lib.connecteurs import commun, france_services

RACINE = Path(__file__).resolve().parents[1]
LISTE_ANCT = RACINE / ".." / "shared" / "references" / "anct" / "liste-france-services-20240801.csv"
FIXTURE = Path(__file__).parent / "fixtures" / "connecteurs" / "fixture_liste-france-services.csv"


@pytest.fixture(scope="module")
def liste_reelle() -> Path:
    if not LISTE_ANCT.exists():
        pytest.skip("Liste nationale des France services absente (../shared/references/anct/) : "
                    "test sur le fichier réel sauté.")
    return LISTE_ANCT


@pytest.fixture
def cache_anct(tmp_path, monkeypatch, liste_reelle):
    """Cache web temporaire où la liste réelle a été importée (comme après un téléchargement)."""
    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "cache"))
    commun.importer("anct_france_services", liste_reelle)
    connecteurs.analyser("anct_france_services")
    return tmp_path / "cache"


def test_schema_declare_identique_au_fichier_reel(liste_reelle):
    entete = pd.read_csv(liste_reelle, nrows=0).columns.tolist()
    assert entete == list(commun.source_web("anct_france_services").schema)


def test_liste_reelle_par_commune(liste_reelle):
    t = france_services.analyser(liste_reelle).set_index("code_commune")
    r = t.attrs["rapport"]
    assert r["structures_lues"] == 2845
    assert r["structures_par_type"] == {"Principal": 2721, "Antenne": 124}
    assert r["codes_non_apparies"] == ["97801"] and r["lignes_non_appariees"] == 2  # Saint-Martin
    assert int(t["nb_france_services"].sum()) == 2845 - 2  # rien d'écarté en silence
    assert r["structures_sans_coordonnees"] == 0
    assert r[f"structures_a_plus_de_{int(france_services.ECART_COMMUNE_KM)}_km_de_leur_commune"] == []
    assert t.loc["01033", "nb_france_services"] >= 1  # Valserhône (ligne 1 de la liste)
    assert t.loc["01033", "distance_france_services_km"] < 2
    # arrondissements municipaux comptés dans leur commune
    assert r["codes_traduits"]["75118"] == "75056" and t.loc["75056", "nb_france_services"] >= 10
    d = t["distance_france_services_km"]
    assert d.notna().sum() == len(t) - r["communes_sans_distance"] and r["communes_sans_distance"] <= 10
    assert 3 < d.median() < 10 and d.max() < 150


def test_liste_reelle_par_epci_et_parts_de_population(cache_anct):
    ids = ["nb_france_services", "distance_france_services", "part_population_france_services_plus_10_km",
           "part_population_france_services_plus_20_km"]
    epci = tl.indicateurs(ids, niveau="epci")
    com = tl.indicateurs("nb_france_services").join(tl.chargement.table_communes().set_index("code_commune")["code_epci"])
    sans_epci = int(com.loc[com["code_epci"].isna(), "nb_france_services"].sum())
    assert sans_epci == 1  # Ouessant (29155), commune isolée hors EPCI
    assert int(epci["nb_france_services"].sum()) == 2843 - sans_epci
    assert (epci["nb_france_services"] >= 0).all()
    p10, p20 = epci["part_population_france_services_plus_10_km"], epci["part_population_france_services_plus_20_km"]
    assert ((p20 <= p10 + 1e-9) | p10.isna()).all()
    assert p10.notna().sum() > 1200
    reg = tl.indicateurs(ids, niveau="region")
    plus10 = reg["part_population_france_services_plus_10_km"]
    plus20 = reg["part_population_france_services_plus_20_km"]
    assert ((plus20 <= plus10) | plus10.isna()).all()
    idf = reg.loc["11"]
    assert idf["part_population_france_services_plus_20_km"] < 1
    assert np.isnan(reg.loc["06", "part_population_france_services_plus_10_km"])  # Mayotte : population inconnue, jamais 0
    assert 0 < idf["distance_france_services"] < 10
    assert com.loc["01033", "nb_france_services"] >= 1


def test_fixture_doublon_et_hors_cog():
    t = france_services.analyser(FIXTURE).set_index("code_commune")
    assert t.loc[["01001", "01053", "75056", "01002"], "nb_france_services"].tolist() == [1, 1, 1, 0]
    assert t.loc["01053", "nb_france_services_principaux"] == 0  # une antenne
    assert t.attrs["rapport"]["codes_non_apparies"] == ["97801"]
    assert t.loc["01001", "distance_france_services_km"] < 1


def test_point_de_reference_jamais_une_mairie_douteuse():
    p = commun.points_reference_communes().set_index("code_commune")
    statut = tl.chargement.table_communes().set_index("code_commune")["mairie_localisation_statut"]
    douteuses = statut.index[statut != "ok"]
    assert (p.loc[douteuses, "origine_point"] != "mairie").all()
    assert set(p["origine_point"]) <= {"mairie", "point_interieur_contour", "aucun"}
    assert p["lon"].notna().sum() >= len(p) - 10


def test_telechargement_desactive_tant_que_l_adresse_n_est_pas_verifiee(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "cache"))
    assert connecteurs.essayer("anct_france_services") is None
    ligne = capsys.readouterr().out.strip()
    assert "\n" not in ligne and "importer anct_france_services" in ligne and "data.gouv.fr" in ligne


def test_import_verifie_le_schema(tmp_path, monkeypatch):
    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "cache"))
    faux = tmp_path / "faux.csv"
    faux.write_text('"id_fs","insee_com","latitude","longitude"\n"1","01001",46.1,4.9\n', encoding="utf-8")
    with pytest.raises(commun.FichierWebNonConforme, match="anct_france_services.*colonnes attendues absentes"):
        commun.importer("anct_france_services", faux)
    assert not connecteurs.disponible("anct_france_services")  # rien à moitié chargé
    from territoire_lib.connecteurs.__main__ import main

    assert main(["importer", "anct_france_services", str(FIXTURE)]) == 0
    assert connecteurs.disponible("anct_france_services")
    assert commun.registre_empreintes()["anct_france_services"]["sha256"] == commun._sha256(FIXTURE)
    shutil.rmtree(tmp_path / "cache")
    assert np.isnan(np.nan)


def test_telecharger_tout_ne_compte_pas_l_import_manuel_comme_un_echec(tmp_path, monkeypatch, capsys):
    from territoire_lib.connecteurs import __main__ as cli

    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "cache"))
    appels = []
    monkeypatch.setattr(cli, "charger", lambda i, forcer=False: appels.append(i) or pd.DataFrame({"code_commune": ["01001"]}))
    assert cli.main(["telecharger", "tout"]) == 0
    assert "anct_france_services" not in appels and "insee_bpe_2023" in appels
    assert "importer anct_france_services" in capsys.readouterr().out
