"""SPARQL from the build's own Oxigraph store by default (issue 17, item 4).

``datareach build`` writes ``builds/TOKEN/store``; ``sparql`` and ``serve`` answer from it;
``--engine rdflib`` keeps the in-memory engine, and gives the same bytes. A query on the
store imports no rdflib in the command's process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from rdflib import Graph
from rdflib.plugins.sparql import parser as rdflib_parser

from graph.build import compiled, oxstore
from graph.build.folder import current
from graph.cli.main import main
from graph.cli.session import Session
from graph.model import prefixes, vocab
from graph.paths import bundled_sources
from graph.serve.state import GraphState, snapshot_of
from graph.sparql.guard import QueryRefused, expand_unicode_escapes
from graph.sparql.output import format_cells, format_result
from graph.sparql.result import CellResult
from graph.sparql.store import build_store, run_store_cells, run_store_query

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("default-store") / "out"
    compiled.build(None, folder)
    return folder


def cli(out: Path, *args: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    """The command in a fresh process: for what only a process shows (its imports)."""
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run([sys.executable, *flags, "-m", "graph", "-q", "--out", str(out), *args],
                          capture_output=True, text=True, timeout=300)


def run(out: Path, *args: str) -> Result:
    """The command in this process (the store query still runs in its sealed child)."""
    return CliRunner().invoke(main, ["-q", "--out", str(out), *args])


@pytest.fixture(scope="module")
def rdflib_graph(out: Path) -> Graph:
    """The build's rdflib graph, read once: ``--engine rdflib`` answers from it in the tests
    that compare many queries, instead of reading graph.nt again for each (seconds each)."""
    return compiled.rdf_graph(None, out)


@pytest.fixture
def both(out: Path, rdflib_graph: Graph, monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[Result, Result]]:
    """The command's answer on the store and with ``--engine rdflib`` (the graph read once)."""
    monkeypatch.setattr(Session, "rdf_graph", lambda self: rdflib_graph)

    def _both(*args: str) -> tuple[Result, Result]:
        # the bytes are compared, not the deadline: rdflib's full scans passed the default 10 s at load 18
        slack = ("--timeout", "120")
        return run(out, "sparql", *slack, *args), run(out, "sparql", "--engine", "rdflib", *slack, *args)

    return _both


def test_build_writes_its_store_marked_with_its_token(out: Path) -> None:
    found = current(out)
    assert found is not None
    store = found.folder / oxstore.STORE
    assert oxstore.read_mark(store) == {"token": found.token}
    folders = found.manifest["folders"]
    assert folders["store"]["files"] > 0 and folders["store"]["size"] > 0
    assert "store" not in found.manifest["files"]  # a folder: counted, not hashed
    triples = ox.Store.read_only(str(store)).query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert int(next(iter(triples))["n"].value) == found.manifest["counts"]["triples"]
    assert build_store(found) == store  # the build's own: nothing to make


QUERIES = [
    "SELECT ?c ?l WHERE { ?g dr:grantee ?c ; dr:permission dr:delete . ?c rdfs:label ?l } ORDER BY ?c ?l",
    # the sources' dates: xsd:date, gYearMonth and gYear literals (one per source, so ?s orders them)
    "SELECT ?s ?d WHERE { ?s dcterms:date ?d } ORDER BY ?s ?d LIMIT 40",
    # SPARQL leaves the order of literals of different datatypes partly open: order by their text
    "SELECT ?x ?o WHERE { ?x ?p ?o FILTER(isLiteral(?o) && datatype(?o) != xsd:string) } "
    "ORDER BY ?x ?p (STR(?o)) (STR(DATATYPE(?o))) LIMIT 200",
    "SELECT (COUNT(*) AS ?n) (AVG(1.5) AS ?avg) (1.0e0 AS ?d) WHERE { ?s a dr:Company }",
    "SELECT ?c (SAMPLE(?l) AS ?label) WHERE { ?c a dr:Company ; rdfs:label ?l } GROUP BY ?c ORDER BY ?c LIMIT 30",
    "ASK { ?g dr:overrodePrivacySetting true }",
    "SELECT ?n WHERE { ?c a dr:Company ; rdfs:label ?n FILTER(false) }",
]
EMPTY = QUERIES[-1]  # the one query whose answer is empty: every other answers with rows (checked in CSV)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_the_store_writes_the_same_bytes_as_the_rdflib_engine(both: Callable[..., tuple[Result, Result]], query: str,
                                                               fmt: str) -> None:
    on_store, in_memory = both(query, "--format", fmt)
    assert on_store.exit_code == 0 and in_memory.exit_code == 0, on_store.output + in_memory.output
    assert on_store.stdout == in_memory.stdout
    if fmt == "csv":  # a header, then rows: not two empty answers compared
        assert any(on_store.stdout.splitlines()[1:]) == (query != EMPTY), on_store.stdout


