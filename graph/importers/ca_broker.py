"""California's data broker registry (the CPPA's CSV export).

Row 1 is a notes row and row 2 the header; every later row is one registration. Each
broker becomes a company (its DBA names as aliases, its website as homepage) holding
the data types ``ontology/mappings/ca-broker-registry.csv`` gives for a registration
and for each Yes flag (minors' data, precise geolocation, reproductive health care
data). Locators count rows as a spreadsheet does: ``row 3`` is the first broker.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from graph.importers import mapping, provenance
from graph.importers.common import Doc, ImportProblem, Options, claim, read_text
from graph.model.labels import WHOSE_DATA
from graph.names import suggest

KIND = "ca-broker-registry"
DEFAULTS = {
    "publisher": "California Privacy Protection Agency",
    "title": "California Data Broker Registry 2025",
    "url": "https://cppa.ca.gov/data_broker_registry/",
    "licence": "No licence stated: a public record of the State of California (check the terms before redistributing)",
}
COLUMNS = {
    "name": "Data broker name:",
    "dba": "Doing Business As (DBA), if applicable:",
    "website": "Data broker primary website:",
}
FLAGS = {
    "minors": "The data broker collects personal information of minors:",
    "precise geolocation": "The data broker collects consumers’ precise geolocation:",
    "reproductive health care data": "The data broker collects consumers’ reproductive health care data:",
}
YES, NO = {"yes", "y", "true", "x"}, {"no", "n", "false", ""}
_REGULATED = re.compile(r"regulated by the .*\((\w+)\):$", re.I)
_LEGAL_TAIL = re.compile(r"^(inc|llc|l\.l\.c|ltd|corp|co|pty ltd|gmbh|plc)\.?$", re.I)
_DBA_SPLIT = re.compile(r"[\n;,]|\s+(?:dba|or)\s+", re.I)


def norm(cell: str) -> str:
    """A header cell as compared: no-break spaces, curly quotes, spacing and case folded.

    >>> norm("The data broker collects consumers\\u2019 precise\\u00a0geolocation:\\u00a0") == norm(FLAGS["precise geolocation"])
    True
    """
    return " ".join(cell.replace("\u00a0", " ").replace("’", "'").split()).casefold()


def letter(i: int) -> str:
    """A spreadsheet column letter: 0 → A, 11 → L, 26 → AA."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def flag(cell: str) -> bool | None:
    """A messy Yes/No cell: True, False, or None when it is neither.

    >>> flag(" Yes\\u00a0"), flag("NO"), flag(""), flag("N/A")
    (True, False, False, None)
    """
    text = cell.replace("\u00a0", " ").strip().casefold().rstrip(".")
    return True if text in YES else False if text in NO else None


def aliases(cell: str) -> list[str]:
    """The DBA names in a cell: split on commas, line breaks and ' or ', legal forms kept.

    >>> aliases("formerly FullContact, Inc.")
    ['FullContact, Inc.']
    >>> aliases('Stirista, 123Push,\\r\\nLBDigital') , aliases('ISS Market Intelligence or "ISS MI"')
    (['Stirista', '123Push', 'LBDigital'], ['ISS Market Intelligence', 'ISS MI'])
    """
    out: list[str] = []
    for part in _DBA_SPLIT.split(cell):
        part = re.sub(r"^(?:dba|d/b/a|formerly)\s+", "", part.strip().strip('"').strip(), flags=re.I)
        if part == "" or part.casefold().startswith("a division of"):
            continue
        if _LEGAL_TAIL.match(part) and out:
            out[-1] = f"{out[-1]}, {part}"
        else:
            out.append(part)
    return out


def _header(rows: list[list[str]], path: Path) -> tuple[int, dict[str, int]]:
    want = {norm(text): key for key, text in {**COLUMNS, **FLAGS}.items()}
    for h, row in enumerate(rows[:3]):
        cells = [norm(c) for c in row]
        if norm(COLUMNS["name"]) in cells:
            found = {want[c]: i for i, c in enumerate(cells) if c in want}
            for key, text in {**COLUMNS, **FLAGS}.items():
                if key not in found:
                    near = suggest(norm(text), cells)
                    hint = "" if near is None else f"; the nearest is column {letter(cells.index(near))}: '{row[cells.index(near)].strip()}'"
                    raise ImportProblem(f"{path}: row {h + 1} (the header) has no column '{text}'{hint}. "
                                        "Has the registry's format changed? The importer reads these columns by their header text.")
            return h, found
    raise ImportProblem(f"{path}: no header row: expected a row (row 2 in the registry's export) with the column "
                        f"'{COLUMNS['name']}' among the first 3 rows")


def run(path: Path, options: Options) -> Doc:
    """Read the registry CSV into a Doc."""
    text = read_text(path, options.max_input_mb)
    if text.strip() == "":
        raise ImportProblem(f"{path}: the file is empty (expected the California data broker registry CSV)")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise ImportProblem(f"{path}: not valid CSV: {exc}") from None
    h, cols = _header(rows, path)
    regulated = {i: m.group(1) for i, c in enumerate(rows[h]) if (m := _REGULATED.search(" ".join(c.split()))) is not None}
    doc = Doc(provenance.entry(KIND, [path], DEFAULTS, options.source))
    table = mapping.table("ca-broker-registry", "California registry flag")
    for n, row in enumerate(rows[h + 1:], start=h + 2):
        if not any(c.strip() for c in row):
            continue
        _broker(doc, table, n, row + [""] * (len(rows[h]) - len(row)), cols, regulated)
    table.check_unknown(False)
    return doc


def _broker(doc: Doc, table: mapping.Table, n: int, row: list[str], cols: dict[str, int], regulated: dict[int, str]) -> None:
    raw = " ".join(row[cols["name"]].split())
    if raw == "":
        doc.warn("rows with no broker name were skipped")
        return
    name = doc.company(raw, f"row {n}", aliases=aliases(row[cols["dba"]]), url=row[cols["website"]])
    values = {key: flag(row[cols[key]]) for key in FLAGS}
    for key, value in values.items():
        if value is None:
            doc.warn(f"'{key}' cells that are neither Yes nor No were read as not Yes (see the holding note)")
    keys = ["registered", *(k for k, v in values.items() if v)]
    types, whose, rows = table.apply(keys, f"row {n}")
    shown = "; ".join(f"{k}: {row[cols[k]].strip() or 'empty'}" for k in FLAGS)
    span = f"{letter(cols['minors'])}–{letter(cols['reproductive health care data'])}"
    acts = [act for i, act in sorted(regulated.items()) if i < len(row) and flag(row[i])]
    note = (f"Registered data broker (integration kind: data brokerage). Flags: {shown}. "
            f"Data types and whose data through {table.path} rows {', '.join(map(str, rows))}."
            + (f" Regulated by (self-reported): {', '.join(acts)}." if acts else ""))
    doc.add("holdings", {"id": doc.new_id("row", str(n)), "holder": name, "data_types": sorted(types, key=str.casefold),
                         "whose_data": sorted(whose, key=WHOSE_DATA.index), "note": note,
                         "evidence": [claim(doc.sid, f"row {n}, columns {span} ({shown})")]})
