"""Where each box of a scene goes: columns left to right, boxes stacked in each, sizes from measured text.

Deterministic: columns in order, boxes ordered by the mean position of the boxes they are
linked with in earlier columns (fewer crossings), then weight, then name; groups last.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from graph.viz.figure.scene import Box, Scene
from graph.viz.figure.text import shorten, width

LABEL, NOTE, LINK = 13.0, 11.0, 11.0  # font sizes (px)
PAD, LINE, BOX_MAX = 8.0, 15.0, 280.0
GAP_Y, GAP_X, MARK = 10.0, 56.0, 14.0  # MARK: room for the look-alike triangle


@dataclass
class Placed:
    """A box with its position (top left), size and the text lines as drawn."""

    box: Box
    x: float
    y: float
    w: float
    h: float
    label: str
    note: str


def order(scene: Scene) -> list[list[Box]]:
    """The boxes by column, each column in drawing order (top first)."""
    columns: dict[int, list[Box]] = defaultdict(list)
    for box in scene.boxes:
        columns[box.column].append(box)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for link in scene.links:
        neighbours[link.target].append(link.source)
        neighbours[link.source].append(link.target)
    placed: dict[str, float] = {}
    out = []
    for col in sorted(columns):
        def key(b: Box) -> tuple[int, float, float, str, str]:
            seen = [placed[n] for n in neighbours[b.key] if n in placed]
            centre = sum(seen) / len(seen) if seen else 0.0
            return (b.kind == "group", centre, -b.weight, b.label.casefold(), b.key)
        boxes = sorted(columns[col], key=key)
        placed.update({b.key: i / max(len(boxes) - 1, 1) for i, b in enumerate(boxes)})
        out.append(boxes)
    return out


def box_text(box: Box, marks: str) -> tuple[str, str]:
    """The label and note lines of a box, shortened to fit ``BOX_MAX`` (the marks are kept whole)."""
    room = BOX_MAX - 2 * PAD - (MARK if box.lookalike else 0)
    label = shorten(box.label, room, LABEL, bold=True)
    note = box.note
    if marks:
        tail = f" {marks}"
        note = (shorten(note, room - width(tail, NOTE), NOTE) + tail) if note else marks
    else:
        note = shorten(note, room, NOTE)
    return label, note


def place(columns: list[list[Box]], marks: dict[str, str], gaps: list[float], top: float,
          left: float) -> tuple[list[Placed], float, float]:
    """Positions of every box; ``gaps[i]`` is the room after column ``i``. Returns (boxes, width, height)."""
    sized: list[list[Placed]] = []
    for boxes in columns:
        col = []
        for box in boxes:
            label, note = box_text(box, marks.get(box.key, ""))
            w = max(width(label, LABEL, bold=True) + (MARK if box.lookalike else 0), width(note, NOTE)) + 2 * PAD
            col.append(Placed(box, 0.0, 0.0, round(w, 1), LINE * (2 if note else 1) + 8, label, note))
        sized.append(col)
    heights = [sum(p.h for p in col) + GAP_Y * (len(col) - 1) for col in sized]
    tallest = max(heights, default=0.0)
    x = left
    out = []
    for i, col in enumerate(sized):
        col_w = max((p.w for p in col), default=0.0)
        y = top + (tallest - heights[i]) / 2
        for p in col:
            p.x, p.y = round(x, 1), round(y, 1)
            y += p.h + GAP_Y
            out.append(p)
        x += col_w + (gaps[i] if i < len(gaps) else 0.0)
    return out, x - left, tallest