def test_the_rdflib_engine_reads_the_build_itself(out: Path) -> None:
    """The one comparison with nothing shared: each engine in its own process, reading the build."""
    query = "SELECT ?c ?l WHERE { ?g dr:grantee ?c ; dr:permission dr:delete . ?c rdfs:label ?l } ORDER BY ?c ?l"
    on_store = cli(out, "sparql", query, "--format", "csv")
    in_memory = cli(out, "sparql", "--engine", "rdflib", query, "--format", "csv")
    assert on_store.returncode == 0 and in_memory.returncode == 0, on_store.stderr + in_memory.stderr
    assert on_store.stdout == in_memory.stdout and on_store.stdout.count("\n") > 2


@pytest.mark.parametrize("args", [
    ["--name", "disputes", "--format", "csv"],
    ["--name", "partner-table", "--format", "json"],
    ["--name", "grants-by-company", "--param", "company=RBC", "--format", "csv"],
    ["CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a dr:Company ; rdfs:label ?l }", "--format", "turtle"],
])
def test_named_queries_and_graphs_are_the_same_on_both_engines(both: Callable[..., tuple[Result, Result]],
                                                               args: list[str]) -> None:
    on_store, in_memory = both(*args)
    assert on_store.exit_code == 0 and in_memory.exit_code == 0, on_store.output + in_memory.output
    assert on_store.stdout == in_memory.stdout


def test_a_query_on_the_store_imports_no_rdflib(out: Path) -> None:
    proc = cli(out, "sparql", "SELECT ?n WHERE { ?c a dr:Company ; rdfs:label ?n } LIMIT 2", "--format", "csv",
               importtime=True)
    assert proc.returncode == 0, proc.stderr
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "graph.sparql.store" in imported  # the store path was taken
    assert not {name for name in imported if name.split(".")[0] in ("rdflib", "networkx", "numpy", "scipy")}


def test_a_query_on_the_store_imports_only_what_it_needs(out: Path) -> None:
    """Start-up (issue 17, item 5): a query with --sources given (no notice to fit to the screen)
    imports neither the text fitting (rich), the questions, the answers' sheets nor the CLI's other
    commands; each is imported by the command that needs it."""
    sources = ["-s", str(bundled_sources())]
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "graph", "-q", *sources, "--out", str(out),
                           "sparql", "SELECT ?n WHERE { ?c a dr:Company ; rdfs:label ?n } LIMIT 2", "--format", "csv"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "graph.sparql.store" in imported
    heavy = ("rich", "graph.textfit", "graph.questions", "graph.present", "graph.cli.questions", "graph.cli.viz",
             "graph.build.flowindex", "graph.build.loader", "multiprocessing", "pickle", "socket")
    assert not {name for name in imported if name.startswith(heavy)}


@pytest.mark.parametrize(("query", "message"), [
    ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE is not allowed"),
    ("SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }", "FROM / FROM NAMED is not allowed"),
    ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "updates are not allowed"),
    ("SELECT * WHERE " + "{" * 500 + "}" * 500, "nested too deeply"),
    ("SELECT ?s WHERE { ?s a dr:Company # x\rFILTER(false)\n}", "carriage return"),
    ("SELECT ?s WHERE { ?s a }", "not a valid SPARQL query"),
])
def test_hostile_and_broken_queries_are_refused_on_the_default_path(out: Path, query: str, message: str) -> None:
    result = run(out, "sparql", query)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output, result.output


def test_engine_rdflib_with_store_is_refused(out: Path, tmp_path: Path) -> None:
    result = run(out, "--store", str(tmp_path / "st"), "sparql", "--engine", "rdflib", "ASK {}")
    assert result.exit_code == 2 and "--engine rdflib" in result.stderr, result.output


