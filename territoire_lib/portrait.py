"""Portrait d'un territoire : fiche d'indicateurs, voisins, cartes et export autonome.

Le portrait rassemble, pour une commune, un EPCI, un département ou une
région, les indicateurs agrégeables du catalogue rangés par thème, avec leur
valeur, leur rang, leur position dans la France entière et parmi les
territoires de la même classe :

- commune : même degré d'urbanisation (DEGURBA, niveau 1) ;
- EPCI : même nature (métropole, communauté urbaine, d'agglomération, de communes) ;
- département et région : même zone (France métropolitaine ou DROM).

Les voisins sont les territoires contigus (contiguïté « reine » de
``libpysal``, comme dans :mod:`territoire_lib.spatial`). L'export produit UNE
page HTML autonome (Vega, Vega-Lite et Vega-Embed inclus par ``vl_convert``,
comme :meth:`territoire_lib.cartes.Carte.exporter`), lisible hors ligne, et les
graphiques en PNG, tous marqués de leurs sources et millésimes.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .analyses import formater_nombre
from .cartes import LOCALE_FR, VERSION_VEGA_LITE, Carte, _topojson, carte, texte_completude
from .catalogue import catalogue, indicateur, ligne_source
from .chargement import CLES_NIVEAU, _lire, indicateurs, table_communes, territoires
from .erreurs import NiveauInconnu, ResultatVide
from .geographie import chercher_territoire, code_courant

if TYPE_CHECKING:
    import altair as alt

__all__ = [
    "THEMES",
    "CLASSES",
    "Portrait",
    "indicateurs_portrait",
    "trouver_territoire",
    "voisins",
    "fiche_portrait",
    "carte_voisinage",
    "graphique_positions",
    "section_modeles",
    "portrait",
    "selecteur_portrait",
    "exporter_tableur",
]

#: Thèmes du catalogue, dans l'ordre de la fiche, avec leur titre.
THEMES = {
    "metropolisation": "Métropolisation : excellence et déclassement",
    "mobilites": "Mobilités, démobilités et services de proximité",
    "numerique": "Numérique et services en ligne",
    "collaboratif": "Coopérations et acteurs",
    "socle": "Repères",
}
#: Classe de comparaison de chaque niveau : (regroupement du catalogue, colonne des communes, libellé).
CLASSES = {
    "commune": ("degurba", "degurba_niveau1_libelle", "même degré d'urbanisation"),
    "epci": ("nature_epci", "nature_epci", "même nature d'EPCI"),
    "departement": ("zone", "zone", "même zone"),
    "region": ("zone", "zone", "même zone"),
}
NOMS_CLASSES = {"ME": "Métropoles", "CU": "Communautés urbaines", "CA": "Communautés d'agglomération",
                "CC": "Communautés de communes", "metro": "France métropolitaine", "drom": "DROM"}
NOMS_NIVEAU = {"commune": "commune", "epci": "EPCI", "departement": "département", "region": "région"}
PLURIELS = {"commune": "communes", "epci": "EPCI", "departement": "départements", "region": "régions"}
COULEURS = {"France": "#08519c", "Classe": "#e6550d"}


# --------------------------------------------------------------------------- choix du territoire
def indicateurs_portrait() -> list[str]:
    """Indicateurs agrégeables du catalogue (sources en ligne : si en cache), rangés par thème.

    Exemples
    --------
    >>> ids = indicateurs_portrait()
    >>> ids[0], "degurba" in ids
    ('population', False)
    """
    from .connecteurs import disponible

    cat = catalogue()
    # Classes de communes et statistiques non additives (médianes) : pas de rang ni de classe ;
    # sources en ligne : seulement si elles sont déjà dans le cache (jamais de réseau ici).
    cat = cat[~cat["agregation"].isin(["categorie", "valeur_communale"])
              & cat["source_web"].fillna("").map(lambda s: not s or disponible(s))].copy()
    cat["ordre"] = cat["theme"].map({t: i for i, t in enumerate(THEMES)}).fillna(len(THEMES))
    return cat.sort_values("ordre", kind="stable")["id"].tolist()


def trouver_territoire(texte: str, niveau: str | None = None) -> dict:
    """Le territoire le plus proche de ``texte`` (nom, code en vigueur ou ancien).

    Renvoie
    -------
    dict
        ``niveau, code, nom, note`` ; ``note`` (en français) signale un ancien
        code, un EPCI de 2020, un nom approché ou d'autres territoires de même nom
        (le plus vaste est alors retenu : « Doubs » désigne le département).

    Exemples
    --------
    >>> t = trouver_territoire("besancon")
    >>> t["niveau"], t["code"], t["nom"]
    ('commune', '25056', 'Besançon')
    >>> trouver_territoire("75112")["note"]
    '75112 est un arrondissement municipal : code en vigueur 75056.'
    """
    if niveau is not None and niveau not in CLES_NIVEAU:
        raise NiveauInconnu(niveau, list(CLES_NIVEAU))
    res = chercher_territoire(texte, niveau=niveau, n=10)
    homonymes = res[(res["nom"].str.lower() == str(res["nom"].iloc[0]).lower()) & (res["note"] == res["note"].iloc[0])]
    if len(homonymes) > 1:  # même nom à plusieurs niveaux (« Doubs ») : le plus vaste d'abord
        rang = homonymes["niveau"].map({n: i for i, n in enumerate(CLES_NIVEAU)})
        choix = homonymes.loc[rang.idxmax()].to_dict()
        autres = ", ".join(f"{NOMS_NIVEAU[r.niveau]} {r.code}" for r in homonymes.itertuples() if r.code != choix["code"])
        choix["note"] = choix["note"] or f"Même nom : {autres} (précisez le niveau ou le code)."
        return choix
    return res.iloc[0].to_dict()


# --------------------------------------------------------------------------- voisins
def voisins(code: str, niveau: str = "commune") -> list[str]:
    """Codes des territoires contigus (contiguïté « reine », ``libpysal``), triés.

    Lus dans la table de contiguïté construite avec les données (celle de
    :func:`territoire_lib.spatial.poids_contiguite`), filtrée à la lecture sur
    ``code`` : ni contour ni graphe ``libpysal`` à charger (≈ 140 Mo de moins
    pour les communes). Une île (lien à elle-même de poids nul) ou un
    territoire sans contour n'a pas de voisin : liste vide.

    Exemples
    --------
    >>> voisins("75", "departement")
    ['92', '93', '94']
    >>> voisins("29083", "commune")  # Île-de-Sein
    []
    """
    from .spatial import NIVEAUX_CONTOURS

    if niveau not in NIVEAUX_CONTOURS:
        raise NiveauInconnu(niveau, list(NIVEAUX_CONTOURS))
    code = code_courant(code, niveau)
    liens = _lire(f"geo/contiguite_{niveau}.parquet", ["voisin", "poids"], [("code", "==", code)])
    return sorted(str(v) for v, p in zip(liens["voisin"], liens["poids"]) if p > 0 and str(v) != code)


# --------------------------------------------------------------------------- fiche
def _classe_de(code: str, niveau: str) -> str | None:
    _, colonne, _ = CLASSES[niveau]
    if niveau == "commune":
        t = table_communes()
        v = t.loc[t["code_commune"] == code, colonne]
    else:
        ref = territoires(niveau)
        v = ref.loc[ref[CLES_NIVEAU[niveau]] == code, colonne]
    return None if v.empty or pd.isna(v.iloc[0]) else str(v.iloc[0])


@lru_cache(maxsize=8)
def _membres(niveau: str) -> pd.Series:
    """Classe de chaque territoire du niveau (indexée par code)."""
    _, colonne, _ = CLASSES[niveau]
    if niveau == "commune":
        t = table_communes()
        return t.set_index("code_commune")[colonne]
    ref = territoires(niveau)
    return ref.set_index(CLES_NIVEAU[niveau])[colonne]


@lru_cache(maxsize=8)
def _valeurs(niveau: str, ids: tuple[str, ...]) -> pd.DataFrame:
    return indicateurs(list(ids), niveau=niveau)


def _position(v: pd.Series, x: float) -> tuple:
    """Rang (1 = plus forte valeur), effectif renseigné et centile médian de ``x`` dans ``v``.

    Centile médian (*mid-rank*) : ``100 × (nb de valeurs inférieures + ½ × nb de valeurs
    égales) / n`` — les ex aequo comptent pour moitié : une commune sans lycée, comme 95 %
    des communes, est au centile 48, pas au centile 0 (« la plus singulière »). Même règle
    que :func:`territoire_lib.indices.normaliser`.

    >>> _position(pd.Series([0.0, 0.0, 0.0, 5.0]), 0.0)
    (2, 4, 37.5)
    """
    v = v.dropna()
    if np.isnan(x) or v.empty:
        return pd.NA, int(len(v)), np.nan
    return int((v > x).sum() + 1), int(len(v)), float(100 * ((v < x).sum() + 0.5 * (v == x).sum()) / len(v))


@lru_cache(maxsize=128)
def _france(ident: str) -> float:
    return _flottant(indicateurs(ident, niveau="france")[ident].iloc[0])


#: Indicateurs connus seulement en Auvergne-Rhône-Alpes (lieux de médiation numérique).
REGION_MEDIATION = "84"
NON_COUVERT = "non couvert (source limitée à l'Auvergne-Rhône-Alpes)"


def _regional(ind) -> bool:
    return "Auvergne-Rhône-Alpes uniquement" in str(ind.couverture)


def _dans_region(code: str, niveau: str, region: str = REGION_MEDIATION) -> bool:
    """Le territoire est-il (entièrement) dans la région couverte ?"""
    t = table_communes()
    if niveau == "region":
        return code == region
    cle = CLES_NIVEAU[niveau]
    regions = t.loc[t[cle] == code, "code_region"].dropna().unique()
    return len(regions) > 0 and set(regions) == {region}


def _lecture(centile: float, binaire: bool, x: float, nom_pluriel: str) -> str:
    """Lecture en une expression : « centile 58 des communes »."""
    if binaire:
        return "oui" if x == 1 else "non" if x == 0 else "non disponible"
    if np.isnan(centile):
        return "non disponible (hors de la couverture de la source, voir le catalogue)"
    return f"centile {int(round(centile))} des {nom_pluriel} (ex aequo comptés pour moitié)"


def _references(ind, serie: pd.Series, meme_classe, par_classe: pd.DataFrame, classe) -> tuple[float, float, str]:
    """Valeurs de référence de la classe et de la France : toujours celles de l'**ensemble**
    (recalculées depuis les communes : total pour un effectif, ratio des sommes pour une part).

    La médiane des territoires, seule comparable pour un effectif, est donnée à part
    (colonnes ``mediane_classe`` et ``mediane``), étiquetée comme médiane.
    """
    v_classe = _flottant(par_classe.loc[classe, ind.id]) if classe in par_classe.index else np.nan
    return v_classe, _france(ind.id), "ensemble"


def _flottant(x) -> float:
    """Valeur en float ; une valeur manquante (NA, agrégat incomplet) devient NaN, jamais 0."""
    return float("nan") if pd.isna(x) else float(x)


def fiche_portrait(code: str, niveau: str = "commune", ids: list[str] | None = None) -> pd.DataFrame:
    """Fiche d'un territoire : une ligne par indicateur (format « tidy »).

    Paramètres
    ----------
    code : str
        Code officiel du territoire (un ancien code communal est traduit).
    niveau : {"commune", "epci", "departement", "region"}
    ids : liste de str, optionnel
        Indicateurs (par défaut :func:`indicateurs_portrait`, millésime le plus récent).

    Renvoie
    -------
    DataFrame
        ``theme, theme_libelle, indicateur, libelle, unite, millesime, valeur, rang, sur,
        centile, classe, valeur_classe, rang_classe, sur_classe, centile_classe, france,
        reference, mediane_classe, mediane, lecture, completude, source``. ``rang`` : 1 = valeur la plus
        élevée du niveau ; ``centile`` : centile médian parmi les territoires du niveau (part
        des valeurs inférieures, les ex aequo comptant pour moitié) ; ``*_classe`` : idem
        parmi les territoires de la même classe ; ``valeur_classe`` et ``france`` : valeurs de
        la classe entière et de la France entière (l'ensemble, recalculé depuis ses communes :
        le total pour un effectif) ; ``mediane_classe`` et ``mediane`` : médianes des
        territoires de la classe et du niveau. Un indicateur oui/non d'une commune n'a pas
        de rang (``pd.NA``). Un indicateur connu seulement en Auvergne-Rhône-Alpes (médiation
        numérique) est « non couvert » pour un territoire hors de cette région, et n'y est
        jamais comparé à des valeurs de la région.

    Exemples
    --------
    >>> f = fiche_portrait("25", "departement").set_index("indicateur")
    >>> f.loc["population", "classe"], int(f.loc["population", "valeur"]) > 500_000
    ('France métropolitaine', True)
    """
    if niveau not in CLASSES:
        raise NiveauInconnu(niveau, list(CLASSES))
    code = code_courant(code, niveau)
    ids = tuple(ids or indicateurs_portrait())
    valeurs = _valeurs(niveau, ids)
    regroupement, _, _ = CLASSES[niveau]
    classe = _classe_de(code, niveau)
    membres = _membres(niveau)
    meme_classe = valeurs.index.isin(membres.index[membres == classe]) if classe else np.zeros(len(valeurs), bool)
    par_classe = _valeurs(regroupement, ids)
    nom_pluriel = PLURIELS[niveau]
    lignes = []
    for i in ids:
        ind = indicateur(i)
        binaire = niveau == "commune" and ind.agregation["type"] == "part_communes"
        serie = pd.to_numeric(valeurs[i], errors="coerce").astype("float64")
        x = float(serie.get(code, np.nan))
        rang, sur, centile = _position(serie, x)
        rang_c, sur_c, centile_c = _position(serie[meme_classe], x)
        if binaire:
            rang, centile, rang_c, centile_c = pd.NA, np.nan, pd.NA, np.nan
        v_classe, v_france, reference = _references(ind, serie, meme_classe, par_classe, classe)
        med_classe, med = float(serie[meme_classe].median()), float(serie.median())
        lecture = _lecture(centile, binaire, x, nom_pluriel)
        if _regional(ind):
            # la France et la classe ne sont connues que par leurs communes d'Auvergne-Rhône-Alpes
            v_classe = v_france = med_classe = med = np.nan
            reference = "non couvert hors Auvergne-Rhône-Alpes"
            if not _dans_region(code, niveau):
                x, rang, centile, rang_c, centile_c, lecture = np.nan, pd.NA, np.nan, pd.NA, np.nan, NON_COUVERT
        info = valeurs.attrs.get("completude", {}).get(i, {}).get("territoires", {}).get(code)
        if info and np.isnan(x) and info["statut"] == "incomplet":
            lecture = (f"non calculé : {formater_nombre(info['nb_sans_valeur'], 0)} commune(s) sans valeur "
                       f"sur {formater_nombre(info['nb_communes'], 0)} "
                       f"— voir expliquer({i!r}, {code!r}, niveau={niveau!r})")
        lignes.append({
            "theme": ind.theme, "theme_libelle": THEMES.get(ind.theme, ind.theme), "indicateur": i,
            "libelle": ind.libelle, "millesime": ind.millesime_defaut,
            "unite": "% des communes" if ind.agregation["type"] == "part_communes" and not binaire else ind.unite,
            "valeur": x, "rang": rang, "sur": sur, "centile": centile,
            "classe": NOMS_CLASSES.get(classe, classe) if classe else pd.NA,
            "valeur_classe": v_classe, "rang_classe": rang_c, "sur_classe": sur_c, "centile_classe": centile_c,
            "france": v_france, "reference": reference, "mediane_classe": med_classe, "mediane": med,
            "lecture": lecture,
            "completude": texte_completude(info) if info else "complet",
            "source": ligne_source(i),
        })
    return pd.DataFrame(lignes)


@lru_cache(maxsize=2)
def _scores_modeles(niveau: str) -> pd.DataFrame:
    from .modeles import scores_modeles

    # le bilan des scores manquants est dit dans le carnet 05, pas dans chaque portrait
    return scores_modeles(niveau, rapporter=False).set_index("code")


def _section_modele(code: str, niveau: str) -> str:
    """Les sept modèles de territoire (carnet 05) : scores standardisés et stabilité, en HTML.

    Jamais un seul « modèle le plus proche » présenté comme un verdict : les sept scores, la
    part des scénarios de construction (normalisation × indicateur retiré × pondération) où
    chaque modèle domine, et, pour chaque modèle au-dessus de la moyenne, les seuls
    indicateurs où le territoire est au-dessus de la médiane dans le sens du modèle.

    Exemples
    --------
    >>> h = _section_modele("243100518", "epci")
    >>> "Compétitivité territoriale" in h, "modèle le plus proche" in h
    (True, False)
    """
    titre = "<h3>Les sept modèles de territoire (carnet 05) : scores et stabilité</h3>"
    if niveau not in ("epci", "commune"):
        return titre + "<p>Les modèles sont calculés pour les intercommunalités et les communes seulement.</p>"
    from .modeles import profil_territoire, profils_modeles, stabilite_modeles

    ligne = _scores_modeles(niveau).loc[code]
    if pd.isna(ligne["modele_dominant"]):
        return titre + "<p>Non disponible : trop d'indicateurs manquent pour ce territoire.</p>"
    noms = {m["id"]: m["nom"] for m in profils_modeles()}
    stab = stabilite_modeles(niveau)
    freq = stab.frequences.loc[code] if code in stab.frequences.index else pd.Series(dtype=float)
    p = profil_territoire(code, niveau)
    lignes = []
    for m in sorted(noms, key=lambda m: -float(ligne[m])):
        score = float(ligne[m])
        g = p[(p["modele"] == m) & p["centile_oriente"].notna()]
        forts = g[g["centile_oriente"] > 50].sort_values("centile_oriente", ascending=False)
        raisons = " ; ".join(f"{html.escape(r.libelle)} (centile {r.centile_oriente:.0f} dans le sens du modèle)"
                            for r in forts.itertuples()) if score > 50 else ""
        if score > 50 and not raisons:
            raisons = "aucun indicateur au-dessus de la médiane"
        part = float(freq.get(m, 0.0))
        lignes.append(f"<tr><td>{html.escape(noms[m])}</td><td class='n'>{formater_nombre(score, 0)}</td>"
                      f"<td class='n'>{formater_nombre(part, 0)}&nbsp;%</td><td>{raisons or '—'}</td></tr>")
    stable = stab.territoires.loc[code, "part_scenarios_identiques_%"] if code in stab.territoires.index else np.nan
    prudence = ("Le modèle en tête ne l'est pas dans au moins 80 % des scénarios : ce territoire est « entre "
                "plusieurs récits »." if pd.notna(stable) and stable < 80 else "")
    return (titre + "<p>Scores standardisés (échelle T : 50 = territoire moyen du niveau, 60 = un écart type "
            "au-dessus) ; « domine dans » : part des "
            f"{stab.resume['nb_scenarios']} scénarios de construction (normalisation, indicateur retiré, "
            "pondération) où ce modèle a le score le plus élevé. Les modèles sont des récits pour débattre, "
            f"pas une classification officielle. {prudence}</p>"
            "<table><tr><th>Modèle</th><th>Score T</th><th>Domine dans</th>"
            "<th>Ce qui l'en rapproche (indicateurs au-dessus de la médiane)</th></tr>" + "".join(lignes) + "</table>")


def section_modeles(code: str, niveau: str = "epci"):
    """Les sept modèles de territoire d'un territoire (scores, stabilité), affichable dans un carnet.

    Renvoie un objet ``IPython.display.HTML`` (voir :func:`_section_modele`).
    """
    from IPython.display import HTML

    return HTML(f"<div class='portrait-territoire'>{STYLE}{_section_modele(code_courant(code, niveau), niveau)}</div>")


# --------------------------------------------------------------------------- cartes et graphiques
@dataclass
class _CarteVoisinage(Carte):
    """Carte d'un territoire et de ses voisins : le territoire est entouré, la géométrie exportée est réduite."""

    surligne: str = ""

    def _params(self):
        params = super()._params()
        for p in params:
            if p.name == "recherche":  # le territoire du portrait est entouré de noir
                p.param.value = "^" + re.escape(self.surligne) + "$"
            elif p.name == "titres":
                p.param.value = {k: f"{v} — {self.surligne} et ses voisins" for k, v in p.param.value.items()}
        return params

    def specification(self, mode: str = "url") -> dict:
        spec = super().specification(mode)
        if mode == "inline":
            spec["datasets"][f"geo_{self.niveau}"] = topojson_reduit(
                _topojson(self.niveau), self.niveau, set(self.valeurs["code"]))
        return spec


