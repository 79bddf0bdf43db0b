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

import pandas as pd

from .catalogue import _indicateurs, indicateur
from .chargement import lire_configuration
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
    return valider_fiche(lire_configuration(chemin))


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


#: Vue (Altair) déplacée dans :mod:`territoire_lib.graphiques_fiche` ; gardée accessible
#: ici, importée au premier usage (la fiche n'importe pas Altair).
_VUES = ("carte_fiche",)


def __getattr__(nom: str):
    if nom in _VUES:
        from . import graphiques_fiche

        return getattr(graphiques_fiche, nom)
    raise AttributeError(f"module {__name__!r} has no attribute {nom!r}")
