"""The build's store is bulk-loaded in blocks of whole lines (graph.build.oxstore.bulk_load), so
its memory does not grow with the graph. Whatever the block size, the store must hold the same
graph as one load of the whole file: lines cut at block ends, a line longer than a block, a last
line without its newline, and blank nodes whose triples fall in different blocks."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from graph.build import oxstore

pyoxigraph = pytest.importorskip("pyoxigraph")
_Store = pyoxigraph.Store


def _lines(n: int) -> list[str]:
    return [f'<http://x.example/s{i}> <http://x.example/p> "value {i} é" .\n' for i in range(n)]


def _store_graph(folder: Path) -> Graph:
    """The store's triples as an rdflib graph (blank nodes kept as blank nodes)."""
    store = pyoxigraph.Store.read_only(str(folder))
    g = Graph()

    def term(t: object) -> URIRef | BNode | Literal:
        if isinstance(t, pyoxigraph.NamedNode):
            return URIRef(t.value)
        if isinstance(t, pyoxigraph.BlankNode):
            return BNode(t.value)
        assert isinstance(t, pyoxigraph.Literal)
        plain = t.language or t.datatype.value == "http://www.w3.org/2001/XMLSchema#string"
        return Literal(t.value, lang=t.language, datatype=None if plain else URIRef(t.datatype.value))

    for q in store:
        g.add((term(q.subject), term(q.predicate), term(q.object)))  # type: ignore[arg-type]
    return g


def _load(tmp_path: Path, text: str, block: int, name: str) -> Graph:
    nt = tmp_path / f"{name}.nt"
    nt.write_text(text, encoding="utf-8")
    oxstore.bulk_load(nt, tmp_path / name, block_bytes=block)
    return _store_graph(tmp_path / name)


def _expected(text: str) -> Graph:
    return Graph().parse(data=text, format="nt")


@pytest.mark.parametrize("block", [1, 120, 10**9])
def test_blocks_hold_the_same_graph(tmp_path: Path, block: int) -> None:
    lines = _lines(16)
    lines[9] = f'<http://x.example/long> <http://x.example/p> "{"y" * 500}" .\n'  # longer than most blocks
    text = "".join(lines).rstrip("\n")  # the last line has no newline
    got = _load(tmp_path, text, block, "s")
    assert len(got) == 16
    assert isomorphic(got, _expected(text))


@pytest.mark.parametrize("block", [64, 10**9])
def test_a_blank_node_split_across_blocks_stays_one_node(tmp_path: Path, block: int) -> None:
    lines = _lines(20)
    lines[5] = "_:b1 <http://x.example/p> <http://x.example/o1> .\n"
    lines[17] = "_:b1 <http://x.example/q> <http://x.example/o2> .\n"
    text = "".join(lines)
    got = _load(tmp_path, text, block, "b")
    assert isomorphic(got, _expected(text))
    subjects = {s for s, _, _ in got if isinstance(s, BNode)}
    assert len(subjects) == 1  # not one blank node per block


def test_text_that_looks_like_a_blank_node_loads_whole(tmp_path: Path) -> None:
    text = "".join(_lines(10)) + '<http://x.example/t> <http://x.example/p> "see _:x" .\n' + "".join(_lines(3))
    got = _load(tmp_path, text, 50, "t")
    assert isomorphic(got, _expected(text))


def test_an_empty_file_makes_an_empty_store(tmp_path: Path) -> None:
    assert len(_load(tmp_path, "", 64, "e")) == 0


def test_a_bad_line_in_a_later_block_fails_the_load(tmp_path: Path) -> None:
    text = "".join(_lines(30)) + "<not an iri> <http://x.example/p> 1 .\n"
    with pytest.raises(SyntaxError):
        _load(tmp_path, text, 100, "bad")


class _CountingStore:
    """pyoxigraph.Store, counting the bulk loads it is given and the bytes each read."""

    loads: list[int] = []

    def __init__(self, path: str) -> None:
        self._store = _Store(path)

    def bulk_load(self, data: object, **kwargs: object) -> None:
        self._store.bulk_load(data, **kwargs)
        _CountingStore.loads.append(data.served if isinstance(data, oxstore.Block) else -1)

    def flush(self) -> None:
        self._store.flush()


