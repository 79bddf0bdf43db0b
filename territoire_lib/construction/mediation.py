"""Lieux de médiation numérique (Auvergne-Rhône-Alpes, 2021–2022).

Source
------
npm ``@gouvfr-anct/cartographie-nationale`` : fichier
``package/assets/data/source.json``, seul fichier réel du dossier (687 lieux
recensés par le réseau Hinaura en Auvergne-Rhône-Alpes). Les autres fichiers
(``*.fake.json``, ``conseillers.json``, ``coordinateurs.json``) sont des
exemples fictifs ou des données de personnes : ils ne sont **pas** lus.

Le fichier ne donne pas de code commune : il est déduit du code postal et du
nom de commune (:func:`rattacher_lieux_mediation`, mêmes règles que pour les
lycées). Champs publiés : ``id``, ``nom``, ``services``, ``pivot`` (SIRET,
toujours « 00000000000000 »), ``commune``, ``code_postal``, ``adresse``,
``latitude``, ``longitude``, ``publics_accueillis``, ``conditions_acces``,
``modalites_accompagnement``, ``horaires`` (format OpenStreetMap
``opening_hours``), ``telephone``, ``courriel``, ``site_web``, ``source``,
``date_maj``. Les listes sont des chaînes séparées par « ; ».
"""

from __future__ import annotations

import html
import json
import logging
import os
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from territoire_lib.construction.horaires_osm import heures_hebdo_osm
from territoire_lib.construction.lycees import (
    _NB_EXEMPLES,
    _distance_km,
    _rapport_rattachement,
    _verifier_mairies,
    plus_proche_km,
    rattacher_par_code_postal,
)

__all__ = [
    "DEPARTEMENTS_ARA",
    "CODE_REGION_ARA",
    "COUVERTURE_HORS_ARA",
    "COUVERTURE_ARA",
    "SEUIL_LIEU_LOIN_KM",
    "COLONNES_PUBLIQUES",
    "COLONNES_PERSONNELLES",
    "lire_lieux_mediation",
    "rattacher_lieux_mediation",
    "indicateurs_mediation",
    "lieux_mediation_publics",
]

logger = logging.getLogger(__name__)

#: Code INSEE de la région Auvergne-Rhône-Alpes, seule couverte par la source.
CODE_REGION_ARA = "84"
#: Départements d'Auvergne-Rhône-Alpes.
DEPARTEMENTS_ARA = ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74")
#: Valeur de ``mediation_couverture`` hors de la région couverte.
COUVERTURE_HORS_ARA = "hors couverture (Auvergne-Rhône-Alpes uniquement)"
#: Valeur de ``mediation_couverture`` dans la région couverte.
COUVERTURE_ARA = "couverte (Auvergne-Rhône-Alpes, recensement Hinaura 2021-2022)"
#: Distance (km) lieu ↔ mairie de sa commune au-delà de laquelle le lieu est
#: signalé (coordonnées ou commune douteuses).
SEUIL_LIEU_LOIN_KM = 20.0

_CHAMPS_TEXTE = {
    "id": "id",
    "nom": "nom",
    "adresse": "adresse",
    "commune": "commune",
    "code_postal": "code_postal",
    "services": "services",
    "publics_accueillis": "publics_accueillis",
    "conditions_acces": "conditions_acces",
    "modalites_accompagnement": "modalites_accompagnement",
    "horaires": "horaires",
    "telephone": "telephone",
    "courriel": "courriel",
    "site_web": "site_web",
    "pivot": "pivot",
    "source": "source",
    "date_maj": "date_maj",
}
_CHAMPS_OBLIGATOIRES = ("id", "nom", "commune", "code_postal", "latitude", "longitude")

#: Colonnes écartées de la table publiable : coordonnées de contact
#: (téléphones souvent mobiles de conseillers, courriels nominatifs
#: « initiale.nom@... »), adresse (un lieu y publie le nom d'une personne),
#: site web (quelques pages personnelles), SIRET factice.
COLONNES_PERSONNELLES = ("telephone", "courriel", "site_web", "adresse", "pivot")

