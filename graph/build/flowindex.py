"""The data-flow graph as arrays: what ``reach`` needs, loaded from a build in milliseconds.

Nodes are numbered in the sort order of their keys, so comparing numbers compares
names (``reach`` breaks ties by name). Edges are grouped by source node, each node's
out-edges in the adjacency order networkx gives them. An edge's attributes are stored
as codes into small tables of distinct values (the data-type sets, the permission
lists, the integrations, the date and status combinations): a filter is decided
once per distinct value and applied to every edge by lookup. Strings (fact ids,
node keys, labels, IRIs) are kept as one UTF-8 blob with offsets and decoded only
for the rows of an answer. Each fact's evidence is JSON in a file of its own, mapped
into memory and decoded for an answer's hops only. What each company is stated to hold
(holdings) is columns too (``graph.build.heldcols``), each holding's JSON after the
evidence, decoded only for the holdings an answer shows.

Every other attribute of a node or an edge (what the table, the exports, ``owner`` and
``viz`` show) is JSON in a third file (``attributes``), mapped the same way and decoded
per row; with the order in which the projection held its nodes and edges, the index
gives back the projection itself (``to_graph``), so the build writes no networkx graph.

>>> from graph.examples import small_graph
>>> index = FlowIndex.from_graph(small_graph())
>>> index.node_count, index.edge_count
(6, 5)
>>> index.node_key(0), index.edge_attrs(0)["kind"]
('amazon', 'grant')
"""

from __future__ import annotations

import copy
import io
import json
import mmap
import secrets
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.build.heldcols import Held, HeldList, pointers
from graph.build.heldcols import intern as _intern
from graph.errors import DatareachError
from graph.records import Claim, Holding

if TYPE_CHECKING:
    import networkx as nx

Claims = list[Claim]
KINDS = ("grant", "incident", "ownership")
DATES = ("valid_from", "stated_end", "status")
FACETS = ("on_by_default", "whose_data", "sources")  # what the filters of reach read (sources: asserting (source id, confidence) pairs)
CODED = ("data_types", "permissions", "integration", "dates", "facets")  # the attributes stored as codes into tables
FORMAT = 6  # 6: holdings' sites and trackers as columns; 5: holdings as columns (``held``), no longer in ``meta``


class DamagedError(DatareachError):
    """A cache file of the build does not read as it was written."""


