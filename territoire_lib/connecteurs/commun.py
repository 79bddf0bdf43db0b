"""Socle commun des connecteurs web : sources déclarées, cache, empreintes, lecture, COG.

Les sources sont décrites dans ``territoire_lib/sources_web.toml`` (adresse
officielle, colonnes attendues, millésime, licence, empreinte épinglée). Les
fichiers sont téléchargés avec :mod:`pooch` dans ``$TERRITOIRE_CACHE/web/`` :

- première fois : l'empreinte sha256 est calculée, inscrite dans le registre du
  cache (``web/registre_empreintes.json``) et la ligne à épingler dans
  ``sources_web.toml`` est affichée ;
- empreinte épinglée : un fichier différent est refusé avec une erreur en
  français (:class:`EmpreinteWebInattendue`).

Les tables communales produites par les analyseurs sont gardées en parquet dans
le même cache, avec le rapport d'harmonisation (codes traduits au COG courant,
codes non appariés) : rien n'est écarté en silence.
"""
from __future__ import annotations

import json
import os
import re
import tomllib
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..chemins import RACINE_PAQUET, dossier_cache
from ..erreurs import ErreurSource, suggestions

__all__ = [
    "SourceWeb",
    "SourceWebIndisponible",
    "FichierWebNonConforme",
    "EmpreinteWebInattendue",
    "FICHIER_SOURCES_WEB",
    "TYPES_CATALOGUE_INSEE",
    "COMMANDE_TELECHARGER",
    "FICHIER_REGISTRE",
    "lire_sources_web",
    "source_web",
    "dossier_web",
    "chemin_brut",
    "chemin_table",
    "bruts_presents",
    "registre_empreintes",
    "telecharger",
    "importer",
    "verifier_schema",
    "lire_brut",
    "normaliser_code_commune",
    "harmoniser_codes",
    "sommer_par_commune",
    "points_reference_communes",
]

FICHIER_SOURCES_WEB = RACINE_PAQUET / "sources_web.toml"
#: Commande à indiquer à l'utilisateur pour remplir le cache.
COMMANDE_TELECHARGER = "python -m territoire_lib.connecteurs telecharger"
FICHIER_REGISTRE = "registre_empreintes.json"
AGENT = "territoires-en-transition (connecteurs web ; contact : voir README du dépôt)"
TYPES = {"str": "string", "int": "Int64", "float": "float64"}
#: Types du catalogue des fichiers de l'Insee (DoReMIFaSol, ``type_col``) → types déclarés ici.
TYPES_CATALOGUE_INSEE = {"character": "str", "integer": "int", "numeric": "float", "number": "float"}


@dataclass(frozen=True)
class SourceWeb:
    """Une source web officielle déclarée dans ``sources_web.toml``."""

    id: str
    titre: str
    producteur: str
    licence: str
    millesime: str
    page: str
    url: str
    format: str
    separateur: str
    encodage: str
    sha256: str = ""
    url_stable: bool = True
    membre: str = ""
    note: str = ""
    colonnes: dict = field(default_factory=dict)
    md5: str = ""
    octets: int = 0
    onglet: str = ""
    premiere_ligne: int = 0
    schema: dict = field(default_factory=dict)
    catalogue_insee: dict = field(default_factory=dict)
    hors_catalogue: str = ""
    ecart_catalogue: str = ""
    adresse_verifiee: bool = True
    composantes: list = field(default_factory=list)
    valeurs_manquantes: list = field(default_factory=list)

    @property
    def schema_complet(self) -> dict:
        """Toutes les colonnes attendues dans le fichier (``schema``, à défaut ``colonnes``)."""
        return self.schema or self.colonnes

    @property
    def nom_fichier(self) -> str:
        """Nom du fichier brut dans le cache (``<id>.<format>``)."""
        return f"{self.id}.{self.format}"


class SourceWebIndisponible(ErreurSource):
    """Source web injoignable, téléchargement interrompu ou fichier illisible."""

    def __init__(self, source: SourceWeb, raison: str):
        super().__init__(
            f"Source en ligne indisponible : {source.producteur} — {source.titre} ({source.url}). "
            f"Motif : {raison}"
        )
        self.source, self.raison = source, raison


