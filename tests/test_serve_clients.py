"""Standard SPARQL clients against a real server: SPARQLWrapper and rdflib's SPARQLStore
get the same answers as the local graph, in every result format."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from test_serve_fixtures import COMPANIES, running_server

from graph.model.vocab import PREFIXES
from graph.serve.protocol import Settings
from graph.serve.server import Server
from graph.serve.state import load_snapshot
from graph.sparql.local import run_query

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")

HEADER = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
QUERY = HEADER + COMPANIES


@pytest.fixture(scope="module")
def server(seed_build: Path) -> Iterator[Server]:
    """The seed articles' build served (2,200 triples; the default build's 7,000 made the eight
    whole-graph reads below 13 s of the file's 17, and the clients read any size alike).
    SPARQLStore's ``triples()`` asks for every triple at once: the server's rdflib engine took over
    5 s for the default build's at load 10 (a 503), so a query here may take 60 s."""
    with running_server(seed_build, settings=Settings(timeout=60.0)) as srv:
        yield srv


@pytest.fixture(scope="module")
def expected(seed_build: Path) -> list[tuple[str, str]]:
    snap = load_snapshot(seed_build)
    assert snap is not None
    return [(str(c), str(n)) for c, n in run_query(snap.g, COMPANIES).rows]


def wrapper(server: Server, fmt: str, method: str = "GET") -> object:
    client = SPARQLWrapper.SPARQLWrapper(server.url + "sparql")
    client.setQuery(QUERY)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json(server: Server, expected: list[tuple[str, str]], method: str) -> None:
    data = wrapper(server, SPARQLWrapper.JSON, method).query().convert()  # type: ignore[attr-defined]
    rows = [(b["c"]["value"], b["name"]["value"]) for b in data["results"]["bindings"]]
    assert rows == expected


def test_sparqlwrapper_xml(server: Server, expected: list[tuple[str, str]]) -> None:
    doc = wrapper(server, SPARQLWrapper.XML).query().convert()  # type: ignore[attr-defined]
    ns = "{http://www.w3.org/2005/sparql-results#}"
    rows = []
    for result in doc.getElementsByTagName("result"):
        cells = {b.getAttribute("name"): b.firstChild.firstChild.nodeValue
                 for b in result.getElementsByTagName("binding")}
        rows.append((cells["c"], cells["name"]))
    assert ns and rows == expected


def test_sparqlwrapper_csv_and_tsv(server: Server, expected: list[tuple[str, str]]) -> None:
    text = wrapper(server, SPARQLWrapper.CSV).query().convert().decode("utf-8")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["c", "name"] and [tuple(r) for r in rows[1:]] == expected
    text = wrapper(server, SPARQLWrapper.TSV).query().convert().decode("utf-8")  # type: ignore[attr-defined]
    lines = text.splitlines()
    assert lines[0] == "?c\t?name"
    assert [line.split("\t")[0] for line in lines[1:]] == [f"<{c}>" for c, _ in expected]


def test_sparqlwrapper_ask_and_construct(server: Server, expected: list[tuple[str, str]]) -> None:
    client = SPARQLWrapper.SPARQLWrapper(server.url + "sparql")
    client.setQuery(HEADER + "ASK { ?c a dr:Company }")
    client.setReturnFormat(SPARQLWrapper.JSON)
    assert client.query().convert()["boolean"] is True
    client.setQuery(HEADER + "CONSTRUCT { ?c rdfs:label ?n } WHERE { ?c a dr:Company ; rdfs:label ?n }")
    for fmt in (SPARQLWrapper.TURTLE, SPARQLWrapper.XML, SPARQLWrapper.JSONLD, SPARQLWrapper.N3):
        client.setReturnFormat(fmt)
        g = client.queryAndConvert()
        if not isinstance(g, Graph):
            g = Graph().parse(data=g, format="turtle" if fmt in (SPARQLWrapper.TURTLE, SPARQLWrapper.N3) else "json-ld")
        assert sorted((str(s), str(o)) for s, _, o in g) == sorted(expected), fmt


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore(server: Server, expected: list[tuple[str, str]], method: str) -> None:
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    for fmt in ("xml", "json", "csv", "tsv"):
        store = SPARQLStore(server.url + "sparql", returnFormat=fmt, method=method)
        g = Graph(store, identifier=DATASET_DEFAULT_GRAPH_ID)
        rows = [(str(c), str(n)) for c, n in g.query(QUERY)]
        assert rows == expected, fmt
        if fmt in ("xml", "json"):  # the CSV/TSV result formats define no ASK answer
            assert g.query(HEADER + "ASK { ?c a dr:Company }").askAnswer is True
        assert len(list(g.triples((None, None, None)))) == len(server.state.snapshot.g)
