"""Exceptions de la bibliothèque, avec des messages en français.

Chaque message dit ce qui ne va pas et ce qui est valide (suggestions,
commande pour reconstruire les données…).
"""
from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from .chemins import COMMANDE_RECONSTRUIRE

__all__ = [
    "ErreurTerritoire",
    "IndicateurInconnu",
    "CodeTerritoireInconnu",
    "NiveauInconnu",
    "IndicateurNonDisponible",
    "DonneesManquantes",
    "DonneesAlterees",
    "ResultatVide",
    "ErreurSource",
    "FicheInvalide",
    "suggestions",
    "normaliser_texte",
]


def normaliser_texte(texte: str) -> str:
    """Minuscules sans accents ni ponctuation, pour comparer des noms.

    Exemples
    --------
    >>> normaliser_texte("Saint-Étienne")
    'saint etienne'
    """
    sans_accents = unicodedata.normalize("NFKD", str(texte))
    sans_accents = "".join(c for c in sans_accents if not unicodedata.combining(c))
    propre = "".join(c if c.isalnum() else " " for c in sans_accents.lower())
    return " ".join(propre.split())


def suggestions(valeur: str, possibles: Iterable[str], n: int = 5) -> list[str]:
    """Valeurs proches de ``valeur`` parmi ``possibles`` (accents ignorés).

    Exemples
    --------
    >>> suggestions("part_65_ans", ["part_65_ans_et_plus", "densite"])
    ['part_65_ans_et_plus']
    """
    possibles = list(possibles)
    index = {normaliser_texte(p): p for p in possibles}
    proches = difflib.get_close_matches(normaliser_texte(valeur), list(index), n=n, cutoff=0.6)
    resultat = [index[p] for p in proches]
    if not resultat:
        cle = normaliser_texte(valeur)
        resultat = [p for k, p in index.items() if cle and (cle in k or k.startswith(cle))][:n]
    return resultat


def _liste(valeurs: Iterable[str], n: int = 8) -> str:
    valeurs = list(valeurs)
    texte = ", ".join(f"« {v} »" for v in valeurs[:n])
    return texte + (f" … ({len(valeurs)} en tout)" if len(valeurs) > n else "")


class ErreurTerritoire(Exception):
    """Classe mère de toutes les erreurs de la bibliothèque."""


class IndicateurInconnu(ErreurTerritoire, KeyError):
    """Identifiant d'indicateur absent du catalogue."""

    def __init__(self, identifiant: str, connus: Iterable[str]):
        connus = list(connus)
        proches = suggestions(identifiant, connus)
        msg = f"Indicateur inconnu : « {identifiant} »."
        if proches:
            msg += f" Vouliez-vous dire : {_liste(proches)} ?"
        msg += " La liste complète est donnée par territoire_lib.catalogue()."
        super().__init__(msg)
        self.identifiant, self.proches = identifiant, proches

    def __str__(self) -> str:  # KeyError met sinon le message entre guillemets
        return self.args[0]


class NiveauInconnu(ErreurTerritoire, ValueError):
    """Niveau géographique non reconnu."""

    def __init__(self, niveau: str, valides: Iterable[str]):
        super().__init__(
            f"Niveau géographique inconnu : « {niveau} ». Niveaux valides : {_liste(valides)}."
        )


class CodeTerritoireInconnu(ErreurTerritoire, KeyError):
    """Code de territoire absent du COG courant (et de l'historique)."""

    def __init__(self, code: str, niveau: str, proches: Iterable[str] = ()):
        proches = list(proches)
        msg = f"Code de {niveau} inconnu : « {code} »."
        if proches:
            msg += f" Codes proches : {_liste(proches)}."
        msg += (
            " Les codes officiels sont des chaînes de caractères (ex. « 01001 », "
            "« 2A004 ») ; territoire_lib.chercher_territoire('nom') retrouve un code par son nom."
        )
        super().__init__(msg)
        self.code, self.proches = code, proches

    def __str__(self) -> str:
        return self.args[0]


class IndicateurNonDisponible(ErreurTerritoire, ValueError):
    """Indicateur connu mais pas au niveau ou au millésime demandé."""


class DonneesManquantes(ErreurTerritoire, FileNotFoundError):
    """Fichier de données absent."""

    def __init__(self, chemin, detail: str = ""):
        super().__init__(
            f"Fichier de données introuvable : {chemin}. {detail}".strip()
            + f" Pour reconstruire les données : `{COMMANDE_RECONSTRUIRE}` "
            "(ou `make donnees`), ou réinstaller le dépôt (`git checkout donnees/`)."
        )


class DonneesAlterees(ErreurTerritoire, OSError):
    """Fichier de données tronqué ou modifié (empreinte sha256 différente du manifeste)."""

    def __init__(self, chemin, attendu: str, obtenu: str):
        super().__init__(
            f"Le fichier de données {chemin} est altéré ou tronqué : empreinte sha256 "
            f"{obtenu[:12]}… au lieu de {attendu[:12]}… (manifeste). Restaurez-le avec "
            f"`git checkout donnees/` ou reconstruisez les données : `{COMMANDE_RECONSTRUIRE}`."
        )


class ResultatVide(ErreurTerritoire, ValueError):
    """La demande ne renvoie aucune ligne."""


class ErreurSource(ErreurTerritoire, RuntimeError):
    """Échec d'obtention ou de vérification d'un paquet source ou d'une source web."""


class FicheInvalide(ErreurTerritoire, ValueError):
    """Carte de la fiche (``fiche.yaml``) incohérente : élément, catégorie, carnet ou indicateur inconnu."""
