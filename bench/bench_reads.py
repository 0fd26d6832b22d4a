"""table, export, owner and viz at one size, each beside the plainest library route to the
same output on the same build, plus the start-up of `reach`/`table` against `python -c pass`.

    python bench/bench_reads.py SOURCES OUT [--runs N] [--owner NAME] > bench/results/reads-M.md

SOURCES is a dataset folder (``bench/gen.py M DIR``) or ``default``; OUT its build folder
(built first only if stale, as every command decides; not timed). Every command is a fresh process; datareach and its anchor
are interleaved within each repetition, and the medians are reported as ratios. Anchors:

- ``table --format csv``: the standard library reading the same rows (``json`` over the
  build's attributes and evidence files, ``csv`` writing the grant rows);
- ``export --format graphml``: python-igraph's ``write_graphml`` of the same nodes and edges
  with the same attributes (igraph is not a dependency: ``pip install igraph`` for the bench);
- ``owner``: numpy loading the flow index and following the company's ownership edges;
- ``viz``: ``projection()`` alone (the networkx graph the page is laid out from), for the Python side.

Every process runs with its bytecode cached, as after ``pip install`` (which compiles it):
``PYTHONDONTWRITEBYTECODE`` is dropped and ``PYTHONPYCACHEPREFIX`` points at a folder of this run,
filled by ``compileall`` of the ``graph`` package the commands import (``--no-bytecode`` keeps
the environment as it is). ``--only NAME`` (repeatable: table, export, owner, viz) runs only those
rows. The start-up rows are ``--help``, ``reach`` and ``owner``.

    python bench/bench_reads.py --arrays SOURCES OUT [--owner NAME] [--json FILE]

counts instead what ``owner``, ``reach``, ``company`` and ``table`` read of ``flows.npz``: each
runs in a fresh process with ``numpy``'s ``NpzFile.__getitem__`` counted, and the bytes of the
arrays it read (their sizes in the file) are reported beside the file's size. Files are in the
page cache between runs, so ``/proc/self/io`` ``read_bytes`` says nothing; this counts what
is taken from the file and decoded (CRC-checked and copied) whether cached or not.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ANCHOR_TABLE = r"""
import csv, json, sys, numpy as np
from pathlib import Path
folder = Path(sys.argv[1])
with np.load(folder / "flows.npz") as data:
    span, espan, kind, order = data["attr_span"], data["evidence_span"], data["kind"], data["edge_order"]
attrs = (folder / "attributes.json").read_bytes()
evidence = (folder / "evidence.json").read_bytes()
grants = order[kind[order] == 0]
rows = json.loads(b"[" + b",".join(attrs[a:b] for a, b in span[grants].tolist()) + b"]")
claims = json.loads(b"[" + b",".join(evidence[a:b] for a, b in espan[grants].tolist()) + b"]")
out = csv.writer(sys.stdout)
for a, c in zip(rows, claims):
    out.writerow([a.get("id"), a.get("integration"), "; ".join(a["data_types"]), "; ".join(a.get("permissions", [])),
                  a.get("valid_from"), a.get("stated_end"), a.get("status"), "; ".join(str(x["source"]) for x in c)])
"""

ANCHOR_GRAPHML = r"""
import json, sys, numpy as np, igraph as ig
from pathlib import Path
folder, target = Path(sys.argv[1]), sys.argv[2]
with np.load(folder / "flows.npz") as data:
    span, espan, src, dst, order = data["attr_span"], data["evidence_span"], data["src"], data["dst"], data["edge_order"]
    nspan = data["node_span"]
