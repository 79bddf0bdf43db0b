"""Mobilités et démobilités : vieillissement, mairies, lycées, versement mobilité.

Fonctions du carnet 02. Les données viennent des tables construites
(``donnees/``) : recensement 2021 à l'IRIS et à la commune, horaires des
mairies déjà analysés à la construction (:mod:`territoire_lib.construction.mairies`,
jamais réanalysés ici), distance au lycée le plus proche, versement mobilité.

Règles communes :

- les parts sont recalculées à partir de sommes (jamais une moyenne de parts) ;
- une commune ou un IRIS sans valeur est écarté **et compté** (attribut
  ``attrs["exclus"]`` des tableaux, ou champ du résultat) ;
- les regroupements (``par``) sont ceux du catalogue : ``degurba``,
  ``taille_commune``, ``degurba_detail``… ou un niveau (``departement``,
  ``region``, ``epci``) ; ``None`` donne la France entière.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from . import agregation
from .analyses import formater_nombre
from .catalogue import indicateur, regroupements
from .chargement import CLES_NIVEAU, _lire, journal_construction, table_blocs, table_communes
from .chemins import dossier_donnees
from .erreurs import DonneesAlterees, NiveauInconnu, ResultatVide

__all__ = [
    "CLASSES_65_ANS",
    "iris_rp2021",
    "journal_construction",
    "classe_part_65_ans",
    "repartition_65_ans",
    "contrastes_intra_communaux",
    "croissance_par_classe_65_ans",
    "MOTIFS_HORAIRES",
    "bilan_horaires_mairies",
    "heures_par_groupe",
    "desynchronisation",
    "eloignement_lycee",
    "DoubleVulnerabilite",
    "double_vulnerabilite",
    "versement_mobilite_par_groupe",
    "graphique_heures",
    "graphique_contrastes",
    "panneau_double_vulnerabilite",
]

#: Bornes (en %) des classes de part des 65 ans et plus.
CLASSES_65_ANS: tuple[float, ...] = (15, 20, 25, 30, 35)
FICHIER_IRIS = "indicateurs/iris_rp2021.parquet"
FRANCE = "France entière"
#: Classes de la carte de double vulnérabilité, de la plus exposée à la moins exposée.
CLASSES_CRITERES = ("3 critères (double vulnérabilité)", "2 critères", "1 critère", "aucun critère")
COULEURS_CRITERES = ("#a50f15", "#fb6a4a", "#fcbba1", "#f0f0f0")


# --------------------------------------------------------------------------- lecture
@lru_cache(maxsize=1)
def _iris() -> pd.DataFrame:
    return _lire(FICHIER_IRIS)


def iris_rp2021() -> pd.DataFrame:
    """Recensement 2021 à l'IRIS (population par âge, logements), codes communaux courants.

    Renvoie
    -------
    DataFrame
        Une ligne par IRIS : ``code_iris``, ``typ_iris`` (H habitat, A activité,
        D divers, Z commune non découpée), ``code_commune`` (COG courant),
        ``population_rp2021``, ``population_0_19_ans``, ``population_20_64_ans``,
        ``population_65_ans_et_plus``, logements… Valeurs Insee arrondies.

    Exemples
    --------
    >>> iris = iris_rp2021()
    >>> len(iris), iris["code_iris"].is_unique
    (49280, True)
    """
    return _iris().copy()


# --------------------------------------------------------------------------- outils
def _groupes(table: pd.DataFrame, par: str | None) -> pd.Series:
    """Libellé du groupe de chaque commune (``par`` = regroupement, niveau, ou None pour la France)."""
    if par is None:
        return pd.Series(FRANCE, index=table.index)
    if par in CLES_NIVEAU and par != "commune":
        return table[CLES_NIVEAU[par]]
    reg = regroupements()
    if par not in reg:
        raise NiveauInconnu(par, [*reg, "departement", "region", "epci"])
    return table[reg[par]["colonne"]].astype("object")


def _ordonner(res: pd.DataFrame, table: pd.DataFrame, cle: pd.Series, par: str | None) -> pd.DataFrame:
    """Groupes des plus peuplés (commune médiane) aux moins peuplés ; codes dans l'ordre pour un niveau."""
    if par in CLES_NIVEAU:
        return res.sort_index()
    mediane = table["population_2023"].groupby(cle).median()
    return res.loc[mediane.reindex(res.index).sort_values(ascending=False, kind="stable").index]


