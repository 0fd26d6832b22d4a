"""A SPARQL result, materialised: what every engine (rdflib, Oxigraph, a remote endpoint)
returns and every writer (``graph.sparql.output``, the server) reads; and the two errors
every engine raises besides a refusal (:class:`graph.sparql.guard.QueryRefused`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
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
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    return Literal(value, datatype=None if datatype is None else URIRef(datatype), lang=lang)


class QueryTimeout(RuntimeError):
    """The query was stopped at its deadline."""


class QueryFailed(RuntimeError):
    """The query could not be evaluated (error in the engine, crash, out of memory)."""
