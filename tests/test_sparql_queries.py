"""Named queries on the small fixture graph (exact rows), parameter resolution and
injection, result formats, and the ``sparql`` command as a user runs it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from graph.build.project import Project
from graph.cli.session import Session
from graph.cli.sparql import sparql as sparql_command
from graph.errors import NotFoundError
from graph.model.vocab import DT, ID
from graph.sparql.local import check_query, run_query
from graph.sparql.output import curie, format_result
from graph.sparql.queries import (
    BadParameter,
    QueryFileError,
    UnknownQuery,
    get_query,
    list_queries,
    load_query_file,
    run_named,
)
from graph.sparql.result import QueryResult
from graph.sparql.terms import resolve_company, resolve_datatype

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "sparql_small.ttl"
REQUIRED = {"companies-reaching", "private-message-permissions", "overrode-privacy-setting",
            "incident-exposure", "disputes", "grants-by-company", "partner-table", "sources"}
NYT_TITLE = "As Facebook Raised a Privacy Wall, It Carved an Opening for Tech Giants"
NYT_URL = "https://www.nytimes.com/2018/12/18/technology/facebook-privacy.html"
VICE_URL = "https://www.vice.com/en/article/7kvp7y/facebook-normalize-mass-scraping-personal-data"


@pytest.fixture(scope="module")
def g() -> Graph:
    g = Graph()
    for path in (ROOT / "ontology" / "vocab.ttl", ROOT / "ontology" / "taxonomy.ttl", FIXTURE):
        g.parse(path, format="turtle")
    return g


def plain(term: Node | None) -> str | None:
    """A cell as a short string: CURIE for our IRIs, lexical form for literals."""
    if term is None:
        return None
    return curie(term) if isinstance(term, URIRef) else str(term)


def table(result: QueryResult) -> list[tuple[str | None, ...]]:
    return [tuple(plain(cell) for cell in row) for row in result.rows]


# ---------------------------------------------------------------- the shipped queries

def test_the_required_queries_ship_with_headers_and_pass_the_guard() -> None:
    queries = list_queries()
    assert REQUIRED <= {q.name for q in queries}
    for q in queries:
        assert q.title and q.description, q.name
        check_query(q.text)
        for p in q.params:
            assert f"?{p.name}" in q.text


def test_companies_reaching_counts_broader_grants_but_not_narrower(g) -> None:
    result = run_named(g, "companies-reaching", {"data_type": "phone number"})
    assert result.vars == ["company", "company_label", "granted_type", "grantor_label",
                           "integration", "grant"]
    assert table(result) == [("id:amazon", "Amazon", "dt:contact-information", "Facebook",
                              "ik:device-integration", "id:grant-facebook-amazon-device")]
    # nobody was granted "personal data" itself or anything broader
    assert run_named(g, "companies-reaching", {"data_type": "personal data"}).rows == []


def test_companies_reaching_private_messages(g) -> None:
    result = run_named(g, "companies-reaching", {"data_type": "dt:private-message"})
    assert [row[:3] for row in table(result)] == [
        ("id:netflix", "Netflix", "dt:private-message"),
        ("id:rbc", "Royal Bank of Canada", "dt:private-message"),
        ("id:spotify", "Spotify", "dt:private-message"),
    ]


def test_private_message_permissions(g) -> None:
    result = run_named(g, "private-message-permissions", {})
    assert result.vars == ["company_label", "read", "write", "delete", "disputed", "status", "grant"]
    assert table(result) == [
        ("Netflix", "true", "true", "false", "false", "dr:StatusUnknown",
         "id:grant-facebook-netflix-messaging"),
        ("Royal Bank of Canada", "true", "true", "true", "true", "dr:StatusUnknown",
         "id:grant-facebook-rbc-messaging"),
        ("Spotify", "true", "true", "true", "false", "dr:ShutDown",
         "id:grant-facebook-spotify-messaging"),
    ]
    assert result.rows[0][1] == Literal(True)


def test_overrode_privacy_setting(g) -> None:
    result = run_named(g, "overrode-privacy-setting", {})
    assert table(result) == [("Apple", "Facebook", "address book, calendar entries",
                              "ik:device-integration", "id:grant-facebook-apple-device")]


def test_incident_exposure(g) -> None:
    result = run_named(g, "incident-exposure", {})
    label = "533 million accounts scraped through the contact importer"
    assert table(result) == [
        (label, "Facebook", exposed, "ik:scraping", "ik:contact-importer", "dr:Public",
         "533000000", "2021-04", "id:incident-2021-scrape")
        for exposed in ("birth date", "name", "phone number")
    ]
    assert result.rows[0][6] == Literal(533000000)


def test_disputes(g) -> None:
    result = run_named(g, "disputes", {})
    assert result.vars == ["about", "claimant", "aspect", "note", "publisher", "title", "date",
                           "url", "locator", "fact"]
    assert table(result) == [(
        "Facebook → Royal Bank of Canada", "Royal Bank of Canada", "access",
        "The bank disputed that it had any such access.", "The New York Times", NYT_TITLE,
        "2018-12-18", NYT_URL, "bank spokesman's statement", "id:grant-facebook-rbc-messaging",
    )]


def test_grants_by_company_as_grantee(g) -> None:
    result = run_named(g, "grants-by-company", {"company": "RBC"})
    assert table(result) == [("grantee", "Facebook", "private message", "ik:messaging-integration",
                              "read, write, delete", "dr:StatusUnknown",
                              "id:grant-facebook-rbc-messaging")]


def test_grants_by_company_as_grantor(g) -> None:
    result = run_named(g, "grants-by-company", {"company": "Meta Platforms"})
    assert [(r[1], r[2], r[4]) for r in table(result)] == [
        ("Amazon", "contact information, name", "read"),
        ("Apple", "address book, calendar entries", "read"),
        ("Netflix", "private message", "read, write"),
        ("Royal Bank of Canada", "private message", "read, write, delete"),
        ("Spotify", "message thread participants, private message", "read, write, delete"),
    ]
    assert {r[0] for r in table(result)} == {"grantor"}


def test_partner_table(g) -> None:
    result = run_named(g, "partner-table", {})
    assert result.vars == ["company", "platform", "integration", "data", "permissions",
                           "activation", "start", "end", "status", "grant"]
    assert table(result) == [
        ("Amazon", "Facebook", "ik:device-integration", "contact information, name", "read",
         None, None, None, "dr:Active", "id:grant-facebook-amazon-device"),
        ("Apple", "Facebook", "ik:device-integration", "address book, calendar entries", "read",
         "none: on by default", "2012-06-01", None, "dr:Active", "id:grant-facebook-apple-device"),
        ("Netflix", "Facebook", "ik:messaging-integration", "private message", "read, write",
         None, None, None, "dr:StatusUnknown", "id:grant-facebook-netflix-messaging"),
        ("Royal Bank of Canada", "Facebook", "ik:messaging-integration", "private message",
         "read, write, delete", None, None, None, "dr:StatusUnknown",
         "id:grant-facebook-rbc-messaging"),
        ("Spotify", "Facebook", "ik:messaging-integration",
         "message thread participants, private message", "read, write, delete",
         "signed in to Facebook to use the partner's messaging feature", "2010", "2018",
         "dr:ShutDown", "id:grant-facebook-spotify-messaging"),
    ]
    assert result.rows[1][6] == Literal("2012-06-01", datatype=XSD.date)


def test_sources(g) -> None:
    result = run_named(g, "sources", {})
    assert table(result) == [
        ("The New York Times", NYT_TITLE, "2018-12-18", NYT_URL, "3", "id:source-nyt-2018"),
        ("Vice", "Facebook Wants to 'Normalize' the Mass Scraping of Personal Data", "2021-04",
         VICE_URL, "1", "id:source-vice-2021"),
    ]


# ---------------------------------------------------------------- names and parameters

def test_unknown_query_names_the_nearest_and_lists_all() -> None:
    with pytest.raises(UnknownQuery) as info:
        get_query("partner-tabel")
    message = str(info.value)
    assert "did you mean 'partner-table'?" in message
    assert all(name in message for name in REQUIRED)


@pytest.mark.parametrize("params, message", [
    ({}, "missing parameter 'company'"),
    ({"company": "Spotify", "compnay": "x"}, "unknown parameter 'compnay'.*did you mean 'company'"),
    ({"company": "Spotfy"}, "unknown company 'Spotfy' — did you mean 'Spotify'"),
])
def test_bad_parameters_are_typed_errors(g, params, message) -> None:
    with pytest.raises(BadParameter, match=message):
        run_named(g, "grants-by-company", params)


@pytest.mark.parametrize("value", ["dt:phone-number", "phone-number", "Phone  Number",
                                   "telephone number", str(DT["phone-number"])])
def test_default_datatype_resolver_accepts_every_form(g, value) -> None:
    assert resolve_datatype(g, value) == DT["phone-number"]


@pytest.mark.parametrize("value", ["id:rbc", "rbc", "RBC", "royal bank of canada", str(ID.rbc)])
def test_default_company_resolver_accepts_every_form(g, value) -> None:
    assert resolve_company(g, value) == ID.rbc


def test_resolver_does_not_invent_terms(g) -> None:
    with pytest.raises(LookupError, match="unknown company 'dt:phone-number'"):
        resolve_company(g, "dt:phone-number")
    with pytest.raises(LookupError, match="unknown data type 'nosuch'"):
        resolve_datatype(g, "nosuch")


def test_callers_resolvers_are_used_and_their_errors_become_bad_parameter(g) -> None:
    seen: list[str] = []

    def company(value: str) -> Node:
        seen.append(value)
        return ID.spotify

    result = run_named(g, "grants-by-company", {"company": "anything"}, resolvers={"company": company})
    assert seen == ["anything"] and table(result)[0][-1] == "id:grant-facebook-spotify-messaging"

    def refuse(value: str) -> Node:
        raise NotFoundError("company", value, ["Spotify"])

    with pytest.raises(BadParameter, match="--param company: unknown company 'Spotfy'"):
        run_named(g, "grants-by-company", {"company": "Spotfy"}, resolvers={"company": refuse})


PAYLOADS = ['x" } UNION { ?s ?p ?o } #', 'x" . SERVICE <http://127.0.0.1:1/> { } } #',
            'Spotify""" } UNION { ?s ?p ?o } #', "Spotify\\", "Spotify\n} UNION { ?s ?p ?o }",
            "id:spotify> } UNION { ?s ?p ?o", "Spotify { ?s ?p ?o }", "<http://x/> . ?s ?p ?o"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_payloads_are_unknown_names(g, payload) -> None:
    with pytest.raises(BadParameter, match="unknown company"):
        run_named(g, "grants-by-company", {"company": payload})
    with pytest.raises(BadParameter, match="unknown data type"):
        run_named(g, "companies-reaching", {"data_type": payload})


