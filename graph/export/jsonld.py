"""The data-flow projection as JSON-LD with an inline context (see ``graph.export.writers``).

Terms come from the vocabulary namespace objects (``DR``, ``ID``, …), never typed-in
IRIs, so a misspelt term fails loudly. The document references no remote context.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from rdflib.namespace import DCTERMS, RDFS, SKOS, XSD

from graph.build.flowgraph import FlowGraph
from graph.model.vocab import (
    CONFIDENCE,
    DR,
    DT,
    ID,
    IK,
    PERMISSION,
    POPULATION,
    READ,
    STANCE,
    STATUS,
    WHOSE,
)

_TYPES = {"grant": DR.AccessGrant, "incident": DR.Incident, "ownership": DR.Ownership}
_REFS = ("grantor", "grantee", "platform", "recipient", "owner", "owned", "holder", "dataType", "integration",
         "exploitedFeature", "permission", "status", "stance", "confidence", "source", "whoseData",
         "collectedFrom", "read")
_TEXTS = {"activation": DR.activation, "note": DR.note, "locator": DR.locator, "claimant": DR.claimant,
          "aspect": DR.aspect, "validFrom": DR.validFrom, "statedEnd": DR.statedEnd,
          "lastObservedActive": DR.lastObservedActive, "occurred": DR.occurred, "published": DR.published,
          "countQualifier": DR.countQualifier, "affectedCount": DR.affectedCount,
          "reportsOn": DR.reportsOn, "onByDefault": DR.onByDefault, "overrodePrivacySetting": DR.overrodePrivacySetting}


def context() -> dict[str, Any]:
    """The inline ``@context``: short names for the vocabulary terms used below."""
    ctx: dict[str, Any] = {"id": "@id", "type": "@type", "dr": str(DR), "dt": str(DT), "ik": str(IK)}
    for name in _REFS:
        ctx[name] = {"@id": str(getattr(DR, name)), "@type": "@id"}
    ctx.update({name: str(term) for name, term in _TEXTS.items()})
    ctx["url"] = {"@id": str(DR.url), "@type": str(XSD.anyURI)}
    ctx.update(readVia=str(DR.readVia), evidence=str(DR.evidence), label=str(RDFS.label), altLabel=str(SKOS.altLabel),
               publisher=str(DCTERMS.publisher), title=str(DCTERMS.title), date=str(DCTERMS.date))
    return ctx


def _prune(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v is not None and v != []}


def _claim(c: dict[str, Any]) -> dict[str, Any]:
    return _prune({"type": str(DR.Claim), "source": f"{ID}source/{c.get('source')}", "locator": c.get("locator"),
                   "stance": str(STANCE.get(c.get("stance") or "asserts", DR.Asserts)),
                   "confidence": str(CONFIDENCE.get(c.get("confidence") or "reported", DR.Reported)),
                   "claimant": c.get("claimant"), "aspect": c.get("aspect"), "note": c.get("note")})


def _fact(G: nx.MultiDiGraph | FlowGraph, u: str, v: str, a: dict[str, Any]) -> dict[str, Any]:
    kind = a["kind"]
    ends = {"grant": {"grantor": G.nodes[u]["iri"], "grantee": G.nodes[v]["iri"]},
            "incident": {"platform": G.nodes[u]["iri"], "recipient": [G.nodes[v]["iri"]]},
            "ownership": {"owned": G.nodes[u]["iri"], "owner": G.nodes[v]["iri"]}}[kind]
    integ, feature = a.get("integration"), a.get("exploited_feature")
    return _prune({
        "id": a.get("iri"), "type": str(_TYPES[kind]), "label": a.get("label"), **ends,
        "dataType": [str(DT[t]) for t in a.get("data_types") or []],
        "integration": None if integ is None else str(IK[integ]),
        "exploitedFeature": None if feature is None else str(IK[feature]),
        "permission": [str(PERMISSION[p]) for p in a.get("permissions") or [] if p in PERMISSION] if kind == "grant" else [],
        "whoseData": [str(WHOSE[w]) for w in a.get("whose_data") or [] if w in WHOSE],
        "status": str(STATUS[a["status"]]) if a.get("status") in STATUS else None,
        "validFrom": a.get("valid_from") if kind == "grant" else None, "statedEnd": a.get("stated_end"),
        "lastObservedActive": a.get("last_observed_active"), "occurred": a.get("occurred"),
        "published": a.get("published"), "activation": a.get("activation"), "onByDefault": a.get("on_by_default"),
        "overrodePrivacySetting": a.get("overrode_privacy_setting"), "affectedCount": a.get("affected"),
        "countQualifier": a.get("count_qualifier"), "note": a.get("note"),
        "evidence": [_claim(c) for c in a.get("evidence") or []],
    })


def _merge_incidents(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An incident is one fact with several recipients, though it is several edges."""
    out: dict[Any, dict[str, Any]] = {}
    for fact in facts:
        key = fact.get("id") or id(fact)
        if key in out and "recipient" in fact:
            out[key]["recipient"] = sorted(set(out[key]["recipient"]) | set(fact["recipient"]))
        else:
            out[key] = fact
    return list(out.values())


def jsonld(G: nx.MultiDiGraph | FlowGraph) -> dict[str, Any]:
    """The JSON-LD document: companies, holdings, facts with their claims, and sources.

    >>> from graph.examples import small_graph
    >>> doc = jsonld(small_graph())
    >>> isinstance(doc["@context"], dict) and len(doc["@graph"]) > 0
    True
    """
    items: list[dict[str, Any]] = []
    for _node, a in sorted(G.nodes(data=True), key=lambda n: str(n[0])):
        if a.get("kind") == "company":
            items.append(_prune({"id": a.get("iri"), "type": str(DR.Company), "label": a.get("label"),
                                 "altLabel": a.get("aliases") or [], "note": a.get("note")}))
        for h in a.get("holds") or []:
            items.append(_prune({"id": h.get("iri"), "type": str(DR.Collection), "holder": a.get("iri"),
                                 "dataType": [str(DT[t]) for t in h.get("data_types") or []], "note": h.get("note"),
                                 "integration": None if h.get("integration") is None else str(IK[h["integration"]]),
                                 "whoseData": [str(WHOSE[w]) for w in h.get("whose_data") or [] if w in WHOSE],
                                 "collectedFrom": [str(POPULATION[p]) for p in h.get("from") or [] if p in POPULATION],
                                 "evidence": [_claim(c) for c in h.get("evidence") or []]}))
    facts = [_fact(G, u, v, a) for u, v, a in sorted(G.edges(data=True), key=lambda e: str(e[2].get("iri")))]
    items += _merge_incidents(facts)
    for slug, s in sorted(G.graph.get("sources", {}).items()):
        items.append(_prune({"id": f"{ID}source/{slug}", "type": str(DR.Source), "publisher": s.get("publisher"),
                             "title": s.get("title"), "date": s.get("date"), "url": s.get("url"),
                             "reportsOn": s.get("reports_on"),
                             "read": None if s.get("read") in (None, "directly") else str(READ[str(s.get("read"))]),
                             "readVia": [_prune({"type": str(DR.Page), "publisher": p.get("publisher"), "title": p.get("title"),
                                                 "date": p.get("date"), "url": p.get("url")})
                                         for p in s.get("read_via") or []]}))
    return {"@context": context(), "@graph": items}
