"""Graphiques non cartographiques des carnets (Altair, rendus hors ligne dans JupyterLab).

Chaque graphique porte un titre en français et sa ligne de source.
"""
from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from . import cartes  # noqa: F401  (active le rendu MIME Vega-Lite 5, sans CDN)
from .catalogue import indicateur, ligne_source
from .chargement import indicateurs
from .inegalites import populations_comparables, rang_taille

__all__ = ["barres_par_groupe", "courbe_rang_taille", "haltere_evolution"]


def _avec_source(graphe, source: str, largeur: int):
    # source coupée en lignes d'au plus 100 caractères (≈ 550 px) : elle ne fait pas déborder la zone de sortie
    lignes = textwrap.wrap(source, 100) or [""]
    pied = alt.Chart(alt.InlineData(values=[{"t": lignes}])).mark_text(
        align="left", baseline="top", fontSize=10, color="#555555", lineHeight=13).encode(
        text="t:N", x=alt.value(0), y=alt.value(0)).properties(width=largeur, height=13 * len(lignes))
    return alt.vconcat(graphe, pied, spacing=4).configure(
        locale=alt.Locale(number=cartes.LOCALE_FR), view=alt.ViewConfig(stroke=None))


#: Regroupements, en clair, pour les titres.
NOMS_GROUPES = {"taille_commune": "la taille de la commune", "nature_epci": "la nature de l'intercommunalité",
                "degurba": "le degré d'urbanisation", "zonage_abc": "le zonage A/B/C"}


def barres_par_groupe(ident: str, niveau: str, millesime=None, largeur: int = 420) -> alt.TopLevelMixin:
    """Valeur d'un indicateur pour chaque classe d'un regroupement (DEGURBA, nature d'EPCI, zonage…).

    Exemples
    --------
    >>> g = barres_par_groupe("evolution_population_annuelle", "degurba", "2016-2023")
    >>> "vconcat" in g.to_dict()
    True
    """
    ind = indicateur(ident)
    from .format import libelle_nature_epci, ordonner_classes

    valeurs = indicateurs(ident, niveau=niveau, millesime=millesime)
    naturel = niveau in ("taille_commune", "nature_epci")  # classes ordonnées : ordre naturel, pas par valeur
    valeurs = ordonner_classes(valeurs, niveau) if naturel else valeurs
    df = valeurs.reset_index()
    cle = df.columns[0]
    df[cle] = df[cle].map(libelle_nature_epci) if niveau == "nature_epci" else df[cle]  # « CA » en toutes lettres
    titre = f"{ind.libelle} ({ind.verifier_millesime(millesime)}) selon {NOMS_GROUPES.get(niveau, niveau.replace('_', ' '))}"
    barres = alt.Chart(df).mark_bar(color="#2171b5").encode(
        y=alt.Y(f"{cle}:N", title=None, sort=df[cle].tolist() if naturel else "-x"),
        x=alt.X(f"{ident}:Q", title=ind.unite),
        tooltip=[alt.Tooltip(f"{cle}:N", title="Groupe"), alt.Tooltip(f"{ident}:Q", title=ind.unite, format=",.2f")],
    ).properties(width=largeur, title=alt.TitleParams(titre, anchor="start", fontSize=13))
    return _avec_source(barres, ligne_source(ident, millesime), largeur)


def courbe_rang_taille(millesimes: list[int], niveau: str = "epci", largeur: int = 420) -> alt.TopLevelMixin:
    """Courbe rang-taille (échelles logarithmiques) des populations, un trait par millésime.

    Seuls les territoires dont toutes les communes ont une population à chaque
    millésime sont retenus (voir :func:`territoire_lib.inegalites.populations_comparables`).

    Exemples
    --------
    >>> "vconcat" in courbe_rang_taille([2016, 2023]).to_dict()
    True
    """
    pops = populations_comparables(niveau, tuple(millesimes))  # mêmes territoires, sommes complètes
    lignes = [rang_taille(pops[m])["points"].assign(millesime=str(m)) for m in millesimes]
    df = pd.concat(lignes, ignore_index=True)
    courbe = alt.Chart(df).mark_line(point=False).encode(
        x=alt.X("rang:Q", scale=alt.Scale(type="log"), title="Rang (échelle logarithmique)"),
        y=alt.Y("taille:Q", scale=alt.Scale(type="log"), title="Population (échelle logarithmique)"),
        color=alt.Color("millesime:N", title="Millésime", scale=alt.Scale(scheme="darkblue")),
        tooltip=[alt.Tooltip("code:N", title="Code"), alt.Tooltip("rang:Q", title="Rang"),
                 alt.Tooltip("taille:Q", title="Population", format=",.0f"), alt.Tooltip("millesime:N", title="Millésime")],
    ).properties(width=largeur, height=300, title=alt.TitleParams(
        f"Rang et taille des {cartes.NOMS_NIVEAUX.get(niveau, niveau)}", anchor="start", fontSize=13))
    return _avec_source(courbe, ligne_source("population", millesimes[-1]).replace(
        f"(millésime {millesimes[-1]})", f"(millésimes {', '.join(map(str, millesimes))})"), largeur)


