"""Write a fact file as YAML that the strict loader accepts: every scalar a quoted string,
no anchors or aliases, one record per list item.

Each string is written in YAML's double-quoted style. ``json.dumps`` gives that style
for almost every character; the few characters YAML reads differently (line separators,
C1 controls, non-characters) are escaped here so the text round-trips exactly.
"""

from __future__ import annotations

import json
import re
from typing import Any

SECTION_ORDER = ("sources", "judgements", "companies", "ownership", "domains", "holdings", "grants", "incidents")

# Characters PyYAML's reader refuses, or treats as line breaks inside a quoted scalar.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar.

    >>> quote('say "no"')
    '"say \\\\"no\\\\""'
    >>> quote("a\\u2028b")
    '"a\\\\u2028b"'
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def _flow(value: Any) -> str:
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} in a fact file")


def _record(record: dict[str, Any]) -> list[str]:
    lines = []
    for i, (key, value) in enumerate(record.items()):
        lead = "  - " if i == 0 else "    "
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{lead}{key}:")
            lines += [f"      - {_flow(v)}" for v in value]
        else:
            lines.append(f"{lead}{key}: {_flow(value)}")
    return lines


def dump(data: dict[str, list[dict[str, Any]]], header: list[str] | None = None) -> str:
    """The YAML text of a fact file (sections in a fixed order, empty ones left out).

    >>> print(dump({"companies": [{"name": "Example Co", "aliases": ["Ex"]}]}, ["made up"]), end="")
    # made up
    companies:
      - name: "Example Co"
        aliases: ["Ex"]
    """
    lines = [f"# {h}" for h in header or []]
    for section in sorted(data, key=lambda s: SECTION_ORDER.index(s) if s in SECTION_ORDER else 99):
        records = data[section]
        if not records:
            continue
        lines.append(f"{section}:")
        for record in records:
            lines += _record(record)
    return "\n".join(lines) + "\n"
