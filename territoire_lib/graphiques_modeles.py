"""Vues des modèles de territoire : carte du modèle dominant, graphiques (Altair) et tableau de bord.

Séparées de :mod:`territoire_lib.modeles` (le calcul) : ce module compose ses
résultats en graphiques et en widgets ; les scores, profils et stabilités
viennent de là. Rendu hors ligne (type MIME Vega-Lite 5 de JupyterLab).
"""
from __future__ import annotations

from dataclasses import fields

import altair as alt
import pandas as pd

from . import cartes  # noqa: F401  (active le rendu MIME Vega-Lite 5, sans CDN)
from .catalogue import indicateur
from .chargement import territoires
from .erreurs import ErreurTerritoire
from .format import nombre
from .modeles import (
    _noms,
    _scores,
    _verifier_niveau,
    indicateurs_modeles,
    ligne_source_modeles,
    profil_territoire,
    profils_modeles,
    effectifs_dominants,
    scores_modeles,  # noqa: F401  (exemples des docstrings)
    sensibilite,  # noqa: F401  (exemples des docstrings)
)

__all__ = [
    "carte_modeles",
    "graphique_distributions",
    "graphique_effectifs",
    "graphique_sensibilite",
    "graphique_profil",
    "explorateur_modeles",
]


def _pied(source: str, largeur: int):
    # la ligne de source peut être longue : découpée en lignes d'environ 125 caractères (≈ 700 px, largeur d'un carnet)
    lignes, courante = [], ""
    for mot in source.split(" "):
        if len(courante) + len(mot) > 125:
            lignes.append(courante.strip())
            courante = ""
        courante += mot + " "
    lignes.append(courante.strip())
    return alt.Chart(alt.InlineData(values=[{"t": t, "r": k} for k, t in enumerate(lignes)])).mark_text(
        align="left", fontSize=10, color="#555555").encode(
        text="t:N", x=alt.value(0), y=alt.Y("r:O", axis=None)).properties(width=largeur, height=13 * len(lignes))


def _finir(graphe, source: str, largeur: int):
    return alt.vconcat(graphe, _pied(source, largeur), spacing=4).configure(
        locale=alt.Locale(number=cartes.LOCALE_FR), view=alt.ViewConfig(stroke=None))


def _echelle_couleurs(profils: list[dict]) -> alt.Scale:
    return alt.Scale(domain=[m["nom"] for m in profils], range=[m["couleur"] for m in profils])


class _CarteModeles(cartes.Carte):
    """Carte dont la ligne de source (longue : neuf producteurs) est coupée en plusieurs lignes."""

    def _pied(self):
        return _pied(self.options[0].source, self.largeur + 300)


def carte_modeles(scores: pd.DataFrame, niveau: str | None = None, titre: str | None = None,
                  source: str | None = None, largeur: int = 460):
    """Carte du modèle dominant (palette fixe Okabe-Ito, lisible par les daltoniens).

    Exemples
    --------
    >>> c = carte_modeles(scores_modeles("region"))
    >>> c.options[0].classes[0]
    'Cyber territoire'
    """
    from .cartes import carte_serie

    profils = profils_modeles()
    niveau = niveau or scores.attrs.get("niveau", "epci")
    noms = _noms(profils)
    serie = pd.Series(scores["modele_dominant"].map(noms, na_action="ignore").to_numpy(),
                      index=scores["code"].to_numpy(), dtype="string")
    c = carte_serie(serie, niveau, titre or "Modèle de territoire en tête (scores standardisés ; à lire avec sa stabilité, carnet 05)",
                    source or ligne_source_modeles(scores.attrs.get("millesimes")),
                    categories=list(noms.values()), couleurs=[m["couleur"] for m in profils], largeur=largeur)
    return _CarteModeles(**{f.name: getattr(c, f.name) for f in fields(c)})


