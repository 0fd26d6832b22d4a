"""The build's data-flow graph read row by row: the few read-only networkx calls the table,
the exports, ``owner`` and ``viz`` make, answered from the flow index and its two JSON files
(``graph.build.flowindex``) instead of a networkx graph built whole.

Nodes and edges come in the projection's order, with the projection's attributes, so a
question asked of a :class:`FlowGraph` gives what it gives on ``projection()``. An edge's
attributes (evidence included) are decoded only when it is listed with ``data=True``, in
chunks; ``kinds`` keeps to grants, incidents or ownership without decoding the others.

>>> from graph.build.flowindex import FlowIndex
>>> from graph.examples import small_graph
>>> G = FlowGraph(FlowIndex.from_graph(small_graph()))
>>> G.nodes["spotify"]["label"], G.number_of_edges()
('Spotify', 5)
>>> [(u, v) for u, v, _ in G.edges(data="kind", kinds=("ownership",))]
[('spotify', 'example-holdings')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.build.flowindex import KINDS, FlowIndex

if TYPE_CHECKING:
    import networkx as nx

CHUNK = 4096


class _Node(dict):
    """A node's attributes, its ``holds`` decoded on first read: ``owner`` and the table
    look a party's label up without decoding the crawl's holdings of it."""

    def __init__(self, data: dict[str, Any], fill: Any) -> None:
        super().__init__(data)
        self._fill = fill

    def _load(self) -> None:
        if self._fill is not None:
            fill, self._fill = self._fill, None
            dict.__setitem__(self, "holds", fill())

    def __getitem__(self, key: Any) -> Any:
        if key == "holds":
            self._load()
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        if key == "holds":
            self._load()
        return dict.get(self, key, default)

    def __iter__(self) -> Iterator[Any]:  # not dict's: ``{**node}`` and ``dict(node)`` read through ``__getitem__``
        return dict.__iter__(self)

    def items(self) -> Any:
        self._load()
        return dict.items(self)

    def values(self) -> Any:
        self._load()
        return dict.values(self)

    def copy(self) -> dict[str, Any]:
        self._load()
        return dict(dict.items(self))

    def __eq__(self, other: object) -> bool:
        self._load()
        return dict.__eq__(self, other)

    __hash__ = None

    def __repr__(self) -> str:
        self._load()
        return dict.__repr__(self)


class NodeAccess:
    """``G.nodes``: look a node's attributes up by key, or list the nodes (``data=True`` for their attributes)."""

    def __init__(self, owner: FlowGraph) -> None:
        self._owner = owner

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self._owner.node_data(key)

    def __contains__(self, key: object) -> bool:
        return key in self._owner.number

    def __iter__(self) -> Iterator[str]:
        return iter(self._owner.order)

    def __len__(self) -> int:
        return len(self._owner.order)

    def __call__(self, data: bool = False) -> Iterator[Any]:
        if not data:
            return iter(self._owner.order)
        return iter(self._owner.all_nodes())


