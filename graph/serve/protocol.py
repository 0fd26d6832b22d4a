"""The SPARQL 1.1 Protocol for a read-only endpoint: read the request, run it, answer.

Queries come by GET ``?query=``, POST ``application/x-www-form-urlencoded`` or POST
``application/sparql-query``. There is no update operation: an ``update=`` parameter or a
``application/sparql-update`` body is a clean 400. Every query goes through
:func:`graph.sparql.local.run_query` (checked, then run in a child process killed at its
deadline); formats are in :mod:`graph.serve.negotiation`.

>>> read_query("GET", [("query", "ASK {}"), ("format", "csv")], None, None, 1000)
('ASK {}', {'format': 'csv'})
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl

from rdflib import Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from graph.serve.negotiation import (
    ASSETS,
    Answer,
    HttpError,
    graph_iri,
    media_type,
    negotiate,
    render,
    service_description,
)
from graph.sparql.guard import Limits
from graph.sparql.local import QueryFailed, QueryRefused, QueryResult, QueryTimeout, run_query

__all__ = ["ASSETS", "Answer", "HttpError", "Settings", "execute", "graph_iri", "negotiate", "pairs",
           "read_query", "render", "run_bounded", "run_limited", "service_description"]
T = TypeVar("T")
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
MAX_FIELDS = 64


@dataclass(frozen=True)
class Settings:
    """Caps for one endpoint: ``max_concurrent`` queries run at once, others wait for a slot
    up to ``queue_timeout`` seconds (then 503); each runs at most ``timeout`` seconds."""

    timeout: float = 10.0
    max_rows: int = 10_000
    max_response_bytes: int = 16 * 1024**2
    max_concurrent: int = 4
    queue_timeout: float = 30.0
    limits: Limits = Limits(max_result_bytes=64 * 1024**2)
    max_per_client: int | None = None
    slots: threading.BoundedSemaphore = field(init=False, repr=False, compare=False)
    clients: ClientSlots = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", threading.BoundedSemaphore(self.max_concurrent))
        per_client = self.max_per_client if self.max_per_client is not None else max(1, self.max_concurrent - 1)
        object.__setattr__(self, "clients", ClientSlots(per_client))


CLIENT: ContextVar[str] = ContextVar("datareach_client", default="-")


class ClientSlots:
    """At most ``per_client`` queries (or pages) at once from one client address, so one
    client with slow queries cannot hold every slot: by default one slot stays for others.

    >>> slots = ClientSlots(1)
    >>> slots.acquire("10.0.0.1", 0.0), slots.acquire("10.0.0.1", 0.0), slots.acquire("10.0.0.2", 0.0)
    (True, False, True)
    """

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._cond = threading.Condition()
        self._running: dict[str, int] = {}

    def acquire(self, client: str, timeout: float) -> bool:
        """Take one of ``client``'s slots, waiting up to ``timeout`` seconds."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._running.get(client, 0) < self.per_client, timeout):
                return False
            self._running[client] = self._running.get(client, 0) + 1
            return True

    def release(self, client: str) -> None:
        """Give one of ``client``'s slots back."""
        with self._cond:
            left = self._running.get(client, 0) - 1
            if left > 0:
                self._running[client] = left
            else:
                self._running.pop(client, None)
            self._cond.notify_all()


def take_slot(settings: Settings) -> Callable[[], None]:
    """Wait for a slot of this request's client, then for one of the server's; return the
    function that gives both back. 503 when none is free within ``queue_timeout``."""
    client = CLIENT.get()
    deadline = time.monotonic() + settings.queue_timeout
    if not settings.clients.acquire(client, settings.queue_timeout):
        raise HttpError(503, "too many queries at once from your address: try again shortly", {"Retry-After": "2"})
    if not settings.slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
        settings.clients.release(client)
        raise HttpError(503, "the server is busy: try again shortly", {"Retry-After": "2"})

    def release() -> None:
        settings.slots.release()
        settings.clients.release(client)

    return release


def run_bounded(settings: Settings, work: Callable[[], T]) -> T:
    """``work()`` under the same caps as a query: a slot (per client and overall), and an
    answer within ``timeout`` seconds (else 503). Python cannot stop the thread, so the slot
    is held until the work really ends: ``max_concurrent`` stays true."""
    release = take_slot(settings)
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as err:  # handed to the request's thread
            box["error"] = err
        finally:
            release()
            done.set()

    threading.Thread(target=run, name="datareach-page", daemon=True).start()
    if not done.wait(settings.timeout):
        raise HttpError(503, f"the page was stopped at the time limit ({settings.timeout:g} s): narrow it")
    if "error" in box:
        raise box["error"]
    return cast(T, box["value"])


def pairs(raw: bytes) -> list[tuple[str, str]]:
    """Decode URL-encoded ``key=value`` pairs; 400 for non-UTF-8 or too many fields.

    >>> pairs(b"query=ASK%7B%7D&format=json")
    [('query', 'ASK{}'), ('format', 'json')]
    """
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS,
                         encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise HttpError(400, "the request is not valid UTF-8") from None
    except ValueError:
        raise HttpError(400, f"too many parameters (more than {MAX_FIELDS})") from None


