"""What reach rows tell beyond the flow index: an aggregate party's count and qualifier,
a company's cited country, and each incident hop's closing date and the incident records
judged the same (``G.graph``: ``parties``, ``countries``, ``incidents``; see
``graph.build.projection``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from graph.records import Citation, Claim, ReachRow

if TYPE_CHECKING:
    import networkx as nx

    from graph.build.flowindex import FlowIndex


def describe(G: nx.MultiDiGraph | FlowIndex, rows: list[ReachRow], cite: Callable[[Claim], Citation]) -> list[ReachRow]:
    """Reach rows with what the flow index leaves out: an aggregate party's count and
    qualifier, a company's cited country, and each incident hop's closing date and the
    records judged the same incident."""
    parties, countries, incidents = (G.graph.get(k, {}) for k in ("parties", "countries", "incidents"))
    for row in rows:
        party = parties.get(row["company"])
        if party is not None:
            row["party_count"], row["count_qualifier"] = party["party_count"], party["count_qualifier"]
        country = countries.get(row["company"])
        if country is not None:
            row["country"] = country["country"]
            row["country_sources"] = [cite(c) for c in country["sources"]]
        for hop in row["path"]:
            extra = incidents.get(hop["fact"]) if hop["kind"] == "incident" else None
            if extra is not None:
                hop["feature_closed"], hop["same_as"] = extra["feature_closed"], extra["same_as"]
    return rows
