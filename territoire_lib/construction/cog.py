"""Code officiel géographique (COG) : référentiel courant et harmonisation des séries.

Source : paquets npm ``@etalab/decoupage-administratif`` (Insee, COG et
populations légales). Le COG le plus récent sert de référence à toutes les
séries communales : les codes anciens (communes fusionnées, déléguées,
associées) sont traduits vers le code courant, les populations des communes
fusionnées sont additionnées, et les changements n-à-n (communes rétablies)
sont signalés plutôt que répartis arbitrairement.

Champ retenu : France métropolitaine et les cinq DROM (34 875 communes au COG
2026). Les collectivités d'outre-mer (975, 977, 978, 984, 986-989) sont hors
champ, comme dans la plupart des publications de l'Insee.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

__all__ = [
    "DEPARTEMENTS_DROM",
    "lire_decoupage",
    "referentiel_communes",
    "table_passage",
    "harmoniser_population",
    "referentiel_niveaux",
    "harmoniser_comptages",
    "communes_retablies",
    "harmoniser_valeurs",
    "communes_nouvelles_depuis",
    "traduire_codes",
    "completer_population",
    "table_blocs",
    "COLONNES_BLOCS",
]

journal = logging.getLogger(__name__)

#: Départements et régions d'outre-mer (hors collectivités d'outre-mer).
DEPARTEMENTS_DROM = ("971", "972", "973", "974", "976")
_TYPES_EPCI = {"METRO": "ME", "MET69": "ME"}
#: Colonnes de ``indicateurs/blocs.parquet`` (contrat lu par l'agrégation).
COLONNES_BLOCS = ("colonne", "bloc", "code_commune", "valeur", "motif")


def lire_decoupage(chemin: Path) -> pd.DataFrame:
    """Lit un ``communes.json`` de decoupage-administratif (toutes lignes).

    Renvoie
    -------
    DataFrame
        Colonnes ``code, nom, type, departement, region, zone, chefLieu,
        commune, anciensCodes, population`` (population en flottant, NaN si
        absente dans le paquet).
    """
    with open(chemin, encoding="utf-8") as f:
        brut = pd.DataFrame(json.load(f))
    for col in ("zone", "chefLieu", "commune", "anciensCodes", "population", "collectiviteOutremer"):
        if col not in brut:
            brut[col] = None
    brut["population"] = pd.to_numeric(brut["population"], errors="coerce").astype("float64")
    if brut["zone"].isna().all():  # versions anciennes : zone absente
        brut["zone"] = np.where(
            brut["collectiviteOutremer"].notna(), "com",
            np.where(brut["departement"].isin(DEPARTEMENTS_DROM), "drom", "metro"),
        )
    return brut


def _dans_le_champ(df: pd.DataFrame) -> pd.Series:
    return df["zone"].isin(["metro", "drom"])


def referentiel_communes(courant: pd.DataFrame, epci: list[dict]) -> pd.DataFrame:
    """Communes courantes du champ, avec leurs appartenances.

    Paramètres
    ----------
    courant : DataFrame
        Sortie de :func:`lire_decoupage` pour la version la plus récente.
    epci : list of dict
        Contenu de ``epci.json`` (EPCI à fiscalité propre et leurs membres).

    Renvoie
    -------
    DataFrame
        ``code_commune, nom_commune, code_departement, code_region, zone,
        siren_commune, code_epci, nature_epci``.
    """
    com = courant[(courant["type"] == "commune-actuelle") & _dans_le_champ(courant)]
    ref = pd.DataFrame({
        "code_commune": com["code"].astype(str),
        "nom_commune": com["nom"],
        "code_departement": com["departement"].astype(str),
        "code_region": com["region"].astype(str),
        "zone": com["zone"],
        "siren_commune": com.get("siren"),
    })
    membres = pd.DataFrame(
        [(m["code"], e["code"], _TYPES_EPCI.get(e["type"], e["type"])) for e in epci for m in e["membres"]],
        columns=["code_commune", "code_epci", "nature_epci"],
    )
    doublons = membres["code_commune"].duplicated(keep=False)
    if doublons.any():
        journal.warning("Communes membres de plusieurs EPCI : %s", sorted(membres.loc[doublons, "code_commune"])[:10])
    ref = ref.merge(membres.drop_duplicates("code_commune"), on="code_commune", how="left")
    sans = ref["code_epci"].isna()
    if sans.any():
        journal.warning("%d communes sans EPCI à fiscalité propre (îles mono-communales…) : %s",
                        sans.sum(), ref.loc[sans, "code_commune"].tolist()[:10])
    return ref.sort_values("code_commune", ignore_index=True)


def table_passage(courant: pd.DataFrame) -> pd.DataFrame:
    """Table des codes anciens vers les codes courants.

    Recense : anciens codes des communes fusionnées (``anciensCodes``),
    communes déléguées et associées (vers leur chef-lieu), arrondissements
    municipaux de Paris, Lyon et Marseille (vers la commune).

    Renvoie
    -------
    DataFrame
        ``ancien_code, code_commune, nature`` ; un ancien code peut pointer
        vers plusieurs communes courantes (changement n-à-n).
    """
    lignes = []
    actuelles = courant[courant["type"] == "commune-actuelle"]
    for code, anciens in zip(actuelles["code"], actuelles["anciensCodes"]):
        for a in anciens if isinstance(anciens, list) else []:
            if a != code:
                lignes.append((a, code, "ancien code (fusion)"))
    for typ, nature in (("commune-deleguee", "commune déléguée"), ("commune-associee", "commune associée")):
        sub = courant[courant["type"] == typ]
        lignes += [(c, p, nature) for c, p in zip(sub["code"], sub["chefLieu"]) if c != p]
    arm = courant[courant["type"] == "arrondissement-municipal"]
    lignes += [(c, p, "arrondissement municipal") for c, p in zip(arm["code"], arm["commune"])]
    passage = pd.DataFrame(lignes, columns=["ancien_code", "code_commune", "nature"])
    return passage.drop_duplicates(["ancien_code", "code_commune"]).sort_values(
        ["ancien_code", "code_commune"], ignore_index=True)


def _groupes(liens: pd.DataFrame) -> dict[str, str]:
    """Composantes connexes (union-find) d'un graphe ancien ↔ courant."""
    parent: dict[str, str] = {}

    def trouver(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip("A" + liens["ancien"], "C" + liens["courant"]):
        ra, rb = trouver(a), trouver(b)
        if ra != rb:
            parent[ra] = rb
    return {x: trouver(x) for x in parent}


def harmoniser_population(
    ancienne: pd.DataFrame, courant: pd.DataFrame, passage: pd.DataFrame
) -> tuple[pd.DataFrame, dict]:
    """Exprime les populations d'une version ancienne dans le COG courant.

    Les communes fusionnées depuis sont additionnées ; une commune courante
    issue d'un découpage n-à-n (commune rétablie après une fusion) reçoit NaN
    et un statut, car la population ancienne ne peut pas être répartie. La
    valeur publiée pour l'ensemble des communes courantes du groupe (la
    population de l'ancienne commune) est exacte : elle est rendue comme
    « bloc » (``rapport["blocs"]``, voir :func:`table_blocs`).

    Renvoie
    -------
    (DataFrame, dict)
        ``code_commune, population, statut`` pour les communes courantes du
        champ, et un rapport (codes traduits, groupes n-à-n, valeurs absentes,
        ``blocs`` : liste de ``{"membres", "anciens", "valeur"}``).

    Exemples
    --------
    >>> def v(lignes):
    ...     d = pd.DataFrame(lignes, columns=["code", "type", "population", "anciensCodes", "chefLieu"])
    ...     return d.assign(zone="metro", commune=None)
    >>> ancienne = v([("01001", "commune-actuelle", 30.0, None, None),
    ...               ("01002", "commune-deleguee", None, None, "01001")])
    >>> courant = v([("01001", "commune-actuelle", 20.0, None, None),
    ...              ("01002", "commune-actuelle", 12.0, None, None)])
    >>> res, rapport = harmoniser_population(ancienne, courant, table_passage(courant))
    >>> bool(res["population"].isna().all()), rapport["blocs"]
    (True, [{'membres': ['01001', '01002'], 'anciens': ['01001'], 'valeur': 30.0}])
    """
    anc = ancienne[(ancienne["type"] == "commune-actuelle") & _dans_le_champ(ancienne)]
    cour = courant.loc[(courant["type"] == "commune-actuelle") & _dans_le_champ(courant), "code"]
    actuels = set(cour)
    dico = passage.groupby("ancien_code")["code_commune"].agg(list).to_dict()
    liens = []
    for code in anc["code"]:
        cibles = [code] if code in actuels else dico.get(code, [])
        liens += [(code, c) for c in cibles]
    inconnus = sorted(set(anc["code"]) - {a for a, _ in liens})
    # communes courantes absentes de l'ancienne version : incluses alors dans une autre commune
    anc_passage = table_passage(ancienne).groupby("ancien_code")["code_commune"].first().to_dict()
    presents = set(anc["code"])
    for c in sorted(actuels - presents):
        if c in anc_passage:
            liens.append((anc_passage[c], c))
    liens = pd.DataFrame(liens, columns=["ancien", "courant"]).drop_duplicates()
    groupes = _groupes(liens)
    liens["groupe"] = ("C" + liens["courant"]).map(groupes)
    pop = anc.set_index("code")["population"]
    par_groupe = liens.drop_duplicates(["groupe", "ancien"]).assign(p=lambda d: d["ancien"].map(pop))
    somme = par_groupe.groupby("groupe")["p"].sum(min_count=1)
    somme[par_groupe["p"].isna().groupby(par_groupe["groupe"]).any()] = np.nan
    taille = liens.groupby("groupe")["courant"].nunique()
    res = pd.DataFrame({"code_commune": sorted(actuels)})
    res["groupe"] = ("C" + res["code_commune"]).map(groupes)
    res["population"] = res["groupe"].map(somme)
    res["statut"] = "ok"
    n_a_n = res["groupe"].map(taille).fillna(1) > 1
    res.loc[n_a_n, "population"] = np.nan
    res.loc[n_a_n, "statut"] = "découpage modifié depuis (commune rétablie) : non comparable"
    absent = res["groupe"].isna()
    res.loc[absent, "statut"] = "commune absente de cette version du COG"
    manquant = res["population"].isna() & (res["statut"] == "ok")
    res.loc[manquant, "statut"] = "population absente du paquet source"
    blocs = []
    for g, membres in res.loc[n_a_n].groupby("groupe")["code_commune"]:
        if pd.notna(somme.get(g, np.nan)):
            anciens = par_groupe.loc[par_groupe["groupe"] == g, "ancien"]
            blocs.append({"membres": sorted(membres), "anciens": sorted(anciens), "valeur": float(somme[g])})
    rapport = {
        "communes_source": int(len(anc)),
        "codes_traduits": int((~anc["code"].isin(actuels)).sum()),
        "codes_non_traduits": inconnus,
        "communes_n_a_n": res.loc[n_a_n, "code_commune"].tolist(),
        "communes_absentes": res.loc[absent, "code_commune"].tolist(),
        "population_absente": res.loc[manquant, "code_commune"].tolist(),
        "blocs": sorted(blocs, key=lambda b: b["membres"]),
    }
    if inconnus:
        journal.warning("%d codes anciens non traduits : %s", len(inconnus), inconnus[:10])
    return res.drop(columns="groupe"), rapport


def referentiel_niveaux(courant_dossier: Path) -> dict[str, pd.DataFrame]:
    """Départements et régions du champ (code, nom, région, zone)."""
    with open(courant_dossier / "departements.json", encoding="utf-8") as f:
        dep = pd.DataFrame(json.load(f))
    with open(courant_dossier / "regions.json", encoding="utf-8") as f:
        reg = pd.DataFrame(json.load(f))
    dep = dep[dep["zone"].isin(["metro", "drom"])]
    reg = reg[reg["zone"].isin(["metro", "drom"])]
    return {
        "departement": dep.rename(columns={"code": "code_departement", "nom": "nom_departement",
                                           "region": "code_region"})[
            ["code_departement", "nom_departement", "code_region", "zone"]].reset_index(drop=True),
        "region": reg.rename(columns={"code": "code_region", "nom": "nom_region"})[
            ["code_region", "nom_region", "zone"]].reset_index(drop=True),
    }


def harmoniser_comptages(
    table: pd.DataFrame,
    colonnes: list[str],
    passage: pd.DataFrame,
    actuels: set[str],
    colonne_code: str = "code_commune",
    retablies: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Traduit les codes d'une table de comptages vers le COG courant et somme.

    Seules des quantités additives (effectifs, logements…) peuvent être ainsi
    sommées ; les ratios se recalculent ensuite. Un code qui pointe vers
    plusieurs communes courantes (n-à-n) n'est pas réparti : il est signalé.
    De même, si une commune rétablie (``retablies`` : ``code_commune,
    code_parent``) manque à la source alors que sa commune d'origine y est,
    la valeur de celle-ci inclut la commune rétablie : elle est mise à NaN.

    Dans les deux cas, la valeur publiée de l'ensemble est exacte : elle est
    rendue comme « bloc » dans ``rapport["blocs"]`` (``{"membres",
    "anciens", "valeurs": {colonne: valeur}}``, voir :func:`table_blocs`), et
    toutes les communes du bloc reçoivent NaN (jamais une part partielle).

    Exemples
    --------
    >>> passage = pd.DataFrame({"ancien_code": ["01001"], "code_commune": ["01002"],
    ...                         "nature": ["ancien code (fusion)"]})
    >>> t = pd.DataFrame({"code_commune": ["01001", "01002"], "pop": [10, 5]})
    >>> res, rapport = harmoniser_comptages(t, ["pop"], passage, {"01002"})
    >>> res.to_dict("records"), rapport["codes_traduits"]
    ([{'code_commune': '01002', 'pop': 15}], 1)

    Une commune rétablie (01004) absente de la source, dont la commune
    d'origine (01003) y figure : bloc des deux.

    >>> t = pd.DataFrame({"code_commune": ["01002", "01003"], "pop": [5.0, 7.0]})
    >>> r = pd.DataFrame({"code_commune": ["01004"], "code_parent": ["01003"]})
    >>> res, rapport = harmoniser_comptages(t, ["pop"], passage, {"01002", "01003", "01004"}, retablies=r)
    >>> res["pop"].tolist(), rapport["blocs"]
    ([5.0, nan], [{'membres': ['01003', '01004'], 'anciens': ['01003'], 'valeurs': {'pop': 7.0}}])
    """
    garde, rapport = _traduire(table, colonnes, passage, actuels, colonne_code)
    res = garde.groupby(colonne_code, as_index=False)[colonnes].sum(min_count=1)
    rapport["blocs"] = _blocs_n_a_n(table, res, colonnes, passage, actuels, colonne_code)
    _neutraliser_parents(res, colonnes, retablies, colonne_code, rapport, blocs=True)
    return res, rapport


def communes_retablies(anciennes: list[pd.DataFrame], courant: pd.DataFrame) -> pd.DataFrame:
    """Communes courantes qui faisaient partie d'une autre commune dans une version ancienne.

    Renvoie
    -------
    DataFrame
        ``code_commune`` (commune rétablie), ``code_parent`` (commune courante
        qui l'englobait), sans doublons.
    """
    actuels = set(courant.loc[courant["type"] == "commune-actuelle", "code"])
    lignes = []
    for anc in anciennes:
        presents = set(anc.loc[anc["type"] == "commune-actuelle", "code"])
        pas = table_passage(anc).groupby("ancien_code")["code_commune"].first()
        for c in sorted(actuels - presents):
            if c in pas.index and pas[c] in actuels:
                lignes.append((c, pas[c]))
    return pd.DataFrame(lignes, columns=["code_commune", "code_parent"]).drop_duplicates(ignore_index=True)


def harmoniser_valeurs(
    table: pd.DataFrame,
    colonnes: list[str],
    passage: pd.DataFrame,
    actuels: set[str],
    retablies: pd.DataFrame | None = None,
    colonne_code: str = "code_commune",
) -> tuple[pd.DataFrame, dict]:
    """Traduit vers le COG courant des valeurs non additives (moyennes, classes, oui/non).

    Une commune courante issue de plusieurs codes anciens garde la valeur
    commune si toutes concordent ; sinon elle reçoit une valeur manquante
    (une moyenne ne se recombine pas sans effectifs), signalée au rapport.

    Exemples
    --------
    >>> passage = pd.DataFrame({"ancien_code": ["01001", "01003"], "code_commune": ["01002", "01004"],
    ...                         "nature": ["ancien code (fusion)"] * 2})
    >>> t = pd.DataFrame({"code_commune": ["01001", "01002", "01003", "01004"], "v": [1.0, 1.0, 2.0, 3.0]})
    >>> res, rapport = harmoniser_valeurs(t, ["v"], passage, {"01002", "01004"})
    >>> res["v"].tolist(), rapport["fusions_discordantes"]
    ([1.0, nan], ['01004'])
    """
    garde, rapport = _traduire(table, colonnes, passage, actuels, colonne_code)
    groupes = garde.groupby(colonne_code, sort=True)
    res = groupes[colonnes].first().reset_index()
    discordants: set[str] = set()
    for col in colonnes:
        n_valeurs = groupes[col].nunique(dropna=False)
        mauvais = n_valeurs[n_valeurs > 1].index
        discordants.update(mauvais)
        res.loc[res[colonne_code].isin(mauvais), col] = np.nan  # NA pour les types nullables
    rapport["fusions"] = int((groupes.size() > 1).sum())
    rapport["fusions_discordantes"] = sorted(discordants)
    if discordants:
        journal.warning("%d communes nouvelles aux valeurs d'origine discordantes (mises à NA) : %s",
                        len(discordants), sorted(discordants)[:8])
    _neutraliser_parents(res, colonnes, retablies, colonne_code, rapport)
    return res, rapport


def traduire_codes(codes: pd.Series, passage: pd.DataFrame, actuels: set[str]) -> pd.Series:
    """Code courant de chaque code : inchangé s'il est en vigueur, traduit s'il a une seule
    commune d'arrivée, NA s'il est inconnu ou réparti sur plusieurs communes (n-à-n).

    Exemples
    --------
    >>> passage = pd.DataFrame({"ancien_code": ["01001", "01003", "01003"], "code_commune": ["01002", "01004", "01005"]})
    >>> traduire_codes(pd.Series(["01001", "01002", "01003", "99999"]), passage, {"01002", "01004", "01005"}).tolist()
    ['01002', '01002', nan, nan]
    """
    cibles = passage.groupby("ancien_code")["code_commune"].agg(list)
    unique = cibles[cibles.map(len) == 1].str[0]
    return codes.where(codes.isin(actuels) | codes.isna(), codes.map(unique))


def _traduire(table, colonnes, passage, actuels, colonne_code):
    """Traduit les codes vers le COG courant ; ne garde que les lignes à cible unique."""
    dico = passage.groupby("ancien_code")["code_commune"].agg(list).to_dict()
    codes = table[colonne_code].astype(str)
    cibles = codes.map(lambda c: [c] if c in actuels else dico.get(c, []))
    nb = cibles.map(len)
    rapport = {
        "lignes": int(len(table)),
        "codes_traduits": int((~codes.isin(actuels) & (nb == 1)).sum()),
        "codes_inconnus": sorted(codes[nb == 0].unique().tolist()),
        "codes_n_a_n": sorted(codes[nb > 1].unique().tolist()),
    }
    for cle, msg in (("codes_inconnus", "codes inconnus du COG courant"),
                     ("codes_n_a_n", "codes répartis sur plusieurs communes (non attribués)")):
        if rapport[cle]:
            journal.warning("%d %s : %s", len(rapport[cle]), msg, rapport[cle][:10])
    garde = table.loc[nb == 1, colonnes].copy()
    garde[colonne_code] = cibles[nb == 1].str[0].values
    return garde, rapport


def _valeurs(ligne: pd.Series) -> dict:
    return {c: (None if pd.isna(v) else float(v)) for c, v in ligne.items()}


def _blocs_n_a_n(table, res, colonnes, passage, actuels, colonne_code) -> list[dict]:
    """Blocs des codes source répartis sur plusieurs communes courantes (n-à-n).

    Les communes courantes atteintes (avec les autres codes source qui y
    arrivent) forment un bloc dont la valeur est la somme exacte de la
    source ; chacune est mise à NaN dans ``res`` (en place).
    """
    dico = passage.groupby("ancien_code")["code_commune"].agg(list).to_dict()
    codes = table[colonne_code].astype(str)
    cibles = codes.map(lambda c: [c] if c in actuels else dico.get(c, []))
    if not (cibles.map(len) > 1).any():
        return []
    liens = pd.DataFrame([(a, c) for a, cs in zip(codes, cibles) for c in cs], columns=["ancien", "courant"])
    groupes = _groupes(liens.drop_duplicates())
    liens["groupe"] = ("C" + liens["courant"]).map(groupes)
    taille = liens.groupby("groupe")["courant"].nunique()
    multiples = liens[liens["groupe"].map(taille) > 1]
    blocs = []
    for g, lien in multiples.groupby("groupe"):
        anciens = sorted(set(lien["ancien"]))
        membres = sorted(set(lien["courant"]))
        valeurs = table.loc[codes.isin(anciens).to_numpy(), colonnes].sum(min_count=1)
        res.loc[res[colonne_code].isin(membres), colonnes] = np.nan
        blocs.append({"membres": membres, "anciens": anciens, "valeurs": _valeurs(valeurs)})
    return blocs


def _neutraliser_parents(res, colonnes, retablies, colonne_code, rapport, blocs: bool = False) -> None:
    """Met à NA la commune d'origine d'une commune rétablie absente de la source.

    ``blocs=True`` (quantités additives) : consigne aussi le bloc des deux
    (commune d'origine et communes rétablies) et sa valeur exacte.
    """
    rapport["parents_non_comparables"] = []
    if retablies is None or not len(retablies):
        return
    presents = set(res[colonne_code])
    r = retablies[~retablies["code_commune"].isin(presents) & retablies["code_parent"].isin(presents)]
    parents = sorted(set(r["code_parent"]))
    indexe = res.set_index(colonne_code)
    for p in parents if blocs else []:
        membres = sorted({p, *r.loc[r["code_parent"] == p, "code_commune"]})
        rapport["blocs"].append({"membres": membres, "anciens": [p], "valeurs": _valeurs(indexe.loc[p, colonnes])})
    res.loc[res[colonne_code].isin(parents), colonnes] = np.nan  # NA pour les types nullables
    rapport["parents_non_comparables"] = parents
    if parents:
        journal.warning("%d communes incluant une commune rétablie depuis (valeurs mises à NA) : %s",
                        len(parents), parents[:10])


def communes_nouvelles_depuis(historique: list[dict], date: str) -> set[str]:
    """Codes des communes nouvelles créées après ``date`` (AAAA-MM-JJ), d'après l'historique du COG.

    Sert à repérer les populations incomplètes : une version de
    decoupage-administratif dont le COG est plus récent que la géographie de
    son millésime de population donne, pour une commune nouvelle plus
    récente, la seule population de la commune chef-lieu.

    Exemples
    --------
    >>> h = [{"type": "COM", "code": "85194", "raisonDebut": "commune nouvelle", "dateDebut": "2019-01-01"}]
    >>> communes_nouvelles_depuis(h, "2018-01-01")
    {'85194'}
    """
    return {e["code"] for e in historique
            if e.get("type") == "COM" and e.get("raisonDebut") == "commune nouvelle" and e.get("dateDebut", "") > date}


def table_blocs(
    blocs: list[dict],
    colonne: str,
    motif: str | Callable[[dict], str],
    cle: str | None = None,
) -> pd.DataFrame:
    """Met des blocs au format de ``indicateurs/blocs.parquet`` (une ligne par commune membre).

    Un bloc est un ensemble de communes courantes pour lequel la source ne
    publie qu'une valeur d'ensemble (commune rétablie depuis, code réparti) :
    cette valeur est exacte pour l'ensemble, inconnue pour chaque membre (qui
    garde NaN dans ``communes.parquet``).

    Paramètres
    ----------
    blocs : list of dict
        ``{"membres": [...], "valeur": float}`` (:func:`harmoniser_population`)
        ou ``{"membres": [...], "valeurs": {colonne: float}}``
        (:func:`harmoniser_comptages`, choisir ``cle``).
    colonne : str
        Colonne de base de ``communes.parquet`` (p. ex. ``population_2019``).
    motif : str ou callable
        Motif en français, ou fonction ``bloc -> motif``.
    cle : str, optionnel
        Colonne à lire dans ``bloc["valeurs"]``.

    Renvoie
    -------
    DataFrame
        ``colonne, bloc, code_commune, valeur, motif`` (chaînes et float64) ;
        les blocs sans valeur (source manquante) sont omis.

    Exemples
    --------
    >>> b = [{"membres": ["15031", "15141"], "valeur": 1844.0}]
    >>> table_blocs(b, "population_2019", "commune rétablie").to_dict("records")[0]
    {'colonne': 'population_2019', 'bloc': 'population_2019:15031+15141', 'code_commune': '15031', 'valeur': 1844.0, 'motif': 'commune rétablie'}
    """
    lignes = []
    for b in blocs:
        valeur = b["valeur"] if cle is None else b["valeurs"].get(cle)
        if valeur is None or pd.isna(valeur):
            continue
        texte = motif(b) if callable(motif) else motif
        ident = f"{colonne}:{'+'.join(b['membres'])}"
        lignes += [(colonne, ident, m, float(valeur), texte) for m in b["membres"]]
    res = pd.DataFrame(lignes, columns=list(COLONNES_BLOCS))
    return res.astype({"colonne": "string", "bloc": "string", "code_commune": "string",
                       "valeur": "float64", "motif": "string"})


def completer_population(
    version: pd.DataFrame, complement: pd.DataFrame, codes: set[str]
) -> tuple[pd.DataFrame, dict]:
    """Complète les populations de ``codes`` par celles d'une autre version du même millésime.

    Sert au millésime 2016 : ``@etalab/decoupage-administratif`` 0.5.1 (COG
    2019) ne porte, pour les communes nouvelles du 1er janvier 2019, que la
    population de l'ancienne commune chef-lieu ; 0.4.0, même géographie, porte
    la population de la commune nouvelle entière. Le remplacement n'est fait
    que si la preuve tient, commune par commune : mêmes communes du champ dans
    les deux versions, populations identiques partout ailleurs, et, pour
    chaque commune complétée, population strictement supérieure à celle du
    seul chef-lieu. Sinon une ``ValueError`` dit ce qui diffère.

    Paramètres
    ----------
    version : DataFrame
        Version de référence (sortie de :func:`lire_decoupage`).
    complement : DataFrame
        Autre version, même millésime de population et même géographie.
    codes : set of str
        Communes dont la population de ``version`` est incomplète.

    Renvoie
    -------
    (DataFrame, dict)
        Copie de ``version`` aux populations complétées, et un rapport
        (communes comparées, identiques, complétées, habitants ajoutés).

    Exemples
    --------
    >>> v = pd.DataFrame({"code": ["01001", "01002"], "type": "commune-actuelle", "zone": "metro",
    ...                   "population": [100.0, 40.0]})
    >>> c = v.assign(population=[100.0, 55.0])
    >>> res, rapport = completer_population(v, c, {"01002"})
    >>> res["population"].tolist(), rapport["habitants_ajoutes"]
    ([100.0, 55.0], 15.0)
    """
    def communes(df):
        d = df[(df["type"] == "commune-actuelle") & _dans_le_champ(df)]
        if d["code"].duplicated().any():
            raise ValueError(f"Codes commune en double : {sorted(d.loc[d['code'].duplicated(), 'code'])[:10]}")
        return d.set_index("code")["population"]

    a, b = communes(version), communes(complement)
    if set(a.index) != set(b.index):
        raise ValueError(
            "Les deux versions n'ont pas la même géographie : "
            f"{len(set(a.index) ^ set(b.index))} communes diffèrent "
            f"(ex. {sorted(set(a.index) ^ set(b.index))[:10]}) ; complément refusé.")
    autres = a.index.difference(list(codes))
    egales = (a[autres] == b[autres]) | (a[autres].isna() & b[autres].isna())
    if not egales.all():
        raise ValueError(
            f"Les deux versions diffèrent sur {int((~egales).sum())} communes hors des communes à compléter "
            f"(ex. {list(autres[~egales])[:10]}) : ce ne sont pas les mêmes populations légales ; complément refusé.")
    cibles = a.index.intersection(list(codes))
    inconnues = sorted(set(codes) - set(cibles))
    if inconnues:
        raise ValueError(f"Communes à compléter absentes des deux versions : {inconnues[:10]}.")
    pas_plus = cibles[~(b[cibles] > a[cibles])]
    if len(pas_plus):
        raise ValueError(
            f"{len(pas_plus)} communes à compléter n'ont pas une population supérieure à celle du seul "
            f"chef-lieu dans le complément (ex. {list(pas_plus)[:10]}) ; complément refusé.")
    res = version.copy()
    masque = (res["type"] == "commune-actuelle") & _dans_le_champ(res) & res["code"].isin(cibles)
    res.loc[masque, "population"] = res.loc[masque, "code"].map(b).to_numpy()
    rapport = {
        "communes_comparees": int(len(a)),
        "communes_identiques": int(egales.sum()),
        "communes_completees": sorted(cibles),
        "habitants_ajoutes": float((b[cibles] - a[cibles]).sum()),
    }
    return res, rapport
