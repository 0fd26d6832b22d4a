"""The server's pages for people: the reach question, the partner table, the graph, a query editor.

Each view is a plain GET URL, so it can be bookmarked and shared; ``/reach.json``,
``/reach.csv``, ``/table.json`` and ``/table.csv`` give the same answer as data. The
pages call the library (:func:`graph.questions.reach.reach`, :func:`graph.questions.table.partner_table`,
:func:`graph.viz.page.render_html`, :func:`graph.sparql.local.run_query`) on the current snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graph.errors import NotFoundError
from graph.model.labels import PERMISSIONS, STATUSES
from graph.present import formats
from graph.present.answers import Sheet, reach_sheet, table_sheet
from graph.present.sheets import html_cells, sheet_csv
from graph.records import CERTAINTIES
from graph.serve.html import (
    PAGE_CSP,
    Links,
    datalist,
    error_box,
    esc,
    field,
    layout,
    table,
)
from graph.serve.protocol import ASSETS, Answer, HttpError, Settings, run_bounded, run_limited
from graph.serve.state import Snapshot

if TYPE_CHECKING:
    from graph.questions.reach import ReachResult

Result = tuple[int, Answer, dict[str, str]]
HTML = "text/html; charset=utf-8"
STATIC = {"style.css": "text/css; charset=utf-8"}


def page(request: Any, snap: Snapshot, settings: Settings) -> Result:
    """Answer a GET for one of the pages (HttpError 404 for anything else)."""
    params = _single(request.params)
    links = Links(params.get("token") if request.token == params.get("token") else None,
                  private=not request.authorized)
    path = request.path
    if path.startswith("/static/"):
        return _static(path[len("/static/"):])
    if path == "/favicon.ico":
        return 204, Answer(b"", "image/x-icon"), {}
    routes: dict[str, Callable[[dict[str, str], Snapshot, Links], Result]] = {
        "/": _home, "/reach": _reach, "/reach.json": _reach, "/reach.csv": _reach,
        "/table": _table, "/table.json": _table, "/table.csv": _table, "/graph": _graph,
    }
    if path == "/query":
        return _query(params, snap, links, settings)
    if path not in routes:
        raise HttpError(404, "not found: try / for the list of pages")
    if path == "/":
        return _home(dict(params, _path=path), snap, links)
    # reach, the table and the graph are work like a query: the same slots and time limit
    return run_bounded(settings, lambda: routes[path](dict(params, _path=path), snap, links))


def _single(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in pairs:
        if key in out:
            raise HttpError(400, f"parameter {key[:40]!r} is given twice")
        out[key] = value
    return out


def _html(title: str, body: str, snap: Snapshot, links: Links, status: int = 200) -> Result:
    footer = "" if links.private else (f"{snap.triples:,} triples · build {esc(snap.fingerprint[:12])} · "
                                       f'SPARQL endpoint: <a href="{esc(links.url("/sparql"))}">/sparql</a>')
    return status, Answer(layout(title, body, links, footer=footer), HTML), {"Content-Security-Policy": PAGE_CSP}


def _data(params: dict[str, str], data: Any, sheet: Callable[[], Sheet]) -> Result:
    """An answer as JSON (its records) or CSV (its sheet): as the CLI's ``--format json|csv`` writes them."""
    if params["_path"].endswith(".json"):
        return 200, Answer(formats.json_text(data).encode("utf-8"), "application/json; charset=utf-8"), {}
    name = params["_path"].strip("/").replace(".", "-").replace("-csv", ".csv")
    return 200, Answer(sheet_csv(sheet()).encode("utf-8"), "text/csv; charset=utf-8"), {
        "Content-Disposition": f'inline; filename="datareach-{name}"'}


def _static(name: str) -> Result:
    if name not in STATIC:
        raise HttpError(404, "not found")
    return 200, Answer((ASSETS / name).read_bytes(), STATIC[name]), {"Cache-Control": "max-age=300"}


def _home(params: dict[str, str], snap: Snapshot, links: Links) -> Result:
    items = [
        ("Who could reach a data type", "/reach", "a form: data type, as-of date, permission; the answer with paths and sources"),
        ("The partner table", "/table", "one row per access grant, with filters and CSV/JSON downloads"),
        ("The graph", "/graph", "the interactive data-flow graph, drawn offline"),
        ("Ask in SPARQL", "/query", "a query editor, with the named queries as examples"),
    ]
    body = "<ul>" + "".join(f"<li>{links.a(t, p)}: {esc(d)}</li>" for t, p, d in items) + "</ul>"
    body += ("<p class=note>Standard SPARQL clients use the read-only endpoint at "
             f"{links.a('/sparql', '/sparql')} (SPARQL 1.1 Protocol; GET without a query gives its "
             "service description).</p>")
    return _html("Which companies could reach personal data", body, snap, links)


