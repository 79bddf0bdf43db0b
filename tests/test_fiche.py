"""Carte de la fiche : structure validée, liens générés depuis le catalogue, erreurs en français."""
from __future__ import annotations

import copy

import pytest

from territoire_lib import fiche
from territoire_lib.erreurs import FicheInvalide, IndicateurInconnu


@pytest.fixture
def brut():
    return copy.deepcopy(fiche.charger_fiche())


def test_cinq_categories_et_cinq_idees(brut):
    e = fiche.elements_fiche()
    assert list(brut["categories"]) == ["idee_forte", "tendance_lourde", "tension", "emergence", "perturbateur"]
    assert (e["categorie"] == "idee_forte").sum() == 5
    assert e["element"].is_unique


def test_liens_generes_depuis_le_catalogue():
    from territoire_lib.catalogue import _indicateurs

    liens = fiche.liens_fiche()
    attendus = {(el, i) for i, ind in _indicateurs().items() for el in ind.fiche}
    assert set(zip(liens["element"], liens["indicateur"])) == attendus
    assert (liens["origine"] == "catalogue").all()


def test_non_mesure_liste_pour_chaque_element_sans_indicateur():
    e = fiche.elements_fiche()
    assert (~e["mesure"]).sum() > 0
    assert e.loc[~e["mesure"], "non_mesure"].map(len).gt(0).all()


def test_carnet_inconnu(brut):
    brut["elements"][0]["carnets"] = ["01_metropolisaton"]
    with pytest.raises(FicheInvalide, match="carnet inconnu « 01_metropolisaton ».*01_metropolisation"):
        fiche.valider_fiche(brut)


def test_indicateur_inconnu(brut):
    brut["elements"][0]["indicateurs"] = ["part_65_ans"]
    with pytest.raises(IndicateurInconnu, match="part_65_ans_et_plus"):
        fiche.valider_fiche(brut)


def test_element_inconnu_cite_par_le_catalogue(brut):
    with pytest.raises(FicheInvalide, match="élément de la fiche inconnu « idee_9 »"):
        fiche.valider_fiche(brut, {"population": ("idee_9",)})


def test_categorie_inconnue_et_doublon(brut):
    brut["elements"][1]["categorie"] = "utopie"
    with pytest.raises(FicheInvalide, match="catégorie inconnue « utopie »"):
        fiche.valider_fiche(brut)
    brut["elements"][1] = copy.deepcopy(brut["elements"][0])
    with pytest.raises(FicheInvalide, match="en double"):
        fiche.valider_fiche(brut)


def test_lien_explicite_dans_la_fiche(brut, monkeypatch):
    brut["elements"][1]["indicateurs"] = ["population"]
    monkeypatch.setattr(fiche, "charger_fiche", lambda chemin=None: fiche.valider_fiche(brut))
    liens = fiche.liens_fiche()
    ligne = liens[(liens["element"] == brut["elements"][1]["id"]) & (liens["indicateur"] == "population")]
    assert ligne["origine"].tolist() == ["fiche"]


def test_carte_fiche_liens_et_selection():
    spec = fiche.carte_fiche().to_dict()
    texte = str(spec)
    assert "01_metropolisation.ipynb" in texte and "clic" in texte
    assert "Source : fiche de prospective" in texte


def test_resume_coherent():
    r = fiche.resume_fiche()
    assert int(r["elements"].sum()) == len(fiche.elements_fiche())
    assert (r["mesures"] + r["en_ligne_seulement"] + r["non_mesures"] == r["elements"]).all()
    assert (r["evolution_mesuree"] <= r["mesures"]).all()  # un changement mesuré hors ligne l'est sur un indicateur livré
    e = fiche.elements_fiche().set_index("element")
    assert e.loc["idee_1", "evolution_mesuree"]  # population 2016-2023
