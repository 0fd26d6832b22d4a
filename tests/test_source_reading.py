"""How a source was known (issue 14, item 2): a source records whether it was read directly,
through a full reprint or only through quotes on other pages (``read``, ``read_via``); a URL
is given only when known; answers show it; ``--confidence`` and ``--read`` filter on it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib
from click.testing import Result

from graph.build.loader import load
from graph.build.projection import project
from graph.model.vocab import DR
from graph.questions.reach import evidence_rule, reach
from graph.questions.table import partner_table
from tests.conftest import assert_refused

FACTS = """\
sources:
  - id: paper-direct
    publisher: "Example Paper"
    title: "Read on its own page"
    date: "2018-12-18"
    url: "https://paper.example.org/a"
  - id: post-quoted
    publisher: "Example Platform Newsroom"
    title: "A post nobody here saw"
    date: "2018-12-19"
    read: "through quotes"
    read_via:
      - publisher: "Example Wire"
        title: "Platform answers"
        date: "2018-12-19"
        url: "https://wire.example.org/answers"
      - publisher: "Example Blog"
        url: "https://blog.example.org/q"
    note: "Exact title not confirmed."
  - id: report-reprint
    publisher: "Example Times"
    title: "A reprinted report"
    date: "2018-12-20"
    url: "https://times.example.org/r"
    read: "through a reprint"
    read_via:
      - publisher: "Example Review-Journal"
        url: "https://rj.example.org/r"
companies:
  - name: "Platform"
  - name: "Direct Partner"
  - name: "Quoted Partner"
  - name: "Reprinted Partner"
  - name: "Alleged Partner"
holdings:
  - holder: "Platform"
    data_types: ["private message"]
    evidence:
      - source: paper-direct
        locator: "¶1"
grants:
  - id: to-direct
    grantor: "Platform"
    grantee: "Direct Partner"
    integration: "messaging integration"
    data_types: ["private message"]
    evidence:
      - source: paper-direct
        locator: '¶2 ("could read messages")'
  - id: to-quoted
    grantor: "Platform"
    grantee: "Quoted Partner"
    integration: "messaging integration"
    data_types: ["private message"]
    evidence:
      - source: post-quoted
        locator: '¶4 as quoted by Example Wire ("messaging feature")'
        confidence: "confirmed"
        claimant: "Platform"
  - id: to-reprinted
    grantor: "Platform"
    grantee: "Reprinted Partner"
    integration: "messaging integration"
    data_types: ["private message"]
    evidence:
      - source: report-reprint
        locator: "¶7"
  - id: to-alleged
    grantor: "Platform"
    grantee: "Alleged Partner"
    integration: "messaging integration"
    data_types: ["private message"]
    evidence:
      - source: paper-direct
        locator: "¶9"
        confidence: "alleged"
