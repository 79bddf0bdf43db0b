"""Sources web confrontées à ce que l'Insee publie réellement, et vérifications au téléchargement.

Référence : le catalogue des fichiers téléchargeables de l'Insee tenu par son
paquet R DoReMIFaSol (InseeFrLab), état du 23/10/2025, lu dans
``../shared/references/insee/liste_fichiers_insee.json`` (jamais copié dans le
dépôt ; test sauté, avec un message, quand ``../shared`` est absent).

Pour chaque déclaration de ``sources_web.toml`` dont l'adresse est sur insee.fr :

- si le catalogue connaît le même identifiant de fichier Insee (le nombre de
  ``/statistiques/fichier/<id>/``), la déclaration doit citer son entrée
  (``catalogue_insee``) et avoir la même adresse, le même fichier interne, le
  même séparateur, la même taille, le même md5 et exactement les mêmes colonnes
  et types ;
- sinon elle doit dire pourquoi elle est hors catalogue (``hors_catalogue``) ;
- une entrée du catalogue dont l'adresse ne correspond pas à son libellé (des
  AAV 2020 pointent vers l'archive des UU 2020) ne peut être suivie qu'avec une
  explication (``ecart_catalogue``).
"""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from territoire_lib import connecteurs
from territoire_lib.connecteurs import commun

RACINE = Path(__file__).resolve().parents[1]
REFERENCES = RACINE / ".." / "shared" / "references"
CATALOGUE_INSEE = REFERENCES / "insee" / "liste_fichiers_insee.json"
FIXTURES = Path(__file__).parent / "fixtures" / "connecteurs"


@pytest.fixture(scope="module")
def catalogue_insee() -> list[dict]:
    if not CATALOGUE_INSEE.exists():
        pytest.skip("Catalogue des fichiers de l'Insee absent (../shared/references/insee/) : "
                    "comparaison des déclarations sautée.")
    return json.loads(CATALOGUE_INSEE.read_text(encoding="utf-8"))


def _id_fichier(url: str) -> str | None:
    m = re.search(r"insee\.fr/fr/statistiques/fichier/(\d+)/", url)
    return m.group(1) if m else None


def _sources_insee():
    """Sources dont le fichier est sur insee.fr (une série composée n'a pas de fichier propre)."""
    return [s for s in commun.lire_sources_web().values() if "insee.fr" in s.url and not s.composantes]


def _entree(catalogue, ref: dict) -> dict:
    trouvees = [e for e in catalogue if e["nom"] == ref["nom"] and e.get("date_ref") == ref["date_ref"]]
    assert len(trouvees) == 1, f"entrée du catalogue introuvable ou ambiguë : {ref}"
    return trouvees[0]


def _adresse_incoherente(entree: dict) -> bool:
    """L'archive visée ne porte pas le nom du zonage de l'entrée (ex. AAV2020 → UU2020_…zip)."""
    zonage = entree["nom"].split("_")[0]
    archive = entree["lien"].rsplit("/", 1)[-1]
    return bool(re.fullmatch(r"(AAV|UU|ZE|BV)20\d\d", zonage)) and not archive.startswith(zonage[:2])


def test_chaque_source_insee_a_une_entree_du_catalogue_ou_un_motif(catalogue_insee):
    ids = {}
    for e in catalogue_insee:
        ids.setdefault(_id_fichier(e["lien"]), []).append(e)
    for s in _sources_insee():
        i = _id_fichier(s.url)
        if s.catalogue_insee:
            _entree(catalogue_insee, s.catalogue_insee)
        else:
            assert i not in ids, (f"{s.id} : l'Insee publie le fichier {i} ({[e['lien'] for e in ids[i]]}) "
                                  "mais la déclaration ne cite pas son entrée du catalogue")
            assert s.hors_catalogue, f"{s.id} : hors catalogue sans motif (hors_catalogue)"
        if i in ids and not s.ecart_catalogue:
            assert s.url in {e["lien"] for e in ids[i]}, (
                f"{s.id} : {s.url} absent du catalogue pour le fichier Insee {i} "
                f"(adresses publiées : {sorted({e['lien'] for e in ids[i]})})")


