"""Territoires : codes courants, traduction des anciens codes, recherche par nom."""
from __future__ import annotations

import re
import warnings
from functools import lru_cache

import pandas as pd

from .erreurs import CodeTerritoireInconnu, ResultatVide, normaliser_texte, suggestions
from .format import nombre

__all__ = ["AvertissementCodeAncien", "code_courant", "codes_courants", "chercher_territoire", "normaliser_code",
           "passage_cog"]

FICHIER_PASSAGE = "territoires/passage_cog.parquet"


class AvertissementCodeAncien(UserWarning):
    """Un code d'une version antérieure du COG a été traduit vers le code courant."""


@lru_cache(maxsize=1)
def passage_cog() -> pd.DataFrame:
    """Table des anciens codes communaux vers les codes courants."""
    from .chargement import _lire

    return _lire(FICHIER_PASSAGE)


def _cle(niveau: str) -> str:
    from .chargement import CLES_NIVEAU

    return CLES_NIVEAU[niveau]


#: Longueur d'un code officiel entièrement numérique, par niveau (zéros initiaux perdus par ``int`` ou un tableur).
LONGUEURS_CODE = {"commune": 5, "epci": 9, "departement": 2, "region": 2}


def normaliser_code(code, niveau: str = "commune") -> str:
    """Code officiel en texte : espaces retirés, majuscules (« 2a » → « 2A »), zéros initiaux rétablis.

    Un code tapé comme un nombre (``region = 75``, ``departement = 1``) devient la chaîne officielle :
    sans cela, la comparaison avec les codes (toujours des chaînes) ne trouverait rien.

    Exemples
    --------
    >>> normaliser_code(75, "region"), normaliser_code(1, "departement"), normaliser_code(1001)
    ('75', '01', '01001')
    >>> normaliser_code(" 2a004 ")
    '2A004'
    """
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    texte = str(code).strip().upper()
    longueur = LONGUEURS_CODE.get(niveau)
    if longueur and texte.isdigit() and len(texte) < longueur and (niveau != "commune" or len(texte) == 4):
        texte = texte.zfill(longueur)
    return texte


def code_courant(code: str, niveau: str = "commune") -> str:
    """Le code courant correspondant à ``code``.

    Un code ancien (commune fusionnée, déléguée, arrondissement municipal)
    est traduit avec un avertissement ; un code inconnu lève une erreur
    avec des codes proches.

    Exemples
    --------
    >>> code_courant("75056")
    '75056'
    """
    from .chargement import territoires

    code = normaliser_code(code, niveau)  # « 1001 » ou 1001 : zéro initial perdu par un tableur ou un entier
    ref = territoires(niveau)
    cle = _cle(niveau)
    connus = set(ref[cle])
    if code in connus:
        return code
    if niveau == "commune":
        p = passage_cog()
        cibles = p.loc[p["ancien_code"] == code]
        if len(cibles) == 1:
            nouveau = cibles["code_commune"].iloc[0]
            nom = ref.loc[ref[cle] == nouveau, "nom_commune"].iloc[0]
            warnings.warn(
                f"Le code {code} ({cibles['nature'].iloc[0]}) n'est plus en vigueur : "
                f"remplacé par {nouveau} ({nom}) dans le COG courant.",
                AvertissementCodeAncien, stacklevel=2,
            )
            return nouveau
        if len(cibles) > 1:
            raise CodeTerritoireInconnu(code, niveau, cibles["code_commune"].tolist())
    proches = [c for c in suggestions(code, connus, n=5)]
    if not proches:
        proches = sorted(c for c in connus if c[:2] == code[:2])[:5]
    raise CodeTerritoireInconnu(code, niveau, proches)


def codes_courants(codes, niveau: str = "commune") -> list[str]:
    """:func:`code_courant` appliqué à une liste (doublons retirés, ordre gardé).

    Les codes courants sont reconnus en une fois ; seuls les autres passent par
    :func:`code_courant` (traduction avec avertissement, ou erreur).

    Exemples
    --------
    >>> codes_courants(["01001", "01001", "75056"])
    ['01001', '75056']
    >>> codes_courants([75, 27], niveau="region")  # codes tapés comme des nombres
    ['75', '27']
    """
    from .chargement import territoires

    connus = set(territoires(niveau)[_cle(niveau)].tolist())
    vus: dict[str, None] = {}
    for c in codes:
        texte = normaliser_code(c, niveau)
        vus[texte if texte in connus else code_courant(texte, niveau)] = None
    return list(vus)


