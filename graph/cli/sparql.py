"""The ``datareach sparql`` command: a thin leaf over graph.sparql.local and graph.sparql.queries."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from graph.cli.session import (
    BadInput,
    CliError,
    Command,
    Session,
    TimedOut,
    screen_width,
    session_of,
    wide_option,
)
from graph.sparql.guard import DEFAULT_LIMITS, QueryRefused
from graph.sparql.output import format_cells, format_result
from graph.sparql.result import CellResult, QueryFailed, QueryResult, QueryTimeout

if TYPE_CHECKING:
    from graph.sparql.queries import NamedQuery

ENGINES = ("store", "rdflib")


@click.command("sparql", cls=Command)
@click.argument("query_or_file", required=False, metavar="QUERY_OR_FILE")
@click.option("--name", "name", metavar="NAME", help="Run a named query (see --list).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the named query; repeat for several.")
@click.option("--list", "list_only", is_flag=True, help="List the named queries and exit.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "tsv", "json", "turtle"]),
              help="Output format; turtle (or table) for CONSTRUCT/DESCRIBE.")
@click.option("--timeout", default=10.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(min=0.1, max=3600), help="Stop the query after this long.")
@click.option("--max-rows", default=100_000, show_default=True, type=click.IntRange(min=0),
              help="Keep at most this many rows (or triples).")
@wide_option
@click.option("--engine", default="store", show_default=True, type=click.Choice(ENGINES),
              help="store: the build's Oxigraph store (or --store DIR); rdflib: the graph loaded in memory "
                   "(slow on large builds, for comparison).")
@click.pass_context
def sparql(ctx: click.Context, query_or_file: str | None, name: str | None,
           params: tuple[str, ...], list_only: bool, fmt: str, timeout: float,
           max_rows: int, engine: str) -> None:
    """Ask the graph a read-only SPARQL 1.1 question.

    QUERY_OR_FILE is query text, a path to a .rq file, or - to read standard input.
    Our prefixes (dr: dt: ik: id: skos: rdfs: dcterms: …) are predeclared. Queries are
    read-only: SERVICE, FROM and updates are refused, and every query stops at
    --timeout. Exit codes: 2 refused or bad input, 3 timeout, 1 other failure.

    \b
    Examples:
      datareach sparql 'SELECT ?c ?name WHERE { ?c a dr:Company ; rdfs:label ?name }'
      datareach sparql my-question.rq --format csv > answer.csv
      echo 'ASK { ?g dr:overrodePrivacySetting true }' | datareach sparql -
      datareach sparql --list
      datareach sparql --name partner-table --format csv
      datareach sparql --name companies-reaching --param data_type='phone number'
      datareach sparql --name grants-by-company --param company=Spotify --format json
    """
    try:
        if list_only:
            _reject_extra(query_or_file, name, params, "--list")
            from graph.sparql.queries import list_queries

            click.echo(_list_text(list_queries(), fmt, screen_width()))
            return
        result = _run(session_of(ctx), query_or_file, name, params, timeout, max_rows, engine)
        width = screen_width() if fmt == "table" else None  # only the table is fitted to the screen
        click.echo(format_cells(result, fmt, width=width) if isinstance(result, CellResult)
                   else format_result(result, fmt, width=width))
    except _query_errors() as err:
        raise BadInput(str(err)) from None
    except ValueError as err:  # e.g. a format that does not fit the result
        raise BadInput(str(err)) from None
    except QueryTimeout as err:
        raise TimedOut(f"{err} (raise --timeout, or narrow the query)") from None
    except QueryFailed as err:
        raise CliError(f"query failed: {err}") from None
    if result.truncated:
        click.echo(f"note: output cut at {max_rows:,} rows (--max-rows)", err=True)


def _query_errors() -> tuple[type[Exception], ...]:
    """The refusals a query or a named query's parameters can meet. ``graph.sparql.queries``
    (name matching, the .rq files) is imported here, when an error is matched, so a plain query
    does not load it at start-up."""
    from graph.sparql.queries import BadParameter, QueryFileError, UnknownQuery

    return (QueryRefused, UnknownQuery, BadParameter, QueryFileError)


def _run(session: Session, query_or_file: str | None, name: str | None, params: tuple[str, ...],
         timeout: float, max_rows: int, engine: str) -> QueryResult | CellResult:
    if engine != "store" and (session.store_dir is not None or session.endpoint is not None):
        raise BadInput(f"--engine {engine} answers from the local build: leave out --store and --endpoint")
    if name is not None:
        _reject_extra(query_or_file, None, (), "--name")
        from graph.sparql.queries import get_query

        get_query(name)  # unknown names fail before the graph is loaded
        store = session.sparql_store(engine)
        if store is not None:
            return _run_named_on_store(store, name, _parse_params(params), timeout, max_rows)
        from graph.sparql.queries import run_named

        return run_named(session.rdf_graph(), name, _parse_params(params), timeout=timeout, max_rows=max_rows)
    if params:
        raise BadInput("--param goes with --name NAME (a named query)")
    if query_or_file is None:
        raise BadInput("give a query, a .rq file, - for standard input, --name or --list")
    text = _read_query(query_or_file)
    store = session.sparql_store(engine)
    if store is not None:  # the pre-scan here, the rest in a sealed child: no rdflib in this process
        from graph.sparql.store import run_store_cells

        return run_store_cells(store, text, timeout=timeout, max_rows=max_rows, full_check=False)
    if session.endpoint is not None:
        query = text if isinstance(text, str) else text.decode("utf-8")
        remote = session.remote()
        remote.timeout = timeout
        return remote.query(query, max_rows=max_rows)
    from graph.sparql.local import run_query

    return run_query(session.rdf_graph(), text, timeout=timeout, max_rows=max_rows)


_NAMES = """CONSTRUCT { ?x a ?class ; rdfs:label ?l ; skos:prefLabel ?p ; skos:altLabel ?a }
WHERE { VALUES ?class { dr:Company dr:DataType } ?x a ?class .
        OPTIONAL { ?x rdfs:label ?l } OPTIONAL { ?x skos:prefLabel ?p } OPTIONAL { ?x skos:altLabel ?a } }"""


def _run_named_on_store(store: Path, name: str, params: dict[str, str], timeout: float,
                        max_rows: int) -> CellResult:
    """A named query on the store: parameters are resolved against the store's names, then bound."""
    from graph.sparql.queries import get_query
    from graph.sparql.store import run_store_cells

    query = get_query(name)
    if not query.params:  # nothing to resolve: no rdflib graph of names
        if params:
            from graph.sparql.queries import bind_params

            bind_params(None, query, params)  # type: ignore[arg-type]  # refuses the unknown ones
        return run_store_cells(store, query.text, timeout=timeout, max_rows=max_rows, full_check=False)
    from rdflib import Graph

    from graph.sparql.queries import bind_params

    names = run_store_cells(store, _NAMES, timeout=timeout, max_rows=10_000_000, full_check=False).to_result().graph
    bindings = bind_params(names if names is not None else Graph(), query, params)
    return run_store_cells(store, query.text, bindings=bindings, timeout=timeout, max_rows=max_rows,
                           full_check=False)


