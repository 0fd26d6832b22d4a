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
