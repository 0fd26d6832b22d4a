"""What every command shares, and the one place errors become messages and exit codes.

``Session`` is the CLI's context object (``ctx.obj``): the project the command works on
(``graph.build.project.Project``), and where questions go instead of the local build (a
SPARQL endpoint, or an on-disk Oxigraph store). Commands ask it for the graph; tests give
commands a session of a project they built, never lambdas.

``Command`` and ``CliError`` do what sqlite-utils does with ``click.ClickException``: a
command raises a typed error, and ``Command.invoke`` turns every library error
(``graph.errors.DatareachError``) into ``error: …`` on stderr and its exit code.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from graph.errors import DatareachError
from graph.progress import Progress, quiet
from graph.safetext import printable

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

    from graph.build.flowgraph import FlowGraph
    from graph.build.flowindex import FlowIndex
    from graph.build.project import Project
    from graph.sparql.remote import Remote
    from graph.sparql.scoped import Runner, ScopeReader

EXIT_FAILED, EXIT_BAD_INPUT, EXIT_TIMEOUT = 1, 2, 3
_STARTED = time.monotonic()


class CliError(click.ClickException):
    """``error: MESSAGE`` on stderr (control characters shown, never obeyed), exit status 1."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))

    def show(self, file: IO[Any] | None = None) -> None:
        say(f"error: {self.message}", err=True)


class BadInput(CliError):
    """Refused input (a query, a parameter): exit status 2."""

    exit_code = EXIT_BAD_INPUT


class TimedOut(CliError):
    """Work stopped at its time limit: exit status 3."""

    exit_code = EXIT_TIMEOUT


