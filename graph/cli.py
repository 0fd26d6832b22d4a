"""The ``datareach`` command line: a thin leaf over the library.

Each command parses its arguments, calls one library function, formats the result and
turns typed errors into a clean message. Nothing imports this module.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from graph import compiled
from graph.errors import DatareachError, InputError

EXIT_INPUT = 1


_STARTED = time.monotonic()


def _progress(message: str) -> None:
    """A progress line on stderr; after the first seconds, with the time elapsed (long builds)."""
    elapsed = int(time.monotonic() - _STARTED)
    click.echo(f"datareach: {message}" + (f" [{elapsed // 60}:{elapsed % 60:02d} elapsed]" if elapsed >= 5 else ""), err=True)


def fail(message: str, code: int = EXIT_INPUT) -> None:
    """Print a clean error and exit (no traceback)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is used.

    Keeps ``datareach reach`` from importing rdflib, pyvis or the SPARQL layer.
    """

    lazy = {
        "reach": "graph.cli_questions:reach_command",
        "table": "graph.cli_questions:table_command",
        "rank": "graph.cli_questions:rank_command",
        "owner": "graph.cli_questions:owner_command",
        "import": "graph.cli_import:import_command",
        "serve": "graph.cli_serve:serve",
        "push": "graph.cli_serve:push_command",
        "sparql": "graph.cli_sparql:sparql",
        "viz": "graph.cli_viz:viz_command",
        "export": "graph.cli_viz:export_command",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(n for n in self.lazy if self._load(n) is not None)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._load(cmd_name)

    def _load(self, name: str) -> click.Command | None:
        if name not in self.lazy:
            return None
        module, _, attr = self.lazy[name].partition(":")
        try:
            command = getattr(__import__(module, fromlist=[attr]), attr, None)
        except ImportError as exc:
            if exc.name != module:
                raise
            return None
        return command if isinstance(command, click.Command) else None


class Context:
    """What every command shares: where the sources are and where the build goes."""

    def __init__(self, sources: tuple[Path, ...], out: Path, quiet: bool, endpoint: str | None = None):
        self.sources = list(sources) or None
        self.out = out
        self.endpoint = endpoint
        self.progress = (lambda _: None) if quiet else _progress
        self._remote: Any = None

    def projection(self) -> Any:
        if self.endpoint is not None:
            from graph.project import project

            return project(self.rdf_graph())
        return compiled.projection(self.sources, self.out, progress=self.progress)

    def flows(self) -> Any:
        if self.endpoint is not None:
            return self.projection()
        return compiled.flows(self.sources, self.out, progress=self.progress)

    def store(self, folder: Path) -> Callable[[], Path]:
        """A callable giving the store folder, made from the (rebuilt if stale) build on first use."""
        def get() -> Path:
            from graph.sparql_store import ensure_store

            self.progress(f"using the Oxigraph store {folder}")
            return compiled.read_build(self.sources, self.out, lambda found: ensure_store(self.out, folder, found),
                                       progress=self.progress)

        return get

    def rdf_graph(self) -> Any:
        if self.endpoint is not None:
            if self._remote is None:
                from graph.serve_remote import remote_graph

                self.progress(f"reading the graph from {self.endpoint}")
                self._remote = remote_graph(self.endpoint)
            return self._remote
        return compiled.rdf_graph(self.sources, self.out, progress=self.progress)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--sources", "-s", "sources", multiple=True, type=click.Path(path_type=Path),
              help="Fact files or folders to use (repeatable). Default: the bundled dataset in sources/.")
@click.option("--out", "out", default=Path("out"), show_default=True, type=click.Path(path_type=Path, file_okay=False),
              help="Where the compiled graph lives.")
@click.option("--quiet", "-q", is_flag=True, help="No progress messages on stderr.")
@click.option("--endpoint", metavar="URL", default=None,
              help="Ask a SPARQL 1.1 endpoint (Oxigraph, Fuseki, GraphDB, Virtuoso, Neptune…) instead of the local "
                   "build: sparql sends the query there; reach, table and rank read its graph (see datareach push).")
@click.option("--store", "store", metavar="DIR", default=None, type=click.Path(path_type=Path, file_okay=False),
              help="Answer sparql from an on-disk Oxigraph store at DIR, made from the build once and reused "
                   "while it is current: for graphs too large to reload at every start.")
@click.version_option(package_name="datareach")
@click.pass_context
def main(ctx: click.Context, sources: tuple[Path, ...], out: Path, quiet: bool, endpoint: str | None,
         store: Path | None) -> None:
    """datareach: which companies could reach personal data, by which path, on whose evidence.

    Facts come from cited fact files (YAML, CSV, Turtle) in sources/. `build` compiles
    them into a validated RDF graph; the question commands reuse that build while the
    sources are unchanged and rebuild it when they change.

    \b
    Start here:
      datareach build                      # validate sources/ and write out/graph.ttl
      datareach reach "phone number"       # who could reach phone numbers, and how
      datareach table                      # the partner table
      datareach sparql --list              # ready-made questions in SPARQL
    """
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise click.BadParameter("use an http(s):// URL", param_hint="--endpoint")
    obj = Context(sources, out, quiet, endpoint)
    ctx.obj = {"ctx": obj, "load_graph": obj.rdf_graph, "projection": obj.projection, "flows": obj.flows,
               "endpoint": endpoint, "store": None if store is None else obj.store(store)}


def _report(error: InputError, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps({"ok": False, "problems": [vars(p) for p in error.problems]}, indent=2))
    click.echo(f"error: {error}", err=True)
    sys.exit(EXIT_INPUT)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def check(obj: dict[str, Any], paths: tuple[Path, ...], fmt: str) -> None:
    """Validate fact files without writing anything.

    PATHS are files or folders (default: --sources, else sources/). Every problem is listed with its
    file, line and field, what was expected and the nearest known term. Exit status 0
    when valid, 1 when not.

    \b
    Examples:
      datareach check
      datareach check sources/my-facts.yaml sources/registry.yaml
    """
    from graph.load import load

    try:
        loaded = load(list(paths) or obj["ctx"].sources or [compiled.default_sources()])
    except InputError as exc:
        _report(exc, fmt)
        return
    counts = compiled.summarise(loaded.g)
    if fmt == "json":
        click.echo(json.dumps({"ok": True, "files": [str(f) for f in loaded.files], "counts": counts,
                               "warnings": [str(w) for w in loaded.warnings]}, indent=2))
    else:
        for w in loaded.warnings:
            click.echo(f"warning: {w}", err=True)
        click.echo(f"ok: {len(loaded.files)} files, " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Output folder (default: --out, i.e. out/).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def build(obj: dict[str, Any], paths: tuple[Path, ...], out_dir: Path | None, fmt: str) -> None:
    """Validate fact files and write the compiled graph.

    Writes OUT/graph.ttl and OUT/graph.jsonld (facts plus the ontology) and a cache
    that later commands reuse. On any problem nothing is written and the previous
    build stays as it was.

    \b
    Examples:
      datareach build                       # sources/ -> out/
      datareach build my-facts/ -o out/mine
    """
    ctx: Context = obj["ctx"]
    sources = list(paths) or ctx.sources
    target = ctx.out if out_dir is None else out_dir
    try:
        result = compiled.build(sources, target, progress=ctx.progress)
    except InputError as exc:
        _report(exc, fmt)
        return
    except DatareachError as exc:
        fail(str(exc))
        return
    if fmt == "json":
        click.echo(json.dumps({"ok": True, "out": str(target), "counts": result.counts, "shacl": result.shacl,
                               "warnings": result.warnings}, indent=2))
        return
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"built {target}/graph.ttl and {target}/graph.jsonld")
    for key in ("companies", "data types", "grants", "incidents", "holdings", "ownership", "domains", "sources",
                "claims", "triples"):
        click.echo(f"  {key:<11} {result.counts[key]:,}")
    click.echo(f"  SHACL       {result.shacl}")


def run() -> None:
    """Entry point that turns stray library errors into clean messages."""
    import os

    try:
        main(standalone_mode=True)
    except DatareachError as exc:
        fail(str(exc))
    except Exception as exc:  # a bug: say so plainly; DATAREACH_DEBUG=1 shows the traceback
        if os.environ.get("DATAREACH_DEBUG"):
            raise
        fail(f"internal error ({type(exc).__name__}: {exc}); set DATAREACH_DEBUG=1 for details and please report it")
