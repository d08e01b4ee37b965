"""Shared pieces every chapter is built from: titles, texts, numbers, formula cards, axes, bars.

Builders are `get_*` functions returning mobjects coloured from the current theme. Numbers only
enter through a sigsat_math Quantity: `NumberTex` refuses a literal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Axes,
    Circle,
    Line,
    MathTex,
    Mobject,
    Rectangle,
    RoundedRectangle,
    Text,
    VGroup,
    VMobject,
    config,
)

from sigsat_math import Quantity, activation

from . import theme as th
from .context import current_theme


def color(role: str) -> Any:
    """The current theme's colour for a role."""
    return current_theme().color(role)


# Text
def get_text(text: str, size: int = th.BODY_SIZE, role: str = "text", **kwargs: Any) -> Text:
    """A line of text in the lecture's font, coloured by role. Never put a computed number here."""
    return Text(text, font=th.FONT, font_size=size, color=color(role), **kwargs)


def get_tex(*parts: str, role: str = "text", scale: float = th.TEX_SCALE) -> MathTex:
    """A formula (LaTeX math) coloured by role."""
    return MathTex(*parts, color=color(role)).scale(scale)


def get_title(text: str) -> VGroup:
    """The chapter's heading, top left, with a thin rule under it."""
    title = get_text(text, th.TITLE_SIZE, weight="BOLD")
    title.to_corner(UL, buff=0.45)
    rule = Line(LEFT, RIGHT, color=color("muted"), stroke_width=2)
    rule.width = config.frame_width - 0.9
    rule.next_to(title, DOWN, buff=0.15, aligned_edge=LEFT)
    return VGroup(title, rule)


def get_caption_line(text: str) -> Text:
    """A sentence at the bottom of the frame, the lecture's on-screen takeaway for a beat."""
    line = get_text(text, th.CAPTION_SIZE, role="muted", slant="ITALIC")
    max_width = config.frame_width - 2 * th.SAFE_MARGIN - 0.4
    if line.width > max_width:
        line.scale_to_fit_width(max_width)
    return line.to_edge(DOWN, buff=th.SAFE_MARGIN + 0.15)


def get_bullets(lines: Sequence[str], size: int = th.BODY_SIZE, role: str = "text", buff: float = 0.28) -> VGroup:
    """Lines of text, left-aligned, one under another, each with a bullet dot."""
    items = VGroup()
    for line in lines:
        dot = Circle(radius=0.06, color=color("highlight"), fill_opacity=1, stroke_width=0)
        item = VGroup(dot, get_text(line, size, role)).arrange(RIGHT, buff=0.22)
        items.add(item)
    return items.arrange(DOWN, aligned_edge=LEFT, buff=buff)


# Numbers
def fill_tex(template: str, **values: Quantity) -> str:
    """`template` with each `<<name>>` replaced by that Quantity's LaTeX form (and nothing else)."""
    out = template
    for name, q in values.items():
        if not isinstance(q, Quantity):
            raise TypeError(f"fill_tex needs a sigsat_math Quantity for {name!r}, got {type(q).__name__}")
        out = out.replace(f"<<{name}>>", q.tex)
    if "<<" in out:
        raise KeyError(f"unfilled placeholder in {template!r}")
    return out


class NumberTex(MathTex):
    """A number on screen, bound to the sigsat_math Quantity it shows; a literal is refused."""

    def __init__(self, q: Quantity, prefix: str = "", suffix: str = "", role: str = "highlight",
                 scale: float = th.TEX_SCALE, **kwargs: Any) -> None:
        if not isinstance(q, Quantity):
            raise TypeError(f"NumberTex shows a sigsat_math Quantity, not {type(q).__name__} {q!r}")
        self.quantity = q
        super().__init__(prefix + q.tex + suffix, color=color(role), **kwargs)
        self.scale(scale)


