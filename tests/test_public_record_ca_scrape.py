"""The public record (issue 14): Cambridge Analytica and the 533-million-account scrape,
asked through the commands as a journalist would, on the bundled ``sources/`` folder.

Each answer must hold every party it should and nothing a source does not state. Where the
other content files of the dataset could add parties to a question (page likes, phone
numbers), the question is scoped with ``--source`` to the publications of this part, so
the exact set stays the answer of these sources.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ask_bundled_json

FTC_COMPLAINT = "ftc-2019-07-24-cambridge-analytica-complaint"
CA_SOURCES = (
    "facebook-2018-03-16-suspending-cambridge-analytica", "ftc-2019-12-18-final-approval-kogan-nix",
    "cfslawmonitor-2019-07-ftc-sues-cambridge-analytica", "washingtonexaminer-2019-07-ftc-cambridge-analytica",
    "observer-2018-03-17-50-million-profiles", "felix-2018-05-03-deep-dive-cambridge-analytica",
    "nbc-2018-04-04-87-million", FTC_COMPLAINT,
)
SCRAPE_SOURCES = (
    "register-2021-04-20", "vice-2021-04-facebook-scraping", "businessinsider-2021-04-03-533-million-leak",
    "securitymatters-2021-04-fb-leak", "rayradar-2021-04-04-553-million-leak", "verdict-2021-04-facebook-data-leak",
    "vice-2021-04-533-million-didnt-tell", "facebook-2021-04-06-facts-on-news-reports",
    "facebook-2021-05-19-scraping-by-the-numbers", "dpc-2022-11-25-facebook-data-scraping-decision",
)


@pytest.fixture(scope="module")
def out(default_build: Path) -> Path:
    """The bundled dataset, built once for the session (conftest)."""
    return default_build


ask = ask_bundled_json


def scoped(sources: tuple[str, ...]) -> list[str]:
    return [arg for source in sources for arg in ("--source", source)]


def parties(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {party["label"]: party for party in answer["companies"]}


def all_claims(party: dict[str, Any]) -> list[dict[str, Any]]:
    return [claim for hop in party["path"] for claim in hop["sources"] + hop["disputes"]]


# ------------------------------------------------------------------ Cambridge Analytica


def test_page_likes_from_facebook_reach_cambridge_analytica_in_two_cited_hops(out: Path) -> None:
    answer = parties(ask(out, "reach", "page likes", "--from", "Facebook", *scoped(CA_SOURCES)))
    assert set(answer) == {"Facebook", "Global Science Research", "Cambridge Analytica", "SCL Elections",
                           "Eunoia Technologies"}
    ca = answer["Cambridge Analytica"]
    assert ca["hops"] == 2 and ca["certainty"] == "stated"
    first, second = ca["path"]
    assert (first["from_label"], first["to_label"], second["to_label"]) == (
        "Facebook", "Global Science Research", "Cambridge Analytica")
    assert (first["integration"], first["valid_from"], first["stated_end"], first["status"]) == (
        "app platform", "2014", "2015", "shut down")
    assert (second["integration"], second["valid_from"]) == ("data brokerage", "2014")
    assert all(hop["sources"] for hop in ca["path"])
    assert {"page likes", "online identifier", "friends list"} <= set(first["data_types"])
    # The app's year: 2014 in the Observer and the FTC, 2013 in Felix. Both stay, as a dispute.
    assert any(d["aspect"] == "valid_from" and d["source"] == "felix-2018-05-03-deep-dive-cambridge-analytica"
               for d in first["disputes"])


def test_the_app_is_found_by_its_names(out: Path) -> None:
    for name in ("thisisyourdigitallife", "GSRApp", "GSR"):
        answer = ask(out, "table", "--company", name)
        assert {row["label"] for row in answer} >= {"Global Science Research"}, name


def test_friends_data_went_through_the_app_without_the_friends_acting(out: Path) -> None:
    answer = parties(ask(out, "reach", "friends list", "--whose-data", "users' friends", *scoped(CA_SOURCES)))
    assert set(answer) == {"Facebook", "Global Science Research", "Cambridge Analytica"}
    hop = answer["Global Science Research"]["path"][0]
    assert hop["fact"] == "facebook-gsr-friends"
    rows = [r for r in ask(out, "table", "--company", "Global Science Research", "--whose-data", "users' friends")
            if r["grantor"] == "facebook"]
    assert len(rows) == 1
    assert rows[0]["overrode_privacy_setting"] is False and rows[0]["whose_data"] == ["users' friends"]
    assert set(rows[0]["data_types"]) == {"page likes", "profile information", "friends list"}


def test_the_numbers_stay_side_by_side_with_their_sources(out: Path) -> None:
    rows = {r["fact"]: r for r in ask(out, "table", "--company", "Global Science Research")}
    friends = rows["facebook-gsr-friends"]
    numbers = [c for c in friends["sources"] + friends["disputes"] if c["aspect"] == "number of people affected"]
    notes = " ".join(c["note"] or "" for c in numbers)
    for figure in ("50 million", "50 to 65 million", "87 million", "30 million"):
        assert figure in notes, figure
    by_source = {c["source"] for c in numbers}
    assert {FTC_COMPLAINT, "observer-2018-03-17-50-million-profiles", "nbc-2018-04-04-87-million"} <= by_source
    # Cambridge Analytica's own count disputes the others.
    assert any(c["claimant"] == "Cambridge Analytica" and c["stance"] == "disputes" for c in numbers)
    users = rows["facebook-gsr-app-users"]
    assert any("270,000" in (c["note"] or "") for c in users["sources"] if c["aspect"] == "number of app users")


def test_ftc_table_shows_the_complaint_as_allegations_and_the_settlement_as_confirmed(out: Path) -> None:
    rows = ask(out, "table", "--source", FTC_COMPLAINT)
    assert {(r["grantor_label"], r["label"]) for r in rows} == {
        ("Facebook", "Global Science Research"), ("Global Science Research", "Cambridge Analytica")}
    complaint = [c for r in rows for c in r["sources"] if c["source"] == FTC_COMPLAINT]
    assert complaint and all(c["confidence"] == "alleged" for c in complaint)
    users = next(r for r in ask(out, "table", "--company", "Global Science Research") if r["fact"] == "facebook-gsr-app-users")
    findings = {c["source"]: c for c in users["sources"] if c["aspect"] == "regulator finding"}
    assert findings["ftc-2019-12-18-final-approval-kogan-nix"]["confidence"] == "confirmed"
    ico = findings["ico-2018-07-10-notice-of-intent-facebook"]
    assert "500,000" in ico["note"] and ico["confidence"] == "reported"  # read only through quotes


def test_suspension_and_closure_dates(out: Path) -> None:
    users = next(r for r in ask(out, "table", "--company", "Global Science Research") if r["fact"] == "facebook-gsr-app-users")
    response = [c for c in users["sources"] if c["aspect"] == "platform response"]
    assert response and "2018-03-16" in response[0]["note"]
    assert response[0]["source"] == "facebook-2018-03-16-suspending-cambridge-analytica"


def test_as_of_mid_2015_the_chain_is_open_and_by_2016_it_is_closed(out: Path) -> None:
    mid_2015 = parties(ask(out, "reach", "page likes", "--from", "Facebook", "--as-of", "2015-06", *scoped(CA_SOURCES)))
    assert {"Global Science Research", "Cambridge Analytica"} <= set(mid_2015)
    in_2016 = parties(ask(out, "reach", "page likes", "--from", "Facebook", "--as-of", "2016", *scoped(CA_SOURCES)))
    assert set(in_2016) == {"Facebook"}


def test_owner_of_cambridge_analytica_keeps_both_named_parents(out: Path) -> None:
    answer = ask(out, "owner", "Cambridge Analytica")
    assert answer["conflict"] is True
    assert set(answer["ultimate_owners"]) == {"SCL Group", "SCL Elections"}


# ------------------------------------------------------------------ the 533M scrape


def test_phone_numbers_went_public_through_the_contact_importer_closed_in_september_2019(out: Path) -> None:
    answer = parties(ask(out, "reach", "phone number", *scoped(SCRAPE_SOURCES)))
    assert set(answer) == {"Facebook", "public", "unidentified scrapers (Facebook contact importer)"}
    hop = answer["public"]["path"][0]
    assert (hop["kind"], hop["fact"], hop["integration"]) == ("incident", "facebook-533m-scrape", "scraping")
    assert hop["feature_closed"] == "2019-09" and hop["valid_from"] == "2021"
    assert set(hop["data_types"]) == {"phone number", "online identifier", "name", "location", "birth date", "bio",
                                      "email address", "gender", "relationship status", "occupation"}


def test_scrape_countries_and_the_disputed_11_million(out: Path) -> None:
    hop = parties(ask(out, "reach", "phone number", *scoped(SCRAPE_SOURCES)))["public"]["path"][0]
    claims = hop["sources"] + hop["disputes"]
    eleven = [c for c in claims if c["aspect"] == "country of the 11 million records"]
    assert {c["stance"] for c in eleven} == {"asserts", "disputes"}
    assert {c["source"] for c in eleven} == {"securitymatters-2021-04-fb-leak", "rayradar-2021-04-04-553-million-leak"}
    assert any("106 countries" in (c["note"] or "") for c in claims if c["aspect"] in ("affected", "data_types"))
    assert any(d["aspect"] == "country of the 11 million records" for d in hop["disputes"])


def test_facebook_statements_and_the_dpc_decision_on_the_scrape(out: Path) -> None:
    hop = parties(ask(out, "reach", "phone number", *scoped(SCRAPE_SOURCES)))["public"]["path"][0]
    claims = {(c["source"], c["aspect"]): c for c in hop["sources"]}
    facts_post = claims[("facebook-2021-04-06-facts-on-news-reports", "exploited_feature")]
    assert facts_post["confidence"] == "reported" and "Computer Weekly" in facts_post["locator"]
    decision = claims[("dpc-2022-11-25-facebook-data-scraping-decision", "regulator decision")]
    assert "2022-11-25" in decision["note"] and "265 million" in decision["note"]
    scope = claims[("dpc-2022-11-25-facebook-data-scraping-decision", "regulator scope")]
    for part in ("Facebook Search", "Messenger Contact Importer", "Instagram Contact Importer", "2018-05-25",
                 "September 2019"):
        assert part in scope["note"], part
    numbers = claims[("facebook-2021-05-19-scraping-by-the-numbers", "exploited_feature")]
    assert numbers["confidence"] == "confirmed"


def test_the_2018_search_and_recovery_scrape_is_a_separate_incident(out: Path) -> None:
    answer = parties(ask(out, "reach", "profile information", "--source", "facebook-2018-04-04-restrict-data-access"))
    scrapers = answer["unidentified scrapers (Facebook search and account recovery)"]
    hop = scrapers["path"][0]
    assert hop["fact"] == "facebook-2018-search-recovery-scrape" and hop["feature_closed"] == "2018-04-04"
    assert "public" not in answer


def test_the_seed_articles_keep_their_claims(out: Path) -> None:
    hop = parties(ask(out, "reach", "phone number", "--source", "register-2021-04-20"))["public"]["path"][0]
    assert any(c["locator"].startswith("¶4") for c in hop["sources"])
    hop = parties(ask(out, "reach", "phone number", "--source", "vice-2021-04-facebook-scraping"))["public"]["path"][0]
    assert any(c["aspect"] == "exploited_feature" for c in hop["sources"])


def test_grants_about_different_peoples_data_are_not_disagreeing_sources(out: Path) -> None:
    """The app's grants for its users' data and for their friends' data are two relations
    (different ``whose_data``), not two sources disagreeing on one: no "sources disagree"."""
    rows = {r["fact"]: r for r in ask(out, "table", "--company", "Global Science Research")}
    users, friends = rows["facebook-gsr-app-users"], rows["facebook-gsr-friends"]
    assert users["activation"] != friends["activation"]
    assert users["conflicts"] == [] and friends["conflicts"] == []
