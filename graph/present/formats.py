"""Render rows of answers as text tables, CSV, Markdown or a self-contained HTML page.

Pure functions returning strings. CSV cells that a spreadsheet would run as a formula
are neutralised; HTML and Markdown are escaped (HTML carries a Content-Security-Policy);
text for a terminal shows control and bidi characters as escapes (``graph.safetext``).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from graph import nogc, textfit
from graph.safetext import cell, json_safe, spreadsheet_safe

_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)  # answers are trees: no cycles to look for


_MD_SPECIAL = re.compile(r"([\\`*_\[\]()!|~])")
_MD_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$")


def markdown_text(value: Any) -> str:
    r"""One value as Markdown text that renders as itself: HTML escaped, and every character
    that could start a link, an image, emphasis, code or a table cell backslash-escaped.

    >>> markdown_text('<img src=x onerror=alert(1)> ![t](https://evil/p.png) a|b')
    '&lt;img src=x onerror=alert\\(1\\)&gt; \\!\\[t\\]\\(https://evil/p.png\\) a\\|b'
    """
    text = " ".join(cell(value).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def markdown_url(url: str) -> str:
    r"""An http(s) address as a Markdown autolink (``<…>``, taken literally), anything else as text.

    >>> markdown_url("https://example.org/a?b=1&c"), markdown_url("javascript:alert(1)")
    ('<https://example.org/a?b=1&c>', 'javascript:alert\\(1\\)')
    """
    return f"<{url}>" if _MD_URL.match(url) else markdown_text(url)


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ",") -> str:
    """CSV with a header row; every cell spreadsheet-safe."""
    return "".join(csv_chunks(headers, rows, delimiter=delimiter))


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ",",
               size: int = 4096) -> Iterator[str]:
    r"""``csv_text`` written ``size`` rows at a time (the header with the first), for answers
    too large to hold as one string; the chunks joined are ``csv_text``.

    >>> list(csv_chunks(["a", "b"], [[1, "=x"], [None, ["p", "q"]]], size=1))
    ["a,b\n1,'=x\n", ',p; q\n', '']
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(headers)
    for n, row in enumerate(rows, 1):
        writer.writerow([spreadsheet_safe(v if type(v) is str else cell(v)) for v in row])  # most cells are text
        if n % size == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, width: int | None = None) -> str:
    """An aligned plain-text table fitted to ``width`` terminal cells (``graph.textfit.table``):
    cells wrap at spaces, and a table whose columns cannot fit becomes one block per row.

    Parameters
    ----------
    headers : list of str
    rows : list of list
        Values; each is shown as ``safetext.cell`` text on one line, made visible.
    width : int or None
        The most cells a line may take; None (the default) keeps every cell whole.

    Returns
    -------
    str

    >>> print(text_table(["a", "bb"], [["x", "y"]]))
    a  bb
    -  --
    x  y
    """
    return textfit.table(headers, [[cell(v) for v in row] for row in rows], width=width)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table; every cell is ``markdown_text`` (no HTML, links or images)."""
    lines = ["| " + " | ".join(markdown_text(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(markdown_text(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_STYLE = ("body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}"
          "th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}"
          "th{background:#f3f3f3}tr.disputed td{background:#fff6e0}")


def html_page(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, links: Sequence[str | None] = (),
              row_classes: Sequence[str] = ()) -> str:
    """A self-contained HTML page with one table; no scripts, everything escaped.

    ``links``: per row, an http(s) URL to link the last cell to (others are ignored).
    """
    out = ["<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
           f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
           f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
           f"<h1>{html.escape(title)}</h1><table><thead><tr>",
           "".join(f"<th>{html.escape(h)}</th>" for h in headers), "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        cls = row_classes[i] if i < len(row_classes) else ""
        cells = [html.escape(cell(v)).replace("\n", "<br>") for v in row]
        url = links[i] if i < len(links) else None
        if url is not None and url.startswith(("https://", "http://")) and cells:
            cells[-1] = f'<a href="{html.escape(url, quote=True)}" rel="noreferrer noopener">{cells[-1]}</a>'
        out.append(f'<tr class="{html.escape(cls)}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table></body></html>")
    return "".join(out)


def json_list_chunks(items: Iterable[Any], *, size: int = 4096) -> Iterator[str]:
    r"""``json_text`` of a list, ``size`` items at a time, for answers too large to hold as one
    string; the chunks joined are ``json_text(list(items))``.

    >>> list(json_list_chunks([{"a": 1}, {"a": "\u202e"}], size=1)), list(json_list_chunks([]))
    (['[\n  {"a": 1}', ',\n  {"a": "\\u202e"}', '\n]'], ['[]'])
    """
    encode, lines, started = _ENCODER.encode, [], False
    for item in items:
        lines.append((",\n  " if started else "[\n  ") + encode(item))
        started = True
        if len(lines) == size:
            yield json_safe("".join(lines))
            lines.clear()
    if lines:
        yield json_safe("".join(lines))
    yield "\n]" if started else "[]"


def json_text(data: Any) -> str:
    """JSON with one record per line, non-ASCII kept: the items of a list (at the top or
    as a value of the top object) each on a line of their own, the top object's keys
    one per line. Large answers stay fast (each line is written by the C encoder) and
    line tools (grep, head, wc -l) work on them; ``jq .`` pretty-prints.

    >>> print(json_text({"total": 2, "rows": [{"a": 1}, {"a": 2}], "empty": []}))
    {
      "total": 2,
      "rows": [
        {"a": 1},
        {"a": 2}
      ],
      "empty": []
    }
    """
    encode = _ENCODER.encode

    def value(item: Any, indent: str) -> str:
        if isinstance(item, list) and item:
            return "[\n" + ",\n".join(indent + "  " + encode(x) for x in item) + "\n" + indent + "]"
        return encode(item)

    with nogc.paused():
        if isinstance(data, dict) and data:
            text = "{\n" + ",\n".join(f"  {encode(str(k))}: {value(v, '  ')}" for k, v in data.items()) + "\n}"
        else:
            text = value(data, "")
    # The encoder escapes C0 controls itself; C1 controls, bidi and zero-width characters and
    # lone surrogates it keeps as they are (ensure_ascii=False): escape those too.
    return json_safe(text)
