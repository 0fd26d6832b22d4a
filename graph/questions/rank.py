"""Who are the hubs and brokers of data: rank companies by betweenness, PageRank or reach.

- ``betweenness``: how often a company lies on the shortest flows between others (a broker);
- ``pagerank``: how much data flows end up with a company (a hub), edges weighted by
  how many grants or incidents join two parties;
- ``reach``: how many data types a company could reach, each weighted by its
  sensitivity (1–3 in the taxonomy); a partial reach counts half.

Scores are computed over every party (the public included, as a sink of flows) but only
companies are listed.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from graph.build.flowindex import KINDS
from graph.errors import UsageError
from graph.questions.reach import flow_index, parties, taxonomy
from graph.records import RankRow

if TYPE_CHECKING:
    import networkx as nx

    from graph.build.flowindex import FlowIndex

MEASURES = ("betweenness", "pagerank", "reach")


def flow_graph(G: nx.MultiDiGraph | FlowIndex, *, through_ownership: bool = False) -> nx.DiGraph:
    """Collapse the multigraph to one weighted edge per ordered pair of parties (nodes and
    edges in the order of their names, so sampled measures do not depend on how the graph
    was read).

    >>> from graph.examples import small_graph
    >>> D = flow_graph(small_graph())
    >>> D["facebook"]["spotify"]["weight"]
    1
    """
    import networkx as nx
    import numpy as np

    index = flow_index(G)
    n = index.node_count
    keep = np.ones(index.edge_count, dtype=bool) if through_ownership else index.kind != KINDS.index("ownership")
    pairs, weights = np.unique(index.src[keep].astype(np.int64) * n + index.dst[keep], return_counts=True)
    keys = index.keys.all()
    D = nx.DiGraph()
    D.add_nodes_from(keys)
    D.add_weighted_edges_from((keys[p // n], keys[p % n], w) for p, w in zip(pairs.tolist(), weights.tolist(), strict=True))
    return D


def rank(G: nx.MultiDiGraph | FlowIndex, *, by: str = "pagerank", top: int | None = None, through_ownership: bool = False,
         sample: int | None = None) -> list[RankRow]:
    """Companies ordered by the chosen measure, highest first. Companies with the same score
    share a place (1, 2, 2, 4) and are listed by name; ``tied`` says how many companies, in the
    whole ranking and not only the ``top`` shown, have that score: a place shared by hundreds
    (a crawl's trackers, which no flow between parties tells apart) is not a ranking.

    ``G`` is a projected graph or its FlowIndex (``compiled.flows`` loads one fast).
    Betweenness counts paths from the parties that pass data on (``betweenness``): exact by
    default, or estimated from ``sample`` of them, drawn by out-degree, for large graphs.

    Parameters
    ----------
    G : networkx.MultiDiGraph or FlowIndex
        The data-flow graph.
    by : {"pagerank", "betweenness", "reach"}
        The measure; ``reach`` weighs the data types each company could reach by sensitivity.
    top : int, optional
        Keep the first ``top`` rows.
    through_ownership : bool
        Count ownership edges as flows.
    sample : int, optional
        Betweenness estimated from that many sources, drawn by out-degree.

    Returns
    -------
    list of RankRow
        ``rank`` (the place, shared by ties), ``company`` (slug), ``label``, ``score``,
        ``measure``, ``details`` and ``tied`` (how many companies have this score).

    Examples
    --------
    >>> from graph.examples import small_graph
    >>> [(r["company"], r["score"]) for r in rank(small_graph(), by="reach", top=2)]
    [('facebook', 11.5), ('apple', 6.5)]
    >>> [(r["rank"], r["company"], r["tied"]) for r in rank(small_graph(), by="pagerank")]
    [(1, 'amazon', 3), (1, 'apple', 3), (1, 'spotify', 3), (4, 'example-holdings', 2), (4, 'facebook', 2)]
    """
    import networkx as nx

    if by not in MEASURES:
        raise UsageError(f"unknown measure '{by}': use one of {', '.join(MEASURES)}")
    index = flow_index(G)  # converted once for every measure's needs
    D = flow_graph(index, through_ownership=through_ownership)
    if by == "betweenness":
        scores = betweenness(D, sample)
        details: dict[str, list[str]] = {}
    elif by == "pagerank":
        scores = nx.pagerank(D, weight="weight") if len(D) > 0 else {}
        details = {}
    else:
        scores, details = _reach_scores(index, through_ownership)
    kinds = index.meta["node_kinds"]
    names = {key: (label, kinds[kind]) for key, label, kind in zip(index.keys.all(), index.labels.all(),
                                                                   index.node_kind.tolist(), strict=True)}
    found = sorted(((round(float(s), 6), n) for n, s in scores.items() if names[n][1] == "company"),
                   key=lambda pair: (-pair[0], names[pair[1]][0].casefold()))
    sharing = Counter(score for score, _ in found)
    rows: list[RankRow] = []
    for i, (score, n) in enumerate(found, 1):
        place = rows[-1]["rank"] if rows and rows[-1]["score"] == score else i  # ties share a place: 1, 2, 2, 4
        rows.append({"company": n, "label": names[n][0], "kind": names[n][1], "score": score, "measure": by,
                     "details": details.get(n, []), "rank": place, "tied": sharing[score]})
    return rows if top is None else rows[:top]


def betweenness(D: nx.DiGraph, sample: int | None = None) -> dict[str, float]:
    """Normalised betweenness of every node of ``D``, counted from the nodes that can pass
    data on: a shortest path starts at a node with an out-edge, so the others are skipped.
    Exact (equal to ``networkx.betweenness_centrality(D)``) when ``sample`` is None or covers
    every such node; else an estimate from ``sample`` of them drawn by out-degree (fixed
    seed), scaled up by how many were left out.

    >>> import networkx as nx
    >>> D = nx.DiGraph([("a", "b"), ("b", "c"), ("b", "d")])
    >>> betweenness(D) == nx.betweenness_centrality(D)
    True
    """
    import networkx as nx
    import numpy as np

    n = len(D)
    senders = [v for v in D if D.out_degree(v) > 0]
    targets = [v for v in D if D.in_degree(v) > 0]
    chosen, factor = senders, 1.0
    if sample is not None and 0 < sample < len(senders):
        weights = np.asarray([D.out_degree(v) for v in senders], dtype=float)
        picked = np.random.default_rng(0).choice(len(senders), size=sample, replace=False, p=weights / weights.sum())
        chosen, factor = [senders[i] for i in sorted(picked.tolist())], len(senders) / sample
    raw = nx.betweenness_centrality_subset(D, chosen, targets, normalized=False)
    scale = factor / ((n - 1) * (n - 2)) if n > 2 else 0.0
    return {v: s * scale for v, s in raw.items()}


def _reach_scores(index: FlowIndex, through_ownership: bool) -> tuple[dict[str, float], dict[str, list[str]]]:
    tax = taxonomy(index)
    scores: dict[str, float] = dict.fromkeys(index.keys.all(), 0.0)
    details: dict[str, list[str]] = {n: [] for n in scores}
    for concept in tax.concepts:
        for company, _hops, partial in parties(index, concept.slug, through_ownership=through_ownership):
            scores[company] += concept.sensitivity * (0.5 if partial else 1.0)
            details[company].append(concept.label + (" (partial)" if partial else ""))
    return scores, details