def haltere_evolution(
    identifiant: str,
    debut,
    fin,
    niveau: str = "region",
    codes: list[str] | None = None,
    meme_base: bool = True,
    largeur: int = 420,
) -> alt.TopLevelMixin:
    """Graphique en haltères : valeur de chaque territoire aux deux dates, reliées par un trait.

    Un point clair au début, un point foncé à la fin ; les territoires sont
    triés par évolution et l'infobulle donne l'évolution dans son unité
    (points de %, % par an ou différence). Un territoire incomplet à l'une des
    deux dates n'est pas tracé : il est nommé sous le graphique avec son motif.

    Paramètres
    ----------
    identifiant, debut, fin, niveau, codes, meme_base :
        Voir :func:`territoire_lib.evolution.evolution`.
    largeur : int
        Largeur du graphique en pixels.

    Exemples
    --------
    >>> g = haltere_evolution("part_femmes_elues", 2020, 2026, niveau="region")
    >>> "vconcat" in g.to_dict()
    True
    """
    from .evolution import evolution

    e = evolution(identifiant, debut, fin, niveau=niveau, codes=codes, meme_base=meme_base)
    nom = next((c for c in e.columns if c.startswith("nom_")), None)
    df = e.reset_index()
    cle = df.columns[0]
    df["territoire"] = df[nom].fillna(df[cle]) if nom else df[cle].astype(str)
    ecartes = df[df["evolution"].isna()]
    df = df[df["evolution"].notna()]
    if df.empty:
        from .erreurs import ResultatVide

        raise ResultatVide(f"Aucune évolution calculable de « {identifiant} » entre {debut} et {fin} "
                           f"(niveau {niveau}).")
    unite, unite_ev = e.attrs["unite"], e.attrs["unite_evolution"]
    longue = df.melt(id_vars=["territoire", "evolution"], value_vars=["debut", "fin"],
                     var_name="date", value_name="valeur")
    longue["date"] = longue["date"].map({"debut": str(debut), "fin": str(fin)})
    ordre = df.sort_values("evolution", ascending=False)["territoire"].tolist()
    y = alt.Y("territoire:N", sort=ordre, title=None)
    base = alt.Chart(longue)
    trait = base.mark_rule(color="#969696", strokeWidth=2).encode(
        y=y, x=alt.X("min(valeur):Q", title=unite, scale=alt.Scale(zero=False)), x2="max(valeur):Q")
    points = base.mark_circle(size=80, opacity=1).encode(
        y=y, x=alt.X("valeur:Q", title=unite),
        color=alt.Color("date:N", title="Millésime", sort=[str(debut), str(fin)],
                        scale=alt.Scale(range=["#9ecae1", "#08519c"])),
        tooltip=[alt.Tooltip("territoire:N", title="Territoire"), alt.Tooltip("date:N", title="Millésime"),
                 alt.Tooltip("valeur:Q", title=unite, format=",.1f"),
                 alt.Tooltip("evolution:Q", title=f"Évolution ({unite_ev})", format="+,.2f")])
    titre = f"{e.attrs['libelle']} : {debut} → {fin}"
    graphe = alt.layer(trait, points).properties(
        width=largeur, height=max(120, 18 * len(df)), title=alt.TitleParams(titre, anchor="start", fontSize=13))
    source = e.attrs["source"]
    if len(ecartes):
        noms = ", ".join(f"{t} ({m})" for t, m in zip(ecartes["territoire"], ecartes["motif"].fillna("")))
        source += f". Non tracés (incomplets) : {noms}"
    return _avec_source(graphe, source, largeur)
