"""Fit text for people to a width: prose wrapped at word boundaries, tables that wrap
their cells or, when their columns cannot fit, become one block of ``header value``
lines per row.

The width is a parameter (the CLI reads it from the terminal or ``COLUMNS``); ``None``
means no limit, the full text on long lines (``--wide``). Widths are counted in terminal
cells by ``rich.cells`` (``cell_len``, ``set_cell_size``: wide East Asian characters and
emoji take two cells, combining marks none), so a CJK name lines up. A line is broken
only at spaces; a single word longer than its line is shortened and ends with "…",
never broken onto the next line. Everything passes through ``safetext.visible`` and is
never read as markup, so a label holding ``[bold]`` or an escape sequence prints as itself.

The columns are laid out here, not by ``rich.table``: the widths are chosen to make the
table shortest (``_column_widths``), and with them set, drawing is a few lines. Measured
(``bench/bench_textfit.py``), ``rich.table.Table`` took about 1 ms a row (5 s for
10,000 rows at 80 columns), and before rich 14.3 laid fixed-width columns out a cell
wider than asked.

>>> print(fit("Who could reach phone number (filters: through ownership): 4 parties", 30))
Who could reach phone number
  (filters: through
  ownership): 4 parties
>>> print(table(["company", "path"], [["Facebook", "holds it (stated)"]], width=None))
company   path
--------  -----------------
Facebook  holds it (stated)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from rich.cells import cell_len, set_cell_size

from graph.safetext import visible

LongWords = Literal["shorten", "keep"]
ELLIPSIS = "…"
MIN_WIDTH = 20
"""The narrowest width the CLI fits text to (a smaller terminal or COLUMNS counts as this)."""
_WORD = re.compile(r"\S+\s*")
_MIN_LINE = 10  # an indented line keeps at least this many cells for its words


def shorten(word: str, width: int) -> str:
    """``word`` cut to ``width`` cells, ending with "…" when it was longer.

    >>> shorten("https://example.org/a/long/path", 12), shorten("short", 12)
    ('https://exa…', 'short')
    """
    if cell_len(word) <= width:
        return word
    return set_cell_size(word, max(width - 1, 0)).rstrip() + ELLIPSIS


def fit_line(line: str, width: int | None, *, hanging: int = 2, long_words: LongWords = "shorten") -> list[str]:
    """One line wrapped at spaces to ``width`` cells; its own leading spaces indent every
    piece, and the pieces after the first by ``hanging`` more.

    Parameters
    ----------
    line : str
        One line (no line breaks); made visible (``safetext.visible``).
    width : int or None
        The most cells a piece may take; None keeps the line whole.
    hanging : int
        Extra indent of the continuation pieces.
    long_words : {"shorten", "keep"}
        What a word longer than a whole line becomes: shortened to end with "…" (in an
        answer, where ``--wide`` and JSON give it whole), or kept whole on a piece of its
        own, wider than ``width`` (a path or an address in a message, to be copied).

    Returns
    -------
    list of str

    >>> fit_line("  [1] Techly, \\"A title\\", 2018-12-20, https://www.techly.com.au/2018/12/20/x", 30, hanging=4)
    ['  [1] Techly, "A title",', '      2018-12-20,', '      https://www.techly.com.…']
    """
    line = visible(line)
    if width is None:
        return [line.rstrip()]
    width = max(width, 1)
    lead = line[: len(line) - len(line.lstrip(" "))]
    first, rest = _indent(lead, width), _indent(lead + " " * hanging, width)
    pieces: list[str] = []
    current, room = first, width - cell_len(first)
    for word in _WORD.findall(line[len(lead):]):
        bare = word.rstrip()
        if current.strip() and cell_len(bare) > room:
            pieces.append(current.rstrip())
            current, room = rest, width - cell_len(rest)
        bare = bare if long_words == "keep" else shorten(bare, room)
        current += bare + word[len(word.rstrip()):]
        room -= cell_len(bare) + len(word) - len(word.rstrip())
    pieces.append(current.rstrip())
    return pieces


def _indent(lead: str, width: int) -> str:
    return lead[: max(min(len(lead), width - _MIN_LINE), 0)]


def fit(text: str, width: int | None, *, hanging: int = 2, long_words: LongWords = "shorten") -> str:
    """Each line of ``text`` fitted to ``width`` (``fit_line``); line breaks are kept.

    Parameters
    ----------
    text : str
    width : int or None
        None: every line whole (made visible only).
    hanging : int
        Extra indent of a wrapped line's continuation.
    long_words : {"shorten", "keep"}
        See ``fit_line``.

    Returns
    -------
    str

    >>> fit("Sources:\\n  [1] Vice, 2021, https://vice.com/x", 24, hanging=4)
    'Sources:\\n  [1] Vice, 2021,\\n      https://vice.com/x'
    """
    return "\n".join(piece for line in text.split("\n")
                     for piece in fit_line(line, width, hanging=hanging, long_words=long_words))


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]) -> list[str]:
    """The table in columns of ``widths`` cells, two spaces apart: the headers, a rule of
    dashes, then the rows, each cell wrapped in its column; rows a blank line apart when any wraps."""
    cells = [[fit_line(v, w, hanging=0) for v, w in zip(row, widths, strict=True)] for row in rows]
    lines = [*_lines([fit_line(h, w, hanging=0) for h, w in zip(headers, widths, strict=True)], widths),
             "  ".join("-" * w for w in widths)]
    apart = any(len(c) > 1 for row in cells for c in row)
    for i, row in enumerate(cells):
        if apart and i:
            lines.append("")
        lines += _lines(row, widths)
    return lines


def _lines(row: Sequence[list[str]], widths: Sequence[int]) -> list[str]:
    """One row whose cells are lists of lines, side by side."""
    height = max(len(c) for c in row)
    return ["  ".join(set_cell_size(c[k] if k < len(c) else "", w) for c, w in zip(row, widths, strict=True)).rstrip()
            for k in range(height)]


_SAMPLE = 200  # rows a layout is estimated on
_TALLER = 1.5  # a table may take this many times the lines of the one-block-per-row layout


def _longest_word(text: str) -> int:
    return max((cell_len(w) for w in text.split()), default=0)


def _height(lengths: Sequence[Sequence[int]], widths: Sequence[int]) -> int:
    """Lines the rows take (estimated: a cell of n cells in a column of w takes n/w lines, rounded up)."""
    return sum(max(-(-n // w) if n else 1 for n, w in zip(row, widths, strict=True)) for row in lengths)


def _column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[int] | None:
    """Widths for the columns within ``width`` that make the rows the fewest lines, or None when
    a one-block-per-row layout (``_records``) is shorter by far. Each column starts at its longest
    word (for a cell's word, at most a quarter of the width: a longer one, a long address, ends with "…") and
    grows a cell at a time where that saves the most lines; a header's words are never cut."""
    gaps = 2 * (len(headers) - 1)
    sample = rows[:_SAMPLE]
    lengths = [[cell_len(v) for v in row] for row in sample]
    natural = [max([cell_len(h), *(row[i] for row in lengths)]) for i, h in enumerate(headers)]
    if sum(natural) + gaps <= width:
        return natural
    cap = max(width // 4, 8)
    widths = [max(_longest_word(h), min(max((_longest_word(r[i]) for r in sample), default=1), cap, n), 1)
              for i, (h, n) in enumerate(zip(headers, natural, strict=True))]
    room = width - gaps - sum(widths)
    if room < 0:
        return None
    while room > 0:
        growable = [i for i, w in enumerate(widths) if w < natural[i]]
        if not growable:
            break
        now = _height(lengths, widths)
        best, saved = growable[0], -1
        for i in growable:
            widths[i] += 1
            gain = now - _height(lengths, widths)
            widths[i] -= 1
            if gain > saved or gain == saved and natural[i] - widths[i] > natural[best] - widths[best]:
                best, saved = i, gain
        widths[best] += 1
        room -= 1
    label = max(cell_len(h) for h in headers) + 2
    blocks = sum(sum(-(-n // max(width - label, 1)) for n in row if n) + 1 for row in lengths)
    tall = _height(lengths, widths) + len(lengths)  # the blank lines between wrapped rows
    return widths if tall <= _TALLER * blocks else None


def _records(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """Each row as lines of ``header  value`` (value wrapped beside its header), rows a blank line apart;
    when the values would get less than half the width, each header on a line of its own."""
    label = max(cell_len(h) for h in headers) + 2
    beside = width - label >= width // 2
    lines: list[str] = []
    for row in rows:
        if lines:
            lines.append("")
        for header, value in zip(headers, row, strict=True):
            if not value:
                continue
            if beside:
                pieces = fit_line(" " * label + clip(value, width - label), width, hanging=0)
                lines.append(set_cell_size(header, label) + pieces[0][label:])
                lines += pieces[1:]
            else:
                lines.append(shorten(header, width))
                lines += fit_line("    " + clip(value, width - 4), width, hanging=0)
    return lines


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, width: int | None) -> str:
    """An aligned table fitted to ``width`` cells.

    Cells wrap at spaces inside their column. When the columns cannot all fit with their
    longest words whole, each row is written as a block of ``header  value`` lines
    instead (as ``psql``'s expanded display), so no word is cut to make room.

    Parameters
    ----------
    headers : list of str
    rows : list of list of str
        Cell text, one line each (made visible here).
    width : int or None
        The most cells a line may take; None: every cell whole on one line.

    Returns
    -------
    str

    >>> print(table(["rank", "company"], [["1", "Royal Bank of Canada"]], width=20))
    rank  company
    ----  --------------
    1     Royal Bank of
          Canada
    >>> print(table(["rank", "company", "details"], [["1", "Amazon", "address book; name"]], width=20))
    rank     1
    company  Amazon
    details  address
             book; name
    """
    heads = [visible(h) for h in headers]
    body = [[visible(" ".join(v.split())) for v in row] for row in rows]
    if width is None:
        return "\n".join(_whole(heads, body))
    width = max(width, 1)
    widths = _column_widths(heads, body, width)
    if widths is None:  # one block a row; with no rows, the column names wrapped as words
        return "\n".join(_records(heads, body, width)) if body else fit("  ".join(heads), width)
    body = [[clip(v, w) for v, w in zip(row, widths, strict=True)] for row in body]
    return "\n".join(_grid(heads, body, widths))


def _whole(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The table with every cell whole on one line (no rich: nothing to wrap, and a cell of
    thousands of characters must not pad every line to its width)."""
    natural = [max([cell_len(h), *(cell_len(row[i]) for row in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join([*(set_cell_size(c, w) for c, w in zip(cells[:-1], natural, strict=False)), cells[-1]]).rstrip()

    return [line(headers), line(["-" * w for w in natural]), *(line(row) for row in rows)]


MAX_LINES = 12
"""The most lines a table cell wraps to; a longer one is shortened at a word and ends with " …"."""


def clip(text: str, width: int, lines: int = MAX_LINES) -> str:
    """``text`` shortened at a word boundary (ending " …") so that wrapped to ``width`` it takes
    at most ``lines`` lines, and each word longer than ``width`` shortened (``shorten``);
    other text is returned as it is.

    >>> clip("alpha beta gamma delta epsilon", 11, lines=2)
    'alpha beta gamma …'
    """
    if _longest_word(text) > width:
        text = " ".join(shorten(word, width) for word in text.split(" "))
    if cell_len(text) <= width * lines // 2:
        return text
    pieces = fit_line(text, width, hanging=0)
    if len(pieces) <= lines:
        return text
    kept = pieces[:lines]
    words = kept[-1].split(" ")
    while words and cell_len(" ".join([*words, ELLIPSIS])) > width:
        words.pop()
    return " ".join([*kept[:-1], *words, ELLIPSIS])
