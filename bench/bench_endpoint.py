"""Bytes moved and time for one reach question through a local Oxigraph server (issue 16):
the whole-graph download (what `--endpoint` did before) against the scoped query.

    python bench/gen.py S /tmp/gen-S && datareach --sources /tmp/gen-S --out /tmp/out-S build
    python bench/bench_endpoint.py --out /tmp/out-S --size S [--skip-whole] [--skip-plain]
        [--integration KIND --as-of DATE]

With ``--integration`` or ``--as-of`` it also times the same question with those filters,
pushed into the scoped query (``ReachFilters``), and checks its answer against the answer
computed on the whole build (its flows). ``--skip-plain`` leaves out the
unfiltered scoped query.

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
from graph.serve.state import load_snapshot  # noqa: E402
from graph.sparql.access import DEFAULT_GRAPH  # noqa: E402
from graph.sparql.remote import Remote, push, remote_graph  # noqa: E402
from graph.sparql.scoped import ReachFilters, read_reach  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="a build folder (datareach build --out)")
    parser.add_argument("--size", default="?", help="the bench/gen.py size, for the table")
    parser.add_argument("--data-type", default="phone number")
    parser.add_argument("--skip-whole", action="store_true", help="do not time the whole-graph download")
    parser.add_argument("--skip-plain", action="store_true", help="do not time the unfiltered scoped query")
    parser.add_argument("--integration", action="append", default=[], help="a filtered question too: this kind")
    parser.add_argument("--as-of", default=None, help="a filtered question too: on this date")
    parser.add_argument("--query-url", default=None,
                        help="a server already holding this build in the default named graph: no start, no push")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-endpoint-"))
    if args.query_url is not None:
        server = None
        query_url = args.query_url
    else:
        binary = shutil.which("oxigraph")
        if binary is None:
            sys.exit("pip install oxigraph (the server)")
        server = start_oxigraph(binary, folder).wait()
        query_url = server.query_url
    try:
        t0 = time.perf_counter()
        triples = 0 if server is None else push(args.out, server.store_url, graph=DEFAULT_GRAPH, timeout=3600)
        pushed = time.perf_counter() - t0
        print(f"pushed {triples:,} triples in {pushed:.1f} s", flush=True)
        rows = []
        answer = None
        if args.integration or args.as_of:
            asked = {"integrations": tuple(args.integration), "as_of": args.as_of}
            remote = Remote(query_url, graph=DEFAULT_GRAPH, timeout=3600)
            t0 = time.perf_counter()
            reader = read_reach(remote.runner(), args.data_type, filters=ReachFilters(**asked))  # type: ignore[arg-type]
            filtered = reach(project(reader.g), args.data_type, **asked)  # type: ignore[arg-type]
            rows.append((f"scoped query, filtered ({', '.join(f'{k}={v}' for k, v in asked.items() if v)})",
                         time.perf_counter() - t0, remote.bytes_read, remote.requests, len(reader.g), filtered.total))
            print(rows[-1], flush=True)
            snap = load_snapshot(args.out, own_store=True)  # the build's flows, without loading its triples
            assert snap is not None, "no build in --out"
            assert reach(snap.index, args.data_type, **asked).to_json() == filtered.to_json(), "the filtered answer differs"  # type: ignore[arg-type]
        if not args.skip_plain:
            remote = Remote(query_url, graph=DEFAULT_GRAPH, timeout=3600)
            t0 = time.perf_counter()
            reader = read_reach(remote.runner(), args.data_type)
            answer = reach(project(reader.g), args.data_type)
            rows.append(("scoped query", time.perf_counter() - t0, remote.bytes_read, remote.requests, len(reader.g),
                         answer.total))
            print(rows[-1], flush=True)
        if not args.skip_whole:
            whole = Remote(query_url, graph=DEFAULT_GRAPH, timeout=600)
            t0 = time.perf_counter()
            g = remote_graph(whole, max_triples=50_000_000)
            answer_all = reach(project(g), args.data_type)
            rows.append(("whole graph", time.perf_counter() - t0, whole.bytes_read, whole.requests, len(g), answer_all.total))
            assert answer is None or answer_all.to_json() == answer.to_json(), "the scoped answer differs"
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    pushing = "(already on the server)" if server is None else f"{triples:,} triples pushed in {pushed:.1f} s"
    lines = [f"\n{args.size}: {pushing}; reach {args.data_type!r}\n",
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
