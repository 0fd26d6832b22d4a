"""--store hardening (issue 11): one parse for guard and engine, no network, parsing under the
deadline and in the child, the store made once by processes started together, disk errors."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.build import compiled
from graph.sparql import sandbox
from graph.sparql import store as sparql_store
from graph.sparql.guard import Limits, QueryRefused
from graph.sparql.local import QueryTimeout, run_query
from graph.sparql.store import ensure_store, run_store_query

NO_SCAN = Limits(keyword_scan=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("store-hard")
    out = root / "out"
    compiled.build(None, out)
    return out, ensure_store(out, root / "store")


class _Listener(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A SPARQL-ish server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []
    handler = type("L", (_Listener,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", hits
    finally:
        server.shutdown()
        server.server_close()


def _hidden_services(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ ?s ?p ?o # x\rSERVICE <{url}cr> {{ ?a ?b ?c }}\n}} LIMIT 1",
        f"SELECT * WHERE {{ # x\rSERVICE SILENT <{url}silent> {{ }}\n}}",
        f"PREFIX : <{url}pn>\nSELECT * WHERE {{ SERVICESILENT:x {{ }} }}",
        f"PREFIX : <{url}pn>\nSELECT * WHERE {{ # \rSERVICESILENT:x {{ }}\n}}",
        f"SELECT * WHERE {{ ?s ?p 1SERVICE <{url}num> {{ }} }}",
    ]


def test_service_hidden_behind_cr_comment_is_refused_in_store_mode(built: tuple[Path, Path],
                                                                   listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    for query in _hidden_services(url):
        with pytest.raises(QueryRefused):
            run_store_query(built[1], query, timeout=10)
    time.sleep(0.2)
    assert hits == []


def test_service_hidden_behind_cr_comment_is_refused_in_memory_too(built: tuple[Path, Path],
                                                                   listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    g = compiled.rdf_graph(None, built[0])
    for query in _hidden_services(url):
        with pytest.raises(QueryRefused):
            run_query(g, query, timeout=10)
    assert hits == []


def test_the_store_query_process_cannot_reach_the_network_even_past_the_guard(
        built: tuple[Path, Path], listener: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Oxigraph's HTTP client cannot be turned off: the child has no network at all."""
    if not sandbox.isolate_network.__module__:  # pragma: no cover
        pytest.skip("no isolation")
    url, hits = listener
    monkeypatch.setattr(sparql_store, "prepare_safe", lambda *a, **k: None)  # the guard bypassed
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the point is the listener, below
        run_store_query(built[1], f"SELECT * WHERE {{ SERVICE <{url}bypass> {{ ?a ?b ?c }} }}",
                        timeout=10, limits=NO_SCAN)
    assert "unreachable" in str(caught.value).lower() or "refused" in str(caught.value).lower()
    silent = run_store_query(built[1], f"SELECT * WHERE {{ SERVICE SILENT <{url}bypass> {{ ?a ?b ?c }} }}",
                             timeout=10, limits=NO_SCAN)
    assert silent.kind == "SELECT"
    time.sleep(0.2)
    assert hits == []


