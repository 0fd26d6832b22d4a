"""The ``check`` and ``build`` commands: outputs, summaries, exit codes, clean messages in
a real process, and the cache's freshness (rebuild only when the sources change).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from conftest import (
    BAD,
    BASE_YAML,
    SMALL,
    assert_refused,
    build_file,
    console_script,
    line_of,
    replace_line,
    run_module,
    snapshot,
)

from graph.build import compiled
from graph.errors import InputError

OUTPUTS = ["graph.ttl", "graph.jsonld", ".datareach/manifest.json"]
CACHED = ["graph.nt", "flows.npz", "evidence.json", "attributes.json", "graph.ttl", "graph.jsonld"]  # in the build's folder


# ---------------------------------------------------------------- build


def test_build_writes_every_output_and_a_summary(cli, tmp_path):
    out = tmp_path / "built"
    result = cli("--quiet", "build", str(SMALL), "-o", str(out), "--wide")
    assert result.exit_code == 0, result.output
    for path in [out / name for name in OUTPUTS] + [build_file(out, name) for name in CACHED]:
        assert path.is_file() and path.stat().st_size > 0, path
    assert f"built {out}/graph.ttl and {out}/graph.jsonld" in result.stdout
    for key in ("companies", "data types", "grants", "incidents", "sources", "claims", "triples"):
        assert key in result.stdout
    leftovers = [p.name for p in out.rglob("*.tmp")]
    assert leftovers == []


def test_build_uses_the_global_out_option(cli, tmp_path):
    out = tmp_path / "global-out"
    result = cli("build", str(SMALL), out=out)
    assert result.exit_code == 0, result.output
    assert (out / "graph.ttl").is_file()
    assert "datareach: reading" in result.stderr  # progress goes to stderr, not stdout


def test_build_json_summary(cli, tmp_path):
    result = cli("--quiet", "build", "--format", "json", str(SMALL), "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["counts"]["companies"] == 5
    assert report["counts"]["grants"] == 3
    assert report["counts"]["incidents"] == 1


def test_build_a_folder_of_files(cli, write, tmp_path):
    head, tail = BASE_YAML.split("holdings:\n")
    write("facts/decl.yaml", head)
    write("facts/sub/facts.yaml", "holdings:\n" + tail)
    write("facts/schema/ignored.yaml", "not: [valid")
    write("facts/.hidden.yaml", "not: [valid")
    result = cli("--quiet", "build", "--format", "json", str(tmp_path / "facts"), "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["grants"] == 1


def test_check_writes_nothing(cli, tmp_path):
    out = tmp_path / "never"
    result = cli("check", str(SMALL), out=out)
    assert result.exit_code == 0
    assert not out.exists()


def test_failed_build_creates_no_output_folder(cli, write, tmp_path):
    out = tmp_path / "fresh-out"
    path = write("bad.yaml", replace_line(BASE_YAML, "    data_types: [private message]\n", "    data_types: [phone nubmer]\n"))
    assert_refused(cli("build", str(path), "-o", str(out)), "did you mean 'phone number'?")
    assert not out.exists()


def test_build_json_reports_problems(cli, write, tmp_path):
    path = write("bad.yaml", replace_line(BASE_YAML, "    grantee: Spotify\n", "    grantee: Spotfy\n"))
    result = cli("build", "--format", "json", str(path), "-o", str(tmp_path / "o"))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["problems"][0]["suggestion"] == "Spotify"


@pytest.mark.parametrize(("name", "message"), [("missing.yaml", "no such file or folder"),
                                               ("notes.txt", "unsupported file type")])
def test_bad_paths_are_refused(cli, tmp_path, name, message):
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("hello", encoding="utf-8")
    assert_refused(cli("check", str(path)), f"{path}: {message}")


def test_build_prints_lookalike_warnings(cli, write, tmp_path):
    text = replace_line(BASE_YAML, "  - name: Spotify\n", '  - name: Spotify\n  - name: Acme\n  - name: "\u0410cme"\n')
    result = cli("build", str(write("facts.yaml", text)), "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "\u0410cme" in result.stderr


# ---------------------------------------------------------------- real processes


def test_subprocess_check_bad_file_is_clean(tmp_path):
    text = replace_line(BASE_YAML, "    data_types: [private message]\n", "    data_types: [phone nubmer]\n")
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    proc = run_module("--out", str(tmp_path / "out"), "check", str(path))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    line = line_of(text, "phone nubmer")
    assert (f"{path}:{line}: grants[0].data_types[0]: unknown data type 'phone nubmer' — "
            "did you mean 'phone number'?") in proc.stderr
    assert proc.stdout == ""


def test_subprocess_build_refuses_python_tag_and_keeps_old_build(tmp_path):
    out = tmp_path / "out"
    compiled.build([SMALL], out)
    before = snapshot(out)
    evil = tmp_path / "evil.yaml"
    evil.write_text('sources: !!python/object/apply:os.system ["touch PWNED"]\n', encoding="utf-8")
    proc = run_module("--out", str(out), "build", str(evil), cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{evil}:1: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed" in proc.stderr
    assert not (tmp_path / "PWNED").exists()
    assert snapshot(out) == before


def test_subprocess_check_good_file(tmp_path):
    proc = run_module("--out", str(tmp_path / "out"), "check", str(SMALL))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok: 1 files")


def test_subprocess_bad_enum_is_clean(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(replace_line(BASE_YAML, "    status: shut down\n", "    status: shutdown\n"), encoding="utf-8")
    proc = run_module("--out", str(tmp_path / "out"), "check", str(path))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "did you mean 'shut down'?" in proc.stderr


def test_console_script_runs(tmp_path):
    exe = console_script("datareach")
    if exe is None:
        pytest.skip("datareach console script not installed")
    import subprocess

    proc = subprocess.run([exe, "--out", str(tmp_path / "out"), "check", str(SMALL)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------- the bad-input fixtures

# Each file in tests/fixtures/bad/ holds one mistake; its first line is a comment
# "# expect: <text>" (or the table below for files that cannot hold comments).
NO_COMMENT = {
    "unknown-column.csv": "header: unknown column 'permision' — did you mean 'permissions'?",
    "remote-context.jsonld": "@context: only inline JSON-LD contexts are allowed",
}
CRASHING: set[str] = set()  # none left: schema problems stop the load before compiling


def _bad_cases() -> list[object]:
    cases = []
    for path in sorted(BAD.iterdir()):
        if path.suffix not in (".yaml", ".csv", ".ttl", ".jsonld"):
            continue
        marks = [pytest.mark.xfail(strict=True, reason="BUG: schema-invalid record crashes emit.py")] \
            if path.name in CRASHING else []
        cases.append(pytest.param(path, id=path.name, marks=marks))
    return cases


def _expected(path: Path) -> str:
    if path.name in NO_COMMENT:
        return NO_COMMENT[path.name]
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    assert first.startswith("# expect: "), path
    return first[len("# expect: "):]


@pytest.mark.parametrize("path", _bad_cases())
def test_bad_fixture_is_refused_with_its_message(cli, path):
    support = [BAD / "support" / "declarations.yaml"] if path.suffix == ".csv" else []
    result = cli("check", *map(str, support), str(path))
    assert_refused(result, str(path), _expected(path))


# ---------------------------------------------------------------- freshness


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A sources folder with one fact file, built once; returns (sources, out)."""
    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "facts.yaml").write_text(BASE_YAML, encoding="utf-8")
    out = tmp_path / "out"
    compiled.build([sources], out)
    return sources, out


