"""Vues interactives : carte + nuage de points + classement liés, explorateur à menus.

La sélection et la recherche se font dans le navigateur (paramètres
Vega-Lite) : rien ne repasse par le noyau. L'explorateur (ipywidgets) ne
renvoie qu'une spécification de quelques kilo-octets quand on change de
niveau, la géométrie étant lue par URL.
"""
from __future__ import annotations

import altair as alt

from .cartes import LOCALE_FR, Carte, carte
from .catalogue import catalogue, indicateur, ligne_source
from .format import sources_sans_doublon
from .format import tableau as tableau_fr
from .sorties import afficher_dans

__all__ = ["LARGEURS_VUE_LIEE", "vue_liee", "explorateur", "position_territoire"]


#: Largeurs (px) de la carte, du nuage et du classement des vues liées : l'ensemble, axes et marges
#: compris, tient dans la zone de sortie d'un carnet (environ 960 px sur un écran de 1 366 px,
#: explorateur de fichiers ouvert), vérifié dans le navigateur (tests/test_navigateur.py).
LARGEURS_VUE_LIEE = (280, 230, 210)


def vue_liee(x: str, y: str, niveau: str = "departement", millesime=None, nb_classement: int = 15) -> alt.TopLevelMixin:
    """Carte de ``x``, nuage ``x``/``y`` et classement, liés par la sélection.

    Cliquer un territoire (sur la carte ou le nuage) ou tracer un rectangle
    dans le nuage le met en évidence partout ; double-clic pour effacer.
    Les trois vues tiennent ensemble dans la largeur d'un carnet (:data:`LARGEURS_VUE_LIEE`).

    Exemples
    --------
    >>> v = vue_liee("part_65_ans_et_plus", "evolution_population_annuelle", millesime={"evolution_population_annuelle": "2016-2023"})
    >>> "hconcat" in v.to_dict()["vconcat"][0]
    True
    """
    l_carte, l_nuage, l_classement = LARGEURS_VUE_LIEE
    c: Carte = carte([x, y], niveau=niveau, millesime=millesime, zoom_idf=False, largeur=l_carte)
    ox, oy = c.options
    clic = alt.selection_point(name="clic", fields=["code"], on="click", clear="dblclick")
    zone = alt.selection_interval(name="zone", encodings=["x", "y"], clear="dblclick")
    carte_base = c._couche_carte("url", l_carte, int(l_carte * 0.95), None)
    fond = carte_base.layer[0].encode(
        opacity=alt.condition(clic | zone, alt.value(1), alt.value(0.25)),
    ).add_params(clic)
    carte_liee = alt.layer(fond, *carte_base.layer[1:]).project(type="identity", reflectY=True).properties(
        width=l_carte, height=int(l_carte * 0.95), title=alt.TitleParams(ox.titre, fontSize=12, anchor="start", limit=l_carte))
    valeurs = c._donnees_valeurs("url")
    ax = alt.X("v0:Q", title=f"{ox.titre} ({ox.unite})", scale=alt.Scale(zero=False),
               axis=alt.Axis(titleLimit=l_nuage))  # un long titre d'axe ne doit pas élargir la vue
    ay = alt.Y("v1:Q", title=f"{oy.titre} ({oy.unite})", scale=alt.Scale(zero=False),
               axis=alt.Axis(titleLimit=l_nuage))
    nuage = alt.Chart(valeurs).transform_filter("isValid(datum.v0) && isValid(datum.v1)").mark_circle(size=35).encode(
        x=ax, y=ay, color=alt.condition(clic | zone, alt.value("#08519c"), alt.value("#bdbdbd")),
        tooltip=[alt.Tooltip("nom:N", title="Territoire"), alt.Tooltip("code:N", title="Code"),
                 alt.Tooltip("v0:Q", title=ox.libelle, format=",.2f"), alt.Tooltip("v1:Q", title=oy.libelle, format=",.2f")],
    ).add_params(zone, clic).properties(width=l_nuage, height=l_nuage)
    classement = alt.Chart(valeurs).transform_filter(clic | zone).transform_filter("isValid(datum.v0)").transform_window(
        rang="rank()", sort=[alt.SortField("v0", order="descending")]
    ).transform_filter(f"datum.rang <= {nb_classement}").transform_calculate(
        ligne="datum.rang + '. ' + datum.nom + ' : ' + format(datum.v0, ',.1f')"
    ).mark_text(align="left", fontSize=11, limit=l_classement).encode(
        y=alt.Y("rang:O", axis=None), text="ligne:N").add_params(clic).properties(
        width=l_classement, height=16 * nb_classement,
        title=alt.TitleParams(f"Classement ({ox.libelle})", fontSize=12, anchor="start", limit=l_classement))
    pied = c._pied()
    vue = alt.vconcat(alt.hconcat(carte_liee, nuage, classement, spacing=14), pied).add_params(
        *[p for p in c._params() if p.name != "opt"], alt.param(name="opt", value=0))
    return vue.configure(locale=alt.Locale(number=LOCALE_FR), view=alt.ViewConfig(stroke=None)).properties(
        description=f"Vues liées : carte de {ox.titre}, nuage de points {ox.titre} / {oy.titre}, classement.")