def test_a_build_without_a_store_gets_one_on_first_query(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(bundled_sources(), sources)
    out = tmp_path / "out"
    compiled.build([sources], out)
    found = current(out)
    assert found is not None
    shutil.rmtree(found.folder / oxstore.STORE)  # as a build made before builds had a store
    proc = subprocess.run([sys.executable, "-m", "graph", "-q", "--sources", str(sources), "--out", str(out), "sparql",
                           "ASK { ?c a dr:Company }"], capture_output=True, text=True, timeout=300)
    assert (proc.returncode, proc.stdout.strip()) == (0, "true"), proc.stderr
    assert oxstore.read_mark(found.folder / oxstore.STORE)["token"] == found.token


def test_cells_and_rdflib_terms_are_written_alike_for_every_literal_of_the_build(out: Path) -> None:
    found = current(out)
    assert found is not None
    rows: list[list[list[str | None] | None]] = []
    for triple in ox.parse(path=str(found.folder / "graph.nt"), format=ox.RdfFormat.N_TRIPLES):
        o = triple.object
        if isinstance(o, ox.Literal):
            datatype = None if o.language is not None or o.datatype.value == XSD + "string" else o.datatype.value
            rows.append([["literal", o.value, datatype, o.language]])
    odd = [("007", "integer"), ("+3", "integer"), ("1", "boolean"), ("1.0E0", "double"), ("1.50", "decimal"),
           ("2018-01-01T00:00:00Z", "dateTime"), ("2018-1-01", "date"), ("0", "integer"), ("-0", "integer")]
    rows += [[["literal", value, XSD + name, None]] for value, name in odd]
    rows += [[["literal", "Hallo", None, "DE"]], [["bnode", "b0"]], [None]]
    cells = CellResult("SELECT", vars=["o"], rows=rows)
    for fmt in ("table", "csv", "tsv", "json", "csv-raw", "tsv-raw"):
        assert format_cells(cells, fmt) == format_result(cells.to_result(), fmt), fmt


@pytest.mark.parametrize("text", [r"\u0053ERVICE", r"\U0001F600 x", r"\\u0041", r"\uD800", r"\U00110000", "plain"])
def test_unicode_escapes_expand_as_rdflib_expands_them(text: str) -> None:
    try:
        expected = rdflib_parser.expandUnicodeEscapes(text)
    except ValueError:
        with pytest.raises(ValueError, match="Invalid unicode code point"):
            expand_unicode_escapes(text)
        return
    assert expand_unicode_escapes(text) == expected


def test_plain_prefixes_are_the_vocabulary_prefixes() -> None:
    assert vocab.PREFIXES is prefixes.PREFIXES  # one table, not a copy kept equal by a test
    assert str(vocab.DR) == prefixes.PREFIXES["dr"] and str(vocab.DT) == prefixes.PREFIXES["dt"]


def test_the_fast_path_refuses_what_the_full_check_refuses(out: Path) -> None:
    store = build_store(current(out))  # type: ignore[arg-type]
    for query in ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "DROP ALL", "SELECT * {"):
        with pytest.raises(QueryRefused):
            run_store_cells(store, query, full_check=False)
        with pytest.raises(QueryRefused):
            run_store_query(store, query)


def test_serve_answers_from_each_builds_own_store(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(bundled_sources(), sources)
    out = tmp_path / "out"
    compiled.build([sources], out)
    first = current(out)
    assert first is not None
    snap = snapshot_of(first, own_store=True)
    assert snap.store == first.folder / oxstore.STORE and len(snap.g) == 0
    assert snap.triples == first.manifest["counts"]["triples"]
    state = GraphState(snap, out_dir=out, own_store=True)
    registry = sources / "registry.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    compiled.build([sources], out)
    second = current(out)
    assert second is not None and state.check()
    assert state.snapshot.store == second.folder / oxstore.STORE
    assert json.loads((second.folder / oxstore.STORE / oxstore.MARK).read_text()) == {"token": second.token}


# as tests/test_import_real.py: ../shared/data beside the checkout (CI lays a copy there) or $DATAREACH_SHARED_DATA
SHARED = Path(os.environ.get("DATAREACH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")) \
    / "disconnect_tracking_protection"


@pytest.mark.slow  # a real import and build: minutes on a loaded machine; the newest-versions run has it
@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared real datasets are not on this machine")
def test_a_real_import_answers_alike_on_both_engines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Disconnect's tracker list, imported and built: the store and rdflib write the same bytes.
    In this process (the store query in its sealed child); the rdflib graph of the build is read once."""
    project = tmp_path / "real"
    project.mkdir()
    monkeypatch.chdir(project)
    read = Session.rdf_graph
    graphs: list[Graph] = []

    def read_once(self: Session) -> Graph:
        if not graphs:
            graphs.append(read(self))
        return graphs[0]

    monkeypatch.setattr(Session, "rdf_graph", read_once)

    def run_here(*args: str) -> Result:
        result = CliRunner().invoke(main, ["-q", *args])
        assert result.exit_code == 0, result.output
        return result

    run_here("init", ".")
    run_here("import", "disconnect", str(SHARED))
    run_here("build")
    for query in ["SELECT ?c ?l WHERE { ?c a dr:Company ; rdfs:label ?l } ORDER BY ?c ?l",
                  # IRIs as objects; not every triple of the graph ordered (minutes on rdflib for the same check)
                  "SELECT ?h ?p ?o WHERE { ?h a dr:Collection ; ?p ?o FILTER(!isLiteral(?o)) } ORDER BY ?h ?p ?o"]:
        on_store = run_here("sparql", "--timeout", "300", query, "--format", "tsv")  # the answer, not the time: CI is shared
        assert on_store.stdout.count("\n") > 100
        assert on_store.stdout == run_here("sparql", "--engine", "rdflib", "--timeout", "300", query, "--format", "tsv").stdout
    assert len(graphs) == 1
