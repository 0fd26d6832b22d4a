"""``/company/<id>``: one company's page, from :func:`graph.questions.company.company_profile`.

What it holds, receives and grants, incidents, the named lists it is on (with status), its
owners (each chain from ``owner``) and what it owns, who disputes what, and its sources
as numbered footnotes. ``/company/<id>.json`` is ``datareach company NAME --format json``,
``/company/<id>.csv`` its ``--format csv`` (one fact a row). ``/company`` finds a company
by name (``?name=``) and lists them all, a page at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from graph.errors import NotFoundError
from graph.records import Citation, GrantRow
from graph.serve.cites import PageNotes, dispute_badges, folded
from graph.serve.html import Links, datalist, error_box, esc, field
from graph.serve.protocol import Answer, HttpError
from graph.serve.replies import Result, data_reply, page_reply
from graph.serve.state import Snapshot
from graph.serve.table_page import company_link

if TYPE_CHECKING:
    from graph.questions.company import CompanyProfile

INDEX_PAGE = 100  # companies a page of /company lists


def company_page(params: dict[str, Any], snap: Snapshot, links: Links) -> Result:
    """Answer ``/company``, ``/company/<id>`` and its ``.json`` and ``.csv``."""
    path = params["_path"]
    if path in ("/company", "/company/"):
        return _index(params, snap, links)
    from graph.present.company import company_sheet
    from graph.questions.company import company_profile

    ident = unquote(path[len("/company/"):])
    suffix = next((s for s in (".json", ".csv") if ident.endswith(s)), "")
    try:
        profile = company_profile(snap.G, ident.removesuffix(suffix))
    except NotFoundError as err:
        raise HttpError(404, str(err)) from None
    if suffix:
        return data_reply(path, profile.to_json(), lambda: company_sheet(profile))
    return page_reply(profile.label, _profile(profile, links), snap, links, current="/company")


def _index(params: dict[str, Any], snap: Snapshot, links: Links) -> Result:
    from graph.questions.resolve import resolve_company

    name = str(params.get("name") or "").strip()
    problem = ""
    if name:
        try:
            slug = resolve_company(snap.G, name)
        except NotFoundError as err:
            problem = str(err)
        else:
            return 303, Answer(b"", "text/plain; charset=utf-8"), {"Location": links.url("/company/" + quote(slug, safe=""))}
    parties = sorted(((a.get("label") or n, n, snap.G.degree(n), len(a.get("holds") or [])) for n, a in snap.G.nodes(data=True)),
                     key=lambda p: (p[0].casefold(), p[1]))
    try:
        page = max(1, int(params.get("page") or 1))
    except ValueError:
        raise HttpError(400, "page must be a whole number") from None
    pages = max(1, -(-len(parties) // INDEX_PAGE))
    page = min(page, pages)
    shown = parties[(page - 1) * INDEX_PAGE: page * INDEX_PAGE]
    form = ('<form class="ask" method="get" action="/company" id="company-form">'
            + field("Company", "name", name, placeholder="name, alias or slug", datalist="company-names")
            + links.hidden() + '<button type="submit">Open</button></form>'
            + datalist("company-names", [p[0] for p in parties[:2000]]))
    rows = "".join(f"<li>{company_link(links, label, slug)} <span class=\"n\">{links_n} links, {held} holdings</span></li>"
                   for label, slug, links_n, held in shown)
    pager = " ".join(links.a(str(n), "/company", page=n if n > 1 else None) if n != page else f"<b>{n}</b>"
                     for n in range(1, pages + 1)) if pages > 1 else ""
    body = (form + (error_box(problem) if problem else "")
            + f'<p class="count">{len(parties):,} parties; {(page - 1) * INDEX_PAGE + 1:,}–{(page - 1) * INDEX_PAGE + len(shown):,} shown</p>'
            + f'<ul class="companies" id="company-list">{rows}</ul><nav class="pager">{pager}</nav>')
    return page_reply("Companies", body, snap, links, 404 if problem else 200, current="/company")


def _profile(p: CompanyProfile, links: Links) -> str:
    """The profile's sections; empty ones left out."""
    notes = PageNotes()
    own = "/company/" + quote(p.company, safe="")
    facts = [f"{esc(p.kind)}" + (f", country {esc(p.country)}" if p.country else "")]
    if p.aliases:
        facts.append("also known as " + esc(", ".join(p.aliases)))
    if p.ultimate_owners:
        facts.append("ultimate owner: " + esc(", ".join(p.ultimate_owners)))
    intro = f'<p class="lede">{"; ".join(facts)}</p>'
    if p.homepage and p.homepage.startswith(("https://", "http://")):
        intro += f'<p><a href="{esc(p.homepage)}" rel="noreferrer noopener">{esc(p.homepage)}</a></p>'
    if p.note:
        intro += f'<p class="note">{folded(p.note, limit=240)}</p>'
    badges = dispute_badges([d["citation"] for d in p.disputes], itself="the fact itself")
    intro += f'<p class="disputes-summary">{badges}</p>' if badges else ""
    intro += ('<p class="downloads">' + links.a("JSON", own + ".json") + links.a("CSV", own + ".csv")
              + links.a("Its rows of the partner table", "/table", company=p.company)
              + links.a("Show on the graph", "/graph", company=p.label) + "</p>")
    sections = [
        ("owners", "Owned by", _owners(p, notes, links)),
        ("holds", "Holds", _rows(["data types", "through", "collected from", "whose data", "sources"],
                                 [[esc(", ".join(h["data_types"])), esc(h["integration"] or ""), esc(", ".join(h["collected_from"])),
                                   esc(", ".join(h["whose_data"])), notes.refs(h["sources"])] for h in p.holds if not h["site"]])),
        ("observed", "Observed on sites", _observed(p, notes)),
        ("receives", f"Receives ({len(p.receives)})", _grants(p.receives, notes, links, incoming=True)),
        ("grants", f"Grants ({len(p.grants)})", _grants(p.grants, notes, links, incoming=False)),
        ("incidents", "Incidents", _rows(["incident", "role", "other party", "data types", "occurred", "affected", "sources"], [
            [folded(i["label"] or i["fact"], limit=80), esc("its data reached it" if i["role"] == "received" else "exposed its data"),
             company_link(links, i["other_label"], i["other"]), esc(", ".join(i["data_types"])), esc(i["occurred"] or ""),
             esc(f"{i['affected']:,}" if i["affected"] is not None else ""), notes.refs(i["sources"] + i["disputes"])]
            for i in p.incidents])),
        ("lists", "On named lists", _rows(["list", "date", "status", "sources"], [
            [links.a(m["list_label"], "/table", list=m["list"]), esc(m["date"] or ""), esc(m["status"]),
             notes.refs(m["sources"]) + dispute_badges(m["disputes"], itself="the listing")] for m in p.lists])),
        ("owns", "Owns", _rows(["company", "sources"], [[company_link(links, o["label"], o["company"]), notes.refs(o["sources"])]
                                                        for o in p.owns])),
        ("disputes", "Who disputes what", _rows(["fact", "disputed by", "what", "source"], [
            [esc(d["about"]), esc(d["claimant"]), esc(d["aspect"] or "the fact itself"), notes.refs([d["citation"]])]
            for d in p.disputes])),
    ]
    shown = "".join(f'<section id="{key}"><h2>{esc(title)}</h2>{html}</section>' for key, title, html in sections if html)
    return intro + (shown or '<p class="note">No fact of the sources names it.</p>') + notes.section()


