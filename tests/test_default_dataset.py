"""The default dataset (sources/): it loads, conforms to our shapes, round-trips, and
plain SPARQL over the built out/graph.ttl answers what the articles say.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SOURCES, build_file
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.build.loader import load, validate

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

PREFIXES = """\
PREFIX dr: <https://w3id.org/datareach/ns#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def loaded():
    return load([SOURCES])


@pytest.fixture(scope="module")
def ttl(default_build: Path) -> Graph:
    """out/graph.ttl as a user gets it, parsed with plain rdflib."""
    return Graph().parse(default_build / "graph.ttl", format="turtle")


def names(g: Graph, query: str) -> set[str]:
    return {str(row[0]) for row in g.query(PREFIXES + query)}


# ---------------------------------------------------------------- loads and conforms


def test_default_dataset_loads_without_problems_or_warnings(loaded):
    assert loaded.warnings == []
    assert {p.name for p in loaded.files} >= {"registry.yaml", "facebook-partnerships-2018.yaml",
                                              "facebook-scrape-2021.yaml"}


def test_default_dataset_conforms_to_the_shapes(loaded):
    assert validate(loaded.g) == []


def test_built_graph_ttl_conforms_to_the_shapes(ttl):
    """The file on disk, not only the in-memory graph, passes SHACL."""
    assert validate(ttl) == []


