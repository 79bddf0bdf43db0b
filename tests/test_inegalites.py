"""Tests des mesures d'inégalité et de concentration (territoire_lib.inegalites)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from territoire_lib import inegalites as ie


# --- Cas calculables à la main -------------------------------------------------------------

def test_valeurs_egales_gini_et_theil_nuls():
    s = pd.Series([7.0] * 6)
    assert ie.gini(s) == pytest.approx(0.0, abs=1e-12)
    assert ie.theil(s) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n", [2, 5, 10])
def test_un_seul_detient_tout(n):
    s = pd.Series([0.0] * (n - 1) + [100.0])
    assert ie.gini(s) == pytest.approx((n - 1) / n)
    assert ie.theil(s) == pytest.approx(math.log(n))


def test_valeurs_manquantes_ignorees():
    s = pd.Series([1.0, 2.0, np.nan, 3.0])
    assert ie.gini(s) == pytest.approx(ie.gini(pd.Series([1.0, 2.0, 3.0])))
    # Gini de (1, 2, 3) : somme des |xi - xj| / (2 n² moyenne) = 8 / (2 * 9 * 2)
    assert ie.gini(s) == pytest.approx(8 / 36)


@pytest.mark.parametrize("valeurs, message", [
    ([1.0], "au moins 2"),
    ([np.nan, 3.0], "au moins 2"),
    ([1.0, -2.0], "négative"),
    ([0.0, 0.0], "nulles"),
])
def test_erreurs_en_francais(valeurs, message):
    with pytest.raises(ValueError, match=message):
        ie.gini(pd.Series(valeurs))
    with pytest.raises(ValueError, match=message):
        ie.theil(pd.Series(valeurs))


def test_decomposition_somme_au_total():
    v = pd.Series([1.0, 4.0, 2.0, 10.0, 30.0, 5.0, np.nan], index=list("abcdefg"))
    g = pd.Series(["x", "x", "y", "y", "z", None, "z"], index=list("abcdefg"))
    d = ie.decomposition_theil(v, g)
    assert list(d.index) == ["total", "entre groupes", "intra-groupes"]
    assert d.attrs["nb_ecartes"] == 2
    assert d.loc["entre groupes", "valeur"] + d.loc["intra-groupes", "valeur"] == pytest.approx(
        d.loc["total", "valeur"])
    assert d.loc["total", "part_%"] == pytest.approx(100.0)
    assert d.loc[["entre groupes", "intra-groupes"], "part_%"].sum() == pytest.approx(100.0)
    # Total = Theil des 5 lignes complètes.
    assert d.loc["total", "valeur"] == pytest.approx(ie.theil(v[list("abcde")]))
    assert (d["valeur"] >= -1e-12).all()


def test_decomposition_un_groupe_tout_intra():
    v = pd.Series([1.0, 2.0, 3.0])
    d = ie.decomposition_theil(v, pd.Series(["u"] * 3))
    assert d.loc["entre groupes", "valeur"] == pytest.approx(0.0, abs=1e-12)
    assert d.loc["intra-groupes", "part_%"] == pytest.approx(100.0)


def test_rang_taille_gabaix_ibragimov_exact():
    # Tailles exactement proportionnelles à 1/(rang − ½) : ln(rang − ½) = ln C − ln(taille), ζ = 1.
    codes = [f"{i:05d}" for i in range(1, 201)]
    s = pd.Series([1e6 / (k - 0.5) for k in range(1, 201)], index=codes).sample(frac=1, random_state=0)
    s = pd.concat([s, pd.Series({"99998": 0.0, "99999": np.nan})])
    r = ie.rang_taille(s)
    assert r["exposant"] == pytest.approx(1.0, abs=1e-9)
    assert r["pente"] == pytest.approx(-1.0, abs=1e-9)
    assert r["ordonnee"] == pytest.approx(math.log(1e6), abs=1e-9)
    assert r["r2"] == pytest.approx(1.0)
    assert r["n"] == 200 and r["nb_ecartes"] == 2
    # Erreur type de Gabaix et Ibragimov (2011) : ζ √(2/n).
    assert r["erreur_type"] == pytest.approx(math.sqrt(2 / 200))
    assert r["ic95"][0] < 1 < r["ic95"][1]
    p = r["points"]
    assert list(p.columns) == ["rang", "taille", "code"]
    assert p["rang"].tolist() == list(range(1, 201))
    assert p["code"].iloc[0] == "00001" and p["taille"].is_monotonic_decreasing
    assert ie.rang_taille(s, n_max=10)["n"] == 10
    assert ie.rang_taille(s, taille_min=1e6 / 99.5)["n"] == 100


def test_rang_taille_contre_calcul_direct():
    # Calcul direct par numpy (moindres carrés) sur une série quelconque.
    rng = np.random.default_rng(1)
    s = pd.Series(rng.pareto(1.2, 500) + 1)
    r = ie.rang_taille(s)
    t = np.sort(s.to_numpy())[::-1]
    b, a = np.polyfit(np.log(t), np.log(np.arange(1, 501) - 0.5), 1)
    assert r["pente"] == pytest.approx(b) and r["ordonnee"] == pytest.approx(a)
    assert r["erreur_type"] == pytest.approx(abs(b) * math.sqrt(2 / 500))


def test_rang_taille_trop_peu_de_points():
    with pytest.raises(ValueError, match="au moins 3"):
        ie.rang_taille(pd.Series([10.0, 0.0, 5.0]))


def test_niveau_et_groupes_invalides():
    with pytest.raises(ValueError, match="Niveau inconnu"):
        ie.concentration_par_millesime("canton")
    with pytest.raises(KeyError, match="colonne"):
        ie.concentration_par_millesime("commune", groupes="pas_une_colonne")
    with pytest.raises(ValueError, match="varie"):
        ie.concentration_par_millesime("epci", groupes="code_departement")


@pytest.mark.parametrize("groupes", ["degurba_niveau1_libelle", "nature_epci", "taille_commune"])
def test_groupes_definis_par_la_taille_refuses(groupes):
    # Décomposer des tailles selon des groupes définis par la taille est circulaire.
    with pytest.raises(ie.GroupesCirculaires, match="par construction"):
        ie.concentration_par_millesime("commune", millesimes=[2023], groupes=groupes)


# --- Données réelles (donnees/ construites) ------------------------------------------------

def test_concentration_communes_reelle():
    c = ie.concentration_par_millesime("commune", groupes="code_region")
    assert list(c.index) == [2016, 2019, 2020, 2022, 2023]
    assert c["nb_territoires"].nunique() == 1 and c["nb_territoires"].iloc[0] > 34_000
    assert 0.6 < c.loc[2023, "gini"] < 0.95
    somme = c["theil_entre_groupes"] + c["theil_intra_groupes"]
    assert np.allclose(somme, c["theil"])
    assert np.allclose(c["part_entre_groupes_%"] + c["part_intra_groupes_%"], 100)
    assert c.attrs["rapport"]["nb_mayotte_ecartees"] > 0


def test_concentration_epci_reelle():
    c = ie.concentration_par_millesime("epci", millesimes=[2016, 2023])
    assert c["nb_territoires"].iloc[0] > 1_200
    assert c["gini"].between(0.4, 0.9).all()
    assert c.loc[2023, "population"] > 60e6


def test_part_population_metropoles_reelle():
    p = ie.part_population_metropoles()
    assert p.index.tolist() == [2016, 2019, 2020, 2022, 2023]
    assert p.between(25, 45).all()
    assert p.loc[2023] > p.loc[2016]


def test_zipf_epci_reel():
    import territoire_lib as tl

    pop = tl.indicateurs("population", niveau="epci", millesime=2023)["population"]
    r = ie.rang_taille(pop)
    assert 0.7 < r["exposant"] < 1.3
    assert r["r2"] > 0.8
    assert r["erreur_type"] == pytest.approx(r["exposant"] * math.sqrt(2 / r["n"]))
