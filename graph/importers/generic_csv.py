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
from graph.model.labels import CONFIDENCES, PERMISSIONS, STANCES, STATUSES, WHOSE_DATA
from graph.names import did_you_mean, suggest

KIND = "csv"
LISTS = ("data_types", "permissions", "whose_data")
CHOICES = {"permissions": PERMISSIONS, "whose_data": WHOSE_DATA,
           "on_by_default": ("yes", "no", "unknown"), "overrode_privacy_setting": ("yes", "no", "unknown"),
           "status": STATUSES}
DATES = ("valid_from", "stated_end", "last_observed_active")
TEXT = ("id", "activation", "note")
CLAIM = ("confidence", "claimant", "stance")
FIELDS = ("grantor", "grantee", "integration", *LISTS, *CHOICES, *DATES, *TEXT, *CLAIM)
REQUIRED = ("grantor", "grantee", "integration", "data_types")
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
    missing = [f for f in REQUIRED if f not in options.maps and f not in options.sets]
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
    for n, row in enumerate(rows, start=2):
        _row(doc, n, row, options, problems)
    if problems:
        more = "" if len(problems) <= 20 else f"\n… and {len(problems) - 20} more"
        raise ImportProblem(f"{path}: {len(problems)} problem(s), nothing written:\n" + "\n".join(problems[:20]) + more)
    return doc


def _cell(row: dict[str, Any], field: str, options: Options) -> str:
    if field in options.maps:
        value = row.get(options.maps[field].strip())
        return "" if value is None else " ".join(str(value).split())
    return options.sets.get(field, "")


def _row(doc: Doc, n: int, row: dict[str, Any], options: Options, problems: list[str]) -> None:
    if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
        return
    from graph.model import ontology

    grant: dict[str, Any] = {}
    for field in FIELDS:
        value = _cell(row, field, options)
        if value == "":
            if field in REQUIRED:
                problems.append(f"row {n}: '{field}' is empty")
            continue
        parsed = _value(field, value, options.separator, ontology, f"row {n}: {field}", problems)
        if parsed is not None:
            grant[field] = parsed
    if any(p.startswith(f"row {n}:") for p in problems):
        return
    for role in ("grantor", "grantee"):
        grant[role] = doc.company(clip(grant[role], MAX_NAME), f"row {n}, column '{options.maps.get(role, role)}'")
    extra = {k: grant.pop(k) for k in CLAIM if k in grant}
    grant["evidence"] = [claim(doc.sid, f"row {n}", **extra)]
    if "id" not in grant:
        grant["id"] = doc.new_id("row", str(n))
    doc.add("grants", grant)


def _value(field: str, value: str, sep: str, ontology: Any, where: str, problems: list[str]) -> Any:
    if field in LISTS:
        items = [v.strip() for v in value.split(sep) if v.strip() != ""]
        if field == "data_types":
            return [_term(ontology.data_types(), v, where, problems) or v for v in items]
        return [v for v in (_choice(field, v.casefold(), where, problems) for v in items) if v is not None]
    if field == "integration":
        return _term(ontology.integration_kinds(), value, where, problems)
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


def _term(tax: Any, value: str, where: str, problems: list[str]) -> str | None:
    try:
        return str(tax.label(tax.resolve(value)))
    except NotFoundError as exc:
        problems.append(f"{where}: {exc}")
        return None


def _choice(field: str, value: str, where: str, problems: list[str]) -> str | None:
    if value in CHOICES[field]:
        return value
    problems.append(f"{where}: '{value}' is not allowed (expected one of: {', '.join(CHOICES[field])})"
                    + did_you_mean(suggest(value, CHOICES[field])))
    return None
