"""Connecteurs web : analyseurs et harmonisation sur fixtures, repli hors ligne, empreintes.

Les fixtures (tests/fixtures/connecteurs/) imitent le schéma officiel de chaque
source avec quelques lignes fictives. Les tests marqués ``reseau`` appellent les
vraies adresses et sont désactivés par défaut (``-m reseau`` pour les lancer).
"""
from __future__ import annotations

import json
import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import territoire_lib as tl
from territoire_lib import connecteurs
from territoire_lib.connecteurs import commun
from territoire_lib.erreurs import ErreurSource, IndicateurNonDisponible

RACINE = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "connecteurs"
FICHIERS = {
    "arcep_ftth_communes": "fixture_arcep_commune_techno.csv",
    "insee_bpe_2023": "fixture_BPE23.zip",
    "insee_filosofi_2021": "fixture_base-cc-filosofi-2021-geo2025_csv.zip",
    "insee_mobpro_2022": "fixture_base-flux-mobilite-domicile-lieu-travail-2022_csv.zip",
    "france_tiers_lieux_2023": "fixture_bdftl-2023-01-fiche-identite.csv",
    "mediation_numerique_nationale": "fixture_lieux-de-mediation-numerique.csv",
    "anct_france_services": "fixture_liste-france-services.csv",
    "insee_aav2020": "fixture_AAV2020_au_01-01-2025.zip",
    "insee_uu2020": "fixture_UU2020_au_01-01-2025.zip",
    "insee_bv2022": "fixture_BV2022_au_01-01-2025.zip",
    "insee_ze2020": "fixture_ZE2020_au_01-01-2025.zip",
    "insee_bpe_communes": "fixture_DS_BPE_CSV_FR.zip",
    "insee_filosofi_2017": "fixture_indic-struct-distrib-revenu-2017-COMMUNES.zip",
    **{f"insee_rp_logement_{a}": f"fixture_RP{a}_LOGEMT_csv.zip" for a in (2016, 2017, 2018, 2019, 2020)},
    "insee_rp_logement_2021": "fixture_RP2021_logemt.parquet",
}
#: Sources composées de plusieurs millésimes (aucun fichier propre).
SERIES = {s.id for s in commun.lire_sources_web().values() if s.composantes}


@pytest.fixture
def cache_vide(tmp_path, monkeypatch):
    """Cache web vide dans un dossier temporaire ($TERRITOIRE_CACHE)."""
    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def cache_fixtures(cache_vide, monkeypatch):
    """Cache où chaque source « téléchargée » est sa fixture (taille et md5 déclarés = ceux de la fixture)."""
    sources = commun.lire_sources_web()
    for sid, nom in FICHIERS.items():
        src = sources[sid]
        if src.octets or src.md5:
            monkeypatch.setitem(sources, sid, dataclasses.replace(
                src, octets=(FIXTURES / nom).stat().st_size, md5=commun._md5(FIXTURES / nom)))
        cible = commun.chemin_brut(commun.source_web(sid))
        cible.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / nom, cible)
    return cache_vide


def _analyser(sid):
    return connecteurs.analyser(sid, FIXTURES / FICHIERS[sid]).set_index("code_commune")


def test_toutes_les_sources_ont_un_analyseur_et_une_fixture():
    assert set(commun.lire_sources_web()) == set(connecteurs.ANALYSEURS) == set(FICHIERS) | SERIES
    for s in commun.lire_sources_web().values():
        assert all(c in FICHIERS for c in s.composantes)
        assert s.url.startswith("https://") and s.licence and s.millesime and s.colonnes
        assert set(s.colonnes) <= set(s.schema_complet)


def test_filosofi_secret_fusion_et_codes_non_apparies():
    t = _analyser("insee_filosofi_2021")
    assert t.loc["75056", "mediane_niveau_vie"] == 30000
    assert t.loc["01053", "personnes_pauvres"] == pytest.approx(8000)
    assert np.isnan(t.loc["01001", "taux_pauvrete_publie"])  # secret : NA, jamais 0
    assert np.isnan(t.loc["01165", "mediane_niveau_vie"])  # 01070 + 01165 : médiane non recalculable
    r = t.attrs["rapport"]
    assert r["codes_non_apparies"] == ["99999"] and r["codes_traduits"] == {"01070": "01165"}
    assert r["communes_fusionnees_mediane_na"] == ["01165"]
    assert "200071751" not in t.index  # ligne EPCI écartée (seules les communes)


