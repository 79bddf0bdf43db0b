"""Vérité des chiffres : les agrégats de la bibliothèque comparés aux chiffres publiés par l'Insee.

Chaque valeur de référence vient d'une publication officielle lue (page insee.fr, Insee Flash,
Insee Analyses, tableaux « populations légales », ou organisme public qui cite l'Insee), avec son
titre, son adresse et sa date, dans ``tests/references_insee.toml``. Aucune n'est calculée à partir
des données du projet (ce serait circulaire).

Règles de comparaison
---------------------
- **Population municipale** (``population``) : égalité exacte. Les populations légales d'une région
  ou d'un département ne dépendent pas du découpage communal ; un écart d'un seul habitant est une
  commune manquante, comptée deux fois ou mal rattachée.
- **Parts RP 2021** (``part_65_ans_et_plus``, ``part_logements_vacants``,
  ``part_residences_secondaires``) : ± 0,1 point. La bibliothèque les recalcule en sommant des
  effectifs IRIS, qui sont des estimations non entières (pondération de l'échantillon du
  recensement) ; l'Insee publie la part arrondie au dixième. L'écart admis est donc l'arrondi de
  publication (0,05) plus une marge égale pour les écarts de sommation des IRIS.
- **Taux d'évolution annuel moyen** (``evolution_population_annuelle``) : ± la moitié de la dernière
  décimale publiée (± 0,005 point pour un taux publié au centième, ± 0,05 pour un taux publié au
  dixième) : c'est l'incertitude d'arrondi de la publication elle-même.

Un échec affiche en français le territoire, le millésime, la valeur attendue et sa publication, la
valeur obtenue et l'écart. Ces tests échouent tant que les agrégats sont des sommes partielles
(issue 14) : c'est voulu, ils mesurent ce qu'il reste à corriger.
"""
from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

from territoire_lib import indicateurs

__all__: list[str] = []

FICHIER = Path(__file__).with_name("references_insee.toml")
ESPACE_FINE = "\u202f"
NIVEAUX = {"region": "région", "departement": "département", "zone": "zone", "epci": "EPCI",
           "commune": "commune", "france_hors_mayotte": "ensemble"}
REGIONS_HORS_MAYOTTE = ("01", "02", "03", "04", "11", "24", "27", "28", "32", "44", "52", "53", "75",
                        "76", "84", "93", "94")
DOMAINES_ADMIS = ("insee.fr", "www.insee.fr", "statistiques-locales.insee.fr", "lamayenne.fr",
                  "www.paysdelaloire-eco.fr", "www.legifrance.gouv.fr")


def _charger() -> dict:
    with FICHIER.open("rb") as f:
        return tomllib.load(f)


REFERENCES = _charger()
SOURCES = {s["id"]: s for s in REFERENCES.get("source", [])}


def _nombre(x: float, decimales: int = 0) -> str:
    """Nombre à la française : virgule décimale, espace fine insécable pour les milliers.

    Exemples
    --------
    >>> _nombre(3737632)
    '3\\u202f737\\u202f632'
    >>> _nombre(-0.0254, 3)
    '−0,025'
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "non disponible (NaN)"
    texte = f"{abs(x):,.{decimales}f}".replace(",", ESPACE_FINE).replace(".", ",")
    return ("−" if x < 0 and float(f"{abs(x):.{decimales}f}") != 0 else "") + texte


def _citer(ref: dict) -> str:
    s = SOURCES[ref["source"]]
    return f"{s['editeur']}, « {s['titre']} » ({s['date']}), {s['url']}"


def _territoire(ref: dict) -> str:
    return f"{ref['nom']} ({NIVEAUX[ref['niveau']]} {ref['code']})"


@lru_cache(maxsize=None)
def _serie(indicateur: str, niveau: str, millesime) -> pd.Series:
    """Une colonne de :func:`territoire_lib.indicateurs`, gardée en cache pour la session."""
    df = indicateurs(indicateur, niveau=niveau, millesime=millesime)
    serie = df[indicateur].copy()
    serie.attrs = dict(df.attrs)
    return serie


def _motif(serie: pd.Series, code: str) -> str:
    """Motif éventuel d'une valeur absente, s'il est exposé dans ``attrs`` (format libre)."""
    if not serie.attrs:
        return ""
    texte = "; ".join(f"{k} = {v}" for k, v in serie.attrs.items() if code in str(v))
    return f" Motif donné : {texte[:400]}." if texte else ""


def _obtenu(indicateur: str, ref: dict, millesime) -> tuple[float, str]:
    """Valeur de la bibliothèque pour le territoire de ``ref`` ; somme stricte pour l'ensemble."""
    if ref["niveau"] == "france_hors_mayotte":
        serie = _serie(indicateur, "region", millesime)
        manquantes = [c for c in REGIONS_HORS_MAYOTTE if c not in serie.index or pd.isna(serie[c])]
        if manquantes:
            return math.nan, f" Régions sans valeur : {', '.join(manquantes)}."
        return float(serie[list(REGIONS_HORS_MAYOTTE)].sum()), ""
    serie = _serie(indicateur, ref["niveau"], millesime)
    if ref["code"] not in serie.index:
        return math.nan, f" Code « {ref['code']} » absent du niveau {ref['niveau']}."
    valeur = serie[ref["code"]]
    return (math.nan, _motif(serie, ref["code"])) if pd.isna(valeur) else (float(valeur), "")


