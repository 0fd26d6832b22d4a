"""Each answer's rows and columns, made once: the CLI and the server write these, as text,
Markdown, CSV, HTML or JSON (``graph.present.sheets``), and nothing else.

A :class:`Sheet` holds an answer's columns and one row per party or grant. Its column
keys are the record fields (``graph.records``), so a CSV header is the JSON key of the
same value; its headers are what people read. CSV has every column; text, Markdown and
HTML show the columns marked ``shown``.

The reach CSV has one row per party (not one per hop): a journalist's spreadsheet wants
who could reach the data, by which path and on whose evidence, a row each. Each hop's
dates, permissions and sources are in the JSON answer.

>>> from graph.examples import small_graph
>>> from graph.questions.reach import reach
>>> sheet = reach_sheet(reach(small_graph(), "phone number"))
>>> [c.key for c in sheet.columns][:5], sheet.rows[2]["path"]
(['company', 'label', 'iri', 'hops', 'certainty'], 'Facebook → Apple (device integration [read])')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from graph.records import Citation, FieldConflict, HolderBasis, Hop, RankRow, ReachRow, TableRow

if TYPE_CHECKING:
    from graph.questions.reach import ReachResult

HOLDER_BASIS: dict[HolderBasis, str] = {"stated": "stated", "implied": "implied by what it passes on"}
"""What each ``holder_basis`` value says to a reader."""


@dataclass(frozen=True)
class Note:
    """One remark on a row (``key`` for styling, ``text`` for reading); a cell shows its text.

    >>> str(Note("partial", "PARTIAL: only narrower types"))
    'PARTIAL: only narrower types'
    """

    key: str
    text: str

    def __str__(self) -> str:
        return self.text


Cell = str | int | float | bool | None | list[str] | list[Citation] | list[Note] | list[FieldConflict]
Kind = Literal["value", "sources", "disputes", "notes", "conflicts"]


@dataclass(frozen=True)
class Column:
    """A column: its record field (``key``, the CSV header), what people read (``header``),
    whether text/Markdown/HTML show it, what they show for None, and the kind of its cells
    (a value, a list of sources or of disputing claims, notes, or fields sources state
    differently)."""

    key: str
    header: str
    shown: bool = True
    unknown: str = ""
    kind: Kind = "value"


@dataclass
class Sheet:
    """An answer as rows and columns (see the module docstring); ``classes`` mark rows
    (``"disputed"``) for HTML."""

    title: str
    columns: list[Column]
    rows: list[dict[str, Cell]] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)

    @property
    def shown(self) -> list[Column]:
        """The columns people read."""
        return [c for c in self.columns if c.shown]


def _hidden(*keys: str) -> list[Column]:
    return [Column(k, k, shown=False) for k in keys]


REACH_COLUMNS = [*_hidden("company"), Column("label", "company"), *_hidden("iri"), Column("hops", "hops"),
                 Column("certainty", "certainty"),
                 *_hidden("partial", "holder", "holder_basis", "via_incident", "disputed", "undated"),
                 Column("path", "path"), Column("notes", "notes", kind="notes"),
                 Column("sources", "sources", kind="sources")]


def hop_text(hop: Hop) -> str:
    """One hop for a reader: where it leads, how, with which permissions, when.

    Parameters
    ----------
    hop : Hop
        A hop of a reach path.

    Returns
    -------
    str
        ``→ <to> (<integration or kind> [<permissions>], <from>–<stated end>)``.

    >>> hop = {"to_label": "Apple", "integration": None, "kind": "incident", "permissions": ["read"],
    ...        "valid_from": "2019", "stated_end": None}
    >>> hop_text(hop)
    '→ Apple (incident [read], 2019)'
    """
    how = hop["integration"] or hop["kind"]
    perms = f" [{', '.join(hop['permissions'])}]" if hop["permissions"] else ""
    dates = "–".join(d for d in (hop["valid_from"], hop["stated_end"]) if d)
    return f"→ {hop['to_label']} ({how}{perms}{', ' + dates if dates else ''})"


def path_text(row: ReachRow) -> str:
    """A reach row's path for a reader, or why a holder holds the data.

    Parameters
    ----------
    row : ReachRow
        A row of a reach answer.

    Returns
    -------
    str
        The first party's name and each hop (``hop_text``); for a holder, ``holds it (<basis>)``.

    >>> from graph.examples import small_graph
    >>> from graph.questions.reach import reach
    >>> [path_text(r) for r in reach(small_graph(), "phone number").rows][::2]
    ['holds it (stated)', 'Facebook → Apple (device integration [read])']
    """
    if not row["path"]:
        basis = row["holder_basis"]
        return "holds it" + ("" if basis is None else f" ({HOLDER_BASIS[basis]})")
    return " ".join([row["path"][0]["from_label"], *(hop_text(h) for h in row["path"])])


def reach_notes(row: ReachRow) -> list[Note]:
    """What a reader should know about a row: implied or partial, via an incident, undated,
    disputed (the access itself) or contested (one aspect of it).

    Parameters
    ----------
    row : ReachRow
        A row of a reach answer.

    Returns
    -------
    list of Note

    >>> from graph.examples import small_graph
    >>> from graph.questions.reach import reach
    >>> [str(n) for n in reach_notes(reach(small_graph(), "contact information").rows[-1])]
    ['PARTIAL: only narrower types', 'via an incident']
    """
    notes = [Note("implied", "IMPLIED: only a broader type stated")] if row["certainty"] == "implied" else []
    notes += [Note(key, text) for key, text in (("partial", "PARTIAL: only narrower types"),
                                                  ("via_incident", "via an incident"), ("undated", "dates unknown"))
              if row[key]]  # type: ignore[literal-required]
    origin = " ".join(part for part in (
        "from " + ", ".join(row.get("collected_from") or []) if row.get("collected_from") else "",
        "through " + ", ".join(row.get("collected_through") or []) if row.get("collected_through") else "") if part)
    if origin:
        notes.append(Note("collected", "collected " + origin))
    disputes = [d for h in row["path"] for d in h["disputes"]]
    if any(d["aspect"] is None for d in disputes):
        notes.append(Note("disputed", "DISPUTED"))
    aspects = sorted({d["aspect"] for d in disputes if d["aspect"] is not None})
    if aspects:
        notes.append(Note("disputed", "contested: " + ", ".join(aspects)))
    conflicts = [c for h in row["path"] for c in h.get("conflicts", [])]
    if conflicts:
        notes.append(Note("conflict", conflict_marker(conflicts)))
    if row["kind"] == "aggregate":
        count = row.get("party_count")
        counted = "" if count is None else f", {' '.join(filter(None, [row.get('count_qualifier'), str(count)]))}"
        notes.append(Note("aggregate", f"unnamed parties{counted}"))
    if "list_status" in row:
        notes.append(Note("list_status", f"on the list: {row['list_status']}"))
    return notes


CONFLICT_WORDS = {"valid_from": "start", "stated_end": "stated shutdown", "last_observed_active": "last seen active",
                  "on_by_default": "on by default", "activation": "user activation",
                  "overrode_privacy_setting": "overrode privacy setting", "feature_closed": "feature closed",
                  "affected": "affected count", "count_qualifier": "count qualifier", "exploited_feature": "exploited feature"}
"""How each field that sources can state differently reads in an answer (else its own name)."""


def conflict_marker(conflicts: Sequence[FieldConflict]) -> str:
    """The short mark of fields sources state differently (empty when none).

    >>> conflict_marker([{"field": "status", "values": []}, {"field": "valid_from", "values": []}])
    'sources disagree: status, start'
    """
    fields = dict.fromkeys(CONFLICT_WORDS.get(c["field"], c["field"]) for c in conflicts)
    return "sources disagree: " + ", ".join(fields) if fields else ""


def reach_sources(row: ReachRow) -> list[Citation]:
    """The citations behind a row: its holding facts' for a holder, else every hop's."""
    return row["holder_sources"] if row["holder"] and not row["path"] else [s for h in row["path"] for s in h["sources"]]


def reach_heading(result: ReachResult) -> str:
    """"Who could reach …", naming the words asked, and how they found a term when not by its
    own label or slug (an alias, a DPV-PD or fideslang mapping): a term is never widened.

    >>> from graph.examples import small_graph
    >>> from graph.questions.reach import reach
    >>> reach_heading(reach(small_graph(), "phone-number"))
    'Who could reach phone number'
    >>> reach_heading(reach(small_graph(), "Telephone number"))
    'Who could reach Telephone number (matched the alias telephone number of phone number)'
    >>> reach_heading(reach(small_graph(), "pd:TelephoneNumber"))
    'Who could reach pd:TelephoneNumber (the DPV-PD term of phone number)'
    """
    r = result.resolution
    if r is None or r.exact:
        return f"Who could reach {result.label}"
    how = {"alias": f"matched the alias {r.matched} of {r.label}",
           "DPV-PD close match": f"matched {r.label}, whose DPV-PD term is close to it, not the same",
           "fideslang": f"the fideslang key of {r.label}"}.get(r.resolved_by, f"the {r.resolved_by} term of {r.label}")
    return f"Who could reach {r.asked} ({how})"


FILTER_WORDS: dict[str, str] = {
    "as_of": "as of {}", "permissions": "permissions {}", "integrations": "integration {}",
    "through_ownership": "through ownership", "start": "from {}", "into": "into {}", "certainty": "at least {}",
    "on_by_default": "on by default: {}", "whose_data": "whose data: {}", "sources": "source {}",
    "source_before": "sources dated up to {}", "source_after": "sources dated from {}", "country": "country {}",
    "confidence": "claims at least {}", "read": "sources read at least {}", "site": "observed on {}",
    "companies": "company {}", "data_types": "data type {}", "statuses": "status {}", "within": "on the list {}",
    "sample": "betweenness from {} sampled sources",
}
"""How each filter of a question reads in an answer's heading."""


