"""Mode tableau de bord (Voilà) dans un vrai navigateur, réseau coupé.

Voilà est lancé exactement comme par ``make tableau-de-bord``
(``outils/tableau_de_bord.py`` : code masqué, gabarit « atelier » sans CDN,
fichiers des cartes servis) ; Chromium (Debian) ouvre la page. On vérifie
que les cartes Vega-Lite sont dessinées par le moteur embarqué dans Voilà,
que les menus (ipywidgets) s'affichent, qu'aucun code n'apparaît, que la
console est sans erreur et qu'aucune requête ne sort de la machine.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from test_navigateur import JS_PIXELS, _chromium, _port_libre, page_hors_ligne, serveur_local

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE / "outils"))
from tableau_de_bord import commande_voila, environnement_voila  # noqa: E402

#: Carnets présentés en tableau de bord, avec le nombre minimal de graphiques Vega attendus
#: (à compléter : 05_modeles_de_territoire, 06_portrait_de_territoire…).
CARNETS_TABLEAU = {"notebooks/01_metropolisation.ipynb": 7, "notebooks/05_modeles_de_territoire.ipynb": 5,
                   "notebooks/06_portrait_de_territoire.ipynb": 4}


@pytest.fixture
def voila(tmp_path, request):
    """Un serveur Voilà sur le carnet demandé, arrêté à la fin."""
    carnet = request.param
    port = _port_libre()
    env = environnement_voila(dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
                                   JUPYTER_RUNTIME_DIR=str(tmp_path / "run")))
    url = f"http://127.0.0.1:{port}"
    with serveur_local("Voilà", commande_voila(RACINE / carnet, port, navigateur=False), env,
                       tmp_path / "voila.log", f"{url}/voila/static/voila.js"):
        yield carnet, url


@pytest.mark.navigateur
@pytest.mark.parametrize("voila", list(CARNETS_TABLEAU), indirect=True)
def test_tableau_de_bord_voila_hors_ligne(voila, tmp_path):
    chromium = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    carnet, url = voila
    erreurs, externes = [], []
    with sync_api.sync_playwright() as p:
        navigateur, page = page_hors_ligne(p, chromium, url, erreurs, externes)
        # Voilà exécute tout le carnet avant d'envoyer la page : chargement long.
        page.goto(url, wait_until="domcontentloaded", timeout=300_000)
        page.wait_for_function(f"document.querySelectorAll('.jp-RenderedVegaCommon5 canvas').length >= "
                               f"{CARNETS_TABLEAU[carnet]}", timeout=300_000)
        page.wait_for_selector(".widget-dropdown select", timeout=60_000)
        page.wait_for_timeout(3000)  # fin du dessin des cartes
        pixels = page.evaluate(JS_PIXELS)
        texte = page.inner_text("body")
        code_visible = page.evaluate("document.querySelectorAll('.jp-InputArea .cm-content, .jp-InputArea pre').length")
        page.locator(".jp-RenderedVegaCommon5").first.screenshot(path=str(tmp_path / "voila.png"))
        sortie = os.environ.get("TERRITOIRE_CAPTURES")
        if sortie:  # dossier des captures créé au besoin (jamais un échec qui masque les vérifications)
            Path(sortie).mkdir(parents=True, exist_ok=True)
            shutil.copy(tmp_path / "voila.png", Path(sortie) / f"voila_{Path(carnet).stem}.png")
        navigateur.close()
    assert len(pixels) >= CARNETS_TABLEAU[carnet], f"graphiques Vega : {len(pixels)}"
    assert all(n > 5000 for n in pixels[:2]), f"cartes vides ? pixels colorés : {pixels}"
    assert code_visible == 0, "du code apparaît dans le tableau de bord (strip_sources inactif ?)"
    assert "Javascript Error" not in texte, "erreur JavaScript affichée dans la page"
    assert not erreurs, f"erreurs dans la console : {erreurs[:5]}"
    assert not externes, f"requêtes vers l'extérieur : {externes[:5]}"
