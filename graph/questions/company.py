"""One company on one page: what it holds, receives and grants, its lists, owners and
disputes, and every source behind them.

``company_profile`` gathers, for one party of the projected graph, the facts that name it:

- ``holds``: what it is stated to hold (a collection fact), with its origins, and where one was
  observed (a crawl's site, tracker and month);
- ``observed``: the holdings observed on sites (a web crawl states thousands per company),
  summed up by how they were collected: how many, on how many sites, by which trackers,
  from which month to which (``observed_groups``);
- ``receives`` and ``grants``: the access grants it is the grantee or the grantor of, as
  the partner table's rows (``graph.questions.table.partner_table``);
- ``incidents``: leaks and scrapes whose data reached it, or that exposed its users' data;
- ``lists``: the named lists it is on, with the status each gives it;
- ``owners`` (each chain from ``owner`` to an ultimate owner, ``graph.questions.owner``)
  and ``owns`` (the companies it owns directly);
- ``disputes``: every disputing claim on any of those facts, with who disputes what;
- ``sources``: each source cited on the profile once, in the order first cited.

>>> from graph.examples import small_graph
>>> profile = company_profile(small_graph(), "Amazon")
>>> profile.label, [r["grantor_label"] for r in profile.receives]
('Amazon', ['Facebook'])
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

import networkx as nx
import numpy as np

from graph import dates, nogc
from graph.build.flowgraph import FlowGraph
from graph.build.flowindex import KINDS
from graph.model.taxonomy import Taxonomy
from graph.questions.owner import ultimate_owner
from graph.questions.reach import cite, taxonomy
from graph.questions.resolve import resolve_company
from graph.questions.table import partner_table
from graph.records import Citation, Claim, GrantRow, OwnerConflict, OwnerHop

if TYPE_CHECKING:
    from graph.build.project import Project


class HeldRow(TypedDict):
    """A data type a company is stated to hold, how it came by it, and on whose evidence."""

    fact: str
    data_types: list[str]  # labels
    integration: str | None  # the integration kind's label ("SDK")
    collected_from: list[str]  # populations
    whose_data: list[str]
    site: str | None  # where it was observed (a crawl's holding), else None
    tracker: str | None  # the tracker observed there
    observed: str | None  # when (YYYY-MM for a crawl's month)
    valid_from: str | None
    valid_until: str | None
    share: str | None  # the share of the site's page loads it was seen on, 0 to 1, as stated
    note: str | None
    sources: list[Citation]
    disputes: list[Citation]


class Counted(TypedDict):
    """A name and how many of a group's observations name it."""

    name: str
    observations: int


class ObservedGroup(TypedDict):
    """The holdings observed on sites that share how they were collected (integration, origin
    and whose data), summed up: a crawl's thousands of observations of one company as one line."""

    integration: str | None
    collected_from: list[str]
    whose_data: list[str]
    observations: int  # holdings in the group
    sites: int  # distinct sites
    first: str | None  # the earliest month (or date) observed, or valid from (``dates.span``)
    last: str | None
    data_types: list[Counted]  # every data type, by how many observations name it
    trackers: list[Counted]  # every tracker, most observations first
    top_sites: list[Counted]  # the TOP_SITES sites with the most observations
    sources: list[str | None]  # the sources cited, each once
    disputed: int  # observations with a disputing claim


TOP_SITES = 10
"""How many sites an ``ObservedGroup`` names (``sites`` counts them all; the holdings list each)."""


class IncidentRow(TypedDict):
    """An incident that exposed ``from``'s data to ``to`` (a recipient, or "public")."""

    fact: str
    label: str | None
    role: str  # "received" (the company got the data) or "exposed" (its users' data got out)
    other: str  # the other party's slug
    other_label: str
    data_types: list[str]
    occurred: str | None
    published: str | None
    affected: int | None
    exploited_feature: str | None
    sources: list[Citation]
    disputes: list[Citation]


class MembershipRow(TypedDict):
    """A named list the company is on, with the status the list gives it."""

    list: str  # the list's id
    list_label: str
    date: str | None
    status: str
    note: str | None
    sources: list[Citation]
    disputes: list[Citation]


class OwnedRow(TypedDict):
    """A company this one owns directly, on whose evidence."""

    company: str
    label: str
    fact: str
    sources: list[Citation]
    disputes: list[Citation]


class SourceRef(TypedDict):
    """A source cited on a profile: its registry id, publisher, title, date and URL."""

    source: str | None
    publisher: str | None
    title: str | None
    date: str | None
    url: str | None


