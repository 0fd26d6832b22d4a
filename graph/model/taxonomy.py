"""Data-type and integration-kind taxonomies as plain Python, read from the ontology.

A ``Taxonomy`` resolves what a user types (label, slug, IRI, ``pd:`` CURIE, fideslang
key) to a concept slug and knows the ``skos:broader`` hierarchy. It serialises to a
dict, so the compiled graph carries it and ``reach`` never needs rdflib.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from graph.errors import AmbiguousName, NotFoundError
from graph.names import nearest

DT_NS = "https://w3id.org/datareach/datatype/"
IK_NS = "https://w3id.org/datareach/integration/"
_CURIES = {"pd:": "https://w3id.org/dpv/pd#", "dpv:": "https://w3id.org/dpv#", "dt:": DT_NS, "ik:": IK_NS}


@dataclass(frozen=True)
class Concept:
    """One SKOS concept: its slug (IRI local name), labels, hierarchy and mappings."""

    slug: str
    iri: str
    label: str
    alt_labels: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    matches: tuple[str, ...] = ()
    close_matches: tuple[str, ...] = ()
    fideslang: str | None = None
    sensitivity: int = 1
    minted: bool = False
    note: str | None = None


ResolvedBy = Literal["slug", "IRI", "label", "alias", "DPV", "DPV-PD", "DPV-PD close match", "fideslang"]
"""How a user's words found a concept (``Resolution.resolved_by``)."""

_PD = "https://w3id.org/dpv/pd#"
_DPV = "https://w3id.org/dpv#"


@dataclass(frozen=True)
class Resolution:
    """What a user asked for, the concept it resolved to, and how it was found.

    >>> tax = Taxonomy("data type", [Concept("device-identifier", DT_NS + "device-identifier", "device identifier",
    ...     alt_labels=("device ID",))])
    >>> r = tax.resolution("Device ID")
    >>> (r.asked, r.term, r.label, r.resolved_by, r.matched)
    ('Device ID', 'device-identifier', 'device identifier', 'alias', 'device ID')
    """

    asked: str
    term: str
    label: str
    resolved_by: ResolvedBy
    matched: str

    @property
    def exact(self) -> bool:
        """Whether the words asked were the concept's own label or slug (nothing to explain)."""
        return self.resolved_by in ("label", "slug")


def _how(c: Concept) -> list[tuple[str, ResolvedBy]]:
    """Every form a concept is found by, with how; earlier forms win over later ones."""
    forms: list[tuple[str, ResolvedBy]] = [(c.label, "label"), (c.slug, "slug"), (c.iri, "IRI")]
    forms += [(a, "alias") for a in c.alt_labels]
    forms += [(m, "DPV-PD" if m.startswith(_PD) else "DPV" if m.startswith(_DPV) else "IRI") for m in c.matches]
    if c.fideslang is not None:
        forms.append((c.fideslang, "fideslang"))
    return forms


def normalise(text: str) -> str:
    """Fold case, spacing, hyphens and underscores for matching names.

    >>> normalise("  Phone_Number ")
    'phone number'
    """
    return re.sub(r"[\s_\-]+", " ", text.strip().casefold()).strip()


