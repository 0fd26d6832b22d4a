"""Which companies could reach a data type, by which path, how surely, on whose evidence (DESIGN §5).

Data moves along the edges of the projected graph: from a holder of the data type to
the grantees of its grants, their grantees, and on to whoever got an incident's dump.

**Certainty.** Asked for data type X, an edge carries X

- *stated* when it names X itself;
- *implied* when it names only broader types ("personal data" implies phone number):
  possible, not stated;
- *partial* when it names only narrower types (asked "contact information", an edge
  naming phone numbers carries part of it).

An edge naming several takes the surest (stated, then implied, then partial). A holder
is as sure as its holding facts by the same rule. A path is as sure as its least sure
hop and its start; each hop is marked with the certainty it passes on (its own, or what
reached its grantor if that is less sure). Rows sort by certainty, then hops, then name;
``certainty="stated"`` keeps only stated paths (``"implied"`` keeps stated and implied).

**Onward transfers.** A grant passes on at most what its grantor received or is stated
to hold. The starts are the *holders*: companies with a holding fact naming X, a
broader or a narrower type (``holder_basis`` "stated"), and grantors of an edge naming X
or a narrower type (the edge itself states they had it: basis "implied"). A grant in
broader terms only makes no one a holder: it carries X only from a company X (or a
narrower type) reached along the path, and then no surer than what reached it. So
P → App ("page likes") → Consultancy ("personal data") reaches Consultancy with page
likes (implied on the last hop) but not with P's private messages.

**Direction.** ``start`` follows only flows that start at that holder (an empty answer
if it is no holder of X). ``into`` answers "who sent X into C": every party C could have
received X from, each with its surest, then shortest, path ending at C (hops are the
distance to C); a party must itself have X (be a holder or be reached) to send it.
Nothing assumes a platform is the grantor: a partner → platform grant is a grant.

**Filters** (each keeps edges; ownership edges are not filtered): ``as_of`` keeps edges
valid on that date (unknown dates are kept and marked ``undated``); ``permissions``
keeps edges with all the given permissions; ``integrations`` edges of those kinds;
``on_by_default`` (True/False) grants stated to be on (or not) by default; ``whose_data``
edges stated to carry that population's data; ``sources`` edges (and holdings) asserted
by one of those sources, ``source_before``/``source_after`` by a source dated then;
``confidence`` by a claim at least that sure (confirmed, reported, alleged) and ``read``
by a source read at least that directly (directly, through a reprint, through quotes).
``country`` keeps rows whose party has that stated country. Ownership edges (owned →
owner) are followed only with ``through_ownership`` and pass on what reached the owned.

>>> from graph.questions.reach import reach
>>> from graph.examples import small_graph
>>> result = reach(small_graph(), "phone number")
>>> [(r["company"], r["hops"], r["certainty"]) for r in result.rows]
[('facebook', 0, 'stated'), ('public', 1, 'stated'), ('apple', 1, 'implied')]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from graph import dates, nogc
from graph.build.flowindex import DATES, KINDS, FlowIndex
from graph.errors import NotFoundError, UsageError
from graph.model.labels import CONFIDENCES, READ_MODES, WHOSE_DATA
from graph.model.taxonomy import Resolution, Taxonomy
from graph.questions.parties import describe
from graph.records import (
    CERTAINTIES,
    Certainty,
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

NONE = len(CERTAINTIES)  # the level of an edge that does not carry the data type


@dataclass
class ReachResult:
    """The answer: one row per company that could reach the data type, surest then nearest first."""

    data_type: str
    label: str
    filters: ReachFilters
    rows: list[ReachRow] = field(default_factory=list)
    total: int = 0
    resolution: Resolution | None = None  # what was asked and how it found ``data_type``

    def to_json(self) -> ReachAnswer:
        """A JSON-ready dict: the question (the words asked, the term they resolved to and how),
        its filters, how many parties, and the rows."""
        asked = self.label if self.resolution is None else self.resolution.asked
        how = "label" if self.resolution is None else self.resolution.resolved_by
        matched = self.label if self.resolution is None else self.resolution.matched
        return {"asked": asked, "term": self.data_type, "resolved_by": how, "matched": matched,
                "data_type": self.data_type, "label": self.label, "filters": self.filters, "total": self.total,
                "companies": self.rows}


@dataclass(frozen=True)
class Filters:
    """The edge and party filters of a reach question, as ``reach`` takes them (see the module docstring)."""

    as_of: str | None = None
    permissions: Sequence[str] = ()
    integrations: Sequence[str] = ()
    through_ownership: bool = False
    on_by_default: bool | None = None
    whose_data: str | None = None
    sources: Sequence[str] = ()
    source_before: str | None = None
    source_after: str | None = None
    country: str | None = None
    confidence: str | None = None  # only claims at least this sure (confirmed, reported, alleged)
    read: str | None = None  # only sources read at least this directly (directly, through a reprint, through quotes)
    site: str | None = None  # only holders observed on this site (a crawl's), and whom they pass the data to


@dataclass(frozen=True)
class _Rules:
    tax: Taxonomy
    kinds: Taxonomy
    target: str
    as_of: dt.date | None
    permissions: frozenset[str]
    integrations: frozenset[str]
    through_ownership: bool
    facets: Callable[[Any], bool] = lambda _: True  # on by default, whose data, sources: is an edge kept
    cited: Callable[[Any], bool] = lambda _: True  # asserting (source, confidence) pairs: is a holding kept
    site: str | None = None  # ``site_key`` of the site a holding must be observed on

    def level(self, types: Iterable[str]) -> int:
        """0 stated, 1 implied, 2 partial, ``NONE``: how an edge (or holding) with these types carries the target."""
        types = set(types)
        if self.target in types:
            return 0
        if types & self.broader:
            return 1
        if types & self.narrower:
            return 2
        return NONE

    @cached_property
    def broader(self) -> frozenset[str]:
        """Strictly broader types: an edge naming only these implies the target."""
        return frozenset(self.tax.ancestors(self.target) - {self.target})

    @cached_property
    def narrower(self) -> frozenset[str]:
        """Strictly narrower types: an edge carrying only these is a partial reach."""
        return frozenset(self.tax.descendants(self.target) - {self.target})

    def holds(self, observed: str | None, valid_from: str | None, valid_until: str | None) -> bool:
        """Whether a holding with these dates counts on the as-of day: not when they say it did not (``dates.held_at``)."""
        if self.as_of is None:
            return True
        return dates.held_at(observed, valid_from, valid_until, self.as_of) is not False

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
    start: str | None = None,
    into: str | None = None,
    certainty: Certainty | None = None,
    on_by_default: bool | None = None,
    whose_data: str | None = None,
    sources: Iterable[str] = (),
    source_before: str | None = None,
    source_after: str | None = None,
    country: str | None = None,
    confidence: str | None = None,
    read: str | None = None,
    site: str | None = None,
) -> ReachResult:
    """Every company that could reach ``data_type``, with its surest, then shortest, evidenced path.

    ``G`` is a projected graph or its FlowIndex (``flow_index(G)``, or ``compiled.flows``
    from a build), which answers many questions without converting the graph each time.
    ``data_type`` may be a label, slug, IRI, ``pd:`` CURIE or fideslang key;
    ``integrations`` are integration-kind labels or slugs; ``start`` and ``into`` are
    company names or aliases (see the module docstring for them, ``certainty`` and the
    filters). ``limit`` keeps the first rows only (paths are built for those alone);
    ``total`` still counts every party.

    Parameters
    ----------
    G : networkx.MultiDiGraph or FlowIndex
        The data-flow graph.
    data_type : str
        The data type asked about, in any form ``datareach types`` lists.
    as_of, permissions, integrations, through_ownership, start, into, certainty, on_by_default, whose_data, sources, source_before, source_after, country, confidence, read, site, limit
        Keyword-only filters and options (see the module docstring). ``site``: only the
        holders stated to collect the data on that site (a crawl's observations; ``www.``, the
        scheme and a path are ignored), and whom they could pass it to; NotFoundError, with the
        nearest sites, when no holding names it.

    Returns
    -------
    ReachResult
        ``rows`` (one per party, surest then nearest first, each with its path, certainty
        and citations), ``total``, the term asked and how it was found, and the filters.

    Raises
    ------
    NotFoundError
        An unknown data type, integration kind or company.
    ValueError
        A bad date (``UsageError``, a ValueError, for a bad filter value).

    Examples
    --------
    >>> from graph.examples import small_graph
    >>> G = small_graph()
    >>> [r["company"] for r in reach(G, "private message", permissions=["delete"]).rows]
    ['facebook', 'spotify']
    >>> [(r["company"], r["certainty"]) for r in reach(G, "contact information").rows]
    [('facebook', 'stated'), ('apple', 'stated'), ('public', 'partial')]
    >>> [r["company"] for r in reach(G, "phone number", certainty="stated").rows]
    ['facebook', 'public']
    """
    filters = Filters(as_of, tuple(permissions), tuple(integrations), through_ownership, on_by_default, whose_data,
                      tuple(sources), source_before, source_after, country, confidence, read, site)
    question = _ask(G, data_type, filters, start, into, certainty)
    with nogc.paused():  # thousands of small acyclic dicts: see graph.nogc
        rows = _answer(question, limit)
    rows = describe(question.index, rows, bound_cite(question.index))  # aggregates' counts, countries, incidents' closing dates
    rules = question.rules
    words: ReachFilters = {"as_of": as_of, "permissions": sorted(rules.permissions), "integrations": sorted(rules.integrations),
                           "through_ownership": through_ownership, "start": question.start_key, "into": question.into_key,
                           "certainty": certainty, "on_by_default": on_by_default, "whose_data": whose_data,
                           "sources": sorted(filters.sources), "source_before": source_before, "source_after": source_after,
                           "country": country, "confidence": confidence, "read": read, "site": rules.site}
    return ReachResult(rules.target, rules.tax.label(rules.target), words, rows, len(question.found.nodes),
                       rules.tax.resolution(data_type))


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
    evidence: (company key, hops, partial), in the order of ``reach``. For counting over many questions.

    >>> from graph.examples import small_graph
    >>> parties(small_graph(), "phone number")
    [('facebook', 0, False), ('public', 1, False), ('apple', 1, False)]
    """
    question = _ask(G, data_type, Filters(as_of, tuple(permissions), tuple(integrations), through_ownership), None, None, None)
    found = question.found
    keys = question.index.keys.take(found.nodes)
    return list(zip(keys, found.hops.tolist(), (found.level == 2).tolist(), strict=True))


