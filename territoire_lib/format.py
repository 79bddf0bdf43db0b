"""Nombres et tableaux à la française, pour tout ce que les carnets affichent.

Une seule règle, celle de l'Imprimerie nationale et de l'Insee : virgule
décimale, espace fine insécable (U+202F) entre les groupes de trois chiffres,
espace insécable (U+00A0) avant le signe %, une unité ou « %/an ». Les tableaux
affichés montrent les libellés du catalogue (jamais les identifiants), les
natures d'EPCI en toutes lettres et les classes de taille dans leur ordre
naturel.

Exemples
--------
>>> nombre(2204) == "2\\u202f204"
True
>>> pourcentage(0.4412, 2, signe=True) == "+0,44\\u00a0%"
True
>>> nombre(197061.0, unite="habitants") == "197\\u202f061\\u00a0habitants"
True
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping

import pandas as pd
from pandas.io.formats.style import Styler

__all__ = [
    "ESPACE_FINE",
    "ESPACE_INSECABLE",
    "NATURES_EPCI",
    "nombre",
    "liste_effectifs",
    "pourcentage",
    "libelle_nature_epci",
    "libelles_colonnes",
    "ordonner_classes",
    "tableau",
    "sources_sans_doublon",
    "valeur_ou_motif",
    "nombre_tableau",
    "entiers_francais",
    "affichage_francais",
]

#: Séparateur des milliers (espace fine insécable).
ESPACE_FINE = "\u202f"
#: Espace insécable, avant % et les unités.
ESPACE_INSECABLE = "\u00a0"

#: Natures d'EPCI : sigle officiel (DGCL, Banatic) → nom en toutes lettres.
NATURES_EPCI = {
    "ME": "métropole",
    "METRO": "métropole",
    "MET69": "Métropole de Lyon",
    "CU": "communauté urbaine",
    "CA": "communauté d'agglomération",
    "CC": "communauté de communes",
}


def _decimales_auto(x: float) -> int:
    ax = abs(x)
    return 0 if ax >= 100 else 1 if ax >= 10 else 2


def nombre(x, decimales: int | None = None, signe: bool = False, unite: str = "") -> str:
    """Un nombre à la française : « 1 234 567,9 », « -0,25 », « +0,44 %/an ».

    Paramètres
    ----------
    x : nombre
        Valeur ; manquante (None, NaN, pd.NA) : « n.d. ».
    decimales : int, optionnel
        Par défaut 0 pour un nombre entier ou au-delà de 100, 1 au-delà de 10, 2 sinon.
    signe : bool
        Affiche « + » devant une valeur positive (évolutions).
    unite : str
        Ajoutée après une espace insécable (« % », « habitants », « %/an »).

    Exemples
    --------
    >>> nombre(1234567.891, 1).replace(ESPACE_FINE, " ")
    '1 234 567,9'
    >>> nombre(-0.25)
    '-0,25'
    >>> nombre(None)
    'n.d.'
    >>> nombre(21.0), nombre(21.04)
    ('21', '21,0')
    """
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return "n.d."
    try:
        if pd.isna(x):
            return "n.d."
    except (TypeError, ValueError):
        pass
    x = float(x)
    # par défaut, un effectif entier s'écrit sans décimale (« 21 lycées », pas « 21,0 »)
    d = (0 if x.is_integer() else _decimales_auto(x)) if decimales is None else decimales
    texte = f"{x:{'+' if signe else ''},.{d}f}".replace(",", ESPACE_FINE).replace(".", ",")
    if texte.lstrip("+-").strip("0,") == "" and texte.startswith("-"):
        texte = texte[1:]  # « -0,0 » → « 0,0 »
    return f"{texte}{ESPACE_INSECABLE}{unite}" if unite else texte


def liste_effectifs(comptes: Mapping | pd.Series, libelles: Mapping[str, str] | None = None,
                    vide: str = "aucun") -> str:
    """Des effectifs par catégorie en une ligne : « haut-haut : 2 424 ; bas-bas : 2 303 ».

    Paramètres
    ----------
    comptes : dict ou Series
        Catégorie → effectif, dans l'ordre voulu.
    libelles : dict, optionnel
        Catégorie → libellé en français ; une catégorie absente garde son nom.
    vide : str
        Texte rendu quand il n'y a aucune catégorie.

    Exemples
    --------
    >>> liste_effectifs({"haut-haut": 2424, "bas-bas": 2303}).replace(ESPACE_FINE, " ")
    'haut-haut : 2 424 ; bas-bas : 2 303'
    >>> liste_effectifs({"liste_vide": 415}, {"liste_vide": "liste d'horaires vide"})
    "liste d'horaires vide : 415"
    >>> liste_effectifs({})
    'aucun'
    """
    libelles = libelles or {}
    morceaux = [f"{libelles.get(k, k)} : {nombre(v, 0)}" for k, v in dict(comptes).items()]
    return " ; ".join(morceaux) if morceaux else vide


def nombre_tableau(x) -> str:
    """Un nombre d'un tableau affiché (``print(df)``, ``df.to_string()``) écrit à la française.

    Garde les décimales de la valeur (un tableau arrondi par ``.round(1)`` garde une décimale),
    au plus six ; un entier de 1 000 ou plus s'écrit sans décimale (effectifs, populations).

    Exemples
    --------
    >>> [nombre_tableau(v).replace(ESPACE_FINE, " ") for v in (17.0, 23.3, 15734296.0, 0.136, -2.5)]
    ['17,0', '23,3', '15 734 296', '0,136', '-2,5']
    """
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return "n.d."
    x = float(x)
    if x.is_integer() and abs(x) >= 1000:
        return nombre(x, 0)
    texte = repr(round(x, 6))  # « 23.3 », « 0.136 » ; écriture scientifique (« 1e-06 ») : 6 décimales
    return nombre(x, 6 if "e" in texte else max(1, len(texte.partition(".")[2])))


#: Colonnes entières qui sont des années (« 2021 », jamais « 2 021 ») : laissées telles quelles.
_COLONNE_ANNEE = re.compile(r"(^|[_\s])(ann[ée]es?|mill[ée]simes?)([_\s]|$)|^an$", re.IGNORECASE)


def _colonne_entiere(serie: pd.Series, nom) -> bool:
    """Une colonne à écrire à la française : dtype entier numérique (pas booléen), hors années."""
    return (pd.api.types.is_integer_dtype(serie.dtype) and not pd.api.types.is_bool_dtype(serie.dtype)
            and not (isinstance(nom, str) and _COLONNE_ANNEE.search(nom)))


def _entiers_en_texte(serie: pd.Series) -> pd.Series:
    """Les entiers de ``serie`` écrits par ``nombre(v, 0)`` (colonne objet, même index).

    Un long tableau n'est pas formaté en entier : pandas n'en affiche que les premières et les
    dernières lignes (au plus ``display.max_rows`` en tout), seules celles-ci sont écrites.
    """
    max_lignes = pd.get_option("display.max_rows")
    texte = serie.astype(object)
    n = len(texte)
    if not max_lignes or n <= 2 * max_lignes:
        return texte.map(lambda v: nombre(v, 0))
    lignes = list(range(max_lignes)) + list(range(n - max_lignes, n))
    texte.iloc[lignes] = [nombre(v, 0) for v in serie.iloc[lignes]]
    return texte


def entiers_francais(obj: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Copie pour l'affichage dont les colonnes entières sont écrites à la française (« 8 372 »).

    Seules les colonnes de dtype entier numérique sont converties en texte : les codes officiels
    (« 91228 », « 200072007 »), qui sont des chaînes, l'index, les flottants (``display.float_format``)
    et les colonnes d'années (« annee », « millesime ») restent tels quels. Renvoie ``obj``
    lui-même s'il n'y a rien à convertir.

    Exemples
    --------
    >>> df = pd.DataFrame({"code": ["91228"], "communes": [34807], "annee": [2021]}).set_index("code")
    >>> print(entiers_francais(df).to_string().replace(ESPACE_FINE, " "))
          communes  annee
    code                 
    91228   34 807   2021
    """
    if isinstance(obj, pd.Series):
        return _entiers_en_texte(obj) if _colonne_entiere(obj, obj.name) else obj
    positions = [i for i, nom in enumerate(obj.columns) if _colonne_entiere(obj.iloc[:, i], nom)]
    if not positions:
        return obj
    vue = obj.copy(deep=False)
    for i in positions:
        vue.isetitem(i, _entiers_en_texte(obj.iloc[:, i]))
    return vue


