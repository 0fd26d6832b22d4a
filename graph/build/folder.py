"""One build per folder, switched in one step: every file a command reads is of one build.

Layout of ``OUT/.datareach/``::

    manifest.json         the switch: the current build's token, its inputs' fingerprint,
                          counts, the token it replaced, and each file's size and sha256
    builds/TOKEN/         graph.nt, flows.npz, evidence.json, attributes.json, graph.ttl, graph.jsonld,
                          store/ (the Oxigraph store, marked with the token: ``graph.build.oxstore``)
    builds/TOKEN.lock     held (``flock``) by the build writing that folder
    lock                  held for a moment while a build starts, switches or tidies up

A build writes every file into a new ``builds/TOKEN/`` and then replaces ``manifest.json``
(``os.replace``): a reader sees the old build or the new one, whole, and a build killed or
failing at any point leaves the previous one current. ``OUT/graph.ttl`` and
``OUT/graph.jsonld`` are then linked (or copied) from the build's folder; a command that
finds them not of the current build's size puts them back. Build folders other than the
current one, the one it replaced (a running ``serve`` may still be reading it) and those of
builds still running are removed after a switch and at the start of a build, with what a
killed build left behind.

What is checked before use (:meth:`Build.file`, :meth:`Build.read`), and at what cost:

- always: the manifest names an existing build folder, and each file a command reads has
  the size the manifest records (one ``stat``);
- ``flows.npz`` holds the build's token, and ``evidence.json`` ends with it (checked on
  load; numpy reads every array of the npz whole, and zip checks each one's CRC-32);
- files read whole anyway are checked against their sha256: ``graph.nt`` before it is
  parsed, loaded into an Oxigraph store or pushed (one more pass over the file, from the
  page cache). ``evidence.json`` and ``attributes.json`` are mapped and read only for the
  rows an answer shows, so they are not hashed (each ends with the build's token): a changed
  byte there shows as a damaged answer.

A mismatch raises :class:`BuildDamaged`; ``graph.build.compiled`` then rebuilds once and says so.

>>> import tempfile
>>> current(Path(tempfile.mkdtemp())) is None
True
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from graph import atomic
from graph.errors import DatareachError

CACHE = ".datareach"
FORMAT = 2
PUBLISHED = ("graph.ttl", "graph.jsonld")  # also in OUT/, for people and other tools
LEGACY = ("graph.nt", "projection.json", "flows.npz", "evidence.json", "flows.json", "evidence.sqlite")
_TOKEN = re.compile(r"[0-9a-f]{32}")


class BuildDamaged(DatareachError):
    """A file of the build is missing or is not the one the build's manifest describes."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"{problem}: run `datareach build` to make it again")


@dataclass(frozen=True)
class Build:
    """The build a manifest names: its token, folder and files."""

    out_dir: Path
    manifest: dict[str, Any]

    @property
    def token(self) -> str:
        return str(self.manifest["token"])

    @property
    def folder(self) -> Path:
        return Path(self.out_dir) / CACHE / "builds" / self.token

    def file(self, name: str, *, full: bool = False) -> Path:
        """The path of ``name``, once its size (and, if ``full``, its sha256) is the manifest's."""
        path, want = self.folder / name, self._entry(name)
        try:
            size = path.stat().st_size
            if size == want["size"] and full:
                with path.open("rb") as fh:
                    import hashlib  # on first use: a question's start-up needs none of it
                    if hashlib.file_digest(fh, "sha256").hexdigest() != want["sha256"]:
                        raise BuildDamaged(f"{path} does not match its checksum (damaged, or from another build)")
        except OSError as exc:
            raise BuildDamaged(f"{path} cannot be read ({exc.strerror or exc})") from None
        if size != want["size"]:
            raise BuildDamaged(f"{path} has {size:,} bytes where the build wrote {want['size']:,} "
                               "(truncated, emptied, or from another build)")
        return path

    def read(self, name: str) -> bytes:
        """The bytes of ``name``, checked against the manifest's size and sha256."""
        path = self.file(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BuildDamaged(f"{path} cannot be read ({exc.strerror or exc})") from None
        import hashlib
        if hashlib.sha256(data).hexdigest() != self._entry(name)["sha256"] or len(data) != self._entry(name)["size"]:
            raise BuildDamaged(f"{path} does not match its checksum (damaged, or from another build)")
        return data

    def _entry(self, name: str) -> dict[str, Any]:
        entry = self.manifest["files"].get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("size"), int) or not isinstance(entry.get("sha256"), str):
            raise BuildDamaged(f"{Path(self.out_dir) / CACHE / 'manifest.json'} does not describe {name}")
        return entry


