"""Insee, recensement de la population : logements et âge des habitants par commune, RP 2016 à 2021.

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

Âge (vieillissement) : le catalogue des fichiers de l'Insee ne liste aucune base
communale « Population » du recensement (âges) sur plusieurs millésimes — seulement
les populations légales 2022 (sans âge) et les fichiers détail individus, localisés
au canton-ou-ville (INDCVI) ou à la région (INDREG). Les fichiers détail logements
portent en revanche, pour chaque résidence principale, le nombre de personnes du
ménage (``INPER``) et celles de 65 ans ou plus (``INP65M``) et de 75 ans ou plus
(``INP75M``), « Y » hors résidence principale (catalogue, RP 2016). Pondérés par
``IPONDL``, ils donnent la population des ménages par commune et par âge : elle
exclut la population hors ménages (maisons de retraite, Ehpad, foyers,
communautés), si bien que la part des 75 ans ou plus y est plus basse que dans la
population totale là où un établissement pour personnes âgées est implanté.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from .commun import (
    FichierWebNonConforme,
    SourceWeb,
    SourceWebIndisponible,
    _membre,
    _verifier_entete,
    chemin_brut,
    harmoniser_codes,
    sommer_par_commune,
    source_web,
)

__all__ = ["SOURCES", "SERIES", "CATEGORIES", "PERSONNES", "analyser", "analyser_series"]

#: Source de chaque millésime.
SOURCES = {annee: f"insee_rp_logement_{annee}" for annee in (2016, 2017, 2018, 2019, 2020, 2021)}
SERIES = "insee_rp_logements_series"
#: CATL → colonne produite (les catégories 2 et 3 sont regroupées).
CATEGORIES = {"1": "residences_principales", "2": "residences_secondaires", "3": "residences_secondaires",
              "4": "logements_vacants"}
COLONNES = ["COMMUNE", "CATL", "IPONDL", "INPER", "INP65M", "INP75M"]
#: Colonne du fichier → population des ménages produite (somme de IPONDL × effectif du ménage).
PERSONNES = {"INPER": "population_menages", "INP65M": "population_65_ans_plus",
             "INP75M": "population_75_ans_plus"}


def _blocs(source_id: str, chemin: Path):
    """Blocs (DataFrame de COMMUNE, CATL, IPONDL, INPER, INP65M, INP75M) du fichier détail, en flux."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    src = source_web(source_id)
    types = {c: pa.float64() if c == "IPONDL" else pa.string() for c in COLONNES}
    if src.format == "parquet":
        fichier = pq.ParquetFile(chemin)
        _verifier_entete(src, list(fichier.schema_arrow.names))
        for lot in fichier.iter_batches(columns=COLONNES, batch_size=1 << 20):
            yield lot.to_pandas().astype({c: "float64" if c == "IPONDL" else "string" for c in COLONNES})
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


def _personnes(src: SourceWeb, bloc: pd.DataFrame) -> pd.DataFrame:
    """Personnes pondérées (IPONDL × effectif) des résidences principales d'un bloc, par colonne de PERSONNES.

    Hors résidence principale, l'effectif vaut « Y » (aucune personne comptée) ;
    dans une résidence principale, un effectif qui n'est pas un entier arrête
    l'analyse (rien n'est chargé à moitié).
    """
    principales = (bloc["CATL"] == "1").fillna(False).astype(bool)
    sortie = pd.DataFrame(index=bloc.index)
    for col, nom in PERSONNES.items():
        effectif = pd.to_numeric(bloc[col].where(principales), errors="coerce")
        illisibles = principales & effectif.isna()
        if illisibles.any():
            exemples = sorted({str(v) for v in bloc.loc[illisibles, col].head(5)})
            raise FichierWebNonConforme(src, [f"effectif {col} illisible pour une résidence principale : {exemples}"])
        sortie[nom] = effectif.fillna(0.0) * bloc["IPONDL"]
    return sortie


def analyser(annee: int, chemin: Path | None = None) -> pd.DataFrame:
    """Logements et population des ménages par âge, par commune du COG courant, pour un millésime du recensement.

    Renvoie
    -------
    DataFrame
        ``code_commune``, ``logements``, ``residences_principales``,
        ``residences_secondaires`` (avec les logements occasionnels),
        ``logements_vacants`` (sommes de poids), ``population_menages``,
        ``population_65_ans_plus``, ``population_75_ans_plus`` (personnes des
        résidences principales, sommes de IPONDL × effectif) ; ``attrs["rapport"]``.

    Lève
    ----
    FichierWebNonConforme
        Colonne absente, une valeur de ``IPONDL`` qui n'est pas un nombre, ou un
        effectif (``INPER``, ``INP65M``, ``INP75M``) illisible pour une résidence principale.
    """
    import pyarrow as pa

    source_id = SOURCES[annee]
    src = source_web(source_id)
    chemin = Path(chemin) if chemin is not None else chemin_brut(src)
    partiels = []
    personnes = []
    lignes = 0
    try:
        for bloc in _blocs(source_id, chemin):
            lignes += len(bloc)
            partiels.append(bloc.groupby(["COMMUNE", "CATL"], dropna=False)["IPONDL"].agg(["sum", "size"]))
            personnes.append(_personnes(src, bloc).groupby(bloc["COMMUNE"], dropna=False).sum())
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
    pers = pd.concat(personnes).groupby(level=0, dropna=False).sum()
    large = large.join(pers.reindex(large.index).fillna(0.0))
    large = large.reset_index().rename(columns={"COMMUNE": "code_publie"})
    courant, rapport = harmoniser_codes(large["code_publie"])
    large["code_commune"] = courant.to_numpy()
    colonnes = ["logements", "residences_principales", "residences_secondaires", "logements_vacants",
                *PERSONNES.values()]
    table = sommer_par_commune(large[large["code_commune"].notna()], colonnes)
    rapport.update({"millesime": annee, "logements_enquetes": int(lignes),
                    "logements_estimes": float(large["logements"].sum()),
                    "population_menages_estimee": float(large["population_menages"].sum())})
    table.attrs["rapport"] = rapport
    return table


def analyser_series(chemin: Path | None = None) -> pd.DataFrame:
    """Tous les millésimes en cache, une colonne par mesure et par année (``logements_vacants_rp2016``,
    ``population_65_ans_plus_rp2016``…).

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
        for col in ("logements", "residences_secondaires", "logements_vacants", *PERSONNES.values()):
            table[f"{col}_rp{annee}"] = table["code_commune"].map(t[col]).astype("float64")
    table.attrs["rapport"] = rapport
    return table
