"""Compile bulk CSV grant files by columns: straight to N-Triples, the flow index, the
evidence file and the projection, with no Python object per record or triple.

polars reads the file, checks every column at once (the JSON Schema's rules, dates,
names and terms, ids) and writes each row's triples with string expressions. Names,
terms and dates are resolved once per distinct value, in Python, by the same code the
per-row compiler runs (``graph.build.emit.Compiler``). polars rather than DuckDB: the
work is expressions over columns of one file (split, map, concatenate), which polars
states directly, lazily and in batches, with no SQL text to assemble and no database file.

A file is taken by columns when it is a ``.csv`` of at least ``MIN_BYTES`` and every row
has an ``id`` (rows without one get ids numbered in file order, which the per-row
compiler assigns). Anything the column checks do not accept (a bad value, an unknown
name, a control character, odd quoting) sends the whole input back to the per-row path
(``graph.build.loader.Explain``), which names the file, line and field as it always has.
Smaller files (YAML: companies, sources, holdings...) are compiled per row as before; the
two outputs are merged in one build: the per-row graph is projected with networkx (it is
small) and the grants from columns are joined to its nodes, edges and conflicts in the
order the all-per-row build gives (``tests/test_columnar.py`` compares the files).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import polars as pl
from rdflib import RDF, XSD, URIRef

from graph import dates
from graph.build.factfile import CLAIM_COLUMNS, LIST_COLUMNS, schema
from graph.build.inputs import cap_bytes
from graph.model.vocab import CONFIDENCE, DT, FAST, ID, IK, LABEL, PERMISSION, STANCE, STATUS, WHOSE

if TYPE_CHECKING:
    import networkx as nx

    from graph.build.emit import Compiler
    from graph.build.flowindex import FlowIndex

MIN_BYTES = 4 * 1024 * 1024  # a CSV this large is compiled by columns
BATCH = 12_500  # rows turned into text at a time: bounds the memory the text takes (M: 50,000 rows peaked at 508 MB in
# write_ntriples and 494 MB in check_shapes, 12,500 at 381 and 367, for the same CPU)
_ID = str(ID)
SAFE_ID = r"^[a-z0-9][a-z0-9-]{0,120}$"
_DATE = r"^(unknown|\d{4}(-\d{2}(-\d{2})?)?)$"
_CONTROL = r"[\x00-\x1f\x7f]"
_DATES = {"valid_from": FAST.validFrom, "stated_end": FAST.statedEnd, "last_observed_active": FAST.lastObservedActive}
_YES_NO = {"yes": True, "no": False}


def nt_iri(text: str) -> str:
    """An IRI as an N-Triples term."""
    return f"<{text}>"


def nt_literal(expr: pl.Expr) -> pl.Expr:
    """An N-Triples (and JSON) string literal of text without control characters."""
    return pl.lit('"') + expr.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True) + pl.lit('"')


def json_or_null(expr: pl.Expr) -> pl.Expr:
    """A text column as a JSON string, null as ``null``."""
    return pl.when(expr.is_null()).then(pl.lit("null")).otherwise(nt_literal(expr))


def json_list(expr: pl.Expr) -> pl.Expr:
    """A list of safe strings as JSON, the way ``json.dumps`` writes it."""
    return pl.lit("[") + expr.list.eval(pl.lit('"') + pl.element() + pl.lit('"')).list.join(", ") + pl.lit("]")


@dataclass
class BulkFiles:
    """The bulk CSV files of one kind of record in a build, read, checked and resolved by
    columns: the loader's hook (``graph.build.loader.Bulk``). ``Grants`` here and
    ``graph.build.heldcolumnar.Holdings`` say which kind, how to resolve it and what an empty
    frame is."""

    files: list[Path]
    max_input_mb: int | None = None
    frame: pl.DataFrame | None = None
    _ids: set[URIRef] = field(default_factory=set)
    _failed: bool = False
    KIND: ClassVar[str] = ""  # "grant" or "holding": the files ``select`` and ``read_csv`` take, the ids' path

    def takes(self, path: Path) -> bool:
        """Whether ``path`` is one of the files compiled by columns."""
        return path in self.files

    def ids(self) -> set[URIRef]:
        """The record ids of the bulk files (read on first call)."""
        if self.frame is None:
            self.frame = self._read()
        return self._ids

    def check(self, compiler: Compiler) -> bool:
        """Resolve every row's names, terms, dates and source; False if one fails."""
        if self.frame is None:
            self.frame = self._read()
        if not self.files:
            return True  # the other kind alone is compiled by columns
        if self._failed:
            return False
        resolved = self.resolve(self.frame, compiler)
        if resolved is None or any(compiler.uses(node) for node in self._ids):
            return False  # None: a row fails; a used id: a YAML record has it too, and the per-row path names both
        self.frame = resolved
        return True

    def resolve(self, frame: pl.DataFrame, compiler: Compiler) -> pl.DataFrame | None:
        """The rows resolved into the columns the writers read; None if one fails."""
        raise NotImplementedError

    def empty(self) -> pl.DataFrame:
        """The frame of a build without files of this kind."""
        return pl.DataFrame()

    def _read(self) -> pl.DataFrame:
        if not self.files:
            return self.empty()
        frames = []
        for path in self.files:
            frame = read_csv(path, self.max_input_mb, kind=self.KIND)
            if frame is None:
                self._failed = True
                return pl.DataFrame()
            frames.append(frame)
        frame = pl.concat(frames, how="diagonal_relaxed")
        if frame["id"].is_duplicated().any():
            self._failed = True
            return pl.DataFrame()
        self._ids = {URIRef(f"{_ID}{self.KIND}/{i}") for i in frame["id"].to_list()}
        return frame


@dataclass
class Grants(BulkFiles):
    """The bulk CSV files of grants."""

    KIND: ClassVar[str] = "grant"

    def resolve(self, frame: pl.DataFrame, compiler: Compiler) -> pl.DataFrame | None:
        return frame if frame.height == 0 else _resolve(frame, compiler)

    def empty(self) -> pl.DataFrame:
        return no_grants()


def select(files: Iterable[Path], min_bytes: int | None = None, kind: str = "grant") -> list[Path]:
    """The files to compile by columns.

    Parameters
    ----------
    files : iterable of Path
        The build's input files.
    min_bytes : int, optional
        The least size taken by columns; ``MIN_BYTES`` by default.
    kind : {"grant", "holding"}
        Which files: grants (a header naming a grantor and no holder) or holdings (a header
        naming a holder: ``graph.build.factfile`` reads such a CSV as holdings).

    Returns
    -------
    list of Path
        The ``.csv`` files of that kind of at least that size, in input order.
    """
    limit = MIN_BYTES if min_bytes is None else min_bytes
    out = []
    for path in files:
        try:
            big = path.stat().st_size >= limit
        except OSError:
            continue  # the per-row reader reports it
        if path.suffix.lower() == ".csv" and big and _kind(path) == kind:
            out.append(path)
    return out


def _kind(path: Path) -> str | None:
    """"holding" if the CSV's header (its first line) has a ``holder`` column, else "grant"
    if it has a ``grantor`` column, else None."""
    try:
        with open(path, "rb") as fh:
            head = fh.readline(1 << 16)
    except OSError:
        return None
    names = {c.strip().strip('"') for c in head.decode("utf-8", "replace").lstrip("\ufeff").split(",")}
    return "holding" if "holder" in names else "grant" if "grantor" in names else None


