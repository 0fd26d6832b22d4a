"""The ``datareach serve`` command: a thin leaf over graph.serve.server."""

from __future__ import annotations

import re
import signal
import threading
from typing import Any

import click

from graph.cli.session import (
    CliError,
    Command,
    Session,
    pass_session,
    progress_at,
    say,
    wide_option,
)
from graph.sparql.defaults import DEFAULT_GRAPH, SERVER_DEFAULT


@click.command("serve", cls=Command)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes the graph to the network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--timeout", default=10.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(min=0.1, max=600), help="Stop each query after this long.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(min=1),
              help="Keep at most this many rows (or triples) of a result.")
@click.option("--max-response-mb", default=16, show_default=True, type=click.IntRange(min=1, max=1024),
              help="Refuse results larger than this many megabytes.")
@click.option("--max-concurrent", default=4, show_default=True, type=click.IntRange(min=1, max=64),
              help="Queries run at once; others wait for a free slot up to --queue-timeout.")
@click.option("--queue-timeout", default=30.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(min=0.1, max=600), help="How long a query may wait for a free slot (then 503).")
@click.option("--allow-origin", "origins", multiple=True, metavar="ORIGIN",
              help="Let pages from ORIGIN (e.g. https://yasgui.example.org) read answers (repeatable). "
                   "Default: no cross-origin reads.")
@click.option("--token", default=None, metavar="TOKEN", envvar="DATAREACH_TOKEN",
              help="Require 'Authorization: Bearer TOKEN' (or ?token=TOKEN) on every route but / "
                   "(also read from $DATAREACH_TOKEN).")
@click.option("--reload-interval", default=2.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(min=0.2), help="How often to check for a rebuilt graph.")
@click.option("--engine", default="store", show_default=True, type=click.Choice(["store", "rdflib"]),
              help="store: answer SPARQL from the build's Oxigraph store (or --store DIR); rdflib: load the "
                   "graph into memory (slow on large builds, for comparison).")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="One line per request on stderr.")
@wide_option
@pass_session
def serve(obj: Session, host: str, port: int, timeout: float, max_rows: int, max_response_mb: int,
          max_concurrent: int, queue_timeout: float, origins: tuple[str, ...], token: str | None, reload_interval: float,
          engine: str, access_log: bool) -> None:
    """Serve the built graph: a read-only SPARQL 1.1 endpoint at /sparql and a web page at /.

    Standard clients (SPARQLWrapper, rdflib's SPARQLStore, YASGUI) use /sparql unchanged:
    GET or POST, results as SPARQL JSON, XML, CSV or TSV, graphs as Turtle, N-Triples or
    JSON-LD. The page asks the reach question, shows the partner table, the graph and a
    query editor; it needs no internet. A rebuild (`datareach build`) is picked up
    without a restart. Stop with Ctrl-C.

    \b
    Examples:
      datareach serve
      datareach serve --port 8080 --timeout 5
      datareach serve --allow-origin https://yasgui.example.org --token s3cret
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 3' \\
           http://127.0.0.1:8000/sparql
    """
    from graph.serve.protocol import Settings
    from graph.serve.server import Config, Server
    from graph.serve.state import GraphState, Snapshot, read_fingerprint, snapshot_of
    from graph.sparql.guard import Limits

    _check_origins(origins)
    progress = progress_at(obj.progress)  # the request log is written from the server's threads
    settings = Settings(timeout=timeout, max_rows=max_rows, max_response_bytes=max_response_mb * 1024**2,
                        max_concurrent=max_concurrent, queue_timeout=queue_timeout,
                        limits=Limits(max_result_bytes=4 * max_response_mb * 1024**2))
    if engine != "store" and (obj.store_dir is not None or obj.endpoint is not None):
        raise click.BadParameter("answers from the local build: leave out --store and --endpoint",
                                 param_hint="--engine rdflib")
    folder = obj.store()  # with a store, the triples stay on disk in Oxigraph
    own = folder is None and obj.endpoint is None and engine == "store"  # the build's own store, per build
    if obj.endpoint is not None and folder is None:
        snapshot = Snapshot(read_fingerprint(obj.project.out) or "unknown", obj.rdf_graph(), obj.projection())
    else:  # the graph and the projection of one build, each file checked against its manifest
        snapshot = obj.local().read_build(lambda found: snapshot_of(found, folder, own_store=own))
    state = GraphState(snapshot, out_dir=obj.project.out, interval=reload_interval, progress=progress, store_dir=folder,
                       own_store=own)
    config = Config(host=host, port=port, settings=settings, allow_origins=origins, token=token,
                    access_log=access_log)
    try:
        server = Server(config, state, log=progress)
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    _run_until_signalled(server, progress, host)


