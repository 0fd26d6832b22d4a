"""Compile bulk CSV holding files by columns, as ``graph.build.columnar`` compiles grants:
N-Triples, JSON-LD, the flow index's holding columns (``graph.build.heldcols.Held``), each
holding's JSON in the evidence file and the SHACL shapes, with no Python object per row.

A crawl (``datareach import whotracksme``: a holdings CSV per month, ~70,000 rows each) is
all holdings, so this is the bulk of its build. The rules are the grants': a ``.csv`` of at
least ``columnar.MIN_BYTES`` whose header names a ``holder``, every row with an ``id``;
every column checked at once against the JSON Schema's rules; holders, data types,
integrations, sources and dates resolved once per distinct value by the per-row compiler's
code (``graph.build.emit.Compiler``). Anything not accepted sends the whole input back to
the per-row path (``graph.build.loader.Explain``), which names file, line and field.

A holding is a node's, not an edge's: the holder's ``holds`` list in the projection, sorted
by IRI. The per-row holdings (YAML) and these are merged in that order into the holding
columns (``held``), and a holder's attributes say its holdings are columns (``holds``: null),
as the all-per-row build writes them (``tests/test_holding_columnar.py`` compares the files).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import polars as pl
from rdflib import RDF, XSD, URIRef

from graph import dates
from graph.build import columnar
from graph.build.columnar import (
    BATCH,
    evidence_json,
    json_list,
    json_or_null,
    nt_iri,
    nt_literal,
    write_lines,
)
from graph.build.factfile import CLAIM_COLUMNS, schema
from graph.model.labels import POPULATIONS
from graph.model.vocab import DT, FAST, ID, IK, LABEL, POPULATION, WHOSE

if TYPE_CHECKING:
    import networkx as nx

    from graph.build.emit import Compiler
    from graph.build.heldcols import Held

_ID = str(ID)
_DATES = {"observed": FAST.observed, "valid_from": FAST.validFrom, "valid_until": FAST.validUntil}
_TEXT = ("site", "tracker", "observed", "valid_from", "valid_until", "share")  # in the projection's order (``projection._HOLDING_TEXT``)
_LISTS = ("data_types", "whose_data", "from")


@dataclass
class Holdings(columnar.BulkFiles):
    """The bulk CSV files of holdings."""

    KIND: ClassVar[str] = "holding"

    def resolve(self, frame: pl.DataFrame, compiler: Compiler) -> pl.DataFrame | None:
        return resolve(frame, compiler)


@dataclass
class Bulk:
    """The loader's hook (``graph.build.loader.Bulk``) for grants and holdings compiled by columns."""

    grants: columnar.Grants
    holdings: Holdings

    def takes(self, path: Path) -> bool:
        """Whether ``path`` is compiled by columns."""
        return self.grants.takes(path) or self.holdings.takes(path)

    def ids(self) -> set[URIRef]:
        """The ids of the records in those files."""
        return self.grants.ids() | self.holdings.ids()

    def check(self, compiler: Compiler) -> bool:
        """Resolve and check every record; False if one fails."""
        return self.grants.check(compiler) and self.holdings.check(compiler)


def bulk(files: Iterable[Path], max_input_mb: int | None = None, min_bytes: int | None = None) -> Bulk | None:
    """The bulk grant and holding CSVs among ``files`` (``columnar.select``), or None if there are none."""
    files = list(files)
    grants, holdings = columnar.select(files, min_bytes), columnar.select(files, min_bytes, kind="holding")
    if not grants and not holdings:
        return None
    return Bulk(columnar.Grants(grants, max_input_mb), Holdings(holdings, max_input_mb))


# ---------------------------------------------------------------- checking and resolving

