"""Facts that sources state differently: the rule, applied once when the graph is projected.

Two or more facts of the same kind about the same parties are *in conflict on a field*
when they come from different sources and state that field differently:

* grants: the same grantor, grantee and integration kind, about the same people's data
  (``whose_data`` overlapping or not stated); the fields compared are
  ``status``, ``valid_from``, ``stated_end``, ``last_observed_active``, ``permissions``,
  ``on_by_default``, ``activation`` and ``overrode_privacy_setting``;
* incident records judged the same incident (a ``same`` judgement, or ``same_as``; they
  project onto one edge): ``occurred``, ``published``, ``feature_closed``, ``affected``,
  ``count_qualifier`` and ``exploited_feature``.

"From different sources": the two facts' asserting sources (the ``source`` of each claim
with ``stance: asserts``) are not the same set. Two facts one report states (a grant
renewed, say) are two facts, not a disagreement. "State differently": both facts state
the field (a missing value, status ``unknown`` or an empty list states nothing) and the
values differ; a date that is a prefix of the other ("2019" and "2019-05-01") agrees with
it. Data types are not compared: a source naming fewer types does not deny the others.

Each conflict names the field and every fact of the group that states it, with its value
and its claims (the questions layer cites them and puts the newest source first). It is
kept in ``G.graph["conflicts"]`` under each such fact's id (an incident group under its
edge's id). A single fact whose claims disagree on an aspect (``stance: disputes`` with an
``aspect``) is not a conflict here: answers show it as "contested: <aspect>".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from graph.records import Claim, EdgeAttrs, RawConflict, StatedValue

if TYPE_CHECKING:
    import networkx as nx

GRANT_FIELDS = ("status", "valid_from", "stated_end", "last_observed_active", "permissions", "on_by_default",
                "activation", "overrode_privacy_setting")
INCIDENT_FIELDS = ("occurred", "published", "feature_closed", "affected", "count_qualifier", "exploited_feature")
DATE_FIELDS = frozenset({"valid_from", "stated_end", "last_observed_active", "occurred", "published", "feature_closed"})


def _stated(field: str, value: Any) -> bool:
    return value is not None and value != [] and not (field == "status" and value == "unknown")


def _sources(claims: Iterable[Claim]) -> frozenset[str]:
    return frozenset(str(c["source"]) for c in claims if c["stance"] == "asserts")


def _differ(field: str, a: Any, b: Any) -> bool:
    if field in DATE_FIELDS:
        x, y = str(a), str(b)
        return not (x.startswith(y) or y.startswith(x))
    if isinstance(a, list) and isinstance(b, list):
        return sorted(a) != sorted(b)
    return bool(a != b)


def field_conflicts(facts: Sequence[EdgeAttrs], fields: Sequence[str]) -> list[RawConflict]:
    """The fields on which ``facts`` (about the same parties) disagree, each with every fact
    that states it (see the module docstring).

    >>> a = {"id": "a", "status": "active", "valid_from": "2019", "evidence": [{"source": "s1", "stance": "asserts"}]}
    >>> b = {"id": "b", "status": "shut down", "valid_from": "2019-05", "evidence": [{"source": "s2", "stance": "asserts"}]}
    >>> [(c["field"], [v["value"] for v in c["values"]]) for c in field_conflicts([a, b], ["status", "valid_from"])]
    [('status', ['active', 'shut down'])]
    >>> field_conflicts([a, {**b, "evidence": a["evidence"]}], ["status"])
    []
    """
    out: list[RawConflict] = []
    for field in fields:
        stating = [f for f in facts if _stated(field, f.get(field))]
        if any(_differ(field, a.get(field), b.get(field)) and _sources(a["evidence"]) != _sources(b["evidence"])
               for i, a in enumerate(stating) for b in stating[i + 1:]):
            values: list[StatedValue] = [{"value": f.get(field), "fact": f["id"],
                                          "sources": [c for c in f["evidence"] if c["stance"] == "asserts"]}
                                         for f in stating]
            out.append({"field": field, "values": values})
    return out


def _people(attrs: EdgeAttrs) -> frozenset[str]:
    return frozenset(attrs.get("whose_data") or ())


def _same_people(facts: list[EdgeAttrs]) -> list[list[EdgeAttrs]]:
    """``facts`` split into the sets that can disagree: grants about different people's data
    (stated ``whose_data`` that do not overlap: an app's users and their friends) are two
    relations, not two accounts of one; a grant that does not say whose data is compared
    with every other."""
    stated = {_people(f) for f in facts if _people(f)}
    if len(stated) < 2:
        return [facts]
    return [[f for f in facts if not _people(f) or _people(f) & people] for people in stated]


def grant_conflicts(G: nx.MultiDiGraph) -> dict[str, list[RawConflict]]:
    """Each grant's conflicts with grants of the same grantor, grantee and integration kind
    about the same people's data (overlapping ``whose_data``, or not stated), by fact id."""
    groups: dict[tuple[str, str, str | None], list[EdgeAttrs]] = {}
    for u, v, attrs in G.edges(data=True):
        if attrs["kind"] == "grant":
            groups.setdefault((u, v, attrs.get("integration")), []).append(attrs)
    out: dict[str, list[RawConflict]] = {}
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for group in groups.values():
        for facts in _same_people(group):
            if len(facts) < 2:
                continue
            for conflict in field_conflicts(facts, GRANT_FIELDS):
                key = tuple(sorted(str(v["fact"]) for v in conflict["values"]))
                for value in conflict["values"]:
                    if (str(value["fact"]), conflict["field"], key) not in seen:
                        seen.add((str(value["fact"]), conflict["field"], key))
                        out.setdefault(value["fact"], []).append(conflict)
    return out
