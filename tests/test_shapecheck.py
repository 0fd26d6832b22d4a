"""The compiled shapes (graph.build.shapecheck) give pySHACL's verdicts, on the whole graph.

A corpus of mutations is generated from ``ontology/shapes.ttl`` itself (read here with
rdflib, not through the compiler): for every property of every targeted shape, and every
constraint on it, one mutation of the data graph that breaks it (a required value dropped,
a second value added, a wrong datatype, an IRI where a literal belongs, a dangling
reference, a value outside ``sh:in``, a bad URL…). The mutated graphs are given to pySHACL
and to the compiled checks; the results (focus node, path, constraint, value) must be the
same (each mutation alone: test_shapecheck_alone). Mutations also go through the loader as
Turtle fact files, so they are refused the way a user sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from graph.build import shapecheck
from graph.build.loader import load
from graph.build.shapecheck import SUPPORTED, Shapes, UnsupportedShape
from graph.build.triples import TripleIndex
from graph.dates import DATE_TYPES
from graph.errors import InputError
from graph.model import ontology
from graph.model.vocab import DR, ID
from graph.paths import bundled_sources

SH = Namespace("http://www.w3.org/ns/shacl#")
REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


# ---------------------------------------------------------------- pySHACL as the reference


def pyshacl_results(g: Graph) -> set[tuple]:
    """pySHACL's results on ``g`` as (focus, path, constraint, value): the report's own
    results, not the details it nests under an ``sh:node`` or ``sh:or`` result."""
    from pyshacl import validate

    conforms, report, _ = validate(g, shacl_graph=ontology.shapes_graph(), inference="none", advanced=False,
                                   allow_warnings=False, abort_on_first=False)
    out = set()
    for r in report.objects(report.value(predicate=RDF.type, object=SH.ValidationReport), SH.result):
        component = str(report.value(r, SH.sourceConstraintComponent))[len(str(SH)):-len("ConstraintComponent")]
        value = report.value(r, SH.value)
        out.add((report.value(r, SH.focusNode), report.value(r, SH.resultPath),
                 component[0].lower() + component[1:], value))
    assert conforms == (not out)
    return out


def our_results(data: Graph | TripleIndex) -> set[tuple]:
    return {(v.focus, v.path, v.component, v.value) for v in shapecheck.ontology_shapes().validate(data)}


# ---------------------------------------------------------------- mutations, generated from shapes.ttl


def _instances(g: Graph, cls: URIRef) -> list:
    classes = set(g.transitive_subjects(RDFS.subClassOf, cls))
    return sorted({s for c in classes for s in g.subjects(RDF.type, c)}, key=str)


def mutations(g: Graph) -> list[tuple[str, object, object]]:
    """(what, focus, change) for every constraint of every property of every targeted shape;
    ``change(g)`` breaks it on ``focus``. Each mutation picks a focus node no other uses."""
    shapes = ontology.shapes_graph()
    used: set = set()
    fresh: dict = {}  # made-up focus nodes -> their class
    out: list[tuple[str, object, object]] = []

    def pick(classes: list[URIRef], path: URIRef | None, needs_value: bool):
        every = [n for c in classes for n in _instances(g, c) if not isinstance(n, BNode)]
        nodes = [n for n in every if n not in used] or every  # share a node once every one is used
        with_value = [n for n in nodes if path is None or (n, path, None) in g]
        with_value = with_value or [n for n in every if path is None or (n, path, None) in g]
        chosen = (with_value or ([] if needs_value else nodes) or [None])[0]
        if chosen is None and not every:  # a class the data has no instance of: make one
            chosen = ID[f"mutant/{len(fresh)}"]
            fresh[chosen] = classes[0]
        if chosen is not None:
            used.add(chosen)
        return chosen

    def typed(focus, change):
        """``change``, first making ``focus`` an instance when it was made up."""
        if focus not in fresh:
            return change
        return lambda m: (m.add((focus, RDF.type, fresh[focus])), change(m))

    def replace(focus, path, new):
        def change(m: Graph) -> None:
            m.remove((focus, path, None))
            m.add((focus, path, new))
        return change

    def drop(focus, path):
        return lambda m: m.remove((focus, path, None))

    def add_second(focus, path):
        def change(m: Graph) -> None:
            old = sorted(m.objects(focus, path), key=str)
            v = old[0] if old else Literal("x")
            if not isinstance(v, Literal):
                second = URIRef(str(v) + "-2")
            elif isinstance(v.toPython(), (bool, int)):  # a different value of the same type
                second = Literal(not v.toPython()) if isinstance(v.toPython(), bool) else Literal(v.toPython() + 1)
            elif str(v.datatype) in DATE_TYPES:  # a different valid date: "2014 2"^^xsd:gYear is ill-typed, refused by sh:datatype
                second = Literal(("1999" if str(v)[:4] != "1999" else "1998") + str(v)[4:], datatype=v.datatype)
            else:
                second = Literal(str(v) + " 2", datatype=v.datatype, lang=v.language)
            m.add((focus, path, second))
            if not old:
                m.add((focus, path, Literal("y")))
        return change

    for shape in sorted(shapes.subjects(SH.targetClass, None), key=str):
        classes = sorted(shapes.objects(shape, SH.targetClass), key=str)
        props = sorted(shapes.objects(shape, SH.property), key=lambda p: str(shapes.value(p, SH.path)))
        for prop in props:
            path = shapes.value(prop, SH.path)
            name = f"{shapes.qname(shape)} {shapes.qname(path)}"
            for constraint in sorted(set(shapes.predicates(prop, None)) - {SH.path, SH.message}, key=str):
                arg = shapes.value(prop, constraint)
                kind = str(constraint)[len(str(SH)):]
                if kind == "minCount":
                    focus = pick(classes, path, True)
                    changes = [("dropped", drop(focus, path))]
                elif kind == "maxCount":
                    focus = pick(classes, path, False)
                    changes = [("a second value", add_second(focus, path))]
                elif kind == "class":
                    focus = pick(classes, path, False)
                    changes = [("a dangling reference", replace(focus, path, ID["nowhere/dangling"]))]
                elif kind == "datatype":
                    focus = pick(classes, path, False)
                    wrong = Literal("text", lang="en") if arg == XSD.string else Literal("not a " + shapes.qname(arg))
                    changes = [("a wrong datatype", replace(focus, path, wrong))]
                    focus2 = pick(classes, path, False)
                    if focus2 is not None:
                        out.append((f"{name}: an IRI for a literal", focus2,
                                    typed(focus2, replace(focus2, path, URIRef("http://example.org/iri")))))
                elif kind == "in":
                    focus = pick(classes, path, False)
                    changes = [("a value not listed", replace(focus, path, URIRef(str(DR) + "NotListed")))]
                elif kind == "hasValue":
                    focus = pick(classes, path, True)
                    changes = [("the required value dropped", drop(focus, path))]
                elif kind == "node":
                    focus = pick(classes, path, False)
                    changes = [("a value of the wrong shape", replace(focus, path, Literal("sometime")))]
                elif kind == "pattern":
                    focus = pick(classes, path, False)
                    changes = [("a value not matching", replace(focus, path, Literal("ftp://example.org/x", datatype=XSD.anyURI)))]
                elif kind == "minLength":
                    focus = pick(classes, path, False)
                    changes = [("an empty value", replace(focus, path, Literal("")))]
                elif kind == "maxLength":
                    focus = pick(classes, path, False)
                    changes = [("a value too long", replace(focus, path, Literal("x" * (int(arg.toPython()) + 1))))]
                elif kind in ("minInclusive", "maxInclusive"):
                    focus = pick(classes, path, False)
                    step = -1 if kind == "minInclusive" else 1
                    changes = [("a value out of range", replace(focus, path, Literal(Decimal(str(arg.toPython())) + step))),
                               ("a value not comparable", replace(focus, path, Literal("many")))]
                else:
                    raise AssertionError(f"no mutation for sh:{kind}: add one (and to the compiler)")
                if focus is not None:
                    out += [(f"{name}: {what}", focus, typed(focus, change)) for what, change in changes]
        for alternatives in shapes.objects(shape, SH["or"]):  # a node-level sh:or: break every branch
            focus = pick(classes, None, False)
            paths = [shapes.value(b, SH.path) for b in Collection(shapes, alternatives)]
            if focus is not None:
                out.append((f"{shapes.qname(shape)} sh:or: every branch dropped", focus,
                            typed(focus, lambda m, f=focus, ps=paths: [m.remove((f, p, None)) for p in ps])))
    # a sh:node target that is itself a node shape with properties (a source read via a page without a URL)
    read = next(((s, p) for s, p in sorted(g.subject_objects(DR.readVia), key=str) if (p, DR.url, None) in g), None)
    if read is not None:  # reported on the source (the focus node), as sh:node is
        out.append(("dr:SourceShape dr:readVia: a page without its URL", read[0], drop(read[1], DR.url)))
    return out


class _Journaled(Graph):
    """A graph that notes the triples ``add`` and ``remove`` change while ``journal`` is a list."""

    journal: list[tuple[bool, tuple]] | None = None

    def add(self, triple):
        if self.journal is not None and triple not in self:
            self.journal.append((True, triple))
        return super().add(triple)

    def remove(self, triple):
        if self.journal is not None:
            self.journal += [(False, t) for t in self.triples(triple)]
        return super().remove(triple)


def one_at_a_time(g: Graph, corpus: list) -> Iterator[tuple[str, object, Graph]]:
    """(what, focus, the graph with only that mutation), undoing each before the next
    (a fresh copy of the graph for each would cost most of the test's time; comparing the
    whole graph before and after each, a tenth of it: the changes are journaled instead)."""
    m = _Journaled()
    m += g
    for what, focus, change in corpus:
        m.journal = []
        change(m)
        journal, m.journal = m.journal, None
        yield what, focus, m
        for added, triple in reversed(journal):
            if added:
                m.remove(triple)
            else:
                m.add(triple)
        assert len(m) == len(g), what


def mutated(g: Graph, chosen: list) -> Graph:
    m = Graph()
    m += g
    for _, _, change in chosen:
        change(m)
    return m


# ---------------------------------------------------------------- the base graphs


@pytest.fixture(scope="module")
def default_graph() -> Graph:
    return load([bundled_sources()], shacl=False).g


# ---------------------------------------------------------------- the features


def test_the_compiler_supports_exactly_what_shapes_ttl_uses():
    used = {str(t) for triple in ontology.shapes_graph() for t in triple if str(t).startswith(str(SH))}
    assert used == set(SUPPORTED)
    assert shapecheck.ontology_shapes().count > 100


@pytest.mark.parametrize("extra, feature", [
    ("dr:X a sh:NodeShape ; sh:targetNode dr:Y .", "sh:targetNode"),
    ("dr:X a sh:NodeShape ; sh:targetClass dr:Y ; sh:property [ sh:path dr:p ; sh:maxExclusive 3 ] .", "sh:maxExclusive"),
    ("dr:X a sh:NodeShape ; sh:targetClass dr:Y ; sh:sparql [ sh:select \"SELECT $this {}\" ] .", "sh:sparql"),
    ("dr:X a sh:NodeShape ; sh:targetClass dr:Y ; sh:closed true .", "sh:closed"),
    ("dr:X a sh:NodeShape ; sh:targetClass dr:Y ; sh:property [ sh:path dr:p ; sh:minCount 1 ; "
     "sh:severity sh:Warning ] .", "sh:severity"),
    ("dr:X a sh:PropertyShape ; sh:targetClass dr:Y ; sh:path dr:p .", "sh:PropertyShape"),
    ("dr:X a sh:NodeShape ; sh:targetClass dr:Y ; sh:property [ sh:path dr:p ; sh:flags \"i\" ] .", "sh:flags"),
])
def test_an_unsupported_feature_is_refused_by_name(extra, feature):
    g = Graph()
    g.parse(data=ontology.shapes_graph().serialize(format="turtle") + "\n" + extra, format="turtle")
    with pytest.raises(UnsupportedShape, match=feature):
        Shapes.compile(g)


@pytest.mark.parametrize("prop, why", [
    ("sh:path ( dr:a dr:b ) ; sh:minCount 1", "not one IRI"),
    ("sh:path [ sh:inversePath dr:a ] ; sh:minCount 1", "sh:inversePath"),
    ("sh:path dr:a ; sh:minCount \"one\"", "not an integer"),
    ("sh:path dr:a ; sh:in dr:b", "not an RDF list"),
    ("sh:path dr:a ; sh:minCount 1 , 2", "2 values of sh:minCount"),
    ("sh:path dr:a ; sh:node dr:X", "refers to itself"),
])
def test_a_malformed_shape_is_refused(prop, why):
    g = Graph()
    g.parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix dr: <https://w3id.org/datareach/ns#> .\n"
                 f"dr:X a sh:NodeShape ; sh:targetClass dr:Y ; sh:property [ {prop} ] .", format="turtle")
    with pytest.raises(UnsupportedShape, match=why):
        Shapes.compile(g)


# ---------------------------------------------------------------- verdicts beside pySHACL


def test_the_corpus_breaks_every_property_of_every_shape(default_graph):
    corpus = mutations(default_graph)
    shapes = ontology.shapes_graph()
    broken = {what.rsplit(": ", 1)[0] for what, _, _ in corpus}
    for shape in shapes.subjects(SH.targetClass, None):
        for prop in shapes.objects(shape, SH.property):
            name = f"{shapes.qname(shape)} {shapes.qname(shapes.value(prop, SH.path))}"
            assert name in broken, f"no mutation breaks {name}"
    assert len(corpus) >= 100


def test_one_at_a_time_gives_the_graph_with_each_mutation_alone(default_graph):
    """Undoing the journal of each mutation leaves the base graph for the next: every sixteenth graph
    (a copy each) is a fresh copy's with that mutation alone, and not the base graph."""
    corpus = mutations(default_graph)
    base = set(default_graph)
    seen = 0
    for i, (what, _, m) in enumerate(one_at_a_time(default_graph, corpus)):
        if i % 16 == 0:
            now = set(m)
            assert now != base and now == set(mutated(default_graph, [corpus[i]])), what
        seen += 1
    assert seen == len(corpus) > 100 and set(default_graph) == base