def _part(num: pd.Series, den: pd.Series) -> pd.Series:
    return 100 * num / den.replace(0, np.nan)


def classe_part_65_ans(part: pd.Series, bornes: tuple[float, ...] = CLASSES_65_ANS) -> pd.Series:
    """Classe (texte ordonné) de chaque part de 65 ans et plus, bornes incluses à gauche.

    Exemples
    --------
    >>> classe_part_65_ans(pd.Series([10.0, 20.0, 40.0, None]), (20, 30)).tolist()
    ['moins de 20 %', '20 à moins de 30 %', '30 % ou plus', nan]
    """
    b = sorted(float(x) for x in bornes)
    f = lambda x: f"{x:g}".replace(".", ",")  # noqa: E731
    libelles = [f"moins de {f(b[0])} %"] + [f"{f(a)} à moins de {f(c)} %" for a, c in zip(b[:-1], b[1:])]
    libelles.append(f"{f(b[-1])} % ou plus")
    return pd.cut(part, [-np.inf, *b, np.inf], right=False, labels=libelles)


# --------------------------------------------------------------------------- 1. qui vieillit où
def repartition_65_ans(maille: str = "iris", bornes: tuple[float, ...] = CLASSES_65_ANS) -> pd.DataFrame:
    """Répartition des IRIS (ou des communes) et de leurs habitants par classe de part des 65 ans et plus.

    Paramètres
    ----------
    maille : {"iris", "commune"}
        Unités classées.
    bornes : tuple de float
        Bornes des classes, en % (voir :data:`CLASSES_65_ANS`).

    Renvoie
    -------
    DataFrame
        Une ligne par classe : ``nb_unites``, ``part_unites_%``, ``population``,
        ``part_population_%``, ``population_65_ans_et_plus``. ``attrs["exclus"]`` :
        nombre d'unités sans population (écartées).

    Exemples
    --------
    >>> r = repartition_65_ans("commune")
    >>> round(float(r["part_population_%"].sum()), 6)
    100.0
    """
    if maille not in ("iris", "commune"):
        raise NiveauInconnu(maille, ["iris", "commune"])
    t = iris_rp2021() if maille == "iris" else table_communes()
    ok = t["population_rp2021"].fillna(0) > 0
    t = t[ok]
    classe = classe_part_65_ans(100 * t["population_65_ans_et_plus"] / t["population_rp2021"], bornes)
    g = t.groupby(classe, observed=False)
    res = pd.DataFrame({"nb_unites": g.size(), "population": g["population_rp2021"].sum(),
                        "population_65_ans_et_plus": g["population_65_ans_et_plus"].sum()})
    res.insert(1, "part_unites_%", _part(res["nb_unites"], pd.Series(res["nb_unites"].sum(), res.index)))
    res.insert(3, "part_population_%", _part(res["population"], pd.Series(res["population"].sum(), res.index)))
    res.index = res.index.astype(str)
    res.index.name = f"part des 65 ans et plus ({maille})"
    res.attrs["exclus"] = int((~ok).sum())
    return res