def _reach(params: dict[str, str], snap: Snapshot, links: Links) -> Result:
    from graph.questions.reach import reach, taxonomy

    data_type, as_of, permission = (params.get(k, "").strip() for k in ("data_type", "as_of", "permission"))
    start, into, certainty = (params.get(k, "").strip() for k in ("from", "into", "certainty"))
    ownership = params.get("through_ownership") in ("1", "on", "true")
    if permission not in ("", *PERMISSIONS):
        raise HttpError(400, f"permission must be one of {', '.join(PERMISSIONS)}")
    if certainty not in ("", *CERTAINTIES):
        raise HttpError(400, f"certainty must be one of {', '.join(CERTAINTIES)}")
    result, problem, status = None, "", 200
    if data_type:
        try:
            result = reach(snap.index, data_type, as_of=as_of or None, permissions=[permission] if permission else [],
                           through_ownership=ownership, start=start or None, into=into or None,
                           certainty=certainty or None)  # type: ignore[arg-type]
        except NotFoundError as err:
            problem, status = str(err), 404
        except ValueError as err:
            problem, status = f"{err} (use YYYY, YYYY-MM or YYYY-MM-DD)", 400
    if params["_path"] != "/reach":
        if result is None:
            raise HttpError(status if data_type else 400, problem or "give ?data_type=")
        return _data(params, result.to_json(), lambda: reach_sheet(result))
    labels = sorted((c.label for c in taxonomy(snap.G).concepts), key=str.casefold)
    form = ('<form class="ask" method="get" action="/reach" id="reach-form">'
            + field("Data type", "data_type", data_type, placeholder="e.g. phone number", datalist="data-types")
            + field("As of (date)", "as_of", as_of, placeholder="YYYY-MM-DD")
            + field("Permission", "permission", permission, options=[("", "any"), *[(p, p) for p in PERMISSIONS]])
            + field("From (holder)", "from", start, placeholder="e.g. Facebook")
            + field("Into (company)", "into", into, placeholder="who sent it into…")
            + field("Certainty", "certainty", certainty, options=[("", "any"), *[(c, f"at least {c}") for c in CERTAINTIES]])
            + '<label class="check"><input type="checkbox" name="through_ownership" value="1"'
            + (" checked" if ownership else "") + "> through ownership</label>"
            + links.hidden() + '<button type="submit">Ask</button></form>' + datalist("data-types", labels))
    body = form + (error_box(problem) if problem else "") + ("" if result is None else _reach_answer(result, params, links))
    return _html("Who could reach a data type?", body, snap, links, status)


def _reach_answer(result: ReachResult, params: dict[str, str], links: Links) -> str:
    query = {k: params.get(k) for k in ("data_type", "as_of", "permission", "through_ownership", "from", "into", "certainty")}
    downloads = ('<p class="downloads">' + links.a("JSON", "/reach.json", **query) + links.a("CSV", "/reach.csv", **query)
                 + links.a("Show on the graph", "/graph", data_type=params.get("data_type"), as_of=params.get("as_of"))
                 + "</p>")
    sheet = reach_sheet(result)
    head = f'<h2 id="answer">{esc(sheet.title)}: {len(sheet.rows)} parties</h2>'
    return head + downloads + table([c.header for c in sheet.shown], html_cells(sheet), row_classes=sheet.classes,
                                    ident="reach-answer")


def _table(params: dict[str, str], snap: Snapshot, links: Links) -> Result:
    from graph.questions.table import partner_table

    company, data_type, status = (params.get(k, "").strip() for k in ("company", "data_type", "status"))
    if status not in ("", *STATUSES):
        raise HttpError(400, f"status must be one of {', '.join(STATUSES)}")
    try:
        rows = partner_table(snap.G, companies=[company] if company else [], data_types=[data_type] if data_type else [],
                             statuses=[status] if status else [])
    except NotFoundError as err:
        if params["_path"] != "/table":
            raise HttpError(404, str(err)) from None
        rows, problem = [], str(err)
    else:
        problem = ""
    if params["_path"] != "/table":
        return _data(params, rows, lambda: table_sheet(rows))
    query = {"company": company, "data_type": data_type, "status": status}
    companies = sorted((a["label"] for _, a in snap.G.nodes(data=True) if a.get("kind") == "company"), key=str.casefold)
    form = ('<form class="ask" method="get" action="/table" id="table-form">'
            + field("Company", "company", company, options=[("", "any"), *[(c, c) for c in companies]])
            + field("Data type", "data_type", data_type, placeholder="e.g. private message")
            + field("Status", "status", status, options=[("", "any"), *[(s, s) for s in STATUSES]])
            + links.hidden() + '<button type="submit">Filter</button></form>')
    downloads = ('<p class="downloads">' + links.a("CSV", "/table.csv", **query) + links.a("JSON", "/table.json", **query)
                 + f"<span class=note>{len(rows)} grants</span></p>")
    sheet = table_sheet(rows)
    body = (form + (error_box(problem) if problem else "") + downloads
            + table([c.header for c in sheet.shown], html_cells(sheet), row_classes=sheet.classes, ident="partner-table"))
    return _html("The partner table", body, snap, links, 404 if problem else 200)


_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"')


def _graph(params: dict[str, str], snap: Snapshot, links: Links) -> Result:
    from graph.viz.page import render_html

    key = tuple(params.get(k) or None for k in ("data_type", "company", "as_of"))
    try:
        text = snap.cached(("graph", key), lambda: render_html(
            snap.G, focus_data_type=key[0], focus_company=key[1], as_of=key[2]), size=16)
    except NotFoundError as err:
        raise HttpError(404, str(err)) from None
    except ValueError as err:
        raise HttpError(400, f"{err} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None
    found = _META_CSP.search(text)
    policy = PAGE_CSP if found is None else found.group(1).replace("&#x27;", "'").replace("&#39;", "'")
    if "frame-ancestors" not in policy:  # a <meta> policy cannot forbid framing; the header can
        policy += "; frame-ancestors 'none'"
    return 200, Answer(text.encode("utf-8"), HTML), {"Content-Security-Policy": policy}


def _query(params: dict[str, str], snap: Snapshot, links: Links, settings: Settings) -> Result:
    from graph.serve.query_page import query_page

    status, title, body = query_page(params, snap, links, settings, run_limited)
    return _html(title, body, snap, links, status)
