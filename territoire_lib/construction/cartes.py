"""Géométries prêtes pour les cartes : « France entière » plane avec les DROM
en médaillons, couverture simplifiée, TopoJSON à arcs partagés.

Les couches GeoParquet construites (EPSG:4326, couverture valide) sont
transformées en fichiers TopoJSON légers que le moteur de cartes
(``territoire_lib/cartes.py``) charge par URL et dessine avec la projection
Vega-Lite ``{"type": "identity", "reflectY": true}`` : les coordonnées sont
**planes, en mètres** (pas de géométrie sphérique, donc aucun piège
d'orientation sphérique de d3).

Chaîne prévue pour le lanceur (une couche à la fois, ``niveau`` parmi
``commune``, ``epci``, ``departement``, ``region``) :

1. :func:`disposer_france_entiere` — métropole et Corse en Lambert-93
   (EPSG:2154) ; chaque DROM dans sa projection locale officielle, mis à
   l'échelle et déplacé dans son cadre (:data:`CADRES_DROM`) ;
2. :func:`simplifier` — ``shapely.coverage_simplify`` par groupe de
   territoires (les voisins gardent leur frontière commune), puis
   orientation des anneaux ;
3. :func:`vers_topojson` — couverture ramenée sans défaut sur la grille de
   quantification, puis paquet PyPI ``topojson`` (arcs partagés,
   quantification exacte), orientation vérifiée et corrigée après
   conversion ;
4. :func:`ecrire_topojson` — JSON compact ; :func:`cadres_vers_geojson` donne
   les cadres des médaillons (bordures et étiquettes).

:func:`construire_carte` enchaîne 1 à 3 avec les réglages de
:data:`TOLERANCES_M` et :data:`QUANTIFICATIONS`, et renvoie un rapport
(durées, sommets, arcs, territoires sans géométrie, anneaux réorientés).

Orientation (documentée et testée) : dans les coordonnées planes produites
(x vers l'est, y vers le nord), les anneaux **extérieurs sont antihoraires**
et les trous horaires, comme les couches GeoParquet sources (OGC, GeoJSON
RFC 7946). À l'écran, ``reflectY`` retourne l'axe y : les extérieurs y
apparaissent horaires, la convention de d3. Le remplissage plan (règle
« nonzero ») n'exige qu'une chose, respectée ici : trous de sens opposé à
leur extérieur.

Disposition (:data:`CADRES_DROM`) : cinq cadres carrés de 150 km de côté,
espacés de 15 km, empilés en colonne à l'ouest de la Bretagne et du golfe de
Gascogne (x de −80 000 à 70 000 m en Lambert-93), de haut en bas :
Guadeloupe, Martinique, Guyane, La Réunion, Mayotte ; le bas de la colonne
(y = 6 030 000 m) s'aligne sur le sud de la Corse. Le cadre le plus proche
de la métropole (Guadeloupe, face au Finistère) en est à 30 km.
Chaque DROM est mis à l'échelle uniformément pour tenir dans son cadre
(marges de 6 %, bandeau de 16 % en haut pour l'étiquette) : Guyane réduite
(× 0,285), Guadeloupe × 1,36, La Réunion × 1,87, Martinique × 1,98,
Mayotte × 2,52.
La transformation ne dépend que des constantes du module (emprise de
référence de chaque DROM), jamais des données : toutes les couches se
superposent exactement.

Constats sur les couches livrées (``bench/topologie.py``) : 8 communes sans
géométrie (absentes des TopoJSON, signalées) ; aucune entité hors des six
territoires ; l'arrondi simple des sommets sur la grille de 13,08 m crée des
défauts (30 entités pour les communes, 2 pour les autres niveaux), d'où une
reconstruction de la couverture sur la grille (surface d'une commune
modifiée de 3,8 % au plus ; différence symétrique médiane 0,35 % de la
surface, au plus 11 % pour une commune de 2,4 ha ; 23 communes
changent de nombre de parties : parcelles de 60 à 1 600 m² absorbées ou
effacées, goulets plus étroits qu'une maille pincés en deux parties) ;
58 ou 59 trous de la couverture source (≈ 930 km², voir ``geometrie``)
restent des trous ; le paquet ``topojson``
laisse à l'envers des anneaux d'un seul arc (communes : 12 extérieurs et
14 trous ; départements : 8 et 7), corrigés. Durées : communes ≈ 18 s
(dont 8 s d'arrondi, 6 s de ``topojson``), autres niveaux < 2 s.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from .outils import colonne_requise as _colonne_requise
from .outils import exemples as _exemples

__all__ = [
    "EPSG_METROPOLE",
    "CADRES_DROM",
    "EMPRISE_METROPOLE",
    "TOLERANCES_M",
    "QUANTIFICATIONS",
    "NOMS_DANS_TOPOJSON",
    "CarteConstruite",
    "territoire_des_entites",
    "disposer_france_entiere",
    "simplifier",
    "vers_topojson",
    "depuis_topojson",
    "ecrire_topojson",
    "cadres_vers_geojson",
    "construire_carte",
]

_log = logging.getLogger(__name__)

#: Projection de la métropole et de la Corse (RGF93 v1 / Lambert-93).
EPSG_METROPOLE = 2154

#: Emprise (lon min, lat min, lon max, lat max) de la métropole et de la Corse,
#: utilisée pour reconnaître par leur position les entités sans préfixe de
#: territoire (EPCI).
EMPRISE_METROPOLE = (-5.6, 41.2, 10.0, 51.2)

#: Médaillons des DROM, de haut en bas dans la colonne.
#:
#: - ``epsg`` : projection locale officielle ;
#: - ``emprise_lonlat`` : emprise de référence (lon min, lat min, lon max,
#:   lat max), un peu plus large que le territoire ; c'est elle (projetée) qui
#:   est ajustée au cadre, ce qui fixe l'échelle et la translation ;
#: - ``cadre`` : boîte (x min, y min, x max, y max) en mètres du plan
#:   Lambert-93 étendu.
CADRES_DROM: dict[str, dict] = {
    "971": {"nom": "Guadeloupe", "code_region": "01", "epsg": 5490,
            "emprise_lonlat": (-61.85, 15.80, -60.95, 16.55),
            "cadre": (-80_000, 6_690_000, 70_000, 6_840_000)},
    "972": {"nom": "Martinique", "code_region": "02", "epsg": 5490,
            "emprise_lonlat": (-61.25, 14.37, -60.78, 14.90),
            "cadre": (-80_000, 6_525_000, 70_000, 6_675_000)},
    "973": {"nom": "Guyane", "code_region": "03", "epsg": 2972,
            "emprise_lonlat": (-54.65, 2.08, -51.58, 5.78),
            "cadre": (-80_000, 6_360_000, 70_000, 6_510_000)},
    "974": {"nom": "La Réunion", "code_region": "04", "epsg": 2975,
            "emprise_lonlat": (55.19, -21.41, 55.86, -20.85),
            "cadre": (-80_000, 6_195_000, 70_000, 6_345_000)},
    "976": {"nom": "Mayotte", "code_region": "06", "epsg": 4471,
            "emprise_lonlat": (44.99, -13.03, 45.33, -12.61),
            "cadre": (-80_000, 6_030_000, 70_000, 6_180_000)},
}

# Marges intérieures des cadres (fraction du côté) : côtés et bas, haut
# (bandeau réservé à l'étiquette, écrite en haut à gauche).
_MARGE = 0.06
_MARGE_HAUT = 0.16

#: Tolérances de simplification (mètres du plan, donc mètres « affichés » dans
#: les médaillons). ``coverage_simplify`` retire un sommet quand le triangle
#: qu'il forme avec ses voisins fait moins de ``tolérance²`` : pour des
#: segments de 2 × tolérance, l'écart toléré est ≈ la tolérance. Mesures
#: (``bench/topologie.py``) : sur une carte de 800 px de large (France et
#: médaillons : ≈ 1 320 km, 1 px ≈ 1,65 km) et dans l'agrandissement
#: Île-de-France du moteur de cartes (≈ 0,85 km par px), 500 m reste sous le
#: demi-pixel pour les communes (sommets 1 074 266 → 491 856, 8,0 Mo ; 600 m :
#: 7,7 Mo ; 800 m : 7,4 Mo, petites communes de la petite couronne réduites à
#: des quadrilatères). Fichier communal livré (code en ``id``, sans nom) :
#: 6,65 Mo, dont 2,83 Mo d'objets (références d'arcs 1,47 Mo, enveloppe
#: ``type``/``arcs`` 0,94 Mo, ``id`` 0,42 Mo) et 3,81 Mo d'arcs (premier
#: point absolu de chacun des 104 292 arcs, 1,46 Mo ; différences 2,35 Mo) :
#: un plancher d'environ 4,3 Mo ne dépend ni de la tolérance ni de la
#: quantification (≈ 3 arcs par commune, le minimum d'une couverture dont
#: les jonctions sont des nœuds de degré 3). EPCI 800 m : 583 ko ;
#: départements 1 500 m : 89 ko ; régions 2 500 m : 30 ko.
TOLERANCES_M: dict[str, float] = {
    "commune": 500.0,
    "epci": 800.0,
    "departement": 1500.0,
    "region": 2500.0,
}

#: Quantification TopoJSON : nombre de pas de la grille sur la plus grande
#: dimension (1e5 → pas de 13,08 m pour ≈ 1 320 km). Une grille plus grossière
#: gagne peu et multiplie les défauts d'arrondi (``bench/topologie.py``,
#: communes : 2e4, pas de 65 m, −0,35 Mo soit −4 %, mais 113 entités
#: auto-sécantes ou chevauchantes au lieu de 30 et une surface communale
#: modifiée de 21,6 % au plus au lieu de 3,8 %).
#: Le nom de chaque entité est-il écrit dans le TopoJSON livré ? Pas pour les communes :
#: 35 000 noms pèsent 0,74 Mo sur 8 Mo, et le moteur de cartes les lit déjà dans le fichier
#: de valeurs servi à côté (colonnes ``code``, ``nom``, valeurs), joint par ``code``.
NOMS_DANS_TOPOJSON: dict[str, bool] = {
    "commune": False,
    "epci": True,
    "departement": True,
    "region": True,
}

QUANTIFICATIONS: dict[str, float] = {
    "commune": 1e5,
    "epci": 1e5,
    "departement": 1e5,
    "region": 1e5,
}

_REGIONS_DROM = {v["code_region"]: k for k, v in CADRES_DROM.items()}
_METROPOLE = "metropole"


# --------------------------------------------------------------------------
# Outils internes
# --------------------------------------------------------------------------
def _geoms(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return np.asarray(gdf.geometry.values, dtype=object)


def _avec_forme(geoms: np.ndarray) -> np.ndarray:
    """Masque des géométries présentes et non vides."""
    return ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))


def _transformation_drom(code: str) -> tuple[float, float, float]:
    """Échelle et translation (s, tx, ty) : local → cadre, ``x' = s·x + tx``."""
    d = CADRES_DROM[code]
    x0, y0, x1, y1 = d["emprise_lonlat"]
    vers_local = pyproj.Transformer.from_crs(4326, d["epsg"], always_xy=True)
    # Bord de l'emprise densifié : le rectangle lon/lat n'est pas droit en UTM.
    ex0, ey0, ex1, ey1 = vers_local.transform_bounds(x0, y0, x1, y1, densify_pts=50)
    bx0, by0, bx1, by1 = d["cadre"]
    cote = bx1 - bx0
    ux0, uy0 = bx0 + _MARGE * cote, by0 + _MARGE * cote
    ux1, uy1 = bx1 - _MARGE * cote, by1 - _MARGE_HAUT * cote
    s = min((ux1 - ux0) / (ex1 - ex0), (uy1 - uy0) / (ey1 - ey0))
    tx = (ux0 + ux1) / 2 - s * (ex0 + ex1) / 2
    ty = (uy0 + uy1) / 2 - s * (ey0 + ey1) / 2
    return s, tx, ty