def test_the_unmutated_default_dataset_conforms_in_both(default_graph):
    assert our_results(default_graph) == set() == pyshacl_results(default_graph)


def test_all_mutations_together_give_pyshacls_results_on_the_default_dataset(default_graph):
    corpus = mutations(default_graph)
    m = mutated(default_graph, corpus)
    theirs = pyshacl_results(m)
    assert our_results(m) == theirs  # on an rdflib Graph
    assert our_results(TripleIndex(m)) == theirs  # on the build's index
    focus_nodes = {f for f, *_ in theirs}
    assert all(focus in focus_nodes for _, focus, _ in corpus)


# ---------------------------------------------------------------- through the loader, as Turtle fact files


def _facts_as_turtle(g: Graph) -> str:
    """The facts of a loaded graph (without the ontology) as a Turtle fact file."""
    facts = Graph()
    facts += g
    facts -= ontology.ontology_graph()
    for prefix, ns in g.namespaces():
        facts.bind(prefix, ns, override=True)
    return facts.serialize(format="turtle")


def test_mutated_turtle_fact_files_are_refused_with_pyshacls_focus_nodes(default_graph, tmp_path):
    base = tmp_path / "facts.ttl"
    base.write_text(_facts_as_turtle(default_graph), encoding="utf-8")
    assert load([base]).shacl.startswith("every triple (")
    onto = ontology.ontology_graph()  # the ontology's own terms are not fact-file material
    corpus = [c for c in mutations(default_graph) if (c[1], None, None) not in onto
              and any(k in c[0] for k in ("dropped", "dangling", "not listed", "second value", "wrong shape"))]
    assert len(corpus) >= 30
    one_each = {what.rsplit(": ", 1)[1]: (what, focus, change) for what, focus, change in corpus}  # one per kind
    for what, focus, change in one_each.values():
        path = tmp_path / "mutated.ttl"
        path.write_text(_facts_as_turtle(mutated(default_graph, [(what, focus, change)])), encoding="utf-8")
        with pytest.raises(InputError) as info:
            load([path])
            pytest.fail(f"accepted: {what}")
        shacl = [p for p in info.value.problems if p.message.startswith("SHACL: ")]
        if not shacl:  # refused before the shapes (an ill-typed literal): pySHACL refuses it too
            assert pyshacl_results(mutated(default_graph, [(what, focus, change)])), what
            continue
        ours = {p.message.rsplit("(focus node ", 1)[1][:-1] for p in shacl}
        assert all(p.file == str(path) and p.line is not None for p in shacl), what
        theirs = {f.n3(default_graph.namespace_manager) for f, *_ in pyshacl_results(load([path], shacl=False).g)}
        assert ours == theirs, what


