"""The build's own Oxigraph store: its N-Triples bulk-loaded into ``builds/TOKEN/store/``.

``datareach sparql`` and ``datareach serve`` answer from this store by default
(:mod:`graph.sparql.store`), so no command re-parses the N-Triples into rdflib. The store is
loaded while the build writes its caches: ``Store.bulk_load`` releases the interpreter, so a
thread is enough (at M size, about 8 s of the build overlap instead of adding up). The store
folder holds a mark (:data:`MARK`) naming the build's token, written last: a store without
it, or with another token, is not this build's and is never read.

>>> import tempfile
>>> from pathlib import Path
>>> tmp = Path(tempfile.mkdtemp())
>>> _ = (tmp / "g.nt").write_text('<http://x/a> <http://x/b> "c" .\\n', encoding="utf-8")
>>> with loading(str(tmp / "g.nt"), str(tmp / "store")):
...     pass
>>> write_mark(tmp / "store", {"token": "t1"})
>>> read_mark(tmp / "store")
{'token': 't1'}
"""

from __future__ import annotations

import functools
import io
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

STORE = "store"
"""The store's folder inside a build's folder."""
MARK = "datareach-build.json"
"""The file in a store folder naming the build it was made from."""


BLOCK_BYTES = 64 * 2**20
"""The most N-Triples one bulk load takes at a time. Oxigraph's bulk loader holds what it is given
in memory while it sorts it into the store's files. Measured on an M build's 454 MB ``graph.nt``
(3.3M triples, 137 bytes a line) loaded into a disk store: the whole file at once 1.52 GB peak
and 46 s of CPU; blocks of 1M lines (~137 MB) 1.0 GB and 47 s; 500k lines (~68 MB) 0.52 GB and
50 s; 200k lines (~27 MB) 0.30 GB and 58 s. Each load adds files the store then merges, so
smaller blocks cost more CPU as the store grows."""
MIN_BLOCK_BYTES = 16 * 2**20
"""The least one bulk load takes (see :func:`block_bytes_for`)."""
BLOCKS = 16
"""How many blocks a file is cut into, between :data:`MIN_BLOCK_BYTES` and :data:`BLOCK_BYTES` each."""


BESIDE_BYTES = 2 * 2**30
"""From this size of N-Triples on, a build by columns loads its store beside the rest of its
work (the shapes, the merge, the flow index), not after it (``compiled._write_columnar``). The
load holds one block (at most :data:`BLOCK_BYTES`, about half a gigabyte of the loader's memory)
at a time, so beside the columnar part's peak it adds a fixed amount: at M (454 MB of N-Triples,
a 465 MB peak) that would have been a third more than the 150 bytes a triple issue 17 allows,
at L (4.5 GB, a 2.7 GB peak) a sixth; and at L the load after the rest was more than half the
build's wall time. Below it, the load waits until the rest is freed."""