def test_arcep_somme_des_anciens_codes():
    t = _analyser("arcep_ftth_communes")
    assert t.loc["01165", ["locaux_arcep", "locaux_ftth"]].tolist() == [820, 760]
    assert t.attrs["rapport"]["codes_non_apparies"] == ["97701", "99999"]


def test_bpe_comptages_arrondissements_et_distances():
    t = _analyser("insee_bpe_2023")
    assert len(t) == len(tl.territoires("commune"))
    assert t.loc["75056", ["nb_medecins_generalistes", "nb_pharmacies"]].tolist() == [1, 1]
    assert t.loc["01165", "nb_medecins_generalistes"] == 1 and t.loc["01002", "nb_france_services_bpe"] == 0
    assert t.loc["01053", "nb_medecins_generalistes"] == 1  # compté même sans coordonnées
    assert t.loc["75056", "distance_pharmacie_km"] < 5
    r = t.attrs["rapport"]
    assert r["codes_traduits"] == {"01003": "01165", "75101": "75056"} and r["codes_non_apparies"] == ["99999"]
    assert r["equipements_sans_coordonnees_pour_distances"] == 1
    assert r["points_de_reference"]["mairie"] > 30000


def test_bpe_format_agrege_sans_double_compte():
    t = _analyser("insee_bpe_communes")
    assert t.loc["01053", ["nb_pharmacies_2023", "nb_medecins_generalistes_2023", "nb_equipements_bpe_2023"]].tolist() == [2, 3, 9]
    assert t.loc["01053", "nb_france_services_2023"] == 0  # commune citée : vrai zéro
    assert t.loc["01165", "nb_pharmacies_2023"] == 2  # 01070 + 01165
    assert t.loc["75056", "nb_pharmacies_2023"] == 5  # l'arrondissement n'est pas recompté
    assert pd.isna(t.loc["01002", "nb_pharmacies_2023"])  # commune absente du fichier : NA, jamais 0
    r = t.attrs["rapport"]
    assert r["annees"] == [2023] and r["codes_non_apparies"] == ["99999"]


def test_filosofi_plusieurs_millesimes(cache_fixtures):
    t = connecteurs.charger("insee_filosofi_series").set_index("code_commune")
    assert t.loc["75056", ["mediane_niveau_vie_2017", "mediane_niveau_vie_2021"]].tolist() == [27000, 30000]
    assert np.isnan(t.loc["01165", "mediane_niveau_vie_2017"])  # 01070 + 01165 fusionnées : médiane inconnue
    assert t.loc["01165", "personnes_menages_fiscaux_2017"] == 1500  # sommes : elles s'additionnent
    dep = tl.indicateurs("taux_pauvrete_filosofi", niveau="departement", codes=["75"], millesime=2017)
    assert dep.loc["75", "taux_pauvrete_filosofi"] == pytest.approx(16.0)
    dep = tl.indicateurs("taux_pauvrete_filosofi", niveau="departement", codes=["75"], millesime=2021)
    assert dep.loc["75", "taux_pauvrete_filosofi"] == pytest.approx(15.0)
    com = tl.indicateurs("mediane_niveau_vie_filosofi", codes=["01053"], millesime=2017)
    assert com.loc["01053", "mediane_niveau_vie_filosofi"] == 20000
    ligne = connecteurs.millesime_en_cache("insee_filosofi_series")
    assert "2017" in ligne and "2021" in ligne


