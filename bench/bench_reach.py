"""How fast does `datareach reach` answer from a fresh process? (issue 3, "Speed")

Side by side in one run, repetitions interleaved (the order rotates each repetition):

  cached    `python -m graph reach "phone number" --format json` in a fresh process, with the
            compiled cache present: what a user does after `datareach build`;
  reparse   the baseline: a fresh process that re-parses the sources every time
            (graph.build.loader.load + graph.build.projection.project + graph.questions.reach.reach);
  startup   `python -c pass`: the interpreter's own floor on this machine.

Also timed in this process: loading the cached flow index (`compiled.flows`, which
hashes the sources to check freshness) and the `reach` call itself on it.

    python bench/bench_reach.py              # 7 repetitions, updates bench/README.md
    python bench/bench_reach.py --reps 15 --no-write

Not part of the test suite: timings on a shared machine are noisy; the ratio is the number
to rely on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = Path(__file__).resolve().parent / "README.md"
sys.path.insert(0, str(ROOT))  # measure this checkout's graph package, as the subprocesses (cwd=ROOT) do
HEADING = "## reach from a fresh process"
QUESTION = "phone number"


def _machine() -> dict[str, str]:
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "?"
    import networkx
    import rdflib

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "ram": mem,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": f"{platform.system()} {platform.release()}",
        "libs": f"networkx {networkx.__version__}, rdflib {rdflib.__version__}",
        "loadavg": load,
    }


def _timed_run(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    return elapsed, proc.stdout


def _answer(stdout: str) -> list[tuple[str, int, bool]]:
    data = json.loads(stdout)
    return [(c["company"], c["hops"], c["partial"]) for c in data["companies"]]


def _import_chain(importtime: str, module: str) -> list[str]:
    """Who imported ``module`` first: its ancestors in ``-X importtime`` output, outermost first."""
    entries = [(len(m.group(1)), m.group(2)) for m in re.finditer(r"^import time:[^|]*\|[^|]*\|( *)(\S+)$", importtime, re.M)]
    index = next(i for i, (_, name) in enumerate(entries) if name == module)
    chain, depth = [], entries[index][0]
    for indent, name in entries[index + 1:]:  # parents are printed after their children
        if indent < depth:
            chain.append(name)
            depth = indent
    return list(reversed(chain))


def _median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=7, help="interleaved repetitions (default 7)")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/README.md")
    args = parser.parse_args()

    from graph.build import compiled
    from graph.paths import bundled_sources
    from graph.questions.reach import reach

    sources = bundled_sources()
    with tempfile.TemporaryDirectory(prefix="datareach-bench-") as tmp:
        out = Path(tmp) / "out"
        compiled.build(None, out)
        assert compiled.is_fresh(None, out)

        py = sys.executable
        commands: dict[str, list[str]] = {
            "cached": [py, "-m", "graph", "-q", "--out", str(out), "reach", QUESTION, "--format", "json"],
            "reparse": [py, "-c",
                        "import json, sys\nfrom pathlib import Path\nfrom graph.build.loader import load\n"
                        "from graph.build.projection import project\nfrom graph.questions.reach import reach\n"
                        f"G = project(load([Path({str(sources)!r})]).g)\n"
                        f"print(json.dumps(reach(G, {QUESTION!r}).to_json()))"],
            "startup": [py, "-c", "pass"],
            "numpy": [py, "-c", "import numpy"],
        }
        # Warm the OS file cache once, and check both ways give the same answer.
        answers = {name: _answer(_timed_run(commands[name])[1]) for name in ("cached", "reparse")}
        if answers["cached"] != answers["reparse"]:
            raise SystemExit(f"answers differ: {answers}")

        times: dict[str, list[float]] = {name: [] for name in commands}
        names = list(commands)
        for rep in range(args.reps):
            order = names[rep % len(names):] + names[: rep % len(names)]
            for name in order:
                times[name].append(_timed_run(commands[name])[0])
            print(f"rep {rep + 1}/{args.reps}: " + ", ".join(f"{n} {times[n][-1] * 1000:.0f} ms" for n in names),
                  file=sys.stderr)
        if not compiled.is_fresh(None, out):
            raise SystemExit("the cache went stale during the run")
        probe = subprocess.run([py, "-X", "importtime", *commands["cached"][1:]], cwd=ROOT, capture_output=True,
                               text=True, timeout=300)
        heavy = sorted({m for m in re.findall(r"\|\s+(\S+)$", probe.stderr, re.M)
                        if m.split(".")[0] in ("rdflib", "pyshacl", "pyvis", "pyoxigraph", "networkx")})
        importers = _import_chain(probe.stderr, "rdflib" if "rdflib" in heavy else heavy[0]) if heavy else []

        # In-process: loading the cached flow index, and the reach call alone.
        def per_call(fn: Callable[[], object], loops: int) -> list[float]:
            samples = []
            for _ in range(args.reps):
                start = time.perf_counter()
                for _ in range(loops):
                    fn()
                samples.append((time.perf_counter() - start) / loops)
            return samples

        load_times = per_call(lambda: compiled.flows(None, out), 5)
        index = compiled.flows(None, out)
        reach_times = per_call(lambda: reach(index, QUESTION), 50)

    cached, reparse, startup, np_ms = (_median_ms(times[n]) for n in ("cached", "reparse", "startup", "numpy"))
    load_ms, reach_ms = _median_ms(load_times), _median_ms(reach_times)
    rows = [
        ("fresh process, cached build (`python -m graph reach`)", cached, f"{min(times['cached']) * 1000:.0f}", "1.00×"),
        ("fresh process, re-parse sources (baseline)", reparse, f"{min(times['reparse']) * 1000:.0f}",
         f"{reparse / cached:.2f}×"),
        ("fresh process, `python -c pass` (interpreter floor)", startup, f"{min(times['startup']) * 1000:.0f}",
         f"{startup / cached:.2f}×"),
        ("fresh process, `python -c \"import numpy\"`", np_ms, f"{min(times['numpy']) * 1000:.0f}",
         f"{np_ms / cached:.2f}×"),
        ("in process: `compiled.flows` from the cache (incl. freshness check)", load_ms, f"{min(load_times) * 1000:.2f}", "—"),
        ("in process: `reach(index, \"phone number\")`", reach_ms, f"{min(reach_times) * 1000:.3f}", "—"),
    ]
    machine = _machine()
    table = ["| what | median ms | best ms | × cached |", "|---|---:|---:|---:|"]
    table += [f"| {what} | {med:.{3 if med < 1 else 1}f} | {best} | {ratio} |" for what, med, best, ratio in rows]
    print("\n".join(table))
    if heavy:
        print(f"WARNING: the cached path imported {len(heavy)} heavy modules, e.g. {heavy[:3]}; "
              f"imported through {' → '.join(importers)}", file=sys.stderr)
    print(f"\nre-parse / cached = {reparse / cached:.1f}×; cached answer in {cached:.0f} ms "
          f"({cached - startup:.0f} ms over interpreter start-up)")

    if not args.no_write:
        section = "\n".join([
            HEADING,
            "",
            f"`python bench/bench_reach.py` (run {machine['date']}). Question: `reach \"{QUESTION}\" --format json`",
            "on the default dataset. Each fresh-process figure is the wall time of a whole",
            f"`subprocess.run`, {args.reps} repetitions interleaved (order rotated each time); medians.",
            "",
            *table,
            "",
            f"**A reach from a fresh process answers in {cached:.0f} ms** with the compiled cache present,",
            f"{reparse / cached:.1f}× faster than re-parsing the sources each time ({reparse:.0f} ms).",
            f"Of that, about {startup:.0f} ms is the interpreter starting and about {np_ms - startup:.0f} ms importing",
            f"numpy; loading the cached flow index takes {load_ms:.1f} ms and the `reach` call {reach_ms:.1f} ms.",
            ("The cached path imports no networkx, rdflib, pyshacl, pyvis or pyoxigraph (also checked in "
             "`tests/test_cli_questions.py`)." if not heavy else
             f"**Warning:** in this run the cached path imported {', '.join(sorted({h.split('.')[0] for h in heavy}))} "
             f"(through {' → '.join(importers)}), which it should not; see the test in "
             "`tests/test_cli_questions.py`."),
            "",
            f"Machine: {machine['nproc']} CPUs, {machine['ram']} RAM, {machine['python']}, {machine['os']}, "
            f"{machine['libs']}; load average at the end {machine['loadavg']} (shared, noisy: trust the ratio",
            "more than the absolute times).",
            "",
        ])
        _write_section(section)
        print(f"\nwrote {README.relative_to(ROOT)}", file=sys.stderr)
    return 0


def _write_section(section: str) -> None:
    """Replace (or add) only this benchmark's section of bench/README.md."""
    text = README.read_text(encoding="utf-8") if README.is_file() else "# Benchmarks\n\nRun by hand, not in the test suite.\n\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    README.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