#: Colonnes de la table publiable (:func:`lieux_mediation_publics`).
COLONNES_PUBLIQUES = (
    "id",
    "nom",
    "code_commune",
    "commune",
    "code_postal",
    "lon",
    "lat",
    "services",
    "nb_services",
    "publics_accueillis",
    "conditions_acces",
    "gratuit",
    "modalites_accompagnement",
    "horaires",
    "horaires_renseignes",
    "heures_hebdo",
    "coordonnees_douteuses",
    "source",
    "date_maj",
)


# --------------------------------------------------------------------------
# Lecture
# --------------------------------------------------------------------------
def _texte(valeur: Any) -> str | None:
    """Texte nettoyé (entités HTML décodées, espaces retirés) ou None si absent."""
    if valeur is None or (isinstance(valeur, float) and np.isnan(valeur)):
        return None
    return html.unescape(str(valeur)).strip()


def lire_lieux_mediation(chemin: str | PathLike[str]) -> pd.DataFrame:
    """Lit ``source.json`` (lieux de médiation numérique).

    Paramètres
    ----------
    chemin : str ou chemin
        Fichier ``package/assets/data/source.json`` du paquet npm
        ``@gouvfr-anct/cartographie-nationale``. Ne pas passer les autres
        fichiers du dossier (fictifs ou personnels).

    Renvoie
    -------
    pandas.DataFrame
        Une ligne par lieu, tous les champs publiés (str, NaN si absent ou
        vide ; entités HTML décodées, ex. « &amp; » → « & ») plus :

        - ``lon``, ``lat`` (float64, degrés WGS84 ; NaN si absents ou hors
          bornes) ;
        - ``date_maj`` (datetime64) : date de mise à jour de la fiche ;
        - ``nb_services`` (Int64) : nombre de services listés ;
        - ``gratuit`` (boolean) : vrai si « Gratuit » figure dans
          ``conditions_acces`` (gratuité sans condition), faux si les
          conditions sont renseignées sans cette mention, NA sinon ;
        - ``gratuit_sous_condition`` (boolean) : mention « Gratuit sous
          condition » ;
        - ``horaires_renseignes`` (boolean) : champ ``horaires`` non vide ;
        - ``heures_hebdo`` (float64) : heures d'ouverture par semaine lues dans
          ``horaires`` (:func:`territoire_lib.construction.horaires_osm.heures_hebdo_osm`),
          NaN si non renseignées ou illisibles (jamais 0) ; ``attrs["horaires_illisibles"]``
          compte les horaires renseignés mais non lus.

        Le code commune n'est pas publié : voir :func:`rattacher_lieux_mediation`.
        Les champs ``telephone``, ``courriel``, ``adresse`` peuvent contenir
        des données personnelles : ne pas diffuser cette table telle quelle
        (utiliser :func:`lieux_mediation_publics`).

    Exemples
    --------
    >>> import json, tempfile, os
    >>> lieux = [{"id": "4", "nom": "Centre Social &amp; Culturel",
    ...   "services": "Accéder à du matériel;Prendre en main un ordinateur",
    ...   "commune": "Aix les bains", "code_postal": "73100", "adresse": "1 rue X",
    ...   "latitude": 45.69, "longitude": 5.906,
    ...   "conditions_acces": "Gratuit : Je peux accéder gratuitement au lieu",
    ...   "horaires": "Mo 14:00-17:00", "source": "Hinaura", "date_maj": "2021-05-05"}]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "source.json")
    ...     with open(p, "w", encoding="utf-8") as f:
    ...         json.dump(lieux, f)
    ...     df = lire_lieux_mediation(p)
    >>> ligne = df.iloc[0]
    >>> ligne["nom"], int(ligne["nb_services"]), bool(ligne["gratuit"]), bool(ligne["horaires_renseignes"])
    ('Centre Social & Culturel', 2, True, True)
    >>> float(ligne["heures_hebdo"]), df.attrs["horaires_illisibles"]
    (3.0, 0)
    """
    nom_fichier = os.path.basename(os.fspath(chemin))
    if ".fake." in nom_fichier or nom_fichier in ("conseillers.json", "coordinateurs.json"):
        raise ValueError(
            f"« {nom_fichier} » n'est pas une source réelle de lieux (exemple fictif ou "
            "données de personnes) : seul assets/data/source.json doit être lu."
        )
    with open(chemin, encoding="utf-8") as f:
        brut = json.load(f)
    if not isinstance(brut, list):
        raise ValueError(
            "source.json invalide : une liste de lieux (objets JSON) est attendue."
        )
    df = pd.DataFrame(brut)
    manquants = [c for c in _CHAMPS_OBLIGATOIRES if c not in df.columns]
    if manquants:
        raise KeyError(
            f"source.json : champs manquants {manquants} ; champs obligatoires : "
            f"{list(_CHAMPS_OBLIGATOIRES)}. Vérifiez qu'il s'agit bien de "
            "assets/data/source.json (et non d'un fichier *.fake.json)."
        )
    sortie = pd.DataFrame(index=df.index)
    for champ, col in _CHAMPS_TEXTE.items():
        if champ in df.columns:
            valeurs = df[champ].map(_texte)
            sortie[col] = pd.Series(valeurs, dtype="str").replace("", np.nan)
        else:
            sortie[col] = pd.Series(np.nan, index=df.index, dtype="str")
    sortie["code_postal"] = sortie["code_postal"].where(
        sortie["code_postal"].str.fullmatch(r"\d{5}").fillna(False).astype(bool)
    )
    lon = pd.to_numeric(df["longitude"], errors="coerce").astype("float64")
    lat = pd.to_numeric(df["latitude"], errors="coerce").astype("float64")
    hors_bornes = ~(lon.between(-180, 180) & lat.between(-90, 90))
    sortie["lon"] = lon.mask(hors_bornes)
    sortie["lat"] = lat.mask(hors_bornes)
    sortie["date_maj"] = pd.to_datetime(sortie["date_maj"], format="%Y-%m-%d", errors="coerce")
    sortie["nb_services"] = (
        sortie["services"].str.split(";").map(lambda l: len([s for s in l if s.strip()]), na_action="ignore")
    ).astype("Int64")
    conditions = sortie["conditions_acces"]
    gratuit = conditions.str.contains(r"(?:^|;)\s*Gratuit\s*:", regex=True)
    sous_condition = conditions.str.contains(r"(?:^|;)\s*Gratuit sous condition", regex=True)
    absentes = conditions.isna()
    sortie["gratuit"] = gratuit.astype("boolean").mask(absentes, pd.NA)
    sortie["gratuit_sous_condition"] = sous_condition.astype("boolean").mask(absentes, pd.NA)
    sortie["horaires_renseignes"] = sortie["horaires"].notna().astype("boolean")
    heures = heures_hebdo_osm(sortie["horaires"])
    sortie["heures_hebdo"] = heures
    sortie = sortie.reset_index(drop=True)
    sortie.attrs["horaires_illisibles"] = heures.attrs["illisibles"]
    return sortie


