"""The HTML view without a browser: self-contained, CSP-hashed, escaped, styled, focused.

What happens when the page is opened is tested in tests/browser/.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser.synthetic import synthetic_graph
from click.testing import CliRunner
from conftest import fixture_graph as graph
from conftest import fixture_session

from graph.cli.viz import viz_command
from graph.errors import NotFoundError
from graph.viz import page as viz
from graph.viz.data import PERMISSION_COLOURS, SHUT_DOWN


class Page(HTMLParser):
    """The tags, attributes and inline script/style texts of a page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.blocks: list[tuple[str, dict[str, str | None], str]] = []
        self._open: tuple[str, dict[str, str | None]] | None = None
        self._raw = text
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open = (tag, dict(attrs))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.blocks.append((*self._open, data))
            self._open = None


def data_of(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match.group(1))


def strip_data(page: str) -> str:
    return re.sub(r'<script type="application/json" id="data">.*?</script>', "", page, flags=re.S)


def test_page_is_one_self_contained_file():
    page = viz.render_html(graph())
    parsed = Page(page)
    for tag, attrs in parsed.tags:
        assert tag not in ("link", "iframe", "img", "object", "embed", "base"), tag
        for name in ("src", "href", "action", "data", "srcset", "poster"):
            assert attrs.get(name) is None, (tag, name, attrs.get(name))
    assert "bootstrap" not in page and "cdnjs" not in page and "jsdelivr" not in page
    assert not re.search(r"@import|url\(\s*['\"]?(https?:|//)", page)