def filter_words(filters: Mapping[str, object]) -> str:
    """The filters a question was asked with, in words (empty when none).

    >>> filter_words({"as_of": "2017-06-01", "permissions": ["read"], "through_ownership": False, "country": None})
    'as of 2017-06-01; permissions read'
    >>> filter_words({"on_by_default": False, "whose_data": "users' friends"})
    "on by default: no; whose data: users' friends"
    """
    words = []
    for key, value in filters.items():
        if value is None or value is False and key != "on_by_default" or value == []:
            continue
        if isinstance(value, bool) and key == "on_by_default":
            value = "yes" if value else "no"
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        words.append(FILTER_WORDS.get(key, key + " {}").format(shown))
    return "; ".join(words)


def reach_title(result: ReachResult) -> str:
    """The heading of a reach answer: the term asked (``reach_heading``) and, in words, its filters.

    >>> from graph.examples import small_graph
    >>> from graph.questions.reach import reach
    >>> reach_title(reach(small_graph(), "phone number", as_of="2017-06-01", permissions=["read"]))
    'Who could reach phone number (filters: as of 2017-06-01; permissions read)'
    """
    active = filter_words(result.filters)
    return reach_heading(result) + (f" (filters: {active})" if active else "")


def reach_sheet(result: ReachResult) -> Sheet:
    """A reach answer's rows: one per party, nearest first, with its path, notes and sources.

    Parameters
    ----------
    result : ReachResult
        The answer of ``graph.questions.reach.reach``.

    Returns
    -------
    Sheet
        Columns ``REACH_COLUMNS``; ``company`` is the slug, ``label`` the name.

    >>> from graph.examples import small_graph
    >>> from graph.questions.reach import reach
    >>> sheet = reach_sheet(reach(small_graph(), "phone number"))
    >>> [(r["company"], r["hops"], r["certainty"], r["holder_basis"]) for r in sheet.rows]
    [('facebook', 0, 'stated', 'stated'), ('public', 1, 'stated', None), ('apple', 1, 'implied', None)]
    """
    rows: list[dict[str, Cell]] = [{
        "company": r["company"], "label": r["label"], "iri": r["iri"], "hops": r["hops"], "certainty": r["certainty"],
        "partial": r["partial"],
        "holder": r["holder"], "holder_basis": r["holder_basis"], "via_incident": r["via_incident"],
        "disputed": r["disputed"], "undated": r["undated"], "path": path_text(r), "notes": reach_notes(r),
        "sources": reach_sources(r)} for r in result.rows]
    return Sheet(reach_title(result), REACH_COLUMNS, rows,
                 ["disputed" if r["disputed"] else "" for r in result.rows])


