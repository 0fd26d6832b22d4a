"""Export the data-flow graph for other viewers: GraphML (yEd, Cytoscape), GEXF (Gephi),
CSV (spreadsheets) and JSON-LD (linked-data tools). Every file is written atomically.

networkx's GraphML and GEXF writers refuse lists, dicts and None. Here a list of plain
values becomes a ``"; "``-joined string, a list holding dicts (evidence) or a dict becomes
JSON text, and None becomes ``""`` for text columns or is left out for number and yes/no
columns, so every column keeps one type. A node's holdings become a summary a graph tool
can filter and size by (``graph.export.heldsummary``: how many, their data types, distinct
sites and trackers, first and last date), not a JSON list: the full holdings are in the
JSON-LD export and ``datareach company NAME --format json``. Edge ids are unique (an
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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import networkx as nx
import numpy as np

from graph import atomic
from graph.build.flowgraph import FlowGraph
from graph.build.flowindex import column_schema
from graph.errors import UsageError
from graph.export.heldsummary import summarised
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


def portable(G: nx.MultiDiGraph | FlowGraph, *, graph_attrs: bool = True) -> nx.MultiDiGraph:
    """A copy of ``G`` that the GraphML and GEXF writers accept (see the module docstring).

    >>> from graph.examples import small_graph
    >>> H = portable(small_graph())
    >>> {type(v) for _, _, d in H.edges(data=True) for v in d.values()} <= {str, int, float, bool}
    True
    """
    H = nx.MultiDiGraph()
    if graph_attrs:
        H.graph.update({str(k): flat(v) if v is not None else "" for k, v in G.graph.items()})
    nodes = [row for _, row in _node_rows(G)]
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


def _node_rows(G: nx.MultiDiGraph | FlowGraph) -> list[tuple[str, dict[str, Any]]]:
    """Every node with its attributes flattened, its holdings summarised (``graph.export.heldsummary``);
    a build's holdings read from their columns, none decoded."""
    listed = G.all_nodes(lazy_holds=True) if isinstance(G, FlowGraph) else G.nodes(data=True)
    return [(str(n), {str(k): flat(v) for k, v in summarised(attrs).items()}) for n, attrs in listed]


_XML_TYPES = {"bool": "boolean", "int": "long", "float": "double", "str": "string"}
_ATTRIB = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}
_NAMESPACES = ('xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
               'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
               'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"')


def _column_type(types: Iterable[str]) -> str:
    """A column's type as ``portable`` gives it: bool, int, float, or str for mixed and text."""
    found = set(types)
    if found in ({"bool"}, {"int"}, {"float"}):
        return found.pop()
    return "float" if found == {"int", "float"} else "str"


def _cell(value: Any, kind: str) -> str | None:
    """A flattened value as the text of a column of type ``kind``; None leaves the cell out."""
    if kind == "str":
        return "" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
    if value is None:
        return None
    return str(float(value)) if kind == "float" else str(value)


def _edge_schema(G: nx.MultiDiGraph | FlowGraph) -> dict[str, dict[str, Any]]:
    if isinstance(G, FlowGraph) and "columns" in G.index.meta:
        return dict(G.index.meta["columns"])
    return column_schema(a for _, _, a in G.edges(data=True))


