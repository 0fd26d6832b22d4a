"""Find fact files, read them within a size cap, and fingerprint them (no rdflib here:
the fast paths import this).

Every input is untrusted: only regular files are read (a FIFO or a device is refused
without blocking on it), a symbolic link in a sources folder that leads outside that
folder is skipped with a warning, and no file is read past its size cap — checked
before reading and again while reading, so a file that grows cannot get past it.
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graph.errors import DatareachError, Problem
from graph.paths import ontology_dir, schema_path

FACT_SUFFIXES = {".yaml", ".yml", ".csv"}
RDF_SUFFIXES = {".ttl", ".jsonld"}
SKIP_DIRS = {"schema", "__pycache__"}
FORMAT_VERSION = "7"  # 7: claims in a total order; 6: sources say how they were read; facets carry claim confidence; 2: edges name the stated end ``stated_end``, as fact files do; 3: lists, aggregate parties; 4: conflicts; 5: each domain claim with the operator it names
MB = 1024 * 1024
CAP_MB = {".yaml": 20, ".yml": 20, ".csv": 100, ".ttl": 50, ".jsonld": 50}
IMPORT_CAP_MB = 100
ENV_CAP = "DATAREACH_MAX_INPUT_MB"
RAISE_HINT = f"raise the cap with --max-input-mb N or {ENV_CAP}=N"


class Refused(DatareachError):
    """A file that is not read at all: not a regular file, too large, or unreadable."""


def cap_bytes(suffix: str, max_mb: int | None = None) -> int:
    """The size cap for an input with ``suffix``: ``max_mb`` if given, else $DATAREACH_MAX_INPUT_MB,
    else the format's default (YAML 20 MB, CSV 100 MB, Turtle and JSON-LD 50 MB, importer inputs 100 MB).

    >>> cap_bytes(".csv") // MB, cap_bytes(".csv", 500) // MB
    (100, 500)
    """
    if max_mb is None:
        max_mb = env_cap_mb()
    if max_mb is None:
        max_mb = CAP_MB.get(suffix.lower(), IMPORT_CAP_MB)
    return max_mb * MB


def env_cap_mb() -> int | None:
    """$DATAREACH_MAX_INPUT_MB as a whole number of megabytes, or None when unset."""
    value = os.environ.get(ENV_CAP, "").strip()
    if value == "":
        return None
    if not value.isdigit() or int(value) < 1:
        raise Refused(f"{ENV_CAP}={value!r}: give a whole number of megabytes, at least 1")
    return int(value)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, never more than ``max_bytes``; raise Refused otherwise.

    The file is stat'ed before it is opened (a FIFO or device is never opened), opened
    without blocking, checked again on the open descriptor, and read at most one byte
    past the cap, so neither a race nor a growing file gets more than that into memory.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "big.csv"
    >>> _ = p.write_bytes(b"x" * 11)
    >>> try:
    ...     read_bounded(p, 10)
    ... except Refused as exc:
    ...     print(str(exc).split(" (")[0])
    file larger than 10 bytes
    """
    try:
        kind = _kind(os.stat(path).st_mode)
        if kind is not None:
            raise Refused(f"is {kind}, not a regular file: not read")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise Refused(f"cannot read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        kind = _kind(st.st_mode)
        if kind is not None:
            raise Refused(f"is {kind}, not a regular file: not read")
        if st.st_size > max_bytes:
            raise Refused(_too_large(max_bytes))
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(max_bytes + 1 - total, 16 * MB))
            if chunk == b"":
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise Refused(_too_large(max_bytes))
        return b"".join(chunks)
    except OSError as exc:
        raise Refused(f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)


def _too_large(max_bytes: int) -> str:
    size = f"{max_bytes // MB} MB" if max_bytes >= MB else f"{max_bytes} bytes"
    return f"file larger than {size} ({RAISE_HINT})"


_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


def bad_character(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL, or a lone surrogate from a ``\\uD800`` escape), or None.

    >>> bad_character("ok"), bad_character("a\\x00b"), bad_character("a\\ud800")
    (None, 'contains a NUL character', 'contains a lone surrogate (\\\\ud800): not valid Unicode text')
    """
    found = _BAD_CHARS.search(text)
    if found is None:
        return None
    char = found.group()
    return "contains a NUL character" if char == "\x00" else f"contains a lone surrogate (\\u{ord(char):04x}): not valid Unicode text"


MAX_DIGITS = 4300  # Python's own limit for turning digits into an int


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number with more than {MAX_DIGITS} digits")
    return int(digits)


def strict_json(text: str) -> Any:
    """``json.loads`` that refuses NaN and Infinity and numbers over 4,300 digits with a
    ValueError (RecursionError when nested too deeply), and strings holding a NUL or a lone surrogate.

    >>> strict_json('{"a": [1, "x"]}')
    {'a': [1, 'x']}
    >>> strict_json('[NaN]')
    Traceback (most recent call last):
    ...
    ValueError: NaN is not a JSON number
    """
    doc = json.loads(text, parse_constant=_no_constant, parse_int=_int)
    reason = _bad_string(doc)
    if reason is not None:
        raise ValueError(reason)
    return doc


def _bad_string(doc: Any) -> str | None:
    """Why a string (key or value) in ``doc`` cannot be stored, or None; walked without recursion."""
    todo = [doc]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            todo += node.values()
            todo += node.keys()
        elif isinstance(node, list):
            todo += node
        elif isinstance(node, str):
            reason = bad_character(node)
            if reason is not None:
                return f"the string {ascii(node[:60])} {reason}"
    return None


def collect(paths: Iterable[Path], *, exclude: Iterable[Path] = (),
            warnings: list[Problem] | None = None) -> tuple[list[Path], list[Problem]]:
    """The fact files named by ``paths`` (folders are searched recursively), in order.

    Folders in ``exclude`` (the build's own output) are never read as input. In a
    folder, a symbolic link leading outside it is skipped (noted in ``warnings``);
    a FIFO, socket or device with a fact-file name is a problem.

    >>> from graph.paths import bundled_sources
    >>> files, problems = collect([bundled_sources()])
    >>> problems
    []
    """
    files: list[Path] = []
    problems: list[Problem] = []
    skip = [e.resolve() for e in exclude]
    for path in paths:
        if path.is_dir():
            files += _folder(path, skip, problems, warnings)
        elif not path.exists() and not path.is_symlink():
            problems.append(Problem(str(path), None, "", "no such file or folder"))
        elif path.suffix.lower() not in FACT_SUFFIXES | RDF_SUFFIXES:
            problems.append(Problem(str(path), None, "", "unsupported file type: use .yaml, .csv, .ttl or .jsonld"))
        else:
            problem = _special(path)
            files += [path] if problem is None else []
            problems += [] if problem is None else [problem]
    return list(dict.fromkeys(files)), problems


def _special(path: Path) -> Problem | None:
    """A Problem when ``path`` is not a readable regular file (checked without opening it)."""
    try:
        kind = _kind(path.stat().st_mode)
    except OSError as exc:
        return Problem(str(path), None, "", f"cannot read: {exc.strerror}")
    return None if kind is None else Problem(str(path), None, "", f"is {kind}, not a regular file: not read")


def _folder(root: Path, skip: list[Path], problems: list[Problem], warnings: list[Problem] | None) -> list[Path]:
    allowed = FACT_SUFFIXES | RDF_SUFFIXES
    inside = root.resolve()
    out = []
    for p in sorted(root.rglob("*")):
        if (p.suffix.lower() not in allowed or SKIP_DIRS & set(p.relative_to(root).parts[:-1])
                or p.name.startswith(".") or p.is_dir()):
            continue
        target = p.resolve()
        if any(target.is_relative_to(e) for e in skip):
            continue
        if not target.is_relative_to(inside):
            if warnings is not None:
                warnings.append(Problem(str(p), None, "", "a symbolic link leading outside the folder: skipped, not read"))
            continue
        problem = _special(p)
        out += [p] if problem is None else []
        problems += [] if problem is None else [problem]
    return out


def fingerprint(files: Iterable[Path]) -> str:
    """A content hash of the input files (each with its path, which the build records) and
    of the ontology and schema they are read with (each by name and content only: two checkouts,
    or the installed wheel and a checkout, give one token for the same ontology).

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.yaml"
    >>> _ = p.write_text("x")
    >>> fingerprint([p]) == fingerprint([p]) != fingerprint([])
    True
    """
    import hashlib  # on first use: a question's start-up needs none of it
    h = hashlib.sha256(FORMAT_VERSION.encode())
    for path in files:
        h.update(str(path.resolve()).encode("utf-8", "surrogateescape") + b"\0")
        h.update(file_digest(path))
    for path in [*sorted(ontology_dir().glob("*.ttl")), schema_path()]:  # small files: hashing them is cheap
        h.update(b"\1" + path.name.encode("utf-8", "surrogateescape") + b"\0")
        h.update(file_digest(path))
    return h.hexdigest()


RACY_SECONDS = 2.0  # a file changed this close to the moment it was looked at may change again unseen (git's "racy clean")


def file_stats(files: Iterable[Path]) -> list[list[object]] | None:
    """Path, size, modification time and inode of each input and of the ontology, the cheap
    check made before ``fingerprint`` (as git checks its index): equal stats mean the same
    inputs. None when a file was changed too recently for its time to be trusted.

    >>> import tempfile, os, time
    >>> p = Path(tempfile.mkdtemp()) / "a.yaml"
    >>> _ = p.write_text("x")
    >>> file_stats([p]) is None  # just written
    True
    >>> os.utime(p, (time.time() - 60, time.time() - 60))
    >>> file_stats([p])[0][1:3] == [1, p.stat().st_mtime_ns]
    True
    """
    now = time.time_ns()
    out: list[list[object]] = []
    for path in [*files, *sorted(ontology_dir().glob("*.ttl")), schema_path()]:
        st = path.stat()
        if now - st.st_mtime_ns < RACY_SECONDS * 1e9:
            return None
        out.append([str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino])
    return out


def file_digest(path: Path) -> bytes:
    """SHA-256 of a file read in blocks (a large input is never held whole for this)."""
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(MB), b""):
            h.update(block)
    return h.digest()


def read_text(path: Path, name: str, *, encoding: str = "utf-8",
              max_bytes: int | None = None) -> tuple[bytes, str] | Problem:
    """A file's bytes and text, or the Problem that stops reading it (size, kind, encoding, I/O).

    ``max_bytes`` defaults to the cap for the file's format (``cap_bytes``).

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "f.ttl"
    >>> _ = p.write_bytes(b"\\xff")
    >>> str(read_text(p, "f.ttl"))
    'f.ttl: not UTF-8 text (byte 0)'
    """
    try:
        raw = read_bounded(path, cap_bytes(path.suffix) if max_bytes is None else max_bytes)
        return raw, raw.decode(encoding)
    except Refused as exc:
        return Problem(name, None, "", str(exc))
    except UnicodeDecodeError as exc:
        return Problem(name, None, "", f"not UTF-8 text (byte {exc.start})")