def _texte_ipython(obj, p, cycle) -> None:
    """Formateur ``text/plain`` d'IPython : le ``repr`` habituel de pandas, entiers à la française."""
    if cycle:
        p.text(object.__repr__(obj))
        return
    vue = entiers_francais(obj)
    texte = repr(vue)
    if isinstance(obj, pd.Series) and vue is not obj:  # le dtype affiché reste celui des données
        texte = re.sub(r"dtype: \w+$", f"dtype: {obj.dtype}", texte)
    p.text(texte)


def _html_ipython(obj: pd.DataFrame) -> str | None:
    """Formateur ``text/html`` d'IPython : le ``_repr_html_`` de pandas, entiers à la française."""
    return entiers_francais(obj)._repr_html_()


def affichage_francais() -> None:
    """Tableaux pandas affichés à la française dans le carnet (virgule décimale, espace fine).

    Règle l'option ``display.float_format`` de pandas sur :func:`nombre_tableau` : ``print(df)``,
    ``df.to_string()`` et l'affichage HTML des tableaux écrivent alors « 23,3 » et
    « 15 734 296 ». Dans un noyau IPython (carnet, Voilà), les tableaux (``DataFrame``, texte et
    HTML) et les séries (texte) affichés en fin de cellule écrivent aussi leurs colonnes entières
    à la française (« 8 372 ») : pandas n'a pas d'option pour les entiers, on passe par
    :func:`entiers_francais` puis le rendu habituel de pandas (options ``display.max_rows``…
    respectées). Hors IPython, seuls les flottants changent. À appeler une fois, dans la première
    cellule d'un carnet.

    Exemples
    --------
    >>> affichage_francais()
    >>> print(pd.DataFrame({"part": [23.3]}).to_string())
       part
    0  23,3
    >>> pd.reset_option("display.float_format")
    """
    pd.set_option("display.float_format", nombre_tableau)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython est installé avec Jupyter
        return
    shell = get_ipython()
    if shell is None:
        return
    formateurs = shell.display_formatter.formatters
    for type_ in (pd.DataFrame, pd.Series):
        formateurs["text/plain"].for_type(type_, _texte_ipython)
    formateurs["text/html"].for_type(pd.DataFrame, _html_ipython)


