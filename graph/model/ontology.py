"""Read the ontology files (vocab, taxonomy, shapes) into rdflib and into taxonomies."""

from __future__ import annotations

from functools import lru_cache

from rdflib import RDF, SKOS, Graph, Literal, URIRef

from graph.model.taxonomy import DT_NS, IK_NS, Concept, Taxonomy
from graph.model.vocab import DR
from graph.paths import ontology_dir


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """vocab.ttl and taxonomy.ttl in one graph (cached; do not mutate).

    >>> (DR.AccessGrant, RDF.type, None) in ontology_graph()
    True
    """
    g = Graph()
    for name in ("vocab.ttl", "taxonomy.ttl"):
        g.parse(ontology_dir() / name, format="turtle")
    return g


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The SHACL shapes (ontology/shapes.ttl)."""
    g = Graph()
    g.parse(ontology_dir() / "shapes.ttl", format="turtle")
    return g


def _concept(g: Graph, node: URIRef, ns: str) -> Concept:
    def text(pred: URIRef) -> str | None:
        value = g.value(node, pred)
        return None if value is None else str(value)

    broader = tuple(sorted(str(b)[len(ns):] for b in g.objects(node, SKOS.broader) if str(b).startswith(ns)))
    matches = tuple(sorted(str(m) for m in g.objects(node, SKOS.exactMatch)))
    close = tuple(sorted(str(m) for m in g.objects(node, SKOS.closeMatch)))
    sensitivity = g.value(node, DR.sensitivity)
    return Concept(
        slug=str(node)[len(ns):],
        iri=str(node),
        label=text(SKOS.prefLabel) or str(node)[len(ns):],
        alt_labels=tuple(sorted(str(a) for a in g.objects(node, SKOS.altLabel))),
        broader=broader,
        matches=matches,
        close_matches=close,
        fideslang=text(DR.fideslangKey),
        sensitivity=1 if sensitivity is None else int(str(sensitivity)),
        minted=g.value(node, DR.minted) == Literal(True),
        note=text(SKOS.scopeNote),
    )


def taxonomy_from(g: Graph, cls: URIRef, ns: str, kind: str) -> Taxonomy:
    """Every instance of ``cls`` in ``g`` whose IRI is in ``ns``, as a Taxonomy."""
    nodes = sorted({s for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef) and str(s).startswith(ns)})
    return Taxonomy(kind, [_concept(g, n, ns) for n in nodes])


def data_types(g: Graph | None = None) -> Taxonomy:
    """The data-type taxonomy (of ``g``, default the shipped ontology).

    >>> data_types().resolve("user.contact.phone_number")
    'phone-number'
    """
    return taxonomy_from(ontology_graph() if g is None else g, DR.DataType, DT_NS, "data type")


def integration_kinds(g: Graph | None = None) -> Taxonomy:
    """The integration-kind taxonomy."""
    return taxonomy_from(ontology_graph() if g is None else g, DR.IntegrationKind, IK_NS, "integration kind")
