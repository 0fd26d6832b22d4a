"""The build fingerprint hashes the ontology by content, not by where it is: two checkouts (or the
installed wheel and a checkout) no longer rebuild each other's builds; a changed shape still does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import BASE_YAML

from graph.build import compiled, inputs
from graph.paths import ontology_dir, schema_path


def _copy_ontology(to: Path) -> tuple[Path, Path]:
    """A copy of the ontology's .ttl files and of the fact-file schema under ``to``."""
    onto = to / "ontology"
    onto.mkdir(parents=True)
    for ttl in ontology_dir().glob("*.ttl"):
        shutil.copy2(ttl, onto / ttl.name)
    schema = to / "sources" / "schema" / schema_path().name
    schema.parent.mkdir(parents=True)
    shutil.copy2(schema_path(), schema)
    return onto, schema


def _use(monkeypatch: pytest.MonkeyPatch, onto: Path, schema: Path) -> None:
    monkeypatch.setattr(inputs, "ontology_dir", lambda: onto)
    monkeypatch.setattr(inputs, "schema_path", lambda: schema)


@pytest.fixture
def facts(tmp_path: Path) -> list[Path]:
    path = tmp_path / "project" / "facts.yaml"
    path.parent.mkdir()
    path.write_text(BASE_YAML, encoding="utf-8")
    return [path]


def test_two_copies_of_the_ontology_give_the_same_token(tmp_path, monkeypatch, facts):
    tokens = []
    for name in ("checkout-a", "checkout-b"):
        _use(monkeypatch, *_copy_ontology(tmp_path / name))
        tokens.append(inputs.fingerprint(facts))
    monkeypatch.undo()
    assert tokens[0] == tokens[1] == inputs.fingerprint(facts)


def test_a_changed_shape_changes_the_token(tmp_path, monkeypatch, facts):
    onto, schema = _copy_ontology(tmp_path / "checkout")
    _use(monkeypatch, onto, schema)
    before = inputs.fingerprint(facts)
    shapes = onto / "shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8").replace("sh:minCount 1", "sh:minCount 2", 1), encoding="utf-8")
    assert inputs.fingerprint(facts) != before


def test_a_changed_schema_or_fact_file_changes_the_token(tmp_path, monkeypatch, facts):
    onto, schema = _copy_ontology(tmp_path / "checkout")
    _use(monkeypatch, onto, schema)
    before = inputs.fingerprint(facts)
    schema.write_text(schema.read_text(encoding="utf-8") + " ", encoding="utf-8")
    after_schema = inputs.fingerprint(facts)
    facts[0].write_text(BASE_YAML + "\n", encoding="utf-8")
    assert len({before, after_schema, inputs.fingerprint(facts)}) == 3


def test_a_build_stays_fresh_for_another_checkout_of_the_same_ontology(tmp_path, monkeypatch, facts):
    out = tmp_path / "out"
    compiled.build(facts, out)
    assert compiled.is_fresh(facts, out)
    onto, schema = _copy_ontology(tmp_path / "elsewhere")
    _use(monkeypatch, onto, schema)
    assert compiled.is_fresh(facts, out)
    (onto / "shapes.ttl").write_text((onto / "shapes.ttl").read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert not compiled.is_fresh(facts, out)
