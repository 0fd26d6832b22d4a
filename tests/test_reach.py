"""`reach` on the default dataset, checked against the seed articles (DESIGN §1, §5; issue 3).

The default dataset is built once per module into a temporary folder and read back through
``compiled.projection`` — the same path the CLI takes. Small made-up graphs written to
``tmp_path`` pin down shortest paths, tie-breaking, dates and ownership.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from conftest import SEED, build_file

from graph.build import compiled
from graph.build.flowindex import FlowIndex
from graph.errors import NotFoundError
from graph.examples import small_graph
from graph.questions.reach import ReachResult, reach

# Every partner the articles name, and the public (the 533M dump).
EVERYONE = {"facebook", "microsoft", "netflix", "spotify", "royal-bank-of-canada", "amazon", "yahoo", "apple",
            "public", "blackberry", "the-new-york-times", "pandora", "instagram", "whatsapp"}


@pytest.fixture(scope="module")
def G(seed_build: Path) -> nx.MultiDiGraph:
    return compiled.projection([SEED], seed_build)


def companies(result: ReachResult) -> set[str]:
    return {r["company"] for r in result.rows}


def row(result: ReachResult, company: str) -> dict[str, Any]:
    found = [r for r in result.rows if r["company"] == company]
    assert len(found) == 1, f"{company} not in {companies(result)}"
    return found[0]


def fixture_graph(tmp_path: Path, text: str) -> nx.MultiDiGraph:
    """Load a YAML fact file through the real loader and project it."""
    from graph.build.loader import load
    from graph.build.projection import project

    path = tmp_path / "facts.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return project(load([path]).g)


SOURCE = """\
    sources:
      - {id: s1, publisher: Example Press, title: A report, date: "2020-01-01", url: "https://example.org/r"}
