"""Holdings as columns of the flow index (issue 17): a crawl's hundreds of thousands of holdings
are arrays and a span-indexed JSON, decoded only for the holdings an answer shows.

A generated holdings CSV (a few thousand rows, a holder column, made-up "Gen … Co" companies)
is built; reach's holders are checked against the holdings read one by one from the
projection with the one date rule (``graph.dates.held_at``), as reach read them before the
columns; owner and the table are checked to decode no holding at all."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graph import dates
from graph.build.heldcols import Held
from graph.build.project import Project
from graph.cli.main import main
from graph.questions.owner import ultimate_owner
from graph.questions.reach import reach
from graph.questions.table import partner_table

COMPANIES = [f"Gen {i} Co" for i in range(40)]
TYPES = ["pages visited", "cookie identifier", "online identifier", "email address"]
MONTHS = ["2018-01", "2018-02", "2018-03", "2018-04", "2018-05", "2018-06"]
ROWS = 3000


def _write_sources(folder: Path) -> None:
    rng = random.Random(17)
    folder.mkdir(parents=True)
    grants = "".join(
        f"  - {{grantor: {COMPANIES[i]}, grantee: {COMPANIES[i + 1]}, integration: SDK, data_types: [pages visited],"
        f" permissions: [read], valid_from: \"2017\", evidence: [{{source: gen-crawl, locator: \"grant {i}\"}}]}}\n"
        for i in range(0, 30, 3))
    (folder / "gen.yaml").write_text(
        "sources:\n  - {id: gen-crawl, publisher: Gen, title: A generated crawl, date: \"2018-07\","
        " url: \"https://example.org/gen\"}\n"
        "  - {id: gen-other, publisher: Gen, title: Another, date: \"2016\", url: \"https://example.org/other\"}\n"
        "companies:\n" + "".join(f"  - {{name: {c}}}\n" for c in COMPANIES) + "grants:\n" + grants, encoding="utf-8")
    with open(folder / "crawl.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "holder", "data_types", "from", "integration", "site", "observed", "valid_from",
                      "valid_until", "share", "note", "source", "locator"])
        for row in range(1, ROWS + 1):
            holder = COMPANIES[min(int(rng.paretovariate(1.2)) - 1, len(COMPANIES) - 1)]
            types = ";".join(sorted(set(rng.sample(TYPES, rng.randint(1, 2)))))
            dated = rng.random()
            observed = rng.choice(MONTHS) if dated < 0.8 else ""
            valid_from, valid_until = ("2018-02", "2018-04") if 0.8 <= dated < 0.9 else ("", "")
            out.writerow([f"gen-{row}", holder, types, "users of sites that embed it" if row % 2 else "",
                          "tracking" if row % 3 else "", f"site{row % 97}.example", observed, valid_from, valid_until,
                          f"0.{row % 1000:03d}", f"row {row}", "gen-crawl" if row % 5 else "gen-other", f"row {row}"])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("heldcols")
    _write_sources(root / "sources")
    project = Project.of(root / "sources", root / "out")
    project.build()
    return project


def _expected(G: Any, slug: str, as_of: str | None, sources: set[str] | None) -> dict[str, list[str]]:
    """Holder → locators of its holdings stating ``slug``, read one by one (the pre-column rule)."""
    day = None if as_of is None else dates.parse(as_of)[0]
    out: dict[str, list[str]] = {}
    for node, attrs in G.nodes(data=True):
        for h in attrs.get("holds") or []:
            if slug not in h["data_types"]:
                continue
            if day is not None and dates.held_at(h.get("observed"), h.get("valid_from"), h.get("valid_until"), day) is False:
                continue
            if sources is not None and not any(c["source"] in sources for c in h["evidence"] if c["stance"] == "asserts"):
                continue
            out.setdefault(node, []).extend(c["locator"] for c in h["evidence"])
    return out


@pytest.mark.parametrize(("as_of", "sources"), [(None, None), ("2018-03", None), ("2018-06-15", None),
                                                ("2019", None), ("2018-02", ("gen-other",))])
def test_reach_holders_equal_the_holdings_read_one_by_one(project: Project, as_of: str | None,
                                                           sources: tuple[str, ...] | None) -> None:
    G = project.projection()
    assert sum(len(a.get("holds") or []) for _, a in G.nodes(data=True)) == ROWS
    expected = _expected(G, "cookie-identifier", as_of, None if sources is None else set(sources))
    answer = reach(project.flows(), "cookie identifier", as_of=as_of, sources=sources or ()).to_json()
    holders = {r["company"]: [s["locator"] for s in r["holder_sources"]] for r in answer["companies"] if r["holder"]}
    assert holders == expected and expected
    # the same question on the in-memory projection (its holdings never written to a file) gives the same answer
    assert json.dumps(reach(G, "cookie identifier", as_of=as_of, sources=sources or ()).to_json()) == json.dumps(answer)


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many holdings were decoded, one entry per call."""
    calls: list[int] = []
    original = Held.decode

    def counting(self: Held, blob: Any, rows: Any) -> Any:
        calls.append(len(rows))
        return original(self, blob, rows)

    monkeypatch.setattr(Held, "decode", counting)
    return calls


def test_owner_and_table_decode_no_holding(project: Project, decoded: list[int]) -> None:
    assert ultimate_owner(project.flow_graph(), "Gen 0 Co").start == "Gen 0 Co"
    assert partner_table(project.flow_graph())
    for args in (["owner", "Gen 0 Co"], ["table"]):
        result = CliRunner().invoke(main, ["-q", "--out", str(project.out), "--sources", str(project.sources[0]),
                                           *args, "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)
    assert decoded == []


def test_reach_decodes_only_the_holdings_of_the_rows_it_shows(project: Project, decoded: list[int]) -> None:
    index = project.flows()
    rows = reach(index, "pages visited", limit=2).to_json()["companies"]
    shown = [r for r in rows if r["holder"] and not r["path"]]
    assert shown and sum(decoded) == sum(len(r["holder_sources"]) for r in shown) < ROWS


def test_sites_and_dates_columns_equal_the_holdings_read_one_by_one(project: Project) -> None:
    index, G = project.flows(), project.projection()
    keys = index.keys.all()
    holders = 0
    for node, attrs in G.nodes(data=True):
        holds = attrs.get("holds") or []
        columns = index.held_list(keys.index(node))
        assert len(columns) == len(holds)
        assert columns.distinct("sites") == list(dict.fromkeys(h["site"] for h in holds if h.get("site")))
        assert columns.distinct("trackers") == []  # the generated CSV names none
        assert columns.distinct("dates") == [list(d) for d in dict.fromkeys(
            (h.get("observed"), h.get("valid_from"), h.get("valid_until")) for h in holds)]
        assert not columns.decoded
        holders += bool(holds)
    assert holders > 10
