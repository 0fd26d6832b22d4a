"""What every importer shares: the fact file being built, its companies, and clean errors.

An importer reads one dataset and fills a ``Doc``: one ``sources:`` entry for the
dataset and companies, domains, holdings, ownership or grants that each cite it with a
precise locator. Nothing is written until the whole input has been read and checked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.build.inputs import Refused, cap_bytes, read_bounded, strict_json
from graph.errors import DatareachError
from graph.names import legal_key, name_key, slugify

HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}$")
SITE_PATTERN = (r"^(?=.{1,253}$)(((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
                r"|([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63})$")
"""A holding's site (the schema's ``site``): a host name, or an IPv4 address (a crawl also
sees pages such as a router's at 192.168.1.1)."""
URL = re.compile(r"^https?://[^\s<>\"]+$")
MAX_NAME = 500
MAX_TEXT = 20000
MAX_ID = 121


class ImportProblem(DatareachError):
    """The input cannot be imported; the message says where and what to do.

    ``unknown`` lists each distinct value without a term once: field, value, count, nearest terms.
    """

    def __init__(self, message: str, unknown: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.unknown = unknown or []


@dataclass
class Options:
    """How to import: unknown categories, and values that override the source entry."""

    skip_unknown: bool = False
    source: dict[str, str] = field(default_factory=dict)
    maps: dict[str, str] = field(default_factory=dict)
    sets: dict[str, str] = field(default_factory=dict)
    separator: str = ";"
    max_input_mb: int | None = None
    kind: str | None = None  # csv: "grant" or "holding" for every row (default: grant, or the mapped 'kind' column)
    value_map: dict[tuple[str, str], str] = field(default_factory=dict)  # csv: (field, value casefolded) → term
    months: tuple[str, ...] = ()  # whotracksme: only these months (YYYY-MM); empty: every month


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, marked with an ellipsis when cut.

    >>> clip("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def claim(source: str, locator: str, **extra: str) -> dict[str, str]:
    """One evidence claim citing ``source`` at ``locator``."""
    return {"source": source, "locator": clip(locator), **extra}


def host(value: str) -> str | None:
    """A domain as the fact-file schema wants it (lower case, no path), or None.

    >>> host("Wolt.com"), host("yandex.ru/ads/"), host("not a host")
    ('wolt.com', None, None)
    """
    text = value.strip().lower().rstrip(".")
    return text if HOST.match(text) else None


def homepage(value: str | None) -> str | None:
    """A usable http(s) address, or None ('www.example.com' gains 'https://')."""
    if value is None:
        return None
    text = value.strip()
    if text != "" and "://" not in text and host(text.split("/")[0]) is not None:
        text = "https://" + text
    return text if URL.match(text) and len(text) <= 2000 else None


def read_json(path: Path, what: str, max_input_mb: int | None = None) -> Any:
    """Parse a JSON file; a truncated or damaged file is a clean ImportProblem."""
    text = read_text(path, max_input_mb)
    if text.strip() == "":
        raise ImportProblem(f"{path}: the file is empty (expected {what})")
    try:
        return strict_json(text)
    except json.JSONDecodeError as exc:
        at_end = exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated string")
        hint = " — the file looks truncated" if at_end else ""
        raise ImportProblem(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno}){hint}; expected {what}") from None
    except RecursionError:
        raise ImportProblem(f"{path}: cannot import: JSON nested too deeply; expected {what}") from None
    except ValueError as exc:  # what strict_json refuses: NaN, huge numbers, NUL or lone surrogates
        raise ImportProblem(f"{path}: cannot import: {exc}; expected {what}") from None


def read_text(path: Path, max_input_mb: int | None = None) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark is dropped); clean errors otherwise.

    Only a regular file is read, and never past its size cap (``graph.build.inputs.cap_bytes``:
    100 MB unless ``max_input_mb`` or $DATAREACH_MAX_INPUT_MB says otherwise).
    """
    if not path.exists():
        raise ImportProblem(f"{path}: no such file or folder")
    if path.is_dir():
        raise ImportProblem(f"{path}: is a folder; give the file itself")
    try:
        text = read_bounded(path, cap_bytes("", max_input_mb)).decode("utf-8-sig")
        if "\x00" in text:
            raise ImportProblem(f"{path}:{text.count(chr(10), 0, text.index(chr(0))) + 1}: contains a NUL character")
        return text
    except Refused as exc:
        raise ImportProblem(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ImportProblem(f"{path}: not UTF-8 text (byte {exc.start})") from None


def need(value: Any, kind: type, path: Path, where: str, what: str) -> Any:
    """``value`` if it is a ``kind``; else a clean error naming the place."""
    if not isinstance(value, kind):
        raise ImportProblem(f"{path}: {where} should be {what}, found {type(value).__name__}: is this the right file?")
    return value


@dataclass
class Company:
    """One company as the fact file will declare it."""

    name: str
    aliases: list[str] = field(default_factory=list)
    homepage: str | None = None
    country: str | None = None
    notes: list[str] = field(default_factory=list)
    evidence: list[dict[str, str]] = field(default_factory=list)


class Doc:
    """A fact file under construction for one dataset.

    Companies declared twice under the same name are merged here; an alias that also
    names another company of the dataset is dropped (kept in the note), so the build's
    own merging never fuses two companies of one dataset.
    """

    def __init__(self, source: dict[str, str]):
        self.source = source
        self.companies: dict[str, Company] = {}
        self.sections: dict[str, list[dict[str, Any]]] = {"ownership": [], "domains": [], "holdings": [], "grants": []}
        self.warnings: dict[str, int] = {}
        self._ids: set[str] = set()
        self._domains: dict[str, str] = {}

    @property
    def sid(self) -> str:
        return self.source["id"]

    def warn(self, message: str, n: int = 1) -> None:
        """Count a warning (the CLI reports each message once, with its count)."""
        self.warnings[message] = self.warnings.get(message, 0) + n

    def company(self, name: str, locator: str, *, aliases: list[str] | tuple[str, ...] = (), url: str | None = None,
                country: str | None = None, note: str | None = None) -> str:
        """Declare (or add to) a company; return the name facts should use for it."""
        name = clip(" ".join(name.split()), MAX_NAME)
        entry = self.companies.setdefault(name_key(name), Company(name))
        for alias in aliases:
            alias = clip(" ".join(alias.split()), MAX_NAME)
            if alias != "" and name_key(alias) not in {name_key(a) for a in [entry.name, *entry.aliases]}:
                entry.aliases.append(alias)
        entry.homepage = entry.homepage or homepage(url)
        entry.country = entry.country or country
        if note is not None and note not in entry.notes:
            entry.notes.append(note)
        cited = claim(self.sid, locator)
        if cited not in entry.evidence:  # a company named on many rows of one place is cited once for it
            entry.evidence.append(cited)
        return entry.name

    def new_id(self, *parts: str) -> str:
        """A stable id, unique in this file: the source id, then ``parts`` slugged."""
        base = slugify("-".join([self.sid, *parts]))[:MAX_ID].strip("-")
        slug, n = base, 2
        while slug in self._ids:
            slug, n = f"{base[:MAX_ID - 6]}-{n}", n + 1
        self._ids.add(slug)
        return slug

    def domain(self, value: str, owner: str, locator: str) -> bool:
        """Declare that ``owner`` operates ``value``; False when skipped (bad or duplicate)."""
        name = host(value)
        if name is None:
            self.warn("entries that are not plain host names were skipped (e.g. a path after the domain)")
            return False
        if name in self._domains:
            if name_key(self._domains[name]) != name_key(owner):
                self.warn("domains listed under two owners kept the first owner")
            return False
        self._domains[name] = owner
        self.sections["domains"].append({"domain": name, "owner": owner, "evidence": [claim(self.sid, locator)]})
        return True

    def add(self, section: str, record: dict[str, Any]) -> None:
        self.sections.setdefault(section, []).append(record)

    def data(self) -> dict[str, list[dict[str, Any]]]:
        """The fact file as plain data (what ``yamlout.dump`` writes)."""
        self._drop_ambiguous_aliases()
        companies = [_company_record(c) for c in self.companies.values()]
        return {"sources": [self.source], "companies": companies, **self.sections}

    def _drop_ambiguous_aliases(self) -> None:
        owners: dict[str, set[str]] = {}
        for key, c in self.companies.items():
            for n in [c.name, *c.aliases]:
                owners.setdefault(name_key(n), set()).add(key)
                owners.setdefault("legal:" + legal_key(n), set()).add(key)
        for c in self.companies.values():
            for alias in list(c.aliases):
                if len(owners[name_key(alias)]) > 1 or len(owners["legal:" + legal_key(alias)]) > 1:
                    c.aliases.remove(alias)
                    c.notes.append(f"'{alias}' is not recorded as an alias: it also names another company in this dataset")
                    self.warn("aliases shared by two companies of the dataset were left out (kept in the note)")


def _company_record(c: Company) -> dict[str, Any]:
    record: dict[str, Any] = {"name": c.name}
    if c.aliases:
        record["aliases"] = c.aliases
    for key, value in (("homepage", c.homepage), ("country", c.country)):
        if value is not None:
            record[key] = value
    if c.notes:
        record["note"] = clip("; ".join(n.strip().rstrip(".;") for n in c.notes) + ".")
    record["evidence"] = c.evidence[:50]
    return record
