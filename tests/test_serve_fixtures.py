"""Helpers for the server tests: a real server on a free loopback port, and a small HTTP client.

Imported by tests/test_serve_*.py and tests/browser/test_serve_page.py; it holds no tests.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from graph.serve.protocol import Settings
from graph.serve.server import Config, Server
from graph.serve.state import GraphState, load_snapshot

COMPANIES = "SELECT ?c ?name WHERE { ?c a dr:Company ; rdfs:label ?name } ORDER BY ?name"
LEAKS = ("Traceback", "/work/", ".py", "File \"", "site-packages")


@contextmanager
def running_server(out: Path, *, interval: float = 0.5, **config: Any) -> Iterator[Server]:
    """A server on 127.0.0.1 and a free port answering from the build in ``out``."""
    snap = load_snapshot(out)
    assert snap is not None, f"no build in {out}"
    settings = config.pop("settings", Settings(timeout=5.0))
    server = Server(Config(**{"port": 0, "settings": settings, **config}),
                    GraphState(snap, out_dir=out, interval=interval))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Reply:
    """A response: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    def assert_clean_error(self, status: int) -> None:
        """The expected error status and a short text body that leaks nothing."""
        assert self.status == status, (self.status, self.body[:300])
        assert self.headers["content-type"].startswith("text/plain")
        assert len(self.body) < 600
        for leak in LEAKS:
            assert leak not in self.text, self.text


@dataclass(frozen=True)
class At:
    """A server known only by its port (e.g. one started as a subprocess)."""

    port: int


def free_port() -> int:
    """A port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(server: Server | At, method: str, path: str, *, params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
            body: bytes | str | None = None, headers: Mapping[str, str] | None = None, timeout: float = 30) -> Reply:
    """One request on a fresh connection (``params`` go in the URL)."""
    url = path + ("?" + urlencode(params) if params else "")
    data = body.encode("utf-8") if isinstance(body, str) else body
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request(method, url, body=data, headers=dict(headers or {}))
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def get(server: Server | At, path: str, **kw: Any) -> Reply:
    return request(server, "GET", path, **kw)


def post_form(server: Server, fields: list[tuple[str, str]], **kw: Any) -> Reply:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **kw.pop("headers", {})}
    return request(server, "POST", "/sparql", body=urlencode(fields), headers=headers, **kw)


def host_of(url: str) -> str:
    return urlsplit(url).netloc