def test_build_json_counts(cli, tmp_path):
    result = cli("--quiet", "build", "--format", "json", "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    counts = report["counts"]
    assert counts["companies"] >= 10
    assert counts["grants"] >= 7
    assert counts["incidents"] >= 1
    assert counts["sources"] >= 30  # the seed articles and the public record's originals (issue 14)
    assert report["warnings"] == []


def test_check_default_dataset_ok(cli):
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")


# ---------------------------------------------------------------- round trips


def test_turtle_round_trip_is_isomorphic(loaded, ttl):
    assert isomorphic(ttl, loaded.g)
    again = Graph().parse(data=ttl.serialize(format="turtle"), format="turtle")
    assert isomorphic(again, loaded.g)


def test_turtle_output_parses_strictly(default_build):
    import pyoxigraph

    raw = (default_build / "graph.ttl").read_bytes()
    assert sum(1 for _ in pyoxigraph.parse(raw, format=pyoxigraph.RdfFormat.TURTLE)) > 1000


def test_jsonld_output_has_the_same_triples(default_build, loaded):
    g = Graph().parse(default_build / "graph.jsonld", format="json-ld")
    assert len(g) == len(loaded.g)
    assert isomorphic(g, loaded.g)


def test_cache_ntriples_has_the_same_triples(default_build, loaded):
    g = Graph().parse(build_file(default_build, "graph.nt"), format="nt")
    assert isomorphic(g, loaded.g)


def test_no_file_iris_in_outputs(default_build):
    for name in ("graph.ttl", "graph.jsonld"):
        assert "file:" not in (default_build / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------- what the articles say


def test_who_could_read_write_and_delete_private_messages(ttl):
    found = names(ttl, """
        SELECT DISTINCT ?name WHERE {
          ?g a dr:AccessGrant ; dr:grantee ?c ; dr:dataType ?dt ;
             dr:permission dr:read, dr:write, dr:delete .
          ?dt skos:prefLabel "private message"@en .
          ?c rdfs:label ?name .
        }""")
    # Dropbox: Facebook's fourth messaging partner (its December 19, 2018 post)
    assert found == {"Netflix", "Spotify", "Royal Bank of Canada", "Dropbox"}
    assert not found & {"Amazon", "Apple", "Microsoft", "Yahoo"}


def test_who_could_reach_private_messages_at_all(ttl):
    found = names(ttl, """
        SELECT DISTINCT ?name WHERE {
          ?g a dr:AccessGrant ; dr:grantee ?c ; dr:dataType/skos:prefLabel "private message"@en .
          ?c rdfs:label ?name .
        }""")
    assert {"Netflix", "Spotify", "Royal Bank of Canada"} <= found
    assert not found & {"Amazon", "Apple", "Microsoft", "Yahoo"}


def test_whose_access_overrode_a_privacy_setting(ttl):
    found = names(ttl, """
        SELECT DISTINCT ?name WHERE {
          ?g a dr:AccessGrant ; dr:grantee ?c ; dr:overrodePrivacySetting true .
          ?c rdfs:label ?name .
        }""")
    # Apple (December 2018) and the device makers (June 2018): no onward or incident grant says so
    assert found == {"Apple", "at least 60 device makers"}


def test_what_the_scrape_exposed_and_through_which_feature(ttl):
    rows = list(ttl.query(PREFIXES + """
        SELECT ?incident ?feature ?count WHERE {
          ?incident a dr:Incident ; dr:exploitedFeature/skos:prefLabel ?feature .
          OPTIONAL { ?incident dr:affectedCount ?count }
        }"""))
    assert len(rows) == 1
    incident, feature, count = rows[0]
    assert str(feature) == "contact importer"
    assert int(count) == 533_000_000
    exposed = names(ttl, f"""
        SELECT ?label WHERE {{ <{incident}> dr:dataType/skos:prefLabel ?label }}""")
    # The four fields the seed article names, and those the first reports of the leak add.
    assert exposed == {"phone number", "name", "birth date", "email address", "online identifier", "location", "bio",
                       "gender", "relationship status", "occupation"}
    recipients = {str(r[0]) for r in ttl.query(PREFIXES + f"SELECT ?r WHERE {{ <{incident}> dr:recipient ?r }}")}
    assert "https://w3id.org/datareach/ns#Public" in recipients and len(recipients) == 2  # and the unnamed scrapers


def test_rbc_disputes_its_grant(ttl):
    rows = list(ttl.query(PREFIXES + """
        SELECT ?g ?aspect WHERE {
          ?g a dr:AccessGrant ; dr:grantee/rdfs:label "Royal Bank of Canada" ; dr:evidence ?claim .
          ?claim dr:stance dr:Disputes ; dr:claimant "Royal Bank of Canada" .
          OPTIONAL { ?claim dr:aspect ?aspect }
        }"""))
    assert rows, "no dispute by RBC"
    assert any(aspect is None for _, aspect in rows), "RBC's dispute should be about the whole grant"


def test_partners_with_dispute_claims(ttl):
    found = names(ttl, """
        SELECT DISTINCT ?claimant WHERE {
          ?g a dr:AccessGrant ; dr:grantee/rdfs:label ?claimant ; dr:evidence ?claim .
          ?claim dr:stance dr:Disputes ; dr:claimant ?claimant .
        }""")
    assert {"Netflix", "Spotify", "Apple", "Royal Bank of Canada"} <= found


def test_facebook_disputes_too(ttl):
    found = names(ttl, """
        SELECT DISTINCT ?claimant WHERE { ?claim a dr:Claim ; dr:stance dr:Disputes ; dr:claimant ?claimant }""")
    assert "Facebook" in found


def test_every_fact_is_cited_by_a_registered_source(ttl):
    uncited = list(ttl.query(PREFIXES + """
        SELECT ?f WHERE {
          VALUES ?kind { dr:AccessGrant dr:Collection dr:Incident dr:Ownership }
          ?f a ?kind .
          FILTER NOT EXISTS { ?f dr:evidence/dr:source/(dr:url|dr:readVia/dr:url) ?url }
        }"""))
    assert uncited == []  # each fact cites a source whose address, or the page it was read through, is known
    dangling = list(ttl.query(PREFIXES + """
        SELECT ?c WHERE { ?c a dr:Claim ; dr:source ?s . FILTER NOT EXISTS { ?s a dr:Source } }"""))
    assert dangling == []


def test_bing_is_an_alias_of_microsoft(ttl):
    found = names(ttl, """SELECT ?name WHERE { ?c a dr:Company ; skos:altLabel "Bing" ; rdfs:label ?name }""")
    assert found == {"Microsoft"}


def test_the_seed_sources_stay_and_every_source_can_be_found(ttl):
    found = names(ttl, "SELECT ?p WHERE { ?s a dr:Source ; dcterms:publisher ?p }")
    assert {"Techly", "The Register", "Vice (Motherboard)"} <= found  # the three seed articles (issue 14, item 5)
    lost = list(ttl.query(PREFIXES + """
        SELECT ?s WHERE { ?s a dr:Source . FILTER NOT EXISTS { ?s (dr:url|dr:readVia/dr:url) ?url } }"""))
    assert lost == []
