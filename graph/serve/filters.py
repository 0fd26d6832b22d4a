"""The filters the reach and table pages share (issue 13 item 7), as the CLI's ``--on-by-default`` …
``--list``: reading them from a request, keeping them in links, and their form controls.

>>> parse_filters({"country": " us ", "on_by_default": "yes"})["country"], parse_filters({"on_by_default": "yes"})["on_by_default"]
('us', True)
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from graph import dates
from graph.model.labels import CONFIDENCES, READ_MODES, WHOSE_DATA
from graph.serve.html import field
from graph.serve.protocol import HttpError

FILTERS = ("on_by_default", "whose_data", "source", "source_before", "source_after", "country", "list", "confidence", "read")
"""The shared filters' URL parameters."""
YES_NO = {"": None, "yes": True, "no": False}


def single(pairs: list[tuple[str, str]], repeatable: Collection[str] = ()) -> dict[str, Any]:
    """The parameters, each a string, but a list of the non-empty values for a ``repeatable`` one
    (``source`` also comma-separated); HttpError 400 for another parameter given twice."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in repeatable:
            values = [v.strip() for v in (value.split(",") if key == "source" else [value])]
            out.setdefault(key, []).extend(v for v in values if v)
            continue
        if key in out:
            raise HttpError(400, f"parameter {key[:40]!r} is given twice")
        out[key] = value
    return out


def parse_filters(params: dict[str, Any]) -> dict[str, Any]:
    """The shared filters as keyword arguments of reach and partner_table (HttpError 400 for a bad value).

    ``within`` is the named list's id or name, as given; the caller scopes the answer with it."""
    text = {k: str(params.get(k) or "").strip() for k in FILTERS if k != "source"}
    if text["on_by_default"] not in YES_NO:
        raise HttpError(400, "on_by_default must be yes or no")
    if text["whose_data"] not in ("", *WHOSE_DATA):
        raise HttpError(400, f"whose_data must be one of {', '.join(WHOSE_DATA)}")
    for key, levels in (("confidence", CONFIDENCES), ("read", READ_MODES)):
        if text[key] not in ("", *levels):
            raise HttpError(400, f"{key} must be one of {', '.join(levels)}")
    for key in ("source_before", "source_after"):
        if text[key]:
            try:
                dates.parse(text[key])
            except ValueError:
                raise HttpError(400, f"{key} must be a date: YYYY, YYYY-MM or YYYY-MM-DD") from None
    return {"on_by_default": YES_NO[text["on_by_default"]], "whose_data": text["whose_data"] or None,
            "sources": tuple(params.get("source") or ()), "source_before": text["source_before"] or None,
            "source_after": text["source_after"] or None, "country": text["country"] or None,
            "within": text["list"] or None, "confidence": text["confidence"] or None, "read": text["read"] or None}


def filter_state(params: dict[str, Any]) -> dict[str, Any]:
    """The filters' values as given, for links that keep the view's state."""
    return {k: params.get(k) for k in FILTERS}


def filter_fields(params: dict[str, Any]) -> str:
    """The form controls of the shared filters."""
    value = {k: str(params.get(k) or "") for k in FILTERS if k != "source"}
    return (field("On by default", "on_by_default", value["on_by_default"], options=[("", "any"), ("yes", "yes"), ("no", "no")])
            + field("Whose data", "whose_data", value["whose_data"], options=[("", "any"), *[(w, w) for w in WHOSE_DATA]])
            + field("Source (ids)", "source", ", ".join(params.get("source") or ()), placeholder="id, id…")
            + field("Source from (date)", "source_after", value["source_after"], placeholder="YYYY-MM-DD")
            + field("Source up to (date)", "source_before", value["source_before"], placeholder="YYYY-MM-DD")
            + field("Country", "country", value["country"], placeholder="e.g. US")
            + field("Named list", "list", value["list"], placeholder="id or name")
            + field("Claims at least", "confidence", value["confidence"], options=[("", "any"), *[(c, c) for c in CONFIDENCES]])
            + field("Sources read at least", "read", value["read"], options=[("", "any"), *[(r, r) for r in READ_MODES]]))