@dataclass
class Taxonomy:
    """A set of concepts with lookup by any accepted form.

    >>> tax = Taxonomy("data type", [Concept("contact-information", DT_NS + "contact-information", "contact information"),
    ...     Concept("phone-number", DT_NS + "phone-number", "phone number", broader=("contact-information",),
    ...             matches=("https://w3id.org/dpv/pd#TelephoneNumber",), fideslang="user.contact.phone_number")])
    >>> [tax.resolve(x) for x in ("Phone number", "phone-number", "pd:TelephoneNumber", "user.contact.phone_number")]
    ['phone-number', 'phone-number', 'phone-number', 'phone-number']
    >>> sorted(tax.ancestors("phone-number"))
    ['contact-information', 'phone-number']
    >>> tax.resolve("phone nubmer")
    Traceback (most recent call last):
    ...
    graph.errors.NotFoundError: unknown data type 'phone nubmer' — did you mean 'phone number'?
    """

    kind: str
    concepts: list[Concept]
    _index: dict[str, tuple[str, ResolvedBy, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.by_slug = {c.slug: c for c in self.concepts}
        for c in self.concepts:
            for key, how in _how(c):
                self._index.setdefault(normalise(key), (c.slug, how, key))
        close: dict[str, list[tuple[str, str]]] = {}
        for c in self.concepts:
            for key in c.close_matches:
                close.setdefault(normalise(key), []).append((c.slug, key))
        self._ambiguous = {k: [s for s, _ in v] for k, v in close.items() if len(v) > 1 and k not in self._index}
        for norm, found in close.items():
            if len(found) == 1:
                by: ResolvedBy = "DPV-PD close match" if found[0][1].startswith(_PD) else "IRI"
                self._index.setdefault(norm, (found[0][0], by, found[0][1]))

    def resolve(self, text: str) -> str:
        """The slug for ``text``, or NotFoundError with the nearest suggestions."""
        return self.resolution(text).term

    def resolution(self, text: str) -> Resolution:
        """What ``text`` resolves to and how (label, alias, slug, DPV-PD, fideslang…); never a
        broader concept. NotFoundError with the nearest suggestions when nothing fits."""
        key = text.strip()
        for prefix, ns in _CURIES.items():
            if key.startswith(prefix):
                key = ns + key[len(prefix):]
        if normalise(key) in self._ambiguous:
            labels = [self.label(s) for s in self._ambiguous[normalise(key)]]
            raise AmbiguousName(self.kind, text, labels)
        found = self._index.get(normalise(key))
        if found is None:
            raise NotFoundError(self.kind, text, self.suggest(text))
        slug, how, matched = found
        if key == slug:  # a slug that reads as its label ("phone-number") was typed as the slug
            how, matched = "slug", slug
        return Resolution(text, slug, self.label(slug), how, matched)

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Labels close to ``text``, nearest first (``graph.names.nearest``: the package's one cut-off).

        Parameters
        ----------
        text : str
            A name that resolved to nothing.
        n : int
            How many at most.

        Returns
        -------
        list of str
            Labels of concepts, nearest first.

        >>> tax = Taxonomy("data type", [Concept("phone-number", DT_NS + "phone-number", "phone number")])
        >>> tax.suggest("phone nubmer"), tax.suggest("zzz")
        (['phone number'], [])
        """
        labels = {normalise(lbl): c.label for c in self.concepts for lbl in (c.slug, c.label, *c.alt_labels)}
        near = nearest(normalise(text), labels, n=n)
        return list(dict.fromkeys(labels[k] for k in near))

    def ancestors(self, slug: str) -> set[str]:
        """``slug`` and every concept broader than it (transitively)."""
        seen, todo = set(), [slug]
        while todo:
            s = todo.pop()
            if s not in seen and s in self.by_slug:
                seen.add(s)
                todo.extend(self.by_slug[s].broader)
        return seen

    def descendants(self, slug: str) -> set[str]:
        """``slug`` and every concept narrower than it (transitively)."""
        return {c.slug for c in self.concepts if slug in self.ancestors(c.slug)}

    def label(self, slug: str) -> str:
        """The display label of ``slug`` (the slug itself when unknown)."""
        c = self.by_slug.get(slug)
        return slug if c is None else c.label

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form; ``Taxonomy.from_dict`` reverses it."""
        return {"kind": self.kind, "concepts": [asdict(c) for c in self.concepts]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Taxonomy:
        """Rebuild from ``to_dict`` output."""
        concepts = []
        for c in data["concepts"]:
            fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in c.items()}
            concepts.append(Concept(**fields))
        return cls(data["kind"], concepts)
