"""The HTML view at 1k, 10k and 100k parties: page build and Chromium load, folded views vs pyvis' plain page.

Run by hand (not in the test suite):

    python bench/viz_scale.py [--sizes 1000 10000 100000] [--cap 60]

For each size one generated graph is rendered three ways, side by side in one run:

- ``all``: ``graph.viz.page.render_html(G)`` — the whole graph, at most 300 parties drawn,
  the rest folded into groups;
- ``reach``: ``render_html(G, focus_data_type="phone number")`` — the reach view;
- ``pyvis``: the plainest route, pyvis' own page of the same graph (every node and edge,
  its default physics, ``cdn_resources="in_line"``, ``generate_html``). Up to 10,000 nodes it is
  filled with ``add_node``/``add_edge``; above, those calls are quadratic (each checks a list of
  ids), so its lists are filled directly and the build time shown is not pyvis' own.

The graph is ``bench/gen.py``'s shape (a few hub grantors, Pareto-like; about 1.8 grants per
party, holdings on one party in ten) generated in memory by ``tests/browser/synthetic.py``:
loading 100,000 companies through the RDF loader would time the loader, not the page.
"first draw" is ``performance.now()`` at vis-network's first ``afterDrawing`` (ms since
navigation start), all network blocked. Results: stdout (Markdown) and bench/results/viz-scale.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from browser.synthetic import synthetic_graph  # noqa: E402
from viz_bench import ARGS, CHROMIUM, HOOK, first_draw, machine  # noqa: E402

VARIANTS = ("all", "reach", "pyvis")


def pyvis_page(G: Any) -> str:
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    if G.number_of_nodes() <= 10_000:
        for node, attrs in G.nodes(data=True):
            net.add_node(node, label=attrs["label"], title=f"{attrs['label']} ({attrs['kind']})")
        for u, v, attrs in G.edges(data=True):
            net.add_edge(u, v, title=f"{attrs.get('integration')}: {', '.join(attrs.get('permissions', []))}")
    else:
        net.nodes = [{"id": n, "label": a["label"], "title": f"{a['label']} ({a['kind']})", "shape": "dot"}
                     for n, a in G.nodes(data=True)]
        net.node_ids = [n["id"] for n in net.nodes]
        net.edges = [{"from": u, "to": v, "arrows": "to"} for u, v in G.edges()]
    page = net.generate_html()
    assert "return network;" in page
    return page.replace("return network;", HOOK, 1)


def render(variant: str, G: Any) -> tuple[str, float]:
    from graph.viz.page import render_html

    start = time.perf_counter()
    if variant == "all":
        page = render_html(G)
    elif variant == "reach":
        page = render_html(G, focus_data_type="phone number")
    else:
        page = pyvis_page(G)
    return page, time.perf_counter() - start


def run(sizes: list[int], cap_s: float) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    results = []
    folder = Path(tempfile.mkdtemp(prefix="viz-scale-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n in sizes:
            G = synthetic_graph(n)
            for variant in VARIANTS:
                page, seconds = render(variant, G)
                path = folder / f"{variant}-{n}.html"
                path.write_text(page, encoding="utf-8")
                timing = first_draw(browser, path, "baseline" if variant == "pyvis" else "tuned", cap_s)
                print(f"  {variant:6} n={n:6}: build {seconds:.2f} s, first draw {timing['first_draw']} ms", file=sys.stderr)
                results.append({"parties": G.number_of_nodes(), "links": G.number_of_edges(), "variant": variant,
                                "build_s": round(seconds, 2), "html_mb": round(len(page.encode()) / 1e6, 2),
                                "first_draw_ms": timing["first_draw"], "notes": timing})
        browser.close()
    return results


def table(results: list[dict[str, Any]], cap_s: float) -> str:
    lines = ["| parties | links | variant | build s | HTML MB | first draw ms |", "|---:|---:|---|---:|---:|---:|"]
    for r in results:
        draw = f"{r['first_draw_ms']:,.0f}" if r["first_draw_ms"] is not None else f"not drawn in {cap_s:.0f} s"
        lines.append(f"| {r['parties']:,} | {r['links']:,} | {r['variant']} | {r['build_s']:.2f} | {r['html_mb']} | {draw} |")
    lines.append("")
    for n in sorted({r["parties"] for r in results}):
        by = {r["variant"]: r for r in results if r["parties"] == n}
        base = by["pyvis"]["first_draw_ms"]
        for variant in ("all", "reach"):
            mine = by[variant]["first_draw_ms"]
            if mine is None:
                words = "not drawn"
            elif base is None:
                words = f"drawn in {mine / 1000:.1f} s; pyvis' plain page not drawn in {cap_s:.0f} s (ratio > {cap_s * 1000 / mine:.0f}×)"
            else:
                words = f"drawn in {mine / 1000:.1f} s, {base / mine:.0f}× sooner than pyvis' plain page ({base / 1000:.1f} s)"
            lines.append(f"- {n:,} parties, {variant} view: {words}.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--cap", type=float, default=60.0, help="seconds to wait for a first draw")
    args = parser.parse_args()
    results = run(args.sizes, args.cap)
    info = machine()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "viz-scale.json").write_text(json.dumps({"machine": info, "results": results}, indent=1), encoding="utf-8")
    print(table(results, args.cap))
    print(f"\nMachine: {info}")


if __name__ == "__main__":
    main()