def graphique_distributions(scores: pd.DataFrame, largeur: int = 460) -> alt.TopLevelMixin:
    """Distribution des scores de chaque modèle (boîtes : quartiles, médiane, extrêmes), aux
    couleurs des modèles.

    Les quantiles sont calculés ici (le graphique ne transporte que 7 lignes, pas les scores
    de chaque territoire).

    Exemples
    --------
    >>> "vconcat" in graphique_distributions(scores_modeles("region")).to_dict()
    True
    """
    profils = profils_modeles()
    noms = _noms(profils)
    lignes = []
    for m, nom in noms.items():
        v = scores[m].dropna()
        q = v.quantile([0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]).to_numpy()
        lignes.append({"nom_modele": nom, "min": q[0], "d1": q[1], "q1": q[2], "mediane": q[3], "q3": q[4],
                       "d9": q[5], "max": q[6], "n": int(len(v)),
                       "dominant": int((scores["modele_dominant"] == m).sum())})
    d = pd.DataFrame(lignes)
    y = alt.Y("nom_modele:N", title=None, sort=list(noms.values()))
    x = alt.X("min:Q", title="Score standardisé (échelle T : moyenne 50, écart type 10)")
    couleur = alt.Color("nom_modele:N", scale=_echelle_couleurs(profils), legend=None)
    infos = [alt.Tooltip("nom_modele:N", title="Modèle")] + [
        alt.Tooltip(f"{c}:Q", title=t, format=".1f") for c, t in (
            ("min", "Minimum"), ("d1", "1er décile"), ("q1", "1er quartile"), ("mediane", "Médiane"),
            ("q3", "3e quartile"), ("d9", "9e décile"), ("max", "Maximum"))] + [
        alt.Tooltip("n:Q", title="Territoires avec score"), alt.Tooltip("dominant:Q", title="Dont modèle dominant")]
    base = alt.Chart(d).encode(y=y, tooltip=infos)
    etendue = base.mark_rule(color="#777777").encode(x=x, x2="max:Q")
    deciles = base.mark_rule(strokeWidth=5, opacity=0.45).encode(x="d1:Q", x2="d9:Q", color=couleur)
    boite = base.mark_bar(size=16, stroke="#333333", strokeWidth=0.5).encode(x="q1:Q", x2="q3:Q", color=couleur)
    mediane = base.mark_tick(color="#111111", thickness=2, size=18).encode(x="mediane:Q")
    g = alt.layer(etendue, deciles, boite, mediane).properties(
        width=largeur, height=28 * len(noms), title=alt.TitleParams(
            f"Distribution des scores ({nombre(len(scores), 0)} {cartes.NOMS_NIVEAUX.get(scores.attrs.get('niveau'), 'territoires')})",
            subtitle="Trait fin : minimum à maximum ; trait épais : 1er au 9e décile ; boîte : quartiles ; barre noire : médiane",
            anchor="start", fontSize=13))
    return _finir(g, ligne_source_modeles(scores.attrs.get("millesimes")), largeur)


def graphique_effectifs(scores: pd.DataFrame, largeur: int = 380) -> alt.TopLevelMixin:
    """Nombre de territoires par modèle dominant (barres aux couleurs des modèles).

    Exemples
    --------
    >>> "vconcat" in graphique_effectifs(scores_modeles("region")).to_dict()
    True
    """
    profils = profils_modeles()
    e = effectifs_dominants(scores)
    barres = alt.Chart(e).mark_bar().encode(
        y=alt.Y("nom:N", title=None, sort=[m["nom"] for m in profils]),
        x=alt.X("nb_territoires:Q", title="Territoires où le modèle domine"),
        color=alt.Color("nom:N", scale=_echelle_couleurs(profils), legend=None),
        tooltip=[alt.Tooltip("nom:N", title="Modèle"), alt.Tooltip("nb_territoires:Q", title="Territoires"),
                 alt.Tooltip("part_%:Q", title="Part (%)", format=".1f")],
    )
    textes = barres.mark_text(align="left", dx=3, fontSize=11).encode(text="nb_territoires:Q", color=alt.value("#333333"))
    sans = e.attrs["sans_modele"]
    titre = "Modèle dominant : nombre de territoires" + (f" ({nombre(sans, 0)} sans score)" if sans else "")
    g = alt.layer(barres, textes).properties(width=largeur, height=26 * len(e),
                                             title=alt.TitleParams(titre, anchor="start", fontSize=13))
    return _finir(g, ligne_source_modeles(scores.attrs.get("millesimes")), largeur)


def graphique_sensibilite(sens: pd.DataFrame, largeur: int = 300, source: str | None = None) -> alt.TopLevelMixin:
    """Territoires qui changent de modèle dominant pour chaque poids modifié (±).

    Exemples
    --------
    >>> "vconcat" in graphique_sensibilite(sensibilite("region")).to_dict()
    True
    """
    d = sens.assign(poids=lambda t: t["type"].str.capitalize() + " : " + t["libelle"])
    ordre = d.groupby("poids", sort=False)["nb_changements"].max().sort_values(ascending=False).index.tolist()
    barres = alt.Chart(d).mark_bar().encode(
        y=alt.Y("poids:N", sort=ordre, title=None, axis=alt.Axis(labelLimit=280)),
        yOffset=alt.YOffset("variation:N"),
        x=alt.X("nb_changements:Q", title="Territoires qui changent de modèle dominant"),
        color=alt.Color("variation:N", title="Poids", sort=list(dict.fromkeys(d["variation"])),
                        scale=alt.Scale(domain=list(dict.fromkeys(d["variation"])), range=["#0072B2", "#E69F00"])),
        tooltip=[alt.Tooltip("poids:N", title="Poids modifié"), alt.Tooltip("variation:N", title="Variation"),
                 alt.Tooltip("nb_changements:Q", title="Territoires"),
                 alt.Tooltip("part_changements_%:Q", title="Part (%)", format=".1f")],
    ).properties(width=largeur, height=alt.Step(9), title=alt.TitleParams(
        "Sensibilité du modèle dominant aux poids", anchor="start", fontSize=13))
    return _finir(barres, source or ligne_source_modeles(), largeur)


