"""What a fresh `datareach sparql` point query and `datareach --help` cost beside their floors.

    python bench/bench_floors.py DATASET OUT [--reps N]

DATASET is a folder from ``bench/gen.py``; OUT a work folder whose ``OUT/build`` holds a current
build of it made by this checkout (as ``bench/sizes.py`` leaves with ``--keep``). Each case runs in a
fresh process, the cases interleaved (order alternating) within each of N repetitions; the table
gives the minimum and median CPU time (user + system, children included: the query's sandbox)
and wall time. Bytecode is compiled first and reused, as after ``pip install``.

The cases: the interpreter (``python -c pass``); the imports nobody here can avoid: ``click``
(every command) and ``pyoxigraph``; the stdlib modules our read path needs (typing, dataclasses,
which imports inspect, pathlib, json, re); the anchor (pyoxigraph's own read-only query, as in
``bench/sizes.py``); the same library calls the command makes without click
(``graph.build.project``, ``build_store``, ``run_store_cells``, ``format_cells``: the floor of
a click-free route); the command; and ``datareach --help``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import anchors  # noqa: E402

NO_CLICK = r"""
import sys
from pathlib import Path
from graph.build.project import Project
from graph.sparql.output import format_cells
from graph.sparql.store import build_store, run_store_cells
project = Project.of([Path(sys.argv[1])], Path(sys.argv[2]))
result = run_store_cells(project.read_build(build_store), sys.argv[3], timeout=10.0, max_rows=100_000, full_check=False)
sys.stdout.write(format_cells(result, "csv", width=None) + "\n")
"""


def main(argv: list[str]) -> None:
    data, work = Path(argv[0]).resolve(), Path(argv[1]).resolve()
    reps = int(argv[argv.index("--reps") + 1]) if "--reps" in argv else 7
    py, out = sys.executable, work / "build"
    env = {**os.environ, "DATAREACH_MAX_INPUT_MB": "1000000",
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([py, "-m", "compileall", "-q", str(REPO / "graph")], env=env, check=True, stdout=subprocess.DEVNULL)

    import pyoxigraph as ox

    from graph.build.folder import current
    from graph.sparql.text import with_prefixes

    found = current(out)
    if found is None:
        raise SystemExit(f"no build in {out}")
    store = Path(found.folder) / "store"
    solutions = ox.Store.read_only(str(store)).query(with_prefixes(
        "SELECT ?c (COUNT(?g) AS ?n) { ?g dr:grantee ?c } GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 1"))
    assert isinstance(solutions, ox.QuerySolutions)
    company = next(iter(solutions))["c"].value
    query = f"SELECT ?g ?p WHERE {{ ?g dr:grantee <{company}> ; dr:permission ?p }} ORDER BY ?g ?p"
    cases = {
        "`python -c pass`": [py, "-c", "pass"],
        "`import click`": [py, "-c", "import click"],
        "`import pyoxigraph`": [py, "-c", "import pyoxigraph"],
        "`import typing, dataclasses, pathlib, json, re`": [py, "-c", "import typing, dataclasses, pathlib, json, re"],
        "anchor: pyoxigraph read-only query": [py, "-c", anchors.SPARQL, str(store), with_prefixes(query)],
        "the command's library calls without click": [py, "-c", NO_CLICK, str(data), str(out), query],
        "`datareach sparql QUERY --format csv`": [py, "-m", "graph", "-q", "-s", str(data), "--out", str(out),
                                                  "sparql", query, "--format", "csv"],
        "`datareach --help`": [py, "-m", "graph", "--help"],
    }
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    wall: dict[str, list[float]] = {name: [] for name in cases}
    load = os.getloadavg()
    for rep in range(reps):
        order = list(cases) if rep % 2 == 0 else list(reversed(cases))
        for name in order:
            start = time.perf_counter()
            proc = subprocess.Popen(cases[name], env=env, cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"{name} failed ({status})")
            wall[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((usage.ru_utime + usage.ru_stime) * 1000)
    anchor = statistics.median(cpu["anchor: pyoxigraph read-only query"])
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {data.name}; {reps} repetitions, interleaved; "
          f"load average before {' '.join(f'{x:.2f}' for x in load)}, after "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| fresh process | CPU ms min | CPU ms median | × anchor (median CPU) | wall ms min | wall ms median |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in cases:
        print(f"| {name} | {min(cpu[name]):.0f} | {statistics.median(cpu[name]):.0f} | "
              f"{statistics.median(cpu[name]) / anchor:.2f}× | {min(wall[name]):.0f} | {statistics.median(wall[name]):.0f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
