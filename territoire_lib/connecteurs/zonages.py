"""Zonages d'étude de l'Insee : aires d'attraction des villes 2020, unités urbaines 2020,
bassins de vie 2022, zones d'emploi 2020 — commune → zone, au COG courant.

Chaque zonage est publié par l'Insee comme un classeur (onglet
``Composition_communale``, en-tête technique à la 6e ligne) dans la
géographie d'une année (ici au 1er janvier 2025). Une fois téléchargé, il
devient un regroupement de :func:`territoire_lib.indicateurs`
(``niveau="aav2020"``, ``"categorie_aav2020"``, ``"uu2020"``,
``"statut_uu2020"``, ``"bv2022"``, ``"ze2020"``) : sommes et ratios
recalculés depuis les communes, comme pour tout niveau. :func:`geometries_zonage`
en donne les contours, par fusion des contours communaux.

Passage au COG courant : une commune fusionnée depuis reçoit la zone de ses
anciennes communes si elles sont toutes dans la même zone ; sinon elle
reste sans zone (NA) et est listée dans le rapport (``communes_a_cheval``),
jamais rattachée arbitrairement. Une commune du COG courant absente du
zonage (commune rétablie depuis, par exemple) est listée aussi.

Conventions de l'Insee reprises : hors attraction des villes (catégorie 30,
code d'aire ``000``) et hors unité urbaine (statut ``H``, code ``DD000``)
ne sont pas des zones : le code de zone est NA, la catégorie ou le statut
le dit.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .commun import harmoniser_codes, lire_brut

__all__ = ["ZONAGES", "CATEGORIES_AAV", "DETAIL_AAV", "STATUTS_UU", "analyser", "geometries_zonage"]

#: Zonage → (source web, colonne du code publiée, colonne du libellé publiée, préfixe des colonnes produites).
ZONAGES = {
    "aav2020": ("insee_aav2020", "AAV2020", "LIBAAV2020"),
    "uu2020": ("insee_uu2020", "UU2020", "LIBUU2020"),
    "bv2022": ("insee_bv2022", "BV2022", "LIBBV2022"),
    "ze2020": ("insee_ze2020", "ZE2020", "LIBZE2020"),
}
#: Catégorie de la commune dans l'aire (CATEAAV2020, nomenclature Insee) → libellé détaillé.
DETAIL_AAV = {
    "11": "commune-centre",
    "12": "autre commune du pôle principal",
    "13": "commune d'un pôle secondaire",
    "20": "commune de la couronne",
    "30": "commune hors attraction des villes",
}
#: CATEAAV2020 → les trois catégories de l'étude (pôle, couronne, hors attraction).
CATEGORIES_AAV = {"11": "pôle", "12": "pôle", "13": "pôle", "20": "couronne", "30": "hors attraction des villes"}
#: Statut de la commune dans son unité urbaine (STATUT_2017, population 2017).
STATUTS_UU = {"C": "ville-centre", "B": "banlieue", "I": "ville isolée", "H": "hors unité urbaine"}


def _une_valeur(serie: pd.Series):
    """La valeur commune d'un groupe, ou NA si ses anciennes communes divergent."""
    valeurs = serie.dropna().unique()
    return valeurs[0] if len(valeurs) == 1 and serie.notna().all() else pd.NA


def analyser(zonage: str, chemin: Path | None = None) -> pd.DataFrame:
    """Commune → zone pour un zonage, au COG courant.

    Paramètres
    ----------
    zonage : str
        ``aav2020``, ``uu2020``, ``bv2022`` ou ``ze2020``.
    chemin : Path, optionnel
        Archive officielle (par défaut celle du cache).

    Renvoie
    -------
    DataFrame
        Toutes les communes du COG courant : ``code_commune``, ``code_<zonage>``,
        ``nom_<zonage>`` ; pour ``aav2020`` aussi ``categorie_aav2020`` (pôle,
        couronne, hors attraction des villes) et ``categorie_aav2020_detail`` ;
        pour ``uu2020`` aussi ``statut_uu2020`` ; ``attrs["rapport"]``.
    """
    from ..chargement import territoires

    source, col_code, col_nom = ZONAGES[zonage]
    brut = lire_brut(source, chemin)
    courant, rapport = harmoniser_codes(brut["CODGEO"])
    t = pd.DataFrame({"code_commune": courant, f"code_{zonage}": brut[col_code], f"nom_{zonage}": brut[col_nom]})
    if zonage == "aav2020":
        cat = brut["CATEAAV2020"]
        inconnues = sorted(set(cat.dropna()) - set(DETAIL_AAV))
        if inconnues:
            from .commun import FichierWebNonConforme, source_web

            raise FichierWebNonConforme(source_web(source), [f"catégories CATEAAV2020 inconnues : {inconnues}"])
        t["categorie_aav2020"] = cat.map(CATEGORIES_AAV)
        t["categorie_aav2020_detail"] = cat.map(DETAIL_AAV)
        hors = cat.eq("30")
    elif zonage == "uu2020":
        t["statut_uu2020"] = brut["STATUT_2017"].map(STATUTS_UU)
        hors = brut["STATUT_2017"].eq("H")
    else:
        hors = pd.Series(False, index=brut.index)
    t.loc[hors.fillna(False).to_numpy(), [f"code_{zonage}", f"nom_{zonage}"]] = pd.NA
    t = t[t["code_commune"].notna()]
    colonnes = [c for c in t.columns if c != "code_commune"]
    groupes = t.groupby("code_commune", sort=True)
    nb = groupes.size()
    res = groupes[colonnes].agg(_une_valeur)
    distincts = groupes[colonnes].agg(lambda s: s.astype(object).where(s.notna(), "∅").nunique())
    a_cheval = sorted(distincts.index[(distincts > 1).any(axis=1)])
    fusionnees = int((nb > 1).sum())
    communes = territoires("commune")[["code_commune"]].reset_index(drop=True)
    table = communes.merge(res.reset_index(), on="code_commune", how="left")
    for c in colonnes:
        table[c] = table[c].astype("string")
    absentes = sorted(set(communes["code_commune"]) - set(res.index))
    rapport.update({
        "zonage": zonage,
        "communes_publiees": int(len(brut)),
        "zones": int(t[f"code_{zonage}"].nunique()),
        "communes_sans_zone": int(table[f"code_{zonage}"].isna().sum()),
        "communes_fusionnees_depuis": fusionnees,
        "communes_a_cheval": a_cheval,
        "communes_absentes_du_zonage": absentes,
    })
    table.attrs["rapport"] = rapport
    return table


def geometries_zonage(zonage: str):
    """Contours des zones d'un zonage en cache, par fusion des contours communaux (EPSG:4326).

    Une commune sans zone (hors zone, à cheval, absente) n'entre dans aucun
    contour. Le zonage doit avoir été téléchargé (voir
    :func:`territoire_lib.connecteurs.essayer`).

    Renvoie
    -------
    GeoDataFrame
        ``code_<zonage>``, ``nom_<zonage>``, ``nb_communes``, ``geometry``.
    """
    from ..chargement import geometries
    from . import table_communale

    source = ZONAGES[zonage][0]
    table = table_communale(source)[["code_commune", f"code_{zonage}", f"nom_{zonage}"]]
    geo = geometries("commune")[["code_commune", "geometry"]].merge(table, on="code_commune")
    geo = geo[geo[f"code_{zonage}"].notna()]
    geo["nb_communes"] = 1
    res = geo.dissolve(by=f"code_{zonage}", aggfunc={f"nom_{zonage}": "first", "nb_communes": "sum"})
    return res.reset_index()
