"""``datareach import KIND FILE``: turn a public dataset or a spreadsheet into a cited fact file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from graph import textfit
from graph.cli.session import (
    BadInput,
    CliError,
    Command,
    Session,
    pass_session,
    say,
    screen_width,
    wide_option,
)


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if sep == "" or name.strip() == "":
            raise click.BadParameter(f"'{value}': write FIELD=VALUE", param_hint=option)
        out[name.strip()] = rest.strip()
    return out


def _kinds_text(width: int | None) -> str:
    """Each kind's name and summary, then what it reads, fitted to ``width`` beside the names."""
    from graph.importers import KINDS

    pad = max(len(k) for k in KINDS)
    lines = []
    for k in KINDS.values():
        lines += textfit.fit_line(f"{k.name:<{pad}}  {k.summary}", width, hanging=pad + 2)
        lines += textfit.fit_line(f"{'':<{pad}}  reads: {k.reads}", width, hanging=len("reads: "))
    return "\n".join(lines)


@click.command("import", cls=Command)
@click.argument("kind", required=False)
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("-o", "--out-dir", type=click.Path(path_type=Path), default=None,
              help="Where to write the fact file (default: the project's sources/imported/, which build reads).")
@click.option("--list", "list_kinds", is_flag=True, help="List the kinds that can be imported.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts.")
@click.option("--skip-unknown", is_flag=True,
              help="Skip categories missing from the mapping table (counted as a warning) instead of stopping.")
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN", help="csv: which column holds a field of the row's fact (repeatable).")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE", help="csv: one value for a field on every row (repeatable).")
@click.option("--kind", "row_kind", type=click.Choice(["grant", "holding"]), default=None,
              help="csv: what each row states: a grant (grantor grants grantee) or a holding (holder collects or "
                   "receives data types, from whom, through what); or a column with --map kind=COLUMN. [default: grant]")
@click.option("--map-values", "map_values", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              metavar="FILE", help="csv: a value-mapping table (columns field,value,term) applied before checking, "
                                   "e.g. a dataset's property names to data types.")
@click.option("--separator", default=";", show_default=True, help="csv: separator between several values in one cell.")
@click.option("--month", "months", multiple=True, metavar="YYYY-MM",
              help="whotracksme: import only this month (repeatable; default: all twelve, 2017-05 to 2018-04).")
@click.option("--max-input-mb", "max_input_mb", type=click.IntRange(min=1), default=None, metavar="N",
              help="Refuse input files larger than N MB (default 100; also DATAREACH_MAX_INPUT_MB).")
@click.option("--source-id", help="Id of the source entry (default: KIND-FILE); also the output file's name.")
@click.option("--source-title", help="Title of the source.")
@click.option("--source-publisher", help="Publisher of the source.")
@click.option("--source-url", help="Address of the source (http or https).")
@click.option("--source-date", help="Publication date: YYYY, YYYY-MM, YYYY-MM-DD or unknown.")
@click.option("--source-licence", help="Licence of the data.")
@click.option("--source-note", help="Anything a reader should know about the source (added to the generated note).")
@wide_option
@pass_session
def import_command(obj: Session, kind: str | None, file: Path | None, out_dir: Path | None, list_kinds: bool,
                   fmt: str, skip_unknown: bool, maps: tuple[str, ...], sets: tuple[str, ...], row_kind: str | None,
                   map_values: Path | None, separator: str, months: tuple[str, ...],
                   max_input_mb: int | None, **source: str | None) -> None:
    """Import a public dataset (or your own spreadsheet) as a cited fact file.

    Writes OUT_DIR/<source id>.yaml with the dataset's citation and licence filled in;
    build, reach, table, rank and viz then use it unchanged. What a dataset's categories
    mean in data types is read from the mapping tables in ontology/mappings/. A damaged
    input stops with a message and writes nothing.

    \b
    Examples:
      datareach import --list
      datareach import ddg-tds extension-tds.json
      datareach import disconnect path/to/disconnect-tracking-protection/
      datareach import whotracksme --month 2018-01          # needs the whotracksme extra
      datareach import webxray-owners domain_owners.json -o sources/imported/
      datareach import ca-broker-registry "California Data Broker Registry 2025.csv"
      datareach import csv partners.csv --map grantor=Company --map grantee=Partner \\
          --map data_types="Data shared" --set integration="data upload" --source-id my-sheet \\
          --source-title "Our partners" --source-publisher "Me" --source-url https://example.org/sheet
    """
    if list_kinds:
        from graph.importers import KINDS

        if fmt == "json":
            click.echo(json.dumps([vars(k) for k in KINDS.values()], indent=2))
        else:
            click.echo(_kinds_text(screen_width()))
        return
    if kind is None or (file is None and kind != "whotracksme"):
        raise CliError("give a KIND and a FILE (datareach import KIND FILE), or --list to see the kinds")
    if months and kind != "whotracksme":
        raise BadInput("--month goes with whotracksme (a monthly crawl)")
    from graph.importers import ImportProblem, Options, import_file
    from graph.importers.generic_csv import read_value_map

    if out_dir is None:
        if obj.project.root is None:
            raise CliError("no project here (no sources/ in this folder or a parent) to import into: run "
                           "`datareach init` to make one, or give -o DIR")
        out_dir = obj.project.imported
    options = Options(skip_unknown=skip_unknown, maps=_pairs(maps, "--map"), sets=_pairs(sets, "--set"), separator=separator,
                      max_input_mb=max_input_mb, source={k[len("source_"):]: v for k, v in source.items() if v is not None},
                      kind=row_kind, value_map={} if map_values is None else read_value_map(map_values),
                      months=months)
    try:
        result = import_file(kind, file, out_dir, options, progress=obj.progress)
    except ImportProblem as exc:
        if fmt == "json" and exc.unknown:
            click.echo(json.dumps({"error": str(exc).split("\n", 1)[0], "unknown_values": exc.unknown},
                                  indent=2, ensure_ascii=False))
            raise SystemExit(1) from None
        raise
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    for message, count in result.warnings.items():
        say(f"warning: {message}" + (f" ({count}×)" if count > 1 else ""), err=True)
    say(f"wrote {result.output} ({result.seconds['total']:.1f} s)")
    lines = [f"  {section:<10} {count}" for section, count in result.counts.items() if count]
    lines.append(f"  source     {result.source['id']}: {result.source['publisher']}, "
                 f"licence: {result.source.get('licence', 'not stated')}")
    say("\n".join(lines), hanging=11)
