"""Data marks stay true while a chapter plays: watch a chapter's bars (and curves) through every
animation, not only at its end.

`watching(cls, marks)` makes a subclass of a chapter that, in every `play`, stops at a few moments
inside the animation (manim skips to the end in a test render; these are the frames a movie
would show in between) and checks each bar on screen: its drawn top, read back through its own
axis, is the ledger value recomputed by sigsat_math, its foot stands on the axis' floor, and no
opaque card lies over it. At each emphasis animation (charts' `emphasis` tag) it also draws the
frame and finds the bar's top in the pixels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from manim import RoundedRectangle, config

from sigsat_math import recompute

SAMPLES = (0.25, 0.5, 0.75)


@dataclass
class Findings:
    """What the watch saw: checks made, problems found, emphasis frames looked at."""

    checks: int = 0
    problems: list[str] = field(default_factory=list)
    emphasis_frames: int = 0
    pixel_checks: int = 0


def value_at(axis: Any, y: float) -> float:
    """The value a log axis (get_log_axis) puts at scene height y: y_for inverted."""
    bottom, top = axis.line.get_bottom()[1], axis.line.get_top()[1]
    return float(10.0 ** (axis.lo + (y - bottom) / (top - bottom) * (axis.hi - axis.lo)))


def ledger_value(scene: Any, q: Any) -> tuple[str, float]:
    """The label of the ledger row that holds Quantity q, and its value recomputed from sigsat_math."""
    record = next(r for r in scene.ledger if r.quantity is q)
    return record.label, recompute(record.quantity.record())


def _boxes_overlap(a: Any, b: Any, pad: float = 0.0) -> bool:
    return (a.get_left()[0] < b.get_right()[0] - pad and b.get_left()[0] < a.get_right()[0] - pad
            and a.get_bottom()[1] < b.get_top()[1] - pad and b.get_bottom()[1] < a.get_top()[1] - pad)


def cards_on_screen(scene: Any) -> list[Any]:
    """Opaque panels on screen (formula cards, tables, readouts): what could hide a data mark."""
    return [m for m in scene.get_mobject_family_members()
            if isinstance(m, RoundedRectangle) and m.get_fill_opacity() > 0.5 and m.width > 1.5]


def pixel_row(y: float) -> float:
    """The pixel row of scene height y in the rendered frame."""
    return (config.frame_height / 2 - y) / config.frame_height * config.pixel_height


def pixel_col(x: float) -> int:
    return round((x + config.frame_width / 2) / config.frame_width * config.pixel_width)


def drawn_top_row(frame: np.ndarray, x: float, floor_y: float) -> int:
    """Walking up column x from just above the floor while the colour stays the bar's: the
    topmost row of the bar."""
    col, row = pixel_col(x), math.floor(pixel_row(floor_y)) - 3
    base = frame[row, col, :3].astype(int)
    while row > 0 and np.abs(frame[row - 1, col, :3].astype(int) - base).max() <= 24:
        row -= 1
    return row


def watching(cls: type, marks: Callable[[Any], Iterable[tuple[Any, Any, Any]]],
             curves: Callable[[Any], Iterable[tuple[Any, Any, Any]]] = lambda s: ()) -> type:
    """A subclass of chapter `cls` that checks, inside every animation, each (bar, axis, Quantity)
    from `marks(scene)` that is on screen, and each (curve, axes, values) from `curves(scene)`: every
    point of the curve lies on the polyline through (k, values[k])."""

    class Watched(cls):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            super().setup()
            self.findings = Findings()

        def begin_animations(self) -> None:
            # A bar the animation brings in (GrowFromEdge) is still growing inside it: only the
            # bars already on screen are held to their values.
            self._before = {id(m) for m in self.get_mobject_family_members()}
            self._check("before")
            super().begin_animations()

        def update_to_time(self, t: float) -> None:
            emphasis = any(getattr(a, "emphasis", False) for a in self.animations or ())
            for share in SAMPLES:
                super().update_to_time(share * t)
                self._check(f"at {share:.0%}", pixels=emphasis and share == 0.5)
            super().update_to_time(t)

        def _check(self, when: str, pixels: bool = False) -> None:
            found = self.findings
            on_screen = set(self.get_mobject_family_members())
            before = getattr(self, "_before", set())
            shown = [(bar, axis, q) for bar, axis, q in marks(self) if bar[0] in on_screen and id(bar[0]) in before]
            frame = self._frame() if pixels and shown else None
            found.emphasis_frames += frame is not None
            where = f"{self.marks[-1].name if self.marks else 'start'}, {when}"
            cards = cards_on_screen(self)
            for bar, axis, q in shown:
                label, expected = ledger_value(self, q)
                found.checks += 1
                rect = bar[0]
                drawn = value_at(axis, rect.get_top()[1])
                if abs(math.log10(drawn) - math.log10(expected)) > 1e-3 * (axis.hi - axis.lo) + 1e-9:
                    found.problems.append(f"{where}: {label} drawn at {drawn:.4g}, ledger {expected:.4g}")
                if abs(rect.get_bottom()[1] - axis.line.get_bottom()[1]) > 1e-3:
                    found.problems.append(f"{where}: {label} does not stand on its axis' floor")
                if any(_boxes_overlap(rect, card, pad=0.01) for card in cards):
                    found.problems.append(f"{where}: a card covers {label}")
                if frame is not None and rect.height > 0.05:
                    found.pixel_checks += 1
                    top = drawn_top_row(frame, rect.get_x(), axis.line.get_bottom()[1])
                    want = pixel_row(axis.y_for(expected))
                    if abs(top - want) > 2.5:
                        found.problems.append(f"{where}: {label} drawn to pixel row {top}, its value at {want:.1f}")
            for curve, axes, values in curves(self):
                if curve not in on_screen or id(curve) not in before or not curve.has_points():
                    continue
                found.checks += 1
                xy = np.array([axes.p2c(p)[:2] for p in curve.points])
                ys = np.interp(xy[:, 0], np.arange(len(values)), np.asarray(values, dtype=float))
                miss = float(np.max(np.abs(xy[:, 1] - ys)))
                if miss > 1e-6 * max(1.0, float(np.max(values))):
                    found.problems.append(f"{where}: a curve leaves its values by {miss:.3g}")
                if any(_boxes_overlap(card, _point_box(p), 0.0) for card in cards for p in curve.points[::3]):
                    found.problems.append(f"{where}: a card covers a curve")

        def _frame(self) -> np.ndarray:
            camera = self.renderer.camera
            camera.reset()
            camera.capture_mobjects([*self.mobjects, *self.foreground_mobjects])
            return np.array(camera.pixel_array)

    Watched.__name__ = Watched.__qualname__ = cls.__name__
    return Watched


class _point_box:
    """A point as a zero-size box, for the overlap test."""

    def __init__(self, p: np.ndarray) -> None:
        self.p = p

    def get_left(self) -> np.ndarray:
        return self.p

    get_right = get_top = get_bottom = get_left
