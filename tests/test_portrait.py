"""Portrait de territoire : recherche, fiche, voisins, cartes et export autonome."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from territoire_lib import portrait as pt
from territoire_lib.analyses import position
from territoire_lib.erreurs import NiveauInconnu, ResultatVide


def test_trouver_par_nom_sans_accent_ni_casse():
    t = pt.trouver_territoire("SAINT-ETIENNE")
    assert (t["niveau"], t["code"]) == ("commune", "42218")


def test_ancien_code_et_epci_2020_avec_note():
    assert "arrondissement municipal" in pt.trouver_territoire("75112")["note"]
    t = pt.trouver_territoire("CC du Pays de Lunel")
    assert t["code"] == "243400520" and "1er janvier 2020" in t["note"]


def test_homonymes_signales():
    t = pt.trouver_territoire("Paris")
    assert t["niveau"] == "departement" and "commune 75056" in t["note"]
    assert pt.trouver_territoire("Paris", niveau="commune")["code"] == "75056"


def test_niveau_inconnu():
    with pytest.raises(NiveauInconnu):
        pt.trouver_territoire("Lyon", niveau="canton")


def test_rien_trouve():
    with pytest.raises(ResultatVide):
        pt.trouver_territoire("zzzzzzzzzzzz", niveau="region")


def test_fiche_coherente_avec_position():
    f = pt.fiche_portrait("23", "departement").set_index("indicateur")
    p = position("23", ["part_65_ans_et_plus", "densite_population"], niveau="departement")
    for i in p.index:
        assert f.loc[i, "valeur"] == pytest.approx(p.loc[i, "valeur"])
        assert f.loc[i, "rang"] == p.loc[i, "rang"]
        assert f.loc[i, "france"] == pytest.approx(p.loc[i, "france"])
    assert f.loc["part_65_ans_et_plus", "classe"] == "France métropolitaine"
    assert f.loc["part_65_ans_et_plus", "rang_classe"] == 1


def test_fiche_epci_classe_nature():
    f = pt.fiche_portrait("244400404", "epci").set_index("indicateur")  # Nantes Métropole
    assert f.loc["population", "classe"] == "Métropoles"
    assert f.loc["population", "sur_classe"] < f.loc["population", "sur"]
    # « France » : la valeur de la France (le total pour un effectif), la médiane est à part
    import territoire_lib as tl

    total = tl.indicateurs("population", niveau="zone")["population"].sum()
    assert f.loc["population", "france"] == pytest.approx(total)
    assert f.loc["population", "mediane"] < f.loc["population", "france"] / 100


def test_fiche_commune_oui_non_sans_rang():
    f = pt.fiche_portrait("25056", "commune").set_index("indicateur")
    assert f.loc["mairie_site_web", "lecture"] in ("oui", "non")
    assert f.loc["mairie_site_web", "rang"] is pd_na()
    assert f.loc["population", "classe"] == "Villes (centres urbains)"
    assert set(pt.THEMES) >= set(f["theme"])


def pd_na():
    import pandas as pd

    return pd.NA


def test_valeur_manquante_jamais_zero():
    f = pt.fiche_portrait("25056", "commune").set_index("indicateur")  # hors couverture de la médiation
    assert np.isnan(f.loc["lieux_mediation_pour_10000_hab", "valeur"])
    assert "non couvert" in f.loc["lieux_mediation_pour_10000_hab", "lecture"]


def test_mediation_non_couverte_hors_auvergne_rhone_alpes():
    # Besançon (hors région) : jamais comparé à des valeurs d'Auvergne-Rhône-Alpes
    f = pt.fiche_portrait("25", "departement").set_index("indicateur")
    for i in ("distance_lieu_mediation", "lieux_mediation_pour_10000_hab"):
        assert "non couvert" in f.loc[i, "lecture"]
        assert np.isnan(f.loc[i, "france"]) and np.isnan(f.loc[i, "valeur_classe"]) and pd_na() is f.loc[i, "rang"]
    g = pt.fiche_portrait("63", "departement").set_index("indicateur")  # Puy-de-Dôme, dans la région
    assert not np.isnan(g.loc["distance_lieu_mediation", "valeur"]) and np.isnan(g.loc["distance_lieu_mediation", "france"])


def test_centile_median_des_ex_aequo():
    import pandas as pd

    # une valeur partagée par la majorité n'est pas au centile 0
    rang, sur, centile = pt._position(pd.Series([0.0] * 6 + [1.0, 2.0, 3.0, 4.0]), 0.0)
    assert (rang, sur, centile) == (5, 10, 30.0)
    f = pt.fiche_portrait("25056", "commune").set_index("indicateur")
    assert "centile" in f.loc["part_65_ans_et_plus", "lecture"]


def test_voisins_contigus_et_ile():
    assert pt.voisins("90", "departement") == ["25", "68", "70", "88"]  # les Vosges touchent par un point
    assert pt.voisins("29083", "commune") == []


def test_ancien_code_traduit_avec_avertissement():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert pt.voisins("75115", "commune") == pt.voisins("75056", "commune")
    assert any("n'est plus en vigueur" in str(x.message) for x in w)


def test_topojson_reduit_garde_les_arcs_utiles():
    from territoire_lib.cartes import _topojson

    topo = _topojson("departement")
    r = pt.topojson_reduit(topo, "departement", {"25", "39"})
    assert len(r["objects"]["departement"]["geometries"]) == 2
    assert 0 < len(r["arcs"]) < len(topo["arcs"])


def test_carte_voisinage_entoure_le_territoire():
    c = pt.carte_voisinage("90", "departement", "part_65_ans_et_plus")
    params = {p["name"]: p.get("value") for p in c.specification()["params"]}
    assert params["recherche"] == "^Territoire\\ de\\ Belfort$"
    assert "ses voisins" in params["titres"]["0"]
    assert c.options[0].methode == "quintiles de France"


def test_section_modele():
    assert "intercommunalités et les communes seulement" in pt._section_modele("25", "departement")
    toulouse = pt._section_modele("243100518", "epci")
    # les sept scores et leur stabilité, jamais un « modèle le plus proche » comme verdict
    assert all(m["nom"] in toulouse for m in __import__("territoire_lib.modeles").modeles.profils_modeles())
    assert "Domine dans" in toulouse and "modèle le plus proche" not in toulouse
    assert "au-dessus de la médiane" in toulouse
    assert "Non disponible" in pt._section_modele("200050532", "epci")  # Mayotte : recensement absent
    page = pt.portrait("Toulouse Métropole", "epci")._repr_html_()
    assert "scores et stabilité" in page and "modèle le plus proche" not in page


def test_export_html_autonome_et_png(tmp_path):
    p = pt.portrait("Territoire de Belfort")
    chemins = p.exporter(tmp_path, ids_carte=["part_65_ans_et_plus"])
    page = chemins["html"].read_text(encoding="utf-8")
    assert "cdn" not in page.lower().replace("cdnjs", "") or "https://cdn" not in page
    assert "https://cdn.jsdelivr" not in page and "<script src=" not in page
    assert "vegaEmbed" in page and "Source : Insee" in page and "millésime" in page
    assert chemins["positions.png"].read_bytes()[:4] == b"\x89PNG"
    assert chemins["carte_part_65_ans_et_plus.png"].stat().st_size > 1000
    assert "Licences des données" in page


def test_ancien_nom_de_commune_accepte_avec_une_note():
    t = pt.trouver_territoire("Bâgé-la-Ville")
    assert (t["niveau"], t["code"]) == ("commune", "01025")
    assert "ancienne commune" in t["note"] and "01025" in t["note"]
