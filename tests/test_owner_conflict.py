"""Sources that disagree are shown as disagreeing (issue 13, item 8): `owner tumblr.com` with two
datasets answered "Automattic, Verizon" without saying that a 2020 source and a newer one
disagree. Two made-up fixture files give Example Blog different owners on sources of
different dates."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from graph.build.loader import load
from graph.build.projection import project
from graph.cli.main import main
from graph.examples import small_graph
from graph.questions.owner import ultimate_owner

FIXTURES = Path(__file__).parent / "fixtures" / "owner-conflict"


def test_owner_with_two_sources_naming_different_owners_marks_the_conflict_newest_first() -> None:
    answer = ultimate_owner(project(load([FIXTURES]).g), "blog.example")
    data = answer.to_json()
    assert data["conflict"] is True
    [conflict] = data["conflicts"]
    assert conflict["owned"] == "example-blog"
    assert [(c["owner_label"], c["newest_date"]) for c in conflict["claims"]] == [
        ("Example Publisher", "2023-06-15"), ("Example Telecom", "2020-03-01")]
    assert [c["sources"][0]["source"] for c in conflict["claims"]] == ["newer-news", "older-registry"]
    assert [chain[-1]["owner_label"] for chain in data["chains"]] == ["Example Publisher", "Example Telecom"]


def test_one_owner_is_no_conflict() -> None:
    data = ultimate_owner(small_graph(), "Spotify").to_json()
    assert data["conflict"] is False and data["conflicts"] == []


def test_owner_text_says_the_sources_disagree(tmp_path: Path) -> None:
    args = ["-q", "-s", str(FIXTURES), "--out", str(tmp_path / "out"), "owner", "blog.example", "--wide"]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0] == "Ultimate owner of blog.example: Example Publisher, Example Telecom (sources disagree)"
    at = lines.index("CONFLICT: sources disagree on who owns Example Blog (newest first):")
    assert lines[at + 1].startswith("  Example Publisher, 2023-06-15 [")
    assert lines[at + 2].startswith("  Example Telecom, 2020-03-01 [")
    data = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    assert data["conflict"] is True


DOMAIN_FIXTURES = Path(__file__).parent / "fixtures" / "domain-conflict"


def test_domain_operators_named_by_different_sources_are_a_conflict_newest_first() -> None:
    """The tumblr.com case: one list names an operator whose chain ends at one owner, a newer
    list names another operator; the answer named both owners and did not say they disagree."""
    data = ultimate_owner(project(load([DOMAIN_FIXTURES]).g), "blog.example").to_json()
    assert sorted(data["ultimate_owners"]) == ["Example Publisher", "Example Telecom"]
    assert data["conflict"] is True
    domain = next(c for c in data["conflicts"] if c["owned"] == "blog.example")
    assert [(c["owner"], c["newest_date"]) for c in domain["claims"]] == [
        ("example-publisher", "2023-07-06"), ("example-blog", "2020-02-24")]
    assert domain["claims"][1]["owner_label"] == "Example Blog (owned by Example Telecom)"
    assert [[s["source"] for s in c["sources"]] for c in domain["claims"]] == [["tracker-list-2023"], ["owner-list-2020"]]


def test_one_source_naming_one_operator_is_no_conflict() -> None:
    data = ultimate_owner(project(load([DOMAIN_FIXTURES / "older.yaml"]).g), "blog.example").to_json()
    assert data["conflict"] is False
