"""The same questions through two real SPARQL servers, Oxigraph and Virtuoso (issue 16).

Each server is started here on 127.0.0.1 (tests/sparql_servers.py); the build is pushed
with `datareach push` into a named graph, then `sparql`, the named queries, `reach`,
`table`, `rank` and `owner` must answer exactly as the local build does. Virtuoso runs with
its stock limits (ResultSetMaxRows 10,000, a Digest-authenticated Graph Store endpoint,
thousands of its own triples in the default graph, no answer to a direct POST).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import console_script
from sparql_servers import REQUIRED, VIRTUOSO, Server, start_oxigraph, start_virtuoso

from graph.cli.main import main
from graph.serve.state import Snapshot, load_snapshot
from graph.sparql.access import DEFAULT_GRAPH, credentials_for
from graph.sparql.local import QueryResult, run_query
from graph.sparql.queries import list_queries
from graph.sparql.remote import Remote
from graph.sparql.result import QueryFailed
from graph.sparql.scoped import read_reach

pytestmark = pytest.mark.server
OXIGRAPH = console_script("oxigraph")
TURTLE_GRAPH = "urn:datareach:test:turtle"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """Both servers, started together (Virtuoso makes its database while Oxigraph is tested)."""
    started: dict[str, Server] = {}
    if OXIGRAPH is not None:
        started["oxigraph"] = start_oxigraph(OXIGRAPH, tmp_path_factory.mktemp("oxigraph"))
    if VIRTUOSO is not None:
        started["virtuoso"] = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield started
    for server in started.values():
        server.stop()


@pytest.fixture(scope="module")
def local(default_build: Path) -> Snapshot:
    snap = load_snapshot(default_build)
    assert snap is not None
    return snap


def run(out: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["-q", "--out", str(out), *args], env=env)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest, servers: dict[str, Server], default_build: Path, local: Snapshot) -> Server:
    """A server holding the pushed build in the named graph (DEFAULT_GRAPH)."""
    name = request.param
    if name not in servers:
        reason = {"oxigraph": "pip install oxigraph (the server)",
                  "virtuoso": "apt-get install virtuoso-opensource (scripts/check.sh does)"}[name]
        if REQUIRED:
            pytest.fail(f"{name} is required here ($CI): {reason}")
        pytest.skip(f"{name} is not installed: {reason}")
    found = servers[name].wait()
    pushed = run(default_build, "push", "--endpoint", found.store_url, env=found.env)
    assert pushed.exit_code == 0, pushed.output
    assert f"pushed {len(local.g):,} triples" in pushed.output and DEFAULT_GRAPH in pushed.output
    return found


def ask(server: Server, out: Path, *args: str) -> Result:
    result = run(out, "--endpoint", server.query_url, *args)
    assert result.exit_code == 0, (result.output, result.stderr)
    return result


def same_json(server: Server, out: Path, *args: str) -> None:
    remote = json.loads(ask(server, out, *args).stdout)
    here = run(out, *args)
    assert here.exit_code == 0, here.output
    assert remote == json.loads(here.stdout), args


def plain(result: QueryResult, numbers: bool = False) -> object:
    """A result as sorted strings; ``numbers``: booleans as 1 and 0, as Virtuoso 7.2 writes EXISTS."""
    def text(t: object) -> str | None:
        value = None if t is None else str(t)
        return {"true": "1", "false": "0"}.get(value or "", value) if numbers else value

    if result.boolean is not None:
        return result.boolean
    if result.graph is not None:
        return sorted((str(s), str(p), str(o)) for s, p, o in result.graph)
    return result.vars, sorted(([text(t) for t in row] for row in result.rows),
                               key=lambda row: [(v is not None, v or "") for v in row])  # an unbound value sorts first


def test_only_our_graph_is_read(server: Server, default_build: Path, local: Snapshot) -> None:
    """Virtuoso's default graph holds thousands of its own triples: the named graph holds ours alone."""
    answer = json.loads(ask(server, default_build, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                            "--format", "json").stdout)
    assert [int(b["n"]["value"]) for b in answer["results"]["bindings"]] == [len(local.g)]


def test_named_queries_same_answers(server: Server, local: Snapshot) -> None:
    remote = Remote(server.query_url, graph=DEFAULT_GRAPH)
    for named in list_queries():
        if named.params:
            continue
        numbers = server.name == "virtuoso"
        assert plain(remote.query(named.text), numbers) == plain(run_query(local.g, named.text), numbers), named.name


REACH = [("phone number",), ("private message", "--permission", "read", "--permission", "delete"),
         ("contact information", "--through-ownership"), ("address book", "--into", "Facebook"),
         ("friends list", "--from", "Facebook", "--as-of", "2014-01-01"), ("personal data", "--stated-only"),
         # filters pushed into the scoped query (issue 16 item 3)
         ("phone number", "--integration", "device integration"),
         ("personal data", "--integration", "device integration", "--integration", "data brokerage", "--as-of", "2015"),
         ("personal data", "--on-by-default", "yes"), ("friends list", "--whose-data", "users' friends"),
         ("personal data", "--as-of", "2010-04"), ("personal data", "--as-of", "2018-06-15"),
         ("personal data", "--source", "techly-2018-12-20"), ("personal data", "--source-after", "2019"),
         ("personal data", "--confidence", "confirmed"), ("personal data", "--confidence", "reported", "--read", "directly")]


