"""The interactive HTML view of the data-flow graph: one offline, self-contained, safe file.

The only module that imports pyvis. pyvis builds the vis-network ``Network`` (nodes,
edges, options) and supplies the vis-network 9.1.2 bundle; the page around it is our
own (``viz_template``), because pyvis' template loads bootstrap from a CDN, renders
``heading`` as raw HTML and switches every tooltip to ``innerHTML`` once any title
contains "href" (SECURITY.md §1). Every script and style is inlined, hashed into a
Content-Security-Policy, and the data travels as escaped JSON read with ``JSON.parse``.

Layout is computed in Python and physics is off at every size (PERF.md §4). A view never
draws more than ``graph.viz.fold.DRAW_LIMIT`` parties: the rest are folded into group
nodes with counts that open on click, so a 100,000-party page opens in seconds (see
``graph.viz.focus`` for the views). What a company holds is folded into its node; flows
carry their data types in their hover text and panel. The page keeps its state in the
URL fragment (``graph.viz.state``).

>>> from graph.examples import small_graph
>>> page = render_html(small_graph(), title="Example")
>>> page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page
True
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pyvis
from pyvis.network import Network

from graph import atomic
from graph.viz.data import STATUS_ORDER, Builder
from graph.viz.focus import Focus, focus
from graph.viz.info import sources, status_word
from graph.viz.template import page

if TYPE_CHECKING:
    from graph.build.flowindex import FlowIndex

DEFAULT_TITLE = "datareach: who could reach which personal data"
VIS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"


def vis_options(large: bool, *, layered: bool = False) -> dict[str, Any]:
    """vis-network options: no physics (positions come from Python), quiet big graphs; a
    left-to-right view, drawn zoomed out to fit, gets bigger text so it reads at that zoom."""
    options = {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "nodes": {"borderWidth": 1.5, "font": {"size": 14 if large else 20, "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
                  "color": {"inherit": False},
                  "font": {"size": 14, "align": "horizontal", "strokeWidth": 4, "strokeColor": "#ffffff", "multi": False},
                  "selectionWidth": 2},
        "interaction": {"hover": not large, "tooltipDelay": 150, "hideEdgesOnDrag": large,
                        "hideEdgesOnZoom": large, "multiselect": False,
                        "keyboard": {"enabled": True, "bindToWindow": False}},
    }
    if layered:
        options["nodes"]["font"]["size"] = 20  # type: ignore[index]
        options["edges"]["font"]["size"] = 18  # type: ignore[index]
    return options


def _filters(builder: Builder) -> dict[str, list[Any]]:
    dts, kinds = builder.dts, builder.kinds
    present = {t for e in builder.edges for t in e["dts"]}
    types = []
    for concept in dts.concepts:
        related = sorted((dts.ancestors(concept.slug) | dts.descendants(concept.slug)) & present)
        if related:
            types.append([concept.slug, concept.label, related])
    integrations = sorted({e["integ"] for e in builder.edges if e["integ"] is not None})
    statuses = [s for s in STATUS_ORDER if any(e["st"] == s for e in builder.edges)]
    return {"dataTypes": sorted(types, key=lambda t: t[1].casefold()),
            "integrations": [[i, kinds.label(i)] for i in integrations],
            "statuses": [[s, status_word(s)] for s in statuses]}


def _build(G: nx.MultiDiGraph, view: Focus) -> Builder:
    builder = Builder(G, view.drawn, view.flows, scores=view.scores, groups=view.groups, asked=view.asked,
                      pos=view.pos, chain=view.view == "chain", answer=view.answer)
    builder.build()
    if view.emphasis is not None:
        builder.emphasise(view.emphasis)
    return builder


def network(G: nx.MultiDiGraph, *, focus_data_type: str | None = None, focus_company: str | None = None,
            as_of: str | None = None, start: str | None = None, into: str | None = None,
            index: FlowIndex | None = None, site: str | None = None) -> tuple[Network, dict[str, Any]]:
    """The pyvis Network of the view asked for, and the page data around it (``index``: the
    flow index ``G`` was read from, if any: see ``graph.viz.focus.focus``).

    NotFoundError for an unknown data type or company, ValueError for a bad date.
    """
    view = focus(G, data_type=focus_data_type, company=focus_company, as_of=as_of, start=start, into=into, index=index,
                 site=site)
    builder = _build(G, view)
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line", heading="")
    # Filled directly: pyvis' add_node checks a list of ids, O(N) per call (PERF.md §4).
    net.nodes, net.edges = builder.nodes, builder.edges
    net.node_ids = [n["id"] for n in builder.nodes]
    net.node_map = {n["id"]: n for n in builder.nodes}
    net.options = vis_options(builder.large, layered=view.view in ("reach", "chain"))
    reach = None if view.reach is None else {  # each party with the id of its node on the page (None when folded)
        **view.reach, "rows": [{**r, "id": builder.ids.get(r["company"])} for r in view.reach["rows"]]}
    labels = {"dt": {c.slug: c.label for c in builder.dts.concepts},
              "ik": {c.slug: c.label for c in builder.kinds.concepts},
              "dtOrder": [c.slug for c in builder.dts.concepts]}
    extra = {"subtitle": view.subtitle, "large": builder.large, "filters": _filters(builder), "labels": labels,
             "sources": sources(G), "reach": reach, "view": view.view, "state": dict(view.state),
             "parties": G.number_of_nodes(), "groups": builder.members, "citations": builder.citations,
             "centre": None if view.centre is None else builder.ids.get(view.centre)}
    return net, extra


def render_html(G: nx.MultiDiGraph, *, focus_data_type: str | None = None, focus_company: str | None = None,
                as_of: str | None = None, title: str | None = None, start: str | None = None,
                into: str | None = None, index: FlowIndex | None = None, site: str | None = None) -> str:
    """The complete HTML page for ``G`` (or a focused view of it) as a string.

    >>> from graph.examples import small_graph
    >>> "spotify" in render_html(small_graph(), focus_company="Spotify")
    True
    """
    net, extra = network(G, focus_data_type=focus_data_type, focus_company=focus_company, as_of=as_of,
                         start=start, into=into, index=index, site=site)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    heading = title if title is not None else (extra["subtitle"] or DEFAULT_TITLE)
    data = dict(extra, nodes=nodes, edges=edges, options=json.loads(options))
    return page(data, title=heading, subtitle=extra["subtitle"] if title is not None else "",
                vis_js=(VIS / "vis-network.min.js").read_text(encoding="utf-8"),
                vis_css=(VIS / "vis-network.css").read_text(encoding="utf-8"))


def write_html(G: nx.MultiDiGraph, path: str | os.PathLike[str], **kw: Any) -> Path:
    """Render (see ``render_html``) and write the page atomically; return its path."""
    text = render_html(G, **kw)
    atomic.write_text(path, text)
    return Path(path)


class HtmlView:
    """A rendered page that Jupyter displays inline, sandboxed in an ``<iframe srcdoc>``."""

    def __init__(self, page_html: str, height: int = 700):
        self.html = page_html
        self.height = height

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts allow-popups" '
                f'style="width:100%;height:{int(self.height)}px;border:1px solid #dee2e6" '
                'title="datareach graph"></iframe>')

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page atomically."""
        atomic.write_text(path, self.html)
        return Path(path)


def show(G: nx.MultiDiGraph, *, height: int = 700, **kw: Any) -> HtmlView:
    """The graph view for a notebook: ``show(G)`` as the last line of a cell draws it.

    >>> from graph.examples import small_graph
    >>> show(small_graph())._repr_html_().startswith("<iframe srcdoc=")
    True
    """
    return HtmlView(render_html(G, **kw), height)


__all__ = ["DEFAULT_TITLE", "HtmlView", "network", "render_html", "show", "vis_options", "write_html"]