def topojson_reduit(topo: dict, objet: str, codes: set[str]) -> dict:
    """Copie d'un TopoJSON limitée aux géométries de ``codes`` et aux arcs qu'elles emploient.

    Exemples
    --------
    >>> topo = {"type": "Topology", "arcs": [[[0, 0], [1, 1]], [[1, 1], [2, 0]], [[5, 5], [6, 6]]],
    ...         "objects": {"x": {"type": "GeometryCollection", "geometries": [
    ...             {"type": "Polygon", "arcs": [[0, ~1]], "id": "a"},
    ...             {"type": "Polygon", "arcs": [[2]], "id": "b"}]}}}
    >>> r = topojson_reduit(topo, "x", {"a"})
    >>> r["objects"]["x"]["geometries"][0]["arcs"], len(r["arcs"])
    ([[0, -2]], 2)
    """
    geoms = [g for g in topo["objects"][objet]["geometries"] if g["id"] in codes]  # id : code officiel
    utilises: dict[int, int] = {}

    def renum(a):
        if isinstance(a, list):
            return [renum(b) for b in a]
        i = a if a >= 0 else ~a
        j = utilises.setdefault(i, len(utilises))
        return j if a >= 0 else ~j

    nouvelles = [{**g, "arcs": renum(g["arcs"])} for g in geoms]
    arcs = [None] * len(utilises)
    for ancien, nouveau in utilises.items():
        arcs[nouveau] = topo["arcs"][ancien]
    objets = {objet: {**topo["objects"][objet], "geometries": nouvelles}}
    res = {**topo, "objects": objets, "arcs": arcs}
    res.pop("bbox", None)
    return res


