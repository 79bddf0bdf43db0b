"""Le journal de la bibliothèque dans un carnet : des notes calmes, pas des encadrés rouges.

Les modules signalent ce qu'ils écartent (« 250 commune(s) écartée(s)… ») par
le module ``logging`` de Python, au niveau WARNING. Sans gestionnaire, Python
les écrit sur la sortie d'erreur, que JupyterLab affiche en rouge : un débutant
les prend pour des erreurs. Dans un noyau IPython, :func:`installer` ajoute au
journal ``territoire_lib`` un gestionnaire qui les affiche comme une note grise
(« ℹ Note : … ») ; seules les erreurs (niveau ERROR et au-delà) restent en
rouge. Hors d'un carnet (scripts, tests), rien ne change : les messages
remontent au journal racine comme d'habitude.

Voir la documentation de ``logging.Handler`` (bibliothèque standard).
"""
from __future__ import annotations

import html
import logging
import sys

__all__ = ["GestionnaireNotes", "installer", "dans_un_carnet"]

NOM_JOURNAL = "territoire_lib"
STYLE = ("color:#4a5568;background:#f4f6f8;border-left:3px solid #90a4ae;padding:2px 8px;"
         "margin:2px 0;font-size:0.9em;font-family:system-ui,sans-serif")


def dans_un_carnet() -> bool:
    """Vrai dans un noyau Jupyter (JupyterLab, Voilà, nbval), faux dans un script ou une console."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class GestionnaireNotes(logging.Handler):
    """Affiche les avertissements du journal comme des notes (HTML gris, texte « Note : … ») ; les erreurs en rouge."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
            if record.levelno >= logging.ERROR:
                sys.stderr.write(f"Erreur : {message}\n")
                return
            from IPython.display import display

            display({"text/plain": f"ℹ Note : {message}",
                     "text/html": f"<div style='{STYLE}'>ℹ <b>Note</b> : {html.escape(message)}</div>"}, raw=True)
        except Exception:  # un journal ne doit jamais interrompre un calcul
            self.handleError(record)


def installer() -> bool:
    """Installe (une fois) l'affichage calme du journal dans un carnet ; renvoie vrai s'il est actif."""
    if not dans_un_carnet():
        return False
    journal = logging.getLogger(NOM_JOURNAL)
    if not any(isinstance(g, GestionnaireNotes) for g in journal.handlers):
        journal.addHandler(GestionnaireNotes())
    return True
