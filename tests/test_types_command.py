"""`datareach types [SEARCH]` (issue 13, item 4): the data-type tree with labels, slugs, alt
labels and mappings, filtered by a search that keeps matches with their ancestors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from graph.cli.main import main
from graph.model.ontology import data_types, integration_kinds
from graph.questions.types import type_tree


def test_whole_tree_lists_every_concept_once_under_personal_data() -> None:
    rows = type_tree(data_types())
    assert len(rows) == len(data_types().concepts) == len({r["slug"] for r in rows})
    assert rows[0]["slug"] == "personal-data" and rows[0]["depth"] == 0
    assert all(r["depth"] >= 1 for r in rows[1:])


def test_search_by_alias_shows_the_match_with_its_ancestors() -> None:
    rows = type_tree(data_types(), "IDFA")
    assert [(r["slug"], r["matched"]) for r in rows] == [
        ("personal-data", False), ("device-information", False), ("device-identifier", False),
        ("advertising-identifier", True)]
    assert rows[-1]["minted"] is True


def test_search_by_mapping_finds_dpv_pd_and_fideslang() -> None:
    assert [r["slug"] for r in type_tree(data_types(), "pd:Purchase") if r["matched"]] == ["purchases"]
    assert [r["slug"] for r in type_tree(data_types(), "user.sensor") if r["matched"]] == ["sensor-data"]


def test_integrations_tree_has_social_experience_apart() -> None:
    rows = type_tree(integration_kinds(), "social experience")
    assert [r["slug"] for r in rows if r["matched"]] == ["social-experience"]


def test_cli_types_text_fits_80_columns_and_json_parses() -> None:
    text = CliRunner().invoke(main, ["types"])
    assert text.exit_code == 0, text.output
    assert max(len(line) for line in text.stdout.splitlines()) <= 80
    assert "  advertising identifier (advertising-identifier)" in text.stdout
    data = json.loads(CliRunner().invoke(main, ["types", "consent", "--format", "json"]).stdout)
    assert [r["slug"] for r in data if r["matched"]] == ["consent-state"]
    assert data[-1]["fideslang"] == "user.privacy_preferences"
    none = CliRunner().invoke(main, ["types", "zzzz"])
    assert none.exit_code == 0 and "no data type matches" in none.stdout