def block_bytes_for(size: int) -> int:
    """The block size for an N-Triples file of ``size`` bytes: a sixteenth of it, at least
    :data:`MIN_BLOCK_BYTES` and at most :data:`BLOCK_BYTES`. The store's load then takes memory
    in proportion to the build's other parts (the columnar part's peak grows with the input) up to
    about half a gigabyte, which is small beside the rest of an L build; a small build pays a little
    more CPU for it (more loads for the store to merge).

    >>> block_bytes_for(454 * 2**20) // 2**20, block_bytes_for(10**10) // 2**20, block_bytes_for(1) // 2**20
    (28, 64, 16)
    """
    return max(MIN_BLOCK_BYTES, min(BLOCK_BYTES, size // BLOCKS))


TRIM_THRESHOLD = 128 * 2**10
"""The free memory glibc may keep at the top of a heap before handing it back (its default)."""
_M_TRIM_THRESHOLD = -1  # mallopt's parameter number, from glibc's malloc.h


@functools.cache
def free_promptly() -> bool:
    """Have glibc hand freed memory back to the system at its default threshold
    (:data:`TRIM_THRESHOLD`) for the rest of the process, as ``MALLOC_TRIM_THRESHOLD_=131072``
    would; False where the C library is not glibc (nothing is changed then).

    By default glibc raises that threshold (to as much as 64 MB) once a large block has been
    freed, and checks it only on a free. Each of Oxigraph's bulk loads runs on threads of its
    own, and glibc gives threads arenas of their own: in a build, which has run many threads
    before the store's load (polars' pool, the per-row part), the freed tops of arena after
    arena were kept, and an M build grew from 295 to 921 MB during the load of its 16 blocks,
    while the same load in a fresh process stayed near 400 MB. With the threshold fixed the
    build peaked at 491 MB, at the same CPU (58.5 s against 59.0 s; load average 9), and with
    ``MALLOC_ARENA_MAX=2`` at 555 MB. A fixed threshold also stops glibc raising the size from
    which it maps blocks of their own, so a large block is unmapped as soon as it is freed.

    >>> isinstance(free_promptly(), bool)
    True
    """
    import ctypes
    import ctypes.util
    import platform

    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def load_options(lenient: bool, bulk_load: object) -> dict[str, Any]:
    """The keyword arguments asking ``bulk_load`` (pyoxigraph's ``Store.bulk_load``) for a lenient
    load: none when it is not asked for, or when that pyoxigraph has no ``lenient`` (0.4.10, the
    oldest allowed version, has none and loads strictly; 0.5 has it).

    >>> from types import SimpleNamespace
    >>> Old = SimpleNamespace(__text_signature__="($self, input=None, format=None, *, path=None)")
    >>> New = SimpleNamespace(__text_signature__="($self, input=None, format=None, *, lenient=False)")
    >>> load_options(True, Old), load_options(True, New), load_options(False, New)
    ({}, {'lenient': True}, {})
    """
    signature = getattr(bulk_load, "__text_signature__", None) or ""
    return {"lenient": True} if lenient and "lenient" in signature else {}


def bulk_load(nt: str | os.PathLike[str], folder: str | os.PathLike[str], *, block_bytes: int | None = None,
              lenient: bool = False, stop: threading.Event | None = None) -> None:
    """Bulk-load the N-Triples file ``nt`` into a new Oxigraph store at ``folder``, flushed to disk,
    ``block_bytes`` of whole lines at a time (by default :func:`block_bytes_for` the file's size).

    Oxigraph names a blank node afresh in every load, so a block must not split one blank node's
    triples from another's: from the first block that holds ``_:`` (a blank node, or text that
    merely looks like one) on, the rest of the file is loaded in one go.

    Parameters
    ----------
    nt : path
        An N-Triples file (the build's ``graph.nt``).
    folder : path
        Where the store is made; it must not hold another store.
    block_bytes : int, optional
        The most one load takes (a single longer line is still loaded whole).
    lenient : bool
        Oxigraph's ``lenient`` load: IRIs and language tags are not validated again. Only for
        N-Triples this build has just written from terms already checked (pyoxigraph's own
        ``NamedNode`` per row, checked columns for the grants): it took 16 MB blocks of an M
        build's ``graph.nt`` from 61 s of CPU to 54 s (64 MB blocks, not lenient: 50-54 s).
        A pyoxigraph without it (0.4) loads strictly (:func:`load_options`).
    stop : threading.Event, optional
        Once set, the load ends early: the block being loaded is cut short (Oxigraph then
        fails on the cut line, raised as :class:`LoadStopped`) and no further block is
        loaded. The store is left incomplete, for the caller to drop.

    Raises
    ------
    OSError
        The disk is full or the folder cannot be written.
    """
    import pyoxigraph as ox

    free_promptly()
    options = load_options(lenient, ox.Store.bulk_load)
    store = ox.Store(str(folder))
    with open(nt, "rb", buffering=READ_BYTES) as raw:
        f = cast("io.BufferedReader", raw)
        if block_bytes is None:
            block_bytes = block_bytes_for(os.fstat(f.fileno()).st_size)
        while f.peek(1):
            if stop is not None and stop.is_set():
                raise LoadStopped("the store's load was stopped")
            block = Block(f, block_bytes, stop)
            try:
                store.bulk_load(cast("IO[bytes]", block), format=ox.RdfFormat.N_TRIPLES, **options)  # read() is all it uses
            except Exception:
                if block.stopped:
                    raise LoadStopped("the store's load was stopped") from None
                raise
            if block.blank or block.at_end:
                break
    store.flush()
    del store


class LoadStopped(Exception):
    """A load stopped by its ``stop`` event (:func:`bulk_load`): the store is incomplete."""


READ_BYTES = 2**20
"""The read buffer of the N-Triples file a store is loaded from."""


class Block:
    """The next block of an open N-Triples file, as the file object Oxigraph's bulk loader reads:
    from where the file is to the end of the line that reaches ``limit`` bytes, or to the end of
    the file once ``_:`` (a blank node, or text that merely looks like one) is seen, since
    Oxigraph names a blank node afresh in every load.

    The loader asks for a few kilobytes at a time, so a block is never held whole in this
    process (a block read as one ``bytes`` object, 28 MB at M, was kept by glibc in the
    arenas of the loader's threads block after block, see :func:`free_promptly`).

    >>> import io
    >>> f = io.BytesIO(b"<a> <b> <c> .\\n<d> <e> <f> .\\n<g> <h> _:x .\\n<i> <j> <k> .\\n")
    >>> first = Block(f, 3)
    >>> b"".join(iter(lambda: first.read(100), b"")), first.served, first.blank
    (b'<a> <b> <c> .\\n', 14, False)
    >>> second, third = Block(f, 3), Block(f, 3)
    >>> b"".join(iter(lambda: second.read(1000), b"")), second.blank
    (b'<d> <e> <f> .\\n', False)
    >>> b"".join(iter(lambda: third.read(1000), b"")).count(b"\\n"), third.blank, third.at_end
    (2, True, True)
    """

    def __init__(self, f: Any, limit: int, stop: threading.Event | None = None) -> None:
        self._f, self._left, self._last, self._stop = f, max(1, limit), b"", stop
        self.stopped = False
        """The block was cut short by ``stop``."""
        self.served = 0
        """Bytes handed to the loader so far."""
        self.blank = False
        """``_:`` was seen: the block runs to the end of the file."""
        self.at_end = False
        """The file's end was reached."""
        self._done = False

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        if self._done:
            return b""
        if self._stop is not None and self._stop.is_set():
            self._done = self.stopped = True
            return b"<stopped"  # not N-Triples: the loader fails on it and returns
        want = READ_BYTES if n is None or n < 0 else max(1, n)
        if self.blank:
            data = self._f.read(want)
        elif self._left > 0:
            data = self._f.read(min(want, self._left))
            self._left -= len(data)
        else:  # past the limit: to the end of the line
            data = self._f.readline(want)
            self._done = data.endswith(b"\n")
        if not data:
            self._done = self.at_end = True
            return b""
        if not self.blank and b"_:" in self._last + data:
            self.blank, self._done = True, False
        self._last = data[-1:]
        self.served += len(data)
        return data


@contextmanager
def loading(nt: str | os.PathLike[str], folder: str | os.PathLike[str], *, lenient: bool = False) -> Iterator[None]:
    """Load ``nt`` into a store at ``folder`` on a thread while the block runs; wait for it at
    the end. The load's own error (disk full …) is raised as :class:`OSError`; when the block
    fails, the load is stopped (within the block it is loading, see :func:`bulk_load`'s
    ``stop``), waited for, and the block's error wins.

    Parameters
    ----------
    nt, folder : path
        As for :func:`bulk_load`.
    lenient : bool
        As for :func:`bulk_load`.
    """
    box: dict[str, BaseException] = {}
    stop = threading.Event()

    def job() -> None:
        try:
            bulk_load(nt, folder, lenient=lenient, stop=stop)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=job, name="datareach-store", daemon=True)
    thread.start()
    try:
        yield
    except BaseException:
        stop.set()
        raise
    finally:
        thread.join()
    if "error" in box:
        error = box["error"]
        if isinstance(error, OSError):
            raise error
        raise OSError(f"loading the Oxigraph store failed: {error}") from error


def write_mark(folder: Path, mark: dict[str, Any]) -> None:
    """Write the mark naming the build ``folder``'s store was made from (last, once it is whole)."""
    (Path(folder) / MARK).write_text(json.dumps(mark), encoding="utf-8")


def read_mark(folder: Path) -> dict[str, Any]:
    """What the store at ``folder`` says it was made from ({} if nothing readable)."""
    try:
        mark = json.loads((Path(folder) / MARK).read_bytes())
    except (OSError, ValueError):
        return {}
    return mark if isinstance(mark, dict) else {}
