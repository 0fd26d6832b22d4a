"""Issue 15 in Chromium: reach views at about 100 and 1,300 parties, groups that open, the
chain view, a legend whose marks mean one thing each, and the page's state in its URL.

The 1,300-party case is the California data broker registry and DuckDuckGo's tracker list
from the shared datasets (skipped when they are absent). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .browserkit import fixture_graph, ids_by_key, require_chromium
from .synthetic import synthetic_graph

require_chromium()
pytestmark = pytest.mark.browser

SHARED = Path(os.environ.get("DATAREACH_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
CA = SHARED / "ca_data_broker_registry_2025" / "california_data_broker_registry_2025.csv"
DDG = SHARED / "ddg_tracker_blocklist" / "extension-tds.json"


def drawn_parties(opened):
    return opened.eval("datareach.nodes.get().filter(n => n.k === 'company' || n.k === 'public')")


def assert_reach_view(opened, G, data_type):
    """What every reach view must show, whatever its size."""
    from graph.questions.reach import reach
    from graph.viz.layout import rank

    rows = reach(G, data_type).rows
    drawn = {n["key"]: n for n in drawn_parties(opened)}
    answer = {r["company"] for r in rows}
    assert set(drawn) <= answer  # only the answer is drawn, everything else folded
    assert opened.eval("datareach.edges.get().filter(e => e.k === 'holding').length") == 0
    assert opened.eval("datareach.edges.get().every(e => e.path)")  # every edge drawn is on a reach path
    holders = {r["company"] for r in rows if r["holder"]}
    assert all(drawn[k].get("holder") for k in holders if k in drawn)
    assert all(drawn[k]["color"]["border"] == "#c92a2a" for k in holders if k in drawn)
    # the nearest and most central parties are labelled
    scores, degree = rank(G), dict(G.degree())
    central = {k: scores.get(k, 0.0) + degree[k] / max(degree.values()) for k in drawn}
    nearest = sorted(drawn, key=lambda k: ({r["company"]: r["hops"] for r in rows}[k], -central[k], k))[:20]
    assert all(drawn[k]["label"] for k in nearest), [k for k in nearest if not drawn[k]["label"]]
    return rows


def test_reach_view_at_100_parties(open_page, write_page, artifacts):
    G = synthetic_graph(100)
    opened = open_page(write_page("reach-100", G, focus_data_type="phone number"))
    rows = assert_reach_view(opened, G, "phone number")
    assert len(drawn_parties(opened)) == len(rows)  # at this size the whole answer is drawn
    groups = opened.eval("datareach.nodes.get().filter(n => n.k === 'group')")
    assert sum(g["count"] for g in groups) == G.number_of_nodes() - len(rows)
    # left to right: holders left of the parties they pass the data to
    xs = {n["key"]: n["x"] for n in drawn_parties(opened)}
    hops = {r["company"]: r["hops"] for r in rows}
    assert max(xs[k] for k in xs if hops[k] == 0) < min(xs[k] for k in xs if hops[k] == 1)
    opened.page.screenshot(path=str(artifacts / "viz-reach-100.png"))
    opened.assert_clean()


@pytest.fixture(scope="module")
def registry_and_trackers(tmp_path_factory):
    """The CA broker registry and DuckDuckGo's list imported into one project and built (about 1,300 parties)."""
    if not (CA.is_file() and DDG.is_file()):
        pytest.skip(f"the shared datasets are not at {SHARED}")
    from graph.build.compiled import build, projection
    from graph.importers import import_file

    base = tmp_path_factory.mktemp("imported")
    sources = base / "sources"
    sources.mkdir()
    for kind, path in (("ca-broker-registry", CA), ("ddg-tds", DDG)):
        made = import_file(kind, path, base / kind).output
        (sources / made.name).write_bytes(made.read_bytes())
    build([sources], base / "out")
    return projection([sources], base / "out")


