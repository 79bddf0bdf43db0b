"""Vue de la fiche « Territoire de la transition » : carte interactive éléments ↔ carnets (Altair).

Séparée de :mod:`territoire_lib.fiche` (structure validée de la fiche, liens aux
indicateurs, résumé) : ce module ne fait que disposer ces résultats et les dessiner.
Rendu hors ligne (type MIME Vega-Lite 5 de JupyterLab).
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from . import cartes  # noqa: F401  (rendu MIME Vega-Lite 5, sans CDN)
from .fiche import SOURCE_FICHE, _carnets_presents, charger_fiche, elements_fiche

__all__ = ["carte_fiche"]


def _positions(e: pd.DataFrame, carnets: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Coordonnées des nœuds : éléments à gauche (groupés par catégorie), carnets à droite."""
    e = e.loc[e.groupby("categorie", sort=False).ngroup().sort_values(kind="stable").index].copy()
    y, ys, titres = 0.0, [], []
    for _, bloc in e.groupby("categorie", sort=False):
        titres.append({"y": y, "texte": bloc["libelle_categorie"].iloc[0].upper()})
        ys += [y + 1.1 + k for k in range(len(bloc))]
        y += 1.1 + len(bloc) + 0.6
    e["y"] = ys
    pas = y / len(carnets)
    presents = _carnets_presents()
    c = pd.DataFrame({"carnet": list(carnets), "titre_carnet": list(carnets.values()),
                      "y": [pas * (i + 0.5) for i in range(len(carnets))]})
    c["etat"] = ["disponible" if k in presents else "à venir" for k in c["carnet"]]
    c["lien"] = c["carnet"] + ".ipynb"
    return e, c, pd.DataFrame(titres)


