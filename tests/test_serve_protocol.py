"""The SPARQL 1.1 Protocol at /sparql against a real server: query operations, formats,
the service description, and the W3C protocol tests that apply to a read-only endpoint
(written from the test descriptions in the SPARQL 1.1 Protocol test suite)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.sparql.results.xmlresults import XMLResultParser
from test_serve_fixtures import COMPANIES, get, post_form, request, running_server

from graph.serve.server import Server
from graph.serve.state import load_snapshot
from graph.sparql.local import run_query

SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.fixture(scope="module")
def server(default_build: Path) -> Iterator[Server]:
    with running_server(default_build) as srv:
        yield srv


@pytest.fixture(scope="module")
def expected(default_build: Path) -> list[str]:
    snap = load_snapshot(default_build)
    assert snap is not None
    names = [str(row[1]) for row in run_query(snap.g, COMPANIES).rows]
    assert len(names) > 5
    return names


def names_from_json(body: bytes) -> list[str]:
    data = json.loads(body)
    assert data["head"]["vars"] == ["c", "name"]
    return [b["name"]["value"] for b in data["results"]["bindings"]]


# -- the three query operations (W3C query_get, query_post_form, query_post_direct) --

def test_query_get(server: Server, expected: list[str]) -> None:
    reply = get(server, "/sparql", params={"query": COMPANIES})
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/sparql-results+json")
    assert names_from_json(reply.body) == expected


def test_query_post_form(server: Server, expected: list[str]) -> None:
    reply = post_form(server, [("query", COMPANIES)])
    assert reply.status == 200 and names_from_json(reply.body) == expected


def test_query_post_direct(server: Server, expected: list[str]) -> None:
    reply = request(server, "POST", "/sparql", body=COMPANIES,
                    headers={"Content-Type": "application/sparql-query"})
    assert reply.status == 200 and names_from_json(reply.body) == expected


def test_query_post_form_charset_utf8_and_unicode(server: Server) -> None:
    query = 'SELECT ?x WHERE { BIND("Ünïcödé ✓" AS ?x) }'
    reply = post_form(server, [("query", query)],
                      headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
    assert reply.json()["results"]["bindings"][0]["x"]["value"] == "Ünïcödé ✓"


# -- content negotiation (W3C query_content_type_select / ask / construct / describe) --

@pytest.mark.parametrize("accept", ["application/sparql-results+xml", "application/xml"])
def test_select_xml(server: Server, expected: list[str], accept: str) -> None:
    reply = get(server, "/sparql", params={"query": COMPANIES}, headers={"Accept": accept})
    assert reply.headers["content-type"].startswith(accept)
    result = XMLResultParser().parse(io.BytesIO(reply.body))
    assert [str(row[1]) for row in result] == expected


def test_select_csv_and_tsv(server: Server, expected: list[str]) -> None:
    reply = get(server, "/sparql", params={"query": COMPANIES}, headers={"Accept": "text/csv"})
    assert reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(reply.text)))
    assert rows[0] == ["c", "name"] and [r[1] for r in rows[1:]] == expected
    reply = get(server, "/sparql", params={"query": COMPANIES},
                headers={"Accept": "text/tab-separated-values"})
    lines = reply.text.splitlines()
    assert lines[0] == "?c\t?name" and len(lines) == len(expected) + 1
    assert lines[1].startswith("<https://")


def test_format_parameter_overrides_accept(server: Server) -> None:
    reply = get(server, "/sparql", params={"query": "ASK {}", "format": "csv"},
                headers={"Accept": "application/sparql-results+json"})
    assert reply.text == "_askResult\ntrue\n"


def test_accept_with_quality_values(server: Server) -> None:
    reply = get(server, "/sparql", params={"query": "ASK {}"},
                headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1"})
    assert reply.headers["content-type"].startswith("application/sparql-results+xml")


def test_ask_json(server: Server) -> None:
    reply = get(server, "/sparql", params={"query": "ASK { ?c a dr:Company }"})
    assert reply.json() == {"head": {}, "boolean": True}


CONSTRUCT = "CONSTRUCT { ?c rdfs:label ?n } WHERE { ?c a dr:Company ; rdfs:label ?n }"


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                             ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_construct_formats(server: Server, expected: list[str], accept: str, fmt: str) -> None:
    reply = get(server, "/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert reply.status == 200 and reply.headers["content-type"].startswith(accept)
    g = Graph().parse(data=reply.body, format=fmt)
    assert sorted(str(o) for o in g.objects()) == sorted(expected)


def test_describe_defaults_to_turtle(server: Server) -> None:
    reply = get(server, "/sparql", params={"query": "DESCRIBE ?c WHERE { ?c a dr:Company } LIMIT 1"})
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=reply.body, format="turtle")) > 0


def test_not_acceptable(server: Server) -> None:
    get(server, "/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}).assert_clean_error(406)
    get(server, "/sparql", params={"query": CONSTRUCT, "format": "csv"}).assert_clean_error(406)


def test_service_description(server: Server) -> None:
    reply = get(server, "/sparql")
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=reply.body, format="turtle")
    service = next(g.subjects(RDF.type, URIRef(SD + "Service")))
    assert str(g.value(service, URIRef(SD + "endpoint"))) == server.url + "sparql"
    languages = {str(o) for o in g.objects(service, URIRef(SD + "supportedLanguage"))}
    assert languages == {SD + "SPARQL11Query"}  # no SPARQL11Update: read-only


def test_truncated_header(default_build: Path) -> None:
    from graph.serve.protocol import Settings

    with running_server(default_build, settings=Settings(max_rows=3)) as srv:
        reply = get(srv, "/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
        assert len(reply.json()["results"]["bindings"]) == 3
        assert reply.headers["x-datareach-truncated"] == "true"


# -- the bad_* cases --

def test_bad_query_method(server: Server) -> None:
    request(server, "PUT", "/sparql", body=COMPANIES,
            headers={"Content-Type": "application/sparql-query"}).assert_clean_error(405)


def test_bad_multiple_queries(server: Server) -> None:
    get(server, "/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]).assert_clean_error(400)
    post_form(server, [("query", "ASK {}"), ("query", "ASK {}")]).assert_clean_error(400)
    request(server, "POST", "/sparql?query=ASK%7B%7D", body="ASK {}",
            headers={"Content-Type": "application/sparql-query"}).assert_clean_error(400)


def test_bad_query_and_update_both_given(server: Server) -> None:
    post_form(server, [("query", "ASK {}"), ("update", "DROP ALL")]).assert_clean_error(400)
    get(server, "/sparql", params=[("query", "ASK {}"), ("update", "DROP ALL")]).assert_clean_error(400)


@pytest.mark.parametrize("update", ["INSERT DATA { <a:b> <a:c> <a:d> }", "LOAD <file:///etc/passwd>",
                                    "DROP ALL", "CLEAR DEFAULT"])
def test_bad_update_forms(server: Server, update: str) -> None:
    """No update route: as update=, as a sparql-update body, or as query= (SECURITY §8.13)."""
    post_form(server, [("update", update)]).assert_clean_error(400)
    request(server, "GET", "/sparql", params={"update": update}).assert_clean_error(400)
    request(server, "POST", "/sparql", body=update,
            headers={"Content-Type": "application/sparql-update"}).assert_clean_error(400)
    reply = get(server, "/sparql", params={"query": update})
    reply.assert_clean_error(400)
    assert "read-only" in reply.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_bad_query_wrong_or_missing_media_type(server: Server, content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    request(server, "POST", "/sparql", body="query=ASK%7B%7D", headers=headers).assert_clean_error(415)


def test_bad_query_non_utf8(server: Server) -> None:
    request(server, "POST", "/sparql", body="ASK {}".encode("utf-16"),
            headers={"Content-Type": "application/sparql-query; charset=UTF-16"}).assert_clean_error(415)
    request(server, "POST", "/sparql", body=b"SELECT * { ?s ?p \"\xff\xfe\" }",
            headers={"Content-Type": "application/sparql-query"}).assert_clean_error(400)
    request(server, "GET", "/sparql?query=ASK%20%7B%22%FF%22%7D").assert_clean_error(400)
    request(server, "POST", "/sparql", body="query=ASK%20%7B%22%FF%22%7D",
            headers={"Content-Type": "application/x-www-form-urlencoded"}).assert_clean_error(400)


@pytest.mark.parametrize("query", ["SELECT ?s WHERE { ?s ?p }", "SELEKT * {}", "ASK { FILTER( }"])
def test_bad_query_syntax(server: Server, query: str) -> None:
    reply = get(server, "/sparql", params={"query": query})
    reply.assert_clean_error(400)
    assert "not a valid SPARQL query" in reply.text


def test_dataset_parameters_refused(server: Server) -> None:
    """Only the one graph served may be named; nothing is loaded from elsewhere (SECURITY §2b)."""
    for key in ("default-graph-uri", "named-graph-uri"):
        for value in ("file:///etc/passwd", "http://127.0.0.1:9/g"):
            get(server, "/sparql", params=[("query", "ASK {}"), (key, value)]).assert_clean_error(400)
    get(server, "/sparql", params=[("query", "ASK {}"), ("named-graph-uri", server.url + "sparql#graph")]
        ).assert_clean_error(400)
    for value in (server.url + "sparql#graph", "urn:x-rdflib:default"):
        assert get(server, "/sparql", params=[("query", "ASK {}"), ("default-graph-uri", value)]).status == 200


def test_unknown_route_and_post_elsewhere(server: Server) -> None:
    get(server, "/update").assert_clean_error(404)
    request(server, "POST", "/reach", body="x=1",
            headers={"Content-Type": "application/x-www-form-urlencoded"}).assert_clean_error(405)
