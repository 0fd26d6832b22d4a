"""RDF-native input (Turtle, JSON-LD): parsed strictly, never fetching or reading anything
else, and validated with our own shapes only (SECURITY.md §8 items 27–42).
"""

from __future__ import annotations

import json
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import assert_refused, build_file, run_module
from rdflib import RDF, Literal, URIRef

from graph.build import compiled, rdfinput
from graph.build.loader import load
from graph.errors import InputError
from graph.model.vocab import DR, ID

BASE = rdfinput.BASE

pytestmark = [pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:.*weird.*:UserWarning")]

PREFIXES = """\
@prefix dr: <https://w3id.org/datareach/ns#> .
@prefix dt: <https://w3id.org/datareach/datatype/> .
@prefix ik: <https://w3id.org/datareach/integration/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""

# A valid fact in Turtle, written with relative IRIs and no @base.
GOOD_TTL = PREFIXES + """
<source/ttl-src> a dr:Source ; dcterms:publisher "P" ; dcterms:title "T" ;
    dr:url "https://example.org/t"^^xsd:anyURI .
<company/ttl-a> a dr:Company ; rdfs:label "TtlA" .
<company/ttl-b> a dr:Company ; rdfs:label "TtlB" .
<grant/ttl-g> a dr:AccessGrant ; dr:grantor <company/ttl-a> ; dr:grantee <company/ttl-b> ;
    dr:dataType dt:private-message ; dr:integration ik:messaging-integration ; dr:status dr:Active ;
    dr:evidence <grant/ttl-g/claim-1> .
<grant/ttl-g/claim-1> a dr:Claim ; dr:source <source/ttl-src> ; dr:locator "¶1" ; dr:stance dr:Asserts .
"""
UNCITED_TTL = GOOD_TTL.replace("    dr:evidence <grant/ttl-g/claim-1> .", '    dr:note "no citation" .')


def refused(path: Path) -> list[str]:
    """The problems ``path`` is refused with (fails if it is accepted)."""
    g, problems = rdfinput.read(path)
    assert g is None, f"accepted: {len(g)} triples"
    assert problems
    return [str(p) for p in problems]


@pytest.fixture
def listener() -> Iterator[tuple[int, list[object]]]:
    """A loopback TCP server that records every connection; yields (port, connections)."""
    hits: list[object] = []

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            hits.append(self.client_address)
            self.request.settimeout(1)
            try:
                self.request.recv(4096)
                self.request.sendall(b'HTTP/1.0 200 OK\r\nContent-Type: application/ld+json\r\n\r\n'
                                     b'{"@context": {"p": "http://example.org/p"}}')
            except OSError:
                pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- valid Turtle and the base


def test_relative_iris_resolve_against_the_fixed_base(write):
    loaded = load([write("facts.ttl", GOOD_TTL)])
    assert (ID["grant/ttl-g"], RDF.type, DR.AccessGrant) in loaded.g
    assert BASE == str(ID)
    for triple in loaded.g:
        for term in triple:
            assert not str(term).lower().startswith("file:"), term


def test_turtle_facts_build_without_file_iris(write, tmp_path):
    out = tmp_path / "out"
    result = compiled.build([write("facts.ttl", GOOD_TTL)], out)
    assert result.counts["grants"] == 1
    for path in (out / "graph.ttl", out / "graph.jsonld", build_file(out, "graph.nt")):
        assert "file:" not in path.read_text(encoding="utf-8")


def test_turtle_and_yaml_mix(write):
    from conftest import BASE_YAML

    loaded = load([write("facts.yaml", BASE_YAML), write("more.ttl", GOOD_TTL)])
    assert compiled.summarise(loaded.g)["grants"] == 2


@pytest.mark.parametrize("text", [
    "@base <file:///etc/> .\n<passwd> <http://example.org/p> \"o\" .\n",
    "BASE <file:///etc/>\n<passwd> <http://example.org/p> \"o\" .\n",
    "<file:///etc/passwd> <http://example.org/p> \"o\" .\n",
    "<http://example.org/s> <http://example.org/p> <file:///etc/passwd> .\n",
    "@prefix f: <file:///etc/> .\nf:passwd <http://example.org/p> \"o\" .\n",
    "<javascript:alert(1)> <http://example.org/p> \"o\" .\n",
    "<data:text/html,x> <http://example.org/p> \"o\" .\n",
], ids=["@base", "SPARQL-BASE", "subject", "object", "prefix", "javascript", "data"])
def test_non_http_iris_are_refused(write, text):
    (message,) = refused(write("bad.ttl", text))
    assert "is not allowed: use http(s) or urn: IRIs" in message


def test_file_base_is_refused_by_check(cli, write):
    path = write("bad.ttl", "@base <file:///etc/> .\n<passwd> <http://example.org/p> \"o\" .\n")
    assert_refused(cli("check", str(path)), f"{path}: IRI <file:///etc/passwd> is not allowed")


# ---------------------------------------------------------------- bad IRIs, escapes, literals

BAD_SYNTAX = {
    "iri-space": '<http://example.org/a b> <http://example.org/p> "o" .\n',
    "iri-quote": '<http://example.org/a"b> <http://example.org/p> "o" .\n',
    "iri-gt": '<http://example.org/a>b> <http://example.org/p> "o" .\n',
    "iri-newline": '<http://example.org/a\nb> <http://example.org/p> "o" .\n',
    "iri-bad-uchar": '<http://example.org/a\\u00ZZ> <http://example.org/p> "o" .\n',
    "iri-nul": '<http://example.org/a\\u0000> <http://example.org/p> "o" .\n',
    "lone-surrogate": '<http://example.org/a> <http://example.org/p> "\\uD800" .\n',
    "lang-digit": '<http://example.org/a> <http://example.org/p> "x"@123 .\n',
    "lang-too-long-subtag": '<http://example.org/a> <http://example.org/p> "x"@abcdefghijk .\n',
    "lang-empty-extension": '<http://example.org/a> <http://example.org/p> "x"@en-a .\n',
    # W3C-style negative Turtle syntax cases
    "missing-dot": '<http://example.org/a> <http://example.org/p> "o"\n',
    "undeclared-prefix": 'foo:a <http://example.org/p> "o" .\n',
    "unterminated-string": '<http://example.org/a> <http://example.org/p> "o .\n',
    "unterminated-long-string": '<http://example.org/a> <http://example.org/p> """o .\n',
    "empty-lang": '<http://example.org/a> <http://example.org/p> "x"@ .\n',
    "literal-subject": '"s" <http://example.org/p> "o" .\n',
    "bnode-predicate": '<http://example.org/a> _:b "o" .\n',
    "literal-predicate": '<http://example.org/a> "p" "o" .\n',
    "double-dot": '<http://example.org/a> <http://example.org/p> "o" . .\n',
    "bad-string-escape": '<http://example.org/a> <http://example.org/p> "\\q" .\n',
    "prefix-without-dot": '@prefix x: <http://example.org/>\nx:a x:p "o" .\n',
    "unclosed-bnode": '<http://example.org/a> <http://example.org/p> [ <http://example.org/q> "o" .\n',
    "unclosed-list": '<http://example.org/a> <http://example.org/p> ( "o" .\n',
    "missing-object": '<http://example.org/a> <http://example.org/p> .\n',
    "a-as-subject": 'a <http://example.org/p> "o" .\n',
    "datatype-on-lang": '<http://example.org/a> <http://example.org/p> "x"@en^^<http://example.org/t> .\n',
    "bnode-label-dot-end": '_:b. <http://example.org/p> "o" .\n',
    "graph-block": '{ <http://example.org/a> <http://example.org/p> "o" . }\n',
}


