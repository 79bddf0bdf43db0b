"""Lieux recensés (France Tiers-Lieux, lieux de médiation numérique) : comptage par commune.

Aucun nom ni adresse n'est restitué : seulement le nombre de lieux par
commune du COG courant (0 = aucun lieu recensé). Les lieux sans code commune
utilisable sont comptés dans le rapport, jamais écartés en silence.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .commun import harmoniser_codes, lire_brut

__all__ = ["TIERS_LIEUX", "MEDIATION", "compter_par_commune", "analyser_tiers_lieux", "analyser_mediation"]

TIERS_LIEUX = "france_tiers_lieux_2023"
MEDIATION = "mediation_numerique_nationale"


def compter_par_commune(codes: pd.Series, colonne: str) -> pd.DataFrame:
    """Nombre de lignes par commune courante (toutes les communes du COG, 0 si aucune).

    Exemples
    --------
    >>> t = compter_par_commune(pd.Series(["01001", "01001", "75101", "00000"]), "nb")
    >>> t.set_index("code_commune").loc[["01001", "75056", "01002"], "nb"].tolist()
    [2, 1, 0]
    >>> t.attrs["rapport"]["codes_non_apparies"]
    ['00000']
    """
    from ..chargement import territoires

    courant, rapport = harmoniser_codes(codes)
    table = territoires("commune")[["code_commune"]].reset_index(drop=True)
    table[colonne] = table["code_commune"].map(courant.value_counts()).fillna(0).astype("Int64")
    rapport["lieux_comptes"] = int(courant.notna().sum())
    table.attrs["rapport"] = rapport
    return table


def analyser_tiers_lieux(chemin: Path | None = None) -> pd.DataFrame:
    """Tiers-lieux recensés par commune (``nb_tiers_lieux``)."""
    brut = lire_brut(TIERS_LIEUX, chemin).drop_duplicates("ID_UNIQUE")
    return compter_par_commune(brut["Insee"], "nb_tiers_lieux")


def analyser_mediation(chemin: Path | None = None) -> pd.DataFrame:
    """Lieux de médiation numérique par commune (``nb_lieux_mediation_nationaux``).

    Un lieu sans ``code_insee`` est rattaché par son code postal quand
    celui-ci ne correspond qu'à une seule commune dans le fichier même.
    """
    brut = lire_brut(MEDIATION, chemin).drop_duplicates("id")
    codes = brut["code_insee"]
    connus = brut[codes.notna()]
    cp = connus.groupby("code_postal")["code_insee"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else pd.NA)
    repris = codes.isna() & brut["code_postal"].map(cp).notna()
    codes = codes.where(~repris, brut["code_postal"].map(cp))
    table = compter_par_commune(codes, "nb_lieux_mediation_nationaux")
    table.attrs["rapport"]["lieux_rattaches_par_code_postal"] = int(repris.sum())
    return table