"""


# ---------------------------------------------------------------------------------------------
# Answers the articles settle


def test_phone_number_reaches_facebook_amazon_apple_and_the_public(G: nx.MultiDiGraph) -> None:
    result = reach(G, "phone number")
    assert companies(result) == {"facebook", "amazon", "apple", "public"}
    assert result.data_type == "phone-number" and result.label == "phone number"

    fb = row(result, "facebook")
    assert (fb["holder"], fb["hops"], fb["path"], fb["partial"]) == (True, 0, [], False)
    assert fb["holder_sources"], "a holder is cited too"

    amazon = row(result, "amazon")  # Techly ¶10: names and contact information
    assert (amazon["hops"], amazon["partial"], amazon["holder"]) == (1, False, False)
    (hop,) = amazon["path"]
    assert (hop["from"], hop["to"], hop["fact"]) == ("facebook", "amazon", "facebook-amazon-names-contacts")
    assert "contact information" in hop["data_types"] and "phone number" not in hop["data_types"]
    assert hop["partial"] is False

    apple = row(result, "apple")  # Techly ¶25: contact numbers and calendar entries
    assert (apple["hops"], apple["partial"]) == (1, False)
    assert "phone number" in apple["path"][0]["data_types"]

    public = row(result, "public")  # The Register / Vice: the 533M scrape, dumped openly
    assert (public["hops"], public["partial"], public["via_incident"], public["kind"]) == (1, False, True, "public")
    (hop,) = public["path"]
    assert (hop["kind"], hop["fact"], hop["integration"]) == ("incident", "facebook-533m-scrape", "scraping")
    for r in result.rows:
        assert r["via_incident"] is (r["company"] == "public")


@pytest.mark.parametrize("absent", ["netflix", "spotify", "royal-bank-of-canada", "microsoft", "yahoo",
                                    "blackberry", "instagram", "whatsapp"])
def test_phone_number_does_not_reach(G: nx.MultiDiGraph, absent: str) -> None:
    assert absent not in companies(reach(G, "phone number"))


def test_private_messages_read_write_delete_reach_only_the_messaging_partners(G: nx.MultiDiGraph) -> None:
    result = reach(G, "private message", permissions=["read", "write", "delete"])
    assert companies(result) == {"facebook", "netflix", "spotify", "royal-bank-of-canada"}
    assert row(result, "facebook")["holder"] is True
    for partner in ("netflix", "spotify", "royal-bank-of-canada"):
        r = row(result, partner)
        assert (r["hops"], r["partial"]) == (1, False)
        assert r["path"][0]["permissions"] == ["read", "write", "delete"]
        assert r["path"][0]["integration"] == "messaging integration"
    assert not companies(result) & {"amazon", "apple", "microsoft", "yahoo", "public"}
    assert result.filters["permissions"] == ["delete", "read", "write"]


def test_rbc_denial_of_access_is_carried_on_its_hop(G: nx.MultiDiGraph) -> None:
    hop = row(reach(G, "private message"), "royal-bank-of-canada")["path"][0]
    assert hop["disputed"] is True
    denials = [d for d in hop["disputes"] if d["claimant"] == "Royal Bank of Canada"]
    assert denials and denials[0]["aspect"] is None  # it denies the access itself
    assert all(d["stance"] == "disputes" for d in hop["disputes"])


@pytest.mark.parametrize(("data_type", "partner", "fact"), [
    ("friends list", "microsoft", "facebook-microsoft-bing-friends"),   # Bing, Techly ¶9
    ("posts", "yahoo", "facebook-yahoo-friends-posts"),                 # Techly ¶10
    ("calendar entries", "apple", "facebook-apple-contacts-calendar"),  # Techly ¶25
])
def test_single_partner_answers(G: nx.MultiDiGraph, data_type: str, partner: str, fact: str) -> None:
    result = reach(G, data_type)
    assert companies(result) == {"facebook", partner}
    r = row(result, partner)
    assert (r["hops"], r["partial"], r["path"][0]["fact"]) == (1, False, fact)


def test_email_address_reaches_amazon_through_contact_information_but_not_apple(G: nx.MultiDiGraph) -> None:
    result = reach(G, "email address")
    assert companies(result) == {"facebook", "amazon", "public"}
    assert row(result, "amazon")["partial"] is False


# ---------------------------------------------------------------------------------------------
# Every accepted form of DATA_TYPE


PHONE_FORMS = [
    "phone number", "phone-number", "https://w3id.org/datareach/datatype/phone-number", "dt:phone-number",
    "pd:TelephoneNumber", "https://w3id.org/dpv/pd#TelephoneNumber", "user.contact.phone_number",
    "Phone Number", "PHONE NUMBER", "  phone   number ", "phone_number", "Phone-Number", "telephone number",
]


def _answer(result: ReachResult) -> list[tuple[Any, ...]]:
    return [(r["company"], r["hops"], r["partial"], tuple(h["fact"] for h in r["path"])) for r in result.rows]


@pytest.mark.parametrize("form", PHONE_FORMS)
def test_every_form_of_data_type_gives_the_same_answer(G: nx.MultiDiGraph, form: str) -> None:
    result = reach(G, form)
    assert result.data_type == "phone-number"
    assert _answer(result) == _answer(reach(G, "phone number"))


@pytest.mark.parametrize("typo", ["phone nubmer", "phone numbr", "Phone Nubmer"])
def test_unknown_data_type_suggests_the_nearest(G: nx.MultiDiGraph, typo: str) -> None:
    with pytest.raises(NotFoundError) as err:
        reach(G, typo)
    assert "phone number" in err.value.suggestions
    assert "did you mean 'phone number'" in str(err.value)


def test_dpv_exact_match_wins_over_a_close_match(G: nx.MultiDiGraph) -> None:
    assert reach(G, "pd:Contact").data_type == "contact-information"


# ---------------------------------------------------------------------------------------------
# Taxonomy: broader carries narrower; only-narrower is partial


def test_contact_information_full_for_amazon_partial_for_apple_and_public(G: nx.MultiDiGraph) -> None:
    result = reach(G, "contact information")
    assert companies(result) == {"facebook", "amazon", "apple", "public"}
    assert row(result, "facebook")["partial"] is False  # holds contact information (Amazon's grant)
    assert row(result, "amazon")["partial"] is False    # granted contact information itself

    apple = row(result, "apple")
    types = set(apple["path"][0]["data_types"])
    assert not types & {"contact information", "personal data"}, "Apple's grant carries only narrower types"
    assert types & {"phone number", "address book"}
    assert apple["partial"] is True and apple["path"][0]["partial"] is True

    public = row(result, "public")  # the dump exposed phone numbers and emails: narrower types
    assert public["partial"] is True and public["via_incident"] is True
    # full answers come before partial ones
    flags = [r["partial"] for r in result.rows]
    assert flags == sorted(flags)


def test_personal_data_is_partial_for_everyone(G: nx.MultiDiGraph) -> None:
    result = reach(G, "personal data")
    assert companies(result) == {"facebook", "amazon", "apple", "microsoft", "netflix", "spotify",
                                 "royal-bank-of-canada", "yahoo", "public"}
    assert all(r["partial"] for r in result.rows)


def test_partial_reach_without_a_stated_holding(tmp_path: Path) -> None:
    G = fixture_graph(tmp_path, SOURCE + """\
    companies: [{name: Holder Co}, {name: Partner}]
    grants:
      - {id: g1, grantor: Holder Co, grantee: Partner, integration: messaging integration,
         data_types: [private message], permissions: [read], evidence: [{source: s1, locator: "¶1"}]}
    """)
    assert companies(reach(G, "private message")) == {"holder-co", "partner"}
    result = reach(G, "communications")
    assert companies(result) == {"holder-co", "partner"}
    assert row(result, "partner")["partial"] is True


# ---------------------------------------------------------------------------------------------
# Filters


def test_as_of_keeps_undated_grants_marked_and_follows_the_incident_dates(G: nx.MultiDiGraph) -> None:
    # The scrape happened in 2019 and was dumped openly in 2021 (The Register ¶4, Vice ¶5).
    before = reach(G, "phone number", as_of="2019-06-01")
    assert companies(before) == {"facebook", "amazon", "apple"}
    after = reach(G, "phone number", as_of="2022-01-01")
    assert companies(after) == {"facebook", "amazon", "apple", "public"}
    assert row(after, "public")["undated"] is False
    assert row(after, "public")["path"][0]["undated"] is False
    # no grant in the articles has a start or a stated end: kept, and marked
    for result in (before, after):
        for partner in ("amazon", "apple"):
            r = row(result, partner)
            assert r["undated"] is True and r["path"][0]["undated"] is True
    assert before.filters["as_of"] == "2019-06-01"


def test_as_of_never_drops_undated_edges_silently(G: nx.MultiDiGraph) -> None:
    for day in ("2005", "2017-06-01", "2030-12-31"):
        result = reach(G, "private message", as_of=day)
        assert companies(result) == {"facebook", "netflix", "spotify", "royal-bank-of-canada"}
        assert all(row(result, p)["undated"] for p in ("netflix", "spotify", "royal-bank-of-canada"))
    # without --as-of nothing is marked
    assert not any(r["undated"] for r in reach(G, "private message").rows)


def test_as_of_inside_a_year_only_date_is_not_reported_as_certain(G: nx.MultiDiGraph) -> None:
    result = reach(G, "phone number", as_of="2021-02-01")
    # the dump was published in "2021": on 2021-02-01 it may or may not have been out, so it is kept and marked
    assert "public" in companies(result)
    assert row(result, "public")["undated"] is True


@pytest.mark.parametrize(("day", "spotify", "undated"), [
    ("2009-12-31", False, None),   # before valid_from 2010
    ("2010", True, True),          # inside the year-only start: uncertain
    ("2014-06-15", True, False),
    ("2018-12-31", True, True),    # inside the year-only stated end 2018: uncertain
    ("2019-01-01", False, None),
])
def test_as_of_with_stated_dates(day: str, spotify: bool, undated: bool | None) -> None:
    result = reach(small_graph(), "private message", as_of=day)
    assert ("spotify" in companies(result)) is spotify
    if spotify:
        assert row(result, "spotify")["undated"] is undated


def test_as_of_month_precision_start() -> None:
    G = small_graph()  # Amazon's grant of names starts 2012-05
    assert "amazon" not in companies(reach(G, "name", as_of="2012-04-30"))
    assert "amazon" in companies(reach(G, "name", as_of="2012-05"))
    assert row(reach(G, "name", as_of="2030"), "amazon")["undated"] is False


def test_as_of_rejects_a_bad_date(G: nx.MultiDiGraph) -> None:
    with pytest.raises(ValueError):
        reach(G, "phone number", as_of="2021-13-01")


def test_permissions_are_all_of(G: nx.MultiDiGraph) -> None:
    assert companies(reach(G, "phone number", permissions=["write"])) == {"facebook"}
    assert companies(reach(G, "phone number", permissions=["read"])) == {"facebook", "amazon", "apple", "public"}
    assert companies(reach(G, "private message", permissions=["read", "delete"])) == {
        "facebook", "netflix", "spotify", "royal-bank-of-canada"}
    assert companies(reach(G, "friends list", permissions=["read", "write"])) == {"facebook"}
    assert [r["company"] for r in reach(small_graph(), "private message", permissions=["delete"]).rows] == [
        "facebook", "spotify"]


def test_integration_filter(G: nx.MultiDiGraph) -> None:
    msg = reach(G, "private message", integrations=["messaging integration"])
    assert companies(msg) == {"facebook", "netflix", "spotify", "royal-bank-of-canada"}
    assert _answer(reach(G, "private message", integrations=["messaging-integration"])) == _answer(msg)
    assert companies(reach(G, "phone number", integrations=["messaging integration"])) == {"facebook"}
    device = reach(G, "phone number", integrations=["device integration"])
    assert companies(device) == {"facebook", "amazon", "apple"}
    both = reach(G, "phone number", integrations=["device integration", "scraping"])
    assert companies(both) == {"facebook", "amazon", "apple", "public"}
    assert companies(reach(G, "friends list", integrations=["search integration"])) == {"facebook", "microsoft"}
    with pytest.raises(NotFoundError):
        reach(G, "phone number", integrations=["carrier pigeon"])


def test_ownership_in_the_default_dataset(G: nx.MultiDiGraph) -> None:
    owned = {(u, v) for u, v, a in G.edges(data=True) if a["kind"] == "ownership"}
    assert owned == {("instagram", "facebook"), ("whatsapp", "facebook")}  # owned → owner
    # Instagram and WhatsApp hold nothing in the articles, so following ownership adds
    # nobody, and a parent's data never flows down to its subsidiaries.
    for data_type in ("phone number", "private message", "friends list", "personal data"):
        plain, owning = reach(G, data_type), reach(G, data_type, through_ownership=True)
        assert _answer(plain) == _answer(owning)
        assert not companies(owning) & {"instagram", "whatsapp"}
        assert owning.filters["through_ownership"] is True


def test_ownership_followed_only_when_asked() -> None:
    G = small_graph()  # Example Holdings owns Spotify
    assert "example-holdings" not in companies(reach(G, "private message"))
    result = reach(G, "private message", through_ownership=True)
    holdings = row(result, "example-holdings")
    assert holdings["hops"] == 2
    assert [(h["from"], h["to"], h["kind"]) for h in holdings["path"]] == [
        ("facebook", "spotify", "grant"), ("spotify", "example-holdings", "ownership")]
    # the parent reaches only what the subsidiary reaches
    assert "example-holdings" not in companies(reach(G, "phone number", through_ownership=True))


# ---------------------------------------------------------------------------------------------
# Shortest paths and ties


PATHS = SOURCE + """\
    companies: [{name: A}, {name: B}, {name: C}, {name: D}, {name: P}, {name: Q}]
    holdings:
      - {holder: A, data_types: [phone number], evidence: [{source: s1, locator: "¶1"}]}
    grants:
      - {id: a-b, grantor: A, grantee: B, integration: app platform, data_types: [phone number],
         permissions: [read], evidence: [{source: s1, locator: "¶2"}]}
      - {id: b-c, grantor: B, grantee: C, integration: app platform, data_types: [phone number],
         permissions: [read], evidence: [{source: s1, locator: "¶3"}]}
      - {id: a-c, grantor: A, grantee: C, integration: app platform, data_types: [phone number],
         permissions: [read], evidence: [{source: s1, locator: "¶4"}]}
      - {id: a-d, grantor: A, grantee: D, integration: app platform, data_types: [phone number],
         permissions: [read], evidence: [{source: s1, locator: "¶5"}]}
      - {id: a-q, grantor: A, grantee: Q, integration: app platform, data_types: [phone number],
         permissions: [read], evidence: [{source: s1, locator: "¶6"}]}
    ownership:
      - {id: p-owns-d, owner: P, owned: D, evidence: [{source: s1, locator: "¶7"}]}
      - {id: q-owns-d, owner: Q, owned: D, evidence: [{source: s1, locator: "¶8"}]}