def test_fresh_after_build(project):
    sources, out = project
    assert compiled.is_fresh([sources], out)
    assert compiled.ensure_built([sources], out) is None


def test_unchanged_tree_is_not_rebuilt(project):
    sources, out = project
    manifest = out / ".datareach" / "manifest.json"
    stamps = {name: (out / name).stat().st_mtime_ns for name in OUTPUTS}
    G = compiled.projection([sources], out)
    assert G.number_of_nodes() > 0
    assert {name: (out / name).stat().st_mtime_ns for name in OUTPUTS} == stamps
    assert manifest.stat().st_mtime_ns == stamps[".datareach/manifest.json"]


def test_touch_without_change_stays_fresh(project):
    sources, out = project
    later = time.time() + 5
    os.utime(sources / "facts.yaml", (later, later))
    assert compiled.is_fresh([sources], out)


def test_content_change_makes_it_stale_and_projection_rebuilds(project):
    sources, out = project
    before = json.loads((out / ".datareach" / "manifest.json").read_text(encoding="utf-8"))
    text = replace_line(BASE_YAML, "  - name: Example Holdings\n", "  - name: Example Holdings\n  - name: Newco\n")
    (sources / "facts.yaml").write_text(text, encoding="utf-8")
    assert not compiled.is_fresh([sources], out)
    messages: list[str] = []
    G = compiled.projection([sources], out, progress=messages.append)
    assert any("rebuilding" in m for m in messages)
    after = json.loads((out / ".datareach" / "manifest.json").read_text(encoding="utf-8"))
    assert after["fingerprint"] != before["fingerprint"]
    assert after["counts"]["companies"] == before["counts"]["companies"] + 1
    assert any(attrs.get("label") == "Newco" for _, attrs in G.nodes(data=True))
    assert compiled.is_fresh([sources], out)


def test_new_file_makes_it_stale(project):
    sources, out = project
    (sources / "more.yaml").write_text("companies:\n  - name: Another\n", encoding="utf-8")
    assert not compiled.is_fresh([sources], out)


def test_missing_or_corrupt_manifest_is_stale(project):
    sources, out = project
    manifest = out / ".datareach" / "manifest.json"
    manifest.write_text("{not json", encoding="utf-8")
    assert not compiled.is_fresh([sources], out)
    manifest.unlink()
    assert not compiled.is_fresh([sources], out)


def test_stale_cache_with_bad_sources_refuses_and_keeps_the_old_build(project):
    sources, out = project
    before = snapshot(out)
    (sources / "facts.yaml").write_text(replace_line(BASE_YAML, "    grantee: Spotify\n", "    grantee: Spotfy\n"),
                                        encoding="utf-8")
    with pytest.raises(InputError):
        compiled.projection([sources], out)
    assert snapshot(out) == before


def test_question_command_rebuilds_stale_cache(cli, project):
    sources, out = project
    text = replace_line(BASE_YAML, "  - name: Example Holdings\n", "  - name: Example Holdings\n  - name: Newco\n")
    (sources / "facts.yaml").write_text(text, encoding="utf-8")
    result = cli("--sources", str(sources), "table", "--format", "json", out=out)
    assert result.exit_code == 0, result.output
    assert "rebuilding" in result.stderr
    assert compiled.is_fresh([sources], out)