def contrastes_intra_communaux(nb_iris_min: int = 20, population_min_iris: int = 500) -> pd.DataFrame:
    """Écarts de part des 65 ans et plus entre les IRIS d'une même commune (grandes villes).

    Seuls les IRIS d'au moins ``population_min_iris`` habitants sont comparés (un
    IRIS d'activité presque vide donnerait une part extrême sans signification) ;
    seules les communes qui en comptent au moins ``nb_iris_min`` sont retenues.

    L'indice de dissimilarité (Duncan) mesure la séparation résidentielle des 65 ans
    et plus et des autres habitants : la part (en %) des uns qu'il faudrait
    déplacer entre IRIS pour que chaque IRIS ait la composition de la commune.
    Il est calculé directement (demi-somme des écarts de parts, vectorisée par
    commune) : le paquet PySAL ``segregation``, qui le fournit, impose ``numba``,
    que ``libpysal`` importe alors dans chaque noyau (≈ 150 Mo et 2 s de plus),
    incompatible avec la cible de 600 Mo par participant en atelier.

    Renvoie
    -------
    DataFrame
        Indexé par ``code_commune`` et trié par dissimilarité décroissante : ``nom_commune``,
        ``nb_iris``, ``population_rp2021``, ``part_65_ans_et_plus`` (commune entière),
        ``part_min``, ``part_max``, ``ecart_points``, ``dissimilarite_%``.
        ``attrs["exclus"]`` : nombre d'IRIS écartés (trop peu peuplés) dans ces communes.

    Exemples
    --------
    >>> c = contrastes_intra_communaux()
    >>> "75056" in c.index and bool((c["part_max"] >= c["part_min"]).all())
    True
    """
    iris = iris_rp2021()
    iris = iris[iris["typ_iris"] != "Z"]
    assez = iris["population_rp2021"] >= population_min_iris
    part = 100 * iris["population_65_ans_et_plus"] / iris["population_rp2021"]
    iris = iris.assign(part=part)
    retenus = iris[assez]
    nb = retenus.groupby("code_commune").size()
    communes = nb[nb >= nb_iris_min].index
    r = retenus[retenus["code_commune"].isin(communes)]
    tous = iris[iris["code_commune"].isin(communes)]
    g, gt = r.groupby("code_commune"), tous.groupby("code_commune")
    a = r["population_65_ans_et_plus"]
    b = r["population_rp2021"] - a
    d = (a / a.groupby(r["code_commune"]).transform("sum") - b / b.groupby(r["code_commune"]).transform("sum")).abs()
    res = pd.DataFrame({
        "nb_iris": g.size(),
        "population_rp2021": gt["population_rp2021"].sum(),
        "part_65_ans_et_plus": _part(gt["population_65_ans_et_plus"].sum(), gt["population_rp2021"].sum()),
        "part_min": g["part"].min(), "part_max": g["part"].max(),
        "dissimilarite_%": 50 * d.groupby(r["code_commune"]).sum(),
    })
    res["ecart_points"] = res["part_max"] - res["part_min"]
    noms = table_communes().set_index("code_commune")["nom_commune"]
    res.insert(0, "nom_commune", noms.reindex(res.index))
    res = res[["nom_commune", "nb_iris", "population_rp2021", "part_65_ans_et_plus", "part_min", "part_max",
               "ecart_points", "dissimilarite_%"]].sort_values("dissimilarite_%", ascending=False)
    res.attrs["exclus"] = int((~assez[iris["code_commune"].isin(communes)]).sum())
    return res


def croissance_par_classe_65_ans(periode: str = "2016-2023",
                                 bornes: tuple[float, ...] = CLASSES_65_ANS) -> pd.DataFrame:
    """Croissance démographique des communes selon leur part de 65 ans et plus (RP 2021).

    Le taux annuel est recalculé depuis les populations légales sommées de
    chaque classe (indicateur ``evolution_population_annuelle`` du catalogue :
    millésimes distants d'au moins 5 ans, recommandation de l'Insee).

    Renvoie
    -------
    DataFrame
        Une ligne par classe : ``nb_communes``, ``population_2023``,
        ``evolution_annuelle_%``, ``communes_non_renseignees`` (écartées du taux).
        ``attrs["exclus"]`` : communes sans part des 65 ans et plus (non classées).

    Exemples
    --------
    >>> c = croissance_par_classe_65_ans()
    >>> bool(c["evolution_annuelle_%"].iloc[0] > c["evolution_annuelle_%"].iloc[-1])
    True
    """
    t = table_communes()
    ind = indicateur("evolution_population_annuelle")
    periode = ind.verifier_millesime(periode)
    ok = t["population_rp2021"].fillna(0) > 0
    classe = classe_part_65_ans(100 * t["population_65_ans_et_plus"] / t["population_rp2021"], bornes)
    t, classe = t[ok], classe[ok].astype(str)
    res = pd.DataFrame({
        "nb_communes": classe.value_counts(),
        "population_2023": t["population_2023"].groupby(classe).sum(),
        "evolution_annuelle_%": agregation.calculer(t, ind, periode, classe, blocs=table_blocs()),
        "communes_non_renseignees": agregation.communes_non_renseignees(t, ind, periode, classe, blocs=table_blocs()),
    })
    ordre = [c for c in classe_part_65_ans(pd.Series(dtype=float), bornes).cat.categories if c in res.index]
    res = res.loc[ordre]
    res.index.name = "part des 65 ans et plus (commune)"
    res.attrs["exclus"] = int((~ok).sum())
    return res


