"""Project the RDF graph onto a networkx MultiDiGraph: the one place that decides how
fact nodes become edges. Citations travel on every edge.

An edge ``u → v`` means data can move from ``u`` to ``v``:

- an access grant: grantor → grantee (key: the grant's slug);
- an incident: platform → each recipient, ``"public"`` for an open dump;
- ownership: owned → owner (followed by reach only when asked).

Nodes are company slugs and ``"public"``. ``G.graph`` carries the data-type and
integration taxonomies (``Taxonomy.to_dict``) and the source registry, so ``reach``,
``rank`` and ``viz`` need nothing but ``G``.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from rdflib import RDF, RDFS, SKOS, Graph, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from graph import ontology
from graph.vocab import DR, DT, ID, IK

PUBLIC = "public"
_LABELS: dict[Node, str] = {DR.read: "read", DR.write: "write", DR.delete: "delete", DR.Users: "users", DR.UsersFriends: "users' friends",
           DR.NonUsers: "non-users", DR.Active: "active", DR.ShutDown: "shut down", DR.StatusUnknown: "unknown",
           DR.Asserts: "asserts", DR.Disputes: "disputes", DR.Confirmed: "confirmed", DR.Reported: "reported", DR.Alleged: "alleged"}


_PERMISSION_ORDER = ((DR.read, "read"), (DR.write, "write"), (DR.delete, "delete"))


def node_key(iri: Node) -> str:
    """The networkx node for an actor IRI: the company slug, or ``"public"``."""
    if iri == DR.Public:
        return PUBLIC
    text = str(iri)
    prefix = str(ID) + "company/"
    return text[len(prefix):] if text.startswith(prefix) else text


def _label(term: Node | None, default: str) -> str:
    return default if term is None else _LABELS.get(term, default)


def _facts(g: Graph, cls: URIRef) -> list[Node]:
    return sorted(g.subjects(RDF.type, cls), key=str)


def _slug(iri: Node | None, ns: Any) -> str | None:
    return None if iri is None else str(iri)[len(str(ns)):]


def _text(g: Graph, s: Node, p: URIRef) -> str | None:
    value = g.value(s, p)
    return None if value is None else str(value)


def _bool(g: Graph, s: Node, p: URIRef) -> bool | None:
    value = g.value(s, p)
    return None if value is None else str(value) == "true"


def claims(g: Graph, fact: Node) -> list[dict[str, Any]]:
    """The evidence of ``fact`` as dicts, asserting claims first."""
    out = []
    for claim in g.objects(fact, DR.evidence):
        out.append({
            "source": _slug(g.value(claim, DR.source), str(ID) + "source/"),
            "locator": _text(g, claim, DR.locator),
            "stance": _label(g.value(claim, DR.stance), "asserts"),
            "confidence": _label(g.value(claim, DR.confidence), "reported"),
            "claimant": _text(g, claim, DR.claimant),
            "aspect": _text(g, claim, DR.aspect),
            "note": _text(g, claim, DR.note),
        })
    return sorted(out, key=lambda c: (c["stance"] != "asserts", c["source"] or "", c["locator"] or ""))


def _fact_attrs(g: Graph, fact: Node, kind: str) -> dict[str, Any]:
    evidence = claims(g, fact)
    return {
        "kind": kind,
        "id": str(fact).rsplit("/", 1)[-1],
        "iri": str(fact),
        "data_types": sorted(_slug(d, DT) or "" for d in g.objects(fact, DR.dataType)),
        "integration": _slug(g.value(fact, DR.integration), IK),
        "note": _text(g, fact, DR.note),
        "evidence": evidence,
        "disputed": any(c["stance"] == "disputes" for c in evidence),
    }


def _grant(g: Graph, fact: Node) -> dict[str, Any]:
    attrs = _fact_attrs(g, fact, "grant")
    attrs.update({
        "permissions": [name for p, name in _PERMISSION_ORDER if (fact, DR.permission, p) in g],
        "whose_data": sorted(_LABELS[w] for w in g.objects(fact, DR.whoseData) if w in _LABELS),
        "activation": _text(g, fact, DR.activation),
        "on_by_default": _bool(g, fact, DR.onByDefault),
        "overrode_privacy_setting": _bool(g, fact, DR.overrodePrivacySetting),
        "valid_from": _text(g, fact, DR.validFrom),
        "valid_until": _text(g, fact, DR.statedEnd),
        "last_observed_active": _text(g, fact, DR.lastObservedActive),
        "status": _label(g.value(fact, DR.status), "unknown"),
    })
    return attrs


def _incident(g: Graph, fact: Node) -> dict[str, Any]:
    attrs = _fact_attrs(g, fact, "incident")
    count = g.value(fact, DR.affectedCount)
    attrs.update({
        "label": _text(g, fact, RDFS.label),
        "exploited_feature": _slug(g.value(fact, DR.exploitedFeature), IK),
        # A copy of exposed data can be read by whoever holds it: incidents carry "read".
        "permissions": ["read"],
        "valid_from": _text(g, fact, DR.published) or _text(g, fact, DR.occurred),
        "valid_until": None,
        "occurred": _text(g, fact, DR.occurred),
        "published": _text(g, fact, DR.published),
        "affected": None if count is None else int(str(count)),
        "count_qualifier": _text(g, fact, DR.countQualifier),
        "status": "incident",
    })
    return attrs


def _sources(g: Graph) -> dict[str, dict[str, str | None]]:
    out = {}
    for src in g.subjects(RDF.type, DR.Source):
        out[str(src).rsplit("/", 1)[-1]] = {
            key: _text(g, src, pred) for key, pred in (("publisher", DCTERMS.publisher), ("title", DCTERMS.title),
                                                       ("date", DCTERMS.date), ("url", DR.url), ("reports_on", DR.reportsOn))}
    return out


def _add_actor(G: nx.MultiDiGraph, g: Graph, iri: Node | None) -> str:
    if iri is None:
        raise ValueError("a fact names no party (the graph was not validated)")
    key = node_key(iri)
    if key not in G:
        if iri == DR.Public:
            G.add_node(key, kind="public", label="public", iri=str(iri), aliases=[], holds=[],
                       note="anyone who downloaded an openly published dump")
        else:
            aliases = sorted(str(a) for a in g.objects(iri, SKOS.altLabel))
            G.add_node(key, kind="company", label=_text(g, iri, RDFS.label) or key, iri=str(iri), aliases=aliases,
                       note=_text(g, iri, DR.note), homepage=_text(g, iri, DR.homepage),
                       country=_text(g, iri, DR.country), holds=[])
    return key


def project(g: Graph) -> nx.MultiDiGraph:
    """The data-flow MultiDiGraph of ``g`` (see the module docstring)."""
    G = nx.MultiDiGraph()
    G.graph.update(taxonomy=ontology.data_types(g).to_dict(), integrations=ontology.integration_kinds(g).to_dict(),
                   sources=_sources(g), domains={})
    for company in _facts(g, DR.Company):
        _add_actor(G, g, company)
    for fact in _facts(g, DR.Collection):
        holder = _add_actor(G, g, g.value(fact, DR.holder))
        G.nodes[holder]["holds"].append(_fact_attrs(g, fact, "holding"))
    for fact in _facts(g, DR.AccessGrant):
        u, v = _add_actor(G, g, g.value(fact, DR.grantor)), _add_actor(G, g, g.value(fact, DR.grantee))
        attrs = _grant(g, fact)
        G.add_edge(u, v, key=attrs["id"], **attrs)
    for fact in _facts(g, DR.Incident):
        u = _add_actor(G, g, g.value(fact, DR.platform))
        for recipient in sorted(g.objects(fact, DR.recipient), key=str):
            attrs = _incident(g, fact)
            G.add_edge(u, _add_actor(G, g, recipient), key=attrs["id"], **attrs)
    for fact in _facts(g, DR.Ownership):
        owner, owned = _add_actor(G, g, g.value(fact, DR.owner)), _add_actor(G, g, g.value(fact, DR.owned))
        attrs = _fact_attrs(g, fact, "ownership")
        attrs.update(permissions=[], status="ownership", valid_from=None, valid_until=None)
        G.add_edge(owned, owner, key=attrs["id"], **attrs)
    for fact in _facts(g, DR.Domain):
        name = _text(g, fact, RDFS.label) or str(fact)
        operators = [_add_actor(G, g, o) for o in sorted(g.objects(fact, DR.operator), key=str)]
        G.graph["domains"][name] = {"operators": operators, "evidence": claims(g, fact), "note": _text(g, fact, DR.note)}
    return G
