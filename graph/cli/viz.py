"""The ``viz`` and ``export`` commands: thin leaves over graph.viz.page and graph.export.writers."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.session import Command, Session, pass_session, say, wide_option
from graph.cli.views import as_of_option, output_option, writing
from graph.export.writers import FORMATS


@click.command("viz", cls=Command)
@output_option("Where to write the HTML page (default: graph.html in the project's out/ or under --out; "
               "outside a project, in the current folder).")
@click.option("--data-type", "data_type", metavar="X", help="Draw who could reach data type X, paths highlighted.")
@click.option("--company", metavar="C", help="Draw company C and everything within two hops of it.")
@click.option("--from", "start", metavar="COMPANY",
              help="With --data-type: draw the chain of flows that start at this holder, left to right, each link "
                   "with its integration, dates and sources [n].")
@click.option("--into", metavar="COMPANY",
              help="With --data-type: draw the chains by which the data type could reach COMPANY.")
@click.option("--site", metavar="SITE",
              help="With --data-type: only the holders seen collecting it on SITE (a crawl's observations, e.g. "
                   "spiegel.de), and whom they could pass it to.")
@as_of_option
@click.option("--title", help="Page title (default: what the view shows).")
@wide_option
@pass_session
def viz_command(obj: Session, output: Path | None, data_type: str | None, company: str | None,
                start: str | None, into: str | None, site: str | None, as_of: str | None, title: str | None) -> None:
    """Write an interactive graph as one self-contained HTML file.

    The page works offline (everything is inside the file, nothing is fetched), can
    be emailed or opened from a USB stick, and shows every name and quote as plain
    text. Search for a company or data type, filter by data type, permission,
    integration, status and date, and click an arrow to read the evidence.
    At most 300 parties are drawn; the rest are folded into groups with counts
    (by owner, list, country or category) that open on click. The page keeps its
    view in the URL fragment (#view=…&type=…&sel=…), so a link reproduces it.

    \b
    Examples:
      datareach viz                                  # -> out/graph.html
      datareach viz --data-type "phone number" -o phone.html
      datareach viz --company Spotify --as-of 2014
      datareach viz --data-type "page likes" --from Facebook   # a chain, left to right
      datareach viz --title "Facebook's partners, 2018" -o partners.html
    """
    from graph.viz.page import write_html

    if data_type is not None and company is not None:
        raise click.UsageError("use --data-type or --company, not both")
    if (start is not None or into is not None) and data_type is None:
        raise click.UsageError("--from and --into follow a data type: add --data-type")
    if site is not None and data_type is None:
        raise click.UsageError("--site follows a data type: add --data-type")
    G, index = obj.drawing()
    target = output or obj.deliverable("graph.html")
    with writing(target):
        path = write_html(G, target, focus_data_type=data_type, focus_company=company, as_of=as_of, title=title,
                          start=start, into=into, index=index, site=site)
    say(f"wrote {path} ({G.number_of_nodes()} parties, {G.number_of_edges()} links in the graph); open it in a browser")


@click.command("export", cls=Command)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="graphml (yEd, Cytoscape), gexf (Gephi), csv (spreadsheets, one row per link) or jsonld.")
@output_option("Where to write (default: flows.<format> in the project's out/ or under --out; "
               "outside a project, in the current folder).")
@wide_option
@pass_session
def export_command(obj: Session, fmt: str, output: Path | None) -> None:
    """Export the data-flow graph for other tools.

    Lists become "; "-joined text, evidence becomes JSON text, and CSV cells that a
    spreadsheet would run as a formula are neutralised with a leading apostrophe.
    In GraphML and GEXF a company's holdings are a summary to filter and size by:
    holdings (how many), holdings_data_types, holdings_sites, holdings_trackers
    (distinct sites and trackers observed), holdings_first and holdings_last (dates).
    The full holdings are in the JSON-LD export and `company NAME --format json`.
    The JSON-LD export is the graph's companies, facts, claims and sources with an
    inline context; for the complete typed RDF use out/graph.jsonld from `build`.

    \b
    Examples:
      datareach export --format gexf                 # -> out/flows.gexf, for Gephi
      datareach export --format graphml -o flows.graphml
      datareach export --format csv -o links.csv
    """
    from graph.export.writers import export

    target = output if output is not None else obj.deliverable(f"flows.{fmt}")
    G = obj.flow_graph()  # read row by row as it is written, not as a networkx graph
    with writing(target):
        export(G, target, fmt)
    say(f"wrote {target} ({G.number_of_nodes()} parties, {G.number_of_edges()} links)")