def graphique_profil(
    code: str,
    niveau: str = "epci",
    poids_indicateurs: dict | None = None,
    poids_modeles: dict | None = None,
    millesimes: dict | None = None,
    largeur: int = 360,
) -> alt.TopLevelMixin:
    """Le territoire face aux profils des modèles, en coordonnées parallèles (une ligne par
    indicateur), et ses scores.

    Le trait noir relie les centiles du territoire ; les losanges colorés marquent ce que
    chaque modèle « voudrait » (100 ou 0) sur les indicateurs de son profil. Un menu choisit
    le modèle affiché (par défaut le dominant).

    Exemples
    --------
    >>> "vconcat" in graphique_profil("200054781").to_dict()["vconcat"][0]  # profil puis scores, l'un sous l'autre
    True
    """
    profils = profils_modeles()
    p = profil_territoire(code, niveau, poids_indicateurs, poids_modeles, millesimes)
    noms = _noms(profils)
    ordre = list(dict.fromkeys(p["libelle"]))
    territoire = p.drop_duplicates("indicateur").assign(rang=lambda d: range(len(d)))
    dominant = noms.get(p.attrs["modele_dominant"], profils[0]["nom"]) if pd.notna(p.attrs["modele_dominant"]) \
        else profils[0]["nom"]
    choix = alt.param(name="modele_affiche", value=dominant,
                      bind=alt.binding_select(options=list(noms.values()), name="Modèle comparé : "))
    y = alt.Y("libelle:N", sort=ordre, title=None, axis=alt.Axis(labelLimit=330, labelFontSize=10))
    x = alt.X("centile:Q", title="Centile parmi les territoires du niveau (0 à 100)", scale=alt.Scale(domain=[0, 100]))
    infos = [alt.Tooltip("libelle:N", title="Indicateur"), alt.Tooltip("valeur:Q", title="Valeur", format=",.2f"),
             alt.Tooltip("unite:N", title="Unité"), alt.Tooltip("centile:Q", title="Centile", format=".0f")]
    base_t = alt.Chart(territoire)
    ligne = base_t.mark_line(color="#222222", strokeWidth=2, order=False).encode(
        x=x, y=y, order=alt.Order("rang:Q"))
    points = base_t.mark_circle(color="#222222", size=45).encode(x=x, y=y, tooltip=infos)
    mediane = alt.Chart(alt.InlineData(values=[{"m": 50}])).mark_rule(strokeDash=[3, 3], color="#999999").encode(
        x="m:Q")
    cibles = alt.Chart(p.rename(columns={"centile": "c", "cible": "centile"})).transform_filter(
        "datum.nom_modele == modele_affiche").mark_point(shape="diamond", filled=True, size=110).encode(
        x=x, y=y, color=alt.Color("nom_modele:N", scale=_echelle_couleurs(profils), legend=None),
        tooltip=[alt.Tooltip("nom_modele:N", title="Modèle"), alt.Tooltip("libelle:N", title="Indicateur"),
                 alt.Tooltip("poids:Q", title="Poids"), alt.Tooltip("justification:N", title="Pourquoi")])
    ecarts = alt.Chart(p).transform_filter("datum.nom_modele == modele_affiche").mark_rule(
        strokeWidth=3, opacity=0.5).encode(x=x, x2="cible:Q", y=y, color=alt.Color(
            "nom_modele:N", scale=_echelle_couleurs(profils), legend=None))
    gauche = alt.layer(mediane, ecarts, ligne, points, cibles).add_params(choix).properties(
        width=largeur, height=22 * len(ordre), title=alt.TitleParams(
            f"{p.attrs['nom']} : centiles et cibles du modèle choisi", anchor="start", fontSize=13))
    sc = p.drop_duplicates("modele")[["nom_modele", "score_modele"]]
    barres = alt.Chart(sc).mark_bar().encode(
        y=alt.Y("nom_modele:N", sort=list(noms.values()), title=None),
        x=alt.X("score_modele:Q", title="Score standardisé (moyenne 50)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("nom_modele:N", scale=_echelle_couleurs(profils), legend=None),
        opacity=alt.condition("datum.nom_modele == modele_affiche", alt.value(1), alt.value(0.45)),
        tooltip=[alt.Tooltip("nom_modele:N", title="Modèle"), alt.Tooltip("score_modele:Q", title="Score", format=".1f")],
    ).properties(width=200, height=26 * len(noms), title=alt.TitleParams("Scores", anchor="start", fontSize=13))
    # l'un sous l'autre : côte à côte, profil et scores dépassaient la largeur d'un carnet (≈ 960 px)
    return _finir(alt.vconcat(gauche, barres, spacing=16), ligne_source_modeles(millesimes), largeur)


# --------------------------------------------------------------------------- widgets
def explorateur_modeles(niveau: str = "epci", code: str | None = None):
    """Tableau de bord : poids par modèle et par indicateur ; carte, effectifs et profil à jour.

    Chaque curseur multiplie un poids par défaut (0 à 2) ; au relâchement, les scores sont
    recalculés (centiles gardés en mémoire), la carte du modèle dominant, les effectifs,
    le nombre de territoires qui changent de modèle et le profil du territoire choisi
    sont redessinés. Renvoie un ``ipywidgets.VBox``.
    """
    import ipywidgets as w
    from IPython.display import display

    from .sorties import afficher_dans

    profils = profils_modeles()
    noms = _noms(profils)
    _verifier_niveau(niveau)
    ref = territoires(niveau)
    cle, col_nom = ref.columns[0], next(c for c in ref.columns if c.startswith("nom_"))
    options = sorted(((f"{n} ({c})", c) for c, n in zip(ref[cle], ref[col_nom])), key=lambda o: o[0])
    menu = w.Dropdown(options=options, value=code if code in set(ref[cle]) else options[0][1],
                      description="Territoire", layout=w.Layout(width="560px"))
    style = {"description_width": "300px"}
    curseur = lambda d: w.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1, description=d,  # noqa: E731
                                      continuous_update=False, style=style, layout=w.Layout(width="600px"))
    c_modeles = {m: curseur(nom) for m, nom in noms.items()}
    c_inds = {i: curseur(indicateur(i).libelle[:60]) for i in indicateurs_modeles(profils)}
    remise = w.Button(description="Revenir aux poids par défaut", icon="undo")
    onglets = w.Accordion(children=[w.VBox(list(c_modeles.values())), w.VBox(list(c_inds.values()))])
    onglets.set_title(0, "Poids des modèles (multiplie le score)")
    onglets.set_title(1, "Poids des indicateurs (multiplie le poids dans chaque profil)")
    sortie_carte, sortie_profil, texte = w.Output(), w.Output(), w.HTML()
    reference = _scores(niveau, None, None, None, profils)["modele_dominant"]

    def poids():
        return ({i: s.value for i, s in c_inds.items() if s.value != 1.0},
                {m: s.value for m, s in c_modeles.items() if s.value != 1.0})

    def dessiner_profil(*_):
        pi, pm = poids()
        afficher_dans(sortie_profil, graphique_profil, menu.value, niveau, pi, pm)

    def dessiner(*_):
        pi, pm = poids()
        try:
            s = _scores(niveau, pi, pm, None, profils)
        except ErreurTerritoire as exc:
            texte.value = f"<b>Impossible de calculer les scores :</b> {exc}"
            return
        changes = int((s["modele_dominant"].fillna("") != reference.fillna("")).sum())
        texte.value = (f"<b>{nombre(changes, 0)}</b> territoire(s) sur {nombre(len(s), 0)} changent de modèle "
                       "dominant par rapport aux poids par défaut.")
        afficher_dans(sortie_carte, lambda: display(carte_modeles(s, niveau), graphique_effectifs(s)))
        dessiner_profil()

    def remettre(*_):
        for s in [*c_modeles.values(), *c_inds.values()]:
            s.unobserve(dessiner, names="value")
            s.value = 1.0
            s.observe(dessiner, names="value")
        dessiner()

    for s in [*c_modeles.values(), *c_inds.values()]:
        s.observe(dessiner, names="value")
    menu.observe(dessiner_profil, names="value")
    remise.on_click(remettre)
    onglets.selected_index = None
    dessiner()
    return w.VBox([onglets, remise, texte, sortie_carte, menu, sortie_profil])
