"""Agrégation des indicateurs de la commune vers tout niveau ou regroupement.

Les ratios sont recalculés à partir des numérateurs et dénominateurs
sommés, jamais moyennés ; les moyennes sont pondérées ; une part de
communes (ou de population) se calcule sur les communes renseignées.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import Indicateur
from .erreurs import IndicateurNonDisponible

__all__ = ["colonnes_requises", "calculer", "communes_non_renseignees"]


def _colonne(modele: str, millesime) -> str:
    if millesime is None:
        return modele
    m = str(millesime)
    if "-" in m:
        debut, fin = m.split("-")
        return modele.format(debut=debut, fin=fin, millesime=m)
    return modele.format(millesime=m)


def colonnes_requises(ind: Indicateur, millesime=None) -> list[str]:
    """Colonnes de base nécessaires au calcul de ``ind`` au millésime donné.

    Exemples
    --------
    >>> from territoire_lib.catalogue import indicateur
    >>> colonnes_requises(indicateur("evolution_population_annuelle"), "2016-2023")
    ['population_2016', 'population_2023']
    """
    a = ind.agregation
    cles = {"somme": ["colonne"], "categorie": ["colonne"], "part_communes": ["colonne"],
            "valeur_communale": ["colonne"],
            "ratio": ["numerateur", "denominateur"], "taux_annuel": ["debut", "fin"],
            "moyenne_ponderee": ["colonne", "poids"], "part_population": ["colonne", "poids"]}[a["type"]]
    return [_colonne(a[k], millesime) for k in cles]


def _somme(serie: pd.Series, cle) -> pd.Series:
    return serie.groupby(cle).sum(min_count=1) if cle is not None else serie


def calculer(table: pd.DataFrame, ind: Indicateur, millesime=None, cle: pd.Series | None = None) -> pd.Series:
    """Valeur de l'indicateur par commune (``cle=None``) ou par groupe de ``cle``.

    Paramètres
    ----------
    table : DataFrame
        Colonnes de base des communes (voir :func:`colonnes_requises`).
    ind : Indicateur
        Indicateur du catalogue.
    millesime : int ou str, optionnel
        Millésime (ou période « 2016-2023 » pour un taux d'évolution).
    cle : Series, optionnel
        Code du groupe de chaque commune (EPCI, département…), aligné sur ``table``.

    Exemples
    --------
    >>> from territoire_lib.catalogue import indicateur
    >>> t = pd.DataFrame({"population_65_ans_et_plus": [10., 30.], "population_rp2021": [100., 100.]})
    >>> calculer(t, indicateur("part_65_ans_et_plus"), cle=pd.Series(["A", "A"])).round(1).to_dict()
    {'A': 20.0}
    """
    a, cols = ind.agregation, colonnes_requises(ind, millesime)
    t = a["type"]
    if t == "categorie":
        if cle is not None:
            raise IndicateurNonDisponible(
                f"« {ind.id} » est une classe de commune : elle ne s'agrège pas. Utilisez-la comme "
                "regroupement (ex. agreger(..., par='degurba')) ou au niveau commune."
            )
        return table[cols[0]]
    if t == "valeur_communale":
        if cle is not None:
            raise IndicateurNonDisponible(
                f"« {ind.id} » est une statistique non additive (médiane…) : elle n'existe qu'au niveau "
                "commune ; la recalculer pour un groupe de communes demande les données individuelles."
            )
        return table[cols[0]]
    if t == "somme":
        return _somme(table[cols[0]], cle)
    if t == "part_communes":
        v = table[cols[0]]
        if cle is None:
            return v
        vrai = v.fillna(False).astype("float64").where(v.notna())
        return 100 * vrai.groupby(cle).sum(min_count=1) / v.notna().groupby(cle).sum().replace(0, np.nan)
    if t == "part_population":
        return _part_population(table[cols[0]], table[cols[1]].astype("float64"), a.get("seuil"), cle)
    x, y = table[cols[0]].astype("float64"), table[cols[1]].astype("float64")
    ok = x.notna() & y.notna()
    if t == "ratio":
        num, den = _somme(x.where(ok), cle), _somme(y.where(ok), cle)
        return a.get("facteur", 1) * num / den.replace(0, np.nan)
    if t == "taux_annuel":
        debut, fin = (int(p) for p in str(millesime).split("-"))
        d, f = _somme(x.where(ok), cle), _somme(y.where(ok), cle)
        with np.errstate(divide="ignore", invalid="ignore"):
            return 100 * ((f / d.replace(0, np.nan)) ** (1 / (fin - debut)) - 1)
    if t == "moyenne_ponderee":
        num, den = _somme((x * y).where(ok), cle), _somme(y.where(ok), cle)
        if cle is None:
            return x
        return num / den.replace(0, np.nan)
    raise ValueError(f"Règle d'agrégation inconnue « {t} » pour {ind.id} (catalogue.yaml).")


def _part_population(valeur: pd.Series, poids: pd.Series, seuil, cle) -> pd.Series:
    """100 × Σ poids où la condition est vraie / Σ poids, sur les communes renseignées.

    La condition est ``valeur > seuil`` si un seuil est donné, sinon ``valeur`` elle-même (oui/non).
    """
    if seuil is None:
        vrai = valeur.fillna(False).astype(bool)
    else:
        vrai = (valeur.astype("float64") > float(seuil)).fillna(False)
    ok = valeur.notna() & poids.notna()
    num = _somme(poids.where(ok & vrai, 0.0).where(ok), cle)
    den = _somme(poids.where(ok), cle)
    return 100 * num / den.replace(0, np.nan)


def communes_non_renseignees(table: pd.DataFrame, ind: Indicateur, millesime=None,
                             cle: pd.Series | None = None) -> pd.Series:
    """Nombre de communes de chaque groupe sans valeur pour ``ind`` (écartées du calcul).

    Une somme ou un ratio agrégé porte alors sur une partie seulement du
    territoire : ce décompte le dit, au lieu de le taire.

    Exemples
    --------
    >>> from territoire_lib.catalogue import indicateur
    >>> t = pd.DataFrame({"population_2016": [1.0, np.nan, 3.0]})
    >>> communes_non_renseignees(t, indicateur("population"), 2016, pd.Series(["A", "A", "B"])).to_dict()
    {'A': 1, 'B': 0}
    """
    manque = table[colonnes_requises(ind, millesime)].isna().any(axis=1)
    return manque.astype(int) if cle is None else manque.astype(int).groupby(cle).sum()
