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
    Animation,
    Arrow,
    Axes,
    Circle,
    Line,
    MathTex,
    Mobject,
    NumberLine,
    Rectangle,
    RoundedRectangle,
    Text,
    UpdateFromAlphaFunc,
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
    if not derivative or name in ("sigmoid", "gelu"):
        graph = axes.plot_line_graph(zs, ys, add_vertex_dots=False, line_color=color(role), stroke_width=th.STROKE)
        return graph["line_graph"]
    # Step derivatives (ReLU', Leaky ReLU', and ELU' unless alpha = 1) jump at 0: draw the two
    # sides apart, not joined.
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


# The ball on a surface: a piece of an activation's curve as ground, and where a ball rests on it
def get_surface(name: str, z_range: Sequence[float], y_range: Sequence[float], unit: float,
                role: str, ruler: bool = True, *alpha: float) -> VGroup:
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
    group.name, group.alpha = name, alpha
    return group


def ball_center(axes: Axes, name: str, z: float, radius: float, *alpha: float) -> np.ndarray:
    """Centre of a ball of `radius` resting on activation `name` at z, touching (z, f(z))."""
    f, fp = activation(name)
    y, slope = float(f(z, *alpha)), float(fp(z, *alpha))
    p0, p1 = axes.c2p(z, y), axes.c2p(z + 1, y + slope)
    tangent = (p1 - p0) / np.linalg.norm(p1 - p0)
    normal = np.array([-tangent[1], tangent[0], 0.0])
    return p0 + radius * normal


def place_ball(ball: Mobject, surface: VGroup, z: float) -> Mobject:
    """Put `ball` (a get_ball) at rest on `surface` (a get_surface) at z."""
    return ball.move_to(ball_center(surface.axes, surface.name, z, ball.width / 2, *surface.alpha))


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
    curve = plot_activation(axes, name, role, False, (z_lo, z_hi))
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


def get_table(rows: Sequence[tuple[str, Mobject]], width: float | None = None,
              buff: float = 0.22, value_width: float = 0.0) -> VGroup:
    """A card of `label  value` rows: muted labels, values on one left edge (group.values).

    `value_width` keeps room for the widest value a row will show later.
    """
    labels = [get_text(label, th.SMALL_SIZE, "muted") for label, _ in rows]
    column = max(label.width for label in labels) + 0.35
    body = VGroup()
    for label, (_, value) in zip(labels, rows, strict=True):
        value.next_to(label, RIGHT, buff=column - label.width)
        body.add(VGroup(label, value))
    body.arrange(DOWN, aligned_edge=LEFT, buff=buff)
    inner = max(body.width, column + value_width)
    panel = RoundedRectangle(corner_radius=0.15, width=max(width or 0, inner + 0.6),
                             height=body.height + 0.5, fill_color=color("panel"), fill_opacity=1,
                             stroke_color=color("muted"), stroke_width=1.5)
    panel.move_to(body).align_to(body, LEFT).shift(LEFT * 0.3)
    card = VGroup(panel, body)
    card.values = [row[1] for row in body]
    return card


def get_resting_ball(surface: VGroup, z: float, radius: float = 0.22) -> VGroup:
    """A ball resting on `surface` (a get_surface) at z, over a hollow mark where it started."""
    ghost = Circle(radius=radius, stroke_color=color("muted"), stroke_width=2)
    ball = get_ball(radius)
    for m in (ghost, ball):
        place_ball(m, surface, z)
    return VGroup(ghost, ball)


# Gradients through layers: a layer stack, a backward pulse, a log scale with bars on it
def log_decades(values: Sequence[float], headroom: float = 0.3) -> tuple[int, int]:
    """Whole decades (lo, hi) with 10^lo a little under the smallest positive value and 10^hi
    at or above the largest, so every bar on the scale shows."""
    positive = [v for v in values if v > 0]
    if not positive:
        raise ValueError("a log scale needs at least one positive value")
    lo = math.floor(math.log10(min(positive)) - headroom)
    hi = max(lo + 1, math.ceil(math.log10(max(positive)) - 1e-12))
    return lo, hi


