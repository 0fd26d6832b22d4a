"""Write an answer's :class:`~graph.present.answers.Sheet` as text, Markdown, CSV or HTML:
the one place each format is made, for the CLI and the server alike.

Citations are numbered footnotes in text and Markdown, written out whole in CSV and in
a standalone HTML page, and links in the server's pages (``html_cells``). Every cell goes
through the escaping of its format (``graph.present.formats``, ``graph.safetext``).

>>> from graph.examples import small_graph
>>> from graph.questions.rank import rank
>>> from graph.present.answers import rank_sheet
>>> print(sheet_csv(rank_sheet(rank(small_graph(), by="pagerank", top=2), "pagerank")), end="")
rank,company,label,score,measure,details
1,amazon,Amazon,0.177007,pagerank,
1,apple,Apple,0.177007,pagerank,
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from graph import textfit
from graph.present import formats
from graph.present.answers import CONFLICT_WORDS, Cell, Column, Note, Sheet, conflict_marker
from graph.present.locators import locator_list
from graph.records import Citation, FieldConflict, ListAnswer
from graph.safetext import cell, visible

if TYPE_CHECKING:
    from graph.questions.owner import OwnerAnswer
    from graph.questions.reach import ReachResult
    from graph.questions.types import TypeRow


def citation_text(c: Citation) -> str:
    """One citation written out: who disputes (for a disputing claim), publisher, date, locator, URL.

    Parameters
    ----------
    c : Citation

    Returns
    -------
    str

    >>> c = {"source": "s", "publisher": "Vice", "title": "T", "date": "2021", "url": "https://vice.com/x",
    ...      "locator": "¶3", "stance": "disputes", "confidence": "reported", "claimant": "Acme", "aspect": "consent",
    ...      "note": None}
    >>> citation_text(c)
    'disputed by Acme on consent: Vice 2021 ¶3 <https://vice.com/x>'
    """
    text = f"{c['publisher']} {c['date'] or ''} {c['locator'] or ''}{read_text(c)}" + (f" <{c['url']}>" if c["url"] else "")
    if c["stance"] == "disputes":
        text = f"disputed by {disputer(c)}: {text}"
    return " ".join(text.split())


def read_text(c: Citation) -> str:
    """`` (read through quotes in TheWrap, Music Ally)`` for a source not read directly, else ``""``.

    >>> read_text({"read": "through quotes", "read_via": [{"publisher": "TheWrap", "title": None, "date": None,
    ...                                                   "url": "https://thewrap.com/x"}]})
    ' (read through quotes in TheWrap)'
    """
    read = c.get("read")
    if not read or read == "directly":
        return ""
    via = ", ".join(dict.fromkeys(str(p.get("publisher")) for p in c.get("read_via") or []))
    return f" (read {read}" + (f" in {via})" if via else ")")


def disputer(c: Citation) -> str:
    """Who disputes, and on which aspect (none: the fact itself)."""
    return f"{c['claimant'] or c['publisher']}" + (f" on {c['aspect']}" if c["aspect"] else "")


def conflicts_text(conflicts: Sequence[FieldConflict]) -> str:
    """Fields sources state differently, written out: each value with its citations, newest first.

    >>> c = {"source": "s", "publisher": "Vice", "title": "T", "date": "2021", "url": "https://vice.com/x",
    ...      "locator": "¶3", "stance": "asserts", "confidence": "reported", "claimant": None, "aspect": None, "note": None}
    >>> conflicts_text([{"field": "status", "values": [{"value": "shut down", "fact": "f", "newest_date": "2021",
    ...                                                 "sources": [c]}]}])
    'status: shut down (Vice 2021 ¶3 <https://vice.com/x>)'
    """
    def value(v: object) -> str:
        return ", ".join(map(str, v)) if isinstance(v, list) else str(v)

    return " | ".join(f"{CONFLICT_WORDS.get(c['field'], c['field'])}: "
                      + " vs ".join(f"{value(v['value'])} ({citations_text(v['sources'])})" for v in c["values"])
                      for c in conflicts)


def citations_text(claims: Iterable[Citation]) -> str:
    """Citations written out, each once, ``; ``-separated."""
    return "; ".join(dict.fromkeys(citation_text(c) for c in claims))


class Footnotes:
    """Numbers each distinct source once, for the footnotes of a text or Markdown answer."""

    def __init__(self) -> None:
        self.numbers: dict[str | None, int] = {}
        self.sources: list[Citation] = []

    def ref(self, claims: Iterable[Citation]) -> str:
        """``[n] locator, locator; [m] locator``: each source once, in the order first cited,
        with its locators (``graph.present.locators.locator_list``: each once, rows of one file
        as runs, at most ``REF_LOCATORS`` of them, then how many more).

        >>> notes = Footnotes()
        >>> notes.ref([{"source": "a", "locator": "¶6"}, {"source": "b", "locator": None},
        ...            {"source": "a", "locator": "¶9"}, {"source": "a", "locator": "¶6"}])
        '[1] ¶6, ¶9; [2]'
        """
        by_number: dict[int, list[str]] = {}
        for c in claims:
            if c["source"] not in self.numbers:
                self.numbers[c["source"]] = len(self.numbers) + 1
                self.sources.append(c)
            by_number.setdefault(self.numbers[c["source"]], []).append(str(c.get("locator") or ""))
        return "; ".join(f"[{n}] {locator_list(locators)}".rstrip() for n, locators in by_number.items())

    def footer(self, width: int | None = None) -> str:
        """The numbered sources, one a line (wrapped to ``width``, see ``graph.textfit.fit``);
        each field made visible (``safetext.visible``)."""
        lines = ["", "Sources:"]
        for n, c in enumerate(self.sources, 1):
            publisher, title, date, url = (visible(" ".join(str(c[k] or "").split()))
                                           for k in ("publisher", "title", "date", "url"))
            lines.append(f"  [{n}] {publisher}, \"{title}\", {date or 'date unknown'}, {url or 'URL not known'}"
                         + visible(read_text(c)))
        return textfit.fit("\n".join(lines), width, hanging=4) if self.sources else ""

    def markdown_footer(self) -> str:
        """The numbered sources as a Markdown list; every field escaped (no HTML, links or images)."""
        lines = ["", "Sources:", ""]
        for n, c in enumerate(self.sources, 1):
            publisher, title = formats.markdown_text(c["publisher"]), formats.markdown_text(c["title"])
            date = formats.markdown_text(c["date"] or "date unknown")
            url = formats.markdown_url(str(c["url"])) if c["url"] else "URL not known"
            lines.append(f"- [{n}] {publisher}, \"{title}\", {date}, {url}" + (f" {formats.markdown_text(read_text(c).strip())}" if read_text(c) else ""))
        return "\n".join(lines) if self.sources else ""


def _for_people(column: Column, value: Cell, notes: Footnotes | None) -> Any:
    """A cell as a reader sees it: None as the column's ``unknown``, citations as footnote
    references (``notes``) or written out (no ``notes``)."""
    if value is None:
        return column.unknown
    if column.kind == "conflicts":
        return conflict_marker(value)  # type: ignore[arg-type]
    if column.kind in ("sources", "disputes"):
        claims: list[Citation] = value  # type: ignore[assignment]
        if notes is None:
            return citations_text(claims)
        if column.kind == "disputes":
            return "; ".join(dict.fromkeys(f"{disputer(c)} {notes.ref([c])}" for c in claims))
        return notes.ref(claims)
    return value


def _body(sheet: Sheet, notes: Footnotes | None) -> list[list[Any]]:
    return [[_for_people(c, row[c.key], notes) for c in sheet.shown] for row in sheet.rows]


def sheet_csv(sheet: Sheet) -> str:
    """Every column, headed by its field name; citations written out; cells spreadsheet-safe.

    Parameters
    ----------
    sheet : Sheet

    Returns
    -------
    str
        CSV text, one row per row of the sheet.
    """
    return "".join(csv_chunks(sheet.columns, sheet.rows))


def csv_chunks(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """``sheet_csv`` of rows with ``columns``, a few thousand rows at a time (``formats.csv_chunks``):
    a table written as its rows are made, never held whole. Each distinct citation is
    written out once (rows made to be written share their citation dicts, see
    ``graph.questions.table.partner_rows``; none may change while the rows are written).

    >>> from graph.examples import small_graph
    >>> from graph.present.answers import TABLE_COLUMNS
    >>> from graph.questions.table import partner_rows
    >>> "".join(csv_chunks(TABLE_COLUMNS, partner_rows(small_graph()))).splitlines()[1][:40]
    'amazon,Amazon,facebook,Facebook,device i'
    """
    written: dict[int, tuple[Citation, str]] = {}  # by id(): each citation kept alive, so no id is reused

    def cited(c: Citation) -> str:
        found = written.get(id(c))
        if found is None:
            found = written[id(c)] = (c, citation_text(c))
        return found[1]

    def citations(claims: Iterable[Citation]) -> str:
        return "; ".join(dict.fromkeys(cited(c) for c in claims))

    kinds = [(c.key, c.kind) for c in columns]

    def values(row: Mapping[str, Any]) -> list[Any]:
        return [citations(row[key]) if kind in ("sources", "disputes") else
                conflicts_text(row[key]) if kind == "conflicts" else row[key] for key, kind in kinds]

    return formats.csv_chunks([c.key for c in columns], (values(row) for row in rows))


def sheet_text(sheet: Sheet, *, width: int | None = None, notes: Footnotes | None = None) -> str:
    """The shown columns as an aligned text table, with numbered source footnotes.

    Parameters
    ----------
    sheet : Sheet
    width : int or None
        The most terminal cells a line may take: cells wrap at spaces, and a table too
        wide for its columns becomes one block per row (``graph.textfit.table``).
        None: every cell whole on one line.
    notes : Footnotes, optional
        Numbering to continue (its footer is then the caller's to write).

    Returns
    -------
    str

    >>> from graph.examples import small_graph
    >>> from graph.questions.rank import rank
    >>> from graph.present.answers import rank_sheet
    >>> print(sheet_text(rank_sheet(rank(small_graph(), by="pagerank", top=1), "pagerank")))
    rank  company  pagerank  details
    ----  -------  --------  -------
    1     Amazon   0.177007
    """
    own = notes is None
    notes = Footnotes() if notes is None else notes
    text = formats.text_table([c.header for c in sheet.shown], _body(sheet, notes), width=width)
    return text + (notes.footer(width) if own else "")


def sheet_report(sheet: Sheet, count: str, *, width: int | None = None) -> str:
    """A sheet for a terminal: its title (with its filters in words) and ``count`` as a heading,
    then the table and its numbered sources (``sheet_text``), fitted to ``width``.

    >>> from graph.examples import small_graph
    >>> from graph.questions.rank import rank
    >>> from graph.present.answers import rank_sheet
    >>> sheet = rank_sheet(rank(small_graph(), by="pagerank", top=1), "pagerank", filters={"through_ownership": True})
    >>> print(sheet_report(sheet, "top 1", width=40))
    Companies ranked by pagerank (filters:
      through ownership): top 1
    rank  company  pagerank  details
    ----  -------  --------  -------
    1     Amazon   0.177007
    """
    return textfit.fit(f"{sheet.title}: {count}", width) + "\n" + sheet_text(sheet, width=width)


def sheet_markdown(sheet: Sheet) -> str:
    """The shown columns as a Markdown table, then the numbered sources."""
    notes = Footnotes()
    table = formats.markdown_table([c.header for c in sheet.shown], _body(sheet, notes))
    return table + "\n" + notes.markdown_footer()


def sheet_html_page(sheet: Sheet) -> str:
    """The shown columns as a self-contained HTML page (citations written out)."""
    return formats.html_page(sheet.title, [c.header for c in sheet.shown], _body(sheet, None), row_classes=sheet.classes)


def citation_links(claims: Iterable[Citation]) -> str:
    """Citations as an HTML list; a source's URL is a link only when it is http(s)."""
    items = []
    for c in claims:
        text = ", ".join(str(v) for v in (c.get("publisher"), c.get("title"), c.get("date")) if v)
        who = f"{html.escape(disputer(c))}: " if c["stance"] == "disputes" else ""
        locator = f" ({_esc(c['locator'])})" if c.get("locator") else ""
        url = c.get("url") or ""
        label = _esc(text or c.get("source") or "source")
        if url.startswith(("https://", "http://")):
            label = f'<a href="{_esc(url)}" rel="noreferrer noopener">{label}</a>'
        items.append(f"<li>{who}{label}{locator}{_esc(read_text(c))}</li>")
    return "<ul>" + "".join(dict.fromkeys(items)) + "</ul>" if items else ""


def _esc(value: Any) -> str:
    return html.escape(cell(value), quote=True)


def html_cells(sheet: Sheet) -> list[list[str]]:
    """The shown columns' cells as HTML for a page's table: escaped text, citations as links,
    notes as badges (``<span class="badge KEY">``).

    Parameters
    ----------
    sheet : Sheet

    Returns
    -------
    list of list of str
        One list of cells (HTML) per row.
    """
    def one(column: Column, value: Cell) -> str:
        if column.kind in ("sources", "disputes"):
            return citation_links(value)  # type: ignore[arg-type]
        if column.kind == "conflicts":
            marker = conflict_marker(value)  # type: ignore[arg-type]
            return f'<span class="badge conflict">{_esc(marker)}</span>' if marker else ""
        if column.kind == "notes":
            notes: Sequence[Note] = value  # type: ignore[assignment]
            return "".join(f'<span class="badge {_esc(n.key)}">{_esc(n.text)}</span>' for n in notes)
        return _esc(column.unknown if value is None else value)

    return [[one(c, row[c.key]) for c in sheet.shown] for row in sheet.rows]


def _one_line(text: str) -> str:
    """``text`` on one line, its control and bidi characters made visible."""
    return visible(" ".join(text.split()))


def reach_text(result: ReachResult, sheet: Sheet, *, width: int | None = None) -> str:
    """A reach answer for a terminal: a heading, its sheet, the disputes, numbered sources.

    Parameters
    ----------
    result : ReachResult
    sheet : Sheet
        ``answers.reach_sheet(result)``.
    width : int or None
        The most terminal cells a line may take (``graph.textfit``); None: whole lines.

    Returns
    -------
    str

    >>> from graph.examples import small_graph
    >>> from graph.questions.reach import reach
    >>> from graph.present.answers import reach_sheet
    >>> result = reach(small_graph(), "phone number", through_ownership=True)
    >>> print(reach_text(result, reach_sheet(result), width=40).splitlines()[0])
    Who could reach phone number (filters:
    """
    notes = Footnotes()
    shown = "" if len(sheet.rows) == result.total else f" (the first {len(sheet.rows)} shown; --limit 0 shows all)"
    parties = f"{result.total} part{'y' if result.total == 1 else 'ies'}"
    head = textfit.fit(_one_line(f"{sheet.title}: {parties}{shown}"), width) + "\n"
    table = sheet_text(sheet, width=width, notes=notes)
    disputes = ["  " + _one_line(f"{h['to_label']} ({h['fact']}): disputed by {d['claimant'] or d['publisher']}"
                                 + (f" on {d['aspect']}" if d["aspect"] else " (the access itself)") + f": {notes.ref([d])}")
                for r in result.rows for h in r["path"] for d in h["disputes"]]
    extra = "\n\nDisputes:\n" + textfit.fit("\n".join(dict.fromkeys(disputes)), width, hanging=2) if disputes else ""
    hint = textfit.fit("Every hop's dates, permissions and sources: --format json", width)
    return head + table + extra + notes.footer(width) + "\n\n" + hint


def owner_text(answer: OwnerAnswer, *, width: int | None = None) -> str:
    """Who ultimately owns a name, each chain with its footnoted evidence, fitted to ``width``
    terminal cells (``graph.textfit``; None: whole lines).

    >>> from graph.examples import small_graph
    >>> from graph.questions.owner import ultimate_owner
    >>> print(owner_text(ultimate_owner(small_graph(), "Spotify")).splitlines()[0])
    Ultimate owner of Spotify: Example Holdings
    """
    notes = Footnotes()
    lines = []
    if answer.domain is not None:
        ops = ", ".join(answer.domain["operator_labels"])
        lines.append(_one_line(f"{answer.domain['domain']} is operated by {ops} {notes.ref(answer.domain['evidence'])}"))
    for chain, start in zip(answer.chains, answer.starts, strict=True):
        if not chain:
            lines.append(_one_line(f"{start}: no owner recorded (it is its own ultimate owner here)"))
            continue
        steps = " → ".join([chain[0]["owned_label"], *(h["owner_label"] for h in chain)])
        refs = "; ".join(notes.ref(h["evidence"]) for h in chain)
        lines.append(_one_line(steps) + "   " + _one_line(refs))
    for conflict in answer.conflicts:
        lines.append(_one_line(f"CONFLICT: sources disagree on who owns {conflict['owned_label']} (newest first):"))
        lines += ["  " + _one_line(f"{c['owner_label']}, {c['newest_date'] or 'date unknown'} {notes.ref(c['sources'])}")
                  for c in conflict["claims"]]
    head = _one_line(f"Ultimate owner of {answer.query}: {', '.join(answer.ultimate)}"
                     + (" (sources disagree)" if answer.conflicts else ""))
    return textfit.fit("\n".join([head, *lines]), width) + notes.footer(width)


def types_text(rows: Sequence[TypeRow], *, width: int | None = 80) -> str:
    """A taxonomy tree for a terminal, indented two spaces a level, fitted to ``width`` terminal
    cells (``graph.textfit``; None: whole lines): each concept's label and slug, then its alt
    labels and mappings (or "minted").

    >>> from graph.questions.types import type_tree
    >>> from graph.model.taxonomy import DT_NS, Concept, Taxonomy
    >>> tax = Taxonomy("data type", [Concept("name", DT_NS + "name", "name", fideslang="user.name")])
    >>> print(types_text(type_tree(tax)))
    name (name)
        fideslang user.name
    """
    lines = []
    for r in rows:
        pad = "  " * r["depth"]
        mark = "" if r["matched"] else "  [ancestor]"
        lines += textfit.fit_line(pad + f"{r['label']} ({r['slug']}){mark}", width, hanging=4)
        maps = [*r["dpv_pd"], *(f"close to {m}" for m in r["dpv_pd_close"]),
                *([f"fideslang {r['fideslang']}"] if r["fideslang"] else []), *(["minted"] if r["minted"] else [])]
        for head, items in (("also", r["alt_labels"]), ("", maps)):
            if items:
                text = (head + ": " if head else "") + ", ".join(items)
                lines += textfit.fit_line(pad + "    " + text, width, hanging=2)
    return "\n".join(lines)


def lists_text(answers: Sequence[ListAnswer], *, members: bool, width: int | None = None) -> str:
    """Named lists for a reader: each list's name, the count its source states, the members
    named and how many have each status; with ``members``, the claims disputing the list and
    each member with its status and evidence. Sources are footnoted. Lines are fitted to
    ``width`` terminal cells (``graph.textfit``; None: whole lines).

    >>> answer = {"id": "l", "label": "Two partners", "date": "2018-06", "note": None, "stated_count": 3, "total": 2,
    ...           "by_status": {"ended": 1, "unknown": 1}, "sources": [], "disputes": [], "members": []}
    >>> print(lists_text([answer], members=False))
    Two partners (l), 2018-06: 3 stated, 2 named; ended 1, unknown 1
    """
    if not answers:
        return "No named lists in the fact files."
    notes = Footnotes()
    lines = []
    for a in answers:
        stated = "count not stated" if a["stated_count"] is None else f"{a['stated_count']} stated"
        counts = ", ".join(f"{status} {n}" for status, n in a["by_status"].items())
        refs = notes.ref(a["sources"])
        date = f", {a['date']}" if a["date"] else ""
        disputed = notes.ref(a["disputes"]) if members else ""
        lines.append(_one_line(f"{a['label']} ({a['id']}){date}: {stated}, {a['total']} named; {counts}")
                     + (f"   {_one_line(refs)}" if refs and members else "")
                     + (f"   disputed: {_one_line(disputed)}" if disputed else ""))
        if members:
            for m in a["members"]:
                dispute = f"   disputed: {_one_line(notes.ref(m['disputes']))}" if m["disputes"] else ""
                lines.append(f"  {_one_line(m['label'])}: {m['status']}   {_one_line(notes.ref(m['sources']))}{dispute}")
    return textfit.fit("\n".join(lines), width) + (notes.footer(width) if members else "")
