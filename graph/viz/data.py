"""Turn the data-flow graph into the vis-network node and edge lists of the HTML view.

Node ids are opaque (``n0``, ``n1``…) and edge ids ``e0``…: no name from a fact file is
ever an id, an attribute name or markup (SECURITY.md §1b). Each mark means one thing:

- companies are blue dots, the public a grey star, look-alike names yellow with ⚠,
  holders of the data type asked red, the data type asked a green diamond, folded
  parties grey boxes with their count;
- what a company holds is folded into its node (its hover text and panel), never drawn
  as "holds" edges;
- flow edges are coloured by their strongest permission (read blue, write pink, delete
  black), ownership purple; dashes mean only that the access itself is disputed, a bar
  across the middle that an aspect of it (dates, permissions…) is contested; shut-down
  links are faded.

Every edge and node carries the text its hover and detail panel show, and the fields
the page's filters test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.model.taxonomy import Taxonomy
from graph.records import EdgeAttrs, FactAttrs
from graph.viz import info
from graph.viz.fold import LABEL_LIMIT, Group, held_types
from graph.viz.layout import SMALL, Pos, positions

Edge = tuple[str, str, str]
PERMISSION_COLOURS = {"delete": "#212529", "write": "#d6336c", "read": "#1c7ed6"}
OWNERSHIP, SHUT_DOWN, DIM = "#7950f2", "#adb5bd", "#dee2e6"
NODE_STYLE: dict[str, dict[str, Any]] = {
    "company": {"shape": "dot", "color": {"background": "#a5d8ff", "border": "#1864ab"}},
    "public": {"shape": "star", "color": {"background": "#ced4da", "border": "#212529"}},
    "datatype": {"shape": "diamond", "color": {"background": "#b2f2bb", "border": "#2b8a3e"}},
    "group": {"shape": "box", "color": {"background": "#f1f3f5", "border": "#868e96"}},
}
HOLDER = {"background": "#ffc9c9", "border": "#c92a2a"}
LOOKALIKE = {"background": "#ffe066", "border": "#f08c00"}
STATUS_ORDER = ("active", "shut down", "unknown", "incident", "ownership")
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



def access_disputes(claims: Iterable[Mapping[str, Any]] | None) -> tuple[list[str], list[str]]:
    """Who disputes the access itself, and which aspects are contested: each named once, in order.

    >>> access_disputes([{"stance": "disputes", "claimant": "Facebook"}, {"stance": "disputes", "claimant": "Netflix"},
    ...                  {"stance": "disputes", "claimant": "Facebook"}, {"stance": "disputes", "aspect": "dates"}])
    (['Facebook', 'Netflix'], ['dates'])
    """
    who: dict[str, None] = {}
    aspects: dict[str, None] = {}
    for claim in claims or []:
        if claim.get("stance") != "disputes":
            continue
        if claim.get("aspect") is None:
            who[str(claim.get("claimant") or "a source")] = None
        else:
            aspects[str(claim["aspect"])] = None
    return list(who), list(aspects)


class Builder:
    """Collects vis nodes and edges for the parties a view draws, its flows and its groups.

    ``drawn`` comes best-ranked first; the first ``LABEL_LIMIT`` of a large view are labelled.
    """

    def __init__(self, G: nx.MultiDiGraph, drawn: list[str], flows: list[Edge], *, scores: Mapping[str, float],
                 groups: list[Group] | None = None, asked: str | None = None, pos: Pos | None = None,
                 chain: bool = False, answer: set[str] | None = None):
        self.G = G
        self.dts, self.kinds = taxonomies(G)
        self.actors, self.flows, self.scores = drawn, flows, scores
        self.groups = groups or []
        self.asked, self.pos, self.chain = asked, pos, chain
        self.answer = answer or set()
        self.large = len(drawn) > SMALL // 2  # straight, unlabelled edges, no hover
        self.ids: dict[str, str] = {}
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.members: list[dict[str, Any]] = []
        self.citations: list[str] = []  # the sources numbered [1], [2]… on a chain's links
        self.label = {n: str(G.nodes[n].get("label") or n) for n in drawn}
        labelled = drawn if len(drawn) <= LABEL_LIMIT * 3 // 2 else drawn[:LABEL_LIMIT]
        self.labelled = set(labelled)

    def _id(self, key: str) -> str:
        if key not in self.ids:
            self.ids[key] = f"n{len(self.ids)}"
        return self.ids[key]

    def build(self) -> None:
        """Fill ``nodes``, ``edges`` and the groups' ``members`` with positions, sizes, styles and texts."""
        keys = list(self.actors) + ([dt_key(self.asked)] if self.asked else []) + [g.key for g in self.groups]
        pos = self.pos if self.pos is not None else positions(keys, [(u, v) for u, v, _ in self.flows])
        companies = [n for n in self.G if self.G.nodes[n].get("kind") == "company"]
        look = info.lookalikes({n: str(self.G.nodes[n].get("label") or n) for n in companies}) if len(companies) <= 20_000 \
            else info.lookalikes({n: self.label[n] for n in self.actors if n in self.label})
        for n in self.actors:
            self.nodes.append(self._actor(n, pos[n], look.get(n, [])))
        if self.asked:
            self.nodes.append(self._datatype(self.asked, pos[dt_key(self.asked)]))
        for group in self.groups:
            self.nodes.append(self._group(group, pos[group.key]))
        seen: dict[tuple[str, str], int] = {}
        for index, e in enumerate(self.flows):
            parallel = seen[e[:2]] = seen.get(e[:2], -1) + 1
            self.edges.append(self._flow(index, e, parallel))

    def _actor(self, n: str, xy: tuple[float, float], alike: list[str]) -> dict[str, Any]:
        attrs = self.G.nodes[n]
        kind = "public" if attrs.get("kind") == "public" else "company"
        label = self.label[n]
        warn = info.warnings(label, alike) if kind == "company" else []
        aliases = [str(a) for a in attrs.get("aliases") or []]
        score = float(self.scores.get(n, 0.0))
        shown = info.short_label(label, bool(warn))
        node = self._node(n, kind, shown if n in self.labelled else "", xy)
        size = 8 + 10 * score ** 0.5 if self.pos is not None else 10 + 20 * score ** 0.5  # a layered view keeps rows apart
        node.update(size=round(size, 1), score=round(score, 3), full=info.text(label), lab=shown,
                    names=[info.clip(label, 1000), n, *(info.clip(a, 1000) for a in aliases[:20])],
                    outdeg=self.G.out_degree(n), indeg=self.G.in_degree(n))
        extra = {"warn": warn, "aliases": [info.text(a, 1000) for a in aliases], "note": info.text(attrs.get("note")),
                 "iri": attrs.get("iri"), "holds": self._holdings(attrs.get("holds") or []),
                 "country": attrs.get("country")}
        node.update({k: v for k, v in extra.items() if v})
        if warn:
            node.update(borderWidth=3, color=dict(LOOKALIKE))
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

    def _datatype(self, slug: str, xy: tuple[float, float]) -> dict[str, Any]:
        label = self.dts.label(slug)
        concept = self.dts.by_slug.get(slug)
        node = self._node(dt_key(slug), "datatype", info.short_label(label), xy)
        holders = sum(1 for n in self.actors if n in self.answer and slug in held_types(self.G.nodes[n].get("holds")))
        node.update(size=22, borderWidth=3, dt=slug, full=label, holders=holders, lab=info.short_label(label),
                    names=[label, slug, *(concept.alt_labels if concept is not None else ())])
        if concept is not None:
            node.update(iri=concept.iri, broader=list(concept.broader))
        return node

    def _group(self, group: Group, xy: tuple[float, float]) -> dict[str, Any]:
        reached = sum(1 for m in group.members if m in self.answer)
        count = len(group.members)
        words = f"{info.short_label(group.label)}\n{count:,} part{'y' if count == 1 else 'ies'}" + (
            f" · {reached:,} could reach" if reached else "")
        node = self._node(group.key, "group", words, xy)
        node.update(full=info.text(group.label), gby=group.dimension, count=len(group.members), reached=reached,
                    names=[info.clip(group.label, 1000)], lab=words, font={"size": 16, "multi": False},
                    margin=10, borderWidth=3 if reached else 1)
        if reached:
            node["color"] = {"background": "#fff5f5", "border": HOLDER["border"]}
        dt_index = {c.slug: i for i, c in enumerate(self.dts.concepts)}
        members = []
        for m in group.members:
            attrs = self.G.nodes[m]
            held = sorted({dt_index[t] for t in held_types(attrs.get("holds")) if t in dt_index})
            row: list[Any] = [self._id(m), m, info.short_label(str(attrs.get("label") or m)), 1 if m in self.answer else 0, held]
            members.append(row)
        self.members.append({"group": node["id"], "members": members})
        return node

    def _node(self, key: str, kind: str, label: str, xy: tuple[float, float]) -> dict[str, Any]:
        style = NODE_STYLE[kind]
        return {"id": self._id(key), "key": key, "k": kind, "label": label, "shape": style["shape"],
                "color": dict(style["color"]), "x": round(xy[0], 1), "y": round(xy[1], 1)}

    def _cite(self, evidence: list[dict[str, str]]) -> list[int]:
        """The numbers [n] of an edge's sources (in first-use order)."""
        out = []
        for claim in evidence:
            source = claim.get("source")
            if source is None:
                continue
            if source not in self.citations:
                self.citations.append(source)
            number = self.citations.index(source) + 1
            if number not in out:
                out.append(number)
        return out

    def _flow(self, index: int, e: Edge, parallel: int) -> dict[str, Any]:
        attrs = self.G.edges[e]
        kind, status = attrs["kind"], attrs.get("status") or "unknown"
        strongest = strongest_permission(attrs.get("permissions") or [])
        colour = OWNERSHIP if kind == "ownership" else PERMISSION_COLOURS.get(strongest or "", "#495057")
        shut = status == "shut down"
        integ = attrs.get("integration")
        evidence = info.evidence(attrs.get("evidence"))
        disputers, contested = access_disputes(evidence)
        edge = {"id": f"e{index}", "from": self.ids[e[0]], "to": self.ids[e[1]],
                "color": {"color": SHUT_DOWN if shut else colour, "highlight": colour, "opacity": 0.6 if shut else 1.0},
                "dashes": bool(disputers), "width": 1.5 if strongest in (None, "read") else 2.5,
                "fact": info.text(e[2], 500), "by": disputers, "asp": contested,
                "cites": self._cite(evidence),
                **short({"kind": kind, "data_types": list(attrs.get("data_types") or []),
                         "permissions": list(attrs.get("permissions") or []), "integration": integ, "status": status,
                         "valid_from": attrs.get("valid_from"), "stated_end": attrs.get("stated_end"),
                         "evidence": evidence})}
        if contested:
            edge["arrows"] = {"to": {"enabled": True, "scaleFactor": 0.6}, "middle": {"enabled": True, "type": "bar", "scaleFactor": 0.8}}
        edge.update({short: value for short, value in self._extras(attrs).items() if value is not None})
        if not self.large:
            edge["label"] = self._edge_label(kind, integ, attrs, edge["cites"])
            edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.1 + 0.15 * parallel}
        if self.chain:
            edge["smooth"] = {"enabled": False} if parallel == 0 else {"enabled": True, "type": "curvedCW", "roundness": 0.2 * parallel}
        return edge

    def _edge_label(self, kind: str, integ: str | None, attrs: EdgeAttrs, cites: list[int]) -> str:
        name = "owns" if kind == "ownership" else (self.kinds.label(integ) if integ else kind)
        if not self.chain:
            return name
        start, end = attrs.get("valid_from"), attrs.get("stated_end")
        when = "dates unknown" if start is None and end is None else f"{start or '?'} – {end or '…'}"
        marks = "".join(f"[{n}]" for n in cites)
        return f"{name}\n{when} {marks}".strip()

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

    def emphasise(self, focus: Emphasis) -> None:
        """Mark ``focus``: the centre, the holders (red) and the path edges (thick); dim the rest when asked."""
        for node in self.nodes:
            if node["k"] == "group":
                continue
            if node["key"] == focus.centre and node["k"] != "datatype":
                node.update(borderWidth=6, centre=True)
                node["size"] = max(node.get("size", 14), 26)
            elif node["key"] in focus.holders:
                node.update(borderWidth=3, color=dict(HOLDER), holder=True)
            elif focus.dim and node["key"] not in focus.nodes and node["k"] != "datatype":
                node.update(color={"background": "#f1f3f5", "border": DIM}, font={"color": "#ced4da"}, faded=True)
        for edge, e in zip(self.edges, self.flows, strict=True):
            if e in focus.edges:
                edge["width"] = 4
                edge["color"] = dict(edge["color"], opacity=1.0)
                edge["path"] = True
            elif focus.edges:
                edge.update(color={"color": DIM, "opacity": 0.35}, faded=True)
                edge.pop("label", None)