# --------------------------------------------------------------------------- 2. mairies
#: Motifs d'horaires de mairie absents ou illisibles et anomalies tolérées (journal de construction), en clair.
MOTIFS_HORAIRES = {
    "manquant": "champ horaires manquant",
    "null_sql": "valeur NULL",
    "vide": "texte vide",
    "null_json": "valeur null",
    "liste_vide": "liste d'horaires vide",
    "aucun_intervalle_valide": "aucun intervalle valide",
    "type_inattendu": "type inattendu",
    "json_invalide": "JSON invalide",
    "json_non_liste": "JSON qui n'est pas une liste",
    "heure_invalide": "heure invalide",
    "heure_non_textuelle": "heure non textuelle",
    "jour_non_textuel": "jour non textuel",
    "jours_vides": "jours vides",
    "jour_inconnu": "jour inconnu",
    "entree_mal_formee": "entrée mal formée",
    "intervalles_mal_formes": "intervalles mal formés",
    "jour_fin_vide": "jour de fin vide",
    "jour_debut_vide": "jour de début vide",
    "plage_jours_bouclee": "plage de jours bouclée",
    "plage_sans_intervalle": "plage sans intervalle",
    "intervalle_nul": "intervalle nul",
    "fermeture_a_minuit": "fermeture à minuit",
    "passage_minuit": "passage de minuit",
    "horaire_atypique": "horaire atypique",
    "chevauchement_ou_doublon": "chevauchement ou doublon",
}


def bilan_horaires_mairies() -> dict:
    """Bilan de l'analyse des horaires des mairies faite à la construction des données.

    Les horaires ont été analysés une seule fois (:func:`territoire_lib.construction.mairies.analyser_horaires`) ;
    ce bilan relit le journal de construction et le recoupe avec la table des communes.

    Renvoie
    -------
    dict
        ``communes``, ``ok``, ``absent``, ``illisible`` (nombres de communes),
        ``motifs_absent`` et ``anomalies_tolerees`` (motif → nombre),
        ``fiches_mairie_absentes`` (communes sans fiche dans l'annuaire).

    Exemples
    --------
    >>> b = bilan_horaires_mairies()
    >>> b["ok"] + b["absent"] + b["illisible"] == b["communes"]
    True
    """
    j = journal_construction("mairies")
    statut = table_communes()["horaires_statut"].value_counts()
    res = {
        "communes": int(j["communes"]),
        **{s: int(j["horaires_statut"].get(s, 0)) for s in ("ok", "absent", "illisible")},
        "motifs_absent": {k: int(v["n"]) for k, v in j["horaires_motifs_absent"].items()},
        "motifs_illisible": {k: int(v["n"]) for k, v in j["horaires_motifs_illisible"].items()},
        "anomalies_tolerees": {k: int(v["n"]) for k, v in j["horaires_anomalies_tolerees"].items()},
        "fiches_mairie_absentes": int(j["fiches_mairie_absentes"]["n"]),
    }
    for s in ("ok", "absent", "illisible"):  # le journal et la table doivent dire la même chose
        if int(statut.get(s, 0)) != res[s]:
            raise DonneesAlterees(dossier_donnees() / "journal_construction.json", f"{s} = {res[s]}",
                                  f"{s} = {int(statut.get(s, 0))} dans la table des communes")
    return res


