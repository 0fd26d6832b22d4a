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

>>> from graph.questions.reach import reach
>>> from graph.examples import small_graph
>>> result = reach(small_graph(), "phone number")
>>> [(r["company"], r["hops"], r["partial"]) for r in result.rows]
[('facebook', 0, False), ('apple', 1, False), ('public', 1, False)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from graph import dates, nogc
from graph.build.flowindex import DATES, KINDS, FlowIndex
from graph.model.taxonomy import Taxonomy
from graph.records import (
    Citation,
    Claim,
    HolderBasis,
    Hop,
    ReachAnswer,
    ReachFilters,
    ReachRow,
    Source,
)

if TYPE_CHECKING:
    import networkx as nx


@dataclass
class ReachResult:
    """The answer: one row per company that could reach the data type, nearest first."""

    data_type: str
    label: str
    filters: ReachFilters
    rows: list[ReachRow] = field(default_factory=list)
    total: int = 0

    def to_json(self) -> ReachAnswer:
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

    def carries_types(self, types: Iterable[str]) -> str | None:
        """'full', 'partial' or None: how an edge with these data types carries the target."""
        types = list(types)
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

    def dated(self, attrs: Mapping[str, str | None]) -> int:
        """1 if the edge is valid on the as-of day, 0 if its dates cannot tell, -1 if not valid."""
        assert self.as_of is not None
        valid = dates.valid_at(attrs.get("valid_from"), attrs.get("stated_end"), self.as_of, status=attrs.get("status"))
        return {True: 1, None: 0, False: -1}[valid]


def taxonomy(G: nx.MultiDiGraph | FlowIndex) -> Taxonomy:
    """The data-type taxonomy the graph was built with."""
    return Taxonomy.from_dict(G.graph["taxonomy"])


def flow_index(G: nx.MultiDiGraph | FlowIndex) -> FlowIndex:
    """``G`` as a FlowIndex; make it once and pass it to ``reach`` to ask many questions of one graph."""
    return G if isinstance(G, FlowIndex) else FlowIndex.from_graph(G)


def reach(
    G: nx.MultiDiGraph | FlowIndex,
    data_type: str,
    *,
    as_of: str | None = None,
    permissions: Iterable[str] = (),
    through_ownership: bool = False,
    integrations: Iterable[str] = (),
    limit: int | None = None,
) -> ReachResult:
    """Every company that could reach ``data_type``, with its shortest evidenced path.

    ``G`` is a projected graph or its FlowIndex (``flow_index(G)``, or ``compiled.flows``
    from a build), which answers many questions without converting the graph each time.
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
    index, rules, edges, holders, found = _ask(G, data_type, as_of, permissions, through_ownership, integrations)
    with nogc.paused():  # thousands of small acyclic dicts: see graph.nogc
        rows = _answer(index, rules, holders, edges, found, limit)
    filters: ReachFilters = {"as_of": as_of, "permissions": sorted(rules.permissions), "integrations": sorted(rules.integrations),
               "through_ownership": through_ownership}
    return ReachResult(rules.target, rules.tax.label(rules.target), filters, rows, len(found.nodes))


def parties(
    G: nx.MultiDiGraph | FlowIndex,
    data_type: str,
    *,
    as_of: str | None = None,
    permissions: Iterable[str] = (),
    through_ownership: bool = False,
    integrations: Iterable[str] = (),
) -> list[tuple[str, int, bool]]:
    """Who could reach ``data_type``, as ``reach`` answers it but without paths or
    evidence: (company key, hops, partial), nearest first. For counting over many questions.

    >>> from graph.examples import small_graph
    >>> parties(small_graph(), "phone number")
    [('facebook', 0, False), ('apple', 1, False), ('public', 1, False)]
    """
    index, _, _, _, found = _ask(G, data_type, as_of, permissions, through_ownership, integrations)
    keys = index.keys.take(found.nodes)
    return list(zip(keys, found.hops.tolist(), found.partial.tolist(), strict=True))


def _ask(G: nx.MultiDiGraph | FlowIndex, data_type: str, as_of: str | None, permissions: Iterable[str],
         through_ownership: bool, integrations: Iterable[str],
         ) -> tuple[FlowIndex, _Rules, _Edges, dict[int, _Holder], _Found]:
    """What ``reach`` and ``parties`` share: the question's rules, the edges that carry the
    data type, its holders, and every party found (before any row is made)."""
    index = flow_index(G)
    tax = taxonomy(index)
    kinds = Taxonomy.from_dict(index.graph["integrations"])
    day = None if as_of is None else dates.parse(as_of)[0]
    rules = _Rules(tax, kinds, tax.resolve(data_type), day, frozenset(permissions),
                   frozenset(kinds.resolve(i) for i in integrations), through_ownership)
    edges = _Edges.of(index, rules)
    holders = _holders(index, rules, edges)
    return index, rules, edges, holders, _found(index, holders, edges)


@dataclass
class _Edges:
    """Which edges carry the target fully or partially (after the filters), and how each is dated."""

    full: np.ndarray
    partial: np.ndarray
    undated: np.ndarray
    carried: np.ndarray  # 2 full, 1 partial, 0 not (before the filters)

    @classmethod
    def of(cls, index: FlowIndex, rules: _Rules) -> _Edges:
        """Each rule is decided once per distinct value of a code table, then looked up for every edge."""
        def lut(name: str, decide: Callable[[Any], Any], dtype: type = bool) -> np.ndarray:
            return np.asarray([decide(v) for v in index.tables(name)] or [0], dtype=dtype)[index.codes[name]]

        carried = lut("data_types", lambda types: {"full": 2, "partial": 1, None: 0}[rules.carries_types(types)], np.int8)
        dated = (lut("dates", lambda d: rules.dated(dict(zip(DATES, d, strict=True))), np.int8) if rules.as_of is not None
                 else np.ones(index.edge_count, dtype=np.int8))  # 1 valid, 0 cannot tell, -1 not valid
        ok = (lut("permissions", lambda p: rules.permissions <= set(p))
              & (lut("integration", lambda i: i in rules.integrations) if rules.integrations else True)
              & (dated >= 0))
        own = index.kind == KINDS.index("ownership")
        carried = np.where(own, 2 if rules.through_ownership else 0, carried)
        ok = np.where(own, rules.through_ownership, ok)
        return cls(full=ok & (carried == 2), partial=ok & (carried == 1), undated=dated == 0, carried=carried)


@dataclass
class _Holder:
    """Why a company holds the target (``stated`` by a holding fact, or ``implied`` by a grant
    it makes), whether only narrower types, and the holding facts' evidence."""

    basis: HolderBasis
    partial: bool = True
    evidence: list[Claim] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)  # from whom: population labels, as stated
    through: list[str] = field(default_factory=list)  # through what: integration-kind slugs, as stated