@pytest.mark.slow
def test_reach_view_at_1300_parties(registry_and_trackers, open_page, write_page, artifacts):
    G = registry_and_trackers
    assert 1200 < G.number_of_nodes() < 1500
    opened = open_page(write_page("reach-1300", G, focus_data_type="precise location"))
    rows = assert_reach_view(opened, G, "precise location")
    holders = [r for r in rows if r["holder"]]
    assert len(holders) > 50 and len(drawn_parties(opened)) == len(rows)
    labelled = [n for n in drawn_parties(opened) if n["label"]]
    assert 20 <= len(labelled) <= 60  # labels for the nearest and most central, not a wall of text
    groups = opened.eval("datareach.nodes.get().filter(n => n.k === 'group')")
    assert groups and sum(g["count"] for g in groups) == G.number_of_nodes() - len(rows)
    opened.page.screenshot(path=str(artifacts / "viz-reach-1300.png"))
    # a group opens on a click and folds on the next
    big = max(groups, key=lambda g: g["count"])
    before = opened.eval("datareach.nodes.length")
    opened.eval("(id) => datareach.network.fit({nodes: [id], animation: false})", big["id"])
    point = opened.eval("(id) => datareach.network.canvasToDOM(datareach.network.getPositions([id])[id])", big["id"])
    box = opened.page.locator("#graph").bounding_box()
    opened.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    opened_count = opened.eval("datareach.nodes.length") - before
    assert opened_count == min(big["count"], 400)
    assert "parties open" in opened.page.inner_text("#status")
    opened.page.screenshot(path=str(artifacts / "viz-reach-1300-group-open.png"))
    opened.eval("(id) => datareach.toggleGroup(id)", big["id"])  # all open? fold; else the next 400
    # searching a folded party opens its group and selects it
    member = next(n for n in G if n not in {r["company"] for r in rows} and G.nodes[n].get("kind") == "company")
    opened.page.fill("#search", G.nodes[member]["label"])
    opened.page.press("#search", "Enter")
    selected = opened.eval("datareach.network.getSelectedNodes()")
    assert len(selected) == 1 and opened.eval("(id) => datareach.nodes.get(id).key", selected[0]) == member
    assert f"sel={member}" in opened.eval("location.hash")
    opened.assert_clean()


def test_chain_reads_left_to_right(open_page, write_page, artifacts):
    G = fixture_graph("onward.yaml")  # the Facebook → GSR → Cambridge Analytica shape, invented names
    opened = open_page(write_page("chain", G, focus_data_type="interests", start="Example Platform"))
    xs = {n["key"]: n["x"] for n in drawn_parties(opened)}
    chain = ["example-platform", "quiz-app-ltd", "example-consultancy-ltd", "example-affiliate-ltd"]
    assert [k for k in sorted(xs, key=xs.get)] == chain
    asked = opened.eval("datareach.nodes.get().find(n => n.k === 'datatype')")
    assert asked["x"] < xs["example-platform"]
    labels = {opened.eval("(e) => datareach.nodes.get(e.from).key", e): e["label"]
              for e in opened.eval("datareach.edges.get()")}
    assert labels["example-platform"].startswith("app platform\n") and "[1]" in labels["example-platform"]
    assert "[2]" in labels["example-consultancy-ltd"]  # the later report, numbered in chain order
    sources = opened.eval("Array.from(document.querySelectorAll('#panel ol.sources li')).map(li => li.textContent)")
    assert sources[0].startswith("Fixture Press (made up) · A made-up report") and "A later made-up report" in sources[1]
    assert opened.eval("location.hash") == "#view=chain&type=interests&from=example-platform"
    opened.page.screenshot(path=str(artifacts / "viz-chain.png"))
    opened.assert_clean()


def test_legend_marks_are_distinct_and_the_page_uses_them(open_page, write_page):
    G = fixture_graph("small.yaml")
    opened = open_page(write_page("legend-reach", G, focus_data_type="private message"))
    entries = opened.eval("Array.from(document.querySelectorAll('#legend li'))"
                          ".map(li => [li.dataset.mark, li.querySelector('svg').innerHTML, li.textContent.trim()])")
    marks = [m for m, _svg, _text in entries]
    assert len(set(marks)) == len(marks) and len({svg for _m, svg, _t in entries}) == len(entries)
    assert {"holder", "asked", "lookalike", "public", "ownership", "disputed", "contested"} <= set(marks)
    colours = {m: svg for m, svg, _t in entries}
    assert "#f08c00" in colours["lookalike"] and "#f08c00" not in colours["asked"] and "#c92a2a" in colours["holder"]
    asked = opened.eval("datareach.nodes.get().find(n => n.k === 'datatype')")
    assert asked["color"]["background"] in colours["asked"]
    assert "Holders are red" in opened.page.inner_text("#panel-body")
    opened.assert_clean()


