"""Sorties des widgets : ce qu'une fonction imprime et affiche, placé dans un ``ipywidgets.Output``.

Un curseur ou un bouton redessine une carte ou un tableau dans une zone de
sortie (``ipywidgets.Output``). La forme courante, ``with sortie:`` suivi de
``clear_output(wait=True)``, laisse l'interface capturer les messages du
noyau ; sans interface (nbclient, Voilà), cette capture a bloqué des noyaux
(tableau de bord du carnet 05 en CI, banc d'atelier). Ici, le noyau capture
lui-même, **dans l'ordre**, ce que la fonction imprime (``print``) et affiche
(``display``, valeur renvoyée), puis remplace d'un coup les sorties du
widget : rien ne dépend de l'interface.

Exemple, hors noyau (``display`` imprime alors le texte de l'objet) :

>>> with capturer() as elements:
...     print("2 communes")
...     print("source : Insee")
>>> [e["text"] for e in elements]
['2 communes\\nsource : Insee\\n']
"""
from __future__ import annotations

import contextlib
import io
import sys
import traceback
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

__all__ = ["capturer", "afficher_dans"]


class _Flux(io.TextIOBase):
    """Flux texte qui range ce qu'on y écrit dans la liste commune (sorties « stream »)."""

    def __init__(self, elements: list[dict], nom: str) -> None:
        self._elements, self._nom = elements, nom

    def writable(self) -> bool:
        return True

    def write(self, texte: str) -> int:
        if texte:
            dernier = self._elements[-1] if self._elements else None
            if dernier and dernier.get("output_type") == "stream" and dernier["name"] == self._nom:
                dernier["text"] += texte
            else:
                self._elements.append({"output_type": "stream", "name": self._nom, "text": texte})
        return len(texte)


@contextlib.contextmanager
def capturer() -> Iterator[list[dict]]:
    """Capture, dans l'ordre, textes imprimés et objets affichés (sorties au format des carnets).

    Renvoie
    -------
    list of dict
        Remplie à mesure : ``{"output_type": "stream", ...}`` pour ``print``,
        ``{"output_type": "display_data", "data": ..., "metadata": ...}`` pour
        ``display`` (dans un noyau IPython seulement).
    """
    from IPython.core.getipython import get_ipython

    elements: list[dict] = []
    shell = get_ipython()
    ancien_out, ancien_err = sys.stdout, sys.stderr
    ancien_pub = shell.display_pub if shell is not None else None
    sys.stdout, sys.stderr = _Flux(elements, "stdout"), _Flux(elements, "stderr")
    if shell is not None:
        shell.display_pub = _publieur(elements)
    try:
        yield elements
    finally:
        sys.stdout, sys.stderr = ancien_out, ancien_err
        if shell is not None:
            shell.display_pub = ancien_pub


@lru_cache(maxsize=1)
def _classe_publieur() -> type:
    """Publieur d'affichages d'IPython qui range chaque ``display`` dans sa liste ``elements``
    (classe construite une fois, au premier usage : IPython n'est pas importé avec le module)."""
    from IPython.core.displaypub import DisplayPublisher

    class Publieur(DisplayPublisher):
        def __init__(self, elements: list[dict]) -> None:
            super().__init__()
            self.elements = elements

        def publish(self, data, metadata=None, source=None, *, transient=None, update=False):
            self.elements.append({"output_type": "display_data", "data": data, "metadata": metadata or {}})

        def clear_output(self, wait=False):  # clear_output() dans la fonction : on repart de zéro
            self.elements.clear()

    return Publieur


def _publieur(elements: list[dict]):
    """Un publieur qui range les ``display`` dans ``elements``."""
    return _classe_publieur()(elements)


def afficher_dans(sortie: Any, fonction: Callable[..., Any], *args: Any, si_erreur: str | None = None,
                  **kwargs: Any) -> None:
    """Exécute ``fonction`` et remplace les sorties du widget ``sortie`` par ce qu'elle imprime et affiche.

    Paramètres
    ----------
    sortie : ipywidgets.Output
        Zone de sortie du widget.
    fonction : callable
        Appelée avec ``*args, **kwargs`` ; sa valeur renvoyée, si elle n'est pas None, est
        affichée à la suite (comme la dernière ligne d'une cellule).
    si_erreur : str, optionnel
        Début du message français écrit à la place d'une trace si la fonction lève une
        exception (« Impossible de dessiner la carte ») ; sans lui, la trace s'affiche
        dans la zone de sortie, comme dans une cellule.
    """
    from IPython.display import display

    with capturer() as elements:
        try:
            resultat = fonction(*args, **kwargs)
            if resultat is not None:
                display(resultat)
        except Exception as exc:  # noqa: BLE001 — montré dans la zone de sortie, jamais perdu
            if si_erreur is not None:
                print(f"{si_erreur} : {exc}")
            else:
                elements.append({"output_type": "error", "ename": type(exc).__name__, "evalue": str(exc),
                                 "traceback": traceback.format_exc().splitlines()})
    sortie.outputs = tuple(elements)
