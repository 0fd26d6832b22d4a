"""DuckDuckGo's tracker blocklists (TDS), web (``extension-tds.json``) and app (``android-tds.json``).

Web list: each entity becomes a company (``displayName`` as an alias), each entry of
``domains`` a domain it operates, and each entity a holding of the data types its
trackers' categories imply (``ontology/mappings/ddg-tds.csv``), with prevalence and
fingerprinting scores in the note. App list: entities and tracker hosts the same way;
the data types come from each entity's ``signals`` (``ontology/mappings/ddg-app-tds.csv``).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.importers import mapping, provenance
from graph.importers.common import Doc, ImportProblem, Options, claim, clip, need, read_json

KIND = "ddg-tds"
DEFAULTS = {
    "publisher": "DuckDuckGo",
    "url": "https://github.com/duckduckgo/tracker-blocklists",
    "licence": "CC BY-NC-SA 4.0 (Copyright 2022 Duck Duck Go, Inc.): attribution, non-commercial use only, share-alike",
}
WHAT = "a DuckDuckGo tracker blocklist (extension-tds.json or android-tds.json)"
BASELINE = "(every tracker)"


def run(path: Path, options: Options) -> Doc:
    """Read one TDS file into a Doc."""
    data = need(read_json(path, WHAT, options.max_input_mb), dict, path, "the top level", f"a JSON object ({WHAT})")
    for section in ("trackers", "entities"):
        if section not in data:
            raise ImportProblem(f"{path}: no '{section}' section: expected {WHAT}")
        need(data[section], dict, path, f"'{section}'", "a JSON object")
    app = "packageNames" in data or "domains" not in data
    title = "Tracker blocklist for apps (android-tds.json)" if app else "Tracker blocklist for browsers (extension-tds.json)"
    doc = Doc(provenance.entry(KIND, [path], {**DEFAULTS, "title": title}, options.source))
    if app:
        _app(doc, data, path, options)
    else:
        _web(doc, data, path, options)
    return doc


def _owner(tracker: Any, path: Path, host: str) -> dict[str, Any]:
    entry = need(tracker, dict, path, f'trackers["{host}"]', "a JSON object")
    owner = need(entry.get("owner"), dict, path, f'trackers["{host}"].owner', "a JSON object")
    need(owner.get("name"), str, path, f'trackers["{host}"].owner.name', "text")
    return owner


def _web(doc: Doc, data: dict[str, Any], path: Path, options: Options) -> None:
    trackers: dict[str, Any] = data["trackers"]
    owners = {host: _owner(t, path, host) for host, t in trackers.items()}
    urls = _homepages(owners.values())
    names: dict[str, str] = {}
    for name, ent in data["entities"].items():
        ent = need(ent, dict, path, f'entities["{name}"]', "a JSON object")
        display = ent.get("displayName") if isinstance(ent.get("displayName"), str) else None
        note = f"DuckDuckGo Tracker Radar entity; found on {ent.get('prevalence', 'unknown')} per cent of top sites"
        names[name] = doc.company(name, f'entities["{name}"]', aliases=[display] if display else [], url=urls.get(name), note=note)
    for host, owner in owners.items():
        extra = [a for a in (owner.get("displayName"), owner.get("localizedName")) if isinstance(a, str)]
        names[owner["name"]] = doc.company(owner["name"], f'trackers["{host}"].owner', aliases=extra, url=owner.get("url"))
    _owned_by(doc, owners, names)
    for host, owner in need(data.get("domains", {}), dict, path, "'domains'", "a JSON object").items():
        if isinstance(owner, str):
            if owner not in names:
                names[owner] = doc.company(owner, f'domains["{host}"]')
            doc.domain(host, names[owner], f'domains["{host}"]')
    table = mapping.table("ddg-tds", "DuckDuckGo tracker")
    by_owner: dict[str, list[str]] = defaultdict(list)
    for host, owner in owners.items():
        by_owner[owner["name"]].append(host)
    for owner_name, hosts in by_owner.items():
        _web_holding(doc, table, names[owner_name], owner_name, {h: trackers[h] for h in hosts}, data["entities"].get(owner_name))
    skipped = table.check_unknown(options.skip_unknown)
    if skipped:
        doc.warn(f"unknown categories skipped (add rows to {table.path}): {', '.join(table.unknown)}", skipped)


def _owned_by(doc: Doc, owners: dict[str, dict[str, Any]], names: dict[str, str]) -> None:
    """Ownership from ``owner.ownedBy`` (Google Ads → Google LLC), once per pair."""
    seen: set[tuple[str, str]] = set()
    for host, owner in owners.items():
        parent = owner.get("ownedBy")
        if not isinstance(parent, str) or (owner["name"], parent) in seen:
            continue
        seen.add((owner["name"], parent))
        if parent not in names:
            names[parent] = doc.company(parent, f'trackers["{host}"].owner.ownedBy')
        doc.add("ownership", {"id": doc.new_id(names[parent], "owns", names[owner["name"]]), "owner": names[parent],
                              "owned": names[owner["name"]], "evidence": [claim(doc.sid, f'trackers["{host}"].owner.ownedBy')]})


def _homepages(owners: Any) -> dict[str, str]:
    """Each owner's most frequent ``owner.url`` across its trackers (ties: alphabetical)."""
    seen: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for o in owners:
        if isinstance(o.get("url"), str):
            seen[o["name"]][o["url"]] += 1
    return {name: min(counts, key=lambda u: (-counts[u], u)) for name, counts in seen.items()}