# --------------------------------------------------------------------------
# Rattachement aux communes
# --------------------------------------------------------------------------
def rattacher_lieux_mediation(
    lieux: pd.DataFrame,
    codes_postaux: pd.DataFrame,
    communes_deleguees: pd.DataFrame | None = None,
    mairies: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Ajoute le code commune de chaque lieu (code postal + nom de commune).

    Règles de :func:`territoire_lib.construction.lycees.rattacher_par_code_postal`.
    Si ``mairies`` est fourni (recommandé) :

    - dernier recours pour un lieu non rattaché : la commune de son code
      postal dont la mairie est la plus proche de ses coordonnées, si elle est
      à moins de :data:`SEUIL_LIEU_LOIN_KM` km
      (``code_postal_et_mairie_la_plus_proche``) ;
    - chaque lieu rattaché est comparé à la mairie de sa commune : au-delà de
      :data:`SEUIL_LIEU_LOIN_KM` km, ``coordonnees_douteuses`` est vrai et
      :func:`indicateurs_mediation` n'utilise pas ses coordonnées pour les
      distances (le lieu reste compté dans sa commune).

    Paramètres
    ----------
    lieux : pandas.DataFrame
        Table de :func:`lire_lieux_mediation`.
    codes_postaux : pandas.DataFrame
        Table de :func:`territoire_lib.construction.lycees.lire_codes_postaux`.
    communes_deleguees : pandas.DataFrame, facultatif
        Table de :func:`territoire_lib.construction.lycees.lire_communes_deleguees`.
    mairies : pandas.DataFrame, facultatif
        ``code_commune``, ``lon``, ``lat`` des mairies (contrôle de distance).

    Renvoie
    -------
    tuple (pandas.DataFrame, dict)
        - les lieux avec ``code_commune`` (str, NaN si non rattaché ;
          commune COG), ``rattachement``, ``motif``, ``candidats`` (str) et,
          avec ``mairies``, ``coordonnees_douteuses`` (boolean) ;
        - un rapport : ``nb_lieux``, ``nb_rattaches``, ``par_rattachement``,
          ``nb_ambigus``, ``exemples_ambigus``, ``nb_non_rattaches``,
          ``non_rattaches_par_motif``, ``exemples_par_motif`` (id des lieux) ;
          avec ``mairies`` : ``nb_lieux_loin_de_leur_mairie`` et
          ``lieux_loin_de_leur_mairie`` (id, code commune, km).

    Exemples
    --------
    >>> import pandas as pd
    >>> lieux = pd.DataFrame({"id": ["1", "2"], "commune": ["Chambery", "Nulle-Part"],
    ...     "code_postal": ["73000", "73999"], "lon": [5.92, 5.9], "lat": [45.57, 45.5]})
    >>> cp = pd.DataFrame({"code_postal": ["73000"], "code_commune": ["73065"],
    ...     "nom_commune": ["Chambéry"], "libelle_acheminement": ["CHAMBERY"]})
    >>> res, rapport = rattacher_lieux_mediation(lieux, cp)
    >>> res["code_commune"].tolist(), rapport["nb_non_rattaches"]
    (['73065', nan], 1)
    """
    manquantes = {"id", "commune", "code_postal"} - set(lieux.columns)
    if manquantes:
        raise KeyError(
            f"lieux : colonnes manquantes {sorted(manquantes)} (utilisez lire_lieux_mediation)."
        )
    trouve = rattacher_par_code_postal(
        lieux["code_postal"], lieux["commune"], codes_postaux, communes_deleguees
    )
    sortie = pd.concat([lieux.drop(columns=list(trouve.columns), errors="ignore"), trouve], axis=1)
    if mairies is None:
        return sortie, _rapport_rattachement(sortie, "lieux de médiation", "nb_lieux", "id")

    m, _ = _verifier_mairies(mairies)
    _rattacher_par_coordonnees(sortie, codes_postaux, m)
    rapport = _rapport_rattachement(sortie, "lieux de médiation", "nb_lieux", "id")
    pos = m.set_index("code_commune")
    lon_m = sortie["code_commune"].map(pos["lon"]).astype("float64")
    lat_m = sortie["code_commune"].map(pos["lat"]).astype("float64")
    ecart = pd.Series(_distance_km(sortie["lon"], sortie["lat"], lon_m, lat_m), index=sortie.index)
    loin = ecart > SEUIL_LIEU_LOIN_KM
    sortie["coordonnees_douteuses"] = loin.astype("boolean").mask(ecart.isna(), pd.NA)
    rapport["nb_lieux_loin_de_leur_mairie"] = int(loin.sum())
    rapport["lieux_loin_de_leur_mairie"] = [
        (str(i), str(c), round(float(d), 1))
        for i, c, d in zip(sortie.loc[loin, "id"], sortie.loc[loin, "code_commune"], ecart[loin])
    ]
    if loin.any():
        logger.warning(
            "Lieux de médiation : %d lieux à plus de %.0f km de la mairie de leur "
            "commune, coordonnées jugées douteuses (ex. %s).",
            int(loin.sum()),
            SEUIL_LIEU_LOIN_KM,
            rapport["lieux_loin_de_leur_mairie"][:5],
        )
    return sortie, rapport


def _rattacher_par_coordonnees(
    lieux: pd.DataFrame, codes_postaux: pd.DataFrame, mairies: pd.DataFrame
) -> None:
    """Dernier recours (en place) : commune du code postal dont la mairie est la
    plus proche du lieu, si elle est à moins de :data:`SEUIL_LIEU_LOIN_KM` km."""
    reste = lieux["code_commune"].isna() & lieux["lon"].notna() & lieux["code_postal"].notna()
    if not reste.any():
        return
    paires = (
        lieux.loc[reste, ["code_postal", "lon", "lat"]]
        .reset_index()
        .merge(codes_postaux[["code_postal", "code_commune"]], on="code_postal")
        .merge(mairies[["code_commune", "lon", "lat"]], on="code_commune", suffixes=("", "_mairie"))
    )
    if paires.empty:
        return
    paires["km"] = _distance_km(paires["lon"], paires["lat"], paires["lon_mairie"], paires["lat_mairie"])
    meilleur = paires.sort_values("km").drop_duplicates("index").set_index("index")
    meilleur = meilleur[meilleur["km"] <= SEUIL_LIEU_LOIN_KM]
    lieux.loc[meilleur.index, "code_commune"] = meilleur["code_commune"]
    lieux.loc[meilleur.index, "rattachement"] = "code_postal_et_mairie_la_plus_proche"
    lieux.loc[meilleur.index, "motif"] = np.nan
    lieux.loc[meilleur.index, "candidats"] = np.nan


# --------------------------------------------------------------------------
# Indicateurs par commune
# --------------------------------------------------------------------------
def _dans_ara(mairies: pd.DataFrame) -> np.ndarray:
    """Appartenance à Auvergne-Rhône-Alpes d'après code_region, departement ou le code."""
    if "code_region" in mairies.columns:
        return (mairies["code_region"].astype("str") == CODE_REGION_ARA).to_numpy()
    if "departement" in mairies.columns:
        return mairies["departement"].astype("str").isin(DEPARTEMENTS_ARA).to_numpy()
    return mairies["code_commune"].astype("str").str[:2].isin(DEPARTEMENTS_ARA).to_numpy()


def indicateurs_mediation(
    lieux: pd.DataFrame, mairies: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Nombre de lieux de médiation numérique et distance au plus proche.

    La source ne couvre que l'Auvergne-Rhône-Alpes : hors de cette région,
    les indicateurs valent NA (et non 0) et ``mediation_couverture`` le dit.
    La distance est orthodromique, de la mairie de la commune aux coordonnées
    du lieu le plus proche (tous les lieux localisés, y compris ceux d'une
    autre commune, sauf ceux marqués ``coordonnees_douteuses``) ; elle n'est
    pas forcée à 0 quand la commune a un lieu.

    Paramètres
    ----------
    lieux : pandas.DataFrame
        Sortie de :func:`rattacher_lieux_mediation` (``id``, ``code_commune``,
        ``lon``, ``lat``).
    mairies : pandas.DataFrame
        Une ligne par commune : ``code_commune`` (str), ``lon``, ``lat``
        (degrés WGS84 de la mairie, NaN si inconnus) et ``code_region`` ou
        ``departement`` (sinon le département est lu dans le code commune).

    Renvoie
    -------
    tuple (pandas.DataFrame, dict)
        - une ligne par commune de ``mairies`` :

          - ``code_commune`` (str) ;
          - ``nb_lieux_mediation`` (Int64) : lieux rattachés à la commune ;
            0 = vrai zéro en Auvergne-Rhône-Alpes, NA ailleurs ;
          - ``distance_lieu_mediation_km`` (float64, km) : NaN hors région ou
            si la mairie n'est pas localisée ;
          - ``mediation_couverture`` (str) : :data:`COUVERTURE_ARA` ou
            :data:`COUVERTURE_HORS_ARA` ;

        - un rapport : ``nb_lieux``, ``lieux_par_departement``,
          ``nb_lieux_sans_coordonnees`` / ``lieux_sans_coordonnees`` (id),
          ``nb_lieux_coordonnees_douteuses`` / ``lieux_coordonnees_douteuses``,
          ``nb_lieux_sans_code_commune`` / ``lieux_sans_code_commune``,
          ``nb_lieux_hors_ara`` / ``lieux_hors_ara``,
          ``nb_lieux_commune_absente`` / ``lieux_commune_absente`` (code
          absent de ``mairies``), ``nb_communes_ara``,
          ``nb_mairies_ara_sans_coordonnees`` /
          ``exemples_mairies_ara_sans_coordonnees``,
          ``mairies_coordonnees_aberrantes``.

    Exemples
    --------
    >>> import pandas as pd
    >>> lieux = pd.DataFrame({"id": ["1", "2"], "code_commune": ["73065", "73065"],
    ...     "lon": [5.92, 5.93], "lat": [45.57, 45.56]})
    >>> mairies = pd.DataFrame({"code_commune": ["73065", "73008", "75056"],
    ...     "lon": [5.92, 5.80, 2.35], "lat": [45.566, 45.55, 48.857],
    ...     "departement": ["73", "73", "75"]})
    >>> ind, rapport = indicateurs_mediation(lieux, mairies)
    >>> ind["nb_lieux_mediation"].tolist()
    [2, 0, <NA>]
    >>> ind["distance_lieu_mediation_km"].round(1).tolist()
    [0.4, 9.6, nan]
    >>> ind["mediation_couverture"].iloc[2]
    'hors couverture (Auvergne-Rhône-Alpes uniquement)'
    """
    manquantes = {"id", "code_commune", "lon", "lat"} - set(lieux.columns)
    if manquantes:
        raise KeyError(
            f"lieux : colonnes manquantes {sorted(manquantes)} "
            "(appelez lire_lieux_mediation puis rattacher_lieux_mediation)."
        )
    ara = _dans_ara(mairies)
    m, aberrantes = _verifier_mairies(mairies)
    codes_ara = set(m.loc[ara, "code_commune"])

    localise = lieux["lon"].notna() & lieux["lat"].notna()
    douteux = pd.Series(False, index=lieux.index)
    if "coordonnees_douteuses" in lieux.columns:
        douteux = lieux["coordonnees_douteuses"].fillna(False).astype(bool)
    cibles = localise & ~douteux
    avec_code = lieux["code_commune"].notna()
    dep_lieu = lieux["code_commune"].astype("str").str[:2]
    hors_ara = avec_code & ~dep_lieu.isin(DEPARTEMENTS_ARA)
    absente = avec_code & ~hors_ara & ~lieux["code_commune"].isin(codes_ara)

    compte = lieux.loc[avec_code, "code_commune"].value_counts()
    sortie = pd.DataFrame({"code_commune": m["code_commune"]})
    nb = m["code_commune"].map(compte).fillna(0).astype("Int64")
    sortie["nb_lieux_mediation"] = nb.where(ara, pd.NA).astype("Int64")
    dist, _ = plus_proche_km(
        m["lon"].to_numpy(), m["lat"].to_numpy(),
        lieux.loc[cibles, "lon"].to_numpy(), lieux.loc[cibles, "lat"].to_numpy(),
    )
    sortie["distance_lieu_mediation_km"] = np.where(ara, dist, np.nan).astype("float64")
    sortie["mediation_couverture"] = pd.Series(
        np.where(ara, COUVERTURE_ARA, COUVERTURE_HORS_ARA), index=m.index, dtype="str"
    )

    ara_sans_coord = m.loc[ara & m["lon"].isna().to_numpy(), "code_commune"]

    def ids(masque: pd.Series) -> list[str]:
        return lieux.loc[masque, "id"].astype("str").tolist()

    dep_connu = dep_lieu.where(avec_code, "inconnu")
    rapport = {
        "nb_lieux": int(len(lieux)),
        "lieux_par_departement": {str(k): int(v) for k, v in dep_connu.value_counts().sort_index().items()},
        "nb_lieux_sans_coordonnees": int((~localise).sum()),
        "lieux_sans_coordonnees": ids(~localise),
        "nb_lieux_coordonnees_douteuses": int((localise & douteux).sum()),
        "lieux_coordonnees_douteuses": ids(localise & douteux),
        "nb_lieux_sans_code_commune": int((~avec_code).sum()),
        "lieux_sans_code_commune": ids(~avec_code),
        "nb_lieux_hors_ara": int(hors_ara.sum()),
        "lieux_hors_ara": ids(hors_ara),
        "nb_lieux_commune_absente": int(absente.sum()),
        "lieux_commune_absente": ids(absente),
        "nb_communes_ara": int(ara.sum()),
        "nb_mairies_ara_sans_coordonnees": int(len(ara_sans_coord)),
        "exemples_mairies_ara_sans_coordonnees": ara_sans_coord.head(_NB_EXEMPLES).tolist(),
        "mairies_coordonnees_aberrantes": aberrantes.tolist(),
    }
    problemes = {
        k: rapport[k]
        for k in (
            "nb_lieux_sans_coordonnees",
            "nb_lieux_sans_code_commune",
            "nb_lieux_hors_ara",
            "nb_lieux_commune_absente",
            "nb_mairies_ara_sans_coordonnees",
        )
        if rapport[k]
    }
    if problemes:
        logger.warning("Médiation numérique : anomalies %s.", problemes)
    return sortie, rapport


# --------------------------------------------------------------------------
# Table publiable
# --------------------------------------------------------------------------
def lieux_mediation_publics(lieux: pd.DataFrame) -> pd.DataFrame:
    """Table des lieux sans données personnelles, prête à diffuser.

    Garde le nom public du lieu, sa commune, ses coordonnées, ses services,
    publics, conditions d'accès et horaires. Écarte
    :data:`COLONNES_PERSONNELLES` : ``telephone`` (numéros souvent mobiles,
    de conseillers numériques), ``courriel`` (adresses nominatives
    « initiale.nom@... »), ``adresse`` (un lieu y publie le nom et prénom
    d'une personne), ``site_web`` (quelques pages personnelles) et ``pivot``
    (SIRET factice « 00000000000000 »).

    Paramètres
    ----------
    lieux : pandas.DataFrame
        Sortie de :func:`lire_lieux_mediation` ou de
        :func:`rattacher_lieux_mediation` (``code_commune`` NaN s'il manque).

    Renvoie
    -------
    pandas.DataFrame
        Colonnes :data:`COLONNES_PUBLIQUES`, une ligne par lieu, triée par
        ``id``. ``gratuit``, ``horaires_renseignes`` et
        ``coordonnees_douteuses`` (NA si le contrôle n'a pas été fait) en
        « boolean ».

    Exemples
    --------
    >>> import pandas as pd
    >>> lieux = pd.DataFrame({"id": ["7"], "nom": ["Médiathèque"], "commune": ["Vichy"],
    ...     "code_postal": ["03200"], "lon": [3.42], "lat": [46.12], "services": ["A;B"],
    ...     "telephone": ["+33600000000"], "courriel": ["p.nom@exemple.fr"],
    ...     "horaires": [None]})
    >>> pub = lieux_mediation_publics(lieux)
    >>> "telephone" in pub.columns, "courriel" in pub.columns
    (False, False)
    >>> ligne = pub.iloc[0]
    >>> pd.isna(ligne["code_commune"]), int(ligne["nb_services"]), bool(ligne["horaires_renseignes"])
    (True, 2, False)
    """
    df = lieux.copy()
    if "nb_services" not in df.columns and "services" in df.columns:
        df["nb_services"] = (
            df["services"].astype("str").str.split(";").map(len, na_action="ignore").astype("Int64")
        )
    if "horaires_renseignes" not in df.columns:
        horaires = df["horaires"] if "horaires" in df.columns else pd.Series(np.nan, index=df.index)
        df["horaires_renseignes"] = horaires.notna().astype("boolean")
    booleens = ("gratuit", "horaires_renseignes", "coordonnees_douteuses")
    for col in COLONNES_PUBLIQUES:
        if col in df.columns:
            continue
        if col in booleens:
            df[col] = pd.Series(pd.NA, index=df.index, dtype="boolean")
        elif col in ("lon", "lat", "heures_hebdo"):
            df[col] = np.nan
        elif col == "date_maj":
            df[col] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
        else:
            df[col] = pd.Series(np.nan, index=df.index, dtype="str")
    sortie = df[list(COLONNES_PUBLIQUES)].copy()
    for col in booleens:
        sortie[col] = sortie[col].astype("boolean")
    sortie["nb_services"] = sortie["nb_services"].astype("Int64")
    for col in ("lon", "lat", "heures_hebdo"):
        sortie[col] = pd.to_numeric(sortie[col], errors="coerce").astype("float64")
    cle_tri = pd.to_numeric(sortie["id"], errors="coerce")
    return sortie.assign(_tri=cle_tri).sort_values(["_tri", "id"]).drop(columns="_tri").reset_index(drop=True)
