"""Architecture de ``territoire_lib`` : sources → construction → données → chargement → méthodes → vues.

Règles vérifiées sur le code (analyse ``ast`` des imports de niveau module, sans rien exécuter)
et, pour les imports réels, dans un interpréteur neuf :

- un module de thème compose des appels de bibliothèque : il n'importe pas Altair au niveau
  module, n'appelle jamais ``alt.`` (les graphiques sont dans les modules de vues
  ``graphiques_*``) et ne lit aucun fichier lui-même (il passe par :mod:`territoire_lib.chargement`) ;
- les vues importent les thèmes, jamais l'inverse à l'import (pas de cycle d'import) ;
- le chargement ne dépend pas de la couche web (:mod:`territoire_lib.connecteurs`) à l'import.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[1]
PAQUET = RACINE / "territoire_lib"

#: Modules de thème (calcul et composition), liste explicite : aucun graphique, aucune lecture de fichier.
THEMES = ["mobilites", "rythmes", "cooperations", "fiche", "portrait", "modeles", "numerique"]
#: Thèmes qui n'importent pas Altair, même indirectement (le portrait garde ses cartes de voisinage).
THEMES_SANS_ALTAIR = ["mobilites", "rythmes", "cooperations", "fiche", "modeles", "numerique"]
#: Vues issues des thèmes : ancien nom (thème, fonction) → module de vues.
VUES_DEPLACEES = {
    ("mobilites", "graphique_heures"): "graphiques_mobilites",
    ("mobilites", "graphique_contrastes"): "graphiques_mobilites",
    ("mobilites", "panneau_double_vulnerabilite"): "graphiques_mobilites",
    ("rythmes", "graphique_parts_motifs"): "graphiques_rythmes",
    ("rythmes", "graphique_profil_horaire"): "graphiques_rythmes",
    ("fiche", "carte_fiche"): "graphiques_fiche",
    ("portrait", "graphique_positions"): "graphiques_portrait",
    ("modeles", "carte_modeles"): "graphiques_modeles",
    ("modeles", "graphique_profil"): "graphiques_modeles",
    ("numerique", "graphique_distances"): "graphiques_numerique",
    ("numerique", "explorer_indice"): "graphiques_numerique",
}
#: Modules de vues dont chaque fonction publique est annotée et documentée (numpy, en français).
MODULES_VUES = ["graphiques_fiche", "graphiques_mobilites", "graphiques_portrait", "graphiques_rythmes",
                "graphiques_numerique"]


# --------------------------------------------------------------------------- analyse statique
def _nom_module(chemin: Path, racine: Path) -> str:
    morceaux = list(chemin.relative_to(racine.parent).with_suffix("").parts)
    if morceaux[-1] == "__init__":
        morceaux = morceaux[:-1]
    return ".".join(morceaux)


def _sous_type_checking(noeud: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(noeud.test)


def _imports_niveau_module(arbre: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports exécutés à l'import du module : corps du module, y compris ``if``/``try``, hors ``TYPE_CHECKING``."""
    res: list[ast.Import | ast.ImportFrom] = []

    def parcourir(corps: list[ast.stmt]) -> None:
        for n in corps:
            if isinstance(n, (ast.Import, ast.ImportFrom)):
                res.append(n)
            elif isinstance(n, ast.If):
                if not _sous_type_checking(n):
                    parcourir(n.body)
                parcourir(n.orelse)
            elif isinstance(n, ast.Try):
                for bloc in (n.body, n.orelse, n.finalbody, *[h.body for h in n.handlers]):
                    parcourir(bloc)
            elif isinstance(n, ast.With):
                parcourir(n.body)

    parcourir(arbre.body)
    return res


