"""graph.viz.page.show(G) in a notebook: the page inside a sandboxed <iframe srcdoc> still draws."""

from __future__ import annotations

import pytest

from .browserkit import fixture_graph, require_chromium

require_chromium()
pytestmark = pytest.mark.browser


def test_notebook_iframe_draws(open_page, tmp_path):
    from graph.viz.page import show

    host = tmp_path / "notebook.html"
    host.write_text("<!DOCTYPE html><title>notebook</title>" + show(fixture_graph("hostile.yaml"))._repr_html_(),
                    encoding="utf-8")
    opened = open_page(host, wait_drawn=False)
    frame = opened.page.frame_locator("iframe")
    frame.locator("body[data-drawn='1']").wait_for(timeout=30_000)
    inner = next(f for f in opened.page.frames if f != opened.page.main_frame)
    assert inner.evaluate("datareach.visible().nodes") == inner.evaluate("datareach.nodes.length") > 0
    assert inner.evaluate("typeof window.__pwned") == "undefined"
    opened.assert_clean()
