"""Query text for Oxigraph and remote endpoints (graph.sparql.text): one copy, used by both.

``graph.sparql.store`` used to import these helpers from ``graph.sparql.remote``."""

from __future__ import annotations

import pytest
from rdflib import BNode, Literal, URIRef

from graph.model.vocab import PREFIXES
from graph.sparql import remote, store, text
from graph.sparql.text import bind_text, with_prefixes


def test_store_and_remote_use_the_one_copy() -> None:
    assert store.bind_text is remote.bind_text is text.bind_text
    assert store.with_prefixes is remote.with_prefixes is text.with_prefixes


def test_only_variables_are_replaced_never_strings_iris_or_comments() -> None:
    query = "SELECT ?c { ?c ?p '?c' . ?c <http://x/?c> \"\"\"?c\"\"\" } # ?c\n"
    bound = bind_text(query, {"c": URIRef("http://example.org/a")})
    assert bound == ("SELECT <http://example.org/a> { <http://example.org/a> ?p '?c' . "
                     "<http://example.org/a> <http://x/?c> \"\"\"?c\"\"\" } # ?c\n")


def test_a_literal_is_serialised_not_pasted() -> None:
    bound = bind_text("ASK { ?c ?p $name }", {"name": Literal('x" } UNION { ?s ?p ?o } #')})
    assert bound == 'ASK { ?c ?p "x\\" } UNION { ?s ?p ?o } #" }'


@pytest.mark.parametrize("term", [URIRef("http://x/> . SERVICE <http://y/"), BNode("b")])
def test_a_term_that_cannot_be_written_safely_is_refused(term: URIRef | BNode) -> None:
    with pytest.raises(ValueError):
        bind_text("ASK { ?s ?p ?o }", {"s": term})


def test_every_prefix_is_declared_before_the_query() -> None:
    lines = with_prefixes("ASK {}").splitlines()
    assert lines[-1] == "ASK {}"
    assert lines[:-1] == [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()]
