"""The public functions of graph.sparql document their parameters and what they return,
numpydoc style, with a runnable example (issue 12; the examples run as doctests)."""

from __future__ import annotations

import importlib
import inspect

import pytest

DOCUMENTED = [
    "local.run_query", "guard.check_query", "store.run_store_query", "store.ensure_store",
    "queries.run_named", "output.format_result", "remote.remote_query",
    "sandbox.run_sandboxed", "sandbox.run_forked", "sandbox.isolate_network", "sandbox.encode_term",
    "text.bind_text", "text.with_prefixes",
]


@pytest.mark.parametrize("name", DOCUMENTED)
def test_numpydoc_with_an_example(name: str) -> None:
    module, function = name.split(".")
    fn = getattr(importlib.import_module(f"graph.sparql.{module}"), function)
    doc = inspect.getdoc(fn) or ""
    signature = inspect.signature(fn)
    sections = ["Examples\n--------"]
    sections += ["Parameters\n----------"] if signature.parameters else []  # none to describe
    sections += ["Returns\n-------"] if signature.return_annotation != "None" else []  # returns nothing
    for section in sections:
        assert section in doc, f"{name} has no {section.splitlines()[0]} section"
    assert ">>> " in doc.split("Examples\n--------", 1)[1]
    documented = {line.split(" : ")[0].strip() for line in doc.splitlines() if " : " in line}
    assert set(signature.parameters) <= documented, f"{name}: a parameter is not described"
