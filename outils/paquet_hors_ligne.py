"""Paquet hors ligne pour une salle de formation sans Internet.

Une commande (``make paquet-hors-ligne``) produit une archive ``.zip`` qui
contient tout ce qu'il faut pour installer la collection sur un poste sans
réseau :

- ``wheelhouse/`` : les roues (*wheels*) de toutes les dépendances
  d'exécution déclarées dans ``pyproject.toml``, pour la plateforme et la
  version de Python visées (``pip download --only-binary=:all:``) ; la
  fermeture des dépendances est recalculée pour la plateforme visée (les
  marqueurs comme ``sys_platform == "win32"`` sont évalués pour elle, pas
  pour la machine qui construit), et complétée au besoin ;
- ``depot/`` : le dépôt au commit courant (``git archive HEAD``), données
  ``donnees/`` comprises ;
- ``exigences.txt`` : les versions exactes à installer ;
- ``installer.sh`` (Linux, macOS) et ``installer.bat`` (Windows) : créent un
  environnement virtuel, installent sans index (``--no-index --find-links
  wheelhouse``), rendent ``territoire_lib`` importable depuis ``depot/``,
  puis ouvrent JupyterLab ;
- ``cache/web/`` : le cache des sources officielles en ligne de ce poste
  (``$TERRITOIRE_CACHE/web/``, rempli par ``python -m territoire_lib.connecteurs
  telecharger tout``), revérifié fichier par fichier ; le script d'installation
  le restaure sur le poste, et les sections « aller plus loin (en ligne) » des
  carnets tournent alors sans réseau ;
- ``manifeste.json`` : commit, plateforme, Python, liste et empreintes des roues,
  sources en ligne emportées (millésime, empreinte, date de téléchargement).

Usage ::

    python outils/paquet_hors_ligne.py                         # plateforme et Python courants
    python outils/paquet_hors_ligne.py --plateforme win_amd64 --python 3.12
    python outils/paquet_hors_ligne.py --plateforme macosx --python 3.12
    python outils/paquet_hors_ligne.py --essai-a-blanc         # sans téléchargement (scripts, dépôt, manifeste)
    python outils/paquet_hors_ligne.py --sans-cache-web        # sans les sources en ligne en cache
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

__all__ = [
    "ALIAS_PLATEFORMES",
    "dependances_execution",
    "environnement_cible",
    "dependances_manquantes",
    "script_sh",
    "script_bat",
    "cache_web",
    "construire",
    "main",
]

RACINE = Path(__file__).resolve().parent.parent
#: Raccourcis acceptés par ``--plateforme`` (étiquettes pip ; pip accepte aussi les versions antérieures
#: compatibles : manylinux_2_28 couvre manylinux2014, macosx_14_0 couvre 11.0…).
ALIAS_PLATEFORMES = {
    "windows": "win_amd64",
    "macosx": "macosx_14_0_arm64",
    "macosx-intel": "macosx_13_0_x86_64",
    "manylinux": "manylinux_2_28_x86_64",
}
#: Nécessaire à l'installation elle-même (environnement virtuel à jour), ajouté aux dépendances.
OUTILS_INSTALLATION = ["pip"]


# --------------------------------------------------------------------------- dépendances
def dependances_execution(pyproject: Path = RACINE / "pyproject.toml") -> list[str]:
    """Dépendances d'exécution déclarées dans ``pyproject.toml`` (sans les extras de développement).

    Exemples
    --------
    >>> deps = dependances_execution()
    >>> any(d.startswith("jupyterlab") for d in deps) and not any(d.startswith("pytest") for d in deps)
    True
    """
    with open(pyproject, "rb") as f:
        return list(tomllib.load(f)["project"]["dependencies"])


def environnement_cible(plateforme: str | None, python: str | None) -> dict[str, str]:
    """Environnement de marqueurs (PEP 508) de la machine visée.

    Paramètres
    ----------
    plateforme : str ou None
        Étiquette pip (``win_amd64``, ``macosx_14_0_arm64``, ``manylinux_2_28_x86_64``…) ;
        None pour la machine courante.
    python : str ou None
        Version visée (``"3.12"``) ; None pour la version courante.

    Renvoie
    -------
    dict
        Variables utilisées pour évaluer les marqueurs des dépendances.

    Exemples
    --------
    >>> env = environnement_cible("win_amd64", "3.12")
    >>> env["sys_platform"], env["os_name"], env["python_version"]
    ('win32', 'nt', '3.12')
    """
    env = dict(default_environment())
    if python:
        env["python_version"] = python
        env["python_full_version"] = f"{python}.0"
        env["implementation_version"] = f"{python}.0"
    if plateforme:
        if plateforme.startswith("win"):
            env.update(sys_platform="win32", os_name="nt", platform_system="Windows",
                       platform_machine="ARM64" if "arm64" in plateforme else "AMD64")
        elif plateforme.startswith("macosx"):
            env.update(sys_platform="darwin", os_name="posix", platform_system="Darwin",
                       platform_machine="arm64" if plateforme.endswith("arm64") else "x86_64")
        else:
            env.update(sys_platform="linux", os_name="posix", platform_system="Linux",
                       platform_machine="aarch64" if plateforme.endswith("aarch64") else "x86_64")
        env["platform_release"] = env["platform_version"] = ""
    return env


def _exigences_roue(roue: Path) -> list[str]:
    """Lignes ``Requires-Dist`` des métadonnées d'une roue."""
    with zipfile.ZipFile(roue) as z:
        nom = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        meta = Parser().parsestr(z.read(nom).decode("utf-8"))
    return meta.get_all("Requires-Dist") or []


