"""``company NAME`` read row by row (the flow index and its attributes file, as ``owner`` reads
them) beside the route it replaced (``projection()``: the whole networkx graph, every holding
decoded), on the same build, each in a fresh process, interleaved, medians of the runs.

    python bench/bench_company.py OUT NAME [NAME ...] [--runs N]

OUT is a build folder (its current build is read as it is: nothing is rebuilt, so a build made
by another checkout can be measured without writing into it). The two routes' profiles are
checked equal (``CompanyProfile.to_json``) before timing.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

ROUTE = r"""
import json, sys, time
from graph.build.compiled import flows_of
from graph.build.flowgraph import FlowGraph
from graph.build.folder import current
from graph.questions.company import company_profile
route, out, name = sys.argv[1:4]
found = current(out)
flows = flows_of(found)
G = FlowGraph(flows) if route == "flow" else flows.to_graph()
profile = company_profile(G, name)
if len(sys.argv) > 4:
    print(json.dumps(profile.to_json(), sort_keys=True, ensure_ascii=False))
"""


def run(route: str, out: str, name: str, dump: bool = False) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", ROUTE, route, out, name, *(["dump"] if dump else [])],
                          capture_output=True, text=True, check=True, env=os.environ)
    return time.perf_counter() - start, done.stdout


def main(argv: list[str]) -> None:
    runs = 3
    if "--runs" in argv:
        at = argv.index("--runs")
        runs, argv = int(argv[at + 1]), argv[:at] + argv[at + 2:]
    out, names = argv[0], argv[1:]
    print(f"load average {os.getloadavg()[0]:.1f}; {runs} runs each, fresh processes, medians\n")
    print("| company | projection() route | flow index route | ratio |\n|---|---|---|---|")
    for name in names:
        assert run("projection", out, name, True)[1] == run("flow", out, name, True)[1], name
        times: dict[str, list[float]] = {"projection": [], "flow": []}
        for _ in range(runs):
            for route in times:
                times[route].append(run(route, out, name)[0])
        old, new = statistics.median(times["projection"]), statistics.median(times["flow"])
        print(f"| {name} | {old:.2f} s | {new:.2f} s | {old / new:.1f}× faster |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
