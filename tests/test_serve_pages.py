"""The pages for people, over HTTP: every view a shareable URL, its .json/.csv the same
answer as the library's, text escaped, assets local."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from test_serve_fixtures import get, running_server

from graph.questions.reach import reach
from graph.questions.table import partner_table
from graph.safetext import cell
from graph.serve.server import Server
from graph.serve.state import load_snapshot


@pytest.fixture(scope="module")
def server(default_build: Path) -> Iterator[Server]:
    with running_server(default_build) as srv:
        yield srv


@pytest.fixture(scope="module")
def G(default_build: Path) -> nx.MultiDiGraph:
    snap = load_snapshot(default_build)
    assert snap is not None
    return snap.G


def local_only(html: str) -> None:
    """No asset or link to another host, other than cited sources' pages."""
    for attr in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert attr.startswith("/") or attr.startswith("#") or 'rel="noreferrer' in html, attr
    assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', html)


def test_home(server: Server) -> None:
    reply = get(server, "/")
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    for path in ("/reach", "/table", "/graph", "/query", "/sparql"):
        assert f'href="{path}"' in reply.text
    local_only(reply.text)


def test_reach_page_and_data(server: Server, G: nx.MultiDiGraph) -> None:
    expected = reach(G, "phone number")
    reply = get(server, "/reach", params={"data_type": "phone number"})
    assert reply.status == 200
    assert f"Who could reach {expected.label}: {len(expected.rows)} parties" in reply.text
    for row in expected.rows:
        assert row["label"] in reply.text
    assert 'href="/reach.json?data_type=phone+number"' in reply.text
    data = get(server, "/reach.json", params={"data_type": "phone number"}).json()
    assert data == expected.to_json()
    rows = list(csv.DictReader(io.StringIO(get(server, "/reach.csv", params={"data_type": "phone number"}).text)))
    assert [(r["company"], r["label"]) for r in rows] == [(r["company"], r["label"]) for r in expected.rows]
    local_only(reply.text)


def test_reach_filters(server: Server, G: nx.MultiDiGraph) -> None:
    expected = reach(G, "private message", as_of="2015-01-01", permissions=["read"])
    data = get(server, "/reach.json", params={"data_type": "private message", "as_of": "2015-01-01",
                                              "permission": "read"}).json()
    assert data == expected.to_json()
    page = get(server, "/reach", params={"data_type": "private message", "as_of": "2015-01-01", "permission": "read"})
    assert 'value="2015-01-01"' in page.text and '<option value="read" selected>' in page.text


def test_reach_from_and_into(server: Server, G: nx.MultiDiGraph) -> None:
    into = reach(G, "phone number", into="Apple")
    assert [r["company"] for r in into.rows] == ["facebook"]
    data = get(server, "/reach.json", params={"data_type": "phone number", "into": "Apple"}).json()
    assert data == into.to_json() and data["filters"]["into"] == "apple"
    started = reach(G, "phone number", start="Facebook", certainty="stated")
    data = get(server, "/reach.json", params={"data_type": "phone number", "from": "Facebook", "certainty": "stated"}).json()
    assert data == started.to_json() and all(r["certainty"] == "stated" for r in data["companies"])
    rows = list(csv.DictReader(io.StringIO(get(server, "/reach.csv", params={"data_type": "phone number", "into": "Apple"}).text)))
    assert [(r["company"], r["certainty"]) for r in rows] == [("facebook", "stated")]
    page = get(server, "/reach", params={"data_type": "phone number", "into": "Apple"})
    assert "into apple" in page.text and 'href="/reach.json?data_type=phone+number&amp;into=Apple"' in page.text
    get(server, "/reach.json", params={"data_type": "phone number", "into": "Nobody Ltd"}).assert_clean_error(404)
    get(server, "/reach", params={"data_type": "phone number", "certainty": "sure"}).assert_clean_error(400)


def test_reach_errors(server: Server) -> None:
    reply = get(server, "/reach", params={"data_type": "phone nubmer"})
    assert reply.status == 404 and "did you mean" in reply.text and "phone number" in reply.text
    assert get(server, "/reach", params={"data_type": "phone number", "as_of": "2015-13-45"}).status == 400
    get(server, "/reach.json", params={"data_type": "nothing like it"}).assert_clean_error(404)
    get(server, "/reach", params={"data_type": "phone number", "permission": "own"}).assert_clean_error(400)
    get(server, "/reach", params=[("data_type", "a"), ("data_type", "b")]).assert_clean_error(400)


