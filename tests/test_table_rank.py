"""The partner table and the rankings: library answers and every output format of the CLI."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import SEED

from graph.build import compiled
from graph.cli.main import main
from graph.errors import NotFoundError
from graph.examples import SMALL, small_graph
from graph.questions.rank import MEASURES, rank
from graph.questions.resolve import resolve_company
from graph.questions.table import COLUMNS, partner_table

PARTNERS = {"Amazon", "Apple", "Microsoft", "Netflix", "Royal Bank of Canada", "Spotify", "Yahoo"}


@pytest.fixture(scope="module")
def out(seed_build: Path) -> Path:
    """The session's build of the seed articles' dataset (read only here)."""
    return seed_build


@pytest.fixture(scope="module")
def G(out: Path) -> nx.MultiDiGraph:
    return compiled.projection([SEED], out)


def run(out: Path, *args: str, sources: Path | None = None) -> Any:
    pre = ["-q", "--out", str(out), "--sources", str(SEED if sources is None else sources)]
    return CliRunner().invoke(main, [*pre, *args])


def labels(rows: list[dict[str, Any]]) -> set[str]:
    return {r["label"] for r in rows}


# ---------------------------------------------------------------------------------------------
# partner table (library)


def test_table_has_the_seven_grants_of_the_articles(G: nx.MultiDiGraph) -> None:
    rows = partner_table(G)
    assert len(rows) == 7
    assert labels(rows) == PARTNERS
    assert {(r["grantor"], r["grantor_label"]) for r in rows} == {("facebook", "Facebook")}
    assert not labels(rows) & {"Blackberry", "The New York Times", "Pandora", "Instagram", "WhatsApp", "public"}
    for r in rows:
        assert set(COLUMNS) <= set(r)
        assert r["sources"], f"{r['company']} is uncited"
        assert all(s["locator"] and s["url"] and s["publisher"] for s in r["sources"])
    assert [r["label"] for r in rows] == sorted((r["label"] for r in rows), key=str.casefold)


def test_spotify_row(G: nx.MultiDiGraph) -> None:
    (r,) = partner_table(G, companies=["Spotify"])
    assert (r["grantor_label"], r["label"], r["integration"]) == ("Facebook", "Spotify", "messaging integration")
    assert (r["grantor"], r["company"]) == ("facebook", "spotify")  # slugs; the names are the labels
    assert r["permissions"] == ["read", "write", "delete"]
    assert set(r["data_types"]) == {"private message", "message thread participants"}
    assert "sign in" in r["activation"]
    assert (r["status"], r["last_observed_active"]) == ("unknown", "2017")
    assert r["fact"] == "facebook-spotify-messaging"
    assert {s["locator"] for s in r["sources"]} >= {'¶10 ("read, write and delete")'}
    assert all(s["stance"] == "asserts" for s in r["sources"])
    assert "Spotify" in {d["claimant"] for d in r["disputes"]}  # "completely unaware of the access"
    assert all(d["stance"] == "disputes" for d in r["disputes"])


def test_other_rows_match_the_articles(G: nx.MultiDiGraph) -> None:
    by_company = {r["label"]: r for r in partner_table(G)}
    assert by_company["Apple"]["overrode_privacy_setting"] is True  # despite account settings (Techly ¶25)
    assert {"calendar entries", "phone number"} <= set(by_company["Apple"]["data_types"])
    assert set(by_company["Amazon"]["data_types"]) == {"name", "contact information"}
    assert {c for c, r in by_company.items() if r["status"] == "active"} == {"Amazon", "Apple"}  # Techly ¶16
    assert by_company["Microsoft"]["data_types"] == ["friends list"]
    assert by_company["Microsoft"]["integration"] == "search integration"
    assert by_company["Yahoo"]["data_types"] == ["posts"]
    rbc = by_company["Royal Bank of Canada"]["disputes"]
    assert any(d["claimant"] == "Royal Bank of Canada" and d["aspect"] is None for d in rbc)


@pytest.mark.parametrize(("name", "expected"), [
    ("Bing", {"Microsoft"}), ("bing", {"Microsoft"}), ("RBC", {"Royal Bank of Canada"}),
    ("royal bank of canada", {"Royal Bank of Canada"}), ("royal-bank-of-canada", {"Royal Bank of Canada"}),
    ("Spotify", {"Spotify"}), ("Facebook", PARTNERS), ("Blackberry", set()),
])
def test_table_company_filter(G: nx.MultiDiGraph, name: str, expected: set[str]) -> None:
    assert labels(partner_table(G, companies=[name])) == expected


def test_table_company_filter_repeatable_and_unknown(G: nx.MultiDiGraph) -> None:
    assert labels(partner_table(G, companies=["Bing", "RBC"])) == {"Microsoft", "Royal Bank of Canada"}
    assert resolve_company(G, "Bing") == "microsoft"
    with pytest.raises(NotFoundError) as err:
        partner_table(G, companies=["Bingo"])
    assert "Bing" in err.value.suggestions


@pytest.mark.parametrize(("data_type", "expected"), [
    ("phone number", {"Amazon", "Apple"}),          # Amazon: broader contact information
    ("contact information", {"Amazon", "Apple"}),   # Apple: narrower phone number / address book
    ("email address", {"Amazon"}),
    ("private message", {"Netflix", "Royal Bank of Canada", "Spotify"}),
    ("communications", {"Netflix", "Royal Bank of Canada", "Spotify", "Yahoo"}),
    ("friends list", {"Microsoft"}),
    ("pd:TelephoneNumber", {"Amazon", "Apple"}),
    ("personal data", PARTNERS),
])
def test_table_data_type_filter_is_taxonomy_aware(G: nx.MultiDiGraph, data_type: str, expected: set[str]) -> None:
    assert labels(partner_table(G, data_types=[data_type])) == expected


def test_table_status_filter(G: nx.MultiDiGraph) -> None:
    assert labels(partner_table(G, statuses=["active"])) == {"Amazon", "Apple"}
    assert labels(partner_table(G, statuses=["unknown"])) == PARTNERS - {"Amazon", "Apple"}
    assert partner_table(G, statuses=["shut down"]) == []
    assert labels(partner_table(G, statuses=["active"], data_types=["phone number"], companies=["Apple"])) == {"Apple"}


# ---------------------------------------------------------------------------------------------
# partner table (CLI formats)


def test_table_json_and_default_text(out: Path) -> None:
    result = run(out, "table", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 7 and labels(rows) == PARTNERS
    text = run(out, "table")
    assert text.exit_code == 0
    assert all(h in text.stdout for h in ("company", "integration", "data accessible", "user activation"))
    assert "Sources:" in text.stdout and "Techly" in text.stdout


def test_table_csv_one_row_per_grant(out: Path) -> None:
    result = run(out, "table", "--format", "csv")
    assert result.exit_code == 0, result.output
    reader = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(reader[0]) == COLUMNS  # the fields of the JSON rows, in the same order
    assert len(reader) == 7 and {r["label"] for r in reader} == PARTNERS
    spotify = next(r for r in reader if r["company"] == "spotify")
    assert spotify["permissions"] == "read; write; delete"
    assert "Spotify" in spotify["disputes"]
    assert "https://www.techly.com.au/" in spotify["sources"] and "¶10" in spotify["sources"]


def test_table_markdown(out: Path) -> None:
    result = run(out, "table", "--format", "md", "--company", "Spotify")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| company | grantor | integration |")
    assert lines[1].startswith("|---|")
    body = [line for line in lines[2:] if line.startswith("| ")]
    assert len(body) == 1 and body[0].startswith("| Spotify | Facebook | messaging integration |")
    assert "read; write; delete" in body[0]
    assert "- [1] Techly" in result.stdout


def test_table_html_page(out: Path) -> None:
    result = run(out, "table", "--format", "html")
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page
    assert page.count("<tr class=") == 7
    assert "<script" not in page


def test_table_filters_through_the_cli(out: Path) -> None:
    def companies(*args: str) -> set[str]:
        result = run(out, "table", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return labels(json.loads(result.stdout))

    assert companies("--company", "Bing") == {"Microsoft"}
    assert companies("--company", "RBC", "--company", "Spotify") == {"Royal Bank of Canada", "Spotify"}
    assert companies("--data-type", "phone number") == {"Amazon", "Apple"}
    assert companies("--status", "active") == {"Amazon", "Apple"}
    assert companies("--status", "shut down") == set()
    bad = run(out, "table", "--company", "Bingo")
    assert bad.exit_code == 1 and "did you mean 'Bing'" in bad.stderr and bad.stdout == ""
    bad = run(out, "table", "--data-type", "phone nubmer")
    assert bad.exit_code == 1 and "did you mean 'phone number'" in bad.stderr


HOSTILE = """\
    sources:
      - {id: s1, publisher: Example Press, title: A report, date: "2020-01-01", url: "https://example.org/r"}
    companies:
      - name: Holder Co
      - name: "<script>alert(1)</script>"
      - name: "=cmd|' /C calc'!A0"
    holdings:
      - {holder: Holder Co, data_types: [private message], evidence: [{source: s1, locator: "¶1"}]}
    grants:
      - id: g1
        grantor: Holder Co
        grantee: "<script>alert(1)</script>"
        integration: messaging integration
        data_types: [private message]
        permissions: [read]
        activation: '=HYPERLINK("http://evil.example","click")'
        status: active
        evidence: [{source: s1, locator: "¶2"}]
      - id: g2
        grantor: Holder Co
        grantee: "=cmd|' /C calc'!A0"
        integration: messaging integration
        data_types: [private message]
        permissions: [read]
        status: active
        evidence: [{source: s1, locator: "¶3"}]
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hostile")
    facts = root / "hostile.yaml"
    facts.write_text(textwrap.dedent(HOSTILE), encoding="utf-8")
    compiled.build([facts], root / "out")
    return facts, root / "out"