def _reject_extra(query: str | None, name: str | None, params: tuple[str, ...],
                  option: str) -> None:
    if query is not None or name is not None or (params and option == "--list"):
        raise BadInput(f"{option} takes no query text or other query options")


def _parse_params(params: tuple[str, ...]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if sep == "" or key.strip() == "":
            raise BadInput(f"--param wants KEY=VALUE, got {item[:80]!r}")
        if key.strip() in parsed:
            raise BadInput(f"--param {key.strip()} given twice")
        parsed[key.strip()] = value
    return parsed


def _read_query(arg: str) -> str | bytes:
    limit = DEFAULT_LIMITS.max_bytes + 1  # read one byte past the cap: the guard refuses
    if arg == "-":
        return _read_capped(sys.stdin.buffer, limit)
    if _looks_like_path(arg):
        try:
            with open(arg, "rb") as handle:
                return _read_capped(handle, limit)
        except OSError as err:
            raise BadInput(f"cannot read query file {arg!r}: {err.strerror}") from None
    return arg


def _looks_like_path(arg: str) -> bool:
    if arg.endswith((".rq", ".sparql")) and "\n" not in arg:
        return True
    try:
        return not any(c.isspace() or c in "{}" for c in arg) and Path(arg).is_file()
    except (OSError, ValueError):
        return False


def _read_capped(stream: IO[bytes], limit: int) -> bytes:
    data = stream.read(limit)
    if len(data) >= limit:
        raise QueryRefused(f"query is too long (more than {limit - 1:,} bytes)")
    return data


def _list_text(queries: list[NamedQuery], fmt: str, width: int | None) -> str:
    if fmt == "json":
        return json.dumps([{"name": q.name, "title": q.title, "description": q.description,
                            "params": [vars(p) for p in q.params]} for q in queries], indent=2)
    from graph import textfit

    pad = max(len(q.name) for q in queries)
    lines = []
    for q in queries:
        params = " ".join(f"--param {p.name}=<{p.kind}>" for p in q.params)
        lines += textfit.fit_line(f"{q.name.ljust(pad)}  {q.title}" + (f"  [{params}]" if params else ""), width,
                                  hanging=pad + 2)
    return "\n".join(lines)

