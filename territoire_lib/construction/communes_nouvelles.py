"""Communes nouvelles : dates (ou périodes) de fusion des anciennes communes.

Sources : les versions épinglées du paquet npm ``@etalab/decoupage-administratif``
(Insee, COG). Aucune ne donne directement la date d'une fusion postérieure à
2019 ; on la situe donc entre deux versions successives du COG :

* ``0.5.1`` porte le COG au 1er janvier 2019 **et** l'historique des communes
  de l'Insee (``historique-communes.json``, dates exactes jusqu'au
  1er janvier 2019) ;
* ``1.1.1`` = COG 2021, ``2.3.1`` = COG 2022, ``4.1.0`` = COG 2024,
  ``6.0.0`` = COG 2026 (COG courant).

Le millésime du COG de chaque version a été établi de trois façons
concordantes : le tableau « Millésimes et versions de package » du README
des versions 2.3.1, 4.1.0 et 6.0.0 (2021 → 1.1.1, 2022 → 2.3.1, 2024 → 4.1.0,
2026 → 6.0.0) ; le nombre de communes hors collectivités d'outre-mer, égal au
décompte publié par l'Insee au 1er janvier de l'année (34 970 en 2019,
34 965 en 2021, 34 955 en 2022, 34 935 en 2024, 34 875 en 2025 et 2026) ; et,
pour 0.5.1, la date la plus récente de son historique (2019-01-01).

Une ancienne commune fusionnée est un « ancien code (fusion) » de la table de
passage du COG courant. Pour chacune :

* présente comme commune dans une version postérieure à 2019 : elle a disparu
  entre la dernière version où elle figure et la suivante (période, pas de
  date) ; sa population est celle de cette dernière version ;
* absente dès le COG 2019 : l'historique donne la date exacte et la nature de
  l'événement ; aucune version épinglée ne donne alors sa population ;
* un code qui a seulement changé (changement de département ou de chef-lieu)
  est gardé, classé « changement de code », jamais compté comme fusion.

La commune qui garde son code (le plus souvent l'ancien chef-lieu) a aussi sa
ligne (rôle « garde le code »), datée de la création de la commune nouvelle.
"""
from __future__ import annotations

import logging
from collections import defaultdict

import numpy as np
import pandas as pd

__all__ = [
    "VERSIONS_COG",
    "MILLESIMES_POPULATION_COG",
    "DATE_LOI_COMMUNES_NOUVELLES",
    "fin_dans_historique",
    "fusions_communes",
    "comptes_par_commune",
]

journal = logging.getLogger(__name__)

#: Paquet source (``sources.toml``) → année du COG qu'il porte (voir la docstring du module).
VERSIONS_COG: dict[str, int] = {
    "decoupage-p2016": 2019,
    "decoupage-p2019": 2021,
    "decoupage-p2020": 2022,
    "decoupage-p2022": 2024,
    "decoupage-courant": 2026,
}
#: Année du COG → millésime des populations légales que porte la même version.
MILLESIMES_POPULATION_COG: dict[int, int] = {2019: 2016, 2021: 2019, 2022: 2020, 2024: 2022, 2026: 2023}
#: Loi de réforme des collectivités territoriales (16 décembre 2010) : statut de commune nouvelle.
DATE_LOI_COMMUNES_NOUVELLES = "2010-12-16"

_CHANGEMENTS_DE_CODE = {"changement de département", "changement de chef lieu", "changement de nom"}
COMMUNE_NOUVELLE, FUSION_ANCIENNE, CHANGEMENT_CODE = (
    "commune nouvelle", "fusion antérieure à la loi de 2010", "changement de code")
_MOTIF_POP_AVANT_2019 = "fusion antérieure au COG 2019 : aucune version épinglée ne donne la population"
_MOTIF_POP_CHEF_LIEU = ("commune nouvelle du 1er janvier 2019 : la version COG 2019 ne porte que la "
                        "population du chef-lieu")


def _index_historique(historique: list[dict]) -> dict[str, list[dict]]:
    par_code: dict[str, list[dict]] = defaultdict(list)
    for e in historique:
        par_code[e["code"]].append(e)
    return par_code


