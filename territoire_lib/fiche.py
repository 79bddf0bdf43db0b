"""Carte de la fiche « Territoire de la transition » : éléments, carnets, indicateurs, non-mesuré.

La structure de la fiche (idées fortes, tendances lourdes, tensions,
émergences, perturbateurs) et ses liens aux carnets sont des données :
``fiche.yaml``. Les liens aux indicateurs sont **générés** depuis le champ
``fiche`` de ``catalogue.yaml`` : ajouter un indicateur au catalogue avec ce
champ l'ajoute à la carte. Tout est validé (élément, catégorie, carnet ou
indicateur inconnus → :class:`~territoire_lib.erreurs.FicheInvalide` ou
:class:`~territoire_lib.erreurs.IndicateurInconnu`, en français, avec les
valeurs valides).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd
import yaml

from . import cartes  # noqa: F401  (rendu MIME Vega-Lite 5, sans CDN)
from .catalogue import _indicateurs, indicateur
from .chemins import RACINE_PAQUET
from .erreurs import FicheInvalide, IndicateurInconnu, suggestions

__all__ = [
    "FICHIER_FICHE",
    "charger_fiche",
    "valider_fiche",
    "elements_fiche",
    "liens_fiche",
    "indicateurs_non_rattaches",
    "resume_fiche",
    "carte_fiche",
]

FICHIER_FICHE = RACINE_PAQUET / "fiche.yaml"
#: Dossier des carnets (pour signaler ceux qui ne sont pas encore écrits).
DOSSIER_CARNETS = RACINE_PAQUET.parent / "notebooks"
SOURCE_FICHE = ("Source : fiche de prospective « Territoire de la transition » (5 systèmes en transitions), "
                "résumés des auteurs ; liens générés depuis le catalogue des indicateurs — Territoires en transition")


def _proches(valeur: str, valides) -> str:
    proches = suggestions(valeur, valides)
    return f" Vouliez-vous dire « {proches[0]} » ?" if proches else ""


def valider_fiche(brut: dict, liens_catalogue: dict[str, tuple[str, ...]] | None = None) -> dict:
    """Vérifie la fiche et ses liens ; renvoie ``brut`` s'il est cohérent.

    Paramètres
    ----------
    brut : dict
        Contenu de ``fiche.yaml`` (clés ``carnets``, ``categories``, ``elements``).
    liens_catalogue : dict, optionnel
        ``{id_indicateur: (ids d'éléments…)}`` ; par défaut le champ ``fiche`` du catalogue.

    Lève
    ----
    FicheInvalide
        Élément en double, catégorie ou carnet inconnu, élément inconnu cité par le catalogue.
    IndicateurInconnu
        Indicateur cité par la fiche mais absent du catalogue.

    Exemples
    --------
    >>> brut = {"carnets": {"01_a": "A"}, "categories": {"idee": "Idées"},
    ...         "elements": [{"id": "x", "categorie": "idee", "titre": "X", "carnets": ["01_b"]}]}
    >>> valider_fiche(brut, {})
    Traceback (most recent call last):
    ...
    territoire_lib.erreurs.FicheInvalide: Élément « x » : carnet inconnu « 01_b ». Vouliez-vous dire « 01_a » ? Carnets valides : 01_a.
    """
    if liens_catalogue is None:
        liens_catalogue = {i: ind.fiche for i, ind in _indicateurs().items()}
    carnets, categories = dict(brut.get("carnets") or {}), dict(brut.get("categories") or {})
    vus: set[str] = set()
    for e in brut.get("elements") or []:
        ident = e.get("id")
        if not ident or ident in vus:
            raise FicheInvalide(f"Identifiant d'élément absent ou en double : « {ident} ».")
        vus.add(ident)
        if e.get("categorie") not in categories:
            raise FicheInvalide(f"Élément « {ident} » : catégorie inconnue « {e.get('categorie')} »."
                                f" Catégories valides : {', '.join(categories)}.")
        if not e.get("titre"):
            raise FicheInvalide(f"Élément « {ident} » : titre manquant.")
        for c in e.get("carnets") or []:
            if c not in carnets:
                raise FicheInvalide(f"Élément « {ident} » : carnet inconnu « {c} ».{_proches(c, carnets)}"
                                    f" Carnets valides : {', '.join(carnets)}.")
        for i in e.get("indicateurs") or []:
            if i not in liens_catalogue:
                raise IndicateurInconnu(i, liens_catalogue)
    for i, elements in liens_catalogue.items():
        for el in elements:
            if el not in vus:
                raise FicheInvalide(f"Indicateur « {i} » (catalogue, champ fiche) : élément de la fiche inconnu "
                                    f"« {el} ».{_proches(el, vus)} Éléments valides : voir territoire_lib/fiche.yaml.")
    return brut


@lru_cache(maxsize=1)
def _charger(chemin: Path) -> dict:
    with open(chemin, encoding="utf-8") as f:
        return valider_fiche(yaml.safe_load(f))


def charger_fiche(chemin: str | Path | None = None) -> dict:
    """Contenu validé de ``fiche.yaml`` (``carnets``, ``categories``, ``elements``).

    Exemples
    --------
    >>> f = charger_fiche()
    >>> list(f["categories"])
    ['idee_forte', 'tendance_lourde', 'tension', 'emergence', 'perturbateur']
    """
    return _charger(Path(chemin) if chemin else FICHIER_FICHE)


def _indicateurs_de(element: dict) -> list[str]:
    """Indicateurs d'un élément : ceux du catalogue qui le citent, puis les liens explicites de la fiche."""
    generes = [i for i, ind in _indicateurs().items() if element["id"] in ind.fiche]
    return generes + [i for i in element.get("indicateurs") or [] if i not in generes]


def liens_fiche() -> pd.DataFrame:
    """Un lien par ligne : élément de la fiche → indicateur du catalogue.

    Renvoie
    -------
    DataFrame
        ``element, categorie, indicateur, libelle, origine`` (``catalogue`` si le lien est
        généré depuis le champ ``fiche`` du catalogue, ``fiche`` s'il est explicite).

    Exemples
    --------
    >>> l = liens_fiche()
    >>> sorted(l.loc[l["element"] == "idee_4", "indicateur"])[:1]
    ['distance_lieu_mediation']
    """
    lignes = []
    for e in charger_fiche()["elements"]:
        generes = {i for i, ind in _indicateurs().items() if e["id"] in ind.fiche}
        for i in _indicateurs_de(e):
            lignes.append({"element": e["id"], "categorie": e["categorie"], "indicateur": i,
                           "libelle": indicateur(i).libelle, "origine": "catalogue" if i in generes else "fiche"})
    return pd.DataFrame(lignes, columns=["element", "categorie", "indicateur", "libelle", "origine"])


def _carnets_presents(dossier: Path = DOSSIER_CARNETS) -> set[str]:
    return {p.stem for p in Path(dossier).glob("*.ipynb")}


def elements_fiche() -> pd.DataFrame:
    """Un élément de la fiche par ligne, avec ses carnets, ses indicateurs et ce qui n'est pas mesuré.

    Renvoie
    -------
    DataFrame
        ``categorie, libelle_categorie, element, titre, carnets`` (liste), ``nb_indicateurs``,
        ``indicateurs`` (libellés, liste), ``non_mesure`` (liste), ``mesure`` (au moins un indicateur
        **livré**, calculé hors ligne), ``en_ligne_seulement`` (mesuré seulement par des sources en
        ligne, connecteurs), ``evolution_mesuree`` (au moins un indicateur livré a deux dates ou plus :
        son changement est mesuré hors ligne), ``indicateurs_dates`` (libellés de ceux-là).

    Exemples
    --------
    >>> e = elements_fiche().set_index("element")
    >>> bool(e.loc["idee_1", "mesure"]), bool(e.loc["perturbateur_conversations", "mesure"])
    (True, False)
    >>> bool(e.loc["idee_1", "evolution_mesuree"])
    True
    """
    from .evolution import millesimes_comparables

    fiche = charger_fiche()
    lignes = []
    for e in fiche["elements"]:
        ids = _indicateurs_de(e)
        livres = [i for i in ids if not indicateur(i).source_web]
        dates = [i for i in livres if len(millesimes_comparables(i)) >= 2 or any("-" in str(m) for m in indicateur(i).millesimes)]
        lignes.append({
            "categorie": e["categorie"], "libelle_categorie": fiche["categories"][e["categorie"]],
            "element": e["id"], "titre": e["titre"], "carnets": list(e.get("carnets") or []),
            "nb_indicateurs": len(ids), "indicateurs": [indicateur(i).libelle for i in ids],
            "non_mesure": list(e.get("non_mesure") or []), "mesure": bool(livres),
            "en_ligne_seulement": bool(ids) and not livres, "evolution_mesuree": bool(dates),
            "indicateurs_dates": [indicateur(i).libelle for i in dates],
        })
    return pd.DataFrame(lignes)


def indicateurs_non_rattaches() -> list[str]:
    """Indicateurs du catalogue sans lien vers la fiche (champ ``fiche`` vide).

    Exemples
    --------
    >>> "surface" in indicateurs_non_rattaches()
    True
    """
    return [i for i, ind in _indicateurs().items() if not ind.fiche]


def resume_fiche() -> pd.DataFrame:
    """Par catégorie : éléments, éléments mesurés hors ligne (≥ 1 indicateur livré), mesurés seulement en
    ligne, dont le changement est mesuré (indicateur livré à deux dates ou plus), indicateurs liés.

    Exemples
    --------
    >>> int(resume_fiche().loc["Idées fortes", "elements"])
    5
    """
    e = elements_fiche()
    liens = liens_fiche()
    res = e.groupby("libelle_categorie", sort=False).agg(
        elements=("element", "size"), mesures=("mesure", "sum"), en_ligne_seulement=("en_ligne_seulement", "sum"),
        evolution_mesuree=("evolution_mesuree", "sum"))
    par_cat = liens.groupby("categorie")["indicateur"].nunique()
    noms = charger_fiche()["categories"]
    res["indicateurs_distincts"] = [int(par_cat.get(k, 0)) for k in noms if noms[k] in res.index]
    res["non_mesures"] = res["elements"] - res["mesures"] - res["en_ligne_seulement"]
    return res.rename_axis("categorie")


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


def carte_fiche(largeur: int = 760) -> alt.TopLevelMixin:
    """Carte interactive de la fiche : éléments ↔ carnets, indicateurs et non-mesuré.

    Survoler un élément donne ses indicateurs et ce qui n'est pas mesuré ;
    cliquer un élément met ses liens en évidence et en liste le détail sous la
    carte (double-clic pour effacer) ; cliquer un carnet l'ouvre.

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


def _detail(e: pd.DataFrame, clic, largeur: int):
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


def _pied(largeur: int):
    return alt.Chart(alt.InlineData(values=[{"t": SOURCE_FICHE}])).mark_text(
        align="left", fontSize=10, color="#555555").encode(text="t:N", x=alt.value(0)).properties(
        width=largeur, height=14)
