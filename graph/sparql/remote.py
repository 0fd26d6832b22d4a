"""The same questions against an existing SPARQL 1.1 server (Oxigraph, Fuseki, Virtuoso, …).

:func:`remote_query` sends a query with the SPARQL 1.1 Protocol (POST, direct body) and
returns the same :class:`graph.sparql.result.QueryResult` as the local :func:`graph.sparql.local.run_query`;
our prefixes are declared in the text, and parameters are substituted as serialised
terms (:mod:`graph.sparql.text`), never as pasted user text. :func:`push` loads a built graph through the
SPARQL 1.1 Graph Store Protocol (``PUT …?default``). :func:`remote_graph` fetches the whole
graph back, so ``reach``, ``table`` and ``rank`` can run on its projection.

The query is pre-scanned as locally (size, nesting depth, SERVICE/FROM/update refused):
the remote server's own limits still apply on top.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from graph.build.folder import current
from graph.errors import DatareachError
from graph.model.vocab import PREFIXES
from graph.safetext import visible
from graph.sparql.guard import DEFAULT_LIMITS, Limits, QueryRefused, run_deep, scan_text
from graph.sparql.result import QueryFailed, QueryResult, QueryTimeout, make_term
from graph.sparql.text import bind_text, with_prefixes

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


class EndpointError(DatareachError):
    """The remote endpoint refused the request or could not be reached."""


def remote_query(endpoint: str, text: str, *, bindings: Mapping[str, Node] | None = None,
                 timeout: float = 30.0, max_rows: int = 100_000, limits: Limits = DEFAULT_LIMITS,
                 headers: Mapping[str, str] | None = None) -> QueryResult:
    """Run a read-only query on the SPARQL endpoint at ``endpoint``.

    The query passes our linear pre-scan first (size, depth, no SERVICE, FROM or updates);
    the answer is read up to ``limits.max_result_bytes``.

    Parameters
    ----------
    endpoint : str
        The query URL, e.g. ``http://host:7878/query`` for Oxigraph.
    text : str
        The query. Our prefixes are declared in front of it (the server does not know them).
    bindings : mapping of str to Node, optional
        Values for variables, written in as serialised terms
        (:func:`graph.sparql.text.bind_text`), never as pasted text.
    timeout : float
        Seconds to wait for the server.
    max_rows : int
        Rows (or triples) kept; ``truncated`` says whether more were cut.
    limits : Limits
        Size and depth caps for the query, the byte cap for the answer.
    headers : mapping of str to str, optional
        Extra HTTP headers (an ``Authorization``, say).

    Returns
    -------
    QueryResult
        The same kind of result as :func:`graph.sparql.local.run_query`.

    Raises
    ------
    QueryRefused
        Our pre-scan refused the query; nothing was sent.
    QueryTimeout
        The server did not answer within ``timeout`` seconds.
    QueryFailed
        The answer is larger than ``limits.max_result_bytes``.
    EndpointError
        The server answered with an HTTP error, could not be reached, or sent something
        that is not a SPARQL result.

    Examples
    --------
    >>> import http.server, threading
    >>> class Endpoint(http.server.BaseHTTPRequestHandler):
    ...     def do_POST(self):
    ...         self.rfile.read(int(self.headers["Content-Length"]))
    ...         self.send_response(200)
    ...         self.send_header("Content-Type", "application/sparql-results+json")
    ...         self.end_headers()
    ...         self.wfile.write(b'{"head": {}, "boolean": true}')
    ...     def log_message(self, *args): pass
    >>> server = http.server.HTTPServer(("127.0.0.1", 0), Endpoint)
    >>> threading.Thread(target=server.handle_request, daemon=True).start()
    >>> url = f"http://127.0.0.1:{server.server_port}/query"
    >>> remote_query(url, "ASK { ?c a dr:Company }").boolean
    True
    >>> server.server_close()
    >>> remote_query(url, "DROP ALL")
    Traceback (most recent call last):
    ...
    graph.sparql.guard.QueryRefused: updates are not allowed: read-only (DROP)
    """
    scan_text(text, limits=limits)
    body = with_prefixes(bind_text(text, bindings or {})).encode("utf-8")
    request = urllib.request.Request(endpoint, data=body, method="POST", headers={
        "Content-Type": "application/sparql-query", "Accept": ACCEPT, **(headers or {})})
    kind, data = _fetch(request, timeout, limits.max_result_bytes)
    if kind.startswith("application/sparql-results+json"):
        return _from_json(_json_answer(data, endpoint), max_rows, endpoint)
    g = _graph_answer(data, kind, endpoint)
    kept = Graph()
    for i, triple in enumerate(g):
        if i >= max_rows:
            return QueryResult("CONSTRUCT", graph=_bound(kept), truncated=True)
        kept.add(triple)
    return QueryResult("CONSTRUCT", graph=_bound(kept))


def _bound(g: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace)
    return g


def _fetch(request: urllib.request.Request, timeout: float, max_bytes: int) -> tuple[str, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the user's endpoint
            data = response.read(max_bytes + 1)
            kind = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as err:
        detail = visible(err.read(300).decode("utf-8", "replace").strip())
        raise EndpointError(f"the endpoint answered {err.code}: {detail or visible(str(err.reason))}") from None
    except TimeoutError:
        raise QueryTimeout(f"the endpoint did not answer within {timeout:g} s") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise EndpointError(f"cannot reach the endpoint {visible(request.full_url)}: {visible(str(reason))}") from None
    if len(data) > max_bytes:
        raise QueryFailed(f"the result is too large (> {max_bytes:,} bytes)")
    return kind, data


def _bad_answer(endpoint: str, what: str) -> EndpointError:
    return EndpointError(f"the endpoint {visible(endpoint)} sent an answer that is not {what}")


def _json_answer(data: bytes, endpoint: str) -> Any:
    """SPARQL JSON results, parsed on a deep stack: a 100,000-deep array is refused, not a crash."""
    try:
        return run_deep(lambda: json.loads(data))
    except (ValueError, QueryRefused, RecursionError) as err:
        raise _bad_answer(endpoint, f"valid SPARQL JSON results ({type(err).__name__})") from None


def _graph_answer(data: bytes, kind: str, endpoint: str) -> Graph:
    """The triples of a Turtle / N-Triples answer. Relative IRIs resolve against the endpoint's
    URL (the document's own address), never against this machine's working folder."""
    g = Graph()
    try:
        run_deep(lambda: g.parse(data=data, format="nt" if "n-triples" in kind else "turtle", publicID=endpoint))
    except QueryRefused:
        raise _bad_answer(endpoint, "readable RDF (nested too deeply)") from None
    except Exception as err:  # rdflib raises many kinds for a bad document
        raise _bad_answer(endpoint, f"valid {'N-Triples' if 'n-triples' in kind else 'Turtle'} "
                                    f"({type(err).__name__})") from None
    return g


def _from_json(data: Any, max_rows: int, endpoint: str = "") -> QueryResult:
    try:
        if "boolean" in data:
            return QueryResult("ASK", boolean=bool(data["boolean"]))
        names = [str(n) for n in data["head"]["vars"]]
        bindings = data["results"]["bindings"]
        rows = [tuple(_json_term(b.get(n)) for n in names) for b in bindings[:max_rows]]
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        raise _bad_answer(endpoint, f"valid SPARQL JSON results (missing or wrong {visible(str(err))[:60]})") from None
    return QueryResult("SELECT", vars=names, rows=rows, truncated=len(bindings) > max_rows)


def _json_term(cell: dict[str, str] | None) -> Node | None:
    if cell is None:
        return None
    kind, value = cell["type"], cell["value"]
    if not isinstance(value, str):
        raise ValueError("value")
    return make_term(kind, value, cell.get("datatype"), cell.get("xml:lang"))


def remote_graph(endpoint: str, *, timeout: float = 120.0, max_triples: int = 5_000_000,
                 max_bytes: int = DEFAULT_LIMITS.max_result_bytes) -> Graph:
    """Every triple of the endpoint's default graph, as an rdflib Graph (for the projection).

    The answer is cut at ``max_bytes``, the same cap as ``sparql`` (256 MiB)."""
    limits = Limits(max_result_bytes=max_bytes)
    try:
        result = remote_query(endpoint, ALL_TRIPLES, timeout=timeout, max_rows=max_triples, limits=limits)
    except (QueryFailed, QueryTimeout) as err:
        raise EndpointError(f"reading the graph from {visible(endpoint)}: {err}") from None
    if result.truncated or result.graph is None:
        raise EndpointError(f"the endpoint holds more than {max_triples:,} triples")
    return result.graph


def push(out_dir: Path, store: str, *, timeout: float = 300.0, headers: Mapping[str, str] | None = None) -> int:
    """Replace the default graph at the Graph Store Protocol URL ``store`` with the build in
    ``out_dir``; return the number of triples sent. E.g. Oxigraph: ``http://host:7878/store``."""
    found = current(out_dir)
    if found is None:
        raise EndpointError(f"no build in {out_dir}: run `datareach build` first")
    path = found.file("graph.nt", full=True)  # never another build's triples
    url = store + ("&" if "?" in store else "?") + "default"
    with path.open("rb") as body:
        count = sum(1 for line in body if line.strip() and not line.startswith(b"#"))
        body.seek(0)
        request = urllib.request.Request(url, data=body, method="PUT", headers={
            "Content-Type": "application/n-triples", "Content-Length": str(path.stat().st_size), **(headers or {})})
        _fetch(request, timeout, 1024**2)
    return count
