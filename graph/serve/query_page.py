"""The query editor page: a textarea, the named queries as examples, the answer as a table.

The form is a GET, so an answered query is a shareable URL; download links send the
same text to ``/sparql`` in each result format. The query runs exactly as at ``/sparql``
(checked, time-limited, in a child process).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from graph.serve.html import Links, error_box, esc, table
from graph.serve.protocol import HttpError, Settings
from graph.serve.state import Snapshot
from graph.sparql.local import QueryResult
from graph.sparql.output import curie

Runner = Callable[[Graph | Path, str, Settings], QueryResult]
DEFAULT_QUERY = "SELECT ?company ?name WHERE {\n  ?company a dr:Company ; rdfs:label ?name .\n}\nORDER BY ?name\nLIMIT 50"
_FORMATS = {"SELECT": ("json", "xml", "csv", "tsv"), "ASK": ("json", "xml", "csv", "tsv"),
            "CONSTRUCT": ("turtle", "nt", "json-ld"), "DESCRIBE": ("turtle", "nt", "json-ld")}
_FOR_PEOPLE = {"csv": "csv-safe", "tsv": "tsv-safe"}  # a download opened in a spreadsheet runs no formula


def query_page(params: dict[str, str], snap: Snapshot, links: Links, settings: Settings,
               run: Runner) -> tuple[int, str, str]:
    """``(status, title, body HTML)`` of ``/query``: the editor and, given ``query``, its answer."""
    from graph.sparql.queries import UnknownQuery, get_query, list_queries

    example = params.get("example")
    text = params.get("query")
    problem, status = "", 200
    if text is None and example:
        try:
            text = get_query(example).text
        except UnknownQuery as err:
            problem, status = str(err), 404
    answer = ""
    if params.get("query"):
        try:
            answer = _answer(run(snap.target, params["query"], settings), params["query"], links, settings)
        except HttpError as err:
            problem, status = err.message, err.status
    form = ('<form method="get" action="/query" id="query-form">'
            f'<textarea name="query" spellcheck="false" aria-label="SPARQL query">{esc(text or DEFAULT_QUERY)}</textarea>'
            + links.hidden() + '<p><button type="submit">Run</button> <span class=note>Read-only; our prefixes '
            "(dr: dt: ik: id: skos: rdfs: dcterms: …) are predeclared; queries stop after "
            f"{settings.timeout:g} s and {settings.max_rows:,} rows.</span></p></form>")
    examples = "".join(
        f"<li>{links.a(q.name, '/query', example=q.name)}: {esc(q.title)}"
        + (f" <span class=note>(parameters: {esc(', '.join('?' + p.name for p in q.params))} — bind them in the text)</span>"
           if q.params else "") + "</li>"
        for q in list_queries())
    body = (form + (error_box(problem) if problem else "") + answer
            + f'<h2>Examples</h2><ul class="examples">{examples}</ul>')
    return status, "Ask in SPARQL", body


def _answer(result: QueryResult, text: str, links: Links, settings: Settings) -> str:
    downloads = '<p class="downloads">Download: ' + "".join(
        links.a(f, "/sparql", query=text, format=_FOR_PEOPLE.get(f, f)) for f in _FORMATS[result.kind]) + "</p>"
    cut = (f"<p class=note>Only the first {settings.max_rows:,} rows are shown.</p>" if result.truncated else "")
    if result.boolean is not None:
        return f'<h2 id="answer">Answer: {"yes" if result.boolean else "no"}</h2>' + downloads
    if result.graph is not None:
        turtle = result.graph.serialize(format="turtle")
        return f'<h2 id="answer">{len(result.graph):,} triples</h2>' + downloads + cut + f"<pre>{esc(turtle)}</pre>"
    rows = [[_term(t) for t in row] for row in result.rows]
    return (f'<h2 id="answer">{len(rows):,} rows</h2>' + downloads + cut
            + table(result.vars, rows, ident="query-answer"))


def _term(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f'<span title="{esc(str(term))}">{esc(curie(term))}</span>'
    return esc(str(term))
