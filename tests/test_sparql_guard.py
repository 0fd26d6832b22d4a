"""The SPARQL guard and time-limited execution against hostile queries (SECURITY.md §8,
items 11-21 and 26). Every hostile query must end with a typed error well within
``timeout + 10`` seconds, make no outbound connection, and leave the process healthy."""

from __future__ import annotations

import faulthandler
import importlib
import os
import signal
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

import pytest
import rdflib.plugins.sparql
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query

from graph.model.vocab import ID, PREFIXES
from graph.sparql import sandbox
from graph.sparql.guard import scan_text
from graph.sparql.local import (
    Limits,
    QueryFailed,
    QueryRefused,
    QueryTimeout,
    check_query,
    run_query,
)

T = TypeVar("T")
sparql = importlib.import_module("graph.sparql.local")  # the module: graph.sparql.local is also a function
ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "sparql_small.ttl"
NO_SCAN = Limits(keyword_scan=False)  # the algebra walk alone must refuse
BOTH_LAYERS = [pytest.param(Limits(), id="scan+algebra"), pytest.param(NO_SCAN, id="algebra-only")]
EX = "http://example.org/"


def small_graph() -> Graph:
    g = Graph()
    for path in (ROOT / "ontology" / "vocab.ttl", ROOT / "ontology" / "taxonomy.ttl", FIXTURE):
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def g() -> Graph:
    return small_graph()


@pytest.fixture(scope="module")
def dense() -> Graph:
    """~600 triples: a chain plus cross links, and one ReDoS bait literal."""
    dense = Graph()
    p, q = URIRef(EX + "p"), URIRef(EX + "q")
    for i in range(300):
        dense.add((URIRef(f"{EX}s{i}"), p, URIRef(f"{EX}s{i + 1}")))
        dense.add((URIRef(f"{EX}s{i}"), q, URIRef(f"{EX}s{(i * 7) % 300}")))
    dense.add((URIRef(EX + "bait"), URIRef(EX + "text"), Literal("a" * 30 + "!")))
    return dense


