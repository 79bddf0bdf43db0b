"""Coopérations et nouveaux acteurs : intercommunalités, communes nouvelles, conseils municipaux, dédoublement.

Fonctions du carnet 04 « Économie collaborative, coopérations et nouveaux
acteurs ». Toutes lisent les données construites (``donnees/``) par la
bibliothèque et gardent des règles simples, écrites ici et testées :

* :func:`evolution_epci` classe chaque EPCI actuel selon l'origine de ses
  communes au 1er janvier 2020 (inchangé, élargi, fusionné, réduit, recomposé) ;
* :func:`communes_nouvelles` résume les fusions de communes depuis une année ;
* :func:`profil_elus` recalcule les parts d'élus depuis les effectifs sommés
  (jamais une moyenne de parts) et masque toute valeur portant sur moins de
  5 personnes ;
* :func:`typologie_dedoublement` range les communes selon la part de
  résidences secondaires, la vacance et le zonage A/B/C.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .chargement import _lire, table_communes, territoires
from .erreurs import NiveauInconnu

__all__ = [
    "SEUIL_SECRET",
    "CLASSES_EPCI",
    "CLASSES_DEDOUBLEMENT",
    "SEUILS_DEDOUBLEMENT",
    "epci_2020",
    "anciennes_communes",
    "classer_evolution_epci",
    "evolution_epci",
    "changements_nature_epci",
    "communes_nouvelles",
    "communes_nouvelles_par_periode",
    "profil_elus",
    "typologie_dedoublement",
]

#: Aucune valeur calculée sur moins de ce nombre de personnes n'est diffusée.
SEUIL_SECRET = 5
#: Classes d'évolution d'un EPCI entre le 1er janvier 2020 et le COG courant, dans l'ordre de lecture.
CLASSES_EPCI = ["inchangé", "élargi", "fusionné", "réduit", "recomposé"]
FICHIER_EPCI_2020 = "territoires/epci_2020.parquet"
FICHIER_COMMUNES_NOUVELLES = "territoires/communes_nouvelles.parquet"
EVENEMENT_COMMUNE_NOUVELLE = "commune nouvelle"


# --------------------------------------------------------------------------- chargement
@lru_cache(maxsize=1)
def _epci_2020() -> pd.DataFrame:
    return _lire(FICHIER_EPCI_2020)


def epci_2020() -> pd.DataFrame:
    """EPCI à fiscalité propre au 1er janvier 2020 (DGCL) : SIREN, nom, nature, nombre de communes.

    Exemples
    --------
    >>> e = epci_2020()
    >>> sorted(e["nature_epci_2020"].unique())
    ['CA', 'CC', 'CU', 'MET69', 'METRO']
    """
    return _epci_2020().copy()


@lru_cache(maxsize=1)
def _anciennes_communes() -> pd.DataFrame:
    return _lire(FICHIER_COMMUNES_NOUVELLES)


def anciennes_communes() -> pd.DataFrame:
    """Anciennes communes fusionnées, une ligne par ancien code (table construite depuis le COG).

    Renvoie
    -------
    DataFrame
        ``code_commune`` (commune courante), ``ancien_code``,
        ``nom_ancienne_commune``, ``role`` (« absorbée » / « garde le code »),
        ``evenement`` (« commune nouvelle », « fusion antérieure à la loi de
        2010 », « changement de code »), ``date_fusion`` (si l'historique de
        l'Insee la donne), ``cog_avant``/``cog_apres``, ``periode``,
        ``population_ancienne`` et son millésime, ``statut_population``.

    Exemples
    --------
    >>> a = anciennes_communes()
    >>> a.loc[a["code_commune"] == "85194", "nom_ancienne_commune"].tolist()
    ["Les Sables-d'Olonne", "Château-d'Olonne", 'Olonne-sur-Mer']
    """
    return _anciennes_communes().copy()


# --------------------------------------------------------------------------- 1. mutualiser
def classer_evolution_epci(appartenances: pd.DataFrame) -> pd.DataFrame:
    """Classe chaque EPCI actuel selon l'origine de ses communes en 2020 (fonction pure).

    Règle, pour un EPCI actuel E et les EPCI de 2020 (« origines ») de ses
    communes, une origine étant « entière » si toutes ses communes sont dans E :

    * **inchangé** : une seule origine, entière, et aucune autre commune ;
    * **élargi** : une seule origine entière, plus des communes venues d'EPCI
      dont E ne reprend qu'une partie (ou sans EPCI en 2020) ;
    * **fusionné** : au moins deux origines entières ;
    * **réduit** : une seule origine, dont des communes sont parties ailleurs ;
    * **recomposé** : aucune origine entière (découpage d'EPCI, autres cas).

    Paramètres
    ----------
    appartenances : DataFrame
        Une ligne par commune : ``code_commune``, ``code_epci`` (actuel),
        ``code_epci_2020`` (NA si inconnu : commune nouvelle issue d'EPCI différents).

    Renvoie
    -------
    DataFrame
        Indexé par ``code_epci`` : ``evolution`` (une des :data:`CLASSES_EPCI`),
        ``nb_communes``, ``nb_origines_2020``, ``nb_origines_entieres``,
        ``origine_principale`` (EPCI 2020 qui apporte le plus de communes),
        ``nb_communes_venues_d_ailleurs`` (communes hors de l'origine principale),
        ``nb_communes_origine_inconnue``.

    Exemples
    --------
    >>> a = pd.DataFrame({"code_commune": list("abcdefg"),
    ...                   "code_epci":      ["E1", "E1", "E2", "E2", "E3", "E3", "E4"],
    ...                   "code_epci_2020": ["A",  "A",  "B",  "C",  "D",  "F",  "D"]})
    >>> classer_evolution_epci(a)["evolution"].to_dict()
    {'E1': 'inchangé', 'E2': 'fusionné', 'E3': 'élargi', 'E4': 'réduit'}
    """
    a = appartenances.dropna(subset=["code_epci"])
    connues = a.dropna(subset=["code_epci_2020"])
    taille_origine = connues.groupby("code_epci_2020").size()
    apports = connues.groupby(["code_epci", "code_epci_2020"]).size().rename("n").reset_index()
    apports["entiere"] = apports["n"].to_numpy() == taille_origine.reindex(apports["code_epci_2020"]).to_numpy()
    apports = apports.sort_values(["code_epci", "n", "code_epci_2020"], ascending=[True, False, True])
    par_epci = apports.groupby("code_epci").agg(
        nb_origines_2020=("code_epci_2020", "size"), nb_origines_entieres=("entiere", "sum"),
        origine_principale=("code_epci_2020", "first"), n_principale=("n", "first"))
    res = pd.DataFrame({"nb_communes": a.groupby("code_epci").size()})
    res["nb_communes_origine_inconnue"] = a["code_epci_2020"].isna().groupby(a["code_epci"]).sum()
    res = res.join(par_epci)
    res[["nb_origines_2020", "nb_origines_entieres", "n_principale"]] = res[
        ["nb_origines_2020", "nb_origines_entieres", "n_principale"]].fillna(0).astype(int)
    res["nb_communes_venues_d_ailleurs"] = res["nb_communes"] - res["n_principale"]
    n_orig, n_ent = res["nb_origines_2020"], res["nb_origines_entieres"]
    seule_entiere = (n_ent == 1) & (n_orig == 1) & (res["nb_communes_origine_inconnue"] == 0)
    res["evolution"] = np.select(
        [seule_entiere, n_ent == 1, n_ent >= 2, (n_orig == 1) & (n_ent == 0)],
        ["inchangé", "élargi", "fusionné", "réduit"], default="recomposé")
    res.index.name = "code_epci"
    return res.drop(columns="n_principale")[
        ["evolution", "nb_communes", "nb_origines_2020", "nb_origines_entieres", "origine_principale",
         "nb_communes_venues_d_ailleurs", "nb_communes_origine_inconnue"]]


def evolution_epci() -> pd.DataFrame:
    """Évolution de chaque EPCI actuel depuis le 1er janvier 2020, avec nature d'hier et d'aujourd'hui.

    Renvoie
    -------
    DataFrame
        Indexé par ``code_epci`` : ``nom_epci``, ``nature_epci``, les colonnes
        de :func:`classer_evolution_epci`, ``nature_epci_2020`` (nature de
        l'origine principale ; ``ME`` pour toutes les métropoles), et
        ``changement_nature`` (ex. « CC → CA », vide si inchangée).
        ``attrs["rapport"]`` : communes sans EPCI actuel, communes sans EPCI 2020 connu.

    Exemples
    --------
    >>> e = evolution_epci()
    >>> e.loc["200046977", "evolution"]  # Métropole de Lyon
    'inchangé'
    """
    t = table_communes()
    res = classer_evolution_epci(t[["code_commune", "code_epci", "code_epci_2020"]])
    ref = territoires("epci").set_index("code_epci")[["nom_epci", "nature_epci"]]
    nature_2020 = _epci_2020().set_index("code_epci_2020")["nature_epci_2020"].replace({"METRO": "ME", "MET69": "ME"})
    res = ref.join(res, how="left")
    res["nature_epci_2020"] = res["origine_principale"].map(nature_2020)
    change = res["nature_epci_2020"].notna() & (res["nature_epci_2020"] != res["nature_epci"])
    res["changement_nature"] = pd.Series(pd.NA, index=res.index, dtype="string")
    res.loc[change, "changement_nature"] = res["nature_epci_2020"] + " → " + res["nature_epci"]
    res.attrs["rapport"] = {
        "communes_sans_epci_actuel": t.loc[t["code_epci"].isna(), "code_commune"].tolist(),
        "communes_sans_epci_2020_connu": int(t["code_epci_2020"].isna().sum()),
    }
    return res


def changements_nature_epci(evolution: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tableau croisé des natures d'EPCI : origine principale en 2020 (lignes) × aujourd'hui (colonnes).

    Exemples
    --------
    >>> int(changements_nature_epci().loc["CC", "CA"]) >= 0
    True
    """
    e = evolution_epci() if evolution is None else evolution
    ordre = ["ME", "CU", "CA", "CC"]
    tab = pd.crosstab(e["nature_epci_2020"], e["nature_epci"])
    tab = tab.reindex(index=[o for o in ordre if o in tab.index], columns=[o for o in ordre if o in tab.columns],
                      fill_value=0)
    tab.index.name, tab.columns.name = "nature en 2020", "nature actuelle"
    return tab


# --------------------------------------------------------------------------- 2. fusionner
def communes_nouvelles(depuis: int = 2016) -> pd.DataFrame:
    """Communes nouvelles (COG courant) créées à partir de l'année ``depuis``.

    La création est la première fusion de type « commune nouvelle » de la
    commune ; une commune nouvelle agrandie ensuite est dite « élargie ».
    Pour une fusion postérieure au COG 2019, l'année n'est connue qu'à une
    période près (entre deux versions du COG) : elle est retenue si la fin de
    la période est au moins ``depuis``.

    Renvoie
    -------
    DataFrame
        Indexé par ``code_commune`` : ``nom_commune``, ``code_departement``,
        ``periode_creation``, ``annee_creation`` (fin de la période),
        ``nb_anciennes_communes`` (communes fusionnées, y compris celle qui
        garde le code), ``elargie`` (bool), ``population_2023``,
        ``population_anciennes_connue`` (somme des populations des anciennes
        communes quand la version du COG d'avant fusion les donne toutes,
        sinon NaN), ``taille_commune``, ``degurba``.
        ``attrs["rapport"]`` : communes nouvelles plus anciennes écartées.

    Exemples
    --------
    >>> cn = communes_nouvelles(2016)
    >>> int(cn.loc["85194", "nb_anciennes_communes"]), cn.loc["85194", "periode_creation"]
    (3, '2019')
    """
    a = _anciennes_communes()
    a = a[a["evenement"] == EVENEMENT_COMMUNE_NOUVELLE].copy()
    a["ordre"] = a["annee_fin_periode"].astype("float64")
    a = a.sort_values(["code_commune", "ordre", "role"], ascending=[True, True, False])
    g = a.groupby("code_commune")
    connues = g["population_ancienne"].apply(lambda s: s.sum() if s.notna().all() else np.nan)
    res = pd.DataFrame({
        "periode_creation": g["periode"].first(),
        "annee_creation": g["annee_fin_periode"].first(),
        "nb_anciennes_communes": g.size(),
        "elargie": g["periode"].nunique() > 1,
        "population_anciennes_connue": connues,
    })
    t = table_communes().set_index("code_commune")
    res = t[["nom_commune", "code_departement"]].join(res, how="inner")
    res["population_2023"] = t["population_2023"].reindex(res.index)
    res["taille_commune"] = t["taille_commune"].reindex(res.index)
    res["degurba"] = t["degurba_niveau1_libelle"].reindex(res.index)
    garde = res["annee_creation"] >= depuis
    ecartees = res.index[~garde].tolist()
    res = res[garde].copy()
    res.attrs["rapport"] = {"communes_nouvelles_anterieures_ecartees": ecartees,
                            "hors_champ": sorted(set(a["code_commune"]) - set(t.index))}
    return res


def communes_nouvelles_par_periode(cn: pd.DataFrame | None = None) -> pd.DataFrame:
    """Nombre de communes nouvelles, d'anciennes communes et population 2023 par période de création.

    Exemples
    --------
    >>> p = communes_nouvelles_par_periode()
    >>> list(p.columns)
    ['communes_nouvelles', 'anciennes_communes', 'population_2023', 'taille_moyenne']
    """
    cn = communes_nouvelles() if cn is None else cn
    g = cn.groupby("periode_creation")
    res = pd.DataFrame({
        "communes_nouvelles": g.size(),
        "anciennes_communes": g["nb_anciennes_communes"].sum(),
        "population_2023": g["population_2023"].sum(min_count=1),
        "annee": g["annee_creation"].first(),
    }).sort_values("annee").drop(columns="annee")
    res["taille_moyenne"] = res["anciennes_communes"] / res["communes_nouvelles"]
    res.index.name = "periode de création"
    return res


# --------------------------------------------------------------------------- 3. qui gouverne ?
_EFFECTIFS_ELUS = {
    "part_femmes": ("nb_femmes_elues", "nb_elus_sexe_connu"),
    "part_retraites": ("nb_elus_retraites", "nb_elus_profession_connue"),
    "part_agriculteurs": ("nb_elus_agriculteurs", "nb_elus_profession_connue"),
    "part_cadres": ("nb_elus_cadres", "nb_elus_profession_connue"),
}


def profil_elus(par: str | list[str] = "taille_commune", table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Profil des conseillers municipaux 2026 par groupe de communes, depuis les effectifs sommés.

    Les parts sont recalculées (Σ numérateurs / Σ dénominateurs, en %) et
    l'âge moyen vaut Σ(âge moyen × élus d'âge connu) / Σ élus d'âge connu :
    jamais une moyenne de parts communales. Toute valeur dont le dénominateur
    compte moins de :data:`SEUIL_SECRET` personnes est masquée (NaN).

    Paramètres
    ----------
    par : str ou liste de str
        Colonne(s) de la table communale : ``taille_commune``,
        ``degurba_niveau1_libelle``, ``code_departement``…
    table : DataFrame, optionnel
        Table communale (défaut : celle des données construites).

    Renvoie
    -------
    DataFrame
        Une ligne par groupe : ``nb_elus``, ``age_moyen``, ``part_femmes``,
        ``part_retraites``, ``part_agriculteurs``, ``part_cadres``, ``nb_communes``.

    Exemples
    --------
    >>> t = pd.DataFrame({"g": ["a", "a", "b"], "nb_elus": [3, 4, 2], "nb_elus_age_connu": [3, 4, 2],
    ...     "age_moyen_elus": [50.0, 57.0, 40.0], "nb_elus_sexe_connu": [3, 4, 2], "nb_femmes_elues": [1, 2, 1],
    ...     "nb_elus_profession_connue": [3, 4, 2], "nb_elus_retraites": [1, 1, 0],
    ...     "nb_elus_agriculteurs": [0, 1, 0], "nb_elus_cadres": [1, 0, 1]})
    >>> p = profil_elus("g", t)
    >>> float(p.loc["a", "age_moyen"]), round(float(p.loc["a", "part_femmes"]), 1), bool(np.isnan(p.loc["b", "part_femmes"]))
    (54.0, 42.9, True)
    """
    t = table_communes() if table is None else table
    par = [par] if isinstance(par, str) else list(par)
    inconnues = [c for c in par if c not in t.columns]
    if inconnues:
        raise NiveauInconnu(inconnues[0], ["taille_commune", "degurba_niveau1_libelle", "code_departement",
                                           "nature_epci", "zonage_abc"])
    t = t.assign(_somme_ages=t["age_moyen_elus"] * t["nb_elus_age_connu"], _n=1)
    colonnes = ["nb_elus", "nb_elus_age_connu", "_somme_ages", "nb_elus_sexe_connu", "nb_femmes_elues",
                "nb_elus_profession_connue", "nb_elus_retraites", "nb_elus_agriculteurs", "nb_elus_cadres"]
    s = t.groupby(par, observed=True)[colonnes + ["_n"]].sum(min_count=1)
    res = pd.DataFrame(index=s.index)
    res["nb_elus"] = s["nb_elus"]
    res["age_moyen"] = np.where(s["nb_elus_age_connu"] >= SEUIL_SECRET, s["_somme_ages"] / s["nb_elus_age_connu"], np.nan)
    for nom, (num, den) in _EFFECTIFS_ELUS.items():
        res[nom] = np.where(s[den] >= SEUIL_SECRET, 100 * s[num] / s[den], np.nan)
    res.loc[res["nb_elus"] < SEUIL_SECRET, "nb_elus"] = np.nan
    res["nb_communes"] = s["_n"]
    if par == ["taille_commune"]:  # de la plus petite à la plus grande
        from .construction.construction import LIBELLES_TAILLE

        res = res.reindex([t for t in LIBELLES_TAILLE if t in res.index])
    return res


# --------------------------------------------------------------------------- 4. dédoublement
#: Seuils de la typologie (parts des logements, en %), écrits ici pour être discutés.
SEUILS_DEDOUBLEMENT = {"residences_secondaires_forte": 40.0, "residences_secondaires_marquee": 20.0,
                       "vacance_elevee": 10.0}
CLASSES_DEDOUBLEMENT = [
    "territoire dédoublé (résidences secondaires ≥ 40 %)",
    "résidentiel et touristique (20 à 40 %)",
    "marché tendu (zone A bis, A ou B1)",
    "vacance élevée (≥ 10 %)",
    "résidentiel ordinaire",
]


def typologie_dedoublement(niveau: str = "commune", table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Typologie simple des traces du tourisme et du « dédoublement » des territoires.

    Règles, appliquées dans l'ordre (la première qui s'applique l'emporte),
    sur les parts de logements du recensement 2021 recalculées depuis les
    effectifs (Σ résidences secondaires / Σ logements) :

    1. résidences secondaires ≥ 40 % : territoire dédoublé ;
    2. résidences secondaires de 20 à 40 % : résidentiel et touristique ;
    3. logements vacants ≥ 10 % : vacance élevée ;
    4. zone A bis, A ou B1 du zonage A/B/C (commune seulement) : marché tendu ;
    5. sinon : résidentiel ordinaire.

    La vacance passe **avant** le zonage : une commune où plus d'un logement sur dix est
    vide n'est pas un « marché tendu », même classée en zone B1 (c'était le cas de la
    plupart des communes de Guadeloupe et de Martinique, parmi les plus forts taux de
    vacance de France, quand le zonage était testé d'abord). L'ordre de
    :data:`CLASSES_DEDOUBLEMENT` (légende, couleurs) ne change pas.

    Paramètres
    ----------
    niveau : {"commune", "epci", "departement"}
        Au-delà de la commune, les parts sont recalculées depuis les sommes et
        la règle 3 ne s'applique pas (le zonage est communal).
    table : DataFrame, optionnel
        Table communale (défaut : celle des données construites).

    Renvoie
    -------
    DataFrame
        Indexé par le code du niveau : ``part_residences_secondaires``,
        ``part_logements_vacants`` (en %), ``zonage_abc`` (commune), ``classe``
        (NA sans logement recensé).

    Exemples
    --------
    >>> t = pd.DataFrame({"code_commune": ["1", "2", "3", "4", "5", "6"], "logements": [100] * 6,
    ...     "residences_secondaires": [50, 25, 5, 5, 5, 5], "logements_vacants": [5, 5, 5, 15, 5, 15],
    ...     "zonage_abc": ["C", "C", "A", "C", "B2", "B1"]})
    >>> typologie_dedoublement("commune", t)["classe"].str[:11].tolist()
    ['territoire ', 'résidentiel', 'marché tend', 'vacance éle', 'résidentiel', 'vacance éle']
    """
    t = table_communes() if table is None else table
    cles = {"commune": "code_commune", "epci": "code_epci", "departement": "code_departement"}
    if niveau not in cles:
        raise NiveauInconnu(niveau, list(cles))
    colonnes = ["logements", "residences_secondaires", "logements_vacants"]
    if niveau == "commune":
        s = t.set_index("code_commune")[colonnes]
    else:
        s = t.groupby(cles[niveau])[colonnes].sum(min_count=1)
    logements = s["logements"].where(s["logements"] > 0)
    res = pd.DataFrame({"part_residences_secondaires": 100 * s["residences_secondaires"] / logements,
                        "part_logements_vacants": 100 * s["logements_vacants"] / logements})
    if niveau == "commune":
        res["zonage_abc"] = t.set_index("code_commune")["zonage_abc"].reindex(res.index)
        tendu = res["zonage_abc"].isin(["A bis", "A", "B1"]).to_numpy(dtype=bool)
    else:
        tendu = np.zeros(len(res), dtype=bool)
    rs, vac = res["part_residences_secondaires"], res["part_logements_vacants"]
    seuils = SEUILS_DEDOUBLEMENT
    # ordre des règles : la vacance avant le zonage (voir plus haut), d'où l'ordre des classes 0, 1, 3, 2
    classe = np.select(
        [rs >= seuils["residences_secondaires_forte"], rs >= seuils["residences_secondaires_marquee"],
         vac >= seuils["vacance_elevee"], tendu],
        [CLASSES_DEDOUBLEMENT[i] for i in (0, 1, 3, 2)], default=CLASSES_DEDOUBLEMENT[4])
    res["classe"] = pd.Series(classe, index=res.index, dtype="string").where(rs.notna())
    res.index.name = cles[niveau]
    return res
