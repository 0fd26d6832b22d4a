"""``datareach init``: make a project folder.

A project holds ``sources/registry.yaml`` (the publications its claims cite), a commented
example fact file with one cited grant, a short README, and a ``.gitignore`` for ``out/``.
Nothing that already exists is overwritten: if any of those files is there, nothing is
written at all.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from graph import atomic
from graph.build.project import Project
from graph.errors import OutputError
from graph.paths import PathArg

# (template in graph/build/init_assets, where it goes in the project)
_FILES = (("registry.yaml", "sources/registry.yaml"), ("example.yaml", "sources/example.yaml"),
          ("README.md", "README.md"), ("gitignore", ".gitignore"))


def init_project(folder: PathArg = ".") -> Project:
    """Make a datareach project in ``folder`` (made if missing) and return it.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     project = init_project(Path(tmp) / "my-project")
    ...     sorted(p.name for p in project.sources[0].iterdir()), Project.find(project.root) == project
    (['example.yaml', 'registry.yaml'], True)
    """
    root = Path(folder)
    targets = [(name, root / rel) for name, rel in _FILES]
    existing = [str(path) for _, path in targets if path.exists() or path.is_symlink()]
    if existing:
        raise OutputError(f"not making a project in {root}: {', '.join(existing)} already exist(s); "
                          "nothing was written")
    assets = resources.files("graph.build") / "init_assets"
    try:
        (root / "sources").mkdir(parents=True, exist_ok=True)
        with atomic.Batch() as batch:
            for name, path in targets:
                batch.write_text(path, (assets / name).read_text(encoding="utf-8"))
    except OSError as exc:
        raise OutputError(f"cannot make a project in {root}: {exc.strerror or exc}") from None
    return Project.at(root.resolve())
