"""PNG made from the figure's SVG by resvg (Rust, through the resvg-py wheel): no system library needed.

resvg-py is the ``figure`` extra (``pip install 'datareach[figure]'``); without it a PNG
is refused with a message naming the extra, and SVG still works.
"""

from __future__ import annotations

from graph.errors import UsageError

EXTRA = "pip install 'datareach[figure]'"
SIGNATURE = b"\x89PNG\r\n\x1a\n"


class MissingExtraError(UsageError):
    """An optional dependency is not installed; the message names the extra that brings it."""


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """The PNG of ``svg`` at ``scale`` times its size (2: sharp on screens and in print at column width).

    Parameters
    ----------
    svg : str
        An SVG document (as ``graph.viz.figure.figure_svg`` writes it).
    scale : float
        Pixels per SVG unit.

    Returns
    -------
    bytes
        The PNG file's bytes.

    Raises
    ------
    MissingExtraError
        resvg-py is not installed.

    Examples
    --------
    >>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"/>'
    >>> svg_to_png(svg, 2.0)[:8] == SIGNATURE  # doctest: +SKIP
    True
    """
    try:
        import resvg_py
    except ImportError:
        raise MissingExtraError(f"PNG figures need resvg-py: {EXTRA} (or use --format svg)") from None
    if not 0.25 <= scale <= 8:
        raise UsageError(f"the scale must be between 0.25 and 8, not {scale}")
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=scale, background="#ffffff",
                                       sans_serif_family="Liberation Sans"))
