"""One company per real company: which declarations name the same company.

Declarations are grouped (union-find) when they share an id, a name or alias, a curator's
"same" judgement, or — with a warning — the same name once legal forms are dropped
("Google LLC" / "Google"). A declaration whose names belong to two groups bridges them,
with a warning. A curator's "not same" judgement always wins: names judged apart are
never merged, and a declaration that would bridge them is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.build.factfile import FactFile
from graph.errors import Problem
from graph.names import CompanyIndex, name_key, slugify

Path = tuple[str | int, ...]


@dataclass
class Declaration:
    """One entry of a companies: section."""

    slug: str
    names: list[str]
    ff: FactFile
    path: Path
    record: dict[str, Any]


@dataclass
class Identities:
    """Collects judgements and declarations, then says which declarations are one company.

    >>> from graph.build.factfile import FactFile
    >>> ff = FactFile("f.yaml", {})
    >>> ids = Identities()
    >>> ids.declare(ff, ("companies", 0), {"name": "Meta Platforms", "aliases": ["Facebook"]})
    >>> ids.declare(ff, ("companies", 1), {"name": "Facebook", "aliases": ["Facebook, Inc."]})
    >>> [(root, [d.names[0] for d in decls]) for root, decls in ids.groups()]
    [('meta-platforms', ['Meta Platforms', 'Facebook'])]
    """

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    _parent: dict[str, str] = field(default_factory=dict)
    _order: dict[str, int] = field(default_factory=dict)
    _decls: list[Declaration] = field(default_factory=list)
    _index: CompanyIndex = field(default_factory=CompanyIndex)
    _same: dict[str, str] = field(default_factory=dict)
    _apart: set[frozenset[str]] = field(default_factory=set)
    _by_root: dict[str, str] = field(default_factory=dict)
    _names_of: dict[str, list[str]] = field(default_factory=dict)

    # ------------------------------------------------------------ judgements

    def judge(self, verdict: str, a: str, b: str) -> None:
        """Record a curator's verdict ("same" or "not same") on two names."""
        ra, rb = self._name_root(name_key(a)), self._name_root(name_key(b))
        if verdict == "same":
            self._same[rb] = ra
        else:
            self._apart.add(frozenset((ra, rb)))

    def _name_root(self, key: str) -> str:
        while self._same.get(key, key) != key:
            key = self._same[key]
        return key

    def _apart_groups(self, a: str, b: str) -> bool:
        if not self._apart:
            return False
        roots_a = {self._name_root(name_key(n)) for n in self._names_of[a]}
        roots_b = {self._name_root(name_key(n)) for n in self._names_of[b]}
        return any(frozenset((x, y)) in self._apart for x in roots_a for y in roots_b)

    # ------------------------------------------------------------ declarations

    def find(self, slug: str) -> str:
        """The group a declaration slug belongs to (its first-declared member)."""
        while self._parent[slug] != slug:
            self._parent[slug] = self._parent[self._parent[slug]]
            slug = self._parent[slug]
        return slug

    def declare(self, ff: FactFile, path: Path, record: dict[str, Any]) -> None:
        """Add one declaration, joining it to every group it names."""
        names = [record["name"], *record.get("aliases", [])]
        slug = str(record.get("id") or slugify(record["name"]))
        targets = self._targets(slug, names)
        if slug not in self._parent:
            self._parent[slug], self._order[slug], self._names_of[slug] = slug, len(self._order), []
        self._decls.append(Declaration(slug, names, ff, path, record))
        # Names are kept per group (under its root): a slug merged into another group earlier has no entry of its own.
        self._names_of[self.find(slug)] += names
        ordered = sorted(targets, key=self._order.__getitem__)
        if len(ordered) > 1 and not any(self._apart_groups(a, b) for a in ordered for b in ordered if a != b):
            labels = " and ".join(f"'{self._names_of[t][0]}'" for t in ordered)
            self.warnings.append(ff.problem((*path, "name"), f"'{names[0]}' names two companies, {labels}: merged; "
                                            "record a 'not same' judgement to keep them apart"))
        for target in ordered:
            self._join(ff, path, target, slug, names)
        if not targets:
            self._loose(ff, path, record, slug)
        self._index.add(slug, names)
        for n in names:
            self._by_root.setdefault(self._name_root(name_key(n)), slug)

    def _targets(self, slug: str, names: list[str]) -> set[str]:
        found = {self.find(slug)} if slug in self._parent else set()
        found |= {self.find(s) for s in (self._index.resolve(n) for n in names) if s is not None}
        found |= {self.find(self._by_root[r]) for r in (self._name_root(name_key(n)) for n in names) if r in self._by_root}
        return found

    def _loose(self, ff: FactFile, path: Path, record: dict[str, Any], slug: str) -> None:
        """Merge with the one company of the same name without legal form, unless judged apart."""
        near = self._index.resolve_loosely(record["name"])
        if near is None or self.find(near) == self.find(slug) or self._apart_groups(self.find(near), self.find(slug)):
            return
        label = self._names_of[self.find(near)][0]
        self.warnings.append(ff.problem((*path, "name"), f"'{record['name']}' merged into '{label}' (same name without "
                                        "legal form); record a 'not same' judgement to keep them apart"))
        self._union(self.find(near), self.find(slug))

    def _join(self, ff: FactFile, path: Path, target: str, slug: str, names: list[str]) -> None:
        a, b = self.find(target), self.find(slug)
        if a == b:
            return
        if self._apart_groups(a, b):
            self.problems.append(ff.problem((*path, "name"), f"'{names[0]}' shares a name with '{self._names_of[a][0]}', "
                                            "but a judgement says they are not the same company: rename one"))
            return
        self._union(a, b)

    def _union(self, a: str, b: str) -> None:
        root, child = (a, b) if self._order[a] < self._order[b] else (b, a)
        self._parent[child] = root
        self._names_of[root] += self._names_of.pop(child)

    def groups(self) -> list[tuple[str, list[Declaration]]]:
        """Each company: its slug (the first declaration's) and its declarations, in order."""
        out: dict[str, list[Declaration]] = {}
        for decl in self._decls:
            out.setdefault(self.find(decl.slug), []).append(decl)
        return sorted(out.items(), key=lambda item: self._order[item[0]])
