"""Insee, recensement de la population : logements par commune sur plusieurs millésimes (RP 2016 à 2021).

Source : les fichiers détail « logements ordinaires » (FD_LOGEMT) listés par le
catalogue des fichiers de l'Insee, une ligne par logement enquêté avec son
poids (``IPONDL``), sa catégorie (``CATL`` : 1 résidence principale,
2 logement occasionnel, 3 résidence secondaire, 4 logement vacant) et sa
commune (``COMMUNE``). Les comptages communaux sont des sommes de poids
(estimations du recensement, non entières), comme les tableaux publiés par
l'Insee ; une commune de moins de 2 000 habitants n'est enquêtée
exhaustivement qu'une fois tous les cinq ans.

Ces fichiers pèsent près de 400 Mo chacun : ils sont lus par blocs avec
:mod:`pyarrow` (trois colonnes seulement), jamais en entier en mémoire.
``résidences secondaires`` regroupe, comme dans les publications de l'Insee,
résidences secondaires et logements occasionnels.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from .commun import (
    FichierWebNonConforme,
    SourceWebIndisponible,
    _membre,
    _verifier_entete,
    chemin_brut,
    harmoniser_codes,
    sommer_par_commune,
    source_web,
)

__all__ = ["SOURCES", "SERIES", "CATEGORIES", "analyser", "analyser_series"]

#: Source de chaque millésime.
SOURCES = {annee: f"insee_rp_logement_{annee}" for annee in (2016, 2017, 2018, 2019, 2020, 2021)}
SERIES = "insee_rp_logements_series"
#: CATL → colonne produite (les catégories 2 et 3 sont regroupées).
CATEGORIES = {"1": "residences_principales", "2": "residences_secondaires", "3": "residences_secondaires",
              "4": "logements_vacants"}
COLONNES = ["COMMUNE", "CATL", "IPONDL"]


def _blocs(source_id: str, chemin: Path):
    """Blocs (DataFrame de COMMUNE, CATL, IPONDL) du fichier détail, en flux."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    src = source_web(source_id)
    types = {"COMMUNE": pa.string(), "CATL": pa.string(), "IPONDL": pa.float64()}
    if src.format == "parquet":
        fichier = pq.ParquetFile(chemin)
        _verifier_entete(src, list(fichier.schema_arrow.names))
        for lot in fichier.iter_batches(columns=COLONNES, batch_size=1 << 20):
            yield lot.to_pandas().astype({"COMMUNE": "string", "CATL": "string", "IPONDL": "float64"})
        return
    with zipfile.ZipFile(chemin) as archive:
        membre = _membre(src, archive)
        with archive.open(membre) as flux:
            entete = flux.readline().decode("utf-8-sig").strip().split(src.separateur)
        _verifier_entete(src, [c.strip().strip('"') for c in entete])
        with archive.open(membre) as flux:
            lecteur = pcsv.open_csv(flux, read_options=pcsv.ReadOptions(block_size=1 << 24),
                                    parse_options=pcsv.ParseOptions(delimiter=src.separateur),
                                    convert_options=pcsv.ConvertOptions(include_columns=COLONNES,
                                                                        column_types=types))
            for lot in lecteur:
                yield lot.to_pandas()


def analyser(annee: int, chemin: Path | None = None) -> pd.DataFrame:
    """Logements par commune du COG courant pour un millésime du recensement.

    Renvoie
    -------
    DataFrame
        ``code_commune``, ``logements``, ``residences_principales``,
        ``residences_secondaires`` (avec les logements occasionnels),
        ``logements_vacants`` (sommes de poids) ; ``attrs["rapport"]``.

    Lève
    ----
    FichierWebNonConforme
        Colonne absente, ou une valeur de ``IPONDL`` qui n'est pas un nombre.
    """
    import pyarrow as pa

    source_id = SOURCES[annee]
    src = source_web(source_id)
    chemin = Path(chemin) if chemin is not None else chemin_brut(src)
    partiels = []
    lignes = 0
    try:
        for bloc in _blocs(source_id, chemin):
            lignes += len(bloc)
            partiels.append(bloc.groupby(["COMMUNE", "CATL"], dropna=False)["IPONDL"].agg(["sum", "size"]))
    except pa.ArrowInvalid as exc:
        raise FichierWebNonConforme(src, [f"valeur illisible dans COMMUNE, CATL ou IPONDL ({str(exc)[:160]})"]) from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SourceWebIndisponible(src, f"fichier corrompu ou tronqué ({type(exc).__name__} : {exc})") from None
    somme = pd.concat(partiels).groupby(level=[0, 1], dropna=False).sum()
    inconnues = sorted(str(c) for c in somme.index.get_level_values("CATL").unique() if c not in CATEGORIES)
    if inconnues:
        raise FichierWebNonConforme(src, [f"catégories de logement CATL inconnues : {inconnues}"])
    large = somme["sum"].unstack("CATL").reindex(columns=list(CATEGORIES)).fillna(0.0)
    large = large.T.groupby(pd.Series(CATEGORIES)).sum().T
    large["logements"] = large.sum(axis=1)
    large = large.reset_index().rename(columns={"COMMUNE": "code_publie"})
    courant, rapport = harmoniser_codes(large["code_publie"])
    large["code_commune"] = courant.to_numpy()
    colonnes = ["logements", "residences_principales", "residences_secondaires", "logements_vacants"]
    table = sommer_par_commune(large[large["code_commune"].notna()], colonnes)
    rapport.update({"millesime": annee, "logements_enquetes": int(lignes),
                    "logements_estimes": float(large["logements"].sum())})
    table.attrs["rapport"] = rapport
    return table


def analyser_series(chemin: Path | None = None) -> pd.DataFrame:
    """Tous les millésimes en cache, une colonne par mesure et par année (``logements_vacants_rp2016``…).

    Une commune du COG courant absente d'un millésime (commune rétablie depuis,
    par exemple) y vaut NA, jamais 0.
    """
    from ..chargement import territoires
    from . import table_communale

    table = territoires("commune")[["code_commune"]].reset_index(drop=True)
    rapport = {}
    for sid in source_web(SERIES).composantes:
        annee = next(a for a, s in SOURCES.items() if s == sid)
        t = table_communale(sid).set_index("code_commune")
        rapport[str(annee)] = {k: v for k, v in t.attrs.get("rapport", {}).items() if not isinstance(v, (list, dict))}
        for col in ("logements", "residences_secondaires", "logements_vacants"):
            table[f"{col}_rp{annee}"] = table["code_commune"].map(t[col]).astype("float64")
    table.attrs["rapport"] = rapport
    return table
