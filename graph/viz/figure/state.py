"""The interactive page's view state as a URL fragment: parse and format.

``#view=reach&type=<data type slug>&company=<id>&from=<id>&into=<id>&asof=YYYY-MM-DD&q=<search>&sel=<id>``
— every key optional, values URL-encoded, unknown keys ignored, a key given twice refused.

Stand-in: the page helper is writing ``graph/viz/state.py`` with the same format and
names; until that lands this module is what ``datareach figure --state`` reads, and the
lead will make one of the two the only one (STYLE rule 13).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote

from graph import dates
from graph.errors import UsageError

KEYS = ("view", "type", "company", "from", "into", "asof", "q", "sel")
VIEWS = ("graph", "reach", "company", "chain")
MAX_CHARS = 4096



def parse_state(fragment: str) -> dict[str, str]:
    """The state in a URL fragment (with or without the ``#``, or a whole URL): known keys only.

    UsageError for a key given twice, an unknown view, a bad date or an over-long fragment.

    Parameters
    ----------
    fragment : str
        ``#view=reach&type=phone-number&asof=2017-06-01`` or a URL ending in one.

    Returns
    -------
    dict
        Key → value for the keys in ``KEYS`` that are present and not empty.

    Examples
    --------
    >>> parse_state("https://x.example/graph.html#view=reach&type=phone-number&from=facebook&zoom=3")
    {'view': 'reach', 'type': 'phone-number', 'from': 'facebook'}
    >>> format_state(parse_state("#type=page%20likes&asof=2014"))
    '#type=page%20likes&asof=2014'
    """
    if len(fragment) > MAX_CHARS:
        raise UsageError(f"the state is longer than {MAX_CHARS} characters")
    text = fragment.split("#", 1)[1] if "#" in fragment else fragment
    state: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=False):
        if key not in KEYS:
            continue
        if key in state:
            raise UsageError(f"the state gives {key}= twice")
        state[key] = value.strip()
    if state.get("view", "reach") not in VIEWS:
        raise UsageError(f"unknown view {state['view']!r} in the state (known: {', '.join(VIEWS)})")
    if "asof" in state:
        dates.parse(state["asof"])  # ValueError on a bad date
    return {k: state[k] for k in KEYS if state.get(k)}


def format_state(state: dict[str, str]) -> str:
    """The fragment for a state: known keys in a fixed order, values URL-encoded.

    >>> format_state({"sel": "amazon", "view": "reach", "q": "a&b"})
    '#view=reach&q=a%26b&sel=amazon'
    """
    return "#" + "&".join(f"{k}={quote(state[k], safe='')}" for k in KEYS if state.get(k))