def fin_dans_historique(enregistrements: list[dict]) -> dict | None:
    """Fin de la dernière existence d'un code comme commune, d'après l'historique de l'Insee.

    Paramètres
    ----------
    enregistrements : list of dict
        Entrées de ``historique-communes.json`` portant ce code (``type`` COM,
        COMD, COMA, COMP ; ``dateDebut``, ``dateFin``, ``raisonFin``, ``nom``).

    Renvoie
    -------
    dict ou None
        ``date, raison, nom`` : date et motif de fin du dernier enregistrement
        de type commune (COM) ; à défaut (code né directement commune déléguée
        ou associée), date et motif de début du premier enregistrement de ce
        type. ``None`` si le code est encore une commune ou inconnu.

    Exemples
    --------
    >>> h = [{"type": "COM", "code": "85060", "nom": "Château-d'Olonne", "dateFin": "2019-01-01",
    ...       "raisonFin": "commune devenant déléguée"}]
    >>> fin_dans_historique(h)["date"]
    '2019-01-01'
    """
    communes = sorted((e for e in enregistrements if e["type"] == "COM"),
                      key=lambda e: e.get("dateDebut") or "0000")
    if communes:
        dernier = communes[-1]
        if not dernier.get("dateFin"):
            return None
        return {"date": dernier["dateFin"], "raison": dernier.get("raisonFin"), "nom": dernier["nom"]}
    rattaches = sorted((e for e in enregistrements if e["type"] in ("COMD", "COMA") and e.get("dateDebut")),
                       key=lambda e: e["dateDebut"])
    if not rattaches:
        return None
    return {"date": rattaches[0]["dateDebut"], "raison": rattaches[0].get("raisonDebut"), "nom": rattaches[0]["nom"]}


def _evenement(date: str, raison: str | None) -> str:
    if raison in _CHANGEMENTS_DE_CODE:
        return CHANGEMENT_CODE
    return COMMUNE_NOUVELLE if date > DATE_LOI_COMMUNES_NOUVELLES else FUSION_ANCIENNE


def _presences(versions: dict[int, pd.DataFrame]) -> dict[int, pd.DataFrame]:
    return {annee: v.loc[v["type"] == "commune-actuelle", ["code", "nom", "population"]].set_index("code")
            for annee, v in versions.items()}


def _ligne_versions(code: str, annees: list[int], actuelles: dict, incompletes: set[str]) -> dict:
    """Ancienne commune encore présente dans une version postérieure à 2019."""
    dernier = max(a for a in annees if code in actuelles[a].index)
    suivant = annees[annees.index(dernier) + 1]
    ligne = actuelles[dernier].loc[code]
    pop, statut = ligne["population"], "ok"
    if dernier == annees[0] and code in incompletes:
        pop, statut = np.nan, _MOTIF_POP_CHEF_LIEU
    elif pd.isna(pop):
        statut = "population absente de la version source"
    return {"nom_ancienne_commune": ligne["nom"], "evenement": COMMUNE_NOUVELLE, "date_fusion": pd.NA,
            "cog_avant": dernier, "cog_apres": suivant, "annee_debut_periode": dernier,
            "annee_fin_periode": suivant, "source_date": f"comparaison des COG {dernier} et {suivant}",
            "population_ancienne": pop, "millesime_population_ancienne": MILLESIMES_POPULATION_COG.get(dernier),
            "statut_population": statut}


def _ligne_historique(fin: dict, premiere: int) -> dict:
    annee = int(fin["date"][:4])
    return {"nom_ancienne_commune": fin["nom"], "evenement": _evenement(fin["date"], fin["raison"]),
            "date_fusion": fin["date"], "cog_avant": pd.NA, "cog_apres": premiere,
            "annee_debut_periode": annee, "annee_fin_periode": annee,
            "source_date": f"historique des communes (Insee) : {fin['raison']}",
            "population_ancienne": np.nan, "millesime_population_ancienne": pd.NA,
            "statut_population": _MOTIF_POP_AVANT_2019}


