"""One company's profile (issue 15, item 6): the library question and `datareach company`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from conftest import FIXTURES, assert_refused, fixture_graph

from graph.errors import NotFoundError
from graph.present.company import company_csv, company_markdown, company_text, dispute_words
from graph.questions.company import company_profile
from graph.questions.owner import ultimate_owner
from graph.questions.table import partner_table


def test_profile_of_the_small_graph() -> None:
    G = fixture_graph()
    p = company_profile(G, "facebook, inc.")
    assert p.company == "facebook"
    assert {r["fact"] for r in p.grants} == {r["fact"] for r in partner_table(G, companies=["facebook"]) if r["grantor"] == "facebook"}
    assert p.receives == [] and p.owners == []
    assert [h["data_types"] for h in p.holds] == [["friends list", "phone number", "private message"]]
    assert [(i["role"], i["other"]) for i in p.incidents] == [("exposed", "public")]
    spotify = company_profile(G, "Spotify")
    assert [r["grantor"] for r in spotify.receives] == ["facebook"]
    assert {s["source"] for s in spotify.sources} == {c["source"] for r in spotify.receives for c in r["sources"] + r["disputes"]}
    assert [(d["claimant"], d["aspect"]) for d in spotify.disputes] == [
        (c["claimant"] or c["publisher"], c["aspect"]) for c in spotify.receives[0]["disputes"]]
    bing = company_profile(G, "Bing")
    assert bing.owners == ultimate_owner(G, "bing").chains and bing.ultimate_owners == ["Microsoft"]
    assert [o["company"] for o in company_profile(G, "Microsoft").owns] == ["bing"]


def test_profile_lists_incidents_and_unknown_names() -> None:
    G = fixture_graph("lists.yaml")
    member = next(m for nl in G.graph["lists"].values() for m in nl["members"])
    p = company_profile(G, member["company"])
    assert [(m["list"], m["status"]) for m in p.lists] == [
        (nl["id"], m["status"]) for nl in G.graph["lists"].values() for m in nl["members"] if m["company"] == member["company"]]
    public = company_profile(G, "public")
    assert public.incidents and all(i["role"] == "received" for i in public.incidents)
    with pytest.raises(NotFoundError, match="unknown company"):
        company_profile(G, "Facebok")


def test_dispute_words_name_each_party_once() -> None:
    c: dict[str, Any] = {"stance": "disputes", "claimant": "Facebook", "publisher": "P", "aspect": "consent"}
    words = dispute_words([c, c, {**c, "aspect": "disclosure"}, {**c, "claimant": None}, {**c, "stance": "asserts"}])
    assert words == ["disputed by Facebook: consent, disclosure", "disputed by P: consent"]


def test_text_markdown_and_csv_are_escaped() -> None:
    G = fixture_graph("hostile.yaml")
    for node in G.nodes:
        p = company_profile(G, node)
        text, md = company_text(p), company_markdown(p)
        assert "\u202e" not in text and "\x1b" not in text
        assert "<script>" not in md and "<img" not in md
        for row in csv.reader(io.StringIO(company_csv(p))):
            assert not any(cell[:1] in ("=", "+", "@") for cell in row)


def test_company_command(cli: Callable[..., Any]) -> None:
    args = ["--sources", str(FIXTURES / "small.yaml")]
    text = cli(*args, "company", "Spotify", "--wide")
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("Spotify (spotify), company")
    assert "Receives (1 grant):" in text.stdout and "Sources:" in text.stdout and "disputed by Spotify (the fact itself)" in text.stdout
    data = json.loads(cli(*args, "company", "spotify", "--format", "json").stdout)
    assert data == json.loads(json.dumps(company_profile(fixture_graph(), "spotify").to_json()))
    md = cli(*args, "company", "Spotify", "--format", "md").stdout
    assert md.startswith("# Spotify \\(spotify\\), company") and "## Receives" in md
    rows = list(csv.DictReader(io.StringIO(cli(*args, "company", "Spotify", "--format", "csv").stdout)))
    assert [r["relation"] for r in rows] == ["receives"] and "Example Press" in rows[0]["sources"]
    assert_refused(cli(*args, "company", "Spotfy"), "unknown company 'Spotfy'", "did you mean 'Spotify'")