def get_formula(template: str, role: str = "text", scale: float = th.TEX_SCALE, **values: Quantity) -> MathTex:
    """A formula with `<<name>>` placeholders filled from Quantities."""
    return get_tex(fill_tex(template, **values), role=role, scale=scale)


def get_formula_card(*lines: MathTex | Text | VMobject, title: str | None = None, buff: float = 0.3,
                     width: float | None = None) -> VGroup:
    """Formula lines on a rounded panel, optionally under a small heading."""
    body = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=buff)
    if title:
        heading = get_text(title, th.SMALL_SIZE, role="muted")
        body = VGroup(heading, body).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
    panel = RoundedRectangle(
        corner_radius=0.15,
        width=max(width or 0, body.width + 0.6),
        height=body.height + 0.5,
        fill_color=color("panel"),
        fill_opacity=1,
        stroke_color=color("muted"),
        stroke_width=1.5,
    )
    panel.move_to(body)
    return VGroup(panel, body)


def get_readout(label_tex: str, q: Quantity, role: str = "highlight") -> VGroup:
    """`label = value`, the label in text colour and the value in `role`."""
    label = get_tex(label_tex + "=")
    value = NumberTex(q, role=role)
    return VGroup(label, value).arrange(RIGHT, buff=0.15)


# Curves
def get_axes(x_range: Sequence[float], y_range: Sequence[float], width: float, height: float,
             x_label: str = "z", y_label: str = "", numbers: bool = True) -> Axes:
    """Themed axes; tick numbers come from the ranges the caller computed from the parameters."""
    axes = Axes(
        x_range=list(x_range),
        y_range=list(y_range),
        x_length=width,
        y_length=height,
        tips=False,
        axis_config={"color": color("muted"), "stroke_width": 2, "include_numbers": numbers,
                     "font_size": th.SMALL_SIZE, "decimal_number_config": {"color": color("muted"), "num_decimal_places": 0}},
    )
    labels = axes.get_axis_labels(get_tex(x_label, role="muted"), get_tex(y_label, role="muted"))
    axes.add(labels)
    return axes


def get_activation_axes(z_max: float, y_min: float = -0.1, y_max: float = 1.1,
                        width: float = 10.0, height: float = 4.5,
                        y_numbers: Sequence[float] = ()) -> Axes:
    """Axes for an activation over [-z_max, z_max] with integer ticks on z and chosen y labels."""
    step = 1 if z_max <= 8 else 2
    y_step = 0.25 if (y_max - y_min) <= 1.5 else 1
    axes = Axes(
        x_range=[-z_max, z_max, step],
        y_range=[y_min, y_max, y_step],
        x_length=width,
        y_length=height,
        tips=False,
        axis_config={"color": color("muted"), "stroke_width": 2},
        x_axis_config={"include_numbers": True, "font_size": th.SMALL_SIZE,
                       "numbers_to_exclude": [0],
                       "decimal_number_config": {"color": color("muted"), "num_decimal_places": 0}},
    )
    axes.add(axes.get_x_axis_label(get_tex("z", role="muted"), edge=RIGHT, direction=RIGHT, buff=0.3))
    if y_numbers:
        axes.y_axis.add_numbers(list(y_numbers), font_size=th.SMALL_SIZE, num_decimal_places=2,
                                color=color("muted"))
    return axes


def plot_activation(axes: Axes, name: str, role: str, derivative: bool = False,
                    x_range: Sequence[float] | None = None, *alpha: float) -> VMobject:
    """The graph of a sigsat_math activation (or its derivative) on the axes."""
    f = activation(name)[1 if derivative else 0]
    lo, hi = x_range if x_range is not None else axes.x_range[:2]
    # Kinks (ReLU at 0) need a sample exactly there; an even count keeps 0 in the grid.
    zs = np.linspace(lo, hi, 401)
    ys = np.asarray(f(zs, *alpha), dtype=float)
    if not derivative or name in ("sigmoid", "gelu", "elu"):
        graph = axes.plot_line_graph(zs, ys, add_vertex_dots=False, line_color=color(role), stroke_width=th.STROKE)
        return graph["line_graph"]
    # Step derivatives (ReLU', Leaky ReLU') jump at 0: draw the two sides apart, not joined.
    left = zs <= 0
    parts = VGroup()
    for mask in (left, ~left):
        g = axes.plot_line_graph(zs[mask], ys[mask], add_vertex_dots=False, line_color=color(role), stroke_width=th.STROKE)
        parts.add(g["line_graph"])
    return parts


