"""The mutation corpus of test_shapecheck, one mutation at a time: the compiled checks see each at
its focus node and give pySHACL's verdict on the graph with it alone (a pySHACL run on the whole
default dataset per mutation, some 75 s of CPU). Their own file, so that pytest-xdist (--dist
loadfile) runs them beside the rest of test_shapecheck instead of after it on the same worker.
"""

from __future__ import annotations

import pytest
from rdflib import Graph
from test_shapecheck import mutations, one_at_a_time, our_results, pyshacl_results

from graph.build.loader import load
from graph.build.triples import TripleIndex
from graph.paths import bundled_sources

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def default_graph() -> Graph:
    return load([bundled_sources()], shacl=False).g

@pytest.fixture(scope="module")
def each_alone(default_graph) -> tuple[list, list[set[tuple]]]:
    """The corpus, and our results on the graph with each mutation alone, computed once for the two
    tests below (an index and a check of the whole graph per mutation: a third of their time)."""
    corpus = mutations(default_graph)
    return corpus, [our_results(TripleIndex(m)) for _, _, m in one_at_a_time(default_graph, corpus)]


@pytest.mark.slow
def test_each_mutation_alone_is_refused_at_its_focus_node(each_alone):
    """Every mutation is seen (at the node it changed), by the checks over the build's own index."""
    corpus, ours = each_alone
    assert len(ours) == len(corpus) >= 100
    for (what, focus, _), found in zip(corpus, ours, strict=True):
        assert focus in {f for f, *_ in found}, what


@pytest.mark.slow
def test_each_mutation_alone_gives_pyshacls_verdict(default_graph, each_alone):
    corpus, ours = each_alone
    for (what, _, m), found in zip(one_at_a_time(default_graph, corpus), ours, strict=True):
        assert found == pyshacl_results(m), what
