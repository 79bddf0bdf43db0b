"""Le catalogue est complet, cohérent avec les sources et les données."""
from __future__ import annotations

import pytest

from territoire_lib import catalogue, indicateur, ligne_source
from territoire_lib.agregation import colonnes_requises
from territoire_lib.chargement import table_communes
from territoire_lib.construction.sources import lire_sources
from territoire_lib.erreurs import IndicateurInconnu, IndicateurNonDisponible

CHAMPS = {"id", "libelle", "unite", "definition", "agregation", "millesimes", "producteur",
          "source", "licence", "couverture", "theme", "seed"}


def test_champs_obligatoires_renseignes():
    cat = catalogue()
    assert CHAMPS <= set(cat.columns)
    vides = cat[(cat[["libelle", "unite", "definition", "producteur", "couverture"]] == "").any(axis=1)]
    assert vides.empty, vides["id"].tolist()
    assert cat["id"].is_unique


def test_sources_du_catalogue_existent():
    paquets = lire_sources()
    for _, ligne in catalogue().iterrows():
        for ref in ligne["source"].split(", "):
            paquet, fichier = ref.split(":")
            if paquet == "web":  # sources en ligne : sources_web.toml (tests/test_connecteurs.py)
                from territoire_lib.connecteurs.commun import lire_sources_web

                assert fichier in lire_sources_web(), f"{ligne['id']} : source web {fichier} inconnue"
                continue
            assert paquet in paquets, f"{ligne['id']} : paquet {paquet} absent de sources.toml"
            assert fichier in paquets[paquet].fichiers, f"{ligne['id']} : fichier {ref} inconnu"


def test_colonnes_de_chaque_millesime_presentes():
    colonnes = set(table_communes().columns)
    for i in catalogue()["id"]:
        ind = indicateur(i)
        if ind.source_web:  # colonnes des sources en ligne : tests/test_connecteurs.py
            continue
        for m in ind.millesimes or (None,):
            manquantes = set(colonnes_requises(ind, m)) - colonnes
            assert not manquantes, f"{i} ({m}) : colonnes absentes {manquantes}"


def test_periodes_d_evolution_d_au_moins_5_ans():
    for m in indicateur("evolution_population_annuelle").millesimes:
        debut, fin = map(int, m.split("-"))
        assert fin - debut >= 5


def test_indicateur_inconnu_propose_des_noms_proches():
    with pytest.raises(IndicateurInconnu, match="part_65_ans_et_plus"):
        indicateur("part_65_ans")


def test_millesime_indisponible_liste_les_valides():
    with pytest.raises(IndicateurNonDisponible, match="2016, 2017, 2019, 2020, 2022, 2023"):
        indicateur("population").verifier_millesime(2021)


def test_ligne_source():
    assert ligne_source("population", 2016) == (
        "Source : Insee, populations légales — calculs Territoires en transition (millésime 2016)")


def test_toute_ligne_de_source_dit_de_quand_datent_les_donnees():
    """Chaque graphique porte sa source et sa date : millésime, date déclarée, ou date du fichier en ligne."""
    from territoire_lib.catalogue import ids_indicateurs, indicateur, ligne_source

    for i in ids_indicateurs():
        ligne = ligne_source(i)
        assert "(millésime" in ligne or "(données :" in ligne or "(fichier en ligne" in ligne, (i, ligne)
        if not indicateur(i).millesimes and not indicateur(i).source_web:
            assert indicateur(i).date_donnees, i
