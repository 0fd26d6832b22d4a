"""graph.names.CompanyIndex: exact and loose look-ups, and the work a build's look-ups cost."""

from __future__ import annotations

import pytest

from graph import names
from graph.names import CompanyIndex


def test_loose_lookups_between_additions_key_each_name_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build declares companies one by one and looks each new name up loosely: the legal-form
    keys were rebuilt from every name at each look-up after an addition, so an M build (20,000
    companies) spent minutes in ``legal_key``. Each name is keyed once, each look-up once."""
    calls = 0
    real = names.legal_key

    def counted(name: str) -> str:
        nonlocal calls
        calls += 1
        return real(name)

    monkeypatch.setattr(names, "legal_key", counted)
    index = CompanyIndex()
    n = 2_000
    for i in range(n):
        assert index.resolve_loosely(f"Company {i} Ltd") is None
        index.add(f"company-{i}", [f"Company {i}", f"Company {i} GmbH"])
    assert calls <= 3 * n
    assert index.resolve_loosely("Company 7 Ltd") == "company-7"  # added since the last look-up: still found
    assert index.resolve_loosely("company 1999, inc.") == "company-1999"


def test_a_name_added_after_a_loose_lookup_is_suggested_and_found() -> None:
    index = CompanyIndex()
    index.add("google", ["Google LLC"])
    assert index.resolve_loosely("Google Inc") == "google"
    index.add("meta", ["Meta Platforms, Inc."])
    assert index.resolve_loosely("Meta Platforms") == "meta"
    assert "Meta Platforms, Inc." in index.suggest("Meta Platform")
