"""Affichage des tableaux à la française dans un noyau IPython : entiers avec espace fine, codes intacts."""
from __future__ import annotations

import types

import pandas as pd
import pytest

from territoire_lib import format as fmt

FINE = fmt.ESPACE_FINE


@pytest.fixture
def noyau(monkeypatch):
    """Un faux noyau IPython (``get_ipython()`` non nul) muni des formateurs d'affichage d'IPython."""
    IPython = pytest.importorskip("IPython")
    from IPython.core.formatters import DisplayFormatter

    shell = types.SimpleNamespace(display_formatter=DisplayFormatter())
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    fmt.affichage_francais()
    yield shell.display_formatter
    pd.reset_option("display.float_format")


@pytest.fixture
def communes():
    return pd.DataFrame({"code_epci": ["200072007", "248200099"], "communes": [34807, 12],
                         "population": [8372, 1_250_000], "part": [23.3, 0.5], "annee": [2021, 2022],
                         "rurale": [True, False]},
                        index=pd.Index(["91228", "75056"], name="code_commune"))


def test_entiers_a_la_francaise_texte_et_html(noyau, communes):
    donnees, _ = noyau.format(communes)
    for rendu in (donnees["text/plain"], donnees["text/html"]):
        assert f"34{FINE}807" in rendu and f"8{FINE}372" in rendu and f"1{FINE}250{FINE}000" in rendu
        assert "34807" not in rendu and "8372" not in rendu
        assert "23,3" in rendu  # les flottants gardent display.float_format
        assert "2021" in rendu  # une année reste une année
        assert "True" in rendu


def test_codes_officiels_jamais_formates(noyau, communes):
    """Codes commune et EPCI (chaînes, en index ou en colonne) : tels quels, même à 5 ou 9 chiffres."""
    donnees, _ = noyau.format(communes)
    for rendu in (donnees["text/plain"], donnees["text/html"]):
        assert "91228" in rendu and "75056" in rendu and "200072007" in rendu and "248200099" in rendu
        assert f"91{FINE}228" not in rendu and f"200{FINE}072{FINE}007" not in rendu
    serie = pd.Series(["91228"], index=["200072007"], name="code")
    texte = noyau.format(serie)[0]["text/plain"]
    assert texte == repr(serie) and FINE not in texte


def test_serie_entiere_garde_son_dtype(noyau):
    serie = pd.Series([34875, 415], index=["lus", "absents"], name="communes")
    texte = noyau.format(serie)[0]["text/plain"]
    assert f"34{FINE}875" in texte and texte.endswith("Name: communes, dtype: int64")


def test_options_d_affichage_respectees(noyau):
    grand = pd.DataFrame({"n": range(10_000, 10_200)})
    with pd.option_context("display.max_rows", 20, "display.min_rows", 6):
        texte = noyau.format(grand)[0]["text/plain"]
        html = noyau.format(grand)[0]["text/html"]
        attendu = repr(fmt.entiers_francais(grand))
    assert texte == attendu and "[200 rows x 1 columns]" in texte
    assert f"10{FINE}000" in texte and f"10{FINE}199" in texte and "..." in texte
    assert len(texte.splitlines()) == 1 + 6 + 1 + 2  # en-tête, 6 lignes, « ... », ligne vide + dimensions
    assert f"10{FINE}199" in html and "200 rows" in html


def test_entiers_nullables(noyau):
    df = pd.DataFrame({"n": pd.array([1500, None], dtype="Int64")})
    assert f"1{FINE}500" in noyau.format(df)[0]["text/plain"]
    assert "n.d." in noyau.format(df)[0]["text/plain"]


def test_hors_ipython_rien_ne_change(monkeypatch, communes):
    IPython = pytest.importorskip("IPython")
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    fmt.affichage_francais()
    try:
        assert "34807" in repr(communes) and "34807" in communes.to_html()
    finally:
        pd.reset_option("display.float_format")


def test_donnees_inchangees(communes):
    avant = communes.copy()
    vue = fmt.entiers_francais(communes)
    pd.testing.assert_frame_equal(communes, avant)
    assert vue["communes"].tolist() == [f"34{FINE}807", "12"]
    sans_entier = communes[["code_epci", "part"]]
    assert fmt.entiers_francais(sans_entier) is sans_entier
