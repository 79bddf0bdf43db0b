"""Arcep « Ma connexion internet » : locaux raccordables à la fibre (FttH) par commune."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .commun import harmoniser_codes, lire_brut, sommer_par_commune

__all__ = ["SOURCE", "analyser"]

SOURCE = "arcep_ftth_communes"


def analyser(chemin: Path | None = None) -> pd.DataFrame:
    """Locaux et locaux raccordables FttH par commune, au COG courant.

    Renvoie
    -------
    DataFrame
        ``code_commune`` (str), ``locaux_arcep`` (tous locaux : logements et
        locaux professionnels), ``locaux_ftth`` (raccordables à la fibre),
        ``date_arcep`` (date de situation) ; ``attrs["rapport"]``.
    """
    brut = lire_brut(SOURCE, chemin)
    autres = brut["type"].notna() & (brut["type"] != "all")
    brut = brut[~autres].copy()
    courant, rapport = harmoniser_codes(brut["code_insee"])
    brut["code_commune"] = courant
    brut = brut.rename(columns={"nbr": "locaux_arcep", "elig_ftth": "locaux_ftth"})
    garde = brut[courant.notna()]
    table = sommer_par_commune(garde.astype({"locaux_arcep": "float64", "locaux_ftth": "float64"}),
                               ["locaux_arcep", "locaux_ftth"])
    table["date_arcep"] = table["code_commune"].map(garde.groupby("code_commune")["date"].first())
    rapport["lignes_autres_types_ecartees"] = int(autres.sum())
    rapport["communes_plus_de_locaux_ftth_que_de_locaux"] = int((table["locaux_ftth"] > table["locaux_arcep"]).sum())
    table.attrs["rapport"] = rapport
    return table
