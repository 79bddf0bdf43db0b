"""Charge d'un atelier : N noyaux exécutent les carnets en même temps.

Chaque participant est simulé par un processus qui exécute un carnet de bout
en bout avec nbclient, dans son propre dossier de travail (comme le dossier
personnel d'un participant) : les carnets sont distribués à tour de rôle
(participant 1 → premier carnet, 2 → deuxième…). À la fin de chaque carnet,
le noyau lit lui-même son pic de mémoire résidente (``VmHWM`` sous Linux,
``peak_wset`` sous Windows via psutil, ``ru_maxrss`` ailleurs).

Un fil du noyau relève aussi, toutes les 20 ms, sa mémoire anonyme (``RssAnon`` :
tas, tableaux ; ce qui n'est pas partagé entre noyaux) et sa mémoire adossée à
des fichiers (``RssFile`` : bibliothèques partagées, lues une fois pour tous
les noyaux de la machine) ; d'où la formule de dimensionnement d'une salle :
``N × pic anonyme + bibliothèques partagées``.

Imprime, par noyau : carnet, durée, pic de mémoire, à côté du pic « avant »
(mesuré sur le commit ``AVANT_COMMIT``, enregistré dans ``AVANT_MO``, ou
remesuré dans la même exécution avec ``--comparer REF``, qui exécute les
mêmes carnets avec le code, les données et l'environnement des noyaux de la
salle (``ENV_MEMOIRE``) de ``REF`` depuis une copie de travail temporaire) ; puis le total, la durée et l'extrapolation à une salle
de 30 personnes (cible : ≤ 350 Mo par noyau).

Usage : ``python bench/atelier.py [--n 4] [--carnets notebooks/00_introduction.ipynb ...]
[--comparer ef4ac0a] [--rapide]``

Les noyaux reçoivent l'environnement des noyaux de la salle
(``outils/salle/salle.py``, ``ENV_MEMOIRE`` : ``MALLOC_ARENA_MAX=2``,
``ARROW_DEFAULT_MEMORY_POOL=system``, ``MALLOC_MMAP_THRESHOLD_=65536``), sauf
avec ``--sans-env-salle``.

``--rapide`` : un seul noyau, le carnet 00 (banc exécuté par les tests ;
chiffres imprimés, jamais comparés à un seuil).
"""
from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
CIBLE_MO = 350
#: Pics par carnet (Mo, VmHWM) mesurés avant l'allègement des imports (7 noyaux simultanés, 2 processeurs).
AVANT_COMMIT = "ef4ac0a"
AVANT_MO = {"00_introduction": 470, "01_metropolisation": 592, "02_mobilites_demobilites": 494,
            "03_numerique_services_en_ligne": 486, "04_cooperations_nouveaux_acteurs": 485,
            "05_modeles_de_territoire": 490, "06_portrait_de_territoire": 610}