@pytest.mark.parametrize("sid", sorted(s.id for s in _sources_insee() if s.catalogue_insee))
def test_declaration_identique_au_catalogue(sid, catalogue_insee):
    s = commun.source_web(sid)
    e = _entree(catalogue_insee, s.catalogue_insee)
    if _adresse_incoherente(e):
        assert s.ecart_catalogue, f"{sid} : l'adresse du catalogue ({e['lien']}) contredit son libellé"
        attendu = e["fichier_donnees"].rsplit(".", 1)[0] + ".zip"
        assert s.url.rsplit("/", 1)[-1] == attendu and s.url != e["lien"]
    else:
        assert s.url == e["lien"] and not s.ecart_catalogue
    if e.get("fichier_donnees"):
        assert re.fullmatch(s.membre, e["fichier_donnees"], flags=re.IGNORECASE), (s.membre, e["fichier_donnees"])
    else:  # fichier direct (parquet), sans archive
        assert not s.membre and s.format == e["type"]
    assert (s.md5, s.octets) == (e["md5"], e["size"])
    if e.get("separateur"):
        assert s.separateur == e["separateur"]
    if e.get("onglet"):
        assert (s.onglet, s.premiere_ligne) == (e["onglet"], e["premiere_ligne"])
    if e.get("valeurs_manquantes"):
        assert e["valeurs_manquantes"] in s.valeurs_manquantes
    if e.get("type_col"):
        attendu = {c: commun.TYPES_CATALOGUE_INSEE[t] for c, t in e["type_col"].items()}
        assert list(s.schema.items()) == list(attendu.items()), "schéma différent du catalogue"
        for col, type_ in s.colonnes.items():
            assert attendu[col] == type_, f"{sid} : {col} déclarée {type_}, {attendu[col]} au catalogue"


def test_ancienne_adresse_bpe24_n_est_plus_declaree(catalogue_insee):
    assert not any("BPE24" in s.url for s in commun.lire_sources_web().values())
    assert commun.source_web("insee_bpe_2023").url in {e["lien"] for e in catalogue_insee}


def test_ages_du_recensement_lus_dans_les_fichiers_logements(catalogue_insee):
    """Pas de base communale des âges au catalogue : les âges viennent des FD_LOGEMT (INPER, INP65M, INP75M)."""
    rp = {e["nom"] for e in catalogue_insee if e.get("collection") == "RP"}
    assert not any("POP" in n for n in rp - {"RP_POP_LEGALE_COM"}), "une base « Population » est apparue"
    individus = [e for e in catalogue_insee if e["nom"] in ("RP_INDCVI", "RP_INDREG") and e.get("type_col")]
    assert individus and all("COMMUNE" not in e["type_col"] for e in individus)  # canton-ou-ville, région
    log16 = _entree(catalogue_insee, {"nom": "RP_LOGEMENT", "date_ref": "2016-01-01"})
    for col in ("INPER", "INP65M", "INP75M"):
        assert log16["type_col"][col] == "character" and "Y" in log16["val_col"][col]  # « Y » hors rés. principale
    for annee in range(2016, 2022):
        s = commun.source_web(f"insee_rp_logement_{annee}")
        assert {"INPER", "INP65M", "INP75M"} <= set(s.colonnes) <= set(s.schema)


def test_estel_absent_faute_de_schema_au_catalogue(catalogue_insee):
    """ESTEL : département et région seulement, sans colonnes au catalogue ; la non-déclaration est motivée."""
    estel = [e for e in catalogue_insee if e.get("collection") == "ESTEL"]
    assert estel and all(re.search(r"/irsocee\w*_loc_(excel|csv)\.zip$", e["lien"]) for e in estel)
    assert not any(e.get("type_col") for e in estel), "le catalogue donne désormais les colonnes d'ESTEL : déclarez-le"
    csv = {(e["lien"], e["fichier_donnees"], e["md5"], e["size"]) for e in estel if e["type"] == "csv"}
    assert ("https://www.insee.fr/fr/statistiques/fichier/4487296/irsoceenl18_loc_csv.zip", "t201.csv",
            "c88e925e5ade4b157d7f0968ff1749b0", 2366296) in csv
    declarees = commun.lire_sources_web().values()
    if not any("irsocee" in s.url for s in declarees):  # motif écrit dans sources_web.toml, faits épinglés
        texte = commun.FICHIER_SOURCES_WEB.read_text(encoding="utf-8")
        assert "irsoceenl18_loc_csv.zip" in texte and "c88e925e5ade4b157d7f0968ff1749b0" in texte


