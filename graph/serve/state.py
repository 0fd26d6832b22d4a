"""The graph a server answers from, loaded once and swapped when the build changes.

A :class:`Snapshot` is one build: the rdflib Graph for SPARQL (or the store), the build's
flow index for reach, the networkx projection read from it for the table, the pages and the
graph (each holder's holdings decoded when read: ``graph.build.heldcols.HeldList``), and the
build's token (``fingerprint``: what identifies the build). Both are read from the one build the manifest names, each file checked against
it (``graph.build.folder``). :class:`GraphState` holds the current snapshot and, on a
background thread, checks the build's ``manifest.json`` every few seconds; when it names
another build it loads that build *beside* the old one and swaps the reference in one
assignment. A request takes the snapshot once,
at its start, so a request in flight finishes on the graph it started with.

>>> from graph.examples import small_graph
>>> from rdflib import Graph
>>> state = GraphState(Snapshot("f1", Graph(), small_graph()))
>>> state.snapshot.fingerprint
'f1'
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import Graph

from graph.build.compiled import flows_of
from graph.build.folder import Build, current
from graph.errors import DatareachError
from graph.progress import Progress
from graph.progress import quiet as _quiet

if TYPE_CHECKING:
    from graph.build.flowindex import FlowIndex



@dataclass
class Snapshot:
    """One build as the server sees it; ``cache`` keeps rendered pages of this build."""

    fingerprint: str
    g: Graph
    G: nx.MultiDiGraph
    cache: dict[Any, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    store: Path | None = None
    triples: int = -1
    _index: FlowIndex | None = field(default=None, repr=False)
    _index_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.triples < 0:
            self.triples = len(self.g)

    @property
    def index(self) -> FlowIndex:
        """``G`` as arrays for ``reach``, made once, on the first question to this build."""
        from graph.questions.reach import flow_index

        with self._index_lock:  # simultaneous first questions wait for one conversion
            if self._index is None:
                self._index = flow_index(self.G)
            return self._index

    @property
    def target(self) -> Graph | Path:
        """What SPARQL runs on: the on-disk Oxigraph store when serving ``--store``, else ``g``."""
        return self.g if self.store is None else self.store

    def cached(self, key: Any, make: Callable[[], Any], *, size: int = 32) -> Any:
        """``make()`` once per key for this build (a small, bounded memo)."""
        with self.lock:
            if key in self.cache:
                return self.cache[key]
        value = make()
        with self.lock:
            if len(self.cache) >= size:
                self.cache.pop(next(iter(self.cache)))
            self.cache[key] = value
        return value


def read_fingerprint(out_dir: Path) -> str | None:
    """The token of ``out_dir``'s current build (what identifies it), or None when there is none.

    >>> read_fingerprint(Path("/nonexistent")) is None
    True
    """
    found = current(out_dir)
    return None if found is None else found.token


def load_snapshot(out_dir: Path, store_dir: Path | None = None, *, own_store: bool = False) -> Snapshot | None:
    """Read the build in ``out_dir`` as it is (never rebuilding it); None if there is none.
    ``BuildDamaged`` if a file is not the one its manifest describes. With ``store_dir`` the
    triples stay in an on-disk Oxigraph store (made if stale) instead of being loaded into
    rdflib; with ``own_store``, in the build's own store (``builds/TOKEN/store``)."""
    found = current(out_dir)
    return None if found is None else snapshot_of(found, store_dir, own_store=own_store)


def snapshot_of(found: Build, store_dir: Path | None = None, *, own_store: bool = False) -> Snapshot:
    """The snapshot of one build, every file it reads checked against the build's manifest.

    ``store_dir`` names an Oxigraph store to answer SPARQL from (made from this build if it
    is of another); ``own_store`` answers from the build's own store instead (made first
    for a build that has none). Without either, the triples are loaded into rdflib."""
    from graph.model.vocab import PREFIXES

    if own_store and store_dir is None:
        from graph.sparql.store import build_store

        store_dir = build_store(found)
    g = Graph()
    if store_dir is not None:
        from graph.sparql.store import ensure_store

        ensure_store(found.out_dir, store_dir, found)
    else:
        g.parse(found.file("graph.nt", full=True), format="nt")
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace, override=True)
    index = flows_of(found)  # the build's own index answers reach; G is read from it, holdings decoded when read
    G = index.to_graph(lazy_holds=True)
    if store_dir is not None:
        return Snapshot(found.token, g, G, store=store_dir, triples=int(found.manifest["counts"]["triples"]), _index=index)
    return Snapshot(found.token, g, G, _index=index)


class GraphState:
    """The current snapshot, and an optional watcher that reloads a rebuilt graph."""

    def __init__(self, snapshot: Snapshot, *, out_dir: Path | None = None, interval: float = 2.0,
                 progress: Progress = _quiet, store_dir: Path | None = None, own_store: bool = False) -> None:
        self.snapshot = snapshot
        self.out_dir = out_dir
        self.store_dir = store_dir
        self.own_store = own_store
        self.interval = interval
        self.progress = progress
        self.reloads = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start watching ``out_dir`` (no-op without one)."""
        if self.out_dir is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._watch, name="datareach-reload", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching; the current snapshot stays."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def check(self) -> bool:
        """Load the build if its fingerprint changed; True when a new snapshot was swapped in."""
        if self.out_dir is None:
            return False
        found = read_fingerprint(self.out_dir)
        if found is None or found == self.snapshot.fingerprint:
            return False
        try:
            fresh = load_snapshot(self.out_dir, self.store_dir, own_store=self.own_store)
        except (OSError, ValueError, KeyError, DatareachError) as err:  # damaged, or removed by later builds
            why = err if isinstance(err, DatareachError) else type(err).__name__
            self.progress(f"could not reload the graph yet ({why}); keeping the current one")
            return False
        if fresh is None:
            return False
        self.snapshot = fresh  # one assignment: readers see the old or the new build, whole
        self.reloads += 1
        self.progress(f"reloaded the graph ({fresh.triples:,} triples, build {fresh.fingerprint[:12]})")
        return True

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception as err:  # never let the watcher die silently
                self.progress(f"reload check failed ({type(err).__name__}); will retry")
