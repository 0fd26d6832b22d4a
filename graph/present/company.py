"""A company profile for readers: text, Markdown and CSV (``datareach company``, ``/company/<id>``),
and the one wording of who disputes what (badges and lines name each disputing party once).

>>> from graph.examples import small_graph
>>> from graph.questions.company import company_profile
>>> print(company_text(company_profile(small_graph(), "Amazon")).splitlines()[0])
Amazon (amazon), company
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from graph import textfit
from graph.present import formats
from graph.present.answers import Cell, Column, Sheet
from graph.present.locators import locator_list
from graph.present.sheets import Footnotes, sheet_csv
from graph.records import Citation, GrantRow
from graph.safetext import visible

if TYPE_CHECKING:
    from graph.questions.company import CompanyProfile, Counted, ObservedGroup


def dispute_words(claims: Iterable[Citation], *, itself: str = "the access itself") -> list[str]:
    """Who disputes what, each disputing party once: ``disputed by <who>: <aspects>``.

    A claim with no aspect disputes the fact itself (``itself``); the party is the
    claimant, else the source's publisher.

    Parameters
    ----------
    claims : iterable of Citation
        Disputing claims (others are skipped).
    itself : str
        What a dispute of the whole fact is called.

    Returns
    -------
    list of str
        One line per disputing party, in the order first met.

    >>> c = {"stance": "disputes", "claimant": "Netflix", "publisher": "NYT", "aspect": "use of data"}
    >>> dispute_words([c, {**c, "aspect": None}, c, {**c, "claimant": "RBC"}])
    ['disputed by Netflix: use of data, the access itself', 'disputed by RBC: use of data']
    """
    by_party: dict[str, list[str]] = {}
    for c in claims:
        if c.get("stance") != "disputes":
            continue
        who = " ".join(str(c.get("claimant") or c.get("publisher") or "an unnamed party").split())
        aspects = by_party.setdefault(who, [])
        aspect = c.get("aspect") or itself
        if aspect not in aspects:
            aspects.append(aspect)
    return [f"disputed by {who}: {', '.join(aspects)}" for who, aspects in by_party.items()]


def _grant_words(r: GrantRow, *, incoming: bool) -> str:
    other = f"from {r['grantor_label']}" if incoming else f"to {r['label']}"
    perms = f" [{', '.join(r['permissions'])}]" if r["permissions"] else ""
    dates = "–".join(d or "?" for d in (r["valid_from"], r["stated_end"])) if r["valid_from"] or r["stated_end"] else ""
    parts = [r["integration"] or "grant", ", ".join(r["data_types"]) + perms, dates, r["status"]]
    return f"{other}: " + "; ".join(p for p in parts if p)


def short_refs(notes: Footnotes, claims: Iterable[Citation]) -> str:
    """Footnote references grouped by source: ``[1] ¶6, ¶10; [2] p. 3`` (each locator up to its
    quotation; rows of one file as runs, see ``graph.present.locators``).

    >>> notes = Footnotes()
    >>> c = {"source": "s", "locator": '¶10 ("a quote")'}
    >>> short_refs(notes, [c, {**c, "locator": "¶6"}, {**c, "source": "t", "locator": None}])
    '[1] ¶10, ¶6; [2]'
    """
    by_number: dict[int, list[str]] = {}
    for c in claims:
        if c.get("source") not in notes.numbers:
            notes.ref([c])  # numbers its source
        locator = str(c.get("locator") or "").split(' ("')[0].strip()
        by_number.setdefault(notes.numbers[c.get("source")], []).append(locator)
    return "; ".join(f"[{n}] {locator_list(locs)}".strip() for n, locs in by_number.items())


def _sections(p: CompanyProfile, ref: Callable[[Sequence[Citation]], str]) -> list[tuple[str, list[str]]]:
    """The profile's sections as (heading, lines), each line ending in its footnote references."""
    def cited(text: str, claims: Sequence[Citation]) -> str:
        refs = ref(claims)
        return f"{text}   {refs}" if refs else text

    held = [cited(", ".join(h["data_types"]) + _how(h["integration"], h["collected_from"], h["whose_data"])
                  + "".join(f"; {k} {h[f]}" for k, f in (("tracker", "tracker"), ("observed", "observed"))  # type: ignore[literal-required]
                            if h.get(f)),
                  h["sources"]) for h in p.holds if not h["site"]]
    observed = observed_claims(p)
    held += [line for i, g in enumerate(p.observed) for line in observed_lines(g, ref(observed[i]))]
    owners = [cited(" → ".join([chain[0]["owned_label"], *(h["owner_label"] for h in chain)]),
                    [c for h in chain for c in h["evidence"]]) for chain in p.owners]
    owners += [cited(f"sources disagree on who owns {c['owned_label']}: " + " vs ".join(o["owner_label"] for o in c["claims"]),
                     [s for o in c["claims"] for s in o["sources"]]) for c in p.owner_conflicts]
    incidents = [cited(f"{i['label'] or i['fact']} ({'its data reached it from' if i['role'] == 'received' else 'exposed its data to'} "
                       f"{i['other_label']}): {', '.join(i['data_types'])}"
                       + "".join(f"; {k} {v}" for k, v in (("occurred", i["occurred"]), ("affected", i["affected"])) if v),
                       i["sources"]) for i in p.incidents]
    lists = [cited(f"{m['list_label']}{', ' + m['date'] if m['date'] else ''}: {m['status']}", m["sources"]) for m in p.lists]
    disputes = [cited(f"{d['about']}: disputed by {d['claimant']}" + (f" on {d['aspect']}" if d["aspect"] else " (the fact itself)"),
                      [d["citation"]]) for d in p.disputes]
    return [
        ("Owned by", owners), ("Holds", held),
        (f"Receives ({len(p.receives)} {'grant' if len(p.receives) == 1 else 'grants'})", [cited(_grant_words(r, incoming=True), r["sources"]) for r in p.receives]),
        (f"Grants ({len(p.grants)})", [cited(_grant_words(r, incoming=False), r["sources"]) for r in p.grants]),
        ("Incidents", incidents), ("On named lists", lists),
        ("Owns", [cited(o["label"], o["sources"]) for o in p.owns]), ("Disputes", disputes),
    ]


