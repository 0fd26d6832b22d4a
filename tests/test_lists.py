"""Named lists, aggregate parties, incidents linked by a judgement, and cited countries
(issue 13, items 5 and 6), on the made-up fixture tests/fixtures/lists.yaml."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, fixture_graph

from graph.build import compiled
from graph.build.fastcheck import compile_schema
from graph.build.loader import load
from graph.build.projection import project
from graph.cli.main import main
from graph.errors import InputError, NotFoundError
from graph.model.vocab import FAST
from graph.questions import lists
from graph.questions.reach import reach
from graph.questions.table import partner_table

LISTS = FIXTURES / "lists.yaml"
LIST = "device partners"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lists-build")
    compiled.build([LISTS], out)
    return out


def run(out: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["-q", "--out", str(out), "--sources", str(LISTS), *args])
    assert result.exit_code == 0, result.output
    return result


def as_json(out: Path, *args: str) -> Any:
    return json.loads(run(out, *args, "--format", "json").stdout)


# ------------------------------------------------------------------ lists


def test_lists_json_carries_the_stated_count_members_named_and_counts_by_status(out: Path) -> None:
    answer = as_json(out, "lists", LIST)
    assert answer["id"] == "fixture-device-partners"
    assert answer["stated_count"] == 5 and answer["total"] == 4
    assert answer["by_status"] == {"to continue": 1, "ended": 2, "unknown": 1}
    assert {m["label"]: m["status"] for m in answer["members"]} == {
        "Alpha Phones": "to continue", "Beta Devices": "ended", "Gamma Tablets": "ended", "Delta Watches": "unknown"}
    assert all(m["sources"] and m["sources"][0]["publisher"] == "Fixture Gazette" for m in answer["members"])
    assert answer["sources"][0]["locator"] == "p. 2"


def test_lists_without_a_name_counts_the_lists(out: Path) -> None:
    answer = as_json(out, "lists")
    assert answer["total"] == 1 and answer["lists"][0]["total"] == 4
    text = run(out, "lists", "--wide").stdout
    assert "5 stated, 4 named; to continue 1, ended 2, unknown 1" in text


def test_lists_text_shows_each_member_with_its_status_and_source(out: Path) -> None:
    text = run(out, "lists", "fixture-device-partners").stdout
    assert "  Alpha Phones: to continue   [1] p. 2, row 1" in text
    assert "Fixture Gazette" in text


def test_unknown_list_is_refused_with_a_message(out: Path) -> None:
    result = CliRunner().invoke(main, ["-q", "--out", str(out), "--sources", str(LISTS), "lists", "no such list"])
    assert result.exit_code != 0 and "unknown list" in result.output
    with pytest.raises(NotFoundError):
        lists.find_list(fixture_graph("lists.yaml"), "nothing like it")


def test_table_list_keeps_grants_of_members_with_their_status(out: Path) -> None:
    answer = as_json(out, "table", "--list", LIST)
    assert answer["total"] == 3 and answer["scope"]["by_status"]["ended"] == 2
    assert {r["label"]: r["list_status"] for r in answer["rows"]} == {
        "Alpha Phones": "to continue", "Beta Devices": "ended", "Delta Watches": "unknown"}
    assert "more than 150 companies" not in run(out, "table", "--list", LIST).stdout


def test_reach_list_keeps_only_members_and_counts_them(out: Path) -> None:
    answer = as_json(out, "reach", "phone number", "--list", LIST)
    assert answer["total"] == 2
    assert [(r["label"], r["list_status"]) for r in answer["companies"]] == [("Alpha Phones", "to continue"),
                                                                           ("Beta Devices", "ended")]
    assert answer["scope"]["stated_count"] == 5
    text = run(out, "reach", "phone number", "--list", LIST, "--wide").stdout
    assert "on the list: ended" in text and "holds it" not in text  # Fixturebook, the holder, is not on the list


def test_reach_list_limit_applies_after_the_scope(out: Path) -> None:
    answer = as_json(out, "reach", "phone number", "--list", LIST, "--limit", "1")
    assert answer["total"] == 2 and [r["label"] for r in answer["companies"]] == ["Alpha Phones"]


def test_list_member_must_be_a_declared_company(write: Any) -> None:
    text = LISTS.read_text(encoding="utf-8").replace("{company: Gamma Tablets,", "{company: Gamma Tablet,")
    with pytest.raises(InputError, match="unknown company 'Gamma Tablet'"):
        load([write("bad.yaml", text)])


# ------------------------------------------------------------------ aggregate parties


def test_aggregate_grantee_is_an_unnamed_party_with_its_count_never_a_company(out: Path) -> None:
    G = fixture_graph("lists.yaml")
    node = G.nodes["aggregate:fixture-many-developers"]
    assert (node["kind"], node["label"], node["party_count"], node["count_qualifier"]) == (
        "aggregate", "more than 150 companies", 150, "more than")
    built = load([LISTS])
    assert not [c for c in built.g.subjects(None, FAST.Company) if "150" in str(c)]
    answer = as_json(out, "reach", "friends list")
    row = next(r for r in answer["companies"] if r["label"] == "more than 150 companies")
    assert (row["kind"], row["party_count"], row["count_qualifier"]) == ("aggregate", 150, "more than")
    assert "unnamed parties, more than 150" in run(out, "reach", "friends list", "--wide").stdout
    grant = next(r for r in as_json(out, "table") if r["label"] == "more than 150 companies")
    assert (grant["kind"], grant["party_count"]) == ("aggregate", 150)


def test_aggregate_name_that_is_a_company_name_is_refused(write: Any) -> None:
    text = LISTS.read_text(encoding="utf-8").replace('name: "unidentified scrapers"', 'name: "Alpha Phones"')
    with pytest.raises(InputError, match="aggregate name 'Alpha Phones' is also a company"):
        load([write("bad.yaml", text)])


# ------------------------------------------------------------------ incidents


def test_incident_recipient_can_be_unnamed_scrapers(out: Path) -> None:
    answer = as_json(out, "reach", "phone number")
    row = next(r for r in answer["companies"] if r["label"] == "unidentified scrapers")
    assert row["kind"] == "aggregate" and row["party_count"] is None and row["via_incident"]


def test_incidents_judged_the_same_are_one_incident_with_both_sources(out: Path) -> None:
    G = fixture_graph("lists.yaml")
    incident_keys = {k for _, _, k, a in G.edges(keys=True, data=True) if a["kind"] == "incident"}
    assert incident_keys == {"fixture-scrape-blog"}
    answer = as_json(out, "reach", "phone number")
    hop = next(r for r in answer["companies"] if r["company"] == "public")["path"][0]
    assert {s["source"] for s in hop["sources"]} == {"fixture-report", "fixture-blog"}
    assert hop["same_as"] == ["fixture-scrape-report"]


def test_incident_feature_closed_is_a_cited_date(out: Path) -> None:
    G = fixture_graph("lists.yaml")
    extra = G.graph["incidents"]["fixture-scrape-blog"]
    assert extra["feature_closed"] == "2019-09"
    assert [c["locator"] for c in extra["feature_closed_sources"]] == ["¶6"]
    hop = next(r for r in as_json(out, "reach", "phone number")["companies"] if r["company"] == "public")["path"][0]
    assert hop["feature_closed"] == "2019-09"


def test_incident_judgement_naming_an_unknown_incident_is_refused(write: Any) -> None:
    text = LISTS.read_text(encoding="utf-8").replace("incidents: [fixture-scrape-report, fixture-scrape-blog]",
                                                     "incidents: [fixture-scrape-report, fixture-scrape-blgo]")
    with pytest.raises(InputError, match="unknown incident id 'fixture-scrape-blgo'"):
        load([write("bad.yaml", text)])


def test_incidents_not_judged_the_same_stay_two(write: Any) -> None:
    G = fixture_graph("lists.yaml")
    assert len(G.graph["incidents"]) == 1
    text = LISTS.read_text(encoding="utf-8").replace("  - verdict: same\n    incidents:", "  - verdict: not same\n    incidents:")
    H = project(load([write("not-same.yaml", text)]).g)
    assert set(H.graph["incidents"]) == {"fixture-scrape-blog", "fixture-scrape-report"}


# ------------------------------------------------------------------ countries


def test_company_country_is_cited_and_shown_in_reach_and_table_json(out: Path) -> None:
    row = next(r for r in as_json(out, "reach", "phone number")["companies"] if r["label"] == "Beta Devices")
    assert row["country"] == "DE" and row["country_sources"][0]["aspect"] == "country"
    grant = next(r for r in as_json(out, "table") if r["label"] == "Beta Devices")
    assert (grant["country"], grant["grantor_country"]) == ("DE", "US")


# ------------------------------------------------------------------ schema


def test_judgement_names_either_companies_or_incidents() -> None:
    schema = json.loads((Path(__file__).parents[1] / "sources" / "schema" / "facts.schema.json").read_text())
    ok = compile_schema(schema)
    assert ok({"judgements": [{"verdict": "same", "incidents": ["a", "b"]}]})
    assert ok({"judgements": [{"verdict": "same", "names": ["A", "B"]}]})
    assert not ok({"judgements": [{"verdict": "same"}]})
    assert not ok({"judgements": [{"verdict": "same", "names": ["A", "B"], "incidents": ["a", "b"]}]})


def test_partner_table_within_a_list_library() -> None:
    rows = partner_table(fixture_graph("lists.yaml"), within="fixture-device-partners")
    assert len(rows) == 3
    assert reach(fixture_graph("lists.yaml"), "phone number").total == 5
