"""L'API de chargement, telle qu'un analyste l'appelle, et ses erreurs en français."""
from __future__ import annotations


import pytest

import territoire_lib as tl
from territoire_lib.erreurs import (
    CodeTerritoireInconnu,
    DonneesAlterees,
    DonneesManquantes,
    IndicateurInconnu,
    IndicateurNonDisponible,
    NiveauInconnu,
    ResultatVide,
)
from territoire_lib.geographie import AvertissementCodeAncien

NIVEAUX = ["commune", "epci", "departement", "region"]


@pytest.mark.parametrize("niveau", NIVEAUX)
def test_tous_les_indicateurs_agregeables_a_tous_les_niveaux(niveau):
    ids = [i for i in tl.catalogue()["id"] if (tl.indicateur(i).agregeable or niveau == "commune")
           and not tl.indicateur(i).source_web]  # sources en ligne : tests/test_connecteurs.py
    df = tl.indicateurs(ids, niveau=niveau)
    assert list(df.columns[1:]) == ids
    assert len(df) == len(tl.territoires(niveau))
    vides = [i for i in ids if df[i].isna().all()]
    assert not vides, f"indicateurs entièrement vides au niveau {niveau} : {vides}"


@pytest.mark.parametrize("regroupement", ["degurba", "nature_epci", "zonage_abc", "taille_commune"])
def test_regroupements(regroupement):
    df = tl.indicateurs(["population", "part_65_ans_et_plus"], niveau=regroupement)
    assert 2 <= len(df) <= 10
    assert df["population"].sum() == pytest.approx(tl.indicateurs("population", niveau="region")["population"].sum(), rel=0.01)


def test_tous_les_millesimes():
    for i in tl.catalogue()["id"]:
        ind = tl.indicateur(i)
        if ind.source_web:  # sources en ligne : tests/test_connecteurs.py
            continue
        for m in ind.millesimes:
            if ind.agregeable:
                assert tl.indicateurs(i, niveau="departement", millesime=m)[i].notna().sum() > 0, (i, m)


def test_codes_en_chaines():
    t = tl.territoires("commune")
    assert t["code_commune"].map(type).eq(str).all()
    assert {"01001", "2A004", "97101"} <= set(t["code_commune"])
    assert len(t) == 34875


def test_geometries_tous_niveaux():
    for niveau in NIVEAUX:
        g = tl.geometries(niveau)
        assert g.crs.to_epsg() == 4326
        assert len(g) == len(tl.territoires(niveau))
        manquantes = g.geometry.isna() | g.geometry.is_empty
        if niveau == "commune":
            # 8 communes sans contour dans la source : signalées, jamais retirées
            signalees = set(tl.indicateurs("surface").query("surface.isna()", engine="python").index)
            assert set(g.loc[manquantes, "code_commune"]) <= signalees
            assert manquantes.sum() <= 8
        else:
            assert not manquantes.any()


def test_niveau_inconnu():
    with pytest.raises(NiveauInconnu, match="Niveaux valides"):
        tl.indicateurs("population", niveau="canton")


def test_indicateur_inconnu():
    with pytest.raises(IndicateurInconnu, match="Vouliez-vous dire"):
        tl.indicateurs("part_65_ans")


def test_millesime_indisponible():
    with pytest.raises(IndicateurNonDisponible, match="Millésimes disponibles"):
        tl.indicateurs("population", millesime=2021)


def test_code_inconnu_suggere():
    with pytest.raises(CodeTerritoireInconnu, match="Codes proches"):
        tl.code_courant("01999")


def test_code_ancien_traduit_avec_avertissement():
    from territoire_lib.geographie import passage_cog

    p = passage_cog()
    ligne = p[p["nature"] == "ancien code (fusion)"].drop_duplicates("ancien_code", keep=False).iloc[0]
    with pytest.warns(AvertissementCodeAncien, match="n'est plus en vigueur"):
        assert tl.code_courant(ligne["ancien_code"]) == ligne["code_commune"]


def test_arrondissement_municipal_traduit():
    with pytest.warns(AvertissementCodeAncien, match="75056"):
        assert tl.code_courant("75115") == "75056"


def test_code_sans_zero_initial():
    assert tl.code_courant("1001") == "01001"


def test_resultat_vide_explicite():
    with pytest.raises(ResultatVide):
        tl.indicateurs("population", niveau="commune", codes=[])


def test_fichier_manquant(donnees_copiees):
    (donnees_copiees / "indicateurs" / "communes.parquet").unlink()
    with pytest.raises(DonneesManquantes, match="python -m territoire_lib.construction construire"):
        tl.indicateurs("population")


def test_fichier_altere(donnees_copiees):
    chemin = donnees_copiees / "indicateurs" / "communes.parquet"
    chemin.write_bytes(chemin.read_bytes()[:1000])  # tronqué
    with pytest.raises(DonneesAlterees, match="altéré ou tronqué"):
        tl.indicateurs("population")


def test_manifeste_manquant(donnees_copiees):
    (donnees_copiees / "manifest.json").unlink()
    with pytest.raises(DonneesManquantes, match="manifest"):
        tl.indicateurs("population")


def test_chercher_territoire():
    r = tl.chercher_territoire("Lyon")
    assert r.iloc[0]["code"] == "69123"
    assert tl.chercher_territoire("bouches du rhone", niveau="departement").iloc[0]["code"] == "13"


def test_chercher_territoire_rien():
    with pytest.raises(ResultatVide, match="Aucun territoire"):
        tl.chercher_territoire("zzzzzzzzzz", niveau="region")
