"""Bytes moved and time for one reach question through a local Oxigraph server (issue 16):
the whole-graph download (what `--endpoint` did before) against the scoped query.

    python bench/gen.py S /tmp/gen-S && datareach --sources /tmp/gen-S --out /tmp/out-S build
    python bench/bench_endpoint.py --out /tmp/out-S --size S [--skip-whole]

Starts `oxigraph serve` (PyPI `oxigraph`) on a free port, pushes the build, then times
``read_reach`` (the scoped fetch ``datareach --endpoint … reach`` does) and ``remote_graph``
(every triple, paged), counting the bytes of every answer. Appends a Markdown row to
bench/results/endpoint.md and prints it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sparql_servers import start_oxigraph  # noqa: E402

from graph.build.projection import project  # noqa: E402
from graph.questions.reach import reach  # noqa: E402
from graph.sparql.access import DEFAULT_GRAPH  # noqa: E402
from graph.sparql.remote import Remote, push, remote_graph  # noqa: E402
from graph.sparql.scoped import read_reach  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="a build folder (datareach build --out)")
    parser.add_argument("--size", default="?", help="the bench/gen.py size, for the table")
    parser.add_argument("--data-type", default="phone number")
    parser.add_argument("--skip-whole", action="store_true", help="do not time the whole-graph download")
    args = parser.parse_args()
    binary = shutil.which("oxigraph")
    if binary is None:
        sys.exit("pip install oxigraph (the server)")
    folder = Path(tempfile.mkdtemp(prefix="bench-endpoint-"))
    server = start_oxigraph(binary, folder).wait()
    try:
        t0 = time.perf_counter()
        triples = push(args.out, server.store_url, graph=DEFAULT_GRAPH, timeout=3600)
        pushed = time.perf_counter() - t0
        rows = []
        remote = Remote(server.query_url, graph=DEFAULT_GRAPH, timeout=600)
        t0 = time.perf_counter()
        reader = read_reach(remote.runner(), args.data_type)
        answer = reach(project(reader.g), args.data_type)
        rows.append(("scoped query", time.perf_counter() - t0, remote.bytes_read, remote.requests, len(reader.g), answer.total))
        if not args.skip_whole:
            whole = Remote(server.query_url, graph=DEFAULT_GRAPH, timeout=600)
            t0 = time.perf_counter()
            g = remote_graph(whole, max_triples=50_000_000)
            answer_all = reach(project(g), args.data_type)
            rows.append(("whole graph", time.perf_counter() - t0, whole.bytes_read, whole.requests, len(g), answer_all.total))
            assert answer_all.to_json() == answer.to_json(), "the scoped answer differs"
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    lines = [f"\n{args.size}: {triples:,} triples pushed in {pushed:.1f} s; reach {args.data_type!r}\n",
             "| fetch | time (s) | bytes moved | requests | triples fetched | parties |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {name} | {t:.1f} | {b:,} | {n:,} | {k:,} | {p:,} |" for name, t, b, n, k, p in rows]
    text = "\n".join(lines) + "\n"
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    with (results / "endpoint.md").open("a") as fh:
        fh.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
