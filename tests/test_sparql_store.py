"""--store DIR: SPARQL on an embedded on-disk Oxigraph store, guarded like the in-memory engine."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph.build import compiled
from graph.paths import bundled_sources
from graph.sparql.guard import QueryRefused
from graph.sparql.local import QueryTimeout, run_query
from graph.sparql.output import format_result
from graph.sparql.store import MARK, ensure_store, run_store_query

QUERIES = [
    "SELECT ?c ?l WHERE { ?g dr:grantee ?c ; dr:permission dr:delete . ?c rdfs:label ?l } ORDER BY ?c",
    "SELECT ?i ?dt WHERE { ?i a dr:Incident ; dr:dataType ?dt ; dr:exploitedFeature ik:contact-importer } ORDER BY ?dt",
    "ASK { ?g dr:overrodePrivacySetting true }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("store")
    out = root / "out"
    compiled.build(None, out)
    return out, ensure_store(out, root / "store")


@pytest.mark.parametrize("query", QUERIES)
def test_store_answers_equal_the_in_memory_engine(built: tuple[Path, Path], query: str) -> None:
    out, store = built
    g = compiled.rdf_graph(None, out)
    assert format_result(run_store_query(store, query), "csv") == format_result(run_query(g, query), "csv")


def test_the_store_is_made_once_and_remade_when_the_build_changes(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(bundled_sources(), sources)
    out, folder = tmp_path / "out", tmp_path / "store"
    compiled.build([sources], out)
    ensure_store(out, folder)
    stamp = (folder / MARK).stat().st_mtime_ns
    ensure_store(out, folder)
    assert (folder / MARK).stat().st_mtime_ns == stamp
    registry = sources / "registry.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    compiled.build([sources], out)
    ensure_store(out, folder)
    manifest = json.loads((out / ".datareach" / "manifest.json").read_text())
    assert json.loads((folder / MARK).read_text())["token"] == manifest["token"]
    assert not list(tmp_path.glob(".store.*"))  # no staging folder left behind


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }",
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
    "SELECT * WHERE " + "{" * 5000 + "}" * 5000,  # pyoxigraph would crash on this: refused first
])
def test_hostile_queries_are_refused_before_the_store_sees_them(built: tuple[Path, Path], query: str) -> None:
    with pytest.raises(QueryRefused):
        run_store_query(built[1], query)


def test_a_runaway_query_is_stopped(built: tuple[Path, Path]) -> None:
    with pytest.raises(QueryTimeout):
        run_store_query(built[1], "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=1)


def test_cli_store_option_gives_the_same_named_answers(built: tuple[Path, Path], tmp_path: Path) -> None:
    out, _ = built

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "graph", "-q", "--out", str(out), *args],
                              capture_output=True, text=True, timeout=120)

    for args in (["sparql", "--name", "disputes", "--format", "csv"],
                 ["sparql", "--name", "grants-by-company", "--param", "company=RBC", "--format", "csv"]):
        on_store = cli("--store", str(tmp_path / "st"), *args)
        assert on_store.returncode == 0, on_store.stderr
        assert on_store.stdout == cli(*args).stdout
    refused = cli("--store", str(tmp_path / "st"), "sparql", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert refused.returncode == 2 and "SERVICE is not allowed" in refused.stderr and "Traceback" not in refused.stderr
