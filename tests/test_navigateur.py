"""Test dans un vrai navigateur : JupyterLab sans écran, Chromium (Debian) piloté par Playwright.

Chaque carnet de ``notebooks/`` est ouvert et exécuté entièrement (le nombre
minimal de graphiques attendus vient de ``CARNETS``, ``MINIMUM_PAR_DEFAUT``
sinon) ; on vérifie que toutes les cellules s'exécutent, que les cartes sont
dessinées (canevas non vide), que les menus (ipywidgets) s'affichent quand le
carnet en crée, qu'aucune erreur n'apparaît dans la console, et que la page n'a
besoin d'aucune ressource hors de la machine (toute requête externe est
coupée et comptée). Sur un écran d'ordinateur portable (1 366 px, explorateur
de fichiers ouvert), l'interface est en français (menu « Fichier »), aucun
graphique ne dépasse sa zone de sortie, et aucune solution d'exercice n'est
visible après « Exécuter tout » tant qu'on n'a pas cliqué « Voir la solution »
(issue 17). Le navigateur n'est jamais téléchargé : on utilise le
Chromium du système (`apt-get install chromium`). Sans lui, le test est sauté
— sauf en CI, où il doit passer.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent
#: Nombre minimal de graphiques Vega attendus par carnet (à compléter pour chaque nouveau carnet).
CARNETS = {"notebooks/00_introduction.ipynb": 4, "notebooks/01_metropolisation.ipynb": 7,
           "notebooks/02_mobilites_demobilites.ipynb": 10,
           "notebooks/03_numerique_services_en_ligne.ipynb": 8,
           "notebooks/04_cooperations_nouveaux_acteurs.ipynb": 6,
           "notebooks/05_modeles_de_territoire.ipynb": 7,
           "notebooks/06_portrait_de_territoire.ipynb": 7,
           "notebooks/07_methodes.ipynb": 0}  # l'annexe des méthodes n'a pas de graphique
#: Minimum pour un carnet de notebooks/ absent de CARNETS : tous les carnets sont ouverts.
MINIMUM_PAR_DEFAUT = 1
A_OUVRIR = sorted({**{f"notebooks/{c.name}": MINIMUM_PAR_DEFAUT for c in (RACINE / "notebooks").glob("*.ipynb")},
                   **CARNETS}.items())
#: Écran d'ordinateur portable courant (issue 17) : la zone de sortie d'un carnet y fait environ 960 px.
FENETRE = {"width": 1366, "height": 900}
#: Réglages de JupyterLab livrés avec le dépôt (français, pas d'invite « nouvelles »), comme `make lab`.
REGLAGES_LAB = RACINE / "outils" / "jupyter" / "lab" / "settings"
ARGS_CHROMIUM = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def page_hors_ligne(playwright, chromium: str, url: str, erreurs: list, externes: list):
    """Chromium et une page dont toute requête hors de ``url`` est coupée (et notée dans ``externes``).

    Les erreurs de console et de page sont notées dans ``erreurs``. Renvoie ``(navigateur, page)``.
    """
    navigateur = playwright.chromium.launch(executable_path=chromium, args=ARGS_CHROMIUM)
    page = navigateur.new_page(viewport=FENETRE)
    page.on("console", lambda m: erreurs.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: erreurs.append(str(e)))

    def filtrer(route):
        if route.request.url.startswith(url) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:  # réseau coupé : rien ne doit sortir de la machine
            externes.append(route.request.url)
            route.abort()

    page.route("**/*", filtrer)
    return navigateur, page


def _chromium() -> str:
    chemin = shutil.which("chromium") or shutil.which("chromium-browser")
    if chemin is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium absent en CI : `make test` aurait dû l'installer (apt-get install chromium).")
        pytest.skip("Chromium absent : test navigateur sauté (apt-get install chromium pour le lancer).")
    return chemin


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """Un serveur JupyterLab local sur la racine du dépôt, avec jeton, arrêté à la fin."""
    port, jeton = _port_libre(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "run"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "reglages"), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "espaces"))
    env.pop("TERRITOIRE_SOLUTIONS", None)  # comme en salle : les solutions attendent le clic
    # les réglages du dépôt (français, pas d'invite « nouvelles »), plus : pas d'enregistrement automatique,
    # qui écrirait les sorties de l'exécution dans les carnets du dépôt
    reglages = tmp_path / "reglages_lab"
    reglages.mkdir()
    surcharges = json.loads((REGLAGES_LAB / "overrides.json").read_text(encoding="utf-8"))
    surcharges["@jupyterlab/docmanager-extension:plugin"] = {"autosave": False}
    (reglages / "overrides.json").write_text(json.dumps(surcharges), encoding="utf-8")
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
           f"--IdentityProvider.token={jeton}", f"--ServerApp.root_dir={RACINE}", "--allow-root",
           "--LabApp.expose_app_in_browser=True", f"--LabApp.app_settings_dir={reglages}"]
    url = f"http://127.0.0.1:{port}"
    with serveur_local("JupyterLab", cmd, env, tmp_path / "jupyterlab.log", f"{url}/api/status?token={jeton}"):
        yield url, jeton


@contextmanager
def serveur_local(nom: str, cmd: list[str], env: dict, journal: Path, url_pret: str):
    """Lance un serveur (JupyterLab, Voilà), attend qu'il réponde sur ``url_pret``, l'arrête à la fin."""
    with open(journal, "w") as sortie:
        proc = subprocess.Popen(cmd, cwd=RACINE, env=env, stdout=sortie, stderr=subprocess.STDOUT)
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(url_pret, timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail(f"{nom} n'a pas démarré : " + journal.read_text()[-2000:])
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


JS_PIXELS = """() => Array.from(document.querySelectorAll('.jp-RenderedVegaCommon5 canvas')).map(c => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) n++; }
    return n;
})"""


#: Graphiques (canevas Vega) plus larges que leur zone de sortie : [(largeur du graphique, de la zone, code)].
JS_TROP_LARGES = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output')).flatMap(zone => {
    const l = zone.getBoundingClientRect().width;
    return Array.from(zone.querySelectorAll('.jp-RenderedVegaCommon5 canvas'))
        .map(c => [Math.round(c.getBoundingClientRect().width), Math.round(l),
                   ((zone.closest('.jp-Cell') || zone).querySelector('.jp-InputArea-editor') || {textContent: ''})
                       .textContent.slice(0, 70)])
        .filter(([g, z]) => z > 0 && g > z + 1);
})"""

