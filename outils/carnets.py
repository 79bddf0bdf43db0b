"""Politique des carnets : sorties effacées sauf les cellules de chiffres clés.

Une cellule dont le code contient ``# NBVAL_CHECK_OUTPUT`` garde sa sortie
(texte seulement) et son compteur d'exécution (nbval ignore une cellule
sans compteur) : nbval la recalcule et la compare à chaque test. Toutes
les autres sorties, compteurs d'exécution et métadonnées volatiles sont
effacés avant commit.

Usage : ``python outils/carnets.py notebooks/*.ipynb`` (nettoie en place),
``python outils/carnets.py --executer notebooks/00_introduction.ipynb``
(exécute, puis nettoie : les chiffres clés sont ainsi à jour).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

MARQUE = "# NBVAL_CHECK_OUTPUT"
TYPES_GARDES = {"text/plain"}
#: Les notes du journal (territoire_lib.journal) sont affichées en texte et en HTML : les deux sont gardés.
PREFIXE_NOTE = "ℹ Note"


def nettoyer(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Efface les sorties sauf celles des cellules marquées (texte brut seulement)."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if MARQUE in cell.source:
            gardees = []
            for out in cell.outputs:
                if out.output_type == "stream":  # stdout et avertissements (stderr), comparés par nbval
                    gardees.append(out)
                elif out.output_type in ("execute_result", "display_data"):
                    data = {k: v for k, v in out.get("data", {}).items() if k in TYPES_GARDES}
                    if str(data.get("text/plain", "")).startswith(PREFIXE_NOTE) and "text/html" in out.get("data", {}):
                        data["text/html"] = out["data"]["text/html"]  # note du journal : nbval compare les deux
                    if data:
                        out.data, out.metadata = data, {}
                        gardees.append(out)
            cell.outputs = gardees
        else:
            cell.outputs = []
            cell.execution_count = None
    return nb


def est_propre(nb: nbformat.NotebookNode) -> list[str]:
    """Problèmes de propreté d'un carnet (vide si conforme)."""
    problemes = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.execution_count is not None and MARQUE not in cell.source:
            problemes.append(f"cellule {i} : compteur d'exécution")
        if cell.outputs and MARQUE not in cell.source:
            problemes.append(f"cellule {i} : sortie non effacée")
    return problemes


def main(argv: list[str] | None = None) -> int:
    """Nettoie (et éventuellement exécute) les carnets donnés."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("carnets", nargs="+", type=Path)
    p.add_argument("--executer", action="store_true", help="exécuter avant de nettoyer")
    args = p.parse_args(argv)
    for chemin in args.carnets:
        nb = nbformat.read(chemin, as_version=4)
        if args.executer:
            from nbclient import NotebookClient

            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(chemin.parent)}}).execute()
        nbformat.write(nettoyer(nb), chemin)
        print(f"{chemin} : nettoyé")
    return 0


if __name__ == "__main__":
    sys.exit(main())
