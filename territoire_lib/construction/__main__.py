"""Ligne de commande : ``python -m territoire_lib.construction construire|verifier``."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ..chemins import dossier_donnees


def main(argv: list[str] | None = None) -> int:
    """Point d'entrée de la ligne de commande."""
    parser = argparse.ArgumentParser(
        prog="python -m territoire_lib.construction",
        description="Construit ou vérifie les données de Territoires en transition.")
    sous = parser.add_subparsers(dest="commande", required=True)
    c = sous.add_parser("construire", help="télécharge les paquets épinglés et reconstruit donnees/")
    c.add_argument("--dossier", type=Path, default=None, help="dossier de sortie (défaut : donnees/)")
    v = sous.add_parser("verifier", help="vérifie les empreintes de donnees/ contre le manifeste")
    v.add_argument("--dossier", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.commande == "construire":
        from .construction import construire

        construire(args.dossier)
        return 0
    from .verification import verifier

    problemes = verifier(args.dossier or dossier_donnees())
    for p in problemes:
        print(p, file=sys.stderr)
    print("Données conformes au manifeste." if not problemes else f"{len(problemes)} problème(s).")
    return 1 if problemes else 0


if __name__ == "__main__":
    sys.exit(main())
