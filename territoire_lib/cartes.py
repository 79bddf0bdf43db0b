"""Cartes choroplèthes Altair de tout indicateur du catalogue, à tout niveau.

Principes (mesurés, voir ``bench/cartes.py``) :

- la géométrie (TopoJSON simplifié, arcs partagés, DROM en médaillons) et
  les valeurs sont passées **par URL** relative au carnet : le carnet
  enregistré ne garde qu'une spécification de quelques kilo-octets, rendue
  hors ligne par le moteur Vega-Lite 5 intégré à JupyterLab ;
- une carte peut porter plusieurs indicateurs ou millésimes : un menu
  (paramètre Vega-Lite) passe de l'un à l'autre dans le navigateur, sans
  rien renvoyer au noyau ni recharger la géométrie ;
- classes calculées par ``mapclassify`` (quantiles, Fisher-Jenks,
  intervalles égaux, bornes manuelles), palette divergente centrée sur 0
  pour les évolutions, palettes lisibles par les daltoniens, classe
  « donnée non disponible » ;
- titre, légende, infobulles, ligne de source et description textuelle en
  français ; exports PNG, SVG (vl-convert), HTML autonome hors ligne, CSV et
  GeoParquet des données, tous marqués de leur source et millésime.
"""
from __future__ import annotations

import hashlib
import json
import textwrap
import os
import shutil
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from types import SimpleNamespace

import altair as alt
import numpy as np
import pandas as pd

from . import analyses
from .catalogue import indicateur as _indicateur
from .catalogue import ligne_source
from .chargement import chemin_fichier, indicateurs, territoires
from .erreurs import IndicateurNonDisponible, ResultatVide

__all__ = [
    "Carte",
    "carte",
    "carte_serie",
    "unite_affichee",
    "carte_evolution",
    "LOCALE_FR",
    "PALETTES",
    "COULEUR_NON_DISPONIBLE",
    "COULEUR_INCOMPLET",
    "DOSSIER_GENERE",
    "MIME_VEGALITE",
    "VARIABLE_TABLEAU_DE_BORD",
    "mode_tableau_de_bord",
    "CartePoints",
    "carte_points",
]

#: Type MIME rendu nativement (sans CDN) par JupyterLab 4 ; le rendu HTML par défaut d'Altair
#: charge Vega depuis Internet et reste vide hors ligne.
MIME_VEGALITE = "application/vnd.vegalite.v5+json"
#: Variable d'environnement posée par le mode tableau de bord (``make tableau-de-bord``, Voilà).
VARIABLE_TABLEAU_DE_BORD = "TERRITOIRE_TABLEAU_DE_BORD"
#: PNG transparent d'un pixel. Après avoir dessiné un graphique, le moteur Vega de JupyterLab en
#: enregistre une image dans la sortie (``model.setData``) sauf si elle en contient déjà une ; Voilà
#: réutilise ce moteur sans ``setData`` et afficherait « Javascript Error: e.setData is not a
#: function » sous chaque carte. En mode tableau de bord, ce PNG vide occupe la place (le navigateur
#: préfère toujours le type MIME Vega-Lite) : plus d'erreur, et pas d'image inutile à calculer.
_PNG_VIDE = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABpfZFQAAAAABJRU5ErkJggg=="


def mode_tableau_de_bord() -> bool:
    """Vrai si le carnet est présenté en tableau de bord (Voilà, ``make tableau-de-bord``).

    Exemples
    --------
    >>> mode_tableau_de_bord() in (True, False)
    True
    """
    return os.environ.get(VARIABLE_TABLEAU_DE_BORD) == "1"


def _paquet_mime(spec: dict, texte: str) -> dict:
    """Sortie d'un graphique : Vega-Lite 5 (rendu hors ligne), texte, et le PNG vide en tableau de bord."""
    paquet = {MIME_VEGALITE: spec, "text/plain": texte}
    if mode_tableau_de_bord():
        paquet["image/png"] = _PNG_VIDE
    return paquet


def _rendu_altair(spec: dict, **options):
    """Moteur de rendu Altair des carnets : le type MIME Vega-Lite 5, comme les cartes."""
    return _paquet_mime(spec, "<Graphique Altair>"), ({MIME_VEGALITE: options} if options else {})


alt.renderers.register("territoire", _rendu_altair)
alt.renderers.enable("territoire")  # idem pour les graphiques Altair des carnets (vues liées…)