def read_csv(path: Path, max_input_mb: int | None = None, kind: str = "grant") -> pl.DataFrame | None:
    """The cells of a grant (or holding) CSV as ``graph.build.factfile`` reads them.

    Parameters
    ----------
    path : Path
        A CSV fact file of grants (or holdings).
    max_input_mb : int, optional
        Overrides its size cap (``graph.build.inputs.cap_bytes``).
    kind : {"grant", "holding"}
        Which record the rows are: the columns allowed are its schema's and the claim's.

    Returns
    -------
    polars.DataFrame or None
        Text columns named by the header, stripped, empty cells null, blank rows dropped;
        None when anything in the file needs the per-row reader, to accept it or to explain
        what is wrong (over the cap, a control character, quoting the strict reader refuses,
        an unknown or repeated column, a row without an id, a ragged row, bad UTF-8).
    """
    try:
        if path.stat().st_size > cap_bytes(path.suffix, max_input_mb):
            return None
        quoted = _scan(path)
        if quoted is None or (quoted and not _strict_csv(path)):
            return None
        lazy = pl.scan_csv(path, infer_schema=False, has_header=True, quote_char='"', raise_if_empty=True,
                           truncate_ragged_lines=False, encoding="utf8")
        names = lazy.collect_schema().names()
    except Exception:  # noqa: BLE001 - unreadable or not CSV: the per-row reader says what and where
        return None
    header = [c.strip() for c in names]
    header[0] = header[0].lstrip("\ufeff").strip()
    allowed = set(schema()["$defs"][kind]["properties"]) | set(CLAIM_COLUMNS)
    if len(set(header)) != len(header) or not set(header) <= allowed or "id" not in header:
        return None
    stripped = pl.all().str.strip_chars()
    lazy = lazy.rename(dict(zip(names, header, strict=True))).select(
        pl.when(stripped.str.len_bytes() == 0).then(None).otherwise(stripped).name.keep())
    try:
        frame = lazy.filter(~pl.all_horizontal(pl.all().is_null())).collect()
    except Exception:  # noqa: BLE001 - a ragged row, bad UTF-8...: the per-row reader explains it
        return None
    if frame["id"].null_count() > 0 or frame.select(pl.any_horizontal(pl.all().str.contains(_CONTROL)).any()).item():
        return None
    return frame


def _scan(path: Path) -> bool | None:
    """None if the file holds a control character (other than line ends), else whether it
    holds a double quote; read 16 MB at a time."""
    bad = re.compile(rb"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")
    quoted, carry = False, b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(1 << 24)
            text = carry + chunk
            if not chunk:
                return None if bad.search(text) else quoted
            # a final \r may be followed by \n in the next chunk: look at it then
            cut = len(text) - 1 if text.endswith(b"\r") else len(text)
            if bad.search(text[:cut]):
                return None
            quoted = quoted or b'"' in chunk
            carry = text[cut:]


def _strict_csv(path: Path) -> bool:
    """Whether Python's strict CSV reader (the per-row path's) accepts the quoting."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for _ in csv.reader(fh, strict=True):
                pass
    except (csv.Error, UnicodeDecodeError):
        return False
    return True


# ---------------------------------------------------------------- checking and resolving

def list_items(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A list column, split as ``graph.build.factfile`` splits it (empty items dropped)."""
    if name not in frame.columns:
        return pl.lit([], dtype=pl.List(pl.String))
    return (pl.col(name).fill_null("").str.split(";")
            .list.eval(pl.element().str.strip_chars().filter(pl.element().str.len_bytes() > 0)))


def column_or_null(frame: pl.DataFrame, name: str) -> pl.Expr:
    """Column ``name``, or nulls when the file has no such column."""
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=pl.String)


def resolve_each(values: Iterable[str | None], resolve: Callable[[str], str | None]) -> dict[str, str] | None:
    """Each distinct value (nulls skipped) to what ``resolve`` gives it; None if one resolves to None."""
    out = {}
    for value in values:
        if value is None:
            continue
        found = resolve(value)
        if found is None:
            return None
        out[value] = found
    return out


_AHEAD = re.compile(r"\(\?=\.\{(\d+),(\d+)\}\$\)")  # a look-ahead bounding the length: Rust's regex has none


def schema_pattern(col: pl.Expr, pattern: str) -> pl.Expr:
    """``col`` matches the schema's ``pattern``; a length look-ahead becomes a length test.

    >>> pl.select(schema_pattern(pl.lit("ab"), "^(?=.{1,3}$)[a-z]+$")).item()
    True
    """
    bound = _AHEAD.search(pattern)
    if bound is None:
        return col.str.contains(pattern)
    low, high = int(bound.group(1)), int(bound.group(2))
    return col.str.contains(_AHEAD.sub("", pattern)) & col.str.len_chars().is_between(low, high)


def field_rules(record: dict[str, Any], claim: dict[str, Any], lists: Collection[str]) -> list[pl.Expr]:
    """The schema's ``maxLength``, ``enum`` and ``pattern`` of a record's scalar fields (not
    ``lists`` nor its evidence) and of its claim's (``CLAIM_COLUMNS``), as column checks; an
    empty cell passes them, and the id's pattern is checked as ``SAFE_ID`` by the caller."""
    rules: list[pl.Expr] = []
    scalar = [(n, r) for n, r in record.items() if n not in (*lists, "evidence")]
    for name, rule in scalar + [(n, claim[n]) for n in CLAIM_COLUMNS]:
        col = pl.col(name)
        if "maxLength" in rule:
            rules.append(col.is_null() | (col.str.len_chars() <= rule["maxLength"]))
        if "enum" in rule:
            rules.append(col.is_null() | col.is_in(rule["enum"]))
        if "pattern" in rule and name != "id":
            rules.append(col.is_null() | schema_pattern(col, rule["pattern"]))
    return rules