class _Counter(socketserver.BaseRequestHandler):
    hits: list[str] = []

    def handle(self) -> None:
        self.hits.append(self.client_address[0])


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A TCP server on 127.0.0.1 that records every connection it gets."""
    hits: list[str] = []
    handler = type("Handler", (_Counter,), {"hits": hits})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


def _ends_in_time(fn: Callable[[], T], bound: float) -> T:
    start = time.monotonic()
    try:
        return fn()
    finally:
        assert time.monotonic() - start < bound, "a hostile query ran past its bound"


# ---------------------------------------------------------------- SERVICE (items 11, 20)

SERVICE_QUERIES = {
    "plain": "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }",
    "lowercase": "select * where { service silent <{url}> { ?s ?p ?o } }",
    "optional": "SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE SILENT <{url}> { ?s ?p ?o } } }",
    "union": "SELECT * WHERE { { ?a ?b ?c } UNION { SERVICE SILENT <{url}> { ?s ?p ?o } } }",
    "minus": "SELECT * WHERE { ?a ?b ?c MINUS { SERVICE SILENT <{url}> { ?a ?b ?c } } }",
    "subquery": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } } } }",
    "exists": "SELECT * WHERE { ?a ?b ?c FILTER EXISTS { SERVICE SILENT <{url}> { ?a ?b ?c } } }",
    "not-exists": "ASK { ?a ?b ?c FILTER NOT EXISTS { SERVICE <{url}> { ?a ?b ?c } } }",
    "variable-iri": "SELECT * WHERE { BIND(<{url}> AS ?svc) SERVICE SILENT ?svc { ?s ?p ?o } }",
    "values-iri": "SELECT * WHERE { VALUES ?svc { <{url}> } SERVICE ?svc { ?s ?p ?o } }",
    "hash-in-iri-before": "SELECT * WHERE { ?s <http://x/#p> ?o . SERVICE <{url}> { ?s ?p ?o } }",
    "hash-in-service-iri": "SELECT * WHERE { SERVICE <{url}#frag> { ?s ?p ?o } } # <x>",
    "unicode-escape": "SELECT * WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "describe": "DESCRIBE ?s WHERE { SERVICE <{url}> { ?s ?p ?o } }",
}


@pytest.mark.parametrize("limits", BOTH_LAYERS)
@pytest.mark.parametrize("case", sorted(SERVICE_QUERIES))
def test_service_is_refused_and_nothing_connects(g, listener, case, limits) -> None:
    port, hits = listener
    query = SERVICE_QUERIES[case].replace("{url}", f"http://127.0.0.1:{port}/")
    # rdflib cannot parse a SERVICE that follows an IRI with '#' on the same line (its
    # service_string search treats the rest of the line as a comment): still a refusal.
    reason = "not a valid SPARQL" if (case, limits) == ("hash-in-iri-before", NO_SCAN) else "SERVICE"
    with pytest.raises(QueryRefused, match=reason):
        run_query(g, query, timeout=5, limits=limits)
    time.sleep(0.05)
    assert hits == []


def _unchecked_service(port: int) -> Callable[[], Query]:
    """A SERVICE query that skips the guard (rdflib only calls out for this exact shape)."""
    text = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
    return lambda: translateQuery(parseQuery(text), initNs=PREFIXES)


def test_audit_hook_blocks_service_even_if_the_guard_is_bypassed(g, listener) -> None:
    """Defence in depth: evaluate an *unchecked* SERVICE query; the child may not connect."""
    port, hits = listener
    with pytest.raises(QueryRefused, match="tried to reach out"):
        sparql._run(g, _unchecked_service(port), bindings=None, timeout=10, max_rows=10,
                    limits=Limits())
    time.sleep(0.05)
    assert hits == []
    assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False


def test_the_listener_does_see_an_unguarded_service_call(g, listener, monkeypatch) -> None:
    """Control for the tests above: with the audit hook disarmed, rdflib does connect."""
    port, hits = listener
    monkeypatch.setattr(sandbox, "FORBIDDEN_EVENTS", frozenset())
    with pytest.raises(QueryFailed):
        sparql._run(g, _unchecked_service(port), bindings=None, timeout=10, max_rows=10,
                    limits=Limits())
    time.sleep(0.2)
    assert len(hits) == 1


# ---------------------------------------------------------------- FROM (item 12)

@pytest.mark.parametrize("limits", BOTH_LAYERS)
@pytest.mark.parametrize("clause", ["FROM <file:///etc/passwd>", "FROM NAMED <{url}>",
                                    "FROM <{url}> FROM NAMED <file:///etc/hosts>"])
def test_dataset_clauses_are_refused(g, listener, clause, limits) -> None:
    port, hits = listener
    query = f"SELECT * {clause} WHERE {{ ?s ?p ?o }}".replace("{url}", f"http://127.0.0.1:{port}/g")
    with pytest.raises(QueryRefused, match="FROM / FROM NAMED is not allowed") as info:
        run_query(g, query, limits=limits)
    assert "root:" not in str(info.value)
    assert hits == []


# ---------------------------------------------------------------- updates (item 13)

UPDATES = ["INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
           "DELETE WHERE { ?s ?p ?o }", "LOAD <{url}>", "LOAD <file:///etc/passwd> INTO GRAPH <http://x/g>",
           "DROP ALL", "CLEAR DEFAULT", "CREATE GRAPH <http://x/g>", "ADD DEFAULT TO <http://x/g>"]


@pytest.mark.parametrize("limits", BOTH_LAYERS)
@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_and_the_graph_is_unchanged(g, listener, update, limits) -> None:
    port, hits = listener
    before = len(g)
    with pytest.raises(QueryRefused, match="updates are not allowed: read-only"):
        run_query(g, update.replace("{url}", f"http://127.0.0.1:{port}/"), limits=limits)
    assert len(g) == before
    assert hits == []


# ---------------------------------------------------------------- runaway queries (14-17)

@pytest.mark.parametrize("query", [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i LIMIT 1",
], ids=["count", "order-by-limit"])
def test_cartesian_product_is_stopped_at_the_deadline(dense, query) -> None:
    with pytest.raises(QueryTimeout, match="stopped after 2 s"):
        _ends_in_time(lambda: run_query(dense, query, timeout=2), bound=12)


def test_negated_property_path_star_is_stopped(dense) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s (<http://example.org/p>|!<http://example.org/p>)* ?o }"
    with pytest.raises(QueryTimeout):
        _ends_in_time(lambda: run_query(dense, query, timeout=1), bound=11)


def test_regex_redos_is_killed_although_re_ignores_signals(dense) -> None:
    query = 'SELECT ?o WHERE { ?s ?p ?o FILTER REGEX(STR(?o), "^(a+)+$") }'
    with pytest.raises(QueryTimeout):
        _ends_in_time(lambda: run_query(dense, query, timeout=1), bound=11)


def test_concat_blow_up_ends_cleanly(g) -> None:
    binds = " ".join(f"BIND(CONCAT({', '.join([f'?a{i}'] * 10)}) AS ?a{i + 1})" for i in range(9))
    query = f'SELECT (STRLEN(?a9) AS ?n) WHERE {{ BIND("aaaaaaaaaa" AS ?a0) {binds} }}'
    with pytest.raises((QueryFailed, QueryTimeout)):
        _ends_in_time(lambda: run_query(g, query, timeout=5, limits=Limits(max_memory=512 * 2**20)),
                      bound=15)
    assert run_query(g, "ASK { ?s ?p ?o }").boolean is True  # the parent is fine


# ---------------------------------------------------------------- size, depth, bytes (18-21)

@pytest.mark.parametrize("query", [
    "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "SELECT * WHERE { ?s ?p " + "[ <http://x/p> " * 5000 + "1" + " ]" * 5000 + " }",
    "SELECT * WHERE { ?s " + "(" * 5000 + "<http://x/p>" + ")" * 5000 + " ?o }",
], ids=["parens", "braces", "brackets", "path"])
def test_deep_nesting_is_refused_before_parsing(g, query) -> None:
    with pytest.raises(QueryRefused, match="nested too deeply"):
        _ends_in_time(lambda: run_query(g, query), bound=5)


def test_deep_nesting_past_the_scanner_is_a_clean_refusal_not_a_crash(g) -> None:
    """If the pre-scan missed it, the parser's RecursionError is still a refusal."""
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    with pytest.raises(QueryRefused, match="nested too deeply"):
        _ends_in_time(lambda: check_query(query, limits=Limits(max_depth=10**6)), bound=30)