@dataclass
class _Question:
    """What ``reach`` and ``parties`` share: the rules, the edges' levels, the holders, every party found."""

    index: FlowIndex
    rules: _Rules
    edges: _Edges
    holders: dict[int, _Holder]
    found: _Found
    start_key: str | None
    into_key: str | None


def _ask(G: nx.MultiDiGraph | FlowIndex, data_type: str, filters: Filters, start: str | None, into: str | None,
         certainty: Certainty | None) -> _Question:
    index = flow_index(G)
    tax = taxonomy(index)
    kinds = Taxonomy.from_dict(index.graph["integrations"])
    day = None if filters.as_of is None else dates.parse(filters.as_of)[0]
    keep_facets, keep_claims = _source_rules(index, filters)
    rules = _Rules(tax, kinds, tax.resolve(data_type), day, frozenset(filters.permissions),
                   frozenset(kinds.resolve(i) for i in filters.integrations), filters.through_ownership,
                   keep_facets, keep_claims, None if filters.site is None else _known_site(index, filters.site))
    if certainty is not None and certainty not in CERTAINTIES:
        raise UsageError(f"certainty must be one of {', '.join(CERTAINTIES)}, not {certainty!r}")
    worst = NONE - 1 if certainty is None else CERTAINTIES.index(certainty)
    edges = _Edges.of(index, rules)
    holders = _holders(index, rules, edges)
    start_node, into_node = (None if name is None else _node(index, name) for name in (start, into))
    if start_node is not None:
        holders = {h: held for h, held in holders.items() if h == start_node}
    found = _found(index, holders, edges, worst)
    if into_node is not None:
        found = _into(index, edges, found, into_node, worst)
    if filters.country is not None:
        found = found.only(_in_country(index, found.nodes, filters.country))
    return _Question(index, rules, edges, holders, found, None if start_node is None else index.node_key(start_node),
                     None if into_node is None else index.node_key(into_node))


