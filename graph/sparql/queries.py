"""Named, parameterised SPARQL queries: the ``ontology/queries/*.rq`` files.

Each file starts with comment lines that describe it::

    # name: grants-by-company
    # title: Every access grant a company gave or received
    # description: …
    # param: company company "the company, as a name, alias or IRI"

A parameter is a variable of the query (``?company``). Its value is resolved to an RDF
term (a data type or company by label, slug or IRI) and bound with ``initBindings``:
user text is never pasted into a query.

>>> [q.name for q in list_queries()][:3]
['companies-reaching', 'disputes', 'grants-by-company']
>>> get_query("grants-by-company").params[0].kind
'company'
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graph.errors import DatareachError
from graph.model.prefixes import PREFIXES
from graph.names import did_you_mean, suggest
from graph.paths import ontology_dir

if TYPE_CHECKING:  # rdflib is imported when a query is run or a parameter resolved, not to list them
    from rdflib import Graph, Literal
    from rdflib.term import Node

    from graph.sparql.result import QueryResult

Resolver = Callable[[str], "Node"]
PARAM_KINDS = ("datatype", "company", "iri", "string", "date")

_HEADER = re.compile(r"#\s*(name|title|description|param)\s*:\s*(.*)")
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATES = ((re.compile(r"\d{4}"), PREFIXES["xsd"] + "gYear"), (re.compile(r"\d{4}-\d{2}"), PREFIXES["xsd"] + "gYearMonth"),
          (re.compile(r"\d{4}-\d{2}-\d{2}"), PREFIXES["xsd"] + "date"))


class UnknownQuery(LookupError):
    """No named query has that name; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


class BadParameter(ValueError):
    """A parameter is missing, unknown, or its value names nothing in the graph."""


class QueryFileError(ValueError):
    """A shipped ``.rq`` file has a malformed header."""


@dataclass(frozen=True)
class Param:
    """A query parameter: the variable name, its kind and what it means."""

    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A shipped query: its name, what it answers, its parameters and its text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path


def queries_dir() -> Path:
    """The folder of the shipped queries.

    >>> queries_dir().name
    'queries'
    """
    return ontology_dir() / "queries"


def list_queries(directory: Path | None = None) -> list[NamedQuery]:
    """All named queries, sorted by name.

    >>> "partner-table" in [q.name for q in list_queries()]
    True
    """
    folder = queries_dir() if directory is None else directory
    return [load_query_file(path) for path in sorted(folder.glob("*.rq"))]


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    """The named query ``name``; :class:`UnknownQuery` suggests the nearest names.

    Parameters
    ----------
    name : str
        The query's name (its file name without ``.rq``).
    directory : Path or None
        Where the ``.rq`` files are; the bundled ``ontology/queries`` by default.

    Returns
    -------
    NamedQuery
        The query, its parameters and its text.

    >>> get_query("partner-table").name
    'partner-table'
    >>> get_query("partner-tabel")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.sparql.queries.UnknownQuery: unknown query 'partner-tabel' — did you mean 'partner-table'? Known queries: ...
    """
    known = {q.name: q for q in list_queries(directory)}
    if name in known:
        return known[name]
    raise UnknownQuery(f"unknown query {_show(name)}{_suggest(name, known)} "
                       f"Known queries: {', '.join(known)}")


def run_named(
    g: Graph,
    name: str,
    params: Mapping[str, str],
    *,
    resolvers: Mapping[str, Resolver] | None = None,
    timeout: float = 10.0,
    max_rows: int = 100_000,
    directory: Path | None = None,
) -> QueryResult:
    """Run a named query with its parameters bound (never pasted) into it.

    Parameters
    ----------
    g : rdflib.Graph
        The graph to ask; the values are resolved against it too.
    name : str
        A query name from :func:`list_queries`.
    params : mapping of str to str
        The user's values, e.g. ``{"company": "Spotify"}``.
    resolvers : mapping of kind to callable, optional
        Turn a value of kind ``datatype`` or ``company`` into an IRI; the defaults accept
        an IRI, a CURIE, a slug, or a label/alias (case-insensitive).
    timeout : float
        Seconds before the query's child process is killed.
    max_rows : int
        Rows kept; ``truncated`` says whether more were cut.
    directory : Path, optional
        Where the ``.rq`` files are; default the shipped ``ontology/queries``.

    Returns
    -------
    QueryResult
        As :func:`graph.sparql.local.run_query` returns it.

    Raises
    ------
    UnknownQuery
        No query has that name (the message suggests the nearest).
    BadParameter
        A parameter is missing or unknown, or its value names nothing in the graph.
    QueryRefused, QueryTimeout, QueryFailed
        As :func:`graph.sparql.local.run_query` raises them.

    Examples
    --------
    >>> from rdflib import Graph, Literal
    >>> from rdflib.namespace import RDF, RDFS
    >>> from graph.model.vocab import DR, ID
    >>> g = Graph()
    >>> for s, p, o in [(ID.g1, RDF.type, DR.AccessGrant), (ID.g1, DR.grantor, ID.facebook),
    ...                 (ID.g1, DR.grantee, ID.spotify), (ID.g1, DR.dataType, ID.dm),
    ...                 (ID.spotify, RDF.type, DR.Company), (ID.spotify, RDFS.label, Literal("Spotify"))]:
    ...     _ = g.add((s, p, o))
    >>> run_named(g, "grants-by-company", {"company": "spotify"}).rows[0][:2]
    (rdflib.term.Literal('grantee'), None)
    """
    query = get_query(name, directory)
    bindings = bind_params(g, query, params, resolvers)
    from graph.sparql.local import run_query

    return run_query(g, query.text, bindings=bindings, timeout=timeout, max_rows=max_rows)