@pytest.mark.parametrize("text", list(BAD_SYNTAX.values()), ids=list(BAD_SYNTAX))
def test_invalid_turtle_is_refused(write, text):
    (message,) = refused(write("bad.ttl", text))
    assert "invalid Turtle" in message


def test_invalid_turtle_names_its_line(cli, write):
    path = write("bad.ttl", '<http://example.org/a> <http://example.org/p> "o" .\n\n'
                            '<http://example.org/a> <http://example.org/p> "o"\n')
    assert_refused(cli("check", str(path)), f"{path}:4: invalid Turtle")


def test_nul_in_a_literal_is_refused_with_the_file_named(write, tmp_path):
    """U+0000 is legal RDF, but no fact needs it and many tools cut text at it (issue 11:
    NUL characters were accepted): refused in Turtle as in YAML and JSON-LD."""
    text = '<http://example.org/a> <http://example.org/p> "a\\u0000b" .\n'
    path = write("nul.ttl", text)
    with pytest.raises(InputError, match="contains a NUL character"):
        compiled.build([path], tmp_path / "out")
    assert not (tmp_path / "out" / "graph.ttl").exists()


ILL_TYPED = {
    "integer": '"abc"^^xsd:integer',
    "date": '"2024-13-45"^^xsd:date',
    "boolean": '"maybe"^^xsd:boolean',
    "decimal": '"1,5"^^xsd:decimal',
    "dateTime": '"2024-02-30T10:00:00"^^xsd:dateTime',
}


