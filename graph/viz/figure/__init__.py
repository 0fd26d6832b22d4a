"""Static figures for articles: the whole graph, a reach question, a chain or a company's flows as SVG or PNG.

``figure_svg`` draws the same views as ``datareach viz`` (the whole graph folded into
groups, a data type's reach with its filters, a path from or into a company, a company's
neighbourhood) with the page's filters (``graph.viz.filters``) in a publication
style: title, caption with the filters in words, the figure, a legend of the marks used
and a credit line with the sources cited (publisher, date) and "Made with datareach".
The same inputs give byte-identical SVG. ``write_figure`` writes SVG or PNG atomically.

>>> from graph.examples import small_graph
>>> svg = figure_svg(small_graph(), data_type="phone number", as_of="2022")
>>> svg == figure_svg(small_graph(), data_type="phone number", as_of="2022")
True
>>> "Filters: as of 2022." in svg and "Made with datareach." in svg
True
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from graph import atomic
from graph.errors import UsageError
from graph.viz.data import taxonomies
from graph.viz.figure.all_view import all_scene
from graph.viz.figure.company_view import company_scene
from graph.viz.figure.png import MissingExtraError, svg_to_png
from graph.viz.figure.reach_view import reach_scene
from graph.viz.figure.scene import Scene
from graph.viz.figure.svg import render
from graph.viz.filters import filter_words, filtered
from graph.viz.state import FILTER_KEYS, ViewState, format_state, parse_state

FORMATS = ("svg", "png")
REACH_ONLY = ("start", "into", "certainty", "permissions", "integrations", "through_ownership", "on_by_default",
              "whose_data", "sources", "source_before", "source_after", "country", "confidence", "read", "site")


def from_state(state: str | None, **given: Any) -> dict[str, Any]:
    """The view options of a page URL fragment (``#view=reach&type=…``), overridden by those ``given``.

    The page's filter panel (``integ``, ``perm``, ``status``; and ``type`` in the ``all``
    view, where it filters links) comes back as ``filters``, a ``ViewState``.

    >>> from_state("#type=phone-number&from=facebook&asof=2019", as_of="2020")
    {'data_type': 'phone-number', 'start': 'facebook', 'as_of': '2020'}
    >>> from_state("#view=all&type=phone-number&perm=read")
    {'filters': {'type': 'phone-number', 'perm': 'read'}}
    """
    found = {} if state is None else parse_state(state)
    whole = found.get("view") == "all"
    view: dict[str, Any] = {"data_type": None if whole else found.get("type"), "start": found.get("from"),
                            "into": found.get("into"), "as_of": found.get("asof"), "select": found.get("sel")}
    if found.get("view") == "company" or (found.get("company") and not found.get("type") and not whole):
        view["company"] = found.get("company")
    panel = {k: found[k] for k in ("type", *FILTER_KEYS) if k in found and (k != "type" or whole)}  # type: ignore[literal-required]
    view["filters"] = panel or None
    view.update({k: v for k, v in given.items() if v not in (None, (), [], False)})
    return {k: v for k, v in view.items() if v not in (None, (), [], False)}


def figure_scene(G: Any, *, data_type: str | None = None, company: str | None = None, title: str | None = None,
                 filters: ViewState | None = None, **options: Any) -> Scene:
    """What the figure draws: a reach scene for ``data_type``, a company scene for ``company``,
    the whole graph (folded into groups) for neither.

    ``filters`` are the page's filter panel (``integ``, ``perm``, ``status``; ``type`` in the
    whole graph), applied as the page applies them; they need the MultiDiGraph. UsageError
    when both are given, or when a reach filter is given without a data type.
    """
    if data_type is not None and company is not None:
        raise UsageError("say what to draw: a data type (--data-type) or a company (--company), not both")
    panel: ViewState = dict(filters or {})  # type: ignore[assignment]
    if panel and not hasattr(G, "edges"):
        raise UsageError("the page's filters need the whole graph (a networkx MultiDiGraph), not a flow index")
    if data_type is not None:
        scene = reach_scene(filtered(G, panel, data_type=False) if panel else G, data_type, title=title, **options)
        return _with_filters(scene, panel, G)
    options.pop("select", None)  # a company or whole-graph figure names every party it draws
    extra = sorted(k for k in options if k in REACH_ONLY)
    if extra:
        words = ", ".join(k.replace("start", "from").replace("_", " ") for k in extra)
        what = "a company figure" if company is not None else "a figure of the whole graph"
        raise UsageError(f"reach filters ({words}) need a data type; {what} takes only a date and the page's filters")
    if company is None:
        if options.get("as_of"):
            panel["asof"] = options["as_of"]
        return all_scene(G, panel, title=title)
    scene = company_scene(filtered(G, panel, data_type=False) if panel else G, company, as_of=options.get("as_of"),
                          title=title)
    return _with_filters(scene, panel, G)


def _with_filters(scene: Scene, panel: ViewState, G: Any) -> Scene:
    """The page's filters said in the caption's first line."""
    words = filter_words(panel, {c.slug: c.label for c in taxonomies(G)[1].concepts} if panel.get("integ") else None)
    if words and scene.caption:
        first = scene.caption[0]
        scene.caption[0] = ("Filters: " + "; ".join(words) if first.startswith("No filters")
                            else first.rstrip(".") + "; " + "; ".join(words))
    return scene


def figure_svg(G: Any, **options: Any) -> str:
    """The figure as deterministic SVG text; see ``figure_scene`` for the options."""
    return render(figure_scene(G, **options))


def write_figure(G: Any, path: str | os.PathLike[str], *, fmt: str = "svg", scale: float = 2.0,
                 **options: Any) -> Path:
    """Draw the figure and write it atomically as SVG or PNG (``scale`` pixels per SVG unit); return its path.

    Parameters
    ----------
    G : networkx.MultiDiGraph or FlowIndex
        The data-flow graph (a company figure needs the MultiDiGraph).
    path : str or os.PathLike
        Where to write.
    fmt : {"svg", "png"}
        The file format; PNG needs the ``figure`` extra (resvg-py).
    scale : float
        PNG pixels per SVG unit.
    **options
        ``data_type`` or ``company``, ``title`` and the reach filters (see ``figure_scene``).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.examples import small_graph
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = write_figure(small_graph(), pathlib.Path(d) / "f.svg", company="Spotify")
    ...     out.read_text(encoding="utf-8").startswith("<?xml")
    True
    """
    if fmt not in FORMATS:
        raise UsageError(f"the format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    svg = figure_svg(G, **options)
    if fmt == "png":
        atomic.write_bytes(path, svg_to_png(svg, scale))
    else:
        atomic.write_text(path, svg)
    return Path(path)


__all__ = ["FORMATS", "MissingExtraError", "Scene", "all_scene", "figure_scene", "figure_svg", "format_state", "from_state",
           "parse_state", "svg_to_png", "write_figure"]
