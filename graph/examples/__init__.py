"""A small made-up fixture graph for examples and doctests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx


SMALL = Path(__file__).with_name("small.yaml")


@lru_cache(maxsize=1)
def _small() -> nx.MultiDiGraph:
    from graph.build.loader import load
    from graph.build.projection import project

    return project(load([SMALL]).g)


def small_graph() -> nx.MultiDiGraph:
    """A fresh copy of the small fixture graph (built through the real loader).

    >>> sorted(small_graph().nodes)
    ['amazon', 'apple', 'example-holdings', 'facebook', 'public', 'spotify']
    """
    return _small().copy()