def _holders(index: FlowIndex, rules: _Rules, edges: _Edges) -> dict[int, _Holder]:
    """Companies holding the target: stated by a holding fact, or implied by a grant."""
    wanted = rules.tax.ancestors(rules.target)
    narrower = rules.tax.descendants(rules.target)
    out: dict[int, _Holder] = {}
    for node, holdings in sorted(index.holdings().items()):
        for holding in holdings:
            types = set(holding["data_types"])
            if types & wanted or types & narrower:
                held = out.setdefault(node, _Holder("stated"))
                held.partial &= not types & wanted
                held.evidence += holding["evidence"]
                held.origins += [p for p in holding.get("from", []) if p not in held.origins]
                kind = holding.get("integration")
                if kind is not None and kind not in held.through:
                    held.through.append(kind)
    not_owned = index.kind != KINDS.index("ownership")
    for u in np.unique(index.src[edges.full & not_owned]).tolist():
        out.setdefault(u, _Holder("implied")).partial = False
    for u in np.unique(index.src[edges.partial]).tolist():
        out.setdefault(u, _Holder("implied"))
    return out


@dataclass
class _Tree:
    """Shortest-path tree: hops from the start (-1: unreached) and the edge each node was reached by (-1: a start)."""

    hops: np.ndarray
    pred: np.ndarray