def test_table_page_and_data(server: Server, G: nx.MultiDiGraph) -> None:
    everything = partner_table(G)
    reply = get(server, "/table")
    assert reply.status == 200 and f"{len(everything)} grants" in reply.text
    assert get(server, "/table.json").json() == everything
    company = everything[0]["company"]
    filtered = partner_table(G, companies=[company], statuses=["shut down"])
    params = {"company": company, "status": "shut down"}
    page = get(server, "/table", params=params)
    assert f"{len(filtered)} grants" in page.text
    assert get(server, "/table.json", params=params).json() == filtered
    rows = list(csv.DictReader(io.StringIO(get(server, "/table.csv", params=params).text)))
    assert [r["company"] for r in rows] == [r["company"] for r in filtered]
    local_only(page.text)


def test_table_unknown_company(server: Server) -> None:
    reply = get(server, "/table", params={"company": "Spotfy"})
    assert reply.status == 404 and "did you mean" in reply.text


def test_graph_page(server: Server) -> None:
    reply = get(server, "/graph")
    assert reply.status == 200 and "<canvas" not in reply.text  # drawn by the page's own script
    csp = reply.headers["content-security-policy"]
    assert "script-src 'sha256-" in csp and "connect-src 'none'" in csp
    assert 'src="http' not in reply.text
    focused = get(server, "/graph", params={"data_type": "phone number"})
    assert focused.status == 200 and focused.text != reply.text
    get(server, "/graph", params={"data_type": "nothing like it"}).assert_clean_error(404)


