"""The words of the HTML view: labels, hover text and the detail panel, as plain text.

Everything here is untrusted text from fact files. It leaves Python as JSON strings and
the page shows it with ``textContent``/``innerText`` only, so markup stays literal. This
module also makes hidden characters visible (a right-to-left override can disguise a
name) and flags names that imitate another company's (``Аcme`` with a Cyrillic А).
"""

from __future__ import annotations

import re
from typing import Any

import networkx as nx

from graph.names import skeleton, suspicious
from graph.records import Claim

LABEL_CHARS = 40
TEXT_CHARS = 20_000
_HIDDEN = re.compile("[\u0000-\u0008\u000b-\u001f\u007f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_STATUS_WORDS = {"unknown": "status unknown", "incident": "incident (leak or scrape)", "holds": "holds (stated holding)"}


def clip(text: str, limit: int = TEXT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out.

    >>> clip("abcdef", 3)
    'abc… (3 more characters)'
    """
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more characters)"


def visible(text: str) -> str:
    """Hidden and direction-changing characters written out as ``⟨U+202E⟩``.

    >>> visible("Evil\u202egnp.exe")
    'Evil⟨U+202E⟩gnp.exe'
    """
    return _HIDDEN.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def short_label(text: str, flagged: bool = False) -> str:
    """The label drawn on the canvas: hidden characters dropped, one line, clipped.

    >>> short_label("Zero\u200bWidth   Corp", flagged=True)
    '⚠ ZeroWidth Corp'
    """
    plain = " ".join(_HIDDEN.sub("", text[: LABEL_CHARS * 4]).split())
    if len(plain) > LABEL_CHARS:
        plain = plain[: LABEL_CHARS - 1] + "…"
    return ("⚠ " if flagged else "") + plain


def warnings(label: str, lookalikes: list[str]) -> list[str]:
    """Why a company's name deserves a second look (empty when it does not)."""
    out = []
    reason = suspicious(label[:2000])
    if reason is not None:
        out.append(f"The name {reason}: {visible(clip(label, 200))}")
    for other in lookalikes:
        out.append(f"Looks like another company, '{visible(clip(other, 200))}', but is a different one (not merged).")
    return out


def lookalikes(labels: dict[str, str]) -> dict[str, list[str]]:
    """For each node, the other nodes' labels that look the same (homoglyphs, hidden marks).

    >>> lookalikes({"acme": "Acme", "cme-1": "Аcme", "bing": "Bing"})
    {'acme': ['Аcme'], 'cme-1': ['Acme']}
    """
    groups: dict[str, list[str]] = {}
    for node, label in labels.items():
        groups.setdefault(skeleton(label[:2000]), []).append(node)
    out = {}
    for members in groups.values():
        for node in members:
            others = [labels[m] for m in members if m != node and labels[m] != labels[node]]
            if others:
                out[node] = others
    return out


def status_word(status: str) -> str:
    """The legend and filter wording of an edge status."""
    return _STATUS_WORDS.get(status, status)


def text(value: Any, limit: int = TEXT_CHARS) -> str | None:
    """A field value as page text: clipped, hidden characters made visible; None stays None."""
    return None if value is None else visible(clip(str(value), limit))


def evidence(claims: list[Claim] | None) -> list[dict[str, str]]:
    """Claims as text fields; the source is a key into the page's ``sources``.

    The usual stance (asserts) and confidence (reported) are left out to keep big pages small.

    >>> evidence([{"source": "s", "locator": "¶1", "stance": "asserts", "confidence": "reported"}])
    [{'source': 's', 'locator': '¶1'}]
    """
    keys = ("source", "stance", "confidence", "claimant", "aspect", "locator", "note")
    usual = {"stance": "asserts", "confidence": "reported"}
    fields = [[(k, c.get(k)) for k in keys] for c in claims or []]
    return [{k: visible(clip(str(v))) for k, v in claim if v is not None and usual.get(k) != v} for claim in fields]


def sources(G: nx.MultiDiGraph) -> dict[str, dict[str, str]]:
    """The source registry as text; a URL is kept only if it is http(s)."""
    out = {}
    for slug, src in G.graph.get("sources", {}).items():
        entry = {k: visible(clip(str(v))) for k, v in src.items() if v is not None and k not in ("url", "read_via")}
        if src.get("read_via"):
            entry["read_via"] = visible(clip(", ".join(str(p.get("publisher")) for p in src["read_via"])))
        url = src.get("url")
        if isinstance(url, str) and re.match(r"https?://", url, re.IGNORECASE) and len(url) <= 2000:
            entry["url"] = url
        out[str(slug)] = entry
    return out
