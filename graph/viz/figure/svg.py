"""Draw a scene as a static SVG in a newspaper style: title, caption, the figure, legend, credit line.

Written with ``xml.etree.ElementTree``, which escapes every text and attribute, so names
from fact files stay text. The output is deterministic: no timestamps, no random ids,
attributes in a fixed order, numbers rounded, sources numbered in reading order.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from graph.viz.figure.layout import GAP_X, LABEL, LINE, LINK, NOTE, PAD, Placed, order, place
from graph.viz.figure.scene import Box, Link, Scene, sentence
from graph.viz.figure.text import FONT, clean, width, wrap

MARGIN, MIN_W = 28.0, 760.0
INK, GREY, RULE = "#1a1a1a", "#595959", "#bdbdbd"
BOXES = {  # kind: fill, stroke, stroke width, text colour, legend words
    "holder": ("#fde0dd", "#b2182b", 1.6, INK, "holder (collects or holds it)"),
    "party": ("#ffffff", "#4d4d4d", 1.0, INK, "party it could reach"),
    "public": ("#262626", "#262626", 1.0, "#ffffff", "the public (an open dump)"),
    "centre": ("#e3ebf6", "#1f3a68", 2.4, INK, "company asked about"),
    "group": ("#efefef", "#9e9e9e", 1.0, INK, "folded: + N more parties"),
}
LINES = {"stated": ("#1a1a1a", 1.7), "implied": ("#7a7a7a", 1.4), "partial": ("#b0b0b0", 1.4)}
OWNERSHIP, LOOKALIKE, DASH = "#6a3d9a", "#e8590c", "6 4"
CREDIT = "Made with datareach."


def num(x: float) -> str:
    """A coordinate as short, stable text."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def numbering(scene: Scene, columns: list[list[Box]]) -> dict[str, int]:
    """Sources numbered in reading order: column by column, each box then the arrows leaving it."""
    leaving: dict[str, list[Link]] = {}
    for link in scene.links:
        leaving.setdefault(link.source, []).append(link)
    numbers: dict[str, int] = {}
    for col in columns:
        for box in col:
            for key in [*box.cites, *(k for link in leaving.get(box.key, []) for k in link.cites)]:
                numbers.setdefault(key, len(numbers) + 1)
    return numbers


def marks(keys: Iterable[str], numbers: dict[str, int]) -> str:
    """``[1, 3]`` for the sources behind a box or arrow (empty when none)."""
    found = sorted({numbers[k] for k in keys if k in numbers})
    return f"[{', '.join(map(str, found))}]" if found else ""


def render(scene: Scene) -> str:
    """The figure as SVG text (UTF-8, with an XML declaration).

    >>> from graph.viz.figure.scene import Box, Scene
    >>> svg = render(Scene("A <title>", ["No filters."], [Box("a", "Acme & Co", "holder")]))
    >>> "A &lt;title&gt;" in svg and "Acme &amp; Co" in svg and "Made with datareach." in svg
    True
    """
    columns = order(scene)
    numbers = numbering(scene, columns)
    box_marks = {b.key: marks(b.cites, numbers) for b in scene.boxes}
    link_words = {id(link): " ".join(w for w in (link.label, marks(link.cites, numbers)) if w) if scene.chain else ""
                  for link in scene.links}
    column_of = {b.key: i for i, col in enumerate(columns) for b in col}
    fan: dict[int, int] = {}
    for link in scene.links:
        if link.source in column_of:
            fan[column_of[link.source]] = fan.get(column_of[link.source], 0) + 1
    gaps = [min(GAP_X + 6 * max(0, fan.get(i, 0) - 3), 2 * GAP_X) for i in range(len(columns))]  # room to fan out
    for link in scene.links:
        words = link_words[id(link)]
        if words and link.source in column_of:
            i = column_of[link.source]
            gaps[i] = max(gaps[i], width(words, LINK) + 36)
    placed, graph_w, graph_h = place(columns, box_marks, gaps, 0.0, MARGIN)
    page_w = max(MIN_W, graph_w + 2 * MARGIN)
    room = page_w - 2 * MARGIN
    title, caption = clean(scene.title, 300), [sentence(clean(c, 600)) for c in scene.caption]  # they name parties
    root = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "version": "1.1"})
    ET.SubElement(root, "title").text = title
    ET.SubElement(root, "desc").text = " ".join(caption)
    defs = ET.SubElement(root, "defs")
    for name, colour in (*((k, v[0]) for k, v in LINES.items()), ("ownership", OWNERSHIP)):
        marker = ET.SubElement(defs, "marker", {"id": f"arrow-{name}", "viewBox": "0 0 10 10", "refX": "9", "refY": "5",
                                                "markerWidth": "7", "markerHeight": "7", "orient": "auto"})
        ET.SubElement(marker, "path", {"d": "M0,0 L10,5 L0,10 z", "fill": colour})
    ET.SubElement(root, "rect", {"x": "0", "y": "0", "width": "100%", "height": "100%", "fill": "#ffffff"})
    body = ET.SubElement(root, "g", {"font-family": FONT, "fill": INK})
    y = MARGIN
    for line in wrap(title, room, 22, bold=True, max_lines=3):
        y += 26
        _text(body, MARGIN, y, line, 22, weight="bold")
    y += 8
    for said in caption:
        for line in wrap(said, room, 13):
            y += 17
            _text(body, MARGIN, y, line, 13, fill=GREY)
    y += 22
    ET.SubElement(body, "line", {"x1": num(MARGIN), "y1": num(y - 10), "x2": num(page_w - MARGIN), "y2": num(y - 10),
                                 "stroke": RULE, "stroke-width": "0.8"})
    offset = MARGIN + (room - graph_w) / 2
    if scene.empty:
        y += 20
        _text(body, MARGIN, y, clean(scene.empty, 300), 14, fill=GREY)
        y += 20
    else:
        graph = ET.SubElement(body, "g", {"transform": f"translate({num(offset - MARGIN)},{num(y + 6)})"})
        _draw_links(graph, scene.links, {p.box.key: p for p in placed}, link_words)
        for p in placed:
            _draw_box(graph, p)
        y += graph_h + 30
    y = _legend(body, scene, y, room)
    y = _credit(body, scene, numbers, y, room)
    root.set("width", num(page_w))
    root.set("height", num(y + MARGIN))
    root.set("viewBox", f"0 0 {num(page_w)} {num(y + MARGIN)}")
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _text(parent: ET.Element, x: float, y: float, text: str, size: float, *, weight: str = "", fill: str = "",
          anchor: str = "") -> ET.Element:
    attrs = {"x": num(x), "y": num(y), "font-size": num(size)}
    if weight:
        attrs["font-weight"] = weight
    if fill:
        attrs["fill"] = fill
    if anchor:
        attrs["text-anchor"] = anchor
    element = ET.SubElement(parent, "text", attrs)
    element.text = text
    return element


