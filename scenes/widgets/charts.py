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
    FadeOut,
    Mobject,
    Rectangle,
    RoundedRectangle,
    Transform,
    VGroup,
    VMobject,
    config,
    there_and_back,
)

from sigsat_math import Quantity

from .. import theme as th
from .bars import get_layer_stack, get_log_axes, get_log_axis, get_log_bars, log_decades
from .curves import get_z_mark
from .text import NumberTex, color, get_formula, get_rows, get_text


def _emphasis(animation: Animation) -> Animation:
    animation.emphasis = True  # type: ignore[attr-defined]
    return animation


def recolor(*marks: Mobject, role: str = "highlight", **kwargs: Any) -> Animation:
    """Data marks take a role's colour, in place: the emphasis that keeps them to scale."""
    return _emphasis(AnimationGroup(*(m.animate.set_fill(color(role)) for m in marks), **kwargs))


def get_outline(mark: Mobject, role: str = "highlight", buff: float = 0.06, stroke_width: float = 3) -> Rectangle:
    """A frame around a mark, `buff` away from it on every side (stroke only, nothing covered)."""
    frame = Rectangle(width=mark.width + 2 * buff, height=mark.height + 2 * buff, stroke_color=color(role),
                      stroke_width=stroke_width, fill_opacity=0)
    return frame.move_to(mark)


def outline(*marks: Mobject, role: str = "highlight", buff: float = 0.06,
            stroke_width: float = 3) -> tuple[VGroup, Animation]:
    """Frames around marks and the animation that draws them."""
    frames = VGroup(*(get_outline(m, role, buff, stroke_width) for m in marks))
    return frames, _emphasis(Create(frames))


def emphasize(*bars: Mobject, gap: float, role: str = "highlight") -> tuple[Animation, Animation]:
    """Draw the eye to bars that stand `gap` apart, at their size: a frame around each where the
    gap leaves room for one (it must not cross a neighbour), else their colour. Returns the
    animation and the one that takes the emphasis away."""
    if gap >= 0.07:
        frames, draw = outline(*bars, role=role, buff=min(0.06, gap / 3), stroke_width=2)
        return draw, FadeOut(frames)
    colours = [bar.get_fill_color() for bar in bars]
    back = AnimationGroup(*(bar.animate.set_fill(c) for bar, c in zip(bars, colours, strict=True)))
    return recolor(*bars, role=role), _emphasis(back)


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


def nice_step(span: float, most: int = 5) -> int:
    """A whole tick step of 1, 2 or 5 x 10^k that puts at most `most` intervals on `span`."""
    k = max(0, math.floor(math.log10(max(span, 1) / most)))
    return next(m * 10**k for m in (1, 2, 5, 10) if span / (m * 10**k) <= most + 1e-9)


def get_loss_axes(steps: int, values: Sequence[Sequence[float]], width: float, height: float) -> Axes:
    """Axes for losses over `steps` training steps: a log y in whole decades that holds every
    finite positive value, steps labelled at round numbers; `axes.to_point(k, loss)` places a value."""
    finite = [float(v) for series in values for v in series if math.isfinite(v) and v > 0]
    lo, hi = log_decades(finite)
    axes = get_log_axes(steps, lo, hi, width, height, x_label="gradient-descent step", x_step=nice_step(steps))
    axes.add(get_text("loss (log scale)", th.SMALL_SIZE, "muted").next_to(axes.c2p(0, hi - lo), UP, buff=0.25)
             .align_to(axes, LEFT))
    return axes


def get_series(axes: Axes, values: Sequence[float], role: str) -> VMobject:
    """The polyline through (k, values[k]) for k = 0, 1, ... on get_loss_axes, up to the first value
    that is not a finite positive number (a run that diverged stops there)."""
    points = []
    for k, v in enumerate(values):
        if not (math.isfinite(v) and v > 0):
            break
        points.append(axes.to_point(k, float(v)))
    line = VMobject(stroke_color=color(role), stroke_width=th.STROKE - 1)
    return line.set_points_as_corners(points) if len(points) > 1 else line


def get_step_mark(axes: Axes, step: int, value: float, role: str) -> VGroup:
    """A dot on a get_loss_axes at (step, value), on a dashed line across the plot's height."""
    return get_z_mark(axes, step, math.log10(value) - axes.lo, role=role)


