"""Progress reports: the library says what long work is doing through a callback it is
given, and never prints (the CLI passes one that writes to stderr)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    """The default progress callback: say nothing.

    >>> quiet("building") is None
    True
    """
