"""Convention des exercices « À vous de jouer » (issue 17), vérifiée dans chaque carnet.

Pour chaque exercice, dans cet ordre :

1. l'énoncé (titre « ### À vous de jouer N — … ») ;
2. la cellule à compléter : elle s'exécute telle quelle (nbval l'exécute), assigne au moins un nom
   et porte une ligne « # À compléter » ;
3. la solution : première ligne « # Solution », repliée, étiquetée « solution » ; elle ne fait
   que définir une fonction décorée par ``@solution`` (rien n'est calculé ni affiché avant le clic
   sur « Voir la solution ») et cette fonction lit au moins une variable de la cellule à compléter ;
4. la réponse attendue, pour le formateur : un paragraphe non vide replié dans ``<details>``
   (titre « Réponse attendue », déplié d'un clic : JupyterLab affiche sinon le texte d'une cellule
   de texte même « repliée »), étiqueté « reponse-attendue ».

Les règles 2 et 3 sont celles du contrôle du CEO (``shared/hooks/exercices.py``), reprises ici pour
que la CI les applique.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

RACINE = Path(__file__).resolve().parent.parent
CARNETS = sorted((RACINE / "notebooks").glob("*.ipynb"))
TITRE = re.compile(r"\s*#+[^\n]*à vous de jouer", re.I)
SOLUTION = re.compile(r"\s*#\s*solution", re.I)


def _assignes(source: str) -> set[str]:
    noms = set()
    for noeud in ast.walk(ast.parse(source)):
        cibles = noeud.targets if isinstance(noeud, ast.Assign) else [noeud.target] if isinstance(noeud, ast.AnnAssign) else []
        noms |= {t.id for cible in cibles for t in ast.walk(cible) if isinstance(t, ast.Name)}
    return noms


def _utilises(source: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}


def exercices(nb) -> list[dict]:
    """Chaque exercice : index de l'énoncé, de la cellule à compléter, de la solution, de la réponse attendue."""
    res = []
    for i, c in enumerate(nb.cells):
        if c.cell_type == "markdown" and TITRE.match(c.source):
            suite = nb.cells[i + 1:i + 4]
            res.append({"titre": c.source.strip().splitlines()[0], "enonce": i,
                        "cellules": [(i + 1 + k, s) for k, s in enumerate(suite)]})
    return res


def test_des_exercices_dans_chaque_carnet():
    assert CARNETS
    assert sum(len(exercices(nbformat.read(c, as_version=4))) for c in CARNETS) >= 14


@pytest.mark.parametrize("chemin", CARNETS, ids=lambda c: c.name)
def test_convention_des_exercices(chemin):
    nb = nbformat.read(chemin, as_version=4)
    for ex in exercices(nb):
        titre = ex["titre"]
        cellules = [c for _, c in ex["cellules"]]
        assert len(cellules) == 3, f"{titre} : énoncé, cellule à compléter, solution, réponse attendue attendus"
        a_completer, solution, reponse = cellules
        # 2. la cellule à compléter
        assert a_completer.cell_type == "code" and not SOLUTION.match(a_completer.source), \
            f"{titre} : pas de cellule à compléter avant la solution"
        assert "solution" not in a_completer.metadata.get("tags", [])
        assert not a_completer.metadata.get("jupyter", {}).get("source_hidden"), f"{titre} : cellule à compléter repliée"
        noms = _assignes(a_completer.source)
        assert noms, f"{titre} : la cellule à compléter n'assigne rien"
        assert "# À compléter" in a_completer.source, f"{titre} : ligne « # À compléter » absente"
        # 3. la solution
        assert solution.cell_type == "code" and SOLUTION.match(solution.source), f"{titre} : solution absente"
        assert "solution" in solution.metadata.get("tags", []), f"{titre} : étiquette « solution » absente"
        assert solution.metadata.get("jupyter", {}).get("source_hidden") is True, f"{titre} : solution non repliée"
        assert not {"nbval-skip", "skip-execution"} & set(solution.metadata.get("tags", [])), f"{titre} : solution non testée"
        arbre = ast.parse(solution.source)
        fonctions = [n for n in arbre.body if isinstance(n, ast.FunctionDef)]
        autres = [n for n in arbre.body if not isinstance(n, (ast.FunctionDef, ast.Import, ast.ImportFrom))]
        assert len(fonctions) == 1 and not autres, \
            f"{titre} : la solution ne doit que définir une fonction (rien d'affiché avant le clic)"
        decorateurs = [d.id if isinstance(d, ast.Name) else getattr(d, "attr", "") for d in fonctions[0].decorator_list]
        assert "solution" in decorateurs, f"{titre} : la fonction de solution n'est pas décorée par @solution"
        assert noms & _utilises(solution.source), f"{titre} : la solution ignore {sorted(noms)}"
        # 4. la réponse attendue
        assert reponse.cell_type == "markdown" and reponse.source.lstrip().startswith("<details>") \
            and "Réponse attendue" in reponse.source.split("</summary>")[0], \
            f"{titre} : paragraphe « Réponse attendue » (replié dans <details>) absent après la solution"
        texte = reponse.source.split("</summary>", 1)[-1].replace("</details>", "").strip()
        assert len(texte) > 80 and "à compléter" not in texte.lower(), f"{titre} : réponse attendue vide"
        assert "reponse-attendue" in reponse.metadata.get("tags", [])
        assert reponse.metadata.get("jupyter", {}).get("source_hidden") is True, f"{titre} : réponse attendue non repliée"