def dependances_manquantes(wheelhouse: Path, racines: list[str], env: dict[str, str]) -> list[str]:
    """Exigences de la fermeture des dépendances (évaluée pour ``env``) absentes du dossier de roues.

    ``pip download --platform`` évalue les marqueurs pour la machine qui
    construit : construit sous Linux pour Windows, il oublie par exemple
    ``pywin32`` (``sys_platform == "win32"``). Cette fonction parcourt les
    métadonnées des roues présentes, depuis les dépendances racines et avec
    leurs extras, et renvoie ce qui manque.

    Paramètres
    ----------
    wheelhouse : Path
        Dossier des roues.
    racines : list of str
        Exigences de départ (celles du projet).
    env : dict
        Environnement de marqueurs de la machine visée (:func:`environnement_cible`).

    Renvoie
    -------
    list of str
        Exigences (texte PEP 508) sans roue correspondante, triées.
    """
    roues = {canonicalize_name(parse_wheel_filename(r.name)[0]): r for r in wheelhouse.glob("*.whl")}
    manquantes, vus, pile = set(), set(), [(Requirement(r), "") for r in racines]
    while pile:
        req, extra = pile.pop()
        if req.marker is not None and not req.marker.evaluate({**env, "extra": extra}):
            continue
        nom = canonicalize_name(req.name)
        cles = {(nom, e) for e in req.extras} | {(nom, "")}
        if cles <= vus:
            continue
        vus |= cles
        if nom not in roues:
            manquantes.add(str(Requirement(f"{req.name}{req.specifier}")))
            continue
        for ligne in _exigences_roue(roues[nom]):
            for e in {""} | set(req.extras):
                pile.append((Requirement(ligne), e))
    return sorted(manquantes)


def _commande_pip(dest: Path, plateforme: str | None, python: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(dest), "--only-binary=:all:"]
    if plateforme:
        cmd += ["--platform", plateforme]
    if python or plateforme:
        version = python or f"{sys.version_info.major}.{sys.version_info.minor}"
        cmd += ["--python-version", version, "--implementation", "cp",
                "--abi", f"cp{version.replace('.', '')}", "--abi", "abi3", "--abi", "none"]
    return cmd


def telecharger(wheelhouse: Path, exigences: list[str], plateforme: str | None, python: str | None) -> None:
    """Télécharge les roues et complète la fermeture des dépendances pour la machine visée."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    env, a_prendre = environnement_cible(plateforme, python), list(exigences)
    for _ in range(10):
        if not a_prendre:
            return
        print(f"Téléchargement de {len(a_prendre)} exigence(s) : {', '.join(a_prendre[:6])}{'…' if len(a_prendre) > 6 else ''}")
        res = subprocess.run(_commande_pip(wheelhouse, plateforme, python) + a_prendre, text=True,
                             capture_output=True)
        if res.returncode:
            raise SystemExit("Échec de pip download (réseau ? roue absente pour cette plateforme ?) :\n"
                             + res.stderr[-3000:])
        a_prendre = dependances_manquantes(wheelhouse, exigences, env)
    raise SystemExit(f"Dépendances toujours manquantes après 10 passes : {a_prendre}")


# --------------------------------------------------------------------------- scripts
def _version_python(python: str | None) -> str:
    return python or f"{sys.version_info.major}.{sys.version_info.minor}"


def script_sh(python: str) -> str:
    """Script d'installation pour Linux et macOS (POSIX sh).

    Exemples
    --------
    >>> s = script_sh("3.12")
    >>> "--no-index" in s and "(3, 12)" in s
    True
    """
    maj, mineur = python.split(".")
    return f"""#!/bin/sh