def _draw_box(parent: ET.Element, p: Placed) -> None:
    fill, stroke, stroke_w, ink, _ = BOXES[p.box.kind]
    g = ET.SubElement(parent, "g", {"class": p.box.kind})
    if p.box.kind == "group":  # a stack of cards
        ET.SubElement(g, "rect", {"x": num(p.x + 4), "y": num(p.y + 4), "width": num(p.w), "height": num(p.h), "rx": "4",
                                  "fill": "#ffffff", "stroke": stroke, "stroke-width": "1"})
    ET.SubElement(g, "rect", {"x": num(p.x), "y": num(p.y), "width": num(p.w), "height": num(p.h), "rx": "4",
                              "fill": fill, "stroke": stroke, "stroke-width": num(stroke_w)})
    x = p.x + PAD
    if p.box.lookalike:
        top = p.y + 5
        ET.SubElement(g, "path", {"d": f"M{num(x)},{num(top + 10)} L{num(x + 5.5)},{num(top)} L{num(x + 11)},{num(top + 10)} z",
                                  "fill": LOOKALIKE})
        x += 14
    _text(g, x, p.y + LINE, p.label, LABEL, weight="bold", fill=ink)
    if p.note:
        _text(g, p.x + PAD, p.y + 2 * LINE, p.note, NOTE, fill="#d9d9d9" if p.box.kind == "public" else GREY)


def _draw_links(parent: ET.Element, links: list[Link], where: dict[str, Placed], words: dict[int, str]) -> None:
    g = ET.SubElement(parent, "g", {"fill": "none"})
    labels = ET.SubElement(parent, "g")
    for link in links:
        a, b = where.get(link.source), where.get(link.target)
        if a is None or b is None:
            continue
        name = "ownership" if link.ownership else link.certainty
        colour, stroke_w = (OWNERSHIP, 1.4) if link.ownership else LINES[link.certainty]
        if b.x > a.x + a.w:
            sx, sy, tx, ty = a.x + a.w, a.y + a.h / 2, b.x - 1, b.y + b.h / 2
            mid = (sx + tx) / 2
            d = f"M{num(sx)},{num(sy)} C{num(mid)},{num(sy)} {num(mid)},{num(ty)} {num(tx)},{num(ty)}"
            cx, cy = mid, (sy + ty) / 2
            if link.contested:  # its mark near the arrowhead, where arrows from one box have fanned out
                cx, cy = _point(0.8, (sx, sy), (mid, sy), (mid, ty), (tx, ty))
        else:  # a link back or within a column: an arc below both boxes
            sx, sy, tx, ty = a.x + a.w / 2, a.y + a.h, b.x + b.w / 2, b.y + b.h + 1
            low = max(sy, ty) + 28
            d = f"M{num(sx)},{num(sy)} C{num(sx)},{num(low)} {num(tx)},{num(low)} {num(tx)},{num(ty)}"
            cx, cy = (sx + tx) / 2, low - 7
        attrs = {"d": d, "stroke": colour, "stroke-width": num(stroke_w), "marker-end": f"url(#arrow-{name})"}
        if link.disputed:
            attrs["stroke-dasharray"] = DASH
        ET.SubElement(g, "path", attrs)
        if link.contested:
            ET.SubElement(labels, "circle", {"cx": num(cx), "cy": num(cy), "r": "4", "fill": "#ffffff",
                                             "stroke": INK, "stroke-width": "1.4"})
        text = words.get(id(link), "")
        if text:
            label_y = min(sy, ty) - 6 if abs(sy - ty) < 4 else cy - 6
            _text(labels, cx, label_y, text, LINK, fill=INK, anchor="middle")