TABLE_COLUMNS = [
    *_hidden("company"), Column("label", "company"), *_hidden("grantor"), Column("grantor_label", "grantor"),
    Column("integration", "integration"), Column("data_types", "data accessible"), Column("permissions", "permissions"),
    *_hidden("whose_data"), Column("activation", "user activation", unknown="unknown"),
    Column("overrode_privacy_setting", "overrode privacy setting", unknown="unknown"),
    Column("valid_from", "start", unknown="unknown"), Column("stated_end", "stated shutdown", unknown="unknown"),
    Column("last_observed_active", "last seen active", unknown="unknown"), Column("status", "status"),
    *_hidden("note"), Column("sources", "sources", kind="sources"), Column("disputes", "disputes", kind="disputes"),
    Column("conflicts", "sources disagree", kind="conflicts"), *_hidden("fact"),
]


def table_sheet(rows: Sequence[TableRow], *, filters: Mapping[str, object] | None = None) -> Sheet:
    """The partner table's rows: one per access grant, every field of ``TableRow``.

    Parameters
    ----------
    rows : list of TableRow
        The rows of ``graph.questions.table.partner_table``.
    filters : mapping, optional
        The filters it was asked with (``partner_table``'s keywords), named in words in
        the title (``filter_words``).

    Returns
    -------
    Sheet
        Columns ``TABLE_COLUMNS`` (the fields of ``TableRow``, in its order).

    >>> from graph.examples import small_graph
    >>> from graph.questions.table import partner_table
    >>> sheet = table_sheet(partner_table(small_graph(), companies=["Spotify"]))
    >>> [c.header for c in sheet.shown][:4], sheet.rows[0]["company"]
    (['company', 'grantor', 'integration', 'data accessible'], 'spotify')
    >>> table_sheet([], filters={"companies": ["Spotify"], "statuses": [], "on_by_default": True}).title
    'datareach partner table (filters: company Spotify; on by default: yes)'
    """
    active = filter_words(filters or {})
    return Sheet("datareach partner table" + (f" (filters: {active})" if active else ""), TABLE_COLUMNS, [{c.key: r[c.key] for c in TABLE_COLUMNS}  # type: ignore[literal-required]
                                                             for r in rows],
                 ["disputed" if r["disputes"] else "" for r in rows])


