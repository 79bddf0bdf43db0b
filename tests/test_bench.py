"""Les bancs d'essai de ``bench/`` tournent, en mode rapide, pour ne pas se périmer.

Chaque banc est lancé comme on le lance à la main (``python bench/X.py --rapide``,
dans un processus neuf) ; ses chiffres sont imprimés dans la sortie des tests
(visibles en CI) et ne sont jamais comparés à un seuil : une durée dépend de la
machine et de sa charge. Seul compte que le banc aille au bout sans erreur et
imprime son tableau. Durée totale visée : moins de 2 minutes sur 2 processeurs.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.lent, pytest.mark.bancs]

#: banc → texte que sa sortie doit contenir (preuve qu'il a imprimé son tableau)
BANCS = {
    "chargement.py": "import de territoire_lib",
    "topologie.py": "octets gzip",
    "cartes.py": "TopoJSON livré",
    "atelier.py": "Dimensionnement",
    "geometrie.py": "",  # sans sources extraites, il le dit et s'arrête sans erreur
}


@pytest.mark.parametrize("banc", sorted(BANCS))
def test_banc_rapide(banc, capsys):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(RACINE), os.environ.get("PYTHONPATH")])))
    debut = time.perf_counter()
    r = subprocess.run([sys.executable, str(RACINE / "bench" / banc), "--rapide"], cwd=RACINE, env=env,
                       capture_output=True, text=True, timeout=600)
    duree = time.perf_counter() - debut
    with capsys.disabled():
        print(f"\n----- bench/{banc} --rapide ({duree:.0f} s) -----\n{r.stdout.rstrip()}")
    assert r.returncode == 0, f"bench/{banc} a échoué (code {r.returncode}) :\n{r.stderr[-3000:]}"
    assert BANCS[banc] in r.stdout


def test_environnement_des_noyaux_partage(tmp_path):
    """``make lab`` donne aux noyaux le même environnement mémoire que la salle (``ENV_MEMOIRE``),
    que ``bench/atelier.py`` lit aussi dans l'arbre comparé (vide s'il n'a pas de salle)."""
    sys.path.insert(0, str(RACINE / "bench"))
    try:
        import atelier
    finally:
        sys.path.pop(0)
    ligne = next(l for l in (RACINE / "Makefile").read_text(encoding="utf-8").splitlines()
                 if l.startswith("ENV_NOYAUX :="))
    make = dict(x.split("=", 1) for x in ligne.split(":=", 1)[1].split())
    assert make == atelier.env_salle() and "MALLOC_MMAP_THRESHOLD_" in make
    assert atelier.env_salle(tmp_path) == {}


def test_reglages_du_serveur_partages():
    """``make lab``, la salle, TLJH et Kubernetes compressent les réponses comme ``salle.REGLAGES_SERVEUR``."""
    sys.path.insert(0, str(RACINE / "outils" / "salle"))
    try:
        import salle
    finally:
        sys.path.pop(0)
    ligne = next(l for l in (RACINE / "Makefile").read_text(encoding="utf-8").splitlines()
                 if l.startswith("REGLAGES_LAB :="))
    valeurs = (RACINE / "outils" / "salle" / "values.yaml").read_text(encoding="utf-8")
    for reglage in salle.REGLAGES_SERVEUR:
        assert reglage in ligne.split(), reglage
        assert reglage in valeurs, reglage
    for config in ("jupyterhub_config.py", "tljh_salle.py"):
        assert "*REGLAGES_SERVEUR" in (RACINE / "outils" / "salle" / config).read_text(encoding="utf-8"), config
