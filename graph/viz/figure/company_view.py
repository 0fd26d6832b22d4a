"""The company figure: who sends data to a company (left) and whom it sends data to (right), two steps each way.

Several facts between the same two parties are one arrow, saying how many and of which
integrations. Past ``per_column`` parties in a column, the rest fold into a "+N more" box,
most connected named first. ``as_of`` keeps the links that may have been valid that day.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from graph import dates
from graph.model.taxonomy import Taxonomy
from graph.questions.resolve import resolve_company
from graph.viz.figure.scene import Box, Link, Scene, cite, count_words, lookalike, span

PER_COLUMN = 10
RADIUS = 2


def company_scene(G: nx.MultiDiGraph, company: str, *, as_of: str | None = None, title: str | None = None,
                  per_column: int = PER_COLUMN) -> Scene:
    """The scene of a company figure (see the module docstring).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A projected graph.
    company : str
        A company name, alias or id.
    as_of : str, optional
        Keep only links that may have been valid on this partial date.
    title : str, optional
        The figure's title (default: "Data flows to and from <company>").
    per_column : int
        How many parties are named in one column at most.

    Returns
    -------
    Scene

    Examples
    --------
    >>> from graph.examples import small_graph
    >>> scene = company_scene(small_graph(), "Apple")
    >>> [(b.key, b.column) for b in scene.boxes if b.kind == "centre"]
    [('apple', 0)]
    """
    centre = resolve_company(G, company)
    day = None if as_of is None else dates.parse(as_of)[0]
    D = nx.MultiDiGraph()
    D.add_nodes_from(G.nodes)
    D.add_edges_from((u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)  # unknown dates are kept, as reach keeps them
                     if day is None or dates.valid_at(d.get("valid_from"), d.get("stated_end"), day,
                                                      status=d.get("status")) is not False)
    out = nx.single_source_shortest_path_length(D, centre, cutoff=RADIUS)
    into = nx.single_source_shortest_path_length(D.reverse(copy=False), centre, cutoff=RADIUS)
    column = {n: d for n, d in out.items()}
    column.update({n: -d for n, d in into.items() if n not in out})
    label = str(G.nodes[centre].get("label") or centre)
    scene = Scene(title if title is not None else f"Data flows to and from {label}", [], view="company")
    shown = _choose(D, centre, column, per_column)
    kinds = Taxonomy.from_dict(G.graph["integrations"]) if "integrations" in G.graph else None
    registry = G.graph.get("sources", {})
    notes: dict[str, tuple[str, list[str]]] = {}
    for (u, v), facts in sorted(_pairs(D, shown).items()):
        link = _link(scene, D, u, v, facts, kinds, registry)
        scene.links.append(link)
        far = u if abs(column[u]) > abs(column[v]) else v if abs(column[v]) > abs(column[u]) else None
        if far is not None:  # the outer party's box says how it is linked inwards
            notes.setdefault(far, (link.label, link.cites))
    for n in shown:
        name = str(G.nodes[n].get("label") or n)
        note, cites = notes.get(n, ("", []))
        kind = "centre" if n == centre else "public" if G.nodes[n].get("kind") == "public" else "party"
        scene.boxes.append(Box(n, name, kind, column[n], note=note if n != centre else "", cites=cites if n != centre else [],
                               weight=D.degree(n), lookalike=lookalike(name)))
    _fold(scene, D, column, shown)
    scene.caption = _caption(label, as_of, len(column) - 1, len(shown) - 1)
    return scene


def _choose(D: nx.MultiDiGraph, centre: str, column: dict[str, int], per_column: int) -> list[str]:
    """The centre, then per column the most connected parties linked to one already chosen."""
    shown = [centre]
    for step in range(1, RADIUS + 1):
        for side in (1, -1):
            col = step * side
            near = [n for n, c in column.items() if c == col and any(
                m in shown for m in (*D.predecessors(n), *D.successors(n)) if column.get(m) == col - side)]
            near.sort(key=lambda n: (-D.degree(n), str(D.nodes[n].get("label") or n).casefold(), n))
            shown += near[:per_column]
    return shown


def _pairs(D: nx.MultiDiGraph, shown: list[str]) -> dict[tuple[str, str], list[str]]:
    keep = set(shown)
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for u, v, k in D.edges(keys=True):
        if u in keep and v in keep and u != v:
            pairs[(u, v)].append(k)
    return pairs


def _link(scene: Scene, D: nx.MultiDiGraph, u: str, v: str, facts: list[str], kinds: Taxonomy | None,
          registry: dict[str, Any]) -> Link:
    attrs = [D.edges[u, v, k] for k in sorted(facts)]
    hows = Counter(_how(a, kinds) for a in attrs)
    words = ", ".join(h for h, _ in sorted(hows.items(), key=lambda kv: (-kv[1], kv[0])))
    if len(attrs) == 1:
        when = span(attrs[0].get("valid_from"), attrs[0].get("stated_end"))
        words += f", {when}" if when else ""
    else:
        words = f"{count_words(len(attrs), 'link', 'links')}: {words}"
    claims = [c for a in attrs for c in a.get("evidence") or []]
    citations = [{**registry.get(str(c.get("source")), {}), "source": c.get("source"), "stance": c.get("stance")}
                 for c in claims]
    disputes = [c for c in claims if c.get("stance") == "disputes"]
    return Link(u, v, disputed=bool(attrs) and all(any(c.get("stance") == "disputes" and c.get("aspect") is None
                                                       for c in a.get("evidence") or []) for a in attrs),
                contested=any(c.get("aspect") is not None for c in disputes),
                ownership=all(a.get("kind") == "ownership" for a in attrs), label=words, cites=cite(scene, citations))


def _how(attrs: dict[str, Any], kinds: Taxonomy | None) -> str:
    integration = attrs.get("integration")
    if integration and kinds is not None:
        try:
            return kinds.label(integration)
        except KeyError:
            return str(integration)
    return str(integration or attrs.get("kind") or "link")


def _fold(scene: Scene, D: nx.MultiDiGraph, column: dict[str, int], shown: list[str]) -> None:
    chosen = set(shown)
    groups: dict[int, list[str]] = defaultdict(list)
    for n, col in sorted(column.items(), key=lambda kv: (kv[1], kv[0])):
        if n not in chosen:
            groups[col].append(n)
    for col, members in sorted(groups.items()):
        key = f"+more{col}"
        side = "sending to the left" if col < 0 else "receiving on the right"
        scene.boxes.append(Box(key, f"+{len(members):,} more", "group", col, note=f"{side}, {abs(col)} step"
                               + ("s" if abs(col) > 1 else "") + " away", weight=-1.0))
        anchors = sorted({m for n in members for m in (*D.predecessors(n), *D.successors(n))
                          if m in chosen and column.get(m) == col - (1 if col > 0 else -1)})
        for anchor in anchors:
            scene.links.append(Link(anchor, key) if col > 0 else Link(key, anchor))


def _caption(label: str, as_of: str | None, near: int, named: int) -> list[str]:
    lines = [f"Filters: as of {as_of}" if as_of is not None else "No filters: every dated and undated link on file."]
    count = f"{count_words(near, 'party', 'parties')} within {RADIUS} steps of {label}"
    lines.append(count + ("" if named >= near else f"; the {named:,} most connected are named, the other "
                                                    f"{near - named:,} are counted in “+N more” boxes."))
    lines.append(f"Left: who sends data to {label}; right: whom it sends data to. "
                 "Numbers in brackets are the sources listed below.")
    return lines
