"""Moteur des indicateurs composites : normalisation, pondération, agrégation, incertitude.

Un seul moteur sert l'indice de fragilité numérique proxy du carnet 03
(:mod:`territoire_lib.numerique`) et les sept modèles de territoire du
carnet 05 (:mod:`territoire_lib.modeles`), en suivant les étapes du *Handbook
on Constructing Composite Indicators* de l'OCDE et du Centre commun de
recherche de la Commission européenne (OCDE/JRC, 2008) :

1. **Normalisation** (:func:`normaliser`) de chaque composante, orientée pour
   qu'une valeur haute aille toujours dans le sens de l'indice :

   - ``"rang"`` : centile médian ``(rang − ½) / n``, les ex aequo recevant le
     rang moyen (*mid-rank*) — borné, insensible aux valeurs extrêmes ; un
     « 0 lycée » partagé par la moitié des territoires est au centile 0,25 de
     tous, pas au centile 0 ;
   - ``"minmax"`` : ``(x − min) / (max − min)`` — garde les écarts, sensible
     aux extrêmes ;
   - ``"zscore"`` : ``(x − moyenne) / écart type`` — garde les écarts, non borné.

2. **Pondération et agrégation** (:func:`agreger`) : moyenne arithmétique
   pondérée des composantes renseignées ; si moins de ``seuil`` du poids total
   est renseigné, l'indice est manquant (jamais calculé sur une composante).
3. **Corrélations des composantes** (:func:`correlations`, Spearman, après
   orientation) : deux composantes très corrélées comptent double ; une
   composante corrélée négativement aux autres contredit l'histoire de l'indice.
4. **Comparer plusieurs indices** (:func:`standardiser`, :func:`etiquettes`) :
   les scores sont centrés-réduits avant de prendre le plus élevé, sinon le
   modèle dont les scores sont les plus dispersés gagne par construction.
5. **Analyse d'incertitude** (:func:`analyse_incertitude`) : toutes les
   combinaisons normalisation × inclusion (chaque composante retirée tour à
   tour) × pondération (poids par défaut, poids égaux) ; on rapporte les
   déplacements de rang et la part des territoires dont la classe (quintile
   d'un indice) ou l'étiquette (modèle dominant) change.

Référence : OECD/JRC (2008), *Handbook on Constructing Composite Indicators.
Methodology and User Guide*, OECD Publishing, Paris, sections 1.5 à 1.7
(normalisation, pondération et agrégation) et 1.7 « Uncertainty and
sensitivity analysis ».
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd

__all__ = [
    "NORMALISATIONS",
    "PONDERATIONS",
    "SEUIL_COUVERTURE",
    "normaliser",
    "orienter",
    "agreger",
    "indice_composite",
    "correlations",
    "standardiser",
    "etiquettes",
    "classes_quantiles",
    "Incertitude",
    "analyse_incertitude",
]

#: Normalisations proposées et leur description.
NORMALISATIONS = {
    "rang": "centile médian (rang − ½) / n, ex aequo au rang moyen",
    "minmax": "(x − min) / (max − min)",
    "zscore": "(x − moyenne) / écart type",
}
#: Schémas de pondération de l'analyse d'incertitude.
PONDERATIONS = {"défaut": "poids justifiés du profil", "égaux": "même poids pour chaque composante"}
#: Part minimale du poids total qui doit être renseignée pour calculer un indice.
SEUIL_COUVERTURE = 2 / 3

Profil = Mapping[str, tuple[int, float]]


def _verifier_methode(methode: str) -> None:
    if methode not in NORMALISATIONS:
        raise ValueError(f"Normalisation inconnue « {methode} » : {', '.join(NORMALISATIONS)}.")


def _normaliser_colonne(x: pd.Series, methode: str) -> pd.Series:
    x = x.astype("float64")
    n = int(x.notna().sum())
    if methode == "rang":
        return (x.rank(method="average") - 0.5) / n if n else x
    if methode == "minmax":
        etendue = x.max() - x.min()
        return (x - x.min()) / etendue if etendue > 0 else x * 0 + 0.5
    ecart = x.std(ddof=1)
    return (x - x.mean()) / ecart if n > 1 and ecart > 0 else x * 0


def orienter(normes: pd.Series | pd.DataFrame, sens, methode: str):
    """Retourne une composante normalisée de sens −1 (``1 − v`` pour rang et min-max, ``−v`` pour z).

    Exemples
    --------
    >>> orienter(pd.Series([0.25, 0.75]), -1, "rang").tolist()
    [0.75, 0.25]
    >>> orienter(pd.Series([-1.0, 1.0]), -1, "zscore").tolist()
    [1.0, -1.0]
    """
    if sens not in (1, -1):
        raise ValueError(f"Sens « {sens} » invalide : 1 (valeur haute = plus haut dans l'indice) ou -1.")
    if sens == 1:
        return normes
    return -normes if methode == "zscore" else 1 - normes


def normaliser(valeurs: pd.Series | pd.DataFrame, methode: str = "rang", sens=None):
    """Normalise chaque colonne (valeurs manquantes gardées), orientée si ``sens`` est donné.

    Paramètres
    ----------
    valeurs : Series ou DataFrame
        Une colonne par composante, une ligne par territoire.
    methode : {"rang", "minmax", "zscore"}
        Voir :data:`NORMALISATIONS`. ``"rang"`` : ``(rang − ½) / n`` entre 0 et 1, ex aequo
        au rang moyen, ``n`` = valeurs renseignées.
    sens : int ou dict, optionnel
        1 ou −1 (Series), ou ``{colonne: ±1}`` (DataFrame) : voir :func:`orienter`.

    Renvoie
    -------
    Series ou DataFrame
        Même forme que ``valeurs`` (float64).

    Exemples
    --------
    >>> normaliser(pd.Series([10.0, 30.0, 20.0, None])).round(4).tolist()
    [0.1667, 0.8333, 0.5, nan]
    >>> normaliser(pd.Series([0.0, 0.0, 0.0, 5.0])).tolist()  # ex aequo : rang moyen 2
    [0.375, 0.375, 0.375, 0.875]
    >>> normaliser(pd.Series([1.0, 2.0, 4.0]), "minmax", sens=-1).round(4).tolist()
    [1.0, 0.6667, 0.0]
    """
    _verifier_methode(methode)
    if isinstance(valeurs, pd.Series):
        res = _normaliser_colonne(valeurs, methode)
        return orienter(res, sens, methode) if sens is not None else res
    res = pd.DataFrame({c: _normaliser_colonne(valeurs[c], methode) for c in valeurs.columns}, index=valeurs.index)
    if sens is not None:
        for c in res.columns:
            res[c] = orienter(res[c], sens[c], methode)
    return res


def _poids_series(poids: Mapping[str, float], colonnes) -> pd.Series:
    w = pd.Series({k: float(v) for k, v in poids.items()}, dtype="float64")
    inconnues = [k for k in w.index if k not in set(colonnes)]
    if inconnues:
        raise ValueError(f"Poids donnés pour des composantes absentes : {', '.join(inconnues)}.")
    if (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("Les poids doivent être des nombres positifs ou nuls.")
    return w


def agreger(normes: pd.DataFrame, poids: Mapping[str, float], seuil: float = SEUIL_COUVERTURE) -> pd.Series:
    """Moyenne pondérée des composantes renseignées ; NaN si moins de ``seuil`` du poids est renseigné.

    Exemples
    --------
    >>> n = pd.DataFrame({"a": [1.0, 0.0, None], "b": [0.0, 0.0, 1.0]})
    >>> agreger(n, {"a": 3, "b": 1}).tolist()
    [0.75, 0.0, nan]
    >>> agreger(n, {"a": 1, "b": 1}, seuil=0.5).tolist()
    [0.5, 0.0, 1.0]
    """
    w = _poids_series(poids, normes.columns)
    w = w[w > 0]
    if w.empty:
        raise ValueError("Aucune composante avec un poids positif.")
    x = normes[list(w.index)].to_numpy(dtype="float64")
    present = ~np.isnan(x)
    wv = w.to_numpy()
    renseigne = present @ wv
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(present, x, 0) @ wv / renseigne
    score = np.where(renseigne >= seuil * wv.sum() - 1e-12, score, np.nan)
    return pd.Series(score, index=normes.index, dtype="float64")


def _verifier_profil(profil: Profil, colonnes) -> None:
    for c, (sens, poids) in profil.items():
        if c not in set(colonnes):
            raise ValueError(f"Composante « {c} » absente des valeurs ; colonnes : {', '.join(map(str, colonnes))}.")
        if sens not in (1, -1):
            raise ValueError(f"Composante « {c} » : sens « {sens} » invalide (1 ou -1).")
        if not isinstance(poids, (int, float)) or poids < 0:
            raise ValueError(f"Composante « {c} » : poids « {poids} » invalide (nombre ≥ 0).")


def indice_composite(valeurs: pd.DataFrame, profil: Profil, methode: str = "rang",
                     seuil: float = SEUIL_COUVERTURE) -> pd.DataFrame:
    """Composantes normalisées et orientées, et l'indice (moyenne pondérée), en une table.

    Paramètres
    ----------
    valeurs : DataFrame
        Valeurs brutes, une colonne par composante.
    profil : dict
        ``{composante: (sens, poids)}`` ; sens 1 : une valeur haute élève l'indice.
    methode, seuil :
        Voir :func:`normaliser` et :func:`agreger`.

    Renvoie
    -------
    DataFrame
        Une colonne par composante du profil (normalisée, orientée), puis ``indice``.

    Exemples
    --------
    >>> v = pd.DataFrame({"age": [10.0, 20.0, 30.0], "site": [1.0, 0.0, 0.0]})
    >>> indice_composite(v, {"age": (1, 1.0), "site": (-1, 1.0)})["indice"].round(4).tolist()
    [0.1667, 0.5833, 0.75]
    """
    _verifier_profil(profil, valeurs.columns)
    cols = list(profil)
    normes = normaliser(valeurs[cols], methode, {c: profil[c][0] for c in cols})
    normes["indice"] = agreger(normes[cols], {c: profil[c][1] for c in cols}, seuil)
    return normes


def correlations(valeurs: pd.DataFrame, profil: Profil | None = None, methode: str = "spearman") -> pd.DataFrame:
    """Matrice de corrélation des composantes, orientées dans le sens de l'indice.

    Une forte corrélation positive : les deux composantes mesurent la même chose et pèsent
    double ; négative : l'une contredit l'autre dans l'histoire que raconte l'indice.

    Exemples
    --------
    >>> v = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [4.0, 3.0, 2.0, 1.0]})
    >>> correlations(v, {"a": (1, 1.0), "b": (-1, 1.0)}).loc["a", "b"]
    np.float64(1.0)
    """
    if profil is None:
        return valeurs.astype("float64").corr(method=methode)
    cols = list(profil)
    orientees = pd.DataFrame({c: profil[c][0] * valeurs[c].astype("float64") for c in cols})
    return orientees.corr(method=methode)


def standardiser(scores: pd.DataFrame) -> pd.DataFrame:
    """Centre et réduit chaque colonne de scores (moyenne 0, écart type 1 entre territoires).

    Exemples
    --------
    >>> standardiser(pd.DataFrame({"a": [1.0, 2.0, 3.0]}))["a"].tolist()
    [-1.0, 0.0, 1.0]
    """
    return (scores - scores.mean()) / scores.std(ddof=1).replace(0, np.nan)


def etiquettes(scores: pd.DataFrame, standardise: bool = True) -> pd.Series:
    """Étiquette de chaque territoire : la colonne de score le plus élevé (après standardisation).

    Un territoire auquel manque un score n'a pas d'étiquette (NA).

    Exemples
    --------
    >>> s = pd.DataFrame({"a": [50.0, 60.0, 70.0], "b": [10.0, 30.0, 20.0]})
    >>> etiquettes(s).tolist()  # brut, « a » gagnerait partout
    ['a', 'b', 'a']
    """
    z = standardiser(scores) if standardise else scores
    complet = z.notna().all(axis=1)
    res = pd.Series(pd.NA, index=scores.index, dtype="string")
    if complet.any():
        res[complet] = z[complet].idxmax(axis=1).astype("string")
    return res


def classes_quantiles(indice: pd.Series, k: int = 5) -> pd.Series:
    """Classe de quantile (1 = valeurs les plus basses, ``k`` = les plus hautes), NA gardés.

    Exemples
    --------
    >>> classes_quantiles(pd.Series([5.0, 1.0, None, 3.0, 4.0, 2.0]), 5).tolist()
    [5, 1, <NA>, 3, 4, 2]
    """
    ok = indice.dropna()
    q = pd.qcut(ok.rank(method="first"), k, labels=list(range(1, k + 1))).astype("int64")
    return q.reindex(indice.index).astype("Int64")


@dataclass
class Incertitude:
    """Résultat de :func:`analyse_incertitude`.

    Attributs
    ---------
    scenarios : DataFrame
        Une ligne par scénario : ``normalisation``, ``exclue`` (composante retirée ou
        « aucune »), ``ponderation``, ``part_changement_%`` (territoires dont la classe ou
        l'étiquette diffère de la référence) et, pour un indice seul,
        ``deplacement_rang_median`` et ``deplacement_rang_max``.
    territoires : DataFrame
        Par territoire : ``reference`` (classe ou étiquette de référence),
        ``part_scenarios_identiques_%``, ``stable`` (même classe dans tous les scénarios),
        ``etiquette_la_plus_frequente`` ; pour un indice seul : ``rang_reference``,
        ``rang_min``, ``rang_max``.
    frequences : DataFrame
        Part des scénarios (%) où chaque étiquette (ou classe) est attribuée, par territoire
        (un scénario où le territoire n'a pas de classe, faute de composantes, ne compte pour
        aucune).
    resume : dict
        ``nb_scenarios``, ``nb_territoires``, ``part_stables_%`` (même classe dans tous les
        scénarios), ``part_stables_80_%`` (même classe dans au moins 80 % des scénarios),
        ``part_changement_median_%`` (par scénario), ``scenario_le_plus_perturbant``,
        ``deplacement_rang_median`` (médiane, sur les territoires, du plus grand déplacement).
    """

    scenarios: pd.DataFrame
    territoires: pd.DataFrame
    frequences: pd.DataFrame
    resume: dict = field(default_factory=dict)


def _scores(normes: dict[str, pd.DataFrame], profils: dict[str, Profil], methode: str, exclue: str | None,
            ponderation: str, seuil: float) -> pd.DataFrame:
    res = {}
    for nom, profil in profils.items():
        poids = {c: (1.0 if ponderation == "égaux" else float(p)) for c, (_, p) in profil.items()
                 if c != exclue and p > 0}
        if not poids:
            res[nom] = pd.Series(np.nan, index=normes[methode].index)
            continue
        orientees = pd.DataFrame({c: orienter(normes[methode][c], profil[c][0], methode) for c in poids})
        res[nom] = agreger(orientees, poids, seuil)
    return pd.DataFrame(res)


def analyse_incertitude(
    valeurs: pd.DataFrame,
    profils: Profil | dict[str, Profil],
    reference: tuple[str, str] = ("rang", "défaut"),
    normalisations=tuple(NORMALISATIONS),
    exclusion: bool = True,
    ponderations=tuple(PONDERATIONS),
    nb_classes: int = 5,
    seuil: float = SEUIL_COUVERTURE,
) -> Incertitude:
    """Analyse d'incertitude d'un indice composite ou d'un jeu d'indices concurrents (OCDE/JRC 2008).

    Chaque scénario combine une normalisation, une composante retirée (ou aucune) et une
    pondération ; on le compare à la référence (``reference`` = (normalisation,
    pondération), toutes composantes). Pour **un** indice (``profils`` = un profil
    ``{composante: (sens, poids)}``), la classe est le quantile (quintile par défaut) et
    l'on rapporte aussi les déplacements de rang ; pour **plusieurs** indices
    (``{nom: profil}``), l'étiquette est l'indice dont le score standardisé est le plus
    élevé (:func:`etiquettes`).

    Paramètres
    ----------
    valeurs : DataFrame
        Valeurs brutes des composantes (une colonne chacune), une ligne par territoire.
    profils : dict
        Un profil, ou ``{nom: profil}``.
    reference : tuple
        (normalisation, pondération) de référence.
    normalisations, ponderations : séquences
        Variantes essayées (:data:`NORMALISATIONS`, :data:`PONDERATIONS`).
    exclusion : bool
        Essayer aussi chaque composante retirée tour à tour.
    nb_classes : int
        Nombre de classes de quantile (un seul indice).
    seuil : float
        Voir :func:`agreger`.

    Renvoie
    -------
    Incertitude

    Exemples
    --------
    >>> v = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [6.0, 5, 4, 3, 2, 1], "c": [1.0, 3, 2, 5, 4, 6]})
    >>> r = analyse_incertitude(v, {"a": (1, 1.0), "b": (-1, 1.0), "c": (1, 1.0)}, nb_classes=2)
    >>> r.resume["nb_scenarios"], list(r.territoires.columns[:2])
    (24, ['reference', 'part_scenarios_identiques_%'])
    """
    seul = all(isinstance(v, tuple) for v in profils.values())
    jeu: dict[str, Profil] = {"indice": profils} if seul else dict(profils)
    for p in jeu.values():
        _verifier_profil(p, valeurs.columns)
    for m in (*normalisations, reference[0]):
        _verifier_methode(m)
    for p in (*ponderations, reference[1]):
        if p not in PONDERATIONS:
            raise ValueError(f"Pondération inconnue « {p} » : {', '.join(PONDERATIONS)}.")
    composantes = list(dict.fromkeys(c for p in jeu.values() for c in p))
    normes = {m: normaliser(valeurs[composantes], m) for m in dict.fromkeys((reference[0], *normalisations))}

    def classer(scores: pd.DataFrame) -> pd.Series:
        if seul:
            return classes_quantiles(scores["indice"], nb_classes).astype("string")
        return etiquettes(scores)

    ref_scores = _scores(normes, jeu, reference[0], None, reference[1], seuil)
    ref = classer(ref_scores)
    classes = ref.notna()
    rang_ref = ref_scores["indice"].rank(ascending=False, method="min") if seul else None
    exclues = [None, *composantes] if exclusion else [None]
    # Étiquettes des scénarios gardées en codes entiers (int16, -1 = sans étiquette) et non en
    # texte : à la commune, 35 000 territoires × ~150 scénarios de chaînes pesaient ~200 Mo.
    codes_etiquettes: dict[str, int] = {}

    def coder(c: pd.Series) -> np.ndarray:
        locaux, uniques = pd.factorize(c)  # -1 pour NA, qui reste -1 (dernier élément de la table)
        table = [codes_etiquettes.setdefault(str(u), len(codes_etiquettes)) for u in uniques] + [-1]
        return np.asarray(table, dtype=np.int16)[locaux]

    code_ref = coder(ref)
    lignes, colonnes, rangs = [], [], {}
    for methode, exclue, ponderation in product(normalisations, exclues, ponderations):
        if (methode, exclue, ponderation) == (reference[0], None, reference[1]):
            continue
        s = _scores(normes, jeu, methode, exclue, ponderation, seuil)
        c = coder(classer(s))
        nom = f"{methode} | sans {exclue or '—'} | poids {ponderation}"
        colonnes.append(c)
        change = classes.to_numpy() & (c != code_ref)
        ligne = {"scenario": nom, "normalisation": methode, "exclue": exclue or "aucune",
                 "ponderation": ponderation,
                 "part_changement_%": float(100 * change.sum() / max(1, classes.sum()))}
        if seul:
            r = s["indice"].rank(ascending=False, method="min")
            rangs[nom] = r
            d = (r - rang_ref).abs()[classes]
            ligne |= {"deplacement_rang_median": float(d.median()), "deplacement_rang_max": float(d.max())}
        lignes.append(ligne)
    scenarios = pd.DataFrame(lignes).set_index("scenario")
    tableau = np.column_stack(colonnes) if colonnes else np.empty((len(valeurs), 0), dtype=np.int16)
    identiques = (tableau == code_ref[:, None]) & (tableau >= 0)
    # type à valeurs manquantes (NA, pas NaN) pour les territoires sans étiquette, comme avant le codage entier
    part = pd.Series(100 * identiques.sum(axis=1) / tableau.shape[1], index=valeurs.index, dtype="double[pyarrow]")
    valeurs_possibles = sorted(codes_etiquettes)
    nb = tableau.shape[1] + 1  # les scénarios et la référence
    frequences = pd.DataFrame({v: 100 * ((tableau == codes_etiquettes[v]).sum(axis=1)
                                         + (code_ref == codes_etiquettes[v])) / nb for v in valeurs_possibles},
                              index=valeurs.index, dtype="double[pyarrow]")
    terr = pd.DataFrame({
        "reference": ref,
        "part_scenarios_identiques_%": part.where(classes),
        "stable": (part == 100).where(classes).astype("boolean"),
        "etiquette_la_plus_frequente": frequences.idxmax(axis=1).where(classes).astype("string")
        if len(valeurs_possibles) else pd.Series(pd.NA, index=valeurs.index, dtype="string"),
    })
    resume = {
        "nb_scenarios": int(len(scenarios) + 1),
        "nb_territoires": int(classes.sum()),
        "part_stables_%": float(100 * (part[classes] == 100).mean()) if classes.any() else float("nan"),
        "part_stables_80_%": float(100 * (part[classes] >= 80).mean()) if classes.any() else float("nan"),
        "part_changement_median_%": float(scenarios["part_changement_%"].median()),
        "scenario_le_plus_perturbant": str(scenarios["part_changement_%"].idxmax()),
        "reference": f"normalisation {reference[0]}, poids {reference[1]}, toutes composantes",
    }
    if seul:
        r = pd.DataFrame(rangs)
        terr["rang_reference"] = rang_ref.astype("Int64")
        terr["rang_min"] = pd.concat([r, rang_ref], axis=1).min(axis=1).astype("Int64")
        terr["rang_max"] = pd.concat([r, rang_ref], axis=1).max(axis=1).astype("Int64")
        deplacement = (r.sub(rang_ref, axis=0)).abs().max(axis=1)[classes]
        resume["deplacement_rang_median"] = float(deplacement.median())
    return Incertitude(scenarios=scenarios, territoires=terr, frequences=frequences, resume=resume)
