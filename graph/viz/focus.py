"""Focused views of the HTML graph: one data type's reach, one company's neighbourhood, a date.

- ``as_of`` keeps the edges ``graph.questions.reach`` keeps: an edge is dropped only when its
  dates show it was not valid that day (unknown dates are kept).
- A data-type view draws the whole graph with the reach answer highlighted: holders
  (red), the path edges (thick), the reached companies, and the rest dimmed.
- A company view draws the company and everything within two hops of it, either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

import networkx as nx

from graph import dates
from graph.errors import UsageError
from graph.present.answers import reach_heading
from graph.questions.resolve import resolve_company
from graph.viz.data import Edge, Emphasis, dt_key

RADIUS = 2


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

    keep_nodes: set[str] | None = None
    keep_edge: Callable[[Edge], bool] = lambda e: True
    emphasis: Emphasis | None = None
    subtitle: str = ""
    reach: FocusReach | None = None
    centre: str | None = None
    notes: list[str] = field(default_factory=list)


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


def company_focus(G: nx.MultiDiGraph, company: str, keep_edge: Callable[[Edge], bool]) -> Focus:
    """The company and everything within ``RADIUS`` hops of it (following edges either way)."""
    centre = resolve_company(G, company)
    U = nx.Graph()
    U.add_nodes_from(G.nodes)
    U.add_edges_from(e[:2] for e in G.edges(keys=True) if keep_edge(e))
    near = set(nx.single_source_shortest_path_length(U, centre, cutoff=RADIUS))
    label = str(G.nodes[centre].get("label") or centre)
    emphasis = Emphasis(nodes=near, centre=centre, dim=False)
    return Focus(near, keep_edge, emphasis, f"Neighbourhood of {label} ({RADIUS} hops, {len(near) - 1} others)",
                 centre=centre)


def datatype_focus(G: nx.MultiDiGraph, data_type: str, as_of: str | None, keep_edge: Callable[[Edge], bool]) -> Focus:
    """The reach answer for ``data_type`` (see ``graph.questions.reach.reach``), highlighted on the whole graph."""
    from graph.questions.reach import reach

    result = reach(G, data_type, as_of=as_of)
    emphasis = Emphasis(centre=dt_key(result.data_type))
    rows: list[FocusRow] = []
    for row in result.rows:
        emphasis.nodes.add(row["company"])
        if row["holder"]:
            emphasis.holders.add(row["company"])
            held = _held_types(G, row["company"], result.data_type)
            emphasis.held.update((row["company"], t) for t in held)
            emphasis.nodes.update(dt_key(t) for t in held)
        for hop in row["path"]:
            emphasis.edges.add((hop["from"], hop["to"], hop["fact"]))
        disputes = [d for hop in row["path"] for d in hop["disputes"]]
        rows.append({"company": row["company"], "label": row["label"], "hops": row["hops"], "partial": row["partial"],
                     "holder": row["holder"], "via_incident": row["via_incident"], "undated": row["undated"],
                     # as the CLI says it: the access itself disputed, or only some aspects of it contested
                     "disputed": any(d["aspect"] is None for d in disputes),
                     "contested": sorted({d["aspect"] for d in disputes if d["aspect"] is not None})})
    when = "" if as_of is None else f" as of {as_of}"
    subtitle = f"{reach_heading(result)}{when}: {len(rows)} parties"  # the words asked, and any alias that matched
    return Focus(None, keep_edge, emphasis, subtitle, {"label": result.label, "as_of": as_of, "rows": rows},
                 centre=dt_key(result.data_type))


def _held_types(G: nx.MultiDiGraph, node: str, target: str) -> set[str]:
    from graph.questions.reach import taxonomy

    tax = taxonomy(G)
    related = tax.ancestors(target) | tax.descendants(target)
    return {t for h in G.nodes[node].get("holds") or [] for t in h.get("data_types", []) if t in related}


def focus(G: nx.MultiDiGraph, *, data_type: str | None = None, company: str | None = None,
          as_of: str | None = None) -> Focus:
    """The view asked for; NotFoundError for an unknown name, ValueError for a bad date.

    >>> from graph.examples import small_graph
    >>> f = focus(small_graph(), company="Spotify")
    >>> f.centre, "spotify" in f.keep_nodes
    ('spotify', True)
    """
    keep_edge = (lambda e: True) if as_of is None else valid_on(G, as_of)
    if data_type is not None and company is not None:
        raise UsageError("choose a data type or a company to focus on, not both")
    if data_type is not None:
        return datatype_focus(G, data_type, as_of, keep_edge)
    if company is not None:
        view = company_focus(G, company, keep_edge)
    else:
        view = Focus(None, keep_edge)
    if as_of is not None:
        view.subtitle = (view.subtitle + " · " if view.subtitle else "") + f"as of {as_of}"
    return view