# Territoires en transition : installation SANS RÉSEAU, puis ouverture de JupyterLab.
# Usage : sh installer.sh            (installe au premier lancement, puis ouvre les carnets)
#         sh installer.sh --sans-lancer   (installe seulement)
# Variables : PYTHON (interpréteur, défaut python{python} puis python3), VENV (défaut ./.venv).
set -e
ICI="$(cd "$(dirname "$0")" && pwd)"
VENV="${{VENV:-$ICI/.venv}}"
if [ -z "$PYTHON" ]; then
  if command -v python{python} >/dev/null 2>&1; then PYTHON=python{python}; else PYTHON=python3; fi
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == ({maj}, {mineur}) else 1)' 2>/dev/null; then
  echo "Ce paquet a été préparé pour Python {python} : installez Python {python} (ou indiquez-le : PYTHON=/chemin/python{python} sh installer.sh)." >&2
  exit 1
fi
export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
if [ ! -f "$VENV/.installe" ]; then
  echo "Création de l'environnement $VENV…"
  "$PYTHON" -m venv "$VENV"
  echo "Installation des dépendances depuis wheelhouse/ (aucun accès réseau)…"
  "$VENV/bin/python" -m pip install --quiet --no-index --find-links "$ICI/wheelhouse" -r "$ICI/exigences.txt"
  # territoire_lib est importé depuis depot/ (les données sont dans depot/donnees/).
  "$VENV/bin/python" -c 'import pathlib, sys, sysconfig; pathlib.Path(sysconfig.get_path("purelib"), "territoires-en-transition.pth").write_text(sys.argv[1] + "\\n")' "$ICI/depot"
  # Sources officielles en ligne téléchargées avant la salle : restaurées dans le cache local (vérifiées).
  if [ -d "$ICI/cache/web" ]; then "$VENV/bin/python" -m territoire_lib.connecteurs restaurer "$ICI/cache/web"; fi
  touch "$VENV/.installe"
  echo "Installation terminée."
fi
if [ "$1" = "--sans-lancer" ]; then exit 0; fi
cd "$ICI/depot"
if [ "$(id -u)" = 0 ]; then RACINE_OPT=--allow-root; else RACINE_OPT=; fi
# JupyterLab en français, sans invite « nouvelles de Jupyter » (outils/jupyter/lab/settings/overrides.json)
exec "$VENV/bin/jupyter" lab notebooks/ --LabApp.app_settings_dir=outils/jupyter/lab/settings $RACINE_OPT
"""


def script_bat(python: str) -> str:
    """Script d'installation pour Windows (invite de commandes).

    Exemples
    --------
    >>> s = script_bat("3.12")
    >>> "--no-index" in s and "py -3.12" in s
    True
    """
    maj, mineur = python.split(".")
    lignes = f"""@echo off
rem Territoires en transition : installation SANS RESEAU, puis ouverture de JupyterLab.
rem Usage : double-cliquer, ou "installer.bat --sans-lancer" pour installer seulement.
setlocal
set "ICI=%~dp0"
if "%VENV%"=="" set "VENV=%ICI%.venv"
if "%PYTHON%"=="" (
  where py >nul 2>nul && (set "PYTHON=py -{python}") || (set "PYTHON=python")
)
%PYTHON% -c "import sys; sys.exit(0 if sys.version_info[:2] == ({maj}, {mineur}) else 1)" 2>nul
if errorlevel 1 (
  echo Ce paquet a ete prepare pour Python {python} : installez Python {python} depuis l'installeur fourni, puis relancez.
  pause
  exit /b 1
)
set PIP_NO_INDEX=1
set PIP_DISABLE_PIP_VERSION_CHECK=1
if not exist "%VENV%\\.installe" (
  echo Creation de l'environnement...
  %PYTHON% -m venv "%VENV%" || goto :echec
  echo Installation des dependances depuis wheelhouse (aucun acces reseau)...
  "%VENV%\\Scripts\\python.exe" -m pip install --quiet --no-index --find-links "%ICI%wheelhouse" -r "%ICI%exigences.txt" || goto :echec
  "%VENV%\\Scripts\\python.exe" -c "import pathlib, sys, sysconfig; pathlib.Path(sysconfig.get_path('purelib'), 'territoires-en-transition.pth').write_text(sys.argv[1] + '\\n')" "%ICI%depot" || goto :echec
  if exist "%ICI%cache\\web" (
    "%VENV%\\Scripts\\python.exe" -m territoire_lib.connecteurs restaurer "%ICI%cache\\web" || goto :echec
  )
  type nul > "%VENV%\\.installe"
  echo Installation terminee.
)
if /i "%~1"=="--sans-lancer" exit /b 0
cd /d "%ICI%depot"
"%VENV%\\Scripts\\jupyter-lab.exe" notebooks --LabApp.app_settings_dir=outils\\jupyter\\lab\\settings
exit /b 0
:echec
echo L'installation a echoue : voir le message ci-dessus.
pause
exit /b 1
"""
    return lignes.replace("\n", "\r\n")


LISEZMOI = """Territoires en transition — paquet hors ligne
==============================================

