"""Server limits from issue 11: bad request bodies, pages under the slots and time limit,
one client cannot hold every slot, escapes in the access log made visible."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from test_serve_fixtures import get, running_server

from graph.serve import pages as serve_pages
from graph.serve.protocol import ClientSlots, Settings

# Held to wall-clock limits under concurrency: scripts/check.sh runs these with no other test beside them.
pytestmark = pytest.mark.timed


def _raw(port: int, data: bytes, timeout: float = 20) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def test_a_content_length_larger_than_the_body_is_408_quickly_not_500_after_30s(default_build: Path) -> None:
    with running_server(default_build) as server:
        server.httpd.app.config.__dict__["body_timeout"] = 1.0  # frozen dataclass: a test-only shortcut
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: 1000\r\n\r\nASK {}")
            answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert time.monotonic() - start < 5


def test_a_body_cut_short_is_400(default_build: Path) -> None:
    with running_server(default_build) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: 1000\r\n\r\nASK {}")
            sock.shutdown(socket.SHUT_WR)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 400") and b"before its Content-Length" in answer, answer[:300]


def test_pages_are_under_the_time_limit(default_build: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def slow(*args: object) -> object:
        time.sleep(3)
        raise AssertionError("not reached in time")

    monkeypatch.setattr(serve_pages, "table_page", slow)
    with running_server(default_build, settings=Settings(timeout=0.5)) as server:
        start = time.monotonic()
        reply = get(server, "/table.json")
        reply.assert_clean_error(503)
        assert b"time limit" in reply.body and time.monotonic() - start < 2.5


def test_pages_are_under_max_concurrent(default_build: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def slow(*args: object) -> object:
        time.sleep(1.5)
        raise AssertionError("not reached")

    monkeypatch.setattr(serve_pages, "_reach", slow)
    settings = Settings(timeout=5, max_concurrent=1, queue_timeout=0.2)
    with running_server(default_build, settings=settings) as server:
        import threading

        first = threading.Thread(target=get, args=(server, "/reach.json"), kwargs={"params": {"data_type": "x"}})
        first.start()
        time.sleep(0.3)
        busy = get(server, "/table.json")
        first.join(10)
        assert busy.status == 503, busy.body[:200]


def test_one_client_cannot_hold_every_slot() -> None:
    slots = ClientSlots(Settings(max_concurrent=4).clients.per_client)
    assert [slots.acquire("hostile", 0) for _ in range(4)] == [True, True, True, False]
    assert slots.acquire("someone else", 0)
    slots.release("hostile")
    assert slots.acquire("hostile", 0)


def test_escapes_in_the_access_log_are_made_visible(default_build: Path) -> None:
    lines: list[str] = []
    with running_server(default_build, access_log=True) as server:
        server.httpd.app._log = lines.append
        _raw(server.port, b"GET /x\x1b]0;pwned\x07\x1b[2J HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    joined = "\n".join(lines)
    assert lines and "\x1b" not in joined and "\x07" not in joined
    assert "\\x1b]0;pwned\\x07" in joined
