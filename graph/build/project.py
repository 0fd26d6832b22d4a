"""A project: the fact files it reads (``sources``) and the folder its build goes to (``out``).

One object that the Python API, the CLI and the server share, instead of every function
taking ``sources, out_dir, progress``. It knows where a project is (``Project.at``,
``Project.find``, ``Project.bundled``, see ``graph.paths`` for the rule) and what can be
asked of it: build it, and read the build as a networkx graph, as the flow index, or as
an rdflib graph, each rebuilt first when the sources changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from graph.build import compiled
from graph.errors import OutputError
from graph.paths import PathArg, as_paths, bundled_sources, cache_out, find_project_root
from graph.progress import Progress, quiet

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

    from graph.build.flowgraph import FlowGraph
    from graph.build.flowindex import FlowIndex
    from graph.build.folder import Build

T = TypeVar("T")


@dataclass(frozen=True)
class Project:
    """Fact files and the folder their build goes to.

    Parameters
    ----------
    sources : tuple of Path
        Fact files or folders of fact files.
    out : Path
        Where the build goes (``graph.ttl``, ``graph.jsonld``, ``.datareach/``).
    root : Path or None
        The project folder, when the project is one (``sources/`` and ``out/`` inside it).
    progress : callable
        Told what long work is doing; says nothing by default.

    Examples
    --------
    >>> import tempfile
    >>> from graph.examples import SMALL
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     project = Project.of(SMALL, Path(tmp) / "out")
    ...     project.build().counts["grants"], project.projection().number_of_nodes() > 0
    (3, True)
    """

    sources: tuple[Path, ...]
    out: Path
    root: Path | None = None
    progress: Progress = field(default=quiet, compare=False, repr=False)

    @classmethod
    def of(cls, sources: PathArg | Sequence[PathArg], out: PathArg = "out", *, progress: Progress = quiet) -> Project:
        """A project of these fact files (one path or several, ``str`` or ``os.PathLike``), built into ``out``.

        >>> Project.of("facts.yaml", "build").sources
        (PosixPath('facts.yaml'),)
        """
        return cls(tuple(as_paths(sources) or ()), Path(out), None, progress)

    @classmethod
    def at(cls, root: PathArg, *, progress: Progress = quiet) -> Project:
        """The project in folder ``root``: ``root/sources`` built into ``root/out``.

        >>> Project.at("/data/mine").out
        PosixPath('/data/mine/out')
        """
        folder = Path(root)
        return cls((folder / "sources",), folder / "out", folder, progress)

    @classmethod
    def find(cls, start: PathArg | None = None, *, progress: Progress = quiet) -> Project | None:
        """The project holding ``start`` (default: the current folder), found as git finds a
        repository, or None outside any (see ``graph.paths.find_project_root``)."""
        root = find_project_root(start)
        return None if root is None else cls.at(root, progress=progress)

    @classmethod
    def bundled(cls, *, progress: Progress = quiet) -> Project:
        """The bundled dataset, built into the user's cache folder.

        >>> Project.bundled().sources[0].name
        'sources'
        """
        sources = [bundled_sources()]
        return cls(tuple(sources), cache_out(sources), None, progress)

    def with_progress(self, progress: Progress) -> Project:
        """The same project, reporting to ``progress``."""
        return Project(self.sources, self.out, self.root, progress)

    @property
    def imported(self) -> Path:
        """Where ``datareach import`` writes fact files: ``sources/imported/`` of the project folder."""
        if self.root is None:
            raise OutputError("this project has no folder of its own to import into: run `datareach init`, "
                              "or give an output folder")
        return self.root / "sources" / "imported"

    def build(self, *, max_input_mb: int | None = None) -> compiled.BuildResult:
        """Validate the sources and write the build into ``out`` (see ``graph.build.compiled.build``)."""
        return compiled.build(list(self.sources), self.out, progress=self.progress, max_input_mb=max_input_mb)

    def is_fresh(self) -> bool:
        """True when ``out`` holds a build of exactly the sources as they are now."""
        return compiled.is_fresh(list(self.sources), self.out)

    def ensure_built(self) -> compiled.BuildResult | None:
        """Rebuild if the sources changed since the last build; the new build, or None."""
        return compiled.ensure_built(list(self.sources), self.out, progress=self.progress)

    def read_build(self, reader: Callable[[Build], T]) -> T:
        """``reader`` on the current, checked build (rebuilt first if stale or damaged)."""
        return compiled.read_build(list(self.sources), self.out, reader, progress=self.progress)

    def projection(self) -> nx.MultiDiGraph:
        """The networkx data-flow graph (``graph.build.projection``)."""
        return compiled.projection(list(self.sources), self.out, progress=self.progress)

    def flows(self) -> FlowIndex:
        """The data-flow graph as arrays, for reach and rank (``graph.build.flowindex``)."""
        return compiled.flows(list(self.sources), self.out, progress=self.progress)

    def flow_graph(self) -> FlowGraph:
        """The data-flow graph read row by row, for the table, exports, owner and viz (``graph.build.flowgraph``)."""
        return compiled.flow_graph(list(self.sources), self.out, progress=self.progress)

    def rdf_graph(self) -> Graph:
        """The full rdflib Graph: facts and ontology."""
        return compiled.rdf_graph(list(self.sources), self.out, progress=self.progress)
