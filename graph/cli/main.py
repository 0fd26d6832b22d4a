"""The ``datareach`` command line: a thin leaf over the library.

Each command parses its arguments, calls one library function, formats the result and
turns typed errors into a clean message. Nothing imports this module.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from graph.cli.session import Access, CliError, Command, Session, say, stderr_progress, wide_option
from graph.cli.shorthelp import SHORT_HELP
from graph.errors import DatareachError, InputError
from graph.progress import quiet as quiet_progress
from graph.sparql.defaults import DEFAULT_GRAPH, METHODS, SERVER_DEFAULT


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is used.

    Keeps ``datareach reach`` from importing rdflib, pyvis or the SPARQL layer, and
    ``datareach --help`` from importing any of them: the list of commands and their short
    help come from ``SHORT_HELP``, generated from the commands' own help by
    ``scripts/cli_docs.py`` (its ``--check`` and ``tests/test_cli_startup.py`` fail when it is
    out of date). Its commands are ``Command``s: library errors become
    ``error: …`` and an exit code.
    """

    command_class = Command

    lazy = {
        "reach": "graph.cli.questions:reach_command",
        "table": "graph.cli.questions:table_command",
        "rank": "graph.cli.questions:rank_command",
        "owner": "graph.cli.questions:owner_command",
        "lists": "graph.cli.questions:lists_command",
        "company": "graph.cli.company:company_command",
        "types": "graph.cli.types:types_command",
        "import": "graph.cli.importing:import_command",
        "serve": "graph.cli.serving:serve",
        "push": "graph.cli.serving:push_command",
        "sparql": "graph.cli.sparql:sparql",
        "viz": "graph.cli.viz:viz_command",
        "export": "graph.cli.viz:export_command",
        "figure": "graph.cli.figure:figure_command",
    }

    SHORT_HELP = SHORT_HELP
    """Each lazy command's short help (``get_short_help_str`` without a length limit), for
    ``--help`` without importing the commands: ``graph/cli/shorthelp.py``, generated from the
    commands' own help by ``scripts/cli_docs.py``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._load(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own listing, with the lazy commands' short help from ``SHORT_HELP``."""
        names = self.list_commands(ctx)
        if len(names) == 0:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = super().get_command(ctx, name)
            if command is None and name in self.SHORT_HELP:  # shortened as click shortens the command's own
                command = click.Command(name, help=self.SHORT_HELP[name])
            elif command is None:  # a lazy command without a short help here: load it
                command = self._load(name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _load(self, name: str) -> click.Command | None:
        if name not in self.lazy:
            return None
        module, _, attr = self.lazy[name].partition(":")
        command = getattr(importlib.import_module(module), attr, None)
        return command if isinstance(command, click.Command) else None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--sources", "-s", "sources", multiple=True, type=click.Path(path_type=Path),
              help="Fact files or folders to use (repeatable). Default: the project's sources/; outside a project, "
                   "the bundled dataset.")
@click.option("--out", "out", default=None, type=click.Path(path_type=Path, file_okay=False),
              help="Where the compiled graph lives. Default: the project's out/; outside a project, a folder in "
                   "the user's cache (~/.cache/datareach).")
@click.option("--quiet", "-q", is_flag=True, help="No progress messages on stderr.")
@click.option("--endpoint", metavar="URL", default=None,
              help="Ask a SPARQL 1.1 endpoint (Oxigraph, Virtuoso, Fuseki, GraphDB, Neptune…) instead of the local "
                   "build: sparql sends the query there; reach, table and owner fetch only the facts they need; "
                   "rank reads the whole graph (see datareach push). Credentials: $DATAREACH_ENDPOINT_TOKEN, "
                   "$DATAREACH_ENDPOINT_USER and $DATAREACH_ENDPOINT_PASSWORD, or ~/.netrc.")
@click.option("--graph", "graph", metavar="IRI", default=DEFAULT_GRAPH, show_default=True,
              help="With --endpoint: the named graph to read (sent as default-graph-uri, so the server's own triples "
                   "never mix in); 'default' reads the server's default graph.")
