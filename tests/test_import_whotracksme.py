"""import whotracksme (issue 17): a real crawl as holdings observed per site and month.

The fixture (tests/fixtures/whotracksme/, see its README) is a verbatim slice of the
WhoTracks.me data package 2018.5.17. Expected counts are computed here from the CSV
files and trackerdb.sql with the standard library alone, never with the importer's code.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graph.cli.main import main
from graph.importers.common import ImportProblem

pytest.importorskip("polars")
FIX = Path(__file__).parent / "fixtures" / "whotracksme"


def expected(root: Path, threshold: float = 0.1) -> dict[str, dict[str, dict[str, set[str]]]]:
    """month → company name → {"sites": set, "observations": set of (site, tracker), "types": set,
    "trackers": set of tracker ids}, from the files."""
    con = sqlite3.connect(":memory:")
    con.executescript((root / "trackerdb.sql").read_text(encoding="utf-8"))
    company = {tid: " ".join((cname or tname).split()) for tid, tname, cname in con.execute(
        "SELECT t.id, t.name, c.name FROM trackers t LEFT JOIN companies c ON c.id = t.company_id")}
    out: dict[str, dict[str, dict[str, set]]] = {}
    for month_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name[:2] == "20"):
        month = out.setdefault(month_dir.name, defaultdict(
            lambda: {"sites": set(), "observations": set(), "types": set(), "trackers": set()}))
        with open(month_dir / "global" / "sites_trackers.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["tracker"] not in company:
                    continue
                c = month[company[row["tracker"]]]
                c["sites"].add(row["site"])
                c["observations"].add((row["site"], row["tracker"]))
                c["trackers"].add(row["tracker"])
                c["types"] |= {"pages visited"} | ({"cookie identifier"} if float(row["cookies"]) > threshold else set()) \
                    | ({"online identifier"} if float(row["bad_qs"]) > threshold else set())
    return out


def run(*args: str) -> str:
    result = CliRunner().invoke(main, ["-q", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wtm")
    out = root / "sources"
    run("import", "whotracksme", str(FIX), "-o", str(out))
    return root


def reached(answer: str) -> list[str]:
    """The companies of a reach answer (JSON), sorted, checking none was left out."""
    data = json.loads(answer)
    assert data["total"] == len(data["companies"])
    return sorted(c["label"] for c in data["companies"])


def ask(project: Path, *args: str) -> str:
    return run("-s", str(project / "sources"), "--out", str(project / "out"), *args)


def test_import_writes_a_yaml_file_and_a_holdings_csv_per_month_citing_file_and_row(project: Path) -> None:
    folder = project / "sources" / "whotracksme-2018-5-17"
    assert sorted(p.name for p in folder.iterdir()) == ["2017-12.csv", "2018-01.csv", "2018-02.csv", "whotracksme.yaml"]
    rows = list(csv.DictReader(open(folder / "2018-01.csv", encoding="utf-8", newline="")))
    first = next(csv.DictReader(open(FIX / "2018-01" / "global" / "sites_trackers.csv", encoding="utf-8", newline="")))
    assert rows[0]["site"] == first["site"] and rows[0]["observed"] == "2018-01"
    assert rows[0]["locator"] == "2018-01/global/sites_trackers.csv row 1"
    assert float(rows[0]["share"]) == pytest.approx(float(first["site_proportion"]))
    assert all(0 <= float(r["share"]) <= 1 and "e" not in r["share"] for r in rows)
    meta = (folder / "whotracksme.yaml").read_text(encoding="utf-8")
    assert "2018.5.17" in meta and "MIT" in meta and "homepage:" in meta


def test_reach_as_of_a_month_counts_only_that_months_observers(project: Path) -> None:
    truth = expected(FIX)
    for month in truth:
        assert reached(ask(project, "reach", "pages visited", "--as-of", month, "--format", "json")) == sorted(truth[month]), month
    every = {c for m in truth.values() for c in m}
    assert reached(ask(project, "reach", "pages visited", "--format", "json")) == sorted(every)
    assert len(truth["2018-01"]) < len(every)  # the months differ, so the as-of filter is tested


def test_identifier_types_follow_the_mapping_table(project: Path) -> None:
    truth = expected(FIX)["2018-02"]
    for kind in ("cookie identifier", "online identifier"):
        assert reached(ask(project, "reach", kind, "--as-of", "2018-02", "--format", "json")) == \
            sorted(c for c, v in truth.items() if kind in v["types"])


def test_sparql_counts_sites_and_observations_per_company_and_month(project: Path) -> None:
    truth = expected(FIX)
    query = """PREFIX dr: <https://w3id.org/datareach/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?company ?month (COUNT(DISTINCT ?site) AS ?sites) (COUNT(DISTINCT ?h) AS ?observations) WHERE {
  ?h a dr:Collection ; dr:holder ?c ; dr:site ?site ; dr:observed ?m . ?c rdfs:label ?company .
  BIND(STR(?m) AS ?month) } GROUP BY ?company ?month"""
    answer = json.loads(ask(project, "sparql", query, "--format", "json"))
    got = {(b["company"], b["month"]): (int(b["sites"]), int(b["observations"])) for b in _bindings(answer)}
    want = {(c, m): (len(v["sites"]), len(v["observations"])) for m, cs in truth.items() for c, v in cs.items()}
    assert got == want



def test_the_named_query_ranks_companies_by_sites_per_month_and_rank_says_the_crawl_ties(project: Path) -> None:
    """Who are the hubs of a crawl: the sites each company was seen on, from the files; the flow
    measures (betweenness) tie every tracker, and the answer says so instead of ranking them."""
    truth = expected(FIX)
    assert sorted(truth) == ["2017-12", "2018-01", "2018-02"]
    for month in truth:
        rows = list(csv.DictReader(ask(project, "sparql", "--name", "holders-by-sites", "--param", f"month={month}",
                                       "--format", "csv").splitlines()))
        got = [(r["company_label"], int(r["sites"]), int(r["observations"]), int(r["trackers"])) for r in rows]
        want = sorted(((c, len(v["sites"]), len(v["observations"]), len(v["trackers"])) for c, v in truth[month].items()),
                      key=lambda t: (-t[1], t[0]))
        assert sorted(got) == sorted(want) and [g[1] for g in got] == [w[1] for w in want], month
    ranked = json.loads(ask(project, "rank", "--by", "betweenness", "--format", "json"))
    assert {r["rank"] for r in ranked} == {1} and ranked[0]["tied"] >= len(truth["2018-01"])
    assert "share place 1 (betweenness 0.0)" in ask(project, "rank", "--by", "betweenness")


def sites_per_tracker(root: Path) -> dict[str, dict[str, int]]:
    """month → tracker id → distinct sites, from the CSV files alone (trackers trackerdb names)."""
    con = sqlite3.connect(":memory:")
    con.executescript((root / "trackerdb.sql").read_text(encoding="utf-8"))
    known = {tid for (tid,) in con.execute("SELECT id FROM trackers")}
    out: dict[str, dict[str, int]] = {}
    for month_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name[:2] == "20"):
        sites: dict[str, set[str]] = defaultdict(set)
        with open(month_dir / "global" / "sites_trackers.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["tracker"] in known:
                    sites[row["tracker"]].add(row["site"])
        out[month_dir.name] = {t: len(s) for t, s in sites.items()}
    return out


def test_each_observation_names_its_tracker_and_sites_per_tracker_match_the_files(project: Path) -> None:
    """Sites per tracker and trackers per company, per month, as the package's CSV files count them."""
    truth, by_company = sites_per_tracker(FIX), expected(FIX)
    for month, counts in truth.items():
        rows = list(csv.DictReader(ask(project, "sparql", "--name", "trackers-by-sites", "--param", f"month={month}",
                                       "--format", "csv").splitlines()))
        assert {r["tracker"]: int(r["sites"]) for r in rows} == counts, month
        assert [int(r["sites"]) for r in rows] == sorted(counts.values(), reverse=True)
        runs: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            runs[r["company_label"]].add(r["tracker"])
        assert runs == {c: v["trackers"] for c, v in by_company[month].items()}, month
    written = list(csv.DictReader((project / "sources" / "whotracksme-2018-5-17" / "2018-01.csv").read_text(
        encoding="utf-8").splitlines()))
    with open(FIX / "2018-01" / "global" / "sites_trackers.csv", encoding="utf-8", newline="") as fh:
        raw = {int(r["locator"].rsplit(" ", 1)[1]) for r in written}  # rows the import kept, by their number
        source = [r for i, r in enumerate(csv.DictReader(fh), 1) if i in raw]
    assert [(r["site"], r["tracker"]) for r in written] == [(r["site"], r["tracker"]) for r in source]

