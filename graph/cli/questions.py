"""The question commands: reach, table, rank. Each parses, calls one library function, formats."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from graph import nogc
from graph.cli.session import (
    Command,
    Session,
    partial_date,
    pass_session,
    say,
    screen_width,
    wide_option,
)
from graph.model.labels import CONFIDENCES, PERMISSIONS, READ_MODES, STATUSES, WHOSE_DATA
from graph.present import answers, formats, sheets
from graph.records import CERTAINTIES
from graph.safetext import printable

if TYPE_CHECKING:
    from rdflib import Graph

    from graph.sparql.scoped import Runner, ScopeReader

FORMATS_REACH = ["text", "json", "csv"]
FORMATS_TABLE = ["text", "md", "csv", "html", "json"]
TEXT_LIMIT = 100  # rows a terminal answer shows unless --limit says otherwise
YES_NO = {"yes": True, "no": False, None: None}


def filter_options(f: click.decorators.FC) -> click.decorators.FC:
    """The filters reach and table share: on by default, whose data, source, source date, country, confidence, read."""
    for option in reversed([
        click.option("--on-by-default", type=click.Choice(["yes", "no"]), default=None,
                     help="Only grants stated to be on by default (yes) or stated not to be (no)."),
        click.option("--whose-data", type=click.Choice(WHOSE_DATA), default=None,
                     help="Only grants stated to carry this population's data."),
        click.option("--source", "sources", multiple=True, metavar="ID", help="Only facts asserted by this source (repeatable)."),
        click.option("--source-before", callback=partial_date, metavar="DATE", help="Only facts asserted by a source dated up to DATE."),
        click.option("--source-after", callback=partial_date, metavar="DATE", help="Only facts asserted by a source dated from DATE."),
        click.option("--country", metavar="CC", help="Only parties with this stated country (ISO 3166 code)."),
        click.option("--confidence", type=click.Choice(CONFIDENCES), default=None,
                     help="Only facts a claim at least this sure asserts: confirmed, reported (confirmed or reported) "
                          "or alleged (all, the default)."),
        click.option("--read", type=click.Choice(READ_MODES), default=None,
                     help="Only facts asserted by a source read at least this directly: directly, through a reprint "
                          "(or directly) or through quotes (all, the default)."),
    ]):
        f = option(f)
    return f


@click.command("reach", cls=Command)
@click.argument("data_type")
@click.option("--as-of", callback=partial_date, metavar="DATE", help="Only edges valid on DATE (YYYY[-MM[-DD]]); edges with unknown dates are kept and marked.")
@click.option("--permission", "permissions", multiple=True, type=click.Choice(PERMISSIONS),
              help="Only edges with this permission (repeatable: all must hold).")
@click.option("--through-ownership", is_flag=True, help="Also follow ownership: a parent reaches what its subsidiary reaches.")
@click.option("--integration", "integrations", multiple=True, metavar="KIND", help="Only edges of this integration kind (repeatable).")
@click.option("--list", "within", metavar="LIST", help="Only parties on this named list (id or name; see `datareach lists`), each with its status there.")
@click.option("--from", "start", metavar="COMPANY", help="Only flows that start at this holder of DATA_TYPE.")
@click.option("--into", metavar="COMPANY", help="Who sent DATA_TYPE into COMPANY: the parties it could have received it from.")
@click.option("--certainty", type=click.Choice(CERTAINTIES), default=None,
              help="Only paths at least this sure: stated, implied (stated or implied) or partial (all, the default).")
@click.option("--stated-only", is_flag=True, help="Same as --certainty stated.")
@filter_options
@click.option("--site", metavar="SITE",
              help="Only holders seen collecting DATA_TYPE on SITE (a crawl's observations, e.g. spiegel.de; "
                   "www., https:// and a path are ignored), and whom they could pass it to.")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help=f"Show only the first N parties (surest, then nearest); 0 shows all. Default: the first {TEXT_LIMIT} as text, all as json or csv.")
@click.option("--format", "fmt", type=click.Choice(FORMATS_REACH), default="text", show_default=True,
              help="text for people; json (one party a line) or csv (one party a row) for scripts and spreadsheets.")
@wide_option
@pass_session
def reach_command(obj: Session, data_type: str, as_of: str | None, permissions: tuple[str, ...],
                  through_ownership: bool, integrations: tuple[str, ...], within: str | None, start: str | None, into: str | None,
                  certainty: str | None, stated_only: bool, on_by_default: str | None, whose_data: str | None,
                  sources: tuple[str, ...], source_before: str | None, source_after: str | None, country: str | None,
                  confidence: str | None, read: str | None, site: str | None, limit: int | None, fmt: str) -> None:
    """Which companies could reach DATA_TYPE, by which path, on whose evidence.

    DATA_TYPE is a label ("phone number"), a slug (phone-number), an IRI, a DPV-PD
    term (pd:TelephoneNumber) or a fideslang key (user.contact.phone_number). Each
    party and hop says how sure it is: stated (the fact names the type), implied (only
    a broader type, e.g. contact information for phone number) or partial (only
    narrower types); a path is as sure as its least sure hop, and rows sort by
    certainty, then hops. An onward transfer passes on at most what reached its
    grantor. Data exposed in an incident reaches its recipients ("public" for an open
    dump).

    \b
    Examples:
      datareach reach "phone number"
      datareach reach "private message" --permission read --permission delete
      datareach reach pd:TelephoneNumber --as-of 2017-06-01 --format json
      datareach reach user.contact --integration "device integration" --format csv
      datareach reach "private message" --limit 0 --format json > all.json
      datareach reach "address book" --into Facebook --stated-only
      datareach reach "friends list" --from Facebook --whose-data "users' friends"
      datareach reach "private message" --confidence reported --read directly
    """
    from graph.questions import lists
    from graph.questions.reach import reach

    if limit is None:
        limit = TEXT_LIMIT if fmt == "text" else 0

    def fetch(run: Runner) -> ScopeReader:  # only with --endpoint or --store: rdflib stays unloaded otherwise
        from graph.sparql.scoped import ReachFilters, read_reach

        pushed = ReachFilters(as_of=as_of, integrations=integrations, on_by_default=YES_NO[on_by_default],
                              whose_data=whose_data, sources=sources, source_before=source_before,
                              source_after=source_after, confidence=confidence, read=read, site=site)
        return read_reach(run, data_type, permissions=permissions, through_ownership=through_ownership,
                          companies=start is not None or into is not None, named_lists=within is not None,
                          filters=pushed)

    scoped = obj.scoped(fetch)
    flows = obj.flows() if scoped is None else scoped
    named = None if within is None else lists.find_list(flows, within)
    result = reach(flows, data_type, as_of=as_of, permissions=permissions, through_ownership=through_ownership,
                   integrations=integrations, limit=limit or None if named is None else None, start=start, into=into,
                   certainty="stated" if stated_only else certainty,  # type: ignore[arg-type]
                   on_by_default=YES_NO[on_by_default], whose_data=whose_data, sources=sources,
                   source_before=source_before, source_after=source_after, country=country,
                   confidence=confidence, read=read, site=site)
    if named is not None:  # a filter on the rows, after the search
        result = lists.scope_reach(result, named, limit or None)
    if fmt == "json":
        answer = result.to_json()
        if named is not None:
            answer["scope"] = lists.summary(flows, named)
        click.echo(formats.json_text(answer))
    elif fmt == "csv":
        click.echo(printable(sheets.sheet_csv(answers.reach_sheet(result))), nl=False)
    else:
        click.echo(printable(sheets.reach_text(result, answers.reach_sheet(result), width=screen_width())))


@click.command("table", cls=Command)
@click.option("--company", "companies", multiple=True, help="Only grants involving this company (name or alias; repeatable).")
@click.option("--data-type", "data_types", multiple=True, help="Only grants carrying this data type, a broader or a narrower one (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES), help="Only grants with this status (repeatable).")
@click.option("--list", "within", metavar="LIST",
              help="Only grants a member of this named list takes part in (id or name; see `datareach lists`). "
                   "JSON is then an object: the list, the number of rows, the rows.")
@filter_options
@click.option("--format", "fmt", type=click.Choice(FORMATS_TABLE), default="text", show_default=True,
              help="text for people; md, csv or html for an article or a spreadsheet; json for scripts.")
@wide_option
@pass_session
def table_command(obj: Session, companies: tuple[str, ...], data_types: tuple[str, ...],
                  statuses: tuple[str, ...], within: str | None, on_by_default: str | None, whose_data: str | None, sources: tuple[str, ...],
                  source_before: str | None, source_after: str | None, country: str | None,
                  confidence: str | None, read: str | None, fmt: str) -> None:
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
    from graph.questions import lists
    from graph.questions.table import partner_rows

    def fetch(run: Runner) -> ScopeReader:
        from graph.sparql.scoped import ReachFilters, read_table

        pushed = ReachFilters(on_by_default=YES_NO[on_by_default], whose_data=whose_data, sources=sources,
                              source_before=source_before, source_after=source_after, confidence=confidence, read=read)
        return read_table(run, _company_iris(companies) if companies else None, within is not None,
                          data_types=data_types, filters=pushed)

    scoped = obj.scoped(fetch)
    G = obj.flow_graph() if scoped is None else scoped
    made = partner_rows(G, companies=companies, data_types=data_types, statuses=statuses, within=within,
                        on_by_default=YES_NO[on_by_default], whose_data=whose_data, sources=sources,
                        source_before=source_before, source_after=source_after, country=country,
                        confidence=confidence, read=read)
    if fmt == "csv" or (fmt == "json" and within is None):  # written as the rows are made, never held whole
        with nogc.paused():  # rows hold no cycles; the collector walking them was 30 % of the CPU at M
            if fmt == "csv":
                for chunk in sheets.csv_chunks(answers.TABLE_COLUMNS, made):
                    click.echo(printable(chunk), nl=False)
                return
            for chunk in formats.json_list_chunks(made):
                click.echo(chunk, nl=False)
            click.echo("")
            return
    rows = list(made)
    if fmt == "json":
        if within is None:
            click.echo(formats.json_text(rows))
        else:
            click.echo(formats.json_text({"scope": lists.summary(G, lists.find_list(G, within)), "total": len(rows),
                                          "rows": rows}))
        return
    sheet = answers.table_sheet(rows, filters={
        "companies": list(companies), "data_types": list(data_types), "statuses": list(statuses), "within": within,
        "on_by_default": YES_NO[on_by_default], "whose_data": whose_data, "sources": list(sources),
        "source_before": source_before, "source_after": source_after, "country": country})
    if fmt == "md":
        click.echo(printable(sheets.sheet_markdown(sheet)))
    elif fmt == "html":
        click.echo(printable(sheets.sheet_html_page(sheet)))
    else:
        count = f"{len(rows)} grant{'' if len(rows) == 1 else 's'}"
        click.echo(printable(sheets.sheet_report(sheet, count, width=screen_width())))


def _company_iris(names: tuple[str, ...]) -> Callable[[Graph], list[str]]:
    """The IRIs of the named companies, resolved as locally on the companies' names only."""
    def iris(g: Graph) -> list[str]:
        from graph.build.projection import project
        from graph.questions.resolve import resolve_company

        G = project(g)
        return [G.nodes[resolve_company(G, name)]["iri"] for name in names]

    return iris