def _how(integration: str | None, collected_from: Sequence[str], whose_data: Sequence[str]) -> str:
    """``; through X; from Y; whose data: Z`` (the parts stated)."""
    return "".join(f"; {k} {', '.join(v)}" for k, v in (("through", [integration] if integration else []),
                                                        ("from", collected_from), ("whose data:", whose_data)) if v)


def _counts(items: Sequence[Counted], limit: int) -> str:
    """``a 12, b 3`` for the first ``limit``, then how many more."""
    text = ", ".join(f"{c['name']} {c['observations']:,}" for c in items[:limit])
    return text + (f" and {len(items) - limit:,} more" if len(items) > limit else "")


OBSERVED_NAMES = 10
"""Trackers and sites a summed-up group names in text and Markdown (the JSON names every tracker)."""


def observed_lines(g: ObservedGroup, refs: str) -> list[str]:
    """An ``ObservedGroup`` for a reader: one line saying what, how many, where, when and on whose
    evidence (``refs``), then its data types (when they differ between observations), its trackers
    and the sites with the most observations, indented under it.

    >>> g = {"integration": "tracking", "collected_from": ["users of sites that embed it"], "whose_data": [],
    ...      "observations": 3, "sites": 2, "first": "2017-05", "last": "2018-04", "disputed": 0,
    ...      "data_types": [{"name": "pages visited", "observations": 3}], "sources": ["wtm"],
    ...      "trackers": [{"name": "gtm", "observations": 2}, {"name": "ga", "observations": 1}],
    ...      "top_sites": [{"name": "a.com", "observations": 2}, {"name": "b.com", "observations": 1}]}
    >>> print("\\n".join(observed_lines(g, "[1] f.csv rows 4–6")))
    pages visited; through tracking; from users of sites that embed it: 3 observations on 2 sites, 2017-05 to 2018-04, by 2 trackers   [1] f.csv rows 4–6
      trackers: gtm 2, ga 1
      sites with the most observations: a.com 2, b.com 1
    """
    when = "" if g["first"] is None else f", {g['first']}" + ("" if g["last"] == g["first"] else f" to {g['last']}")
    trackers = len(g["trackers"])
    head = (", ".join(c["name"] for c in g["data_types"]) + _how(g["integration"], g["collected_from"], g["whose_data"])
            + f": {g['observations']:,} {'observation' if g['observations'] == 1 else 'observations'} on "
            f"{g['sites']:,} {'site' if g['sites'] == 1 else 'sites'}{when}"
            + (f", by {trackers:,} {'tracker' if trackers == 1 else 'trackers'}" if trackers else "")
            + (f", {g['disputed']:,} disputed" if g["disputed"] else ""))
    lines = [f"{head}   {refs}" if refs else head]
    if any(c["observations"] != g["observations"] for c in g["data_types"]):
        lines.append("  data types: " + _counts(g["data_types"], len(g["data_types"])))
    if trackers:
        lines.append("  trackers: " + _counts(g["trackers"], OBSERVED_NAMES))
    if g["sites"] > 1:
        more = g["sites"] - min(len(g["top_sites"]), OBSERVED_NAMES)
        lines.append("  sites with the most observations: " + _counts(g["top_sites"], OBSERVED_NAMES)
                     + (f" and {more:,} more" if more > 0 else ""))
    return lines


def observed_claims(p: CompanyProfile) -> list[list[Citation]]:
    """Each ``ObservedGroup``'s claims (asserting and disputing), in the profile's order of groups."""
    keys = {(g["integration"], tuple(g["collected_from"]), tuple(g["whose_data"])): i for i, g in enumerate(p.observed)}
    claims: list[list[Citation]] = [[] for _ in p.observed]
    for h in p.holds:
        if h["site"]:
            claims[keys[(h["integration"], tuple(h["collected_from"]), tuple(h["whose_data"]))]] += h["sources"] + h["disputes"]
    return claims


