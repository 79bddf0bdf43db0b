"""Tests du moteur d'indicateurs composites (territoire_lib.indices), contre des calculs directs."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata, zscore

from territoire_lib import indices as ix


@pytest.fixture
def valeurs():
    rng = np.random.default_rng(0)
    v = pd.DataFrame(rng.normal(size=(60, 4)), columns=list("abcd"), index=[f"t{i:02d}" for i in range(60)])
    v.loc["t03", "b"] = np.nan
    v["d"] = np.round(v["d"])  # beaucoup d'ex aequo
    return v


def test_normalisations_contre_scipy(valeurs):
    x = valeurs["d"]
    attendu = (rankdata(x, method="average") - 0.5) / len(x)  # rang moyen des ex aequo (mid-rank)
    assert np.allclose(ix.normaliser(x, "rang"), attendu)
    assert np.allclose(ix.normaliser(x, "zscore"), zscore(x, ddof=1))
    mm = ix.normaliser(x, "minmax")
    assert mm.min() == 0 and mm.max() == 1
    # Valeurs manquantes gardées, n = valeurs renseignées.
    b = ix.normaliser(valeurs["b"], "rang")
    assert np.isnan(b["t03"]) and b.max() == pytest.approx((59 - 0.5) / 59)
    with pytest.raises(ValueError, match="Normalisation inconnue"):
        ix.normaliser(x, "log")


def test_egalites_au_rang_moyen():
    # « 0 lycée » pour la moitié des territoires : centile 0,25, pas 0.
    x = pd.Series([0.0] * 50 + list(range(1, 51)), dtype=float)
    n = ix.normaliser(x, "rang")
    assert n.iloc[0] == pytest.approx(0.25)


def test_orientation_et_agregation(valeurs):
    profil = {"a": (1, 2.0), "b": (-1, 1.0), "c": (1, 1.0)}
    t = ix.indice_composite(valeurs, profil, "minmax")
    brut = ix.normaliser(valeurs[["a", "b", "c"]], "minmax")
    attendu = (2 * brut["a"] + (1 - brut["b"]) + brut["c"]) / 4
    ok = valeurs["b"].notna()
    assert np.allclose(t.loc[ok, "indice"], attendu[ok])
    # Composante manquante : moyenne des autres (3/4 du poids renseigné ≥ 2/3).
    assert t.loc["t03", "indice"] == pytest.approx((2 * brut.loc["t03", "a"] + brut.loc["t03", "c"]) / 3)
    assert np.isnan(ix.agreger(brut, {"a": 1.0, "b": 3.0}).loc["t03"])  # 1/4 seulement renseigné


def test_correlations_orientees(valeurs):
    c = ix.correlations(valeurs, {"a": (1, 1.0), "b": (-1, 1.0)})
    assert c.loc["a", "b"] == pytest.approx(-valeurs[["a", "b"]].corr(method="spearman").loc["a", "b"])


def test_etiquettes_apres_standardisation():
    # « a » a des scores plus élevés partout, « b » plus dispersés : sans standardisation, « a » gagne toujours.
    s = pd.DataFrame({"a": [60.0, 61.0, 62.0, 63.0], "b": [0.0, 10.0, 40.0, 50.0]})
    assert ix.etiquettes(s, standardise=False).tolist() == ["a"] * 4
    z = ix.standardiser(s)
    assert np.allclose(z.mean(), 0) and np.allclose(z.std(ddof=1), 1)
    assert ix.etiquettes(s).tolist() == list(z.idxmax(axis=1))
    manque = pd.DataFrame({"a": [1.0, np.nan, 3.0, 2.0], "b": [0.0, 2.0, 1.0, 5.0]})
    assert ix.etiquettes(manque).isna().tolist() == [False, True, False, False]


def test_incertitude_un_indice(valeurs):
    profil = {"a": (1, 1.0), "b": (-1, 1.0), "c": (1, 1.0)}
    r = ix.analyse_incertitude(valeurs, profil)
    # 3 normalisations × (1 + 3 exclusions) × 2 pondérations, référence comprise.
    assert r.resume["nb_scenarios"] == 24 and len(r.scenarios) == 23
    assert r.scenarios["part_changement_%"].between(0, 100).all()
    # Recalcul direct d'un scénario : sans « c », min-max, poids égaux.
    ref = ix.classes_quantiles(ix.indice_composite(valeurs, profil)["indice"])
    sc = ix.classes_quantiles(ix.indice_composite(valeurs, {"a": (1, 1.0), "b": (-1, 1.0)}, "minmax")["indice"])
    attendu = 100 * (sc.fillna(-1) != ref)[ref.notna()].mean()  # perdre sa classe compte comme un changement
    assert r.scenarios.loc["minmax | sans c | poids égaux", "part_changement_%"] == pytest.approx(attendu)
    t = r.territoires
    assert (t["rang_min"] <= t["rang_reference"]).all() and (t["rang_reference"] <= t["rang_max"]).all()
    assert r.resume["part_stables_%"] == pytest.approx(100 * t["stable"].mean())
    # Territoires classés dans tous les scénarios : les fréquences somment à 100 %.
    assert np.allclose(r.frequences.drop(index="t03").sum(axis=1), 100)


def test_incertitude_indices_concurrents(valeurs):
    profils = {"x": {"a": (1, 1.0), "b": (1, 1.0)}, "y": {"c": (1, 1.0), "d": (-1, 2.0)}}
    r = ix.analyse_incertitude(valeurs, profils)
    assert set(r.territoires["reference"].dropna()) <= {"x", "y"}
    assert r.resume["nb_scenarios"] == 3 * 5 * 2
    # Une seule normalisation, sans exclusion ni autre pondération : aucun scénario ne diffère.
    with pytest.raises(ValueError, match="Pondération inconnue"):
        ix.analyse_incertitude(valeurs, profils, ponderations=("aléatoires",))
