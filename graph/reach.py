"""Which companies could reach a data type, by which path, on whose evidence (DESIGN §5).

Data moves along the edges of the projected graph: from a holder of the data type to
the grantees of its grants, their grantees, and on to whoever got an incident's dump.
An edge carries data type X when one of its data types is X or broader than X (a grant
of contact information carries phone numbers). An edge carrying only a narrower type
gives a *partial* reach, marked as such. A grantor is taken to hold what it grants.

Filters: ``as_of`` keeps edges valid on that date (edges with unknown dates are kept
and marked ``undated``, never silently dropped); ``permissions`` keeps edges with all
the given permissions; ``integrations`` keeps edges of those kinds; ownership edges
(owned → owner) are followed only with ``through_ownership`` and carry every type.

>>> from graph.reach import reach
>>> from graph.examples import small_graph
>>> result = reach(small_graph(), "phone number")
>>> [(r["company"], r["hops"], r["partial"]) for r in result.rows]
[('facebook', 0, False), ('apple', 1, False), ('public', 1, False)]
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from graph import dates
from graph.taxonomy import Taxonomy

Edge = tuple[str, str, str]


@dataclass
class ReachResult:
    """The answer: one row per company that could reach the data type, nearest first."""

    data_type: str
    label: str
    filters: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: the question, its filters, how many parties, and the rows."""
        return {"data_type": self.data_type, "label": self.label, "filters": self.filters, "total": self.total,
                "companies": self.rows}


@dataclass(frozen=True)
class _Rules:
    tax: Taxonomy
    kinds: Taxonomy
    target: str
    as_of: dt.date | None
    permissions: frozenset[str]
    integrations: frozenset[str]
    through_ownership: bool

    def carries(self, attrs: dict[str, Any]) -> str | None:
        """'full', 'partial' or None: how an edge carries the target data type."""
        if attrs["kind"] == "ownership":
            return "full" if self.through_ownership else None
        types = attrs.get("data_types", [])
        if any(t in self.broader for t in types):
            return "full"
        if any(t in self.narrower for t in types):
            return "partial"
        return None

    @cached_property
    def broader(self) -> frozenset[str]:
        """The target and every broader type: an edge carrying one of them carries the target."""
        return frozenset(self.tax.ancestors(self.target))

    @cached_property
    def narrower(self) -> frozenset[str]:
        """Strictly narrower types: an edge carrying only these is a partial reach."""
        return frozenset(self.tax.descendants(self.target) - {self.target})

    def passes(self, attrs: dict[str, Any]) -> bool:
        """Whether an edge survives the permission, integration and date filters."""
        if attrs["kind"] == "ownership":
            return self.through_ownership
        if not self.permissions <= set(attrs.get("permissions", [])):
            return False
        if self.integrations and attrs.get("integration") not in self.integrations:
            return False
        return self.as_of is None or _valid_at(attrs, self.as_of) is not False


def _valid_at(attrs: dict[str, Any], day: dt.date) -> bool | None:
    """True if valid on ``day``, False if not, None if the dates cannot tell.

    A year- or month-only date covers a range: a day inside that range is uncertain.
    """
    start, end = attrs.get("valid_from"), attrs.get("valid_until")
    uncertain = start is None or (end is None and attrs.get("status") in ("shut down", "unknown"))
    if start is not None:
        first, last = dates.parse(start)
        if first > day:
            return False
        uncertain |= day <= last and first != last
    if end is not None:
        first, last = dates.parse(end)
        if last < day:
            return False
        uncertain |= day >= first and first != last
    return None if uncertain else True


def taxonomy(G: nx.MultiDiGraph) -> Taxonomy:
    """The data-type taxonomy the graph was built with."""
    return Taxonomy.from_dict(G.graph["taxonomy"])