def _lignes_gardant_le_code(res: pd.DataFrame, actuelles: dict, historique: dict, incompletes: set[str]) -> pd.DataFrame:
    """Une ligne par commune nouvelle pour l'ancienne commune qui a gardé son code."""
    cn = res[res["evenement"] == COMMUNE_NOUVELLE].sort_values(["annee_fin_periode", "date_fusion"])
    premieres = cn.drop_duplicates("code_commune")
    lignes = []
    for _, p in premieres.iterrows():
        c = p["code_commune"]
        ligne = p.to_dict() | {"ancien_code": c, "role": "garde le code"}
        if pd.isna(p["date_fusion"]):  # période entre deux versions : population de la version d'avant
            avant = actuelles[p["cog_avant"]]
            pop = avant["population"].get(c, np.nan)
            ligne["nom_ancienne_commune"] = avant["nom"].get(c, pd.NA)
            ligne["population_ancienne"] = np.nan if c in incompletes and p["cog_avant"] == min(actuelles) else pop
        else:
            noms = [e["nom"] for e in historique.get(c, []) if e["type"] == "COM" and e.get("dateFin") == p["date_fusion"]]
            ligne["nom_ancienne_commune"] = noms[0] if noms else pd.NA
        lignes.append(ligne)
    return pd.DataFrame(lignes, columns=res.columns)


