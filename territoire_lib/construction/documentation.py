"""Génère ``donnees/README.md`` à partir du manifeste, des sources et du catalogue."""
from __future__ import annotations

from pathlib import Path

from .sources import lire_sources

__all__ = ["ecrire_readme"]


def _entier(x) -> str:
    """Entier à la française (espaces fines insécables entre milliers).

    Exemples
    --------
    >>> _entier(65096768.0)
    '65\u202f096\u202f768'
    """
    return f"{int(round(x)):,}".replace(",", "\u202f")


def _section_couverture(journal: dict) -> list[str]:
    lignes = ["", "## Couverture des indicateurs", "",
              "Pour chaque indicateur et millésime : communes renseignées sur le total, communes dont la valeur",
              "n'est connue que pour un ensemble de communes (bloc, `indicateurs/blocs.parquet` : commune rétablie",
              "depuis le millésime), communes sans valeur (motifs au journal et dans `note_population`).", "",
              "| indicateur | millésime | renseignées / total | par un bloc | sans valeur |",
              "|---|---|---:|---:|---:|"]
    for c in journal.get("couverture", []):
        m = c["millesime"] or "—"
        if "hors_donnees" in c:
            lignes.append(f"| `{c['indicateur']}` | {m} | {c['hors_donnees']} | | |")
            continue
        lignes.append(f"| `{c['indicateur']}` | {m} | {_entier(c['avec_valeur'])} / {_entier(c['communes'])} | "
                      f"{_entier(c['par_bloc'])} | {_entier(c['sans_valeur'])} |")
    controles = journal.get("controles_totaux", {})
    if controles:
        lignes += ["", "## Totaux de référence vérifiés à la construction", "",
                   "Somme des communes et des blocs, par département, par région et pour la France, égale",
                   "exactement à la somme des lignes de la source dans sa propre géographie (populations légales",
                   "de l'Insee pour `population_*`, IRIS du recensement 2021 pour les comptages) ; un écart arrête",
                   "la construction.", "",
                   "| colonne | départements | régions | France métropolitaine | France hors Mayotte | blocs | écarts |",
                   "|---|---:|---:|---:|---:|---:|---:|"]
        for col, r in sorted(controles.items()):
            lignes.append(f"| `{col}` | {r['departements_verifies']} | {r['regions_verifiees']} | "
                          f"{_entier(r['france']['France métropolitaine'])} | {_entier(r['france']['France hors Mayotte'])} | "
                          f"{r['blocs_comptes']} | {len(r['ecarts'])} |")
        exclus = next(iter(controles.values()))["exclus"]
        lignes += [""] + [f"Hors contrôle : {code} — {motif}." for code, motif in exclus.items()]
    return lignes


def ecrire_readme(dossier: Path, manif: dict, journal: dict | None = None) -> None:
    """Écrit ``README.md`` dans ``dossier`` : fichiers, sources, millésimes, licences,
    couverture des indicateurs et totaux vérifiés (d'après ``journal``, le journal de construction)."""
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
    lignes += ["", "Toutes les archives sont vérifiées par leur empreinte sha256 (`territoire_lib/sources.toml`)."]
    lignes += _section_couverture(journal or {}) + [""]
    (Path(dossier) / "README.md").write_text("\n".join(lignes), encoding="utf-8")
