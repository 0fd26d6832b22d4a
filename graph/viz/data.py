"""Turn the data-flow graph into the vis-network node and edge lists of the HTML view.

Node ids are opaque (``n0``, ``n1``…) and edge ids ``e0``…: no name from a fact file is
ever an id, an attribute name or markup (SECURITY.md §1b). Companies are dots, the
public is a star and data types are diamonds, linked from their holders by thin green
"holds" edges. Flow edges are coloured by their strongest permission, dashed when
disputed and faded when shut down; every edge and node carries the text its hover and
detail panel show, and the fields the page's filters test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.model.taxonomy import Taxonomy
from graph.records import EdgeAttrs, FactAttrs
from graph.viz import info
from graph.viz.layout import SMALL, positions, rank

Edge = tuple[str, str, str]
PERMISSION_COLOURS = {"delete": "#c92a2a", "write": "#e8590c", "read": "#1c7ed6"}
OWNERSHIP, HOLDS, SHUT_DOWN, DIM = "#7950f2", "#74b816", "#adb5bd", "#dee2e6"
NODE_STYLE: dict[str, dict[str, Any]] = {
    "company": {"shape": "dot", "color": {"background": "#a5d8ff", "border": "#1864ab"}},
    "public": {"shape": "star", "color": {"background": "#ffa8a8", "border": "#c92a2a"}},
    "datatype": {"shape": "diamond", "color": {"background": "#b2f2bb", "border": "#2b8a3e"}},
}
STATUS_ORDER = ("active", "shut down", "unknown", "incident", "ownership", "holds")
# The page's embedded JSON names an edge's fields shortly (a large graph has tens of thousands
# of edges): this is the one map from those keys to the record fields (``graph.records.EdgeAttrs``)
# they hold. app.js reads them by these names.
SHORT = {"kind": "k", "data_types": "dts", "permissions": "perms", "integration": "integ", "status": "st",
         "valid_from": "vf", "stated_end": "se", "evidence": "ev", "label": "lbl", "exploited_feature": "feat",
         "whose_data": "whose", "last_observed_active": "lo", "occurred": "occ", "published": "pub",
         "activation": "act", "on_by_default": "obd", "overrode_privacy_setting": "ops", "affected": "aff",
         "count_qualifier": "cq"}


def short(fields: dict[str, Any]) -> dict[str, Any]:
    """Record fields under the page's short keys (``SHORT``); other keys stay as they are.

    >>> short({"stated_end": "2018", "note": "x"})
    {'se': '2018', 'note': 'x'}
    """
    return {SHORT.get(k, k): v for k, v in fields.items()}


@dataclass
class Emphasis:
    """What a focused view highlights; everything else is dimmed."""

    nodes: set[str] = field(default_factory=set)
    edges: set[Edge] = field(default_factory=set)
    holders: set[str] = field(default_factory=set)
    held: set[tuple[str, str]] = field(default_factory=set)
    centre: str | None = None
    dim: bool = True


def dt_key(slug: str) -> str:
    """The key of a data type's node, apart from company slugs (which have no colon)."""
    return "dt:" + slug


def taxonomies(G: nx.MultiDiGraph) -> tuple[Taxonomy, Taxonomy]:
    """The data-type and integration taxonomies carried by ``G`` (empty when absent)."""
    empty = {"kind": "term", "concepts": []}
    return Taxonomy.from_dict(G.graph.get("taxonomy", empty)), Taxonomy.from_dict(G.graph.get("integrations", empty))


def strongest_permission(permissions: Iterable[str]) -> str | None:
    """delete > write > read; None when no permission is stated.

    >>> strongest_permission(["read", "delete"])
    'delete'
    """
    held = set(permissions)
    return next((p for p in PERMISSION_COLOURS if p in held), None)


