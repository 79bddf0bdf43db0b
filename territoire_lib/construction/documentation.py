"""Génère ``donnees/README.md`` à partir du manifeste, des sources et du catalogue."""
from __future__ import annotations

from pathlib import Path

from .sources import lire_sources

__all__ = ["ecrire_readme"]


def ecrire_readme(dossier: Path, manif: dict) -> None:
    """Écrit ``README.md`` dans ``dossier`` : fichiers, sources, millésimes, licences."""
    paquets = lire_sources()
    lignes = [
        "# Données construites de Territoires en transition",
        "",
        "Fichier généré par `python -m territoire_lib.construction construire` : ne pas modifier à la main.",
        "Les empreintes, lignes et colonnes de chaque fichier sont dans `manifest.json` ; les codes",
        "non appariés, lignes écartées et leurs motifs dans `journal_construction.json`.",
        "",
        "## Fichiers",
        "",
        "| fichier | lignes | Mo | sources |",
        "|---|---:|---:|---|",
    ]
    for rel, info in sorted(manif["fichiers"].items()):
        lignes.append(f"| `{rel}` | {info['lignes']} | {info['octets'] / 1e6:.1f} | {', '.join(info['sources'])} |")
    lignes += ["", "## Sources", "",
               "| paquet | fichier | contenu | producteur | millésime | licence des données |",
               "|---|---|---|---|---|---|"]
    for p in paquets.values():
        for f in p.fichiers.values():
            lignes.append(f"| {p.registre} `{p.reference}` | `{f.chemin}` | {f.contenu} | {f.producteur} | "
                          f"{f.millesime} | {f.licence} |")
    lignes += ["", "Toutes les archives sont vérifiées par leur empreinte sha256 (`territoire_lib/sources.toml`).", ""]
    (Path(dossier) / "README.md").write_text("\n".join(lignes), encoding="utf-8")
