"""Load, reload and the command: 200 concurrent requests all answered correctly; a rebuild
picked up without failing a request in flight; `datareach serve` starts and stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_serve_fixtures import COMPANIES, At, Reply, get, post_form, request, running_server

from graph.build import compiled
from graph.serve.server import Server
from graph.serve.state import load_snapshot
from graph.sparql.local import run_query

# Held to wall-clock limits under concurrency: scripts/check.sh runs these with no other test beside them.
pytestmark = pytest.mark.timed

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "graph" / "examples" / "small.yaml"
NEWCO = 'ASK { ?c a dr:Company ; rdfs:label "Newco" }'


@pytest.fixture(scope="module")
def server(default_build: Path) -> Iterator[Server]:
    with running_server(default_build) as srv:
        yield srv


def test_200_concurrent_requests(server: Server, default_build: Path) -> None:
    snap = load_snapshot(default_build)
    assert snap is not None
    names = [str(r[1]) for r in run_query(snap.g, COMPANIES).rows]
    reach_json = get(server, "/reach.json", params={"data_type": "phone number"}).json()

    def one(i: int) -> bool:
        kind = i % 4
        if kind == 0:
            reply = get(server, "/sparql", params={"query": COMPANIES})
        elif kind == 1:
            reply = post_form(server, [("query", COMPANIES)])
        elif kind == 2:
            reply = request(server, "POST", "/sparql", body=COMPANIES,
                            headers={"Content-Type": "application/sparql-query"})
        else:
            return get(server, "/reach.json", params={"data_type": "phone number"}).json() == reach_json
        return reply.status == 200 and [b["name"]["value"] for b in reply.json()["results"]["bindings"]] == names

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(one, range(200)))
    assert all(results), f"{results.count(False)} of 200 wrong"


def build_small(out: Path, extra_company: str | None = None) -> None:
    text = SMALL.read_text(encoding="utf-8")
    if extra_company is not None:
        text = text.replace("companies:\n", f"companies:\n  - name: {extra_company}\n", 1)
    source = out.parent / "src" / "facts.yaml"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(text, encoding="utf-8")
    compiled.build([source], out)


def test_reload_after_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_small(out)
    failures: list[str] = []
    stop = threading.Event()
    with running_server(out, interval=0.2) as srv:
        def hammer() -> None:
            while not stop.is_set():
                reply = get(srv, "/sparql", params={"query": "ASK { ?c a dr:Company }"})
                if reply.status != 200 or reply.json()["boolean"] is not True:
                    failures.append(f"{reply.status} {reply.body[:80]!r}")
        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            assert get(srv, "/sparql", params={"query": NEWCO}).json()["boolean"] is False
            build_small(out, "Newco")
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if get(srv, "/sparql", params={"query": NEWCO}).json()["boolean"]:
                    break
                time.sleep(0.1)
            else:
                pytest.fail("the rebuilt graph was not picked up")
            assert srv.state.reloads == 1
            assert "Newco" in get(srv, "/table").text or "Newco" in get(srv, "/graph").text
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert failures == []


def _start_cli(out: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    code = ("from graph.cli.main import LazyGroup, run; "
            "LazyGroup.lazy.setdefault('serve', 'graph.cli.serving:serve'); run()")
    proc = subprocess.Popen([sys.executable, "-c", code, "--out", str(out), "serve", "--port", "0", *args],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    lines = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        lines.append(line)
        found = re.search(r"at (http://127\.0\.0\.1:\d+/) ", line)
        if found:
            return proc, found.group(1)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    pytest.fail("the server did not start:\n" + "".join(lines))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_starts_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "out"
    build_small(out)
    proc, url = _start_cli(out, "--timeout", "3")
    try:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        reply: Reply = get(At(port), "/sparql", params={"query": "ASK { ?c a dr:Company }"})
        assert reply.status == 200 and reply.json()["boolean"] is True
        proc.send_signal(sig)
        assert proc.wait(15) == 0
        assert proc.stderr is not None
        rest = proc.stderr.read()
        assert "stopping" in rest and "stopped" in rest and "Traceback" not in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("origin", ["*", "https://ok.example/path", "null"])
def test_cli_refuses_a_bad_origin(tmp_path: Path, origin: str) -> None:
    code = ("from graph.cli.main import LazyGroup, run; "
            "LazyGroup.lazy.setdefault('serve', 'graph.cli.serving:serve'); run()")
    done = subprocess.run([sys.executable, "-c", code, "--out", str(tmp_path / "out"), "serve",
                           "--allow-origin", origin], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 2 and "--allow-origin" in done.stderr and "Traceback" not in done.stderr
