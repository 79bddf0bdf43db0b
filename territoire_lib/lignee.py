"""« Pourquoi ce chiffre ? » : la lignée d'une valeur, pour un indicateur, un territoire et un millésime.

:func:`expliquer` rassemble, en français, tout ce qui fait un chiffre :
le paquet source (registre, version, empreinte sha256), le millésime et sa
preuve, la licence, le COG utilisé, la règle d'agrégation du catalogue, les
communes sommées, les communes recomposées (fusions, arrondissements), les
valeurs connues seulement pour un ensemble de communes (blocs) et les
communes sans valeur, avec leur motif.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import agregation
from .catalogue import indicateur
from .chargement import (
    CLES_NIVEAU,
    FICHIERS_TERRITOIRES,
    completude,
    indicateurs,
    table_blocs,
    table_communes,
    territoires,
)
from .erreurs import CodeTerritoireInconnu, NiveauInconnu

__all__ = ["Explication", "expliquer", "motifs_sans_valeur", "REGLES"]

#: La règle d'agrégation de chaque type, en français.
REGLES = {
    "somme": "somme des valeurs des communes du territoire",
    "ratio": "{facteur} × Σ numérateur / Σ dénominateur des communes (jamais une moyenne de ratios)",
    "taux_annuel": "100 × ((Σ population de fin / Σ population de début)^(1 / années) − 1)",
    "moyenne_ponderee": "moyenne des communes pondérée par « {poids} »",
    "part_communes": "part des communes où la condition est vraie",
    "part_population": "part de la population (« {poids} ») des communes où la condition est vraie",
    "categorie": "classe de la commune (pas d'agrégat : sert de regroupement)",
    "valeur_communale": "valeur publiée pour la commune (statistique non additive, pas d'agrégat)",
}
#: Colonnes de statut qui disent pourquoi une colonne de base manque.
_STATUTS = {
    "heures_ouverture_hebdo": "horaires_statut", "jours_ouverture": "horaires_statut",
    "ouvert_samedi": "horaires_statut", "ouvert_apres_18h": "horaires_statut",
    "nb_lieux_mediation": "mediation_couverture", "distance_lieu_mediation_km": "mediation_couverture",
    "nb_elus_sexe_connu": "elus_statut", "nb_femmes_elues": "elus_statut", "nb_elus_age_connu": "elus_statut",
    "age_moyen_elus": "elus_statut", "nb_elus_profession_connue": "elus_statut",
    "nb_elus_retraites": "elus_statut", "nb_elus_agriculteurs": "elus_statut", "nb_elus_cadres": "elus_statut",
    "mairie_lon": "mairie_localisation_statut", "distance_lycee_km": "mairie_localisation_statut",
}
_NOMS_STATUTS = {"horaires_statut": "horaires de la mairie", "mediation_couverture": "couverture de la source",
                 "elus_statut": "élus", "mairie_localisation_statut": "localisation de la mairie"}
_NOMS_NIVEAUX = {"region": "région", "departement": "département", "epci": "EPCI", "commune": "commune"}
_MOTIF_MAYOTTE = ("Mayotte : les sources ne portent que le recensement de 2017 ; pas de valeur au millésime "
                  "demandé")


def _fmt(x, decimales: int = 0) -> str:
    """Nombre à la française (virgule décimale, espace fine insécable pour les milliers)."""
    if x is None or pd.isna(x):
        return "non disponible"
    from .format import nombre

    return nombre(x, decimales)


def motifs_sans_valeur(colonnes: list[str], codes: list[str]) -> dict[str, str]:
    """Motif, en français, de l'absence de valeur de chaque commune de ``codes``.

    Exemples
    --------
    >>> motifs_sans_valeur(["population_2023"], ["97611"])["97611"][:26]
    'population_2023 : Mayotte '
    """
    t = table_communes().set_index("code_commune")
    res = {}
    for code in codes:
        if code not in t.index:
            res[code] = "commune inconnue du COG courant"
            continue
        ligne = t.loc[code]
        motifs = []
        for c in colonnes:
            if c not in t.columns or pd.notna(ligne[c]):
                continue
            motif = None
            if c.startswith("population_") and c[-4:].isdigit() and isinstance(ligne.get("note_population"), str):
                notes = dict(p.split(" : ", 1) for p in ligne["note_population"].split(" ; ") if " : " in p)
                motif = notes.get(c[-4:])
            base, suffixe = c, ""
            if c[-5:-4] == "_" and c[-4:].isdigit() and c[:-5] in _STATUTS:  # série datée : colonne_AAAA
                base, suffixe = c[:-5], c[-5:]
            statut = _STATUTS.get(base, "") + suffixe if base in _STATUTS else None
            if statut not in t.columns and base in _STATUTS:
                statut = _STATUTS[base]
            if motif is None and statut in t.columns and pd.notna(ligne[statut]):
                motif = f"{_NOMS_STATUTS.get(_STATUTS[base], _STATUTS[base])} : {ligne[statut]}"
            if motif is None and c == "surface_km2" and bool(ligne.get("geometrie_manquante", False)):
                motif = "contour absent de la source"
            if motif is None and code.startswith("976"):
                motif = _MOTIF_MAYOTTE
            motifs.append(f"{c} : {motif or 'valeur absente de la source (voir journal_construction.json)'}")
        res[code] = " ; ".join(dict.fromkeys(motifs)) or "valeur présente"
    return res


@dataclass
class Explication:
    """La lignée d'une valeur ; s'affiche en texte (``print``) ou en Markdown (carnet)."""

    indicateur: str
    libelle: str
    niveau: str
    code: str
    nom: str
    millesime: object
    valeur: float | str | None
    unite: str
    statut: str
    regle: str
    sources: list[dict]
    cog: str
    nb_communes: int
    communes: list[str]
    recompositions: list[str] = field(default_factory=list)
    blocs: list[str] = field(default_factory=list)
    sans_valeur: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def lignes(self) -> list[str]:
        m = f", millésime {self.millesime}" if self.millesime is not None else ""
        val = self.valeur if isinstance(self.valeur, str) else _fmt(self.valeur, 0 if self.unite == "habitants" else 2)
        unite = f" {self.unite}" if self.unite not in ("classe", "oui/non") and not pd.isna(self.valeur or 0) else ""
        if val == "non disponible":
            unite = ""
        sorties = [f"Pourquoi ce chiffre ? {self.libelle} — {self.nom} ({_NOMS_NIVEAUX[self.niveau]} {self.code}){m}",
                   f"Valeur : {val}{unite} ({self.statut} ; {agregation.STATUTS.get(self.statut, self.statut)})",
                   f"Règle : {self.regle}"]
        for s in self.sources:
            sorties.append(f"Source : {s['producteur']} — paquet {s['registre']} {s['nom']} {s['version']} "
                           f"(sha256 {s['sha256']}), fichier {s['chemin']} ; millésime vérifié : {s['millesime']}"
                           + (f" ; preuve : {s['preuve']}" if s.get("preuve") else "")
                           + f" ; licence : {s['licence']}")
        sorties.append(f"Géographie : {self.cog}")
        liste = ", ".join(self.communes[:12]) + (" …" if len(self.communes) > 12 else "")
        sorties.append(f"Communes du territoire : {_fmt(self.nb_communes)} ({liste})")
        if self.recompositions:
            sorties.append(f"Communes recomposées ({_fmt(len(self.recompositions))}) : " + " ; ".join(self.recompositions[:8])
                           + (" …" if len(self.recompositions) > 8 else ""))
        for b in self.blocs:
            sorties.append(f"Valeur connue pour un ensemble de communes : {b}")
        if self.sans_valeur:
            sorties.append(f"Communes sans valeur ({_fmt(len(self.sans_valeur))}) :")
            sorties += [f"  - {code} : {motif}" for code, motif in list(self.sans_valeur.items())[:15]]
            if len(self.sans_valeur) > 15:
                sorties.append(f"  … et {_fmt(len(self.sans_valeur) - 15)} autres")
        else:
            sorties.append("Communes sans valeur : aucune")
        sorties += self.notes
        return sorties

    def __str__(self) -> str:
        return "\n".join(self.lignes)

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        l = self.lignes
        return f"**{l[0]}**\n\n" + "\n".join(f"- {x}" if not x.startswith("  - ") else f"    {x.strip()}" for x in l[1:])


def _niveau_du_code(code: str) -> tuple[str, list[str]]:
    """Niveau(x) où ``code`` existe, du plus grand au plus petit."""
    trouves = []
    for niveau in ("region", "departement", "epci", "commune"):
        if code in set(territoires(niveau)[CLES_NIVEAU[niveau]]):
            trouves.append(niveau)
    if not trouves:
        raise CodeTerritoireInconnu(code, "région, département, EPCI ou commune", [])
    return trouves[0], trouves[1:]


def _sources(ind, millesime) -> list[dict]:
    from .construction.sources import lire_sources

    paquets = lire_sources()
    res = []
    for ref in ind.source:
        paquet, fichier = ref.split(":")
        if paquet == "web":
            from .connecteurs.commun import source_web

            s = source_web(fichier)
            res.append({"producteur": s.producteur, "registre": "web", "nom": s.url, "version": str(s.millesime),
                        "sha256": getattr(s, "sha256", "") or "non épinglée", "chemin": s.membre or s.url,
                        "millesime": str(s.millesime), "licence": s.licence})
            continue
        p = paquets[paquet]
        f = p.fichiers[fichier]
        res.append({"producteur": f.producteur, "registre": p.registre, "nom": p.nom, "version": p.version,
                    "sha256": p.sha256, "chemin": f.chemin, "millesime": f.millesime, "preuve": f.preuve,
                    "licence": f.licence})
    if millesime is not None:  # le paquet du millésime demandé, et les sources sans millésime daté
        annees = [a for a in str(millesime).split("-")]
        propres = [s for s in res if any(a in s["millesime"] for a in annees)]
        if propres:
            autres = [s for s in res if s not in propres and not any(str(y) in s["millesime"] for y in range(2000, 2030))]
            res = propres + autres
    return res


def expliquer(indicateur_id: str, code: str, niveau: str | None = None, millesime=None,
              partiel: bool = False) -> Explication:
    """« Pourquoi ce chiffre ? » : tout ce qui fait la valeur d'un indicateur pour un territoire.

    Paramètres
    ----------
    indicateur_id : str
        Identifiant du catalogue.
    code : str
        Code officiel du territoire (commune, EPCI, département, région).
    niveau : str, optionnel
        Niveau du code ; déduit du code sinon (le plus grand niveau où il existe :
        « 52 » est la région Pays de la Loire, ``niveau="departement"`` pour la Haute-Marne).
    millesime : optionnel
        Millésime (défaut : le plus récent).

    Exemples
    --------
    >>> e = expliquer("population", "52", millesime=2023)
    >>> e.niveau, e.statut
    ('region', 'complet')
    >>> "sha256" in str(e)
    True
    """
    ind = indicateur(indicateur_id)
    m = ind.verifier_millesime(millesime)
    code = str(code).strip()
    autres: list[str] = []
    if niveau is None:
        niveau, autres = _niveau_du_code(code)
    if niveau not in FICHIERS_TERRITOIRES:
        raise NiveauInconnu(niveau, list(FICHIERS_TERRITOIRES))
    from .geographie import code_courant

    code = code_courant(code, niveau)
    table = table_communes()
    cle = CLES_NIVEAU[niveau]
    membres = table.loc[table[cle] == code, "code_commune"].tolist() if niveau != "commune" else [code]
    ref = territoires(niveau).set_index(cle)
    nom = ref.loc[code, [c for c in ref.columns if c.startswith("nom_")][0]]
    if ind.agregeable or niveau == "commune":
        df = indicateurs(ind.id, niveau=niveau, millesime=m, codes=[code], partiel=partiel)
        valeur = df[ind.id].iloc[0]
        compl = completude(ind.id, niveau=niveau, millesime=m, codes=[code], partiel=partiel).iloc[0]
        statut = compl["statut"]
        sans = list(compl["codes_sans_valeur"]) if niveau != "commune" else ([code] if compl["nb_sans_valeur"] else [])
        nb_hors = int(compl["nb_hors_champ"])
    else:
        valeur, statut, sans, nb_hors = "non agrégeable (classe de commune)", "non disponible", [], 0
    cols = agregation.colonnes_requises(ind, m)
    a = ind.agregation
    regle = REGLES[a["type"]].format(facteur=a.get("facteur", 1), poids=a.get("poids", ""))
    regle += f" — colonnes {', '.join(cols)}"
    if agregation.base_renseignees(ind):
        regle += f" ; base déclarée : {a.get('base_libelle', 'communes renseignées')}"
    if partiel:
        regle += " ; somme PARTIELLE demandée (partiel=True) : les communes sans valeur sont omises"
    sources = _sources(ind, m)
    from .construction.sources import lire_sources

    courant = lire_sources()["decoupage-courant"]
    cog = (f"code officiel géographique courant ({courant.nom} {courant.version}, "
           f"{courant.fichiers['communes'].millesime.replace('populations légales', 'populations')}) ; "
           "communes fusionnées depuis additionnées, arrondissements de Paris, Lyon et Marseille sommés")
    from .geographie import passage_cog

    p = passage_cog()
    p = p[p["code_commune"].isin(membres)]
    recompositions = [f"{c} ← {', '.join(sorted(g['ancien_code']))} ({g['nature'].iloc[0]})"
                      for c, g in p.groupby("code_commune")]
    b = table_blocs()
    b = b[b["colonne"].isin(cols) & b["code_commune"].isin(membres)]
    blocs = []
    for bloc, g in b.groupby("bloc"):
        blocs.append(f"{bloc} = {_fmt(g['valeur'].iloc[0])} ({g['motif'].iloc[0]})"
                     + ("" if niveau == "commune" else " — compté dans le territoire"))
    notes = []
    if nb_hors:
        notes.append(f"Hors du champ de l'indicateur : {nb_hors} commune(s) de Mayotte (pas de valeur au millésime "
                     "dans les sources) ; elles ne rendent pas l'agrégat incomplet, qui porte sur le reste du territoire.")
    for autre in autres:
        nom_autre = territoires(autre).set_index(CLES_NIVEAU[autre]).iloc[:, 0]
        if code in nom_autre.index:
            notes.append(f"Note : « {code} » est aussi le code d'un(e) {_NOMS_NIVEAUX[autre]} ({nom_autre.loc[code]}) : "
                         f"expliquer({ind.id!r}, {code!r}, niveau={autre!r}).")
    return Explication(
        indicateur=ind.id, libelle=ind.libelle, niveau=niveau, code=code, nom=str(nom), millesime=m,
        valeur=valeur, unite=ind.unite, statut=statut, regle=regle, sources=sources, cog=cog,
        nb_communes=len(membres), communes=membres, recompositions=recompositions, blocs=blocs,
        sans_valeur=motifs_sans_valeur(cols, sans) if sans else {}, notes=notes)