"""


def test_shortest_path_is_taken(tmp_path: Path) -> None:
    G = fixture_graph(tmp_path, PATHS)
    assert "p" not in companies(reach(G, "phone number"))
    result = reach(G, "phone number", through_ownership=True)
    c = row(result, "c")
    assert c["hops"] == 1 and [h["fact"] for h in c["path"]] == ["a-c"]
    # P is reached only through D (grant, then ownership): two hops
    p = row(result, "p")
    assert p["hops"] == 2 and [h["fact"] for h in p["path"]] == ["a-d", "p-owns-d"]
    # Q owns D too but has its own grant from A: one hop beats two
    q = row(result, "q")
    assert q["hops"] == 1 and [h["fact"] for h in q["path"]] == ["a-q"]
    assert [r["hops"] for r in result.rows] == sorted(r["hops"] for r in result.rows)


def test_a_chain_keeps_its_origin(tmp_path: Path) -> None:
    chain = "\n".join(line for line in PATHS.splitlines() if "id: a-c" not in line and "¶4" not in line)
    result = reach(fixture_graph(tmp_path, chain), "phone number")
    b, c = row(result, "b"), row(result, "c")
    assert (b["hops"], [h["fact"] for h in b["path"]]) == (1, ["a-b"])
    assert (c["hops"], [h["fact"] for h in c["path"]]) == (2, ["a-b", "b-c"])


TIES = SOURCE + """\
    companies: [{name: H1}, {name: H2}, {name: T}, {name: U}]
    holdings:
      - {holder: H1, data_types: [phone number], evidence: [{source: s1, locator: "¶1"}]}
      - {holder: H2, data_types: [phone number], evidence: [{source: s1, locator: "¶2"}]}
    grants:
      - id: h1-t
        grantor: H1
        grantee: T
        integration: app platform
        data_types: [phone number]
        evidence:
          - {source: s1, locator: "¶3"}
          - {source: s1, locator: "¶4", stance: disputes, claimant: T}
      - {id: h2-t, grantor: H2, grantee: T, integration: app platform, data_types: [phone number],
         evidence: [{source: s1, locator: "¶5"}]}
      - id: aa-h1-u-disputed
        grantor: H1
        grantee: U
        integration: app platform
        data_types: [phone number]
        evidence:
          - {source: s1, locator: "¶6"}
          - {source: s1, locator: "¶7", stance: disputes, claimant: U}
      - {id: zz-h1-u-clean, grantor: H1, grantee: U, integration: app platform, data_types: [phone number],
         evidence: [{source: s1, locator: "¶8"}]}
