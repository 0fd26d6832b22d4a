"""The columnar build beside its anchor and the per-row build, each in a fresh process.

For each generated dataset (bench/gen.py) this measures, with each process's own peak
memory (``os.wait4``):

- columns:  ``graph.build.compiled.build`` with the bulk grants.csv compiled by columns
            (graph.build.columnar; the YAML files per row), every file the build writes;
- rows:     the same build with everything per row (the build before the columnar path);
            skipped with ``--no-rows`` (at L it needs about 15 GB and many minutes);
- anchor:   pyoxigraph ``Store.bulk_load`` of the N-Triples the columnar build wrote
            (in memory), the plainest library route to a loaded graph of the same triples.

It reports times, peak RSS, bytes per triple and the ratios columns/anchor and
rows/columns, and writes them to ``bench/results/columnar-<sizes>.json``.

    python bench/gen.py M /tmp/gen-M
    python bench/bench_columnar.py /tmp/gen-M --work /tmp/bench-columnar
    python bench/bench_columnar.py /tmp/gen-L --work /var/tmp/bench --no-rows
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

BUILD = r'''
import json, sys
from graph.build import columnar, compiled
columnar.MIN_BYTES = 0 if sys.argv[3] == "columns" else 1 << 62
result = compiled.build(sys.argv[1], sys.argv[2], max_input_mb=100_000)
print(json.dumps(result.counts))
'''

ANCHOR = r'''
import sys, pyoxigraph as ox
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
print(len(store))
'''


def measure(code: str, *args: str) -> dict[str, Any]:
    """``run`` with the peak RSS of the process (``os.wait4``: the process itself, not its children)."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: replace it with the interpreter, stdout to a file
        fd = os.open(args[-1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execv(sys.executable, [sys.executable, "-c", code, *args[:-1]])
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    text = Path(args[-1]).read_text(errors="replace").strip().splitlines()
    result: dict[str, Any] = {"seconds": round(seconds, 2), "peak_mb": round(usage.ru_maxrss / 1024)}
    if os.waitstatus_to_exitcode(status) != 0:
        result["error"] = text[-1:] if text else ["no output"]
    else:
        result["last"] = text[-1] if text else ""
    return result


def bench(data: Path, work: Path, rows: bool, anchor: bool = True) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"data": str(data), "csv_mb": round((data / "grants.csv").stat().st_size / 1e6, 1)}
    target = work / f"{data.name}-columns"
    shutil.rmtree(target, ignore_errors=True)
    out["columns"] = measure(BUILD, str(data), str(target), "columns", str(work / "columns.log"))
    counts = json.loads(out["columns"].get("last", "{}") or "{}")
    out["triples"] = counts.get("triples")
    nt = next((target / ".datareach" / "builds").glob("*/graph.nt"), None)
    if nt is not None and anchor:
        out["nt_mb"] = round(nt.stat().st_size / 1e6)
        out["anchor"] = measure(ANCHOR, str(nt), str(work / "anchor.log"))
    if rows:
        target_rows = work / f"{data.name}-rows"
        shutil.rmtree(target_rows, ignore_errors=True)
        out["rows"] = measure(BUILD, str(data), str(target_rows), "rows", str(work / "rows.log"))
        shutil.rmtree(target_rows, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)
    if out["triples"]:
        for name in ("columns", "rows", "anchor"):
            if name in out and "error" not in out[name]:
                out[name]["bytes_per_triple"] = round(out[name]["peak_mb"] * 2**20 / out["triples"])
    if "anchor" in out and "error" not in out["columns"]:
        out["columns/anchor"] = round(out["columns"]["seconds"] / out["anchor"]["seconds"], 2)
    if "rows" in out and "error" not in out["rows"] and "error" not in out["columns"]:
        out["rows/columns"] = round(out["rows"]["seconds"] / out["columns"]["seconds"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="+", type=Path, help="folders written by bench/gen.py")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-columnar"))
    parser.add_argument("--no-rows", action="store_true", help="skip the per-row build")
    parser.add_argument("--no-anchor", action="store_true", help="skip the pyoxigraph bulk load")
    parser.add_argument("--name", default=None, help="results file name (default: from the folders)")
    args = parser.parse_args()
    results = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
                           "load_before": os.getloadavg()},
               "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": []}
    for data in args.data:
        result = bench(data, args.work, rows=not args.no_rows, anchor=not args.no_anchor)
        results["runs"].append(result)
        print(json.dumps(result), flush=True)
    results["machine"]["load_after"] = os.getloadavg()
    name = args.name or "-".join(d.name for d in args.data)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"columnar-{name}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
