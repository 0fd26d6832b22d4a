"""Each concept lives once (STYLE 13): one company resolver, one "did you mean", one
date-validity rule, one edge decoding, and the vocabulary's labels generated from vocab.ttl."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest
from rdflib import RDFS, Graph

from graph import dates
from graph.build.flowindex import FlowIndex
from graph.build.loader import load
from graph.errors import NotFoundError, Problem
from graph.examples import SMALL, small_graph
from graph.export.jsonld import jsonld
from graph.model import labels, vocab, vocabgen
from graph.names import suggest
from graph.paths import ontology_dir
from graph.questions.reach import reach
from graph.questions.table import partner_table
from graph.sparql.queries import UnknownQuery, get_query
from graph.sparql.terms import UnknownTerm
from graph.sparql.terms import resolve_company as sparql_company
from graph.viz.focus import focus, valid_on

PACKAGE = Path(__file__).resolve().parents[1] / "graph"


def test_one_company_resolver_for_table_viz_and_sparql() -> None:
    """'Amazn Inc': the table suggested nothing (cut-off 0.75) while viz suggested Amazon (0.6)."""
    G, g = small_graph(), load([SMALL]).g
    messages = []
    with pytest.raises(NotFoundError) as table:
        partner_table(G, companies=["Amazn Inc"])
    messages.append(str(table.value))
    with pytest.raises(NotFoundError) as viz:
        focus(G, company="Amazn Inc")
    messages.append(str(viz.value))
    with pytest.raises(UnknownTerm) as sparql:
        sparql_company(g, "Amazn Inc")
    messages.append(str(sparql.value))
    assert messages == ["unknown company 'Amazn Inc' — did you mean 'Amazon'?"] * 3
    assert table.value.suggestions == viz.value.suggestions == ["Amazon"]
    # and they accept the same names: a legal form left on resolves everywhere
    assert {r["label"] for r in partner_table(G, companies=["Amazon Inc"])} == {"Amazon"}
    assert focus(G, company="Amazon Inc").centre == "amazon"
    assert str(sparql_company(g, "Amazon Inc")).endswith("/amazon")


def _code_strings(path: Path) -> list[str]:
    """The string constants of a module's code (docstrings left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr)}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docs]


def test_one_did_you_mean() -> None:
    """Suggestions come from graph.names alone: one cut-off, one wording."""
    found = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
             if "difflib" in p.read_text(encoding="utf-8")
             or any("did you mean" in s for s in _code_strings(p))}
    assert found == {"names.py"}


@pytest.mark.parametrize(("message", "expected"), [
    (lambda: str(NotFoundError("data type", "phone nubmer", ["phone number"])),
     "unknown data type 'phone nubmer' — did you mean 'phone number'?"),
    (lambda: str(Problem("f.yaml", 3, "x", "unknown field 'permision'", suggest("permision", ["permissions"]))),
     "f.yaml:3: x: unknown field 'permision' — did you mean 'permissions'?"),
    (lambda: str(pytest.raises(UnknownQuery, get_query, "partner-tabel").value).split(" Known")[0],
     "unknown query 'partner-tabel' — did you mean 'partner-table'?"),
])
def test_suggestions_are_worded_alike(message: Callable[[], str], expected: str) -> None:
    assert message() == expected


@pytest.mark.parametrize(("start", "end", "status", "expected"), [
    ("2018-01-05", "2020-03-01", None, True), ("2020", None, None, False), (None, "2018", None, False),
    ("2019", "2021", None, None),  # the start's year holds the day
    (None, "2021", None, None), ("2018", None, "active", True), ("2018", None, "shut down", None),
    ("2018", None, "unknown", None), ("2018", "2019-06", "shut down", None), ("2018", "2019-05-31", None, False),
])
def test_one_date_validity_rule(start: str | None, end: str | None, status: str | None, expected: bool | None) -> None:
    """reach's as_of and the HTML page's date filter read validity from graph.dates.valid_at alone."""
    day = dt.date(2019, 6, 1)
    assert dates.valid_at(start, end, day, status=status) is expected
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", key="f", valid_from=start, stated_end=end, status=status)
    assert valid_on(G, "2019-06-01")(("a", "b", "f")) is (expected is not False)  # viz keeps what reach keeps


def test_one_edge_decoding() -> None:
    """FlowIndex.edges_attrs turns an edge's codes back into the values the projection gave it,
    and reach's hops are made from it (they name the same dates, status and permissions)."""
    G = small_graph()
    index = FlowIndex.from_graph(G)
    by_fact = {(u, v, k): a for u, v, k, a in G.edges(keys=True, data=True)}
    for e, attrs in enumerate(index.edges_attrs(range(index.edge_count))):
        stated = by_fact[(index.node_key(int(index.src[e])), index.node_key(int(index.dst[e])), index.facts[e])]
        assert attrs == {"kind": stated["kind"], "data_types": stated.get("data_types", []),
                         "permissions": stated.get("permissions", []), "integration": stated.get("integration"),
                         "valid_from": stated.get("valid_from"), "stated_end": stated.get("stated_end"),
                         "status": stated.get("status"), "disputed": bool(stated.get("disputed"))}
        assert index.edge_attrs(e) == attrs
    for row in reach(index, "name").rows:
        for hop in row["path"]:
            stated = by_fact[(hop["from"], hop["to"], hop["fact"])]
            assert (hop["valid_from"], hop["stated_end"], hop["status"], hop["permissions"]) == (
                stated.get("valid_from"), stated.get("stated_end"), stated.get("status"), stated.get("permissions", []))


def test_vocabulary_modules_are_generated_and_drift_is_caught(tmp_path: Path) -> None:
    expected = vocabgen.outputs(ontology_dir() / "vocab.ttl")
    assert vocabgen.stale(expected) == [] and vocabgen.main(["--check"]) == 0
    edited = tmp_path / "labels.py"
    edited.write_text(expected[Path(labels.__file__)].replace("'minors'", "'children'"), encoding="utf-8")
    assert vocabgen.stale({edited: expected[Path(labels.__file__)]}) == [edited]


def test_enumeration_labels_come_from_vocab_ttl() -> None:
    """The label maps are vocab.ttl's rdfs:labels, and the rdflib-free tuples list the same labels in the same order."""
    g = Graph().parse(ontology_dir() / "vocab.ttl")
    for terms, names in ((vocab.PERMISSION, labels.PERMISSIONS), (vocab.WHOSE, labels.WHOSE_DATA),
                         (vocab.STATUS, labels.STATUSES), (vocab.STANCE, labels.STANCES),
                         (vocab.CONFIDENCE, labels.CONFIDENCES)):
        assert tuple(terms) == names
        assert {str(g.value(term, RDFS.label)) for term in terms.values()} == set(names)
        assert all(vocab.LABEL[term] == name for name, term in terms.items())
    assert labels.PERMISSIONS == ("read", "write", "delete") and "minors" in labels.WHOSE_DATA


def test_jsonld_export_keeps_every_whose_data_group() -> None:
    """JSON-LD spelled its own whose-data map without 'minors' and dropped it silently."""
    G = small_graph()
    u, v, key = next(iter(G.edges(keys=True)))
    G.edges[u, v, key]["whose_data"] = ["users", "minors"]
    facts = [f for f in jsonld(G)["@graph"] if f.get("whoseData")]
    assert {str(vocab.DR.Minors), str(vocab.DR.Users)} <= {w for f in facts for w in f["whoseData"]}
