"""reach's level-by-level array search against a plain Dijkstra on (hops, disputed hops, name).

The array search must pick, for every node, the same hop count and the same edge as
a textbook priority-queue search with the documented tie-breaking; random skewed
multigraphs with disputed edges, self-loops, parallel edges and two tiers of starts
try the corners.
"""

from __future__ import annotations

import heapq
import random

import networkx as nx
import numpy as np
import pytest

from graph.build.flowindex import FlowIndex
from graph.questions.reach import _search

Edge = tuple[str, str, str]


def dijkstra(tiers: list[list[str]], edges: list[Edge], disputed: set[Edge]) -> dict[str, tuple[int, Edge | None]]:
    """The reference: a priority queue on (hops, disputed hops, node name); edges in adjacency order;
    a later tier starts only from what earlier tiers left unreached, and cannot enter it."""
    adjacency: dict[str, list[Edge]] = {}
    for edge in edges:
        adjacency.setdefault(edge[0], []).append(edge)
    best: dict[str, tuple[int, int, Edge | None]] = {}
    for tier in tiers:
        frozen = set(best)
        heap = [(0, 0, node) for node in sorted(set(tier) - frozen)]
        best.update({node: (0, 0, None) for _, _, node in heap})
        while heap:
            hops, hits, node = heapq.heappop(heap)
            if (hops, hits) > best[node][:2]:
                continue
            for edge in adjacency.get(node, []):
                cost = (hops + 1, hits + (edge in disputed))
                if edge[1] not in frozen and (edge[1] not in best or cost < best[edge[1]][:2]):
                    best[edge[1]] = (*cost, edge)
                    heapq.heappush(heap, (*cost, edge[1]))
    return {node: (hops, edge) for node, (hops, _, edge) in best.items()}


def random_graph(seed: int) -> tuple[nx.MultiDiGraph, set[Edge]]:
    rng = random.Random(seed)
    n = rng.randint(2, 40)
    names = [f"c{rng.randrange(10**6):06d}-{i}" for i in range(n)]  # node order differs from name order
    G = nx.MultiDiGraph(taxonomy={}, integrations={}, sources={})
    for name in names:
        G.add_node(name, kind="company", label=name, iri=name, holds=[])
    disputed: set[Edge] = set()
    for i in range(rng.randint(0, 4 * n)):
        u = names[min(n - 1, int(rng.paretovariate(1.0)) - 1)]
        v = rng.choice(names)
        key = f"g{i}"
        is_disputed = rng.random() < 0.3
        G.add_edge(u, v, key=key, kind="grant", data_types=[], permissions=[], integration=None,
                   valid_from=None, stated_end=None, status="active", disputed=is_disputed, evidence=[])
        if is_disputed:
            disputed.add((u, v, key))
    return G, disputed


@pytest.mark.parametrize("seed", range(300))
def test_the_array_search_finds_what_dijkstra_finds(seed: int) -> None:
    G, disputed = random_graph(seed)
    rng = random.Random(-seed)
    names = list(G.nodes)
    tiers = [rng.sample(names, rng.randint(1, min(3, len(names)))), rng.sample(names, rng.randint(0, min(4, len(names))))]
    kept = [e for e in G.edges(keys=True) if rng.random() < 0.8]
    expected = dijkstra(tiers, kept, disputed)

    index = FlowIndex.from_graph(G)
    number = {index.node_key(i): i for i in range(index.node_count)}
    position = {(index.node_key(int(index.src[e])), index.node_key(int(index.dst[e])), index.facts[e]): e
                for e in range(index.edge_count)}
    mask = np.zeros(index.edge_count, dtype=bool)
    mask[[position[e] for e in kept]] = True
    tree = _search(index, [[number[n] for n in tier] for tier in tiers], mask)

    got = {}
    for i in np.flatnonzero(tree.hops >= 0).tolist():
        e = int(tree.pred[i])
        edge = None if e < 0 else (index.node_key(int(index.src[e])), index.node_key(int(index.dst[e])), index.facts[e])
        got[index.node_key(i)] = (int(tree.hops[i]), edge)
    assert got == expected


def test_the_array_search_handles_no_edges_and_no_starts() -> None:
    G, _ = random_graph(1)
    G.remove_edges_from(list(G.edges))
    index = FlowIndex.from_graph(G)
    empty = np.zeros(0, dtype=bool)
    assert (_search(index, [[0]], empty).hops == np.array([0] + [-1] * (index.node_count - 1))).all()
    assert (_search(index, [[], []], empty).hops == -1).all()


@pytest.mark.parametrize("seed", range(60))
def test_each_party_gets_the_surest_level_that_reaches_it(seed: int) -> None:
    """Certainty (issue 13): a party's level is the least L at which it is reached from a
    start at least that sure over edges at least that sure, and its hops are the shortest there."""
    from graph.questions.reach import _Edges, _found, _Holder

    G, _ = random_graph(seed)
    rng = random.Random(seed + 1000)
    index = FlowIndex.from_graph(G)
    levels = np.asarray([rng.choice([0, 1, 2, 3]) for _ in range(index.edge_count)], dtype=np.int8)
    edges = _Edges(level=levels, carried=levels, undated=np.zeros(index.edge_count, dtype=bool))
    holders = {n: _Holder("stated", rng.choice([0, 1, 2])) for n in rng.sample(range(index.node_count), min(2, index.node_count))}
    found = _found(index, holders, edges, 2)
    got = {int(n): (int(lv), int(h)) for n, lv, h in zip(found.nodes, found.level, found.hops, strict=True)}
    expected = {}
    for level in (2, 1, 0):
        H = nx.DiGraph()
        H.add_nodes_from(range(index.node_count))
        H.add_edges_from((int(index.src[e]), int(index.dst[e])) for e in range(index.edge_count) if levels[e] <= level)
        starts = [h for h, held in holders.items() if held.level <= level]
        lengths: dict[int, int] = {}
        for s in starts:
            for node, d in nx.single_source_shortest_path_length(H, s).items():
                lengths[node] = min(d, lengths.get(node, d))
        expected.update({node: (level, d) for node, d in lengths.items()})
    assert got == expected
