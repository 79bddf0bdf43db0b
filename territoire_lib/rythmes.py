"""Rythmes des déplacements lus dans les accidents corporels de la route (2005-2020).

Les accidents ne mesurent pas les déplacements eux-mêmes : ils en sont une
trace, proportionnelle à l'exposition au risque. Le motif déclaré des
conducteurs impliqués (domicile-travail, loisirs…) et l'heure de l'accident
dessinent ainsi les rythmes quotidiens et leur évolution. Seuls des agrégats
nationaux sont publiés (voir ``territoire_lib/construction/accidents.py``).
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .chargement import _lire

__all__ = [
    "ligne_source_accidents",
    "accidents_annuels",
    "rythmes_accidents",
    "parts_motifs",
    "profil_horaire",
    "PLAGES",
    "parts_par_plage",
    "graphique_parts_motifs",
    "graphique_profil_horaire",
]

NON_RENSEIGNE = "Non renseigné"
JOURS = {"semaine": range(1, 6), "week-end": range(6, 8)}
#: Plages horaires des déplacements pendulaires (heures de début incluses).
PLAGES = {"matin (6 h-10 h)": range(6, 10), "midi (11 h-14 h)": range(11, 14),
          "fin de journée (16 h-20 h)": range(16, 20)}


def ligne_source_accidents() -> str:
    """Ligne de source des graphiques d'accidents (producteur et millésime de ``sources.toml``).

    >>> ligne_source_accidents()
    'Source : ONISR, bases de données annuelles des accidents corporels (BAAC) — calculs Territoires en transition (millésimes 2005-2020)'
    """
    from .construction.sources import lire_sources  # au premier usage : le thème ne dépend pas de la construction

    fichier = lire_sources()["accidents"].fichiers["accidents"]
    return f"Source : {fichier.producteur} — calculs Territoires en transition (millésimes {fichier.millesime})"


@lru_cache(maxsize=1)
def accidents_annuels() -> pd.DataFrame:
    """Accidents corporels et conducteurs impliqués par année (France entière, DROM compris).

    >>> int(accidents_annuels().set_index("annee").loc[2019, "nb_accidents"])
    58840
    """
    return _lire("indicateurs/accidents_annuels.parquet")


@lru_cache(maxsize=1)
def rythmes_accidents() -> pd.DataFrame:
    """Conducteurs impliqués par année, jour de la semaine (1 = lundi), heure et motif."""
    return _lire("indicateurs/accidents_rythmes.parquet")


def parts_motifs(annees: range | list[int] | None = None) -> pd.DataFrame:
    """Part de chaque motif parmi les conducteurs impliqués dont le motif est renseigné, par année.

    Paramètres
    ----------
    annees : années retenues (toutes par défaut).

    Renvoie
    -------
    DataFrame : ``annee``, ``motif``, ``nb_conducteurs``, ``part`` (en %).

    Exemples
    --------
    >>> p = parts_motifs([2019])
    >>> float(round(p["part"].sum(), 6))
    100.0
    """
    r = rythmes_accidents()
    if annees is not None:
        r = r[r["annee"].isin(list(annees))]
    r = r[r["motif"] != NON_RENSEIGNE]
    t = r.groupby(["annee", "motif"], as_index=False)["nb_conducteurs"].sum()
    t["part"] = 100 * t["nb_conducteurs"] / t.groupby("annee")["nb_conducteurs"].transform("sum")
    return t


def profil_horaire(annees: range | list[int], jours: str = "semaine", motifs: list[str] | None = None) -> pd.DataFrame:
    """Répartition horaire des conducteurs impliqués, par motif (chaque motif somme à 100 %).

    Paramètres
    ----------
    annees : années regroupées (ex. ``range(2016, 2020)``).
    jours : ``"semaine"`` (lundi-vendredi) ou ``"week-end"``.
    motifs : motifs retenus (tous les motifs renseignés par défaut).

    Renvoie
    -------
    DataFrame : ``heure`` (0-23), ``motif``, ``nb_conducteurs``, ``part`` (en % du motif).

    Exemples
    --------
    >>> p = profil_horaire(range(2016, 2020), "semaine", ["Domicile – travail"])
    >>> int(p.loc[p["part"].idxmax(), "heure"])
    8
    """
    if jours not in JOURS:
        raise ValueError(f"Type de jours inconnu : « {jours} ». Valeurs possibles : {', '.join(JOURS)}.")
    r = rythmes_accidents()
    r = r[r["annee"].isin(list(annees)) & r["jour_semaine"].isin(JOURS[jours]) & (r["motif"] != NON_RENSEIGNE)]
    if motifs is not None:
        inconnus = sorted(set(motifs) - set(rythmes_accidents()["motif"]))
        if inconnus:
            raise ValueError(f"Motif(s) inconnu(s) : {inconnus}. Motifs possibles : "
                             f"{sorted(set(rythmes_accidents()['motif']))}.")
        r = r[r["motif"].isin(motifs)]
    t = r.groupby(["heure", "motif"], as_index=False)["nb_conducteurs"].sum()
    t["part"] = 100 * t["nb_conducteurs"] / t.groupby("motif")["nb_conducteurs"].transform("sum")
    return t


def parts_par_plage(periodes: dict[str, range], jours: str = "semaine",
                    motif: str = "Domicile – travail") -> pd.DataFrame:
    """Part des conducteurs d'un motif accidentés dans chaque plage de :data:`PLAGES`, par période.

    Exemples
    --------
    >>> t = parts_par_plage({"2015-2019": range(2015, 2020)})
    >>> list(t.columns)[1], float(t.iloc[0, 1].round(1))
    ('midi (11 h-14 h)', 11.9)
    """
    lignes = {}
    for nom, annees in periodes.items():
        h = profil_horaire(annees, jours, [motif]).set_index("heure")["part"]
        lignes[nom] = {plage: float(h.reindex(list(heures)).fillna(0).sum()) for plage, heures in PLAGES.items()}
    return pd.DataFrame.from_dict(lignes, orient="index").rename_axis("periode")


#: Graphiques (Altair) déplacés dans :mod:`territoire_lib.graphiques_rythmes` ; gardés
#: accessibles ici, importés au premier usage (le calcul n'importe pas Altair).
_VUES = ("graphique_parts_motifs", "graphique_profil_horaire")


def __getattr__(nom: str):
    if nom in _VUES:
        from . import graphiques_rythmes

        return getattr(graphiques_rythmes, nom)
    raise AttributeError(f"module {__name__!r} has no attribute {nom!r}")
