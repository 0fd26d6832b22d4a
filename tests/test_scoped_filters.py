"""reach's filters pushed into the scoped SPARQL (issue 16 item 3): the same answers as the
local build, fewer triples fetched, and the as-of rule replicated on partial dates."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, Graph, URIRef

from graph import dates
from graph.build.projection import project
from graph.dates import literal
from graph.errors import UsageError
from graph.questions.reach import reach
from graph.serve.state import Snapshot, load_snapshot
from graph.sparql.local import run_query
from graph.sparql.scoped import ReachFilters, ScopeReader, grant_filter, read_reach

FILTERED: list[tuple[str, dict[str, Any]]] = [
    ("phone number", {"integrations": ("device integration",)}),
    ("personal data", {"integrations": ("device integration", "data brokerage"), "as_of": "2015"}),
    ("personal data", {"on_by_default": True}),
    ("personal data", {"on_by_default": False}),
    ("friends list", {"whose_data": "users' friends"}),
    ("personal data", {"as_of": "2009"}),
    ("personal data", {"as_of": "2010-04"}),
    ("personal data", {"as_of": "2014-01-01"}),
    ("personal data", {"as_of": "2018-06-15"}),
    ("personal data", {"sources": ("techly-2018-12-20",)}),
    ("personal data", {"source_after": "2019"}),
    ("personal data", {"source_before": "2018-12-18"}),
    ("personal data", {"confidence": "confirmed"}),
    ("personal data", {"confidence": "reported", "read": "directly"}),
    ("personal data", {"read": "through quotes"}),
]


@pytest.fixture(scope="module")
def local(default_build: Path) -> Snapshot:
    snap = load_snapshot(default_build)
    assert snap is not None
    return snap


def _reader(g: Graph, data_type: str, filters: ReachFilters | None) -> ScopeReader:
    return read_reach(lambda text: run_query(g, text, max_rows=10**9), data_type, filters=filters)


def _fingerprint(reader: ScopeReader) -> tuple[int, int, int, int]:
    return len(reader.g), hash(frozenset(reader.g)), reader.counts.keys, reader.counts.triples


@pytest.fixture(scope="module")
def readers(local: Snapshot) -> Iterator[Callable[[str, dict[str, Any] | None], ScopeReader]]:
    """``readers(data_type, asked)``: the scoped reader of the build with those filters pushed (None:
    none), read once per module — a reader is some 16 rdflib queries, ~1 s each under load, and the
    unfiltered one is the baseline of most cases. Shared and only read: checked at the end."""
    made: dict[tuple[str, str], tuple[ScopeReader, tuple[int, int, int, int]]] = {}

    def _get(data_type: str, asked: dict[str, Any] | None) -> ScopeReader:
        key = (data_type, repr(None if asked is None else sorted(asked.items())))
        if key not in made:
            reader = _reader(local.g, data_type, None if asked is None else ReachFilters(**asked))
            made[key] = reader, _fingerprint(reader)
        return made[key][0]

    yield _get
    for key, (reader, printed) in made.items():
        assert _fingerprint(reader) == printed, f"a test changed the shared reader {key}"


@pytest.mark.parametrize(("data_type", "asked"), FILTERED, ids=[f"{t}-{'-'.join(a)}" for t, a in FILTERED])
def test_pushed_filters_answer_as_the_build(local: Snapshot, readers: Callable[[str, dict[str, Any] | None], ScopeReader], data_type: str,
                                            asked: dict[str, Any]) -> None:
    here = reach(project(local.g), data_type, limit=None, **asked)
    plain = readers(data_type, None)
    pushed = readers(data_type, asked)
    assert reach(project(pushed.g), data_type, limit=None, **asked).to_json() == here.to_json()
    assert pushed.counts.triples <= plain.counts.triples and pushed.counts.keys <= plain.counts.keys


def test_pushed_filters_fetch_less(readers: Callable[[str, dict[str, Any] | None], ScopeReader]) -> None:
    """Through the reader's counts: a filter that drops grants drops their triples from the fetch."""
    plain = readers("personal data", None)
    for asked in ({"integrations": ("device integration",)}, {"as_of": "2009"}, {"on_by_default": True},
                  {"source_after": "2019"}, {"confidence": "confirmed"}):
        pushed = readers("personal data", asked)
        assert pushed.counts.keys < plain.counts.keys and pushed.counts.triples < plain.counts.triples, asked
        assert len(pushed.g) < len(plain.g), asked


