"""Charge d'un atelier : N noyaux exécutent les carnets en même temps.

Chaque participant est simulé par un processus qui exécute un carnet de bout
en bout avec nbclient, dans son propre dossier de travail (comme le dossier
personnel d'un participant) : les carnets sont distribués à tour de rôle
(participant 1 → premier carnet, 2 → deuxième…). À la fin de chaque carnet,
le noyau lit lui-même son pic de mémoire résidente (``VmHWM`` sous Linux,
``peak_wset`` sous Windows via psutil, ``ru_maxrss`` ailleurs).

Imprime, par noyau : carnet, durée, pic de mémoire ; puis le total des pics,
la durée de la séance simulée, et l'extrapolation à une salle de 30 personnes
(cible : ≤ 600 Mo par noyau, soit 30 noyaux sur un serveur de 24 Go).

Usage : ``python bench/atelier.py [--n 4] [--carnets notebooks/00_introduction.ipynb ...]``
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
CIBLE_MO = 600
SALLE = 30
MEMOIRE_SERVEUR_GO = 24
MARQUE = "PIC_OCTETS="
#: Exécuté dans le noyau après le carnet : son propre pic de mémoire résidente, en octets.
CODE_PIC = f"""
def _pic_octets():
    try:
        with open("/proc/self/status") as f:
            return int(next(l for l in f if l.startswith("VmHWM")).split()[1]) * 1024
    except OSError:
        pass
    try:
        import psutil
        info = psutil.Process().memory_info()
        if hasattr(info, "peak_wset"):
            return info.peak_wset
    except ImportError:
        pass
    import resource, sys
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
print("{MARQUE}" + str(_pic_octets()))
"""


def executer(carnet: str, file: mp.Queue, timeout: int) -> None:
    """Un participant : exécute le carnet dans un dossier à lui, renvoie durée et pic du noyau."""
    import nbformat
    from nbclient import NotebookClient

    debut = time.perf_counter()
    dossier = Path(tempfile.mkdtemp(prefix="atelier-"))
    try:
        nb = nbformat.read(carnet, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(CODE_PIC))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(RACINE), os.environ.get("PYTHONPATH")])))
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(dossier)}})
        client.execute(env=env)
        sortie = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
        pic = int(sortie.split(MARQUE)[1].split()[0])
        file.put((carnet, time.perf_counter() - debut, pic, None))
    except Exception as exc:  # rapporté, pas levé : les autres participants continuent
        file.put((carnet, time.perf_counter() - debut, None, f"{type(exc).__name__} : {str(exc)[:300]}"))
    finally:
        shutil.rmtree(dossier, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Lance la simulation et imprime le rapport."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=4, help="nombre de noyaux simultanés (défaut : 4)")
    p.add_argument("--carnets", nargs="*", type=Path, help="carnets à exécuter (défaut : tous ceux de notebooks/)")
    p.add_argument("--timeout", type=int, default=900, help="délai maximal par cellule, en secondes")
    args = p.parse_args(argv)
    carnets = [str(c.resolve()) for c in (args.carnets or sorted((RACINE / "notebooks").glob("*.ipynb")))]
    repartition = [carnets[i % len(carnets)] for i in range(args.n)]
    print(f"{args.n} noyaux simultanés sur {os.cpu_count()} processeurs ; carnets : "
          + ", ".join(Path(c).stem for c in repartition))
    ctx = mp.get_context("spawn")
    file = ctx.Queue()
    debut = time.perf_counter()
    procs = [ctx.Process(target=executer, args=(c, file, args.timeout)) for c in repartition]
    for proc in procs:
        proc.start()
    resultats = [file.get() for _ in procs]
    for proc in procs:
        proc.join()
    mur = time.perf_counter() - debut

    print(f"\n{'carnet':<32} {'durée (s)':>10} {'pic noyau (Mo)':>15}")
    pics = []
    for carnet, duree, pic, erreur in sorted(resultats):
        if erreur:
            print(f"{Path(carnet).stem:<32} {duree:>10.0f}   ÉCHEC : {erreur}")
            continue
        pics.append(pic / 1e6)
        alerte = "  > cible" if pic / 1e6 > CIBLE_MO else ""
        print(f"{Path(carnet).stem:<32} {duree:>10.0f} {pic / 1e6:>15.0f}{alerte}")
    if not pics:
        print("Aucun carnet n'a abouti.")
        return 1
    maxi, moyen = max(pics), sum(pics) / len(pics)
    print(f"\nTotal des pics : {sum(pics):.0f} Mo pour {len(pics)} noyaux ; durée de la séance simulée : {mur:.0f} s")
    print(f"Pic par noyau : moyen {moyen:.0f} Mo, maximal {maxi:.0f} Mo (cible ≤ {CIBLE_MO} Mo)")
    print(f"Salle de {SALLE} : {SALLE * moyen / 1000:.1f} Go si chacun suit son rythme (pic moyen), "
          f"{SALLE * maxi / 1000:.1f} Go au pire (tous au pic du carnet le plus lourd) ; "
          f"serveur de {MEMOIRE_SERVEUR_GO} Go : {'suffisant' if SALLE * maxi / 1000 <= MEMOIRE_SERVEUR_GO else 'insuffisant au pire'}")
    return 0 if len(pics) == len(resultats) else 1


if __name__ == "__main__":
    sys.exit(main())
