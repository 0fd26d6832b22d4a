"""serve --store: /sparql and the pages answer from the on-disk Oxigraph store as from memory."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_serve_fixtures import At, free_port, get, running_server

from graph.serve.protocol import Settings
from graph.serve.server import Config, Server
from graph.serve.state import GraphState, load_snapshot

QUERY = "SELECT ?c WHERE { ?g dr:grantee ?c ; dr:permission dr:delete } ORDER BY ?c"


def test_store_snapshot_answers_like_the_in_memory_one(default_build: Path, tmp_path: Path) -> None:
    snap = load_snapshot(default_build, tmp_path / "store")
    assert snap is not None and snap.store is not None and len(snap.g) == 0 and snap.triples > 1000
    server = Server(Config(port=0, settings=Settings(timeout=5.0)), GraphState(snap))
    server.start()
    try:
        with running_server(default_build) as memory:
            for path, params in (("/sparql", {"query": QUERY, "format": "json"}),
                                 ("/sparql", {"query": "ASK { ?i a dr:Incident }", "format": "json"}),
                                 ("/reach.json", {"data_type": "phone number"}),
                                 ("/table.json", {})):
                on_store, in_memory = get(server, path, params=params), get(memory, path, params=params)
                assert on_store.status == in_memory.status == 200
                assert json.loads(on_store.body) == json.loads(in_memory.body)
        refused = get(server, "/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
        assert refused.status == 400 and b"SERVICE" in refused.body
    finally:
        server.stop()


def test_serve_command_with_store(default_build: Path, tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "graph", "-q", "--out", str(default_build), "--store",
                             str(tmp_path / "store"), "serve", "--port", str(port), "--no-access-log"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                reply = get(At(port), "/sparql", params={"query": QUERY, "format": "json"})
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.2)
        rows = json.loads(reply.body)["results"]["bindings"]
        assert [r["c"]["value"].rsplit("/", 1)[-1] for r in rows] == ["dropbox", "netflix", "royal-bank-of-canada", "spotify"]
        assert (tmp_path / "store" / "datareach-build.json").is_file()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)