#: Indicateurs des petites cartes du portrait (par défaut).
IDS_CARTES = ("densite_population", "evolution_population_annuelle", "part_65_ans_et_plus")


def _bornes_nationales(ident: str, niveau: str) -> list[float]:
    """Quintiles de l'indicateur sur tous les territoires du niveau (centrés sur 0 pour un taux d'évolution)."""
    from .analyses import classer

    ind = indicateur(ident)
    serie = indicateurs(ident, niveau=niveau)[ident]
    centre = 0.0 if ind.agregation["type"] == "taux_annuel" else None
    return list(classer(serie, "quantiles", 5, centre=centre).bornes)


def carte_voisinage(code: str, niveau: str = "commune", ident: str = "densite_population",
                    largeur: int = 300) -> Carte:
    """Petite carte du territoire (entouré de noir) et de ses voisins contigus.

    Les classes sont les quintiles de la France entière au même niveau : les
    couleurs situent le voisinage dans la distribution nationale.

    Exemples
    --------
    >>> c = carte_voisinage("75", "departement", "part_65_ans_et_plus")
    >>> sorted(c.valeurs["code"]), c.surligne
    (['75', '92', '93', '94'], 'Paris')
    """
    code = code_courant(code, niveau)
    codes = [code] + voisins(code, niveau)
    base = carte(ident, niveau=niveau, codes=codes, zoom_idf=False, largeur=largeur,
                 classification="manuelle", bornes=_bornes_nationales(ident, niveau))
    base.options[0].methode = "quintiles de France"
    nom = base.valeurs.loc[base.valeurs["code"] == code, "nom"].iloc[0]
    return _CarteVoisinage(niveau, base.options, base.valeurs, zoom_idf=False, largeur=largeur,
                           selection=True, dossier=base.dossier, surligne=nom)


