"""Lecture des horaires au format OpenStreetMap (``opening_hours``), à la construction.

Les lieux de médiation numérique publient leurs horaires dans la syntaxe
OpenStreetMap (``Mo-Fr 09:00-12:00,14:00-17:00; We off``). La construction
les convertit une fois pour toutes en heures d'ouverture par semaine
(colonne ``heures_hebdo`` de ``indicateurs/lieux_mediation.parquet``) ; les
carnets et les modules de thème lisent ce nombre, jamais le texte.

Sous-ensemble lu : règles « jours plages » séparées par « ; » (jours ``Mo``
à ``Su``, listes et intervalles, plages ``HH:MM-HH:MM`` séparées par des
virgules, ``off``/``closed``) ; une règle postérieure remplace la précédente
pour les jours qu'elle cite (sémantique OSM), les plages qui se chevauchent
sont fusionnées. Toute autre syntaxe (jours fériés, mois, « 24/7 »…) donne
NaN, jamais 0, et est comptée comme illisible au journal de construction.

Référence : wiki OpenStreetMap, « Key:opening_hours/specification ».
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["heures_hebdo_osm"]

_JOURS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
_REGLE = re.compile(r"^\s*(?P<jours>(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:\s*[-,]\s*(?:Mo|Tu|We|Th|Fr|Sa|Su))*)\s+(?P<plages>.+?)\s*$")
_PLAGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def _jours(texte: str) -> list[int]:
    """Indices des jours (0 = lundi) d'une liste OSM ; un intervalle peut passer par dimanche."""
    res = []
    for morceau in texte.replace(" ", "").split(","):
        if "-" in morceau:
            a, b = (_JOURS.index(j) for j in morceau.split("-"))
            res += list(range(a, b + 1)) if a <= b else list(range(a, 7)) + list(range(0, b + 1))
        else:
            res.append(_JOURS.index(morceau))
    return res


def _plages(texte: str) -> list[tuple[int, int]] | None:
    """Intervalles (minutes) d'une liste de plages, None si une plage est illisible."""
    if texte in ("off", "closed"):
        return []
    intervalles = []
    for p in texte.replace(" ", "").split(","):
        h = _PLAGE.match(p)
        if not h:
            return None
        debut, fin = int(h[1]) * 60 + int(h[2]), int(h[3]) * 60 + int(h[4])
        if fin <= debut or fin > 24 * 60:
            return None
        intervalles.append((debut, fin))
    return intervalles


def _minutes_fusionnees(intervalles: list[tuple[int, int]]) -> int:
    """Durée couverte par des intervalles qui peuvent se chevaucher."""
    fusion: list[list[int]] = []
    for a, b in sorted(intervalles):
        if fusion and a <= fusion[-1][1]:
            fusion[-1][1] = max(fusion[-1][1], b)
        else:
            fusion.append([a, b])
    return sum(b - a for a, b in fusion)


def _heures_osm(texte) -> float:
    """Heures par semaine d'un texte OSM ; NaN si vide ou hors du sous-ensemble lu."""
    if texte is None or (isinstance(texte, float) and np.isnan(texte)) or not str(texte).strip():
        return np.nan
    semaine: dict[int, list[tuple[int, int]]] = {}
    for regle in str(texte).split(";"):
        if not regle.strip():
            continue
        m = _REGLE.match(regle)
        if not m:
            return np.nan
        intervalles = _plages(m["plages"].strip())
        if intervalles is None:
            return np.nan
        for j in _jours(m["jours"]):  # une règle postérieure remplace la précédente pour ses jours
            semaine[j] = intervalles
    return sum(_minutes_fusionnees(v) for v in semaine.values()) / 60


def heures_hebdo_osm(horaires: pd.Series) -> pd.Series:
    """Heures d'ouverture hebdomadaires d'horaires au format OpenStreetMap (``opening_hours``).

    Paramètres
    ----------
    horaires : pandas.Series
        Textes OSM (NaN ou None si non renseigné).

    Renvoie
    -------
    pandas.Series
        Heures par semaine (float64), même index ; NaN si non renseigné ou
        illisible ; ``attrs["illisibles"]`` : nombre d'horaires renseignés
        mais non lus.

    Exemples
    --------
    >>> s = pd.Series(["Mo-Fr 09:00-12:00,14:00-17:00; We off", "Tu,Th 10:00-12:00", "PH off", None])
    >>> heures_hebdo_osm(s).tolist()
    [24.0, 4.0, nan, nan]
    >>> heures_hebdo_osm(s).attrs["illisibles"]
    1
    """
    res = horaires.map(_heures_osm).astype("float64")
    res.attrs["illisibles"] = int((res.isna() & horaires.notna()).sum())
    return res
