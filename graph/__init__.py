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

From files, a ``Project`` holds the fact files and the folder their build goes to:
``Project.of("sources", "out")``, ``Project.at(folder)`` (its ``sources/`` and ``out/``),
``Project.find()`` (the project holding the current folder) or ``Project.bundled()``.
``project.build()`` validates and writes the build; ``project.projection()``,
``project.flows()`` and ``project.rdf_graph()`` read it, rebuilding first if the sources
changed. The free functions ``graph.build(sources, out)``, ``graph.projection(sources,
out)`` and ``graph.rdf_graph(sources, out)`` do the same in one call. Paths are ``str``
or ``os.PathLike``, one or a list. ``graph.load(paths)`` returns the validated rdflib
graph without writing anything; ``graph.run_sparql(g, query)`` runs a guarded,
time-limited SPARQL query; ``graph.init_project(folder)`` makes a project folder.

Only what ``__all__`` names is the public API; viz (``graph.viz.page``) and the server
(``graph.serve``) are imported when used, so importing ``graph`` loads neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph import examples
    from graph.build.compiled import build, ensure_built, projection, rdf_graph
    from graph.build.project import Project
    from graph.errors import DatareachError, InputError, NotFoundError
    from graph.paths import bundled_sources
    from graph.questions.rank import rank
    from graph.questions.reach import ReachResult, reach
    from graph.questions.resolve import resolve_company
    from graph.questions.table import partner_table

# Imported on first use (PEP 562), so that ``import graph`` (and every command, which imports it
# first) loads neither the build (json, hashlib, dataclasses…) nor numpy until a name needs them:
_LAZY = {"examples": ("graph.examples", None), "rank": ("graph.questions.rank", "rank"),
         "reach": ("graph.questions.reach", "reach"), "ReachResult": ("graph.questions.reach", "ReachResult"),
         "resolve_company": ("graph.questions.resolve", "resolve_company"),
         "partner_table": ("graph.questions.table", "partner_table"),
         "build": ("graph.build.compiled", "build"), "ensure_built": ("graph.build.compiled", "ensure_built"),
         "projection": ("graph.build.compiled", "projection"), "rdf_graph": ("graph.build.compiled", "rdf_graph"),
         "Project": ("graph.build.project", "Project"), "bundled_sources": ("graph.paths", "bundled_sources"),
         "DatareachError": ("graph.errors", "DatareachError"), "InputError": ("graph.errors", "InputError"),
         "NotFoundError": ("graph.errors", "NotFoundError")}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'graph' has no attribute {name!r}")
    import importlib

    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def _unshadow_build() -> None:
    """``graph.build`` is the function, not the subpackage of the same name: importing the
    subpackage (empty) sets it as this module's attribute ``build``, once; do it now and drop
    that attribute, so that the name reaches ``__getattr__`` and the function."""
    import importlib

    importlib.import_module("graph.build")
    globals().pop("build", None)


_unshadow_build()

__version__ = "0.1.0"

__all__ = [
    "DatareachError", "InputError", "NotFoundError", "Project", "ReachResult", "build", "bundled_sources",
    "ensure_built", "examples", "find_project", "init_project", "load", "partner_table", "projection", "rank",
    "rdf_graph", "reach", "resolve_company", "run_sparql",
]


def load(paths: Any, **kwargs: Any) -> Any:
    """Load and validate fact files into an rdflib Graph, writing nothing.

    Parameters
    ----------
    paths : str, os.PathLike, or a list of them
        Fact files or folders of fact files.
    **kwargs
        Passed to ``graph.build.loader.load`` (``shacl=False`` skips the shapes check).

    Returns
    -------
    rdflib.Graph
        The facts and the ontology; ``graph.errors.InputError`` lists every problem instead.

    Examples
    --------
    >>> import graph
    >>> g = graph.load(graph.examples.SMALL)
    >>> len(g) > 100
    True
    """
    from graph.build.loader import load as _load
    from graph.paths import as_paths

    return _load(as_paths(paths) or [], **kwargs).g


def find_project(start: Any = None) -> Project | None:
    """The project holding ``start`` (default: the current folder), or None outside any.

    Parameters
    ----------
    start : str or os.PathLike, optional
        Where to look from; the current folder by default. The folder itself and each
        parent are tried in turn, as git finds a repository.

    Returns
    -------
    Project or None

    Examples
    --------
    >>> import graph, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     made = graph.init_project(tmp)
    ...     graph.find_project(tmp) == made
    True
    """
    from graph.build.project import Project

    return Project.find(start)


def init_project(folder: Any = ".") -> Project:
    """Make a project folder: ``sources/registry.yaml``, an example fact file, a README.

    Parameters
    ----------
    folder : str or os.PathLike
        Made if missing. Nothing is written if any of the files already exists.

    Returns
    -------
    Project
        The new project (``sources/`` built into ``out/``).

    Examples
    --------
    >>> import graph, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     graph.init_project(tmp).build().counts["grants"]
    1
    """
    from graph.build.scaffold import init_project as _init

    return _init(folder)


def run_sparql(g: Any, query: str, **kwargs: Any) -> Any:
    """Run a read-only, time-limited SPARQL query with our prefixes bound.

    Parameters
    ----------
    g : rdflib.Graph
        From ``graph.load`` or ``Project.rdf_graph``.
    query : str
        SPARQL 1.1; SERVICE, FROM, LOAD and updates are refused.
    **kwargs
        ``timeout`` (seconds), ``max_rows``, ``bindings`` (see ``graph.sparql.local.run_query``).

    Returns
    -------
    graph.sparql.result.QueryResult

    Examples
    --------
    >>> import graph
    >>> g = graph.load(graph.examples.SMALL)
    >>> result = graph.run_sparql(g, "SELECT ?c WHERE { ?c a dr:Company }", timeout=10)
    >>> len(result.rows) > 0
    True
    """
    from graph.sparql.local import run_query

    return run_query(g, query, **kwargs)