def test_rp_logements_plusieurs_millesimes(cache_fixtures):
    from territoire_lib.connecteurs import rp_logements

    t = rp_logements.analyser(2016, FIXTURES / FICHIERS["insee_rp_logement_2016"]).set_index("code_commune")
    assert t.loc["75056", ["logements", "residences_secondaires", "logements_vacants"]].tolist() == [7.5, 1.0, 1.5]
    assert t.loc["01165", ["logements", "residences_secondaires"]].tolist() == [4.0, 1.0]  # 01070 + 01165
    assert t.attrs["rapport"]["codes_non_apparies"] == ["99999"]
    v16 = tl.indicateurs("part_logements_vacants_rp", codes=["75056"], millesime=2016)
    v21 = tl.indicateurs("part_logements_vacants_rp", codes=["75056"], millesime=2021)
    assert v16.loc["75056", "part_logements_vacants_rp"] == pytest.approx(20.0)
    assert v21.loc["75056", "part_logements_vacants_rp"] == pytest.approx(100 * 3.5 / 9.5)
    # l'extrait ne couvre que quelques communes de l'Ain : le département est incomplet (NaN motivé) ;
    # la somme partielle n'est rendue que sur demande, étiquetée « partiel »
    dep = tl.indicateurs("part_residences_secondaires_rp", niveau="departement", codes=["01"], millesime=2019,
                         couverture=True)
    assert np.isnan(dep.loc["01", "part_residences_secondaires_rp"])
    assert dep.loc["01", "part_residences_secondaires_rp_statut"] == "incomplet"
    dep = tl.indicateurs("part_residences_secondaires_rp", niveau="departement", codes=["01"], millesime=2019,
                         partiel=True, couverture=True)
    assert dep.loc["01", "part_residences_secondaires_rp"] == pytest.approx(100 * 1.0 / 9.0)
    assert dep.loc["01", "part_residences_secondaires_rp_statut"] == "partiel"


def test_rp_ages_plusieurs_millesimes_et_evolution_en_points(cache_fixtures):
    """Population des ménages par âge (INPER, INP65M, INP75M × IPONDL) ; évolution de la part en points."""
    from territoire_lib.connecteurs import rp_logements
    from territoire_lib.evolution import evolution

    t = rp_logements.analyser(2016, FIXTURES / FICHIERS["insee_rp_logement_2016"]).set_index("code_commune")
    # « Y » hors résidence principale : aucune personne comptée dans les logements vacants ou secondaires
    assert t.loc["75056", ["population_menages", "population_65_ans_plus", "population_75_ans_plus"]].tolist() \
        == [7.5, 5.0, 2.5]
    assert t.loc["01165", "population_menages"] == 6.0  # 01070 (sans ménage) + 01165
    p16 = tl.indicateurs("part_65_ans_plus_menages_rp", codes=["75056"], millesime=2016)
    p21 = tl.indicateurs("part_65_ans_plus_menages_rp", codes=["75056"], millesime=2021)
    assert p16.loc["75056", "part_65_ans_plus_menages_rp"] == pytest.approx(100 * 5.0 / 7.5)
    assert p21.loc["75056", "part_65_ans_plus_menages_rp"] == pytest.approx(100.0)
    assert tl.indicateurs("part_75_ans_plus_menages_rp", codes=["01165"], millesime=2019).loc[
        "01165", "part_75_ans_plus_menages_rp"] == pytest.approx(100 * 3.0 / 6.0)
    ev = evolution("part_65_ans_plus_menages_rp", 2016, 2021, codes=["75056"])
    assert ev.attrs["type_evolution"] == "points"
    assert ev.loc["75056", "evolution"] == pytest.approx(100.0 - 100 * 5.0 / 7.5)
    # département incomplet (extrait de quelques communes) : NaN motivé, jamais une somme partielle
    dep = tl.indicateurs("part_75_ans_plus_menages_rp", niveau="departement", codes=["01"], millesime=2016,
                         couverture=True)
    assert np.isnan(dep.loc["01", "part_75_ans_plus_menages_rp"])
    assert dep.loc["01", "part_75_ans_plus_menages_rp_statut"] == "incomplet"


def test_rp_effectif_illisible_d_une_residence_principale_erreur(tmp_path):
    import zipfile

    from territoire_lib.connecteurs import rp_logements

    chemin = tmp_path / "RP2018_LOGEMT_csv.zip"
    with zipfile.ZipFile(chemin, "w") as z:
        z.writestr("FD_LOGEMT_2018.csv", "COMMUNE;CATL;INP65M;INP75M;INPER;IPONDL\n"
                                         "75056;4;Y;Y;Y;1.0\n75056;1;Y;0;2;1.5\n")
    with pytest.raises(commun.FichierWebNonConforme, match="insee_rp_logement_2018.*INP65M"):
        rp_logements.analyser(2018, chemin)