def get_run_note(name: str, role: str, fraction: Quantity, steps: Quantity, reach: Quantity | None = None,
                 diverged: Quantity | None = None, **_: Quantity | None) -> Mobject:
    """One line on a training run: the step its loss first gets down to `fraction` of its start,
    or that it does not within `steps`; and the step it diverges, if it does. (The run's other
    numbers may come along as keywords; they are not on this line.)"""
    reach_tex = (r"\text{down to } <<f>> \text{ at step } <<k>>" if reach else
                 r"\text{not down to } <<f>> \text{ within } <<s>> \text{ steps}")
    stop_tex = r"\text{; diverges at step } <<j>>" if diverged else ""
    values = {"f": fraction, "s": steps, "k": reach, "j": diverged}
    template = r"\text{" + name + ": }" + reach_tex + stop_tex
    return get_formula(template, role=role, scale=0.65, **{k: v for k, v in values.items() if f"<<{k}>>" in template})


def get_caption_lines(*lines: str) -> VGroup:
    """Caption sentences (get_caption_line's look) stacked at the bottom of the frame, the last one
    lowest, all at one size: the longest fits the frame."""
    group = VGroup(*(get_text(line, th.CAPTION_SIZE, role="muted", slant="ITALIC") for line in lines))
    room = config.frame_width - 2 * th.SAFE_MARGIN - 0.4
    group.scale(min(1.0, room / max(line.width for line in group)))
    return group.arrange(DOWN, buff=0.12).to_edge(DOWN, buff=th.SAFE_MARGIN + 0.15)


def get_value_cell(q: Quantity | None, role: str, missing: str, scale: float = 0.6) -> Mobject:
    """A table cell: the Quantity's number, or `missing` in words where the computation has none."""
    return NumberTex(q, role=role, scale=scale) if q is not None else get_text(missing, th.SMALL_SIZE, role)


def get_readout_table(columns: Sequence[tuple[str, str]], rows: Sequence[tuple[str | Mobject, Sequence[Mobject]]],
                      notes: Sequence[Mobject] = (), width: float | None = None, row_buff: float = 0.22,
                      col_buff: float = 0.4) -> VGroup:
    """A card of readouts beside a chart: a header of column titles, each in its role's colour, then
    rows of a muted label and one value per column; `notes` go under the card, and the whole is
    no wider than `width`. `table.cells[r][c]` (row 0 the header, column 0 the labels) and
    `table.column(c)` pick parts to show one at a time; `table.panel` is the card."""
    # The header's label cell is empty; an invisible dot keeps its row's left edge where the others' is.
    header: list[Mobject] = [Rectangle(width=0.01, height=0.01, stroke_width=0, fill_opacity=0)]
    header += [get_text(title, th.SMALL_SIZE + 2, role, weight="BOLD") for title, role in columns]
    grid = [header] + [[get_text(label, th.SMALL_SIZE, "muted") if isinstance(label, str) else label, *values]
                       for label, values in rows]
    body = get_rows(grid, col_buff=col_buff, row_buff=row_buff)
    panel = RoundedRectangle(corner_radius=0.15, width=body.width + 0.5, height=body.height + 0.45,
                             fill_color=color("panel"), fill_opacity=1, stroke_color=color("muted"), stroke_width=1.5)
    panel.move_to(body)
    lines = VGroup(*notes).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
    if notes:
        lines.next_to(panel, DOWN, buff=0.35, aligned_edge=LEFT)
    table = VGroup(panel, body, lines)
    if width is not None:
        table.scale_to_fit_width(min(table.width, width))
    table.panel, table.cells, table.notes = panel, [list(row) for row in body], lines
    table.column = lambda c: VGroup(*(row[c] for row in table.cells))
    return table


def get_share_bars(axes: Axes, edges: Sequence[float], shares: Sequence[float], top: float,
                   role: str = "sigmoid") -> VGroup:
    """A histogram on activation axes: one bar per bin [edges[i], edges[i+1]), its height the bin's
    share scaled so that a share of 1 would reach y = `top` (true heights: bars compare by area and
    height). Translucent, so a curve drawn over them stays readable."""
    bars = VGroup()
    base = axes.y_range[0] if axes.y_range[0] >= 0 else 0.0
    for lo, hi, share in zip(edges[:-1], edges[1:], shares, strict=True):
        a, b = axes.c2p(lo, base), axes.c2p(hi, base + top * float(share))
        bar = Rectangle(width=abs(b[0] - a[0]) * 0.92, height=max(abs(b[1] - a[1]), 1e-3), stroke_width=0,
                        fill_color=color(role), fill_opacity=0.55)
        bars.add(bar.move_to([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, 0]))
    return bars


# How the measured network's weight initialisation (experiment.init) is named on screen and in the voice.
INIT_NAMES = {"xavier": "Xavier", "he": "He", "normal": "standard normal"}