#: Mémoire propre (USS : ni bibliothèques ni pages partagées) du serveur Jupyter d'un participant,
#: sans ses noyaux (jupyterhub-singleuser), mesurée par tests/test_salle.py : 128 Mo (156 Mo résidents).
SERVEUR_MO = 128
MARQUE_ANON = "PIC_ANON="
MARQUE_FICHIERS = "FICHIERS="
#: Exécuté dans le noyau avant le carnet : relève RssAnon et RssFile toutes les 20 ms.
CODE_RELEVE = """
import threading as _th, time as _t, builtins as _b
_b._releve_memoire = {"anon": 0, "fichiers": 0}
def _relever():
    while True:
        try:
            with open("/proc/self/status") as f:
                for l in f:
                    if l.startswith("RssAnon"):
                        _b._releve_memoire["anon"] = max(_b._releve_memoire["anon"], int(l.split()[1]) * 1024)
                    elif l.startswith("RssFile"):
                        _b._releve_memoire["fichiers"] = max(_b._releve_memoire["fichiers"], int(l.split()[1]) * 1024)
        except OSError:
            return
        _t.sleep(0.02)
_th.Thread(target=_relever, daemon=True).start()
"""
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
_r = getattr(__import__("builtins"), "_releve_memoire", None) or {{"anon": 0, "fichiers": 0}}
print("{MARQUE_ANON}" + str(_r["anon"]) + " {MARQUE_FICHIERS}" + str(_r["fichiers"]))
"""


def env_salle(racine: Path = RACINE) -> dict[str, str]:
    """``ENV_MEMOIRE`` de ``outils/salle/salle.py`` (l'environnement des noyaux de la salle) de l'arbre ``racine``.

    Lu dans le texte du fichier (pas importé : deux arbres, deux versions du module) ; dictionnaire
    vide si l'arbre n'en a pas (commit antérieur à la salle)."""
    import ast

    chemin = Path(racine) / "outils" / "salle" / "salle.py"
    if not chemin.exists():
        return {}
    for noeud in ast.parse(chemin.read_text(encoding="utf-8")).body:
        if isinstance(noeud, ast.Assign) and any(getattr(c, "id", None) == "ENV_MEMOIRE" for c in noeud.targets):
            return dict(ast.literal_eval(noeud.value))
    return {}


def executer(carnet: str, file: mp.Queue, timeout: int, racine: str = str(RACINE),
             env_noyau: dict | None = None) -> None:
    """Un participant : exécute le carnet dans un dossier à lui, renvoie durée et pics du noyau.

    ``racine`` : dépôt dont le code et les données sont utilisés (``--comparer``)."""
    import nbformat
    from nbclient import NotebookClient

    debut = time.perf_counter()
    dossier = Path(tempfile.mkdtemp(prefix="atelier-"))
    nom = Path(carnet).stem
    try:
        nb = nbformat.read(Path(racine) / "notebooks" / Path(carnet).name, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell(CODE_RELEVE))
        nb.cells.append(nbformat.v4.new_code_cell(CODE_PIC))
        env = {k: v for k, v in os.environ.items() if k != "TERRITOIRE_DONNEES"}
        env["PYTHONPATH"] = racine
        env.update(env_noyau or {})
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(dossier)}})
        client.execute(env=env)
        sortie = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
        pic = int(sortie.split(MARQUE)[1].split()[0])
        anon = int(sortie.split(MARQUE_ANON)[1].split()[0])
        fichiers = int(sortie.split(MARQUE_FICHIERS)[1].split()[0])
        file.put((racine, nom, time.perf_counter() - debut, (pic, anon, fichiers), None))
    except Exception as exc:  # rapporté, pas levé : les autres participants continuent
        file.put((racine, nom, time.perf_counter() - debut, None, f"{type(exc).__name__} : {str(exc)[:300]}"))
    finally:
        shutil.rmtree(dossier, ignore_errors=True)


@contextlib.contextmanager
def copie_de_travail(ref: str):
    """Copie de travail temporaire (``git worktree``) du commit ``ref``, retirée à la sortie."""
    dossier = Path(tempfile.mkdtemp(prefix="atelier-avant-"))
    subprocess.run(["git", "-C", str(RACINE), "worktree", "add", "--detach", "--quiet", str(dossier), ref], check=True)
    try:
        yield dossier
    finally:
        subprocess.run(["git", "-C", str(RACINE), "worktree", "remove", "--force", str(dossier)], check=False)
        shutil.rmtree(dossier, ignore_errors=True)


def seance(carnets: list[str], racine: Path, timeout: int, env_noyau: dict | None = None) -> tuple[list, float]:
    """Exécute les carnets en même temps (un processus chacun) ; renvoie résultats et durée."""
    ctx = mp.get_context("spawn")
    file = ctx.Queue()
    debut = time.perf_counter()
    procs = [ctx.Process(target=executer, args=(c, file, timeout, str(racine), env_noyau)) for c in carnets]
    for proc in procs:
        proc.start()
    resultats = [file.get() for _ in procs]
    for proc in procs:
        proc.join()
    return resultats, time.perf_counter() - debut


def main(argv: list[str] | None = None) -> int:
    """Lance la simulation et imprime le rapport."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=None, help="nombre de noyaux simultanés (défaut : un par carnet)")
    p.add_argument("--carnets", nargs="*", type=Path, help="carnets à exécuter (défaut : tous ceux de notebooks/)")
    p.add_argument("--timeout", type=int, default=900, help="délai maximal par cellule, en secondes")
    p.add_argument("--comparer", metavar="REF", help="remesurer « avant » avec le code et les données du commit REF")
    p.add_argument("--rapide", action="store_true", help="un noyau, carnet 00 seulement")
    p.add_argument("--sans-env-salle", action="store_true",
                   help="noyaux sans l'environnement de la salle (ENV_MEMOIRE de outils/salle/salle.py)")
    args = p.parse_args(argv)
    env_noyau = {} if args.sans_env_salle else env_salle()
    if args.rapide:
        args.carnets, args.n = args.carnets or [RACINE / "notebooks" / "00_introduction.ipynb"], 1
    carnets = [str(c.resolve()) for c in (args.carnets or sorted((RACINE / "notebooks").glob("*.ipynb")))]
    n = args.n or len(carnets)
    repartition = [carnets[i % len(carnets)] for i in range(n)]
    print(f"{n} noyaux simultanés sur {os.cpu_count()} processeurs ; carnets : "
          + ", ".join(Path(c).stem for c in repartition), flush=True)
    print("environnement des noyaux : " + (" ".join(f"{k}={v}" for k, v in env_noyau.items()) or "inchangé"))
    avant, titre_avant = {}, f"avant ({AVANT_COMMIT}, enregistré)"
    if args.comparer:
        with copie_de_travail(args.comparer) as ancien:
            env_avant = {} if args.sans_env_salle else env_salle(ancien)  # l'environnement de la salle d'alors
            print("environnement des noyaux « avant » : "
                  + (" ".join(f"{k}={v}" for k, v in env_avant.items()) or "inchangé"))
            res_avant, _ = seance(repartition, ancien, args.timeout, env_avant)
        avant = {nom: m[0] / 1e6 for _, nom, _, m, err in res_avant if not err}
        titre_avant = f"avant ({args.comparer}, mesuré)"
        for _, nom, _, m, err in res_avant:
            if err:
                print(f"avant, {nom} : ÉCHEC : {err}")
    else:
        avant = dict(AVANT_MO)
    resultats, mur = seance(repartition, RACINE, args.timeout, env_noyau)

    print(f"\n{'carnet':<34}{'durée (s)':>10}{titre_avant:>32}{'après : pic (Mo)':>18}{'dont anonyme':>14}{'écart':>8}")
    pics, anons, fichiers = [], [], []
    for _, nom, duree, m, erreur in sorted(resultats, key=lambda r: r[1]):
        if erreur:
            print(f"{nom:<34}{duree:>10.0f}   ÉCHEC : {erreur}")
            continue
        pic, anon, fich = (x / 1e6 for x in m)
        pics.append(pic)
        anons.append(anon)
        fichiers.append(fich)
        a = f"{avant[nom]:.0f}" if nom in avant else "n.d."
        ecart = f"{pic - avant[nom]:+.0f}" if nom in avant else ""
        alerte = "  > cible" if pic > CIBLE_MO else ""
        print(f"{nom:<34}{duree:>10.0f}{a:>32}{pic:>18.0f}{anon:>14.0f}{ecart:>8}{alerte}")
    if not pics:
        print("Aucun carnet n'a abouti.")
        return 1
    maxi, moyen = max(pics), sum(pics) / len(pics)
    anon_max, partage = max(anons), max(fichiers)
    print(f"\nTotal des pics : {sum(pics):.0f} Mo pour {len(pics)} noyaux ; durée de la séance simulée : {mur:.0f} s")
    print(f"Pic par noyau : moyen {moyen:.0f} Mo, maximal {maxi:.0f} Mo (cible ≤ {CIBLE_MO} Mo)")
    print(f"Dimensionnement : mémoire ≈ N × pic anonyme ({anon_max:.0f} Mo au plus) + bibliothèques partagées "
          f"une fois ({partage:.0f} Mo) + serveur Jupyter par participant ({SERVEUR_MO} Mo propres, tests/test_salle.py) ; "
          f"salle de {SALLE} : {(SALLE * (anon_max + SERVEUR_MO) + partage) / 1000:.1f} Go ; "
          f"sans partage (pics résidents) : {SALLE * maxi / 1000:.1f} Go au pire")
    return 0 if len(pics) == len(resultats) else 1


if __name__ == "__main__":
    sys.exit(main())
