"""``datareach company NAME``: one company's profile. Parses, calls one library function, formats."""

from __future__ import annotations

import click

from graph.cli.session import Command, Session, pass_session, say, screen_width, wide_option
from graph.present import formats
from graph.safetext import printable


@click.command("company", cls=Command)
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "csv", "json"]), default="text", show_default=True,
              help="text for people; md for an article; csv (one fact a row) for a spreadsheet; json for scripts.")
@wide_option
@pass_session
def company_command(obj: Session, name: str, fmt: str) -> None:
    """Everything the sources state about the company NAME (a name, alias or slug): what it
    holds, the grants it receives and makes, incidents, the named lists it is on, its owners
    (the chain to the ultimate owner) and what it owns, who disputes what, and the sources.
    Holdings observed on sites (a web crawl's thousands) are summed up in text and md: how
    many, on how many sites, by which trackers, from which month to which; csv and json list
    each one.

    \b
    Examples:
      datareach company Amazon
      datareach company "Royal Bank of Canada" --format md
      datareach company facebook --format json
    """
    from graph.present import company
    from graph.questions.company import company_profile

    profile = company_profile(obj.flow_graph(), name)  # the build row by row: only this company is decoded
    if fmt == "json":
        click.echo(formats.json_text(profile.to_json()))
    elif fmt == "csv":
        click.echo(printable(company.company_csv(profile)), nl=False)
    elif fmt == "md":
        click.echo(printable(company.company_markdown(profile)))
    else:
        click.echo(printable(company.company_text(profile, width=screen_width())))
    if fmt in ("text", "md") and profile.observed:
        say(f"Each of the {sum(g['observations'] for g in profile.observed):,} observations, with its site, tracker, "
            "month and source row: --format csv or --format json", err=True)
