"""Atomic outputs: a failed or interrupted build never leaves a partial or truncated
file, and the previous build stays byte-identical (SECURITY.md §8 items 53–54).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BASE_YAML, REPO, SMALL, SOURCES, assert_refused, replace_line, snapshot
from rdflib import Graph

from graph import atomic
from graph.build import compiled, rdfconvert
from graph.errors import OutputError

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

# ---------------------------------------------------------------- graph.atomic itself


def tmp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


def test_write_text_creates_and_replaces(tmp_path):
    target = tmp_path / "deep" / "er" / "a.txt"
    atomic.write_text(target, "first é\n")
    assert target.read_bytes() == "first é\n".encode()
    atomic.write_text(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert tmp_files(tmp_path) == []


def test_write_bytes_replaces(tmp_path):
    target = tmp_path / "b.bin"
    atomic.write_bytes(target, b"\x00\x01")
    atomic.write_bytes(target, b"\xff")
    assert target.read_bytes() == b"\xff"
    assert tmp_files(tmp_path) == []


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_atomic_open_failure_keeps_the_old_file(tmp_path, error):
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(error), atomic.atomic_open(target) as fh:
        fh.write("half of the new content")
        fh.flush()
        raise error()
    assert target.read_text(encoding="utf-8") == "old"
    assert tmp_files(tmp_path) == []


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_write_with_failure_keeps_the_old_file(tmp_path, error):
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"old")

    def writer(tmp: str) -> None:
        Path(tmp).write_bytes(b"@prefix half")
        raise error()

    with pytest.raises(error):
        atomic.write_with(target, writer)
    assert target.read_bytes() == b"old"
    assert tmp_files(tmp_path) == []


def test_write_with_puts_the_temp_file_beside_the_target(tmp_path):
    seen: list[str] = []

    def writer(tmp: str) -> None:
        seen.append(tmp)
        Path(tmp).write_text("new", encoding="utf-8")

    atomic.write_with(tmp_path / "x.ttl", writer)
    assert Path(seen[0]).parent == tmp_path  # same file system, so the rename is atomic
    assert Path(seen[0]).name.startswith(".x.ttl.")
    assert (tmp_path / "x.ttl").read_text(encoding="utf-8") == "new"


# ---------------------------------------------------------------- a failed build


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SMALL built once for the module; each test works on a copy (``old_build``, ``small_copy``)."""
    out = tmp_path_factory.mktemp("small") / "out"
    compiled.build([SMALL], out)
    return out


@pytest.fixture
def small_copy(small_build: Path, tmp_path: Path) -> Path:
    shutil.copytree(small_build, tmp_path / "out")
    return tmp_path / "out"


