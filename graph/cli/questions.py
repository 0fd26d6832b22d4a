"""The question commands: reach, table, rank. Each parses, calls one library function, formats."""

from __future__ import annotations

from typing import Any

import click

from graph.cli.session import Command, Session, partial_date, pass_session
from graph.model.labels import PERMISSIONS, STATUSES
from graph.present import formats
from graph.safetext import printable, visible

FORMATS_REACH = ["text", "json", "csv"]
FORMATS_TABLE = ["text", "md", "csv", "html", "json"]
TEXT_LIMIT = 100  # rows a terminal answer shows unless --limit says otherwise


class _Citations:
    """Numbers each distinct source once, for a text answer's footnotes."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.sources: list[dict[str, Any]] = []

    def ref(self, claims: list[dict[str, Any]]) -> str:
        out = []
        for c in claims:
            if c["source"] not in self.numbers:
                self.numbers[c["source"]] = len(self.numbers) + 1
                self.sources.append(c)
            out.append(f"[{self.numbers[c['source']]}] {c['locator']}")
        return "; ".join(dict.fromkeys(out))

    def footer(self) -> str:
        """The numbered sources, one a line; each field made visible (``safetext.visible``)."""
        lines = ["", "Sources:"]
        for n, c in enumerate(self.sources, 1):
            publisher, title, date, url = (visible(" ".join(str(c[k] or "").split())) for k in ("publisher", "title", "date", "url"))
            lines.append(f"  [{n}] {publisher}, \"{title}\", {date or 'date unknown'}, {url}")
        return "\n".join(lines) if self.sources else ""

    def markdown_footer(self) -> str:
        """The numbered sources as a Markdown list; every field escaped (no HTML, links or images)."""
        lines = ["", "Sources:", ""]
        for n, c in enumerate(self.sources, 1):
            publisher, title = formats.markdown_text(c["publisher"]), formats.markdown_text(c["title"])
            date = formats.markdown_text(c["date"] or "date unknown")
            lines.append(f"- [{n}] {publisher}, \"{title}\", {date}, {formats.markdown_url(str(c['url'] or ''))}")
        return "\n".join(lines) if self.sources else ""


def _hop_text(hop: dict[str, Any]) -> str:
    how = hop["integration"] or hop["kind"]
    perms = f" [{', '.join(hop['permissions'])}]" if hop["permissions"] else ""
    return f"→ {hop['to_label']} ({how}{perms})"


def _notes(row: dict[str, Any]) -> str:
    notes = []
    if row["holder"]:
        notes.append(f"holds it ({row['holder_basis']})")
    for key, text in (("partial", "PARTIAL: only narrower types"), ("via_incident", "via an incident"),
                      ("undated", "dates unknown")):
        if row[key]:
            notes.append(text)
    disputes = [d for h in row["path"] for d in h["disputes"]]
    if any(d["aspect"] is None for d in disputes):
        notes.append("DISPUTED")
    aspects = sorted({d["aspect"] for d in disputes if d["aspect"] is not None})
    if aspects:
        notes.append("contested: " + ", ".join(aspects))
    return "; ".join(notes)


def _one_line(text: str) -> str:
    """``text`` on one line, its control and bidi characters made visible."""
    return visible(" ".join(text.split()))


def reach_text(result: Any) -> str:
    """A reach answer as a table with numbered source footnotes."""
    cites = _Citations()
    rows = []
    for r in result.rows:
        path = r["path"][0]["from_label"] + " " + " ".join(_hop_text(h) for h in r["path"]) if r["path"] else "—"
        claims = r["holder_sources"] if r["holder"] and not r["path"] else [s for h in r["path"] for s in h["sources"]]
        rows.append([r["label"], r["hops"], path, _notes(r), cites.ref(claims)])
    active = {k: v for k, v in result.filters.items() if v not in (None, [], False)}
    shown = "" if len(rows) == result.total else f" (the nearest {len(rows)} shown; --limit 0 shows all)"
    head = _one_line(f"Who could reach {result.label}" + (f" (filters: {active})" if active else "")
                     + f": {result.total} parties{shown}") + "\n"
    table = formats.text_table(["company", "hops", "path", "notes", "evidence"], rows, max_width=70)
    disputes = ["  " + _one_line(f"{h['to_label']} ({h['fact']}): disputed by {d['claimant'] or d['publisher']}"
                                 + (f" on {d['aspect']}" if d["aspect"] else " (the access itself)") + f": {cites.ref([d])}")
                for r in result.rows for h in r["path"] for d in h["disputes"]]
    extra = "\n\nDisputes:\n" + "\n".join(dict.fromkeys(disputes)) if disputes else ""
    return head + table + extra + cites.footer() + "\n\nEvery hop's dates, permissions and sources: --format json"


def reach_csv(result: Any) -> str:
    """One CSV row per hop (holders get one row with no hop)."""
    headers = ["company", "iri", "hops", "partial", "holder", "hop", "from", "to", "integration", "permissions",
               "data_types", "valid_from", "valid_until", "status", "disputed", "sources"]
    rows = []
    for r in result.rows:
        hops = r["path"] or [None]
        for i, h in enumerate(hops, 1):
            base = [r["label"], r["iri"], r["hops"], r["partial"], r["holder"]]
            if h is None:
                rows.append([*base, 0, "", "", "", "", "", "", "", "", "", _cite_list(r["holder_sources"])])
            else:
                rows.append([*base, i, h["from_label"], h["to_label"], h["integration"], h["permissions"], h["data_types"],
                             h["valid_from"], h["valid_until"], h["status"], h["disputed"], _cite_list(h["sources"])])
    return formats.csv_text(headers, rows)


def _cite_list(claims: list[dict[str, Any]]) -> str:
    return "; ".join(f"{c['publisher']} {c['date'] or ''} {c['locator']} <{c['url']}>" for c in claims)


@click.command("reach", cls=Command)
@click.argument("data_type")
@click.option("--as-of", callback=partial_date, metavar="DATE", help="Only edges valid on DATE (YYYY[-MM[-DD]]); edges with unknown dates are kept and marked.")
@click.option("--permission", "permissions", multiple=True, type=click.Choice(PERMISSIONS),
              help="Only edges with this permission (repeatable: all must hold).")
@click.option("--through-ownership", is_flag=True, help="Also follow ownership: a parent reaches what its subsidiary reaches.")
@click.option("--integration", "integrations", multiple=True, metavar="KIND", help="Only edges of this integration kind (repeatable).")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help=f"Show only the N nearest parties; 0 shows all. Default: the nearest {TEXT_LIMIT} as text, all as json or csv.")
@click.option("--format", "fmt", type=click.Choice(FORMATS_REACH), default="text", show_default=True,
              help="text for people; json (one party a line) or csv (one party a row) for scripts and spreadsheets.")
@pass_session
def reach_command(obj: Session, data_type: str, as_of: str | None, permissions: tuple[str, ...],
                  through_ownership: bool, integrations: tuple[str, ...], limit: int | None, fmt: str) -> None:
    """Which companies could reach DATA_TYPE, by which path, on whose evidence.

    DATA_TYPE is a label ("phone number"), a slug (phone-number), an IRI, a DPV-PD
    term (pd:TelephoneNumber) or a fideslang key (user.contact.phone_number). A grant
    of a broader type (contact information) carries the narrower one; a path that only
    carries narrower types is marked PARTIAL. Data exposed in an incident reaches its
    recipients ("public" for an open dump).

    \b
    Examples:
      datareach reach "phone number"
      datareach reach "private message" --permission read --permission delete
      datareach reach pd:TelephoneNumber --as-of 2017-06-01 --format json
      datareach reach user.contact --integration "device integration" --format csv
      datareach reach "private message" --limit 0 --format json > all.json
    """
    from graph.questions.reach import reach

    if limit is None:
        limit = TEXT_LIMIT if fmt == "text" else 0
    result = reach(obj.flows(), data_type, as_of=as_of, permissions=permissions, through_ownership=through_ownership,
                   integrations=integrations, limit=limit or None)
    if fmt == "json":
        click.echo(formats.json_text(result.to_json()))
    elif fmt == "csv":
        click.echo(printable(reach_csv(result)), nl=False)
    else:
        click.echo(printable(reach_text(result)))


TABLE_HEADERS = ["company", "grantor", "integration", "data accessible", "permissions", "user activation",
                 "overrode privacy setting", "start", "stated shutdown", "last seen active", "status", "sources", "disputes"]


def _table_row(r: dict[str, Any], cite: Any) -> list[Any]:
    disputes = [f"{d['claimant'] or d['publisher']}" + (f" ({d['aspect']})" if d["aspect"] else "") for d in r["disputes"]]
    def known(value: Any) -> Any:
        return "unknown" if value is None else value

    return [r["company"], r["grantor"], r["integration"], r["data_types"], r["permissions"], known(r["activation"]),
            known(r["overrode_privacy_setting"]), known(r["valid_from"]), known(r["stated_end"]),
            known(r["last_observed_active"]), r["status"], cite(r["sources"]), disputes]


@click.command("table", cls=Command)
@click.option("--company", "companies", multiple=True, help="Only grants involving this company (name or alias; repeatable).")
@click.option("--data-type", "data_types", multiple=True, help="Only grants carrying this data type, a broader or a narrower one (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES), help="Only grants with this status (repeatable).")
@click.option("--format", "fmt", type=click.Choice(FORMATS_TABLE), default="text", show_default=True,
              help="text for people; md, csv or html for an article or a spreadsheet; json for scripts.")
@pass_session
def table_command(obj: Session, companies: tuple[str, ...], data_types: tuple[str, ...],
                  statuses: tuple[str, ...], fmt: str) -> None:
    """The partner table: company, kind of integration, data accessible, permissions,
    what the user did to switch it on, start, stated shutdown, last seen active,
    status, sources and disputes. One row per access grant.

    \b
    Examples:
      datareach table
      datareach table --company Spotify --format md
      datareach table --data-type "private message" --status "shut down" --format csv > partners.csv
      datareach table --format html > partners.html
    """
    from graph.questions.table import partner_table

    rows = partner_table(obj.projection(), companies=companies, data_types=data_types, statuses=statuses)
    if fmt == "json":
        click.echo(formats.json_text(rows))
        return
    cites = _Citations()
    full = fmt in ("csv", "html")
    body = [_table_row(r, (lambda c: _cite_list(c)) if full else cites.ref) for r in rows]
    if fmt == "csv":
        click.echo(printable(formats.csv_text(TABLE_HEADERS, body)), nl=False)
    elif fmt == "md":
        click.echo(printable(formats.markdown_table(TABLE_HEADERS, body) + "\n" + cites.markdown_footer()))
    elif fmt == "html":
        classes = ["disputed" if r["disputes"] else "" for r in rows]
        click.echo(printable(formats.html_page("datareach partner table", TABLE_HEADERS, body, row_classes=classes)))
    else:
        click.echo(printable(formats.text_table(TABLE_HEADERS, body, max_width=40) + cites.footer()))


@click.command("rank", cls=Command)
@click.option("--by", type=click.Choice(["betweenness", "pagerank", "reach"]), default="reach", show_default=True,
              help="betweenness: brokers between others; pagerank: where flows end up; reach: data types reachable, weighted by sensitivity.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="Show the N highest-ranked parties.")
@click.option("--through-ownership", is_flag=True, help="Count ownership edges as flows.")
@click.option("--sample", type=click.IntRange(min=1), default=None, help="Betweenness from this many sampled sources (large graphs).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text for people; json or csv for scripts and spreadsheets.")
@pass_session
def rank_command(obj: Session, by: str, top: int, through_ownership: bool, sample: int | None, fmt: str) -> None:
    """Who are the hubs and brokers of data.

    \b
    Examples:
      datareach rank                         # by reach, weighted by sensitivity
      datareach rank --by betweenness --top 10
      datareach rank --by pagerank --format json
    """
    from graph.questions.rank import rank

    rows = rank(obj.flows(), by=by, top=top, through_ownership=through_ownership, sample=sample)
    if fmt == "json":
        click.echo(formats.json_text(rows))
        return
    body = [[r["rank"], r["label"], r["score"], r["details"]] for r in rows]
    headers = ["rank", "company", by, "data types reached" if by == "reach" else "details"]
    text = formats.csv_text(headers, body) if fmt == "csv" else formats.text_table(headers, body, max_width=90)
    click.echo(printable(text), nl=fmt != "csv")


@click.command("owner", cls=Command)
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts.")
@pass_session
def owner_command(obj: Session, name: str, fmt: str) -> None:
    """Who ultimately owns NAME (a company, alias, brand or domain), and the chain that proves it.

    \b
    Examples:
      datareach owner Instagram
      datareach owner doubleclick.net --format json
    """
    from graph.questions.owner import ultimate_owner

    answer = ultimate_owner(obj.projection(), name)
    if fmt == "json":
        click.echo(formats.json_text(answer.to_json()))
        return
    cites = _Citations()
    lines = []
    if answer.domain is not None:
        ops = ", ".join(answer.domain["operator_labels"])
        lines.append(_one_line(f"{answer.domain['domain']} is operated by {ops} {cites.ref(answer.domain['evidence'])}"))
    for chain, start in zip(answer.chains, answer.starts, strict=True):
        if not chain:
            lines.append(_one_line(f"{start}: no owner recorded (it is its own ultimate owner here)"))
            continue
        steps = " → ".join([chain[0]["owned_label"], *(h["owner_label"] for h in chain)])
        refs = "; ".join(cites.ref(h["evidence"]) for h in chain)
        lines.append(_one_line(steps) + "   " + _one_line(refs))
    text = _one_line(f"Ultimate owner of {name}: {', '.join(answer.ultimate)}") + "\n" + "\n".join(lines) + cites.footer()
    click.echo(printable(text))
