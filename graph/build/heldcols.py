"""What companies are stated to hold (holding facts), as columns of the flow index.

A holding is a node's, not an edge's: the projection keeps a holder's holdings in its
``holds`` list. A crawl states hundreds of thousands of them, so the flow index keeps
them as arrays, one row per holding, grouped by holder node number in list order:

- ``node``: the holder's node number;
- ``codes``: codes into small tables (``tables``) of the distinct values a filter or a
  summary reads: ``types`` (the data types), ``dates`` (observed, valid from, valid until),
  ``facets`` (integration, whom it was collected from, the asserting (source, confidence)
  pairs), ``sites`` and ``trackers`` (a crawl's site and tracker, else None);
- ``span``: where each holding's JSON (evidence and note included) sits in the evidence
  file, decoded only for the holdings an answer shows.

A question decides a filter once per distinct value and looks it up for every row, as it
does for edges (``graph.build.flowindex``).

>>> from graph.examples import small_graph
>>> G = small_graph()
>>> held = Held.of([G.nodes[n] for n in sorted(G.nodes, key=str)])
>>> len(held), held.tables["types"][int(held.codes["types"][0])]
(1, ['name', 'phone-number', 'private-message'])
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graph.records import Holding

CODED = ("types", "dates", "facets", "sites", "trackers")
DATES = ("observed", "valid_from", "valid_until")


def intern(values: Iterable[Hashable]) -> tuple[np.ndarray, list[Any]]:
    """Codes into a table of the distinct values, in first-seen order (edges' and holdings' columns).

    >>> codes, table = intern(["b", "a", "b"])
    >>> codes.tolist(), table
    ([0, 1, 0], ['b', 'a'])
    """
    table: dict[Hashable, int] = {}
    codes = [table.setdefault(v, len(table)) for v in values]
    return np.asarray(codes, dtype=np.int32), list(table)


def pointers(owners: np.ndarray, count: int) -> np.ndarray:
    """indptr of rows grouped by owner (0..count-1): owner ``u``'s rows are ``indptr[u]:indptr[u + 1]``.

    >>> pointers(np.asarray([0, 0, 2]), 3).tolist()
    [0, 2, 2, 3]
    """
    indptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(owners, minlength=count), out=indptr[1:])
    return indptr


def _intern(values: Iterable[Any]) -> tuple[np.ndarray, list[Any]]:
    codes, table = intern(values)
    return codes, [list(v) if isinstance(v, tuple) else v for v in table]  # as the JSON meta gives them back


def holding_facets(holding: Holding) -> tuple[str | None, tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Integration, populations collected from, and the asserting (source, confidence) pairs."""
    cited = sorted({(str(c.get("source")), str(c.get("confidence") or "reported"))
                    for c in holding.get("evidence", []) if c.get("stance") == "asserts"})
    return holding.get("integration"), tuple(holding.get("from") or ()), tuple(cited)


