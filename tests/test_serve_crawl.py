"""The server on a crawl-shaped build: one source cited at hundreds of rows, holders with many holdings.

The WhoTracks.me build (435,440 holdings citing one source) made the reach page take 6.5 s,
most of it checking each locator against a list of those already cited, and weigh 3.2 MB for
one month (26 MB for all twelve). A page lists the first locators of each citation and says how
many more there are; the JSON answer keeps them all. The snapshot answers reach from the build's
own flow index and decodes a holder's holdings only when a page reads them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_serve_fixtures import get, running_server

from graph.build import compiled
from graph.build.heldcols import HeldList
from graph.present.locators import REF_LOCATORS
from graph.serve.cites import SOURCE_LOCATORS
from graph.serve.server import Server
from graph.serve.state import load_snapshot

ROWS = 150  # per holder: more than a footnote lists


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crawl")
    lines = ["sources:",
             "  - {id: crawl, publisher: Example crawl, title: Trackers seen, date: 2018-01, url: https://example.org/c}",
             "companies:", "  - {id: ads, name: Ads Co}", "  - {id: metrics, name: Metrics Co}", "holdings:"]
    for holder in ("Ads Co", "Metrics Co"):
        lines += [f"  - {{holder: {holder}, data_types: [pages visited], site: s{i}.example, observed: 2018-01, "
                  f"evidence: [{{source: crawl, locator: '{holder} row {2 * i}'}}]}}" for i in range(ROWS)]  # no runs
    facts = root / "crawl.yaml"
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    compiled.build([facts], root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def server(crawl: Path) -> Iterator[Server]:
    with running_server(crawl) as srv:
        yield srv


def test_the_snapshot_reads_holdings_when_a_page_needs_them(crawl: Path) -> None:
    snap = load_snapshot(crawl)
    assert snap is not None
    holds = snap.G.nodes["ads"]["holds"]
    assert isinstance(holds, HeldList) and len(holds) == ROWS and not holds.decoded
    assert snap.index.node_count == snap.G.number_of_nodes()  # the build's own index, not one made from G
    assert {h["site"] for h in holds} == {f"s{i}.example" for i in range(ROWS)} and holds.decoded


def test_a_reach_page_lists_some_locators_and_counts_the_rest(server: Server) -> None:
    page = get(server, "/reach?data_type=pages+visited").text
    assert "Ads Co rows 0, 2, 4," in page  # one file's rows after its name, once
    assert f", {2 * (REF_LOCATORS - 1)} and {ROWS - REF_LOCATORS:,} more" in page  # each holder's row
    assert f"and {2 * ROWS - SOURCE_LOCATORS:,} more" in page  # the source's footnote: both holders' rows
    answer = json.loads(get(server, "/reach.json?data_type=pages+visited").text)
    cited = {c["locator"] for row in answer["companies"] for c in row["holder_sources"]}
    assert len(cited) == 2 * ROWS  # the data keeps every locator


def test_the_reach_page_asks_for_one_site(server: Server) -> None:
    """``/reach?site=``: only the holders observed on that site, as ``reach --site``."""
    answer = json.loads(get(server, "/reach.json?data_type=pages+visited&site=https://www.S7.example/x").text)
    assert sorted(r["company"] for r in answer["companies"]) == ["ads", "metrics"] and answer["filters"]["site"] == "s7.example"
    page = get(server, "/reach?data_type=pages+visited&site=s7.example").text
    assert "observed on s7.example" in page and 'name="site" value="s7.example"' in page
    assert "site=s7.example" in page.split('class="downloads"')[1].split("</p>")[0]  # the downloads keep it
    missing = get(server, "/reach?data_type=pages+visited&site=s7.exampel")
    assert missing.status == 404 and "did you mean" in missing.text
