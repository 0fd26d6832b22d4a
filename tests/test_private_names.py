"""A module's private names (``_name``) stay in that module (issue 12).

A helper another module needs is public (no leading underscore), with a docstring, in the
module where it belongs: ``graph.sparql.store`` once imported six private helpers of
``graph.sparql.local``. Every module of ``graph/`` is read with ``ast``: ``from graph.x import
_name``, ``from . import _name`` and ``module._name`` on an imported graph module all fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "graph"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(source: str, where: str = "<text>") -> list[str]:
    """Each private name of another graph module that ``source`` imports or reads."""
    tree = ast.parse(source)
    modules: set[str] = set()  # local names bound to graph modules
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").split(".")[0] == "graph"):
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{where}:{node.lineno} imports {alias.name} from {node.module or '.'}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "graph":
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and _root(node.value) in modules:
            found.append(f"{where}:{node.lineno} reads {ast.unparse(node)}")
    return found


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def test_no_module_of_graph_uses_another_modules_private_names() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += private_uses(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    assert found == []


def test_the_check_catches_each_way_in() -> None:
    """The check can fail: the import store.py used to have, and its variants, are reported."""
    assert private_uses("from graph.sparql.local import QueryResult, _run_forked\n") != []
    assert private_uses("from . import _helper\n") != []
    assert private_uses("from graph.sparql import local\nlocal._run_forked(job, 1)\n") != []
    assert private_uses("import graph.sparql.local\ngraph.sparql.local._guarded(f)\n") != []
    assert private_uses("import graph.sparql.local as gl\ngl._guarded(f)\n") != []


def test_public_names_and_own_private_names_pass() -> None:
    assert private_uses("from graph.sparql.sandbox import run_sandboxed\n") == []
    assert private_uses("from graph.build.loader import load as _load\n") == []
    assert private_uses("import json\njson._default_encoder\n") == []
    assert private_uses("def _mine() -> None: ...\n_mine()\nself._x = 1\n") == []