def current(out_dir: str | os.PathLike[str]) -> Build | None:
    """The build ``out_dir``'s manifest names, or None (no build, an unreadable manifest, or
    a build of an older version of datareach)."""
    try:
        manifest = json.loads((Path(out_dir) / CACHE / "manifest.json").read_bytes())
    except (OSError, ValueError):
        return None
    if (not isinstance(manifest, dict) or manifest.get("format") != FORMAT
            or not _TOKEN.fullmatch(str(manifest.get("token"))) or not isinstance(manifest.get("files"), dict)):
        return None
    return Build(Path(out_dir), manifest)


class Staging:
    """A new build folder, locked while it is written; ``commit`` makes it the current build.
    Left without a commit, the folder is removed."""

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        import secrets  # random, bisect …: imported by a build, not by every command

        self.out_dir = Path(out_dir)
        self.token = secrets.token_hex(16)
        self.folder = self.out_dir / CACHE / "builds" / self.token
        self._lock: IO[bytes] | None = None
        self._committed = False

    def path(self, name: str) -> str:
        """Where to write the build's file ``name``."""
        return str(self.folder / name)

    def __enter__(self) -> Staging:
        with _locked(self.out_dir):
            tidy(self.out_dir)
            self._lock = open(self.folder.with_name(f"{self.token}.lock"), "wb")  # noqa: SIM115 -- held until __exit__
            fcntl.flock(self._lock, fcntl.LOCK_EX)
            self.folder.mkdir()
        return self

    def commit(self, record: dict[str, Any]) -> Build:
        """Describe every file (size, sha256), switch the manifest to this build, then link
        ``graph.ttl`` and ``graph.jsonld`` into ``OUT/`` and remove builds no longer needed."""
        files, folders = {}, {}
        for path in sorted(self.folder.iterdir()):
            if path.is_dir():  # the Oxigraph store: its files synced and counted, not hashed
                folders[path.name] = _sync_folder(path)
                continue
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
                import hashlib
                files[path.name] = {"size": os.fstat(fh.fileno()).st_size,
                                    "sha256": hashlib.file_digest(fh, "sha256").hexdigest()}
        with _locked(self.out_dir):
            before = current(self.out_dir)
            manifest = {"format": FORMAT, "token": self.token, **record,
                        "previous": None if before is None else before.token, "files": files}
            if folders:
                manifest["folders"] = folders
            _write_manifest(self.out_dir, manifest)
            self._committed = True
            build = Build(self.out_dir, manifest)
            publish(build)
            tidy(self.out_dir)
        return build

    def __exit__(self, *_: object) -> None:
        if not self._committed:
            import shutil
            shutil.rmtree(self.folder, ignore_errors=True)
        if self._lock is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._lock.name)
            self._lock.close()


def _sync_folder(folder: Path) -> dict[str, int]:
    """fsync every file under ``folder``; return how many there are and their total size."""
    count = size = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
                size += os.fstat(fh.fileno()).st_size
            count += 1
    return {"files": count, "size": size}


