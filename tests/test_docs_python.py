"""The Python API does what the README says: its Python blocks run, paths may be str or
os.PathLike, and no public function is shadowed by a submodule of the same name."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import graph

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_blocks() -> None:
    assert len(_python_blocks()) >= 2


@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_readme_python_block_runs(index: int, tmp_path: Path) -> None:
    """Each block runs in a fresh interpreter in an empty folder, as a new user would paste it."""
    code = _python_blocks()[index]
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c")})
    assert proc.returncode == 0, f"README python block {index} failed:\n{code}\n{proc.stderr[-3000:]}"


def test_no_public_function_is_shadowed_by_a_submodule() -> None:
    """`import graph.build.loader` (or any submodule) must leave graph.load and friends callable."""
    for info in pkgutil.walk_packages(graph.__path__, "graph."):
        if info.name.startswith("graph.cli") or info.name == "graph.__main__":
            continue
        importlib.import_module(info.name)
    for name in graph.__all__:
        value = getattr(graph, name)
        assert not inspect.ismodule(value) or name == "examples", f"graph.{name} is now a module"


def test_paths_may_be_str_or_pathlike(tmp_path: Path) -> None:
    small = Path(graph.__file__).parent / "examples" / "small.yaml"
    result = graph.build(str(small), str(tmp_path / "out"))
    assert result.counts["grants"] > 0
    G = graph.projection([small], tmp_path / "out")
    assert graph.projection(str(small), str(tmp_path / "out")).number_of_edges() == G.number_of_edges()
    assert len(graph.load(str(small))) == len(graph.load([small]))


def _commands() -> list[tuple[str, object]]:
    import click

    from graph.cli.main import main

    ctx = click.Context(main)
    return [("datareach", main)] + [(name, main.get_command(ctx, name)) for name in main.list_commands(ctx)]


@pytest.mark.parametrize(("name", "command"), _commands())
def test_every_command_and_option_is_documented(name: str, command: object) -> None:
    """Each command has help with examples and each option a help text; the README's reference is
    generated from that help (scripts/cli_docs.py --check), so both are documented."""
    import click

    assert isinstance(command, click.Command)
    assert command.help and len(command.help) > 40, f"{name}: no help"
    undocumented = [p.name for p in command.params if isinstance(p, click.Option) and not p.help]
    assert undocumented == [], f"{name}: options without help: {undocumented}"
    readme = README.read_text(encoding="utf-8")
    assert (f"### `datareach {name}`" if name != "datareach" else "### `datareach`") in readme


@pytest.mark.parametrize("name", [n for n in graph.__all__ if inspect.isfunction(getattr(graph, n))])
def test_public_functions_have_numpydoc_and_an_example(name: str) -> None:
    """Every function of the public API documents its parameters and what it returns, with a runnable example."""
    doc = inspect.getdoc(getattr(graph, name)) or ""
    for section in ("Returns", ">>>"):
        assert section in doc, f"graph.{name}: no {section!r} in its docstring"
    if inspect.signature(getattr(graph, name)).parameters:
        assert "Parameters" in doc, f"graph.{name}: no Parameters section"
