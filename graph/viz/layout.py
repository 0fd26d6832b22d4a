"""Where nodes go and how big they are, computed once in Python for the HTML view.

The browser never runs a physics simulation (PERF.md §4: pyvis' default physics draws
nothing for 27 s at 500 nodes and never at 5,000). Up to ``SMALL`` nodes the layout is
networkx's ``spring_layout``; above it, a grid-approximated Fruchterman–Reingold in
numpy that is linear in the number of nodes per iteration (networkx's own takes about
1.7 s per iteration at 5,000 nodes). Without numpy, nodes go on a spiral.

Node size follows PageRank on the collapsed flow graph (a node that data flows *to*
from many well-connected parties ranks high); in-degree stands in without scipy.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    import numpy as np

SMALL = 300
Pos = dict[Hashable, tuple[float, float]]


def positions(nodes: Sequence[Hashable], edges: Iterable[tuple[Hashable, Hashable]], *, seed: int = 7) -> Pos:
    """x, y in pixels for every node: each connected component laid out alone, then packed.

    >>> pos = positions(["a", "b", "c", "d"], [("a", "b"), ("b", "c")])
    >>> sorted(pos) == ["a", "b", "c", "d"] and all(len(p) == 2 for p in pos.values())
    True
    """
    U = nx.Graph()
    U.add_nodes_from(nodes)
    U.add_edges_from((u, v) for u, v in edges if u != v)
    parts = sorted((sorted(c, key=str) for c in nx.connected_components(U)), key=lambda c: (-len(c), str(c[0])))
    boxes = [_place(U, part, seed) for part in parts if len(part) > 1]
    alone = [part[0] for part in parts if len(part) == 1]
    if alone:
        boxes.append(_grid(alone))
    return _shelf(sorted(boxes, key=lambda box: -box[1]))


def layered(columns: Sequence[Sequence[Hashable]], *, aside: Iterable[Hashable] = (), rows: int = 18,
            column_gap: float = 330.0, sub_gap: float = 230.0, row_gap: float = 70.0) -> Pos:
    """A left-to-right layout: one column per step (the data type, its holders, 1 hop, 2 hops…).

    A column of more than ``rows`` nodes wraps into side-by-side sub-columns, so a step keeps
    its place from left to right; ``aside`` (group nodes) goes in a block right of the last column.

    >>> pos = layered([["dt"], ["a", "b"], ["c"]])
    >>> pos["dt"][0] < pos["a"][0] == pos["b"][0] < pos["c"][0]
    True
    """
    out: Pos = {}
    x = 0.0
    blocks = [(column, row_gap) for column in columns] + [(list(aside), row_gap * 1.4)]
    for column, gap in blocks:
        if not column:
            continue
        height = min(len(column), rows)
        for i, node in enumerate(column):
            sub, row = divmod(i, rows)
            out[node] = (x + sub * sub_gap, (row - (height - 1) / 2) * gap)
        x += (math.ceil(len(column) / rows) - 1) * sub_gap + column_gap
    return out


def _grid(nodes: list[Hashable], gap: float = 120.0) -> tuple[Pos, float]:
    """Unconnected nodes in a square block."""
    cols = math.ceil(math.sqrt(len(nodes)))
    half = cols * gap / 2
    return {n: ((i % cols) * gap - half + gap / 2, (i // cols) * gap - half + gap / 2) for i, n in enumerate(nodes)}, half + 60


def _place(U: nx.Graph, part: list[Hashable], seed: int) -> tuple[Pos, float]:
    """One component centred on (0, 0), and half the side of the square it needs."""
    radius = 140.0 * math.sqrt(len(part))
    try:
        import numpy  # noqa: F401
    except ImportError:
        return _spiral(part, radius), radius + 60
    if len(part) <= SMALL:
        raw = nx.spring_layout(U.subgraph(part), seed=seed, iterations=200)
        return {n: (float(x) * radius, float(y) * radius) for n, (x, y) in raw.items()}, radius + 60
    edges = list(U.subgraph(part).edges())
    return _grid_fr(part, edges, radius, seed), radius + 60


def _shelf(boxes: list[tuple[Pos, float]]) -> Pos:
    """Pack squares left to right in rows, biggest first."""
    if not boxes:
        return {}
    row_width = max(2.2 * math.sqrt(sum((2 * half) ** 2 for _, half in boxes)), 2 * boxes[0][1])
    out: Pos = {}
    x = y = row_height = 0.0
    for placed, half in boxes:
        if x > 0 and x + 2 * half > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for n, (px, py) in placed.items():
            out[n] = (px + x + half, py + y + half)
        x += 2 * half
        row_height = max(row_height, 2 * half)
    return out


def _spiral(nodes: list[Hashable], radius: float) -> Pos:
    out: Pos = {}
    for i, n in enumerate(nodes):
        r = radius * math.sqrt((i + 0.5) / max(len(nodes), 1))
        a = i * 2.399963  # the golden angle spreads points evenly
        out[n] = (r * math.cos(a), r * math.sin(a))
    return out


def _grid_fr(nodes: list[Hashable], pairs: list[tuple[Hashable, Hashable]], radius: float, seed: int,
             iterations: int = 40, cells: int = 24) -> Pos:
    """Fruchterman–Reingold where each node is pushed by grid-cell centroids, not by every node.

    Positions are complex numbers, so ``d / |d|²`` is ``1 / conj(d)``: one pass per term.
    """
    import numpy as np

    index = {n: i for i, n in enumerate(nodes)}
    src = np.array([index[u] for u, _ in pairs], dtype=np.int64)
    dst = np.array([index[v] for _, v in pairs], dtype=np.int64)
    n = len(nodes)
    rng = np.random.default_rng(seed)
    z = (rng.random(n) + 1j * rng.random(n)).astype(np.complex64)
    k2 = np.float32(1.0 / n)
    temp = 0.1
    for step in range(iterations):
        disp = k2 * _repulsion(z, cells) + _attraction(z, src, dst, n, float(np.sqrt(k2))) - 0.05 * (z - (0.5 + 0.5j))
        length = np.maximum(np.abs(disp), 1e-9)
        z = (z + disp / length * np.minimum(length, temp)).astype(np.complex64)
        temp = 0.1 * (1 - (step + 1) / (iterations + 1)) + 0.002
    z = (z - np.median(z.real) - 1j * np.median(z.imag)).astype(np.complex128)
    r = np.abs(z)
    edge = float(np.percentile(r, 95)) or 1.0
    far = r > edge  # stragglers go to the rim instead of stretching the drawing
    z[far] = z[far] / r[far] * edge * (1 + 0.05 * rng.random(int(far.sum())))
    z = z * (radius / edge)
    return {node: (float(z[i].real), float(z[i].imag)) for node, i in index.items()}


def _repulsion(z: np.ndarray, cells: int) -> np.ndarray:
    """Sum over occupied grid cells of mass · d / |d|², d from the cell's centroid to the node."""
    import numpy as np

    lo_x, lo_y = z.real.min(), z.imag.min()
    span_x, span_y = max(z.real.max() - lo_x, 1e-9), max(z.imag.max() - lo_y, 1e-9)
    cx = np.clip(((z.real - lo_x) / span_x * cells).astype(np.int64), 0, cells - 1)
    cy = np.clip(((z.imag - lo_y) / span_y * cells).astype(np.int64), 0, cells - 1)
    flat = cx * cells + cy
    mass = np.bincount(flat, minlength=cells * cells)
    sum_x = np.bincount(flat, weights=z.real, minlength=cells * cells)
    sum_y = np.bincount(flat, weights=z.imag, minlength=cells * cells)
    full = mass > 0
    centre = ((sum_x[full] + 1j * sum_y[full]) / mass[full]).astype(np.complex64)
    weight = mass[full].astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = 1 / np.conj(z[:, None] - centre[None, :])
    inverse[~np.isfinite(inverse)] = 0
    return np.asarray((inverse * weight[None, :]).sum(axis=1))


