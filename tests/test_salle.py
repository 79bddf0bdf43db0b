"""Une salle de trois participants sur un vrai JupyterHub (``outils/salle``), sur la boucle locale.

Le hub est lancé comme ``make salle`` le lance (``outils/salle/salle.py``,
mandataire ``configurable-http-proxy`` de npm), dans un dossier temporaire,
sur des ports libres de 127.0.0.1. Trois participants se connectent par le
formulaire de connexion (``FirstUseAuthenticator`` : mot de passe choisi à la
première connexion), leurs serveurs démarrent (API REST du hub, jeton du
service « pilote »), puis chacun exécute sa propre copie du carnet
``00_introduction`` dans un noyau de son serveur (API REST du serveur Jupyter
et canal WebSocket du noyau, protocole de messagerie Jupyter 5). On vérifie :

- l'isolement : ce qu'un participant modifie (carnet, fichier) n'apparaît pas
  chez un autre, et un participant ne peut pas ouvrir le serveur d'un autre ;
- les données partagées ne peuvent pas être modifiées par un participant
  (écrire, créer, supprimer, changer les droits) et restent identiques
  (empreintes) ;
- la limite mémoire est appliquée dans le noyau (``RLIMIT_AS``) ;
- l'interface est réglée en français ; l'arrêt des serveurs inactifs est actif.

Tout ce que le test lance (hub, mandataire, serveurs, noyaux) est arrêté à la
fin, même en cas d'échec : les processus descendants du hub sont relevés
pendant le test et terminés par leur numéro.

Références : API REST de JupyterHub (``POST /hub/api/users/{nom}/server``,
``POST /hub/api/users/{nom}/tokens``), API du serveur Jupyter
(``/api/contents``, ``/api/sessions``, ``/api/kernels/{id}/channels``).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

requests = pytest.importorskip("requests")
websocket = pytest.importorskip("websocket")
psutil = pytest.importorskip("psutil")
pytest.importorskip("jupyterhub")
pytest.importorskip("firstuseauthenticator")

pytestmark = [pytest.mark.lent, pytest.mark.salle]

RACINE = Path(__file__).resolve().parent.parent
SALLE = RACINE / "outils" / "salle"
PARTICIPANTS = ["participant01", "participant02", "participant03"]
CARNET = "notebooks/00_introduction.ipynb"
MEMOIRE = "3G"
DELAI_DEMARRAGE = 240
DELAI_CELLULE = 300


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mandataire_installe() -> None:
    """``npm ci`` dans outils/salle si le mandataire manque (comme ``make salle``)."""
    if (SALLE / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail("npm absent : impossible d'installer configurable-http-proxy (outils/salle/package.json).")
        pytest.skip("npm absent : configurable-http-proxy non installé (npm ci --prefix outils/salle).")
    subprocess.run([npm, "ci", "--prefix", str(SALLE), "--no-audit", "--no-fund"], check=True,
                   stdout=subprocess.DEVNULL, timeout=300)


class Salle:
    """Le hub lancé pour le test, et tout ce qu'il a lancé."""

    def __init__(self) -> None:
        self.dossier = Path(tempfile.mkdtemp(prefix="salle-test-"))
        os.chmod(self.dossier, 0o755)
        self.port = _port_libre()
        self.url = f"http://127.0.0.1:{self.port}"
        self.jeton = secrets.token_hex(24)
        self.journal = self.dossier / "hub.log"
        self.descendants: dict[int, float] = {}  # pid → date de création (évite un pid réutilisé)
        env = dict(os.environ, SALLE_PORT_HUB=str(_port_libre()), SALLE_PORT_API=str(_port_libre()),
                   SALLE_JETON_SERVICE=self.jeton, SALLE_MEMOIRE=MEMOIRE, SALLE_INACTIVITE="900",
                   PYTHONPATH=str(RACINE))
        with open(self.journal, "wb") as sortie:
            self.hub = subprocess.Popen(
                [sys.executable, str(SALLE / "salle.py"), "--participants", str(len(PARTICIPANTS)),
                 "--dossier", str(self.dossier), "--port", str(self.port), "--memoire", MEMOIRE],
                env=env, stdout=sortie, stderr=subprocess.STDOUT, start_new_session=True)

    def relever(self) -> None:
        """Note les processus descendants du hub (mandataire, service, serveurs, noyaux)."""
        try:
            for p in psutil.Process(self.hub.pid).children(recursive=True):
                try:
                    self.descendants[p.pid] = p.create_time()
                except psutil.Error:
                    pass
        except psutil.Error:
            pass

    def api(self, methode: str, chemin: str, **kw):
        """Requête à l'API du hub avec le jeton du service pilote."""
        self.relever()
        r = requests.request(methode, f"{self.url}/hub/api{chemin}", timeout=60,
                             headers={"Authorization": f"token {self.jeton}"}, **kw)
        return r

    def attendre(self) -> None:
        fin = time.monotonic() + DELAI_DEMARRAGE
        while time.monotonic() < fin:
            if self.hub.poll() is not None:
                raise AssertionError(f"Le hub s'est arrêté (code {self.hub.returncode}) :\n{self.fin_journal()}")
            try:
                if requests.get(f"{self.url}/hub/api", timeout=5).status_code == 200:
                    self.relever()
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"Le hub ne répond pas après {DELAI_DEMARRAGE} s :\n{self.fin_journal()}")

    def fin_journal(self, n: int = 60) -> str:
        texte = self.journal.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(texte[-n:])

    def arreter(self) -> None:
        """Arrête le hub (qui arrête les serveurs), puis termine par leur numéro les processus restants."""
        self.relever()
        if self.hub.poll() is None:
            self.hub.send_signal(signal.SIGTERM)
            try:
                self.hub.wait(30)
            except subprocess.TimeoutExpired:
                self.hub.kill()
                self.hub.wait(10)
        for pid, cree in self.descendants.items():
            try:
                p = psutil.Process(pid)
                if p.create_time() == cree:
                    p.kill()
            except psutil.Error:
                pass
        for d, _, _ in os.walk(self.dossier):
            try:
                os.chmod(d, 0o755)
            except OSError:
                pass
        shutil.rmtree(self.dossier, ignore_errors=True)


