"""The records that cross layers: a fact's claims, the projected graph's edges, and the
rows of each answer. Each field keeps one name from the fact file to the page.

They are ``TypedDict``s: at run time plain dicts (JSON-ready, as the answers have always
been), checked by mypy where they are made and read. A fact file's field name is the
record's key (``valid_from``, ``stated_end``, ``last_observed_active``, ``activation``…);
``company`` is always a company's slug (its networkx node) and ``label`` its name; a field
holding another party's slug has its name beside it under ``<field>_label``
(``grantor``/``grantor_label``, ``from``/``from_label``, ``owner``/``owner_label``).

Only the viz page's embedded JSON uses shorter keys (for size), and
``graph.viz.data.SHORT`` is their one map.

>>> from graph.examples import small_graph
>>> from graph.questions.reach import reach
>>> row: ReachRow = reach(small_graph(), "phone number").rows[1]
>>> row["company"], row["label"], [(h["from"], h["to_label"], h["stated_end"]) for h in row["path"]]
('apple', 'Apple', [('facebook', 'Apple', None)])
>>> sorted(set(ReachRow.__annotations__) - set(row))
[]
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

HolderBasis = Literal["stated", "implied"]  # stated by a holding fact; implied by a grant it makes
"""Why a company is taken to hold a data type (``ReachRow.holder_basis``)."""


class Claim(TypedDict):
    """One piece of evidence for a fact, as the fact file gives it: which registered
    source, where in it, and whether it asserts or disputes the fact."""

    source: str | None
    locator: str | None
    stance: str  # "asserts" or "disputes"
    confidence: str  # "confirmed", "reported" or "alleged"
    claimant: str | None
    aspect: str | None  # None: the fact itself; else the one aspect disputed (consent, dates…)
    note: str | None


class Source(TypedDict):
    """A publication of the source registry (``G.graph["sources"]``, by id)."""

    publisher: str | None
    title: str | None
    date: str | None
    url: str | None
    reports_on: str | None


class Citation(TypedDict):
    """A claim with its source's publisher, title, date and URL filled in: what an answer shows."""

    source: str | None
    publisher: str | None
    title: str | None
    date: str | None
    url: str | None
    locator: str | None
    stance: str | None
    confidence: str | None
    claimant: str | None
    aspect: str | None
    note: str | None


# "from" is a keyword, so a holding's origin is declared in the functional form.
_Origin = TypedDict("_Origin", {"from": NotRequired[list[str]]})  # a holding's populations (labels)


class FactAttrs(_Origin):
    """What every projected fact carries (a holding, or an edge's common part)."""

    kind: str  # "grant", "incident", "ownership" or "holding"
    id: str
    iri: str
    data_types: list[str]  # data-type slugs
    integration: str | None  # integration-kind slug
    note: str | None
    evidence: list[Claim]
    disputed: bool
    whose_data: NotRequired[list[str]]


class EdgeAttrs(FactAttrs):
    """The attributes of an edge of the projected graph (``graph.build.projection``): a grant,
    an incident (one edge per recipient) or ownership (owned → owner)."""

    permissions: list[str]
    valid_from: str | None
    stated_end: str | None
    status: str  # "active", "shut down", "unknown"; "incident" or "ownership" for those edges
    # grants
    activation: NotRequired[str | None]
    on_by_default: NotRequired[bool | None]
    overrode_privacy_setting: NotRequired[bool | None]
    last_observed_active: NotRequired[str | None]
    # incidents
    label: NotRequired[str | None]
    exploited_feature: NotRequired[str | None]
    occurred: NotRequired[str | None]
    published: NotRequired[str | None]
    affected: NotRequired[int | None]
    count_qualifier: NotRequired[str | None]


class Holding(_Origin):
    """What a company is stated to hold, as reach reads it (the flow index's ``holdings``)."""

    data_types: list[str]
    evidence: list[Claim]
    integration: NotRequired[str | None]


Hop = TypedDict("Hop", {
    "from": str, "from_label": str, "to": str, "to_label": str,
    "fact": str, "kind": str,
    "integration": str | None,  # the integration kind's label
    "permissions": list[str],
    "data_types": list[str],  # labels
    "valid_from": str | None, "stated_end": str | None, "status": str,
    "sources": list[Citation],
    "disputed": bool,
    "disputes": list[Citation],
    "partial": bool,  # this edge carries only narrower types
    "undated": NotRequired[bool],  # only with as_of: its dates cannot tell
})
Hop.__doc__ = "One edge of a reach path: who passes what to whom, when, on whose evidence."


class ReachRow(TypedDict):
    """A party that could reach the data type, with its shortest evidenced path."""

    company: str
    label: str
    iri: str
    kind: str  # "company" or "public"
    hops: int
    partial: bool
    holder: bool
    holder_basis: HolderBasis | None
    holder_sources: list[Citation]
    collected_from: list[str]  # a stated holder's populations ("users of apps that embed it")
    collected_through: list[str]  # a stated holder's integration kinds (labels: "SDK")
    via_incident: bool
    disputed: bool
    undated: bool
    path: list[Hop]


class ReachFilters(TypedDict):
    """The filters a reach question was asked with."""

    as_of: str | None
    permissions: list[str]
    integrations: list[str]
    through_ownership: bool


class ReachAnswer(TypedDict):
    """A reach answer as JSON: the question, its filters, how many parties, and the rows."""

    data_type: str
    label: str
    filters: ReachFilters
    total: int
    companies: list[ReachRow]


class TableRow(TypedDict):
    """One access grant of the partner table (grantee: ``company``), fields in the table's column order."""

    company: str
    label: str
    grantor: str
    grantor_label: str
    integration: str | None
    data_types: list[str]
    permissions: list[str]
    whose_data: list[str]
    activation: str | None
    overrode_privacy_setting: bool | None
    valid_from: str | None
    stated_end: str | None
    last_observed_active: str | None
    status: str
    note: str | None
    sources: list[Citation]
    disputes: list[Citation]
    fact: str


class RankRow(TypedDict):
    """A company's score by one measure, and its place."""

    company: str
    label: str
    kind: str
    score: float
    measure: str
    details: list[str]
    rank: int


class OwnerHop(TypedDict):
    """One ownership fact of a chain: ``owned`` is owned by ``owner``."""

    owned: str
    owned_label: str
    owner: str
    owner_label: str
    fact: str
    evidence: list[Citation]
    disputed: bool


class OwnerJSON(TypedDict):
    """An owner answer as JSON: the name asked, where it starts, the domain's operators, the
    ultimate owners' names and every chain."""

    query: str
    start: str
    domain: DomainOperators | None
    ultimate_owners: list[str]
    chains: list[list[OwnerHop]]


class DomainOperators(TypedDict):
    """Who operates a domain, on whose evidence."""

    domain: str
    operators: list[str]
    operator_labels: list[str]
    evidence: list[Citation]

