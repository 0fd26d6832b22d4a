"""Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) as sources state them, and their intervals."""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Literal

UNKNOWN = "unknown"


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
