"""``datareach figure``: static, deterministic SVG/PNG figures for articles (issue 15, item 3)."""

from __future__ import annotations

import os
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, fixture_graph

from graph.cli.main import main
from graph.errors import UsageError
from graph.viz.figure import (
    all_scene,
    figure_scene,
    figure_svg,
    from_state,
    parse_state,
    svg_to_png,
    write_figure,
)
from graph.viz.figure.svg import render

NS = {"s": "http://www.w3.org/2000/svg"}
SHARED = Path(os.environ.get("DATAREACH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
CA = SHARED / "ca_data_broker_registry_2025" / "california_data_broker_registry_2025.csv"
HOSTILE = """\
sources:
  - id: hostile-src
    publisher: "Evil <b>Press</b> & Co"
    title: A made-up report
    date: "2020-01-02"
    url: "https://example.org/x"
companies:
  - name: "<script>alert(1)</script> Corp"
  - name: "Acme\u202eLtd"
holdings:
  - holder: "<script>alert(1)</script> Corp"
    data_types: [phone number]
    evidence: [{source: hostile-src, locator: "p. 1"}]
grants:
  - id: evil-grant
    grantor: "<script>alert(1)</script> Corp"
    grantee: "Acme\u202eLtd"
    integration: app-platform
    data_types: [phone number]
    permissions: [read]
    status: active
    evidence: [{source: hostile-src, locator: "p. 2"}]
"""


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode("utf-8"))
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def boxes(svg: str) -> dict[str, float]:
    """Each drawn box's label and its x."""
    root = ET.fromstring(svg.encode("utf-8"))
    out = {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        if g.get("class") in ("holder", "party", "public", "centre", "group"):
            rect, label = g.find("s:rect[last()]", NS), g.find("s:text", NS)
            assert rect is not None and label is not None
            out[label.text or ""] = float(rect.get("x") or 0)
    return out


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_same_inputs_give_byte_identical_svg() -> None:
    for options in ({"data_type": "phone number"}, {"company": "Facebook"}, {"data_type": "page likes", "as_of": "2016"}):
        first, second = figure_svg(fixture_graph(), **options), figure_svg(fixture_graph(), **options)
        assert first == second
        assert first.startswith("<?xml") and ET.fromstring(first.encode()) is not None


def test_title_caption_legend_and_credit() -> None:
    svg = figure_svg(fixture_graph("onward.yaml"), data_type="interests", start="Example Platform", as_of="2016",
                     permissions=["read"])
    words = texts(svg)
    root = ET.fromstring(svg.encode())
    assert root.find("s:title", NS) is not None
    assert words[0] == "Who could reach interests, starting at Example Platform"
    assert "Filters: as of 2016; permissions read; from Example Platform." in words
    assert "holder (collects or holds it)" in words and "party it could reach" in words  # the legend
    credit = " ".join(w for w in words if "Sources:" in w or "datareach" in w or "Fixture" in w)
    assert "[1] Fixture Press (made up), 2016-03-01" in credit and "Made with datareach." in credit


def test_a_custom_title_and_an_empty_answer() -> None:
    svg = figure_svg(fixture_graph("onward.yaml"), data_type="interests", country="ZZ",
                     title="Nothing then")
    words = texts(svg)
    assert words[0] == "Nothing then"
    assert any(w.startswith("No party could reach interests") for w in words)


def test_the_chain_reads_left_to_right() -> None:
    svg = figure_svg(fixture_graph("onward.yaml"), data_type="interests", start="Example Platform")
    x = boxes(svg)
    chain = ["Example Platform", "Quiz App Ltd", "Example Consultancy Ltd", "Example Affiliate Ltd"]
    assert [x[name] for name in chain] == sorted(x[name] for name in chain)
    assert len(set(x[name] for name in chain)) == 4
    assert sum(w.startswith("app platform [") for w in texts(svg)) == 3  # each hop: integration and source number


def test_names_from_fact_files_stay_text(write: Any) -> None:
    from graph.build.loader import load
    from graph.build.projection import project

    G = project(load([write("hostile.yaml", HOSTILE)]).g)
    for options in ({"data_type": "phone number"}, {"company": "Acme\u202eLtd"}):
        svg = figure_svg(G, **options)
        assert "<script>" not in svg and "<b>" not in svg and "\u202e" not in svg
        words = texts(svg)
        assert any(w.startswith("<script>alert(1)</script>") for w in words)  # shown, as text
        assert any("Acme\\u202eLtd" in w for w in words)  # the override written out
        assert any("Evil <b>Press</b> & Co, 2020-01-02" in w for w in words)
    root = ET.fromstring(figure_svg(G, data_type="phone number").encode())
    assert root.find(".//s:path[@fill='#e8590c']", NS) is not None  # the look-alike mark


def test_png_is_made_from_the_svg(tmp_path: Path) -> None:
    pytest.importorskip("resvg_py")
    svg = figure_svg(fixture_graph(), data_type="phone number")
    root = ET.fromstring(svg.encode())
    w, h = float(root.get("width") or 0), float(root.get("height") or 0)
    assert png_size(svg_to_png(svg, 2.0)) == (round(w * 2), round(h * 2))
    out = write_figure(fixture_graph(), tmp_path / "f.png", fmt="png", scale=1.0, company="Spotify")
    assert png_size(out.read_bytes())[0] >= 700


def test_png_without_the_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "resvg_py", None)
    with pytest.raises(UsageError, match=r"datareach\[figure\]"):
        svg_to_png(figure_svg(fixture_graph(), company="Spotify"))


def test_state_fragments() -> None:
    assert parse_state("#view=reach&type=phone-number&asof=2018-01-01&q=x&zoom=2") == {
        "view": "reach", "type": "phone-number", "asof": "2018-01-01", "q": "x"}
    assert from_state("#view=company&company=spotify&asof=2014") == {"as_of": "2014", "company": "spotify"}
    assert parse_state("#type=a&type=b") == {"type": "a"}  # the first, as the browser reads it
    for bad in ("#view=sideways", "#asof=2018-13-45", "#asof=04/01/2018", "#type=Phone%20number", "#sel=<script>"):
        with pytest.raises(ValueError):
            parse_state(bad)
    with pytest.raises(UsageError, match="need a data type"):
        figure_scene(fixture_graph(), company="Spotify", start="Facebook")


def test_the_command(tmp_path: Path) -> None:
    args = ["-q", "--sources", str(FIXTURES / "onward.yaml"), "--out", str(tmp_path / "out")]
    runner = CliRunner()
    result = runner.invoke(main, [*args, "figure", "--state", "#view=reach&type=interests&from=example-platform",
                                  "-o", str(tmp_path / "a.svg")])
    assert result.exit_code == 0, result.output
    again = runner.invoke(main, [*args, "figure", "--data-type", "interests", "--from", "Example Platform",
                                 "-o", str(tmp_path / "b.svg")])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    whole = runner.invoke(main, [*args, "figure", "-o", str(tmp_path / "all.svg")])  # the page's all view
    assert whole.exit_code == 0, whole.output
    shared = runner.invoke(main, [*args, "figure", "--state", "#view=all", "-o", str(tmp_path / "all2.svg")])
    assert shared.exit_code == 0, shared.output
    assert (tmp_path / "all.svg").read_bytes() == (tmp_path / "all2.svg").read_bytes()
    assert texts((tmp_path / "all.svg").read_text())[0] == "Who sends personal data to whom"
    refused = runner.invoke(main, [*args, "figure", "--data-type", "interests", "--company", "Quiz App Ltd"])
    assert refused.exit_code == 1 and "say what to draw" in refused.stderr
    filtered_view = runner.invoke(main, [*args, "figure", "--state", "#view=all&perm=none", "-o", str(tmp_path / "f.svg")])
    assert filtered_view.exit_code == 0, filtered_view.output
    assert "Filters: only links stating no permission." in texts((tmp_path / "f.svg").read_text())
    if sys.modules.get("resvg_py") is not None or _has_resvg():
        png = runner.invoke(main, [*args, "figure", "--company", "Quiz App Ltd", "-o", str(tmp_path / "c.png")])
        assert png.exit_code == 0, png.output
        assert png_size((tmp_path / "c.png").read_bytes())[0] > 0


def _has_resvg() -> bool:
    try:
        import resvg_py  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not CA.is_file(), reason=f"the shared datasets are not at {SHARED}")
