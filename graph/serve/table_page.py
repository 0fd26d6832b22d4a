"""``/table``: the partner table as a page people can work in, as Datasette's table pages.

- **Sort** by any shown column: ``_sort=KEY`` (ascending) or ``_sort_desc=KEY``, ``KEY``
  a column's field (``label``, ``valid_from``, ``status``…); unknown values sort last
  either way. The headers are the links.
- **Pages** of ``_size`` rows (default 50, at most 1,000), ``page=N`` (from 1), with
  "rows 1–50 of 312" and links to the first, previous, next and last pages.
- **Facets**: integration, status, grantor, named list and country, each value with how
  many rows have it; a click filters on it, and a selected value has a link that removes it.
- **Compact rows**: long texts folded in a ``<details>``, citations as numbered footnotes
  listed once below the table, each disputing party named once in a badge.

``/table.json`` and ``/table.csv`` give every row of the filtered table, as
``datareach table --format json|csv`` does (in the page's order when ``_sort`` is given).
"""

from __future__ import annotations

from typing import Any

from graph.errors import NotFoundError, UsageError
from graph.model.labels import STATUSES
from graph.present.answers import Column, Sheet, conflict_marker, table_sheet
from graph.records import Citation, GrantRow
from graph.serve.cites import PageNotes, dispute_badges, folded
from graph.serve.filters import filter_fields, filter_state, parse_filters
from graph.serve.html import Links, downloads, error_box, esc, field
from graph.serve.protocol import HttpError
from graph.serve.replies import Result, data_reply, page_reply
from graph.serve.state import Snapshot

PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
FACET_VALUES = 8  # values a facet lists before "and N more"
FACET_TITLES = {"integration": "Integration", "status": "Status", "grantor": "Grantor", "list": "Named list",
                "country": "Country (grantee)"}
REPEATABLE = {"company", "data_type", "status", "source", "integration", "grantor"}
"""The table's parameters that repeat (as the CLI's repeatable options)."""
LONG = {"data_types": 60, "activation": 40}  # characters shown before a cell is folded


def table_page(params: dict[str, Any], snap: Snapshot, links: Links) -> Result:
    """Answer ``/table``, ``/table.json`` or ``/table.csv`` (``params["_path"]``)."""
    from graph.questions import lists
    from graph.questions.table import partner_table

    picked = {k: params.get(k) or [] for k in ("company", "data_type", "status", "integration", "grantor")}
    if any(s not in STATUSES for s in picked["status"]):
        raise HttpError(400, f"status must be one of {', '.join(STATUSES)}")
    filters = parse_filters(params)
    sort_key, descending = _sort(params)
    scope, problem, status = None, "", 200
    try:
        rows = partner_table(snap.G, companies=picked["company"], data_types=picked["data_type"], statuses=picked["status"],
                             integrations=picked["integration"], grantors=picked["grantor"], **filters)
        if filters["within"] is not None:
            scope = lists.summary(snap.G, lists.find_list(snap.G, filters["within"]))
    except (NotFoundError, UsageError) as err:
        status = 404 if isinstance(err, NotFoundError) else 400
        if params["_path"] != "/table":
            raise HttpError(status, str(err)) from None
        rows, problem = [], str(err)
    rows = sorted_rows(rows, sort_key, descending)
    if params["_path"] != "/table":  # as the CLI's --format json: with --list, the list, the count, the rows
        data: Any = rows if scope is None else {"scope": scope, "total": len(rows), "rows": rows}
        return data_reply(params["_path"], data, lambda: table_sheet(rows))
    query = {**picked, **filter_state(params), "_sort": params.get("_sort"), "_sort_desc": params.get("_sort_desc"),
             "_size": params.get("_size")}
    body = (_form(picked, params, snap, links) + (error_box(problem) if problem else "")
            + _results(rows, query, params, snap, links))
    return page_reply("The partner table", body, snap, links, status, current="/table")