def _point(t: float, *pts: tuple[float, float]) -> tuple[float, float]:
    """The point at ``t`` on a cubic Bézier curve."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts
    a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
    return a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3


def _legend(parent: ET.Element, scene: Scene, y: float, room: float) -> float:
    """One row (wrapped) of the marks this figure uses, each with its one meaning."""
    items: list[tuple[str, str, str]] = []  # (kind of swatch, style, words)
    kinds = {b.kind for b in scene.boxes}
    party = {"company": "party", "into": "party that could send it on", "all": "party (the most connected are named)"}.get(
        scene.view, BOXES["party"][4])
    items += [("box", k, party if k == "party" else BOXES[k][4]) for k in BOXES if k in kinds]
    if any(b.lookalike for b in scene.boxes):
        items.append(("lookalike", "", "look-alike name: check it"))
    used = {("ownership" if link.ownership else link.certainty) for link in scene.links}
    words = {"stated": "data type stated", "implied": "implied (only a broader type stated)",
             "partial": "partial (only narrower types)", "ownership": "ownership"}
    if scene.view in ("company", "all"):
        words["stated"] = "data flow (one or more facts)"
    items += [("line", k, words[k]) for k in (*LINES, "ownership") if k in used]
    if any(link.disputed for link in scene.links):
        items.append(("line", "disputed", "access disputed by a source"))
    if any(link.contested for link in scene.links):
        items.append(("contested", "", "one aspect contested"))
    if not items:
        return y
    x = MARGIN
    y += 6
    for swatch, style, text in items:
        w = 30 + width(text, NOTE) + 18
        if x + w > MARGIN + room:
            x, y = MARGIN, y + 20
        _swatch(parent, swatch, style, x, y)
        _text(parent, x + 30, y + 4, text, NOTE, fill=INK)
        x += w
    return y + 22


def _swatch(parent: ET.Element, swatch: str, style: str, x: float, y: float) -> None:
    if swatch == "box":
        fill, stroke, stroke_w, _, _ = BOXES[style]
        ET.SubElement(parent, "rect", {"x": num(x), "y": num(y - 6), "width": "24", "height": "13", "rx": "3",
                                       "fill": fill, "stroke": stroke, "stroke-width": num(stroke_w)})
    elif swatch == "lookalike":
        ET.SubElement(parent, "path", {"d": f"M{num(x + 6)},{num(y + 5)} L{num(x + 12)},{num(y - 6)} "
                                            f"L{num(x + 18)},{num(y + 5)} z", "fill": LOOKALIKE})
    elif swatch == "contested":
        ET.SubElement(parent, "line", {"x1": num(x), "y1": num(y), "x2": num(x + 24), "y2": num(y), "stroke": INK,
                                       "stroke-width": "1.4"})
        ET.SubElement(parent, "circle", {"cx": num(x + 12), "cy": num(y), "r": "4", "fill": "#ffffff", "stroke": INK,
                                         "stroke-width": "1.4"})
    else:
        colour, stroke_w = (OWNERSHIP, 1.4) if style == "ownership" else LINES.get(style, LINES["stated"])
        attrs = {"x1": num(x), "y1": num(y), "x2": num(x + 24), "y2": num(y), "stroke": colour,
                 "stroke-width": num(stroke_w)}
        if style == "disputed":
            attrs["stroke-dasharray"] = DASH
        ET.SubElement(parent, "line", attrs)


def _credit(parent: ET.Element, scene: Scene, numbers: dict[str, int], y: float, room: float) -> float:
    """The credit line: every numbered source (publisher, date), those behind folded parties, and the tool."""
    cited = [f"[{n}] {scene.sources[k]}" for k, n in sorted(numbers.items(), key=lambda kv: kv[1]) if k in scene.sources]
    extra = sorted({v for k, v in scene.folded_sources.items() if k not in numbers}
                   | {v for k, v in scene.sources.items() if k not in numbers})
    text = ("Sources: " + "; ".join(cited) + ".") if cited else ""
    if extra:
        shown = "; ".join(extra[:6]) + (f"; and {len(extra) - 6} more" if len(extra) > 6 else "")
        text += (" " if text else "") + f"Behind the folded parties: {shown}."
    text += (" " if text else "") + CREDIT
    ET.SubElement(parent, "line", {"x1": num(MARGIN), "y1": num(y), "x2": num(MARGIN + room), "y2": num(y),
                                   "stroke": RULE, "stroke-width": "0.8"})
    for line in wrap(text, room, 10.5):
        y += 14
        _text(parent, MARGIN, y, line, 10.5, fill=GREY)
    return y