@lru_cache(maxsize=8)
def _noms_normalises(niveau: str) -> pd.DataFrame:
    """Référentiel d'un niveau réduit à ``code, nom, norm`` (nom sans accents ni casse), gardé en mémoire."""
    from .chargement import territoires

    ref = territoires(niveau)
    nom = next(c for c in ref.columns if c.startswith("nom_"))
    return pd.DataFrame({"code": ref[_cle(niveau)], "nom": ref[nom], "norm": ref[nom].map(normaliser_texte)})


@lru_cache(maxsize=1)
def _epci_2020() -> pd.DataFrame:
    """EPCI au 1er janvier 2020 absents du référentiel courant (code ou nom changé), avec leur EPCI actuel.

    L'EPCI actuel est celui qui regroupe le plus de leurs anciennes communes ;
    ``part`` dit combien (« 12 sur 14 communes »).
    """
    from .chargement import _lire, table_communes

    ancien = _lire("territoires/epci_2020.parquet")
    t = table_communes()[["code_epci_2020", "code_epci"]].dropna()
    compte = t.groupby(["code_epci_2020", "code_epci"]).size().rename("n").reset_index()
    total = compte.groupby("code_epci_2020")["n"].transform("sum")
    compte = compte.assign(total=total).sort_values(["code_epci_2020", "n"], ascending=[True, False])
    principal = compte.drop_duplicates("code_epci_2020").set_index("code_epci_2020")
    courants = _noms_normalises("epci")
    nom_courant = dict(zip(courants["code"], courants["nom"]))
    norm_courant = dict(zip(courants["code"], courants["norm"]))
    res = ancien.join(principal, on="code_epci_2020", how="inner")[
        ["code_epci_2020", "nom_epci_2020", "code_epci", "n", "total"]].copy()
    res["nom_courant"] = res["code_epci"].map(nom_courant)
    res["norm"] = res["nom_epci_2020"].map(normaliser_texte)
    change = (res["code_epci_2020"] != res["code_epci"]) | (res["norm"] != res["code_epci"].map(norm_courant))
    return res.loc[change].reset_index(drop=True)


@lru_cache(maxsize=1)
def _anciennes_communes() -> pd.DataFrame:
    """Anciennes communes fusionnées dont le nom n'est plus celui d'une commune en vigueur (nom normalisé)."""
    from .chargement import _lire

    a = _lire("territoires/communes_nouvelles.parquet",
              ["code_commune", "ancien_code", "nom_ancienne_commune", "periode"]).dropna(subset=["nom_ancienne_commune"])
    a = a.assign(norm=a["nom_ancienne_commune"].map(normaliser_texte))
    return a[~a["norm"].isin(set(_noms_normalises("commune")["norm"]))]


def _anciens(cible: str, texte: str, niveaux: list[str]) -> list[tuple]:
    """Correspondances sur les anciens codes et noms communaux et les EPCI de 2020 (avec une note)."""
    lignes = []
    if "commune" in niveaux:
        communes = _noms_normalises("commune").set_index("code")["nom"]
        a = _anciennes_communes()
        for r in a[a["norm"] == cible].itertuples():
            lignes.append((1, "commune", r.code_commune, communes[r.code_commune],
                           f"« {r.nom_ancienne_commune} » ({r.ancien_code}) est une ancienne commune, fusionnée "
                           f"({r.periode}) dans {communes[r.code_commune]} ({r.code_commune})."))
        p = passage_cog()
        code = texte.strip().upper()
        code = "0" + code if code.isdigit() and len(code) == 4 else code
        for _, r in p.loc[p["ancien_code"] == code].iterrows():
            lignes.append((0, "commune", r["code_commune"], communes[r["code_commune"]],
                           f"{code} est un {r['nature']} : code en vigueur {r['code_commune']}."))
    if "epci" in niveaux:
        e = _epci_2020()
        exact = e[(e["code_epci_2020"] == texte.strip()) | (e["norm"] == cible)]
        debut = e[e["norm"].str.startswith(cible) & ~e.index.isin(exact.index)] if cible else e.iloc[:0]
        for df, score in ((exact, 0), (debut, 3)):
            for _, r in df.iterrows():
                lignes.append((score, "epci", r["code_epci"], r["nom_courant"],
                               f"« {r['nom_epci_2020']} » ({r['code_epci_2020']}) était un EPCI au 1er janvier 2020 ; "
                               f"{nombre(r['n'], 0)} de ses {nombre(r['total'], 0)} communes relèvent "
                               "aujourd'hui de cet EPCI."))
    return lignes


#: Formes longues des natures d'EPCI → sigles employés dans les noms officiels.
_SIGLES_EPCI = {"communaute de communes": "cc", "communaute d agglomeration": "ca", "communaute urbaine": "cu"}