def test_the_block_size_follows_the_file_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """By default a file is cut into about ``BLOCKS`` loads, each between the two bounds: the
    store's memory follows the size of the build rather than a fixed 64 MB."""
    monkeypatch.setattr(pyoxigraph, "Store", _CountingStore)
    monkeypatch.setattr(oxstore, "MIN_BLOCK_BYTES", 200)
    loads = {}
    for name, n, most in (("small", 100, 10**9), ("large", 400, 10**9), ("capped", 400, 1000)):
        monkeypatch.setattr(oxstore, "BLOCK_BYTES", most)
        _CountingStore.loads = []
        text = "".join(_lines(n))
        nt = tmp_path / f"{name}.nt"
        nt.write_text(text, encoding="utf-8")
        oxstore.bulk_load(nt, tmp_path / name)
        loads[name] = list(_CountingStore.loads)
        assert sum(loads[name]) == len(text.encode())
    block = {name: max(sizes) for name, sizes in loads.items()}
    # a block ends at the first line end at or after its size: a sixteenth and a bit, so 15 or 16 loads
    assert oxstore.BLOCKS - 1 <= len(loads["small"]) <= oxstore.BLOCKS
    assert oxstore.BLOCKS - 1 <= len(loads["large"]) <= oxstore.BLOCKS  # a larger file: larger blocks, not more
    assert all(size > 0 for sizes in loads.values() for size in sizes)  # no empty load at the end
    assert block["large"] > 3 * block["small"]
    line = max(len(x.encode()) for x in _lines(400))
    assert block["capped"] < 1000 + line < block["large"]  # never above BLOCK_BYTES (and the rest of the line it cuts)
    assert oxstore.block_bytes_for(1) == 200  # never below MIN_BLOCK_BYTES


@pytest.mark.parametrize("block", [120, 10**9])
def test_a_lenient_load_works_with_the_installed_pyoxigraph(tmp_path: Path, block: int) -> None:
    """The build asks for a lenient load; pyoxigraph 0.4 (the oldest allowed) has none and loads
    strictly, 0.5 loads leniently: either way the same graph, never a TypeError."""
    text = "".join(_lines(12)) + "_:b <http://x.example/p> _:c .\n"
    nt = tmp_path / "g.nt"
    nt.write_text(text, encoding="utf-8")
    oxstore.bulk_load(nt, tmp_path / "store", block_bytes=block, lenient=True)
    assert isomorphic(_store_graph(tmp_path / "store"), _expected(text))
    has = "lenient" in (getattr(_Store.bulk_load, "__text_signature__", None) or "")
    assert oxstore.load_options(True, _Store.bulk_load) == ({"lenient": True} if has else {})


def test_a_failing_block_stops_the_load_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``oxstore.loading`` waits for its load at the end; when the work beside it fails (a SHACL
    violation sends the build per row), the load is stopped at once rather than run to its end,
    and the work's error is the one raised."""
    monkeypatch.setattr(pyoxigraph, "Store", _CountingStore)
    _CountingStore.loads = []
    lines = _lines(4000)
    nt = tmp_path / "g.nt"
    nt.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(oxstore, "block_bytes_for", lambda size: 200)  # about 3 lines a load: some 1,300 loads
    started = threading.Event()
    read = oxstore.Block.read

    def signalling_read(self: oxstore.Block, n: int | None = -1) -> bytes:
        started.set()
        return read(self, n)

    monkeypatch.setattr(oxstore.Block, "read", signalling_read)
    with pytest.raises(KeyError, match="the work's own"), oxstore.loading(nt, tmp_path / "store"):
        assert started.wait(10)
        raise KeyError("the work's own")
    # stopped: not every block was loaded (none at all when the stop lands in the first block,
    # as with pyoxigraph 0.4, whose loader reads the whole block before it parses)
    assert started.is_set() and len(_CountingStore.loads) < 1000


def test_a_stopped_load_raises_load_stopped(tmp_path: Path) -> None:
    nt = tmp_path / "g.nt"
    nt.write_text("".join(_lines(50)), encoding="utf-8")
    stop = threading.Event()
    stop.set()
    with pytest.raises(oxstore.LoadStopped):
        oxstore.bulk_load(nt, tmp_path / "store", block_bytes=100, stop=stop)
    with open(nt, "rb") as f:  # a stopped block ends what it serves with a bad line, which the loader fails on
        block = oxstore.Block(f, 100, stop)
        assert block.read(10) == b"<stopped" and block.stopped and block.read(10) == b""
