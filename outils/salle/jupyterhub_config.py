"""Configuration JupyterHub de la salle « Territoires en transition ».

Lue par ``jupyterhub -f outils/salle/jupyterhub_config.py``, lancé par
``outils/salle/salle.py`` (``make salle``), qui prépare le dossier de la salle
et passe les réglages par l'environnement :

- ``SALLE_DOSSIER`` : dossier de la salle (``donnees/`` en lecture seule,
  ``participants/``, ``hub/``) ;
- ``SALLE_PARTICIPANTS`` : nombre de comptes ``participant01`` … ;
- ``SALLE_PORT`` (8000), ``SALLE_PORT_HUB`` (8081), ``SALLE_PORT_API`` (8001) :
  ports, tous sur 127.0.0.1 ;
- ``SALLE_MEMOIRE`` (3G) : espace d'adressage maximal de chaque processus d'un
  participant (``RLIMIT_AS`` ; un noyau qui a chargé les carnets réserve
  environ 4 fois sa mémoire résidente : 1,8 Go d'adresses pour 0,41 Go résidents) ;
- ``SALLE_INACTIVITE`` (3600) : secondes d'inactivité avant l'arrêt d'un serveur ;
- ``SALLE_JETON_SERVICE`` (facultatif) : jeton d'un service « pilote » aux
  droits d'administration (scripts du formateur, test ``tests/test_salle.py``).

Authentification : ``FirstUseAuthenticator`` (le participant choisit son mot
de passe à sa première connexion ; 8 caractères au moins) sur une liste fermée
de comptes. Le compte ``formateur`` est administrateur (page /hub/admin).
"""
# ``get_config`` est fourni par JupyterHub quand il lit ce fichier.
from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from salle import (ENV_MEMOIRE, RACINE, REGLAGES_SERVEUR, UID_BASE, accessible_a_tous, chemin_mandataire, copier_carnets,  # noqa: E402
                   isoler_donnees, lire_memoire)

from jupyterhub.spawner import SimpleLocalProcessSpawner  # noqa: E402

c = get_config()  # noqa: F821

DOSSIER = Path(os.environ.get("SALLE_DOSSIER", RACINE / "salle")).resolve()
PARTICIPANTS = int(os.environ.get("SALLE_PARTICIPANTS", 30))
PORT = int(os.environ.get("SALLE_PORT", 8000))
PORT_HUB = int(os.environ.get("SALLE_PORT_HUB", 8081))
PORT_API = int(os.environ.get("SALLE_PORT_API", 8001))
MEMOIRE = os.environ.get("SALLE_MEMOIRE", "3G")
INACTIVITE = int(os.environ.get("SALLE_INACTIVITE", 3600))
DONNEES = DOSSIER / "donnees"
HUB = DOSSIER / "hub"
HUB.mkdir(parents=True, exist_ok=True)
RACINE_HUB = os.geteuid() == 0
#: Un identifiant Unix par participant n'est possible que si l'interpréteur et le projet sont
#: lisibles par tous (Python du système, TLJH) ; pas avec un Python installé sous /root.
def _isolement_possible() -> bool:
    """Essaie l'isolement des données (espace de montage) dans un processus jetable."""
    import subprocess

    try:
        r = subprocess.run([sys.executable, "-c", "pass"], preexec_fn=lambda: isoler_donnees(DONNEES),
                           capture_output=True, timeout=30)
        return r.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


ISOLEMENT = RACINE_HUB and _isolement_possible()
UID_PROPRES = RACINE_HUB and all(accessible_a_tous(Path(x)) for x in
                                 (sys.executable, sys.prefix, sys.base_prefix, RACINE, DOSSIER))

#: Réglage JupyterLab du participant : interface en français (paquet jupyterlab-language-pack-fr-FR).
REGLAGE_LANGUE = ("@jupyterlab/translation-extension", "plugin.jupyterlab-settings", {"locale": "fr_FR"})


