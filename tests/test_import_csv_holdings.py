"""import csv (issue 13): holdings as a row kind, a value map, an unknown-values report, constants cited as such.

The fixtures in tests/fixtures/import/ are made-up tracker companies ("Fixture … Co")."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from graph.build.loader import load
from graph.build.projection import project
from graph.cli.main import main

FIX = Path(__file__).parent / "fixtures" / "import"
SOURCE = ["--source-id", "fixture-traffic", "--source-title", "Fixture traffic", "--source-publisher", "Fixture",
          "--source-url", "https://example.org/fixture"]
BASE = ["import", "csv", str(FIX / "fixture_tracker_traffic.csv"), "--kind", "holding", "--map", "holder=tracker",
        "--map", "data_types=property", "--set", "from=users of apps that embed it", "--set", "integration=SDK", *SOURCE]


def run(tmp_path: Path, *extra: str):
    return CliRunner().invoke(main, ["-q", *BASE, "-o", str(tmp_path), *extra])


def test_unknown_values_are_listed_once_with_counts_and_nearest_terms(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.exit_code != 0
    assert "2 distinct value(s) have no term" in result.output
    assert "data_types: 'gizmo reading' (2 rows)" in result.output and "'advert id' (2 rows)" in result.output
    assert not list(tmp_path.glob("*.yaml"))
    result = run(tmp_path, "--format", "json")
    report = json.loads(result.stdout)["unknown_values"]
    assert [(u["value"], u["count"]) for u in report] == [("advert id", 2), ("gizmo reading", 2)]
    assert report[0]["nearest"][0] == "advertising identifier"  # the taxonomy now has the term itself
    assert "and 0 other" not in result.output and "other problem" not in run(tmp_path).output


def test_holdings_with_a_value_map_cite_constants_as_set_on_the_command_line(tmp_path: Path) -> None:
    result = run(tmp_path, "--map-values", str(FIX / "fixture_value_map.csv"))
    assert result.exit_code == 0, result.output
    G = project(load([tmp_path / "fixture-traffic.yaml"]).g)
    companies = sorted(G.nodes[n]["label"] for n in G if G.nodes[n].get("kind") == "company")
    assert companies == ["Fixture Analytics Co", "Fixture Beacon Co"]  # no made-up grantor
    assert G.number_of_edges() == 0
    held = G.nodes["fixture-beacon-co"]["holds"]
    assert {h["integration"] for h in held} == {"sdk"} and all(h["from"] == ["users of apps that embed it"] for h in held)
    assert held[0]["evidence"][0]["locator"] == "row 4; set on the command line: integration=SDK, from=users of apps that embed it"
    assert "column" not in json.dumps(held)


def test_a_kind_column_mixes_grants_and_holdings(tmp_path: Path) -> None:
    sheet = tmp_path / "mixed.csv"
    sheet.write_text("kind,who,to,what\nholding,Fixture Analytics Co,,email address\n"
                     "grant,Fixture Analytics Co,Fixture Beacon Co,email address\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-q", "import", "csv", str(sheet), "--map", "kind=kind", "--map", "holder=who",
                                       "--map", "grantor=who", "--map", "grantee=to", "--map", "data_types=what",
                                       "--set", "integration=API", *SOURCE, "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    G = project(load([tmp_path / "out" / "fixture-traffic.yaml"]).g)
    assert len(G.nodes["fixture-analytics-co"]["holds"]) == 1 and G.number_of_edges() == 1