def test_without_a_network_namespace_service_is_refused_by_word(
        built: tuple[Path, Path], listener: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    url, hits = listener
    monkeypatch.setattr(sandbox, "isolate_network", lambda: False)
    monkeypatch.setattr(sparql_store, "prepare_safe", lambda *a, **k: None)
    with pytest.raises(QueryRefused, match="network namespace"):
        run_store_query(built[1], f"SELECT * WHERE {{ SERVICE <{url}x> {{ }} }}", limits=NO_SCAN)
    assert run_store_query(built[1], "ASK { ?s ?p ?o }").boolean is True
    assert hits == []


@pytest.mark.parametrize("query", [
    "SELECT ?s WHERE { ?s a dr:Company FILTER(false) }",
    "SELECT ?s WHERE { ?s a dr:Company FILTER(0) }",
    "SELECT ?s WHERE { ?s a dr:Company # x\r\nFILTER(false)\n}",
    "SELECT ?s WHERE { ?s a dr:Company FILTER(true) } ORDER BY ?s",
])
def test_filter_false_means_the_same_in_memory_and_in_the_store(built: tuple[Path, Path], query: str) -> None:
    out, store = built
    g = compiled.rdf_graph(None, out)
    in_memory, on_store = run_query(g, query).rows, run_store_query(store, query).rows
    assert in_memory == on_store
    assert (len(on_store) > 0) == ("true" in query)


def test_filter_false_after_a_cr_comment_is_refused_in_both_modes(built: tuple[Path, Path]) -> None:
    query = "SELECT ?s WHERE { ?s a dr:Company # x\rFILTER(false)\n}"
    with pytest.raises(QueryRefused, match="carriage return"):
        run_query(compiled.rdf_graph(None, built[0]), query)
    with pytest.raises(QueryRefused, match="carriage return"):
        run_store_query(built[1], query)


DEEP_FILTER = "FILTER(" + "(" * 150 + "?s = ?s" + ")" * 150 + ")"


def test_store_parsing_is_bound_by_the_timeout(built: tuple[Path, Path]) -> None:
    """A 90 KB query of deep FILTERs took 27.6 s with --timeout 2: parsing ran outside the deadline."""
    query = "SELECT ?s WHERE { ?s ?p ?o " + " ".join([DEEP_FILTER] * 290) + " }"
    assert 80_000 < len(query) < 100_000
    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        run_store_query(built[1], query, timeout=2)
    assert time.monotonic() - start < 6


def test_a_deep_filter_is_answered_on_the_store(built: tuple[Path, Path]) -> None:
    result = run_store_query(built[1], "ASK { ?s ?p ?o " + DEEP_FILTER + " }", timeout=30)
    assert result.boolean is True


def test_three_processes_making_one_store_together_all_succeed(built: tuple[Path, Path], tmp_path: Path) -> None:
    """Three `sparql --store D` started together failed 6 of 24 times (Directory not empty, Sst mismatch)."""
    out = built[0]
    for round_ in range(2):
        folder = tmp_path / f"st{round_}"
        procs = [subprocess.Popen([sys.executable, "-m", "graph", "-q", "--out", str(out), "--store", str(folder),
                                   "sparql", "ASK { ?s a dr:Company }", "--format", "csv"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
        results = [p.communicate(timeout=120) for p in procs]
        for proc, (stdout, stderr) in zip(procs, results, strict=True):
            assert proc.returncode == 0, stderr
            assert stdout.split() == ["_askResult", "true"]
        assert not [p for p in tmp_path.glob(f".st{round_}.*") if p.is_dir()]


def test_a_busy_store_says_so(built: tuple[Path, Path], tmp_path: Path) -> None:
    import fcntl

    folder = tmp_path / "busy"
    with open(tmp_path / ".busy-lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(sparql_store.StoreBusy, match="being made by another process"):
            ensure_store(built[0], folder, wait=0.3)
    assert ensure_store(built[0], folder) == folder


def test_store_on_a_read_only_folder_is_a_clear_error(built: tuple[Path, Path], tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    proc = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c",
                           f"mount -o bind,ro {parent} {parent} && {sys.executable} -m graph -q --out {built[0]} "
                           f"--store {parent}/store sparql 'ASK {{}}'"],
                          capture_output=True, text=True, timeout=120)
    if "mount" in proc.stderr and proc.returncode != 0 and "store" not in proc.stderr:
        pytest.skip(f"cannot make a read-only mount here: {proc.stderr[:200]}")
    assert proc.returncode != 0
    assert "cannot make the Oxigraph store" in proc.stderr and "Read-only file system" in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr


def test_store_on_a_full_disk_is_a_clear_error(built: tuple[Path, Path], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sparql_store.ox.Store, "bulk_load", full)
    with pytest.raises(sparql_store.StoreError, match="No space left on device"):
        ensure_store(built[0], tmp_path / "full")
    assert not [p for p in tmp_path.glob(".full.*") if p.is_dir()]
