"""pySHACL's verdicts beside the compiled shapes on bigger graphs: the generated S dataset and the
real shared datasets, imported. The helpers and the mutation corpus are test_shapecheck's; these
tests are their own file so that pytest-xdist (--dist loadfile) can run them beside the per-mutation
tests (test_shapecheck_alone) instead of after them on the same worker.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from test_shapecheck import REPO, mutated, mutations, our_results, pyshacl_results

from graph.build.loader import load
from graph.build.triples import TripleIndex

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def s_graph(tmp_path_factory) -> Graph:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import gen
    finally:
        sys.path.pop(0)
    folder = tmp_path_factory.mktemp("gen-S")
    gen.generate("S", folder)
    return load([folder], shacl=False).g


@pytest.mark.slow
def test_all_mutations_together_give_pyshacls_results_on_s(s_graph):
    assert our_results(TripleIndex(s_graph)) == set()
    corpus = mutations(s_graph)
    assert len(corpus) >= 60
    m = mutated(s_graph, corpus)
    theirs = pyshacl_results(m)
    assert theirs and our_results(TripleIndex(m)) == theirs
    assert {f for _, f, _ in corpus} <= {f for f, *_ in theirs}


# ---------------------------------------------------------------- the real shared datasets, imported

SHARED = Path(os.environ.get("DATAREACH_SHARED_DATA", REPO.parent / "shared" / "data"))
REAL = [
    ("webxray-owners", "webxray_domain_owners_2020/domain_owners.json", ()),
    ("ca-broker-registry", "ca_data_broker_registry_2025/california_data_broker_registry_2025.csv", ()),
    ("ddg-tds", "ddg_tracker_blocklist/android-app-tds.json", ()),
    ("ddg-tds", "ddg_tracker_blocklist/extension-tds.json", (pytest.mark.slow,)),
    ("disconnect", "disconnect_tracking_protection", (pytest.mark.slow,)),
]


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"the shared datasets are not at {SHARED} (set DATAREACH_SHARED_DATA)")
@pytest.mark.parametrize("kind, rel", [pytest.param(k, r, marks=m, id=f"{k}:{Path(r).name}") for k, r, m in REAL])
def test_real_imports_give_pyshacls_results_as_imported_and_mutated(kind, rel, tmp_path):
    from graph.importers import import_file

    g = load([import_file(kind, SHARED / rel, tmp_path / "imported").output], shacl=False).g
    assert our_results(TripleIndex(g)) == pyshacl_results(g) == set()
    corpus = mutations(g)
    m = mutated(g, corpus)
    theirs = pyshacl_results(m)
    assert our_results(TripleIndex(m)) == theirs
    assert {f for _, f, _ in corpus} <= {f for f, *_ in theirs}
