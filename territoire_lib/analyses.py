"""Enveloppes minces autour de PySAL utilisées par les carnets et les cartes.

Classification des valeurs pour les cartes (``mapclassify``) ; les mesures
d'inégalité (``inequality``) et d'autocorrélation (``esda``, ``libpysal``)
s'ajoutent ici au fil des carnets thématiques.
"""
from __future__ import annotations

from dataclasses import dataclass

import warnings

import numpy as np
import pandas as pd

__all__ = ["METHODES", "Classes", "classer", "formater_nombre", "position"]

#: Méthodes de classification proposées (nom français → classe mapclassify).
METHODES = {
    "quantiles": ("Quantiles", "quantiles"),
    "jenks": ("FisherJenks", "seuils naturels (Fisher-Jenks)"),
    "intervalles_egaux": ("EqualInterval", "intervalles égaux"),
    "manuelle": ("UserDefined", "bornes choisies"),
}


#: Au-delà de ce nombre de valeurs, Fisher-Jenks est estimé sur un échantillon de cette taille
#: (FisherJenksSampled, aléatoire à graine fixe) : la version exacte est quadratique.
SEUIL_JENKS_ECHANTILLON = 1500


@dataclass(frozen=True)
class Classes:
    """Résultat d'une classification : bornes supérieures, libellés, classe de chaque valeur."""

    bornes: tuple[float, ...]
    libelles: tuple[str, ...]
    indices: np.ndarray  # -1 pour une valeur manquante
    methode: str
    centre: float | None

    @property
    def nb_negatives(self) -> int:
        """Nombre de classes sous le centre (palette divergente)."""
        if self.centre is None:
            return 0
        return sum(1 for b in self.bornes if b <= self.centre)

    @property
    def description(self) -> str:
        """Méthode en clair, pour la légende."""
        texte = f"{METHODES[self.methode][1]}, {len(self.bornes)} classes"
        return texte + (f", centrées sur {formater_nombre(self.centre)}" if self.centre is not None else "")


def formater_nombre(x: float, decimales: int | None = None) -> str:
    """Nombre à la française : voir :func:`territoire_lib.format.nombre` (le formateur unique).

    Exemples
    --------
    >>> formater_nombre(1234567.891, 1) == "1\u202f234\u202f567,9"
    True
    >>> formater_nombre(-0.25)
    '-0,25'
    """
    from .format import nombre

    return nombre(x, decimales)


def _decimales(bornes: np.ndarray) -> int:
    if np.all(np.mod(bornes, 1) == 0):
        return 0
    ecart = np.diff(np.sort(bornes)) if len(bornes) > 1 else np.array([abs(bornes[0]) or 1])
    plus_petit = np.min(np.abs(ecart[ecart > 0])) if (ecart > 0).any() else 1.0
    return int(min(3, max(0, -np.floor(np.log10(plus_petit)) + 1)))


def _libelles(bornes: np.ndarray, unite: str) -> list[str]:
    d = _decimales(bornes)
    f = lambda b: formater_nombre(float(b), d)  # noqa: E731
    suffixe = f" {unite}" if unite and unite not in ("classe", "oui/non") else ""
    if len(bornes) == 1:
        return [f"jusqu'à {f(bornes[0])}{suffixe}"]
    libelles = [f"{f(bornes[0])}{suffixe} ou moins"]
    libelles += [f"de {f(a)} à {f(b)}{suffixe}" for a, b in zip(bornes[:-2], bornes[1:-1])]
    libelles.append(f"plus de {f(bornes[-2])}{suffixe}")
    return libelles


def _bornes(valeurs: np.ndarray, methode: str, k: int, bornes_manuelles) -> np.ndarray:
    if methode == "manuelle":
        if not bornes_manuelles:
            raise ValueError("La classification « manuelle » demande des bornes, par exemple bornes=[10, 20, 30].")
        b = np.asarray(sorted(bornes_manuelles), dtype=float)
        return b if b[-1] >= valeurs.max() else np.append(b, valeurs.max())
    import mapclassify  # import différé : mapclassify charge scipy.stats et scikit-learn (≈ 110 Mo)

    nom = METHODES[methode][0]
    k = max(1, min(k, len(np.unique(valeurs))))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba not installed")  # version Python, plus lente
        if nom == "FisherJenks" and len(valeurs) > SEUIL_JENKS_ECHANTILLON:
            # Fisher-Jenks exact est quadratique : sur les communes, on l'estime sur un échantillon
            pct = SEUIL_JENKS_ECHANTILLON / len(valeurs)
            etat = np.random.get_state()
            np.random.seed(0)  # même échantillon à chaque exécution (carnets reproductibles)
            try:
                return np.asarray(mapclassify.FisherJenksSampled(valeurs, k=k, pct=pct, truncate=False).bins,
                                  dtype=float)
            finally:
                np.random.set_state(etat)
        return np.asarray(getattr(mapclassify, nom)(valeurs, k=k).bins, dtype=float)


