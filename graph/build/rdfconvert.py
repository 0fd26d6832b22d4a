"""Turn the build's N-Triples into Turtle or JSON-LD in child processes.

Oxigraph streams the conversion (little memory), but it runs Python's iterator protocol
for every triple and so holds the interpreter. In a child process each conversion runs
on a core of its own while the build writes its caches: at M size, about 12 s of a
70 s build overlap instead of adding up.

    python -m graph.build.rdfconvert IN.nt OUT FORMAT     # FORMAT: turtle or json-ld
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

FORMATS = ("turtle", "json-ld")
# A child's command, before its three arguments. -P: not the current folder first (a
# graph.py there must not shadow the package); PYTHONPATH (below) names the package's own.
COMMAND = [sys.executable, "-P", "-m", "graph.build.rdfconvert"]


def convert(nt: str, out: str, fmt: str) -> None:
    """Stream ``nt`` into ``out`` as ``fmt`` (our prefixes for Turtle, no escaped local names)."""
    import pyoxigraph as ox

    from graph.model.vocab import PREFIXES

    target = {"turtle": ox.RdfFormat.TURTLE, "json-ld": ox.RdfFormat.JSON_LD}[fmt]
    triples = ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES)
    if fmt != "turtle":
        ox.serialize(triples, out, target)
        return
    with open(out, "wb") as raw:  # noqa: PTH123 - a plain binary file for the filter
        plain = PlainNames(raw, PREFIXES)
        ox.serialize(triples, cast(IO[bytes], plain), target, prefixes=PREFIXES)  # it only calls write()
        plain.close()


# A Turtle token: a string literal (escapes inside), an IRI, or anything up to white space.
_TOKEN = re.compile(rb'"(?:[^"\\\n]|\\.)*"|<[^>\s]*>|[^\s"<]+|\S')
_PREFIXED = re.compile(rb"(\^\^)?([A-Za-z][\w.-]*|):(.*)", re.DOTALL)
_UNESCAPE = re.compile(rb"\\(.)")


class PlainNames:
    r"""A binary writer that rewrites every prefixed name written with a backslash escape
    (``id:company\/amazon``) as a full IRI (``<https://…/id/company/amazon>``).

    The escapes are legal Turtle, but Virtuoso 7.2 keeps the backslash in the IRI (issue 16),
    so no escaped local name is ever written. Oxigraph writes one statement part per token,
    string literals on one line, so the filter works line by line.

    >>> import io
    >>> buf = io.BytesIO()
    >>> w = PlainNames(buf, {"id": "https://w3id.org/datareach/id/"})
    >>> w.write(b'id:company\/amazon id:p "id:a\\/b" , id:x .\n')
    43
    >>> w.close()
    >>> print(buf.getvalue().decode(), end="")
    <https://w3id.org/datareach/id/company/amazon> id:p "id:a\/b" , id:x .
    """

    def __init__(self, raw: IO[bytes], prefixes: Mapping[str, str]) -> None:
        self.raw, self.pending = raw, b""
        self.namespaces = {k.encode(): v.encode() for k, v in prefixes.items()}

    def write(self, data: bytes) -> int:
        """Take more Turtle; complete lines are filtered and written on."""
        text = self.pending + bytes(data)
        cut = text.rfind(b"\n") + 1
        self.pending = text[cut:]
        if cut:
            self.raw.write(self._plain(text[:cut]))
        return len(data)

    def flush(self) -> None:
        """Nothing is held back but an unfinished line."""

    def close(self) -> None:
        """Write what is left."""
        if self.pending:
            self.raw.write(self._plain(self.pending))
            self.pending = b""

    def _plain(self, lines: bytes) -> bytes:
        if b"\\" not in lines:
            return lines
        return b"\n".join(_TOKEN.sub(self._token, line) for line in lines.split(b"\n"))

    def _token(self, m: re.Match[bytes]) -> bytes:
        token = m.group(0)
        if b"\\" not in token or token[:1] in (b'"', b"<"):
            return token
        name = _PREFIXED.fullmatch(token)
        if name is None or name.group(2) not in self.namespaces:
            return token
        local = _UNESCAPE.sub(rb"\1", name.group(3))
        return (name.group(1) or b"") + b"<" + self.namespaces[name.group(2)] + local + b">"


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
