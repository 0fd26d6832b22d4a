"""Every text command fits the terminal (issue 15, item 5).

Each command that prints text for people is run at ``COLUMNS`` 40, 80 and 200, on the
bundled dataset, on a fixture of hostile and double-width labels, and on a project with
real imported data (the California broker registry and DuckDuckGo's tracker list), and
again with ``--wide``. Widths are counted in terminal cells (``rich.cells.cell_len``):

- no line of an answer is wider than ``COLUMNS``; a message line (a summary, a
  warning) may be wider only when it is one word, a path kept whole to be copied;
- ``--wide`` gives the long lines back, and no word is cut: every word of the narrow
  output is a word of the wide one, or ends with "…" and begins one; a word of the wide
  output missing from the narrow one was shortened (a "…" stands for it), or is the
  header of an empty cell that one block a row leaves out;
- filters are printed as words, never as a Python dict;
- labels print as themselves: rich markup literally, escape sequences made visible.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES
from rich.cells import cell_len

from graph.cli.main import main

WIDTHS = (40, 80, 200)
SHARED = Path(os.environ.get("DATAREACH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
CA = SHARED / "ca_data_broker_registry_2025" / "california_data_broker_registry_2025.csv"
DDG = SHARED / "ddg_tracker_blocklist" / "extension-tds.json"
HOSTILE = FIXTURES / "terminal-width.yaml"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

Runner = Callable[..., Result]


def _runner(cwd: Path, pre: list[str]) -> Runner:
    def run(*args: str, columns: int = 80) -> Result:
        old = Path.cwd()
        os.chdir(cwd)
        try:
            result = CliRunner(env={"COLUMNS": str(columns)}).invoke(main, [*pre, *args])
        finally:
            os.chdir(old)
        assert result.exit_code == 0, (args, result.output, result.exception)
        return result

    return run


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """The bundled dataset (no project in the folder), built into a temporary folder."""
    here = tmp_path_factory.mktemp("bundled")
    return _runner(here, ["-q", "--out", str(here / "out")])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    here = tmp_path_factory.mktemp("hostile")
    return _runner(here, ["-q", "-s", str(HOSTILE), "--out", str(here / "out")])


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Runner, dict[str, Result]]:
    """A project with the broker registry and DuckDuckGo's list imported and built; the
    import and build reports at each width.

    Each import runs at each width. The build runs once, at the first width: at the others the
    sources are the same bytes (checked), so ``build`` is given that build's result and told its
    progress messages again, and prints its report fitted to the width (the build is some 10 s of
    CPU and its report does not depend on the width it is printed at)."""
    from graph.build import compiled

    if not (CA.is_file() and DDG.is_file()):
        pytest.skip(f"the shared datasets are not at {SHARED} (set DATAREACH_SHARED_DATA)")
    base = tmp_path_factory.mktemp("imported")
    CliRunner().invoke(main, ["init", str(base / "p")])
    run = _runner(base / "p", [])
    sources = base / "p" / "sources"
    real = compiled.build
    made: list[tuple[dict[str, bytes], Any, list[str]]] = []  # (the sources built, the result, the progress told)

    def build_once(paths: Any = None, out_dir: Any = "out", *, progress: Callable[[str], None] = lambda _: None,
                   **options: Any) -> Any:
        if made:
            built, result, told = made[0]
            assert _files(sources) == built, "the sources changed between the widths"
            for message in told:
                progress(message)
            return result
        told: list[str] = []

        def tee(message: str) -> None:
            told.append(message)
            progress(message)

        result = real(paths, out_dir, progress=tee, **options)
        made.append((_files(sources), result, told))
        return result

    reports = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compiled, "build", build_once)
        for width in WIDTHS:
            for kind, path in (("ca-broker-registry", CA), ("ddg-tds", DDG)):
                reports[f"import {kind} {width}"] = run("import", kind, str(path), columns=width)
            reports[f"build {width}"] = run("build", columns=width)
    assert len(made) == 1
    return run, reports


def lines_of(result: Result) -> list[str]:
    return [*result.stdout.splitlines(), *result.stderr.splitlines()]


def assert_fits(result: Result, width: int, *, messages: bool = False) -> None:
    """No line wider than ``width`` cells; with ``messages``, a wider line must be one word."""
    for line in lines_of(result):
        if cell_len(line) > width:
            assert messages and " " not in line.strip(), f"{cell_len(line)} > {width}: {line!r}"


def words(text: str) -> list[str]:
    return [w for w in text.split() if set(w) - set("-")]  # not the rules under table headers


def assert_no_word_cut(narrow: str, wide: str) -> None:
    """Every narrow word is a wide word, or a shortened one ending with "…"; wide words missing
    from the narrow text were shortened."""
    whole = set(words(wide))
    shortened = [w for w in words(narrow) if w not in whole]
    for word in shortened:
        stem = word[:-1]
        assert word.endswith("…") and any(w.startswith(stem) for w in whole), f"cut mid-word: {word!r}"
    lines = wide.splitlines()
    headers = {w for i, line in enumerate(lines[1:], 1) if line and set(line) <= {"-", " "} for w in lines[i - 1].split()}
    missing = whole - set(words(narrow)) - headers  # one block a row leaves out a column's empty cells
    if missing:
        assert shortened, f"{sorted(missing)[:5]} are missing from the narrow output, and nothing says it was shortened"


BUNDLED = [
    ("reach", "phone number"), ("reach", "phone number", "--through-ownership"), ("reach", "private message"),
    ("table",), ("table", "--company", "Spotify", "--status", "unknown"), ("rank",), ("rank", "--through-ownership"),
    ("owner", "Instagram"), ("lists",), ("types",), ("types", "advertising"), ("types", "--integrations"),
    ("sparql", "--name", "disputes"), ("sparql", "--name", "partner-table"), ("sparql", "--list"),
    ("import", "--list"),
]


@pytest.mark.parametrize("args", BUNDLED, ids=[" ".join(a) for a in BUNDLED])
def test_bundled_dataset_fits_every_width(bundled: Runner, args: tuple[str, ...]) -> None:
    wide = bundled(*args, "--wide").stdout
    for width in WIDTHS:
        narrow = bundled(*args, columns=width)
        assert_fits(narrow, width)
        assert_no_word_cut(narrow.stdout, wide)
        assert not RAW.search(narrow.stdout)


@pytest.mark.parametrize("args", [("reach", "phone number"), ("table",), ("sparql", "--name", "disputes"),
                                  ("rank",), ("owner", "Instagram")])
def test_wide_prints_the_long_lines(bundled: Runner, args: tuple[str, ...]) -> None:
    wide = bundled(*args, "--wide", columns=80)
    assert max(cell_len(line) for line in lines_of(wide)) > 80
    assert "…" not in wide.stdout  # nothing shortened (the bundled dataset has no "…" of its own)
    assert wide.stdout == bundled(*args, "--wide", columns=200).stdout  # the width no longer matters


def test_quotations_are_never_cut_mid_word(bundled: Runner) -> None:
    for width in WIDTHS:
        text = bundled("reach", "phone number", columns=width).stdout
        quotes = re.findall(r'\("([^"]*)"\)', " ".join(text.split()))
        assert quotes and all("…" not in q for q in quotes), quotes


def test_filters_are_words(bundled: Runner) -> None:
    def flat(*args: str) -> str:
        return " ".join(bundled(*args, columns=40).stdout.split())

    reach = flat("reach", "phone number", "--through-ownership", "--as-of", "2019", "--permission", "read")
    assert "(filters: as of 2019; permissions read; through ownership)" in reach
    assert "(filters: through ownership)" in flat("rank", "--through-ownership")
    assert "(filters: company Spotify; status unknown)" in flat("table", "--company", "Spotify", "--status", "unknown")
    for text in (reach, flat("rank", "--through-ownership"), flat("table", "--on-by-default", "no")):
        assert "{" not in text and "through_ownership" not in text and "on_by_default" not in text


def test_a_table_too_wide_for_its_columns_becomes_one_block_a_row(bundled: Runner) -> None:
    narrow = bundled("table", "--company", "Spotify", columns=80).stdout.splitlines()
    assert narrow[1].startswith("company ") and narrow[2].startswith("grantor ")
    assert bundled("rank", columns=80).stdout.splitlines()[1].split()[:3] == ["rank", "company", "reach"]


HOSTILE_COMMANDS = [("reach", "private message"), ("table",), ("rank",), ("owner", "東京データ株式会社"),
                    ("sparql", "SELECT ?n WHERE { ?c a dr:Company ; rdfs:label ?n }"), ("check", str(HOSTILE))]


@pytest.mark.parametrize("args", HOSTILE_COMMANDS, ids=[a[0] for a in HOSTILE_COMMANDS])
def test_hostile_labels_print_as_themselves_at_every_width(hostile: Runner, args: tuple[str, ...]) -> None:
    wide = hostile(*args, "--wide").stdout
    for width in WIDTHS:
        narrow = hostile(*args, columns=width)
        assert_fits(narrow, width, messages=args[0] == "check")
        assert_no_word_cut(narrow.stdout, wide)
        assert not RAW.search(narrow.stdout + narrow.stderr)
        if args[0] != "check":
            assert "[bold" in narrow.stdout or "東京" in narrow.stdout  # markup printed, not obeyed
    if args[0] == "reach":
        assert "\\x1b[2J" in wide and "[bold]Gazette[/bold]" in wide
        long_address = "https://example.org/reports/2020/01/a-very-long-address-that-no-terminal-line-can-hold-whole-at-eighty-columns"
        assert long_address in wide and long_address not in hostile(*args, columns=80).stdout


IMPORTED = [("reach", "precise location"), ("reach", "personal data"), ("table",), ("rank",),
            ("owner", "doubleclick.net"), ("lists",), ("sparql", "--name", "sources"),
            ("sparql", "--name", "companies-reaching", "--param", "data_type=precise location"), ("check",)]


@pytest.mark.slow
@pytest.mark.parametrize("args", IMPORTED, ids=[" ".join(a) for a in IMPORTED])
def test_imported_data_fits_every_width(imported: tuple[Runner, dict[str, Result]], args: tuple[str, ...],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """``check`` loads and validates the sources (some 5 s of CPU) once: at the other widths it is
    given that load and prints it fitted to the width."""
    from graph.build import loader

    run, _ = imported
    real = loader.load
    loads: dict[str, Any] = {}

    def load_once(paths: list[Path], **options: Any) -> Any:
        key = repr((paths, sorted(options.items())))
        if key not in loads:
            loads[key] = real(paths, **options)
        return loads[key]

    monkeypatch.setattr(loader, "load", load_once)
    wide = run(*args, "--wide").stdout
    for width in WIDTHS:
        narrow = run(*args, columns=width)
        assert_fits(narrow, width, messages=args[0] == "check")
        assert_no_word_cut(narrow.stdout, wide)
    if args[0] == "reach":
        assert max(cell_len(line) for line in wide.splitlines()) > 80
    assert len(loads) == (args[0] == "check")


@pytest.mark.slow
def test_import_and_build_reports_fit(imported: tuple[Runner, dict[str, Result]]) -> None:
    _, reports = imported
    for name, result in reports.items():
        width = int(name.rsplit(" ", 1)[1])
        assert_fits(result, width, messages=True)
        assert result.stdout.strip()


def test_no_terminal_and_no_columns_means_80_for_answers_and_whole_lines_for_messages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLUMNS", raising=False)
    result = CliRunner().invoke(main, ["--out", str(tmp_path / "out"), "reach", "phone number"])
    assert result.exit_code == 0, result.output
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 80
    notice = [line for line in result.stderr.splitlines() if "no project here" in line]
    assert notice and cell_len(notice[0]) > 80  # one message, one line, for a log


def test_the_server_start_lines_fit_and_its_request_log_keeps_the_commands_width(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import click

    from graph.cli.session import progress_at, stderr_progress

    start = "serving 108,069 triples at http://127.0.0.1:8000/ (SPARQL endpoint: http://127.0.0.1:8000/sparql); Ctrl-C to stop"
    monkeypatch.setenv("COLUMNS", "40")
    stderr_progress(start)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) > 2 and all(cell_len(line) <= 40 for line in lines)
    assert " ".join(" ".join(lines).split()).startswith(f"datareach: {start}")  # then maybe the time elapsed
    for wide in (False, True):
        with click.Context(click.Command("serve")) as ctx:
            if wide:
                ctx.meta["datareach.wide"] = True
            log = progress_at(stderr_progress)
        thread = threading.Thread(target=log, args=(start,))  # a request handler's thread: no click context
        thread.start()
        thread.join()
        lines = capsys.readouterr().err.splitlines()
        if wide:  # one line, whole (with the time elapsed once the run is a few seconds old)
            assert len(lines) == 1 and lines[0].startswith(f"datareach: {start}")
        else:
            assert len(lines) > 2 and max(map(cell_len, lines)) <= 40
