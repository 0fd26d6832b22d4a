"""The partner table: one row per access grant, with the columns a security chief asked for.

Company, kind of integration, data accessible, permissions, what the user did to switch
it on, start, stated shutdown, last seen active, status, sources, disputes and, where other grants
of the same grantor, grantee and integration kind state a field differently on other
sources' word, the conflicting values (``conflicts``; the rule is ``graph.build.conflicts``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

from graph.build.flowgraph import FlowGraph
from graph.model.taxonomy import Taxonomy
from graph.questions import lists
from graph.questions.parties import conflicts_of
from graph.questions.reach import check_whose_data, cite, evidence_rule, taxonomy
from graph.questions.resolve import resolve_company
from graph.records import Citation, Claim, EdgeAttrs, GrantRow, TableRow

if TYPE_CHECKING:
    import networkx as nx

COLUMNS = list(TableRow.__annotations__)  # the fields of a row, in column order


def partner_table(
    G: nx.MultiDiGraph | FlowGraph,
    *,
    companies: Iterable[str] = (),
    data_types: Iterable[str] = (),
    statuses: Iterable[str] = (),
    on_by_default: bool | None = None,
    whose_data: str | None = None,
    sources: Iterable[str] = (),
    source_before: str | None = None,
    source_after: str | None = None,
    country: str | None = None,
    within: str | None = None,
    confidence: str | None = None,
    read: str | None = None,
    integrations: Iterable[str] = (),
    grantors: Iterable[str] = (),
) -> list[GrantRow]:
    """Rows of the partner table, filtered by company (either side), data type, status, on by
    default (True/False), whose data, source (ids; a source dated up to ``source_before`` or
    from ``source_after``; a claim at least as sure as ``confidence``, from a source read at
    least as directly as ``read``) and the grantee's stated country (as ``reach`` filters them), membership of a named list
    (``within``: each row then carries the member's ``list_status``), integration kind (``integrations``:
    labels or slugs) and grantor (``grantors``: names, aliases or slugs).

    ``within`` names a list (``datareach lists``): only grants one of its members takes part
    in (either side), each row with the ``list_status`` of the grantee (else the grantor).
    An aggregate grantee ("more than 150 companies") has ``kind`` "aggregate", its
    ``party_count`` and ``count_qualifier``; a company's cited country is in ``country``
    (``grantor_country`` for the grantor).

    A data-type filter keeps grants that carry the type, a broader one or a narrower one.
    ``grantor`` and ``company`` (the grantee) are slugs, ``grantor_label`` and ``label`` their names;
    rows are in the order of the grantees' names, then the grantors'.

    Parameters
    ----------
    G : networkx.MultiDiGraph or FlowGraph
        The projected graph (``Project.projection()``), or the build read row by row
        (``Project.flow_graph()``: only the grants the filters on the flow index's codes keep
        are decoded); the rows are the same.
    companies, data_types, statuses, on_by_default, whose_data, sources, source_before, source_after, country, within, confidence, read, integrations, grantors
        Keyword-only filters, each left out to keep everything.

    Returns
    -------
    list of GrantRow
        One row per access grant: the company, the kind of integration, the data
        accessible, what a user did to switch it on, dates, status, sources and disputes.

    Examples
    --------
    >>> from graph.examples import small_graph
    >>> rows = partner_table(small_graph(), data_types=["phone number"])
    >>> [(r["grantor"], r["company"], r["label"], r["integration"], r["data_types"]) for r in rows]
    [('facebook', 'apple', 'Apple', 'device integration', ['calendar entries', 'contact information'])]
    """
    return list(partner_rows(G, companies=companies, data_types=data_types, statuses=statuses, on_by_default=on_by_default,
                             whose_data=whose_data, sources=sources, source_before=source_before, source_after=source_after,
                             country=country, within=within, confidence=confidence, read=read, integrations=integrations,
                             grantors=grantors, shared=False))


def partner_rows(
    G: nx.MultiDiGraph | FlowGraph,
    *,
    companies: Iterable[str] = (),
    data_types: Iterable[str] = (),
    statuses: Iterable[str] = (),
    on_by_default: bool | None = None,
    whose_data: str | None = None,
    sources: Iterable[str] = (),
    source_before: str | None = None,
    source_after: str | None = None,
    country: str | None = None,
    within: str | None = None,
    confidence: str | None = None,
    read: str | None = None,
    integrations: Iterable[str] = (),
    grantors: Iterable[str] = (),
    shared: bool = True,
) -> Iterator[GrantRow]:
    """The rows of ``partner_table`` (same filters, same rows, same order), one at a time.

    From a :class:`FlowGraph` the grants are put in the table's order from the flow index's
    columns (names and fact ids) before any is decoded, then decoded a chunk at a time, so
    a table of millions of rows is written without holding it: the filters are checked
    (resolving a name raises) before the first row is made.

    Rows made to be written (``shared``, the default) share one citation dict (and one list of
    data-type labels) among all the rows that cite the same claim: copy a row's before changing
    it, or ask with ``shared=False`` (as ``partner_table`` does).

    >>> from graph.examples import small_graph
    >>> [r["company"] for r in partner_rows(small_graph(), grantors=["Facebook"])]
    ['amazon', 'apple', 'spotify']
    """
    tax = taxonomy(G)
    kinds = Taxonomy.from_dict(G.graph["integrations"])  # once: building it per row was 62 % of a large table
    nodes = {resolve_company(G, c) for c in companies}
    related: set[str] = set()
    for text in data_types:
        slug = tax.resolve(text)
        related |= tax.ancestors(slug) | tax.descendants(slug)
    wanted_status = set(statuses)
    wanted_kinds = {kinds.resolve(i) for i in integrations}
    granting = {resolve_company(G, c) for c in grantors}
    members = None if within is None else lists.statuses(lists.find_list(G, within))
    check_whose_data(whose_data)
    keep = evidence_rule(G.graph.get("sources", {}), sources, source_before, source_after, confidence, read)
    make = _RowMaker(G, tax, kinds, shared=shared)
    listed: Iterable[tuple[Any, ...]]
    if isinstance(G, FlowGraph):
        if not nodes and not granting:
            G.all_nodes()  # every row names two parties: decode the nodes in one pass, not one at a time
        listed = G.edges(keys=True, data=True, edges=_in_table_order(G, _candidates(G, nodes, related, wanted_status,
                                                                                     wanted_kinds, granting)))
    else:
        listed = _sorted_edges(G)
    return _rows(G, listed, make, nodes, related, wanted_status, wanted_kinds, granting, members, on_by_default,
                 whose_data, keep, country)


def _rows(G: nx.MultiDiGraph | FlowGraph, listed: Iterable[tuple[Any, ...]], make: _RowMaker, nodes: set[str],
          related: set[str], wanted_status: set[str], wanted_kinds: set[str], granting: set[str],
          members: Mapping[str, str] | None, on_by_default: bool | None, whose_data: str | None,
          keep: Callable[[str, str | None], bool] | None, country: str | None) -> Iterator[GrantRow]:
    """The grants of ``listed`` (already in the table's order) that pass every filter, as rows."""
    for u, v, key, attrs in listed:
        if attrs["kind"] != "grant":
            continue
        if (nodes and not {u, v} & nodes) or (related and not related & set(attrs["data_types"])):
            continue
        if wanted_status and attrs["status"] not in wanted_status:
            continue
        if (wanted_kinds and attrs.get("integration") not in wanted_kinds) or (granting and u not in granting):
            continue
        if members is not None and not {u, v} & set(members):
            continue
        if (on_by_default is not None and attrs.get("on_by_default") is not on_by_default) or (
                whose_data is not None and whose_data not in attrs.get("whose_data", [])):
            continue
        if keep is not None and not any(c["stance"] == "asserts" and keep(str(c["source"]), c.get("confidence"))
                                        for c in attrs.get("evidence", [])):
            continue
        if country is not None and str(G.nodes[v].get("country") or "").upper() != country.strip().upper():
            continue
        row = make.row(u, v, key, attrs)
        if members is not None:
            row["list_status"] = members[v] if v in members else members[u]
        yield row


def _sorted_edges(G: nx.MultiDiGraph) -> list[tuple[str, str, str, EdgeAttrs]]:
    """The grant edges of a networkx graph in the table's order: by the grantee's name, the
    grantor's (each case-folded), then the fact id; ties in the graph's order."""
    grants = [(u, v, key, attrs) for u, v, key, attrs in G.edges(keys=True, data=True) if attrs["kind"] == "grant"]
    return sorted(grants, key=lambda e: (G.nodes[e[1]]["label"].casefold(), G.nodes[e[0]]["label"].casefold(), e[2]))


def _in_table_order(G: FlowGraph, edges: np.ndarray) -> np.ndarray:
    """``edges`` (numbers of the flow index) in the table's order, from its columns alone: by the
    grantee's case-folded name, the grantor's, then the fact id; ties keep the order given."""
    index = G.index
    folded = [label.casefold() for label in index.labels.all()]  # each node's label, by node number
    place = {label: i for i, label in enumerate(sorted(set(folded)))}
    rank = np.asarray([place[label] for label in folded], dtype=np.int64)
    facts = np.asarray(index.facts.take(edges), dtype=str) if len(edges) else np.zeros(0, dtype=str)
    return edges[np.lexsort((facts, rank[index.src[edges]], rank[index.dst[edges]]))]


def _candidates(G: FlowGraph, nodes: set[str], related: set[str], statuses: set[str], kinds: set[str],
                granting: set[str]) -> np.ndarray:
    """The grants of the flow index that the filters on its codes keep, in the projection's order:
    whichever side is one of ``nodes``, a data type in ``related``, a status, an integration kind
    and a grantor (each left empty to keep everything). ``partner_table`` checks each row again."""
    index = G.index
    keep = index.kind == 0  # grants
    if nodes:
        numbers = np.asarray(sorted(G.number[n] for n in nodes), dtype=np.int32)
        keep &= np.isin(index.src, numbers) | np.isin(index.dst, numbers)
    if granting:
        keep &= np.isin(index.src, np.asarray(sorted(G.number[n] for n in granting), dtype=np.int32))

    def by_table(name: str, wanted: Any) -> None:
        nonlocal keep
        table = index.tables(name)
        ok = np.asarray([bool(wanted(value)) for value in table], dtype=bool)
        keep &= ok[index.codes[name]] if len(table) else False

    if related:
        by_table("data_types", lambda types: related & set(types))
    if statuses:
        by_table("dates", lambda dates: dates[2] in statuses)
    if kinds:
        by_table("integration", lambda integration: integration in kinds)
    assert index.edge_order is not None
    return index.edge_order[keep[index.edge_order]]


class _RowMaker:
    """Makes the table's rows, with what repeats from row to row worked out once: the labels of
    each set of data types, of each integration kind, and each claim's citation."""

    def __init__(self, G: nx.MultiDiGraph | FlowGraph, tax: Taxonomy, kinds: Taxonomy, *, shared: bool) -> None:
        self.G, self.tax, self.kinds, self.shared = G, tax, kinds, shared
        self._parties: dict[str, tuple[str, dict[str, Any]]] = {}
        self.conflicts = G.graph.get("conflicts", {})
        self._types: dict[tuple[str, ...], list[str]] = {}
        self._kinds: dict[str | None, str | None] = {}
        self._cited: dict[tuple[Any, ...], Citation] = {}

    def cite(self, claim: Claim) -> Citation:
        """``reach.cite``: each distinct claim cited once, each row given a copy of its own."""
        try:
            key = tuple(claim.items())
            found = self._cited.get(key)
        except TypeError:  # a value that cannot be a key (the loader gives strings): cite it as it is
            return cite(self.G, claim)
        if found is None:
            found = self._cited[key] = cite(self.G, claim)
        if self.shared:
            return found
        out = found.copy()
        if "read_via" in out:
            out["read_via"] = list(out["read_via"])
        return out

    def row(self, u: str, v: str, key: str, attrs: EdgeAttrs) -> GrantRow:
        """The row of the grant ``key`` (``u`` grants ``v``)."""
        (label, extra), (grantor_label, grantor) = self._party(v), self._party(u)
        row = self._grant_row(u, v, key, attrs, label, grantor_label)
        if extra:
            row.update(extra)  # type: ignore[typeddict-item]
        if "country" in grantor:
            row["grantor_country"] = grantor["country"]
        return row

    def _party(self, node: str) -> tuple[str, dict[str, Any]]:
        """A party's label, and what a row says of it as the grantee: its kind when not a
        company, an aggregate's count, its country (kept in the order rows give them)."""
        found = self._parties.get(node)
        if found is None:
            party, extra = self.G.nodes[node], {}
            if party.get("kind", "company") != "company":
                extra["kind"] = party["kind"]
            if party.get("kind") == "aggregate":
                extra["party_count"], extra["count_qualifier"] = party.get("party_count"), party.get("count_qualifier")
            if party.get("country") is not None:
                extra["country"] = party.get("country")
            found = self._parties[node] = (party["label"], extra)
        return found

    def _grant_row(self, u: str, v: str, key: str, attrs: EdgeAttrs, label: str, grantor_label: str) -> GrantRow:
        claims, integration, types = attrs.get("evidence", []), attrs.get("integration"), tuple(attrs["data_types"])
        labels = self._types.get(types)
        if labels is None:
            labels = self._types[types] = [self.tax.label(t) for t in types]
        if integration not in self._kinds:
            self._kinds[integration] = None if integration is None else self.kinds.label(integration)
        return {
            "company": v,
            "label": label,
            "grantor": u,
            "grantor_label": grantor_label,
            "integration": self._kinds[integration],
            "data_types": labels if self.shared else list(labels),
            "permissions": attrs.get("permissions", []),
            "whose_data": attrs.get("whose_data", []),
            "activation": _activation(attrs),
            "overrode_privacy_setting": attrs.get("overrode_privacy_setting"),
            "valid_from": attrs.get("valid_from"),
            "stated_end": attrs.get("stated_end"),
            "last_observed_active": attrs.get("last_observed_active"),
            "status": attrs.get("status"),
            "note": attrs.get("note"),
            "sources": [self.cite(c) for c in claims if c["stance"] == "asserts"],
            "disputes": [self.cite(c) for c in claims if c["stance"] == "disputes"],
            "conflicts": conflicts_of(self.G.graph, key, self.cite) if key in self.conflicts else [],
            "fact": key,
        }


def _activation(attrs: EdgeAttrs) -> str | None:
    """What the user did to switch a grant on; "none: on by default" said once, even when
    the fact's own activation text already says it."""
    text = attrs.get("activation")
    if attrs.get("on_by_default") is True and (text is None or "on by default" not in text.casefold()):
        return "none: on by default" + ("" if text is None else f" ({text})")
    return text


class FacetValue(TypedDict):
    """One value of a facet: what a filter takes (``value``), what people read, how many rows have it."""

    value: str
    label: str
    count: int


FACETS = ("integration", "status", "grantor", "list", "country")
"""The partner table's facets, each named after the filter a click on one of its values sets."""


def table_facets(G: nx.MultiDiGraph | FlowGraph, rows: Iterable[GrantRow]) -> dict[str, list[FacetValue]]:
    """How many of ``rows`` have each integration kind, status, grantor, named list (grantor or
    grantee a member) and grantee country: each facet's values, most rows first, then by label.

    Parameters
    ----------
    G : networkx.MultiDiGraph or FlowGraph
        The projected graph the rows come from (for the named lists).
    rows : iterable of GrantRow
        Rows of ``partner_table``.

    Returns
    -------
    dict
        Facet name (``FACETS``) → its values; a row without a value (no integration kind, no
        stated country) is not counted in that facet.

    >>> from graph.examples import small_graph
    >>> G = small_graph()
    >>> [(f["value"], f["count"]) for f in table_facets(G, partner_table(G))["grantor"]]
    [('facebook', 3)]
    """
    members = {nl["id"]: {m["company"] for m in nl["members"]} for nl in G.graph.get("lists", {}).values()}
    names = {nl["id"]: nl["label"] for nl in G.graph.get("lists", {}).values()}
    counts: dict[str, Counter[tuple[str, str]]] = {f: Counter() for f in FACETS}
    for r in rows:
        for facet, value, label in (("integration", r["integration"], r["integration"]), ("status", r["status"], r["status"]),
                                    ("grantor", r["grantor"], r["grantor_label"]), ("country", r.get("country"), r.get("country"))):
            if value is not None:
                counts[facet][(str(value), str(label))] += 1
        for ident, companies in members.items():
            if {r["grantor"], r["company"]} & companies:
                counts["list"][(ident, names[ident])] += 1
    return {facet: [{"value": v, "label": label, "count": n}
                    for (v, label), n in sorted(found.items(), key=lambda item: (-item[1], item[0][1].casefold()))]
            for facet, found in counts.items()}