def test_imported_brokers_fold_into_groups(tmp_path: Path) -> None:
    from graph.build.loader import load
    from graph.build.projection import project
    from graph.importers import import_file

    G = project(load([import_file("ca-broker-registry", CA, tmp_path / "ca").output], shacl=False).g)
    scene = figure_scene(G, data_type="precise geolocation")
    named = [b for b in scene.boxes if b.kind != "group"]
    groups = [b for b in scene.boxes if b.kind == "group"]
    assert 0 < len(named) <= 30 and groups
    total = len(named) + sum(int(g.label.strip("+ more").replace(",", "")) for g in groups)
    from graph.questions.reach import reach
    assert total == len(reach(G, "precise geolocation").rows)
    svg = figure_svg(G, data_type="precise geolocation")
    assert any(w.startswith(f"+{total - len(named):,} more") for w in texts(svg))
    assert any("California Privacy Protection Agency" in w for w in texts(svg))


def test_a_selected_party_is_named_even_when_it_would_be_folded() -> None:
    G = fixture_graph("onward.yaml")
    folded = figure_scene(G, data_type="interests", budget=2)
    named = {b.key for b in folded.boxes if b.kind != "group"}
    hidden = "example-affiliate-ltd"
    assert hidden not in named and any(b.kind == "group" for b in folded.boxes)
    chosen = figure_scene(G, data_type="interests", budget=2, select="Example Affiliate Ltd")
    keys = {b.key for b in chosen.boxes}
    assert hidden in keys and "example-platform" in keys  # with its path from the holder
    assert from_state("#type=interests&sel=example-affiliate-ltd")["select"] == "example-affiliate-ltd"


