"""WhoTracks.me (PyPI ``whotracksme`` 2018.5.17): twelve monthly crawls of trackers on sites.

The package holds ``trackerdb.sql`` (trackers → companies, categories, tracker domains)
and, per month ``YYYY-MM/global/``, ``sites_trackers.csv``: one row per tracker seen on a
site that month. Each row becomes a holding: the tracker's company collects the data
types of ``ontology/mappings/whotracksme.csv`` from visitors of the site (``site:``),
through the tracker (``tracker:``, its trackerdb id), observed in that month
(``observed:``) on a share of the site's page loads (``share:``, the row's
``site_proportion``), citing the file and row. Companies (with homepage) and
tracker domains go in one YAML file, the observations in one holdings CSV per month.

The CSVs are read with polars (columnar, typed, one pass per file); ``trackerdb.sql``
is checked to hold only CREATE TABLE / CREATE INDEX / INSERT / BEGIN / COMMIT
statements before sqlite3 runs it in memory.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.importers import mapping
from graph.importers.common import SITE_PATTERN, Doc, ImportProblem, clip, read_text

KIND = "whotracksme"
VERSION = "2018.5.17"
EXTRA = "datareach[whotracksme]"
MONTH = re.compile(r"^\d{4}-\d{2}$")
THRESHOLD = 0.1  # a share of page loads above which cookies / identifiers in query strings count (the mapping table's keys)
SITE = SITE_PATTERN.replace("(?=.{1,253}$)", "")  # polars' regex has no look-ahead: the length is checked apart
ALLOWED = re.compile(r"^\s*(CREATE\s+TABLE|CREATE\s+(UNIQUE\s+)?INDEX|INSERT\s+INTO|BEGIN(\s+TRANSACTION)?|COMMIT)\b",
                     re.IGNORECASE)
SOURCE = {
    "id": "whotracksme-2018-5-17",
    "publisher": "Cliqz and Ghostery (WhoTracks.me)",
    "title": f"WhoTracks.me data package {VERSION} (monthly tracker measurements 2017-05 to 2018-04)",
    "date": "2018-05-17",
    "url": "https://pypi.org/project/whotracksme/2018.5.17/",
    "licence": ("MIT (the package's licence classifier); its README says the content is CC BY 4.0 and the code MIT: "
                "attribute WhoTracks.me when reusing the data"),
    "note": ("Aggregated from page loads of Cliqz and Ghostery users who share anonymous telemetry (the 'global' "
             "folder of each month). A holding per row of MONTH/global/sites_trackers.csv; rows are counted from 1 "
             "after the header. Companies and tracker domains from trackerdb.sql."),
}
HEADER = ("id", "holder", "data_types", "from", "integration", "site", "tracker", "observed", "share", "note", "source",
          "locator")
COLUMNS = ("site", "tracker", "site_proportion", "tracker_proportion", "cookies", "bad_qs")


@dataclass
class Package:
    """What the importer read: the tracker database and the monthly observation files."""

    root: Path
    companies: dict[str, dict[str, Any]]
    trackers: dict[str, dict[str, Any]]
    domains: list[tuple[str, str]]
    months: list[str]
    warnings: dict[str, int] = field(default_factory=dict)


def default_path() -> Path:
    """The installed package's ``data/assets`` folder; ImportProblem naming the extra when missing."""
    try:
        from importlib.resources import files

        root = files("whotracksme") / "data" / "assets"
    except ModuleNotFoundError:
        raise ImportProblem(f"the WhoTracks.me data package is not installed: pip install '{EXTRA}' "
                            "(or give the path of its data/assets folder)") from None
    return Path(str(root))


def polars() -> Any:
    """The polars module; ImportProblem naming the extra when missing."""
    try:
        import polars as pl
    except ModuleNotFoundError:
        raise ImportProblem(f"importing WhoTracks.me needs polars: pip install '{EXTRA}'") from None
    return pl


def statements(text: str) -> Iterator[str]:
    """The SQL statements of ``text``, split where sqlite3 says a statement is complete.

    >>> list(statements("BEGIN; INSERT INTO t VALUES('a;\\nb');\\nCOMMIT;"))
    ['BEGIN;', "INSERT INTO t VALUES('a;\\nb');", 'COMMIT;']
    """
    start = 0
    for end in (i + 1 for i, ch in enumerate(text) if ch == ";"):  # a ';' inside a string is not an end
        if sqlite3.complete_statement(text[start:end]):
            yield text[start:end].strip()
            start = end
    rest = text[start:].strip()
    if rest != "":
        yield rest