@pytest.mark.parametrize("chemin", CARNETS, ids=lambda c: c.name)
def test_solution_importee_avant_usage(chemin):
    """Le décorateur ``solution`` est importé dans une cellule qui précède la première solution."""
    nb = nbformat.read(chemin, as_version=4)
    codes = [c.source for c in nb.cells if c.cell_type == "code"]
    premiere = next((k for k, s in enumerate(codes) if SOLUTION.match(s)), None)
    if premiere is not None:
        assert any("from territoire_lib.exercices import solution" in s for s in codes[:premiere])


def test_le_controle_du_ceo_passe():
    """Mêmes règles que ``shared/hooks/exercices.py`` (s'il est présent à côté du dépôt)."""
    crochet = RACINE.parent / "shared" / "hooks" / "exercices.py"
    if not crochet.exists():
        pytest.skip("shared/hooks/exercices.py absent")
    import subprocess
    import sys

    r = subprocess.run([sys.executable, str(crochet)], cwd=RACINE, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_solution_attend_le_clic(monkeypatch):
    """Sans TERRITOIRE_SOLUTIONS=executer, la solution n'est pas exécutée : un bouton est affiché."""
    from territoire_lib import exercices as ex

    monkeypatch.delenv(ex.VARIABLE, raising=False)
    appels = []
    assert ex.solution(lambda: appels.append(1)) is None
    assert appels == []


def test_solution_executee_pour_les_tests(monkeypatch, capsys):
    from territoire_lib import exercices as ex

    monkeypatch.setenv(ex.VARIABLE, "executer")
    ex.solution(lambda: print("calculé"))
    assert "calculé" in capsys.readouterr().out


def test_solution_erreur_en_francais(monkeypatch, capsys):
    from territoire_lib import exercices as ex
    from territoire_lib.erreurs import ResultatVide

    monkeypatch.setenv(ex.VARIABLE, "executer")

    def fausse():
        raise ResultatVide("Aucun territoire ne correspond.")

    ex.solution(fausse)
    assert "n'a pas pu s'exécuter avec vos valeurs" in capsys.readouterr().out


# --------------------------------------------------------------------------- mon territoire
def test_mon_territoire_par_defaut(monkeypatch):
    from territoire_lib import mon_territoire as mt

    monkeypatch.setenv(mt.VARIABLE, "defaut")
    t = mt.mon_territoire()
    assert (t.commune, t.epci, t.departement, t.region) == ("25056", "242500361", "25", "27")


def test_mon_territoire_choisi_puis_relu(monkeypatch, tmp_path):
    from territoire_lib import mon_territoire as mt

    monkeypatch.setenv(mt.VARIABLE, str(tmp_path / "mon_territoire.json"))
    choix = mt.choisir("saint etienne")  # sans accent ni tiret
    assert choix.commune == "42218" and choix.departement == "42" and choix.region == "84"
    assert mt.mon_territoire() == choix  # relu depuis le fichier
    mt.oublier()
    assert mt.mon_territoire().commune == mt.DEFAUT


def test_mon_territoire_par_un_departement(monkeypatch, tmp_path):
    from territoire_lib import mon_territoire as mt

    monkeypatch.setenv(mt.VARIABLE, str(tmp_path / "m.json"))
    t = mt.choisir("Creuse", niveau="departement")
    assert t.departement == "23" and t.nom_commune == "Guéret" and "plus peuplée" in t.note


def test_codes_tapes_comme_des_nombres():
    """00 ex. 1 avec ``region = 75`` renvoyait un tableau vide : le code est désormais normalisé."""
    from territoire_lib import code_courant, indicateurs

    assert code_courant(75, "region") == "75"
    assert code_courant(1, "departement") == "01"
    assert len(indicateurs("population", niveau="departement", codes=[23, "2A"])) == 2
