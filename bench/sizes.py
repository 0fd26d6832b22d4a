"""Every datareach command beside its plainest-library anchor, at one size (issue 17, item 6).

    python bench/sizes.py SIZE DATASET OUT [--runs N] [--skip CMD[:reason],...] [--json FILE]
                          [--timeout SECONDS] [--keep] [--no-bytecode]

SIZE names the size in the report (S, M, L, 3L, or XS for the test); DATASET is a folder from
``bench/gen.py SIZE DATASET``; OUT is a work folder the harness owns: the build goes to
``OUT/build`` and is deleted when done, unless ``--keep`` (a 3×L build's files are ~40 GB).
With ``--skip build`` an existing build in ``OUT/build`` is reused (made once, untimed, if
there is none).

Each command and its anchor run in fresh processes, interleaved within each of the N runs
(the order alternating run by run); the table gives medians of the wall time, of the CPU time
(user + system of the process and every child it waited for, from ``os.wait4``) and of the peak
RSS (the largest single process of the tree, as ``wait4`` reports it), and their ratios
datareach / anchor. The build row runs first (its N runs each into a fresh ``OUT/build``); the
other rows use the last build. The anchors are in ``bench/anchors.py``.

Rows (``--skip`` names): ``build``, ``reach``, ``rank``, ``rank-sample``, ``sparql``, ``table``,
``export``, ``owner``, ``viz``, ``startup``. A skipped row shows ``skipped (reason)``; a command
that fails or passes ``--timeout`` shows its error, never a number (and is not run again).

Every process runs with our bytecode cached, as after ``pip install`` (which compiles it): ``graph/``
is compiled first and ``PYTHONDONTWRITEBYTECODE`` dropped (``--no-bytecode`` keeps the environment as
it is: with ``PYTHONDONTWRITEBYTECODE=1``, as on this machine, every start compiled our modules).

Writes the Markdown table to stdout (progress to stderr) and the results to ``--json``
(default ``bench/results/sizes-SIZE.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import anchors  # noqa: E402

ROWS = ("build", "reach", "rank", "rank-sample", "sparql", "table", "export", "owner", "viz", "startup")
QUESTION = "phone number"
OWNER_NAME, OWNER_KEY = "Company 000000", "c000000"  # bench/gen.py's largest grantor, its name and its node key
DISK_PER_CSV_BYTE = 81  # the build (65×: 54 GB at 3×L for an 833 MB grants.csv; 48× at S) and the disk anchor's store beside it (16×: 12.7 GB)


@dataclass
class Side:
    """One command (datareach's or an anchor) and its runs."""

    label: str
    argv: list[str]
    runs: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        if self.error is not None:
            return {"label": self.label, "error": self.error, "runs": self.runs}
        done = [r for r in self.runs if "error" not in r]
        if not done:
            return {"label": self.label, "error": "not run", "runs": self.runs}
        return {"label": self.label, "runs": self.runs, "output": done[-1].get("output", ""),
                **{f"{k}_median": statistics.median(r[k] for r in done) for k in ("wall_s", "cpu_s", "peak_mb")}}


@dataclass
class Row:
    name: str
    command: str
    ours: Side
    anchors: list[Side]
    skipped: str | None = None
    note: str = ""


# Runs the command and reports its rusage. A small process of its own forks it, because the
# peak RSS Linux reports for a child starts from what it inherited at fork (and, through exec,
# from a vfork parent's memory): forked from this harness, every command would weigh at least
# the harness. The launcher is the interpreter alone (~10 MB, below any Python command's peak).
LAUNCHER = r"""
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as fh:
    json.dump({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_kb": usage.ru_maxrss,
               "code": os.waitstatus_to_exitcode(status)}, fh)
"""


def measure(argv: list[str], *, timeout: float, env: dict[str, str] | None = None, cwd: str | None = None,
            stdout: str = os.devnull) -> dict[str, Any]:
    """Run ``argv`` in a fresh process: wall, CPU (user + system of it and its waited-for children)
    and peak RSS (``os.wait4`` in a small launcher), or ``error`` (the exit code and the last line
    of stderr, or the timeout). The whole process group is killed at ``timeout``."""
    with tempfile.TemporaryDirectory(prefix="sizes-") as tmp, tempfile.TemporaryFile() as err, \
            open(stdout, "wb") as out:
        report = Path(tmp) / "usage.json"
        proc = subprocess.Popen([sys.executable, "-S", "-c", LAUNCHER, str(report), *argv], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return {"error": f"timed out after {timeout:g} s"}
        try:
            usage = json.loads(report.read_text())
        except (OSError, ValueError):
            return {"error": f"the launcher failed (exit {proc.returncode})"}
        result: dict[str, Any] = {"wall_s": round(usage["wall_s"], 4), "cpu_s": round(usage["cpu_s"], 4),
                                  "peak_mb": round(usage["peak_kb"] / 1024, 1)}
        if usage["code"] != 0:
            err.seek(0)
            lines = [line for line in err.read().decode(errors="replace").splitlines() if line.strip()]
            return {**result, "error": f"exit {usage['code']}: {lines[-1].strip()[:300] if lines else 'no message'}"}
    return result


def machine() -> dict[str, Any]:
    def field_of(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    mem = field_of("/proc/meminfo", "MemTotal")
    from importlib import metadata

    versions = {}
    for lib in ("pyoxigraph", "networkx", "numpy", "scipy", "polars", "igraph"):
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = "not installed"
    return {"nproc": os.cpu_count(), "ram_gib": round(int(mem.split()[0]) / 2**20, 1) if mem != "?" else None,
            "cpu": field_of("/proc/cpuinfo", "model name"), "python": platform.python_version(),
            "platform": platform.platform(), "versions": versions}


def dataset_counts(data: Path) -> dict[str, int]:
    """Companies and grants as the dataset states them (bench/gen.py's files), counted by lines."""
    companies = grants = 0
    with open(data / "companies.yaml", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("holdings:"):
                break
            companies += line.lstrip().startswith("- ")
    with open(data / "grants.csv", "rb") as fb:
        grants = max(0, sum(1 for _ in fb) - 1)
    return {"companies": companies, "grants": grants}


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


class Harness:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.py = sys.executable
        self.data: Path = args.dataset.resolve()
        self.work: Path = args.out.resolve()
        self.target = self.work / "build"
        self.env = {**os.environ, "DATAREACH_MAX_INPUT_MB": "1000000", "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
        if not args.no_bytecode:  # as an installed package runs: its bytecode compiled once (as pip does), then reused
            self.env.pop("PYTHONDONTWRITEBYTECODE", None)
            subprocess.run([self.py, "-m", "compileall", "-q", str(REPO / "graph")], env=self.env, check=True,
                           stdout=subprocess.DEVNULL)
        self.skips: dict[str, str] = {}
        for item in filter(None, (args.skip or "").split(",")):
            name, _, reason = item.partition(":")
            if name.strip() not in ROWS:
                raise SystemExit(f"--skip: unknown row {name!r}; rows: {', '.join(ROWS)}")
            self.skips[name.strip()] = reason.strip() or "--skip"
        self.made_build = False

    def cli(self, *args: str) -> list[str]:
        return [self.py, "-m", "graph", "-q", "-s", str(self.data), "--out", str(self.target), *args]

    def run(self, side: Side, stdout: str = os.devnull) -> None:
        if side.error is not None:
            return
        progress(f"  {side.label} ...")
        result = measure(side.argv, timeout=self.args.timeout, env=self.env, cwd=tempfile.gettempdir(), stdout=stdout)
        if stdout != os.devnull and "error" not in result:
            text = Path(stdout).read_text(errors="replace").strip().splitlines()
            result["output"] = text[-1][:200] if text else ""
        side.runs.append(result)
        if "error" in result:
            side.error = result["error"]
            progress(f"  {side.label}: {side.error}")
        else:
            progress(f"  {side.label}: {result['wall_s']:.2f} s wall, {result['cpu_s']:.2f} s CPU, {result['peak_mb']:.0f} MB")

    # -- the build row ---------------------------------------------------------------------

    def check_disk(self) -> None:
        need = (self.data / "grants.csv").stat().st_size * DISK_PER_CSV_BYTE
        self.work.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(self.work).free
        progress(f"disk: {free / 1e9:.1f} GB free in {self.work}, a build needs about {need / 1e9:.1f} GB")
        if free < need and not self.args.no_disk_check:
            raise SystemExit(f"not enough disk in {self.work}: {free / 1e9:.1f} GB free, about {need / 1e9:.1f} GB "
                             "needed (--no-disk-check to try anyway)")

    def build_folder(self) -> Path | None:
        from graph.build.folder import current

        found = current(self.target)
        return None if found is None else Path(found.folder)

    def build_row(self) -> Row:
        ours = Side("datareach build", self.cli("build", "--max-input-mb", "1000000"))
        kinds = ("disk", "memory") if self.args.bulk_load == "both" else (self.args.bulk_load,)
        anchors_ = {kind: Side(f"pyoxigraph Store{'(DIR)' if kind == 'disk' else '()'}.bulk_load of the build's graph.nt "
                               f"({'on disk, RocksDB: the store the build writes' if kind == 'disk' else 'in memory'})", [])
                    for kind in kinds}
        row = Row("build", "`build` (into a fresh folder)", ours, list(anchors_.values()))
        if "build" in self.skips:
            row.skipped = self.skips["build"]
            if self.build_folder() is None:
                progress("build skipped: making one, untimed")
                self.made_build = True
                done = measure(ours.argv, timeout=self.args.timeout, env=self.env, cwd=tempfile.gettempdir())
                if "error" in done:
                    raise SystemExit(f"the untimed build failed: {done['error']}")
            return row
        self.check_disk()
        for run in range(self.args.runs):
            progress(f"build, run {run + 1}/{self.args.runs}")
            shutil.rmtree(self.target, ignore_errors=True)
            self.made_build = True
            self.run(ours)
            folder = self.build_folder() if ours.error is None else None
            if folder is None:
                ours.error = ours.error or "no build written"
                for anchor in anchors_.values():
                    anchor.error = "no build to load"
                break
            store = self.work / "anchor-store"
            for kind, anchor in anchors_.items():
                shutil.rmtree(store, ignore_errors=True)
                anchor.argv = ([self.py, "-c", anchors.BULK_LOAD_DISK, str(folder / "graph.nt"), str(store)]
                               if kind == "disk" else [self.py, "-c", anchors.BULK_LOAD, str(folder / "graph.nt")])
                self.run(anchor, stdout=str(self.work / "anchor.out"))
            shutil.rmtree(store, ignore_errors=True)
        return row

    # -- the rows on the build ---------------------------------------------------------------

    def largest_grantee(self, folder: Path) -> str:
        import pyoxigraph as ox

        from graph.sparql.text import with_prefixes

        store = ox.Store.read_only(str(folder / "store"))
        solutions = store.query(with_prefixes(
            "SELECT ?c (COUNT(?g) AS ?n) { ?g dr:grantee ?c } GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 1"))
        assert isinstance(solutions, ox.QuerySolutions)
        found = next(iter(solutions))
        return str(found["c"].value)

    def question_rows(self, folder: Path) -> list[Row]:
        py, b, tmp = self.py, str(folder), self.work
        rows = [
            Row("reach", f'`reach "{QUESTION}"` (the default answer: nearest 100, all counted)',
                Side("datareach", self.cli("reach", QUESTION)),
                [Side("scipy BFS over the grants that can carry it, from its holders",
                      [py, "-c", anchors.REACH_BFS, b, QUESTION])]),
            Row("rank", "`rank --by betweenness` (exact)", Side("datareach", self.cli("rank", "--by", "betweenness")),
                [Side("networkx betweenness_centrality_subset from the senders", [py, "-c", anchors.BETWEENNESS_NX, b, "exact"]),
                 Side("igraph betweenness (exact)", [py, "-c", anchors.BETWEENNESS_IGRAPH, b])]),
            Row("rank-sample", "`rank --by betweenness --sample 100`",
                Side("datareach", self.cli("rank", "--by", "betweenness", "--sample", "100")),
                [Side("networkx betweenness_centrality_subset from 100 senders by out-degree",
                      [py, "-c", anchors.BETWEENNESS_NX, b, "100"])]),
            Row("table", "`table --format csv`", Side("datareach", self.cli("table", "--format", "csv")),
                [Side("stdlib json + csv over the same rows", [py, "-c", anchors.TABLE, b])]),
            Row("export", "`export --format graphml`",
                Side("datareach", self.cli("export", "--format", "graphml", "-o", str(tmp / "ours.graphml"))),
                [Side("igraph write_graphml, same attributes", [py, "-c", anchors.GRAPHML, b, str(tmp / "anchor.graphml")])]),
            Row("owner", f'`owner "{OWNER_NAME}"`', Side("datareach", self.cli("owner", OWNER_NAME, "--format", "json")),
                [Side("numpy over the flow index", [py, "-c", anchors.OWNER, b, OWNER_KEY])]),
            Row("viz", "`viz` (Python side: the HTML written)", Side("datareach", self.cli("viz", "-o", str(tmp / "g.html"))),
                [Side("projection() alone", [py, "-c", anchors.VIZ, str(self.data), str(self.target)])]),
            Row("startup", "`datareach --help` (start-up)", Side("datareach", [py, "-m", "graph", "--help"]),
                [Side("python -c pass", [py, "-c", anchors.PASS])]),
        ]
        if "sparql" not in self.skips:
            try:
                company = self.largest_grantee(folder)
                from graph.sparql.text import with_prefixes

                query = f"SELECT ?g ?p WHERE {{ ?g dr:grantee <{company}> ; dr:permission ?p }} ORDER BY ?g ?p"
                sparql = Row("sparql", "`sparql` point query (the grants of the largest grantee)",
                             Side("datareach", self.cli("sparql", query, "--format", "csv")),
                             [Side("pyoxigraph Store.read_only, same query, fresh process",
                                   [py, "-c", anchors.SPARQL, str(folder / "store"), with_prefixes(query)])])
            except Exception as exc:  # a store that cannot be opened is the row's answer
                sparql = Row("sparql", "`sparql` point query", Side("datareach", [], error=f"no query: {exc}"), [])
        else:
            sparql = Row("sparql", "`sparql` point query", Side("datareach", []), [])
        rows.insert(3, sparql)
        for row in rows:
            row.skipped = self.skips.get(row.name)
        return rows

    def run_rows(self, rows: list[Row]) -> None:
        live = [r for r in rows if r.skipped is None]
        for run in range(self.args.runs):
            progress(f"questions, run {run + 1}/{self.args.runs}")
            for row in live:
                sides = [row.ours, *row.anchors]
                for side in sides if run % 2 == 0 else list(reversed(sides)):
                    self.run(side, stdout=str(self.work / "side.out"))
                    self.clean()  # a GraphML or page of 3L is gigabytes: never two at once

    def clean(self) -> None:
        for name in ("anchor.out", "side.out", "ours.graphml", "anchor.graphml", "g.html"):
            (self.work / name).unlink(missing_ok=True)

    def main(self) -> dict[str, Any]:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        load_before = os.getloadavg()
        progress(f"{self.args.size}: {self.data} -> {self.work}; {self.args.runs} runs; load {load_before}")
        counts = dataset_counts(self.data)
        rows = [self.build_row()]
        folder = self.build_folder()
        if folder is None:
            rows += [Row(name, name, Side("datareach", [], error="no build"), []) for name in ROWS[1:]]
        else:
            from graph.build.folder import current

            found = current(self.target)
            assert found is not None
            counts = {**counts, **{k: found.manifest["counts"][k] for k in ("companies", "grants", "triples")}}
            counts["store_mb"] = round(found.manifest.get("folders", {}).get("store", {}).get("size", 0) / 1e6)
            rows += self.question_rows(folder)
            self.run_rows(rows[1:])
        result = {"size": self.args.size, "dataset": str(self.data), "date": when, "runs": self.args.runs,
                  "timeout_s": self.args.timeout, "bulk_load": self.args.bulk_load, "machine": machine(), "load_before": load_before,
                  "load_after": os.getloadavg(), "counts": counts, "rows": [self.row_json(r, counts) for r in rows]}
        if not self.args.keep and self.made_build:
            shutil.rmtree(self.target, ignore_errors=True)
        self.clean()
        return result

    @staticmethod
    def row_json(row: Row, counts: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"name": row.name, "command": row.command}
        if row.skipped is not None:
            return {**out, "skipped": row.skipped}
        out["datareach"] = row.ours.summary()
        out["anchors"] = [a.summary() for a in row.anchors]
        triples = counts.get("triples")
        for side in (out["datareach"], *out["anchors"]):
            if "error" in side:
                continue
            if row.name == "build" and triples:
                side["bytes_per_triple"] = round(side["peak_mb_median"] * 2**20 / triples)
            for a in out["anchors"]:
                if side is out["datareach"] and "error" not in a:
                    a["ratios"] = {k: round(side[f"{k}_median"] / a[f"{k}_median"], 2) if a[f"{k}_median"] else None
                                   for k in ("wall_s", "cpu_s", "peak_mb")}
        return out


def markdown(result: dict[str, Any]) -> str:
    m, c = result["machine"], result["counts"]
    lines = [f"### {result['size']}: {c.get('companies', 0):,} companies, {c.get('grants', 0):,} grants, "
             f"{c.get('triples', 0):,} triples", "",
             f"{result['date']}; {result['runs']} run(s), medians; machine: {m['nproc']} CPUs ({m['cpu']}), "
             f"{m['ram_gib']} GiB RAM, Python {m['python']}; load average before "
             f"{' '.join(f'{x:.2f}' for x in result['load_before'])}, after {' '.join(f'{x:.2f}' for x in result['load_after'])}.",
             "", "| command | datareach wall / CPU / peak | anchor | anchor wall / CPU / peak | × wall | × CPU | × peak |",
             "|---|---|---|---|---:|---:|---:|"]

    def cell(side: dict[str, Any], extra: str = "") -> str:
        if "error" in side:
            return f"**failed**: {side['error']}".replace("|", "\\|")
        bpt = f" ({side['bytes_per_triple']} B/triple)" if "bytes_per_triple" in side else ""
        return f"{side['wall_s_median']:.2f} s / {side['cpu_s_median']:.2f} s / {side['peak_mb_median']:.0f} MB{bpt}{extra}"

    for row in result["rows"]:
        if "skipped" in row:
            lines.append(f"| {row['command']} | skipped ({row['skipped']}) | | | | | |")
            continue
        ours = row["datareach"]
        for i, anchor in enumerate(row["anchors"] or [{"label": "—", "error": "no anchor"}]):
            r = anchor.get("ratios")
            ratios = [f"{r[k]:.2f}×" if r and r[k] is not None else "—" for k in ("wall_s", "cpu_s", "peak_mb")]
            lines.append(f"| {row['command'] if i == 0 else '″'} | {cell(ours) if i == 0 else '″'} | {anchor['label']} | "
                         f"{cell(anchor)} | {' | '.join(ratios)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", help="the size's name in the report: XS, S, M, L, 3L")
    parser.add_argument("dataset", type=Path, help="a folder written by bench/gen.py")
    parser.add_argument("out", type=Path, help="a work folder (the build goes to OUT/build)")
    parser.add_argument("--runs", type=int, default=1, help="interleaved runs; medians (default 1)")
    parser.add_argument("--skip", default="", help="rows to skip, comma-separated: NAME or NAME:reason")
    parser.add_argument("--json", type=Path, default=None, help="results file (default bench/results/sizes-SIZE.json)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per command before it is killed")
    parser.add_argument("--keep", action="store_true", help="keep the build in OUT/build")
    parser.add_argument("--bulk-load", choices=("both", "memory", "disk"), default="both",
                        help="the build's anchors: pyoxigraph's bulk load into an on-disk store in OUT (what the build "
                             "writes) and into an in-memory one (default: both); 'disk' alone for 3L, whose in-memory "
                             "store would not fit")
    parser.add_argument("--no-disk-check", action="store_true", help="build even if OUT's disk looks too small")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="keep the environment as it is (with PYTHONDONTWRITEBYTECODE=1 every start compiles our "
                             "modules from source); by default graph/ is compiled first (compileall, as pip "
                             "install does) and its bytecode reused")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    result = Harness(args).main()
    target = args.json or HERE / "results" / f"sizes-{args.size}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    print(markdown(result))
    progress(f"written {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
