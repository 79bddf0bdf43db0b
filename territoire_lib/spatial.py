"""Autocorrélation spatiale : poids de contiguïté, I de Moran global et LISA.

Enveloppes minces autour de PySAL : les poids sont des graphes
:class:`libpysal.graph.Graph` (API courante de libpysal ≥ 4.10), construits par
contiguïté « reine » (deux territoires sont voisins s'ils partagent au moins un
sommet) sur les contours livrés dans ``donnees/geo`` ; les statistiques sont
celles d'``esda`` (:class:`esda.Moran`, :class:`esda.Moran_Local`). Rien n'est
recalculé à la main.

Traitement des îles
-------------------
Un territoire sans voisin (île : Ouessant, Bréhat, l'île d'Yeu… ; DROM d'une
seule commune ; Corse ou DROM au niveau région) n'a pas de décalage spatial :
il est **retiré** de l'analyse et listé dans le rapport. De même pour les
territoires sans contour. Quand un indicateur a des valeurs manquantes, les
territoires concernés sont retirés, puis, de proche en proche, ceux qui n'ont
plus aucun voisin analysé (ex. : une commune dont tous les voisins sont sans
valeur). Chaque retrait est compté, avec ses codes, dans le résultat.

Les tirages aléatoires (permutations) sont faits avec une graine fixe : les
carnets donnent les mêmes pseudo-p-valeurs à chaque exécution, sans changer
l'état du générateur aléatoire global de NumPy.

Tests multiples (LISA)
----------------------
Un LISA fait un test par territoire : 34 000 communes testées au seuil de 5 %
donneraient environ 1 700 « regroupements » par le seul hasard. :func:`lisa`
contrôle donc par défaut le **taux de fausses découvertes** (Benjamini et
Hochberg, 1995 ; :func:`esda.fdr`), ou, sur demande, le risque de **toute**
fausse découverte (Bonferroni, seuil / n). Avec 999 permutations, la plus petite
pseudo-p-valeur possible est 1/1 000 : on écrit « p ≤ 0,001 », jamais « = ».
Pour un taux calculé sur de petites populations, le **lissage bayésien
empirique** (Assunção et Reis, 1999 ; :class:`esda.Moran_Local_Rate`) évite que
les plus petites communes, aux taux les plus instables, fassent les
regroupements. Voir le carnet ``07_methodes``.
"""
from __future__ import annotations

import logging
import time
import warnings
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import pandas as pd

from .format import nombre

__all__ = [
    "NIVEAUX_CONTOURS",
    "QUADRANTS",
    "poids_depuis_geometries",
    "poids_contiguite",
    "contiguite",
    "CORRECTIONS",
    "moran_global",
    "lisa",
    "description_lisa",
]

logger = logging.getLogger(__name__)

#: Niveaux qui ont des contours (et donc des poids de contiguïté), avec leur colonne de code.
NIVEAUX_CONTOURS = {
    "commune": "code_commune",
    "epci": "code_epci",
    "departement": "code_departement",
    "region": "code_region",
}

#: Libellés des quadrants du diagramme de Moran (numérotation d'esda : 1 = HH, 2 = LH, 3 = LL, 4 = HL).
QUADRANTS = {1: "haut-haut", 2: "bas-haut", 3: "bas-bas", 4: "haut-bas"}
NON_SIGNIFICATIF = "non significatif"
#: Corrections des tests multiples proposées par :func:`lisa` (``None`` : aucune, à éviter).
CORRECTIONS = {
    "fdr": "taux de fausses découvertes contrôlé (Benjamini-Hochberg)",
    "bonferroni": "correction de Bonferroni (seuil / nombre de tests)",
    None: "sans correction des tests multiples",
}
_ORDRE_QUADRANTS = ["haut-haut", "bas-bas", "haut-bas", "bas-haut", NON_SIGNIFICATIF]


def _exemples(codes, n: int = 5) -> str:
    codes = list(codes)
    return ", ".join(codes[:n]) + (" …" if len(codes) > n else "")


