"""The remote-endpoint settings the command line declares as defaults and choices.

Plain constants, with no imports: ``datareach --help`` declares its options from them without
loading :mod:`graph.sparql.access` (base64, netrc, urllib), which re-exports them.
"""

METHODS = ("auto", "get", "post-form", "post-direct")
"""How a query is sent to an endpoint (``--method``)."""
DEFAULT_GRAPH = "https://w3id.org/datareach/graph"
"""The named graph ``push`` writes and the questions read."""
SERVER_DEFAULT = "default"
"""``--graph default``: the server's own default graph."""