def test_a_company_sums_up_its_observations_as_the_files_count_them(project: Path) -> None:
    """``company NAME``: the observations of all months in one line per way of collecting, with
    the counts of the files; the CSV and JSON keep each observation, with its site, tracker and month."""
    by_company = expected(FIX)
    totals: dict[str, dict[str, set]] = defaultdict(lambda: {"sites": set(), "observations": set(), "trackers": set(),
                                                            "months": set()})
    for month, companies in by_company.items():
        for name, c in companies.items():
            totals[name]["sites"] |= c["sites"]
            totals[name]["observations"] |= {(month, *o) for o in c["observations"]}
            totals[name]["trackers"] |= c["trackers"]
            totals[name]["months"].add(month)
    name = max(totals, key=lambda n: (len(totals[n]["observations"]), n))
    want = totals[name]
    profile = json.loads(ask(project, "company", name, "--format", "json"))
    [group] = profile["observed"]
    assert group["observations"] == len(want["observations"]) == len(profile["holds"])
    assert group["sites"] == len(want["sites"])
    assert {t["name"] for t in group["trackers"]} == want["trackers"]
    assert (group["first"], group["last"]) == (min(want["months"]), max(want["months"]))
    assert {(h["observed"], h["site"], h["tracker"]) for h in profile["holds"]} == want["observations"]
    text = ask(project, "company", name)
    head = f"{len(want['observations']):,} observations on {len(want['sites']):,} sites"
    assert head in text and text.count("observations on") == 1  # one line, not one per observation
    assert len(text.splitlines()) < 40 < len(want["observations"])
    rows = list(csv.DictReader(ask(project, "company", name, "--format", "csv").splitlines()))
    held = [r for r in rows if r["relation"] == "holds"]
    assert {(r["observed"], r["site"], r["tracker"]) for r in held} == want["observations"]
    assert all(0 < float(r["share"]) <= 1 for r in held)


