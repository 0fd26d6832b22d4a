"""What start-up imports of our own (issue 17, item 5: fixed start-up).

``datareach --help`` (and any command, before it runs) imports ``graph.cli.main``; the typed
errors it needs must not pull in the name matching of ``graph.names`` and, through it,
``hashlib`` and ``difflib``: those load when a problem or a misspelt name is written out.
"""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", ["graph.names", "hashlib", "difflib", "graph.sparql.access", "netrc", "base64"])
def test_the_cli_entry_point_does_not_import(module: str) -> None:
    assert module not in _loaded_after("import graph.cli.main")


def test_errors_still_suggest_the_nearest_name() -> None:
    from graph.errors import NotFoundError, Problem

    assert str(NotFoundError("data type", "phone nubmer", ["phone number"])).endswith("did you mean 'phone number'?")
    assert str(Problem("f.yaml", 3, "x", "bad", "good")) == "f.yaml:3: x: bad — did you mean 'good'?"


@pytest.mark.parametrize("module", ["graph.sparql.queries", "graph.names", "hashlib"])
def test_a_plain_query_does_not_import_the_named_queries(module: str) -> None:
    """``datareach sparql QUERY`` loads the named queries (name matching, the .rq files) only for
    --name, --list, or when an error is being matched."""
    assert module not in _loaded_after("import graph.cli.main\nfrom graph.cli import sparql")


@pytest.mark.parametrize("module", ["hashlib", "shutil", "tempfile"])
def test_a_question_on_a_ready_build_starts_without(module: str) -> None:
    """Hashing, copying and temporary files load when a build is checked in full, written or
    staged, not when a question opens a build that is already there."""
    assert module not in _loaded_after("import graph.cli.main, graph.build.project, graph.sparql.store")


def _imported(args: list[str], out: str) -> tuple[set[str], str]:
    """The modules a fresh ``datareach`` run imports (its forked query child's too: it writes to
    the same standard error), and its standard output."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "graph", "--quiet", "--out", out, *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return ({line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")},
            done.stdout)


@pytest.fixture(scope="module")
def ready_build(tmp_path_factory: pytest.TempPathFactory) -> str:
    from graph.build import compiled

    out = str(tmp_path_factory.mktemp("startup") / "out")
    compiled.build(None, out)
    return out


@pytest.mark.parametrize("module", ["json", "graph.build", "graph.sparql.store", "pyoxigraph", "ctypes"])
def test_help_starts_without(module: str, ready_build: str) -> None:
    """``datareach --help`` lists the commands from graph/cli/shorthelp.py: no build, store or JSON."""
    imported, stdout = _imported(["--help"], ready_build)
    assert "sparql" in stdout
    assert module not in imported


def test_a_point_query_on_a_ready_store_starts_without_what_it_does_not_use(ready_build: str) -> None:
    """``datareach sparql QUERY`` on a ready build: the store and the sandbox, but no rdflib (the
    guard's pre-scan is enough in a sealed child), no named queries or name matching, no hashing,
    copying or temporary files (the build is current), and no ``ctypes`` in the child (it leaves the
    network through ``_ctypes``, see graph.sparql.sandbox._libc_function)."""
    imported, stdout = _imported(["sparql", "SELECT ?n { ?c a dr:Company ; rdfs:label ?n } ORDER BY ?n LIMIT 2",
                                  "--format", "csv"], ready_build)
    assert stdout.split("\n")[0] == "n" and len(stdout.strip().splitlines()) == 3
    assert {"pyoxigraph", "graph.sparql.sandbox", "graph.build.folder"} <= imported
    unwanted = {"rdflib", "graph.sparql.queries", "graph.sparql.local", "graph.names", "hashlib", "shutil",
                "tempfile", "ctypes", "traceback", "networkx", "numpy", "polars"}
    assert {m for m in imported if m in unwanted or m.split(".")[0] in unwanted} == set()