def _attraction(z: np.ndarray, src: np.ndarray, dst: np.ndarray, n: int, k: float) -> np.ndarray:
    """Each edge pulls its ends together with force |d|² / k."""
    import numpy as np

    delta = z[src] - z[dst]
    force = delta * (np.abs(delta) / k)
    real = np.bincount(dst, weights=force.real, minlength=n) - np.bincount(src, weights=force.real, minlength=n)
    imag = np.bincount(dst, weights=force.imag, minlength=n) - np.bincount(src, weights=force.imag, minlength=n)
    return real + 1j * imag


def rank(G: nx.MultiDiGraph) -> dict[Hashable, float]:
    """A 0–1 importance per node: PageRank on the collapsed flow graph, scaled to its maximum.

    >>> from graph.examples import small_graph
    >>> scores = rank(small_graph())
    >>> max(scores.values())
    1.0
    """
    D = nx.DiGraph()
    D.add_nodes_from(G.nodes)
    D.add_edges_from((u, v) for u, v, kind in G.edges(data="kind") if kind != "ownership")
    if D.number_of_nodes() == 0:
        return {}
    try:
        raw = nx.pagerank(D)
    except (ImportError, nx.PowerIterationFailedConvergence):
        raw = {n: float(D.in_degree(n) + 1) for n in D}
    top = max(raw.values()) or 1.0
    return {n: value / top for n, value in raw.items()}