def resolve(frame: pl.DataFrame, compiler: Compiler) -> pl.DataFrame | None:
    """The holdings with holders, terms and dates resolved into the columns the writers
    read; None if any row fails a rule of the schema or of the compiler."""
    holding = schema()["$defs"]["holding"]["properties"]
    claim = schema()["$defs"]["claim"]["properties"]
    need = ("holder", "data_types", "source", "locator")
    if any(c not in frame.columns for c in need):
        return None
    f = frame.with_columns(**{name: columnar.list_items(frame, name) for name in _LISTS},
                           **{f"raw_{name}": columnar.column_or_null(frame, name) for name in _LISTS})
    f = f.with_columns(**{name: columnar.column_or_null(frame, name) for name in (*holding, *CLAIM_COLUMNS)
                          if name not in _LISTS and name != "evidence"})
    rules = [pl.col(c).is_not_null() for c in need if c != "data_types"]
    rules += [pl.col("id").str.contains(columnar.SAFE_ID), pl.col("source").str.contains(columnar.SAFE_ID)]
    rules += columnar.field_rules(holding, claim, _LISTS)
    for name in _LISTS:
        items = holding[name]["items"]
        if holding[name].get("minItems"):  # a cell of separators only is an empty list, which the schema refuses
            rules.append(pl.col(f"raw_{name}").is_null() | (pl.col(name).list.len() > 0))
        if "enum" in items:
            rules.append(pl.col(name).list.eval(pl.element().is_in(items["enum"])).list.all())
        if "maxLength" in items:
            rules.append(pl.col(name).list.eval(pl.element().str.len_chars() <= items["maxLength"]).list.all())
    rules.append(pl.col("data_types").list.len() > 0)
    if not f.select(pl.all_horizontal(rules).all()).item():
        return None

    def distinct(expr: pl.Expr) -> list[Any]:
        return f.select(expr.unique()).to_series().to_list()

    def holder_of(name: str) -> str | None:
        node = compiler.party(name)
        return None if node is None else columnar.node_key_of(str(node))

    holders = columnar.resolve_each(distinct(pl.col("holder")), holder_of)
    types = columnar.resolve_each(distinct(pl.col("data_types").explode()), lambda t: compiler.term_slug(compiler.data_types, t))
    kinds = columnar.resolve_each(distinct(pl.col("integration")), lambda t: compiler.term_slug(compiler.integrations, t))
    sources = columnar.resolve_each(distinct(pl.col("source")), lambda s: s if s in compiler.sources else None)
    if holders is None or types is None or kinds is None or sources is None:
        return None
    for name in _DATES:
        ok = columnar.resolve_each(distinct(pl.col(name)), lambda d: d if d == dates.UNKNOWN or columnar.is_date(d) else None)
        if ok is None:
            return None
    unknown = pl.lit(None, dtype=pl.String)
    order = {p: i for i, p in enumerate(POPULATIONS)}
    return f.select(
        "id",
        holder=pl.col("holder").replace_strict(holders, return_dtype=pl.String),
        integ=pl.col("integration").replace_strict(kinds, default=None, return_dtype=pl.String),
        dts=pl.col("data_types").list.eval(pl.element().replace_strict(types)).list.unique().list.sort(),
        whose=pl.col("whose_data").list.eval(pl.element().replace_strict(
            {w: LABEL[t] for w, t in WHOSE.items()})).list.unique().list.sort(),
        frm=pl.col("from").list.unique().list.eval(pl.element().sort_by(
            pl.element().replace_strict(order, return_dtype=pl.Int32))),
        site="site", tracker="tracker", share="share", note="note",
        **{name: pl.when(pl.col(name) == dates.UNKNOWN).then(unknown).otherwise(pl.col(name)) for name in _DATES},
        source="source", locator="locator", stance=pl.col("stance").fill_null("asserts"),
        confidence=pl.col("confidence").fill_null("reported"), claimant="claimant",
    )


# ---------------------------------------------------------------- N-Triples and JSON-LD

def _node() -> pl.Expr:
    return pl.lit("<" + _ID + "holding/") + pl.col("id") + pl.lit(">")


def _claim() -> pl.Expr:
    return pl.lit("<" + _ID + "claim/holding-") + pl.col("id") + pl.lit("-1>")


def _holder_iri() -> pl.Expr:
    return pl.lit(_ID + "company/") + pl.col("holder")