def test_rp_logements_poids_illisible_erreur(tmp_path):
    import zipfile

    from territoire_lib.connecteurs import rp_logements

    chemin = tmp_path / "rp.zip"
    with zipfile.ZipFile(chemin, "w") as z:
        z.writestr("FD_LOGEMT_2017.csv", "COMMUNE;CATL;INP65M;INP75M;INPER;IPONDL\n75056;1;0;0;1;deux\n")
    with pytest.raises(commun.FichierWebNonConforme, match="insee_rp_logement_2017.*IPONDL"):
        rp_logements.analyser(2017, chemin)
    with zipfile.ZipFile(chemin, "w") as z:
        z.writestr("FD_LOGEMT_2017.csv", "COMMUNE;IPONDL\n75056;1.0\n")
    with pytest.raises(commun.FichierWebNonConforme, match="colonnes attendues absentes du fichier : CATL"):
        rp_logements.analyser(2017, chemin)


def test_mobpro_flux_et_arrondissements():
    t = _analyser("insee_mobpro_2022")
    assert t.loc["01001"].tolist() == pytest.approx([370.75, 270.25])
    assert t.loc["75056"].tolist() == pytest.approx([4400, 400])  # 75101 → 75108 : même commune
    r = t.attrs["rapport"]
    assert r["lieux_travail_hors_cog"] == ["99140"] and r["residence"]["codes_non_apparies"] == ["99999"]


def test_lieux_comptes_sans_perte():
    tiers = _analyser("france_tiers_lieux_2023")
    assert tiers.loc[["01001", "01165", "75056"], "nb_tiers_lieux"].tolist() == [2, 1, 1]
    assert tiers.attrs["rapport"]["lignes_sans_code"] == 1  # doublon TL-0005 retiré, sans code compté
    med = _analyser("mediation_numerique_nationale")
    assert med.loc["01053", "nb_lieux_mediation_nationaux"] == 2  # l'un rattaché par code postal
    assert med.attrs["rapport"]["lieux_rattaches_par_code_postal"] == 1


def test_colonnes_manquantes_erreur_francaise(tmp_path):
    faux = tmp_path / "faux.csv"
    faux.write_text("code_insee;nbr\n01001;3\n", encoding="utf-8")
    with pytest.raises(ErreurSource, match="colonnes attendues absentes.*elig_ftth"):
        commun.lire_brut("arcep_ftth_communes", faux)


def test_source_inconnue_propose_des_noms():
    with pytest.raises(ErreurSource, match="insee_filosofi_2021"):
        commun.source_web("filosofi")


def test_sans_reseau_une_ligne_et_none(cache_vide, monkeypatch, capsys):
    """Adresse injoignable (port fermé en boucle locale) : une ligne, pas de trace, None."""
    sources = commun.lire_sources_web()
    src = sources["insee_filosofi_2021"]
    monkeypatch.setitem(sources, src.id, dataclasses.replace(src, url="http://127.0.0.1:9/filosofi.zip"))
    assert connecteurs.essayer("insee_filosofi_2021") is None
    sortie = capsys.readouterr().out.strip().splitlines()
    assert len(sortie) == 1
    assert "Filosofi" in sortie[0] and "http://127.0.0.1:9/filosofi.zip" in sortie[0]
    assert "Traceback" not in sortie[0]
    with pytest.raises(connecteurs.SourceWebIndisponible, match="Source en ligne indisponible"):
        connecteurs.charger("insee_filosofi_2021")


def test_fichier_corrompu_une_ligne(cache_vide, capsys):
    cible = commun.chemin_brut(commun.source_web("insee_filosofi_2021"))
    cible.parent.mkdir(parents=True)
    cible.write_bytes(b"PK\x03\x04 tronque")
    assert connecteurs.essayer("insee_filosofi_2021") is None
    ligne = capsys.readouterr().out.strip()
    assert "\n" not in ligne and "corrompu" in ligne and "filosofi-2021" in ligne


