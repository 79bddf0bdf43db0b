"""Lecture des données construites (``donnees/``) : indicateurs et géométries.

Les fichiers sont vérifiés contre le manifeste (empreinte sha256) à leur
première lecture dans le processus ; les tables sont gardées en mémoire.
Les carnets passent toujours par ces fonctions, jamais par les fichiers.
"""
from __future__ import annotations

import json
import logging
import threading
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import agregation
from .catalogue import indicateur, niveaux, regroupements
from .chemins import dossier_donnees
from .erreurs import (
    DonneesAlterees,
    DonneesManquantes,
    IndicateurNonDisponible,
    NiveauInconnu,
    ResultatVide,
)
from .format import nombre

__all__ = [
    "manifeste",
    "chemin_fichier",
    "table_communes",
    "territoires",
    "indicateurs",
    "geometries",
    "journal_construction",
    "table_blocs",
    "completude",
    "lire_configuration",
    "vider_cache",
]

journal = logging.getLogger(__name__)
_verifies: set[Path] = set()
_verrou = threading.Lock()

#: Fichier (relatif à ``donnees/``) de chaque niveau.
FICHIERS_TERRITOIRES = {n: f"territoires/{n}.parquet" for n in ("commune", "epci", "departement", "region")}
FICHIERS_GEO = {n: f"geo/{n}.parquet" for n in ("commune", "epci", "departement", "region")}
FICHIER_COMMUNES = "indicateurs/communes.parquet"
#: Valeurs connues seulement pour des ensembles de communes (communes rétablies…), voir :func:`table_blocs`.
FICHIER_BLOCS = "indicateurs/blocs.parquet"
COLONNES_BLOCS = ["colonne", "bloc", "code_commune", "valeur", "motif"]
CLES_NIVEAU = {"commune": "code_commune", "epci": "code_epci", "departement": "code_departement",
               "region": "code_region"}


@lru_cache(maxsize=4)
def _manifeste(dossier: Path) -> dict:
    chemin = dossier / "manifest.json"
    if not chemin.exists():
        raise DonneesManquantes(chemin, "Le manifeste des données est absent.")
    with open(chemin, encoding="utf-8") as f:
        return json.load(f)


def manifeste() -> dict:
    """Le manifeste des données (empreintes, lignes, colonnes, sources)."""
    return _manifeste(dossier_donnees())


def _sha256(chemin: Path) -> str:
    from .construction.sources import sha256_fichier

    return sha256_fichier(chemin)


def chemin_fichier(relatif: str, verifier: bool = True) -> Path:
    """Chemin d'un fichier de ``donnees/``, vérifié contre le manifeste.

    Lève
    ----
    DonneesManquantes
        Le fichier (ou le manifeste) est absent.
    DonneesAlterees
        Son empreinte diffère du manifeste (fichier tronqué ou modifié).
    """
    dossier = dossier_donnees()
    chemin = dossier / relatif
    if not chemin.exists():
        raise DonneesManquantes(chemin)
    if verifier and chemin not in _verifies:
        attendu = _manifeste(dossier).get("fichiers", {}).get(relatif, {}).get("sha256")
        if attendu is None:
            raise DonneesManquantes(chemin, "Ce fichier n'est pas décrit dans manifest.json.")
        obtenu = _sha256(chemin)
        if obtenu != attendu:
            raise DonneesAlterees(chemin, attendu, obtenu)
        with _verrou:
            _verifies.add(chemin)
    return chemin


def _lire(relatif: str, colonnes: list[str] | None = None, filtres: list[tuple] | None = None) -> pd.DataFrame:
    """Fichier Parquet de ``donnees/`` (empreinte vérifiée) ; ``colonnes`` et ``filtres`` (pyarrow,
    p. ex. ``[("code", "==", "25056")]``) ne lisent que ce qui est demandé."""
    chemin = chemin_fichier(relatif)
    try:
        return pd.read_parquet(chemin, columns=colonnes, filters=filtres)
    except Exception as exc:  # fichier illisible malgré une empreinte correcte
        raise DonneesAlterees(chemin, "lisible", f"illisible ({exc})") from exc


