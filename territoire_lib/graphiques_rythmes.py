"""Vues des rythmes de déplacement lus dans les accidents corporels (carnet 02) : graphiques Altair.

Séparées de :mod:`territoire_lib.rythmes` (le calcul des parts de motifs et des
profils horaires) ; chaque graphique porte la ligne de source des accidents.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from . import cartes  # active aussi le rendu MIME Vega-Lite 5, sans CDN
from .rythmes import ligne_source_accidents, parts_motifs, profil_horaire

__all__ = [
    "graphique_parts_motifs",
    "graphique_profil_horaire",
]

#: Virgule décimale et espace des milliers dans les infobulles.
_LOCALE = alt.Locale(number=cartes.LOCALE_FR)


def graphique_parts_motifs(largeur: int = 520) -> alt.Chart:
    """Évolution de la part de chaque motif parmi les conducteurs impliqués (motif renseigné).

    Paramètres
    ----------
    largeur : int
        Largeur du graphique, en pixels.

    Renvoie
    -------
    altair.Chart
        Une courbe par motif (:func:`territoire_lib.rythmes.parts_motifs`), source en sous-titre.

    Exemples
    --------
    >>> graphique_parts_motifs().to_dict()["mark"]["type"]
    'line'
    """
    t = parts_motifs()
    return alt.Chart(t).mark_line(point=True).encode(
        x=alt.X("annee:O", title="Année"),
        y=alt.Y("part:Q", title="Part des conducteurs impliqués (%)"),
        color=alt.Color("motif:N", title="Motif du déplacement"),
        tooltip=[alt.Tooltip("annee:O", title="Année"), alt.Tooltip("motif:N", title="Motif"),
                 alt.Tooltip("part:Q", title="Part (%)", format=".1f"),
                 alt.Tooltip("nb_conducteurs:Q", title="Conducteurs", format=",")],
    ).properties(width=largeur, title=alt.TitleParams(
        "Motif des déplacements des conducteurs impliqués dans un accident corporel",
        subtitle=[ligne_source_accidents(), "Conducteurs au motif renseigné ; 2020 : année des confinements."])
    ).configure(locale=_LOCALE)


def graphique_profil_horaire(periodes: dict[str, range], jours: str = "semaine",
                             motifs: tuple[str, ...] = ("Domicile – travail", "Promenade – loisirs"),
                             largeur: int = 260) -> alt.FacetChart:
    """Profils horaires de quelques motifs, une colonne par motif, une couleur par période.

    Paramètres
    ----------
    periodes : libellé → années, par ex. ``{"2005-2009": range(2005, 2010), "2015-2019": range(2015, 2020)}``.
    jours : ``"semaine"`` ou ``"week-end"``.
    motifs : motifs représentés.
    largeur : largeur de chaque colonne, en pixels.

    Renvoie
    -------
    altair.FacetChart
        Une colonne par motif (:func:`territoire_lib.rythmes.profil_horaire`), source en sous-titre.

    Exemples
    --------
    >>> g = graphique_profil_horaire({"2015-2019": range(2015, 2020)})
    >>> "facet" in g.to_dict()
    True
    """
    t = pd.concat([profil_horaire(a, jours, list(motifs)).assign(periode=nom) for nom, a in periodes.items()],
                  ignore_index=True)
    return alt.Chart(t).mark_line().encode(
        x=alt.X("heure:Q", title="Heure de l'accident", scale=alt.Scale(domain=[0, 23])),
        y=alt.Y("part:Q", title="Part des conducteurs du motif (%)"),
        color=alt.Color("periode:N", title="Période"),
        tooltip=[alt.Tooltip("periode:N", title="Période"), alt.Tooltip("motif:N", title="Motif"),
                 alt.Tooltip("heure:Q", title="Heure"), alt.Tooltip("part:Q", title="Part (%)", format=".1f")],
    ).properties(width=largeur, height=200).facet(
        column=alt.Column("motif:N", title=None)
    ).properties(title=alt.TitleParams(
        f"Heure des accidents selon le motif du déplacement (jours de {'semaine' if jours == 'semaine' else 'week-end'})",
        subtitle=[ligne_source_accidents()])).configure(locale=_LOCALE)
