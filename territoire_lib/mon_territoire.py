"""« Mon territoire » : choisi une fois par son nom, retenu pour tous les carnets.

Le participant d'un atelier tape le nom de sa commune (ou de son
intercommunalité, de son département…) dans le carnet 00 ; la recherche
tolérante de :func:`territoire_lib.portrait.trouver_territoire` le retrouve
(accents, majuscules, anciens noms et codes), et le choix est enregistré dans
un petit fichier JSON du dossier de configuration de l'utilisateur
(``~/.config/territoires-en-transition/mon_territoire.json``, ou
``$XDG_CONFIG_HOME``). Chaque carnet lit ensuite ce choix : sa commune, son
EPCI, son département et sa région servent de valeurs par défaut aux exercices
et aux comparaisons.

Sans choix enregistré, le territoire par défaut est Besançon (commune 25056,
CU Grand Besançon Métropole, Doubs, Bourgogne-Franche-Comté) : c'est pour lui
que les « réponses attendues » des exercices sont écrites.

La variable d'environnement ``TERRITOIRE_MON_TERRITOIRE`` désigne un autre
fichier ; la valeur ``defaut`` impose le territoire par défaut (les tests
l'utilisent, pour que les chiffres ne dépendent pas du choix d'un développeur).
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

__all__ = [
    "DEFAUT",
    "MonTerritoire",
    "chemin_fichier",
    "choisir",
    "mon_territoire",
    "oublier",
    "selecteur",
    "comparaison",
    "carte_de_ma_region",
]

#: Territoire retenu tant que le participant n'en a pas choisi un (code communal).
DEFAUT = "25056"
VARIABLE = "TERRITOIRE_MON_TERRITOIRE"


@dataclass(frozen=True)
class MonTerritoire:
    """Une commune et les territoires qui la contiennent (codes officiels en texte)."""

    commune: str
    nom_commune: str
    epci: str | None
    nom_epci: str | None
    departement: str
    nom_departement: str
    region: str
    nom_region: str
    demande: str = ""
    note: str = ""

    def codes(self) -> dict[str, str | None]:
        """``{niveau: code}`` pour commune, epci, departement, region."""
        return {"commune": self.commune, "epci": self.epci, "departement": self.departement, "region": self.region}

    def noms(self) -> dict[str, str | None]:
        """``{niveau: nom}``."""
        return {"commune": self.nom_commune, "epci": self.nom_epci, "departement": self.nom_departement,
                "region": self.nom_region}

    def __str__(self) -> str:
        epci = f", {self.nom_epci} ({self.epci})" if self.epci else ", sans EPCI"
        return (f"{self.nom_commune} ({self.commune}){epci}, {self.nom_departement} ({self.departement}), "
                f"{self.nom_region} ({self.region})")

    def _repr_html_(self) -> str:
        import html

        note = f"<br><i>{html.escape(self.note)}</i>" if self.note else ""
        return ("<div style='border-left:4px solid #2171b5;padding:4px 10px;font-family:system-ui,sans-serif'>"
                f"<b>Mon territoire</b> : {html.escape(str(self))}{note}</div>")


def chemin_fichier() -> Path | None:
    """Le fichier JSON du choix (``None`` si ``TERRITOIRE_MON_TERRITOIRE=defaut``)."""
    valeur = os.environ.get(VARIABLE)
    if valeur:
        return None if valeur.lower() == "defaut" else Path(valeur)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "territoires-en-transition" / "mon_territoire.json"


def _depuis_commune(code: str, demande: str = "", note: str = "") -> MonTerritoire:
    from .chargement import table_communes, territoires

    t = table_communes().set_index("code_commune").loc[code]
    epcis = territoires("epci").set_index("code_epci")["nom_epci"]
    deps = territoires("departement").set_index("code_departement")["nom_departement"]
    regs = territoires("region").set_index("code_region")["nom_region"]
    epci = t["code_epci"] if isinstance(t["code_epci"], str) else None
    return MonTerritoire(code, t["nom_commune"], epci, epcis.get(epci) if epci else None, t["code_departement"],
                         deps[t["code_departement"]], t["code_region"], regs[t["code_region"]], demande, note)


def _commune_principale(niveau: str, code: str) -> str:
    """La commune la plus peuplée d'un EPCI, d'un département ou d'une région."""
    from .chargement import CLES_NIVEAU, table_communes

    t = table_communes()
    membres = t[t[CLES_NIVEAU[niveau]] == code]
    return str(membres.sort_values("population_2023", ascending=False)["code_commune"].iloc[0])