"""


@pytest.fixture
def facts(write: Callable[..., Path]) -> Path:
    return write("sources/facts.yaml", FACTS)


def _graph(path: Path):  # type: ignore[no-untyped-def]
    return project(load([path]).g)


def _partners(rows: list[dict[str, object]]) -> set[str]:
    return {str(r["label"]) for r in rows if r["label"] != "Platform"}


def test_the_source_says_how_it_was_read_in_rdf_and_the_projection(facts: Path) -> None:
    loaded = load([facts])
    g = loaded.g
    quoted = rdflib.URIRef("https://w3id.org/datareach/id/source/post-quoted")
    assert g.value(quoted, DR.read) == DR.ReadThroughQuotes
    assert g.value(quoted, DR.url) is None  # no address was seen: none is made up
    pages = sorted(str(g.value(p, DR.url)) for p in g.objects(quoted, DR.readVia))
    assert pages == ["https://blog.example.org/q", "https://wire.example.org/answers"]
    direct = rdflib.URIRef("https://w3id.org/datareach/id/source/paper-direct")
    assert g.value(direct, DR.read) is None
    sources = project(g).graph["sources"]
    assert sources["paper-direct"]["read"] == "directly"
    assert sources["post-quoted"]["read"] == "through quotes"
    assert [p["publisher"] for p in sources["post-quoted"]["read_via"]] == ["Example Blog", "Example Wire"]
    assert sources["report-reprint"]["read"] == "through a reprint"


def test_confidence_and_read_filter_reach_and_the_table(facts: Path) -> None:
    G = _graph(facts)
    everyone = {"Direct Partner", "Quoted Partner", "Reprinted Partner", "Alleged Partner"}
    assert _partners(reach(G, "private message").rows) == everyone
    assert _partners(reach(G, "private message", confidence="reported").rows) == everyone - {"Alleged Partner"}
    # the holding is only reported, but a grant of the type makes its grantor a holder
    assert _partners(reach(G, "private message", confidence="confirmed").rows) == {"Quoted Partner"}
    assert _partners(reach(G, "private message", read="directly").rows) == {"Direct Partner", "Alleged Partner"}
    assert _partners(reach(G, "private message", read="through a reprint").rows) == {
        "Direct Partner", "Alleged Partner", "Reprinted Partner"}
    assert _partners(reach(G, "private message", read="directly", confidence="reported").rows) == {"Direct Partner"}
    table = {r["label"] for r in partner_table(G, read="directly")}
    assert table == {"Direct Partner", "Alleged Partner"}
    assert {r["label"] for r in partner_table(G, confidence="confirmed")} == {"Quoted Partner"}


def test_an_unknown_level_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="confidence must be one of confirmed, reported, alleged"):
        evidence_rule({}, confidence="certain")
    with pytest.raises(ValueError, match="read must be one of directly, through a reprint, through quotes"):
        evidence_rule({}, read="somehow")
    assert evidence_rule({}) is None


def test_answers_say_how_a_source_was_read(facts: Path, cli: Callable[..., Result]) -> None:
    result = cli("-q", "-s", str(facts), "reach", "private message", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["label"]: r for r in json.loads(result.stdout)["companies"]}
    [cited] = rows["Quoted Partner"]["path"][0]["sources"]
    assert cited["read"] == "through quotes" and cited["url"] is None
    assert [p["publisher"] for p in cited["read_via"]] == ["Example Blog", "Example Wire"]
    assert "read" not in rows["Direct Partner"]["path"][0]["sources"][0]  # read directly: nothing to say

    text = cli("-q", "-s", str(facts), "reach", "private message", "--read", "through quotes", "--wide")
    assert text.exit_code == 0, text.output
    assert '"A post nobody here saw", 2018-12-19, URL not known (read through quotes in Example Blog, Example Wire)' in text.stdout
    assert "(read through a reprint in Example Review-Journal)" in text.stdout

    md = cli("-q", "-s", str(facts), "table", "--format", "md")
    assert "URL not known \\(read through quotes in Example Blog, Example Wire\\)" in md.stdout
    html = cli("-q", "-s", str(facts), "table", "--format", "html")
    assert "(read through quotes in Example Blog, Example Wire)" in html.stdout


def test_the_filters_are_words_in_the_heading_and_json(facts: Path, cli: Callable[..., Result]) -> None:
    text = cli("-q", "-s", str(facts), "reach", "private message", "--confidence", "reported", "--read", "directly", "--wide")
    assert text.exit_code == 0, text.output
    assert "(filters: claims at least reported; sources read at least directly)" in text.stdout
    assert "Alleged Partner" not in text.stdout and "Direct Partner" in text.stdout
    answer = json.loads(cli("-q", "-s", str(facts), "reach", "private message", "--confidence", "alleged",
                            "--format", "json").stdout)
    assert answer["filters"]["confidence"] == "alleged" and answer["filters"]["read"] is None
    bad = cli("-q", "-s", str(facts), "table", "--read", "hearsay")
    assert bad.exit_code == 2 and "'hearsay' is not one of" in bad.output


@pytest.mark.parametrize(("old", "new", "needle"), [
    ('    read: "through quotes"\n    read_via:\n      - publisher: "Example Wire"\n'
     '        title: "Platform answers"\n        date: "2018-12-19"\n        url: "https://wire.example.org/answers"\n'
     '      - publisher: "Example Blog"\n        url: "https://blog.example.org/q"\n',
     '    read: "through quotes"\n', "names the pages it was read through"),
    ('    url: "https://paper.example.org/a"\n',
     '    url: "https://paper.example.org/a"\n    read_via:\n      - publisher: "X"\n        url: "https://x.example.org"\n',
     "read_via is for a source read through a reprint or through quotes"),
    ('    read: "through a reprint"\n', '    read: "by hearsay"\n', "read"),
    ('        url: "https://blog.example.org/q"\n', '        url: "javascript:alert(1)"\n', "url"),
])
def test_bad_reading_records_are_refused_with_the_line(write: Callable[..., Path], cli: Callable[..., Result],
                                                         old: str, new: str, needle: str) -> None:
    assert FACTS.count(old) == 1
    path = write("sources/bad.yaml", FACTS.replace(old, new))
    result = cli("-q", "-s", str(path), "check")
    assert_refused(result, needle, "bad.yaml:")


def test_jsonld_export_keeps_how_a_source_was_read(facts: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "graph.jsonld"
    result = cli("-q", "-s", str(facts), "export", "--format", "jsonld", "-o", str(target))
    assert result.exit_code == 0, result.output
    g = rdflib.Graph().parse(target, format="json-ld")
    quoted = rdflib.URIRef("https://w3id.org/datareach/id/source/post-quoted")
    assert g.value(quoted, DR.read) == DR.ReadThroughQuotes
    assert {str(g.value(p, DR.url)) for p in g.objects(quoted, DR.readVia)} == {
        "https://blog.example.org/q", "https://wire.example.org/answers"}


def test_the_server_pages_take_the_same_filters(facts: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    from test_serve_fixtures import get, running_server

    out = tmp_path / "served"
    assert cli("-q", "-s", str(facts), "build", out=out).exit_code == 0
    with running_server(out) as server:
        answer = json.loads(get(server, "/reach.json?data_type=private+message&read=directly&confidence=reported").body)
        assert {r["label"] for r in answer["companies"]} == {"Platform", "Direct Partner"}
        rows = json.loads(get(server, "/table.json?confidence=confirmed").body)
        assert {r["label"] for r in rows} == {"Quoted Partner"}
        page = get(server, "/table?read=through+quotes").body.decode()
        assert 'name="read"' in page and "Quoted Partner" in page
        bad = get(server, "/table?read=hearsay")
        assert bad.status == 400 and b"read must be one of" in bad.body