def graphe_imports(racine: Path) -> dict[str, set[str]]:
    """Module → modules du paquet qu'il importe au niveau module (paquets parents compris).

    Importer ``a.b.c`` exécute ``a/b/__init__.py`` : le paquet parent est une dépendance
    (sauf pour ses propres sous-modules, et sauf le paquet racine, importé par tous).
    """
    chemins = {_nom_module(p, racine): p for p in racine.rglob("*.py")}
    nom_paquet = racine.name
    graphe: dict[str, set[str]] = {}
    for m, p in chemins.items():
        paquet = m if p.name == "__init__.py" else m.rsplit(".", 1)[0]
        deps: set[str] = set()
        for n in _imports_niveau_module(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(n, ast.Import):
                deps |= {a.name for a in n.names if a.name.split(".")[0] == nom_paquet}
                continue
            if n.level:
                base = paquet.split(".")
                base = base[: len(base) - (n.level - 1)]
                cible = ".".join(base + ([n.module] if n.module else []))
            else:
                cible = n.module or ""
            if cible.split(".")[0] != nom_paquet:
                continue
            for a in n.names:
                sous = f"{cible}.{a.name}"
                deps.add(sous if sous in chemins else cible)
        for d in list(deps):
            morceaux = d.split(".")
            for k in range(2, len(morceaux)):
                parent = ".".join(morceaux[:k])
                if not m.startswith(parent + "."):
                    deps.add(parent)
        graphe[m] = {d for d in deps if d in chemins and d != m}
    return graphe


def cycles(graphe: dict[str, set[str]]) -> list[list[str]]:
    """Composantes fortement connexes de plus d'un module (algorithme de Tarjan, itératif)."""
    index: dict[str, int] = {}
    bas: dict[str, int] = {}
    pile: list[str] = []
    sur_pile: set[str] = set()
    res: list[list[str]] = []
    compteur = 0
    for depart in sorted(graphe):
        if depart in index:
            continue
        travail = [(depart, iter(sorted(graphe[depart])))]
        index[depart] = bas[depart] = compteur
        compteur += 1
        pile.append(depart)
        sur_pile.add(depart)
        while travail:
            v, fils = travail[-1]
            for w in fils:
                if w not in index:
                    index[w] = bas[w] = compteur
                    compteur += 1
                    pile.append(w)
                    sur_pile.add(w)
                    travail.append((w, iter(sorted(graphe[w]))))
                    break
                if w in sur_pile:
                    bas[v] = min(bas[v], index[w])
            else:
                travail.pop()
                if travail:
                    bas[travail[-1][0]] = min(bas[travail[-1][0]], bas[v])
                if bas[v] == index[v]:
                    comp = []
                    while True:
                        w = pile.pop()
                        sur_pile.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        res.append(sorted(comp))
    return res


def _arbre(module: str) -> ast.Module:
    return ast.parse((PAQUET / f"{module}.py").read_text(encoding="utf-8"))


def _appels_altair(arbre: ast.Module) -> list[int]:
    return sorted({n.lineno for n in ast.walk(arbre) if isinstance(n, ast.Attribute)
                   and isinstance(n.value, ast.Name) and n.value.id in ("alt", "altair")})


def _imports_altair(arbre: ast.Module) -> list[int]:
    return [n.lineno for n in _imports_niveau_module(arbre)
            if (isinstance(n, ast.Import) and any(a.name.split(".")[0] == "altair" for a in n.names))
            or (isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] == "altair")]


def _lectures_fichier(arbre: ast.Module) -> list[str]:
    """Appels qui lisent un fichier : ``open(…)``, ``pd.read_*``, ``pq.read_*``, ``gpd.read_*``, ``….read_text()``."""
    res = []
    for n in ast.walk(arbre):
        if not isinstance(n, ast.Call):
            continue
        f = n.func
        if isinstance(f, ast.Name) and f.id == "open":
            res.append(f"ligne {n.lineno} : open(…)")
        elif isinstance(f, ast.Attribute):
            if isinstance(f.value, ast.Name) and f.value.id in ("pd", "pq", "gpd", "pyarrow", "pandas", "json", "yaml") \
                    and (f.attr.startswith("read_") or f.attr in ("load", "safe_load")):
                res.append(f"ligne {n.lineno} : {f.value.id}.{f.attr}(…)")
            elif f.attr in ("read_text", "read_bytes", "open"):
                res.append(f"ligne {n.lineno} : .{f.attr}(…)")
    return res


def _dans_un_interpreteur_neuf(code: str) -> str:
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=RACINE, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(RACINE)})
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


# --------------------------------------------------------------------------- l'analyseur lui-même
def test_analyseur_trouve_un_cycle_et_les_paquets_parents(tmp_path):
    p = tmp_path / "paq"
    (p / "web").mkdir(parents=True)
    (p / "__init__.py").write_text("from .a import x\n")
    (p / "a.py").write_text("from typing import TYPE_CHECKING\nfrom .b import y\nif TYPE_CHECKING:\n    from . import c\n")
    (p / "b.py").write_text("def y():\n    from . import c\n")
    (p / "c.py").write_text("from . import a\n")
    (p / "d.py").write_text("try:\n    from .web.e import z\nexcept ImportError:\n    pass\n")
    (p / "web" / "__init__.py").write_text("from . import e\n")
    (p / "web" / "e.py").write_text("from ..d import w\n")
    g = graphe_imports(p)
    assert g["paq.a"] == {"paq.b"}  # ni l'import sous TYPE_CHECKING, ni celui d'une fonction
    assert g["paq.d"] == {"paq.web.e", "paq.web"}
    assert g["paq.web.e"] == {"paq.d"}  # pas d'arête vers son propre paquet
    assert cycles(g) == [["paq.d", "paq.web", "paq.web.e"]]
    (p / "b.py").write_text("from .c import z\n")
    assert ["paq.a", "paq.b", "paq.c"] in cycles(graphe_imports(p))


# --------------------------------------------------------------------------- thèmes
@pytest.mark.parametrize("module", THEMES)
def test_theme_sans_altair(module):
    arbre = _arbre(module)
    assert not _imports_altair(arbre), f"{module}.py importe Altair au niveau module, lignes {_imports_altair(arbre)}"
    assert not _appels_altair(arbre), (f"{module}.py dessine (alt.…) lignes {_appels_altair(arbre)} : "
                                       f"déplacer vers un module graphiques_*")


