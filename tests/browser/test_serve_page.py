"""The served pages in headless Chromium with every request off the test server blocked:
the reach form answers, the table filters, the graph draws, the query editor runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_serve_fixtures import free_port, running_server

from graph.questions.reach import reach
from graph.questions.table import partner_table
from graph.serve.server import Server

from .browserkit import Opened, instrument

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(default_build: Path) -> Iterator[Server]:
    with running_server(default_build) as srv:
        yield srv


@pytest.fixture
def visit(chromium: Any, server: Server) -> Iterator[Callable[[str], Opened]]:
    """Open a path of the server in a fresh context; anything else is blocked and recorded."""
    contexts = []

    def opener(path: str) -> Opened:
        context = chromium.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        opened = instrument(context, server.url)
        opened.page.goto(server.url + path.lstrip("/"))
        return opened

    yield opener
    for context in contexts:
        context.close()


def test_reach_form_answers(visit: Callable[[str], Opened], server: Server) -> None:
    opened = visit("/reach")
    page = opened.page
    page.fill("input[name=data_type]", "phone number")
    page.fill("input[name=as_of]", "2018-01-01")
    with page.expect_navigation():
        page.click("#reach-form button[type=submit]")
    assert "data_type=phone+number" in page.url and "as_of=2018-01-01" in page.url
    expected = reach(server.state.snapshot.G, "phone number", as_of="2018-01-01")
    heading = page.inner_text("#answer")
    assert f"{len(expected.rows)} parties" in heading
    assert page.locator("#reach-answer tbody tr").count() == len(expected.rows)
    assert page.locator("#reach-answer a.fn").count() > 0  # rows cite footnotes (issue 15)
    assert page.locator("#sources a[href^='http']").count() > 0  # and the footnotes link the sources
    opened.assert_clean()


def test_table_filter(visit: Callable[[str], Opened], server: Server) -> None:
    opened = visit("/table")
    page = opened.page
    G = server.state.snapshot.G
    assert page.locator("#partner-table tbody tr").count() == len(partner_table(G))
    page.select_option("select[name=status]", "active")
    with page.expect_navigation():
        page.click("#table-form button[type=submit]")
    assert "status=active" in page.url
    expected = partner_table(G, statuses=["active"])
    assert 0 < len(expected) < len(partner_table(G))
    assert page.locator("#partner-table tbody tr").count() == len(expected)
    assert page.locator("a", has_text="CSV").get_attribute("href") == "/table.csv?status=active"
    opened.assert_clean()


def test_graph_draws(visit: Callable[[str], Opened]) -> None:
    opened = visit("/graph?data_type=phone+number")
    opened.page.wait_for_function("document.body.dataset.drawn === '1'", timeout=30_000)
    assert opened.canvas_pixels() > 50
    opened.assert_clean()


def test_query_editor_runs(visit: Callable[[str], Opened]) -> None:
    opened = visit("/query?example=partner-table")
    page = opened.page
    assert "SELECT" in page.input_value("textarea[name=query]")
    page.fill("textarea[name=query]", "SELECT ?name WHERE { ?c a dr:Company ; rdfs:label ?name } ORDER BY ?name")
    with page.expect_navigation():
        page.click("#query-form button[type=submit]")
    assert page.locator("#query-answer tbody tr").count() > 5
    opened.assert_clean()


READ = """async (url) => {
    try { const r = await fetch(url); return 'read:' + (await r.text()); }
    catch (e) { return 'blocked:' + e.name; }
}"""
ASK_URL = "sparql?query=ASK%7B%7D"


def _read_from(chromium: Any, origin: str, target: str) -> str:
    """Open ``origin`` (the server's home page under another host name: a different origin,
    still loopback) and try to read ``target`` from it with fetch. The page's own CSP would
    stop the fetch first (connect-src 'none'), so it is bypassed: an attacker's page has none."""
    context = chromium.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url
                      or "localhost" in r.request.url else r.abort())
        page.goto(origin)
        return str(page.evaluate(READ, target))
    finally:
        context.close()


def test_cross_origin_read_blocked(chromium: Any, server: Server) -> None:
    """SECURITY §2f / §8.24: a page of another origin cannot read the endpoint."""
    other = f"http://localhost:{server.port}/"
    assert _read_from(chromium, other, server.url + ASK_URL) == "blocked:TypeError"
    assert _read_from(chromium, server.url, server.url + ASK_URL).startswith("read:")  # same origin


def test_cross_origin_read_allowed_for_a_named_origin(chromium: Any, default_build: Path) -> None:
    port = free_port()
    origin = f"http://localhost:{port}"
    with running_server(default_build, port=port, allow_origins=(origin,)) as srv:
        got = _read_from(chromium, origin + "/", srv.url + ASK_URL)
        assert got == 'read:{"head": {}, "boolean": true}', got