def _nb_sommets(geoms: np.ndarray) -> int:
    return int(shapely.get_num_coordinates(geoms).sum())


# --------------------------------------------------------------------------
# 1. Disposition « France entière »
# --------------------------------------------------------------------------
def territoire_des_entites(gdf: gpd.GeoDataFrame, code_col: str) -> pd.Series:
    """Territoire de chaque entité : ``"metropole"`` ou code de DROM.

    Règle selon ``code_col`` : ``code_commune`` et ``code_departement`` →
    trois premiers caractères des codes commençant par « 97 » ;
    ``code_region`` → régions 01, 02, 03, 04, 06 ; toute autre colonne
    (``code_epci`` : un SIREN, sans préfixe de territoire) → position d'un
    point intérieur de la géométrie dans l'emprise d'un territoire.

    Paramètres
    ----------
    gdf : GeoDataFrame
        Couche avec la colonne ``code_col`` (et un CRS pour le repli par
        position).
    code_col : str
        Colonne des codes officiels (``str``).

    Renvoie
    -------
    Series
        ``string`` alignée sur ``gdf.index`` ; ``<NA>`` si le territoire est
        indéterminable (code d'outre-mer hors des cinq DROM, géométrie
        absente ou hors de toute emprise).

    Exemples
    --------
    >>> g = gpd.GeoDataFrame({"code_commune": ["01001", "2A004", "97411", "97501"]},
    ...                      geometry=[None] * 4, crs="EPSG:4326")
    >>> territoire_des_entites(g, "code_commune").tolist()
    ['metropole', 'metropole', '974', <NA>]
    >>> r = gpd.GeoDataFrame({"code_region": ["06", "94"]}, geometry=[None] * 2, crs=4326)
    >>> territoire_des_entites(r, "code_region").tolist()
    ['976', 'metropole']
    """
    _colonne_requise(gdf, code_col)
    codes = gdf[code_col].astype("string")
    if code_col in ("code_commune", "code_departement"):
        prefixe = codes.str[:3]
        res = prefixe.where(prefixe.isin(list(CADRES_DROM)), pd.NA)
        return res.mask(~codes.str.startswith("97").fillna(True), _METROPOLE).astype("string")
    if code_col == "code_region":
        return codes.map(lambda c: _REGIONS_DROM.get(c, _METROPOLE) if pd.notna(c) else pd.NA).astype("string")
    # Repli par position (EPCI).
    if gdf.crs is None:
        raise ValueError("La couche n'a pas de CRS : impossible de situer les entités (attendu EPSG:4326).")
    geo = gdf.geometry if gdf.crs.equals(pyproj.CRS(4326)) else gdf.geometry.to_crs(4326)
    geoms = np.asarray(geo.values, dtype=object)
    res = np.full(len(gdf), None, dtype=object)
    presentes = _avec_forme(geoms)
    pts = shapely.point_on_surface(geoms[presentes])
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    emprises = {_METROPOLE: EMPRISE_METROPOLE} | {k: v["emprise_lonlat"] for k, v in CADRES_DROM.items()}
    sous = np.full(len(pts), None, dtype=object)
    for nom, (x0, y0, x1, y1) in emprises.items():
        sous[(x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)] = nom
    res[presentes] = sous
    return pd.Series(res, index=gdf.index, dtype="string")


