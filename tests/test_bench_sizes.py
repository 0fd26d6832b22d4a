"""bench/sizes.py, the one-table-per-size harness, runs end to end on a tiny dataset: every
row it does not skip has numbers (or the error it met), every skipped row its reason, and a
failing or overrunning command is reported as such, never as a number. Timings are not
asserted (the bench reports ratios; this only keeps the harness from rotting)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sizes() -> ModuleType:
    return _load("sizes")


def test_a_failing_command_reports_its_error_and_no_number(sizes: ModuleType) -> None:
    done = sizes.measure([sys.executable, "-c", "import sys; sys.exit('boom: no such build')"], timeout=60)
    assert done["error"] == "exit 1: boom: no such build"


def test_an_overrunning_command_is_killed_and_reported(sizes: ModuleType) -> None:
    done = sizes.measure([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert done == {"error": "timed out after 0.5 s"}


def test_a_command_is_measured_as_its_own_process(sizes: ModuleType, tmp_path: Path) -> None:
    """Wall, CPU and peak RSS of the command, not of the harness that started it: a process
    that touches 200 MB peaks above that; ``python -c pass`` far below."""
    out = tmp_path / "out.txt"
    big = sizes.measure([sys.executable, "-c", "b = bytearray(200 * 2**20); print(len(b))"], timeout=60, stdout=str(out))
    small = sizes.measure([sys.executable, "-c", "pass"], timeout=60)
    assert "error" not in big and "error" not in small
    assert out.read_text().strip() == str(200 * 2**20)
    assert big["peak_mb"] > 200 > small["peak_mb"]
    assert big["cpu_s"] > 0 and big["wall_s"] > 0


def test_the_harness_gives_every_row_a_number_or_a_reason(sizes: ModuleType, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    gen = _load("gen")
    data, work, results = tmp_path / "data", tmp_path / "work", tmp_path / "sizes-XS.json"
    gen.generate("XS", data)
    code = sizes.main(["XS", str(data), str(work), "--runs", "1", "--json", str(results), "--timeout", "300",
                       "--skip", "rank:slow at XS in the test,rank-sample,viz"])
    assert code == 0
    result = json.loads(results.read_text())
    assert result["counts"]["companies"] == 200 and result["counts"]["grants"] == 1000
    assert result["counts"]["triples"] > 1000
    assert {"nproc", "ram_gib", "cpu"} <= set(result["machine"]) and len(result["load_before"]) == 3
    rows = {row["name"]: row for row in result["rows"]}
    assert list(rows) == list(sizes.ROWS)
    assert rows["rank"]["skipped"] == "slow at XS in the test" and rows["viz"]["skipped"] == "--skip"
    for row in result["rows"]:
        if "skipped" in row:
            continue
        assert row["anchors"], row["name"]
        assert "error" not in row["datareach"] and row["datareach"]["wall_s_median"] > 0, (row["name"], row["datareach"])
        for side in row["anchors"]:  # an anchor that no longer reads the build is a failure too; igraph is a bench extra
            if "No module named 'igraph'" not in side.get("error", ""):
                assert "error" not in side and side["wall_s_median"] > 0, (row["name"], side)
    assert rows["build"]["datareach"]["bytes_per_triple"] > 0
    assert rows["build"]["anchors"][0]["output"] == str(result["counts"]["triples"])  # it loaded the same triples
    table = capsys.readouterr().out
    assert "| `rank --by betweenness` (exact) | skipped (slow at XS in the test) |" in table
    assert "| `table --format csv` | " in table
    assert not (work / "build").exists()  # the build it made is deleted unless --keep
