"""Where in a source a fact is stated, for a reader: each locator once, rows of one file as runs.

A crawl's company is cited at thousands of rows of a few files (``2018-01/…/sites_trackers.csv
row 2604``); written one by one, its citations would bury the answer. ``locator_list`` joins the
rows of one file into runs (``rows 2602–2612, 2650``) and, past a limit, says how many more were
cited. The JSON and CSV answers keep every locator.

>>> locator_list(["f.csv row 3", "¶6", "f.csv row 5", "f.csv row 4", "f.csv row 9"])
'f.csv rows 3–5, 9, ¶6'
>>> locator_list([f"f.csv row {n}" for n in range(0, 40, 2)], limit=3)
'f.csv rows 0, 2, 4 and 17 more'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REF_LOCATORS = 12
"""Locators (or runs of rows) a citation lists before saying how many more were cited."""

_ROW = re.compile(r"(\S.*?) rows? (\d{1,12})")


def locator_list(locators: Iterable[str], limit: int | None = REF_LOCATORS, sep: str = ", ") -> str:
    """The locators, each once, in the order first cited; ``PREFIX row N`` locators of one
    prefix together, their numbers sorted and joined into runs (``PREFIX rows 3–5, 9``); past
    ``limit`` pieces (a locator or a run), ``and N more`` (N: the locators left out).

    Parameters
    ----------
    locators : iterable of str
        Locators as cited (empty ones are skipped).
    limit : int, optional
        Pieces to write; None writes all.
    sep : str
        Between pieces.

    Returns
    -------
    str

    >>> locator_list(["t.csv row 1", "t.csv row 2", "u.csv row 7", "p. 3"], sep="; ")
    't.csv rows 1–2; u.csv row 7; p. 3'
    >>> locator_list(["a", "b", "a", "c"], limit=2)
    'a, b and 1 more'
    """
    entries: dict[str, list[int] | None] = {}  # a plain locator (None), or a prefix and its rows
    for raw in locators:
        locator = " ".join(str(raw or "").split())
        if not locator:
            continue
        row = _ROW.fullmatch(locator)
        if row is None:
            entries.setdefault(locator, None)
            continue
        rows = entries.setdefault("\0" + row[1], [])
        assert rows is not None
        rows.append(int(row[2]))
    pieces: list[tuple[str, int]] = []  # (text, how many locators it stands for)
    for key, rows in entries.items():
        if rows is None:
            pieces.append((key, 1))
            continue
        runs = _runs(sorted(set(rows)))
        label = f"{key[1:]} {'row' if len(runs) == 1 and runs[0][0] == runs[0][1] else 'rows'} "
        for i, (first, last) in enumerate(runs):
            text = str(first) if first == last else f"{first}–{last}"
            pieces.append(((label if i == 0 else "") + text, last - first + 1))
    shown = pieces if limit is None else pieces[:max(limit, 0)]
    more = sum(n for _, n in pieces[len(shown):])
    return sep.join(text for text, _ in shown) + (f" and {more:,} more" if more > 0 else "")


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted distinct numbers as (first, last) runs of consecutive ones.

    >>> _runs([1, 2, 3, 7, 9, 10])
    [(1, 3), (7, 7), (9, 10)]
    """
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs
