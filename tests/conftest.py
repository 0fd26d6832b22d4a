"""Shared fixtures for the loader, validation and build tests.

Everything here writes only under pytest's tmp_path: the checkout's ``out/`` and
``sources/`` are never touched.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "sources"
SMALL = REPO / "graph" / "examples" / "small.yaml"
SEED = REPO / "tests" / "fixtures" / "seed"  # the bundled dataset of the three seed articles, frozen (see its README)
BAD = REPO / "tests" / "fixtures" / "bad"


def console_script(name: str) -> str | None:
    """The console script ``name`` of the environment running the tests (a venv need not be
    activated), else the one on PATH."""
    import shutil
    import sysconfig

    return shutil.which(name, path=os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")]))


_TEST_CACHE: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Builds made outside any project go to the user's cache: keep the tests' out of the real one
    (one per process: each pytest-xdist worker has its own)."""
    import tempfile

    _TEST_CACHE.append(tempfile.mkdtemp(prefix="datareach-test-cache-"))
    os.environ["XDG_CACHE_HOME"] = _TEST_CACHE[-1]
    # The width text is fitted to comes from COLUMNS first: a pytest-xdist worker has COLUMNS=80 and
    # LINES=24 set, an exported shell variable would do the same. The tests expect what a pipe with
    # neither gets (tests that need a width set COLUMNS themselves).
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """The files holding a ``slow`` test run first (else in the order collected): pytest-xdist
    (``--dist loadfile``) hands the files out in this order as workers free up, so a long file no
    longer starts late and keeps one worker busy after the other has finished (the long ones are
    spread from the start, the short ones fill in at the end)."""
    slow = {item.path for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: item.path not in slow)  # stable: each file's tests keep their order


def pytest_unconfigure(config: pytest.Config) -> None:
    """The test cache goes with the session (it was left in the temporary folder, one per run)."""
    import shutil

    while _TEST_CACHE:
        shutil.rmtree(_TEST_CACHE.pop(), ignore_errors=True)


# A minimal valid fact file. Tests replace one line of it to make one mistake, so every
# line below is unique and the line numbers of errors can be asserted.
BASE_YAML = """\
sources:
  - id: src
    publisher: Example Press
    title: A report
    date: "2018-12-20"
    url: "https://example.org/a"
companies:
  - name: Facebook
    aliases: ["Facebook, Inc."]
  - name: Spotify
  - name: Example Holdings
holdings:
  - holder: Facebook
    data_types: [private message, phone number]
    evidence: [{source: src, locator: "¶1"}]
grants:
  - id: g1
    grantor: Facebook
    grantee: Spotify
    integration: messaging integration
    data_types: [private message]
    permissions: [read, write]
    status: shut down
    valid_from: "2012"
    note: a note
    evidence: [{source: src, locator: "¶2"}]
incidents:
  - id: scrape
    name: A scrape
    platform: Facebook
    exploited_feature: contact importer
    data_types: [phone number]
    recipients: [public]
    evidence: [{source: src, locator: "¶3"}]
ownership:
  - owner: Example Holdings
    owned: Spotify
    evidence: [{source: src, locator: "¶4"}]
"""


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the only line of ``text`` containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


def replace_line(text: str, old: str, new: str) -> str:
    """``text`` with the one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a file under tmp_path: ``write("a.yaml", text)`` or ``write("a.csv", data=b"...")``."""

    def _write(name: str, text: str | None = None, *, data: bytes | None = None) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is not None:
            path.write_bytes(data)
        else:
            assert text is not None
            path.write_bytes(text.encode("utf-8"))
        return path

    return _write


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., Result]:
    """Invoke the click command in-process with ``--out`` under tmp_path (unless given)."""
    from graph.cli.main import main

    def _invoke(*args: str, out: Path | None = None) -> Result:
        target = tmp_path / "out" if out is None else out
        return CliRunner().invoke(main, ["--out", str(target), *args])

    return _invoke


def assert_refused(result: Result, *needles: str) -> None:
    """A clean refusal: exit status 1 via sys.exit, every needle on stderr, no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"crashed with {result.exception!r}\n{result.output}")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.stderr, f"{needle!r} not in:\n{result.stderr}"


def ask_bundled(out: Path, *args: str) -> str:
    """A command's standard output on the bundled dataset built into OUT (``-q``, in-process); it must succeed."""
    from graph.cli.main import main

    result = CliRunner().invoke(main, ["-q", "--out", str(out), "--sources", str(SOURCES), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def ask_bundled_json(out: Path, *args: str) -> Any:
    """The same command's ``--format json`` answer, decoded."""
    return json.loads(ask_bundled(out, *args, "--format", "json"))


def run_module(*args: str, timeout: float = 60, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m graph ARGS`` in a fresh process."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "graph", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd or REPO, env=env)


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The default dataset (sources/) built once into a temporary out folder. Shared: a test only
    reads it (checked at the end: a command run without its sources rebuilt it for others)."""
    from graph.build import compiled

    out = tmp_path_factory.mktemp("default") / "out"
    compiled.build([SOURCES], out)
    token = _current_token(out)
    yield out
    assert _current_token(out) == token, "a test rebuilt the shared default build"


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The three seed articles' dataset (tests/fixtures/seed) built once: for tests that pin its answers.
    Shared and only read, as ``default_build``."""
    from graph.build import compiled

    out = tmp_path_factory.mktemp("seed") / "out"
    compiled.build([SEED], out)
    token = _current_token(out)
    yield out
    assert _current_token(out) == token, "a test rebuilt the shared seed build"


def _current_token(out: Path) -> str | None:
    from graph.build.folder import current

    found = current(out)
    return None if found is None else found.token


def build_file(out: Path, name: str) -> Path:
    """The file ``name`` (graph.nt, flows.npz, attributes.json…) of the current build in ``out``."""
    from graph.build.folder import current

    found = current(out)
    assert found is not None, f"no build in {out}"
    return found.folder / name


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` (including .datareach/) and its bytes."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


FIXTURES = Path(__file__).parent / "fixtures"


@lru_cache(maxsize=4)
def _fixture_graph(name: str) -> Any:
    from graph.build.loader import load
    from graph.build.projection import project

    return project(load([FIXTURES / name]).g)


def fixture_session(out: Path, name: str = "small.yaml") -> Any:
    """A CLI session on a project of tests/fixtures/NAME built into ``out`` (for commands run on their own)."""
    from graph.build.project import Project
    from graph.cli.session import Session

    return Session(Project.of(FIXTURES / name, out))


def fixture_graph(name: str = "small.yaml") -> Any:
    """A fresh, deep copy of the projected graph of tests/fixtures/NAME (parsed once per session):
    a test may change its attributes (nested lists and dicts included) without touching another's."""

    return copy.deepcopy(_fixture_graph(name))
