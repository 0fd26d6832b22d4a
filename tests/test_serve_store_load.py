"""serve --store under load (issue 11, High #2): 8 threads gave 500s (TypeError) and a 150-deep
FILTER killed the server process. Now 500 requests from 20 clients, while hostile queries
run, all answer, and the server process lives."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_serve_fixtures import At, free_port, get

# Held to wall-clock limits under concurrency: scripts/check.sh runs these with no other test beside them.
pytestmark = pytest.mark.timed

TRIVIAL = "SELECT ?c WHERE { ?g dr:grantee ?c ; dr:permission dr:delete } ORDER BY ?c"
DEEP = "ASK { ?s ?p ?o FILTER(" + "(" * 150 + "?s = ?s" + ")" * 150 + ") }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HEAVY_PARSE = "SELECT ?s WHERE { ?s ?p ?o " + " ".join(["FILTER(" + "(" * 150 + "1" + ")" * 150 + ")"] * 290) + " }"


@pytest.fixture(scope="module")
def store_server(default_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[At, subprocess.Popen[str]]]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "graph", "-q", "--out", str(default_build), "--store",
                             str(tmp_path_factory.mktemp("st") / "store"), "serve", "--port", str(port),
                             "--no-access-log", "--timeout", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    at = At(port)
    deadline = time.monotonic() + 90
    while True:
        try:
            get(at, "/sparql", params={"query": "ASK {}"})
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
    try:
        yield at, proc
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def test_a_150_deep_filter_does_not_kill_the_store_server(store_server: tuple[At, subprocess.Popen[str]]) -> None:
    at, proc = store_server
    for _ in range(3):
        reply = get(at, "/sparql", params={"query": DEEP, "format": "json"})
        assert reply.status in (200, 400, 503), reply.body[:200]
    assert proc.poll() is None
    assert get(at, "/sparql", params={"query": "ASK {}"}).status == 200


def test_serve_store_holds_500_requests_from_20_clients_while_hostile_queries_run(
        store_server: tuple[At, subprocess.Popen[str]]) -> None:
    at, proc = store_server
    expected = get(at, "/sparql", params={"query": TRIVIAL, "format": "json"}).json()
    stop = threading.Event()
    hostile_statuses: list[int] = []

    def hostile(query: str) -> None:
        while not stop.is_set():
            hostile_statuses.append(get(at, "/sparql", params={"query": query}, timeout=60).status)

    def client(i: int) -> list[tuple[int, float]]:
        out = []
        for _ in range(25):
            start = time.monotonic()
            reply = get(at, "/sparql", params={"query": TRIVIAL, "format": "json"}, timeout=60)
            ok = reply.status == 200 and reply.json() == expected
            out.append((200 if ok else reply.status, time.monotonic() - start))
        return out

    threads = [threading.Thread(target=hostile, args=(q,), daemon=True) for q in (DEEP, SLOW, HEAVY_PARSE)]
    for t in threads:
        t.start()
    try:
        with ThreadPoolExecutor(20) as pool:
            results = [r for rs in pool.map(client, range(20)) for r in rs]
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    errors = [status for status, _ in results if status != 200]
    times = sorted(t for _, t in results)
    print(f"\n500 requests: {len(errors)} errors, p50 {times[len(times) // 2]:.2f} s, "
          f"p95 {times[int(len(times) * 0.95)]:.2f} s; hostile answers {sorted(set(hostile_statuses))}")
    assert len(results) == 500 and errors == []
    assert 500 not in hostile_statuses and proc.poll() is None
