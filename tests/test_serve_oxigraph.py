"""The same questions through a real Oxigraph server (PyPI `oxigraph`, started here): push a
build with the Graph Store Protocol, then SPARQL, reach, table and rank give the local answers."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from conftest import console_script
from test_serve_fixtures import COMPANIES, running_server

from graph.build.projection import project
from graph.questions.rank import rank
from graph.questions.reach import reach
from graph.questions.table import partner_table
from graph.serve.state import Snapshot, load_snapshot
from graph.sparql.access import DEFAULT_GRAPH
from graph.sparql.local import QueryRefused, QueryResult, run_query
from graph.sparql.queries import bind_params, get_query, list_queries
from graph.sparql.remote import EndpointError, push, remote_graph, remote_query

OXIGRAPH = console_script("oxigraph")
pytestmark = pytest.mark.skipif(OXIGRAPH is None, reason="pip install oxigraph (the server) to run these")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert OXIGRAPH is not None
    port = free_port()
    store = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("oxigraph did not start")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def local(default_build: Path) -> Snapshot:
    snap = load_snapshot(default_build)
    assert snap is not None
    return snap


@pytest.fixture(scope="module")
def pushed(oxigraph: str, default_build: Path, local: Snapshot) -> str:
    assert push(default_build, oxigraph + "/store") == len(local.g)  # the library's calls read the default graph
    assert push(default_build, oxigraph + "/store", graph=DEFAULT_GRAPH) == len(local.g)  # and the CLI this one
    return oxigraph + "/query"


def plain(result: QueryResult) -> object:
    if result.boolean is not None:
        return result.boolean
    if result.graph is not None:
        return sorted((str(s), str(p), str(o)) for s, p, o in result.graph)
    return result.vars, sorted(([str(t) if t is not None else None for t in row] for row in result.rows),
                               key=lambda row: [(v is not None, v or "") for v in row])


QUERIES = [COMPANIES, "ASK { ?c a dr:Company }", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
           "CONSTRUCT { ?c rdfs:label ?n } WHERE { ?c a dr:Company ; rdfs:label ?n }"]


@pytest.mark.parametrize("query", QUERIES)
def test_same_sparql_answers(pushed: str, local: Snapshot, query: str) -> None:
    assert plain(remote_query(pushed, query)) == plain(run_query(local.g, query))


def test_named_queries_same_answers(pushed: str, local: Snapshot) -> None:
    for named in list_queries():
        if named.params:
            continue
        assert plain(remote_query(pushed, named.text)) == plain(run_query(local.g, named.text)), named.name


def test_parameters_travel_as_values(pushed: str, local: Snapshot) -> None:
    query = get_query("grants-by-company")
    bindings = bind_params(local.g, query, {"company": "Spotify"})
    remote = remote_query(pushed, query.text, bindings=bindings)
    assert remote.rows and plain(remote) == plain(run_query(local.g, query.text, bindings=bindings))


def _normal(G: nx.MultiDiGraph) -> str:
    """The graph as canonical JSON: nodes, edges (with keys) and every attribute, sorted (a
    snapshot's holdings, read when used, as the lists they stand for)."""
    import json

    from graph.build.heldcols import HeldList

    return json.dumps({"graph": G.graph, "nodes": sorted(G.nodes(data=True)),
                       "edges": sorted(G.edges(keys=True, data=True))}, sort_keys=True,
                      default=lambda o: list(o) if isinstance(o, HeldList) else str(o))


def test_reach_table_rank_through_the_endpoint(pushed: str, local: Snapshot) -> None:
    G = project(remote_graph(pushed))
    assert _normal(G) == _normal(local.G)  # every node, edge and attribute, not only the names
    for data_type in ("phone number", "private message"):
        assert reach(G, data_type).to_json() == reach(local.G, data_type).to_json()
    assert partner_table(G) == partner_table(local.G)
    assert rank(G, by="reach") == rank(local.G, by="reach")


def test_our_endpoint_is_a_remote_too(default_build: Path, local: Snapshot) -> None:
    with running_server(default_build) as srv:
        for query in QUERIES:
            assert plain(remote_query(srv.url + "sparql", query)) == plain(run_query(local.g, query))


def test_clean_errors(oxigraph: str) -> None:
    with pytest.raises(QueryRefused):
        remote_query(oxigraph + "/query", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(EndpointError, match="answered 400"):
        remote_query(oxigraph + "/query", "SELECT ?x WHERE { ?x ")
    with pytest.raises(EndpointError, match="cannot reach"):
        remote_query(f"http://127.0.0.1:{free_port()}/query", "ASK {}", timeout=5)


def test_push_command(oxigraph: str, default_build: Path, local: Snapshot) -> None:
    """`datareach push --endpoint URL` (the command's module, wired as the CLI will wire it)."""
    import sys

    code = ("from graph.cli.main import LazyGroup, run; "
            "LazyGroup.lazy.setdefault('push', 'graph.cli.serving:push_command'); run()")
    done = subprocess.run([sys.executable, "-c", code, "--out", str(default_build), "push", "--endpoint",
                           oxigraph + "/store"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"pushed {len(local.g):,} triples" in done.stdout
    count = remote_query(oxigraph + "/query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
    assert int(str(count)) == len(local.g)
    bad = subprocess.run([sys.executable, "-c", code, "--out", str(default_build), "push", "--endpoint",
                          f"http://127.0.0.1:{free_port()}/store"], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "cannot reach" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_commands_through_endpoint_match_local(pushed: str, default_build: Path, local: Snapshot) -> None:
    """`datareach --endpoint URL reach|table|sparql` answer as the local build does."""
    import json
    import sys

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "graph", "-q", "--out", str(default_build), *args],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        return done.stdout

    remote = json.loads(cli("--endpoint", pushed, "reach", "phone number", "--format", "json"))
    assert remote == json.loads(cli("reach", "phone number", "--format", "json"))
    assert cli("--endpoint", pushed, "table", "--format", "csv") == cli("table", "--format", "csv")
    query = "SELECT ?c WHERE { ?g dr:grantee ?c ; dr:permission dr:delete } ORDER BY ?c"
    assert cli("--endpoint", pushed, "sparql", query, "--format", "csv") == cli("sparql", query, "--format", "csv")


def test_cli_endpoint_errors_are_clean(default_build: Path) -> None:
    import sys

    done = subprocess.run([sys.executable, "-m", "graph", "-q", "--out", str(default_build), "--endpoint",
                           f"http://127.0.0.1:{free_port()}/query", "reach", "phone number"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "cannot reach" in done.stderr and "Traceback" not in done.stderr