def site_key(text: str) -> str:
    """A site as the holdings name it, for matching: lower case, without a scheme, ``www.``, a
    port, a path or a final dot.

    >>> site_key("https://WWW.Spiegel.de/politik/"), site_key("192.168.1.1:8080"), site_key("nytimes.com.")
    ('spiegel.de', '192.168.1.1', 'nytimes.com')
    """
    text = " ".join(str(text).split()).lower()
    text = text.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    return text[4:] if text.startswith("www.") else text


def _known_site(index: FlowIndex, site: str) -> str:
    """``site_key(site)`` when some holding names that site; else NotFoundError with the nearest sites."""
    wanted = site_key(site)
    if len(wanted) > 253 or not wanted:
        raise UsageError(f"not a site: {len(site):,} characters, host name {len(wanted):,} (a host name has 1 to 253)")
    names = {site_key(s) for s in index.holding_columns.tables["sites"] if s is not None}
    if wanted in names:
        return wanted
    from graph.names import nearest

    if not names:
        raise UsageError(f"no holding names a site, so none is {site!r}: these sources state no "
                         "observations on sites (a web crawl's, such as WhoTracks.me's, do)")
    raise NotFoundError("site", site, nearest(wanted, names))


def _node(index: FlowIndex, name: str) -> int:
    """The node number of a company name, alias or slug (the one company resolver)."""
    from graph.questions.resolve import resolve_in_index

    return resolve_in_index(index, name)