def pourcentage(x, decimales: int | None = 1, signe: bool = False) -> str:
    """Une part déjà exprimée en % : « 36,8 % » (espace insécable avant %).

    Exemples
    --------
    >>> pourcentage(36.84).replace(ESPACE_INSECABLE, " ")
    '36,8 %'
    """
    return nombre(x, decimales, signe=signe, unite="%")


def libelle_nature_epci(nature: str) -> str:
    """« CA » → « communauté d'agglomération » (le sigle inconnu est rendu tel quel).

    Exemples
    --------
    >>> libelle_nature_epci("CC")
    'communauté de communes'
    """
    return NATURES_EPCI.get(str(nature), str(nature))


#: Colonnes courantes des tables de territoires, avec leur titre.
TITRES_COLONNES = {"nom_commune": "Commune", "nom_epci": "Intercommunalité", "nom_departement": "Département",
                   "nom_region": "Région", "nom": "Nom", "code": "Code", "nature_epci": "Nature de l'EPCI"}


def _libelle(colonne: str) -> str:
    from .catalogue import catalogue

    if colonne in TITRES_COLONNES:
        return TITRES_COLONNES[colonne]
    cat = catalogue().set_index("id")
    if colonne in cat.index:
        ligne = cat.loc[colonne]
        unite = str(ligne.get("unite") or "")
        return f"{ligne['libelle']} ({unite})" if unite and unite not in ("oui/non", "classe") else str(ligne["libelle"])
    m = re.fullmatch(r"(.+)_communes_non_renseignees", colonne)
    if m and m.group(1) in cat.index:
        return f"{cat.loc[m.group(1), 'libelle']} : communes non renseignées"
    return colonne.replace("_%", " (%)").replace("_", " ")