def lire_configuration(chemin: str | Path) -> dict:
    """Contenu d'un fichier de configuration YAML de la bibliothèque (``fiche.yaml``, ``modeles.yaml``…).

    Les modules de thème ne lisent aucun fichier eux-mêmes : ils passent par le
    chargement. La validation du contenu reste à l'appelant.

    Paramètres
    ----------
    chemin : str ou Path
        Fichier YAML (UTF-8).

    Renvoie
    -------
    dict
        Contenu lu (``{}`` pour un fichier vide).

    Lève
    ----
    FileNotFoundError
        Le fichier n'existe pas (l'appelant le dit en français).

    Exemples
    --------
    >>> from territoire_lib.chemins import RACINE_PAQUET
    >>> sorted(lire_configuration(RACINE_PAQUET / "fiche.yaml"))
    ['carnets', 'categories', 'elements']
    """
    import yaml

    with open(chemin, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


@lru_cache(maxsize=1)
def table_communes() -> pd.DataFrame:
    """Toutes les colonnes de base des communes (une ligne par commune du COG courant)."""
    return _lire(FICHIER_COMMUNES)


@lru_cache(maxsize=1)
def table_blocs() -> pd.DataFrame:
    """Valeurs connues seulement pour un ensemble de communes (« blocs »).

    Une commune rétablie après une fusion n'a pas de population propre aux
    millésimes où elle faisait partie d'une autre commune : l'Insee n'a publié
    que celle de l'ensemble. Chaque ligne relie un membre du bloc à la valeur
    de l'ensemble (``colonne, bloc, code_commune, valeur, motif``). Un
    territoire qui contient tout le bloc est complet ; à la commune, la
    valeur reste inconnue. Table vide si les données n'en ont pas.

    Exemples
    --------
    >>> list(table_blocs().columns)
    ['colonne', 'bloc', 'code_commune', 'valeur', 'motif']
    """
    if FICHIER_BLOCS not in _manifeste(dossier_donnees()).get("fichiers", {}):
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "valeur" else "string") for c in COLONNES_BLOCS})
    return _lire(FICHIER_BLOCS)[COLONNES_BLOCS]


def _verifier_niveau(niveau: str) -> str:
    valides = niveaux() + list(regroupements())
    if niveau not in valides:
        raise NiveauInconnu(niveau, valides)
    return niveau


@lru_cache(maxsize=8)
def _territoires(niveau: str) -> pd.DataFrame:
    return _lire(FICHIERS_TERRITOIRES[niveau])


def territoires(niveau: str = "commune") -> pd.DataFrame:
    """Référentiel des territoires d'un niveau (code, nom, appartenances).

    Exemples
    --------
    >>> len(territoires("region"))
    18
    """
    if _verifier_niveau(niveau) not in FICHIERS_TERRITOIRES:
        raise IndicateurNonDisponible(
            f"Le niveau « {niveau} » est un regroupement de communes : il n'a pas de référentiel "
            f"propre. Niveaux avec référentiel : {', '.join(FICHIERS_TERRITOIRES)}."
        )
    return _territoires(niveau).copy()


def _cle(niveau: str, table: pd.DataFrame) -> pd.Series | None:
    if niveau == "commune":
        return None
    if niveau in CLES_NIVEAU:
        return table[CLES_NIVEAU[niveau]]
    colonne = regroupements()[niveau]["colonne"]
    if colonne is None:  # « france » : un seul groupe
        return pd.Series("France", index=table.index, name=niveau)
    return table[colonne]


def _regroupement_de(ind) -> str:
    colonne = ind.agregation.get("colonne")
    return next((k for k, v in regroupements().items() if v["colonne"] == colonne), "degurba")


def _table_avec_web(inds, niveau: str = "commune") -> pd.DataFrame:
    """Table des communes, complétée des colonnes des sources web (cache) dont dépendent ``inds`` et ``niveau``."""
    table = table_communes()
    web = {i.source_web: i.id for i in inds if i.source_web}
    zonage = regroupements().get(niveau, {}).get("source_web")  # regroupement issu d'une source web
    if zonage:
        web.setdefault(zonage, None)
    if not web:
        return table
    from .connecteurs import table_communale

    table = table.copy()
    for source_id, ind_id in sorted(web.items()):
        t = table_communale(source_id, indicateur=ind_id).set_index("code_commune")
        for col in t.columns.difference(table.columns):
            table[col] = table["code_commune"].map(t[col])
    return table