def reach(
    G: nx.MultiDiGraph,
    data_type: str,
    *,
    as_of: str | None = None,
    permissions: Iterable[str] = (),
    through_ownership: bool = False,
    integrations: Iterable[str] = (),
    limit: int | None = None,
) -> ReachResult:
    """Every company that could reach ``data_type``, with its shortest evidenced path.

    ``data_type`` may be a label, slug, IRI, ``pd:`` CURIE or fideslang key;
    ``integrations`` are integration-kind labels or slugs. ``limit`` keeps the nearest
    rows only (paths are built for those alone); ``total`` still counts every party. Raises NotFoundError for
    an unknown name, ValueError for a bad date.

    >>> from graph.examples import small_graph
    >>> G = small_graph()
    >>> [r["company"] for r in reach(G, "private message", permissions=["delete"]).rows]
    ['facebook', 'spotify']
    >>> [r["company"] for r in reach(G, "contact information").rows if r["partial"]]
    ['public']
    """
    tax = taxonomy(G)
    target = tax.resolve(data_type)
    kinds = Taxonomy.from_dict(G.graph["integrations"])
    day = None if as_of is None else dates.parse(as_of)[0]
    rules = _Rules(tax, kinds, target, day, frozenset(permissions), frozenset(kinds.resolve(i) for i in integrations), through_ownership)
    full, partial, disputed = _edges(G, rules)
    holders = _holders(G, rules, full, partial)
    rows, total = _answer(G, rules, holders, full, partial, disputed, limit)
    filters = {"as_of": as_of, "permissions": sorted(rules.permissions), "integrations": sorted(rules.integrations),
               "through_ownership": through_ownership}
    return ReachResult(target, tax.label(target), filters, rows, total)


def _edges(G: nx.MultiDiGraph, rules: _Rules) -> tuple[list[Edge], list[Edge], set[Edge]]:
    """The edges that carry the target fully and partially (in the graph's own, stable
    order), and which of them are disputed."""
    full: list[Edge] = []
    partial: list[Edge] = []
    disputed: set[Edge] = set()
    for u, v, key, attrs in G.edges(keys=True, data=True):
        how = rules.carries(attrs) if rules.passes(attrs) else None
        if how is None:
            continue
        (full if how == "full" else partial).append((u, v, key))
        if attrs.get("disputed"):
            disputed.add((u, v, key))
    return full, partial, disputed


def _holders(G: nx.MultiDiGraph, rules: _Rules, full: list[Edge], partial: list[Edge]) -> dict[str, dict[str, Any]]:
    """Companies holding the target: stated by a holding fact, or implied by a grant."""
    wanted = rules.tax.ancestors(rules.target)
    narrower = rules.tax.descendants(rules.target)
    out: dict[str, dict[str, Any]] = {}
    for node, holdings in G.nodes(data="holds"):
        for holding in holdings or []:
            types = set(holding["data_types"])
            if types & wanted or types & narrower:
                out.setdefault(node, {"basis": "stated", "partial": True, "evidence": []})
                out[node]["partial"] &= not types & wanted
                out[node]["evidence"] += holding["evidence"]
    for u, v, key in full:
        if G.edges[u, v, key]["kind"] != "ownership":
            entry = out.setdefault(u, {"basis": "implied by what it passes on", "evidence": []})
            entry["partial"] = False
    for u, _v, _key in partial:
        out.setdefault(u, {"basis": "implied by what it passes on", "partial": True, "evidence": []})
    return out


def _search(tiers: list[list[str]], edges: list[Edge], disputed: set[Edge]) -> dict[str, tuple[int, Edge | None]]:
    """Shortest paths from the first tier of starts; a later tier starts only what is still
    unreached, so a chain keeps the holder it came from. Among paths of equal length, the
    one with fewer disputed edges wins.
    """
    adjacency: dict[str, list[Edge]] = {}
    for edge in edges:
        adjacency.setdefault(edge[0], []).append(edge)
    best: dict[str, tuple[int, int, Edge | None]] = {}
    for tier in tiers:
        frozen = set(best)
        heap = [(0, 0, node) for node in sorted(set(tier) - frozen)]
        best.update({node: (0, 0, None) for _, _, node in heap})
        while heap:
            hops, hits, node = heapq.heappop(heap)
            if (hops, hits) > best[node][:2]:
                continue
            for edge in adjacency.get(node, []):
                cost = (hops + 1, hits + (edge in disputed))
                if edge[1] not in frozen and (edge[1] not in best or cost < best[edge[1]][:2]):
                    best[edge[1]] = (*cost, edge)
                    heapq.heappush(heap, (*cost, edge[1]))
    return {node: (hops, edge) for node, (hops, _, edge) in best.items()}


