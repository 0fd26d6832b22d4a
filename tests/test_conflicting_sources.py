"""Sources that disagree are shown as disagreeing, beyond ownership (issue 13, item 8): "the
same goes for any fact two sources state differently". The made-up fixture
``tests/fixtures/conflicting-grants.yaml`` has a 2019 source stating a grant active and a
2020 source stating the same grantor → grantee → integration shut down."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from graph.build.conflicts import field_conflicts
from graph.build.loader import load
from graph.build.projection import project
from graph.cli.main import main
from graph.examples import small_graph
from graph.present.answers import table_sheet
from graph.present.sheets import html_cells, sheet_csv
from graph.questions.reach import reach
from graph.questions.table import partner_table

FIXTURE = Path(__file__).parent / "fixtures" / "conflicting-grants.yaml"


def _graph():  # type: ignore[no-untyped-def]
    return project(load([FIXTURE]).g)


def test_two_sources_stating_a_grant_differently_conflict_on_status_newest_first() -> None:
    rows = {r["fact"]: r for r in partner_table(_graph(), companies=["Example Partner"])}
    for fact in ("platform-partner-2019", "platform-partner-2020"):
        [conflict] = rows[fact]["conflicts"]  # "2018" and "2018-03" agree; one stated end is no conflict
        assert conflict["field"] == "status"
        assert [(v["value"], v["fact"], v["newest_date"]) for v in conflict["values"]] == [
            ("shut down", "platform-partner-2020", "2020-09-15"), ("active", "platform-partner-2019", "2019-04-01")]
        assert [(s["publisher"], s["date"], s["locator"]) for s in conflict["values"][0]["sources"]] == [
            ("Example News", "2020-09-15", "¶2")]


def test_a_grant_on_one_source_has_no_conflict() -> None:
    [row] = partner_table(_graph(), companies=["Example Other Partner"])
    assert row["conflicts"] == []
    assert all(r["conflicts"] == [] for r in partner_table(small_graph()))


def test_one_source_stating_two_grants_differently_is_no_conflict() -> None:
    claims = [{"source": "s1", "stance": "asserts"}]
    a = {"id": "a", "status": "active", "evidence": claims}
    b = {"id": "b", "status": "shut down", "evidence": claims}
    assert field_conflicts([a, b], ["status"]) == []  # type: ignore[list-item]
    unknown = {"id": "c", "status": "unknown", "evidence": [{"source": "s2", "stance": "asserts"}]}
    assert field_conflicts([a, unknown], ["status"]) == []  # type: ignore[list-item]


def test_table_marks_the_conflict_in_text_csv_html_and_details_it_in_json(tmp_path: Path) -> None:
    args = ["-q", "-s", str(FIXTURE), "--out", str(tmp_path / "out"), "table", "--company", "Example Partner"]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert text.stdout.count("sources disagree: status") == 2
    data = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    rows = data["rows"] if isinstance(data, dict) else data
    assert {r["conflicts"][0]["field"] for r in rows} == {"status"}
    sheet = table_sheet(partner_table(_graph(), companies=["Example Partner"]))
    csv = sheet_csv(sheet)
    assert csv.splitlines()[0].split(",")[-2:] == ["conflicts", "fact"]
    assert "status: shut down (Example News 2020-09-15 ¶2 <https://example.org/news-2020>) vs active" in csv
    assert any('<span class="badge conflict">sources disagree: status</span>' in c for row in html_cells(sheet) for c in row)


def test_reach_hop_carries_the_conflicts_of_its_fact() -> None:
    rows = {r["company"]: r for r in reach(_graph(), "email address").rows}
    [hop] = rows["example-partner"]["path"]
    assert [c["field"] for c in hop["conflicts"]] == ["status"]
    assert [v["value"] for v in hop["conflicts"][0]["values"]] == ["shut down", "active"]
    [other] = rows["example-other-partner"]["path"]
    assert "conflicts" not in other


def test_incident_records_judged_the_same_that_state_a_date_differently_conflict(tmp_path: Path) -> None:
    lists = Path(__file__).parent / "fixtures" / "lists.yaml"
    assert project(load([lists]).g).graph["conflicts"] == {}  # the blog states no date: nothing to disagree on
    text = lists.read_text(encoding="utf-8").replace(
        'recipients: [public]\n    evidence: [{source: fixture-blog', 'occurred: "2020"\n    recipients: [public]\n    evidence: [{source: fixture-blog')
    (tmp_path / "lists.yaml").write_text(text, encoding="utf-8")
    G = project(load([tmp_path / "lists.yaml"]).g)
    [(edge, [conflict])] = G.graph["conflicts"].items()
    assert conflict["field"] == "occurred"
    assert sorted((v["fact"], v["value"]) for v in conflict["values"]) == [
        ("fixture-scrape-blog", "2020"), ("fixture-scrape-report", "2019")]
    hops = [h for r in reach(G, "phone number").rows for h in r["path"] if h["kind"] == "incident"]
    assert hops and all([c["field"] for c in h["conflicts"]] == ["occurred"] for h in hops)
