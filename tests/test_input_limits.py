"""Every input has a size cap checked before reading, and only regular files inside a
sources folder are read (issue 11 groups 6 and 9, and "special files").

Large files are sparse (``os.truncate``): refusing them must take well under a second
and never read them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import BASE_YAML, assert_refused, run_module

from graph.build import factfile, rdfinput
from graph.build.inputs import MB, Refused, read_bounded
from graph.build.loader import load
from graph.errors import InputError
from graph.importers import ImportProblem, Options, import_file

GIB = 1024 * MB


def sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


@pytest.mark.parametrize("name", ["big.csv", "big.yaml", "big.ttl", "big.jsonld"])
def test_a_huge_fact_file_is_refused_before_reading(tmp_path, name):
    """A 1 GB CSV used to be parsed for minutes at 7.5 GiB; every format now stops at its cap."""
    path = sparse(tmp_path / name, GIB)
    start = time.monotonic()
    reader = rdfinput.read if name.endswith((".ttl", ".jsonld")) else factfile.read
    result, problems = reader(path)
    assert time.monotonic() - start < 2
    assert result is None and "file larger than" in problems[0].message
    assert "--max-input-mb" in problems[0].message


def test_check_of_a_huge_csv_answers_fast_with_a_hint(cli, tmp_path):
    path = sparse(tmp_path / "grants.csv", 2 * GIB)
    start = time.monotonic()
    result = cli("check", str(path))
    assert time.monotonic() - start < 5
    assert_refused(result, f"{path}: file larger than 100 MB", "--max-input-mb")


def test_max_input_mb_lowers_and_raises_the_cap(cli, write):
    text = BASE_YAML + "#" + "x" * (2 * MB) + "\n"
    path = write("facts.yaml", text)
    assert cli("check", str(path)).exit_code == 0
    assert_refused(cli("check", "--max-input-mb", "1", str(path)), "file larger than 1 MB")
    with pytest.raises(InputError, match="file larger than 1 MB"):
        load([path], max_input_mb=1)
    big = write("big.yaml", BASE_YAML + "#" + "x" * (21 * MB) + "\n")
    assert_refused(cli("check", str(big)), "file larger than 20 MB")
    assert cli("check", "--max-input-mb", "30", str(big)).exit_code == 0


def test_the_environment_variable_sets_the_cap_and_is_checked(cli, write, monkeypatch):
    path = write("facts.yaml", BASE_YAML + "#" + "x" * (2 * MB) + "\n")
    monkeypatch.setenv("DATAREACH_MAX_INPUT_MB", "1")
    assert_refused(cli("check", str(path)), "file larger than 1 MB")
    monkeypatch.setenv("DATAREACH_MAX_INPUT_MB", "lots")
    assert_refused(cli("check", str(path)), "DATAREACH_MAX_INPUT_MB='lots'")


def test_a_file_larger_than_its_size_says_is_read_no_further_than_the_cap():
    """A file that grows after stat (here: a /proc file whose size is 0) stops at the cap."""
    with pytest.raises(Refused, match="file larger than 10 bytes"):
        read_bounded(Path("/proc/self/maps"), 10)


@pytest.mark.parametrize("kind", ["ddg-tds", "disconnect", "webxray-owners", "ca-broker-registry", "csv"])
def test_a_huge_importer_input_is_refused_before_reading(tmp_path, kind):
    path = sparse(tmp_path / ("big.csv" if kind in ("csv", "ca-broker-registry") else "big.json"), 2 * GIB)
    start = time.monotonic()
    with pytest.raises(ImportProblem, match="file larger than 100 MB"):
        import_file(kind, path, tmp_path / "out", Options(
            maps={"grantor": "A", "grantee": "B", "data_types": "C"}, sets={"integration": "data upload"},
            source={"id": "x", "title": "t", "publisher": "p", "url": "https://example.org/"}))
    assert time.monotonic() - start < 2
    assert not (tmp_path / "out").exists()


def test_import_max_input_mb_option(tmp_path):
    path = tmp_path / "tds.json"
    path.write_text('{"trackers": {}, "entities": {}, "domains": {}}' + " " * (2 * MB))
    result = run_module("import", "ddg-tds", str(path), "-o", str(tmp_path / "o"), "--max-input-mb", "1", timeout=60)
    assert result.returncode == 1 and "file larger than 1 MB" in result.stderr
    assert "internal error" not in result.stderr


# ---------------------------------------------------------------- special files


def test_check_of_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "facts.yaml"
    os.mkfifo(fifo)
    result = run_module("check", str(fifo), timeout=60)
    assert result.returncode == 1
    assert "named pipe (FIFO), not a regular file" in result.stderr


def test_a_fifo_in_a_sources_folder_is_refused_without_hanging(tmp_path):
    (tmp_path / "src").mkdir()
    os.mkfifo(tmp_path / "src" / "grants.csv")
    result = run_module("check", str(tmp_path / "src"), timeout=60)
    assert result.returncode == 1 and "named pipe (FIFO)" in result.stderr


def test_import_of_a_fifo_or_device_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "tds.json"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        result = run_module("import", "ddg-tds", str(path), "-o", str(tmp_path / "o"), timeout=60)
        assert result.returncode == 1 and "not a regular file" in result.stderr, result.stderr


def test_a_device_named_as_a_fact_file_is_refused(tmp_path):
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="character device, not a regular file"):
        load([link])


# ---------------------------------------------------------------- symbolic links


def test_symlink_leading_outside_the_sources_folder_is_skipped_and_never_quoted(cli, tmp_path, write):
    """``ln -s /etc/shadow src/x.ttl; datareach check src`` used to quote the target in the error."""
    secret = write("secret.txt", "root:$6$SECRETHASH:19000:0:99999:7:::\n")
    src = tmp_path / "src"
    src.mkdir()
    (src / "facts.yaml").write_text(BASE_YAML)
    (src / "x.ttl").symlink_to(secret)
    result = cli("check", str(src))
    assert result.exit_code == 0, result.output
    assert "SECRETHASH" not in result.output and "root:" not in result.output
    assert f"{src / 'x.ttl'}: a symbolic link leading outside the folder: skipped, not read" in result.stderr
    loaded = load([src])
    assert [p.name for p in loaded.files] == ["facts.yaml"]


def test_symlink_inside_the_sources_folder_is_read(tmp_path):
    src = tmp_path / "src"
    (src / "schema").mkdir(parents=True)  # a folder the search skips
    (src / "schema" / "facts.yaml").write_text(BASE_YAML)
    (src / "also.yaml").symlink_to(src / "schema" / "facts.yaml")
    loaded = load([src])
    assert [p.name for p in loaded.files] == ["also.yaml"]
    assert all("symbolic link" not in str(w) for w in loaded.warnings)
