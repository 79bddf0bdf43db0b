"""Vues des mobilités et démobilités (carnet 02) : graphiques Altair et panneau interactif.

Séparées de :mod:`territoire_lib.mobilites` (le calcul) : ce module compose ses
résultats (heures d'ouverture des mairies, contrastes entre IRIS, double
vulnérabilité) en graphiques et en widgets, chacun avec sa ligne de source.
Rendu hors ligne (type MIME Vega-Lite 5 de JupyterLab).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from .cartes import carte_serie
from .catalogue import ligne_source, regroupements
from .chargement import territoires
from .format import nombre
from .graphiques import _avec_source
from .sorties import afficher_dans
from .mobilites import (
    CLASSES_CRITERES,
    COULEURS_CRITERES,
    FRANCE,
    contrastes_intra_communaux,  # noqa: F401  (exemples des docstrings)
    double_vulnerabilite,
    heures_par_groupe,
)

if TYPE_CHECKING:
    import ipywidgets as w

__all__ = [
    "graphique_heures",
    "graphique_contrastes",
    "panneau_double_vulnerabilite",
]


def graphique_heures(par: str = "taille_commune", largeur: int = 440) -> alt.VConcatChart:
    """Boîtes (10e, 25e, 50e, 75e, 90e centiles) des heures d'ouverture des mairies par groupe.

    Les centiles sont calculés dans le noyau (:func:`territoire_lib.mobilites.heures_par_groupe`) :
    le graphique ne transporte que quelques lignes.

    Paramètres
    ----------
    par : str
        Regroupement du catalogue (``taille_commune``, ``degurba``…) ou niveau.
    largeur : int
        Largeur du graphique, en pixels.

    Renvoie
    -------
    altair.VConcatChart
        Le graphique et sa ligne de source.

    Exemples
    --------
    >>> "vconcat" in graphique_heures("degurba").to_dict()
    True
    """
    h = heures_par_groupe(par).reset_index()
    cle = h.columns[0]
    h["nb"] = h["nb_mairies"].map(lambda n: nombre(n, 0))
    ordre = h[cle].tolist()
    y = alt.Y(f"{cle}:N", sort=ordre, title=None)
    infos = [alt.Tooltip(f"{cle}:N", title="Groupe"), alt.Tooltip("nb:N", title="Mairies"),
             alt.Tooltip("q1:Q", title="1er quartile (h)", format=",.1f"),
             alt.Tooltip("mediane:Q", title="Médiane (h)", format=",.1f"),
             alt.Tooltip("q3:Q", title="3e quartile (h)", format=",.1f")]
    base = alt.Chart(h).encode(y=y, tooltip=infos)
    moustaches = base.mark_rule(color="#555555").encode(x=alt.X("p10:Q", title="Heures d'ouverture par semaine"),
                                                          x2="p90:Q")
    boite = base.mark_bar(color="#6baed6", size=16).encode(x="q1:Q", x2="q3:Q")
    mediane = base.mark_tick(color="#08306b", thickness=3, size=18).encode(x="mediane:Q")
    groupe = regroupements().get(par, {}).get("libelle", par)
    titre = alt.TitleParams(f"Heures d'ouverture hebdomadaires des mairies — {groupe}",
                            subtitle="Boîte : 1er-3e quartile ; trait : médiane ; moustaches : 10e-90e centile",
                            anchor="start", fontSize=13)
    graphe = alt.layer(moustaches, boite, mediane).properties(width=largeur, title=titre)
    return _avec_source(graphe, ligne_source("heures_ouverture_mairie"), largeur)


def graphique_contrastes(contrastes: pd.DataFrame, n: int = 15, largeur: int = 440) -> alt.VConcatChart:
    """Étendue des parts de 65 ans et plus entre IRIS, pour les ``n`` premières communes de ``contrastes``.

    Paramètres
    ----------
    contrastes : DataFrame
        Résultat de :func:`territoire_lib.mobilites.contrastes_intra_communaux`.
    n : int
        Nombre de communes représentées (les premières de ``contrastes``).
    largeur : int
        Largeur du graphique, en pixels.

    Renvoie
    -------
    altair.VConcatChart
        Le graphique et sa ligne de source.

    Exemples
    --------
    >>> "vconcat" in graphique_contrastes(contrastes_intra_communaux(), n=5).to_dict()
    True
    """
    d = contrastes.head(n).reset_index()
    ordre = d["nom_commune"].tolist()
    y = alt.Y("nom_commune:N", sort=ordre, title=None)
    infos = [alt.Tooltip("nom_commune:N", title="Commune"), alt.Tooltip("nb_iris:Q", title="IRIS comparés"),
             alt.Tooltip("part_min:Q", title="IRIS le moins âgé (%)", format=",.1f"),
             alt.Tooltip("part_65_ans_et_plus:Q", title="Commune (%)", format=",.1f"),
             alt.Tooltip("part_max:Q", title="IRIS le plus âgé (%)", format=",.1f"),
             alt.Tooltip("dissimilarite_%:Q", title="Dissimilarité (%)", format=",.1f")]
    base = alt.Chart(d).encode(y=y, tooltip=infos)
    etendue = base.mark_rule(color="#9ecae1", strokeWidth=5).encode(
        x=alt.X("part_min:Q", title="Part des 65 ans et plus dans les IRIS (%)"), x2="part_max:Q")
    commune = base.mark_point(color="#08306b", filled=True, size=60, shape="diamond").encode(x="part_65_ans_et_plus:Q")
    titre = alt.TitleParams("Écarts de vieillissement entre quartiers (IRIS) d'une même commune",
                            subtitle=["Trait : de l'IRIS le moins âgé au plus âgé ; losange : la commune entière",
                                      "Communes classées par indice de dissimilarité décroissant"],
                            anchor="start", fontSize=13)
    graphe = alt.layer(etendue, commune).properties(width=largeur, title=titre)
    return _avec_source(graphe, ligne_source("part_65_ans_et_plus"), largeur)


# --------------------------------------------------------------------------- widget
def panneau_double_vulnerabilite(seuil_65_ans: float = 30.0, seuil_heures: float = 10.0,
                                 seuil_distance_km: float = 15.0, departement: str | None = None) -> "w.VBox":
    """Curseurs des trois seuils, choix du département, chiffres clés et carte mis à jour en direct.

    Chaque changement recalcule :func:`territoire_lib.mobilites.double_vulnerabilite`
    et redessine la carte (quelques kilo-octets de spécification, géométrie lue par URL).

    Paramètres
    ----------
    seuil_65_ans, seuil_heures, seuil_distance_km : float
        Valeurs initiales des trois seuils.
    departement : str, optionnel
        Code officiel du département affiché d'abord (France entière par défaut).

    Renvoie
    -------
    ipywidgets.VBox
        Les curseurs, le menu, les chiffres clés et la carte.
    """
    import ipywidgets as w

    style = {"description_width": "230px"}
    disposition = w.Layout(width="560px")
    c65 = w.FloatSlider(value=seuil_65_ans, min=15, max=50, step=1, description="65 ans et plus (au moins, %)",
                        continuous_update=False, style=style, layout=disposition)
    ch = w.FloatSlider(value=seuil_heures, min=1, max=40, step=1, description="Mairie ouverte (au plus, h/sem.)",
                       continuous_update=False, style=style, layout=disposition)
    cd = w.FloatSlider(value=seuil_distance_km, min=5, max=40, step=1, description="Lycée (à plus de, km)",
                       continuous_update=False, style=style, layout=disposition)
    deps = territoires("departement")
    options = [(FRANCE, "")] + [(f"{n} ({c})", c) for c, n in zip(deps["code_departement"], deps["nom_departement"])]
    menu = w.Dropdown(options=options, value=departement or "", description="Territoire", style=style,
                      layout=disposition)
    chiffres, carte_sortie = w.Output(), w.Output()
    source = " ; ".join(ligne_source(i) for i in ("part_65_ans_et_plus", "heures_ouverture_mairie",
                                                  "part_population_lycee_plus_15_km"))

    def maj(*_):
        codes = [menu.value] if menu.value else None
        r = double_vulnerabilite(c65.value, ch.value, cd.value, codes_departement=codes)
        afficher_dans(chiffres, print, r.texte())
        afficher_dans(carte_sortie, carte_serie, r.serie_carte(), "commune",
                      "Cumul des trois critères de vulnérabilité", source, categories=list(CLASSES_CRITERES),
                      couleurs=list(COULEURS_CRITERES), codes=r.communes.index.tolist() if codes else None,
                      si_erreur="Impossible de dessiner la carte")

    for x in (c65, ch, cd, menu):
        x.observe(maj, names="value")
    maj()
    return w.VBox([c65, ch, cd, menu, chiffres, carte_sortie])
