"""Our prefixes as plain strings, for code that must not import rdflib (``datareach sparql``
on the store declares them in the query text). The one table: ``graph.model.vocab`` (generated)
imports it and makes its rdflib namespaces from it.

>>> PREFIXES["dr"]
'https://w3id.org/datareach/ns#'
"""

from __future__ import annotations

PREFIXES: dict[str, str] = {
    "dr": "https://w3id.org/datareach/ns#",
    "dt": "https://w3id.org/datareach/datatype/",
    "ik": "https://w3id.org/datareach/integration/",
    "id": "https://w3id.org/datareach/id/",
    "pd": "https://w3id.org/dpv/pd#",
    "dpv": "https://w3id.org/dpv#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
}
