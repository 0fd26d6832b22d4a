"""Start-up of source trees side by side: `python -c pass`, `datareach --help` and `owner` at M.

    python bench/bench_startup.py before=/path/to/old/checkout after=/path/to/this/checkout \
        [--sources SRC] [--out OUT] [--owner NAME] [--reps N]

Each tree's ``graph`` package is imported through PYTHONPATH, with its bytecode compiled first
into a folder of this run (PYTHONPYCACHEPREFIX), as after ``pip install``; the trees and cases
are interleaved within each repetition; medians of wall and CPU time (user + system) of each
fresh process. ``owner`` needs a build that is current for every tree: two checkouts have their own
``ontology/`` folders, which the build's fingerprint includes, so each sees the other's build as
stale and rebuilds; ``--without-owner`` leaves it out (then compare trees with one tree at a time).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def option(args: list[str], name: str, default: str) -> str:
    return args[args.index(name) + 1] if name in args else default


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir(),
                   check=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return took, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main(args: list[str]) -> None:
    py = sys.executable
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="bench-pycache-")
    trees = dict(a.split("=", 1) for a in args if "=" in a and not a.startswith("-"))
    for tree in trees.values():
        subprocess.run([py, "-c", f"import compileall; compileall.compile_dir({tree + '/graph'!r}, quiet=1)"],
                       env=env, check=True)
    build = ["-q", "-s", option(args, "--sources", "/work/data/gen-M"), "--out", option(args, "--out", "/tmp/out-M")]
    cases = {"python -c pass": ["-c", "pass"], "datareach --help": ["-m", "graph", "--help"],
             "datareach owner (json)": ["-m", "graph", *build, "owner", option(args, "--owner", "Company 000000"),
                                        "--format", "json"]}
    if "--without-owner" in args:
        del cases["datareach owner (json)"]
    reps = int(option(args, "--reps", "5"))
    found: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(reps):
        for case, cmd in cases.items():
            for name, tree in trees.items():
                found.setdefault((case, name), []).append(run([py, *cmd], dict(env, PYTHONPATH=tree)))
    print(f"load average {os.getloadavg()}; {reps} repetitions, medians, bytecode cached\n")
    print("| fresh process |" + "".join(f" {n} wall ms | {n} CPU ms |" for n in trees))
    print("|---|" + "---:|---:|" * len(trees))
    for case in cases:
        cells = []
        for name in trees:
            times = found[(case, name)]
            cells += [f"{statistics.median(t[0] for t in times) * 1000:.0f}",
                      f"{statistics.median(t[1] for t in times) * 1000:.0f}"]
        print(f"| {case} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
