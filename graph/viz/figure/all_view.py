"""The whole-graph figure: the most connected parties named, every other party folded into groups with counts.

It folds as the page's ``all`` view folds (``graph.viz.fold``): parties are ranked by how
central they are (PageRank plus their share of the largest degree, on the whole graph),
the first ``budget`` parties with a link that passes the filters are named, and everyone
else goes into a group by owner, list, country or category, drawn as one box with its
count (the ``max_groups`` biggest; the rest share one box). Named parties are laid out
left to right along their flows (a cycle shares a column); groups come last, with an
arrow from each named party that sends data into one of their members.

The filters are the page's (``graph.viz.filters``): a data type, an integration kind,
permissions, statuses and a date.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from graph.viz.data import taxonomies
from graph.viz.figure.scene import Box, Link, Scene, cite, count_words, lookalike
from graph.viz.filters import filter_words, filtered
from graph.viz.fold import Group, fold
from graph.viz.layout import rank
from graph.viz.state import ViewState

BUDGET = 24
MAX_GROUPS = 8


def central(G: nx.MultiDiGraph) -> dict[str, float]:
    """How central each party is, as the page ranks the whole graph: PageRank plus its share of the largest degree."""
    scores = rank(G)
    top = max((d for _, d in G.degree()), default=0) or 1
    return {str(n): scores.get(n, 0.0) + d / top for n, d in G.degree()}


def all_scene(G: nx.MultiDiGraph, filters: ViewState | None = None, *, title: str | None = None,
              budget: int = BUDGET, max_groups: int = MAX_GROUPS) -> Scene:
    """The scene of the whole-graph figure (see the module docstring).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A projected graph.
    filters : ViewState, optional
        The page's filters: ``type``, ``integ``, ``perm``, ``status``, ``asof``.
    title : str, optional
        The figure's title (default: "Who sends personal data to whom").
    budget, max_groups : int
        How many parties are named, and how many groups get a box of their own.

    Returns
    -------
    Scene

    Examples
    --------
    >>> from graph.examples import small_graph
    >>> scene = all_scene(small_graph(), budget=2)
    >>> len([b for b in scene.boxes if b.kind != "group"]), sum(b.kind == "group" for b in scene.boxes) > 0
    (2, True)
    """
    state: ViewState = dict(filters or {})  # type: ignore[assignment]
    H = filtered(G, state)
    score = central(G)
    linked = {n for u, v in H.edges() for n in (u, v)}
    ranked = sorted(G, key=lambda n: (-score.get(n, 0.0), n))
    named = [n for n in ranked if n in linked][:budget]
    kept = set(named)
    kinds = {c.slug: c.label for c in taxonomies(G)[1].concepts}
    groups = fold(G, [n for n in ranked if n not in kept], drawn=kept, kinds=kinds)
    scene = Scene(title if title is not None else "Who sends personal data to whom", [], view="all")
    registry = G.graph.get("sources", {})
    column = _columns(H, named)
    for n in named:
        label = str(G.nodes[n].get("label") or n)
        out, into = H.out_degree(n), H.in_degree(n)
        scene.boxes.append(Box(n, label, "public" if G.nodes[n].get("kind") == "public" else "party", column[n],
                               note=f"{count_words(out, 'link', 'links')} out, {into:,} in", weight=score.get(n, 0.0),
                               lookalike=lookalike(label)))
    facts: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for u, v, d in sorted(H.edges(data=True), key=lambda e: (e[0], e[1])):
        if u in kept and v in kept and u != v:
            facts[(u, v)].append(d)
    for (u, v), attrs in sorted(facts.items()):
        scene.links.append(_link(scene, u, v, attrs, registry))
    _groups(scene, H, groups, max_groups, max(column.values(), default=-1) + 1)
    total = G.number_of_nodes()
    words = _filter_words(G, state)
    scene.caption = [f"Filters: {'; '.join(words)}" if words else "No filters: every dated and undated link on file.",
                     f"{count_words(total, 'party', 'parties')}, {count_words(H.number_of_edges(), 'link', 'links')} "
                     f"shown; the {count_words(len(named), 'party', 'parties')} with the most links shown are named, "
                     f"the other {count_words(total - len(named), 'is', 'are')} folded into "
                     f"{count_words(len(groups), 'group', 'groups')} by owner, list, country or category, "
                     "as the page folds them.",
                     "Arrows follow the data from sender to receiver; several facts between two parties are one arrow."]
    if not named:
        scene.empty = "No link passes these filters." if G.number_of_edges() else \
            "These sources state no links between parties: nothing to draw (what parties hold: datareach reach)."
    return scene


def _filter_words(G: nx.MultiDiGraph, state: ViewState) -> list[str]:
    words = []
    if state.get("type"):
        dts = taxonomies(G)[0]
        try:
            label = dts.label(state["type"])
        except KeyError:
            label = state["type"]
        words.append(f"links carrying {label} (or a broader or narrower type)")
    words += filter_words(state, {c.slug: c.label for c in taxonomies(G)[1].concepts})
    if state.get("asof"):
        words.append(f"as of {state['asof']}")
    return words


def _columns(H: nx.MultiDiGraph, named: list[str]) -> dict[str, int]:
    """Left to right along the links between named parties (ownership from owned to owner); a cycle shares a column."""
    D = nx.DiGraph()
    D.add_nodes_from(named)
    keep = set(named)
    D.add_edges_from((u, v) for u, v in H.edges() if u in keep and v in keep and u != v)  # ownership: owned → owner
    C = nx.condensation(D)
    layer = {c: i for i, gen in enumerate(nx.topological_generations(C)) for c in gen}
    return {n: layer[C.graph["mapping"][n]] for n in named}


def _link(scene: Scene, u: str, v: str, attrs: list[dict[str, object]], registry: dict[str, object]) -> Link:
    claims = [c for a in attrs for c in (a.get("evidence") or [])]  # type: ignore[attr-defined]
    citations = [{**registry.get(str(c.get("source")), {}), "source": c.get("source"),  # type: ignore[dict-item]
                  "stance": c.get("stance")} for c in claims]
    return Link(u, v, disputed=all(any(c.get("stance") == "disputes" and c.get("aspect") is None
                                       for c in (a.get("evidence") or [])) for a in attrs),  # type: ignore[attr-defined]
                contested=any(c.get("stance") == "disputes" and c.get("aspect") is not None for c in claims),
                ownership=all(a.get("kind") == "ownership" for a in attrs), cites=cite(scene, citations))


def _groups(scene: Scene, H: nx.MultiDiGraph, groups: list[Group], max_groups: int, col: int) -> None:
    """A box per big group (the rest share one), each with an arrow from every named party sending data into it."""
    named = {b.key for b in scene.boxes}
    shown, rest = groups[:max_groups], groups[max_groups:]
    boxes: list[tuple[str, str, list[str], str]] = [
        (f"group:{g.key}", f"+{len(g.members):,} {g.label}", g.members, g.dimension) for g in shown]
    if rest:
        members = [m for g in rest for m in g.members]
        boxes.append(("group:rest", f"+{len(members):,} in {len(rest):,} smaller groups", members, "other"))
    for key, label, members, dimension in boxes:
        inside = set(members)
        senders = sorted({u for u, v in H.edges() if v in inside and u in named})
        links = sum(1 for u, v in H.edges() if v in inside or u in inside)
        scene.boxes.append(Box(key, label, "group", col, note=f"grouped by {dimension}; "
                               f"{count_words(links, 'link', 'links')} shown", weight=float(len(members))))
        scene.links.extend(Link(u, key) for u in senders)