@dataclass
class Held:
    """The holdings as columns (see the module docstring)."""

    node: np.ndarray
    codes: dict[str, np.ndarray]
    tables: dict[str, list[Any]]
    span: np.ndarray | None = None  # (holdings, 2): each holding's JSON in the evidence file
    rows: list[Holding] | None = field(default=None, repr=False)  # in memory, before the file is written
    _ptr: np.ndarray | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.node)

    @classmethod
    def of(cls, node_attrs: Sequence[dict[str, Any]]) -> Held:
        """The holdings of nodes given by number (each node's attributes, its ``holds`` list)."""
        rows: list[Holding] = []
        owners: list[int] = []
        for i, attrs in enumerate(node_attrs):
            holds = attrs.get("holds") or []
            rows += holds
            owners += [i] * len(holds)
        codes, tables = {}, {}
        for name, value in (("types", lambda h: tuple(h.get("data_types", []))),
                            ("dates", lambda h: tuple(h.get(k) for k in DATES)), ("facets", holding_facets),
                            ("sites", lambda h: h.get("site")), ("trackers", lambda h: h.get("tracker"))):
            codes[name], tables[name] = _intern(value(h) for h in rows)
        tables["facets"] = [[i, list(f), [list(p) for p in c]] for i, f, c in tables["facets"]]
        return cls(np.asarray(owners, dtype=np.int32), codes, tables, rows=rows)

    def pointers(self, node_count: int) -> np.ndarray:
        """indptr: node ``u``'s holdings are rows ``indptr[u]:indptr[u + 1]``."""
        if self._ptr is None or len(self._ptr) != node_count + 1:
            self._ptr = pointers(self.node, node_count)
        return self._ptr

    def lut(self, name: str, decide: Any, dtype: type = bool) -> np.ndarray:
        """``decide`` of each row's value of table ``name``, deciding each distinct value once."""
        table = self.tables[name]
        return np.asarray([decide(v) for v in table] or [0], dtype=dtype)[self.codes[name]]

    def write(self, write: Callable[[bytes], Any], offset: int) -> int:
        """Write each holding's JSON (``write``: a file's or a bytearray's) from ``offset``,
        setting ``span``; return the offset after the last byte."""
        assert self.rows is not None
        encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
        span = np.zeros((len(self.rows), 2), dtype=np.int64)
        for i, holding in enumerate(self.rows):
            text = encode(holding).encode("utf-8")
            write(text)
            span[i] = (offset, offset + len(text))
            offset += len(text)
        self.span = span
        return offset

    def decode(self, blob: Any, rows: Sequence[int] | np.ndarray) -> list[Holding]:
        """The holdings at ``rows``, decoded together (copies, as the JSON gives them)."""
        at = np.asarray(rows, dtype=np.int64)
        if self.span is None:
            assert self.rows is not None
            return list(json.loads(json.dumps([self.rows[i] for i in at.tolist()], ensure_ascii=False)))
        parts = [blob[a:b] for a, b in self.span[at].tolist()]
        return list(json.loads(b"[" + b",".join(parts) + b"]"))  # ValueError if damaged

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays ``FlowIndex.save`` writes (the tables go into its meta)."""
        assert self.span is not None
        return {"hold_node": self.node, "hold_span": self.span, **{f"hold_{k}": v for k, v in self.codes.items()}}

    @staticmethod
    def members() -> list[str]:
        """The names of the arrays ``arrays`` writes."""
        return ["hold_node", "hold_span", *(f"hold_{k}" for k in CODED)]

    @classmethod
    def read(cls, data: Any, tables: dict[str, list[Any]]) -> Held:
        """The columns ``arrays`` wrote, from an open ``.npz`` (or anything giving its arrays by name)."""
        return cls(data["hold_node"], {k: data[f"hold_{k}"] for k in CODED}, tables, span=data["hold_span"])


class HeldList(Sequence[Holding]):
    """A holder's ``holds`` list read from the columns, each holding's JSON decoded only when one
    is read: its length, its data types, integrations, dates, sites and trackers come from the
    columns. What a view of a large crawl needs for the parties it folds (``graph.viz``) and
    the GraphML/GEXF summary of each holder (``graph.export.heldsummary``); its drawn parties
    read their holdings whole. Equal to the list it stands for.

    >>> from graph.build.flowindex import FlowIndex
    >>> from graph.examples import small_graph
    >>> index = FlowIndex.from_graph(small_graph())
    >>> fb = index.keys.all().index("facebook")
    >>> holds = index.held_list(fb)
    >>> len(holds), holds.data_types(), holds.integrations()
    (1, ['name', 'phone-number', 'private-message'], [])
    >>> holds.decoded
    False
    >>> holds == index.holdings_of([fb])[fb], holds.decoded
    (True, True)
    >>> HeldList.of([{"data_types": ["name"], "site": "a.example", "evidence": []}]).distinct("sites")
    ['a.example']
    """

    def __init__(self, held: Held, rows: np.ndarray, read: Callable[[np.ndarray], list[Holding]]) -> None:
        self._held, self._rows, self._read = held, rows, read
        self._items: list[Holding] | None = None

    @classmethod
    def of(cls, holds: Sequence[Holding]) -> HeldList:
        """A plain ``holds`` list (a networkx projection's) as columns, read as a build's are."""
        held = Held.of([{"holds": list(holds)}])
        return cls(held, np.arange(len(held), dtype=np.int64), lambda rows: held.decode(b"", rows))

    @property
    def decoded(self) -> bool:
        """Whether the holdings' JSON has been read."""
        return self._items is not None

    def _all(self) -> list[Holding]:
        if self._items is None:
            self._items = self._read(self._rows)
        return self._items

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i: Any) -> Any:
        return self._all()[i]

    def __iter__(self) -> Iterator[Holding]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        return list(self._all()) == (list(other) if isinstance(other, (list, HeldList)) else other)

    __hash__ = None  # type: ignore[assignment]  # a list's, which is unhashable

    def __repr__(self) -> str:
        return f"HeldList({len(self)} holdings{'' if self.decoded else ', not decoded'})"

    def data_types(self) -> list[str]:
        """Every data type slug these holdings name, each once, in first-seen order."""
        table = self._held.tables["types"]
        codes = self._held.codes["types"][self._rows]
        return list(dict.fromkeys(t for c in dict.fromkeys(codes.tolist()) for t in table[c]))

    def integrations(self) -> list[str]:
        """The integrations of these holdings that name one, in list order (repeats kept)."""
        table = self._held.tables["facets"]
        return [table[c][0] for c in self._held.codes["facets"][self._rows].tolist() if table[c][0]]

    def distinct(self, name: str) -> list[Any]:
        """The distinct values of coded column ``name`` (``sites``, ``trackers``, ``dates``, …) that
        these holdings have, None left out, in first-seen order."""
        table = self._held.tables[name]
        codes = dict.fromkeys(self._held.codes[name][self._rows].tolist())
        return [table[c] for c in codes if table[c] is not None]
