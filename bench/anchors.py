"""The plainest library route to each command's answer, as ``python -c`` programs, in one place.

Each anchor is the text of a program run in a fresh process beside the datareach command it
anchors (``bench/sizes.py``). Those already written for the per-part benches are imported from
there, not copied; the ones only ``sizes.py`` needs are defined here:

- ``TABLE``, ``GRAPHML``, ``OWNER``, ``VIZ`` — from ``bench_reads.py`` (argv: the build folder, ...);
- ``SPARQL`` — from ``bench_sparql_store.py`` (argv: the store folder, the query text);
- ``BULK_LOAD`` — from ``bench_columnar.py`` (argv: an N-Triples file; an in-memory store);
- ``BULK_LOAD_DISK`` — the same into an on-disk (RocksDB) store (argv: the file, a new folder),
  for sizes whose in-memory store would not fit (3×L: ~35 GB by PERF.md's L figure);
- ``REACH_BFS`` — scipy's breadth-first search over the grants that can carry a data type
  (the term, its broader and narrower terms, as the taxonomy in the flow index says), from
  the parties stated to hold it (argv: the build folder, the data type's label);
- ``BETWEENNESS_NX`` — networkx's ``betweenness_centrality_subset`` from the nodes with an
  out-edge on the flow graph collapsed to one edge per pair, the edges read with numpy
  (argv: the build folder, then a sample size or ``exact``; a sample is drawn by out-degree);
- ``BETWEENNESS_IGRAPH`` — python-igraph's exact ``betweenness`` on the same collapsed graph;
- ``PASS`` — the interpreter alone.

Every program prints a one-line summary (a count or a top score), kept in the results so a
reader can see both sides answered.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_columnar import ANCHOR as BULK_LOAD  # noqa: E402
from bench_reads import ANCHOR_GRAPHML as GRAPHML  # noqa: E402
from bench_reads import ANCHOR_OWNER as OWNER  # noqa: E402
from bench_reads import ANCHOR_TABLE as TABLE  # noqa: E402
from bench_reads import ANCHOR_VIZ as VIZ  # noqa: E402
from bench_sparql_store import ANCHOR as SPARQL  # noqa: E402

__all__ = ["BETWEENNESS_IGRAPH", "BETWEENNESS_NX", "BULK_LOAD", "BULK_LOAD_DISK", "GRAPHML", "OWNER", "PASS", "REACH_BFS", "SPARQL",
           "TABLE", "VIZ"]

PASS = "pass"

BULK_LOAD_DISK = r"""
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
store.flush()
print(len(store))
"""

REACH_BFS = r"""
import json, sys, numpy as np
from pathlib import Path
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order
folder, label = Path(sys.argv[1]), sys.argv[2]
with np.load(folder / "flows.npz") as data:
    meta = json.loads(data["meta"].tobytes())
    src, dst, kind, codes = data["src"], data["dst"], data["kind"], data["code_data_types"]
    n = len(data["node_kind"])
    hold_node, hold_types = data["hold_node"], data["hold_types"]  # the holdings' columns (flow index FORMAT 5)
concepts = meta["graph"]["taxonomy"]["concepts"]
slug = next(c["slug"] for c in concepts if c["label"] == label)
up = {c["slug"]: set(c.get("broader", [])) for c in concepts}
def closure(start, step):
    seen, todo = set(), [start]
    while todo:
        for s in step(todo.pop()):
            if s not in seen:
                seen.add(s); todo.append(s)
    return seen
related = {slug} | closure(slug, lambda s: up.get(s, ())) | closure(slug, lambda s: [c for c, b in up.items() if s in b])
carries = np.asarray([bool(related & set(types)) for types in meta["tables"]["data_types"]])
mask = (kind == 0) & carries[codes]
held = np.asarray([bool(related & set(types)) for types in meta["hold_tables"]["types"]])
holders = np.unique(hold_node[held[hold_types]]) if len(hold_node) else np.zeros(0, dtype=np.int64)
# one extra node pointing at every holder: a single search from it reaches what any holder reaches
rows = np.concatenate([src[mask], np.full(len(holders), n)])
cols = np.concatenate([dst[mask], np.asarray(holders, dtype=dst.dtype)])
graph = csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n + 1, n + 1))
order = breadth_first_order(graph, n, directed=True, return_predecessors=False)
print(len(order) - 1)
"""

_COLLAPSED = r"""
import sys, numpy as np
from pathlib import Path
folder = Path(sys.argv[1])
with np.load(folder / "flows.npz") as data:
    src, dst, kind = data["src"].astype(np.int64), data["dst"].astype(np.int64), data["kind"]
    n = len(data["node_kind"])
keep = kind != 2  # ownership edges are not flows
pairs = np.unique(src[keep] * n + dst[keep])
u, v = (pairs // n).tolist(), (pairs % n).tolist()
"""

BETWEENNESS_NX = _COLLAPSED + r"""
import networkx as nx
D = nx.DiGraph()
D.add_nodes_from(range(n))
D.add_edges_from(zip(u, v))
senders = [x for x in D if D.out_degree(x) > 0]
targets = [x for x in D if D.in_degree(x) > 0]
if sys.argv[2] != "exact" and int(sys.argv[2]) < len(senders):
    weights = np.asarray([D.out_degree(x) for x in senders], dtype=float)
    picked = np.random.default_rng(0).choice(len(senders), size=int(sys.argv[2]), replace=False, p=weights / weights.sum())
    senders = [senders[i] for i in sorted(picked.tolist())]
scores = nx.betweenness_centrality_subset(D, senders, targets, normalized=False)
print(max(scores.values(), default=0.0) / ((n - 1) * (n - 2)) if n > 2 else 0.0)
"""

BETWEENNESS_IGRAPH = _COLLAPSED + r"""
import igraph as ig
g = ig.Graph(n=n, edges=list(zip(u, v)), directed=True)
scores = g.betweenness(directed=True)
print(max(scores, default=0.0) / ((n - 1) * (n - 2)) if n > 2 else 0.0)
"""
