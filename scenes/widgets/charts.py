"""Charts: emphasis that leaves data marks to scale, bar panels under a layer stack, trend lines,
series plots (a loss per training step) and readout cards beside a chart.

A data mark (a bar, a curve) is drawn to its axis and stays so: emphasis recolours it or draws an
outline around it, never scales or moves it. The animations that emphasise a mark carry
`emphasis = True`, so that a test can stop in the middle of each and look at the frame.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    Axes,
    Create,
    DashedLine,
    Mobject,
    Rectangle,
    RoundedRectangle,
    Transform,
    VGroup,
    VMobject,
    there_and_back,
)

from sigsat_math import Quantity

from .. import theme as th
from .bars import get_layer_stack, get_log_axis, get_log_bars
from .text import color, get_formula, get_rows, get_text


def _emphasis(animation: Animation) -> Animation:
    animation.emphasis = True  # type: ignore[attr-defined]
    return animation


def recolor(*marks: Mobject, role: str = "highlight", **kwargs: Any) -> Animation:
    """Data marks take a role's colour, in place: the emphasis that keeps them to scale."""
    return _emphasis(AnimationGroup(*(m.animate.set_fill(color(role)) for m in marks), **kwargs))


def get_outline(mark: Mobject, role: str = "highlight", buff: float = 0.06) -> Rectangle:
    """A frame around a mark, `buff` away from it on every side (stroke only, nothing covered)."""
    frame = Rectangle(width=mark.width + 2 * buff, height=mark.height + 2 * buff, stroke_color=color(role),
                      stroke_width=3, fill_opacity=0)
    return frame.move_to(mark)


def outline(*marks: Mobject, role: str = "highlight", buff: float = 0.06) -> tuple[VGroup, Animation]:
    """Frames around marks and the animation that draws them."""
    frames = VGroup(*(get_outline(m, role, buff) for m in marks))
    return frames, _emphasis(Create(frames))


def blink(mob: Mobject, role: str = "highlight", **kwargs: Any) -> Animation:
    """A label flashes a role's colour and back, at its own size (for labels, not data marks)."""
    return Transform(mob, mob.copy().set_color(color(role)), rate_func=there_and_back, **kwargs)


def get_bar_panel(chain: Sequence[Quantity], lo: int, hi: int, left: float, right: float, stack_y: float,
                  base_y: float, chart_h: float, role: str = "sigmoid", bar_role: str | None = None,
                  box_height: float = 0.8) -> VGroup:
    """A layer stack over log-scale bars: column k holds layer k + 1 and its bar, the last column
    the loss and the gradient it sends back. `stack`, `axis`, `bars`, `xs`, `pitch`, `chain` name
    the parts."""
    n = len(chain) - 1
    pitch = (right - left) / n
    stack = get_layer_stack(n, pitch, box_width=min(0.8, 0.6 * pitch), box_height=box_height, role=role)
    stack.move_to([left + n * pitch / 2, stack_y, 0])
    xs = [left + k * pitch for k in range(n + 1)]
    axis = get_log_axis(lo, hi, chart_h, grid_width=right - left + 0.6)
    axis.shift(RIGHT * (left - 0.55) + UP * base_y)
    bars = get_log_bars(chain, axis, xs, min(0.55, 0.5 * pitch), role=bar_role or role)
    panel = VGroup(axis, stack, bars)
    panel.stack, panel.axis, panel.bars, panel.xs, panel.pitch, panel.chain = stack, axis, bars, xs, pitch, chain
    return panel


def get_link_labels(stack: VGroup, template: str, role: str = "muted", scale: float = 0.5,
                    **values: Quantity) -> VGroup:
    """A formula over each arrow of a get_layer_stack (the link's weight), no wider than the gap
    between the boxes it joins."""
    labels = VGroup()
    for arrow in stack.arrows:
        label = get_formula(template, role=role, scale=scale, **values)
        label.scale_to_fit_width(min(label.width, 0.95 * max(arrow.width, 0.2)))
        labels.add(label.next_to(arrow, UP, buff=0.06))
    return labels