"""


def test_parallel_edges_prefer_the_undisputed_one(tmp_path: Path) -> None:
    u = row(reach(fixture_graph(tmp_path, TIES), "phone number"), "u")
    assert [(h["fact"], h["disputed"]) for h in u["path"]] == [("zz-h1-u-clean", False)]
    assert u["disputed"] is False


def test_equal_length_paths_prefer_undisputed_edges(tmp_path: Path) -> None:
    t = row(reach(fixture_graph(tmp_path, TIES), "phone number"), "t")
    assert [(h["fact"], h["disputed"]) for h in t["path"]] == [("h2-t", False)]


# ---------------------------------------------------------------------------------------------
# Shape of an answer


def test_answer_shape_and_evidence(G: nx.MultiDiGraph) -> None:
    data = json.loads(json.dumps(reach(G, "phone number").to_json()))
    assert set(data) >= {"data_type", "label", "filters", "companies"}
    for r in data["companies"]:
        assert {"company", "iri", "hops", "partial", "path"} <= set(r)
        assert r["iri"].startswith("https://w3id.org/datareach/")
        assert r["hops"] == len(r["path"])
        for hop in r["path"]:
            assert {"from", "to", "integration", "permissions", "valid_from", "stated_end", "status",
                    "sources", "disputed"} <= set(hop)
            assert hop["sources"], "every hop is cited"
            for s in hop["sources"]:
                assert s["publisher"] and s["title"] and s["date"] and s["locator"]
                assert s["url"].startswith("https://")
    publishers = {s["publisher"] for r in data["companies"] for h in r["path"] for s in h["sources"]}
    assert {"Techly", "The Register", "Vice (Motherboard)"} <= publishers


def test_nobody_outside_the_dataset_appears(G: nx.MultiDiGraph) -> None:
    for concept in ("phone number", "private message", "personal data", "birth date", "name"):
        assert companies(reach(G, concept)) <= EVERYONE


def test_limit_keeps_the_nearest_rows_and_counts_all(G: nx.MultiDiGraph) -> None:
    whole = reach(G, "phone number")
    first = reach(G, "phone number", limit=2)
    assert first.total == whole.total == len(whole.rows) == 4
    assert first.rows == whole.rows[:2]
    assert first.to_json()["total"] == 4


def test_limit_in_the_cli(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from graph.cli.main import main

    result = CliRunner().invoke(main, ["-q", "--sources", str(SEED), "--out", str(tmp_path / "out"), "reach", "phone number", "--limit", "1",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 4 and [c["company"] for c in data["companies"]] == ["facebook"]


@pytest.mark.parametrize("question", [
    {"data_type": "phone number"},
    {"data_type": "private message", "permissions": ["read", "delete"]},
    {"data_type": "contact information", "as_of": "2018-06"},
    {"data_type": "personal data", "through_ownership": True},
    {"data_type": "friends list", "integrations": ["search integration"], "limit": 1},
])
def test_the_flow_index_cache_gives_the_same_answers(seed_build: Path, question) -> None:
    """CLI reach reads compiled.flows (arrays; evidence decoded for an answer's hops only)."""
    full, slim = compiled.projection([SEED], seed_build), compiled.flows([SEED], seed_build)
    assert isinstance(slim, FlowIndex) and build_file(seed_build, "flows.npz").is_file()
    assert reach(slim, **question).to_json() == reach(full, **question).to_json()


@pytest.mark.parametrize("damage", ["missing", "other version", "truncated", "evidence garbled", "evidence of another build"])
def test_a_missing_or_foreign_flow_index_is_rebuilt(seed_build: Path, tmp_path: Path, damage: str) -> None:
    """A build from an earlier version (no flows.npz), another format, or a damaged file: rebuilt, same answer."""
    import shutil

    import numpy as np

    out = tmp_path / "out"
    shutil.copytree(seed_build, out)
    cache = build_file(out, "flows.npz")
    if damage == "missing":
        cache.unlink()
    elif damage == "truncated":
        cache.write_bytes(cache.read_bytes()[:1000])
    elif damage == "evidence garbled":  # same length, so only the contents can tell
        evidence = cache.with_name("evidence.json")
        evidence.write_bytes(b"#" * evidence.stat().st_size)
    elif damage == "evidence of another build":
        evidence = cache.with_name("evidence.json")
        evidence.write_bytes(evidence.read_bytes()[:-32] + b"0" * 32)
    else:
        with np.load(cache) as data:
            arrays = dict(data)
        arrays["meta"] = np.frombuffer(json.dumps({"format": 0}).encode(), dtype=np.uint8)
        with open(cache, "wb") as fh:
            np.savez(fh, **arrays)
    said: list[str] = []
    index = compiled.flows([SEED], out, progress=said.append)
    assert any("rebuilding" in s for s in said)
    assert reach(index, "phone number").to_json() == reach(compiled.projection([SEED], seed_build), "phone number").to_json()


def test_reach_sees_a_graph_changed_between_questions() -> None:
    """reach(G) converts G each time (no stale cache); flow_index(G) is the explicit, reusable form."""
    from graph.examples import small_graph
    from graph.questions.reach import flow_index

    G = small_graph()
    index = flow_index(G)
    before = [r["company"] for r in reach(G, "private message", permissions=["delete"]).rows]
    assert "spotify" in before
    for _, v, attrs in G.edges(data=True):
        if v == "spotify":
            attrs["permissions"] = ["read"]
    assert "spotify" not in [r["company"] for r in reach(G, "private message", permissions=["delete"]).rows]
    assert [r["company"] for r in reach(index, "private message", permissions=["delete"]).rows] == before


@pytest.mark.parametrize("question", [
    {"data_type": "phone number"},
    {"data_type": "private message", "permissions": ["read", "delete"]},
    {"data_type": "contact information", "as_of": "2018-06"},
    {"data_type": "personal data", "through_ownership": True},
])
def test_parties_are_reach_without_paths(seed_build: Path, question) -> None:
    from graph.questions.reach import parties

    G = compiled.projection([SEED], seed_build)
    assert parties(G, **question) == [(r["company"], r["hops"], r["partial"]) for r in reach(G, **question).rows]


def test_a_grant_and_an_incident_with_the_same_id_keep_their_own_evidence(tmp_path: Path) -> None:
    """Ids are unique within a kind of fact: the cache must not give one fact the other's claims."""
    facts = tmp_path / "facts.yaml"
    facts.write_text(textwrap.dedent("""\
        sources:
          - {id: grant-report, publisher: Grant Press, title: The grant report, date: "2018-12-20", url: "https://example.org/grant"}
          - {id: leak-report, publisher: Leak Press, title: The leak report, date: "2021-04-01", url: "https://example.org/leak"}
        companies: [{name: Alpha}, {name: Beta}, {name: Gamma}]
        holdings:
          - {holder: Alpha, data_types: [phone number], evidence: [{source: grant-report, locator: "p1"}]}
        grants:
          - {id: alpha-data, grantor: Alpha, grantee: Beta, integration: device integration, data_types: [phone number],
             permissions: [read], status: active, evidence: [{source: grant-report, locator: "grant p2"}]}
        incidents:
          - {id: alpha-data, name: A leak, platform: Alpha, integration: scraping, data_types: [phone number],
             occurred: "2019", published: "2021-04", recipients: [Gamma], evidence: [{source: leak-report, locator: "leak p9"}]}
        """), encoding="utf-8")
    out = tmp_path / "out"
    compiled.build([facts], out)

    def cited(G) -> dict[str, list[str]]:
        return {h["to"]: [c["locator"] for c in h["sources"]] for r in reach(G, "phone number").rows for h in r["path"]}

    assert cited(compiled.flows([facts], out)) == cited(compiled.projection([facts], out)) == {
        "beta": ["grant p2"], "gamma": ["leak p9"]}


def test_ownership_hops_have_no_dates_so_an_as_of_question_marks_them_undated() -> None:
    from graph.examples import small_graph

    rows = {r["company"]: r for r in reach(small_graph(), "private message", as_of="2015", through_ownership=True).rows}
    owner_hops = [h for h in rows["example-holdings"]["path"] if h["kind"] == "ownership"]
    assert owner_hops and all(h["undated"] for h in owner_hops) and rows["example-holdings"]["undated"]
