"""The compiled graph in ``out/``: build it once, reuse it while the sources are unchanged.

``build`` writes ``graph.ttl`` and ``graph.jsonld`` for people and other tools, and
under ``.datareach/`` the N-Triples for SPARQL, the flow graph as arrays with each fact's
evidence and every other attribute in two files beside it (``flows``: reach and rank,
without networkx or rdflib; ``flow_graph``: the table, the exports, owner and viz, row by
row; ``projection``: the networkx graph for the Python API, rebuilt from the same files;
see ``graph.build.flowindex``), the Oxigraph store that SPARQL answers from
(``graph.build.oxstore``), and a manifest holding the inputs' content hash. Each build is
written into a folder of its own and made current by replacing the manifest, so a failed
or killed build leaves the previous one as it was; every file is checked against the
manifest before use, and a mismatch rebuilds once (``graph.build.folder``).
"""

from __future__ import annotations

import gc
import mmap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from graph import nogc
from graph.build import oxstore
from graph.build.folder import CACHE as CACHE
from graph.build.folder import (
    Build,
    BuildDamaged,
    Staging,
    current,
    record_stats,
    republish_if_needed,
)
from graph.build.inputs import cap_bytes, collect, file_stats, fingerprint
from graph.errors import InputError, OutputError
from graph.paths import PathArg, as_paths, bundled_sources
from graph.progress import Progress
from graph.progress import quiet as _quiet

if TYPE_CHECKING:
    import networkx as nx
    import polars as pl
    from rdflib import Graph

    from graph.build import heldcolumnar
    from graph.build.flowgraph import FlowGraph
    from graph.build.flowindex import FlowIndex
    from graph.build.loader import Loaded
    from graph.build.triples import TripleIndex

T = TypeVar("T")


@dataclass
class BuildResult:
    """What a build wrote and counted."""

    out_dir: Path
    counts: dict[str, int]
    warnings: list[str]
    shacl: str = "full"


Sources = PathArg | Sequence[PathArg] | None


def _paths(sources: Sources) -> list[Path]:
    """The input paths (one path or a sequence, ``str`` or ``os.PathLike``); the bundled dataset by default."""
    paths = as_paths(sources)
    return [bundled_sources()] if paths is None or len(paths) == 0 else paths


def build(sources: Sources = None, out_dir: PathArg = "out", *, progress: Progress = _quiet,
          max_input_mb: int | None = None) -> BuildResult:
    """Load, validate and write the compiled graph; InputError leaves ``out_dir`` untouched.

    Parameters
    ----------
    sources : str, os.PathLike, or a sequence of them, optional
        Fact files or folders; the bundled dataset when left out.
    out_dir : str or os.PathLike
        Where the build goes (``graph.ttl``, ``graph.jsonld``, ``.datareach/``).
    progress : callable, optional
        Told what long work is doing.
    max_input_mb : int, optional
        Overrides every input's size cap (see ``graph.build.inputs.cap_bytes``).

    Returns
    -------
    BuildResult
        The folder written, the counts, the warnings and how SHACL was checked.

    Examples
    --------
    >>> import tempfile
    >>> from graph.examples import SMALL
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     build(SMALL, tmp).counts["grants"]
    3
    """
    out_dir = Path(out_dir)
    oxstore.free_promptly()  # the store's load on threads of its own: see there
    paths = _paths(sources)
    bulk = _bulk(paths, out_dir, max_input_mb)
    if bulk is not None:
        from graph.build.loader import Explain

        try:
            return _build_by_columns(paths, out_dir, bulk, progress, max_input_mb)
        except Explain:
            progress("a record of a bulk file fails: reading every file per row, to say where")
    return _build_by_rows(paths, out_dir, progress, max_input_mb)


