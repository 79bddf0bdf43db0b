"""Vues du thème numérique (carnet 03) : graphiques Altair, cartes et widgets.

Le module de thème :mod:`territoire_lib.numerique` calcule (tables, indices, modèles) ; ce module
dessine ses résultats et compose les curseurs des carnets. Il importe le thème, jamais l'inverse à
l'import (les anciens noms restent accessibles depuis ``numerique`` et sont importés au premier
usage).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .catalogue import ligne_source
from .chargement import table_communes
from .sorties import afficher_dans
from .numerique import (
    ACCES_FRAGILE,
    CODE_REGION_COUVERTE,
    COMPOSANTES,
    POIDS_DEFAUT,
    _disponibles,
    acces_fragile_mairie,
    composantes_fragilite,
    indice_fragilite,
    source_indice,
    source_lieux,
    source_zones_blanches,
)

if TYPE_CHECKING:
    import altair as alt
    import ipywidgets as w

    from .cartes import Carte

__all__ = [
    "graphique_distances",
    "graphique_modalites",
    "explorer_zones_blanches",
    "explorer_indice",
    "carte_serie_indice",
]


def graphique_distances(largeur: int = 460) -> alt.VConcatChart:
    """Histogramme des distances commune → lieu de médiation le plus proche (Auvergne-Rhône-Alpes).

    Paramètres
    ----------
    largeur : int
        Largeur du graphique en pixels.

    Renvoie
    -------
    altair.VConcatChart
        Barres par tranche de 2 km, avec la ligne de source.

    Exemples
    --------
    >>> "vconcat" in graphique_distances().to_dict()
    True
    """
    import altair as alt

    from .graphiques import _avec_source

    t = table_communes()
    d = t.loc[(t["code_region"] == CODE_REGION_COUVERTE) & t["distance_lieu_mediation_km"].notna(),
              ["distance_lieu_mediation_km"]].rename(columns={"distance_lieu_mediation_km": "km"})
    barres = alt.Chart(d).mark_bar(color="#2171b5").encode(
        x=alt.X("km:Q", bin=alt.Bin(step=2), title="Distance au lieu le plus proche (km, à vol d'oiseau)"),
        y=alt.Y("count():Q", title="Nombre de communes"),
        tooltip=[alt.Tooltip("km:Q", bin=alt.Bin(step=2), title="Distance (km)"),
                 alt.Tooltip("count():Q", title="Communes")],
    ).properties(width=largeur, height=220, title=alt.TitleParams(
        "Communes d'Auvergne-Rhône-Alpes selon la distance au lieu de médiation le plus proche",
        anchor="start", fontSize=13))
    return _avec_source(barres, ligne_source("distance_lieu_mediation"), largeur)


def graphique_modalites(table: pd.DataFrame, titre: str, largeur: int = 360) -> alt.VConcatChart:
    """Barres horizontales du nombre de lieux par modalité (sortie de :func:`compter_modalites`).

    Paramètres
    ----------
    table : pandas.DataFrame
        Sortie de :func:`territoire_lib.numerique.compter_modalites`.
    titre : str
        Titre du graphique.
    largeur : int
        Largeur en pixels.

    Renvoie
    -------
    altair.VConcatChart
        Barres triées, avec la ligne de source des lieux.

    Exemples
    --------
    >>> from territoire_lib.numerique import compter_modalites, lieux_mediation
    >>> g = graphique_modalites(compter_modalites(lieux_mediation()["publics_accueillis"]), "Publics")
    >>> "vconcat" in g.to_dict()
    True
    """
    import altair as alt

    from .graphiques import _avec_source

    d = table.reset_index()
    barres = alt.Chart(d).mark_bar(color="#41ab5d").encode(
        y=alt.Y("modalite:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("lieux:Q", title=f"Nombre de lieux (sur {table.attrs.get('renseignes', '?')} renseignés)"),
        tooltip=[alt.Tooltip("modalite:N", title="Modalité"), alt.Tooltip("lieux:Q", title="Lieux"),
                 alt.Tooltip("part_%:Q", title="Part des lieux (%)", format=",.1f")],
    ).properties(width=largeur, title=alt.TitleParams(titre, anchor="start", fontSize=13))
    return _avec_source(barres, source_lieux(), largeur)


def explorer_zones_blanches(heures_max: float = 6.0, part_65_min: float = 30.0) -> w.VBox:
    """Curseurs (heures, part des 65 ans et plus, courriel) : résumé, départements et carte des communes repérées.

    Paramètres
    ----------
    heures_max, part_65_min : float
        Seuils de départ (voir :func:`territoire_lib.numerique.acces_fragile_mairie`).

    Renvoie
    -------
    ipywidgets.VBox
        Curseurs et sortie ; la carte est redessinée au relâchement du curseur.
    """
    import ipywidgets as w
    from IPython.display import display

    from .cartes import carte_serie

    c_heures = w.FloatSlider(value=heures_max, min=0.5, max=20, step=0.5, description="Heures ≤",
                             continuous_update=False, style={"description_width": "initial"})
    c_65 = w.FloatSlider(value=part_65_min, min=10, max=50, step=1, description="65 ans et plus (%) ≥",
                         continuous_update=False, style={"description_width": "initial"})
    c_courriel = w.Checkbox(value=False, description="exiger aussi l'absence de courriel")
    sortie = w.Output()

    def contenu():
        z = acces_fragile_mairie(c_heures.value, c_65.value, c_courriel.value)
        print(z.resume())
        print(source_zones_blanches())
        if z.communes.empty:
            print("Aucune commune ne remplit ces trois conditions : desserrez les seuils.")
            return
        display(z.par_departement().head(10).rename(columns={
            "communes": "communes repérées", "population": "habitants",
            "population_65_ans_et_plus": "dont 65 ans et plus"}))
        display(carte_serie(z.classes(), "commune", "Communes à l'accès fragile à la mairie (seuils choisis)",
                            source_zones_blanches(), categories=[ACCES_FRAGILE, "autre commune"],
                            couleurs=["#b2182b", "#f2efe9"]))

    def maj(*_):
        afficher_dans(sortie, contenu)

    for x in (c_heures, c_65, c_courriel):
        x.observe(maj, names="value")
    maj()
    return w.VBox([w.HBox([c_heures, c_65, c_courriel]), sortie])


def explorer_indice(region: str | None = CODE_REGION_COUVERTE) -> w.VBox:
    """Curseurs de poids, menu de normalisation : classement et carte de l'indice proxy par EPCI.

    Paramètres
    ----------
    region : str, optionnel
        Code de région (défaut : Auvergne-Rhône-Alpes, seule couverte par la médiation) ; None : France.

    Renvoie
    -------
    ipywidgets.VBox
        Un curseur par composante disponible, le menu de normalisation et la sortie.
    """
    import ipywidgets as w
    from IPython.display import display

    brut = composantes_fragilite("epci", region)
    dispo = _disponibles(brut)
    curseurs = {c: w.FloatSlider(value=POIDS_DEFAUT[c], min=0, max=3, step=0.25, description=COMPOSANTES[c][0],
                                 continuous_update=False, style={"description_width": "320px"},
                                 layout=w.Layout(width="560px")) for c in dispo}
    menu = w.Dropdown(options=[("rang centile", "rang"), ("min-max", "minmax"), ("z-score", "zscore")], value="rang",
                      description="Normalisation")
    sortie = w.Output()

    def contenu():
        poids = {c: s.value for c, s in curseurs.items()}
        try:
            ind = indice_fragilite(poids, "epci", region, menu.value)
        except ValueError as exc:
            print(f"Impossible de calculer l'indice : {exc}")
            return
        print(ind.attrs["avertissement"])
        print("10 EPCI les plus fragiles selon ces poids :")
        display(ind.head(10)[[ind.columns[0], "indice", "quintile"]].round(1))
        print(source_indice(region))
        display(carte_serie_indice(ind, region))

    def maj(*_):
        afficher_dans(sortie, contenu)

    for x in [*curseurs.values(), menu]:
        x.observe(maj, names="value")
    maj()
    return w.VBox([*curseurs.values(), menu, sortie])


def carte_serie_indice(ind: pd.DataFrame, region: str | None = CODE_REGION_COUVERTE) -> Carte:
    """Carte de l'indice proxy par EPCI (limitée aux EPCI de la région si ``region``).

    Paramètres
    ----------
    ind : pandas.DataFrame
        Sortie de :func:`territoire_lib.numerique.indice_fragilite`.
    region : str, optionnel
        Code de région ; None : toute la France.

    Renvoie
    -------
    Carte
        Carte en quintiles, avec la ligne de source des composantes.
    """
    from .cartes import carte_serie

    titre = "Indice de fragilité numérique — proxy, pas l'indice officiel de la MedNum (0-100)"
    c = carte_serie(ind["indice"], "epci", titre, source_indice(region), unite="points", k=5,
                    zoom_idf=region is None)
    if region is not None:
        c.selection = True
        c.valeurs = c.valeurs[c.valeurs["code"].isin(ind.index)].reset_index(drop=True)
    return c
