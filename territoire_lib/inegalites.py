"""Mesures d'inégalité et de concentration de la population (métropolisation).

Les indices de Gini et de Theil viennent du paquet PySAL ``inequality``
(:class:`inequality.gini.Gini`, :class:`inequality.theil.Theil`,
:class:`inequality.theil.TheilD` pour la décomposition entre / intra-groupes) ;
la loi rang-taille (Zipf) est ajustée par :func:`scipy.stats.linregress`.

Les fonctions « de bas niveau » (:func:`gini`, :func:`theil`,
:func:`decomposition_theil`, :func:`rang_taille`) prennent des ``Series`` ;
:func:`concentration_par_millesime` et :func:`part_population_metropoles`
lisent les populations légales des données construites (``donnees/``).
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

__all__ = [
    "populations_comparables",
    "gini",
    "theil",
    "decomposition_theil",
    "rang_taille",
    "concentration_par_millesime",
    "part_population_metropoles",
]

_log = logging.getLogger(__name__)

#: Département sans population légale dans les millésimes disponibles.
_MAYOTTE = "976"


def _valeurs(valeurs, minimum: int = 2) -> np.ndarray:
    """Valeurs non manquantes en float64, contrôlées (≥ 0, somme > 0, assez nombreuses)."""
    serie = valeurs if isinstance(valeurs, pd.Series) else pd.Series(valeurs)
    x = pd.to_numeric(serie, errors="raise").astype("float64").dropna().to_numpy()
    if len(x) < minimum:
        raise ValueError(
            f"Il faut au moins {minimum} valeurs non manquantes pour mesurer une inégalité "
            f"({len(x)} reçue(s))."
        )
    if (x < 0).any():
        raise ValueError(
            f"Les valeurs doivent être positives ou nulles ({int((x < 0).sum())} valeur(s) négative(s))."
        )
    if x.sum() == 0:
        raise ValueError("Toutes les valeurs sont nulles : l'inégalité n'est pas définie.")
    return x


def gini(valeurs: pd.Series) -> float:
    """Indice de Gini (0 = égalité parfaite, (n-1)/n = un seul territoire a tout).

    Calculé par :class:`inequality.gini.Gini` ; les valeurs manquantes sont ignorées.

    Paramètres
    ----------
    valeurs : Series
        Valeurs positives ou nulles (par ex. populations des communes).

    Renvoie
    -------
    float
        Indice de Gini, sans unité.

    Lève
    ----
    ValueError
        Moins de 2 valeurs non manquantes, valeur négative ou somme nulle.

    Exemples
    --------
    >>> gini(pd.Series([5, 5, 5, 5]))
    0.0
    >>> gini(pd.Series([0, 0, 0, 8, None]))
    0.75
    """
    from inequality.gini import Gini  # import différé : PySAL et scipy.stats ne pèsent que si l'on s'en sert
    return float(Gini(_valeurs(valeurs)).g)


def theil(valeurs: pd.Series) -> float:
    """Indice de Theil *T* (0 = égalité parfaite, ln(n) = un seul territoire a tout).

    Calculé par :class:`inequality.theil.Theil` ; les valeurs manquantes sont ignorées.

    Paramètres
    ----------
    valeurs : Series
        Valeurs positives ou nulles.

    Renvoie
    -------
    float
        Indice de Theil, sans unité (logarithme népérien).

    Exemples
    --------
    >>> theil(pd.Series([3.0, 3.0, 3.0]))
    0.0
    >>> round(theil(pd.Series([0, 0, 0, 8])), 6) == round(float(np.log(4)), 6)
    True
    """
    from inequality.theil import Theil  # import différé : PySAL et scipy.stats ne pèsent que si l'on s'en sert
    return float(np.squeeze(Theil(_valeurs(valeurs)).T))


def decomposition_theil(valeurs: pd.Series, groupes: pd.Series) -> pd.DataFrame:
    """Décompose le Theil *T* en inégalités entre groupes et à l'intérieur des groupes.

    Calculé par :class:`inequality.theil.TheilD`. Les lignes où la valeur ou le
    groupe manque sont écartées des deux séries (alignées sur leur index).

    Paramètres
    ----------
    valeurs : Series
        Valeurs positives ou nulles.
    groupes : Series
        Groupe de chaque observation (même index que ``valeurs``).

    Renvoie
    -------
    DataFrame
        Index ``composante`` : « total », « entre groupes », « intra-groupes » ;
        colonnes ``valeur`` (float64, Theil) et ``part_%`` (float64, % du total).
        Le nombre de lignes écartées est dans ``.attrs["nb_ecartes"]``.

    Exemples
    --------
    >>> v = pd.Series([1.0, 1.0, 3.0, 3.0])
    >>> g = pd.Series(["a", "a", "b", "b"])
    >>> d = decomposition_theil(v, g)
    >>> round(float(d.loc["intra-groupes", "valeur"]), 12)
    0.0
    >>> float(d.loc["entre groupes", "part_%"])
    100.0
    """
    if not valeurs.index.equals(groupes.index):
        if not valeurs.index.is_unique or not groupes.index.is_unique:
            raise ValueError("Les index de « valeurs » et « groupes » doivent être uniques pour être alignés.")
    v, g = valeurs.align(groupes, join="outer")
    ok = v.notna() & g.notna()
    nb_ecartes = int((~ok).sum())
    if nb_ecartes:
        _log.warning(
            "Décomposition de Theil : %d ligne(s) écartée(s) (valeur ou groupe manquant), ex. %s",
            nb_ecartes, list(v.index[~ok][:5]),
        )
    x = _valeurs(v[ok])
    partition = g[ok].astype(str).to_numpy(dtype=object)
    from inequality.theil import TheilD  # import différé : PySAL et scipy.stats ne pèsent que si l'on s'en sert
    d = TheilD(x, partition)
    total, entre = float(np.squeeze(d.T)), float(np.squeeze(d.bg))
    res = pd.DataFrame(
        {"valeur": [total, entre, total - entre]},
        index=pd.Index(["total", "entre groupes", "intra-groupes"], name="composante"),
    )
    res["part_%"] = 100 * res["valeur"] / total if total > 0 else np.nan
    res.attrs["nb_ecartes"] = nb_ecartes
    return res


def rang_taille(populations: pd.Series, n_max: int | None = None) -> dict:
    """Ajuste la loi rang-taille (Zipf) : log10(taille) = a + pente × log10(rang).

    Les valeurs strictement positives sont triées par taille décroissante
    (rang 1 = la plus grande) ; une pente proche de -1 correspond à la loi de Zipf.

    Paramètres
    ----------
    populations : Series
        Tailles indexées par code de territoire.
    n_max : int, optionnel
        Ne garder que les ``n_max`` plus grands territoires.

    Renvoie
    -------
    dict
        ``pente`` (float), ``ordonnee`` (float, log10 de la taille prédite au rang 1),
        ``r2`` (float), ``n`` (int, points ajustés), ``nb_ecartes`` (int, valeurs
        manquantes ou ≤ 0 écartées) et ``points`` (DataFrame : ``rang`` int64,
        ``taille`` float64, ``code`` str).

    Exemples
    --------
    >>> r = rang_taille(pd.Series([1000 / k for k in range(1, 51)]))
    >>> round(r["pente"], 6), r["n"]
    (-1.0, 50)
    """
    s = pd.to_numeric(populations, errors="raise").astype("float64")
    positives = s[s > 0].sort_values(ascending=False, kind="stable")
    nb_ecartes = int(len(s) - len(positives))
    if n_max is not None:
        positives = positives.iloc[:n_max]
    if len(positives) < 3:
        raise ValueError(f"Il faut au moins 3 tailles strictement positives ({len(positives)} reçue(s)).")
    rang = np.arange(1, len(positives) + 1)
    from scipy.stats import linregress  # import différé : PySAL et scipy.stats ne pèsent que si l'on s'en sert
    fit = linregress(np.log10(rang), np.log10(positives.to_numpy()))
    points = pd.DataFrame({
        "rang": rang.astype("int64"),
        "taille": positives.to_numpy(),
        "code": positives.index.astype(str),
    })
    return {"pente": float(fit.slope), "ordonnee": float(fit.intercept), "r2": float(fit.rvalue**2),
            "n": int(len(positives)), "nb_ecartes": nb_ecartes, "points": points}


def _millesimes(millesimes) -> list[int]:
    from .catalogue import indicateur

    ind = indicateur("population")
    if millesimes is None:
        return [int(m) for m in ind.millesimes]
    return [int(ind.verifier_millesime(m)) for m in millesimes]


def _populations_communes(millesimes: list[int]) -> tuple[pd.DataFrame, dict]:
    """Communes (hors Mayotte) ayant une population à chaque millésime : même ensemble partout."""
    from .chargement import table_communes

    table = table_communes()
    cols = [f"population_{m}" for m in millesimes]
    hors_mayotte = table["code_departement"] != _MAYOTTE
    complet = table[cols].notna().all(axis=1)
    ecartees = table.loc[hors_mayotte & ~complet, "code_commune"]
    if len(ecartees):
        _log.warning(
            "%d commune(s) écartée(s) faute de population à l'un des millésimes %s, ex. %s",
            len(ecartees), millesimes, list(ecartees[:5]),
        )
    rapport = {"nb_mayotte_ecartees": int((~hors_mayotte).sum()),
               "nb_communes_incompletes": int(len(ecartees)),
               "exemples_incompletes": list(ecartees[:5])}
    return table[hors_mayotte & complet], rapport


def _cle(niveau: str) -> str | None:
    from .catalogue import regroupements
    from .chargement import CLES_NIVEAU

    if niveau == "commune":
        return None
    if niveau in CLES_NIVEAU:
        return CLES_NIVEAU[niveau]
    if niveau in regroupements():
        return regroupements()[niveau]["colonne"]
    valides = list(CLES_NIVEAU) + list(regroupements())
    raise ValueError(f"Niveau inconnu « {niveau} ». Niveaux valides : {', '.join(valides)}.")


def _groupes_territoires(communes: pd.DataFrame, cle: str | None, groupes: str) -> pd.Series:
    if groupes not in communes.columns:
        raise KeyError(
            f"« {groupes} » n'est pas une colonne de la table des communes (par ex. "
            "« degurba_niveau1_libelle », « nature_epci », « code_region »)."
        )
    if cle is None:
        return communes.set_index("code_commune")[groupes]
    nb = communes.groupby(cle)[groupes].nunique()
    if (nb > 1).any():
        raise ValueError(
            f"La colonne « {groupes} » varie à l'intérieur d'un même territoire du niveau choisi "
            f"({int((nb > 1).sum())} territoire(s), ex. {list(nb.index[nb > 1][:3])}) : choisissez un "
            "regroupement constant par territoire (par ex. « nature_epci » au niveau epci)."
        )
    return communes.groupby(cle)[groupes].first()


def concentration_par_millesime(
    niveau: str = "commune",
    millesimes: list | None = None,
    groupes: str | None = None,
) -> pd.DataFrame:
    """Gini et Theil de la population entre territoires, pour chaque millésime.

    Pour que les millésimes soient comparables, le calcul porte sur le **même
    ensemble de communes** à tous les millésimes : celles (hors Mayotte) qui ont
    une population légale à chacun des millésimes demandés. Aux autres niveaux
    (``epci``, ``departement``…), les populations sont les sommes de ces communes
    dans les périmètres courants ; les communes sans territoire de ce niveau
    (îles sans EPCI, par ex.) sont écartées. Avec ``groupes``, les territoires
    sans groupe sont aussi écartés, pour que Gini, Theil et décomposition
    portent sur le même ensemble.

    Paramètres
    ----------
    niveau : str
        ``commune``, ``epci``, ``departement``, ``region`` ou un regroupement du catalogue.
    millesimes : liste, optionnel
        Millésimes de population (par défaut tous : 2016, 2019, 2020, 2022, 2023).
    groupes : str, optionnel
        Colonne de :func:`territoire_lib.chargement.table_communes` définissant
        les groupes de la décomposition de Theil (par ex.
        ``"degurba_niveau1_libelle"`` ou ``"nature_epci"``) ; hors niveau
        commune, elle doit être constante dans chaque territoire.

    Renvoie
    -------
    DataFrame
        Indexé par ``millesime`` (int), colonnes : ``nb_territoires`` (int64),
        ``population`` (float64, habitants), ``gini`` et ``theil`` (float64) ;
        avec ``groupes`` : ``theil_entre_groupes``, ``theil_intra_groupes``
        (float64) et ``part_entre_groupes_%``, ``part_intra_groupes_%``
        (float64, % du Theil total). Les exclusions sont dans ``.attrs["rapport"]``.

    Exemples
    --------
    >>> c = concentration_par_millesime("region", millesimes=[2016, 2023])
    >>> list(c.index), int(c["nb_territoires"].iloc[0])
    ([2016, 2023], 17)
    """
    ms = _millesimes(millesimes)
    cle = _cle(niveau)
    communes, rapport = _populations_communes(ms)
    cols = [f"population_{m}" for m in ms]
    if cle is None:
        pops = communes.set_index("code_commune")[cols]
    else:
        rapport["nb_communes_sans_territoire"] = int(communes[cle].isna().sum())
        pops = communes[cols].groupby(communes[cle]).sum()
    grp = None
    if groupes is not None:
        grp = _groupes_territoires(communes, cle, groupes).reindex(pops.index)
        sans = grp.isna()
        rapport["nb_territoires_sans_groupe"] = int(sans.sum())
        if sans.any():
            _log.warning("%d territoire(s) sans « %s » écarté(s), ex. %s",
                         int(sans.sum()), groupes, list(pops.index[sans][:5]))
        pops, grp = pops[~sans], grp[~sans]
    lignes = []
    for m, c in zip(ms, cols):
        ligne = {"millesime": m, "nb_territoires": len(pops), "population": float(pops[c].sum()),
                 "gini": gini(pops[c]), "theil": theil(pops[c])}
        if grp is not None:
            d = decomposition_theil(pops[c], grp)
            ligne |= {"theil_entre_groupes": d.loc["entre groupes", "valeur"],
                      "theil_intra_groupes": d.loc["intra-groupes", "valeur"],
                      "part_entre_groupes_%": d.loc["entre groupes", "part_%"],
                      "part_intra_groupes_%": d.loc["intra-groupes", "part_%"]}
        lignes.append(ligne)
    res = pd.DataFrame(lignes).set_index("millesime")
    res["nb_territoires"] = res["nb_territoires"].astype("int64")
    res.attrs["rapport"] = rapport
    return res


def part_population_metropoles(millesimes: list | None = None) -> pd.Series:
    """Part (%) de la population vivant dans une commune membre d'une Métropole.

    Appartenance selon l'EPCI **courant** de chaque commune (``nature_epci ==
    "ME"``, périmètres actuels appliqués à tous les millésimes) ; France
    métropolitaine et DROM hors Mayotte. Rapport des populations sommées, sur le
    même ensemble de communes à tous les millésimes (celles qui ont une
    population à chacun d'eux).

    Paramètres
    ----------
    millesimes : liste, optionnel
        Millésimes de population (par défaut tous).

    Renvoie
    -------
    Series
        float64, en %, indexée par ``millesime`` (int) ; nom
        ``part_population_metropoles_%``. Les exclusions sont dans ``.attrs["rapport"]``.

    Exemples
    --------
    >>> p = part_population_metropoles([2023])
    >>> 25 < float(p.loc[2023]) < 45
    True
    """
    ms = _millesimes(millesimes)
    communes, rapport = _populations_communes(ms)
    cols = [f"population_{m}" for m in ms]
    dans_me = (communes["nature_epci"] == "ME").fillna(False).to_numpy(dtype=bool)
    totaux = communes[cols].sum()
    part = 100 * communes.loc[dans_me, cols].sum() / totaux
    res = pd.Series(part.to_numpy(dtype="float64"), index=pd.Index(ms, name="millesime"),
                    name="part_population_metropoles_%")
    res.attrs["rapport"] = rapport | {"nb_communes_metropoles": int(dans_me.sum())}
    return res


def populations_comparables(niveau: str = "epci", millesimes=(2016, 2023)) -> pd.DataFrame:
    """Populations des territoires complets à tous les millésimes (une colonne par millésime).

    Un territoire dont une commune n'a pas de population à l'un des millésimes
    (commune rétablie, commune nouvelle à population tronquée, Mayotte) est
    écarté : sa somme serait partielle, donc non comparable.

    Exemples
    --------
    >>> p = populations_comparables("region", (2016, 2023))
    >>> list(p.columns), "06" in p.index
    ([2016, 2023], False)
    """
    from .chargement import indicateurs

    tables = {m: indicateurs("population", niveau=niveau, millesime=m, couverture=True) for m in millesimes}
    complets = None
    for t in tables.values():
        ok = t.index[t["population_communes_non_renseignees"] == 0]
        complets = ok if complets is None else complets.intersection(ok)
    ecartes = len(next(iter(tables.values()))) - len(complets)
    if ecartes:
        _log.warning("%d territoire(s) (%s) écarté(s) : population incomplète à l'un des millésimes %s",
                     ecartes, niveau, list(millesimes))
    return pd.DataFrame({m: t.loc[complets, "population"] for m, t in tables.items()})
