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
>>> row: ReachRow = reach(small_graph(), "phone number").rows[2]
>>> row["company"], row["label"], [(h["from"], h["to_label"], h["stated_end"]) for h in row["path"]]
('apple', 'Apple', [('facebook', 'Apple', None)])
>>> required = {k for k, v in ReachRow.__annotations__.items() if "NotRequired[" not in str(v)}
>>> sorted(required - set(row))  # every field a row must have, it has
[]
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

HolderBasis = Literal["stated", "implied"]  # stated by a holding fact; implied by an edge naming it that it passes on
"""Why a company is taken to hold a data type (``ReachRow.holder_basis``)."""

Certainty = Literal["stated", "implied", "partial"]
"""How surely a hop or a path carries the data type asked (DESIGN §5): stated (names it),
implied (names only a broader type), partial (names only narrower types)."""

CERTAINTIES: tuple[Certainty, ...] = ("stated", "implied", "partial")
"""The certainties, surest first (the order reach sorts by)."""


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
    read: NotRequired[str]  # how the source was known: directly, through a reprint, through quotes
    read_via: NotRequired[list[Page]]  # the pages a source known by reprint or quotes was read through


class Page(TypedDict):
    """A page that reprints or quotes a source the dataset knew only through it."""

    publisher: str | None
    title: str | None
    date: str | None
    url: str | None


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
    read: NotRequired[str]  # the source's read mode, when not "directly"
    read_via: NotRequired[list[Page]]


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
    valid_from: NotRequired[str | None]  # edges: always; holdings: when the collection began
    # holdings observed by a crawl: on which site, in which period, on what share of page loads
    site: NotRequired[str | None]
    observed: NotRequired[str | None]
    valid_until: NotRequired[str | None]
    share: NotRequired[str | None]


class EdgeAttrs(FactAttrs):
    """The attributes of an edge of the projected graph (``graph.build.projection``): a grant,
    an incident (one edge per recipient) or ownership (owned → owner)."""

    permissions: list[str]
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
    feature_closed: NotRequired[str | None]  # when the exploited feature was closed
    same_as: NotRequired[list[str]]  # other incident records judged this same incident


class StatedValue(TypedDict):
    """One fact's value of a field that facts about the same parties state differently, with its asserting claims."""

    value: Any
    fact: str
    sources: list[Claim]


class RawConflict(TypedDict):
    """A field facts about the same parties state differently (``graph.build.conflicts``): every fact stating it."""

    field: str
    values: list[StatedValue]


class ConflictValue(TypedDict):
    """One stated value of a conflicting field, as answers show it: its fact, its sources' newest date and its citations."""

    value: Any
    fact: str
    newest_date: str | None
    sources: list[Citation]


class FieldConflict(TypedDict):
    """A field sources state differently (``field`` is the record field), each value newest source first."""

    field: str
    values: list[ConflictValue]


class Holding(_Origin):
    """What a company is stated to hold, as reach reads it (the flow index's ``holdings``)."""

    data_types: list[str]
    evidence: list[Claim]
    integration: NotRequired[str | None]
    site: NotRequired[str | None]  # the site whose visitors it comes from
    tracker: NotRequired[str | None]  # the tracker it was observed through (a crawl's tracker id)
    observed: NotRequired[str | None]  # the period it was observed in (counts only then)
    valid_from: NotRequired[str | None]
    valid_until: NotRequired[str | None]
    share: NotRequired[str | None]  # the proportion of page loads it was seen on


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
    "certainty": Certainty,  # what this hop passes on: its own, or what reached its grantor if less sure
    "undated": NotRequired[bool],  # only with as_of: its dates cannot tell
    "feature_closed": NotRequired[str | None],  # incidents: when the exploited feature was closed
    "same_as": NotRequired[list[str]],  # incidents: other records judged this same incident
    "conflicts": NotRequired[list[FieldConflict]],  # fields other facts about the same parties state differently
})
Hop.__doc__ = "One edge of a reach path: who passes what to whom, when, on whose evidence."


class ReachRow(TypedDict):
    """A party that could reach the data type, with its shortest evidenced path."""

    company: str
    label: str
    iri: str
    kind: str  # "company" or "public"
    hops: int
    certainty: Certainty  # the least sure of its start and its hops
    partial: bool  # certainty == "partial" (kept for old scripts)
    holder: bool
    holder_basis: HolderBasis | None
    holder_sources: list[Citation]
    collected_from: list[str]  # a stated holder's populations ("users of apps that embed it")
    collected_through: list[str]  # a stated holder's integration kinds (labels: "SDK")
    via_incident: bool
    disputed: bool
    undated: bool
    path: list[Hop]
    # an aggregate party ("more than 150 companies"): its stated count and what the count means
    party_count: NotRequired[int | None]
    count_qualifier: NotRequired[str | None]
    country: NotRequired[str]  # a company's cited country (ISO 3166-1 alpha-2)
    country_sources: NotRequired[list[Citation]]
    list_status: NotRequired[str]  # with a list scope: the status the list gives this member


