"""Territoires en transition : données publiques pour explorer les transitions territoriales.

API publique (en français) :

>>> from territoire_lib import indicateurs, geometries, catalogue
>>> df = indicateurs(["part_65_ans_et_plus", "evolution_population_annuelle"], niveau="epci")
"""
from __future__ import annotations

__version__ = "0.1.0"

from .catalogue import catalogue, indicateur, ligne_source, niveaux, regroupements
from .chargement import completude, geometries, indicateurs, manifeste, territoires
from .lignee import expliquer
from .erreurs import ErreurTerritoire
from .geographie import chercher_territoire, code_courant
from .journal import installer as _installer_journal

_installer_journal()  # dans un carnet : les notes du journal en gris, pas en rouge

__all__ = [
    "__version__",
    "catalogue",
    "indicateur",
    "ligne_source",
    "niveaux",
    "regroupements",
    "indicateurs",
    "completude",
    "expliquer",
    "geometries",
    "territoires",
    "manifeste",
    "chercher_territoire",
    "code_courant",
    "ErreurTerritoire",
]