def poids_depuis_geometries(geo, colonne_code: str):
    """Poids de contiguïté « reine », standardisés en ligne, d'un GeoDataFrame.

    Les territoires sans contour (géométrie absente ou vide) et les îles (aucun
    voisin) sont retirés du graphe et listés dans le rapport.

    Paramètres
    ----------
    geo : GeoDataFrame
        Un territoire par ligne (couverture sans recouvrement, contours propres).
    colonne_code : str
        Colonne des codes officiels (chaînes), par ex. ``"code_commune"``.

    Renvoie
    -------
    tuple (libpysal.graph.Graph, dict)
        Le graphe (indexé par les codes, sans île, chaque ligne somme à 1) et un
        rapport : ``n_territoires``, ``n_poids`` (territoires gardés),
        ``n_sans_geometrie``/``sans_geometrie``, ``n_iles``/``iles`` (codes triés),
        ``n_liens`` (liens orientés non nuls), ``voisins_moyen``,
        ``n_composantes`` (morceaux connexes), ``duree_s``.

    Exemples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> geo = gpd.GeoDataFrame({"code": ["a", "b", "c", "z"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), box(9, 9, 10, 10)])
    >>> g, rapport = poids_depuis_geometries(geo, "code")
    >>> rapport["iles"], list(g.unique_ids)
    (['z'], ['a', 'b', 'c'])
    >>> float(g.adjacency.loc[("b", "a")])
    0.5
    """
    from libpysal.graph import Graph

    if colonne_code not in geo.columns:
        raise KeyError(f"Colonne de code « {colonne_code} » absente ; colonnes disponibles : "
                       f"{', '.join(map(str, geo.columns))}.")
    codes = geo[colonne_code].astype("string")
    doublons = codes[codes.duplicated()].unique().tolist()
    if doublons:
        raise ValueError(f"Codes en double dans « {colonne_code} » ({len(doublons)}) : {_exemples(doublons)}. "
                         "Il faut un territoire par ligne.")
    debut = time.perf_counter()
    sans_geo = geo.geometry.isna() | geo.geometry.is_empty
    garde = geo.loc[~sans_geo.to_numpy()].copy()
    garde.index = pd.Index(codes[~sans_geo].to_numpy(dtype=object), name=colonne_code)
    complet = Graph.build_contiguity(garde.geometry, rook=False)
    return _sans_iles(complet, codes.tolist(), debut)


def contiguite(geo, colonne_code: str) -> pd.DataFrame:
    """Table de contiguïté « reine » binaire (``code``, ``voisin``) d'une couche, pour la construction.

    Chaque paire de voisins figure dans les deux sens ; un territoire sans voisin
    figure une fois avec ``voisin`` = son propre code et ``poids`` = 0 (convention
    de libpysal) ; un territoire sans contour n'y figure pas.

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> geo = gpd.GeoDataFrame({"code": ["a", "b", "z"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(9, 9, 10, 10)])
    >>> contiguite(geo, "code").values.tolist()
    [['a', 'b', 1.0], ['b', 'a', 1.0], ['z', 'z', 0.0]]
    """
    from libpysal.graph import Graph

    garde = geo.loc[~(geo.geometry.isna() | geo.geometry.is_empty).to_numpy()]
    graphe = Graph.build_contiguity(garde.set_index(garde[colonne_code].astype(str)).geometry, rook=False)
    table = graphe.adjacency.reset_index()
    table.columns = ["code", "voisin", "poids"]
    return table.astype({"code": "string", "voisin": "string", "poids": "float64"})


def _sans_iles(complet, codes: list[str], debut: float):
    """Retire îles et territoires sans contour d'un graphe binaire ; standardise en ligne ; rapport."""
    sans_geo = sorted(set(codes) - set(map(str, complet.unique_ids)))
    iles = sorted(map(str, complet.isolates))
    gardes = complet.unique_ids.difference(iles, sort=False).tolist()
    graphe = complet.subgraph(gardes).transform("r")
    rapport = {
        "n_territoires": len(codes),
        "n_poids": int(graphe.n),
        "n_sans_geometrie": len(sans_geo),
        "sans_geometrie": sans_geo,
        "n_iles": len(iles),
        "iles": iles,
        "n_liens": int(graphe.nonzero),
        "voisins_moyen": float(graphe.cardinalities.mean()) if graphe.n else float("nan"),
        "n_composantes": int(graphe.n_components),
        "duree_s": round(time.perf_counter() - debut, 2),
    }
    if rapport["n_sans_geometrie"] or iles:
        logger.warning(
            "Poids de contiguïté : %s territoire(s) sans contour (%s) et %s île(s) sans voisin (%s) "
            "retirés de l'analyse spatiale.",
            nombre(rapport["n_sans_geometrie"], 0), _exemples(rapport["sans_geometrie"]), nombre(len(iles), 0),
            _exemples(iles),
        )
    return graphe, rapport


