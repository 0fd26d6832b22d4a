"""A holder's holdings as a few node attributes a graph tool can filter and size by.

GraphML and GEXF are read by Gephi, yEd and Cytoscape, which show one table cell per node
attribute. A crawl's holder states tens of thousands of holdings (WhoTracks.me: Google
57,017), so the exports give, in place of the ``holds`` list:

- ``holdings``: how many holdings the node has;
- ``holdings_data_types``: the data types they name (slugs, sorted, ``"; "``-joined);
- ``holdings_sites``, ``holdings_trackers``: how many distinct sites and trackers they were
  observed on and through (holdings that name one; 0 when none does);
- ``holdings_first``, ``holdings_last``: the earliest and latest date they count at, as
  stated: a holding's ``observed`` period (a crawl's month), or else its ``valid_from`` and
  ``valid_until``; empty when none states one.

The full holdings, evidence included, are in the JSON-LD export
(``datareach export --format jsonld``), in ``out/graph.jsonld`` and in
``datareach company NAME --format json``.

A build's holder gives its holdings as columns (``graph.build.heldcols.HeldList``), so the
summary reads codes and small tables and decodes no holding's JSON; a plain list (a
networkx projection's) is put into the same columns first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from graph import dates
from graph.build.heldcols import HeldList
from graph.records import Holding

SUMMARY = ("holdings", "holdings_data_types", "holdings_sites", "holdings_trackers", "holdings_first", "holdings_last")


class HoldingsSummary(TypedDict):
    """A holder's holdings as node attributes (see the module docstring)."""

    holdings: int
    holdings_data_types: list[str]
    holdings_sites: int
    holdings_trackers: int
    holdings_first: str | None
    holdings_last: str | None


def summary(holds: Sequence[Holding] | HeldList) -> HoldingsSummary:
    """The summary of one node's ``holds`` (a list, or a build's ``HeldList``).

    >>> from graph.examples import small_graph
    >>> summary(small_graph().nodes["facebook"]["holds"])["holdings_data_types"]
    ['name', 'phone-number', 'private-message']
    >>> summary([{"data_types": ["pages-visited"], "evidence": [], "site": "a.example", "observed": "2018-01"}])
    ... # doctest: +NORMALIZE_WHITESPACE
    {'holdings': 1, 'holdings_data_types': ['pages-visited'], 'holdings_sites': 1, 'holdings_trackers': 0,
     'holdings_first': '2018-01', 'holdings_last': '2018-01'}
    """
    if len(holds) == 0:  # most parties of a grants graph: no columns to make
        return {"holdings": 0, "holdings_data_types": [], "holdings_sites": 0, "holdings_trackers": 0,
                "holdings_first": None, "holdings_last": None}
    held = holds if isinstance(holds, HeldList) else HeldList.of(holds)
    first, last = dates.span(held.distinct("dates"))
    return {"holdings": len(held), "holdings_data_types": sorted(held.data_types()),
            "holdings_sites": len(held.distinct("sites")), "holdings_trackers": len(held.distinct("trackers")),
            "holdings_first": first, "holdings_last": last}


def summarised(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """A node's attributes with ``holds`` replaced, where it stood, by its summary.

    >>> from graph.examples import small_graph
    >>> list(summarised(small_graph().nodes["facebook"]))[-6:] == list(SUMMARY)
    True
    """
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if key == "holds":
            out.update(summary(value or []))
        else:
            out[key] = value
    return out