def rank_notes(rows: Sequence[RankRow]) -> list[str]:
    """What a reader must know about the places of ``rows`` (the shown part of a ranking): a
    first place shared (the measure does not tell those companies apart: their order is their
    names'), and a place cut in two by ``--top``. Empty when neither happens.

    >>> from graph.examples import small_graph
    >>> from graph.questions.rank import rank
    >>> for note in rank_notes(rank(small_graph(), by="betweenness", top=3)):
    ...     print(note)
    5 companies share place 1 (betweenness 0.0): nothing in these sources tells them apart; they are listed by name; --top shows 3 of them
    >>> for note in rank_notes(rank(small_graph(), by="pagerank", top=4)):
    ...     print(note)
    3 companies share place 1 (pagerank 0.177007): nothing in these sources tells them apart; they are listed by name
    2 companies share place 4: --top shows 1 of them
    >>> rank_notes(rank(small_graph(), by="reach"))
    []
    """
    if not rows:
        return []
    notes, first, last = [], rows[0], rows[-1]
    shown = sum(1 for r in rows if r["rank"] == last["rank"])
    cut = f"--top shows {shown:,} of them" if last["tied"] > shown else ""
    if first["tied"] > 1:
        notes.append(f"{first['tied']:,} companies share place 1 ({first['measure']} {first['score']}): nothing in these "
                     "sources tells them apart; they are listed by name" + (f"; {cut}" if cut and last["rank"] == 1 else ""))
    if cut and last["rank"] != 1:
        notes.append(f"{last['tied']:,} companies share place {last['rank']:,}: {cut}")
    return notes


def rank_sheet(rows: Sequence[RankRow], by: str, *, filters: Mapping[str, object] | None = None) -> Sheet:
    """Ranked companies: place, slug, name, score by ``by``, and its details.

    Parameters
    ----------
    rows : list of RankRow
        The rows of ``graph.questions.rank.rank``.
    by : str
        The measure they were ranked by (the score column's header).
    filters : mapping, optional
        How it was asked (``through_ownership``, ``sample``), named in words in the title.

    Returns
    -------
    Sheet

    >>> from graph.examples import small_graph
    >>> from graph.questions.rank import rank
    >>> sheet = rank_sheet(rank(small_graph(), by="reach", top=1), "reach")
    >>> [c.header for c in sheet.shown], sheet.rows[0]["score"]
    (['rank', 'company', 'reach', 'data types reached'], 11.5)
    >>> rank_sheet([], "pagerank", filters={"through_ownership": True, "sample": None}).title
    'Companies ranked by pagerank (filters: through ownership)'
    """
    active = filter_words(filters or {})
    columns = [Column("rank", "rank"), *_hidden("company"), Column("label", "company"), Column("score", by),
               *_hidden("measure"), Column("details", "data types reached" if by == "reach" else "details")]
    return Sheet(f"Companies ranked by {by}" + (f" (filters: {active})" if active else ""), columns, [{c.key: r[c.key] for c in columns}  # type: ignore[literal-required]
                                                        for r in rows])
