"""Catalogue des indicateurs (``catalogue.yaml``) : lecture et accès.

Le catalogue est la seule description des indicateurs : il pilote le
chargement, l'agrégation, les légendes et les lignes de source.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from .chemins import RACINE_PAQUET
from .erreurs import IndicateurInconnu, IndicateurNonDisponible

__all__ = [
    "Indicateur",
    "catalogue",
    "indicateur",
    "ids_indicateurs",
    "regroupements",
    "niveaux",
    "ligne_source",
]

FICHIER_CATALOGUE = RACINE_PAQUET / "catalogue.yaml"


@dataclass(frozen=True)
class Indicateur:
    """Un indicateur du catalogue."""

    id: str
    libelle: str
    unite: str
    definition: str
    agregation: dict
    source: tuple[str, ...]
    producteur: str
    couverture: str
    theme: str
    seed: str = ""
    millesimes: tuple = field(default_factory=tuple)
    #: Identifiant d'une source de ``sources_web.toml`` si l'indicateur vient d'un connecteur en ligne.
    source_web: str = ""
    fiche: tuple[str, ...] = field(default_factory=tuple)
    #: Date des données d'un indicateur sans millésime à choisir (« lieux recensés en 2021-2022 ») :
    #: reprise dans sa ligne de source, pour que tout graphique dise de quand datent ses données.
    date_donnees: str = ""

    @property
    def millesime_defaut(self):
        """Le millésime le plus récent (ou ``None`` si l'indicateur n'en a pas)."""
        return self.millesimes[-1] if self.millesimes else None

    def verifier_millesime(self, millesime):
        """Renvoie le millésime à utiliser, ou lève une erreur qui liste les valides."""
        if millesime is None:
            return self.millesime_defaut
        if not self.millesimes:
            raise IndicateurNonDisponible(
                f"L'indicateur « {self.id} » n'a pas de millésime à choisir "
                f"(millésime demandé : {millesime})."
            )
        for m in self.millesimes:
            if str(m) == str(millesime):
                return m
        valides = ", ".join(str(m) for m in self.millesimes)
        raise IndicateurNonDisponible(
            f"Millésime {millesime} non disponible pour « {self.id} ». Millésimes disponibles : {valides}."
        )

    @property
    def licences(self) -> str:
        """Licence(s) des données sources, lues dans ``sources.toml`` (``sources_web.toml`` pour ``web:``)."""
        from .construction.sources import lire_sources

        paquets = lire_sources()
        vues = []
        for ref in self.source:
            paquet, fichier = ref.split(":")
            if paquet == "web":
                from .connecteurs.commun import source_web

                lic = source_web(fichier).licence
            else:
                lic = paquets[paquet].fichiers[fichier].licence
            if lic not in vues:
                vues.append(lic)
        return " ; ".join(vues)

    @property
    def agregeable(self) -> bool:
        """Vrai si l'indicateur se calcule au-delà de la commune."""
        return self.agregation["type"] not in ("categorie", "valeur_communale")


@lru_cache(maxsize=1)
def _brut(chemin: Path = FICHIER_CATALOGUE) -> dict:
    with open(chemin, encoding="utf-8") as f:
        return yaml.safe_load(f)


@lru_cache(maxsize=1)
def _indicateurs() -> dict[str, Indicateur]:
    res = {}
    for d in _brut()["indicateurs"]:
        d = dict(d)
        d["source"] = tuple(d["source"])
        d["millesimes"] = tuple(d.get("millesimes", ()))
        d["fiche"] = tuple(d.get("fiche") or ())
        res[d["id"]] = Indicateur(**d)
    return res


def ids_indicateurs() -> list[str]:
    """Identifiants de tous les indicateurs, dans l'ordre du catalogue."""
    return list(_indicateurs())


def indicateur(identifiant: str) -> Indicateur:
    """L'indicateur ``identifiant`` ; sinon une erreur qui propose des noms proches.

    Exemples
    --------
    >>> indicateur("part_65_ans_et_plus").unite
    '%'
    """
    try:
        return _indicateurs()[identifiant]
    except KeyError:
        raise IndicateurInconnu(identifiant, _indicateurs()) from None


def niveaux() -> list[str]:
    """Niveaux géographiques servis (commune, EPCI, département, région)."""
    return list(_brut()["niveaux"])


def regroupements() -> dict[str, dict]:
    """Regroupements de communes (DEGURBA, nature d'EPCI, zonage ABC…)."""
    return dict(_brut()["regroupements"])


def catalogue() -> pd.DataFrame:
    """Le catalogue sous forme de tableau (une ligne par indicateur).

    Exemples
    --------
    >>> cat = catalogue()
    >>> {"id", "libelle", "unite", "millesimes", "source"} <= set(cat.columns)
    True
    """
    lignes = []
    for i in _indicateurs().values():
        lignes.append({
            "id": i.id, "libelle": i.libelle, "unite": i.unite, "definition": i.definition,
            "agregation": i.agregation["type"], "millesimes": ", ".join(map(str, i.millesimes)) or "—",
            "producteur": i.producteur, "source": ", ".join(i.source), "licence": i.licences,
            "couverture": i.couverture,
            "theme": i.theme, "seed": i.seed, "source_web": i.source_web,
        })
    return pd.DataFrame(lignes)


def ligne_source(identifiant: str, millesime=None) -> str:
    """Ligne de source à placer sous un graphique ou un tableau.

    Exemples
    --------
    >>> ligne_source("part_65_ans_et_plus")
    'Source : Insee, RP 2021 — calculs Territoires en transition (millésime 2021)'
    """
    ind = indicateur(identifiant)
    m = ind.verifier_millesime(millesime)
    calculs = "" if "calculs territoires en transition" in ind.producteur.lower() else " — calculs Territoires en transition"
    texte = f"Source : {ind.producteur}{calculs}"  # jamais « calculs … — calculs … »
    if m is not None:
        return f"{texte} (millésime {m})"
    return f"{texte} ({_date_sans_millesime(ind)})"


def _date_sans_millesime(ind: Indicateur) -> str:
    """Date des données d'un indicateur sans millésime : déclarée au catalogue, ou date du fichier
    en ligne gardé en cache (connecteurs), « date du fichier inconnue » sinon."""
    if ind.date_donnees:
        return f"données : {ind.date_donnees}"
    if ind.source_web:
        from .connecteurs.commun import registre_empreintes

        date = registre_empreintes().get(ind.source_web, {}).get("telecharge_le", "")[:10]
        if date:
            return f"fichier en ligne téléchargé le {date[8:10]}/{date[5:7]}/{date[:4]}"
        return "fichier en ligne : date du téléchargement inconnue"
    raise ValueError(f"Indicateur « {ind.id} » sans millésime ni date_donnees au catalogue : "
                     "sa ligne de source ne dirait pas de quand datent les données.")