# --------------------------------------------------------------------------- portrait
def _html_valeur(v, unite: str) -> str:
    if pd.isna(v):
        return "n.d."
    if unite == "oui/non":
        return "oui" if v == 1 else "non" if v == 0 else formater_nombre(float(v))
    return formater_nombre(float(v)) + ("" if unite in ("classe",) else f"&nbsp;{html.escape(unite)}")


def _med(r) -> str:
    return "" if pd.isna(r.mediane) else "<sup>m</sup>"


def _html_rang(r, s) -> str:
    if pd.isna(r):
        return "—"
    return f"{formater_nombre(int(r), 0)}<small>&nbsp;/&nbsp;{formater_nombre(int(s), 0)}</small>"


@dataclass
class Portrait:
    """Portrait d'un territoire : fiche, voisins, cartes ; ``display(p)`` montre la fiche en HTML.

    Construit par :func:`portrait`.
    """

    niveau: str
    code: str
    nom: str
    fiche: pd.DataFrame
    voisins: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def classe(self) -> str | None:
        """Classe de comparaison (degré d'urbanisation, nature d'EPCI ou zone)."""
        c = self.fiche["classe"].dropna()
        return str(c.iloc[0]) if len(c) else None

    @property
    def titre(self) -> str:
        """Titre du portrait."""
        return f"Portrait de territoire — {self.nom} ({NOMS_NIVEAU[self.niveau]} {self.code})"

    def sources(self) -> list[str]:
        """Lignes de source (producteur, millésime) et licences des indicateurs de la fiche, sans doublon."""
        lignes = list(dict.fromkeys(self.fiche["source"]))
        licences = dict.fromkeys(lic for i in self.fiche["indicateur"] for lic in indicateur(i).licences.split(" ; "))
        return lignes + [f"Licences des données : {', '.join(licences)}."]

    def tableau_html(self) -> str:
        """La fiche en HTML (un tableau par thème), avec la classe de comparaison et les sources."""
        pl = PLURIELS[self.niveau]
        tete = (f"<tr><th>Indicateur</th><th>Valeur</th><th>Millésime</th><th>Rang ({pl})</th>"
                f"<th>Position</th><th>Rang dans la classe</th><th>Classe « {html.escape(self.classe or 'n.d.')} » "
                f"(ensemble)</th><th>France (ensemble)</th><th>Médiane des {pl}</th></tr>")
        morceaux = [f"<h2>{html.escape(self.titre)}</h2>"]
        if self.note:
            morceaux.append(f"<p class='note'><b>Note</b> : {html.escape(self.note)}</p>")
        voisins = ", ".join(self.voisins) if self.voisins else "aucun (île ou territoire isolé)"
        morceaux.append(f"<p>Classe de comparaison ({CLASSES[self.niveau][2]}) : <b>{html.escape(self.classe or 'non disponible')}"
                        f"</b>. Voisins contigus : {len(self.voisins)} ({html.escape(voisins)}).</p>")
        modele = _section_modele(self.code, self.niveau)
        if modele:
            morceaux.append(modele)
        for theme, bloc in self.fiche.groupby("theme", sort=False):
            lignes = "".join(
                f"<tr><td>{html.escape(r.libelle)}</td><td class='n'>{_html_valeur(r.valeur, r.unite)}</td>"
                f"<td>{'' if r.millesime is None else r.millesime}</td><td class='n'>{_html_rang(r.rang, r.sur)}</td>"
                f"<td>{html.escape(r.lecture)}</td><td class='n'>{_html_rang(r.rang_classe, r.sur_classe)}</td>"
                f"<td class='n'>{_html_valeur(r.valeur_classe, r.unite if r.unite != 'oui/non' else '%')}</td>"
                f"<td class='n'>{_html_valeur(r.france, r.unite if r.unite != 'oui/non' else '%')}</td>"
                f"<td class='n'>{_html_valeur(r.mediane, r.unite if r.unite != 'oui/non' else '%')}{_med(r)}</td></tr>"
                for r in bloc.itertuples())
            morceaux.append(f"<h3>{html.escape(THEMES.get(theme, theme))}</h3><table>{tete}{lignes}</table>")
        morceaux.append("<p class='sources'>« Ensemble » : valeur de la classe ou de la France entière, recalculée "
                        "depuis ses communes (le total pour un effectif) ; <sup>m</sup> médiane des "
                        f"{pl}, pas une valeur de la France. « Position » : centile médian parmi les {pl} (part des "
                        "valeurs plus faibles, les ex aequo comptant pour moitié) ; rang 1 = valeur la plus élevée ; "
                        "oui/non : part des communes où c'est le cas pour la classe et la France. Médiation numérique : "
                        "connue en Auvergne-Rhône-Alpes seulement, « non couvert » ailleurs.</p>")
        morceaux.append("<p class='sources'>" + "<br>".join(html.escape(s) for s in self.sources()) + "</p>")
        return "\n".join(morceaux)

    def __repr__(self) -> str:
        return f"{self.titre} : {len(self.fiche)} indicateurs, {len(self.voisins)} voisins"

    def _repr_html_(self) -> str:
        return f"<div class='portrait-territoire'>{STYLE}{self.tableau_html()}</div>"

    def cartes(self, ids: list[str] | None = None, largeur: int = 300) -> list[Carte]:
        """Petites cartes du territoire et de ses voisins, une par indicateur (voir :func:`carte_voisinage`)."""
        return [carte_voisinage(self.code, self.niveau, i, largeur) for i in (ids or IDS_CARTES)]

    def graphique(self, largeur: int = 360) -> "alt.VConcatChart":
        """Positions du territoire (voir :func:`territoire_lib.graphiques_portrait.graphique_positions`)."""
        from .graphiques_portrait import graphique_positions

        return graphique_positions(self.fiche, self.nom, self.niveau, largeur)

    def exporter(self, dossier: str | Path, ids_carte: list[str] | None = None) -> dict[str, Path]:
        """Écrit la page HTML autonome (hors ligne) et les PNG du portrait dans ``dossier``.

        Renvoie
        -------
        dict
            ``{"html": chemin, "positions.png": chemin, "carte_<indicateur>.png": chemin…, "csv": chemin, "xlsx": chemin}``
            (voir :func:`exporter_tableur`).
        """
        from .rendu import rendre

        dossier = Path(dossier)
        dossier.mkdir(parents=True, exist_ok=True)
        base = f"portrait_{self.niveau}_{self.code}"
        specs = {"positions": self.graphique().to_dict()}
        for c in self.cartes(ids_carte):
            specs[f"carte_{c.options[0].id}"] = c.specification("inline")
        chemins = {f"{nom}.png": dossier / f"{base}_{nom}.png" for nom in specs}
        rendre({chemins[f"{nom}.png"]: spec for nom, spec in specs.items()}, VERSION_VEGA_LITE, echelle=2)
        chemins["html"] = dossier / f"{base}.html"
        chemins["html"].write_text(page_autonome(self.titre, self._repr_html_(), specs, VERSION_VEGA_LITE),
                                   encoding="utf-8")
        chemins.update(exporter_tableur(self, dossier))
        return chemins


