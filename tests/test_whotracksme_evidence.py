"""import whotracksme cites each company once per distinct citation, not once per tracker.

Google runs 11 trackers in the fixture (19 in the whole package), and was cited by the same
trackerdb.sql row once for each. The expected citations are computed here from trackerdb.sql with
the standard library alone: one per company row that has a tracker, one per tracker without a company.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from test_import_whotracksme import FIX, ask, project, run  # noqa: F401  (project is a fixture)

from graph.build import safeyaml

pytest.importorskip("polars")


def _companies(project: Path) -> dict[str, list[tuple[str, str]]]:  # noqa: F811
    data, _ = safeyaml.load((project / "sources" / "whotracksme-2018-5-17" / "whotracksme.yaml").read_text(encoding="utf-8"))
    return {c["name"]: [(e["source"], e["locator"]) for e in c["evidence"]] for c in data["companies"]}


def _expected_locators() -> dict[str, set[str]]:
    con = sqlite3.connect(":memory:")
    con.executescript((FIX / "trackerdb.sql").read_text(encoding="utf-8"))
    out: dict[str, set[str]] = defaultdict(set)
    for tid, tname, cid, cname in con.execute(
            "SELECT t.id, t.name, c.id, c.name FROM trackers t LEFT JOIN companies c ON c.id = t.company_id"):
        if cname is not None and cname.strip() != "":
            out[" ".join(cname.split())].add(f"trackerdb.sql companies id '{cid}'")
        else:
            out[" ".join(tname.split())].add(f"trackerdb.sql trackers id '{tid}' (no company_id: the tracker is its own operator)")
    return out


def test_no_company_repeats_a_citation(project):  # noqa: F811
    companies = _companies(project)
    repeated = {name: n for name, ev in companies.items() for n in Counter(ev).values() if n > 1}
    assert repeated == {}
    assert len(companies["Google"]) == 1


def test_every_distinct_citation_is_kept(project):  # noqa: F811
    companies = _companies(project)
    assert {name: {loc for _, loc in ev} for name, ev in companies.items()} == _expected_locators()


def test_owner_still_answers_for_a_google_domain(project):  # noqa: F811
    assert "Google" in ask(project, "owner", "google-analytics.com")
