"""Turn a user's words into RDF terms: a data type, a company or an IRI.

These are the default resolvers of named-query parameters. They look terms up in the
graph with Python (never by building query text): a full IRI, a CURIE with one of our
prefixes (``dt:phone-number``, ``id:spotify``), a slug (``phone-number``), or a label or
alias compared case-insensitively (``Phone Number``, ``RBC``).

>>> from rdflib import Graph, Literal
>>> from rdflib.namespace import RDF, RDFS
>>> from graph.model.vocab import DR, ID
>>> g = Graph()
>>> _ = g.add((ID.rbc, RDF.type, DR.Company))
>>> _ = g.add((ID.rbc, RDFS.label, Literal("Royal Bank of Canada")))
>>> resolve_company(g, "royal bank of canada")
rdflib.term.URIRef('https://w3id.org/datareach/id/rbc')
>>> resolve_company(g, 'x" } UNION { ?s ?p ?o } #')
Traceback (most recent call last):
...
graph.sparql.terms.UnknownTerm: unknown company 'x" } UNION { ?s ?p ?o } #'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from graph.model.vocab import DR, DT, ID, PREFIXES

LABELS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)

_ABSOLUTE = re.compile(r"(?:https?://|urn:)[^\s<>\"{}|^`\\\x00-\x1f\x7f]+")
_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-./]*")
_SLUG = re.compile(r"[a-z0-9][a-z0-9\-]*")


class UnknownTerm(LookupError):
    """The value names nothing in the graph; the message suggests the nearest names."""

    def __str__(self) -> str:
        return str(self.args[0])


def resolve_iri(value: str) -> URIRef:
    """A full http(s)/urn IRI or a CURIE with one of our prefixes; else ValueError.

    >>> resolve_iri("dr:grantee")
    rdflib.term.URIRef('https://w3id.org/datareach/ns#grantee')
    >>> resolve_iri("http://x/> . SERVICE")
    Traceback (most recent call last):
    ...
    ValueError: not an IRI: 'http://x/> . SERVICE'
    """
    prefix, _, local = value.partition(":")
    if prefix in PREFIXES and _LOCAL.fullmatch(local):
        return URIRef(PREFIXES[prefix] + local)
    if _ABSOLUTE.fullmatch(value):
        return URIRef(value)
    raise ValueError(f"not an IRI: {value!r}")


def resolve_datatype(g: Graph, value: str) -> URIRef:
    """A data type of the taxonomy by IRI, CURIE, slug, label, DPV-PD term or fideslang key.

    Uses the same resolution as ``datareach reach`` (graph.model.taxonomy).
    """
    from graph.errors import NotFoundError
    from graph.model.ontology import data_types

    iri = _as_iri(value, DT)
    if iri is not None and iri in _typed(g, DR.DataType, DT):
        return iri
    tax = data_types(g) if (None, RDF.type, DR.DataType) in g else data_types()
    try:
        return URIRef(tax.by_slug[tax.resolve(value)].iri)
    except NotFoundError as exc:
        raise UnknownTerm(str(exc)) from None


def resolve_company(g: Graph, value: str) -> URIRef:
    """A company by IRI, CURIE, slug, name or alias (legal forms like 'Inc.' may be left off).

    Names are resolved as everywhere else (``graph.questions.resolve.find_company``).

    Parameters
    ----------
    g : rdflib.Graph
        A graph with ``dr:Company`` nodes and their labels.
    value : str
        What the user typed.

    Returns
    -------
    rdflib.URIRef
        The company's IRI; UnknownTerm, with the nearest names, if none fits.

    >>> from rdflib import Literal
    >>> g = Graph()
    >>> _ = g.add((ID.amazon, RDF.type, DR.Company)), g.add((ID.amazon, RDFS.label, Literal("Amazon")))
    >>> resolve_company(g, "Amazn Inc")
    Traceback (most recent call last):
    ...
    graph.sparql.terms.UnknownTerm: unknown company 'Amazn Inc' — did you mean 'Amazon'?
    """
    from graph.errors import NotFoundError
    from graph.names import CompanyIndex, did_you_mean
    from graph.questions.resolve import find_company

    companies = _typed(g, DR.Company, None)
    iri = _as_iri(value, ID)
    if iri is not None and iri in companies:
        return iri
    index = CompanyIndex()
    for company in companies:
        names = [*(label for _, label in _labels(g, [company])), str(company).rsplit("/", 1)[-1], str(company)]
        index.add(str(company), names)
    try:
        return URIRef(find_company(index, value))
    except NotFoundError as exc:
        shown = repr(value if len(value) <= 80 else value[:79] + "…")
        raise UnknownTerm(f"unknown company {shown}{did_you_mean(exc.suggestions)}") from None


def _typed(g: Graph, cls: URIRef, namespace: Namespace | None) -> set[Node]:
    found = set(g.subjects(RDF.type, cls))
    if namespace is not None:  # SKOS concepts of our scheme, typed or not
        found |= {s for s in g.subjects(SKOS.prefLabel, None) if str(s).startswith(namespace)}
    return found


def _as_iri(value: str, namespace: Namespace) -> URIRef | None:
    if _SLUG.fullmatch(value):
        return URIRef(namespace + value)
    try:
        return resolve_iri(value)
    except ValueError:
        return None


def _labels(g: Graph, candidates: Iterable[Node]) -> Iterable[tuple[Node, str]]:
    for subject in candidates:
        for predicate in LABELS:
            for label in g.objects(subject, predicate):
                yield subject, str(label)
