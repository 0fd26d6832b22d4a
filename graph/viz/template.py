"""The HTML page around the graph: one file, every script and style inline, a strict CSP.

Data never becomes markup. The page's only data-dependent parts are the escaped
``<title>``/``<h1>`` text and one ``<script type="application/json">`` block whose
``<``, ``>``, ``&``, U+2028 and U+2029 are ``\\u``-escaped, so no string can close
the element; the page script reads it with ``JSON.parse`` and builds everything with
DOM calls. The Content-Security-Policy allows exactly the inline scripts and styles
hashed here, ``data:`` images and nothing else: no request can leave the file.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

from graph.errors import OutputError

ASSETS = Path(__file__).with_name("assets")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_for_html(data: Any) -> str:
    """Compact JSON that is safe inside a ``<script>`` element.

    >>> print(json_for_html({"a": "</script><b>&"}))
    {"a":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026"}
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, escaped in _JSON_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


def csp_hash(text: str) -> str:
    """The CSP source expression allowing one inline script or style.

    >>> csp_hash("")
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _inline_safe(code: str, tag: str) -> str:
    if f"</{tag}" in code.lower() or "<!--" in code:
        raise OutputError(f"an inline {tag} would end early; refusing to build the page")
    return code


def asset(name: str) -> str:
    """The text of one of our own page assets (assets/)."""
    return (ASSETS / name).read_text(encoding="utf-8")


def page(data: dict[str, Any], *, title: str, subtitle: str, vis_js: str, vis_css: str) -> str:
    """The complete HTML document."""
    scripts = [_inline_safe(vis_js, "script"), _inline_safe(asset("app.js"), "script")]
    styles = [_inline_safe(vis_css, "style"), _inline_safe(asset("app.css"), "style")]
    policy = "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(csp_hash(s) for s in scripts),
        "style-src " + " ".join(csp_hash(s) for s in styles),
        "img-src data:", "font-src 'none'", "connect-src 'none'", "media-src 'none'", "object-src 'none'",
        "frame-src 'none'", "worker-src 'none'", "manifest-src 'none'", "base-uri 'none'", "form-action 'none'",
    ])
    parts = {
        "CSP": html.escape(policy, quote=True),
        "TITLE": html.escape(title, quote=True),
        "SUBTITLE": html.escape(subtitle, quote=True),
        "STYLES": "".join(f"<style>{s}</style>\n" for s in styles),
        "LEGEND": asset("legend.html"),
        "DATA": f'<script type="application/json" id="data">{json_for_html(data)}</script>',
        "SCRIPTS": "".join(f"<script>{s}</script>\n" for s in scripts),
    }
    # One pass over the shell: inserted text is never scanned for markers again.
    return re.sub(r"@@([A-Z]+)@@", lambda m: parts[m.group(1)], asset("shell.html"))
