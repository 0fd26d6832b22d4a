"""What a figure draws, before any geometry: boxes in columns, links, citations, words.

A ``Scene`` is made by ``graph.viz.figure.reach_view`` or ``graph.viz.figure.company_view``
and drawn by ``graph.viz.figure.svg``. Boxes carry the keys of the sources behind them
(``cites``); the drawing numbers those sources in reading order, so the same scene always
gets the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graph.names import suspicious
from graph.viz.figure.text import clean

KINDS = ("holder", "party", "public", "centre", "group")
"""What a box is: a holder of the data type, a party it reached, the public (an open dump),
the company a view centres on, or a group of folded parties."""


@dataclass
class Box:
    """A party (or a folded group of parties) drawn as one box."""

    key: str
    label: str
    kind: str
    column: int = 0
    note: str = ""  # a second line: how it got the data, or what a group holds
    cites: list[str] = field(default_factory=list)
    weight: float = 0.0  # larger first within a column
    lookalike: bool = False

    def __post_init__(self) -> None:
        self.label = clean(self.label, 120)
        self.note = clean(self.note, 160)


@dataclass
class Link:
    """An arrow from one box to another: how sure, disputed, contested, ownership, and its words."""

    source: str
    target: str
    certainty: str = "stated"  # stated, implied, partial
    disputed: bool = False  # the access itself is disputed: drawn dashed, and only then
    contested: bool = False  # one aspect of it is disputed
    ownership: bool = False
    label: str = ""  # drawn on the arrow (chain figures)
    cites: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.label = clean(self.label, 120)


@dataclass
class Scene:
    """A whole figure's content; ``chain`` draws words on the arrows instead of under the boxes."""

    title: str
    caption: list[str]
    boxes: list[Box] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # source key -> "publisher, date"
    folded_sources: dict[str, str] = field(default_factory=dict)  # behind folded parties only
    chain: bool = False
    view: str = "reach"  # "into" (who could send it into a company) or "company": words of the legend
    empty: str = ""  # what to say when there is nothing to draw


def source_key(citation: Mapping[str, object]) -> str:
    """A stable key for a cited source: its id, else its publisher, title and date."""
    ident = citation.get("source")
    if ident:
        return str(ident)
    return "|".join(str(citation.get(k) or "") for k in ("publisher", "title", "date"))


def source_text(citation: Mapping[str, object]) -> str:
    """How the credit line names a source: "publisher, date" (the title when no publisher).

    >>> source_text({"publisher": "The New York Times", "date": "2018-12-18", "title": "x"})
    'The New York Times, 2018-12-18'
    """
    who = citation.get("publisher") or citation.get("title") or citation.get("source") or "unnamed source"
    when = citation.get("date")
    return clean(f"{who}, {when}" if when else str(who), 140)


def cite(scene: Scene, citations: Iterable[Mapping[str, object]], *, folded: bool = False) -> list[str]:
    """Record the asserting sources of ``citations`` in the scene; return their keys (sorted, unique)."""
    keys = []
    for c in citations:
        if c.get("stance") not in (None, "asserts"):
            continue
        key = source_key(c)
        if not folded:
            scene.sources.setdefault(key, source_text(c))
            scene.folded_sources.pop(key, None)
        elif key not in scene.sources:
            scene.folded_sources.setdefault(key, source_text(c))
        keys.append(key)
    return sorted(set(keys))


def lookalike(label: str) -> bool:
    """Whether a name deserves a second look (hidden characters, mixed scripts)."""
    return suspicious(label[:2000]) is not None


def span(start: object, end: object) -> str:
    """A date range in ISO words: ``2010–2018``, ``from 2010``, ``until 2018`` or empty.

    >>> span("2010", "2018-04"), span("2010", None), span(None, None)
    ('2010–2018-04', 'from 2010', '')
    """
    if start and end:
        return f"{start}–{end}"
    if start:
        return f"from {start}"
    return f"until {end}" if end else ""


def sentence(text: str) -> str:
    """``text`` ending in one full stop (a name may end in one already: "Facebook, Inc.").

    >>> sentence("Made by Facebook, Inc."), sentence("No filters")
    ('Made by Facebook, Inc.', 'No filters.')
    """
    return text if text.endswith((".", "!", "?")) else text + "."


def count_words(n: int, one: str, many: str) -> str:
    """``1 party``, ``1,310 parties``.

    >>> count_words(1310, "party", "parties")
    '1,310 parties'
    """
    return f"{n:,} {one if n == 1 else many}"
