"""Territoires : codes courants, traduction des anciens codes, recherche par nom."""
from __future__ import annotations

import warnings
from functools import lru_cache

import pandas as pd

from .erreurs import CodeTerritoireInconnu, ResultatVide, normaliser_texte, suggestions

__all__ = ["AvertissementCodeAncien", "code_courant", "codes_courants", "chercher_territoire", "passage_cog"]

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

    code = str(code).strip().upper() if niveau == "commune" else str(code).strip()
    if niveau == "commune" and code.isdigit() and len(code) == 4:
        code = "0" + code  # « 1001 » : zéro initial perdu par un tableur
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

    Les codes déjà courants sont reconnus en une passe (le référentiel n'est lu
    qu'une fois) : seuls les autres passent par :func:`code_courant`.

    Exemples
    --------
    >>> codes_courants(["01001", "01001", "75056"])
    ['01001', '75056']
    """
    from .chargement import territoires

    connus = set(territoires(niveau)[_cle(niveau)])
    vus: dict[str, None] = {}
    for c in codes:
        vus[c if c in connus else code_courant(c, niveau)] = None
    return list(vus)


def chercher_territoire(texte: str, niveau: str | None = None, n: int = 10) -> pd.DataFrame:
    """Cherche un territoire par son nom (accents et casse ignorés) ou son code.

    Renvoie
    -------
    DataFrame
        ``niveau, code, nom`` des meilleures correspondances.

    Exemples
    --------
    >>> chercher_territoire("saint etienne", niveau="commune").iloc[0]["code"]
    '42218'
    """
    from .chargement import FICHIERS_TERRITOIRES, territoires

    cible = normaliser_texte(texte)
    lignes = []
    for niv in [niveau] if niveau else list(FICHIERS_TERRITOIRES):
        ref = territoires(niv)
        cle, nom = _cle(niv), next(c for c in ref.columns if c.startswith("nom_"))
        norm = ref[nom].map(normaliser_texte)
        exact = ref[(norm == cible) | (ref[cle] == texte.strip())]
        debut = ref[norm.str.startswith(cible) & ~ref.index.isin(exact.index)]
        for df, score in ((exact, 0), (debut, 1)):
            lignes += [(score, niv, c, v) for c, v in zip(df[cle], df[nom])]
        if not lignes:
            for p in suggestions(cible, norm.unique(), n=n):
                lignes += [(2, niv, c, v) for c, v in zip(ref.loc[norm == p, cle], ref.loc[norm == p, nom])]
    if not lignes:
        raise ResultatVide(f"Aucun territoire ne correspond à « {texte} ». Essayez un nom plus court ou un code officiel.")
    res = pd.DataFrame(lignes, columns=["score", "niveau", "code", "nom"])
    return res.sort_values(["score", "nom"]).head(n).drop(columns="score").reset_index(drop=True)
