"""Le cache des sources web, emporté dans le paquet hors ligne d'une salle de formation.

Sur un poste connecté, ``python -m territoire_lib.connecteurs telecharger tout``
remplit ``$TERRITOIRE_CACHE/web/`` ; ``make paquet-hors-ligne`` l'exporte dans
le paquet (:func:`exporter_cache`) ; le script d'installation du poste sans
réseau le restaure dans le cache local (:func:`restaurer_cache`). Chaque
fichier brut est revérifié à chaque passage (taille, md5 et sha256 épinglés,
sha256 du registre) : un fichier altéré n'est jamais copié.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from .commun import (
    FICHIER_REGISTRE,
    EmpreinteWebInattendue,
    _sha256,
    _verifier,
    chemin_brut,
    chemin_table,
    dossier_web,
    lire_sources_web,
)

__all__ = ["sources_en_cache", "exporter_cache", "restaurer_cache"]


def sources_en_cache(dossier: Path | None = None) -> list[dict]:
    """Sources présentes dans un cache web (par défaut celui de ce poste), vérifiées.

    Renvoie
    -------
    list of dict
        ``source``, ``producteur``, ``millesime``, ``octets``, ``sha256``,
        ``telecharge_le`` pour chaque fichier brut présent et conforme.

    Lève
    ----
    FichierWebNonConforme
        Un fichier du cache ne correspond pas à sa déclaration ou à son registre.
    """
    dossier = Path(dossier) if dossier is not None else dossier_web()
    registre_chemin = dossier / FICHIER_REGISTRE
    registre = json.loads(registre_chemin.read_text(encoding="utf-8")) if registre_chemin.exists() else {}
    res = []
    for s in lire_sources_web().values():
        brut = dossier / "brut" / s.nom_fichier
        if not brut.exists():
            continue
        empreinte = _verifier(s, brut)
        connue = registre.get(s.id, {}).get("sha256")
        if connue and connue != empreinte:
            raise EmpreinteWebInattendue(dataclasses.replace(s, sha256=connue), empreinte)
        res.append({"source": s.id, "producteur": s.producteur, "millesime": s.millesime,
                    "octets": brut.stat().st_size, "sha256": empreinte,
                    "telecharge_le": registre.get(s.id, {}).get("telecharge_le", "")})
    return res


def _copier(origine: Path, cible: Path, sources: list[dict]) -> None:
    (cible / "brut").mkdir(parents=True, exist_ok=True)
    (cible / "tables").mkdir(parents=True, exist_ok=True)
    for info in sources:
        s = lire_sources_web()[info["source"]]
        shutil.copy2(origine / "brut" / s.nom_fichier, cible / "brut" / s.nom_fichier)
        for table in (origine / "tables").glob(f"{s.id}.*"):
            shutil.copy2(table, cible / "tables" / table.name)
    def lire(dossier: Path) -> dict:
        chemin = dossier / FICHIER_REGISTRE
        return json.loads(chemin.read_text(encoding="utf-8")) if chemin.exists() else {}

    registre, venus = lire(cible), lire(origine)
    for info in sources:  # une source sans registre (copiée à la main) y entre avec son empreinte
        registre[info["source"]] = venus.get(info["source"], {"sha256": info["sha256"], "octets": info["octets"]})
    (cible / FICHIER_REGISTRE).write_text(json.dumps(registre, ensure_ascii=False, indent=1, sort_keys=True),
                                          encoding="utf-8")


def exporter_cache(destination: Path, origine: Path | None = None) -> list[dict]:
    """Copie le cache web vérifié de ce poste dans ``destination`` (dossier du paquet hors ligne).

    Renvoie
    -------
    list of dict
        Les sources copiées (voir :func:`sources_en_cache`) ; liste vide si le cache est vide.
    """
    origine = Path(origine) if origine is not None else dossier_web()
    sources = sources_en_cache(origine) if origine.exists() else []
    if sources:
        _copier(origine, Path(destination), sources)
    return sources


def restaurer_cache(origine: Path) -> list[dict]:
    """Installe dans le cache de ce poste le cache web d'un paquet hors ligne (vérifié fichier par fichier).

    Un fichier déjà présent et identique n'est pas recopié ; un fichier du
    paquet non conforme arrête tout, avant la moindre copie.

    Renvoie
    -------
    list of dict
        Les sources installées.
    """
    origine = Path(origine)
    sources = sources_en_cache(origine)
    a_copier = [i for i in sources
                if not chemin_brut(lire_sources_web()[i["source"]]).exists()
                or _sha256(chemin_brut(lire_sources_web()[i["source"]])) != i["sha256"]
                or not chemin_table(lire_sources_web()[i["source"]]).exists()]
    if a_copier:
        _copier(origine, dossier_web(), a_copier)
    return sources
