"""Connecteurs web : sources officielles en ligne, avec cache vérifié et repli hors ligne.

Ces sources n'existent que sur les portails des producteurs (Arcep, Insee BPE,
Filosofi, MOBPRO et zonages d'étude, ANCT France services, France Tiers-Lieux,
cartographie nationale de la médiation numérique). Chacune est déclarée dans ``sources_web.toml`` et a son analyseur,
qui rend une table communale au COG courant.

- :func:`charger` : télécharge si besoin, vérifie, analyse (erreur française sinon) ;
- :func:`essayer` : la même chose pour un carnet — ``None`` et UNE ligne de
  message si la source n'est pas disponible, jamais de trace ni de table vide ;
- :func:`table_communale` : la table déjà en cache (utilisée par
  :func:`territoire_lib.indicateurs` pour les indicateurs ``source_web``) ;
- :func:`statut` : les sources et leur état dans le cache.

Exemples
--------
>>> from territoire_lib.connecteurs import statut
>>> "insee_filosofi_2021" in set(statut()["source"])
True
"""
from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable
from functools import lru_cache, partial

import pandas as pd

from ..erreurs import ErreurSource, IndicateurNonDisponible
from ..format import nombre
from . import arcep, bpe, bpe_communes, commun, filosofi, france_services, lieux, mobpro, rp_logements, zonages
from .commun import (
    COMMANDE_TELECHARGER,
    EmpreinteWebInattendue,
    FichierWebNonConforme,
    SourceWebIndisponible,
    bruts_presents,
    chemin_brut,
    chemin_table,
    importer,
    lire_sources_web,
    registre_empreintes,
    source_web,
    telecharger,
)

__all__ = [
    "ANALYSEURS",
    "SourceWebIndisponible",
    "EmpreinteWebInattendue",
    "FichierWebNonConforme",
    "sources",
    "telecharger",
    "importer",
    "analyser",
    "charger",
    "essayer",
    "indicateurs_en_ligne",
    "VUES",
    "table_communale",
    "empreinte_analyseur",
    "disponible",
    "rapport",
    "statut",
    "millesime_en_cache",
]

#: Analyseur (fichier brut → table communale) de chaque source.
ANALYSEURS: dict[str, Callable] = {
    arcep.SOURCE: arcep.analyser,
    bpe.SOURCE: bpe.analyser,
    filosofi.SOURCE: filosofi.analyser,
    mobpro.SOURCE: mobpro.analyser,
    lieux.TIERS_LIEUX: lieux.analyser_tiers_lieux,
    lieux.MEDIATION: lieux.analyser_mediation,
    france_services.SOURCE: france_services.analyser,
    bpe_communes.SOURCE: bpe_communes.analyser,
    filosofi.SOURCE_2017: filosofi.analyser_2017,
    filosofi.SERIES: filosofi.analyser_series,
    **{source: partial(rp_logements.analyser, annee) for annee, source in rp_logements.SOURCES.items()},
    rp_logements.SERIES: rp_logements.analyser_series,
    **{source: partial(zonages.analyser, zonage) for zonage, (source, *_) in zonages.ZONAGES.items()},
}


#: Autres tables qu'une source sait produire (``essayer(source, vue=...)``).
VUES: dict[str, dict[str, Callable]] = {
    mobpro.SOURCE: {"flux": mobpro.flux},
}


def sources() -> pd.DataFrame:
    """Les sources web déclarées (producteur, millésime, licence, adresse, empreinte épinglée)."""
    return pd.DataFrame([
        {"source": s.id, "titre": s.titre, "producteur": s.producteur, "millesime": s.millesime,
         "licence": s.licence, "url": s.url, "sha256": s.sha256 or "non épinglée"}
        for s in lire_sources_web().values()
    ])


def _chemin_rapport(source_id: str):
    return chemin_table(source_web(source_id)).with_suffix(".rapport.json")


def analyser(source_id: str, chemin=None) -> pd.DataFrame:
    """Analyse le fichier brut d'une source (sans téléchargement) et met la table en cache.

    Paramètres
    ----------
    source_id : str
        Identifiant de la source.
    chemin : Path, optionnel
        Fichier brut (par défaut celui du cache).

    Renvoie
    -------
    DataFrame
        Table communale, ``attrs["rapport"]`` = rapport d'harmonisation.
    """
    src = source_web(source_id)
    table = ANALYSEURS[source_id](chemin)
    rapport_ = table.attrs.get("rapport", {})
    if chemin is None:
        cible = chemin_table(src)
        cible.parent.mkdir(parents=True, exist_ok=True)
        table.to_parquet(cible, index=False)
        empreinte = registre_empreintes().get(source_id, {}).get("sha256", "")
        _chemin_rapport(source_id).write_text(
            json.dumps({"sha256_brut": empreinte, "empreinte_analyseur": empreinte_analyseur(source_id),
                        **rapport_}, ensure_ascii=False, indent=1, default=str),
            encoding="utf-8")
    table.attrs["rapport"] = rapport_
    return table


