"""Vue du portrait de territoire : position du territoire dans chaque distribution (Altair).

Séparée de :mod:`territoire_lib.portrait` (fiche, voisins, comparaisons, export) :
ce module dessine le résultat de :func:`territoire_lib.portrait.fiche_portrait`.
Rendu hors ligne (type MIME Vega-Lite 5 de JupyterLab).
"""
from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from .analyses import formater_nombre
from .cartes import LOCALE_FR
from .erreurs import ResultatVide
from .portrait import COULEURS, PLURIELS, fiche_portrait  # noqa: F401  (exemples des docstrings)

__all__ = ["graphique_positions"]


def _pied_sources(sources: list[str], largeur: int) -> alt.Chart:
    # une source longue, coupée, ne fait pas déborder le graphique de la zone de sortie
    coupees = [t for s in dict.fromkeys(sources) for t in textwrap.wrap(s, 95)]
    lignes = [{"t": t, "r": i} for i, t in enumerate(coupees)]
    return alt.Chart(alt.InlineData(values=lignes)).mark_text(align="left", fontSize=10, color="#555555").encode(
        text="t:N", x=alt.value(0), y=alt.Y("r:O", axis=None)).properties(width=largeur, height=13 * len(lignes))


def graphique_positions(fiche: pd.DataFrame, nom: str, niveau: str, largeur: int = 360) -> alt.VConcatChart:
    """Position du territoire (centile) dans la France et dans sa classe, pour chaque indicateur.

    Paramètres
    ----------
    fiche : DataFrame
        Résultat de :func:`territoire_lib.portrait.fiche_portrait` (colonnes ``centile``,
        ``centile_classe``, ``rang``, ``sur``, ``classe``, ``source``…).
    nom : str
        Nom du territoire, pour le titre.
    niveau : {"commune", "epci", "departement", "region"}
        Niveau du territoire (libellés de comparaison).
    largeur : int
        Largeur du graphique, en pixels.

    Renvoie
    -------
    altair.VConcatChart
        Les points (France, classe) et les lignes de source des indicateurs.

    Lève
    ----
    ResultatVide
        Aucun indicateur n'a de centile (toutes les valeurs manquent).

    Exemples
    --------
    >>> f = fiche_portrait("25", "departement", ["population", "part_65_ans_et_plus"])
    >>> "vconcat" in graphique_positions(f, "Doubs", "departement").to_dict()
    True
    """
    f = fiche.dropna(subset=["centile"]).copy()
    if f.empty:
        raise ResultatVide(f"Aucun indicateur positionnable pour {nom} : toutes les valeurs manquent.")
    classe = f["classe"].dropna().iloc[0] if f["classe"].notna().any() else "classe"
    pl = PLURIELS[niveau]
    libelles = {"France": f"Tous les {pl} de France", "Classe": f"{pl[0].upper() + pl[1:]} de la classe « {classe} »"}
    long = pd.concat([
        f.assign(comparaison=libelles["France"], pos=f["centile"], r=f["rang"], s=f["sur"]),
        f.assign(comparaison=libelles["Classe"], pos=f["centile_classe"], r=f["rang_classe"], s=f["sur_classe"]),
    ]).dropna(subset=["pos"])
    long["valeur_texte"] = [formater_nombre(v) + (f" {u}" if u not in ("oui/non",) else "")
                            for v, u in zip(long["valeur"], long["unite"])]
    long["rang_texte"] = [f"{formater_nombre(r, 0)} sur {formater_nombre(s, 0)}" for r, s in zip(long["r"], long["s"])]
    ordre = list(dict.fromkeys(f["libelle"]))
    y = alt.Y("libelle:N", sort=ordre, title=None, axis=alt.Axis(labelLimit=280))
    fond = alt.Chart(f).mark_rule(color="#dddddd", strokeWidth=6).encode(
        y=y, x=alt.datum(0), x2=alt.datum(100))
    milieu = alt.Chart(pd.DataFrame({"x": [50]})).mark_rule(color="#999999", strokeDash=[3, 3]).encode(x="x:Q")
    points = alt.Chart(long).mark_circle(size=90, opacity=0.9).encode(
        y=y, x=alt.X("pos:Q", title="Centile (0 = valeur la plus faible, 100 = la plus forte)",
                     scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("comparaison:N", title="Comparé à", scale=alt.Scale(
            domain=[libelles["France"], libelles["Classe"]], range=[COULEURS["France"], COULEURS["Classe"]]),
            legend=alt.Legend(orient="top", labelLimit=400)),
        tooltip=[alt.Tooltip("libelle:N", title="Indicateur"), alt.Tooltip("valeur_texte:N", title="Valeur"),
                 alt.Tooltip("millesime:N", title="Millésime"), alt.Tooltip("comparaison:N", title="Comparé à"),
                 alt.Tooltip("rang_texte:N", title="Rang"), alt.Tooltip("pos:Q", title="Centile", format=".0f")],
    )
    graphe = alt.layer(fond, milieu, points).properties(
        width=largeur, height=22 * len(ordre),
        title=alt.TitleParams(f"{nom} : position dans la distribution de chaque indicateur", anchor="start",
                              fontSize=13))
    return alt.vconcat(graphe, _pied_sources(f["source"].tolist(), largeur), spacing=6).configure(
        locale=alt.Locale(number=LOCALE_FR), view=alt.ViewConfig(stroke=None))
