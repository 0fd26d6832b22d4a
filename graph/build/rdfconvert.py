"""Turn the build's N-Triples into Turtle or JSON-LD in child processes.

Oxigraph streams the conversion (little memory), but it runs Python's iterator protocol
for every triple and so holds the interpreter. In a child process each conversion runs
on a core of its own while the build writes its caches: at M size, about 12 s of a
70 s build overlap instead of adding up.

    python -m graph.build.rdfconvert IN.nt OUT FORMAT     # FORMAT: turtle or json-ld
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FORMATS = ("turtle", "json-ld")
# A child's command, before its three arguments. -P: not the current folder first (a
# graph.py there must not shadow the package); PYTHONPATH (below) names the package's own.
COMMAND = [sys.executable, "-P", "-m", "graph.build.rdfconvert"]


def convert(nt: str, out: str, fmt: str) -> None:
    """Stream ``nt`` into ``out`` as ``fmt`` (our prefixes for Turtle)."""
    import pyoxigraph as ox

    from graph.model.vocab import PREFIXES

    target = {"turtle": ox.RdfFormat.TURTLE, "json-ld": ox.RdfFormat.JSON_LD}[fmt]
    ox.serialize(ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES), out, target,
                 prefixes=PREFIXES if fmt == "turtle" else None)


@contextmanager
def converting(jobs: list[tuple[str, str, str]]) -> Iterator[None]:
    """Run each (nt, out, format) conversion in a child while the block runs; wait for all
    at its end. OSError if one fails; on any failure every child is stopped."""
    here = str(Path(__file__).resolve().parent.parent)  # the folder holding this very package
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    try:
        for nt, out, fmt in jobs:
            children.append((out, subprocess.Popen([*COMMAND, nt, out, fmt], env=env, stdin=subprocess.DEVNULL,
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
        yield
        for out, child in children:
            _, err = child.communicate()
            if child.returncode != 0:
                lines = err.decode("utf-8", "replace").strip().splitlines() or ["no message"]
                raise OSError(f"converting to {out} failed: {lines[-1]}")
    finally:
        for _, child in children:
            if child.poll() is None:
                child.kill()
                child.wait()


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[2] not in FORMATS:
        sys.stderr.write(__doc__ or "")
        return 2
    convert(*argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