def test_nesting_inside_strings_iris_and_comments_does_not_count(g) -> None:
    query = ('SELECT ?s WHERE { ?s ?p "' + "(" * 500 + '"  # ' + "{" * 500 + "\n"
             "FILTER(?s != <http://x/" + "(" * 300 + ">) } LIMIT 1")
    check_query(query)


def test_ten_megabyte_query_is_refused_fast(g) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 10_000_000
    with pytest.raises(QueryRefused, match="too long"):
        _ends_in_time(lambda: run_query(g, query), bound=5)
    with pytest.raises(QueryRefused, match="too long"):
        check_query(query.encode())


@pytest.mark.parametrize("raw", [b"SELECT * WHERE { ?s ?p \xff\xfe }", b"ASK { ?s ?p \"\xc3\x28\" }",
                                 b"\xef\xbb\xbf\x80SELECT"], ids=["ff", "bad-continuation", "bom+junk"])
def test_non_utf8_bytes_are_refused(g, raw) -> None:
    with pytest.raises(QueryRefused, match="not valid UTF-8"):
        run_query(g, raw)


@pytest.mark.parametrize("text", ['ASK { ?s ?p "\ud800" }', 'ASK { ?s ?p "\\uD800" }'],
                         ids=["lone-surrogate", "escaped-surrogate"])
def test_lone_surrogates_are_refused(g, text) -> None:
    with pytest.raises(QueryRefused, match="not valid Unicode"):
        run_query(g, text)


def test_utf8_bytes_run() -> None:
    query = 'ASK { ?c rdfs:label "Spotify" } # « privé »'.encode()
    assert run_query(small_graph(), query).boolean is True


# ---------------------------------------------------------------- child process

def test_a_crashing_child_is_a_clean_error_not_a_hang() -> None:
    with pytest.raises(QueryFailed, match="SIGSEGV"):
        _ends_in_time(lambda: sandbox.run_forked(_segfault, timeout=10), bound=10)


