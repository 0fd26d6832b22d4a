"""``datareach types``: the data-type (or integration-kind) tree with labels, slugs and mappings."""

from __future__ import annotations

import click

from graph.cli.session import Command, say, screen_width, wide_option
from graph.present import formats, sheets
from graph.safetext import printable


@click.command("types", cls=Command)
@click.argument("search", required=False)
@click.option("--integrations", is_flag=True, help="List the integration kinds instead of the data types.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts.")
@wide_option
def types_command(search: str | None, integrations: bool, fmt: str) -> None:
    """The data-type tree: each term's label, slug, alt labels and mappings (DPV-PD, fideslang, or minted).

    SEARCH keeps the terms whose label, alt label, slug or mapping contains it, shown
    under their broader terms (marked [ancestor]). Any label, alt label, slug, pd: term
    or fideslang key listed here is accepted by reach, table and the fact files.

    \b
    Examples:
      datareach types
      datareach types "advertising"
      datareach types pd:Purchase --format json
      datareach types --integrations
    """
    from graph.model.ontology import data_types, integration_kinds
    from graph.questions.types import type_tree

    rows = type_tree(integration_kinds() if integrations else data_types(), search)
    if fmt == "json":
        click.echo(formats.json_text(rows))
    elif not rows:
        say(f"no {'integration kind' if integrations else 'data type'} matches {search!r}")
    else:
        click.echo(printable(sheets.types_text(rows, width=screen_width())))
