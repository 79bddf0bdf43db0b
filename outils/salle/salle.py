"""Une salle de formation sur un serveur : JupyterHub pour N participants, hors ligne.

Usage : ``python outils/salle/salle.py [--participants 30] [--port 8000] [--dossier salle/]``
(ou ``make salle PARTICIPANTS=30``). Le mandataire ``configurable-http-proxy``
vient de npm (``outils/salle/package.json``, version exacte dans
``package-lock.json``, installé par ``npm ci`` dans ``outils/salle/node_modules``).

Ce que prépare ce programme avant de lancer ``jupyterhub`` avec
``outils/salle/jupyterhub_config.py`` :

- ``<dossier>/donnees/`` : une copie de ``donnees/`` en lecture seule
  (dossiers 0555, fichiers 0444), désignée aux participants par
  ``TERRITOIRE_DONNEES`` ;
- ``<dossier>/participants/<nom>/`` : le dossier personnel de chaque
  participant, créé à son premier démarrage avec sa propre copie de
  ``notebooks/`` (les carnets seulement, sans sorties générées) ;
- ``<dossier>/hub/`` : la base de JupyterHub, le secret des cookies et le
  journal du mandataire.

Ce qui protège quoi (voir ATELIER.md, « Une salle sur un serveur ») :

- lancé par root, chaque serveur de participant tourne dans son propre espace
  de montage (``unshare(CLONE_NEWNS)``) où les données partagées sont montées
  en lecture seule, sans les capacités ``CAP_SYS_ADMIN`` (remonter) ni
  ``CAP_SYS_RESOURCE`` (lever la limite mémoire) ; si l'interpréteur Python
  est lisible par tous, il tourne en plus sous un identifiant Unix à lui
  (``UID_BASE + numéro``, sans compte système) et ne peut pas lire le
  dossier d'un autre ;
- lancé par un utilisateur ordinaire, tous les serveurs tournent sous cet
  utilisateur : les données ne sont protégées que par leurs droits (un
  participant qui lancerait ``chmod`` pourrait les lever) et les dossiers
  personnels ne sont séparés que par convention. Un avertissement le dit ;
- la mémoire : ``RLIMIT_AS`` (espace d'adressage) appliqué à chaque processus
  du participant (serveur et noyaux, chacun pour soi) ; sur TLJH ou
  Kubernetes, la même limite ``mem_limit`` est appliquée par les cgroups.
"""
from __future__ import annotations

import argparse
import os
import shutil
import stat
import sys
from pathlib import Path

__all__ = [
    "RACINE",
    "ENV_MEMOIRE",
    "REGLAGES_SERVEUR",
    "UID_BASE",
    "accessible_a_tous",
    "chemin_mandataire",
    "copier_carnets",
    "copier_donnees_lecture_seule",
    "isoler_donnees",
    "lire_memoire",
    "main",
]

RACINE = Path(__file__).resolve().parent.parent.parent
DOSSIER_SALLE = Path(__file__).resolve().parent
#: Premier identifiant Unix des participants quand le hub est lancé par root.
UID_BASE = 41000
#: Environnement des noyaux qui réduit leur mémoire (mesuré par bench/atelier.py : carnet 00,
#: 466 → 410 Mo de pic résident) : deux arènes malloc au plus (moins de mémoire réservée et
#: fragmentée par les fils de ZeroMQ et d'Arrow) et l'allocateur du système pour Arrow (mimalloc
#: garde la mémoire libérée après la lecture d'un Parquet ; malloc la rend). Seuil mmap fixé à
#: 64 Kio : tout bloc plus grand (colonnes pandas, tableaux numpy, tampons Arrow) est alloué par
#: mmap et rendu au système dès sa libération ; sans ce réglage, glibc relève le seuil à chaque
#: gros bloc libéré (jusqu'à 32 Mio) et les temporaires suivants restent dans le tas, fragmenté
#: (manuel de la glibc, « Malloc Tunable Parameters », M_MMAP_THRESHOLD). Mesure : lecture de la
#: table des communes puis des 38 indicateurs du portrait à la commune, 303 → 240 Mo résidents.
ENV_MEMOIRE = {"MALLOC_ARENA_MAX": "2", "ARROW_DEFAULT_MEMORY_POOL": "system",
               "MALLOC_MMAP_THRESHOLD_": "65536"}
