"""Insee Filosofi 2021 : niveau de vie médian et taux de pauvreté par commune.

Le fichier officiel est au format long (une ligne par territoire et par
mesure). Seules les lignes ``GEO_OBJECT = COM`` sont gardées ; le secret
statistique laisse des valeurs vides (NA, jamais 0) pour les petites communes.

Une médiane ne s'additionne pas : une commune du COG courant issue de
plusieurs communes de la géographie de diffusion (fusion postérieure) reçoit
NA pour la médiane et le taux ; elle est listée dans le rapport. Le taux de
pauvreté s'agrège au-delà de la commune par ses numérateur (personnes
pauvres = taux × personnes des ménages fiscaux) et dénominateur.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .commun import harmoniser_codes, lire_brut, sommer_par_commune

__all__ = ["SOURCE", "SOURCE_2017", "SERIES", "ANNEES", "MESURES", "communale", "analyser", "analyser_2017",
           "analyser_series"]

SOURCE = "insee_filosofi_2021"
SOURCE_2017 = "insee_filosofi_2017"
#: Série de millésimes (source composée de plusieurs fichiers, chacun vérifié).
SERIES = "insee_filosofi_series"
#: Année de chaque source de la série.
ANNEES = {SOURCE_2017: 2017, SOURCE: 2021}
#: Mesures gardées : code Filosofi → colonne de la table communale.
MESURES = {
    "MED_SL": "mediane_niveau_vie",
    "PR_MD60": "taux_pauvrete_publie",
    "NUM_PER": "personnes_menages_fiscaux",
    "NUM_HH": "menages_fiscaux",
}


def communale(geo: pd.Series, valeurs: pd.DataFrame) -> pd.DataFrame:
    """Table communale au COG courant depuis des valeurs publiées par code (fusions, secret, pauvres).

    Paramètres
    ----------
    geo : Series
        Code commune publié, une ligne par commune de la géographie de diffusion.
    valeurs : DataFrame
        Mêmes lignes ; colonnes ``mediane_niveau_vie``, ``taux_pauvrete_publie``,
        ``personnes_menages_fiscaux`` et, si publiée, ``menages_fiscaux``.

    Renvoie
    -------
    DataFrame
        Une ligne par commune courante présente ; sommes strictes (une partie
        inconnue rend la somme inconnue), médiane et taux gardés seulement pour
        une commune issue d'une seule commune publiée ; ``attrs["rapport"]``.
    """
    large = valeurs.copy()
    courant, rapport = harmoniser_codes(geo)
    large["code_commune"] = courant.to_numpy()
    large = large[large["code_commune"].notna()]
    large["personnes_pauvres"] = large["taux_pauvrete_publie"] / 100 * large["personnes_menages_fiscaux"]
    sommes = [c for c in ("personnes_menages_fiscaux", "menages_fiscaux", "personnes_pauvres") if c in large]
    table = sommer_par_commune(large, sommes)
    nb = large.groupby("code_commune").size()
    seules = large[large["code_commune"].map(nb) == 1].set_index("code_commune")
    for col in ("mediane_niveau_vie", "taux_pauvrete_publie"):
        table[col] = table["code_commune"].map(seules[col]).astype("float64")
    fusionnees = sorted(nb[nb > 1].index)
    rapport.update({
        "communes_fusionnees_mediane_na": fusionnees,
        "communes_sans_mediane_secret": int(table["mediane_niveau_vie"].isna().sum() - len(fusionnees)),
        "communes_sans_taux_pauvrete": int(table["taux_pauvrete_publie"].isna().sum()),
    })
    table = table[["code_commune", "mediane_niveau_vie", "taux_pauvrete_publie", *sommes]]
    table.attrs["rapport"] = rapport
    return table


def analyser(chemin: Path | None = None) -> pd.DataFrame:
    """Table communale Filosofi 2021 au COG courant.

    Paramètres
    ----------
    chemin : Path, optionnel
        Archive officielle (par défaut celle du cache).

    Renvoie
    -------
    DataFrame
        ``code_commune`` (str), ``mediane_niveau_vie`` (euros par UC),
        ``taux_pauvrete_publie`` (%), ``personnes_menages_fiscaux``,
        ``menages_fiscaux``, ``personnes_pauvres`` (taux × personnes, NA si
        secret) ; ``attrs["rapport"]`` : harmonisation et secret statistique.
    """
    brut = lire_brut(SOURCE, chemin)
    com = brut[(brut["GEO_OBJECT"] == "COM") & brut["FILOSOFI_MEASURE"].isin(MESURES)]
    large = (com.pivot_table(index="GEO", columns="FILOSOFI_MEASURE", values="OBS_VALUE",
                             aggfunc="first", dropna=False)
             .reindex(columns=list(MESURES)).rename(columns=MESURES).reset_index())
    large.columns.name = None
    table = communale(large["GEO"], large.drop(columns="GEO"))
    table = table[["code_commune", *MESURES.values(), "personnes_pauvres"]]
    table.attrs["rapport"] = {"lignes_communes": int(len(com)), **table.attrs.get("rapport", {})}
    return table


def analyser_2017(chemin: Path | None = None) -> pd.DataFrame:
    """Table communale Filosofi 2017 (revenu disponible, ensemble, classeur communal) au COG courant.

    Même sortie que :func:`analyser` (sans ``menages_fiscaux``) : ``Q217`` =
    niveau de vie médian, ``TP6017`` = taux de pauvreté au seuil de 60 %,
    ``NBPERS17`` = personnes des ménages fiscaux.
    """
    brut = lire_brut(SOURCE_2017, chemin)
    valeurs = pd.DataFrame({"mediane_niveau_vie": brut["Q217"], "taux_pauvrete_publie": brut["TP6017"],
                            "personnes_menages_fiscaux": brut["NBPERS17"]})
    return communale(brut["CODGEO"], valeurs)


def analyser_series(chemin: Path | None = None) -> pd.DataFrame:
    """Filosofi sur plusieurs millésimes : une colonne par mesure et par année (``…_2017``, ``…_2021``).

    Chaque millésime est la table communale de sa source (téléchargée et
    vérifiée à part), au COG courant ; toutes les communes du COG sont
    présentes, NA là où un millésime ne publie rien (secret, fusion, absence).
    """
    from ..chargement import territoires
    from . import table_communale
    from .commun import source_web

    table = territoires("commune")[["code_commune"]].reset_index(drop=True)
    rapport = {}
    for sid in source_web(SERIES).composantes:
        annee = ANNEES[sid]
        t = table_communale(sid)
        rapport[str(annee)] = {k: v for k, v in t.attrs.get("rapport", {}).items() if not isinstance(v, (list, dict))}
        t = t.set_index("code_commune")
        for col in ("mediane_niveau_vie", "taux_pauvrete_publie", "personnes_menages_fiscaux", "personnes_pauvres"):
            table[f"{col}_{annee}"] = table["code_commune"].map(t[col]).astype("float64")
    table.attrs["rapport"] = rapport
    return table