def test_csp_allows_exactly_the_inline_scripts_and_styles():
    page = viz.render_html(graph())
    parsed = Page(page)
    metas = [a for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    policy = dict(part.strip().split(" ", 1) for part in (metas[0]["content"] or "").split(";"))
    assert policy["default-src"] == "'none'" and policy["connect-src"] == "'none'" and policy["img-src"] == "data:"
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    hashes = {"script": policy["script-src"].split(), "style": policy["style-src"].split()}
    inline = [(tag, text) for tag, attrs, text in parsed.blocks if attrs.get("type") != "application/json"]
    assert len([t for t, _ in inline if t == "script"]) == len(hashes["script"]) == 2
    for tag, text in inline:
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in hashes[tag]


def test_untrusted_text_only_inside_the_escaped_json():
    page = viz.render_html(graph("hostile.yaml"), title="<img src=x onerror=\"window.__pwned=1\">")
    block = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block and "\u2028" not in block
    outside = strip_data(page)
    assert "__pwned" not in outside.replace("&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;", "")
    assert "&lt;img src=x onerror=" in outside  # the title, escaped
    data = data_of(page)
    labels = {n["full"] for n in data["nodes"]}
    assert "</script><script>window.__pwned=1</script>" in labels  # the JSON round-trips the text intact
    assert any(s.get("title") == "</script><script>window.__pwned=1</script>" for s in data["sources"].values())


def test_only_http_source_urls_become_links():
    G = graph()
    G.graph["sources"]["src1"]["url"] = "javascript:window.__pwned=1"
    G.graph["sources"]["src2"]["url"] = " https://example.org/lead-space"
    sources = data_of(viz.render_html(G))["sources"]
    assert "url" not in sources["src1"] and "url" not in sources["src2"]
    assert sources["src1"]["title"] == "A report on partnerships"


def test_node_and_edge_ids_are_opaque():
    data = data_of(viz.render_html(graph("hostile.yaml")))
    assert all(re.fullmatch(r"n\d+", n["id"]) for n in data["nodes"])
    assert all(re.fullmatch(r"e\d+", e["id"]) for e in data["edges"])
    assert all(re.fullmatch(r"n\d+", e["from"]) and re.fullmatch(r"n\d+", e["to"]) for e in data["edges"])


def test_no_html_titles_for_vis():
    """vis-network renders string titles as text; we send none from Python (built in the page)."""
    data = data_of(viz.render_html(graph("hostile.yaml")))
    assert all("title" not in item for item in data["nodes"] + data["edges"])


def test_hidden_and_direction_characters_are_shown_and_flagged():
    data = data_of(viz.render_html(graph("hostile.yaml")))
    evil = next(n for n in data["nodes"] if n["key"].startswith("evilgnp"))
    assert "\u202e" not in evil["label"] and evil["label"].startswith("⚠ ")
    assert "⟨U+202E⟩" in evil["full"] and evil["warn"]
    zero = next(n for n in data["nodes"] if n["key"].startswith("zerowidth"))
    assert "\u200b" not in zero["label"] and "⟨U+200B⟩" in zero["full"]


def test_homoglyph_companies_are_flagged_not_merged():
    data = data_of(viz.render_html(graph("hostile.yaml")))
    acmes = [n for n in data["nodes"] if n["full"] in ("Acme", "Аcme")]
    assert len(acmes) == 2
    assert all(any("Looks like another company" in w for w in n["warn"]) for n in acmes)
    assert any("Cyrillic" in w for n in acmes for w in n["warn"])


def test_a_one_megabyte_label_is_clipped():
    G = graph()
    G.nodes["spotify"]["label"] = "S" * 1_000_000
    page = viz.render_html(G)
    node = next(n for n in data_of(page)["nodes"] if n["key"] == "spotify")
    assert len(node["label"]) <= 40 and len(node["full"]) < 21_000
    assert len(page) < 2_000_000


def test_styles_tell_kinds_permissions_disputes_and_shut_down_apart():
    data = data_of(viz.render_html(graph()))
    shapes = {n["k"]: n["shape"] for n in data["nodes"]}
    assert shapes == {"company": "dot", "public": "star"}  # holdings are folded into their holders' nodes
    edges = {e["fact"]: e for e in data["edges"]}
    spotify = edges["facebook-spotify"]  # read/write/delete, disputed, shut down
    assert spotify["dashes"] is True and spotify["color"]["color"] == SHUT_DOWN and spotify["color"]["opacity"] < 1
    assert spotify["by"] == ["Spotify"]
    assert edges["facebook-netflix"]["color"]["color"] == PERMISSION_COLOURS["write"]
    assert edges["facebook-bing"]["color"]["color"] == PERMISSION_COLOURS["read"]
    assert edges["facebook-netflix"]["label"] == "messaging integration"
    assert not [e for e in data["edges"] if e["k"] == "holding"]
    held = {t for n in data["nodes"] for h in n.get("holds", []) for t in h["dts"]}
    assert held == {"private-message", "phone-number", "friends-list", "email-address"}
    sizes = [n["size"] for n in data["nodes"] if n["k"] != "datatype"]
    assert max(sizes) > min(sizes)  # sized by PageRank


def test_filters_list_what_the_graph_holds():
    data = data_of(viz.render_html(graph()))
    types = {slug: related for slug, _label, related in data["filters"]["dataTypes"]}
    assert "phone-number" in types["contact-information"] and "phone-number" in types["phone-number"]
    assert [i for i, _ in data["filters"]["integrations"]] == ["messaging-integration", "scraping", "search-integration"]
    assert [s for s, _ in data["filters"]["statuses"]] == ["active", "shut down", "unknown", "incident", "ownership"]


def test_company_focus_draws_two_hops():
    data = data_of(viz.render_html(graph(), focus_company="spotify"))
    keys = {n["key"] for n in data["nodes"] if n["k"] != "datatype"}
    assert keys == {"spotify", "facebook", "netflix", "bing", "public"}  # Microsoft is three hops away
    assert data["centre"] == next(n["id"] for n in data["nodes"] if n["key"] == "spotify")


def test_datatype_focus_highlights_the_reach_answer():
    page = viz.render_html(graph(), focus_data_type="private message")
    data = data_of(page)
    assert [r["company"] for r in data["reach"]["rows"]] == ["facebook", "netflix", "spotify"]
    assert all(re.fullmatch(r"n\d+", r["id"]) for r in data["reach"]["rows"])
    by_key = {n["key"]: n for n in data["nodes"]}
    assert by_key["facebook"]["color"]["border"] == "#c92a2a" and by_key["facebook"]["holder"]  # the holder
    assert by_key["dt:private-message"]["shape"] == "diamond"  # the data type asked: its own mark, not orange
    assert by_key["dt:private-message"]["color"]["border"] != "#f08c00"
    # only the answer is drawn; the other parties are folded into groups with counts
    assert "microsoft" not in by_key and "netflix" in by_key
    folded = {m[1] for g in data["groups"] for m in g["members"]}
    assert {"microsoft", "bing", "public"} <= folded and not folded & {"facebook", "netflix", "spotify"}
    assert {e["fact"] for e in data["edges"]} == {"facebook-netflix", "facebook-spotify"}
    assert all(e["width"] == 4 for e in data["edges"])
    # left to right: the data type, its holder, then the parties one hop on
    assert by_key["dt:private-message"]["x"] < by_key["facebook"]["x"] < by_key["netflix"]["x"] == by_key["spotify"]["x"]
    assert "Who could reach private message" in page


def test_datatype_focus_tells_a_disputed_access_from_contested_aspects(default_build: Path) -> None:
    """As the CLI does: RBC disputes the access itself; Netflix and Spotify only aspects of theirs."""
    from graph.build import compiled

    rows = {r["company"]: r for r in data_of(viz.render_html(compiled.projection(None, default_build),
                                                         focus_data_type="private message"))["reach"]["rows"]}
    assert rows["royal-bank-of-canada"]["disputed"] and not rows["netflix"]["disputed"]
    assert "grantee's use of the access" in rows["netflix"]["contested"]
    assert "grantee's awareness of the access" in rows["spotify"]["contested"] and not rows["facebook"]["contested"]


def test_as_of_drops_links_that_had_ended_or_not_begun():
    facts = {e["fact"] for e in data_of(viz.render_html(graph(), as_of="2015"))["edges"]}
    assert "facebook-spotify" not in facts  # ended 2014
    assert {"facebook-netflix", "facebook-bing", "bing-microsoft"} <= facts
    facts = {e["fact"] for e in data_of(viz.render_html(graph(), as_of="2009-06"))["edges"]}
    assert "facebook-netflix" not in facts and "facebook-bing" in facts


def test_unknown_names_and_bad_dates_raise_typed_errors():
    with pytest.raises(NotFoundError) as err:
        viz.render_html(graph(), focus_data_type="phone nubmer")
    assert err.value.suggestions == ["phone number"]
    with pytest.raises(NotFoundError) as err:
        viz.render_html(graph(), focus_company="Spotifi")
    assert "Spotify" in err.value.suggestions
    with pytest.raises(ValueError):
        viz.render_html(graph(), as_of="2015-13")


def test_large_graphs_are_laid_out_in_python_with_physics_off():
    net, extra = viz.network(synthetic_graph(400))
    assert extra["large"] is True
    assert len([n for n in net.nodes if n["k"] != "group"]) <= 300 and extra["groups"]
    assert net.options["physics"]["enabled"] is False and net.options["edges"]["smooth"] is False
    assert net.options["interaction"]["hideEdgesOnDrag"] is True
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in net.nodes)
    assert not any("label" in e or "smooth" in e for e in net.edges)
    assert len({(n["x"], n["y"]) for n in net.nodes}) == len(net.nodes)


