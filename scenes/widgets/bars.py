"""Bars to scale: gradient bars, log scales and their decades, the layer stack and its pulse."""

from __future__ import annotations

import math
from collections.abc import Sequence

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Axes,
    Circle,
    Line,
    MathTex,
    Rectangle,
    RoundedRectangle,
    VGroup,
)

from sigsat_math import Quantity

from .. import theme as th
from .text import color, get_tex, get_text


def bar_height(value: float, max_value: float, height: float, log_floor: float | None = None) -> float:
    """Drawn height of a bar for value on a linear (or log, from log_floor) scale up to max_value."""
    if log_floor is None:
        return height * max(0.0, value) / max_value
    if value <= log_floor:
        return 0.0
    return height * (math.log10(value) - math.log10(log_floor)) / (math.log10(max_value) - math.log10(log_floor))


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


def get_log_axes(x_max: int, lo: int, hi: int, width: float, height: float,
                 x_label: str = "", most: int = 6, x_step: int = 1) -> Axes:
    """Axes with integer x from 0 to x_max (ticks x_step apart) and a log y from 10^lo to 10^hi,
    decades labelled.

    `axes.to_point(x, value)` is the scene point of (x, value) on the log scale; `axes.lo` its floor.
    """
    # y runs over exponents counted from lo, so that the x axis (at y = 0) lies along the floor.
    axes = Axes(
        x_range=[0, x_max, x_step], y_range=[0, hi - lo, 1], x_length=width, y_length=height, tips=False,
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
    axes.lo, axes.hi = lo, hi
    return axes


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