@pytest.mark.parametrize("module", THEMES)
def test_theme_ne_lit_aucun_fichier(module):
    lectures = _lectures_fichier(_arbre(module))
    assert not lectures, f"{module}.py lit un fichier lui-même (passer par territoire_lib.chargement) : {lectures}"


def test_lectures_detectees():
    arbre = ast.parse("import pandas as pd\nwith open('x') as f:\n    pass\n"
                      "def g(p):\n    return pd.read_parquet(p), p.read_text()\n")
    assert len(_lectures_fichier(arbre)) == 3
    assert _appels_altair(ast.parse("def f():\n    import altair as alt\n    return alt.Chart()\n")) == [3]
    assert _imports_altair(ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import altair\n")) == []


def test_themes_de_calcul_n_importent_pas_altair():
    """Le calcul s'importe sans Altair (ni les cartes, ni les widgets) : il sert hors des carnets."""
    code = ("import sys\n" + "".join(f"import territoire_lib.{m}\n" for m in THEMES_SANS_ALTAIR)
            + "print(sorted(m for m in sys.modules if m == 'altair' or m.startswith('territoire_lib.graphiques')"
              " or m in ('territoire_lib.cartes', 'territoire_lib.widgets')))")
    assert _dans_un_interpreteur_neuf(code) == "[]"


@pytest.mark.parametrize("theme,nom", sorted(VUES_DEPLACEES))
def test_anciens_noms_gardes(theme, nom):
    """Les noms d'avant le déplacement restent dans le thème (``__all__`` compris) et désignent la vue."""
    t = importlib.import_module(f"territoire_lib.{theme}")
    vue = importlib.import_module(f"territoire_lib.{VUES_DEPLACEES[(theme, nom)]}")
    assert nom in t.__all__ and nom in vue.__all__
    assert getattr(t, nom) is getattr(vue, nom)
    with pytest.raises(AttributeError):
        getattr(t, "graphique_qui_n_existe_pas")


@pytest.mark.parametrize("module", MODULES_VUES)
def test_vues_documentees_et_annotees(module):
    vue = importlib.import_module(f"territoire_lib.{module}")
    assert vue.__all__, module
    for nom in vue.__all__:
        f = getattr(vue, nom)
        assert f.__module__ == vue.__name__, f"{module}.{nom} est défini ailleurs"
        assert inspect.signature(f).return_annotation is not inspect.Signature.empty, f"{module}.{nom} : type renvoyé"
        doc = inspect.getdoc(f) or ""
        assert "Renvoie" in doc and "Paramètres" in doc, f"{module}.{nom} : docstring numpy incomplète"


# --------------------------------------------------------------------------- paquet entier
def test_pas_de_cycle_d_import():
    trouves = cycles(graphe_imports(PAQUET))
    assert not trouves, f"cycles d'import au niveau module : {trouves}"


def test_les_vues_importent_les_themes_pas_l_inverse():
    g = graphe_imports(PAQUET)
    vues = {m for m in g if m.rsplit(".", 1)[-1].startswith("graphiques") or m.endswith((".cartes", ".widgets"))}
    for theme in THEMES:
        # seule exception : le portrait compose ses cartes de voisinage avec territoire_lib.cartes
        permises = {"territoire_lib.cartes"} if theme == "portrait" else set()
        importees = g[f"territoire_lib.{theme}"] & vues - permises
        assert not importees, f"{theme} importe une vue au niveau module : {sorted(importees)}"


def _fermeture(graphe: dict[str, set[str]], module: str) -> set[str]:
    vus, a_voir = set(), [module]
    while a_voir:
        m = a_voir.pop()
        if m not in vus:
            vus.add(m)
            a_voir += sorted(graphe[m])
    return vus


@pytest.mark.parametrize("module", THEMES)
def test_theme_sans_construction_ni_connecteurs_a_l_import(module):
    """Un thème lit les données construites (chargement) ; la construction et la couche web s'importent à l'appel."""
    amont = {m for m in _fermeture(graphe_imports(PAQUET), f"territoire_lib.{module}")
             if m.startswith(("territoire_lib.construction", "territoire_lib.connecteurs"))}
    assert not amont, f"{module} importe au niveau module (directement ou non) : {sorted(amont)}"


def test_chargement_sans_connecteurs():
    """Le chargement ne dépend pas de la couche web à l'import (ni en analyse, ni en vrai)."""
    vus = _fermeture(graphe_imports(PAQUET), "territoire_lib.chargement")
    assert not {m for m in vus if m.startswith("territoire_lib.connecteurs")}, sorted(vus)
    code = ("import sys, territoire_lib.chargement\n"
            "print(sorted(m for m in sys.modules if m.startswith('territoire_lib.connecteurs')))")
    assert _dans_un_interpreteur_neuf(code) == "[]"
