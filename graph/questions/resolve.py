"""The one company resolver: a user's words to a company, with "did you mean" when none fits.

The partner table, the owner question, the HTML page's company view and the SPARQL
parameters all resolve company names here, so they accept the same names and suggest
the same ones: a slug, a name or an alias (case and spacing ignored), or a name whose
legal form is left off or added (``Google LLC`` for Google) when that fits one company.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.build.flowgraph import FlowGraph
from graph.errors import NotFoundError
from graph.names import CompanyIndex

if TYPE_CHECKING:
    import networkx as nx

    from graph.build.flowindex import FlowIndex


def company_index(G: nx.MultiDiGraph | FlowGraph) -> CompanyIndex:
    """Every node's label, aliases and slug, for resolving what a user types.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A projected graph (``graph.build.projection``).

    Returns
    -------
    CompanyIndex
        The names of every node.

    >>> from graph.examples import small_graph
    >>> company_index(small_graph()).resolve("FACEBOOK")
    'facebook'
    """
    index = CompanyIndex()
    if isinstance(G, FlowGraph):  # names from the index's arrays, no node decoded
        labels, aliases = G.index.labels.all(), G.index.aliases()
        assert G.index.node_order is not None
        for i in G.index.node_order.tolist():
            node = G.keys[i]
            index.add(node, [labels[i] or node, *aliases.get(i, []), node])
        return index
    for node, attrs in G.nodes(data=True):
        index.add(node, [attrs.get("label") or node, *(attrs.get("aliases") or []), node])
    return index


def find_company(index: CompanyIndex, name: str, *, kind: str = "company") -> str:
    """The slug ``name`` stands for in ``index``; NotFoundError, with the nearest names, if none.

    Parameters
    ----------
    index : CompanyIndex
        The known names (``company_index``, or one made from an RDF graph).
    name : str
        A slug, name or alias as typed; a legal form may be left off or added.
    kind : str
        What the error calls the thing looked for.

    Returns
    -------
    str
        The slug.

    >>> from graph.examples import small_graph
    >>> find_company(company_index(small_graph()), "Amazon Inc")
    'amazon'
    >>> find_company(company_index(small_graph()), "Amazn Inc")
    Traceback (most recent call last):
    ...
    graph.errors.NotFoundError: unknown company 'Amazn Inc' — did you mean 'Amazon'?
    """
    slug = index.resolve_loosely(name)
    if slug is None:
        raise NotFoundError(kind, name, index.suggest(name))
    return slug


def resolve_company(G: nx.MultiDiGraph | FlowGraph, name: str) -> str:
    """The node of a company given its name, alias or slug; NotFoundError otherwise.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A projected graph.
    name : str
        A slug, name or alias as typed.

    Returns
    -------
    str
        The company's node.

    >>> from graph.examples import small_graph
    >>> resolve_company(small_graph(), "facebook, inc.")
    'facebook'
    """
    return find_company(company_index(G), name)


def resolve_in_index(index: FlowIndex, name: str) -> int:
    """The node number, in a flow index, of a company given its name, alias or slug; NotFoundError otherwise.

    >>> from graph.build.flowindex import FlowIndex
    >>> from graph.examples import small_graph
    >>> index = FlowIndex.from_graph(small_graph())
    >>> index.node_key(resolve_in_index(index, "Facebook, Inc."))
    'facebook'
    """
    names = CompanyIndex()
    aliases = index.aliases()
    for i, (key, label) in enumerate(zip(index.keys.all(), index.labels.all(), strict=True)):
        names.add(str(i), [label, *aliases.get(i, []), key])
    return int(find_company(names, name))
