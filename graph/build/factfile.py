"""Read one YAML or CSV fact file and check it against the JSON Schema, with line numbers.

Only this module and ``graph.build.rdfinput`` read source files (STYLE: only the loader reads
sources). Problems name the file, line and field, and suggest the nearest known term.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from graph.build import safeyaml
from graph.build.fastcheck import compile_schema
from graph.build.inputs import read_text
from graph.errors import Problem
from graph.names import suggest
from graph.paths import schema_path

MAX_CSV_FIELD = 1_000_000
LIST_SEPARATOR = ";"
CLAIM_COLUMNS = ("source", "locator", "stance", "confidence", "claimant")
LIST_COLUMNS = ("data_types", "permissions", "whose_data", "from")
DATE_FIELDS = {"date", "valid_from", "stated_end", "last_observed_active", "occurred", "published", "observed", "valid_until"}


@dataclass
class FactFile:
    """A parsed fact file: ``data`` as the schema sees it, and the line of each path."""

    path: str
    data: dict[str, Any]
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line(self, path: tuple[str | int, ...]) -> int | None:
        """The line of ``path`` or of its nearest enclosing value."""
        while path not in self.lines and len(path) > 0:
            path = path[:-1]
        return self.lines.get(path)

    def problem(self, path: tuple[str | int, ...], message: str, suggestion: str | None = None) -> Problem:
        """A Problem located at ``path`` in this file."""
        return Problem(self.path, self.line(path), dotted(path), message, suggestion)


def dotted(path: tuple[str | int, ...]) -> str:
    """``("grants", 0, "data_types")`` → ``grants[0].data_types``.

    >>> dotted(("grants", 0, "evidence", 1, "source"))
    'grants[0].evidence[1].source'
    """
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The fact-file JSON Schema."""
    return json.loads(schema_path().read_text(encoding="utf-8"))


def read(path: Path, display: str | None = None, *, max_bytes: int | None = None) -> tuple[FactFile | None, list[Problem]]:
    """Parse and schema-check one .yaml/.yml/.csv file (refused unread past ``max_bytes``,
    by default the format's cap: ``graph.build.inputs.cap_bytes``)."""
    name = str(path) if display is None else display
    read = read_text(path, name, encoding="utf-8-sig", max_bytes=max_bytes)
    if isinstance(read, Problem):
        return None, [read]
    text = read[1]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [Problem(name, line, "", "contains a NUL byte")]
    if path.suffix.lower() == ".csv":
        ff, problems = _read_csv(text, name)
    else:
        ff, problems = _read_yaml(text, name, len(read[0]))
    if ff is None:
        return None, problems
    return ff, problems + check_schema(ff)


def _read_yaml(text: str, name: str, size: int = 0) -> tuple[FactFile | None, list[Problem]]:
    try:
        data, lines = safeyaml.load(text, max_chars=max(size, safeyaml.MAX_BYTES))
    except safeyaml.YamlRefused as exc:
        return None, [Problem(name, exc.line, "", str(exc))]
    except RecursionError:
        return None, [Problem(name, None, "", "nesting too deep")]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [Problem(name, 1, "", "a fact file is a mapping with sections: sources, companies, holdings, grants, incidents, ownership")]
    return FactFile(name, data, lines), []


