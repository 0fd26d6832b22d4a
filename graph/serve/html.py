"""HTML for the server's pages: one layout, escaped text, links that keep the view's state.

Every string that comes from data or the request goes through :func:`esc`; links are
built with :class:`Links`, which URL-encodes parameters and carries ``?token=`` along when
the visitor came with one. The pages load one local stylesheet and no script at all, and
say so in their Content-Security-Policy.

>>> esc('<b title="x">&</b>')
'&lt;b title=&quot;x&quot;&gt;&amp;&lt;/b&gt;'
>>> Links(None).url("/reach", data_type="phone number", as_of="")
'/reach?data_type=phone+number'
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from graph.safetext import cell

PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
NAV = (("/reach", "Who could reach…"), ("/table", "Partner table"), ("/company", "Companies"), ("/graph", "Graph"),
       ("/query", "SPARQL"))
"""The pages every page links to (the brand links to ``/``)."""


def esc(value: Any) -> str:
    """Display text for ``value`` (lists joined, None empty), HTML-escaped."""
    return html.escape(cell(value), quote=True)


class Links:
    """Builds same-site URLs and hidden form fields, keeping the visitor's token."""

    def __init__(self, token: str | None, *, private: bool = False) -> None:
        self.token = token
        self.private = private  # a visitor without the token: show no figures of the graph

    def url(self, path: str, **params: Any) -> str:
        """``path`` with the non-empty ``params`` (lists repeat the key)."""
        items: list[tuple[str, str]] = []
        for key, value in params.items():
            values = value if isinstance(value, list | tuple) else [value]
            items += [(key, str(v)) for v in values if v not in (None, "", False)]
        if self.token is not None:
            items.append(("token", self.token))
        return path + ("?" + urlencode(items) if items else "")

    def a(self, text: str, path: str, **params: Any) -> str:
        """An escaped link."""
        return f'<a href="{esc(self.url(path, **params))}">{esc(text)}</a>'

    def hidden(self) -> str:
        """The hidden token field for a form (empty without a token)."""
        return "" if self.token is None else f'<input type="hidden" name="token" value="{esc(self.token)}">'


def nav_links(links: Links, current: str = "") -> str:
    """The links to every page, the current one marked ``aria-current``."""
    return "".join(f'<a href="{esc(links.url(path))}"' + (' aria-current="page"' if current.startswith(path) else "")
                   + f">{esc(text)}</a>" for path, text in NAV)


def layout(title: str, body: str, links: Links, *, footer: str = "", current: str = "") -> bytes:
    """A whole page: navigation (``current`` marked), ``body`` (already HTML) and a footer."""
    nav = nav_links(links, current)
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · datareach</title>"
        '<link rel="stylesheet" href="/static/style.css"></head><body>'
        f'<header><nav><a class="brand" href="{esc(links.url("/"))}">datareach</a>{nav}</nav></header>'
        f"<main><h1>{esc(title)}</h1>{body}</main><footer>{footer}</footer></body></html>"
    )
    return page.encode("utf-8")


def field(label: str, name: str, value: str | None, *, placeholder: str = "",
          options: Sequence[tuple[str, str]] | None = None, datalist: str | None = None) -> str:
    """A labelled text input, or a select when ``options`` (value, text) are given."""
    if options is not None:
        opts = "".join(f'<option value="{esc(v)}"{" selected" if v == (value or "") else ""}>{esc(t)}</option>'
                       for v, t in options)
        return f'<label>{esc(label)}<select name="{esc(name)}">{opts}</select></label>'
    listed = "" if datalist is None else f' list="{esc(datalist)}"'
    return (f'<label>{esc(label)}<input type="text" name="{esc(name)}" value="{esc(value or "")}"'
            f' placeholder="{esc(placeholder)}"{listed}></label>')


def datalist(ident: str, values: Iterable[str]) -> str:
    """A ``<datalist>`` of suggestions."""
    return f'<datalist id="{esc(ident)}">' + "".join(f'<option value="{esc(v)}">' for v in values) + "</datalist>"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, row_classes: Sequence[str] = (),
          ident: str = "") -> str:
    """A table; cells are HTML already (escape them with :func:`esc` first)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = row_classes[i] if i < len(row_classes) and row_classes[i] else ""
        attr = f' class="{esc(cls)}"' if cls else ""
        body.append(f"<tr{attr}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    ident_attr = f' id="{esc(ident)}"' if ident else ""
    return f"<table{ident_attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def downloads(links: Links, items: Sequence[tuple[str, str]], query: dict[str, Any], note: str = "") -> str:
    """The links to an answer as data (``(text, path)``: ``.json``, ``.csv``), keeping ``query``."""
    return ('<p class="downloads">' + "".join(links.a(text, path, **query) for text, path in items)
            + (f'<span class="note">{note}</span>' if note else "") + "</p>")


def error_box(message: str) -> str:
    """A visible error message."""
    return f'<p class="error" role="alert">{esc(message)}</p>'
