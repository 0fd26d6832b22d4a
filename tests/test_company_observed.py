"""A company's holdings observed on sites, summed up; and citations of many rows as runs.

A crawl states a company's holdings per site, tracker and month: Google holds 57,011 in the
WhoTracks.me package, which ``company Google`` printed one per line (7.8 MB of text). The text,
Markdown and web profiles now sum them up per way of collecting; CSV and JSON keep each one.
A statement holding (an article's, with no site) is still listed on its own.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_serve_fixtures import get, running_server

from graph.build import compiled
from graph.cli.main import main
from graph.present.company import company_markdown, company_text
from graph.present.locators import REF_LOCATORS, locator_list
from graph.questions.company import TOP_SITES, company_profile

SITES = 30
MONTHS = ("2018-01", "2018-02", "2018-03")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ads Co: observed by two trackers on SITES sites over three months (tracker "pix" only on
    even sites, with cookies), one observation disputed; and one holding stated by an article."""
    root = tmp_path_factory.mktemp("observed")
    lines = ["sources:",
             "  - {id: crawl, publisher: Example crawl, title: Trackers seen, date: 2018-04, url: https://example.org/c}",
             "  - {id: news, publisher: Example News, title: Ads Co holds phones, date: 2019-01-02, "
             "url: https://example.org/n}",
             "  - {id: rebuttal, publisher: Ads Co, title: A statement, date: 2019-02-01, url: https://example.org/r}",
             "companies:", "  - {id: ads, name: Ads Co}", "holdings:",
             "  - {holder: Ads Co, data_types: [phone number], evidence: [{source: news, locator: ¶4}]}"]
    row = 0
    for month in MONTHS:
        for i in range(SITES):
            for tracker in ("tag", "pix") if i % 2 == 0 else ("tag",):
                row += 1
                types = "[pages visited, cookie identifier]" if tracker == "pix" else "[pages visited]"
                dispute = (", {source: rebuttal, locator: p. 1, stance: disputes}"
                           if (month, i, tracker) == ("2018-02", 3, "tag") else "")
                lines.append(f"  - {{holder: Ads Co, data_types: {types}, integration: tracking, "
                             f"from: [users of sites that embed it], site: s{i:02d}.example, tracker: {tracker}, "
                             f"observed: '{month}', share: 0.5, "
                             f"evidence: [{{source: crawl, locator: '{month}.csv row {row}'}}{dispute}]}}")
    (root / "sources").mkdir()
    (root / "sources" / "facts.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    compiled.build([root / "sources"], root / "out")
    return root


def observations() -> list[tuple[str, str, str]]:
    return [(m, f"s{i:02d}.example", t) for m in MONTHS for i in range(SITES)
            for t in (("tag", "pix") if i % 2 == 0 else ("tag",))]


def cli(project: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["-q", "-s", str(project / "sources"), "--out", str(project / "out"), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_profile_sums_up_observations_and_keeps_each(project: Path) -> None:
    p = company_profile(compiled.flow_graph([project / "sources"], project / "out"), "Ads Co")
    want = observations()
    [group] = p.observed
    assert group["observations"] == len(want) and group["sites"] == SITES
    assert (group["first"], group["last"]) == (MONTHS[0], MONTHS[-1])
    assert [(c["name"], c["observations"]) for c in group["trackers"]] == sorted(
        Counter(t for *_, t in want).items(), key=lambda kv: (-kv[1], kv[0]))
    assert [(c["name"], c["observations"]) for c in group["data_types"]] == [
        ("pages visited", len(want)), ("cookie identifier", sum(t == "pix" for *_, t in want))]
    by_site = Counter(s for _, s, _ in want)
    assert [c["name"] for c in group["top_sites"]] == sorted(by_site, key=lambda s: (-by_site[s], s))[:TOP_SITES]
    assert group["disputed"] == 1 and group["sources"] == ["crawl"]
    assert sorted((h["observed"], h["site"], h["tracker"]) for h in p.holds if h["site"]) == sorted(want)
    assert [h["data_types"] for h in p.holds if not h["site"]] == [["phone number"]]


def test_text_and_markdown_say_it_in_a_few_lines_with_rows_as_runs(project: Path) -> None:
    p = company_profile(compiled.flow_graph([project / "sources"], project / "out"), "Ads Co")
    text = company_text(p, width=None)
    assert len(text.splitlines()) < 20
    assert "phone number [1] ¶4" in text  # the article's holding, on its own line
    assert f"{len(observations()):,} observations on {SITES} sites, 2018-01 to 2018-03, by 2 trackers, 1 disputed" in text
    assert "    trackers: tag 90, pix 45" in text  # under the group's line
    assert "    sites with the most observations: s00.example 6, s02.example 6" in text
    assert f"and {SITES - TOP_SITES} more" in text
    refs = re.search(r"\[2\] ([^;]*); \[3\] p\. 1", text)  # the crawl's rows, then the disputing statement
    assert refs is not None, text
    assert sorted(refs[1].split(", ")) == ["2018-01.csv rows 1–45", "2018-02.csv rows 46–90", "2018-03.csv rows 91–135"]
    md = company_markdown(p)
    assert "\n  - trackers: tag 90, pix 45" in md and "\n- pages visited, cookie identifier" in md


def test_csv_and_json_keep_every_observation(project: Path) -> None:
    rows = list(csv.DictReader(cli(project, "company", "Ads Co", "--format", "csv").splitlines()))
    held = [r for r in rows if r["relation"] == "holds"]
    assert sorted((r["observed"], r["site"], r["tracker"]) for r in held if r["site"]) == sorted(observations())
    assert {r["share"] for r in held if r["site"]} == {"0.5"}
    data = json.loads(cli(project, "company", "Ads Co", "--format", "json"))
    assert len(data["holds"]) == len(observations()) + 1 and data["observed"][0]["observations"] == len(observations())


def test_the_cli_says_where_each_observation_is(project: Path) -> None:
    result = CliRunner().invoke(main, ["-s", str(project / "sources"), "--out", str(project / "out"), "company", "Ads Co"])
    assert result.exit_code == 0
    assert "--format csv or --format json" in result.stderr and "observations" not in result.stderr.split("Each")[0]


def test_the_web_profile_has_one_row_per_group_and_the_statement(project: Path) -> None:
    with running_server(project / "out") as srv:
        page = get(srv, "/company/ads").text
    observed = page.split('<section id="observed">')[1].split("</section>")[0]
    assert observed.count("<tr>") == 2  # the header and the one group
    assert "tag 90, pix 45" in observed and "s00.example 6" in observed
    held = page.split('<section id="holds">')[1].split("</section>")[0]
    assert held.count("<tr>") == 2 and "phone number" in held


@pytest.mark.parametrize(("locators", "limit", "want"), [
    (["f.csv row 2", "f.csv row 1", "f.csv row 3"], None, "f.csv rows 1–3"),
    (["f.csv row 7"], None, "f.csv row 7"),
    (["f.csv row 7", "f.csv row 7", "¶2"], None, "f.csv row 7, ¶2"),
    (["a.csv row 1", "b.csv row 2", "a.csv row 2"], None, "a.csv rows 1–2, b.csv row 2"),
    (["f.csv row 1", "f.csv row 3", "f.csv row 5"], 2, "f.csv rows 1, 3 and 1 more"),
    ([f"f.csv row {n}" for n in range(1, 101)] + ["f.csv row 200"], 1, "f.csv rows 1–100 and 1 more"),
    (["", None, "  ¶ 3 "], None, "¶ 3"),
    (["row 4"], None, "row 4"),  # no file named: a locator as any other
    (["¶10 (\"a row 3\")"], None, "¶10 (\"a row 3\")"),
])
def test_locator_list(locators: list[str], limit: int | None, want: str) -> None:
    assert locator_list(locators, limit) == want


def test_a_citation_lists_at_most_so_many_runs() -> None:
    many = [f"f.csv row {2 * n}" for n in range(100)]
    text = locator_list(many)
    assert text.count(",") == REF_LOCATORS - 1 and text.endswith(f"and {100 - REF_LOCATORS} more")