def heures_par_groupe(par: str | None = "taille_commune", seuil_faible: float = 10.0) -> pd.DataFrame:
    """Distribution des heures d'ouverture hebdomadaires des mairies par groupe de communes.

    Paramètres
    ----------
    par : str ou None
        Regroupement du catalogue (``taille_commune``, ``degurba``…), niveau, ou None (France).
    seuil_faible : float
        Une mairie ouverte au plus ``seuil_faible`` heures par semaine est dite « peu ouverte ».

    Renvoie
    -------
    DataFrame
        Une ligne par groupe : ``nb_mairies`` (horaires publiés), ``sans_horaires``,
        ``p10``, ``q1``, ``mediane``, ``q3``, ``p90`` (heures par semaine, entre mairies),
        ``moyenne_ponderee_population`` (heures vues par l'habitant moyen, indicateur
        ``heures_ouverture_mairie``), ``part_peu_ouvertes_%``.
        ``attrs["exclus"]`` : communes sans groupe.

    Exemples
    --------
    >>> h = heures_par_groupe("degurba")
    >>> list(h.index)[0]
    'Villes (centres urbains)'
    """
    t = table_communes()
    cle = _groupes(t, par)
    sans_groupe = cle.isna()
    t, cle = t[~sans_groupe], cle[~sans_groupe]
    h = t["heures_ouverture_hebdo"]
    g = h.groupby(cle)
    res = pd.DataFrame({
        "nb_mairies": g.count(), "sans_horaires": h.isna().groupby(cle).sum().astype(int),
        "p10": g.quantile(0.1), "q1": g.quantile(0.25), "mediane": g.median(), "q3": g.quantile(0.75),
        "p90": g.quantile(0.9),
        "moyenne_ponderee_population": agregation.calculer(t, indicateur("heures_ouverture_mairie"),
                                                           indicateur("heures_ouverture_mairie").millesime_defaut, cle),
        "part_peu_ouvertes_%": _part((h <= seuil_faible).groupby(cle).sum(), g.count()),
    })
    res = _ordonner(res, t, cle, par)
    res.index.name = par or "zone"
    res.attrs["exclus"] = int(sans_groupe.sum())
    return res


def desynchronisation(par: str | None = None) -> pd.DataFrame:
    """Mairies ouvertes quand les actifs peuvent venir (après 18 h, le samedi), en mairies et en habitants.

    Calculé sur les communes dont les horaires sont publiés ; les autres sont
    comptées dans ``sans_horaires``. Parts de population : population municipale 2023.

    Renvoie
    -------
    DataFrame
        Une ligne par groupe : ``nb_mairies``, ``sans_horaires``, puis pour chaque
        situation (``apres_18h``, ``samedi``, ``soir_ou_samedi``, ``ni_soir_ni_samedi``)
        la part des mairies (``mairies_<situation>_%``) et celle des habitants
        (``population_<situation>_%``).

    Exemples
    --------
    >>> d = desynchronisation()
    >>> float(d.loc["France entière", "mairies_soir_ou_samedi_%"] + d.loc["France entière", "mairies_ni_soir_ni_samedi_%"])
    100.0
    """
    t = table_communes()
    cle = _groupes(t, par)
    garde = cle.notna()
    t, cle = t[garde], cle[garde]
    connu = t["horaires_statut"].eq("ok") & t["ouvert_apres_18h"].notna() & t["ouvert_samedi"].notna()
    soir = t["ouvert_apres_18h"].fillna(False).astype(bool) & connu
    samedi = t["ouvert_samedi"].fillna(False).astype(bool) & connu
    situations = {"apres_18h": soir, "samedi": samedi, "soir_ou_samedi": soir | samedi,
                  "ni_soir_ni_samedi": connu & ~(soir | samedi)}
    pop = t["population_2023"].where(connu)
    nb = connu.groupby(cle).sum()
    res = pd.DataFrame({"nb_mairies": nb.astype(int), "sans_horaires": (~connu).groupby(cle).sum().astype(int)})
    for nom, m in situations.items():
        res[f"mairies_{nom}_%"] = _part(m.groupby(cle).sum(), nb)
    for nom, m in situations.items():
        res[f"population_{nom}_%"] = _part(pop.where(m, 0.0).groupby(cle).sum(), pop.groupby(cle).sum())
    res = _ordonner(res, t, cle, par)
    res.index.name = par or "zone"
    res.attrs["exclus"] = int((~garde).sum())
    return res


