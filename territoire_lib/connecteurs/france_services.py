"""ANCT, liste nationale des France services : nombre par commune et distance au plus proche.

La liste de l'ANCT recense toutes les structures labellisées (sites
principaux, antennes, bus) avec leur commune et leurs coordonnées ; elle est
exhaustive sur son champ, donc une commune sans structure vaut 0 (vrai zéro).

Distance : à vol d'oiseau, du point de référence de chaque commune
(:func:`~territoire_lib.connecteurs.commun.points_reference_communes` : la
mairie si sa position est vérifiée dans la commune, sinon un point intérieur
du contour) à la structure géolocalisée la plus proche, toutes communes et
tous formats confondus (un bus France services compte à son point
d'attache : il dessert aussi d'autres communes, ce que la liste ne dit pas).

Aucune donnée nominative n'est lue : ni nom de structure, ni adresse, ni
contact ; seulement le code commune, les coordonnées, le type et le format.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .bpe import distances_equipement
from .commun import harmoniser_codes, lire_brut, points_reference_communes

__all__ = ["SOURCE", "SEUILS_KM", "analyser"]

SOURCE = "anct_france_services"
#: Seuils de distance (km) pour la part de la population éloignée.
SEUILS_KM = (10, 20)
#: Au-delà, une structure est signalée comme loin de sa commune (coordonnées douteuses).
ECART_COMMUNE_KM = 30.0


def _distance_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Distance géodésique (km, ellipsoïde WGS84, :class:`pyproj.Geod`) ; NaN si un point manque.

    Exemples
    --------
    >>> round(float(_distance_km([2.3522], [48.8566], [4.8357], [45.7640])[0]))
    392
    """
    from pyproj import Geod

    a = [np.asarray(v, dtype="float64") for v in (lon1, lat1, lon2, lat2)]
    ok = np.logical_and.reduce([np.isfinite(v) for v in a])
    res = np.full(a[0].shape, np.nan)
    if ok.any():
        _, _, metres = Geod(ellps="WGS84").inv(*(v[ok] for v in a))
        res[ok] = np.asarray(metres) / 1000
    return res


def analyser(chemin: Path | None = None) -> pd.DataFrame:
    """Structures France services par commune du COG courant et distance à la plus proche.

    Paramètres
    ----------
    chemin : Path, optionnel
        Fichier CSV officiel (par défaut celui du cache).

    Renvoie
    -------
    DataFrame
        ``code_commune`` (toutes les communes du COG), ``nb_france_services``
        (Int64, sites, antennes et bus rattachés à la commune, 0 = aucun),
        ``nb_france_services_principaux`` (Int64), ``distance_france_services_km``
        (float, NaN sans point de référence) ; ``attrs["rapport"]`` : codes
        traduits ou non appariés, structures sans coordonnées, structures loin
        de leur commune, origine des points de référence.

    Exemples
    --------
    >>> from territoire_lib.connecteurs.france_services import SEUILS_KM
    >>> SEUILS_KM
    (10, 20)
    """
    brut = lire_brut(SOURCE, chemin).drop_duplicates("id_fs")
    courant, rapport = harmoniser_codes(brut["insee_com"])
    brut["code_commune"] = courant
    points = points_reference_communes()
    table = points[["code_commune"]].copy()
    garde = brut[courant.notna()]
    table["nb_france_services"] = table["code_commune"].map(garde.groupby("code_commune").size()).fillna(0).astype("Int64")
    principaux = garde[garde["type_fs"] == "Principal"].groupby("code_commune").size()
    table["nb_france_services_principaux"] = table["code_commune"].map(principaux).fillna(0).astype("Int64")
    situees = brut.rename(columns={"longitude": "LONGITUDE", "latitude": "LATITUDE"})
    table["distance_france_services_km"] = distances_equipement(situees, points)
    # contrôle : chaque structure est-elle près de sa commune ?
    ref = points.set_index("code_commune")
    avec = garde[garde["longitude"].notna() & garde["latitude"].notna() & garde["code_commune"].isin(ref.index)]
    ecarts = _distance_km(avec["longitude"], avec["latitude"], avec["code_commune"].map(ref["lon"]),
                          avec["code_commune"].map(ref["lat"]))
    loin = avec[ecarts > ECART_COMMUNE_KM]
    rapport.update({
        "structures_lues": int(len(brut)),
        "structures_par_type": {str(k): int(v) for k, v in brut["type_fs"].value_counts().items()},
        "structures_par_format": {str(k): int(v) for k, v in brut["format_fs"].value_counts().items()},
        "structures_sans_coordonnees": int((brut["longitude"].isna() | brut["latitude"].isna()).sum()),
        f"structures_a_plus_de_{int(ECART_COMMUNE_KM)}_km_de_leur_commune": sorted(loin["id_fs"].tolist()),
        "points_de_reference": points.attrs.get("rapport", {}),
        "communes_sans_distance": int(table["distance_france_services_km"].isna().sum()),
    })
    table.attrs["rapport"] = rapport
    return table
