"""The compiled graph in ``out/``: build it once, reuse it while the sources are unchanged.

``build`` writes ``graph.ttl`` and ``graph.jsonld`` for people and other tools, and
under ``.datareach/`` the N-Triples for SPARQL, the networkx projection as JSON
(``projection``: table, viz, the Python API), the flow graph as arrays with each fact's
evidence beside it (``flows``: reach and rank, without networkx or rdflib; see
``graph.flowindex``), and a manifest holding the inputs' content hash. All of them are
staged as temporary files and renamed into place together once every one is written, so
a failed build leaves the previous one as it was.
"""

from __future__ import annotations

import json
import mmap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graph import atomic, rdfconvert
from graph.errors import InputError, OutputError
from graph.inputs import collect, fingerprint
from graph.paths import PathArg, as_paths, bundled_sources

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

    from graph.flowindex import FlowIndex
    from graph.triples import TripleIndex

CACHE = ".datareach"
Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build wrote and counted."""

    out_dir: Path
    counts: dict[str, int]
    warnings: list[str]
    reused: bool = False
    shacl: str = "full"


def _quiet(_: str) -> None:
    pass


Sources = PathArg | Sequence[PathArg] | None


def _paths(sources: Sources) -> list[Path]:
    """The input paths (one path or a sequence, ``str`` or ``os.PathLike``); the bundled dataset by default."""
    paths = as_paths(sources)
    return [bundled_sources()] if paths is None or len(paths) == 0 else paths


def build(sources: Sources = None, out_dir: PathArg = "out", *, progress: Progress = _quiet,
          max_input_mb: int | None = None) -> BuildResult:
    """Load, validate and write the compiled graph; InputError leaves ``out_dir`` untouched.

    ``max_input_mb`` overrides every input's size cap (see ``graph.inputs.cap_bytes``).
    """
    out_dir = Path(out_dir)
    from graph.loader import load
    from graph.project import project

    paths = _paths(sources)
    loaded = load(paths, progress=progress, exclude=[out_dir], max_input_mb=max_input_mb)
    progress("projecting onto a networkx graph")
    G = project(loaded.index)  # type: ignore[arg-type]
    counts = summarise(loaded.index)
    progress(f"writing {out_dir}/graph.ttl, graph.jsonld and the cache")
    digest, warnings, shacl = fingerprint(loaded.files), [str(w) for w in loaded.warnings], loaded.shacl
    try:
        with atomic.Batch() as batch:  # all outputs appear together, or none does
            nt = _write_nt(batch, loaded.index, out_dir)
            del loaded  # the triples are written: free them before the projection is serialised
            # Turtle and JSON-LD are converted from the N-Triples in child processes meanwhile
            with rdfconvert.converting([(nt, batch.stage(out_dir / "graph.ttl"), "turtle"),
                                        (nt, batch.stage(out_dir / "graph.jsonld"), "json-ld")]):
                _write_cache(batch, G, out_dir, digest, counts)
        for old in ("flows.json", "evidence.sqlite"):  # caches of earlier versions
            (out_dir / CACHE / old).unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    return BuildResult(out_dir, counts, warnings, shacl=shacl)


def _write_nt(batch: atomic.Batch, index: TripleIndex, out_dir: Path) -> str:
    """N-Triples streamed from the index (terms converted once); return the staged file."""
    import pyoxigraph as ox

    from graph.triples import OxConverter

    return batch.write_with(out_dir / CACHE / "graph.nt",
                            lambda tmp: ox.serialize(OxConverter().triples(index), tmp, ox.RdfFormat.N_TRIPLES))


def _write_cache(batch: atomic.Batch, G: nx.MultiDiGraph, out_dir: Path, digest: str, counts: dict[str, int]) -> None:
    import networkx as nx

    from graph.flowindex import FlowIndex

    cache = out_dir / CACHE
    batch.write_text(cache / "projection.json", json.dumps(nx.node_link_data(G, edges="edges"), ensure_ascii=False))
    # For reach: the flow graph as arrays, and each fact's evidence, read only for an answer's hops.
    index = FlowIndex.from_graph(G)
    batch.write_with(cache / "evidence.json", lambda tmp: _save(tmp, index.evidence_file()))
    batch.write_with(cache / "flows.npz", lambda tmp: _save(tmp, index))
    manifest = {"fingerprint": digest, "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "counts": counts}
    batch.write_text(cache / "manifest.json", json.dumps(manifest, indent=2))


def _save(path: str, what: FlowIndex | bytes | bytearray | mmap.mmap) -> None:
    from graph.flowindex import FlowIndex

    with open(path, "wb") as fh:
        if not isinstance(what, FlowIndex):
            fh.write(what)
        else:
            what.save(fh)


def summarise(g: TripleIndex | Graph) -> dict[str, int]:
    """Counts of what the graph holds: companies, data types used, grants, incidents, sources."""
    from rdflib import RDF

    from graph.vocab import DR

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
    try:
        manifest = json.loads((out_dir / CACHE / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(manifest.get("fingerprint") == fingerprint(files))


def ensure_built(sources: Sources = None, out_dir: PathArg = "out", *, progress: Progress = _quiet) -> BuildResult | None:
    """Rebuild if the inputs changed since the last build; return the build or None."""
    out_dir = Path(out_dir)
    if is_fresh(sources, out_dir):
        return None
    progress("sources changed since the last build: rebuilding")
    return build(sources, out_dir, progress=progress)


def projection(sources: Sources = None, out_dir: PathArg = "out", *, progress: Progress = _quiet) -> nx.MultiDiGraph:
    """The networkx data-flow graph, from the cache (rebuilt first if stale)."""
    out_dir = Path(out_dir)
    import networkx as nx

    ensure_built(sources, out_dir, progress=progress)
    data = json.loads((out_dir / CACHE / "projection.json").read_text(encoding="utf-8"))
    return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")


def flows(sources: Sources = None, out_dir: PathArg = "out", *, progress: Progress = _quiet) -> FlowIndex:
    """The data-flow graph as arrays, for ``reach`` (``graph.flowindex``): loads in
    milliseconds without networkx; the evidence of an answer's hops is read on demand."""
    out_dir = Path(out_dir)
    from graph.flowindex import FlowIndex

    ensure_built(sources, out_dir, progress=progress)
    cache = out_dir / CACHE
    for attempt in range(2):
        try:
            return FlowIndex.load(cache / "flows.npz", cache / "evidence.json")
        except (OSError, ValueError, KeyError):
            if attempt == 0:  # perhaps caught between a build's renames: look again
                time.sleep(0.5)
    # an older build's cache, or a damaged one: rebuild once
    progress("the reach cache is missing, damaged or from another version: rebuilding")
    build(sources, out_dir, progress=progress)
    return FlowIndex.load(cache / "flows.npz", cache / "evidence.json")


def rdf_graph(sources: Sources = None, out_dir: PathArg = "out", *, progress: Progress = _quiet) -> Graph:
    """The full rdflib Graph (facts and ontology), from the cache (rebuilt first if stale)."""
    out_dir = Path(out_dir)
    from rdflib import Graph

    from graph.vocab import PREFIXES

    ensure_built(sources, out_dir, progress=progress)
    g = Graph()
    g.parse(out_dir / CACHE / "graph.nt", format="nt")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g
