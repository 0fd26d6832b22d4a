"""A hostile fact file (tests/fixtures/hostile.yaml) in Chromium: every payload shows as text, none runs.

SECURITY.md §1 and §8 items 1–10: `</script>` in names, `<img onerror>` in titles, `<svg onload>`
in edge text, `</option></select>` names (pyvis select-menu XSS), a title with "href" next to a
payload (pyvis href mode), `javascript:` text, RTL overrides, zero-width and homoglyph names.
"""

from __future__ import annotations

import pytest

from .browserkit import fixture_graph, ids_by_key, require_chromium

require_chromium()
pytestmark = pytest.mark.browser

PAYLOADS = ["</script><script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=1">',
            '<svg onload="window.__pwned=1">', "javascript:window.__pwned=1"]


@pytest.fixture
def hostile(open_page, write_page):
    path = write_page("hostile", fixture_graph("hostile.yaml"), title='<img src=x onerror="window.__pwned=1">')
    opened = open_page(path)
    yield opened
    opened.assert_clean()
    markup = opened.eval("""() => ({
        scripts: document.scripts.length,
        media: document.querySelectorAll('img, iframe, object, embed, link, base, form').length,
        svgs: document.querySelectorAll('svg').length,
        handlers: Array.from(document.querySelectorAll('*')).filter(e =>
            Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
    })""")
    assert markup == {"scripts": 3, "media": 0, "svgs": 14, "handlers": 0}  # data, vis-network, app; legend icons


def test_page_draws_and_the_title_is_text(hostile):
    assert hostile.canvas_pixels() > 100
    assert hostile.page.title() == '<img src=x onerror="window.__pwned=1">'
    assert hostile.page.inner_text("#title") == '<img src=x onerror="window.__pwned=1">'
    assert hostile.eval("datareach.nodes.get().every(n => /^n\\d+$/.test(n.id))")


def test_every_panel_shows_payloads_as_text(hostile):
    seen = ""
    for node_id in hostile.eval("datareach.nodes.getIds()"):
        hostile.eval("(id) => datareach.focusNode(id)", node_id)
        seen += hostile.page.inner_text("#panel-body")
    for edge_id in hostile.eval("datareach.edges.getIds()"):
        hostile.eval("(id) => datareach.showEdge(id)", edge_id)
        seen += hostile.page.inner_text("#panel-body")
        hrefs = hostile.eval("Array.from(document.querySelectorAll('#panel a')).map(a => a.href)")
        assert all(h.startswith(("https://", "http://")) for h in hrefs), hrefs
    for payload in PAYLOADS:
        assert payload in seen, payload
    assert "⟨U+202E⟩" in seen and "⟨U+200B⟩" in seen
    assert "Looks like another company, 'Acme'" in seen and "mixes Latin and Cyrillic letters" in seen


def test_hover_tooltips_are_text(hostile):
    ids = ids_by_key(hostile)
    box = hostile.page.locator("#graph").bounding_box()
    for key in ("script-script-window-pwned-1-script", "img-src-x-onerror-window-pwned-1", "svg-onload-window-pwned-1"):
        hostile.eval("(id) => datareach.network.focus(id, {scale: 2, animation: false})", ids[key])
        point = hostile.eval("(id) => datareach.network.canvasToDOM(datareach.network.getPositions([id])[id])", ids[key])
        hostile.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
        hostile.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
        tip = hostile.eval("""() => { const t = document.querySelector('div.vis-tooltip');
                                      return {text: t.innerText, tags: Array.from(t.querySelectorAll('*'))
                                                                          .filter(c => c.tagName !== 'BR').length}; }""")
        assert tip["tags"] == 0 and any(p in tip["text"] for p in PAYLOADS), tip
        hostile.page.mouse.move(1, 1)


def test_searching_for_a_payload_runs_nothing(hostile):
    ids = ids_by_key(hostile)
    hostile.page.fill("#search", "</option></select><img")
    hostile.page.press("#search", "Enter")
    assert hostile.eval("datareach.network.getSelectedNodes()") == [ids["option-select-img-src-x-onerror-window-pwned-1"]]
    names = hostile.eval("Array.from(document.querySelectorAll('#names option')).map(o => o.value)")
    assert PAYLOADS[0] in names


def test_screenshot(hostile, artifacts):
    hostile.page.screenshot(path=str(artifacts / "graph-hostile.png"))