def _verifier_niveau(niveau: str) -> str:
    if niveau not in NIVEAUX_CONTOURS:
        from .erreurs import NiveauInconnu

        raise NiveauInconnu(niveau, list(NIVEAUX_CONTOURS))
    return niveau


@lru_cache(maxsize=4)
def _poids_niveau(niveau: str):
    """Graphe lu dans la table de contiguïté construite avec les données (sans charger les contours)."""
    from libpysal.graph import Graph

    from .chargement import _lire, territoires

    debut = time.perf_counter()
    table = _lire(f"geo/contiguite_{niveau}.parquet")
    complet = Graph.from_adjacency(table.astype({"code": object, "voisin": object}), "code", "voisin", "poids")
    return _sans_iles(complet, territoires(niveau)[NIVEAUX_CONTOURS[niveau]].astype(str).tolist(), debut)


def poids_contiguite(niveau: str = "commune"):
    """Poids de contiguïté « reine » des contours livrés, standardisés en ligne.

    Construits une fois par processus et par niveau (quelques secondes pour les
    communes), puis gardés en mémoire. Les îles et les territoires sans
    contour sont retirés du graphe (voir :func:`poids_depuis_geometries`).

    Paramètres
    ----------
    niveau : str
        ``"commune"``, ``"epci"``, ``"departement"`` ou ``"region"``.

    Renvoie
    -------
    tuple (libpysal.graph.Graph, dict)
        Le graphe (identifiants = codes officiels) et son rapport (copie).

    Exemples
    --------
    >>> g, rapport = poids_contiguite("departement")
    >>> rapport["iles"]
    ['971', '972', '973', '974', '976']
    >>> sorted(g.neighbors["75"])
    ['92', '93', '94']
    """
    graphe, rapport = _poids_niveau(_verifier_niveau(niveau))
    return graphe, {k: (list(v) if isinstance(v, list) else v) for k, v in rapport.items()}


@contextmanager
def _graine(graine: int | None):
    """Fixe la graine du générateur global de NumPy (utilisé par esda), puis le restaure."""
    etat = np.random.get_state()
    if graine is not None:
        np.random.seed(graine)
    try:
        yield
    finally:
        np.random.set_state(etat)


def _valeurs(indicateur, niveau: str, millesime) -> tuple[pd.Series, str]:
    if isinstance(indicateur, pd.Series):
        nom = str(indicateur.name) if indicateur.name is not None else "valeur"
        return indicateur, nom
    if not isinstance(indicateur, str):
        raise TypeError("« indicateur » doit être un identifiant du catalogue (str) ou une Series indexée "
                        f"par les codes ; reçu : {type(indicateur).__name__}.")
    from .chargement import indicateurs

    return indicateurs(indicateur, niveau=niveau, millesime=millesime)[indicateur], indicateur


def _preparer(indicateur, niveau, millesime, poids, permutations):
    """Valeurs alignées sur un graphe sans île, et détail des territoires retirés."""
    if not isinstance(permutations, (int, np.integer)) or permutations < 1:
        raise ValueError(f"« permutations » doit être un entier ≥ 1 (999 conseillé) ; reçu : {permutations!r}.")
    if poids is None:
        poids, _ = poids_contiguite(niveau)
    serie, nom = _valeurs(indicateur, niveau, millesime)
    serie = pd.to_numeric(serie, errors="coerce").astype("float64")
    serie.index = serie.index.astype(str)
    dans_graphe = pd.Index(poids.unique_ids).astype(str)
    hors_poids = sorted(set(serie.index) - set(dans_graphe))
    alignee = serie.reindex(dans_graphe)
    manquants = alignee.index[alignee.isna()].tolist()
    ids = alignee.index[alignee.notna()].tolist()
    isoles: list[str] = []
    sous = poids.subgraph(ids)
    while len(sous.isolates):  # voisins tous sans valeur : plus de décalage spatial possible
        nouveaux = set(map(str, sous.isolates))
        isoles += sorted(nouveaux)
        ids = [c for c in ids if c not in nouveaux]
        sous = poids.subgraph(ids)
    if len(ids) < 3:
        raise ValueError(f"Trop peu de territoires analysables pour « {nom} » au niveau {niveau} "
                         f"({len(ids)}) : il en faut au moins 3 avec une valeur et un voisin.")
    retires = {
        "hors_poids": hors_poids,  # îles et territoires sans contour
        "valeur_manquante": sorted(manquants),
        "sans_voisin_analyse": isoles,
    }
    n_retires = sum(len(v) for v in retires.values())
    if n_retires:
        logger.warning(
            "Autocorrélation de « %s » (%s) : %s territoire(s) retiré(s) — %s île(s) ou sans contour (%s), "
            "%s valeur(s) manquante(s) (%s), %s sans voisin analysé (%s).",
            nom, niveau, nombre(n_retires, 0), nombre(len(hors_poids), 0), _exemples(hors_poids),
            nombre(len(manquants), 0), _exemples(sorted(manquants)), nombre(len(isoles), 0), _exemples(isoles),
        )
    return alignee.loc[ids], sous.transform("r"), nom, retires