@pytest.mark.parametrize("literal", list(ILL_TYPED.values()), ids=list(ILL_TYPED))
def test_ill_typed_literals_are_refused(write, literal):
    text = PREFIXES + f"<http://example.org/a> <http://example.org/p> {literal} .\n"
    (message,) = refused(write("bad.ttl", text))
    assert "ill-typed literal" in message


def test_ill_typed_literal_message_quotes_what_was_written(write):
    text = PREFIXES + '<http://example.org/a> <http://example.org/p> "maybe"^^xsd:boolean .\n'
    (message,) = refused(write("bad.ttl", text))
    assert '"maybe"' in message


@pytest.mark.parametrize("literal", ['"20x1"^^xsd:gYear', '"2021-13"^^xsd:gYearMonth', '"soon"^^xsd:gYear'])
def test_ill_typed_partial_dates_are_refused(cli, write, literal):
    text = GOOD_TTL.replace("dr:status dr:Active ;", f"dr:status dr:Active ; dr:validFrom {literal} ;")
    path = write("bad.ttl", text)
    assert_refused(cli("check", str(path)), f"{path}")


def test_ill_typed_date_on_a_grant_is_refused(cli, write):
    text = GOOD_TTL.replace("dr:status dr:Active ;", 'dr:status dr:Active ; dr:validFrom "2024-13-45"^^xsd:date ;')
    path = write("bad.ttl", text)
    assert_refused(cli("check", str(path)), "ill-typed literal \"2024-13-45\"")


@pytest.mark.parametrize("data", [b"caf\xe9", b"\xc3\x28", b"\xed\xa0\x80"], ids=["latin1", "truncated", "surrogate"])
@pytest.mark.parametrize("suffix", [".ttl", ".jsonld"])
def test_non_utf8_rdf_is_refused(write, data, suffix):
    body = (b'<http://example.org/a> <http://example.org/p> "' + data + b'" .\n' if suffix == ".ttl"
            else b'{"@id": "http://example.org/a", "http://example.org/p": "' + data + b'"}')
    (message,) = refused(write("bad" + suffix, data=body))
    assert "not UTF-8 text (byte" in message


def test_five_megabyte_literal_is_refused_cleanly(cli, write):
    path = write("big.ttl", '<http://example.org/a> <http://example.org/p> "' + "a" * 5_000_000 + '" .\n')
    start = time.monotonic()
    result = cli("check", str(path))
    assert time.monotonic() - start < 10
    assert_refused(result, f"{path}: literal longer than {rdfinput.MAX_LITERAL} characters")
    assert len(result.stderr) < 1_000


