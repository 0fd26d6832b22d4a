"""Damaged inputs: a clear message, exit status 1, no traceback, and nothing written.

Damaged copies of the hand-made fixtures live in tests/fixtures/import/; damaged copies
of the real datasets are made here under tmp_path (the data itself is never committed).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from graph.cli.main import main

FIX = Path(__file__).resolve().parent / "fixtures" / "import"
SHARED = Path(os.environ.get("DATAREACH_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"the shared datasets are not at {SHARED} (set DATAREACH_SHARED_DATA)")


def snapshot(folder: Path) -> dict[str, bytes] | None:
    return None if not folder.exists() else {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def refused(tmp_path: Path, *args: str, needles: tuple[str, ...] = (), existing: bool = True) -> Result:
    """Run an import that must fail; check the message and that the output folder is untouched."""
    out = tmp_path / "out"
    if existing:
        out.mkdir(exist_ok=True)
        (out / "keep.yaml").write_text("companies:\n  - name: \"Kept\"\n", encoding="utf-8")
    before = snapshot(out)
    result = CliRunner().invoke(main, ["-q", "import", *args, "-o", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.stderr.startswith("error: ")
    for needle in needles:
        assert needle in result.stderr, f"{needle!r} not in {result.stderr!r}"
    assert snapshot(out) == before, "the output folder changed"
    return result


def test_missing_file(tmp_path: Path) -> None:
    refused(tmp_path, "ddg-tds", str(tmp_path / "nope.json"), needles=("nope.json: no such file",), existing=False)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["ddg-tds", "webxray-owners", "disconnect", "ca-broker-registry"])
def test_empty_file(tmp_path: Path, kind: str) -> None:
    empty = tmp_path / ("empty.csv" if kind == "ca-broker-registry" else "empty.json")
    empty.write_bytes(b"")
    refused(tmp_path, kind, str(empty), needles=("empty",))


def test_truncated_json_fixture(tmp_path: Path) -> None:
    refused(tmp_path, "ddg-tds", str(FIX / "ddg-truncated.json"), needles=("not valid JSON", "truncated"))


def test_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.json"
    bad.write_bytes('{"entities": {"Caf\xe9": {}}}'.encode("latin-1"))
    refused(tmp_path, "ddg-tds", str(bad), needles=("not UTF-8",))


def test_unknown_category_names_it_and_the_table(tmp_path: Path) -> None:
    refused(tmp_path, "ddg-tds", str(FIX / "ddg-unknown-category.json"),
            needles=("'Quantum Tracking'", "ontology/mappings/ddg-tds.csv", "--skip-unknown", 'trackers["maps.example-geo.test"]'))


def test_skip_unknown_imports_with_a_warning(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["-q", "import", "ddg-tds", str(FIX / "ddg-unknown-category.json"),
                                       "-o", str(tmp_path), "--skip-unknown"])
    assert result.exit_code == 0, result.output
    assert "unknown categories skipped" in result.stderr and "Quantum Tracking" in result.stderr
    assert (tmp_path / "ddg-tds-ddg-unknown-category.yaml").is_file()


def test_ca_header_row_removed(tmp_path: Path) -> None:
    lines = (FIX / "ca-registry-mini.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    damaged = tmp_path / "no-header.csv"
    damaged.write_text(lines[0] + "".join(lines[2:]), encoding="utf-8")
    refused(tmp_path, "ca-broker-registry", str(damaged), needles=("no header row", "Data broker name:"))


def test_ca_renamed_column(tmp_path: Path) -> None:
    text = (FIX / "ca-registry-mini.csv").read_text(encoding="utf-8-sig")
    damaged = tmp_path / "renamed.csv"
    damaged.write_text(text.replace("Data broker primary website:", "Data broker main web site:"), encoding="utf-8")
    refused(tmp_path, "ca-broker-registry", str(damaged),
            needles=("no column 'Data broker primary website:'", "Data broker main web site:"))


def test_wrong_file_for_the_kind(tmp_path: Path) -> None:
    refused(tmp_path, "webxray-owners", str(FIX / "disconnect" / "services.json"), needles=("domain_owners.json",))
    refused(tmp_path, "disconnect", str(FIX / "webxray-mini.json"), needles=("services.json",))
    refused(tmp_path, "ddg-tds", str(FIX / "webxray-mini.json"), needles=("a JSON object",))


def test_unknown_kind_and_folder(tmp_path: Path) -> None:
    refused(tmp_path, "ddg-tsd", str(FIX / "ddg-web-mini.json"), needles=("unknown kind 'ddg-tsd'", "ddg-tds"))
    refused(tmp_path, "ddg-tds", str(FIX), needles=("is a folder",))


def test_output_folder_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["-q", "import", "webxray-owners", str(FIX / "webxray-mini.json"), "-o", str(blocker)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error: cannot write") and blocker.read_text(encoding="utf-8") == "not a folder"


def test_csv_missing_mapping_and_unknown_column(tmp_path: Path) -> None:
    sheet = str(FIX / "partners.csv")
    source = ["--source-id", "s", "--source-title", "t", "--source-publisher", "p", "--source-url", "https://example.org"]
    refused(tmp_path, "csv", sheet, "--map", "grantor=Company", *source, needles=("--map grantee=COLUMN",))
    refused(tmp_path, "csv", sheet, "--map", "grantor=Company", "--map", "grantee=Partnr", "--map", "data_types=Data shared",
            "--set", "integration=data upload", *source, needles=("no column 'Partnr'", "did you mean 'Partner'"))
    refused(tmp_path, "csv", sheet, "--map", "grantor=Company", "--map", "grantee=Partner", "--map", "data_types=Data shared",
            "--set", "integration=data upload", needles=("--source-id is required",))


@needs_shared
def test_real_extension_tds_truncated(tmp_path: Path) -> None:
    text = (SHARED / "ddg_tracker_blocklist" / "extension-tds.json").read_bytes()
    damaged = tmp_path / "extension-tds.json"
    damaged.write_bytes(text[: len(text) // 3])
    refused(tmp_path, "ddg-tds", str(damaged), needles=("not valid JSON", "truncated"))


@needs_shared
def test_real_services_json_truncated(tmp_path: Path) -> None:
    folder = tmp_path / "disconnect"
    folder.mkdir()
    (folder / "entities.json").write_bytes((SHARED / "disconnect_tracking_protection" / "entities.json").read_bytes())
    text = (SHARED / "disconnect_tracking_protection" / "services.json").read_bytes()
    (folder / "services.json").write_bytes(text[:-200])
    refused(tmp_path, "disconnect", str(folder), needles=("services.json", "not valid JSON"))


@needs_shared
def test_real_ca_registry_without_header_row(tmp_path: Path) -> None:
    rows = (SHARED / "ca_data_broker_registry_2025" / "california_data_broker_registry_2025.csv").read_text(encoding="utf-8-sig")
    first, _, rest = rows.partition("\n")
    _, _, body = rest.partition("\n")
    damaged = tmp_path / "registry.csv"
    damaged.write_text(first + "\n" + body, encoding="utf-8")
    refused(tmp_path, "ca-broker-registry", str(damaged), needles=("no header row",))


@needs_shared
def test_real_ca_registry_renamed_flag_column(tmp_path: Path) -> None:
    text = (SHARED / "ca_data_broker_registry_2025" / "california_data_broker_registry_2025.csv").read_text(encoding="utf-8-sig")
    damaged = tmp_path / "registry.csv"
    damaged.write_text(text.replace("collects consumers’ precise geolocation", "collects location", 1), encoding="utf-8")
    refused(tmp_path, "ca-broker-registry", str(damaged), needles=("precise geolocation:'", "collects location"))
