"""Cartes : spécifications Vega-Lite, classes, textes, exports et mauvaises demandes."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from territoire_lib.cartes import COULEUR_NON_DISPONIBLE, LIBELLE_NON_DISPONIBLE, carte
from territoire_lib.erreurs import CodeTerritoireInconnu, IndicateurInconnu, IndicateurNonDisponible, ResultatVide
from territoire_lib.geographie import AvertissementCodeAncien
from territoire_lib.widgets import explorateur, vue_liee


@pytest.fixture(autouse=True)
def dossier_temporaire(tmp_path, monkeypatch):
    """Les fichiers servis par URL sont écrits à côté du « carnet » : ici, un dossier temporaire."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _couches(spec):
    """Toutes les couches (dict) d'une spécification, à plat."""
    if isinstance(spec, dict):
        if "mark" in spec:
            yield spec
        for v in spec.values():
            yield from _couches(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _couches(v)


def test_specification_carte_departements(dossier_temporaire):
    c = carte("part_65_ans_et_plus", niveau="departement")
    spec = c.specification("url")
    formes = [l for l in _couches(spec) if (l["mark"] if isinstance(l["mark"], str) else l["mark"]["type"]) == "geoshape"]
    assert formes, "aucune couche geoshape"
    principale = formes[0]
    assert principale["data"]["url"] == "cartes_generees/departement.topo.json"
    assert principale["data"]["format"] == {"feature": "departement", "type": "topojson"}
    lookup = principale["transform"][0]["lookup"]
    assert lookup == "id"  # code officiel de chaque géométrie
    assert (dossier_temporaire / "cartes_generees" / "departement.topo.json").exists()
    texte = json.dumps(spec, ensure_ascii=False)
    assert "Source : Insee, RP 2021 — calculs Territoires en transition (millésime 2021)" in texte
    assert LIBELLE_NON_DISPONIBLE in texte and COULEUR_NON_DISPONIBLE in texte
    assert '"type": "identity"' in texte and '"reflectY": true' in texte
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    titres = {p["name"]: p.get("value") for p in spec["params"]}
    assert titres["titres"]["0"] == "Part des 65 ans et plus (2021)"
    assert titres["legendes"]["0"] == ["%", "quantiles, 5 classes"]
    assert [t["title"] for t in principale["encoding"]["tooltip"]] == ["Territoire", "Code", "Valeur", "Millésime",
                                                                     "Complétude"]


def test_description_en_francais():
    d = carte("part_65_ans_et_plus", niveau="departement").description
    assert "Creuse" in d and "Guyane" in d and "médiane" in d and "Source : Insee" in d
    assert "1 territoire(s) sans donnée" in d  # Mayotte


def test_carte_communes_legere():
    """Géométrie et valeurs passent par URL : la spécification reste de quelques kilo-octets."""
    spec = carte("part_65_ans_et_plus", niveau="commune").specification("url")
    assert len(json.dumps(spec)) < 50_000


def test_palette_divergente_centree_sur_zero():
    c = carte("evolution_population_annuelle", niveau="departement", millesime="2016-2023")
    opt = c.options[0]
    assert any("0,00" in lib for lib in opt.classes)
    rouges = [col for col in opt.couleurs if int(col[1:3], 16) > int(col[5:7], 16)]
    assert 1 <= len(rouges) < len(opt.couleurs)  # des classes négatives (rouges) et positives (bleues)


@pytest.mark.parametrize("methode", ["quantiles", "jenks", "intervalles_egaux"])
def test_methodes_de_classification(methode):
    c = carte("densite_population", niveau="departement", classification=methode, k=4)
    assert len(c.options[0].classes) <= 4
    assert c.valeurs["c0"].between(-2, 3).all()  # -2 : incomplet, -1 : non disponible


def test_incomplet_distinct_de_non_disponible():
    """Un territoire dont des communes manquent est « incomplet » (infobulle), pas « non disponible »."""
    c = carte("population", niveau="departement", millesime=2016)
    valeurs = c.valeurs.set_index("code")
    compl = __import__("territoire_lib").completude("population", niveau="departement", millesime=2016)
    incomplets = compl.index[compl["statut"] == "incomplet"]
    for code in incomplets:
        assert valeurs.loc[code, "c0"] == -2
        assert valeurs.loc[code, "n0"].startswith("incomplet : ")
    assert valeurs.loc["976", "c0"] == -1  # Mayotte : aucune valeur
    assert (valeurs["c0"] >= 0).sum() == len(valeurs) - len(incomplets) - 1
    spec = c.specification()
    libelles = next(p for p in spec["params"] if p["name"] == "libelles")["value"]["0"]
    assert libelles[:2] == ["Incomplet (communes sans valeur)", "Donnée non disponible"]
    partielle = carte("population", niveau="departement", millesime=2016, partiel=True)
    if len(incomplets):
        assert "sommes partielles" in partielle.options[0].source
        assert partielle.valeurs.set_index("code").loc[incomplets[0], "n0"].startswith("partiel : ")


def test_bornes_manuelles():
    c = carte("part_65_ans_et_plus", niveau="departement", classification="manuelle", bornes=[20, 25])
    assert c.options[0].classes[0].startswith("20")


def test_plusieurs_indicateurs_un_menu():
    c = carte(["part_65_ans_et_plus", "densite_population"], niveau="departement")
    spec = c.specification("url")
    opt = next(p for p in spec["params"] if p["name"] == "opt")
    assert opt["bind"]["input"] == "select"
    assert opt["bind"]["labels"] == ["Part des 65 ans et plus (2021)", "Densité de population (2023)"]


def test_tous_les_millesimes():
    c = carte("population", niveau="region", millesime="tous")
    assert [o.millesime for o in c.options] == [2016, 2017, 2019, 2020, 2022, 2023]


def test_categories_et_oui_non_a_la_commune():
    c = carte(["zonage_abc", "mairie_site_web"], niveau="commune")
    assert c.options[0].classes == ["A bis", "A", "B1", "B2", "C"]
    assert c.options[1].classes == ["non", "oui"]


def test_inline_contient_les_donnees():
    spec = carte("part_65_ans_et_plus", niveau="region").specification("inline")
    assert spec["datasets"]["geo_region"]["type"] == "Topology"
    assert len(spec["datasets"]["valeurs"]) == 18


def test_un_seul_territoire():
    c = carte("part_65_ans_et_plus", niveau="departement", codes=["23"])
    assert len(c.valeurs) == 1 and c.selection
    assert "isValid(datum.c0)" in json.dumps(c.specification("url"))


def test_code_ancien_dans_la_selection():
    with pytest.warns(AvertissementCodeAncien):
        c = carte("population", niveau="commune", codes=["75115"])
    assert c.valeurs["code"].tolist() == ["75056"]


def test_selection_hors_de_france():
    with pytest.raises(CodeTerritoireInconnu, match="Code de commune inconnu"):
        carte("population", niveau="commune", codes=["99123"])


def test_valeurs_toutes_manquantes():
    with pytest.raises(ResultatVide, match="aucune valeur pour les territoires demandés"):
        carte("nb_lieux_mediation_numerique", niveau="departement", codes=["29"])


def test_mauvaises_demandes():
    with pytest.raises(IndicateurInconnu, match="Vouliez-vous dire"):
        carte("part_65_ans", niveau="departement")
    with pytest.raises(IndicateurNonDisponible, match="Niveaux cartographiables"):
        carte("population", niveau="canton")
    with pytest.raises(IndicateurNonDisponible, match="Millésimes disponibles"):
        carte("population", millesime=2021)
    with pytest.raises(IndicateurNonDisponible, match="classe de commune"):
        carte("zonage_abc", niveau="departement")


def test_export_png_svg_html_csv_parquet(dossier_temporaire):
    c = carte("part_65_ans_et_plus", niveau="departement")
    png = c.exporter(dossier_temporaire / "carte.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    svg = c.exporter(dossier_temporaire / "carte.svg").read_text(encoding="utf-8")
    assert "Source : Insee, RP 2021" in svg and "Creuse" not in svg[:0]
    html = c.exporter(dossier_temporaire / "carte.html").read_text(encoding="utf-8")
    assert "<script" in html and "cdn.jsdelivr" not in html and "https://cdn" not in html
    csv = pd.read_csv(c.exporter(dossier_temporaire / "carte.csv"), dtype={"code": str})
    assert csv["source"].str.contains("millésime 2021").all() and "2A" in set(csv["code"])
    import geopandas as gpd

    g = gpd.read_parquet(c.exporter(dossier_temporaire / "carte.parquet"))
    assert len(g) == 101 and "source" in g.columns


def test_export_format_inconnu(dossier_temporaire):
    with pytest.raises(ValueError, match="Format d'export inconnu"):
        carte("population", niveau="region").exporter(dossier_temporaire / "carte.pdf")


def test_vue_liee():
    spec = vue_liee("part_65_ans_et_plus", "evolution_population_annuelle",
                    millesime={"evolution_population_annuelle": "2016-2023"}).to_dict()
    noms = {p["name"] for p in spec.get("params", [])}
    texte = json.dumps(spec)
    assert "clic" in texte and "zone" in texte and "recherche" in noms


def test_explorateur():
    w = explorateur(["part_65_ans_et_plus", "population"], niveau="region")
    menus = w.children[0].children
    assert [m.description for m in menus] == ["Indicateur", "Niveau", "Millésime"]
    menus[0].value = "population"
    assert menus[2].value == "2023"