#: Version de Vega-Lite des spécifications d'Altair (pour les rendus statiques).
VERSION_VEGA_LITE = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
#: Nombres à la française dans Vega (virgule décimale, espace pour les milliers).
LOCALE_FR = {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0€"]}
#: Palettes (noms matplotlib, lisibles par les daltoniens) : séquentielle et divergente.
PALETTES = {"sequentielle": "YlGnBu", "divergente": "RdBu", "categorielle": "tab10", "oui_non": ("#c6dbef", "#08519c")}
COULEUR_NON_DISPONIBLE = "#d9d9d9"
LIBELLE_NON_DISPONIBLE = "Donnée non disponible"
#: Territoire dont des communes n'ont pas de valeur : agrégat non calculé (classe -2), distinct de « non disponible ».
COULEUR_INCOMPLET = "#8c8c8c"
LIBELLE_INCOMPLET = "Incomplet (communes sans valeur)"
#: Dossier (à côté du carnet) où sont écrits la géométrie et les valeurs servies par URL.
DOSSIER_GENERE = "cartes_generees"
DEPARTEMENTS_IDF = ("75", "77", "78", "91", "92", "93", "94", "95")
NOMS_NIVEAUX = {"commune": "communes", "epci": "EPCI", "departement": "départements", "region": "régions"}


# --------------------------------------------------------------------------- données
@dataclass
class _Option:
    """Un indicateur à un millésime, avec ses classes et couleurs."""

    id: str
    millesime: object
    libelle: str
    unite: str
    source: str
    classes: list[str] = field(default_factory=list)
    couleurs: list[str] = field(default_factory=list)
    methode: str = ""
    decimales: int = 1
    #: Territoires dont l'agrégat est incomplet (NaN motivé) : la légende les montre à part.
    nb_incomplets: int = 0

    @property
    def classes_affichees(self) -> list[str]:
        """Libellés indexés par ``classe + 2`` : incomplet, non disponible, puis les classes."""
        return [LIBELLE_INCOMPLET, LIBELLE_NON_DISPONIBLE] + self.classes

    @property
    def couleurs_affichees(self) -> list[str]:
        """Couleurs indexées par ``classe + 2`` (comme :attr:`classes_affichees`)."""
        return [COULEUR_INCOMPLET, COULEUR_NON_DISPONIBLE] + self.couleurs

    @property
    def titre(self) -> str:
        m = f" ({self.millesime})" if self.millesime is not None else ""
        return f"{self.libelle}{m}"

    @property
    def titre_legende(self) -> list[str]:
        """Deux lignes : l'unité, puis la méthode de classement."""
        unite = self.unite if self.unite not in ("classe", "oui/non") else ""
        return [ligne for ligne in (unite, self.methode) if ligne]


def _palette(nom: str, positions) -> list[str]:
    """Couleurs (hexadécimales) d'une palette matplotlib aux positions données (0 à 1, ou entiers)."""
    import matplotlib
    from matplotlib.colors import to_hex

    cmap = matplotlib.colormaps[nom]
    return [to_hex(cmap(x)) for x in positions]


def _couleurs_classes(nb: int, nb_negatives: int, palette: str | None) -> list[str]:
    if nb_negatives:
        nom = palette or PALETTES["divergente"]
        return (_palette(nom, np.linspace(0.08, 0.40, nb_negatives))
                + _palette(nom, np.linspace(0.60, 0.92, nb - nb_negatives)))
    return _palette(palette or PALETTES["sequentielle"], np.linspace(0.12, 0.92, nb))


def _couleurs_categories(nb: int, palette: str | None = None) -> list[str]:
    return _palette(palette or PALETTES["categorielle"], [i % 10 for i in range(nb)])


#: Ordre de lecture des classes connues (de la plus tendue à la moins tendue).
ORDRE_ZONAGE_ABC = ["A bis", "A", "B1", "B2", "C"]


def _categories(serie: pd.Series, ordre: list[str] | None = None) -> tuple[list[str], np.ndarray]:
    """Classes présentes (dans ``ordre`` d'abord, puis alphabétiquement) et indice de chaque valeur (-1 : absente)."""
    valeurs = serie.astype("string")
    presentes = sorted(valeurs.dropna().unique())
    ordre = ordre or []
    cats = [c for c in ordre if c in presentes] + [c for c in presentes if c not in ordre]
    index = {c: i for i, c in enumerate(cats)}
    indices = valeurs.map(lambda v: index.get(v, -1) if pd.notna(v) else -1).astype(int).to_numpy()
    return cats, indices


def unite_affichee(ind, niveau: str) -> str:
    """Unité d'un indicateur telle qu'affichée au niveau demandé.

    Un indicateur oui/non de la commune (``part_communes`` : mairie dotée d'un site web…) devient,
    au-delà de la commune, une part des communes renseignées : sa légende et ses infobulles
    disent « % des communes ».

    Exemples
    --------
    >>> from territoire_lib.catalogue import indicateur
    >>> unite_affichee(indicateur("mairie_site_web"), "commune"), unite_affichee(indicateur("mairie_site_web"), "epci")
    ('oui/non', '% des communes')
    """
    if ind.agregation["type"] == "part_communes" and niveau != "commune":
        return "% des communes"
    return ind.unite


def _classer_option(serie: pd.Series, opt: _Option, ind, methode, k, bornes, palette) -> np.ndarray:
    """Remplit classes/couleurs de ``opt`` et renvoie l'indice de classe de chaque territoire."""
    if ind.agregation["type"] == "categorie":
        zonage = ind.id == "zonage_abc"
        cats, indices = _categories(serie, ORDRE_ZONAGE_ABC if zonage else None)
        opt.classes, opt.methode = cats, "Catégories"
        opt.couleurs = _couleurs_classes(len(cats), 0, "OrRd")[::-1] if zonage else _couleurs_categories(len(cats), palette)
        return indices
    if serie.dtype == "boolean" or str(serie.dtype) == "bool":
        opt.classes, opt.couleurs, opt.methode = ["non", "oui"], list(PALETTES["oui_non"]), "oui / non"
        return serie.map(lambda v: -1 if pd.isna(v) else int(bool(v))).astype(int).to_numpy()
    centre = 0.0 if ind.agregation["type"] == "taux_annuel" else None
    c = analyses.classer(serie, methode, k, bornes, centre=centre, unite=opt.unite)
    opt.classes, opt.methode = list(c.libelles), c.description
    opt.couleurs = _couleurs_classes(len(c.bornes), c.nb_negatives, palette)
    opt.decimales = 0 if np.nanmax(np.abs(serie.astype("float64"))) >= 1000 else 1 if ind.unite != "% par an" else 2
    return c.indices


def _options(ids, millesime) -> list[tuple[str, object]]:
    ids = [ids] if isinstance(ids, str) else list(ids)
    if not ids:
        raise IndicateurNonDisponible("Aucun indicateur demandé : donnez au moins un identifiant du catalogue.")
    res = []
    for i in ids:
        ind = _indicateur(i)
        if millesime == "tous" and ind.millesimes:
            res += [(i, m) for m in ind.millesimes]
        else:
            m = millesime.get(i) if isinstance(millesime, dict) else (None if millesime == "tous" else millesime)
            res.append((i, ind.verifier_millesime(m)))
    return res


# --------------------------------------------------------------------------- géométrie
@lru_cache(maxsize=8)
def _lignes(texte: str, n: int):
    """``texte`` s'il tient en ``n`` caractères, sinon la liste de ses lignes (titre Vega sur plusieurs lignes)."""
    lignes = textwrap.wrap(texte, n) or [""]
    return lignes[0] if len(lignes) == 1 else lignes


def _topojson(niveau: str) -> dict:
    with open(chemin_fichier(f"cartes/{niveau}.topojson"), encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=1)
def _cadres() -> dict:
    with open(chemin_fichier("cartes/cadres.geojson"), encoding="utf-8") as f:
        return json.load(f)


def _servir(relatif: str, dossier: Path) -> str:
    """Copie un fichier de donnees/ dans le dossier servi (une fois) ; renvoie l'URL relative.

    Un TopoJSON est servi sous l'extension ``.topo.json`` : les serveurs (Jupyter, Voilà, un
    serveur web) le donnent alors comme ``application/json``, qu'ils peuvent compresser (gzip ;
    ``.topojson`` part en ``application/octet-stream``, jamais compressé).
    """
    source = chemin_fichier(relatif)
    nom = Path(relatif).name
    cible = dossier / (nom.removesuffix(".topojson") + ".topo.json" if nom.endswith(".topojson") else nom)
    if not cible.exists() or cible.stat().st_size != source.stat().st_size:
        dossier.mkdir(parents=True, exist_ok=True)
        tmp = cible.with_suffix(f".{os.getpid()}.tmp")  # un nom par noyau : deux carnets ouverts à la fois
        shutil.copyfile(source, tmp)
        os.replace(tmp, cible)
    return f"{DOSSIER_GENERE}/{cible.name}"


def _ecrire_servi(dossier: Path, prefixe: str, texte: str) -> str:
    """Écrit un CSV servi (nom = empreinte du contenu), une seule fois ; renvoie son nom.

    Écriture puis renommage : jamais de fichier à moitié écrit, même avec deux carnets ouverts.
    """
    nom = f"{prefixe}-{hashlib.sha256(texte.encode()).hexdigest()[:12]}.csv"
    if not (dossier / nom).exists():
        dossier.mkdir(parents=True, exist_ok=True)
        tmp = dossier / f"{nom}.{os.getpid()}.tmp"
        tmp.write_text(texte, encoding="utf-8")
        os.replace(tmp, dossier / nom)
    return nom


# --------------------------------------------------------------------------- carte
@dataclass
class Carte:
    """Une carte prête à afficher (``display(carte)``) ou à exporter.

    Construite par :func:`carte` ; ``graphique()`` donne l'objet Altair.
    """

    niveau: str
    options: list[_Option]
    valeurs: pd.DataFrame
    zoom_idf: bool = True
    largeur: int = 460
    titre: str | None = None
    selection: bool = False
    dossier: Path = field(default_factory=lambda: Path.cwd() / DOSSIER_GENERE)

    # -- textes
    @property
    def description(self) -> str:
        """Description en français de ce que montre la carte (accessibilité)."""
        textes = []
        for i, opt in enumerate(self.options):
            v = self.valeurs[["nom", f"v{i}"]].dropna()
            nd = int(self.valeurs[f"c{i}"].eq(-1).sum())
            inc = int(self.valeurs[f"c{i}"].eq(-2).sum())
            t = f"Carte des {NOMS_NIVEAUX[self.niveau]} de France (métropole et DROM en médaillons) : {opt.titre}"
            if len(v) and pd.api.types.is_numeric_dtype(v[f"v{i}"]):
                mini, maxi = v.loc[v[f"v{i}"].idxmin()], v.loc[v[f"v{i}"].idxmax()]
                u = f" {opt.unite}" if opt.unite not in ("classe", "oui/non") else ""
                f = lambda x: analyses.formater_nombre(float(x), opt.decimales) + u  # noqa: E731
                t += (f". Valeurs de {f(mini[f'v{i}'])} ({mini['nom']}) à {f(maxi[f'v{i}'])} ({maxi['nom']}),"
                      f" médiane {f(v[f'v{i}'].median())}")
            t += f". Classes : {', '.join(opt.titre_legende)}. {nd} territoire(s) sans donnée"
            t += f", {inc} incomplet(s) (communes sans valeur, agrégat non calculé)" if inc else ""
            t += f". {opt.source}."
            textes.append(t)
        return "\n".join(textes)

    # -- spécification
    @property
    def _colonnes(self) -> list[str]:
        """Colonnes servies au navigateur : identifiants puis valeur et classe de chaque option."""
        return ["code", "nom", "dep"] + [c for i in range(len(self.options)) for c in (f"v{i}", f"c{i}", f"n{i}")]

    def _donnees_valeurs(self, mode: str) -> alt.Data:
        if mode == "inline":  # données ajoutées à « datasets » par specification()
            return alt.NamedData(name="valeurs")
        return self._donnees_url

    @cached_property
    def _donnees_url(self) -> alt.UrlData:
        """Écrit une fois le CSV des valeurs à côté du carnet (nom = empreinte du contenu)."""
        table = self.valeurs[self._colonnes]
        texte = table.to_csv(index=False, float_format="%.4g")
        nom = _ecrire_servi(self.dossier, f"valeurs-{self.niveau}", texte)
        # Types explicites : sans eux, Vega lirait les classes comme du texte et « 01001 » comme un nombre.
        types = {"code": "string", "nom": "string", "dep": "string"}
        for i in range(len(self.options)):
            types[f"c{i}"] = "number"
            types[f"n{i}"] = "string"
            types[f"v{i}"] = "number" if pd.api.types.is_numeric_dtype(table[f"v{i}"]) else "string"
        return alt.UrlData(url=f"{DOSSIER_GENERE}/{nom}", format=alt.CsvDataFormat(type="csv", parse=types))

    def _geometrie(self, mode: str) -> alt.Data:
        fmt = alt.TopoDataFormat(type="topojson", feature=self.niveau)
        if mode == "inline":  # géométrie ajoutée à « datasets » par specification()
            return alt.NamedData(name=f"geo_{self.niveau}", format=fmt)
        return alt.UrlData(url=_servir(f"cartes/{self.niveau}.topojson", self.dossier), format=fmt)

    def _params(self):
        n = len(self.options)
        choix = alt.param(name="opt", value=0, **({"bind": alt.binding_select(
            options=list(range(n)), labels=[o.titre for o in self.options], name="Indicateur : ")}
            if n > 1 else {}))
        recherche = alt.param(name="recherche", value="", bind=alt.binding(
            input="search", placeholder="Nom d'un territoire…", name="Chercher : "))
        constantes = {
            "couleurs": {str(i): o.couleurs_affichees for i, o in enumerate(self.options)},
            "libelles": {str(i): o.classes_affichees for i, o in enumerate(self.options)},
            "unites": {str(i): o.unite for i, o in enumerate(self.options)},
            "formats": {str(i): f",.{o.decimales}f" for i, o in enumerate(self.options)},
            # titre coupé en lignes (un long titre élargirait la carte au-delà de la zone de sortie)
            "titres": {str(i): _lignes(self.titre or o.titre, max(50, int(self.largeur * 1.6 / 8.5)))
                       for i, o in enumerate(self.options)},
            "legendes": {str(i): o.titre_legende for i, o in enumerate(self.options)},
            "millesimes": {str(i): "" if o.millesime is None else str(o.millesime) for i, o in enumerate(self.options)},
        }
        return [choix, recherche] + [alt.param(name=k, value=v) for k, v in constantes.items()]

    def _couche_carte(self, mode: str, largeur: int, hauteur: int, filtre: str | None, titre=None):
        champs = self._colonnes[1:]
        # chaque géométrie du TopoJSON porte son code officiel en « id » (Feature.id après décodage)
        base = alt.Chart(self._geometrie(mode)).transform_lookup(
            lookup="id", from_=alt.LookupData(self._donnees_valeurs(mode), key="code", fields=champs),
        )
        if self.selection:  # seulement les territoires demandés ; la projection s'ajuste sur eux
            base = base.transform_filter("isValid(datum.c0)")
        base = base.transform_calculate(
            code="datum.id",
            # noms lus dans le fichier de valeurs (le TopoJSON des communes n'en porte pas) ; à défaut, le code
            nom=("isValid(datum.nom) ? datum.nom : isValid(datum.properties.nom) ? datum.properties.nom "
                 ": datum.id"),
            # les données de « lookup » arrivent en texte (Vega n'y applique pas « parse ») : toNumber
            classe="isValid(datum['c' + opt]) && datum['c' + opt] !== '' ? toNumber(datum['c' + opt]) : -1",
            valeur="datum['v' + opt]",
        ).transform_calculate(
            couleur="couleurs[opt][datum.classe + 2]",
            completude="isValid(datum['n' + opt]) && datum['n' + opt] !== '' ? datum['n' + opt] : "
                       "(datum.classe == -1 ? 'non disponible' : 'complet')",
            affichage=("isValid(datum.valeur) && unites[opt] != 'classe' && unites[opt] != 'oui/non' ? "
                       "format(toNumber(datum.valeur), formats[opt]) + ' ' + unites[opt] : libelles[opt][datum.classe + 2]"),
            millesime="millesimes[opt]",
        )
        if filtre:
            base = base.transform_filter(filtre)
        proj = {"type": "identity", "reflectY": True}
        # communes sur la carte nationale : pas de contour (35 000 tracés de plus, illisibles à
        # cette échelle) ; un trait fin dans l'agrandissement de l'Île-de-France
        if self.niveau == "commune":
            trait = {"stroke": None} if filtre is None else {"stroke": "white", "strokeWidth": 0.2}
        else:
            trait = {"stroke": "white", "strokeWidth": 0.5}
        fond = base.mark_geoshape(**trait).encode(
            color=alt.Color("couleur:N", scale=None, legend=None),
            tooltip=[alt.Tooltip("nom:N", title="Territoire"), alt.Tooltip("code:N", title="Code"),
                     alt.Tooltip("affichage:N", title="Valeur"), alt.Tooltip("millesime:N", title="Millésime"),
                     alt.Tooltip("completude:N", title="Complétude")],
        )
        trouve = base.transform_filter("recherche != '' && test(regexp(recherche, 'i'), datum.nom)").mark_geoshape(
            fill=None, stroke="black", strokeWidth=2)
        couches = [fond, trouve]
        if filtre is None and not self.selection:
            cadres = alt.Chart(alt.InlineData(values=_cadres(), format=alt.JsonDataFormat(property="features")))
            couches.append(cadres.mark_geoshape(fill=None, stroke="#777777", strokeWidth=0.6))
            couches.append(cadres.mark_text(align="left", baseline="top", dx=3, dy=3, fontSize=9, color="#444444")
                           .encode(longitude="properties.x_texte:Q", latitude="properties.y_texte:Q",
                                   text="properties.nom:N"))
        extra = {"title": titre} if titre is not None else {}
        return alt.layer(*couches, **extra).project(**proj).properties(width=largeur, height=hauteur)

    def _legende(self):
        lignes = [{"opt": i, "rang": r, "couleur": c, "libelle": lib}
                  for i, o in enumerate(self.options)
                  for r, (c, lib) in enumerate(zip(o.couleurs + [COULEUR_NON_DISPONIBLE]
                                                   + ([COULEUR_INCOMPLET] if o.nb_incomplets else []),
                                                   o.classes + [LIBELLE_NON_DISPONIBLE]
                                                   + ([LIBELLE_INCOMPLET] if o.nb_incomplets else [])))]
        base = alt.Chart(alt.InlineData(values=lignes)).transform_filter("datum.opt == opt")
        y = alt.Y("rang:O", axis=None)
        carres = base.mark_square(size=180, opacity=1).encode(y=y, color=alt.Color("couleur:N", scale=None))
        # libellés de légende bornés (un libellé long élargirait la carte au-delà de la zone de sortie)
        textes = base.mark_text(align="left", dx=12, fontSize=11, limit=200).encode(y=y, text="libelle:N")
        titre = alt.TitleParams(text=alt.ExprRef(expr="legendes[opt]"), fontSize=11, anchor="start",
                                limit=230)
        hauteur = 22 * (max(len(o.classes) + 1 + (o.nb_incomplets > 0) for o in self.options))
        return alt.layer(carres, textes, title=titre).properties(width=20, height=hauteur)

    def _pied(self):
        # ligne de source coupée en lignes qui tiennent dans la largeur de la carte (une longue
        # source élargirait sinon le graphique au-delà de la zone de sortie du carnet)
        n = max(60, int(self.largeur * 1.6 / 5.6))
        lignes = [{"opt": i, "texte": textwrap.wrap(o.source, n) or [""]} for i, o in enumerate(self.options)]
        hauteur = 13 * max(len(ligne["texte"]) for ligne in lignes)
        return alt.Chart(alt.InlineData(values=lignes)).transform_filter("datum.opt == opt").mark_text(
            align="left", baseline="top", fontSize=10, color="#555555", lineHeight=13).encode(
            text="texte:N", x=alt.value(0), y=alt.value(0)).properties(width=self.largeur, height=hauteur)

    def graphique(self, mode: str = "url") -> alt.TopLevelMixin:
        """Objet Altair : ``mode="url"`` (carnet, léger) ou ``"inline"`` (exports autonomes)."""
        if mode not in ("url", "inline"):
            raise ValueError("mode doit valoir « url » (carnet) ou « inline » (export autonome).")
        principale = self._couche_carte(mode, self.largeur, int(self.largeur * 0.95), None)
        vues = [principale]
        if self.zoom_idf and self.niveau != "region" and not self.selection:
            filtre = "indexof(" + json.dumps(list(DEPARTEMENTS_IDF)) + ", datum.dep) >= 0"
            vues.append(self._couche_carte(mode, int(self.largeur * 0.42), int(self.largeur * 0.36), filtre,
                                           titre=alt.TitleParams("Île-de-France", fontSize=11, anchor="start")))
        haut = alt.hconcat(*vues, alt.vconcat(self._legende()), spacing=12)
        titre = alt.TitleParams(text=alt.ExprRef(expr="titres[opt]"), anchor="start", fontSize=15)
        graphe = alt.vconcat(haut, self._pied(), spacing=4, title=titre).add_params(*self._params())
        return graphe.configure(locale=alt.Locale(number=LOCALE_FR), view=alt.ViewConfig(stroke=None)).properties(
            description=self.description[:2000])

    def specification(self, mode: str = "url") -> dict:
        """Spécification Vega-Lite (dict) ; en mode « inline », géométrie et valeurs y sont incluses.

        Les grosses données sont ajoutées après coup dans ``datasets`` : les
        faire valider par Altair prendrait plusieurs minutes pour les communes.
        """
        spec = self.graphique(mode).to_dict()
        if mode == "inline":
            spec.setdefault("datasets", {}).update({
                f"geo_{self.niveau}": _topojson(self.niveau),
                "valeurs": json.loads(self.valeurs[self._colonnes].to_json(orient="records")),
            })
        return spec

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Affichage dans JupyterLab : type MIME Vega-Lite 5, rendu hors ligne par JupyterLab lui-même."""
        return _paquet_mime(self.specification("url"), self.description)

    # -- exports
    def donnees(self) -> pd.DataFrame:
        """Les valeurs derrière la carte (une colonne par indicateur), avec source et millésime."""
        res = self.valeurs[["code", "nom"]].copy()
        for i, o in enumerate(self.options):
            nom = o.id if o.millesime is None else f"{o.id}_{o.millesime}"
            res[nom] = self.valeurs[f"v{i}"]
            res[f"{nom}_classe"] = self.valeurs[f"c{i}"].map(lambda c, o=o: o.classes_affichees[c + 2])
            res[f"{nom}_completude"] = self.valeurs[f"n{i}"].replace("", "complet")
        res["source"] = " | ".join(o.source for o in self.options)
        return res

    def exporter(self, chemin: str | os.PathLike, echelle: float = 2.0) -> Path:
        """Exporte selon l'extension : ``.png``, ``.svg``, ``.html`` (autonome, hors ligne),
        ``.csv`` ou ``.parquet`` (GeoParquet des données). Toujours avec source et millésime."""
        from .rendu import rendre

        chemin = Path(chemin)
        ext = chemin.suffix.lower()
        if ext in (".png", ".svg", ".html"):  # rendu hors du noyau (voir territoire_lib.rendu)
            rendre({chemin: self.specification("inline")}, VERSION_VEGA_LITE, echelle)
        elif ext == ".csv":
            self.donnees().to_csv(chemin, index=False)
        elif ext == ".parquet":
            from .chargement import geometries

            g = geometries(self.niveau)
            cle = g.columns[0]
            g = g[[cle, "geometry"]].merge(self.donnees(), left_on=cle, right_on="code").drop(columns=cle)
            g.to_parquet(chemin, compression="zstd")
        else:
            raise ValueError(f"Format d'export inconnu « {ext} » : .png, .svg, .html, .csv ou .parquet.")
        return chemin


def carte(
    indicateur: str | list[str],
    niveau: str = "departement",
    millesime=None,
    classification: str = "quantiles",
    k: int = 5,
    bornes: list[float] | None = None,
    palette: str | None = None,
    zoom_idf: bool = True,
    largeur: int = 460,
    titre: str | None = None,
    codes: list[str] | None = None,
    partiel: bool = False,
) -> Carte:
    """Carte choroplèthe d'un ou plusieurs indicateurs du catalogue.

    Un territoire dont des communes n'ont pas de valeur est « incomplet »
    (gris foncé, infobulle : combien de communes manquent) ; un territoire
    sans aucune valeur est « non disponible » (gris clair).

    Paramètres
    ----------
    indicateur : str ou liste de str
        Identifiant(s) du catalogue ; plusieurs → un menu dans la carte.
    niveau : {"commune", "epci", "departement", "region"}
    millesime : int, str, dict ou "tous"
        Millésime (défaut : le plus récent), ``{id: millésime}``, ou
        ``"tous"`` pour proposer tous les millésimes dans le menu.
    classification : {"quantiles", "jenks", "intervalles_egaux", "manuelle"}
    k : int
        Nombre de classes.
    bornes : liste de float
        Bornes supérieures pour ``classification="manuelle"``.
    palette : str, optionnel
        Nom de palette matplotlib (défaut : YlGnBu, ou RdBu centrée sur 0
        pour les taux d'évolution).
    zoom_idf : bool
        Ajoute un agrandissement de l'Île-de-France.
    codes : liste de str, optionnel
        Ne cartographier que ces territoires (codes officiels du niveau ; un
        ancien code communal est traduit avec un avertissement).
    partiel : bool
        Cartographie les sommes partielles des territoires incomplets (étiquetées
        « partiel » dans l'infobulle et la ligne de source) au lieu de les laisser sans valeur.

    Exemples
    --------
    >>> c = carte("part_65_ans_et_plus", niveau="departement")
    >>> "Creuse" in c.description
    True
    """
    opts = _options(indicateur, millesime)
    table = _table_territoires(niveau, codes)
    options = []
    for i, (ind_id, m) in enumerate(opts):
        ind = _indicateur(ind_id)
        df = indicateurs(ind_id, niveau=niveau, millesime=m, partiel=partiel)
        serie = df[ind_id].reindex(table["code"]).reset_index(drop=True)
        compl = df.attrs["completude"][ind_id]
        incomplets = {c for c, info in compl["territoires"].items() if info["statut"] == "incomplet"}
        if serie.isna().all() and not incomplets & set(table["code"]):
            zone = "pour les territoires demandés" if codes is not None else f"au niveau {niveau}"
            raise ResultatVide(
                f"« {ind_id} » ({m}) n'a aucune valeur {zone} : rien à cartographier. "
                f"Couverture de cet indicateur : {ind.couverture}.")
        source = ligne_source(ind_id, m)
        if partiel and compl["statuts"].get("partiel"):
            source += f" — sommes partielles pour {compl['statuts']['partiel']} territoire(s)"
        opt = _Option(ind_id, m, ind.libelle, unite_affichee(ind, niveau), source)
        if serie.notna().any():
            _ajouter(table, i, serie, opt, ind.agregation["type"], ind.id, classification, k, bornes, palette)
        else:  # tous incomplets : la carte montre où et pourquoi, sans classes
            table[f"c{i}"], table[f"v{i}"] = -1, serie.astype("float64")
            opt.methode = "aucun territoire complet"
        _marquer_completude(table, i, opt, compl)
        options.append(opt)
    return Carte(niveau, options, table, zoom_idf=zoom_idf, largeur=largeur, titre=titre,
                 selection=codes is not None)


def texte_completude(info: dict) -> str:
    """Texte court de complétude d'un territoire (infobulle), « » s'il est complet.

    Exemples
    --------
    >>> texte_completude({"statut": "incomplet", "nb_communes": 250, "nb_sans_valeur": 3})
    'incomplet : 3 communes sans valeur sur 250 (agrégat non calculé)'
    """
    s, n, tot = info["statut"], info["nb_sans_valeur"], info["nb_communes"]
    communes = "commune" if n == 1 else "communes"
    f = lambda x: analyses.formater_nombre(x, 0)  # noqa: E731
    if s == "incomplet":
        return f"incomplet : {f(n)} {communes} sans valeur sur {f(tot)} (agrégat non calculé)"
    if s == "partiel":
        return f"partiel : somme sur {f(tot - n)} communes sur {f(tot)} ({f(n)} sans valeur)"
    if s == "sur les communes renseignées":
        return f"sur les communes renseignées : {f(n)} {communes} sans valeur sur {f(tot)}"
    if s == "non disponible":
        return "non disponible"
    return ""


def _marquer_completude(table: pd.DataFrame, i: int, opt: _Option, compl: dict) -> None:
    """Colonne ``n{i}`` (texte de complétude) ; les territoires incomplets passent en classe -2."""
    infos = compl.get("territoires", {})
    table[f"n{i}"] = table["code"].map(lambda c: texte_completude(infos[c]) if c in infos else "")
    incomplets = table["code"].map(lambda c: infos.get(c, {}).get("statut") == "incomplet")
    table.loc[incomplets & table[f"c{i}"].eq(-1), f"c{i}"] = -2
    opt.nb_incomplets = int(table[f"c{i}"].eq(-2).sum())


def _ajouter(table, i, serie, opt, type_agregation, ident, classification, k, bornes, palette) -> None:
    """Classe ``serie`` et range valeurs (``v{i}``) et classes (``c{i}``) dans ``table``."""
    regle = SimpleNamespace(id=ident, unite=opt.unite, agregation={"type": type_agregation})
    table[f"c{i}"] = _classer_option(serie, opt, regle, classification, k, bornes, palette)
    if type_agregation == "categorie":
        table[f"v{i}"] = serie.astype("string")
    else:
        table[f"v{i}"] = serie.astype("float64")


def _table_territoires(niveau: str, codes) -> pd.DataFrame:
    if niveau not in NOMS_NIVEAUX:
        raise IndicateurNonDisponible(
            f"Pas de carte au niveau « {niveau} ». Niveaux cartographiables : {', '.join(NOMS_NIVEAUX)}.")
    ref = territoires(niveau)
    cle = ref.columns[0]
    table = pd.DataFrame({"code": ref[cle], "nom": ref[[c for c in ref.columns if c.startswith("nom_")][0]]})
    table["dep"] = ref["code_departement"] if "code_departement" in ref else (
        ref["code_region"].map({"11": "75"}) if niveau == "region" else None)
    if codes is not None:
        from .geographie import codes_courants

        demandes = codes_courants(codes, niveau) if codes else []
        if not demandes:
            raise ResultatVide("Aucun territoire demandé : donnez au moins un code (ou codes=None pour toute la France).")
        table = table[table["code"].isin(demandes)].reset_index(drop=True)
    return table


def carte_serie(
    valeurs: pd.Series,
    niveau: str,
    libelle: str,
    source: str,
    unite: str = "",
    categories: list[str] | None = None,
    couleurs: list[str] | None = None,
    classification: str = "quantiles",
    k: int = 5,
    zoom_idf: bool = True,
    largeur: int = 460,
    codes: list[str] | None = None,
) -> Carte:
    """Carte d'une série calculée (par exemple les regroupements d'un LISA), indexée par les codes du niveau.

    Paramètres
    ----------
    valeurs : Series
        Valeurs par code officiel du niveau ; un territoire absent est « non disponible ».
    libelle, source, unite : str
        Titre, ligne de source (avec le millésime) et unité.
    categories : liste de str, optionnel
        Pour une série de classes : leur ordre ; ``couleurs`` donne alors leurs couleurs.
    codes : liste de str, optionnel
        Ne cartographier que ces territoires (la projection s'ajuste sur eux), comme pour :func:`carte`.

    Exemples
    --------
    >>> s = pd.Series({"23": "haut-haut", "75": "bas-bas"})
    >>> c = carte_serie(s, "departement", "Regroupements", "Source : exemple", categories=["haut-haut", "bas-bas"])
    >>> c.options[0].classes
    ['haut-haut', 'bas-bas']
    """
    table = _table_territoires(niveau, codes)
    serie = valeurs.reindex(table["code"]).reset_index(drop=True)
    if serie.isna().all():
        zone = "demandés" if codes is not None else f"du niveau {niveau}"
        raise ResultatVide(f"Aucune valeur de « {libelle} » pour les territoires {zone}.")
    opt = _Option("serie", None, libelle, unite or ("classe" if categories else ""), source)
    type_agregation = "categorie" if categories else "ratio"
    _ajouter(table, 0, serie, opt, type_agregation, "serie", classification, k, None, None)
    table["n0"] = ""
    if categories:  # toutes les classes demandées, dans l'ordre donné, même absentes des données
        table["c0"] = serie.map({c: j for j, c in enumerate(categories)}).fillna(-1).astype(int)
        opt.classes = list(categories)
        opt.couleurs = list(couleurs) if couleurs else _couleurs_categories(len(categories))
    return Carte(niveau, [opt], table, zoom_idf=zoom_idf, largeur=largeur, selection=codes is not None)


#: Couleur de la classe « inchangé » (évolution exactement nulle) des cartes d'évolution.
COULEUR_INCHANGE = "#f0f0f0"


def _classes_evolution(serie: pd.Series, opt: _Option, methode: str, k: int, palette: str | None) -> np.ndarray:
    """Classes d'une évolution : baisses (rouges), « inchangé » (0 exactement, neutre), hausses (bleus).

    Les bornes de chaque côté sont calculées par :func:`territoire_lib.analyses.classer` sur les
    seules baisses, puis sur les seules hausses ; 0 n'est jamais mélangé à une baisse.
    """
    x = serie.astype("float64").to_numpy()
    neg, nul, pos = x < 0, x == 0, x > 0
    n_neg, n_pos = int(neg.sum()), int(pos.sum())
    k_cotes = max(k - int(nul.any()), 2)
    if n_neg and n_pos:
        k_neg = int(np.clip(round(k_cotes * n_neg / (n_neg + n_pos)), 1, k_cotes - 1))
        if n_neg >= 20 and n_pos >= 20 and k_cotes >= 4:  # deux classes au moins de chaque côté
            k_neg = int(np.clip(k_neg, 2, k_cotes - 2))
    else:
        k_neg = k_cotes if n_neg else 0
    k_pos = k_cotes - k_neg if n_pos else 0
    unite = f" {opt.unite}" if opt.unite else ""
    libelles, indices, couleurs = [], np.full(len(x), -1), []
    for cote, masque, kk in (("baisse", neg, k_neg), ("hausse", pos, k_pos)):
        if cote == "hausse" and nul.any():
            indices[nul] = len(libelles)
            libelles.append(f"0{unite} (inchangé)")
            couleurs.append(COULEUR_INCHANGE)
        if not masque.any():
            continue
        c = analyses.classer(pd.Series(np.where(masque, x, np.nan)), methode, min(kk, int(masque.sum())))
        b = list(c.bornes)
        d = 2 if max(abs(v) for v in b) < 1 else 1
        f = lambda v: analyses.formater_nombre(v, d)  # noqa: E731
        if cote == "baisse":
            libs = [f"{f(b[0])}{unite} ou moins"] + [f"de {f(a)} à {f(z)}{unite}" for a, z in zip(b[:-1], b[1:])]
            libs[-1] = (f"de {f(b[-2])} à 0{unite} (exclu)" if len(b) > 1 else f"baisse (de {f(float(x[masque].min()))} à {f(b[0])}{unite})")
        else:
            libs = ([f"plus de 0 à {f(b[0])}{unite}"] + [f"de {f(a)} à {f(z)}{unite}" for a, z in zip(b[:-1], b[1:])])
            if len(b) > 1:
                libs[-1] = f"plus de {f(b[-2])}{unite}"
        indices[masque] = len(libelles) + c.indices[masque]
        libelles += libs
        nom = palette or PALETTES["divergente"]
        # intensité selon le rang de la classe, jamais la couleur la plus sombre pour une classe unique
        positions = (np.linspace(0.08, 0.40, len(b)) if len(b) > 1 else [0.32]) if cote == "baisse" else (
            np.linspace(0.60, 0.92, len(b)) if len(b) > 1 else [0.68])
        couleurs += _palette(nom, positions)
    opt.classes, opt.couleurs = libelles, couleurs
    opt.methode = f"{methode.replace('_', ' ')} de part et d'autre de 0"
    return indices


def carte_evolution(
    identifiant: str,
    debut,
    fin,
    niveau: str = "departement",
    classification: str = "quantiles",
    k: int = 6,
    codes: list[str] | None = None,
    meme_base: bool = True,
    palette: str | None = None,
    zoom_idf: bool = True,
    largeur: int = 400,
) -> Carte:
    """Carte de l'évolution d'un indicateur entre deux millésimes, palette divergente centrée sur 0.

    Les valeurs viennent de :func:`territoire_lib.evolution.evolution` (points
    de % pour une part, % par an pour un stock, différence sinon) ; un
    territoire incomplet à l'une des deux dates est « incomplet » (son
    infobulle dit à quelle date et combien de communes manquent), distinct de
    « non disponible ». Les classes sont calculées séparément pour les baisses
    et pour les hausses ; une évolution exactement nulle a sa classe neutre
    « inchangé » (fréquente pour une part de communes), jamais confondue avec
    une baisse.

    Paramètres
    ----------
    identifiant, debut, fin : voir :func:`territoire_lib.evolution.evolution`.
    niveau : str
        Niveau cartographié (``commune``, ``epci``, ``departement``, ``region``).
    classification, k : méthode et nombre de classes (voir :func:`territoire_lib.analyses.classer`).
    codes : liste de str, optionnel
        Ne cartographier que ces territoires.
    meme_base : bool, défaut True
        Pour les indicateurs sur communes renseignées : mêmes communes aux deux dates.
    palette : str, optionnel
        Palette divergente matplotlib (défaut ``RdBu`` : baisse en rouge, hausse en bleu).

    Exemples
    --------
    >>> c = carte_evolution("part_femmes_elues", 2020, 2026, niveau="departement")
    >>> c.options[0].unite, "de part et d'autre de 0" in c.options[0].methode
    ('points de %', True)
    >>> "2020 → 2026" in c.options[0].source
    True
    """
    from .evolution import evolution

    e = evolution(identifiant, debut, fin, niveau=niveau, meme_base=meme_base)
    table = _table_territoires(niveau, codes)
    serie = e["evolution"].reindex(table["code"]).reset_index(drop=True)
    if serie.isna().all():
        raise ResultatVide(f"Aucune évolution calculable de « {identifiant} » entre {debut} et {fin} "
                           f"pour les territoires demandés (niveau {niveau}).")
    libelle = f"{e.attrs['libelle']} : évolution {debut} → {fin}"
    opt = _Option(f"evolution_{identifiant}", None, libelle, e.attrs["unite_evolution"], e.attrs["source"])
    table["c0"] = _classes_evolution(serie, opt, classification, k, palette)
    table["v0"] = serie.astype("float64")
    opt.decimales = 1 if e.attrs["type_evolution"] != "taux_annuel" else 2
    statut = e["statut"].reindex(table["code"]).reset_index(drop=True)
    motif = e["motif"].reindex(table["code"]).reset_index(drop=True)
    table["n0"] = motif.fillna("").astype(str)
    incomplets = statut.fillna("").str.startswith("incomplet") & table["c0"].eq(-1)
    table.loc[incomplets, "c0"] = -2
    opt.nb_incomplets = int(incomplets.sum())
    return Carte(niveau, [opt], table, zoom_idf=zoom_idf, largeur=largeur, selection=codes is not None)


# --------------------------------------------------------------------------- points sur une carte
@dataclass
class CartePoints(Carte):
    """Carte choroplèthe (:class:`Carte`) surmontée d'une couche de points (lieux, équipements…).

    Construite par :func:`carte_points`. Les points sont projetés comme la
    géométrie (Lambert-93 en métropole) et servis par URL comme les valeurs
    (CSV nommé par l'empreinte de son contenu) ; ils sont inclus dans la
    spécification pour les exports autonomes.
    """

    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    libelle_points: str = "Points"
    source_points: str = ""
    infobulles_points: dict = field(default_factory=dict)
    couleur_points: str = "#d7301f"

    @property
    def description(self) -> str:
        texte = super().description
        localises = analyses.formater_nombre(len(self.points), 0)
        return (texte + f"\nPoints : {self.libelle_points} ({localises} localisés). "
                f"{self.source_points}.")

    def _donnees_points(self, mode: str) -> alt.Data:
        if mode == "inline":
            return alt.InlineData(values=json.loads(self.points.to_json(orient="records")))
        texte = self.points.to_csv(index=False, float_format="%.6g")
        nom = _ecrire_servi(self.dossier, "points", texte)
        types = {c: ("number" if pd.api.types.is_numeric_dtype(self.points[c]) else "string")
                 for c in self.points.columns}
        return alt.UrlData(url=f"{DOSSIER_GENERE}/{nom}", format=alt.CsvDataFormat(type="csv", parse=types))

    def _couche_carte(self, mode: str, largeur: int, hauteur: int, filtre: str | None, titre=None):
        fond = super()._couche_carte(mode, largeur, hauteur, filtre, titre)
        if filtre is not None:  # pas de points dans l'agrandissement
            return fond
        infobulles = [alt.Tooltip(f"{c}:N", title=t) for c, t in self.infobulles_points.items()]
        points = alt.Chart(self._donnees_points(mode)).mark_circle(
            size=22, color=self.couleur_points, opacity=0.85, stroke="white", strokeWidth=0.4,
        ).encode(longitude="x:Q", latitude="y:Q", tooltip=infobulles)
        extra = {"title": titre} if titre is not None else {}
        if fond.data is not alt.Undefined:  # Altair a remonté la géométrie commune au niveau du calque
            extra["data"] = fond.data
        return alt.layer(*fond.layer, points, **extra).project(type="identity", reflectY=True).properties(
            width=largeur, height=hauteur)

    def _legende(self):
        symbole = alt.Chart(alt.InlineData(values=[{"t": self.libelle_points}]))
        rond = symbole.mark_circle(size=60, color=self.couleur_points, opacity=0.85).encode(y=alt.value(8))
        texte = symbole.mark_text(align="left", dx=12, fontSize=11).encode(text="t:N", y=alt.value(8))
        return alt.vconcat(super()._legende(), alt.layer(rond, texte).properties(width=20, height=16))

    def _pied(self):
        pied = super()._pied()
        # coupée comme la source du fond : une longue ligne élargirait la carte au-delà de sa zone
        lignes = textwrap.wrap(f"Points : {self.source_points}", max(60, int(self.largeur * 1.6 / 5.6))) or [""]
        ligne = alt.Chart(alt.InlineData(values=[{"t": lignes}])).mark_text(
            align="left", baseline="top", fontSize=10, color="#555555", lineHeight=13).encode(
            text="t:N", x=alt.value(0), y=alt.value(0)).properties(width=self.largeur, height=13 * len(lignes))
        return alt.vconcat(pied, ligne, spacing=2)

    def donnees_points(self) -> pd.DataFrame:
        """Les points affichés (coordonnées projetées ``x``, ``y``), avec leur source."""
        return self.points.assign(source=self.source_points)


def carte_points(
    fond: Carte,
    points: pd.DataFrame,
    libelle: str,
    source: str,
    infobulles: dict[str, str] | None = None,
    lon: str = "lon",
    lat: str = "lat",
    couleur: str = "#d7301f",
) -> CartePoints:
    """Ajoute une couche de points (lieux) au-dessus d'une carte choroplèthe.

    Paramètres
    ----------
    fond : Carte
        Carte de :func:`carte` ou :func:`carte_serie` (de préférence limitée à
        une région avec ``codes=`` : la vue s'ajuste alors sur elle).
    points : DataFrame
        Une ligne par point, coordonnées WGS84 dans ``lon``/``lat`` ; les lignes
        sans coordonnées sont écartées et comptées (``attrs["points_sans_coordonnees"]``).
    libelle, source : str
        Nom de la couche (légende) et sa ligne de source (avec millésime).
    infobulles : dict, optionnel
        ``{colonne: titre en français}`` des champs montrés au survol.
    couleur : str
        Couleur des points.

    Renvoie
    -------
    CartePoints
        S'affiche et s'exporte comme une :class:`Carte` (PNG, SVG, HTML, CSV…).

    Exemples
    --------
    >>> fond = carte("part_65_ans_et_plus", niveau="departement", codes=["73", "74"])
    >>> pts = pd.DataFrame({"nom": ["Chambéry"], "lon": [5.92], "lat": [45.57]})
    >>> c = carte_points(fond, pts, "Lieux", "Source : exemple", {"nom": "Lieu"})
    >>> c.points[["x", "y"]].round(-3).values.tolist()
    [[928000.0, 6501000.0]]
    """
    import geopandas as gpd

    infobulles = dict(infobulles or {})
    manquantes = [c for c in [lon, lat, *infobulles] if c not in points.columns]
    if manquantes:
        raise ValueError(f"Colonnes absentes de la table des points : {manquantes}. Colonnes présentes : "
                         f"{list(points.columns)}.")
    ok = points[lon].notna() & points[lat].notna()
    if not ok.any():
        raise ResultatVide("Aucun point n'a de coordonnées : rien à ajouter à la carte.")
    p = points.loc[ok, list(infobulles)].copy()
    geo = gpd.GeoSeries(gpd.points_from_xy(points.loc[ok, lon], points.loc[ok, lat]), crs=4326).to_crs(2154)
    p["x"], p["y"] = np.round(geo.x.to_numpy(), 1), np.round(geo.y.to_numpy(), 1)
    res = CartePoints(fond.niveau, fond.options, fond.valeurs, zoom_idf=fond.zoom_idf, largeur=fond.largeur,
                      titre=fond.titre, selection=fond.selection, dossier=fond.dossier, points=p.reset_index(drop=True),
                      libelle_points=libelle, source_points=source.removeprefix("Source : ").removeprefix("Sources : "),
                      infobulles_points=infobulles, couleur_points=couleur)
    res.points.attrs["points_sans_coordonnees"] = int((~ok).sum())
    return res
