"""``datareach company NAME``: one company's profile. Parses, calls one library function, formats."""

from __future__ import annotations

import click

from graph.cli.session import Command, Session, pass_session, screen_width, wide_option
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