#: Colonnes de la fiche exportées en tableur, avec leur titre en français.
COLONNES_TABLEUR = {
    "theme_libelle": "Thème", "libelle": "Indicateur", "indicateur": "Identifiant", "valeur": "Valeur",
    "unite": "Unité", "millesime": "Millésime", "rang": "Rang", "sur": "Sur", "lecture": "Position",
    "classe": "Classe de comparaison", "valeur_classe": "Valeur de la classe", "rang_classe": "Rang dans la classe",
    "sur_classe": "Territoires de la classe", "france": "France", "reference": "Valeur de référence",
    "source": "Source",
}


def exporter_tableur(p: "Portrait", dossier: str | Path) -> dict[str, Path]:
    """Écrit la fiche du portrait en CSV et en XLSX, avec sources, millésimes et licences.

    Le CSV suit l'usage des tableurs français : séparateur « ; », virgule décimale, UTF-8 avec
    BOM (accents lus correctement par Excel) ; les lignes de source et de licence suivent le
    tableau, après une ligne vide. Le classeur XLSX (``openpyxl``) a deux feuilles : « Portrait »
    (la fiche) et « Sources » (sources, millésimes, licences, note de recherche).

    Renvoie
    -------
    dict
        ``{"csv": chemin, "xlsx": chemin}``.

    Exemples
    --------
    >>> import tempfile
    >>> chemins = exporter_tableur(portrait("Territoire de Belfort"), tempfile.mkdtemp())
    >>> sorted(chemins), pd.read_excel(chemins["xlsx"], sheet_name="Sources").shape[0] > 1
    (['csv', 'xlsx'], True)
    """
    dossier = Path(dossier)
    dossier.mkdir(parents=True, exist_ok=True)
    base = dossier / f"portrait_{p.niveau}_{p.code}"
    tableau = p.fiche[[c for c in COLONNES_TABLEUR if c in p.fiche.columns]].rename(columns=COLONNES_TABLEUR)
    tableau.insert(0, "Territoire", f"{p.nom} ({NOMS_NIVEAU[p.niveau]} {p.code})")
    pied = [p.titre] + ([f"Note : {p.note}"] if p.note else []) + p.sources()
    chemins = {"csv": base.with_suffix(".csv"), "xlsx": base.with_suffix(".xlsx")}
    texte = tableau.to_csv(sep=";", decimal=",", index=False, float_format="%.4g")
    texte += "\n" + "".join(f"{ligne}\n" for ligne in pied)
    chemins["csv"].write_text(texte, encoding="utf-8-sig")
    with pd.ExcelWriter(chemins["xlsx"], engine="openpyxl") as classeur:
        tableau.to_excel(classeur, sheet_name="Portrait", index=False)
        pd.DataFrame({"Sources, millésimes et licences": pied}).to_excel(classeur, sheet_name="Sources", index=False)
    return chemins


