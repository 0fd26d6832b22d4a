"""The columnar build's in-process work, phase by phase, writing every output to /dev/null.

For datasets whose build outputs do not fit the free disk (3×L writes about 43 GB: the
N-Triples, Turtle and JSON-LD are about 13 GB each), this runs what ``build`` runs in its
main process (read, check, compile per row with SHACL, SHACL of the bulk grants by columns, project, merge, write N-Triples,
JSON-LD of the grants, the flow index, the evidence and the attributes) and prints each
phase's time and the peak RSS so far. Left out: the children converting the per-row part to
Turtle and JSON-LD (small), and the manifest's sha256 of each file.

    python bench/gen.py 3L /tmp/gen-3L
    python bench/columnar_phases.py /tmp/gen-3L
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from graph import nogc
from graph.build import columnar, compiled
from graph.build.loader import load
from graph.build.projection import project
from graph.build.triples import OxConverter

NULL = "/dev/null"


def main(src: Path) -> None:
    columnar.MIN_BYTES = 0
    start = mark = time.perf_counter()

    def lap(what: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        print(f"{now - mark:7.2f}s {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024:6d} MB  {what}", flush=True)
        mark = now

    with nogc.paused(), tempfile.TemporaryDirectory() as tmp:
        grants = compiled._bulk([src], Path(tmp) / "out", 100_000)  # noqa: SLF001 - the build's own first step
        assert grants is not None
        loaded = load([src], exclude=[], max_input_mb=100_000, bulk=grants)
        lap("read + check + load the rest per row (SHACL on that part)")
        frame = grants.grants.frame  # the bulk grants (holdings: grants.holdings, none in the synthetic sizes)
        assert frame is not None
        G = project(loaded.index)  # type: ignore[arg-type]
        lap("project the per-row part")
        triples = columnar.triple_count(frame) + len(loaded.index)
        checked, violations = columnar.check_shapes(frame, loaded.index)
        lap(f"SHACL by columns over the {checked:,} bulk triples ({violations} violations)")
        merged = columnar.merge(G, frame)
        lap("merge")
        ox.serialize(OxConverter().triples(loaded.index), str(Path(tmp) / "rows.nt"), ox.RdfFormat.N_TRIPLES)
        with open(NULL, "wb") as fh:
            columnar.write_ntriples(frame, fh)
        lap("N-Triples")
        with open(NULL, "wb") as fh:
            columnar.write_jsonld(frame, fh)
        lap("JSON-LD of the grants")
        index = columnar.flow_index(merged, "token", Path(NULL), Path(NULL))
        lap("flow index + evidence + attributes")
        with open(NULL, "wb") as fh:
            index.save(fh)
        lap("flows.npz")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"triples": triples, "seconds": round(time.perf_counter() - start, 1), "peak_mb": peak // 2**20,
                      "bytes_per_triple": round(peak / triples)}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
