"""Vérification de ``donnees/`` contre son manifeste."""
from __future__ import annotations

import json
from pathlib import Path

from .sources import sha256_fichier

__all__ = ["verifier"]


def verifier(dossier: Path) -> list[str]:
    """Liste (en français) des fichiers absents ou altérés ; vide si tout est conforme."""
    chemin = Path(dossier) / "manifest.json"
    if not chemin.exists():
        return [f"Manifeste absent : {chemin}"]
    with open(chemin, encoding="utf-8") as f:
        manif = json.load(f)
    problemes = []
    for relatif, info in manif["fichiers"].items():
        fichier = Path(dossier) / relatif
        if not fichier.exists():
            problemes.append(f"absent : {relatif}")
        elif sha256_fichier(fichier) != info["sha256"]:
            problemes.append(f"altéré (empreinte différente) : {relatif}")
    return problemes
