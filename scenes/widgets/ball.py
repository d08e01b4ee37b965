"""The ball of the analogy: surfaces cut from an activation's curve, the ball resting and rolling
downhill on them, a step, straight ramps, and an inset that shows where on the whole curve a
surface lies."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    UP,
    Animation,
    Arrow,
    Axes,
    Circle,
    Line,
    Mobject,
    NumberLine,
    RoundedRectangle,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
)

from sigsat_math import BallRun, Quantity, activation

from .. import theme as th
from .bars import get_gradient_bar
from .curves import get_zone, plot_activation
from .text import color, get_formula, get_number, get_tex, get_text


def get_ball(radius: float = 0.22) -> Circle:
    """The ball of the analogy."""
    ball = Circle(radius=radius, color=color("ball"), fill_color=color("ball"), fill_opacity=1, stroke_width=2)
    return ball


def get_surface(name: str, z_range: Sequence[float], y_range: Sequence[float], unit: float,
                role: str, ruler: bool = True, alpha: Sequence[float] = ()) -> VGroup:
    """A piece of activation `name` over z_range as ground: its curve on top, filled to the floor.

    z and f(z) share one `unit`, so a slope is drawn as steep as it is. The group's `axes`
    (invisible, moving with the group) place things on the surface; `ruler` adds a z scale
    with integer ticks under the ground.
    """
    (z_lo, z_hi), (y_lo, y_hi) = z_range, y_range
    axes = Axes(x_range=[z_lo, z_hi, z_hi - z_lo], y_range=[y_lo, y_hi, y_hi - y_lo],
                x_length=(z_hi - z_lo) * unit, y_length=(y_hi - y_lo) * unit, tips=False)
    axes.set_opacity(0)
    f = activation(name)[0]
    # Kinks (ReLU at 0) need a sample exactly there.
    zs = np.union1d(np.linspace(z_lo, z_hi, 400), [z for z in (0.0,) if z_lo < z < z_hi])
    top = [axes.c2p(z, float(f(z, *alpha))) for z in zs]
    curve = VMobject(stroke_color=color(role), stroke_width=th.STROKE).set_points_as_corners(top)
    # The ground fades towards its floor: its depth carries no meaning, only its top edge does.
    ground = VMobject(stroke_width=0).set_points_as_corners(
        [*top, axes.c2p(z_hi, y_lo), axes.c2p(z_lo, y_lo), top[0]])
    ground.set_fill([color(role)] * 2, opacity=[2 * th.ZONE_OPACITY, 0.0]).set_sheen_direction(DOWN)
    group = VGroup(axes, ground, curve)
    # Integer ticks, spread out when the unit is small so that their labels stay apart.
    step = next(s for s in (1, 2, 5, 10, 20, 50) if s * unit >= 0.6 or s == 50)
    first, last = math.ceil(z_lo / step) * step, math.floor(z_hi / step) * step
    if ruler and last > first:
        line = NumberLine(x_range=[first, last, step], length=(last - first) * unit,
                          color=color("muted"), stroke_width=2, include_numbers=True,
                          font_size=th.SMALL_SIZE,
                          decimal_number_config={"color": color("muted"), "num_decimal_places": 0})
        line.shift(axes.c2p(first, y_lo) - line.n2p(first) + DOWN * 0.12)
        group.add(line)
    group.axes, group.curve, group.ground = axes, curve, ground
    group.name, group.alpha = name, tuple(alpha)
    return group


def ball_center(axes: Axes, name: str, z: float, radius: float, alpha: Sequence[float] = ()) -> np.ndarray:
    """Centre of a ball of `radius` resting on activation `name` at z, touching (z, f(z))."""
    f, fp = activation(name)
    y, slope = float(f(z, *alpha)), float(fp(z, *alpha))
    p0, p1 = axes.c2p(z, y), axes.c2p(z + 1, y + slope)
    tangent = (p1 - p0) / np.linalg.norm(p1 - p0)
    normal = np.array([-tangent[1], tangent[0], 0.0])
    return p0 + radius * normal


def place_ball(ball: Mobject, surface: VGroup, z: float) -> Mobject:
    """Put `ball` (a get_ball) at rest on `surface` (a get_surface) at z."""
    return ball.move_to(ball_center(surface.axes, surface.name, z, ball.width / 2, surface.alpha))


def get_resting_ball(surface: VGroup, z: float, radius: float = 0.22) -> VGroup:
    """A ball resting on `surface` (a get_surface) at z, over a hollow mark where it started."""
    ghost = Circle(radius=radius, stroke_color=color("muted"), stroke_width=2)
    ball = get_ball(radius)
    for m in (ghost, ball):
        place_ball(m, surface, z)
    return VGroup(ghost, ball)


def roll_ball(ball: Mobject, surface: VGroup, z_from: float, z_to: float,
              **kwargs: Any) -> Animation:
    """The ball rolling along `surface` from z_from to z_to, resting on the curve all the way."""
    return UpdateFromAlphaFunc(
        ball, lambda m, a: place_ball(m, surface, z_from + (z_to - z_from) * a), **kwargs)


def get_step_arrow(ball: Mobject, length: float = 1.0, role: str = "highlight") -> Arrow:
    """A step: an arrow from the ball's downhill side (towards -z, where every surface of the
    analogy falls), `length` long."""
    start = ball.get_left() + LEFT * 0.05
    return Arrow(start, start + LEFT * length, buff=0, color=color(role), stroke_width=6,
                 max_tip_length_to_length_ratio=0.35)


def get_inset(name: str, role: str, z_max: float, windows: Sequence[Sequence[float]],
              width: float = 3.6, height: float = 1.5, label: str = "") -> VGroup:
    """A thumbnail of the whole activation over [-z_max, z_max] with `windows` highlighted.

    Shows that a surface is a piece of the real curve; the z span widens to hold the windows.
    `frame`, `bands`, `axes`, `curve` and `tag` name the parts.
    """
    f = activation(name)[0]
    z_lo = min(-z_max, *(w[0] for w in windows))
    z_hi = max(z_max, *(w[1] for w in windows))
    ys = np.asarray(f(np.linspace(z_lo, z_hi, 401)), dtype=float)
    pad = 0.08 * (ys.max() - ys.min())
    axes = Axes(x_range=[z_lo, z_hi, z_hi - z_lo], y_range=[ys.min() - pad, ys.max() + pad, 1e9],
                x_length=width, y_length=height, tips=False,
                axis_config={"color": color("muted"), "stroke_width": 1.5, "include_ticks": False})
    bands = VGroup(*(get_zone(axes, *w, role="highlight").set_fill(opacity=0.3)
                     for w in apart(windows, 0.02 * (z_hi - z_lo))))
    curve = plot_activation(axes, name, role, x_range=(z_lo, z_hi))
    curve.set_stroke(width=3)
    frame = RoundedRectangle(corner_radius=0.1, width=width + 0.3, height=height + 0.3,
                             stroke_color=color("muted"), stroke_width=1.5)
    frame.move_to(axes)
    group = VGroup(frame, bands, axes, curve)
    tag = VGroup()
    if label:
        # Outside the frame, where neither the curve nor the band can run under it.
        tag = get_tex(label, role=role, scale=0.6)
        tag.next_to(frame, LEFT, buff=0.15, aligned_edge=UP)
        group.add(tag)
    group.frame, group.bands, group.axes, group.curve, group.tag = frame, bands, axes, curve, tag
    return group


def apart(windows: Sequence[Sequence[float]], gap: float) -> list[tuple[float, float]]:
    """Windows as an inset draws them: where two overlap or touch, both give way to the middle of
    their overlap, `gap` apart, so that they read as two windows and not one wide one."""
    out = [[float(w[0]), float(w[1])] for w in windows]
    order = sorted(range(len(out)), key=lambda i: out[i][0])
    for a, b in zip(order, order[1:], strict=False):
        if out[a][1] + gap > out[b][0]:
            middle = (out[a][1] + out[b][0]) / 2
            out[a][1], out[b][0] = middle - gap / 2, middle + gap / 2
    return [(lo, hi) for lo, hi in out]


def get_inset_map(name: str, role: str, z_max: float, spots: Sequence[tuple[Sequence[float], float, str]],
                  width: float, height: float, label: str) -> VGroup:
    """A get_inset with, for each spot (window, start z, word), a small ball at the start and the
    word under the window (stacked when windows lie close): where on the whole curve each
    surface of the analogy lies. `group.inset` and `group.words` name the parts."""
    inset = get_inset(name, role, z_max, [w for w, _, _ in spots], width, height, label)
    f = activation(name)[0]
    words, inset.balls = VGroup(), VGroup()
    for (lo, hi), z, text in spots:
        inset.balls.add(get_ball(0.09).move_to(inset.axes.c2p(z, float(f(z)))))
        word = get_text(text, th.SMALL_SIZE, "muted")
        word.next_to(inset[0], DOWN, buff=0.12).set_x(inset.axes.c2p((lo + hi) / 2, 0)[0])
        if any(abs(word.get_x() - w.get_x()) < (word.width + w.width) / 2 + 0.2 for w in words):
            word.shift(DOWN * (word.height + 0.1))
        words.add(word)
    inset.add(inset.balls)
    group = VGroup(inset, words)
    group.inset, group.words = inset, words
    return group


def get_saturated_stretch(surface: VGroup, threshold: float, inclusive: bool, t: Quantity,
                          least: float) -> list[VGroup]:
    """The saturated pieces of a sigmoid surface's window (|z| beyond the threshold, at least
    `least` wide), drawn over its curve in the saturated colour and labelled under it."""
    lo, hi = surface.axes.x_range[:2]
    out = []
    for a, b, sign in ((max(lo, threshold), hi, r"\geq" if inclusive else ">"),
                       (lo, min(hi, -threshold), r"\leq -" if inclusive else "< -")):
        if b - a < least:
            continue
        piece = plot_activation(surface.axes, "sigmoid", "saturated", x_range=(a, b))
        label = VGroup(get_text("saturated", th.SMALL_SIZE, "saturated"),
                       get_formula(rf"z {sign}<<t>>", role="saturated", t=t))
        label.arrange(DOWN, buff=0.1).next_to(piece, DOWN, buff=0.35)
        if label.width > piece.width:
            label.scale_to_fit_width(piece.width)
        out.append(VGroup(piece, label))
    return out


def get_distance_bars(distances: Sequence[Quantity], xs: Sequence[float], roles: Sequence[str],
                      floor: float, height: float, width: float) -> VGroup:
    """One bar per distance, to one linear scale (the longest `height` tall), standing on a
    baseline at y = floor under the given x, its number above it, "distance rolled" below."""
    top = max(q.value for q in distances)
    bars = VGroup()
    for q, x, role in zip(distances, xs, roles, strict=True):
        bar = get_gradient_bar(q, top, height, role=role, width=0.7)
        bar.move_to([x, floor, 0], aligned_edge=DOWN)
        bars.add(VGroup(bar, get_number(q, th.BODY_SIZE).next_to(bar, UP, buff=0.15)))
    base = Line([-width / 2, floor, 0], [width / 2, floor, 0], color=color("muted"), stroke_width=2)
    base.set_x((min(xs) + max(xs)) / 2)
    note = get_text("distance rolled", th.SMALL_SIZE, "muted").next_to(base, DOWN, buff=0.12)
    group = VGroup(*bars, base, note)
    group.bars, group.base, group.note = bars, base, note
    return group


class SurfaceSet:
    """The analogy's surfaces, each a window of its curve around its ball's run: all windows one z
    width (so that a distance looks the same on every surface), and surfaces of one size share one
    unit and one box. `runs` maps a key to the sigsat_math BallRun on that surface."""

    def __init__(self, runs: dict[str, BallRun], margin: float) -> None:
        self.runs = runs
        self.span = max(r.distance for r in runs.values()) + 2 * margin
        self.windows = {k: ((r.z[0] + r.z[-1] - self.span) / 2, (r.z[0] + r.z[-1] + self.span) / 2)
                        for k, r in runs.items()}
        # Every activation of the analogy rises, so a window's lowest and highest points are its ends.
        ends = {k: np.asarray(activation(r.surface)[0](np.array(self.windows[k])), dtype=float)
                for k, r in runs.items()}
        self.tops = {k: float(e[1]) for k, e in ends.items()}
        self.rise = max(float(e[1] - e[0]) for e in ends.values())

    def surface(self, key: str, width: float, height: float, radius: float, ruler: bool = True) -> VGroup:
        """Surface `key` (a get_surface) in a width x height box, with room above for a ball of `radius`."""
        unit = min(width / self.span, (height - 3 * radius) / self.rise)
        top = self.tops[key] + 3 * radius / unit
        name = self.runs[key].surface
        return get_surface(name, self.windows[key], (top - height / unit, top), unit, name, ruler)


def get_ramp(length: float, rise: float, role: str, depth: float = 0.5) -> VGroup:
    """Straight ground rising `rise` over `length` from left to right, filled below as get_surface
    fills its curve: a slope with nothing else to it. `ramp.top` is its top edge."""
    a, b = np.array([0.0, 0.0, 0.0]), np.array([length, rise, 0.0])
    top = Line(a, b, color=color(role), stroke_width=th.STROKE)
    ground = VMobject(stroke_width=0).set_points_as_corners([a, b, b + DOWN * (rise + depth), a + DOWN * depth, a])
    ground.set_fill([color(role)] * 2, opacity=[2 * th.ZONE_OPACITY, 0.0]).set_sheen_direction(DOWN)
    ramp = VGroup(ground, top)
    ramp.top = top
    return ramp


def place_on_ramp(ball: Mobject, ramp: VGroup, s: float) -> Mobject:
    """Put `ball` at rest on `ramp` (a get_ramp) a fraction s of the way from its low end."""
    a, b = ramp.top.get_start(), ramp.top.get_end()
    along = (b - a) / np.linalg.norm(b - a)
    return ball.move_to(a + s * (b - a) + ball.width / 2 * np.array([-along[1], along[0], 0.0]))


def slide_ball(ball: Mobject, ramp: VGroup, s_from: float, s_to: float, **kwargs: Any) -> Animation:
    """The ball rolling along `ramp` from fraction s_from to s_to of its length."""
    return UpdateFromAlphaFunc(ball, lambda m, a: place_on_ramp(m, ramp, s_from + (s_to - s_from) * a), **kwargs)
