"""Insee BPE, format agrégé actuel (``DS_BPE_CSV_FR.zip``) : nombre d'équipements par commune et par type.

Fichier « Melodi » au format long : une ligne par territoire (``GEO``,
``GEO_OBJECT``), mesure (``BPE_MEASURE``), domaine, sous-domaine, type
d'équipement (``FACILITY_TYPE``) et année (``TIME_PERIOD``), valeur dans
``OBS_VALUE``. Beaucoup plus léger que le fichier géolocalisé (8 Mo contre
147 Mo) : il suffit aux comptages, pas aux distances.

Seules les lignes communales (``GEO_OBJECT = COM``), de la mesure
``FACILITIES`` et d'un type d'équipement précis (code lettre + 3 chiffres,
jamais les totaux ``_T``) sont lues : aucun double compte. Un zéro n'est
écrit que pour une commune citée par le fichier (elle a d'autres
équipements) ; une commune que le fichier ne cite pas du tout reste NA
(« non disponible »), jamais 0.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .bpe import TYPES_EQUIPEMENTS
from .commun import harmoniser_codes, lire_brut, sommer_par_commune

__all__ = ["SOURCE", "MESURE", "analyser"]

SOURCE = "insee_bpe_communes"
#: Mesure lue (nombre d'équipements).
MESURE = "FACILITIES"
#: Colonnes produites : type → préfixe (suffixé de l'année, ex. ``nb_pharmacies_2023``).
COLONNES = {t: c.removesuffix("_bpe") for t, c in TYPES_EQUIPEMENTS.items()}


def analyser(chemin: Path | None = None) -> pd.DataFrame:
    """Équipements par commune du COG courant, une colonne par type suivi et par année publiée.

    Renvoie
    -------
    DataFrame
        ``code_commune``, ``nb_equipements_bpe_<année>`` (tous types) et
        ``<colonne du type>_<année>`` pour chaque type de
        :data:`~territoire_lib.connecteurs.bpe.TYPES_EQUIPEMENTS` (Int64 ;
        NA pour une commune absente du fichier) ; ``attrs["rapport"]``.
    """
    from ..chargement import territoires

    brut = lire_brut(SOURCE, chemin)
    garde = (brut["GEO_OBJECT"].eq("COM") & brut["BPE_MEASURE"].eq(MESURE)
             & brut["FACILITY_TYPE"].str.fullmatch(r"[A-Z]\d{3}").fillna(False))
    lignes = brut[garde].copy()
    courant, rapport = harmoniser_codes(lignes["GEO"])
    lignes["code_commune"] = courant
    citees = lignes.loc[courant.notna(), ["code_commune", "TIME_PERIOD"]].drop_duplicates()
    lignes = lignes[courant.notna()]
    table = territoires("commune")[["code_commune"]].reset_index(drop=True)
    annees = sorted(int(a) for a in lignes["TIME_PERIOD"].dropna().unique())
    for annee in annees:
        an = lignes[lignes["TIME_PERIOD"] == annee]
        cite = table["code_commune"].isin(citees.loc[citees["TIME_PERIOD"] == annee, "code_commune"])
        total = sommer_par_commune(an.astype({"OBS_VALUE": "float64"}), ["OBS_VALUE"]).set_index("code_commune")
        table[f"nb_equipements_bpe_{annee}"] = (table["code_commune"].map(total["OBS_VALUE"]).fillna(0)
                                                .where(cite).round().astype("Int64"))
        par_type = an.groupby(["code_commune", "FACILITY_TYPE"])["OBS_VALUE"].sum()
        for type_, col in COLONNES.items():
            serie = par_type.xs(type_, level="FACILITY_TYPE") if type_ in par_type.index.get_level_values(1) \
                else pd.Series(dtype="float64")
            table[f"{col}_{annee}"] = table["code_commune"].map(serie).fillna(0).where(cite).astype("Int64")
    rapport.update({
        "lignes_lues": int(len(brut)),
        "lignes_communales_par_type": int(garde.sum()),
        "annees": annees,
        "communes_absentes_du_fichier": {a: int((~table["code_commune"].isin(
            citees.loc[citees["TIME_PERIOD"] == a, "code_commune"])).sum()) for a in annees},
    })
    table.attrs["rapport"] = rapport
    return table