# --------------------------------------------------------------------------- 3. lycées
def eloignement_lycee(seuils: tuple[float, ...] = (15, 30), niveau: str | None = "departement") -> pd.DataFrame:
    """Population vivant loin d'un lycée (mairie à plus de ``seuil`` km de la commune à lycée la plus proche).

    Distance à vol d'oiseau calculée à la construction (colonne ``distance_lycee_km`` :
    de mairie à mairie, 0 si la commune a un lycée). Population municipale 2023.

    Paramètres
    ----------
    seuils : tuple de float
        Distances en km (strictement au-delà).
    niveau : str ou None
        ``departement``, ``region``, ``epci``, un regroupement du catalogue, ou None (France).

    Renvoie
    -------
    DataFrame
        Une ligne par territoire : ``nom`` (si niveau administratif), ``population_2023``,
        puis pour chaque seuil ``population_plus_<s>_km`` et ``part_plus_<s>_km_%``
        (sur la population des communes de distance connue), et
        ``communes_distance_inconnue``.

    Exemples
    --------
    >>> e = eloignement_lycee()
    >>> float(e.loc["75", "part_plus_15_km_%"])
    0.0
    """
    t = table_communes()
    cle = _groupes(t, niveau)
    d, pop = t["distance_lycee_km"], t["population_2023"]
    connu = d.notna() & pop.notna()
    res = pd.DataFrame({"population_2023": pop.groupby(cle).sum(min_count=1)})
    for s in seuils:
        nom = f"{float(s):g}".replace(".", ",")
        loin = pop.where(connu & (d > s), 0.0)
        res[f"population_plus_{nom}_km"] = loin.groupby(cle).sum()
        res[f"part_plus_{nom}_km_%"] = _part(res[f"population_plus_{nom}_km"], pop.where(connu).groupby(cle).sum())
    res["communes_distance_inconnue"] = (~d.notna()).groupby(cle).sum().astype(int)
    if niveau in CLES_NIVEAU:
        from .chargement import territoires

        ref = territoires(niveau).set_index(CLES_NIVEAU[niveau])
        res.insert(0, "nom", ref[next(c for c in ref.columns if c.startswith("nom_"))].reindex(res.index))
        res = res.sort_index()
    res.index.name = niveau or "zone"
    return res


# --------------------------------------------------------------------------- 4. double vulnérabilité
@dataclass
class DoubleVulnerabilite:
    """Résultat de :func:`double_vulnerabilite` : communes évaluées, critères, chiffres clés."""

    seuils: dict
    communes: pd.DataFrame = field(repr=False)
    chiffres: dict

    @property
    def signalees(self) -> pd.DataFrame:
        """Communes qui cumulent les trois critères, les plus peuplées d'abord."""
        s = self.communes[self.communes["signalee"].fillna(False).astype(bool)]
        return s.sort_values(["population_2023", "code_departement"], ascending=[False, True])

    def serie_carte(self) -> pd.Series:
        """Classe de chaque commune évaluée pour la carte (voir :data:`CLASSES_CRITERES`)."""
        n = self.communes["nb_criteres"]
        return n.map(lambda x: pd.NA if pd.isna(x) else CLASSES_CRITERES[3 - int(x)]).astype("string")

    def texte(self) -> str:
        """Les chiffres clés en quelques lignes de français."""
        c, s = self.chiffres, self.seuils
        from .format import nombre

        def f(x) -> str:
            return nombre(x, 0)

        return "\n".join([
            f"Seuils : au moins {s['seuil_65_ans']:g} % de 65 ans et plus, mairie ouverte au plus "
            f"{s['seuil_heures']:g} h par semaine, mairie à plus de {s['seuil_distance_km']:g} km d'une commune à lycée.",
            f"{f(c['nb_communes_signalees'])} communes cumulent les trois critères, sur {f(c['nb_communes_evaluees'])} "
            f"évaluées ({f(c['nb_communes_non_evaluees'])} non évaluées faute de donnée).",
            f"Habitants concernés : {f(c['population_concernee'])} ({formater_nombre(c['part_population_%'], 2)} % de la population "
            f"évaluée), dont {f(c['personnes_65_ans_concernees'])} personnes de 65 ans et plus (RP 2021).",
            f"Par critère : {f(c['nb_communes_65_ans'])} communes âgées, {f(c['nb_communes_heures'])} mairies "
            f"peu ouvertes, {f(c['nb_communes_distance'])} communes éloignées d'un lycée.",
        ])


