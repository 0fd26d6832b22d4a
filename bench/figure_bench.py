"""`datareach figure` at scale: how long the figure takes beside the reach answer it draws.

Build first (``python bench/gen.py 5k /tmp/gen-5k && datareach --out /tmp/out-5k build /tmp/gen-5k``), then:

    python bench/figure_bench.py --sources /tmp/gen-5k --out /tmp/out-5k --reps 5

In one process, repetitions interleaved, medians: ``reach`` alone (every party, with
paths), the SVG figure (reach plus choosing, folding, layout and drawing), and the PNG
made from that SVG. Prints a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--data-type", default="phone number")
    args = parser.parse_args()

    from graph.build import compiled
    from graph.questions.reach import reach
    from graph.viz.figure import figure_svg, svg_to_png

    index = compiled.flows([args.sources], args.out)
    svg = figure_svg(index, data_type=args.data_type)
    parties = len(reach(index, args.data_type).rows)
    runs: dict[str, tuple[Callable[[], object], list[float]]] = {
        "reach (every party, with paths)": (lambda: reach(index, args.data_type), []),
        "figure SVG (reach + fold + layout + draw)": (lambda: figure_svg(index, data_type=args.data_type), []),
        "PNG from that SVG (resvg, scale 2)": (lambda: svg_to_png(svg, 2.0), []),
    }
    for rep in range(args.reps):
        names = list(runs)
        for name in names[rep % len(names):] + names[: rep % len(names)]:
            fn, times = runs[name]
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    base = statistics.median(runs["reach (every party, with paths)"][1])
    print(f"{parties:,} parties could reach {args.data_type}; SVG {len(svg):,} bytes\n")
    print("| what | median ms | × reach |\n|---|---:|---:|")
    for name, (_, times) in runs.items():
        print(f"| {name} | {statistics.median(times) * 1000:.1f} | {statistics.median(times) / base:.2f}× |")


if __name__ == "__main__":
    main()