STYLE = """<style>
.portrait-territoire {font-family: system-ui, sans-serif; max-width: 1100px;}
.portrait-territoire table {border-collapse: collapse; margin-bottom: 1em; font-size: 13px;}
.portrait-territoire th, .portrait-territoire td {border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left;}
.portrait-territoire td.n {text-align: right; white-space: nowrap;}
.portrait-territoire .note {background: #fff3cd; padding: 4px 8px;}
.portrait-territoire .sources {color: #555; font-size: 12px;}
</style>"""


def page_autonome(titre: str, corps_html: str, specs: dict[str, dict], vl_version: str) -> str:
    """Page HTML autonome : ``corps_html`` puis un graphique Vega-Lite par spécification, sans CDN.

    Vega, Vega-Lite et Vega-Embed sont inclus dans la page (``vl_convert.javascript_bundle``, gardé en cache,
    comme les exports HTML des cartes) : elle s'ouvre sans connexion.
    """
    from .rendu import paquet_javascript

    bundle = paquet_javascript(vl_version).replace("</script", "<\\/script")
    locale = json.dumps(LOCALE_FR)
    divs = "\n".join(f"<div id='vis-{nom}' class='graphique'></div>" for nom in specs)
    appels = "\n".join(
        f"vegaEmbed('#vis-{nom}', {json.dumps(spec)}, {{actions: false, formatLocale: {locale}}});"
        for nom, spec in specs.items()).replace("</", "<\\/")
    return (f"<!DOCTYPE html>\n<html lang='fr'><head><meta charset='utf-8'><title>{html.escape(titre)}</title>"
            f"</head><body>\n{corps_html}\n{divs}\n<script>{bundle}</script>\n<script>{appels}</script>\n"
            "</body></html>\n")


