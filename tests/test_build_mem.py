"""What keeps the columnar build's memory low (issue 17: at most 150 B/triple), checked as
structure, never as a measured number on a shared machine:

- the Oxigraph store's load (as large as the columnar part's peak) starts only once the
  flow index and the JSON-LD are written and the per-row part, its projection, the merged
  edges and the grants' frame are freed, so the two peaks do not add up;
- the grants are turned into text ``columnar.BATCH`` rows at a time, and the batch size
  changes nothing in the files written (but the order of the N-Triples lines).
"""

from __future__ import annotations

import json
import sys
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rdflib import RDF

from graph.build import columnar, compiled, oxstore
from graph.build.folder import current

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from gen import generate  # noqa: E402


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gen") / "gen"
    generate("XS", folder)
    return folder


def test_the_store_loads_after_the_columnar_part_is_freed(dataset: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columnar, "MIN_BYTES", 0)
    refs: dict[str, weakref.ref[Any]] = {}
    seen: dict[str, Any] = {}
    write_nt, merge, bulk_load = compiled._write_nt, columnar.merge, oxstore.bulk_load

    def recording_write_nt(staging: Any, index: Any, path: str | None = None) -> str:
        refs["per-row index"] = weakref.ref(index)
        return write_nt(staging, index, path)

    def recording_merge(G: Any, grants: Any) -> Any:
        merged = merge(G, grants)
        refs["projection"], refs["merged edges"] = weakref.ref(G), weakref.ref(merged)
        refs["grants frame"] = weakref.ref(grants)
        return merged

    def checking_load(nt: Any, folder: Any, **kwargs: Any) -> None:
        staged = Path(folder).parent
        seen["written before"] = sorted(p.name for p in staged.iterdir() if p.name in ("flows.npz", "evidence.json",
                                                                                         "attributes.json"))
        seen["alive"] = sorted(name for name, ref in refs.items() if ref() is not None)
        nodes = json.loads((staged / "graph.jsonld").read_bytes())  # the grants appended already
        seen["json-ld grants"] = sum(1 for node in nodes if any(t.get("@id", "").endswith("#AccessGrant")
                                                                for t in node.get(str(RDF.type), [])))
        bulk_load(nt, folder, **kwargs)

    monkeypatch.setattr(compiled, "_write_nt", recording_write_nt)
    monkeypatch.setattr(columnar, "merge", recording_merge)
    monkeypatch.setattr(oxstore, "bulk_load", checking_load)
    result = compiled.build(dataset, tmp_path / "out")
    assert result.counts["grants"] > 0 and "by columns" in result.shacl  # the columnar path ran
    assert sorted(refs) == ["grants frame", "merged edges", "per-row index", "projection"]
    assert seen["written before"] == ["attributes.json", "evidence.json", "flows.npz"]
    assert seen["alive"] == []  # freed (by reference counts: the build pauses the cyclic collector)
    assert seen["json-ld grants"] == result.counts["grants"]


def _files(out: Path) -> dict[str, Any]:
    found = current(out)
    assert found is not None
    files: dict[str, Any] = {name: (found.folder / name).read_bytes().removesuffix(found.token.encode())
                             for name in ("graph.jsonld", "evidence.json", "attributes.json")}
    # the grants' lines come a batch at a time, each batch's single-valued triples before its listed ones
    files.update({name: sorted((found.folder / name).read_bytes().splitlines()) for name in ("graph.nt", "graph.ttl")})
    with np.load(found.folder / "flows.npz") as arrays:
        files.update({f"flows {name}": arrays[name].tobytes() for name in arrays.files if name != "meta"})
    return files


def test_the_batch_size_changes_nothing_written(dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columnar, "MIN_BYTES", 0)
    written = {}
    for batch in (31, 10**7):  # XS's 1,000 grants in 33 batches, the last short (7 rows a batch: 6 s of CPU more)
        monkeypatch.setattr(columnar, "BATCH", batch)
        compiled.build(dataset, tmp_path / str(batch))
        written[batch] = _files(tmp_path / str(batch))
    small, whole = written.values()
    assert small.keys() == whole.keys()
    for name in small:
        assert small[name] == whole[name], name


def test_the_store_load_never_holds_a_block_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each of the store's loads reads its block from the file a little at a time (a block read
    whole as one bytes object was kept, block after block, in the arenas of the loader's threads)."""
    lines = [f'<http://x.example/s{i}> <http://x.example/p> "value {i}" .\n' for i in range(20_000)]
    nt = tmp_path / "g.nt"
    nt.write_text("".join(lines), encoding="utf-8")
    block = nt.stat().st_size // 4
    reads: list[int] = []
    read = oxstore.Block.read

    def recording_read(self: oxstore.Block, n: int | None = -1) -> bytes:
        data = read(self, n)
        reads.append(len(data))
        return data

    monkeypatch.setattr(oxstore.Block, "read", recording_read)
    oxstore.bulk_load(nt, tmp_path / "store", block_bytes=block)
    assert sum(reads) == nt.stat().st_size
    assert max(reads) < block // 10  # asked for by the loader in small pieces, never the block whole


def test_a_build_has_glibc_return_freed_memory(dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build fixes glibc's trim threshold before it starts (so that the store's load does not
    keep the freed tops of its threads' arenas), and only on glibc."""
    import platform

    calls: list[bool] = []
    free_promptly = oxstore.free_promptly

    def recording() -> bool:
        calls.append(free_promptly())
        return calls[-1]

    monkeypatch.setattr(oxstore, "free_promptly", recording)
    compiled.build(dataset, tmp_path / "out")
    assert calls and all(calls) == (platform.libc_ver()[0] == "glibc")