def test_literal_under_the_limit_loads(write):
    value = "b" * 900_000
    loaded = load([write("big.ttl", f'<http://example.org/a> <http://example.org/p> "{value}" .\n')])
    assert loaded.g.value(URIRef("http://example.org/a"), URIRef("http://example.org/p")) == Literal(value)


# ---------------------------------------------------------------- deep nesting (own process)

@pytest.mark.parametrize("depth", [5_000, 50_000])
@pytest.mark.parametrize("kind", ["list", "bnode"])
def test_deep_nesting_is_refused_without_crashing(tmp_path, depth, kind):
    if kind == "list":
        body = "(" * depth + '"x"' + ")" * depth
    else:
        body = "[ <http://example.org/q> " * depth + '"x"' + " ]" * depth
    path = tmp_path / f"deep-{kind}.ttl"
    path.write_text(f"<http://example.org/a> <http://example.org/p> {body} .\n", encoding="utf-8")
    proc = run_module("--out", str(tmp_path / "out"), "check", str(path), timeout=60)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    assert f"{path}:" in proc.stderr or f"{path}: " in proc.stderr
    assert "invalid Turtle" in proc.stderr


def test_deep_json_is_refused(write):
    (message,) = refused(write("deep.jsonld", "[" * 100_000 + "]" * 100_000))
    assert "invalid JSON" in message or "nested too deeply" in message


def test_moderately_deep_jsonld_is_refused_or_loaded_cleanly(write):
    doc: object = {"@id": "http://example.org/a", "http://example.org/p": "o"}
    for _ in range(500):
        doc = {"@id": "http://example.org/a", "http://example.org/q": doc}
    path = write("deep.jsonld", json.dumps(doc))
    g, problems = rdfinput.read(path)
    assert (g is None) == bool(problems)


# ---------------------------------------------------------------- JSON-LD contexts


def _contexts(url: str) -> dict[str, object]:
    return {
        "url": url,
        "file-url": "file:///etc/passwd",
        "bare-path": "/etc/passwd",
        "relative-path": "context.jsonld",
        "array-with-url": [{"p": "http://example.org/p"}, url],
        "import": {"@import": url, "p": "http://example.org/p"},
        "array-import": [{"@import": url}],
    }


@pytest.mark.parametrize("kind", list(_contexts("x")))
def test_remote_or_file_contexts_are_refused_without_fetching(cli, write, listener, kind):
    port, hits = listener
    context = _contexts(f"http://127.0.0.1:{port}/ctx")[kind]
    doc = {"@context": context, "@id": "http://example.org/a", "p": "o"}
    path = write("bad.jsonld", json.dumps(doc))
    assert_refused(cli("check", str(path)), f"{path}: @context: only inline JSON-LD contexts are allowed")
    assert hits == []


def test_nested_and_scoped_remote_contexts_are_refused(write, listener):
    port, hits = listener
    url = f"http://127.0.0.1:{port}/ctx"
    nested = {"@context": {"q": "http://example.org/q"},
              "@graph": [{"@context": url, "@id": "http://example.org/a", "p": "o"}]}
    scoped = {"@context": {"q": {"@id": "http://example.org/q", "@context": url}},
              "@id": "http://example.org/a", "q": {"p": "o"}}
    for name, doc in (("nested", nested), ("scoped", scoped)):
        (message,) = refused(write(f"{name}.jsonld", json.dumps(doc)))
        assert "only inline JSON-LD contexts" in message
    assert hits == []


def test_inline_context_jsonld_loads_against_the_base(write):
    doc = {"@context": {"p": "http://example.org/p"}, "@id": "grant/x", "p": "o"}
    g, problems = rdfinput.read(write("ok.jsonld", json.dumps(doc)))
    assert problems == [] and g is not None
    assert (ID["grant/x"], URIRef("http://example.org/p"), Literal("o")) in g