def _read_csv(text: str, name: str) -> tuple[FactFile | None, list[Problem]]:
    csv.field_size_limit(MAX_CSV_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        return None, [Problem(name, 1, "header", f"not valid CSV: {exc}")]
    section = "holdings" if "holder" in header else "grants"  # a holdings CSV names the holder; a grants CSV the grantor
    problem = _check_header(header, name, section)
    if problem is not None:
        return None, [problem]
    ff = FactFile(name, {section: []}, {(section,): 1})
    problems = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            return None, [Problem(name, reader.line_num, "", f"not valid CSV: {exc}")]
        if len(cells) > len(header):
            problems.append(Problem(name, line, "", f"more cells than columns ({len(cells)} cells, {len(header)} columns)"))
            continue
        if not any(c.strip() for c in cells):
            continue
        i = len(ff.data[section])
        ff.data[section].append(_csv_row(dict(zip(header, cells, strict=False)), (section, i), line, ff.lines))
    return (None, problems) if problems else (ff, [])


def _check_header(header: list[str], name: str, section: str = "grants") -> Problem | None:
    kind = {"grants": "grant", "holdings": "holding"}[section]
    allowed = set(schema()["$defs"][kind]["properties"]) | set(CLAIM_COLUMNS)
    if not header or header == [""]:
        return Problem(name, 1, "header", "empty file: expected a header row")
    bad = [h for h in header if h not in allowed]
    if bad:
        return Problem(name, 1, "header", f"unknown column '{bad[0]}'", suggest(bad[0], sorted(allowed)))
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        return Problem(name, 1, "header", f"column '{twice[0]}' appears more than once")
    return None


def _csv_row(row: dict[str, str], at: tuple[str, int], line: int, lines: dict[tuple[str | int, ...], int]) -> dict[str, Any]:
    grant: dict[str, Any] = {}
    claim: dict[str, str] = {}
    for key, value in row.items():
        value = value.strip()
        if value == "":
            continue
        if key in CLAIM_COLUMNS:
            claim[key] = value
        elif key in LIST_COLUMNS:
            grant[key] = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip() != ""]
        else:
            grant[key] = value
    if claim:
        grant["evidence"] = [claim]
    lines[at] = line  # every field of the row is on its line (FactFile.line falls back to the row)
    return grant


@lru_cache(maxsize=1)
def _fast() -> Callable[[Any], bool]:
    return compile_schema(schema())


def check_schema(ff: FactFile) -> list[Problem]:
    """Every schema violation in ``ff`` as a located Problem (fast when there are none)."""
    if _fast()(ff.data):
        return []
    validator = jsonschema.Draft202012Validator(schema())
    problems = [_explain(ff, err) for err in validator.iter_errors(ff.data)]
    # jsonschema may report one missing field per error; the explanation names them all, so keep one
    unique = list({(p.file, p.line, p.field, p.message): p for p in problems}.values())
    return sorted(unique, key=lambda p: (p.line or 0, p.field))


def _explain(ff: FactFile, err: jsonschema.ValidationError) -> Problem:
    path = tuple(err.absolute_path)
    instance: Any = err.instance
    rule: Any = err.schema
    if err.validator == "additionalProperties":
        properties = rule.get("properties", {})
        extra = sorted(set(instance) - set(properties))
        return ff.problem((*path, extra[0]), f"unknown field '{extra[0]}'", suggest(extra[0], properties))
    if err.validator == "required":
        required: Any = err.validator_value
        missing = [r for r in required if r not in instance]
        fields = [f"'{m}'" for m in missing if m != "evidence"]
        what = ([f"field{'s' if len(fields) > 1 else ''} {', '.join(fields)}"] if fields else []) + \
            (["a citation (evidence: with source and locator)"] if "evidence" in missing else [])
        return ff.problem(path, f"missing {' and '.join(what)}")
    if err.validator == "enum":
        values: Any = err.validator_value
        allowed = ", ".join(str(v) for v in values)
        return ff.problem(path, f"'{err.instance}' is not allowed here (expected one of: {allowed})",
                          suggest(str(instance), [str(v) for v in values]))
    if err.validator == "maxLength":
        return ff.problem(path, f"text longer than {err.validator_value} characters")
    if err.validator == "minLength":
        return ff.problem(path, "must not be empty")
    if err.validator == "pattern" and path and path[-1] in DATE_FIELDS:
        return ff.problem(path, f"'{err.instance}' is not a date: write YYYY, YYYY-MM, YYYY-MM-DD or unknown")
    if err.validator == "type":
        kind = {"array": "a list", "object": "a mapping", "string": "text"}.get(str(err.validator_value), str(err.validator_value))
        return ff.problem(path, f"expected {kind}")
    return ff.problem(path, _short(err.message))


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:200] + "…"
