"""Aucune ligne sur une personne n'est écrite sur disque, pas même dans le cache des extraits."""
from __future__ import annotations

import lzma
import zipfile

from territoire_lib.construction import elus
from territoire_lib.construction.sources import FichierSource, MembreArchive, Paquet, extraire, lire_sources


def _paquet(tmp_path):
    archive = tmp_path / "faux-1.0-py3-none-any.whl"
    contenu = lzma.compress("commune_id,sexe,date_naissance,profession\n1,F,1970-01-01,23\n".encode())
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("faux/elus.csv.lzma", contenu)
        z.writestr("faux/communes.csv", "code\n01001\n")
    fichiers = {
        "elus": FichierSource("elus", "faux/elus.csv.lzma", "élus (fictif)", "test", "test", "test", personnel=True),
        "communes": FichierSource("communes", "faux/communes.csv", "communes", "test", "test", "test"),
    }
    return Paquet(id="faux", registre="pypi", nom="faux", version="1.0", archive=archive.name, sha256="",
                  licence_paquet="MIT", fichiers=fichiers), archive


def test_fichier_personnel_jamais_extrait(tmp_path):
    paquet, archive = _paquet(tmp_path)
    cache = tmp_path / "cache"
    chemins = extraire(paquet, archive, cache)
    assert isinstance(chemins["elus"], MembreArchive)
    assert chemins["communes"].exists()
    ecrits = [p.name for p in cache.rglob("*") if p.is_file()]
    assert ecrits == ["communes.csv"]  # le fichier des élus n'est pas copié
    table = elus._lire_colonnes(chemins["elus"], ("commune_id", "sexe"))
    assert table.to_dict("records") == [{"commune_id": "1", "sexe": "F"}]


def test_copie_ancienne_effacee(tmp_path):
    paquet, archive = _paquet(tmp_path)
    cache = tmp_path / "cache"
    ancienne = cache / "extraits" / "faux-1.0" / "faux" / "elus.csv.lzma"
    ancienne.parent.mkdir(parents=True)
    ancienne.write_bytes(b"ancienne copie")
    extraire(paquet, archive, cache)
    assert not ancienne.exists()


def test_fichiers_des_elus_declares_personnels():
    for p in lire_sources().values():
        for f in p.fichiers.values():
            if "elus" in f.chemin:
                assert f.personnel, f"{p.id}:{f.id} doit porter personnel = true (jamais extrait)"
