"""The layout check: no text leaves the frame (with a safe margin), no two texts overlap, and no
card or table covers the data it describes (a plotted curve, a bar to scale)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from manim import (
    BackgroundRectangle,
    DecimalNumber,
    MarkupText,
    MathTex,
    Mobject,
    ParametricFunction,
    RoundedRectangle,
    SingleStringMathTex,
    Tex,
    Text,
    VGroup,
    VMobject,
)

TEXT_TYPES = (Text, MarkupText, MathTex, SingleStringMathTex, Tex, DecimalNumber)
# Overlaps thinner than this (manim units, about 3 px at 1080p) are glyph padding, not collisions.
TOLERANCE = 0.02
# A panel this opaque hides what is drawn under it.
OPAQUE = 0.5
# A plotted graph is an open stroked path of at least this many pieces (a Line has one, an arrow few).
CURVE_PIECES = 8


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

    @classmethod
    def of(cls, m: Mobject, name: str) -> Box:
        """The box of a mobject."""
        return cls(name, m.get_left()[0], m.get_right()[0], m.get_bottom()[1], m.get_top()[1])


def _visible(m: Mobject) -> bool:
    """Does any part of m show (fill or stroke opacity above a trace)?"""
    for sub in m.family_members_with_points():
        if sub.get_fill_opacity() > 0.05 or sub.get_stroke_opacity() > 0.05 and sub.get_stroke_width() > 0:
            return True
    return False


def _name(m: Mobject) -> str:
    """Short human name of a text mobject for messages."""
    for attr in ("original_text", "text", "tex_string"):
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
        out.append(Box.of(m, _name(m)))
    return out


# Cards and the data under them
def _drawn(mobjects: Iterable[Mobject], parent: Mobject | None = None) -> Iterator[tuple[Mobject, Mobject | None]]:
    """Every mobject below the given ones with its parent, in the order the camera draws them
    (family order; text is left out, it is checked above)."""
    for m in mobjects:
        if getattr(m, "layout_exempt", False) or isinstance(m, TEXT_TYPES):
            continue
        yield m, parent
        yield from _drawn(m.submobjects, m)


def is_card(m: Mobject) -> bool:
    """A panel that hides what lies under it: an opaque rounded (or background) rectangle, the
    shape of every card, table and badge (plain rectangles are bars and zones)."""
    return bool(isinstance(m, (RoundedRectangle, BackgroundRectangle)) and m.get_fill_opacity() > OPAQUE
                and not is_bar(m) and m.width > TOLERANCE and m.height > TOLERANCE)


def is_bar(m: Mobject) -> bool:
    """A bar drawn to scale (widgets.bars.get_gradient_bar marks its rectangle with height_value)."""
    return hasattr(m, "height_value") or getattr(m, "layout_data", None) == "bar"


def is_curve(m: Mobject) -> bool:
    """A plotted graph: a function's plot, a marked curve, or an open stroked path of many pieces."""
    if getattr(m, "layout_data", None) == "curve":
        return True
    if not isinstance(m, VMobject) or not m.has_points():
        return False
    if isinstance(m, ParametricFunction):
        return True
    return bool(type(m) in (VMobject, VGroup) and m.get_fill_opacity() < 0.05 and m.get_stroke_width() > 0
                and m.get_num_curves() >= CURVE_PIECES)


def _card_name(parent: Mobject | None) -> str:
    """A card is named by its first text."""
    first = next(text_units([parent]), None) if parent is not None else None
    return repr(_name(first)) if first is not None else "a card"


def covered(mobjects: Iterable[Mobject]) -> list[str]:
    """One line per card drawn over a curve's points or a bar it overlaps."""
    found: list[str] = []
    drawn = sorted(_drawn(mobjects), key=lambda pair: pair[0].z_index)  # stable: family order kept
    marks = [(i, m) for i, (m, _) in enumerate(drawn) if (is_bar(m) or is_curve(m)) and _visible(m)]
    for i, (card, parent) in enumerate(drawn):
        if not is_card(card) or not _visible(card):
            continue
        box = Box.of(card, _card_name(parent))
        bars: list[Mobject] = []
        for _, m in (mark for mark in marks if mark[0] < i):
            if is_bar(m):
                if box.overlap(Box.of(m, "")) > TOLERANCE:
                    bars.append(m)
                continue
            p = m.points
            inside = ((p[:, 0] > box.left + TOLERANCE) & (p[:, 0] < box.right - TOLERANCE)
                      & (p[:, 1] > box.bottom + TOLERANCE) & (p[:, 1] < box.top - TOLERANCE))
            if np.any(inside):
                xs = p[inside, 0]
                found.append(f"{box.name} covers a curve over x [{xs.min():.2f}, {xs.max():.2f}]")
        if bars:
            left, right = min(b.get_left()[0] for b in bars), max(b.get_right()[0] for b in bars)
            what = f"{len(bars)} bars" if len(bars) > 1 else "a bar"
            found.append(f"{box.name} covers {what} in x [{left:.2f}, {right:.2f}]")
    return found


def problems(mobjects: Iterable[Mobject], frame_width: float, frame_height: float, margin: float) -> list[str]:
    """One line per text that leaves the safe area or overlaps another text, and per card that
    covers a curve or a bar."""
    mobjects = list(mobjects)
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
    found.extend(covered(mobjects))
    return found
