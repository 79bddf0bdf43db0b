"""Contrôles sur les données livrées (donnees/), avec des valeurs publiées par l'Insee."""
from __future__ import annotations

import json

import numpy as np
import pytest

from territoire_lib.chargement import table_communes
from territoire_lib.chemins import RACINE_DEPOT
from territoire_lib.construction.verification import verifier

DONNEES = RACINE_DEPOT / "donnees"


@pytest.fixture(scope="module")
def t():
    return table_communes().set_index("code_commune")


def test_manifeste_conforme():
    assert verifier(DONNEES) == []


def test_taille_totale_compacte():
    total = sum(f.stat().st_size for f in DONNEES.rglob("*") if f.is_file())
    assert total < 40e6, f"donnees/ pèse {total / 1e6:.1f} Mo (cible < 40 Mo)"


def test_une_ligne_par_commune(t):
    assert t.index.is_unique and len(t) == 34875


@pytest.mark.parametrize("millesime,attendu", [(2016, 2_190_327), (2019, 2_165_423), (2020, 2_145_906),
                                               (2022, 2_113_705), (2023, 2_103_778)])
def test_population_de_paris_par_millesime(t, millesime, attendu):
    """Populations municipales légales de Paris publiées par l'Insee (preuve du millésime)."""
    assert t.loc["75056", f"population_{millesime}"] == attendu


def test_arrondissements_sommes_dans_la_commune(t):
    # RP 2021 : Paris, Lyon, Marseille arrivent par arrondissement municipal
    assert t.loc["75056", "population_rp2021"] > 2_100_000
    assert t.loc["69123", "population_rp2021"] > 500_000
    assert t.loc["13055", "population_rp2021"] > 850_000
    assert not t.index.str.match(r"^(751(0[1-9]|1\d|20)|6938\d|132(0[1-9]|1[0-6]))$").any()


def test_mayotte_non_disponible_jamais_zero(t):
    mayotte = t[t.index.str.startswith("976")]
    assert len(mayotte) == 17
    assert mayotte["population_2023"].isna().all()
    assert mayotte["note_population"].str.contains("Mayotte").all()


def test_villages_morts_pour_la_france_a_zero_reel(t):
    morts = ["55039", "55050", "55139", "55189", "55239", "55307"]
    assert (t.loc[morts, "population_2023"] == 0).all()


def test_total_national_2023_proche_de_l_insee(t):
    """Population municipale 2023, France hors Mayotte : somme des communes du COG courant.

    L'Insee publie environ 68,1 millions pour la France métropolitaine et les
    DROM hors Mayotte au millésime 2023 ; l'écart doit rester sous 0,5 %.
    """
    total = t["population_2023"].sum()
    assert 67.8e6 < total < 68.4e6


def test_pas_de_donnees_personnelles():
    for f in DONNEES.rglob("*.parquet"):
        import pyarrow.parquet as pq

        noms = {c.lower() for c in pq.read_schema(f).names}
        interdits = {"nom_elu", "prenom", "date_naissance", "mairie_email", "mairie_telephone", "email", "telephone"}
        assert not noms & interdits, f"{f.name} : {noms & interdits}"


def test_journal_de_construction():
    journal = json.loads((DONNEES / "journal_construction.json").read_text(encoding="utf-8"))
    assert journal["cog"]["communes"] == 34875
    assert journal["rp2021"]["codes_inconnus"] == []


def test_commune_nouvelle_de_2019_sans_population_2016_tronquee(t):
    """Les Sables-d'Olonne (commune nouvelle 2019) : le paquet 2016 ne porte que l'ancienne commune chef-lieu."""
    assert np.isnan(t.loc["85194", "population_2016"])
    assert "chef-lieu" in t.loc["85194", "note_population"]
    assert t.loc["85194", "population_2019"] > 40_000
