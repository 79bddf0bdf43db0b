"""Ligne de commande des connecteurs web.

    python -m territoire_lib.connecteurs liste
    python -m territoire_lib.connecteurs telecharger insee_filosofi_2021 [--forcer]
    python -m territoire_lib.connecteurs telecharger tout
    python -m territoire_lib.connecteurs importer anct_france_services liste.csv
    python -m territoire_lib.connecteurs restaurer CHEMIN/cache/web     (paquet hors ligne)
"""
from __future__ import annotations

import argparse
import sys

from . import analyser, charger, disponible, statut
from .commun import importer, lire_sources_web
from ..erreurs import ErreurTerritoire
from ..format import nombre


def main(argv: list[str] | None = None) -> int:
    """Point d'entrée ; renvoie le code de sortie (0 si tout a réussi)."""
    p = argparse.ArgumentParser(prog="python -m territoire_lib.connecteurs",
                                description="Sources web officielles : état du cache, téléchargement.")
    sous = p.add_subparsers(dest="commande", required=True)
    sous.add_parser("liste", help="sources déclarées et état du cache")
    t = sous.add_parser("telecharger", help="télécharge, vérifie et analyse une source (ou « tout »)")
    t.add_argument("source", help="identifiant de la source, ou « tout »")
    t.add_argument("--forcer", action="store_true", help="retélécharger même si la source est en cache")
    m = sous.add_parser("importer", help="met en cache un fichier officiel téléchargé à la main (vérifié)")
    m.add_argument("source", help="identifiant de la source")
    m.add_argument("fichier", help="chemin du fichier tel que publié par le producteur")
    r = sous.add_parser("restaurer", help="installe le cache web d'un paquet hors ligne (vérifié)")
    r.add_argument("dossier", help="dossier web/ du paquet (brut/, tables/, registre)")
    args = p.parse_args(argv)
    if args.commande == "restaurer":
        from .cache import restaurer_cache

        try:
            installees = restaurer_cache(args.dossier)
        except ErreurTerritoire as exc:
            print(f"Cache web non restauré : {exc}", file=sys.stderr)
            return 1
        for i in installees:
            print(f"{i['source']} : {i['producteur']}, {i['millesime']} — en cache.")
        print(f"{len(installees)} source(s) en ligne disponibles hors ligne.")
        return 0
    if args.commande == "liste":
        print(statut().to_string(index=False))
        return 0
    if args.commande == "importer":
        try:
            importer(args.source, args.fichier)
            table = analyser(args.source)
        except ErreurTerritoire as exc:
            print(f"{args.source} : échec. {exc}", file=sys.stderr)
            return 1
        print(f"{args.source} : fichier importé et vérifié, {nombre(len(table), 0)} communes en cache.")
        return 0
    sources = lire_sources_web()
    ids = list(sources) if args.source == "tout" else [args.source]
    echecs = 0
    for i in ids:
        src = sources.get(i)
        if args.source == "tout" and src is not None and not src.adresse_verifiee and not disponible(i):
            print(f"{i} : téléchargement automatique désactivé (adresse non vérifiée) ; téléchargez le fichier "
                  f"depuis {src.page} puis `python -m territoire_lib.connecteurs importer {i} FICHIER`.")
            continue
        try:
            table = charger(i, forcer=args.forcer)
            print(f"{i} : {nombre(len(table), 0)} communes en cache.")
        except ErreurTerritoire as exc:
            echecs += 1
            print(f"{i} : échec. {exc}", file=sys.stderr)
    return 1 if echecs else 0


if __name__ == "__main__":
    sys.exit(main())