def _resolve(frame: pl.DataFrame, compiler: Compiler) -> pl.DataFrame | None:
    """The rows with names, terms and dates resolved into the columns the writers read;
    None if any row fails a rule of the schema or of the compiler."""
    grant = schema()["$defs"]["grant"]["properties"]
    claim = schema()["$defs"]["claim"]["properties"]
    need = ("grantor", "grantee", "integration", "data_types", "source", "locator")
    if any(c not in frame.columns for c in need):
        return None
    lists = [name for name in LIST_COLUMNS if name in grant]  # a holding's "from" is no grant's
    f = frame.with_columns(**{name: list_items(frame, name) for name in lists})
    f = f.with_columns(**{name: column_or_null(frame, name) for name in (*grant, *CLAIM_COLUMNS) if name not in LIST_COLUMNS})
    rules = [pl.col(c).is_not_null() for c in need if c != "data_types"]
    rules += [pl.col("data_types").list.len() > 0, pl.col("id").str.contains(SAFE_ID),
              pl.col("source").str.contains(SAFE_ID)]
    rules += field_rules(grant, claim, LIST_COLUMNS)
    for name in lists:
        items = grant[name]["items"]
        if "enum" in items:
            rules.append(pl.col(name).list.eval(pl.element().is_in(items["enum"])).list.all())
        if "maxLength" in items:
            rules.append(pl.col(name).list.eval(pl.element().str.len_chars() <= items["maxLength"]).list.all())
    if not f.select(pl.all_horizontal(rules).all()).item():
        return None

    def distinct(expr: pl.Expr) -> list[Any]:
        return f.select(expr.unique()).to_series().to_list()

    def iri_of(node: URIRef | None) -> str | None:
        return None if node is None else nt_iri(str(node))

    grantors = resolve_each(distinct(pl.col("grantor")), lambda n: iri_of(compiler.party(n, allow_aggregate=True)))
    grantees = resolve_each(distinct(pl.col("grantee")),
                        lambda n: iri_of(compiler.party(n, allow_public=True, allow_aggregate=True)))
    types = resolve_each(distinct(pl.col("data_types").explode()), lambda t: compiler.term_slug(compiler.data_types, t))
    kinds = resolve_each(distinct(pl.col("integration")), lambda t: compiler.term_slug(compiler.integrations, t))
    sources = resolve_each(distinct(pl.col("source")), lambda s: s if s in compiler.sources else None)
    if grantors is None or grantees is None or types is None or kinds is None or sources is None:
        return None
    for name in _DATES:
        ok = resolve_each(distinct(pl.col(name)), lambda d: d if d == dates.UNKNOWN or is_date(d) else None)
        if ok is None:
            return None
    keys = {iri: key for iri, key in ((iri, node_key_of(iri[1:-1])) for iri in {*grantors.values(), *grantees.values()})}
    unknown = pl.lit(None, dtype=pl.String)
    return f.select(
        "id",
        u=pl.col("grantor").replace_strict({name: keys[iri] for name, iri in grantors.items()}),
        v=pl.col("grantee").replace_strict({name: keys[iri] for name, iri in grantees.items()}),
        integ=pl.col("integration").replace_strict(kinds),
        dts=pl.col("data_types").list.eval(pl.element().replace_strict(types)).list.unique().list.sort(),
        perms=pl.col("permissions").list.unique().list.eval(pl.element().sort_by(
            pl.element().replace_strict({p: i for i, p in enumerate(PERMISSION)}, return_dtype=pl.Int32))),
        whose=pl.col("whose_data").list.eval(pl.element().replace_strict(
            {w: LABEL[t] for w, t in WHOSE.items()})).list.unique().list.sort(),
        activation="activation", note="note",
        on_by_default=pl.col("on_by_default").replace_strict(_YES_NO, default=None, return_dtype=pl.Boolean),
        overrode=pl.col("overrode_privacy_setting").replace_strict(_YES_NO, default=None, return_dtype=pl.Boolean),
        **{name: pl.when(pl.col(name) == dates.UNKNOWN).then(unknown).otherwise(pl.col(name)) for name in _DATES},
        status=pl.col("status").fill_null("unknown"),
        source="source", locator="locator", stance=pl.col("stance").fill_null("asserts"),
        confidence=pl.col("confidence").fill_null("reported"), claimant="claimant",
    )


_RESOLVED: dict[str, pl.DataType | type[pl.DataType]] = {"id": pl.String, "u": pl.String, "v": pl.String, "integ": pl.String, "dts": pl.List(pl.String),
             "perms": pl.List(pl.String), "whose": pl.List(pl.String), "activation": pl.String, "note": pl.String,
             "on_by_default": pl.Boolean, "overrode": pl.Boolean, "valid_from": pl.String, "stated_end": pl.String,
             "last_observed_active": pl.String, "status": pl.String, "source": pl.String, "locator": pl.String,
             "stance": pl.String, "confidence": pl.String, "claimant": pl.String}


def no_grants() -> pl.DataFrame:
    """No grants, in the columns ``_resolve`` gives (a build whose bulk files are holdings only)."""
    return pl.DataFrame(schema=_RESOLVED)


def is_date(text: str) -> bool:
    """Whether ``graph.dates.literal`` takes ``text``."""
    try:
        dates.literal(text)
    except ValueError:
        return False
    return True


def node_key_of(iri: str) -> str:
    """The projection's node key of a party's IRI (``graph.build.projection.node_key``)."""
    from graph.build.projection import node_key

    return node_key(URIRef(iri))


# ---------------------------------------------------------------- N-Triples

def nt_line(s: pl.Expr, p: URIRef, o: pl.Expr) -> pl.Expr:
    """An N-Triples line (without its line end) of subject and object terms; null when one is."""
    return s + pl.lit(f" {nt_iri(str(p))} ") + o + pl.lit(" .")


def nt_term(mapping: dict[str, URIRef], col: str) -> pl.Expr:
    """Column ``col``'s values mapped to IRIs, as N-Triples terms."""
    return pl.col(col).replace_strict({k: nt_iri(str(v)) for k, v in mapping.items()})


def nt_date(col: str) -> pl.Expr:
    """A date column as the literal ``graph.dates.literal`` makes (gYear, gYearMonth or date)."""
    parts = pl.col(col).str.count_matches("-")
    kind = (pl.when(parts == 0).then(pl.lit(nt_iri(str(XSD.gYear)))).when(parts == 1).then(pl.lit(nt_iri(str(XSD.gYearMonth))))
            .otherwise(pl.lit(nt_iri(str(XSD.date)))))
    return pl.lit('"') + pl.col(col) + pl.lit('"^^') + kind


def _party_iri(col: str) -> pl.Expr:
    """The IRI of a party from its node key (``graph.build.projection.node_key`` read backwards)."""
    from graph.build.projection import AGGREGATE, AGGREGATE_IRI, PUBLIC

    key = pl.col(col)
    return (pl.when(key == PUBLIC).then(pl.lit(str(FAST.Public)))
            .when(key.str.starts_with(AGGREGATE)).then(pl.lit(AGGREGATE_IRI) + key.str.slice(len(AGGREGATE)))
            .otherwise(pl.lit(_ID + "company/") + key))


def _bool(col: str) -> pl.Expr:
    boolean = nt_iri(str(XSD.boolean))
    return pl.when(pl.col(col)).then(pl.lit(f'"true"^^{boolean}')).when(~pl.col(col)).then(pl.lit(f'"false"^^{boolean}'))


def _single_triples(node: pl.Expr, claim: pl.Expr) -> list[tuple[pl.Expr, URIRef, pl.Expr]]:
    """The triples of a grant and its claim that have at most one object: (subject, predicate,
    object), the object null when absent."""
    return [
        (node, RDF.type, pl.lit(nt_iri(str(FAST.AccessGrant)))),
        (node, FAST.grantor, pl.lit("<") + _party_iri("u") + pl.lit(">")),
        (node, FAST.grantee, pl.lit("<") + _party_iri("v") + pl.lit(">")),
        (node, FAST.integration, pl.lit("<" + str(IK)) + pl.col("integ") + pl.lit(">")),
        (node, FAST.onByDefault, _bool("on_by_default")),
        (node, FAST.overrodePrivacySetting, _bool("overrode")),
        (node, FAST.status, nt_term(dict(STATUS), "status")),
        *((node, pred, nt_date(name)) for name, pred in _DATES.items()),
        (node, FAST.activation, nt_literal(pl.col("activation"))),
        (node, FAST.note, nt_literal(pl.col("note"))),
        (node, FAST.evidence, claim),
        *claim_triples(claim),
    ]


def claim_triples(claim: pl.Expr) -> list[tuple[pl.Expr, URIRef, pl.Expr]]:
    """The triples of a row's one claim (its ``source``, ``locator``, ``stance``, ``confidence``
    and ``claimant`` columns), as ``_single_triples`` gives them: grants' and holdings' alike."""
    return [
        (claim, RDF.type, pl.lit(nt_iri(str(FAST.Claim)))),
        (claim, FAST.source, pl.lit("<" + _ID + "source/") + pl.col("source") + pl.lit(">")),
        (claim, FAST.locator, nt_literal(pl.col("locator"))),
        (claim, FAST.stance, nt_term(dict(STANCE), "stance")),
        (claim, FAST.confidence, nt_term(dict(CONFIDENCE), "confidence")),
        (claim, FAST.claimant, nt_literal(pl.col("claimant"))),
    ]