def _single_triples(node: pl.Expr, claim: pl.Expr) -> list[tuple[pl.Expr, URIRef, pl.Expr]]:
    """The triples of a holding and its claim with at most one object (null when absent)."""
    return [
        (node, RDF.type, pl.lit(nt_iri(str(FAST.Collection)))),
        (node, FAST.holder, pl.lit("<") + _holder_iri() + pl.lit(">")),
        (node, FAST.integration, pl.lit("<" + str(IK)) + pl.col("integ") + pl.lit(">")),
        (node, FAST.site, nt_literal(pl.col("site"))),
        (node, FAST.tracker, nt_literal(pl.col("tracker"))),
        (node, FAST.share, pl.lit('"') + pl.col("share") + pl.lit('"^^' + nt_iri(str(XSD.decimal)))),
        *((node, pred, columnar.nt_date(name)) for name, pred in _DATES.items()),
        (node, FAST.note, nt_literal(pl.col("note"))),
        (node, FAST.evidence, claim),
        *columnar.claim_triples(claim),
    ]


def _listed_terms() -> list[tuple[URIRef, pl.Expr]]:
    """The list-valued triples of a holding: (predicate, its objects as a list of N-Triples terms)."""
    return [
        (FAST.dataType, pl.col("dts").list.eval(pl.lit(f"<{DT}") + pl.element() + pl.lit(">"))),
        (FAST.whoseData, pl.col("whose").list.eval(pl.element().replace_strict({LABEL[v]: nt_iri(str(v)) for v in WHOSE.values()}))),
        (FAST.collectedFrom, pl.col("frm").list.eval(pl.element().replace_strict({k: nt_iri(str(v)) for k, v in POPULATION.items()}))),
    ]


def write_ntriples(frame: pl.DataFrame, fh: Any) -> None:
    """Write every holding's triples as N-Triples, ``BATCH`` rows at a time (after the per-row part's)."""
    for start in range(0, frame.height, BATCH):
        for lines in _ntriples(frame.slice(start, BATCH)):
            write_lines(lines, fh)


def _ntriples(part: pl.DataFrame) -> Iterator[pl.DataFrame]:
    node, claim = _node(), _claim()
    single = [columnar.nt_line(s, p, o) for s, p, o in _single_triples(node, claim)]
    yield part.select(pl.concat_str(single, separator="\n", ignore_nulls=True).alias("t"))
    for p, objects in _listed_terms():
        items = objects.list.eval(pl.lit(f" {nt_iri(str(p))} ") + pl.element() + pl.lit(" ."))
        yield part.select(s=node, t=items).explode("t").drop_nulls("t").select((pl.col("s") + pl.col("t")).alias("t"))


def bulk_triples(part: pl.DataFrame) -> pl.DataFrame:
    """The triples ``write_ntriples`` writes for ``part``, as N-Triples terms ``s``, ``p``, ``o``."""
    terms = part.with_columns(_s=_node(), _c=_claim())
    node, claim = pl.col("_s"), pl.col("_c")
    frames = [terms.select(s=s, p=pl.lit(nt_iri(str(p))), o=o).drop_nulls("o") for s, p, o in _single_triples(node, claim)]
    frames += [terms.select(s=node, p=pl.lit(nt_iri(str(p))), o=objects).explode("o").drop_nulls("o")
               for p, objects in _listed_terms()]
    return pl.concat(frames)


def triple_count(frame: pl.DataFrame) -> int:
    """How many triples ``write_ntriples`` writes (each holding and claim is its own)."""
    fixed = 3 + 5  # type, holder, evidence; the claim's type, source, locator, stance, confidence
    optional = ["integ", "site", "tracker", "share", "note", "claimant", *_DATES]
    return int(frame.select(
        (pl.lit(fixed) + pl.col("dts").list.len() + pl.col("whose").list.len() + pl.col("frm").list.len()
         + pl.sum_horizontal(pl.col(c).is_not_null().cast(pl.Int64) for c in optional)).sum()).item())


def check_shapes(frame: pl.DataFrame, base: Any) -> tuple[int, int]:
    """The compiled SHACL shapes over every triple the holdings add, a batch at a time,
    against the per-row part (``columnar.violations_of``): triples checked, violations found."""
    checked, found = columnar.violations_of((bulk_triples(frame.slice(start, BATCH))
                                             for start in range(0, frame.height, BATCH)), base)
    return checked, len(found)