def _in_country(index: FlowIndex, nodes: np.ndarray, country: str) -> np.ndarray:
    stated = index.countries()
    wanted = country.strip().upper()
    return np.asarray([stated.get(n, "").upper() == wanted for n in nodes.tolist()], dtype=bool)


def evidence_rule(registry: Mapping[str, Source], sources: Iterable[str] = (), before: str | None = None,
                  after: str | None = None, confidence: str | None = None,
                  read: str | None = None) -> Callable[[str, str | None], bool] | None:
    """Whether an asserting claim, given as its source id and its confidence, passes the
    evidence filters: the source filters of ``source_rule``, a claim at least as sure as
    ``confidence`` (confirmed, then reported, then alleged) from a source read at least as
    directly as ``read`` (directly, then through a reprint, then through quotes). None when
    there are no such filters. UsageError for an unknown id or level.

    >>> keep = evidence_rule({"a": {"date": "2016"}, "b": {"date": "2019", "read": "through quotes"}},
    ...                      confidence="reported", read="through a reprint")
    >>> keep("a", "reported"), keep("a", "alleged"), keep("b", "confirmed")
    (True, False, False)
    """
    by_source = source_rule(registry, sources, before, after)
    sure = _at_least(CONFIDENCES, confidence, "confidence")
    direct = _at_least(READ_MODES, read, "read")
    if by_source is None and sure is None and direct is None:
        return None

    def keep(source: str, level: str | None) -> bool:
        entry = registry.get(source)
        how = "directly" if entry is None else str(entry.get("read") or "directly")
        return ((by_source is None or by_source(source))
                and (sure is None or (level or "reported") in sure)
                and (direct is None or how in direct))

    return keep


def _at_least(levels: tuple[str, ...], wanted: str | None, what: str) -> frozenset[str] | None:
    """The levels at least as sure as ``wanted`` (``levels`` surest first), or None."""
    if wanted is None:
        return None
    if wanted not in levels:
        raise UsageError(f"{what} must be one of {', '.join(levels)}, not {wanted!r}")
    return frozenset(levels[:levels.index(wanted) + 1])


def source_rule(registry: Mapping[str, Source], sources: Iterable[str] = (), before: str | None = None,
                after: str | None = None) -> Callable[[str], bool] | None:
    """Whether a source id passes the source filters (one of ``sources``, dated up to
    ``before`` / from ``after``, a partial date counting if it can fall in the range), or
    None when there are no source filters. UsageError for an id not in the registry.

    >>> keep = source_rule({"a": {"date": "2016-03"}, "b": {"date": "2019"}}, after="2017")
    >>> keep("a"), keep("b")
    (False, True)
    """
    wanted = set(sources)
    if wanted - set(registry):
        raise UsageError(f"no source with id {', '.join(sorted(wanted - set(registry)))} in the source registry")
    last = None if before is None else dates.parse(before)[1]
    first = None if after is None else dates.parse(after)[0]
    if not wanted and last is None and first is None:
        return None

    def keep(source: str) -> bool:
        entry = registry.get(source)
        when = None if entry is None else entry.get("date")
        if (wanted and source not in wanted) or ((last is not None or first is not None) and when is None):
            return False
        if when is None:
            return True
        start, end = dates.parse(str(when))
        return (last is None or start <= last) and (first is None or end >= first)

    return keep