def moran_global(
    indicateur,
    niveau: str = "commune",
    millesime=None,
    permutations: int = 999,
    graine: int | None = 0,
    poids=None,
) -> dict:
    """I de Moran global d'un indicateur, avec pseudo-p-valeur par permutations (esda).

    Paramètres
    ----------
    indicateur : str ou Series
        Identifiant du catalogue, ou Series de valeurs indexée par les codes.
    niveau : str
        ``"commune"``, ``"epci"``, ``"departement"`` ou ``"region"``.
    millesime : int, str, optionnel
        Millésime de l'indicateur (par défaut le plus récent).
    permutations : int
        Nombre de permutations pour la pseudo-p-valeur (999 : p ≥ 0,001).
    graine : int ou None
        Graine des permutations (résultats reproductibles) ; ``None`` : aléatoire.
    poids : libpysal.graph.Graph, optionnel
        Poids à utiliser au lieu de :func:`poids_contiguite` ``(niveau)``.

    Renvoie
    -------
    dict
        ``indicateur``, ``niveau``, ``millesime``, ``I`` (I de Moran),
        ``I_attendu`` (espérance sous l'hypothèse d'absence d'autocorrélation,
        −1/(n−1)), ``z`` (écart à la distribution des permutations, en écarts
        types), ``p_valeur`` (pseudo-p-valeur unilatérale des permutations),
        ``permutations``, ``n`` (territoires analysés), ``n_retires`` et
        ``retires`` (codes par motif : ``hors_poids``, ``valeur_manquante``,
        ``sans_voisin_analyse``).

    Exemples
    --------
    >>> r = moran_global("part_65_ans_et_plus", niveau="departement", permutations=99)
    >>> r["I"] > 0.3, r["p_valeur"] == 0.01, r["n"], r["retires"]["hors_poids"][:2]
    (True, True, 96, ['971', '972'])
    """
    import esda

    y, g, nom, retires = _preparer(indicateur, niveau, millesime, poids, permutations)
    with _graine(graine):
        m = esda.Moran(y.to_numpy(), g, transformation="r", permutations=int(permutations))
    return {
        "indicateur": nom,
        "niveau": niveau,
        "millesime": millesime,
        "I": float(m.I),
        "I_attendu": float(m.EI),
        "z": float(m.z_sim),
        "p_valeur": float(m.p_sim),
        "permutations": int(permutations),
        "n": int(m.n),
        "n_retires": sum(len(v) for v in retires.values()),
        "retires": retires,
    }


def _comptes_ratio(ident: str, niveau: str, millesime) -> tuple[pd.Series, pd.Series]:
    """Numérateur et dénominateur (effectifs sommés par territoire) d'un indicateur ratio du catalogue."""
    from .agregation import _colonne
    from .catalogue import indicateur as _indicateur
    from .chargement import table_communes

    ind = _indicateur(ident)
    a = ind.agregation
    if a["type"] != "ratio":
        raise ValueError(
            f"Le lissage bayésien empirique demande un taux « effectif / population » ; « {ident} » est "
            f"de type « {a['type']} ». Indicateurs possibles : les ratios du catalogue (ex. "
            "part_65_ans_et_plus, part_logements_vacants), ou analysez au niveau epci.")
    m = ind.verifier_millesime(millesime)
    t = table_communes()
    num = pd.to_numeric(t[_colonne(a["numerateur"], m)], errors="coerce").astype("float64")
    den = pd.to_numeric(t[_colonne(a["denominateur"], m)], errors="coerce").astype("float64")
    cle = t[NIVEAUX_CONTOURS[niveau]].astype(str)
    ok = num.notna() & den.notna()
    num = num.where(ok).groupby(cle).sum(min_count=1)
    den = den.where(ok).groupby(cle).sum(min_count=1)
    return num, den.where(den > 0)