def jsonld_claim(claim: pl.Expr) -> list[pl.Expr]:
    """A row's one claim as a JSON-LD node object after a comma (``claim``: its IRI), the
    pieces ``write_jsonld`` concatenates: grants' and holdings' alike."""
    return [
        pl.lit(',{"@id":"') + claim + pl.lit('"'), jsonld_key(RDF.type, pl.lit(f'{{"@id":"{FAST.Claim}"}}')),
        jsonld_key(FAST.source, jsonld_id(pl.lit(_ID + "source/") + pl.col("source"))),
        jsonld_key(FAST.locator, jsonld_value(pl.col("locator"))),
        jsonld_key(FAST.stance, jsonld_id(pl.col("stance").replace_strict({k: str(v) for k, v in STANCE.items()}))),
        jsonld_key(FAST.confidence, jsonld_id(pl.col("confidence").replace_strict({k: str(v) for k, v in CONFIDENCE.items()}))),
        jsonld_key(FAST.claimant, jsonld_value(pl.col("claimant"))), pl.lit("}"),
    ]


def _single_lines(node: pl.Expr, claim: pl.Expr) -> list[pl.Expr]:
    """The triples of a grant and its claim that have at most one object, each a line (null when absent)."""
    return [nt_line(s, p, o) for s, p, o in _single_triples(node, claim)]


def _listed_terms() -> list[tuple[URIRef, pl.Expr]]:
    """The list-valued triples of a grant: (predicate, its objects as a list of N-Triples terms)."""
    return [
        (FAST.dataType, pl.col("dts").list.eval(pl.lit(f"<{DT}") + pl.element() + pl.lit(">"))),
        (FAST.permission, pl.col("perms").list.eval(pl.element().replace_strict({k: nt_iri(str(v)) for k, v in PERMISSION.items()}))),
        (FAST.whoseData, pl.col("whose").list.eval(pl.element().replace_strict({LABEL[v]: nt_iri(str(v)) for v in WHOSE.values()}))),
    ]


def _listed() -> list[pl.Expr]:
    """The list-valued triples without their subject: " predicate object ." per item."""
    return [objects.list.eval(pl.lit(f" {nt_iri(str(p))} ") + pl.element() + pl.lit(" .")) for p, objects in _listed_terms()]


def write_ntriples(frame: pl.DataFrame, fh: Any) -> None:
    """Write every grant's triples as N-Triples, ``BATCH`` rows at a time.

    Parameters
    ----------
    frame : polars.DataFrame
        Resolved grants (``Grants.frame`` after ``Grants.check``).
    fh : binary file
        Where the lines go (appended after the per-row part's).
    """
    for start in range(0, frame.height, BATCH):
        for lines in _ntriples(frame.slice(start, BATCH)):
            write_lines(lines, fh)


