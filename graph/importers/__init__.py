"""Importers: public datasets and spreadsheets → cited fact files that ``build`` reads unchanged.

``import_file(kind, path, out_dir)`` reads one dataset, builds the whole fact file in
memory, checks it against the fact-file schema, and only then writes it atomically to
``out_dir/<source id>.yaml``. A damaged input raises ``ImportProblem`` and writes
nothing. ``KINDS`` lists what can be imported; the meaning of each dataset's categories
lives in ``ontology/mappings/*.csv``, not here.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from graph.importers.common import Doc, ImportProblem, Options
from graph.names import did_you_mean, suggest
from graph.progress import Progress
from graph.progress import quiet as _quiet

__all__ = ["KINDS", "ImportProblem", "ImportResult", "Kind", "Options", "import_file"]


@dataclass(frozen=True)
class Kind:
    """One importable dataset kind: its module and what it reads."""

    name: str
    module: str
    reads: str
    summary: str


KINDS = {k.name: k for k in (
    Kind("ddg-tds", "ddg", "extension-tds.json or android-tds.json",
         "DuckDuckGo tracker blocklist: entities, their domains, data types their trackers' categories imply"),
    Kind("disconnect", "disconnect", "services.json, entities.json, or a folder holding both",
         "Disconnect tracking protection: organisations, their domains, data types by category"),
    Kind("webxray-owners", "webxray", "domain_owners.json",
         "webXray domain owners: companies, aliases, homepages, countries, parent companies, domains"),
    Kind("ca-broker-registry", "ca_broker", "the CPPA registry CSV (header on row 2)",
         "California data broker registry: brokers, DBAs, websites; minors / precise geolocation / reproductive health flags"),
    Kind("whotracksme", "whotracksme", "the data/assets folder of the whotracksme package (default: the installed package)",
         "WhoTracks.me 2017-05..2018-04: trackers' companies and domains, a holding per tracker seen on a site a month"),
    Kind("csv", "generic_csv", "any CSV, with --map FIELD=COLUMN and --source-… options",
         "your own spreadsheet: one grant a row, each citing its row"),
)}


@dataclass
class ImportResult:
    """What an import wrote and counted; ``warnings`` maps each message to how often it arose."""

    kind: str
    input: Path
    output: Path
    source: dict[str, str]
    counts: dict[str, int]
    warnings: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"ok": True, "kind": self.kind, "input": str(self.input), "output": str(self.output),
                "source": self.source, "counts": self.counts,
                "warnings": [{"message": m, "count": n} for m, n in self.warnings.items()], "seconds": self.seconds}


def read(kind: str, path: Path, options: Options | None = None) -> Doc:
    """Read ``path`` as ``kind`` into a Doc (nothing is written).

    Parameters
    ----------
    kind : str
        One of ``KINDS`` (a misspelt kind is refused with the nearest one suggested).
    path : Path
        The file or folder to read.
    options : Options or None
        Unknown categories, mapped columns, values that override the source entry.

    Returns
    -------
    Doc
        The fact file's contents, ready for ``graph.importers.yamlout``.

    >>> read("csvv", Path("x.csv"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.importers.common.ImportProblem: unknown kind 'csvv' — did you mean 'csv'? (kinds: ...)
    """
    if kind not in KINDS:
        raise ImportProblem(f"unknown kind '{kind}'" + did_you_mean(suggest(kind, KINDS))
                            + f" (kinds: {', '.join(KINDS)})")
    if not path.exists():
        raise ImportProblem(f"{path}: no such file or folder")
    module = importlib.import_module(f"graph.importers.{KINDS[kind].module}")
    try:
        doc: Doc = module.run(path, options or Options())
    except (TypeError, AttributeError) as exc:  # a value of an unexpected type deep in a well-formed file
        raise ImportProblem(f"{path}: a value has an unexpected type ({exc}): is this {KINDS[kind].reads}?") from None
    return doc


def import_file(kind: str, path: Path | None, out_dir: Path, options: Options | None = None, *,
                progress: Progress = _quiet) -> ImportResult:
    """Import ``path`` as ``kind`` into ``out_dir/<source id>.yaml``; raise ImportProblem on bad input.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> sheet = out / "partners.csv"
    >>> _ = sheet.write_text("Company,Partner,Data shared\\nExample Social,Example Music,address book; name\\n"
    ...                      "Example Social,Example Tracker Co,email address\\nExample Music,Example Ads Ltd,name\\n")
    >>> opts = Options(maps={"grantor": "Company", "grantee": "Partner", "data_types": "Data shared"},
    ...                sets={"integration": "data upload"},
    ...                source={"id": "my-sheet", "title": "Partners", "publisher": "Me", "url": "https://example.org/s"})
    >>> result = import_file("csv", sheet, out, opts)
    >>> result.output.name, result.counts["grants"]
    ('my-sheet.yaml', 3)
    """
    from graph import atomic
    from graph.importers import yamlout

    timer = time.perf_counter()
    if kind == "whotracksme":  # a folder of files: a YAML file and a holdings CSV per month
        from graph.importers import whotracksme

        months = list((options or Options()).months) or None
        target, source, counts, warnings = whotracksme.import_package(path, out_dir, months=months, progress=progress)
        return ImportResult(kind, whotracksme.default_path() if path is None else path, target, source, counts, warnings,
                            {"total": round(time.perf_counter() - timer, 3)})
    progress(f"reading {path} as {kind}")
    if path is None:
        raise ImportProblem(f"give the {KINDS[kind].reads if kind in KINDS else 'file'} to import")
    doc = read(kind, path, options)
    data = doc.data()
    seconds = {"read": round(time.perf_counter() - timer, 3)}
    progress("checking the result against the fact-file schema")
    _check_schema(data, kind)
    target = out_dir / f"{doc.sid}.yaml"
    header = [f"Imported by 'datareach import {kind} {path.name}'. Do not edit: re-run the import instead.",
              f"Source: {doc.source['publisher']}, {doc.source['url']}",
              f"Licence: {doc.source.get('licence', 'not stated')}",
              "Derived data: keep it with its licence; sources/imported/ is not committed to the repository."]
    text = yamlout.dump(data, header)
    progress(f"writing {target}")
    try:
        atomic.write_text(target, text)
    except OSError as exc:
        raise ImportProblem(f"cannot write {target}: {exc.strerror or exc}") from None
    seconds["total"] = round(time.perf_counter() - timer, 3)
    counts = {section: len(records) for section, records in data.items() if section != "sources"}
    return ImportResult(kind, path, target, doc.source, counts, doc.warnings, seconds)


def _check_schema(data: dict[str, list[dict[str, object]]], kind: str) -> None:
    from graph.build import factfile

    problems = factfile.check_schema(factfile.FactFile(f"<{kind} import>", data))
    if problems:
        listed = "\n".join(str(p) for p in problems[:10])
        raise ImportProblem(f"the imported facts do not fit the fact-file schema (a bug in the {kind} importer; "
                            f"nothing written):\n{listed}")
