"""The bundled dataset (sources/) as users open it: the whole graph and a focused reach view.

Screenshots go to test-artifacts/ (git-ignored): graph-default.png and graph-reach-phone-number.png.
"""

from __future__ import annotations

import pytest

from .browserkit import ROOT, require_chromium

require_chromium()
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    from graph.build.compiled import build, projection

    out = tmp_path_factory.mktemp("out")
    build([ROOT / "sources"], out)
    return projection([ROOT / "sources"], out)


def test_default_graph(dataset, open_page, write_page, artifacts):
    opened = open_page(write_page("default", dataset))
    parties = dataset.number_of_nodes()
    assert opened.eval("datareach.nodes.get().filter(n => n.k !== 'datatype').length") == parties
    assert opened.eval("datareach.edges.get().filter(e => e.k !== 'holding').length") == dataset.number_of_edges()
    assert opened.eval("datareach.visible().nodes") == opened.eval("datareach.nodes.length")
    assert opened.canvas_pixels() > 100
    opened.page.screenshot(path=str(artifacts / "graph-default.png"))
    opened.assert_clean()


def test_reach_view(dataset, open_page, write_page, artifacts):
    from graph.questions.reach import reach

    expected = [row["company"] for row in reach(dataset, "phone number").rows]
    opened = open_page(write_page("reach-phone", dataset, focus_data_type="phone number"))
    rows = opened.eval("Array.from(document.querySelectorAll('#panel ol.reach li button')).map(b => b.textContent)")
    assert rows == [dataset.nodes[c]["label"] for c in expected]
    lit = opened.eval("datareach.nodes.get().filter(n => !n.dim).map(n => n.key)")
    assert set(expected) <= set(lit) and "dt:phone-number" in lit
    assert opened.page.title().startswith("Who could reach phone number")
    assert opened.canvas_pixels() > 100
    opened.page.screenshot(path=str(artifacts / "graph-reach-phone-number.png"))
    opened.page.click("#panel ol.reach li:last-child button")
    assert opened.eval("datareach.network.getSelectedNodes().length") == 1
    opened.assert_clean()


def test_reach_view_tells_a_disputed_access_from_contested_aspects(dataset, open_page, write_page):
    opened = open_page(write_page("reach-private-message", dataset, focus_data_type="private message"))
    notes = dict(opened.eval("Array.from(document.querySelectorAll('#panel ol.reach li'))"
                             ".map(li => [li.querySelector('button').textContent, li.textContent])"))
    assert "disputed" in notes["Royal Bank of Canada"]
    assert "contested: " in notes["Netflix"] and "disputed" not in notes["Netflix"]
    assert "disputed" not in notes["Facebook"] and "contested" not in notes["Facebook"]
    opened.assert_clean()


def test_company_view(dataset, open_page, write_page, artifacts):
    centre = max(dataset.nodes, key=dataset.degree)
    opened = open_page(write_page("company", dataset, focus_company=centre))
    node = opened.eval("(k) => datareach.nodes.get().find(n => n.key === k)", centre)
    assert node["borderWidth"] == 6 and node["centre"] and not opened.eval("datareach.nodes.get().some(n => n.faded)")
    assert opened.page.inner_text("#panel-body h2") == dataset.nodes[centre]["label"]
    opened.page.screenshot(path=str(artifacts / "graph-company.png"))
    opened.assert_clean()
