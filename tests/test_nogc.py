"""graph.nogc.paused across threads: the collector switch is the process's, so it comes
back on only when the last block ends, whatever the interleaving."""

from __future__ import annotations

import gc
import sys
import threading

from graph import nogc


def test_overlapping_blocks_leave_the_collector_as_they_found_it() -> None:
    assert gc.isenabled()
    first, second = nogc.paused(), nogc.paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first ends while the second still runs: stay off
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with nogc.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_many_threads_end_with_the_collector_on() -> None:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        def work() -> None:
            for _ in range(20_000):
                with nogc.paused():
                    pass

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert gc.isenabled()
