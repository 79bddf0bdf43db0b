"""Banc des cartes : poids dans le carnet, octets par changement d'indicateur, temps de rendu.

Imprime, côte à côte pour chaque niveau (commune, EPCI, département, région) :
- les octets qu'ajoute une carte à un carnet enregistré (spécification par URL),
  à comparer à la même carte avec géométrie et valeurs incluses (« inline ») ;
- les octets envoyés quand on change d'indicateur : 0 avec le menu intégré
  à la carte (paramètre Vega-Lite), la taille d'une nouvelle spécification
  avec l'explorateur ipywidgets (la géométrie reste servie par URL) ;
- le temps de rendu PNG par vl-convert ;
- le premier affichage dans Chromium sans écran (page HTML autonome, données
  incluses), si Chromium (Debian) et Playwright sont installés.

À côté de chaque mesure de la carte des communes, les chiffres « avant »
(``AVANT``, mesurés sur le commit ``AVANT_COMMIT`` : TopoJSON avec les noms,
quantification 1e5) ; la taille du TopoJSON livré est imprimée aussi.

``--comparer REF`` : remesure aussi, dans la même exécution (même charge de
la machine), le premier affichage de la carte des communes avec le TopoJSON
livré au commit ``REF`` (même spécification, seule la géométrie change),
les deux pages étant ouvertes en alternance.

Usage : ``python bench/cartes.py [--sans-chromium] [--rapide] [--comparer ef4ac0a]``

``--rapide`` : niveaux commune et région seulement, un seul rendu et un seul
premier affichage par niveau (banc exécuté par les tests ; chiffres imprimés,
jamais comparés à un seuil).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

NIVEAUX = ["commune", "epci", "departement", "region"]
#: Carte des communes avant l'allègement du TopoJSON (mesuré sur AVANT_COMMIT, Chromium 2 processeurs).
AVANT_COMMIT = "ef4ac0a"
AVANT = {"topojson_mo": 7.98, "premier_affichage_url_s": 2.11, "premier_affichage_html_s": 2.63,
         "vlconvert_png_s": 2.65, "inline_mo": 14.23}


def page_avant(ref: str, dossier: Path) -> tuple[Path, int, float]:
    """Page HTML autonome de la carte des communes avec le TopoJSON du commit ``ref``.

    Renvoie le chemin de la page, la taille de ce TopoJSON (octets) et son rendu PNG (s)."""
    import copy
    import subprocess

    import vl_convert as vlc

    from territoire_lib.cartes import carte

    racine = Path(__file__).resolve().parent.parent
    texte = subprocess.run(["git", "-C", str(racine), "show", f"{ref}:donnees/cartes/commune.topojson"],
                           capture_output=True, check=True).stdout
    os.chdir(dossier)
    c = carte(["part_65_ans_et_plus", "densite_population", "evolution_population_annuelle"], niveau="commune",
              millesime={"evolution_population_annuelle": "2016-2023"})
    spec = copy.deepcopy(c.specification("inline"))
    topo = json.loads(texte)
    if "id" not in topo["objects"]["commune"]["geometries"][0]:
        # TopoJSON d'avant le code en « id » (propriété « code ») : la spécification d'alors
        spec = json.loads(json.dumps(spec).replace('"lookup": "id"', '"lookup": "properties.code"')
                          .replace("datum.id", "datum.properties.code"))
    spec["datasets"]["geo_commune"] = topo
    t = time.perf_counter()
    vlc.vegalite_to_png(spec, vl_version="5.20")
    png = time.perf_counter() - t
    html = dossier / "commune-avant.html"
    html.write_text(vlc.vegalite_to_html(spec, vl_version="5.20", bundle=True), encoding="utf-8")
    return html, len(texte), png


def mesurer_niveau(niveau: str, dossier: Path, rendus_png: int = 2) -> dict:
    """Mesures d'un niveau (spécifications, rendu vl-convert)."""
    import vl_convert as vlc

    from territoire_lib.cartes import carte

    os.chdir(dossier)
    t = time.perf_counter()
    c = carte(["part_65_ans_et_plus", "densite_population", "evolution_population_annuelle"], niveau=niveau,
              millesime={"evolution_population_annuelle": "2016-2023"})
    construction = time.perf_counter() - t
    url = len(json.dumps(c.specification("url")).encode())
    inline = c.specification("inline")
    octets_inline = len(json.dumps(inline).encode())
    seule = carte("densite_population", niveau=niveau)
    changement_widget = len(json.dumps(seule.specification("url")).encode())
    version = "5.20"
    rendus = []
    for _ in range(rendus_png):
        t = time.perf_counter()
        vlc.vegalite_to_png(inline, vl_version=version)
        rendus.append(time.perf_counter() - t)
    html = dossier / f"{niveau}.html"
    html.write_text(vlc.vegalite_to_html(inline, vl_version=version, bundle=True), encoding="utf-8")
    html_url = dossier / f"{niveau}-url.html"  # comme dans le carnet : géométrie et valeurs lues par URL
    html_url.write_text(vlc.vegalite_to_html(c.specification("url"), vl_version=version, bundle=True), encoding="utf-8")
    return {"niveau": niveau, "construction_s": construction, "octets_url": url, "octets_inline": octets_inline,
            "octets_changement_menu": 0, "octets_changement_widget": changement_widget,
            "vlconvert_png_s": min(rendus), "html": html, "html_url": html_url}