def libelles_colonnes(df: pd.DataFrame) -> pd.DataFrame:
    """Copie de ``df`` dont les colonnes (identifiants du catalogue) portent leur libellé et leur unité.

    Exemples
    --------
    >>> list(libelles_colonnes(pd.DataFrame({"part_peu_ouvertes_%": [1.0]})).columns)
    ['part peu ouvertes (%)']
    """
    return df.rename(columns={c: _libelle(c) for c in df.columns if isinstance(c, str)})


def ordonner_classes(df: pd.DataFrame | pd.Series, groupe: str | None = None):
    """Remet les classes de taille (« moins de 500 hab. »…) et les natures d'EPCI dans leur ordre naturel.

    L'ordre de taille est lu dans les bornes des libellés (« 500 à 1 999 hab. » vient après
    « moins de 500 hab. ») ; les natures d'EPCI vont de la métropole à la communauté de communes.

    Exemples
    --------
    >>> s = pd.Series([1, 2, 3], index=["2 000 à 9 999 hab.", "moins de 500 hab.", "500 à 1 999 hab."])
    >>> ordonner_classes(s).index.tolist()
    ['moins de 500 hab.', '500 à 1 999 hab.', '2 000 à 9 999 hab.']
    """
    index = [str(i) for i in df.index]
    if set(index) <= set(NATURES_EPCI) | set(NATURES_EPCI.values()):
        ordre = list(NATURES_EPCI) + list(NATURES_EPCI.values())
        return df.iloc[sorted(range(len(index)), key=lambda k: ordre.index(index[k]))]

    def cle(libelle: str) -> float:
        chiffres = re.findall(r"\d[\d\s\u202f\u00a0]*", libelle)
        if not chiffres:
            return math.inf
        premier = float(re.sub(r"\D", "", chiffres[0]))
        return -1 if libelle.lower().startswith("moins") else premier

    if groupe not in (None, "taille_commune") or not any("hab" in i for i in index):
        return df
    return df.iloc[sorted(range(len(index)), key=lambda k: cle(index[k]))]


def tableau(df: pd.DataFrame, decimales: int | dict = 1, libelles: bool = True):
    """Un tableau prêt à afficher : libellés du catalogue, natures d'EPCI en clair, nombres à la française.

    Renvoie un ``Styler`` pandas (rendu HTML dans JupyterLab et Voilà) : les valeurs ne sont pas
    arrondies dans les données, seulement à l'affichage. ``decimales`` (un nombre pour toutes les
    colonnes, ou ``{colonne: n}``) ; une colonne d'entiers (effectifs) s'affiche sans décimale.

    Exemples
    --------
    >>> t = tableau(pd.DataFrame({"population": [2204.0]}, index=["CA"]), decimales=0)
    >>> "2\\u202f204" in t.to_html()
    True
    >>> print(repr(t).replace(ESPACE_FINE, " "))
      Population municipale (habitants)
    communauté d'agglomération  2 204
    """
    vue = df.copy()
    vue.index = [libelle_nature_epci(i) if isinstance(i, str) else i for i in vue.index]
    for c in vue.columns:
        if c in ("nature_epci", "nature_epci_2020"):
            vue[c] = vue[c].map(libelle_nature_epci)
    if libelles:
        if isinstance(decimales, dict):
            decimales = {_libelle(k): v for k, v in decimales.items()}
        vue = libelles_colonnes(vue)
    numeriques = [c for c in vue.columns if pd.api.types.is_numeric_dtype(vue[c])]

    def formateur(d):
        return lambda v: nombre(v, d)

    def entiers(c) -> bool:  # effectifs (populations, nombres de communes) : sans décimale
        v = pd.to_numeric(vue[c], errors="coerce").dropna()
        return len(v) > 0 and bool((v % 1 == 0).all())

    if isinstance(decimales, dict):
        formats = {c: formateur(decimales[c] if c in decimales else 0 if entiers(c) else 1) for c in numeriques}
    else:
        formats = {c: formateur(0 if entiers(c) and decimales is not None else decimales) for c in numeriques}
    styler = vue.style.format(formats, na_rep="n.d.")
    styler.__class__ = TableauFr
    return styler