def read_trackerdb(path: Path) -> sqlite3.Connection:
    """``trackerdb.sql`` loaded into an in-memory database, after checking every statement.

    >>> read_trackerdb_text("CREATE TABLE t(x); ATTACH 'x.db' AS y;")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.importers.common.ImportProblem: trackerdb.sql: statement 2 is not allowed (only CREATE TABLE, ...
    """
    return read_trackerdb_text(read_text(path), path.name)


def read_trackerdb_text(text: str, name: str = "trackerdb.sql") -> sqlite3.Connection:
    """As ``read_trackerdb``, from the text of the dump."""
    for i, stmt in enumerate(statements(text), 1):
        if not ALLOWED.match(stmt) or re.search(r"\bAS\s+SELECT\b", stmt[:2000], re.IGNORECASE) and stmt.upper().startswith("CREATE"):
            raise ImportProblem(f"{name}: statement {i} is not allowed (only CREATE TABLE, CREATE INDEX, INSERT, BEGIN "
                                f"and COMMIT are read): {clip(stmt, 80)!r}")
    con = sqlite3.connect(":memory:")
    con.set_authorizer(_authorise)
    try:
        con.executescript(text)
    except sqlite3.Error as exc:
        raise ImportProblem(f"{name}: not a readable SQLite dump ({exc})") from None
    return con


def _authorise(action: int, *_: Any) -> int:
    """No ATTACH, DETACH or PRAGMA, whatever the text check missed."""
    denied = (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH, sqlite3.SQLITE_PRAGMA)
    return sqlite3.SQLITE_DENY if action in denied else sqlite3.SQLITE_OK