@click.command("rank", cls=Command)
@click.option("--by", type=click.Choice(["betweenness", "pagerank", "reach"]), default="reach", show_default=True,
              help="betweenness: brokers between others; pagerank: where flows end up; reach: data types reachable, weighted by sensitivity.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="Show the N highest-ranked parties.")
@click.option("--through-ownership", is_flag=True, help="Count ownership edges as flows.")
@click.option("--sample", type=click.IntRange(min=1), default=None, help="Estimate betweenness from this many sources, drawn by out-degree (large graphs); exact by default.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text for people; json or csv for scripts and spreadsheets.")
@wide_option
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
    sheet = answers.rank_sheet(rows, by, filters={"through_ownership": through_ownership, "sample": sample})
    notes = answers.rank_notes(rows)  # shared places: in the text, or on stderr beside the CSV (json has "tied")
    if fmt == "csv":
        click.echo(printable(sheets.sheet_csv(sheet)), nl=False)
        for note in notes:
            say(f"note: {note}", err=True)
    else:
        click.echo(printable(sheets.sheet_report(sheet, f"top {len(rows)}", width=screen_width())))
        for note in notes:
            say(f"note: {note}")


@click.command("owner", cls=Command)
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts.")
@wide_option
@pass_session
def owner_command(obj: Session, name: str, fmt: str) -> None:
    """Who ultimately owns NAME (a company, alias, brand or domain), and the chain that proves it.

    \b
    Examples:
      datareach owner Instagram
      datareach owner doubleclick.net --format json
    """
    from graph.questions.owner import ultimate_owner

    def fetch(run: Runner) -> ScopeReader:
        from graph.sparql.scoped import read_owner

        return read_owner(run, name)

    G = obj.scoped(fetch)
    answer = ultimate_owner(obj.flow_graph() if G is None else G, name)
    if fmt == "json":
        click.echo(formats.json_text(answer.to_json()))
        return
    click.echo(printable(sheets.owner_text(answer, width=screen_width())))


@click.command("lists", cls=Command)
@click.argument("name", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts.")
@wide_option
@pass_session
def lists_command(obj: Session, name: str | None, fmt: str) -> None:
    """The named lists the sources publish, or one list NAME (its id or name): its source,
    the count it states, its members with the status the list gives each, and how many
    members have each status. JSON carries the counts (stated_count, total, by_status).

    \b
    Examples:
      datareach lists
      datareach lists --format json
    """
    from graph.questions import lists

    flows = obj.flows()
    answers_ = [lists.list_answer(flows, lists.find_list(flows, name))] if name else lists.lists(flows)
    if fmt == "json":
        click.echo(formats.json_text(answers_[0] if name else {"total": len(answers_), "lists": answers_}))
        return
    click.echo(printable(sheets.lists_text(answers_, members=name is not None, width=screen_width())))