JS_DESSINE = """() => {
  const formes = document.querySelectorAll('svg .mark-shape path');
  if (formes.length > 10) return true;
  const c = document.querySelector('canvas'); if (!c || !c.width) return false;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 0; i < d.length; i += 4 * 97) { if (d[i + 3] > 0 && d[i] < 235) n++; } return n > 50; }"""


def premier_affichage(fichiers: dict[str, Path], repetitions: int = 3) -> dict[str, float]:
    """Temps jusqu'au premier dessin de la carte dans Chromium sans écran (s), par niveau.

    Les pages sont servies en HTTP sur la boucle locale (127.0.0.1), comme JupyterLab sert
    les fichiers d'un carnet."""
    import functools
    import http.server
    import threading

    dossier = next(iter(fichiers.values())).parent
    class Silencieux(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # pas de journal d'accès dans le tableau
            pass

    gestionnaire = functools.partial(Silencieux, directory=str(dossier))
    serveur = http.server.ThreadingHTTPServer(("127.0.0.1", 0), gestionnaire)
    threading.Thread(target=serveur.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{serveur.server_address[1]}"
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {}
    if chromium is None:
        return {}
    res = {}
    args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
    with sync_playwright() as p:
        nav = p.chromium.launch(executable_path=chromium, args=args)
        for niveau, html in fichiers.items():
            durees = []
            for _ in range(repetitions):
                page = nav.new_page(viewport={"width": 1400, "height": 900})
                t = time.perf_counter()
                page.goto(f"{base}/{html.name}")
                page.wait_for_function(JS_DESSINE, timeout=120_000, polling=20)
                durees.append(time.perf_counter() - t)
                page.close()
            res[niveau] = statistics.median(durees)
        nav.close()
    serveur.shutdown()
    return res


def main(argv: list[str] | None = None) -> None:
    """Imprime le tableau des mesures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sans-chromium", action="store_true")
    p.add_argument("--rapide", action="store_true", help="commune et région, une mesure chacune")
    p.add_argument("--comparer", metavar="REF", help="remesurer la carte des communes avec le TopoJSON de REF")
    args = p.parse_args(argv)
    niveaux = ["commune", "region"] if args.rapide else NIVEAUX
    repetitions = 1 if args.rapide else 3
    depart = Path.cwd()
    with tempfile.TemporaryDirectory() as d:
        dossier = Path(d)
        lignes = [mesurer_niveau(n, dossier, 1 if args.rapide else 2) for n in niveaux]
        os.chdir(depart)
        chrome = {} if args.sans_chromium else premier_affichage({l["niveau"]: l["html"] for l in lignes}, repetitions)
        chrome_url = {} if args.sans_chromium else premier_affichage({l["niveau"]: l["html_url"] for l in lignes},
                                                                     repetitions)
        mesure_avant = None
        if args.comparer:
            html_avant, octets_avant, png_avant = page_avant(args.comparer, dossier)
            os.chdir(depart)
            commune = next(l for l in lignes if l["niveau"] == "commune")
            duels = {"avant": [], "après": []}
            if not args.sans_chromium:
                for _ in range(repetitions):  # en alternance : même charge de la machine pour les deux
                    duels["avant"].append(premier_affichage({"commune": html_avant}, 1).get("commune"))
                    duels["après"].append(premier_affichage({"commune": commune["html"]}, 1).get("commune"))
            mesure_avant = (octets_avant, png_avant, duels)
    print(f"{'niveau':<12}{'carnet (URL)':>14}{'même carte inline':>19}{'changement menu':>17}"
          f"{'changement widget':>19}{'vl-convert PNG':>16}{'1er affichage (URL)':>21}{'(HTML autonome)':>17}")
    for l in lignes:
        c = f"{chrome[l['niveau']]:.2f} s" if l["niveau"] in chrome else "n.d."
        cu = f"{chrome_url[l['niveau']]:.2f} s" if l["niveau"] in chrome_url else "n.d."
        print(f"{l['niveau']:<12}{l['octets_url'] / 1e3:>11.1f} kB{l['octets_inline'] / 1e6:>16.2f} MB"
              f"{l['octets_changement_menu']:>15} o{l['octets_changement_widget'] / 1e3:>16.1f} kB"
              f"{l['vlconvert_png_s']:>14.2f} s{cu:>21}{c:>17}")
    print("Cibles : carte de communes ≤ 50 kB dans le carnet ; aucun octet de géométrie par changement ; "
          "premier affichage ≤ 2 s à chaque niveau.")
    from territoire_lib.chargement import chemin_fichier

    topo = chemin_fichier("cartes/commune.topojson").stat().st_size / 1e6
    if mesure_avant:
        octets_avant, png_avant, duels = mesure_avant
        med = {k: statistics.median(v) if v and None not in v else None for k, v in duels.items()}
        print(f"\nCarte des communes, même exécution : TopoJSON de {args.comparer} → actuel")
        print(f"  TopoJSON                   {octets_avant / 1e6:.2f} Mo → {topo:.2f} Mo")
        commune = next(l for l in lignes if l["niveau"] == "commune")
        print(f"  rendu PNG vl-convert       {png_avant:.2f} s → {commune['vlconvert_png_s']:.2f} s")
        if med["avant"] is not None:
            print(f"  1er affichage (HTML)       {med['avant']:.2f} s → {med['après']:.2f} s "
                  f"(médianes de {len(duels['avant'])} essais alternés)")
    commune = next((l for l in lignes if l["niveau"] == "commune"), None)
    print(f"\nCarte des communes, avant ({AVANT_COMMIT}) → après :")
    print(f"  TopoJSON livré             {AVANT['topojson_mo']:>6.2f} Mo → {topo:.2f} Mo (cible ≤ 5 Mo)")
    # sur le réseau : le serveur de la salle et make lab compressent les réponses (gzip niveau 6 de
    # tornado, salle.REGLAGES_SERVEUR) ; avant, aucune compression : le fichier entier
    import gzip

    transfere = len(gzip.compress(chemin_fichier("cartes/commune.topojson").read_bytes(), 6)) / 1e6
    print(f"  TopoJSON sur le réseau     {AVANT['topojson_mo']:>6.2f} Mo → {transfere:.2f} Mo (gzip du serveur Jupyter)")
    if commune:
        print(f"  carte inline (HTML)        {AVANT['inline_mo']:>6.2f} Mo → {commune['octets_inline'] / 1e6:.2f} Mo")
        print(f"  rendu PNG vl-convert       {AVANT['vlconvert_png_s']:>6.2f} s  → {commune['vlconvert_png_s']:.2f} s")
        for nom, mesures, cle in (("1er affichage (URL)", chrome_url, "premier_affichage_url_s"),
                                  ("1er affichage (HTML)", chrome, "premier_affichage_html_s")):
            apres = f"{mesures['commune']:.2f} s" if "commune" in mesures else "n.d. (sans Chromium)"
            print(f"  {nom:<26} {AVANT[cle]:>6.2f} s  → {apres} (cible ≤ 1,2 s)")


if __name__ == "__main__":
    main()