def _search(index: FlowIndex, tiers: list[list[int]], mask: np.ndarray) -> _Tree:
    """Shortest paths over the edges in ``mask`` from the first tier of starts; a later
    tier starts only what is still unreached, so a chain keeps the holder it came from.

    Among paths of equal length the one with fewer disputed edges wins; among equal
    ones, the edge leaving the node with fewer disputed hops, then the smaller node
    name, then the earlier edge in its adjacency: the order in which a Dijkstra search
    on (hops, disputed hops, name) would find it. The search goes level by level, each
    level a handful of array operations.
    """
    order, indptr = index.out_edges()
    n = index.node_count
    hops = np.full(n, -1, dtype=np.int64)
    hits = np.zeros(n, dtype=np.int64)
    pred = np.full(n, -1, dtype=np.int64)
    disputed = index.disputed.astype(np.int64)
    for tier in tiers:
        frontier = np.asarray(sorted(set(tier)), dtype=np.int64)
        frontier = frontier[hops[frontier] < 0]
        hops[frontier], hits[frontier] = 0, 0
        level = 0
        while len(frontier):
            starts, counts = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
            total = int(counts.sum())
            if total == 0:
                break
            # positions in ``order`` of every out-edge of the frontier, in (node, adjacency) order
            pos = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
            edge = order[pos]
            keep = mask[edge] & (hops[index.dst[edge]] < 0)
            pos, edge = pos[keep], edge[keep]
            if len(edge) == 0:
                break
            target = index.dst[edge]
            came = hits[index.src[edge]]
            cost = came + disputed[edge]
            best = np.lexsort((pos, came, cost, target))
            target, first = np.unique(target[best], return_index=True)
            chosen = edge[best][first]
            level += 1
            hops[target], hits[target], pred[target] = level, cost[best][first], chosen
            frontier = target
    return _Tree(hops, pred)


@dataclass
class _Found:
    """Every party that could reach the target, nearest first (then partial last, then by
    name): its node, hops, whether partial, and which tree holds its path."""

    nodes: np.ndarray
    hops: np.ndarray
    partial: np.ndarray
    firm: np.ndarray  # reached by full edges alone: its path is in ``strong``
    strong: _Tree
    weak: _Tree


def _found(index: FlowIndex, holders: dict[int, _Holder], edges: _Edges) -> _Found:
    stated = [h for h, held in holders.items() if held.basis == "stated"]
    implied = [h for h, held in holders.items() if held.basis == "implied"]
    firm = [[h for h in tier if not holders[h].partial] for tier in (stated, implied)]
    strong = _search(index, firm, edges.full)
    weak = _search(index, [stated, implied], edges.full | edges.partial)
    found = np.flatnonzero(weak.hops >= 0)
    in_strong = strong.hops[found] >= 0
    hops = np.where(in_strong, strong.hops[found], weak.hops[found])
    partial_holder = np.zeros(index.node_count, dtype=bool)
    partial_holder[[h for h, held in holders.items() if held.partial]] = True
    is_partial = ~in_strong | ((hops == 0) & partial_holder[found])
    ranked = np.lexsort((index.label_rank[found], hops, is_partial))
    return _Found(found[ranked], hops[ranked], is_partial[ranked], in_strong[ranked], strong, weak)


def _answer(index: FlowIndex, rules: _Rules, holders: dict[int, _Holder], edges: _Edges, found: _Found,
            limit: int | None) -> list[ReachRow]:
    """The rows, evidenced paths built only for the first ``limit``."""
    chosen = slice(None) if limit is None else slice(0, limit)
    src, trees = index.src, {True: found.strong.pred.tolist(), False: found.weak.pred.tolist()}
    paths = []
    for node, n_hops, partial, firm_path in zip(found.nodes[chosen].tolist(), found.hops[chosen].tolist(),
                                                found.partial[chosen].tolist(), found.firm[chosen].tolist(), strict=True):
        pred, path, at = trees[firm_path], [], node
        while pred[at] >= 0:
            path.append(pred[at])
            at = int(src[path[-1]])
        paths.append((node, n_hops, partial, path[::-1]))
    hop_of = _Hops(index, rules, edges, sorted({e for *_, path in paths for e in path}))
    nodes = _Nodes(index, sorted({node for node, *_ in paths}))
    return [_row(nodes, node, n_hops, partial, holders.get(node) if n_hops == 0 else None, [hop_of[e] for e in path], hop_of.cite,
                 rules.kinds)
            for node, n_hops, partial, path in paths]


class _Nodes:
    """Key, label, IRI and kind of the given nodes, decoded together."""

    def __init__(self, index: FlowIndex, nodes: list[int]) -> None:
        picked = np.asarray(nodes, dtype=np.int64)
        kinds = index.meta["node_kinds"]
        self.attrs = {n: (key, label, iri, str(kinds[k])) for n, key, label, iri, k in zip(
            nodes, index.keys.take(picked), index.labels.take(picked), index.iris.take(picked),
            index.node_kind[picked].tolist(), strict=True)}