def check_whose_data(whose_data: str | None) -> None:
    """UsageError unless ``whose_data`` is None or one of ``WHOSE_DATA``."""
    if whose_data is not None and whose_data not in WHOSE_DATA:
        raise UsageError(f"whose data must be one of {', '.join(WHOSE_DATA)}, not {whose_data!r}")


def _source_rules(index: FlowIndex, filters: Filters) -> tuple[Callable[[Any], bool], Callable[[Any], bool]]:
    """Whether an edge's facets (on by default, whose data, sources) and a holding's asserting
    (source, confidence) pairs pass the filters."""
    check_whose_data(filters.whose_data)
    keep = evidence_rule(index.graph.get("sources", {}), filters.sources, filters.source_before, filters.source_after,
                         filters.confidence, filters.read)

    def facets(values: Any) -> bool:
        on, whose, cited = values
        return ((filters.on_by_default is None or on is filters.on_by_default)
                and (filters.whose_data is None or filters.whose_data in whose)
                and (keep is None or any(keep(s, c) for s, c in cited)))

    def claims(cited: Iterable[tuple[str, str]]) -> bool:
        return keep is None or any(keep(s, c) for s, c in cited)

    return facets, claims


@dataclass
class _Edges:
    """How each edge carries the target after the filters (``level``: 0 stated, 1 implied,
    2 partial, ``NONE`` not), how it does before them (``carried``), and how it is dated."""

    level: np.ndarray
    carried: np.ndarray
    undated: np.ndarray

    @classmethod
    def of(cls, index: FlowIndex, rules: _Rules) -> _Edges:
        """Each rule is decided once per distinct value of a code table, then looked up for every edge."""
        def lut(name: str, decide: Callable[[Any], Any], dtype: type = bool) -> np.ndarray:
            return np.asarray([decide(v) for v in index.tables(name)] or [0], dtype=dtype)[index.codes[name]]

        carried = lut("data_types", rules.level, np.int8)
        dated = (lut("dates", lambda d: rules.dated(dict(zip(DATES, d, strict=True))), np.int8) if rules.as_of is not None
                 else np.ones(index.edge_count, dtype=np.int8))  # 1 valid, 0 cannot tell, -1 not valid
        ok = (lut("permissions", lambda p: rules.permissions <= set(p))
              & (lut("integration", lambda i: i in rules.integrations) if rules.integrations else True)
              & lut("facets", rules.facets) & (dated >= 0))
        own = index.kind == KINDS.index("ownership")
        carried = np.where(own, 0 if rules.through_ownership else NONE, carried).astype(np.int8)
        ok = np.where(own, rules.through_ownership, ok)
        return cls(level=np.where(ok, carried, NONE).astype(np.int8), carried=carried, undated=dated == 0)


@dataclass
class _Holder:
    """Why a company holds the target (``stated`` by a holding fact, or ``implied`` by an edge
    naming it that it passes on), how surely (``level``), and which holding facts say so
    (``rows`` of the index's holding columns: their evidence is decoded only for a row shown)."""

    basis: HolderBasis
    level: int = NONE
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def evidence(self, index: FlowIndex) -> list[Claim]:
        """The claims of the holding facts, in their order."""
        return [c for holding in index.holdings_at(self.rows) for c in holding["evidence"]]

    def stated(self, index: FlowIndex) -> tuple[list[str], list[str]]:
        """From whom (population labels) and through what (integration-kind slugs) the holding facts say, as stated."""
        held = index.holding_columns
        origins: list[str] = []
        through: list[str] = []
        for code in held.codes["facets"][self.rows].tolist():
            kind, populations, _ = held.tables["facets"][code]
            origins += [p for p in populations if p not in origins]
            if kind is not None and kind not in through:
                through.append(kind)
        return origins, through