@pytest.mark.parametrize("question", REACH, ids=[" ".join(q) for q in REACH])
def test_reach_same_answers(server: Server, default_build: Path, question: tuple[str, ...]) -> None:
    same_json(server, default_build, "reach", *question, "--format", "json", "--limit", "0")


@pytest.mark.parametrize("command", [("table",), ("table", "--company", "Spotify"), ("table", "--data-type", "name"),
                                     ("table", "--data-type", "phone number", "--on-by-default", "yes"),
                                     ("table", "--source-after", "2019", "--company", "Facebook"),
                                     ("table", "--confidence", "confirmed", "--whose-data", "users"),
                                     ("owner", "Instagram"), ("owner", "Spotify"), ("rank",),
                                     ("rank", "--by", "betweenness")])
def test_table_owner_rank_same_answers(server: Server, default_build: Path, command: tuple[str, ...]) -> None:
    same_json(server, default_build, *command, "--format", "json")


def test_reach_reads_only_its_scope(server: Server, local: Snapshot) -> None:
    remote = Remote(server.query_url, graph=DEFAULT_GRAPH)
    reader = read_reach(remote.runner(), "private message")
    assert 0 < len(reader.g) < len(local.g) and remote.bytes_read > 0


def test_the_byte_cap_holds_with_a_clear_message(server: Server) -> None:
    remote = Remote(server.query_url, graph=DEFAULT_GRAPH, budget=20_000)
    with pytest.raises(QueryFailed, match="too large: they passed 20,000 bytes"):
        read_reach(remote.runner(), "personal data")


def test_turtle_loads_the_same(server: Server, default_build: Path, local: Snapshot) -> None:
    """graph.ttl has no escaped local names: every server reads the same triples as from N-Triples."""
    pushed = run(default_build, "push", "--endpoint", server.store_url, "--format", "turtle", "--graph", TURTLE_GRAPH,
                 env=server.env)
    assert pushed.exit_code == 0, pushed.output
    back = Remote(server.query_url, graph=TURTLE_GRAPH).query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert plain(back) == sorted((str(s), str(p), str(o)) for s, p, o in local.g)


def test_request_forms(server: Server, default_build: Path) -> None:
    """GET and form POST work everywhere; a direct POST Virtuoso never answers is a clear timeout."""
    for method in ("get", "post-form"):
        assert json.loads(ask(server, default_build, "--request-method", method, "sparql", "ASK { ?c a dr:Company }",
                   "--format", "json").stdout) == {"head": {}, "boolean": True}
    direct = run(default_build, "--endpoint", server.query_url, "--request-method", "post-direct",
                 "sparql", "ASK { ?c a dr:Company }", "--timeout", "2", "--format", "json")
    if server.name == "virtuoso":
        assert direct.exit_code == 3, direct.output
        assert "did not answer within 2 s" in direct.stderr and "--request-method get or post-form" in direct.stderr
    else:
        assert direct.exit_code == 0 and json.loads(direct.stdout)["boolean"] is True


def test_push_without_credentials_is_refused(server: Server, default_build: Path) -> None:
    if server.name != "virtuoso":
        pytest.skip("Oxigraph's store takes anyone's PUT")
    refused = run(default_build, "push", "--endpoint", server.store_url, env={"NETRC": "/nonexistent"})
    assert refused.exit_code != 0 and "answered 401" in refused.stderr and "DATAREACH_ENDPOINT_USER" in refused.stderr


def test_credentials_from_netrc(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine db.example login dba password s3cret\n")
    found = credentials_for("http://db.example:8890/sparql", {"NETRC": str(netrc)})
    assert (found.user, found.password, found.where) == ("dba", "s3cret", str(netrc))
    assert credentials_for("http://other.example/sparql", {"NETRC": str(netrc)}).user is None


@pytest.mark.parametrize("command", [("reach", "phone number", "--format", "json", "--limit", "0"),
                                     ("reach", "address book", "--into", "Facebook", "--format", "json"),
                                     ("table", "--format", "json"), ("table", "--company", "Spotify", "--format", "json"),
                                     ("owner", "Instagram", "--format", "json")])
def test_store_answers_like_the_build(default_build: Path, tmp_path_factory: pytest.TempPathFactory,
                                      command: tuple[str, ...]) -> None:
    store = tmp_path_factory.getbasetemp() / "t16-store"
    stored = run(default_build, "--store", str(store), *command)
    here = run(default_build, *command)
    assert stored.exit_code == 0 and here.exit_code == 0, stored.output
    assert json.loads(stored.stdout) == json.loads(here.stdout)