def _categories(tracker: dict[str, Any]) -> list[str]:
    """A tracker's categories: the texts in its ``categories`` list (anything else is not a category)."""
    cats = tracker.get("categories")
    return [c for c in cats if isinstance(c, str)] if isinstance(cats, list) else []


def _number(value: Any) -> float:
    """A score or prevalence as a number; 0 when missing or not a number."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _keys(tracker: dict[str, Any]) -> list[str]:
    """The mapping-table keys of one tracker: its categories plus its scores."""
    keys = [BASELINE, *_categories(tracker)]
    if tracker.get("fingerprinting") in (0, 1, 2, 3):
        keys.append(f"fingerprinting {tracker['fingerprinting']}")
    cookies = tracker.get("cookies")
    keys.append("cookies set" if isinstance(cookies, int | float) and cookies > 0 else "no cookies")
    return keys


def _web_holding(doc: Doc, table: mapping.Table, holder: str, owner: str, trackers: dict[str, Any],
                 entity: Any) -> None:
    types: set[str] = set()
    rows: set[int] = set()
    cats: dict[str, int] = defaultdict(int)
    for host, t in trackers.items():
        found, _, used = table.apply(_keys(t), f'trackers["{host}"]')
        types |= found
        rows.update(used)
        for c in _categories(t):
            cats[c] += 1
    if not types:
        return
    top = max(trackers, key=lambda h: _number(trackers[h].get("prevalence")))
    fp = max(_number(t.get("fingerprinting")) for t in trackers.values())
    ent_prev = entity.get("prevalence") if isinstance(entity, dict) else None
    note = (f"Data types inferred from DuckDuckGo's categories and scores for {len(trackers)} tracker domain(s) "
            f"through {table.path} rows {', '.join(map(str, sorted(rows)))}. Categories: "
            + (", ".join(f"{c} ({n})" for c, n in sorted(cats.items())) or "none")
            + f". Highest fingerprinting score {fp} (0-3, DuckDuckGo's likelihood that the domain fingerprints). "
            f"Highest prevalence {trackers[top].get('prevalence')} ({top}; share of top sites requesting it)"
            + ("" if ent_prev is None else f"; entity prevalence {ent_prev} (per cent of top sites)")
            + ". Integration kind: tracking.")
    locator = f'trackers with owner.name "{owner}": ' + ", ".join(sorted(trackers))
    doc.add("holdings", {"id": doc.new_id(holder, "tracking"), "holder": holder, "data_types": sorted(types, key=str.casefold),
                         "note": clip(note), "evidence": [claim(doc.sid, locator)]})


def _app(doc: Doc, data: dict[str, Any], path: Path, options: Options) -> None:
    owners = {host: _owner(t, path, host) for host, t in data["trackers"].items()}
    display: dict[str, set[str]] = defaultdict(set)
    for owner in owners.values():
        if isinstance(owner.get("displayName"), str):
            display[owner["name"]].add(owner["displayName"])
    names: dict[str, str] = {}
    for name in [*data["entities"], *(o["name"] for o in owners.values())]:
        if name not in names:
            where = f'entities["{name}"]' if name in data["entities"] else "trackers[].owner"
            names[name] = doc.company(name, where, aliases=sorted(display[name]))
    for host, owner in owners.items():
        doc.domain(host, names[owner["name"]], f'trackers["{host}"]')
    table = mapping.table("ddg-app-tds", "DuckDuckGo app-tracker signal")
    for name, ent in data["entities"].items():
        ent = need(ent, dict, path, f'entities["{name}"]', "a JSON object")
        signals = [s for s in ent.get("signals") or [] if isinstance(s, str)] if isinstance(ent.get("signals"), list) else []
        types, _, rows = table.apply([BASELINE, *signals], f'entities["{name}"].signals')
        if not types:
            continue
        note = (f"Data types inferred from the entity's signals through {table.path} rows {', '.join(map(str, rows))}. "
                f"Signals: {', '.join(signals) or 'none'}. Score {ent.get('score', 'unknown')} "
                "(DuckDuckGo App Tracking Protection's score for the entity). Integration kind: tracking (in apps).")
        doc.add("holdings", {"id": doc.new_id(names[name], "app-tracking"), "holder": names[name],
                             "data_types": sorted(types, key=str.casefold), "note": clip(note),
                             "evidence": [claim(doc.sid, f'entities["{name}"].signals')]})
    if "packageNames" in data:
        doc.warn("packageNames (app package → entity) are not imported: they name first-party apps, not trackers")
    skipped = table.check_unknown(options.skip_unknown)
    if skipped:
        doc.warn(f"unknown signals skipped (add rows to {table.path}): {', '.join(table.unknown)}", skipped)