def indicateurs(
    ids: str | list[str],
    niveau: str = "commune",
    millesime=None,
    codes: list[str] | None = None,
    couverture: bool = False,
    partiel: bool = False,
) -> pd.DataFrame:
    """Indicateurs du catalogue à un niveau, une colonne par indicateur.

    Chaque valeur agrégée est **complète ou NaN** : un territoire dont une
    commune n'a pas de valeur (ni bloc qui la couvre) reçoit NaN, et
    ``attrs["completude"][id]`` dit combien de communes manquent et
    lesquelles (:func:`territoire_lib.lignee.expliquer` dit pourquoi). Les
    indicateurs définis sur une base déclarée (« mairies dont les horaires
    sont publiés ») sont calculés sur les communes renseignées, et le disent.

    Paramètres
    ----------
    ids : str ou liste de str
        Identifiants du catalogue (voir :func:`territoire_lib.catalogue`).
    niveau : str
        ``commune``, ``epci``, ``departement``, ``region`` ou un regroupement
        (``degurba``, ``nature_epci``, ``zonage_abc``, ``taille_commune``…).
    millesime : int, str ou dict, optionnel
        Millésime commun, ou ``{id: millésime}`` ; par défaut le plus récent.
    codes : liste de str, optionnel
        Ne garder que ces territoires (codes du niveau).
    couverture : bool
        Ajoute, pour chaque indicateur, les colonnes ``<id>_communes_non_renseignees``
        (communes du territoire sans valeur ni bloc qui les couvre) et ``<id>_statut``
        (« complet », « incomplet », « partiel », « sur les communes renseignées »,
        « non disponible »).
    partiel : bool
        Rend, au lieu de NaN, la somme sur les seules communes renseignées d'un
        territoire incomplet ; elle est étiquetée « partiel » (``attrs``, statut,
        lignes de source et infobulles des cartes).

    Renvoie
    -------
    DataFrame
        Indexé par le code du niveau, avec le nom du territoire quand il existe.

    Exemples
    --------
    >>> df = indicateurs(["population", "part_65_ans_et_plus"], niveau="region")
    >>> int(df.loc["11", "population"]) > 12_000_000
    True
    """
    ids = [ids] if isinstance(ids, str) else list(ids)
    _verifier_niveau(niveau)
    inds = [indicateur(i) for i in ids]
    table = _table_avec_web(inds, niveau)
    cle = _cle(niveau, table)
    colonnes, completudes = {}, {}
    for ind in inds:
        m = millesime.get(ind.id) if isinstance(millesime, dict) else millesime
        m = ind.verifier_millesime(m)
        if niveau != "commune" and ind.agregation["type"] == "valeur_communale":
            raise IndicateurNonDisponible(
                f"« {ind.id} » ({ind.libelle}) est une statistique non additive : elle n'existe qu'au niveau "
                f"commune (niveau demandé : {niveau}). Une médiane de communes n'est pas la médiane du "
                "territoire : utilisez la valeur publiée par le producteur pour ce niveau, ou un indicateur "
                "additif (taux avec numérateur et dénominateur)."
            )
        if niveau != "commune" and not ind.agregeable:
            raise IndicateurNonDisponible(
                f"« {ind.id} » est une classe de commune : elle n'existe qu'au niveau commune (niveau "
                f"demandé : {niveau}). Pour comparer les classes entre elles, utilisez-la comme regroupement : "
                f"indicateurs('population', niveau='{_regroupement_de(ind)}')."
            )
        r = agregation.calculer_detail(table, ind, m, cle, blocs=table_blocs(), partiel=partiel,
                                       territorial=niveau in CLES_NIVEAU)
        serie, compl = r.valeurs, r.completude
        if niveau == "commune":
            serie.index = compl.index = table["code_commune"]
        colonnes[ind.id] = serie
        completudes[ind.id] = (m, compl)
        if couverture:
            colonnes[f"{ind.id}_communes_non_renseignees"] = compl["nb_sans_valeur"]
            colonnes[f"{ind.id}_statut"] = compl["statut"]
    res = pd.DataFrame(colonnes)
    res.index.name = CLES_NIVEAU.get(niveau, niveau)
    if niveau in FICHIERS_TERRITOIRES:
        ref = _territoires(niveau).set_index(CLES_NIVEAU[niveau])
        nom = next(c for c in ref.columns if c.startswith("nom_"))
        res = ref[[nom]].join(res, how="left")
    if codes is not None:
        from .geographie import codes_courants

        codes = codes_courants(codes, niveau) if niveau in FICHIERS_TERRITOIRES else list(codes)
        res = res.loc[[c for c in codes if c in res.index]]
    if res.empty:
        raise ResultatVide(f"Aucun territoire ne correspond à la demande (niveau {niveau}, codes {codes}).")
    par_id = {x.id: x for x in inds}
    res.attrs["completude"] = {i: _resume_completude(par_id[i], m, c.reindex(res.index), partiel, niveau)
                               for i, (m, c) in completudes.items()}
    return res