def _sort(params: dict[str, Any]) -> tuple[str | None, bool]:
    """The column to sort by and whether descending; HttpError 400 for an unknown column or both given."""
    up, down = (str(params.get(k) or "").strip() for k in ("_sort", "_sort_desc"))
    if up and down:
        raise HttpError(400, "give _sort or _sort_desc, not both")
    key = up or down
    keys = [c.key for c in table_sheet([]).shown]
    if key and key not in keys:
        raise HttpError(400, f"_sort takes a column: {', '.join(keys)}")
    return key or None, bool(down)


def sorted_rows(rows: list[GrantRow], key: str | None, descending: bool) -> list[GrantRow]:
    """``rows`` by column ``key`` (case-insensitive text; lists by their text), unknown values last either way."""
    if key is None:
        return rows

    def text(row: GrantRow) -> str:
        value = row[key]  # type: ignore[literal-required]
        if isinstance(value, list):
            return ", ".join(str(v.get("publisher") or v.get("source") or "") if isinstance(v, dict) else str(v)
                             for v in value).casefold()
        return str(value).casefold()

    known = [r for r in rows if r[key] not in (None, [], "")]  # type: ignore[literal-required]
    unknown = [r for r in rows if r[key] in (None, [], "")]  # type: ignore[literal-required]
    return sorted(known, key=text, reverse=descending) + unknown


