"""Les carnets sont livrés propres (sorties effacées sauf chiffres clés) et légers."""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE / "outils"))
from carnets import est_propre  # noqa: E402

CARNETS = sorted((RACINE / "notebooks").glob("*.ipynb"))


def test_il_y_a_des_carnets():
    assert CARNETS


@pytest.mark.parametrize("chemin", CARNETS, ids=lambda c: c.name)
def test_carnet_propre_et_leger(chemin):
    nb = nbformat.read(chemin, as_version=4)
    assert est_propre(nb) == []
    assert chemin.stat().st_size < 1_000_000


@pytest.mark.parametrize("chemin", CARNETS, ids=lambda c: c.name)
def test_carnet_sans_chemin_vers_donnees(chemin):
    """Les carnets passent par la bibliothèque, jamais par les fichiers de donnees/."""
    texte = chemin.read_text(encoding="utf-8")
    assert ".parquet" not in texte and "donnees/" not in texte
