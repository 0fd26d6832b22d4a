"""Load fact files (YAML, CSV, Turtle, JSON-LD) into one validated rdflib Graph.

All or nothing: every problem in every file is collected, and if there is one the
whole input is refused with ``InputError`` — never a partial graph.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from graph import factfile, ontology, rdfinput
from graph.emit import Compiler
from graph.errors import InputError, Problem
from graph.inputs import RDF_SUFFIXES, collect
from graph.vocab import PREFIXES

logging.getLogger("rdflib").setLevel(logging.CRITICAL)


@dataclass
class Loaded:
    """A validated graph (facts plus the ontology) and what loading noticed."""

    g: Graph
    files: list[Path]
    warnings: list[Problem] = field(default_factory=list)


def load(paths: Iterable[Path], *, shacl: bool = True) -> Loaded:
    """Read, resolve and validate ``paths``; raise InputError listing every problem."""
    files, problems = collect(paths)
    facts, rdf_graphs = [], []
    for path in files:
        if path.suffix.lower() in RDF_SUFFIXES:
            g_in, found = rdfinput.read(path)
            rdf_graphs += [] if g_in is None else [g_in]
        else:
            ff, found = factfile.read(path)
            facts += [] if ff is None else [ff]
        problems += found
    compiler = Compiler(ontology.data_types(), ontology.integration_kinds())
    g = compiler.compile(facts)
    problems += compiler.problems
    for g_in in rdf_graphs:
        g += g_in
    g += ontology.ontology_graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    if not problems and shacl:
        problems += validate(g)
    if problems:
        raise InputError(problems)
    return Loaded(g, files, compiler.warnings)


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