def charger(source_id: str, forcer: bool = False) -> pd.DataFrame:
    """Table communale d'une source : cache, sinon téléchargement vérifié puis analyse.

    Lève
    ----
    SourceWebIndisponible, EmpreinteWebInattendue, ErreurSource
        Messages en français nommant la source et son adresse.
    """
    src = source_web(source_id)
    if not forcer and chemin_table(src).exists() and bruts_presents(src):
        return table_communale(source_id)
    telecharger(source_id, forcer=forcer)
    return analyser(source_id)


def _resume(source_id: str, table: pd.DataFrame) -> str:
    r = table.attrs.get("rapport", {})
    src = source_web(source_id)
    return (f"{src.producteur} ({src.millesime}) : {nombre(len(table), 0)} communes ; "
            f"{nombre(len(r.get('codes_traduits', {})), 0)} codes traduits au COG courant, "
            f"{nombre(len(r.get('codes_non_apparies', [])), 0)} codes non appariés "
            f"(détail : territoire_lib.connecteurs.rapport('{source_id}')).")


def essayer(source_id: str, verbeux: bool = True, vue: str | None = None) -> pd.DataFrame | None:
    """Pour un carnet : la table de la source, ou ``None`` avec une ligne d'explication.

    Ne lève jamais d'erreur et ne rend jamais de table vide : sans réseau, après
    un téléchargement interrompu ou sur un fichier corrompu, affiche une seule
    ligne en français (source, adresse, motif) et renvoie ``None``.

    Paramètres
    ----------
    source_id : str
        Identifiant de la source (voir :func:`sources`).
    verbeux : bool
        Affiche aussi, en cas de succès, une ligne de résumé (communes, codes
        traduits, codes non appariés).
    vue : str, optionnel
        Autre table de la source (voir :data:`VUES`, ex. ``"flux"`` pour la
        table origine-destination de MOBPRO).

    Renvoie
    -------
    DataFrame ou None
    """
    try:
        if vue is not None:
            if vue not in VUES.get(source_id, {}):
                raise ErreurSource(f"vue « {vue} » inconnue pour {source_id} "
                                   f"(vues : {', '.join(VUES.get(source_id, {})) or 'aucune'}).")
            telecharger(source_id)
            table = VUES[source_id][vue]()
            verbeux = False
        else:
            table = charger(source_id)
        if table is None or table.empty:
            raise ErreurSource("la table obtenue est vide.")
    except Exception as exc:  # un carnet ne doit jamais afficher de trace
        try:
            src = source_web(source_id)
            nom, url = f"{src.producteur} — {src.titre}", src.url
        except ErreurSource:
            nom, url = source_id, "adresse inconnue"
        motif = getattr(exc, "raison", None) or str(exc).split(" Motif : ")[-1]
        print(" ".join(f"Section en ligne ignorée — {nom} non disponible ({url}) : {motif}".split()))
        return None
    if verbeux:
        print(_resume(source_id, table))
    return table


def millesime_en_cache(source_id: str) -> str:
    """Une ligne : quelle version de la source le cache sert (millésime, date du fichier, empreinte).

    Exemples
    --------
    >>> millesime_en_cache("source_inconnue")
    'Source en ligne inconnue : source_inconnue.'
    """
    src = lire_sources_web().get(source_id)
    if src is None:
        return f"Source en ligne inconnue : {source_id}."
    if src.composantes:  # série : le millésime et la date de chaque fichier
        parties = [millesime_en_cache(c).removeprefix("Données en ligne utilisées : ").rstrip(".")
                   for c in src.composantes]
        return f"Données en ligne utilisées : {' ; '.join(parties)}."
    info = registre_empreintes().get(source_id, {})
    date = info.get("telecharge_le", "")[:10]
    quand = f"fichier en cache du {date[8:10]}/{date[5:7]}/{date[:4]}" if date else "fichier en cache (date inconnue)"
    empreinte = f", sha256 {info['sha256'][:12]}…" if info.get("sha256") else ""
    return f"Données en ligne utilisées : {src.producteur}, {src.millesime} — {quand}{empreinte}."


