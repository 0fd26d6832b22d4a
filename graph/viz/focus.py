"""The views of the HTML page: what each draws, what it folds into groups, and where it goes.

- **all**: the whole graph; above ``DRAW_LIMIT`` parties, the best-connected parties with
  flows are drawn and the rest folded into groups (``graph.viz.fold``).
- **reach** (a data type): the parties that could reach it and the paths between them, laid
  out left to right — the data type asked, its holders (red), then one column per hop; the
  first ``DRAW_LIMIT`` parties of the answer are drawn, the others and everyone else folded.
- **chain** (a data type with ``start``/``into``): the same layout, each link labelled with
  its integration, dates and citation markers [n], so a chain of onward transfers reads as one.
- **company**: the company and everything within two hops of it, either way.

``as_of`` keeps the edges ``graph.questions.reach`` keeps: an edge is dropped only when its
dates show it was not valid that day (unknown dates are kept).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import TYPE_CHECKING, TypedDict

import networkx as nx

from graph import dates
from graph.errors import UsageError
from graph.present.answers import reach_heading
from graph.questions.resolve import resolve_company
from graph.viz.data import Edge, Emphasis, dt_key, taxonomies
from graph.viz.fold import DRAW_LIMIT, Group, fold
from graph.viz.layout import Pos, layered, rank
from graph.viz.state import ViewState

if TYPE_CHECKING:
    from graph.build.flowindex import FlowIndex

RADIUS = 2
REACH_LIMIT = 150  # an answer too big to draw whole draws this many parties (and their paths)


class FocusRow(TypedDict):
    """A party of the reach answer the page lists (its node ``id`` is added by ``graph.viz.page``)."""

    company: str
    label: str
    hops: int
    partial: bool
    holder: bool
    via_incident: bool
    undated: bool
    disputed: bool  # the access itself is disputed
    contested: list[str]  # aspects of it that are disputed


class FocusReach(TypedDict):
    """The reach answer a data-type view lists beside the graph."""

    label: str
    as_of: str | None
    rows: list[FocusRow]


@dataclass
class Focus:
    """What to draw and what to stress: the output of ``focus``."""

    view: str = "all"
    drawn: list[str] = field(default_factory=list)  # best-ranked first
    flows: list[Edge] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    emphasis: Emphasis | None = None
    subtitle: str = ""
    reach: FocusReach | None = None
    centre: str | None = None
    asked: str | None = None  # the data type asked, drawn as a diamond
    pos: Pos | None = None
    answer: set[str] = field(default_factory=set)
    state: ViewState = field(default_factory=lambda: ViewState())
    scores: dict[str, float] = field(default_factory=dict)


def valid_on(G: nx.MultiDiGraph, as_of: str) -> Callable[[Edge], bool]:
    """A test keeping the edges that may have been valid on ``as_of`` (ValueError on a bad date):
    those ``graph.dates.valid_at`` does not call invalid, so unknown dates are kept, as reach keeps them.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A projected graph.
    as_of : str
        A partial date; its first day is the day asked about.

    Returns
    -------
    callable
        ``keep(edge)`` for an edge ``(u, v, key)`` of ``G``.

    >>> from graph.examples import small_graph
    >>> G = small_graph()
    >>> keep = valid_on(G, "2030")
    >>> len([e for e in G.edges(keys=True) if keep(e)]) <= G.number_of_edges()
    True
    """
    day = dates.parse(as_of)[0]

    def keep(e: Edge) -> bool:
        attrs = G.edges[e]
        return dates.valid_at(attrs.get("valid_from"), attrs.get("stated_end"), day, status=attrs.get("status")) is not False

    return keep


def _scores(G: nx.MultiDiGraph) -> dict[str, float]:
    """Node sizes: PageRank, 0–1 (see ``graph.viz.layout.rank``)."""
    return {str(n): v for n, v in rank(G).items()}


def _central(G: nx.MultiDiGraph, view: Focus) -> dict[str, float]:
    """How central a party is, for choosing what to draw and label: PageRank (data flows to it)
    plus its share of the largest degree (it passes data on: a hub that only grants ranks low
    on PageRank alone)."""
    top = max((d for _, d in G.degree()), default=0) or 1
    return {str(n): view.scores.get(n, 0.0) + d / top for n, d in G.degree()}


def _fold_rest(G: nx.MultiDiGraph, view: Focus, ranked: list[str], limit: int = DRAW_LIMIT) -> None:
    """Draw ``ranked`` up to ``limit``; fold the rest (and every other party) into groups;
    a group of one is drawn instead while room is left."""
    kinds = {c.slug: c.label for c in taxonomies(G)[1].concepts}
    view.drawn = ranked[:limit]
    drawn = set(view.drawn)
    asked = set(ranked)
    rest = ranked[limit:] + sorted((n for n in G if n not in asked), key=lambda n: (-view.scores.get(n, 0.0), n))
    groups = fold(G, rest, drawn=drawn, kinds=kinds)
    room = limit - len(view.drawn)
    for group in [g for g in groups if len(g.members) == 1]:
        if room > 0 and view.view != "reach" and view.view != "chain":
            view.drawn.append(group.members[0])
            room -= 1
            groups.remove(group)
    view.groups = groups


def company_focus(G: nx.MultiDiGraph, company: str, keep_edge: Callable[[Edge], bool]) -> Focus:
    """The company and everything within ``RADIUS`` hops of it (following edges either way)."""
    centre = resolve_company(G, company)
    U = nx.Graph()
    U.add_nodes_from(G.nodes)
    U.add_edges_from(e[:2] for e in G.edges(keys=True) if keep_edge(e))
    distance = nx.single_source_shortest_path_length(U, centre, cutoff=RADIUS)
    label = str(G.nodes[centre].get("label") or centre)
    view = Focus("company", centre=centre, emphasis=Emphasis(nodes=set(distance), centre=centre, dim=False),
                 subtitle=f"Neighbourhood of {label} ({RADIUS} hops, {len(distance) - 1} others)",
                 state={"view": "company", "company": centre}, scores=_scores(G))
    ranked = sorted(distance, key=lambda n: (distance[n], -view.scores.get(n, 0.0), n))
    view.drawn = ranked[:DRAW_LIMIT]
    kept = set(view.drawn)
    if len(ranked) > DRAW_LIMIT:  # only the neighbourhood's overflow is folded; the rest of the graph is hidden
        view.groups = fold(G, ranked[DRAW_LIMIT:], drawn=kept)
    view.flows = [e for e in sorted(G.edges(keys=True)) if e[0] in kept and e[1] in kept and keep_edge(e)]
    return view


def whole_view(G: nx.MultiDiGraph, keep_edge: Callable[[Edge], bool]) -> Focus:
    """Every party up to ``DRAW_LIMIT``; above it the best-connected parties with flows, the rest in groups."""
    view = Focus("all", state={"view": "all"}, scores=_scores(G))
    edges = [e for e in sorted(G.edges(keys=True)) if keep_edge(e)]
    central = _central(G, view)
    by_rank = sorted(G, key=lambda n: (-central.get(n, 0.0), n))
    if G.number_of_nodes() <= DRAW_LIMIT:
        view.drawn = by_rank
    else:
        linked = {n for e in edges for n in e[:2]}
        _fold_rest(G, view, [n for n in by_rank if n in linked])
    kept = set(view.drawn)
    view.flows = [e for e in edges if e[0] in kept and e[1] in kept]
    return view


def _share_columns(ranked: list[str], hops: dict[str, int]) -> list[str]:
    """``ranked`` reordered so the first ``REACH_LIMIT`` share the room between the hop columns
    (taking turns, best first): a big answer still draws paths, not only its holders."""
    if len(ranked) <= REACH_LIMIT:
        return ranked
    columns: dict[int, list[str]] = {}
    for n in ranked:
        columns.setdefault(hops[n], []).append(n)
    turns = [n for level in zip_longest(*columns.values()) for n in level if n is not None]
    first = turns[:REACH_LIMIT]
    chosen, place = set(first), {n: i for i, n in enumerate(first)}
    return sorted(first, key=lambda n: (hops[n], place[n])) + [n for n in ranked if n not in chosen]


def datatype_focus(G: nx.MultiDiGraph, data_type: str, as_of: str | None, keep_edge: Callable[[Edge], bool],
                   start: str | None = None, into: str | None = None, index: FlowIndex | None = None,
                   site: str | None = None) -> Focus:
    """The reach answer for ``data_type`` (see ``graph.questions.reach.reach``) left to right;
    a chain view when ``start`` or ``into`` is given; only the holders observed on ``site``
    (a crawl's) and whom they pass it to, when given. ``index``: the flow index ``G`` was read
    from, if any, which reach then asks instead of indexing ``G`` again (decoding its holdings)."""
    from graph.questions.reach import reach

    result = reach(G if index is None else index, data_type, as_of=as_of, start=start, into=into, site=site)
    chain = start is not None or into is not None
    view = Focus("chain" if chain else "reach", asked=result.data_type, centre=dt_key(result.data_type),
                 emphasis=Emphasis(centre=dt_key(result.data_type), dim=False), scores=_scores(G))
    rows: list[FocusRow] = []
    paths: dict[str, list[Edge]] = {}
    for row in result.rows:
        view.answer.add(row["company"])
        if row["holder"]:
            view.emphasis.holders.add(row["company"])  # type: ignore[union-attr]
        paths[row["company"]] = [(hop["from"], hop["to"], hop["fact"]) for hop in row["path"]]
        disputes = [d for hop in row["path"] for d in hop["disputes"]]
        rows.append({"company": row["company"], "label": row["label"], "hops": row["hops"], "partial": row["partial"],
                     "holder": row["holder"], "via_incident": row["via_incident"], "undated": row["undated"],
                     # as the CLI says it: the access itself disputed, or only some aspects of it contested
                     "disputed": any(d["aspect"] is None for d in disputes),
                     "contested": sorted({d["aspect"] for d in disputes if d["aspect"] is not None})})
    hops = {r["company"]: r["hops"] for r in rows}
    central = _central(G, view)
    ranked = _share_columns(sorted(hops, key=lambda n: (hops[n], -central.get(n, 0.0), n)), hops)
    _fold_rest(G, view, ranked, limit=REACH_LIMIT if len(ranked) > DRAW_LIMIT else DRAW_LIMIT)
    kept = set(view.drawn)
    for n in view.drawn:  # a drawn party's path is drawn whole
        for e in paths.get(n, []):
            for end in e[:2]:
                if end not in kept:
                    kept.add(end)
                    view.drawn.append(end)
    if chain:  # a chain is read alone: the other parties are hidden, not folded
        view.groups = []
    # in path order, so the citation markers [1], [2]… number the sources from left to right
    view.flows = sorted({e for n in view.drawn for e in paths.get(n, []) if G.has_edge(*e)},
                        key=lambda e: (hops.get(e[1], 0), e))
    view.emphasis.edges.update(view.flows)  # type: ignore[union-attr]
    view.emphasis.nodes.update(view.drawn)  # type: ignore[union-attr]
    columns: list[list[str]] = [[] for _ in range(max(hops.values(), default=0) + 1)]
    for n in view.drawn:
        columns[hops.get(n, 0)].append(n)
    view.pos = layered([[dt_key(result.data_type)], *columns], aside=[g.key for g in view.groups],
                       column_gap=280.0 if chain else 330.0)
    when = ("" if result.filters["site"] is None else f" observed on {result.filters['site']}") + (
        "" if as_of is None else f" as of {as_of}")
    folded = sum(len(g.members) for g in view.groups)
    shown = "" if len(rows) <= len(view.drawn) else f" ({len(view.drawn)} drawn, the rest in groups)"
    view.subtitle = f"{reach_heading(result)}{when}: {len(rows)} parties{shown}" + (
        f"; {folded:,} other parties folded into groups" if folded else "")
    view.reach = {"label": result.label, "as_of": as_of, "rows": rows}
    view.state = {"view": view.view, "type": result.data_type}
    if start is not None:
        view.state["from"] = resolve_company(G, start)
    if into is not None:
        view.state["into"] = resolve_company(G, into)
    return view


def focus(G: nx.MultiDiGraph, *, data_type: str | None = None, company: str | None = None,
          as_of: str | None = None, start: str | None = None, into: str | None = None,
          index: FlowIndex | None = None, site: str | None = None) -> Focus:
    """The view asked for; NotFoundError for an unknown name, ValueError for a bad date.
    ``index``: the flow index ``G`` was read from (``FlowIndex.to_graph``), for the reach views;
    ``site``: a reach view of the holders observed on that site (``reach(site=)``).

    >>> from graph.examples import small_graph
    >>> f = focus(small_graph(), company="Spotify")
    >>> f.centre, "spotify" in f.drawn, f.state
    ('spotify', True, {'view': 'company', 'company': 'spotify'})
    """
    keep_edge = (lambda e: True) if as_of is None else valid_on(G, as_of)
    if data_type is not None and company is not None:
        raise UsageError("choose a data type or a company to focus on, not both")
    if site is not None and data_type is None:
        raise UsageError("--site follows a data type: add --data-type")
    if (start is not None or into is not None) and data_type is None:
        raise UsageError("--from and --into follow a data type: add --data-type")
    if data_type is not None:
        view = datatype_focus(G, data_type, as_of, keep_edge, start, into, index, site)
    elif company is not None:
        view = company_focus(G, company, keep_edge)
    else:
        view = whole_view(G, keep_edge)
    if as_of is not None:
        view.state["asof"] = as_of
        if data_type is None:
            view.subtitle = (view.subtitle + " · " if view.subtitle else "") + f"as of {as_of}"
    return view
