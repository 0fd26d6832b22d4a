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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graph.errors import NotFoundError, UsageError
from graph.model.labels import PERMISSIONS
from graph.present.answers import Sheet, reach_sheet
from graph.records import CERTAINTIES, Citation
from graph.serve.cites import PageNotes, dispute_badges, folded
from graph.serve.filters import filter_fields, filter_state, parse_filters, single
from graph.serve.html import PAGE_CSP, Links, datalist, downloads, error_box, esc, field, nav_links
from graph.serve.protocol import ASSETS, Answer, HttpError, Settings, run_bounded, run_limited
from graph.serve.replies import HTML, Result, data_reply, page_reply
from graph.serve.state import Snapshot
from graph.serve.table_page import REPEATABLE as TABLE_REPEATABLE
from graph.serve.table_page import company_link, table_page

if TYPE_CHECKING:
    from graph.questions.reach import ReachResult

STATIC = {"style.css": "text/css; charset=utf-8"}
# parameters a page takes more than once (as the CLI's repeatable options); ``source`` also comma-separated
REPEATABLE = {"/reach": {"permission", "integration", "source"}, "/table": TABLE_REPEATABLE}


def page(request: Any, snap: Snapshot, settings: Settings) -> Result:
    """Answer a GET for one of the pages (HttpError 404 for anything else)."""
    params = single(request.params, REPEATABLE.get(request.path.removesuffix(".json").removesuffix(".csv"), set()))
    links = Links(params.get("token") if request.token == params.get("token") else None,
                  private=not request.authorized)
    path = request.path
    if path.startswith("/static/"):
        return _static(path[len("/static/"):])
    if path == "/favicon.ico":
        return 204, Answer(b"", "image/x-icon"), {}
    routes: dict[str, Callable[[dict[str, Any], Snapshot, Links], Result]] = {
        "/": _home, "/reach": _reach, "/reach.json": _reach, "/reach.csv": _reach,
        "/table": table_page, "/table.json": table_page, "/table.csv": table_page, "/graph": _graph,
    }
    if path == "/company" or path.startswith("/company/"):
        from graph.serve.company_page import company_page

        routes[path] = company_page
    if path == "/query":
        return _query(params, snap, links, settings)
    if path not in routes:
        raise HttpError(404, "not found: try / for the list of pages")
    if path == "/":
        return _home(dict(params, _path=path), snap, links)
    # reach, the table and the graph are work like a query: the same slots and time limit
    return run_bounded(settings, lambda: routes[path](dict(params, _path=path), snap, links))


def _static(name: str) -> Result:
    if name not in STATIC:
        raise HttpError(404, "not found")
    return 200, Answer((ASSETS / name).read_bytes(), STATIC[name]), {"Cache-Control": "max-age=300"}


def _home(params: dict[str, str], snap: Snapshot, links: Links) -> Result:
    items = [
        ("Who could reach a data type", "/reach", "a form: data type, as-of date, permission; the answer with paths and sources"),
        ("The partner table", "/table", "one row per access grant: sort, page, facets, CSV/JSON downloads"),
        ("Companies", "/company", "one page per company: what it holds, receives and grants, lists, owners, disputes"),
        ("The graph", "/graph", "the interactive data-flow graph, drawn offline"),
        ("Ask in SPARQL", "/query", "a query editor, with the named queries as examples"),
    ]
    body = "<ul>" + "".join(f"<li>{links.a(t, p)}: {esc(d)}</li>" for t, p, d in items) + "</ul>"
    body += ("<p class=note>Standard SPARQL clients use the read-only endpoint at "
             f"{links.a('/sparql', '/sparql')} (SPARQL 1.1 Protocol; GET without a query gives its "
             "service description).</p>")
    return page_reply("Which companies could reach personal data", body, snap, links, current="/")