def curve_point(axes: Axes, name: str, z: float, derivative: bool = False, *alpha: float) -> np.ndarray:
    """The scene point of (z, f(z)) on the axes."""
    f = activation(name)[1 if derivative else 0]
    return axes.c2p(z, float(f(z, *alpha)))


def get_tangent(axes: Axes, name: str, z: float, length: float = 2.5, role: str = "highlight") -> Line:
    """The tangent to activation `name` at z, its slope f'(z) in the axes' coordinates."""
    f, fp = activation(name)
    y, slope = float(f(z)), float(fp(z))
    # Unit direction in scene space, so the drawn length is the same at every slope.
    p0, p1 = axes.c2p(z, y), axes.c2p(z + 1, y + slope)
    direction = (p1 - p0) / np.linalg.norm(p1 - p0)
    return Line(p0 - direction * length / 2, p0 + direction * length / 2, color=color(role), stroke_width=4)


def get_zone(axes: Axes, z_from: float, z_to: float, role: str = "saturated") -> Rectangle:
    """A translucent band over the axes' full height between two z values."""
    y0, y1 = axes.y_range[:2]
    bl, tr = axes.c2p(z_from, y0), axes.c2p(z_to, y1)
    band = Rectangle(width=abs(tr[0] - bl[0]), height=abs(tr[1] - bl[1]), stroke_width=0,
                     fill_color=color(role), fill_opacity=th.ZONE_OPACITY)
    band.move_to((bl + tr) / 2)
    return band


# Things that move
def get_ball(radius: float = 0.22) -> Circle:
    """The ball of the analogy."""
    ball = Circle(radius=radius, color=color("ball"), fill_color=color("ball"), fill_opacity=1, stroke_width=2)
    return ball


def get_gradient_bar(q: Quantity, max_value: float, height: float, role: str = "derivative",
                     width: float = 0.6, log_floor: float | None = None) -> VGroup:
    """A bar standing on its base whose height is q.value against max_value (log scale if log_floor).

    On a log scale the bar spans log10(value) from log10(log_floor) up to log10(max_value).
    """
    if not isinstance(q, Quantity):
        raise TypeError(f"a gradient bar shows a sigsat_math Quantity, not {type(q).__name__}")
    h = bar_height(q.value, max_value, height, log_floor)
    bar = Rectangle(width=width, height=max(h, 1e-3), stroke_width=0, fill_color=color(role), fill_opacity=1)
    bar.height_value = h
    return VGroup(bar)


def bar_height(value: float, max_value: float, height: float, log_floor: float | None = None) -> float:
    """Drawn height of a bar for value on a linear (or log, from log_floor) scale up to max_value."""
    if log_floor is None:
        return height * max(0.0, value) / max_value
    if value <= log_floor:
        return 0.0
    return height * (math.log10(value) - math.log10(log_floor)) / (math.log10(max_value) - math.log10(log_floor))


def arrange_in_frame(mob: Mobject, top: float | None = None, max_width: float | None = None) -> Mobject:
    """Shrink mob to fit the safe width and put its top edge at `top` (default under the title)."""
    limit = max_width or (config.frame_width - 2 * th.SAFE_MARGIN - 0.2)
    if mob.width > limit:
        mob.scale_to_fit_width(limit)
    if top is not None:
        mob.shift(UP * (top - mob.get_top()[1]))
    return mob


