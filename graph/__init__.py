"""datareach: a cited knowledge graph of companies and the personal data flowing between them.

The Python API mirrors the commands. ``reach``, ``partner_table`` and ``rank`` take the
networkx graph from ``projection`` and need neither rdflib, pyvis nor click:

>>> import graph
>>> G = graph.examples.small_graph()
>>> [r["company"] for r in graph.reach(G, "private message", permissions=["delete"]).rows]
['facebook', 'spotify']
>>> graph.partner_table(G, companies=["Spotify"])[0]["permissions"]
['read', 'write', 'delete']
>>> graph.rank(G, by="reach", top=1)[0]["label"]
'Facebook'

From files: ``graph.build("sources", "out")`` validates and writes the compiled graph;
``graph.projection("sources", "out")`` returns the networkx graph (rebuilding if the
sources changed); ``graph.load(paths)`` returns the validated rdflib graph;
``graph.run_sparql(g, query)`` runs a guarded, time-limited SPARQL query. Paths are
``str`` or ``os.PathLike``, one or a list. ``graph.bundled_sources()`` is the bundled
dataset; ``graph.find_project()`` and ``graph.init_project(folder)`` find and make a
project folder (``sources/`` and ``out/``).
"""

from __future__ import annotations

from typing import Any

from graph import examples
from graph.build.compiled import build, ensure_built, projection, rdf_graph
from graph.errors import DatareachError, InputError, NotFoundError
from graph.paths import Project, bundled_sources, find_project
from graph.questions.rank import rank
from graph.questions.reach import ReachResult, reach
from graph.questions.resolve import resolve_company
from graph.questions.table import partner_table

__version__ = "0.1.0"

__all__ = [
    "DatareachError", "InputError", "NotFoundError", "Project", "ReachResult", "build", "bundled_sources",
    "ensure_built", "examples", "find_project", "init_project", "load", "partner_table", "projection", "rank",
    "rdf_graph", "reach", "resolve_company", "run_sparql",
]


def load(paths: Any, **kwargs: Any) -> Any:
    """Load and validate fact files (one path or a list) into an rdflib Graph (see ``graph.build.loader.load``)."""
    from graph.build.loader import load as _load
    from graph.paths import as_paths

    return _load(as_paths(paths) or [], **kwargs).g


def init_project(folder: Any = ".") -> Project:
    """Make a project folder (see ``graph.build.scaffold.init_project``)."""
    from graph.build.scaffold import init_project as _init

    return _init(folder)


def run_sparql(g: Any, query: str, **kwargs: Any) -> Any:
    """Run a read-only, time-limited SPARQL query (see ``graph.sparql.local.run_query``)."""
    from graph.sparql.local import run_query

    return run_query(g, query, **kwargs)
