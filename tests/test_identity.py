"""One company per real company: merging declarations, judgements, domains and ultimate owners."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.build.loader import load
from graph.build.projection import project
from graph.errors import InputError, NotFoundError
from graph.questions.owner import ultimate_owner

HEAD = """sources:
  - {id: s1, publisher: P, title: T, date: "2020", url: "https://example.org/x"}
"""


def graph_of(tmp_path: Path, body: str, name: str = "f.yaml"):
    path = tmp_path / name
    path.write_text(HEAD + body, encoding="utf-8")
    loaded = load([path])
    return project(loaded.g), loaded.warnings


def companies(G) -> list[str]:
    return sorted(G.nodes[n]["label"] for n in G if G.nodes[n]["kind"] == "company")


def test_the_same_company_declared_twice_is_one_company(tmp_path: Path) -> None:
    G, _ = graph_of(tmp_path, "companies:\n  - {name: Spotify}\n  - {name: Spotify, aliases: [Spotify AB]}\n")
    assert companies(G) == ["Spotify"]
    assert G.nodes["spotify"]["aliases"] == ["Spotify AB"]


def test_an_alias_links_declarations_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(HEAD + "companies:\n  - {name: Meta Platforms, aliases: [Facebook]}\n")
    (tmp_path / "b.yaml").write_text("companies:\n  - {name: Facebook, aliases: [\"Facebook, Inc.\"]}\n")
    G = project(load([tmp_path]).g)
    assert companies(G) == ["Meta Platforms"]
    assert sorted(G.nodes["meta-platforms"]["aliases"]) == ["Facebook", "Facebook, Inc."]


def test_legal_forms_merge_with_a_warning(tmp_path: Path) -> None:
    G, warnings = graph_of(tmp_path, "companies:\n  - {name: Google LLC}\n  - {name: Google}\n")
    assert companies(G) == ["Google LLC"]
    assert any("merged into 'Google LLC'" in str(w) for w in warnings)


def test_a_not_same_judgement_keeps_companies_apart(tmp_path: Path) -> None:
    body = ("judgements:\n  - {verdict: \"not same\", names: [Acme, Acme Ltd]}\n"
            "companies:\n  - {name: Acme}\n  - {name: Acme Ltd}\n")
    G, warnings = graph_of(tmp_path, body)
    assert companies(G) == ["Acme", "Acme Ltd"]
    assert warnings == []


def test_a_same_judgement_merges_names_that_do_not_look_alike(tmp_path: Path) -> None:
    body = ("judgements:\n  - {verdict: same, names: [Alphabet, Google Parent Co]}\n"
            "companies:\n  - {name: Alphabet}\n  - {name: Google Parent Co}\n")
    G, _ = graph_of(tmp_path, body)
    assert companies(G) == ["Alphabet"]


def test_a_declaration_bridging_two_companies_merges_them(tmp_path: Path) -> None:
    body = "companies:\n  - {name: IBM}\n  - {name: International Business Machines Corporation}\n" \
           "  - {name: IBM, aliases: [International Business Machines Corporation]}\n"
    G, warnings = graph_of(tmp_path, body)
    assert companies(G) == ["IBM"]
    assert any("names two companies" in str(w) for w in warnings)


def test_bridging_respects_a_not_same_judgement(tmp_path: Path) -> None:
    body = ("judgements:\n  - {verdict: \"not same\", names: [Netflix, Spotify]}\n"
            "companies:\n  - {name: Netflix}\n  - {name: Spotify}\n  - {name: Netflix, aliases: [Spotify]}\n")
    with pytest.raises(InputError, match="not the same company"):
        graph_of(tmp_path, body)


def test_homoglyph_names_are_flagged_not_merged(tmp_path: Path) -> None:
    G, warnings = graph_of(tmp_path, "companies:\n  - {name: Acme}\n  - {name: \"\u0410cme\"}\n")
    assert len(companies(G)) == 2
    assert any("look alike" in str(w) or "Cyrillic" in str(w) for w in warnings)


CHAIN = """companies:
  - {name: Alphabet}
  - {name: Google}
  - {name: DoubleClick}
ownership:
  - {owner: Google, owned: DoubleClick, evidence: [{source: s1, locator: r1}]}
  - {owner: Alphabet, owned: Google, evidence: [{source: s1, locator: r2}]}
domains:
  - {domain: doubleclick.net, owner: DoubleClick, evidence: [{source: s1, locator: r3}]}
"""


def test_ultimate_owner_of_a_domain_follows_the_chain_with_evidence(tmp_path: Path) -> None:
    G, _ = graph_of(tmp_path, CHAIN)
    answer = ultimate_owner(G, "ad.doubleclick.net")
    assert answer.ultimate == ["Alphabet"]
    assert answer.domain is not None and answer.domain["operator_labels"] == ["DoubleClick"]
    chain = answer.chains[0]
    assert [(h["owned_label"], h["owner_label"]) for h in chain] == [("DoubleClick", "Google"), ("Google", "Alphabet")]
    assert [h["evidence"][0]["locator"] for h in chain] == ["r1", "r2"]


def test_ultimate_owner_of_an_unowned_company_is_itself(tmp_path: Path) -> None:
    G, _ = graph_of(tmp_path, CHAIN)
    assert ultimate_owner(G, "alphabet").ultimate == ["Alphabet"]


def test_ownership_cycles_end(tmp_path: Path) -> None:
    body = CHAIN.replace("domains:", "  - {owner: DoubleClick, owned: Alphabet, evidence: [{source: s1, locator: r4}]}\ndomains:")
    G, _ = graph_of(tmp_path, body)
    chains = ultimate_owner(G, "Google").chains
    assert chains and all(len(c) <= 3 for c in chains)


def test_unknown_owner_query_suggests(tmp_path: Path) -> None:
    G, _ = graph_of(tmp_path, CHAIN)
    with pytest.raises(NotFoundError, match="Alphabet"):
        ultimate_owner(G, "Alphabt")


def test_a_domain_must_be_a_host_name(tmp_path: Path) -> None:
    body = CHAIN.replace("doubleclick.net", "javascript:alert(1)")
    with pytest.raises(InputError, match="domain"):
        graph_of(tmp_path, body)


def test_owner_command(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from graph.cli.main import main

    (tmp_path / "f.yaml").write_text(HEAD + CHAIN)
    result = CliRunner().invoke(main, ["-q", "--out", str(tmp_path / "out"), "-s", str(tmp_path / "f.yaml"),
                                       "owner", "doubleclick.net"])
    assert result.exit_code == 0, result.output
    assert "DoubleClick → Google → Alphabet" in result.output


def test_a_slug_declared_a_third_time_after_its_group_merged_does_not_crash(tmp_path: Path) -> None:
    # Regression (issue 13): the second declaration of "affinity" merged its group into "affinity-inc",
    # which dropped the names kept under "affinity"; the third declaration then crashed with KeyError.
    G, _ = graph_of(tmp_path, "companies:\n  - {name: Affinity Inc, id: affinity-inc}\n"
                              "  - {name: Affinity, aliases: [Affinity Inc]}\n"
                              "  - {name: Affinity, aliases: [Affinity Labs]}\n")
    assert companies(G) == ["Affinity Inc"]
    assert set(G.nodes["affinity-inc"]["aliases"]) >= {"Affinity", "Affinity Labs"}
