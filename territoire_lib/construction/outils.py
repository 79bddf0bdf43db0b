"""Petits outils partagés par les modules de construction."""
from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["exemples", "colonne_requise", "date_reference"]


def exemples(codes, n: int = 10) -> list[str]:
    """Les ``n`` premiers codes, en chaînes (pour un rapport ou un message).

    Exemples
    --------
    >>> exemples(["01001", 2], n=1)
    ['01001']
    """
    return [str(c) for c in list(codes)[:n]]


def colonne_requise(table: pd.DataFrame, colonne: str) -> None:
    """Lève une ``KeyError`` en français si ``colonne`` manque à ``table``."""
    if colonne not in table.columns:
        raise KeyError(
            f"Colonne « {colonne} » absente. Colonnes disponibles : "
            f"{', '.join(map(str, table.columns))}."
        )


def date_reference(valeur: Any) -> pd.Timestamp:
    """Une date de référence valide (minuit), ou une ``ValueError`` qui dit le format attendu.

    Exemples
    --------
    >>> date_reference("2026-03-15")
    Timestamp('2026-03-15 00:00:00')
    """
    try:
        date = pd.Timestamp(valeur)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"Date de référence invalide : « {valeur} ». Format attendu : AAAA-MM-JJ, par exemple « 2026-03-15 »."
        ) from exc
    if pd.isna(date):
        raise ValueError("Date de référence manquante : donnez une date AAAA-MM-JJ, par exemple « 2026-03-15 ».")
    return date.normalize()
