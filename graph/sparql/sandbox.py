"""The sandboxed child that runs one SPARQL query: the job every local engine shares.

:func:`run_sandboxed` forks a child that inherits the caller's memory copy-on-write (the
rdflib graph, the store's path) and runs an engine's *work* there, under the deadline:

1. optionally leave the network (``offline``: a new network namespace, :func:`isolate_network`);
2. cap the child's address space at ``limits.max_memory`` more than it holds;
3. run the work with an audit hook armed, which refuses sockets, DNS, ``urllib`` requests
   and new processes, on a thread with a deep stack (a deep recursion is a refusal);
4. keep at most ``max_rows`` rows, send them back as plain JSON (never pickle), at most
   ``limits.max_result_bytes``.

The parent waits until the deadline, then kills the child: Python's ``re`` never checks
for signals and an Oxigraph query cannot be interrupted, so killing the process is the
only way to stop a ReDoS or a huge join. A crash of the child (segfault, out of memory)
is a clean :class:`QueryFailed`, never a hang. The parent rebuilds rdflib terms.

An engine's work returns an :class:`Answer` whose rows are lazy and encoded cell by cell
with :func:`encode_term` (or the engine's own encoder into the same wire format,
``[kind, value, datatype, language]``); the sandbox does the rest.

>>> from rdflib import Literal
>>> answer = Answer("SELECT", vars=["n"], rows=([encode_term(Literal(c))] for c in "abcde"))
>>> result = run_sandboxed(lambda offline: answer, timeout=10, max_rows=2)
>>> result.rows, result.truncated
([(rdflib.term.Literal('a'),), (rdflib.term.Literal('b'),)], True)
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import select
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from graph.sparql.guard import DEFAULT_LIMITS, Limits, QueryRefused, run_deep
from graph.sparql.result import Cell, CellResult, QueryFailed, QueryTimeout

if TYPE_CHECKING:  # rdflib is imported only by the engines and writers that need it
    from graph.sparql.result import QueryResult

__all__ = [
    "FORBIDDEN_EVENTS", "Answer", "Cell", "Pipe", "QueryFailed", "QueryTimeout", "Work",
    "encode_term", "isolate_network", "run_forked", "run_sandboxed", "run_sandboxed_cells",
]

FORBIDDEN_EVENTS = frozenset({
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
    "socket.sendto", "socket.sendmsg", "urllib.Request", "http.client.connect",
    "ftplib.connect", "smtplib.connect", "subprocess.Popen", "os.system", "os.exec",
    "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
})
CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000
_MAX_MESSAGE = 500

_query_running = False
_blocked: list[str] = []
_hook_installed = False


@dataclass
class Answer:
    """What an engine's work hands the sandbox: ``boolean`` for ASK; otherwise lazy ``rows``
    of encoded cells (for CONSTRUCT and DESCRIBE, each row is a triple), read under the guard."""

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: Iterable[list[Cell]] = ()
    boolean: bool | None = None


Work = Callable[[bool], Answer]
"""An engine's work in the child; its argument says whether the child is off the network."""


def run_sandboxed(work: Work, *, timeout: float, max_rows: int, limits: Limits = DEFAULT_LIMITS,
                  offline: bool = False) -> QueryResult:
    """Run ``work`` in a forked, guarded, time-limited child and return its answer.

    Parameters
    ----------
    work : callable of bool to Answer
        The engine's job, run in the child (parse, check, evaluate). It receives True when
        the child has left the network, and returns an :class:`Answer` with lazy rows.
    timeout : float
        Seconds before the child is killed (positive).
    max_rows : int
        Rows (or triples) kept; the result's ``truncated`` says whether more were cut.
    limits : Limits
        ``max_memory`` caps the child's extra address space, ``max_result_bytes`` the
        answer sent back.
    offline : bool
        Move the child into a new network namespace first (:func:`isolate_network`).

    Returns
    -------
    QueryResult
        Rows for SELECT, ``boolean`` for ASK, ``graph`` for CONSTRUCT and DESCRIBE.

    Raises
    ------
    QueryRefused
        The work refused the query, or the query tried to reach the network.
    QueryTimeout
        The child did not answer within ``timeout`` seconds.
    QueryFailed
        The work failed, ran out of memory, sent too much, or the child died.

    Examples
    --------
    >>> run_sandboxed(lambda offline: Answer("ASK", boolean=True), timeout=10, max_rows=0).boolean
    True
    >>> def reach_out(offline: bool) -> Answer:
    ...     import urllib.request
    ...     urllib.request.urlopen("http://127.0.0.1:9/")
    ...     return Answer("ASK", boolean=True)
    >>> run_sandboxed(reach_out, timeout=10, max_rows=0)
    Traceback (most recent call last):
    ...
    graph.sparql.guard.QueryRefused: the query tried to reach out (urllib.Request); refused
    """
    return run_sandboxed_cells(work, timeout=timeout, max_rows=max_rows, limits=limits, offline=offline).to_result()


