"""A SPARQL result, materialised: what every engine (rdflib, Oxigraph, a remote endpoint)
returns and every writer (``graph.sparql.output``, the server) reads; and the two errors
every engine raises besides a refusal (:class:`graph.sparql.guard.QueryRefused`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rdflib is imported when a term is made, not with this module
    from rdflib import Graph
    from rdflib.term import Node

Row = tuple["Node | None", ...]
Cell = list[str | None] | None
"""One term on the wire: ``["uri", iri]``, ``["bnode", id]``, ``["literal", text, datatype, lang]``
or ``None`` (unbound)."""


@dataclass
class QueryResult:
    """A materialised result: rows for SELECT, ``boolean`` for ASK, ``graph`` otherwise."""

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False


@dataclass
class CellResult:
    """A result as the sandbox sends it back: terms as cells (:data:`Cell`), no rdflib object.

    ``rows`` are solutions for SELECT and triples for CONSTRUCT and DESCRIBE; writers that
    need no rdflib read it directly (``graph.sparql.output.format_cells``), everything else
    takes :meth:`to_result`.

    >>> CellResult("SELECT", vars=["c"], rows=[[["uri", "https://w3id.org/datareach/id/rbc"]]]).to_result().rows
    [(rdflib.term.URIRef('https://w3id.org/datareach/id/rbc'),)]
    """

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False

    def to_result(self) -> QueryResult:
        """The same answer with rdflib terms (a ``Graph`` with our prefixes for CONSTRUCT and DESCRIBE)."""
        if self.kind == "SELECT":
            rows = [tuple(decode_cell(c) for c in row) for row in self.rows]
            return QueryResult(self.kind, vars=self.vars, rows=rows, truncated=self.truncated)
        if self.kind == "ASK":
            return QueryResult(self.kind, boolean=self.boolean)
        from rdflib import Graph

        from graph.model.vocab import PREFIXES

        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        for triple in self.rows:
            s, p, o = (decode_cell(cell) for cell in triple)
            assert s is not None and p is not None and o is not None
            graph.add((s, p, o))
        return QueryResult(self.kind, graph=graph, truncated=self.truncated)


def decode_cell(cell: Cell) -> Node | None:
    """The rdflib term a cell names (None for an unbound one).

    >>> decode_cell(["literal", "Spotify", None, "en"])
    rdflib.term.Literal('Spotify', lang='en')
    """
    if cell is None:
        return None
    kind, value, *rest = cell
    return make_term(str(kind), str(value), *rest)


def make_term(kind: str, value: str, datatype: str | None = None, lang: str | None = None) -> Node:
    """The rdflib term that a result format names by its parts, as SPARQL JSON results and
    the sandbox's wire format both do: ``uri``, ``bnode``, else a literal.

    Parameters
    ----------
    kind : str
        ``uri``, ``bnode``, or anything else for a literal (``literal``, ``typed-literal``).
    value : str
        The IRI, the blank node's label, or the literal's text.
    datatype, lang : str, optional
        The literal's datatype IRI or language tag.

    Returns
    -------
    rdflib.term.Node

    Examples
    --------
    >>> make_term("literal", "2018", "http://www.w3.org/2001/XMLSchema#gYear")
    rdflib.term.Literal('2018', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#gYear'))
    >>> make_term("uri", "https://w3id.org/datareach/id/spotify")
    rdflib.term.URIRef('https://w3id.org/datareach/id/spotify')
    """
    from rdflib import BNode, Literal, URIRef

    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    return Literal(value, datatype=None if datatype is None else URIRef(datatype), lang=lang)


class QueryTimeout(RuntimeError):
    """The query was stopped at its deadline."""


class QueryFailed(RuntimeError):
    """The query could not be evaluated (error in the engine, crash, out of memory)."""
