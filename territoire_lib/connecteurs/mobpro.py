"""Insee MOBPRO (RP 2022) : flux domicile - lieu de travail entre communes.

:func:`flux` rend la table origine-destination harmonisée au COG courant ;
:func:`analyser` en tire, pour chaque commune de résidence, les actifs occupés
recensés dans les flux publiés et ceux qui travaillent dans une autre commune.
Un lieu de travail hors du COG (étranger, code inconnu) compte comme « hors
commune » et est listé dans le rapport.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .commun import harmoniser_codes, lire_brut

__all__ = ["SOURCE", "COLONNE_FLUX", "flux", "analyser"]

SOURCE = "insee_mobpro_2022"
COLONNE_FLUX = "NBFLUX_C22_ACTOCC15P"


def flux(chemin: Path | None = None) -> pd.DataFrame:
    """Flux domicile-travail au COG courant (anciens codes regroupés).

    Renvoie
    -------
    DataFrame
        ``code_commune_residence``, ``code_commune_travail`` (NA si hors COG :
        ``lieu_travail_publie`` garde alors le code publié), ``actifs_occupes``
        (effectif estimé) ; ``attrs["rapport"]``.
    """
    brut = lire_brut(SOURCE, chemin)
    residence, r_res = harmoniser_codes(brut["CODGEO"])
    travail, r_tra = harmoniser_codes(brut["DCLT"])
    od = pd.DataFrame({"code_commune_residence": residence, "code_commune_travail": travail,
                       "lieu_travail_publie": brut["DCLT"], "actifs_occupes": brut[COLONNE_FLUX]})
    od = od[od["code_commune_residence"].notna()]
    od["lieu_travail_publie"] = od["lieu_travail_publie"].where(od["code_commune_travail"].isna(), pd.NA)
    od = (od.groupby(["code_commune_residence", "code_commune_travail", "lieu_travail_publie"], dropna=False)
          ["actifs_occupes"].sum().reset_index())
    od.attrs["rapport"] = {"residence": r_res, "travail": r_tra}
    return od


def analyser(chemin: Path | None = None) -> pd.DataFrame:
    """Actifs occupés par commune de résidence, dont ceux qui travaillent ailleurs.

    Renvoie
    -------
    DataFrame
        ``code_commune``, ``actifs_occupes_flux`` (somme des flux publiés au
        départ de la commune), ``actifs_travaillant_hors_commune`` ;
        ``attrs["rapport"]``.
    """
    od = flux(chemin)
    ailleurs = od["code_commune_travail"].isna() | (od["code_commune_travail"] != od["code_commune_residence"])
    g = od.groupby("code_commune_residence")
    table = pd.DataFrame({
        "actifs_occupes_flux": g["actifs_occupes"].sum(),
        "actifs_travaillant_hors_commune": od[ailleurs.fillna(True)].groupby("code_commune_residence")["actifs_occupes"].sum(),
    }).fillna({"actifs_travaillant_hors_commune": 0.0}).rename_axis("code_commune").reset_index()
    rapport = od.attrs["rapport"]
    rapport["lieux_travail_hors_cog"] = sorted(od["lieu_travail_publie"].dropna().unique().tolist())
    table.attrs["rapport"] = rapport
    return table
