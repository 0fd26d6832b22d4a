"""The state of the interactive page, as it is written in the page's URL fragment.

A view of ``datareach viz`` can be shared and reproduced: the page keeps what it shows in
its URL fragment, and ``datareach figure --state`` (or anything else) can read it back
with ``parse_state``. The format::

    #view=reach&type=<data type slug>&company=<company id>&from=<company id>
     &into=<company id>&asof=YYYY-MM-DD&integ=<integration kind slug>
     &perm=<permissions shown>&status=<statuses shown>&q=<search>&sel=<company id>

- every key is optional; keys are URL-encoded (``%20`` for a space; ``+`` is read as a
  space too, as browsers' ``URLSearchParams`` read it); unknown keys are ignored and a
  repeated key counts once (its first value, as ``URLSearchParams.get``);
- ``view`` is one of ``VIEWS``: ``all`` (the whole graph), ``reach`` (who could reach
  ``type``), ``chain`` (the reach paths of ``type`` drawn left to right, from ``from``
  and/or into ``into``) or ``company`` (``company`` and its neighbourhood);
- ``type`` is a data type's slug (``precise-location``), ``company``/``from``/``into``/``sel``
  are company ids, the slugs used in IRIs (``amazon``): ``[a-z0-9][a-z0-9-]*``;
- ``asof`` is a date, ``YYYY-MM-DD`` (``YYYY`` and ``YYYY-MM`` are accepted, as the CLI's
  ``--as-of`` accepts them, and mean their first day);
- ``integ``, ``perm`` and ``status`` are the page's filter panel: ``integ`` an integration
  kind's slug (``app-platform``); ``perm`` the permissions whose links are shown, a
  comma-separated part of ``read,write,delete`` in that order, or ``none``; ``status`` the
  statuses shown, a comma-separated part of ``STATUSES`` (``active,shut-down``) or ``none``.
  Left out, each shows everything; the data-type filter of the ``all`` view is ``type``;
- ``q`` is the search box's text (at most ``MAX_QUERY`` characters).

``format_state`` writes a state in that order, so one state has one fragment (commas stay
commas). The page's script (``assets/app.js``) reads and writes the same keys, and
``graph.viz.filters`` applies the filters as the page does.

>>> state = parse_state("#view=reach&type=precise-location&asof=2018-04-01&q=Cambridge%20Analytica&x=1")
>>> state
{'view': 'reach', 'type': 'precise-location', 'asof': '2018-04-01', 'q': 'Cambridge Analytica'}
>>> format_state(state)
'#view=reach&type=precise-location&asof=2018-04-01&q=Cambridge%20Analytica'
"""

from __future__ import annotations

import re
from typing import TypedDict
from urllib.parse import parse_qsl, quote

from graph import dates
from graph.errors import UsageError
from graph.model.labels import PERMISSIONS

KEYS = ("view", "type", "company", "from", "into", "asof", "integ", "perm", "status", "q", "sel")
STATUSES = ("active", "shut-down", "unknown", "incident", "ownership")
"""The statuses of the page's status filter, as the fragment writes them (a link's status,
spaces as ``-``: ``shut down`` is ``shut-down``)."""
FILTER_KEYS = ("integ", "perm", "status")
VIEWS = ("all", "reach", "chain", "company")
MAX_QUERY = 200
MAX_FRAGMENT = 4000
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,200}")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_CONTROL = re.compile("[\u0000-\u001f\u007f]")

# "from" is a Python keyword, hence the functional form.
ViewState = TypedDict("ViewState", {"view": str, "type": str, "company": str, "from": str, "into": str,
                                    "asof": str, "integ": str, "perm": str, "status": str, "q": str, "sel": str},
                      total=False)
ViewState.__doc__ = "A page state: every key of the fragment format, all optional, values as text."


class StateError(UsageError):
    """A fragment value that the format does not allow (a bad view, id or date)."""