# --------------------------------------------------------------------------- fixtures au schéma exact
def _entete_fixture(sid: str, chemin: Path) -> list[str]:
    s = commun.source_web(sid)
    if s.format == "zip":
        with zipfile.ZipFile(chemin) as archive:
            membre = commun._membre(s, archive)
            if membre.lower().endswith(".xlsx"):
                with archive.open(membre) as f:
                    df = pd.read_excel(f, sheet_name=s.onglet, skiprows=s.premiere_ligne - 1, nrows=0)
                return [str(c) for c in df.columns]
            with archive.open(membre) as f:
                return pd.read_csv(f, sep=s.separateur, nrows=0).columns.tolist()
    if s.format == "parquet":
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(chemin).schema_arrow.names)
    return pd.read_csv(chemin, sep=s.separateur, nrows=0).columns.tolist()


def test_fixtures_au_schema_exact():
    from test_connecteurs import FICHIERS

    for sid, nom in FICHIERS.items():
        s = commun.source_web(sid)
        entete = _entete_fixture(sid, FIXTURES / nom)
        if s.schema:  # schéma complet déclaré (catalogue Insee ou fichier réel) : à l'identique
            assert entete == list(s.schema), sid
        else:  # seules les colonnes lues sont déclarées : toutes présentes
            assert set(s.colonnes) <= set(entete), sid


# --------------------------------------------------------------------------- écarts au téléchargement
def _simuler(monkeypatch, contenu: Path):
    import pooch

    def retrieve(url, known_hash, fname, path, downloader):
        Path(path).mkdir(parents=True, exist_ok=True)
        shutil.copy(contenu, Path(path) / fname)
        return str(Path(path) / fname)

    monkeypatch.setattr(pooch, "retrieve", retrieve)


def test_taille_differente_refusee_et_retiree(tmp_path, monkeypatch):
    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "cache"))
    _simuler(monkeypatch, FIXTURES / "fixture_BPE23.zip")  # quelques octets au lieu de 147 Mo
    with pytest.raises(commun.FichierWebNonConforme, match=r"insee_bpe_2023.*taille .* au lieu de 147"):
        commun.telecharger("insee_bpe_2023")
    assert not commun.chemin_brut(commun.source_web("insee_bpe_2023")).exists()  # rien à moitié chargé
    assert not connecteurs.disponible("insee_bpe_2023")


def test_md5_different_refuse(tmp_path, monkeypatch):
    import dataclasses

    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "cache"))
    fixture = FIXTURES / "fixture_BPE23.zip"
    sources = commun.lire_sources_web()
    src = sources["insee_bpe_2023"]
    monkeypatch.setitem(sources, src.id, dataclasses.replace(src, octets=fixture.stat().st_size))
    _simuler(monkeypatch, fixture)
    with pytest.raises(commun.FichierWebNonConforme, match="somme md5 [0-9a-f]{32} au lieu de 2cd2e957"):
        commun.telecharger("insee_bpe_2023")
    assert not commun.chemin_brut(src).exists()


def test_taille_et_md5_conformes_acceptes(tmp_path, monkeypatch):
    import dataclasses

    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "cache"))
    fixture = FIXTURES / "fixture_BPE23.zip"
    sources = commun.lire_sources_web()
    src = sources["insee_bpe_2023"]
    monkeypatch.setitem(sources, src.id, dataclasses.replace(src, octets=fixture.stat().st_size,
                                                            md5=commun._md5(fixture)))
    _simuler(monkeypatch, fixture)
    assert commun.telecharger("insee_bpe_2023").exists()


def _zip(tmp_path, texte: str) -> Path:
    chemin = tmp_path / "BPE23.zip"
    with zipfile.ZipFile(chemin, "w") as archive:
        archive.writestr("BPE23.csv", texte)
    return chemin


def test_colonne_du_schema_absente_erreur(tmp_path):
    s = commun.source_web("insee_bpe_2023")
    colonnes = [c for c in s.schema if c != "QUALI_IRIS"]
    with pytest.raises(commun.FichierWebNonConforme, match="insee_bpe_2023.*colonnes attendues absentes.*QUALI_IRIS"):
        commun.lire_brut("insee_bpe_2023", _zip(tmp_path, ";".join(colonnes) + "\n"))


def test_autre_separateur_nomme_dans_l_erreur(tmp_path):
    """Une liste France services séparée par « ; » (et non « , ») : l'erreur dit le séparateur, rien n'est chargé."""
    s = commun.source_web("anct_france_services")
    chemin = tmp_path / "france_services.csv"
    chemin.write_text(";".join(s.schema) + "\n", encoding="utf-8-sig")
    with pytest.raises(commun.FichierWebNonConforme, match="anct_france_services.*séparateur « ; ».*« , » déclaré"):
        commun.lire_brut("anct_france_services", chemin)


