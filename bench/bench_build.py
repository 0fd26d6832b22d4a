"""Build and ask at scale, side by side with a plain-rdflib baseline, in one run.

For a generated dataset (bench/gen.py) this times, each in a fresh process with that
process's own peak memory (``os.wait4``):

- ours:      ``datareach build`` (validate, resolve, SHACL, project, write TTL/JSON-LD/NT
             and the caches);
- baseline:  plain rdflib doing the least a build must do: parse the same graph (the
             N-Triples our build wrote) into an rdflib Graph and write Turtle and JSON-LD
             (no validation, no projection: a generous baseline), then answer a generous
             SPARQL reach (everyone downstream of a holder of phone numbers along grants,
             without checking each hop's data types). Its memory is capped
             (``--baseline-cap``, default 20 GB) so that an infeasible baseline fails
             cleanly instead of taking the machine down; a failure is recorded, not hidden;
- reach:     ``datareach reach "phone number"`` from a fresh process on the built cache:
             as text (the nearest 100, the default), all parties as JSON, and the
             nearest 50 as JSON;
- rank:      ``datareach rank --by pagerank`` from a fresh process.

    python bench/bench_build.py S M          # sizes to run
    python bench/bench_build.py L --work /var/tmp/bench   # L needs ~20 GB free disk
    python bench/bench_build.py M --work /var/tmp/bench --keep   # then bench_reach_scale.py on it
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen import generate  # noqa: E402

BASELINE = r'''
import json, sys, time, rdflib
start = time.perf_counter()
g = rdflib.Graph()
g.parse(sys.argv[1], format="nt")
parsed = time.perf_counter()
g.serialize(destination=sys.argv[2] + "/baseline.ttl", format="turtle")
g.serialize(destination=sys.argv[2] + "/baseline.jsonld", format="json-ld")
written = time.perf_counter()
rows = g.query("""
PREFIX dr: <https://w3id.org/datareach/ns#>
PREFIX dt: <https://w3id.org/datareach/datatype/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE {
  ?c a dr:Collection ; dr:holder ?h ; dr:dataType ?t . dt:phone-number skos:broader* ?t .
  ?h (^dr:grantor/dr:grantee)* ?v .
}""")
reached = int(next(iter(rows))[0])
print(json.dumps({"triples": len(g), "parse_s": parsed - start, "write_s": written - parsed,
                  "sparql_reach_s": time.perf_counter() - written, "reached": reached}))
'''


def run(cmd: list[str], timeout: float, cap_gb: float | None = None) -> dict[str, Any]:
    """Wall seconds, the child's own peak RSS in GB, its stdout, and ``ok`` (or why not)."""
    def limit() -> None:
        if cap_gb is not None:
            cap = int(cap_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env={**os.environ, "PYTHONHASHSEED": "0"}, preexec_fn=limit)
        deadline, status, usage = start + timeout, 0, None
        while usage is None:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                usage = rusage
            elif time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                status = -1
            else:
                time.sleep(0.02)
        proc.returncode = status  # reaped by wait4
        wall = time.perf_counter() - start
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    result = {"s": round(wall, 2), "peak_gb": round(usage.ru_maxrss / 2**20, 2), "stdout": stdout, "ok": status == 0}
    if status == -1:
        result["ok"] = f"stopped at the {timeout:.0f} s limit"
    elif status != 0:
        oom = "MemoryError" in stderr or "Cannot allocate" in stderr
        result["ok"] = f"out of memory at the {cap_gb} GB cap" if oom and cap_gb else f"failed: {stderr[-300:]}"
    return result


def bench(size: str, work: Path, timeout: float, cap_gb: float, baseline: bool) -> dict[str, object]:
    data, out = work / f"gen-{size}", work / f"out-{size}"
    counts = generate(size, data)
    py = sys.executable
    cli = [py, "-m", "graph", "-q", "--out", str(out), "-s", str(data)]
    ours = run([py, "-m", "graph", "-q", "--out", str(out), "build", "--max-input-mb", "4096", str(data)], timeout)
    if ours["ok"] is not True:
        raise RuntimeError(f"build failed: {ours['ok']}")
    manifest = json.loads((out / ".datareach" / "manifest.json").read_text())
    reach = {name: run([*cli, "reach", "phone number", *extra], timeout)
             for name, extra in (("text_nearest_100", []), ("json_all", ["--format", "json"]),
                                 ("json_nearest_50", ["--format", "json", "--limit", "50"]))}
    rank = run([*cli, "rank", "--by", "pagerank", "--top", "5"], timeout)
    row: dict[str, object] = {
        "size": size, **counts, "triples": manifest["counts"]["triples"], "build_s": ours["s"],
        "build_peak_gb": ours["peak_gb"], "rank_pagerank_fresh_s": rank["s"],
        **{f"reach_{name}_s": r["s"] for name, r in reach.items()},
        "reach_total": json.loads(reach["json_nearest_50"]["stdout"])["total"],
    }
    if baseline:
        base = run([py, "-c", BASELINE, str(out / ".datareach" / "builds" / manifest["token"] / "graph.nt"), str(work)], timeout, cap_gb)
        row.update(baseline_s=base["s"], baseline_peak_gb=base["peak_gb"], baseline_ok=base["ok"])
        if base["ok"] is True:
            parts = json.loads(base["stdout"])
            row.update({f"baseline_{k}": round(v, 1) if isinstance(v, float) else v for k, v in parts.items()},
                       build_ratio=round((parts["parse_s"] + parts["write_s"]) / ours["s"], 1),
                       reach_ratio_json_all=round((parts["parse_s"] + parts["sparql_reach_s"]) / reach["json_all"]["s"], 1))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", default=["S"])
    parser.add_argument("--work", type=Path, help="a folder for the generated data and builds (default: a temporary one)")
    parser.add_argument("--baseline-cap", type=float, default=20.0, help="GB of address space the baseline may use")
    parser.add_argument("--no-baseline", action="store_true", help="skip the rdflib baseline")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--keep", action="store_true", help="keep the generated data and builds (gen-SIZE, out-SIZE in --work)")
    args = parser.parse_args()
    machine = {"cores": os.cpu_count(), "python": platform.python_version(),
               "ram_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
               "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    print(json.dumps(machine), flush=True)
    if args.keep:
        folder = Path(args.work or tempfile.mkdtemp())
        folder.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            print(json.dumps(bench(size, folder, args.timeout, args.baseline_cap, not args.no_baseline)), flush=True)
        print(json.dumps({"kept": str(folder)}), flush=True)
    else:
        with tempfile.TemporaryDirectory(dir=args.work) as tmp:
            for size in args.sizes:
                print(json.dumps(bench(size, Path(tmp), args.timeout, args.baseline_cap, not args.no_baseline)), flush=True)
    print(json.dumps({"load_average": os.getloadavg()}), flush=True)


if __name__ == "__main__":
    main()
