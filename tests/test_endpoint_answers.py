"""--endpoint answers we must not trust (issue 11, Low #8 and #10, relative IRIs): each is a
located, clear error, never `internal error … please report it`, and never a raw escape."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import URIRef

from graph.sparql.guard import Limits
from graph.sparql.remote import EndpointError, remote_graph, remote_query


def _serve(body: bytes, kind: str, status: int = 200) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.do_GET()

        def do_GET(self) -> None:  # short queries go as GET (issue 16)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/query"


@pytest.fixture
def endpoint() -> Iterator[object]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(body: bytes, kind: str = "application/sparql-results+json", status: int = 200) -> str:
        server, url = _serve(body, kind, status)
        servers.append(server)
        return url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


JSON = "application/sparql-results+json"
BAD_ANSWERS = {
    "deep-json": (b"[" * 100_000 + b"]" * 100_000, JSON),
    "json-without-value": (b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri"}}]}}', JSON),
    "json-not-an-object": (b'[1, 2]', JSON),
    "deep-turtle": (b"<http://a/s> <http://a/p> " + b"(" * 20_000 + b")" * 20_000 + b" .", "text/turtle"),
    "broken-turtle": (b"<http://a/s> <http://a/p> .", "text/turtle"),
}


@pytest.mark.parametrize("name", list(BAD_ANSWERS))
def test_a_bad_endpoint_answer_is_a_located_error(endpoint, name: str) -> None:  # type: ignore[no-untyped-def]
    body, kind = BAD_ANSWERS[name]
    url = endpoint(body, kind)
    with pytest.raises(EndpointError, match="the endpoint http://127.0.0.1:.* sent an answer that is not"):
        remote_query(url, "SELECT * { ?s ?p ?o }", timeout=20)


@pytest.mark.parametrize("name", ["deep-json", "json-without-value", "deep-turtle"])
def test_reach_on_a_bad_endpoint_is_not_an_internal_error(endpoint, name: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    body, kind = BAD_ANSWERS[name]
    url = endpoint(body, kind)
    proc = subprocess.run([sys.executable, "-m", "graph", "-q", "--endpoint", url, "reach", "phone number"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode != 0
    assert "sent an answer that is not" in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr


def test_reach_endpoint_body_is_cut_at_the_sparql_cap(endpoint) -> None:  # type: ignore[no-untyped-def]
    """reach --endpoint read 1.9 GiB of a 3 GB body before failing; sparql stops at 256 MiB."""
    url = endpoint(b"<http://a/s> <http://a/p> <http://a/o> .\n" * 1000, "application/n-triples")
    with pytest.raises(EndpointError, match="too large"):
        remote_graph(url, max_bytes=10_000)
    everything = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"  # remote_graph pages: this fake answers one body
    assert len(remote_query(url, everything, limits=Limits(max_result_bytes=100_000)).graph or ()) == 1


def test_relative_iris_from_an_endpoint_do_not_resolve_to_the_working_folder(endpoint, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = endpoint(b"<s> <p> <o> .", "text/turtle")
    g = remote_query(url, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").graph
    assert g is not None
    subjects = {str(s) for s in g.subjects()}
    assert subjects == {url.rsplit("/", 1)[0] + "/s"}
    assert not any(str(t).startswith("file:") for triple in g for t in triple if isinstance(t, URIRef))


def test_endpoint_error_messages_show_escapes_not_obey_them(endpoint) -> None:  # type: ignore[no-untyped-def]
    url = endpoint(b"bad \x1b]0;pwned\x07 query \x1b[2J", "text/plain", status=400)
    with pytest.raises(EndpointError) as caught:
        remote_query(url, "ASK {}", timeout=10)
    message = str(caught.value)
    assert "\x1b" not in message and "\x07" not in message
    assert "\\x1b]0;pwned\\x07" in message
