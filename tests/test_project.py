"""A project is a folder: `datareach init`, finding the project as git finds a repository,
the bundled dataset outside any project, and nothing written into the package."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.build.project import Project
from graph.build.scaffold import init_project
from graph.cli.main import main
from graph.paths import bundled_sources, data_root, find_project_root, is_project

MY_FACTS = """\
sources:
  - id: my-src
    publisher: Example Press
    title: A report of my own
    date: "2020-01-02"
    url: "https://example.org/mine"
companies:
  - name: Alpha Corp
  - name: Beta Ltd
holdings:
  - holder: Alpha Corp
    data_types: [email address]
    evidence: [{source: my-src, locator: "¶1"}]
grants:
  - id: alpha-beta
    grantor: Alpha Corp
    grantee: Beta Ltd
    integration: data upload
    data_types: [email address]
    permissions: [read]
    status: active
    evidence: [{source: my-src, locator: "¶2"}]
"""


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run the CLI in a folder of tmp_path, with the user's cache there too."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def run(cwd: Path, *args: str):
        cwd.mkdir(parents=True, exist_ok=True)
        monkeypatch.chdir(cwd)
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run


def test_init_makes_a_project_that_builds_and_answers(cli, tmp_path: Path) -> None:
    result = cli(tmp_path / "empty", "init", "proj")
    assert result.exit_code == 0, result.output
    root = tmp_path / "empty" / "proj"
    assert sorted(p.name for p in (root / "sources").iterdir()) == ["example.yaml", "registry.yaml"]
    assert (root / "README.md").is_file() and (root / ".gitignore").read_text() == "out/\n"
    result = cli(root / "sources", "-q", "reach", "private message", "--format", "json")  # from a subfolder
    assert result.exit_code == 0, result.output
    assert {r["label"] for r in json.loads(result.stdout)["companies"]} == {"Facebook", "Spotify"}
    assert (root / "out" / "graph.ttl").is_file()  # the build went to the project's out/


def test_init_never_overwrites(cli, tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "registry.yaml").write_text("mine\n")
    result = cli(tmp_path, "init", "p")
    assert result.exit_code == 1
    assert "already exist" in result.stderr and "nothing was written" in result.stderr
    assert (root / "sources" / "registry.yaml").read_text() == "mine\n"
    assert not (root / "sources" / "example.yaml").exists() and not (root / "README.md").exists()


def test_users_own_sources_are_used_not_the_bundled_dataset(cli, tmp_path: Path) -> None:
    root = tmp_path / "mine"
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "my.yaml").write_text(MY_FACTS)
    result = cli(root, "-q", "table", "--format", "json")
    assert result.exit_code == 0, result.output
    assert {r["label"] for r in json.loads(result.stdout)} == {"Beta Ltd"}
    assert "bundled" not in result.stderr
    result = cli(root, "build", "--format", "json")
    assert json.loads(result.stdout)["out"] == str(root / "out")
    assert not (tmp_path / "cache").exists()  # a project's build never goes to the cache


def test_outside_a_project_the_bundled_dataset_is_used_and_said(cli, tmp_path: Path) -> None:
    result = cli(tmp_path / "nowhere", "-q", "reach", "phone number", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("using the bundled dataset") == 1
    assert "Amazon" in {r["label"] for r in json.loads(result.stdout)["companies"]}
    assert list((tmp_path / "nowhere").iterdir()) == []  # the build lives in the cache
    assert any((tmp_path / "cache" / "datareach").iterdir())


def test_viz_outside_a_project_writes_into_the_current_folder(cli, tmp_path: Path) -> None:
    result = cli(tmp_path / "w", "-q", "viz")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "w" / "graph.html").is_file()


def test_import_writes_into_the_projects_imported_folder(cli, tmp_path: Path) -> None:
    sheet = tmp_path / "partners.csv"
    sheet.write_text("Company,Partner,Data shared\nAlpha Corp,Beta Ltd,email address\n")
    args = ["import", "csv", str(sheet), "--map", "grantor=Company", "--map", "grantee=Partner",
            "--map", "data_types=Data shared", "--set", "integration=data upload", "--source-id", "sheet",
            "--source-title", "T", "--source-publisher", "P", "--source-url", "https://example.org/s"]
    result = cli(tmp_path / "outside", *args)
    assert result.exit_code == 1 and "datareach init" in result.stderr
    assert list((tmp_path / "outside").iterdir()) == []
    cli(tmp_path, "init", "proj")
    result = cli(tmp_path / "proj" / "sources", *args)  # from inside the project
    assert result.exit_code == 0, result.output
    assert (tmp_path / "proj" / "sources" / "imported" / "sheet.yaml").is_file()


def test_nothing_is_written_into_the_package(cli, tmp_path: Path) -> None:
    package, data = Path(__file__).resolve().parents[1] / "graph", data_root()
    before = _tree(package), _tree(data / "ontology"), _tree(bundled_sources())
    cli(tmp_path / "a", "-q", "build")
    cli(tmp_path / "a", "-q", "reach", "phone number")
    cli(tmp_path / "a", "-q", "table")
    assert (_tree(package), _tree(data / "ontology"), _tree(bundled_sources())) == before


def test_project_rule(tmp_path: Path) -> None:
    assert find_project_root(tmp_path) != tmp_path.resolve()
    (tmp_path / "sources").mkdir()
    assert not is_project(tmp_path)  # an empty sources/ is not a project
    (tmp_path / "sources" / "notes.txt").write_text("x")
    assert not is_project(tmp_path)
    (tmp_path / "sources" / "a.csv").write_text("x")
    deep = tmp_path / "x" / "y"
    deep.mkdir(parents=True)
    assert find_project_root(deep) == tmp_path.resolve()
    assert Project.find(str(deep)) == Project.find(os.fspath(deep)) == Project.at(tmp_path.resolve())


def test_init_project_api_accepts_str(tmp_path: Path) -> None:
    project = init_project(str(tmp_path / "q"))
    assert project.sources == ((tmp_path / "q" / "sources").resolve(),)
