"""The server's pages for people: the reach question, the partner table, the graph, a query editor.

Each view is a plain GET URL, so it can be bookmarked and shared; ``/reach.json``,
``/reach.csv``, ``/table.json`` and ``/table.csv`` give the same answer as data. Both
questions take the CLI's filters as URL parameters (``on_by_default=yes|no``, ``whose_data``,
``source`` (repeated or comma-separated ids), ``source_before``, ``source_after``, ``country``,
``list``), and give the same rows as ``datareach reach|table … --format json|csv``. The
pages call the library (:func:`graph.questions.reach.reach`, :func:`graph.questions.table.partner_table`,
:func:`graph.viz.page.render_html`, :func:`graph.sparql.local.run_query`) on the current snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from graph import dates
from graph.errors import NotFoundError, UsageError
from graph.model.labels import PERMISSIONS, STATUSES, WHOSE_DATA
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
# parameters a page takes more than once (as the CLI's repeatable options); ``source`` also comma-separated
REPEATABLE = {"/reach": {"permission", "integration", "source"}, "/table": {"company", "data_type", "status", "source"}}
# the filters reach and the table share (issue 13 item 7), as the CLI's --on-by-default … --list
FILTERS = ("on_by_default", "whose_data", "source", "source_before", "source_after", "country", "list")
YES_NO = {"": None, "yes": True, "no": False}


def page(request: Any, snap: Snapshot, settings: Settings) -> Result:
    """Answer a GET for one of the pages (HttpError 404 for anything else)."""
    params = _single(request.params, REPEATABLE.get(request.path.removesuffix(".json").removesuffix(".csv"), set()))
    links = Links(params.get("token") if request.token == params.get("token") else None,
                  private=not request.authorized)
    path = request.path
    if path.startswith("/static/"):
        return _static(path[len("/static/"):])
    if path == "/favicon.ico":
        return 204, Answer(b"", "image/x-icon"), {}
    routes: dict[str, Callable[[dict[str, Any], Snapshot, Links], Result]] = {
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


def _single(pairs: list[tuple[str, str]], repeatable: Collection[str] = ()) -> dict[str, Any]:
    """The parameters, each a string, but a list of the non-empty values for a ``repeatable`` one."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in repeatable:
            values = [v.strip() for v in (value.split(",") if key == "source" else [value])]
            out.setdefault(key, []).extend(v for v in values if v)
            continue
        if key in out:
            raise HttpError(400, f"parameter {key[:40]!r} is given twice")
        out[key] = value
    return out


def _filters(params: dict[str, Any]) -> dict[str, Any]:
    """The shared filters as keyword arguments of reach and partner_table (HttpError 400 for a bad value).

    ``within`` is the named list's id or name, as given; the caller scopes the answer with it."""
    text = {k: str(params.get(k) or "").strip() for k in FILTERS if k != "source"}
    if text["on_by_default"] not in YES_NO:
        raise HttpError(400, "on_by_default must be yes or no")
    if text["whose_data"] not in ("", *WHOSE_DATA):
        raise HttpError(400, f"whose_data must be one of {', '.join(WHOSE_DATA)}")
    for key in ("source_before", "source_after"):
        if text[key]:
            try:
                dates.parse(text[key])
            except ValueError:
                raise HttpError(400, f"{key} must be a date: YYYY, YYYY-MM or YYYY-MM-DD") from None
    return {"on_by_default": YES_NO[text["on_by_default"]], "whose_data": text["whose_data"] or None,
            "sources": tuple(params.get("source") or ()), "source_before": text["source_before"] or None,
            "source_after": text["source_after"] or None, "country": text["country"] or None,
            "within": text["list"] or None}


def _filter_state(params: dict[str, Any]) -> dict[str, Any]:
    """The filters' values as given, for links that keep the view's state."""
    return {k: params.get(k) for k in FILTERS}


def _filter_fields(params: dict[str, Any]) -> str:
    """The form controls of the shared filters."""
    value = {k: str(params.get(k) or "") for k in FILTERS if k != "source"}
    return (field("On by default", "on_by_default", value["on_by_default"], options=[("", "any"), ("yes", "yes"), ("no", "no")])
            + field("Whose data", "whose_data", value["whose_data"], options=[("", "any"), *[(w, w) for w in WHOSE_DATA]])
            + field("Source (ids)", "source", ", ".join(params.get("source") or ()), placeholder="id, id…")
            + field("Source from (date)", "source_after", value["source_after"], placeholder="YYYY-MM-DD")
            + field("Source up to (date)", "source_before", value["source_before"], placeholder="YYYY-MM-DD")
            + field("Country", "country", value["country"], placeholder="e.g. US")
            + field("Named list", "list", value["list"], placeholder="id or name"))


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


