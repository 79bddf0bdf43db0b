"""Tables territoriales livrées avec le paquet PyPI ``openfisca-france``.

Sources (dossier ``openfisca_france/assets/`` du paquet ``openfisca-france==176.1.8``) :

- ``zonage-communes/zonage-abc-juillet-2024.csv`` : zonage ABC (tension du marché
  du logement) en vigueur depuis le 5 juillet 2024, codes communes du COG 2024.
  Millésime : juillet 2024. La révision de l'arrêté du 5 septembre 2025 (JO du
  6 septembre 2025, 468 communes reclassées) n'est dans aucune version publiée
  du paquet : 176.1.8, la plus récente sur PyPI, ne contient que ce fichier
  dans ``assets/zonage-communes/`` (vérifié en décembre 2026) ;
- ``taxe_habitation/parametres_th_{2017..2022}.csv`` : extraits du fichier DGFiP
  « REI » (recensement des éléments d'imposition) préparés par OpenFisca : taux de
  taxe d'habitation et valeur locative moyenne des habitations ;
- ``versement_transport/taux.json`` : taux du versement mobilité (ex-versement
  transport) par commune, avec leurs dates d'entrée en vigueur.

Toutes les fonctions sont pures : elles prennent un chemin ou un objet déjà lu et
renvoient un ``DataFrame``. Le rapport de construction (lignes lues, codes non
reconstruits, doublons, valeurs manquantes...) est un ``dict`` rangé dans
``table.attrs["rapport"]`` ; la fonction :func:`rapport` le renvoie.

Valeur locative moyenne (REI)
-----------------------------
Colonne REI « TH - VL moyenne utilisée pour le calcul des abattements » (code J21
en 2017-2018, ``THVLMOYENNEUTILISEEPOUR`` ensuite), niveau communal. C'est la
« valeur locative moyenne des habitations de la commune » de l'article 1411 du
CGI : total des valeurs locatives cadastrales brutes (annuelles, en euros) des
locaux d'habitation et de leurs dépendances, résidences principales et
secondaires confondues, hors locaux exceptionnels, divisé par le nombre de
locaux correspondants (art. 310 H de l'annexe II au CGI, rôles de l'année
précédente). Unité : euro par local d'habitation et par an. Ce n'est PAS un
loyer de marché. Le fichier ne donne ni le numérateur ni le dénominateur :
une moyenne supra-communale doit être pondérée par un nombre de logements
pris ailleurs (par exemple les résidences principales).

OpenFisca a remplacé les valeurs absentes par 0 (script Stata fourni avec le
paquet) : un 0 de valeur locative ou de taux est donc traité comme manquant
(NaN). Les millésimes 2021 et 2022 reprennent à l'identique les valeurs
locatives moyennes de 2020 (gel, sans doute lié à la suppression de la taxe
d'habitation sur les résidences principales) : ils n'apportent pas
d'information nouvelle.

Versement mobilité
------------------
``taux.json`` est indexé par code commune du COG 2016 (plus les arrondissements
municipaux de Paris, Marseille et Lyon). Aucun premier taux d'AOM n'y débute après 2018 :
les taux des communes présentes sont tenus à jour (hausses programmées jusqu'en
2028), mais les communes entrées dans le ressort d'une autorité organisatrice
après 2018 (prise de compétence des communautés de communes en 2021) manquent.
L'absence d'une commune ne prouve donc pas l'absence de versement mobilité.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from .outils import date_reference as _date_reference

__all__ = [
    "CLASSES_ZONAGE_ABC",
    "CODES_DGFIP_SPECIAUX",
    "DATE_REFERENCE_VERSEMENT_MOBILITE",
    "TYPE_ZONAGE_ABC",
    "deplier_taux_versement_mobilite",
    "lire_parametres_th",
    "lire_versement_mobilite",
    "lire_versement_mobilite_brut",
    "lire_zonage_abc",
    "normaliser_code_commune",
    "preparer_parametres_th",
    "preparer_versement_mobilite",
    "preparer_zonage_abc",
    "rapport",
    "valeurs_locatives",
]

journal = logging.getLogger(__name__)

Chemin = str | os.PathLike[str]

#: Classes du zonage ABC, de la moins tendue à la plus tendue.
CLASSES_ZONAGE_ABC: tuple[str, ...] = ("C", "B2", "B1", "A", "A bis")
#: Type catégoriel ordonné : ``"A bis" > "A" > "B1" > "B2" > "C"``.
TYPE_ZONAGE_ABC = pd.CategoricalDtype(list(CLASSES_ZONAGE_ABC), ordered=True)

#: Codes à 4 caractères du REI (DGFiP) pour Saint-Barthélemy et Saint-Martin.
CODES_DGFIP_SPECIAUX: dict[str, str] = {"9777": "97701", "9788": "97801"}

#: Date de référence par défaut pour le taux de versement mobilité en vigueur.
DATE_REFERENCE_VERSEMENT_MOBILITE = "2024-01-01"

_MOTIF_CODE_COMMUNE = r"\d{5}|2[AB]\d{3}"
_EXEMPLES = 5

# Arrondissements municipaux -> commune (Paris, Marseille, Lyon).
_ARRONDISSEMENTS = (
    (r"751(?:0[1-9]|1\d|20)", "75056"),
    (r"132(?:0[1-9]|1[0-6])", "13055"),
    (r"6938[1-9]", "69123"),
)


# --------------------------------------------------------------------------
# Outils communs
# --------------------------------------------------------------------------
def rapport(table: pd.DataFrame) -> dict[str, Any]:
    """Renvoie le rapport de construction rangé dans ``table.attrs``.

    Paramètres
    ----------
    table : DataFrame
        Table produite par une fonction de ce module.

    Renvoie
    -------
    dict
        Le rapport (dictionnaire vide si la table n'en porte pas).

    Exemples
    --------
    >>> rapport(pd.DataFrame())
    {}
    """
    return dict(table.attrs.get("rapport", {}))


def _exemples(valeurs: pd.Series | list[Any]) -> list[Any]:
    return list(pd.unique(pd.Series(valeurs, dtype=object)))[:_EXEMPLES]


def _verifier_colonnes(brut: pd.DataFrame, requises: list[str], source: str) -> None:
    manquantes = [c for c in requises if c not in brut.columns]
    if manquantes:
        raise KeyError(
            f"{source} : colonne(s) absente(s) {manquantes}. "
            f"Colonnes attendues : {requises} ; colonnes trouvées : {list(brut.columns)}."
        )


def normaliser_code_commune(codes: pd.Series) -> tuple[pd.Series, dict[str, Any]]:
    """Reconstruit des codes communes COG à 5 caractères.

    Règles, dans l'ordre : espaces et suffixe ``.0`` (cellule Excel numérique)
    retirés, lettres en majuscules ; un code à 5 caractères (``01001``,
    ``2A004``, ``97101``) est gardé ; les codes DGFiP ``9777`` et ``9788``
    deviennent ``97701`` (Saint-Barthélemy) et ``97801`` (Saint-Martin) ; un code
    de 4 chiffres dont le zéro initial a été perdu (``1001``) est complété à
    gauche. Tout autre code est non reconstruit (``<NA>``).

    Paramètres
    ----------
    codes : Series
        Codes bruts (texte ou nombres).

    Renvoie
    -------
    tuple[Series, dict]
        Les codes reconstruits (dtype ``str``, manquant si impossible), alignés
        sur l'index d'entrée, et un rapport : ``codes_completes`` (ancien →
        nouveau), ``codes_speciaux``, ``codes_non_reconstruits``.

    Exemples
    --------
    >>> s = pd.Series(["01001", "2a004", "1001", "9777", "1001.0", "ABC", None])
    >>> codes, rap = normaliser_code_commune(s)
    >>> codes.tolist()
    ['01001', '2A004', '01001', '97701', '01001', nan, nan]
    >>> rap["codes_non_reconstruits"]
    ['ABC', None]
    """
    texte = codes.astype(object).map(_en_texte)
    s = pd.Series(texte, index=codes.index, dtype="str").str.strip().str.upper()
    s = s.str.replace(r"\.0+$", "", regex=True)
    valide = s.str.fullmatch(_MOTIF_CODE_COMMUNE)
    speciaux = s.map(CODES_DGFIP_SPECIAUX)
    a_completer = s.str.fullmatch(r"[1-9]\d{3}") & speciaux.isna()
    resultat = s.where(valide)
    resultat = resultat.fillna(speciaux)
    resultat = resultat.where(~a_completer, s.str.zfill(5))
    resultat = resultat.astype("str")
    non_reconstruits = resultat.isna()
    rap: dict[str, Any] = {
        "codes_completes": dict(zip(s[a_completer], resultat[a_completer], strict=True)),
        "codes_speciaux": dict(zip(s[speciaux.notna()], speciaux[speciaux.notna()], strict=True)),
        "codes_non_reconstruits": [None if pd.isna(v) else v for v in codes[non_reconstruits]],
    }
    return resultat, rap


def _en_texte(valeur: Any) -> str | None:
    if valeur is None or valeur is pd.NA or (isinstance(valeur, float) and np.isnan(valeur)):
        return None
    if isinstance(valeur, (float, np.floating)) and float(valeur).is_integer():
        return str(int(valeur))
    return str(valeur)


def _signaler(source: str, motif: str, valeurs: list[Any] | pd.Series) -> None:
    valeurs = list(valeurs)
    if valeurs:
        journal.warning(
            "%s : %d %s (exemples : %s)", source, len(valeurs), motif, _exemples(valeurs)
        )


# --------------------------------------------------------------------------
# Zonage ABC
# --------------------------------------------------------------------------
def lire_zonage_abc(chemin: Chemin) -> pd.DataFrame:
    """Lit le zonage ABC de juillet 2024 (``zonage-abc-juillet-2024.csv``).

    Paramètres
    ----------
    chemin : str ou Path
        Fichier CSV (séparateur ``;``, UTF-8) du paquet ``openfisca-france``.

    Renvoie
    -------
    DataFrame
        Voir :func:`preparer_zonage_abc`.
    """
    brut = pd.read_csv(
        chemin, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    return preparer_zonage_abc(brut)


def preparer_zonage_abc(brut: pd.DataFrame) -> pd.DataFrame:
    """Met en forme le zonage ABC brut : une ligne par commune.

    Paramètres
    ----------
    brut : DataFrame
        Colonnes ``CODGEO``, une colonne commençant par ``Zone en vigueur`` et,
        facultative, une colonne commençant par ``Reclassement``.

    Renvoie
    -------
    DataFrame
        ``code_commune`` (str), ``zonage_abc`` (catégorie ordonnée
        :data:`TYPE_ZONAGE_ABC`, manquant si classe inconnue),
        ``zonage_abc_reclasse`` (boolean : commune reclassée en juillet 2024).
        Rapport dans ``attrs["rapport"]``.

    Exemples
    --------
    >>> brut = pd.DataFrame({"CODGEO": ["75056", "2A004", "01001"],
    ...     "Zone en vigueur depuis le 5 juillet 2024": ["Abis", "B1", "C"],
    ...     "Reclassement juillet 2024": ["Non", "Oui", "Non"]})
    >>> t = preparer_zonage_abc(brut)
    >>> t["zonage_abc"].tolist()
    ['A bis', 'B1', 'C']
    >>> (t["zonage_abc"] > "B1").tolist()
    [True, False, False]
    """
    source = "zonage ABC"
    col_zone = next((c for c in brut.columns if str(c).startswith("Zone en vigueur")), None)
    if col_zone is None:
        raise KeyError(
            f"{source} : aucune colonne « Zone en vigueur ... » ; colonnes trouvées : "
            f"{list(brut.columns)}."
        )
    _verifier_colonnes(brut, ["CODGEO"], source)
    col_recl = next((c for c in brut.columns if str(c).startswith("Reclassement")), None)

    codes, rap_codes = normaliser_code_commune(brut["CODGEO"])
    classe = brut[col_zone].astype("str").str.strip().str.replace(r"\s+", "", regex=True)
    classe = classe.str.upper().replace({"ABIS": "A bis"})
    connue = classe.isin(CLASSES_ZONAGE_ABC)
    zonage = classe.where(connue).astype(TYPE_ZONAGE_ABC)
    inconnues = brut.loc[~connue & codes.notna(), col_zone]

    table = pd.DataFrame({"code_commune": codes, "zonage_abc": zonage})
    if col_recl is not None:
        oui_non = brut[col_recl].astype("str").str.strip().str.lower()
        table["zonage_abc_reclasse"] = oui_non.map({"oui": True, "non": False}).astype("boolean")
    else:
        table["zonage_abc_reclasse"] = pd.array([pd.NA] * len(table), dtype="boolean")
    table = table[codes.notna()]
    doublons = table.loc[table["code_commune"].duplicated(), "code_commune"]
    table = table.drop_duplicates("code_commune").reset_index(drop=True)

    _signaler(source, "codes communes non reconstruits (lignes écartées)", rap_codes["codes_non_reconstruits"])
    _signaler(source, "classes de zonage inconnues (mises à NA)", inconnues)
    _signaler(source, "codes communes en double (première ligne gardée)", doublons)
    table.attrs["rapport"] = {
        "source": source,
        "colonne_zonage": col_zone,
        "lignes_lues": len(brut),
        "lignes_ecrites": len(table),
        **rap_codes,
        "classes_inconnues": _exemples(inconnues) if len(inconnues) else [],
        "nb_classes_inconnues": len(inconnues),
        "doublons": list(doublons),
        "communes_par_classe": {
            k: int(v) for k, v in table["zonage_abc"].value_counts(sort=False).items()
        },
    }
    return table


# --------------------------------------------------------------------------
# Taxe d'habitation (REI) : valeurs locatives moyennes
# --------------------------------------------------------------------------
_COLONNES_TH = {
    "taux_com": "taux_th_commune",
    "taux_epci": "taux_th_epci",
    "valeur_locative_moyenne_com": "valeur_locative_moyenne",
    "valeur_locative_moyenne_epci": "valeur_locative_moyenne_epci",
}


def lire_parametres_th(chemin: Chemin, annee: int) -> pd.DataFrame:
    """Lit un fichier ``parametres_th_{annee}.csv`` d'OpenFisca.

    Paramètres
    ----------
    chemin : str ou Path
        Fichier CSV (séparateur ``,``).
    annee : int
        Millésime du REI (année d'imposition), par exemple 2020.

    Renvoie
    -------
    DataFrame
        Voir :func:`preparer_parametres_th`.
    """
    brut = pd.read_csv(chemin, dtype=str, keep_default_na=False)
    return preparer_parametres_th(brut, annee)


def preparer_parametres_th(brut: pd.DataFrame, annee: int) -> pd.DataFrame:
    """Met en forme un fichier de paramètres de taxe d'habitation.

    Paramètres
    ----------
    brut : DataFrame
        Colonnes ``code_insee_commune``, ``taux_com``, ``taux_epci``,
        ``valeur_locative_moyenne_com``, ``valeur_locative_moyenne_epci``
        (texte ; les autres colonnes, abattements, sont ignorées).
    annee : int
        Millésime du REI.

    Renvoie
    -------
    DataFrame
        Une ligne par commune :

        - ``code_commune`` (str) : code COG reconstruit ;
        - ``annee`` (int64) : millésime ;
        - ``valeur_locative_moyenne`` (float64, € par local d'habitation et par
          an) : VL moyenne communale des habitations (voir le module) ;
        - ``valeur_locative_moyenne_epci`` (float64, €) : même notion au niveau
          de l'intercommunalité ;
        - ``taux_th_commune``, ``taux_th_epci`` (float64, %) : taux de TH.

        Un 0 du fichier (valeur absente remplacée par OpenFisca) devient NaN.
        Rapport dans ``attrs["rapport"]``.

    Exemples
    --------
    >>> brut = pd.DataFrame({"code_insee_commune": ["01001", "9777"],
    ...     "taux_com": [".1106", "0"], "taux_epci": [".0784", "0"],
    ...     "valeur_locative_moyenne_com": ["2794", "0"],
    ...     "valeur_locative_moyenne_epci": ["2794", "0"]})
    >>> t = preparer_parametres_th(brut, 2017)
    >>> t[["code_commune", "valeur_locative_moyenne", "taux_th_commune"]].to_dict("list")
    {'code_commune': ['01001', '97701'], 'valeur_locative_moyenne': [2794.0, nan], 'taux_th_commune': [11.06, nan]}
    """
    if isinstance(annee, bool) or not isinstance(annee, (int, np.integer)):
        raise ValueError(f"annee doit être un entier (par exemple 2020), reçu : {annee!r}.")
    annee = int(annee)
    source = f"paramètres TH {annee}"
    _verifier_colonnes(brut, ["code_insee_commune", *_COLONNES_TH], source)

    codes, rap_codes = normaliser_code_commune(brut["code_insee_commune"])
    texte = brut[list(_COLONNES_TH)].astype("str").apply(lambda c: c.str.strip())
    valeurs = texte.apply(pd.to_numeric, errors="coerce").astype("float64")
    illisibles = {
        _COLONNES_TH[c]: int((valeurs[c].isna() & texte[c].fillna("").ne("")).sum())
        for c in _COLONNES_TH
    }
    zeros = (valeurs == 0).sum().rename(_COLONNES_TH).astype(int).to_dict()
    valeurs = valeurs.where(valeurs != 0)
    valeurs[["taux_com", "taux_epci"]] = (valeurs[["taux_com", "taux_epci"]] * 100).round(6)

    table = valeurs.rename(columns=_COLONNES_TH)
    table.insert(0, "annee", np.int64(annee))
    table.insert(0, "code_commune", codes)
    table = table[codes.notna()]
    doublons = table.loc[table["code_commune"].duplicated(), "code_commune"]
    table = table.drop_duplicates("code_commune").reset_index(drop=True)
    table = table[
        ["code_commune", "annee", "valeur_locative_moyenne", "valeur_locative_moyenne_epci",
         "taux_th_commune", "taux_th_epci"]
    ]

    vl_manquantes = table.loc[table["valeur_locative_moyenne"].isna(), "code_commune"]
    _signaler(source, "codes communes non reconstruits (lignes écartées)", rap_codes["codes_non_reconstruits"])
    _signaler(source, "codes communes en double (première ligne gardée)", doublons)
    _signaler(source, "communes sans valeur locative moyenne (0 ou vide -> NaN)", vl_manquantes)
    for col, n in illisibles.items():
        if n:
            journal.warning("%s : %d valeurs non numériques dans %s (mises à NaN)", source, n, col)
    vl = table["valeur_locative_moyenne"]
    table.attrs["rapport"] = {
        "source": source,
        "annee": annee,
        "lignes_lues": len(brut),
        "lignes_ecrites": len(table),
        **rap_codes,
        "doublons": list(doublons),
        "zeros_mis_a_nan": zeros,
        "valeurs_non_numeriques": illisibles,
        "nb_vl_moyenne_renseignee": int(vl.notna().sum()),
        "nb_vl_moyenne_manquante": int(vl.isna().sum()),
        "exemples_vl_moyenne_manquante": _exemples(vl_manquantes),
        "mediane_vl_moyenne": float(vl.median()) if vl.notna().any() else None,
    }
    return table


def valeurs_locatives(chemins_par_annee: Mapping[int, Chemin]) -> pd.DataFrame:
    """Table longue des valeurs locatives moyennes communales, tous millésimes.

    Paramètres
    ----------
    chemins_par_annee : dict[int, Path]
        Millésime → fichier ``parametres_th_{annee}.csv``.

    Renvoie
    -------
    DataFrame
        ``code_commune`` (str), ``annee`` (int64), ``valeur_locative_moyenne``
        (float64, € par local d'habitation et par an, NaN si absente), une ligne
        par commune et par millésime présents dans les fichiers, triée par
        année puis code. ``attrs["rapport"]["par_annee"]`` donne, par
        millésime, le rapport de :func:`preparer_parametres_th` complété par
        ``nb_identiques_annee_precedente``.
    """
    if not chemins_par_annee:
        raise ValueError("chemins_par_annee est vide : donner au moins un millésime {annee: chemin}.")
    tables, par_annee = [], {}
    precedente: pd.Series | None = None
    for annee in sorted(chemins_par_annee):
        t = lire_parametres_th(chemins_par_annee[annee], annee)
        rap = rapport(t)
        vl = t.set_index("code_commune")["valeur_locative_moyenne"]
        if precedente is not None:
            commun = vl.index.intersection(precedente.index)
            rap["nb_identiques_annee_precedente"] = int(
                (vl[commun].notna() & (vl[commun] == precedente[commun])).sum()
            )
        precedente = vl
        par_annee[int(annee)] = rap
        tables.append(t[["code_commune", "annee", "valeur_locative_moyenne"]])
    longue = pd.concat(tables, ignore_index=True)
    longue = longue.sort_values(["annee", "code_commune"], ignore_index=True)
    longue.attrs["rapport"] = {"source": "paramètres TH (REI)", "lignes_ecrites": len(longue),
                               "par_annee": par_annee}
    return longue


# --------------------------------------------------------------------------
# Versement mobilité
# --------------------------------------------------------------------------
_ORGANISMES = {"aot": "aom", "smt": "additionnel"}


def lire_versement_mobilite_brut(chemin: Chemin) -> pd.DataFrame:
    """Lit ``versement_transport/taux.json`` en table longue (historique complet).

    Paramètres
    ----------
    chemin : str ou Path
        Fichier JSON : ``{code_commune: {"aot": {"nom", "taux": {date: taux}},
        "smt": {...}, ...}}``.

    Renvoie
    -------
    DataFrame
        Voir :func:`deplier_taux_versement_mobilite`.
    """
    with open(chemin, encoding="utf-8") as f:
        donnees = json.load(f)
    return deplier_taux_versement_mobilite(donnees)


def deplier_taux_versement_mobilite(donnees: Mapping[str, Any]) -> pd.DataFrame:
    """Déplie le JSON des taux : une ligne par commune, organisme et date.

    Le bloc ``aot`` est l'autorité organisatrice de la mobilité (versement
    mobilité) ; le bloc ``smt`` un syndicat mixte de transport qui lève un
    versement additionnel. Les taux sont en % de la masse salariale ; chaque
    date est une date de DÉBUT de validité.

    Paramètres
    ----------
    donnees : dict
        Contenu du JSON.

    Renvoie
    -------
    DataFrame
        Colonnes texte ``code_source``, ``organisme`` (``aot``/``smt``),
        ``nom_organisme``, ``date_debut``, ``taux`` (tel que publié). Les codes
        sans aucun taux sont listés dans ``attrs["rapport"]["codes_sans_taux"]``.

    Exemples
    --------
    >>> d = {"10013": {"aot": {"nom": "CA TROYES", "taux": {"2018-01-01": "1.05"}}}}
    >>> deplier_taux_versement_mobilite(d).values.tolist()
    [['10013', 'aot', 'CA TROYES', '2018-01-01', '1.05']]
    """
    if not isinstance(donnees, Mapping):
        raise ValueError(
            "Le JSON du versement mobilité doit être un objet {code_commune: fiche}, "
            f"reçu : {type(donnees).__name__}."
        )
    lignes: list[tuple[str, str, Any, Any, Any]] = []
    sans_taux: list[str] = []
    for code, fiche in donnees.items():
        n_avant = len(lignes)
        for organisme in _ORGANISMES:
            bloc = fiche.get(organisme) if isinstance(fiche, Mapping) else None
            if not isinstance(bloc, Mapping):
                continue
            for date, taux in (bloc.get("taux") or {}).items():
                lignes.append((str(code), organisme, bloc.get("nom"), date, taux))
        if len(lignes) == n_avant:
            sans_taux.append(str(code))
    brut = pd.DataFrame(
        lignes, columns=["code_source", "organisme", "nom_organisme", "date_debut", "taux"]
    ).astype("str")
    _signaler("versement mobilité", "codes sans aucun taux", sans_taux)
    brut.attrs["rapport"] = {"codes_lus": len(donnees), "codes_sans_taux": sans_taux}
    return brut


def _commune_des_arrondissements(codes: pd.Series) -> pd.Series:
    resultat = codes.copy()
    for motif, commune in _ARRONDISSEMENTS:
        resultat = resultat.mask(codes.str.fullmatch(motif).fillna(False), commune)
    return resultat


def lire_versement_mobilite(
    chemin: Chemin, date_reference: str | _dt.date = DATE_REFERENCE_VERSEMENT_MOBILITE
) -> pd.DataFrame:
    """Taux de versement mobilité en vigueur par commune à une date donnée.

    Paramètres
    ----------
    chemin : str ou Path
        ``versement_transport/taux.json``.
    date_reference : str ou date, par défaut ``"2024-01-01"``
        Date à laquelle on lit le taux en vigueur (le fichier contient des
        hausses programmées jusqu'en 2028 : la dernière date du fichier n'est
        pas une date d'observation).

    Renvoie
    -------
    DataFrame
        Voir :func:`preparer_versement_mobilite`.
    """
    return preparer_versement_mobilite(lire_versement_mobilite_brut(chemin), date_reference)


def preparer_versement_mobilite(
    brut: pd.DataFrame, date_reference: str | _dt.date = DATE_REFERENCE_VERSEMENT_MOBILITE
) -> pd.DataFrame:
    """Sélectionne le taux en vigueur à ``date_reference``, une ligne par commune.

    Pour chaque commune et organisme, le taux en vigueur est celui dont la date
    de début est la plus récente parmi celles ≤ ``date_reference``. Les
    arrondissements municipaux (Paris, Marseille, Lyon) sont regroupés sur le
    code de leur commune (75056, 13055, 69123) ; des taux divergents entre
    arrondissements seraient signalés (le plus élevé est gardé).

    Paramètres
    ----------
    brut : DataFrame
        Sortie de :func:`deplier_taux_versement_mobilite`.
    date_reference : str ou date
        Date de lecture des taux.

    Renvoie
    -------
    DataFrame
        Une ligne par commune présente dans le fichier :

        - ``code_commune`` (str) ;
        - ``versement_mobilite`` (boolean) : taux total en vigueur > 0 ;
        - ``taux_versement_mobilite`` (float64, % de la masse salariale) : taux
          AOM + taux additionnel SMT en vigueur (NaN si aucun taux en vigueur) ;
        - ``taux_versement_mobilite_aom`` (float64, %), ``nom_aom`` (str),
          ``date_taux_aom`` (datetime64) : taux de l'autorité organisatrice,
          son nom, la date de début du taux ;
        - ``taux_versement_mobilite_additionnel`` (float64, %), ``nom_smt``
          (str), ``date_taux_additionnel`` (datetime64) : idem pour le
          versement additionnel d'un syndicat mixte de transport ;
        - ``date_reference`` (datetime64).

        Une commune dont tous les taux débutent après la date de référence a
        des taux NaN et ``versement_mobilite`` faux. Rapport dans
        ``attrs["rapport"]``.

    Exemples
    --------
    >>> d = {"10013": {"aot": {"nom": "CA", "taux": {"2018-01-01": "1.05",
    ...                                               "2025-01-01": "1.2"}}}}
    >>> t = preparer_versement_mobilite(deplier_taux_versement_mobilite(d), "2024-01-01")
    >>> t[["code_commune", "versement_mobilite", "taux_versement_mobilite"]].values.tolist()
    [['10013', True, 1.05]]
    """
    source = "versement mobilité"
    ref = _date_reference(date_reference)
    _verifier_colonnes(brut, ["code_source", "organisme", "nom_organisme", "date_debut", "taux"], source)
    rap_brut = rapport(brut)

    codes, rap_codes = normaliser_code_commune(brut["code_source"])
    dates = pd.to_datetime(brut["date_debut"], format="%Y-%m-%d", errors="coerce")
    taux = pd.to_numeric(brut["taux"], errors="coerce").astype("float64")
    invalides = codes.isna() | dates.isna() | taux.isna() | ~brut["organisme"].isin(_ORGANISMES)
    lignes_invalides = brut[invalides]

    long = pd.DataFrame({
        "code_source": codes, "code_commune": _commune_des_arrondissements(codes),
        "organisme": brut["organisme"].map(_ORGANISMES), "nom": brut["nom_organisme"],
        "date": dates, "taux": taux,
    })[~invalides]
    toutes = pd.Index(long["code_commune"].unique(), name="code_commune")
    en_vigueur = (
        long[long["date"] <= ref]
        .sort_values(["code_source", "organisme", "date"])
        .groupby(["code_source", "organisme"], sort=False)
        .tail(1)
    )
    larges = en_vigueur.pivot(index="code_source", columns="organisme", values=["taux", "nom", "date"])
    larges.columns = [f"{v}_{o}" for v, o in larges.columns]
    for o in _ORGANISMES.values():
        for v in ("taux", "nom", "date"):
            if f"{v}_{o}" not in larges.columns:
                larges[f"{v}_{o}"] = np.nan
    larges["code_commune"] = _commune_des_arrondissements(larges.index.to_series().astype("str"))

    table, conflits = _regrouper_arrondissements(larges, source)
    table = table.set_index("code_commune").reindex(toutes).reset_index()
    total = table[["taux_aom", "taux_additionnel"]].sum(axis=1, min_count=1)
    sortie = pd.DataFrame({
        "code_commune": table["code_commune"].astype("str"),
        "versement_mobilite": (total > 0).astype("boolean"),
        "taux_versement_mobilite": total.astype("float64"),
        "taux_versement_mobilite_aom": table["taux_aom"].astype("float64"),
        "nom_aom": table["nom_aom"].astype("str"),
        "date_taux_aom": pd.to_datetime(table["date_aom"]),
        "taux_versement_mobilite_additionnel": table["taux_additionnel"].astype("float64"),
        "nom_smt": table["nom_additionnel"].astype("str"),
        "date_taux_additionnel": pd.to_datetime(table["date_additionnel"]),
        "date_reference": ref,
    }).sort_values("code_commune", ignore_index=True)

    arr = long.loc[long["code_source"] != long["code_commune"], "code_source"].unique()
    pas_en_vigueur = sortie.loc[sortie["taux_versement_mobilite"].isna(), "code_commune"]
    _signaler(source, "lignes de taux illisibles (code, date ou taux ; écartées)",
              lignes_invalides["code_source"])
    _signaler(source, "communes sans taux en vigueur à la date de référence", pas_en_vigueur)
    sortie.attrs["rapport"] = {
        "source": source,
        "date_reference": ref.date().isoformat(),
        "codes_lus": rap_brut.get("codes_lus", int(brut["code_source"].nunique())),
        "codes_sans_taux": rap_brut.get("codes_sans_taux", []),
        "lignes_taux_lues": len(brut),
        "lignes_taux_invalides": len(lignes_invalides),
        "exemples_lignes_invalides": lignes_invalides.head(_EXEMPLES).to_dict("records"),
        **rap_codes,
        "arrondissements_regroupes": len(arr),
        "conflits_arrondissements": conflits,
        "lignes_ecrites": len(sortie),
        "nb_versement_mobilite": int(sortie["versement_mobilite"].sum()),
        "nb_avec_taux_aom": int(sortie["taux_versement_mobilite_aom"].notna().sum()),
        "nb_avec_taux_additionnel": int(sortie["taux_versement_mobilite_additionnel"].notna().sum()),
        "nb_taux_nul": int((sortie["taux_versement_mobilite"] == 0).sum()),
        "nb_sans_taux_en_vigueur": len(pas_en_vigueur),
        "date_debut_max_fichier": None if long.empty else long["date"].max().date().isoformat(),
    }
    return sortie


def _regrouper_arrondissements(
    larges: pd.DataFrame, source: str
) -> tuple[pd.DataFrame, list[str]]:
    """Une ligne par commune ; les arrondissements divergents sont signalés."""
    valeurs = ["taux_aom", "taux_additionnel", "nom_aom", "nom_additionnel"]
    multiples = larges["code_commune"].duplicated(keep=False)
    conflits: list[str] = []
    if multiples.any():
        groupe = larges[multiples].groupby("code_commune")[valeurs].nunique(dropna=False)
        conflits = list(groupe.index[(groupe > 1).any(axis=1)])
        _signaler(source, "communes dont les arrondissements ont des taux divergents "
                  "(taux le plus élevé gardé)", conflits)
    total = larges[["taux_aom", "taux_additionnel"]].astype("float64").sum(axis=1)
    table = (
        larges.assign(_total=total)
        .sort_values(["code_commune", "_total"], ascending=[True, False])
        .drop_duplicates("code_commune")
        .drop(columns="_total")
        .reset_index(drop=True)
    )
    return table, conflits