class TableauFr(Styler):
    """``Styler`` dont la représentation texte est le tableau formaté (console, tests, lecteurs d'écran)."""

    def __repr__(self) -> str:
        return self.to_string(delimiter="  ").rstrip("\n")


def sources_sans_doublon(*lignes: str) -> str:
    """Lignes de source (:func:`territoire_lib.ligne_source`) réunies en une seule, sans répétition.

    Chaque producteur n'apparaît qu'une fois, avec ses millésimes ; « calculs Territoires en
    transition » n'est écrit qu'une fois, à la fin.

    Exemples
    --------
    >>> sources_sans_doublon("Source : Insee, RP 2021 — calculs Territoires en transition (millésime 2021)",
    ...                      "Source : Insee, populations légales — calculs Territoires en transition (millésime 2023)",
    ...                      "Source : Insee, RP 2021 — calculs Territoires en transition (millésime 2021)")
    'Sources : Insee, RP 2021 (2021) ; Insee, populations légales (2023) — calculs Territoires en transition'
    """
    producteurs: dict[str, dict[str, None]] = {}
    calculs = False
    for ligne in lignes:
        texte = re.sub(r"^\s*Sources?\s*:\s*", "", str(ligne).strip())
        millesime = re.search(r"\((?:millésimes?\s+)?([^()]*)\)\s*$", texte)
        if millesime:
            texte = texte[:millesime.start()].strip()
        if re.search(r"calculs Territoires en transition", texte, re.I):
            calculs = True
            texte = re.sub(r"\s*(?:—|;|,)?\s*calculs Territoires en transition\s*", "", texte, flags=re.I).strip(" ;—")
        if texte:
            producteurs.setdefault(texte, {})
            if millesime:
                producteurs[texte][millesime.group(1).strip()] = None
    morceaux = [f"{p} ({', '.join(m)})" if m else p for p, m in producteurs.items()]
    return ("Sources : " if len(morceaux) > 1 else "Source : ") + " ; ".join(morceaux) + (
        " — calculs Territoires en transition" if calculs else "")


def valeur_ou_motif(df: pd.DataFrame, ident: str, code, decimales: int | None = None, signe: bool = False,
                    unite: str = "") -> str:
    """La valeur d'un tableau de :func:`territoire_lib.indicateurs` à la française, ou pourquoi elle manque.

    Un agrégat incomplet n'est jamais affiché comme un nombre : on dit combien de
    communes du territoire n'ont pas de valeur (le détail : ``expliquer(...)``).

    Exemples
    --------
    >>> df = pd.DataFrame({"x": [1.5, float("nan")]}, index=["A", "B"])
    >>> df.attrs["completude"] = {"x": {"territoires": {"B": {"statut": "incomplet", "nb_communes": 10,
    ...                                                        "nb_sans_valeur": 3}}}}
    >>> valeur_ou_motif(df, "x", "A", 1)
    '1,5'
    >>> valeur_ou_motif(df, "x", "B", 1)
    'non calculé (3 communes sans valeur propre sur 10)'
    """
    v = df.loc[code, ident]
    if pd.notna(v):
        return nombre(v, decimales, signe=signe, unite=unite)
    info = df.attrs.get("completude", {}).get(ident, {}).get("territoires", {}).get(str(code))
    if info and info.get("statut") == "incomplet":
        return (f"non calculé ({nombre(info['nb_sans_valeur'], 0)} communes sans valeur propre "
                f"sur {nombre(info['nb_communes'], 0)})")
    return "non disponible"
