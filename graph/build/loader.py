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

from rdflib import Graph, URIRef

from graph.build import factfile, rdfinput
from graph.build.emit import Compiler
from graph.build.inputs import RDF_SUFFIXES, cap_bytes, collect
from graph.build.triples import TripleIndex
from graph.errors import InputError, Problem
from graph.model import ontology
from graph.model.vocab import PREFIXES
from graph.progress import Progress
from graph.progress import quiet as _quiet

logging.getLogger("rdflib").setLevel(logging.CRITICAL)


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
    ``shacl`` says how the shapes were checked: "every triple (N checks)", or "skipped".
    """

    index: TripleIndex
    files: list[Path]
    warnings: list[Problem] = field(default_factory=list)
    shacl: str = "skipped"
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
    facts, rdf_graphs, rdf_files = [], [], []
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
            rdf_files += [] if g_in is None else [path]
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
    for g_in in rdf_graphs:
        index += g_in
    index += ontology.ontology_graph()
    loaded = Loaded(index, files, skipped + compiler.warnings)
    if not problems and shacl:
        from graph.build import shapecheck

        shapes = shapecheck.ontology_shapes()
        progress(f"checking SHACL shapes over {len(index):,} triples ({shapes.count} checks)")
        violations = shapes.validate(index)
        loaded.shacl = f"every triple ({shapes.count} checks)"
        origins = None
        if violations and facts:  # compile again, noting where each node came from, to place the problems
            again = Compiler(ontology.data_types(), ontology.integration_kinds(), origins={})
            again.compile(facts)
            origins = again.origins
        problems += shapecheck.problems(violations, list(zip(rdf_files, rdf_graphs, strict=True)), origins)
    if problems:
        raise InputError(problems) if bulk is None else Explain()
    return loaded


def validate(g: Graph) -> list[Problem]:
    """pySHACL's verdict on ``g`` against our own shapes only; one Problem per result.

    The build checks the shapes with ``graph.build.shapecheck`` (the same rules, on the whole
    graph at every size); this is the reference it is compared with on small graphs.
    """
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
