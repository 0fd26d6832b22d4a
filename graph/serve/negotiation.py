"""Formats of the endpoint's answers: content negotiation, result writers, the service description.

SELECT and ASK answers are SPARQL JSON, XML, CSV or TSV (:func:`graph.sparql.local.format_result`
writes JSON, CSV and TSV; rdflib writes XML); CONSTRUCT and DESCRIBE answers are Turtle,
N-Triples, JSON-LD or RDF/XML. ``format=`` (a short name or a media type) wins over ``Accept``.

>>> negotiate("text/csv;q=0.9, application/sparql-results+json", "SELECT", None)
'application/sparql-results+json'
>>> negotiate("*/*", "CONSTRUCT", None)
'text/turtle'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import VOID
from rdflib.query import Result
from rdflib.term import Identifier

from graph.sparql.output import format_result
from graph.sparql.result import QueryResult

ASSETS = Path(__file__).with_name("assets")
RESULT_TYPES = {  # SELECT and ASK
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {  # CONSTRUCT and DESCRIBE
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "nt",
    "text/n3": "turtle", "text/rdf+n3": "turtle",  # Turtle is N3
    "application/ld+json": "json-ld", "application/json": "json-ld",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
}
FORMAT_NAMES = {  # ?format= values: a short name per kind of result
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None), "tsv": ("text/tab-separated-values", None),
    # for people (the /query page's downloads): cells a spreadsheet would run as formulas are defused
    "csv-safe": ("text/csv", None), "tsv-safe": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"), "ttl": (None, "text/turtle"), "n3": (None, "text/turtle"),
    "nt": (None, "application/n-triples"), "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"),
    "json-ld": (None, "application/ld+json"), "jsonld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"), "rdf+xml": (None, "application/rdf+xml"),
}


class HttpError(Exception):
    """An HTTP error answer: a status and a short message for people (no internals)."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, dict(headers or {})


@dataclass(frozen=True)
class Answer:
    """A response body and its media type; ``truncated`` says rows were cut at the cap."""

    body: bytes
    content_type: str
    truncated: bool = False


def media_type(header: str | None) -> tuple[str, dict[str, str]]:
    """``("type/sub", {param: value})`` of a Content-Type header, lower-cased.

    >>> media_type("application/sparql-query; charset=UTF-8")
    ('application/sparql-query', {'charset': 'utf-8'})
    """
    parts = (header or "").split(";")
    params = {}
    for part in parts[1:]:
        key, _, value = part.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    return parts[0].strip().lower(), params


def negotiate(accept: str | None, kind: str, fmt: str | None) -> str:
    """The media type to answer with, from ``format=`` or else the Accept header."""
    graph = kind in ("CONSTRUCT", "DESCRIBE")
    table = GRAPH_TYPES if graph else RESULT_TYPES
    if fmt is not None:
        return _named_format(fmt.strip().lower(), graph, table)
    ranked = _ranked(accept)
    if not ranked:
        return next(iter(table))
    for mime in ranked:
        if mime in table:
            return mime
        if mime == "*/*":
            return next(iter(table))
        if mime.endswith("/*"):
            found = [m for m in table if m.startswith(mime[:-1])]
            if found:
                return found[0]
    raise HttpError(406, f"cannot answer a {kind} query in {accept[:100] if accept else ''}; "
                         f"supported: {', '.join(table)}")


def _named_format(fmt: str, graph: bool, table: Mapping[str, str]) -> str:
    if fmt in table:
        return fmt
    mime = FORMAT_NAMES.get(fmt, (None, None))[1 if graph else 0]
    if mime is None:
        what = "CONSTRUCT/DESCRIBE" if graph else "SELECT/ASK"
        names = sorted(k for k, v in FORMAT_NAMES.items() if v[1 if graph else 0] is not None)
        raise HttpError(406, f"format {fmt[:40]!r} does not fit a {what} result; use one of {', '.join(names)}")
    return mime


def _ranked(accept: str | None) -> list[str]:
    items = []
    for position, part in enumerate((accept or "").split(",")):
        kind, params = media_type(part)
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 0.0
        if kind and q > 0:
            items.append((-q, position, kind))
    return [kind for _, _, kind in sorted(items)]


def render(result: QueryResult, mime: str, *, safe: bool = False) -> bytes:
    """``result`` written as ``mime`` (one of RESULT_TYPES or GRAPH_TYPES); ``safe`` defuses
    spreadsheet formulas in CSV and TSV (downloads meant for people).

    >>> render(QueryResult("ASK", boolean=True), "text/csv")
    b'_askResult\\ntrue\\n'
    """
    if result.graph is not None:
        return result.graph.serialize(format=GRAPH_TYPES[mime], encoding="utf-8")
    name = RESULT_TYPES[mime]
    if name == "xml":
        return _xml(result)
    # Clients get SPARQL CSV/TSV as the protocol defines them; downloads for people (format=csv-safe,
    # tsv-safe) and the CLI's csv and tsv defuse spreadsheet formulas.
    raw = name in ("csv", "tsv") and not safe
    return format_result(result, f"{name}-raw" if raw else name).encode("utf-8")


def _xml(result: QueryResult) -> bytes:
    out = Result(result.kind)
    if result.kind == "ASK":
        out.askAnswer = bool(result.boolean)
    else:
        names = [Variable(v) for v in result.vars]
        out.vars = names
        out.bindings = [{v: cast(Identifier, t) for v, t in zip(names, row, strict=True) if t is not None}
                        for row in result.rows]
    data = out.serialize(format="xml", encoding="utf-8")
    assert data is not None
    return data


def graph_iri(base: str) -> str:
    """The IRI of the graph served, as the service description names it."""
    return base + "sparql#graph"


def service_description(base: str, triples: int, accept: str | None) -> Answer:
    """The endpoint's own sd:Service description, in Turtle or another RDF format."""
    g = Graph()
    g.parse(ASSETS / "service.ttl", format="turtle", publicID=base)
    g.add((URIRef(graph_iri(base)), VOID.triples, Literal(triples)))
    try:  # a browser's Accept (text/html, application/xml…) gets Turtle, not RDF/XML
        mime = "text/turtle" if accept is None or "text/html" in accept else negotiate(accept, "DESCRIBE", None)
    except HttpError:
        mime = "text/turtle"
    return Answer(g.serialize(format=GRAPH_TYPES[mime], encoding="utf-8"), f"{mime}; charset=utf-8")