def write_jsonld(frame: pl.DataFrame, fh: Any) -> None:
    """Write every holding and its claim as JSON-LD node objects, each after a comma (see
    ``columnar.write_jsonld``)."""
    from graph.build.columnar import jsonld_date, jsonld_id, jsonld_key, jsonld_value

    node = pl.lit(_ID + "holding/") + pl.col("id")
    claim = pl.lit(_ID + "claim/holding-") + pl.col("id") + pl.lit("-1")

    def ids(col: str, mapping: dict[str, str]) -> pl.Expr:
        return pl.col(col).list.eval(pl.element().replace_strict({k: f'{{"@id":"{v}"}}' for k, v in mapping.items()})).list.join(",")

    holding = pl.concat_str([
        pl.lit(',{"@id":"') + node + pl.lit('"'), jsonld_key(RDF.type, pl.lit(f'{{"@id":"{FAST.Collection}"}}')),
        jsonld_key(FAST.holder, jsonld_id(_holder_iri())),
        jsonld_key(FAST.integration, jsonld_id(pl.lit(str(IK)) + pl.col("integ"))),
        jsonld_key(FAST.dataType, pl.col("dts").list.eval(pl.lit('{"@id":"' + str(DT)) + pl.element() + pl.lit('"}')).list.join(",")),
        pl.when(pl.col("whose").list.len() > 0).then(jsonld_key(FAST.whoseData, ids("whose", {LABEL[v]: str(v) for v in WHOSE.values()}))),
        pl.when(pl.col("frm").list.len() > 0).then(jsonld_key(FAST.collectedFrom, ids("frm", {k: str(v) for k, v in POPULATION.items()}))),
        jsonld_key(FAST.site, jsonld_value(pl.col("site"))),
        jsonld_key(FAST.tracker, jsonld_value(pl.col("tracker"))),
        jsonld_key(FAST.share, pl.lit(f'{{"@type":"{XSD.decimal}","@value":"') + pl.col("share") + pl.lit('"}')),
        *(jsonld_key(pred, jsonld_date(name)) for name, pred in _DATES.items()),
        jsonld_key(FAST.note, jsonld_value(pl.col("note"))),
        jsonld_key(FAST.evidence, jsonld_id(claim)), pl.lit("}"),
        *columnar.jsonld_claim(claim),
    ], separator="", ignore_nulls=True)
    for start in range(0, frame.height, BATCH):
        write_lines(frame.slice(start, BATCH).select(holding.alias("t")), fh)


# ---------------------------------------------------------------- the holding columns and their JSON

def _holding_json() -> pl.Expr:
    """A holding as the projection holds it, as ``json.dumps`` writes it (``graph.build.projection.project``)."""
    out = (pl.lit('{"kind": "holding", "id": "') + pl.col("id") + pl.lit('", "iri": "') + pl.lit(_ID + "holding/")
           + pl.col("id") + pl.lit('", "data_types": ') + json_list(pl.col("dts"))
           + pl.lit(', "integration": ') + json_or_null(pl.col("integ")) + pl.lit(', "note": ') + json_or_null(pl.col("note"))
           + pl.lit(', "evidence": ') + evidence_json()
           + pl.lit(', "disputed": ') + pl.when(pl.col("stance") == "disputes").then(pl.lit("true")).otherwise(pl.lit("false"))
           + pl.lit(', "whose_data": ') + json_list(pl.col("whose")) + pl.lit(', "from": ') + json_list(pl.col("frm")))
    texts = [pl.when(pl.col(name).is_not_null()).then(pl.lit(f', "{name}": ') + nt_literal(pl.col(name))) for name in _TEXT]
    return pl.concat_str([out, *texts, pl.lit("}")], separator="", ignore_nulls=True)


