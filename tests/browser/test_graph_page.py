"""The small fixture graph in Chromium: drawn, searchable, filterable, and its facts readable."""

from __future__ import annotations

import pytest

from .browserkit import fixture_graph, ids_by_key, require_chromium, visible_facts

require_chromium()
pytestmark = pytest.mark.browser

@pytest.fixture
def small(open_page, write_page):
    opened = open_page(write_page("small", fixture_graph("small.yaml")))
    yield opened
    opened.assert_clean()


def test_graph_is_drawn_with_every_node(small):
    assert small.canvas_pixels() > 100
    assert small.eval("datareach.nodes.length") == 7  # 7 parties; what they hold is folded into their nodes
    assert small.eval("datareach.visible()") == {"nodes": 7, "edges": 6}
    assert small.eval("datareach.edges.get().filter(e => e.k === 'holding').length") == 0
    assert small.eval("datareach.timing.firstDraw") is not None
    assert small.page.title() == "datareach: who could reach which personal data"


def test_search_finds_and_focuses_a_company(small):
    ids = ids_by_key(small)
    before = small.eval("datareach.network.getViewPosition()")
    small.page.fill("#search", "spotify")
    small.page.press("#search", "Enter")
    assert small.eval("datareach.network.getSelectedNodes()") == [ids["spotify"]]
    after = small.eval("datareach.network.getViewPosition()")
    assert after != before
    assert small.page.inner_text("#panel-body h2") == "Spotify"


def test_search_finds_a_data_type_and_its_flows(small):
    small.page.fill("#search", "Private Message")
    small.page.click("#search-go")
    assert small.eval("document.getElementById('f-datatype').value") == "private-message"
    assert set(visible_facts(small)) == {"facebook-netflix", "facebook-spotify"}
    assert "type=private-message" in small.eval("location.hash")


def test_search_says_when_nothing_matches(small):
    small.page.fill("#search", "no such company")
    small.page.press("#search", "Enter")
    assert "Nothing called" in small.page.inner_text("#status")


def test_data_type_filter(small):
    small.page.select_option("#f-datatype", "friends-list")
    facts = visible_facts(small)
    assert facts == ["bing-microsoft", "facebook-bing"]
    shown = small.eval("datareach.nodeView.get().map(n => n.key)")
    assert sorted(shown) == ["bing", "facebook", "lonely-corp", "microsoft"]


def test_permission_filter(small):
    small.page.uncheck("#f-permissions input[value=read]")
    facts = visible_facts(small)
    assert "facebook-bing" not in facts and "scrape" not in facts and "bing-microsoft" not in facts
    assert {"facebook-netflix", "facebook-spotify", "microsoft-owns-bing"} <= set(facts)


def test_integration_and_status_filters(small):
    small.page.select_option("#f-integration", "search-integration")
    assert [f for f in visible_facts(small)] == ["bing-microsoft", "facebook-bing"]
    small.page.select_option("#f-integration", "")
    small.page.uncheck("#f-status input[value='shut down']")
    assert "facebook-spotify" not in visible_facts(small) and len(visible_facts(small)) == 5
    small.page.click("#reset")
    assert small.eval("datareach.visible()") == {"nodes": 7, "edges": 6}


def test_as_of_hides_links_not_valid_then(small):
    small.page.fill("#f-asof", "2015-06-01")
    facts = visible_facts(small)
    assert "facebook-spotify" not in facts and "scrape" not in facts  # ended 2014; published 2021
    assert {"facebook-netflix", "facebook-bing"} <= set(facts)
    small.page.fill("#f-asof", "2010-01-01")
    facts = visible_facts(small)
    assert "facebook-netflix" not in facts and "facebook-spotify" in facts


def test_clicking_an_edge_shows_the_fact_as_text(small, artifacts):
    edge = small.eval("datareach.edges.get().find(e => e.fact === 'facebook-spotify')")
    small.eval("([a, b]) => datareach.network.fit({nodes: [a, b], animation: false})", [edge["from"], edge["to"]])
    point = small.eval("""(id) => {
        const e = datareach.network.body.edges[id];
        const p = e.edgeType.getPoint(0.5);
        return datareach.network.canvasToDOM(p);
    }""", edge["id"])
    box = small.page.locator("#graph").bounding_box()
    small.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    panel = small.page.inner_text("#panel-body")
    assert panel.startswith("Facebook → Spotify")
    for text in ("messaging integration", "private message", "read, write, delete", "shut down", "2010", "2014",
                 "Log in to Spotify with Facebook", "Disputes (reported) — claimed by Spotify", "Example Press",
                 "where: ¶3"):
        assert text in panel, text
    hrefs = small.eval("Array.from(document.querySelectorAll('#panel a')).map(a => a.getAttribute('href'))")
    assert hrefs and all(h == "https://example.org/a" for h in hrefs)
    small.page.screenshot(path=str(artifacts / "graph-small-edge-panel.png"))


def test_hovering_a_node_shows_plain_text(small):
    ids = ids_by_key(small)
    small.eval("(id) => datareach.network.focus(id, {scale: 1.5, animation: false})", ids["facebook"])
    point = small.eval("(id) => datareach.network.canvasToDOM(datareach.network.getPositions([id])[id])", ids["facebook"])
    box = small.page.locator("#graph").bounding_box()
    small.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    small.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
    tip = small.page.inner_text("div.vis-tooltip")
    assert tip.startswith("Facebook\ncompany") and "holds: friends list, phone number, private message" in tip