class Builder:
    """Collects vis nodes and edges for a chosen part of ``G``."""

    def __init__(self, G: nx.MultiDiGraph, keep_nodes: set[str] | None, keep_edge: Callable[[Edge], bool]):
        self.G = G
        self.dts, self.kinds = taxonomies(G)
        self.actors = [n for n in G.nodes if keep_nodes is None or n in keep_nodes]
        kept = set(self.actors)
        self.flows = [e for e in sorted(G.edges(keys=True)) if e[0] in kept and e[1] in kept and keep_edge(e)]
        self.large = False
        self.extra_types: set[str] = set()
        self.ids: dict[str, str] = {}
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.label = {n: str(G.nodes[n].get("label") or n) for n in self.actors}

    def _id(self, key: str) -> str:
        if key not in self.ids:
            self.ids[key] = f"n{len(self.ids)}"
        return self.ids[key]

    def held(self) -> dict[tuple[str, str], list[FactAttrs]]:
        """(holder, data type) → the holding facts that state it."""
        out: dict[tuple[str, str], list[FactAttrs]] = {}
        for node in self.actors:
            for holding in self.G.nodes[node].get("holds") or []:
                for slug in holding.get("data_types", []):
                    out.setdefault((node, slug), []).append(holding)
        return out

    def build(self) -> None:
        """Fill ``nodes`` and ``edges`` with positions, sizes, styles and texts."""
        held = self.held()
        types = sorted({t for _, t in held} | self.extra_types
                       | {t for e in self.flows for t in self.G.edges[e].get("data_types", [])})
        keys = self.actors + [dt_key(t) for t in types]
        pairs = [(u, v) for u, v, _ in self.flows] + [(n, dt_key(t)) for n, t in held]
        self.large = len(keys) > SMALL
        pos = positions(keys, pairs)
        whole = len(self.actors) == self.G.number_of_nodes()
        scores = rank(self.G if whole else self.G.subgraph(self.actors))
        look = info.lookalikes({n: self.label[n] for n in self.actors if self.G.nodes[n].get("kind") == "company"})
        for n in self.actors:
            self.nodes.append(self._actor(n, pos[n], scores.get(n, 0.0), look.get(n, [])))
        for t in types:
            self.nodes.append(self._datatype(t, pos[dt_key(t)], held))
        seen: dict[tuple[str, str], int] = {}
        for index, e in enumerate(self.flows):
            parallel = seen[e[:2]] = seen.get(e[:2], -1) + 1
            self.edges.append(self._flow(index, e, parallel))
        self.held_pairs = list(held)
        for (n, t), facts in held.items():
            self.edges.append(self._holds(n, t, facts))

    def _actor(self, n: str, xy: tuple[float, float], score: float, alike: list[str]) -> dict[str, Any]:
        attrs = self.G.nodes[n]
        kind = "public" if attrs.get("kind") == "public" else "company"
        label = self.label[n]
        warn = info.warnings(label, alike) if kind == "company" else []
        aliases = [str(a) for a in attrs.get("aliases") or []]
        node = self._node(n, kind, info.short_label(label, bool(warn)), xy)
        node.update(size=round(10 + 20 * score ** 0.5, 1), score=round(score, 3), full=info.text(label),
                    names=[info.clip(label, 1000), n, *(info.clip(a, 1000) for a in aliases[:20])],
                    outdeg=self.G.out_degree(n), indeg=self.G.in_degree(n))
        extra = {"warn": warn, "aliases": [info.text(a, 1000) for a in aliases], "note": info.text(attrs.get("note")),
                 "iri": attrs.get("iri"), "holds": self._holdings(attrs.get("holds") or [])}
        node.update({k: v for k, v in extra.items() if v})
        if warn:
            node.update(borderWidth=3, color={"background": "#ffe066", "border": "#f08c00"})
        return node

    def _holdings(self, holds: list[FactAttrs]) -> list[dict[str, Any]]:
        out = []
        for h in holds:
            entry: dict[str, Any] = {"id": str(h.get("id") or ""), "dts": list(h.get("data_types", [])),
                                     "ev": info.evidence(h.get("evidence"))}
            if h.get("note"):
                entry["note"] = info.text(h["note"])
            out.append(entry)
        return out

    def _datatype(self, slug: str, xy: tuple[float, float], held: dict[tuple[str, str], Any]) -> dict[str, Any]:
        label = self.dts.label(slug)
        concept = self.dts.by_slug.get(slug)
        node = self._node(dt_key(slug), "datatype", info.short_label(label), xy)
        node.update(size=11, dt=slug, full=label, holders=sum(1 for _, t in held if t == slug),
                    names=[label, slug, *(concept.alt_labels if concept is not None else ())])
        if concept is not None:
            node.update(iri=concept.iri, broader=list(concept.broader))
        return node

    def _node(self, key: str, kind: str, label: str, xy: tuple[float, float]) -> dict[str, Any]:
        style = NODE_STYLE[kind]
        return {"id": self._id(key), "key": key, "k": kind, "label": label, "shape": style["shape"],
                "color": dict(style["color"]), "x": round(xy[0], 1), "y": round(xy[1], 1)}

    def _flow(self, index: int, e: Edge, parallel: int) -> dict[str, Any]:
        attrs = self.G.edges[e]
        kind, status = attrs["kind"], attrs.get("status") or "unknown"
        strongest = strongest_permission(attrs.get("permissions") or [])
        colour = OWNERSHIP if kind == "ownership" else PERMISSION_COLOURS.get(strongest or "", "#495057")
        shut = status == "shut down"
        integ = attrs.get("integration")
        edge = {"id": f"e{index}", "from": self.ids[e[0]], "to": self.ids[e[1]],
                "color": {"color": SHUT_DOWN if shut else colour, "highlight": colour, "opacity": 0.6 if shut else 1.0},
                "dashes": bool(attrs.get("disputed")), "width": 1.5 if strongest in (None, "read") else 2.5,
                "fact": info.text(e[2], 500),
                **short({"kind": kind, "data_types": list(attrs.get("data_types") or []),
                         "permissions": list(attrs.get("permissions") or []), "integration": integ, "status": status,
                         "valid_from": attrs.get("valid_from"), "stated_end": attrs.get("stated_end"),
                         "evidence": info.evidence(attrs.get("evidence"))})}
        edge.update({short: value for short, value in self._extras(attrs).items() if value is not None})
        if not self.large:
            edge["label"] = "owns" if kind == "ownership" else (self.kinds.label(integ) if integ else kind)
            edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.1 + 0.15 * parallel}
        return edge

    @staticmethod
    def _extras(attrs: EdgeAttrs) -> dict[str, Any]:
        """The optional fact fields under short names (``SHORT``; see app.js ``edgeRows``)."""
        return short({"label": info.text(attrs.get("label")), "exploited_feature": attrs.get("exploited_feature"),
                      "whose_data": attrs.get("whose_data") or None, "last_observed_active": attrs.get("last_observed_active"),
                      "occurred": attrs.get("occurred"), "published": attrs.get("published"),
                      "activation": info.text(attrs.get("activation")), "on_by_default": attrs.get("on_by_default"),
                      "overrode_privacy_setting": attrs.get("overrode_privacy_setting"), "affected": attrs.get("affected"),
                      "count_qualifier": info.text(attrs.get("count_qualifier")), "note": info.text(attrs.get("note")),
                      "iri": attrs.get("iri")})

    def _holds(self, n: str, slug: str, facts: list[FactAttrs]) -> dict[str, Any]:
        return {"id": f"e{len(self.edges)}", "from": self.ids[n], "to": self.ids[dt_key(slug)],
                "color": {"color": HOLDS, "highlight": HOLDS, "opacity": 0.6}, "width": 1, "k": "holding", "dts": [slug], "perms": [],
                "integ": None, "st": "holds", "fact": ", ".join(info.text(h.get("id"), 500) or "?" for h in facts),
                "ev": [c for h in facts for c in info.evidence(h.get("evidence"))]}

    def emphasise(self, focus: Emphasis) -> None:
        """Highlight ``focus`` and dim the rest (a view with no focus edges dims no edge)."""
        for node in self.nodes:
            if node["key"] == focus.centre:
                node.update(borderWidth=5, color={"background": "#ffd43b", "border": "#e67700"})
                node["size"] = max(node.get("size", 14), 26)
            elif node["key"] in focus.holders:
                node.update(borderWidth=4, color={"background": "#ffc9c9", "border": "#c92a2a"})
            elif focus.dim and node["key"] not in focus.nodes:
                node.update(color={"background": "#f1f3f5", "border": DIM}, font={"color": "#ced4da"}, dim=True)
        flags = [e in focus.edges for e in self.flows] + [p in focus.held for p in self.held_pairs]
        for edge, on in zip(self.edges, flags, strict=True):
            if on:
                edge["width"] = 4
                edge["color"] = dict(edge["color"], opacity=1.0)
            elif focus.edges or focus.held:
                edge.update(color={"color": DIM, "opacity": 0.35}, dim=True)
                edge.pop("label", None)
