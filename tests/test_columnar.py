"""The columnar build (graph.build.columnar) writes what the per-row build writes.

Each test builds the same inputs twice, once with the bulk CSV compiled by columns and once
with everything per row, and compares: the N-Triples as sets of lines, graph.ttl and
graph.jsonld as parsed triples, the flow index array by array (and its metadata), the
evidence and attributes files byte for byte, the Oxigraph store's triples, and the answers
of reach and table.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from graph.build import columnar, compiled, oxstore
from graph.build.folder import Build, current
from graph.errors import InputError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from gen import generate  # noqa: E402

HEADER = ("id,grantor,grantee,integration,data_types,permissions,whose_data,on_by_default,overrode_privacy_setting,"
          "valid_from,stated_end,last_observed_active,status,activation,note,source,locator,stance,confidence,claimant\n")
# Grants among the bundled dataset's companies: quotes, backslashes and non-ASCII text, a
# grant to "public", a disputing claim, repeated list items, and a grant in conflict with
# the YAML grant facebook-microsoft-bing-friends (other source, other permissions).
ROWS = [
    'bulk-1,Facebook,Microsoft,search integration,friends list,read;write,users\' friends,yes,no,2010,2012-05,2017-03-04,'
    'active,"clicked ""allow""","a \\ back\\slash, é ü 中",techly-2018-12-20,"¶2 (""quoted"")",asserts,confirmed,Someone',
    "bulk-2,Facebook,public,device integration,name; email address ;name,,,,unknown,unknown,,,,,,"
    "nyt-2018-12-18-privacy-wall,p. 3,disputes,alleged,",
    "bulk-3,Microsoft,Facebook,search integration,posts,read;read,users;minors,no,yes,2019,,,shut down,,,"
    "techly-2018-12-20,row 4,,,",
    "  bulk-4 , Spotify ,Facebook,messaging integration,private message,read;write;delete,,unknown,,2012-05-01,2014,,,,,"
    "techly-2018-12-20,row 5,,,",
    ",,,,,,,,,,,,,,,,,,,",
]


def _sources(tmp: Path, csv_text: str) -> Path:
    src = tmp / "sources"
    shutil.copytree(REPO / "sources", src, ignore=shutil.ignore_patterns("imported", "README.md"))
    (src / "bulk.csv").write_text(csv_text, encoding="utf-8")
    return src


def _build(src: Path, out: Path, by_columns: bool, monkeypatch: pytest.MonkeyPatch) -> Build:
    monkeypatch.setattr(columnar, "MIN_BYTES", 0 if by_columns else 1 << 62)
    compiled.build(src, out)
    found = current(out)
    assert found is not None
    return found


def _triples(path: Path, fmt: ox.RdfFormat) -> set[str]:
    """The triples of ``path`` as text; blank nodes (only in the ontology) named by their triple count."""
    out, blank = set(), 0
    for t in ox.parse(path=str(path), format=fmt):
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            blank += 1
        else:
            out.add(str(t))
    return out | {f"blank nodes in {blank} triples"}


def _assert_same(rows: Build, cols: Build) -> None:
    a, b = (rows.folder / "graph.nt").read_bytes().splitlines(), (cols.folder / "graph.nt").read_bytes().splitlines()
    assert len(b) == len(set(b)), "a triple written twice"
    assert set(a) == set(b)
    expected = _triples(rows.folder / "graph.nt", ox.RdfFormat.N_TRIPLES)
    assert _triples(cols.folder / "graph.ttl", ox.RdfFormat.TURTLE) == expected
    assert _triples(cols.folder / "graph.jsonld", ox.RdfFormat.JSON_LD) == expected
    assert not (cols.folder / "projection.json").exists()
    with np.load(rows.folder / "flows.npz") as fa, np.load(cols.folder / "flows.npz") as fb:
        assert sorted(fa.files) == sorted(fb.files)
        for name in fa.files:
            if name == "meta":
                ma, mb = json.loads(fa[name].tobytes()), json.loads(fb[name].tobytes())
                assert ma.pop("token") == rows.token and mb.pop("token") == cols.token
                assert ma == mb
            else:
                assert np.array_equal(fa[name], fb[name]), name
    ea, eb = (rows.folder / "evidence.json").read_bytes(), (cols.folder / "evidence.json").read_bytes()
    assert ea.removesuffix(rows.token.encode()) == eb.removesuffix(cols.token.encode())
    aa, ab = (rows.folder / "attributes.json").read_bytes(), (cols.folder / "attributes.json").read_bytes()
    assert aa.endswith(rows.token.encode()) and ab.endswith(cols.token.encode())
    assert aa.removesuffix(rows.token.encode()) == ab.removesuffix(cols.token.encode())
    for found in (rows, cols):  # the store sparql answers from: every triple of graph.nt, marked with the build's token
        store = found.folder / oxstore.STORE
        assert oxstore.read_mark(store)["token"] == found.token
        assert len(ox.Store.read_only(str(store))) == len(b)
    assert rows.manifest["counts"] == cols.manifest["counts"]