def _heading(p: CompanyProfile) -> list[str]:
    head = [f"{p.label} ({p.company}), {p.kind}" + (f", country {p.country}" if p.country else "")]
    if p.aliases:
        head.append("Also known as: " + ", ".join(p.aliases))
    if p.ultimate_owners:
        head.append("Ultimate owner: " + ", ".join(p.ultimate_owners))
    return head


def company_text(profile: CompanyProfile, width: int | None = None) -> str:
    """A profile for a terminal: a heading, one section per kind of fact (empty ones left
    out), each line with its numbered sources, then the sources; control characters made visible,
    lines fitted to ``width`` terminal cells (``graph.textfit``; None: whole lines).

    Parameters
    ----------
    profile : CompanyProfile
        The answer of ``graph.questions.company.company_profile``.
    width : int, optional
        The terminal's width.

    Returns
    -------
    str
    """
    notes = Footnotes()
    lines = [visible(" ".join(h.split())) for h in _heading(profile)]
    for title, items in _sections(profile, lambda claims: short_refs(notes, claims)):
        if items:
            lines += ["", f"{title}:"] + [("    " if i.startswith("  ") else "  ") + visible(" ".join(i.split()))
                                           for i in items]  # "  …": a line under the one before
    if len(lines) == len(_heading(profile)):
        lines += ["", "No fact names it."]
    return textfit.fit("\n".join(lines), width, hanging=4) + notes.footer(width)


def company_markdown(profile: CompanyProfile) -> str:
    """A profile as Markdown: a heading, a bulleted section per kind of fact, the sources; every value escaped."""
    notes = Footnotes()
    head = _heading(profile)
    lines = [f"# {formats.markdown_text(head[0])}", *(f"\n{formats.markdown_text(h)}" for h in head[1:])]
    for title, items in _sections(profile, lambda claims: short_refs(notes, claims)):
        if items:
            lines += ["", f"## {formats.markdown_text(title)}", ""] + [
                f"{'  - ' if i.startswith('  ') else '- '}{formats.markdown_text(i.strip())}" for i in items]
    return "\n".join(lines) + "\n" + notes.markdown_footer()


PROFILE_COLUMNS = [Column("relation", "relation"), Column("party", "party"), Column("party_label", "other party"),
                   Column("fact", "fact"), Column("what", "what"), Column("site", "site"), Column("tracker", "tracker"),
                   Column("observed", "observed"), Column("share", "share of page loads"), Column("status", "status"),
                   Column("sources", "sources", kind="sources"), Column("disputes", "disputes", kind="disputes")]


def company_sheet(profile: CompanyProfile) -> Sheet:
    """A profile as rows, one per fact (holds, receives, grants, incident, list, owned by, owns), for CSV.

    >>> from graph.examples import small_graph
    >>> from graph.questions.company import company_profile
    >>> sheet = company_sheet(company_profile(small_graph(), "Amazon"))
    >>> [(r["relation"], r["party_label"]) for r in sheet.rows]
    [('receives', 'Facebook')]
    """
    p = profile
    rows: list[dict[str, Cell]] = []

    def add(relation: str, party: str, label: str, fact: str, what: str, status: str,
            sources: list[Citation], disputes: list[Citation], **where: Cell) -> None:
        rows.append({"relation": relation, "party": party, "party_label": label, "fact": fact, "what": what,
                     "site": None, "tracker": None, "observed": None, "share": None, **where,
                     "status": status, "sources": sources, "disputes": disputes})

    for h in p.holds:
        add("holds", p.company, p.label, h["fact"], ", ".join(h["data_types"]), "", h["sources"], h["disputes"],
            site=h["site"], tracker=h["tracker"], observed=h["observed"] or h["valid_from"], share=h["share"])
    for r in p.receives:
        add("receives", r["grantor"], r["grantor_label"], r["fact"], _grant_words(r, incoming=True), r["status"],
            r["sources"], r["disputes"])
    for r in p.grants:
        add("grants", r["company"], r["label"], r["fact"], _grant_words(r, incoming=False), r["status"], r["sources"],
            r["disputes"])
    for i in p.incidents:
        add(f"incident ({i['role']})", i["other"], i["other_label"], i["fact"], ", ".join(i["data_types"]), "",
            i["sources"], i["disputes"])
    for m in p.lists:
        add("on list", m["list"], m["list_label"], m["list"], m["note"] or "", m["status"], m["sources"], m["disputes"])
    for hop in {chain[0]["fact"]: chain[0] for chain in p.owners}.values():
        add("owned by", hop["owner"], hop["owner_label"], hop["fact"], "", "",
            [c for c in hop["evidence"] if c["stance"] != "disputes"], [c for c in hop["evidence"] if c["stance"] == "disputes"])
    for o in p.owns:
        add("owns", o["company"], o["label"], o["fact"], "", "", o["sources"], o["disputes"])
    return Sheet(f"{p.label}: every fact that names it", PROFILE_COLUMNS, rows)


def company_csv(profile: CompanyProfile) -> str:
    """``company_sheet`` as CSV (citations written out, cells spreadsheet-safe)."""
    return sheet_csv(company_sheet(profile))