class SalleSpawner(SimpleLocalProcessSpawner):
    """Un serveur Jupyter par participant, sur cette machine.

    - dossier personnel ``participants/<nom>`` avec sa copie de ``notebooks/`` ;
    - données partagées en lecture seule (``TERRITOIRE_DONNEES``) ;
    - hub lancé par root : espace de montage privé où les données sont
      montées en lecture seule (même root n'y écrit pas ; ``CAP_SYS_ADMIN``
      et ``CAP_SYS_RESOURCE`` retirés : ni remontage, ni levée de la limite
      mémoire) et, si l'interpréteur est lisible par tous, identifiant Unix
      propre (``UID_BASE`` + numéro du compte), dossier personnel 0700 ;
    - ``mem_limit`` appliqué comme ``RLIMIT_AS`` à chaque processus du
      participant (le serveur et chacun de ses noyaux).
    """

    def _uid(self) -> int | None:
        return UID_BASE + self.user.id if UID_PROPRES else None

    def _preparer_dossier(self) -> None:
        uid, home = self._uid(), Path(self.home_dir)
        home.mkdir(parents=True, exist_ok=True)
        os.chmod(home, 0o700)
        copier_carnets(RACINE / "notebooks", home / "notebooks", uid)
        dossier, fichier, valeur = REGLAGE_LANGUE
        reglages = home / ".jupyter" / "lab" / "user-settings" / dossier
        reglages.mkdir(parents=True, exist_ok=True)
        if not (reglages / fichier).exists():
            (reglages / fichier).write_text(json.dumps(valeur), encoding="utf-8")
        if uid is not None:
            for d, dossiers, fichiers in os.walk(home):
                os.chown(d, uid, uid)
                for f in fichiers:
                    os.chown(os.path.join(d, f), uid, uid)

    async def start(self):
        """Prépare le dossier du participant, puis démarre son serveur."""
        self._preparer_dossier()
        return await super().start()

    def make_preexec_fn(self, name):
        """Dans le processus fils, avant ``exec`` : limite mémoire, identifiant, dossier."""
        home, uid, limite = self.home_dir, self._uid(), self.mem_limit

        def preexec():
            if limite:
                resource.setrlimit(resource.RLIMIT_AS, (limite, limite))
            if ISOLEMENT:
                isoler_donnees(DONNEES)
            if uid is not None:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            os.chdir(home)

        return preexec

    def user_env(self, env):
        """Environnement du participant : données partagées, français, cache personnel."""
        env = super().user_env(env)
        env.update(
            TERRITOIRE_DONNEES=str(DONNEES),
            TERRITOIRE_CACHE=str(Path(self.home_dir) / ".cache" / "territoires-en-transition"),
            PYTHONPATH=str(RACINE),
            LANG="fr_FR.UTF-8",
            LANGUAGE="fr_FR:fr",
            JUPYTERLAB_SETTINGS_DIR=str(Path(self.home_dir) / ".jupyter" / "lab" / "user-settings"),
            **ENV_MEMOIRE,  # moins de mémoire par noyau (voir salle.ENV_MEMOIRE)
        )
        return env


if RACINE_HUB and not ISOLEMENT:
    print("AVERTISSEMENT : espace de montage privé impossible ici (unshare refusé) : les données partagées ne "
          "sont protégées que par leurs droits, que root ignore. Ne pas ouvrir cette salle à des participants.",
          file=sys.stderr)
if RACINE_HUB and not UID_PROPRES:
    print("AVERTISSEMENT : l'interpréteur Python (ou le projet) n'est pas lisible par tous : les serveurs des "
          "participants tournent sous root, dans un espace de montage où les données partagées sont en lecture "
          "seule et sans CAP_SYS_ADMIN ni CAP_SYS_RESOURCE ; les dossiers personnels sont séparés mais pas "
          "protégés l'un de l'autre. Pour une vraie salle : Python du système ou TLJH (voir ATELIER.md).",
          file=sys.stderr)