def publish(build: Build) -> None:
    """Put the build's ``graph.ttl`` and ``graph.jsonld`` in place in ``OUT/`` (a hard link, or a copy)."""
    for name in PUBLISHED:
        if name not in build.manifest["files"]:
            continue
        target = Path(build.out_dir) / name
        tmp = target.with_name(f".{name}.{build.token}.{os.urandom(4).hex()}.tmp")
        try:
            try:
                os.link(build.folder / name, tmp)
            except OSError:
                import shutil
                shutil.copyfile(build.folder / name, tmp)
            atomic.check_target(target)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)


def republish_if_needed(build: Build) -> None:
    """Publish again when ``OUT/graph.ttl`` or ``graph.jsonld`` is not the current build's
    (a build stopped between its switch and its links): its size differs, or it is another
    build's file (a link shared with another folder). Two ``stat`` calls a file; a
    read-only ``OUT`` is quietly left as it is."""
    for name in PUBLISHED:
        if name in build.manifest["files"] and _stale(Path(build.out_dir) / name, build.folder / name):
            with contextlib.suppress(OSError, DatareachError), _locked(build.out_dir):
                publish(build)
            return


def record_stats(build: Build, stats: list[list[object]]) -> bool:
    """Record ``stats`` (:func:`graph.build.inputs.file_stats`) in ``build``'s manifest, once its
    inputs' fingerprint was found equal: the next command's cheap check then holds, where it would
    read every input again. Under the lock, and only while ``build`` is still the current one (a
    build switching meanwhile wins); a read-only ``OUT`` is quietly left as it is. True when
    written.
    """
    with contextlib.suppress(OSError, DatareachError), _locked(build.out_dir):
        now = current(build.out_dir)
        if now is None or now.token != build.token:
            return False
        manifest = {**now.manifest, "stats": stats}
        _write_manifest(build.out_dir, manifest)
        build.manifest["stats"] = stats
        return True
    return False


def _write_manifest(out_dir: str | os.PathLike[str], manifest: dict[str, Any]) -> None:
    """Replace ``OUT/.datareach/manifest.json`` (atomically; the caller holds the lock)."""
    atomic.write_text(Path(out_dir) / CACHE / "manifest.json", json.dumps(manifest, indent=2))


def _stale(target: Path, source: Path) -> bool:
    try:
        ours, theirs = source.stat(), target.stat()
    except OSError:
        return True
    if (ours.st_dev, ours.st_ino) == (theirs.st_dev, theirs.st_ino):
        return False
    return ours.st_size != theirs.st_size or (ours.st_nlink == 1 and theirs.st_nlink > 1)


def tidy(out_dir: Path) -> None:
    """Remove, under the lock, what no build needs: folders of builds neither current, nor
    replaced by the current one, nor being written; and temporary files killed builds left.
    A file beside a build's folder is that build's by the token its name starts with
    (``TOKEN.lock``, ``TOKEN.rows.nt``): kept while that build runs."""
    cache, found = out_dir / CACHE, current(out_dir)
    keep = set() if found is None else {found.token, str(found.manifest.get("previous"))}
    root = cache / "builds"
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        token = entry.name.split(".", 1)[0]
        if (token in keep and entry.name == token) or _in_use(root / f"{token}.lock"):
            continue
        if entry.is_dir() and not entry.is_symlink():
            import shutil
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    stale = [cache / name for name in LEGACY] + list(cache.glob(".*.tmp"))
    stale += [p for name in PUBLISHED for p in out_dir.glob(f".{name}.*.tmp")]
    for path in stale:
        with contextlib.suppress(OSError):
            path.unlink()


def _in_use(lock: Path) -> bool:
    """Whether a running build holds ``lock``."""
    try:
        fh = open(lock, "rb")  # noqa: SIM115
    except OSError:
        return False
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """Hold ``OUT/.datareach/lock`` while a build starts, switches or tidies up."""
    cache = Path(out_dir) / CACHE
    (cache / "builds").mkdir(parents=True, exist_ok=True)
    with open(cache / "lock", "ab") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield
