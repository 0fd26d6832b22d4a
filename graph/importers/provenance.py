"""The ``sources:`` entry of an imported file: who published the dataset, which release.

Each importer gives defaults (publisher, title, upstream URL, licence). A file whose
SHA-256 is listed in ``ontology/mappings/releases.csv`` is named by its upstream
commit and path; any other file is named by its own digest, so a reader can always
tell exactly which file the facts came from. ``--source-…`` options override all of it.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from graph.build.inputs import file_digest
from graph.importers.common import URL, ImportProblem, clip
from graph.names import slugify
from graph.paths import ontology_dir

ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
DATE = re.compile(r"^(unknown|\d{4}(-\d{2}(-\d{2})?)?)$")
FIELDS = ("id", "publisher", "title", "date", "url", "licence", "note")


def digest(path: Path) -> str:
    """The SHA-256 of a file, hex (read in blocks, never held whole)."""
    return file_digest(path).hex()


def releases() -> dict[str, dict[str, str]]:
    """Known upstream releases by SHA-256 (``ontology/mappings/releases.csv``)."""
    path = ontology_dir() / "mappings" / "releases.csv"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    return {row["sha256"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}


def describe(files: list[Path]) -> tuple[str, str | None]:
    """A note naming each file's release (or digest), and a release date if one is known."""
    known = releases()
    parts, date = [], None
    for f in files:
        sha = digest(f)
        rel = known.get(sha)
        if rel is None:
            parts.append(f"file {f.name}, SHA-256 {sha} (not a release listed in ontology/mappings/releases.csv)")
        else:
            parts.append(f"file {rel['upstream_path']} at commit {rel['commit']} of {rel['repository']} "
                         f"(SHA-256 {sha[:16]}…)" + (f"; {rel['note']}" if rel["note"] else ""))
            date = date or (rel["date"] or None)
    return "; ".join(parts), date


def entry(kind: str, files: list[Path], defaults: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """The source entry: defaults, then what the release table knows, then ``overrides``."""
    note, date = describe(files)
    stem = files[0].parent.name if len(files) > 1 else files[0].stem
    slug = slugify(stem)
    out = {"id": (slug if slug.startswith(kind) else slugify(f"{kind}-{stem}"))[:60].strip("-"), "date": date or "unknown", **defaults}
    out["note"] = clip(f"{defaults['note']} Imported with 'datareach import {kind}': {note}." if "note" in defaults
                       else f"Imported with 'datareach import {kind}': {note}.")
    for name, value in overrides.items():
        if value is not None and value != "":
            out[name] = clip(f"{out['note']} {value}") if name == "note" else value
    _check(out)
    return {k: out[k] for k in FIELDS if k in out}


def _check(src: dict[str, str]) -> None:
    for name, pattern, what in (("id", ID, "lower-case letters, digits and hyphens"),
                                ("date", DATE, "YYYY, YYYY-MM, YYYY-MM-DD or unknown"),
                                ("url", URL, "an http or https address")):
        if not pattern.match(src.get(name, "")):
            raise ImportProblem(f"--source-{name} '{src.get(name, '')}' is not valid: use {what}")
    for name in ("publisher", "title"):
        if src.get(name, "").strip() == "":
            raise ImportProblem(f"the source needs a {name}: pass --source-{name}")