def _reach(params: dict[str, Any], snap: Snapshot, links: Links) -> Result:
    from graph.questions import lists
    from graph.questions.reach import reach, taxonomy

    data_type, as_of = (str(params.get(k, "")).strip() for k in ("data_type", "as_of"))
    start, into, certainty, site = (str(params.get(k, "")).strip() for k in ("from", "into", "certainty", "site"))
    permissions, integrations = params.get("permission") or [], params.get("integration") or []
    ownership = params.get("through_ownership") in ("1", "on", "true")
    if any(p not in PERMISSIONS for p in permissions):
        raise HttpError(400, f"permission must be one of {', '.join(PERMISSIONS)}")
    if certainty not in ("", *CERTAINTIES):
        raise HttpError(400, f"certainty must be one of {', '.join(CERTAINTIES)}")
    filters = parse_filters(params)
    within = filters.pop("within")
    result, problem, status, scope = None, "", 200, None
    if data_type:
        try:
            named = None if within is None else lists.find_list(snap.index, within)
            result = reach(snap.index, data_type, as_of=as_of or None, permissions=permissions, integrations=integrations,
                           through_ownership=ownership, start=start or None, into=into or None,
                           certainty=certainty or None, site=site or None, **filters)  # type: ignore[arg-type]
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
        return data_reply(params["_path"], answer, lambda: reach_sheet(result))
    labels = sorted((c.label for c in taxonomy(snap.G).concepts), key=str.casefold)
    form = ('<form class="ask" method="get" action="/reach" id="reach-form">'
            + field("Data type", "data_type", data_type, placeholder="e.g. phone number", datalist="data-types")
            + field("As of (date)", "as_of", as_of, placeholder="YYYY-MM-DD")
            + field("Permission", "permission", permissions[0] if permissions else "",
                    options=[("", "any"), *[(p, p) for p in PERMISSIONS]])
            + field("Integration", "integration", integrations[0] if integrations else "", placeholder="e.g. device integration")
            + field("From (holder)", "from", start, placeholder="e.g. Facebook")
            + field("Into (company)", "into", into, placeholder="who sent it into…")
            + field("Observed on (site)", "site", site, placeholder="a crawl's site, e.g. spiegel.de")
            + field("Certainty", "certainty", certainty, options=[("", "any"), *[(c, f"at least {c}") for c in CERTAINTIES]])
            + filter_fields(params)
            + '<label class="check"><input type="checkbox" name="through_ownership" value="1"'
            + (" checked" if ownership else "") + "> through ownership</label>"
            + links.hidden() + '<button type="submit">Ask</button></form>' + datalist("data-types", labels))
    body = form + (error_box(problem) if problem else "") + ("" if result is None else _reach_answer(result, params, links))
    return page_reply("Who could reach a data type?", body, snap, links, status, current="/reach")


def _reach_answer(result: ReachResult, params: dict[str, Any], links: Links) -> str:
    query = {k: params.get(k) for k in ("data_type", "as_of", "permission", "integration", "through_ownership", "from", "into",
                                        "certainty", "site")}
    query.update(filter_state(params))
    data = downloads(links, [("JSON", "/reach.json"), ("CSV", "/reach.csv")], query)
    data = data.replace("</p>", links.a("Show on the graph", "/graph", data_type=params.get("data_type"),
                                        as_of=params.get("as_of")) + "</p>")
    sheet = reach_sheet(result)
    head = f'<h2 id="answer">{esc(sheet.title)}: {len(sheet.rows)} parties</h2>'
    return head + data + reach_table(result, sheet, links)


def reach_table(result: ReachResult, sheet: Sheet, links: Links) -> str:
    """A reach answer's rows: names linked to their pages, notes as badges (each disputing party
    named once with what it disputes), citations as footnotes listed once below the table."""
    notes = PageNotes()
    head = "".join(f'<th>{esc(c.header)}</th>' for c in sheet.shown)
    body = []
    for row, cells, cls in zip(result.rows, sheet.rows, sheet.classes, strict=True):
        disputes: list[Citation] = [d for h in row["path"] for d in h["disputes"]]
        tds = []
        for c in sheet.shown:
            value: Any = cells[c.key]
            if c.key == "label":
                html = company_link(links, row["label"], row["company"])
            elif c.kind == "sources":
                html = notes.refs([*value, *disputes])
            elif c.kind == "notes":
                html = "".join(f'<span class="badge {esc(n.key)}">{esc(n.text)}</span>'
                               for n in value if n.key != "disputed") + dispute_badges(disputes)
            else:
                html = folded(esc_free(value), limit=160)
            tds.append(f'<td class="c-{esc(c.key)}">{html}</td>')
        body.append(f'<tr{" class=" + esc(cls) if cls else ""}>{"".join(tds)}</tr>')
    return (f'<table id="reach-answer" class="compact"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            + notes.section())


def esc_free(value: Any) -> str:
    """A plain cell's text (lists joined, None empty), not yet escaped."""
    if value is None:
        return ""
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"')
_BODY = re.compile(r"<body[^>]*>")


def _graph(params: dict[str, str], snap: Snapshot, links: Links) -> Result:
    from graph.viz.page import render_html

    key = tuple(params.get(k) or None for k in ("data_type", "company", "as_of"))
    try:
        text = snap.cached(("graph", key), lambda: render_html(
            snap.G, focus_data_type=key[0], focus_company=key[1], as_of=key[2], index=snap.index), size=16)
    except NotFoundError as err:
        raise HttpError(404, str(err)) from None
    except ValueError as err:
        raise HttpError(400, f"{err} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None
    text = _BODY.sub(lambda m: m.group(0) + f'<nav class="site" aria-label="datareach pages">'
                     f'<a href="{esc(links.url("/"))}">datareach</a> {nav_links(links, "/graph")}</nav>', text, count=1)
    found = _META_CSP.search(text)
    policy = PAGE_CSP if found is None else found.group(1).replace("&#x27;", "'").replace("&#39;", "'")
    if "frame-ancestors" not in policy:  # a <meta> policy cannot forbid framing; the header can
        policy += "; frame-ancestors 'none'"
    return 200, Answer(text.encode("utf-8"), HTML), {"Content-Security-Policy": policy}


def _query(params: dict[str, str], snap: Snapshot, links: Links, settings: Settings) -> Result:
    from graph.serve.query_page import query_page

    status, title, body = query_page(params, snap, links, settings, run_limited)
    return page_reply(title, body, snap, links, status, current="/query")