def test_html_escapes_a_hostile_company_name(hostile: tuple[Path, Path]) -> None:
    facts, out = hostile
    result = run(out, "table", "--format", "html", sources=facts)
    assert result.exit_code == 0, result.output
    assert "<script>alert(1)</script>" not in result.stdout
    assert "<script" not in result.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.stdout
    md = run(out, "table", "--format", "md", sources=facts)
    assert "<script>" not in md.stdout and "&lt;script&gt;" in md.stdout


def test_csv_neutralises_formula_cells(hostile: tuple[Path, Path]) -> None:
    facts, out = hostile
    for args in (["table", "--format", "csv"], ["reach", "private message", "--format", "csv"],
                 ["rank", "--format", "csv"]):
        result = run(out, *args, sources=facts)
        assert result.exit_code == 0, result.output
        cells = [c for r in csv.reader(io.StringIO(result.stdout)) for c in r]
        assert not [c for c in cells if c.startswith(("=", "+", "@"))], args
        assert "'=cmd|' /C calc'!A0" in cells, args
    table = list(csv.DictReader(io.StringIO(run(out, "table", "--format", "csv", sources=facts).stdout)))
    script_row = next(r for r in table if r["label"] == "<script>alert(1)</script>")
    assert script_row["activation"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"


# ---------------------------------------------------------------------------------------------
# rank


@pytest.mark.parametrize("by", MEASURES)
@pytest.mark.parametrize("through_ownership", [False, True])
def test_rank_lists_companies_only_in_order(G: nx.MultiDiGraph, by: str, through_ownership: bool) -> None:
    rows = rank(G, by=by, through_ownership=through_ownership)
    assert "public" not in {r["company"] for r in rows}
    assert {r["kind"] for r in rows} == {"company"}
    assert {r["company"] for r in rows} == {n for n, k in G.nodes(data="kind") if k == "company"}
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    for i, r in enumerate(rows):  # a place is 1 + the number of companies scored higher: ties share it
        assert r["rank"] == 1 + sum(1 for other in rows if other["score"] > r["score"])
        assert r["tied"] == scores.count(r["score"])
        if i and r["score"] == rows[i - 1]["score"]:  # within a place, by name
            assert r["label"].casefold() >= rows[i - 1]["label"].casefold()
    assert all(r["measure"] == by for r in rows)
    for top in (1, 3):
        assert rank(G, by=by, top=top, through_ownership=through_ownership) == rows[:top]


def test_ties_share_a_place_and_the_answer_says_so(tmp_path: Path) -> None:
    """A crawl states holdings, not flows: no measure tells its trackers apart, and the answer
    must not read as a ranking of them (the first found by name at place 1)."""
    facts = tmp_path / "crawl.yaml"
    facts.write_text("""
sources:
  - {id: crawl, publisher: Example crawl, title: Trackers seen, date: 2018-01, url: https://example.org/crawl}
companies:
  - {id: zeta, name: Zeta Ads}
  - {id: alpha, name: Alpha Metrics}
  - {id: mid, name: Mid Analytics}
holdings:
  - {holder: Zeta Ads, data_types: [pages visited], site: a.example, evidence: [{source: crawl, locator: row 1}]}
  - {holder: Alpha Metrics, data_types: [pages visited], site: b.example, evidence: [{source: crawl, locator: row 2}]}
  - {holder: Mid Analytics, data_types: [pages visited, phone number], site: c.example, evidence: [{source: crawl, locator: row 3}]}
""", encoding="utf-8")
    out = tmp_path / "out"
    between = run(out, "rank", "--by", "betweenness", "--top", "2", sources=facts)
    assert between.exit_code == 0, between.output
    lines = between.stdout.splitlines()
    assert [line.split()[0] for line in lines[3:5]] == ["1", "1"]  # Alpha, Mid: both first, by name
    assert "3 companies share place 1 (betweenness 0.0)" in between.stdout
    assert "--top shows 2 of them" in between.stdout
    by_reach = json.loads(run(out, "rank", "--format", "json", sources=facts).stdout)
    assert [(r["label"], r["rank"], r["tied"]) for r in by_reach] == [
        ("Mid Analytics", 1, 1), ("Alpha Metrics", 2, 2), ("Zeta Ads", 2, 2)]
    plain = run(out, "rank", "--format", "csv", "--top", "2", sources=facts)
    assert "note:" not in plain.stdout and "2 companies share place 2: --top shows 1 of them" in plain.stderr


def test_rank_by_reach_on_the_default_dataset(G: nx.MultiDiGraph) -> None:
    rows = {r["company"]: r for r in rank(G, by="reach")}
    assert next(iter(rows)) == "facebook"
    # Amazon: name 1 + contact information, phone, email, address book 2 each + personal data ½ (partial)
    assert rows["amazon"]["score"] == 9.5
    assert "phone number" in rows["amazon"]["details"]
    assert "contact information (partial)" in rows["apple"]["details"]
    assert rows["blackberry"]["score"] == 0.0 and rows["blackberry"]["details"] == []


def test_ownership_makes_facebook_a_broker(G: nx.MultiDiGraph) -> None:
    plain = {r["company"]: r["score"] for r in rank(G, by="betweenness")}
    owning = {r["company"]: r["score"] for r in rank(G, by="betweenness", through_ownership=True)}
    assert plain["facebook"] == 0.0
    assert owning["facebook"] > 0.0  # Instagram/WhatsApp → Facebook → partners
    assert rank(G, by="pagerank", through_ownership=True)[0]["company"] == "facebook"


def test_rank_reach_scores_on_the_small_fixture() -> None:
    rows = rank(small_graph(), by="reach")
    # issue 13: Facebook's grant of "contact information" no longer makes it a holder of
    # email addresses (it is stated to hold none), so neither it nor Apple reaches them.
    assert [(r["company"], r["score"]) for r in rows] == [
        ("facebook", 11.5), ("apple", 6.5), ("spotify", 4.5), ("amazon", 1.5), ("example-holdings", 0.0)]
    spotify = next(r for r in rows if r["company"] == "spotify")
    assert spotify["details"] == ["communications (partial)", "personal data (partial)", "private message"]
    owning = {r["company"]: r["score"] for r in rank(small_graph(), by="reach", through_ownership=True)}
    assert owning["example-holdings"] == 4.5  # reaches what Spotify reaches


@pytest.mark.parametrize("through_ownership", [False, True])
def test_rank_scores_equal_networkx_on_a_plainly_collapsed_graph(through_ownership: bool) -> None:
    """PageRank and betweenness from the flow index equal networkx's on the multigraph
    collapsed by hand (weight: the number of grants and incidents joining two parties)."""
    from browser.synthetic import synthetic_graph

    from graph.questions.reach import flow_index

    G = synthetic_graph(300, seed=3)
    nodes = sorted(G)
    for i in range(0, 40, 4):  # a few subsidiaries → parents
        G.add_edge(nodes[i], nodes[i + 1], key=f"own-{i}", kind="ownership", data_types=[], permissions=[],
                   integration=None, valid_from=None, stated_end=None, status="ownership", disputed=False, evidence=[])
    D = nx.DiGraph()
    D.add_nodes_from(G)
    for u, v, attrs in G.edges(data=True):
        if attrs["kind"] != "ownership" or through_ownership:
            D.add_edge(u, v, weight=D.get_edge_data(u, v, {"weight": 0})["weight"] + 1)
    companies = {n for n, kind in G.nodes(data="kind") if kind == "company"}
    for by, expected in (("pagerank", nx.pagerank(D, weight="weight")), ("betweenness", nx.betweenness_centrality(D))):
        for source in (G, flow_index(G)):
            got = {r["company"]: r["score"] for r in rank(source, by=by, through_ownership=through_ownership)}
            assert got == pytest.approx({n: round(s, 6) for n, s in expected.items() if n in companies}, abs=2e-6)


def test_rank_rejects_an_unknown_measure(G: nx.MultiDiGraph) -> None:
    with pytest.raises(ValueError):
        rank(G, by="popularity")


def test_rank_cli(out: Path, tmp_path: Path) -> None:
    for by in MEASURES:
        result = run(out, "rank", "--by", by, "--top", "3", "--format", "json")
        assert result.exit_code == 0, result.output
        rows = json.loads(result.stdout)
        assert len(rows) == 3 and all(r["kind"] == "company" for r in rows)
        assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    small = run(tmp_path / "out", "rank", "--by", "reach", "--format", "json", sources=SMALL)
    assert small.exit_code == 0, small.output
    assert [(r["company"], r["score"]) for r in json.loads(small.stdout)][:2] == [("facebook", 11.5), ("apple", 6.5)]  # issue 13: see test_rank_reach_scores_on_the_small_fixture
    text = run(out, "rank", "--top", "2")
    assert text.exit_code == 0 and "Facebook" in text.stdout and "Yahoo" not in text.stdout
    rows = list(csv.reader(io.StringIO(run(out, "rank", "--format", "csv", "--top", "4").stdout)))
    assert rows[0] == ["rank", "company", "label", "score", "measure", "details"] and len(rows) == 5
    assert run(out, "rank", "--top", "0").exit_code == 2
    assert run(out, "rank", "--by", "popularity").exit_code == 2