def graphml_stream(G: nx.MultiDiGraph | FlowGraph, out: IO[str]) -> None:
    """Write ``G`` as GraphML to ``out`` one edge at a time: the bytes ``networkx.write_graphml``
    writes for ``portable(G)`` (same keys, ids, types and layout), without a copy of the graph.

    Every column is declared before the first node, so its type must be known first: a
    ``FlowGraph`` carries the edges' schema from the build (``column_schema``), a networkx graph
    is read once for it. Text is escaped with the standard library's ``xml.sax.saxutils``.

    Parameters
    ----------
    G : networkx.MultiDiGraph or FlowGraph
        The data-flow graph.
    out : text stream
        Where the document goes (UTF-8 when it is a file).

    >>> import io
    >>> from graph.examples import small_graph
    >>> buffer = io.StringIO()
    >>> graphml_stream(small_graph(), buffer)
    >>> buffer.getvalue().splitlines()[0]
    "<?xml version='1.0' encoding='utf-8'?>"
    """
    graph_row = {str(k): flat(v) if v is not None else "" for k, v in G.graph.items()
                 if k not in ("node_default", "edge_default", "id")}
    nodes = _node_rows(G)
    node_rows = [row for _, row in nodes]
    _columns(node_rows)
    keys: dict[tuple[str, str], tuple[str, str]] = {}  # (scope, name) -> (id, xml type), in the order ids are given

    def declare(scope: str, name: str, kind: str) -> None:
        if (scope, name) not in keys:
            keys[(scope, name)] = (f"d{len(keys)}", _XML_TYPES[kind])

    for name, value in graph_row.items():
        declare("graph", name, _kind(value))
    node_types = {name: _kind(value) for row in node_rows for name, value in row.items()}
    for row in node_rows:
        for name in row:
            declare("node", name, node_types[name])
    schema = _edge_schema(G)
    schema.pop("id", None)
    edge_types = {name: _column_type(c["types"]) for name, c in schema.items()}
    edge_types["fact"] = "str"
    first = {name: tuple(c["first"] if edge_types[name] == "str" or c["first_value"] is None else c["first_value"])
             for name, c in schema.items() if edge_types[name] == "str" or c["first_value"] is not None}
    first["fact"] = (0, 1 << 30) if G.number_of_edges() else (1 << 62, 0)
    for name in sorted(first, key=lambda n: first[n]):
        if first[name][0] < 1 << 62:
            declare("edge", name, edge_types[name])
    write = out.write
    write("<?xml version='1.0' encoding='utf-8'?>\n<graphml " + _NAMESPACES + ">\n")
    for (scope, name), (ident, kind) in reversed(keys.items()):
        write(f'  <key id="{ident}" for="{scope}" attr.name={_attr(name)} attr.type="{kind}" />\n')
    write('  <graph edgedefault="directed">\n')
    for (node, _attrs), row in zip(nodes, node_rows, strict=True):
        _element(write, f"    <node id={_attr(node)}", [(keys[("node", k)][0], str(v)) for k, v in row.items()])
    counts = _fact_counts(G)
    for u, v, key, attrs in G.edges(keys=True, data=True):
        cells = []
        for name, value in attrs.items():
            if name == "id":
                continue
            text = _cell(flat(value), edge_types[name])
            if text is not None:
                cells.append((keys[("edge", name)][0], text))
        cells.append((keys[("edge", "fact")][0], str(key)))
        ident = str(key) if counts[key] == 1 else f"{key}@{v}"
        _element(write, f"    <edge source={_attr(str(u))} target={_attr(str(v))} id={_attr(ident)}", cells)
    for name, value in graph_row.items():  # networkx puts the graph's own data after its nodes and edges
        _data(write, keys[("graph", name)][0], str(value), "    ")
    write("  </graph>\n</graphml>\n")


def _kind(value: Any) -> str:
    return type(value).__name__ if isinstance(value, bool | int | float) else "str"


def _attr(text: str) -> str:
    return '"' + escape(text, _ATTRIB) + '"'


def _data(write: Callable[[str], object], key: str, text: str, indent: str) -> None:
    write(f'{indent}<data key="{key}">{escape(text)}</data>\n' if text else f'{indent}<data key="{key}" />\n')


def _element(write: Callable[[str], object], opening: str, cells: list[tuple[str, str]]) -> None:
    if not cells:
        write(opening + " />\n")
        return
    write(opening + ">\n")
    for key, text in cells:
        _data(write, key, text, "      ")
    write("    </" + opening.split(None, 1)[0].lstrip("<") + ">\n")


def _fact_counts(G: nx.MultiDiGraph | FlowGraph) -> Counter[str]:
    if isinstance(G, FlowGraph):
        return Counter(G.index.facts.all())
    return Counter(str(k) for _, _, k in G.edges(keys=True))


