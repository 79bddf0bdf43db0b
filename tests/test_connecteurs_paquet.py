"""Le paquet hors ligne emporte le cache des sources en ligne ; la salle sans réseau le restaure.

Chaîne testée sans réseau : sources « téléchargées » (fixtures importées) →
``outils/paquet_hors_ligne.py`` (essai à blanc : sans roues) → restauration
dans un cache vide avec ``TERRITOIRE_HORS_LIGNE=1`` → les sections en ligne
calculent et disent quel millésime elles servent.
"""
from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest

from territoire_lib import connecteurs
from territoire_lib.connecteurs import cache, commun

RACINE = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "connecteurs"
SOURCES = {"insee_filosofi_2021": "fixture_base-cc-filosofi-2021-geo2025_csv.zip",
           "anct_france_services": "fixture_liste-france-services.csv"}


@pytest.fixture
def poste_connecte(tmp_path, monkeypatch):
    """Cache web d'un poste connecté : deux sources importées (empreintes au registre) et analysées."""
    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "poste"))
    for sid, nom in SOURCES.items():
        commun.importer(sid, FIXTURES / nom)
        connecteurs.analyser(sid)
    return commun.dossier_web()


@pytest.fixture
def paquet(poste_connecte, tmp_path):
    sys.path.insert(0, str(RACINE / "outils"))
    import paquet_hors_ligne as phl

    archive = phl.construire(tmp_path / "sortie", essai_a_blanc=True, cache=poste_connecte)
    dossier = tmp_path / "salle"
    with zipfile.ZipFile(archive) as z:
        z.extractall(dossier)
    return next(dossier.iterdir())


def test_le_paquet_emporte_le_cache_verifie(paquet):
    assert sorted(p.name for p in (paquet / "cache" / "web" / "brut").iterdir()) == [
        "anct_france_services.csv", "insee_filosofi_2021.zip"]
    manifeste = json.loads((paquet / "manifeste.json").read_text(encoding="utf-8"))
    assert {s["source"] for s in manifeste["cache_web"]} == set(SOURCES)
    assert all(len(s["sha256"]) == 64 and s["telecharge_le"] for s in manifeste["cache_web"])
    lisezmoi = (paquet / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert "Filosofi 2021" in lisezmoi and "France services" in lisezmoi
    assert "connecteurs restaurer" in (paquet / "installer.sh").read_text(encoding="utf-8")
    assert b"connecteurs restaurer" in (paquet / "installer.bat").read_bytes()


def test_la_salle_sans_reseau_restaure_et_calcule(paquet, tmp_path, monkeypatch, capsys):
    from territoire_lib.connecteurs.__main__ import main

    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "poste_de_la_salle"))
    monkeypatch.setenv("TERRITOIRE_HORS_LIGNE", "1")
    assert not connecteurs.disponible("insee_filosofi_2021")
    assert main(["restaurer", str(paquet / "cache" / "web")]) == 0
    assert "2 source(s) en ligne disponibles hors ligne" in capsys.readouterr().out
    df = connecteurs.indicateurs_en_ligne(["taux_pauvrete", "nb_france_services"], niveau="departement",
                                          codes=["75"])
    assert df is not None and df.loc["75", "taux_pauvrete"] == pytest.approx(15.0)
    lignes = capsys.readouterr().out.strip().splitlines()
    assert len(lignes) == 2 and all(l.startswith("Données en ligne utilisées") for l in lignes)
    assert any("Filosofi 2021" in l and "sha256" in l for l in lignes)
    assert main(["restaurer", str(paquet / "cache" / "web")]) == 0  # relancer ne recopie rien et réussit


def test_un_fichier_altere_dans_le_paquet_n_est_jamais_restaure(paquet, tmp_path, monkeypatch):
    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "autre_poste"))
    brut = paquet / "cache" / "web" / "brut" / "anct_france_services.csv"
    brut.write_bytes(brut.read_bytes() + b"\n")
    with pytest.raises(commun.EmpreinteWebInattendue):
        cache.restaurer_cache(paquet / "cache" / "web")
    assert not connecteurs.disponible("anct_france_services")
    assert not connecteurs.disponible("insee_filosofi_2021")  # rien de copié avant la vérification complète


def test_sans_cache_web_le_paquet_le_dit(tmp_path, monkeypatch, capsys):
    sys.path.insert(0, str(RACINE / "outils"))
    import paquet_hors_ligne as phl

    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "vide"))
    archive = phl.construire(tmp_path / "sortie", essai_a_blanc=True)
    assert "Sources en ligne emportées : 0 (cache web vide" in capsys.readouterr().out
    with zipfile.ZipFile(archive) as z:
        assert not any("/cache/web/" in n for n in z.namelist())
        nom = next(n for n in z.namelist() if n.endswith("LISEZMOI.txt"))
        assert "telecharger tout" in z.read(nom).decode("utf-8")