def _reach(params: dict[str, Any], snap: Snapshot, links: Links) -> Result:
    from graph.questions import lists
    from graph.questions.reach import reach, taxonomy

    data_type, as_of = (str(params.get(k, "")).strip() for k in ("data_type", "as_of"))
    start, into, certainty = (str(params.get(k, "")).strip() for k in ("from", "into", "certainty"))
    permissions, integrations = params.get("permission") or [], params.get("integration") or []
    ownership = params.get("through_ownership") in ("1", "on", "true")
    if any(p not in PERMISSIONS for p in permissions):
        raise HttpError(400, f"permission must be one of {', '.join(PERMISSIONS)}")
    if certainty not in ("", *CERTAINTIES):
        raise HttpError(400, f"certainty must be one of {', '.join(CERTAINTIES)}")
    filters = _filters(params)
    within = filters.pop("within")
    result, problem, status, scope = None, "", 200, None
    if data_type:
        try:
            named = None if within is None else lists.find_list(snap.index, within)
            result = reach(snap.index, data_type, as_of=as_of or None, permissions=permissions, integrations=integrations,
                           through_ownership=ownership, start=start or None, into=into or None,
                           certainty=certainty or None, **filters)  # type: ignore[arg-type]
            if named is not None:  # a filter on the rows, after the search (as the CLI's --list)
                result, scope = lists.scope_reach(result, named), lists.summary(snap.index, named)
        except NotFoundError as err:
            problem, status = str(err), 404
        except UsageError as err:
            problem, status = str(err), 400
        except ValueError as err:
            problem, status = f"{err} (use YYYY, YYYY-MM or YYYY-MM-DD)", 400
    if params["_path"] != "/reach":
        if result is None:
            raise HttpError(status if data_type else 400, problem or "give ?data_type=")
        answer = result.to_json()
        if scope is not None:
            answer["scope"] = scope
        return _data(params, answer, lambda: reach_sheet(result))
    labels = sorted((c.label for c in taxonomy(snap.G).concepts), key=str.casefold)
    form = ('<form class="ask" method="get" action="/reach" id="reach-form">'
            + field("Data type", "data_type", data_type, placeholder="e.g. phone number", datalist="data-types")
            + field("As of (date)", "as_of", as_of, placeholder="YYYY-MM-DD")
            + field("Permission", "permission", permissions[0] if permissions else "",
                    options=[("", "any"), *[(p, p) for p in PERMISSIONS]])
            + field("Integration", "integration", integrations[0] if integrations else "", placeholder="e.g. device integration")
            + field("From (holder)", "from", start, placeholder="e.g. Facebook")
            + field("Into (company)", "into", into, placeholder="who sent it into…")
            + field("Certainty", "certainty", certainty, options=[("", "any"), *[(c, f"at least {c}") for c in CERTAINTIES]])
            + _filter_fields(params)
            + '<label class="check"><input type="checkbox" name="through_ownership" value="1"'
            + (" checked" if ownership else "") + "> through ownership</label>"
            + links.hidden() + '<button type="submit">Ask</button></form>' + datalist("data-types", labels))
    body = form + (error_box(problem) if problem else "") + ("" if result is None else _reach_answer(result, params, links))
    return _html("Who could reach a data type?", body, snap, links, status)


def _reach_answer(result: ReachResult, params: dict[str, Any], links: Links) -> str:
    query = {k: params.get(k) for k in ("data_type", "as_of", "permission", "integration", "through_ownership", "from", "into",
                                        "certainty")}
    query.update(_filter_state(params))
    downloads = ('<p class="downloads">' + links.a("JSON", "/reach.json", **query) + links.a("CSV", "/reach.csv", **query)
                 + links.a("Show on the graph", "/graph", data_type=params.get("data_type"), as_of=params.get("as_of"))
                 + "</p>")
    sheet = reach_sheet(result)
    head = f'<h2 id="answer">{esc(sheet.title)}: {len(sheet.rows)} parties</h2>'
    return head + downloads + table([c.header for c in sheet.shown], html_cells(sheet), row_classes=sheet.classes,
                                    ident="reach-answer")


def _table(params: dict[str, Any], snap: Snapshot, links: Links) -> Result:
    from graph.questions import lists
    from graph.questions.table import partner_table

    companies, data_types, statuses = (params.get(k) or [] for k in ("company", "data_type", "status"))
    if any(s not in STATUSES for s in statuses):
        raise HttpError(400, f"status must be one of {', '.join(STATUSES)}")
    filters = _filters(params)
    scope = None
    try:
        rows = partner_table(snap.G, companies=companies, data_types=data_types, statuses=statuses, **filters)
        if filters["within"] is not None:
            scope = lists.summary(snap.G, lists.find_list(snap.G, filters["within"]))
    except NotFoundError as err:
        if params["_path"] != "/table":
            raise HttpError(404, str(err)) from None
        rows, problem, status = [], str(err), 404
    except UsageError as err:
        if params["_path"] != "/table":
            raise HttpError(400, str(err)) from None
        rows, problem, status = [], str(err), 400
    else:
        problem, status = "", 200
    if params["_path"] != "/table":  # as the CLI's --format json: with --list, the list, the count, the rows
        data: Any = rows if scope is None else {"scope": scope, "total": len(rows), "rows": rows}
        return _data(params, data, lambda: table_sheet(rows))
    query = {"company": companies, "data_type": data_types, "status": statuses, **_filter_state(params)}
    names = sorted((a["label"] for _, a in snap.G.nodes(data=True) if a.get("kind") == "company"), key=str.casefold)
    form = ('<form class="ask" method="get" action="/table" id="table-form">'
            + field("Company", "company", companies[0] if companies else "", options=[("", "any"), *[(c, c) for c in names]])
            + field("Data type", "data_type", data_types[0] if data_types else "", placeholder="e.g. private message")
            + field("Status", "status", statuses[0] if statuses else "", options=[("", "any"), *[(s, s) for s in STATUSES]])
            + _filter_fields(params)
            + links.hidden() + '<button type="submit">Filter</button></form>')
    downloads = ('<p class="downloads">' + links.a("CSV", "/table.csv", **query) + links.a("JSON", "/table.json", **query)
                 + f"<span class=note>{len(rows)} grants</span></p>")
    sheet = table_sheet(rows)
    body = (form + (error_box(problem) if problem else "") + downloads
            + table([c.header for c in sheet.shown], html_cells(sheet), row_classes=sheet.classes, ident="partner-table"))
    return _html("The partner table", body, snap, links, status)


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
