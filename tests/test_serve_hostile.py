"""Hostile queries against a real server (SECURITY.md §2a–2g, §8 items 11–26): refused or
stopped at the deadline, with clean errors, no outbound connection, and a trivial query in
parallel still answered fast."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_serve_fixtures import get, post_form, request, running_server

from graph.serve.protocol import Settings
from graph.serve.server import Server

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(default_build: Path) -> Iterator[Server]:
    with running_server(default_build, settings=Settings(timeout=2.0, max_concurrent=4)) as srv:
        yield srv


class Listener:
    """A loopback socket that counts every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    watched = Listener()
    yield watched
    watched.close()


def service_queries(port: int) -> list[str]:
    url = f"<http://127.0.0.1:{port}/sparql>"
    return [
        f"SELECT * WHERE {{ SERVICE {url} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT {url} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE {url} {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE {url} {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE {url} {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ BIND({url} AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ <http://x/#a> ?p ?o . SERVICE {url} {{ ?s ?p ?o }} }}",  # '#' in an IRI
        f"SELECT * WHERE {{ \\u0053ERVICE {url} {{ ?s ?p ?o }} }}",
    ]


def test_service_refused_and_no_connection_made(server: Server, listener: Listener) -> None:
    for query in service_queries(listener.port):
        for reply in (get(server, "/sparql", params={"query": query}), post_form(server, [("query", query)])):
            reply.assert_clean_error(400)
            assert "SERVICE" in reply.text or "reach out" in reply.text
    time.sleep(0.3)
    assert listener.connections == 0


@pytest.mark.parametrize("query", [
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * FROM <http://127.0.0.1:9/x.ttl> WHERE { ?s ?p ?o }",
])
def test_from_refused(server: Server, query: str) -> None:
    reply = get(server, "/sparql", params={"query": query})
    reply.assert_clean_error(400)
    assert "FROM" in reply.text


def test_deep_nesting_is_refused_and_server_survives(server: Server) -> None:
    for opener in "({[":
        query = "SELECT * WHERE { " + opener * 5000 + " }"
        reply = request(server, "POST", "/sparql", body=query, headers={"Content-Type": "application/sparql-query"})
        reply.assert_clean_error(400)
        assert "nested too deeply" in reply.text
    assert get(server, "/sparql", params={"query": "ASK {}"}).status == 200


def test_oversized_queries(server: Server) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000
    request(server, "POST", "/sparql", body=big, headers={"Content-Type": "application/sparql-query"}
            ).assert_clean_error(413)
    post_form(server, [("query", big)]).assert_clean_error(413)
    huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 10_000_000  # SECURITY §8.19
    request(server, "POST", "/sparql", body=huge, headers={"Content-Type": "application/sparql-query"}
            ).assert_clean_error(413)
    assert get(server, "/sparql", params={"query": "ASK {}"}).status == 200


@pytest.mark.parametrize("query", [
    CARTESIAN,
    "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i LIMIT 1",
    'SELECT * WHERE { BIND(CONCAT("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "!") AS ?x) '
    'FILTER(REGEX(?x, "^(a+)+$")) }',
])
def test_slow_queries_are_stopped(server: Server, query: str) -> None:
    start = time.monotonic()
    reply = get(server, "/sparql", params={"query": query})
    elapsed = time.monotonic() - start
    reply.assert_clean_error(503)
    assert "time limit" in reply.text
    assert elapsed < 10


def test_path_closure_is_bounded(server: Server) -> None:
    """SECURITY §8.15: answered within the caps (rows cut) or stopped, never a hang."""
    query = "SELECT * WHERE { ?s (rdfs:label|!rdfs:label)* ?o . ?x (rdfs:label|!rdfs:label)* ?y }"
    start = time.monotonic()
    reply = get(server, "/sparql", params={"query": query})
    assert time.monotonic() - start < 10
    if reply.status == 200:
        assert reply.headers["x-datareach-truncated"] == "true"
    else:
        reply.assert_clean_error(503)


def test_concat_blowup_is_stopped(server: Server) -> None:
    """SECURITY §8.17: a string doubled 40 times is stopped (time, memory or size cap), cleanly."""
    binds = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(40))
    query = f'SELECT (STRLEN(?v40) AS ?n) WHERE {{ BIND("xxxxxxxxxxxxxxxx" AS ?v0) {binds} }}'
    start = time.monotonic()
    reply = get(server, "/sparql", params={"query": query})
    assert time.monotonic() - start < 15
    assert reply.status in (500, 503)
    reply.assert_clean_error(reply.status)
    assert get(server, "/sparql", params={"query": "ASK {}"}).status == 200


def test_trivial_query_stays_fast_while_a_slow_one_runs(server: Server) -> None:
    """SECURITY §2e / §8.25: a slow query must not stall a trivial one."""
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(get, server, "/sparql", params={"query": CARTESIAN})
        time.sleep(0.3)
        start = time.monotonic()
        fast = get(server, "/sparql", params={"query": "ASK { ?c a dr:Company }"})
        fast_seconds = time.monotonic() - start
        assert not slow.done(), "the slow query should still be running"
        assert fast.status == 200 and fast.json()["boolean"] is True
        assert fast_seconds < 5
        slow.result().assert_clean_error(503)


@pytest.mark.parametrize("payload", ['x" } UNION { ?s ?p ?o } #', 'x" . SERVICE <http://127.0.0.1:9/> { } } #',
                                     'a"""b', "a\\b", "a\nb", "a>b{", "<script>alert(1)</script>"])
def test_injection_in_page_parameters(server: Server, payload: str) -> None:
    """SECURITY §8.26: parameters are never pasted into a query, and never into markup."""
    for path, key in (("/reach", "data_type"), ("/table", "company"), ("/table", "data_type"),
                      ("/query", "example"), ("/graph", "data_type")):
        reply = get(server, path, params={key: payload})
        assert reply.status in (200, 400, 404), (path, reply.status)
        if reply.headers["content-type"].startswith("text/html"):
            assert "<script>alert" not in reply.text
        else:
            assert reply.headers["content-type"].startswith("text/plain")
            assert reply.headers["x-content-type-options"] == "nosniff"
        assert "Traceback" not in reply.text
