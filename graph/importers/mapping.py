"""Mapping tables: what a dataset's category or flag means in data types.

The tables are data, in ``ontology/mappings/<table>.csv``, one row a category::

    dataset,category,data_types,whose_data,basis,rationale,reference_url

``data_types`` and ``whose_data`` hold ``;``-separated values (taxonomy labels; the
schema's whose-data words); either may be empty when a category implies nothing.
``basis`` is ``stated`` when the dataset's own definition names the data, ``judgement``
when the row is our reading of it. Every data type is checked against the taxonomy
when the table is read, so a typo in a table is caught before anything is imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from graph.errors import NotFoundError
from graph.importers.common import ImportProblem
from graph.model.labels import WHOSE_DATA
from graph.paths import ontology_dir

COLUMNS = ("dataset", "category", "data_types", "whose_data", "basis", "rationale", "reference_url")
BASES = ("stated", "judgement")


def key(category: str) -> str:
    """How categories are matched: case, spacing and non-breaking spaces folded.

    >>> key("  Social -\\u00a0Share ")
    'social - share'
    """
    return " ".join(category.replace("\u00a0", " ").split()).casefold()


@dataclass(frozen=True)
class Rule:
    """One row of a mapping table."""

    category: str
    data_types: tuple[str, ...]
    whose_data: tuple[str, ...]
    basis: str
    rationale: str
    reference_url: str
    row: int


@dataclass
class Table:
    """A mapping table for one dataset; ``unknown`` collects categories not in it."""

    name: str
    dataset: str
    rules: dict[str, Rule]
    unknown: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"ontology/mappings/{self.name}.csv"

    def lookup(self, category: str, where: str) -> Rule | None:
        """The rule for ``category``; None (and remembered with ``where``) when unknown."""
        rule = self.rules.get(key(category))
        if rule is None:
            self.unknown.setdefault(category, where)
        return rule

    def apply(self, categories: Iterable[str], where: str) -> tuple[set[str], set[str], list[int]]:
        """Data types, whose-data words and table rows implied by ``categories``."""
        types: set[str] = set()
        whose: set[str] = set()
        rows: list[int] = []
        for category in categories:
            rule = self.lookup(category, where)
            if rule is not None:
                types.update(rule.data_types)
                whose.update(rule.whose_data)
                rows.append(rule.row)
        return types, whose, sorted(set(rows))

    def check_unknown(self, skip: bool) -> int:
        """Raise for unknown categories unless ``skip``; return how many were skipped."""
        if not self.unknown or skip:
            return len(self.unknown)
        listed = "; ".join(f"'{c}' (first at {w})" for c, w in list(self.unknown.items())[:10])
        more = "" if len(self.unknown) <= 10 else f" and {len(self.unknown) - 10} more"
        raise ImportProblem(
            f"unknown {self.dataset} categor{'y' if len(self.unknown) == 1 else 'ies'}: {listed}{more}. "
            f"Add a row for each to the mapping table {self.path} (columns: {','.join(COLUMNS)}), "
            "or pass --skip-unknown to import without them")


@lru_cache(maxsize=8)
def _read(name: str) -> dict[str, Rule]:
    from graph.model import ontology

    path = ontology_dir() / "mappings" / f"{name}.csv"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ImportProblem(f"cannot read the mapping table {path}: {exc.strerror}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ImportProblem(f"{path}: the header must be {','.join(COLUMNS)}")
    taxonomy = ontology.data_types()
    rules: dict[str, Rule] = {}
    for row in reader:
        rule = _rule(path.name, taxonomy, row, reader.line_num)
        if key(rule.category) in rules:
            raise ImportProblem(f"{path}:{reader.line_num}: category '{rule.category}' is listed twice")
        rules[key(rule.category)] = rule
    return rules


def _rule(name: str, taxonomy: object, row: dict[str, str], line: int) -> Rule:
    from graph.model.taxonomy import Taxonomy

    assert isinstance(taxonomy, Taxonomy)
    types, whose = _split(row["data_types"]), _split(row["whose_data"])
    labels = []
    for t in types:
        try:
            labels.append(taxonomy.label(taxonomy.resolve(t)))
        except NotFoundError as exc:
            raise ImportProblem(f"ontology/mappings/{name}:{line}: {exc}") from None
    bad = [w for w in whose if w not in WHOSE_DATA] + ([row["basis"]] if row["basis"] not in BASES else [])
    if bad:
        raise ImportProblem(f"ontology/mappings/{name}:{line}: '{bad[0]}' is not allowed here "
                            f"(whose_data: {', '.join(WHOSE_DATA)}; basis: {', '.join(BASES)})")
    if row["rationale"].strip() == "" or not row["reference_url"].startswith(("http://", "https://")):
        raise ImportProblem(f"ontology/mappings/{name}:{line}: every row needs a rationale and a reference_url")
    return Rule(row["category"].strip(), tuple(labels), tuple(whose), row["basis"], row["rationale"], row["reference_url"], line)


def _split(cell: str | None) -> list[str]:
    return [v.strip() for v in (cell or "").split(";") if v.strip() != ""]


def table(name: str, dataset: str) -> Table:
    """The mapping table ``ontology/mappings/<name>.csv`` (read once per process)."""
    return Table(name, dataset, _read(name))