def explorateur(ids: list[str] | None = None, niveau: str = "departement"):
    """Menus (indicateur, niveau, millésime) et carte correspondante.

    Renvoie un ``ipywidgets.VBox`` à afficher dans le carnet.
    """
    import ipywidgets as w

    cat = catalogue()
    ids = ids or [i for i in cat["id"] if indicateur(i).agregeable and not indicateur(i).source_web]
    menu_ind = w.Dropdown(options=[(indicateur(i).libelle, i) for i in ids], value=ids[0], description="Indicateur")
    menu_niv = w.Dropdown(options=[("Communes", "commune"), ("EPCI", "epci"), ("Départements", "departement"),
                                   ("Régions", "region")], value=niveau, description="Niveau")
    menu_mil = w.Dropdown(description="Millésime")
    sortie = w.Output()

    def maj_millesimes(*_):
        ms = [str(m) for m in indicateur(menu_ind.value).millesimes] or ["—"]
        menu_mil.options, menu_mil.value = ms, ms[-1]

    def dessiner(*_):
        m = None if menu_mil.value in (None, "—") else menu_mil.value
        afficher_dans(sortie, carte, menu_ind.value, niveau=menu_niv.value, millesime=m,
                      si_erreur="Impossible de dessiner cette carte")

    maj_millesimes()
    menu_ind.observe(lambda ch: (maj_millesimes(), dessiner()), names="value")
    menu_niv.observe(dessiner, names="value")
    menu_mil.observe(dessiner, names="value")
    dessiner()
    return w.VBox([w.HBox([menu_ind, menu_niv, menu_mil]), sortie])


def position_territoire(ids: list[str], millesime=None, niveau: str = "departement", code: str | None = None):
    """Menus (niveau, territoire) et tableau de position du territoire choisi (rang, centile, France).

    Renvoie un ``ipywidgets.VBox`` ; voir :func:`territoire_lib.analyses.position`.
    """
    import ipywidgets as w
    from IPython.display import display

    from .analyses import position
    from .chargement import territoires

    menu_niveau = w.ToggleButtons(options=[("Département", "departement"), ("EPCI", "epci")], value=niveau,
                                  description="Niveau")
    menu = w.Dropdown(description="Territoire", layout=w.Layout(width="520px"))
    sortie = w.Output()

    def remplir(*_):
        ref = territoires(menu_niveau.value)
        cle, nom = ref.columns[0], next(c for c in ref.columns if c.startswith("nom_"))
        options = sorted(((f"{n} ({c})", c) for c, n in zip(ref[cle], ref[nom])), key=lambda o: o[0])
        menu.options = options
        menu.value = code if code in dict((v, k) for k, v in options) else options[0][1]

    def tableau_position():
        tableau = position(menu.value, ids, niveau=menu_niveau.value, millesime=millesime)
        vue = tableau[["libelle", "valeur", "unite", "rang", "sur", "centile", "mediane", "france"]].rename(columns={
            "libelle": "indicateur", "unite": "unité", "sur": "sur (territoires renseignés)",
            "centile": "centile (%)", "mediane": "médiane des territoires"}).set_index("indicateur")
        display(tableau_fr(vue, decimales={"valeur": 2, "rang": 0, "sur (territoires renseignés)": 0,
                                           "centile (%)": 0, "médiane des territoires": 2, "france": 2},
                           libelles=False))
        print(sources_sans_doublon(*(ligne_source(i, millesime.get(i) if isinstance(millesime, dict) else millesime)
                                     for i in ids)))

    def montrer(*_):
        if menu.value is not None:
            afficher_dans(sortie, tableau_position, si_erreur="Impossible de calculer la position")

    menu_niveau.observe(lambda ch: (remplir(), montrer()), names="value")
    menu.observe(montrer, names="value")
    remplir()
    montrer()
    return w.VBox([menu_niveau, menu, sortie])
