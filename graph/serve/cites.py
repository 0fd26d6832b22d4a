"""Citations on a page as numbered footnotes, and badges that name who disputes what.

A page lists each source once, at the bottom (publisher, title, date, URL and every
locator cited); rows carry only ``[n]`` links to it, with the locators they cite. A
dispute badge names each disputing party once, with what it disputes.

>>> notes = PageNotes()
>>> c = {"source": "s", "publisher": "Vice", "title": "<T>", "date": "2021", "url": "https://vice.com/x",
...      "locator": '¶3 ("a quote")', "stance": "disputes", "claimant": "Acme", "aspect": None}
>>> notes.refs([c])
'<a class="fn" href="#src-1">[1]</a>\\xa0¶3'
>>> dispute_badges([c])
'<span class="badge disputed">disputed by Acme: the access itself</span>'
>>> "&lt;T&gt;" in notes.section()
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from graph.present.company import dispute_words
from graph.present.locators import locator_list
from graph.records import Citation
from graph.serve.html import esc

SOURCE_LOCATORS = 100  # locators (or runs of rows) a source's footnote lists ("Cited at: …")


class PageNotes:
    """Numbers each source once per page, in the order first cited, with the locators cited."""

    def __init__(self) -> None:
        self.numbers: dict[str | None, int] = {}
        self.sources: list[Citation] = []
        self.locators: dict[int, dict[str, None]] = {}  # each source's locators, in the order first cited

    def number(self, c: Citation) -> int:
        """The source's footnote number (numbered on first use), its locator recorded (once:
        a crawl's source is cited at tens of thousands of rows on one page)."""
        n = self.numbers.get(c["source"])
        if n is None:
            n = self.numbers[c["source"]] = len(self.numbers) + 1
            self.sources.append(c)
            self.locators[n] = {}
        locator = " ".join(str(c.get("locator") or "").split())
        if locator:
            self.locators[n].setdefault(locator)
        return n

    def refs(self, claims: Iterable[Citation], *, compact: bool = False) -> str:
        """``[n] ¶6, ¶10`` links, each source once, each with the locators cited (without their
        quotations); ``compact``: ``[n]`` alone, the locators in its tooltip (and in the footnote)."""
        by_number: dict[int, dict[str, None]] = {}  # locators in the order cited, each once
        for c in claims:
            found = by_number.setdefault(self.number(c), {})
            short = str(c.get("locator") or "").split(' ("')[0].strip()
            if short:
                found.setdefault(short)
        if compact:
            return " ".join(f'<a class="fn" href="#src-{n}" title="{esc(locator_list(locs))}">[{n}]</a>'
                            for n, locs in by_number.items())
        return " ".join(f'<a class="fn" href="#src-{n}">[{n}]</a>' + (f"\xa0{esc(locator_list(locs))}" if locs else "")
                        for n, locs in by_number.items())

    def section(self) -> str:
        """The numbered list of sources for the page's foot (empty when nothing was cited)."""
        if not self.sources:
            return ""
        items = []
        for n, c in enumerate(self.sources, 1):
            title = f"“{esc(c['title'])}”" if c.get("title") else esc(c.get("source") or "untitled source")
            url = str(c.get("url") or "")
            link = (f' <a href="{esc(url)}" rel="noreferrer noopener">{esc(url)}</a>'
                    if url.startswith(("https://", "http://")) else (f" {esc(url)}" if url else ""))
            cited = esc(locator_list(self.locators[n], SOURCE_LOCATORS, "; "))
            items.append(f'<li id="src-{n}" value="{n}">{esc(c.get("publisher") or "")}, {title}, '
                         f"{esc(c.get('date') or 'date unknown')}.{link}"
                         + (f'<span class="cited"> Cited at: {cited}</span>' if cited else "") + "</li>")
        return f'<section class="sources" id="sources"><h2>Sources</h2><ol>{"".join(items)}</ol></section>'


def dispute_badges(claims: Sequence[Citation], *, itself: str = "the access itself") -> str:
    """One badge per disputing party: ``disputed by <who>: <what>`` (escaped)."""
    return "".join(f'<span class="badge disputed">{esc(words)}</span>' for words in dispute_words(claims, itself=itself))


def folded(text: str, *, limit: int = 90) -> str:
    """``text`` escaped; longer than ``limit`` characters, folded in a ``<details>`` whose summary
    is its start, cut at a word boundary.

    >>> folded("short")
    'short'
    >>> folded("word " * 30, limit=12)[:51]
    '<details class="long"><summary>word word…</summary>'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return esc(text)
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return f'<details class="long"><summary>{esc(cut)}…</summary>{esc(text)}</details>'