def _build_by_rows(paths: list[Path], out_dir: Path, progress: Progress, max_input_mb: int | None) -> BuildResult:
    from graph.build import rdfconvert  # subprocess: imported by a build, not by every command
    from graph.build.loader import load
    from graph.build.projection import project

    loaded = load(paths, progress=progress, exclude=[out_dir], max_input_mb=max_input_mb)
    progress("projecting onto a networkx graph")
    G = project(loaded.index)  # type: ignore[arg-type]
    counts = summarise(loaded.index)
    progress(f"writing {out_dir}/graph.ttl, graph.jsonld and the cache")
    stats = file_stats(loaded.files)  # before hashing: a file changed meanwhile then fails the cheap check
    digest, warnings, shacl = fingerprint(loaded.files), [str(w) for w in loaded.warnings], loaded.shacl
    built = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    box = [loaded]

    def write(staging: Staging) -> dict[str, Any]:
        nt = _write_nt(staging, box.pop().index)  # the triples are written: free them before the projection is serialised
        # Turtle and JSON-LD are converted from the N-Triples in child processes meanwhile,
        # and the Oxigraph store (what sparql and serve answer from) is loaded on a thread
        with rdfconvert.converting([(nt, staging.path("graph.ttl"), "turtle"),
                                    (nt, staging.path("graph.jsonld"), "json-ld")]), \
                oxstore.loading(nt, staging.path(oxstore.STORE)):
            _write_cache(staging, G)
        return {"fingerprint": digest, "stats": stats, "built": built, "counts": counts}

    del loaded
    _publish(out_dir, write)
    return BuildResult(out_dir, counts, warnings, shacl=shacl)


def _bulk(paths: list[Path], out_dir: Path, max_input_mb: int | None) -> heldcolumnar.Bulk | None:
    """The bulk CSV files of grants and holdings among the inputs, to compile by columns
    (``graph.build.columnar``, ``graph.build.heldcolumnar``), or None."""
    from graph.build import heldcolumnar

    files, problems = collect(paths, exclude=[out_dir])
    chosen = None if problems else heldcolumnar.bulk(files, max_input_mb)
    if chosen is None:
        return None
    if any(path.stat().st_size > cap_bytes(path.suffix, max_input_mb) for path in chosen.grants.files + chosen.holdings.files):
        return None  # over its size cap: the per-row path refuses it at once, not after reading every other file by columns
    return chosen


def _build_by_columns(paths: list[Path], out_dir: Path, bulk: heldcolumnar.Bulk, progress: Progress,
                      max_input_mb: int | None) -> BuildResult:
    """The build with the bulk CSV files (grants, holdings) compiled by columns and the rest per row, merged.

    The N-Triples are written first, so the per-row part converts to Turtle and JSON-LD (in
    children) while this process projects, merges, checks SHACL by columns and writes the
    flow index, the evidence and the attributes; the Oxigraph store loads after that, once
    those are freed (``_write_columnar``). A SHACL violation among the grants raises
    ``Explain`` (the staged build is dropped and the per-row path says where)."""
    from graph.build.loader import load

    with nogc.paused():  # millions of acyclic objects: the cyclic collector would walk them again and again
        loaded = load(paths, progress=progress, exclude=[out_dir], max_input_mb=max_input_mb, bulk=bulk)
        frame, bulk.grants.frame = bulk.grants.frame, None  # held only by ``_write_columnar`` from here, which drops it when done
        held, bulk.holdings.frame = bulk.holdings.frame, None
        assert frame is not None
        stats = file_stats(loaded.files)
        digest, warnings = fingerprint(loaded.files), [str(w) for w in loaded.warnings]
        done: dict[str, Any] = {}
        box = [(loaded, frame, held)]
        del loaded, frame, held

        def write(staging: Staging) -> dict[str, Any]:
            done.update(_write_columnar(staging, box, progress))
            return {"fingerprint": digest, "stats": stats, "built": done["built"], "counts": done["counts"]}

        _publish(out_dir, write)
    return BuildResult(out_dir, done["counts"], warnings, shacl=done["shacl"])


