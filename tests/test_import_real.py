"""Every importer on the real shared datasets, checked against counts computed here from the raw files.

The datasets are read from ../shared/data (or $DATAREACH_SHARED_DATA) and never copied
into the repository; every output goes to a temporary folder. Skipped when the folder
is absent.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import RDF

from graph.build.loader import load
from graph.build.projection import project
from graph.cli.main import main
from graph.importers import import_file
from graph.model.vocab import DR
from graph.questions.owner import ultimate_owner
from graph.questions.reach import reach
from graph.questions.resolve import company_index

SHARED = Path(os.environ.get("DATAREACH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"the shared datasets are not at {SHARED} (set DATAREACH_SHARED_DATA)")

EXT = SHARED / "ddg_tracker_blocklist" / "extension-tds.json"
APP = SHARED / "ddg_tracker_blocklist" / "android-app-tds.json"
DISCONNECT = SHARED / "disconnect_tracking_protection"
WEBXRAY = SHARED / "webxray_domain_owners_2020" / "domain_owners.json"
CA = SHARED / "ca_data_broker_registry_2025" / "california_data_broker_registry_2025.csv"
HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}$")
LEGAL = r"(inc|incorporated|llc|l\.l\.c|ltd|limited|corp|corporation|co|company|gmbh|ag|s\.?a|plc|b\.?v|n\.?v|holdings?|group|pty)"


def same_company(name: str) -> str:
    """Written here on purpose (not graph.names): a name without case, spacing and legal-form suffixes."""
    key = re.sub(r"^the\s+", "", " ".join(name.casefold().split()).strip(" ."))
    while (shorter := re.sub(rf"[\s,]+{LEGAL}\.?$", "", key).strip(" ,.")) not in ("", key):
        key = shorter
    return key


def count(g: Any, cls: Any) -> int:
    return len(set(g.subjects(RDF.type, cls)))


def holders(G: Any, data_type: str) -> set[str]:
    return {r["company"] for r in reach(G, data_type).rows if r["holder"] and not r["partial"]}


def nodes_of(G: Any, names: set[str]) -> set[str]:
    index = company_index(G)
    found = {index.resolve_loosely(n) for n in names}
    assert None not in found
    return {n for n in found if n is not None}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, Path], Path]:
    """Import a dataset once per module into its own folder; return the written file."""
    base = tmp_path_factory.mktemp("imported")
    done: dict[tuple[str, Path], Path] = {}

    def _import(kind: str, path: Path) -> Path:
        if (kind, path) not in done:
            done[(kind, path)] = import_file(kind, path, base / f"{kind}-{path.stem}").output
        return done[(kind, path)]

    return _import


@pytest.fixture(scope="module")
def graphs(imported: Callable[[str, Path], Path]) -> Callable[..., tuple[Any, Any]]:
    cache: dict[tuple[str, Path], tuple[Any, Any]] = {}

    def _graph(kind: str, path: Path, shacl: bool = True) -> tuple[Any, Any]:
        if (kind, path) not in cache:
            loaded = load([imported(kind, path)], shacl=shacl)
            cache[(kind, path)] = (loaded.g, project(loaded.g))
        return cache[(kind, path)]

    return _graph


# ---------------------------------------------------------------- webXray


def test_webxray_counts(graphs: Callable[..., tuple[Any, Any]]) -> None:
    raw = json.loads(WEBXRAY.read_text(encoding="utf-8"))
    g, G = graphs("webxray-owners", WEBXRAY)
    assert count(g, DR.Company) == len({same_company(o["owner_name"]) for o in raw}) == 490
    assert count(g, DR.Ownership) == sum(o["parent_id"] is not None for o in raw) == 166
    assert count(g, DR.Domain) == len({d for o in raw for d in o["domains"]}) == 1192


@pytest.mark.parametrize("start, chain", [
    ("DoubleClick", ["DoubleClick", "Google", "Alphabet"]),
    ("Tumblr", ["Tumblr", "Yahoo", "Oath", "Verizon"]),
    ("Jumptap", ["Jumptap", "Millennial Media", "ONE by Aol", "Aol", "Oath", "Verizon"]),
])
def test_webxray_chains_followed_by_hand(graphs: Callable[..., tuple[Any, Any]], start: str, chain: list[str]) -> None:
    raw = {o["id"]: o for o in json.loads(WEBXRAY.read_text(encoding="utf-8"))}
    by_name = {o["owner_name"]: o for o in raw.values()}
    hand, owner = [start], by_name[start]
    while owner["parent_id"] is not None:
        owner = raw[owner["parent_id"]]
        hand.append(owner["owner_name"])
    assert hand == chain
    _, G = graphs("webxray-owners", WEBXRAY)
    answer = ultimate_owner(G, start)
    assert [answer.start] + [h["owner_label"] for h in answer.chains[0]] == chain
    assert answer.chains[0][0]["evidence"][0]["locator"].startswith(f"owners[id={by_name[start]['id']}].parent_id")


def test_webxray_owner_command_on_a_domain(imported: Callable[[str, Path], Path], tmp_path: Path) -> None:
    folder = imported("webxray-owners", WEBXRAY).parent
    result = CliRunner().invoke(main, ["-q", "--sources", str(folder), "--out", str(tmp_path / "out"), "owner", "doubleclick.net"])
    assert result.exit_code == 0, result.output
    assert "Ultimate owner of doubleclick.net: Alphabet" in result.output
    assert "DoubleClick → Google → Alphabet" in result.output and "webXray" in result.output


# ---------------------------------------------------------------- California registry


def ca_rows() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(CA.read_text(encoding="utf-8-sig"), newline="")))
    return rows[1], [r for r in rows[2:] if any(c.strip() for c in r)]


def yes(row: list[str], header: list[str], words: str) -> bool:
    col = next(i for i, h in enumerate(header) if words in h.replace("\u00a0", " "))
    return row[col].strip().casefold() == "yes"


def test_ca_counts(graphs: Callable[..., tuple[Any, Any]]) -> None:
    header, rows = ca_rows()
    g, G = graphs("ca-broker-registry", CA)
    assert len(header) == 67 and len(rows) == 535
    assert count(g, DR.Company) == len({same_company(r[0]) for r in rows})
    assert count(g, DR.Collection) == len(rows)
    minors = sum(yes(r, header, "personal information of minors") for r in rows)
    assert len(set(g.subjects(DR.whoseData, DR.Minors))) == minors == 19


@pytest.mark.parametrize("words, data_type, expected", [
    ("precise geolocation", "precise location", 84),
    ("reproductive health care data", "reproductive health data", 10),
])
def test_ca_reach_returns_exactly_the_flagged_brokers(graphs: Callable[..., tuple[Any, Any]], words: str,
                                                      data_type: str, expected: int) -> None:
    header, rows = ca_rows()
    flagged = {" ".join(r[0].split()) for r in rows if yes(r, header, words)}
    assert sum(yes(r, header, words) for r in rows) == expected
    _, G = graphs("ca-broker-registry", CA)
    assert holders(G, data_type) == nodes_of(G, flagged)
    assert len(holders(G, data_type)) == len({same_company(n) for n in flagged})


def test_ca_reach_from_the_command_line(imported: Callable[[str, Path], Path], tmp_path: Path) -> None:
    header, rows = ca_rows()
    flagged = {same_company(r[0]) for r in rows if yes(r, header, "precise geolocation")}
    folder = imported("ca-broker-registry", CA).parent
    args = ["-q", "--sources", str(folder), "--out", str(tmp_path / "out")]
    assert CliRunner().invoke(main, [*args, "build"]).exit_code == 0
    result = CliRunner().invoke(main, [*args, "reach", "precise geolocation", "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert {same_company(r["label"]) for r in answer["companies"] if r["holder"]} == flagged
    assert all(r["holder"] for r in answer["companies"])


# ---------------------------------------------------------------- DuckDuckGo


def test_ddg_app_counts(graphs: Callable[..., tuple[Any, Any]]) -> None:
    raw = json.loads(APP.read_text(encoding="utf-8"))
    g, G = graphs("ddg-tds", APP)
    assert count(g, DR.Company) == len(raw["entities"]) == 129
    assert count(g, DR.Domain) == len(raw["trackers"]) == 339
    gps = {n for n, e in raw["entities"].items() if "gps_coordinates" in e["signals"]}
    assert holders(G, "precise location") == nodes_of(G, gps) and len(gps) == 34


@pytest.mark.slow
def test_ddg_extension_counts_and_categories(graphs: Callable[..., tuple[Any, Any]]) -> None:
    raw = json.loads(EXT.read_text(encoding="utf-8"))
    g, G = graphs("ddg-tds", EXT, shacl=False)
    owners = {t["owner"]["name"] for t in raw["trackers"].values()}
    assert count(g, DR.Company) == len({same_company(n) for n in set(raw["entities"]) | owners}) == 818
    assert count(g, DR.Domain) == len(raw["domains"]) == 6949
    assert count(g, DR.Collection) == len(owners)
    replay = {t["owner"]["name"] for t in raw["trackers"].values() if "Session Replay" in t.get("categories", [])}
    assert holders(G, "page interactions") == nodes_of(G, replay)
    fingerprints = {t["owner"]["name"] for t in raw["trackers"].values()
                    if t["fingerprinting"] >= 2 or "Ad Fraud" in t.get("categories", [])}
    assert holders(G, "browser fingerprint") == nodes_of(G, fingerprints)
    google = company_index(G).resolve("Google")
    assert google == company_index(G).resolve("Google LLC")
    owned_by = {(t["owner"]["ownedBy"], t["owner"]["name"]) for t in raw["trackers"].values() if "ownedBy" in t["owner"]}
    assert count(g, DR.Ownership) == len(owned_by) == 4
    answer = ultimate_owner(G, "doubleclick.net")
    assert answer.domain is not None and answer.domain["operator_labels"] == [raw["domains"]["doubleclick.net"]] == ["Google Ads"]
    assert answer.ultimate == ["Google LLC"]


# ---------------------------------------------------------------- Disconnect


@pytest.mark.slow
def test_disconnect_counts(graphs: Callable[..., tuple[Any, Any]]) -> None:
    services = json.loads((DISCONNECT / "services.json").read_text(encoding="utf-8"))["categories"]
    entities = json.loads((DISCONNECT / "entities.json").read_text(encoding="utf-8"))["entities"]
    orgs: dict[str, set[str]] = {}
    hosts = {d for e in entities.values() for d in e["properties"] + e["resources"]}
    for category, listed in services.items():
        for service in listed:
            for name, sites in service.items():
                orgs.setdefault(name, set()).add(category)
                orgs[name].update(f"flag:{k}" for k, v in sites.items() if isinstance(v, str))
                hosts.update(d for v in sites.values() if isinstance(v, list) for d in v)
    g, G = graphs("disconnect", DISCONNECT, shacl=False)
    assert count(g, DR.Company) == len({same_company(n) for n in set(entities) | set(orgs)}) == 1886
    assert count(g, DR.Domain) == len({h.lower() for h in hosts if HOST.match(h.lower())})
    assert count(g, DR.Collection) == sum(not cats <= {"Cryptomining", "flag:performance"} for cats in orgs.values())
    replay = {n for n, cats in orgs.items() if "flag:session-replay" in cats}
    assert holders(G, "page interactions") == nodes_of(G, replay) and len(replay) == 5


# ---------------------------------------------------------------- one company per real company


@pytest.mark.slow
def test_webxray_and_ddg_in_one_folder_merge_companies(imported: Callable[[str, Path], Path], tmp_path: Path) -> None:
    folder = tmp_path / "both"
    folder.mkdir()
    for kind, path in (("webxray-owners", WEBXRAY), ("ddg-tds", EXT)):
        source = imported(kind, path)
        (folder / source.name).write_bytes(source.read_bytes())
    loaded = load([folder], shacl=False)
    G = project(loaded.g)
    companies = count(loaded.g, DR.Company)
    assert companies < 490 + 818
    index = company_index(G)
    assert index.resolve("Google") == index.resolve("Google LLC") is not None
    assert len([n for n in G if G.nodes[n].get("kind") == "company" and same_company(G.nodes[n]["label"]) == "google"]) == 1
    answer = ultimate_owner(G, "doubleclick.net")
    assert answer.ultimate == ["Alphabet"]
    # webXray: DoubleClick → Google → Alphabet; DuckDuckGo: Google Ads → Google LLC; one Google.
    assert {tuple(h["owner_label"] for h in c) for c in answer.chains} == {("Google LLC", "Alphabet")}
    assert {c[0]["owned_label"] for c in answer.chains} == {"DoubleClick", "Google Ads"}



def four_datasets(imported: Callable[[str, Path], Path], folder: Path) -> Path:
    """``folder`` holding the imports of the four shared datasets (each imported once per module)."""
    folder.mkdir()
    for kind, path in (("ddg-tds", EXT), ("disconnect", DISCONNECT), ("webxray-owners", WEBXRAY),
                       ("ca-broker-registry", CA)):
        source = imported(kind, path)
        (folder / source.name).write_bytes(source.read_bytes())
    return folder

@pytest.mark.slow
def test_all_four_shared_datasets_build_together(imported: Callable[[str, Path], Path], tmp_path: Path) -> None:
    # Regression (issue 13): three or more datasets in one project crashed the build with
    # "internal error (KeyError: 'affinity')" when a slug was declared a third time.
    folder = four_datasets(imported, tmp_path / "sources")
    args = ["-q", "--sources", str(folder), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(main, [*args, "build"])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    result = CliRunner().invoke(main, [*args, "reach", "precise location", "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    header, rows = ca_rows()
    flagged = {same_company(r[0]) for r in rows if yes(r, header, "precise geolocation")}
    assert flagged <= {same_company(r["label"]) for r in answer["companies"] if r["holder"]}
    result = CliRunner().invoke(main, [*args, "table", "--company", "Google", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []  # none of the four datasets states an access grant


@pytest.mark.slow
def test_the_shared_datasets_a_crawl_and_the_seed_articles_answer_together(imported: Callable[[str, Path], Path],
                                                                           tmp_path: Path) -> None:
    """Every question command on one project holding the four shared datasets, a slice of the
    WhoTracks.me crawl (holdings by month) and the seed articles (grants): answers from each
    part stay what that part's own files say, and the commands that draw or rank still answer."""
    from conftest import SEED
    from test_import_whotracksme import FIX, expected

    folder = four_datasets(imported, tmp_path / "sources")
    crawl = tmp_path / "crawl"
    assert CliRunner().invoke(main, ["-q", "import", "whotracksme", str(FIX), "-o", str(crawl)]).exit_code == 0
    args = ["-q", "-s", str(folder), "-s", str(crawl), "-s", str(SEED), "--out", str(tmp_path / "out")]

    def ask(*command: str) -> str:
        result = CliRunner().invoke(main, [*args, *command])
        assert result.exit_code == 0, (command, result.output)
        return result.stdout

    truth = expected(FIX)
    for month in truth:  # the crawl's counts per month, whatever the other datasets say of the same companies
        rows = list(csv.DictReader(io.StringIO(ask("sparql", "--name", "holders-by-sites", "--param", f"month={month}",
                                                   "--format", "csv"))))
        assert sorted((int(r["sites"]), int(r["observations"])) for r in rows) == \
            sorted((len(v["sites"]), len(v["observations"])) for v in truth[month].values()), month
    observers = json.loads(ask("reach", "pages visited", "--as-of", "2018-01", "--format", "json"))
    assert observers["total"] >= len(truth["2018-01"])
    phone = json.loads(ask("reach", "phone number", "--format", "json"))  # the seed's grants still carry it
    assert "facebook" in {same_company(r["label"]) for r in phone["companies"] if r["holder"]}  # one Facebook, merged
    assert any(r["hops"] >= 1 for r in phone["companies"])
    ranked = json.loads(ask("rank", "--format", "json", "--top", "5"))  # by reach: the seed's flows tell companies apart
    assert ranked[0]["score"] > 0 and ranked[0]["tied"] == 1
    assert "share place 1 (betweenness 0.0)" in ask("rank", "--by", "betweenness")  # no party between two others
    assert json.loads(ask("table", "--company", "Spotify", "--format", "json"))  # the seed's partner rows
    ask("viz", "-o", str(tmp_path / "graph.html"))
    ask("figure", "-o", str(tmp_path / "figure.svg"))
    assert (tmp_path / "graph.html").stat().st_size > 0 and "<svg" in (tmp_path / "figure.svg").read_text(encoding="utf-8")
