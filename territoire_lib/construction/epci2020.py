"""Composition des EPCI à fiscalité propre au 1er janvier 2020 (DGCL).

Source : ``openfisca_france_local/epcicom2020.xlsx`` du paquet PyPI
``openfisca-france-local==6.17.11`` (fichier DGCL « epcicom2020 », une ligne
par commune membre). Colonnes : ``dept`` (département du siège), ``siren``,
``raison_sociale``, ``nature_juridique`` (``CC``, ``CA``, ``CU``, ``METRO``,
``MET69``), ``mode_financ`` (``FPU`` fiscalité professionnelle unique, ``FA``
fiscalité additionnelle), ``nb_membres``, ``total_pop_tot``,
``total_pop_mun``, ``dep_com``, ``insee``, ``siren_membre``, ``nom_membre``,
``ptot_2020``, ``pmun_2020`` (populations légales millésime 2017 en vigueur au
1er janvier 2020).

Les codes sont lus en texte ; un code commune devenu nombre dans Excel
(``1001``) est complété à 5 caractères, et chaque code est contrôlé contre le
département de la commune (``dep_com``). Le rapport de construction est rangé
dans ``attrs["rapport"]`` des deux tables renvoyées.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np
import pandas as pd

from territoire_lib.construction.openfisca import normaliser_code_commune

__all__ = [
    "NATURES_JURIDIQUES",
    "lire_epci_2020",
    "normaliser_siren",
    "preparer_epci_2020",
]

journal = logging.getLogger(__name__)

Chemin = str | os.PathLike[str]

#: Codes de nature juridique du fichier DGCL et leur libellé.
NATURES_JURIDIQUES: dict[str, str] = {
    "CC": "communauté de communes",
    "CA": "communauté d'agglomération",
    "CU": "communauté urbaine",
    "METRO": "métropole",
    "MET69": "métropole de Lyon (collectivité à statut particulier)",
}

_COLONNES = [
    "dept", "siren", "raison_sociale", "nature_juridique", "mode_financ", "nb_membres",
    "total_pop_tot", "total_pop_mun", "dep_com", "insee", "siren_membre", "nom_membre",
    "ptot_2020", "pmun_2020",
]
_EXEMPLES = 5


def normaliser_siren(valeurs: pd.Series) -> pd.Series:
    """Met un SIREN sous forme de texte à 9 chiffres (manquant si invalide).

    Paramètres
    ----------
    valeurs : Series
        SIREN bruts (texte ou nombres, éventuellement ``"200029999.0"``).

    Renvoie
    -------
    Series
        Texte à 9 chiffres (zéros à gauche rétablis), NaN si invalide.

    Exemples
    --------
    >>> normaliser_siren(pd.Series(["200029999", 21010304.0, "abc", None])).tolist()
    ['200029999', '021010304', nan, nan]
    """
    texte = valeurs.astype(object).map(
        lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
        else str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer()
        else str(v)
    )
    s = pd.Series(texte, index=valeurs.index, dtype="str").str.strip()
    s = s.str.replace(r"\.0+$", "", regex=True)
    s = s.where(s.str.fullmatch(r"\d{1,9}")).str.zfill(9)
    return s.astype("str")


def lire_epci_2020(chemin: Chemin) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lit ``epcicom2020.xlsx`` (première feuille) et le met en forme.

    Paramètres
    ----------
    chemin : str ou Path
        Classeur Excel de la DGCL.

    Renvoie
    -------
    tuple[DataFrame, DataFrame]
        ``(epci, membres)`` : voir :func:`preparer_epci_2020`.
    """
    brut = pd.read_excel(chemin, sheet_name=0, dtype=str, engine="openpyxl")
    return preparer_epci_2020(brut)


