"""Zones de sortie des widgets remplies par le noyau lui-même (:mod:`territoire_lib.sorties`).

Sans interface (nbclient, Voilà), ``with sortie:`` après ``clear_output(wait=True)`` a bloqué des
noyaux ; les widgets passent donc par :func:`territoire_lib.sorties.afficher_dans`. Vérifié dans un
interpréteur neuf avec un vrai shell IPython (``display`` y passe par le publieur d'affichages).
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]

SCENARIO = r'''
import json, os
from IPython.core.interactiveshell import InteractiveShell
InteractiveShell.instance()
import ipywidgets as w, pandas as pd
from IPython.display import display
from territoire_lib import exercices as ex
from territoire_lib.erreurs import ResultatVide
from territoire_lib.sorties import afficher_dans

def types(sortie):
    return [(o["output_type"], o.get("text"), sorted(o.get("data", {}))) for o in sortie.outputs]

r = {}
s = w.Output()
def contenu():
    print("12 communes")
    display(pd.DataFrame({"part": [1.5]}))
    print("Source : Insee")
    return pd.Series([1])
afficher_dans(s, contenu)
r["ordre"] = types(s)
afficher_dans(s, contenu)
r["deux_fois"] = len(s.outputs)
afficher_dans(s, lambda: 1 / 0, si_erreur="Impossible de dessiner la carte")
r["message"] = types(s)
afficher_dans(s, lambda: 1 / 0)
r["trace"] = s.outputs[0]["output_type"], s.outputs[0]["ename"]

os.environ.pop(ex.VARIABLE, None)
def solution_fautive():
    raise ResultatVide("Aucun territoire ne correspond.")
for nom, f in (("solution", lambda: print("réponse") or pd.Series([2])), ("solution_fautive", solution_fautive)):
    avant = set(w.widgets.widget._instances)
    ex.solution(f)
    nouveaux = [w.widgets.widget._instances[k] for k in set(w.widgets.widget._instances) - avant]
    bouton = next(x for x in nouveaux if isinstance(x, w.Button))
    zone = next(x for x in nouveaux if isinstance(x, w.Output))
    r[nom + "_avant_clic"] = len(zone.outputs)
    bouton.click()
    bouton.click()
    r[nom] = types(zone)
print(json.dumps(r, ensure_ascii=False))
'''


def _scenario() -> dict:
    env = {"PYTHONPATH": str(RACINE), "PATH": "/usr/bin:/bin"}
    p = subprocess.run([sys.executable, "-c", SCENARIO], cwd=RACINE, capture_output=True, text=True, env=env,
                       timeout=120)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_ordre_remplacement_et_erreurs():
    r = _scenario()
    assert r["ordre"] == [["stream", "12 communes\n", []], ["display_data", None, ["text/html", "text/plain"]],
                          ["stream", "Source : Insee\n", []], ["display_data", None, ["text/plain"]]]
    assert r["deux_fois"] == 4, "les sorties sont remplacées, pas ajoutées"
    assert r["message"] == [["stream", "Impossible de dessiner la carte : division by zero\n", []]]
    assert r["trace"] == ["error", "ZeroDivisionError"]
    # exercice : rien avant le clic ; après deux clics, une seule réponse
    assert r["solution_avant_clic"] == 0 and r["solution_fautive_avant_clic"] == 0
    assert r["solution"] == [["stream", "réponse\n", []], ["display_data", None, ["text/plain"]]]
    assert r["solution_fautive"] == [["stream", "La solution n'a pas pu s'exécuter avec vos valeurs : "
                                                "Aucun territoire ne correspond.\n", []]]


def test_aucune_capture_par_contexte_dans_la_bibliotheque():
    """Ni ``with <zone de sortie>:`` ni ``clear_output(wait=True)`` dans ``territoire_lib``."""
    fautes = []
    for chemin in sorted((RACINE / "territoire_lib").rglob("*.py")):
        arbre = ast.parse(chemin.read_text(encoding="utf-8"))
        sorties = {cible.id for n in ast.walk(arbre) if isinstance(n, ast.Assign)
                   for cible in n.targets if isinstance(cible, ast.Name)
                   and "Output()" in ast.unparse(n.value)}
        sorties |= {e.id for n in ast.walk(arbre) if isinstance(n, ast.Assign)
                    for t in n.targets if isinstance(t, ast.Tuple)
                    for e in t.elts if isinstance(e, ast.Name) and "Output()" in ast.unparse(n.value)}
        for n in ast.walk(arbre):
            if isinstance(n, ast.With):
                noms = {ast.unparse(i.context_expr) for i in n.items}
                if noms & sorties or any("sortie" in x for x in noms):
                    fautes.append(f"{chemin.name}:{n.lineno} with {', '.join(sorted(noms))}")
            if isinstance(n, ast.Call) and ast.unparse(n.func).endswith("clear_output") and any(
                    k.arg == "wait" for k in n.keywords):
                fautes.append(f"{chemin.name}:{n.lineno} clear_output(wait=...)")
    assert not fautes, fautes
