"""Icons: small pictures that recall a chapter (the ball on a plateau, shrinking bars, the
activation variants, a neuron with its weights)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    Arrow,
    Circle,
    Line,
    Mobject,
    Rectangle,
    VGroup,
)

from sigsat_math import activation

from .. import theme as th
from .ball import get_ball, get_surface, place_ball
from .bars import bar_height
from .curves import get_mini_plot
from .text import color, get_tex, get_text


def get_ball_icon(name: str, z_range: Sequence[float], z_ball: float, width: float = 2.0,
                  stretch: float = 2.5, role: str = "sigmoid", radius: float = 0.11) -> VGroup:
    """A piece of activation `name` as ground (get_surface, heights stretched to read at icon
    size) with the ball resting on it at z_ball."""
    ys = np.asarray(activation(name)[0](np.linspace(z_range[0], z_range[1], 101)), dtype=float)
    pad = 0.1 * max(ys.max() - ys.min(), 1e-9)
    surface = get_surface(name, z_range, (ys.min() - pad, ys.max() + pad),
                          width / (z_range[1] - z_range[0]), role, False)
    surface.stretch(stretch, 1)
    ball = place_ball(get_ball(radius), surface, z_ball)
    return VGroup(surface, ball)


def get_bars_icon(values: Sequence[float], width: float = 2.0, height: float = 1.0,
                  role: str = "derivative", log_floor: float | None = None) -> VGroup:
    """Bars on one baseline, left to right, each as tall as its value against the largest (on a
    log scale above `log_floor` if given): gradients shrinking layer by layer, as an icon."""
    pitch, top = width / len(values), max(values)
    bars = VGroup()
    for i, v in enumerate(values):
        h = max(bar_height(v, top, height, log_floor), 0.02)
        bar = Rectangle(width=0.7 * pitch, height=h, stroke_width=0, fill_color=color(role), fill_opacity=1)
        bars.add(bar.move_to(RIGHT * (i + 0.5) * pitch, aligned_edge=DOWN))
    base = Line(LEFT * 0.05, RIGHT * (width + 0.05), color=color("muted"), stroke_width=1.5)
    group = VGroup(base, bars)
    group.bars = bars
    return group


def get_variant_icons(z_max: float, variants: dict[str, tuple[str, Sequence[float]]], width: float = 1.6,
                      height: float = 1.0, role: str = "relu") -> VGroup:
    """A row of small plots, one per activation, each named under it: variants maps a
    sigsat_math activation name to (name on screen, its alpha: () when it has none)."""
    icons = VGroup(*(VGroup(get_mini_plot(key, z_max, width, height, role, alpha=alpha),
                            get_text(label, th.SMALL_SIZE, role)).arrange(DOWN, buff=0.15)
                     for key, (label, alpha) in variants.items()))
    return icons.arrange(RIGHT, buff=0.4, aligned_edge=DOWN)


def get_neuron(inputs: Sequence[Mobject], role: str = "relu", radius: float = 0.5,
               spacing: float = 0.45, reach: float = 1.8, gap_after: int | None = None) -> VGroup:
    """A neuron: input labels stacked on the left, a weight arrow from each into the body, and an
    output arrow; `gap_after` puts a vertical ellipsis (the inputs not drawn) after that many.

    `group.body`, `group.inputs`, `group.arrows` (the weights) and `group.output` name the parts.
    """
    items = list(inputs)
    if gap_after is not None:
        items.insert(gap_after, get_tex(r"\vdots", role="muted"))
    column = VGroup(*items).arrange(DOWN, buff=spacing)
    body = Circle(radius=radius, stroke_color=color(role), stroke_width=4, fill_color=color("panel"),
                  fill_opacity=1)
    body.next_to(column, RIGHT, buff=reach)
    arrows = VGroup()
    for m in inputs:
        start = m.get_right() + RIGHT * 0.1
        direction = (body.get_center() - start) / np.linalg.norm(body.get_center() - start)
        arrows.add(Arrow(start, body.get_center() - direction * radius, buff=0, color=color("muted"),
                         stroke_width=3, max_tip_length_to_length_ratio=0.12, tip_length=0.16))
    output = Arrow(body.get_right(), body.get_right() + RIGHT * 1.1, buff=0, color=color(role),
                   stroke_width=3, tip_length=0.16)
    group = VGroup(column, arrows, body, output)
    group.body, group.inputs, group.arrows, group.output = body, column, arrows, output
    return group
