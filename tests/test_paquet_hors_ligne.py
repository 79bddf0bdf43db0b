"""Paquet hors ligne (``make paquet-hors-ligne``) : contenu, scripts d'installation, fermeture des dépendances.

Les tests ordinaires sont rapides et sans réseau : paquet « à blanc » (sans
téléchargement), installation réelle par ``installer.sh`` d'une petite roue
fabriquée pour l'occasion, dans un environnement virtuel neuf, avec
``--no-index``. La construction complète suivie d'une installation sans
réseau et de l'exécution d'un carnet (plusieurs minutes, ~300 Mo téléchargés)
ne tourne que si ``TERRITOIRE_PAQUET_COMPLET=1``.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE / "outils"))
import paquet_hors_ligne as phl  # noqa: E402

SANS_SH = pytest.mark.skipif(shutil.which("sh") is None or sys.platform == "win32", reason="sh indisponible")


def _roue(dossier: Path, nom: str, dependances: tuple[str, ...] = (), module: str = "") -> Path:
    """Fabrique une roue minimale (pur Python) sans réseau ni outil de construction."""
    info = f"{nom}-1.0.dist-info"
    meta = "Metadata-Version: 2.1\nName: {}\nVersion: 1.0\n{}".format(
        nom, "".join(f"Requires-Dist: {d}\n" for d in dependances))
    chemin = dossier / f"{nom}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(chemin, "w") as z:
        z.writestr(f"{nom}/__init__.py", module or "VALEUR = 42\n")
        z.writestr(f"{info}/METADATA", meta)
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{info}/RECORD", "")
    return chemin


def test_dependances_d_execution_seulement():
    deps = phl.dependances_execution()
    noms = {d.split(">")[0].split("=")[0].split("<")[0].strip() for d in deps}
    assert {"jupyterlab", "voila", "ipywidgets", "geopandas", "vl-convert-python"} <= noms
    assert not {"pytest", "nbval", "playwright"} & noms


def test_marqueurs_evalues_pour_la_plateforme_visee(tmp_path):
    """Construit sous Linux pour Windows, la fermeture doit réclamer les dépendances propres à Windows."""
    _roue(tmp_path, "racine", ("sous_windows; sys_platform == 'win32'", "avec_extra[x]", "ancien; python_version < '3.9'"))
    _roue(tmp_path, "avec_extra", ("optionnel; extra == 'x'", "jamais; extra == 'y'"))
    windows = phl.environnement_cible("win_amd64", "3.12")
    linux = phl.environnement_cible("manylinux_2_28_x86_64", "3.12")
    assert phl.dependances_manquantes(tmp_path, ["racine"], windows) == ["optionnel", "sous_windows"]
    assert phl.dependances_manquantes(tmp_path, ["racine"], linux) == ["optionnel"]
    _roue(tmp_path, "optionnel")
    assert phl.dependances_manquantes(tmp_path, ["racine"], linux) == []


def test_commande_pip_multiplateforme():
    cmd = phl._commande_pip(Path("w"), "win_amd64", "3.12")
    assert "--only-binary=:all:" in cmd
    assert cmd[cmd.index("--platform") + 1] == "win_amd64" and cmd[cmd.index("--python-version") + 1] == "3.12"
    assert "cp312" in cmd
    courante = phl._commande_pip(Path("w"), None, None)
    assert "--platform" not in courante and "--only-binary=:all:" in courante


@pytest.fixture(scope="module")
def paquet_a_blanc(tmp_path_factory):
    sortie = tmp_path_factory.mktemp("paquet")
    archive = phl.construire(sortie, essai_a_blanc=True)
    return archive, archive.with_suffix("")


def test_paquet_a_blanc_contenu(paquet_a_blanc):
    archive, dossier = paquet_a_blanc
    noms = zipfile.ZipFile(archive).namelist()
    racine = dossier.name
    for attendu in ("installer.sh", "installer.bat", "exigences.txt", "manifeste.json", "LISEZMOI.txt",
                    "depot/pyproject.toml", "depot/donnees/README.md", "depot/notebooks/00_introduction.ipynb"):
        assert f"{racine}/{attendu}" in noms, attendu
    manifeste = json.loads((dossier / "manifeste.json").read_text(encoding="utf-8"))
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=RACINE, capture_output=True, text=True).stdout.strip()
    assert manifeste["commit"] == commit and manifeste["essai_a_blanc"] is True
    assert (dossier / "exigences.txt").read_text().split() == phl.dependances_execution() + ["pip"]
    bat = (dossier / "installer.bat").read_bytes()
    assert b"\r\n" in bat and b"--no-index" in bat and bat.isascii()
    assert "--no-index" in (dossier / "installer.sh").read_text()


@SANS_SH
def test_installer_sh_sans_reseau(paquet_a_blanc, tmp_path):
    """installer.sh crée l'environnement, installe depuis wheelhouse/ seulement et rend depot/ importable."""
    _, modele = paquet_a_blanc
    dossier = tmp_path / modele.name
    shutil.copytree(modele, dossier, symlinks=True)
    (dossier / "wheelhouse").mkdir()
    _roue(dossier / "wheelhouse", "paquet_essai")
    (dossier / "exigences.txt").write_text("paquet_essai==1.0\n")
    env = dict(os.environ, PYTHON=sys.executable, PIP_NO_INDEX="1", PIP_NO_CACHE_DIR="1")
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    res = subprocess.run(["sh", str(dossier / "installer.sh"), "--sans-lancer"], env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    python = dossier / ".venv" / "bin" / "python"
    verif = subprocess.run([str(python), "-c", "import paquet_essai, sys; print(paquet_essai.VALEUR); print(sys.path)"],
                           env=env, capture_output=True, text=True)
    assert verif.stdout.splitlines()[0] == "42"
    assert str(dossier / "depot") in verif.stdout  # territoire_lib et ses données lus depuis depot/
    # Deuxième lancement : rien n'est réinstallé.
    encore = subprocess.run(["sh", str(dossier / "installer.sh"), "--sans-lancer"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert encore.returncode == 0 and "Installation" not in encore.stdout


@SANS_SH
def test_installer_sh_refuse_une_autre_version_de_python(paquet_a_blanc, tmp_path):
    _, dossier = paquet_a_blanc
    res = subprocess.run(["sh", str(dossier / "installer.sh"), "--sans-lancer"],
                         env=dict(os.environ, PYTHON="false", VENV=str(tmp_path / "v")), capture_output=True, text=True)
    assert res.returncode == 1 and "préparé pour Python" in res.stderr
    assert not (tmp_path / "v").exists()


@pytest.mark.lent
@pytest.mark.skipif(not os.environ.get("TERRITOIRE_PAQUET_COMPLET"), reason="TERRITOIRE_PAQUET_COMPLET non défini")
@SANS_SH
def test_paquet_complet_installe_et_execute_sans_reseau(tmp_path):
    """Construction réelle (réseau : PyPI), installation sans réseau (unshare -n si possible), un carnet exécuté."""
    archive = phl.construire(tmp_path / "sortie")
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / "poste")
    dossier = tmp_path / "poste" / archive.with_suffix("").name
    (dossier / "installer.sh").chmod(0o755)
    isoler = ["unshare", "-rn"] if shutil.which("unshare") and subprocess.run(
        ["unshare", "-rn", "true"], capture_output=True).returncode == 0 else []
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PIP_NO_INDEX": "1", "PIP_NO_CACHE_DIR": "1",
           "PYTHON": sys._base_executable}
    res = subprocess.run(isoler + ["sh", str(dossier / "installer.sh"), "--sans-lancer"], env=env,
                         capture_output=True, text=True, timeout=1800)
    assert res.returncode == 0, res.stdout + res.stderr
    carnet = "notebooks/00_introduction.ipynb"
    code = ("import nbformat, nbclient; nb = nbformat.read('%s', 4); "
            "nbclient.NotebookClient(nb, timeout=600, resources={'metadata': {'path': 'notebooks'}}).execute()") % carnet
    lancer = isoler + ["sh", "-c", f"ip link set lo up 2>/dev/null; exec {dossier}/.venv/bin/python -c \"{code}\""]
    res = subprocess.run(lancer, cwd=dossier / "depot", env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
