"""A page's reply: a whole HTML page under the strict policy, or its answer as JSON or CSV."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph.present import formats
from graph.present.answers import Sheet
from graph.present.sheets import sheet_csv
from graph.serve.html import PAGE_CSP, Links, esc, layout
from graph.serve.protocol import Answer
from graph.serve.state import Snapshot

Result = tuple[int, Answer, dict[str, str]]
HTML = "text/html; charset=utf-8"


def page_reply(title: str, body: str, snap: Snapshot, links: Links, status: int = 200, *, current: str = "") -> Result:
    """``body`` in the site's layout (navigation with ``current`` marked, the build in the footer)."""
    footer = "" if links.private else (f"{snap.triples:,} triples · build {esc(snap.fingerprint[:12])} · "
                                       f'SPARQL endpoint: <a href="{esc(links.url("/sparql"))}">/sparql</a>')
    return status, Answer(layout(title, body, links, footer=footer, current=current), HTML), {
        "Content-Security-Policy": PAGE_CSP}


def data_reply(path: str, data: Any, sheet: Callable[[], Sheet]) -> Result:
    """An answer as JSON (its records) or CSV (its sheet), by ``path``'s suffix: as the CLI's ``--format json|csv``."""
    if path.endswith(".json"):
        return 200, Answer(formats.json_text(data).encode("utf-8"), "application/json; charset=utf-8"), {}
    name = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in path.strip("/").removesuffix(".csv"))
    return 200, Answer(sheet_csv(sheet()).encode("utf-8"), "text/csv; charset=utf-8"), {
        "Content-Disposition": f'inline; filename="datareach-{name}.csv"'}