def test_a_tooltip_names_each_disputing_party_once(open_page, write_page):
    G = fixture_graph("small.yaml")
    edge = next(e for e in G.edges(keys=True) if e[2] == "facebook-spotify")
    claim = next(c for c in G.edges[edge]["evidence"] if c["stance"] == "disputes")
    G.edges[edge]["evidence"] += [dict(claim, locator="again"), dict(claim, claimant="Netflix"),
                                  dict(claim, claimant="Spotify", aspect="dates")]
    opened = open_page(write_page("disputers", G))
    title = opened.eval("datareach.edges.get().find(e => e.fact === 'facebook-spotify').title")
    assert "disputed by Spotify, Netflix\n" in title and title.count("Spotify") == 2  # the end, then the disputer once
    assert "contested: dates" in title
    edge = opened.eval("datareach.edges.get().find(e => e.fact === 'facebook-spotify')")
    assert edge["dashes"] is True and edge["arrows"]["middle"]["type"] == "bar"
    opened.assert_clean()


def test_state_in_the_url_round_trips(open_page, write_page):
    path = write_page("state", fixture_graph("small.yaml"))
    opened = open_page(path)
    assert opened.eval("location.hash") == "#view=all"
    opened.page.select_option("#f-datatype", "friends-list")
    opened.page.fill("#f-asof", "2015-06-01")
    opened.page.fill("#search", "Bing")
    opened.page.press("#search", "Enter")
    url = opened.eval("location.href")
    assert url.endswith("#view=all&type=friends-list&asof=2015-06-01&q=Bing&sel=bing")
    facts = sorted(opened.eval("datareach.edgeView.get().map(e => e.fact)"))

    again = open_page(path)  # a fresh page opened at the shared URL shows the same view
    again.page.goto(url)
    again.page.wait_for_function("document.body.dataset.drawn === '1'")
    assert again.eval("document.getElementById('f-datatype').value") == "friends-list"
    assert again.eval("document.getElementById('f-asof').value") == "2015-06-01"
    assert again.eval("document.getElementById('search').value") == "Bing"
    assert sorted(again.eval("datareach.edgeView.get().map(e => e.fact)")) == facts
    assert again.eval("datareach.network.getSelectedNodes()") == [ids_by_key(again)["bing"]]
    assert again.page.inner_text("#panel-body h2") == "Bing"
    assert again.eval("location.href") == url
    from graph.viz.state import parse_state

    assert parse_state(url) == {"view": "all", "type": "friends-list", "asof": "2015-06-01", "q": "Bing", "sel": "bing"}
    opened.assert_clean()
    again.assert_clean()


def test_hostile_fragment_is_ignored(open_page, write_page):
    path = write_page("state", fixture_graph("small.yaml"))
    opened = open_page(path)
    opened.page.goto(path.resolve().as_uri() + "#view=%3Cimg%20src=x%20onerror=window.__pwned=1%3E&sel=%3Cb%3E&asof=13/13/2013&q=x%0Ay")
    opened.page.wait_for_function("document.body.dataset.drawn === '1'")
    assert opened.eval("location.hash") == "#view=all"
    assert opened.eval("document.getElementById('f-asof').value") == ""
    opened.assert_clean()


def test_a_view_made_for_another_question_says_so(open_page, write_page):
    path = write_page("legend-reach", fixture_graph("small.yaml"), focus_data_type="private message")
    opened = open_page(path)
    opened.page.goto(path.resolve().as_uri() + "#view=reach&type=phone-number")
    opened.page.wait_for_function("document.body.dataset.drawn === '1'")
    assert "made for another view (type)" in opened.page.inner_text("#status")
    assert opened.eval("location.hash") == "#view=reach&type=private-message"