def lisa(
    indicateur,
    niveau: str = "commune",
    millesime=None,
    seuil: float = 0.05,
    permutations: int = 999,
    graine: int | None = 0,
    poids=None,
    correction: str | None = "fdr",
    lissage: str | None = None,
) -> pd.DataFrame:
    """Indicateurs locaux d'autocorrélation (LISA, I de Moran local, esda), tests multiples contrôlés.

    Paramètres
    ----------
    indicateur : str ou Series
        Identifiant du catalogue, ou Series de valeurs indexée par les codes.
    niveau : str
        ``"commune"``, ``"epci"``, ``"departement"`` ou ``"region"``.
    millesime : int, str, optionnel
        Millésime de l'indicateur (par défaut le plus récent).
    seuil : float
        Niveau des tests (strictement entre 0 et 1) : taux de fausses découvertes toléré
        (``correction="fdr"``), risque de première espèce de l'ensemble des tests
        (``"bonferroni"``) ou de chaque test (``None``).
    permutations : int
        Nombre de permutations conditionnelles (999 : pseudo-p ≥ 0,001). Avec Bonferroni,
        il en faut au moins n / seuil pour qu'un territoire puisse être significatif.
    graine : int ou None
        Graine des permutations (résultats reproductibles).
    poids : libpysal.graph.Graph, optionnel
        Poids à utiliser au lieu de :func:`poids_contiguite` ``(niveau)``.
    correction : {"fdr", "bonferroni", None}
        Contrôle des tests multiples (:data:`CORRECTIONS`) ; par défaut le taux de fausses
        découvertes de Benjamini et Hochberg (seuil calculé par :func:`esda.fdr`).
    lissage : {None, "bayes_empirique"}
        ``"bayes_empirique"`` : LISA sur les taux standardisés par Bayes empirique
        (:class:`esda.Moran_Local_Rate`, effectifs du numérateur et du dénominateur de
        l'indicateur, qui doit être un ratio du catalogue).

    Renvoie
    -------
    DataFrame
        Indexé par le code (territoires analysés seulement), colonnes :
        ``valeur`` (float64, unité de l'indicateur), ``decalage`` (float64,
        moyenne des voisins), ``I_local`` (float64), ``p_sim`` (float64,
        pseudo-p-valeur des permutations conditionnelles, unilatérale du côté
        de la valeur observée, convention GeoDa), ``quadrant`` (catégorie : « haut-haut »,
        « bas-bas », « haut-bas », « bas-haut », « non significatif », après correction).
        ``attrs`` : ``effectifs`` (territoires par quadrant après correction),
        ``effectifs_sans_correction`` (au seuil nominal, pour comparer), ``correction``,
        ``seuil``, ``seuil_effectif`` (seuil appliqué aux pseudo-p), ``permutations``,
        ``p_min`` (1 / (permutations + 1)), ``lissage``, ``description`` (phrase pour le
        titre d'une carte), ``retires`` (codes retirés par motif).

    Exemples
    --------
    >>> df = lisa("part_65_ans_et_plus", niveau="departement", permutations=99)
    >>> list(df.columns)
    ['valeur', 'decalage', 'I_local', 'p_sim', 'quadrant']
    >>> sum(df.attrs["effectifs"].values()) == len(df) == 96
    True
    >>> df.attrs["seuil_effectif"] <= 0.05, df.attrs["correction"]
    (True, 'fdr')
    """
    import esda

    if not 0 < seuil < 1:
        raise ValueError(f"« seuil » doit être strictement entre 0 et 1 (ex. 0.05) ; reçu : {seuil!r}.")
    if correction not in CORRECTIONS:
        raise ValueError(f"Correction inconnue « {correction} » : « fdr » (défaut), « bonferroni » ou None.")
    if lissage not in (None, "bayes_empirique"):
        raise ValueError(f"Lissage inconnu « {lissage} » : None ou « bayes_empirique ».")
    if lissage and not isinstance(indicateur, str):
        raise ValueError("Le lissage bayésien empirique demande un identifiant du catalogue (ratio), pas une Series.")
    y, g, nom, retires = _preparer(indicateur, niveau, millesime, poids, permutations)
    with _graine(graine), warnings.catch_warnings():
        # esda 2.9 annonce un changement d'hypothèse alternative sans permettre de la choisir ici :
        # la pseudo-p-valeur reste unilatérale, du côté de la valeur observée (convention GeoDa).
        warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
        # keep_simulations=False : mêmes p-valeurs, sans garder la matrice n × permutations des
        # simulations (≈ 280 Mo pour les communes ; pic du noyau 1,3 → 0,85 Go, voir bench/atelier.py).
        if lissage:
            num, den = _comptes_ratio(indicateur, niveau, millesime)
            e, b = num.reindex(y.index), den.reindex(y.index)
            if e.isna().any() or b.isna().any():
                manque = y.index[e.isna() | b.isna()].tolist()
                raise ValueError(f"Effectifs manquants pour le lissage ({len(manque)} territoire(s), ex. "
                                 f"{_exemples(manque)}).")
            loc = esda.Moran_Local_Rate(e.to_numpy(), b.to_numpy(), g, transformation="r",
                                        permutations=int(permutations), seed=graine, keep_simulations=False)
        else:
            loc = esda.Moran_Local(y.to_numpy(), g, transformation="r", permutations=int(permutations),
                                   seed=graine, keep_simulations=False)
    # esda calcule les pseudo-p en float32 (0,001 y vaut 0,0010000000475) : on les ramène sur la
    # grille exacte k / (permutations + 1) pour que « p ≤ 0,001 » soit vrai quand il doit l'être.
    p = np.round(np.asarray(loc.p_sim, dtype="float64") * (permutations + 1)) / (permutations + 1)
    if correction == "fdr":
        seuil_effectif = float(esda.fdr(p, seuil))
    elif correction == "bonferroni":
        seuil_effectif = seuil / len(p)
    else:
        seuil_effectif = seuil
    brut = pd.Series(loc.q, index=y.index).map(QUADRANTS)
    sans_correction = brut.where(p < seuil, NON_SIGNIFICATIF)
    quadrant = brut.where(p <= seuil_effectif if correction else p < seuil, NON_SIGNIFICATIF)
    res = pd.DataFrame(
        {
            "valeur": y.to_numpy(dtype="float64"),
            "decalage": np.asarray(g.lag(y.to_numpy()), dtype="float64"),
            "I_local": np.asarray(loc.Is, dtype="float64"),
            "p_sim": p,
            "quadrant": pd.Categorical(quadrant, categories=_ORDRE_QUADRANTS),
        },
        index=y.index,
    )
    res.index.name = NIVEAUX_CONTOURS.get(niveau, "code")
    compter = lambda q: {k: int(v) for k, v in pd.Series(pd.Categorical(  # noqa: E731
        q, categories=_ORDRE_QUADRANTS)).value_counts(sort=False).items()}
    res.attrs.update({
        "indicateur": nom,
        "effectifs": compter(quadrant),
        "effectifs_sans_correction": compter(sans_correction),
        "correction": correction,
        "seuil": seuil,
        "seuil_effectif": seuil_effectif,
        "permutations": int(permutations),
        "p_min": 1 / (int(permutations) + 1),
        "lissage": lissage,
        "retires": retires,
    })
    res.attrs["description"] = description_lisa(res)
    if correction == "bonferroni" and seuil_effectif < res.attrs["p_min"]:
        logger.warning(
            "LISA de « %s » : avec %s permutations, aucune pseudo-p-valeur ne peut descendre sous le seuil de "
            "Bonferroni (%s) ; il faudrait au moins %s permutations.", nom, nombre(permutations, 0),
            _nombre(seuil_effectif), nombre(int(np.ceil(len(p) / seuil)), 0))
    return res


def _nombre(x: float) -> str:
    return f"{x:.3g}".replace(".", ",") if x >= 1e-4 else f"{x:.1e}".replace(".", ",")


def description_lisa(res: pd.DataFrame) -> str:
    """Phrase décrivant le test d'un résultat de :func:`lisa`, pour le titre d'une carte.

    Exemples
    --------
    >>> r = pd.DataFrame(); r.attrs.update(correction="fdr", seuil=0.05, seuil_effectif=0.004,
    ...     permutations=999, lissage=None)
    >>> description_lisa(r)
    'LISA, 999 permutations, taux de fausses découvertes contrôlé (Benjamini-Hochberg) à 5 % (pseudo-p ≤ 0,004)'
    """
    a = res.attrs
    niveau = f"{100 * a['seuil']:g}".replace(".", ",") + " %"
    texte = f"LISA, {nombre(a['permutations'], 0)} permutations, {CORRECTIONS[a['correction']]}"
    if a["correction"]:
        texte += f" à {niveau} (pseudo-p ≤ {_nombre(a['seuil_effectif'])})"
    else:
        texte += f" (pseudo-p < {niveau})"
    if a.get("lissage"):
        texte += ", taux lissés par Bayes empirique"
    return texte
