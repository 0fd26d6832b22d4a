"""Text made safe for a terminal or a log: control characters shown, never obeyed.

A company name holding ``ESC ]0;…BEL`` or ``ESC [2J`` would retitle or clear the
terminal of whoever reads a log or an error message. :func:`visible` writes every C0 and
C1 control character (and DEL) as a Python-style escape instead.

>>> visible("Acme\\x1b]0;pwned\\x07 Ltd")
'Acme\\\\x1b]0;pwned\\\\x07 Ltd'
"""

from __future__ import annotations

import re

_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with C0/C1 control characters (tab and newline included) as ``\\xNN`` escapes.

    >>> visible("a\\tb\\x9bc")
    'a\\\\x09b\\\\x9bc'
    >>> visible("plain é ✓")
    'plain é ✓'
    """
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
