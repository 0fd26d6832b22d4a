"""Export the data-flow graph for other viewers: GraphML (yEd, Cytoscape), GEXF (Gephi),
CSV (spreadsheets) and JSON-LD (linked-data tools). Every file is written atomically.

networkx's GraphML and GEXF writers refuse lists, dicts and None. Here a list of plain
values becomes a ``"; "``-joined string, a list holding dicts (evidence, holdings) or a
dict becomes JSON text, and None becomes ``""`` for text columns or is left out for
number and yes/no columns, so every column keeps one type. Edge ids are unique (an
incident with several recipients is one fact but several edges); the fact id is the
``fact`` column. Characters XML cannot hold are replaced by U+FFFD.

CSV is one row per edge. A cell a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading apostrophe.

JSON-LD is the projection itself with an inline ``@context`` mapping its fields to the
datareach vocabulary (companies, grants, incidents, ownership, holdings, claims,
sources); no remote context is referenced. Dates are plain strings. For the complete,
typed RDF (facts plus ontology) use ``out/graph.jsonld`` written by ``datareach build``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx

from graph import atomic
from graph.errors import UsageError
from graph.safetext import cell, spreadsheet_safe

FORMATS = ("graphml", "gexf", "csv", "jsonld")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
CSV_COLUMNS = ("from", "from_label", "to", "to_label", "fact", "kind", "integration", "data_types", "permissions",
               "status", "valid_from", "stated_end", "last_observed_active", "activation", "disputed", "note",
               "sources", "disputed_by")


def flat(value: Any) -> str | int | float | bool | None:
    """One attribute value as a GraphML/GEXF scalar (None stays None for now).

    >>> flat(["read", "write"]), flat({"a": 1}), flat([{"a": None}]), flat("a\\x00b")
    ('read; write', '{"a": 1}', '[{"a": null}]', 'a\\ufffdb')
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict) or (isinstance(value, list | tuple) and any(isinstance(v, dict | list) for v in value)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, list | tuple):
        return _NOT_XML.sub("\ufffd", "; ".join(str(v) for v in value))
    return _NOT_XML.sub("\ufffd", str(value))


def _columns(rows: list[dict[str, Any]]) -> None:
    """Give every column one type: text columns get "" for None, typed columns drop None."""
    kinds: dict[str, set[type]] = {}
    for row in rows:
        for key, value in row.items():
            if value is not None:
                kinds.setdefault(key, set()).add(type(value))
    for row in rows:
        for key in list(row):
            types = kinds.get(key, {str})
            if types in ({bool}, {int}, {float}, {int, float}):
                if row[key] is None:
                    del row[key]
                elif types == {int, float}:
                    row[key] = float(row[key])
            else:
                row[key] = "" if row[key] is None else (str(row[key]).lower() if isinstance(row[key], bool) else str(row[key]))


def portable(G: nx.MultiDiGraph, *, graph_attrs: bool = True) -> nx.MultiDiGraph:
    """A copy of ``G`` that the GraphML and GEXF writers accept (see the module docstring).

    >>> from graph.examples import small_graph
    >>> H = portable(small_graph())
    >>> {type(v) for _, _, d in H.edges(data=True) for v in d.values()} <= {str, int, float, bool}
    True
    """
    H = nx.MultiDiGraph()
    if graph_attrs:
        H.graph.update({str(k): flat(v) if v is not None else "" for k, v in G.graph.items()})
    nodes = [{str(k): flat(v) for k, v in attrs.items()} for _, attrs in G.nodes(data=True)]
    keys = Counter(k for _, _, k in G.edges(keys=True))
    edges = []
    for _u, v, key, attrs in G.edges(keys=True, data=True):
        row = {str(k): flat(x) for k, x in attrs.items() if k != "id"}
        row["fact"] = str(key)
        row["id"] = str(key) if keys[key] == 1 else f"{key}@{v}"
        edges.append(row)
    _columns(nodes)
    _columns(edges)
    for node, attrs in zip(G.nodes, nodes, strict=True):
        H.add_node(node, **attrs)
    for (u, v, _key), attrs in zip(G.edges(keys=True), edges, strict=True):
        H.add_edge(u, v, key=attrs["id"], **attrs)
    return H


def _graphml(G: nx.MultiDiGraph, path: Path) -> None:
    H = portable(G)
    for _, _, attrs in H.edges(data=True):
        attrs.pop("id")  # the writer uses the edge key as the id
    atomic.write_with(path, lambda tmp: nx.write_graphml(H, tmp, encoding="utf-8"))


def _gexf(G: nx.MultiDiGraph, path: Path) -> None:
    H = portable(G, graph_attrs=False)
    atomic.write_with(path, lambda tmp: nx.write_gexf(H, tmp, encoding="utf-8"))


def _claims_text(G: nx.MultiDiGraph, claims: list[dict[str, Any]], stance: str) -> str:
    out = []
    for c in claims:
        if c.get("stance", "asserts") != stance:
            continue
        src = G.graph.get("sources", {}).get(c.get("source"), {})
        who = f"{c['claimant']}: " if c.get("claimant") else ""
        title = " — ".join(str(x) for x in (src.get("publisher"), src.get("title"), src.get("date")) if x)
        out.append(f"{who}{title or c.get('source')} ({c.get('locator')}) {src.get('url') or ''}".strip())
    return " | ".join(out)


def csv_rows(G: nx.MultiDiGraph) -> list[list[str]]:
    """The edges table behind the CSV export: one row per edge, spreadsheet-safe cells."""
    rows = []
    for u, v, key, a in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        claims = a.get("evidence") or []
        values = [u, G.nodes[u].get("label"), v, G.nodes[v].get("label"), key, a.get("kind"), a.get("integration"),
                  a.get("data_types"), a.get("permissions"), a.get("status"), a.get("valid_from"), a.get("stated_end"),
                  a.get("last_observed_active"), a.get("activation"), a.get("disputed"), a.get("note"),
                  _claims_text(G, claims, "asserts"), _claims_text(G, claims, "disputes")]
        rows.append([spreadsheet_safe(cell(x)) for x in values])
    return rows


def csv_text(G: nx.MultiDiGraph) -> str:
    """The CSV export as text (header row first).

    >>> from graph.examples import small_graph
    >>> csv_text(small_graph()).splitlines()[0].split(",")[:4]
    ['from', 'from_label', 'to', 'to_label']
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(G))
    return out.getvalue()


def export(G: nx.MultiDiGraph, path: str | os.PathLike[str], fmt: str) -> Path:
    """Write ``G`` to ``path`` as ``fmt`` (graphml, gexf, csv or jsonld), atomically.

    >>> import tempfile, pathlib
    >>> from graph.examples import small_graph
    >>> out = export(small_graph(), pathlib.Path(tempfile.mkdtemp()) / "g.graphml", "graphml")
    >>> out.read_text(encoding="utf-8").startswith("<?xml")
    True
    """
    target = Path(path)
    if fmt == "graphml":
        _graphml(G, target)
    elif fmt == "gexf":
        _gexf(G, target)
    elif fmt == "csv":
        atomic.write_bytes(target, csv_text(G).encode("utf-8-sig"))  # the BOM tells spreadsheets it is UTF-8
    elif fmt == "jsonld":
        from graph.export.jsonld import jsonld

        atomic.write_text(target, json.dumps(jsonld(G), ensure_ascii=False, indent=1))
    else:
        raise UsageError(f"unknown export format '{fmt}': choose one of {', '.join(FORMATS)}")
    return target
