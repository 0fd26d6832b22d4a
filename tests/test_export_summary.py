"""GraphML and GEXF summarise a node's holdings (graph.export.heldsummary), not a JSON list.

On the bundled dataset and on the WhoTracks.me fixture imported (built per row and by
columns), the files are read back with networkx and each node's summary is compared with
counts made here: from the projection's holdings read one by one (bundled dataset) and from
the imported holdings CSVs with the standard library (crawl). A build's export decodes no
holding's JSON.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from graph import dates
from graph.build import columnar, compiled
from graph.build.heldcols import Held
from graph.build.loader import load
from graph.build.projection import project
from graph.cli.main import main
from graph.export.heldsummary import SUMMARY
from graph.export.writers import export
from tests.conftest import SOURCES

FIX = Path(__file__).parent / "fixtures" / "whotracksme"
READ = {"graphml": lambda p: nx.read_graphml(p, force_multigraph=True), "gexf": nx.read_gexf}


def _no_json_list(H: nx.Graph) -> None:
    for node, attrs in H.nodes(data=True):
        assert "holds" not in attrs, node
        for value in attrs.values():
            if isinstance(value, str) and value.startswith("["):
                with pytest.raises(ValueError):
                    json.loads(value)


def _dated(holds: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """Earliest start and latest end, each holding's observed period or else its valid dates."""
    starts = [(dates.parse(t)[0], t) for h in holds if (t := h.get("observed") or h.get("valid_from"))]
    ends = [(dates.parse(t)[1], t) for h in holds if (t := h.get("observed") or h.get("valid_until"))]
    return (min(starts)[1] if starts else None), (max(ends)[1] if ends else None)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_bundled_dataset_summary_equals_the_holdings_counted(tmp_path: Path, fmt: str) -> None:
    G = project(load([SOURCES]).index)  # type: ignore[arg-type]
    compiled.build([SOURCES], tmp_path / "out")
    F = compiled.flow_graph([SOURCES], tmp_path / "out")
    held = 0
    for graph in (G, F):
        H = READ[fmt](export(graph, tmp_path / f"g.{fmt}", fmt))
        _no_json_list(H)
        for node, attrs in G.nodes(data=True):
            holds = attrs["holds"]
            got = H.nodes[node]
            first, last = _dated(holds)
            assert got["holdings"] == len(holds), node
            assert got["holdings_data_types"] == "; ".join(sorted({t for h in holds for t in h["data_types"]}))
            assert got["holdings_sites"] == len({h["site"] for h in holds if h.get("site")})
            assert got["holdings_trackers"] == len({h["tracker"] for h in holds if h.get("tracker")})
            assert (got["holdings_first"] or None, got["holdings_last"] or None) == (first, last)
            held += len(holds)
    assert held > 10


def _from_fact_files(folder: Path) -> dict[str, dict[str, Any]]:
    """Holder name → rows, distinct sites and trackers, data types (labels), months: from the CSVs."""
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {"rows": 0, "sites": set(), "trackers": set(),
                                                          "types": set(), "months": set()})
    for path in sorted(folder.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                c = out[row["holder"]]
                c["rows"] += 1
                c["sites"].add(row["site"])
                c["trackers"].add(row["tracker"])
                c["types"] |= set(row["data_types"].split(";"))
                c["months"].add(row["observed"])
    return out


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wtm-summary")
    result = CliRunner().invoke(main, ["-q", "import", "whotracksme", str(FIX), "-o", str(root / "sources")])
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("by_columns", [False, True])
def test_crawl_summary_equals_the_fact_files_counted(crawl: Path, by_columns: bool, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("polars")
    monkeypatch.setattr(columnar, "MIN_BYTES", 0 if by_columns else 1 << 62)
    out = tmp_path / "out"
    compiled.build([crawl / "sources"], out)
    expected = _from_fact_files(crawl / "sources" / "whotracksme-2018-5-17")
    assert len(expected) > 20 and sum(c["rows"] for c in expected.values()) > 200
    decoded: list[int] = []
    original = Held.decode
    monkeypatch.setattr(Held, "decode", lambda self, blob, rows: decoded.append(len(rows)) or original(self, blob, rows))
    for fmt in ("graphml", "gexf"):
        target = tmp_path / f"flows.{fmt}"
        result = CliRunner().invoke(main, ["-q", "-s", str(crawl / "sources"), "--out", str(out),
                                           "export", "--format", fmt, "-o", str(target)])
        assert result.exit_code == 0, result.output
        H = READ[fmt](target)
        _no_json_list(H)
        by_label = {attrs["label"]: attrs for _, attrs in H.nodes(data=True)}
        for name, counted in expected.items():
            got = by_label[name]
            assert got["holdings"] == counted["rows"], name
            assert got["holdings_sites"] == len(counted["sites"]) and got["holdings_trackers"] == len(counted["trackers"])
            assert got["holdings_data_types"] == "; ".join(sorted(t.replace(" ", "-") for t in counted["types"]))
            assert (got["holdings_first"], got["holdings_last"]) == (min(counted["months"]), max(counted["months"]))
        others = [attrs for label, attrs in by_label.items() if label not in expected]  # every company holds some
        assert all(a["holdings"] == 0 and a["holdings_sites"] == 0 and a["holdings_data_types"] == "" for a in others)
        assert set(SUMMARY) <= set(next(iter(by_label.values())))
    assert decoded == []