#: Réglages du serveur Jupyter de chaque participant (et de ``make lab``) : réponses compressées
#: (gzip, réglage ``compress_response`` de tornado, absent par défaut dans jupyter_server). Le
#: TopoJSON des communes passe de 6,65 Mo à 1,99 Mo sur le réseau (30 participants : ≈ 200 Mo
#: → 60 Mo sur le Wi-Fi de la salle) ; tornado compresse le texte (type ``text/*`` et JSON)
#: seulement. La valeur est lue comme une chaîne non vide, donc vraie pour tornado.
REGLAGES_SERVEUR = ["--ServerApp.tornado_settings=compress_response=True"]
UNITES = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def lire_memoire(texte: str | int) -> int:
    """Taille mémoire en octets depuis « 1G », « 800M », « 512000 ».

    Paramètres
    ----------
    texte : str ou int
        Nombre d'octets, ou nombre suivi de K, M, G ou T (puissances de 1024).

    Renvoie
    -------
    int

    Exemples
    --------
    >>> lire_memoire("1G")
    1073741824
    >>> lire_memoire("800M") // 2**20
    800
    >>> lire_memoire("douze")
    Traceback (most recent call last):
    ...
    ValueError: Limite mémoire illisible : « douze » (exemples : 1G, 800M).
    """
    s = str(texte).strip().upper().removesuffix("B").removesuffix("O")
    try:
        if s and s[-1] in UNITES:
            return int(float(s[:-1].replace(",", ".")) * UNITES[s[-1]])
        return int(s)
    except ValueError:
        raise ValueError(f"Limite mémoire illisible : « {texte} » (exemples : 1G, 800M).") from None


def copier_donnees_lecture_seule(source: Path, cible: Path) -> Path:
    """Copie ``source`` dans ``cible`` puis retire tous les droits d'écriture.

    Une copie existante est remplacée (ses droits sont d'abord rétablis).

    Paramètres
    ----------
    source, cible : Path
        Dossier des données construites, dossier partagé de la salle.

    Renvoie
    -------
    Path
        ``cible``.
    """
    if not (source / "manifest.json").is_file():
        raise FileNotFoundError(f"Pas de données construites dans {source} (manifest.json absent) : "
                                "lancer d'abord « make donnees ».")
    if cible.exists():
        for d, _, fichiers in os.walk(cible):
            os.chmod(d, 0o755)
        shutil.rmtree(cible)
    shutil.copytree(source, cible)
    for d, dossiers, fichiers in os.walk(cible, topdown=False):
        for f in fichiers:
            os.chmod(Path(d) / f, 0o444)
        os.chmod(d, 0o555)
    return cible


def copier_carnets(source: Path, cible: Path, uid: int | None = None) -> list[Path]:
    """Copie les carnets (``*.ipynb`` seulement) de ``source`` dans ``cible`` s'ils n'y sont pas.

    Un carnet déjà présent n'est jamais écrasé : c'est le travail du participant.

    Paramètres
    ----------
    source, cible : Path
        ``notebooks/`` du dépôt, dossier ``notebooks/`` du participant.
    uid : int, optionnel
        Propriétaire à donner aux fichiers copiés (hub lancé par root).

    Renvoie
    -------
    list of Path
        Les carnets copiés.
    """
    cible.mkdir(parents=True, exist_ok=True)
    copies = []
    for carnet in sorted(source.glob("*.ipynb")):
        dest = cible / carnet.name
        if not dest.exists():
            shutil.copyfile(carnet, dest)
            copies.append(dest)
    if uid is not None:
        for chemin in [cible, *cible.iterdir()]:
            os.chown(chemin, uid, uid)
    return copies


def accessible_a_tous(chemin: Path) -> bool:
    """Vrai si tout utilisateur peut traverser les dossiers menant à ``chemin`` et le lire.

    Exemples
    --------
    >>> accessible_a_tous(Path("/"))
    True
    """
    chemin = Path(chemin).resolve()
    for d in [*reversed(chemin.parents), chemin]:
        mode = d.stat().st_mode
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return False
    return bool(chemin.stat().st_mode & stat.S_IROTH)


# Appels système de l'isolement (Linux, <sched.h>, <sys/mount.h>, <linux/capability.h>).
CLONE_NEWNS, MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20000, 1, 32, 4096, 16384, 1 << 18
PR_CAPBSET_DROP, CAP_SYS_ADMIN, CAP_SYS_RESOURCE = 24, 21, 24


