"""The model: the ontology read from ``ontology/*.ttl``, the taxonomies, and the generated vocabulary.
"""