def _segfault(conn: Connection) -> None:
    faulthandler.disable()  # pytest's fault handler would print a traceback for it
    os.kill(os.getpid(), signal.SIGSEGV)


def test_a_child_that_exits_without_answering_is_a_clean_error() -> None:
    with pytest.raises(QueryFailed, match="exit code 7"):
        sandbox.run_forked(lambda conn: os._exit(7), timeout=10)


def test_engine_errors_come_back_typed(g) -> None:
    with pytest.raises(QueryRefused, match="not a valid SPARQL query"):
        run_query(g, "SELECT ?x WHERE { ?s ?p ?o ")


def test_timeout_must_be_positive(g) -> None:
    with pytest.raises(ValueError):
        run_query(g, "ASK {}", timeout=0)


def test_max_rows_truncates(g) -> None:
    result = run_query(g, "SELECT ?s WHERE { ?s ?p ?o }", max_rows=3)
    assert len(result.rows) == 3 and result.truncated
    full = run_query(g, "SELECT ?c WHERE { ?c a dr:Company }", max_rows=100)
    assert len(full.rows) == 7 and not full.truncated


def test_construct_is_capped_and_rebuilt_as_a_graph(g) -> None:
    result = run_query(g, "CONSTRUCT { ?c a dr:Company } WHERE { ?c a dr:Company }", max_rows=5)
    assert result.kind == "CONSTRUCT" and result.truncated
    assert result.graph is not None and len(result.graph) == 5


def test_terms_survive_the_trip_from_the_child(g) -> None:
    query = """SELECT ?iri ?n ?d ?lang ?b ?plain WHERE {
      BIND(id:spotify AS ?iri) BIND(533000000 AS ?n) BIND("2021-04"^^xsd:gYearMonth AS ?d)
      BIND("privé"@fr AS ?lang) BIND(BNODE("x") AS ?b) BIND("tab\\tnl\\n" AS ?plain) }"""
    row = run_query(g, query).rows[0]
    assert row[0] == ID.spotify
    assert row[1] == Literal(533000000)
    assert row[2] == Literal("2021-04", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYearMonth"))
    assert row[3] == Literal("privé", lang="fr")
    assert row[4] is not None and row[4].n3().startswith("_:")
    assert row[5] == Literal("tab\tnl\n")


# ---------------------------------------------------------------- the scanner is not too eager

@pytest.mark.parametrize("query", [
    "SELECT ?service ?from WHERE { ?service ?from ?o } LIMIT 1",
    'SELECT ?s WHERE { ?s ?p "SERVICE <http://127.0.0.1/> FROM LOAD DROP" } LIMIT 1',
    "SELECT ?s WHERE { ?s <http://x/service/from/load> ?o } LIMIT 1",
    "PREFIX from: <http://x/> SELECT ?s WHERE { ?s from:service ?o } LIMIT 1",
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 # SERVICE and FROM in a comment",
    'SELECT ?s WHERE { ?s ?p ?o FILTER(LANG(?o) = "from") } LIMIT 1',
    "SELECT ?s WHERE { ?s ?p 'it''s' } LIMIT 1".replace("''", "\\'"),
], ids=["variables", "string", "iri", "prefix", "comment", "lang-string", "escaped-quote"])
def test_keywords_in_names_strings_iris_and_comments_are_allowed(g, query) -> None:
    run_query(g, query)


def test_scan_text_expands_unicode_escapes_once() -> None:
    assert scan_text("ASK { ?s ?p \"\\u0041\" }") == 'ASK { ?s ?p "A" }'


# ---------------------------------------------------------------- injection (item 26)

PAYLOADS = ['x" } UNION { ?s ?p ?o } #', 'x" . SERVICE <http://127.0.0.1:1/> { } } #',
            'x""" } #', "x\\", "x\n} UNION { ?s ?p ?o }", "x> } UNION { ?s ?p ?o", "x { ?s ?p ?o }"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_bound_values_are_values_not_query_text(g, payload) -> None:
    query = "SELECT ?c WHERE { ?c rdfs:label ?name }"
    assert run_query(g, query, bindings={"name": Literal(payload)}).rows == []
    assert run_query(g, query, bindings={"name": Literal("Spotify")}).rows == [(ID.spotify,)]