def _graphml(G: nx.MultiDiGraph | FlowGraph, path: Path) -> None:
    with atomic.atomic_open(path, "w") as fh:
        graphml_stream(G, fh)


def _gexf(G: nx.MultiDiGraph | FlowGraph, path: Path) -> None:
    H = portable(G, graph_attrs=False)
    atomic.write_with(path, lambda tmp: nx.write_gexf(H, tmp, encoding="utf-8"))


def _claims_text(G: nx.MultiDiGraph | FlowGraph, claims: list[dict[str, Any]], stance: str) -> str:
    out = []
    for c in claims:
        if c.get("stance", "asserts") != stance:
            continue
        src = G.graph.get("sources", {}).get(c.get("source"), {})
        who = f"{c['claimant']}: " if c.get("claimant") else ""
        title = " — ".join(str(x) for x in (src.get("publisher"), src.get("title"), src.get("date")) if x)
        out.append(f"{who}{title or c.get('source')} ({c.get('locator')}) {src.get('url') or ''}".strip())
    return " | ".join(out)


def _sorted_edges(G: nx.MultiDiGraph | FlowGraph) -> Iterable[tuple[Any, ...]]:
    """Every edge with its key and attributes, by (from, to, fact); a FlowGraph's are sorted
    before any is decoded, and decoded a chunk at a time."""
    if isinstance(G, FlowGraph):
        index, names = G.index, G.keys
        facts, src, dst = index.facts.all(), index.src.tolist(), index.dst.tolist()
        order = sorted(range(index.edge_count), key=lambda e: (names[src[e]], names[dst[e]], facts[e]))
        return G.edges(keys=True, data=True, edges=np.asarray(order, dtype=np.int64))
    return sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))


def iter_csv_rows(G: nx.MultiDiGraph | FlowGraph) -> Iterator[list[str]]:
    """The edges table behind the CSV export, one row per edge as it is read: spreadsheet-safe cells.

    >>> from graph.examples import small_graph
    >>> next(iter_csv_rows(small_graph()))[:2]
    ['facebook', 'Facebook']
    """
    labels: dict[str, Any] = {}

    def label(node: str) -> Any:
        if node not in labels:
            labels[node] = G.nodes[node].get("label")
        return labels[node]

    for u, v, key, a in _sorted_edges(G):
        claims = a.get("evidence") or []
        values = [u, label(u), v, label(v), key, a.get("kind"), a.get("integration"),
                  a.get("data_types"), a.get("permissions"), a.get("status"), a.get("valid_from"), a.get("stated_end"),
                  a.get("last_observed_active"), a.get("activation"), a.get("disputed"), a.get("note"),
                  _claims_text(G, claims, "asserts"), _claims_text(G, claims, "disputes")]
        yield [spreadsheet_safe(cell(x)) for x in values]


def csv_rows(G: nx.MultiDiGraph | FlowGraph) -> list[list[str]]:
    """The edges table behind the CSV export: one row per edge, spreadsheet-safe cells."""
    return list(iter_csv_rows(G))


def csv_text(G: nx.MultiDiGraph | FlowGraph) -> str:
    """The CSV export as text (header row first).

    >>> from graph.examples import small_graph
    >>> csv_text(small_graph()).splitlines()[0].split(",")[:4]
    ['from', 'from_label', 'to', 'to_label']
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(iter_csv_rows(G))
    return out.getvalue()


def export(G: nx.MultiDiGraph | FlowGraph, path: str | os.PathLike[str], fmt: str) -> Path:
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
        with atomic.atomic_open(target, "w") as fh:
            fh.write("\ufeff")  # the BOM tells spreadsheets it is UTF-8
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(CSV_COLUMNS)
            writer.writerows(iter_csv_rows(G))
    elif fmt == "jsonld":
        from graph.export.jsonld import jsonld

        atomic.write_text(target, json.dumps(jsonld(G), ensure_ascii=False, indent=1))
    else:
        raise UsageError(f"unknown export format '{fmt}': choose one of {', '.join(FORMATS)}")
    return target
