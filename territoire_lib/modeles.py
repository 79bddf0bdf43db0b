"""Les sept modèles de territoire de la fiche, rendus mesurables et discutables.

La fiche « Territoire de la transition » propose des modèles « prêts à
l'emploi » (cyber territoire, territoire plateforme, autonome et résilient,
compétitivité territoriale, territoire collaboratif) et deux « histoires de
transition » (soft territoire, territoire de liens). Ce module en fait une
typologie **transparente** : chaque modèle est un profil d'indicateurs du
catalogue (``modeles.yaml``, un fichier de données, pas du code), avec un sens,
un poids et une justification par indicateur.

Méthode
-------
1. **Normalisation en rang centile.** Chaque indicateur est converti, au niveau
   demandé, en centile médian ``100 × (rang − 0,5) / n`` (rang moyen en cas
   d'égalité, sur les seuls territoires renseignés) : 50 est le territoire
   médian, 0 et 100 les extrêmes. Ce choix plutôt qu'un z-score (même robuste,
   médiane et écart interquartile) : les distributions sont très asymétriques
   (densité de 0,3 à 8 800 hab./km², résidences secondaires jusqu'à 81 %,
   lycées de 0 à 533) ; un z-score laisserait une seule valeur extrême décider
   d'un modèle, alors qu'un centile est borné, sans unité, et se lit en atelier
   (« plus élevé que 80 % des EPCI »). Le prix : les écarts de niveau sont
   perdus (seul l'ordre compte) et les indicateurs à nombreuses égalités (part
   de communes, souvent 0 ou 100 %) discriminent moins.
2. **Orientation.** Un indicateur de sens −1 compte pour ``100 − centile``.
3. **Score brut d'un modèle** = moyenne pondérée des centiles orientés de son
   profil, sur les indicateurs renseignés. **Règle des valeurs manquantes** :
   si moins des deux tiers du poids du profil (:data:`SEUIL_COUVERTURE`) est
   renseigné, le score est manquant (NaN), jamais calculé sur une ou deux
   composantes ; le nombre de scores manquants est rapporté (journal et ``attrs``).
4. **Score standardisé** : les scores bruts n'ont pas la même dispersion d'un
   modèle à l'autre (écart type de 11 à 23 points entre EPCI) ; prendre le plus
   élevé favoriserait par construction le modèle le plus dispersé. Chaque score
   est donc centré-réduit entre les territoires du niveau, puis exprimé sur
   l'échelle T (moyenne 50, écart type 10), et multiplié par le poids du
   modèle (1 par défaut).
5. **Modèle dominant** = score standardisé le plus élevé ; on donne aussi le
   second et l'écart entre les deux (en points T), mesure de la netteté du
   classement, et la **stabilité** de ce modèle dominant quand on fait varier
   normalisation, indicateurs et pondération (:func:`stabilite_modeles`).

Normalisation, agrégation, standardisation et analyse d'incertitude passent
par le moteur commun :mod:`territoire_lib.indices` (le même que l'indice de
fragilité numérique du carnet 03). Ces scores sont des supports de discussion,
pas une classification officielle : sur les données disponibles, plusieurs
d'entre eux restent liés à la densité (:func:`correlations_modeles`).
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import ids_indicateurs, indicateur
from .chargement import indicateurs, lire_configuration
from .chemins import RACINE_PAQUET
from .erreurs import ErreurTerritoire, NiveauInconnu, suggestions
from .format import nombre

__all__ = [
    "SEUIL_COUVERTURE",
    "NIVEAUX",
    "ProfilModeleInvalide",
    "profils_modeles",
    "indicateurs_modeles",
    "presenter_modeles",
    "normaliser",
    "calculer_scores",
    "scores_modeles",
    "correlations_modeles",
    "stabilite_modeles",
    "sensibilite",
    "profil_territoire",
    "ligne_source_modeles",
    "effectifs_dominants",
    "carte_modeles",
    "graphique_distributions",
    "graphique_effectifs",
    "graphique_sensibilite",
    "graphique_profil",
    "explorateur_modeles",
]

_log = logging.getLogger(__name__)

FICHIER_MODELES = RACINE_PAQUET / "modeles.yaml"
#: Part minimale du poids d'un profil qui doit être renseignée pour calculer un score.
SEUIL_COUVERTURE = 2 / 3
#: Niveaux où les scores se calculent (tous les indicateurs des profils s'agrègent).
NIVEAUX = ("commune", "epci", "departement", "region")
_CHAMPS = ("id", "nom", "famille", "couleur", "resume", "phrase_cle", "angle_mort", "indicateurs")
_COLONNES_FIN = ["modele_dominant", "modele_second", "ecart_dominant_second"]


class ProfilModeleInvalide(ErreurTerritoire, ValueError):
    """Le fichier des modèles (ou des poids donnés) est incohérent."""


# --------------------------------------------------------------------------- profils
def _indicateurs_valides() -> list[str]:
    """Indicateurs utilisables dans un profil : agrégeables (pas les classes de commune)."""
    return [i for i in ids_indicateurs() if indicateur(i).agregeable]


def _erreur_indicateur(modele: str, ident: str) -> ProfilModeleInvalide:
    valides = _indicateurs_valides()
    proches = suggestions(ident, valides, n=3)
    msg = f"Modèle « {modele} » : indicateur inconnu ou non agrégeable « {ident} »."
    if proches:
        msg += f" Vouliez-vous dire : {', '.join(proches)} ?"
    return ProfilModeleInvalide(msg + f" Indicateurs valides : {', '.join(valides)}.")


def _valider(brut: dict) -> list[dict]:
    if not isinstance(brut, dict) or not isinstance(brut.get("modeles"), list) or not brut["modeles"]:
        raise ProfilModeleInvalide("Le fichier des modèles doit contenir une liste « modeles: » non vide.")
    vus, res = set(), []
    for m in brut["modeles"]:
        manquants = [c for c in _CHAMPS if not m.get(c)]
        nom = m.get("id", "?")
        if manquants:
            raise ProfilModeleInvalide(f"Modèle « {nom} » : champ(s) manquant(s) ou vide(s) : {', '.join(manquants)}.")
        if nom in vus:
            raise ProfilModeleInvalide(f"Modèle « {nom} » défini deux fois : les identifiants doivent être uniques.")
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", str(m["couleur"])):
            raise ProfilModeleInvalide(f"Modèle « {nom} » : couleur « {m['couleur']} » invalide (attendu #RRVVBB).")
        vus.add(nom)
        lignes, ids = [], set()
        for ligne in m["indicateurs"]:
            ident = ligne.get("id")
            if ident not in _indicateurs_valides():
                raise _erreur_indicateur(nom, str(ident))
            if ident in ids:
                raise ProfilModeleInvalide(f"Modèle « {nom} » : indicateur « {ident} » présent deux fois.")
            if ligne.get("sens") not in (1, -1):
                raise ProfilModeleInvalide(
                    f"Modèle « {nom} », indicateur « {ident} » : sens « {ligne.get('sens')} » invalide (1 ou -1).")
            poids = ligne.get("poids")
            if not isinstance(poids, (int, float)) or isinstance(poids, bool) or poids <= 0:
                raise ProfilModeleInvalide(
                    f"Modèle « {nom} », indicateur « {ident} » : poids « {poids} » invalide (nombre > 0).")
            if not str(ligne.get("justification", "")).strip():
                raise ProfilModeleInvalide(f"Modèle « {nom} », indicateur « {ident} » : justification manquante.")
            ids.add(ident)
            lignes.append({"id": ident, "sens": int(ligne["sens"]), "poids": float(poids),
                           "justification": str(ligne["justification"]).strip()})
        res.append({**{c: str(m[c]).strip() for c in _CHAMPS if c != "indicateurs"}, "indicateurs": lignes})
    return res


@lru_cache(maxsize=4)
def _profils(chemin: Path) -> tuple:
    try:
        brut = lire_configuration(chemin)
    except FileNotFoundError:
        raise ProfilModeleInvalide(f"Fichier des modèles introuvable : {chemin}.") from None
    return tuple(_valider(brut))


def profils_modeles(chemin: str | Path | None = None) -> list[dict]:
    """Les modèles de la fiche et leurs profils d'indicateurs, lus dans ``modeles.yaml`` et validés.

    Paramètres
    ----------
    chemin : str ou Path, optionnel
        Autre fichier de profils (même structure) ; par défaut celui de la bibliothèque.

    Renvoie
    -------
    list of dict
        Un dictionnaire par modèle : ``id``, ``nom``, ``famille``, ``couleur``, ``resume``,
        ``phrase_cle``, ``angle_mort`` et ``indicateurs`` (liste de ``{id, sens, poids,
        justification}``).

    Lève
    ----
    ProfilModeleInvalide
        Indicateur inconnu (avec la liste des indicateurs valides), sens autre que ±1,
        poids non positif, champ manquant, identifiant en double.

    Exemples
    --------
    >>> [m["nom"] for m in profils_modeles()][:2]
    ['Cyber territoire', 'Territoire plateforme']
    >>> len(profils_modeles())
    7
    """
    chemin = Path(chemin) if chemin is not None else FICHIER_MODELES
    return [{**m, "indicateurs": [dict(i) for i in m["indicateurs"]]} for m in _profils(chemin.resolve())]


def indicateurs_modeles(profils: list[dict] | None = None) -> list[str]:
    """Indicateurs utilisés par au moins un profil, dans l'ordre de première apparition.

    Exemples
    --------
    >>> indicateurs_modeles()[:2]
    ['mairie_site_web', 'part_residences_secondaires']
    """
    vus: dict[str, None] = {}
    for m in profils or profils_modeles():
        for i in m["indicateurs"]:
            vus.setdefault(i["id"], None)
    return list(vus)


def presenter_modeles(profils: list[dict] | None = None) -> str:
    """Présentation des modèles en Markdown (résumé, phrase clé, profil justifié, angle mort),
    générée depuis ``modeles.yaml`` pour être affichée dans un carnet.

    Exemples
    --------
    >>> texte = presenter_modeles()
    >>> texte.count("### ")
    7
    """
    profils = profils or profils_modeles()
    blocs = []
    for k, m in enumerate(profils, 1):
        lignes = [f"### {k}. {m['nom']} <span style='color:{m['couleur']}'>■</span> — *{m['famille']}*", "",
                  m["resume"], "", f"> « {m['phrase_cle']} » — fiche « Territoire de la transition », {m['famille']} « {m['nom']} »", "",
                  "| indicateur | sens | poids | pourquoi |", "|---|:-:|:-:|---|"]
        for i in m["indicateurs"]:
            fleche = "↑ plus c'est élevé, plus on s'en rapproche" if i["sens"] > 0 else "↓ plus c'est bas, plus on s'en rapproche"
            lignes.append(f"| {indicateur(i['id']).libelle} | {fleche} | {i['poids']:g} | {i['justification']} |")
        lignes += ["", f"*Ce que le score ne capte pas* : {m['angle_mort']}"]
        blocs.append("\n".join(lignes))
    return "\n\n".join(blocs)


def _noms(profils: list[dict]) -> dict[str, str]:
    return {m["id"]: m["nom"] for m in profils}


# --------------------------------------------------------------------------- calcul
def normaliser(valeurs: pd.DataFrame) -> pd.DataFrame:
    """Rang centile médian de chaque colonne : ``100 × (rang − 0,5) / n`` (valeurs manquantes gardées).

    Les égalités reçoivent le rang moyen ; ``n`` compte les seules valeurs renseignées.

    Exemples
    --------
    >>> normaliser(pd.DataFrame({"x": [10.0, 30.0, 20.0, None]}))["x"].round(2).tolist()
    [16.67, 83.33, 50.0, nan]
    """
    from .indices import normaliser as _normaliser

    return 100 * _normaliser(valeurs.astype("float64"), "rang")


def _poids_effectifs(profils: list[dict], poids_indicateurs: dict | None, poids_modeles: dict | None):
    """Matrices (modèles × indicateurs) des poids et des sens, et facteur de chaque modèle."""
    ids, modeles = indicateurs_modeles(profils), [m["id"] for m in profils]
    poids_indicateurs, poids_modeles = dict(poids_indicateurs or {}), dict(poids_modeles or {})
    for nom, dico, valides in (("d'indicateur", poids_indicateurs, ids), ("de modèle", poids_modeles, modeles)):
        for cle, v in dico.items():
            if cle not in valides:
                raise ProfilModeleInvalide(
                    f"Poids {nom} inconnu : « {cle} ». Identifiants valides : {', '.join(valides)}.")
            if not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                raise ProfilModeleInvalide(f"Poids {nom} « {cle} » invalide : {v!r} (nombre positif ou nul attendu).")
    poids = pd.DataFrame(0.0, index=modeles, columns=ids)
    sens = pd.DataFrame(0, index=modeles, columns=ids)
    for m in profils:
        for i in m["indicateurs"]:
            poids.loc[m["id"], i["id"]] = i["poids"] * float(poids_indicateurs.get(i["id"], 1.0))
            sens.loc[m["id"], i["id"]] = i["sens"]
    facteurs = pd.Series({m: float(poids_modeles.get(m, 1.0)) for m in modeles})
    return poids, sens, facteurs


def _dominants(scores: np.ndarray, modeles: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Premier et second modèles (None si absent) et écart entre leurs scores."""
    s = np.where(np.isnan(scores), -np.inf, scores)
    ordre = np.argsort(-s, axis=1, kind="stable")
    rangs = np.arange(len(s))
    premier, second = s[rangs, ordre[:, 0]], s[rangs, ordre[:, 1]] if s.shape[1] > 1 else np.full(len(s), -np.inf)
    noms = np.array(modeles, dtype=object)
    dom = np.where(np.isfinite(premier), noms[ordre[:, 0]], None)
    sec = np.where(np.isfinite(second), noms[ordre[:, 1]] if s.shape[1] > 1 else None, None)
    with np.errstate(invalid="ignore"):
        ecart = np.where(np.isfinite(premier) & np.isfinite(second), premier - second, np.nan)
    return dom, sec, ecart