def _ntriples(part: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """The N-Triples of ``part``'s grants, as frames of one text column ``t``: first each
    grant's single-valued triples (several lines to a value), then its listed ones (a line each)."""
    node = pl.lit("<" + _ID + "grant/") + pl.col("id") + pl.lit(">")
    claim = pl.lit("<" + _ID + "claim/grant-") + pl.col("id") + pl.lit("-1>")
    yield part.select(pl.concat_str(_single_lines(node, claim), separator="\n", ignore_nulls=True).alias("t"))
    for items in _listed():
        yield part.select(s=node, t=items).explode("t").drop_nulls("t").select((pl.col("s") + pl.col("t")).alias("t"))


def bulk_triples(part: pl.DataFrame) -> pl.DataFrame:
    """The triples ``write_ntriples`` writes for ``part`` (from the same expressions), as
    N-Triples terms: ``s``, ``p`` (``<iri>``) and ``o`` (an IRI or a literal, as written)."""
    terms = part.with_columns(_s=pl.lit("<" + _ID + "grant/") + pl.col("id") + pl.lit(">"),
                              _c=pl.lit("<" + _ID + "claim/grant-") + pl.col("id") + pl.lit("-1>"))
    node, claim = pl.col("_s"), pl.col("_c")
    frames = [terms.select(s=s, p=pl.lit(nt_iri(str(p))), o=o).drop_nulls("o") for s, p, o in _single_triples(node, claim)]
    frames += [terms.select(s=node, p=pl.lit(nt_iri(str(p))), o=objects).explode("o").drop_nulls("o")
               for p, objects in _listed_terms()]
    return pl.concat(frames)


def write_lines(column: pl.DataFrame, fh: Any, terminator: str = "\n") -> None:
    """One text column, each value and ``terminator``, nothing quoted (the values are N-Triples or JSON)."""
    if column.height:
        column.write_csv(fh, include_header=False, quote_style="never", line_terminator=terminator)


def jsonld_value(expr: pl.Expr) -> pl.Expr:
    """A JSON-LD value object of a plain string."""
    return pl.lit('{"@value":') + nt_literal(expr) + pl.lit("}")


def jsonld_id(expr: pl.Expr) -> pl.Expr:
    """A JSON-LD node reference of an IRI."""
    return pl.lit('{"@id":"') + expr + pl.lit('"}')


def jsonld_key(pred: URIRef, values: pl.Expr) -> pl.Expr:
    """A JSON-LD property (after a comma) with its values, already joined by commas."""
    return pl.lit(f',"{pred}":[') + values + pl.lit("]")


def jsonld_date(col: str) -> pl.Expr:
    """A date column as a JSON-LD typed value (gYear, gYearMonth or date, as ``nt_date``)."""
    parts = pl.col(col).str.count_matches("-")
    kind = pl.when(parts == 0).then(pl.lit(str(XSD.gYear))).when(parts == 1).then(pl.lit(str(XSD.gYearMonth))).otherwise(
        pl.lit(str(XSD.date)))
    return pl.lit('{"@type":"') + kind + pl.lit('","@value":"') + pl.col(col) + pl.lit('"}')


def _jbool(col: str) -> pl.Expr:
    typed = f'{{"@type":"{XSD.boolean}","@value":'
    return pl.when(pl.col(col)).then(pl.lit(typed + '"true"}')).when(~pl.col(col)).then(pl.lit(typed + '"false"}'))


def write_jsonld(frame: pl.DataFrame, fh: Any) -> None:
    """Write every grant and its claim as JSON-LD node objects.

    Parameters
    ----------
    frame : polars.DataFrame
        Resolved grants.
    fh : binary file
        Positioned just before the closing ``]`` of the top-level array Oxigraph wrote: each
        object is written after a comma, in expanded form as Oxigraph writes them.
    """
    node = pl.lit(_ID + "grant/") + pl.col("id")
    claim = pl.lit(_ID + "claim/grant-") + pl.col("id") + pl.lit("-1")

    def ids(col: str, prefix: str) -> pl.Expr:
        return pl.col(col).list.eval(pl.lit('{"@id":"' + prefix) + pl.element() + pl.lit('"}')).list.join(",")

    grant = pl.concat_str([
        pl.lit(',{"@id":"') + node + pl.lit('"'), jsonld_key(RDF.type, pl.lit(f'{{"@id":"{FAST.AccessGrant}"}}')),
        jsonld_key(FAST.grantor, jsonld_id(_party_iri("u"))),
        jsonld_key(FAST.grantee, jsonld_id(_party_iri("v"))),
        jsonld_key(FAST.integration, jsonld_id(pl.lit(str(IK)) + pl.col("integ"))),
        jsonld_key(FAST.dataType, ids("dts", str(DT))),
        jsonld_key(FAST.permission, pl.col("perms").list.eval(pl.element().replace_strict(
            {k: f'{{"@id":"{v}"}}' for k, v in PERMISSION.items()})).list.join(",")),
        jsonld_key(FAST.whoseData, pl.col("whose").list.eval(pl.element().replace_strict(
            {LABEL[v]: f'{{"@id":"{v}"}}' for v in WHOSE.values()})).list.join(",")),
        jsonld_key(FAST.onByDefault, _jbool("on_by_default")),
        jsonld_key(FAST.overrodePrivacySetting, _jbool("overrode")),
        jsonld_key(FAST.status, jsonld_id(pl.col("status").replace_strict({k: str(v) for k, v in STATUS.items()}))),
        *(jsonld_key(pred, jsonld_date(name)) for name, pred in _DATES.items()),
        jsonld_key(FAST.activation, jsonld_value(pl.col("activation"))),
        jsonld_key(FAST.note, jsonld_value(pl.col("note"))),
        jsonld_key(FAST.evidence, jsonld_id(claim)), pl.lit("}"),
        *jsonld_claim(claim),
    ], separator="", ignore_nulls=True)
    for start in range(0, frame.height, BATCH):
        write_lines(frame.slice(start, BATCH).select(grant.alias("t")), fh)


def triple_count(frame: pl.DataFrame) -> int:
    """How many triples ``ntriples`` writes (no two rows share one: each grant and claim is its own)."""
    fixed = 4 + 1 + 5  # type, grantor, grantee, integration, status; evidence, claim type, source, locator, stance...
    fixed += 1  # confidence
    optional = ["on_by_default", "overrode", "activation", "note", "claimant", *_DATES]
    return int(frame.select(
        (pl.lit(fixed) + pl.col("dts").list.len() + pl.col("perms").list.len() + pl.col("whose").list.len()
         + pl.sum_horizontal(pl.col(c).is_not_null().cast(pl.Int64) for c in optional)).sum()).item())


# ---------------------------------------------------------------- the edges: flow index, evidence, projection

def evidence_json() -> pl.Expr:
    """A record's one claim as the evidence list ``json.dumps`` writes (the projection's)."""
    return (pl.lit('[{"source": "') + pl.col("source") + pl.lit('", "locator": ') + nt_literal(pl.col("locator"))
            + pl.lit(', "stance": "') + pl.col("stance") + pl.lit('", "confidence": "') + pl.col("confidence")
            + pl.lit('", "claimant": ') + json_or_null(pl.col("claimant")) + pl.lit(', "aspect": null, "note": null}]'))


def _opt_bool(col: str) -> pl.Expr:
    return pl.when(pl.col(col).is_null()).then(pl.lit("null")).when(pl.col(col)).then(pl.lit("true")).otherwise(pl.lit("false"))


# a grant's attributes as the projection holds them, in its order, and which are booleans
# (the others are text, or lists of text; a bool None is JSON null)
_GRANT_KEYS = ("kind", "id", "iri", "data_types", "integration", "note", "evidence", "disputed", "permissions",
               "whose_data", "activation", "on_by_default", "overrode_privacy_setting", "valid_from", "stated_end",
               "last_observed_active", "status")
_NULLABLE = {"note": "note", "activation": "activation", "on_by_default": "on_by_default",
             "overrode_privacy_setting": "overrode", "valid_from": "valid_from", "stated_end": "stated_end",
             "last_observed_active": "last_observed_active"}
_BOOLEAN = ("disputed", "on_by_default", "overrode_privacy_setting")


def _grant_json(evidence: pl.Expr) -> pl.Expr:
    """A grant's attributes as ``json.dumps`` writes the projection's dict, without the closing brace."""
    node_iri = pl.lit(_ID + "grant/") + pl.col("id")
    return (pl.lit('{"kind": "grant", "id": "') + pl.col("id") + pl.lit('", "iri": "') + node_iri
            + pl.lit('", "data_types": ') + json_list(pl.col("dts")) + pl.lit(', "integration": "') + pl.col("integ")
            + pl.lit('", "note": ') + json_or_null(pl.col("note")) + pl.lit(", \"evidence\": ") + evidence
            + pl.lit(', "disputed": ') + pl.when(pl.col("stance") == "disputes").then(pl.lit("true")).otherwise(pl.lit("false"))
            + pl.lit(', "permissions": ') + json_list(pl.col("perms")) + pl.lit(', "whose_data": ') + json_list(pl.col("whose"))
            + pl.lit(', "activation": ') + json_or_null(pl.col("activation"))
            + pl.lit(', "on_by_default": ') + _opt_bool("on_by_default")
            + pl.lit(', "overrode_privacy_setting": ') + _opt_bool("overrode")
            + pl.lit(', "valid_from": ') + json_or_null(pl.col("valid_from"))
            + pl.lit(', "stated_end": ') + json_or_null(pl.col("stated_end"))
            + pl.lit(', "last_observed_active": ') + json_or_null(pl.col("last_observed_active"))
            + pl.lit(', "status": "') + pl.col("status") + pl.lit('"'))


def _edge_json() -> pl.Expr:
    """A grant's edge as networkx's node-link data holds it: ``{**attrs, "source": u, "target": v, "key": id}``
    as ``json.dumps`` writes it (the form the conflict rules are run on)."""
    return (_grant_json(evidence_json()) + pl.lit(', "source": ') + nt_literal(pl.col("u"))
            + pl.lit(', "target": ') + nt_literal(pl.col("v")) + pl.lit(', "key": "') + pl.col("id") + pl.lit('"}'))


def _attr_json() -> pl.Expr:
    """A grant's attributes as the attributes file holds them (``FlowIndex.attributes_file``: evidence null)."""
    return _grant_json(pl.lit("null")) + pl.lit("}")


def edges(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per grant with what the flow index keeps of it (keys as JSON text); ``row``
    points back into ``frame`` for what the projection and the evidence file write (``_edge_json``,
    ``evidence_json``: made when written, a batch at a time)."""
    dates_key = (pl.lit("[") + json_or_null(pl.col("valid_from")) + pl.lit(", ") + json_or_null(pl.col("stated_end"))
                 + pl.lit(', "') + pl.col("status") + pl.lit('"]'))
    asserted = pl.when(pl.col("stance") == "asserts").then(
        pl.lit('[["') + pl.col("source") + pl.lit('", "') + pl.col("confidence") + pl.lit('"]]')).otherwise(pl.lit("[]"))
    facets = pl.lit("[") + _opt_bool("on_by_default") + pl.lit(", ") + json_list(pl.col("whose")) + pl.lit(", ") + asserted + pl.lit("]")
    return frame.select(
        "u", "v", fact=pl.col("id"), kind=pl.lit(0, dtype=pl.Int64),
        dt_key=json_list(pl.col("dts")), perm_key=json_list(pl.col("perms")),
        integ_key=pl.lit('"') + pl.col("integ") + pl.lit('"'), dates_key=dates_key, facet_key=facets,
        disputed=pl.col("stance") == "disputes", ev=pl.lit(None, dtype=pl.String), sources=pl.when(pl.col("stance") == "asserts")
        .then(pl.col("source")).otherwise(pl.lit("")), edge=pl.lit(None, dtype=pl.String),
        attr=pl.lit(None, dtype=pl.String), row=pl.int_range(pl.len(), dtype=pl.Int64))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _graph_edges(G: nx.MultiDiGraph) -> pl.DataFrame:
    """The per-row graph's edges in the columns of ``edges`` (few: computed per edge)."""
    from graph.build.flowindex import DATES, KINDS

    rows = []
    for position, (u, v, k, a) in enumerate(G.edges(keys=True, data=True)):
        on, whose, sources = _facets(a)
        rows.append({
            "u": u, "v": v, "fact": k, "kind": KINDS.index(a["kind"]),
            "dt_key": _dumps(list(a.get("data_types", []))), "perm_key": _dumps(list(a.get("permissions", []))),
            "integ_key": _dumps(a.get("integration")), "dates_key": _dumps([a.get(f) for f in DATES]),
            "facet_key": _dumps([on, list(whose), [list(s) for s in sources]]), "disputed": bool(a.get("disputed")),
            "ev": _dumps(a.get("evidence", [])),
            "sources": ";".join(sorted({str(c["source"]) for c in a.get("evidence", []) if c["stance"] == "asserts"})),
            "edge": _dumps({**a, "source": u, "target": v, "key": k}),
            "attr": _dumps({name: (None if name == "evidence" else value) for name, value in a.items()}),
            "row": None, "position": position})
    schema_ = {"u": pl.String, "v": pl.String, "fact": pl.String, "kind": pl.Int64,
               "dt_key": pl.String, "perm_key": pl.String, "integ_key": pl.String, "dates_key": pl.String,
               "facet_key": pl.String, "disputed": pl.Boolean, "ev": pl.String, "sources": pl.String,
               "edge": pl.String, "attr": pl.String, "row": pl.Int64, "position": pl.Int64}
    return pl.DataFrame(rows, schema=schema_)


def _facets(attrs: dict[str, Any]) -> tuple[Any, tuple[str, ...], tuple[tuple[str, str], ...]]:
    from graph.build.flowindex import facets

    return facets(dict(attrs))


def _table(keys: pl.Series) -> tuple[np.ndarray, list[Any]]:
    """Codes into the distinct keys in first-seen order, and those values decoded."""
    distinct = keys.unique(maintain_order=True)
    codes = keys.replace_strict(distinct, pl.Series(np.arange(len(distinct), dtype=np.int32)), return_dtype=pl.Int32)
    return codes.to_numpy().astype(np.int32), [_tuples(json.loads(k)) for k in distinct.to_list()]  # no edges: int32 still


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


@dataclass
class Merged:
    """The edges of the whole build in the flow index's order, with the projection's
    nodes and graph attributes."""

    G: nx.MultiDiGraph
    grants: pl.DataFrame  # the grants compiled by columns (``_resolve``)
    frame: pl.DataFrame  # the edges, sorted as ``FlowIndex.from_graph`` orders them
    order: np.ndarray  # the projection's edge order: rows of ``frame``
    nodes: list[str]  # sorted: the flow index's node numbers
    inserted: list[str]  # the projection's node order
    holdings: pl.DataFrame | None = None  # the holdings compiled by columns (``graph.build.heldcolumnar.resolve``),
    # set after ``merge``: ``flow_index`` writes them with the per-row ones into the holding columns


def merge(G: nx.MultiDiGraph, grants: pl.DataFrame) -> Merged:
    """Join the grants compiled by columns to the per-row projection.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection of the per-row part; changed in place: "public" added if only the
        grants name it, ``G.graph["conflicts"]`` recomputed over every grant.
    grants : polars.DataFrame
        Resolved grants.

    Returns
    -------
    Merged
        Every edge in the flow index's order, the projection's edge and node orders.
    """
    from graph.build.conflicts import grant_conflicts
    from graph.build.projection import add_public

    bulk = edges(grants)
    if "public" not in G and bulk.select((pl.col("v") == "public").any()).item():
        add_public(G)
    small = _graph_edges(G)
    nodes = sorted(G.nodes, key=str)
    number = {n: i for i, n in enumerate(nodes)}
    n_grants = bulk.height + small.filter(pl.col("kind") == 0).height
    # insertion order: grants by IRI (as projection sorts them), then the others in G's adjacency order
    frame = pl.concat([bulk.with_columns(position=pl.lit(None, dtype=pl.Int64)), small], how="vertical")
    # every grant IRI is ID + "grant/" + its id: ordering by id orders by IRI
    frame = frame.with_columns(ins=pl.when(pl.col("kind") == 0).then(pl.col("fact").rank("ordinal").over("kind") - 1)
                               .otherwise(n_grants + pl.col("position")).cast(pl.Int64))
    inserted = _insertion_order(G, frame)
    order = {n: i for i, n in enumerate(inserted)}
    frame = frame.with_columns(first=pl.col("ins").min().over(["u", "v"]),
                               num_u=pl.col("u").replace_strict(number, return_dtype=pl.Int64),
                               num_v=pl.col("v").replace_strict(number, return_dtype=pl.Int64),
                               at_u=pl.col("u").replace_strict(order, return_dtype=pl.Int64))
    frame = frame.sort(["num_u", "first", "ins"])
    projected = frame.with_row_index("_i").sort(["at_u", "first", "ins"])["_i"].to_numpy()
    # grant conflicts: only groups (grantor, grantee, integration) whose facts cite different sources can hold one
    grants_only = frame.filter(pl.col("kind") == 0)
    candidates = grants_only.filter((pl.len().over(["u", "v", "integ_key"]) > 1)
                                    & (pl.col("sources").n_unique().over(["u", "v", "integ_key"]) > 1))
    conflicts = _conflicts(inserted, _with_json(grants, candidates), grant_conflicts)
    frame = frame.drop("sources")
    old = grant_conflicts(G)
    G.graph["conflicts"] = {**conflicts, **{k: v for k, v in G.graph["conflicts"].items() if k not in old}}
    return Merged(G, grants, frame, projected, nodes, inserted)


def _insertion_order(G: nx.MultiDiGraph, frame: pl.DataFrame) -> list[str]:
    """The nodes in the order the all-per-row projection adds them: every company, then the
    other parties as grants (by IRI), then the other facts, first name them."""
    companies = [n for n, kind in G.nodes(data="kind") if kind == "company"]
    named = (frame.filter(pl.col("kind") == 0).sort("ins").select(pl.concat_list("u", "v").alias("n"))
             .explode("n")["n"].unique(maintain_order=True).to_list())
    known = set(companies)
    parties = [n for n in named if n not in known]
    seen = known | set(parties)
    return companies + parties + [n for n in G.nodes if n not in seen]


def _with_json(grants: pl.DataFrame, part: pl.DataFrame) -> pl.DataFrame:
    """``part`` of the merged edges with each edge's projection JSON in ``edge``."""
    if grants.height == 0 or part.height == 0:
        return part
    edge = _edge_json()
    made = grants.select(list(dict.fromkeys(edge.meta.root_names()))).gather(part["row"].fill_null(0)).select(edge.alias("made"))["made"]
    return part.with_columns(edge=pl.coalesce(pl.col("edge"), made))


def _conflicts(nodes: list[str], candidates: pl.DataFrame, rule: Callable[[nx.MultiDiGraph], dict[str, Any]]) -> dict[str, Any]:
    """``rule`` on a graph of the candidate grants alone, nodes and edges in the projection's order."""
    import networkx as nx

    if candidates.height == 0:
        return {}
    mini = nx.MultiDiGraph()
    named = set(candidates["u"]) | set(candidates["v"])
    mini.add_nodes_from(n for n in nodes if n in named)
    for row in candidates.sort("ins").iter_rows(named=True):
        attrs = json.loads(row["edge"])
        u, v, k = attrs.pop("source"), attrs.pop("target"), attrs.pop("key")
        mini.add_edge(u, v, key=k, **attrs)
    return rule(mini)


def flow_index(merged: Merged, token: str, evidence: Path, attributes: Path) -> FlowIndex:
    """The flow index of the merged build, its evidence file and its attributes file.

    Parameters
    ----------
    merged : Merged
        From ``merge``.
    token : str
        The build's token, written into the index and at the end of both files.
    evidence : Path
        Where the evidence file goes (as ``FlowIndex.evidence_file`` makes it: each fact's
        claims once, then the token).
    attributes : Path
        Where the attributes file goes (as ``FlowIndex.attributes_file`` makes it: every
        node's attributes, then every edge's with its evidence null, each distinct text
        once, then the token).

    Returns
    -------
    FlowIndex
        Ready for ``FlowIndex.save``; equal, array by array, to ``FlowIndex.from_graph`` of
        the all-per-row projection.
    """
    from graph.build.flowindex import FORMAT, FlowIndex, Strings

    G, frame, nodes = merged.G, merged.frame, merged.nodes
    base = FlowIndex.from_graph(_nodes_only(G, merged.inserted))
    codes, tables = {}, {}
    for name, col in (("data_types", "dt_key"), ("permissions", "perm_key"), ("integration", "integ_key"),
                      ("dates", "dates_key"), ("facets", "facet_key")):
        codes[name], tables[name] = _table(frame[col])
    meta = dict(base.meta)
    meta.update(format=FORMAT, tables=tables, token=token)
    meta["graph"] = {k: G.graph.get(k, {}) for k in meta["graph"]}
    meta["columns"] = _column_schema(merged)
    fact_key = pl.col("kind").cast(pl.String) + pl.lit("/") + pl.col("fact")
    held, holders = base.holding_columns, set[str]()
    with open(evidence, "wb") as fh:
        span, size = _write_spans(merged, fh, 0, fact_key, "ev", evidence_json())
        if merged.holdings is None or merged.holdings.height == 0:
            size = held.write(fh.write, size)  # each holding's JSON after the facts' evidence
        else:  # the per-row holdings and the bulk ones, in the holding columns' order
            from graph.build import heldcolumnar

            every, holders = heldcolumnar.held(G, merged.holdings, nodes)
            held, size = heldcolumnar.write_held(every, merged.holdings, fh, size)
            meta["hold_tables"] = held.tables
            del every
        fh.write(token.encode())
    meta["evidence_bytes"] = size
    with open(attributes, "wb") as fh:
        node_span, size = _write_node_attrs(G, nodes, fh, holders)
        # an edge's text is its key: the per-row edges with the same attributes (an incident's
        # recipients) share one copy; a bulk grant's text holds its id, unique among grants
        attr_key = pl.coalesce(pl.col("attr"), pl.lit("\x00") + pl.col("fact"))
        attr_span, size = _write_spans(merged, fh, size, attr_key, "attr", _attr_json())
        fh.write(token.encode())
    meta["attribute_bytes"] = size
    assert len(nodes) == base.node_count
    number = {n: i for i, n in enumerate(nodes)}
    return FlowIndex(
        keys=base.keys, labels=base.labels, iris=base.iris, node_kind=base.node_kind, label_rank=base.label_rank,
        src=frame["num_u"].to_numpy().astype(np.int32), dst=frame["num_v"].to_numpy().astype(np.int32),
        facts=Strings(frame["fact"].str.join("").item().encode("utf-8"),
                      np.concatenate([[0], np.cumsum(frame["fact"].str.len_bytes().to_numpy())]).astype(np.int64)),
        kind=frame["kind"].to_numpy().astype(np.uint8), codes=codes, disputed=frame["disputed"].to_numpy().astype(bool),
        meta=meta, evidence_span=span, evidence_blob=b"",
        node_order=np.asarray([number[n] for n in merged.inserted], dtype=np.int32),
        edge_order=np.asarray(merged.order, dtype=np.int64), node_span=node_span, attr_span=attr_span, held=held)


def _write_node_attrs(G: nx.MultiDiGraph, nodes: list[str], fh: Any, holders: Collection[str] = ()) -> tuple[np.ndarray, int]:
    """Each node's attributes (JSON, each distinct text once), in node-number order; return
    each node's (start, end) and the bytes written. ``holders`` hold bulk holdings: their
    ``holds`` is null (in the holding columns), as for any holder."""
    from graph.build.flowindex import node_json

    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    span, seen, offset = np.zeros((len(nodes), 2), dtype=np.int64), {}, 0
    for i, n in enumerate(nodes):
        attrs = node_json(G.nodes[n])
        if n in holders:
            attrs["holds"] = None
        text = encode(attrs).encode("utf-8")
        if text not in seen:
            seen[text] = (offset, offset + len(text))
            fh.write(text)
            offset += len(text)
        span[i] = seen[text]
    return span, offset


def _write_spans(merged: Merged, fh: Any, offset: int, key: pl.Expr, col: str, made: pl.Expr) -> tuple[np.ndarray, int]:
    """Write each edge's text once per ``key``, in edge order, from ``offset``: the per-row
    edges' from column ``col``, the bulk grants' made by ``made`` a batch at a time. Return
    each edge's (start, end) and the offset after the last byte written."""
    frame = merged.frame.select("row", col, key=key)
    frame = frame.with_columns(first=pl.col("key").is_first_distinct(), shared=pl.col("key").is_duplicated())
    span = np.zeros((frame.height, 2), dtype=np.int64)
    seen: dict[str, tuple[int, int]] = {}
    grants = merged.grants.select(list(dict.fromkeys(made.meta.root_names())))  # gather only the columns ``made`` reads
    for start in range(0, frame.height, BATCH):
        part = frame.slice(start, BATCH)
        text = part[col]
        if grants.height:
            bulk = grants.gather(part["row"].fill_null(0)).select(made.alias("m"))["m"]
            text = part.with_columns(m=bulk).select(pl.coalesce(pl.col(col), pl.col("m")))[col]
        first = part["first"].to_numpy()
        sizes = np.where(first, text.str.len_bytes().to_numpy().astype(np.int64), 0)
        ends = offset + np.cumsum(sizes)
        span[start:start + part.height, 0], span[start:start + part.height, 1] = ends - sizes, ends
        for i in np.flatnonzero(part["shared"].to_numpy()).tolist():  # few: incidents with several recipients
            k = part["key"][i]
            if first[i]:
                seen[k] = (int(ends[i] - sizes[i]), int(ends[i]))
            else:
                span[start + i] = seen[k]
        offset = int(ends[-1]) if len(ends) else offset
        write_lines(pl.DataFrame({"e": text.filter(part["first"])}), fh, terminator="")
    return span, offset


def _column_schema(merged: Merged) -> dict[str, dict[str, Any]]:
    """``graph.build.flowindex.column_schema`` of every edge in the projection's order: the
    per-row edges' computed per edge, the bulk grants' (every key in every row, in
    ``_GRANT_KEYS`` order) from their columns."""
    frame = merged.frame
    at = np.empty(len(merged.order), dtype=np.int64)
    at[np.asarray(merged.order, dtype=np.int64)] = np.arange(len(merged.order), dtype=np.int64)
    place = frame.select(p=pl.Series(at), row=pl.col("row"), position=pl.col("position"))
    # per key: [first row, place], [first row with a value, place], {type: first row holding it}
    first: dict[str, tuple[int, int]] = {}
    valued: dict[str, tuple[int, int]] = {}
    types: dict[str, dict[str, int]] = {}

    def note(name: str, p: int, j: int, kind: str | None) -> None:
        if name not in first or (p, j) < first[name]:
            first[name] = (p, j)
        if kind is not None:
            if name not in valued or (p, j) < valued[name]:
                valued[name] = (p, j)
            seen = types.setdefault(name, {})
            seen[kind] = min(seen.get(kind, p), p)

    small = place.filter(pl.col("position").is_not_null())
    if small.height:
        listed = list(merged.G.edges(keys=True, data=True))
        for p, position in small.select("p", "position").iter_rows():
            for j, (name, value) in enumerate(listed[position][3].items()):
                note(name, p, j, None if value is None else
                     type(value).__name__ if isinstance(value, bool | int | float) else "str")
    bulk = place.filter(pl.col("row").is_not_null())
    if bulk.height:
        grants = merged.grants.select(sorted(set(_NULLABLE.values()))).gather(bulk["row"]).with_columns(p=bulk["p"])
        lowest = grants.select(
            p=pl.col("p").min(),
            **{f"v_{name}": pl.col("p").filter(pl.col(col).is_not_null()).min() for name, col in _NULLABLE.items()}).row(0, named=True)
        for j, name in enumerate(_GRANT_KEYS):
            p = lowest["p"]
            note(name, p, j, None)
            p_value = lowest[f"v_{name}"] if name in _NULLABLE else p
            if p_value is not None:
                note(name, p_value, j, "bool" if name in _BOOLEAN else "str")
    return {name: {"types": sorted(types.get(name, {}), key=types.get(name, {}).__getitem__),
                   "first": list(first[name]), "first_value": None if name not in valued else list(valued[name])}
            for name in sorted(first, key=first.__getitem__)}


def _nodes_only(G: nx.MultiDiGraph, order: list[str]) -> nx.MultiDiGraph:
    import networkx as nx

    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, G.nodes[n]) for n in order)
    return H


