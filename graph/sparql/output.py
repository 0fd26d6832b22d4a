"""Write a SPARQL result as an aligned table, CSV, TSV, SPARQL JSON or Turtle.

CSV and TSV cells that a spreadsheet would run as a formula (starting with ``= + - @``,
tab or carriage return) get a leading apostrophe, and their control characters are made
visible (``csv-raw`` and ``tsv-raw`` are the protocol's formats, for programs). Turtle and
JSON-LD carry control and bidi characters as ``\\u`` escapes. Table cells show terms compactly with our
prefixes and make control and bidi characters visible, so a label cannot rewrite the
terminal or reverse the text around it; the table is fitted to a width
(``graph.textfit.table``: cells wrap at spaces, a word too long for its column ends with
"…", and a table too wide for its columns becomes one block per row).

>>> from rdflib import Literal
>>> from graph.sparql.result import QueryResult
>>> from graph.model.vocab import ID
>>> result = QueryResult("SELECT", vars=["c", "n"], rows=[(ID.spotify, Literal("Spotify"))])
>>> print(format_result(result, "table"))
c           n
----------  -------
id:spotify  Spotify
>>> format_result(result, "csv").splitlines()
['c,n', 'https://w3id.org/datareach/id/spotify,Spotify']
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph import textfit
from graph.model.vocab import PREFIXES
from graph.safetext import json_safe, printable, spreadsheet_safe

if TYPE_CHECKING:
    from graph.sparql.result import QueryResult

FORMATS = ("table", "csv", "tsv", "json", "turtle")
CELL_WIDTH = 60
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})

_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-/]*(?:\.[A-Za-z0-9_\-/]+)*")
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def format_result(result: QueryResult, fmt: str = "table", *, width: int | None = None) -> str:
    """Write ``result`` in ``fmt``: table, csv, tsv, json, or turtle (graph results).

    Parameters
    ----------
    result : QueryResult
        From :func:`graph.sparql.local.run_query`.
    fmt : str
        ``table`` (aligned, compact, for people), ``csv`` (formula-safe), ``tsv`` and
        ``json`` (the SPARQL 1.1 result formats), ``turtle`` for CONSTRUCT/DESCRIBE. A
        graph result is written as Turtle for ``table`` and as JSON-LD for ``json``.
        ``csv-raw`` and ``tsv-raw`` are the protocol's formats, with nothing defused
        (for programs, as the endpoint sends them).
    width : int or None
        For ``table``: the most terminal cells a line may take; None keeps every value whole.

    Returns
    -------
    str
        The whole text, ready to print or send.

    Raises
    ------
    ValueError
        For an unknown format, or one that does not fit the result.

    Examples
    --------
    >>> from graph.sparql.result import QueryResult
    >>> print(format_result(QueryResult("ASK", boolean=True), "json"))
    {"head": {}, "boolean": true}
    """
    if fmt in ("csv-raw", "tsv-raw"):  # the SPARQL 1.1 formats as the protocol defines them, for the endpoint
        if result.boolean is not None:
            return _boolean_text(result.boolean, fmt[:3])
        return (_csv if fmt == "csv-raw" else _tsv)(result.vars, result.rows, defuse=False)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if result.graph is not None:
        return _graph_text(result, fmt)
    if fmt == "turtle":
        raise ValueError("turtle is for CONSTRUCT and DESCRIBE results; use table, csv, tsv or json")
    if result.boolean is not None:
        return _boolean_text(result.boolean, fmt)
    if fmt == "table":
        return _table(result.vars, result.rows, width)
    writer = {"csv": _csv, "tsv": _tsv, "json": _json}[fmt]
    return writer(result.vars, result.rows)


def compact(term: Node | None, width: int | None = CELL_WIDTH) -> str:
    """A term as a short, printable table cell (cut to ``width`` characters; None: whole).

    >>> from rdflib import Literal, URIRef
    >>> compact(URIRef("https://w3id.org/datareach/datatype/phone-number"))
    'dt:phone-number'
    >>> compact(Literal("right\\u202eto left\\n" + "x" * 80), width=20)
    'right\\\\u202eto left\\\\…'
    """
    if term is None:
        text = ""
    elif isinstance(term, URIRef):
        text = curie(term)
    elif isinstance(term, BNode):
        text = f"_:{term}"
    else:
        text = str(term)
    text = _UNSAFE.sub(_visible, text)
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def curie(iri: URIRef) -> str:
    """``dr:grantee`` for one of our namespaces, else ``<iri>`` (for display only:
    ``id:grant/x`` is readable, though Turtle would want ``id:grant\\/x``).

    >>> from rdflib import URIRef
    >>> curie(URIRef("https://w3id.org/datareach/id/grant/x")), curie(URIRef("http://a/b c"))
    ('id:grant/x', '<http://a/b c>')
    """
    for prefix, namespace in _NAMESPACES:
        local = str(iri)[len(namespace):]
        if str(iri).startswith(namespace) and _LOCAL.fullmatch(local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\u{ord(char):04x}")


def _table(names: Sequence[str], rows: Sequence[Sequence[Node | None]], width: int | None) -> str:
    cells = [[compact(term, None) for term in row] for row in rows]
    text = textfit.table(names, cells, width=width)
    return text if cells else text + "\n(no rows)"


def _plain(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _csv(names: Sequence[str], rows: Sequence[Sequence[Node | None]], *, defuse: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    clean = (lambda text: printable(spreadsheet_safe(text))) if defuse else (lambda text: text)
    for row in rows:
        writer.writerow([clean(_plain(term)) for term in row])
    return buffer.getvalue()


def _tsv(names: Sequence[str], rows: Sequence[Sequence[Node | None]], *, defuse: bool = True) -> str:
    lines = ["\t".join(f"?{name}" for name in names)]
    lines += ["\t".join(_tsv_cell(term, defuse) for term in row) for row in rows]
    return "\n".join(lines) + "\n"


def _uchar(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04X}"


def turtle_safe(text: str) -> str:
    """Turtle (or N-Triples, or a TSV term) with control and bidi characters as ``\\uNNNN``
    escapes: they only occur inside strings and IRIs, where Turtle reads the escape back."""
    return _UNSAFE_TURTLE.sub(_uchar, text)


_UNSAFE_TURTLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def _tsv_cell(term: Node | None, defuse: bool = True) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        text = spreadsheet_safe(str(term)) if defuse else str(term)
        body = '"' + turtle_safe(text.translate(_ESCAPES)) + '"'
        if term.language is not None:
            return f"{body}@{term.language}"
        return body if term.datatype is None else f"{body}^^<{term.datatype}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{turtle_safe(str(term).translate(_ESCAPES))}>"


def _json(names: Sequence[str], rows: Sequence[Sequence[Node | None]]) -> str:
    bindings = [
        {name: _json_term(term) for name, term in zip(names, row, strict=True) if term is not None}
        for row in rows
    ]
    return json.dumps({"head": {"vars": list(names)}, "results": {"bindings": bindings}})


def _json_term(term: Node) -> dict[str, Any]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out: dict[str, Any] = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal) and term.language is not None:
        out["xml:lang"] = term.language
    elif isinstance(term, Literal) and term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out


def _boolean_text(value: bool, fmt: str) -> str:
    word = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value})
    if fmt in ("csv", "tsv"):
        return f"_askResult\n{word}\n"
    return word


def _graph_text(result: QueryResult, fmt: str) -> str:
    assert result.graph is not None
    if fmt in ("table", "turtle"):
        return turtle_safe(result.graph.serialize(format="turtle"))
    if fmt == "json":
        return json_safe(result.graph.serialize(format="json-ld"))
    raise ValueError(f"a {result.kind} result is a graph: use turtle or json, not {fmt}")