@pytest.fixture(scope="module")
def salle():
    _mandataire_installe()
    s = Salle()
    try:
        s.attendre()
        yield s
    except BaseException:
        print(s.fin_journal())
        raise
    finally:
        s.arreter()


def _connecter(salle: Salle, nom: str, mot_de_passe: str) -> requests.Session:
    """Connexion par le formulaire du hub ; renvoie la session (cookies) ou lève AssertionError."""
    s = requests.Session()
    s.get(f"{salle.url}/hub/login", timeout=60)
    xsrf = next((c.value for c in s.cookies if c.name == "_xsrf"), "")
    r = s.post(f"{salle.url}/hub/login", allow_redirects=False, timeout=60,
               data={"username": nom, "password": mot_de_passe, "_xsrf": xsrf})
    assert r.status_code == 302 and "jupyterhub-hub-login" in s.cookies, (nom, r.status_code)
    return s


def _demarrer(salle: Salle, nom: str) -> str:
    """Démarre le serveur du participant ; renvoie son URL (« /user/nom/ »)."""
    r = salle.api("POST", f"/users/{nom}/server")
    assert r.status_code in (201, 202), (nom, r.status_code, r.text)
    fin = time.monotonic() + DELAI_DEMARRAGE
    while time.monotonic() < fin:
        serveur = salle.api("GET", f"/users/{nom}").json()["servers"].get("")
        if serveur and serveur["ready"]:
            return serveur["url"]
        if not serveur or not serveur.get("pending"):
            raise AssertionError(f"Le serveur de {nom} n'a pas démarré :\n{salle.fin_journal()}")
        time.sleep(1)
    raise AssertionError(f"Serveur de {nom} non prêt après {DELAI_DEMARRAGE} s :\n{salle.fin_journal()}")


class Participant:
    """Un participant : son jeton, son serveur, un noyau piloté par WebSocket."""

    def __init__(self, salle: Salle, nom: str, url: str) -> None:
        self.salle, self.nom, self.url = salle, nom, url
        r = salle.api("POST", f"/users/{nom}/tokens", json={"expires_in": 3600, "note": "test de la salle"})
        assert r.status_code in (200, 201), r.text
        self.jeton = r.json()["token"]
        self.ws = None

    def requete(self, methode: str, chemin: str, **kw):
        return requests.request(methode, f"{self.salle.url}{self.url}api/{chemin}", timeout=120,
                                headers={"Authorization": f"token {self.jeton}"}, **kw)

    def ouvrir_noyau(self, carnet: str) -> None:
        r = self.requete("POST", "sessions", json={"path": carnet, "type": "notebook", "name": "",
                                                   "kernel": {"name": "python3"}})
        assert r.status_code == 201, r.text
        noyau = r.json()["kernel"]["id"]
        self.salle.relever()
        adresse = f"ws://127.0.0.1:{self.salle.port}{self.url}api/kernels/{noyau}/channels"
        self.ws = websocket.create_connection(adresse, header=[f"Authorization: token {self.jeton}"],
                                              timeout=DELAI_CELLULE)
        self.session = uuid.uuid4().hex

    def executer(self, code: str) -> tuple[dict, str]:
        """Exécute ``code`` dans le noyau ; renvoie (execute_reply, texte imprimé)."""
        mid = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": mid, "username": self.nom, "session": self.session, "msg_type": "execute_request",
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        texte, reponse, inactif = [], None, False
        while reponse is None or not inactif:
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != mid:
                continue
            t = msg["msg_type"]
            if t == "stream":
                texte.append(msg["content"]["text"])
            elif t == "error":
                texte.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
            elif t == "status" and msg["content"]["execution_state"] == "idle":
                inactif = True
            elif t == "execute_reply":
                reponse = msg["content"]
        return reponse, "".join(texte)

    def executer_carnet(self, carnet: str) -> int:
        """Exécute toutes les cellules de code de la copie du participant ; renvoie leur nombre."""
        contenu = self.requete("GET", f"contents/{carnet}").json()["content"]
        self.ouvrir_noyau(carnet)
        n = 0
        for cellule in contenu["cells"]:
            if cellule["cell_type"] != "code" or not cellule["source"].strip():
                continue
            reponse, texte = self.executer(cellule["source"])
            assert reponse["status"] == "ok", f"{self.nom}, cellule {n} :\n{cellule['source'][:300]}\n→ {texte[-800:]}"
            n += 1
        return n