# ---------------------------------------------------------------- SHACL on the grants compiled by columns

class _Overlay:
    """A batch of bulk triples over the per-row index, as ``graph.build.shapecheck`` reads a
    data graph: the focus nodes (``subjects(rdf:type, C)``) are the batch's only; every other
    look-up goes to the batch for the batch's subjects (each bulk triple's subject is its grant
    or its claim, never a node of the per-row part) and to the per-row index otherwise, so a
    grant's parties, sources and terms are checked against what the other files state."""

    def __init__(self, base: Any, by_subject: dict[Any, list[tuple[Any, Any]]], typed: dict[Any, list[Any]]) -> None:
        self.base, self.by_subject, self.typed = base, by_subject, typed

    def objects(self, subject: Any = None, predicate: Any = None) -> Iterator[Any]:
        pairs = self.by_subject.get(subject) if subject is not None else None
        if pairs is not None:
            return iter([o for p, o in pairs if predicate is None or p == predicate])
        return iter(self.base.objects(subject, predicate))

    def subjects(self, predicate: Any = None, object: Any = None) -> Iterator[Any]:  # noqa: A002
        if predicate == RDF.type:
            return iter(list(self.typed.get(object, ())))
        return iter(self.base.subjects(predicate, object))

    def predicate_objects(self, subject: Any) -> Iterator[tuple[Any, Any]]:
        pairs = self.by_subject.get(subject)
        return iter(list(pairs)) if pairs is not None else iter(self.base.predicate_objects(subject))