def _ident(ref: dict, *champs: str) -> str:
    return "-".join(str(ref[c]) for c in champs)


# ----------------------------------------------------------------------------- le fichier lui-même

def test_fichier_de_references_bien_forme():
    """Chaque référence a une source lue (titre, adresse, date) et une citation ; pas de doublon."""
    assert SOURCES, "aucune source déclarée"
    for s in SOURCES.values():
        for champ in ("titre", "editeur", "url", "date", "nature"):
            assert s.get(champ), f"source « {s['id']} » : champ « {champ} » manquant"
        hote = urlparse(s["url"]).hostname
        assert hote in DOMAINES_ADMIS, (
            f"source « {s['id']} » : {hote} n'est ni l'Insee ni un organisme public citant l'Insee")
    vues = set()
    for table in ("population", "part", "evolution"):
        for ref in REFERENCES.get(table, []):
            assert ref["source"] in SOURCES, f"{table} {ref} : source inconnue « {ref['source']} »"
            assert ref.get("citation"), f"{table} {_territoire(ref)} : citation de la publication manquante"
            cle = (table, ref.get("indicateur", table), ref["niveau"], ref["code"],
                   ref.get("millesime", ref.get("periode")))
            assert cle not in vues, f"référence en double : {cle}"
            vues.add(cle)


def test_references_de_population_entieres():
    """Les populations municipales publiées sont des entiers (jamais une population totale arrondie)."""
    for ref in REFERENCES.get("population", []):
        assert isinstance(ref["valeur"], int) and ref["valeur"] > 0, _territoire(ref)
        assert ref["millesime"] in (2016, 2019, 2020, 2022, 2023), _territoire(ref)


# ----------------------------------------------------------------------------- populations légales

@pytest.mark.parametrize(
    "ref", REFERENCES.get("population", []),
    ids=[_ident(r, "niveau", "code", "millesime") for r in REFERENCES.get("population", [])])
def test_population_municipale_egale_a_l_insee(ref):
    """Population municipale d'un territoire = population légale publiée, à l'habitant près."""
    obtenu, motif = _obtenu("population", ref, ref["millesime"])
    attendu = ref["valeur"]
    if obtenu == attendu:
        return
    if math.isnan(obtenu):
        ecart = "incalculable"
    else:
        d = obtenu - attendu
        ecart = f"{'+' if d > 0 else ''}{_nombre(d)} habitants ({'+' if d > 0 else ''}{_nombre(100 * d / attendu, 2)} %)"
    pytest.fail(
        f"{_territoire(ref)}, population municipale {ref['millesime']} : attendu {_nombre(attendu)} "
        f"({_citer(ref)}), obtenu {_nombre(obtenu)}, écart {ecart}.{motif}",
        pytrace=False)


# ----------------------------------------------------------------------------- parts RP 2021

@pytest.mark.parametrize(
    "ref", REFERENCES.get("part", []),
    ids=[_ident(r, "indicateur", "niveau", "code") for r in REFERENCES.get("part", [])])
def test_part_rp2021_proche_de_l_insee(ref):
    """Part RP 2021 recalculée des IRIS = part publiée par l'Insee à ± 0,1 point."""
    obtenu, motif = _obtenu(ref["indicateur"], ref, None)
    attendu, tol = ref["valeur"], ref.get("tolerance", 0.1)
    if not math.isnan(obtenu) and abs(obtenu - attendu) <= tol + 1e-9:
        return
    ecart = "incalculable" if math.isnan(obtenu) else f"{_nombre(obtenu - attendu, 2)} point"
    pytest.fail(
        f"{_territoire(ref)}, {ref['indicateur']} (RP {ref.get('millesime', 2021)}) : attendu "
        f"{_nombre(attendu, 1)} % ({_citer(ref)}), obtenu {_nombre(obtenu, 2)} %, écart {ecart} "
        f"(tolérance ± {_nombre(tol, 2)} point).{motif}",
        pytrace=False)


# ----------------------------------------------------------------------------- taux d'évolution

@pytest.mark.parametrize(
    "ref", REFERENCES.get("evolution", []),
    ids=[_ident(r, "niveau", "code", "periode") for r in REFERENCES.get("evolution", [])])
def test_evolution_annuelle_proche_de_l_insee(ref):
    """Taux de variation annuel moyen = taux publié, à l'arrondi de publication près."""
    obtenu, motif = _obtenu("evolution_population_annuelle", ref, ref["periode"])
    attendu, tol = ref["valeur"], ref["tolerance"]
    if not math.isnan(obtenu) and abs(obtenu - attendu) <= tol + 1e-9:
        return
    ecart = "incalculable" if math.isnan(obtenu) else f"{_nombre(obtenu - attendu, 3)} point"
    pytest.fail(
        f"{_territoire(ref)}, évolution annuelle moyenne {ref['periode']} : attendu "
        f"{_nombre(attendu, 2)} % par an ({_citer(ref)}), obtenu {_nombre(obtenu, 3)} % par an, "
        f"écart {ecart} (tolérance ± {_nombre(tol, 3)} point).{motif}",
        pytrace=False)
