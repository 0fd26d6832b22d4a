"""The reach figure: who could reach a data type, drawn as a left-to-right layered tree or chain.

Only parties on reach paths are drawn. Past ``budget`` named parties (``per_column`` in a
column) the rest are folded into one "+N more" box per column, linked from the party they
got the data from, so 1,300 brokers read as a handful of named ones and a count. Parties
are chosen most connected first (how many answers' paths run through them), then surest,
nearest and by name, always together with every party on their own path, so no drawn
path has a gap. Columns are the longest-path layers of the drawn paths (steps from a
holder, or towards the company asked about with ``into``).

A path question (``start`` or ``into``) is a *chain*: each arrow carries its integration,
dates and source numbers. Otherwise each box says how that party got the data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import networkx as nx

from graph.present.answers import filter_words, reach_heading
from graph.questions.reach import ReachResult, flow_index, reach
from graph.questions.resolve import resolve_in_index
from graph.records import Hop, ReachRow
from graph.viz.figure.scene import Box, Link, Scene, cite, count_words, lookalike, span

BUDGET = 30
PER_COLUMN = 10
CERTAINTY = {"stated": 0, "implied": 1, "partial": 2}
BASIS = {"stated": "a holding fact", "implied": "it passes it on"}


def reach_scene(G: Any, data_type: str, *, title: str | None = None, select: str | None = None,
                budget: int = BUDGET, per_column: int = PER_COLUMN, **options: Any) -> Scene:
    """The scene of a reach figure (see the module docstring).

    Parameters
    ----------
    G : networkx.MultiDiGraph or FlowIndex
        The data-flow graph.
    data_type : str
        The data type asked about, in any form ``datareach types`` lists.
    title : str, optional
        The figure's title (default: the question, in words).
    select : str, optional
        A company (name, alias or id) to name, with its path, even where it would be folded.
    budget, per_column : int
        How many parties are named at most, in all and in one column.
    **options
        The filters ``graph.questions.reach.reach`` takes (``as_of``, ``start``, ``into``…).

    Returns
    -------
    Scene

    Examples
    --------
    >>> from graph.examples import small_graph
    >>> scene = reach_scene(small_graph(), "phone number")
    >>> scene.title, sorted(b.key for b in scene.boxes)
    ('Who could reach phone number', ['apple', 'facebook', 'public'])
    """
    options.pop("limit", None)
    index = flow_index(G)
    result = reach(index, data_type, **options)
    chosen = None if select is None else index.node_key(resolve_in_index(index, select))
    names = _names(result)
    forward = result.filters["into"] is None
    scene = Scene(title if title is not None else default_title(result, names), [],
                  chain=not forward or result.filters["start"] is not None, view="reach" if forward else "into")
    shown = _choose(result, budget, per_column, chosen)
    _draw(scene, result, shown, names)
    _fold(scene, result, shown, forward)
    scene.caption = _caption(result, names, shown)
    if not result.rows:
        scene.empty = f"No party could reach {result.label} with these filters."
    return scene


def default_title(result: ReachResult, names: Mapping[str, str]) -> str:
    """The question in words: who could reach X (from S), or who could send X into C."""
    heading = reach_heading(result)
    start, into = result.filters["start"], result.filters["into"]
    if into is not None:
        heading = heading.replace("Who could reach", "Who could send", 1) + f" into {names.get(into, into)}"
    if start is not None:
        heading += f", starting at {names.get(start, start)}"
    return heading


def _names(result: ReachResult) -> dict[str, str]:
    names = {r["company"]: r["label"] for r in result.rows}
    for row in result.rows:
        for hop in row["path"]:
            names.setdefault(hop["from"], hop["from_label"])
            names.setdefault(hop["to"], hop["to_label"])
    return names


def _on_path(row: ReachRow) -> list[str]:
    """Every party on a row's path, in order, ending with the row's own."""
    keys = [row["path"][0]["from"]] if row["path"] else []
    return list(dict.fromkeys([*keys, *(h["to"] for h in row["path"]), row["company"]]))


def _choose(result: ReachResult, budget: int, per_column: int, chosen: str | None) -> dict[str, None]:
    weight: Counter[str] = Counter()
    for row in result.rows:
        weight.update(_on_path(row))
    hops = {r["company"]: r["hops"] for r in result.rows}
    order = sorted(result.rows, key=lambda r: (r["company"] != chosen, r["kind"] != "public", -weight[r["company"]],
                                               CERTAINTY[r["certainty"]], r["hops"], r["label"].casefold(), r["company"]))
    shown: dict[str, None] = {}
    per: Counter[int] = Counter()
    for row in order:
        need = [k for k in _on_path(row) if k not in shown]
        if not need:
            continue
        if row["company"] != chosen and (len(shown) + len(need) > budget
                                         or any(per[hops[k]] >= per_column for k in need if k in hops)):
            continue
        for key in need:
            shown[key] = None
            per[hops.get(key, -1)] += 1
    return shown


def _hop_words(hop: Hop) -> str:
    how = hop["integration"] or hop["kind"]
    when = span(hop["valid_from"], hop["stated_end"])
    return ", ".join(w for w in (how, when) if w)


def _link(scene: Scene, hop: Hop, *, words: bool) -> Link:
    disputes = hop["disputes"]
    return Link(hop["from"], hop["to"], certainty=hop["certainty"],
                disputed=any(d["aspect"] is None for d in disputes),
                contested=any(d["aspect"] is not None for d in disputes),
                ownership=hop["kind"] == "ownership", label=_hop_words(hop) if words else "",
                cites=cite(scene, hop["sources"]) if words else [])


def _draw(scene: Scene, result: ReachResult, shown: dict[str, None], names: Mapping[str, str]) -> None:
    rows = {r["company"]: r for r in result.rows}
    pairs: dict[tuple[str, str], Link] = {}
    for row in result.rows:
        if row["company"] in shown:
            for hop in row["path"]:
                pairs.setdefault((hop["from"], hop["to"]), _link(scene, hop, words=scene.chain))
    D = nx.DiGraph()
    D.add_nodes_from(shown)
    D.add_edges_from(pairs)
    if nx.is_directed_acyclic_graph(D):
        column = {k: i for i, layer in enumerate(nx.topological_generations(D)) for k in layer}
    else:  # a cycle among surest paths: fall back on the distances reach reports
        column = {k: rows[k]["hops"] if k in rows else 0 for k in shown}
    weight = Counter(k for row in result.rows for k in _on_path(row))
    for key in shown:
        found = rows.get(key)
        box = Box(key, names.get(key, key), _kind(result, found, key), column[key], weight=weight[key],
                  lookalike=lookalike(names.get(key, key)))
        if found is not None and found["holder"] and not found["path"]:
            box.note = "holds it" + (f" ({found['holder_basis']})" if found["holder_basis"] else "")
            box.cites = cite(scene, found["holder_sources"])
        elif found is not None and found["path"] and not scene.chain:
            last = found["path"][-1]
            when = span(last["valid_from"], last["stated_end"])  # first, so a long integration name is what gets cut
            box.note = " ".join(w for w in (when, f"via {last['integration'] or last['kind']}") if w) + (
                "" if found["certainty"] == "stated" else f" ({found['certainty']})")
            box.cites = cite(scene, last["sources"])
        scene.boxes.append(box)
    scene.links.extend(pairs.values())


def _kind(result: ReachResult, row: ReachRow | None, key: str) -> str:
    if key == result.filters["into"] or row is None:
        return "centre"
    if row["kind"] == "public":
        return "public"
    return "holder" if row["holder"] and not row["path"] else "party"


def _fold(scene: Scene, result: ReachResult, shown: dict[str, None], forward: bool) -> None:
    """One "+N more" box per column for the parties not named, linked from (or into) where they got it."""
    column = {b.key: b.column for b in scene.boxes}
    group_of: dict[str, str] = {}
    members: dict[str, list[ReachRow]] = {}
    links: dict[tuple[str, str], Link] = {}
    for row in sorted((r for r in result.rows if r["company"] not in shown), key=lambda r: r["hops"]):
        path = row["path"]
        near = (path[-1]["from"] if forward else path[0]["to"]) if path else None
        anchor = near if near in shown else group_of.get(near or "")
        step = 1 if forward else -1
        col = column[anchor] + step if anchor is not None else (0 if forward else -row["hops"])
        group = f"+more{col}"
        column.setdefault(group, col)
        group_of[row["company"]] = group
        members.setdefault(group, []).append(row)
        cite(scene, row["holder_sources"] if not path else path[-1 if forward else 0]["sources"], folded=True)
        if anchor is not None:
            pair = (anchor, group) if forward else (group, anchor)
            link = links.setdefault(pair, Link(*pair, certainty=row["certainty"]))
            if CERTAINTY[row["certainty"]] < CERTAINTY[link.certainty]:
                link.certainty = row["certainty"]
    for group, rows in members.items():
        scene.boxes.append(Box(group, f"+{len(rows):,} more", "group", column[group], note=_breakdown(rows),
                               weight=-1.0))
    scene.links.extend(links.values())


def _breakdown(rows: list[ReachRow]) -> str:
    """What a folded group is: holders or parties, and its largest countries (or its certainties)."""
    what = "holders" if all(r["holder"] and not r["path"] for r in rows) else "parties"
    countries = Counter(r.get("country") or "" for r in rows)
    countries.pop("", None)
    if countries:
        top = sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        return f"{what}: " + ", ".join(f"{n:,} {c}" for c, n in top) + (", …" if len(countries) > 3 else "")
    sure: Counter[str] = Counter(r["certainty"] for r in rows)
    return f"{what}: " + ", ".join(f"{sure[c]:,} {c}" for c in CERTAINTY if sure[c])


def _caption(result: ReachResult, names: Mapping[str, str], shown: Mapping[str, None]) -> list[str]:
    filters: dict[str, Any] = dict(result.filters)
    for key in ("start", "into"):
        if filters.get(key) is not None:
            filters[key] = names.get(filters[key], filters[key])
    words = filter_words(filters)
    total = len(result.rows)
    lines = [f"Filters: {words}" if words else "No filters: every dated and undated link on file."]
    count = f"{count_words(total, 'party', 'parties')} could reach {result.label}"
    if result.filters["into"] is not None:
        count = f"{count_words(total, 'party', 'parties')} could have sent {result.label} into " \
                f"{names.get(result.filters['into'], '')}"
    named = sum(1 for r in result.rows if r["company"] in shown)
    folded = total - named
    lines.append(count + ("" if folded <= 0 else f"; the {named:,} most connected are named, the other "
                                                    f"{folded:,} are counted in “+N more” boxes."))
    lines.append("Arrows follow the data from a holder onward. Numbers in brackets are the sources listed below.")
    return lines

