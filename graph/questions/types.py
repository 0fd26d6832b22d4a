"""The data-type and integration-kind trees, as ``datareach types`` lists them: each concept's
label, slug, alt labels and mappings (DPV-PD, fideslang, or minted), optionally filtered.

A search keeps the concepts whose label, alt label, slug or mapping contains it (case and
spacing ignored), with their ancestors for context (``matched`` False).

>>> from graph.model.taxonomy import DT_NS, Concept, Taxonomy
>>> tax = Taxonomy("data type", [Concept("contact-information", DT_NS + "contact-information", "contact information"),
...     Concept("phone-number", DT_NS + "phone-number", "phone number", alt_labels=("mobile number",),
...             broader=("contact-information",), matches=("https://w3id.org/dpv/pd#TelephoneNumber",))])
>>> [(r["depth"], r["slug"], r["matched"], r["dpv_pd"]) for r in type_tree(tax, "mobile")]
[(0, 'contact-information', False, []), (1, 'phone-number', True, ['pd:TelephoneNumber'])]
"""

from __future__ import annotations

from typing import TypedDict

from graph.model.taxonomy import Concept, Taxonomy, normalise

PD = "https://w3id.org/dpv/pd#"


class TypeRow(TypedDict):
    """One concept of a taxonomy tree, in tree order (``depth`` 0 at the top)."""

    slug: str
    label: str
    depth: int
    broader: list[str]
    alt_labels: list[str]
    dpv_pd: list[str]  # exact matches, as pd: CURIEs
    dpv_pd_close: list[str]  # close matches
    fideslang: str | None
    minted: bool
    matched: bool  # False: shown only as an ancestor of a match


def _curie(iri: str) -> str:
    return "pd:" + iri[len(PD):] if iri.startswith(PD) else iri


def _forms(c: Concept) -> list[str]:
    forms = [c.slug, c.label, *c.alt_labels, *c.matches, *c.close_matches, *map(_curie, (*c.matches, *c.close_matches))]
    return forms + ([c.fideslang] if c.fideslang is not None else [])


def type_tree(tax: Taxonomy, search: str | None = None) -> list[TypeRow]:
    """The concepts of ``tax`` in tree order, or those matching ``search`` with their ancestors.

    Parameters
    ----------
    tax : Taxonomy
        The data types (``graph.model.ontology.data_types()``) or integration kinds.
    search : str, optional
        Words to find in a label, alt label, slug, DPV-PD term or fideslang key.

    Returns
    -------
    list of TypeRow
        Each concept once, under its first broader concept, siblings by label.
    """
    wanted = None if search is None else normalise(search)
    hits = {c.slug for c in tax.concepts if wanted is None or any(wanted in normalise(f) for f in _forms(c))}
    shown = set().union(*(tax.ancestors(s) for s in hits)) if hits else set()
    children: dict[str | None, list[Concept]] = {}
    for c in tax.concepts:
        parent = next((b for b in c.broader if b in tax.by_slug), None)
        children.setdefault(parent, []).append(c)
    rows: list[TypeRow] = []

    def walk(parent: str | None, depth: int) -> None:
        for c in sorted(children.get(parent, []), key=lambda c: c.label.casefold()):
            if c.slug in shown:
                rows.append({"slug": c.slug, "label": c.label, "depth": depth, "broader": list(c.broader),
                             "alt_labels": list(c.alt_labels), "dpv_pd": [_curie(m) for m in c.matches if m.startswith(PD)],
                             "dpv_pd_close": [_curie(m) for m in c.close_matches if m.startswith(PD)],
                             "fideslang": c.fideslang, "minted": c.minted, "matched": c.slug in hits})
                walk(c.slug, depth + 1)

    walk(None, 0)
    return rows