def portrait(territoire: str, niveau: str | None = None) -> Portrait:
    """Portrait d'un territoire désigné par son nom (accents et casse ignorés) ou son code.

    Paramètres
    ----------
    territoire : str
        Nom, début de nom, code en vigueur, ancien code communal ou EPCI de 2020.
    niveau : str, optionnel
        Pour lever une ambiguïté (« Paris » : commune ou département).

    Exemples
    --------
    >>> p = portrait("Doubs")
    >>> p.niveau, p.code, p.voisins
    ('departement', '25', ['39', '70', '90'])
    """
    t = trouver_territoire(territoire, niveau)
    fiche = fiche_portrait(t["code"], t["niveau"])
    return Portrait(t["niveau"], t["code"], t["nom"], fiche, voisins(t["code"], t["niveau"]), t["note"])


def selecteur_portrait(defaut: str = "Grand Besançon Métropole"):
    """Champ à saisie semi-automatique (ipywidgets ``Combobox``) et portrait du territoire choisi.

    Les suggestions viennent de :func:`territoire_lib.chercher_territoire` (accents et
    casse ignorés, anciens codes et EPCI de 2020 acceptés, avec une note), filtrées par
    le menu « Niveau » ; choisir une suggestion (ou Entrée) affiche le portrait. Un bouton
    exporte le portrait (page HTML autonome et PNG) dans ``portraits/``.
    """
    import ipywidgets as w
    from IPython.display import display

    from .sorties import afficher_dans

    champ = w.Combobox(value=defaut, placeholder="Nom ou code d'une commune, d'un EPCI, d'un département…",
                       description="Territoire", ensure_option=False, layout=w.Layout(width="560px"))
    menu_niveau = w.Dropdown(options=[("Tous", None), ("Communes", "commune"), ("EPCI", "epci"),
                                      ("Départements", "departement"), ("Régions", "region")],
                             value=None, description="Niveau", layout=w.Layout(width="220px"))
    bouton = w.Button(description="Exporter (HTML, PNG, CSV, XLSX)", icon="download")
    sortie, message = w.Output(), w.Output()
    etat: dict = {}

    def suggerer(change):
        texte = change["new"]
        if texte in etat.get("options", {}):  # suggestion choisie dans la liste
            montrer()
            return
        if len(normaliser(texte)) < 2:
            return
        try:
            res = chercher_territoire(texte, niveau=menu_niveau.value, n=12)
        except ResultatVide:
            return
        etat["options"] = {f"{r.nom} — {NOMS_NIVEAU[r.niveau]} {r.code}": (r.niveau, r.code) for r in res.itertuples()}
        champ.options = list(etat["options"])

    def montrer(*_):
        texte = champ.value
        niveau, code = etat.get("options", {}).get(texte, (menu_niveau.value, texte))
        def contenu():
            etat["portrait"] = p = portrait(code, niveau)
            display(p, p.graphique(), *p.cartes())

        afficher_dans(sortie, contenu, si_erreur="Portrait impossible")

    def exporter(*_):
        if "portrait" in etat:
            chemins = etat["portrait"].exporter("portraits")
            afficher_dans(message, print, "Écrit : " + ", ".join(str(c) for c in chemins.values()))

    from .erreurs import normaliser_texte as normaliser

    champ.observe(suggerer, names="value")
    champ.on_submit(montrer)
    bouton.on_click(exporter)
    montrer()
    return w.VBox([w.HBox([champ, menu_niveau, bouton]), message, sortie])


#: Graphique (Altair) déplacé dans :mod:`territoire_lib.graphiques_portrait` ; gardé accessible
#: ici, importé au premier usage (le portrait n'importe pas Altair lui-même).
_VUES = ("graphique_positions",)


def __getattr__(nom: str):
    if nom in _VUES:
        from . import graphiques_portrait

        return getattr(graphiques_portrait, nom)
    raise AttributeError(f"module {__name__!r} has no attribute {nom!r}")