def test_small_graphs_are_laid_out_too_and_deterministic():
    first, second = viz.network(graph())[0], viz.network(graph())[0]
    assert first.options["physics"]["enabled"] is False
    assert [(n["x"], n["y"]) for n in first.nodes] == [(n["x"], n["y"]) for n in second.nodes]


def test_write_html_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "graph.html"
    viz.write_html(graph(), target)
    before = target.read_bytes()
    assert before.startswith(b"<!DOCTYPE html>")

    def broken(*args, **kwargs):
        raise RuntimeError("failed half-way")

    monkeypatch.setattr(viz, "page", broken)
    with pytest.raises(RuntimeError):
        viz.write_html(graph(), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]


def test_notebook_view_embeds_the_page_escaped():
    view = viz.show(graph("hostile.yaml"))
    markup = view._repr_html_()
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts allow-popups" [^<>]*></iframe>', markup)
    assert match is not None
    assert html.unescape(match.group(1)) == view.html


def test_only_the_viz_module_imports_pyvis():
    importers = [p.name for p in (Path(viz.__file__).parent).glob("*.py")
                 if re.search(r"^\s*(import pyvis|from pyvis)", p.read_text(encoding="utf-8"), re.M)]
    assert importers == ["page.py"]


def _run(args: list[str], out: Path):
    return CliRunner().invoke(viz_command, args, obj=fixture_session(out))


