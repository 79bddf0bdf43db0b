"""Emplacements des données, calculés depuis le paquet (jamais en absolu).

Le dossier des données construites est ``donnees/`` à la racine du dépôt ;
la variable d'environnement ``TERRITOIRE_DONNEES`` permet d'en désigner un
autre. Le cache des paquets sources (téléchargés pour reconstruire) est hors
du dépôt ; ``TERRITOIRE_CACHE`` le déplace.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "RACINE_PAQUET",
    "RACINE_DEPOT",
    "dossier_donnees",
    "dossier_cache",
    "COMMANDE_RECONSTRUIRE",
]

RACINE_PAQUET: Path = Path(__file__).resolve().parent
RACINE_DEPOT: Path = RACINE_PAQUET.parent

#: Commande à indiquer à l'utilisateur quand un fichier manque ou est altéré.
COMMANDE_RECONSTRUIRE = "python -m territoire_lib.construction construire"


def dossier_donnees() -> Path:
    """Dossier des données construites (``donnees/`` ou ``$TERRITOIRE_DONNEES``).

    Renvoie
    -------
    Path
        Chemin absolu du dossier, qu'il existe ou non.
    """
    env = os.environ.get("TERRITOIRE_DONNEES")
    return Path(env).expanduser().resolve() if env else RACINE_DEPOT / "donnees"


def dossier_cache() -> Path:
    """Cache des paquets sources téléchargés (hors du dépôt).

    ``$TERRITOIRE_CACHE`` s'il est défini, sinon ``$XDG_CACHE_HOME`` ou
    ``~/.cache``, sous-dossier ``territoires-en-transition``.
    """
    env = os.environ.get("TERRITOIRE_CACHE")
    if env:
        return Path(env).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "territoires-en-transition"