def decade_ticks(lo: int, hi: int, most: int = 6) -> list[int]:
    """Exponents to label between 10^lo and 10^hi, top down: every decade, or every k-th."""
    step = max(1, math.ceil((hi - lo) / (most - 1)))
    return list(range(hi, lo - 1, -step))


def get_decade_label(k: int, role: str = "muted", scale: float = 0.55) -> MathTex:
    """A decade's label on a log scale: 10^k (1 for k = 0)."""
    return get_tex("1" if k == 0 else f"10^{{{k}}}", role=role, scale=scale)


def get_log_axis(lo: int, hi: int, height: float, grid_width: float = 0.0, role: str = "muted",
                 most: int = 6) -> VGroup:
    """A vertical log scale from 10^lo (its bottom) to 10^hi (its top), decades labelled on the left.

    `grid_width` > 0 draws faint decade lines that far to the right. The group's `y_for(value)`
    is the scene y of a value wherever the axis has since moved or been scaled; `ticks` maps
    each labelled exponent to its label.
    """
    line = Line(UP * 0, UP * height, color=color(role), stroke_width=2)
    marks, labels, grid = VGroup(), VGroup(), VGroup()
    group = VGroup(grid, line, marks, labels)
    group.lo, group.hi, group.line, group.ticks = lo, hi, line, {}

    def y_for(value: float) -> float:
        bottom, top = line.get_bottom()[1], line.get_top()[1]
        return float(bottom + bar_height(value, 10.0**hi, top - bottom, 10.0**lo))

    group.y_for = y_for
    for k in decade_ticks(lo, hi, most):
        y = y_for(10.0**k)
        marks.add(Line(LEFT * 0.1 + UP * y, RIGHT * 0.1 + UP * y, color=color(role), stroke_width=2))
        label = get_decade_label(k, role)
        label.next_to(LEFT * 0.12 + UP * y, LEFT, buff=0.1)
        labels.add(label)
        group.ticks[k] = label
        if grid_width > 0:
            grid.add(Line(UP * y, RIGHT * grid_width + UP * y, color=color(role), stroke_width=1,
                          stroke_opacity=0.35))
    return group


def get_log_bars(quantities: Sequence[Quantity], axis: VGroup, xs: Sequence[float],
                 width: float, role: str = "derivative") -> VGroup:
    """One bar per Quantity, standing on a get_log_axis's floor at the given x, to its scale."""
    bars = VGroup()
    bottom, top = axis.line.get_bottom()[1], axis.line.get_top()[1]
    for q, x in zip(quantities, xs, strict=True):
        bar = get_gradient_bar(q, 10.0**axis.hi, top - bottom, role=role, width=width,
                               log_floor=10.0**axis.lo)
        bar.move_to([x, 0, 0]).align_to(axis.line, DOWN)
        bars.add(bar)
    return bars


def get_layer_stack(count: int, pitch: float, box_width: float = 0.8, box_height: float = 0.9,
                    role: str = "sigmoid") -> VGroup:
    """`count` numbered layer boxes left to right (layer 1 first), joined by forward arrows, then
    the loss L. `boxes`, `arrows` and `loss` name the parts; the loss sits one pitch after the
    last layer."""
    boxes, labels, arrows = VGroup(), VGroup(), VGroup()
    for k in range(1, count + 1):
        box = RoundedRectangle(corner_radius=0.1, width=box_width, height=box_height,
                               stroke_color=color(role), stroke_width=3, fill_color=color("panel"),
                               fill_opacity=1)
        box.move_to(RIGHT * (k - 1) * pitch)
        label = get_tex(str(k), role=role, scale=0.7).move_to(box)
        label.scale_to_fit_width(min(label.width, 0.75 * box_width))
        boxes.add(box)
        labels.add(label)
    loss = Circle(radius=min(box_width, box_height) / 2, stroke_color=color("highlight"),
                  stroke_width=3, fill_color=color("panel"), fill_opacity=1)
    loss.move_to(RIGHT * count * pitch)
    loss_label = get_tex("L", role="highlight", scale=0.8).move_to(loss)
    nodes = [*boxes, loss]
    for a, b in zip(nodes[:-1], nodes[1:], strict=True):
        arrows.add(Arrow(a.get_right(), b.get_left(), buff=0.06, color=color("muted"),
                         stroke_width=2, max_tip_length_to_length_ratio=0.25, tip_length=0.15))
    stack = VGroup(arrows, boxes, labels, loss, loss_label)
    stack.boxes, stack.labels, stack.arrows, stack.loss = boxes, labels, arrows, VGroup(loss, loss_label)
    return stack