def _check_origins(origins: tuple[str, ...]) -> None:
    for origin in origins:
        if not re.fullmatch(r"https?://[^/\s*]+", origin):
            raise click.BadParameter(f"{origin!r}: name an origin like https://yasgui.example.org "
                                     "(scheme and host, no path; '*' is not allowed)",
                                     param_hint="--allow-origin")


def _run_until_signalled(server: Any, progress: Any, host: str) -> None:
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        progress(f"{signal.Signals(signum).name}: stopping")
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    server.start()
    progress(f"serving {server.state.snapshot.triples:,} triples at {server.url} "
             f"(SPARQL endpoint: {server.url}sparql); Ctrl-C to stop")
    if host not in ("127.0.0.1", "localhost", "::1"):
        progress(f"warning: listening on {host}, not only this machine: anyone who can reach it can query it")
    while not stop.wait(0.5):
        pass
    server.stop()
    progress("stopped")


@click.command("push", cls=Command)
@click.option("--endpoint", "store", required=True, metavar="URL",
              help="The server's SPARQL 1.1 Graph Store Protocol URL, e.g. http://localhost:7878/store "
                   "(Oxigraph) or http://localhost:3030/ds/data (Fuseki).")
@click.option("--timeout", default=300.0, show_default=True, metavar="SECONDS", type=click.FloatRange(min=1),
              help="Give up when the server has not taken the graph after this long.")
@click.option("--graph", "graph", metavar="IRI", default=DEFAULT_GRAPH, show_default=True,
              help="The named graph to replace (PUT URL?graph=IRI); 'default' replaces the server's default graph. "
                   "Questions read the same graph with the global --graph.")
@click.option("--format", "fmt", type=click.Choice(["nt", "turtle"]), default="nt", show_default=True,
              help="Send N-Triples (graph.nt) or Turtle (graph.ttl).")
@wide_option
@pass_session
def push_command(obj: Session, store: str, timeout: float, graph: str, fmt: str) -> None:
    """Load the built graph into a SPARQL server, replacing one named graph.

    Builds first if the sources changed. The graph is sent with `PUT URL?graph=IRI`
    (SPARQL 1.1 Graph Store Protocol). Credentials come from $DATAREACH_ENDPOINT_TOKEN
    (a bearer token), $DATAREACH_ENDPOINT_USER and $DATAREACH_ENDPOINT_PASSWORD (Basic
    or Digest, as the server asks), or the server's entry in ~/.netrc; never from the
    command line.

    \b
    Examples:
      oxigraph serve --location store/ &
      datareach push --endpoint http://localhost:7878/store
      datareach --endpoint http://localhost:7878/query reach "phone number"
      DATAREACH_ENDPOINT_USER=dba DATAREACH_ENDPOINT_PASSWORD=… \\
        datareach push --endpoint http://localhost:8890/sparql-graph-crud-auth
      datareach --endpoint http://localhost:8890/sparql reach "phone number"
    """
    from graph.sparql.access import credentials_for
    from graph.sparql.remote import push

    target = None if graph == SERVER_DEFAULT else graph
    obj.local().ensure_built()
    count = push(obj.project.out, store, timeout=timeout, graph=target, fmt=fmt, credentials=credentials_for(store))
    say(f"pushed {count:,} triples to {store} ({'the default graph' if target is None else f'graph <{target}>'})")