def _page_numbers(params: dict[str, Any], total: int) -> tuple[int, int, int]:
    """The page size, the page (clamped to the last) and the number of pages; HttpError 400 for bad numbers."""
    try:
        size = int(params.get("_size") or PAGE_SIZE)
        page = int(params.get("page") or 1)
    except ValueError:
        raise HttpError(400, "_size and page must be whole numbers") from None
    if not 1 <= size <= MAX_PAGE_SIZE or page < 1:
        raise HttpError(400, f"_size must be 1 to {MAX_PAGE_SIZE}, page at least 1")
    pages = max(1, -(-total // size))
    return size, min(page, pages), pages


def _form(picked: dict[str, list[str]], params: dict[str, Any], snap: Snapshot, links: Links) -> str:
    names = sorted((a["label"] for _, a in snap.G.nodes(data=True) if a.get("kind") == "company"), key=str.casefold)
    company = picked["company"][0] if picked["company"] else ""
    chooser = (field("Company", "company", company, options=[("", "any"), *[(c, c) for c in names]]) if len(names) <= 500
               else field("Company", "company", company, placeholder="name or alias"))
    kept = "".join(f'<input type="hidden" name="{k}" value="{esc(v)}">' for k in ("integration", "grantor")
                   for v in picked[k])
    return ('<form class="ask" method="get" action="/table" id="table-form">' + chooser
            + field("Data type", "data_type", picked["data_type"][0] if picked["data_type"] else "", placeholder="e.g. private message")
            + field("Status", "status", picked["status"][0] if picked["status"] else "", options=[("", "any"), *[(s, s) for s in STATUSES]])
            + filter_fields(params) + kept + links.hidden() + '<button type="submit">Filter</button></form>')


def _results(rows: list[GrantRow], query: dict[str, Any], params: dict[str, Any], snap: Snapshot, links: Links) -> str:
    from graph.questions.table import table_facets

    size, page, pages = _page_numbers(params, len(rows))
    shown = rows[(page - 1) * size: page * size]
    first = (page - 1) * size + 1 if shown else 0
    count = (f"rows {first:,}–{first + len(shown) - 1:,} of {len(rows):,} {'grant' if len(rows) == 1 else 'grants'}"
             if shown else "0 grants")
    data = downloads(links, [("JSON", "/table.json"), ("CSV", "/table.csv")], {k: v for k, v in query.items() if k != "_size"},
                     "every row of the filtered table")
    notes = PageNotes()
    sheet = table_sheet(shown)
    table = _table(sheet, shown, query, notes, links)
    return ('<div class="with-facets">' + _facets(table_facets(snap.G, rows), query, links)
            + f'<div class="results"><div class="count" id="row-count"><b>{esc(count)}</b> {data}</div>'
            + _pager(query, page, pages, links) + table + _pager(query, page, pages, links) + notes.section() + "</div></div>")


def _pager(query: dict[str, Any], page: int, pages: int, links: Links) -> str:
    if pages <= 1:
        return ""
    steps = [("« first", 1), ("‹ previous", page - 1), ("next ›", page + 1), (f"last ({pages}) »", pages)]
    parts = [links.a(text, "/table", **query, page=n if n > 1 else None) if 1 <= n <= pages and n != page
             else f'<span class="off">{esc(text)}</span>' for text, n in steps]
    return f'<nav class="pager" aria-label="pages">{" ".join(parts)} <span>page {page} of {pages}</span></nav>'


def _facets(found: dict[str, list[Any]], query: dict[str, Any], links: Links) -> str:
    """A box per facet: each value a link that filters on it, the selected ones a link that removes them."""
    boxes = []
    for name, values in found.items():
        if not values:
            continue
        param = name
        chosen = query.get(param)
        selected = set(chosen if isinstance(chosen, list) else [chosen] if chosen else [])
        items = []
        for v in values[:FACET_VALUES]:
            if v["value"] in selected or v["label"] in selected:
                rest = [s for s in selected if s not in (v["value"], v["label"])]
                items.append(f'<li class="selected">{esc(v["label"])} {v["count"]:,} '
                             + links.a("×", "/table", **{**query, param: rest or None}) + "</li>")
            else:
                target = {**query, param: ([*selected, v["value"]] if isinstance(chosen, list) else v["value"])}
                items.append(f"<li>{links.a(v['label'], '/table', **target)} <span class=\"n\">{v['count']:,}</span></li>")
        more = f'<li class="more">and {len(values) - FACET_VALUES:,} more</li>' if len(values) > FACET_VALUES else ""
        boxes.append(f'<section class="facet" data-facet="{esc(name)}"><h3>{esc(FACET_TITLES[name])}</h3>'
                     f"<ul>{''.join(items)}{more}</ul></section>")
    return f'<aside class="facets" id="facets">{"".join(boxes)}</aside>' if boxes else ""


def _table(sheet: Sheet, rows: list[GrantRow], query: dict[str, Any], notes: PageNotes, links: Links) -> str:
    """The rows as a compact table: sortable headers, company names linked to their pages, footnoted sources."""
    head = "".join(_header(c, query, links) for c in sheet.shown)
    body = []
    for row, cells in zip(rows, sheet.rows, strict=True):
        tds = "".join(f'<td class="c-{esc(c.key)}">{_cell(c, cells[c.key], row, notes, links)}</td>' for c in sheet.shown)
        body.append(f'<tr{" class=disputed" if row["disputes"] else ""}>{tds}</tr>')
    return (f'<table id="partner-table" class="compact"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _header(column: Column, query: dict[str, Any], links: Links) -> str:
    up, down = query.get("_sort") == column.key, query.get("_sort_desc") == column.key
    base = {**query, "_sort": None, "_sort_desc": None}
    target = {**base, "_sort_desc": column.key} if up else {**base, "_sort": column.key}
    mark = " ▲" if up else " ▼" if down else ""
    sort = ' aria-sort="ascending"' if up else ' aria-sort="descending"' if down else ""
    return f'<th data-key="{esc(column.key)}"{sort}>{links.a(column.header + mark, "/table", **target)}</th>'


def company_link(links: Links, label: str, slug: str) -> str:
    """A company's name, linked to its page."""
    from urllib.parse import quote

    return links.a(label, "/company/" + quote(slug, safe=""))


def _cell(column: Column, value: Any, row: GrantRow, notes: PageNotes, links: Links) -> str:
    if column.key == "label":
        return company_link(links, row["label"], row["company"])
    if column.key == "grantor_label":
        return company_link(links, row["grantor_label"], row["grantor"])
    if column.kind == "sources":
        return notes.refs(value, compact=True)
    if column.kind == "disputes":
        claims: list[Citation] = value
        return dispute_badges(claims) + (f" {notes.refs(claims, compact=True)}" if claims else "")
    if column.kind == "conflicts":
        marker = conflict_marker(value)
        return f'<span class="badge conflict">{esc(marker)}</span>' if marker else ""
    if value is None:
        return f'<span class="unknown">{esc(column.unknown)}</span>'
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return folded(text, limit=LONG.get(column.key, 120))