def check(key: str, value: str) -> str:
    """``value`` if it is allowed for ``key``; StateError saying what was expected otherwise.

    >>> check("company", "amazon")
    'amazon'
    >>> check("asof", "04/01/2018")
    Traceback (most recent call last):
    ...
    graph.viz.state.StateError: asof: '04/01/2018' is not a date (expected YYYY-MM-DD)
    """
    if key == "view":
        if value not in VIEWS:
            raise StateError(f"view: '{value[:80]}' is not a view (expected one of {', '.join(VIEWS)})")
    elif key == "asof":
        if _DATE.fullmatch(value) is None:
            raise StateError(f"asof: '{value[:80]}' is not a date (expected YYYY-MM-DD)")
        try:
            dates.parse(value)
        except ValueError as exc:
            raise StateError(f"asof: {exc}") from None
    elif key in ("perm", "status"):
        allowed = PERMISSIONS if key == "perm" else STATUSES
        parts = value.split(",")
        if value != "none" and (any(p not in allowed for p in parts) or parts != sorted(set(parts), key=allowed.index)):
            raise StateError(f"{key}: '{value[:80]}' is not a list of {'permissions' if key == 'perm' else 'statuses'} "
                             f"(expected 'none' or some of {','.join(allowed)}, in that order)")
    elif key == "q":
        if len(value) > MAX_QUERY or _CONTROL.search(value):
            raise StateError(f"q: a search of at most {MAX_QUERY} characters without control characters")
    elif key in KEYS:
        if _SLUG.fullmatch(value) is None:
            what = {"type": "a data type slug", "integ": "an integration kind slug"}.get(key, "a company id")
            raise StateError(f"{key}: '{value[:80]}' is not {what} (lower-case letters, digits and '-')")
    else:
        raise StateError(f"'{key[:80]}' is not a key of the page state (expected one of {', '.join(KEYS)})")
    return value


def parse_state(text: str, *, strict: bool = True) -> ViewState:
    """The state written in a URL fragment (or a whole URL: the part after ``#`` is read).

    Parameters
    ----------
    text : str
        ``#view=reach&type=…``, the same without ``#``, or a URL ending in such a fragment.
    strict : bool, keyword-only
        True: a bad value raises StateError. False: bad values are dropped, as the page does.

    Returns
    -------
    ViewState
        The known keys that were given a non-empty value, in ``KEYS`` order.

    >>> parse_state("file:///tmp/graph.html#sel=amazon&view=company&company=amazon")
    {'view': 'company', 'company': 'amazon', 'sel': 'amazon'}
    >>> parse_state("#view=map&type=page-likes", strict=False)
    {'type': 'page-likes'}
    """
    if len(text) > MAX_FRAGMENT:
        raise StateError(f"a page state of at most {MAX_FRAGMENT} characters")
    fragment = text.split("#", 1)[1] if "#" in text else text
    found: dict[str, str] = {}
    for key, value in parse_qsl(fragment, keep_blank_values=False, max_num_fields=100):
        if key not in KEYS or key in found:
            continue
        try:
            found[key] = check(key, value)
        except StateError:
            if strict:
                raise
    state: ViewState = {}
    for key in KEYS:
        if key in found:
            state[key] = found[key]  # type: ignore[literal-required]
    return state


def format_state(state: ViewState) -> str:
    """The URL fragment (with its ``#``) of a state; StateError for a bad key or value.

    Keys come out in ``KEYS`` order and empty values are left out; an empty state is ``""``.

    >>> format_state({"sel": "amazon", "view": "company", "company": "amazon"})
    '#view=company&company=amazon&sel=amazon'
    >>> format_state({"q": "a&b=c"})
    '#q=a%26b%3Dc'
    >>> format_state({})
    ''
    """
    values: dict[str, object] = dict(state)
    unknown = [key for key in values if key not in KEYS]
    if unknown:
        raise StateError(f"'{unknown[0][:80]}' is not a key of the page state (expected one of {', '.join(KEYS)})")
    given = {key: str(values[key]) for key in KEYS if values.get(key) not in (None, "")}
    parts = [f"{key}={quote(check(key, value), safe=',')}" for key, value in given.items()]
    return "#" + "&".join(parts) if parts else ""


def shown(state: ViewState, key: str) -> frozenset[str] | None:
    """What the ``perm`` or ``status`` filter of ``state`` shows; None when it is not set (everything).

    >>> sorted(shown({"perm": "read,delete"}, "perm")), shown({"perm": "none"}, "perm"), shown({}, "status")
    (['delete', 'read'], frozenset(), None)
    """
    value = state.get(key)
    if not value:
        return None
    return frozenset() if value == "none" else frozenset(str(value).split(","))


__all__ = ["FILTER_KEYS", "KEYS", "MAX_QUERY", "STATUSES", "VIEWS", "StateError", "ViewState", "check", "format_state", "parse_state", "shown"]
