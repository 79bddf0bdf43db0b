"""Carnet 04 : communes nouvelles (construction, sur fixtures), EPCI, élus, dédoublement."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from territoire_lib import cooperations as co
from territoire_lib.construction import communes_nouvelles as cn
from territoire_lib.erreurs import NiveauInconnu


# --------------------------------------------------------------------------- fixtures COG
def _version(lignes):
    """Fausse version du COG : (code, nom, population)."""
    return pd.DataFrame([(c, n, "commune-actuelle", p) for c, n, p in lignes],
                        columns=["code", "nom", "type", "population"])


# 01001 absorbe 01002 en 2016 (historique) ; 01003 absorbe 01004 entre les COG 2021 et 2022 ;
# 01005 est une commune nouvelle de 2019 (population du chef-lieu seulement dans le COG 2019)
# qui absorbe 01006 entre 2024 et 2026 ; 01007 a seulement changé de code (ancien 78007) ;
# 01008 a absorbé 01009 en 1973 (fusion ancienne).
VERSIONS = {
    2019: _version([("01001", "A", 100.0), ("01003", "C", 30.0), ("01004", "D", 20.0), ("01005", "E", 7.0),
                    ("01006", "F", 9.0), ("01007", "G", 1.0), ("01008", "H", 2.0)]),
    2021: _version([("01001", "A", 101.0), ("01003", "C", 31.0), ("01004", "D", 21.0), ("01005", "E", 70.0),
                    ("01006", "F", 9.0), ("01007", "G", 1.0), ("01008", "H", 2.0)]),
    2022: _version([("01001", "A", 102.0), ("01003", "C-D", 53.0), ("01005", "E", 71.0), ("01006", "F", 9.0),
                    ("01007", "G", 1.0), ("01008", "H", 2.0)]),
    2024: _version([("01001", "A", 103.0), ("01003", "C-D", 54.0), ("01005", "E", 72.0), ("01006", "F", 8.0),
                    ("01007", "G", 1.0), ("01008", "H", 2.0)]),
    2026: _version([("01001", "A", 104.0), ("01003", "C-D", 55.0), ("01005", "E-F", 81.0), ("01007", "G", 1.0),
                    ("01008", "H", 2.0)]),
}
HISTORIQUE = [
    {"type": "COM", "code": "01001", "nom": "A", "dateFin": "2016-01-01", "raisonFin": "commune devenant déléguée"},
    {"type": "COM", "code": "01001", "nom": "A", "dateDebut": "2016-01-01", "raisonDebut": "commune nouvelle"},
    {"type": "COM", "code": "01002", "nom": "B", "dateFin": "2016-01-01", "raisonFin": "commune devenant déléguée"},
    {"type": "COM", "code": "78007", "nom": "G", "dateFin": "1968-01-01", "raisonFin": "changement de département"},
    {"type": "COM", "code": "01009", "nom": "I", "dateFin": "1973-01-01", "raisonFin": "fusion-association"},
    {"type": "COMD", "code": "01010", "nom": "J", "dateDebut": "2018-01-01",
     "raisonDebut": "changement de département + commune devenant déléguée"},
]
PASSAGE = pd.DataFrame({
    "ancien_code": ["01002", "01004", "01006", "78007", "01009", "01010", "99999"],
    "code_commune": ["01001", "01003", "01005", "01007", "01008", "01001", "01008"],
    "nature": ["ancien code (fusion)"] * 7,
})


@pytest.fixture(scope="module")
def fusions():
    return cn.fusions_communes(VERSIONS, HISTORIQUE, PASSAGE, incompletes={"01005"})


def test_dates_et_periodes(fusions):
    res, _ = fusions
    r = res.set_index("ancien_code")
    assert r.loc["01002", "date_fusion"] == "2016-01-01" and r.loc["01002", "periode"] == "2016"
    assert r.loc["01004", "periode"] == "entre le COG 2021 et le COG 2022"
    assert pd.isna(r.loc["01004", "date_fusion"])
    assert (r.loc["01004", "cog_avant"], r.loc["01004", "cog_apres"]) == (2021, 2022)
    assert r.loc["01006", "periode"] == "entre le COG 2024 et le COG 2026"
    assert r.loc["01010", "date_fusion"] == "2018-01-01"  # né commune déléguée : date de début


def test_evenements_changement_de_code_et_fusion_ancienne(fusions):
    res, rapport = fusions
    r = res.set_index("ancien_code")
    assert r.loc["78007", "evenement"] == cn.CHANGEMENT_CODE
    assert r.loc["01009", "evenement"] == cn.FUSION_ANCIENNE
    assert rapport["anciens_codes_sans_date"] == ["99999"]  # signalé, jamais inventé


def test_populations_anciennes(fusions):
    res, _ = fusions
    absorbees = res[res["role"] == "absorbée"].set_index("ancien_code")
    assert absorbees.loc["01004", "population_ancienne"] == 21.0  # version COG 2021
    assert absorbees.loc["01004", "millesime_population_ancienne"] == 2019
    assert absorbees.loc["01006", "population_ancienne"] == 8.0
    assert np.isnan(absorbees.loc["01002", "population_ancienne"])  # avant 2019 : inconnue


def test_ligne_de_la_commune_qui_garde_le_code(fusions):
    res, rapport = fusions
    gardes = res[res["role"] == "garde le code"].set_index("code_commune")
    assert sorted(gardes.index) == ["01001", "01003", "01005"]  # pas 01007 (code) ni 01008 (1973)
    assert gardes.loc["01003", "population_ancienne"] == 31.0 and gardes.loc["01003", "nom_ancienne_commune"] == "C"
    assert gardes.loc["01001", "periode"] == "2016"
    assert rapport["communes_nouvelles"] == 3


def test_population_du_chef_lieu_incomplete_en_2019():
    v = {2019: VERSIONS[2019], 2021: VERSIONS[2021].loc[lambda d: d["code"] != "01006"]}
    p = pd.DataFrame({"ancien_code": ["01006"], "code_commune": ["01005"], "nature": ["ancien code (fusion)"]})
    res, _ = cn.fusions_communes(v, [], p, incompletes={"01005", "01006"})
    assert res["population_ancienne"].isna().all()
    assert res["statut_population"].str.contains("chef-lieu").all()


def test_types_des_colonnes(fusions):
    res, _ = fusions
    assert res["ancien_code"].dtype == "string" and res["cog_apres"].dtype == "Int64"
    assert res["population_ancienne"].dtype == "float64"


# --------------------------------------------------------------------------- EPCI
def test_classer_evolution_epci_toutes_les_classes():
    a = pd.DataFrame({
        "code_commune": [f"c{i}" for i in range(11)],
        "code_epci": ["I", "I", "E", "E", "F", "F", "R", "X", "X", "Y", "Y"],
        "code_epci_2020": ["A", "A", "B", "G", "C", "D", "G", "G", "H", "H", pd.NA],
    })
    res = co.classer_evolution_epci(a)
    assert res["evolution"].to_dict() == {"E": "élargi", "F": "fusionné", "I": "inchangé", "R": "réduit",
                                          "X": "recomposé", "Y": "réduit"}
    assert res.loc["Y", "nb_communes_origine_inconnue"] == 1
    assert res.loc["E", "nb_communes_venues_d_ailleurs"] == 1


def test_evolution_epci_donnees_reelles():
    e = co.evolution_epci()
    assert set(e["evolution"].dropna()) <= set(co.CLASSES_EPCI)
    assert len(e) == 1255
    assert e["changement_nature"].dropna().str.contains(" → ").all()


# --------------------------------------------------------------------------- communes nouvelles
def test_anciennes_communes_sables_d_olonne():
    a = co.anciennes_communes()
    s = a[a["code_commune"] == "85194"]
    assert set(s["ancien_code"]) == {"85194", "85060", "85166"}
    assert set(s["date_fusion"]) == {"2019-01-01"}


def test_communes_nouvelles_depuis_et_periodes():
    cn16 = co.communes_nouvelles(2016)
    assert cn16["annee_creation"].min() >= 2016
    assert cn16.attrs["rapport"]["communes_nouvelles_anterieures_ecartees"]  # 2012-2015, signalées
    p = co.communes_nouvelles_par_periode(cn16)
    assert p["communes_nouvelles"].sum() == len(cn16)
    assert list(p.index[:4]) == ["2016", "2017", "2018", "2019"]


# --------------------------------------------------------------------------- élus
def _table_elus():
    return pd.DataFrame({
        "g": ["a", "a", "b"], "nb_elus": [10, 5, 3], "nb_elus_age_connu": [10, 5, 3],
        "age_moyen_elus": [50.0, 56.0, 40.0], "nb_elus_sexe_connu": [10, 5, 3], "nb_femmes_elues": [5, 1, 2],
        "nb_elus_profession_connue": [10, 4, 3], "nb_elus_retraites": [2, 2, 1],
        "nb_elus_agriculteurs": [1, 0, 0], "nb_elus_cadres": [0, 1, 1]})


def test_profil_elus_sommes_jamais_moyenne_de_parts():
    p = co.profil_elus("g", _table_elus())
    assert p.loc["a", "part_femmes"] == pytest.approx(100 * 6 / 15)  # et non (50 % + 20 %) / 2
    assert p.loc["a", "age_moyen"] == pytest.approx((500 + 280) / 15)
    assert p.loc["a", "part_retraites"] == pytest.approx(100 * 4 / 14)
    assert p.loc["a", "nb_communes"] == 2


def test_profil_elus_secret_sous_5_personnes():
    p = co.profil_elus("g", _table_elus())
    assert p.loc["b"][["nb_elus", "age_moyen", "part_femmes", "part_cadres"]].isna().all()


def test_profil_elus_colonne_inconnue():
    with pytest.raises(NiveauInconnu, match="taille_commune"):
        co.profil_elus("taille")


def test_profil_elus_donnees_reelles_par_taille_et_degurba():
    p = co.profil_elus(["taille_commune", "degurba_niveau1_libelle"])
    assert p["nb_elus"].dropna().min() >= co.SEUIL_SECRET
    assert p["part_femmes"].between(0, 100).all()


# --------------------------------------------------------------------------- dédoublement
def test_typologie_dedoublement_regles_et_manquants():
    t = pd.DataFrame({"code_commune": ["1", "2", "3", "4", "5", "6"], "code_epci": ["E"] * 6,
                      "logements": [100, 100, 100, 100, 100, 0],
                      "residences_secondaires": [40, 20, 19, 5, 5, 0], "logements_vacants": [50, 5, 5, 10, 5, 0],
                      "zonage_abc": ["C", "A", "B1", "C", "B2", "C"]})
    res = co.typologie_dedoublement("commune", t)
    assert res["classe"].tolist()[:5] == [co.CLASSES_DEDOUBLEMENT[i] for i in (0, 1, 2, 3, 4)]
    assert pd.isna(res.loc["6", "classe"])  # aucun logement : pas de classe, pas de zéro
    # la vacance passe avant le zonage : une commune B1 à 15 % de vacance n'est pas un marché tendu
    t2 = t.assign(logements_vacants=[50, 5, 15, 10, 5, 0])
    assert co.typologie_dedoublement("commune", t2).loc["3", "classe"] == co.CLASSES_DEDOUBLEMENT[3]
    epci = co.typologie_dedoublement("epci", t)
    assert epci.loc["E", "part_residences_secondaires"] == pytest.approx(100 * 89 / 500)


def test_typologie_niveau_inconnu():
    with pytest.raises(NiveauInconnu):
        co.typologie_dedoublement("region")