def test_cli_writes_the_page(tmp_path):
    out = tmp_path / "x" / "g.html"
    result = _run(["-o", str(out), "--data-type", "phone number", "--title", "Phones"], tmp_path / "build")
    assert result.exit_code == 0, result.output
    assert "<title>Phones</title>" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["--data-type", "phone nubmer"], "did you mean 'phone number'"),
    (["--company", "Spotifi"], "did you mean 'Spotify'"),
])
def test_cli_unknown_names_exit_1_without_traceback(tmp_path, args, message):
    result = _run(["-o", str(tmp_path / "g.html"), *args], tmp_path / "build")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "g.html").exists()


def test_cli_bad_date_is_a_usage_error(tmp_path):
    result = _run(["-o", str(tmp_path / "g.html"), "--as-of", "2015-13"], tmp_path / "build")
    assert result.exit_code == 2 and "not a real date" in result.output


def test_cli_help_has_examples():
    result = CliRunner().invoke(viz_command, ["--help"])
    assert result.exit_code == 0 and "Examples:" in result.output and "--data-type" in result.output


def test_focused_page_names_the_words_asked_and_the_alias_that_matched():
    """The page's subtitle said "Who could reach phone number" when "Telephone number" was asked;
    it names the words asked and the alias that matched, as the CLI and the server do."""
    from graph.viz.focus import focus

    view = focus(graph(), data_type="Telephone number")
    assert view.subtitle.startswith("Who could reach Telephone number (matched the alias telephone number of phone number)")
    assert focus(graph(), data_type="phone number").subtitle.startswith("Who could reach phone number: ")


def test_cli_chain_view_from_a_holder(tmp_path):
    out = tmp_path / "chain.html"
    result = CliRunner().invoke(viz_command, ["-o", str(out), "--data-type", "interests", "--from", "Example Platform"],
                                obj=fixture_session(tmp_path / "build", "onward.yaml"))
    assert result.exit_code == 0, result.output
    data = data_of(out.read_text(encoding="utf-8"))
    assert data["view"] == "chain" and data["state"] == {"view": "chain", "type": "interests", "from": "example-platform"}
    xs = {n["key"]: n["x"] for n in data["nodes"] if n["k"] == "company"}
    assert sorted(xs, key=xs.get) == ["example-platform", "quiz-app-ltd", "example-consultancy-ltd", "example-affiliate-ltd"]
    labels = [e["label"] for e in sorted(data["edges"], key=lambda e: xs[{n["id"]: n["key"] for n in data["nodes"]}[e["from"]]])]
    assert labels == ["app platform\ndates unknown [1]", "app platform\ndates unknown [1]", "app platform\ndates unknown [2]"]
    assert data["citations"] == ["fixture-report", "fixture-later"] and not data["groups"]


def test_cli_from_needs_a_data_type(tmp_path):
    result = _run(["-o", str(tmp_path / "g.html"), "--from", "Facebook"], tmp_path / "build")
    assert result.exit_code == 2 and "add --data-type" in result.output


def test_page_carries_the_state_of_its_view_in_the_url_format():
    from graph.viz.state import format_state

    data = data_of(viz.render_html(graph(), focus_company="Spotify", as_of="2014"))
    assert format_state(data["state"]) == "#view=company&company=spotify&asof=2014"


def test_a_contested_aspect_is_not_dashed():
    G = graph()
    edge = next(e for e in G.edges(keys=True) if e[2] == "facebook-netflix")
    G.edges[edge]["evidence"] = [*G.edges[edge]["evidence"], {"source": "example-press", "stance": "disputes",
                                                                "claimant": "Netflix", "aspect": "dates"}]
    G.edges[edge]["disputed"] = True
    netflix = next(e for e in data_of(viz.render_html(G))["edges"] if e["fact"] == "facebook-netflix")
    assert netflix["dashes"] is False and netflix["asp"] == ["dates"] and netflix["arrows"]["middle"]["type"] == "bar"