def _entiers(serie: pd.Series) -> tuple[pd.Series, int]:
    texte = serie.astype("str").str.strip()
    nombres = pd.to_numeric(texte, errors="coerce")
    entiers = nombres.where(nombres.isna() | (nombres % 1 == 0))
    illisibles = int((entiers.isna() & texte.fillna("").ne("")).sum())
    return entiers.astype("Int64"), illisibles


def preparer_epci_2020(brut: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Construit la table des EPCI et la table des communes membres.

    Paramètres
    ----------
    brut : DataFrame
        Feuille ``Epcicom2020`` lue en texte (colonnes DGCL, voir le module).

    Renvoie
    -------
    tuple[DataFrame, DataFrame]
        ``epci`` : une ligne par EPCI, colonnes ``siren_epci`` (str, 9
        chiffres), ``nom_epci`` (str), ``nature_juridique`` (str : ``CC``,
        ``CA``, ``CU``, ``METRO``, ``MET69``), ``mode_financement`` (str :
        ``FPU``/``FA``), ``departement`` (str, département du siège),
        ``nb_communes`` (Int64, ``nb_membres`` publié), ``population_municipale``
        et ``population_totale`` (Int64, habitants, totaux publiés).

        ``membres`` : une ligne par commune, colonnes ``code_commune`` (str,
        COG 2020), ``siren_epci_2020`` (str), ``siren_commune`` (str),
        ``nom_commune`` (str), ``population_municipale`` et
        ``population_totale`` (Int64, habitants).

        Le rapport (lignes lues, codes complétés ou non reconstruits, codes
        incohérents avec le département, doublons, EPCI dont le nombre de
        membres ou la population publiés diffèrent de la somme des lignes) est
        dans ``attrs["rapport"]`` des deux tables.

    Exemples
    --------
    >>> brut = pd.DataFrame([["01", "200029999", "CC X", "CC", "FPU", "1", "15", "14",
    ...     "01", "1304", "210103040", "Pont-d'Ain", "15", "14"]],
    ...     columns=_COLONNES)
    >>> epci, membres = preparer_epci_2020(brut)
    >>> membres[["code_commune", "siren_epci_2020"]].values.tolist()
    [['01304', '200029999']]
    """
    source = "EPCI 2020"
    manquantes = [c for c in _COLONNES if c not in brut.columns]
    if manquantes:
        raise KeyError(
            f"{source} : colonne(s) absente(s) {manquantes}. Colonnes attendues : "
            f"{_COLONNES} ; colonnes trouvées : {list(brut.columns)}."
        )
    texte = brut[_COLONNES].astype("str").apply(lambda c: c.str.strip())
    codes, rap_codes = normaliser_code_commune(texte["insee"])
    dep_com = texte["dep_com"].str.upper().str.zfill(2)
    incoherents = codes.notna() & ~pd.Series(
        [str(c).startswith(d) for c, d in zip(codes, dep_com.fillna("?"), strict=True)],
        index=codes.index,
    )
    siren_epci = normaliser_siren(texte["siren"])
    siren_membre = normaliser_siren(texte["siren_membre"])

    illisibles: dict[str, int] = {}
    nombres: dict[str, pd.Series] = {}
    for col in ["nb_membres", "total_pop_tot", "total_pop_mun", "ptot_2020", "pmun_2020"]:
        nombres[col], illisibles[col] = _entiers(texte[col])

    membres = pd.DataFrame({
        "code_commune": codes,
        "siren_epci_2020": siren_epci,
        "siren_commune": siren_membre,
        "nom_commune": texte["nom_membre"],
        "population_municipale": nombres["pmun_2020"],
        "population_totale": nombres["ptot_2020"],
    })
    ecartees = membres["code_commune"].isna() | membres["siren_epci_2020"].isna()
    lignes_ecartees = texte.loc[ecartees, ["siren", "insee"]].to_dict("records")
    membres = membres[~ecartees]
    doublons = membres.loc[membres["code_commune"].duplicated(), "code_commune"]
    membres = membres.drop_duplicates("code_commune").reset_index(drop=True)

    epci, variables = _table_epci(texte, siren_epci, nombres)
    verif = _verifier_epci(epci, membres)
    verif = {"epci_attributs_variables_selon_les_lignes": variables, **verif}

    _signaler(source, "lignes sans code commune ou SIREN d'EPCI valide (écartées)", lignes_ecartees)
    _signaler(source, "codes communes complétés d'un zéro initial", list(rap_codes["codes_completes"]))
    _signaler(source, "codes communes incohérents avec dep_com", list(codes[incoherents]))
    _signaler(source, "communes membres de plusieurs EPCI (première ligne gardée)", list(doublons))
    for cle, valeurs in verif.items():
        _signaler(source, cle.replace("_", " "), valeurs)
    for col, n in illisibles.items():
        if n:
            journal.warning("%s : %d valeurs non entières dans %s (mises à NA)", source, n, col)

    rap = {
        "source": source,
        "lignes_lues": len(brut),
        "nb_membres_ecrits": len(membres),
        "nb_epci": len(epci),
        **rap_codes,
        "codes_incoherents_avec_departement": list(codes[incoherents]),
        "lignes_ecartees": lignes_ecartees,
        "doublons_code_commune": list(doublons),
        "valeurs_non_entieres": illisibles,
        **verif,
        "epci_par_nature_juridique": {
            k: int(v) for k, v in epci["nature_juridique"].value_counts().items()
        },
        "epci_par_mode_financement": {
            k: int(v) for k, v in epci["mode_financement"].value_counts().items()
        },
    }
    epci.attrs["rapport"] = rap
    membres.attrs["rapport"] = rap
    return epci, membres


def _table_epci(
    texte: pd.DataFrame, siren_epci: pd.Series, nombres: dict[str, pd.Series]
) -> tuple[pd.DataFrame, list[str]]:
    lignes = pd.DataFrame({
        "siren_epci": siren_epci,
        "nom_epci": texte["raison_sociale"],
        "nature_juridique": texte["nature_juridique"].str.upper(),
        "mode_financement": texte["mode_financ"].str.upper(),
        "departement": texte["dept"].str.upper().str.zfill(2),
        "nb_communes": nombres["nb_membres"],
        "population_municipale": nombres["total_pop_mun"],
        "population_totale": nombres["total_pop_tot"],
    })
    lignes = lignes[lignes["siren_epci"].notna()]
    epci = lignes.drop_duplicates("siren_epci").sort_values("siren_epci", ignore_index=True)
    attributs = [c for c in lignes.columns if c != "siren_epci"]
    variables = lignes.groupby("siren_epci")[attributs].nunique(dropna=False)
    return epci, list(variables.index[(variables > 1).any(axis=1)])


def _verifier_epci(epci: pd.DataFrame, membres: pd.DataFrame) -> dict[str, list[str]]:
    """Compare les totaux publiés par EPCI aux sommes des lignes membres."""
    sommes = membres.groupby("siren_epci_2020").agg(
        n=("code_commune", "size"),
        pmun=("population_municipale", lambda s: s.sum(min_count=1)),
        ptot=("population_totale", lambda s: s.sum(min_count=1)),
    )
    e = epci.set_index("siren_epci")
    s = sommes.reindex(e.index)
    return {
        "epci_nb_communes_different_du_nombre_de_lignes": list(
            e.index[(e["nb_communes"] != s["n"]).fillna(True)]
        ),
        "epci_population_municipale_differente_de_la_somme": list(
            e.index[(e["population_municipale"] != s["pmun"]).fillna(True)]
        ),
        "epci_population_totale_differente_de_la_somme": list(
            e.index[(e["population_totale"] != s["ptot"]).fillna(True)]
        ),
    }


def _signaler(source: str, motif: str, valeurs: list[Any]) -> None:
    if valeurs:
        journal.warning("%s : %d %s (exemples : %s)", source, len(valeurs), motif,
                        list(valeurs)[:_EXEMPLES])
