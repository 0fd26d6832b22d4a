"""Load fact files (YAML, CSV, Turtle, JSON-LD) into one validated graph.

All or nothing: every problem in every file is collected, and if there is one the
whole input is refused with ``InputError`` — never a partial graph.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from graph.build import factfile, rdfinput
from graph.build.emit import Compiler
from graph.build.inputs import RDF_SUFFIXES, cap_bytes, collect
from graph.build.triples import TripleIndex
from graph.errors import InputError, Problem
from graph.model import ontology
from graph.model.vocab import DR, ID, PREFIXES
from graph.progress import Progress
from graph.progress import quiet as _quiet

logging.getLogger("rdflib").setLevel(logging.CRITICAL)


SHACL_FULL_LIMIT = 60_000
SHACL_SAMPLE = 200


class Bulk(Protocol):
    """Fact files compiled by columns (``graph.build.columnar``): the loader leaves them
    unread, and checks them against the names and terms the other files declare."""

    def takes(self, path: Path) -> bool:
        """Whether ``path`` is compiled by columns."""

    def ids(self) -> set[URIRef]:
        """The ids of the records in those files."""

    def check(self, compiler: Compiler) -> bool:
        """Resolve and check every record; False if one fails (the per-row path explains it)."""


class Explain(Exception):  # noqa: N818 - a signal, not an error shown to anyone
    """A file compiled by columns has a record that fails: load again per row, which says
    which file, line and field."""


@dataclass
class Loaded:
    """A validated graph (facts plus the ontology) and what loading noticed.

    ``index`` holds the triples; ``g`` gives them as an rdflib Graph (built on first use).
    ``shacl`` says how SHACL ran: "full", or "sampled" for graphs over SHACL_FULL_LIMIT.
    """

    index: TripleIndex
    files: list[Path]
    warnings: list[Problem] = field(default_factory=list)
    shacl: str = "full"
    _g: Graph | None = None

    @property
    def g(self) -> Graph:
        if self._g is None:
            self._g = self.index.to_rdflib()
            for prefix, ns in PREFIXES.items():
                self._g.bind(prefix, ns, override=True)
        return self._g


def load(paths: Iterable[Path], *, shacl: bool = True, progress: Progress = _quiet,
         exclude: Iterable[Path] = (), max_input_mb: int | None = None, bulk: Bulk | None = None) -> Loaded:
    """Read, resolve and validate ``paths``; raise InputError listing every problem.

    Folders in ``exclude`` (a build's output folder) are not read. No file is read
    past its size cap (``graph.build.inputs.cap_bytes``; ``max_input_mb`` raises or lowers it).
    Files ``bulk`` takes are left to it and checked after the others are compiled; if
    anything fails while there are such files, ``Explain`` is raised instead of InputError.
    """
    skipped: list[Problem] = []
    files, problems = collect(paths, exclude=exclude, warnings=skipped)
    facts, rdf_graphs = [], []
    for path in files:
        if bulk is not None and bulk.takes(path):
            continue
        try:
            size = path.stat().st_size
        except OSError:  # reported by the reader below
            size = 0
        progress(f"reading {path}" + (f" ({size / 1e6:,.0f} MB)" if size >= 10**7 else ""))
        cap = cap_bytes(path.suffix, max_input_mb)
        if path.suffix.lower() in RDF_SUFFIXES:
            g_in, found = rdfinput.read(path, max_bytes=cap)
            rdf_graphs += [] if g_in is None else [g_in]
        else:
            ff, found = factfile.read(path, max_bytes=cap)
            facts += [] if ff is None else [ff]
        problems += found
    if problems:
        raise InputError(problems) if bulk is None else Explain()  # schema problems first: compiling a refused record would only add noise
    progress("resolving names and terms")
    compiler = Compiler(ontology.data_types(), ontology.integration_kinds())
    if bulk is not None:
        compiler.reserve(bulk.ids())
    index = compiler.compile(facts)
    problems += compiler.problems
    if bulk is not None and (problems or not bulk.check(compiler)):
        raise Explain()
    native = TripleIndex()
    for g_in in rdf_graphs:
        native += g_in
    index += native
    index += ontology.ontology_graph()
    loaded = Loaded(index, files, skipped + compiler.warnings)
    if not problems and shacl:
        progress(f"checking SHACL shapes over {len(index):,} triples")
        sample = None if len(index) <= SHACL_FULL_LIMIT else _sample(index, native)
        loaded.shacl = "full" if sample is None else f"sampled ({len(sample):,} triples)"
        problems += validate(loaded.g if sample is None else _bound(sample.to_rdflib()))
    if problems:
        raise InputError(problems) if bulk is None else Explain()
    return loaded


def _bound(g: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g


_FACT_CLASSES = (DR.AccessGrant, DR.Collection, DR.Incident, DR.Ownership, DR.Domain, DR.Company, DR.Source)


def _sample(index: TripleIndex, native: TripleIndex) -> TripleIndex:
    """For graphs too large for pySHACL: every RDF-native triple, plus the first
    SHACL_SAMPLE facts of each class with everything they point to (claims, sources,
    parties), plus the ontology. YAML/CSV facts are already checked by the schema and
    by name resolution; the sample catches anything systematic the compiler gets wrong.
    """
    out = TripleIndex(native)
    out += ontology.ontology_graph()
    todo = [s for cls in _FACT_CLASSES for s in list(index.subjects(RDF.type, cls))[:SHACL_SAMPLE]]
    todo += list(native.subjects())
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in index.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, URIRef) and str(o).startswith(str(ID)):
                todo.append(o)
    return out


def validate(g: Graph) -> list[Problem]:
    """SHACL-validate ``g`` against our own shapes only; one Problem per result."""
    from pyshacl import validate as shacl_validate
    from rdflib import SH

    conforms, report, _ = shacl_validate(g, shacl_graph=ontology.shapes_graph(), inference="none",
                                         advanced=False, allow_warnings=False, abort_on_first=False)
    if conforms:
        return []
    problems = []
    for result in report.subjects(SH.focusNode, None):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        field = "" if path is None else path.n3(g.namespace_manager)
        problems.append(Problem(f"<{focus}>", None, str(field), f"SHACL: {message}"))
    return sorted(problems, key=str)
