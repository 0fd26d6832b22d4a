"""The page's filter panel in Python: which links a page state shows, decided as ``assets/app.js`` decides.

A link is shown when every filter of the state lets it through:

- ``status``: its status (``unknown`` when it has none; ``shut down`` is ``shut-down``) is
  one of those listed;
- ``type`` (the ``all`` view's data-type filter): it carries that data type, a broader or
  a narrower one;
- ``perm``: it has one of the permissions listed, or states none;
- ``integ``: its integration kind is that one;
- ``asof``: its dates do not show it was invalid that day (``graph.viz.focus.valid_on``:
  unknown dates are kept).

``datareach figure --state`` draws with the same filters, so a figure of a shared URL shows
the links the page showed.

>>> from graph.examples import small_graph
>>> G = small_graph()
>>> keep = edge_filter(G, {"perm": "none"})
>>> sorted(e[2] for e in G.edges(keys=True) if keep(e)) == sorted(
...     e[2] for e in G.edges(keys=True) if not G.edges[e].get("permissions"))
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import networkx as nx

from graph.viz.data import Edge, taxonomies
from graph.viz.focus import valid_on
from graph.viz.state import ViewState, shown


def status_slug(status: object) -> str:
    """A link's status as the fragment writes it: ``shut down`` → ``shut-down``, none → ``unknown``."""
    return str(status or "unknown").replace(" ", "-")


def related_types(G: nx.MultiDiGraph, slug: str) -> frozenset[str]:
    """The data types the page's data-type filter ``slug`` matches: itself, broader and narrower ones."""
    dts = taxonomies(G)[0]
    try:
        return frozenset({slug} | dts.ancestors(slug) | dts.descendants(slug))
    except KeyError:
        return frozenset({slug})


def edge_filter(G: nx.MultiDiGraph, state: ViewState, *, data_type: bool = True) -> Callable[[Edge], bool]:
    """A test ``keep(edge)`` for the edges ``(u, v, key)`` of ``G`` that a page in ``state`` shows.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A projected graph.
    state : ViewState
        A page state (``graph.viz.state.parse_state``); only its filter keys are read.
    data_type : bool, keyword-only
        Whether ``type`` filters links (as in the ``all`` view); a reach view asks about it instead.

    Returns
    -------
    callable
    """
    statuses, perms, integ = shown(state, "status"), shown(state, "perm"), state.get("integ")
    types = related_types(G, state["type"]) if data_type and state.get("type") else None
    valid = valid_on(G, state["asof"]) if state.get("asof") else None

    def keep(e: Edge) -> bool:
        attrs = G.edges[e]
        if statuses is not None and status_slug(attrs.get("status")) not in statuses:
            return False
        if types is not None and not types.intersection(attrs.get("data_types") or ()):
            return False
        stated = attrs.get("permissions") or ()
        if perms is not None and stated and not perms.intersection(stated):
            return False
        if integ and attrs.get("integration") != integ:
            return False
        return valid is None or valid(e)

    return keep


def filtered(G: nx.MultiDiGraph, state: ViewState, *, data_type: bool = True) -> nx.MultiDiGraph:
    """``G`` with only the links a page in ``state`` shows (every party kept; graph attributes shared)."""
    keep = edge_filter(G, state, data_type=data_type)
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from(G.nodes(data=True))
    H.add_edges_from((u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True) if keep((u, v, k)))
    return H


def filter_words(state: ViewState, kinds: Mapping[str, str] | None = None) -> list[str]:
    """The panel's filters of ``state`` in words, for a caption (``kinds``: integration labels by slug).

    >>> filter_words({"integ": "app-platform", "perm": "read,write", "status": "none"})
    ['integration app-platform', 'permissions read or write (or none stated)', 'no status shown']
    """
    words = []
    if state.get("integ"):
        words.append(f"integration {(kinds or {}).get(state['integ'], state['integ'])}")
    perms = state.get("perm")
    if perms:
        words.append("only links stating no permission" if perms == "none"
                     else f"permissions {' or '.join(perms.split(','))} (or none stated)")
    statuses = state.get("status")
    if statuses:
        words.append("no status shown" if statuses == "none" else f"status {' or '.join(s.replace('-', ' ') for s in statuses.split(','))}")
    return words


__all__ = ["edge_filter", "filter_words", "filtered", "related_types", "status_slug"]