def carte_fiche(largeur: int = 760) -> alt.VConcatChart:
    """Carte interactive de la fiche : éléments ↔ carnets, indicateurs et non-mesuré.

    Survoler un élément donne ses indicateurs et ce qui n'est pas mesuré ;
    cliquer un élément met ses liens en évidence et en liste le détail sous la
    carte (double-clic pour effacer) ; cliquer un carnet l'ouvre.

    Paramètres
    ----------
    largeur : int
        Largeur de la carte, en pixels (≤ 926 dans un carnet).

    Renvoie
    -------
    altair.VConcatChart
        La carte, le détail de l'élément cliqué et la ligne de source (:data:`territoire_lib.fiche.SOURCE_FICHE`).

    Exemples
    --------
    >>> "vconcat" in carte_fiche().to_dict()
    True
    """
    fiche = charger_fiche()
    e, c, titres = _positions(elements_fiche(), fiche["carnets"])
    e["etat"] = [("mesuré ici, et son évolution" if r.evolution_mesuree else "mesuré ici") if r.mesure
                 else "en ligne seulement" if r.en_ligne_seulement else "non mesuré ici" for r in e.itertuples()]
    e["detail_dates"] = e["indicateurs_dates"].map(lambda v: " ; ".join(v) if v else "aucun (une seule date)")
    e["detail_indicateurs"] = e["indicateurs"].map(lambda v: " ; ".join(v) if v else "aucun indicateur")
    e["detail_non_mesure"] = e["non_mesure"].map(lambda v: " ; ".join(v) if v else "—")
    e["detail_carnets"] = e["carnets"].map(lambda v: ", ".join(fiche["carnets"][k] for k in v) if v else "aucun carnet")
    noeuds = e[["element", "titre", "libelle_categorie", "y", "nb_indicateurs", "etat", "detail_indicateurs",
                "detail_non_mesure", "detail_carnets", "detail_dates", "evolution_mesuree", "mesure"]]
    liens = pd.DataFrame([
        {"element": r.element, "carnet": k, "x": x, "y": y}
        for r in e.itertuples() for k in r.carnets
        for x, y in ((0.0, r.y), (1.0, float(c.loc[c["carnet"] == k, "y"].iloc[0])))])
    clic = alt.selection_point(name="clic", fields=["element"], on="click", clear="dblclick")
    hauteur = int(18 * (e["y"].max() + 1))
    X = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-2.4, 1.9]))
    Y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-0.8, e["y"].max() + 0.8], reverse=True))
    couleurs = alt.Color("libelle_categorie:N", title="Catégorie", scale=alt.Scale(scheme="tableau10"),
                         sort=list(fiche["categories"].values()), legend=alt.Legend(orient="top", columns=5))
    infobulle = [alt.Tooltip("titre:N", title="Élément"), alt.Tooltip("libelle_categorie:N", title="Catégorie"),
                 alt.Tooltip("detail_carnets:N", title="Carnets"),
                 alt.Tooltip("detail_indicateurs:N", title="Indicateurs"),
                 alt.Tooltip("etat:N", title="État"),
                 alt.Tooltip("detail_dates:N", title="Changement mesuré par"),
                 alt.Tooltip("detail_non_mesure:N", title="Non mesuré ici")]
    traits = alt.Chart(liens).mark_line(strokeWidth=1.4).encode(
        x=X, y=Y, detail="lien:N", color=alt.value("#6b6b6b"),
        opacity=alt.condition(clic, alt.value(0.75), alt.value(0.08))).transform_calculate(
        lien="datum.element + '>' + datum.carnet")
    base = alt.Chart(noeuds).transform_calculate(x="0")
    points = base.mark_circle(stroke="#333333", strokeWidth=0.6).encode(
        x=X, y=Y, color=alt.condition("datum.mesure", couleurs, alt.value("white")),
        strokeWidth=alt.condition("datum.evolution_mesuree", alt.value(2.6), alt.value(0.6)),
        size=alt.Size("nb_indicateurs:Q", title="Indicateurs liés", scale=alt.Scale(range=[60, 420]),
                      legend=alt.Legend(orient="top")),
        tooltip=infobulle).add_params(clic)
    textes = base.mark_text(align="right", dx=-12, fontSize=11, limit=430).encode(
        x=X, y=Y, text="titre:N", tooltip=infobulle,
        color=alt.condition("datum.nb_indicateurs > 0", alt.value("#222222"), alt.value("#8a8a8a")))
    entetes = alt.Chart(titres).transform_calculate(x="0").mark_text(
        align="right", dx=-12, fontSize=11, fontWeight="bold", color="#555555").encode(x=X, y=Y, text="texte:N")
    base_c = alt.Chart(c).transform_calculate(x="1")
    carres = base_c.mark_square(size=260).encode(
        x=X, y=Y, href="lien:N", color=alt.condition("datum.etat == 'disponible'", alt.value("#08519c"),
                                                      alt.value("#bdbdbd")),
        tooltip=[alt.Tooltip("titre_carnet:N", title="Carnet"), alt.Tooltip("etat:N", title="État"),
                 alt.Tooltip("lien:N", title="Cliquer pour ouvrir")])
    noms_c = base_c.transform_calculate(texte="datum.titre_carnet + (datum.etat == 'à venir' ? ' (à venir)' : '')").mark_text(
        align="left", dx=12, fontSize=11, fontWeight="bold").encode(x=X, y=Y, text="texte:N", href="lien:N")
    graphe = alt.layer(traits, points, textes, entetes, carres, noms_c).properties(
        width=largeur, height=hauteur, title=alt.TitleParams(
            "La fiche « Territoire de la transition » : ce que mesurent les carnets", anchor="start", fontSize=14,
            subtitle=["Cercle plein : élément mesuré hors ligne (taille = nombre d'indicateurs).",
                      "Cerclé épais : son changement est mesuré (deux dates ou plus) ; blanc : en ligne seulement",
                      "ou non mesuré. Cliquez un élément pour le détail, un carnet pour l'ouvrir."]))
    return alt.vconcat(graphe, _detail(e, clic, largeur), _pied(largeur), spacing=8).configure(
        view=alt.ViewConfig(stroke=None))


def _detail(e: pd.DataFrame, clic: alt.Parameter, largeur: int) -> alt.Chart:
    """Sous la carte : indicateurs et non-mesuré de l'élément cliqué (rien tant qu'aucun clic)."""
    lignes = []
    for r in e.itertuples():
        lignes.append({"element": r.element, "texte": f"▶ {r.titre}", "gras": 1})
        lignes += [{"element": r.element, "texte": f"   indicateur : {i}", "gras": 0} for i in r.indicateurs]
        lignes += [{"element": r.element, "texte": f"   non mesuré ici : {n}", "gras": 0} for n in r.non_mesure]
    n_max = max(sum(1 for x in lignes if x["element"] == el) for el in e["element"])
    base = alt.Chart(pd.DataFrame(lignes)).transform_filter({"param": clic.name, "empty": False}).transform_window(
        rang="row_number()")
    return base.mark_text(align="left", fontSize=11).encode(
        x=alt.value(0), y=alt.Y("rang:O", axis=None), text="texte:N",
        color=alt.condition("datum.gras == 1", alt.value("#08519c"), alt.value("#222222")),
    ).properties(width=largeur, height=15 * n_max, title=alt.TitleParams(
        "Détail de l'élément cliqué (double-clic pour revenir à l'ensemble)", anchor="start", fontSize=12))


def _pied(largeur: int) -> alt.Chart:
    return alt.Chart(alt.InlineData(values=[{"t": SOURCE_FICHE}])).mark_text(
        align="left", fontSize=10, color="#555555").encode(text="t:N", x=alt.value(0)).properties(
        width=largeur, height=14)
