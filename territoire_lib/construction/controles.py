"""Contrôles de fin de construction : totaux de référence et couverture.

Deux vérifications, écrites au journal de construction et dans
``donnees/README.md`` :

* :func:`controler_totaux` — pour chaque millésime de population, la somme
  des valeurs communales et des blocs (``indicateurs/blocs.parquet``) par
  département, par région, pour la France métropolitaine et la France hors
  Mayotte doit être **exactement** la somme des communes de la version
  source dans son propre COG (les populations légales publiées par l'Insee).
  Un écart fait échouer la construction.
* :func:`rapport_couverture` — pour chaque indicateur du catalogue et chaque
  millésime : communes renseignées / total, communes couvertes seulement par
  un bloc, communes sans valeur.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["TERRITOIRES_NON_DISPONIBLES", "ErreurControle", "totaux_source", "totaux_lignes_source",
           "controler_totaux", "rapport_couverture"]

#: Territoires exclus du contrôle, avec leur motif (valeurs volontairement non disponibles).
TERRITOIRES_NON_DISPONIBLES = {
    "976": "Mayotte : populations non disponibles (seul le recensement 2017, reconduit, figure dans les sources)",
}


class ErreurControle(ValueError):
    """Un total reconstruit diffère du total de la source : la construction s'arrête."""


def totaux_source(version: pd.DataFrame) -> pd.DataFrame:
    """Communes du champ d'une version de decoupage-administratif, dans son propre COG.

    Renvoie
    -------
    DataFrame
        ``code_commune, code_departement, code_region, population`` (une
        ligne par commune actuelle de cette version, France métropolitaine et
        DROM).

    Exemples
    --------
    >>> v = pd.DataFrame({"code": ["01001", "98714"], "type": "commune-actuelle",
    ...                   "zone": ["metro", "com"], "departement": ["01", "987"],
    ...                   "region": ["84", None], "population": [10.0, 5.0]})
    >>> totaux_source(v)["code_commune"].tolist()
    ['01001']
    """
    com = version[(version["type"] == "commune-actuelle") & version["zone"].isin(["metro", "drom"])]
    return pd.DataFrame({"code_commune": com["code"].astype(str).to_numpy(),
                         "code_departement": com["departement"].astype(str).to_numpy(),
                         "code_region": com["region"].astype(str).to_numpy(),
                         "population": com["population"].astype("float64").to_numpy()})


def totaux_lignes_source(codes: pd.Series, valeurs: pd.Series, regions: dict[str, str]) -> pd.DataFrame:
    """Lignes d'une source communale (ou infra-communale) dans leur propre géographie, pour le contrôle.

    Le département est lu dans le code commune de la source (3 caractères
    outre-mer), la région d'après le référentiel des départements (stable).

    Exemples
    --------
    >>> t = totaux_lignes_source(pd.Series(["75101", "97411"]), pd.Series([1.0, 2.0]), {"75": "11", "974": "04"})
    >>> t[["code_departement", "code_region"]].values.tolist()
    [['75', '11'], ['974', '04']]
    """
    codes = codes.astype(str).reset_index(drop=True)
    dep = codes.str[:2].where(~codes.str.startswith("97"), codes.str[:3])
    return pd.DataFrame({"code_commune": codes, "code_departement": dep, "code_region": dep.map(regions),
                         "valeur": valeurs.astype("float64").reset_index(drop=True)})


def _sommes(table: pd.DataFrame, colonne: str, valeurs: pd.Series) -> dict[str, pd.Series]:
    metro = ~table["code_departement"].str.startswith("97")
    return {
        "departement": valeurs.groupby(table["code_departement"]).sum(min_count=1),
        "region": valeurs.groupby(table["code_region"]).sum(min_count=1),
        "france": pd.Series({"France métropolitaine": valeurs[metro].sum(min_count=1),
                             "France hors Mayotte": valeurs.sum(min_count=1)}),
    }


