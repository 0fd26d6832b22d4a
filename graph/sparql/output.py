"""Write a SPARQL result as an aligned table, CSV, TSV, SPARQL JSON or Turtle.

CSV and TSV cells that a spreadsheet would run as a formula (starting with ``= + - @``,
tab or carriage return) get a leading apostrophe, and their control characters are made
visible (``csv-raw`` and ``tsv-raw`` are the protocol's formats, for programs). Turtle and
JSON-LD carry control and bidi characters as ``\\u`` escapes. Table cells show terms compactly with our
prefixes, elide long values, and make control and bidi characters visible, so a label
cannot rewrite the terminal or reverse the text around it.

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

Every writer reads terms as cells (``["uri", iri]``, ``["literal", text, datatype, lang]`` …,
:data:`graph.sparql.result.Cell`): :func:`format_result` turns rdflib terms into cells,
and :func:`format_cells` writes a store's answer as it came, without importing rdflib, in
the same bytes (a literal's text is put in rdflib's normal form first, see :func:`_normal`).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from graph.model.prefixes import PREFIXES
from graph.safetext import json_safe, printable, spreadsheet_safe
from graph.sparql.result import Cell, CellResult

if TYPE_CHECKING:
    from rdflib import URIRef
    from rdflib.term import Node

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
        The table is fitted to this many terminal cells (``graph.textfit.table``: cells wrap
        at word boundaries; a table too wide for its columns becomes one block per row);
        None: whole lines. Other formats ignore it.

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
    if result.graph is not None and fmt not in ("csv-raw", "tsv-raw"):
        _check_format(fmt)
        return _graph_text(result, fmt)
    from graph.sparql.sandbox import encode_term

    rows = [[encode_term(term) for term in row] for row in result.rows]
    return _solutions_text(result.vars, rows, result.boolean, fmt, width)


def format_cells(result: CellResult, fmt: str = "table", *, width: int | None = None) -> str:
    """Write a result still in cells (:func:`graph.sparql.store.run_store_cells`) in ``fmt``:
    byte for byte what :func:`format_result` writes for ``result.to_result()``, without
    importing rdflib for solutions and booleans (graphs are written by rdflib).

    Parameters
    ----------
    result : CellResult
        The answer as the sandbox sent it back.
    fmt : str
        As for :func:`format_result`.
    width : int or None
        As for :func:`format_result`.

    Returns
    -------
    str
        The whole text.

    Raises
    ------
    ValueError
        For an unknown format, or one that does not fit the result.

    Examples
    --------
    >>> from graph.sparql.result import CellResult
    >>> rows = [[["uri", "https://w3id.org/datareach/id/rbc"], ["literal", "007", PREFIXES["xsd"] + "integer", None]]]
    >>> print(format_cells(CellResult("SELECT", vars=["c", "n"], rows=rows), "table"))
    c       n
    ------  -
    id:rbc  7
    """
    if result.kind in ("SELECT", "ASK"):
        rows = [[_normal(cell) for cell in row] for row in result.rows]
        return _solutions_text(result.vars, rows, result.boolean, fmt, width)
    return format_result(result.to_result(), fmt, width=width)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _solutions_text(names: list[str], rows: list[list[Cell]], boolean: bool | None, fmt: str,
                    width: int | None = None) -> str:
    if fmt in ("csv-raw", "tsv-raw"):  # the SPARQL 1.1 formats as the protocol defines them, for the endpoint
        if boolean is not None:
            return _boolean_text(boolean, fmt[:3])
        return (_csv if fmt == "csv-raw" else _tsv)(names, rows, defuse=False)
    _check_format(fmt)
    if fmt == "turtle":
        raise ValueError("turtle is for CONSTRUCT and DESCRIBE results; use table, csv, tsv or json")
    if boolean is not None:
        return _boolean_text(boolean, fmt)
    if fmt == "table":
        return _table(names, rows, width)
    writer = {"csv": _csv, "tsv": _tsv, "json": _json}[fmt]
    return writer(names, rows)


_XSD = PREFIXES["xsd"]
_VERBATIM = {  # datatypes whose text rdflib keeps as it is when it matches (rdflib's normal form)
    None: None, _XSD + "string": None, _XSD + "anyURI": None,
    _XSD + "integer": re.compile(r"0|-?[1-9][0-9]*"), _XSD + "boolean": re.compile(r"true|false"),
    _XSD + "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), _XSD + "gYear": re.compile(r"[0-9]{4}"),
    _XSD + "gYearMonth": re.compile(r"[0-9]{4}-[0-9]{2}"),
}


def _normal(cell: Cell) -> Cell:
    """A literal's cell with its text as rdflib gives it (``"007"^^xsd:integer`` is ``7``): as
    it is for plain strings and for the shapes :data:`_VERBATIM` lists, else through rdflib."""
    if cell is None or cell[0] != "literal":
        return cell
    datatype, lang = cell[2], cell[3]
    if lang is not None:
        if lang == lang.lower():
            return cell
    elif datatype in _VERBATIM:
        shape = _VERBATIM[datatype]
        if shape is None or shape.fullmatch(str(cell[1])):
            return cell
    from graph.sparql.result import decode_cell
    from graph.sparql.sandbox import encode_term

    return encode_term(decode_cell(cell))


def compact(term: Node | None, width: int | None = CELL_WIDTH) -> str:
    """A term as a short, printable table cell (cut to ``width`` characters; None: whole).

    >>> from rdflib import Literal, URIRef
    >>> compact(URIRef("https://w3id.org/datareach/datatype/phone-number"))
    'dt:phone-number'
    >>> compact(Literal("right\\u202eto left\\n" + "x" * 80), width=20)
    'right\\\\u202eto left\\\\…'
    """
    from graph.sparql.sandbox import encode_term

    return _compact(encode_term(term), width)


def _compact(cell: Cell, width: int | None = CELL_WIDTH) -> str:
    if cell is None:
        text = ""
    elif cell[0] == "uri":
        text = _curie(str(cell[1]))
    elif cell[0] == "bnode":
        text = f"_:{cell[1]}"
    else:
        text = str(cell[1])
    text = _UNSAFE.sub(_visible, text)
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def curie(iri: URIRef) -> str:
    """``dr:grantee`` for one of our namespaces, else ``<iri>`` (for display only:
    ``id:grant/x`` is readable, though Turtle would want ``id:grant\\/x``).

    >>> from rdflib import URIRef
    >>> curie(URIRef("https://w3id.org/datareach/id/grant/x")), curie(URIRef("http://a/b c"))
    ('id:grant/x', '<http://a/b c>')
    """
    return _curie(str(iri))


def _curie(iri: str) -> str:
    for prefix, namespace in _NAMESPACES:
        local = iri[len(namespace):]
        if iri.startswith(namespace) and _LOCAL.fullmatch(local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\u{ord(char):04x}")


def _table(names: Sequence[str], rows: Sequence[Sequence[Cell]], width: int | None) -> str:
    from graph import textfit  # rich: only for text for people

    cells = [[_compact(term, None) for term in row] for row in rows]
    text = textfit.table(names, cells, width=width)
    return text if cells else text + "\n(no rows)"


def _plain(term: Cell) -> str:
    if term is None:
        return ""
    if term[0] == "bnode":
        return f"_:{term[1]}"
    return str(term[1])


def _csv(names: Sequence[str], rows: Sequence[Sequence[Cell]], *, defuse: bool = True) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    clean = (lambda text: printable(spreadsheet_safe(text))) if defuse else (lambda text: text)
    for row in rows:
        writer.writerow([clean(_plain(term)) for term in row])
    return buffer.getvalue()


def _tsv(names: Sequence[str], rows: Sequence[Sequence[Cell]], *, defuse: bool = True) -> str:
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


def _tsv_cell(term: Cell, defuse: bool = True) -> str:
    if term is None:
        return ""
    kind, value = term[0], str(term[1])
    if kind == "literal":
        datatype, language = term[2], term[3]
        text = spreadsheet_safe(value) if defuse else value
        body = '"' + turtle_safe(text.translate(_ESCAPES)) + '"'
        if language is not None:
            return f"{body}@{language}"
        return body if datatype is None else f"{body}^^<{datatype}>"
    if kind == "bnode":
        return f"_:{value}"
    return f"<{turtle_safe(value.translate(_ESCAPES))}>"


def _json(names: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    bindings = [
        {name: _json_term(term) for name, term in zip(names, row, strict=True) if term is not None}
        for row in rows
    ]
    return json.dumps({"head": {"vars": list(names)}, "results": {"bindings": bindings}})


def _json_term(term: list[str | None]) -> dict[str, Any]:
    kind, value = term[0], str(term[1])
    if kind in ("uri", "bnode"):
        return {"type": kind, "value": value}
    out: dict[str, Any] = {"type": "literal", "value": value}
    if term[3] is not None:
        out["xml:lang"] = term[3]
    elif term[2] is not None:
        out["datatype"] = str(term[2])
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