def _answers(src: Path, out: Path, *args: str) -> str:
    from graph.cli.main import main

    result = CliRunner().invoke(main, ["--out", str(out), "-q", "-s", str(src), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_default_dataset_with_a_bulk_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _sources(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    old = time.time() - 60  # files written just now have no trusted stats (inputs.RACY_SECONDS): both builds must record them
    for path in src.rglob("*"):
        os.utime(path, (old, old))
    rows = _build(src, tmp_path / "rows", False, monkeypatch)
    cols = _build(src, tmp_path / "cols", True, monkeypatch)
    _assert_same(rows, cols)
    assert rows.manifest["stats"] is not None
    flows = json.loads(np.load(cols.folder / "flows.npz")["meta"].tobytes())
    assert "bulk-1" in flows["graph"]["conflicts"]  # the conflict with a YAML grant is found
    assert rows.manifest["counts"]["grants"] == cols.manifest["counts"]["grants"]
    assert cols.manifest["stats"] == rows.manifest["stats"]  # the bulk CSV is among the inputs the cheap check compares
    assert compiled.is_fresh(src, tmp_path / "cols") and compiled.ensure_built(src, tmp_path / "cols") is None
    for question in (["reach", "friends list", "--format", "json"], ["reach", "name", "--format", "json", "--limit", "0"],
                     ["table", "--format", "json"], ["table", "--format", "csv"]):
        assert _answers(src, tmp_path / "rows", *question) == _answers(src, tmp_path / "cols", *question)


@pytest.mark.parametrize("beside", [False, True])
def test_generated_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, beside: bool) -> None:
    """The same build whether the store loads after the rest or beside it (from
    ``oxstore.BESIDE_BYTES`` of N-Triples on, as at L)."""
    if beside:
        monkeypatch.setattr(oxstore, "BESIDE_BYTES", 0)
    generate("XS", tmp_path / "gen")
    rows = _build(tmp_path / "gen", tmp_path / "rows", False, monkeypatch)
    cols = _build(tmp_path / "gen", tmp_path / "cols", True, monkeypatch)
    _assert_same(rows, cols)
    assert cols.manifest["counts"]["grants"] == 1000
    question = ["reach", "phone number", "--format", "json", "--limit", "0"]
    assert _answers(tmp_path / "gen", tmp_path / "rows", *question) == _answers(tmp_path / "gen", tmp_path / "cols", *question)


@pytest.mark.parametrize("bad_row, field", [
    ("bulk-9,Facebook,Nobody Inc,search integration,posts,read,,,,,,,,,,techly-2018-12-20,row 3,,,", "grantee"),
    ("bulk-9,Facebook,Microsoft,search integration,no such type,read,,,,,,,,,,techly-2018-12-20,row 3,,,", "data_types"),
    ("bulk-9,Facebook,Microsoft,search integration,posts,read,,,,2019-13,,,,,,techly-2018-12-20,row 3,,,", "valid_from"),
    ("bulk-9,Facebook,Microsoft,search integration,posts,read,,,,,,,maybe,,,techly-2018-12-20,row 3,,,", "status"),
    ("bulk-9,Facebook,Microsoft,search integration,posts,read,,,,,,,,,,no-such-source,row 3,,,", "source"),
    ("bulk-1,Facebook,Microsoft,search integration,posts,read,,,,,,,,,,techly-2018-12-20,row 3,,,", "id"),
    ("bulk-9,Facebook,Microsoft,search integration,posts,execute,,,,,,,,,,techly-2018-12-20,row 3,,,", "permissions"),
    ("bulk-9,Facebook," + "M" * 501 + ",search integration,posts,read,,,,,,,,,,techly-2018-12-20,row 3,,,", "grantee"),
    ("bulk-9,Facebook,Microsoft,search integration,posts,read,,,,,,,,,,techly-2018-12-20,,,,", "evidence"),
    ("Bulk-9,Facebook,Microsoft,search integration,posts,read,,,,,,,,,,techly-2018-12-20,row 3,,,", "id"),
    ("facebook-microsoft-bing-friends,Facebook,Microsoft,search integration,posts,read,,,,,,,,,,techly-2018-12-20,row 3,,,",
     "duplicate grant id 'facebook-microsoft-bing-friends'"),  # named where the YAML grant is
])
def test_a_failing_row_is_explained_per_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_row: str, field: str) -> None:
    """A row the column checks refuse gets the per-row path's problems: file, line and field."""
    src = _sources(tmp_path, HEADER + ROWS[0] + "\n" + bad_row + "\n")
    problems = []
    for by_columns in (False, True):
        monkeypatch.setattr(columnar, "MIN_BYTES", 0 if by_columns else 1 << 62)
        with pytest.raises(InputError) as refused:
            compiled.build(src, tmp_path / "out")
        problems.append([str(p) for p in refused.value.problems])
    assert problems[0] == problems[1]
    assert any(("bulk.csv:3:" in p and field in p) or (field.startswith("duplicate") and field in p)
               for p in problems[1]), problems[1]
    assert current(tmp_path / "out") is None


def test_files_taken_by_columns(tmp_path: Path) -> None:
    small, big, yaml = tmp_path / "a.csv", tmp_path / "b.CSV", tmp_path / "c.yaml"
    small.write_text(HEADER)
    big.write_text(HEADER + "x" * 100)
    yaml.write_text("x" * 200)
    assert columnar.select([small, big, yaml], min_bytes=len(HEADER) + 50) == [big]
    assert columnar.select([small, big, yaml]) == []  # far under MIN_BYTES


@pytest.mark.parametrize("text", [
    HEADER + ROWS[0] + "\n" + 'bulk-5,Facebook,Microsoft,search integration,posts,read,,,,,,,,,,techly-2018-12-20,"row\n5",,,\n',
    HEADER + ROWS[0] + "\n" + 'bulk-5,Facebook,Microsoft,search integration,posts,read,,,,,,,,,,techly-2018-12-20,a"b,,,\n',
    HEADER + ROWS[0] + "\n" + ",Facebook,Microsoft,search integration,posts,read,,,,,,,,,,techly-2018-12-20,r,,,\n",
    "\ufeff" + HEADER.replace("claimant", "claimant,extra") + ROWS[0] + ",x\n",
])
def test_what_columns_leave_to_the_per_row_reader(tmp_path: Path, text: str) -> None:
    """A line break inside a cell, quoting the strict reader refuses, a row without an id,
    an unknown column: read per row (None), never guessed at."""
    path = tmp_path / "g.csv"
    path.write_text(text, encoding="utf-8")
    assert columnar.read_csv(path) is None


def test_read_csv_matches_the_per_row_reader(tmp_path: Path) -> None:
    from graph.build import factfile

    path = tmp_path / "g.csv"
    path.write_text("\ufeff" + HEADER + "\r\n".join(ROWS) + "\r\n", encoding="utf-8")
    frame = columnar.read_csv(path)
    assert frame is not None
    ff, problems = factfile.read(path)
    assert ff is not None
    grants = ff.data["grants"]
    assert frame.height == len(grants) == 4
    assert frame["id"].to_list() == [g["id"] for g in grants]
    assert frame["grantor"].to_list() == [g["grantor"] for g in grants]
    assert frame["locator"].to_list() == [g["evidence"][0]["locator"] for g in grants]


def test_shacl_sees_the_grants_compiled_by_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled shapes run over every triple the bulk grants add, against the per-row part:
    a claim citing no source, a grant with an unknown integration are violations."""
    import polars as pl

    from graph.build.loader import load

    src = _sources(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    monkeypatch.setattr(columnar, "MIN_BYTES", 0)
    grants = columnar.Grants(columnar.select(sorted(src.rglob("*.csv"))))
    loaded = load([src], bulk=grants)
    frame = grants.frame
    assert frame is not None and frame.height == 4
    assert columnar.check_shapes(frame, loaded.index) == (columnar.triple_count(frame), 0)
    for column, value in (("source", "no-such-source"), ("integ", "no-such-integration"), ("locator", None)):
        bad = frame.with_columns(pl.when(pl.col("id") == "bulk-3").then(pl.lit(value)).otherwise(pl.col(column)).alias(column))
        checked, violations = columnar.check_shapes(bad, loaded.index)
        assert violations >= 1, column
    build = compiled.build(src, tmp_path / "out")
    assert build.shacl.startswith("every triple (") and f"the {columnar.triple_count(frame):,} of the 4 grants" in build.shacl


@pytest.mark.parametrize("beside", [False, True])
def test_a_shacl_violation_in_the_bulk_grants_sends_the_build_per_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      beside: bool) -> None:
    """When the shapes find a violation among the grants compiled by columns, the build reads
    every file per row (whose SHACL check says where): here the per-row check finds none. A
    store loading beside the shapes is stopped and dropped with the staged build."""
    src = _sources(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    monkeypatch.setattr(columnar, "MIN_BYTES", 0)
    if beside:
        monkeypatch.setattr(oxstore, "BESIDE_BYTES", 0)
    seen = []

    def violating(frame: object, base: object) -> tuple[int, int]:
        seen.append(frame)
        return 0, 1

    monkeypatch.setattr(columnar, "check_shapes", violating)
    said: list[str] = []
    build = compiled.build(src, tmp_path / "out", progress=said.append)
    assert seen and any("reading every file per row" in s for s in said)
    assert build.shacl.startswith("every triple (") and "compiled by columns" not in build.shacl
    assert build.counts["grants"] == 43
    assert any("loading the Oxigraph store meanwhile" in s for s in said) == beside
    found = current(tmp_path / "out")
    assert found is not None and oxstore.read_mark(found.folder / oxstore.STORE)["token"] == found.token
    assert [p for p in found.folder.parent.iterdir() if p.is_dir()] == [found.folder]  # the stopped one is gone


def test_a_bulk_file_over_its_cap_is_refused_at_once_not_after_reading_by_columns(tmp_path: Path,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A 3×L build without --max-input-mb read every file by columns for minutes, then said
    "a record of a bulk file fails" and only then named the cap: the cap is checked first."""
    rows = [f"big-{i},Facebook,Microsoft,search integration,friends list,read,,,,2010,,,active,,{'x' * 2_000},"
            f"techly-2018-12-20,row {i},,," for i in range(600)]  # over 1 MB in few rows: the build under the cap is quick
    src = _sources(tmp_path, HEADER + "\n".join(rows) + "\n")
    assert (src / "bulk.csv").stat().st_size > 1 << 20
    monkeypatch.setattr(columnar, "MIN_BYTES", 0)

    read, reads = columnar.Grants._read, []

    def counted(self: columnar.Grants) -> Any:
        reads.append(self.files)
        return read(self)

    monkeypatch.setattr(columnar.Grants, "_read", counted)
    said: list[str] = []
    with pytest.raises(InputError) as refused:
        compiled.build(src, tmp_path / "out", progress=said.append, max_input_mb=1)
    assert "bulk.csv: file larger than 1 MB" in str(refused.value)
    assert not any("bulk file fails" in line for line in said) and reads == []
    assert compiled.build(src, tmp_path / "out", max_input_mb=10).counts["grants"] > 600
    assert reads  # under the cap: built by columns
