"""Who ultimately owns a company, brand or domain — with the chain of cited facts that proves it.

Ownership edges run owned → owner in the projected graph. A domain first leads to the
company that operates it. Where a company has several owners (a joint venture, or
sources that disagree), every chain is returned, shortest first. When different sources
name different owners of one company, or different operators of one domain that lead to
different ultimate owners, the answer marks the conflict and lists each owner (or
operator) with its claims and their sources' dates, newest first (and the chains newest
first).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graph.build.flowgraph import FlowGraph
from graph.names import name_key
from graph.questions.reach import cite
from graph.questions.resolve import company_index, find_company
from graph.records import DomainOperators, EdgeAttrs, OwnerClaim, OwnerConflict, OwnerHop, OwnerJSON

if TYPE_CHECKING:
    import networkx as nx

MAX_DEPTH = 32


@dataclass
class OwnerAnswer:
    """The start (a company or a domain), and each chain from it to an ultimate owner."""

    query: str
    start: str
    domain: DomainOperators | None
    chains: list[list[OwnerHop]] = field(default_factory=list)

    starts: list[str] = field(default_factory=list)
    conflicts: list[OwnerConflict] = field(default_factory=list)

    @property
    def ultimate(self) -> list[str]:
        """The label of the last company of each chain (a chain with no hop ends where it starts)."""
        return list(dict.fromkeys(chain[-1]["owner_label"] if chain else start
                                  for chain, start in zip(self.chains, self.starts, strict=True)))

    def to_json(self) -> OwnerJSON:
        return {"query": self.query, "start": self.start, "domain": self.domain, "ultimate_owners": self.ultimate,
                "conflict": bool(self.conflicts), "conflicts": self.conflicts, "chains": self.chains}


def ultimate_owner(G: nx.MultiDiGraph | FlowGraph, name: str) -> OwnerAnswer:
    """Follow ownership from a company name, alias or domain to the top.

    Parameters
    ----------
    G : networkx.MultiDiGraph or FlowGraph
        A projected graph, or the build read row by row (only ownership edges are decoded).
    name : str
        A company's slug, name or alias (resolved by ``graph.questions.resolve``), or a domain.

    Returns
    -------
    OwnerAnswer
        Each chain of ownership facts to an ultimate owner, shortest first; NotFoundError,
        with the nearest names, when ``name`` is neither a known company nor a domain.

    >>> from graph.examples import small_graph
    >>> answer = ultimate_owner(small_graph(), "Spotify")
    >>> answer.ultimate, [h["evidence"][0]["locator"] for h in answer.chains[0]]
    (['Example Holdings'], ['¶7'])
    """
    domain = _domain(G, name)
    if domain is not None:
        starts = domain["operators"]
    else:
        starts = [company_named(G, name)]
    answer = OwnerAnswer(name, G.nodes[starts[0]]["label"] if starts else name, domain)
    found = [(chain, G.nodes[start]["label"]) for start in starts for chain in _chains(G, start, [], set())]
    found.sort(key=lambda pair: len(pair[0]))
    answer.conflicts = _domain_conflict(G, domain, found) + _conflicts([chain for chain, _ in found])
    if answer.conflicts:  # the newest claim first, so a reader sees the latest word on top
        found.sort(key=lambda pair: _newest(pair[0]), reverse=True)
    answer.chains = [chain for chain, _ in found]
    answer.starts = [start for _, start in found]
    return answer


def company_named(G: nx.MultiDiGraph | FlowGraph, name: str) -> str:
    """``find_company(company_index(G), name)``; from a :class:`FlowGraph`, an exact name (the
    common case) is found by reading the names in the index's order and stopping at the first
    whose ``name_key`` matches, as the index would resolve it, without indexing every name
    (that was most of ``owner``'s own time at M and L). Anything else goes to the index.

    >>> from graph.build.flowindex import FlowIndex
    >>> from graph.examples import small_graph
    >>> company_named(FlowGraph(FlowIndex.from_graph(small_graph())), "SPOTIFY")
    'spotify'
    """
    if isinstance(G, FlowGraph) and G.index.node_order is not None:
        wanted, labels, aliases = name_key(name), G.index.labels.all(), G.index.aliases()
        for i in G.index.node_order.tolist():
            node = G.keys[i]
            if any(name_key(n) == wanted for n in (labels[i] or node, *aliases.get(i, []), node)):
                return node
    return find_company(company_index(G), name, kind="company or domain")


def _newest(hops: Iterable[OwnerHop]) -> str:
    """The newest source date of any claim of ``hops`` ('' when none is dated)."""
    return max((c["date"] or "" for h in hops for c in h["evidence"]), default="")


def _conflicts(chains: list[list[OwnerHop]]) -> list[OwnerConflict]:
    """Companies that sources give different owners: each owner with its claims, newest first.

    Two owners on the word of the same sources (a joint venture one report describes) are
    not a conflict; owners on the word of different sources are.
    """
    by_owned: dict[str, dict[str, OwnerHop]] = {}
    for chain in chains:
        for hop in chain:
            by_owned.setdefault(hop["owned"], {}).setdefault(hop["owner"], hop)
    out: list[OwnerConflict] = []
    for owned, owners in by_owned.items():
        cited = {frozenset(c["source"] for c in h["evidence"]) for h in owners.values()}
        if len(owners) < 2 or len(cited) < 2:
            continue
        claims: list[OwnerClaim] = [{"owner": h["owner"], "owner_label": h["owner_label"], "fact": h["fact"],
                                     "newest_date": _newest([h]) or None, "sources": h["evidence"]}
                                    for h in owners.values()]
        claims.sort(key=lambda c: c["newest_date"] or "", reverse=True)
        first = next(iter(owners.values()))
        out.append({"owned": owned, "owned_label": first["owned_label"], "claims": claims})
    return out


def _domain_conflict(G: nx.MultiDiGraph | FlowGraph, domain: DomainOperators | None,
                     found: list[tuple[list[OwnerHop], str]]) -> list[OwnerConflict]:
    """Operators of one domain named by different sources and ending at different ultimate
    owners (a 2020 list says one company, a newer one another): each operator with the
    claims that name it, newest first. One source naming two operators is no conflict."""
    if domain is None or len(domain["operators"]) < 2:
        return []
    named = G.graph["domains"][domain["domain"]].get("operator_sources", {})
    ultimate: dict[str, set[str]] = {}
    for chain, start in found:
        first = chain[0]["owned"] if chain else next((o for o in domain["operators"] if G.nodes[o]["label"] == start), start)
        ultimate.setdefault(first, set()).add(chain[-1]["owner_label"] if chain else start)
    cited = {frozenset(named.get(o, [])) for o in domain["operators"]}
    if len(cited) < 2 or len({frozenset(ultimate.get(o, set())) for o in domain["operators"]}) < 2:
        return []
    claims: list[OwnerClaim] = []
    for operator in domain["operators"]:
        sources = [c for c in domain["evidence"] if c["source"] in named.get(operator, [])]
        tops = sorted(ultimate.get(operator, set()) - {G.nodes[operator]["label"]})
        label = G.nodes[operator]["label"] + (f" (owned by {', '.join(tops)})" if tops else "")
        claims.append({"owner": operator, "owner_label": label, "fact": f"domain {domain['domain']}",
                       "newest_date": max((c["date"] or "" for c in sources), default="") or None, "sources": sources})
    claims.sort(key=lambda c: c["newest_date"] or "", reverse=True)
    return [{"owned": domain["domain"], "owned_label": domain["domain"], "claims": claims}]


def _domain(G: nx.MultiDiGraph | FlowGraph, name: str) -> DomainOperators | None:
    host = name.strip().lower().rstrip(".")
    domains = G.graph.get("domains", {})
    while host != "" and host not in domains:
        host = host.partition(".")[2] if "." in host else ""
    if host == "":
        return None
    found = domains[host]
    return {"domain": host, "operators": found["operators"],
            "operator_labels": [G.nodes[o]["label"] for o in found["operators"]],
            "evidence": [cite(G, c) for c in found["evidence"] if c["stance"] == "asserts"]}


def _chains(G: nx.MultiDiGraph | FlowGraph, node: str, path: list[OwnerHop], seen: set[str]) -> list[list[OwnerHop]]:
    listed = (G.out_edges(node, keys=True, data=True, kinds=("ownership",)) if isinstance(G, FlowGraph)
              else G.out_edges(node, keys=True, data=True))
    owners: list[tuple[str, str, EdgeAttrs]] = [(v, key, attrs) for _, v, key, attrs in listed if attrs["kind"] == "ownership"]
    if not owners or len(path) >= MAX_DEPTH:
        return [path]
    out: list[list[OwnerHop]] = []
    for owner, key, attrs in sorted(owners, key=lambda o: o[1]):
        if owner in seen | {node}:
            continue
        hop: OwnerHop = {"owned": node, "owned_label": G.nodes[node]["label"], "owner": owner, "owner_label": G.nodes[owner]["label"],
               "fact": key, "evidence": [cite(G, c) for c in attrs.get("evidence", [])], "disputed": attrs.get("disputed", False)}
        out += _chains(G, owner, [*path, hop], seen | {node})
    return out or [path]
