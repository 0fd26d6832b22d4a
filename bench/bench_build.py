"""Build at scale, side by side with a plain-rdflib baseline, in one run.

For a generated dataset (bench/gen.py) this times, each in a fresh process with its peak
memory (from /usr/bin/time when available, else resource.getrusage of the child):

- ours:      ``datareach build`` (validate, resolve, SHACL, project, write TTL/JSON-LD/NT);
- baseline:  plain rdflib doing the least a build must do: parse the same graph
             (the N-Triples our build wrote) into an rdflib Graph and write Turtle and
             JSON-LD. No validation, no projection: a generous baseline.
- reach:     ``datareach reach`` from a fresh process on the built cache;
- rank:      ``datareach rank --by pagerank`` from a fresh process.

    python bench/bench_build.py S M        # sizes to run (L takes long)
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen import generate  # noqa: E402

BASELINE = r"""
import sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format="nt")
g.serialize(destination=sys.argv[2] + "/baseline.ttl", format="turtle")
g.serialize(destination=sys.argv[2] + "/baseline.jsonld", format="json-ld")
print(len(g))
"""


def run(cmd: list[str], timeout: float) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in GB of the child, and its stdout tail."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, "PYTHONHASHSEED": "0"})
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} failed: {proc.stderr[-800:]}")
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: run the small jobs first.
    return wall, max(peak, before) / 1024 / 1024, proc.stdout[-300:]


def bench(size: str, work: Path, timeout: float) -> dict[str, object]:
    data, out = work / f"gen-{size}", work / f"out-{size}"
    counts = generate(size, data)
    py = sys.executable
    ours, ours_gb, _ = run([py, "-m", "graph", "-q", "--out", str(out), "build", str(data)], timeout)
    manifest = json.loads((out / ".datareach" / "manifest.json").read_text())
    reach, _, _ = run([py, "-m", "graph", "-q", "--out", str(out), "-s", str(data), "reach", "phone number", "--format", "json"], timeout)
    rank, _, _ = run([py, "-m", "graph", "-q", "--out", str(out), "-s", str(data), "rank", "--by", "pagerank", "--top", "5"], timeout)
    try:
        base, base_gb, _ = run([py, "-c", BASELINE, str(out / ".datareach" / "graph.nt"), str(work)], timeout)
    except subprocess.TimeoutExpired:
        base, base_gb = float("nan"), float("nan")
    return {"size": size, **counts, "triples": manifest["counts"]["triples"], "build_s": round(ours, 1),
            "build_peak_gb": round(ours_gb, 2), "baseline_s": round(base, 1), "baseline_peak_gb": round(base_gb, 2),
            "ratio": round(base / ours, 1) if base == base else None, "reach_fresh_s": round(reach, 2),
            "rank_pagerank_fresh_s": round(rank, 2)}


def main(sizes: list[str]) -> None:
    machine = {"cores": os.cpu_count(), "python": platform.python_version(),
               "ram_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
               "date": time.strftime("%Y-%m-%d")}
    print(json.dumps(machine))
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            print(json.dumps(bench(size, Path(tmp), timeout=3600)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["S"])
