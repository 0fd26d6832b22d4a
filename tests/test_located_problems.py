"""Bad input gives a located problem, never ``internal error … please report it``, and
``check`` refuses whatever ``build`` would refuse (issue 11, group 8 and the doubtful
items: NUL characters, NaN and infinite numbers, ontology labels).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BASE_YAML, FIXTURES, replace_line, run_module

from graph.build import compiled
from graph.build.loader import load
from graph.errors import InputError
from graph.importers import ImportProblem, Options, import_file

TTL = ("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
       "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n")
NOTE = "    note: a note\n"
BAD_INPUTS = {
    "yaml-lone-surrogate": ("f.yaml", replace_line(BASE_YAML, NOTE, '    note: "x\\ud800y"\n'), "lone surrogate"),
    "yaml-nul-escape": ("f.yaml", replace_line(BASE_YAML, NOTE, '    note: "x\\0y"\n'), "NUL character"),
    "yaml-surrogate-key": ("f.yaml", 'sources: []\n"k\\udfff": x\n', "lone surrogate"),
    "jsonld-lone-surrogate": ("f.jsonld", '{"@id": "https://example.org/a", "http://example.org/p": "a\\ud800b"}',
                              "lone surrogate"),
    "jsonld-nul": ("f.jsonld", '{"@id": "https://example.org/a", "http://example.org/p": "a\\u0000b"}', "NUL character"),
    "jsonld-huge-integer": ("f.jsonld", '{"@id": "https://example.org/a", "http://example.org/p": ' + "9" * 5000 + "}",
                            "more than 4300 digits"),
    "jsonld-nan": ("f.jsonld", '{"@id": "https://example.org/a", "http://example.org/p": NaN}', "NaN is not a JSON number"),
    "jsonld-deep": ("f.jsonld", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "turtle-nul": ("f.ttl", TTL + '<https://example.org/a> rdfs:comment "a\\u0000b" .\n', "NUL character"),
    "turtle-nan-double": ("f.ttl", TTL + '<https://example.org/a> rdfs:comment "NaN"^^xsd:double .\n',
                          "not a finite number"),
    "turtle-overflowing-double": ("f.ttl", TTL + '<https://example.org/a> rdfs:comment "1e999999"^^xsd:double .\n',
                                  "not a finite number"),
    "turtle-literal-over-16-mib": ("f.ttl", TTL + '<https://example.org/a> rdfs:comment "' + "a" * (17 * 2**20) + '" .\n',
                                   "longer than 16 MiB"),
    "turtle-ontology-label": ("f.ttl", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
                              '<https://w3id.org/datareach/datatype/phone-number> skos:prefLabel "mobile"@en .\n',
                              "is an ontology term"),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_check_refuses_what_build_refuses_with_a_located_problem(tmp_path, name):
    filename, text, needle = BAD_INPUTS[name]
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(InputError) as checked:
        load([path])
    with pytest.raises(InputError) as built:
        compiled.build([path], tmp_path / "out")
    assert [str(p) for p in checked.value.problems] == [str(p) for p in built.value.problems]
    assert any(needle in p.message and p.file == str(path) for p in checked.value.problems), checked.value.problems
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_cli_check_and_build_never_report_an_internal_error(tmp_path):
    for name in ("yaml-lone-surrogate", "jsonld-huge-integer", "turtle-nan-double"):
        filename, text, needle = BAD_INPUTS[name]
        path = tmp_path / name / filename
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        for command in (["check", str(path)], ["--out", str(tmp_path / name / "out"), "build", str(path)]):
            result = run_module(*command, timeout=120)
            assert result.returncode == 1, (command, result.stderr)
            assert "internal error" not in result.stderr and needle in result.stderr, result.stderr


def _tds(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extension-tds.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


TDS_BAD = {
    "surrogate-in-a-name": ('{"trackers": {"t.example.com": {"owner": {"name": "Evil\\ud800Co"}}}, "entities": {}}',
                            "lone surrogate"),
    "nul-in-a-name": ('{"trackers": {"t.example.com": {"owner": {"name": "Evil\\u0000Co"}}}, "entities": {}}',
                      "NUL character"),
    "huge-integer": ('{"trackers": {}, "entities": {}, "x": ' + "9" * 5000 + "}", "more than 4300 digits"),
    "100k-deep": ('{"trackers": ' + "[" * 100_000 + "]" * 100_000 + ', "entities": {}}', "nested too deeply"),
}


@pytest.mark.parametrize("name", list(TDS_BAD))
def test_import_ddg_tds_refuses_what_no_fact_file_can_hold(tmp_path, name):
    """``import ddg-tds`` used to write a lone surrogate into the fact file it produced."""
    text, needle = TDS_BAD[name]
    with pytest.raises(ImportProblem, match=needle):
        import_file("ddg-tds", _tds(tmp_path, text), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_import_ddg_tds_ignores_categories_that_are_not_text(tmp_path):
    """Unhashable categories (a list, an object) used to crash the importer."""
    tds = {"trackers": {"t.example.com": {"owner": {"name": "Evil Co"}, "categories": [["x"], {"a": 1}, "Analytics"],
                                          "prevalence": [1], "fingerprinting": {"x": 1}}},
           "entities": {"Evil Co": {"prevalence": 1}}, "domains": {"t.example.com": "Evil Co"}}
    result = import_file("ddg-tds", _tds(tmp_path, json.dumps(tds)), tmp_path / "out", Options(skip_unknown=True))
    assert result.counts["holdings"] == 1
    load([result.output, tmp_path / "out"])


def test_importers_give_a_clean_problem_for_values_of_the_wrong_type(tmp_path):
    owners = json.loads((FIXTURES / "import" / "webxray-mini.json").read_text())
    owners[0]["aliases"], owners[0]["domains"] = 5, [["x"]]
    path = tmp_path / "domain_owners.json"
    path.write_text(json.dumps(owners))
    with pytest.raises(ImportProblem, match="unexpected type|should be"):
        import_file("webxray-owners", path, tmp_path / "out")


def test_import_of_a_csv_with_a_nul_is_refused(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_bytes(b"Company,Partner,Data\nA,B\x00,phone number\n")
    with pytest.raises(ImportProblem, match=":2: contains a NUL character"):
        import_file("csv", path, tmp_path / "out", Options(maps={"grantor": "Company", "grantee": "Partner",
                                                                 "data_types": "Data"},
                                                           sets={"integration": "data upload"},
                                                           source={"id": "s", "title": "t", "publisher": "p",
                                                                   "url": "https://example.org/"}))
