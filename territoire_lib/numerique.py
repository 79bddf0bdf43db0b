"""Accès numérique et services publics en ligne (carnet 03).

Quatre familles de calculs, toutes à partir des données construites :

- **la commune en ligne** : présence d'un site web ou d'une adresse
  électronique de la mairie (Annuaire de l'administration), comparée selon la
  taille et le degré d'urbanisation, et un modèle logistique à effets fixes
  de département (``statsmodels`` ; :func:`presence_par_taille_et_degurba`,
  :func:`modele_site_web`) ;
- **l'accès fragile à la mairie** : communes cumulant peu d'heures
  d'ouverture de la mairie, pas de site web et une population âgée
  (:func:`acces_fragile_mairie`, ancien nom :func:`zones_blanches`). On ne
  parle plus de « zones blanches du service public » : l'expression désigne
  d'abord, dans le vocabulaire des télécommunications, les zones sans
  couverture mobile, ce que ces données ne mesurent pas ;
- **la médiation numérique** en Auvergne-Rhône-Alpes, seule région couverte
  par la source (recensement Hinaura 2021-2022) : lieux, services, publics,
  horaires (:func:`lieux_mediation`, :func:`compter_modalites`,
  :func:`resume_horaires_lieux`, :func:`epci_region`) ; les heures
  d'ouverture sont lues dans la syntaxe OpenStreetMap par la construction
  (:mod:`territoire_lib.construction.horaires_osm`), pas ici ;
- **un indice de fragilité numérique « proxy »** : composite transparent,
  normalisé et pondéré, et sensibilité du classement aux poids
  (:func:`indice_fragilite`, :func:`sensibilite_poids`). Ce n'est **pas**
  l'indice de fragilité numérique officiel (MedNum) : il n'en reprend que
  l'esprit, avec les seules composantes disponibles ici.

Les graphiques, cartes et curseurs de ce thème sont dans
:mod:`territoire_lib.graphiques_numerique` (noms gardés ici, importés au premier usage).

Aucune valeur manquante n'est remplacée par 0 ; chaque filtre dit combien
de communes ou de territoires il écarte, et pourquoi.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from .catalogue import indicateur, ligne_source
from .chargement import _lire, indicateurs, table_communes, territoires
from .erreurs import IndicateurNonDisponible, ResultatVide

__all__ = [
    "CODE_REGION_COUVERTE",
    "COMPOSANTES",
    "POIDS_DEFAUT",
    "SEUIL_COUVERTURE",
    "lieux_mediation",
    "presence_par_taille_et_degurba",
    "modele_site_web",
    "ACCES_FRAGILE",
    "AccesFragile",
    "ZonesBlanches",
    "acces_fragile_mairie",
    "zones_blanches",
    "compter_modalites",
    "resume_horaires_lieux",
    "epci_region",
    "population_par_distance",
    "graphique_distances",
    "graphique_modalites",
    "composantes_fragilite",
    "normaliser",
    "indice_fragilite",
    "correlations_fragilite",
    "incertitude_fragilite",
    "sensibilite_poids",
    "explorer_zones_blanches",
    "explorer_indice",
    "source_zones_blanches",
    "source_lieux",
    "source_indice",
    "carte_serie_indice",
]

#: Seule région couverte par les lieux de médiation numérique (Auvergne-Rhône-Alpes).
CODE_REGION_COUVERTE = "84"
FICHIER_LIEUX = "indicateurs/lieux_mediation.parquet"
RURAL = "Zones rurales"
ORDRE_TAILLES = ["moins de 500 hab.", "500 à 1 999 hab.", "2 000 à 9 999 hab.", "10 000 à 49 999 hab.",
                 "50 000 à 199 999 hab.", "200 000 hab. ou plus"]
ORDRE_DEGURBA = ["Villes (centres urbains)", "Densité intermédiaire : petites villes et banlieues", "Zones rurales"]


# --------------------------------------------------------------------------- lieux
def lieux_mediation() -> pd.DataFrame:
    """Lieux de médiation numérique d'Auvergne-Rhône-Alpes (ANCT / Hinaura, 2021-2022).

    Table publiable (ni téléphone, ni courriel, ni adresse) : une ligne par
    lieu, avec ``code_commune`` (COG courant), ``lon``/``lat`` (WGS84),
    ``services``, ``publics_accueillis``, ``modalites_accompagnement``,
    ``conditions_acces`` (listes séparées par « ; »), ``horaires`` (format
    OpenStreetMap), ``coordonnees_douteuses`` et ``date_maj``. La source ne
    couvre **que** cette région : ailleurs, l'absence de lieu n'est pas un zéro.

    Renvoie
    -------
    DataFrame
        Copie de la table (687 lieux).

    Exemples
    --------
    >>> lieux = lieux_mediation()
    >>> len(lieux), sorted(lieux["date_maj"].dt.year.unique().tolist())
    (687, [2021, 2022])
    """
    return _lieux().copy()


@lru_cache(maxsize=1)
def _lieux() -> pd.DataFrame:
    return _lire(FICHIER_LIEUX)


def source_lieux() -> str:
    """Ligne de source des lieux de médiation (catalogue), avec la période du recensement.

    Exemples
    --------
    >>> "2021-2022" in source_lieux()
    True
    """
    # la ligne du catalogue date déjà les données (« lieux recensés en 2021-2022 ») : on y ajoute le champ
    return ligne_source("nb_lieux_mediation_numerique").removesuffix(")") + ", Auvergne-Rhône-Alpes uniquement)"


# --------------------------------------------------------------------------- 1. la commune en ligne
def presence_par_taille_et_degurba(colonne: str = "a_site_web") -> pd.DataFrame:
    """Part des communes (en %) dont la mairie a un site web (ou un courriel), par taille et DEGURBA.

    Comparaison groupée : à taille de commune égale (lignes), l'écart entre
    classes d'urbanisation (colonnes) dit ce que la ruralité ajoute à la taille.

    Paramètres
    ----------
    colonne : {"a_site_web", "a_courriel"}

    Renvoie
    -------
    DataFrame
        Index à deux niveaux (``taille_commune``, ``mesure`` ∈ {« part (%) »,
        « communes »}), une colonne par classe DEGURBA (niveau 1) et « Ensemble ».
        Les communes sans fiche mairie (NA) sont écartées ; leur nombre est
        dans ``attrs["communes_sans_fiche"]``.

    Exemples
    --------
    >>> t = presence_par_taille_et_degurba()
    >>> t.attrs["communes_sans_fiche"]
    48
    >>> bool(0 < t.loc[("moins de 500 hab.", "part (%)"), "Zones rurales"] < 100)
    True
    """
    if colonne not in ("a_site_web", "a_courriel"):
        raise ValueError(f"Colonne inconnue « {colonne} » : valeurs possibles « a_site_web », « a_courriel ».")
    t = table_communes()
    ok = t[colonne].notna() & t["taille_commune"].notna() & t["degurba_niveau1_libelle"].notna()
    d = t.loc[ok, ["taille_commune", "degurba_niveau1_libelle", colonne]].astype(
        {"taille_commune": "str", colonne: "float64"})
    parts = d.pivot_table(index="taille_commune", columns="degurba_niveau1_libelle", values=colonne,
                          aggfunc="mean", margins=True, margins_name="Ensemble") * 100
    effectifs = d.pivot_table(index="taille_commune", columns="degurba_niveau1_libelle", values=colonne,
                              aggfunc="count", margins=True, margins_name="Ensemble")
    cols = [c for c in ORDRE_DEGURBA if c in parts.columns] + ["Ensemble"]
    lignes = [x for x in ORDRE_TAILLES + ["Ensemble"] if x in parts.index]
    res = pd.concat({"part (%)": parts.loc[lignes, cols], "communes": effectifs.loc[lignes, cols]}, names=["mesure"])
    res = res.swaplevel().loc[lignes]
    res.columns.name = "degurba"
    res.attrs["communes_sans_fiche"] = int(t[colonne].isna().sum())
    res.attrs["communes_ecartees"] = int((~ok).sum())
    return res


def modele_site_web(colonne: str = "a_site_web", effets_fixes: bool = True) -> pd.DataFrame:
    """Régression logistique : la présence en ligne suit-elle la population, la ruralité, l'âge ?

    Modèle logit estimé par maximum de vraisemblance (``statsmodels``,
    :func:`statsmodels.formula.api.logit`) sur les communes renseignées :
    log10 de la population 2023, commune rurale (DEGURBA niveau 1 « Zones
    rurales »), part des 65 ans et plus (RP 2021, par tranche de 10 points) et,
    par défaut, des **effets fixes de département** (une constante par
    département) : on compare alors des communes d'un même département, ce qui
    neutralise les écarts de politique départementale ou de prestataire (pour
    les communes de moins de 500 habitants, la part avec un site va de 0 à
    100 % selon le département). Les départements où toutes les communes ont
    (ou n'ont pas) de site n'apportent aucune information sur les autres
    facteurs et rendraient l'estimation impossible (séparation parfaite) : ils
    sont écartés et comptés.

    Les **rapports de cotes** se lisent « toutes choses égales par ailleurs »
    (voir le carnet ``07_methodes``) : > 1, le facteur augmente la cote
    (probabilité d'avoir un site / probabilité de ne pas en avoir) ; l'intervalle
    de confiance à 95 % est l'exponentielle de celui du coefficient.

    Paramètres
    ----------
    colonne : {"a_site_web", "a_courriel"}
    effets_fixes : bool
        Ajouter une constante par département (défaut).

    Renvoie
    -------
    DataFrame
        Une ligne par variable explicative (pas les effets fixes) : ``coefficient``,
        ``erreur_type``, ``rapport_de_cotes``, ``ic95_bas``, ``ic95_haut``, ``p_valeur`` et
        ``lecture`` (en français) ; ``attrs`` : ``n`` (communes du modèle), ``ecartees``
        (faute de donnée), ``ecartees_departements_sans_variation`` et
        ``departements_sans_variation``, ``taux_observe`` (%), ``pseudo_r2`` (McFadden),
        ``effets_fixes``, ``nb_departements``, ``converge``.

    Exemples
    --------
    >>> m = modele_site_web()
    >>> bool(m.loc["log10_population", "ic95_bas"] > 1), m.attrs["effets_fixes"]
    (True, True)
    """
    import statsmodels.formula.api as smf

    if colonne not in ("a_site_web", "a_courriel"):
        raise ValueError(f"Colonne inconnue « {colonne} » : valeurs possibles « a_site_web », « a_courriel ».")
    t = table_communes()
    d = pd.DataFrame({
        "y": t[colonne].astype("float64"),
        "log10_population": np.log10(t["population_2023"].where(t["population_2023"] > 0)),
        "commune_rurale": (t["degurba_niveau1_libelle"] == RURAL).astype("float64").where(
            t["degurba_niveau1_libelle"].notna()),
        "part_65_ans_par_10_points": (t["population_65_ans_et_plus"] / t["population_rp2021"].where(
            t["population_rp2021"] > 0)) * 10,
        "departement": t["code_departement"].astype(str),
    })
    ok = d.notna().all(axis=1)
    ecartees = int((~ok).sum())
    d = d[ok]
    sans_variation: list[str] = []
    if effets_fixes:
        moyenne = d.groupby("departement")["y"].mean()
        sans_variation = sorted(moyenne.index[(moyenne == 0) | (moyenne == 1)])
        d = d[~d["departement"].isin(sans_variation)]
    formule = "y ~ log10_population + commune_rurale + part_65_ans_par_10_points"
    if effets_fixes:
        formule += " + C(departement)"
    fit = smf.logit(formule, data=d).fit(disp=False, maxiter=200)
    variables = ["log10_population", "commune_rurale", "part_65_ans_par_10_points"]
    ic = fit.conf_int(0.05).loc[variables]
    res = pd.DataFrame({
        "coefficient": fit.params[variables],
        "erreur_type": fit.bse[variables],
        "rapport_de_cotes": np.exp(fit.params[variables]),
        "ic95_bas": np.exp(ic[0]),
        "ic95_haut": np.exp(ic[1]),
        "p_valeur": fit.pvalues[variables],
    })
    lectures = {
        "log10_population": "population multipliée par 10",
        "commune_rurale": "commune rurale plutôt qu'urbaine (à population égale)",
        "part_65_ans_par_10_points": "10 points de plus de 65 ans et plus",
    }
    cadre = ", au sein d'un même département" if effets_fixes else ""

    def _f(x: float) -> str:
        return f"{x:.2f}".replace(".", ",")

    res["lecture"] = [f"{lectures[v]}{cadre} : cote × {_f(r.rapport_de_cotes)} (IC 95 % : {_f(r.ic95_bas)} à "
                      f"{_f(r.ic95_haut)})" for v, r in res.iterrows()]
    res.index.name = "variable"
    res.attrs.update(
        n=int(fit.nobs), ecartees=ecartees,
        ecartees_departements_sans_variation=int(ok.sum() - fit.nobs),
        departements_sans_variation=sans_variation,
        taux_observe=float(100 * d["y"].mean()), pseudo_r2=float(fit.prsquared),
        effets_fixes=effets_fixes, nb_departements=int(d["departement"].nunique()) if effets_fixes else 0,
        converge=bool(fit.mle_retvals.get("converged", True)),
        methode="logit, maximum de vraisemblance (statsmodels)" + (", effets fixes de département" if effets_fixes else ""),
    )
    return res


# --------------------------------------------------------------------------- 2. accès fragile à la mairie
#: Libellé des communes repérées (guichet peu ouvert, pas de site web, population âgée).
ACCES_FRAGILE = "accès fragile à la mairie"


@dataclass
class AccesFragile:
    """Communes cumulant les trois fragilités d'accès à la mairie, et ce qu'elles représentent."""

    communes: pd.DataFrame
    seuils: dict
    ecartees: dict = field(default_factory=dict)
    codes_examines: list = field(default_factory=list)

    @property
    def nb_communes_examinees(self) -> int:
        """Communes dont les trois critères sont renseignés."""
        return len(self.codes_examines)

    @property
    def population(self) -> float:
        """Habitants (population municipale 2023) des communes repérées."""
        return float(self.communes["population_2023"].sum())

    @property
    def population_65_ans_et_plus(self) -> float:
        """Habitants de 65 ans et plus (RP 2021) des communes repérées."""
        return float(self.communes["population_65_ans_et_plus"].sum())

    def resume(self) -> str:
        """Une phrase en français : combien de communes, d'habitants, de 65 ans et plus."""
        from .analyses import formater_nombre as f

        s = self.seuils
        ec = ", ".join(f"{f(v, 0)} {k}" for k, v in self.ecartees.items() if v)
        return (f"{f(len(self.communes), 0)} communes sur {f(self.nb_communes_examinees, 0)} examinées : au plus "
                f"{f(s['heures_max'], 0)} h d'ouverture par semaine, sans site web, au moins "
                f"{f(s['part_65_min'], 0)} % de 65 ans et plus — {f(self.population, 0)} habitants, dont "
                f"{f(self.population_65_ans_et_plus, 0)} de 65 ans et plus."
                + (f" Communes écartées faute de donnée : {ec}." if ec else ""))

    def classes(self) -> pd.Series:
        """Par code commune examinée : « accès fragile à la mairie » ou « autre commune » (les écartées sont absentes).

        Exemples
        --------
        >>> acces_fragile_mairie().classes().value_counts().to_dict()
        {'autre commune': 33082, 'accès fragile à la mairie': 1358}
        """
        res = pd.Series("autre commune", index=pd.Index(self.codes_examines, name="code_commune"), dtype="string")
        res[res.index.isin(self.communes["code_commune"])] = ACCES_FRAGILE
        return res

    def par_departement(self) -> pd.DataFrame:
        """Nombre de communes repérées et habitants concernés, par département (décroissant)."""
        g = self.communes.groupby("code_departement").agg(
            communes=("code_commune", "size"), population=("population_2023", "sum"),
            population_65_ans_et_plus=("population_65_ans_et_plus", "sum"))
        return g.sort_values(["communes", "population"], ascending=False)


#: Ancien nom, gardé pour les carnets et scripts existants.
ZonesBlanches = AccesFragile


def acces_fragile_mairie(heures_max: float = 6.0, part_65_min: float = 30.0, sans_courriel: bool = False,
                         codes_departements: list[str] | None = None) -> AccesFragile:
    """Communes à l'accès fragile à la mairie : peu d'heures, pas de site web, population âgée.

    (Ancien nom : :func:`zones_blanches` ; « zone blanche » désigne, en télécommunications,
    une zone sans couverture mobile, ce que ces données ne mesurent pas.)

    Paramètres
    ----------
    heures_max : float
        Heures d'ouverture hebdomadaires de la mairie au plus (horaires publiés ;
        premier quartile national : 6 h).
    part_65_min : float
        Part des 65 ans et plus (RP 2021, %) au moins (médiane communale : 22 %).
    sans_courriel : bool
        Exiger aussi l'absence d'adresse électronique (critère très restrictif :
        99 % des mairies en ont une).
    codes_departements : liste de str, optionnel
        Limiter l'examen à ces départements (codes officiels, ex. « 2A »).

    Renvoie
    -------
    AccesFragile
        ``communes`` (code, nom, département, heures, part 65+, populations),
        ``ecartees`` : communes écartées par motif (horaires non publiés, pas de
        fiche mairie, population RP inconnue ou nulle) — jamais comptées comme
        fragiles ni comme épargnées.

    Exemples
    --------
    >>> z = acces_fragile_mairie(heures_max=6, part_65_min=30)
    >>> len(z.communes) > 100, z.ecartees["horaires non publiés"]
    (True, 367)
    >>> acces_fragile_mairie(heures_max=0.1).communes.empty
    True
    """
    if heures_max < 0 or not 0 <= part_65_min <= 100:
        raise ValueError("Seuils invalides : heures_max ≥ 0 (heures par semaine), part_65_min entre 0 et 100 (%).")
    t = table_communes()
    if codes_departements is not None:
        connus = set(t["code_departement"])
        inconnus = [c for c in codes_departements if c not in connus]
        if inconnus:
            raise ResultatVide(f"Départements inconnus : {inconnus}. Codes valides : « 01 » … « 95 », « 2A », "
                               "« 2B », « 971 » … « 976 ».")
        t = t[t["code_departement"].isin(codes_departements)]
    part65 = 100 * t["population_65_ans_et_plus"] / t["population_rp2021"].where(t["population_rp2021"] > 0)
    sans_fiche = t["a_site_web"].isna()
    sans_horaires = t["heures_ouverture_hebdo"].isna() & ~sans_fiche
    sans_rp = part65.isna() & ~sans_fiche & ~sans_horaires
    ok = ~(sans_fiche | sans_horaires | sans_rp)
    critere = ok & (t["heures_ouverture_hebdo"] <= heures_max) & t["a_site_web"].eq(False) & (part65 >= part_65_min)
    if sans_courriel:
        critere &= t["a_courriel"].eq(False)
    colonnes = ["code_commune", "nom_commune", "code_departement", "code_epci", "heures_ouverture_hebdo",
                "population_2023", "population_65_ans_et_plus"]
    res = t.loc[critere.fillna(False).astype(bool), colonnes].assign(part_65_ans_et_plus=part65[critere.fillna(False).astype(bool)])
    return AccesFragile(
        communes=res.sort_values("population_2023", ascending=False).reset_index(drop=True),
        seuils={"heures_max": heures_max, "part_65_min": part_65_min, "sans_courriel": sans_courriel},
        ecartees={"sans fiche mairie": int(sans_fiche.sum()), "horaires non publiés": int(sans_horaires.sum()),
                  "population RP 2021 inconnue ou nulle": int(sans_rp.sum())},
        codes_examines=t.loc[ok, "code_commune"].tolist(),
    )


def zones_blanches(heures_max: float = 6.0, part_65_min: float = 30.0, sans_courriel: bool = False,
                   codes_departements: list[str] | None = None) -> AccesFragile:
    """Ancien nom de :func:`acces_fragile_mairie` (mêmes paramètres, même résultat)."""
    return acces_fragile_mairie(heures_max, part_65_min, sans_courriel, codes_departements)


# --------------------------------------------------------------------------- 3. médiation
def compter_modalites(serie: pd.Series, separateur: str = ";") -> pd.DataFrame:
    """Nombre et part des lieux proposant chaque modalité d'une liste (services, publics…).

    Paramètres
    ----------
    serie : Series
        Listes en texte séparées par ``separateur`` (NaN : non renseigné).

    Renvoie
    -------
    DataFrame
        Index = modalité ; ``lieux`` (nombre de lieux la citant) et ``part_%``
        (sur les lieux renseignés), trié par ordre décroissant ; ``attrs`` :
        ``renseignes`` et ``non_renseignes``.

    Exemples
    --------
    >>> compter_modalites(pd.Series(["A;B", "B", None, "B; A"])).to_dict("index")
    {'B': {'lieux': 3, 'part_%': 100.0}, 'A': {'lieux': 2, 'part_%': 66.7}}
    """
    renseignes = serie.dropna()
    listes = renseignes.str.split(separateur).map(lambda l: sorted({x.strip() for x in l if x.strip()}))
    compte = listes.explode().dropna().value_counts()
    res = pd.DataFrame({"lieux": compte.astype(int), "part_%": (100 * compte / len(renseignes)).round(1)})
    res.index.name = "modalite"
    res = res.sort_values(["lieux"], ascending=False, kind="stable")
    res.attrs.update(renseignes=int(len(renseignes)), non_renseignes=int(serie.isna().sum()))
    return res


def resume_horaires_lieux() -> dict:
    """Horaires des lieux de médiation : lus, illisibles, non renseignés, durée hebdomadaire.

    Les heures par semaine sont calculées à la construction à partir des horaires publiés au
    format OpenStreetMap (colonne ``heures_hebdo``, voir
    :mod:`territoire_lib.construction.horaires_osm`) ; une syntaxe non lue donne NaN, jamais 0.
    Les parts portent sur les lieux dont les horaires ont été lus.

    Renvoie
    -------
    dict
        ``lieux``, ``lus``, ``illisibles``, ``non_renseignes``, ``mediane_h`` (heures par semaine),
        ``part_moins_10h_%`` (part des lieux lus ouverts moins de 10 h par semaine).

    Exemples
    --------
    >>> r = resume_horaires_lieux()
    >>> r["lus"] + r["illisibles"] + r["non_renseignes"] == r["lieux"]
    True
    """
    lieux = _lieux()
    h = lieux["heures_hebdo"]
    lus = h.dropna()
    non_renseignes = int(lieux["horaires"].isna().sum())
    return {"lieux": int(len(lieux)), "lus": int(len(lus)), "illisibles": int(len(lieux) - len(lus) - non_renseignes),
            "non_renseignes": non_renseignes, "mediane_h": float(lus.median()) if len(lus) else float("nan"),
            "part_moins_10h_%": float(100 * (lus < 10).mean()) if len(lus) else float("nan")}


def epci_region(code_region: str = CODE_REGION_COUVERTE) -> list[str]:
    """Codes SIREN des EPCI de la région, d'après le département de rattachement de l'EPCI (triés).

    Un EPCI à cheval sur deux régions est compté dans celle de son département
    de rattachement (colonne ``code_departement`` du référentiel des EPCI) ;
    ses indicateurs de médiation ne portent que sur ses communes de la région
    couverte (voir ``couverture=True`` de :func:`territoire_lib.indicateurs`).

    Exemples
    --------
    >>> len(epci_region("84"))
    165
    """
    return _territoires_region("epci", code_region)


def _territoires_region(niveau: str, code_region: str) -> list[str]:
    deps = territoires("departement").set_index("code_departement")["code_region"]
    if niveau == "departement":
        codes = deps.index[deps == code_region]
    else:
        e = territoires("epci")
        codes = e.loc[e["code_departement"].map(deps) == code_region, "code_epci"]
    if len(codes) == 0:
        raise ResultatVide(f"Aucun territoire pour la région « {code_region} » (code à deux chiffres, ex. « 84 »). "
                           f"Codes valides : {', '.join(sorted(deps.unique()))}.")
    return sorted(codes)


def population_par_distance(bornes: tuple[float, ...] = (2, 5, 10, 15, 20)) -> pd.DataFrame:
    """Communes et habitants d'Auvergne-Rhône-Alpes par classe de distance au lieu de médiation le plus proche.

    Paramètres
    ----------
    bornes : tuple de float
        Bornes (km) des classes ; la dernière classe est « plus de » la dernière borne.

    Renvoie
    -------
    DataFrame
        Index = classe ; ``communes``, ``population`` (2023), ``part_population_%`` ;
        ``attrs["communes_sans_distance"]`` : communes de la région sans mairie localisée.

    Exemples
    --------
    >>> d = population_par_distance()
    >>> round(float(d["part_population_%"].sum()), 6), d.attrs["communes_sans_distance"]
    (100.0, 0)
    """
    from .analyses import formater_nombre as f

    t = table_communes()
    t = t[t["code_region"] == CODE_REGION_COUVERTE]
    ok = t["distance_lieu_mediation_km"].notna()
    b = [0.0, *bornes]
    libelles = [f"moins de {f(bornes[0], 0)} km"] + [
        f"de {f(a, 0)} à {f(c, 0)} km" for a, c in zip(bornes[:-1], bornes[1:])] + [f"plus de {f(bornes[-1], 0)} km"]
    classe = pd.cut(t.loc[ok, "distance_lieu_mediation_km"], [*b, np.inf], right=False, labels=libelles)
    res = t[ok].groupby(classe, observed=False).agg(communes=("code_commune", "size"),
                                                    population=("population_2023", "sum"))
    res["part_population_%"] = 100 * res["population"] / res["population"].sum()
    res.index.name = "distance"
    res.attrs["communes_sans_distance"] = int((~ok).sum())
    return res


# --------------------------------------------------------------------------- 4. indice de fragilité (proxy)
#: Composantes de l'indice proxy : libellé, sens (+1 : plus la valeur est haute, plus le territoire
#: est fragile ; -1 : l'inverse), origine (identifiant du catalogue, ou calcul décrit).
COMPOSANTES = {
    "part_65_ans_et_plus": ("Part des 65 ans et plus", +1, "catalogue : part_65_ans_et_plus"),
    "part_population_rurale": ("Part de la population en commune rurale (DEGURBA)", +1,
                               "Σ population 2023 des communes « Zones rurales » / Σ population 2023 (DEGURBA renseigné)"),
    "mairie_site_web": ("Communes dont la mairie a un site web", -1, "catalogue : mairie_site_web"),
    "mairie_courriel": ("Communes dont la mairie a un courriel", -1, "catalogue : mairie_courriel"),
    "heures_ouverture_mairie": ("Heures d'ouverture de la mairie", -1, "catalogue : heures_ouverture_mairie"),
    "distance_lieu_mediation": ("Distance au lieu de médiation le plus proche", +1,
                                "catalogue : distance_lieu_mediation (Auvergne-Rhône-Alpes uniquement)"),
}
#: Poids par défaut (relatifs ; la somme est ramenée à 1 sur les composantes disponibles).
POIDS_DEFAUT = {"part_65_ans_et_plus": 1.0, "part_population_rurale": 1.0, "mairie_site_web": 1.0,
                "mairie_courriel": 0.5, "heures_ouverture_mairie": 1.0, "distance_lieu_mediation": 1.0}


def _part_rurale(niveau: str) -> pd.Series:
    t = table_communes()
    cle = {"epci": "code_epci", "departement": "code_departement", "commune": "code_commune"}[niveau]
    pop = t["population_2023"].where(t["degurba_niveau1_libelle"].notna())
    rural = pop.where(t["degurba_niveau1_libelle"] == RURAL, 0.0).where(pop.notna())
    num, den = rural.groupby(t[cle]).sum(min_count=1), pop.groupby(t[cle]).sum(min_count=1)
    return 100 * num / den.replace(0, np.nan)


def composantes_fragilite(niveau: str = "epci", region: str | None = None) -> pd.DataFrame:
    """Valeurs brutes des composantes de l'indice proxy, par territoire.

    Paramètres
    ----------
    niveau : {"epci", "departement"}
    region : str, optionnel
        Code de région : ne garder que ses territoires (un EPCI est rattaché à la
        région de son département de rattachement, voir :func:`epci_region`).
        La distance à la médiation n'existe que pour « 84 ».

    Renvoie
    -------
    DataFrame
        Index = code, colonne du nom puis une colonne par composante (unités du
        catalogue ; part rurale en %). La distance est NaN hors Auvergne-Rhône-Alpes.

    Exemples
    --------
    >>> c = composantes_fragilite("epci", region="84")
    >>> len(c), int(c["distance_lieu_mediation"].notna().sum())  # 2 EPCI à cheval sur une autre région
    (165, 163)
    """
    if niveau not in ("epci", "departement"):
        raise IndicateurNonDisponible(f"Niveau « {niveau} » non prévu pour l'indice : « epci » ou « departement ».")
    ids = ["part_65_ans_et_plus", "mairie_site_web", "mairie_courriel", "heures_ouverture_mairie",
           "distance_lieu_mediation"]
    df = indicateurs(ids, niveau=niveau)
    df.insert(2, "part_population_rurale", _part_rurale(niveau).reindex(df.index))
    if region is not None:
        df = df[df.index.isin(_territoires_region(niveau, region))]
    return df[[df.columns[0]] + list(COMPOSANTES)]


def normaliser(valeurs: pd.Series, sens: int = 1, methode: str = "rang") -> pd.Series:
    """Ramène une composante à une échelle commune, orientée (plus haut = plus fragile).

    Délègue à :func:`territoire_lib.indices.normaliser` (moteur commun aux indices et aux
    modèles de territoire).

    Paramètres
    ----------
    sens : {1, -1}
        1 : une valeur haute est fragile ; -1 : une valeur basse est fragile.
    methode : {"rang", "minmax", "zscore"}
        « rang » : centile médian (rang − ½) / n, ex aequo au rang moyen, insensible aux
        valeurs extrêmes ; « minmax » : (x − min) / (max − min), garde les écarts ;
        « zscore » : (x − moyenne) / écart type.

    Exemples
    --------
    >>> normaliser(pd.Series([1.0, 2.0, 4.0, None]), methode="minmax").round(4).tolist()
    [0.0, 0.3333, 1.0, nan]
    >>> normaliser(pd.Series([1.0, 2.0, 4.0]), sens=-1).round(4).tolist()
    [0.8333, 0.5, 0.1667]
    """
    from .indices import normaliser as _normaliser

    if sens not in (1, -1):
        raise ValueError("sens vaut 1 (haut = fragile) ou -1 (bas = fragile).")
    return _normaliser(valeurs, methode, sens)


#: Part minimale des territoires renseignés pour qu'une composante entre dans l'indice : en deçà
#: (distance à la médiation hors Auvergne-Rhône-Alpes), elle classerait surtout la couverture de la source.
SEUIL_COUVERTURE = 0.9


def _disponibles(brut: pd.DataFrame) -> list[str]:
    return [c for c in COMPOSANTES if brut[c].notna().mean() >= SEUIL_COUVERTURE]


def _poids(poids: dict | None, disponibles) -> dict:
    poids = dict(POIDS_DEFAUT if poids is None else poids)
    inconnues = set(poids) - set(COMPOSANTES)
    if inconnues:
        raise ValueError(f"Composantes inconnues {sorted(inconnues)} : valides {list(COMPOSANTES)}.")
    if any(v < 0 for v in poids.values()):
        raise ValueError("Les poids doivent être positifs ou nuls.")
    actifs = {k: float(v) for k, v in poids.items() if v > 0 and k in disponibles}
    if not actifs:
        raise ValueError("Aucune composante disponible avec un poids positif : donnez au moins un poids > 0 "
                         f"parmi {sorted(disponibles)}.")
    return actifs


def _profil(actifs: dict) -> dict:
    return {c: (COMPOSANTES[c][1], w) for c, w in actifs.items()}


def _score(normes: pd.DataFrame, poids: dict) -> pd.Series:
    from .indices import agreger

    # une composante manquante : moyenne des autres (poids ramenés à 1), sans seuil de couverture
    return agreger(normes, poids, seuil=0.0)


def _quintiles(score: pd.Series) -> pd.Series:
    from .indices import classes_quantiles

    return classes_quantiles(score, 5)


def indice_fragilite(poids: dict | None = None, niveau: str = "epci", region: str | None = None,
                     methode: str = "rang") -> pd.DataFrame:
    """Indice de fragilité numérique **proxy** (pas l'indice officiel de la MedNum).

    Calculé par le moteur commun :mod:`territoire_lib.indices` : chaque composante
    disponible (voir :data:`COMPOSANTES`) est normalisée et orientée (plus haut = plus
    fragile) ; l'indice est la moyenne pondérée des composantes renseignées du territoire
    (poids ramenés à 1 sur celles-ci), × 100 pour « rang » et « minmax » (0 à 100), en
    écarts types pour « zscore ». Une composante renseignée pour moins de 90 % des
    territoires du champ (:data:`SEUIL_COUVERTURE` ; la distance à la médiation hors
    Auvergne-Rhône-Alpes) est écartée et signalée dans ``attrs``.

    Paramètres
    ----------
    poids : dict, optionnel
        ``{composante: poids ≥ 0}`` ; défaut :data:`POIDS_DEFAUT`.
    niveau, region :
        Voir :func:`composantes_fragilite`.
    methode : {"rang", "minmax", "zscore"}

    Renvoie
    -------
    DataFrame
        Nom, composantes normalisées (``n_<composante>``), ``indice``, ``rang`` (1 = le plus
        fragile), ``quintile`` (5 = le plus fragile), ``composantes_manquantes`` ;
        ``attrs`` : ``poids`` utilisés, ``ecartees``, ``methode``, ``unite``, ``avertissement``.

    Exemples
    --------
    >>> ind = indice_fragilite(region="84")
    >>> len(ind), ind.attrs["ecartees"]
    (165, [])
    >>> nat = indice_fragilite()
    >>> nat.attrs["ecartees"]
    ['distance_lieu_mediation']
    >>> bool(nat["indice"].between(0, 100).all())
    True
    """
    brut = composantes_fragilite(niveau, region)
    disponibles = _disponibles(brut)
    actifs = _poids(poids, disponibles)
    demandes = POIDS_DEFAUT if poids is None else poids
    ecartees = [c for c, v in demandes.items() if v > 0 and c not in disponibles]
    normes = pd.DataFrame({c: normaliser(brut[c], COMPOSANTES[c][1], methode) for c in actifs})
    res = brut[[brut.columns[0]]].copy()
    for c in actifs:
        res[f"n_{c}"] = normes[c]
    echelle = 1 if methode == "zscore" else 100
    res["indice"] = echelle * _score(normes, actifs)
    res["rang"] = res["indice"].rank(ascending=False, method="min").astype("Int64")
    res["quintile"] = _quintiles(res["indice"]).astype("Int64")
    res["composantes_manquantes"] = normes.isna().sum(axis=1).astype(int)
    res.attrs.update(poids=actifs, ecartees=ecartees, methode=methode,
                     unite="écarts types" if methode == "zscore" else "points (0 à 100)",
                     avertissement="Indice proxy construit ici, pas l'indice de fragilité numérique officiel (MedNum).")
    return res.sort_index().sort_values("indice", ascending=False, kind="stable")


def correlations_fragilite(niveau: str = "epci", region: str | None = None) -> pd.DataFrame:
    """Corrélations de Spearman des composantes disponibles, orientées (plus haut = plus fragile).

    Deux composantes très corrélées pèsent double dans l'indice ; une corrélation négative
    signale une composante qui contredit les autres (OCDE/JRC 2008, étape 4).

    Exemples
    --------
    >>> c = correlations_fragilite(region="84")
    >>> c.shape, float(c.loc["part_65_ans_et_plus", "part_65_ans_et_plus"])
    ((6, 6), 1.0)
    """
    from .indices import correlations

    brut = composantes_fragilite(niveau, region)
    dispo = _disponibles(brut)
    return correlations(brut[dispo], {c: (COMPOSANTES[c][1], 1.0) for c in dispo})


def incertitude_fragilite(poids: dict | None = None, niveau: str = "epci", region: str | None = None):
    """Analyse d'incertitude de l'indice proxy : normalisation × composante retirée × pondération.

    Toutes les combinaisons de trois normalisations (rang, min-max, z), de l'inclusion
    (toutes les composantes, puis chacune retirée tour à tour) et de deux pondérations
    (poids donnés, poids égaux), comparées à la référence (rang, poids donnés, toutes
    composantes) : déplacements de rang et part des territoires qui changent de quintile
    (:func:`territoire_lib.indices.analyse_incertitude`, OCDE/JRC 2008).

    Renvoie
    -------
    territoire_lib.indices.Incertitude
        ``scenarios``, ``territoires`` (par code, avec ``rang_min``/``rang_max``), ``resume``.

    Exemples
    --------
    >>> r = incertitude_fragilite(region="84")
    >>> r.resume["nb_scenarios"], r.resume["nb_territoires"]
    (42, 165)
    """
    from .indices import analyse_incertitude

    brut = composantes_fragilite(niveau, region)
    actifs = _poids(poids, _disponibles(brut))
    return analyse_incertitude(brut[list(actifs)], _profil(actifs), seuil=0.0)


def sensibilite_poids(poids: dict | None = None, variation: float = 0.2, niveau: str = "epci",
                      region: str | None = None, methode: str = "rang") -> pd.DataFrame:
    """Sensibilité du classement de l'indice proxy à chaque poids (± ``variation``), un à la fois.

    Ce test « un poids à la fois » sous-estime l'incertitude : préférez
    :func:`incertitude_fragilite`, qui fait aussi varier la normalisation et retire chaque
    composante tour à tour.

    Renvoie
    -------
    DataFrame
        Une ligne par (composante, variation) : ``spearman`` (corrélation des
        rangs, ``scipy.stats.spearmanr``), ``part_changeant_de_quintile_%``,
        ``deplacement_max_rangs`` (plus grand saut de rang).

    Exemples
    --------
    >>> s = sensibilite_poids(region="84")
    >>> bool((s["spearman"] > 0.9).all()), len(s)
    (True, 12)
    """
    from scipy.stats import spearmanr

    if not 0 < variation < 1:
        raise ValueError("variation est une fraction entre 0 et 1 (0,2 pour ± 20 %).")
    brut = composantes_fragilite(niveau, region)
    disponibles = _disponibles(brut)
    actifs = _poids(poids, disponibles)
    normes = pd.DataFrame({c: normaliser(brut[c], COMPOSANTES[c][1], methode) for c in actifs})
    ref = _score(normes, actifs)
    rang_ref, q_ref = ref.rank(ascending=False, method="min"), _quintiles(ref)
    lignes = []
    for c in actifs:
        for signe in (-1, 1):
            p = dict(actifs, **{c: actifs[c] * (1 + signe * variation)})
            s = _score(normes, p)
            ok = ref.notna() & s.notna()
            rho = spearmanr(ref[ok], s[ok]).statistic
            lignes.append({
                "composante": c, "variation": f"{signe * variation * 100:+.0f} %",
                "spearman": float(rho),
                "part_changeant_de_quintile_%": float(100 * (_quintiles(s)[ok] != q_ref[ok]).mean()),
                "deplacement_max_rangs": int((s.rank(ascending=False, method="min") - rang_ref)[ok].abs().max()),
            })
    return pd.DataFrame(lignes).set_index(["composante", "variation"])


# --------------------------------------------------------------------------- widgets


def source_zones_blanches() -> str:
    """Ligne de source de l'accès fragile à la mairie (horaires, site web, âge), tirée du catalogue."""
    return (f"{ligne_source('heures_ouverture_mairie')} ; {ligne_source('part_65_ans_et_plus')} ; "
            f"{ligne_source('population', 2023)}")


def source_indice(region: str | None = CODE_REGION_COUVERTE) -> str:
    """Sources des composantes de l'indice proxy (producteurs du catalogue, sans doublon).

    Exemples
    --------
    >>> source_indice("84").count("DILA")
    1
    """
    ids = ["part_65_ans_et_plus", "degurba", "mairie_site_web", "heures_ouverture_mairie"]
    if region == CODE_REGION_COUVERTE:
        ids.append("distance_lieu_mediation")
    producteurs = []
    for i in ids:
        for p in indicateur(i).producteur.split(" ; "):
            if not p.startswith("calculs") and all(p.split(",")[0] != q.split(",")[0] for q in producteurs):
                producteurs.append(p)
    return "Sources : " + " ; ".join(producteurs) + " — indice proxy, calculs Territoires en transition"




#: Vues (Altair, widgets) déplacées dans :mod:`territoire_lib.graphiques_numerique` ; gardées
#: accessibles ici, importées au premier usage (le calcul n'importe ni Altair ni ipywidgets).
_VUES = ("graphique_distances", "graphique_modalites", "explorer_zones_blanches", "explorer_indice",
         "carte_serie_indice")


def __getattr__(nom: str):
    if nom in _VUES:
        from . import graphiques_numerique

        return getattr(graphiques_numerique, nom)
    raise AttributeError(f"module {__name__!r} has no attribute {nom!r}")
