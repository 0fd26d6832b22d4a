"""The partner table written as its rows are made (issue 17, item 5: ``table`` within 2× of
its anchor, and no whole table in memory at L).

``partner_rows`` puts the grants in the table's order from the flow index's columns before
any grant is decoded, so the CSV and JSON of ``datareach table`` are written a chunk at a
time. These tests pin what that must not change: the same rows, in the same order, and the
same bytes as the sheet made whole; and that rows really are decoded as they are written.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from graph.build.flowgraph import CHUNK, FlowGraph
from graph.build.flowindex import FlowIndex
from graph.examples import small_graph
from graph.present import formats, sheets
from graph.present.answers import TABLE_COLUMNS, table_sheet
from graph.questions.table import partner_rows, partner_table


def _flow(G: nx.MultiDiGraph) -> FlowGraph:
    return FlowGraph(FlowIndex.from_graph(G))


def _old_order(rows: list) -> list:
    """The order the table had before its rows were streamed: sorted once made."""
    return sorted(rows, key=lambda r: (r["label"].casefold(), r["grantor_label"].casefold(), r["fact"]))


def _many(n: int) -> nx.MultiDiGraph:
    """The small graph with ``n`` more grants between parties whose names differ only in case,
    with fact ids out of order: the sort's every key matters."""
    G = small_graph()
    template = next(a for _, _, a in G.edges(data=True) if a["kind"] == "grant")
    for name in ("acme", "ACME", "Zed", "zed", "beta"):
        G.add_node(f"p-{name}", label=name, kind="company", iri=f"https://example.org/{name}")
    names = ["p-acme", "p-ACME", "p-Zed", "p-zed", "p-beta"]
    for i in range(n):
        u, v = names[i % 5], names[(i * 7 + 1) % 5]
        G.add_edge(u, v, key=f"g{(i * 7919) % n:05d}", **{**template, "id": f"g{i}"})
    return G


@pytest.mark.parametrize("G", [small_graph(), _many(3 * CHUNK + 17)], ids=["small", "many"])
def test_rows_from_the_flow_index_are_the_projections_in_the_old_order(G: nx.MultiDiGraph) -> None:
    from_nx, from_index = partner_table(G), partner_table(_flow(G))
    assert json.dumps(from_index) == json.dumps(from_nx)
    assert [r["fact"] for r in from_nx] == [r["fact"] for r in _old_order(from_nx)]


def test_filters_give_the_same_rows_streamed() -> None:
    G = _many(500)
    for filters in ({"companies": ["acme"]}, {"grantors": ["Facebook"]}, {"data_types": ["phone number"]},
                    {"statuses": ["active"]}):
        assert json.dumps(list(partner_rows(_flow(G), **filters))) == json.dumps(partner_table(G, **filters))


def test_rows_are_decoded_as_they_are_written(monkeypatch: pytest.MonkeyPatch) -> None:
    F = _flow(_many(4 * CHUNK))
    decoded: list[int] = []
    real = F.index.edges_data
    monkeypatch.setattr(F.index, "edges_data", lambda edges: decoded.append(len(edges)) or real(edges))
    rows = partner_rows(F)
    assert decoded == []  # nothing decoded before the first row is asked for
    next(rows)
    assert sum(decoded) <= CHUNK
    assert sum(1 for _ in rows) + 1 == len(partner_table(F))


def test_csv_chunks_are_the_sheet_csv() -> None:
    G = _many(300)
    rows = partner_table(G)
    whole = sheets.sheet_csv(table_sheet(rows))
    assert "".join(sheets.csv_chunks(TABLE_COLUMNS, partner_rows(_flow(G)))) == whole
    headers, body = [c.key for c in TABLE_COLUMNS], [[r[c.key] for c in TABLE_COLUMNS] for r in rows]  # type: ignore[literal-required]
    assert list(formats.csv_chunks(headers, body, size=7))[-2:] != [""]  # more than one chunk
    assert "".join(formats.csv_chunks(headers, body, size=7)) == formats.csv_text(headers, body)


def test_csv_cells_stay_spreadsheet_safe_when_streamed() -> None:
    assert "".join(formats.csv_chunks(["a"], [["=1+1"], ["-x"], [["@p", "q"]]], size=1)) == "a\n'=1+1\n'-x\n'@p; q\n"


def test_json_chunks_are_the_json_text() -> None:
    rows = partner_table(_many(50))
    for size in (1, 7, 4096):
        assert "".join(formats.json_list_chunks(rows, size=size)) == formats.json_text(rows)
    assert "".join(formats.json_list_chunks([])) == formats.json_text([])


def test_each_row_has_its_own_citations() -> None:
    """Citations are made once per distinct claim, but a row's are its own to change."""
    rows = partner_table(_flow(_many(20)))
    same = [r for r in rows if r["sources"] and r["sources"][0]["source"] == rows[0]["sources"][0]["source"]]
    assert len(same) > 1
    same[0]["sources"][0]["locator"] = "changed"
    assert same[1]["sources"][0]["locator"] != "changed"


def test_bench_reads_reuses_a_build_of_unchanged_inputs(tmp_path: Path) -> None:
    """bench/bench_reads.py builds only when the build is stale (it rebuilt on every run)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from bench_reads import stale

    from graph.build.compiled import ensure_built
    from graph.examples import SMALL

    source = str(SMALL)
    assert stale(source, tmp_path)
    ensure_built([source], tmp_path)
    assert not stale(source, tmp_path)


@pytest.mark.parametrize("G", [small_graph(), _many(40)], ids=["small", "many"])
def test_owner_finds_a_company_as_the_name_index_does(G: nx.MultiDiGraph) -> None:
    from graph.errors import NotFoundError
    from graph.questions.owner import company_named
    from graph.questions.resolve import company_index, find_company

    F, index = _flow(G), company_index(G)
    names = [n for node, a in G.nodes(data=True) for n in (a.get("label") or node, *(a.get("aliases") or []), node)]
    for name in [*names, *(n.upper() for n in names), *(f"  {n} " for n in names), "Facebook, Inc."]:
        assert company_named(F, name) == find_company(index, name, kind="company or domain"), name
    with pytest.raises(NotFoundError):
        company_named(F, "no such company")