def chercher_territoire(texte: str, niveau: str | None = None, n: int = 10) -> pd.DataFrame:
    """Cherche un territoire par son nom (accents et casse ignorés) ou son code.

    Sont reconnus, dans cet ordre : le nom exact ou le code en vigueur, un
    ancien code ou ancien nom communal (commune fusionnée, arrondissement
    municipal…) ou un EPCI du 1er janvier 2020 (code ou nom), le début d'un nom, un mot du nom
    (« lyon » trouve aussi « Métropole de Lyon »), enfin des noms proches
    (fautes de frappe). Une correspondance par un ancien code ou un ancien
    EPCI porte une note en français dans la colonne ``note``.

    Paramètres
    ----------
    texte : str
        Nom (ou début de nom) ou code officiel.
    niveau : str, optionnel
        ``commune``, ``epci``, ``departement`` ou ``region`` ; par défaut tous.
    n : int
        Nombre maximal de réponses.

    Renvoie
    -------
    DataFrame
        ``niveau, code, nom, note`` des meilleures correspondances (codes en vigueur).

    Exemples
    --------
    >>> chercher_territoire("saint etienne", niveau="commune").iloc[0]["code"]
    '42218'
    >>> r = chercher_territoire("75115").iloc[0]
    >>> r["code"], r["note"]
    ('75056', '75115 est un arrondissement municipal : code en vigueur 75056.')
    >>> r = chercher_territoire("saint bois").iloc[0]  # ancien nom d'une commune fusionnée
    >>> r["code"], r["note"]
    ('01015', '« Saint-Bois » (01340) est une ancienne commune, fusionnée (2016) dans Arboys en Bugey (01015).')
    """
    from .chargement import FICHIERS_TERRITOIRES

    niveaux = [niveau] if niveau else list(FICHIERS_TERRITOIRES)
    cible = normaliser_texte(texte)
    for long, court in _SIGLES_EPCI.items():  # « Communauté de communes du … » → « CC du … » (noms officiels)
        cible = re.sub(rf"^{long}\b", court, cible)
    lignes = _anciens(cible, texte, niveaux)
    code = texte.strip().upper()
    mot_entier = re.compile(r"\b" + re.escape(cible) + r"\b") if cible else None
    mot = re.compile(r"\b" + re.escape(cible)) if cible else None
    for niv in niveaux:
        ref = _noms_normalises(niv)
        rien = pd.Series(False, index=ref.index)
        exact = (ref["norm"] == cible) | (ref["code"] == code)
        entier = ref["norm"].str.contains(mot_entier) & ~exact if cible else rien
        debut = ref["norm"].str.startswith(cible) & ~exact & ~entier if cible else rien
        dedans = ref["norm"].str.contains(mot) & ~exact & ~entier & ~debut if cible else rien
        for masque, score in ((exact, 0), (entier, 1), (debut, 2), (dedans, 3)):
            lignes += [(score, niv, c, v, "") for c, v in zip(ref.loc[masque, "code"], ref.loc[masque, "nom"])]
    reste = re.sub(r"^(cc|ca|cu|metropole|communaute)( (du|de la|de l|des|de|d))? ", "", cible)
    if not lignes and reste != cible and "epci" in niveaux:  # « CA du Grand Besançon » → « … Grand Besançon … »
        ref = _noms_normalises("epci")
        masque = ref["norm"].str.contains(r"\b" + re.escape(reste))
        lignes += [(3, "epci", c, v, f"nom le plus proche de « {texte} »")
                   for c, v in zip(ref.loc[masque, "code"], ref.loc[masque, "nom"])]
    if not lignes and cible:
        for niv in niveaux:
            ref = _noms_normalises(niv)
            for rang, p in enumerate(suggestions(cible, ref["norm"].unique(), n=n)):
                proche = ref[ref["norm"] == p]
                lignes += [(4 + rang / 100, niv, c, v, f"nom proche de « {texte} »")
                           for c, v in zip(proche["code"], proche["nom"])]
    if not lignes:
        raise ResultatVide(f"Aucun territoire ne correspond à « {texte} ». Essayez un nom plus court ou un code officiel.")
    res = pd.DataFrame(lignes, columns=["score", "niveau", "code", "nom", "note"])
    res["ordre"] = res["niveau"].map({v: i for i, v in enumerate(FICHIERS_TERRITOIRES)})
    res = res.sort_values(["score", "nom", "ordre"], kind="stable").drop_duplicates(["niveau", "code"])
    return res.head(n).drop(columns=["score", "ordre"]).reset_index(drop=True)
