"""The ReLU chapter's and the takeaways' own pictures: two activations on one pair of axes, the
measured sparsity and loss curves as icons, a spike-train icon, a unit's card, rows of reasons
with their pictures, and axis labels spread apart."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DOWN, LEFT, ORIGIN, RIGHT, UP, Axes, Line, Mobject, Rectangle, VGroup, VMobject, config

from sigsat_math import Quantity, activation

from .. import theme as th
from .curves import get_activation_panel, get_mini_plot, plot_activation
from .icons import get_variant_icons
from .text import color, get_formula, get_formula_card, get_rows, get_tex, get_text

VARIANTS = {  # sigsat_math's name -> name on screen, f and f' (alpha's value is shown beside the name)
    "leaky_relu": ("Leaky ReLU", r"f(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}",
                   r"f'(z) = \begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}"),
    "elu": ("ELU", r"f(z) = \begin{cases} z & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases}",
            r"f'(z) = \begin{cases} 1 & z > 0 \\ \alpha e^{z} & z \le 0 \end{cases}"),
    "gelu": ("GELU", r"f(z) = z\,\Phi(z)", r"f'(z) = \Phi(z) + z\,\varphi(z)"),
}


def spread_z_labels(axes: Axes, spacing: float = 0.55) -> Axes:
    """Number the z axis every 1, 2, 5 or 10 ticks (0 left out): the first step whose labels lie
    `spacing` apart. On narrow axes the labels of neighbouring negative ticks, each with its
    minus sign, would otherwise touch."""
    line = axes.x_axis
    step = next(s for s in (1, 2, 5, 10) if s * line.get_unit_size() >= spacing or s == 10)
    if step > 1:
        if getattr(line, "numbers", None) is not None:
            line.remove(line.numbers)
        lo, hi = line.x_range[:2]
        values = [float(x) for x in range(int(np.ceil(lo / step)) * step, int(hi) + 1, step) if x != 0]
        line.add_numbers(x_values=values, font_size=th.SMALL_SIZE)
    return axes


def get_pair_plot(names: Sequence[tuple[str, str]], z_max: float, width: float, height: float,
                  derivative: bool = False) -> VGroup:
    """Activations (name, role) on one pair of axes over [-z_max, z_max], so that their heights
    compare (f, or f' when `derivative`). `group.axes` and `group.curves` (name -> curve)."""
    zs = np.linspace(-z_max, z_max, 401)
    ys = np.concatenate([np.asarray(activation(n)[int(derivative)](zs), dtype=float) for n, _ in names] + [[0.0]])
    pad = 0.08 * (ys.max() - ys.min())
    axes = Axes(x_range=[-z_max, z_max, z_max], y_range=[ys.min() - pad, ys.max() + pad, 1e9],
                x_length=width, y_length=height, tips=False,
                axis_config={"color": color("muted"), "stroke_width": 1.5, "include_ticks": False})
    curves = {n: plot_activation(axes, n, role, derivative).set_stroke(width=3) for n, role in names}
    group = VGroup(axes, *curves.values())
    group.axes, group.curves = axes, curves
    return group


def get_sparsity_icon(z: np.ndarray, cell: float = 0.1, role: str = "relu") -> VGroup:
    """One cell per ReLU output (rows: units, columns: examples): filled where z > 0, an empty
    outline where the output is exactly 0. `group.cells` row by row, `group.active` the mask."""
    active = np.asarray(z) > 0
    cells = VGroup()
    for i, row in enumerate(active):
        for j, on in enumerate(row):
            box = Rectangle(width=0.8 * cell, height=0.8 * cell, stroke_width=1, stroke_color=color("muted"),
                            fill_color=color(role), fill_opacity=1.0 if on else 0.0)
            cells.add(box.move_to(RIGHT * j * cell + DOWN * i * cell))
    group = VGroup(cells)
    group.cells, group.active = cells, active
    return group


def get_spikes_icon(counts: Sequence[int], width: float = 1.6, row: float = 0.22, role: str = "relu") -> VGroup:
    """Spike trains, one row per input from weak to strong: a silent row for 0, else `count` evenly
    spaced spikes: a neuron silent, or firing in proportion to its input (a drawing, not data)."""
    rows = VGroup()
    for k, n in enumerate(counts):
        base = Line(RIGHT * 0, RIGHT * width, color=color("muted"), stroke_width=1.5)
        spikes = VGroup(*(Line(RIGHT * x, RIGHT * x + UP * row * 0.8, color=color(role), stroke_width=3)
                          for x in np.linspace(0, width, n + 2)[1:-1]))
        rows.add(VGroup(base, spikes).shift(DOWN * k * row * 1.3))
    return rows


def get_loss_icon(curves: Sequence[tuple[np.ndarray, str]], width: float = 1.6, height: float = 0.8) -> VGroup:
    """Loss per training step, each (losses, role) on one pair of axes from 0 to the largest loss:
    which run learns. `group.axes` and `group.curves`, in the order given."""
    # A diverged run (too large a rate) is drawn up to its last finite loss, and only finite losses set the scale.
    kept = [(values[: int(np.argmin(np.isfinite(values)))] if not np.all(np.isfinite(values)) else values, role)
            for values, role in curves]
    top = max((float(np.max(values)) for values, _ in kept if len(values)), default=1.0)
    steps = max(len(values) for values, _ in curves) - 1
    axes = Axes(x_range=[0, steps, steps], y_range=[0, 1.05 * top, 1.05 * top], x_length=width, y_length=height,
                tips=False, axis_config={"color": color("muted"), "stroke_width": 1.5, "include_ticks": False})
    drawn = VGroup()
    for values, role in kept:
        line = VMobject(stroke_color=color(role), stroke_width=3)
        points = [axes.c2p(k, float(v)) for k, v in enumerate(values)]
        drawn.add(line.set_points_as_corners(points) if len(points) > 1 else line)
    group = VGroup(axes, drawn)
    group.axes, group.curves = axes, drawn
    return group


def get_icon_cell(icon: Mobject, width: float) -> VGroup:
    """`icon` centred in a cell `width` wide, so that a column of icons of any width lines up."""
    return VGroup(Line(LEFT * width / 2, RIGHT * width / 2, stroke_width=0), icon.move_to(ORIGIN))


def get_unit_card(neuron: VGroup, tag: Mobject, output: Mobject, facts: Sequence[Mobject]) -> VGroup:
    """A neuron (get_neuron) named by `tag` above it and showing `output` on its output arrow, over
    its facts, one a line. `card.neuron` and `card.facts` name the parts."""
    tag.next_to(neuron.body, UP, buff=0.15)
    output.next_to(neuron.output, UP, buff=0.1)
    lines = VGroup(*facts).arrange(DOWN, aligned_edge=LEFT, buff=0.28)
    card = VGroup(VGroup(neuron, output, tag), lines).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
    card.neuron, card.facts = neuron, lines
    return card


def get_reason_rows(rows: Sequence[tuple[str, Mobject, Sequence[str]]], values: dict[str, Quantity],
                    icon_width: float = 1.7, scale: float = 0.58) -> VGroup:
    """Numbered rows of (claim, small picture, evidence templates filled from `values`): claims,
    pictures and evidence each in a column, the evidence lines stacked."""
    cells = []
    for i, (claim, icon, evidence) in enumerate(rows, start=1):
        lines = VGroup(*(get_formula(e, role="muted", scale=scale, **{k: v for k, v in values.items()
                                                                      if f"<<{k}>>" in e}) for e in evidence))
        cells.append([get_text(f"{i}. {claim}", th.SMALL_SIZE), get_icon_cell(icon, icon_width),
                      lines.arrange(DOWN, aligned_edge=LEFT, buff=0.12)])
    return get_rows(cells, col_buff=0.35, row_buff=0.22)


def get_reason_icons(z_max: float, sparsity_z: np.ndarray, losses: Sequence[tuple[np.ndarray, str]]) -> list[VGroup]:
    """Problem 3's five pictures: sigma' against ReLU', the two functions (one cheap, one with an
    exponential), measured exact zeros, spike trains, and the two runs' losses (get_loss_icon)."""
    cheap = VGroup(get_mini_plot("relu", z_max, 0.75, 0.6), get_mini_plot("sigmoid", z_max, 0.75, 0.6, "sigmoid"))
    return [get_pair_plot((("sigmoid", "sigmoid"), ("relu", "relu")), z_max, 1.6, 0.75, derivative=True),
            cheap.arrange(RIGHT, buff=0.1), get_sparsity_icon(sparsity_z, 0.09), get_spikes_icon((0, 2, 5)),
            get_loss_icon(losses)]


def get_dying_card(dead: Quantity, alphas: dict[str, tuple[float, ...]], width: float) -> VGroup:
    """The dying ReLU, the measured share of inactive units, and what each variant's slope does below 0."""
    dying = get_tex(r"\text{dying ReLU: } z \le 0 \text{ on every input} \Rightarrow \text{no gradient}", scale=0.6)
    share = get_formula(r"\text{inactive on the batch (measured): } <<d>>", role="saturated", scale=0.6, d=dead)
    icons = get_variant_icons(3.0, {k: (VARIANTS[k][0], a) for k, a in alphas.items()})
    for icon, tex in zip(icons, (r"f' = \alpha", r"f' \to 0", r"f' \to 0, \text{ dips} < 0"), strict=True):
        icon.add(get_tex(tex, role="muted", scale=0.55).next_to(icon, DOWN, buff=0.12))
    return get_formula_card(dying, share, get_text("their slope below 0:", th.SMALL_SIZE, "muted"), icons,
                            title="Disadvantage", width=width)


def get_variant_panels(alphas: dict[str, tuple[float, ...]], alpha_qs: dict[str, Quantity], z_max: float,
                       z_q: Quantity, slopes: dict[str, Quantity], height: float = 1.4) -> VGroup:
    """The VARIANTS side by side, each a get_activation_panel over [-z_max, z_max] with its slope at
    z_q: one y range for all, so that their negative sides compare at a glance, readouts on one line."""
    ends = [activation(k)[i](z_max * side, *a) for k, a in alphas.items() for i in (0, 1) for side in (-1, 1)]
    y_range = (min(-1.0, *ends) - 0.2, z_max + 0.2)
    panels = VGroup(*(get_activation_panel(key, name, f, fp, z_max, alphas[key], y_range, alpha_qs.get(key), z_q,
                                           slopes[key], height=height) for key, (name, f, fp) in VARIANTS.items()))
    panels.arrange(RIGHT, buff=0.6, aligned_edge=UP)
    # A long alpha (1e-9 written out) widens its heading: the three columns then shrink to fit the frame.
    room = config.frame_width - 2 * th.SAFE_MARGIN - 0.1
    if panels.width > room:
        panels.scale(room / panels.width)
    low = min(p.readout.get_y() for p in panels)
    for panel in panels:  # formulas of different heights, the readouts still on one line
        panel.readout.set_y(low)
    return panels


def get_sigmoid_uses_card(width: float) -> VGroup:
    """Where the sigmoid still belongs: outputs that are probabilities, and gates, over its curve."""
    sig = get_mini_plot("sigmoid", 6.0, 1.6, 1.0, "sigmoid")
    uses = VGroup(get_text("Output layer, binary classification:", th.SMALL_SIZE),
                  get_tex(r"\sigma(z) \in (0, 1) \text{ is a probability}", role="sigmoid", scale=0.7),
                  get_text("Gates, as in an LSTM:", th.SMALL_SIZE),
                  get_tex(r"\text{a factor in } (0, 1) \text{ sets how much passes}", role="sigmoid", scale=0.7))
    uses.arrange(DOWN, aligned_edge=LEFT, buff=0.2)[2:].shift(DOWN * 0.2)
    card = get_formula_card(uses, sig, title="Where sigmoid still belongs", width=width)
    sig.match_x(card[0])
    return card
