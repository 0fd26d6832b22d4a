"""A SPARQL result, materialised: what every engine (rdflib, Oxigraph, a remote endpoint)
returns and every writer (``graph.sparql.output``, the server) reads; and the two errors
every engine raises besides a refusal (:class:`graph.sparql.guard.QueryRefused`)."""

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


class QueryTimeout(RuntimeError):
    """The query was stopped at its deadline."""


class QueryFailed(RuntimeError):
    """The query could not be evaluated (error in the engine, crash, out of memory)."""
