"""Chapter 4: the gradient travels back through a stack of sigmoid layers and shrinks at each one."""

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
    Line,
    ReplacementTransform,
    VGroup,
    Write,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.bars import get_layer_stack, get_log_axes, get_log_axis, get_log_bars, get_pulse, log_decades
from scenes.widgets.text import NumberTex, color, get_caption_line, get_formula, get_text, get_title
from sigsat_math import (
    INT,
    SIG3,
    Quantity,
    backward_gradients,
    depth_profile,
    identity,
    relu_prime,
    sigmoid_prime,
    sigmoid_prime_max,
    total_gradient,
)

STACK_Y = 1.75
BASE_Y = -2.55
CHART_H = 2.7
STRIP_Y = 0.8
AXIS_X = -5.85


class LayerByLayer(ChapterScene):
    """One pulse of gradient, multiplied by sigma'(z) at every layer on its way back; ReLU beside it."""

    reads = ("layers.count", "layers.z", "problem2.gradient")

    def construct(self) -> None:
        self.compute()
        self.show_stack()
        self.send_pulse()
        self.show_bound()
        self.compare_relu()
        self.plot_depth()
        self.conclude()

    def compute(self) -> None:
        n, z = self.p.layers.count, self.p.layers.z
        self.n = self.value("layers", identity, n, style=INT)
        self.z = self.value("z at every layer", identity, z, style=SIG3)
        self.f = self.value("sigma'(z) per layer", sigmoid_prime, z, style=SIG3)
        self.peak = self.value("max sigma'", sigmoid_prime_max, style=SIG3)
        self.one = self.value("gradient leaving the loss", identity, 1.0, style=SIG3)
        # A ReLU unit is active when z > 0: its slope there is what the pulse meets.
        self.rf = self.value("ReLU'(z) of an active unit", relu_prime, abs(z) or 1.0, style=SIG3)
        self.sig = self.chain("sigmoid", self.f)
        self.relu = self.chain("ReLU", self.rf)
        # The best case: every layer at the peak slope; m = layers passed so far.
        self.best = [self.value(f"best case after {m} layers", total_gradient, m, self.peak.value)
                     for m in range(n, 0, -1)]
        lo, _ = log_decades([q.value for q in (*self.sig, *self.best)])
        self.lo = lo

    def chain(self, name: str, factor: Quantity) -> list[Quantity]:
        """The gradient reaching layers 1..n (layer 1 first), then the loss's own 1."""
        n = self.n.value
        factors = [factor.value] * int(n)
        reach = [self.value(f"{name}: gradient reaching layer {int(n) - i}", backward_gradients, factors, pick=i)
                 for i in range(int(n))]
        return [*reversed(reach), self.one]

    def panel(self, chain: list[Quantity], role: str, left: float, right: float) -> VGroup:
        """Layer stack over log-scale bars: column k holds layer k, the last column the loss."""
        n = int(self.n.value)
        pitch = (right - left) / n
        stack = get_layer_stack(n, pitch, box_width=min(0.8, 0.6 * pitch), role=role)
        stack.move_to([left + n * pitch / 2, STACK_Y, 0])
        xs = [left + k * pitch for k in range(n + 1)]
        axis = get_log_axis(self.lo, 0, CHART_H, grid_width=right - left + 0.6)
        axis.shift(RIGHT * (left - 0.55) + UP * BASE_Y)
        bars = get_log_bars(chain, axis, xs, min(0.55, 0.5 * pitch), role="derivative" if role == "sigmoid" else role)
        group = VGroup(axis, stack, bars)
        group.stack, group.axis, group.bars, group.xs, group.pitch = stack, axis, bars, xs, pitch
        return group

    def show_stack(self) -> None:
        self.beat("stack", f"Here are {self.n.text} sigmoid layers, with the loss at the end.",
                  "Training sends the loss's gradient backward, through every layer, to the first.")
        self.heading = get_title(self.title)
        self.left = self.panel(self.sig, "sigmoid", AXIS_X + 0.75, 6.2)
        stack = self.left.stack
        self.factors = VGroup(*(
            get_formula(r"\times <<f>>", role="derivative", scale=0.6, f=self.f).next_to(box, UP, buff=0.15)
            for box in stack.boxes))
        for label in self.factors:
            label.scale_to_fit_width(min(label.width, 0.92 * self.left.pitch))
        self.rule = get_formula(r"\text{each layer multiplies the gradient by } \sigma'(<<z>>) = <<f>>",
                                role="text", scale=0.75, z=self.z, f=self.f).move_to([0, STRIP_Y, 0])
        self.play(FadeIn(self.heading), Create(stack), run_time=2)
        self.play(Write(self.rule), LaggedStart(*(FadeIn(f) for f in self.factors), lag_ratio=0.1), run_time=2)
        self.wait(2)

    def send_pulse(self) -> None:
        self.beat("pulse", "Watch the gradient travel back. At each layer it is multiplied by sigma prime of z.",
                  f"After {self.n.text} layers only {self.sig[0].text} of it is left.")
        left, n = self.left, int(self.n.value)
        self.chart_name = get_text("gradient that reaches each layer (log scale)", th.SMALL_SIZE, "muted")
        self.chart_name.move_to([left.bars.get_x(), BASE_Y - 0.8, 0])
        self.play(FadeOut(self.rule), Create(left.axis), FadeIn(self.chart_name))
        self.values = VGroup()
        for bar, q in zip(left.bars, self.sig, strict=True):
            label = NumberTex(q, role="derivative", scale=0.6).next_to(bar, DOWN, buff=0.2)
            label.scale_to_fit_width(min(label.width, 0.92 * left.pitch))
            label.set_y(BASE_Y - 0.3)
            self.values.add(label)
        pulse = get_pulse().move_to(left.stack.loss)
        self.play(FadeIn(pulse, scale=2), GrowFromEdge(left.bars[n], DOWN), FadeIn(self.values[n]))
        for k in range(n - 1, -1, -1):
            # The pulse's size follows the bar: the fraction of the log scale still left.
            width = get_pulse().width * (0.3 + 0.7 * left.bars[k][0].height / CHART_H)
            self.play(pulse.animate.move_to(left.stack.boxes[k]).scale_to_fit_width(width), run_time=0.6)
            self.play(Indicate(self.factors[k], color=color("highlight")), GrowFromEdge(left.bars[k], DOWN),
                      FadeIn(self.values[k]), run_time=0.7)
        self.reached = get_formula(r"\text{reaching layer 1: } <<f>>^{<<n>>} = <<g>>", role="text", scale=0.75,
                                   f=self.f, n=self.n, g=self.sig[0]).move_to([0, STRIP_Y, 0])
        self.play(Indicate(self.values[0], color=color("saturated"), scale_factor=1.4), FadeIn(self.reached))
        self.play(FadeOut(pulse))
        self.wait(1.5)

    def show_bound(self) -> None:
        self.beat("best case", f"And that is not bad luck: sigma prime is never above {self.peak.text}.",
                  "Even with every layer at its best, the gradient shrinks layer after layer.")
        bars = self.left.bars
        self.bounds = VGroup(*(
            Line(LEFT * 0.45 * self.left.pitch, RIGHT * 0.45 * self.left.pitch, color=color("highlight"),
                 stroke_width=5).move_to([bar.get_x(), self.left.axis.y_for(q.value), 0])
            for bar, q in zip(bars[:-1], self.best, strict=True)))
        key = VGroup(Line(LEFT * 0.3, RIGHT * 0.3, color=color("highlight"), stroke_width=5),
                     get_formula(r"\text{best case: } \sigma' = <<p>> \text{ at every layer, } <<p>>^{<<n>>} = <<b>>",
                                 role="highlight", scale=0.7, p=self.peak, n=self.n, b=self.best[0]))
        self.key = key.arrange(RIGHT, buff=0.25).move_to([0.3, STRIP_Y, 0])
        self.play(FadeOut(self.reached))
        self.play(LaggedStart(*(Create(b) for b in self.bounds), lag_ratio=0.1), FadeIn(self.key), run_time=2)
        self.wait(3)

    def compare_relu(self) -> None:
        self.beat("ReLU beside it", f"The same network with ReLU: an active unit's slope is {self.rf.text}.",
                  f"So the gradient reaches the first layer whole: {self.relu[0].text}, not {self.sig[0].text}.")
        self.play(FadeOut(VGroup(self.factors, self.values, self.key, self.bounds, self.chart_name)))
        narrow = self.panel(self.sig, "sigmoid", AXIS_X + 0.75, -0.8)
        # Its parts entered one by one; gather them so the whole panel moves as one.
        self.remove(*self.left.get_family())
        self.add(self.left)
        right = self.panel(self.relu, "relu", 1.3, 6.2)
        self.play(ReplacementTransform(self.left, narrow), run_time=1.5)
        rows = []
        for g, name, role, slope, chain in ((narrow, r"\text{sigmoid: } \sigma'", "sigmoid", self.f, self.sig),
                                             (right, r"\text{ReLU, active unit: slope}", "relu", self.rf, self.relu)):
            head = get_formula(name + r" = <<s>>", role=role, scale=0.7, s=slope)
            head.move_to([g.stack.get_x(), STRIP_Y, 0])
            reach = VGroup(get_text("reaches layer 1:", th.SMALL_SIZE, "muted"),
                           NumberTex(chain[0], role=role, scale=0.7)).arrange(RIGHT, buff=0.15)
            reach.move_to([g.stack.get_x(), BASE_Y - 0.55, 0])
            rows.append(VGroup(head, reach))
        self.play(FadeIn(rows[0]), Create(right.axis), Create(right.stack), run_time=1.5)
        pulse = get_pulse(role="relu").move_to(right.stack.loss)
        n = int(self.n.value)
        self.play(FadeIn(pulse, scale=2), GrowFromEdge(right.bars[n], DOWN))
        for k in range(n - 1, -1, -1):
            self.play(pulse.animate.move_to(right.stack.boxes[k]), GrowFromEdge(right.bars[k], DOWN), run_time=0.45)
        self.play(FadeOut(pulse), FadeIn(rows[1]))
        self.wait(3)
        self.panels = VGroup(narrow, right, *rows)
        self.sig_panel, self.relu_panel = narrow, right

    def plot_depth(self) -> None:
        g = self.value("the lesson's per-layer gradient", identity, self.p.problem2.gradient, style=SIG3)
        self.beat("depth", "Plot the gradient against depth on a log scale: each sigmoid layer is a step down.",
                  f"A straight line down at {self.peak.text} per layer, steeper at {g.text}; ReLU stays flat at 1.")
        n = int(self.n.value)
        ends = [self.value(f"{label} after {n} layers", total_gradient, n, q.value)
                for label, q in (("best case", self.peak), ("gradient", g), ("ReLU", self.rf))]
        lo, _ = log_decades([q.value for q in ends])
        axes = get_log_axes(n, lo, 0, width=7.0, height=3.7, x_label="L, layers passed backward")
        axes.move_to([-2.3, -0.55, 0])
        y_name = get_text("gradient (log scale)", th.SMALL_SIZE, "muted").next_to(axes, UP, buff=0.15)
        y_name.align_to(axes, LEFT).shift(LEFT * 0.4)
        curves, keys = VGroup(), VGroup()
        for q, end, role, name in ((self.peak, ends[0], "highlight", r"\text{sigmoid, best case: }"),
                                   (g, ends[1], "sigmoid", r"\text{sigmoid: }"),
                                   (self.rf, ends[2], "relu", r"\text{ReLU: }")):
            points = [axes.to_point(m, self.profile(q, m)) for m in range(n + 1)]
            curve = VGroup(*(Line(a, b, color=color(role), stroke_width=th.STROKE)
                             for a, b in zip(points[:-1], points[1:], strict=True)))
            curves.add(curve)
            keys.add(VGroup(get_formula(name + r"<<q>>^{L}", role=role, scale=0.75, q=q),
                            get_formula(r"L = <<n>> \;\Rightarrow\; <<e>>", role=role, scale=0.75, n=self.n, e=end))
                     .arrange(DOWN, aligned_edge=LEFT, buff=0.12))
        keys.arrange(DOWN, aligned_edge=LEFT, buff=0.4).next_to(axes, RIGHT, buff=0.6).align_to(axes, UP)
        self.play(FadeOut(self.panels))
        self.play(Create(axes), FadeIn(y_name), run_time=1.5)
        for curve, key in zip(curves, keys, strict=True):
            self.play(Create(curve), FadeIn(key), run_time=1.5)
        self.wait(2.5)
        self.plot = VGroup(axes, y_name, curves, keys)

    def profile(self, q: Quantity, m: int) -> float:
        """q.value ** m from sigsat_math, without a ledger row: a point of a curve, not a shown number."""
        return float(depth_profile(q.value, m)[m])

    def conclude(self) -> None:
        self.beat("takeaway", "Small factors, multiplied layer after layer,",
                  "leave the first layers almost nothing to learn from.")
        line = get_caption_line("Each sigmoid layer shrinks the gradient; active ReLU units pass it on whole")
        self.play(FadeIn(line, shift=UP * 0.2))
        self.wait(3)
        self.play(*(FadeOut(m) for m in self.mobjects))
