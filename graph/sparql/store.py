"""SPARQL over an embedded on-disk Oxigraph store (``--store DIR``), for graphs too large
to reload into rdflib at every start (PERF.md: rdflib needs about 1.2 KB a triple).

The store is made from a build's N-Triples once (their size and sha256 checked against the
build's manifest first), in a temporary folder swapped into place, and marked with the
build's token; later runs open it read-only while that build is the current one. Queries pass the
same guard as ``run_query`` (size and nesting caps — pyoxigraph crashes on very deep
nesting — then rdflib's parser and the algebra walk refusing SERVICE, FROM and updates)
and run in a forked child that is killed at the deadline, since an Oxigraph query cannot
be interrupted (:mod:`graph.sparql.sandbox`). The check, too, runs in that child (parsing
is work: it is under the deadline, and a deep recursion ends the child, not the server), and
the child has no network: pyoxigraph cannot turn its HTTP client off, so the child leaves the
network (a new network namespace) before it reads the query. Bindings are written into the
query as serialised terms (:mod:`graph.sparql.text`), never as text.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph.build import oxstore
from graph.build.folder import Build, BuildDamaged, current
from graph.errors import DatareachError
from graph.safetext import visible
from graph.sparql.guard import DEFAULT_LIMITS, Limits, QueryRefused, prepare_safe, scan_text
from graph.sparql.result import Cell, CellResult, QueryResult, make_term
from graph.sparql.sandbox import Answer, run_sandboxed_cells
from graph.sparql.text import bind_text, with_prefixes

if TYPE_CHECKING:  # rdflib is imported only where a result needs its terms
    from rdflib.term import Node

MARK = oxstore.MARK
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class StoreBusy(DatareachError):
    """Another process holds the store's write lock."""


class StoreError(DatareachError):
    """The store could not be made or opened (disk full, read-only, damaged)."""


LOCK_WAIT = 120.0
MSG_NO_SANDBOX = ("the word SERVICE may not appear anywhere in a query on --store here: this system "
                  "cannot cut the query process off the network (no network namespace)")


def ensure_store(out_dir: Path, store_dir: Path, build: Build | None = None, *, wait: float = LOCK_WAIT) -> Path:
    """An Oxigraph store of ``build`` (default: the current build in ``out_dir``) at
    ``store_dir``, made if missing or of another build (its mark names the build's token).

    Making it holds a lock beside the folder, so processes started together make it once:
    the others wait and reuse it. The build's N-Triples are checked against its manifest
    (size, sha256) before they are loaded.

    Parameters
    ----------
    out_dir : Path
        The output folder of ``datareach build``.
    store_dir : Path
        Where the store lives; made (in a staging folder swapped into place) if needed.
    build : Build, optional
        The build to load; default the current one in ``out_dir``.
    wait : float
        Seconds to wait for another process that is making the store.

    Returns
    -------
    Path
        ``store_dir``, holding a store of that build.

    Raises
    ------
    BuildDamaged
        No build in ``out_dir``, or its files do not match its manifest.
    StoreBusy
        Another process held the lock for longer than ``wait`` seconds.
    StoreError
        The disk is full or read-only (the message names the folder).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from graph.build import compiled
    >>> from graph.examples import SMALL
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = compiled.build([SMALL], tmp / "out")
    >>> store = ensure_store(tmp / "out", tmp / "store")
    >>> store == tmp / "store", ensure_store(tmp / "out", store) == store  # made once, then reused
    (True, True)
    """
    found = build if build is not None else current(out_dir)
    if found is None:
        raise BuildDamaged(f"no build in {out_dir}")
    if _mark(store_dir).get("token") == found.token:
        return store_dir
    nt = found.file("graph.nt", full=True)  # never a store of another build's triples
    try:
        store_dir.parent.mkdir(parents=True, exist_ok=True)
        with _store_lock(store_dir, wait):
            if _mark(store_dir).get("token") != found.token:  # made by another process meanwhile?
                _make(nt, store_dir, {"token": found.token, "fingerprint": found.manifest.get("fingerprint")})
    except OSError as exc:
        raise _disk_error(store_dir, exc) from None
    return store_dir


def build_store(build: Build, *, wait: float = LOCK_WAIT) -> Path:
    """The build's own store (``builds/TOKEN/store``, written by ``datareach build``); made
    there first for a build that has none (one written before builds had a store).

    Parameters
    ----------
    build : Build
        The build (``graph.build.folder.current``).
    wait : float
        Seconds to wait for another process that is making the store.

    Returns
    -------
    Path
        The store's folder.

    Raises
    ------
    BuildDamaged, StoreBusy, StoreError
        As for :func:`ensure_store`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from graph.build import compiled
    >>> from graph.examples import SMALL
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = compiled.build([SMALL], tmp / "out")
    >>> found = current(tmp / "out")
    >>> build_store(found) == found.folder / "store"
    True
    """
    return ensure_store(build.out_dir, build.folder / oxstore.STORE, build, wait=wait)


def _mark(store_dir: Path) -> dict[str, Any]:
    """What the store at ``store_dir`` says it was made from ({} if nothing readable)."""
    return oxstore.read_mark(store_dir)