def disposer_france_entiere(
    gdf: gpd.GeoDataFrame, code_col: str
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Disposition plane « France entière » (mètres), DROM en médaillons.

    Métropole et Corse : Lambert-93 (EPSG:2154). Chaque DROM : projection
    locale officielle (971 et 972 : EPSG:5490, 973 : EPSG:2972, 974 :
    EPSG:2975, 976 : EPSG:4471), puis homothétie de rapport ``echelle`` et
    translation qui placent son emprise de référence dans son cadre
    (:data:`CADRES_DROM`). L'homothétie est uniforme : les rapports de
    surface entre entités d'un même territoire sont conservés.

    Paramètres
    ----------
    gdf : GeoDataFrame
        Couche (un CRS est requis, normalement EPSG:4326) avec ``code_col``.
        Les lignes sans géométrie sont gardées telles quelles.
    code_col : str
        ``code_commune``, ``code_departement``, ``code_region`` ou
        ``code_epci`` (voir :func:`territoire_des_entites`).

    Renvoie
    -------
    (GeoDataFrame, GeoDataFrame)
        1. Les mêmes lignes, dans le même ordre, avec une colonne
           ``territoire`` (``string`` : ``"metropole"``, ``"971"``…) et la
           géométrie dans le plan disposé (mètres, ``crs=None`` : ce n'est
           pas un système de référence). Lignes au territoire indéterminable :
           géométrie ``None``, comptées dans
           ``attrs["rapport_disposition"]`` et signalées par un avertissement.
        2. Les cadres : une ligne par DROM, colonnes ``code_territoire``
           (str), ``nom`` (str), ``echelle`` (float64, mètres affichés par
           mètre réel), ``x_texte``, ``y_texte`` (float64, coin haut gauche
           du cadre, pour l'étiquette), ``geometry`` (carré du cadre).

    Exemples
    --------
    >>> g = gpd.GeoDataFrame({"code_departement": ["29", "976"]}, crs=4326,
    ...     geometry=[shapely.box(-4.5, 48.0, -4.4, 48.1), shapely.box(45.1, -12.9, 45.2, -12.8)])
    >>> d, cadres = disposer_france_entiere(g, "code_departement")
    >>> d["territoire"].tolist()
    ['metropole', '976']
    >>> cadre = cadres.set_index("code_territoire").geometry["976"]
    >>> bool(cadre.contains(d.geometry[1]))
    True
    """
    if gdf.crs is None:
        raise ValueError("La couche n'a pas de CRS : attendu EPSG:4326 (longitude/latitude).")
    territoire = territoire_des_entites(gdf, code_col)
    geoms = _geoms(gdf)
    sortie = np.full(len(gdf), None, dtype=object)
    presentes = _avec_forme(geoms)
    indetermines = presentes & territoire.isna().to_numpy()
    masque = presentes & (territoire == _METROPOLE).fillna(False).to_numpy(dtype=bool)
    sortie[masque] = gpd.GeoSeries(geoms[masque], crs=gdf.crs).to_crs(EPSG_METROPOLE).values
    lignes_cadres = []
    for code, d in CADRES_DROM.items():
        s, tx, ty = _transformation_drom(code)
        masque = presentes & (territoire == code).fillna(False).to_numpy(dtype=bool)
        if masque.any():
            locales = np.asarray(gpd.GeoSeries(geoms[masque], crs=gdf.crs).to_crs(d["epsg"]).values, dtype=object)
            sortie[masque] = shapely.transform(locales, lambda c, s=s, tx=tx, ty=ty: c * s + (tx, ty))
        x0, y0, x1, y1 = d["cadre"]
        lignes_cadres.append({"code_territoire": code, "nom": d["nom"], "echelle": s,
                              "x_texte": float(x0), "y_texte": float(y1), "geometry": shapely.box(x0, y0, x1, y1)})
    res = gdf.copy()
    res["territoire"] = territoire
    res = res.set_geometry(gpd.GeoSeries(sortie, index=gdf.index)).set_crs(None, allow_override=True)
    codes_ind = gdf.loc[indetermines, code_col]
    if len(codes_ind):
        _log.warning(
            "%d entité(s) hors de la métropole et des cinq DROM, sans place sur la carte (géométrie retirée) : %s",
            len(codes_ind), ", ".join(_exemples(codes_ind)),
        )
    res.attrs["rapport_disposition"] = {
        "nb_entites": len(gdf),
        "nb_sans_geometrie": int((~presentes).sum()),
        "codes_sans_geometrie": [str(c) for c in gdf.loc[~presentes, code_col]],
        "nb_territoire_indetermine": int(len(codes_ind)),
        "codes_territoire_indetermine": [str(c) for c in codes_ind],
        "par_territoire": {str(k): int(v) for k, v in territoire[presentes].value_counts().items()},
    }
    cadres = gpd.GeoDataFrame(lignes_cadres, geometry="geometry", crs=None)
    cadres["code_territoire"] = cadres["code_territoire"].astype("string")
    cadres["nom"] = cadres["nom"].astype("string")
    return res, cadres


# --------------------------------------------------------------------------
# 2. Simplification de la couverture
# --------------------------------------------------------------------------
def simplifier(
    gdf: gpd.GeoDataFrame, tolerance_m: float, colonne_groupe: str = "territoire"
) -> gpd.GeoDataFrame:
    """Simplifie une couverture sans ouvrir de trou entre voisins.

    ``shapely.coverage_simplify`` (Visvalingam-Whyatt sur les arêtes
    partagées : chaque frontière commune est simplifiée une seule fois et
    reste commune aux deux voisins ; un sommet est retiré quand le triangle
    qu'il forme avec ses voisins a une aire ≤ ``tolerance_m²``), appliqué séparément à chaque groupe de
    ``colonne_groupe`` (métropole, chaque DROM : ils ne se touchent pas),
    puis ``shapely.orient_polygons`` : extérieurs antihoraires, trous
    horaires (dans le plan, y vers le nord).

    Paramètres
    ----------
    gdf : GeoDataFrame
        Couche plane en mètres (sortie de :func:`disposer_france_entiere`),
        formant une couverture valide dans chaque groupe.
    tolerance_m : float
        Tolérance en mètres du plan (voir :data:`TOLERANCES_M`) ; dans les
        médaillons, ce sont des mètres affichés (réels × échelle).
    colonne_groupe : str
        Colonne des groupes simplifiés séparément ; si elle est absente, la
        couche entière forme un seul groupe.

    Renvoie
    -------
    GeoDataFrame
        Mêmes lignes, même ordre ; les lignes sans géométrie restent ``None``.
        Chaque entité garde au moins son nombre de polygones (aucune ne
        disparaît).

    Exemples
    --------
    >>> a = shapely.Polygon([(0, 0), (50, 1), (100, 0), (100, 100), (0, 100)])
    >>> b = shapely.Polygon([(0, 0), (0, -100), (100, -100), (100, 0), (50, 1)])
    >>> s = simplifier(gpd.GeoDataFrame(geometry=[a, b]), 10.0)
    >>> bool(shapely.coverage_is_valid(s.geometry.values))
    True
    >>> [int(shapely.get_num_coordinates(g)) for g in s.geometry]  # (50, 1) retiré des deux
    [5, 5]
    """
    if not tolerance_m >= 0:
        raise ValueError(f"Tolérance invalide ({tolerance_m!r}) : attendu un nombre de mètres positif ou nul.")
    geoms = _geoms(gdf)
    sortie = geoms.copy()
    presentes = _avec_forme(geoms)
    if colonne_groupe in gdf.columns:
        groupes = gdf[colonne_groupe].astype("string").fillna("<NA>").to_numpy()
    else:
        groupes = np.full(len(gdf), "tout", dtype=object)
    for g in pd.unique(groupes[presentes]):
        masque = presentes & (groupes == g)
        simples = shapely.coverage_simplify(geoms[masque], tolerance_m)
        sortie[masque] = shapely.orient_polygons(simples, exterior_cw=False)
    return gdf.set_geometry(gpd.GeoSeries(sortie, index=gdf.index, crs=gdf.crs))


# --------------------------------------------------------------------------
# 3. TopoJSON
# --------------------------------------------------------------------------
def _arcs_absolus(topo: dict) -> list[np.ndarray]:
    """Arcs en coordonnées absolues (entiers quantifiés s'il y a ``transform``)."""
    if "transform" in topo:
        return [np.cumsum(np.asarray(a, dtype=np.int64).reshape(-1, 2), axis=0) for a in topo["arcs"]]
    return [np.asarray(a, dtype=np.float64).reshape(-1, 2) for a in topo["arcs"]]


def _anneau(arcs: list[np.ndarray], indices: list[int]) -> np.ndarray:
    morceaux = []
    for k, i in enumerate(indices):
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        morceaux.append(a if k == 0 else a[1:])
    return np.concatenate(morceaux) if morceaux else np.empty((0, 2))


def _aire_signee(c: np.ndarray) -> float:
    """Aire signée (lacet) : positive si l'anneau est antihoraire."""
    x, y = c[:, 0].astype(np.float64), c[:, 1].astype(np.float64)
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _polygones(geom: dict) -> list:
    if geom.get("type") == "Polygon":
        return [geom["arcs"]]
    if geom.get("type") == "MultiPolygon":
        return geom["arcs"]
    return []


def _reorienter(topo: dict, nom_objet: str) -> dict:
    """Retourne (par les indices d'arcs) les anneaux mal orientés ; compte les cas."""
    arcs = _arcs_absolus(topo)
    nb = {"exterieurs_retournes": 0, "trous_retournes": 0, "anneaux_degeneres": 0}
    for geom in topo["objects"][nom_objet]["geometries"]:
        for poly in _polygones(geom):
            for r, anneau in enumerate(poly):
                aire = _aire_signee(_anneau(arcs, anneau))
                if aire == 0:
                    nb["anneaux_degeneres"] += 1
                elif (aire > 0) != (r == 0):
                    poly[r] = [~i for i in reversed(anneau)]
                    nb["exterieurs_retournes" if r == 0 else "trous_retournes"] += 1
    return nb


def vers_topojson(
    gdf: gpd.GeoDataFrame,
    code_col: str,
    nom_col: str | None,
    quantification: float = 1e5,
    nom_objet: str | None = None,
) -> dict:
    """Convertit une couche plane en TopoJSON (arcs partagés, quantifiés).

    Étapes :

    1. grille carrée de pas ``étendue / (quantification − 1)`` (arrondi au
       centimètre supérieur), origine alignée sur le pas ;
    2. couverture ramenée sur la grille : arrondi de chaque sommet ; si cet
       arrondi crée un anneau auto-sécant ou un chevauchement entre voisins
       (deux arêtes distantes de moins d'un pas), la couverture entière est
       reconstruite par arrondi topologique (``union_all(contours,
       grid_size=pas)`` puis ``polygonize`` ; chaque face revient à l'entité
       qui contient son point intérieur ; les faces sans entité sont les trous
       de la source). Le résultat est une couverture valide **sur la grille** ;
    3. paquet PyPI ``topojson`` avec cette grille comme ``prequantize`` : la
       quantification est alors exacte (aucun sommet ne bouge), les arcs sont
       partagés et codés en différences entières ;
    4. chaque anneau est décodé et son orientation contrôlée (extérieurs
       antihoraires, trous horaires, dans le plan y vers le nord) : le paquet
       laisse les anneaux formés d'un seul arc fermé (îles, trous, enclaves)
       dans le sens de l'arc stocké, quel que soit ``winding_order`` ; un
       anneau à l'envers est retourné en inversant la liste de ses arcs
       (``~i`` dans l'ordre inverse), sans toucher aux arcs partagés.

    Un seul objet, ``nom_objet``, de ``Polygon`` (entité d'une seule partie)
    ou ``MultiPolygon`` ; chaque géométrie a pour ``id`` son code officiel
    (chaîne, tel que publié) et, si ``nom_col`` est donné, la propriété
    ``nom``. Les lignes sans géométrie sont absentes
    (avertissement avec leurs codes). Le TopoJSON reste standard ; les
    comptes (défauts d'arrondi, anneaux retournés) sont journalisés et
    figurent dans le rapport de :func:`construire_carte`.

    Paramètres
    ----------
    gdf : GeoDataFrame
        Couche plane (sortie de :func:`simplifier`), couverture valide.
    code_col : str
        Colonne du code officiel.
    nom_col : str ou None
        Colonne du nom ; ``None`` pour ne garder que l'``id`` (fichier plus
        léger : le moteur de cartes lit alors le nom dans le fichier de
        valeurs).
    quantification : float
        Nombre de pas de la grille sur la plus grande dimension (1e5 :
        ≈ 13 m sur la France entière avec ses médaillons).
    nom_objet : str, optionnel
        Nom de l'objet TopoJSON ; par défaut ``code_col`` sans ``code_``
        (``"commune"``…), nom attendu par ``territoire_lib.cartes``.

    Renvoie
    -------
    dict
        TopoJSON (``type``, ``objects``, ``arcs``, ``transform``, ``bbox``),
        arcs en entiers.

    Exemples
    --------
    >>> g = gpd.GeoDataFrame({"code_commune": ["2A004", "01001"], "nom_commune": ["A", "B"]},
    ...     geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)])
    >>> topo = vers_topojson(g, "code_commune", "nom_commune", quantification=1e3)
    >>> [o["id"] for o in topo["objects"]["commune"]["geometries"]]
    ['2A004', '01001']
    >>> topo["objects"]["commune"]["geometries"][0]["properties"]
    {'nom': 'A'}
    >>> len(topo["arcs"])  # la frontière commune n'est stockée qu'une fois
    3
    """
    return _vers_topojson(gdf, code_col, nom_col, quantification, nom_objet)[0]


def _grille(geoms: np.ndarray, quantification: float) -> tuple[float, float, float]:
    """Pas carré (au centimètre supérieur) et origine alignée sur le pas."""
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    etendue = max(x1 - x0, y1 - y0, 1.0)
    pas = float(np.ceil(etendue / (quantification - 1) * 100) / 100)
    return pas, float(np.floor(x0 / pas) * pas), float(np.floor(y0 / pas) * pas)


def _en_polygones_simples(geoms: np.ndarray) -> np.ndarray:
    """MultiPolygon d'une seule partie → Polygon (TopoJSON plus court)."""
    sortie = geoms.copy()
    une = shapely.get_num_geometries(geoms) == 1
    une &= shapely.get_type_id(geoms) == 6
    sortie[une] = shapely.get_geometry(geoms[une], 0)
    return sortie


def _attribuer_faces(faces: np.ndarray, parties: np.ndarray) -> np.ndarray:
    """Indice de la partie d'origine de chaque face (−1 : trou de la couverture).

    Une face revient à la partie qui contient son point intérieur ; si cette
    partie couvre moins de la moitié de la face (faces minces, de l'ordre du
    pas), ou si aucune ne contient le point, la face revient à la partie qui
    la recouvre le plus, pourvu qu'elle en couvre au moins le quart.
    """
    arbre = shapely.STRtree(parties)
    res = np.full(len(faces), -1, dtype=np.int64)
    i_f, i_p = arbre.query(shapely.point_on_surface(faces), predicate="within")
    i_f, premier = np.unique(i_f, return_index=True)
    res[i_f] = i_p[premier]
    aire = shapely.area(faces)
    part = np.zeros(len(faces))
    part[i_f] = shapely.area(shapely.intersection(faces[i_f], parties[res[i_f]])) / np.maximum(aire[i_f], 1e-9)
    douteuses = np.flatnonzero(part < 0.5)
    if len(douteuses):
        i_d, i_p = arbre.query(faces[douteuses], predicate="intersects")
        recouvre = shapely.area(shapely.intersection(faces[douteuses[i_d]], parties[i_p])) / np.maximum(
            aire[douteuses[i_d]], 1e-9)
        ordre = np.lexsort((-recouvre, i_d))
        i_d, i_p, recouvre = i_d[ordre], i_p[ordre], recouvre[ordre]
        i_d, premier = np.unique(i_d, return_index=True)
        res[douteuses] = -1
        garder = recouvre[premier] >= 0.25
        res[douteuses[i_d[garder]]] = i_p[premier][garder]
    return res


def _arrondir_couverture(geoms: np.ndarray, pas: float) -> tuple[np.ndarray, dict]:
    """Ramène une couverture sur la grille de quantification sans la casser.

    Arrondir chaque sommet au pas de la grille (ce que fait la quantification
    TopoJSON) garde les frontières communes identiques, mais deux arêtes très
    proches peuvent alors se croiser : anneau auto-sécant ou chevauchement
    entre voisins. Si l'arrondi simple produit un seul de ces défauts, la
    couverture est reconstruite par arrondi topologique (« snap rounding »
    de GEOS : ``union_all(..., grid_size=pas)`` des contours, puis
    ``polygonize``) et chaque face est rendue à l'entité d'origine
    (:func:`_attribuer_faces`). Les faces sans entité sont les trous de la
    couverture source ; une entité sans aucune face garde son arrondi simple (et reste
    signalée).
    """
    arrondies = shapely.set_precision(geoms, pas, mode="pointwise")
    defauts = ~shapely.is_valid(arrondies) | ~shapely.is_empty(shapely.coverage_invalid_edges(arrondies))
    rapport = {"pas_m": pas, "nb_defauts_arrondi_simple": int(defauts.sum()), "reconstruction": False}
    if not defauts.any():
        return arrondies, rapport
    parties, idx_entite = shapely.get_parts(geoms, return_index=True)
    contours = shapely.get_parts(shapely.union_all(shapely.boundary(parties), grid_size=pas))
    faces = shapely.get_parts(shapely.polygonize(contours))
    partie_face = _attribuer_faces(faces, parties)
    i_face = np.flatnonzero(partie_face >= 0)
    entite_face = idx_entite[partie_face[i_face]]
    ordre = np.argsort(entite_face, kind="stable")
    i_face, entite_face = i_face[ordre], entite_face[ordre]
    faces_attr = faces[i_face]
    sortie = arrondies.copy()
    avec_face = np.unique(entite_face)
    sortie[avec_face] = shapely.multipolygons(faces_attr, indices=np.searchsorted(avec_face, entite_face))
    # Faces jointives d'une même entité (cas rare) : fusion sur la grille.
    for i in avec_face[~shapely.is_valid(sortie[avec_face])]:
        sortie[i] = shapely.union_all(faces_attr[entite_face == i], grid_size=pas)
    sans_face = np.setdiff1d(np.arange(len(geoms)), avec_face)
    hors = np.flatnonzero(partie_face < 0)
    aire_avant, aire_apres = shapely.area(geoms), shapely.area(sortie)
    rapport |= {
        "reconstruction": True,
        "nb_faces": len(faces),
        "nb_faces_hors_entites": len(hors),
        "surface_faces_hors_entites_km2": round(float(shapely.area(faces[hors]).sum()) / 1e6, 3),
        "indices_sans_face": sans_face.tolist(),
        "ecart_surface_relatif_max": float(np.max(np.abs(aire_apres - aire_avant) / np.maximum(aire_avant, 1.0))),
        "nb_defauts_apres": int((~shapely.is_valid(sortie)).sum()),
    }
    return sortie, rapport


def _codes_verifies(codes: pd.Series, code_col: str) -> np.ndarray:
    """Codes des entités dessinées : chaînes, présents, uniques (sinon ValueError)."""
    valeurs = codes.to_numpy(dtype=object)
    manquants = pd.isna(valeurs)
    if manquants.any():
        raise ValueError(f"{int(manquants.sum())} entité(s) avec géométrie mais sans « {code_col} » : "
                         "chaque forme doit porter son code officiel.")
    pas_str = [v for v in valeurs if not isinstance(v, str)]
    if pas_str:
        raise ValueError(f"Les codes « {code_col} » doivent être des chaînes telles que publiées "
                         f"(« 01001 », « 2A004 »), pas {type(pas_str[0]).__name__} : p. ex. {pas_str[0]!r}.")
    doublons = pd.Series(valeurs)[pd.Series(valeurs).duplicated()].unique()
    if len(doublons):
        raise ValueError(f"Codes « {code_col} » en double (une forme par code attendue) : "
                         f"{', '.join(_exemples(doublons))}.")
    return valeurs


def _vers_topojson(gdf, code_col, nom_col, quantification, nom_objet) -> tuple[dict, dict]:
    import topojson

    _colonne_requise(gdf, code_col)
    if nom_col is not None:
        _colonne_requise(gdf, nom_col)
    if not quantification or quantification < 2:
        raise ValueError(f"Quantification invalide ({quantification!r}) : attendu un nombre de pas ≥ 2 (p. ex. 1e5).")
    nom_objet = nom_objet or code_col.removeprefix("code_")
    geoms = _geoms(gdf)
    presentes = _avec_forme(geoms)
    absents = gdf.loc[~presentes, code_col]
    if len(absents):
        _log.warning("%d entité(s) sans géométrie, absente(s) du TopoJSON : %s",
                     len(absents), ", ".join(_exemples(absents)))
    codes = _codes_verifies(gdf.loc[presentes, code_col], code_col)
    pas, x0, y0 = _grille(geoms[presentes], quantification)
    sur_grille, arrondi = _arrondir_couverture(geoms[presentes], pas)
    sur_grille = shapely.orient_polygons(_en_polygones_simples(sur_grille), exterior_cw=False)
    arrondi["codes_sans_face"] = [codes[i] for i in arrondi.pop("indices_sans_face", [])]
    if arrondi["reconstruction"]:
        _log.warning(
            "Arrondi sur la grille de %.2f m : %d entité(s) auto-sécante(s) ou chevauchante(s) ; "
            "couverture reconstruite (%d face(s) hors entités = trous de la source, %d entité(s) sans face : %s).",
            pas, arrondi["nb_defauts_arrondi_simple"], arrondi["nb_faces_hors_entites"],
            len(arrondi["codes_sans_face"]), ", ".join(arrondi["codes_sans_face"][:10]),
        )
    proprietes = {"code": codes}
    if nom_col is not None:
        proprietes["nom"] = gdf.loc[presentes, nom_col].astype("string").to_numpy(dtype=object, na_value=None)
    data = gpd.GeoDataFrame(proprietes, geometry=list(sur_grille))
    topo = topojson.Topology(
        data, topology=True, prequantize={"scale": [pas, pas], "translate": [x0, y0]},
        winding_order="CCW_CW", object_name=nom_objet,
    ).to_dict()
    for geom in topo["objects"][nom_objet]["geometries"]:
        # le code officiel devient l'identifiant TopoJSON de la géométrie (« id », champ standard
        # que topojson-client recopie dans chaque Feature) : 17 octets de moins par entité que
        # « properties »:{"code":…} ; seul le nom, s'il est demandé, reste une propriété
        proprietes = geom.pop("properties", None) or {}
        geom["id"] = proprietes.pop("code")
        for cle, valeur in proprietes.items():  # NaN (nom manquant) → null
            if isinstance(valeur, float) and np.isnan(valeur):
                proprietes[cle] = None
        if proprietes:
            geom["properties"] = proprietes
    topo["bbox"] = [round(float(v), 2) for v in topo["bbox"]]
    orientation = _reorienter(topo, nom_objet)
    if orientation["exterieurs_retournes"] or orientation["trous_retournes"]:
        _log.warning("Anneaux réorientés après topojson : %d extérieur(s), %d trou(s).",
                     orientation["exterieurs_retournes"], orientation["trous_retournes"])
    rapport = {"nb_geometries": int(presentes.sum()), "codes_sans_geometrie": _exemples(absents, len(absents)),
               "nb_arcs": len(topo["arcs"]), "arrondi": arrondi, "orientation": orientation}
    return topo, rapport


def depuis_topojson(topo: dict, nom_objet: str | None = None) -> gpd.GeoDataFrame:
    """Décode un objet TopoJSON en GeoDataFrame (coordonnées du plan).

    Sert aux contrôles : orientation, surfaces, couverture. Les anneaux sont
    reconstruits tels qu'écrits (aucune réorientation).

    Paramètres
    ----------
    topo : dict
        TopoJSON (quantifié ou non).
    nom_objet : str, optionnel
        Objet à décoder ; par défaut le seul objet présent.

    Renvoie
    -------
    GeoDataFrame
        Une ligne par géométrie de l'objet : ``code`` (l'``id`` de la
        géométrie, s'il existe), une colonne par propriété, plus
        ``geometry`` (``None`` pour une géométrie nulle), ``crs=None``.

    Exemples
    --------
    >>> topo = {"type": "Topology", "transform": {"scale": [2, 2], "translate": [10, 0]},
    ...         "arcs": [[[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]]],
    ...         "objects": {"o": {"type": "GeometryCollection", "geometries": [
    ...             {"type": "Polygon", "arcs": [[0]], "id": "01001"}]}}}
    >>> g = depuis_topojson(topo)
    >>> g.loc[0, "code"], g.geometry[0].bounds, g.geometry[0].exterior.is_ccw
    ('01001', (10.0, 0.0, 12.0, 2.0), True)
    """
    objets = topo.get("objects", {})
    if nom_objet is None:
        if len(objets) != 1:
            raise ValueError(f"Préciser nom_objet parmi : {', '.join(objets)}.")
        nom_objet = next(iter(objets))
    if nom_objet not in objets:
        raise KeyError(f"Objet « {nom_objet} » absent du TopoJSON. Objets présents : {', '.join(objets)}.")
    arcs = _arcs_absolus(topo)
    if "transform" in topo:
        echelle = np.asarray(topo["transform"]["scale"], dtype=np.float64)
        origine = np.asarray(topo["transform"]["translate"], dtype=np.float64)
        arcs = [a * echelle + origine for a in arcs]
    lignes, formes = [], []
    for geom in objets[nom_objet]["geometries"]:
        ligne = {"code": geom["id"]} if "id" in geom else {}
        lignes.append(ligne | dict(geom.get("properties") or {}))
        polys = [shapely.Polygon(_anneau(arcs, p[0]), [_anneau(arcs, t) for t in p[1:]]) for p in _polygones(geom)]
        if not polys:
            formes.append(None)
        elif geom["type"] == "Polygon":
            formes.append(polys[0])
        else:
            formes.append(shapely.MultiPolygon(polys))
    return gpd.GeoDataFrame(pd.DataFrame(lignes), geometry=formes, crs=None)


def ecrire_topojson(topo: dict, chemin: str | os.PathLike) -> int:
    """Écrit un TopoJSON (ou tout dict JSON, p. ex. les cadres en GeoJSON) compact.

    JSON sans espace, UTF-8 (accents non échappés), écriture atomique
    (fichier temporaire puis renommage).

    Paramètres
    ----------
    topo : dict
        Objet à écrire.
    chemin : str ou PathLike
        Fichier de sortie ; le dossier parent est créé au besoin.

    Renvoie
    -------
    int
        Taille du fichier en octets.

    Exemples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     ecrire_topojson({"type": "Topology", "arcs": [[[0, 0], [1, -1]]]}, Path(d) / "t.topojson")
    43
    """
    chemin = Path(chemin)
    chemin.parent.mkdir(parents=True, exist_ok=True)
    texte = json.dumps(topo, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    tmp = chemin.with_name(chemin.name + ".tmp")
    tmp.write_bytes(texte)
    os.replace(tmp, chemin)
    return len(texte)


def cadres_vers_geojson(cadres: gpd.GeoDataFrame) -> dict:
    """Cadres des médaillons en GeoJSON (coordonnées du plan, mètres entiers).

    Propriétés de chaque cadre : ``code`` (territoire), ``nom``, ``echelle``
    (arrondie à 4 décimales), ``x_texte`` et ``y_texte`` (coin haut gauche,
    où ``territoire_lib.cartes`` écrit l'étiquette).

    Paramètres
    ----------
    cadres : GeoDataFrame
        Deuxième valeur renvoyée par :func:`disposer_france_entiere`.

    Renvoie
    -------
    dict
        ``FeatureCollection`` (anneaux extérieurs antihoraires dans le plan).

    Exemples
    --------
    >>> _, cadres = disposer_france_entiere(gpd.GeoDataFrame(geometry=[], crs=4326).assign(
    ...     code_region=pd.Series([], dtype="string")), "code_region")
    >>> fc = cadres_vers_geojson(cadres)
    >>> [f["properties"]["nom"] for f in fc["features"]][:2]
    ['Guadeloupe', 'Martinique']
    """
    features = []
    for ligne in cadres.itertuples(index=False):
        x0, y0, x1, y1 = (round(v) for v in ligne.geometry.bounds)
        features.append({
            "type": "Feature",
            "properties": {"code": str(ligne.code_territoire), "nom": str(ligne.nom),
                           "echelle": round(float(ligne.echelle), 4),
                           "x_texte": round(float(ligne.x_texte)), "y_texte": round(float(ligne.y_texte))},
            "geometry": {"type": "Polygon",
                         "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]},
        })
    return {"type": "FeatureCollection", "features": features}


# --------------------------------------------------------------------------
# Enchaînement
# --------------------------------------------------------------------------
@dataclass
class CarteConstruite:
    """Résultat de :func:`construire_carte` pour un niveau.

    Attributs
    ---------
    niveau : str
    topo : dict
        TopoJSON à écrire dans ``cartes/<niveau>.topojson``.
    cadres : GeoDataFrame
        Cadres des médaillons (→ :func:`cadres_vers_geojson`).
    rapport : dict
        Comptes et durées pour le journal de construction : ``nb_entites``,
        ``nb_geometries``, ``codes_sans_geometrie``,
        ``codes_territoire_indetermine``, ``par_territoire``,
        ``tolerance_m``, ``quantification``, ``sommets_avant``,
        ``sommets_apres``, ``nb_arcs``, ``orientation`` (anneaux retournés),
        ``durees_s`` (``disposition``, ``simplification``, ``topojson``).
    """

    niveau: str
    topo: dict
    cadres: gpd.GeoDataFrame
    rapport: dict = field(default_factory=dict)


def construire_carte(
    gdf: gpd.GeoDataFrame,
    niveau: str,
    tolerance_m: float | None = None,
    quantification: float | None = None,
    avec_noms: bool = True,
) -> CarteConstruite:
    """Disposition, simplification et TopoJSON d'une couche, avec rapport.

    Paramètres
    ----------
    gdf : GeoDataFrame
        Couche GeoParquet construite (EPSG:4326) : colonnes ``code_<niveau>``,
        ``nom_<niveau>``, ``geometry``.
    niveau : {"commune", "epci", "departement", "region"}
    tolerance_m, quantification : float, optionnels
        Par défaut :data:`TOLERANCES_M` et :data:`QUANTIFICATIONS`.
    avec_noms : bool
        Écrire la propriété ``nom`` à côté de ``code`` (la construction de
        ``donnees/`` suit :data:`NOMS_DANS_TOPOJSON`).

    Renvoie
    -------
    CarteConstruite

    Exemples
    --------
    >>> g = gpd.GeoDataFrame({"code_region": ["04", "06"], "nom_region": ["La Réunion", "Mayotte"]},
    ...     crs=4326, geometry=[shapely.box(55.3, -21.3, 55.7, -20.9), None])
    >>> c = construire_carte(g, "region")
    >>> c.rapport["nb_geometries"], c.rapport["codes_sans_geometrie"]
    (1, ['06'])
    """
    if niveau not in TOLERANCES_M:
        raise ValueError(f"Niveau « {niveau} » inconnu : attendu l'un de {', '.join(TOLERANCES_M)}.")
    tolerance_m = TOLERANCES_M[niveau] if tolerance_m is None else tolerance_m
    quantification = QUANTIFICATIONS[niveau] if quantification is None else quantification
    code_col, nom_col = f"code_{niveau}", (f"nom_{niveau}" if avec_noms else None)
    durees = {}
    t = time.perf_counter()
    disposee, cadres = disposer_france_entiere(gdf, code_col)
    durees["disposition"] = time.perf_counter() - t
    t = time.perf_counter()
    simple = simplifier(disposee, tolerance_m)
    durees["simplification"] = time.perf_counter() - t
    t = time.perf_counter()
    topo, rapport_topo = _vers_topojson(simple, code_col, nom_col, quantification, niveau)
    durees["topojson"] = time.perf_counter() - t
    disp = disposee.attrs["rapport_disposition"]
    rapport = {
        "niveau": niveau,
        "nb_entites": disp["nb_entites"],
        "nb_geometries": rapport_topo["nb_geometries"],
        "codes_sans_geometrie": rapport_topo["codes_sans_geometrie"],
        "codes_territoire_indetermine": disp["codes_territoire_indetermine"],
        "par_territoire": disp["par_territoire"],
        "tolerance_m": float(tolerance_m),
        "quantification": float(quantification),
        "sommets_avant": _nb_sommets(_geoms(disposee)),
        "sommets_apres": _nb_sommets(_geoms(simple)),
        "nb_arcs": rapport_topo["nb_arcs"],
        "arrondi": rapport_topo["arrondi"],
        "orientation": rapport_topo["orientation"],
        "durees_s": {k: round(v, 3) for k, v in durees.items()},
    }
    return CarteConstruite(niveau, topo, cadres, rapport)