CODE_DONNEES = r"""
import errno, json, os
from territoire_lib.chemins import dossier_donnees
d = dossier_donnees()
essais = {"ecrire": lambda: open(d / "manifest.json", "a").write("x"),
          "creer": lambda: open(d / "nouveau.txt", "w").close(),
          "supprimer": lambda: os.remove(d / "manifest.json"),
          "droits": lambda: os.chmod(d / "manifest.json", 0o666),
          "sous_dossier": lambda: open(next(p for p in d.iterdir() if p.is_dir()) / "x.parquet", "wb").close()}
res = {}
for nom, f in essais.items():
    try:
        f()
        res[nom] = "POSSIBLE"
    except OSError as e:
        res[nom] = errno.errorcode.get(e.errno, str(e.errno))
print(json.dumps({"dossier": str(d), "essais": res}))
"""

CODE_MEMOIRE = r"""
import json, resource
mou, dur = resource.getrlimit(resource.RLIMIT_AS)
try:
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    levee = "POSSIBLE"
except (ValueError, OSError) as e:
    levee = type(e).__name__
try:
    gros = bytearray(dur + 2**28)
    allocation = "POSSIBLE"
    del gros
except MemoryError:
    allocation = "MemoryError"
pic = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"mou": mou, "dur": dur, "levee": levee, "allocation": allocation, "pic": pic}))
"""