def check_shapes(frame: pl.DataFrame, base: Any, route: str = "columns") -> tuple[int, int]:
    """Run the compiled SHACL shapes (``graph.build.shapecheck``) over every triple the
    grants compiled by columns add, a batch at a time, against the per-row part.

    Parameters
    ----------
    frame : polars.DataFrame
        Resolved grants (``Grants.frame`` after ``Grants.check``).
    base : TripleIndex
        The per-row part of the graph, the ontology included (what the loader checked).
    route : {"columns", "rows"}
        "columns" (the build's): the shapes as column checks over the batch's terms
        (``shapecheck.Columns``), a shape they cannot state the row way; "rows": every shape
        over the batch turned into rdflib terms (``_Overlay``), kept to compare verdicts.

    Returns
    -------
    tuple of int
        The triples checked (the lines ``write_ntriples`` writes) and the violations found
        (the per-row path reports them, each with its file and line).
    """
    found = violations(frame, base, route)
    return found[0], len(found[1])


def violations(frame: pl.DataFrame, base: Any, route: str = "columns") -> tuple[int, list[Any]]:
    """``check_shapes``'s triples checked and the violations themselves (``shapecheck.Violation``)."""
    return violations_of((bulk_triples(frame.slice(start, BATCH)) for start in range(0, frame.height, BATCH)), base, route)