def _holders(index: FlowIndex, rules: _Rules, edges: _Edges) -> dict[int, _Holder]:
    """Companies holding the target: by a holding fact (any level), or by an edge naming it
    or a narrower type (stated or partial; an edge in broader terms only makes no holder).
    The holding facts' filters are decided once per distinct value of their code tables."""
    out: dict[int, _Holder] = {}
    columns = index.holding_columns
    stated = columns.lut("types", rules.level, np.int8)
    keep = (stated < NONE) & columns.lut("facets", lambda f: rules.cited(f[2]))
    if rules.as_of is not None:
        keep &= columns.lut("dates", lambda d: rules.holds(*d))
    if rules.site is not None:
        keep &= columns.lut("sites", lambda s: s is not None and site_key(s) == rules.site)
    rows = np.flatnonzero(keep)
    nodes, starts = np.unique(columns.node[rows], return_index=True)
    bounds = [*starts.tolist(), len(rows)]
    for node, first, last in zip(nodes.tolist(), bounds[:-1], bounds[1:], strict=True):
        mine = rows[first:last]
        out[node] = _Holder("stated", int(stated[mine].min()), mine)
    if rules.site is not None:  # a grant names no site: only what was observed there is held from it
        return out
    not_owned = index.kind != KINDS.index("ownership")
    for level in (0, 2):
        for u in np.unique(index.src[(edges.level == level) & not_owned]).tolist():
            held = out.setdefault(u, _Holder("implied"))
            held.level = min(held.level, level)
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
    """Every party that could reach the target, surest, then nearest first, then by name:
    its node, hops, certainty level, and the edges of its path (``path(node)``)."""

    nodes: np.ndarray
    hops: np.ndarray
    level: np.ndarray
    trees: list[_Tree]
    inward: int | None = None  # with ``into``: the node the paths end at (``trees`` are then reversed)
    has: np.ndarray | None = None  # with ``into``: how surely each node has the target (``NONE``: not)

    def only(self, keep: np.ndarray) -> _Found:
        return dataclasses.replace(self, nodes=self.nodes[keep], hops=self.hops[keep], level=self.level[keep])

    def path(self, index: FlowIndex, node: int, level: int) -> list[int]:
        """The edges of a party's path, in the order data moves along them."""
        pred, path, at = self.trees[level].pred, [], node
        if self.inward is None:
            while pred[at] >= 0:
                path.append(int(pred[at]))
                at = int(index.src[path[-1]])
            return path[::-1]
        while at != self.inward and pred[at] >= 0:
            path.append(int(pred[at]))
            at = int(index.dst[path[-1]])
        return path


def _found(index: FlowIndex, holders: dict[int, _Holder], edges: _Edges, worst: int) -> _Found:
    """One search per certainty level: at level L, holders at least that sure over edges at
    least that sure. A party's certainty is the surest level that reaches it."""
    trees = []
    for level in range(worst + 1):
        tiers = [[h for h, held in holders.items() if held.basis == basis and held.level <= level]
                 for basis in ("stated", "implied")]
        trees.append(_search(index, tiers, edges.level <= level))
    return _rank(index, trees, [t.hops >= 0 for t in trees])


def _rank(index: FlowIndex, trees: list[_Tree], reached: list[np.ndarray], inward: int | None = None) -> _Found:
    best = np.full(index.node_count, NONE, dtype=np.int8)
    for lv in range(len(trees) - 1, -1, -1):
        best[reached[lv]] = lv
    found = np.flatnonzero(best < NONE)
    level = best[found]
    hops = np.zeros(len(found), dtype=np.int64)
    for lv, tree in enumerate(trees):
        at = level == lv
        hops[at] = tree.hops[found[at]]
    ranked = np.lexsort((index.label_rank[found], hops, level))
    return _Found(found[ranked], hops[ranked], level[ranked], trees, inward)


def _into(index: FlowIndex, edges: _Edges, found: _Found, into: int, worst: int) -> _Found:
    """Who could have sent the target into ``into``: parties that have it (``found``) with a
    path to ``into``, searched backwards from it; a path is as sure as its sender and its hops."""
    has = np.full(index.node_count, NONE, dtype=np.int8)
    has[found.nodes] = found.level
    backwards = index.reversed()
    trees, reached = [], []
    for level in range(worst + 1):
        tree = _search(backwards, [[into]], edges.level <= level)
        trees.append(tree)
        sends = (tree.hops > 0) & (has <= level)
        sends[into] = False
        reached.append(sends)
    return dataclasses.replace(_rank(index, trees, reached, inward=into), has=has)


