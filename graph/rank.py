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

from typing import TYPE_CHECKING, Any

from graph.reach import flow_index, reach, taxonomy

if TYPE_CHECKING:
    import networkx as nx

MEASURES = ("betweenness", "pagerank", "reach")


def flow_graph(G: nx.MultiDiGraph, *, through_ownership: bool = False) -> nx.DiGraph:
    """Collapse the multigraph to one weighted edge per ordered pair of parties.

    >>> from graph.examples import small_graph
    >>> D = flow_graph(small_graph())
    >>> D["facebook"]["spotify"]["weight"]
    1
    """
    import networkx as nx

    D = nx.DiGraph()
    D.add_nodes_from(G.nodes(data=True))
    for u, v, attrs in G.edges(data=True):
        if attrs["kind"] == "ownership" and not through_ownership:
            continue
        weight = D.get_edge_data(u, v, {"weight": 0})["weight"]
        D.add_edge(u, v, weight=weight + 1)
    return D


def rank(G: nx.MultiDiGraph, *, by: str = "pagerank", top: int | None = None, through_ownership: bool = False,
         sample: int | None = None) -> list[dict[str, Any]]:
    """Companies ordered by the chosen measure, highest first (ties by name).

    ``sample`` limits betweenness to that many source nodes (networkx's ``k``, fixed
    seed) for large graphs; None computes it exactly.

    >>> from graph.examples import small_graph
    >>> [(r["company"], r["score"]) for r in rank(small_graph(), by="reach", top=2)]
    [('facebook', 15.5), ('apple', 10.5)]
    """
    import networkx as nx

    if by not in MEASURES:
        raise ValueError(f"unknown measure '{by}': use one of {', '.join(MEASURES)}")
    D = flow_graph(G, through_ownership=through_ownership)
    if by == "betweenness":
        k = None if sample is None or sample >= len(D) else sample
        scores = nx.betweenness_centrality(D, k=k, seed=0 if k is not None else None)
        details: dict[str, Any] = {}
    elif by == "pagerank":
        scores = nx.pagerank(D, weight="weight") if len(D) > 0 else {}
        details = {}
    else:
        scores, details = _reach_scores(G, through_ownership)
    rows = [{"company": n, "label": G.nodes[n]["label"], "kind": G.nodes[n]["kind"], "score": round(float(s), 6),
             "measure": by, "details": details.get(n, [])} for n, s in scores.items() if G.nodes[n]["kind"] == "company"]
    rows.sort(key=lambda r: (-r["score"], r["label"].casefold()))
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows if top is None else rows[:top]


def _reach_scores(G: nx.MultiDiGraph, through_ownership: bool) -> tuple[dict[str, float], dict[str, list[str]]]:
    tax = taxonomy(G)
    index = flow_index(G)  # converted once for every data type's question
    scores: dict[str, float] = {n: 0.0 for n in G.nodes}
    details: dict[str, list[str]] = {n: [] for n in G.nodes}
    for concept in tax.concepts:
        for row in reach(index, concept.slug, through_ownership=through_ownership).rows:
            scores[row["company"]] += concept.sensitivity * (0.5 if row["partial"] else 1.0)
            details[row["company"]].append(concept.label + (" (partial)" if row["partial"] else ""))
    return scores, details
