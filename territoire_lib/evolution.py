"""Ce qui a changé : un indicateur entre deux millésimes, dans la bonne unité.

``evolution("part_femmes_elues", 2020, 2026, niveau="epci")`` rend, pour
chaque territoire, la valeur aux deux dates, l'évolution et son statut :

- **parts** (unité « % », ou parts de communes / de population) : écart en
  *points de pourcentage* (60 % → 63 % = + 3 points, jamais « + 5 % ») ;
- **stocks** (population, valeurs en euros) : *taux de variation annuel
  moyen* en % par an, 100 × ((fin / début)^(1 / années) − 1) ;
- **effectifs** et grandeurs dans une autre unité (lieux, lycées, ans,
  heures par semaine) : *différence* dans l'unité de l'indicateur.

Les deux valeurs sont déjà exprimées dans le COG courant (la construction
ramène chaque millésime aux communes d'aujourd'hui) et chacune suit la règle
de complétude de :func:`territoire_lib.chargement.indicateurs` : si l'une
des deux est incomplète (ou non disponible), l'évolution est NaN et son motif
dit quelle date manque et combien de communes. Pour un indicateur calculé sur
les seules communes renseignées (horaires publiés, secret statistique des
élus), l'évolution est calculée par défaut sur les communes renseignées **aux
deux dates** (``meme_base=True``) : on compare les mêmes communes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import agregation
from .catalogue import Indicateur, indicateur
from .chargement import CLES_NIVEAU, FICHIERS_TERRITOIRES, indicateurs, table_blocs, table_communes
from .erreurs import IndicateurNonDisponible
from .format import nombre

__all__ = [
    "UNITES_EVOLUTION",
    "COG_COURANT",
    "DUREES_MINIMALES",
    "type_evolution",
    "millesimes_comparables",
    "calculer_evolution",
    "evolution",
    "ligne_source_evolution",
]

#: Géographie commune à tous les millésimes servis (voir sources.toml, « decoupage-courant »).
COG_COURANT = "COG 2026"

#: Type d'évolution → unité affichée.
UNITES_EVOLUTION = {"points": "points de %", "taux_annuel": "% par an", "difference": None}

_STATUTS_COMPLETS = ("complet", "sur les communes renseignées")
_UNITES_STOCK = ("habitants", "€")


def type_evolution(ind: Indicateur | str) -> tuple[str, str]:
    """Type d'évolution d'un indicateur et unité de l'évolution.

    Renvoie
    -------
    (str, str)
        ``("points", "points de %")`` pour une part, ``("taux_annuel", "% par an")``
        pour un stock (population, montant en euros), ``("difference", unité)`` sinon.

    Exemples
    --------
    >>> type_evolution("part_femmes_elues")
    ('points', 'points de %')
    >>> type_evolution("mairie_site_web")  # oui/non : part des communes au-delà de la commune
    ('points', 'points de %')
    >>> type_evolution("population")
    ('taux_annuel', '% par an')
    >>> type_evolution("age_moyen_elus")
    ('difference', 'ans')
    """
    ind = indicateur(ind) if isinstance(ind, str) else ind
    a = ind.agregation["type"]
    if ind.unite.strip() == "%" or a in ("part_communes", "part_population"):
        return "points", UNITES_EVOLUTION["points"]
    if a == "somme" and any(u in ind.unite for u in _UNITES_STOCK) or (
            a == "moyenne_ponderee" and "€" in ind.unite):
        return "taux_annuel", UNITES_EVOLUTION["taux_annuel"]
    return "difference", ind.unite


def millesimes_comparables(identifiant: str) -> list:
    """Millésimes d'un indicateur entre lesquels une évolution peut être calculée.

    Exemples
    --------
    >>> millesimes_comparables("part_femmes_elues")
    [2020, 2026]
    """
    ind = indicateur(identifiant)
    return [m for m in ind.millesimes if "-" not in str(m)]


def _annee(millesime) -> int:
    return int(str(millesime)[:4])


#: Durée minimale (années) entre deux millésimes : l'Insee recommande 5 ans au moins pour
#: comparer des populations légales (cycle du recensement).
DUREES_MINIMALES = {"population": 5}


def _flottant(serie: pd.Series) -> pd.Series:
    """Série en float64 (oui/non → 1/0, NA → NaN), index conservé."""
    if str(serie.dtype) in ("boolean", "bool"):
        serie = serie.astype("Float64")
    return pd.Series(pd.to_numeric(serie, errors="coerce").to_numpy(dtype="float64", na_value=np.nan),
                     index=serie.index)


def calculer_evolution(debut: pd.Series, fin: pd.Series, type_: str, annees: float) -> pd.Series:
    """Évolution entre deux séries de valeurs selon son type.

    Paramètres
    ----------
    debut, fin : pandas.Series
        Valeurs aux deux dates (même index).
    type_ : {"points", "taux_annuel", "difference"}
        Voir :func:`type_evolution`.
    annees : float
        Durée entre les deux dates (pour ``taux_annuel``).

    Exemples
    --------
    >>> d, f = pd.Series([60.0, 100.0]), pd.Series([63.0, 121.0])
    >>> calculer_evolution(d, f, "points", 6).tolist()
    [3.0, 21.0]
    >>> [round(x, 3) for x in calculer_evolution(d, f, "taux_annuel", 2)]  # 100 → 121 en 2 ans : 10 %/an
    [2.47, 10.0]
    """
    d, f = _flottant(debut), _flottant(fin)
    if type_ in ("points", "difference"):
        return f - d
    if type_ == "taux_annuel":
        if annees <= 0:
            raise ValueError(f"Durée nulle ou négative entre les deux millésimes ({annees} ans).")
        with np.errstate(divide="ignore", invalid="ignore"):
            return (100 * ((f / d.where(d > 0)) ** (1 / annees) - 1)).astype("float64")
    raise ValueError(f"Type d'évolution inconnu « {type_} » : points, taux_annuel ou difference.")


def ligne_source_evolution(identifiant: str, debut, fin) -> str:
    """Ligne de source d'une évolution : elle nomme les deux dates et leurs paquets.

    Exemples
    --------
    >>> print(ligne_source_evolution("part_femmes_elues", 2020, 2026))  # doctest: +NORMALIZE_WHITESPACE
    Source : Ministère de l'Intérieur, RNE — calculs Territoires en transition (évolution 2020 → 2026,
    millésimes 2020 et 2026 ramenés au COG 2026)
    """
    ind = indicateur(identifiant)
    ind.verifier_millesime(debut), ind.verifier_millesime(fin)
    return (f"Source : {ind.producteur} — calculs Territoires en transition (évolution {debut} → {fin}, "
            f"millésimes {debut} et {fin} ramenés au {COG_COURANT})")


def _meme_base(ind: Indicateur, debut, fin, niveau: str) -> pd.DataFrame:
    """Valeurs aux deux dates calculées sur les communes renseignées aux deux dates."""
    table = table_communes().copy()
    cols_d = agregation.colonnes_requises(ind, debut)
    cols_f = agregation.colonnes_requises(ind, fin)
    propres = [c for c in dict.fromkeys(cols_d + cols_f) if not (c in cols_d and c in cols_f)]
    manque = table[propres].isna().any(axis=1)
    for c in propres:  # NA typé par colonne
        table.loc[manque, c] = pd.NA if str(table[c].dtype) in ("boolean", "Int64", "string") else np.nan
    if niveau == "commune":
        cle = None
    elif niveau in CLES_NIVEAU:
        cle = table[CLES_NIVEAU[niveau]]
    else:
        from .catalogue import regroupements

        colonne = regroupements()[niveau]["colonne"]
        cle = pd.Series("France", index=table.index) if colonne is None else table[colonne]
    sorties = {}
    for nom, m in (("debut", debut), ("fin", fin)):
        r = agregation.calculer_detail(table, ind, m, cle, blocs=table_blocs())
        v = r.valeurs
        if niveau == "commune":
            v = pd.Series(v.to_numpy(), index=table["code_commune"])
        sorties[nom] = v
    res = pd.DataFrame(sorties)
    _meme_base.ecartees = int(manque.sum())  # lu aussitôt par evolution() (attrs perdus par apply)
    return res


def evolution(
    identifiant: str,
    debut,
    fin,
    niveau: str = "commune",
    codes: list[str] | None = None,
    meme_base: bool = True,
    partiel: bool = False,
) -> pd.DataFrame:
    """Évolution d'un indicateur entre deux millésimes, à un niveau.

    Paramètres
    ----------
    identifiant : str
        Indicateur du catalogue ayant au moins deux millésimes
        (voir :func:`millesimes_comparables`).
    debut, fin : int ou str
        Les deux millésimes (``debut`` antérieur à ``fin``).
    niveau : str
        ``commune``, ``epci``, ``departement``, ``region`` ou un regroupement.
    codes : liste de str, optionnel
        Ne garder que ces territoires.
    meme_base : bool, défaut True
        Pour un indicateur défini sur les communes renseignées, calcule les
        deux valeurs sur les communes renseignées aux deux dates (sans effet
        sur les autres indicateurs, complets ou NaN).
    partiel : bool
        Transmis à :func:`territoire_lib.chargement.indicateurs` (sommes
        partielles étiquetées) ; l'évolution reste NaN si l'une des dates est
        partielle.

    Renvoie
    -------
    pandas.DataFrame
        Indexé par le code du territoire : nom (si le niveau en a), ``debut``,
        ``fin`` (valeurs aux deux dates, dans l'unité de l'indicateur ;
        oui/non à la commune : 100 = oui, 0 = non), ``evolution`` (dans
        ``attrs["unite_evolution"]``), ``statut`` (« complet », ou « incomplet
        en 2020 »…) et ``motif`` (communes sans valeur à chaque date).
        ``attrs`` : ``identifiant``, ``debut``, ``fin``, ``type_evolution``,
        ``unite_evolution``, ``annees``, ``source`` (ligne de source nommant les
        deux dates), ``completude`` (celle de chaque date, voir
        :func:`territoire_lib.chargement.indicateurs`) et, si ``meme_base``,
        ``communes_ecartees`` (renseignées à une seule des deux dates).

    Lève
    ----
    IndicateurNonDisponible
        Si l'indicateur n'a pas ces deux millésimes, ou si ``debut`` n'est pas
        antérieur à ``fin``.

    Exemples
    --------
    >>> e = evolution("population", 2016, 2023, niveau="region", codes=["94"])
    >>> e.attrs["unite_evolution"], e.loc["94", "statut"]
    ('% par an', 'complet')
    >>> e = evolution("part_femmes_elues", 2020, 2026, niveau="france")
    >>> 0 < float(e["evolution"].iloc[0]) < 10   # points de % gagnés par les conseillères
    True
    """
    ind = indicateur(identifiant)
    comparables = millesimes_comparables(identifiant)
    for m in (debut, fin):
        if str(m) not in map(str, comparables):
            raise IndicateurNonDisponible(
                f"Millésime {m} non disponible pour l'évolution de « {identifiant} » ({ind.libelle}). "
                f"Millésimes comparables : {', '.join(map(str, comparables)) or 'aucun (un seul millésime)'}.")
    if _annee(debut) >= _annee(fin):
        raise IndicateurNonDisponible(
            f"Le millésime de début ({debut}) doit précéder celui de fin ({fin}).")
    minimum = DUREES_MINIMALES.get(identifiant, 0)
    if _annee(fin) - _annee(debut) < minimum:
        raise IndicateurNonDisponible(
            f"« {identifiant} » : {_annee(fin) - _annee(debut)} ans seulement entre {debut} et {fin}. L'Insee "
            f"recommande de comparer des populations légales distantes d'au moins {minimum} ans "
            "(cycle quinquennal du recensement).")
    type_, unite = type_evolution(ind)
    a = indicateurs(identifiant, niveau=niveau, millesime=debut, codes=codes, couverture=True, partiel=partiel)
    b = indicateurs(identifiant, niveau=niveau, millesime=fin, codes=codes, couverture=True, partiel=partiel)
    res = a[[c for c in a.columns if c.startswith("nom_")]].copy()
    res["debut"] = _flottant(a[identifiant])
    res["fin"] = _flottant(b[identifiant].reindex(a.index))
    if ind.agregation["type"] == "part_communes" and niveau == "commune":
        res["debut"], res["fin"] = 100 * res["debut"], 100 * res["fin"]
    base = agregation.base_renseignees(ind)
    ecartees = None
    if meme_base and base:
        mb = _meme_base(ind, debut, fin, niveau).reindex(res.index)
        mb = mb.apply(_flottant)
        if ind.agregation["type"] == "part_communes" and niveau == "commune":
            mb = 100 * mb
        ecartees = _meme_base.ecartees
        # seules les valeurs complètes aux deux dates sont remplacées par leur calcul à base commune
        res["debut"] = mb["debut"].where(res["debut"].notna())
        res["fin"] = mb["fin"].where(res["fin"].notna())
    sa, sb = a[f"{identifiant}_statut"], b[f"{identifiant}_statut"].reindex(a.index)
    na, nb = (a[f"{identifiant}_communes_non_renseignees"],
              b[f"{identifiant}_communes_non_renseignees"].reindex(a.index))
    ok_a, ok_b = sa.isin(_STATUTS_COMPLETS), sb.isin(_STATUTS_COMPLETS)
    nd_a, nd_b = sa.eq("non disponible").fillna(False), sb.eq("non disponible").fillna(False)
    statut = np.where(ok_a & ok_b, "complet",
                      np.where(nd_a | nd_b, "non disponible",  # aucune valeur à l'une des dates (Mayotte…)
                               np.where(~ok_a & ~ok_b, "incomplet aux deux dates",
                                        np.where(~ok_a, f"incomplet en {debut}", f"incomplet en {fin}"))))
    res["statut"] = pd.Series(statut, index=res.index, dtype="string")
    motifs = []
    for s1, n1, s2, n2 in zip(sa, na, sb, nb):
        parts = [f"{m} : {s} ({nombre(int(n) if pd.notna(n) else 0, 0)} commune(s) sans valeur)"
                 for m, s, n in ((debut, s1, n1), (fin, s2, n2)) if s not in _STATUTS_COMPLETS]
        motifs.append(" ; ".join(parts) if parts else pd.NA)
    res["motif"] = pd.Series(motifs, index=res.index, dtype="string")
    annees = float(_annee(fin) - _annee(debut))
    ev = calculer_evolution(res["debut"], res["fin"], type_, annees)
    res["evolution"] = ev.where(ok_a & ok_b)
    res = res[[c for c in res.columns if c.startswith("nom_")] + ["debut", "fin", "evolution", "statut", "motif"]]
    res.index.name = a.index.name
    res.attrs.update({
        "identifiant": identifiant, "libelle": ind.libelle, "unite": ind.unite,
        "debut": debut, "fin": fin, "annees": annees,
        "type_evolution": type_, "unite_evolution": unite,
        "source": ligne_source_evolution(identifiant, debut, fin),
        "cog": COG_COURANT, "meme_base": bool(meme_base and base),
        "completude": {str(debut): a.attrs.get("completude", {}).get(identifiant),
                       str(fin): b.attrs.get("completude", {}).get(identifiant)},
    })
    if ecartees is not None:
        res.attrs["communes_ecartees"] = ecartees
    return res
