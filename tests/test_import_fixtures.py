"""Importers on small hand-made fixtures (made-up companies): every kind, end to end.

These run without the shared datasets; tests/test_import_real.py runs the real files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF

from graph.build.loader import load
from graph.build.projection import project
from graph.build.safeyaml import load as strict_yaml
from graph.cli.main import main
from graph.importers import KINDS, Options, import_file, mapping, yamlout
from graph.model.vocab import DR
from graph.questions.owner import ultimate_owner
from graph.questions.reach import reach

FIX = Path(__file__).resolve().parent / "fixtures" / "import"


def invoke(*args: str):
    return CliRunner().invoke(main, ["-q", *args])


def imported(tmp_path: Path, kind: str, name: str, **options) -> Path:
    result = import_file(kind, FIX / name, tmp_path / "imported", Options(**options))
    return result.output


def count(g, cls) -> int:
    return len(set(g.subjects(RDF.type, cls)))


def holders(G, data_type: str) -> set[str]:
    return {G.nodes[r["company"]]["label"] for r in reach(G, data_type).rows if r["holder"] and not r["partial"]}


def test_every_kind_is_listed_with_what_it_reads() -> None:
    result = invoke("import", "--list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [k["name"] for k in json.loads(result.output)] == list(KINDS)
    text = invoke("import", "--list").output
    assert all(k in text for k in KINDS) and "reads:" in text


def test_ddg_web_fixture_companies_domains_and_holdings(tmp_path: Path) -> None:
    out = imported(tmp_path, "ddg-tds", "ddg-web-mini.json")
    loaded = load([out])
    assert (count(loaded.g, DR.Company), count(loaded.g, DR.Domain), count(loaded.g, DR.Collection)) == (2, 3, 2)
    G = project(loaded.g)
    assert G.nodes["example-tracker-co"]["aliases"] == ["Example Tracker"]
    assert G.nodes["example-tracker-co"]["homepage"] == "https://example-tracker.test/"
    # Session Replay → page interactions; fingerprinting 3 → digital fingerprint; every tracker → IP address.
    assert holders(G, "page interactions") == {"Example Tracker Co"}
    assert holders(G, "browser fingerprint") == {"Example Tracker Co"}
    assert holders(G, "IP address") == {"Example Tracker Co", "Example Geo Ltd"}
    note = G.nodes["example-tracker-co"]["holds"][0]["note"]
    assert "Highest fingerprinting score 3" in note and "0.12" in note and "ontology/mappings/ddg-tds.csv rows" in note


def test_ddg_app_fixture_maps_signals(tmp_path: Path) -> None:
    G = project(load([imported(tmp_path, "ddg-tds", "ddg-app-mini.json")]).g)
    assert holders(G, "precise location") == {"Example Geo Ltd"}
    assert holders(G, "email address") == {"Example Tracker Co"}
    assert holders(G, "advertising ID") == {"Example Tracker Co"}
    assert sorted(G.graph["domains"]) == ["gps.example-geo.test", "sdk.example-tracker.test"]


def test_disconnect_folder_takes_both_files(tmp_path: Path) -> None:
    out = imported(tmp_path, "disconnect", "disconnect")
    loaded = load([out])
    G = project(loaded.g)
    assert count(loaded.g, DR.Company) == 3
    # Upper case is folded; an entry with a path is not a host name and is skipped.
    assert sorted(G.graph["domains"]) == ["ads.example-tracker.test", "example-miner.test", "example-replay.test",
                                          "example-tracker-shop.test", "example-tracker.test"]
    assert holders(G, "page interactions") == {"Example Replay"}  # the session-replay flag
    assert "Example Miner" not in holders(G, "online identifier")  # Cryptomining implies no personal data
    assert holders(G, "interests") == {"Example Tracker Co"}


def test_disconnect_either_file_alone(tmp_path: Path) -> None:
    only_entities = load([imported(tmp_path / "a", "disconnect", "disconnect/entities.json")])
    assert count(only_entities.g, DR.Collection) == 0 and count(only_entities.g, DR.Domain) == 5
    only_services = load([imported(tmp_path / "b", "disconnect", "disconnect/services.json")])
    assert count(only_services.g, DR.Collection) == 2


def test_webxray_fixture_chain_country_and_shared_alias(tmp_path: Path) -> None:
    G = project(load([imported(tmp_path, "webxray-owners", "webxray-mini.json")]).g)
    answer = ultimate_owner(G, "pixel.adco.example.test")
    assert answer.ultimate == ["Example Holdings"]
    assert [h["owner_label"] for h in answer.chains[0]] == ["Example Media", "Example Holdings"]
    assert answer.chains[0][0]["evidence"][0]["locator"] == "owners[id=2].parent_id = 1 (Example Media)"
    assert G.nodes["example-holdings"]["country"] == "GB"  # webXray's "UK"
    assert G.nodes["example-ad-co"]["country"] is None  # "?" is left out
    # "Example Ads" is an alias of Example Media and the name of another owner: not an alias.
    assert G.nodes["example-media"]["aliases"] == []
    assert "Example Ads" in G.nodes["example-media"]["note"]


def test_ca_fixture_flags_dbas_and_merged_registrations(tmp_path: Path) -> None:
    loaded = load([imported(tmp_path, "ca-broker-registry", "ca-registry-mini.csv")])
    G = project(loaded.g)
    assert count(loaded.g, DR.Company) == 4 and count(loaded.g, DR.Collection) == 5
    # "Yes ", "yes\xa0" and "YES" are Yes; "N/A" is not.
    assert holders(G, "precise location") == {"Example Data Brokers, Inc.", "Example People Search LLC", "Example Location Co"}
    assert holders(G, "reproductive health data") == {"Example Health Signals"}
    assert len(set(loaded.g.subjects(DR.whoseData, DR.Minors))) == 1
    people = G.nodes["example-people-search-llc"]
    assert people["aliases"] == sorted(["PeopleFinder Example", "Example Lookup", "Example Records", "Example Background Checks"])
    assert people["homepage"] == "https://www.peoplesearch.example.test"
    # A DBA shared by two brokers is nobody's alias.
    assert all("Shared Brand Example" not in G.nodes[n]["aliases"] for n in G)


def test_ca_registration_is_not_every_kind_of_personal_data(tmp_path: Path) -> None:
    G = project(load([imported(tmp_path, "ca-broker-registry", "ca-registry-mini.csv")]).g)
    rows = reach(G, "personal data").rows
    assert rows and all(r["partial"] for r in rows)
    assert "Example Health Signals" not in holders(G, "precise location")


def test_csv_import_one_grant_a_row_citing_the_row(tmp_path: Path) -> None:
    result = invoke("import", "csv", str(FIX / "partners.csv"), "-o", str(tmp_path), "--map", "grantor=Company",
                    "--map", "grantee=Partner", "--map", "data_types=Data shared", "--map", "valid_from=Since",
                    "--map", "note=Notes", "--set", "integration=data upload", "--source-id", "my-sheet",
                    "--source-title", "Our partners", "--source-publisher", "Me", "--source-url", "https://example.org/s",
                    "--source-date", "2024-05", "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["counts"]["grants"] == 3 and summary["output"].endswith("my-sheet.yaml")
    G = project(load([tmp_path / "my-sheet.yaml"]).g)
    edges = {(G.nodes[u]["label"], G.nodes[v]["label"]): a for u, v, a in G.edges(data=True)}
    grant = edges[("Example Social", "Example Tracker Co")]
    assert grant["evidence"][0]["locator"] == "row 3; set on the command line: integration=data upload" and grant["valid_from"] == "2019-05"
    assert "Example Tracker Co" in {r["label"] for r in reach(G, "email address").rows}


def test_csv_import_refuses_unknown_data_type_with_suggestion(tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("Company,Partner,Data\nA Co,B Co,phone nubmer\n", encoding="utf-8")
    result = invoke("import", "csv", str(sheet), "-o", str(tmp_path / "out"), "--map", "grantor=Company",
                    "--map", "grantee=Partner", "--map", "data_types=Data", "--set", "integration=data upload",
                    "--source-id", "s", "--source-title", "t", "--source-publisher", "p", "--source-url", "https://example.org")
    assert result.exit_code == 1
    # each distinct unknown value once, with its count and the nearest term (issue 13, item 9)
    assert "data_types: 'phone nubmer' (1 row) — nearest: phone number" in result.stderr
    assert not (tmp_path / "out").exists()


def test_mapping_tables_resolve_and_cite() -> None:
    for name in ("ddg-tds", "ddg-app-tds", "disconnect", "ca-broker-registry"):
        rules = mapping.table(name, name).rules
        assert rules, name
        for rule in rules.values():
            assert rule.basis in ("stated", "judgement") and rule.rationale and rule.reference_url.startswith("https://")


def test_mapping_tables_use_types_without_narrower_ones() -> None:
    """Holding a type implies every narrower type, so a table naming a broad type would over-claim."""
    from graph.model import ontology

    tax = ontology.data_types()
    for name in ("ddg-tds", "ddg-app-tds", "disconnect", "ca-broker-registry"):
        for rule in mapping.table(name, name).rules.values():
            for label in rule.data_types:
                slug = tax.resolve(label)
                assert tax.descendants(slug) == {slug}, f"{name}.csv row {rule.row}: '{label}' has narrower types"


def test_yaml_writer_round_trips_awkward_strings() -> None:
    awkward = ['say "no"', "back\\slash", "no", "0123", "tab\there", "line\nbreak", "nel\x85x", "ls\u2028x",
               "c1\x9bx", "emoji 😀", "# not a comment", "&anchor *alias !tag", "ends with space "]
    text = yamlout.dump({"companies": [{"name": s, "aliases": awkward} for s in awkward]})
    data, _ = strict_yaml(text)
    assert [c["name"] for c in data["companies"]] == awkward
    assert data["companies"][0]["aliases"] == awkward


@pytest.mark.parametrize("name", ["ddg-web-mini.json", "webxray-mini.json"])
def test_reimport_replaces_the_file(tmp_path: Path, name: str) -> None:
    kind = "ddg-tds" if name.startswith("ddg") else "webxray-owners"
    first = imported(tmp_path, kind, name).read_bytes()
    assert imported(tmp_path, kind, name).read_bytes() == first
    assert len(list((tmp_path / "imported").iterdir())) == 1