def controler_totaux(
    table: pd.DataFrame, blocs: pd.DataFrame, references: dict[str, pd.DataFrame], lever: bool = True
) -> dict:
    """Compare, par département, région et pour la France, reconstruit (communes + blocs) et source.

    Paramètres
    ----------
    table : DataFrame
        Table communale construite : ``code_commune, code_departement,
        code_region`` et les colonnes à contrôler.
    blocs : DataFrame
        Blocs (contrat de ``indicateurs/blocs.parquet``) : chaque bloc est
        compté une fois, dans le département (la région) de ses membres.
    references : dict
        ``{colonne: totaux_source(version)}`` pour chaque colonne contrôlée
        (ou toute table ``code_departement, code_region, valeur`` des lignes
        de la source, dans sa propre géographie).
    lever : bool, défaut True
        Lève :class:`ErreurControle` au premier écart (sinon le rapport seul).

    Renvoie
    -------
    dict
        Par colonne : territoires vérifiés, totaux France, écarts (liste de
        ``{niveau, code, reconstruit, source}``), territoires exclus et motif.

    Exemples
    --------
    >>> t = pd.DataFrame({"code_commune": ["01001", "01002", "01003"], "code_departement": "01",
    ...                   "code_region": "84", "population_2019": [10.0, np.nan, np.nan]})
    >>> b = pd.DataFrame({"colonne": "population_2019", "bloc": "population_2019:01002+01003",
    ...                   "code_commune": ["01002", "01003"], "valeur": 7.0, "motif": "rétablie"})
    >>> ref = pd.DataFrame({"code_commune": ["01001", "01002"], "code_departement": "01",
    ...                     "code_region": "84", "population": [10.0, 7.0]})
    >>> r = controler_totaux(t, b, {"population_2019": ref})
    >>> r["population_2019"]["ecarts"], r["population_2019"]["france"]["France hors Mayotte"]
    ([], 17.0)
    """
    rapport = {}
    exclus = set(TERRITOIRES_NON_DISPONIBLES)
    for colonne, ref in references.items():
        garde = ~table["code_departement"].isin(exclus)
        t = table.loc[garde, ["code_commune", "code_departement", "code_region", colonne]]
        b = blocs[blocs["colonne"] == colonne].merge(
            table[["code_commune", "code_departement", "code_region"]], on="code_commune")
        b = b[~b["code_departement"].isin(exclus)]
        etendus = []
        for niveau in ("code_departement", "code_region"):
            n = b.groupby("bloc")[niveau].nunique()
            etendus += [f"{bloc} ({niveau})" for bloc in n[n > 1].index]
        un = b.drop_duplicates("bloc")
        reconstruit = pd.concat([t.rename(columns={colonne: "v"}),
                                 un[["code_commune", "code_departement", "code_region", "valeur"]]
                                 .rename(columns={"valeur": "v"})], ignore_index=True)
        r = ref[~ref["code_departement"].isin(exclus)]
        nous = _sommes(reconstruit, colonne, reconstruit["v"])
        eux = _sommes(r, colonne, r["valeur" if "valeur" in r else "population"])
        ecarts = []
        for niveau in ("departement", "region", "france"):
            a, s = nous[niveau], eux[niveau]
            for code in sorted(set(a.index) | set(s.index)):
                va, vs = a.get(code, np.nan), s.get(code, np.nan)
                if not (va == vs):  # NaN compris : un total manquant est un écart
                    ecarts.append({"niveau": niveau, "code": code,
                                   "reconstruit": None if pd.isna(va) else float(va),
                                   "source": None if pd.isna(vs) else float(vs)})
        rapport[colonne] = {
            "departements_verifies": int(len(eux["departement"])),
            "regions_verifiees": int(len(eux["region"])),
            "france": {k: float(v) for k, v in nous["france"].items()},
            "blocs_comptes": int(len(un)),
            "communes_sans_valeur_hors_blocs": int(t[colonne].isna().sum() - b["code_commune"].nunique()),
            "blocs_a_cheval": etendus,
            "ecarts": ecarts,
            "exclus": dict(TERRITOIRES_NON_DISPONIBLES),
        }
        if lever and ecarts:
            e = ecarts[0]
            raise ErreurControle(
                f"Contrôle des totaux : {colonne} ne retrouve pas le total de la source pour "
                f"{len(ecarts)} territoire(s), p. ex. {e['niveau']} {e['code']} : reconstruit "
                f"{e['reconstruit']} (communes + blocs), source {e['source']}. Une commune a perdu sa "
                "valeur sans bloc, ou a été comptée deux fois : la construction s'arrête.")
    return rapport


def rapport_couverture(table: pd.DataFrame, blocs: pd.DataFrame, indicateurs: list) -> list[dict]:
    """Couverture de chaque indicateur et millésime : communes renseignées, par bloc, sans valeur.

    Une commune est renseignée si toutes les colonnes de base de l'indicateur
    (``agregation.colonnes_requises``) ont une valeur ; elle est couverte par
    un bloc si chaque colonne manquante est couverte par un bloc et que
    l'agrégat est additif (somme, ratio de sommes, taux d'évolution) : une
    moyenne pondérée ou une part de population demande le poids de chaque
    commune.

    Paramètres
    ----------
    table : DataFrame
        Table communale construite.
    blocs : DataFrame
        Contrat de ``indicateurs/blocs.parquet``.
    indicateurs : list
        Objets ``Indicateur`` du catalogue.

    Renvoie
    -------
    list of dict
        ``indicateur, millesime, communes, avec_valeur, par_bloc,
        sans_valeur`` (ou ``hors_donnees`` pour une source en ligne).

    Exemples
    --------
    >>> from territoire_lib.catalogue import indicateur
    >>> t = pd.DataFrame({"code_commune": ["01001", "01002"], "surface_km2": [1.0, np.nan]})
    >>> vide = pd.DataFrame(columns=["colonne", "bloc", "code_commune", "valeur", "motif"])
    >>> rapport_couverture(t, vide, [indicateur("surface")])
    [{'indicateur': 'surface', 'millesime': None, 'communes': 2, 'avec_valeur': 1, 'par_bloc': 0, 'sans_valeur': 1}]
    """
    from ..agregation import colonnes_requises

    en_bloc = {c: set(g) for c, g in blocs.groupby("colonne")["code_commune"]} if len(blocs) else {}
    additifs = {"somme", "ratio", "taux_annuel"}  # seuls agrégats qu'un bloc complète
    lignes = []
    for ind in indicateurs:
        for m in ind.millesimes or (None,):
            colonnes = colonnes_requises(ind, m)
            ligne = {"indicateur": ind.id, "millesime": None if m is None else str(m), "communes": int(len(table))}
            absentes = [c for c in colonnes if c not in table.columns]
            if absentes:
                ligne["hors_donnees"] = ("source en ligne (connecteur), hors donnees/" if ind.source_web
                                         else f"colonnes absentes : {', '.join(absentes)}")
                lignes.append(ligne)
                continue
            manque = table[colonnes].isna()
            avec = ~manque.any(axis=1)
            couvert = pd.Series(ind.agregation["type"] in additifs, index=table.index)
            for c in colonnes:
                couvert &= ~manque[c] | table["code_commune"].isin(en_bloc.get(c, set()))
            par_bloc = ~avec & couvert
            ligne.update({"avec_valeur": int(avec.sum()), "par_bloc": int(par_bloc.sum()),
                          "sans_valeur": int((~avec & ~par_bloc).sum())})
            lignes.append(ligne)
    return lignes
