"""`datareach reach` from a fresh process on a large build (issue 5: under 1 s at M, 3 s at L).

Build first (``python bench/gen.py M /tmp/gen-M && datareach --out /tmp/out-M build /tmp/gen-M``),
then:

    python bench/bench_reach_scale.py --sources /tmp/gen-M --out /tmp/out-M --reps 5

Side by side in one run, repetitions interleaved (the order rotates each repetition),
each a whole ``subprocess.run`` of ``python -m graph reach "phone number"``:

  text      the default answer: the nearest 100 parties as a table, the total counted;
  json-50   the nearest 50 as JSON;
  json-all  every party with its cited path as JSON;
  csv-all   every party, one line per hop;
  floor     ``python -c "import numpy, click"``: the interpreter and the two imports the
            command cannot avoid.

Then, in this process, where the time of the whole JSON answer goes: the freshness check
(hashing the sources), loading the flow index, the answer itself, and writing JSON.
Prints a Markdown table; copy it into bench/README.md with the machine line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUESTION = "phone number"


def timed(cmd: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, cwd=ROOT, check=True)
    return time.perf_counter() - start, len(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    cli = [py, "-m", "graph", "-q", "--out", str(args.out), "-s", str(args.sources), "reach", QUESTION]
    variants = {"text": cli, "json-50": [*cli, "--format", "json", "--limit", "50"],
                "json-all": [*cli, "--format", "json"], "csv-all": [*cli, "--format", "csv"],
                "floor": [py, "-c", "import numpy, click"]}
    timed(variants["text"])  # warm the page cache once
    times: dict[str, list[float]] = {name: [] for name in variants}
    sizes: dict[str, int] = {}
    names = list(variants)
    for rep in range(args.reps):
        for name in names[rep % len(names):] + names[:rep % len(names)]:
            seconds, size = timed(variants[name])
            times[name].append(seconds)
            sizes[name] = size
    print(f"| answer | median s | best s | output MB |  (reps: {args.reps}, load average {os.getloadavg()[0]:.2f})")
    print("|---|---:|---:|---:|")
    for name in names:
        print(f"| {name} | {statistics.median(times[name]):.2f} | {min(times[name]):.2f} | {sizes[name] / 1e6:.1f} |")

    from graph.build import compiled
    from graph.present import formats
    from graph.questions.reach import reach

    parts: dict[str, float] = {}
    start = time.perf_counter()
    fresh = compiled.is_fresh([args.sources], args.out)
    parts["freshness check"] = time.perf_counter() - start
    start = time.perf_counter()
    index = compiled.flows([args.sources], args.out)
    parts["load the flow index (incl. freshness check)"] = time.perf_counter() - start
    start = time.perf_counter()
    reach(index, QUESTION, limit=100)
    parts["reach, nearest 100"] = time.perf_counter() - start
    start = time.perf_counter()
    result = reach(index, QUESTION)
    parts["reach, all parties"] = time.perf_counter() - start
    start = time.perf_counter()
    text = formats.json_text(result.to_json())
    parts["JSON text of all parties"] = time.perf_counter() - start
    print(f"\nIn process (fresh: {fresh}; {result.total:,} parties, {index.edge_count:,} edges, {len(text) / 1e6:.0f} MB JSON):")
    for name, seconds in parts.items():
        print(f"- {name}: {seconds * 1000:.0f} ms")
    print(json.dumps({"times": times, "sizes": sizes, "parts": parts}))


if __name__ == "__main__":
    main()
