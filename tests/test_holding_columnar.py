"""Bulk holdings CSVs compiled by columns (graph.build.heldcolumnar) write what the per-row build writes.

As tests/test_columnar.py does for grants: the same inputs built with the bulk CSVs compiled
by columns and all per row, compared file by file (N-Triples as sets of lines, Turtle and
JSON-LD as parsed triples, the flow index array by array with its metadata, the evidence and
attributes files byte for byte, the store's size, the counts), on synthetic holdings beside the
bundled dataset's YAML holdings and on two months of the real WhoTracks.me package. A row the
column checks refuse is explained per row: file, line and field.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_columnar import HEADER as GRANT_HEADER
from test_columnar import ROWS as GRANT_ROWS
from test_columnar import _answers, _assert_same, _build, _sources

from graph.build import columnar, compiled, heldcolumnar
from graph.build.folder import current
from graph.errors import InputError

HEADER = ("id,holder,data_types,from,whose_data,integration,site,observed,valid_from,valid_until,share,note,"
          "source,locator,stance,confidence,claimant\n")
# Among the bundled dataset's companies: Facebook holds YAML holdings too (these sort among
# them by id); Microsoft and Spotify hold only these. Quotes, backslashes, non-ASCII text,
# repeated list items, a disputing claim, dates left unknown, no integration.
ROWS = [
    'facebook-holds-m-bulk,Facebook,name;posts;name,its users;devices;its users,users;minors,tracking,example.com,2018-01,'
    '2017,unknown,0.825713833838218,"a ""quoted"" \\ back\\slash, é 中",techly-2018-12-20,"row 2 (""x"")",asserts,confirmed,Someone',
    "ms-1,Microsoft,email address,,,,,unknown,,,1,,nyt-2018-12-18-privacy-wall,p. 3,disputes,alleged,",
    "ms-2,Microsoft,pages visited;cookie identifier,users of sites that embed it,,tracking,sub.example.org,2018-02,,,"
    "0.00001,,techly-2018-12-20,row 4,,,",
    "  aa-spotify , Spotify ,private message,the public web;devices,non-users,search integration,,2019-05-01,,2020,0.5,"
    "note,techly-2018-12-20,row 5,,,",
    ",,,,,,,,,,,,,,,,",
]


def _both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, src: Path) -> None:
    rows = _build(src, tmp_path / "rows", False, monkeypatch)
    cols = _build(src, tmp_path / "cols", True, monkeypatch)
    _assert_same(rows, cols)


def test_bundled_dataset_with_a_bulk_holdings_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _sources(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    said: list[str] = []
    monkeypatch.setattr(columnar, "MIN_BYTES", 0)
    build = compiled.build(src, tmp_path / "probe", progress=said.append)
    assert "4 holdings compiled by columns" in build.shacl and not any("per row, to say where" in s for s in said)
    _both(tmp_path, monkeypatch, src)
    for question in (["reach", "name", "--format", "json", "--limit", "0"], ["table", "--format", "json"],
                     ["company", "Microsoft", "--format", "json"], ["company", "Facebook", "--format", "json"]):
        assert _answers(src, tmp_path / "rows", *question) == _answers(src, tmp_path / "cols", *question)


def test_bulk_grants_and_holdings_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _sources(tmp_path, GRANT_HEADER + "\n".join(GRANT_ROWS) + "\n")
    (src / "held.csv").write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    _both(tmp_path, monkeypatch, src)


def test_two_months_of_whotracksme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real crawl's shape: a YAML file of companies and domains, a holdings CSV per month."""
    from graph.importers.whotracksme import import_package

    fixture = Path(__file__).parent / "fixtures" / "whotracksme"
    import_package(fixture, tmp_path / "src", months=["2017-12", "2018-01"], limit=400)
    _both(tmp_path, monkeypatch, tmp_path / "src")


