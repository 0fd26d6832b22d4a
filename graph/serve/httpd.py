"""The HTTP layer of ``datareach serve``: one thread per connection (capped), bodies read
with a size cap, every answer with its security and CORS headers. Routing and policy live
in :class:`graph.serve.server.Server`; this module only speaks HTTP.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from graph.serve.protocol import CLIENT, Answer, HttpError, Request, pairs

if TYPE_CHECKING:
    from graph.serve.server import Server

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
PLAIN_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DRAIN = 32 * 1024**2
_TOKEN_PARAM = re.compile(r"([?&]token=)[^&]*")


def redact(path: str) -> str:
    """A request path fit for a log: no token.

    >>> redact("/sparql?query=ASK&token=s3cret&x=1")
    '/sparql?query=ASK&token=…&x=1'
    """
    return _TOKEN_PARAM.sub(r"\1…", path)


class HTTPServer(ThreadingHTTPServer):
    """A threading server with a cap on open connections."""

    daemon_threads = True
    request_queue_size = 256
    max_connections = 256
    app: Server

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._open = threading.BoundedSemaphore(self.max_connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        """One thread per connection, at most ``max_connections``; past that a bare 503."""
        if not self._open.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                b"Connection: close\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._open.release()


class HTTPServer6(HTTPServer):
    """The same on an IPv6 address."""

    address_family = socket.AF_INET6


class Handler(BaseHTTPRequestHandler):
    """Reads one request, asks the Server for the answer, writes it."""

    server: HTTPServer
    server_version = "datareach"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s\n"

    def version_string(self) -> str:
        return "datareach"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_OPTIONS(self) -> None:
        app = self.server.app
        headers = {"Allow": "GET, HEAD, POST, OPTIONS", **app.cors(self.headers.get("Origin"))}
        if "Access-Control-Allow-Origin" in headers:
            headers.update({"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                            "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type",
                            "Access-Control-Max-Age": "600"})
            if (self.headers.get("Access-Control-Request-Private-Network") or "").lower() == "true":
                headers["Access-Control-Allow-Private-Network"] = "true"  # a named web app → this machine
        self._send(204, Answer(b"", "text/plain; charset=utf-8"), headers)

    def _refuse_method(self) -> None:
        self._error(HttpError(405, "method not allowed: this endpoint is read-only (GET, POST queries)",
                              {"Allow": "GET, HEAD, POST, OPTIONS"}))

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    def _dispatch(self, method: str) -> None:
        start = time.monotonic()
        app = self.server.app
        try:
            CLIENT.set(str(self.client_address[0]))
            request = self._request(method)
            status, answer, headers = app.handle(request)
            self._send(status, answer, headers)
        except HttpError as err:
            self._error(err)
        except Exception as err:  # a bug: say so without internals
            app.log(f"internal error on {method} {redact(self.path)[:80]!r}: {type(err).__name__}")
            self._error(HttpError(500, "internal error"))
        if app.config.access_log:
            app.log(f"{method} {redact(self.path)[:160]} {self._status} {time.monotonic() - start:.3f}s")

    def _request(self, method: str) -> Any:
        url = urlsplit(self.path)
        params = pairs(url.query.encode("latin-1"))
        body = self._body() if method == "POST" else None

        return Request(method, url.path, params, self.headers, body)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding") is not None:
            self.close_connection = True
            raise HttpError(411, "send the body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            self.close_connection = True
            raise HttpError(400, "bad Content-Length") from None
        cap = self.server.app.config.max_body
        if length < 0 or length > cap:
            self._discard(length)
            raise HttpError(413, f"the request body is too large (more than {cap:,} bytes)")
        return self._read_exactly(length)

    def _read_exactly(self, length: int) -> bytes:
        """The body; 400 when it ends before its Content-Length, 408 when it stops arriving."""
        self.connection.settimeout(self.server.app.config.body_timeout)
        chunks, left = [], length
        try:
            while left > 0:
                chunk = self.rfile.read1(min(left, 1 << 16))
                if not chunk:
                    self.close_connection = True
                    raise HttpError(400, f"the request body ended {left:,} bytes before its Content-Length")
                chunks.append(chunk)
                left -= len(chunk)
        except TimeoutError:
            self.close_connection = True
            raise HttpError(408, f"the request body stopped arriving ({left:,} bytes short of its "
                                 "Content-Length)") from None
        finally:
            self.connection.settimeout(self.timeout)
        return b"".join(chunks)

    def _discard(self, length: int) -> None:
        """Read and drop a refused body (up to DRAIN bytes) so the client can read the answer."""
        self.close_connection = True
        left = min(max(length, 0), DRAIN)
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            left -= len(chunk)

    def _error(self, err: HttpError) -> None:
        body = (err.message + "\n").encode("utf-8")
        self._send(err.status, Answer(body, "text/plain; charset=utf-8"), err.headers)

    def _send(self, status: int, answer: Answer, headers: dict[str, str]) -> None:
        self._status = status
        app = self.server.app
        self.send_response(status)
        merged = {**NO_STORE, "Content-Security-Policy": PLAIN_CSP, **headers,
                  **app.cors(self.headers.get("Origin"))}
        merged["Content-Type"] = answer.content_type
        merged["Content-Length"] = str(len(answer.body))
        for key, value in merged.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if self.server.app.config.access_log:
            self.server.app.log(format % args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # one line per request is written by _dispatch
