"""Rendu statique des graphiques Vega-Lite (PNG, SVG, HTML autonome) hors du noyau.

``vl_convert`` embarque un moteur JavaScript (V8) qui, une fois lancé, reste en
mémoire dans le processus (≈ 130 Mo). Dans un atelier, chaque participant a
son noyau : les exports sont donc faits dans un processus Python à part, lancé
pour l'occasion (un seul pour tous les fichiers d'un export), et la mémoire est
rendue dès la fin. Le paquet JavaScript (Vega, Vega-Lite, Vega-Embed) inclus dans
les pages autonomes est gardé dans le cache, par version de ``vl-convert``.
"""
from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version as version_paquet
from pathlib import Path

from .chemins import dossier_cache

__all__ = ["rendre", "paquet_javascript"]

#: Formats produits par :func:`rendre`.
FORMATS = ("png", "svg", "html")


def _travailler(taches: list[dict]) -> None:
    """Exécuté dans le processus de rendu : écrit chaque fichier demandé."""
    import vl_convert as vlc

    for t in taches:
        options = {"vl_version": t["version"]}
        if t["format"] == "bundle":
            Path(t["chemin"]).write_text(vlc.javascript_bundle(**options), encoding="utf-8")
            continue
        options["format_locale"] = "fr-FR"
        if t["format"] == "png":
            Path(t["chemin"]).write_bytes(vlc.vegalite_to_png(t["spec"], scale=t["echelle"], **options))
        elif t["format"] == "svg":
            Path(t["chemin"]).write_text(vlc.vegalite_to_svg(t["spec"], **options), encoding="utf-8")
        else:
            Path(t["chemin"]).write_text(vlc.vegalite_to_html(t["spec"], bundle=True, **options), encoding="utf-8")


def _executer(taches: list[dict]) -> None:
    code = "import json, sys; from territoire_lib.rendu import _travailler; _travailler(json.load(sys.stdin))"
    res = subprocess.run([sys.executable, "-c", code], input=json.dumps(taches), text=True,
                         capture_output=True, cwd=Path(__file__).resolve().parent.parent)
    if res.returncode != 0:
        raise RuntimeError("Le rendu statique (vl-convert) a échoué pour "
                           f"{', '.join(str(t['chemin']) for t in taches)} : {res.stderr.strip()[-800:]}")


def rendre(fichiers: dict[str | Path, dict], version: str, echelle: float = 2.0) -> list[Path]:
    """Écrit chaque spécification Vega-Lite dans son fichier (format = extension), en un seul processus.

    Paramètres
    ----------
    fichiers : dict
        Chemin (``.png``, ``.svg`` ou ``.html`` autonome) → spécification Vega-Lite (dict).
    version : str
        Version de Vega-Lite (celle d'Altair, par ex. ``"5.20"``).
    echelle : float
        Facteur d'échelle des PNG.

    Exemples
    --------
    >>> import tempfile
    >>> spec = {"data": {"values": [{"a": 1}]}, "mark": "bar", "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.suffix for p in rendre({Path(d) / "g.png": spec, Path(d) / "g.svg": spec}, "5.20")]
    ['.png', '.svg']
    """
    taches = []
    for chemin, spec in fichiers.items():
        chemin = Path(chemin)
        fmt = chemin.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise ValueError(f"Format de rendu inconnu : « {chemin.suffix} ». Formats possibles : "
                             f"{', '.join('.' + f for f in FORMATS)}.")
        taches.append({"format": fmt, "spec": spec, "chemin": str(chemin.resolve()), "version": version,
                       "echelle": echelle})
    if taches:
        _executer(taches)
    return [Path(t["chemin"]) for t in taches]


def paquet_javascript(version: str) -> str:
    """Vega, Vega-Lite et Vega-Embed en un seul script (pour une page autonome), gardé dans le cache."""
    cible = dossier_cache() / "vl-convert" / f"bundle-{version_paquet('vl-convert-python')}-vl{version}.js"
    if not cible.exists():
        cible.parent.mkdir(parents=True, exist_ok=True)
        provisoire = cible.with_suffix(".tmp.js")
        _executer([{"format": "bundle", "chemin": str(provisoire), "version": version}])
        provisoire.replace(cible)
    return cible.read_text(encoding="utf-8")