def violations_of(batches: Iterable[pl.DataFrame], base: Any, route: str = "columns") -> tuple[int, list[Any]]:
    """The triples checked and the violations found in ``batches`` of new triples (each as
    ``bulk_triples`` gives them: the subjects of a batch are new nodes, and every new node a
    batch names is its own), against ``base``, by ``route`` (see ``check_shapes``)."""
    from graph.build import shapecheck

    shapes = shapecheck.ontology_shapes()
    columns = shapecheck.Columns(shapes, base) if route == "columns" else None
    checked, found = 0, []
    for triples in batches:
        checked += triples.height
        left: shapecheck.Shapes | None = shapes
        if columns is not None:
            mine, left = columns.validate(triples)
            found += mine
        if left is not None:
            found += left.validate(overlay(triples, base))
    return checked, sorted(set(found), key=lambda v: (str(v.focus), str(v.path), str(v.value), v.component, v.message))


def overlay(triples: pl.DataFrame, base: Any) -> _Overlay:
    """The batch's triples (``bulk_triples``) as rdflib terms grouped by subject, over ``base``."""
    from graph.build.shapecheck import rdf_terms

    codes = {}
    terms: dict[str, list[Any]] = {}
    triples = triples.unique(maintain_order=True)  # a graph: each triple once
    for name in ("s", "p", "o"):
        distinct = triples[name].unique(maintain_order=True)
        codes[name] = triples[name].replace_strict(distinct, pl.Series(np.arange(len(distinct))), return_dtype=pl.Int64).to_list()
        terms[name] = rdf_terms(distinct.to_list())
    by_subject: dict[Any, list[tuple[Any, Any]]] = {}
    typed: dict[Any, list[Any]] = {}
    rdf_type = URIRef(str(RDF.type))
    s_terms, p_terms, o_terms = terms["s"], terms["p"], terms["o"]
    for si, pi, oi in zip(codes["s"], codes["p"], codes["o"], strict=True):
        subject, p, o = s_terms[si], p_terms[pi], o_terms[oi]
        pairs = by_subject.get(subject)
        if pairs is None:
            pairs = by_subject[subject] = []
        pairs.append((p, o))
        if p == rdf_type:
            typed.setdefault(o, []).append(subject)
    return _Overlay(base, by_subject, typed)