@pytest.fixture
def old_build(small_build: Path, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "out"
    shutil.copytree(small_build, out)
    return out, snapshot(out)


def test_build_of_a_bad_file_leaves_outputs_byte_identical(cli, write, old_build):
    out, before = old_build
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    bad = write("bad.yaml", replace_line(BASE_YAML, "    data_types: [private message]\n", "    data_types: [phone nubmer]\n"))
    assert_refused(cli("build", str(bad), out=out), "did you mean 'phone number'?")
    assert snapshot(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps


@pytest.mark.parametrize("bad", ["!!python/name:os.system", "[[[[", "- not a mapping"])
def test_build_of_unparsable_yaml_leaves_outputs_byte_identical(cli, write, old_build, bad):
    out, before = old_build
    path = write("bad.yaml", f"sources: {bad}\n" if "python" in bad else bad + "\n")
    result = cli("build", str(path), out=out)
    assert_refused(result, str(path))
    assert snapshot(out) == before


def _failing_conversion(monkeypatch, fail_on: str) -> None:
    """The Turtle/JSON-LD conversion children: for one format, write half a file and fail."""
    code = ("import sys\nfrom pathlib import Path\nfrom graph.build.rdfconvert import convert\n"
            "nt, out, fmt = sys.argv[1:]\n"
            f"if fmt == {fail_on!r}:\n"
            "    Path(out).write_bytes(b'@prefix dr: <https://w3id.org/datareach/ns#> .\\n<half')\n"
            "    raise ValueError('injected failure halfway through serialising')\n"
            "convert(nt, out, fmt)\n")
    monkeypatch.setattr(rdfconvert, "COMMAND", [sys.executable, "-c", code])


def test_serialise_failing_halfway_keeps_old_files(monkeypatch, old_build):
    out, before = old_build
    _failing_conversion(monkeypatch, "turtle")
    with pytest.raises(OutputError, match="injected"):
        compiled.build([SOURCES], out)
    assert snapshot(out) == before
    assert tmp_files(out) == []


def test_a_failure_while_converting_stops_the_children_and_keeps_old_files(monkeypatch, old_build):
    """The cache fails while Turtle and JSON-LD are being converted: the children are
    stopped, their half files removed, the old build left as it was."""
    out, before = old_build
    started: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    def broken_cache(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rdfconvert, "COMMAND", [sys.executable, "-c", "import time; time.sleep(60)"])
    monkeypatch.setattr(rdfconvert.subprocess, "Popen", popen)
    monkeypatch.setattr(compiled, "_write_cache", broken_cache)
    with pytest.raises(OutputError, match="No space left"):
        compiled.build([SOURCES], out)
    assert len(started) == 2 and all(child.returncode is not None for child in started)
    assert snapshot(out) == before
    assert tmp_files(out) == []


def test_a_graph_py_in_the_current_folder_does_not_break_the_conversion(monkeypatch, tmp_path) -> None:
    """The children import this package, not whatever `graph` the user's folder holds."""
    here = tmp_path / "work"
    here.mkdir()
    (here / "graph.py").write_text("raise SystemExit('a stranger graph.py was imported')\n", encoding="utf-8")
    monkeypatch.chdir(here)
    compiled.build([SMALL], tmp_path / "out")
    assert Graph().parse(tmp_path / "out" / "graph.ttl", format="turtle")
    assert Graph().parse(tmp_path / "out" / "graph.jsonld", format="json-ld")


def test_rdfconvert_usage() -> None:
    proc = subprocess.run([sys.executable, "-m", "graph.build.rdfconvert", "a.nt"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2 and "FORMAT" in proc.stderr


def test_second_file_failing_leaves_complete_files_and_a_stale_manifest(monkeypatch, old_build):
    """graph.jsonld fails after graph.ttl was written: nothing is replaced (outputs are
    committed together), every file is complete and the manifest describes the old build."""
    out, before = old_build
    _failing_conversion(monkeypatch, "json-ld")
    with pytest.raises(OutputError, match="injected"):
        compiled.build([SOURCES], out)
    monkeypatch.undo()
    assert tmp_files(out) == []
    after = snapshot(out)
    assert after["graph.jsonld"] == before["graph.jsonld"]
    assert after[".datareach/manifest.json"] == before[".datareach/manifest.json"]
    Graph().parse(out / "graph.ttl", format="turtle")
    Graph().parse(out / "graph.jsonld", format="json-ld")
    assert not compiled.is_fresh([SOURCES], out)
    assert compiled.is_fresh([SMALL], out)  # the manifest describes the old build


def test_unwritable_output_folder_is_a_clean_error(cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    result = cli("build", str(SMALL), "-o", str(blocker / "out"))
    assert_refused(result, str(blocker / "out"))


# ---------------------------------------------------------------- kill -9 mid-build


def _grants_csv(n: int) -> str:
    head = "id,grantor,grantee,integration,data_types,permissions,status,note,source,locator\n"
    rows = "".join(f"g{i},Facebook,Spotify,messaging integration,private message;message thread participants,"
                   f"read;write,active,row {i},src,¶{i}\n" for i in range(n))
    return head + rows


def _wait_for(predicate, proc: subprocess.Popen, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    return False


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("moment", ["while-writing-graph.ttl", "while-writing-graph.jsonld", "while-loading"])
def test_kill_9_during_build_never_truncates(tmp_path, moment):
    """Build a larger generated input in a child process and SIGKILL it mid-way:
    out/graph.ttl is the old file or a complete new one, never a truncated one."""
    head = BASE_YAML[:BASE_YAML.index("holdings:\n")]
    (tmp_path / "decl.yaml").write_text(head, encoding="utf-8")
    (tmp_path / "grants.csv").write_text(_grants_csv(600), encoding="utf-8")
    out = tmp_path / "out"
    compiled.build([SMALL], out)
    before = snapshot(out)
    current_token = json.loads((out / ".datareach" / "manifest.json").read_text())["token"]

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "graph", "-q", "--out", str(out), "build",
                             str(tmp_path / "decl.yaml"), str(tmp_path / "grants.csv")],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if moment == "while-loading":
            time.sleep(1.0)
            reached = proc.poll() is None
        else:
            name = moment.removeprefix("while-writing-")
            staged = out / ".datareach" / "builds"  # a build writes into a folder of its own
            reached = _wait_for(lambda: any(p.stat().st_size > 0 for p in staged.glob(f"*/{name}")
                                            if p.parent.name != current_token), proc, 60)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        stderr = proc.stderr.read()
        proc.stderr.close()
    if not reached or proc.returncode == 0:  # 0, not -9: it exited on its own between the check and the kill
        pytest.skip(f"the build finished before the kill ({moment}); stderr: {stderr[-500:]!r}")
    after = snapshot(out)
    for name in ("graph.ttl", "graph.jsonld", ".datareach/manifest.json"):
        assert name in after, f"{name} disappeared"
    if after["graph.ttl"] != before["graph.ttl"]:
        g = Graph().parse(out / "graph.ttl", format="turtle")  # complete new file
        assert len(g) > 600 * 10
    if moment.startswith("while-writing"):
        # Outputs are staged and renamed together at the end: a kill mid-write leaves the old build.
        assert [after[n] for n in ("graph.ttl", "graph.jsonld")] == [before[n] for n in ("graph.ttl", "graph.jsonld")]
    if after["graph.jsonld"] != before["graph.jsonld"]:
        Graph().parse(out / "graph.jsonld", format="json-ld")
    new_inputs = [tmp_path / "decl.yaml", tmp_path / "grants.csv"]
    if moment == "while-loading" and after[".datareach/manifest.json"] != before[".datareach/manifest.json"]:
        # A small build can commit within the second and be killed in what follows the commit (the
        # summary, tidying): the committed build must then be whole, and answer without a rebuild.
        assert compiled.is_fresh(new_inputs, out)
        asked = subprocess.run([sys.executable, "-m", "graph", "--out", str(out), "-s", str(new_inputs[0]), "-s",
                                str(new_inputs[1]), "table", "--format", "json"],
                               cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert asked.returncode == 0 and "rebuilding" not in asked.stderr, asked.stderr
        assert len(json.loads(asked.stdout)) == 600
        return
    # The manifest is written last: a killed build is never taken for a fresh one.
    assert after[".datareach/manifest.json"] == before[".datareach/manifest.json"]
    assert not compiled.is_fresh(new_inputs, out)
    # The next build removes what the killed one left: its folder and temporary files.
    compiled.build([SMALL], out)
    manifest = json.loads((out / ".datareach" / "manifest.json").read_text())
    builds = {p.name for p in (out / ".datareach" / "builds").iterdir()}
    assert builds == {manifest["token"], manifest["previous"]} and tmp_files(out) == []


# ---------------------------------------------------------------- output onto a special file (issue 11 #5)


def _special(tmp_path: Path, kind: str) -> Path:
    """A FIFO or a character device (/dev/null's numbers) under tmp_path; never /dev itself."""
    path = tmp_path / kind
    if kind == "fifo":
        os.mkfifo(path)
    else:
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device node needs root")
    return path


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
def test_output_onto_a_device_node_is_refused(tmp_path, kind):
    """`-o n` onto a character device turned it into a regular file; now every atomic write refuses."""
    node = _special(tmp_path, kind)
    before = os.lstat(node)
    for write in (lambda: atomic.write_text(node, "x"), lambda: atomic.write_bytes(node, b"x"),
                  lambda: atomic.write_with(node, lambda tmp: Path(tmp).write_text("x"))):
        with pytest.raises(OutputError, match="not a regular file"):
            write()
    with pytest.raises(OutputError, match="refusing to replace it"), atomic.Batch() as batch:
        batch.write_text(tmp_path / "fine.txt", "x")
        batch.write_text(node, "x")
    after = os.lstat(node)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)
    assert tmp_files(tmp_path) == [] and not (tmp_path / "fine.txt").exists()


def test_a_device_node_made_while_writing_is_not_replaced(tmp_path):
    """The target is checked again just before the rename."""
    target = tmp_path / "late"

    def writer(tmp: str) -> None:
        Path(tmp).write_text("x")
        os.mkfifo(target)

    with pytest.raises(OutputError, match="FIFO"):
        atomic.write_with(target, writer)
    assert stat.S_ISFIFO(os.lstat(target).st_mode) and tmp_files(tmp_path) == []


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
@pytest.mark.parametrize("command", [["viz"], ["export", "--format", "csv"], ["export", "--format", "graphml"]])
def test_cli_output_onto_a_device_node_is_refused(cli, small_copy, tmp_path, kind, command):
    node = _special(tmp_path, kind)
    # -s SMALL: the build made for it is used (without it the command built the bundled dataset first)
    result = cli("-s", str(SMALL), *command, "-o", str(node), out=small_copy)
    assert_refused(result, "not a regular file")
    assert "rebuilding" not in result.stderr
    assert not stat.S_ISREG(os.lstat(node).st_mode)


def test_output_onto_a_folder_is_refused(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        atomic.write_text(tmp_path / "d", "x")


def test_a_symlink_as_output_is_replaced_not_written_through(tmp_path):
    """Documented choice: the link itself becomes the new file; what it pointed to is untouched."""
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me", encoding="utf-8")
    link = tmp_path / "link.html"
    link.symlink_to(elsewhere)
    atomic.write_text(link, "new")
    assert not link.is_symlink() and link.read_text(encoding="utf-8") == "new"
    assert elsewhere.read_text(encoding="utf-8") == "keep me"


def test_tidying_keeps_the_files_a_running_build_has_beside_its_folder(tmp_path: Path) -> None:
    """A build by columns writes its per-row N-Triples beside its folder (``TOKEN.rows.nt``);
    another build's tidying (at its start and after its switch) used to delete them, failing the
    first build with "No such file or directory" (two commands started together on a project
    whose sources changed). Only a killed build's are removed."""
    from graph.build.folder import Staging, tidy

    out = tmp_path / "out"
    compiled.build([SMALL], out)
    builds = out / ".datareach" / "builds"
    left = builds / "0123456789abcdef0123456789abcdef.rows.nt"  # a killed build's: no build holds its lock
    left.write_text("<a> <b> <c> .\n", encoding="utf-8")
    with Staging(out) as running:
        beside = running.folder.with_name(running.token + ".rows.nt")
        beside.write_text("<a> <b> <c> .\n", encoding="utf-8")
        tidy(out)
        with Staging(out):  # another build starting tidies up too
            pass
        assert beside.exists() and running.folder.is_dir()
        assert not left.exists()