def get_trend_line(bars: VGroup, role: str = "highlight") -> DashedLine:
    """A dashed line from the first bar's top to the last's, behind the bars: on a log scale its
    steady slope is the mean factor from one bar to the next."""
    line = DashedLine(bars[0].get_top(), bars[-1].get_top(), color=color(role), stroke_width=3,
                      dash_length=0.08)
    return line.set_z_index(-1)


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above x > 0 (a plot's top that labels well)."""
    k = math.floor(math.log10(x))
    return next(m * 10.0**k for m in (1, 2, 2.5, 5, 10) if m * 10.0**k >= x * (1 - 1e-12))


def nice_step(span: float, most: int = 5) -> float:
    """A tick step of 1, 2 or 5 x 10^k that puts at most `most` intervals on `span`."""
    k = math.floor(math.log10(span / most))
    return next(m * 10.0**k for m in (1, 2, 5, 10) if span / (m * 10.0**k) <= most + 1e-9)


def get_series_axes(x_max: float, y_max: float, width: float, height: float, x_label: str = "",
                    y_label: str = "") -> Axes:
    """Axes from 0 to x_max (a step count) and 0 to y_max, both labelled with round ticks."""
    x_step, y_step = nice_step(x_max), nice_step(y_max, 4)
    digits = max(0, -math.floor(math.log10(y_step)))
    axes = Axes(
        x_range=[0, x_max, x_step], y_range=[0, y_max, y_step], x_length=width, y_length=height, tips=False,
        axis_config={"color": color("muted"), "stroke_width": 2, "font_size": th.SMALL_SIZE},
        x_axis_config={"include_numbers": True,
                       "decimal_number_config": {"color": color("muted"), "num_decimal_places": 0}},
        y_axis_config={"include_numbers": True,
                       "decimal_number_config": {"color": color("muted"), "num_decimal_places": digits}},
    )
    if x_label:
        axes.add(get_text(x_label, th.SMALL_SIZE, "muted").next_to(axes.x_axis, DOWN, buff=0.45))
    if y_label:
        axes.add(get_text(y_label, th.SMALL_SIZE, "muted").next_to(axes.c2p(0, y_max), UP, buff=0.2)
                 .align_to(axes, LEFT))
    return axes


def get_series(axes: Axes, values: Sequence[float], role: str) -> VMobject:
    """The polyline through (k, values[k]) for k = 0, 1, ...: a value per step, to the axes' scale."""
    points = [axes.c2p(k, float(v)) for k, v in enumerate(values)]
    return VMobject(stroke_color=color(role), stroke_width=th.STROKE - 1).set_points_as_corners(points)


def get_readout_card(title: str, role: str, rows: Sequence[tuple[str, Mobject]], row_buff: float = 0.2,
                     width: float | None = None) -> VGroup:
    """A card beside a chart: the title in the role's colour, then `label  value` rows in columns.
    `card.rows[i]` is row i (label and value), for showing rows one at a time."""
    head = get_text(title, th.SMALL_SIZE + 2, role, weight="BOLD")
    table = get_rows([[get_text(label, th.SMALL_SIZE, "muted"), value] for label, value in rows],
                     col_buff=0.35, row_buff=row_buff)
    body = VGroup(head, table).arrange(DOWN, aligned_edge=LEFT, buff=row_buff + 0.05)
    panel = RoundedRectangle(corner_radius=0.15, width=max(width or 0, body.width + 0.5), height=body.height + 0.4,
                             fill_color=color("panel"), fill_opacity=1, stroke_color=color(role), stroke_width=1.5)
    panel.move_to(body).align_to(body, LEFT).shift(LEFT * 0.25)
    card = VGroup(panel, body)
    card.head, card.rows, card.panel = head, list(table), panel
    return card