def test_jsonld_file_base_is_refused(write):
    doc = {"@context": {"@base": "file:///etc/", "p": "http://example.org/p"}, "@id": "passwd", "p": "o"}
    (message,) = refused(write("bad.jsonld", json.dumps(doc)))
    assert "<file:///etc/passwd> is not allowed" in message


def test_invalid_json_names_its_line(write):
    (message,) = refused(write("bad.jsonld", '{\n  "@id": "http://example.org/a",\n  "p": \n}\n'))
    assert ":4: invalid JSON" in message


# ---------------------------------------------------------------- imports and shapes in the data


def test_owl_imports_fetches_nothing(cli, write, listener):
    port, hits = listener
    path = write("imports.ttl", GOOD_TTL + f"<http://example.org/onto> owl:imports <http://127.0.0.1:{port}/> .\n")
    result = cli("check", str(path))
    assert result.exit_code == 0, result.output
    assert hits == []


def test_embedded_shapes_do_not_change_validation(cli, write, listener):
    """A shape in the data requiring a property no company has, and a SPARQL constraint
    that would call out: neither is used; only our own shapes count."""
    port, hits = listener
    shapes = f"""
<http://example.org/S> a sh:NodeShape ; sh:targetClass dr:Company ;
    sh:property [ sh:path <http://example.org/nobody-has-this> ; sh:minCount 1 ] .
<http://example.org/S2> a sh:NodeShape ; sh:targetClass dr:Company ;
    sh:sparql [ a sh:SPARQLConstraint ;
        sh:select "SELECT $this WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}" ] .
"""
    path = write("shapes.ttl", GOOD_TTL + shapes)
    result = cli("check", str(path))
    assert result.exit_code == 0, result.output
    assert hits == []


def test_embedded_shapes_cannot_switch_ours_off(write):
    deactivate = "dr:CitedShape sh:deactivated true .\ndr:AccessGrantShape sh:deactivated true .\n"
    with pytest.raises(InputError) as info:
        load([write("sneaky.ttl", UNCITED_TTL + deactivate)])
    # statements about our own shapes (dr: terms) are refused before SHACL runs
    assert any("dr:" not in p.message and "is an ontology term" in p.message for p in info.value.problems)


def test_uncited_turtle_grant_is_refused_by_shacl(cli, write):
    """Reported in the file, at the line that states the grant, with its focus node."""
    path = write("uncited.ttl", UNCITED_TTL)
    line = UNCITED_TTL.splitlines().index(next(t for t in UNCITED_TTL.splitlines() if t.startswith("<grant/ttl-g>"))) + 1
    assert_refused(cli("check", str(path)),
                   f"{path}:{line}: dr:evidence: SHACL: every fact needs at least one claim citing a source",
                   f"(focus node <{ID['grant/ttl-g']}>)")


def test_turtle_grant_to_an_undeclared_company_is_refused_by_shacl(write):
    text = GOOD_TTL.replace('<company/ttl-b> a dr:Company ; rdfs:label "TtlB" .\n', "")
    with pytest.raises(InputError) as info:
        load([write("bad.ttl", text)])
    assert "dr:grantee" in [p.field for p in info.value.problems]


# ---------------------------------------------------------------- formats we do not read


@pytest.mark.parametrize("name", ["facts.rdf", "facts.xml", "facts.nt", "facts.trig", "facts.nq", "facts.owl", "facts.json"])
def test_other_rdf_formats_are_refused_unread(cli, write, name):
    """RDF/XML (and with it XXE and billion laughs), N-Triples, TriG, N-Quads: not accepted."""
    xxe = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
           'rdf:about="http://example.org/a"><rdf:value>&x;</rdf:value></rdf:Description></rdf:RDF>\n')
    path = write(name, xxe)
    assert_refused(cli("check", str(path)), f"{path}: unsupported file type")
