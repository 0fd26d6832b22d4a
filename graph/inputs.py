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

    >>> from graph.paths import default_sources
    >>> files, problems = collect([default_sources()])
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