class _Hops:
    """The hops of an answer, made together: integration, permissions, data types, dates,
    status, sources and disputes of each edge. Rows share the dict of a hop they have in common."""

    def __init__(self, index: FlowIndex, rules: _Rules, edges: _Edges, picked: list[int]) -> None:
        self.sources = index.graph.get("sources", {})
        at = np.asarray(picked, dtype=np.int64)
        facts = index.facts.take(at)
        evidence = index.evidence(picked)
        ends = sorted(set(index.src[at].tolist()) | set(index.dst[at].tolist()))
        names = dict(zip(ends, zip(index.keys.take(np.asarray(ends, dtype=np.int64)),
                                   index.labels.take(np.asarray(ends, dtype=np.int64)), strict=True), strict=True))
        type_labels: dict[tuple[str, ...], list[str]] = {}
        columns = zip(picked, facts, evidence, index.src[at].tolist(), index.dst[at].tolist(), index.edges_attrs(picked),
                      edges.carried[at].tolist(), edges.undated[at].tolist(), strict=True)
        self.hops: dict[int, Hop] = {}
        for e, fact, claims, u, v, attrs, carried, undated in columns:
            types = tuple(attrs["data_types"])
            if types not in type_labels:
                type_labels[types] = [rules.tax.label(t) for t in types]
            hop: Hop = {
                "from": names[u][0], "from_label": names[u][1], "to": names[v][0], "to_label": names[v][1],
                "fact": fact, "kind": attrs["kind"],
                "integration": None if attrs["integration"] is None else rules.kinds.label(attrs["integration"]),
                "permissions": attrs["permissions"],
                "data_types": list(type_labels[types]),
                "valid_from": attrs["valid_from"], "stated_end": attrs["stated_end"], "status": attrs["status"],
                "sources": [self.cite(c) for c in claims if c["stance"] == "asserts"],
                "disputed": attrs["disputed"],
                "disputes": [self.cite(c) for c in claims if c["stance"] == "disputes"],
                "partial": carried == 1,
            }
            if rules.as_of is not None:
                hop["undated"] = undated
            self.hops[e] = hop

    def __getitem__(self, e: int) -> Hop:
        return self.hops[e]

    def cite(self, claim: Claim) -> Citation:
        return _cite(self.sources, claim)


def cite(G: nx.MultiDiGraph | FlowIndex, claim: Claim) -> Citation:
    """A claim with its source's publisher, title, date and URL filled in.

    >>> from graph.examples import small_graph
    >>> G = small_graph()
    >>> claim = G.edges["facebook", "spotify", "facebook-spotify-messaging"]["evidence"][0]
    >>> cite(G, claim)["publisher"] is not None
    True
    """
    return _cite(G.graph.get("sources", {}), claim)


def _cite(sources: Mapping[Any, Source], claim: Claim) -> Citation:
    source = sources.get(claim.get("source"))
    publisher, title, date, url = (None, None, None, None) if source is None else (
        source.get("publisher"), source.get("title"), source.get("date"), source.get("url"))
    return {"source": claim.get("source"), "publisher": publisher, "title": title,
            "date": date, "url": url, "locator": claim.get("locator"),
            "stance": claim.get("stance"), "confidence": claim.get("confidence"), "claimant": claim.get("claimant"),
            "aspect": claim.get("aspect"), "note": claim.get("note")}


def _row(nodes: _Nodes, node: int, hops: int, partial: bool, holder: _Holder | None,
         path: list[Hop], cite: Callable[[Claim], Citation], kinds: Taxonomy) -> ReachRow:
    company, label, iri, kind = nodes.attrs[node]
    return {
        "company": company, "label": label, "iri": iri, "kind": kind,
        "hops": hops, "partial": partial, "holder": holder is not None,
        "holder_basis": None if holder is None else holder.basis,
        "holder_sources": [] if holder is None else [cite(c) for c in holder.evidence],
        "collected_from": [] if holder is None else holder.origins,
        "collected_through": [] if holder is None else [kinds.label(k) for k in holder.through],
        "via_incident": any(h["kind"] == "incident" for h in path),
        "disputed": any(h["disputed"] for h in path),
        "undated": any(h.get("undated", False) for h in path),
        "path": path,
    }