class FlowGraph:
    """A read-only view of the build with the networkx calls the questions use (see the module docstring)."""

    def __init__(self, index: FlowIndex) -> None:
        # ``has_attributes``, not ``edge_order is None``: that would read the edge order (owner never needs it)
        if not index.has_attributes or index.node_order is None:
            raise ValueError("the flow index carries no attributes (it was loaded without its attributes file)")
        self.index = index
        self.graph: dict[str, Any] = index.graph_attrs()
        self.keys = index.keys.all()
        self.order = [self.keys[i] for i in index.node_order.tolist()]
        self.number = {k: i for i, k in enumerate(self.keys)}
        self.nodes = NodeAccess(self)
        self._node_data: dict[int, dict[str, Any]] = {}
        self._all_loaded = False

    # ---- nodes
    def node_data(self, key: str) -> dict[str, Any]:
        """The attributes of node ``key`` (decoded once, then kept); KeyError if there is none."""
        i = self.number[key]
        found = self._node_data.get(i)
        if found is None:
            found = self._node_data[i] = self._wrap(i, self.index.nodes_data([i], holds=False)[0])
        return found

    def _wrap(self, i: int, data: dict[str, Any]) -> dict[str, Any]:
        """A holder's attributes with its holdings left as columns until read (``_Node``)."""
        if "holds" in data and data["holds"] is None:
            return _Node(data, lambda: self.index.holdings_of([i]).get(i, []))
        return data

    def all_nodes(self, *, lazy_holds: bool = False) -> list[tuple[str, dict[str, Any]]]:
        """Every node with its attributes, in the projection's order. With ``lazy_holds`` a
        holder's ``holds`` not yet read is a :class:`~graph.build.heldcols.HeldList` in a copy of
        its attributes: its length, data types, dates, sites and trackers read from the columns,
        its JSON decoded only if a holding is read (the GraphML/GEXF summary reads none)."""
        if not self._all_loaded:
            missing = [i for i in range(len(self.keys)) if i not in self._node_data]
            self._node_data.update((i, self._wrap(i, data)) for i, data in
                                   zip(missing, self.index.nodes_data(missing, holds=False), strict=True))
            self._all_loaded = True
        nodes = [(k, self._node_data[self.number[k]]) for k in self.order]
        if lazy_holds:
            nodes = [(k, self._lazy(self.number[k], data)) for k, data in nodes]
        return nodes

    def _lazy(self, i: int, data: dict[str, Any]) -> dict[str, Any]:
        if isinstance(data, _Node) and data._fill is not None:
            return {**dict(dict.items(data)), "holds": self.index.held_list(i)}
        return data

    def __contains__(self, key: object) -> bool:
        return key in self.number

    def __iter__(self) -> Iterator[str]:
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)

    def number_of_nodes(self) -> int:
        return len(self.order)

    def number_of_edges(self) -> int:
        return self.index.edge_count

    # ---- edges
    def _select(self, edges: np.ndarray, kinds: Iterable[str] | None) -> np.ndarray:
        if kinds is None:
            return edges
        wanted = np.asarray([KINDS.index(k) for k in kinds], dtype=np.uint8)
        return edges[np.isin(self.index.kind[edges], wanted)]

    def _listed(self, edges: np.ndarray, keys: bool, data: bool | str) -> Iterator[tuple[Any, ...]]:
        index, names = self.index, self.keys
        for start in range(0, len(edges), CHUNK):
            at = edges[start:start + CHUNK]
            ends = [(names[u], names[v]) for u, v in zip(index.src[at].tolist(), index.dst[at].tolist(), strict=True)]
            facts = index.facts.take(at) if keys else [None] * len(at)
            if data is False:
                values: list[Any] = [None] * len(at)
            elif data is True:
                values = index.edges_data(at)
            else:
                values = [a.get(data) for a in index.edges_data(at)]
            for (u, v), fact, value in zip(ends, facts, values, strict=True):
                row: tuple[Any, ...] = (u, v)
                if keys:
                    row += (fact,)
                if data is not False:
                    row += (value,)
                yield row

    def edges(self, keys: bool = False, data: bool | str = False, *, kinds: Iterable[str] | None = None,
              edges: np.ndarray | None = None) -> Iterator[tuple[Any, ...]]:
        """``G.edges(keys=..., data=...)`` in the projection's order; ``kinds`` keeps some kinds of
        fact, ``edges`` some edge numbers of the index (in the order given)."""
        chosen = self.index.edge_order if edges is None else np.asarray(edges, dtype=np.int64)
        assert chosen is not None
        return self._listed(self._select(chosen, kinds), keys, data)

    def out_edges(self, node: str, keys: bool = False, data: bool | str = False, *,
                  kinds: Iterable[str] | None = None) -> Iterator[tuple[Any, ...]]:
        """The out-edges of ``node`` in adjacency order, as ``G.out_edges``."""
        order, indptr = self.index.out_edges()
        i = self.number[node]
        return self._listed(self._select(order[indptr[i]:indptr[i + 1]], kinds), keys, data)

    def to_networkx(self, *, lazy_holds: bool = False) -> nx.MultiDiGraph:
        """The projection as a networkx MultiDiGraph (``FlowIndex.to_graph``; ``lazy_holds``:
        holdings decoded when read, see there)."""
        return self.index.to_graph(lazy_holds=lazy_holds)