def isoler_donnees(donnees: Path) -> None:
    """Dans le processus courant (root) : ``donnees`` en lecture seule pour lui et ses descendants.

    Nouvel espace de montage privé, montage lié de ``donnees`` sur lui-même
    puis remonté en lecture seule ; retrait de ``CAP_SYS_ADMIN`` et
    ``CAP_SYS_RESOURCE`` de l'ensemble limitant (après ``exec``, ni remontage
    ni levée de ``RLIMIT_AS``). Appelé dans le ``preexec_fn`` du serveur
    d'un participant ; voir mount_namespaces(7), capabilities(7).
    """
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    cible = str(donnees).encode()

    def verifier(retour: int, quoi: str) -> None:
        if retour != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"Isolement des données impossible ({quoi}) : {os.strerror(err)}")

    verifier(libc.unshare(CLONE_NEWNS), "unshare")
    verifier(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "montage privé")
    verifier(libc.mount(cible, cible, None, MS_BIND | MS_REC, None), "montage lié")
    verifier(libc.mount(None, cible, None, MS_BIND | MS_REMOUNT | MS_RDONLY, None), "lecture seule")
    for cap in (CAP_SYS_ADMIN, CAP_SYS_RESOURCE):
        verifier(libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "capacités")


def chemin_mandataire() -> Path:
    """Exécutable ``configurable-http-proxy`` installé par ``npm ci`` dans ``outils/salle``."""
    chemin = DOSSIER_SALLE / "node_modules" / ".bin" / "configurable-http-proxy"
    if not chemin.exists():
        raise FileNotFoundError(
            f"{chemin} absent : installer le mandataire avec « npm ci --prefix outils/salle » "
            "(ou lancer « make salle », qui le fait).")
    return chemin


def main(argv: list[str] | None = None) -> int:
    """Prépare la salle puis devient JupyterHub (jusqu'à Ctrl+C)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--participants", type=int, default=int(os.environ.get("SALLE_PARTICIPANTS", 30)),
                   help="nombre de participants (comptes participant01 … participantNN ; défaut : 30)")
    p.add_argument("--port", type=int, default=int(os.environ.get("SALLE_PORT", 8000)),
                   help="port d'écoute, sur 127.0.0.1 seulement (défaut : 8000)")
    p.add_argument("--dossier", type=Path, default=Path(os.environ.get("SALLE_DOSSIER", RACINE / "salle")),
                   help="dossier de la salle : données partagées, dossiers des participants, base du hub")
    p.add_argument("--memoire", default=os.environ.get("SALLE_MEMOIRE", "3G"),
                   help="espace d'adressage maximal de chaque processus d'un participant (RLIMIT_AS ; défaut : 3G, soit environ 0,8 Go résidents)")
    p.add_argument("--inactivite", type=int, default=int(os.environ.get("SALLE_INACTIVITE", 3600)),
                   help="secondes d'inactivité avant l'arrêt d'un serveur (défaut : 3600)")
    args = p.parse_args(argv)
    lire_memoire(args.memoire)  # erreur claire avant de lancer quoi que ce soit
    dossier = args.dossier.resolve()
    (dossier / "hub").mkdir(parents=True, exist_ok=True)
    os.chmod(dossier, 0o755)
    copier_donnees_lecture_seule(RACINE / "donnees", dossier / "donnees")
    chemin_mandataire()
    env = dict(os.environ, SALLE_DOSSIER=str(dossier), SALLE_PARTICIPANTS=str(args.participants),
               SALLE_PORT=str(args.port), SALLE_MEMOIRE=args.memoire, SALLE_INACTIVITE=str(args.inactivite))
    print(f"Salle de {args.participants} participants : http://127.0.0.1:{args.port}/ "
          f"(comptes participant01 … participant{args.participants:02d}, mot de passe choisi à la première "
          f"connexion ; compte « formateur » administrateur). Arrêt : Ctrl+C.", flush=True)
    commande = [sys.executable, "-m", "jupyterhub", "-f", str(DOSSIER_SALLE / "jupyterhub_config.py")]
    os.chdir(dossier / "hub")
    os.execve(sys.executable, commande, env)  # ce processus devient le hub : Ctrl+C et SIGTERM l'arrêtent
    return 0  # jamais atteint


if __name__ == "__main__":
    sys.exit(main())
