"""pyproject.toml et environment.yml déclarent les mêmes dépendances."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

RACINE = Path(__file__).resolve().parent.parent
# Noms différents entre PyPI et conda-forge (aucun pour l'instant).
NOMS_CONDA = {}
# Outils que conda doit fournir mais que pip n'installe pas.
HORS_PYPI = {"python", "pip", "make", "nodejs"}


def _separer(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    with open(RACINE / "pyproject.toml", "rb") as f:
        projet = tomllib.load(f)["project"]
    specs = projet["dependencies"] + projet["optional-dependencies"]["dev"]
    return dict(_separer(s) for s in specs)


def _environnement() -> dict[str, str]:
    with open(RACINE / "environment.yml", encoding="utf-8") as f:
        env = yaml.safe_load(f)
    res = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for s in dep.get("pip", []):
                if not s.startswith("-"):
                    nom, version = _separer(s)
                    res[nom] = version
            continue
        nom, version = _separer(dep)
        nom = {v: k for k, v in NOMS_CONDA.items()}.get(nom, nom)
        if nom not in HORS_PYPI:
            res[nom] = version
    return res


def test_memes_paquets():
    pp, env = _pyproject(), _environnement()
    assert set(pp) == set(env), (
        f"Dans pyproject.toml seulement : {sorted(set(pp) - set(env))} ; "
        f"dans environment.yml seulement : {sorted(set(env) - set(pp))}")


def test_memes_contraintes_de_version():
    pp, env = _pyproject(), _environnement()
    differents = {n: (pp[n], env[n]) for n in pp if n in env and pp[n] != env[n]}
    assert not differents, f"Contraintes différentes (pyproject, environment.yml) : {differents}"


def test_environnement_installe_le_projet():
    with open(RACINE / "environment.yml", encoding="utf-8") as f:
        env = yaml.safe_load(f)
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip
