"""The ball of the analogy: surfaces cut from an activation's curve, the ball resting and rolling
on them, a push, and an inset that shows where on the whole curve a surface lies."""

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
    Mobject,
    NumberLine,
    RoundedRectangle,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
)

from sigsat_math import activation

from .. import theme as th
from .curves import get_zone, plot_activation
from .text import color, get_tex


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


def get_push_arrow(ball: Mobject, length: float = 1.0, role: str = "highlight") -> Arrow:
    """A push: an arrow along +z ending just behind the ball."""
    end = ball.get_left() + LEFT * 0.05
    return Arrow(end + LEFT * length, end, buff=0, color=color(role), stroke_width=6,
                 max_tip_length_to_length_ratio=0.35)


def get_inset(name: str, role: str, z_max: float, windows: Sequence[Sequence[float]],
              width: float = 3.6, height: float = 1.5, label: str = "") -> VGroup:
    """A thumbnail of the whole activation over [-z_max, z_max] with `windows` highlighted.

    Shows that a surface is a piece of the real curve; the z span widens to hold the windows.
    """
    f = activation(name)[0]
    z_lo = min(-z_max, *(w[0] for w in windows))
    z_hi = max(z_max, *(w[1] for w in windows))
    ys = np.asarray(f(np.linspace(z_lo, z_hi, 401)), dtype=float)
    pad = 0.08 * (ys.max() - ys.min())
    axes = Axes(x_range=[z_lo, z_hi, z_hi - z_lo], y_range=[ys.min() - pad, ys.max() + pad, 1e9],
                x_length=width, y_length=height, tips=False,
                axis_config={"color": color("muted"), "stroke_width": 1.5, "include_ticks": False})
    bands = VGroup(*(get_zone(axes, *w, role="highlight").set_fill(opacity=0.3) for w in windows))
    curve = plot_activation(axes, name, role, x_range=(z_lo, z_hi))
    curve.set_stroke(width=3)
    frame = RoundedRectangle(corner_radius=0.1, width=width + 0.3, height=height + 0.3,
                             stroke_color=color("muted"), stroke_width=1.5)
    frame.move_to(axes)
    group = VGroup(frame, bands, axes, curve)
    if label:
        # Outside the frame, where neither the curve nor the band can run under it.
        tag = get_tex(label, role=role, scale=0.6)
        tag.next_to(frame, LEFT, buff=0.15, aligned_edge=UP)
        group.add(tag)
    group.axes = axes
    return group
