"""Zonages d'étude de l'Insee (AAV 2020, UU 2020, BV 2022, ZE 2020) : commune → zone, regroupements.

Fixtures fictives au schéma déclaré (classeur xlsx, onglet Composition_communale,
en-tête à la ligne 6), écrites par ``tests/fixtures/connecteurs/generer.py``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import territoire_lib as tl
from territoire_lib import connecteurs
from territoire_lib.connecteurs import commun, zonages
from test_connecteurs import FICHIERS, cache_fixtures, cache_vide  # noqa: F401 (fixtures pytest)

FIXTURES = Path(__file__).parent / "fixtures" / "connecteurs"


def _zonage(z):
    return zonages.analyser(z, FIXTURES / FICHIERS[zonages.ZONAGES[z][0]]).set_index("code_commune")


def test_aav_categories_hors_attraction_et_fusion_a_cheval():
    t = _zonage("aav2020")
    assert len(t) == len(tl.territoires("commune"))
    assert t.loc["01053", ["code_aav2020", "nom_aav2020", "categorie_aav2020"]].tolist() == [
        "045", "Bourg-en-Bresse", "pôle"]
    assert t.loc["01001", "categorie_aav2020"] == "couronne"
    assert pd.isna(t.loc["01002", "code_aav2020"])  # hors attraction : pas une zone
    assert t.loc["01002", "categorie_aav2020"] == "hors attraction des villes"
    r = t.attrs["rapport"]
    assert r["communes_a_cheval"] == ["01165"]  # 01070 (couronne) + 01165 (hors attraction) : jamais tranché
    assert pd.isna(t.loc["01165", "code_aav2020"]) and pd.isna(t.loc["01165", "categorie_aav2020"])
    assert r["codes_non_apparies"] == ["99999"] and "75056" not in r["communes_absentes_du_zonage"]


def test_uu_statut_et_hors_unite_urbaine():
    t = _zonage("uu2020")
    assert t.loc["01053", ["code_uu2020", "statut_uu2020"]].tolist() == ["01701", "ville-centre"]
    assert pd.isna(t.loc["01001", "code_uu2020"]) and t.loc["01001", "statut_uu2020"] == "hors unité urbaine"


def test_categorie_inconnue_refusee(tmp_path):
    import sys

    sys.path.insert(0, str(FIXTURES))
    from generer import classeur_insee, ecrire_zip_classeur

    src = commun.source_web("insee_aav2020")
    entete = list(src.schema)
    ligne = ["01053", "Bourg", "045", "Bourg-en-Bresse", "99", "01", "84"]
    chemin = tmp_path / "aav.zip"
    ecrire_zip_classeur(chemin, "AAV2020_au_01-01-2025.xlsx",
                        classeur_insee({"Composition_communale": (entete, [ligne])}))
    with pytest.raises(commun.FichierWebNonConforme, match="catégories CATEAAV2020 inconnues : \\['99'\\]"):
        zonages.analyser("aav2020", chemin)


def test_onglet_absent_refuse(tmp_path):
    import sys

    sys.path.insert(0, str(FIXTURES))
    from generer import classeur_insee, ecrire_zip_classeur

    chemin = tmp_path / "ze.zip"
    ecrire_zip_classeur(chemin, "ZE2020_au_01-01-2025.xlsx", classeur_insee({"ZE2020": (["ZE2020"], [["8201"]])}))
    with pytest.raises(commun.FichierWebNonConforme, match="onglet « Composition_communale »"):
        zonages.analyser("ze2020", chemin)


@pytest.mark.parametrize("niveau", ["aav2020", "categorie_aav2020", "uu2020", "statut_uu2020", "bv2022", "ze2020"])
def test_regroupements_d_indicateurs(cache_fixtures, niveau):
    df = tl.indicateurs(["population", "part_65_ans_et_plus"], niveau=niveau)
    assert df.index.name == niveau and len(df) >= 1
    com = tl.indicateurs("population", codes=["01053", "01001", "75056"])["population"]
    if niveau in ("aav2020", "bv2022", "ze2020"):
        code = {"aav2020": "045", "bv2022": "01053", "ze2020": "8201"}[niveau]
        assert df.loc[code, "population"] == com.loc["01053"] + com.loc["01001"]  # somme des communes
    if niveau == "categorie_aav2020":
        assert set(df.index) <= {"pôle", "couronne", "hors attraction des villes"}
        assert df.loc["pôle", "population"] == com.loc["01053"] + com.loc["75056"]


def test_ratio_recalcule_depuis_les_sommes(cache_fixtures):
    t = tl.chargement.table_communes().set_index("code_commune").loc[["01053", "01001"]]
    attendu = 100 * t["population_65_ans_et_plus"].sum() / t["population_rp2021"].sum()
    assert tl.indicateur("part_65_ans_et_plus").agregation["denominateur"] == "population_rp2021"
    df = tl.indicateurs("part_65_ans_et_plus", niveau="aav2020")
    assert df.loc["045", "part_65_ans_et_plus"] == pytest.approx(attendu)  # jamais une moyenne de taux


def test_zonage_absent_du_cache_message(cache_vide):
    from territoire_lib.erreurs import IndicateurNonDisponible

    with pytest.raises(IndicateurNonDisponible, match="telecharger insee_aav2020"):
        tl.indicateurs("population", niveau="aav2020")


def test_indicateurs_en_ligne_telecharge_le_zonage(cache_fixtures, capsys):
    df = connecteurs.indicateurs_en_ligne("population", niveau="ze2020")
    assert df is not None and "8201" in df.index


def test_contours_des_zones_par_fusion(cache_fixtures):
    g = zonages.geometries_zonage("bv2022").set_index("code_bv2022")
    assert g.loc["01053", "nb_communes"] == 2 and g.crs.to_epsg() == 4326
    com = tl.geometries("commune").set_index("code_commune").loc[["01053", "01001"]]
    assert g.loc["01053", "geometry"].area == pytest.approx(com.geometry.union_all().area, rel=1e-6)
