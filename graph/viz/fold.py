"""Which parties a view draws, and how the rest are folded into groups with counts.

A page stays readable from 10 to 100,000 parties because it never draws more than
``DRAW_LIMIT`` of them: the parties a view is about (the reach answer, a company's
neighbourhood, or the best-connected parties of the whole graph) are drawn, and every
other party is folded into a group node with a count, which the page opens on demand.

A folded party goes into the first group that fits it, in this order:

1. **owner** — "owned by Alphabet": its ultimate owner along ownership edges;
2. **list** — "on list …": the first named list (``G.graph["lists"]``) that names it;
3. **country** — "country: US": its cited country;
4. **category** — its holdings' integration kind ("tracking"), else the source that
   names it ("listed in DuckDuckGo Tracker Radar"), else "other parties".

Outside the reach views, a group of one is not worth a node: that party is drawn (while room is left).

>>> from graph.examples import small_graph
>>> G = small_graph()
>>> [(g.label, g.members) for g in fold(G, ["spotify", "amazon", "apple", "public"], drawn={"facebook"})]
[('other parties', ['amazon', 'apple', 'public']), ('owned by Example Holdings', ['spotify'])]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

DRAW_LIMIT = 300  # parties a view draws before it folds the rest
LABEL_LIMIT = 40  # parties labelled on a large view (the nearest and most central)
EXPAND_STEP = 400  # members a group opens per click
DIMENSIONS = ("owner", "list", "country", "category")


@dataclass
class Group:
    """A group node: parties folded together, best-ranked first."""

    key: str  # "owner:alphabet", "country:US", …
    dimension: str  # one of DIMENSIONS
    label: str
    members: list[str] = field(default_factory=list)


def ultimate_owners(G: nx.MultiDiGraph) -> dict[str, str]:
    """Each owned party's ultimate owner along ownership edges (owned → owner; the first
    owner by id where there are several; a cycle stops where it closes).

    >>> from graph.examples import small_graph
    >>> ultimate_owners(small_graph())
    {'spotify': 'example-holdings'}
    """
    first: dict[str, str] = {}
    for u, v, kind in sorted(G.edges(data="kind")):
        if kind == "ownership" and u != v:
            first.setdefault(u, v)
    out = {}
    for start in first:
        node, seen = start, {start}
        while node in first and first[node] not in seen:
            node = first[node]
            seen.add(node)
        out[start] = node
    return out


def _list_of(G: nx.MultiDiGraph) -> dict[str, str]:
    out: dict[str, str] = {}
    for named in sorted(G.graph.get("lists", {}).values(), key=lambda nl: str(nl.get("id"))):
        for member in named.get("members", []):
            out.setdefault(member["company"], str(named.get("label") or named.get("id")))
    return out


def held_types(holds: Any) -> list[str]:
    """The data types a ``holds`` list names, each once: from the columns when it is a build's
    ``HeldList`` (no holding decoded), else read from each holding.

    >>> held_types([{"data_types": ["name", "email"]}, {"data_types": ["email"]}])
    ['name', 'email']
    """
    if hasattr(holds, "data_types"):
        return list(holds.data_types())
    return list(dict.fromkeys(t for h in holds or [] for t in h.get("data_types", [])))


def held_integrations(holds: Any) -> list[str]:
    """The integrations of a ``holds`` list, in its order (from the columns for a ``HeldList``)."""
    if hasattr(holds, "integrations"):
        return list(holds.integrations())
    return [h["integration"] for h in holds or [] if h.get("integration")]


def _category(G: nx.MultiDiGraph, node: str, kinds: Mapping[str, str]) -> tuple[str, str]:
    holds = G.nodes[node].get("holds") or []
    for integ in held_integrations(holds)[:1]:
        return str(integ), str(kinds.get(integ, integ))
    registry = G.graph.get("sources", {})
    for holding in holds:
        for claim in holding.get("evidence") or []:
            src = registry.get(claim.get("source"), {})
            name = src.get("title") or src.get("publisher") or claim.get("source")
            if name:
                return "source-" + str(claim.get("source")), f"listed in {name}"
    return "other", "other parties"


def group_of(G: nx.MultiDiGraph, node: str, owners: Mapping[str, str], lists: Mapping[str, str],
             kinds: Mapping[str, str]) -> tuple[str, str, str]:
    """(dimension, key, label) of the group a folded party goes into (see the module docstring)."""
    if node in owners:
        owner = owners[node]
        return "owner", f"owner:{owner}", f"owned by {G.nodes[owner].get('label') or owner}"
    if node in lists:
        return "list", f"list:{lists[node]}", f"on the list {lists[node]}"
    country = G.nodes[node].get("country")
    if country:
        return "country", f"country:{country}", f"country: {country}"
    key, label = _category(G, node, kinds)
    return "category", f"category:{key}", label


def fold(G: nx.MultiDiGraph, folded: Iterable[str], *, drawn: set[str],
         kinds: Mapping[str, str] | None = None) -> list[Group]:
    """Group the ``folded`` parties (already best-ranked first); biggest groups first.

    A party whose owner is drawn goes into that owner's group all the same: the group
    node sits beside the owner it is named after.
    """
    owners, lists = ultimate_owners(G), _list_of(G)
    groups: dict[str, Group] = {}
    for node in folded:
        if node in drawn:
            continue
        dimension, key, label = group_of(G, node, owners, lists, kinds or {})
        groups.setdefault(key, Group(key, dimension, label)).members.append(node)
    return sorted(groups.values(), key=lambda g: (-len(g.members), g.label))


__all__ = ["DIMENSIONS", "DRAW_LIMIT", "EXPAND_STEP", "LABEL_LIMIT", "Group", "fold",
           "group_of", "ultimate_owners"]