class FichierWebNonConforme(ErreurSource):
    """Le fichier obtenu diffère de sa déclaration (taille, md5, colonnes, types) : rien n'est chargé."""

    def __init__(self, source: SourceWeb, ecarts: list[str], retire: bool = False):
        suite = (" Le fichier a été retiré du cache : rien n'a été chargé." if retire else
                 " Rien n'a été chargé.")
        super().__init__(
            f"Le fichier de « {source.id} » ({source.producteur}, {source.url}) ne correspond pas à sa "
            f"déclaration dans sources_web.toml : {' ; '.join(ecarts)}.{suite} Le producteur a peut-être "
            "publié une nouvelle version : vérifiez-la sur sa page "
            f"({source.page}) avant de mettre à jour la déclaration et l'analyseur."
        )
        self.source, self.ecarts, self.raison = source, ecarts, " ; ".join(ecarts)


class EmpreinteWebInattendue(FichierWebNonConforme):
    """Le fichier obtenu n'a pas l'empreinte épinglée dans ``sources_web.toml``."""

    def __init__(self, source: SourceWeb, obtenu: str):
        ErreurSource.__init__(self, 
            f"Le fichier de « {source.id} » ({source.url}) a l'empreinte sha256 {obtenu[:16]}… au lieu de "
            f"{source.sha256[:16]}… épinglée dans sources_web.toml : le producteur l'a modifié, ou le "
            "téléchargement est altéré. Ne l'utilisez pas sans vérification ; après vérification, mettez à "
            f"jour la ligne sha256 de « {source.id} » (ou relancez `{COMMANDE_TELECHARGER} {source.id} --forcer`)."
        )
        self.source, self.obtenu = source, obtenu
        self.ecarts = [f"empreinte sha256 {obtenu[:16]}… au lieu de {source.sha256[:16]}…"]
        self.raison = self.ecarts[0]


@lru_cache(maxsize=2)
def lire_sources_web(chemin: Path = FICHIER_SOURCES_WEB) -> dict[str, SourceWeb]:
    """Les sources web déclarées, par identifiant.

    Exemples
    --------
    >>> s = lire_sources_web()["insee_filosofi_2021"]
    >>> s.format, s.separateur
    ('zip', ';')
    """
    with open(chemin, "rb") as f:
        brut = tomllib.load(f)
    return {d["id"]: SourceWeb(**d) for d in brut["source"]}


def source_web(identifiant: str) -> SourceWeb:
    """La source ``identifiant`` ; sinon une erreur qui liste les identifiants proches.

    Exemples
    --------
    >>> source_web("insee_bpe_2023").producteur
    'Insee, Base permanente des équipements 2023'
    """
    sources = lire_sources_web()
    if identifiant not in sources:
        proches = suggestions(identifiant, sources) or list(sources)
        raise ErreurSource(
            f"Source web inconnue : « {identifiant} ». Sources déclarées : {', '.join(proches)} "
            "(liste complète : `python -m territoire_lib.connecteurs liste`)."
        )
    return sources[identifiant]


def dossier_web() -> Path:
    """Dossier des fichiers web (``$TERRITOIRE_CACHE/web``), hors du dépôt."""
    return dossier_cache() / "web"


def chemin_brut(source: SourceWeb) -> Path:
    """Chemin du fichier brut téléchargé (qu'il existe ou non)."""
    return dossier_web() / "brut" / source.nom_fichier


def bruts_presents(source: SourceWeb) -> bool:
    """Vrai si le fichier brut de la source (ou, pour une série, celui de chaque composante) est en cache."""
    if source.composantes:
        return all(bruts_presents(source_web(c)) for c in source.composantes)
    return chemin_brut(source).exists()


def chemin_table(source: SourceWeb) -> Path:
    """Chemin de la table communale analysée (parquet, qu'il existe ou non)."""
    return dossier_web() / "tables" / f"{source.id}.parquet"


def _sha256(chemin: Path) -> str:
    from ..construction.sources import sha256_fichier

    return sha256_fichier(chemin)


