# Territoires en transition — cibles minces (voir README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installe

.PHONY: lab test installer donnees verifier bench nettoyer navigateur

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

installer: $(STAMP)

## lab : installe (si besoin) puis ouvre les carnets dans JupyterLab
# (--allow-root seulement si l'on est root, cas des conteneurs et machines de formation)
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,)

## test : toute la suite (unitaires, doctests, données, carnets avec nbval, navigateur)
test: $(STAMP) navigateur
	$(PY) -m pytest

# Chromium du système pour le test navigateur : installé automatiquement seulement en CI
# (root, CI=true) ; ailleurs, sans Chromium, ce test est sauté avec un message.
navigateur:
	@if [ -n "$$CI" ] && ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "Installation de Chromium (Debian) pour le test navigateur…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

## donnees : reconstruit donnees/ depuis les paquets épinglés (réseau, npm)
donnees: $(STAMP)
	$(PY) -m territoire_lib.donnees construire

verifier: $(STAMP)
	$(PY) -m territoire_lib.donnees verifier

bench: $(STAMP)
	$(PY) bench/chargement.py
	$(PY) bench/cartes.py

nettoyer:
	rm -rf $(VENV) .pytest_cache
