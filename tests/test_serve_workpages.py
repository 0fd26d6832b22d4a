"""Server pages people can work in (issue 15, item 6), over HTTP: the partner table sorts,
pages and has facets; each company has a page (.json and .csv as the CLI's); citations are
numbered footnotes listed once a page; a badge names who disputes what; every page links
to the others; everything is escaped."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import networkx as nx
import pytest
from browser.synthetic import synthetic_graph
from conftest import fixture_graph
from rdflib import Graph
from test_serve_fixtures import get, running_server

from graph.present.company import company_sheet
from graph.questions.company import company_profile
from graph.questions.table import partner_table, table_facets
from graph.serve.html import NAV
from graph.serve.server import Config, Server
from graph.serve.state import GraphState, Snapshot, load_snapshot


@contextmanager
def serving(G: nx.MultiDiGraph) -> Iterator[Server]:
    server = Server(Config(port=0), GraphState(Snapshot("test", Graph(), G)))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(default_build: Path) -> Iterator[Server]:
    with running_server(default_build) as srv:
        yield srv


@pytest.fixture(scope="module")
def G(default_build: Path) -> nx.MultiDiGraph:
    snap = load_snapshot(default_build)
    assert snap is not None
    return snap.G


@pytest.fixture(scope="module")
def big() -> Iterator[tuple[Server, nx.MultiDiGraph]]:
    graph = synthetic_graph(150)
    with serving(graph) as srv:
        yield srv, graph


def table_rows(text: str) -> list[str]:
    """The grantee slugs of the partner table's rows, in page order."""
    body = text.split('id="partner-table"', 1)[1].split("</tbody>", 1)[0]
    return [unquote(m) for m in re.findall(r'<td class="c-label"><a href="/company/([^"]+)"', body)]


# ---------------------------------------------------------------- sorting


def test_table_sorts_by_any_column(server: Server, G: nx.MultiDiGraph) -> None:
    rows = partner_table(G)
    up = table_rows(get(server, "/table", params={"_sort": "label"}).text)
    assert up == [r["company"] for r in sorted(rows, key=lambda r: r["label"].casefold())]
    down = table_rows(get(server, "/table", params={"_sort_desc": "label"}).text)
    assert down == up[::-1]
    by_status = table_rows(get(server, "/table", params={"_sort": "status"}).text)
    assert by_status[:2] == [r["company"] for r in rows if r["status"] == "active"]
    page = get(server, "/table", params={"_sort": "status"}).text
    assert 'aria-sort="ascending"' in page and 'href="/table?_sort_desc=status"' in page  # a second click reverses


def test_table_sort_keeps_unknown_last(server: Server, G: nx.MultiDiGraph) -> None:
    for param in ("_sort", "_sort_desc"):
        order = table_rows(get(server, "/table", params={param: "last_observed_active"}).text)
        known = [r["company"] for r in partner_table(G) if r["last_observed_active"]]
        assert set(order[:len(known)]) == set(known)


@pytest.mark.parametrize("params", [{"_sort": "nope"}, {"_sort": "label", "_sort_desc": "label"}, {"_sort": "<script>"}])
def test_table_sort_refuses_bad_columns(server: Server, params: dict[str, str]) -> None:
    reply = get(server, "/table", params=params)
    reply.assert_clean_error(400)
    assert "<script>" not in reply.text


def test_table_json_follows_the_sort_and_keeps_every_row(server: Server, G: nx.MultiDiGraph) -> None:
    data = get(server, "/table.json", params={"_sort_desc": "label", "_size": "2"}).json()
    assert [r["fact"] for r in data] == [r["fact"] for r in sorted(partner_table(G), key=lambda r: r["label"].casefold(),
                                                                    reverse=True)]


# ---------------------------------------------------------------- paging


