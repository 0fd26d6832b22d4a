"""Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) as sources state them, and their intervals."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Literal

UNKNOWN = "unknown"
_PARTIAL = re.compile(r"[0-9]{4}(?:-[0-9]{2}){0,2}")  # ASCII digits only: int() would take " 2019", "20_9", "２０１９"


def parse(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day a partial date can mean; ValueError if it is no date.

    >>> parse("2019")
    (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
    >>> parse("2021-02")[1]
    datetime.date(2021, 2, 28)
    >>> parse("2024-13-45")
    Traceback (most recent call last):
    ...
    ValueError: '2024-13-45' is not a real date
    """
    if _PARTIAL.fullmatch(text) is None:
        raise ValueError(f"'{text}' is not a real date")
    parts = text.split("-")
    try:
        nums = [int(p) for p in parts]
        if len(parts) == 1 and len(parts[0]) == 4:
            return dt.date(nums[0], 1, 1), dt.date(nums[0], 12, 31)
        if len(parts) == 2:
            last = calendar.monthrange(nums[0], nums[1])[1]
            return dt.date(nums[0], nums[1], 1), dt.date(nums[0], nums[1], last)
        if len(parts) == 3:
            day = dt.date.fromisoformat(text)
            return day, day
    except (ValueError, calendar.IllegalMonthError):
        pass
    raise ValueError(f"'{text}' is not a real date")


_XSD = "http://www.w3.org/2001/XMLSchema#"
_YEAR = r"(?P<y>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))"
_ZONE = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_LEXICAL = {
    _XSD + "gYear": re.compile(_YEAR + _ZONE),
    _XSD + "gYearMonth": re.compile(_YEAR + r"-(?P<m>0[1-9]|1[0-2])" + _ZONE),
    _XSD + "date": re.compile(_YEAR + r"-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01])" + _ZONE),
    _XSD + "dateTime": re.compile(_YEAR + r"-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01])"
                                  r"T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)" + _ZONE),
}
DATE_TYPES = frozenset(_LEXICAL)  # the datatypes ``well_formed`` checks
_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def well_formed(text: str, datatype: str) -> bool:
    """Whether ``text`` is a valid lexical form of ``datatype`` when that is xsd:date, xsd:gYear,
    xsd:gYearMonth or xsd:dateTime (True for any other datatype): the XML Schema 1.1 grammar,
    and a day that exists in its month. rdflib checks only xsd:date and xsd:dateTime, and lets
    ``"2019-13"^^xsd:gYearMonth`` and ``"20x9"^^xsd:gYear`` through.

    >>> xsd = "http://www.w3.org/2001/XMLSchema#"
    >>> well_formed("2019-12", xsd + "gYearMonth"), well_formed("2019-13", xsd + "gYearMonth")
    (True, False)
    >>> well_formed("20x9", xsd + "gYear"), well_formed("2020-02-29T24:00:00Z", xsd + "dateTime")
    (False, True)
    >>> well_formed("2019-02-29", xsd + "date"), well_formed("anything", xsd + "string")
    (False, True)
    """
    grammar = _LEXICAL.get(datatype)
    if grammar is None:
        return True
    found = grammar.fullmatch(text)
    if found is None:
        return False
    day = found.groupdict().get("d")
    if day is None:
        return True
    year = int(found["y"])
    month = int(found["m"])
    # calendar.isleap takes any year (XSD 1.1 has a year 0, 1 BCE: a leap year); monthrange only 1..9999
    return int(day) <= (29 if month == 2 and calendar.isleap(year) else _DAYS[month])


@lru_cache(maxsize=65536)
def literal(text: str) -> Literal:
    """An RDF literal with the datatype matching the precision.

    >>> str(literal("2021-04").datatype)
    'http://www.w3.org/2001/XMLSchema#gYearMonth'
    """
    from rdflib import XSD, Literal

    parse(text)
    kind = {1: XSD.gYear, 2: XSD.gYearMonth, 3: XSD.date}[len(text.split("-"))]
    return Literal(text, datatype=kind)


def valid_at(valid_from: str | None, stated_end: str | None, day: dt.date, *, status: str | None = None) -> bool | None:
    """Whether something stated valid from ``valid_from`` until ``stated_end`` was valid on ``day``.

    The one date-validity rule (reach's ``as_of`` and the HTML page's date filter use it).
    A year- or month-only date covers a range, and a day inside that range cannot be told.
    No start date cannot be told either; nor can a day after the start with no end date
    when the status says it was shut down or is unknown.

    Parameters
    ----------
    valid_from, stated_end : str or None
        Partial dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), None when unknown.
    day : datetime.date
        The day asked about.
    status : str or None
        ``"active"``, ``"shut down"`` or ``"unknown"`` (None: not stated).

    Returns
    -------
    bool or None
        True if valid on ``day``, False if not, None if the dates cannot tell.

    >>> day = dt.date(2019, 6, 1)
    >>> valid_at("2018-01", "2020", day), valid_at("2020", None, day), valid_at("2019", None, day)
    (True, False, None)
    >>> valid_at("2018", None, day, status="active"), valid_at("2018", None, day, status="shut down")
    (True, None)
    """
    uncertain = valid_from is None or (stated_end is None and status in ("shut down", UNKNOWN))
    if valid_from is not None:
        first, last = parse(valid_from)
        if first > day:
            return False
        uncertain |= day <= last and first != last
    if stated_end is not None:
        first, last = parse(stated_end)
        if last < day:
            return False
        uncertain |= day >= first and first != last
    return None if uncertain else True


def held_at(observed: str | None, valid_from: str | None, valid_until: str | None, day: dt.date) -> bool | None:
    """Whether a holding counted on ``day``: within its ``observed`` period (a crawl's month),
    or by ``valid_at`` between ``valid_from`` and ``valid_until``.

    An observation is a measurement of its whole period, so any day inside it is a yes and
    any day outside a no. A holding that states no dates cannot tell (None): it is kept, as
    holdings always were.

    Parameters
    ----------
    observed, valid_from, valid_until : str or None
        Partial dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), None when not stated.
    day : datetime.date
        The day asked about.

    Returns
    -------
    bool or None
        True if it counted on ``day``, False if not, None if its dates cannot tell.

    >>> day = dt.date(2018, 1, 1)
    >>> held_at("2018-01", None, None, day), held_at("2017-12", None, None, day), held_at(None, None, None, day)
    (True, False, None)
    >>> held_at(None, "2017", "2017-06", day)
    False
    """
    if observed is not None:
        first, last = parse(observed)
        return first <= day <= last
    if valid_from is not None:
        return valid_at(valid_from, valid_until, day)
    if valid_until is not None and parse(valid_until)[1] < day:
        return False
    return None


def span(stated: Iterable[Sequence[str | None]]) -> tuple[str | None, str | None]:
    """The earliest start and latest end of a holding's (observed, valid_from, valid_until)
    dates, as stated (a period's text, compared by the days it spans); a text that is no date
    is left out.

    >>> span([("2018-02", None, None), (None, "2017", "2017-06"), (None, None, None)])
    ('2017', '2018-02')
    """
    starts: list[tuple[dt.date, str]] = []
    ends: list[tuple[dt.date, str]] = []
    for observed, valid_from, valid_until in stated:
        for text, into, side in ((observed or valid_from, starts, 0), (observed or valid_until, ends, 1)):
            if text is None:
                continue
            try:
                into.append((parse(text)[side], text))
            except ValueError:
                continue
    return (min(starts)[1] if starts else None), (max(ends)[1] if ends else None)
