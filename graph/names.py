"""Names: slugs, alias resolution, look-alike (homoglyph) detection, and "did you mean".

Every suggestion the package makes for a misspelt name (a data type, a company, a
field, a column, a query) comes from ``nearest``/``suggest`` with one cut-off, and is
worded by ``did_you_mean``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# Common Cyrillic and Greek letters that look like Latin ones (a small confusables table).
_CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I",
    "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v",
})
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")

CUTOFF = 0.6
"""How alike (difflib's ratio, 0 to 1) a known name must be to a misspelt one to be suggested."""


def nearest(word: str, choices: Iterable[str], *, n: int = 3, cutoff: float = CUTOFF) -> list[str]:
    """The choices most like ``word``, nearest first (at most ``n``; none below ``cutoff``).

    Parameters
    ----------
    word : str
        What was typed.
    choices : iterable of str
        The known names.
    n : int
        How many at most.
    cutoff : float
        How alike a choice must be (difflib's ratio); ``CUTOFF`` everywhere in the package.

    Returns
    -------
    list of str
        The close choices, nearest first; empty when none is close.

    >>> nearest("phone nubmer", ["phone number", "name", "photo"])
    ['phone number']
    """
    import difflib  # imported when a name is misspelt, not by every command

    return difflib.get_close_matches(word, list(choices), n=n, cutoff=cutoff)


def suggest(word: str, choices: Iterable[str], *, cutoff: float = CUTOFF) -> str | None:
    """The one choice most like ``word``, or None when none is close.

    Parameters
    ----------
    word : str
        What was typed.
    choices : iterable of str
        The known names.
    cutoff : float
        How alike a choice must be (difflib's ratio).

    Returns
    -------
    str or None
        The nearest choice.

    >>> suggest("permision", ["permissions", "data_types"]), suggest("zzz", ["permissions"])
    ('permissions', None)
    """
    near = nearest(word, choices, n=1, cutoff=cutoff)
    return near[0] if near else None


def did_you_mean(suggestions: str | Sequence[str] | None) -> str:
    """The words that end a message about a misspelt name: `` — did you mean 'x'?``, or ``""``.

    Parameters
    ----------
    suggestions : str, sequence of str, or None
        The suggestion (from ``suggest``) or suggestions (from ``nearest``), nearest first.

    Returns
    -------
    str
        The phrase, starting with a space; empty when there is nothing to suggest.

    >>> "unknown data type 'phone nubmer'" + did_you_mean("phone number")
    "unknown data type 'phone nubmer' — did you mean 'phone number'?"
    >>> did_you_mean(["Spotify", "Shopify"]), did_you_mean([]), did_you_mean(None)
    (" — did you mean 'Spotify' or 'Shopify'?", '', '')
    """
    if suggestions is None or isinstance(suggestions, str):
        suggestions = [] if suggestions is None else [suggestions]
    if len(suggestions) == 0:
        return ""
    return " — did you mean " + " or ".join(f"'{s}'" for s in suggestions) + "?"


def slugify(name: str) -> str:
    """A stable IRI-safe slug; names that are not plain ASCII get a hash suffix.

    >>> slugify("Royal Bank of Canada")
    'royal-bank-of-canada'
    >>> slugify("Аcme") == slugify("Acme")
    False
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.casefold()).strip("-")[:80].strip("-")
    if slug == "" or not name.isascii():
        import hashlib  # only for names that are not plain ASCII

        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        slug = f"{slug}-{digest}".strip("-")
    return slug


def name_key(name: str) -> str:
    """The key names are matched on: NFKC, case-folded, spacing collapsed.

    >>> name_key("  Facebook,   Inc. ") == name_key("facebook, inc.")
    True
    """
    if name.isascii() and name.isprintable() and "  " not in name:  # the common case, without the regex
        return name.lower().strip()  # NFKC keeps ASCII; casefold is lower; only single spaces
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


_SPACES = re.compile(r"\s+")


_LEGAL = re.compile(
    r"(?:[\s,]+(?:inc|incorporated|llc|l\.l\.c|ltd|limited|corp|corporation|co|company|gmbh|ag|s\.?a|plc|"
    r"b\.?v|n\.?v|oy|ab|a/s|as|s\.?p\.?a|s\.?r\.?l|sas|k\.?k|pty|holdings?|group)\.?)+$")


def legal_key(name: str) -> str:
    """A name without legal-form suffixes and a leading 'the', for matching across datasets.

    >>> legal_key("Google LLC") == legal_key("google") == legal_key("Google, Inc.")
    True
    >>> legal_key("The New York Times Company")
    'new york times'
    """
    key = name_key(name).strip(" .")
    key = re.sub(r"^the\s+", "", key)
    stripped = _LEGAL.sub("", key).strip(" ,.")
    return stripped if stripped != "" else key


def skeleton(name: str) -> str:
    """What a name looks like: confusable letters mapped to Latin, invisible marks dropped.

    >>> skeleton("Аcme") == skeleton("Acme")
    True
    """
    return name_key(_INVISIBLE.sub("", name).translate(_CONFUSABLES))


def suspicious(name: str) -> str | None:
    """Why a name is suspicious (invisible or bidi characters, mixed scripts), or None.

    >>> suspicious("Acme") is None
    True
    >>> suspicious("Аcme")
    'mixes Latin and Cyrillic letters'
    """
    if _INVISIBLE.search(name) is not None:
        return "contains invisible or direction-changing characters"
    scripts = {unicodedata.name(ch, "?").split(" ")[0] for ch in name if ch.isalpha()}
    scripts &= {"LATIN", "CYRILLIC", "GREEK"}
    if len(scripts) > 1:
        return "mixes " + " and ".join(s.title() for s in sorted(scripts, key=lambda s: s != "LATIN")) + " letters"
    return None


class CompanyIndex:
    """Resolve any known name or alias of a company to its slug.

    >>> idx = CompanyIndex()
    >>> idx.add("facebook", ["Facebook", "Facebook, Inc."])
    []
    >>> idx.resolve("facebook, inc.")
    'facebook'
    >>> idx.resolve("Facebok") is None, idx.suggest("Facebok")
    (True, ['Facebook'])
    """

    def __init__(self) -> None:
        self._by_key: dict[str, str] = {}
        self._display: dict[str, str] = {}
        self._by_legal_key: dict[str, set[str]] = {}
        self._legal_display: dict[str, str] = {}
        self._pending: list[tuple[str, list[str]]] = []  # names not yet given legal-form keys (made when first needed)
        self._hits: dict[str, str] = {}

    def add(self, slug: str, names: list[str]) -> list[tuple[str, str]]:
        """Register names for ``slug``; return (name, other slug) for names already taken."""
        clashes = []
        self._pending.append((slug, names))
        for name in names:
            key = name_key(name)
            owner = self._by_key.setdefault(key, slug)
            self._display.setdefault(key, name)
            if owner != slug:
                clashes.append((name, owner))
        return clashes

    def _by_legal(self) -> tuple[dict[str, set[str]], dict[str, str]]:
        """Slugs by legal-form key, and a display name for each key: made on first use (an
        exact name, the common case, needs neither; ``legal_key`` is the costly key), then
        kept up to date with the names added since, so a build that adds a company between
        two loose look-ups keys each name once (rebuilding the lot each time was quadratic)."""
        if self._pending:
            for slug, names in self._pending:
                for name in names:
                    key = legal_key(name)
                    self._by_legal_key.setdefault(key, set()).add(slug)
                    self._legal_display.setdefault(key, name)
            self._pending.clear()
        return self._by_legal_key, self._legal_display

    def resolve(self, name: str) -> str | None:
        """The slug of ``name``, or None."""
        slug = self._hits.get(name)  # look-ups repeat the same names; a hit never goes stale
        if slug is None:
            slug = self._by_key.get(name_key(name))
            if slug is not None:
                self._hits[name] = slug
        return slug

    def resolve_loosely(self, name: str) -> str | None:
        """The one company whose name matches ``name`` once legal forms are dropped, or None.

        >>> idx = CompanyIndex()
        >>> idx.add("google", ["Google"])
        []
        >>> idx.resolve_loosely("Google LLC")
        'google'
        """
        exact = self.resolve(name)
        if exact is not None:
            return exact
        slugs = self._by_legal()[0].get(legal_key(name), set())
        return next(iter(slugs)) if len(slugs) == 1 else None

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Known names close to ``name`` (as typed, or with legal forms dropped), look-alikes first.

        Parameters
        ----------
        name : str
            A name that resolved to nothing.
        n : int
            How many close names at most (look-alikes come on top).

        Returns
        -------
        list of str
            Display names, nearest first.

        >>> idx = CompanyIndex()
        >>> idx.add("amazon", ["Amazon"])
        []
        >>> idx.suggest("Amazn Inc")
        ['Amazon']
        """
        key = name_key(name)
        alike = [(k, self._by_key[k]) for k in self._by_key if skeleton(k) == skeleton(key) and k != key]
        near = [(k, self._by_key[k]) for k in nearest(key, self._by_key, n=n)]
        by_legal, legal_display = self._by_legal()
        near += [(k, slug) for k in nearest(legal_key(name), by_legal, n=n) for slug in sorted(by_legal[k])]
        first: dict[str, str] = {}  # one name a company: the nearest
        for k, slug in near:
            first.setdefault(slug, self._display.get(k) or legal_display[k])
        shown = [self._display[k] for k, _ in alike] + list(first.values())[:n]
        return list(dict.fromkeys(shown))

    def lookalikes(self) -> list[tuple[str, str]]:
        """Pairs of distinct companies whose names look the same."""
        seen: dict[str, tuple[str, str]] = {}
        pairs = []
        for key, slug in self._by_key.items():
            other = seen.setdefault(skeleton(key), (slug, self._display[key]))
            if other[0] != slug:
                pairs.append((other[1], self._display[key]))
        return pairs