def get_pulse(radius: float = 0.16, role: str = "highlight") -> VGroup:
    """The gradient travelling backward: a bright dot in a soft halo (scale it to its size)."""
    halo = Circle(radius=radius * 2.0, stroke_width=0, fill_color=color(role), fill_opacity=0.25)
    core = Circle(radius=radius, stroke_width=0, fill_color=color(role), fill_opacity=1)
    return VGroup(halo, core)


def get_log_axes(x_max: int, lo: int, hi: int, width: float, height: float,
                 x_label: str = "", most: int = 6) -> Axes:
    """Axes with integer x from 0 to x_max and a log y from 10^lo to 10^hi, decades labelled.

    `axes.to_point(x, value)` is the scene point of (x, value) on the log scale.
    """
    # y runs over exponents counted from lo, so that the x axis (at y = 0) lies along the floor.
    axes = Axes(
        x_range=[0, x_max, 1], y_range=[0, hi - lo, 1], x_length=width, y_length=height, tips=False,
        axis_config={"color": color("muted"), "stroke_width": 2},
        x_axis_config={"include_numbers": True, "font_size": th.SMALL_SIZE,
                       "decimal_number_config": {"color": color("muted"), "num_decimal_places": 0}},
    )
    for k in decade_ticks(lo, hi, most):
        label = get_decade_label(k)
        label.next_to(axes.c2p(0, k - lo), LEFT, buff=0.2)
        axes.add(label)
    if x_label:
        axes.add(get_text(x_label, th.SMALL_SIZE, "muted").next_to(axes.x_axis, DOWN, buff=0.3))
    axes.to_point = lambda x, value: axes.c2p(x, math.log10(value) - lo)
    return axes


