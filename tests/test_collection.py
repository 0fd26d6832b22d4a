"""Collection is a fact (issue 13): a holding says from whom (a population) and through what (an integration kind)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.build.loader import load
from graph.build.projection import project
from graph.cli.main import main
from graph.errors import InputError
from graph.export.jsonld import jsonld
from graph.model.vocab import DR

HEAD = """sources:
  - {id: s1, publisher: Fixture Publisher, title: Fixture traffic study, date: "2024", url: "https://example.org/fixture"}
companies:
  - {name: Fixture Tracker Co}
"""

HOLDING = """holdings:
  - holder: Fixture Tracker Co
    data_types: [device identifier]
    from: [users of apps that embed it]
    integration: SDK
    evidence: [{source: s1, locator: table 2}]
"""


def build(tmp_path: Path, body: str = HOLDING) -> Path:
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "f.yaml").write_text(HEAD + body, encoding="utf-8")
    return tmp_path / "sources"


def test_a_holding_states_from_whom_and_through_what(tmp_path: Path) -> None:
    loaded = load([build(tmp_path)])
    assert (None, DR.collectedFrom, DR.EmbeddingAppUsers) in loaded.g
    G = project(loaded.g)
    [held] = G.nodes["fixture-tracker-co"]["holds"]
    assert held["from"] == ["users of apps that embed it"] and held["integration"] == "sdk"
    [item] = [i for i in jsonld(G)["@graph"] if i["type"] == str(DR.Collection)]
    assert item["collectedFrom"] == [str(DR.EmbeddingAppUsers)]
    assert item["integration"].endswith("/integration/sdk")


@pytest.mark.parametrize("origin", ["Example Social", "users"])
def test_from_is_a_population_never_a_company(tmp_path: Path, origin: str) -> None:
    with pytest.raises(InputError, match="from"):
        load([build(tmp_path, HOLDING.replace("users of apps that embed it", origin))])


@pytest.mark.parametrize("kind, slug", [("tracking pixel", "tracking-pixel"), ("pixel", "tracking-pixel"),
                                        ("API", "api"), ("device integration", "device-integration")])
def test_collection_integration_kinds(tmp_path: Path, kind: str, slug: str) -> None:
    G = project(load([build(tmp_path, HOLDING.replace("SDK", kind))]).g)
    assert G.nodes["fixture-tracker-co"]["holds"][0]["integration"] == slug


def test_reach_json_shows_the_holders_origin(tmp_path: Path) -> None:
    folder = build(tmp_path)
    args = ["-q", "--sources", str(folder), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(main, [*args, "reach", "device identifier", "--format", "json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)["companies"]
    assert row["holder"] and row["collected_from"] == ["users of apps that embed it"]
    assert row["collected_through"] == ["SDK"]


def test_reach_text_notes_the_holders_origin(tmp_path: Path) -> None:
    folder = build(tmp_path)
    result = CliRunner().invoke(main, ["-q", "--sources", str(folder), "--out", str(tmp_path / "out"),
                                       "reach", "device identifier", "--wide"])
    assert result.exit_code == 0, result.output
    assert "collected from users of apps that embed it through SDK" in result.output
