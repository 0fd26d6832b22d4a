"""The fast schema check must agree with jsonschema on every fact file we have."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from graph.build import factfile
from graph.build.fastcheck import compile_schema

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("sources/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml"), *ROOT.glob("tests/fixtures/**/*.csv"),
                ROOT / "graph/examples/small.yaml"])


def parsed(path: Path):
    ff, problems = factfile._read_csv(path.read_text("utf-8-sig"), str(path)) if path.suffix == ".csv" \
        else factfile._read_yaml(path.read_text("utf-8-sig", errors="replace"), str(path))
    return ff


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fast_check_agrees_with_jsonschema(path: Path) -> None:
    ff = parsed(path)
    if ff is None:
        pytest.skip("not parseable as a fact file (a syntax fixture)")
    expected = jsonschema.Draft202012Validator(factfile.schema()).is_valid(ff.data)
    assert compile_schema(factfile.schema())(ff.data) is expected


@pytest.mark.parametrize("mutation", [
    lambda d: d["grants"][0].update(status="shutdown"),
    lambda d: d["grants"][0].pop("evidence"),
    lambda d: d["grants"][0].update(permisions=["read"]),
    lambda d: d["grants"][0].update(data_types=[]),
    lambda d: d["grants"][0].update(valid_from="2019-1"),
    lambda d: d["grants"][0].update(note="x" * 20001),
    lambda d: d["grants"][0]["evidence"][0].update(locator=""),
    lambda d: d["incidents"][0].update(affected="1e3"),
    lambda d: d["sources"][0].update(url="javascript:alert(1)"),
    lambda d: d.update(grant=[]),
    lambda d: d["grants"][0].update(data_types="phone number"),
])
def test_fast_check_refuses_what_jsonschema_refuses(mutation) -> None:
    data = parsed(ROOT / "graph/examples/small.yaml").data
    mutation(data)
    assert not jsonschema.Draft202012Validator(factfile.schema()).is_valid(data)
    assert compile_schema(factfile.schema())(data) is False
