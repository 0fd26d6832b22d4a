"""Lexically invalid xsd:date / gYear / gYearMonth / dateTime literals are refused on every route.

rdflib (and so pySHACL) leaves ``"2019-13"^^xsd:gYearMonth`` and ``"20x9"^^xsd:gYear`` unchecked
(``Literal.ill_typed`` is None): the shapes' ``sh:datatype`` passed them. One rule,
``graph.dates.well_formed``, now decides for the Turtle reader, the compiled shapes (row route)
and the column route alike; YAML and CSV keep their own pattern plus ``graph.dates.parse``.
"""

from __future__ import annotations

import pytest
from conftest import BASE_YAML, assert_refused, line_of, replace_line
from rdflib import XSD, Graph, Literal
from test_rdf_refusals import GOOD_TTL, refused
from test_shapecheck import _bulk_triples, _routes, bulk  # noqa: F401  (bulk is a fixture)
from test_yaml_csv_refusals import HEADER, ROW, decls  # noqa: F401  (decls is a fixture)

from graph import dates
from graph.build import shapecheck
from graph.build.loader import load
from graph.model.vocab import DR, ID

BAD = [("2019-13", XSD.gYearMonth), ("20x9", XSD.gYear), ("2019-5", XSD.gYearMonth), ("20_9", XSD.gYear),
       (" 2019", XSD.gYear), ("２０１９", XSD.gYear), ("2019-02-29", XSD.date), ("2019-01-01T25:00:00", XSD.dateTime),
       ("2019-01-01", XSD.dateTime), ("2019-00", XSD.gYearMonth)]
GOOD = [("2019-12", XSD.gYearMonth), ("0123", XSD.gYear), ("2020-02-29", XSD.date), ("2019-05Z", XSD.gYearMonth),
        ("-0044", XSD.gYear), ("2019-01-01T23:59:59.5+01:00", XSD.dateTime),
        ("2000-02-29T24:00:00", XSD.dateTime)]


@pytest.mark.parametrize(("text", "kind"), BAD, ids=[f"{t}^^{k.rsplit('#')[1]}" for t, k in BAD])
def test_well_formed_refuses_what_xml_schema_refuses(text, kind):
    assert not dates.well_formed(text, str(kind))


@pytest.mark.parametrize(("text", "kind"), GOOD, ids=[f"{t}^^{k.rsplit('#')[1]}" for t, k in GOOD])
def test_well_formed_takes_every_valid_spelling(text, kind):
    assert dates.well_formed(text, str(kind))


@pytest.mark.parametrize("text", ["2019-13", "20x9", "2019-5", "20_9", " 2019", "+2019", "２０１９", "2019-02-29"])
def test_a_partial_date_parse_refuses_what_int_would_take(text):
    with pytest.raises(ValueError, match="is not a real date"):
        dates.parse(text)


@pytest.mark.parametrize(("text", "kind"), BAD[:3] + BAD[7:8], ids=["2019-13", "20x9", "2019-5", "hour-25"])
def test_a_turtle_fact_file_with_a_bad_date_is_refused_naming_file_subject_predicate_value(write, text, kind):
    literal = f'"{text}"^^<{kind}>'
    path = write("bad.ttl", GOOD_TTL.replace("dr:status dr:Active ;", f"dr:status dr:Active ; dr:validFrom {literal} ;"))
    (message,) = refused(path)
    for needle in (str(path), f'ill-typed literal "{text}"', str(kind), str(DR.validFrom), f"<{ID['grant/ttl-g']}>"):
        assert needle in message


@pytest.mark.parametrize(("text", "kind"), BAD[:2], ids=["2019-13", "20x9"])
def test_the_compiled_shapes_refuse_a_bad_date_that_rdflib_lets_through(text, kind):
    """The row route's ``sh:datatype`` (inside the date shape's ``sh:or``)."""
    g = Graph()
    g.parse(data=GOOD_TTL, format="turtle", publicID="https://w3id.org/datareach/id/")
    grant = ID["grant/ttl-g"]
    assert shapecheck.ontology_shapes().validate(g + _onto()) == []
    g.add((grant, DR.validFrom, Literal(text, datatype=kind)))
    found = shapecheck.ontology_shapes().validate(g + _onto())
    assert [(v.focus, v.path, v.value) for v in found] == [(grant, DR.validFrom, Literal(text, datatype=kind))]


def _onto() -> Graph:
    from graph.model import ontology

    return ontology.ontology_graph()


@pytest.mark.parametrize("literal", ['"2019-13"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>',
                                     '"20x9"^^<http://www.w3.org/2001/XMLSchema#gYear>'], ids=["2019-13", "20x9"])
def test_the_column_route_refuses_a_bad_date_as_the_row_route_does(bulk, literal):  # noqa: F811
    import polars as pl

    index, frame = bulk
    triples = _bulk_triples(frame)
    s, p = f"<{ID['grant/bulk-03']}>", f"<{DR.validFrom}>"
    triples = pl.concat([triples.filter(~((pl.col("s") == s) & (pl.col("p") == p))),
                         pl.DataFrame({"s": [s], "p": [p], "o": [literal]})])
    columns, rows = _routes(index, [triples])
    assert columns == rows
    assert [(str(v.focus), str(v.path)) for v in columns] == [(s[1:-1], p[1:-1])]


@pytest.mark.parametrize("value", ["2019-13", "20x9", "2019-5", "20_9", "２０１９", "2019-02-29"])
def test_a_yaml_fact_with_a_bad_date_is_refused(cli, write, value):
    text = replace_line(BASE_YAML, '    valid_from: "2012"\n', f'    valid_from: "{value}"\n')
    path = write("facts.yaml", text)
    assert_refused(cli("check", str(path)), f"{path}:{line_of(text, 'valid_from:')}", value)


@pytest.mark.parametrize("value", ["2019-13", "20x9", "2019-5", "20_9", "２０１９", "2019-02-29"])
def test_a_csv_grant_with_a_bad_date_is_refused(cli, write, decls, value):  # noqa: F811
    header = HEADER.replace(",note,", ",note,valid_from,")
    row = ROW.replace(",active,,", f",active,,{value},")
    path = write("grants.csv", header + row)
    assert_refused(cli("check", str(decls), str(path)), f"{path}:2", value)
    with pytest.raises(Exception, match=value):
        load([decls, path])
