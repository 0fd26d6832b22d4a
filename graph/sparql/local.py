"""Run a checked, read-only SPARQL query with a hard time limit.

The query is checked (:mod:`graph.sparql.guard`), then parsed again *and* evaluated in a
forked child process that inherits the graph copy-on-write. The child materialises
the rows, sends them back as plain JSON (never pickle) and the parent rebuilds rdflib
terms. At the deadline the child is killed: Python's ``re`` never checks for signals, so
a ReDoS in ``REGEX`` can only be stopped by killing the process. A crash of the child
(segfault, out of memory) is a clean :class:`QueryFailed`, never a hang. While a query
runs, an audit hook refuses sockets, DNS, ``urllib`` requests and new processes.

>>> from rdflib import Graph, Literal
>>> from rdflib.namespace import RDFS
>>> from graph.model.vocab import ID
>>> g = Graph()
>>> _ = g.add((ID.spotify, RDFS.label, Literal("Spotify")))
>>> result = run_query(g, "SELECT ?name WHERE { ?c rdfs:label ?name }")
>>> result.vars, result.rows
(['name'], [(rdflib.term.Literal('Spotify'),)])
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any, cast

import rdflib.plugins.sparql
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier, Node

from graph.model.vocab import PREFIXES
from graph.sparql.guard import (
    DEFAULT_LIMITS,
    Limits,
    QueryRefused,
    check_query,
    prepare_safe,
    run_deep,
    scan_text,
)
from graph.sparql.result import QueryResult, Row

__all__ = [
    "DEFAULT_LIMITS", "Limits", "QueryFailed", "QueryRefused", "QueryResult", "QueryTimeout", "Row",
    "check_query", "run_query",
]

Job = Callable[[Connection], None]

FORBIDDEN_EVENTS = frozenset({
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
    "socket.sendto", "socket.sendmsg", "urllib.Request", "http.client.connect",
    "ftplib.connect", "smtplib.connect", "subprocess.Popen", "os.system", "os.exec",
    "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
})
_MAX_MESSAGE = 500

_query_running = False
_blocked: list[str] = []
_hook_installed = False


class QueryTimeout(RuntimeError):
    """The query was stopped at its deadline."""


class QueryFailed(RuntimeError):
    """The query could not be evaluated (error in the engine, crash, out of memory)."""


def run_query(
    g: Graph,
    text: str | bytes,
    *,
    bindings: Mapping[str, Node] | None = None,
    timeout: float = 10.0,
    max_rows: int = 100_000,
    limits: Limits = DEFAULT_LIMITS,
) -> QueryResult:
    """Check and run a read-only query on ``g`` in a killable child process.

    Parameters
    ----------
    g : rdflib.Graph
        The graph; the child inherits it copy-on-write.
    text : str or bytes
        The query. Our prefixes (``dr:``, ``dt:``, ``id:``, ``skos:`` …) are predeclared.
    bindings : mapping of str to Node, optional
        Values for variables (``initBindings``): how parameters reach a query, never
        by pasting text.
    timeout : float
        Seconds before the child is killed.
    max_rows : int
        Rows (or triples) kept; ``truncated`` says whether more were cut.

    Raises
    ------
    QueryRefused, QueryTimeout, QueryFailed

    Examples
    --------
    >>> from rdflib import Graph, Literal
    >>> from rdflib.namespace import RDFS
    >>> from graph.model.vocab import ID
    >>> g = Graph()
    >>> _ = g.add((ID.spotify, RDFS.label, Literal("Spotify")))
    >>> run_query(g, "ASK { ?c rdfs:label ?n }", bindings={"n": Literal("Spotify")}).boolean
    True
    >>> run_query(g, "SELECT * { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    graph.sparql.guard.QueryRefused: SERVICE is not allowed: queries may not call other endpoints
    """
    scan_text(text, limits=limits)  # cheap refusals before forking

    def prepare() -> Query:
        return prepare_safe(text, limits=limits)

    return _run(g, prepare, bindings=bindings, timeout=timeout, max_rows=max_rows,
                limits=limits)


def _run(
    g: Graph,
    prepare: Callable[[], Query],
    *,
    bindings: Mapping[str, Node] | None,
    timeout: float,
    max_rows: int,
    limits: Limits,
) -> QueryResult:
    if not timeout > 0 or max_rows < 0:
        raise ValueError("timeout must be positive and max_rows not negative")
    _install_guards()

    def job(conn: Connection) -> None:
        _child_job(conn, g, prepare, dict(bindings or {}), max_rows, limits)

    return _decode_result(_run_forked(job, timeout))


def _install_guards() -> None:
    global _hook_installed
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _query_running and event in FORBIDDEN_EVENTS:
        _blocked.append(event)
        raise PermissionError(f"queries may not reach the network or start processes ({event})")


def _run_forked(job: Job, timeout: float) -> dict[str, Any]:
    """Run ``job(conn)`` in a forked child; return the JSON object it sent."""
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=job, args=(sender,), name="datareach-sparql", daemon=True)
    proc.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeout(f"query stopped after {timeout:g} s")
        try:
            data = receiver.recv_bytes()
        except (EOFError, OSError):
            proc.join(5)
            raise QueryFailed(f"the query process died ({_exit_reason(proc.exitcode)})") from None
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    payload: dict[str, Any] = json.loads(data)
    return payload


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "no exit status"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _child_job(
    conn: Connection,
    g: Graph,
    prepare: Callable[[], Query],
    bindings: dict[str, Node],
    max_rows: int,
    limits: Limits,
) -> None:
    try:
        _limit_memory(limits.max_memory)
        payload = _guarded(lambda: _evaluate(g, prepare(), bindings, max_rows))
    except QueryRefused as err:
        payload = {"refused": str(err)}
    except MemoryError:
        payload = {"error": "the query ran out of memory"}
    except Exception as err:
        payload = {"error": f"{type(err).__name__}: {err}"[:_MAX_MESSAGE]}
    conn.send_bytes(_encode_payload(payload, limits.max_result_bytes))
    conn.close()


def _guarded(evaluate: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Evaluate with the audit hook armed; refuse if anything tried to reach out."""
    global _query_running
    _query_running = True
    try:
        payload = run_deep(evaluate)
    except Exception:
        if not _blocked:
            raise
        payload = {}
    finally:
        _query_running = False
    if _blocked:
        raise QueryRefused(f"the query tried to reach out ({_blocked[0]}); refused")
    return payload


def _limit_memory(extra: int | None) -> None:
    if extra is None:
        return
    try:
        import resource

        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        return  # not Linux: the timeout is the only guard
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = current + extra
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    resource.setrlimit(resource.RLIMIT_AS, (want, hard))


def _encode_payload(payload: dict[str, Any], max_bytes: int) -> bytes:
    try:
        data = json.dumps(payload).encode("ascii")
    except MemoryError:
        data = b'{"error": "the result is too large"}'
    if len(data) > max_bytes:
        data = json.dumps({"error": f"the result is too large (> {max_bytes:,} bytes)"}).encode()
    return data


def _evaluate(g: Graph, query: Query, bindings: dict[str, Node], max_rows: int) -> dict[str, Any]:
    res = evalQuery(g, query, cast(Mapping[str, Identifier], bindings))
    kind = res["type_"]
    if kind == "SELECT":
        names = [str(v) for v in res["vars_"]]
        keys = [Variable(v) for v in names]
        rows = [[_enc(b.get(k)) for k in keys]
                for b in itertools.islice(res["bindings"], max_rows + 1)]
        return {"kind": kind, "vars": names, "rows": rows[:max_rows],
                "truncated": len(rows) > max_rows}
    if kind == "ASK":
        return {"kind": kind, "boolean": bool(res["askAnswer"])}
    triples = [[_enc(t) for t in triple] for triple in itertools.islice(res["graph"], max_rows + 1)]
    return {"kind": kind, "triples": triples[:max_rows], "truncated": len(triples) > max_rows}


def _enc(term: object) -> list[str | None] | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ["uri", str(term)]
    if isinstance(term, BNode):
        return ["bnode", str(term)]
    if isinstance(term, Literal):
        return ["literal", str(term), term.datatype and str(term.datatype), term.language]
    return ["literal", str(term), None, None]


def _dec(cell: list[str | None] | None) -> Node | None:
    if cell is None:
        return None
    kind, value = cell[0], str(cell[1])
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    datatype, lang = cell[2], cell[3]
    return Literal(value, datatype=None if datatype is None else URIRef(datatype), lang=lang)


def _decode_result(payload: dict[str, Any]) -> QueryResult:
    if "refused" in payload:
        raise QueryRefused(payload["refused"])
    if "error" in payload:
        raise QueryFailed(payload["error"])
    kind = payload["kind"]
    if kind == "SELECT":
        rows = [tuple(_dec(c) for c in row) for row in payload["rows"]]
        return QueryResult(kind, vars=payload["vars"], rows=rows, truncated=payload["truncated"])
    if kind == "ASK":
        return QueryResult(kind, boolean=payload["boolean"])
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in payload["triples"]:
        s, p, o = (_dec(cell) for cell in triple)
        assert s is not None and p is not None and o is not None
        graph.add((s, p, o))
    return QueryResult(kind, graph=graph, truncated=payload["truncated"])