def test_query_page(server: Server) -> None:
    editor = get(server, "/query")
    assert editor.status == 200 and "<textarea" in editor.text and "partner-table" in editor.text
    example = get(server, "/query", params={"example": "partner-table"})
    assert "SELECT" in example.text
    answered = get(server, "/query", params={"query": "SELECT ?n WHERE { ?c a dr:Company ; rdfs:label ?n }"})
    assert answered.status == 200 and 'id="query-answer"' in answered.text
    assert 'href="/sparql?query=' in answered.text and "format=csv" in answered.text
    refused = get(server, "/query", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert refused.status == 400 and "SERVICE is not allowed" in refused.text
    ask = get(server, "/query", params={"query": "ASK { ?c a dr:Company }"})
    assert "Answer: yes" in ask.text


def test_markup_in_parameters_is_escaped(server: Server) -> None:
    payload = '"><img src=x onerror=alert(1)><script>alert(1)</script>'
    for path, key in (("/reach", "data_type"), ("/reach", "as_of"), ("/query", "query"), ("/table", "data_type")):
        reply = get(server, path, params={key: payload})
        assert "<script>alert" not in reply.text and "<img src=x" not in reply.text, path


def test_static_assets(server: Server) -> None:
    css = get(server, "/static/style.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")
    get(server, "/static/../serve.py").assert_clean_error(404)
    get(server, "/static/service.ttl").assert_clean_error(404)


FRIENDS = "users' friends"
PHONE_SOURCES = ["register-2021-04-20", "vice-2021-04-facebook-scraping"]


@pytest.mark.parametrize(("command", "path", "params"), [
    (["reach", "phone number"], "/reach", {"data_type": "phone number"}),
    (["reach", "private message", "--as-of", "2015-01-01", "--permission", "read"], "/reach",
     {"data_type": "private message", "as_of": "2015-01-01", "permission": "read"}),
    (["table"], "/table", {}),
    (["table", "--company", "Spotify", "--status", "unknown"], "/table", {"company": "Spotify", "status": "unknown"}),
    # the filters of issue 13 item 7, as URL parameters
    (["reach", "private message", "--whose-data", "users", "--on-by-default", "no"], "/reach",
     {"data_type": "private message", "whose_data": "users", "on_by_default": "no"}),
    (["reach", "phone number", "--source-before", "2018-12-31", "--certainty", "stated"], "/reach",
     {"data_type": "phone number", "source_before": "2018-12-31", "certainty": "stated"}),
    (["reach", "phone number", "--source", PHONE_SOURCES[0], "--source", PHONE_SOURCES[1]], "/reach",
     [("data_type", "phone number"), ("source", PHONE_SOURCES[0]), ("source", PHONE_SOURCES[1])]),
    (["reach", "phone number", "--source", PHONE_SOURCES[0], "--source", PHONE_SOURCES[1]], "/reach",
     {"data_type": "phone number", "source": ",".join(PHONE_SOURCES)}),
    (["reach", "private message", "--integration", "messaging integration", "--permission", "read", "--permission", "write"], "/reach",
     [("data_type", "private message"), ("integration", "messaging integration"), ("permission", "read"), ("permission", "write")]),
    (["table", "--whose-data", FRIENDS], "/table", {"whose_data": FRIENDS}),
    (["table", "--on-by-default", "no", "--source", "techly-2018-12-20"], "/table",
     {"on_by_default": "no", "source": "techly-2018-12-20"}),
    (["table", "--source-before", "2018-12-31", "--status", "unknown", "--status", "active"], "/table",
     [("source_before", "2018-12-31"), ("status", "unknown"), ("status", "active")]),
])
def test_cli_and_server_give_identical_rows(server: Server, default_build: Path, command: list[str], path: str,
                                            params: dict[str, str] | list[tuple[str, str]]) -> None:
    """One rendering of each answer (issue 12): the CLI's --format csv/json and the server's
    .csv/.json give the same rows, the same columns in the same order, and agree with each other."""
    assert_identical(server, ["--out", str(default_build)], command, path, params)


def assert_identical(server: Server, where: list[str], command: list[str], path: str,
                     params: dict[str, str] | list[tuple[str, str]]) -> None:
    from click.testing import CliRunner

    from graph.cli.main import main

    def cli(fmt: str) -> str:
        result = CliRunner().invoke(main, ["-q", *where, *command, "--format", fmt])
        assert result.exit_code == 0, result.output
        return str(result.stdout)

    cli_csv, served_csv = cli("csv"), get(server, f"{path}.csv", params=params).text
    assert cli_csv == served_csv
    rows = list(csv.DictReader(io.StringIO(served_csv)))
    assert rows and len(rows[0]) > 5
    cli_json, served_json = json.loads(cli("json")), get(server, f"{path}.json", params=params).json()
    assert cli_json == served_json
    records = (served_json["companies"] if path == "/reach"
               else served_json["rows"] if isinstance(served_json, dict) else served_json)
    assert [r["company"] for r in rows] == [r["company"] for r in records]  # company: the slug, in both
    assert [r["label"] for r in rows] == [r["label"] for r in records]
    shared = set(rows[0]) & set(records[0]) - {"sources", "disputes", "path"}
    assert {"company", "label", "hops" if path == "/reach" else "stated_end"} <= shared
    for row, record in zip(rows, records, strict=True):  # a CSV cell is the JSON value written out
        assert {k: row[k] for k in shared} == {k: cell(record[k]) for k in shared}


LISTS = Path(__file__).parent / "fixtures" / "lists.yaml"


@pytest.fixture(scope="module")
def lists_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    from graph.build import compiled

    out = tmp_path_factory.mktemp("serve-lists") / "out"
    compiled.build([LISTS], out)
    with running_server(out) as srv:
        yield srv, out


@pytest.mark.parametrize(("command", "path", "params"), [
    (["reach", "phone number", "--list", "device partners"], "/reach", {"data_type": "phone number", "list": "device partners"}),
    (["reach", "phone number", "--country", "DE"], "/reach", {"data_type": "phone number", "country": "DE"}),
    (["table", "--list", "fixture-device-partners"], "/table", {"list": "fixture-device-partners"}),
    (["table", "--list", "device partners", "--data-type", "phone number"], "/table",
     {"list": "device partners", "data_type": "phone number"}),
])
def test_cli_and_server_give_identical_rows_scoped_to_a_list(lists_server: tuple[Server, Path], command: list[str],
                                                             path: str, params: dict[str, str]) -> None:
    """--list and --country (issue 13 items 5 and 7) on the made-up fixture: the same rows, and
    the JSON carries the list and its counts (scope, total) as the CLI's does."""
    server, out = lists_server
    assert_identical(server, ["--out", str(out), "--sources", str(LISTS)], command, path, params)
    if "list" in params:
        data = get(server, f"{path}.json", params=params).json()
        assert data["scope"]["id"] == "fixture-device-partners" and data["scope"]["stated_count"] == 5


def test_filter_controls_keep_the_view_state(server: Server, G: nx.MultiDiGraph) -> None:
    """Every filter is a form control showing its value, and the download links carry it."""
    params = {"data_type": "private message", "whose_data": "users", "on_by_default": "no",
              "source": "techly-2018-12-20", "source_before": "2018-12-31"}
    page = get(server, "/reach", params=params)
    assert page.status == 200
    assert '<select name="whose_data">' in page.text and '<option value="users" selected>' in page.text
    assert '<select name="on_by_default">' in page.text and '<option value="no" selected>' in page.text
    for name in ("source", "source_before", "source_after", "country", "list"):
        assert f'<input type="text" name="{name}"' in page.text, name
    assert 'value="techly-2018-12-20"' in page.text and 'value="2018-12-31"' in page.text
    assert ('href="/reach.json?data_type=private+message&amp;on_by_default=no&amp;whose_data=users'
            '&amp;source=techly-2018-12-20&amp;source_before=2018-12-31"') in page.text
    expected = reach(G, "private message", whose_data="users", on_by_default=False, sources=["techly-2018-12-20"],
                     source_before="2018-12-31")
    assert f"{len(expected.rows)} parties" in page.text
    table_page = get(server, "/table", params={"whose_data": FRIENDS, "country": "us", "list": ""})
    assert table_page.status == 200 and '<select name="whose_data">' in table_page.text
    assert f'<option value="{FRIENDS}" selected>'.replace("'", "&#x27;") in table_page.text
    assert "whose_data=users%27+friends&amp;country=us" in table_page.text
    assert f"{len(partner_table(G, whose_data=FRIENDS, country='us'))} grants" in table_page.text


@pytest.mark.parametrize("path", ["/reach", "/reach.json", "/reach.csv", "/table", "/table.json", "/table.csv"])
@pytest.mark.parametrize(("params", "status"), [
    ({"on_by_default": "maybe"}, 400),
    ({"whose_data": "aliens"}, 400),
    ({"source_before": "2018-13-01"}, 400),
    ({"source_after": "soon"}, 400),
    ({"status": "gone"}, 400),
])
def test_bad_filter_values_are_refused_with_a_short_message(server: Server, path: str, params: dict[str, str],
                                                            status: int) -> None:
    if "status" in params and path.startswith("/reach"):
        params = {"permission": "own"}
    get(server, path, params={"data_type": "phone number", **params} if path.startswith("/reach") else params
        ).assert_clean_error(status)


@pytest.mark.parametrize(("params", "status", "message"), [
    ({"source": "no-such-source"}, 400, "no source with id no-such-source"),
    ({"list": "no such list"}, 404, "unknown list"),
])
def test_unknown_source_or_list(server: Server, params: dict[str, str], status: int, message: str) -> None:
    for path in ("/reach.json", "/table.csv"):
        reply = get(server, path, params={"data_type": "phone number", **params} if path.startswith("/reach") else params)
        reply.assert_clean_error(status)
        assert message in reply.text
    page = get(server, "/reach", params={"data_type": "phone number", **params})
    assert page.status == status and message in page.text and "<form" in page.text
    table_page = get(server, "/table", params=params)
    assert table_page.status == status and message in table_page.text


def test_reach_integration_parameter(server: Server) -> None:
    reply = get(server, "/reach.json", params={"data_type": "private message", "integration": "messaging"})
    reply.assert_clean_error(404)
    assert "messaging integration" in reply.text  # the suggestion


def test_a_submitted_form_with_empty_filters_keeps_links_short(server: Server) -> None:
    """A form sends every control, empty ones too: they filter nothing and drop out of the links."""
    empty = {k: "" for k in ("on_by_default", "whose_data", "source", "source_before", "source_after", "country", "list")}
    page = get(server, "/table", params={"company": "", "data_type": "", "status": "active", **empty})
    assert page.status == 200 and 'href="/table.csv?status=active"' in page.text
    answer = get(server, "/reach", params={"data_type": "phone number", "as_of": "", "permission": "", "integration": "",
                                           "from": "", "into": "", "certainty": "", **empty})
    assert answer.status == 200 and 'href="/reach.json?data_type=phone+number"' in answer.text
