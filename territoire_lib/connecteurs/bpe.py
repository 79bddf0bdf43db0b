"""Insee BPE 2023 (fichier géolocalisé) : équipements de santé, de poste et France services par commune.

La BPE est exhaustive sur son champ : une commune sans équipement d'un type
vaut 0 (vrai zéro). Les distances sont orthodromiques, du point de référence de
chaque commune (:func:`~territoire_lib.connecteurs.commun.points_reference_communes`)
à l'équipement géolocalisé le plus proche (toutes communes confondues).

Les France services sont comptés ici tels que la BPE les recense (type A128,
``nb_france_services_bpe``) ; les indicateurs France services du catalogue
viennent de la liste nationale de l'ANCT (:mod:`.france_services`), plus récente.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .commun import harmoniser_codes, lire_brut, points_reference_communes

__all__ = ["SOURCE", "TYPES_EQUIPEMENTS", "DISTANCES", "analyser", "distances_equipement"]

SOURCE = "insee_bpe_2023"
#: Types d'équipements comptés (nomenclature BPE 2023) → colonne.
TYPES_EQUIPEMENTS = {
    "A128": "nb_france_services_bpe",
    "A206": "nb_bureaux_poste",
    "A208": "nb_agences_postales",
    "D265": "nb_medecins_generalistes",
    "D307": "nb_pharmacies",
    "D108": "nb_centres_sante",
    "D113": "nb_maisons_sante",
}
#: Distances calculées : type → colonne (km).
DISTANCES = {"D265": "distance_medecin_generaliste_km", "D307": "distance_pharmacie_km"}


def distances_equipement(equipements: pd.DataFrame, communes: pd.DataFrame) -> np.ndarray:
    """Distance (km) du point de référence de chaque commune à l'équipement le plus proche.

    Paramètres
    ----------
    equipements : DataFrame
        ``LONGITUDE``, ``LATITUDE`` (degrés WGS84) ; lignes sans coordonnées ignorées.
    communes : DataFrame
        ``lon``, ``lat`` (degrés WGS84 ; NaN : distance NaN).

    Exemples
    --------
    >>> eq = pd.DataFrame({"LONGITUDE": [2.3522], "LATITUDE": [48.8566]})
    >>> com = pd.DataFrame({"lon": [4.8357, np.nan], "lat": [45.7640, np.nan]})
    >>> [round(float(d)) if d == d else None for d in distances_equipement(eq, com)]
    [391, None]
    """
    from ..construction.lycees import plus_proche_km

    ok = equipements["LONGITUDE"].notna() & equipements["LATITUDE"].notna()
    dist, _ = plus_proche_km(communes["lon"].to_numpy(float), communes["lat"].to_numpy(float),
                             equipements.loc[ok, "LONGITUDE"].to_numpy(float),
                             equipements.loc[ok, "LATITUDE"].to_numpy(float))
    return dist


def analyser(chemin: Path | None = None) -> pd.DataFrame:
    """Comptages et distances par commune du COG courant.

    Renvoie
    -------
    DataFrame
        ``code_commune`` puis une colonne par type de :data:`TYPES_EQUIPEMENTS`
        (Int64, 0 = aucun), ``nb_equipements_bpe`` (tous types) et les
        distances de :data:`DISTANCES` (km) ; ``attrs["rapport"]``.
    """
    brut = lire_brut(SOURCE, chemin)
    courant, rapport = harmoniser_codes(brut["DEPCOM"])
    brut["code_commune"] = courant
    communes = points_reference_communes()
    table = communes[["code_commune"]].copy()
    garde = brut[courant.notna()]
    compte = garde.groupby(["code_commune", "TYPEQU"]).size()
    for type_, col in TYPES_EQUIPEMENTS.items():
        serie = compte.xs(type_, level="TYPEQU") if type_ in compte.index.get_level_values(1) else pd.Series(dtype=int)
        table[col] = table["code_commune"].map(serie).fillna(0).astype("Int64")
    table["nb_equipements_bpe"] = table["code_commune"].map(garde.groupby("code_commune").size()).fillna(0).astype("Int64")
    for type_, col in DISTANCES.items():
        table[col] = distances_equipement(brut[brut["TYPEQU"] == type_], communes)
    sans_xy = brut["TYPEQU"].isin(list(DISTANCES)) & (brut["LONGITUDE"].isna() | brut["LATITUDE"].isna())
    rapport.update({
        "equipements_lus": int(len(brut)),
        "equipements_retenus_par_type": {t: int((garde["TYPEQU"] == t).sum()) for t in TYPES_EQUIPEMENTS},
        "equipements_sans_coordonnees_pour_distances": int(sans_xy.sum()),
        "communes_sans_point_de_reference": int(communes["lon"].isna().sum()),
        "points_de_reference": communes.attrs.get("rapport", {}),
    })
    table.attrs["rapport"] = rapport
    return table
