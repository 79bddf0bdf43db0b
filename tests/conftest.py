"""Configuration commune des tests."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent


@pytest.fixture
def donnees_copiees(tmp_path, monkeypatch):
    """Copie de donnees/ dans un dossier temporaire, désignée par TERRITOIRE_DONNEES."""
    from territoire_lib import chargement, geographie

    cible = tmp_path / "donnees"
    shutil.copytree(RACINE / "donnees", cible)
    monkeypatch.setenv("TERRITOIRE_DONNEES", str(cible))
    chargement.vider_cache()
    geographie.passage_cog.cache_clear()
    yield cible
    chargement.vider_cache()
    geographie.passage_cog.cache_clear()


def pytest_collection_modifyitems(config, items):
    """Les tests marqués ``donnees_sources`` exigent TERRITOIRE_SOURCES_EXTRAITES."""
    if os.environ.get("TERRITOIRE_SOURCES_EXTRAITES"):
        return
    saut = pytest.mark.skip(reason="TERRITOIRE_SOURCES_EXTRAITES non défini")
    for item in items:
        if "donnees_sources" in item.keywords:
            item.add_marker(saut)