def test_as_of_is_an_iso_text_field(open_page, write_page):
    opened = open_page(write_page("state", fixture_graph("small.yaml")))
    assert opened.eval("document.getElementById('f-asof').type") == "text"
    shown = opened.eval("datareach.visible()")
    opened.page.fill("#f-asof", "06/01/2015")
    assert opened.eval("document.getElementById('f-asof').classList.contains('bad')")
    assert opened.eval("datareach.visible()") == shown  # a date it cannot read filters nothing
    opened.page.fill("#f-asof", "2015-06-01")
    assert not opened.eval("document.getElementById('f-asof').classList.contains('bad')")
    opened.assert_clean()


def _facts(opened):
    return sorted(opened.eval("datareach.edgeView.get().map(e => e.fact)"))


def test_filters_round_trip_through_the_url(open_page, write_page, artifacts):
    G = fixture_graph("small.yaml")
    path = write_page("state", G)
    opened = open_page(path)
    assert opened.eval("document.getElementById('figure-command').textContent") == "datareach figure --state '#view=all'"
    everything = _facts(opened)
    opened.page.uncheck("#f-permissions input[value=read]")
    assert opened.eval("location.hash") == "#view=all&perm=write,delete"
    integ = opened.eval("document.querySelectorAll('#f-integration option')[1].value")
    opened.page.select_option("#f-integration", integ)
    shut = opened.eval("Array.from(document.querySelectorAll('#f-status input')).map(x => x.value)")
    opened.page.uncheck(f"#f-status input[value='{shut[-1]}']")
    url = opened.eval("location.href")
    wanted = {"view": "all", "integ": integ, "perm": "write,delete",
              "status": ",".join(s.replace(" ", "-") for s in shut[:-1]) or "none"}
    from graph.viz.filters import edge_filter
    from graph.viz.state import format_state, parse_state

    assert parse_state(url) == wanted and url.endswith(format_state(wanted))
    clicked = _facts(opened)
    keep = edge_filter(G, wanted)
    assert clicked == sorted(e[2] for e in G.edges(keys=True) if keep(e))  # the page and Python agree
    assert clicked != everything
    assert opened.eval("document.getElementById('figure-command').textContent") == \
        f"datareach figure --state '{format_state(wanted)}'"
    opened.page.screenshot(path=str(artifacts / "viz-filters-figure-hint.png"))

    again = open_page(path)  # the same filters, from the URL alone
    again.page.goto(url)
    again.page.wait_for_function("document.body.dataset.drawn === '1'")
    assert _facts(again) == clicked
    assert again.eval("document.querySelector('#f-permissions input[value=read]').checked") is False
    assert again.eval("document.getElementById('f-integration').value") == integ
    assert again.eval("location.href") == url
    again.page.click("#reset")
    assert again.eval("location.hash") == "#view=all" and _facts(again) == everything
    assert again.eval("document.getElementById('figure-command').textContent") == "datareach figure --state '#view=all'"
    opened.assert_clean()
    again.assert_clean()


def test_no_permission_and_no_status_are_states_too(open_page, write_page):
    G = fixture_graph("small.yaml")
    path = write_page("state", G)
    opened = open_page(path)
    opened.page.goto(path.resolve().as_uri() + "#view=all&perm=none&status=none")
    opened.page.wait_for_function("document.body.dataset.drawn === '1'")
    assert _facts(opened) == [] and opened.eval("location.hash") == "#view=all&perm=none&status=none"
    opened.page.goto(path.resolve().as_uri() + "#view=all&perm=none")
    from graph.viz.filters import edge_filter

    keep = edge_filter(G, {"perm": "none"})
    assert _facts(opened) == sorted(e[2] for e in G.edges(keys=True) if keep(e))
    opened.page.goto(path.resolve().as_uri() + "#view=all&perm=write,read&integ=%3Cb%3E")  # out of order, bad: ignored
    assert opened.eval("location.hash") == "#view=all" and opened.eval("document.getElementById('f-integration').value") == ""
    opened.assert_clean()