def _answer(question: _Question, limit: int | None) -> list[ReachRow]:
    """The rows, evidenced paths built only for the first ``limit``."""
    index, found, holders = question.index, question.found, question.holders
    chosen = slice(None) if limit is None else slice(0, limit)
    paths = []
    for node, n_hops, level in zip(found.nodes[chosen].tolist(), found.hops[chosen].tolist(),
                                   found.level[chosen].tolist(), strict=True):
        paths.append((node, n_hops, level, found.path(index, node, level)))
    hop_of = _Hops(index, question.rules, question.edges, sorted({e for *_, path in paths for e in path}))
    nodes = _Nodes(index, sorted({node for node, *_ in paths}))
    rows = []
    for node, n_hops, level, path in paths:
        holder = holders.get(node) if not path else None
        first = path[0] if path else None
        start = level if first is None else _start_level(index, holders, found, int(index.src[first]))
        rows.append(_row(index, nodes, node, n_hops, CERTAINTIES[level], holder, hop_of.along(path, start), hop_of.cite,
                         question.rules.kinds))
    return rows


def _start_level(index: FlowIndex, holders: dict[int, _Holder], found: _Found, node: int) -> int:
    """How surely a path's first party has the target: as a holder, or (a sender inward) as found."""
    return holders[node].level if found.has is None else int(found.has[node])


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
        self.weaker: dict[tuple[int, int], Hop] = {}
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
                "partial": carried == 2,
                "certainty": CERTAINTIES[min(carried, NONE - 1)],
            }
            if rules.as_of is not None:
                hop["undated"] = undated
            self.hops[e] = hop

    def __getitem__(self, e: int) -> Hop:
        return self.hops[e]

    def along(self, path: list[int], start: int) -> list[Hop]:
        """The hops of a path from a party that has the target at level ``start``: each hop
        passes on no surer than what reached its grantor (a copy of the hop when that is less sure)."""
        out, running = [], start
        for e in path:
            hop = self.hops[e]
            own = CERTAINTIES.index(hop["certainty"])
            running = max(running, own)
            if running != own:
                key = (e, running)
                if key not in self.weaker:
                    self.weaker[key] = {**hop, "certainty": CERTAINTIES[running]}
                hop = self.weaker[key]
            out.append(hop)
        return out

    def cite(self, claim: Claim) -> Citation:
        return _cite(self.sources, claim)


def bound_cite(G: nx.MultiDiGraph | FlowIndex) -> Callable[[Claim], Citation]:
    """``cite`` bound to ``G``'s sources."""
    sources = G.graph.get("sources", {})
    return lambda claim: _cite(sources, claim)


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
    out: Citation = {"source": claim.get("source"), "publisher": publisher, "title": title,
                     "date": date, "url": url, "locator": claim.get("locator"),
                     "stance": claim.get("stance"), "confidence": claim.get("confidence"), "claimant": claim.get("claimant"),
                     "aspect": claim.get("aspect"), "note": claim.get("note")}
    if source is not None and source.get("read", "directly") != "directly":
        out["read"] = str(source.get("read"))
        out["read_via"] = list(source.get("read_via") or [])
    return out


def _row(index: FlowIndex, nodes: _Nodes, node: int, hops: int, certainty: Certainty, holder: _Holder | None,
         path: list[Hop], cite: Callable[[Claim], Citation], kinds: Taxonomy) -> ReachRow:
    company, label, iri, kind = nodes.attrs[node]
    origins, through = ([], []) if holder is None else holder.stated(index)
    return {
        "company": company, "label": label, "iri": iri, "kind": kind,
        "hops": hops, "certainty": certainty, "partial": certainty == "partial", "holder": holder is not None,
        "holder_basis": None if holder is None else holder.basis,
        "holder_sources": [] if holder is None else [cite(c) for c in holder.evidence(index)],
        "collected_from": [] if holder is None else origins,
        "collected_through": [] if holder is None else [kinds.label(k) for k in through],
        "via_incident": any(h["kind"] == "incident" for h in path),
        "disputed": any(h["disputed"] for h in path),
        "undated": any(h.get("undated", False) for h in path),
        "path": path,
    }