@click.option("--request-method", "method", type=click.Choice(METHODS), default="auto", show_default=True,
              help="With --endpoint: how queries are sent. auto: GET, or a form POST for a long query; post-direct "
                   "(application/sparql-query) is never answered by some servers (Virtuoso 7.2).")
@click.option("--endpoint-timeout", "endpoint_timeout", default=60.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(min=0.1, max=3600), help="With --endpoint: seconds to wait for each answer.")
@click.option("--store", "store", metavar="DIR", default=None, type=click.Path(path_type=Path, file_okay=False),
              help="Answer sparql, reach, table and owner from an on-disk Oxigraph store at DIR, made from the build "
                   "once and reused while it is current: for graphs too large to reload at every start.")
@click.version_option(package_name="datareach")
@click.pass_context
def main(ctx: click.Context, sources: tuple[Path, ...], out: Path | None, quiet: bool, endpoint: str | None,
         graph: str, method: str, endpoint_timeout: float, store: Path | None) -> None:
    """datareach: which companies could reach personal data, by which path, on whose evidence.

    Facts come from cited fact files (YAML, CSV, Turtle, JSON-LD). `build` compiles
    them into a validated RDF graph; the question commands reuse that build while the
    sources are unchanged and rebuild it when they change.

    A project is a folder with a sources/ folder of fact files (`datareach init` makes
    one). Commands work on the project holding the current folder, found as git finds
    its repository (this folder or a parent): its sources/ are the input, its out/ holds
    the build, and `import` writes into its sources/imported/. Outside any project the
    question commands use the bundled dataset (Facebook's data-sharing partnerships and
    the 533M scrape) and say so on stderr. Nothing is written into the installed package.

    \b
    Start here:
      datareach init my-project && cd my-project   # a project with an example fact file
      datareach build                      # validate sources/ and write out/graph.ttl
      datareach reach "phone number"       # who could reach phone numbers, and how
      datareach table                      # the partner table
      datareach sparql --list              # ready-made questions in SPARQL
    """
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise click.BadParameter("use an http(s):// URL", param_hint="--endpoint")
    if graph != SERVER_DEFAULT and not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+", graph):
        raise click.BadParameter("give an absolute IRI (e.g. urn:x:graph or https://…), or 'default'",
                                 param_hint="--graph")
    ctx.obj = Session.from_options(sources, out, progress=quiet_progress if quiet else stderr_progress,
                                   endpoint=endpoint, store_dir=store,
                                   access=Access(None if graph == SERVER_DEFAULT else graph, method, endpoint_timeout))


def max_input_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--max-input-mb``: one size cap for every input file, instead of each format's default."""
    return click.option("--max-input-mb", "max_input_mb", type=click.IntRange(min=1), default=None, metavar="N",
                        help="Refuse input files larger than N MB, read or not (default: YAML 20, CSV 100, "
                             "Turtle and JSON-LD 50, imported datasets 100; also DATAREACH_MAX_INPUT_MB).")(command)


def _report(error: InputError, fmt: str) -> CliError:
    """The problems as JSON on stdout for --format json; the error to raise either way."""
    if fmt == "json":
        import json  # here and in each command's json branch: `--help` and the other commands need none

        click.echo(json.dumps({"ok": False, "problems": [vars(p) for p in error.problems]}, indent=2))
    return CliError(str(error))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts.")
