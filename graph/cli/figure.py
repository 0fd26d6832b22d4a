"""The ``figure`` command: a thin leaf over graph.viz.figure."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.questions import YES_NO, filter_options
from graph.cli.session import Command, Session, pass_session, say, wide_option
from graph.cli.views import as_of_option, output_option, writing
from graph.model.labels import PERMISSIONS
from graph.records import CERTAINTIES


@click.command("figure", cls=Command)
@output_option("Where to write (default: figure.svg or figure.png in the project's out/ or under --out; "
               "outside a project, in the current folder).")
@click.option("--format", "fmt", type=click.Choice(["svg", "png"]), default=None,
              help="svg (the default, or what -o ends with) or png, made from the SVG (needs datareach[figure]).")
@click.option("--data-type", "data_type", metavar="X", help="Draw who could reach data type X, and by which paths.")
@click.option("--company", metavar="C", help="Draw who sends data to company C and whom it sends data to.")
@click.option("--state", metavar="FRAGMENT",
              help="The view of an interactive page, as its URL fragment: '#view=reach&type=phone-number&from=facebook"
                   "&asof=2018'; the other options override it.")
@as_of_option
@click.option("--from", "start", metavar="COMPANY", help="A chain: only flows that start at this holder of X.")
@click.option("--into", metavar="COMPANY", help="A chain: who could send X into COMPANY.")
@click.option("--certainty", type=click.Choice(CERTAINTIES), default=None,
              help="Only paths at least this sure: stated, implied or partial (all, the default).")
@click.option("--permission", "permissions", multiple=True, type=click.Choice(PERMISSIONS),
              help="Only links with this permission (repeatable: all must hold).")
@click.option("--integration", "integrations", multiple=True, metavar="KIND", help="Only links of this integration kind (repeatable).")
@click.option("--through-ownership", is_flag=True, help="Also follow ownership: a parent reaches what its subsidiary reaches.")
@filter_options
@click.option("--site", metavar="SITE",
              help="Only holders seen collecting X on SITE (a crawl's observations, e.g. spiegel.de), and whom they "
                   "could pass it to.")
@click.option("--select", metavar="COMPANY", help="Name this party and its path even where it would be folded.")
@click.option("--title", help="The figure's title (default: the question, in words).")
@click.option("--scale", type=click.FloatRange(0.25, 8), default=2.0, show_default=True,
              help="PNG pixels per SVG unit.")
@wide_option
@pass_session
def figure_command(obj: Session, output: Path | None, fmt: str | None, data_type: str | None, company: str | None,
                   state: str | None, as_of: str | None, start: str | None, into: str | None, certainty: str | None,
                   permissions: tuple[str, ...], integrations: tuple[str, ...], through_ownership: bool,
                   on_by_default: str | None, whose_data: str | None, sources: tuple[str, ...],
                   source_before: str | None, source_after: str | None, country: str | None, confidence: str | None,
                   read: str | None, site: str | None, select: str | None, title: str | None, scale: float) -> None:
    """Write a static figure for an article: SVG (the default) or PNG.

    With neither --data-type nor --company it draws the whole graph as the page's "all"
    view folds it: the most connected parties named, the rest in groups with counts.
    --state takes a page's URL fragment, with its filters (integration, permissions,
    statuses, data type), and applies them as the page does.

    It has a title, a caption with the filters in words, a legend of the marks it uses,
    and a credit line naming each cited source (publisher, date) and datareach. The same
    inputs give a byte-identical SVG. A reach figure names the most connected parties and
    folds the rest into "+N more" boxes; --from or --into draws a chain, each arrow with
    its integration, dates and source numbers.

    \b
    Examples:
      datareach figure --data-type "phone number"            # -> out/figure.svg
      datareach figure --data-type "page likes" --from Facebook -o chain.svg
      datareach figure --company Spotify --as-of 2014 --format png -o spotify.png
      datareach figure --state "#view=reach&type=phone-number&asof=2018" -o phone.png
      datareach figure --state "#view=all&perm=write,delete&status=active" -o all.svg
    """
    from graph.viz.figure import from_state, write_figure

    fmt = fmt or ("png" if output is not None and output.suffix.lower() == ".png" else "svg")
    view = from_state(state, data_type=data_type, company=company, as_of=as_of, start=start, into=into,
                      certainty=certainty, permissions=permissions, integrations=integrations,
                      through_ownership=through_ownership, on_by_default=YES_NO[on_by_default], whose_data=whose_data,
                      sources=sources, source_before=source_before, source_after=source_after, country=country,
                      confidence=confidence, read=read, site=site, select=select)
    if "on_by_default" not in view and on_by_default == "no":
        view["on_by_default"] = False
    whole = "data_type" not in view
    G = obj.drawing()[0] if whole or "filters" in view else obj.flows()
    target = output or obj.deliverable(f"figure.{fmt}")
    with writing(target):
        path = write_figure(G, target, fmt=fmt, scale=scale, title=title, **view)
    say(f"wrote {path}")