attrs = (folder / "attributes.json").read_bytes()
evidence = (folder / "evidence.json").read_bytes()
nodes = json.loads(b"[" + b",".join(attrs[a:b] for a, b in nspan.tolist()) + b"]")
rows = json.loads(b"[" + b",".join(attrs[a:b] for a, b in span[order].tolist()) + b"]")
claims = [evidence[a:b].decode() for a, b in espan[order].tolist()]
def flat(v):
    if v is None: return ""
    if isinstance(v, (dict, list)) and any(isinstance(x, (dict, list)) for x in (v.values() if isinstance(v, dict) else v)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    if isinstance(v, list): return "; ".join(map(str, v))
    return str(v)
g = ig.Graph(n=len(nodes), edges=list(zip(src[order].tolist(), dst[order].tolist())), directed=True)
for name in {k for n in nodes for k in n}:
    g.vs[name] = [flat(n.get(name)) for n in nodes]
for name in {k for r in rows[:1000] for k in r} | {"same_as", "affected"}:
    g.es[name] = [flat(r.get(name)) for r in rows]
g.es["evidence"] = claims
g.write_graphml(target)
"""

ANCHOR_OWNER = r"""
import json, sys, numpy as np
from pathlib import Path
folder, name = Path(sys.argv[1]), sys.argv[2]
with np.load(folder / "flows.npz") as data:
    keys = data["keys_blob"].tobytes().decode(); offsets = data["keys_offsets"]; src, dst, kind = data["src"], data["dst"], data["kind"]
    labels = data["labels_blob"].tobytes().decode()
names = [keys[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
node = names.index(name) if name in names else 0
chain = []
while True:
    up = np.flatnonzero((src == node) & (kind == 2))
    if not len(up) or len(chain) > 32: break
    node = int(dst[up[0]]); chain.append(names[node])
print(json.dumps(chain))
"""

COUNT_ARRAYS = r"""
import json, sys, zipfile, numpy as np
from click.testing import CliRunner
from graph.cli.main import main
from graph.build.folder import current
sources, out, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
reads = []
original = np.lib.npyio.NpzFile.__getitem__
def counting(self, key):
    reads.append(key)
    return original(self, key)
np.lib.npyio.NpzFile.__getitem__ = counting
src = ["-s", sources] if sources != "default" else []
result = CliRunner().invoke(main, ["-q", *src, "--out", out, *args])
assert result.exit_code == 0, result.output
with zipfile.ZipFile(current(out).folder / "flows.npz") as z:
    sizes = {i.filename.removesuffix(".npy"): i.file_size for i in z.infolist()}
print(json.dumps({"reads": reads, "read_bytes": sum(sizes[k] for k in reads), "file_bytes": sum(sizes.values())}))
"""

ANCHOR_VIZ = "import sys, graph; graph.projection([sys.argv[1]], sys.argv[2])"
ENV = dict(os.environ)
COMPILE = "import compileall, os, graph; compileall.compile_dir(os.path.dirname(graph.__file__), quiet=1)"


def timed(cmd: list[str], out: Path | None = None) -> float:
    start = time.perf_counter()
    with open(out or "/dev/null", "wb") as sink:
        subprocess.run(cmd, stdout=sink, stderr=subprocess.DEVNULL, check=True, env=ENV)
    return time.perf_counter() - start


def stale(sources: str, out: Path) -> bool:
    """Whether ``out`` holds no build of ``sources`` as they are now (the rule every command
    uses, ``graph.build.compiled.is_fresh``): a bench re-run on unchanged inputs reuses the build."""
    from graph.build.project import Project

    found = Project.of(sources, out) if sources != "default" else Project(Project.bundled().sources, out, None)
    return not found.is_fresh()


def arrays(sources: str, out: Path, owner: str, target: str | None) -> None:
    """What each question reads of ``flows.npz`` (``--arrays``): a Markdown table, and JSON to ``target``."""
    questions = {"owner": ["owner", owner, "--format", "json"], "reach": ["reach", "phone number", "--format", "json"],
                 "company": ["company", owner, "--format", "json"], "table": ["table", "--format", "csv"]}
    found: dict[str, Any] = {}
    for name, argv in questions.items():
        done = subprocess.run([sys.executable, "-c", COUNT_ARRAYS, sources, str(out), json.dumps(argv)], check=True,
                              capture_output=True, text=True, env=ENV)
        found[name] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"sources: {sources}; what each command reads of flows.npz; load average {os.getloadavg()}\n")
    print("| command | arrays read | bytes read | of flows.npz |\n|---|---|---|---|")
    for name, got in found.items():
        print(f"| `{name}` | {len(got['reads'])} | {got['read_bytes']:,} | {got['read_bytes'] / got['file_bytes']:.0%} "
              f"of {got['file_bytes']:,} |")
    if target:
        Path(target).write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    args = sys.argv[1:]
    if args[0] == "--arrays":
        owner = args[args.index("--owner") + 1] if "--owner" in args else "Company 000000"
        arrays(args[1], Path(args[2]), owner, args[args.index("--json") + 1] if "--json" in args else None)
        return
    sources, out = args[0], Path(args[1])
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 3
    owner = args[args.index("--owner") + 1] if "--owner" in args else "Company 000000"
    only = [args[i + 1] for i, a in enumerate(args) if a == "--only"]
    if "--no-bytecode" not in args:
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        ENV["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="bench-pycache-")
        subprocess.run([sys.executable, "-c", COMPILE], check=True, env=ENV)
    py = sys.executable
    src = ["-s", sources] if sources != "default" else []
    dr = [py, "-m", "graph", *src, "--out", str(out)]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if stale(sources, out):
        subprocess.run([*dr, "build"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    from graph.build.folder import current

    found = current(out)
    assert found is not None
    folder = str(found.folder)
    tmp = Path(tempfile.mkdtemp())
    rows = {
        "table --format csv": ([*dr, "table", "--format", "csv"], [py, "-c", ANCHOR_TABLE, folder], "stdlib json + csv over the same rows"),
        "export --format graphml": ([*dr, "export", "--format", "graphml", "-o", str(tmp / "a.graphml")],
                                    [py, "-c", ANCHOR_GRAPHML, folder, str(tmp / "b.graphml")], "igraph write_graphml, same attributes"),
        "owner": ([*dr, "owner", owner, "--format", "json"], [py, "-c", ANCHOR_OWNER, folder, owner], "numpy over the flow index"),
        "viz (Python side)": ([*dr, "viz", "-o", str(tmp / "g.html")],
                              [py, "-c", ANCHOR_VIZ, sources if sources != "default" else str(Path(__file__).resolve().parents[1] / "sources"), str(out)],
                              "projection() alone"),
    }
    if only:
        rows = {k: v for k, v in rows.items() if k.split()[0] in only}
    times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in rows}
    for _ in range(runs):
        for name, (ours, anchor, _what) in rows.items():
            times[name][0].append(timed(ours))
            times[name][1].append(timed(anchor))
    print(f"sources: {sources}; {runs} runs, medians; fresh process each; bytecode cached: {'PYTHONPYCACHEPREFIX' in ENV}; "
          f"load average {os.getloadavg()}\n")
    print("| command | datareach s | anchor | anchor s | ratio |\n|---|---|---|---|---|")
    for name, (ours_t, anchor_t) in times.items():
        a, b = statistics.median(ours_t), statistics.median(anchor_t)
        print(f"| `{name}` | {a:.2f} | {rows[name][2]} | {b:.2f} | {a / b:.2f}× |")
    floor = [timed([py, "-c", "pass"]) for _ in range(5)]
    numpy_floor = [timed([py, "-c", "import numpy"]) for _ in range(5)]
    start = {c: [timed([*dr, *c]) for _ in range(5)] for c in (("--help",), ("reach", "phone number"), ("owner", owner))}
    print("\n| start-up | min s | median s |\n|---|---|---|")
    print(f"| `python -c pass` | {min(floor):.3f} | {statistics.median(floor):.3f} |")
    print(f"| `python -c 'import numpy'` | {min(numpy_floor):.3f} | {statistics.median(numpy_floor):.3f} |")
    for c, ts in start.items():
        print(f"| `datareach {' '.join(c)}` | {min(ts):.3f} | {statistics.median(ts):.3f} |")
    print("\n" + json.dumps({k: {"datareach": v[0], "anchor": v[1]} for k, v in times.items()}))


if __name__ == "__main__":
    main()