def _keys() -> dict[str, pl.Expr]:
    """The holding's values ``Held`` codes (types, dates, facets, sites, trackers), each as JSON text."""
    asserted = pl.when(pl.col("stance") == "asserts").then(
        pl.lit('[["') + pl.col("source") + pl.lit('", "') + pl.col("confidence") + pl.lit('"]]')).otherwise(pl.lit("[]"))
    return {
        "types": json_list(pl.col("dts")),
        "dates": pl.lit("[") + pl.concat_str([json_or_null(pl.col(d)) for d in ("observed", "valid_from", "valid_until")],
                                             separator=", ") + pl.lit("]"),
        "facets": pl.lit("[") + json_or_null(pl.col("integ")) + pl.lit(", ") + json_list(pl.col("frm")) + pl.lit(", ")
        + asserted + pl.lit("]"),
        "sites": json_or_null(pl.col("site")),
        "trackers": json_or_null(pl.col("tracker")),
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _graph_holdings(G: nx.MultiDiGraph, number: dict[str, int]) -> pl.DataFrame:
    """The per-row graph's holdings in the columns ``held`` sorts and codes (few: per holding)."""
    from graph.build.heldcols import DATES, holding_facets

    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    rows = []
    for n, holds in G.nodes(data="holds"):
        for h in holds or []:
            integ, frm, cited = holding_facets(h)
            rows.append({"num": number[n], "iri": h["iri"], "types": _dumps(list(h.get("data_types", []))),
                         "dates": _dumps([h.get(k) for k in DATES]),
                         "facets": _dumps([integ, list(frm), [list(c) for c in cited]]),
                         "sites": _dumps(h.get("site")), "trackers": _dumps(h.get("tracker")), "json": encode(h), "row": None})
    schema_ = {"num": pl.Int64, "iri": pl.String, "types": pl.String, "dates": pl.String, "facets": pl.String,
               "sites": pl.String, "trackers": pl.String, "json": pl.String, "row": pl.Int64}
    return pl.DataFrame(rows, schema=schema_)


def held(G: nx.MultiDiGraph, frame: pl.DataFrame, nodes: list[str]) -> tuple[pl.DataFrame, set[str]]:
    """Every holding, per-row and by columns, in the order of the holding columns: by holder
    node number, then IRI (the projection's order); ``json`` null for a bulk row (made when
    written: ``write_held``), ``row`` its place in ``frame``. And the holders of bulk holdings."""
    number = {n: i for i, n in enumerate(nodes)}
    keys = _keys()
    bulk = frame.select(num=pl.col("holder").replace_strict(number, return_dtype=pl.Int64),
                        iri=pl.lit(_ID + "holding/") + pl.col("id"), **keys,
                        json=pl.lit(None, dtype=pl.String), row=pl.int_range(pl.len(), dtype=pl.Int64))
    every = pl.concat([bulk, _graph_holdings(G, number)], how="vertical").sort(["num", "iri"])
    return every, set(frame["holder"].unique().to_list())


def write_held(every: pl.DataFrame, frame: pl.DataFrame, fh: Any, offset: int) -> tuple[Held, int]:
    """Write each holding's JSON from ``offset`` in the order of ``every`` (``held``); return
    the holding columns (``Held``, its span set) and the offset after the last byte."""
    from graph.build.heldcols import CODED, Held

    codes, tables = {}, {}
    for name in CODED:
        distinct = every[name].unique(maintain_order=True)
        codes[name] = every[name].replace_strict(distinct, pl.Series(np.arange(len(distinct), dtype=np.int32)),
                                                 return_dtype=pl.Int32).to_numpy()
        tables[name] = [json.loads(k) for k in distinct.to_list()]
    span = np.zeros((every.height, 2), dtype=np.int64)
    made = _holding_json()
    source = frame.select(list(dict.fromkeys(made.meta.root_names())))
    for start in range(0, every.height, BATCH):
        part = every.slice(start, BATCH)
        text = part["json"]
        if source.height:
            bulk = source.gather(part["row"].fill_null(0)).select(made.alias("m"))["m"]
            text = part.select(pl.coalesce(pl.col("json"), bulk))["json"]
        sizes = text.str.len_bytes().to_numpy().astype(np.int64)
        ends = offset + np.cumsum(sizes)
        span[start:start + part.height, 0], span[start:start + part.height, 1] = ends - sizes, ends
        offset = int(ends[-1]) if len(ends) else offset
        write_lines(pl.DataFrame({"e": text}), fh, terminator="")
    return Held(every["num"].to_numpy().astype(np.int32), codes, tables, span=span), offset