def _publish(out_dir: Path, write: Callable[[Staging], dict[str, Any]]) -> None:
    """Stage a build in a folder of its own with ``write`` (which returns the manifest's
    record), mark its store as this build's, and make it current in one step; a failure
    leaves the previous build as it was."""
    try:
        with Staging(out_dir) as staging:
            record = write(staging)
            oxstore.write_mark(Path(staging.path(oxstore.STORE)), {"token": staging.token})
            staging.commit(record)
    except OSError as exc:
        raise OutputError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None


def _write_nt(staging: Staging, index: TripleIndex, path: str | None = None) -> str:
    """N-Triples streamed from the index (terms converted once); return the file written."""
    import pyoxigraph as ox

    from graph.build.triples import OxConverter

    path = staging.path("graph.nt") if path is None else path
    ox.serialize(OxConverter().triples(index), path, ox.RdfFormat.N_TRIPLES)
    return path


def _write_columnar(staging: Staging, box: list[tuple[Loaded, pl.DataFrame, pl.DataFrame | None]],
                    progress: Progress) -> dict[str, Any]:
    """The files of a build whose bulk grants were compiled by columns; return its counts,
    its SHACL summary and its time. ``box`` holds the loaded per-row part, the resolved
    grants and the resolved holdings (None without bulk holdings), and nothing else does:
    they are dropped as soon as they are written. The bulk holdings go wherever the grants
    go, after them (``graph.build.heldcolumnar``); in the flow index they join the per-row
    holdings in the holding columns.

    The per-row triples are written as N-Triples and converted to Turtle and JSON-LD in
    children; the grants are appended to the N-Triples from columns; the per-row part is
    projected, the grants are merged into it, checked against the shapes
    (``columnar.check_shapes``) and written to the flow index, the evidence and the
    attributes, and the grants appended to the JSON-LD array. Only then, with the per-row
    part, the projection and the grants' frame freed, is the Oxigraph store loaded (on a
    thread) from the whole file, while the grants are appended to the Turtle (as N-Triples
    statements, which Turtle reads). The store's load takes as much memory as the columnar
    part's peak (``oxstore.BLOCK_BYTES``): run together they added up, and the build's peak
    was their sum (at M the JSON-LD append alone, overlapping the load's first blocks, made
    the peak: 480 MB). From ``oxstore.BESIDE_BYTES`` of N-Triples on, where that sum is small
    beside the columnar part's own peak, the store loads as soon as the N-Triples are whole,
    beside all the rest; a SHACL violation then stops it (``oxstore.loading``)."""
    import contextlib
    import shutil

    from rdflib import URIRef

    from graph.build import columnar, heldcolumnar, rdfconvert
    from graph.build.loader import Explain
    from graph.build.projection import project
    from graph.build.shapecheck import ontology_shapes
    from graph.model.vocab import DR, DT

    loaded, frame, held = box.pop()
    if held is not None and held.height == 0:
        held = None
    index = loaded.index
    rows = _write_nt(staging, index, str(staging.folder.with_name(staging.token + ".rows.nt")))
    nt, ttl, jsonld = staging.path("graph.nt"), staging.path("graph.ttl"), staging.path("graph.jsonld")
    out: dict[str, Any] = {}
    try:
        with contextlib.ExitStack() as store:
            with rdfconvert.converting([(rows, ttl, "turtle"), (rows, jsonld, "json-ld")]):
                shutil.copyfile(rows, nt)
                with open(nt, "ab") as fh:
                    columnar.write_ntriples(frame, fh)
                    if held is not None:
                        heldcolumnar.write_ntriples(held, fh)
                beside = Path(nt).stat().st_size >= oxstore.BESIDE_BYTES
                if beside:
                    progress("loading the Oxigraph store meanwhile")
                    store.enter_context(oxstore.loading(nt, staging.path(oxstore.STORE), lenient=True))
                n_held = 0 if held is None else held.height
                what = " and ".join([f"{frame.height:,} grants"] * (frame.height > 0 or held is None)
                                    + [f"{n_held:,} holdings"] * (held is not None))
                progress(f"projecting {len(index):,} triples per row, joining {what} by columns")
                counts = summarise(index)
                types = set(index.objects(None, DR.dataType)) | {
                    URIRef(f"{DT}{t}") for part in (frame, held) if part is not None
                    for t in part["dts"].explode().drop_nulls().unique().to_list()}
                counts.update({"grants": counts["grants"] + frame.height, "holdings": counts["holdings"] + n_held,
                               "claims": counts["claims"] + frame.height + n_held, "data types": len(types),
                               "triples": counts["triples"] + columnar.triple_count(frame)
                               + (0 if held is None else heldcolumnar.triple_count(held))})
                shacl = loaded.shacl
                if shacl != "skipped":  # the loader checked the per-row part; now every triple the bulk records add, against it
                    added = counts["triples"] - len(index)
                    progress(f"checking SHACL shapes over the {added:,} triples of the {what} compiled by columns")
                    checked, violations = columnar.check_shapes(frame, index)
                    if held is not None:
                        more = heldcolumnar.check_shapes(held, index)
                        checked, violations = checked + more[0], violations + more[1]
                    if violations or checked != added:
                        raise Explain()  # the per-row path checks every triple again and says where each violation is
                    shacl = (f"every triple ({ontology_shapes().count} checks): the {len(index):,} compiled per row "
                             f"and the {checked:,} of the {what} compiled by columns")
                G = project(index)  # type: ignore[arg-type]
                del loaded, index  # the per-row part is in G now
                merged = columnar.merge(G, frame)
                merged.holdings = held
                del G
                flows_ = columnar.flow_index(merged, staging.token, Path(staging.path("evidence.json")),
                                             Path(staging.path("attributes.json")))
                del merged
                _save(staging.path("flows.npz"), flows_)
                del flows_
            with open(jsonld, "r+b") as fh:  # before the store's load (below BESIDE_BYTES): the grants' frame is freed when it starts
                end = fh.seek(0, 2)
                fh.seek(max(0, end - 64))
                tail = fh.read()
                close = tail.rstrip().rfind(b"]")
                if close < 0 or tail.rstrip()[:close].rstrip().endswith(b"["):
                    raise OSError(f"{jsonld}: not the JSON-LD array expected")
                fh.seek(end - len(tail) + close)
                fh.truncate()
                columnar.write_jsonld(frame, fh)
                if held is not None:
                    heldcolumnar.write_jsonld(held, fh)
                fh.write(b"]\n")
            del frame, held
            gc.collect()  # the collector is paused: the projection's cached views hold it in a cycle
            if not beside:
                progress("loading the Oxigraph store; appending the records compiled by columns to the Turtle meanwhile")
                store.enter_context(oxstore.loading(nt, staging.path(oxstore.STORE), lenient=True))  # our own lines, from checked terms
            with open(nt, "rb") as src, open(ttl, "ab") as dst:
                src.seek(Path(rows).stat().st_size)
                shutil.copyfileobj(src, dst, 1 << 24)
    finally:
        Path(rows).unlink(missing_ok=True)
    out.update(counts=counts, shacl=shacl, built=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    return out


def _write_cache(staging: Staging, G: nx.MultiDiGraph) -> None:
    from graph.build.flowindex import FlowIndex

    # The flow graph as arrays, each fact's evidence, and every other attribute: reach reads the
    # arrays, the other questions the rows they show, and ``projection()`` rebuilds the networkx graph.
    index = FlowIndex.from_graph(G)
    index.meta["token"] = staging.token  # ties the arrays, the evidence and the attributes to this build
    _save(staging.path("evidence.json"), index.evidence_file())
    _save(staging.path("attributes.json"), index.attributes_file())
    _save(staging.path("flows.npz"), index)


def _save(path: str, what: FlowIndex | bytes | bytearray | mmap.mmap) -> None:
    from graph.build.flowindex import FlowIndex

    with open(path, "wb") as fh:
        if not isinstance(what, FlowIndex):
            fh.write(what)
        else:
            what.save(fh)


def summarise(g: TripleIndex | Graph) -> dict[str, int]:
    """Counts of what the graph holds: companies, data types used, grants, incidents, sources."""
    from rdflib import RDF

    from graph.model.vocab import DR

    count = {name: len(set(g.subjects(RDF.type, cls)))
             for name, cls in (("companies", DR.Company), ("grants", DR.AccessGrant), ("incidents", DR.Incident),
                               ("holdings", DR.Collection), ("ownership", DR.Ownership), ("domains", DR.Domain),
                               ("sources", DR.Source), ("claims", DR.Claim))}
    count["data types"] = len(set(g.objects(None, DR.dataType)))
    count["triples"] = len(g)
    return count


def is_fresh(sources: Sources = None, out_dir: PathArg = "out") -> bool:
    """True when ``out_dir`` holds a build of exactly these inputs."""
    out_dir = Path(out_dir)
    files, problems = collect(_paths(sources), exclude=[out_dir])
    if problems:
        raise InputError(problems)
    found = current(out_dir)
    if found is None:
        return False
    recorded, stats = found.manifest.get("stats"), file_stats(files)  # stats before hashing, as a build takes them
    if recorded is not None and recorded == stats:
        return True  # same paths, sizes, times and inodes: no need to read every input again
    if found.manifest.get("fingerprint") != fingerprint(files):
        return False
    if stats is not None:  # same contents, new stats (inputs copied or touched, another install's ontology,
        record_stats(found, stats)  # a build made while they were racy): next time the cheap check holds
    return True


def ensure_built(sources: Sources = None, out_dir: PathArg = "out", *, progress: Progress = _quiet) -> BuildResult | None:
    """Rebuild if the inputs changed since the last build.

    Parameters
    ----------
    sources, out_dir, progress
        As for :func:`build`.

    Returns
    -------
    BuildResult or None
        The new build, or None when the one in ``out_dir`` is of exactly these inputs.

    Examples
    --------
    >>> import tempfile
    >>> from graph.examples import SMALL
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     ensure_built(SMALL, tmp) is not None, ensure_built(SMALL, tmp)
    (True, None)
    """
    out_dir = Path(out_dir)
    if is_fresh(sources, out_dir):
        found = current(out_dir)
        if found is not None:
            republish_if_needed(found)
        return None
    progress("sources changed since the last build: rebuilding")
    return build(sources, out_dir, progress=progress)


def read_build(sources: Sources, out_dir: PathArg, reader: Callable[[Build], T], *,
               progress: Progress = _quiet) -> T:
    """``reader(build)`` on the current build of ``sources`` in ``out_dir``: built first if
    stale, and rebuilt once if ``reader`` finds a file not matching the manifest
    (``BuildDamaged``); a build switched in meanwhile is read again, not rebuilt."""
    out_dir = Path(out_dir)
    ensure_built(sources, out_dir, progress=progress)
    rebuilt, problem = False, None
    for _ in range(5):
        found = current(out_dir)
        try:
            if found is None:
                raise BuildDamaged(f"{out_dir}: no build, or its manifest is damaged")
            return reader(found)
        except BuildDamaged as exc:
            problem = exc
            now = current(out_dir)
            if found is not None and now is not None and now.token != found.token:
                continue  # another build became current while this one was read
            if rebuilt:
                raise
            progress(f"{exc.problem}: rebuilding")
            build(sources, out_dir, progress=progress)
            rebuilt = True
    assert problem is not None
    raise problem


def projection(sources: Sources = None, out_dir: PathArg = "out", *, progress: Progress = _quiet) -> nx.MultiDiGraph:
    """The networkx data-flow graph, from the build (rebuilt first if stale or damaged).

    Parameters
    ----------
    sources, out_dir, progress
        As for :func:`build`.

    Returns
    -------
    networkx.MultiDiGraph
        Companies and "public" as nodes, grants, incidents and ownership as edges, each
        with its attributes and evidence (see ``graph.build.projection``).

    Examples
    --------
    >>> import tempfile
    >>> from graph.examples import SMALL
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     G = projection(SMALL, tmp)
    ...     G.has_edge("facebook", "spotify")
    True
    """
    out_dir = Path(out_dir)
    return read_build(sources, out_dir, projection_of, progress=progress)


def projection_of(found: Build) -> nx.MultiDiGraph:
    """The networkx projection of one build, rebuilt from its flow index, evidence and attributes.

    Parameters
    ----------
    found : Build
        A build (``graph.build.folder.current``); BuildDamaged if a file is not the one it wrote.

    Returns
    -------
    networkx.MultiDiGraph
        As :func:`projection` gives it.
    """
    return flows_of(found).to_graph()


def flow_graph(sources: Sources = None, out_dir: PathArg = "out", *, progress: Progress = _quiet) -> FlowGraph:
    """The data-flow graph read row by row from the build (``graph.build.flowgraph``): what the
    table, the exports, ``owner`` and ``viz`` read, without building the networkx graph.

    Parameters
    ----------
    sources, out_dir, progress
        As for :func:`build`.

    Returns
    -------
    FlowGraph
        The flow index with every attribute, read through the few networkx calls the questions use.

    Examples
    --------
    >>> import tempfile
    >>> from graph.examples import SMALL
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     flow_graph(SMALL, tmp).nodes["spotify"]["label"]
    'Spotify'
    """
    from graph.build.flowgraph import FlowGraph

    out_dir = Path(out_dir)
    return FlowGraph(read_build(sources, out_dir, flows_of, progress=progress))


def flows_of(found: Build) -> FlowIndex:
    """The flow index of one build with its attributes file mapped (sizes and tokens checked, as
    ``_flows``): what :func:`projection_of` reads, for a reader that keeps both (``graph.serve.state``)."""
    return _flows(found, attributes=True)


def flows(sources: Sources = None, out_dir: PathArg = "out", *, progress: Progress = _quiet) -> FlowIndex:
    """The data-flow graph as arrays, for ``reach`` (``graph.build.flowindex``): loads in
    milliseconds without networkx; the evidence of an answer's hops is read on demand."""
    out_dir = Path(out_dir)
    return read_build(sources, out_dir, _flows, progress=progress)


def _flows(found: Build, *, attributes: bool = False) -> FlowIndex:
    """Sizes checked against the manifest, the token inside the arrays and at the end of
    the evidence (and attributes) against the build's; no full checksum (reach stays fast)."""
    from graph.build.flowindex import FlowIndex

    try:
        index = FlowIndex.load(found.file("flows.npz"), found.file("evidence.json"),
                               found.file("attributes.json") if attributes else None)
    except (OSError, ValueError) as exc:
        raise BuildDamaged(str(exc).removesuffix("; rebuild")) from None
    if index.meta.get("token") != found.token:
        raise BuildDamaged(f"{found.folder / 'flows.npz'} is from another build")
    return index


def rdf_graph(sources: Sources = None, out_dir: PathArg = "out", *, progress: Progress = _quiet) -> Graph:
    """The full rdflib Graph (facts and ontology), from the build (rebuilt first if stale or damaged).

    Parameters
    ----------
    sources, out_dir, progress
        As for :func:`build`.

    Returns
    -------
    rdflib.Graph
        With our prefixes bound, ready for ``graph.run_sparql``.

    Examples
    --------
    >>> import tempfile
    >>> from graph.examples import SMALL
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     len(rdf_graph(SMALL, tmp)) > 100
    True
    """
    out_dir = Path(out_dir)
    return read_build(sources, out_dir, _rdf_graph, progress=progress)


def _rdf_graph(found: Build) -> Graph:
    from rdflib import Graph

    from graph.model.vocab import PREFIXES

    g = Graph()
    g.parse(found.file("graph.nt", full=True), format="nt")  # size and sha256 checked first
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g