def double_vulnerabilite(
    seuil_65_ans: float = 30.0,
    seuil_heures: float = 10.0,
    seuil_distance_km: float = 15.0,
    codes_departement: list[str] | None = None,
) -> DoubleVulnerabilite:
    """Communes qui cumulent population âgée, mairie peu ouverte et éloignement d'un lycée.

    Trois critères, chacun à seuil réglable :

    - part des 65 ans et plus (RP 2021) **au moins** égale à ``seuil_65_ans`` (%) ;
    - mairie ouverte **au plus** ``seuil_heures`` heures par semaine (horaires publiés) ;
    - mairie à **plus de** ``seuil_distance_km`` km de la commune à lycée la plus proche
      (l'éloignement d'un lycée sert d'indice de l'éloignement des services).

    Une commune à qui il manque l'une des trois valeurs n'est pas évaluée (comptée à part).

    Paramètres
    ----------
    seuil_65_ans, seuil_heures, seuil_distance_km : float
        Seuils des trois critères.
    codes_departement : liste de str, optionnel
        Limiter aux communes de ces départements (codes officiels, ex. ``["23", "2A"]``).

    Renvoie
    -------
    DoubleVulnerabilite
        ``communes`` (une ligne par commune : valeurs, critères oui/non, ``nb_criteres``,
        ``signalee``), ``chiffres`` (nombres de communes, habitants et personnes de 65 ans
        et plus concernés, communes non évaluées), ``seuils``.

    Exemples
    --------
    >>> r = double_vulnerabilite(codes_departement=["23"])
    >>> r.chiffres["nb_communes_signalees"] <= r.chiffres["nb_communes_evaluees"]
    True
    """
    for nom, v in (("seuil_65_ans", seuil_65_ans), ("seuil_heures", seuil_heures),
                   ("seuil_distance_km", seuil_distance_km)):
        if v is None or not np.isfinite(float(v)) or float(v) < 0:
            raise ValueError(f"{nom} doit être un nombre positif ou nul (reçu : {v!r}).")
    t = table_communes()
    if codes_departement is not None:
        valides = sorted(t["code_departement"].unique())
        inconnus = [c for c in codes_departement if c not in valides]
        if inconnus or not codes_departement:
            raise ResultatVide(f"Département(s) inconnu(s) : {inconnus or 'aucun code donné'}. "
                               f"Codes valides : {', '.join(valides[:12])} … ({len(valides)} en tout).")
        t = t[t["code_departement"].isin(codes_departement)]
    part = 100 * t["population_65_ans_et_plus"] / t["population_rp2021"].where(t["population_rp2021"] > 0)
    h, d = t["heures_ouverture_hebdo"], t["distance_lycee_km"]
    c65 = (part >= seuil_65_ans).astype("boolean").where(part.notna())
    ch = (h <= seuil_heures).astype("boolean").where(h.notna())
    cd = (d > seuil_distance_km).astype("boolean").where(d.notna())
    evalue = c65.notna() & ch.notna() & cd.notna()
    nb = (c65.fillna(False).astype(int) + ch.fillna(False).astype(int) + cd.fillna(False).astype(int))
    communes = pd.DataFrame({
        "nom_commune": t["nom_commune"], "code_departement": t["code_departement"],
        "population_2023": t["population_2023"], "population_65_ans_et_plus": t["population_65_ans_et_plus"],
        "part_65_ans_et_plus": part, "heures_ouverture_hebdo": h, "distance_lycee_km": d,
        "critere_65_ans": c65, "critere_heures": ch, "critere_distance": cd,
        "nb_criteres": nb.astype("Int64").where(evalue), "signalee": (nb == 3).astype("boolean").where(evalue),
    })
    communes.index = t["code_commune"].to_numpy()
    communes.index.name = "code_commune"
    sig = communes["signalee"].fillna(False).astype(bool)
    pop_eval = communes.loc[evalue.to_numpy(), "population_2023"].sum()
    chiffres = {
        "nb_communes_evaluees": int(evalue.sum()),
        "nb_communes_non_evaluees": int((~evalue).sum()),
        "nb_communes_signalees": int(sig.sum()),
        "population_concernee": float(communes.loc[sig, "population_2023"].sum()),
        "personnes_65_ans_concernees": float(communes.loc[sig, "population_65_ans_et_plus"].sum()),
        "part_population_%": float(100 * communes.loc[sig, "population_2023"].sum() / pop_eval) if pop_eval else np.nan,
        "nb_communes_65_ans": int(c65.fillna(False).sum()),
        "nb_communes_heures": int(ch.fillna(False).sum()),
        "nb_communes_distance": int(cd.fillna(False).sum()),
    }
    seuils = {"seuil_65_ans": float(seuil_65_ans), "seuil_heures": float(seuil_heures),
              "seuil_distance_km": float(seuil_distance_km)}
    return DoubleVulnerabilite(seuils, communes, chiffres)


