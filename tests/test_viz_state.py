"""The page state in the URL fragment (graph.viz.state): the format another command reads."""

from __future__ import annotations

import pytest

from graph.viz.state import KEYS, STATUSES, StateError, format_state, parse_state, shown


def test_round_trip_every_key():
    state = {"view": "chain", "type": "page-likes", "company": "facebook", "from": "facebook",
             "into": "cambridge-analytica", "asof": "2015-06-01", "integ": "app-platform", "perm": "read,delete",
             "status": "active,shut-down", "q": "Global Science & Research", "sel": "gsr"}
    fragment = format_state(state)
    assert fragment.startswith("#view=chain&type=page-likes&company=facebook&from=facebook&into=")
    assert "q=Global%20Science%20%26%20Research" in fragment
    assert parse_state(fragment) == state
    assert list(parse_state(fragment)) == list(KEYS)


def test_unknown_keys_ignored_repeated_key_first_value_plus_is_space():
    assert parse_state("#zoom=3&view=reach&view=all&q=a+b") == {"view": "reach", "q": "a b"}


def test_whole_url_or_bare_fragment():
    assert parse_state("http://x/graph.html?view=all#view=company&company=amazon") == {
        "view": "company", "company": "amazon"}
    assert parse_state("view=all") == {"view": "all"}
    assert parse_state("") == {} and parse_state("#") == {}


@pytest.mark.parametrize("fragment, words", [
    ("#view=hairball", "not a view"),
    ("#asof=04/01/2018", "expected YYYY-MM-DD"),
    ("#asof=2018-02-30", "not a real date"),
    ("#company=Amazon%20Inc", "not a company id"),
    ("#type=%3Cscript%3E", "not a data type slug"),
    ("#sel=-x", "not a company id"),
    ("#q=" + "x" * 201, "at most 200"),
    ("#q=a%0Ab", "control characters"),
])
def test_bad_values_refused_with_what_was_expected(fragment, words):
    with pytest.raises(StateError, match=words):
        parse_state(fragment)
    assert parse_state(fragment, strict=False) == {}


def test_partial_dates_as_the_cli_takes_them():
    assert parse_state("#asof=2018")["asof"] == "2018"
    assert parse_state("#asof=2018-04")["asof"] == "2018-04"


def test_format_refuses_unknown_keys_and_bad_values_and_drops_empty_ones():
    with pytest.raises(StateError, match="not a key"):
        format_state({"zoom": "3"})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(StateError, match="not a view"):
        format_state({"view": "map"})
    assert format_state({"view": "all", "q": ""}) == "#view=all"


def test_huge_fragment_refused():
    with pytest.raises(StateError, match="at most"):
        parse_state("#q=" + "a" * 5000)


def test_filter_panel_keys():
    fragment = format_state({"view": "all", "integ": "sdk", "perm": "write,delete", "status": "none"})
    assert fragment == "#view=all&integ=sdk&perm=write,delete&status=none"  # commas stay commas
    assert parse_state(fragment) == {"view": "all", "integ": "sdk", "perm": "write,delete", "status": "none"}
    assert parse_state("#perm=read%2Cwrite") == {"perm": "read,write"}  # an encoded comma reads the same
    assert shown(parse_state("#status=active,unknown"), "status") == {"active", "unknown"}


@pytest.mark.parametrize("fragment, words", [
    ("#perm=admin", "not a list of permissions"),
    ("#perm=write,read", "in that order"),
    ("#perm=read,read", "in that order"),
    ("#perm=", None),
    ("#status=shut%20down", "not a list of statuses"),
    ("#status=active,", "not a list of statuses"),
    ("#integ=App%20Platform", "not an integration kind slug"),
])
def test_bad_filter_values(fragment, words):
    if words is None:
        assert parse_state(fragment) == {}
        return
    with pytest.raises(StateError, match=words):
        parse_state(fragment)


def test_statuses_are_the_pages():
    from graph.viz.data import STATUS_ORDER

    assert STATUSES == tuple(s.replace(" ", "-") for s in STATUS_ORDER)


def test_quote_like_the_page():
    assert format_state({"q": "O'Brien (x)! *"}) == "#q=O%27Brien%20%28x%29%21%20%2A"