Préparé pour : {cible}, Python {python} (commit {commit}).

1. Copier ce dossier (décompressé) sur le poste, par exemple depuis une clé USB.
2. Installer Python {python} s'il n'y est pas (installeur officiel de python.org).
3. Lancer :
   - Windows : double-cliquer sur installer.bat
   - Linux, macOS : sh installer.sh
   La première fois, l'installation prend quelques minutes, SANS réseau ;
   ensuite le même script ouvre directement JupyterLab sur les carnets.
4. Mode tableau de bord (sans code) : depuis depot/, lancer
   ../.venv/bin/voila notebooks/06_portrait_de_territoire.ipynb --strip_sources=True
   (Windows : ..\\.venv\\Scripts\\voila.exe …)

Contenu : wheelhouse/ (dépendances), depot/ (bibliothèque, carnets, données),
cache/web/ (sources officielles en ligne téléchargées avant la salle, restaurées
à l'installation), exigences.txt, manifeste.json. Voir depot/ATELIER.md.

Sources en ligne emportées (sections « aller plus loin » sans réseau) :
{sources_web}
"""


# --------------------------------------------------------------------------- construction
def _commit() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=RACINE, check=True, capture_output=True,
                          text=True).stdout.strip()


def _extraire_depot(cible: Path) -> None:
    """Le dépôt au commit courant (fichiers suivis par git seulement)."""
    flux = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=RACINE, check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(flux)) as t:
        t.extractall(cible, filter="data")


def _sha256(chemin: Path) -> str:
    h = hashlib.sha256()
    with open(chemin, "rb") as f:
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
    return h.hexdigest()


def cache_web(destination: Path, origine: Path | None = None) -> list[dict]:
    """Copie le cache web vérifié (``$TERRITOIRE_CACHE/web/`` ou ``origine``) dans le paquet.

    Renvoie
    -------
    list of dict
        Les sources emportées (source, producteur, millésime, octets, sha256, date de téléchargement).
    """
    if str(RACINE) not in sys.path:
        sys.path.insert(0, str(RACINE))
    from territoire_lib.connecteurs.cache import exporter_cache

    return exporter_cache(destination, origine)


def _lignes_sources_web(sources: list[dict]) -> str:
    if not sources:
        return ("  aucune (sur un poste connecté : python -m territoire_lib.connecteurs telecharger tout, "
                "puis reconstruire le paquet)")
    return "\n".join(f"  - {s['producteur']}, {s['millesime']} (fichier du {s['telecharge_le'][:10] or 'date inconnue'})"
                     for s in sources)


def construire(sortie: Path, plateforme: str | None = None, python: str | None = None,
               essai_a_blanc: bool = False, cache: Path | None | bool = None) -> Path:
    """Construit le dossier du paquet et son archive ``.zip`` ; renvoie le chemin de l'archive.

    Paramètres
    ----------
    sortie : Path
        Dossier où écrire (créé au besoin).
    plateforme : str ou None
        Étiquette pip ou alias de :data:`ALIAS_PLATEFORMES` ; None pour la machine courante.
    python : str ou None
        Version visée (``"3.12"``) ; None pour la version courante.
    essai_a_blanc : bool
        Sans téléchargement : dépôt, scripts et manifeste seulement (pour les tests).
    cache : Path, None ou False
        Cache web à emporter : None = celui de ce poste (``$TERRITOIRE_CACHE/web/``),
        un dossier ``web/`` donné, ou False pour ne rien emporter.
    """
    plateforme = ALIAS_PLATEFORMES.get(plateforme, plateforme)
    version = _version_python(python)
    if not re.fullmatch(r"3\.\d{1,2}", version):
        raise SystemExit(f"Version de Python invalide « {version} » : attendu par exemple 3.11 ou 3.12.")
    etiquette = plateforme or sysconfig.get_platform().replace("-", "_").replace(".", "_")
    nom = f"territoires-hors-ligne-{etiquette}-py{version}"
    dossier = sortie / nom
    if dossier.exists():
        shutil.rmtree(dossier)
    dossier.mkdir(parents=True)
    debut = time.perf_counter()
    commit = _commit()
    _extraire_depot(dossier / "depot")
    sources_web = [] if cache is False else cache_web(dossier / "cache" / "web", cache)
    exigences = dependances_execution() + OUTILS_INSTALLATION
    roues = []
    if not essai_a_blanc:
        telecharger(dossier / "wheelhouse", exigences, plateforme, python)
        roues = sorted((dossier / "wheelhouse").glob("*.whl"))
        # Versions exactes : l'installation hors ligne reproduit ce paquet, rien d'autre.
        versions = {canonicalize_name(parse_wheel_filename(r.name)[0]): str(parse_wheel_filename(r.name)[1])
                    for r in roues}
        exigences = [f"{Requirement(e).name}=={versions[canonicalize_name(Requirement(e).name)]}" for e in exigences]
    (dossier / "exigences.txt").write_text("\n".join(exigences) + "\n", encoding="utf-8")
    (dossier / "installer.sh").write_text(script_sh(version), encoding="utf-8")
    (dossier / "installer.sh").chmod(0o755)
    (dossier / "installer.bat").write_bytes(script_bat(version).encode("ascii"))
    (dossier / "LISEZMOI.txt").write_text(LISEZMOI.format(cible=etiquette, python=version, commit=commit[:12],
                                                          sources_web=_lignes_sources_web(sources_web)),
                                          encoding="utf-8")
    manifeste = {
        "commit": commit, "plateforme": etiquette, "python": version, "essai_a_blanc": essai_a_blanc,
        "construit_sur": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "exigences": exigences,
        "roues": [{"fichier": r.name, "octets": r.stat().st_size, "sha256": _sha256(r)} for r in roues],
        "cache_web": sources_web,
    }
    (dossier / "manifeste.json").write_text(json.dumps(manifeste, indent=1, ensure_ascii=False), encoding="utf-8")
    archive = Path(shutil.make_archive(str(dossier), "zip", root_dir=sortie, base_dir=nom))
    taille = sum(r.stat().st_size for r in roues) / 1e6
    print(f"{archive} : {archive.stat().st_size / 1e6:.1f} Mo ({len(roues)} roues, {taille:.1f} Mo avant compression), "
          f"construit en {time.perf_counter() - debut:.0f} s")
    print(f"Sources en ligne emportées : {len(sources_web)}"
          + ("" if sources_web else " (cache web vide : python -m territoire_lib.connecteurs telecharger tout)"))
    return archive


def main(argv: list[str] | None = None) -> int:
    """Point d'entrée de la ligne de commande."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sortie", type=Path, default=RACINE / "dist", help="dossier de sortie (défaut : dist/)")
    p.add_argument("--plateforme", default=None,
                   help="plateforme visée : win_amd64, macosx (Apple Silicon), macosx-intel, manylinux, "
                        "ou toute étiquette pip ; défaut : la machine courante")
    p.add_argument("--python", default=None, help="version de Python visée, par exemple 3.12 ; défaut : la courante")
    p.add_argument("--essai-a-blanc", action="store_true", help="sans téléchargement (scripts, dépôt, manifeste)")
    p.add_argument("--cache-web", type=Path, default=None,
                   help="dossier web/ du cache des sources en ligne à emporter (défaut : $TERRITOIRE_CACHE/web)")
    p.add_argument("--sans-cache-web", action="store_true", help="n'emporte pas les sources en ligne en cache")
    args = p.parse_args(argv)
    construire(args.sortie, args.plateforme, args.python, args.essai_a_blanc,
               False if args.sans_cache_web else args.cache_web)
    return 0


if __name__ == "__main__":
    sys.exit(main())
