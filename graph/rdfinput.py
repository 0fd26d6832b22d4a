"""Read RDF-native input (Turtle, JSON-LD) strictly and safely.

Turtle is syntax-checked by Oxigraph first (rdflib accepts much invalid RDF), always
parsed with an explicit base so relative IRIs never become ``file:`` paths, and refused
if it holds ``file:`` IRIs or ill-typed literals. JSON-LD may only use inline contexts:
a context given as a URL or path would be fetched or read (SECURITY.md 3d–3h).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph
import rdflib
from rdflib import XSD, Graph, Literal, URIRef

from graph import dates
from graph.errors import Problem
from graph.inputs import read_text

BASE = "https://w3id.org/datareach/id/"
MAX_LITERAL = 1_000_000


def read(path: Path, display: str | None = None, *, max_bytes: int | None = None) -> tuple[Graph | None, list[Problem]]:
    """Parse one .ttl or .jsonld file into a new Graph, or return why not (refused unread
    past ``max_bytes``, by default the format's cap: ``graph.inputs.cap_bytes``)."""
    name = str(path) if display is None else display
    read = read_text(path, name, max_bytes=max_bytes)
    if isinstance(read, Problem):
        return None, [read]
    raw, text = read
    if path.suffix.lower() in (".jsonld", ".json"):
        return _jsonld(text, name)
    return _turtle(raw, text, name)


def _turtle(raw: bytes, text: str, name: str) -> tuple[Graph | None, list[Problem]]:
    try:
        for _ in pyoxigraph.parse(raw, format=pyoxigraph.RdfFormat.TURTLE, base_iri=BASE):
            pass
    except SyntaxError as exc:
        line = getattr(exc, "lineno", None)
        return None, [Problem(name, line, "", f"invalid Turtle: {exc.msg if hasattr(exc, 'msg') else exc}")]
    except ValueError as exc:
        return None, [Problem(name, None, "", f"invalid Turtle: {exc}")]
    return _parse(text, "turtle", name)


def _jsonld(text: str, name: str) -> tuple[Graph | None, list[Problem]]:
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        return None, [Problem(name, line, "", f"invalid JSON: {exc}")]
    reason = _remote_context(doc)
    if reason is not None:
        return None, [Problem(name, None, "@context", reason)]
    return _parse(text, "json-ld", name)


def _parse(text: str, fmt: str, name: str) -> tuple[Graph | None, list[Problem]]:
    """Parse with rdflib against our fixed base, keeping literals as written (so messages
    quote the author's text), then check the terms."""
    g = Graph()
    saved = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        g.parse(data=text, format=fmt, publicID=BASE)
    except Exception as exc:  # rdflib raises many types for bad input
        label = {"turtle": "Turtle", "json-ld": "JSON-LD"}[fmt]
        return None, [Problem(name, None, "", f"invalid {label}: {exc}")]
    finally:
        rdflib.NORMALIZE_LITERALS = saved
    return _checked(g, name)


def _remote_context(node: Any, depth: int = 0) -> str | None:
    """Why a JSON-LD document would load a context from elsewhere, or None."""
    if depth > 200:
        return "nested too deeply"
    if isinstance(node, list):
        return next((r for r in (_remote_context(v, depth + 1) for v in node) if r is not None), None)
    if not isinstance(node, dict):
        return None
    for key, value in node.items():
        if key in ("@context", "@import") and _names_a_location(value):
            return "only inline JSON-LD contexts are allowed (a context URL or path would be fetched)"
        reason = _remote_context(value, depth + 1)
        if reason is not None:
            return reason
    return None


def _names_a_location(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return any(isinstance(v, str) or (isinstance(v, dict) and "@import" in v) for v in value)
    return isinstance(value, dict) and "@import" in value


_DATE_TYPES = {str(XSD.date), str(XSD.gYear), str(XSD.gYearMonth)}


def _bad_partial_date(term: Literal) -> bool:
    """rdflib does not check xsd:gYear / gYearMonth lexical forms; we do (and real dates)."""
    if term.datatype is None or str(term.datatype) not in _DATE_TYPES:
        return False
    try:
        dates.parse(str(term))
    except ValueError:
        return True
    return False


def _checked(g: Graph, name: str) -> tuple[Graph | None, list[Problem]]:
    problems = []
    for triple in g:
        for term in triple:
            if isinstance(term, URIRef) and not str(term).lower().startswith(("http://", "https://", "urn:", "mailto:")):
                problems.append(Problem(name, None, "", f"IRI <{term}> is not allowed: use http(s) or urn: IRIs"))
            elif isinstance(term, Literal) and (term.ill_typed or _bad_partial_date(term)):
                problems.append(Problem(name, None, "", f"ill-typed literal \"{term}\"^^<{term.datatype}>"))
            elif isinstance(term, Literal) and len(term) > MAX_LITERAL:
                problems.append(Problem(name, None, "", f"literal longer than {MAX_LITERAL} characters"))
        if len(problems) >= 20:
            break
    return (None, problems) if problems else (g, [])