def choisir(nom: str, niveau: str | None = None, enregistrer: bool = True) -> MonTerritoire:
    """Choisit « mon territoire » par son nom ou son code (recherche tolérante) et l'enregistre.

    Paramètres
    ----------
    nom : str
        Nom (accents et majuscules ignorés, ancien nom ou ancien code compris) ou code officiel.
        Pour une intercommunalité, un département ou une région, la commune retenue est la plus
        peuplée (on peut ensuite préciser la commune).
    niveau : str, optionnel
        ``commune`` (par défaut on cherche d'abord une commune), ``epci``, ``departement``, ``region``.
    enregistrer : bool
        Écrit le choix dans :func:`chemin_fichier` pour les autres carnets.

    Exemples
    --------
    >>> t = choisir("ornans", enregistrer=False)
    >>> t.commune, t.departement, t.region
    ('25434', '25', '27')
    """
    from .portrait import trouver_territoire

    try:
        t = trouver_territoire(str(nom), niveau or "commune")
    except Exception:
        if niveau is not None:
            raise
        t = trouver_territoire(str(nom), None)
    code = t["code"] if t["niveau"] == "commune" else _commune_principale(t["niveau"], t["code"])
    note = t.get("note") or ""
    if t["niveau"] != "commune":
        note = (note + " " if note else "") + f"Commune retenue : la plus peuplée de « {t['nom']} »."
    choix = _depuis_commune(code, str(nom), note)
    chemin = chemin_fichier()
    if enregistrer and chemin is not None:
        chemin.parent.mkdir(parents=True, exist_ok=True)
        chemin.write_text(json.dumps(asdict(choix), ensure_ascii=False, indent=1), encoding="utf-8")
    return choix


def mon_territoire() -> MonTerritoire:
    """Le territoire choisi (ou Besançon, par défaut).

    Exemples
    --------
    >>> mon_territoire().commune  # doctest: +SKIP
    '25056'
    """
    chemin = chemin_fichier()
    if chemin is not None and chemin.exists():
        try:
            lu = json.loads(chemin.read_text(encoding="utf-8"))
            return _depuis_commune(lu["commune"], lu.get("demande", ""), lu.get("note", ""))
        except Exception:  # fichier abîmé ou commune disparue : on repart du défaut, sans bloquer le carnet
            pass
    return _depuis_commune(DEFAUT, "défaut")


def oublier() -> None:
    """Efface le choix enregistré (retour au territoire par défaut)."""
    chemin = chemin_fichier()
    if chemin is not None and chemin.exists():
        chemin.unlink()


def selecteur():
    """Un champ « Mon territoire » et un bouton « Retenir » (ipywidgets), pour le carnet 00.

    Renvoie un ``ipywidgets.VBox`` ; le choix retenu est enregistré pour tous les carnets.
    """
    import ipywidgets as w

    actuel = mon_territoire()
    champ = w.Text(value=actuel.nom_commune, description="Mon territoire", placeholder="nom ou code de votre commune",
                   layout=w.Layout(width="420px"), style={"description_width": "initial"})
    bouton = w.Button(description="Retenir", button_style="primary", icon="check")
    sortie = w.HTML(actuel._repr_html_())

    def retenir(*_):
        try:
            sortie.value = choisir(champ.value)._repr_html_()
        except Exception as exc:  # message en français, jamais de trace
            sortie.value = f"<span style='color:#a50f15'>Territoire non trouvé : {exc}</span>"

    bouton.on_click(retenir)
    champ.on_submit(retenir)
    return w.VBox([w.HBox([champ, bouton]), sortie])


def comparaison(ids: list[str], millesime=None, territoire: MonTerritoire | None = None) -> pd.DataFrame:
    """Valeur de chaque indicateur pour la commune, l'EPCI, le département, la région et la France.

    Les valeurs de la France sont recalculées depuis les communes (voir :func:`territoire_lib.analyses.position`).

    Exemples
    --------
    >>> comparaison(["part_65_ans_et_plus"], territoire=_depuis_commune("25056")).columns.tolist()[:2]
    ['indicateur', 'unité']
    """
    from .analyses import position
    from .catalogue import indicateur

    t = territoire or mon_territoire()
    colonnes = {"indicateur": [indicateur(i).libelle for i in ids], "unité": [indicateur(i).unite for i in ids]}
    france = None
    for niveau, code in t.codes().items():
        if code is None:
            continue
        p = position(code, ids, niveau=niveau, millesime=millesime)
        colonnes[f"{t.noms()[niveau]}"] = p["valeur"].tolist()
        france = p["france"].tolist()
    colonnes["France"] = france
    return pd.DataFrame(colonnes)


def carte_de_ma_region(ident: str, millesime=None, territoire: MonTerritoire | None = None, **options):
    """Carte communale de ``ident`` limitée à la région de mon territoire (zoom sur la région)."""
    from .cartes import carte
    from .chargement import table_communes

    t = territoire or mon_territoire()
    communes = table_communes()
    codes = communes.loc[communes["code_region"] == t.region, "code_commune"].tolist()
    return carte(ident, niveau="commune", codes=codes, millesime=millesime, **options)