@pytest.fixture
def string_query_dir(tmp_path: Path) -> Path:
    (tmp_path / "by-label.rq").write_text(
        '# name: by-label\n# title: By label\n# description: Companies with this exact label.\n'
        '# param: label string "the label"\n'
        "SELECT ?c WHERE { ?c rdfs:label ?label }\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_payloads_in_string_parameters_match_nothing(g, string_query_dir, payload) -> None:
    assert run_named(g, "by-label", {"label": payload}, directory=string_query_dir).rows == []
    spotify = run_named(g, "by-label", {"label": "Spotify"}, directory=string_query_dir)
    assert spotify.rows == [(ID.spotify,)]


@pytest.mark.parametrize("header, message", [
    ("# name: other\n# title: t\n# description: d\n", "needs '# name: q'"),
    ('# name: q\n# title: t\n# description: d\n# param: x bogus "x"\n', "bad '# param"),
    ('# name: q\n# title: t\n# description: d\n# param: nope string "x"\n', "not a variable"),
])
def test_malformed_query_files_fail_fast(tmp_path, header, message) -> None:
    path = tmp_path / "q.rq"
    path.write_text(header + "SELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QueryFileError, match=message):
        load_query_file(path)


# ---------------------------------------------------------------- formats

@pytest.fixture(scope="module")
def companies(g) -> QueryResult:
    return run_query(g, "SELECT ?c ?name WHERE { ?c a dr:Company ; rdfs:label ?name } ORDER BY ?c")


def test_table_is_aligned_and_compact(companies) -> None:
    lines = format_result(companies, "table").splitlines()
    assert lines[0].split() == ["c", "name"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split(None, 1) == ["id:amazon", "Amazon"]
    starts = {line.index(line.split()[1]) for line in lines[:3]}
    assert len(starts) == 1  # the second column starts at one offset


def test_table_escapes_control_and_bidi_characters_and_elides() -> None:
    nasty = Literal("\x1b[2J\u202egnp.exe\n" + "x" * 200)
    text = format_result(QueryResult("SELECT", vars=["v"], rows=[(nasty,)]), "table", width=60)
    assert "\x1b" not in text and "\u202e" not in text and "\\u001b" in text
    assert text.splitlines()[-1].endswith("…") and len(text.splitlines()[-1]) == 60
    whole = format_result(QueryResult("SELECT", vars=["v"], rows=[(nasty,)]), "table")
    assert "x" * 200 in whole and "…" not in whole


def test_csv_neutralises_formulas_and_round_trips(companies) -> None:
    text = format_result(companies, "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["c", "name"]
    assert [str(ID.amazon), "Amazon"] in rows
    assert [str(ID["formula-corp"]), "'=HYPERLINK(\"http://example.invalid\")"] in rows
    for cells in (["+cmd|' /C calc'!A0"], ["-2+3"], ["@SUM(A1)"], ["\tx"], ["\rx"]):
        result = QueryResult("SELECT", vars=["v"], rows=[(Literal(cells[0]),)])
        assert list(csv.reader(io.StringIO(format_result(result, "csv"))))[1][0].startswith("'")


def test_tsv_uses_sparql_term_syntax(companies) -> None:
    lines = format_result(companies, "tsv").splitlines()
    assert lines[0] == "?c\t?name"
    assert f"<{ID.amazon}>\t\"Amazon\"" in lines
    tab = QueryResult("SELECT", vars=["v"], rows=[(Literal("a\tb\nc"),)])
    assert format_result(tab, "tsv").splitlines()[1] == '"a\\tb\\nc"'


def test_json_is_sparql_results_json(g, companies) -> None:
    data = json.loads(format_result(companies, "json"))
    assert data["head"]["vars"] == ["c", "name"]
    assert data["results"]["bindings"][0] == {"c": {"type": "uri", "value": str(ID.amazon)},
                                              "name": {"type": "literal", "value": "Amazon"}}
    typed = run_query(g, 'SELECT ?n ?l ?u WHERE { BIND(3 AS ?n) BIND("x"@en AS ?l) }')
    binding = json.loads(format_result(typed, "json"))["results"]["bindings"][0]
    assert binding == {"n": {"type": "literal", "value": "3", "datatype": str(XSD.integer)},
                       "l": {"type": "literal", "value": "x", "xml:lang": "en"}}


def test_ask_and_construct_formats(g) -> None:
    ask = run_query(g, "ASK { id:rbc a dr:Company }")
    assert format_result(ask, "table") == "true"
    assert json.loads(format_result(ask, "json")) == {"head": {}, "boolean": True}
    built = run_query(g, "CONSTRUCT { ?c a dr:Company } WHERE { ?c rdfs:label 'Spotify' }")
    assert "id:spotify a dr:Company" in format_result(built, "turtle")
    assert Graph().parse(data=format_result(built, "turtle"), format="turtle").__len__() == 1
    with pytest.raises(ValueError, match="graph"):
        format_result(built, "csv")
    with pytest.raises(ValueError, match="turtle is for CONSTRUCT"):
        format_result(ask, "turtle")


# ---------------------------------------------------------------- the command

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The SPARQL fixture as a project, built once: the same triples as ``g``."""
    project = Project.of(FIXTURE, tmp_path_factory.mktemp("sparql") / "out")
    project.build()
    return project


def invoke(project: Project | None, args: list[str], stdin: bytes | None = None) -> Result:
    """The sparql command on ``project``; None: a project that cannot be loaded (the graph must not be)."""
    if project is None:
        project = Project.of(ROOT / "tests" / "fixtures" / "no-such-file.ttl", ROOT / "out" / "never")
    return CliRunner().invoke(sparql_command, args, obj=Session(project), input=stdin)


def test_cli_query_text(built) -> None:
    result = invoke(built, ["SELECT ?name WHERE { id:spotify rdfs:label ?name }"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["name", "-------", "Spotify"]


def test_cli_file_and_stdin(built, tmp_path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("ASK { id:rbc a dr:Company }", encoding="utf-8")
    assert invoke(built, [str(path)]).stdout.strip() == "true"
    result = invoke(built, ["-", "--format", "json"], stdin=b"ASK { id:nobody a dr:Company }")
    assert json.loads(result.stdout)["boolean"] is False


def test_cli_list_does_not_load_the_graph() -> None:
    result = invoke(None, ["--list"])
    assert result.exit_code == 0
    assert all(name in result.stdout for name in REQUIRED)
    assert "--param company=<company>" in result.stdout
    listed = json.loads(invoke(None, ["--list", "--format", "json"]).stdout)
    assert {q["name"] for q in listed} >= REQUIRED


def test_cli_named_query_with_params_and_formats(built) -> None:
    result = invoke(built, ["--name", "grants-by-company", "--param", "company=Spotify", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1][:2] == ["grantee", "Facebook"]
    data = json.loads(invoke(built, ["--name", "partner-table", "--format", "json"]).stdout)
    assert len(data["results"]["bindings"]) == 5


@pytest.mark.parametrize("args, message", [
    (["SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"], "SERVICE is not allowed"),
    (["SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"], "FROM / FROM NAMED"),
    (["DROP ALL"], "read-only"),
    (["SELECT * WHERE {"], "not a valid SPARQL query"),
    (["--name", "partner-tabel"], "did you mean 'partner-table'"),
    (["--name", "grants-by-company"], "missing parameter 'company'"),
    (["--name", "grants-by-company", "--param", "company"], "KEY=VALUE"),
    (["--param", "company=x", "ASK {}"], "--param goes with --name"),
    (["--name", "grants-by-company", "--param", 'company=x" } UNION { ?s ?p ?o } #'],
     "unknown company"),
    (["--name", "grants-by-company", "--param", 'company=x" . SERVICE <http://127.0.0.1:1/> { } } #'],
     "unknown company"),
    (["--name", "sources", "--format", "turtle"], "turtle is for CONSTRUCT"),
    ([], "give a query"),
    (["missing-file.rq"], "cannot read query file"),
])
def test_cli_bad_input_exits_2_with_a_clean_message(built, args, message) -> None:
    result = invoke(built, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_cli_refuses_non_utf8_and_huge_files(built, tmp_path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_bytes(b"ASK { ?s ?p \"\xff\" }")
    result = invoke(built, [str(bad)])
    assert result.exit_code == 2 and "not valid UTF-8" in result.stderr
    huge = tmp_path / "huge.rq"
    huge.write_bytes(b"ASK {} #" + b"x" * 10_000_000)
    result = invoke(built, [str(huge)])
    assert result.exit_code == 2 and "too long" in result.stderr


def test_cli_timeout_exits_3(built) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result = invoke(built, ["--timeout", "1", query])
    assert result.exit_code == 3, result.output
    assert "query stopped after 1 s" in result.stderr and "Traceback" not in result.output


def test_cli_truncation_is_announced_on_stderr(built) -> None:
    result = invoke(built, ["--max-rows", "2", "SELECT ?s WHERE { ?s ?p ?o }"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 4
    assert "cut at 2 rows" in result.stderr


def test_cli_help_teaches_every_form() -> None:
    text = CliRunner().invoke(sparql_command, ["--help"]).stdout
    for needle in ("datareach sparql 'SELECT", ".rq", "| datareach sparql -", "--list",
                   "--name partner-table", "--param data_type=", "--timeout", "--max-rows"):
        assert needle in text