def test_table_pages(big: tuple[Server, nx.MultiDiGraph]) -> None:
    server, graph = big
    rows = partner_table(graph)
    assert len(rows) > 120
    first = get(server, "/table").text
    assert len(table_rows(first)) == 50
    assert f"rows 1–50 of {len(rows)} grants" in first
    assert 'href="/table?page=2"' in first
    second = get(server, "/table", params={"page": "2"}).text
    assert f"rows 51–100 of {len(rows)} grants" in second
    assert table_rows(second) == [r["company"] for r in rows[50:100]]
    last = get(server, "/table", params={"page": "999", "_size": "100"}).text  # past the end: the last page
    assert f"rows 201–{len(rows)} of {len(rows)}" in last
    sized = get(server, "/table", params={"_size": "10", "_sort": "label", "page": "3"}).text
    assert len(table_rows(sized)) == 10 and 'href="/table?_sort=label&amp;_size=10&amp;page=4"' in sized


@pytest.mark.parametrize("params", [{"_size": "0"}, {"_size": "5000"}, {"page": "x"}, {"page": "0"}])
def test_table_paging_refuses_bad_numbers(big: tuple[Server, nx.MultiDiGraph], params: dict[str, str]) -> None:
    get(big[0], "/table", params=params).assert_clean_error(400)


# ---------------------------------------------------------------- facets


def facet_links(text: str, facet: str) -> dict[str, tuple[str, int]]:
    """A facet's values: label → (link, count)."""
    box = text.split(f'data-facet="{facet}"', 1)[1].split("</section>", 1)[0]
    return {html.unescape(label): (html.unescape(href), int(n.replace(",", "")))
            for href, label, n in re.findall(r'<li><a href="([^"]+)">([^<]*)</a> <span class="n">([\d,]+)</span>', box)}


def test_facets_count_and_filter(big: tuple[Server, nx.MultiDiGraph]) -> None:
    server, graph = big
    rows = partner_table(graph)
    page = get(server, "/table").text
    integrations = facet_links(page, "integration")
    assert {k: n for k, (_, n) in integrations.items()} == {v["label"]: v["count"] for v in table_facets(graph, rows)["integration"]}
    label, (href, count) = next(iter(integrations.items()))
    filtered = get(server, href).text
    assert f"of {count} grants" in filtered
    assert len(get(server, href.replace("/table?", "/table.json?")).json()) == count == len(
        partner_table(graph, integrations=[label]))
    assert 'class="selected"' in filtered  # the chosen value, with a link that removes it
    grantors = facet_links(page, "grantor")
    name, (href, count) = next(iter(grantors.items()))
    assert "grantor=" in href and f"of {count} grants" in get(server, href).text
    both = facet_links(filtered, "status")
    _, (href, count) = next(iter(both.items()))
    assert "integration=" in href and "status=" in href  # facets combine
    assert len(get(server, href.replace("/table?", "/table.json?")).json()) == count


def test_list_and_country_facets() -> None:
    graph = fixture_graph("lists.yaml")
    with serving(graph) as server:
        page = get(server, "/table").text
        lists = facet_links(page, "list")
        (name, (href, count)), = lists.items()
        assert "list=fixture-device-partners" in href
        assert len(get(server, href.replace("/table?", "/table.json?")).json()["rows"]) == count
        countries = facet_links(page, "country")
        assert countries and all(f"country={c}" in href for c, (href, _) in countries.items())


# ---------------------------------------------------------------- company pages


def test_company_page_and_data(server: Server, G: nx.MultiDiGraph) -> None:
    profile = company_profile(G, "Amazon")
    page = get(server, "/company/amazon")
    assert page.status == 200 and "<h1>Amazon</h1>" in page.text
    for part in ('id="receives"', 'id="disputes"', 'id="sources"', "disputed by Facebook: consent, disclosure, FTC settlement",
                 'href="/company/amazon.json"', 'href="/company/amazon.csv"', 'href="/table?company=amazon"'):
        assert part in page.text, part
    assert get(server, "/company/amazon.json").json() == profile.to_json()
    rows = list(csv.DictReader(io.StringIO(get(server, "/company/amazon.csv").text)))
    assert [(r["relation"], r["party"]) for r in rows] == [(r["relation"], r["party"]) for r in company_sheet(profile).rows]


