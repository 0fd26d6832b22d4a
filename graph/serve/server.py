"""``datareach serve``: a read-only SPARQL 1.1 endpoint and a web page, standard library only.

A :class:`Server` answers on 127.0.0.1 by default with one thread per connection.
``/sparql`` speaks the SPARQL 1.1 Protocol (:mod:`graph.serve.protocol`); ``/``, ``/reach``,
``/table``, ``/graph`` and ``/query`` are pages for people (:mod:`graph.serve.pages`).
Every query runs in a child process killed at its deadline, so one slow query never
stalls the others. There is no update route. Cross-origin reads are off unless the
operator names origins; a token, when set, guards every route but the home page.
Errors are short plain text: no tracebacks, no paths.

>>> from rdflib import Graph
>>> from graph.examples import small_graph
>>> from graph.serve.state import GraphState, Snapshot
>>> server = Server(Config(port=0), GraphState(Snapshot("f", Graph(), small_graph())))
>>> server.start()
>>> import urllib.request
>>> urllib.request.urlopen(server.url + "sparql?query=ASK%7B%7D&format=csv").read()
b'_askResult\\ntrue\\n'
>>> server.stop()
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from graph.progress import quiet as _quiet
from graph.safetext import visible
from graph.serve.httpd import Handler, HTTPServer, HTTPServer6
from graph.serve.protocol import (
    Answer,
    HttpError,
    Request,
    Settings,
    execute,
    graph_iri,
    read_query,
    service_description,
)
from graph.serve.state import GraphState

Log = Callable[[str], None]
PUBLIC = ("/", "/favicon.ico")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Config:
    """How the server listens and what it allows."""

    host: str = "127.0.0.1"
    port: int = 8000
    settings: Settings = field(default_factory=Settings)
    allow_origins: tuple[str, ...] = ()
    token: str | None = None
    max_body: int = 512 * 1024
    access_log: bool = False
    body_timeout: float = 5.0


class Server:
    """A running endpoint: ``start()`` serves on a background thread, ``stop()`` ends it."""

    def __init__(self, config: Config, state: GraphState, *, log: Log = _quiet) -> None:
        self.config, self.state, self._log = config, state, log
        server_class = HTTPServer6 if ":" in config.host else HTTPServer
        self.httpd = server_class((config.host, config.port), Handler)
        self.httpd.app = self
        self._thread: threading.Thread | None = None

    def log(self, line: str) -> None:
        """Write one log line with control characters made visible (a request path or a
        name may hold terminal escapes)."""
        self._log(visible(line))

    @property
    def port(self) -> int:
        """The port bound (useful with ``port=0``)."""
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, ending in ``/``."""
        host = self.config.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        """Serve on a background thread and start watching for rebuilds."""
        self.state.start()
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="datareach-serve", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, close the socket and the reload watcher."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(10)
        self.httpd.server_close()
        self.state.stop()

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle(self, request: Request) -> tuple[int, Answer, dict[str, str]]:
        """Route one request to an answer (HttpError for a refusal)."""
        self._check_host(request)
        self._check_token(request)
        if request.path == "/sparql":
            return self._sparql(request)
        if request.method == "POST":
            raise HttpError(405, "POST goes to /sparql", {"Allow": "GET, HEAD"})
        from graph.serve.pages import page

        return page(request, self.state.snapshot, self.config.settings)

    def _sparql(self, request: Request) -> tuple[int, Answer, dict[str, str]]:
        settings = self.config.settings
        text, params = read_query(request.method, request.params, request.headers.get("Content-Type"),
                                  request.body, settings.limits.max_bytes, frozenset({graph_iri(self.url)}))
        snap = self.state.snapshot  # taken once: a reload never changes a request in flight
        if text is None:
            return 200, service_description(self.url, snap.triples, request.headers.get("Accept")), {}
        answer = execute(snap.target, text, accept=request.headers.get("Accept"), fmt=params.get("format"),
                         settings=settings)
        extra = {"X-Datareach-Truncated": "true"} if answer.truncated else {}
        return 200, answer, extra

    def _check_host(self, request: Request) -> None:
        """Refuse a foreign Host on a loopback server (DNS rebinding)."""
        host = request.headers.get("Host")
        if host is None or not _is_loopback(self.config.host):
            return
        name = urlsplit("//" + host).hostname or ""
        if name not in LOOPBACK_NAMES:
            raise HttpError(403, "unexpected Host header: this server answers on its loopback address only")

    def _check_token(self, request: Request) -> None:
        token, given = self.config.token, request.token
        request.authorized = token is None or (
            given is not None and hmac.compare_digest(given.encode(), token.encode()))
        if request.authorized or request.path in PUBLIC or request.path.startswith("/static/"):
            return
        raise HttpError(401, "a token is required: send 'Authorization: Bearer TOKEN' or ?token=TOKEN",
                        {"WWW-Authenticate": 'Bearer realm="datareach"'})

    def cors(self, origin: str | None) -> dict[str, str]:
        """CORS headers for ``origin``: only an allowed origin is echoed, never ``*``."""
        if origin is None or origin not in self.config.allow_origins:
            return {"Vary": "Origin"} if self.config.allow_origins else {}
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
