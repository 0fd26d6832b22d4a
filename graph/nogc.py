"""Pause the cyclic garbage collector while a large acyclic answer is built.

Building tens of thousands of small dicts (reach rows, JSON lines) triggers
collections that walk everything alive, which at M size doubled reach's time. The
answer holds no reference cycles, so nothing is lost by collecting afterwards.

>>> import gc
>>> with paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_inside = 0  # blocks running now, in any thread
_was_enabled = False  # the collector's state when the first of them began


@contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; re-enable it when the last block
    running in any thread ends, if it was on when the first began (the switch is the
    process's, not a thread's)."""
    global _inside, _was_enabled
    with _LOCK:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _LOCK:
            _inside -= 1
            if _inside == 0 and _was_enabled:
                gc.enable()