class ReachFilters(TypedDict):
    """The filters a reach question was asked with."""

    as_of: str | None
    permissions: list[str]
    integrations: list[str]
    through_ownership: bool
    start: str | None  # only flows that start at this holder (its slug)
    into: str | None  # only flows into this company (its slug)
    certainty: Certainty | None  # only paths at least this sure
    on_by_default: bool | None
    whose_data: str | None
    sources: list[str]
    source_before: str | None
    source_after: str | None
    country: str | None
    confidence: NotRequired[str | None]  # only claims at least this sure
    read: NotRequired[str | None]  # only sources read at least this directly
    site: NotRequired[str | None]  # only holders observed on this site (``site_key``), and onward


class ReachAnswer(TypedDict):
    """A reach answer as JSON: the question (the words ``asked``, the ``term`` they resolved to,
    how: ``resolved_by`` label, alias, slug, IRI, DPV, DPV-PD, DPV-PD close match or fideslang, and
    the form ``matched``), its filters, how many parties, and the rows. ``data_type`` is ``term``."""

    asked: str
    term: str
    resolved_by: str
    matched: str
    data_type: str
    label: str
    filters: ReachFilters
    total: int
    companies: list[ReachRow]
    scope: NotRequired[dict[str, object]]  # with a list scope: the list's name, source and counts (no members)


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
    conflicts: list[FieldConflict]  # fields other facts about the same parties state differently
    fact: str


class GrantRow(TableRow, total=False):
    """A partner-table row with what only some rows have (JSON only: not table columns)."""

    kind: str  # the grantee's kind when not a company: "aggregate" or "public"
    party_count: int | None  # an aggregate grantee's stated count
    count_qualifier: str | None
    country: str  # the grantee's cited country
    grantor_country: str
    list_status: str  # with a list scope: the status the list gives the grantee (else the grantor)


class RankRow(TypedDict):
    """A company's score by one measure, and its place."""

    company: str
    label: str
    kind: str
    score: float
    measure: str
    details: list[str]
    rank: int  # the place: companies with the same score share it (1, 2, 2, 4)
    tied: int  # how many companies in the whole ranking have this score (1: none shares it)


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
    conflict: bool  # different sources name different owners of a company on a chain
    conflicts: list[OwnerConflict]
    chains: list[list[OwnerHop]]


class OwnerClaim(TypedDict):
    """One owner that sources give a company, with their claims; ``newest_date`` is the newest source's date."""

    owner: str
    owner_label: str
    fact: str
    newest_date: str | None
    sources: list[Citation]


class OwnerConflict(TypedDict):
    """A company different sources give different owners: each owner's claims, newest first."""

    owned: str
    owned_label: str
    claims: list[OwnerClaim]


class DomainOperators(TypedDict):
    """Who operates a domain, on whose evidence."""

    domain: str
    operators: list[str]
    operator_labels: list[str]
    evidence: list[Citation]



# ---------------------------------------------------------------- lists, aggregate parties, incidents (issue 13)

class Party(TypedDict):
    """An unnamed aggregate party (``G.graph["parties"]``, by node key ``aggregate:<id>``):
    what the source calls it, how many it stands for and how the count is meant."""

    company: str  # its node key
    label: str
    kind: str  # "aggregate"
    party_count: int | None
    count_qualifier: str | None
    note: str | None
    evidence: list[Claim]


class ListMember(TypedDict):
    """One company on a named list, with the status the list gives it."""

    company: str
    label: str
    status: str  # "to continue", "to end", "ended" or "unknown"
    note: str | None
    evidence: list[Claim]


class NamedList(TypedDict):
    """A named list of companies a source publishes (``G.graph["lists"]``, by id)."""

    id: str
    label: str
    stated_count: int | None  # how many members the source says the list has
    date: str | None
    note: str | None
    evidence: list[Claim]
    members: list[ListMember]


class IncidentExtra(TypedDict):
    """What an incident's edges do not carry into the flow index (``G.graph["incidents"]``, by id)."""

    label: str | None
    feature_closed: str | None
    feature_closed_sources: list[Claim]
    same_as: list[str]


class ListMemberRow(TypedDict):
    """A list member as the lists answer shows it."""

    company: str
    label: str
    status: str
    note: str | None
    sources: list[Citation]
    disputes: list[Citation]


class ListAnswer(TypedDict):
    """A named list as JSON: its name, source, stated count, members named, counts by status, members."""

    id: str
    label: str
    date: str | None
    note: str | None
    stated_count: int | None
    total: int  # members named in the fact files
    by_status: dict[str, int]
    sources: list[Citation]
    disputes: list[Citation]  # claims on the list itself that dispute it or one aspect of it
    members: list[ListMemberRow]
