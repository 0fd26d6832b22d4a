"""HTML view: build time in Python and first draw in headless Chromium, tuned vs pyvis defaults.

Run by hand (not in the test suite):  python bench/viz_bench.py [--sizes 500 5000] [--repeat 3]

For each size, one generated graph (tests/browser/synthetic.py) is rendered two ways,
side by side in one run:

- tuned: ``graph.viz.page.render_html`` (layout in Python, physics off, straight edges above
  300 nodes, hideEdgesOnDrag, vis lists filled directly, everything inline);
- baseline: pyvis with its defaults and ``cdn_resources="in_line"`` (physics on,
  ``smooth: dynamic``, 1000 stabilisation iterations), nodes and edges added through
  ``add_node``/``add_edge``, HTML from ``generate_html``.

"first draw" is ``performance.now()`` at vis-network's first ``afterDrawing`` (ms since
navigation start), with all network blocked. A baseline page not drawn within
``--cap`` seconds is reported as such. Results go to stdout (Markdown) and
bench/results/viz.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser.synthetic import synthetic_graph  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
HOOK = ("window.__constructed = performance.now(); network.once('afterDrawing', function () "
        "{ window.__firstDraw = performance.now(); }); return network;")


def tuned(G: Any) -> str:
    from graph.viz.page import render_html

    return render_html(G)


def baseline(G: Any) -> str:
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    for node, attrs in G.nodes(data=True):
        net.add_node(node, label=attrs["label"], title=f"{attrs['label']} ({attrs['kind']})")
    for u, v, attrs in G.edges(data=True):
        net.add_edge(u, v, title=f"{attrs.get('integration')}: {', '.join(attrs.get('permissions', []))}")
    page = net.generate_html()
    assert "return network;" in page
    return page.replace("return network;", HOOK, 1)


def build(kind: str, G: Any) -> tuple[str, float]:
    start = time.perf_counter()
    page = tuned(G) if kind == "tuned" else baseline(G)
    return page, time.perf_counter() - start


def first_draw(browser: Any, path: Path, kind: str, cap_s: float) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                  else (blocked.append(r.request.url), r.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    probe = ("window.datareach && window.datareach.timing.firstDraw" if kind == "tuned" else "window.__firstDraw")
    try:
        page.goto(path.as_uri(), timeout=int(cap_s * 1000))
        page.wait_for_function(f"!!({probe})", timeout=int(cap_s * 1000), polling=100)
        if kind == "tuned":
            timing = page.evaluate("datareach.timing")
            out = {"constructed": timing["constructed"], "first_draw": timing["firstDraw"]}
        else:
            out = {"constructed": page.evaluate("window.__constructed"), "first_draw": page.evaluate("window.__firstDraw")}
    except Exception as exc:  # noqa: BLE001 - a timeout is a result here
        out = {"constructed": None, "first_draw": None, "error": type(exc).__name__}
    out.update(blocked=len(blocked), page_errors=errors[:3])
    context.close()
    return out


def machine() -> dict[str, Any]:
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return {"nproc": os.cpu_count(), "ram_gib": round(int(mem.split()[1]) / 2**20, 1), "chromium": version,
            "python": platform.python_version(), "load": os.getloadavg(), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def median(values: list[float | None]) -> float | None:
    real = [v for v in values if v is not None]
    return None if not real or len(real) < len(values) else statistics.median(real)


def run(sizes: list[int], repeat: int, cap_s: float) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    results = []
    folder = Path(tempfile.mkdtemp(prefix="viz-bench-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n in sizes:
            G = synthetic_graph(n)
            for kind in ("tuned", "baseline"):
                runs = repeat if kind == "tuned" or n <= 500 else 1  # the 5k baseline is known not to draw
                builds, draws, constructs, notes = [], [], [], []
                for i in range(runs):
                    page, seconds = build(kind, G)
                    path = folder / f"{kind}-{n}-{i}.html"
                    path.write_text(page, encoding="utf-8")
                    timing = first_draw(browser, path, kind, cap_s)
                    builds.append(seconds)
                    draws.append(timing["first_draw"])
                    constructs.append(timing["constructed"])
                    notes.append(timing)
                    print(f"  {kind:8} n={n:5} run {i + 1}: build {seconds:.2f} s, first draw {timing['first_draw']} ms",
                          file=sys.stderr)
                results.append({"nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "variant": kind,
                                "build_s": statistics.median(builds), "html_mb": round(len(page.encode()) / 1e6, 2),
                                "constructed_ms": median(constructs), "first_draw_ms": median(draws), "runs": runs,
                                "notes": notes})
        browser.close()
    return results


def table(results: list[dict[str, Any]], cap_s: float) -> str:
    lines = ["| nodes | edges | variant | build s | HTML MB | constructed ms | first draw ms | runs |",
             "|---:|---:|---|---:|---:|---:|---:|---:|"]
    for r in results:
        draw = f"{r['first_draw_ms']:,.0f}" if r["first_draw_ms"] is not None else f"not drawn in {cap_s:.0f} s"
        built = f"{r['constructed_ms']:,.0f}" if r["constructed_ms"] is not None else "–"
        lines.append(f"| {r['nodes']:,} | {r['edges']:,} | {r['variant']} | {r['build_s']:.2f} | {r['html_mb']} "
                     f"| {built} | {draw} | {r['runs']} |")
    lines.append("")
    for n in sorted({r["nodes"] for r in results}):
        pair = {r["variant"]: r for r in results if r["nodes"] == n}
        t, b = pair["tuned"]["first_draw_ms"], pair["baseline"]["first_draw_ms"]
        ratio = f"{b / t:.0f}× sooner" if t and b else f"baseline not drawn in {cap_s:.0f} s"
        lines.append(f"- {n:,} nodes: tuned first draw {t:,.0f} ms vs baseline: {ratio}.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cap", type=float, default=60.0, help="seconds to wait for a first draw")
    args = parser.parse_args()
    results = run(args.sizes, args.repeat, args.cap)
    info = machine()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "viz.json").write_text(json.dumps({"machine": info, "results": results}, indent=1), encoding="utf-8")
    print(table(results, args.cap))
    print(f"\nMachine: {info}")


if __name__ == "__main__":
    main()
