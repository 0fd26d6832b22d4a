"""SPARQL: the guard, the sandboxed child that runs a query, in memory (rdflib), on disk (Oxigraph),
or on a remote endpoint, the named queries and the result formats.
"""
