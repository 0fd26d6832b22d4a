"""Read RDF-native input (Turtle, JSON-LD) strictly and safely.

Turtle is syntax-checked by Oxigraph first (rdflib accepts much invalid RDF), always
parsed with an explicit base so relative IRIs never become ``file:`` paths, and refused
if it holds ``file:`` IRIs or ill-typed literals. JSON-LD may only use inline contexts:
a context given as a URL or path would be fetched or read (SECURITY.md 3d–3h).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyoxigraph
import rdflib
from rdflib import XSD, Graph, Literal, URIRef

from graph import dates
from graph.build.inputs import bad_character, read_text, strict_json
from graph.errors import Problem
from graph.model.vocab import DR, DT, IK

BASE = "https://w3id.org/datareach/id/"
MAX_LITERAL = 1_000_000


def read(path: Path, display: str | None = None, *, max_bytes: int | None = None) -> tuple[Graph | None, list[Problem]]:
    """Parse one .ttl or .jsonld file into a new Graph, or return why not (refused unread
    past ``max_bytes``, by default the format's cap: ``graph.build.inputs.cap_bytes``)."""
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
    except (MemoryError, OSError):  # Oxigraph's parser holds one token in a buffer of at most 16 MiB
        # (pyoxigraph 0.5 raises MemoryError, 0.4 an OSError "Reached the buffer maximal size")
        return None, [Problem(name, None, "", "invalid Turtle: a literal or IRI longer than 16 MiB")]
    return _parse(text, "turtle", name)


def _jsonld(text: str, name: str) -> tuple[Graph | None, list[Problem]]:
    try:
        doc = strict_json(text)
    except RecursionError:
        return None, [Problem(name, None, "", "invalid JSON: nested too deeply")]
    except ValueError as exc:  # JSONDecodeError, or what strict_json refuses
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
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]  # rdflib quotes whole lines of input after it
        return None, [Problem(name, None, "", f"invalid {label}: {first[:200]}")]
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


def _bad_date(term: Literal) -> bool:
    """rdflib does not check xsd:gYear / gYearMonth lexical forms; we do, by the one rule in
    ``graph.dates`` (xsd:date and xsd:dateTime too, and real days)."""
    return term.datatype is not None and not dates.well_formed(str(term), str(term.datatype))


_ONTOLOGY = (str(DR), str(DT), str(IK))
_FLOATS = {str(XSD.double), str(XSD.float)}


def _quoted(term: URIRef | Literal) -> str:
    """A term as an error message quotes it: cut to 80 characters."""
    text = str(term)
    return text if len(text) <= 80 else text[:79] + "…"


def _term_problem(term: object) -> str | None:
    """Why one term of a triple is refused, or None."""
    if isinstance(term, URIRef):
        if not str(term).lower().startswith(("http://", "https://", "urn:", "mailto:")):
            return f"IRI <{_quoted(term)}> is not allowed: use http(s) or urn: IRIs"
        reason = bad_character(str(term))
        return None if reason is None else f"IRI <{_quoted(term)}> {reason}"
    if not isinstance(term, Literal):
        return None
    reason = bad_character(str(term))
    if reason is not None:
        return f"literal \"{_quoted(term)}\" {reason}"
    if term.ill_typed or _bad_date(term):
        return f"ill-typed literal \"{_quoted(term)}\"^^<{term.datatype}>"
    if str(term.datatype) in _FLOATS and isinstance(term.value, float) and not math.isfinite(term.value):
        return f"\"{_quoted(term)}\"^^<{term.datatype}> is not a finite number: NaN and infinities are refused"
    if len(term) > MAX_LITERAL:
        return f"literal longer than {MAX_LITERAL} characters"
    return None


def _named(node: object) -> str:
    return f"<{_quoted(node)}>" if isinstance(node, URIRef) else "a blank node"


def _checked(g: Graph, name: str) -> tuple[Graph | None, list[Problem]]:
    problems = []
    for triple in g:
        subject = triple[0]
        if isinstance(subject, URIRef) and str(subject).startswith(_ONTOLOGY):
            problems.append(Problem(name, None, "", f"<{_quoted(subject)}> is an ontology term: statements about it "
                                                    "belong in ontology/*.ttl, not in a fact file"))
        for term in triple:
            reason = _term_problem(term)
            if reason is not None and term is triple[2] and isinstance(term, Literal):  # say where the value is
                reason += f" as the value of {_named(triple[1])} on {_named(subject)}"
            if reason is not None:
                problems.append(Problem(name, None, "", reason))
        if len(problems) >= 20:
            break
    return (None, problems) if problems else (g, [])