def read_query(method: str, url_params: list[tuple[str, str]], content_type: str | None,
               body: bytes | None, max_bytes: int,
               default_graphs: frozenset[str] = frozenset()) -> tuple[str | None, dict[str, str]]:
    """The query text of a protocol request (None: no query, so a service description) and
    the other parameters; HttpError for everything the protocol or this endpoint refuses.

    ``default-graph-uri`` may only name the one graph served (``default_graphs``: its IRI in
    the service description, and rdflib's default graph, which SPARQLStore always sends);
    ``named-graph-uri`` is refused: nothing is ever loaded from elsewhere."""
    params = list(url_params)
    direct: str | None = None
    if method == "POST":
        kind, extra = media_type(content_type)
        if kind == "application/sparql-update":
            raise HttpError(400, "updates are not supported: this endpoint is read-only")
        if extra.get("charset", "utf-8") not in ("utf-8", "utf8"):
            raise HttpError(415, "the request must be UTF-8")
        if kind == FORM:
            params += pairs(body or b"")
        elif kind == DIRECT:
            direct = _direct_text(body or b"", max_bytes)
        else:
            raise HttpError(415, f"POST a query as {FORM} (query=...) or as {DIRECT}")
    return _pick_query(params, direct, max_bytes, default_graphs | {str(DATASET_DEFAULT_GRAPH_ID)})


def _direct_text(body: bytes, max_bytes: int) -> str:
    if len(body) > max_bytes:
        raise HttpError(413, f"the query is too long (more than {max_bytes:,} bytes)")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "the query is not valid UTF-8") from None


def _pick_query(params: list[tuple[str, str]], direct: str | None, max_bytes: int,
                default_graphs: frozenset[str]) -> tuple[str | None, dict[str, str]]:
    names = [k for k, _ in params]
    if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k in names):
        raise HttpError(400, "updates are not supported: this endpoint is read-only")
    if "named-graph-uri" in names or any(k == "default-graph-uri" and v not in default_graphs for k, v in params):
        raise HttpError(400, "default-graph-uri and named-graph-uri are not supported: "
                             "queries run on the one graph served")
    queries = [v for k, v in params if k == "query"] + ([] if direct is None else [direct])
    if len(queries) > 1:
        raise HttpError(400, "give exactly one query (this request has several)")
    others: dict[str, str] = {}
    for key, value in params:  # the first of a repeated parameter wins (clients repeat format=)
        if key != "query":
            others.setdefault(key, value)
    if not queries:
        return None, others
    if len(queries[0].encode("utf-8", "surrogatepass")) > max_bytes:
        raise HttpError(413, f"the query is too long (more than {max_bytes:,} bytes)")
    return queries[0], others


def execute(g: Graph | Path, text: str, *, accept: str | None, fmt: str | None, settings: Settings) -> Answer:
    """Run ``text`` on ``g`` under the endpoint's caps and write the negotiated format."""
    result = run_limited(g, text, settings)
    mime = negotiate(accept, result.kind, fmt)
    body = render(result, mime, safe=fmt is not None and fmt.strip().lower().endswith("-safe"))
    if len(body) > settings.max_response_bytes:
        raise HttpError(500, f"the result is too large (more than {settings.max_response_bytes:,} bytes): "
                             "add a LIMIT")
    return Answer(body, f"{mime}; charset=utf-8", result.truncated)


def run_limited(g: Graph | Path, text: str, settings: Settings) -> QueryResult:
    """:func:`graph.sparql.local.run_query` (or, for an on-disk store folder, ``run_store_query``)
    under the endpoint's caps; refusals become HttpError."""
    release = take_slot(settings)
    try:
        if isinstance(g, Path):
            from graph.sparql.store import run_store_query

            result = run_store_query(g, text, timeout=settings.timeout, max_rows=settings.max_rows,
                                     limits=settings.limits)
        else:
            result = run_query(g, text, timeout=settings.timeout, max_rows=settings.max_rows, limits=settings.limits)
    except QueryRefused as err:
        status = 413 if str(err).startswith("query is too long") else 400
        raise HttpError(status, _short(str(err))) from None
    except QueryTimeout:
        raise HttpError(503, f"the query was stopped at the time limit ({settings.timeout:g} s): "
                             "narrow it or add a LIMIT") from None
    except QueryFailed as err:
        raise HttpError(500, _failure(str(err))) from None
    finally:
        release()
    return result


def _short(message: str, limit: int = 400) -> str:
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _failure(message: str) -> str:
    for known in ("the result is too large", "the query ran out of memory", "the query process died"):
        if message.startswith(known):
            return known + ("" if known != "the result is too large" else ": add a LIMIT")
    return "the query failed while running"


@dataclass
class Request:
    """What a route needs to know of one HTTP request."""

    method: str
    path: str
    params: list[tuple[str, str]]
    headers: Any
    body: bytes | None = None
    authorized: bool = True

    @property
    def token(self) -> str | None:
        """The bearer token from the Authorization header or ``?token=``."""
        auth = self.headers.get("Authorization") or ""
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        found = [v for k, v in self.params if k == "token"]
        return found[0] if len(found) == 1 else None
