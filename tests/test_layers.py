"""The package's layers and the directions imports may take between them.

    base (errors, dates, names, paths, safetext, textfit, atomic, nogc, records)
      ← model ← build ← questions ← {sparql, present, export} ← viz ← serve ← cli

``importers`` sit beside ``questions`` (they read build and model, and only the CLI uses
them). Every ``import`` and ``from … import`` in ``graph/``, at the top of a module or
inside a function, is checked: an import from a later layer is a back-edge and fails, and
so does an import cycle between modules. ``graph/__init__.py`` (the public API) and
``graph/__main__.py`` and ``graph/examples`` may import anything. Imports under
``if TYPE_CHECKING:`` are types only: they count for the layers but make no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "graph"
BASE = {"errors", "dates", "names", "paths", "progress", "safetext", "textfit", "atomic", "nogc", "records"}
# what each layer may import (itself included)
ALLOWED = {
    "base": {"base"},
    "model": {"base", "model"},
    "build": {"base", "model", "build"},
    "importers": {"base", "model", "build", "importers"},
    "questions": {"base", "model", "build", "questions"},
    "sparql": {"base", "model", "build", "questions", "sparql"},
    "present": {"base", "model", "build", "questions", "present"},
    "export": {"base", "model", "build", "questions", "export"},
    "viz": {"base", "model", "build", "questions", "present", "export", "viz"},
    "serve": {"base", "model", "build", "questions", "sparql", "present", "export", "viz", "serve"},
    "cli": set(),  # filled below: everything
}
ALLOWED["cli"] = set(ALLOWED) | {"cli"}
EXEMPT = {"graph", "graph.__main__", "graph.examples"}  # the public API and its small fixture graphs


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    """The layer of ``graph.x.y``: its subpackage, or base for a top-level module."""
    parts = module.split(".")
    if len(parts) == 1:
        return "api"
    if parts[1] in BASE or parts[1] in ("__main__",):
        return "base"
    if parts[1] not in ALLOWED:
        raise AssertionError(f"{module} is in no layer: add it to tests/test_layers.py")
    return parts[1]


def _type_only(tree: ast.Module) -> set[int]:
    """Line numbers of the imports under ``if TYPE_CHECKING:``."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            lines |= {n.lineno for stmt in node.body for n in ast.walk(stmt) if isinstance(n, ast.Import | ast.ImportFrom)}
    return lines


def imports(path: Path, *, types: bool = True) -> list[tuple[str, int]]:
    """The graph modules ``path`` imports, with line numbers (``from graph import x`` names ``graph.x``);
    with ``types=False``, not those under ``if TYPE_CHECKING:``."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set() if types else _type_only(tree)
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("graph.")]
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            if node.module == "graph":
                found += [(f"graph.{a.name}", node.lineno) for a in node.names
                          if (PACKAGE / a.name).is_dir() or (PACKAGE / f"{a.name}.py").is_file()]
            elif node.module.startswith("graph."):
                found.append((node.module, node.lineno))
    return found


def edges(*, types: bool = True) -> list[tuple[str, str, int]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = module_name(path)
        out += [(source, target, line) for target, line in imports(path, types=types) if target != source]
    return out


def back_edges(found: list[tuple[str, str, int]]) -> list[str]:
    bad = []
    for source, target, line in found:
        if source in EXEMPT or layer(target) == "api":
            continue
        if layer(target) not in ALLOWED[layer(source)]:
            bad.append(f"{source}:{line} imports {target} ({layer(source)} may not import {layer(target)})")
    return bad


def test_no_import_goes_against_the_layers() -> None:
    assert back_edges(edges()) == []


def test_no_import_cycles_between_modules() -> None:
    G = nx.DiGraph()
    for source, target, _ in edges(types=False):
        # a package __init__ that imports its own modules is not a cycle of the code's meaning
        if source in EXEMPT or target.startswith(source + "."):
            continue
        G.add_edge(source, target)
    assert list(nx.simple_cycles(G)) == []


@pytest.mark.parametrize(("source", "target"), [("graph.build.loader", "graph.cli.main"),
                                                ("graph.questions.reach", "graph.viz.page"),
                                                ("graph.model.ontology", "graph.build.loader"),
                                                ("graph.sparql.store", "graph.serve.server")])
def test_a_back_edge_is_caught(source: str, target: str) -> None:
    """The check itself can fail: an added import against the layers is reported."""
    assert back_edges([(source, target, 1)]) != []


def test_every_module_is_in_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        if name not in EXEMPT:
            layer(name)