#: Pour chaque bouton « Voir la solution » : la sortie de la solution est-elle encore vide ?
JS_SOLUTIONS_VIDES = """() => Array.from(document.querySelectorAll('.territoire-solution')).map(b => {
    const boite = b.closest('.widget-vbox') || b.parentElement;
    return !boite.querySelector('.widget-output .jp-OutputArea-child');
})"""


def _nb_solutions(carnet: str) -> int:
    import nbformat

    nb = nbformat.read(RACINE / carnet, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" and "solution" in c.metadata.get("tags", []))


def _a_des_widgets(carnet: str) -> bool:
    """Le carnet affiche-t-il des ipywidgets (menus de territoire_lib.widgets ou ipywidgets directement) ?"""
    import nbformat

    nb = nbformat.read(RACINE / carnet, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return any(m in code for m in ("explorateur(", "position_territoire(", "ipywidgets", "interact("))


@pytest.mark.navigateur
@pytest.mark.parametrize("carnet,minimum", A_OUVRIR, ids=[Path(c).stem for c, _ in A_OUVRIR])
def test_carnet_execute_dans_jupyterlab_hors_ligne(jupyterlab, tmp_path, carnet, minimum):
    assert (RACINE / carnet).exists(), f"{carnet} est dans CARNETS mais n'existe pas"
    chromium = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    url, jeton = jupyterlab
    erreurs, externes = [], []
    with sync_api.sync_playwright() as p:
        navigateur, page = page_hors_ligne(p, chromium, url, erreurs, externes)
        page.goto(f"{url}/lab/tree/{carnet}?token={jeton}", wait_until="domcontentloaded", timeout=60_000)
        page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=60_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        page.wait_for_timeout(3000)  # noyau prêt
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(f"document.querySelectorAll('.jp-RenderedVegaCommon5 canvas').length >= {minimum}",
                               timeout=120_000)
        # toutes les cellules exécutées : plus aucune invite « [*] » ni « [ ] » sur une cellule de code
        page.wait_for_function("""() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'))
            .every(p => /\\[\\d+\\]/.test(p.textContent))""", timeout=180_000)
        if _a_des_widgets(carnet):
            page.wait_for_selector(".jp-OutputArea .widget-dropdown select", timeout=60_000)
        page.wait_for_timeout(3000)  # fin du dessin des cartes
        pixels = page.evaluate(JS_PIXELS)
        trop_larges = page.evaluate(JS_TROP_LARGES)
        nb_solutions = _nb_solutions(carnet)
        if nb_solutions:
            page.wait_for_function(f"document.querySelectorAll('.territoire-solution').length >= {nb_solutions}",
                                   timeout=60_000)
        solutions_vides = page.evaluate(JS_SOLUTIONS_VIDES)
        reponses_ouvertes = page.evaluate(
            "() => Array.from(document.querySelectorAll('.jp-MarkdownOutput details')).filter(d => d.open).length")
        if nb_solutions:  # un clic montre la solution (exécutée avec les valeurs du participant)
            page.locator(".territoire-solution").first.scroll_into_view_if_needed()
            page.locator(".territoire-solution").first.click()
            page.wait_for_function("!(" + JS_SOLUTIONS_VIDES + ")()[0]", timeout=120_000)
        page.screenshot(path=str(tmp_path / "jupyterlab.png"), full_page=True)
        sortie = os.environ.get("TERRITOIRE_CAPTURES")
        if sortie:  # dossier des captures créé au besoin (jamais un échec qui masque les vérifications)
            Path(sortie).mkdir(parents=True, exist_ok=True)
            shutil.copy(tmp_path / "jupyterlab.png", Path(sortie) / f"{Path(carnet).stem}.png")
        navigateur.close()
    assert len(pixels) >= minimum and all(n > 5000 for n in pixels[:2]), f"cartes vides ? pixels colorés : {pixels}"
    assert "Fichier" in menus, f"JupyterLab n'est pas en français : menus {menus}"
    assert not trop_larges, f"graphiques plus larges que leur zone de sortie (graphique, zone) : {trop_larges}"
    assert reponses_ouvertes == 0, "réponse attendue dépliée sans clic"
    assert len(solutions_vides) == nb_solutions and all(solutions_vides), \
        f"solution visible avant le clic, ou bouton absent : {solutions_vides} ({nb_solutions} solutions)"
    assert not erreurs, f"erreurs dans la console : {erreurs[:5]}"
    assert not externes, f"requêtes vers l'extérieur : {externes[:5]}"
