"""The answer names the term asked (issue 13, item 3): reach carries the words asked, the term
they resolved to and how; the header says so when an alias or a mapping found the term, and
a term is never silently swapped for another ("advertising ID" once answered as "device
identifier")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED

from graph.cli.main import main
from graph.examples import small_graph
from graph.present.answers import reach_heading, reach_sheet
from graph.questions.reach import reach


@pytest.mark.parametrize(("asked", "term", "how"), [
    ("phone number", "phone-number", "label"),
    ("phone-number", "phone-number", "slug"),
    ("mobile number", "phone-number", "alias"),
    ("pd:TelephoneNumber", "phone-number", "DPV-PD"),
    ("user.contact.phone_number", "phone-number", "fideslang"),
])
def test_reach_json_carries_asked_term_and_resolved_by(asked: str, term: str, how: str) -> None:
    answer = reach(small_graph(), asked).to_json()
    assert (answer["asked"], answer["term"], answer["resolved_by"]) == (asked, term, how)
    assert answer["data_type"] == term and answer["label"] == "phone number"


def test_header_names_the_alias_asked_and_the_term_it_matched() -> None:
    result = reach(small_graph(), "mobile number")
    assert reach_heading(result) == "Who could reach mobile number (matched the alias mobile number of phone number)"
    assert reach_sheet(result).title == reach_heading(result)


def test_header_of_a_label_or_slug_is_plain() -> None:
    assert reach_heading(reach(small_graph(), "Phone Number")) == "Who could reach phone number"


def test_advertising_id_header_no_longer_reads_device_identifier() -> None:
    result = reach(small_graph(), "advertising ID")
    assert result.data_type == "advertising-identifier"
    assert "device identifier" not in reach_heading(result)
    assert reach_heading(result) == "Who could reach advertising ID (matched the alias advertising ID of advertising identifier)"


def test_cli_reach_text_and_json_name_the_alias(seed_build: Path) -> None:
    seed = ["-q", "--sources", str(SEED), "--out", str(seed_build)]
    text = CliRunner().invoke(main, [*seed, "reach", "mobile number", "--wide"])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("Who could reach mobile number (matched the alias mobile number of phone number): 4 parties")
    out = CliRunner().invoke(main, [*seed, "reach", "mobile number", "--format", "json"])
    answer = json.loads(out.stdout)
    assert {k: answer[k] for k in ("asked", "term", "resolved_by")} == {
        "asked": "mobile number", "term": "phone-number", "resolved_by": "alias"}
