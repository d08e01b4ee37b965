"""Chapter 7: the lesson's claim checked on a real computation, a numpy network's per-layer gradients."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    VGroup,
    Write,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.bars import get_log_axis, get_log_bars, log_decades
from scenes.widgets.text import (
    NumberTex,
    color,
    get_caption_line,
    get_formula,
    get_formula_card,
    get_tex,
    get_text,
    get_title,
)
from sigsat_math import (
    INT,
    ExperimentConfig,
    Quantity,
    gradient_norms,
    identity,
    last_over_first,
    mean_layer_factor,
)

BASE_Y = -2.3
CHART_H = 3.85
HEAD_Y = 2.3
PANELS = {"sigmoid": (-5.0, -0.45), "relu": (1.15, 5.7)}
INIT_NAMES = {"xavier": "Xavier", "he": "He", "normal": "standard normal"}


class MeasuredNetwork(ChapterScene):
    """A real MLP, one backward pass: the gradient norm reaching each hidden layer, sigmoid vs ReLU."""

    reads = ("experiment.depth", "experiment.width", "experiment.init", "experiment.seed", "experiment.batch")

    def construct(self) -> None:
        self.measure()
        self.describe()
        self.show_scale()
        self.show_bars("sigmoid")
        self.show_bars("relu")
        self.per_layer()
        self.conclude()

    def measure(self) -> None:
        e = self.p.experiment
        self.depth = self.value("depth", identity, e.depth, style=INT)
        self.width = self.value("width", identity, e.width, style=INT)
        self.seed = self.value("seed", identity, e.seed, style=INT)
        self.batch = self.value("batch", identity, e.batch, style=INT)
        self.norms: dict[str, list[Quantity]] = {}
        self.ratio: dict[str, Quantity] = {}
        self.step: dict[str, Quantity] = {}
        for act in PANELS:
            net = ExperimentConfig.from_params(e, act)
            # Run at render time: every bar is one entry of this backward pass, first layer first.
            self.norms[act] = [self.value(f"{act}: gradient norm at layer {k + 1}", gradient_norms, net, pick=k)
                               for k in range(e.depth)]
            self.ratio[act] = self.value(f"{act}: last layer over first", last_over_first, net)
            self.step[act] = self.value(f"{act}: mean factor per layer back", mean_layer_factor, net)
        self.lo, self.hi = log_decades([q.value for qs in self.norms.values() for q in qs])

    def describe(self) -> None:
        init = INIT_NAMES[self.p.experiment.init]
        self.beat("the network", f"Now a real network: {self.depth.text} hidden layers of {self.width.text} units, "
                  f"{init} initialisation, random seed {self.seed.text}.",
                  f"One forward and one backward pass on a fixed batch of {self.batch.text} inputs, "
                  "computed while this video was made.")
        self.heading = get_title(self.title)
        rows = VGroup(
            get_formula(r"x \;\to\; <<d>> \times [\,<<w>> \text{ units}\,] \;\to\; \text{one output} \;\to\; "
                        r"\text{squared error}", d=self.depth, w=self.width),
            get_text(f"{init} initialisation, seed {self.seed.text}, batch of {self.batch.text} inputs",
                     th.SMALL_SIZE, "muted"),
            get_text("measured: the norm of the loss gradient reaching each layer's weights", th.SMALL_SIZE, "muted"),
        ).arrange(DOWN, buff=0.3)
        self.card = get_formula_card(rows).move_to([0, 0.5, 0])
        self.caption = get_caption_line(
            f"Measured: depth {self.depth.text}, width {self.width.text}, {init} init, seed {self.seed.text}, "
            f"batch {self.batch.text}, one backward pass")
        self.play(FadeIn(self.heading), FadeIn(self.card, shift=UP * 0.2), run_time=1.5)
        self.play(FadeIn(self.caption))
        self.wait(4)

    def show_scale(self) -> None:
        self.beat("scale", "Both networks share the same weights and inputs; only the activation differs.",
                  "Bar heights are on a log scale: each grid line is ten times the one below.")
        left, right = PANELS["sigmoid"][0], PANELS["relu"][1]
        self.axis = get_log_axis(self.lo, self.hi, CHART_H, grid_width=right - left + 0.9)
        self.axis.shift(RIGHT * (left - 0.6) + UP * BASE_Y)
        heads, ends = VGroup(), VGroup()
        for act, role, name in (("sigmoid", "sigmoid", "sigmoid"), ("relu", "relu", "ReLU")):
            a, b = PANELS[act]
            heads.add(get_text(name, th.BODY_SIZE, role, weight="BOLD").move_to([a, HEAD_Y, 0], aligned_edge=LEFT))
            for x, q in ((a, None), (b, self.depth)):
                tag = NumberTex(q, role="muted", scale=0.55) if q else get_tex("1", role="muted", scale=0.55)
                ends.add(tag.move_to([x, BASE_Y - 0.25, 0]))
        layer_word = get_text("layer", th.SMALL_SIZE, "muted").next_to(ends, DOWN, buff=0.12)
        self.heads, self.ends = heads, VGroup(ends, layer_word)
        self.play(FadeOut(self.card))
        self.play(Create(self.axis), FadeIn(heads), FadeIn(self.ends), run_time=2)
        self.wait(1.5)

    def show_bars(self, act: str) -> None:
        role = "sigmoid" if act == "sigmoid" else "relu"
        name = "sigmoid" if act == "sigmoid" else "ReLU"
        ratio = self.ratio[act]
        self.beat(f"{act} bars", f"With {name}: the gradient that reaches each layer, from the last back to the first.",
                  f"The last layer gets {ratio.text} times what the first layer gets.")
        a, b = PANELS[act]
        n = int(self.depth.value)
        xs = [a + (b - a) * k / max(n - 1, 1) for k in range(n)]
        bars = get_log_bars(self.norms[act], self.axis, xs, min(0.35, 0.7 * (b - a) / max(n - 1, 1)), role=role)
        self.bars = getattr(self, "bars", {})
        self.bars[act] = bars
        readout = get_formula(r"\text{last} / \text{first} = <<r>>", role=role, scale=0.8, r=ratio)
        head = self.heads[0 if act == "sigmoid" else 1]
        readout.next_to(head, RIGHT, buff=0.35)
        readout.scale_to_fit_width(min(readout.width, b + 0.3 - readout.get_left()[0]), about_edge=LEFT)
        # Backward order: the pass reaches the last layer first.
        self.play(LaggedStart(*(GrowFromEdge(bar, DOWN) for bar in reversed(bars)), lag_ratio=0.15), run_time=3)
        self.play(Write(readout))
        self.play(Indicate(bars[0], color=color("highlight")), Indicate(bars[-1], color=color("highlight")))
        self.wait(2.5)

    def per_layer(self) -> None:
        s, r = self.step["sigmoid"], self.step["relu"]
        self.beat("per layer", f"In numbers: with sigmoid the first layer gets {self.norms['sigmoid'][0].text}, "
                  f"the last {self.norms['sigmoid'][-1].text}.",
                  f"On average each layer back multiplies the sigmoid gradient by {s.text}, the ReLU gradient by "
                  f"{r.text}: the lesson's chain of small factors, measured.")
        heads = [get_text(t, th.SMALL_SIZE, "muted") for t in ("first layer", "last layer", "each layer back")]
        grid = [heads]
        for act, role, name in (("sigmoid", "sigmoid", "sigmoid"), ("relu", "relu", "ReLU")):
            norms = self.norms[act]
            grid.append([get_text(name, th.SMALL_SIZE, role), NumberTex(norms[0], role=role, scale=0.7),
                         NumberTex(norms[-1], role=role, scale=0.7),
                         get_formula(r"\times <<f>>", role=role, scale=0.7, f=self.step[act])])
        grid[0].insert(0, get_text("", th.SMALL_SIZE))
        widths = [max(row[c].width for row in grid) for c in range(4)]
        rows = VGroup()
        for r, row in enumerate(grid):
            for c, cell in enumerate(row):
                cell.move_to([sum(widths[:c]) + 0.6 * c + widths[c] / 2, -0.62 * r, 0])
            rows.add(VGroup(*row))
        # The card sits over the bars, never over the scale's labels left of the axis.
        room = (self.axis.line.get_x() + 0.3, 6.7)
        self.summary = get_formula_card(rows)
        self.summary.scale_to_fit_width(min(self.summary.width, room[1] - room[0]))
        self.summary.move_to([max(0.0, room[0] + self.summary.width / 2), -0.2, 0])
        self.play(FadeIn(self.summary, shift=UP * 0.2))
        self.wait(5)

    def conclude(self) -> None:
        s, r = self.ratio["sigmoid"], self.ratio["relu"]
        self.beat("verdict", f"Sigmoid: the last layer's gradient is {s.text} times the first layer's. "
                  f"ReLU: a ratio of {r.text}.",
                  "The lesson's claim holds on a real computation: through sigmoid layers the gradient vanishes.")
        self.play(FadeOut(self.summary))
        self.play(Indicate(self.bars["sigmoid"][0], color=color("saturated"), scale_factor=1.5),
                  Indicate(self.heads[0], color=color("saturated")))
        self.play(Indicate(self.caption, color=color("text")))
        self.wait(3)
        self.play(*(FadeOut(m) for m in self.mobjects))
