# Territoires en transition — cibles minces (voir README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installe

.PHONY: lab test installer donnees verifier bench nettoyer navigateur paquet-hors-ligne tableau-de-bord salle mandataire

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

installer: $(STAMP)

## lab : installe (si besoin) puis ouvre les carnets dans JupyterLab, en français
# (--allow-root seulement si l'on est root, cas des conteneurs et machines de formation ;
#  réglages par défaut : outils/jupyter/lab/settings/overrides.json, langue française, pas d'invite « nouvelles »)
# réponses compressées comme dans la salle (outils/salle/salle.py, REGLAGES_SERVEUR)
REGLAGES_LAB := --LabApp.app_settings_dir=outils/jupyter/lab/settings --ServerApp.tornado_settings=compress_response=True
# environnement mémoire des noyaux, le même que celui de la salle (outils/salle/salle.py, ENV_MEMOIRE ;
# mesuré par bench/atelier.py) : hérité par les noyaux que lance JupyterLab
ENV_NOYAUX := MALLOC_ARENA_MAX=2 ARROW_DEFAULT_MEMORY_POOL=system MALLOC_MMAP_THRESHOLD_=65536
lab: $(STAMP)
	$(ENV_NOYAUX) $(VENV)/bin/jupyter lab notebooks/ $(REGLAGES_LAB) $(if $(filter 0,$(shell id -u)),--allow-root,)

## test : toute la suite (unitaires, doctests, données, carnets avec nbval, navigateur, salle)
test: $(STAMP) navigateur mandataire
	$(PY) -m pytest

# Chromium du système pour le test navigateur : installé automatiquement seulement en CI
# (root, CI=true) ; ailleurs, sans Chromium, ce test est sauté avec un message.
navigateur:
	@if [ -n "$$CI" ] && ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "Installation de Chromium (Debian) pour le test navigateur…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

## donnees : reconstruit donnees/ depuis les paquets épinglés (réseau, npm)
donnees: $(STAMP)
	$(PY) -m territoire_lib.construction construire

verifier: $(STAMP)
	$(PY) -m territoire_lib.construction verifier

## bench : temps de chargement, poids et rendu des cartes, charge d'un atelier (N noyaux simultanés)
N ?= 4
bench: $(STAMP)
	$(PY) bench/chargement.py
	$(PY) bench/cartes.py
	$(PY) bench/atelier.py --n $(N)

## salle : JupyterHub pour une salle (PARTICIPANTS=30 PORT=8000 MEMOIRE=3G), sur 127.0.0.1 ; voir ATELIER.md
# Le mandataire configurable-http-proxy vient de npm, version exacte dans outils/salle/package-lock.json.
PARTICIPANTS ?= 30
PORT ?= 8000
MEMOIRE ?= 3G
SALLE_NODE := outils/salle/node_modules/.bin/configurable-http-proxy
$(SALLE_NODE): outils/salle/package.json outils/salle/package-lock.json
	npm ci --prefix outils/salle --no-audit --no-fund
	touch $(SALLE_NODE)
mandataire: $(SALLE_NODE)
salle: $(STAMP) $(SALLE_NODE)
	$(PY) outils/salle/salle.py --participants $(PARTICIPANTS) --port $(PORT) --memoire $(MEMOIRE)

## paquet-hors-ligne : archive pour une salle sans Internet (roues, dépôt, scripts d'installation)
# Options : PLATEFORME=win_amd64|macosx|macosx-intel|manylinux (défaut : cette machine), PYTHON_CIBLE=3.12
PLATEFORME ?=
PYTHON_CIBLE ?=
paquet-hors-ligne: $(STAMP)
	$(PY) outils/paquet_hors_ligne.py $(if $(PLATEFORME),--plateforme $(PLATEFORME),) $(if $(PYTHON_CIBLE),--python $(PYTHON_CIBLE),)

## tableau-de-bord : un carnet présenté sans code (Voilà, hors ligne) ; CARNET=notebooks/05_modeles_de_territoire.ipynb
CARNET ?= notebooks/06_portrait_de_territoire.ipynb
tableau-de-bord: $(STAMP)
	$(PY) outils/tableau_de_bord.py $(CARNET)

nettoyer:
	rm -rf $(VENV) .pytest_cache
