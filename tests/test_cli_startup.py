"""Start-up of the command line (issue 17, item 5): `datareach --help` imports no command,
and its list of commands says what the commands themselves say."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from graph.cli.main import LazyGroup, main


def _listing(group_format: object) -> str:
    ctx = click.Context(main, info_name="datareach")
    formatter = ctx.make_formatter()
    group_format(ctx, formatter)  # type: ignore[operator]
    return formatter.getvalue()


def test_short_help_module_is_generated_from_the_commands() -> None:
    """graph/cli/shorthelp.py is exactly what scripts/cli_docs.py writes from the commands' own help."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "cli_docs.py"
    spec = importlib.util.spec_from_file_location("cli_docs", script)
    assert spec is not None and spec.loader is not None
    cli_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli_docs)
    expected = cli_docs.render_short_help(cli_docs.short_help())
    assert cli_docs.SHORT_HELP_MODULE.read_text(encoding="utf-8") == expected, "run python scripts/cli_docs.py"


def test_short_help_table_is_what_each_command_says() -> None:
    ctx = click.Context(main)
    assert set(LazyGroup.SHORT_HELP) == set(LazyGroup.lazy)
    for name in LazyGroup.lazy:
        command = main.get_command(ctx, name)
        assert command is not None, name
        assert LazyGroup.SHORT_HELP[name] == command.get_short_help_str(limit=10**6), name


@pytest.mark.parametrize("width", [60, 80, 100])
def test_help_lists_the_commands_as_click_would_after_loading_them(width: int) -> None:
    def clicks_own(ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.width = width
        click.Group.format_commands(main, ctx, formatter)

    def ours(ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.width = width
        main.format_commands(ctx, formatter)

    expected = _listing(clicks_own)
    assert "sparql" in expected and "figure" in expected
    assert _listing(ours) == expected


def test_help_imports_no_command_and_no_build() -> None:
    code = ("import sys\nfrom graph.cli.main import run\nsys.argv = ['datareach', '--help']\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('graph'))), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    loaded = set(done.stderr.split())
    assert "sparql" in done.stdout and "figure" in done.stdout
    assert {"graph", "graph.cli.main"} <= loaded
    heavy = {m for m in loaded if m.startswith(("graph.cli.questions", "graph.cli.sparql", "graph.cli.viz",
                                                "graph.build.", "graph.questions", "graph.textfit"))}
    assert heavy == set()


def test_guard_token_class_is_the_old_one() -> None:
    """The guard's word pattern, rewritten to compile fast, matches the same characters as the
    class it replaced (a letter, digit, _ - . : % \\ or any non-ASCII character)."""
    import re

    from graph.sparql.guard import _TOKEN

    old = re.compile(r"[A-Za-z0-9_\-.:%\\\u0080-\U0010ffff]+")
    assert all((old.fullmatch(chr(c)) is None) == (_TOKEN.fullmatch(chr(c)) is None) for c in range(sys.maxunicode + 1))


def test_owner_json_imports_no_rdflib_networkx_or_scipy(tmp_path: object) -> None:
    """owner and reach read the flow index: neither the RDF library nor the graph library is imported."""
    from graph.build import compiled

    out = str(tmp_path) + "/out"
    compiled.build(None, out)
    for args in (["owner", "Instagram", "--format", "json"], ["reach", "phone number", "--format", "json"]):
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "graph", "-q", "--out", out, *args],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
        assert "graph.build.flowindex" in imported, args
        assert not {n for n in imported if n.split(".")[0] in ("rdflib", "networkx", "scipy", "pyvis", "polars")}, args