def _rows(con: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    try:
        cur = con.execute(sql)
    except sqlite3.Error as exc:
        raise ImportProblem(f"trackerdb.sql: the tables WhoTracks.me publishes are missing ({exc})") from None
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


def read_package(root: Path) -> Package:
    """The tracker database and the list of months under ``root`` (a ``data/assets`` folder)."""
    if not root.is_dir():
        raise ImportProblem(f"{root}: not a folder: give the WhoTracks.me data/assets folder")
    db = root / "trackerdb.sql"
    if not db.is_file():
        raise ImportProblem(f"{root}: no trackerdb.sql here: give the WhoTracks.me data/assets folder")
    con = read_trackerdb(db)
    categories = {r["id"]: r["name"] for r in _rows(con, "SELECT id, name FROM categories")}
    companies = {r["id"]: r for r in _rows(con, "SELECT id, name, website_url FROM companies")}
    trackers = {}
    for r in _rows(con, "SELECT id, name, category_id, website_url, company_id FROM trackers"):
        r["category"] = categories.get(r["category_id"], "unknown")
        trackers[r["id"]] = r
    domains = [(r["tracker"], r["domain"]) for r in _rows(con, "SELECT tracker, domain FROM tracker_domains ORDER BY rowid")]
    months = sorted(p.name for p in root.iterdir() if MONTH.match(p.name) and (p / "global" / "sites_trackers.csv").is_file())
    if not months:
        raise ImportProblem(f"{root}: no MONTH/global/sites_trackers.csv files: give the WhoTracks.me data/assets folder")
    return Package(root, companies, trackers, domains, months)


def holder(pkg: Package, tracker: str) -> tuple[str, str] | None:
    """(company name, locator) of the company operating ``tracker``; the tracker itself when
    trackerdb names no company (as WhoTracks.me's own pages do); None if the tracker is unknown."""
    t = pkg.trackers.get(tracker)
    if t is None:
        return None
    c = pkg.companies.get(t["company_id"]) if t["company_id"] is not None else None
    if c is not None and str(c["name"]).strip() != "":
        return str(c["name"]), f"trackerdb.sql companies id '{c['id']}'"
    return str(t["name"]), f"trackerdb.sql trackers id '{tracker}' (no company_id: the tracker is its own operator)"


def declare(doc: Doc, pkg: Package) -> dict[str, str]:
    """Companies and tracker domains into ``doc``; each tracker's holder name, by tracker id.

    A company is declared once per distinct citation: its trackers share the one trackerdb.sql
    row that names it (Google runs 19 trackers, and was cited 19 times by the same locator)."""
    names: dict[str, str] = {}
    declared: dict[tuple[str, str], str] = {}  # (name, locator) → the name facts use
    for tid, t in pkg.trackers.items():
        found = holder(pkg, tid)
        if found is None:
            continue
        if found in declared:
            names[tid] = declared[found]
            continue
        c = pkg.companies.get(t["company_id"]) if t["company_id"] is not None else None
        url = (c or t).get("website_url")
        names[tid] = declared[found] = doc.company(found[0], found[1], url=None if url is None else str(url).strip())
    for tid, domain in pkg.domains:
        if tid in names:
            doc.domain(str(domain), names[tid], f"trackerdb.sql tracker_domains tracker '{tid}' domain '{domain}'")
        else:
            doc.warn("tracker domains of trackers trackerdb does not list were skipped")
    return names


@dataclass(frozen=True)
class MonthFile:
    """One month's holdings CSV as text, and what went into it."""

    month: str
    text: str
    rows: int
    skipped: dict[str, int]


def month_holdings(pkg: Package, names: dict[str, str], month: str, table: mapping.Table,
                   limit: int | None = None) -> MonthFile:
    """The holdings CSV of one month: a row per observation (``limit``: the first rows only)."""
    pl = polars()
    rel = f"{month}/global/sites_trackers.csv"
    try:
        frame = pl.read_csv(pkg.root / rel, columns=list(COLUMNS), n_rows=limit, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ImportProblem(f"{pkg.root / rel}: cannot read ({exc}): expected the columns {', '.join(COLUMNS)}") from None
    numbers = ["site_proportion", "tracker_proportion", "cookies", "bad_qs"]
    frame = frame.with_row_index("row", offset=1).with_columns(
        [pl.col(c).cast(pl.Float64, strict=False) for c in numbers]
        + [pl.col("site").str.strip_chars().str.to_lowercase().str.strip_chars_end(".")])
    skipped: dict[str, int] = {}
    ok = (pl.col("site").str.contains(SITE) & (pl.col("site").str.len_chars() <= 253) & pl.col("tracker").is_in(list(names))
          & pl.col("site_proportion").is_between(0, 1) & pl.all_horizontal([pl.col(c).is_not_null() for c in numbers]))
    bad = frame.filter(~ok)
    if bad.height:
        unknown = bad.filter(~pl.col("tracker").is_in(list(names))).height
        if unknown:
            skipped["observations of trackers trackerdb.sql does not list were skipped"] = unknown
        if bad.height - unknown:
            skipped["observations with a site that is neither a host name nor an IPv4 address, or a missing or out-of-range number, were skipped"] = bad.height - unknown
    frame = frame.filter(ok)
    keys = _types(table, rel)
    trackers = {t: (names[t], str(pkg.trackers[t]["name"]), str(pkg.trackers[t]["category"])) for t in frame["tracker"].unique().to_list()}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    seen: set[str] = set()
    for row, site, tracker, share, tshare, cookies, bad_qs in frame.select(
            "row", "site", "tracker", "site_proportion", "tracker_proportion", "cookies", "bad_qs").iter_rows():
        company, tname, category = trackers[tracker]
        ident = _slug(f"wtm-{month}-{site}-{tracker}")[:110].strip("-")
        if ident in seen:
            ident = f"{ident}-r{row}"
        seen.add(ident)
        types = keys[(cookies > THRESHOLD, bad_qs > THRESHOLD)]
        note = (f"tracker {tname} ({category}): on {share:.1%} of {site}'s page loads; {tshare:.2%} of the tracker's "
                f"page loads were on this site; cookies on {cookies:.1%}, identifiers in query strings on {bad_qs:.1%}")
        w.writerow((ident, company, types, "users of sites that embed it", "tracking", site, tracker, month,
                    _decimal(share), note, SOURCE["id"], f"{rel} row {row}"))
    return MonthFile(month, out.getvalue(), frame.height, skipped)


def _types(table: mapping.Table, where: str) -> dict[tuple[bool, bool], str]:
    """The data types of an observation by (cookies > 0.1, bad_qs > 0.1), through the mapping table."""
    out = {}
    for cookies in (False, True):
        for qs in (False, True):
            keys = ["(every observation)"] + (["cookies above 0.1"] if cookies else []) + (["bad_qs above 0.1"] if qs else [])
            types, _, _ = table.apply(keys, where)
            out[(cookies, qs)] = ";".join(sorted(types, key=str.casefold))
    table.check_unknown(False)
    return out


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")


def _decimal(x: float) -> str:
    """A proportion as digits only (no exponent), at most 17 places: 1e-05 → '0.00001'.

    >>> _decimal(1e-05), _decimal(1.0), _decimal(0.825713833838218)
    ('0.00001', '1', '0.825713833838218')
    """
    import numpy as np

    return str(np.format_float_positional(min(max(x, 0.0), 1.0), precision=17, unique=True, trim="-"))


def import_package(path: Path | None, out_dir: Path, *, months: list[str] | None = None, limit: int | None = None,
                   progress: Any = None) -> tuple[Path, dict[str, str], dict[str, int], dict[str, int]]:
    """Write ``out_dir/whotracksme-2018-5-17/``: ``whotracksme.yaml`` (source, companies,
    domains) and one holdings CSV per month, each atomically; nothing is written unless
    every month reads.

    Parameters
    ----------
    path : Path or None
        The package's ``data/assets`` folder (None: the installed ``whotracksme`` package).
    out_dir : Path
        The folder to write into (a project's ``sources/imported/``).
    months : list of str or None
        Only these months (``2018-01``); None: all of them.
    limit : int or None
        Only the first ``limit`` rows of each month (for a quick look or a test fixture).
    progress : callable or None
        Told what is being done.

    Returns
    -------
    tuple
        The folder written, the source entry, counts (companies, domains, holdings, months) and warnings.
    """
    from graph import atomic
    from graph.importers import yamlout

    say = progress or (lambda _msg: None)
    root = default_path() if path is None else path
    say(f"reading {root / 'trackerdb.sql'}")
    pkg = read_package(root)
    chosen = pkg.months if months is None else [m for m in pkg.months if m in set(months)]
    missing = sorted(set(months or ()) - set(pkg.months))
    if missing:
        raise ImportProblem(f"{root}: no month {missing[0]} (months: {', '.join(pkg.months)})")
    doc = Doc(dict(SOURCE))
    names = declare(doc, pkg)
    table = mapping.table("whotracksme", "WhoTracks.me signal")
    files = []
    for month in chosen:
        say(f"reading {month}/global/sites_trackers.csv")
        files.append(month_holdings(pkg, names, month, table, limit))
    data = doc.data()
    data.pop("holdings", None)
    data.pop("grants", None)
    _check(data)
    target = out_dir / SOURCE["id"]
    target.mkdir(parents=True, exist_ok=True)
    header = [f"Imported by 'datareach import whotracksme' from {root}. Do not edit: re-run the import instead.",
              f"Source: {SOURCE['publisher']}, {SOURCE['url']}", f"Licence: {SOURCE['licence']}"]
    say(f"writing {target}")
    try:
        atomic.write_text(target / "whotracksme.yaml", yamlout.dump(data, header))
        for f in files:
            atomic.write_text(target / f"{f.month}.csv", f.text)
    except OSError as exc:
        raise ImportProblem(f"cannot write {target}: {exc.strerror or exc}") from None
    warnings = dict(doc.warnings)
    for f in files:
        for message, n in f.skipped.items():
            warnings[message] = warnings.get(message, 0) + n
    counts = {"companies": len(data["companies"]), "domains": len(data["domains"]),
              "holdings": sum(f.rows for f in files), "months": len(files)}
    return target, dict(SOURCE), counts, warnings


def _check(data: dict[str, list[dict[str, Any]]]) -> None:
    from graph.build import factfile

    problems = factfile.check_schema(factfile.FactFile("<whotracksme import>", data))
    if problems:
        raise ImportProblem("the imported facts do not fit the fact-file schema (a bug in the whotracksme importer; "
                            "nothing written):\n" + "\n".join(str(p) for p in problems[:10]))
