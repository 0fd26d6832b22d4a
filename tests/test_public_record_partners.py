"""The December 2018 partnership reports and instant personalization (2010), asked through
the commands as a journalist would, on the bundled sources/ folder (issue 14, item 1).

Each answer must hold every party the sources name (required) and nothing beyond what
they state (acceptable); dates, counts and disputes are checked as the answers give them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ask_bundled, ask_bundled_json

FRIENDS = "users' friends"
INTEGRATION = "Facebook integration partners (December 2018)"
SOCIAL = "Facebook partners offering social experiences (December 2018)"
IP = "instant personalization partners"


@pytest.fixture(scope="module")
def out(default_build: Path) -> Path:
    """The bundled dataset, built once for the session (conftest)."""
    return default_build


run, as_json = ask_bundled, ask_bundled_json


def receivers(out: Path, data_type: str, *args: str) -> dict[str, dict[str, Any]]:
    """The parties a reach answer names beyond the holders (hops > 0), by label."""
    answer = as_json(out, "reach", data_type, *args)
    return {c["label"]: c for c in answer["companies"] if c["hops"] > 0}


def between(answer: set[str], required: set[str], acceptable: set[str]) -> None:
    assert required <= answer, f"missing: {required - answer}"
    assert answer <= required | acceptable, f"beyond the sources: {answer - required - acceptable}"


def rows(out: Path, *args: str) -> list[dict[str, Any]]:
    answer = as_json(out, "table", *args)
    return answer["rows"] if isinstance(answer, dict) else answer


# ------------------------------------------------------------------ messaging partners


def test_who_could_read_and_delete_private_messages(out: Path) -> None:
    got = receivers(out, "private message", "--permission", "read", "--permission", "delete")
    between(set(got), {"Netflix", "Spotify", "Royal Bank of Canada", "Dropbox"}, set())
    assert all(got[name]["certainty"] == "stated" for name in got)


def test_rbc_disputes_and_its_dates_come_from_facebook(out: Path) -> None:
    (row,) = [r for r in rows(out, "--company", "RBC") if r["integration"] == "messaging integration"]
    assert (row["valid_from"], row["stated_end"], row["status"]) == ("2013", "2015", "shut down")
    disputes = {(d["claimant"], d.get("aspect")) for d in row["disputes"]}
    assert ("Royal Bank of Canada", None) in disputes
    assert receivers(out, "private message", "--permission", "delete")["Royal Bank of Canada"]["disputed"]


def test_netflix_dates_and_its_denial(out: Path) -> None:
    (row,) = [r for r in rows(out, "--company", "Netflix") if r["integration"] == "messaging integration"]
    assert (row["valid_from"], row["stated_end"], row["status"]) == ("2014", "2015", "shut down")
    assert {"grantee's use of the access"} <= {d.get("aspect") for d in row["disputes"] if d["claimant"] == "Netflix"}
    # Netflix's feature was over by 2016: it is no longer an answer then
    assert "Netflix" not in receivers(out, "private message", "--as-of", "2016-06")


def test_spotify_says_it_was_unaware(out: Path) -> None:
    (row,) = [r for r in rows(out, "--company", "Spotify") if r["integration"] == "messaging integration"]
    aspects = {d.get("aspect") for d in row["disputes"] if d["claimant"] == "Spotify"}
    assert {"grantee's awareness of the access", "grantee's use of the access"} <= aspects
    assert "Spotify" in row["activation"]


# ------------------------------------------------------------------ friends' data


def test_who_received_friends_email_addresses(out: Path) -> None:
    got = receivers(out, "email address", "--whose-data", FRIENDS)
    between(set(got), {"Amazon", "Sony", "Microsoft"}, set())
    # only one secondary summary names Sony's and Microsoft's: at "reported" they drop out
    # (Amazon's grant stays: the Times reports its names and contact information)
    assert set(receivers(out, "email address", "--whose-data", FRIENDS, "--confidence", "reported")) == {"Amazon"}


def test_friends_names_and_contact_information(out: Path) -> None:
    between(set(receivers(out, "contact information", "--whose-data", FRIENDS, "--stated-only")), {"Amazon"}, set())
    names = receivers(out, "friends list", "--from", "Facebook", "--whose-data", FRIENDS, "--stated-only")
    # Bing's friends' names (2017 records), instant personalization's connections (2010),
    # and the Cambridge Analytica app's friends lists (another story of the record)
    between(set(names), {"Microsoft"}, {"Yelp", "Pandora", "Docs.com", "Global Science Research", "Cambridge Analytica"})


def test_yahoo_friends_posts_since_2011_and_still_in_2018(out: Path) -> None:
    between(set(receivers(out, "posts", "--whose-data", FRIENDS)), {"Yahoo"}, set())
    (row,) = [r for r in rows(out, "--company", "Yahoo", "--data-type", "posts")]
    assert (row["valid_from"], row["last_observed_active"]) == ("2011", "2018")


def test_apple_contacts_and_calendars_despite_the_setting(out: Path) -> None:
    between(set(receivers(out, "calendar entries")), {"Apple"}, set())
    (row,) = rows(out, "--company", "Apple", "--data-type", "calendar entries")
    assert row["overrode_privacy_setting"] is True
    assert any(d["claimant"] == "Apple" for d in row["disputes"])


def test_yandex_is_a_low_confidence_summary(out: Path) -> None:
    alleged = receivers(out, "online identifier", "--from", "Facebook")
    assert "Yandex" in alleged and alleged["Yandex"]["certainty"] == "stated"
    assert "Yandex" not in receivers(out, "online identifier", "--from", "Facebook", "--confidence", "reported")


# ------------------------------------------------------------------ into Facebook, the aggregate, the lists


def test_who_sent_address_books_into_facebook(out: Path) -> None:
    answer = as_json(out, "reach", "address book", "--into", "Facebook")
    between({c["label"] for c in answer["companies"]}, {"Amazon", "Yahoo", "Huawei"}, set())


def test_more_than_150_companies(out: Path) -> None:
    got = receivers(out, "personal data", "--from", "Facebook")
    party = got["more than 150 companies"]
    assert (party["kind"], party["party_count"], party["count_qualifier"]) == ("aggregate", 150, "more than")
    # no data type is named for the group: it is never an answer for a specific type
    assert "more than 150 companies" not in receivers(out, "email address")


def test_facebooks_two_groups_of_partners(out: Path) -> None:
    integration = as_json(out, "lists", INTEGRATION)
    assert {m["label"] for m in integration["members"]} == {"Apple", "Amazon", "Blackberry", "Yahoo"}
    assert integration["by_status"] == {"unknown": 4} and integration["stated_count"] is None
    social = as_json(out, "lists", SOCIAL)
    assert {m["label"] for m in social["members"]} == {"Netflix", "The New York Times", "Pandora", "Spotify"}
    md = run(out, "table", "--list", INTEGRATION, "--format", "md")
    assert md.startswith("| company |") and "Apple" in md and "Yahoo" in md and "Sources:" in md


# ------------------------------------------------------------------ instant personalization


def test_instant_personalization_partners_as_of_december_2010(out: Path) -> None:
    got = receivers(out, "personal data", "--integration", "instant personalization", "--as-of", "2010-12")
    between(set(got), {"Yelp", "Pandora", "Docs.com", "Rotten Tomatoes", "Microsoft", "Scribd", "Clicker"}, set())
    listed = as_json(out, "lists", IP)
    assert {m["label"] for m in listed["members"]} == {
        "Yelp", "Pandora", "Docs.com", "Rotten Tomatoes", "Microsoft", "Scribd", "Clicker"}
    assert as_json(out, "owner", "Docs.com")["ultimate_owners"] == ["Microsoft"]


def test_instant_personalization_was_on_by_default(out: Path) -> None:
    for row in rows(out, "--list", IP):
        if row["integration"] == "instant personalization":
            assert row["activation"].startswith("none: on by default"), row["label"]
            if row["fact"] != "facebook-microsoft-bing-instant-personalization-profile":  # Ars names no step
                assert "opt out" in row["activation"] or "turn" in row["activation"], row["label"]
            assert row["stated_end"] == "2014"
    got = receivers(out, "name", "--on-by-default", "yes")
    between(set(got), {"Yelp", "Pandora", "Docs.com", "Microsoft", "Scribd", "Clicker"}, set())


def test_what_bing_received_and_from_when(out: Path) -> None:
    ip = [r for r in rows(out, "--company", "Bing") if r["integration"] == "instant personalization"]
    starts = {r["valid_from"] for r in ip}
    assert "2010-10-13" in starts
    bing = next(r for r in ip if r["valid_from"] == "2010-10-13")
    assert {"page likes", "name", "profile picture", "friends list"} <= set(bing["data_types"])
    assert not bing["conflicts"]
    assert "Microsoft" not in receivers(out, "page likes", "--as-of", "2010-06", "--integration", "instant personalization")
    # Rotten Tomatoes joined on 2010-09-17
    assert "Rotten Tomatoes" not in receivers(out, "page likes", "--as-of", "2010-09-01")
    assert "Rotten Tomatoes" in receivers(out, "page likes", "--as-of", "2010-10-01")
