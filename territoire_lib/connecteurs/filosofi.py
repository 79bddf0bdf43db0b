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

__all__ = ["SOURCE", "MESURES", "analyser"]

SOURCE = "insee_filosofi_2021"
#: Mesures gardées : code Filosofi → colonne de la table communale.
MESURES = {
    "MED_SL": "mediane_niveau_vie",
    "PR_MD60": "taux_pauvrete_publie",
    "NUM_PER": "personnes_menages_fiscaux",
    "NUM_HH": "menages_fiscaux",
}


def analyser(chemin: Path | None = None) -> pd.DataFrame:
    """Table communale Filosofi au COG courant.

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
    courant, rapport = harmoniser_codes(large["GEO"])
    large["code_commune"] = courant
    large = large[courant.notna()]
    large["personnes_pauvres"] = large["taux_pauvrete_publie"] / 100 * large["personnes_menages_fiscaux"]
    table = sommer_par_commune(large, ["personnes_menages_fiscaux", "menages_fiscaux", "personnes_pauvres"])
    nb = large.groupby("code_commune").size()
    seules = large[large["code_commune"].map(nb) == 1].set_index("code_commune")
    for col in ("mediane_niveau_vie", "taux_pauvrete_publie"):
        table[col] = table["code_commune"].map(seules[col]).astype("float64")
    fusionnees = sorted(nb[nb > 1].index)
    rapport.update({
        "lignes_communes": int(len(com)),
        "communes_fusionnees_mediane_na": fusionnees,
        "communes_sans_mediane_secret": int(table["mediane_niveau_vie"].isna().sum() - len(fusionnees)),
        "communes_sans_taux_pauvrete": int(table["taux_pauvrete_publie"].isna().sum()),
    })
    table = table[["code_commune", *MESURES.values(), "personnes_pauvres"]]
    table.attrs["rapport"] = rapport
    return table
