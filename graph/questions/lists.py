"""Named lists and unnamed parties: what a list says of each member, answers scoped to a
list, and what reach rows tell of aggregate parties, countries and incidents.

A named list ("52 companies named to the House Energy and Commerce Committee, June
2018") is a source's list of companies, each with the status the list gives it. A list
scopes an answer: ``table`` keeps grants a member takes part in, and a reach answer
keeps the rows of members (a filter on the rows, after the search).

>>> from graph.examples import small_graph
>>> lists(small_graph())
[]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graph.errors import AmbiguousName, NotFoundError
from graph.model.labels import LIST_STATUSES
from graph.names import suggest
from graph.questions.reach import ReachResult, cite
from graph.records import ListAnswer, NamedList, ReachRow

if TYPE_CHECKING:
    import networkx as nx

    from graph.build.flowindex import FlowIndex


def _lists(G: nx.MultiDiGraph | FlowIndex) -> Mapping[str, NamedList]:
    return G.graph.get("lists", {})


def find_list(G: nx.MultiDiGraph | FlowIndex, name: str) -> NamedList:
    """The list with this id or name (case does not matter), else the one list whose
    name contains it. Raises NotFoundError (with suggestions) or AmbiguousName."""
    found = _lists(G)
    if name in found:
        return found[name]
    key = name.strip().casefold()
    exact = [nl for nl in found.values() if nl["label"].casefold() == key]
    partial = exact or [nl for nl in found.values() if key and key in nl["label"].casefold()]
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        raise AmbiguousName("list", name, sorted(nl["id"] for nl in partial))
    near = suggest(name, [*found, *(nl["label"] for nl in found.values())])
    raise NotFoundError("list", name, [near] if near else sorted(found)[:5])


def list_answer(G: nx.MultiDiGraph | FlowIndex, named: NamedList) -> ListAnswer:
    """A list as an answer: its source, the count it states, the claims disputing it (or one
    aspect of it, such as how many members were still to end), the members it names with
    their statuses and evidence, and how many members have each status."""
    by_status = Counter(m["status"] for m in named["members"])
    return {
        "id": named["id"], "label": named["label"], "date": named["date"], "note": named["note"],
        "stated_count": named["stated_count"], "total": len(named["members"]),
        "by_status": {s: by_status[s] for s in LIST_STATUSES if by_status[s]},
        "sources": [cite(G, c) for c in named["evidence"] if c["stance"] == "asserts"],
        "disputes": [cite(G, c) for c in named["evidence"] if c["stance"] == "disputes"],
        "members": [{"company": m["company"], "label": m["label"], "status": m["status"], "note": m["note"],
                     "sources": [cite(G, c) for c in m["evidence"] if c["stance"] == "asserts"],
                     "disputes": [cite(G, c) for c in m["evidence"] if c["stance"] == "disputes"]}
                    for m in named["members"]],
    }


def lists(G: nx.MultiDiGraph | FlowIndex) -> list[ListAnswer]:
    """Every named list, in the order of their names."""
    return [list_answer(G, nl) for nl in sorted(_lists(G).values(), key=lambda nl: (nl["label"].casefold(), nl["id"]))]


def statuses(named: NamedList) -> dict[str, str]:
    """Member (company slug) → the status the list gives it."""
    return {m["company"]: m["status"] for m in named["members"]}


def summary(G: nx.MultiDiGraph | FlowIndex, named: NamedList) -> dict[str, Any]:
    """A list's answer without its members: what a scoped answer carries beside its rows."""
    answer = dict(list_answer(G, named))
    del answer["members"]
    return answer


def scope_reach(result: ReachResult, named: NamedList, limit: int | None = None) -> ReachResult:
    """Only the rows of the list's members (each with its ``list_status``), the nearest ``limit``;
    ``total`` counts the members that could reach the data type."""
    member = statuses(named)
    rows: list[ReachRow] = []
    for row in result.rows:
        if row["company"] in member:
            rows.append({**row, "list_status": member[row["company"]]})
    total = len(rows)
    return ReachResult(result.data_type, result.label, result.filters, rows if limit is None else rows[:limit], total)