def bind_params(
    g: Graph,
    query: NamedQuery,
    params: Mapping[str, str],
    resolvers: Mapping[str, Resolver] | None = None,
) -> dict[str, Node]:
    """Check the user's parameters against the query's and resolve each to a term.

    >>> from rdflib import Graph
    >>> from graph.model.vocab import ID
    >>> bind_params(Graph(), get_query("grants-by-company"), {"company": "Spotify"},
    ...             {"company": lambda name: ID[name.lower()]})
    {'company': rdflib.term.URIRef('https://w3id.org/datareach/id/spotify')}
    """
    declared = {p.name: p for p in query.params}
    for key in params:
        if key not in declared:
            takes = ", ".join(declared) if declared else "no parameters"
            raise BadParameter(f"unknown parameter {_show(key)} for query {query.name!r}"
                               f"{_suggest(key, declared)} It takes: {takes}")
    missing = [p for p in query.params if p.name not in params]
    if missing:
        p = missing[0]
        raise BadParameter(f"missing parameter {p.name!r} for query {query.name!r}: "
                           f"{p.description} (--param {p.name}=VALUE)")
    return {p.name: _resolve(g, p, params[p.name], resolvers or {}) for p in query.params}


def default_resolvers(g: Graph) -> dict[str, Resolver]:
    """The built-in resolvers for kinds ``datatype`` and ``company``, bound to ``g``.

    >>> from rdflib import Graph
    >>> sorted(default_resolvers(Graph()))
    ['company', 'datatype']
    """
    from graph.sparql.terms import resolve_company, resolve_datatype

    return {"datatype": lambda value: resolve_datatype(g, value),
            "company": lambda value: resolve_company(g, value)}


def _resolve(g: Graph, param: Param, value: str, resolvers: Mapping[str, Resolver]) -> Node:
    from rdflib import Literal

    from graph.sparql.terms import resolve_iri

    convert = resolvers.get(param.kind) or default_resolvers(g).get(param.kind)
    try:
        if convert is not None:
            return convert(value)
        if param.kind == "iri":
            return resolve_iri(value)
        if param.kind == "date":
            return _date(value)
        return Literal(value)
    except BadParameter:
        raise
    except (LookupError, ValueError, DatareachError) as err:  # the caller's resolvers too
        raise BadParameter(f"--param {param.name}: {err}") from None


def _date(value: str) -> Literal:
    from rdflib import Literal, URIRef

    for pattern, datatype in _DATES:
        if pattern.fullmatch(value):
            literal = Literal(value, datatype=URIRef(datatype))
            if not literal.ill_typed:
                return literal
    raise BadParameter(f"not a date: {_show(value)} (use YYYY, YYYY-MM or YYYY-MM-DD)")


def load_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and its header; :class:`QueryFileError` if it is malformed.

    >>> load_query_file(queries_dir() / "sources.rq").title
    'The source registry'
    """
    text = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {"name": [], "title": [], "description": [], "param": []}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match is not None:
            fields[match.group(1)].append(match.group(2).strip())
    if fields["name"] != [path.stem] or not fields["title"] or not fields["description"]:
        raise QueryFileError(f"{path}: the header needs '# name: {path.stem}', "
                             "'# title: …' and '# description: …'")
    params = tuple(_param(path, line, text) for line in fields["param"])
    return NamedQuery(path.stem, fields["title"][0], " ".join(fields["description"]),
                      params, text, path)


def _param(path: Path, line: str, text: str) -> Param:
    parts = shlex.split(line)
    if len(parts) != 3 or not _PARAM_NAME.fullmatch(parts[0]) or parts[1] not in PARAM_KINDS:
        raise QueryFileError(f"{path}: bad '# param: {line}'; expected "
                             f"'# param: NAME KIND \"description\"', KIND one of {PARAM_KINDS}")
    if not re.search(rf"[?$]{parts[0]}\b", text):
        raise QueryFileError(f"{path}: parameter {parts[0]!r} is not a variable of the query")
    return Param(*parts)


def _suggest(word: str, choices: Mapping[str, object]) -> str:
    return did_you_mean(suggest(word, choices)) or "."


def _show(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:79] + "…")
