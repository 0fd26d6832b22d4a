"""Text for a static figure: cleaned, measured conservatively, shortened and wrapped at word boundaries.

No font is embedded: the figure names a generic stack (``FONT``) and every width here is
an upper bound over the fonts a reader is likely to get. ``REGULAR`` and ``BOLD`` are the
advance widths (in 1/1000 em) of ASCII 32–126, each the larger of DejaVu Sans and
Liberation Sans (metric-compatible with Arial and Helvetica), read from the font files
with fontTools; any other character counts as a full em when East Asian wide, else 0.72 em.
So a label measured here fits whichever of those fonts draws it.
"""

from __future__ import annotations

import unicodedata

from graph.safetext import visible

FONT = "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"

REGULAR = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 556, 1015, 684, 686, 722, 770, 667, 611, 778,
    752, 295, 500, 667, 557, 863, 748, 787, 667, 787, 722, 667, 611, 732, 684, 989, 685, 667, 685, 390,
    337, 390, 838, 556, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838)
BOLD = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 611, 1000, 774, 762, 734, 830, 683, 683, 821,
    837, 372, 556, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457,
    365, 457, 838, 556, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687,
    716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838)
ELLIPSIS = "…"


def clean(text: object, limit: int = 200) -> str:
    """Untrusted text made fit for one line of a figure: whitespace runs as one space, hidden and
    direction-changing characters written out (``graph.safetext.visible``), at most ``limit`` characters.

    >>> clean("Evil\\u202e Corp\\n  Ltd")
    'Evil\\\\u202e Corp Ltd'
    """
    flat = " ".join(str(text).split())
    return visible(flat[: limit * 2])[:limit]


def char_width(ch: str, bold: bool = False) -> float:
    """The advance width of one character in em (an upper bound, see the module docstring)."""
    code = ord(ch)
    if 32 <= code < 127:
        return (BOLD if bold else REGULAR)[code - 32] / 1000
    if unicodedata.combining(ch):
        return 0.0
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.72


def width(text: str, size: float, bold: bool = False) -> float:
    """The width in pixels of ``text`` at font size ``size``.

    >>> width("Apple", 10) < width("APPLE", 10) < width("APPLE", 10, bold=True)
    True
    """
    return size * sum(char_width(ch, bold) for ch in text)


def shorten(text: str, room: float, size: float, bold: bool = False) -> str:
    """``text`` cut at a word boundary (or, for one long word, inside it) with an ellipsis to fit ``room`` pixels.

    >>> shorten("Example Consultancy Limited", 100, 12)
    'Example…'
    >>> shorten("Apple", 100, 12)
    'Apple'
    """
    if width(text, size, bold) <= room:
        return text
    keep = ""
    for ch in text:
        if width(keep + ch + ELLIPSIS, size, bold) > room:
            break
        keep += ch
    if " " in keep and text[len(keep)] != " ":  # cut inside a word: end at the word before it
        keep = keep.rsplit(" ", 1)[0]
    return keep.rstrip(" ,;:·–-") + ELLIPSIS


def wrap(text: str, room: float, size: float, bold: bool = False, max_lines: int = 0) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``room`` pixels (a word too long alone is
    shortened); with ``max_lines``, the last line kept ends in an ellipsis when text was left out.

    >>> wrap("one two three four", 60, 12)
    ['one two', 'three four']
    >>> wrap("one two three four", 60, 12, max_lines=1)
    ['one two…']
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and width(candidate, size, bold) > room:
            lines.append(line)
            candidate = word
        line = candidate if width(candidate, size, bold) <= room else shorten(candidate, room, size, bold)
    if line:
        lines.append(line)
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = shorten(lines[-1] + " " + "x" * 200, room, size, bold)  # forces the ellipsis at a word end
    return lines