class Command(click.Command):
    """A command whose library errors become a ``CliError``: one place for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DatareachError as exc:
            raise CliError(str(exc)) from None


def stderr_progress(message: str, width: int | None | bool = True) -> None:
    """A progress line on stderr; after the first seconds, with the time elapsed (long builds).
    ``width``: what to fit it to (True: ``screen_width`` now; a thread without the command's
    context passes the width its command found, see ``progress_at``)."""
    elapsed = int(time.monotonic() - _STARTED)
    line = f"datareach: {message}" + (f" [{elapsed // 60}:{elapsed % 60:02d} elapsed]" if elapsed >= 5 else "")
    fitted = screen_width(err=True) if width is True else None if width is False else width
    from graph import textfit

    click.echo(textfit.fit(line, fitted, long_words="keep"), err=True)


def progress_at(progress: Progress) -> Progress:
    """``progress`` for other threads (a server's request log): ``stderr_progress`` fitted to the
    width found now, in the command (``--wide`` is known only in the command's own thread)."""
    if progress is not stderr_progress:
        return progress
    width = screen_width(err=True)
    return functools.partial(stderr_progress, width=width if width is not None else False)


_WIDE = "datareach.wide"  # in click's ctx.meta: --wide was given
DEFAULT_WIDTH = 80
"""The width of text for people when the output is not a terminal and COLUMNS is not set."""


def _set_wide(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[_WIDE] = True
    return value


def wide_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--wide``: the command's text for people whole, on long lines, instead of fitted to the terminal."""
    return click.option("--wide", is_flag=True, expose_value=False, callback=_set_wide,
                        help="Print the full text on long lines, instead of wrapping and shortening it to the "
                             "terminal's width (COLUMNS, else the terminal, else 80).")(command)


def screen_width(*, err: bool = False) -> int | None:
    """The width text for people is fitted to: None (no limit) after ``--wide``; else ``COLUMNS``
    when set, else the terminal's width. Not a terminal (a pipe or a file) and no ``COLUMNS``:
    80 for standard output (an answer stays readable in a pager or a file), None for standard
    error (a log keeps each message on one line). Widths below ``graph.textfit.MIN_WIDTH`` count
    as that."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(_WIDE):
        return None
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        from graph.textfit import MIN_WIDTH  # rich.cells: imported when text is fitted

        return max(int(columns), MIN_WIDTH)
    stream = sys.stderr if err else sys.stdout
    try:
        if stream.isatty():
            from graph.textfit import MIN_WIDTH

            return max(os.get_terminal_size(stream.fileno()).columns, MIN_WIDTH)
    except (AttributeError, OSError, ValueError):  # a replaced stream (tests) or no terminal
        pass
    return None if err else DEFAULT_WIDTH


def say(text: str, *, err: bool = False, hanging: int = 2) -> None:
    """Echo a message for people (a summary, a warning, an error, progress), each line fitted to
    ``screen_width`` (``graph.textfit.fit``: wrapped at spaces, continuation lines indented by
    ``hanging``) and its control characters shown, never obeyed. A word longer than a line (a
    path, an address) is kept whole on a line of its own: it is there to be copied."""
    from graph import textfit

    click.echo(textfit.fit(text, screen_width(err=err), hanging=hanging, long_words="keep"), err=err)


@dataclass(frozen=True)
class Access:
    """How to ask an endpoint: the graph read (None: the server's default), the request form, the time per answer."""

    graph: str | None = None
    method: str = "auto"
    timeout: float = 60.0


class Session:
    """The project a command works on, and where its questions go.

    Parameters
    ----------
    project : Project
        The sources and the build folder.
    bundled : bool
        True when the project is the bundled dataset because no project was found: the
        first command that reads it says so on stderr.
    out_given : bool
        True when ``--out`` was given (files the user asks for go there).
    endpoint : str or None
        A SPARQL 1.1 endpoint to ask instead of the local build.
    store_dir : Path or None
        An on-disk Oxigraph store to answer SPARQL from.
    access : Access, optional
        With an endpoint: the graph it reads, the request form, the time per answer.
    """

    def __init__(self, project: Project, *, bundled: bool = False, out_given: bool = False,
                 endpoint: str | None = None, store_dir: Path | None = None, access: Access | None = None) -> None:
        self.project, self.bundled, self.out_given = project, bundled, out_given
        self.endpoint, self.store_dir = endpoint, store_dir
        self.access = access or Access()
        self._endpoint: Remote | None = None
        self._announced = False
        self._remote: Graph | None = None
        self._store: Path | None = None

    @classmethod
    def from_options(cls, sources: tuple[Path, ...], out: Path | None, *, progress: Progress = quiet,
                     endpoint: str | None = None, store_dir: Path | None = None,
                     access: Access | None = None) -> Session:
        """The session the global options describe (see ``datareach --help`` for the rule)."""
        from graph.build.project import Project

        found = Project.find(progress=progress)
        bundled = len(sources) == 0 and found is None
        if len(sources) > 0:
            base = Project.of(list(sources), out if out is not None else "out", progress=progress)
            root = None if found is None else found.root
            project = Project(base.sources, out if out is not None else _default_out(found, base), root, progress)
        elif found is not None:
            project = found if out is None else Project(found.sources, out, found.root, progress)
        else:
            bundle = Project.bundled(progress=progress)
            project = bundle if out is None else Project(bundle.sources, out, None, progress)
        return cls(project, bundled=bundled, out_given=out is not None, endpoint=endpoint, store_dir=store_dir,
                   access=access)

    @property
    def progress(self) -> Progress:
        return self.project.progress

    def inputs(self) -> list[Path]:
        """The sources a command reads; says once on stderr when that is the bundled dataset."""
        if self.bundled and not self._announced:
            self._announced = True
            say("datareach: no project here (no sources/ in this folder or a parent): using the bundled "
                "dataset; `datareach init` makes a project", err=True)
        return list(self.project.sources)

    def local(self) -> Project:
        """The project, once any bundled-dataset notice has been given."""
        self.inputs()
        return self.project

    def deliverable(self, name: str) -> Path:
        """Where a file the user asked for goes by default: under --out or the project's out/;
        outside a project, the current folder (the build itself lives in the cache)."""
        return self.project.out / name if self.out_given or self.project.root is not None else Path(name)

    def projection(self) -> nx.MultiDiGraph:
        if self.endpoint is not None:
            from graph.build.projection import project

            return project(self.rdf_graph())
        return self.local().projection()

    def flow_graph(self) -> FlowGraph | nx.MultiDiGraph:
        """What the table, the exports, owner and viz read: the build row by row, or (from an endpoint) the projection."""
        if self.endpoint is not None:
            return self.projection()
        return self.local().flow_graph()

    def drawing(self) -> tuple[nx.MultiDiGraph, FlowIndex | None]:
        """What viz and figure draw from: the networkx projection (its layout and ranking need
        networkx), each holder's holdings decoded only when read, and the build's flow index it
        was read from (None from an endpoint), which the reach views ask."""
        from graph.build.flowgraph import FlowGraph

        flows = self.flow_graph()
        if isinstance(flows, FlowGraph):
            return flows.to_networkx(lazy_holds=True), flows.index
        return flows, None

    def flows(self) -> FlowIndex | nx.MultiDiGraph:
        """What reach and rank read: the flow index, or (from an endpoint) the projection."""
        if self.endpoint is not None:
            return self.projection()
        return self.local().flows()

    def store(self) -> Path | None:
        """The on-disk store (made from the current build on first use), or None without ``--store``."""
        if self.store_dir is None:
            return None
        if self._store is None:
            from graph.sparql.store import ensure_store

            folder = self.store_dir
            self.progress(f"using the Oxigraph store {folder}")
            self._store = self.local().read_build(lambda found: ensure_store(self.project.out, folder, found))
        return self._store

    def sparql_store(self, engine: str = "store") -> Path | None:
        """Where ``sparql`` and ``serve`` answer from: the ``--store`` folder if given; else,
        unless ``--endpoint`` is given or ``engine`` is ``rdflib``, the build's own store
        (``builds/TOKEN/store``, made by ``datareach build``); None for the other engines."""
        if self.store_dir is not None:
            return self.store()
        if self.endpoint is not None or engine != "store":
            return None
        if self._store is None:
            from graph.sparql.store import build_store

            self._store = self.local().read_build(build_store)
        return self._store

    def remote(self) -> Remote:
        """The endpoint, with the graph, request form, timeout and credentials to ask it with."""
        assert self.endpoint is not None
        if self._endpoint is None:
            from graph.sparql.access import credentials_for
            from graph.sparql.remote import Remote

            self._endpoint = Remote(self.endpoint, graph=self.access.graph, method=self.access.method,
                                    credentials=credentials_for(self.endpoint), timeout=self.access.timeout)
        return self._endpoint

    def scoped(self, read: Callable[[Runner], ScopeReader]) -> nx.MultiDiGraph | None:
        """With ``--endpoint`` or ``--store``: the projection of the facts ``read`` fetches from
        there (one question's scope, see graph.sparql.scoped); None for the local build."""
        run: Runner
        if self.store_dir is not None:
            from graph.sparql.store import store_runner

            folder = self.store()
            assert folder is not None
            run, where = store_runner(folder), f"the store {folder}"
        elif self.endpoint is not None:
            run, where = self.remote().runner(), self.endpoint
        else:
            return None
        from graph.build.projection import project

        reader = read(run)
        counts = reader.counts
        self.progress(f"read {counts.triples:,} triples ({counts.keys:,} facts listed) in {counts.queries:,} "
                      f"queries from {where}")
        return project(reader.g)

    def rdf_graph(self) -> Graph:
        if self.endpoint is not None:
            if self._remote is None:
                from graph.sparql.remote import remote_graph

                self.progress(f"reading the whole graph from {self.endpoint}")
                self._remote = remote_graph(self.remote())
            return self._remote
        return self.local().rdf_graph()


def _default_out(found: Project | None, given: Project) -> Path:
    """Without --out, sources given by --sources build into the project's out/, else the cache."""
    from graph.paths import cache_out

    return found.out if found is not None else cache_out(list(given.sources))


def session_of(ctx: click.Context) -> Session:
    """The command's session; a command run on its own (tests) gets one for the current folder."""
    obj = ctx.find_object(Session)
    if obj is None:
        obj = Session.from_options((), None)
        ctx.obj = obj
    return obj


def pass_session(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command its ``Session`` as the first argument (like ``click.pass_obj``)."""

    @click.pass_context
    def wrapper(ctx: click.Context, /, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(command, session_of(ctx), *args, **kwargs)

    return functools.update_wrapper(wrapper, command)


def partial_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """click callback for --as-of: YYYY, YYYY-MM or YYYY-MM-DD (a real date)."""
    if value is not None:
        from graph import dates

        try:
            dates.parse(value)
        except ValueError as exc:
            raise click.BadParameter(f"{exc}: use YYYY, YYYY-MM or YYYY-MM-DD") from None
    return value
