"""Exports for other viewers: GraphML, GEXF, CSV, JSON-LD; atomic, typed, spreadsheet-safe."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import fixture_graph as graph
from conftest import fixture_session

from graph.cli.viz import export_command
from graph.export import writers as export_module
from graph.export.writers import FORMATS, csv_text, export, portable


def with_two_recipient_incident(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """One incident, two recipients: two edges sharing a fact id (as graph.build.projection makes them)."""
    attrs = dict(G.edges["facebook", "public", "scrape"])
    G.add_edge("facebook", "lonely-corp", key="scrape", **attrs)
    return G


def test_graphml_round_trips_with_flattened_attributes(tmp_path):
    G = with_two_recipient_incident(graph())
    H = nx.read_graphml(export(G, tmp_path / "g.graphml", "graphml"), force_multigraph=True)
    assert H.number_of_nodes() == G.number_of_nodes() and H.number_of_edges() == G.number_of_edges()
    edge = next(d for _, _, d in H.edges(data=True) if d["fact"] == "facebook-spotify")
    assert set(edge["permissions"].split("; ")) == {"read", "write", "delete"}
    assert edge["data_types"] == "private-message"
    assert edge["disputed"] is True and edge["activation"].startswith("Log in")
    claims = json.loads(edge["evidence"])
    assert {c["stance"] for c in claims} == {"asserts", "disputes"}
    assert H.nodes["facebook"]["label"] == "Facebook"
    assert "src1" in json.loads(H.graph["sources"])


def test_gexf_round_trips_with_unique_edge_ids(tmp_path):
    G = with_two_recipient_incident(graph())
    path = export(G, tmp_path / "g.gexf", "gexf")
    H = nx.read_gexf(path)
    assert H.number_of_edges() == G.number_of_edges()
    ids = [d["id"] for _, _, d in H.edges(data=True)]
    assert len(ids) == len(set(ids))
    assert sorted(d["fact"] for _, _, d in H.edges(data=True)).count("scrape") == 2
    assert H.nodes["facebook"]["label"] == "Facebook"


def test_portable_columns_have_one_type_each():
    H = portable(with_two_recipient_incident(graph()))
    types: dict[str, set[type]] = {}
    for _, _, attrs in H.edges(data=True):
        for key, value in attrs.items():
            types.setdefault(key, set()).add(type(value))
    assert all(len(t) == 1 for t in types.values()), types
    assert types["affected"] == {int} and types["note"] == {str}


def test_hostile_text_stays_valid_xml(tmp_path):
    G = graph("hostile.yaml")
    G.nodes["acme"]["note"] = "bell\x07 and NUL\x00 and </graphml>"
    for fmt in ("graphml", "gexf"):
        path = export(G, tmp_path / f"g.{fmt}", fmt)
        H = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
        labels = {d.get("label") for _, d in H.nodes(data=True)}
        assert "</script><script>window.__pwned=1</script>" in labels
        assert H.nodes["acme"]["note"] == "bell\ufffd and NUL\ufffd and </graphml>"


def test_csv_neutralises_formulas(tmp_path):
    G = graph()
    payloads = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1"]
    for (u, v, k), text in zip(list(G.edges(keys=True)), payloads, strict=False):
        G.edges[u, v, k]["note"] = text
    G.nodes["spotify"]["label"] = "=1+1"
    path = export(G, tmp_path / "g.csv", "csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == G.number_of_edges()
    notes = [r["note"] for r in rows if r["note"]]
    assert sorted(notes) == sorted("'" + p for p in payloads)
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values())
    assert any(r["to_label"] == "'=1+1" for r in rows)


def test_csv_rows_carry_the_evidence():
    rows = list(csv.DictReader(io.StringIO(csv_text(graph()))))
    spotify = next(r for r in rows if r["fact"] == "facebook-spotify")
    assert set(spotify["permissions"].split("; ")) == {"read", "write", "delete"} and spotify["disputed"] == "yes"
    assert "Example Press" in spotify["sources"] and "https://example.org/a" in spotify["sources"]
    assert spotify["disputed_by"].startswith("Spotify:")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own JSON-LD parser uses ConjunctiveGraph
def test_jsonld_is_self_contained_rdf(tmp_path):
    from rdflib import RDF, Graph

    from graph.model.vocab import DR

    path = export(with_two_recipient_incident(graph()), tmp_path / "g.jsonld", "jsonld")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(doc["@context"], dict)  # inline: nothing is fetched
    g = Graph()
    g.parse(data=path.read_text(encoding="utf-8"), format="json-ld")
    assert len(set(g.subjects(RDF.type, DR.AccessGrant))) == 4
    assert len(set(g.subjects(RDF.type, DR.Company))) == 6
    incident = next(iter(g.subjects(RDF.type, DR.Incident)))
    assert len(set(g.objects(incident, DR.recipient))) == 2  # one fact, two recipients
    assert len(set(g.subjects(RDF.type, DR.Claim))) >= 8


def test_exports_are_atomic(tmp_path, monkeypatch):
    target = tmp_path / "g.graphml"
    target.write_text("old", encoding="utf-8")

    def half_then_fail(G, out):  # GraphML is streamed: fail half way through the document
        out.write("<graphml half")
        raise OSError("disk full")

    monkeypatch.setattr(export_module, "graphml_stream", half_then_fail)
    with pytest.raises(OSError):
        export(graph(), target, "graphml")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.graphml"]


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="choose one of graphml, gexf, csv, jsonld"):
        export(graph(), tmp_path / "g.x", "dot")


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_export(tmp_path, fmt):
    out = tmp_path / f"g.{fmt}"
    result = CliRunner().invoke(export_command, ["--format", fmt, "-o", str(out)], obj=fixture_session(tmp_path / "build"))
    assert result.exit_code == 0, result.output
    # the summary is fitted to 80 columns: how it wraps depends on how long the temporary path is
    assert out.stat().st_size > 0 and f"wrote {out}" in " ".join(result.output.split())


def test_cli_export_needs_a_known_format(tmp_path):
    result = CliRunner().invoke(export_command, ["--format", "dot"], obj=fixture_session(tmp_path / "build"))
    assert result.exit_code == 2 and "Traceback" not in result.output