class Strings:
    """Many strings in one UTF-8 blob with offsets: stored and loaded whole, decoded one at a time."""

    def __init__(self, blob: bytes, offsets: np.ndarray) -> None:
        self.blob, self.offsets = blob, offsets

    @classmethod
    def of(cls, items: Iterable[str]) -> Strings:
        encoded = [s.encode("utf-8") for s in items]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return cls(b"".join(encoded), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        return self.blob[self.offsets[i]:self.offsets[i + 1]].decode("utf-8")

    def take(self, indices: np.ndarray) -> list[str]:
        """The strings at ``indices``, decoded together."""
        blob = self.blob
        return [blob[a:b].decode("utf-8") for a, b in zip(self.offsets[indices].tolist(), self.offsets[indices + 1].tolist(), strict=True)]

    def all(self) -> list[str]:
        """Every string, in order (an all-ASCII blob decoded once and cut, its byte offsets
        being its character offsets: 1.7× faster at M than decoding each string).

        >>> Strings.of(["a", "bé", ""]).all(), Strings.of(["ab", "c"]).all()
        (['a', 'bé', ''], ['ab', 'c'])
        """
        text = self.blob.decode("utf-8")
        if len(text) != len(self.blob):
            return self.take(np.arange(len(self)))
        bounds = self.offsets.tolist()
        return [text[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _facets(attrs: dict[str, Any]) -> tuple[bool | None, tuple[str, ...], tuple[tuple[str, str], ...]]:
    """An edge's values for ``FACETS``: the asserting claims as (source id, confidence) pairs."""
    sources = sorted({(str(c.get("source")), str(c.get("confidence") or "reported"))
                      for c in attrs.get("evidence", []) if c.get("stance") == "asserts" and c.get("source")})
    return attrs.get("on_by_default"), tuple(attrs.get("whose_data") or ()), tuple(sources)


def facets(attrs: dict[str, Any]) -> tuple[bool | None, tuple[str, ...], tuple[tuple[str, str], ...]]:
    """An edge's values for ``FACETS`` (on by default, whose data, the asserting (source, confidence) pairs).

    >>> facets({"on_by_default": True, "evidence": [{"source": "s", "stance": "asserts"}]})
    (True, (), (('s', 'reported'),))
    """
    return _facets(attrs)


@dataclass
class FlowIndex:
    """Nodes, edges as code arrays, the tables the codes point into, and the graph's
    taxonomies and sources (``meta``). See the module docstring."""

    keys: Strings
    labels: Strings
    iris: Strings
    node_kind: np.ndarray
    label_rank: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    facts: Strings
    kind: np.ndarray
    codes: Mapping[str, np.ndarray]
    disputed: np.ndarray
    meta: dict[str, Any]
    evidence_span: np.ndarray | None = None  # (edges, 2): where each edge's evidence is in ``evidence_blob``
    evidence_blob: bytes | bytearray | mmap.mmap = field(repr=False, default=b"")
    claims: list[tuple[str, Claims]] | None = field(default=None, repr=False)  # in memory: ("kind/id", claims) by edge
    node_order: np.ndarray | None = None  # node numbers in the projection's order
    edge_order: np.ndarray | None = None  # edge numbers in the projection's order
    node_span: np.ndarray | None = None  # (nodes, 2): each node's attributes in ``attribute_blob``
    attr_span: np.ndarray | None = None  # (edges, 2): each edge's attributes (its evidence left as null)
    attribute_blob: bytes | bytearray | mmap.mmap = field(repr=False, default=b"")
    rest: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = field(default=None, repr=False)  # in memory: node, edge attributes
    held: Held | None = None  # the holdings as columns (``graph.build.heldcols``)
    _csr: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def node_count(self) -> int:
        return len(self.keys)

    @property
    def edge_count(self) -> int:
        return len(self.src)

    @property
    def graph(self) -> dict[str, Any]:
        """The taxonomies and sources, as ``G.graph`` holds them (not to be changed)."""
        return dict(self.meta["graph"])

    def tables(self, name: str) -> list[Any]:
        """The distinct values a code array points into (``data_types``, ``permissions``, ``integration``, ``dates``,
        ``facets``: on by default, whose data and the asserting sources, as ``FACETS``)."""
        return list(self.meta["tables"][name])

    def evidence(self, edges: Iterable[int]) -> list[Claims]:
        """The claims behind each of ``edges``."""
        if self.claims is not None:
            return [self.claims[e][1] for e in edges]
        blob, span = self.evidence_blob, self.evidence_span
        assert span is not None
        parts = [blob[a:b] for a, b in span[np.asarray(list(edges), dtype=np.int64)].tolist()]
        try:
            return list(json.loads(b"[" + b",".join(parts) + b"]"))  # one decode for the lot
        except ValueError:
            raise DamagedError("the build's evidence file is damaged: run `datareach build` again") from None

    def node_key(self, i: int) -> str:
        return self.keys[i]

    @property
    def holding_columns(self) -> Held:
        """The holdings as columns: holder node, codes into tables, where each one's JSON is."""
        if self.held is None:
            raise DamagedError("this index has no holdings: run `datareach build` again")
        return self.held

    def holdings_at(self, rows: Sequence[int] | np.ndarray) -> list[Holding]:
        """The holdings at ``rows`` of ``holding_columns``, decoded together."""
        try:
            return self.holding_columns.decode(self.evidence_blob, rows)
        except ValueError:
            raise DamagedError("the build's evidence file is damaged: run `datareach build` again") from None

    def holdings_of(self, nodes: Sequence[int] | np.ndarray) -> dict[int, list[Holding]]:
        """What each of ``nodes`` is stated to hold, by node number (nodes holding nothing left out).

        >>> from graph.examples import small_graph
        >>> index = FlowIndex.from_graph(small_graph())
        >>> [(index.node_key(n), h[0]["data_types"]) for n, h in index.holdings_of(range(index.node_count)).items()]
        [('facebook', ['name', 'phone-number', 'private-message'])]
        """
        ptr = self.holding_columns.pointers(self.node_count)
        wanted = [int(n) for n in nodes if ptr[int(n) + 1] > ptr[int(n)]]
        rows = [np.arange(ptr[n], ptr[n + 1]) for n in wanted]
        decoded = iter(self.holdings_at(np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)))
        return {n: [next(decoded) for _ in range(ptr[n + 1] - ptr[n])] for n in wanted}

    def held_list(self, node: int) -> HeldList:
        """Node ``node``'s holdings as a :class:`~graph.build.heldcols.HeldList`: its length, data
        types and integrations from the columns, the JSON decoded on first read."""
        held = self.holding_columns
        ptr = held.pointers(self.node_count)
        return HeldList(held, np.arange(ptr[node], ptr[node + 1], dtype=np.int64), self.holdings_at)

    def holdings(self) -> dict[int, list[Holding]]:
        """What each holder is stated to hold, by node number: every holding decoded (a
        question reads ``holding_columns`` and decodes only the rows it shows)."""
        return self.holdings_of(range(self.node_count))

    def countries(self) -> dict[int, str]:
        """Each company's stated country (ISO 3166 code), by node number; companies without one are left out."""
        return {int(i): c for i, c in self.meta.get("countries", {}).items()}

    def aliases(self) -> dict[int, list[str]]:
        """Each node's aliases, by node number (for resolving a company's name)."""
        return {int(i): list(a) for i, a in self.meta.get("aliases", {}).items()}

    def edge_attrs(self, e: int) -> dict[str, Any]:
        """The attributes of edge ``e`` that reach reads (its evidence comes from ``evidence``).

        Parameters
        ----------
        e : int
            An edge number.

        Returns
        -------
        dict
            As ``edges_attrs`` gives them.

        >>> from graph.examples import small_graph
        >>> index = FlowIndex.from_graph(small_graph())
        >>> index.edge_attrs(0)["permissions"]
        ['read']
        """
        return self.edges_attrs([e])[0]

    def edges_attrs(self, edges: Sequence[int]) -> list[dict[str, Any]]:
        """The attributes of each of ``edges`` that reach reads, decoded together: the one
        place an edge's codes are turned back into values.

        Parameters
        ----------
        edges : sequence of int
            Edge numbers.

        Returns
        -------
        list of dict
            For each edge: ``kind``, ``data_types`` and ``permissions`` (lists of slugs),
            ``integration`` (a slug or None), ``valid_from``, ``stated_end``, ``status``
            and ``disputed``.

        >>> from graph.examples import small_graph
        >>> index = FlowIndex.from_graph(small_graph())
        >>> [(a["kind"], a["valid_from"]) for a in index.edges_attrs([0, 1])]
        [('grant', '2012-05'), ('grant', None)]
        """
        tables = self.meta["tables"]
        at = np.asarray(edges, dtype=np.int64)
        columns = zip(self.kind[at].tolist(), *(self.codes[name][at].tolist() for name in CODED),
                      self.disputed[at].tolist(), strict=True)
        return [{"kind": KINDS[kind], "data_types": list(tables["data_types"][types]),
                 "permissions": list(tables["permissions"][perms]), "integration": tables["integration"][integration],
                 **dict(zip(DATES, tables["dates"][dated], strict=True)), "disputed": bool(disputed)}
                for kind, types, perms, integration, dated, _facets, disputed in columns]

    def out_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """(order, indptr): edge numbers grouped by source node, in adjacency order; node
        ``u``'s out-edges are ``order[indptr[u]:indptr[u + 1]]``."""
        if self._csr is None:
            grouped = len(self.src) < 2 or bool((self.src[:-1] <= self.src[1:]).all())  # as from_graph writes them
            order = np.arange(len(self.src), dtype=np.int64) if grouped else np.argsort(self.src, kind="stable").astype(np.int64)
            indptr = pointers(self.src, self.node_count)
            self._csr = (order, indptr)
        return self._csr

    @classmethod
    def from_graph(cls, G: nx.MultiDiGraph) -> FlowIndex:
        """The index of a projected graph (``graph.build.projection``), evidence included."""
        nodes = sorted(G.nodes, key=str)
        number = {n: i for i, n in enumerate(nodes)}
        # grouped by source node number, each node's out-edges in their adjacency order
        listed = list(G.edges(keys=True, data=True))
        position = sorted(range(len(listed)), key=lambda p: number[listed[p][0]])
        edges = [listed[p] for p in position]
        edge_order = np.empty(len(listed), dtype=np.int64)
        edge_order[np.asarray(position, dtype=np.int64)] = np.arange(len(listed), dtype=np.int64)
        attrs = [G.nodes[n] for n in nodes]
        node_kind, node_kinds = _intern(a.get("kind", "company") for a in attrs)
        labels = [str(a.get("label", n)) for n, a in zip(nodes, attrs, strict=True)]
        rank = sorted(range(len(nodes)), key=lambda i: (labels[i].casefold(), str(nodes[i])))
        label_rank = np.empty(len(nodes), dtype=np.int32)
        label_rank[rank] = np.arange(len(nodes), dtype=np.int32)
        codes, tables = {}, {}
        for name, value in (("data_types", lambda a: tuple(a.get("data_types", []))),
                            ("permissions", lambda a: tuple(a.get("permissions", []))),
                            ("integration", lambda a: a.get("integration")),
                            ("dates", lambda a: tuple(a.get(f) for f in DATES)),
                            ("facets", _facets)):
            codes[name], tables[name] = _intern(value(a) for _, _, _, a in edges)
        graph = {k: G.graph.get(k, {}) for k in ("taxonomy", "integrations", "sources", "lists", "parties", "countries",
                                                  "incidents", "conflicts")}
        meta = {"format": FORMAT, "graph": {**graph, **G.graph}, "graph_order": [str(k) for k in G.graph],
                "node_kinds": node_kinds, "tables": tables,
                "countries": {str(i): a["country"] for i, a in enumerate(attrs) if a.get("country")},
                "aliases": {str(i): list(a["aliases"]) for i, a in enumerate(attrs) if a.get("aliases")}}
        meta["columns"] = column_schema(a for _, _, _, a in listed)
        held = Held.of(attrs)
        meta["hold_tables"] = held.tables
        return cls(
            keys=Strings.of(str(n) for n in nodes), labels=Strings.of(labels),
            iris=Strings.of(str(a.get("iri", "")) for a in attrs), node_kind=node_kind.astype(np.uint8),
            label_rank=label_rank,
            src=np.asarray([number[u] for u, _, _, _ in edges], dtype=np.int32),
            dst=np.asarray([number[v] for _, v, _, _ in edges], dtype=np.int32),
            facts=Strings.of(str(k) for _, _, k, _ in edges),
            kind=np.asarray([KINDS.index(a["kind"]) for _, _, _, a in edges], dtype=np.uint8),
            codes=codes, disputed=np.asarray([bool(a.get("disputed")) for _, _, _, a in edges], dtype=bool),
            meta=meta, claims=[(f"{a['kind']}/{k}", a.get("evidence", [])) for _, _, k, a in edges],
            node_order=np.asarray([number[n] for n in G.nodes], dtype=np.int32), edge_order=edge_order,
            rest=([node_json(a) for a in attrs], [{k: (None if k == "evidence" else v) for k, v in a.items()} for _, _, _, a in edges]),
            held=held)

    def evidence_file(self) -> bytes | bytearray | mmap.mmap:
        """Every fact's evidence as JSON, one after another, then this build's token: the file
        ``load`` maps. One copy of each fact's (an incident has an edge per recipient; ids are
        unique within a kind of fact, so a grant and an incident may share one)."""
        if self.evidence_span is None:
            assert self.claims is not None
            blob, span, seen = bytearray(), np.zeros((len(self.claims), 2), dtype=np.int64), {}
            encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
            for e, (fact, claims) in enumerate(self.claims):
                if fact not in seen:
                    text = encode(claims).encode("utf-8")
                    seen[fact] = (len(blob), len(blob) + len(text))
                    blob += text
                span[e] = seen[fact]
            if self.held is not None and self.held.span is None:
                self.held.write(blob.extend, len(blob))
            self.meta["evidence_bytes"] = len(blob)
            self.meta.setdefault("token", secrets.token_hex(16))  # ties this evidence file to this index (a build sets its own)
            blob += self.meta["token"].encode()
            self.evidence_blob, self.evidence_span = blob, span  # no copy: 290 MB at L
        return self.evidence_blob

    def attributes_file(self) -> bytes | bytearray | mmap.mmap:
        """Every node's and every edge's attributes as JSON, one after another (an edge's
        evidence left as null: it is in ``evidence_file``), then this build's token: the file
        ``load`` maps beside the evidence. Edges with the same attributes (an incident's
        recipients) share one copy."""
        if self.attr_span is None:
            assert self.rest is not None
            node_attrs, edge_attrs = self.rest
            blob = bytearray()
            encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode

            def spans(items: list[dict[str, Any]]) -> np.ndarray:
                out, seen = np.zeros((len(items), 2), dtype=np.int64), {}
                for i, item in enumerate(items):
                    text = encode(item).encode("utf-8")
                    if text not in seen:
                        seen[text] = (len(blob), len(blob) + len(text))
                        blob.extend(text)
                    out[i] = seen[text]
                return out

            self.node_span, self.attr_span = spans(node_attrs), spans(edge_attrs)
            self.meta["attribute_bytes"] = len(blob)
            self.meta.setdefault("token", secrets.token_hex(16))
            blob += self.meta["token"].encode()
            self.attribute_blob = blob
        return self.attribute_blob

    @property
    def has_attributes(self) -> bool:
        """Whether the index carries every attribute (``attributes_file``), as a build's does."""
        if self.rest is not None:
            return True
        given = self.__dict__  # a loaded index's arrays not read yet are there to be read: not None
        return all(given.get(name, given.get("_arrays")) is not None for name in ATTRIBUTE_ORDER)

    def _decode(self, span: np.ndarray | None, at: np.ndarray, which: int) -> list[dict[str, Any]]:
        if self.rest is not None:  # in memory: copies, as the JSON would give them
            items = self.rest[which]
            return list(json.loads(json.dumps([items[i] for i in at.tolist()], ensure_ascii=False)))
        if span is None:
            raise DamagedError("this index has no attributes file: run `datareach build` again")
        blob = self.attribute_blob
        parts = [blob[a:b] for a, b in span[at].tolist()]
        try:
            return list(json.loads(b"[" + b",".join(parts) + b"]"))
        except ValueError:
            raise DamagedError("the build's attributes file is damaged: run `datareach build` again") from None

    def nodes_data(self, nodes: Sequence[int] | np.ndarray, *, holds: bool = True) -> list[dict[str, Any]]:
        """Every attribute of each of ``nodes`` (by number), as the projection holds them;
        with ``holds=False`` a holder's ``holds`` is left as None (its holdings not decoded).

        >>> from graph.examples import small_graph
        >>> index = FlowIndex.from_graph(small_graph())
        >>> fb = index.keys.all().index("facebook")
        >>> index.nodes_data([0])[0]["label"], len(index.nodes_data([fb])[0]["holds"]), index.nodes_data([fb], holds=False)[0]["holds"]
        ('Amazon', 1, None)
        """
        at = np.asarray(nodes, dtype=np.int64)
        out = self._decode(self.node_span, at, 0)
        if holds:
            pending = {n: a for n, a in zip(at.tolist(), out, strict=True) if "holds" in a and a["holds"] is None}
            for n, held in self.holdings_of(list(pending)).items():
                pending[n]["holds"] = held
        return out

    def edges_data(self, edges: Sequence[int] | np.ndarray) -> list[dict[str, Any]]:
        """Every attribute of each of ``edges`` (by number), evidence included, as the projection
        holds them; decoded together, each dict a copy of its own.

        >>> from graph.examples import small_graph
        >>> a = FlowIndex.from_graph(small_graph()).edges_data([0])[0]
        >>> a["kind"], a["evidence"][0]["stance"]
        ('grant', 'asserts')
        """
        at = np.asarray(edges, dtype=np.int64)
        out = self._decode(self.attr_span, at, 1)
        if out and any("evidence" in a for a in out):
            evidence = self.evidence(at.tolist())
            if self.claims is not None:
                evidence = json.loads(json.dumps(evidence, ensure_ascii=False))
            for attrs, claims in zip(out, evidence, strict=True):
                if "evidence" in attrs:
                    attrs["evidence"] = claims
        return out

    def graph_attrs(self) -> dict[str, Any]:
        """``G.graph`` of the projection, every key in its order."""
        graph = self.meta["graph"]
        return {k: graph[k] for k in self.meta.get("graph_order", graph)}

    def to_graph(self, *, chunk: int = 8192, lazy_holds: bool = False) -> nx.MultiDiGraph:
        """The projection this index was made from (``graph.build.projection``), the same nodes,
        edges, attributes and order, rebuilt from the arrays and the two JSON files. With
        ``lazy_holds`` a holder's ``holds`` is a :class:`~graph.build.heldcols.HeldList` (equal to
        the list, its JSON decoded when read): for readers that look at few holdings, not for
        writers that serialise the graph.

        >>> import json, networkx as nx
        >>> from graph.examples import small_graph
        >>> def text(H): return json.dumps(nx.node_link_data(H, edges="edges"))
        >>> G = small_graph()
        >>> text(FlowIndex.from_graph(G).to_graph()) == text(G)
        True
        """
        import networkx as nx

        if self.node_order is None or self.edge_order is None:
            raise DamagedError("this index has no attributes file: run `datareach build` again")
        G = nx.MultiDiGraph()
        G.graph.update(json.loads(json.dumps(self.graph_attrs())) if self.rest is not None else self.graph_attrs())
        keys = self.keys.all()
        order = self.node_order
        nodes = self.nodes_data(order, holds=not lazy_holds)
        if lazy_holds:
            ptr = self.holding_columns.pointers(self.node_count)
            for n, attrs in zip(order.tolist(), nodes, strict=True):
                if "holds" in attrs and attrs["holds"] is None and ptr[n + 1] > ptr[n]:
                    attrs["holds"] = self.held_list(n)
        G.add_nodes_from(zip((keys[i] for i in order.tolist()), nodes, strict=True))
        for start in range(0, len(self.edge_order), chunk):
            at = self.edge_order[start:start + chunk]
            G.add_edges_from((keys[u], keys[v], fact, attrs) for u, v, fact, attrs in
                             zip(self.src[at].tolist(), self.dst[at].tolist(), self.facts.take(at), self.edges_data(at), strict=True))
        return G

    def save(self, fh: io.BufferedIOBase) -> None:
        """Write the arrays and tables as one uncompressed ``.npz``; the evidence goes apart
        (``evidence_file``)."""
        self.evidence_file()
        if self.rest is not None or self.attr_span is not None:
            self.attributes_file()
        arrays: dict[str, np.ndarray] = {"meta": np.frombuffer(json.dumps(self.meta, ensure_ascii=False).encode(), dtype=np.uint8)}
        for name in ("keys", "labels", "iris", "facts"):
            strings: Strings = getattr(self, name)
            arrays[f"{name}_blob"] = np.frombuffer(strings.blob, dtype=np.uint8)
            arrays[f"{name}_offsets"] = strings.offsets
        for name in ("node_kind", "label_rank", "src", "dst", "kind", "disputed", "evidence_span", "node_order",
                     "edge_order", "node_span", "attr_span"):
            if getattr(self, name) is not None:
                arrays[name] = getattr(self, name)
        arrays.update(self.holding_columns.arrays())
        arrays.update({f"code_{k}": v for k, v in self.codes.items()})
        np.savez(fh, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path, evidence: Path, attributes: Path | None = None) -> FlowIndex:
        """Read an index written by ``save``, and map its evidence (and, if given, attributes)
        file; ValueError if it is damaged or not one this version reads."""
        try:
            return cls._load(path, evidence, attributes)
        except (zipfile.BadZipFile, KeyError, EOFError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: damaged ({exc}); rebuild") from None

    @classmethod
    def _load(cls, path: Path, evidence: Path, attributes: Path | None = None) -> FlowIndex:
        blob, attribute_blob = _map(evidence), b"" if attributes is None else _map(attributes)
        data = np.load(path, allow_pickle=False)  # kept open: each array is read on first use (``_Arrays``)
        try:
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise ValueError(f"{path}: written by another version of datareach; rebuild")
            missing = sorted(set(_members(attributes is not None)) - set(data.files))
            if missing:
                raise KeyError(", ".join(missing))
            size, token = meta.get("evidence_bytes", -1), str(meta.get("token", "")).encode()
            if len(blob) != size + len(token) or blob[size:] != token:
                raise ValueError(f"{evidence}: not the evidence of {path.name} (damaged, or from another build); rebuild")
            if attributes is not None:
                size = meta.get("attribute_bytes", -1)
                if len(attribute_blob) != size + len(token) or attribute_blob[size:] != token:
                    raise ValueError(f"{attributes}: not the attributes of {path.name} (damaged, or from another build); rebuild")
        except BaseException:
            data.close()
            raise
        index = cls.__new__(cls)
        index.__dict__.update(meta=meta, evidence_blob=blob, attribute_blob=attribute_blob, claims=None, rest=None,
                              _csr=None, _arrays=_Arrays(path, data))
        if attributes is None:
            index.__dict__.update(dict.fromkeys(ATTRIBUTE_ORDER))
        return index

    def reversed(self) -> FlowIndex:
        """The same index with every edge turned round (``src`` and ``dst`` swapped), for a
        search backwards; arrays not read yet stay unread.

        >>> from graph.examples import small_graph
        >>> index = FlowIndex.from_graph(small_graph())
        >>> back = index.reversed()
        >>> bool((back.src == index.dst).all() and (back.dst == index.src).all())
        True
        """
        out = copy.copy(self)
        out.__dict__.update(src=self.dst, dst=self.src, _csr=None)
        return out


ATTRIBUTE_ORDER = ("node_order", "edge_order", "node_span", "attr_span")  # read only with the attributes file


def _members(attributes: bool) -> list[str]:
    """The arrays a saved index must hold (``save``), with or without its attributes file's four."""
    names = ["meta", *(f"{s}_{part}" for s in ("keys", "labels", "iris", "facts") for part in ("blob", "offsets")),
             "node_kind", "label_rank", "src", "dst", "kind", "disputed", "evidence_span",
             *(f"code_{k}" for k in CODED), *Held.members()]
    return names + list(ATTRIBUTE_ORDER) if attributes else names


class _Arrays:
    """The open ``.npz`` of a loaded index: an array read (whole, its CRC checked) when first asked for.
    A damaged array is a :class:`DamagedError` then, not at load (only its name is checked there)."""

    def __init__(self, path: Path, data: Any) -> None:
        self.path, self.data, self.lock = path, data, threading.Lock()

    def __getitem__(self, name: str) -> np.ndarray:
        with self.lock:  # one read of the shared file at a time (``graph.serve`` asks from threads)
            try:
                return np.asarray(self.data[name])
            except (zipfile.BadZipFile, KeyError, EOFError, ValueError, OSError) as exc:
                raise DamagedError(f"{self.path}: damaged ({exc}): run `datareach build` again") from None


class _Lazy:
    """A field of :class:`FlowIndex` read from its ``.npz`` on first use, then kept (``read`` of
    the ``_Arrays``); an index made in memory holds every field from the start."""

    def __init__(self, name: str, read: Callable[[_Arrays, dict[str, Any]], Any]) -> None:
        self.name, self.read = name, read

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        found = obj.__dict__
        if self.name not in found:
            arrays = found.get("_arrays")
            if arrays is None:
                raise AttributeError(self.name)
            found[self.name] = self.read(arrays, found["meta"])
        return found[self.name]

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value


class _Codes(Mapping[str, np.ndarray]):
    """``FlowIndex.codes`` of a loaded index: each code array read on first use."""

    def __init__(self, arrays: _Arrays) -> None:
        self._arrays, self._read = arrays, dict[str, np.ndarray]()

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._read:
            if name not in CODED:
                raise KeyError(name)
            self._read[name] = self._arrays[f"code_{name}"]
        return self._read[name]

    def __iter__(self) -> Iterator[str]:
        return iter(CODED)

    def __len__(self) -> int:
        return len(CODED)


def _strings(name: str) -> Callable[[_Arrays, dict[str, Any]], Strings]:
    return lambda arrays, _meta: Strings(arrays[f"{name}_blob"].tobytes(), arrays[f"{name}_offsets"])


def _array(name: str) -> Callable[[_Arrays, dict[str, Any]], np.ndarray]:
    return lambda arrays, _meta: arrays[name]


for _name in ("keys", "labels", "iris", "facts"):
    setattr(FlowIndex, _name, _Lazy(_name, _strings(_name)))
for _name in ("node_kind", "label_rank", "src", "dst", "kind", "disputed", "evidence_span", *ATTRIBUTE_ORDER):
    setattr(FlowIndex, _name, _Lazy(_name, _array(_name)))
FlowIndex.codes = _Lazy("codes", lambda arrays, _meta: _Codes(arrays))  # type: ignore[assignment]
FlowIndex.held = _Lazy("held", lambda arrays, meta: Held.read(arrays, meta["hold_tables"]))  # type: ignore[assignment]


def node_json(attrs: dict[str, Any]) -> dict[str, Any]:
    """A node's attributes as the attributes file holds them: a holder's ``holds`` left as
    None (they are the holding columns, each holding's JSON in the evidence file).

    >>> node_json({"label": "A", "holds": [{"id": "h"}], "kind": "company"})
    {'label': 'A', 'holds': None, 'kind': 'company'}
    """
    return {k: (None if k == "holds" and v else v) for k, v in attrs.items()}


def column_schema(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The edge attributes' schema, in the projection's edge order: each attribute with the
    types of its values (``bool``, ``int``, ``float``, or ``str`` for anything else; None is no
    type), the first row holding it and the first holding it with a value (each as [row, place in the row]). What a streaming
    writer needs to declare every column before the first row (``graph.export.writers``).

    >>> column_schema([{"a": None, "b": 1}, {"a": True, "b": 2.5}])
    {'a': {'types': ['bool'], 'first': [0, 0], 'first_value': [1, 0]}, 'b': {'types': ['int', 'float'], 'first': [0, 1], 'first_value': [0, 1]}}
    """
    out: dict[str, dict[str, Any]] = {}
    for p, row in enumerate(rows):
        for j, (name, value) in enumerate(row.items()):
            column = out.get(name)
            if column is None:
                column = out[name] = {"types": [], "first": [p, j], "first_value": None}
            if value is not None:
                kind = type(value).__name__ if isinstance(value, bool | int | float) else "str"
                if kind not in column["types"]:
                    column["types"].append(kind)
                if column["first_value"] is None:
                    column["first_value"] = [p, j]
    return out


def _map(path: Path) -> bytes | mmap.mmap:
    """The file at ``path``, mapped read-only (an empty file as ``b""``)."""
    with open(path, "rb") as fh:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if fh.seek(0, 2) else b""