@pytest.mark.parametrize("bad_row, field", [
    ("b-9,Nobody Inc,name,,,,,,,,,,techly-2018-12-20,r,,,", "holder"),
    ("b-9,Microsoft,no such type,,,,,,,,,,techly-2018-12-20,r,,,", "data_types"),
    ("b-9,Microsoft,name,;,,,,,,,,,techly-2018-12-20,r,,,", "from"),
    ("b-9,Microsoft,name,its users;elsewhere,,,,,,,,,techly-2018-12-20,r,,,", "from"),
    ("b-9,Microsoft,name,,aliens,,,,,,,,techly-2018-12-20,r,,,", "whose_data"),
    ("b-9,Microsoft,name,,,no such kind,,,,,,,techly-2018-12-20,r,,,", "integration"),
    ("b-9,Microsoft,name,,,,Not A Host,,,,,,techly-2018-12-20,r,,,", "site"),
    ("b-9,Microsoft,name,,,,a" + "b" * 250 + ".com,,,,,,techly-2018-12-20,r,,,", "site"),
    ("b-9,Microsoft,name,,,,,2018-13,,,,,techly-2018-12-20,r,,,", "observed"),
    ("b-9,Microsoft,name,,,,,,,2019-02-29,,,techly-2018-12-20,r,,,", "valid_until"),
    ("b-9,Microsoft,name,,,,,,,,1.5,,techly-2018-12-20,r,,,", "share"),
    ("b-9,Microsoft,name,,,,,,,,,,no-such-source,r,,,", "source"),
    ("b-9,Microsoft,name,,,,,,,,,,techly-2018-12-20,,,,", "evidence"),
    ("b-9,Microsoft,name,,,,,,,,,,techly-2018-12-20,r,maybe,,", "stance"),
    ("ms-1,Microsoft,name,,,,,,,,,,techly-2018-12-20,r,,,", "id"),
    ("facebook-holds-private-messages,Microsoft,name,,,,,,,,,,techly-2018-12-20,r,,,",
     "duplicate holding id 'facebook-holds-private-messages'"),  # named where the YAML holding is
])
def test_a_failing_row_is_explained_per_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_row: str, field: str) -> None:
    """A row the column checks refuse gets the per-row path's problems: file, line and field."""
    src = _sources(tmp_path, HEADER + ROWS[1] + "\n" + bad_row + "\n")
    (src / "bulk.csv").rename(src / "held.csv")
    problems = []
    for by_columns in (False, True):
        monkeypatch.setattr(columnar, "MIN_BYTES", 0 if by_columns else 1 << 62)
        said: list[str] = []
        with pytest.raises(InputError) as refused:
            compiled.build(src, tmp_path / "out", progress=said.append)
        problems.append([str(p) for p in refused.value.problems])
        assert any("reading every file per row" in s for s in said) == by_columns
    assert problems[0] == problems[1]
    assert any(("held.csv:3:" in p and field in p) or (field.startswith("duplicate") and field in p)
               for p in problems[1]), problems[1]
    assert current(tmp_path / "out") is None



TRACKED = "id,holder,data_types,site,tracker,observed,source,locator\n"


@pytest.mark.parametrize("tracker, refused", [("google_analytics", False), ("t" * 200, False), ("t" * 201, True)])
def test_a_holding_names_its_tracker_by_columns_as_per_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           tracker: str, refused: bool) -> None:
    """``tracker`` (dr:tracker) and an IPv4 site go through both paths alike; a tracker longer than the schema allows, the
    per-row path names the file, line and field."""
    rows = [f"t-1,Microsoft,pages visited,a.example,{tracker},2018-01,techly-2018-12-20,row 1",
            "t-2,Microsoft,pages visited,192.168.1.1,,2018-01,techly-2018-12-20,row 2"]  # a router page a crawl saw
    src = _sources(tmp_path, TRACKED + "\n".join(rows) + "\n")
    (src / "bulk.csv").rename(src / "held.csv")
    if not refused:
        _both(tmp_path, monkeypatch, src)
        nt = "".join(f.read_text(encoding="utf-8") for f in (tmp_path / "cols").rglob("graph.nt"))
        stated = [line for line in nt.splitlines() if " <https://w3id.org/datareach/ns#tracker> " in line
                  and line.startswith("<https://w3id.org/datareach/id/holding/")]
        assert stated == [f'<https://w3id.org/datareach/id/holding/t-1> <https://w3id.org/datareach/ns#tracker> "{tracker}" .']
        return
    monkeypatch.setattr(columnar, "MIN_BYTES", 0)
    with pytest.raises(InputError) as caught:
        compiled.build(src, tmp_path / "out")
    assert any("held.csv:2:" in str(problem) and "tracker" in str(problem) for problem in caught.value.problems)

def test_files_taken_by_columns(tmp_path: Path) -> None:
    held, grants, small = tmp_path / "h.csv", tmp_path / "g.csv", tmp_path / "s.csv"
    held.write_text(HEADER + "x" * 1000)
    grants.write_text(GRANT_HEADER + "x" * 1000)
    small.write_text(HEADER)
    files = [held, grants, small]
    assert columnar.select(files, min_bytes=500, kind="holding") == [held]
    assert columnar.select(files, min_bytes=500) == [grants]
    found = heldcolumnar.bulk(files, min_bytes=500)
    assert found is not None and found.takes(held) and found.takes(grants) and not found.takes(small)
    assert heldcolumnar.bulk(files) is None  # far under MIN_BYTES


def test_shacl_sees_the_holdings_compiled_by_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled shapes run over every triple the bulk holdings add: a claim citing no
    source, a holding with an unknown integration or holder are violations."""
    import polars as pl

    from graph.build.loader import load

    src = _sources(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    found = heldcolumnar.bulk(sorted(src.rglob("*.csv")), min_bytes=0)
    assert found is not None
    loaded = load([src], bulk=found)
    frame = found.holdings.frame
    assert frame is not None and frame.height == 4
    assert heldcolumnar.check_shapes(frame, loaded.index) == (heldcolumnar.triple_count(frame), 0)
    for column, value in (("source", "no-such-source"), ("integ", "no-such-integration"), ("holder", "nobody")):
        bad = frame.with_columns(pl.when(pl.col("id") == "ms-2").then(pl.lit(value)).otherwise(pl.col(column)).alias(column))
        assert heldcolumnar.check_shapes(bad, loaded.index)[1] >= 1, column
