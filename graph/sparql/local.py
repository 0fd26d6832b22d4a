"""Run a checked, read-only SPARQL query on an in-memory rdflib graph, with a hard time limit.

The query is checked (:mod:`graph.sparql.guard`), then parsed again *and* evaluated in the
sandboxed child (:mod:`graph.sparql.sandbox`), which inherits the graph copy-on-write, is
killed at the deadline, and may not reach the network or start processes. What was checked
is what runs: the child evaluates the parsed query, never the text again.

>>> from rdflib import Graph
>>> from rdflib.namespace import RDF
>>> from graph.model.vocab import DR, ID
>>> g = Graph()
>>> _ = g.add((ID.spotify, RDF.type, DR.Company))
>>> result = run_query(g, "CONSTRUCT { ?c a dr:Organisation } WHERE { ?c a dr:Company }")
>>> result.kind, [(s, o) for s, p, o in result.graph]
('CONSTRUCT', [(rdflib.term.URIRef('https://w3id.org/datareach/id/spotify'), rdflib.term.URIRef('https://w3id.org/datareach/ns#Organisation'))])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import cast

from rdflib import Graph, Variable
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier, Node

from graph.sparql.guard import (
    DEFAULT_LIMITS,
    Limits,
    QueryRefused,
    check_query,
    prepare_safe,
    scan_text,
)
from graph.sparql.result import QueryFailed, QueryResult, QueryTimeout, Row
from graph.sparql.sandbox import Answer, encode_term, run_sandboxed

__all__ = [
    "DEFAULT_LIMITS", "Limits", "QueryFailed", "QueryRefused", "QueryResult", "QueryTimeout", "Row",
    "check_query", "run_query",
]


def run_query(
    g: Graph,
    text: str | bytes,
    *,
    bindings: Mapping[str, Node] | None = None,
    timeout: float = 10.0,
    max_rows: int = 100_000,
    limits: Limits = DEFAULT_LIMITS,
) -> QueryResult:
    """Check and run a read-only query on ``g`` in a killable child process.

    Parameters
    ----------
    g : rdflib.Graph
        The graph; the child inherits it copy-on-write.
    text : str or bytes
        The query. Our prefixes (``dr:``, ``dt:``, ``id:``, ``skos:`` …) are predeclared.
    bindings : mapping of str to Node, optional
        Values for variables (``initBindings``): how parameters reach a query, never
        by pasting text.
    timeout : float
        Seconds before the child is killed.
    max_rows : int
        Rows (or triples) kept; ``truncated`` says whether more were cut.
    limits : Limits
        Size, depth, memory and result-size caps.

    Returns
    -------
    QueryResult
        Rows for SELECT, ``boolean`` for ASK, ``graph`` for CONSTRUCT and DESCRIBE.

    Raises
    ------
    QueryRefused, QueryTimeout, QueryFailed

    Examples
    --------
    >>> from rdflib import Graph, Literal
    >>> from rdflib.namespace import RDFS
    >>> from graph.model.vocab import ID
    >>> g = Graph()
    >>> _ = g.add((ID.spotify, RDFS.label, Literal("Spotify")))
    >>> result = run_query(g, "SELECT ?name WHERE { ?c rdfs:label ?name }")
    >>> result.vars, result.rows
    (['name'], [(rdflib.term.Literal('Spotify'),)])
    >>> run_query(g, "ASK { ?c rdfs:label ?n }", bindings={"n": Literal("Spotify")}).boolean
    True
    >>> run_query(g, "SELECT * { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    graph.sparql.guard.QueryRefused: SERVICE is not allowed: queries may not call other endpoints
    """
    scan_text(text, limits=limits)  # cheap refusals before forking

    def prepare() -> Query:
        return prepare_safe(text, limits=limits)

    return _run(g, prepare, bindings=bindings, timeout=timeout, max_rows=max_rows,
                limits=limits)


def _run(
    g: Graph,
    prepare: Callable[[], Query],
    *,
    bindings: Mapping[str, Node] | None,
    timeout: float,
    max_rows: int,
    limits: Limits,
) -> QueryResult:
    """Run ``prepare()`` (in the child, under the deadline) and evaluate what it returns."""
    params = dict(bindings or {})
    return run_sandboxed(lambda offline: _evaluate(g, prepare(), params), timeout=timeout,
                         max_rows=max_rows, limits=limits)


def _evaluate(g: Graph, query: Query, bindings: dict[str, Node]) -> Answer:
    res = evalQuery(g, query, cast(Mapping[str, Identifier], bindings))
    kind = res["type_"]
    if kind == "SELECT":
        names = [str(v) for v in res["vars_"]]
        keys = [Variable(v) for v in names]
        return Answer(kind, vars=names, rows=([encode_term(b.get(k)) for k in keys] for b in res["bindings"]))
    if kind == "ASK":
        return Answer(kind, boolean=bool(res["askAnswer"]))
    return Answer(kind, rows=([encode_term(t) for t in triple] for triple in res["graph"]))
