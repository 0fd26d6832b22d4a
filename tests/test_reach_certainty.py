"""Reach's certainty (stated, implied, partial), onward transfers, direction and filters (issue 13).

The fixture ``tests/fixtures/onward.yaml`` is made up: the shape of the GSR → Cambridge
Analytica case with invented companies ("interests" stands in for page likes).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph.build.loader import load
from graph.build.projection import project
from graph.errors import NotFoundError, UsageError
from graph.questions.reach import reach

ONWARD = Path(__file__).parent / "fixtures" / "onward.yaml"


@lru_cache(maxsize=1)
def onward() -> nx.MultiDiGraph:
    return project(load([ONWARD]).g)


def rows(data_type: str, **kw: Any) -> list[tuple[str, int, str, list[str]]]:
    return [(r["company"], r["hops"], r["certainty"], [h["certainty"] for h in r["path"]])
            for r in reach(onward(), data_type, **kw).rows]


def test_a_broad_onward_grant_does_not_carry_what_its_grantor_never_received() -> None:
    # the GSR case: App got interests and friends; its "personal data" grant is no private message
    assert rows("private message") == [("example-platform", 0, "stated", [])]


def test_a_broad_onward_grant_carries_what_reached_its_grantor_as_implied() -> None:
    assert rows("interests") == [
        ("example-platform", 0, "stated", []),
        ("quiz-app-ltd", 1, "stated", ["stated"]),
        ("example-consultancy-ltd", 2, "implied", ["stated", "implied"]),
        ("example-affiliate-ltd", 3, "implied", ["stated", "implied", "implied"]),
    ]


def test_a_grant_naming_the_type_asked_is_stated_and_a_narrower_one_partial() -> None:
    got = rows("personal data")
    assert ("quiz-app-ltd", 0, "stated", []) in got  # its grant names personal data
    assert ("example-device-maker", 1, "partial", ["partial"]) in got  # contact information only
    assert [c for c, *_ in got].index("example-device-maker") > [c for c, *_ in got].index("example-affiliate-ltd")


def test_the_least_sure_hop_wins_and_rows_sort_by_certainty_then_hops() -> None:
    # Partner → Platform names address book (stated); Platform → Device maker names contact information (implied)
    assert rows("address book") == [
        ("example-partner-inc", 0, "stated", []),
        ("example-platform", 1, "stated", ["stated"]),
        ("example-device-maker", 2, "implied", ["stated", "implied"]),
    ]
    assert rows("phone number") == [("example-platform", 0, "stated", []), ("example-device-maker", 1, "implied", ["implied"])]


def test_certainty_stated_keeps_only_stated_paths() -> None:
    assert [c for c, *_ in rows("interests", certainty="stated")] == ["example-platform", "quiz-app-ltd"]
    assert len(rows("interests", certainty="implied")) == 4
    with pytest.raises(UsageError):
        reach(onward(), "interests", certainty="sure")  # type: ignore[arg-type]


def test_partial_is_kept_for_old_scripts() -> None:
    result = reach(onward(), "personal data")
    assert all(r["partial"] == (r["certainty"] == "partial") for r in result.rows)
    assert all(h["partial"] == (h["certainty"] == "partial") for r in result.rows for h in r["path"])


def test_from_follows_only_flows_that_start_at_that_holder() -> None:
    assert rows("address book", start="Example Platform") == []  # a receiver, not a holder of it
    assert [c for c, *_ in rows("address book", start="Example Partner Inc")] == [
        "example-partner-inc", "example-platform", "example-device-maker"]
    assert reach(onward(), "interests", start="example platform").filters["start"] == "example-platform"
    with pytest.raises(NotFoundError):
        reach(onward(), "interests", start="Nobody Ltd")


def test_into_answers_who_sent_it_into_a_partner_to_platform_grant() -> None:
    assert rows("address book", into="Example Platform") == [("example-partner-inc", 1, "stated", ["stated"])]
    result = reach(onward(), "address book", into="Example Platform")
    assert result.rows[0]["path"][-1]["to"] == "example-platform" and result.filters["into"] == "example-platform"
    assert rows("interests", into="Example Affiliate Ltd") == [
        ("example-consultancy-ltd", 1, "implied", ["implied"]),
        ("quiz-app-ltd", 2, "implied", ["implied", "implied"]),
        ("example-platform", 3, "implied", ["stated", "implied", "implied"]),
    ]
    assert rows("private message", into="Example Affiliate Ltd") == []


def test_filter_whose_data() -> None:
    assert [c for c, *_ in rows("friends list", whose_data="users' friends")] == ["example-platform", "quiz-app-ltd"]
    assert [c for c, *_ in rows("interests", whose_data="non-users")] == ["example-platform"]
    with pytest.raises(UsageError):
        reach(onward(), "interests", whose_data="aliens")


def test_filter_on_by_default() -> None:
    assert [c for c, *_ in rows("address book", on_by_default=False)] == ["example-partner-inc", "example-platform"]
    assert [c for c, *_ in rows("address book", on_by_default=True)] == []  # the partner's grant is not on by default
    assert [c for c, *_ in rows("phone number", on_by_default=True)] == ["example-platform", "example-device-maker"]


def test_filter_source_and_source_date() -> None:
    assert [c for c, *_ in rows("interests", sources=["fixture-report"])] == [
        "example-platform", "quiz-app-ltd", "example-consultancy-ltd"]  # the last hop is from fixture-later
    assert [c for c, *_ in rows("interests", source_before="2017")] == [
        "example-platform", "quiz-app-ltd", "example-consultancy-ltd"]
    assert rows("interests", source_after="2019") == []  # the holding itself is from 2016
    assert [c for c, *_ in rows("address book", source_after="2019-01")] == [
        "example-partner-inc", "example-platform", "example-device-maker"]
    with pytest.raises(UsageError):
        reach(onward(), "interests", sources=["no-such-source"])


def test_filter_country_keeps_parties_of_that_country() -> None:
    assert [c for c, *_ in rows("interests", country="gb")] == ["quiz-app-ltd", "example-consultancy-ltd"]
    assert reach(onward(), "interests", country="GB").total == 2


def run_cli(tmp_path: Path, *args: str) -> str:
    from click.testing import CliRunner

    from graph.cli.main import main

    result = CliRunner().invoke(main, ["-q", "--out", str(tmp_path / "out"), "--sources", str(ONWARD), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_cli_reach_from_into_certainty_and_filters_in_words(tmp_path: Path) -> None:
    import csv
    import io
    import json

    text = run_cli(tmp_path, "reach", "address book", "--into", "Example Platform", "--stated-only", "--wide")
    assert text.startswith("Who could reach address book (filters: into example-platform; at least stated): 1 party")
    data = json.loads(run_cli(tmp_path, "reach", "interests", "--from", "Example Platform", "--format", "json"))
    assert [(c["company"], c["certainty"]) for c in data["companies"]][-1] == ("example-affiliate-ltd", "implied")
    assert data["companies"][-1]["path"][-1]["certainty"] == "implied"
    rows = list(csv.DictReader(io.StringIO(run_cli(tmp_path, "reach", "interests", "--format", "csv"))))
    assert [(r["company"], r["certainty"]) for r in rows][2] == ("example-consultancy-ltd", "implied")
    assert "IMPLIED: only a broader type stated" in rows[2]["notes"]
    text = run_cli(tmp_path, "reach", "friends list", "--whose-data", "users' friends", "--on-by-default", "yes",
                   "--source", "fixture-report", "--source-before", "2017", "--country", "GB", "--wide")
    assert text.startswith("Who could reach friends list (filters: on by default: yes; whose data: users' friends; "
                           "source fixture-report; sources dated up to 2017; country GB): 1 party")


def test_table_filters(tmp_path: Path) -> None:
    from graph.questions.table import partner_table

    def facts(**kw: Any) -> list[str]:
        return [r["fact"] for r in partner_table(onward(), **kw)]

    assert facts(on_by_default=True) == ["platform-device", "platform-quiz"]
    assert facts(on_by_default=False) == ["partner-platform"]
    assert facts(whose_data="users' friends") == ["platform-quiz"]
    assert facts(sources=["fixture-later"], country="US") == ["consultancy-affiliate", "partner-platform"]  # grantee's country
    assert set(facts(source_before="2016-12")) == {"platform-quiz", "quiz-consultancy"}
    assert set(facts(source_after="2019")) == {"consultancy-affiliate", "partner-platform", "platform-device"}
    text = run_cli(tmp_path, "table", "--whose-data", "users' friends", "--format", "csv")
    assert "platform-quiz" in text and "partner-platform" not in text


def test_table_does_not_repeat_on_by_default_when_the_activation_says_it() -> None:
    from graph.questions.table import _activation

    assert _activation({"on_by_default": True, "activation": "none: on by default"}) == "none: on by default"  # type: ignore[typeddict-item]
    assert _activation({"on_by_default": True, "activation": "installed the app"}) == (  # type: ignore[typeddict-item]
        "none: on by default (installed the app)")
    assert _activation({"on_by_default": True}) == "none: on by default"  # type: ignore[typeddict-item]