if not RACINE_HUB:
    print("AVERTISSEMENT : hub lancé sans les droits root : tous les participants tournent sous le même "
          "utilisateur. Les données partagées ne sont protégées que par leurs droits (lecture seule, qu'un "
          "participant pourrait lever) et un participant pourrait lire le dossier d'un autre. Pour une vraie "
          "salle, lancer « make salle » en root sur le serveur, ou utiliser TLJH (voir ATELIER.md).",
          file=sys.stderr)

# --- Réseau : tout sur la boucle locale ---------------------------------------------------------
c.JupyterHub.bind_url = f"http://127.0.0.1:{PORT}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT_HUB
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT_API}"
c.ConfigurableHTTPProxy.command = [str(chemin_mandataire())]
c.ConfigurableHTTPProxy.pid_file = str(HUB / "mandataire.pid")
c.ConfigurableHTTPProxy.debug = False
c.Spawner.ip = "127.0.0.1"

# --- État du hub ---------------------------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{HUB / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(HUB / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # à l'arrêt du hub, les serveurs des participants s'arrêtent aussi
c.JupyterHub.template_vars = {
    "announcement_login": ("Salle « Territoires en transition » : entrez votre nom de compte "
                           "(participant01, participant02…) et choisissez votre mot de passe à la "
                           "première connexion (8 caractères au moins)."),
}

# --- Comptes : liste fermée, mot de passe choisi à la première connexion --------------------------
c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
c.FirstUseAuthenticator.dbm_path = str(HUB / "mots_de_passe.dbm")
c.FirstUseAuthenticator.create_users = True
c.FirstUseAuthenticator.min_password_length = 8
c.Authenticator.allowed_users = {f"participant{i:02d}" for i in range(1, PARTICIPANTS + 1)}
c.Authenticator.admin_users = {"formateur"}

# --- Serveurs des participants -----------------------------------------------------------------
c.JupyterHub.spawner_class = SalleSpawner
c.SimpleLocalProcessSpawner.home_dir_template = str(DOSSIER / "participants" / "{username}")
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.default_url = "/lab/tree/notebooks/00_introduction.ipynb"
c.Spawner.mem_limit = lire_memoire(MEMOIRE)
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.args = [
    # noyaux inactifs arrêtés côté serveur (la mémoire revient avant l'arrêt du serveur entier)
    f"--MappingKernelManager.cull_idle_timeout={max(INACTIVITE // 2, 60)}",
    "--MappingKernelManager.cull_interval=60",
    "--ServerApp.shutdown_no_activity_timeout=0",
    # réglages par défaut du projet : français, pas d'invite « nouvelles de Jupyter » (comme make lab)
    f"--LabApp.app_settings_dir={RACINE / 'outils' / 'jupyter' / 'lab' / 'settings'}",
    *REGLAGES_SERVEUR,  # réponses compressées (TopoJSON des communes : 6,65 → 1,99 Mo sur le réseau)
]
if RACINE_HUB and not UID_PROPRES:
    c.Spawner.args.append("--ServerApp.allow_root=True")  # voir l'avertissement ci-dessus
c.JupyterHub.concurrent_spawn_limit = 10  # 30 participants qui se connectent ensemble : par vagues

# --- Arrêt des serveurs inactifs (jupyterhub-idle-culler) ----------------------------------------
c.JupyterHub.services = [{
    "name": "arret-inactifs",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={INACTIVITE}", "--cull-every=60"],
}]
c.JupyterHub.load_roles = [{
    "name": "arret-inactifs",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["arret-inactifs"],
}]
if os.environ.get("SALLE_JETON_SERVICE"):
    c.JupyterHub.services.append({"name": "pilote", "api_token": os.environ["SALLE_JETON_SERVICE"]})
    c.JupyterHub.load_roles.append({"name": "pilote", "scopes": ["admin:users", "admin:servers",
                                                               "tokens", "access:servers", "list:users",
                                                               "list:services", "read:services"],
                                    "services": ["pilote"]})
