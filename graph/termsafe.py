"""Make text safe to print to a terminal or a log.

A company name holding ``ESC ]0;…BEL`` retitles the terminal, ``ESC [2J`` clears it,
and a right-to-left override reverses the text after it. ``visible`` shows such code
points as escapes instead. Apply it to each field or value, not to a whole document, so
the line breaks an output format uses itself stay line breaks.
"""

from __future__ import annotations

import re

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
