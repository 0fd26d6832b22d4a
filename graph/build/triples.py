"""A lean in-memory triple set with the few look-ups the loader and projection use.

rdflib's Graph costs about 1.2 KB and tens of microseconds per triple (PERF.md §1), which
rules out millions of facts. ``TripleIndex`` keeps rdflib terms (so the same code reads
both) in nested dicts, answers ``value``, ``objects``, ``subjects`` and ``in`` like
rdflib, and turns into an rdflib Graph (for SHACL) or Oxigraph triples (for output)
on demand.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
_TYPE = RDF.type  # a plain constant: Namespace attribute look-ups are slow in hot loops


class TripleIndex:
    """A set of triples indexed by subject and predicate, and by type.

    >>> from rdflib import RDFS
    >>> t = TripleIndex()
    >>> t.add((URIRef("http://x/a"), RDF.type, URIRef("http://x/C")))
    >>> t.add((URIRef("http://x/a"), RDFS.label, Literal("A")))
    >>> len(t), t.value(URIRef("http://x/a"), RDFS.label), list(t.subjects(RDF.type, URIRef("http://x/C")))
    (2, rdflib.term.Literal('A'), [rdflib.term.URIRef('http://x/a')])
    """

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self._spo: dict[Node, dict[Node, dict[Node, None]]] = {}
        self._types: dict[Node, dict[Node, None]] = {}
        self._len = 0
        for triple in triples:
            self.add(triple)

    def add(self, triple: Triple) -> None:
        """Add one triple (a duplicate is ignored)."""
        s, p, o = triple
        objects = self._spo.setdefault(s, {}).setdefault(p, {})
        if o not in objects:
            objects[o] = None
            self._len += 1
            if p == _TYPE:
                self._types.setdefault(o, {})[s] = None

    def __iadd__(self, other: Iterable[Triple]) -> TripleIndex:
        for triple in other:
            self.add(triple)
        return self

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[Triple]:
        for s, preds in self._spo.items():
            for p, objects in preds.items():
                for o in objects:
                    yield s, p, o

    def __contains__(self, triple: tuple[Node | None, Node | None, Node | None]) -> bool:
        s, p, o = triple
        if s is None:
            return any(True for _ in self.subjects(p, o))
        preds = self._spo.get(s, {})
        if p is None:
            return any(o is None or o in objects for objects in preds.values())
        return p in preds and (o is None or o in preds[p])

    def value(self, subject: Node | None, predicate: Node | None = None, *_: Any, **__: Any) -> Node | None:
        """One object of ``subject predicate`` (rdflib's ``Graph.value``), or None."""
        return next(iter(self._spo.get(subject, {}).get(predicate, {})), None)  # type: ignore[arg-type]

    def objects(self, subject: Node | None = None, predicate: Node | None = None, *_: Any) -> Iterator[Node]:
        """Objects of ``subject predicate``; a None subject means any subject."""
        if subject is not None:
            yield from self._spo.get(subject, {}).get(predicate, {})  # type: ignore[arg-type]
            return
        for preds in self._spo.values():
            yield from preds.get(predicate, {})  # type: ignore[arg-type]

    def subjects(self, predicate: Node | None = None, object: Node | None = None, *_: Any) -> Iterator[Node]:  # noqa: A002
        """Subjects with ``predicate object``; fast for rdf:type."""
        if predicate == _TYPE and object is not None:
            yield from self._types.get(object, {})
            return
        for s, preds in self._spo.items():
            if predicate is None or (predicate in preds and (object is None or object in preds[predicate])):
                yield s

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        """Every (predicate, object) of ``subject``."""
        for p, objects in self._spo.get(subject, {}).items():
            for o in objects:
                yield p, o

    def to_rdflib(self, triples: Iterable[Triple] | None = None) -> Graph:
        """An rdflib Graph of these triples (or of ``triples``)."""
        g = Graph()
        for triple in self if triples is None else triples:
            g.add(triple)
        return g


class OxConverter:
    """rdflib terms to Oxigraph terms, caching IRIs (most repeat)."""

    def __init__(self) -> None:
        self._iris: dict[str, ox.NamedNode] = {}

    def iri(self, text: str) -> ox.NamedNode:
        node = self._iris.get(text)
        if node is None:
            node = self._iris[text] = ox.NamedNode(text)
        return node

    def term(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if type(term) is URIRef:
            node = self._iris.get(term)
            return node if node is not None else self.iri(str(term))
        if isinstance(term, URIRef):
            return self.iri(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        assert isinstance(term, Literal)
        if term.language is not None:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=self.iri(str(term.datatype)))
        return ox.Literal(str(term))

    def triples(self, triples: Iterable[Triple]) -> Iterator[ox.Triple]:
        for s, p, o in triples:
            yield ox.Triple(self.term(s), self.iri(str(p)), self.term(o))  # type: ignore[arg-type]