def _simuler_telechargement(monkeypatch, fixture):
    import pooch

    def retrieve(url, known_hash, fname, path, downloader):
        Path(path).mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / fixture, Path(path) / fname)
        return str(Path(path) / fname)

    monkeypatch.setattr(pooch, "retrieve", retrieve)


def test_empreinte_enregistree_puis_epinglee(cache_vide, monkeypatch, capsys):
    _simuler_telechargement(monkeypatch, FICHIERS["arcep_ftth_communes"])
    table = connecteurs.essayer("arcep_ftth_communes")
    assert table is not None and len(table) == 3
    attendu = commun._sha256(FIXTURES / FICHIERS["arcep_ftth_communes"])
    assert f'sha256 = "{attendu}"' in capsys.readouterr().out
    assert commun.registre_empreintes()["arcep_ftth_communes"]["sha256"] == attendu
    sources = commun.lire_sources_web()
    src = sources["arcep_ftth_communes"]
    monkeypatch.setitem(sources, src.id, dataclasses.replace(src, sha256="0" * 64))
    with pytest.raises(connecteurs.EmpreinteWebInattendue, match="épinglée dans sources_web.toml"):
        commun.telecharger("arcep_ftth_communes")
    monkeypatch.setitem(sources, src.id, dataclasses.replace(src, sha256=attendu))
    assert commun.telecharger("arcep_ftth_communes").exists()


def test_indicateurs_web_comme_les_autres(cache_fixtures):
    df = tl.indicateurs("taux_pauvrete", niveau="epci", couverture=True)
    assert np.isnan(df.loc["200071751", "taux_pauvrete"])  # communes sous secret : jamais une somme partielle tue
    assert df.loc["200071751", "taux_pauvrete_communes_non_renseignees"] > 0
    assert df.loc["200071751", "taux_pauvrete_statut"] == "incomplet"
    df = tl.indicateurs("taux_pauvrete", niveau="epci", couverture=True, partiel=True)
    assert df.loc["200071751", "taux_pauvrete"] == pytest.approx(20.0)
    assert df.attrs["completude"]["taux_pauvrete"]["territoires"]["200071751"]["statut"] == "partiel"
    com = tl.indicateurs(["mediane_niveau_vie", "part_locaux_raccordables_fibre"], codes=["75056", "01001"])
    assert com.loc["75056", "mediane_niveau_vie"] == 30000
    assert com.loc["01001", "part_locaux_raccordables_fibre"] == pytest.approx(95.0)
    dep = tl.indicateurs(["nb_france_services", "nb_tiers_lieux", "part_actifs_travaillant_hors_commune"],
                         niveau="departement", codes=["01"], partiel=True)
    assert dep.loc["01", "nb_france_services"] == 2 and dep.loc["01", "nb_tiers_lieux"] == 3
    assert "Filosofi 2021" in tl.ligne_source("taux_pauvrete")
    assert "Licence Ouverte" in tl.indicateur("taux_pauvrete").licences


def test_mediane_jamais_agregee(cache_fixtures):
    with pytest.raises(IndicateurNonDisponible, match="non additive"):
        tl.indicateurs("mediane_niveau_vie", niveau="epci")


def test_indicateur_web_absent_du_cache(cache_vide):
    with pytest.raises(IndicateurNonDisponible,
                       match="python -m territoire_lib.connecteurs telecharger insee_filosofi_2021"):
        tl.indicateurs("taux_pauvrete", niveau="epci")


def test_ligne_de_commande(cache_fixtures, capsys):
    from territoire_lib.connecteurs.__main__ import main

    assert main(["liste"]) == 0
    assert "insee_bpe_2023" in capsys.readouterr().out
    assert main(["telecharger", "france_tiers_lieux_2023"]) == 0
    assert connecteurs.statut().set_index("source").loc["france_tiers_lieux_2023", "table"]


@pytest.mark.reseau
@pytest.mark.parametrize("sid", sorted(FICHIERS))
def test_source_officielle_en_ligne(sid, tmp_path, monkeypatch):
    """Télécharge la vraie source, l'analyse et vérifie l'ordre de grandeur."""
    if not commun.source_web(sid).adresse_verifiee:
        pytest.skip(f"{sid} : adresse de téléchargement non vérifiée (import manuel, voir sources_web.toml)")
    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path))
    table = connecteurs.charger(sid)
    assert table["code_commune"].is_unique
    assert len(table) > 20000  # environ 34 900 communes
    r = table.attrs["rapport"]
    assert len(r.get("codes_non_apparies", [])) < 200, r.get("codes_non_apparies")