def _empreintes(dossier: Path) -> dict[str, str]:
    return {str(f.relative_to(dossier)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(dossier.rglob("*")) if f.is_file()}


def test_salle_de_trois_participants(salle):
    donnees = salle.dossier / "donnees"
    avant = _empreintes(donnees)
    assert avant, "les données partagées n'ont pas été copiées"

    # 1. Connexion par le formulaire : mot de passe choisi à la première connexion, vérifié ensuite
    for i, nom in enumerate(PARTICIPANTS, 1):
        _connecter(salle, nom, f"motdepasse-{i}-salle")
    _connecter(salle, PARTICIPANTS[0], "motdepasse-1-salle")
    with pytest.raises(AssertionError):
        _connecter(salle, PARTICIPANTS[0], "pas-le-bon-mot")
    with pytest.raises(AssertionError):
        _connecter(salle, "intrus", "motdepasse-intrus")  # hors de la liste des comptes

    # 2. Démarrage des trois serveurs, en même temps
    with ThreadPoolExecutor(len(PARTICIPANTS)) as ex:
        urls = list(ex.map(lambda n: _demarrer(salle, n), PARTICIPANTS))
    gens = [Participant(salle, n, u) for n, u in zip(PARTICIPANTS, urls)]
    salle.relever()

    # 3. Chacun exécute sa copie du carnet 00 (en parallèle, comme dans une salle)
    debut = time.monotonic()
    with ThreadPoolExecutor(len(gens)) as ex:
        cellules = list(ex.map(lambda p: p.executer_carnet(CARNET), gens))
    print(f"\nCarnet {CARNET} exécuté par {len(gens)} participants en {time.monotonic() - debut:.0f} s "
          f"({cellules[0]} cellules de code chacun)")
    assert all(n > 5 for n in cellules)

    # 4. Données partagées : rien ne peut y être modifié, par aucun participant
    for p in gens:
        reponse, texte = p.executer(CODE_DONNEES)
        assert reponse["status"] == "ok", texte
        res = json.loads(texte.strip().splitlines()[-1])
        assert Path(res["dossier"]) == donnees.resolve()
        assert "POSSIBLE" not in res["essais"].values(), (p.nom, res)
    assert _empreintes(donnees) == avant, "les données partagées ont changé"

    # 5. Limite mémoire dans le noyau : fixée, impossible à lever, appliquée ; interface en français
    for p in gens:
        reponse, texte = p.executer(CODE_MEMOIRE)
        assert reponse["status"] == "ok", texte
        m = json.loads(texte.strip().splitlines()[-1])
        print(f"{p.nom} : RLIMIT_AS {m['dur'] / 2**30:.1f} Gio, pic du noyau après le carnet "
              f"{m['pic'] / 1e6:.0f} Mo")
        assert m["dur"] == 3 * 2**30 and m["allocation"] == "MemoryError", m
        if os.geteuid() == 0:
            assert m["levee"] != "POSSIBLE", m
        reglage = requests.get(f"{salle.url}{p.url}lab/api/settings/@jupyterlab/translation-extension:plugin",
                               headers={"Authorization": f"token {p.jeton}"}, timeout=60)
        assert reglage.status_code == 200 and reglage.json()["settings"].get("locale") == "fr_FR", reglage.text

    serveurs = []
    for pid in list(salle.descendants):
        try:
            proc = psutil.Process(pid)
            if "jupyterhub-singleuser" in " ".join(proc.cmdline()):
                info = proc.memory_full_info()  # uss : pages propres au processus (ni bibliothèques ni cache partagés)
                serveurs.append((info.rss / 1e6, info.uss / 1e6))
        except psutil.Error:
            pass
    if serveurs:
        print("Serveurs Jupyter des participants (sans leurs noyaux) : "
              + ", ".join(f"{r:.0f} Mo résidents dont {u:.0f} Mo propres" for r, u in serveurs))

    # 5 bis. Réponses compressées (salle.REGLAGES_SERVEUR) : la géométrie servie à côté du carnet
    # voyage en gzip (moins d'octets sur le Wi-Fi de la salle), identique une fois décompressée
    p = gens[0]
    generes = p.requete("GET", "contents/notebooks/cartes_generees").json()["content"]
    plus_gros = max((f for f in generes if f["name"].endswith(".topo.json")), key=lambda f: f["size"])
    r = requests.get(f"{salle.url}{p.url}files/{plus_gros['path']}", timeout=120, stream=True,
                     headers={"Authorization": f"token {p.jeton}", "Accept-Encoding": "gzip"})
    transferes = r.raw.read(decode_content=False)
    assert r.status_code == 200 and r.headers.get("Content-Encoding") == "gzip", dict(r.headers)
    assert gzip.decompress(transferes) == (Path(salle.dossier) / "participants" / p.nom / plus_gros["path"]).read_bytes()
    print(f"{plus_gros['name']} : {plus_gros['size'] / 1e6:.2f} Mo, {len(transferes) / 1e6:.2f} Mo transférés (gzip)")

    # 6. Isolement : la modification d'un carnet et un fichier créé par participant01 restent chez lui
    p1, p2 = gens[0], gens[1]
    nb = p1.requete("GET", f"contents/{CARNET}").json()["content"]
    nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "Note de participant01", "id": "note-p1"})
    assert p1.requete("PUT", f"contents/{CARNET}", json={"type": "notebook", "content": nb}).status_code == 200
    reponse, _ = p1.executer("open('trace_participant01.txt', 'w').write('à moi')")
    assert reponse["status"] == "ok"
    assert "Note de participant01" in json.dumps(p1.requete("GET", f"contents/{CARNET}").json()["content"])
    for autre in gens[1:]:
        assert "Note de participant01" not in json.dumps(autre.requete("GET", f"contents/{CARNET}").json()["content"])
        assert autre.requete("GET", "contents/notebooks/trace_participant01.txt").status_code == 404
    intrusion = requests.get(f"{salle.url}{p1.url}api/contents/{CARNET}", timeout=60,
                             headers={"Authorization": f"token {p2.jeton}"}, allow_redirects=False)
    assert intrusion.status_code in (302, 403), intrusion.status_code  # le jeton de p2 n'ouvre pas le serveur de p1
    assert (RACINE / CARNET).read_text(encoding="utf-8").count("Note de participant01") == 0

    # 7. Arrêt des serveurs inactifs : le service jupyterhub-idle-culler est déclaré et tourne
    services = salle.api("GET", "/services").json()
    assert "arret-inactifs" in services, services
    assert any("jupyterhub_idle_culler" in " ".join(psutil.Process(pid).cmdline())
               for pid in salle.descendants if psutil.pid_exists(pid))

    for p in gens:
        p.ws.close()