@max_input_option
@wide_option
@click.pass_obj
def check(obj: Session, paths: tuple[Path, ...], fmt: str, max_input_mb: int | None) -> None:
    """Validate fact files without writing anything.

    PATHS are files or folders (default: --sources, else the project's sources/). Every problem is listed with its
    file, line and field, what was expected and the nearest known term. Exit status 0
    when valid, 1 when not.

    \b
    Examples:
      datareach check
      datareach check sources/my-facts.yaml sources/registry.yaml
    """
    from graph.build import compiled
    from graph.build.loader import load

    try:
        loaded = load(list(paths) or obj.inputs(), max_input_mb=max_input_mb)
    except InputError as exc:
        raise _report(exc, fmt) from None
    counts = compiled.summarise(loaded.g)
    if fmt == "json":
        import json

        click.echo(json.dumps({"ok": True, "files": [str(f) for f in loaded.files], "counts": counts,
                               "warnings": [str(w) for w in loaded.warnings]}, indent=2))
    else:
        for w in loaded.warnings:
            say(f"warning: {w}", err=True)
        say(f"ok: {len(loaded.files)} files, " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Output folder (default: --out, i.e. the project's out/).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts.")
@max_input_option
@wide_option
@click.pass_obj
def build(obj: Session, paths: tuple[Path, ...], out_dir: Path | None, fmt: str, max_input_mb: int | None) -> None:
    """Validate fact files and write the compiled graph.

    Writes OUT/graph.ttl and OUT/graph.jsonld (facts plus the ontology) and a cache
    that later commands reuse. On any problem nothing is written and the previous
    build stays as it was.

    \b
    Examples:
      datareach build                       # the project's sources/ -> out/
      datareach build my-facts/ -o out/mine
    """
    from graph.build import compiled

    sources = list(paths) or obj.inputs()
    target = obj.project.out if out_dir is None else out_dir
    try:
        result = compiled.build(sources, target, progress=obj.progress, max_input_mb=max_input_mb)
    except InputError as exc:
        raise _report(exc, fmt) from None
    if fmt == "json":
        import json

        click.echo(json.dumps({"ok": True, "out": str(target), "counts": result.counts, "shacl": result.shacl,
                               "warnings": result.warnings}, indent=2))
        return
    for w in result.warnings:
        say(f"warning: {w}", err=True)
    say(f"built {target}/graph.ttl and {target}/graph.jsonld")
    lines = [f"  {key:<11} {result.counts[key]:,}" for key in ("companies", "data types", "grants", "incidents",
                                                               "holdings", "ownership", "domains", "sources", "claims",
                                                               "triples")]
    say("\n".join([*lines, f"  SHACL       {result.shacl}"]), hanging=12)


@main.command()
@click.argument("folder", required=False, default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts.")
@wide_option
def init(folder: Path, fmt: str) -> None:
    """Make a project folder: sources/ with a registry and an example fact file.

    FOLDER (default: the current folder) gets sources/registry.yaml (the publications
    claims cite), sources/example.yaml (one cited grant, commented), a README and a
    .gitignore for out/. Commands run anywhere inside FOLDER then use its sources/ and
    write their build to its out/. Existing files are never overwritten: if any is there,
    nothing is written.

    \b
    Examples:
      datareach init my-project && cd my-project
      datareach build && datareach reach "private message"
    """
    from graph.build.scaffold import init_project

    project = init_project(folder)
    sources = project.sources[0]
    if fmt == "json":
        import json

        click.echo(json.dumps({"ok": True, "project": str(project.root), "sources": str(sources),
                               "out": str(project.out)}, indent=2))
        return
    say(f"made a datareach project in {project.root}\n"
        f"  {sources}/registry.yaml   the sources your claims cite\n"
        f"  {sources}/example.yaml    an example fact file: edit or replace it\n"
        "next: datareach check, datareach build, datareach reach \"private message\"", hanging=4)


def run() -> None:
    """Entry point that turns stray library errors into clean messages."""
    import os

    try:
        main(standalone_mode=True)
    except DatareachError as exc:  # raised outside a command (the group's own options)
        CliError(str(exc)).show()
        sys.exit(CliError.exit_code)
    except Exception as exc:  # a bug: say so plainly; DATAREACH_DEBUG=1 shows the traceback
        if os.environ.get("DATAREACH_DEBUG"):
            raise
        CliError(f"internal error ({type(exc).__name__}: {exc}); set DATAREACH_DEBUG=1 for details and please "
                 "report it").show()
        sys.exit(CliError.exit_code)
