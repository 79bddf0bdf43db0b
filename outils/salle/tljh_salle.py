"""La salle « Territoires en transition » sur The Littlest JupyterHub (TLJH).

À copier dans ``/opt/tljh/config/jupyterhub_config.d/`` (avec ``salle.py``,
dont il réutilise la copie des carnets), puis ``sudo tljh-config reload``.
Voir ATELIER.md, « Une salle sur un serveur (JupyterHub) ».

TLJH crée un compte système ``jupyter-<nom>`` par participant et lance son
serveur avec ``systemdspawner`` : la limite mémoire (``tljh-config set
limits.memory 1G``) y est appliquée par systemd (cgroup, mémoire résidente),
l'arrêt des inactifs est fourni par TLJH (``services.cull``). Ce fichier
ajoute ce qui est propre au projet :

- ``TERRITOIRE_DONNEES`` vers une copie des données appartenant à root, sans
  droit d'écriture (les participants, comptes ordinaires, ne peuvent la
  modifier) ;
- une copie personnelle de ``notebooks/`` dans le dossier du participant à
  son premier démarrage ;
- l'interface JupyterLab en français (``LANG`` et réglage ``locale``).

Réglages par l'environnement du hub (``/etc/systemd/system/jupyterhub.service.d``) ou ici :
``SALLE_DEPOT`` (dépôt cloné, défaut ``/srv/territoires-en-transition``) et
``SALLE_DONNEES`` (défaut ``/srv/territoires-en-transition-donnees``).
"""
# ``get_config`` est fourni par JupyterHub quand il lit ce fichier.
from __future__ import annotations

import json
import os
import pwd
import sys
from pathlib import Path

c = get_config()  # noqa: F821

DEPOT = Path(os.environ.get("SALLE_DEPOT", "/srv/territoires-en-transition"))
DONNEES = Path(os.environ.get("SALLE_DONNEES", "/srv/territoires-en-transition-donnees"))
sys.path.insert(0, str(DEPOT / "outils" / "salle"))
from salle import ENV_MEMOIRE, REGLAGES_SERVEUR, copier_carnets, copier_donnees_lecture_seule  # noqa: E402

if not (DONNEES / "manifest.json").exists():
    copier_donnees_lecture_seule(DEPOT / "donnees", DONNEES)


def preparer_participant(spawner) -> None:
    """``pre_spawn_hook`` : copie des carnets et réglage de langue, appartenant au participant."""
    compte = pwd.getpwnam(f"jupyter-{spawner.user.name}")
    home = Path(compte.pw_dir)
    copier_carnets(DEPOT / "notebooks", home / "notebooks", compte.pw_uid)
    reglages = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "translation-extension"
    reglages.mkdir(parents=True, exist_ok=True)
    fichier = reglages / "plugin.jupyterlab-settings"
    if not fichier.exists():
        fichier.write_text(json.dumps({"locale": "fr_FR"}), encoding="utf-8")
    for d in [home / ".jupyter", *(p for p in (home / ".jupyter").rglob("*"))]:
        os.chown(d, compte.pw_uid, compte.pw_gid)


c.Spawner.pre_spawn_hook = preparer_participant
c.Spawner.environment = {
    "TERRITOIRE_DONNEES": str(DONNEES),
    "LANG": "fr_FR.UTF-8",
    "LANGUAGE": "fr_FR:fr",
    **ENV_MEMOIRE,  # moins de mémoire par noyau (voir salle.ENV_MEMOIRE), comme make salle
}
c.Spawner.args = [*c.Spawner.args, *REGLAGES_SERVEUR]  # réponses compressées, comme make salle
c.Spawner.default_url = "/lab/tree/notebooks/00_introduction.ipynb"