def _resume_completude(ind, millesime, compl: pd.DataFrame, partiel: bool, niveau: str) -> dict:
    """Résumé sérialisable de la complétude d'un indicateur (pour ``attrs`` et les infobulles).

    À la commune, seuls les décomptes par statut (le détail : ``couverture=True`` ou :func:`completude`).
    """
    pas_complet = compl[compl["statut"].notna() & (compl["statut"] != "complet")] if niveau != "commune" else compl.iloc[:0]
    resume = {
        "millesime": None if millesime is None else str(millesime),
        "partiel": bool(partiel),
        "base": ind.agregation.get("base_libelle") if agregation.base_renseignees(ind) else None,
        "statuts": {str(k): int(v) for k, v in compl["statut"].value_counts().items()},
        "territoires": {str(code): {"statut": s, "nb_communes": int(n), "nb_sans_valeur": int(k),
                                    "exemples": list(ex[:5])}
                        for code, s, n, k, ex in zip(pas_complet.index, pas_complet["statut"],
                                                     pas_complet["nb_communes"], pas_complet["nb_sans_valeur"],
                                                     pas_complet.get("codes_sans_valeur", pas_complet["statut"]))},
    }
    n = sum(v for k, v in resume["statuts"].items() if k in ("incomplet", "partiel"))
    if n:
        journal.info("« %s » (%s) : %s territoire(s) incomplet(s) %s ; le détail : "
                     "territoire_lib.lignee.expliquer(%r, code).", ind.id, millesime, nombre(n, 0),
                     "rendus en somme partielle (partiel=True)" if partiel else "laissés à NaN", ind.id)
    return resume


def completude(identifiant: str, niveau: str = "commune", millesime=None, codes: list[str] | None = None,
               partiel: bool = False) -> pd.DataFrame:
    """Complétude d'un indicateur à un niveau : une ligne par territoire.

    Colonnes ``nb_communes``, ``nb_sans_valeur``, ``nb_par_bloc``, ``nb_hors_champ``,
    ``statut`` et, au-delà de la commune, ``codes_sans_valeur``.

    Exemples
    --------
    >>> c = completude("population", niveau="region", millesime=2023)
    >>> c.loc["06", "statut"], int(c.loc["06", "nb_hors_champ"])  # Mayotte : hors du champ des populations
    ('non disponible', 17)
    """
    _verifier_niveau(niveau)
    ind = indicateur(identifiant)
    m = ind.verifier_millesime(millesime)
    table = _table_avec_web([ind], niveau)
    r = agregation.calculer_detail(table, ind, m, _cle(niveau, table), blocs=table_blocs(), partiel=partiel,
                                   territorial=niveau in CLES_NIVEAU)
    compl = r.completude
    if niveau == "commune":
        compl.index = table["code_commune"]
    compl.index.name = CLES_NIVEAU.get(niveau, niveau)
    if codes is not None:
        from .geographie import codes_courants

        codes = codes_courants(codes, niveau) if niveau in FICHIERS_TERRITOIRES else list(codes)
        compl = compl.loc[[c for c in codes if c in compl.index]]
    return compl


@lru_cache(maxsize=8)
def _geometries(niveau: str):
    import geopandas as gpd

    chemin = chemin_fichier(FICHIERS_GEO[niveau])
    try:
        return gpd.read_parquet(chemin)
    except Exception as exc:
        raise DonneesAlterees(chemin, "lisible", f"illisible ({exc})") from exc


def geometries(niveau: str = "commune"):
    """Contours d'un niveau (GeoDataFrame, EPSG:4326), avec code et nom.

    Exemples
    --------
    >>> geometries("departement").crs.to_epsg()
    4326
    """
    if _verifier_niveau(niveau) not in FICHIERS_GEO:
        raise IndicateurNonDisponible(
            f"Pas de contours pour le regroupement « {niveau} ». Niveaux avec contours : {', '.join(FICHIERS_GEO)}."
        )
    return _geometries(niveau).copy()


@lru_cache(maxsize=1)
def _journal() -> dict:
    dossier = dossier_donnees()
    chemin = dossier / "journal_construction.json"
    if not chemin.exists():
        raise DonneesManquantes(chemin, "Le journal de construction est absent.")
    attendu = _manifeste(dossier).get("journal_sha256")
    obtenu = _sha256(chemin)
    if attendu is not None and obtenu != attendu:
        raise DonneesAlterees(chemin, attendu, obtenu)
    with open(chemin, encoding="utf-8") as f:
        return json.load(f)


def journal_construction(etape: str | None = None) -> dict:
    """Journal de construction des données (codes non appariés, lignes écartées), vérifié.

    Paramètres
    ----------
    etape : str, optionnel
        Une étape (``"mairies"``, ``"lycees"``, ``"versement_mobilite"``…) ; par défaut tout.

    Exemples
    --------
    >>> journal_construction("mairies")["horaires_statut"]["ok"] > 34_000
    True
    """
    j = _journal()
    if etape is None:
        return json.loads(json.dumps(j))
    if etape not in j:
        raise NiveauInconnu(etape, list(j))
    return json.loads(json.dumps(j[etape]))


def vider_cache() -> None:
    """Oublie les tables lues et les vérifications faites (après reconstruction)."""
    _verifies.clear()
    for f in (_manifeste, table_communes, table_blocs, _territoires, _geometries, _journal):
        f.cache_clear()
