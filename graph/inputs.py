"""Find fact files and fingerprint them (no rdflib here: the fast paths import this)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from graph.errors import Problem
from graph.paths import ontology_dir, schema_path

FACT_SUFFIXES = {".yaml", ".yml", ".csv"}
RDF_SUFFIXES = {".ttl", ".jsonld"}
SKIP_DIRS = {"schema", "__pycache__"}
FORMAT_VERSION = "1"


def collect(paths: Iterable[Path], *, exclude: Iterable[Path] = ()) -> tuple[list[Path], list[Problem]]:
    """The fact files named by ``paths`` (folders are searched recursively), in order.

    Folders in ``exclude`` (the build's own output) are never read as input.

    >>> from graph.paths import bundled_sources
    >>> files, problems = collect([bundled_sources()])
    >>> problems
    []
    """
    files: list[Path] = []
    problems: list[Problem] = []
    allowed = FACT_SUFFIXES | RDF_SUFFIXES
    skip = [e.resolve() for e in exclude]
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in allowed
                            and not SKIP_DIRS & set(p.relative_to(path).parts[:-1]) and not p.name.startswith(".")
                            and not any(p.resolve().is_relative_to(e) for e in skip))
        elif not path.exists():
            problems.append(Problem(str(path), None, "", "no such file or folder"))
        elif path.suffix.lower() not in allowed:
            problems.append(Problem(str(path), None, "", "unsupported file type: use .yaml, .csv, .ttl or .jsonld"))
        else:
            files.append(path)
    return list(dict.fromkeys(files)), problems


def fingerprint(files: Iterable[Path]) -> str:
    """A content hash of the input files and the ontology they are read with."""
    h = hashlib.sha256(FORMAT_VERSION.encode())
    extra = [*sorted(ontology_dir().glob("*.ttl")), schema_path()]
    for path in [*files, *extra]:
        h.update(str(path.resolve()).encode("utf-8", "surrogateescape") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def read_text(path: Path, name: str, *, encoding: str = "utf-8",
              max_bytes: int | None = None) -> tuple[bytes, str] | Problem:
    """A file's bytes and text, or the Problem that stops reading it (size, encoding, I/O).

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "f.ttl"
    >>> _ = p.write_bytes(b"\\xff")
    >>> str(read_text(p, "f.ttl"))
    'f.ttl: not UTF-8 text (byte 0)'
    """
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            return Problem(name, None, "", f"file larger than {max_bytes // 2**20} MB")
        raw = path.read_bytes()
        return raw, raw.decode(encoding)
    except UnicodeDecodeError as exc:
        return Problem(name, None, "", f"not UTF-8 text (byte {exc.start})")
    except OSError as exc:
        return Problem(name, None, "", f"cannot read: {exc.strerror}")