def test_the_trackers_on_a_site_month_by_month_are_the_files_rows(project: Path) -> None:
    """Named query ``trackers-on-site``: each (month, tracker) row of the package's CSV files for
    the site, with its company and the row's share of the site's page loads."""
    con = sqlite3.connect(":memory:")
    con.executescript((FIX / "trackerdb.sql").read_text(encoding="utf-8"))
    company = {tid: " ".join((cname or tname).split()) for tid, tname, cname in con.execute(
        "SELECT t.id, t.name, c.name FROM trackers t LEFT JOIN companies c ON c.id = t.company_id")}
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    rows_of: dict[str, dict[tuple[str, str], tuple[str, float]]] = defaultdict(dict)
    for month_dir in sorted(p for p in FIX.iterdir() if p.is_dir() and p.name[:2] == "20"):
        with open(month_dir / "global" / "sites_trackers.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["tracker"] in company:
                    seen[row["site"]][month_dir.name] += 1
                    rows_of[row["site"]][(month_dir.name, row["tracker"])] = (company[row["tracker"]],
                                                                             float(row["site_proportion"]))
    site = max(seen, key=lambda s: (len(seen[s]), sum(seen[s].values()), s))  # seen in the most months
    answer = list(csv.DictReader(ask(project, "sparql", "--name", "trackers-on-site", "--param", f"site={site}",
                                     "--format", "csv").splitlines()))
    got = {(r["month"], r["tracker"]): (r["company_label"], float(r["share"])) for r in answer}
    assert len(got) == len(answer) and got.keys() == rows_of[site].keys()
    for key, (label, share) in got.items():
        assert label == rows_of[site][key][0] and abs(share - rows_of[site][key][1]) < 1e-9, key
    months = [r["month"] for r in answer]
    assert months == sorted(months) and all(r["data_types"] for r in answer)
    assert not ask(project, "sparql", "--name", "trackers-on-site", "--param", "site=no-such-site.example",
                   "--format", "csv").strip().splitlines()[1:]


def companies_on_site(root: Path) -> dict[str, dict[str, set[str]]]:
    """site → month → the companies whose trackers the package's CSV files saw on it."""
    con = sqlite3.connect(":memory:")
    con.executescript((root / "trackerdb.sql").read_text(encoding="utf-8"))
    company = {tid: " ".join((cname or tname).split()) for tid, tname, cname in con.execute(
        "SELECT t.id, t.name, c.name FROM trackers t LEFT JOIN companies c ON c.id = t.company_id")}
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for month_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name[:2] == "20"):
        with open(month_dir / "global" / "sites_trackers.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["tracker"] in company:
                    out[row["site"]][month_dir.name].add(company[row["tracker"]])
    return out


def test_reach_on_a_site_is_the_companies_the_files_saw_there(project: Path) -> None:
    """``reach --site``: who was seen collecting on that site (in that month), as the CSV files say."""
    seen = companies_on_site(FIX)
    site = max(seen, key=lambda s: (sum(len(c) for c in seen[s].values()), s))
    months = sorted(seen[site])
    for month in months:
        got = reached(ask(project, "reach", "pages visited", "--site", f"https://www.{site}/any/page", "--as-of", month,
                          "--format", "json"))
        assert got == sorted(seen[site][month]), (site, month)
    every = reached(ask(project, "reach", "pages visited", "--site", site, "--format", "json"))
    assert every == sorted(set().union(*seen[site].values()))
    assert len(every) < len(reached(ask(project, "reach", "pages visited", "--format", "json")))
    text = ask(project, "reach", "pages visited", "--site", site.upper(), "--as-of", months[0])
    assert f"observed on {site}" in text.splitlines()[0]
    result = CliRunner().invoke(main, ["-q", "-s", str(project / "sources"), "--out", str(project / "out"), "reach",
                                       "pages visited", "--site", site[:-1] + "x"])
    assert result.exit_code != 0 and f"did you mean '{site}'" in result.output, result.output
    for bad in ("a" * 100_000, "https:///"):
        result = CliRunner().invoke(main, ["-q", "-s", str(project / "sources"), "--out", str(project / "out"), "reach",
                                           "pages visited", "--site", bad])
        assert result.exit_code != 0 and "not a site" in result.output and len(result.output) < 300, result.output


def test_viz_and_figure_draw_the_holders_seen_on_a_site(project: Path, tmp_path: Path) -> None:
    """``viz`` and ``figure`` take ``--site`` as reach does: the parties drawn are the ones the
    files saw on that site that month; without a data type it is refused."""
    seen = companies_on_site(FIX)
    site = max(seen, key=lambda s: (sum(len(c) for c in seen[s].values()), s))
    month = sorted(seen[site])[-1]
    truth = sorted(seen[site][month])
    page = tmp_path / "site.html"
    ask(project, "viz", "--data-type", "pages visited", "--site", f"www.{site}", "--as-of", month, "-o", str(page))
    text = page.read_text(encoding="utf-8")
    assert f"pages visited observed on {site} as of {month}: {len(truth)} parties" in text
    from graph.build.project import Project  # the page's own answer, as the library gives it
    from graph.viz.focus import focus

    flows = Project.of([project / "sources"], project / "out").flow_graph()
    view = focus(flows.to_networkx(lazy_holds=True), data_type="pages visited", site=site, as_of=month, index=flows.index)
    assert view.reach is not None and sorted(r["label"] for r in view.reach["rows"]) == truth
    svg = tmp_path / "site.svg"
    ask(project, "figure", "--data-type", "pages visited", "--site", site, "--as-of", month, "-o", str(svg))
    caption = svg.read_text(encoding="utf-8")
    assert f"observed on {site}" in caption and f"{len(truth)} parties could reach pages visited" in caption
    for command in (["viz", "--site", site], ["figure", "--company", truth[0], "--site", site]):
        result = CliRunner().invoke(main, ["-q", "-s", str(project / "sources"), "--out", str(project / "out"), *command,
                                           "-o", str(tmp_path / "no")])
        assert result.exit_code != 0 and "data type" in result.output, (command, result.output)


def test_reach_from_a_store_fetches_only_the_month_and_the_site_asked(project: Path, tmp_path: Path) -> None:
    """``--store DIR reach``: the same companies as the build for a month, a site or both, with
    the holdings of other months and sites left on the server (``scoped.holding_scope``)."""
    from graph.build.folder import current
    from graph.sparql.scoped import ReachFilters, read_reach
    from graph.sparql.store import ensure_store, store_runner

    ask(project, "reach", "pages visited", "--limit", "1")  # builds it
    seen = companies_on_site(FIX)
    site = max(seen, key=lambda s: (sum(len(c) for c in seen[s].values()), s))
    store = tmp_path / "store"
    asked = [{"as_of": "2018-01"}, {"site": f"https://www.{site}/x"}, {"as_of": "2018-02", "site": site.upper()}]
    for pushed in asked:
        args = [*(["--as-of", pushed["as_of"]] if "as_of" in pushed else []), *(["--site", pushed["site"]] if "site" in pushed else [])]
        here = reached(ask(project, "reach", "pages visited", *args, "--format", "json"))
        there = reached(ask(project, "--store", str(store), "reach", "pages visited", *args, "--format", "json"))
        assert there == here and here, pushed
    run = store_runner(ensure_store(project / "out", store, current(project / "out")))
    every = read_reach(run, "pages visited", filters=ReachFilters())
    for pushed in asked:
        fewer = read_reach(run, "pages visited", filters=ReachFilters(**pushed))
        assert fewer.counts.keys < every.counts.keys / 2 and fewer.counts.triples < every.counts.triples / 2, pushed


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_the_pushed_month_and_site_keep_what_reach_keeps(engine: str) -> None:
    """Every observed period against every day asked, and sites near the one asked: the pushed
    pattern keeps a holding iff ``dates.held_at`` says True (or it states no period: judged
    locally) and its ``site_key`` is the asked site's, in rdflib and in Oxigraph alike."""
    import pyoxigraph as ox
    from rdflib import RDF, Graph, Literal, URIRef

    from graph import dates
    from graph.dates import literal
    from graph.model.vocab import DR, DT, ID
    from graph.questions.reach import site_key
    from graph.sparql.local import run_query
    from graph.sparql.scoped import ReachFilters, ScopeReader, holding_scope
    from graph.sparql.store import StoreRunner

    periods = [None, "2017", "2018", "2018-01", "2018-06", "2018-12", "2018-06-15", "2019-01", "2017-12"]
    sites = [None, "spiegel.de", "www.spiegel.de", "myspiegel.de", "m.spiegel.de", "spiegel.de.example", "spiegel.tv"]
    g, stated = Graph(), {}
    for i, (period, site) in enumerate((p, s) for p in periods for s in sites):
        held = URIRef(f"{ID}holding/h{i}")
        g.add((held, RDF.type, DR.Collection))
        g.add((held, DR.dataType, DT["pages-visited"]))
        if period is not None:
            g.add((held, DR.observed, literal(period)))
        if site is not None:
            g.add((held, DR.site, Literal(site)))
        stated[held] = (period, site)
    if engine == "rdflib":
        run: Any = lambda text: run_query(g, text, max_rows=10**9)  # noqa: E731
    else:
        store = ox.Store()
        store.load(g.serialize(format="nt").encode(), ox.RdfFormat.N_TRIPLES)
        run = StoreRunner.__new__(StoreRunner)
        run.store = store
    reader = ScopeReader(run, page=10_000)
    for asked in ["2018", "2018-06", "2018-06-15", "2018-06-30", "2018-07-01", "2019-01-01", "2017-12-31", None]:
        for where in (None, "https://WWW.Spiegel.de/x"):
            if asked is None and where is None:
                continue
            scope = holding_scope(ReachFilters(as_of=asked, site=where))
            kept = set(reader.keys(f"{scope} VALUES ?t {{ <{DT['pages-visited']}> }}"))
            day = None if asked is None else dates.parse(asked)[0]
            wanted = {h for h, (p, s) in stated.items()
                      if (day is None or p is None or dates.held_at(p, None, None, day))
                      and (where is None or (s is not None and site_key(s) == "spiegel.de"))}
            assert kept == wanted, (asked, where)


def _bindings(answer: object) -> list[dict[str, str]]:
    if isinstance(answer, dict) and "results" in answer:
        return [{k: v["value"] for k, v in b.items()} for b in answer["results"]["bindings"]]
    assert isinstance(answer, list)
    return [{k: str(v) for k, v in row.items()} for row in answer]


def test_owner_of_a_tracker_domain_is_its_company(project: Path) -> None:
    con = sqlite3.connect(":memory:")
    con.executescript((FIX / "trackerdb.sql").read_text(encoding="utf-8"))
    (company,) = con.execute("SELECT c.name FROM tracker_domains d JOIN trackers t ON t.id = d.tracker "
                             "JOIN companies c ON c.id = t.company_id WHERE d.domain = 'google-analytics.com'").fetchone()
    assert company in ask(project, "owner", "google-analytics.com")


def test_a_dump_with_other_statements_is_refused_before_sqlite_runs_it(tmp_path: Path) -> None:
    from graph.importers.whotracksme import read_trackerdb_text

    for bad in ("ATTACH DATABASE '/tmp/x.db' AS x;", "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;",
                "PRAGMA writable_schema = 1;", "CREATE TABLE t AS SELECT 1;"):
        with pytest.raises(ImportProblem, match="not allowed"):
            read_trackerdb_text("CREATE TABLE a(x);\n" + bad)
        with pytest.raises(ImportProblem, match="not allowed"):  # regression: two statements on one line
            read_trackerdb_text("CREATE TABLE a(x); " + bad)



def test_month_imports_only_the_months_asked_and_refuses_others(tmp_path: Path) -> None:
    out = tmp_path / "sources"
    run("import", "whotracksme", str(FIX), "-o", str(out), "--month", "2018-01", "--month", "2017-12")
    assert sorted(p.name for p in (out / "whotracksme-2018-5-17").glob("*.csv")) == ["2017-12.csv", "2018-01.csv"]
    missing = CliRunner().invoke(main, ["-q", "import", "whotracksme", str(FIX), "-o", str(tmp_path / "x"), "--month", "2019-01"])
    assert missing.exit_code == 1 and "no month 2019-01" in missing.output and not (tmp_path / "x").exists()
    other = CliRunner().invoke(main, ["-q", "import", "disconnect", str(tmp_path), "--month", "2018-01", "-o", str(tmp_path / "y")])
    assert other.exit_code == 2 and "--month goes with whotracksme" in other.output

def test_a_folder_without_the_package_files_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["-q", "import", "whotracksme", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "trackerdb.sql" in result.output and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_whole_package_answers_as_its_files_count(tmp_path: Path) -> None:
    pytest.importorskip("whotracksme")
    from graph.importers.whotracksme import default_path

    root = default_path()
    run("import", "whotracksme", "-o", str(tmp_path / "sources"))
    truth = expected(root)
    assert len(truth) == 12
    per_tracker = sites_per_tracker(root)
    for month in ("2017-05", "2018-01", "2018-04"):
        on = ["-s", str(tmp_path / "sources"), "--out", str(tmp_path / "out")]
        answer = run(*on, "reach", "pages visited", "--as-of", month, "--format", "json")
        assert reached(answer) == sorted(truth[month]), month
        rows = csv.DictReader(run(*on, "sparql", "--name", "trackers-by-sites", "--param", f"month={month}",
                                  "--format", "csv", "--timeout", "120").splitlines())
        assert {r["tracker"]: int(r["sites"]) for r in rows} == per_tracker[month], month  # sites per tracker
        rows = csv.DictReader(run(*on, "sparql", "--name", "holders-by-sites", "--param", f"month={month}",
                                  "--format", "csv", "--timeout", "120").splitlines())
        assert {r["company_label"]: (int(r["sites"]), int(r["trackers"])) for r in rows} == \
            {c: (len(v["sites"]), len(v["trackers"])) for c, v in truth[month].items()}, month  # trackers per company
