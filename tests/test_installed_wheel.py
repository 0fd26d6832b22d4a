"""The installed wheel is the product: build it, install it into a new virtual environment,
and take the README's tour in empty folders, far from the checkout. Outputs are asserted,
not only exit codes, and the installed package must be left exactly as installed.

Slow (a wheel build and a venv): marked ``slow``; CI runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DATAREACH_SHARED_DATA", REPO.parent / "shared" / "data"))


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A wheel of this checkout installed into a new venv (the same dependency versions as this
    environment, so the run needs no new downloads)."""
    root = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root / "dist"), str(REPO)],
                 root, dict(os.environ))
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next((root / "dist").glob("datareach-*.whl"))
    frozen = _run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"], root, dict(os.environ))
    (root / "constraints.txt").write_text("\n".join(line for line in frozen.stdout.splitlines()
                                                    if "==" in line and not line.startswith("datareach")))
    venv = root / "venv"
    # This environment's pip installs into the new venv (pip's own copy in it is no part of the product),
    # without compiling the dependencies' bytecode (most of the install's CPU; no test reads it); the
    # package's own is compiled, as pip does.
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root, dict(os.environ)).returncode == 0
    pip = _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                "--disable-pip-version-check", "--no-compile", str(wheel), "-c", str(root / "constraints.txt")],
               root, dict(os.environ), timeout=900)
    assert pip.returncode == 0, pip.stderr[-3000:]
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(root / "home"), "XDG_CACHE_HOME": str(root / "cache"),
           "LANG": "C.UTF-8"}
    site = next((venv / "lib").glob("python3*/site-packages/graph"))
    compiled = _run([str(venv / "bin" / "python"), "-m", "compileall", "-q", str(site)], root, env)
    assert compiled.returncode == 0 and next(site.glob("__pycache__/__init__.*.pyc")), compiled.stdout[-3000:]
    return {"wheel": wheel, "env": env, "site": site, "root": root}


def _datareach(installed: dict[str, object], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cwd.mkdir(parents=True, exist_ok=True)
    env = installed["env"]
    assert isinstance(env, dict)
    return _run(["datareach", *args], cwd, env, timeout=300)


def _listing(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_wheel_carries_everything_the_commands_read(installed: dict[str, object]) -> None:
    wheel = installed["wheel"]
    assert isinstance(wheel, Path)
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(["git", "ls-files", "ontology", "sources"], cwd=REPO, capture_output=True, text=True).stdout
    for path in tracked.split():
        assert f"graph/_data/{path}" in names, f"{path} is missing from the wheel"
    for needed in ("graph/importers/ddg.py", "graph/viz/assets/app.js", "graph/serve/assets/style.css",
                   "graph/build/init_assets/registry.yaml", "graph/py.typed"):
        assert needed in names
    assert not any(n.startswith("graph/_data/sources/imported/") for n in names)


def test_tour_in_a_new_project(installed: dict[str, object], tmp_path: Path) -> None:
    site = installed["site"]
    assert isinstance(site, Path)
    before = _listing(site)
    made = _datareach(installed, tmp_path, "init", "proj")
    assert made.returncode == 0, made.stderr
    proj = tmp_path / "proj"
    assert (proj / "sources" / "registry.yaml").is_file() and (proj / "sources" / "example.yaml").is_file()

    built = _datareach(installed, proj, "-q", "build", "--format", "json")
    assert built.returncode == 0, built.stderr
    summary = json.loads(built.stdout)
    assert summary["out"] == str(proj / "out") and summary["counts"]["grants"] == 1

    reach = _datareach(installed, proj / "sources", "-q", "reach", "private message", "--format", "json")
    assert reach.returncode == 0, reach.stderr
    assert [c["label"] for c in json.loads(reach.stdout)["companies"]] == ["Facebook", "Spotify"]

    table = _datareach(installed, proj, "-q", "table", "--format", "csv")
    assert table.returncode == 0 and table.stdout.splitlines()[1].startswith("spotify,Spotify,facebook,Facebook,messaging integration")

    viz = _datareach(installed, proj, "-q", "viz")
    page = (proj / "out" / "graph.html").read_text(encoding="utf-8")
    assert viz.returncode == 0 and "Content-Security-Policy" in page and "Spotify" in page

    queries = _datareach(installed, proj, "sparql", "--list")
    assert queries.returncode == 0 and "partner-table" in queries.stdout and "max()" not in queries.stderr

    bad = proj / "bad.yaml"
    bad.write_text("grants:\n  - grantor: Nobody\n")
    checked = _datareach(installed, proj, "check", str(bad))
    assert checked.returncode == 1 and "bad.yaml:2" in checked.stderr and "Traceback" not in checked.stderr

    assert sorted(p.name for p in proj.iterdir()) == [".gitignore", "README.md", "bad.yaml", "out", "sources"]
    assert _listing(site) == before, "a command wrote into the installed package"


@pytest.mark.skipif(not (SHARED / "webxray_domain_owners_2020").is_dir(), reason=f"no shared datasets at {SHARED}")
def test_import_a_shared_dataset_into_a_project(installed: dict[str, object], tmp_path: Path) -> None:
    _datareach(installed, tmp_path, "init", "p")
    owners = SHARED / "webxray_domain_owners_2020" / "domain_owners.json"
    imported = _datareach(installed, tmp_path / "p", "-q", "import", "webxray-owners", str(owners))
    assert imported.returncode == 0, imported.stderr
    assert [p.name for p in (tmp_path / "p" / "sources" / "imported").iterdir()] == ["webxray-owners-domain-owners.yaml"]
    owner = _datareach(installed, tmp_path / "p", "-q", "owner", "doubleclick.net", "--format", "json")
    assert owner.returncode == 0, owner.stderr
    assert json.loads(owner.stdout)["ultimate_owners"] == ["Alphabet"]


def test_outside_a_project_the_bundled_dataset_answers(installed: dict[str, object], tmp_path: Path) -> None:
    reach = _datareach(installed, tmp_path / "empty", "reach", "phone number", "--format", "json")
    assert reach.returncode == 0, reach.stderr
    assert "using the bundled dataset" in reach.stderr
    assert {"Facebook", "Amazon", "Apple"} <= {c["label"] for c in json.loads(reach.stdout)["companies"]}
    assert list((tmp_path / "empty").iterdir()) == []
    imported = _datareach(installed, tmp_path / "empty", "import", "csv", "x.csv")
    assert imported.returncode == 1 and "datareach init" in imported.stderr