def test_figures_need_neither_pyvis_nor_click() -> None:
    import subprocess

    script = ("import sys\nclass Block:\n    def find_spec(self, name, path=None, target=None):\n"
              "        if name.split('.')[0] in ('pyvis', 'click'):\n            raise ImportError(name)\n"
              "sys.meta_path.insert(0, Block())\nfrom graph.examples import small_graph\n"
              "from graph.viz.figure import figure_svg\nprint(len(figure_svg(small_graph(), data_type='phone number')) > 0)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr


def test_who_sent_it_into_a_company_ends_at_that_company() -> None:
    svg = figure_svg(fixture_graph("onward.yaml"), data_type="address book", into="Example Platform")
    x = boxes(svg)
    assert x["Example Partner Inc"] < x["Example Platform"]
    words = texts(svg)
    assert words[0] == "Who could send address book into Example Platform"
    assert "company asked about" in words and "party that could send it on" in words
    assert any(w.startswith("data upload [1]") for w in words)


def test_the_whole_graph_is_folded_as_the_page_folds_it() -> None:
    from graph.viz.fold import fold

    G = fixture_graph()
    first, second = figure_svg(G), figure_svg(G)
    assert first == second  # byte-identical
    scene = figure_scene(G, filters=None)
    assert scene.view == "all" and not any(b.kind == "group" for b in scene.boxes if b.key in G)
    small = all_scene(G, budget=2, max_groups=1)
    named = [b.key for b in small.boxes if b.kind != "group"]
    groups = [b for b in small.boxes if b.kind == "group"]
    assert len(named) == 2 and groups
    counts = [int(b.label.split()[0].lstrip("+").replace(",", "")) for b in groups]
    assert len(named) + sum(counts) == G.number_of_nodes()  # every party named or counted once
    page_groups = fold(G, [n for n in G if n not in named], drawn=set(named))
    assert counts[0] == len(page_groups[0].members) and groups[0].label.endswith(page_groups[0].label)
    assert len(groups) == min(2, len(page_groups))  # the biggest group alone, the rest in one box
    words = texts(render(small))
    assert words[0] == "Who sends personal data to whom"
    assert "No filters: every dated and undated link on file." in words
    assert "folded: + N more parties" in words and "Made with datareach." in " ".join(words)


def test_the_pages_filters_are_honoured() -> None:
    from graph.viz.filters import edge_filter

    G = fixture_graph()
    state = {"perm": "write,delete", "status": "active"}
    keep = edge_filter(G, state)  # type: ignore[arg-type]
    shown = {(u, v) for u, v, k in G.edges(keys=True) if keep((u, v, k)) and u != v}
    assert shown and len(shown) < G.number_of_edges()
    scene = all_scene(G, state)  # type: ignore[arg-type]
    named = {b.key for b in scene.boxes if b.kind != "group"}
    assert {(x.source, x.target) for x in scene.links if x.source in named and x.target in named} == shown
    assert scene.caption[0] == "Filters: permissions write or delete (or none stated); status active"
    assert figure_svg(G, filters=state) == figure_svg(G, filters=state)
    view = from_state("#view=all&type=friends-list&perm=write,delete&status=active&asof=2015")
    assert view == {"as_of": "2015", "filters": {"type": "friends-list", "perm": "write,delete", "status": "active"}}
    dated = figure_scene(G, **view)
    assert dated.caption[0].startswith("Filters: links carrying friends list") and "as of 2015" in dated.caption[0]
    assert not figure_scene(G, filters={"status": "none"}).boxes or figure_scene(G, filters={"status": "none"}).empty
    # a reach or company figure takes them too, and says them in its caption
    everyone = figure_scene(G, data_type="phone number")
    none = figure_scene(G, data_type="phone number", filters={"perm": "none", "status": "none"})
    assert len(none.boxes) < len(everyone.boxes) and none.caption[0].startswith("Filters: only links stating no permission")
    company = figure_scene(G, company="Facebook", filters={"status": "none"})
    assert [b.key for b in company.boxes] == ["facebook"] and "no status shown" in company.caption[0]
    with pytest.raises(UsageError, match="whole graph takes only"):
        figure_scene(G, start="Facebook")
