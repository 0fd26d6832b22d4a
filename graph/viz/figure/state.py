"""The interactive page's view state as a URL fragment: parse and format.

``#view=reach&type=<data type slug>&company=<id>&from=<id>&into=<id>&asof=YYYY-MM-DD&q=<search>&sel=<id>``
— every key optional, values URL-encoded, unknown keys ignored, a repeated key read once
(its first value, as the browser's ``URLSearchParams.get``); ``type`` and the company keys
are slugs, ``asof`` a date (``YYYY`` and ``YYYY-MM`` too), ``view`` one of ``VIEWS``.

Stand-in: the page's branch (t15-viz) has ``graph/viz/state.py`` with this format and
these names (``parse_state``, ``format_state``); until it is on main this module is what
``datareach figure --state`` reads. The lead keeps that one and points the import of
``graph.viz.figure`` at it (STYLE rule 13: one concept, one place).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote

from graph import dates
from graph.errors import UsageError

KEYS = ("view", "type", "company", "from", "into", "asof", "q", "sel")
VIEWS = ("all", "reach", "chain", "company")
MAX_FRAGMENT, MAX_QUERY = 4000, 200
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,200}")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _check(key: str, value: str) -> str:
    if key == "view" and value not in VIEWS:
        raise UsageError(f"view: '{value[:80]}' is not a view (expected one of {', '.join(VIEWS)})")
    if key == "asof":
        if _DATE.fullmatch(value) is None:
            raise UsageError(f"asof: '{value[:80]}' is not a date (expected YYYY-MM-DD)")
        dates.parse(value)  # ValueError for 2018-13-45
    if key == "q" and len(value) > MAX_QUERY:
        raise UsageError(f"q: a search of at most {MAX_QUERY} characters")
    if key in ("type", "company", "from", "into", "sel") and _SLUG.fullmatch(value) is None:
        raise UsageError(f"{key}: '{value[:80]}' is not {'a data type slug' if key == 'type' else 'a company id'} "
                         "(lower-case letters, digits and '-')")
    return value


def parse_state(text: str) -> dict[str, str]:
    """The state in a URL fragment (with or without the ``#``, or a whole URL): known keys, in ``KEYS`` order.

    UsageError (a ValueError) for a bad view, id, date or an over-long fragment.

    Parameters
    ----------
    text : str
        ``#view=reach&type=phone-number&asof=2017-06-01`` or a URL ending in one.

    Returns
    -------
    dict
        Key → value for the keys in ``KEYS`` given a non-empty value.

    Examples
    --------
    >>> parse_state("https://x.example/graph.html#view=reach&type=phone-number&from=facebook&zoom=3")
    {'view': 'reach', 'type': 'phone-number', 'from': 'facebook'}
    >>> format_state(parse_state("#type=page-likes&asof=2014&type=other"))
    '#type=page-likes&asof=2014'
    """
    if len(text) > MAX_FRAGMENT:
        raise UsageError(f"a page state of at most {MAX_FRAGMENT} characters")
    fragment = text.split("#", 1)[1] if "#" in text else text
    found: dict[str, str] = {}
    for key, value in parse_qsl(fragment, keep_blank_values=False, max_num_fields=100):
        if key in KEYS and key not in found:
            found[key] = _check(key, value.strip())
    return {k: found[k] for k in KEYS if found.get(k)}


def format_state(state: dict[str, str]) -> str:
    """The fragment of a state: known keys in ``KEYS`` order, values URL-encoded ("" when empty).

    >>> format_state({"sel": "amazon", "view": "reach", "q": "a&b"})
    '#view=reach&q=a%26b&sel=amazon'
    """
    parts = [f"{k}={quote(_check(k, state[k]), safe='')}" for k in KEYS if state.get(k)]
    return "#" + "&".join(parts) if parts else ""
