"""`datareach sparql` from the build's own Oxigraph store, beside pyoxigraph's own read-only query.

For each size, one point query (a company's grants and their permissions) is run from a fresh
process, the tools interleaved (order rotated each repetition), medians of the wall time of a
whole ``subprocess.run``:

- ``floor``: ``python -c pass``, the interpreter alone;
- ``anchor``: ``python -c`` opening ``pyoxigraph.Store.read_only(build/store)`` and running the
  same query text (our prefixes declared, as the CLI sends it), printing each row;
- ``datareach``: ``python -m graph -q --sources SRC --out OUT sparql QUERY --format csv`` (the
  default engine: the build's store; freshness check, guard, sandboxed child, CSV writer);
- ``--store``: the same with ``--store DIR`` (an explicit store made beforehand);
- ``datareach (console script)``: the same through the ``datareach`` script pip installs (no
  ``runpy``), when it is beside the interpreter;
- ``sandbox floor``: the anchor's work in a forked child off the network, rows back as JSON
  (``SANDBOX_FLOOR``): the least a sandboxed query can cost, with nothing of ours;
- ``library``: the same answer from the library with no command line (``LIBRARY``: the project,
  the freshness check, the sandboxed query, the CSV writer): what the library's safety costs,
  apart from what click and the CLI's modules cost;
- ``imports``: ``python -c "import graph.cli.main, graph.cli.sparql, graph.sparql.store"``;
- ``--help``: ``datareach --help``;
- ``rdflib`` (S only; at M it re-parses 454 MB per query): ``--engine rdflib``.

Every process runs with its bytecode cached, as after ``pip install`` (which compiles it):
``PYTHONDONTWRITEBYTECODE`` is dropped and ``PYTHONPYCACHEPREFIX`` points at a folder of this run,
filled by ``compileall`` of the ``graph`` package the commands import (``--no-bytecode`` keeps the environment as it is: on a
machine with ``PYTHONDONTWRITEBYTECODE=1`` every start then compiles our modules from source).

Besides the wall time, the CPU time (user + system) of each process and the children it
waited for is recorded: on a shared machine it varies less than the wall time.

In process, the fixed cost is broken down further: the freshness check (``compiled.is_fresh``),
the store query in the sandbox (``run_store_cells``: fork, pre-scan, network namespace, query)
and the same query on the store opened read-only in this process.

    python bench/gen.py S /tmp/src-S && python -m graph --out /tmp/out-S build /tmp/src-S
    python bench/bench_sparql_store.py S=/tmp/src-S:/tmp/out-S M=/tmp/src-M:/tmp/out-M [--reps 7]

Results go to ``bench/results/sparql_store.json``; the table is printed as Markdown.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ENV = dict(os.environ)


def cache_bytecode() -> None:
    """Run the tools as an installed package runs: with its bytecode compiled once and reused."""
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="bench-pycache-")
    subprocess.run([sys.executable, "-c", "import compileall, os, graph; "
                    "compileall.compile_dir(os.path.dirname(graph.__file__), quiet=1)"], check=True, env=ENV)
ANCHOR = ("import sys, pyoxigraph as ox\n"
          "store = ox.Store.read_only(sys.argv[1])\n"
          "for row in store.query(sys.argv[2]):\n"
          "    print(','.join('' if t is None else t.value for t in row))\n")

SANDBOX_FLOOR = ("import json, os, sys, pyoxigraph as ox\n"
                 "r, w = os.pipe()\n"
                 "pid = os.fork()\n"
                 "if pid == 0:\n"
                 "    os.close(r)\n"
                 "    if hasattr(os, 'unshare'):\n"
                 "        os.unshare(0x40000000)\n"
                 "    else:\n"
                 "        import ctypes; ctypes.CDLL(None).unshare(0x40000000)\n"
                 "    store = ox.Store.read_only(sys.argv[1])\n"
                 "    rows = [[None if t is None else t.value for t in row] for row in store.query(sys.argv[2])]\n"
                 "    os.write(w, json.dumps(rows).encode())\n"
                 "    os._exit(0)\n"
                 "os.close(w)\n"
                 "data = b''\n"
                 "while chunk := os.read(r, 1 << 16):\n"
                 "    data += chunk\n"
                 "os.waitpid(pid, 0)\n"
                 "for row in json.loads(data):\n"
                 "    print(','.join('' if c is None else c for c in row))\n")
"""The anchor's work done the way ``datareach sparql`` must do it and nothing more: in a forked
child that leaves the network (a new network namespace, as root) and sends its rows back as
JSON. What the sandbox costs by itself, with none of our modules, click or the project's checks."""

LIBRARY = ("import sys\n"
           "from pathlib import Path\n"
           "from graph.build.project import Project\n"
           "from graph.sparql.output import format_cells\n"
           "from graph.sparql.store import build_store, run_store_cells\n"
           "project = Project.of([Path(sys.argv[1])], Path(sys.argv[2]))\n"
           "store = project.read_build(build_store)\n"
           "answer = run_store_cells(store, sys.argv[3], full_check=False)\n"
           "sys.stdout.write(format_cells(answer, 'csv', width=None) + '\\n')\n")


