"""Every text output escapes what it prints (issue 11, groups 7 and 10, and formula cells).

A company name holding ``ESC ]0;…BEL`` or ``ESC [2J`` used to be printed raw by
``table`` and ``reach``; a publisher named ``<img src=x onerror=…>`` reached the
Markdown footnotes raw. Here every command and format is run over such a file, and no
raw control, bidi or HTML-starting text may reach the output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from graph.build import compiled
from graph.cli.main import main
from graph.safetext import visible

FACTS = FIXTURES / "terminal-escapes.yaml"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("escapes") / "out"
    compiled.build([FACTS], target)
    return target


def run(out: Path, *args: str):
    result = CliRunner().invoke(main, ["-q", "-s", str(FACTS), "--out", str(out), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


COMMANDS = [
    ["table"], ["table", "--format", "md"], ["table", "--format", "csv"], ["table", "--format", "html"],
    ["table", "--format", "json"], ["reach", "private message"], ["reach", "private message", "--format", "csv"],
    ["reach", "private message", "--format", "json"], ["rank"], ["rank", "--format", "csv"],
    ["owner", "Holder Co"], ["owner", "Evil\x1b]0;owned\x07 Corp\x1b[2J"],
    ["sparql", "SELECT ?n WHERE { ?c a dr:Company ; rdfs:label ?n }"],
    ["sparql", "SELECT ?n WHERE { ?c a dr:Company ; rdfs:label ?n }", "--format", "csv"],
    ["sparql", "SELECT ?n WHERE { ?c a dr:Company ; rdfs:label ?n }", "--format", "tsv"],
    ["sparql", "SELECT ?n WHERE { ?c a dr:Company ; rdfs:label ?n }", "--format", "json"],
    ["sparql", "CONSTRUCT { ?c rdfs:label ?n } WHERE { ?c a dr:Company ; rdfs:label ?n }"],
    ["sparql", "CONSTRUCT { ?c rdfs:label ?n } WHERE { ?c a dr:Company ; rdfs:label ?n }", "--format", "json"],
    ["reach", "phone nubmer\x1b[2J"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a)[:50] for a in COMMANDS])
def test_terminal_escapes_in_names_are_printed_visibly(out, args):
    result = run(out, *args)
    assert not RAW.search(result.stdout), result.stdout
    assert not RAW.search(result.stderr), result.stderr
    assert result.stdout.strip() or result.stderr.strip()


def test_table_text_shows_the_escape_instead_of_running_it(out):
    text = run(out, "table").stdout
    assert "Evil\\x1b]0;owned\\x07 Corp\\x1b[2J" in text
    assert "Bidi\\u202egnp.exe" in text


def test_markdown_table_escapes_the_source_footnotes(out):
    """The footnotes used to carry a publisher named <img src=x onerror=…> raw."""
    md = run(out, "table", "--format", "md").stdout
    assert "<img" not in md and "&lt;img src=x onerror=alert\\(1\\)&gt;" in md
    assert "![" not in md and "](" not in md  # no image or link syntax survives
    assert "<https://example.org/r>" in md


def test_check_error_messages_show_escapes(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('holdings:\n  - {holder: "X\\e]0;t\\a", data_types: ["a\\e[2J"], evidence: [{source: s, locator: l}]}\n')
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert result.exit_code == 1
    assert not RAW.search(result.stderr) and "\\x1b" in result.stderr


def test_sparql_tsv_defuses_formulas_and_the_endpoint_keeps_them():
    """CLI ``sparql --format tsv`` kept =HYPERLINK(…) raw; the protocol's TSV stays raw for programs."""
    from rdflib import Literal

    from graph.sparql.output import format_result
    from graph.sparql.result import QueryResult

    result = QueryResult("SELECT", vars=["x"], rows=[(Literal('=HYPERLINK("http://evil","x")'),)])
    assert format_result(result, "tsv").splitlines()[1] == '"\'=HYPERLINK(\\"http://evil\\",\\"x\\")"'
    assert format_result(result, "tsv-raw").splitlines()[1] == '"=HYPERLINK(\\"http://evil\\",\\"x\\")"'


def test_visible_escapes_c0_c1_bidi_and_keeps_text():
    assert visible("a\x1b[2Jb\x9bc\u202ed\u2066e\x00") == "a\\x1b[2Jb\\x9bc\\u202ed\\u2066e\\x00"
    assert visible("Zürich, 東京, emoji 🙂") == "Zürich, 東京, emoji 🙂"
