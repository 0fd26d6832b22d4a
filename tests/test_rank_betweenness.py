"""Betweenness counted from the parties that can pass data on (issue 17, item 5): exact scores
equal plain networkx's, and a sample draws its sources by out-degree, so a graph where few
parties pass data on never ranks every company at zero."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import pytest

from graph.build.loader import load
from graph.build.projection import project
from graph.examples import small_graph
from graph.questions.rank import betweenness, flow_graph, rank

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from gen import generate  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> nx.DiGraph:
    folder = tmp_path_factory.mktemp("gen-xs")
    generate("XS", folder)
    return flow_graph(project(load(sorted(folder.iterdir())).g))


@pytest.mark.parametrize("seed", range(4))
def test_exact_betweenness_equals_networkx_on_random_graphs_with_many_sinks(seed: int) -> None:
    D = nx.gnp_random_graph(120, 0.04, seed=seed, directed=True)
    D.remove_edges_from([(u, v) for u, v in list(D.edges) if u % 5])  # four in five nodes pass nothing on
    ours, plain = betweenness(D), nx.betweenness_centrality(D)
    assert ours.keys() == plain.keys()
    assert all(ours[v] == pytest.approx(plain[v], abs=1e-12) for v in D)


def test_exact_betweenness_equals_networkx_on_a_generated_dataset(generated: nx.DiGraph) -> None:
    ours, plain = betweenness(generated), nx.betweenness_centrality(generated)
    assert max(plain.values()) > 0
    assert all(ours[v] == pytest.approx(plain[v], abs=1e-12) for v in generated)
    assert betweenness(generated, sample=10**6) == ours  # a sample covering every sender is exact


def test_a_sample_draws_senders_and_finds_the_brokers(generated: nx.DiGraph) -> None:
    senders = sum(1 for v in generated if generated.out_degree(v))
    assert senders < len(generated) / 2  # most parties only receive, as in real data
    plain_sampled = nx.betweenness_centrality(generated, k=5, seed=0)
    estimate = betweenness(generated, sample=5)
    assert max(estimate.values()) > 0
    exact = betweenness(generated)
    top = sorted(exact, key=lambda v: -exact[v])[:5]
    assert sum(1 for v in top if estimate[v] > 0) >= 3
    assert betweenness(generated, sample=5) == estimate  # fixed seed
    assert max(plain_sampled.values()) >= 0  # networkx's uniform draw, for comparison only


def test_rank_by_betweenness_matches_networkx_on_the_small_graph() -> None:
    G = small_graph()
    plain = nx.betweenness_centrality(flow_graph(G))
    for row in rank(G, by="betweenness"):
        assert row["score"] == pytest.approx(round(plain[row["company"]], 6))
