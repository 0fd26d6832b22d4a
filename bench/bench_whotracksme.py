"""The WhoTracks.me package through datareach, beside the plainest route to the same triples.

Each step runs in a fresh process; wall seconds and that process's own peak RSS
(``os.wait4``) are recorded:

- import:  ``datareach import whotracksme`` (trackerdb.sql + 12 monthly CSVs → a YAML file
           and a holdings CSV per month);
- build:   ``datareach build`` of those files (validation, names, SHACL, projection,
           flow index, TTL/JSON-LD/NT);
- reach:   ``datareach reach "pages visited" --as-of 2018-01 --format json`` on the build;
- owner:   ``datareach owner google-analytics.com --format json`` (a question that needs no
           holding: it must not pay for the 435k of them);
- table:   ``datareach table --format csv`` (the partner table: every grant; the crawl states
           holdings, so this measures what reading the crawl's build costs the table);
- rank:    ``datareach rank --by betweenness`` (exact) and ``--by reach`` (the default);
- sparql:  ``datareach sparql --name holders-by-sites --param month=2018-01`` (companies by
           the sites they were seen on that month);
- viz:     ``datareach viz -o graph.html`` (the Python side: the page written; its size kept);
- reach-site, sparql-site: ``reach "pages visited" --site spiegel.de --as-of 2018-01`` and the
           named query ``trackers-on-site`` for spiegel.de (every month);
- store-make, store-reach, store-reach-site: ``--store DIR`` made from the build (by an ASK),
           then the same two reach questions answered from it (each reads only its scope:
           the month's and the site's holdings);
- company, company-json: ``company Google`` as text (the observations summed up) and as JSON
           (each of its 57,011 holdings); the output's size kept;
- export:  ``export --format graphml`` (each holder's holdings summed up as node attributes);
- anchor:  polars alone: read the 12 ``sites_trackers.csv`` and trackerdb.sql's tracker →
           company map, and write the same holdings as N-Triples (type, holder, site,
           observed, share, data types, one claim with source and locator), no checks.

    python bench/bench_whotracksme.py [--assets DIR] [--work DIR] [--questions]

``--questions`` times the questions only (every step but import, build and anchor), on the
build already in ``--work``. Each step records wall and CPU seconds (the process and its
children: user + system, from ``os.wait4``) and peak RSS.

Results go to bench/results/whotracksme.json; the ratios are ours / anchor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

ANCHOR = r'''
import sqlite3, sys, time
from pathlib import Path
import polars as pl
root, out = Path(sys.argv[1]), Path(sys.argv[2])
con = sqlite3.connect(":memory:"); con.executescript((root / "trackerdb.sql").read_text())
pairs = con.execute("SELECT t.id, COALESCE(c.id, t.id) FROM trackers t LEFT JOIN companies c ON c.id = t.company_id").fetchall()
owners = pl.DataFrame({"tracker": [p[0] for p in pairs], "company": [p[1] for p in pairs]})
ID, DR, DT = "<https://w3id.org/datareach/id/", "<https://w3id.org/datareach/ns#", "<https://w3id.org/datareach/dt/"
lines = 0
with open(out, "w") as fh:
    for month in sorted(p.name for p in root.iterdir() if p.name[:2] == "20"):
        f = pl.read_csv(root / month / "global" / "sites_trackers.csv", columns=["site", "tracker", "site_proportion", "cookies", "bad_qs"])
        f = f.with_row_index("row", offset=1).join(owners, on="tracker", how="inner")
        h = pl.format(ID + "holding/wtm-{}-{}>", pl.lit(month), pl.col("row"))
        c = pl.format(ID + "claim/wtm-{}-{}>", pl.lit(month), pl.col("row"))
        esc = lambda e: e.cast(pl.Utf8).str.replace_all(r'\\', r'\\\\', literal=True).str.replace_all('"', '\\"', literal=True)
        cols = [
            pl.format("{} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " + DR + "Collection> .", h),
            pl.format("{} " + DR + "holder> " + ID + "company/{}> .", h, pl.col("company")),
            pl.format("{} " + DR + "site> \"{}\" .", h, esc(pl.col("site"))),
            pl.format("{} " + DR + "observed> \"" + month + "\"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .", h),
            pl.format("{} " + DR + "share> \"{}\"^^<http://www.w3.org/2001/XMLSchema#decimal> .", h, pl.col("site_proportion")),
            pl.format("{} " + DR + "dataType> " + DT + "pages-visited> .", h),
            pl.when(pl.col("cookies") > 0.1).then(pl.format("{} " + DR + "dataType> " + DT + "cookie-identifier> .", h)),
            pl.when(pl.col("bad_qs") > 0.1).then(pl.format("{} " + DR + "dataType> " + DT + "online-identifier> .", h)),
            pl.format("{} " + DR + "evidence> {} .", h, c),
            pl.format("{} " + DR + "source> " + ID + "source/whotracksme-2018-5-17> .", c),
            pl.format("{} " + DR + "locator> \"" + month + "/global/sites_trackers.csv row {}\" .", c, pl.col("row")),
        ]
        triples = f.select(pl.concat_list(cols).list.drop_nulls().alias("t")).explode("t")["t"]
        lines += len(triples)
        fh.write("\n".join(triples.to_list()) + "\n")
print(lines)
'''


def run(cmd: list[str], timeout: float = 3600) -> dict[str, Any]:
    """Wall seconds, the child's own peak RSS in GB, its stdout, and ``ok``."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    return {"s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_gb": round(usage.ru_maxrss / 2**20, 2), "ok": status == 0,
            "stdout": stdout, "stderr": stderr[-2000:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=Path, default=None, help="the package's data/assets (default: the installed one)")
    parser.add_argument("--work", type=Path, default=None, help="a folder for the project and the build")
    parser.add_argument("--questions", action="store_true", help="time the questions only, on the build in --work")
    args = parser.parse_args()
    if args.assets is None:
        from importlib.resources import files

        args.assets = Path(str(files("whotracksme") / "data" / "assets"))
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-wtm-"))
    exe = [sys.executable, "-m", "graph"]
    src, out = work / "sources", work / "out"
    results: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "node": platform.machine()},
                               "date": time.strftime("%Y-%m-%d %H:%M"), "assets": str(args.assets)}
    steps = {
        "import": exe + ["-q", "import", "whotracksme", str(args.assets), "-o", str(src)],
        "build": exe + ["-q", "-s", str(src), "--out", str(out), "build", "--format", "json"],
        "reach": exe + ["-q", "-s", str(src), "--out", str(out), "reach", "pages visited", "--as-of", "2018-01", "--format", "json"],
        "owner": exe + ["-q", "-s", str(src), "--out", str(out), "owner", "google-analytics.com", "--format", "json"],
        "table": exe + ["-q", "-s", str(src), "--out", str(out), "table", "--format", "csv"],
        "rank": exe + ["-q", "-s", str(src), "--out", str(out), "rank", "--by", "betweenness", "--format", "json"],
        "rank-reach": exe + ["-q", "-s", str(src), "--out", str(out), "rank", "--by", "reach", "--format", "json"],
        "sparql": exe + ["-q", "-s", str(src), "--out", str(out), "sparql", "--name", "holders-by-sites",
                         "--param", "month=2018-01", "--format", "csv", "--timeout", "600"],
        "viz": exe + ["-q", "-s", str(src), "--out", str(out), "viz", "-o", str(work / "graph.html")],
        "reach-site": exe + ["-q", "-s", str(src), "--out", str(out), "reach", "pages visited", "--site", "spiegel.de",
                             "--as-of", "2018-01", "--format", "json"],
        "sparql-site": exe + ["-q", "-s", str(src), "--out", str(out), "sparql", "--name", "trackers-on-site",
                              "--param", "site=spiegel.de", "--format", "csv", "--timeout", "600"],
        "store-make": exe + ["-q", "-s", str(src), "--out", str(out), "--store", str(work / "store"), "sparql",
                             "ASK { ?s ?p ?o }", "--format", "json"],
        "store-reach": exe + ["-q", "-s", str(src), "--out", str(out), "--store", str(work / "store"), "reach",
                              "pages visited", "--as-of", "2018-01", "--format", "json"],
        "store-reach-site": exe + ["-q", "-s", str(src), "--out", str(out), "--store", str(work / "store"), "reach",
                                   "pages visited", "--site", "spiegel.de", "--as-of", "2018-01", "--format", "json"],
        "company": exe + ["-q", "-s", str(src), "--out", str(out), "company", "Google"],
        "company-json": exe + ["-q", "-s", str(src), "--out", str(out), "company", "Google", "--format", "json"],
        "export": exe + ["-q", "-s", str(src), "--out", str(out), "export", "--format", "graphml",
                         "-o", str(work / "flows.graphml")],
        "anchor": [sys.executable, "-c", ANCHOR, str(args.assets), str(work / "anchor.nt")],
    }
    if args.questions:
        steps = {k: v for k, v in steps.items() if k not in ("import", "build", "anchor")}
    for name, cmd in steps.items():
        r = run(cmd)
        print(f"{name:<11} {r['s']:>8.2f} s  {r['cpu_s']:>8.2f} s CPU  {r['peak_gb']:>5.2f} GB  "
              f"{'ok' if r['ok'] else 'FAILED: ' + r['stderr']}", flush=True)
        if name == "build" and r["ok"]:
            summary = json.loads(r["stdout"])
            r["triples"] = _triples(summary)
        if name == "anchor" and r["ok"]:
            r["triples"] = int(r["stdout"].strip())
        if name in ("company", "company-json") and r["ok"]:
            r["output_mb"] = round(len(r["stdout"].encode()) / 2**20, 3)
        if name == "export" and r["ok"]:
            r["file_mb"] = round((work / "flows.graphml").stat().st_size / 2**20, 1)
        if name in ("reach", "reach-site", "store-reach", "store-reach-site") and r["ok"]:
            r["companies"] = json.loads(r["stdout"])["total"]
        if name in ("table", "sparql", "sparql-site") and r["ok"]:
            r["rows"] = max(0, len(r["stdout"].splitlines()) - 1)
        if name == "sparql" and r["ok"]:
            r["first_rows"] = r["stdout"].splitlines()[:4]
        if name.startswith("rank") and r["ok"]:
            ranked = json.loads(r["stdout"])
            r["top"] = [(row["label"], row["score"], row["rank"], row["tied"]) for row in ranked[:3]]
        if name == "viz" and r["ok"]:
            r["html_mb"] = round((work / "graph.html").stat().st_size / 2**20, 1)
        r.pop("stdout")
        results[name] = r
    b, a = results.get("build", {}), results.get("anchor", {})
    if b.get("ok") and a.get("ok"):
        results["ratios"] = {"import+build / anchor s": round((results["import"]["s"] + b["s"]) / a["s"], 1),
                             "build peak / anchor peak": round(b["peak_gb"] / max(a["peak_gb"], 0.01), 1),
                             "build bytes per triple": round(b["peak_gb"] * 2**30 / b["triples"])}
        print(json.dumps(results["ratios"]))
    target = HERE / "results" / ("whotracksme-questions.json" if args.questions else "whotracksme.json")
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")


def _triples(summary: Any) -> int:
    """The triple count in ``build --format json``'s summary (wherever it is nested)."""
    if isinstance(summary, dict):
        if isinstance(summary.get("triples"), int):
            return int(summary["triples"])
        for v in summary.values():
            n = _triples(v)
            if n:
                return n
    return 0


if __name__ == "__main__":
    main()