def test_unknown_filter_values_are_refused_before_fetching(local: Snapshot) -> None:
    with pytest.raises(UsageError, match="no source with id"):
        _reader(local.g, "phone number", ReachFilters(sources=("no-such-source",)))
    with pytest.raises(UsageError, match="whose data must be one of"):
        _reader(local.g, "phone number", ReachFilters(whose_data="everyone"))


PARTIAL = [None, "2017", "2018", "2019", "2018-01", "2018-05", "2018-06", "2018-07", "2018-12",
           "2018-05-31", "2018-06-01", "2018-06-15", "2018-06-30", "2018-07-01", "2017-12-31", "2019-01-01"]
DAYS = ["2018", "2018-06", "2018-06-15", "2018-06-30", "2018-07-01", "2019-01-01", "2017-12-31"]


def test_as_of_keeps_exactly_what_valid_at_keeps() -> None:
    """Every pair of a start and an end among the partial dates, on every day asked: the
    pushed filter keeps a grant iff ``dates.valid_at`` does not say False."""
    from graph.model.vocab import DR, ID

    g = Graph()
    stated: dict[URIRef, tuple[str | None, str | None]] = {}
    for i, (start, end) in enumerate(itertools.product(PARTIAL, PARTIAL)):
        grant = URIRef(f"{ID}grant/g{i}")
        g.add((grant, RDF.type, DR.AccessGrant))
        if start is not None:
            g.add((grant, DR.validFrom, literal(start)))
        if end is not None:
            g.add((grant, DR.statedEnd, literal(end)))
        stated[grant] = (start, end)
    run = ScopeReader(lambda text: run_query(g, text, max_rows=10**9), page=10_000)
    for asked in DAYS:
        day = dates.parse(asked)[0]
        kept = set(run.keys(f"?x a dr:AccessGrant . {grant_filter(g, ReachFilters(as_of=asked))}"))
        wanted = {grant for grant, (start, end) in stated.items()
                  if dates.valid_at(start, end, day, status="unknown") is not False}
        assert kept == wanted, asked
    assert dt.date(2018, 6, 1) == dates.parse("2018-06")[0]


def test_cli_pushes_the_filters(default_build: Path, tmp_path: Path) -> None:
    """``--store``: the answer to a filtered reach is the local build's."""
    from click.testing import CliRunner

    from graph.cli.main import main

    args = ["reach", "phone number", "--integration", "device integration", "--as-of", "2015", "--format", "json",
            "--limit", "0"]
    stored = CliRunner().invoke(main, ["-q", "--out", str(default_build), "--store", str(tmp_path / "store"), *args])
    here = CliRunner().invoke(main, ["-q", "--out", str(default_build), *args])
    assert stored.exit_code == 0 and here.exit_code == 0, stored.output
    assert json.loads(stored.stdout) == json.loads(here.stdout)


TABLES: list[dict[str, Any]] = [
    {"data_types": ("phone number",)},
    {"data_types": ("private message", "friends list")},
    {"on_by_default": True},
    {"whose_data": "users' friends"},
    {"sources": ("techly-2018-12-20",)},
    {"confidence": "confirmed", "read": "directly"},
]


@pytest.fixture(scope="module")
def plain_table(local: Snapshot) -> Iterator[ScopeReader]:
    """The partner table's reader with nothing pushed, read once (the baseline of every case); only read."""
    from graph.sparql.scoped import read_table

    reader = read_table(lambda text: run_query(local.g, text, max_rows=10**9))
    printed = _fingerprint(reader)
    yield reader
    assert _fingerprint(reader) == printed, "a test changed the shared table reader"


@pytest.mark.parametrize("asked", TABLES, ids=["-".join(a) for a in TABLES])
def test_table_pushes_its_filters(local: Snapshot, plain_table: ScopeReader, asked: dict[str, Any]) -> None:
    """The partner table's filters go into its query too; the rows (and their disputes) are the build's."""
    from graph.questions.table import partner_table
    from graph.sparql.scoped import read_table

    def run(text: str) -> Any:
        return run_query(local.g, text, max_rows=10**9)

    types = asked.get("data_types", ())
    pushed = ReachFilters(**{k: v for k, v in asked.items() if k != "data_types"})
    reader = read_table(run, data_types=types, filters=pushed)
    plain = plain_table
    assert partner_table(project(reader.g), **asked) == partner_table(project(local.g), **asked)
    assert reader.counts.triples < plain.counts.triples and len(reader.g) < len(plain.g)
