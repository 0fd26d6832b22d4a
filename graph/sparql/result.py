"""A SPARQL result, materialised: what every engine (rdflib, Oxigraph, a remote endpoint)
returns and every writer (``graph.sparql.output``, the server) reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.term import Node

Row = tuple[Node | None, ...]


@dataclass
class QueryResult:
    """A materialised result: rows for SELECT, ``boolean`` for ASK, ``graph`` otherwise."""

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False
