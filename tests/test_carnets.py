"""Les carnets sont livrés propres (sorties effacées sauf chiffres clés) et légers."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE / "outils"))
from carnets import est_propre  # noqa: E402

CARNETS = sorted((RACINE / "notebooks").glob("*.ipynb"))


def test_il_y_a_des_carnets():
    assert CARNETS


@pytest.mark.parametrize("chemin", CARNETS, ids=lambda c: c.name)
def test_carnet_propre_et_leger(chemin):
    nb = nbformat.read(chemin, as_version=4)
    assert est_propre(nb) == []
    assert chemin.stat().st_size < 1_000_000


@pytest.mark.parametrize("chemin", CARNETS, ids=lambda c: c.name)
def test_carnet_sans_chemin_vers_donnees(chemin):
    """Les carnets passent par la bibliothèque, jamais par les fichiers de donnees/."""
    texte = chemin.read_text(encoding="utf-8")
    assert ".parquet" not in texte and "donnees/" not in texte


#: Nombre écrit à l'anglaise (point décimal) : « 22.0 h », « 0.136 » ; un numéro de version
#: (« 5.22.0 ») ou une heure (« 09:00 ») n'en est pas un.
NOMBRE_A_L_ANGLAISE = re.compile(r"(?<![\w.,/:-])\d+\.\d+(?![\w.])")


@pytest.mark.parametrize("chemin", CARNETS, ids=lambda c: c.name)
def test_affichage_francais_des_la_premiere_cellule(chemin):
    nb = nbformat.read(chemin, as_version=4)
    premiere = next(c for c in nb.cells if c.cell_type == "code")
    assert "affichage_francais()" in premiere.source


@pytest.mark.parametrize("chemin", CARNETS, ids=lambda c: c.name)
def test_chiffres_cles_ecrits_a_la_francaise(chemin):
    """Les chiffres clés affichés (sorties gardées) ont la virgule décimale, jamais le point."""
    nb = nbformat.read(chemin, as_version=4)
    fautes = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        for sortie in c.get("outputs", []):
            texte = sortie.get("text", "") or "".join(sortie.get("data", {}).get("text/plain", ""))
            fautes += [f"cellule {i} : « {m.group(0)} »" for m in NOMBRE_A_L_ANGLAISE.finditer(texte)]
    assert not fautes, f"{chemin.name} : nombres écrits avec un point décimal : {fautes[:10]}"


# --------------------------------------------------------------------------- convention d'atelier
#: Métadonnées d'une cellule de solution : repérée par son étiquette, repliée dans JupyterLab.
ETIQUETTE_SOLUTION = "solution"
ENTETE_EXERCICE = "### À vous de jouer"
ENTETE_SOLUTION = "# Solution"


def _premiere_ligne(cellule) -> str:
    lignes = cellule.source.strip().splitlines()
    return lignes[0].strip() if lignes else ""


def _est_solution(cellule) -> bool:
    return cellule.cell_type == "code" and _premiere_ligne(cellule) == ENTETE_SOLUTION


def exercices(nb) -> list[tuple[int, int | None, int | None]]:
    """(énoncé, cellule du participant ou None, solution ou None) pour chaque « À vous de jouer »."""
    res = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "markdown" or not _premiere_ligne(c).startswith(ENTETE_EXERCICE):
            continue
        suite = nb.cells[i + 1:i + 3]
        if suite and _est_solution(suite[0]):
            res.append((i, None, i + 1))
        elif len(suite) == 2 and suite[0].cell_type == "code" and _est_solution(suite[1]):
            res.append((i, i + 1, i + 2))
        else:
            res.append((i, None, None))
    return res


@pytest.mark.parametrize("chemin", CARNETS, ids=lambda c: c.name)
def test_carnet_objectifs_et_duree(chemin):
    """La première cellule de texte annonce les objectifs et la durée (pour composer une séance)."""
    nb = nbformat.read(chemin, as_version=4)
    premiere = next(c for c in nb.cells if c.cell_type == "markdown")
    lignes = [ligne.strip() for ligne in premiere.source.splitlines()]
    assert any(ligne.startswith("**Objectifs** :") and len(ligne) > 20 for ligne in lignes), \
        "ligne « **Objectifs** : … » absente de la première cellule"
    assert any(re.fullmatch(r"\*\*Durée\*\* : \d+ minutes\.?", ligne) for ligne in lignes), \
        "ligne « **Durée** : NN minutes » absente de la première cellule"


@pytest.mark.parametrize("chemin", CARNETS, ids=lambda c: c.name)
def test_carnet_exercices_avec_solutions_repliees(chemin):
    """2 ou 3 exercices « À vous de jouer », chacun suivi de sa solution repliée, exécutée par nbval."""
    nb = nbformat.read(chemin, as_version=4)
    trouves = exercices(nb)
    assert 2 <= len(trouves) <= 3, f"{len(trouves)} exercice(s) « {ENTETE_EXERCICE} » : 2 ou 3 attendus"
    for enonce, participant, solution in trouves:
        titre = _premiere_ligne(nb.cells[enonce])
        assert solution is not None, f"« {titre} » : pas de cellule « {ENTETE_SOLUTION} » juste après"
        meta = nb.cells[solution].metadata
        assert ETIQUETTE_SOLUTION in meta.get("tags", []), f"« {titre} » : étiquette « solution » absente"
        assert meta.get("jupyter", {}).get("source_hidden") is True, f"« {titre} » : solution non repliée"
        assert not {"nbval-skip", "skip-execution"} & set(meta.get("tags", [])), f"« {titre} » : solution non testée"
        if participant is not None:
            cellule = nb.cells[participant]
            assert ETIQUETTE_SOLUTION not in cellule.metadata.get("tags", [])
            assert not cellule.metadata.get("jupyter", {}).get("source_hidden")
    # aucune solution orpheline
    solutions = [i for i, c in enumerate(nb.cells) if _est_solution(c)]
    assert sorted(s for *_, s in trouves) == solutions


def test_nettoyage_garde_les_metadonnees_de_solution():
    """outils/carnets.py efface sorties et compteurs, jamais l'étiquette ni le repli des solutions."""
    from carnets import nettoyer

    nb = nbformat.v4.new_notebook()
    cellule = nbformat.v4.new_code_cell("# Solution\nprint(1)", execution_count=3,
                                        metadata={"tags": ["solution"], "jupyter": {"source_hidden": True},
                                                  "execution": {"iopub.status.busy": "2025-01-01"}})
    cellule.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb.cells.append(cellule)
    propre = nettoyer(nb)
    c = propre.cells[0]
    assert c.outputs == [] and c.execution_count is None
    assert c.metadata == {"tags": ["solution"], "jupyter": {"source_hidden": True}}
    relu = nbformat.reads(nbformat.writes(propre), as_version=4)
    assert relu.cells[0].metadata["jupyter"]["source_hidden"] is True