@contextmanager
def _store_lock(store_dir: Path, wait: float) -> Iterator[None]:
    path = store_dir.with_name(f".{store_dir.name}-lock")
    with open(path, "a+b") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusy(f"the store {store_dir} is being made by another process; "
                                    "try again when it has finished") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _make(nt: Path, store_dir: Path, mark: dict[str, Any]) -> None:
    import shutil  # here, not at import: a query on a ready store needs neither
    import tempfile

    for stale in store_dir.parent.glob(f".{store_dir.name}.*"):  # left by a killed run
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}.", dir=store_dir.parent))
    try:
        oxstore.bulk_load(nt, staging)
        oxstore.write_mark(staging, mark)
        old = store_dir.with_name(f".{store_dir.name}.old")
        if store_dir.exists():
            store_dir.rename(old)
        staging.rename(store_dir)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _disk_error(store_dir: Path, exc: OSError) -> DatareachError:
    text = str(exc)
    if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK) or (exc.errno is None and "lock" in text.lower()):
        return StoreBusy(f"the store {store_dir} is in use by another process; try again")
    reason = os.strerror(exc.errno) if exc.errno is not None else visible(text[:200])
    return StoreError(f"cannot make the Oxigraph store in {store_dir}: {reason}. Free some space or "
                      "give --store a writable folder")


def run_store_query(store_dir: Path, text: str | bytes, *, bindings: Mapping[str, Node] | None = None,
                    timeout: float = 10.0, max_rows: int = 100_000, limits: Limits = DEFAULT_LIMITS) -> QueryResult:
    """Check ``text`` as ``run_query`` does, then run it on the store in a killable child.

    Only the linear pre-scan runs in the calling process. Parsing and checking (rdflib's
    parser, the algebra walk) and Oxigraph's own parse and evaluation all run in the child:
    under the deadline, where a deep recursion or a crash ends only the child, and where no
    thread of the caller shares a parser. The child first leaves the network (a new, empty
    network namespace), so even a query that Oxigraph read differently from our guard
    could not send a request anywhere.

    Parameters
    ----------
    store_dir : Path
        A store made by :func:`ensure_store`; opened read-only in the child.
    text : str or bytes
        The query. Our prefixes (``dr:``, ``dt:``, ``id:``, ``skos:`` …) are predeclared.
    bindings : mapping of str to Node, optional
        Values for variables, written into the query as serialised terms
        (:func:`graph.sparql.text.bind_text`), never as pasted text.
    timeout : float
        Seconds before the child is killed (parsing included).
    max_rows : int
        Rows (or triples) kept; ``truncated`` says whether more were cut.
    limits : Limits
        Size, depth, memory and result-size caps.

    Returns
    -------
    QueryResult
        The same as :func:`graph.sparql.local.run_query` gives for the same graph.

    Raises
    ------
    QueryRefused, QueryTimeout, QueryFailed

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from graph.build import compiled
    >>> from graph.examples import SMALL
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = compiled.build([SMALL], tmp / "out")
    >>> store = ensure_store(tmp / "out", tmp / "store")
    >>> result = run_store_query(store, "SELECT ?name WHERE { ?c a dr:Company ; rdfs:label ?name } "
    ...                                 "ORDER BY ?name", max_rows=2)
    >>> [str(name) for name, in result.rows], result.truncated
    (['Amazon', 'Apple'], True)
    >>> run_store_query(store, "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    graph.sparql.guard.QueryRefused: SERVICE is not allowed: queries may not call other endpoints
    """
    return run_store_cells(store_dir, text, bindings=bindings, timeout=timeout, max_rows=max_rows,
                           limits=limits).to_result()


def run_store_cells(store_dir: Path, text: str | bytes, *, bindings: Mapping[str, Node] | None = None,
                    timeout: float = 10.0, max_rows: int = 100_000, limits: Limits = DEFAULT_LIMITS,
                    full_check: bool = True) -> CellResult:
    """As :func:`run_store_query`, but the answer stays in the wire format (no rdflib terms).

    With ``full_check=False`` the child runs rdflib's parser only when it could not leave the
    network (or when ``limits.keyword_scan`` is off): a sealed child needs no second parse to
    be safe. Its pre-scan (size, nesting, lone carriage returns, the words SERVICE, FROM and
    the update verbs outside strings, IRIs and comments) is the one every engine runs; the
    child has no network, so a SERVICE the scan missed reaches nothing; the dataset is given
    to Oxigraph explicitly (the default graph, no named graphs), so FROM selects nothing
    else; and the store is opened read-only and ``Store.query`` runs no update. That keeps
    ``datareach sparql`` from importing rdflib (about 0.15 s idle, up to 1 s on a busy machine).

    Parameters
    ----------
    store_dir, text, bindings, timeout, max_rows, limits
        As for :func:`run_store_query`.
    full_check : bool
        Also parse and check with rdflib in the child (``run_store_query`` always does).

    Returns
    -------
    CellResult
        Its ``to_result()`` is what :func:`run_store_query` returns.

    Raises
    ------
    QueryRefused, QueryTimeout, QueryFailed

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from graph.build import compiled
    >>> from graph.examples import SMALL
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = compiled.build([SMALL], tmp / "out")
    >>> store = build_store(current(tmp / "out"))
    >>> run_store_cells(store, "SELECT ?n { ?c a dr:Company ; rdfs:label ?n } ORDER BY ?n LIMIT 1",
    ...                 full_check=False).rows
    [[['literal', 'Amazon', None, None]]]
    >>> run_store_cells(store, "ASK { ?s ?p ?o } # done", full_check=False).boolean
    True
    """
    scan_text(text, limits=limits)  # cheap refusals before forking
    params = dict(bindings or {})

    def work(offline: bool) -> Answer:
        return _check_and_evaluate(store_dir, text, params, limits, offline, full_check)

    return run_sandboxed_cells(work, timeout=timeout, max_rows=max_rows, limits=limits, offline=True)