def test_indicateurs_en_ligne_et_vue_flux(cache_fixtures, capsys):
    df = connecteurs.indicateurs_en_ligne(["taux_pauvrete", "population"], niveau="departement", codes=["75"])
    assert df.loc["75", "taux_pauvrete"] == pytest.approx(15.0)
    od = connecteurs.essayer("insee_mobpro_2022", vue="flux")
    assert {"code_commune_residence", "code_commune_travail", "actifs_occupes"} <= set(od.columns)
    sortie = capsys.readouterr().out.strip().splitlines()
    assert sortie == [connecteurs.millesime_en_cache("insee_filosofi_2021")]  # le millésime servi, en une ligne
    assert "Filosofi 2021" in sortie[0] and "fichier en cache" in sortie[0]
    assert connecteurs.indicateurs_en_ligne("mediane_niveau_vie", niveau="epci") is None
    assert len(capsys.readouterr().out.strip().splitlines()) == 1


def test_indicateurs_en_ligne_sans_reseau(cache_vide, monkeypatch, capsys):
    sources = commun.lire_sources_web()
    src = sources["arcep_ftth_communes"]
    monkeypatch.setitem(sources, src.id, dataclasses.replace(src, url="http://127.0.0.1:9/arcep.csv"))
    assert connecteurs.indicateurs_en_ligne("part_locaux_raccordables_fibre", niveau="epci") is None
    sortie = capsys.readouterr().out.strip().splitlines()
    assert len(sortie) == 1 and "Arcep" in sortie[0]


def test_carte_d_un_indicateur_web(cache_fixtures):
    from territoire_lib.cartes import carte

    assert carte("taux_pauvrete", niveau="departement") is not None


@pytest.mark.parametrize("carnet", sorted(p.name for p in (RACINE / "notebooks").glob("0*.ipynb")))
def test_sections_en_ligne_des_carnets_avec_sources_en_cache(carnet, cache_fixtures, capsys):
    """Les cellules « aller plus loin (en ligne) » tournent quand les sources sont en cache (fixtures)."""
    import nbformat

    from territoire_lib.cartes import carte

    nb = nbformat.read(RACINE / "notebooks" / carnet, as_version=4)
    cellules = [c.source for c in nb.cells if c.cell_type == "code" and "indicateurs_en_ligne" in c.source]
    if not cellules:
        pytest.skip(f"{carnet} : pas de section en ligne")
    affiches = []
    espace = {"carte": carte, "display": affiches.append,
              "EVOLUTION": {"evolution_population_annuelle": "2016-2023"}}
    for source in cellules:
        exec(source, espace)
    assert "Section en ligne ignorée" not in capsys.readouterr().out
    assert affiches, "la section en ligne n'a rien affiché"


def test_table_en_cache_d_un_ancien_analyseur_recalculee(cache_fixtures):
    """Une table analysée par une version antérieure de l'analyseur (ex. sans les colonnes d'âge)
    est recalculée depuis le fichier brut du cache, sans réseau, au lieu d'être servie telle quelle."""
    sid = "insee_filosofi_2021"
    t = connecteurs.table_communale(sid)  # première analyse depuis le brut
    assert connecteurs.rapport(sid)["empreinte_analyseur"] == connecteurs.empreinte_analyseur(sid)
    cible = commun.chemin_table(commun.source_web(sid))
    t.drop(columns=t.columns[-1]).to_parquet(cible, index=False)  # table « ancienne », une colonne de moins
    chemin_rapport = cible.with_suffix(".rapport.json")
    ancien = json.loads(chemin_rapport.read_text(encoding="utf-8"))
    ancien["empreinte_analyseur"] = "ancienne"
    chemin_rapport.write_text(json.dumps(ancien), encoding="utf-8")
    t2 = connecteurs.table_communale(sid)
    assert list(t2.columns) == list(t.columns)
    assert connecteurs.rapport(sid)["empreinte_analyseur"] == connecteurs.empreinte_analyseur(sid)