def calculer_scores(
    centiles: pd.DataFrame,
    profils: list[dict],
    poids_indicateurs: dict | None = None,
    poids_modeles: dict | None = None,
    seuil: float = SEUIL_COUVERTURE,
    standardise: bool = True,
) -> pd.DataFrame:
    """Scores des modèles à partir de centiles déjà calculés (voir :func:`normaliser`).

    Paramètres
    ----------
    centiles : DataFrame
        Une ligne par territoire (tous ceux du niveau : la standardisation se fait entre
        eux), une colonne (0 à 100) par indicateur des profils.
    profils : liste de dict
        Comme :func:`profils_modeles`.
    poids_indicateurs : dict, optionnel
        ``{indicateur: coefficient}`` multipliant le poids de l'indicateur dans tous les profils
        (0 le retire).
    poids_modeles : dict, optionnel
        ``{modèle: coefficient}`` multipliant le score (standardisé) du modèle.
    seuil : float
        Part minimale du poids du profil qui doit être renseignée.
    standardise : bool
        Scores standardisés (échelle T : moyenne 50, écart type 10 entre territoires) ;
        ``False`` : scores bruts (moyenne pondérée des centiles, 0 à 100).

    Renvoie
    -------
    DataFrame
        Une colonne par modèle, puis ``modele_dominant``, ``modele_second``,
        ``ecart_dominant_second`` ; ``attrs["scores_incomplets"]`` compte les scores manquants.
        Un territoire sans score pour l'un des modèles n'a pas de modèle dominant (on ne
        compare pas un territoire sur une partie seulement des modèles).

    Exemples
    --------
    >>> p = [{"id": "a", "indicateurs": [{"id": "x", "sens": 1, "poids": 1.0}]},
    ...      {"id": "b", "indicateurs": [{"id": "x", "sens": -1, "poids": 1.0}]}]
    >>> s = calculer_scores(pd.DataFrame({"x": [90.0, 20.0]}), p, standardise=False)
    >>> s[["a", "b", "modele_dominant", "ecart_dominant_second"]].values.tolist()
    [[90.0, 10.0, 'a', 80.0], [20.0, 80.0, 'b', 60.0]]
    >>> calculer_scores(pd.DataFrame({"x": [90.0, 20.0, 50.0]}), p)["a"].round(2).tolist()
    [60.44, 40.51, 49.05]
    """
    from .indices import agreger, standardiser

    poids, sens, facteurs = _poids_effectifs(profils, poids_indicateurs, poids_modeles)
    x = centiles.reindex(columns=poids.columns).astype("float64")
    brut = pd.DataFrame(index=centiles.index)
    incomplets = {}
    for m in poids.index:
        w = poids.loc[m]
        w = w[w > 0]
        if w.empty:
            brut[m] = np.nan
            incomplets[m] = 0
            continue
        oriente = pd.DataFrame({i: (100 - x[i]) if sens.loc[m, i] < 0 else x[i] for i in w.index})
        brut[m] = agreger(oriente, w.to_dict(), seuil)
        incomplets[m] = int(brut[m].isna().sum())
    res = 50 + 10 * standardiser(brut) if standardise else brut.copy()
    res = res * facteurs[list(poids.index)]
    # un territoire n'a de modèle dominant que s'il a un score pour chaque modèle en jeu (un modèle
    # dont tous les indicateurs sont retirés, poids nul, n'est plus en jeu)
    en_jeu = [m for m in poids.index if poids.loc[m].sum() > 0]
    matrice = res[list(poids.index)].to_numpy()
    complet = ~np.isnan(res[en_jeu].to_numpy()).any(axis=1)
    dom, sec, ecart = _dominants(np.where(complet[:, None], matrice, np.nan), list(poids.index))
    res["modele_dominant"] = pd.array(dom, dtype="string")
    res["modele_second"] = pd.array(sec, dtype="string")
    res["ecart_dominant_second"] = ecart
    res.attrs["scores_incomplets"] = incomplets
    res.attrs["standardise"] = standardise
    return res