# Icons, a neuron and a wrapped paragraph: the opening's preview, the ReLU chapter, the takeaways
def get_paragraph(text: str, width: float, size: int = th.BODY_SIZE, role: str = "text",
                  t2c: dict[str, Any] | None = None, buff: float = 0.18) -> VGroup:
    """`text` broken at spaces into left-aligned lines no wider than `width` (a parameter's text
    of any length); `t2c` colours phrases that fall on one line."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and get_text(trial, size, role).width > width:
            lines.append(current)
            current = word
        else:
            current = trial
    lines.append(current)
    para = VGroup(*(get_text(line, size, role, t2c=t2c or {}) for line in lines))
    para.arrange(DOWN, aligned_edge=LEFT, buff=buff)
    if para.width > width:  # a single word longer than the line
        para.scale_to_fit_width(width)
    return para


def get_mini_plot(name: str, z_max: float, width: float = 2.0, height: float = 1.0,
                  role: str | None = "relu", prime_role: str | None = None,
                  alpha: Sequence[float] = (), y_range: Sequence[float] | None = None) -> VGroup:
    """A small plot without numbers of activation `name` over [-z_max, z_max]: an icon.

    `role` colours f (None leaves it out), `prime_role` colours f' (None leaves it out); y spans
    the drawn curves and 0 unless `y_range` says. `group.axes`, `group.curve`, `group.prime`
    (None when left out) name the parts, for placing marks on the icon.
    """
    f, fp = activation(name)
    drawn = [fn for fn, r in ((f, role), (fp, prime_role)) if r]
    if y_range is None:
        zs = np.linspace(-z_max, z_max, 401)
        ys = np.concatenate([np.asarray(fn(zs, *alpha), dtype=float) for fn in drawn] + [np.zeros(1)])
        pad = 0.08 * (ys.max() - ys.min())
        y_range = (ys.min() - pad, ys.max() + pad)
    y_lo, y_hi = y_range
    axes = Axes(x_range=[-z_max, z_max, z_max], y_range=[y_lo, y_hi, y_hi - y_lo], x_length=width,
                y_length=height, tips=False,
                axis_config={"color": color("muted"), "stroke_width": 1.5, "include_ticks": False})
    group = VGroup(axes)
    group.axes, group.curve, group.prime = axes, None, None
    for derivative, r in ((False, role), (True, prime_role)):
        if r:
            graph = plot_activation(axes, name, r, derivative, None, *alpha).set_stroke(width=3)
            group.add(graph)
            setattr(group, "prime" if derivative else "curve", graph)
    return group


def get_slope_mark(axes: Axes, z: float, run: float, slope: float, role: str = "highlight") -> VGroup:
    """The run-and-rise triangle under a straight piece of curve from (z, y) where y = slope * z:
    a step of `run` along z, then up by slope * run."""
    y = slope * z
    a, b, c = axes.c2p(z, y), axes.c2p(z + run, y), axes.c2p(z + run, y + slope * run)
    mark = VGroup(Line(a, b, color=color(role), stroke_width=2.5), Line(b, c, color=color(role), stroke_width=2.5))
    mark.rise = mark[1]
    return mark


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


def get_rows(rows: Sequence[Sequence[Mobject]], col_buff: float = 0.5, row_buff: float = 0.4) -> VGroup:
    """Rows of cells whose columns line up: a column starts `col_buff` after the widest cell of
    the column before it; rows stack top-down `row_buff` apart, cells centred on their row."""
    widths = [max(r[i].width for r in rows if i < len(r)) for i in range(max(len(r) for r in rows))]
    out = VGroup()
    for row in rows:
        x = 0.0
        for i, cell in enumerate(row):
            cell.move_to([x, 0, 0], aligned_edge=LEFT)
            x += widths[i] + col_buff
        out.add(VGroup(*row))
    return out.arrange(DOWN, aligned_edge=LEFT, buff=row_buff)


def get_dots_on_curve(axes: Axes, name: str, zs: Sequence[float], derivative: bool = False,
                      role: str = "saturated", radius: float = 0.045, *alpha: float) -> VMobject:
    """A dot at (z, f(z)) (or f'(z)) on the axes for every z in zs that lies on the axes' z range:
    where a batch of inputs lands on an activation. One mobject of many small discs, not one
    mobject per dot: a batch has hundreds, and every animation copies what it moves."""
    f = activation(name)[1 if derivative else 0]
    lo, hi = axes.x_range[:2]
    disc = Circle(radius=radius).points
    dots = VMobject(stroke_width=0, fill_color=color(role), fill_opacity=0.6)
    for z in zs:
        if lo <= z <= hi:
            dots.append_points(disc + axes.c2p(z, float(f(z, *alpha))))
    return dots


def get_variant_icons(z_max: float, variants: dict[str, tuple[str, Sequence[float]]], width: float = 1.6,
                      height: float = 1.0, role: str = "relu") -> VGroup:
    """A row of small plots, one per activation, each named under it: variants maps a
    sigsat_math activation name to (name on screen, its alpha: () when it has none)."""
    icons = VGroup(*(VGroup(get_mini_plot(key, z_max, width, height, role, alpha=alpha),
                            get_text(label, th.SMALL_SIZE, role)).arrange(DOWN, buff=0.15)
                     for key, (label, alpha) in variants.items()))
    return icons.arrange(RIGHT, buff=0.4, aligned_edge=DOWN)


def get_stacked_plots(name: str, z_max: float, width: float, heights: Sequence[float],
                      y_ranges: Sequence[Sequence[float]], labels: Sequence[str] = ("", ""),
                      roles: Sequence[str] = ("relu", "derivative"), buff: float = 0.55,
                      *alpha: float) -> VGroup:
    """Activation `name` on axes over [-z_max, z_max] and its derivative on axes of the same width
    under it, each labelled (LaTeX) in its top-left corner. When f' is not bounded like f (ReLU),
    two axes keep both readable. `top`, `low`, `curve`, `prime`, `tags` name the parts."""
    top = get_activation_axes(z_max, *y_ranges[0], width=width, height=heights[0])
    low = get_activation_axes(z_max, *y_ranges[1], width=width, height=heights[1])
    VGroup(top, low).arrange(DOWN, buff=buff)
    curve = plot_activation(top, name, roles[0], False, None, *alpha)
    prime = plot_activation(low, name, roles[1], True, None, *alpha)
    tags = VGroup(*(get_tex(tex, role=role, scale=0.7).next_to(ax.c2p(-z_max, y[1]), DOWN + RIGHT, buff=0.08)
                    for ax, tex, role, y in zip((top, low), labels, roles, y_ranges, strict=True) if tex))
    group = VGroup(top, low, curve, prime, tags)
    group.top, group.low, group.curve, group.prime, group.tags = top, low, curve, prime, tags
    return group


def get_z_mark(axes: Axes, z: float, y: float, role: str = "highlight", radius: float = 0.07) -> VGroup:
    """A point (z, y) on the axes: a dot, on a dashed line across the axes' whole height at z."""
    lo, hi = axes.y_range[:2]
    a, b, n = axes.c2p(z, lo), axes.c2p(z, hi), 24
    line = VGroup(*(Line(a + (b - a) * k / n, a + (b - a) * (k + 0.5) / n, color=color("muted"), stroke_width=1.5)
                    for k in range(n)))
    dot = Circle(radius=radius, stroke_width=0, fill_color=color(role), fill_opacity=1).move_to(axes.c2p(z, y))
    return VGroup(line, dot)


def get_number_text(template: str, size: int = th.BODY_SIZE, role: str = "highlight",
                    **values: Quantity) -> Text:
    """`template` with each `<<name>>` replaced by that Quantity's plain-text form, as Text.

    For readouts that change often: Text needs no LaTeX run, so it is much quicker to make.
    """
    out = template
    for name, q in values.items():
        if not isinstance(q, Quantity):
            raise TypeError(f"get_number_text needs a sigsat_math Quantity for {name!r}, "
                            f"got {type(q).__name__}")
        out = out.replace(f"<<{name}>>", q.text)
    if "<<" in out:
        raise KeyError(f"unfilled placeholder in {template!r}")
    return get_text(out, size, role)


def get_activation_panel(key: str, name: str, f_tex: str, fp_tex: str, z_max: float, alpha: Sequence[float],
                         y_range: Sequence[float], alpha_q: Quantity | None, z_q: Quantity, slope_q: Quantity,
                         width: float = 3.9, height: float = 1.9) -> VGroup:
    """One activation as a column: its name (and alpha's value), f and f' plotted over [-z_max,
    z_max] with the point (z, f'(z)) marked, both formulas, and the readout f'(z) = slope.
    `group.plot` is the get_mini_plot; `group.readout` the last line."""
    plot = get_mini_plot(key, z_max, width, height, "relu", "derivative", alpha, y_range)
    plot.add(get_z_mark(plot.axes, z_q.value, slope_q.value))
    head = VGroup(get_text(name, th.HEADING_SIZE, "relu"),
                  *([get_formula(r"\alpha = <<a>>", role="muted", scale=0.7, a=alpha_q)] if alpha_q else []))
    readout = get_formula(r"f'(<<z>>) = <<s>>", role="highlight", scale=0.75, z=z_q, s=slope_q)
    panel = VGroup(head.arrange(RIGHT, buff=0.3), plot, get_tex(f_tex, scale=0.62),
                   get_tex(fp_tex, role="derivative", scale=0.62), readout).arrange(DOWN, buff=0.2)
    panel.plot, panel.readout = plot, readout
    return panel
