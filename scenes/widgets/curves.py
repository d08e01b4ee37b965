"""Curves: activation axes and plots, tangents, saturation zones, marks, and small plots as icons."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Circle,
    Line,
    Rectangle,
    VGroup,
    VMobject,
)

from sigsat_math import Quantity, activation

from .. import theme as th
from .text import color, get_formula, get_tex, get_text


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


def get_sigmoid_stage(z_max: float) -> VGroup:
    """The sigmoid on its axes, where chapter 2 draws it and chapter 3 picks it up: one picture
    carried across the cut between the two clips. `stage.axes` and `stage.curve` name the parts."""
    axes = get_activation_axes(z_max, width=8.0, height=4.6, y_numbers=(0.5, 1.0))
    axes.to_corner(DOWN + LEFT, buff=0.55).shift(UP * 0.35)
    curve = plot_activation(axes, "sigmoid", "sigmoid")
    stage = VGroup(axes, curve)
    stage.axes, stage.curve = axes, curve
    return stage


def plot_activation(axes: Axes, name: str, role: str, derivative: bool = False,
                    x_range: Sequence[float] | None = None, alpha: Sequence[float] = ()) -> VMobject:
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
        g = axes.plot_line_graph(zs[mask], ys[mask], add_vertex_dots=False, line_color=color(role),
                                 stroke_width=th.STROKE)
        parts.add(g["line_graph"])
    return parts


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


def get_z_mark(axes: Axes, z: float, y: float, role: str = "highlight", radius: float = 0.07) -> VGroup:
    """A point (z, y) on the axes: a dot, on a dashed line across the axes' whole height at z."""
    lo, hi = axes.y_range[:2]
    a, b, n = axes.c2p(z, lo), axes.c2p(z, hi), 24
    line = VGroup(*(Line(a + (b - a) * k / n, a + (b - a) * (k + 0.5) / n, color=color("muted"), stroke_width=1.5)
                    for k in range(n)))
    dot = Circle(radius=radius, stroke_width=0, fill_color=color(role), fill_opacity=1).move_to(axes.c2p(z, y))
    return VGroup(line, dot)


def get_slope_mark(axes: Axes, z: float, run: float, slope: float, role: str = "highlight") -> VGroup:
    """The run-and-rise triangle under a straight piece of curve from (z, y) where y = slope * z:
    a step of `run` along z, then up by slope * run."""
    y = slope * z
    a, b, c = axes.c2p(z, y), axes.c2p(z + run, y), axes.c2p(z + run, y + slope * run)
    mark = VGroup(Line(a, b, color=color(role), stroke_width=2.5), Line(b, c, color=color(role), stroke_width=2.5))
    mark.rise = mark[1]
    return mark


def get_dots_on_curve(axes: Axes, name: str, zs: Sequence[float], derivative: bool = False,
                      role: str = "saturated", radius: float = 0.045, alpha: Sequence[float] = ()) -> VMobject:
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
            graph = plot_activation(axes, name, r, derivative, alpha=alpha).set_stroke(width=3)
            group.add(graph)
            setattr(group, "prime" if derivative else "curve", graph)
    return group


def get_stacked_plots(name: str, z_max: float, width: float, heights: Sequence[float],
                      y_ranges: Sequence[Sequence[float]], labels: Sequence[str] = ("", ""),
                      roles: Sequence[str] = ("relu", "derivative"), buff: float = 0.55,
                      alpha: Sequence[float] = ()) -> VGroup:
    """Activation `name` on axes over [-z_max, z_max] and its derivative on axes of the same width
    under it, each labelled (LaTeX) in its top-left corner. When f' is not bounded like f (ReLU),
    two axes keep both readable. `top`, `low`, `curve`, `prime`, `tags` name the parts."""
    top = get_activation_axes(z_max, *y_ranges[0], width=width, height=heights[0])
    low = get_activation_axes(z_max, *y_ranges[1], width=width, height=heights[1])
    VGroup(top, low).arrange(DOWN, buff=buff)
    curve = plot_activation(top, name, roles[0], alpha=alpha)
    prime = plot_activation(low, name, roles[1], derivative=True, alpha=alpha)
    tags = VGroup(*(get_tex(tex, role=role, scale=0.7).next_to(ax.c2p(-z_max, y[1]), DOWN + RIGHT, buff=0.08)
                    for ax, tex, role, y in zip((top, low), labels, roles, y_ranges, strict=True) if tex))
    group = VGroup(top, low, curve, prime, tags)
    group.top, group.low, group.curve, group.prime, group.tags = top, low, curve, prime, tags
    return group


def get_activation_panel(key: str, name: str, f_tex: str, fp_tex: str, z_max: float, alpha: Sequence[float],
                         y_range: Sequence[float], alpha_q: Quantity | None, z_q: Quantity, slope_q: Quantity,
                         width: float = 3.9, height: float = 1.9) -> VGroup:
    """One activation as a column: its name (and alpha's value), f and f' plotted over [-z_max,
    z_max] with the point (z, f'(z)) marked, both formulas, and the readout f'(z) = slope.
    `group.plot` is the get_mini_plot; `group.readout` the last line."""
    plot = get_mini_plot(key, z_max, width, height, "relu", "derivative", alpha, y_range)
    # A z off the plot (a typical input of -3e7 under unit-variance weights) keeps its readout but no mark:
    # a mark there would stretch the panel far past the frame.
    if -z_max <= z_q.value <= z_max:
        plot.add(get_z_mark(plot.axes, z_q.value, slope_q.value))
    head = VGroup(get_text(name, th.HEADING_SIZE, "relu"),
                  *([get_formula(r"\alpha = <<a>>", role="muted", scale=0.7, a=alpha_q)] if alpha_q else []))
    readout = get_formula(r"f'(<<z>>) = <<s>>", role="highlight", scale=0.75, z=z_q, s=slope_q)
    panel = VGroup(head.arrange(RIGHT, buff=0.3), plot, get_tex(f_tex, scale=0.62),
                   get_tex(fp_tex, role="derivative", scale=0.62), readout).arrange(DOWN, buff=0.2)
    panel.plot, panel.readout = plot, readout
    return panel