def test_company_page_owners_lists_and_holdings(server: Server) -> None:
    page = get(server, "/company/facebook").text
    for part in ('id="holds"', 'id="grants"', 'id="incidents"', 'id="owns"', 'href="/company/instagram"'):
        assert part in page, part
    owned = get(server, "/company/instagram").text
    assert 'id="owners"' in owned and 'href="/company/facebook"' in owned
    with serving(fixture_graph("lists.yaml")) as srv:
        slug = next(m["company"] for nl in srv.state.snapshot.G.graph["lists"].values() for m in nl["members"])
        assert 'id="lists"' in get(srv, f"/company/{slug}").text


def test_company_lookup(server: Server) -> None:
    found = get(server, "/company", params={"name": "amazon inc"})
    assert found.status == 303 and found.headers["location"] == "/company/amazon"
    missing = get(server, "/company", params={"name": "Amazn"})
    assert missing.status == 404 and "did you mean" in missing.text and "Amazon" in missing.text
    get(server, "/company/amazn").assert_clean_error(404)
    listing = get(server, "/company").text
    assert 'href="/company/royal-bank-of-canada"' in listing


def test_company_index_pages(big: tuple[Server, nx.MultiDiGraph]) -> None:
    server, graph = big
    first = get(server, "/company").text
    assert f"{len(graph):,} parties" in first and 'href="/company?page=2"' in first
    assert first.count('<li><a href="/company/') == 100


# ---------------------------------------------------------------- footnotes and badges


def test_reach_citations_are_footnotes_listed_once(server: Server, G: nx.MultiDiGraph) -> None:
    page = get(server, "/reach", params={"data_type": "contact information"}).text
    titles = {s["title"] for s in G.graph["sources"].values() if s.get("title")}
    cited = [t for t in titles if html.escape(t, quote=True) in page]
    assert cited
    for title in cited:
        assert page.count(html.escape(title, quote=True)) == 1, title
    numbers = re.findall(r'<li id="src-(\d+)"', page)
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    assert set(re.findall(r'href="#src-(\d+)"', page)) == set(numbers)


def test_badge_names_who_disputes_what(server: Server) -> None:
    page = get(server, "/reach", params={"data_type": "private message"}).text
    assert "disputed by Royal Bank of Canada: the access itself" in page
    assert "disputed by Netflix: grantee&#x27;s use of the access" in page
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr")
    for row in rows:
        parties = re.findall(r'<span class="badge disputed">disputed by ([^:]+):', row)
        assert len(parties) == len(set(parties)), row
    table = get(server, "/table").text
    assert "disputed by Royal Bank of Canada: the access itself" in table
    assert ">DISPUTED<" not in page


# ---------------------------------------------------------------- navigation and data links


@pytest.mark.parametrize("path", ["/", "/reach", "/table", "/company", "/company/amazon", "/query", "/graph",
                                  "/reach?data_type=phone+number"])
def test_every_page_links_to_the_others(server: Server, path: str) -> None:
    text = get(server, path).text
    for target, _ in NAV:
        assert f'href="{target}"' in text, (path, target)
    assert 'href="/"' in text


@pytest.mark.parametrize(("page", "data"), [("/table", ("/table.json", "/table.csv")),
                                            ("/reach?data_type=phone+number", ("/reach.json?", "/reach.csv?")),
                                            ("/company/spotify", ("/company/spotify.json", "/company/spotify.csv"))])
def test_json_and_csv_on_each_page(server: Server, page: str, data: tuple[str, str]) -> None:
    text = get(server, page).text
    for link in data:
        assert f'href="{link}' in text
        href = html.unescape(re.search(rf'href="({re.escape(link)}[^"]*)"', text).group(1))  # type: ignore[union-attr]
        assert get(server, href).status == 200


# ---------------------------------------------------------------- escaping


def test_hostile_names_are_escaped_on_every_new_page() -> None:
    graph = fixture_graph("hostile.yaml")
    with serving(graph) as server:
        pages = ["/table", "/table?_sort=label", "/company"] + [f"/company/{n}" for n in graph.nodes]
        for path in pages:
            reply = get(server, path)
            assert reply.status == 200, path
            for raw in ('<img src=x onerror="window', "<script>window", '<svg onload="window', 'href="javascript:'):
                assert raw not in reply.text, (path, raw)
            assert reply.headers["content-security-policy"].startswith("default-src 'none'")