def test_a_compiled_fact_is_reported_by_iri():
    """Facts compiled from YAML have no Turtle line: the problem names the focus node, as before."""
    v = shapecheck.Violation(ID["grant/x"], DR.evidence, None, "minCount", "every fact needs a claim", URIRef(str(DR) + "CitedShape"))
    (problem,) = shapecheck.problems([v])
    assert str(problem) == f"<{ID['grant/x']}>: dr:evidence: SHACL: every fact needs a claim"


def test_the_build_summary_says_every_triple(tmp_path, cli):
    result = cli("build", "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert f"every triple ({shapecheck.ontology_shapes().count} checks)" in result.output
    assert "sampled" not in result.output.lower()


def test_a_violation_in_a_compiled_yaml_fact_names_its_file_and_line(write, monkeypatch):
    """Facts compiled from YAML conform unless the compiler goes wrong: simulated here by a
    status term the shapes do not list. The problem names the record's file and line."""
    from conftest import BASE_YAML

    from graph.build import emit

    monkeypatch.setitem(emit.STATUS, "shut down", URIRef(str(DR) + "Bogus"))
    path = write("facts.yaml", BASE_YAML)
    with pytest.raises(InputError) as info:
        load([path])
    (problem,) = info.value.problems
    line = BASE_YAML.splitlines().index("  - id: g1") + 1
    assert (problem.file, problem.line, problem.field) == (str(path), line, "dr:status")
    assert problem.message == ("SHACL: Value dr:Bogus not in list [dr:Active, dr:ShutDown, dr:StatusUnknown] "
                               f"(focus node <{ID['grant/g1']}>)")


def test_a_long_value_is_cut_in_the_message():
    g = Graph()
    g.add((ID["company/x"], RDF.type, DR.Company))
    g.add((ID["company/x"], RDFS.label, Literal("x" * 100_000, lang="en")))
    (v,) = shapecheck.ontology_shapes().validate(g)
    assert v.component == "datatype" and v.message == "a company has exactly one plain rdfs:label"
    g2 = Graph()
    g2.add((ID["claim/x"], RDF.type, DR.Claim))
    g2.add((ID["claim/x"], DR.stance, Literal("y" * 100_000)))
    messages = [v.message for v in shapecheck.ontology_shapes().validate(g2) if v.component == "in"]
    assert len(messages) == 1 and len(messages[0]) < 400 and messages[0].startswith('Value "yyy')


# ---------------------------------------------------------------- the column route (graph.build.columnar's bulk grants)

BULK_HEADER = ("id,grantor,grantee,integration,data_types,permissions,whose_data,on_by_default,overrode_privacy_setting,"
               "valid_from,stated_end,last_observed_active,status,activation,note,source,locator,stance,confidence,claimant\n")
BULK_ROWS = [
    'bulk-01,Facebook,Microsoft,search integration,friends list,read;write,users\' friends,yes,no,2010,2012-05,2017-03-04,'
    'active,"clicked ""allow""","a \\ back\\slash, é ü 中",techly-2018-12-20,"¶2 (""quoted"")",asserts,confirmed,Someone',
    "bulk-02,Facebook,public,device integration,name; email address ;name,,,,unknown,unknown,,,,,,"
    "nyt-2018-12-18-privacy-wall,p. 3,disputes,alleged,",
    *(f"bulk-{i:02d},{a},{b},messaging integration,private message;posts,read,users;minors,no,yes,{2000 + i},,,shut down,"
      f"on install,note {i},techly-2018-12-20,row {i},,,"
      for i, (a, b) in enumerate([("Microsoft", "Facebook"), ("Spotify", "Facebook"), ("Facebook", "Spotify")] * 6, 3)),
]


@pytest.fixture(scope="module")
def bulk(tmp_path_factory):
    """The bundled dataset with a CSV of grants compiled by columns: (the per-row index, the resolved grants)."""
    import shutil

    from graph.build import columnar

    src = tmp_path_factory.mktemp("bulk") / "sources"
    shutil.copytree(REPO / "sources", src, ignore=shutil.ignore_patterns("imported", "README.md"))
    (src / "bulk.csv").write_text(BULK_HEADER + "\n".join(BULK_ROWS) + "\n", encoding="utf-8")
    old = columnar.MIN_BYTES
    columnar.MIN_BYTES = 0
    try:
        grants = columnar.Grants(columnar.select(sorted(src.rglob("*.csv"))))
        loaded = load([src], bulk=grants)
    finally:
        columnar.MIN_BYTES = old
    assert grants.frame is not None and grants.frame.height == len(BULK_ROWS)
    return loaded.index, grants.frame


def _frame_mutations():
    """Mutations of the resolved grants, as a bulk CSV row the column rules would let through
    would make them: (what, grant id, column, value)."""
    return [("an unknown grantor", "bulk-03", "u", "no-such-company"),
            ("an unknown grantee", "bulk-04", "v", "no-such-company"),
            ("an unknown integration kind", "bulk-05", "integ", "no-such-integration"),
            ("an unknown data type", "bulk-06", "dts", ["no-such-type"]),
            ("no data type", "bulk-07", "dts", []),
            ("a 30 February", "bulk-08", "valid_from", "2019-02-30"),
            ("a day 32", "bulk-09", "stated_end", "2019-01-32"),
            ("a required locator missing", "bulk-10", "locator", None),
            ("an empty locator", "bulk-11", "locator", ""),
            ("an unknown source", "bulk-12", "source", "no-such-source")]


def _mutate_frame(frame, chosen):
    import polars as pl

    for _, grant, column, value in chosen:
        if isinstance(value, list):
            new = pl.Series([value], dtype=pl.List(pl.String))
            frame = frame.with_columns(pl.when(pl.col("id") == grant).then(new.first()).otherwise(pl.col(column)).alias(column))
        else:
            frame = frame.with_columns(pl.when(pl.col("id") == grant).then(pl.lit(value, dtype=pl.String))
                                       .otherwise(pl.col(column)).alias(column))
    return frame


def _triple_mutations():
    """Mutations of the bulk triples themselves (s, p, o as N-Triples terms), each on a grant of its own:
    (what, subject, change) with ``change(frame) -> frame``."""
    import polars as pl

    G, C = f"<{ID}grant/", f"<{ID}claim/grant-"
    dr = str(DR)

    def drop(s, p):
        return lambda f: f.filter(~((pl.col("s") == s) & (pl.col("p") == f"<{dr}{p}>")))

    def add(s, p, o):
        return lambda f: pl.concat([f, pl.DataFrame({"s": [s], "p": [f"<{dr}{p}>" if ":" not in p else p], "o": [o]})])

    def put(s, p, o):
        return lambda f: add(s, p, o)(drop(s, p)(f))

    xsd = str(XSD)
    return [
        ("no grantor", G + "bulk-13>", drop(G + "bulk-13>", "grantor")),
        ("a second grantor", G + "bulk-14>", add(G + "bulk-14>", "grantor", f"<{ID}company/microsoft>")),
        ("a repeated triple", G + "bulk-16>", lambda f: pl.concat([f, f.filter(pl.col("s") == G + "bulk-16>")])),
        ("a status outside sh:in", G + "bulk-15>", put(G + "bulk-15>", "status", f"<{dr}Users>")),
        ("a note that is an IRI", G + "bulk-16>", put(G + "bulk-16>", "note", f"<{ID}company/facebook>")),
        ("a boolean that is not one", G + "bulk-17>", put(G + "bulk-17>", "onByDefault", f'"maybe"^^<{xsd}boolean>')),
        ("a permission outside sh:in", G + "bulk-18>", add(G + "bulk-18>", "permission", f"<{dr}Users>")),
        ("evidence that is a grant", G + "bulk-19>", add(G + "bulk-19>", "evidence", G + "bulk-20>")),
        ("evidence that is a company", G + "bulk-20>", add(G + "bulk-20>", "evidence", f"<{ID}company/facebook>")),
        ("a claim without its type", C + "bulk-05-1>",
         lambda f: f.filter(~((pl.col("s") == C + "bulk-05-1>") & (pl.col("p") == f"<{RDF.type}>")))),
        ("a locator with a language", C + "bulk-13-1>", put(C + "bulk-13-1>", "locator", '"p. 3"@en')),
        ("a locator with a line break and a quote", C + "bulk-14-1>", put(C + "bulk-14-1>", "locator", '"a\\nb \\" c"')),
        ("a second stance", C + "bulk-15-1>", add(C + "bulk-15-1>", "stance", f"<{dr}Disputes>")),
        ("a confidence that is a literal", C + "bulk-16-1>", put(C + "bulk-16-1>", "confidence", '"confirmed"')),
        ("a locator typed xsd:string", C + "bulk-17-1>", put(C + "bulk-17-1>", "locator", f'"row 17"^^<{xsd}string>')),
        ("no source", C + "bulk-18-1>", drop(C + "bulk-18-1>", "source")),
        ("a date with a time", G + "bulk-03>", put(G + "bulk-03>", "lastObservedActive", f'"2019-01-01T00:00:00"^^<{xsd}dateTime>')),
    ]


VALID = ("a locator with a line break and a quote", "a locator typed xsd:string", "a repeated triple")


def _routes(index, batches):
    from graph.build import columnar

    cols = columnar.violations_of(batches, index, "columns")
    rows = columnar.violations_of(batches, index, "rows")
    assert cols[0] == rows[0]
    return cols[1], rows[1]


def _bulk_triples(frame):
    from graph.build import columnar

    return columnar.bulk_triples(frame)


def test_the_column_route_finds_no_violation_in_valid_bulk_grants(bulk):
    index, frame = bulk
    columns, rows = _routes(index, [_bulk_triples(frame)])
    assert columns == rows == []


@pytest.mark.parametrize("mutation", _frame_mutations(), ids=lambda m: m[0])
def test_a_mutated_bulk_row_gives_the_same_violations_by_columns_and_by_rows(bulk, mutation):
    index, frame = bulk
    columns, rows = _routes(index, [_bulk_triples(_mutate_frame(frame, [mutation]))])
    assert columns, mutation[0]
    assert columns == rows  # focus, path, value, component, message and shape, each
    assert {str(v.focus).rsplit("/", 1)[1].removeprefix("grant-").removesuffix("-1") for v in columns} == {mutation[1]}


@pytest.mark.parametrize("mutation", _triple_mutations(), ids=lambda m: m[0])
def test_a_mutated_bulk_triple_gives_the_same_violations_by_columns_and_by_rows(bulk, mutation):
    index, frame = bulk
    what, subject, change = mutation
    columns, rows = _routes(index, [change(_bulk_triples(frame))])
    assert columns == rows
    if what in VALID:  # spellings the columns must read right (or leave to the compiled test): no violation
        assert columns == []
        return
    focus = {v.focus for v in columns}
    assert URIRef(subject[1:-1]) in focus or (what == "a claim without its type" and columns), what


def test_all_bulk_mutations_together_give_pyshacls_results(bulk):
    """The frame and triple mutations at once, in two batches: the column route, the row route and
    pySHACL (on the per-row graph and the ontology with the mutated bulk triples) agree."""
    import polars as pl

    index, frame = bulk
    triples = _bulk_triples(_mutate_frame(frame, _frame_mutations()))
    for _, _, change in _triple_mutations():
        triples = change(triples)
    halves = [triples.filter(pl.col("s").str.contains(f"bulk-{i}")) for i in ("0", "1|bulk-2")]  # grants with their claims
    assert sum(h.height for h in halves) == triples.height
    columns, rows = _routes(index, halves)
    assert columns == rows and len(columns) >= len(_frame_mutations()) + len(_triple_mutations()) - len(VALID)
    g = index.to_rdflib()
    text = triples.select(pl.concat_str(["s", "p", "o"], separator=" ") + " .")["s"]
    g.parse(data="\n".join(text.to_list()) + "\n", format="nt")
    assert {(v.focus, v.path, v.component, v.value) for v in columns} == pyshacl_results(g)


def test_a_shape_the_columns_cannot_state_is_checked_the_row_way(bulk):
    """sh:node reaching a new node (here a grantor that is another grant of the batch) leaves the
    shape to the row route, for that batch only; the verdicts stay the row route's."""
    import polars as pl

    from graph.build import shapecheck

    index, frame = bulk
    triples = _bulk_triples(frame)
    G = f"<{ID}grant/"
    bad = triples.filter(~((pl.col("s") == G + "bulk-03>") & (pl.col("p") == f"<{DR.grantor}>")))
    bad = pl.concat([bad, pl.DataFrame({"s": [G + "bulk-03>"], "p": [f"<{DR.grantor}>"], "o": [G + "bulk-04>"]})])
    check = shapecheck.Columns(shapecheck.ontology_shapes(), index)
    found, left = check.validate(bad)
    assert left is not None and [str(s.shape) for s in left.shapes()] == [str(DR) + "AccessGrantShape"]
    assert check.validate(triples) == ([], None)
    columns, rows = _routes(index, [bad])
    assert columns == rows and {v.focus for v in columns} == {URIRef(G[1:] + "bulk-03")}


def test_the_columns_check_the_very_triples_written(bulk):
    """``columnar.bulk_triples`` (what the check reads) is ``columnar.write_ntriples`` (what the
    N-Triples and the store get), line for line."""
    import io

    import polars as pl

    from graph.build import columnar

    _, frame = bulk
    out = io.BytesIO()
    columnar.write_ntriples(frame, out)
    written = out.getvalue().decode("utf-8").splitlines()
    triples = columnar.bulk_triples(frame)
    lines = triples.select(pl.concat_str(["s", "p", "o"], separator=" ") + " .")["s"].to_list()
    assert sorted(lines) == sorted(written) and len(written) == columnar.triple_count(frame)