def _verifier_niveau(niveau: str) -> str:
    if niveau not in NIVEAUX:
        raise NiveauInconnu(niveau, NIVEAUX)
    return niveau


def _cle_millesimes(millesimes: dict | None) -> tuple:
    if millesimes is None:
        return ()
    if not isinstance(millesimes, dict):
        raise ProfilModeleInvalide("millesimes doit être un dictionnaire {indicateur: millésime}.")
    return tuple(sorted((k, str(v)) for k, v in millesimes.items()))


@lru_cache(maxsize=8)
def _valeurs(niveau: str, cle_millesimes: tuple, ids: tuple) -> pd.DataFrame:
    """Valeurs brutes des indicateurs des profils au niveau demandé (indexées par code, avec ``nom``)."""
    m = dict(cle_millesimes)
    inconnus = [k for k in m if k not in ids]
    if inconnus:
        raise ProfilModeleInvalide(
            f"Millésime donné pour un indicateur absent des profils : {', '.join(inconnus)}. "
            f"Indicateurs des profils : {', '.join(ids)}.")
    df = indicateurs(list(ids), niveau=niveau, millesime=m or None)
    nom = next(c for c in df.columns if c.startswith("nom_"))
    return df.rename(columns={nom: "nom"})


def _centiles(niveau: str, millesimes: dict | None, profils: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    valeurs = _valeurs(_verifier_niveau(niveau), _cle_millesimes(millesimes), tuple(indicateurs_modeles(profils)))
    return valeurs, normaliser(valeurs.drop(columns="nom"))


def _rapporter(scores: pd.DataFrame, niveau: str, noms: dict[str, str]) -> None:
    manques = {m: n for m, n in scores.attrs["scores_incomplets"].items() if n}
    if manques:
        sans = scores.loc[scores["modele_dominant"].isna(), "code"].tolist()
        detail = " ; ".join(f"{noms[m]} : {nombre(n, 0)}" for m, n in manques.items())
        _log.warning(
            "Scores des modèles (%s) : score manquant quand moins des deux tiers du poids du profil est "
            "renseigné — %s ; %s territoire(s) sans modèle dominant%s.",
            niveau, detail, nombre(len(sans), 0), f" ({', '.join(sans[:5])}{' …' if len(sans) > 5 else ''})" if sans else "")


def _scores(niveau, poids_indicateurs, poids_modeles, millesimes, profils, standardise=True) -> pd.DataFrame:
    valeurs, centiles = _centiles(niveau, millesimes, profils)
    s = calculer_scores(centiles, profils, poids_indicateurs, poids_modeles, standardise=standardise)
    res = pd.concat([pd.DataFrame({"code": valeurs.index.astype(str), "nom": valeurs["nom"].to_numpy()}),
                     s.reset_index(drop=True)], axis=1)
    res.attrs = {**s.attrs, "niveau": niveau, "millesimes": dict(millesimes or {}),
                 "normalisation": "rang centile médian 100 × (rang − 0,5) / n, territoires renseignés du niveau",
                 "echelle": ("score standardisé, échelle T (moyenne 50, écart type 10 entre territoires du niveau)"
                             if standardise else "score brut, moyenne pondérée des centiles (0 à 100)"),
                 "seuil_couverture": SEUIL_COUVERTURE}
    return res


def scores_modeles(
    niveau: str = "epci",
    poids_indicateurs: dict | None = None,
    poids_modeles: dict | None = None,
    millesimes: dict | None = None,
    rapporter: bool = True,
    standardise: bool = True,
) -> pd.DataFrame:
    """Score standardisé de chaque territoire pour chacun des sept modèles, modèle dominant et second.

    Paramètres
    ----------
    niveau : {"epci", "commune", "departement", "region"}
        Niveau des territoires comparés (les centiles sont calculés entre territoires de ce niveau).
    poids_indicateurs : dict, optionnel
        ``{indicateur: coefficient}`` : multiplie le poids par défaut de l'indicateur dans
        chaque profil où il figure (0 le retire, 1,2 l'augmente de 20 %).
    poids_modeles : dict, optionnel
        ``{modèle: coefficient}`` : multiplie le score du modèle (1 par défaut).
    millesimes : dict, optionnel
        ``{indicateur: millésime}`` ; par défaut le plus récent de chaque indicateur.
    rapporter : bool
        Avertit (journal) des scores manquants ; le décompte reste dans ``attrs`` sinon.
    standardise : bool
        Scores standardisés (défaut ; échelle T, moyenne 50 et écart type 10 entre
        territoires du niveau, × poids du modèle), ou bruts (0 à 100) pour comparaison.

    Renvoie
    -------
    DataFrame
        Une ligne par territoire : ``code``, ``nom``, une colonne de score par modèle,
        ``modele_dominant``, ``modele_second`` et ``ecart_dominant_second`` (points T). Un score est manquant si moins des deux tiers du poids de son profil est
        renseigné ; ``attrs["scores_incomplets"]`` en donne le nombre par modèle (et un
        avertissement les signale) ; un territoire auquel manque un score n'a pas de modèle
        dominant.

    Exemples
    --------
    >>> s = scores_modeles("region")  # Mayotte (06) : populations non disponibles, pas de dominant
    >>> len(s), s.loc[s["modele_dominant"].isna(), "code"].tolist()
    (18, ['06'])
    >>> list(s.columns[-3:])
    ['modele_dominant', 'modele_second', 'ecart_dominant_second']
    """
    profils = profils_modeles()
    res = _scores(niveau, poids_indicateurs, poids_modeles, millesimes, profils, standardise)
    if rapporter:
        _rapporter(res, niveau, _noms(profils))
    return res


def effectifs_dominants(scores: pd.DataFrame) -> pd.DataFrame:
    """Nombre et part des territoires par modèle dominant (tous les modèles, même à zéro).

    Exemples
    --------
    >>> e = effectifs_dominants(scores_modeles("region"))
    >>> int(e["nb_territoires"].sum()), e.attrs["sans_modele"]
    (17, 1)
    """
    profils = profils_modeles()
    noms = _noms(profils)
    n = scores["modele_dominant"].value_counts().reindex(list(noms), fill_value=0)
    res = pd.DataFrame({"modele": list(noms), "nom": list(noms.values()), "nb_territoires": n.to_numpy()})
    sans = int(scores["modele_dominant"].isna().sum())
    res["part_%"] = 100 * res["nb_territoires"] / max(1, len(scores) - sans)
    res.attrs["sans_modele"] = sans
    return res


def correlations_modeles(niveau: str = "epci", scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Corrélations (Pearson) des scores entre eux et avec le logarithme de la densité.

    Un score très corrélé à ln(densité) ne fait que renommer l'opposition ville-campagne ;
    deux scores très corrélés racontent la même histoire.

    Renvoie
    -------
    DataFrame
        Modèles en lignes ; une colonne ``log_densite`` puis une colonne par modèle.

    Exemples
    --------
    >>> c = correlations_modeles("region")
    >>> list(c.columns[:2]), c.shape
    (['log_densite', 'cyber_territoire'], (7, 8))
    """
    profils = profils_modeles()
    ids = [m["id"] for m in profils]
    scores = scores if scores is not None else _scores(_verifier_niveau(niveau), None, None, None, profils)
    dens = indicateurs("densite_population", niveau=scores.attrs.get("niveau", niveau))["densite_population"]
    s = scores.set_index("code")[ids]
    d = pd.concat([np.log10(dens.where(dens > 0)).reindex(s.index).rename("log_densite"), s], axis=1)
    c = d.corr()
    return c.loc[ids, ["log_densite", *ids]]


@lru_cache(maxsize=4)
def _stabilite(niveau: str, cle_millesimes: tuple):
    from .indices import analyse_incertitude

    profils = profils_modeles()
    valeurs = _valeurs(niveau, cle_millesimes, tuple(indicateurs_modeles(profils))).drop(columns="nom")
    jeu = {m["id"]: {i["id"]: (i["sens"], i["poids"]) for i in m["indicateurs"]} for m in profils}
    return analyse_incertitude(valeurs, jeu, seuil=SEUIL_COUVERTURE)


def stabilite_modeles(niveau: str = "epci", millesimes: dict | None = None):
    """Stabilité du modèle dominant de chaque territoire (analyse d'incertitude, OCDE/JRC 2008).

    Scénarios : trois normalisations des indicateurs (rang, min-max, z) × inclusion (tous
    les indicateurs, puis chacun retiré tour à tour de tous les profils) × deux pondérations
    (poids de ``modeles.yaml``, poids égaux) ; dans chacun, le modèle dominant est le score
    standardisé le plus élevé (:func:`territoire_lib.indices.etiquettes`). Calculée une
    fois par niveau et gardée en mémoire.

    Renvoie
    -------
    territoire_lib.indices.Incertitude
        ``territoires`` (par code : ``reference``, ``part_scenarios_identiques_%``,
        ``stable``, ``etiquette_la_plus_frequente``), ``frequences`` (part des scénarios
        où chaque modèle domine, par territoire), ``scenarios`` et ``resume``
        (``part_stables_%`` : territoires dont le dominant ne change dans aucun scénario).

    Exemples
    --------
    >>> st = stabilite_modeles("region")
    >>> st.resume["nb_territoires"], st.frequences.shape[1] <= 7
    (17, True)
    """
    return _stabilite(_verifier_niveau(niveau), _cle_millesimes(millesimes))


# --------------------------------------------------------------------------- sensibilité
def sensibilite(
    niveau: str = "epci",
    variation: float = 0.2,
    poids_indicateurs: dict | None = None,
    poids_modeles: dict | None = None,
    millesimes: dict | None = None,
) -> pd.DataFrame:
    """Combien de territoires changent de modèle dominant quand un poids bouge de ± ``variation``.

    Chaque poids (celui de chaque indicateur des profils, appliqué dans tous les profils où
    il figure, puis celui de chaque modèle) est multiplié tour à tour par ``1 − variation``
    et ``1 + variation``, les autres restant à leur valeur (défaut ou ``poids_*`` donnés).

    Paramètres
    ----------
    niveau : str
        Comme :func:`scores_modeles`.
    variation : float
        Variation relative des poids (0,2 = ±20 %), strictement entre 0 et 1.
    poids_indicateurs, poids_modeles, millesimes : dict, optionnel
        Poids de référence et millésimes, comme :func:`scores_modeles`.

    Renvoie
    -------
    DataFrame
        Une ligne par (poids, sens de la variation) : ``type`` (« indicateur » ou « modèle »),
        ``id``, ``libelle``, ``variation`` (ex. « −20 % »), ``nb_changements`` et
        ``part_changements_%``. ``attrs["resume"]`` : territoires classés, territoires dont le
        dominant ne change dans aucun scénario (``nb_stables``, ``part_stables_%``), plus grand
        nombre de changements et poids le plus sensible ; ``attrs["changements_par_territoire"]`` :
        nombre de scénarios qui changent le dominant de chaque territoire (Series par code).

    Exemples
    --------
    >>> s = sensibilite("region")
    >>> sorted(s["variation"].unique())
    ['+20 %', '−20 %']
    >>> s.attrs["resume"]["nb_territoires"]  # régions avec un modèle dominant (hors Mayotte)
    17
    """
    if not 0 < variation < 1:
        raise ValueError(f"La variation doit être strictement comprise entre 0 et 1 (reçu : {variation}).")
    profils = profils_modeles()
    base_i, base_m = dict(poids_indicateurs or {}), dict(poids_modeles or {})
    valeurs, centiles = _centiles(niveau, millesimes, profils)
    ref = calculer_scores(centiles, profils, base_i, base_m)["modele_dominant"].to_numpy()
    classes = pd.notna(ref)
    lignes, compte = [], np.zeros(len(ref), dtype=int)
    noms = _noms(profils)
    scenarios = [("indicateur", i, indicateur(i).libelle) for i in indicateurs_modeles(profils)]
    scenarios += [("modèle", m, noms[m]) for m in noms]
    pct = round(100 * variation)
    for type_, ident, libelle in scenarios:
        for signe, etiquette in ((-1, f"−{pct} %"), (1, f"+{pct} %")):
            pi, pm = dict(base_i), dict(base_m)
            cible = pi if type_ == "indicateur" else pm
            cible[ident] = cible.get(ident, 1.0) * (1 + signe * variation)
            dom = calculer_scores(centiles, profils, pi, pm)["modele_dominant"].to_numpy()
            change = classes & (pd.Series(dom).fillna("").to_numpy() != pd.Series(ref).fillna("").to_numpy())
            compte += change
            lignes.append({"type": type_, "id": ident, "libelle": libelle, "variation": etiquette,
                           "nb_changements": int(change.sum()),
                           "part_changements_%": 100 * change.sum() / max(1, classes.sum())})
    res = pd.DataFrame(lignes)
    pire = res.loc[res["nb_changements"].idxmax()]
    res.attrs["resume"] = {
        "nb_territoires": int(classes.sum()),
        "nb_scenarios": len(res),
        "nb_stables": int((classes & (compte == 0)).sum()),
        "part_stables_%": float(100 * (classes & (compte == 0)).sum() / max(1, classes.sum())),
        "nb_changements_max": int(pire["nb_changements"]),
        "poids_le_plus_sensible": f"{pire['libelle']} ({pire['variation']})",
    }
    res.attrs["changements_par_territoire"] = pd.Series(compte, index=valeurs.index.astype(str),
                                                         name="nb_scenarios_changeant").where(classes)
    return res


# --------------------------------------------------------------------------- un territoire
def profil_territoire(
    code: str,
    niveau: str = "epci",
    poids_indicateurs: dict | None = None,
    poids_modeles: dict | None = None,
    millesimes: dict | None = None,
) -> pd.DataFrame:
    """Valeurs normalisées d'un territoire face au profil de chaque modèle (pour un graphique radar
    ou en coordonnées parallèles).

    Paramètres
    ----------
    code : str
        Code officiel du territoire (SIREN de l'EPCI, code commune du COG — un ancien code
        communal est traduit —, code de département ou de région).
    niveau : str
        Comme :func:`scores_modeles`.

    Renvoie
    -------
    DataFrame
        Une ligne par (modèle, indicateur de son profil) : ``modele``, ``nom_modele``,
        ``indicateur``, ``libelle``, ``unite``, ``sens``, ``poids`` (effectif), ``valeur``
        (brute), ``centile`` (0 à 100 parmi les territoires du niveau), ``centile_oriente``
        (dans le sens du modèle), ``cible`` (100 si le modèle veut une valeur élevée, 0 sinon)
        et ``score_modele`` (standardisé, échelle T). ``attrs`` : ``code``, ``nom``, ``niveau``, ``modele_dominant``.

    Exemples
    --------
    >>> p = profil_territoire("200054781")  # Métropole du Grand Paris
    >>> p.attrs["nom"]
    'Métropole du Grand Paris'
    >>> p.loc[p["indicateur"] == "mairie_site_web", "centile"].round(1).tolist()[:1]
    [90.0]
    """
    from .geographie import code_courant

    profils = profils_modeles()
    code = code_courant(code, _verifier_niveau(niveau))
    valeurs, centiles = _centiles(niveau, millesimes, profils)
    scores = calculer_scores(centiles, profils, poids_indicateurs, poids_modeles).loc[[code]]
    poids, _, _ = _poids_effectifs(profils, poids_indicateurs, poids_modeles)
    lignes = []
    for m in profils:
        for i in m["indicateurs"]:
            c = float(centiles.loc[code, i["id"]])
            ind = indicateur(i["id"])
            lignes.append({
                "modele": m["id"], "nom_modele": m["nom"], "indicateur": i["id"], "libelle": ind.libelle,
                "unite": ind.unite, "sens": i["sens"], "poids": float(poids.loc[m["id"], i["id"]]),
                "valeur": np.nan if pd.isna(valeurs.loc[code, i["id"]]) else float(valeurs.loc[code, i["id"]]),
                "centile": c,
                "centile_oriente": c if i["sens"] > 0 else 100 - c, "cible": 100.0 if i["sens"] > 0 else 0.0,
                "score_modele": float(scores.loc[code, m["id"]]), "justification": i["justification"],
            })
    res = pd.DataFrame(lignes)
    res.attrs = {"code": code, "nom": str(valeurs.loc[code, "nom"]), "niveau": niveau,
                 "modele_dominant": scores.loc[code, "modele_dominant"]}
    return res


# --------------------------------------------------------------------------- sources et graphiques
def ligne_source_modeles(millesimes: dict | None = None) -> str:
    """Ligne de source des scores : producteurs et millésimes des indicateurs des profils (catalogue).

    Les producteurs communs à plusieurs indicateurs ne sont cités qu'une fois.

    Exemples
    --------
    >>> "Insee, RP 2021 (2021)" in ligne_source_modeles()
    True
    """
    millesimes = dict(millesimes or {})
    morceaux: dict[str, list[str]] = {}
    for i in indicateurs_modeles():
        ind = indicateur(i)
        m = ind.verifier_millesime(millesimes.get(i))
        for producteur in ind.producteur.split(" ; "):
            if producteur.startswith("calculs ") or any(k.startswith(producteur + ",") for k in morceaux):
                continue
            vus = morceaux.setdefault(producteur, [])
            if m is not None and str(m) not in vus and producteur not in ("IGN", "La Poste", "DILA"):
                vus.append(str(m))
    textes = [p + (f" ({', '.join(ms)})" if ms else "") for p, ms in morceaux.items()]
    return "Sources : " + " ; ".join(textes) + " — profils et calculs Territoires en transition"


#: Vues (Altair, widgets) déplacées dans :mod:`territoire_lib.graphiques_modeles` ; gardées
#: accessibles ici, importées au premier usage (le calcul n'importe pas Altair).
_VUES = ("carte_modeles", "graphique_distributions", "graphique_effectifs", "graphique_sensibilite",
         "graphique_profil", "explorateur_modeles")


def __getattr__(nom: str):
    if nom in _VUES:
        from . import graphiques_modeles

        return getattr(graphiques_modeles, nom)
    raise AttributeError(f"module {__name__!r} has no attribute {nom!r}")
