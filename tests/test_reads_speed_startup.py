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