def run_sandboxed_cells(work: Work, *, timeout: float, max_rows: int, limits: Limits = DEFAULT_LIMITS,
                        offline: bool = False) -> CellResult:
    """As :func:`run_sandboxed`, but the answer stays in the wire format (no rdflib terms):
    for writers that need no rdflib (``graph.sparql.output.format_cells``).

    Parameters
    ----------
    work, timeout, max_rows, limits, offline
        As for :func:`run_sandboxed`.

    Returns
    -------
    CellResult
        Its ``to_result()`` is what :func:`run_sandboxed` returns.

    Raises
    ------
    QueryRefused, QueryTimeout, QueryFailed

    Examples
    --------
    >>> answer = Answer("SELECT", vars=["n"], rows=([["literal", c, None, None]] for c in "abc"))
    >>> run_sandboxed_cells(lambda offline: answer, timeout=10, max_rows=2).rows
    [[['literal', 'a', None, None]], [['literal', 'b', None, None]]]
    """
    if not timeout > 0 or max_rows < 0:
        raise ValueError("timeout must be positive and max_rows not negative")
    _install_guards()

    def job(conn: Pipe) -> None:
        _child_job(conn, work, max_rows=max_rows, limits=limits, offline=offline)

    return _decode_result(run_forked(job, timeout))


def run_forked(job: Callable[[Pipe], None], timeout: float) -> dict[str, Any]:
    """Run ``job(conn)`` in a forked child and return the JSON object it sent on ``conn``.

    The child is killed at the deadline (or when it has answered); it gets no guard of its
    own: :func:`run_sandboxed` is the guarded job.

    Parameters
    ----------
    job : callable of Pipe
        Runs in the child; sends one JSON object with ``conn.send_bytes``. The child ends
        when it returns (exit code 1 if it raised).
    timeout : float
        Seconds to wait for the answer.

    Returns
    -------
    dict
        The object the child sent.

    Raises
    ------
    QueryTimeout
        Nothing came within ``timeout`` seconds.
    QueryFailed
        The child ended without answering (a crash, an exit), naming how it ended.

    Examples
    --------
    >>> run_forked(lambda conn: conn.send_bytes(b'{"answer": 42}'), timeout=10)
    {'answer': 42}
    >>> run_forked(lambda conn: os._exit(7), timeout=10)
    Traceback (most recent call last):
    ...
    graph.sparql.result.QueryFailed: the query process died (exit code 7)
    """
    for stream in (sys.stdout, sys.stderr):  # nothing buffered here is written twice by the child
        with contextlib.suppress(Exception):
            stream.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run the job, then leave without running the parent's exit handlers
        os.close(read_end)
        _run_child(job, Pipe(write_end))
    os.close(write_end)
    ended: list[int] = []
    try:
        data = _receive(read_end, timeout)
        if data is None:
            ended.append(_reap(pid, wait=5))
            raise QueryFailed(f"the query process died ({_exit_reason(ended[0])})")
    finally:
        os.close(read_end)
        if not ended:  # answered, timed out or interrupted: the child is not needed any more
            _reap(pid, wait=0)
    payload: dict[str, Any] = json.loads(data)
    return payload


class Pipe:
    """The child's end of the answer pipe: ``send_bytes`` one message (its length, then the bytes).

    A plain pipe rather than ``multiprocessing``: importing multiprocessing (pickle, socket …)
    cost a query from the command line more than the fork itself.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send_bytes(self, data: bytes) -> None:
        """Write ``data`` whole, after its length (8 bytes, big-endian)."""
        for chunk in (len(data).to_bytes(8, "big"), data):
            view = memoryview(chunk)
            while view:
                view = view[os.write(self.fd, view):]

    def close(self) -> None:
        """Close the pipe (the parent then sees the end of the message stream)."""
        with contextlib.suppress(OSError):
            os.close(self.fd)


Connection = Pipe  # what a job is handed (the name multiprocessing's version had)


def _run_child(job: Callable[[Pipe], None], conn: Pipe) -> NoReturn:
    code = 0
    try:
        job(conn)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        code = 1
        with contextlib.suppress(Exception):
            import traceback  # here: a query that ends well never needs it

            traceback.print_exc()
            sys.stderr.flush()
    os._exit(code)


def _receive(fd: int, timeout: float) -> bytes | None:
    """The message on ``fd``; None if the pipe closed first (the child died). QueryTimeout when
    nothing came within ``timeout`` seconds."""
    poller = select.poll()  # not select(): a server may hold descriptors above FD_SETSIZE
    poller.register(fd, select.POLLIN | select.POLLHUP)
    if not poller.poll(max(0, int(timeout * 1000))):
        raise QueryTimeout(f"query stopped after {timeout:g} s")
    header = _read_exactly(fd, 8)
    if header is None:
        return None
    return _read_exactly(fd, int.from_bytes(header, "big"))


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts, left = [], size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _reap(pid: int, *, wait: float) -> int:
    """The child's exit code (negative: the signal that ended it), waiting up to ``wait`` seconds
    for it to end on its own before killing it."""
    deadline = time.monotonic() + wait
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            import signal  # here: its enums cost a query's start-up more than the kill

            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)


def isolate_network() -> bool:
    """Move this (single-threaded, forked) process into a new network namespace with no
    interface up, so nothing in it can connect anywhere, loopback included.

    As root ``unshare(CLONE_NEWNET)`` is enough; otherwise a user namespace is made first
    (unprivileged user namespaces). Call it only in a child: it cannot be undone.

    Returns
    -------
    bool
        True on success; False where neither is allowed (not Linux, a locked-down kernel).

    Examples
    --------
    >>> run_forked(lambda conn: conn.send_bytes(json.dumps(isolate_network() in (True, False)).encode()),
    ...            timeout=10)
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    return _unshare(CLONE_NEWNET) or _unshare(CLONE_NEWUSER | CLONE_NEWNET)