# --------------------------------------------------------------------------- 5. versement mobilité
def versement_mobilite_par_groupe(par: str | None = "degurba") -> pd.DataFrame:
    """Communes et habitants avec, sans, ou de situation inconnue pour le versement mobilité, par groupe.

    La table source ne connaît que les périmètres établis jusqu'en 2018 : une
    commune qui n'y figure pas est de situation **inconnue** (jamais « sans
    versement »). Les trois parts de la population se lisent donc ensemble : la
    part « avec » est un minimum, et la part « inconnue » dit de combien elle
    pourrait être sous-estimée.

    Renvoie
    -------
    DataFrame
        Une ligne par groupe : ``nb_communes``, ``nb_communes_versement``,
        ``nb_communes_sans``, ``nb_communes_inconnues``, ``population_2023``,
        ``part_population_avec_%``, ``part_population_sans_%``,
        ``part_population_inconnue_%`` (la somme des trois fait 100),
        ``taux_moyen_%`` (taux moyen pondéré par la population, communes avec versement).

    Exemples
    --------
    >>> v = versement_mobilite_par_groupe("degurba")
    >>> bool(v.loc["Villes (centres urbains)", "part_population_avec_%"] > v.loc["Zones rurales", "part_population_avec_%"])
    True
    >>> v = versement_mobilite_par_groupe(None)
    >>> round(float(v[["part_population_avec_%", "part_population_sans_%", "part_population_inconnue_%"]].sum(axis=1).iloc[0]), 6)
    100.0
    """
    t = table_communes()
    cle = _groupes(t, par)
    garde = cle.notna() & t["population_2023"].notna()  # Mayotte : pas de population légale
    t, cle = t[garde], cle[garde]
    vm = t["versement_mobilite"]
    avec, sans, inconnu = vm.eq(True).fillna(False), vm.eq(False).fillna(False), vm.isna()
    taux = t["taux_versement_mobilite"].where(avec)
    pop = t["population_2023"].astype("float64")
    total = pop.groupby(cle).sum()
    res = pd.DataFrame({
        "nb_communes": cle.value_counts(),
        "nb_communes_versement": avec.astype(int).groupby(cle).sum(),
        "nb_communes_sans": sans.astype(int).groupby(cle).sum(),
        "nb_communes_inconnues": inconnu.astype(int).groupby(cle).sum(),
        "population_2023": total,
        "part_population_avec_%": _part(pop.where(avec, 0.0).groupby(cle).sum(), total),
        "part_population_sans_%": _part(pop.where(sans, 0.0).groupby(cle).sum(), total),
        "part_population_inconnue_%": _part(pop.where(inconnu, 0.0).groupby(cle).sum(), total),
        "taux_moyen_%": (taux * pop).groupby(cle).sum(min_count=1) / pop.where(taux.notna()).groupby(cle).sum(min_count=1),
    })
    res = _ordonner(res, t, cle, par)
    res.index.name = par or "zone"
    res.attrs["exclus"] = int((~garde).sum())
    return res


#: Vues (Altair, widget) déplacées dans :mod:`territoire_lib.graphiques_mobilites` ; gardées
#: accessibles ici, importées au premier usage (le calcul n'importe pas Altair).
_VUES = ("graphique_heures", "graphique_contrastes", "panneau_double_vulnerabilite")


def __getattr__(nom: str):
    if nom in _VUES:
        from . import graphiques_mobilites

        return getattr(graphiques_mobilites, nom)
    raise AttributeError(f"module {__name__!r} has no attribute {nom!r}")
