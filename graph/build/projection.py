"""Project the RDF graph onto a networkx MultiDiGraph: the one place that decides how
fact nodes become edges. Citations travel on every edge.

An edge ``u → v`` means data can move from ``u`` to ``v``:

- an access grant: grantor → grantee (key: the grant's slug);
- an incident: platform → each recipient, ``"public"`` for an open dump;
- ownership: owned → owner (followed by reach only when asked).

Nodes are company slugs, ``"public"`` and ``"aggregate:<id>"`` for an unnamed aggregate
party ("more than 150 companies", kind ``"aggregate"``, with its count and qualifier).
``G.graph`` carries the data-type and integration taxonomies (``Taxonomy.to_dict``), the
source registry, the named lists (``lists``), the aggregate parties (``parties``), the
companies' cited countries (``countries``) and what incident edges do not carry
(``incidents``: when the exploited feature was closed, and the records judged the same
incident), so ``reach``, ``rank`` and ``viz`` need nothing but ``G``.

Incident records a ``judgements:`` entry calls the same (``dr:sameIncident``) become one
incident: the edges of the first record (by id) with every record's data types,
recipients and claims, and ``same_as`` naming the others.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from rdflib import RDF, RDFS, SKOS, XSD, Graph, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from graph.build.conflicts import INCIDENT_FIELDS, field_conflicts, grant_conflicts
from graph.model import ontology
from graph.model.labels import POPULATIONS
from graph.model.vocab import DT, FAST, ID, IK, LABEL, PERMISSION, POPULATION
from graph.records import (
    Claim,
    EdgeAttrs,
    FactAttrs,
    IncidentExtra,
    ListMember,
    NamedList,
    Party,
    Source,
)

RDF_TYPE, RDFS_LABEL, SKOS_ALT = RDF.type, RDFS.label, SKOS.altLabel  # constants: Namespace look-ups are slow
XSD_INTEGER, XSD_ANYURI = XSD.integer, XSD.anyURI


PUBLIC = "public"
AGGREGATE = "aggregate:"  # node keys of aggregate parties; company slugs never hold a colon
AGGREGATE_IRI = str(ID) + "aggregate/"


def node_key(iri: Node) -> str:
    """The networkx node for an actor IRI: the company slug, or ``"public"``."""
    if iri == FAST.Public:
        return PUBLIC
    text = str(iri)
    prefix = str(ID) + "company/"
    if text.startswith(AGGREGATE_IRI):
        return AGGREGATE + text[len(AGGREGATE_IRI):]
    return text[len(prefix):] if text.startswith(prefix) else text


def _label(term: Node | None, default: str) -> str:
    return default if term is None else LABEL.get(term, default)


def _facts(g: Graph, cls: URIRef) -> list[Node]:
    return sorted(g.subjects(RDF_TYPE, cls), key=str)


def _slug(iri: Node | None, ns: Any) -> str | None:
    return None if iri is None else str(iri)[len(str(ns)):]


def _text(g: Graph, s: Node, p: URIRef) -> str | None:
    """The value of ``p``; several (a company declared with a note in several files): the notes
    joined, in sorted order, or the least other value, so that every store gives the same."""
    values = sorted({str(v) for v in g.objects(s, p)})
    if len(values) <= 1:
        return values[0] if values else None
    return " ".join(values) if p == FAST.note else values[0]


def _bool(g: Graph, s: Node, p: URIRef) -> bool | None:
    value = g.value(s, p)
    return None if value is None else str(value) == "true"


def claims(g: Graph, fact: Node) -> list[Claim]:
    """The evidence of ``fact`` as dicts, asserting claims first."""
    out: list[Claim] = []
    for claim in g.objects(fact, FAST.evidence):
        out.append({
            "source": _slug(g.value(claim, FAST.source), str(ID) + "source/"),
            "locator": _text(g, claim, FAST.locator),
            "stance": _label(g.value(claim, FAST.stance), "asserts"),
            "confidence": _label(g.value(claim, FAST.confidence), "reported"),
            "claimant": _text(g, claim, FAST.claimant),
            "aspect": _text(g, claim, FAST.aspect),
            "note": _text(g, claim, FAST.note),
        })
    # every field in the key: claims that share a source and locator keep one order whatever store they come from
    return sorted(out, key=lambda c: (c["stance"] != "asserts", c["source"] or "", c["locator"] or "", c["aspect"] or "",
                                      c["claimant"] or "", c["confidence"], c["note"] or ""))


def _fact_attrs(g: Graph, fact: Node, kind: str) -> FactAttrs:
    evidence = claims(g, fact)
    return {
        "kind": kind,
        "id": str(fact).rsplit("/", 1)[-1],
        "iri": str(fact),
        "data_types": sorted(_slug(d, DT) or "" for d in g.objects(fact, FAST.dataType)),
        "integration": _slug(g.value(fact, FAST.integration), IK),
        "note": _text(g, fact, FAST.note),
        "evidence": evidence,
        "disputed": any(c["stance"] == "disputes" for c in evidence),
    }


_HOLDING_TEXT = (("site", FAST.site), ("tracker", FAST.tracker), ("observed", FAST.observed), ("valid_from", FAST.validFrom),
                 ("valid_until", FAST.validUntil), ("share", FAST.share))


def _grant(g: Graph, fact: Node) -> EdgeAttrs:
    return {
        **_fact_attrs(g, fact, "grant"),
        "permissions": [name for name, p in PERMISSION.items() if (fact, FAST.permission, p) in g],
        "whose_data": sorted(LABEL[w] for w in g.objects(fact, FAST.whoseData) if w in LABEL),
        "activation": _text(g, fact, FAST.activation),
        "on_by_default": _bool(g, fact, FAST.onByDefault),
        "overrode_privacy_setting": _bool(g, fact, FAST.overrodePrivacySetting),
        "valid_from": _text(g, fact, FAST.validFrom),
        "stated_end": _text(g, fact, FAST.statedEnd),
        "last_observed_active": _text(g, fact, FAST.lastObservedActive),
        "status": _label(g.value(fact, FAST.status), "unknown"),
    }


def _incident(g: Graph, fact: Node) -> EdgeAttrs:
    count = g.value(fact, FAST.affectedCount)
    return {
        **_fact_attrs(g, fact, "incident"),
        "label": _text(g, fact, RDFS_LABEL),
        "exploited_feature": _slug(g.value(fact, FAST.exploitedFeature), IK),
        # A copy of exposed data can be read by whoever holds it: incidents carry "read".
        "permissions": ["read"],
        "valid_from": _text(g, fact, FAST.published) or _text(g, fact, FAST.occurred),
        "stated_end": None,
        "occurred": _text(g, fact, FAST.occurred),
        "published": _text(g, fact, FAST.published),
        "affected": None if count is None else int(str(count)),
        "count_qualifier": _text(g, fact, FAST.countQualifier),
        "feature_closed": _text(g, fact, FAST.featureClosed),
        "status": "incident",
    }


def _ownership(g: Graph, fact: Node) -> EdgeAttrs:
    return {**_fact_attrs(g, fact, "ownership"), "permissions": [], "status": "ownership", "valid_from": None,
            "stated_end": None}


def _sources(g: Graph) -> dict[str, Source]:
    out: dict[str, Source] = {}
    for src in g.subjects(RDF_TYPE, FAST.Source):
        out[str(src).rsplit("/", 1)[-1]] = {
            "publisher": _text(g, src, DCTERMS.publisher), "title": _text(g, src, DCTERMS.title),
            "date": _text(g, src, DCTERMS.date), "url": _text(g, src, FAST.url), "reports_on": _text(g, src, FAST.reportsOn),
            "read": LABEL.get(g.value(src, FAST.read), "directly"),  # type: ignore[arg-type]
            "read_via": sorted(({"publisher": _text(g, via, DCTERMS.publisher), "title": _text(g, via, DCTERMS.title),
                                 "date": _text(g, via, DCTERMS.date), "url": _text(g, via, FAST.url)}
                                for via in g.objects(src, FAST.readVia)), key=lambda p: str(p["url"]))}
    return out


def _add_actor(G: nx.MultiDiGraph, g: Graph, iri: Node | None) -> str:
    if iri is None:
        raise ValueError("a fact names no party (the graph was not validated)")
    key = node_key(iri)
    if key not in G:
        if iri == FAST.Public:
            G.add_node(key, kind="public", label="public", iri=str(iri), aliases=[], holds=[],
                       note="anyone who downloaded an openly published dump")
        elif key.startswith(AGGREGATE):
            party = _party(g, iri)
            G.add_node(key, kind="aggregate", label=party["label"], iri=str(iri), aliases=[], holds=[], note=party["note"],
                       party_count=party["party_count"], count_qualifier=party["count_qualifier"])
            G.graph["parties"][key] = party
        else:
            aliases = sorted(str(a) for a in g.objects(iri, SKOS_ALT))
            G.add_node(key, kind="company", label=_text(g, iri, RDFS_LABEL) or key, iri=str(iri), aliases=aliases,
                       note=_text(g, iri, FAST.note), homepage=_text(g, iri, FAST.homepage),
                       country=_text(g, iri, FAST.country), holds=[])
            country = _text(g, iri, FAST.country)
            if country is not None:
                G.graph["countries"][key] = {"country": country, "sources": [
                    c for c in claims(g, iri) if c["aspect"] in (None, "country")]}
    return key


def add_public(G: nx.MultiDiGraph) -> str:
    """Add the "public" node (an open dump's recipients) as a fact naming it would; return its key."""
    return _add_actor(G, Graph(), FAST.Public)


def project(g: Graph) -> nx.MultiDiGraph:
    """The data-flow MultiDiGraph of ``g`` (see the module docstring)."""
    G = nx.MultiDiGraph()
    G.graph.update(taxonomy=ontology.data_types(g).to_dict(), integrations=ontology.integration_kinds(g).to_dict(),
                   sources=_sources(g), domains={}, lists={}, parties={}, countries={}, incidents={}, conflicts={})
    for company in _facts(g, FAST.Company):
        _add_actor(G, g, company)
    for fact in _facts(g, FAST.Collection):
        holder = _add_actor(G, g, g.value(fact, FAST.holder))
        holding = _fact_attrs(g, fact, "holding")
        holding["whose_data"] = sorted(LABEL[w] for w in g.objects(fact, FAST.whoseData) if w in LABEL)
        holding["from"] = [p for p in POPULATIONS if (fact, FAST.collectedFrom, POPULATION[p]) in g]
        for key, pred in _HOLDING_TEXT:
            value = _text(g, fact, pred)
            if value is not None:  # only what a holding states: most state none of these
                holding[key] = value  # type: ignore[literal-required]
        G.nodes[holder]["holds"].append(holding)
    for fact in _facts(g, FAST.AccessGrant):
        u, v = _add_actor(G, g, g.value(fact, FAST.grantor)), _add_actor(G, g, g.value(fact, FAST.grantee))
        attrs = _grant(g, fact)
        G.add_edge(u, v, key=attrs["id"], **attrs)
    G.graph["conflicts"].update(grant_conflicts(G))
    for group in _same_incidents(g):
        _incident_edges(G, g, group)
    for fact in _facts(g, FAST.Ownership):
        owner, owned = _add_actor(G, g, g.value(fact, FAST.owner)), _add_actor(G, g, g.value(fact, FAST.owned))
        attrs = _ownership(g, fact)
        G.add_edge(owned, owner, key=attrs["id"], **attrs)
    for fact in _facts(g, FAST.Domain):
        name = _text(g, fact, RDFS_LABEL) or str(fact)
        operators = [_add_actor(G, g, o) for o in sorted(g.objects(fact, FAST.operator), key=str)]
        by_operator: dict[str, list[str]] = {}  # which sources name which operator (sources may disagree)
        for claim in g.objects(fact, FAST.evidence):
            operator, source = g.value(claim, FAST.supports), _slug(g.value(claim, FAST.source), str(ID) + "source/")
            if operator is not None and source is not None:
                by_operator.setdefault(node_key(operator), []).append(source)
        G.graph["domains"][name] = {"operators": operators, "evidence": claims(g, fact), "note": _text(g, fact, FAST.note),
                                    "operator_sources": {o: sorted(set(s)) for o, s in sorted(by_operator.items())}}
    for fact in _facts(g, FAST.AggregateParty):
        _add_actor(G, g, fact)
    for fact in _facts(g, FAST.List):
        named = _list(g, fact)
        G.graph["lists"][named["id"]] = named
    return G


# ---------------------------------------------------------------- lists, aggregate parties, one incident from many records

def _party(g: Graph, iri: Node) -> Party:
    count = g.value(iri, FAST.partyCount)
    return {"company": node_key(iri), "label": _text(g, iri, RDFS_LABEL) or node_key(iri), "kind": "aggregate",
            "party_count": None if count is None else int(str(count)), "count_qualifier": _text(g, iri, FAST.countQualifier),
            "note": _text(g, iri, FAST.note), "evidence": claims(g, iri)}


def _list(g: Graph, fact: Node) -> NamedList:
    count = g.value(fact, FAST.partyCount)
    members: list[ListMember] = []
    for entry in g.objects(fact, FAST.member):
        company = g.value(entry, FAST.memberCompany)
        members.append({"company": node_key(company) if company is not None else "",
                        "label": _text(g, company, RDFS_LABEL) or "" if company is not None else "",
                        "status": _label(g.value(entry, FAST.memberStatus), "unknown"),
                        "note": _text(g, entry, FAST.note), "evidence": claims(g, entry)})
    members.sort(key=lambda m: (m["label"].casefold(), m["company"]))
    return {"id": str(fact).rsplit("/", 1)[-1], "label": _text(g, fact, RDFS_LABEL) or "",
            "stated_count": None if count is None else int(str(count)), "date": _text(g, fact, DCTERMS.date),
            "note": _text(g, fact, FAST.note), "evidence": claims(g, fact), "members": members}


def _same_incidents(g: Graph) -> list[list[Node]]:
    """Incident records in groups judged one incident (each group sorted, groups by their first record)."""
    parent: dict[Node, Node] = {}

    def root(n: Node) -> Node:
        while parent.get(n, n) != n:
            n = parent[n]
        return n

    incidents = _facts(g, FAST.Incident)
    for fact in incidents:
        for other in g.objects(fact, FAST.sameIncident):
            a, b = sorted((root(fact), root(other)), key=str)
            if a != b:
                parent[b] = a
    groups: dict[Node, list[Node]] = {}
    for fact in incidents:
        groups.setdefault(root(fact), []).append(fact)
    return list(groups.values())


def _incident_edges(G: nx.MultiDiGraph, g: Graph, group: list[Node]) -> None:
    """One incident's edges: platform → each recipient, for every record judged part of it."""
    first = group[0]
    attrs = _incident(g, first)
    if len(group) > 1:
        records = [_incident(g, fact) for fact in group]
        found = field_conflicts(records, INCIDENT_FIELDS)
        if found:
            G.graph["conflicts"][attrs["id"]] = found
        attrs["data_types"] = sorted({t for r in records for t in r["data_types"]})
        evidence = [c for r in records for c in r["evidence"]]
        attrs["evidence"] = sorted(evidence, key=lambda c: (c["stance"] != "asserts", c["source"] or "", c["locator"] or ""))
        attrs["disputed"] = any(r["disputed"] for r in records)
        for key in ("occurred", "published", "feature_closed", "affected", "count_qualifier", "exploited_feature",
                    "integration", "note"):
            if attrs.get(key) is None:
                attrs[key] = next((r.get(key) for r in records if r.get(key) is not None), None)  # type: ignore[typeddict-item]
        attrs["valid_from"] = attrs.get("published") or attrs.get("occurred")
    extra: IncidentExtra = {"label": attrs.get("label"), "feature_closed": attrs.get("feature_closed"),
                            "feature_closed_sources": [c for c in attrs["evidence"] if c["aspect"] == "feature_closed"],
                            "same_as": [str(f).rsplit("/", 1)[-1] for f in group[1:]]}
    G.graph["incidents"][attrs["id"]] = extra
    ends = sorted({(p, r) for fact in group for p in g.objects(fact, FAST.platform)
                   for r in g.objects(fact, FAST.recipient)}, key=lambda pr: (str(pr[0]), str(pr[1])))
    for platform, recipient in ends:
        u = _add_actor(G, g, platform)
        G.add_edge(u, _add_actor(G, g, recipient), key=attrs["id"], **{**attrs, "same_as": extra["same_as"]})
