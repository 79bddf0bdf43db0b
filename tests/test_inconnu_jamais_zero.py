"""Une donnée absente d'une source n'est jamais 0 : audit des jointures et des ``fillna`` de la construction.

Chaque jointure à gauche (``how="left"``) et chaque ``fillna`` de valeur de
``territoire_lib/construction/`` a été relu (``grep -n "fillna\\|how=\\"left\\"" ...``).
Deux familles :

- **absent = non disponible (NA)** : la source ne dit rien de la commune
  (versement mobilité hors de la table des taux, EPCI des îles
  mono-communales, populations, recensement, élus, zonage, valeurs
  locatives, DEGURBA sans contour, médiation hors Auvergne-Rhône-Alpes) ;
- **absent = 0 réel** : la source est exhaustive sur son champ, et l'absence
  d'une commune y signifie bien « aucun » (lycées de l'annuaire national,
  fusions de l'historique du COG, accidents du fichier national BAAC).

Relevé, cas par cas :

==========================================  ===========================================================
jointure / remplissage                      règle et raison
==========================================  ===========================================================
``etapes.joindre`` (toutes les étapes)      gauche, l'absent reste NA ; nombre au journal
                                            (``jointure_communes_sans_valeur``)
``etapes.etape_versement_mobilite``         absent de la table des taux → NA (auparavant False / 0 %) ;
                                            « non » partiel d'une commune nouvelle → NA
``cog.referentiel_communes`` (EPCI)         gauche : 4 îles sans EPCI → NA
``construction._populations`` / RP 2021     gauche : NaN avec motif (Mayotte, communes nouvelles)
``degurba.classer_communes``                sans contour → NA ; 0 maille = compte réel (petite commune,
                                            classée par un point intérieur)
``lycees.indicateurs_lycees`` (0 lycée)     0 réel : annuaire national exhaustif, tous les départements
                                            ont des lycées ; 10 lycées du champ non rattachés (nom de
                                            ville non reconnu) sont au journal
``mediation.indicateurs_mediation``         0 réel en Auvergne-Rhône-Alpes (cartographie de la région),
                                            NA ailleurs
``communes_nouvelles.comptes_par_commune``  0 fusion réel : historique du COG exhaustif
``accidents._annuel`` / ``trajet``          effectifs nationaux du fichier BAAC : 0 réel ; trajet 0 =
                                            « Non renseigné » (libellé, pas un effectif)
``openfisca`` (REI, zonage)                 0 d'OpenFisca lu comme manquant ; code DGFiP spécial → code
                                            commune (pas une valeur)
==========================================  ===========================================================

Les autres ``fillna`` du code sont techniques (masques booléens
``fillna(False)`` sur des correspondances de motifs, libellé « Non
renseigné », codes de repli) et ne produisent aucune valeur d'indicateur.

Les tests marqués « données » lisent ``donnees/`` : ils demandent une
construction à jour (``python -m territoire_lib.construction construire``).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from territoire_lib.chemins import RACINE_DEPOT
from territoire_lib.construction import accidents, communes_nouvelles, etapes, openfisca

DONNEES = RACINE_DEPOT / "donnees"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_parquet(DONNEES / "indicateurs" / "communes.parquet").set_index("code_commune")


@pytest.fixture(scope="module")
def journal() -> dict:
    return json.loads((DONNEES / "journal_construction.json").read_text(encoding="utf-8"))


# --- jointure générique (etapes.joindre, how="left") : l'absent reste NA ------------
def test_joindre_laisse_na_et_compte_les_communes_sans_valeur() -> None:
    contexte = {"table": pd.DataFrame({"code_commune": ["01001", "01002", "01003"]}), "rapports": {}}
    etapes.joindre(contexte, pd.DataFrame({"code_commune": ["01001"], "nb": [0], "taux": [1.5]}), "essai")
    t = contexte["table"].set_index("code_commune")
    assert t.loc["01001", "nb"] == 0  # un 0 publié par la source reste 0
    assert t.loc[["01002", "01003"], ["nb", "taux"]].isna().all().all()  # l'absent reste NA
    assert contexte["rapports"]["essai"]["jointure_communes_sans_valeur"] == 2


# --- versement mobilité : absent de la table des taux = non disponible -------------
def test_versement_mobilite_absent_de_la_table_non_disponible(monkeypatch: pytest.MonkeyPatch) -> None:
    vm = pd.DataFrame({"code_commune": ["01001", "01002"], "versement_mobilite": pd.array([True, False]),
                       "taux_versement_mobilite": [1.05, np.nan]})
    vm.attrs["rapport"] = {"source": "versement mobilité"}
    monkeypatch.setattr(openfisca, "lire_versement_mobilite", lambda chemin: vm)
    monkeypatch.setattr(etapes, "_harmoniser", lambda contexte, t, colonnes, nom: t)
    passage = pd.DataFrame({"ancien_code": ["01099"], "code_commune": ["01002"], "nature": ["fusion"]})
    contexte = {"table": pd.DataFrame({"code_commune": ["01001", "01002", "01003", "97611"]}),
                "rapports": {}, "src": {"openfisca-france": {"versement_mobilite": "taux.json"}},
                "passage": passage.iloc[:0]}
    etapes.etape_versement_mobilite(contexte)
    t = contexte["table"].set_index("code_commune")
    assert t.loc["01001", "versement_mobilite"] is True or t.loc["01001", "versement_mobilite"] == True  # noqa: E712
    assert t.loc["01002", "versement_mobilite"] == False  # noqa: E712 — présente, sans taux en vigueur : non
    assert t.loc[["01003", "97611"], "versement_mobilite"].isna().all()
    assert t.loc[["01003", "97611"], "taux_versement_mobilite"].isna().all()  # jamais 0
    absentes = contexte["rapports"]["versement_mobilite"]["communes_non_disponibles"]
    assert absentes["n"] == 2 and absentes["mayotte"] == 1
    assert absentes["motif"] == etapes.MOTIF_VERSEMENT_MOBILITE_ABSENT
    # 01002 devient une commune nouvelle dont l'ancienne commune 01099 manque à la table :
    # son « non » ne vaut que pour une partie de son territoire, il devient NA
    contexte["table"] = pd.DataFrame({"code_commune": ["01001", "01002", "01003", "97611"]})
    contexte["passage"] = passage
    etapes.etape_versement_mobilite(contexte)
    t = contexte["table"].set_index("code_commune")
    assert pd.isna(t.loc["01002", "versement_mobilite"]) and t.loc["01001", "versement_mobilite"] == True  # noqa: E712
    assert contexte["rapports"]["versement_mobilite"]["communes_nouvelles_non_partiel"]["n"] == 1


def test_donnees_versement_mobilite_jamais_zero_pour_l_absent(table: pd.DataFrame, journal: dict) -> None:
    vm = table["versement_mobilite"]
    absentes = journal["versement_mobilite"]["communes_non_disponibles"]
    partielles = journal["versement_mobilite"]["communes_nouvelles_non_partiel"]["n"]
    assert absentes["n"] + partielles == int(vm.isna().sum()) and absentes["n"] > 20_000
    assert vm[table.index.str.startswith("976")].isna().all()  # Mayotte : absente de la table
    assert not (table["taux_versement_mobilite"] == 0).any() or (
        table.loc[table["taux_versement_mobilite"] == 0, "versement_mobilite"].notna().all())
    assert table.loc[vm.isna(), "taux_versement_mobilite"].isna().all()


# --- lycées : 0 réel (annuaire national exhaustif) ---------------------------------
def test_donnees_lycees_zero_reel_source_exhaustive(table: pd.DataFrame, journal: dict) -> None:
    """L'annuaire de l'Éducation nationale couvre tous les départements (Mayotte compris) : une
    commune sans lycée rattaché en a bien 0. Les lycées non rattachés du champ (nom de ville non
    reconnu) sont comptés au journal ; les autres sont hors champ (étranger, Pacifique, Monaco)."""
    assert table["nb_lycees"].notna().all()
    assert (table.groupby("code_departement")["nb_lycees"].sum() > 0).all()
    motifs = journal["lycees"]["rattachement"]["non_rattaches_par_motif"]
    hors_champ = {"établissement à l'étranger", "Monaco (hors France)", "pseudo-établissement (candidat libre, rectorat)",
                  "collectivité du Pacifique (Wallis-et-Futuna, Polynésie, Nouvelle-Calédonie) absente de la base des "
                  "codes postaux"}
    dans_le_champ = sum(n for m, n in motifs.items() if m not in hors_champ)
    assert dans_le_champ <= 0.005 * journal["lycees"]["rattachement"]["nb_lycees"]


# --- médiation numérique : hors Auvergne-Rhône-Alpes non disponible ----------------
def test_donnees_mediation_na_hors_ara(table: pd.DataFrame) -> None:
    ara = table["code_region"] == "84"
    assert table.loc[~ara, "nb_lieux_mediation"].isna().all()
    assert table.loc[ara, "nb_lieux_mediation"].notna().all()


# --- communes nouvelles : 0 fusion réel (historique du COG exhaustif) --------------
def test_communes_nouvelles_zero_fusion_reel() -> None:
    fusions = pd.DataFrame({"code_commune": ["01001"], "role": ["absorbée"],
                            "evenement": [communes_nouvelles.COMMUNE_NOUVELLE]})
    res = communes_nouvelles.comptes_par_commune(fusions, pd.Series(["01001", "01002"])).set_index("code_commune")
    assert res.loc["01002", "nb_communes_absorbees"] == 0  # aucune fusion au COG : 0 réel
    assert res.loc["01002", "nb_communes_avant_communes_nouvelles"] == 1


# --- accidents : effectifs nationaux, 0 réel ---------------------------------------
def test_accidents_annee_sans_conducteur_zero_reel() -> None:
    annee = pd.Series([2019, 2019, 2020])
    detail = pd.DataFrame({"annee": [2019], "motif": ["Domicile – travail"]})
    annuel = accidents._annuel(annee, detail).set_index("annee")
    assert annuel.loc[2020, "nb_accidents"] == 1 and annuel.loc[2020, "nb_conducteurs"] == 0


# --- EPCI, populations, recensement, élus, zonage, DEGURBA : l'absent reste NA -----
def test_donnees_absents_restent_na(table: pd.DataFrame, journal: dict) -> None:
    sans_epci = table["code_epci"].isna()
    assert set(table.index[sans_epci]) == {"22016", "29083", "29155", "85113"}  # îles mono-communales
    assert table.loc[table.index.str.startswith("976"), "population_2023"].isna().all()
    n_elus = journal["elus"]["jointure_communes_sans_valeur"]
    assert int(table["nb_elus"].isna().sum()) >= n_elus and not (table["nb_elus"] == 0).any()
    # absentes du fichier, plus les fusions aux classes discordantes (harmonisation) : NA, jamais « C »
    assert int(table["zonage_abc"].isna().sum()) >= journal["zonage_abc"]["jointure_communes_sans_valeur"]
    sans_contour = table["degurba_statut"] == "contour_manquant"
    assert table.loc[sans_contour, ["degurba_code", "degurba_niveau1"]].isna().all().all()
