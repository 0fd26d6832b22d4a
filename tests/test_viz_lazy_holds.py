"""viz on a build reads the holdings of the parties it draws, not of every party it folds.

A crawl states hundreds of thousands of holdings (WhoTracks.me: 435,440); the page needs each
folded party's held data types and integration, which the flow index has as columns
(``graph.build.heldcols.HeldList``). The page must be the one the fully decoded graph gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.build import compiled
from graph.build.heldcols import HeldList
from graph.viz import page
from graph.viz.fold import DRAW_LIMIT

PARTIES = DRAW_LIMIT + 40  # more than a page draws: the rest are folded


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("lazy")
    lines = ["sources:",
             "  - {id: crawl, publisher: Example crawl, title: Trackers seen, date: 2018-01, url: https://example.org/c}",
             "companies:"]
    lines += [f"  - {{id: t{i:03d}, name: Tracker {i:03d}}}" for i in range(PARTIES)]
    lines.append("holdings:")
    for i in range(PARTIES):
        types = "[pages visited, cookie identifier]" if i % 3 else "[pages visited]"
        integration = ", integration: tracking" if i % 2 else ""
        for site in ("a.example", "b.example"):
            lines.append(f"  - {{holder: Tracker {i:03d}, data_types: {types}, site: {site}{integration}, "
                         f"observed: 2018-01, evidence: [{{source: crawl, locator: row {i}}}]}}")
    facts = root / "crawl.yaml"
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    compiled.build([facts], root / "out")
    return facts, root / "out"


def test_the_page_is_the_same_and_folded_parties_holdings_are_not_decoded(built: tuple[Path, Path], tmp_path: Path) -> None:
    facts, out = built
    flows = compiled.flow_graph([facts], out)
    eager, lazy = flows.to_networkx(), flows.to_networkx(lazy_holds=True)
    lists = [h for _, h in lazy.nodes(data="holds") if isinstance(h, HeldList)]
    assert len(lists) == PARTIES and not any(h.decoded for h in lists)
    for key, holds in eager.nodes(data="holds"):  # equal to the lists they stand for, types from the columns
        if holds:
            assert lazy.nodes[key]["holds"].data_types() == list(dict.fromkeys(t for h in holds for t in h["data_types"]))
    for view in ({}, {"focus_company": "Tracker 007"}):
        a, b = tmp_path / "eager.html", tmp_path / "lazy.html"
        page.write_html(eager, a, **view)
        page.write_html(lazy, b, **view)
        assert a.read_bytes() == b.read_bytes(), view
    decoded = sum(h.decoded for h in lists)
    assert 0 < decoded <= DRAW_LIMIT < PARTIES  # the drawn ones, whose panels list their holdings
    for asked in ({"focus_data_type": "cookie identifier"}, {"focus_data_type": "pages visited", "as_of": "2018-01"}):
        a, b = tmp_path / "eager.html", tmp_path / "lazy.html"  # reach asks the build's index, not one made from G
        fresh = flows.to_networkx(lazy_holds=True)
        page.write_html(eager, a, **asked)
        page.write_html(fresh, b, index=flows.index, **asked)
        assert a.read_bytes() == b.read_bytes(), asked
        assert sum(bool(getattr(h, "decoded", False)) for _, h in fresh.nodes(data="holds")) <= DRAW_LIMIT, asked
    assert lazy.nodes["t001"]["holds"] == eager.nodes["t001"]["holds"]


def test_the_cli_page_uses_the_columns(built: tuple[Path, Path], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from graph.cli.main import main

    facts, out = built
    G = compiled.projection([facts], out)
    for args, view in (([], {}), (["--data-type", "pages visited"], {"focus_data_type": "pages visited"})):
        result = CliRunner().invoke(main, ["-q", "-s", str(facts), "--out", str(out), "viz", *args, "-o", str(tmp_path / "g.html")])
        assert result.exit_code == 0, result.output
        page.write_html(G, tmp_path / "eager.html", **view)
        assert (tmp_path / "g.html").read_bytes() == (tmp_path / "eager.html").read_bytes(), args


def test_the_figure_of_a_crawl_decodes_little_and_says_it_has_no_links(built: tuple[Path, Path], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from graph.cli.main import main
    from graph.viz.figure import write_figure

    facts, out = built
    for args, view in (([], {}), (["--company", "Tracker 007"], {"company": "Tracker 007"})):
        result = CliRunner().invoke(main, ["-q", "-s", str(facts), "--out", str(out), "figure", *args,
                                           "-o", str(tmp_path / "f.svg")])
        assert result.exit_code == 0, result.output
        write_figure(compiled.projection([facts], out), tmp_path / "eager.svg", **view)
        assert (tmp_path / "f.svg").read_bytes() == (tmp_path / "eager.svg").read_bytes(), args
    whole = CliRunner().invoke(main, ["-q", "-s", str(facts), "--out", str(out), "figure", "-o", str(tmp_path / "w.svg")])
    assert whole.exit_code == 0
    assert "These sources state no links between parties" in (tmp_path / "w.svg").read_text(encoding="utf-8")