class DisputeRow(TypedDict):
    """One disputing claim on a fact of the profile: who disputes (``claimant``, else the
    publisher), which aspect (None: the fact itself), and the fact (``about`` in words)."""

    fact: str
    about: str
    claimant: str
    aspect: str | None
    citation: Citation


@dataclass
class CompanyProfile:
    """Everything the graph states about one party (see the module docstring)."""

    company: str
    label: str
    kind: str
    iri: str
    aliases: list[str]
    country: str | None
    homepage: str | None
    note: str | None
    holds: list[HeldRow] = field(default_factory=list)
    observed: list[ObservedGroup] = field(default_factory=list)
    receives: list[GrantRow] = field(default_factory=list)
    grants: list[GrantRow] = field(default_factory=list)
    incidents: list[IncidentRow] = field(default_factory=list)
    lists: list[MembershipRow] = field(default_factory=list)
    owners: list[list[OwnerHop]] = field(default_factory=list)
    ultimate_owners: list[str] = field(default_factory=list)
    owner_conflicts: list[OwnerConflict] = field(default_factory=list)
    owns: list[OwnedRow] = field(default_factory=list)
    disputes: list[DisputeRow] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The profile as JSON-ready data (``datareach company NAME --format json``)."""
        return asdict(self)


def company_profile(source: Project | nx.MultiDiGraph | FlowGraph, name: str) -> CompanyProfile:
    """The profile of the company ``name``: holdings, grants both ways, incidents, lists, owners, disputes, sources.

    Parameters
    ----------
    source : Project, networkx.MultiDiGraph or FlowGraph
        A project (its build is read row by row: ``Project.flow_graph()``), a projected graph,
        or the build read row by row; only this company's holdings and edges are decoded.
    name : str
        A company's slug, name or alias (``graph.questions.resolve``); NotFoundError with
        the nearest names when none fits.

    Returns
    -------
    CompanyProfile

    Examples
    --------
    >>> from graph.examples import small_graph
    >>> p = company_profile(small_graph(), "facebook, inc.")
    >>> p.company, sorted({r["label"] for r in p.grants}), [h["data_types"] for h in p.holds][:1]
    ('facebook', ['Amazon', 'Apple', 'Spotify'], [['name', 'phone number', 'private message']])
    >>> [(d["about"], d["claimant"], d["aspect"]) for d in company_profile(small_graph(), "Spotify").disputes]
    [('grant Facebook → Spotify (messaging integration)', 'Spotify', 'awareness')]
    """
    G = source if isinstance(source, (nx.MultiDiGraph, FlowGraph)) else source.flow_graph()
    slug = resolve_company(G, name)
    node = G.nodes[slug]
    profile = CompanyProfile(slug, node.get("label") or slug, node.get("kind", "company"), node.get("iri", ""),
                             list(node.get("aliases") or []), node.get("country"), node.get("homepage"), node.get("note"))
    tax, kinds = taxonomy(G), Taxonomy.from_dict(G.graph["integrations"])
    with nogc.paused():  # a crawl's company: tens of thousands of small acyclic dicts (see graph.nogc)
        profile.holds = [_held(G, tax, kinds, h) for h in node.get("holds", [])]
        profile.observed = observed_groups(profile.holds)
    rows = partner_table(G, companies=[slug])
    profile.receives = [r for r in rows if r["company"] == slug]
    profile.grants = [r for r in rows if r["grantor"] == slug and r["company"] != slug]
    profile.incidents = _incidents(G, tax, slug)
    profile.lists = _memberships(G, slug)
    owner = ultimate_owner(G, slug)
    profile.owners = [chain for chain in owner.chains if chain]
    profile.ultimate_owners = owner.ultimate if profile.owners else []
    profile.owner_conflicts = owner.conflicts
    profile.owns = _owns(G, slug)
    profile.disputes = _disputes(profile)
    profile.sources = _sources(profile)
    return profile


Graphish: TypeAlias = "nx.MultiDiGraph | FlowGraph"


def _in_edges(G: Graphish, node: str, kinds: tuple[str, ...]) -> list[tuple[str, str, Any]]:
    """(from, fact, attributes) of the edges of ``kinds`` into ``node``; from a FlowGraph, only
    those are decoded (found by the index's columns), in the projection's edge order."""
    if isinstance(G, nx.MultiDiGraph):
        return [(u, key, a) for u, _, key, a in G.in_edges(node, keys=True, data=True) if a["kind"] in kinds]
    index = G.index
    assert index.edge_order is not None
    wanted = np.isin(index.kind, np.asarray([KINDS.index(k) for k in kinds], dtype=np.uint8))
    chosen = np.flatnonzero(wanted & (index.dst == G.number[node]))
    order = index.edge_order[np.isin(index.edge_order, chosen)]
    return [(u, key, a) for u, _, key, a in G.edges(keys=True, data=True, edges=order)]


def _out_edges(G: Graphish, node: str, kinds: tuple[str, ...]) -> list[tuple[str, str, Any]]:
    """(to, fact, attributes) of the edges of ``kinds`` out of ``node``."""
    listed = (G.out_edges(node, keys=True, data=True, kinds=kinds) if isinstance(G, FlowGraph)
              else G.out_edges(node, keys=True, data=True))
    return [(v, key, a) for _, v, key, a in listed if a["kind"] in kinds]


def _split(G: Graphish, claims: list[Claim]) -> tuple[list[Citation], list[Citation]]:
    """The asserting and the disputing claims, cited."""
    return ([cite(G, c) for c in claims if c["stance"] == "asserts"],
            [cite(G, c) for c in claims if c["stance"] == "disputes"])


def _held(G: Graphish, tax: Taxonomy, kinds: Taxonomy, holding: Any) -> HeldRow:
    sources, disputes = _split(G, holding.get("evidence", []))
    integration = holding.get("integration")
    return {"fact": holding.get("id", ""), "data_types": [tax.label(t) for t in holding.get("data_types", [])],
            "integration": None if integration is None else kinds.label(integration),
            "collected_from": list(holding.get("from") or []), "whose_data": list(holding.get("whose_data") or []),
            "site": holding.get("site"), "tracker": holding.get("tracker"), "observed": holding.get("observed"),
            "valid_from": holding.get("valid_from"), "valid_until": holding.get("valid_until"),
            "share": holding.get("share"), "note": holding.get("note"), "sources": sources, "disputes": disputes}


def observed_groups(holds: list[HeldRow]) -> list[ObservedGroup]:
    """The holdings observed on a site, grouped by integration, origin and whose data, and summed up.

    Holdings with no ``site`` (a statement in an article or a filing) are not summed up: they
    are few, and each is worth reading. Groups come in the order first met; a group's data
    types, trackers and sites by number of observations, then by name.

    >>> row = {"integration": "tracking", "collected_from": ["users of sites that embed it"], "whose_data": [],
    ...        "data_types": ["pages visited"], "tracker": "doubleclick", "observed": "2017-05", "valid_from": None,
    ...        "disputes": [], "sources": [{"source": "wtm"}]}
    >>> holds = [{**row, "site": "a.com"}, {**row, "site": "b.com", "observed": "2018-04"},
    ...          {**row, "site": "a.com", "tracker": "gtm", "data_types": ["pages visited", "cookie identifier"]}]
    >>> g = observed_groups(holds)[0]
    >>> g["observations"], g["sites"], g["first"], g["last"], [(c["name"], c["observations"]) for c in g["data_types"]]
    (3, 2, '2017-05', '2018-04', [('pages visited', 3), ('cookie identifier', 1)])
    >>> [(c["name"], c["observations"]) for c in g["top_sites"]], g["sources"]
    ([('a.com', 2), ('b.com', 1)], ['wtm'])
    """
    tallies: dict[tuple[Any, ...], dict[str, Any]] = {}
    for h in holds:
        if not h.get("site"):
            continue
        key = (h["integration"], tuple(h["collected_from"]), tuple(h["whose_data"]))
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = {"n": 0, "types": Counter(), "trackers": Counter(), "sites": Counter(),
                                    "when": set(), "sources": {}, "disputed": 0}
        tally["n"] += 1
        tally["types"].update(h["data_types"])
        if h.get("tracker"):
            tally["trackers"][h["tracker"]] += 1
        tally["sites"][h["site"]] += 1
        tally["when"].add((h.get("observed"), h.get("valid_from"), h.get("valid_until")))
        for c in h["sources"]:
            tally["sources"].setdefault(c["source"])
        tally["disputed"] += bool(h["disputes"])
    groups: list[ObservedGroup] = []
    for (integration, origin, whose), t in tallies.items():
        first, last = dates.span(t["when"])
        groups.append({"integration": integration, "collected_from": list(origin), "whose_data": list(whose),
                       "observations": t["n"], "sites": len(t["sites"]),
                       "first": first, "last": last,
                       "data_types": _counted(t["types"]), "trackers": _counted(t["trackers"]),
                       "top_sites": _counted(t["sites"], TOP_SITES), "sources": list(t["sources"]),
                       "disputed": t["disputed"]})
    return groups


def _counted(tally: Counter[str], limit: int | None = None) -> list[Counted]:
    """Names by count (most first), then by name; the first ``limit`` of them."""
    ranked = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"name": name, "observations": n} for name, n in ranked[:limit]]


def _incidents(G: Graphish, tax: Taxonomy, slug: str) -> list[IncidentRow]:
    edges = [("received", u, a) for u, _, a in _in_edges(G, slug, ("incident",))]
    edges += [("exposed", v, a) for v, _, a in _out_edges(G, slug, ("incident",))]
    out: list[IncidentRow] = []
    for role, other, attrs in edges:
        sources, disputes = _split(G, attrs.get("evidence", []))
        out.append({"fact": attrs["id"], "label": attrs.get("label"), "role": role, "other": other,
                    "other_label": G.nodes[other]["label"], "data_types": [tax.label(t) for t in attrs["data_types"]],
                    "occurred": attrs.get("occurred"), "published": attrs.get("published"),
                    "affected": attrs.get("affected"), "exploited_feature": attrs.get("exploited_feature"),
                    "sources": sources, "disputes": disputes})
    return sorted(out, key=lambda r: (r["occurred"] or r["published"] or "", r["fact"], r["other"]))


def _memberships(G: Graphish, slug: str) -> list[MembershipRow]:
    out: list[MembershipRow] = []
    for named in sorted(G.graph.get("lists", {}).values(), key=lambda n: (n["label"].casefold(), n["id"])):
        for member in named["members"]:
            if member["company"] == slug:
                sources, disputes = _split(G, member["evidence"])
                out.append({"list": named["id"], "list_label": named["label"], "date": named["date"],
                            "status": member["status"], "note": member["note"], "sources": sources, "disputes": disputes})
    return out


def _owns(G: Graphish, slug: str) -> list[OwnedRow]:
    out: list[OwnedRow] = []
    for owned, key, attrs in _in_edges(G, slug, ("ownership",)):
        sources, disputes = _split(G, attrs.get("evidence", []))
        out.append({"company": owned, "label": G.nodes[owned]["label"], "fact": key, "sources": sources,
                    "disputes": disputes})
    return sorted(out, key=lambda r: (r["label"].casefold(), r["fact"]))


def _disputes(p: CompanyProfile) -> list[DisputeRow]:
    """Every disputing claim on the profile's facts, each (fact, claimant, aspect, source, locator) once."""
    found: list[tuple[str, str, list[Citation]]] = []
    found += [(h["fact"], "holding " + ", ".join(h["data_types"]), h["disputes"]) for h in p.holds]
    found += [(r["fact"], f"grant {r['grantor_label']} → {r['label']}" + (f" ({r['integration']})" if r["integration"] else ""),
               r["disputes"]) for r in [*p.receives, *p.grants]]
    found += [(r["fact"], f"incident {r['label'] or r['fact']}", r["disputes"]) for r in p.incidents]
    found += [(r["list"], f"on the list {r['list_label']}: {r['status']}", r["disputes"]) for r in p.lists]
    found += [(h["fact"], f"owned by {h['owner_label']}", [c for c in h["evidence"] if c["stance"] == "disputes"])
              for chain in p.owners for h in chain[:1]]
    found += [(r["fact"], f"owns {r['label']}", r["disputes"]) for r in p.owns]
    rows: dict[tuple[Any, ...], DisputeRow] = {}
    for fact, about, claims in found:
        for c in claims:
            key = (fact, c["claimant"], c["aspect"], c["source"], c["locator"])
            rows.setdefault(key, {"fact": fact, "about": about, "claimant": c["claimant"] or c["publisher"] or "unnamed",
                                  "aspect": c["aspect"], "citation": c})
    return list(rows.values())


def _sources(p: CompanyProfile) -> list[SourceRef]:
    """Each source cited on the profile once (the first claim citing it), in the order first cited."""
    claims: list[Citation] = []
    for h in p.holds:
        claims += h["sources"] + h["disputes"]
    for r in [*p.receives, *p.grants]:
        claims += r["sources"] + r["disputes"]
    for i in p.incidents:
        claims += i["sources"] + i["disputes"]
    for m in p.lists:
        claims += m["sources"] + m["disputes"]
    claims += [c for chain in p.owners for h in chain for c in h["evidence"]]
    for o in p.owns:
        claims += o["sources"] + o["disputes"]
    seen: dict[str | None, SourceRef] = {}
    for c in claims:
        seen.setdefault(c["source"], {"source": c["source"], "publisher": c["publisher"], "title": c["title"],
                                      "date": c["date"], "url": c["url"]})
    return list(seen.values())
