"""Where things are: the data the package ships, and the user's project folder.

**Shipped data.** The ontology (vocabulary, taxonomy, shapes, named queries, mappings),
the JSON Schema and the bundled dataset travel inside the wheel under ``graph/_data/``.
In a source checkout the same folders are the top-level ``ontology/`` and ``sources/``
beside the package; the wheel maps them into ``graph/_data/`` (see ``pyproject.toml``).

**A project is a folder** holding a ``sources/`` folder with at least one fact file
(``datareach init`` makes one). Commands find it as git finds its repository: the current
folder or the nearest parent. Its ``sources/`` are the default input, ``out/`` beside them
holds the build, and ``import`` writes into ``sources/imported/``. Outside any project the
question commands use the bundled dataset, built into a cache folder
(``$XDG_CACHE_HOME/datareach``, else ``~/.cache/datareach``). Nothing is ever written
into the installed package.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

PathArg = str | os.PathLike[str]
FACT_SUFFIXES = frozenset({".yaml", ".yml", ".csv", ".ttl", ".jsonld"})


def data_root() -> Path:
    """The folder holding ``ontology/`` and the bundled ``sources/``.

    >>> (data_root() / "ontology" / "vocab.ttl").is_file()
    True
    """
    here = Path(__file__).resolve().parent
    packaged = here / "_data"
    return packaged if packaged.is_dir() else here.parent  # an installed wheel, else a checkout


def ontology_dir() -> Path:
    """The ontology folder (vocab.ttl, taxonomy.ttl, shapes.ttl, queries/, mappings/)."""
    return data_root() / "ontology"


def bundled_sources() -> Path:
    """The bundled dataset: the fact files shipped with datareach.

    Returns
    -------
    Path
        The folder (inside the installed package, or ``sources/`` in a checkout).

    Examples
    --------
    >>> (bundled_sources() / "registry.yaml").is_file()
    True
    """
    return data_root() / "sources"


def schema_path() -> Path:
    """The JSON Schema of YAML and CSV fact files."""
    return bundled_sources() / "schema" / "facts.schema.json"


def is_project(folder: PathArg) -> bool:
    """True when ``folder`` has a ``sources/`` folder holding a fact file (or ``imported/``)."""
    sources = Path(folder) / "sources"
    try:
        return sources.is_dir() and any(
            (p.is_file() and p.suffix.lower() in FACT_SUFFIXES) or (p.name == "imported" and p.is_dir())
            for p in sources.iterdir())
    except OSError:
        return False


def find_project_root(start: PathArg | None = None) -> Path | None:
    """The folder of the project holding ``start`` (default: the current folder), or None outside any.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "sources" / "deep").mkdir(parents=True)
    ...     _ = (Path(tmp) / "sources" / "facts.yaml").write_text("companies: []\\n")
    ...     find_project_root(Path(tmp) / "sources" / "deep") == Path(tmp).resolve()
    True
    """
    here = Path.cwd() if start is None else Path(start)
    try:
        here = here.resolve()
    except OSError:
        return None
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    return None


def cache_root() -> Path:
    """The user's cache folder for builds made outside any project."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "datareach"


def cache_out(sources: list[Path]) -> Path:
    """The build folder, in the user's cache, for ``sources`` used outside any project.

    One folder per set of inputs and datareach version, so builds of different inputs
    never replace each other.
    """
    from graph import __version__

    key = "\0".join([__version__, *sorted(str(Path(s).resolve()) for s in sources)])
    name = "bundled" if sources == [bundled_sources()] else "sources"
    import hashlib  # here, not at import: every command imports this module

    return cache_root() / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def as_paths(paths: PathArg | Sequence[PathArg] | None) -> list[Path] | None:
    """``paths`` as a list of Paths: one path or a sequence of them (``str`` or ``os.PathLike``).

    >>> as_paths("sources"), as_paths([Path("a"), "b"]), as_paths(None)
    ([PosixPath('sources')], [PosixPath('a'), PosixPath('b')], None)
    """
    if paths is None:
        return None
    if isinstance(paths, str | os.PathLike):
        return [Path(paths)]
    return [Path(p) for p in paths]
