"""The table, the exports, owner and viz read the build row by row (graph.build.flowgraph), and
``projection()`` is rebuilt from the same files: every answer must be the one the networkx
projection gives, byte for byte, on the bundled dataset, the fixtures and a generated one."""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph.build import compiled
from graph.build.flowgraph import FlowGraph
from graph.build.flowindex import FlowIndex
from graph.build.folder import current
from graph.build.loader import load
from graph.build.projection import project
from graph.export import writers
from graph.questions.owner import ultimate_owner
from graph.questions.table import partner_table, table_facets
from tests.conftest import FIXTURES, REPO, SOURCES, build_file


def _text(G: nx.MultiDiGraph) -> str:
    return json.dumps(nx.node_link_data(G, edges="edges"), ensure_ascii=False)


def _reference(paths: list[Path]) -> nx.MultiDiGraph:
    """The projection as the build made it, read back the way projection.json was (JSON round trip)."""
    G = project(load(paths).index)  # type: ignore[arg-type]
    return nx.node_link_graph(json.loads(_text(G)), directed=True, multigraph=True, edges="edges")


def _generated(tmp: Path) -> list[Path]:
    spec = importlib.util.spec_from_file_location("gen", REPO / "bench" / "gen.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.generate("XS", tmp / "xs")
    return [tmp / "xs"]


CASES = {"default": lambda tmp: [SOURCES], "small": lambda tmp: [FIXTURES / "small.yaml"],
         "lists": lambda tmp: [FIXTURES / "lists.yaml"], "owner-conflict": lambda tmp: [FIXTURES / "owner-conflict"],
         "domain-conflict": lambda tmp: [FIXTURES / "domain-conflict"], "generated": _generated}


@pytest.fixture(scope="module", params=list(CASES))
def both(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[nx.MultiDiGraph, FlowGraph, Path]:
    tmp = tmp_path_factory.mktemp(request.param)
    paths = CASES[request.param](tmp)
    out = tmp / "out"
    compiled.build(paths, out)
    return _reference(paths), compiled.flow_graph(paths, out), out


def test_the_build_writes_no_networkx_graph_and_projection_is_rebuilt_equal(both: Any) -> None:
    G, _, out = both
    assert not build_file(out, "projection.json").exists()
    assert build_file(out, "attributes.json").exists()
    found = current(out)
    assert found is not None
    assert _text(compiled.projection_of(found)) == _text(G)


def _rows(G: Any, **filters: Any) -> str:
    return json.dumps(partner_table(G, **filters), ensure_ascii=False)


def test_table_equal_with_every_filter(both: Any) -> None:
    G, F, _ = both
    assert _rows(F) == _rows(G)
    assert json.dumps(table_facets(F, partner_table(F))) == json.dumps(table_facets(G, partner_table(G)))
    grants = [(u, v, a) for u, v, a in G.edges(data=True) if a["kind"] == "grant"]
    if not grants:
        return
    u, v, a = grants[len(grants) // 2]
    cases: list[dict[str, Any]] = [
        {"companies": [v]}, {"companies": [G.nodes[u]["label"]]}, {"grantors": [u]},
        {"statuses": [a["status"]]}, {"statuses": ["shut down", "unknown"]},
        {"on_by_default": True}, {"on_by_default": False}, {"whose_data": "users"},
        {"sources": [a["evidence"][0]["source"]]} if a["evidence"] else {},
    ]
    if a["data_types"]:
        cases.append({"data_types": [a["data_types"][0]]})
        cases.append({"data_types": [a["data_types"][0]], "companies": [u], "statuses": [a["status"]]})
    if a.get("integration"):
        cases.append({"integrations": [a["integration"]]})
    for named in G.graph.get("lists", {}):
        cases.append({"within": named})
    for filters in cases:
        assert _rows(F, **filters) == _rows(G, **filters), filters


@pytest.mark.parametrize("fmt", writers.FORMATS)
def test_export_equal_byte_for_byte(both: Any, fmt: str, tmp_path: Path) -> None:
    G, F, _ = both
    before, after = writers.export(G, tmp_path / f"before.{fmt}", fmt), writers.export(F, tmp_path / f"after.{fmt}", fmt)
    assert before.read_bytes() == after.read_bytes()


def test_graphml_stream_is_networkx_own_output(both: Any) -> None:
    """The streaming writer gives the bytes networkx.write_graphml gives for portable(G)."""
    G, F, _ = both
    H = writers.portable(G)
    for _, _, attrs in H.edges(data=True):
        attrs.pop("id")
    expected = io.BytesIO()
    nx.write_graphml(H, expected, encoding="utf-8")
    for graph in (G, F):
        got = io.StringIO()
        writers.graphml_stream(graph, got)
        assert got.getvalue().encode("utf-8") == expected.getvalue()
    assert nx.utils.graphs_equal(nx.read_graphml(io.BytesIO(expected.getvalue()), force_multigraph=True),
                                 nx.read_graphml(io.BytesIO(got.getvalue().encode()), force_multigraph=True))


def test_owner_equal_for_every_company_and_domain(both: Any) -> None:
    G, F, _ = both
    owned = {u for u, _, kind in G.edges(data="kind") if kind == "ownership"}
    names = sorted(owned) + sorted(G.graph.get("domains", {}))[:40] + [n for n in list(G)[:5]]
    for name in names:
        assert json.dumps(ultimate_owner(F, name).to_json()) == json.dumps(ultimate_owner(G, name).to_json()), name


def test_flow_graph_reads_only_the_rows_it_is_asked(both: Any) -> None:
    """Owner and a one-company table decode a few rows, not every edge."""
    G, F, _ = both
    index = F.index
    decoded: list[int] = []
    original = index.edges_data

    def counting(edges: Any) -> Any:
        decoded.append(len(edges))
        return original(edges)

    index.edges_data = counting  # type: ignore[method-assign]
    try:
        grantee = next((v for _, v, kind in G.edges(data="kind") if kind == "grant"), None)
        if grantee is None:
            return
        partner_table(F, companies=[grantee])
        wanted = sum(1 for u, v, kind in G.edges(data="kind") if kind == "grant" and grantee in (u, v))
        assert sum(decoded) == wanted
    finally:
        del index.edges_data


def _save_small_index(folder: Path) -> FlowIndex:
    """The example graph's flow index, saved in ``folder``: flows.npz, evidence.json, attributes.json."""
    from graph.examples import small_graph

    index = FlowIndex.from_graph(small_graph())
    (folder / "evidence.json").write_bytes(bytes(index.evidence_file()))
    (folder / "attributes.json").write_bytes(bytes(index.attributes_file()))
    with (folder / "flows.npz").open("wb") as fh:
        index.save(fh)
    return index


def test_an_index_loaded_without_its_attributes_is_refused_not_misread(tmp_path: Path) -> None:
    from graph.examples import small_graph

    index = _save_small_index(tmp_path)
    bare = FlowIndex.load(tmp_path / "flows.npz", tmp_path / "evidence.json")
    assert not bare.has_attributes
    with pytest.raises(ValueError, match="no attributes"):
        FlowGraph(bare)
    full = FlowIndex.load(tmp_path / "flows.npz", tmp_path / "evidence.json", tmp_path / "attributes.json")
    assert _text(full.to_graph()) == _text(small_graph())
    (tmp_path / "other.json").write_bytes(bytes(index.attributes_file())[:-1] + b"x")
    with pytest.raises(ValueError, match="not the attributes"):
        FlowIndex.load(tmp_path / "flows.npz", tmp_path / "evidence.json", tmp_path / "other.json")


def test_damaged_attributes_file_rebuilds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = [FIXTURES / "small.yaml"]
    compiled.build(paths, out)
    path = build_file(out, "attributes.json")
    data = bytearray(path.read_bytes())
    data[-3:] = b"zzz"  # the token at its end no longer the build's
    path.write_bytes(bytes(data))
    messages: list[str] = []
    F = compiled.flow_graph(paths, out, progress=messages.append)
    assert any("rebuilding" in m for m in messages)
    assert F.nodes["spotify"]["label"] == "Spotify"


@pytest.fixture
def npz_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every array read from a ``.npz``, one entry per read."""
    import numpy as np

    reads: list[str] = []
    original = np.lib.npyio.NpzFile.__getitem__

    def counting(self: Any, key: str) -> Any:
        reads.append(key)
        return original(self, key)

    monkeypatch.setattr(np.lib.npyio.NpzFile, "__getitem__", counting)
    return reads


# what owner may read: names, labels and its hops' ends, facts, attributes and evidence
OWNER_READS = {"meta", "keys_blob", "keys_offsets", "labels_blob", "labels_offsets", "node_order", "node_span",
               "src", "dst", "kind", "facts_blob", "facts_offsets", "attr_span", "evidence_span"}


def test_owner_reads_only_the_arrays_it_uses(seed_build: Path, npz_reads: list[str]) -> None:
    """owner reads names, labels and the ownership hops' arrays, each once: no data-type or
    permission codes, IRIs, edge order or holdings (at L they were 4/5 of what it read)."""
    from click.testing import CliRunner

    from graph.cli.main import main
    from tests.conftest import SEED

    answer = ultimate_owner(compiled.flow_graph([SEED], seed_build), "Instagram").to_json()
    assert answer["ultimate_owners"] == ["Facebook"] and answer["chains"][0]
    result = CliRunner().invoke(main, ["-q", "--out", str(seed_build), "--sources", str(SEED), "owner", "Instagram",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == answer
    assert set(npz_reads) <= OWNER_READS, sorted(set(npz_reads) - OWNER_READS)
    assert len(npz_reads) == 2 * len(set(npz_reads)), "each array read once per load"


def test_reach_reads_the_codes_owner_leaves(seed_build: Path, npz_reads: list[str]) -> None:
    """The spy sees what is read: reach decides its filters on the code arrays."""
    from graph.questions.reach import reach
    from tests.conftest import SEED

    assert reach(compiled.flows([SEED], seed_build), "phone number").to_json()["companies"]
    assert {"code_data_types", "code_permissions", "src", "dst"} <= set(npz_reads)
    assert "node_span" not in npz_reads and "attr_span" not in npz_reads  # loaded without the attributes file


def test_a_loaded_index_reversed_and_copied_reads_lazily(tmp_path: Path) -> None:
    """``reversed`` (reach --into) swaps the ends without reading what is not read yet."""
    from graph.examples import small_graph

    index = _save_small_index(tmp_path)
    loaded = FlowIndex.load(tmp_path / "flows.npz", tmp_path / "evidence.json", tmp_path / "attributes.json")
    back = loaded.reversed()
    assert "codes" not in back.__dict__ and "iris" not in back.__dict__
    assert back.src.tolist() == index.dst.tolist() and back.dst.tolist() == index.src.tolist()
    assert loaded.src.tolist() == index.src.tolist()
    assert {k: v.tolist() for k, v in back.codes.items()} == {k: v.tolist() for k, v in index.codes.items()}
    assert _text(loaded.to_graph()) == _text(small_graph())