def _answer(G: nx.MultiDiGraph, rules: _Rules, holders: dict[str, dict[str, Any]],
            full: list[Edge], partial: list[Edge], disputed: set[Edge], limit: int | None) -> tuple[list[dict[str, Any]], int]:
    """The rows (evidenced paths built only for the first ``limit``) and how many there are in all."""
    stated = [h for h, info in holders.items() if info["basis"] == "stated"]
    stated_set = set(stated)
    implied = [h for h in holders if h not in stated_set]
    firm = [[h for h in tier if not holders[h]["partial"]] for tier in (stated, implied)]
    strong = _search(firm, full, disputed)
    weak = _search([stated, implied], full + partial, disputed)
    found = []
    for node in weak:
        tree = strong if node in strong else weak
        holder = holders.get(node) if tree[node][0] == 0 else None
        is_partial = tree is weak or (holder is not None and holder["partial"])
        found.append((is_partial, tree[node][0], G.nodes[node]["label"].casefold(), node, tree, holder))
    found.sort(key=lambda f: f[:3])
    chosen = found if limit is None else found[:limit]
    rows = [_row(G, node, tree[node][0], is_partial, holder, _path(G, rules, tree, node))
            for is_partial, _, _, node, tree, holder in chosen]
    return rows, len(found)


def _path(G: nx.MultiDiGraph, rules: _Rules, tree: dict[str, tuple[int, Edge | None]], node: str) -> list[dict[str, Any]]:
    hops = []
    while tree[node][1] is not None:
        edge = tree[node][1]
        assert edge is not None
        hops.append(hop(G, edge, rules))
        node = edge[0]
    return list(reversed(hops))


def hop(G: nx.MultiDiGraph, edge: Edge, rules: _Rules | None = None) -> dict[str, Any]:
    """One edge as a hop of an answer: integration, permissions, dates, status, sources, disputes."""
    u, v, key = edge
    attrs = G.edges[u, v, key]
    kinds = Taxonomy.from_dict(G.graph["integrations"]) if rules is None else rules.kinds
    tax = taxonomy(G) if rules is None else rules.tax
    integration = attrs.get("integration")
    claims = attrs.get("evidence")
    if claims is None:  # a graph from compiled.flows keeps evidence aside, read per hop
        lookup = G.graph.get("evidence_of")
        claims = [] if lookup is None else lookup(key)
    out = {
        "from": u, "from_label": G.nodes[u]["label"], "to": v, "to_label": G.nodes[v]["label"],
        "fact": key, "kind": attrs["kind"],
        "integration": None if integration is None else kinds.label(integration),
        "permissions": attrs.get("permissions", []),
        "data_types": [tax.label(t) for t in attrs.get("data_types", [])],
        "valid_from": attrs.get("valid_from"), "valid_until": attrs.get("valid_until"),
        "status": attrs.get("status"),
        "sources": [cite(G, c) for c in claims if c["stance"] == "asserts"],
        "disputed": bool(attrs.get("disputed")),
        "disputes": [cite(G, c) for c in claims if c["stance"] == "disputes"],
    }
    if rules is not None:
        out["partial"] = rules.carries(attrs) == "partial"
        if rules.as_of is not None:
            out["undated"] = _valid_at(attrs, rules.as_of) is None
    return out


def cite(G: nx.MultiDiGraph, claim: dict[str, Any]) -> dict[str, Any]:
    """A claim with its source's publisher, title, date and URL filled in."""
    source = G.graph.get("sources", {}).get(claim.get("source"), {})
    return {"source": claim.get("source"), "publisher": source.get("publisher"), "title": source.get("title"),
            "date": source.get("date"), "url": source.get("url"), "locator": claim.get("locator"),
            "stance": claim.get("stance"), "confidence": claim.get("confidence"), "claimant": claim.get("claimant"),
            "aspect": claim.get("aspect"), "note": claim.get("note")}


def _row(G: nx.MultiDiGraph, node: str, hops: int, partial: bool, holder: dict[str, Any] | None,
         path: list[dict[str, Any]]) -> dict[str, Any]:
    attrs = G.nodes[node]
    return {
        "company": node, "label": attrs["label"], "iri": attrs["iri"], "kind": attrs["kind"],
        "hops": hops, "partial": partial, "holder": holder is not None,
        "holder_basis": None if holder is None else holder["basis"],
        "holder_sources": [] if holder is None else [cite(G, c) for c in holder["evidence"]],
        "via_incident": any(h["kind"] == "incident" for h in path),
        "disputed": any(h["disputed"] for h in path),
        "undated": any(h.get("undated", False) for h in path),
        "path": path,
    }