def wall(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the process and every child it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tempfile.gettempdir(), timeout=900, env=ENV)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:6]} failed: {proc.stderr[-500:]}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def in_process(fn: Callable[[], Any], reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_size(size: str, src: Path, out: Path, reps: int) -> dict[str, Any]:
    import pyoxigraph as ox

    from graph.build import compiled
    from graph.build.folder import current
    from graph.sparql.store import build_store, ensure_store, run_store_cells
    from graph.sparql.text import with_prefixes

    found = current(out)
    assert found is not None, f"no build in {out}"
    store = build_store(found)
    explicit = ensure_store(out, Path(tempfile.mkdtemp(prefix="bench-store-")) / "st", found)
    probe = ox.Store.read_only(str(store))
    company = next(iter(probe.query(with_prefixes(
        "SELECT ?c (COUNT(?g) AS ?n) { ?g dr:grantee ?c } GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 1"))))["c"].value
    del probe
    query = f"SELECT ?g ?p WHERE {{ ?g dr:grantee <{company}> ; dr:permission ?p }} ORDER BY ?g ?p"
    text = with_prefixes(query)
    py = sys.executable
    cli = [py, "-m", "graph", "-q", "--sources", str(src), "--out", str(out)]
    tools: dict[str, list[str]] = {
        "floor": [py, "-c", "pass"],
        "anchor": [py, "-c", ANCHOR, str(store), text],
        "sandbox floor": [py, "-c", SANDBOX_FLOOR, str(store), text],
        "datareach": [*cli, "sparql", query, "--format", "csv"],
        "--store": [py, "-m", "graph", "-q", "--sources", str(src), "--out", str(out), "--store", str(explicit),
                    "sparql", query, "--format", "csv"],
        "library": [py, "-c", LIBRARY, str(src), str(out), query],
        "imports": [py, "-c", "import graph.cli.main, graph.cli.sparql, graph.sparql.store"],
        "--help": [*cli, "--help"],
    }
    script = Path(py).with_name("datareach")
    if script.is_file():
        tools["datareach (console script)"] = [str(script), *cli[3:], "sparql", query, "--format", "csv"]
    if size == "S":
        tools["rdflib"] = [*cli, "sparql", "--engine", "rdflib", query, "--format", "csv"]
    rows = subprocess.run(tools["datareach"], capture_output=True, text=True, cwd=tempfile.gettempdir(), env=ENV).stdout
    times: dict[str, list[float]] = {name: [] for name in tools}
    cpu: dict[str, list[float]] = {name: [] for name in tools}
    names = list(tools)
    for rep in range(reps):
        for name in names[rep % len(names):] + names[:rep % len(names)]:
            if name == "rdflib" and rep >= 3:
                continue
            took, used = wall(tools[name])
            times[name].append(took)
            cpu[name].append(used)
    med = {name: statistics.median(t) for name, t in times.items()}
    med_cpu = {name: statistics.median(t) for name, t in cpu.items()}
    direct = ox.Store.read_only(str(store))
    parts = {
        "is_fresh": in_process(lambda: compiled.is_fresh([src], out), reps),
        "run_store_cells (fork, guard, query)": in_process(
            lambda: run_store_cells(store, query, full_check=False), reps),
        "store.query in process": in_process(lambda: list(direct.query(text)), reps),
    }
    return {"size": size, "triples": found.manifest["counts"]["triples"], "company": company,
            "rows": len(rows.splitlines()) - 1, "median_s": med, "median_cpu_s": med_cpu, "runs": times,
            "cpu_runs": cpu, "in_process_s": parts, "ratio_to_anchor": med["datareach"] / med["anchor"],
            "cpu_ratio_to_anchor": med_cpu["datareach"] / med_cpu["anchor"],
            "store_mb": found.manifest.get("folders", {}).get("store", {}).get("size", 0) / 1e6}


def table(result: dict[str, Any]) -> str:
    med, anchor = result["median_s"], result["median_s"]["anchor"]
    cpu, cpu_anchor = result["median_cpu_s"], result["median_cpu_s"]["anchor"]
    lines = [f"**{result['size']}** ({result['triples']:,} triples, store {result['store_mb']:.0f} MB; "
             f"point query: the grants of the largest grantee, {result['rows']} rows)", "",
             "| fresh process | wall ms (median) | × anchor | CPU ms (median) | × anchor |", "|---|---:|---:|---:|---:|"]
    for name, took in med.items():
        lines.append(f"| {name} | {took * 1000:.0f} | {took / anchor:.2f}× | {cpu[name] * 1000:.0f} | "
                     f"{cpu[name] / cpu_anchor:.2f}× |")
    lines += ["", "| in process | median ms |", "|---|---:|"]
    lines += [f"| {name} | {took * 1000:.1f} |" for name, took in result["in_process_s"].items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    reps = 7
    if "--reps" in argv:
        at = argv.index("--reps")
        reps = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2:]
    bytecode = "--no-bytecode" not in argv
    argv = [a for a in argv if a != "--no-bytecode"]
    if bytecode:
        cache_bytecode()
    sys.path.insert(0, str(REPO))
    results = []
    for arg in argv:
        size, _, paths = arg.partition("=")
        src, _, out = paths.partition(":")
        results.append(bench_size(size, Path(src), Path(out), reps))
        print(table(results[-1]) + "\n", flush=True)
    import pyoxigraph

    record = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "reps": reps, "bytecode_cached": bytecode,
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                          "pyoxigraph": pyoxigraph.__version__, "load_average": os.getloadavg()},
              "results": results}
    target = REPO / "bench" / "results" / ("sparql_store.json" if bytecode else "sparql_store-no-bytecode.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"load average at the end: {os.getloadavg()}; written {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