def test_colonne_retypee_erreur(tmp_path):
    from fixtures.connecteurs.generer import lignes_csv

    texte = lignes_csv("insee_bpe_2023", [{"AN": "2023", "DEPCOM": "01001", "TYPEQU": "A128",
                                           "LONGITUDE": "4,9 E", "LATITUDE": "46.1"}])
    with pytest.raises(commun.FichierWebNonConforme, match="colonne LONGITUDE déclarée float.*« 4,9 E »"):
        commun.lire_brut("insee_bpe_2023", _zip(tmp_path, texte))
    texte = lignes_csv("insee_bpe_2023", [{"AN": "2023.5", "DEPCOM": "01001", "TYPEQU": "A128"}])
    with pytest.raises(commun.FichierWebNonConforme, match="colonne AN déclarée int"):
        commun.lire_brut("insee_bpe_2023", _zip(tmp_path, texte))


def test_fichier_en_cache_non_conforme_une_ligne(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "cache"))
    cible = commun.chemin_brut(commun.source_web("insee_bpe_2023"))
    cible.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "fixture_BPE23.zip", cible)
    assert connecteurs.essayer("insee_bpe_2023") is None
    ligne = capsys.readouterr().out.strip()
    assert "\n" not in ligne and "taille" in ligne and "BPE23.zip" in ligne


def test_fixtures_generees_reproductibles(tmp_path, monkeypatch):
    """``generer.py`` réécrit à l'octet près les fixtures livrées (rien n'est retouché à la main)."""
    import sys

    sys.path.insert(0, str(FIXTURES))
    import generer

    monkeypatch.setattr(generer, "FIXTURES", tmp_path)
    generer.generer()
    ecrites = sorted(p.name for p in tmp_path.iterdir())
    assert len(ecrites) >= 7
    for nom in ecrites:
        assert (tmp_path / nom).read_bytes() == (FIXTURES / nom).read_bytes(), nom


def test_bpe_agregee_par_indicateurs(tmp_path, monkeypatch):
    import dataclasses

    import territoire_lib as tl

    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "cache"))
    fixture = FIXTURES / "fixture_DS_BPE_CSV_FR.zip"
    sources = commun.lire_sources_web()
    src = sources["insee_bpe_communes"]
    monkeypatch.setitem(sources, src.id, dataclasses.replace(src, octets=fixture.stat().st_size,
                                                            md5=commun._md5(fixture)))
    commun.importer("insee_bpe_communes", fixture)
    dep = tl.indicateurs(["nb_equipements_bpe", "pharmacies_pour_10000_hab"], niveau="departement", codes=["75"])
    pop = tl.indicateurs("population", codes=["75056"]).loc["75056", "population"]
    assert dep.loc["75", "pharmacies_pour_10000_hab"] == pytest.approx(5 / pop * 10000)


@pytest.mark.parametrize("sid,nom", [("insee_rp_logement_2021", "fixture_RP2021_logemt.parquet"),
                                     ("insee_rp_logement_2016", "fixture_RP2016_LOGEMT_csv.zip"),
                                     ("insee_aav2020", "fixture_AAV2020_au_01-01-2025.zip")])
def test_import_verifie_l_en_tete_sans_lire_les_lignes(sid, nom, tmp_path, monkeypatch):
    import dataclasses

    monkeypatch.setenv("TERRITOIRE_CACHE", str(tmp_path / "cache"))
    fixture = FIXTURES / nom
    sources = commun.lire_sources_web()
    monkeypatch.setitem(sources, sid, dataclasses.replace(sources[sid], octets=fixture.stat().st_size,
                                                          md5=commun._md5(fixture)))
    assert commun.importer(sid, fixture).exists()
    autre = tmp_path / nom
    autre.write_bytes(fixture.read_bytes())
    monkeypatch.setitem(sources, sid, dataclasses.replace(sources[sid], schema={**sources[sid].schema, "ABSENTE": "str"}))
    monkeypatch.setitem(sources, sid, dataclasses.replace(sources[sid], octets=0, md5=""))
    with pytest.raises(commun.FichierWebNonConforme, match="ABSENTE"):
        commun.verifier_schema(sid, autre)
