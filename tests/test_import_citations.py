"""An importer that names one company on many rows of the same place cites that place once
(``graph.importers.common.Doc.company``): a company's evidence lists each distinct citation,
never the same one again (WhoTracks.me cited Google once per tracker before its own fix)."""

from __future__ import annotations

from graph.importers.common import Doc


def _doc() -> Doc:
    return Doc({"id": "src", "publisher": "P", "title": "T", "date": "2020", "url": "https://example.org/t"})


def test_the_same_place_is_cited_once() -> None:
    doc = _doc()
    for _ in range(3):
        doc.company("Example Corp", "table trackers, company example")
    (entry,) = doc.companies.values()
    assert entry.evidence == [{"source": "src", "locator": "table trackers, company example"}]


def test_each_distinct_place_is_kept_in_order() -> None:
    doc = _doc()
    for locator in ("row 2", "row 9", "row 2", "row 5"):
        doc.company("Example Corp", locator)
    (entry,) = doc.companies.values()
    assert [e["locator"] for e in entry.evidence] == ["row 2", "row 9", "row 5"]