def _observed(p: CompanyProfile, notes: PageNotes) -> str:
    """The holdings observed on sites, summed up (``company_profile``'s ``observed``): one row per
    group; every observation is in the page's JSON and CSV."""
    from graph.present.company import OBSERVED_NAMES, observed_claims

    def counted(items: Sequence[Any], total: int) -> str:
        shown = ", ".join(f"{c['name']} {c['observations']:,}" for c in items[:OBSERVED_NAMES])
        return esc(shown + (f" and {total - min(len(items), OBSERVED_NAMES):,} more" if total > OBSERVED_NAMES else ""))

    rows = []
    for g, claims in zip(p.observed, observed_claims(p), strict=True):
        when = (g["first"] or "") + (f" to {g['last']}" if g["last"] != g["first"] else "")
        types = ", ".join(f"{c['name']} {c['observations']:,}" for c in g["data_types"])
        rows.append([esc(types), esc(g["integration"] or ""), esc(", ".join(g["collected_from"])),
                     esc(f"{g['observations']:,}") + (f" ({g['disputed']:,} disputed)" if g["disputed"] else ""),
                     esc(f"{g['sites']:,}"), esc(when), counted(g["trackers"], len(g["trackers"])),
                     counted(g["top_sites"], g["sites"]), notes.refs(claims)])
    return _rows(["data types (observations)", "through", "collected from", "observations", "sites", "months",
                  "trackers", "sites with the most", "sources"], rows)


def _rows(headers: Sequence[str], rows: list[list[str]]) -> str:
    """A compact table of cells already HTML; empty when there are no rows."""
    if not rows:
        return ""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="compact"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _grants(rows: list[GrantRow], notes: PageNotes, links: Links, *, incoming: bool) -> str:
    def when(r: GrantRow) -> str:
        return "–".join(d or "?" for d in (r["valid_from"], r["stated_end"])) if r["valid_from"] or r["stated_end"] else ""

    return _rows(["from" if incoming else "to", "integration", "data accessible", "permissions", "dates", "status",
                  "disputes", "sources"], [
        [company_link(links, r["grantor_label"], r["grantor"]) if incoming else company_link(links, r["label"], r["company"]),
         esc(r["integration"] or ""), folded(", ".join(r["data_types"]), limit=70), esc(", ".join(r["permissions"])),
         esc(when(r)), esc(r["status"]), dispute_badges(r["disputes"]), notes.refs(r["sources"] + r["disputes"])]
        for r in rows])


def _owners(p: CompanyProfile, notes: PageNotes, links: Links) -> str:
    items = []
    for chain in p.owners:
        steps = [company_link(links, chain[0]["owned_label"], chain[0]["owned"])]
        steps += [company_link(links, h["owner_label"], h["owner"]) + " " + notes.refs(h["evidence"]) for h in chain]
        items.append("<li>" + " → ".join(steps) + "</li>")
    for conflict in p.owner_conflicts:
        claims: list[Citation] = [c for o in conflict["claims"] for c in o["sources"]]
        items.append(f'<li><span class="badge conflict">sources disagree on who owns {esc(conflict["owned_label"])}</span> '
                     + " vs ".join(esc(o["owner_label"]) for o in conflict["claims"]) + " " + notes.refs(claims) + "</li>")
    return f'<ul class="chains">{"".join(items)}</ul>' if items else ""