def registre_empreintes() -> dict:
    """Le registre des empreintes constatées au téléchargement (``{id: {...}}``)."""
    chemin = dossier_web() / FICHIER_REGISTRE
    if not chemin.exists():
        return {}
    try:
        return json.loads(chemin.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _enregistrer(source: SourceWeb, chemin: Path, empreinte: str) -> None:
    registre = registre_empreintes()
    registre[source.id] = {
        "url": source.url, "sha256": empreinte, "octets": chemin.stat().st_size,
        "telecharge_le": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    dossier_web().mkdir(parents=True, exist_ok=True)
    (dossier_web() / FICHIER_REGISTRE).write_text(
        json.dumps(registre, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")


def _md5(chemin: Path) -> str:
    import hashlib

    h = hashlib.md5(usedforsecurity=False)
    with open(chemin, "rb") as f:
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
    return h.hexdigest()


def _verifier(source: SourceWeb, chemin: Path, retirer: bool = False) -> str:
    """Taille, md5 (catalogue de l'Insee) puis sha256 épinglés ; renvoie le sha256 constaté.

    ``retirer`` : en cas d'écart, le fichier est supprimé du cache (téléchargement
    neuf) pour que rien ne reste à moitié chargé.
    """
    ecarts = []
    octets = chemin.stat().st_size
    if source.octets and octets != source.octets:
        ecarts.append(f"taille {octets:_} octets au lieu de {source.octets:_} déclarés".replace("_", "\u202f"))
    if not ecarts and source.md5:
        md5 = _md5(chemin)
        if md5 != source.md5:
            ecarts.append(f"somme md5 {md5} au lieu de {source.md5} déclarée")
    if ecarts:
        if retirer:
            chemin.unlink(missing_ok=True)
        raise FichierWebNonConforme(source, ecarts, retire=retirer)
    empreinte = _sha256(chemin)
    if source.sha256 and empreinte != source.sha256:
        if retirer:
            chemin.unlink(missing_ok=True)
        raise EmpreinteWebInattendue(source, empreinte)
    return empreinte


def telecharger(source_id: str, forcer: bool = False, delai: float = 60.0) -> Path:
    """Télécharge (si besoin) et vérifie le fichier officiel d'une source web.

    Paramètres
    ----------
    source_id : str
        Identifiant déclaré dans ``sources_web.toml``.
    forcer : bool
        Retélécharge même si le fichier est déjà dans le cache.
    delai : float
        Délai maximal d'attente du serveur, en secondes.

    Renvoie
    -------
    Path
        Le fichier brut, dans ``$TERRITOIRE_CACHE/web/brut/``.

    Lève
    ----
    SourceWebIndisponible
        Pas de réseau, serveur injoignable, réponse en erreur.
    EmpreinteWebInattendue
        Empreinte différente de celle épinglée dans ``sources_web.toml``.
    """
    import pooch

    source = source_web(source_id)
    if source.composantes:  # série de millésimes : chaque fichier est téléchargé et vérifié à part
        for composante in source.composantes:
            telecharger(composante, forcer=forcer, delai=delai)
        return dossier_web() / "brut"
    cible = chemin_brut(source)
    if cible.exists() and not forcer:
        _verifier(source, cible)
        return cible
    if os.environ.get("TERRITOIRE_HORS_LIGNE"):
        raise SourceWebIndisponible(source, "mode hors ligne demandé (variable TERRITOIRE_HORS_LIGNE)")
    if not source.adresse_verifiee:
        raise SourceWebIndisponible(
            source, "adresse de téléchargement non vérifiée : téléchargez le fichier depuis la page du "
            f"producteur ({source.page}) puis `python -m territoire_lib.connecteurs importer {source.id} "
            "FICHIER` (le schéma est vérifié avant toute mise en cache).")
    cible.parent.mkdir(parents=True, exist_ok=True)
    if cible.exists():
        cible.unlink()
    pooch.get_logger().setLevel("WARNING")  # pas de message anglais « Downloading data from… »
    attendu = f"sha256:{source.sha256}" if source.sha256 else None
    chargeur = pooch.HTTPDownloader(timeout=delai, progressbar=False, headers={"User-Agent": AGENT})
    try:
        pooch.retrieve(source.url, known_hash=attendu, fname=cible.name, path=cible.parent,
                       downloader=chargeur)
    except ValueError as exc:  # pooch : empreinte différente (fichier non gardé)
        if "hash" in str(exc).lower():
            autres = [h for h in re.findall(r"[0-9a-f]{64}", str(exc)) if h != source.sha256]
            raise EmpreinteWebInattendue(source, autres[0] if autres else "inconnue") from None
        raise SourceWebIndisponible(source, _motif(exc)) from None
    except Exception as exc:  # réseau absent, DNS, HTTP 404/500, délai dépassé…
        raise SourceWebIndisponible(source, _motif(exc)) from None
    empreinte = _verifier(source, cible, retirer=True)
    _enregistrer(source, cible, empreinte)
    if not source.sha256:
        print(f"« {source.id} » téléchargé ({cible.stat().st_size / 1e6:.1f} Mo). Empreinte à épingler "
              f"dans territoire_lib/sources_web.toml : sha256 = \"{empreinte}\"")
    return cible


def importer(source_id: str, fichier: Path) -> Path:
    """Met en cache un fichier officiel obtenu à la main (salle sans réseau, adresse non vérifiée).

    Le fichier est vérifié comme un téléchargement (taille, md5, sha256
    épinglés ; puis schéma à la lecture par l'analyseur) ; son empreinte est
    enregistrée dans le registre du cache.

    Paramètres
    ----------
    source_id : str
        Identifiant de la source.
    fichier : Path
        Le fichier tel que publié par le producteur.

    Renvoie
    -------
    Path
        Le fichier brut dans le cache.
    """
    import shutil

    source = source_web(source_id)
    fichier = Path(fichier)
    if not fichier.is_file():
        raise SourceWebIndisponible(source, f"fichier à importer introuvable : {fichier}")
    cible = chemin_brut(source)
    cible.parent.mkdir(parents=True, exist_ok=True)
    temporaire = cible.with_name(cible.name + ".import")
    shutil.copyfile(fichier, temporaire)
    try:
        empreinte = _verifier(source, temporaire, retirer=True)
        verifier_schema(source_id, temporaire)  # colonnes, avant toute mise en cache (types : à l'analyse)
    except Exception:
        temporaire.unlink(missing_ok=True)
        raise
    temporaire.replace(cible)
    _enregistrer(source, cible, empreinte)
    return cible


def _motif(exc: BaseException) -> str:
    """Motif court et lisible d'un échec de téléchargement."""
    texte = f"{type(exc).__name__} : {exc}"
    bas = texte.lower()
    if any(m in bas for m in ("name or service", "resolve", "getaddrinfo", "nodename", "unreachable",
                              "connection", "network", "timed out", "timeout")):
        return "pas de connexion au serveur (réseau absent ou filtré, ou serveur injoignable)."
    if "404" in bas:
        return "fichier introuvable à cette adresse (HTTP 404) : le producteur l'a peut-être déplacé."
    return texte[:200]


def _membre(source: SourceWeb, archive: zipfile.ZipFile) -> str:
    noms = [n for n in archive.namelist() if not n.endswith("/")]
    trouves = [n for n in noms if re.fullmatch(source.membre, Path(n).name, flags=re.IGNORECASE)]
    if not trouves:
        raise FichierWebNonConforme(source, [
            f"aucun fichier de l'archive ne correspond à « {source.membre} » (contenu : {', '.join(noms[:10])})"])
    return trouves[0]


def _verifier_entete(source: SourceWeb, entete: list[str]) -> None:
    """Toutes les colonnes du schéma déclaré doivent être présentes (sinon rien n'est lu)."""
    manquantes = [c for c in source.schema_complet if c not in entete]
    if manquantes:
        autre = next((sep for sep in (";", ",", "\t", "|") if sep != source.separateur and len(entete) == 1
                      and set(source.schema_complet) <= {c.strip().strip('"') for c in entete[0].split(sep)}), None)
        if autre is not None:  # toutes les colonnes sont là, jointes par un autre séparateur
            raise FichierWebNonConforme(source, [
                f"séparateur « {autre} » dans le fichier au lieu de « {source.separateur} » déclaré "
                "(toutes les colonnes du schéma y sont)"])
        raise FichierWebNonConforme(source, [
            f"colonnes attendues absentes du fichier : {', '.join(manquantes)} "
            f"(colonnes trouvées : {', '.join(entete[:20])}{'…' if len(entete) > 20 else ''})"])


def _lire_texte(source: SourceWeb, ouvrir, colonnes: list[str]) -> pd.DataFrame:
    """Lit le CSV en flux (jamais tout le texte en mémoire) ; ``ouvrir()`` rend un flux binaire neuf."""
    encodage = _entete_texte(source, ouvrir)
    for essai in dict.fromkeys((encodage, "latin-1")):  # un en-tête ASCII ne garantit pas le reste du fichier
        try:
            with ouvrir() as flux:
                return pd.read_csv(flux, sep=source.separateur, dtype=str, keep_default_na=False,
                                   na_values=[""], encoding=essai, usecols=lambda c: str(c).strip() in colonnes)
        except UnicodeDecodeError:
            continue
    raise ErreurSource(f"« {source.id} » : encodage illisible (ni {encodage} ni latin-1).")


def _entete_texte(source: SourceWeb, ouvrir) -> str:
    """Vérifie la seule ligne d'en-tête d'un CSV (aucune ligne de données lue) ; renvoie l'encodage lu."""
    premier = "utf-8-sig" if source.encodage.lower() in ("utf-8", "utf8") else source.encodage
    for encodage in dict.fromkeys((premier, "latin-1")):
        try:
            with ouvrir() as flux:
                entete = pd.read_csv(flux, sep=source.separateur, nrows=0, encoding=encodage).columns
            _verifier_entete(source, [str(c).strip() for c in entete])
            return encodage
        except UnicodeDecodeError:
            continue
    raise ErreurSource(f"« {source.id} » : encodage illisible (ni {premier} ni latin-1).")


def _lire_classeur(source: SourceWeb, ouvrir, colonnes: list[str]) -> pd.DataFrame:
    """Lit l'onglet déclaré d'un classeur xlsx de l'Insee (en-tête à la ligne ``premiere_ligne``)."""
    import io

    with ouvrir() as flux:
        contenu = io.BytesIO(flux.read())
    try:
        df = pd.read_excel(contenu, sheet_name=source.onglet, skiprows=max(source.premiere_ligne - 1, 0),
                           dtype=str, engine="openpyxl")
    except ValueError as exc:  # onglet absent
        raise FichierWebNonConforme(source, [f"onglet « {source.onglet} » illisible ou absent ({exc})"]) from None
    df.columns = [str(c).strip() for c in df.columns]
    _verifier_entete(source, list(df.columns))
    return df[[c for c in df.columns if c in colonnes]]


def _typer(source: SourceWeb, df: pd.DataFrame) -> pd.DataFrame:
    """Convertit les colonnes déclarées ; une valeur d'un autre type que celui déclaré est une erreur."""
    ecarts = []
    for col, type_ in source.colonnes.items():
        brut = df[col].astype("string").str.strip()
        if source.valeurs_manquantes:  # marques de valeur absente déclarées par le producteur (ex. « nd »)
            brut = brut.mask(brut.isin(source.valeurs_manquantes))
        if type_ in ("int", "float"):
            texte = brut.str.replace(",", ".", regex=False).str.replace(r"[\s\u202f\u00a0]", "", regex=True)
            valeurs = pd.to_numeric(texte, errors="coerce")
            illisibles = brut.notna() & (brut != "") & valeurs.isna()
            if type_ == "int":
                illisibles |= valeurs.notna() & (valeurs != valeurs.round())
            if illisibles.any():
                exemples = ", ".join(f"« {v} »" for v in brut[illisibles].unique()[:3])
                ecarts.append(f"colonne {col} déclarée {type_} mais {int(illisibles.sum())} valeur(s) d'un autre "
                              f"type ({exemples})")
                continue
            df[col] = valeurs.round().astype("Int64") if type_ == "int" else valeurs.astype("float64")
        else:
            df[col] = brut
    if ecarts:
        raise FichierWebNonConforme(source, ecarts)
    return df


def verifier_schema(source_id: str, chemin: Path) -> None:
    """Vérifie l'en-tête d'un fichier (toutes les colonnes du schéma déclaré) sans lire ses lignes.

    Lève
    ----
    FichierWebNonConforme
        Membre d'archive, onglet ou colonne absents.
    SourceWebIndisponible
        Fichier corrompu ou illisible.
    """
    source = source_web(source_id)
    chemin = Path(chemin)
    try:
        if source.format == "parquet":
            import pyarrow.parquet as pq

            _verifier_entete(source, list(pq.ParquetFile(chemin).schema_arrow.names))
            return
        classeur = source.membre.lower().endswith(("xlsx", "xlsx$"))
        if source.format == "zip":
            with zipfile.ZipFile(chemin) as archive:
                membre = _membre(source, archive)
                if classeur:
                    _lire_classeur(source, lambda: archive.open(membre), [])
                else:
                    _entete_texte(source, lambda: archive.open(membre))
        else:
            _entete_texte(source, lambda: open(chemin, "rb"))
    except (zipfile.BadZipFile, pd.errors.ParserError, EOFError) as exc:
        raise SourceWebIndisponible(source, f"fichier corrompu ou tronqué ({type(exc).__name__} : {exc})") from None
    except Exception as exc:
        if isinstance(exc, ErreurSource):
            raise
        raise SourceWebIndisponible(source, f"fichier illisible ({type(exc).__name__} : {exc})") from None


def lire_brut(source_id: str, chemin: Path | None = None) -> pd.DataFrame:
    """Lit le fichier brut d'une source (colonnes déclarées seulement, typées).

    Le schéma complet déclaré (``schema``, repris du catalogue des fichiers de
    l'Insee quand il y figure) est vérifié sur l'en-tête ; les colonnes lues
    (``colonnes``) sont converties : les codes officiels restent des chaînes ;
    une colonne ``int``/``float`` qui contient du texte (ou une décimale pour
    ``int``) lève :class:`FichierWebNonConforme` — jamais de valeur devinée.
    Virgule décimale et espaces de milliers sont acceptés ; vide = NA.

    Paramètres
    ----------
    source_id : str
        Identifiant de la source.
    chemin : Path, optionnel
        Fichier à lire (par défaut le fichier du cache).

    Renvoie
    -------
    DataFrame
        Une colonne par colonne déclarée dans ``sources_web.toml``.

    Lève
    ----
    FichierWebNonConforme
        Membre d'archive, onglet, colonne absente ou colonne d'un autre type.
    SourceWebIndisponible
        Fichier corrompu ou tronqué.
    """
    source = source_web(source_id)
    chemin = Path(chemin) if chemin is not None else chemin_brut(source)
    colonnes = list(source.colonnes)
    classeur = source.membre.lower().endswith(("xlsx", "xlsx$")) or source.format == "xlsx"
    lire = _lire_classeur if classeur else _lire_texte
    try:
        if source.format == "zip":
            with zipfile.ZipFile(chemin) as archive:
                membre = _membre(source, archive)
                df = lire(source, lambda: archive.open(membre), colonnes)
        else:
            df = lire(source, lambda: open(chemin, "rb"), colonnes)
    except (zipfile.BadZipFile, pd.errors.ParserError, EOFError) as exc:
        raise SourceWebIndisponible(source, f"fichier corrompu ou tronqué ({type(exc).__name__} : {exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    return _typer(source, df)[colonnes]


def normaliser_code_commune(codes: pd.Series) -> pd.Series:
    """Codes commune en chaînes de 5 caractères (zéro initial rétabli, préfixe ``COM-`` retiré).

    Exemples
    --------
    >>> normaliser_code_commune(pd.Series(["1001", "COM-2A004", " 75056 ", None])).tolist()
    ['01001', '2A004', '75056', <NA>]
    """
    c = codes.astype("string").str.strip().str.upper().str.replace(r"^.*-", "", regex=True)
    return c.where(~c.str.fullmatch(r"\d{4}").fillna(False), "0" + c)


def harmoniser_codes(codes: pd.Series) -> tuple[pd.Series, dict]:
    """Traduit des codes commune vers le COG courant et dit ce qui n'a pas pu l'être.

    Réutilise :func:`territoire_lib.construction.cog.traduire_codes` et la table de
    passage du COG (fusions, arrondissements municipaux de Paris, Lyon,
    Marseille).

    Paramètres
    ----------
    codes : Series
        Codes tels que publiés par la source.

    Renvoie
    -------
    tuple (Series, dict)
        Le code courant de chaque ligne (NA si inconnu ou réparti sur plusieurs
        communes) et un rapport : ``codes_lus``, ``codes_traduits`` (ancien →
        courant), ``codes_non_apparies`` (liste), ``lignes_non_appariees``.

    Exemples
    --------
    >>> courant, rapport = harmoniser_codes(pd.Series(["01001", "75101", "99999"]))
    >>> courant.tolist()
    ['01001', '75056', <NA>]
    >>> rapport["codes_non_apparies"], rapport["codes_traduits"]
    (['99999'], {'75101': '75056'})
    """
    from ..chargement import territoires
    from ..construction.cog import traduire_codes
    from ..geographie import passage_cog

    codes = normaliser_code_commune(codes)
    actuels = set(territoires("commune")["code_commune"])
    courant = traduire_codes(codes.astype(object), passage_cog(), actuels).astype("string")
    traduits = codes.notna() & courant.notna() & (codes != courant)
    non_apparies = codes.notna() & courant.isna()
    rapport = {
        "codes_lus": int(codes.nunique()),
        "codes_traduits": dict(sorted(zip(codes[traduits], courant[traduits]))),
        "codes_non_apparies": sorted(codes[non_apparies].unique().tolist()),
        "lignes_non_appariees": int(non_apparies.sum()),
        "lignes_sans_code": int(codes.isna().sum()),
    }
    return courant, rapport


def sommer_par_commune(table: pd.DataFrame, colonnes: list[str], strict: bool = True) -> pd.DataFrame:
    """Somme des colonnes par ``code_commune`` (plusieurs anciens codes → une commune).

    Paramètres
    ----------
    table : DataFrame
        Avec ``code_commune`` et les colonnes à sommer.
    colonnes : list of str
        Colonnes additives.
    strict : bool
        Si vrai, une somme dont une partie est NA vaut NA (jamais un total
        partiel présenté comme complet).

    Exemples
    --------
    >>> t = pd.DataFrame({"code_commune": ["A", "A", "B"], "x": [1.0, float("nan"), 2.0]})
    >>> sommer_par_commune(t, ["x"])["x"].tolist()
    [nan, 2.0]
    """
    g = table.groupby("code_commune", sort=True)[colonnes]
    somme = g.sum(min_count=1)
    if strict:
        somme = somme.where(~table[colonnes].isna().groupby(table["code_commune"]).any())
    return somme.reset_index()


def points_reference_communes() -> pd.DataFrame:
    """Point de référence de chaque commune du COG courant, pour les distances.

    C'est celui que la construction a établi (``point_reference_lon``/``_lat`` de
    :func:`~territoire_lib.chargement.table_communes`) : la mairie seulement si sa
    position a été vérifiée dans le contour de la commune, sinon un point
    intérieur du contour (une mairie géocodée hors de sa commune n'est jamais
    utilisée) ; sans contour ni mairie vérifiée, la distance reste NaN.

    Renvoie
    -------
    DataFrame
        ``code_commune``, ``lon``, ``lat`` (degrés WGS84), ``origine_point``
        (``point_reference_source`` de la construction, ou ``aucun``) ;
        ``attrs["rapport"]`` : effectif par origine.
    """
    from ..chargement import table_communes

    base = table_communes()[["code_commune", "point_reference_lon", "point_reference_lat",
                             "point_reference_source"]].reset_index(drop=True)
    points = pd.DataFrame({"code_commune": base["code_commune"],
                           "lon": base["point_reference_lon"].astype("float64"),
                           "lat": base["point_reference_lat"].astype("float64")})
    connu = points["lon"].notna() & points["lat"].notna()
    points["origine_point"] = base["point_reference_source"].astype("string").where(connu, "aucun").fillna("aucun")
    points.attrs["rapport"] = {k: int(v) for k, v in points["origine_point"].value_counts().items()}
    return points
