"""The same questions against an existing SPARQL 1.1 server (Oxigraph, Virtuoso, Fuseki, …).

:func:`remote_query` (and :class:`Remote`, which also keeps one byte budget over many
answers) sends a query with the SPARQL 1.1 Protocol: GET, or a form POST for a long query,
or the form asked for (:mod:`graph.sparql.access`), naming the graph it reads with
``default-graph-uri``. It returns the same :class:`graph.sparql.result.QueryResult` as the
local :func:`graph.sparql.local.run_query`; our prefixes are declared in the text, and
parameters are substituted as serialised terms (:mod:`graph.sparql.text`), never as
pasted user text. :func:`push` loads a built graph through the SPARQL 1.1 Graph Store
Protocol (``PUT …?graph=IRI``, or ``?default``), as N-Triples or Turtle, with
credentials from the environment or netrc. ``reach``, ``table`` and ``owner`` fetch only
their scope (:mod:`graph.sparql.scoped`); :func:`remote_graph` pages through the whole
graph for what still needs it (``rank``, ``serve``).

The query is pre-scanned as locally (size, nesting depth, SERVICE/FROM/update refused):
the remote server's own limits still apply on top.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from graph.build.folder import current
from graph.errors import DatareachError
from graph.model.vocab import PREFIXES
from graph.safetext import visible
from graph.sparql.access import Credentials, query_request
from graph.sparql.guard import DEFAULT_LIMITS, Limits, QueryRefused, run_deep, scan_text
from graph.sparql.result import QueryFailed, QueryResult, QueryTimeout, make_term
from graph.sparql.text import bind_text, with_prefixes

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
RESULTS_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8"  # Virtuoso sends CONSTRUCT as JSON if we accept it first
_FORM = re.compile(r"(?<![\w:?$-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)
_NOT_CODE = re.compile(r"<[^<>\s]*>|#[^\n]*")


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword after the prologue (IRIs and comments skipped).

    >>> query_form("PREFIX ask: <http://x/select#> construct { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    found = _FORM.search(_NOT_CODE.sub(" ", text))
    return None if found is None else found.group(1).upper()


class EndpointError(DatareachError):
    """The remote endpoint refused the request or could not be reached."""


class Remote:
    """A SPARQL endpoint and how to ask it: the graph read, the request form, credentials, a
    time limit per request, and one byte budget over every answer (``bytes_read`` counts them).

    Parameters
    ----------
    url : str
        The query URL, e.g. ``http://host:7878/query`` (Oxigraph) or ``http://host:8890/sparql`` (Virtuoso).
    graph : str or None
        The named graph every query reads (sent as ``default-graph-uri``); None: the server's default graph.
    method : str
        ``auto``, ``get``, ``post-form`` or ``post-direct`` (:mod:`graph.sparql.access`).
    credentials : Credentials, optional
        From :func:`graph.sparql.access.credentials_for`; default none.
    timeout : float
        Seconds to wait for each answer.
    budget : int
        Bytes all answers may take together (the ``sparql`` cap, 256 MiB, by default).
    """

    def __init__(self, url: str, *, graph: str | None = None, method: str = "auto",
                 credentials: Credentials | None = None, timeout: float = 30.0,
                 budget: int = DEFAULT_LIMITS.max_result_bytes) -> None:
        self.url, self.graph, self.method, self.timeout, self.budget = url, graph, method, timeout, budget
        self.credentials = credentials or Credentials()
        self.bytes_read = 0
        self.requests = 0

    def query(self, text: str, *, bindings: Mapping[str, Node] | None = None, max_rows: int = 100_000,
              limits: Limits = DEFAULT_LIMITS, headers: Mapping[str, str] | None = None) -> QueryResult:
        """Run a read-only query (see :func:`remote_query`); its answer counts against the budget."""
        scan_text(text, limits=limits)
        body = with_prefixes(bind_text(text, bindings or {}))
        form = query_form(text)
        accept = GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_ACCEPT if form else ACCEPT
        request = query_request(self.url, body, method=self.method, graph=self.graph,
                                headers={"Accept": accept, **self.credentials.headers(), **(headers or {})})
        cap = min(limits.max_result_bytes, self.budget - self.bytes_read)
        try:
            kind, data = _fetch(request, self.timeout, cap, self.credentials, self.method)
        except QueryFailed:
            if cap < limits.max_result_bytes:
                raise QueryFailed(f"the endpoint's answers to this question are too large: they passed "
                                  f"{self.budget:,} bytes (the cap of `sparql`); narrow the question") from None
            raise
        self.bytes_read += len(data)
        self.requests += 1
        if kind.startswith("application/sparql-results+json"):
            answer = _from_json(_json_answer(data, self.url), max_rows, self.url)
            if form == "ASK" and answer.boolean is None and len(answer.rows) == 1 and len(answer.vars or []) == 1:
                # Virtuoso 7.2 answers ASK as one row of one variable (__ASK_RETVAL, 1 or 0)
                return QueryResult("ASK", boolean=str(answer.rows[0][0]) in ("1", "true"))
            return answer
        g = _graph_answer(data, kind, self.url)
        kept = Graph()
        for i, triple in enumerate(g):
            if i >= max_rows:
                return QueryResult("CONSTRUCT", graph=_bound(kept), truncated=True)
            kept.add(triple)
        return QueryResult("CONSTRUCT", graph=_bound(kept))

    def runner(self, max_rows: int = 10_000_000) -> Callable[[str], QueryResult]:
        """This endpoint as a query runner for :mod:`graph.sparql.scoped` (our own queries)."""
        return lambda text: self.query(text, max_rows=max_rows)


def remote_query(endpoint: str, text: str, *, bindings: Mapping[str, Node] | None = None,
                 timeout: float = 30.0, max_rows: int = 100_000, limits: Limits = DEFAULT_LIMITS,
                 headers: Mapping[str, str] | None = None, graph: str | None = None, method: str = "auto",
                 credentials: Credentials | None = None) -> QueryResult:
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
        Extra HTTP headers.
    graph : str, optional
        The named graph the query reads (the protocol's ``default-graph-uri``); None: the server's default graph.
    method : str
        How the query is sent: ``auto`` (GET, or a form POST for a long query), ``get``,
        ``post-form`` or ``post-direct``.
    credentials : Credentials, optional
        A token or a user and password (:func:`graph.sparql.access.credentials_for`).

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
    ...     def do_GET(self):
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
    remote = Remote(endpoint, graph=graph, method=method, credentials=credentials, timeout=timeout,
                    budget=limits.max_result_bytes)
    return remote.query(text, bindings=bindings, max_rows=max_rows, limits=limits, headers=headers)


def _bound(g: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace)
    return g


def _fetch(request: urllib.request.Request, timeout: float, max_bytes: int, credentials: Credentials | None = None,
           method: str = "auto") -> tuple[str, bytes]:
    opener = (credentials or Credentials()).opener(request.full_url)
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
            kind = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as err:
        detail = visible(err.read(300).decode("utf-8", "replace").strip())
        raise EndpointError(f"the endpoint answered {err.code}: {detail or visible(str(err.reason))}") from None
    except TimeoutError:
        hint = (" (some servers, Virtuoso 7.2 among them, never answer a direct POST: "
                "try --request-method get or post-form)") if method == "post-direct" else ""
        raise QueryTimeout(f"the endpoint did not answer within {timeout:g} s{hint}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        if isinstance(reason, TimeoutError):
            raise QueryTimeout(f"the endpoint did not answer within {timeout:g} s") from None
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


def remote_graph(endpoint: str | Remote, *, timeout: float = 120.0, max_triples: int = 5_000_000,
                 max_bytes: int = DEFAULT_LIMITS.max_result_bytes) -> Graph:
    """Every triple of the endpoint's graph, as an rdflib Graph (for the projection ``rank`` reads).

    Paged by subject (:func:`graph.sparql.scoped.read_all`), so a server's row limit cuts
    nothing; the answers together are cut at ``max_bytes``, the same cap as ``sparql`` (256 MiB)."""
    from graph.sparql.scoped import read_all

    remote = endpoint if isinstance(endpoint, Remote) else Remote(endpoint, timeout=timeout, budget=max_bytes)
    try:
        g = read_all(remote.runner(max_triples)).g
    except (QueryFailed, QueryTimeout) as err:
        raise EndpointError(f"reading the graph from {visible(remote.url)}: {err}") from None
    if len(g) > max_triples:
        raise EndpointError(f"the endpoint holds more than {max_triples:,} triples")
    return _bound(g)


PUSH_FORMATS = {"nt": ("graph.nt", "application/n-triples"), "turtle": ("graph.ttl", "text/turtle")}


def push(out_dir: Path, store: str, *, timeout: float = 300.0, headers: Mapping[str, str] | None = None,
         graph: str | None = None, fmt: str = "nt", credentials: Credentials | None = None) -> int:
    """Replace a graph at the Graph Store Protocol URL ``store`` with the build in ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        The build folder (its current build is sent, checked against its manifest).
    store : str
        The Graph Store Protocol URL, e.g. ``http://host:7878/store`` (Oxigraph) or
        ``http://host:8890/sparql-graph-crud-auth`` (Virtuoso).
    timeout : float
        Seconds to wait for the server to take the graph.
    headers : mapping of str to str, optional
        Extra HTTP headers.
    graph : str, optional
        The named graph to replace (``?graph=IRI``); None: the server's default graph (``?default``).
    fmt : str
        ``nt`` (N-Triples, the default) or ``turtle`` (``graph.ttl``: no escaped names, it loads the same everywhere).
    credentials : Credentials, optional
        A token, or a user and password the server may ask for (Basic or Digest).

    Returns
    -------
    int
        The number of triples sent.
    """
    found = current(out_dir)
    if found is None:
        raise EndpointError(f"no build in {out_dir}: run `datareach build` first")
    if fmt not in PUSH_FORMATS:
        raise EndpointError(f"push sends nt or turtle, not {visible(fmt)}")
    name, kind = PUSH_FORMATS[fmt]
    nt = found.file("graph.nt", full=True)  # never another build's triples
    path = found.file(name, full=True)
    target = "default" if graph is None else urllib.parse.urlencode({"graph": graph})
    url = store + ("&" if "?" in store else "?") + target
    creds = credentials or Credentials()
    with nt.open("rb") as lines:
        count = sum(1 for line in lines if line.strip() and not line.startswith(b"#"))
    with path.open("rb") as body:
        request = urllib.request.Request(url, data=body, method="PUT", headers={
            "Content-Type": kind, "Content-Length": str(path.stat().st_size), **creds.headers(), **(headers or {})})
        try:
            creds.authorize(request, timeout)  # a server refusing a large body mid-way breaks the pipe
        except OSError as err:
            raise EndpointError(f"cannot reach the endpoint {visible(url)}: {visible(str(err))}") from None
        _fetch(request, timeout, 1024**2, creds)
    return count
