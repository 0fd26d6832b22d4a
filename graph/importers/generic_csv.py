"""A user's own spreadsheet (CSV): one grant a row, columns named by ``--map``.

``--map grantor=Company --map grantee=Partner --map data_types="Data shared"`` says
which column holds which grant field; ``--set integration="data upload"`` gives a field
the same value on every row. The source is described with ``--source-…`` options.
Each grant cites its row (``row 2`` is the first row under the header, as a spreadsheet
numbers it). Data types and integration kinds are checked against the taxonomy, with
the nearest known term suggested, before anything is written.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from graph.errors import NotFoundError
from graph.importers import provenance
from graph.importers.common import MAX_NAME, Doc, ImportProblem, Options, claim, clip, read_text
from graph.model.labels import CONFIDENCES, PERMISSIONS, POPULATIONS, STANCES, STATUSES, WHOSE_DATA
from graph.names import did_you_mean, suggest

KIND = "csv"
LISTS = ("data_types", "permissions", "whose_data", "from")
CHOICES = {"permissions": PERMISSIONS, "whose_data": WHOSE_DATA, "from": POPULATIONS,
           "on_by_default": ("yes", "no", "unknown"), "overrode_privacy_setting": ("yes", "no", "unknown"),
           "status": STATUSES}
DATES = ("valid_from", "stated_end", "last_observed_active")
TEXT = ("id", "activation", "note")
CLAIM = ("confidence", "claimant", "stance")
FIELDS = tuple(dict.fromkeys(("kind", "grantor", "grantee", "holder", "integration", *LISTS, *CHOICES, *DATES, *TEXT, *CLAIM)))
REQUIRED = {"grant": ("grantor", "grantee", "integration", "data_types"), "holding": ("holder", "data_types")}
# The fields each row kind may carry (a holding: holder, what, from whom, through what).
ALLOWED = {"grant": set(FIELDS) - {"kind", "holder", "from"},
           "holding": {"holder", "data_types", "integration", "whose_data", "from", "id", "note", *CLAIM}}
ROW_KINDS = ("grant", "holding")
YESNO = {"y": "yes", "true": "yes", "1": "yes", "n": "no", "false": "no", "0": "no"}


def run(path: Path, options: Options) -> Doc:
    """Read a CSV with a column mapping into a Doc of grants.

    Parameters
    ----------
    path : Path
        The spreadsheet, saved as CSV with a header row.
    options : Options
        ``maps`` (field → column), ``sets`` (field → one value for every row) and ``source``.

    Returns
    -------
    Doc
        One grant a row; ImportProblem names every refused value.

    >>> run(Path("x.csv"), Options(maps={"grantr": "From"}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.importers.common.ImportProblem: --map/--set: unknown field 'grantr' — did you mean 'grantor'? (fields: ...)
    """
    bad = [f for f in [*options.maps, *options.sets] if f not in FIELDS]
    if bad:
        raise ImportProblem(f"--map/--set: unknown field '{bad[0]}'" + did_you_mean(suggest(bad[0], FIELDS))
                            + f" (fields: {', '.join(FIELDS)})")
    kinds = [options.kind] if options.kind else ["grant", "holding"] if "kind" in options.maps else ["grant"]
    if options.kind is not None and options.kind not in ROW_KINDS:
        raise ImportProblem(f"--kind: '{options.kind}' is not a row kind (grant or holding)")
    if "kind" in options.sets:
        raise ImportProblem("say the row kind with --kind grant|holding, or a column with --map kind=COLUMN")
    if options.kind is not None and "kind" in options.maps:
        raise ImportProblem("give the row kind once: --kind or --map kind=COLUMN, not both")
    given = {*options.maps, *options.sets}
    if len(kinds) == 1 and (wrong := sorted(given - ALLOWED[kinds[0]])):
        raise ImportProblem(f"--map/--set: a {kinds[0]} has no field '{wrong[0]}' "
                            f"(a {kinds[0]} takes: {', '.join(f for f in FIELDS if f in ALLOWED[kinds[0]])})")
    missing = [f for kind in kinds for f in REQUIRED[kind] if f not in options.maps and f not in options.sets]
    if missing:
        raise ImportProblem(f"say which column holds '{missing[0]}': --map {missing[0]}=COLUMN (or --set {missing[0]}=VALUE)")
    for need in ("id", "title", "publisher", "url"):
        if options.source.get(need) in (None, ""):
            raise ImportProblem(f"describe your source: --source-{need} is required for a csv import")
    text = read_text(path, options.max_input_mb)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        table = list(reader)
    except csv.Error as exc:
        raise ImportProblem(f"{path}:{reader.line_num}: not valid CSV: {exc}") from None
    header = [h.strip() for h in table[0]] if table else []
    if not any(header):
        raise ImportProblem(f"{path}: the file is empty (expected a header row naming the columns)")
    rows = [dict(zip(header, cells, strict=False)) for cells in table[1:]]
    for field, column in options.maps.items():
        if column.strip() not in header:
            raise ImportProblem(f"{path}: no column '{column}' (for --map {field}=…)" + did_you_mean(suggest(column, header))
                                + f"; the header has: {', '.join(header)}")
    defaults = {"date": "unknown", "note": f"A spreadsheet imported from {path.name}; rows are counted with the header as row 1."}
    doc = Doc(provenance.entry(KIND, [path], {"publisher": "", "title": "", "url": "", **defaults}, options.source))
    problems: list[str] = []
    unknown: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for n, row in enumerate(rows, start=2):
        _row(doc, n, row, options, problems, unknown)
    if unknown:
        report = _unknown_report(unknown)
        lines = [f"  {u['field']}: '{u['value']}' ({u['count']} row{'s' if u['count'] > 1 else ''})"
                 + (f" — nearest: {', '.join(u['nearest'])}" if u["nearest"] else "") for u in report]
        others = [p for p in problems if not p.endswith("(has no term)")]
        raise ImportProblem(f"{path}: {len(report)} distinct value(s) have no term, nothing written; map each to a term "
                            "with --map-values FILE (columns: field,value,term), or correct the file:\n" + "\n".join(lines)
                            + ("" if not others else f"\nand {len(others)} other problem(s):\n" + "\n".join(others[:20])),
                            unknown=report)
    if problems:
        more = "" if len(problems) <= 20 else f"\n… and {len(problems) - 20} more"
        raise ImportProblem(f"{path}: {len(problems)} problem(s), nothing written:\n" + "\n".join(problems[:20]) + more)
    return doc


def read_value_map(path: Path) -> dict[tuple[str, str], str]:
    """A value-mapping table (``--map-values``): CSV columns field, value, term; one row a value.

    Applied to each cell value (each item of a list) before it is checked; ``value`` is matched
    without case and with spaces collapsed.
    """
    text = read_text(path, None)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if not rows or not {"field", "value", "term"} <= set(rows[0]):
        raise ImportProblem(f"{path}: a value map needs the columns field,value,term")
    out: dict[tuple[str, str], str] = {}
    for n, row in enumerate(rows, start=2):
        field, value, term = ((row.get(k) or "").strip() for k in ("field", "value", "term"))
        if field not in FIELDS:
            raise ImportProblem(f"{path}: row {n}: unknown field '{field}'" + did_you_mean(suggest(field, FIELDS)))
        if value and term:
            out[(field, " ".join(value.split()).casefold())] = term
    return out


def _cell(row: dict[str, Any], field: str, options: Options) -> str:
    if field in options.maps:
        value = row.get(options.maps[field].strip())
        return "" if value is None else " ".join(str(value).split())
    return options.sets.get(field, "")


def _locator(n: int, options: Options, fields: Any) -> str:
    """Where a row's fact comes from: its row, and every constant set on the command line it uses."""
    constants = [f"{f}={options.sets[f]}" for f in fields if f in options.sets]
    return f"row {n}" + ("" if not constants else "; set on the command line: " + ", ".join(constants))


def _row(doc: Doc, n: int, row: dict[str, Any], options: Options, problems: list[str],
         unknown: dict[tuple[str, str], tuple[int, list[str]]]) -> None:
    if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
        return
    from graph.model import ontology

    kind = options.kind or (_cell(row, "kind", options).casefold() or "grant")
    if kind not in ROW_KINDS:
        problems.append(f"row {n}: kind '{kind}' is not a row kind (grant or holding)" + did_you_mean(suggest(kind, ROW_KINDS)))
        return
    fact: dict[str, Any] = {}
    for field in (f for f in FIELDS if f in ALLOWED[kind]):
        value = _cell(row, field, options)
        if value == "":
            if field in REQUIRED[kind]:
                problems.append(f"row {n}: '{field}' is empty")
            continue
        parsed = _value(field, value, options, ontology, f"row {n}: {field}", problems, unknown)
        if parsed is not None:
            fact[field] = parsed
    if any(p.startswith(f"row {n}:") for p in problems):
        return
    for role in ("grantor", "grantee", "holder"):
        if role in fact:
            where = f"row {n}, column '{options.maps[role]}'" if role in options.maps else \
                f"set on the command line: {role}={options.sets[role]}"
            fact[role] = doc.company(clip(fact[role], MAX_NAME), where)
    extra = {k: fact.pop(k) for k in CLAIM if k in fact}
    fact["evidence"] = [claim(doc.sid, _locator(n, options, [f for f in FIELDS if f in ALLOWED[kind]]), **extra)]
    if "id" not in fact:
        fact["id"] = doc.new_id("row", str(n))
    doc.add("grants" if kind == "grant" else "holdings", fact)


def _mapped(field: str, value: str, options: Options) -> str:
    """``value`` after the value map (``--map-values``), or as it is."""
    return options.value_map.get((field, " ".join(value.split()).casefold()), value)


def _unknown_report(unknown: dict[tuple[str, str], tuple[int, list[str]]]) -> list[dict[str, Any]]:
    """Each distinct value without a term once: its field, count and nearest terms, most frequent first."""
    from graph.model import ontology

    labels = {"data_types": ontology.data_types(), "integration": ontology.integration_kinds()}
    out = []
    for (field, value), (count, near) in sorted(unknown.items(), key=lambda item: (-item[1][0], item[0])):
        tax = labels[field]
        nearest = near or [n for n in [suggest(value, [tax.label(c.slug) for c in tax.concepts])] if n is not None]
        out.append({"field": field, "value": value, "count": count, "nearest": nearest})
    return out


def _value(field: str, value: str, options: Options, ontology: Any, where: str, problems: list[str],
           unknown: dict[tuple[str, str], tuple[int, list[str]]]) -> Any:
    if field in LISTS:
        items = [_mapped(field, v.strip(), options) for v in value.split(options.separator) if v.strip() != ""]
        if field == "data_types":
            return [_term(ontology.data_types(), v, where, problems, unknown, field) or v for v in items]
        return [v for v in (_choice(field, v.casefold(), where, problems) for v in items) if v is not None]
    value = _mapped(field, value, options)
    if field == "integration":
        return _term(ontology.integration_kinds(), value, where, problems, unknown, field)
    if field in CHOICES:
        return _choice(field, YESNO.get(value.casefold(), value.casefold()), where, problems)
    if field in DATES and not re.match(r"^(unknown|\d{4}(-\d{2}(-\d{2})?)?)$", value):
        problems.append(f"{where}: '{value}' is not a date (write YYYY, YYYY-MM, YYYY-MM-DD or unknown)")
        return None
    if field == "id" and not re.match(r"^[a-z0-9][a-z0-9-]{0,120}$", value):
        problems.append(f"{where}: '{value}' is not an id (lower-case letters, digits and hyphens)")
        return None
    if field == "stance" and value not in STANCES or field == "confidence" and value not in CONFIDENCES:
        problems.append(f"{where}: '{value}' is not allowed here")
        return None
    return clip(value)


def _term(tax: Any, value: str, where: str, problems: list[str], unknown: dict[tuple[str, str], tuple[int, list[str]]],
          field: str) -> str | None:
    try:
        return str(tax.label(tax.resolve(value)))
    except NotFoundError as exc:
        problems.append(f"{where}: {exc} (has no term)")
        count, _ = unknown.get((field, value), (0, []))
        unknown[(field, value)] = (count + 1, list(exc.suggestions))
        return None


def _choice(field: str, value: str, where: str, problems: list[str]) -> str | None:
    if value in CHOICES[field]:
        return value
    problems.append(f"{where}: '{value}' is not allowed (expected one of: {', '.join(CHOICES[field])})"
                    + did_you_mean(suggest(value, CHOICES[field])))
    return None
