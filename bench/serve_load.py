"""How does `datareach serve` hold up? (issue 6) A bounded load and a slow+fast pair on loopback.

  load      200 requests from a pool of 32 threads (SPARQL GET, POST form, POST direct,
            /reach.json in turn), every answer checked; latency percentiles and throughput;
  idle      a trivial ASK on an idle server, 20 times;
  slow+fast a hostile cartesian-product query (stopped at --timeout) and, while it runs,
            trivial ASKs one after another: how long each waits.

    python bench/serve_load.py                      # default dataset, built in a temp dir
    python bench/serve_load.py --out out --requests 500 --workers 50

Not part of the test suite (tests/test_serve_load.py and test_serve_hostile.py check the
same things with generous bounds); timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.build import compiled  # noqa: E402
from graph.serve.protocol import Settings  # noqa: E402
from graph.serve.server import Config, Server  # noqa: E402
from graph.serve.state import GraphState, load_snapshot  # noqa: E402
from graph.sparql.local import run_query  # noqa: E402

COMPANIES = "SELECT ?c ?name WHERE { ?c a dr:Company ; rdfs:label ?name } ORDER BY ?name"
ASK = "ASK { ?c a dr:Company }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def call(port: int, method: str, path: str, body: str | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=None if body is None else body.encode(), headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, data, time.perf_counter() - start
    finally:
        conn.close()


def q(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


def load(port: int, requests: int, workers: int, names: list[str], reach_json: object) -> dict[str, float]:
    def one(i: int) -> tuple[bool, float]:
        kind = i % 4
        if kind == 0:
            status, body, t = call(port, "GET", q(COMPANIES))
        elif kind == 1:
            status, body, t = call(port, "POST", "/sparql", urlencode({"query": COMPANIES}),
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        elif kind == 2:
            status, body, t = call(port, "POST", "/sparql", COMPANIES, {"Content-Type": "application/sparql-query"})
        else:
            status, body, t = call(port, "GET", "/reach.json?data_type=phone+number")
            return status == 200 and json.loads(body) == reach_json, t
        ok = status == 200 and [b["name"]["value"] for b in json.loads(body)["results"]["bindings"]] == names
        return ok, t

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, range(requests)))
    wall = time.perf_counter() - start
    times = sorted(t for _, t in results)
    return {"requests": requests, "workers": workers, "correct": sum(ok for ok, _ in results),
            "wall_s": wall, "per_s": requests / wall, **percentiles(times)}


def percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    pick = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1000  # noqa: E731
    return {"p50_ms": pick(0.5), "p95_ms": pick(0.95), "max_ms": times[-1] * 1000,
            "mean_ms": statistics.fmean(times) * 1000}


def slow_and_fast(port: int, timeout: float) -> dict[str, object]:
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(call, port, "GET", q(CARTESIAN))
        time.sleep(0.2)
        fast = []
        while not slow.done():
            status, _, t = call(port, "GET", q(ASK))
            assert status == 200
            fast.append(t)
        status, body, slow_t = slow.result()
    return {"slow_status": status, "slow_s": slow_t, "slow_body": body.decode()[:80], "fast_count": len(fast),
            **{f"fast_{k}": v for k, v in percentiles(fast).items()}, "timeout_s": timeout}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="a built out/ folder (default: build sources/ in a temp dir)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out
        if out is None:
            out = Path(tmp) / "out"
            compiled.build([ROOT / "sources"], out)
        snap = load_snapshot(out)
        assert snap is not None, f"no build in {out}"
        names = [str(r[1]) for r in run_query(snap.g, COMPANIES).rows]
        server = Server(Config(port=0, settings=Settings(timeout=args.timeout)), GraphState(snap))
        with server:
            reach_json = json.loads(call(server.port, "GET", "/reach.json?data_type=phone+number")[1])
            idle = percentiles([call(server.port, "GET", q(ASK))[2] for _ in range(20)])
            figures = {"idle_ask": idle, "load": load(server.port, args.requests, args.workers, names, reach_json),
                       "slow_and_fast": slow_and_fast(server.port, args.timeout),
                       "machine": f"{os.cpu_count()} CPUs, CPython {platform.python_version()}, "
                                  f"{len(snap.g):,} triples"}
    print(json.dumps(figures, indent=2))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
