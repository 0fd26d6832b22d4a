"""Disconnect's tracking-protection lists: ``services.json`` and ``entities.json``.

``entities.json`` names each organisation's first-party domains (properties) and
tracking domains (resources); ``services.json`` files each service under categories
(Advertising, Analytics, FingerprintingInvasive, Social, Email, …) with its homepage.
Either file alone, or a folder holding both, can be imported: companies and domains
come from both, holdings (data types per ``ontology/mappings/disconnect.csv``) from
the categories in ``services.json``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.importers import mapping, provenance
from graph.importers.common import Doc, ImportProblem, Options, claim, clip, need, read_json

KIND = "disconnect"
DEFAULTS = {
    "publisher": "Disconnect, Inc.",
    "title": "Disconnect tracking protection lists (services.json, entities.json)",
    "url": "https://github.com/disconnectme/disconnect-tracking-protection",
    "licence": "CC BY-NC-SA 4.0 (Copyright Disconnect, Inc.): attribution, non-commercial use only, share-alike",
}
WHAT = "Disconnect's services.json or entities.json (or a folder holding them)"


def _files(path: Path) -> dict[str, Path]:
    if path.is_dir():
        found = {n: path / f"{n}.json" for n in ("services", "entities") if (path / f"{n}.json").is_file()}
        if not found:
            raise ImportProblem(f"{path}: no services.json or entities.json in this folder")
        return found
    return {"file": path}


def run(path: Path, options: Options) -> Doc:
    """Read one Disconnect file, or both from a folder, into a Doc."""
    parsed: dict[str, tuple[Path, Any]] = {}
    for p in _files(path).values():
        data = need(read_json(p, WHAT, options.max_input_mb), dict, p, "the top level", f"a JSON object ({WHAT})")
        if isinstance(data.get("categories"), dict):
            parsed["services"] = (p, data["categories"])
        elif isinstance(data.get("entities"), dict):
            parsed["entities"] = (p, data["entities"])
        else:
            raise ImportProblem(f"{p}: neither a 'categories' nor an 'entities' object: expected {WHAT}")
    doc = Doc(provenance.entry(KIND, [p for p, _ in parsed.values()], DEFAULTS, options.source))
    names: dict[str, str] = {}
    if "entities" in parsed:
        _entities(doc, *parsed["entities"], names)
    if "services" in parsed:
        _services(doc, *parsed["services"], names, options)
    return doc


def _entities(doc: Doc, path: Path, entities: dict[str, Any], names: dict[str, str]) -> None:
    for name, ent in entities.items():
        ent = need(ent, dict, path, f'entities["{name}"]', "a JSON object")
        names[name] = doc.company(name, f'{path.name} entities["{name}"]')
        for part in ("properties", "resources"):
            for d in ent.get(part) or []:
                if isinstance(d, str):
                    doc.domain(d, names[name], f'{path.name} entities["{name}"].{part}')


def _services(doc: Doc, path: Path, categories: dict[str, Any], names: dict[str, str], options: Options) -> None:
    table = mapping.table("disconnect", "Disconnect")
    found: dict[str, dict[str, Any]] = defaultdict(lambda: {"keys": [], "where": [], "types": set(), "rows": set()})
    for category, services in categories.items():
        for i, service in enumerate(need(services, list, path, f"categories.{category}", "a JSON list")):
            for name, sites in need(service, dict, path, f"categories.{category}[{i}]", "a JSON object").items():
                where = f'{path.name} categories.{category}[{i}]["{name}"]'
                entry = found[name]
                entry["keys"].append(category)
                entry["where"].append(f"categories.{category}[{i}]")
                _service(doc, path, name, need(sites, dict, path, where, "a JSON object"), where, names, entry)
    for name, entry in found.items():
        types, _, rows = table.apply(entry["keys"], entry["where"][0])
        if types:
            _holding(doc, table, path, names[name], name, entry, types, rows)
    skipped = table.check_unknown(options.skip_unknown)
    if skipped:
        doc.warn(f"unknown categories skipped (add rows to {table.path}): {', '.join(table.unknown)}", skipped)


def _service(doc: Doc, path: Path, name: str, sites: dict[str, Any], where: str, names: dict[str, str],
             entry: dict[str, Any]) -> None:
    url = next((u for u, v in sites.items() if isinstance(v, list)), None)
    names[name] = doc.company(name, where, url=url)
    for key, value in sites.items():
        if isinstance(value, list):
            for d in value:
                if isinstance(d, str):
                    doc.domain(d, names[name], where)
        elif isinstance(value, str) and value.strip() != "":
            entry["keys"].append(f"flag:{key}")


def _holding(doc: Doc, table: mapping.Table, path: Path, holder: str, name: str, entry: dict[str, Any],
             types: set[str], rows: list[int]) -> None:
    cats = sorted({k for k in entry["keys"] if not k.startswith("flag:")})
    flags = sorted({k[5:] for k in entry["keys"] if k.startswith("flag:")})
    note = (f"Data types inferred from Disconnect's categories ({', '.join(cats)})"
            + (f" and flags ({', '.join(flags)})" if flags else "")
            + f" through {table.path} rows {', '.join(map(str, rows))}. Integration kind: tracking.")
    locator = f"{path.name} " + ", ".join(f'{w}["{name}"]' for w in entry["where"])
    doc.add("holdings", {"id": doc.new_id(holder, "tracking"), "holder": holder, "data_types": sorted(types, key=str.casefold),
                         "note": clip(note), "evidence": [claim(doc.sid, locator)]})
