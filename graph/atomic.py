"""Atomic file output: write a temporary file beside the target, fsync, then rename.

A reader never sees a half-written file, and a failure mid-write leaves the old file
byte-identical (SECURITY.md 6a).

Every file any command writes goes through here, so this is where an output path is
vetted: the target must be a new name or a regular file. A FIFO, a device, a socket or
a folder is refused with :class:`~graph.errors.OutputError` (a rename would replace the
device node itself, e.g. ``-o /dev/full`` as root). A symbolic link as the target is
*replaced* by the new file; what it pointed to is left untouched, so an output never
lands outside the path that was named. The check is made when the temporary file is
created and again just before the rename.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from graph.errors import OutputError

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def check_target(path: str | os.PathLike[str]) -> None:
    """Refuse ``path`` as an output unless it is a new name, a regular file or a symlink
    (which is replaced, not written through).

    >>> check_target("/dev/null")
    Traceback (most recent call last):
    graph.errors.OutputError: /dev/null is a character device, not a regular file: refusing to replace it (name a file)
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise OutputError(f"{path} is {kind}, not a regular file: refusing to replace it (name a file)")


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO]:
    """Open a temporary file that replaces ``path`` only if the block succeeds.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_open(target) as fh:
    ...     _ = fh.write("new")
    >>> target.read_text()
    'new'
    """
    target = Path(path)
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # on first use: a question's start-up needs none of it
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        check_target(target)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Atomically replace ``path`` with ``text`` (UTF-8)."""
    with atomic_open(path, "w") as fh:
        fh.write(text)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Atomically replace ``path`` with ``data``."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def write_with(path: str | os.PathLike[str], writer: Callable[[str], object]) -> None:
    """Let ``writer`` write to a temporary path, then move it over ``path``.

    For libraries that insist on writing to a file name themselves (pyvis, rdflib).
    """
    with Batch() as batch:
        batch.write_with(path, writer)


class Batch:
    """Several outputs that appear together: each is written to a temporary file, and all
    are renamed into place only when every one was written. On failure none is.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with Batch() as batch:
    ...     batch.write_text(folder / "a.txt", "A")
    ...     batch.write_text(folder / "b.txt", "B")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt', 'b.txt']
    """

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []

    def stage(self, path: str | os.PathLike[str]) -> str:
        """A temporary path beside ``path``; it replaces ``path`` when the batch commits."""
        target = Path(path)
        check_target(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        import tempfile
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        self._staged.append((tmp, target))
        return tmp

    def write_with(self, path: str | os.PathLike[str], writer: Callable[[str], object]) -> str:
        """Let ``writer`` fill the staged file for ``path``; return the staged path."""
        tmp = self.stage(path)
        writer(tmp)
        return tmp

    def write_text(self, path: str | os.PathLike[str], text: str) -> None:
        """Stage ``text`` for ``path``."""
        self.write_with(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            try:
                for tmp, target in self._staged:
                    with open(tmp, "rb") as fh:
                        os.fsync(fh.fileno())
                    os.chmod(tmp, 0o644)
                    check_target(target)
            except BaseException:
                self._discard()
                raise
            for tmp, target in self._staged:
                os.replace(tmp, target)
        else:
            self._discard()

    def _discard(self) -> None:
        for tmp, _target in self._staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
