"""``datareach serve``: a read-only SPARQL 1.1 endpoint and pages for people, standard library only.
"""
