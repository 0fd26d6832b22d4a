"""Loading fact files: valid input loads, and each kind of mistake is refused with a
message naming the file, the line, the field, what was expected and the nearest known term.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BASE_YAML, SMALL, assert_refused, line_of, replace_line
from rdflib import RDF, RDFS, SKOS, Literal, URIRef

from graph.build import compiled
from graph.build.loader import load, validate
from graph.errors import InputError, Problem
from graph.model.vocab import DR, ID

# A mistake in one place crashes the compiler today because schema-invalid records are
# still compiled (emit.py indexes fields the schema has just refused). See the report.
SCHEMA_THEN_COMPILE = "BUG: a record the JSON Schema refused is still compiled; emit.py raises KeyError instead of reporting the problem"


def company_nodes(g) -> dict[str, URIRef]:
    return {str(g.value(c, RDFS.label)): c for c in g.subjects(RDF.type, DR.Company)}


# ---------------------------------------------------------------- valid input


def test_small_example_loads():
    loaded = load([SMALL])
    counts = compiled.summarise(loaded.g)
    assert counts["companies"] == 5
    assert counts["grants"] == 3
    assert counts["incidents"] == 1
    assert counts["sources"] == 1
    assert loaded.warnings == []
    assert loaded.files == [SMALL]


def test_small_example_check_command(cli):
    result = cli("check", str(SMALL))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: 1 files")


def test_base_fixture_loads(write):
    loaded = load([write("facts.yaml", BASE_YAML)])
    assert validate(loaded.g) == []
    grant = ID["grant/g1"]
    assert (grant, RDF.type, DR.AccessGrant) in loaded.g
    assert set(loaded.g.objects(grant, DR.permission)) == {DR.read, DR.write}
    assert loaded.g.value(grant, DR.status) == DR.ShutDown


def test_aliases_resolve_to_one_company(write):
    text = replace_line(BASE_YAML, "    grantor: Facebook\n", '    grantor: "  facebook,   INC. "\n')
    loaded = load([write("facts.yaml", text)])
    facebook = company_nodes(loaded.g)["Facebook"]
    assert loaded.g.value(ID["grant/g1"], DR.grantor) == facebook
    assert (facebook, SKOS.altLabel, Literal("Facebook, Inc.")) in loaded.g
    assert len(company_nodes(loaded.g)) == 3


def test_files_may_refer_to_each_other(write):
    """Sources and companies declared in one file can be used by another, in any order."""
    head, tail = BASE_YAML.split("holdings:\n")
    facts = write("a-facts.yaml", "holdings:\n" + tail)
    decls = write("z-declarations.yaml", head)
    loaded = load([facts, decls])
    assert compiled.summarise(loaded.g)["grants"] == 1


def test_json_schema_file_is_valid_draft_2020_12():
    import jsonschema

    from graph.build.factfile import schema

    jsonschema.Draft202012Validator.check_schema(schema())


# ---------------------------------------------------------------- line-aware errors

# (id, line to replace, replacement, field, message, suggestion)
MISTAKES = [
    ("data-type", "    data_types: [private message]\n", "    data_types: [phone nubmer]\n",
     "grants[0].data_types[0]", "unknown data type 'phone nubmer'", "phone number"),
    ("grantee", "    grantee: Spotify\n", "    grantee: Spotfy\n",
     "grants[0].grantee", "unknown company 'Spotfy'", "Spotify"),
    ("grantor", "    grantor: Facebook\n", "    grantor: Facebok\n",
     "grants[0].grantor", "unknown company 'Facebok'", "Facebook"),
    ("holder", "  - holder: Facebook\n", "  - holder: Facebooc\n",
     "holdings[0].holder", "unknown company 'Facebooc'", "Facebook"),
    ("platform", "    platform: Facebook\n", "    platform: Facebuk\n",
     "incidents[0].platform", "unknown company 'Facebuk'", "Facebook"),
    ("recipient", "    recipients: [public]\n", "    recipients: [public, Spotifi]\n",
     "incidents[0].recipients[1]", "unknown company 'Spotifi'", "Spotify"),
    ("owner", "  - owner: Example Holdings\n", "  - owner: Example Holding\n",
     "ownership[0].owner", "unknown company 'Example Holding'", "Example Holdings"),
    ("integration", "    integration: messaging integration\n", "    integration: mesaging integration\n",
     "grants[0].integration", "unknown integration kind 'mesaging integration'", "messaging integration"),
    ("exploited-feature", "    exploited_feature: contact importer\n", "    exploited_feature: contact importr\n",
     "incidents[0].exploited_feature", "unknown integration kind 'contact importr'", "contact importer"),
    ("source-id", '    evidence: [{source: src, locator: "¶2"}]\n', '    evidence: [{source: srx, locator: "¶2"}]\n',
     "grants[0].evidence[0].source", "unknown source 'srx'", "src"),
    ("field-name", "    permissions: [read, write]\n", "    permision: [read, write]\n",
     "grants[0].permision", "unknown field 'permision'", "permissions"),
    ("impossible-day", '    valid_from: "2012"\n', '    valid_from: "2024-13-45"\n',
     "grants[0].valid_from", "'2024-13-45' is not a real date", None),
    ("impossible-month", '    valid_from: "2012"\n', '    valid_from: "2024-13"\n',
     "grants[0].valid_from", "'2024-13' is not a real date", None),
    ("february-30", '    valid_from: "2012"\n', '    valid_from: "2023-02-30"\n',
     "grants[0].valid_from", "'2023-02-30' is not a real date", None),
    ("empty-evidence", '    evidence: [{source: src, locator: "¶2"}]\n', "    evidence: []\n",
     "grants[0].evidence", "[] should be non-empty", None),
    ("source-date-format", '    date: "2018-12-20"\n', '    date: "20 Dec 2018"\n',
     "sources[0].date", "'20 Dec 2018' is not a date: write YYYY, YYYY-MM, YYYY-MM-DD or unknown", None),
]


@pytest.mark.parametrize(("old", "new", "field", "message", "suggestion"),
                         [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_mistake_is_refused_with_file_line_field_and_suggestion(cli, write, old, new, field, message, suggestion):
    text = replace_line(BASE_YAML, old, new)
    path = write("facts.yaml", text)
    line = line_of(text, new.strip())
    result = cli("check", str(path))
    expected = f"{path}:{line}: {field}: {message}"
    assert_refused(result, expected)
    if suggestion is not None:
        assert f"{message}" in result.stderr
        assert f"did you mean '{suggestion}'?" in result.stderr


@pytest.mark.parametrize("field", ["valid_from", "stated_end", "last_observed_active"])
def test_malformed_date_in_any_date_field_gets_the_friendly_message(cli, write, field):
    text = replace_line(BASE_YAML, '    valid_from: "2012"\n', f'    {field}: "20/12/2012"\n')
    path = write("facts.yaml", text)
    result = cli("check", str(path))
    assert_refused(result, f"{path}:{line_of(text, '20/12/2012')}: grants[0].{field}: '20/12/2012' is not a date: "
                           "write YYYY, YYYY-MM, YYYY-MM-DD or unknown", "1 problem in the input")
    assert "does not match" not in result.stderr


def test_unknown_key_with_block_value_names_the_key_line(cli, write):
    text = replace_line(BASE_YAML, "ownership:\n", "ownershp:\n")
    path = write("facts.yaml", text)
    assert_refused(cli("check", str(path)),
                   f"{path}:{line_of(text, 'ownershp:')}: ownershp: unknown field 'ownershp' — did you mean 'ownership'?")


def test_unknown_section_is_refused_with_suggestion(cli, write):
    text = replace_line(BASE_YAML, "ownership:\n", "ownershp:\n")
    assert_refused(cli("check", str(write("facts.yaml", text))), "ownershp: unknown field 'ownershp'",
                   "did you mean 'ownership'?")


# Mistakes that today crash with a KeyError (see SCHEMA_THEN_COMPILE). Each must be
# refused like the ones above.
CRASHING = [
    ("bad-status-enum", "    status: shut down\n", "    status: shutdown\n",
     "grants[0].status", "'shutdown' is not allowed here", "shut down"),
    ("bad-stance-enum", '    evidence: [{source: src, locator: "¶2"}]\n',
     '    evidence: [{source: src, locator: "¶2", stance: dispute}]\n',
     "grants[0].evidence[0].stance", "'dispute' is not allowed here", "disputes"),
    ("missing-evidence", '    evidence: [{source: src, locator: "¶2"}]\n', "    note2: x\n",
     "grants[0]", "missing a citation", None),
    ("missing-locator", '    evidence: [{source: src, locator: "¶2"}]\n', "    evidence: [{source: src}]\n",
     "grants[0].evidence[0]", "missing field 'locator'", None),
    ("missing-grantee", "    grantee: Spotify\n", "    # grantee left out\n",
     "grants[0]", "missing field 'grantee'", None),
]


@pytest.mark.parametrize(("old", "new", "field", "message", "suggestion"),
                         [m[1:] for m in CRASHING], ids=[m[0] for m in CRASHING])
def test_schema_mistake_is_refused_not_crashing(cli, write, old, new, field, message, suggestion):
    text = replace_line(BASE_YAML, old, new)
    if "note2" in new:  # drop the evidence line entirely (the uncited grant)
        text = text.replace(new, "")
    path = write("facts.yaml", text)
    result = cli("check", str(path))
    assert_refused(result, f"{path}:", f" {field}: ", message)
    if suggestion is not None:
        assert f"did you mean '{suggestion}'?" in result.stderr


def test_schema_refused_value_is_reported_once(cli, write):
    text = replace_line(BASE_YAML, '    date: "2018-12-20"\n', '    date: "20 Dec 2018"\n')
    assert_refused(cli("check", str(write("facts.yaml", text))), "1 problem in the input")


def test_uncited_grant_is_refused_by_the_library(write):
    text = replace_line(BASE_YAML, '    evidence: [{source: src, locator: "¶2"}]\n', "")
    with pytest.raises(InputError) as info:
        load([write("facts.yaml", text)])
    (problem,) = info.value.problems
    assert problem.field == "grants[0]"
    assert "missing a citation" in problem.message
    assert problem.line == line_of(text, "  - id: g1")


def test_bad_enum_problem_is_reported_by_the_schema_check(write):
    """The schema layer itself finds the bad enum and suggests the nearest value."""
    from graph.build import factfile

    text = replace_line(BASE_YAML, "    status: shut down\n", "    status: shutdown\n")
    ff, problems = factfile.read(write("facts.yaml", text))
    assert ff is not None
    assert problems == [Problem(problems[0].file, line_of(text, "status: shutdown"), "grants[0].status",
                                problems[0].message, "shut down")]
    assert "'shutdown' is not allowed here (expected one of: active, shut down, unknown)" == problems[0].message


def test_every_problem_in_every_file_is_listed(write):
    one = write("one.yaml", replace_line(BASE_YAML, "    data_types: [private message]\n", "    data_types: [phone nubmer]\n"))
    two = write("two.yaml", "grants:\n  - grantor: Facebook\n    grantee: Nobody Inc\n    integration: scraping\n"
                            "    data_types: [name]\n    evidence: [{source: src, locator: x}]\n")
    with pytest.raises(InputError) as info:
        load([one, two])
    found = {(Path(p.file).name, p.line, p.field) for p in info.value.problems}
    assert found == {("one.yaml", line_of(BASE_YAML, "    data_types: [private message]"), "grants[0].data_types[0]"),
                     ("two.yaml", 3, "grants[0].grantee")}
    assert "2 problems in the input" in str(info.value)


def test_check_json_format_lists_problems(cli, write):
    text = replace_line(BASE_YAML, "    data_types: [private message]\n", "    data_types: [phone nubmer]\n")
    path = write("facts.yaml", text)
    result = cli("check", "--format", "json", str(path))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["problems"] == [{"file": str(path), "line": line_of(text, "phone nubmer"),
                                   "field": "grants[0].data_types[0]", "message": "unknown data type 'phone nubmer'",
                                   "suggestion": "phone number"}]


# ---------------------------------------------------------------- duplicates and clashes


def test_duplicate_grant_id_is_refused(cli, write):
    grant = BASE_YAML[BASE_YAML.index("  - id: g1\n"):BASE_YAML.index("incidents:\n")]
    text = BASE_YAML.replace("incidents:\n", grant + "incidents:\n")
    path = write("facts.yaml", text)
    second = [i for i, line in enumerate(text.splitlines(), 1) if line == "  - id: g1"][1]
    assert_refused(cli("check", str(path)), f"{path}:{second}: grants[1].id: duplicate grant id 'g1'")


def test_explicit_id_wins_over_a_generated_one(write):
    earlier = ("  - grantor: Facebook\n    grantee: Spotify\n    integration: scraping\n    data_types: [name]\n"
               "    evidence: [{source: src, locator: x}]\n")
    text = replace_line(BASE_YAML, "  - id: g1\n", earlier + "  - id: facebook-spotify\n")
    loaded = load([write("facts.yaml", text)])
    assert (ID["grant/facebook-spotify"], DR.integration, None) in loaded.g
    assert compiled.summarise(loaded.g)["grants"] == 2


def test_company_declared_twice_is_one_company(write):
    """A second declaration with a known name (any case) is merged into the first, not duplicated."""
    text = replace_line(BASE_YAML, "  - name: Spotify\n", "  - name: Spotify\n  - name: SPOTIFY\n    aliases: [Spotify AB]\n")
    loaded = load([write("facts.yaml", text)])
    nodes = company_nodes(loaded.g)
    assert set(nodes) == {"Facebook", "Spotify", "Example Holdings"}
    assert (nodes["Spotify"], SKOS.altLabel, Literal("Spotify AB")) in loaded.g


def test_duplicate_incident_id_is_refused(cli, write):
    incident = BASE_YAML[BASE_YAML.index("  - id: scrape\n"):BASE_YAML.index("ownership:\n")]
    text = BASE_YAML.replace("ownership:\n", incident + "ownership:\n")
    path = write("facts.yaml", text)
    assert_refused(cli("check", str(path)), "incidents[1].id: duplicate incident id 'scrape'")


def test_duplicate_source_id_across_files_is_refused(cli, write):
    first = write("a.yaml", BASE_YAML)
    second = write("b.yaml", BASE_YAML[:BASE_YAML.index("companies:\n")])
    assert_refused(cli("check", str(first), str(second)),
                   f"{second}:2: sources[0].id: source id 'src' is already used in {first}")


def test_a_declaration_naming_two_companies_merges_them_with_a_warning(cli, write):
    """One declaration whose names belong to two companies bridges them (real datasets do this)."""
    text = replace_line(BASE_YAML, "  - name: Example Holdings\n",
                        '  - name: Example Holdings\n  - name: Newco\n    aliases: ["facebook, inc.", "Spotify"]\n')
    path = write("facts.yaml", text)
    result = cli("check", str(path))
    assert result.exit_code == 0, result.stderr
    assert f"{path}:{line_of(text, 'Newco')}: companies[3].name: 'Newco' names two companies, 'Facebook' and 'Spotify'" \
        in result.stderr


def test_a_bridge_across_a_not_same_judgement_is_refused(cli, write):
    text = BASE_YAML.replace("companies:\n", 'judgements:\n  - {verdict: "not same", names: [Facebook, Spotify]}\ncompanies:\n', 1)
    text = replace_line(text, "  - name: Example Holdings\n",
                        '  - name: Example Holdings\n  - name: Newco\n    aliases: ["facebook, inc.", "Spotify"]\n')
    path = write("facts.yaml", text)
    assert_refused(cli("check", str(path)), "but a judgement says they are not the same company")


# ---------------------------------------------------------------- look-alike names


HOMOGLYPH = replace_line(BASE_YAML, "  - name: Spotify\n", '  - name: Spotify\n  - name: Acme\n  - name: "\u0410cme"\n')


def test_homoglyph_companies_stay_two_nodes_with_a_warning(write):
    loaded = load([write("facts.yaml", HOMOGLYPH)])
    nodes = company_nodes(loaded.g)
    assert nodes["Acme"] != nodes["\u0410cme"]
    warnings = [str(w) for w in loaded.warnings]
    assert any("'Acme'" in w and "'\u0410cme'" in w and "not merged" in w for w in warnings), warnings
    assert any("mixes Latin and Cyrillic letters" in w for w in warnings), warnings


def test_homoglyph_warning_is_shown_by_check(cli, write):
    result = cli("check", str(write("facts.yaml", HOMOGLYPH)))
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr
    assert "Acme" in result.stderr and "\u0410cme" in result.stderr


def test_homoglyph_name_does_not_resolve_to_the_latin_company(cli, write):
    text = HOMOGLYPH.replace("    grantee: Spotify\n", "    grantee: \"\u0410cme\"\n")
    loaded = load([write("facts.yaml", text)])
    assert loaded.g.value(ID["grant/g1"], DR.grantee) == company_nodes(loaded.g)["\u0410cme"]


def test_lookalike_warning_names_the_file(write):
    path = write("facts.yaml", HOMOGLYPH)
    loaded = load([path])
    lookalike = [w for w in loaded.warnings if "look alike" in w.message]
    assert lookalike and all(w.file == str(path) and w.line is not None for w in lookalike)
