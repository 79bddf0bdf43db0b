"""Exercices « À vous de jouer » : une solution ne se montre que si on la demande.

Dans un carnet, la cellule de solution définit une fonction décorée par
:func:`solution` ; le décorateur n'exécute rien et affiche un bouton
« Voir la solution » (ipywidgets). Un clic exécute la fonction **avec les
valeurs que le participant a choisies** (elle lit ses variables au moment du
clic) et affiche sa sortie sous le bouton. Ainsi « Exécuter tout » ou le
redémarrage d'un noyau ne dévoilent aucune réponse, dans JupyterLab comme dans
Voilà.

Les tests exécutent quand même chaque solution : avec la variable
d'environnement ``TERRITOIRE_SOLUTIONS=executer`` (posée par le ``conftest.py``
du dépôt pour nbval), le décorateur appelle la fonction tout de suite, et une
erreur fait échouer le carnet.

Exemple de cellule de solution::

    # Solution
    @solution
    def voir_la_solution():
        print(f"Votre département : {departement}")
"""
from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ["VARIABLE", "solution", "executer_maintenant"]

#: Variable d'environnement qui fait exécuter les solutions sans clic (tests).
VARIABLE = "TERRITOIRE_SOLUTIONS"
LIBELLE = "Voir la solution"


def executer_maintenant() -> bool:
    """Vrai si les solutions s'exécutent sans clic (``TERRITOIRE_SOLUTIONS=executer``)."""
    return os.environ.get(VARIABLE, "").lower() == "executer"


def _lancer(fonction: Callable) -> None:
    from IPython.display import display

    from .erreurs import ErreurTerritoire

    try:
        resultat = fonction()
    except ErreurTerritoire as exc:  # une valeur mal saisie : un message en français, pas une trace
        print(f"La solution n'a pas pu s'exécuter avec vos valeurs : {exc}")
        return
    if resultat is not None:
        display(resultat)


def solution(fonction: Callable | None = None, *, libelle: str = LIBELLE):
    """Décorateur : affiche un bouton qui exécute la solution et montre sa sortie, au clic seulement.

    Paramètres
    ----------
    fonction : callable sans argument
        Le corps de la solution ; ce qu'elle renvoie est affiché (tableau, carte), comme la
        dernière ligne d'une cellule.
    libelle : str
        Texte du bouton.

    Renvoie
    -------
    None
        Le bouton est affiché dans la sortie de la cellule (rien d'autre).
    """
    if fonction is None:
        return lambda f: solution(f, libelle=libelle)
    if executer_maintenant():
        _lancer(fonction)
        return None
    import ipywidgets as w
    from IPython.display import display

    from .sorties import afficher_dans

    bouton = w.Button(description=libelle, icon="eye", button_style="info", tooltip="Exécute la solution avec vos valeurs",
                      layout=w.Layout(width="auto"))
    sortie = w.Output()

    def montrer(_):
        bouton.description = "Recalculer la solution (avec vos valeurs)"
        afficher_dans(sortie, _lancer, fonction)

    bouton.on_click(montrer)
    bouton.add_class("territoire-solution")
    display(w.VBox([bouton, sortie]))
    return None
