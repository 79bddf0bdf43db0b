"""Banc d'essai de territoire_lib.construction.cartes sur les couches livrées.

Usage ::

    .venv/bin/python bench/topologie.py [--niveaux commune epci ...]
        [--tolerance commune=600 ...] [--quantification 1e5] [--sortie DOSSIER]

Pour chaque niveau (couche ``tl.geometries(niveau)``), affiche côte à côte :
durées de la disposition, de la simplification et du passage en TopoJSON
(arrondi sur la grille compris), taille du fichier écrit (et compressé gzip,
et sans la propriété ``nom``), nombre d'arcs, sommets avant/après
simplification, défauts de l'arrondi simple, anneaux réorientés après le
paquet ``topojson``. ``--sortie`` garde les fichiers (``<niveau>.topojson``
et ``cadres.geojson``). ``--rapide`` : régions et départements seulement
(banc exécuté par les tests ; chiffres imprimés, jamais comparés à un seuil).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import territoire_lib as tl  # noqa: E402
from territoire_lib.construction import cartes as C  # noqa: E402

NIVEAUX = ["region", "departement", "epci", "commune"]


def _octets(obj) -> int:
    return len(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def _mesurer(niveau: str, tolerance: float | None, quantification: float | None, dossier: Path) -> dict:
    geo = tl.geometries(niveau)
    t = time.perf_counter()
    carte = C.construire_carte(geo, niveau, tolerance, quantification)
    total = time.perf_counter() - t
    octets = C.ecrire_topojson(carte.topo, dossier / f"{niveau}.topojson")
    texte = (dossier / f"{niveau}.topojson").read_bytes()
    geoms = carte.topo["objects"][niveau]["geometries"]
    sans_nom = octets - sum(_octets(g.get("properties", {})) for g in geoms)
    r = carte.rapport
    return {
        "entités (avec forme)": f"{r['nb_entites']} ({r['nb_geometries']})",
        "tolérance (m)": f"{r['tolerance_m']:g}",
        "pas de grille (m)": f"{r['arrondi']['pas_m']:g}",
        "disposition (s)": f"{r['durees_s']['disposition']:.2f}",
        "simplification (s)": f"{r['durees_s']['simplification']:.2f}",
        "topojson (s)": f"{r['durees_s']['topojson']:.2f}",
        "total (s)": f"{total:.2f}",
        "octets": f"{octets:,}".replace(",", " "),
        "  dont arcs": f"{_octets(carte.topo['arcs']):,}".replace(",", " "),
        "  dont propriétés": f"{_octets([g.get('properties', {}) for g in geoms]):,}".replace(",", " "),
        "octets sans propriétés": f"{sans_nom:,}".replace(",", " "),
        "octets gzip": f"{len(gzip.compress(texte, 6)):,}".replace(",", " "),
        "arcs": f"{r['nb_arcs']:,}".replace(",", " "),
        "sommets avant": f"{r['sommets_avant']:,}".replace(",", " "),
        "sommets après": f"{r['sommets_apres']:,}".replace(",", " "),
        "défauts arrondi simple": str(r["arrondi"]["nb_defauts_arrondi_simple"]),
        "reconstruction": "oui" if r["arrondi"]["reconstruction"] else "non",
        "faces hors entités": str(r["arrondi"].get("nb_faces_hors_entites", "—")),
        "écart surface max": f"{r['arrondi'].get('ecart_surface_relatif_max', 0):.2%}",
        "anneaux retournés (ext/trous)": (f"{r['orientation']['exterieurs_retournes']}/"
                                          f"{r['orientation']['trous_retournes']}"),
        "sans géométrie": str(len(r["codes_sans_geometrie"])),
        "_cadres": carte.cadres,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--niveaux", nargs="+", default=NIVEAUX, choices=NIVEAUX)
    parser.add_argument("--tolerance", nargs="*", default=[], metavar="NIVEAU=METRES")
    parser.add_argument("--quantification", type=float, default=None)
    parser.add_argument("--sortie", type=Path, default=None)
    parser.add_argument("--rapide", action="store_true", help="régions et départements seulement")
    args = parser.parse_args(argv)
    if args.rapide:
        args.niveaux = [n for n in args.niveaux if n in ("region", "departement")] or ["region"]
    logging.basicConfig(level=logging.ERROR)
    tolerances = {k: float(v) for k, v in (t.split("=") for t in args.tolerance)}
    with tempfile.TemporaryDirectory() as tmp:
        dossier = args.sortie or Path(tmp)
        resultats = {n: _mesurer(n, tolerances.get(n), args.quantification, dossier) for n in args.niveaux}
        cadres = next(iter(resultats.values()))["_cadres"]
        C.ecrire_topojson(C.cadres_vers_geojson(cadres), dossier / "cadres.geojson")
    lignes = [k for k in next(iter(resultats.values())) if not k.startswith("_")]
    largeur = max(map(len, lignes))
    print(f"{'':<{largeur}} " + " ".join(f"{n:>14}" for n in args.niveaux))
    for ligne in lignes:
        print(f"{ligne:<{largeur}} " + " ".join(f"{resultats[n][ligne]:>14}" for n in args.niveaux))
    print("\nCadres des DROM (échelle = mètres affichés par mètre réel) :")
    for c in cadres.itertuples():
        x0, y0, x1, y1 = c.geometry.bounds
        print(f"  {c.code_territoire} {c.nom:<11} ×{c.echelle:.3f}"
              f"  x {x0:>9,.0f} → {x1:>9,.0f}  y {y0:>11,.0f} → {y1:>11,.0f}")


if __name__ == "__main__":
    main()
