"""How long does fitting a text answer to the terminal take? (issue 15, item 5)

Times ``graph.textfit.table`` on reach-like rows (a company, hops, certainty, a path,
notes, footnoted quotations of varied length, one cell of a few thousand characters as
a tracker list's largest owner has) at 80 and 200 columns and whole (``--wide``), for
100, 1,000 and 10,000 rows. Medians of a few repetitions, in this process.

    python bench/bench_textfit.py
    python bench/bench_textfit.py --rows 100 1000 --reps 3

Not part of the test suite: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph import textfit  # noqa: E402

HEADERS = ["company", "hops", "certainty", "path", "notes", "sources"]
WORDS = ("data precise geolocation minors reproductive health care users names contacts messages partner "
         "platform access read write delete device integration scraping incident report").split()


def rows(n: int, seed: int = 15) -> list[list[str]]:
    rng = random.Random(seed)

    def phrase(k: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(k))

    out = []
    for i in range(n):
        quotes = "; ".join(f'[{rng.randint(1, 3)}] ¶{rng.randint(1, 40)} ("{phrase(rng.randint(3, 9))}")'
                           for _ in range(rng.randint(1, 4)))
        out.append([f"{phrase(2).title()} {i} Inc.", str(rng.randint(0, 3)), rng.choice(["stated", "implied", "partial"]),
                    "holds it (stated)" if i % 3 else f"Facebook → {phrase(1)} ({phrase(2)} [read])",
                    "" if i % 4 else "PARTIAL: only narrower types", quotes])
    if out:
        out[0][-1] = "[2] trackers: " + ", ".join(f"{phrase(1)}{k}.com" for k in range(300))  # one huge cell
    return out


def timed(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    textfit.table(HEADERS, rows(10), width=80)  # import rich once, outside the timings
    print("| rows | 80 columns ms | 200 columns ms | whole (--wide) ms | lines at 80 |")
    print("|---:|---:|---:|---:|---:|")
    for n in args.rows:
        body = rows(n)
        at = {w: timed(lambda w=w, body=body: textfit.table(HEADERS, body, width=w), args.reps) for w in (80, 200, None)}
        lines = textfit.table(HEADERS, body, width=80).count("\n") + 1
        print(f"| {n:,} | {at[80]:.0f} | {at[200]:.0f} | {at[None]:.0f} | {lines:,} |")


if __name__ == "__main__":
    main()
