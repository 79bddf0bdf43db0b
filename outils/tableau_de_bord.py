"""Mode tableau de bord : un carnet présenté sans code, avec Voilà, hors ligne.

Usage : ``python outils/tableau_de_bord.py [notebooks/06_portrait_de_territoire.ipynb] [--port 8866]``
(ou ``make tableau-de-bord CARNET=notebooks/05_modeles_de_territoire.ipynb``).

Voilà exécute le carnet dans un noyau, masque le code (``--strip_sources``)
et n'affiche que le texte, les tableaux, les cartes et les menus. Réglages :

- gabarit « atelier » (``outils/jupyter/voila/templates/atelier``) : le
  gabarit « lab » de Voilà, moins deux feuilles de style Font Awesome qu'il
  irait chercher sur un CDN ;
- les cartes lisent leur géométrie et leurs valeurs par URL relative
  (``cartes_generees/``, à côté du carnet) : ces fichiers sont ajoutés à la
  liste des fichiers que Voilà accepte de servir ;
- les cartes Vega-Lite 5 sont dessinées par le moteur que Voilà embarque
  (le même que JupyterLab) : aucun script n'est chargé depuis Internet ;
  ``TERRITOIRE_TABLEAU_DE_BORD=1`` évite l'erreur « e.setData is not a
  function » que ce moteur afficherait sous chaque carte dans Voilà (voir
  ``territoire_lib.cartes.mode_tableau_de_bord``).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["CARNET_DEFAUT", "FICHIERS_SERVIS", "commande_voila", "environnement_voila", "main"]

RACINE = Path(__file__).resolve().parent.parent
CARNET_DEFAUT = "notebooks/06_portrait_de_territoire.ipynb"
#: Fichiers que Voilà sert au navigateur (expressions régulières, chemins relatifs au carnet).
FICHIERS_SERVIS = [r".*\.(png|jpg|gif|svg)", r"cartes_generees/[^/\\]+\.(csv|topojson|json)"]
GABARITS = RACINE / "outils" / "jupyter"


def commande_voila(carnet: str | os.PathLike, port: int = 8866, navigateur: bool = True) -> list[str]:
    """Ligne de commande Voilà du mode tableau de bord.

    Paramètres
    ----------
    carnet : chemin
        Carnet à présenter.
    port : int
        Port local (le serveur n'écoute que sur 127.0.0.1).
    navigateur : bool
        Ouvrir le navigateur par défaut.

    Renvoie
    -------
    list of str

    Exemples
    --------
    >>> cmd = commande_voila("notebooks/01_metropolisation.ipynb", navigateur=False)
    >>> "--strip_sources=True" in cmd and "--template=atelier" in cmd and "--no-browser" in cmd
    True
    """
    cmd = [sys.executable, "-m", "voila", str(carnet), f"--port={port}", "--Voila.ip=127.0.0.1",
           "--strip_sources=True", "--template=atelier", "--theme=light",
           f"--VoilaConfiguration.file_allowlist={FICHIERS_SERVIS!r}"]
    if not navigateur:
        cmd.append("--no-browser")
    return cmd


def environnement_voila(base: dict | None = None) -> dict[str, str]:
    """Environnement du serveur : gabarit « atelier » trouvé par Voilà, bibliothèque du dépôt importable."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(GABARITS), env.get("JUPYTER_PATH", "")) if p)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(RACINE), env.get("PYTHONPATH", "")) if p)
    env["TERRITOIRE_TABLEAU_DE_BORD"] = "1"  # voir territoire_lib.cartes.mode_tableau_de_bord
    return env


def main(argv: list[str] | None = None) -> int:
    """Lance Voilà sur le carnet choisi (Ctrl+C pour arrêter)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("carnet", nargs="?", default=CARNET_DEFAUT)
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--sans-navigateur", action="store_true", help="ne pas ouvrir le navigateur")
    args = p.parse_args(argv)
    carnet = Path(args.carnet)
    if not carnet.is_file():
        existants = ", ".join(c.name for c in sorted((RACINE / "notebooks").glob("*.ipynb")))
        print(f"Carnet introuvable : {carnet}. Carnets disponibles : {existants}.", file=sys.stderr)
        return 2
    print(f"Tableau de bord : http://127.0.0.1:{args.port}/ (Ctrl+C pour arrêter)")
    try:
        return subprocess.call(commande_voila(carnet, args.port, not args.sans_navigateur), env=environnement_voila())
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