def _check_and_evaluate(store_dir: Path, text: str | bytes, bindings: Mapping[str, Node],
                        limits: Limits, sealed: bool, full_check: bool) -> Answer:
    checked = scan_text(text, limits=limits)
    if full_check or not sealed or not limits.keyword_scan:
        prepare_safe(checked, limits=limits)  # the same refusals as for the in-memory graph
    if not sealed and "SERVICE" in checked.upper():
        raise QueryRefused(MSG_NO_SANDBOX)
    return _evaluate(store_dir, with_prefixes(bind_text(checked, bindings) if bindings else checked))


def _evaluate(store_dir: Path, query: str) -> Answer:
    store = ox.Store.read_only(str(store_dir))
    try:  # the dataset given explicitly: FROM and FROM NAMED cannot select anything else
        result = store.query(query, base_iri=None, default_graph=ox.DefaultGraph(), named_graphs=[])
    except SyntaxError as err:
        raise QueryRefused(f"not a valid SPARQL query: {err}") from None
    if isinstance(result, ox.QueryBoolean):
        return Answer("ASK", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return Answer("SELECT", vars=names, rows=_rows(store, result, names))
    return Answer("CONSTRUCT", rows=_rows(store, result, None))


def _rows(store: ox.Store, result: Any, names: list[str] | None) -> Iterator[list[Cell]]:
    """The solutions (``names``) or triples (None) of ``result``, encoded lazily; ``store``
    is held until the last one is read."""
    for item in result:
        if names is None:
            yield [_enc(item.subject), _enc(item.predicate), _enc(item.object)]
        else:
            yield [_enc(item[name]) for name in names]
    del store


def _enc(term: Any) -> Cell:
    """An Oxigraph term in the sandbox's wire format: [kind, value, datatype, language]."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ["uri", term.value]
    if isinstance(term, ox.BlankNode):
        return ["bnode", term.value]
    datatype = None if term.language is not None else term.datatype.value
    if datatype == _XSD_STRING:  # rdflib writes a plain literal without a datatype
        datatype = None
    return ["literal", term.value, datatype, term.language]


class StoreRunner:
    """The store as a query runner for our own queries (:mod:`graph.sparql.scoped`); see
    :func:`store_runner`.

    A scoped reader asks it for keys ``whole``: in one query, neither sorted nor paged. Paging
    by key is for servers that cut long answers (Virtuoso at 10,000 rows); an embedded store
    cuts nothing, and Oxigraph sorts by ``STR(?x)`` decoding each IRI again at every
    comparison (measured on the WhoTracks.me store: 10 s to sort one month's 33,596 holdings,
    which a page of 1,000 keys then paid 34 times). Its describing queries take ``batch``
    subjects at a time rather than 100 (no row cap either).
    """

    whole = True
    batch = 2_000

    def __init__(self, store_dir: Path) -> None:
        self.store = ox.Store.read_only(str(store_dir))

    def __call__(self, text: str) -> QueryResult:
        from rdflib import Graph

        result = self.store.query(with_prefixes(text), base_iri=None)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ASK", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            return QueryResult("SELECT", vars=names, rows=[tuple(_term(row[n]) for n in names) for row in result])
        g = Graph()
        for triple in result:
            g.add((_term(triple.subject), _term(triple.predicate), _term(triple.object)))
        return QueryResult("CONSTRUCT", graph=g)


def store_runner(store_dir: Path) -> StoreRunner:
    """The store as a query runner for our own queries (:mod:`graph.sparql.scoped`).

    Those queries are ours (keys and IRIs written as N-Triples terms, no user text), so they
    run here on the store opened read-only, not in the sandbox a user's query gets.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from graph.build import compiled
    >>> from graph.examples import SMALL
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = compiled.build([SMALL], tmp / "out")
    >>> run = store_runner(ensure_store(tmp / "out", tmp / "store"))
    >>> len(run("SELECT ?c WHERE { ?c a dr:Company }").rows)
    5
    """
    return StoreRunner(store_dir)


def _term(term: Any) -> Any:
    cell = _enc(term)
    if cell is None:
        return None
    kind, value, *rest = cell
    return make_term(str(kind), str(value), *rest)