def classer(
    valeurs: pd.Series,
    methode: str = "quantiles",
    k: int = 5,
    bornes: list[float] | None = None,
    centre: float | None = None,
    unite: str = "",
) -> Classes:
    """Classe des valeurs pour une carte choroplèthe (``mapclassify``).

    Paramètres
    ----------
    valeurs : Series
        Valeurs à classer ; les manquantes reçoivent la classe -1.
    methode : {"quantiles", "jenks", "intervalles_egaux", "manuelle"}
    k : int
        Nombre de classes (hors « manuelle »).
    bornes : liste de float, optionnel
        Bornes supérieures pour la méthode « manuelle ».
    centre : float, optionnel
        Pour une palette divergente (taux d'évolution) : ``centre`` devient
        une borne, les classes de part et d'autre sont calculées séparément.
    unite : str
        Unité ajoutée aux libellés.

    Exemples
    --------
    >>> c = classer(pd.Series([1.0, 2.0, 3.0, 4.0, None]), "intervalles_egaux", k=3)
    >>> c.libelles
    ('2 ou moins', 'de 2 à 3', 'plus de 3')
    >>> c.indices.tolist()
    [0, 0, 1, 2, -1]
    >>> classer(pd.Series([-2.0, -1.0, 1.0, 2.0, 3.0]), k=4, centre=0).bornes
    (-1.5, 0.0, 2.0, 3.0)
    """
    if methode not in METHODES:
        raise ValueError(f"Méthode de classification inconnue « {methode} ». Méthodes : {', '.join(METHODES)}.")
    x = pd.to_numeric(valeurs, errors="coerce").astype("float64").to_numpy()
    ok = ~np.isnan(x)
    if not ok.any():
        raise ValueError("Aucune valeur renseignée : impossible de construire des classes.")
    v = x[ok]
    if centre is not None and methode != "manuelle" and v.min() < centre < v.max():
        neg, pos = v[v <= centre], v[v > centre]
        k_neg = int(np.clip(round(k * len(neg) / len(v)), 1, k - 1))
        b_neg = _bornes(neg, methode, k_neg, None)
        b_neg = np.append(b_neg[:-1], centre)
        b = np.concatenate([b_neg, _bornes(pos, methode, k - len(b_neg), None)])
    else:
        b = _bornes(v, methode, k, bornes)
        centre = centre if (centre is not None and methode == "manuelle" and centre in b) else None
    b = np.unique(b)
    indices = np.full(len(x), -1)
    indices[ok] = np.minimum(np.searchsorted(b, v, side="left"), len(b) - 1)
    return Classes(tuple(float(z) for z in b), tuple(_libelles(b, unite)), indices, methode, centre)


def position(code: str, ids: list[str], niveau: str = "departement", millesime=None) -> pd.DataFrame:
    """Position d'un territoire dans la distribution de chaque indicateur, au regard de la France.

    Paramètres
    ----------
    code : str
        Code officiel du territoire (un ancien code communal est traduit).
    ids : liste de str
        Indicateurs du catalogue (agrégeables).
    niveau : str
        ``commune``, ``epci``, ``departement`` ou ``region``.
    millesime : int, str ou dict, optionnel
        Comme pour :func:`territoire_lib.indicateurs`.

    Renvoie
    -------
    DataFrame
        Une ligne par indicateur : ``valeur``, ``rang`` (1 = valeur la plus élevée), ``sur``
        (territoires renseignés), ``centile`` (% des territoires renseignés ayant une valeur
        inférieure), ``mediane`` (des territoires du niveau) et ``france`` (valeur de la France
        entière, recalculée depuis les communes), ``unite``.

    Exemples
    --------
    >>> p = position("23", ["part_65_ans_et_plus"], niveau="departement")
    >>> int(p.loc["part_65_ans_et_plus", "rang"])
    1
    """
    from .catalogue import indicateur
    from .chargement import indicateurs
    from .geographie import code_courant

    code = code_courant(code, niveau)
    df = indicateurs(ids, niveau=niveau, millesime=millesime)
    france = indicateurs(ids, niveau="france", millesime=millesime).iloc[0]
    lignes = []
    for i in ids:
        ind = indicateur(i)
        v = df[i].astype("float64").dropna()
        x = float(df.loc[code, i]) if pd.notna(df.loc[code, i]) else np.nan
        lignes.append({
            "indicateur": i, "libelle": ind.libelle, "unite": ind.unite, "valeur": x,
            "rang": int((v > x).sum() + 1) if not np.isnan(x) else pd.NA, "sur": int(len(v)),
            "centile": float(100 * (v < x).mean()) if not np.isnan(x) else np.nan,
            "mediane": float(v.median()),
            "france": float(france[i]),
        })
    return pd.DataFrame(lignes).set_index("indicateur")
