"""SHACL on every triple: the compiled shapes (graph.build.shapecheck) beside pySHACL.

For the bundled dataset and each generated size (bench/gen.py), in one process:

- the graph is loaded once without SHACL (``load(..., shacl=False)``, not timed);
- ours:    ``ontology_shapes().validate(index)``, the check the build runs, over the build's
           own triple index: every focus node of every targeted shape (wall and CPU seconds,
           median of ``--repeat`` runs);
- pySHACL: ``pyshacl.validate`` with the same shapes and options as ``graph.build.loader.validate``
           (``inference="none"``) over the same graph as an rdflib Graph, once, on the sizes
           named by ``--pyshacl`` (default: the bundled dataset and S). On larger sizes its
           time is estimated from S, linearly in triples (pySHACL's own cost grows at least
           linearly: it visits every focus node and value); the estimate is marked as such.

Both verdicts are printed (and must agree where both ran). Results go to
``bench/results/shacl.json`` and a Markdown table on stdout.

    python bench/bench_shacl.py default S M
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import gen  # noqa: E402

from graph.build import shapecheck  # noqa: E402
from graph.build.loader import load, validate  # noqa: E402
from graph.paths import bundled_sources  # noqa: E402


def timed(fn: Any) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def run(size: str, work: Path, repeat: int, with_pyshacl: bool) -> dict[str, Any]:
    if size == "default":
        folder = bundled_sources()
    else:
        folder = work / f"gen-{size}"
        gen.generate(size, folder)
    load_s, _, loaded = timed(lambda: load([folder], shacl=False))
    shapes = shapecheck.ontology_shapes()
    runs = [timed(lambda: shapes.validate(loaded.index)) for _ in range(repeat)]
    row: dict[str, Any] = {
        "size": size, "triples": len(loaded.index), "checks": shapes.count, "load_s": round(load_s, 2),
        "ours_wall_s": round(statistics.median(r[0] for r in runs), 3),
        "ours_cpu_s": round(statistics.median(r[1] for r in runs), 3),
        "ours_violations": len(runs[0][2]),
    }
    if with_pyshacl:
        g = loaded.g
        wall, cpu, problems = timed(lambda: validate(g))
        row.update(pyshacl_wall_s=round(wall, 2), pyshacl_cpu_s=round(cpu, 2), pyshacl_violations=len(problems),
                   pyshacl_measured=True)
        assert (not problems) == (not runs[0][2]), "verdicts differ"
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sizes", nargs="+", help="default (the bundled dataset), XS, S, M or L")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pyshacl", default="default,S", help="sizes on which pySHACL is run (others are estimated from S)")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "shacl.json")
    args = ap.parse_args()
    measured_on = set(args.pyshacl.split(","))
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        rows = []
        for size in args.sizes:
            rows.append(run(size, Path(tmp), args.repeat, size in measured_on))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    s = next((r for r in rows if r["size"] == "S" and r.get("pyshacl_measured")), None)
    for r in rows:
        if "pyshacl_wall_s" not in r and s is not None:
            scale = r["triples"] / s["triples"]
            r.update(pyshacl_wall_s=round(s["pyshacl_wall_s"] * scale, 1), pyshacl_cpu_s=round(s["pyshacl_cpu_s"] * scale, 1),
                     pyshacl_measured=False)
    report = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {platform.python_version()}, "
              f"{__import__('os').cpu_count()} cores", "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("| size | triples | checks | ours wall (CPU) | pySHACL wall (CPU) | ratio (CPU) | verdicts |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        py = (f"{r['pyshacl_wall_s']} s ({r['pyshacl_cpu_s']} s)" + ("" if r.get("pyshacl_measured") else " estimated from S")
              if "pyshacl_wall_s" in r else "—")
        ratio = f"{r['pyshacl_cpu_s'] / r['ours_cpu_s']:.0f}×" if "pyshacl_cpu_s" in r and r["ours_cpu_s"] > 0 else "—"
        verdict = "conforms" if r["ours_violations"] == 0 else f"{r['ours_violations']} violations"
        same = "" if not r.get("pyshacl_measured") else (", same as pySHACL" if (r["pyshacl_violations"] == 0) ==
                                                           (r["ours_violations"] == 0) else ", DIFFERENT")
        print(f"| {r['size']} | {r['triples']:,} | {r['checks']} | {r['ours_wall_s']} s ({r['ours_cpu_s']} s) | {py} | "
              f"{ratio} | {verdict}{same} |")


if __name__ == "__main__":
    main()
