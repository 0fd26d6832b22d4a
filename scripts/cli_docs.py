"""Regenerate the command reference in README.md from the CLI's own --help.

    python scripts/cli_docs.py          # rewrite the block between the markers
    python scripts/cli_docs.py --check  # exit 1 if README.md is out of date (CI)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

# Document this checkout's code, whatever `graph` an installed package may point at.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.cli.main import main  # noqa: E402

START, END = "<!-- cli-help:start -->", "<!-- cli-help:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def _help(command: click.Command, name: str, parent: click.Context | None = None) -> str:
    with click.Context(command, info_name=name, parent=parent, terminal_width=100, max_content_width=100) as ctx:
        text = command.get_help(ctx)
    return f"### `{ctx.command_path}`\n\n```\n{text}\n```\n"


def render() -> str:
    """The generated block: the main help, then each command's, sorted by name."""
    root = click.Context(main, info_name="datareach", terminal_width=100, max_content_width=100)
    parts = [_help(main, "datareach")]
    assert isinstance(main, click.Group)
    for name in main.list_commands(root):  # the lazily loaded commands too
        command = main.get_command(root, name)
        assert command is not None
        parts.append(_help(command, name, root))
    return "\n".join(parts)


def main_(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        sys.stderr.write(f"README.md has no {START} … {END} block\n")
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n\n{render()}\n{END}{tail}"
    if "--check" in argv:
        if new != text:
            sys.stderr.write("README.md command reference is out of date: run python scripts/cli_docs.py\n")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main_(sys.argv[1:]))
