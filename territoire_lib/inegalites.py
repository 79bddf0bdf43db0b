"""Mesures d'inégalité et de concentration de la population (métropolisation).

Les indices de Gini et de Theil viennent du paquet PySAL ``inequality``
(:class:`inequality.gini.Gini`, :class:`inequality.theil.Theil`,
:class:`inequality.theil.TheilD` pour la décomposition entre / intra-groupes) ;
la loi rang-taille (Zipf) est ajustée par l'estimateur de Gabaix et Ibragimov
(moindres carrés de log(rang − ½) sur log(taille), ``statsmodels.OLS``) avec
son erreur type asymptotique |b| × √(2/n).

Lire ces mesures (voir le carnet ``07_methodes``) :

- le **Gini des tailles de communes** décrit l'émiettement de la carte
  communale (35 000 communes dont la moitié a moins de 500 habitants), pas une
  disparité entre habitants ;
- la **décomposition de Theil** n'a de sens que pour des groupes qui ne sont
  pas définis par la taille elle-même : DEGURBA (densité et taille des
  agrégats) ou nature d'EPCI (seuils de population) rendraient la part
  « entre groupes » vraie par construction. :func:`concentration_par_millesime`
  les refuse (:data:`GROUPES_DEFINIS_PAR_LA_TAILLE`) ; on décompose par région
  ou par département.

Références : Insee, « Les inégalités de répartition » (fiches méthodes) ;
Gabaix X., Ibragimov R. (2011), « Rank − 1/2: A Simple Way to Improve the OLS
Estimation of Tail Exponents », *Journal of Business & Economic Statistics*
29 (1), p. 24-39.

Les fonctions « de bas niveau » (:func:`gini`, :func:`theil`,
:func:`decomposition_theil`, :func:`rang_taille`) prennent des ``Series`` ;
:func:`concentration_par_millesime` et :func:`part_population_metropoles`
lisent les populations légales des données construites (``donnees/``).
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .erreurs import ErreurTerritoire
from .format import nombre

__all__ = [
    "GROUPES_DEFINIS_PAR_LA_TAILLE",
    "GroupesCirculaires",
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

#: Colonnes de groupes définies (en tout ou partie) par la population : une décomposition de
#: Theil des populations selon ces groupes est circulaire (part « entre groupes » élevée par
#: construction). DEGURBA : densité et taille des agrégats de carreaux ; nature d'EPCI : seuils
#: de population (métropole ≥ 400 000 hab., communauté urbaine ≥ 250 000, d'agglomération
#: ≥ 50 000) ; taille de commune : tranches de population.
GROUPES_DEFINIS_PAR_LA_TAILLE = {
    "degurba_code": "degré d'urbanisation (densité et taille des agrégats)",
    "degurba_libelle": "degré d'urbanisation (densité et taille des agrégats)",
    "degurba_niveau1": "degré d'urbanisation (densité et taille des agrégats)",
    "degurba_niveau1_libelle": "degré d'urbanisation (densité et taille des agrégats)",
    "nature_epci": "nature d'EPCI (seuils de population)",
    "nature_epci_2020": "nature d'EPCI (seuils de population)",
    "taille_commune": "tranche de taille de commune",
    "zonage_abc": "zonage A/B/C (tension du logement, liée à la taille des agglomérations)",
}


class GroupesCirculaires(ErreurTerritoire, ValueError):
    """Décomposition demandée selon des groupes définis par la population elle-même."""


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
            "Décomposition de Theil : %s ligne(s) écartée(s) (valeur ou groupe manquant), ex. %s",
            nombre(nb_ecartes, 0), list(v.index[~ok][:5]),
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


def rang_taille(populations: pd.Series, n_max: int | None = None, taille_min: float | None = None) -> dict:
    """Loi rang-taille (Zipf) par l'estimateur de Gabaix et Ibragimov, avec son erreur type.

    Les tailles strictement positives sont triées par ordre décroissant (rang 1 =
    la plus grande) et l'on ajuste par moindres carrés (``statsmodels.OLS``)
    ``ln(rang − ½) = a − ζ × ln(taille)``. Retrancher ½ au rang corrige le biais
    de l'estimation par ln(rang) sur petits échantillons (Gabaix et Ibragimov,
    2011) ; l'erreur type des moindres carrés ordinaires est fausse (les rangs
    ne sont pas indépendants) : on donne l'erreur type asymptotique
    ζ × √(2/n). ζ proche de 1 : loi de Zipf ; ζ < 1 : les grands territoires
    pèsent plus que Zipf ne le prévoit.

    **Troncature légale des EPCI** : la loi NOTRe (2015) impose aux
    intercommunalités un minimum de 15 000 habitants, avec des dérogations
    (zones de montagne, faible densité, plancher de 5 000 habitants) ; la queue
    basse de la distribution est donc fixée par la loi, pas par la géographie.
    ``taille_min`` restreint l'ajustement à la queue haute.

    Paramètres
    ----------
    populations : Series
        Tailles indexées par code de territoire.
    n_max : int, optionnel
        Ne garder que les ``n_max`` plus grands territoires.
    taille_min : float, optionnel
        Ne garder que les territoires d'au moins cette taille (queue haute).

    Renvoie
    -------
    dict
        ``exposant`` (ζ, float), ``erreur_type`` (ζ√(2/n)), ``ic95`` (tuple, ζ ± 1,96 erreur
        type), ``pente`` (−ζ, pente de ln(rang − ½) sur ln(taille)), ``ordonnee`` (a),
        ``erreur_type_mco`` (celle, trop optimiste, des moindres carrés ordinaires, pour
        mémoire), ``r2``, ``n`` (points ajustés), ``nb_ecartes`` (valeurs manquantes ou ≤ 0
        écartées), ``methode`` et ``points`` (DataFrame : ``rang`` int64, ``taille``
        float64, ``code`` str).

    Exemples
    --------
    >>> r = rang_taille(pd.Series([1000 / (k - 0.5) for k in range(1, 51)]))
    >>> round(r["exposant"], 6), r["n"], round(r["erreur_type"], 4)
    (1.0, 50, 0.2)
    """
    import statsmodels.api as sm

    s = pd.to_numeric(populations, errors="raise").astype("float64")
    positives = s[s > 0].sort_values(ascending=False, kind="stable")
    nb_ecartes = int(len(s) - len(positives))
    if taille_min is not None:
        positives = positives[positives >= taille_min]
    if n_max is not None:
        positives = positives.iloc[:n_max]
    if len(positives) < 3:
        raise ValueError(f"Il faut au moins 3 tailles strictement positives ({len(positives)} reçue(s)).")
    rang = np.arange(1, len(positives) + 1)
    x = sm.add_constant(np.log(positives.to_numpy()))
    fit = sm.OLS(np.log(rang - 0.5), x).fit()
    pente = float(fit.params[1])
    n = int(len(positives))
    zeta = -pente
    et = abs(zeta) * float(np.sqrt(2 / n))
    points = pd.DataFrame({
        "rang": rang.astype("int64"),
        "taille": positives.to_numpy(),
        "code": positives.index.astype(str),
    })
    return {"exposant": zeta, "erreur_type": et, "ic95": (zeta - 1.96 * et, zeta + 1.96 * et),
            "pente": pente, "ordonnee": float(fit.params[0]), "erreur_type_mco": float(fit.bse[1]),
            "r2": float(fit.rsquared), "n": n, "nb_ecartes": nb_ecartes,
            "methode": "Gabaix-Ibragimov : MCO de ln(rang − ½) sur ln(taille), erreur type ζ√(2/n)",
            "points": points}


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
            "%s commune(s) écartée(s) faute de population à l'un des millésimes %s, ex. %s",
            nombre(len(ecartees), 0), millesimes, list(ecartees[:5]),
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
    if groupes in GROUPES_DEFINIS_PAR_LA_TAILLE:
        raise GroupesCirculaires(
            f"Décomposition de Theil selon « {groupes} » refusée : ce regroupement "
            f"({GROUPES_DEFINIS_PAR_LA_TAILLE[groupes]}) est défini par la population elle-même, la part "
            "« entre groupes » serait élevée par construction. Décomposez selon des groupes indépendants "
            "de la taille : « code_region » ou « code_departement »."
        )
    if groupes not in communes.columns:
        raise KeyError(
            f"« {groupes} » n'est pas une colonne de la table des communes (par ex. "
            "« code_region », « code_departement »)."
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
    """Gini et Theil de la population entre territoires (concentration), pour chaque millésime.

    Au niveau communal, ces indices décrivent d'abord **l'émiettement de la carte
    communale** (des dizaines de milliers de très petites communes face à
    quelques grandes villes), pas une disparité de conditions de vie ; leur
    évolution mesure la concentration de la population.

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
        Millésimes de population (par défaut tous : 2016, 2017, 2019, 2020, 2022, 2023).
    groupes : str, optionnel
        Colonne de :func:`territoire_lib.chargement.table_communes` définissant
        les groupes de la décomposition de Theil (``"code_region"``,
        ``"code_departement"``) ; hors niveau commune, elle doit être
        constante dans chaque territoire. Les regroupements définis par la
        population (:data:`GROUPES_DEFINIS_PAR_LA_TAILLE` : DEGURBA, nature
        d'EPCI, taille) sont refusés (:class:`GroupesCirculaires`).

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
            _log.warning("%s territoire(s) sans « %s » écarté(s), ex. %s",
                         nombre(int(sans.sum()), 0), groupes, list(pops.index[sans][:5]))
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

    Un territoire dont la population n'est pas complète à l'un des millésimes
    (statut autre que « complet » : Mayotte, hors du champ des populations
    légales) est écarté.

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
        ok = t.index[t["population_statut"] == "complet"]
        complets = ok if complets is None else complets.intersection(ok)
    ecartes = len(next(iter(tables.values()))) - len(complets)
    if ecartes:
        _log.warning("%s territoire(s) (%s) écarté(s) : population incomplète à l'un des millésimes %s",
                     nombre(ecartes, 0), niveau, list(millesimes))
    return pd.DataFrame({m: t.loc[complets, "population"] for m, t in tables.items()})
