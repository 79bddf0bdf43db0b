"""Agrégation des indicateurs de la commune vers tout niveau ou regroupement.

Règle de vérité : **un agrégat est complet, ou il vaut NaN avec son motif**.

- Les sommes (et tout ce qui en est fait : ratios, taux d'évolution) ne
  portent jamais en silence sur une partie du territoire : si une commune
  du groupe n'a pas de valeur, le groupe reçoit NaN et sa complétude dit
  combien de communes manquent, lesquelles et pourquoi.
- Une valeur connue seulement pour un ensemble de communes (un « bloc » :
  commune rétablie après une fusion, dont la population ancienne n'a été
  publiée que pour l'ensemble) complète tout groupe qui contient le bloc
  en entier ; à la commune, la valeur reste inconnue.
- Un indicateur défini dans le catalogue sur une base déclarée
  (``base: renseignees`` : « mairies dont les horaires sont publiés »…) se
  calcule sur les communes renseignées, et le dit (statut « sur les
  communes renseignées », nombre de communes écartées).
- Les communes hors du champ déclaré d'un indicateur (``champ:
  hors_mayotte`` : pas de population légale à Mayotte dans les sources) ne
  rendent pas incomplet un groupe qui les contient (« France hors
  Mayotte », classes DEGURBA) ; elles sont comptées à part
  (``nb_hors_champ``) et un territoire qui n'a qu'elles est « non disponible ».
- Une somme partielle n'est rendue que sur demande explicite
  (``partiel=True``), et elle est alors étiquetée « partiel ».

Les ratios sont recalculés à partir des numérateurs et dénominateurs
sommés, jamais moyennés ; les moyennes sont pondérées.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalogue import Indicateur
from .erreurs import IndicateurNonDisponible

__all__ = [
    "STATUTS",
    "Resultat",
    "colonnes_requises",
    "calculer",
    "calculer_detail",
    "communes_non_renseignees",
    "base_renseignees",
    "hors_champ",
]

#: Statuts de complétude d'une valeur agrégée.
STATUTS = {
    "complet": "toutes les communes du territoire ont une valeur",
    "sur les communes renseignées": "calculé sur les communes renseignées (base déclarée au catalogue)",
    "incomplet": "des communes du territoire n'ont pas de valeur : agrégat non calculé (NaN)",
    "partiel": "des communes du territoire n'ont pas de valeur : somme partielle rendue sur demande",
    "non disponible": "aucune commune du territoire n'a de valeur",
}
_TYPES_SOMMES = ("somme", "ratio", "taux_annuel")
_CODE_STATUT = {s: i for i, s in enumerate(STATUTS)}


def _statuts(codes: np.ndarray, index=None) -> pd.Series:
    """Série catégorielle des statuts (rapide sur 35 000 communes) à partir de leurs codes."""
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(STATUTS)), index=index)


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


def base_renseignees(ind: Indicateur) -> bool:
    """Vrai si le catalogue déclare l'indicateur calculé sur les seules communes renseignées.

    Exemples
    --------
    >>> from territoire_lib.catalogue import indicateur
    >>> base_renseignees(indicateur("population")), base_renseignees(indicateur("heures_ouverture_mairie"))
    (False, True)
    """
    return ind.agregation.get("base") == "renseignees"


def hors_champ(table: pd.DataFrame, ind: Indicateur) -> pd.Series:
    """Communes hors du champ déclaré de l'indicateur (``champ`` de sa règle d'agrégation).

    Exemples
    --------
    >>> from territoire_lib.catalogue import indicateur
    >>> t = pd.DataFrame({"code_commune": ["97611", "01001"], "code_departement": ["976", "01"]})
    >>> hors_champ(t, indicateur("population")).tolist()
    [True, False]
    """
    champ = ind.agregation.get("champ")
    if champ is None or not ({"code_departement", "code_commune"} & set(table.columns)):
        return pd.Series(False, index=table.index)
    if champ == "hors_mayotte":
        dep = table["code_departement"] if "code_departement" in table else table["code_commune"].str[:3]
        return dep.astype("string").eq("976").fillna(False).astype(bool)
    if champ == "auvergne_rhone_alpes" and "code_region" in table:
        return table["code_region"].astype("string").ne("84").fillna(True).astype(bool)
    if champ == "auvergne_rhone_alpes":
        return pd.Series(False, index=table.index)
    raise ValueError(f"Champ inconnu « {champ} » pour {ind.id} (catalogue.yaml) : valeurs possibles "
                     "« hors_mayotte », « auvergne_rhone_alpes ».")


@dataclass
class Resultat:
    """Valeurs d'un indicateur et complétude de chacune.

    Attributs
    ---------
    valeurs : Series
        Une valeur par groupe (ou par ligne de la table à la commune).
    completude : DataFrame
        Mêmes index ; colonnes ``nb_communes``, ``nb_sans_valeur`` (communes
        sans valeur ni bloc qui les couvre), ``nb_par_bloc`` (communes dont
        la valeur n'est connue que par un bloc), ``nb_hors_champ``,
        ``statut`` (voir :data:`STATUTS`) et, au-delà de la commune, ``codes_sans_valeur``
        (tuple des codes).
    """

    valeurs: pd.Series
    completude: pd.DataFrame


def _blocs_applicables(blocs: pd.DataFrame | None, colonne: str, table: pd.DataFrame,
                       cle: pd.Series | None) -> pd.DataFrame:
    """Blocs de ``colonne`` entièrement contenus dans un groupe, dont aucun membre n'a de valeur propre.

    Renvoie ``bloc, groupe, valeur`` (une ligne par bloc) et ``membres`` (index des lignes couvertes).
    """
    vide = pd.DataFrame({"bloc": pd.Series(dtype="string"), "groupe": pd.Series(dtype="object"),
                         "valeur": pd.Series(dtype="float64"), "membres": pd.Series(dtype="object")})
    if blocs is None or not len(blocs) or cle is None:
        return vide
    b = blocs[blocs["colonne"] == colonne]
    if not len(b):
        return vide
    position = pd.Series(np.arange(len(table)), index=table["code_commune"].to_numpy())
    b = b[b["code_commune"].isin(position.index)].copy()
    b["ligne"] = position.reindex(b["code_commune"]).to_numpy()
    b["groupe"] = cle.to_numpy()[b["ligne"].to_numpy()]
    b["propre"] = table[colonne].to_numpy()[b["ligne"].to_numpy()]
    g = b.groupby("bloc", sort=True)
    res = pd.DataFrame({
        "groupe": g["groupe"].first(),
        "nb_groupes": g["groupe"].nunique(dropna=False),
        "groupe_connu": g["groupe"].apply(lambda s: s.notna().all()),
        "sans_valeur_propre": g["propre"].apply(lambda s: s.isna().all()),
        "valeur": g["valeur"].first(),
        "membres": g["ligne"].agg(tuple),
    })
    ok = (res["nb_groupes"] == 1) & res["groupe_connu"] & res["sans_valeur_propre"] & res["valeur"].notna()
    return res.loc[ok, ["groupe", "valeur", "membres"]].rename_axis("bloc").reset_index()


def _somme_colonne(table: pd.DataFrame, colonne: str, cle: pd.Series, blocs, garder: pd.Series | None = None):
    """Somme d'une colonne par groupe, blocs applicables compris ; et masque des lignes couvertes."""
    x = table[colonne].astype("float64")
    if garder is not None:
        x = x.where(garder)
    somme = x.groupby(cle).sum(min_count=1)
    couvert = np.zeros(len(table), dtype=bool)
    app = _blocs_applicables(blocs, colonne, table, cle)  # l'appelant ne passe pas de blocs en mode partiel apparié
    if len(app):
        ajout = app.groupby("groupe")["valeur"].sum()
        somme = somme.add(ajout, fill_value=0).reindex(somme.index.union(ajout.index))
        for membres in app["membres"]:
            couvert[list(membres)] = True
    return somme, pd.Series(couvert, index=table.index)


def _completude(table: pd.DataFrame, manque: pd.Series, par_bloc: pd.Series, cle: pd.Series | None,
                base_declaree: bool, partiel: bool, hors: pd.Series | None = None) -> pd.DataFrame:
    """Tableau de complétude par groupe (ou par commune si ``cle`` vaut None)."""
    codes = table["code_commune"] if "code_commune" in table else pd.Series(table.index.astype(str), index=table.index)
    hors = pd.Series(False, index=table.index) if hors is None else hors
    manque = manque & ~hors
    if cle is None:
        # à la commune, la commune elle-même est la seule « sans valeur » possible : pas de liste de codes
        statut = _statuts(np.where((manque | hors).to_numpy(), _CODE_STATUT["non disponible"], _CODE_STATUT["complet"]),
                          index=table.index)
        return pd.DataFrame({"nb_communes": 1, "nb_sans_valeur": manque.to_numpy().astype(int),
                             "nb_par_bloc": par_bloc.to_numpy().astype(int),
                             "nb_hors_champ": hors.to_numpy().astype(int), "statut": statut}, index=table.index)
    g = pd.DataFrame({"cle": cle.to_numpy(), "manque": manque.to_numpy(), "bloc": par_bloc.to_numpy(),
                      "hors": hors.to_numpy(), "code": codes.to_numpy()})
    grp = g.groupby("cle", sort=True)
    res = pd.DataFrame({"nb_communes": grp.size(), "nb_sans_valeur": grp["manque"].sum().astype(int),
                        "nb_par_bloc": grp["bloc"].sum().astype(int), "nb_hors_champ": grp["hors"].sum().astype(int)})
    sans = g[g["manque"]].groupby("cle")["code"].agg(lambda s: tuple(sorted(s)))
    res["codes_sans_valeur"] = sans.reindex(res.index).map(lambda v: v if isinstance(v, tuple) else ())
    dans_champ = res["nb_communes"] - res["nb_hors_champ"]
    tout = (res["nb_sans_valeur"] == dans_champ) | (dans_champ == 0)
    aucun = res["nb_sans_valeur"] == 0
    manquant = "sur les communes renseignées" if base_declaree else ("partiel" if partiel else "incomplet")
    res["statut"] = _statuts(np.where(tout, _CODE_STATUT["non disponible"],
                                      np.where(aucun, _CODE_STATUT["complet"], _CODE_STATUT[manquant])),
                             index=res.index)
    return res[["nb_communes", "nb_sans_valeur", "nb_par_bloc", "nb_hors_champ", "statut", "codes_sans_valeur"]]


def calculer_detail(table: pd.DataFrame, ind: Indicateur, millesime=None, cle: pd.Series | None = None,
                    blocs: pd.DataFrame | None = None, partiel: bool = False, territorial: bool = False) -> Resultat:
    """Valeur de l'indicateur par commune (``cle=None``) ou par groupe, avec sa complétude.

    Paramètres
    ----------
    table : DataFrame
        Colonnes de base des communes (voir :func:`colonnes_requises`), et ``code_commune``
        si des blocs sont donnés.
    ind : Indicateur
        Indicateur du catalogue.
    millesime : int ou str, optionnel
        Millésime (ou période « 2016-2023 » pour un taux d'évolution).
    cle : Series, optionnel
        Code du groupe de chaque commune (EPCI, département…), aligné sur ``table``.
    blocs : DataFrame, optionnel
        Valeurs connues pour des ensembles de communes (``colonne, bloc, code_commune,
        valeur, motif``), voir :func:`territoire_lib.chargement.table_blocs`.
    partiel : bool
        Rend une somme sur les seules communes renseignées au lieu de NaN (étiquetée « partiel »).
    territorial : bool
        ``cle`` est un niveau administratif (EPCI, département, région) : un territoire à
        cheval sur le champ de l'indicateur (EPCI interrégional pour une source régionale)
        est incomplet, ses communes hors champ comptant comme sans valeur ; pour un
        regroupement (DEGURBA, taille, France), les communes hors champ sont seulement exclues.

    Exemples
    --------
    >>> from territoire_lib.catalogue import indicateur
    >>> t = pd.DataFrame({"code_commune": ["a", "b", "c"], "population_2016": [10.0, np.nan, 5.0]})
    >>> r = calculer_detail(t, indicateur("population"), 2016, pd.Series(["X", "X", "Y"]))
    >>> r.valeurs.to_dict(), r.completude["statut"].to_dict()
    ({'X': nan, 'Y': 5.0}, {'X': 'incomplet', 'Y': 'complet'})
    >>> calculer_detail(t, indicateur("population"), 2016, pd.Series(["X", "X", "Y"]), partiel=True).valeurs["X"]
    np.float64(10.0)
    >>> b = pd.DataFrame({"colonne": ["population_2016"], "bloc": ["b"], "code_commune": ["b"],
    ...                   "valeur": [7.0], "motif": ["ensemble connu"]})
    >>> calculer_detail(t, indicateur("population"), 2016, pd.Series(["X", "X", "Y"]), blocs=b).valeurs["X"]
    np.float64(17.0)
    """
    a, cols = ind.agregation, colonnes_requises(ind, millesime)
    t = a["type"]
    if t in ("categorie", "valeur_communale") and cle is not None:
        if t == "categorie":
            raise IndicateurNonDisponible(
                f"« {ind.id} » est une classe de commune : elle ne s'agrège pas. Utilisez-la comme "
                "regroupement (ex. indicateurs(..., niveau='degurba')) ou au niveau commune.")
        raise IndicateurNonDisponible(
            f"« {ind.id} » est une statistique non additive (médiane…) : elle n'existe qu'au niveau "
            "commune ; la recalculer pour un groupe de communes demande les données individuelles.")
    declaree = base_renseignees(ind)
    hors = hors_champ(table, ind)
    manquent = pd.Series(False, index=table.index)
    if territorial and cle is not None and hors.any():  # à cheval sur le champ : les communes hors champ manquent
        par_groupe = hors.groupby(cle.to_numpy())
        mixte = (par_groupe.transform("any").fillna(False).astype(bool)
                 & ~par_groupe.transform("all").fillna(True).astype(bool))
        manquent, hors = hors & mixte, hors & ~mixte
    if hors.any() or manquent.any():  # hors champ : ni valeur, ni manque (une colonne présente fausserait un ratio)
        table = table[[c for c in dict.fromkeys(cols + ["code_commune"]) if c in table]].copy()
        for c in cols:
            table[c] = table[c].where(~(hors | manquent))
    if cle is None:  # à la commune : la valeur elle-même ; un bloc ne donne pas de valeur communale
        valeurs = _valeur_communale(table, ind, cols, millesime)
        manque = table[cols].isna().any(axis=1)
        par_bloc = _couverts_par_bloc(table, cols, blocs)
        return Resultat(valeurs, _completude(table, manque, par_bloc & manque, None, declaree, partiel, hors))
    if t in _TYPES_SOMMES and not declaree:
        return _sommes_completes(table, ind, millesime, cols, cle, blocs, partiel, hors)
    # base déclarée (ou moyennes, parts) : sur les communes où toutes les colonnes sont renseignées
    manque = table[cols].isna().any(axis=1)
    valeurs = _sur_renseignees(table, ind, millesime, cols, cle)
    compl = _completude(table, manque, pd.Series(False, index=table.index), cle, declaree, partiel, hors)
    if not declaree and not partiel:
        valeurs = valeurs.where(compl["statut"].reindex(valeurs.index) == "complet")
    return Resultat(valeurs, compl)


def _couverts_par_bloc(table: pd.DataFrame, cols: list[str], blocs) -> pd.Series:
    if blocs is None or not len(blocs) or "code_commune" not in table:
        return pd.Series(False, index=table.index)
    membres = set(blocs.loc[blocs["colonne"].isin(cols), "code_commune"])
    return table["code_commune"].isin(membres)


def _valeur_communale(table: pd.DataFrame, ind: Indicateur, cols: list[str], millesime) -> pd.Series:
    t, a = ind.agregation["type"], ind.agregation
    if t in ("categorie", "valeur_communale", "somme", "part_communes", "moyenne_ponderee"):
        return table[cols[0]]
    if t == "part_population":
        return _part_population(table[cols[0]], table[cols[1]].astype("float64"), a.get("seuil"), None)
    x, y = table[cols[0]].astype("float64"), table[cols[1]].astype("float64")
    if t == "ratio":
        return a.get("facteur", 1) * x / y.replace(0, np.nan)
    return _taux_annuel(x, y, millesime)


def _taux_annuel(d: pd.Series, f: pd.Series, millesime) -> pd.Series:
    debut, fin = (int(p) for p in str(millesime).split("-"))
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100 * ((f / d.replace(0, np.nan)) ** (1 / (fin - debut)) - 1)


def _sommes_completes(table, ind, millesime, cols, cle, blocs, partiel, hors) -> Resultat:
    """Sommes, ratios et taux : complets (blocs compris) ou NaN ; partiels seulement sur demande."""
    a, t = ind.agregation, ind.agregation["type"]
    if partiel:  # mêmes communes au numérateur et au dénominateur ; blocs pour une somme seule
        garder = table[cols].notna().all(axis=1) if len(cols) > 1 else None
    else:
        garder = None
    sommes, couverts = [], pd.Series(False, index=table.index)
    manque = pd.Series(False, index=table.index)
    for c in cols:
        s, couvert = _somme_colonne(table, c, cle, blocs if garder is None else None, garder)
        sommes.append(s)
        couverts |= couvert
        manque |= table[c].isna() & ~couvert
    compl = _completude(table, manque, couverts, cle, False, partiel, hors)
    index = compl.index
    sommes = [s.reindex(index) for s in sommes]
    if t == "somme":
        valeurs = sommes[0]
    elif t == "ratio":
        valeurs = a.get("facteur", 1) * sommes[0] / sommes[1].replace(0, np.nan)
    else:
        valeurs = _taux_annuel(sommes[0], sommes[1], millesime)
    if not partiel:
        valeurs = valeurs.where(compl["statut"] == "complet")
    else:
        valeurs = valeurs.where(compl["statut"] != "non disponible")
    return Resultat(valeurs, compl)


def _sur_renseignees(table, ind, millesime, cols, cle) -> pd.Series:
    a, t = ind.agregation, ind.agregation["type"]
    if t == "part_communes":
        v = table[cols[0]]
        vrai = v.fillna(False).astype("float64").where(v.notna())
        return 100 * vrai.groupby(cle).sum(min_count=1) / v.notna().groupby(cle).sum().replace(0, np.nan)
    if t == "part_population":
        return _part_population(table[cols[0]], table[cols[1]].astype("float64"), a.get("seuil"), cle)
    x, y = table[cols[0]].astype("float64"), table[cols[1]].astype("float64")
    ok = x.notna() & y.notna()
    if t == "ratio":
        num, den = x.where(ok).groupby(cle).sum(min_count=1), y.where(ok).groupby(cle).sum(min_count=1)
        return a.get("facteur", 1) * num / den.replace(0, np.nan)
    if t == "taux_annuel":
        return _taux_annuel(x.where(ok).groupby(cle).sum(min_count=1), y.where(ok).groupby(cle).sum(min_count=1),
                            millesime)
    if t == "somme":
        return x.groupby(cle).sum(min_count=1)
    if t == "moyenne_ponderee":
        num, den = (x * y).where(ok).groupby(cle).sum(min_count=1), y.where(ok).groupby(cle).sum(min_count=1)
        return num / den.replace(0, np.nan)
    raise ValueError(f"Règle d'agrégation inconnue « {t} » pour {ind.id} (catalogue.yaml).")


def calculer(table: pd.DataFrame, ind: Indicateur, millesime=None, cle: pd.Series | None = None,
             blocs: pd.DataFrame | None = None, partiel: bool = False) -> pd.Series:
    """Valeur de l'indicateur par commune (``cle=None``) ou par groupe de ``cle`` (voir :func:`calculer_detail`).

    Exemples
    --------
    >>> from territoire_lib.catalogue import indicateur
    >>> t = pd.DataFrame({"population_65_ans_et_plus": [10., 30.], "population_rp2021": [100., 100.]})
    >>> calculer(t, indicateur("part_65_ans_et_plus"), cle=pd.Series(["A", "A"])).round(1).to_dict()
    {'A': 20.0}
    """
    return calculer_detail(table, ind, millesime, cle, blocs, partiel).valeurs


def _part_population(valeur: pd.Series, poids: pd.Series, seuil, cle) -> pd.Series:
    """100 × Σ poids où la condition est vraie / Σ poids, sur les communes renseignées.

    La condition est ``valeur > seuil`` si un seuil est donné, sinon ``valeur`` elle-même (oui/non).
    """
    if seuil is None:
        vrai = valeur.fillna(False).astype(bool)
    else:
        vrai = (valeur.astype("float64") > float(seuil)).fillna(False)
    ok = valeur.notna() & poids.notna()
    num = poids.where(ok & vrai, 0.0).where(ok)
    den = poids.where(ok)
    if cle is not None:
        num, den = num.groupby(cle).sum(min_count=1), den.groupby(cle).sum(min_count=1)
    return 100 * num / den.replace(0, np.nan)


def communes_non_renseignees(table: pd.DataFrame, ind: Indicateur, millesime=None,
                             cle: pd.Series | None = None, blocs: pd.DataFrame | None = None) -> pd.Series:
    """Nombre de communes de chaque groupe sans valeur pour ``ind`` (ni bloc qui les couvre).

    Exemples
    --------
    >>> from territoire_lib.catalogue import indicateur
    >>> t = pd.DataFrame({"code_commune": ["a", "b", "c"], "population_2016": [1.0, np.nan, 3.0]})
    >>> communes_non_renseignees(t, indicateur("population"), 2016, pd.Series(["A", "A", "B"])).to_dict()
    {'A': 1, 'B': 0}
    """
    r = calculer_detail(table, ind, millesime, cle, blocs, partiel=True)
    return r.completude["nb_sans_valeur"]
