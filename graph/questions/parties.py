"""What reach rows tell beyond the flow index: an aggregate party's count and qualifier,
a company's cited country, and each incident hop's closing date and the incident records
judged the same, and the fields other facts about the same parties state differently
(``G.graph``: ``parties``, ``countries``, ``incidents``, ``conflicts``; see
``graph.build.projection`` and, for the rule, ``graph.build.conflicts``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from graph.records import Citation, Claim, ConflictValue, FieldConflict, RawConflict, ReachRow

if TYPE_CHECKING:
    import networkx as nx

    from graph.build.flowindex import FlowIndex


def describe(G: nx.MultiDiGraph | FlowIndex, rows: list[ReachRow], cite: Callable[[Claim], Citation]) -> list[ReachRow]:
    """Reach rows with what the flow index leaves out: an aggregate party's count and
    qualifier, a company's cited country, and each incident hop's closing date and the
    records judged the same incident; a hop whose fact other facts about the same parties
    contradict carries ``conflicts`` (``conflicts_of``)."""
    graph = G.graph
    parties, countries, incidents = (graph.get(k, {}) for k in ("parties", "countries", "incidents"))
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
            conflicts = conflicts_of(graph, hop["fact"], cite)
            if conflicts:
                hop["conflicts"] = conflicts
    return rows


def conflicts_of(graph: Mapping[str, Any], fact: str, cite: Callable[[Claim], Citation]) -> list[FieldConflict]:
    """The fields other facts about the same parties state differently from ``fact`` (the
    rule: ``graph.build.conflicts``), each value with its fact and citations, the value
    whose newest source is newest first (undated last).

    Parameters
    ----------
    graph : mapping
        ``G.graph`` (or a flow index's ``graph``).
    fact : str
        A fact's id (an edge key).
    cite : callable
        Turns a claim into a citation.
    """
    raw: list[RawConflict] = graph.get("conflicts", {}).get(fact, [])
    out: list[FieldConflict] = []
    for conflict in raw:
        values: list[ConflictValue] = []
        for stated in conflict["values"]:
            sources = sorted((cite(c) for c in stated["sources"]), key=lambda c: c["date"] or "", reverse=True)
            values.append({"value": stated["value"], "fact": stated["fact"],
                           "newest_date": sources[0]["date"] if sources else None, "sources": sources})
        values.sort(key=lambda v: v["newest_date"] or "", reverse=True)
        out.append({"field": conflict["field"], "values": values})
    return out