def indicateurs_en_ligne(ids: str | list[str], niveau: str = "commune", **options) -> pd.DataFrame | None:
    """:func:`territoire_lib.indicateurs` pour des indicateurs de sources en ligne, sans risque en atelier.

    Télécharge au besoin chaque source web nécessaire (via :func:`essayer`) ;
    si l'une manque, une ligne d'explication et ``None``. En cas de succès,
    une ligne par source dit quelle version le cache sert
    (:func:`millesime_en_cache` : millésime, date du fichier, empreinte).

    Paramètres
    ----------
    ids : str ou liste de str
        Indicateurs du catalogue (les indicateurs hors ligne sont acceptés aussi).
    niveau : str
        Niveau ou regroupement, comme pour :func:`territoire_lib.indicateurs` ; un
        zonage d'étude en ligne (``aav2020``, ``uu2020``, ``bv2022``, ``ze2020``…)
        est téléchargé au besoin comme les sources des indicateurs.
    **options
        ``millesime``, ``codes``, ``couverture``.

    Renvoie
    -------
    DataFrame ou None
    """
    from ..catalogue import indicateur, regroupements
    from ..chargement import indicateurs

    ids = [ids] if isinstance(ids, str) else list(ids)
    try:
        zonage = regroupements().get(niveau, {}).get("source_web", "")
        besoins = sorted({indicateur(i).source_web for i in ids} - {""} | ({zonage} - {""}))
    except Exception as exc:
        print(" ".join(f"Indicateurs en ligne non calculés : {exc}".split()))
        return None
    for sid in besoins:
        if essayer(sid, verbeux=False) is None:
            return None
    try:
        res = indicateurs(ids, niveau=niveau, **options)
    except Exception as exc:  # message en une ligne, jamais de trace dans un carnet
        print(" ".join(f"Indicateurs en ligne non calculés : {exc}".split()))
        return None
    for sid in besoins:  # chaque section en ligne dit quel millésime du cache elle utilise
        print(millesime_en_cache(sid))
    return res


@lru_cache(maxsize=None)
def empreinte_analyseur(source_id: str) -> str:
    """Empreinte du code de l'analyseur d'une source (module entier), gardée avec sa table en cache.

    Une table analysée par une version antérieure de l'analyseur (colonnes ajoutées depuis, règle
    changée) est recalculée depuis le fichier brut du cache, sans réseau, au lieu d'être servie
    telle quelle.

    >>> len(empreinte_analyseur("insee_filosofi_2021"))
    16
    """
    fonction = ANALYSEURS[source_id]
    fonction = getattr(fonction, "func", fonction)  # functools.partial
    code = inspect.getsource(inspect.getmodule(fonction)) + inspect.getsource(commun)
    return hashlib.sha256(code.encode("utf-8")).hexdigest()[:16]


def table_communale(source_id: str, indicateur: str | None = None) -> pd.DataFrame:
    """Table communale déjà en cache (aucun accès réseau).

    Lève
    ----
    IndicateurNonDisponible
        La source n'a jamais été téléchargée : le message dit comment faire.
    """
    src = source_web(source_id)
    cible = chemin_table(src)
    rapport_ = rapport(source_id) if cible.exists() else {}
    perimee = cible.exists() and rapport_.get("empreinte_analyseur") != empreinte_analyseur(source_id)
    if perimee and bruts_presents(src):
        return analyser(source_id)  # analyseur changé depuis : recalcul depuis le brut en cache
    if not cible.exists():
        if bruts_presents(src):
            return analyser(source_id)
        objet = f"L'indicateur « {indicateur} » vient" if indicateur else "Cette table vient"
        raise IndicateurNonDisponible(
            f"{objet} d'une source en ligne ({src.producteur}, {src.millesime}) absente du cache "
            f"({cible.parent.parent}). Téléchargez-la une fois, avec une connexion : "
            f"`{COMMANDE_TELECHARGER} {source_id}` (ou territoire_lib.connecteurs.essayer('{source_id}') "
            f"dans un carnet). Adresse officielle : {src.url}"
        )
    try:
        table = pd.read_parquet(cible)
    except Exception as exc:
        raise ErreurSource(f"Table en cache illisible ({cible}) : supprimez-la, elle sera recalculée ({exc}).") from exc
    table.attrs["rapport"] = rapport_
    return table


def disponible(source_id: str) -> bool:
    """Vrai si la source est dans le cache (fichier brut ou table analysée) : aucun accès réseau.

    >>> disponible("source_inconnue")
    False
    """
    src = lire_sources_web().get(source_id)
    return src is not None and (chemin_table(src).exists() or bruts_presents(src))


def rapport(source_id: str) -> dict:
    """Rapport d'harmonisation de la dernière analyse (codes traduits, non appariés…)."""
    chemin = _chemin_rapport(source_id)
    return json.loads(chemin.read_text(encoding="utf-8")) if chemin.exists() else {}


def statut() -> pd.DataFrame:
    """Sources déclarées et état du cache (téléchargée, analysée, empreinte).

    Renvoie
    -------
    DataFrame
        ``source``, ``producteur``, ``millesime``, ``fichier_brut`` (bool),
        ``table`` (bool), ``sha256_constatee``, ``sha256_epinglee``.
    """
    reg = registre_empreintes()
    return pd.DataFrame([
        {"source": s.id, "producteur": s.producteur, "millesime": s.millesime,
         "fichier_brut": bruts_presents(s), "table": chemin_table(s).exists(),
         "sha256_constatee": reg.get(s.id, {}).get("sha256", ""), "sha256_epinglee": s.sha256}
        for s in lire_sources_web().values()
    ])
