"""The layout check: no text leaves the frame (with a safe margin) and no two texts overlap."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from manim import DecimalNumber, MarkupText, MathTex, Mobject, SingleStringMathTex, Tex, Text

TEXT_TYPES = (Text, MarkupText, MathTex, SingleStringMathTex, Tex, DecimalNumber)
# Overlaps thinner than this (manim units, about 3 px at 1080p) are glyph padding, not collisions.
TOLERANCE = 0.02


@dataclass(frozen=True)
class Box:
    """An axis-aligned bounding box and the text it belongs to."""

    name: str
    left: float
    right: float
    bottom: float
    top: float

    def overlap(self, other: Box) -> float:
        """The smaller side of the intersection (0 when the boxes are apart)."""
        w = min(self.right, other.right) - max(self.left, other.left)
        h = min(self.top, other.top) - max(self.bottom, other.bottom)
        return max(0.0, min(w, h))


def _visible(m: Mobject) -> bool:
    """Does any part of m show (fill or stroke opacity above a trace)?"""
    for sub in m.family_members_with_points():
        if sub.get_fill_opacity() > 0.05 or sub.get_stroke_opacity() > 0.05 and sub.get_stroke_width() > 0:
            return True
    return False


def _name(m: Mobject) -> str:
    """Short human name of a text mobject for messages."""
    for attr in ("text", "tex_string"):
        value = getattr(m, attr, None)
        if isinstance(value, str):
            return value if len(value) <= 40 else value[:37] + "..."
    if isinstance(m, DecimalNumber):
        return str(m.get_value())
    return type(m).__name__


def text_units(mobjects: Iterable[Mobject]) -> Iterator[Mobject]:
    """The outermost text mobjects below the given ones, skipping invisible and exempt ones."""
    for m in mobjects:
        if getattr(m, "layout_exempt", False):
            continue
        if isinstance(m, TEXT_TYPES):
            if m.has_points() or m.submobjects:
                if _visible(m):
                    yield m
            continue
        yield from text_units(m.submobjects)


def boxes(mobjects: Iterable[Mobject]) -> list[Box]:
    """Bounding boxes of every visible text unit."""
    out = []
    for m in text_units(mobjects):
        if m.width == 0 and m.height == 0:
            continue
        out.append(Box(_name(m), m.get_left()[0], m.get_right()[0], m.get_bottom()[1], m.get_top()[1]))
    return out


def problems(mobjects: Iterable[Mobject], frame_width: float, frame_height: float, margin: float) -> list[str]:
    """One line per text that leaves the safe area or overlaps another text."""
    found: list[str] = []
    bs = boxes(mobjects)
    xmax, ymax = frame_width / 2 - margin, frame_height / 2 - margin
    for b in bs:
        if (
            b.left < -xmax - TOLERANCE
            or b.right > xmax + TOLERANCE
            or b.bottom < -ymax - TOLERANCE
            or b.top > ymax + TOLERANCE
        ):
            found.append(
                f"{b.name!r} leaves the safe area: x [{b.left:.2f}, {b.right:.2f}], y [{b.bottom:.2f}, {b.top:.2f}]"
                f" against +-{xmax:.2f}, +-{ymax:.2f}"
            )
    for i, a in enumerate(bs):
        for b in bs[i + 1 :]:
            if a.overlap(b) > TOLERANCE:
                found.append(f"{a.name!r} overlaps {b.name!r} by {a.overlap(b):.2f}")
    return found
