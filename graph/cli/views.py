"""What the commands that draw the graph (``viz``, ``figure``) and write files (``export``) share:
the options written the same way in each, and one message for a file that cannot be written."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from graph.cli.session import CliError, partial_date

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def output_option(help_text: str) -> Decorator:
    """``-o``/``--output``: the file to write (a path, not a folder; None: the command's default)."""
    return click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
                        help=help_text)


as_of_option: Decorator = click.option(
    "--as-of", "as_of", metavar="DATE", callback=partial_date,
    help="Keep only links that may have been valid on DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
"""``--as-of``: a drawing keeps only the links that may have been valid on DATE."""


@contextlib.contextmanager
def writing(target: Path) -> Iterator[None]:
    """``cannot write TARGET: reason`` for an OSError raised while writing ``target``."""
    try:
        yield
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None
