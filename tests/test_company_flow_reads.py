"""``datareach company NAME`` reads the flow index and its attributes (as ``owner`` does), not
``projection()``: the same profile, byte for byte, with only the company's own rows decoded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import SOURCES

from graph.build import compiled
from graph.build.flowgraph import FlowGraph
from graph.build.flowindex import FlowIndex
from graph.build.folder import current
from graph.cli.main import main
from graph.present.company import company_markdown, company_text
from graph.questions.company import company_profile


def _graphs(out: Path) -> tuple[Any, FlowGraph]:
    found = current(out)
    assert found is not None
    flows = compiled.flows_of(found)
    return flows.to_graph(), FlowGraph(compiled.flows_of(found))


def _companies(G: Any) -> list[str]:
    return sorted(n for n, a in G.nodes(data=True) if a.get("kind", "company") == "company")


@pytest.mark.parametrize("which", ["default_build", "seed_build"])
def test_every_profile_read_row_by_row_is_the_projections(request, which):
    G, F = _graphs(request.getfixturevalue(which))
    names = _companies(G)
    assert len(names) > 10
    for name in names:
        want, got = company_profile(G, name), company_profile(F, name)
        assert json.dumps(got.to_json()) == json.dumps(want.to_json()), name
        assert company_text(got, width=100) == company_text(want, width=100), name
        assert company_markdown(got) == company_markdown(want), name


def test_the_datasets_exercise_every_part_of_a_profile(default_build, seed_build):
    """So the equality above covers holdings, incidents both ways, ownership both ways and lists."""
    seen: set[str] = set()
    for out in (default_build, seed_build):
        G, F = _graphs(out)
        for name in _companies(G):
            data = company_profile(F, name).to_json()
            seen |= {k for k in ("holds", "incidents", "owners", "owns", "lists", "disputes", "receives", "grants") if data[k]}
            seen |= {f"incident {r['role']}" for r in data["incidents"]}
    assert seen >= {"holds", "owners", "owns", "lists", "disputes", "receives", "grants", "incident exposed"}


def test_an_incident_a_company_received_is_read_as_the_projection_has_it(tmp_path):
    """No bundled incident names a company as its recipient: the example's scrape, given one."""
    from graph.examples import SMALL

    facts = tmp_path / "small.yaml"
    facts.write_text(Path(SMALL).read_text(encoding="utf-8").replace("recipients: [public]", "recipients: [Amazon, public]"),
                     encoding="utf-8")
    compiled.build([facts], tmp_path / "out")
    G, F = _graphs(tmp_path / "out")
    for name in _companies(G):
        assert json.dumps(company_profile(F, name).to_json()) == json.dumps(company_profile(G, name).to_json()), name
    assert [(r["role"], r["other"]) for r in company_profile(F, "Amazon").incidents] == [("received", "facebook")]


def test_a_profile_decodes_only_the_companys_holdings_and_edges(default_build):
    G, F = _graphs(default_build)
    holder = next(n for n in _companies(G) if G.nodes[n].get("holds"))
    index = F.index
    asked: list[list[int]] = []
    decoded: list[int] = []
    holdings_of, edges_data = index.holdings_of, index.edges_data
    index.holdings_of = lambda nodes: (asked.append(list(nodes)), holdings_of(nodes))[1]  # type: ignore[method-assign]
    index.edges_data = lambda edges: (decoded.append(len(edges)), edges_data(edges))[1]  # type: ignore[method-assign]
    company_profile(F, holder)
    assert asked == [[F.number[holder]]]
    touching = sum(1 for u, v in G.edges() if holder in (u, v))
    assert 0 < sum(decoded) <= touching < G.number_of_edges()


def test_the_command_never_builds_the_projection(default_build, monkeypatch):
    G, _ = _graphs(default_build)
    name = next(n for n in _companies(G) if G.nodes[n].get("holds"))
    want = company_text(company_profile(G, name), width=None)

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("projection() was built")

    monkeypatch.setattr(compiled, "projection", refuse)
    monkeypatch.setattr(FlowIndex, "to_graph", refuse)
    result = CliRunner().invoke(main, ["-q", "-s", str(SOURCES), "--out", str(default_build), "company", name, "--wide"])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip("\n") == want.rstrip("\n")