def _unshare(flags: int) -> bool:
    """unshare(2): ``os.unshare`` where Python has it (3.12); else libc's, through ``_ctypes``
    (:func:`_libc_function`), since importing ``ctypes`` itself cost each query about 10 ms of
    CPU (measured at M, issue 17) for the one call."""
    call = getattr(os, "unshare", None)
    if call is not None:
        try:
            call(flags)
        except OSError:
            return False
        return True
    unshare = _libc_function("unshare")
    return unshare is not None and unshare(flags) == 0


def _libc_function(name: str) -> Callable[[int], int] | None:
    """The C function ``name`` of the running process (``int name(int)``), as
    ``ctypes.CDLL(None, use_errno=True)`` gives it, built from ``_ctypes`` (the C core of
    ``ctypes``) without importing ``ctypes``; from ``ctypes`` if that fails; None if neither can."""
    try:
        import _ctypes

        class Int(_ctypes._SimpleCData):  # ctypes.c_int, as ctypes defines it
            _type_ = "i"

        class Function(_ctypes.CFuncPtr):  # a CDLL's function: cdecl, errno kept, returns an int
            _flags_ = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_USE_ERRNO
            _restype_ = Int

        class Library:
            _handle = _ctypes.dlopen(None, _ctypes.RTLD_LOCAL)  # type: ignore[arg-type]  # None: the process itself

        function: Callable[[int], int] = Function((name, Library()))  # type: ignore[arg-type]  # any object with _handle
        return function
    except Exception:  # an interpreter whose _ctypes differs: the public route
        try:
            import ctypes

            found: Callable[[int], int] = getattr(ctypes.CDLL(None, use_errno=True), name)
            return found
        except (OSError, AttributeError):
            return None


def encode_term(term: object) -> Cell:
    """An rdflib term (or None, unbound) in the wire format the sandbox sends back.

    Parameters
    ----------
    term : rdflib term or None

    Returns
    -------
    list or None
        ``["uri", iri]``, ``["bnode", id]``, ``["literal", text, datatype, language]``.

    Examples
    --------
    >>> from rdflib import Literal
    >>> encode_term(Literal("Spotify", lang="en"))
    ['literal', 'Spotify', None, 'en']
    """
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return ["uri", str(term)]
    if isinstance(term, BNode):
        return ["bnode", str(term)]
    if isinstance(term, Literal):
        return ["literal", str(term), term.datatype and str(term.datatype), term.language]
    return ["literal", str(term), None, None]


# ---------------------------------------------------------------- in the parent

def _install_guards() -> None:
    global _hook_installed
    engine = sys.modules.get("rdflib.plugins.sparql")  # loaded by the rdflib engine (graph.sparql.local)
    if engine is not None:
        engine.SPARQL_LOAD_GRAPHS = False  # type: ignore[attr-defined]
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _query_running and event in FORBIDDEN_EVENTS:
        _blocked.append(event)
        raise PermissionError(f"queries may not reach the network or start processes ({event})")


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "no exit status"
    if code < 0:
        import signal

        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _decode_result(payload: dict[str, Any]) -> CellResult:
    if "refused" in payload:
        raise QueryRefused(payload["refused"])
    if "error" in payload:
        raise QueryFailed(payload["error"])
    kind = payload["kind"]
    if kind == "SELECT":
        return CellResult(kind, vars=payload["vars"], rows=payload["rows"], truncated=payload["truncated"])
    if kind == "ASK":
        return CellResult(kind, boolean=payload["boolean"])
    return CellResult(kind, rows=payload["triples"], truncated=payload["truncated"])


# ---------------------------------------------------------------- in the child

def _child_job(conn: Pipe, work: Work, *, max_rows: int, limits: Limits, offline: bool) -> None:
    try:
        sealed = isolate_network() if offline else False
        _limit_memory(limits.max_memory)
        payload = _guarded(lambda: _materialise(work(sealed), max_rows))
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


def _materialise(answer: Answer, max_rows: int) -> dict[str, Any]:
    """The answer as the JSON object sent back: at most ``max_rows`` rows, and whether more came."""
    if answer.kind == "ASK":
        return {"kind": "ASK", "boolean": bool(answer.boolean)}
    rows = list(itertools.islice(answer.rows, max_rows + 1))
    kept, truncated = rows[:max_rows], len(rows) > max_rows
    if answer.kind == "SELECT":
        return {"kind": "SELECT", "vars": answer.vars, "rows": kept, "truncated": truncated}
    return {"kind": answer.kind, "triples": kept, "truncated": truncated}


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
