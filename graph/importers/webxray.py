"""webXray's domain-owner list (``domain_owners.json``): companies, ownership and domains.

Each owner becomes a company (aliases, homepage, country, notes); an owner with a
``parent_id`` is owned by that parent, so chains such as DoubleClick → Google →
Alphabet become ownership edges; each listed domain is operated by its owner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.importers import provenance
from graph.importers.common import Doc, ImportProblem, Options, claim, need, read_json

KIND = "webxray-owners"
DEFAULTS = {
    "publisher": "Timothy Libert (webXray)",
    "title": "webXray domain owner list (domain_owners.json)",
    "url": "https://github.com/thezedwards/webXray",
    "licence": "GNU GPL v3 (at the February 2020 commit; later versions are PolyForm Strict and must not be used)",
}
WHAT = "webXray's domain_owners.json (a list of owners with id, parent_id, owner_name, aliases, domains)"
FIELDS = ("id", "parent_id", "owner_name", "aliases", "domains")
# webXray writes "UK" for the United Kingdom; ISO 3166-1 reserves UK and uses GB.
COUNTRY_FIXES = {"UK": "GB"}


def run(path: Path, options: Options) -> Doc:
    """Read ``domain_owners.json`` into a Doc."""
    owners = need(read_json(path, WHAT, options.max_input_mb), list, path, "the top level", "a JSON list of owners, as in domain_owners.json")
    by_id = {}
    for i, owner in enumerate(owners):
        need(owner, dict, path, f"owners[{i}]", "a JSON object")
        missing = [f for f in FIELDS if f not in owner]
        if missing:
            raise ImportProblem(f"{path}: owners[{i}] has no '{missing[0]}' field: expected {WHAT}")
        need(owner["owner_name"], str, path, f"owners[{i}].owner_name", "text")
        by_id[owner["id"]] = owner
    doc = Doc(provenance.entry(KIND, [path], DEFAULTS, options.source))
    names = {oid: _company(doc, o) for oid, o in by_id.items()}
    for oid, owner in by_id.items():
        _ownership(doc, path, owner, names, by_id)
        for d in owner.get("domains") or []:
            if isinstance(d, str):
                doc.domain(d, names[oid], f"owners[id={oid}].domains")
    return doc


def _company(doc: Doc, owner: dict[str, Any]) -> str:
    country = owner.get("country")
    country = COUNTRY_FIXES.get(country, country) if isinstance(country, str) else None
    if country is not None and not (len(country) == 2 and country.isalpha() and country.isupper()):
        doc.warn("country values that are not ISO 3166 codes were left out ('', '?')")
        country = None
    note = owner.get("notes") if isinstance(owner.get("notes"), str) and owner["notes"].strip() else None
    aliases = [a for a in owner.get("aliases") or [] if isinstance(a, str)]
    return doc.company(owner["owner_name"], f"owners[id={owner['id']}]", aliases=aliases,
                       url=owner.get("homepage_url") if isinstance(owner.get("homepage_url"), str) else None,
                       country=country, note=note)


def _ownership(doc: Doc, path: Path, owner: dict[str, Any], names: dict[Any, str], by_id: dict[Any, Any]) -> None:
    parent = owner.get("parent_id")
    if parent is None:
        return
    if parent not in by_id:
        raise ImportProblem(f"{path}: owners[id={owner['id']}].parent_id is {parent}, but no owner has that id")
    child, owner_name = names[owner["id"]], names[parent]
    if child == owner_name:
        doc.warn("owners whose parent has the same name were not linked to themselves")
        return
    doc.add("ownership", {"id": doc.new_id(owner_name, "owns", child), "owner": owner_name, "owned": child,
                          "evidence": [claim(doc.sid, f"owners[id={owner['id']}].parent_id = {parent} ({by_id[parent]['owner_name']})")]})
