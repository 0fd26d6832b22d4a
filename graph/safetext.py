"""Make text safe for every output: a terminal, a log, a spreadsheet, JSON.

A company name holding ``ESC ]0;…BEL`` retitles the terminal, ``ESC [2J`` clears it,
and a right-to-left override reverses the text after it. ``visible`` shows such code
points as escapes instead. Apply it to each field or value, not to a whole document, so
the line breaks an output format uses itself stay line breaks. ``printable`` does that
line by line, ``spreadsheet_safe`` keeps a spreadsheet from running a cell as a formula,
``json_safe`` escapes in JSON text what a terminal would act on, and ``cell`` turns one
value into display text. Every output layer (present, export, sparql, serve, cli) uses
these: one rule each.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls, DEL, C1 controls, bidi marks, overrides and isolates, zero-width
# characters, the line and paragraph separators, the BOM, interlinear annotation
# characters, and lone surrogates (which cannot even be encoded for output).
_DANGEROUS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069"
                        "\ufeff\ufff9-\ufffb\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with control, bidi and other dangerous code points shown as ``\\xNN`` / ``\\uNNNN``.

    >>> visible("Acme\\x1b]0;owned\\x07 Ltd")
    'Acme\\\\x1b]0;owned\\\\x07 Ltd'
    >>> visible("evil\\u202egnp.exe"), visible("line\\nbreak"), visible("café, 東京")
    ('evil\\\\u202egnp.exe', 'line\\\\x0abreak', 'café, 東京')
    """
    return _DANGEROUS.sub(_escape, text)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One value as display text: lists joined with '; ', None as ''.

    >>> cell(["read", "write"]), cell(None), cell(True)
    ('read; write', '', 'yes')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(cell(v) for v in value)
    return str(value)


def spreadsheet_safe(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula.

    >>> spreadsheet_safe("=HYPERLINK(\\"x\\")"), spreadsheet_safe("Spotify")
    ('\\'=HYPERLINK("x")', 'Spotify')
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def printable(text: str) -> str:
    """``text`` for a terminal: each line through ``safetext.visible``, the line breaks kept.

    >>> printable("a\\x1b[2J\\nb")
    'a\\\\x1b[2J\\nb'
    """
    return "\n".join(visible(line) for line in text.split("\n"))


def json_safe(text: str) -> str:
    """JSON text with C1 controls, bidi and zero-width characters and lone surrogates as
    ``\\uNNNN`` escapes (the same JSON value, but nothing a terminal acts on)."""
    return _JSON_UNSAFE.sub(_json_escape, text)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"