def fusions_communes(
    versions: dict[int, pd.DataFrame],
    historique: list[dict],
    passage: pd.DataFrame,
    incompletes: set[str] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Anciennes communes fusionnées dans chaque commune courante, avec date ou période.

    Paramètres
    ----------
    versions : dict {année du COG: DataFrame}
        Sorties de :func:`territoire_lib.construction.cog.lire_decoupage` ; la plus
        récente est le COG courant.
    historique : list of dict
        ``historique-communes.json`` (Insee, jusqu'au COG de la plus ancienne version).
    passage : DataFrame
        Table de passage du COG courant (``ancien_code, code_commune, nature``).
    incompletes : set of str, optionnel
        Communes nouvelles dont la plus ancienne version ne porte que la
        population du chef-lieu (leur population y est ignorée).

    Renvoie
    -------
    (DataFrame, dict)
        Une ligne par ancien code : ``code_commune`` (COG courant),
        ``ancien_code``, ``nom_ancienne_commune``, ``role`` (« absorbée » ou
        « garde le code »), ``evenement`` (commune nouvelle, fusion antérieure
        à la loi de 2010, changement de code), ``date_fusion`` (AAAA-MM-JJ si
        connue), ``cog_avant``/``cog_apres`` (années des versions qui encadrent
        la fusion), ``annee_debut_periode``/``annee_fin_periode``, ``periode``
        (libellé), ``source_date``, ``population_ancienne`` (habitants, NaN si
        aucune version ne la donne), ``millesime_population_ancienne``,
        ``statut_population`` ; et un rapport (décomptes, codes sans date).

    Exemples
    --------
    >>> v = {2019: pd.DataFrame({"code": ["01001", "01002"], "nom": ["A", "B"], "type": "commune-actuelle",
    ...                          "population": [100.0, 50.0]}),
    ...      2021: pd.DataFrame({"code": ["01001"], "nom": ["A-B"], "type": "commune-actuelle",
    ...                          "population": [160.0]})}
    >>> passage = pd.DataFrame({"ancien_code": ["01002"], "code_commune": ["01001"],
    ...                         "nature": ["ancien code (fusion)"]})
    >>> res, rapport = fusions_communes(v, [], passage)
    >>> res[["ancien_code", "role", "periode", "population_ancienne"]].values.tolist()
    [['01001', 'garde le code', 'entre le COG 2019 et le COG 2021', 100.0], ['01002', 'absorbée', 'entre le COG 2019 et le COG 2021', 50.0]]
    """
    incompletes = incompletes or set()
    annees = sorted(versions)
    actuelles = _presences(versions)
    par_code = _index_historique(historique)
    fus = passage.loc[passage["nature"] == "ancien code (fusion)", ["ancien_code", "code_commune"]]
    lignes, sans_date, encore = [], [], []
    for a, c in zip(fus["ancien_code"], fus["code_commune"]):
        if a in actuelles[annees[-1]].index:
            encore.append(a)
            continue
        if any(a in actuelles[x].index for x in annees):
            detail = _ligne_versions(a, annees, actuelles, incompletes)
        else:
            fin = fin_dans_historique(par_code.get(a, []))
            if fin is None:
                sans_date.append(a)
                continue
            detail = _ligne_historique(fin, annees[0])
        lignes.append({"code_commune": c, "ancien_code": a, "role": "absorbée", **detail})
    colonnes = ["code_commune", "ancien_code", "nom_ancienne_commune", "role", "evenement", "date_fusion",
                "cog_avant", "cog_apres", "annee_debut_periode", "annee_fin_periode", "source_date",
                "population_ancienne", "millesime_population_ancienne", "statut_population"]
    res = pd.DataFrame(lignes, columns=colonnes)
    res = pd.concat([res, _lignes_gardant_le_code(res, actuelles, par_code, incompletes)], ignore_index=True)
    res = _typer(res)
    res["periode"] = pd.Series(np.where(
        res["date_fusion"].notna(), res["annee_fin_periode"].astype(str),
        "entre le COG " + res["cog_avant"].astype(str) + " et le COG " + res["cog_apres"].astype(str)),
        index=res.index, dtype="string")
    res = res.sort_values(["code_commune", "role", "ancien_code"], ascending=[True, False, True],
                                  ignore_index=True)
    rapport = {
        "anciens_codes_fusion": int(len(fus)),
        "lignes_par_evenement": {k: int(v) for k, v in res["evenement"].value_counts().items()},
        "lignes_par_periode": {k: int(v) for k, v in res.loc[res["evenement"] == COMMUNE_NOUVELLE, "periode"]
                               .value_counts().sort_index().items()},
        "communes_nouvelles": int(res.loc[res["evenement"] == COMMUNE_NOUVELLE, "code_commune"].nunique()),
        "anciens_codes_sans_date": sans_date,
        "anciens_codes_encore_communes": encore,
        "populations_anciennes_connues": int(res["population_ancienne"].notna().sum()),
    }
    for cle in ("anciens_codes_sans_date", "anciens_codes_encore_communes"):
        if rapport[cle]:
            journal.warning("Communes nouvelles : %d %s : %s", len(rapport[cle]), cle.replace("_", " "),
                            rapport[cle][:10])
    return res, rapport


def _typer(res: pd.DataFrame) -> pd.DataFrame:
    res = res.copy()
    for col in ("code_commune", "ancien_code", "nom_ancienne_commune", "role", "evenement", "date_fusion",
                "source_date", "statut_population"):
        res[col] = res[col].astype("string")
    for col in ("cog_avant", "cog_apres", "annee_debut_periode", "annee_fin_periode",
                "millesime_population_ancienne"):
        res[col] = pd.to_numeric(res[col]).astype("Int64")
    res["population_ancienne"] = pd.to_numeric(res["population_ancienne"]).astype("float64")
    return res


def comptes_par_commune(fusions: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """Anciennes communes absorbées (commune nouvelle) et communes d'avant, pour chaque commune courante.

    Paramètres
    ----------
    fusions : DataFrame
        Sortie de :func:`fusions_communes`.
    codes : Series
        Codes des communes courantes du champ.

    Renvoie
    -------
    DataFrame
        ``code_commune, nb_communes_absorbees`` (0 sans fusion),
        ``nb_communes_avant_communes_nouvelles`` (absorbées + 1).

    Exemples
    --------
    >>> f = pd.DataFrame({"code_commune": ["01001", "01001", "01001"], "role": ["garde le code", "absorbée", "absorbée"],
    ...                   "evenement": [COMMUNE_NOUVELLE, COMMUNE_NOUVELLE, FUSION_ANCIENNE]})
    >>> comptes_par_commune(f, pd.Series(["01001", "01002"])).values.tolist()
    [['01001', 1, 2], ['01002', 0, 1]]
    """
    absorbees = fusions[(fusions["role"] == "absorbée") & (fusions["evenement"] == COMMUNE_NOUVELLE)]
    n = absorbees.groupby("code_commune").size()
    res = pd.DataFrame({"code_commune": codes.astype(str).to_numpy()})
    res["nb_communes_absorbees"] = res["code_commune"].map(n).fillna(0).astype("int64")
    res["nb_communes_avant_communes_nouvelles"] = res["nb_communes_absorbees"] + 1
    return res
