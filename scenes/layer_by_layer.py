"""Chapter 4: the gradient travels back through a stack of sigmoid layers; every link multiplies it by
the weight and the slope, |w| sigma'(z), and with weights of order one it shrinks at each link."""

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
    LaggedStart,
    Line,
    ReplacementTransform,
    VGroup,
    Write,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.bars import get_log_axes, get_pulse, log_decades
from scenes.widgets.charts import blink, get_bar_panel, get_link_labels, outline, recolor
from scenes.widgets.text import NumberTex, color, get_caption_line, get_formula, get_text, get_title
from sigsat_math import (
    INT,
    SIG3,
    Quantity,
    backward_gradients,
    depth_profile,
    identity,
    link_factor,
    magnitude_words,
    relu_prime,
    shrinking_weight_limit,
    sigmoid_prime,
    sigmoid_prime_max,
    times_smaller,
    total_gradient,
)

STACK_Y = 1.9
BASE_Y = -2.55
CHART_H = 2.7
STRIP_Y = (0.95, 0.45)  # two lines between the stack and the chart
AXIS_X = -5.85


class LayerByLayer(ChapterScene):
    """One pulse of gradient, multiplied by |w| sigma'(z) at every link on its way back; ReLU beside it."""

    reads = ("layers.count", "layers.z", "layers.weight")

    def construct(self) -> None:
        self.compute()
        self.show_stack()
        self.send_pulse()
        self.show_bound()
        self.compare_relu()
        self.plot_depth()
        self.conclude()

    def compute(self) -> None:
        n, z, w = self.p.layers.count, self.p.layers.z, self.p.layers.weight
        self.n = self.value("layers", identity, n, style=INT)
        self.z = self.value("z at every layer", identity, z, style=SIG3)
        self.w = self.value("weight on every link", identity, w, style=SIG3)
        self.f = self.value("sigma'(z) per layer", sigmoid_prime, z, style=SIG3)
        self.g = self.value("sigmoid: factor per link", link_factor, w, self.f.value, style=SIG3)
        self.peak = self.value("max sigma'", sigmoid_prime_max, style=SIG3)
        self.bound = self.value("sigmoid: largest factor per link", link_factor, w, self.peak.value, style=SIG3)
        self.limit = self.value("largest weight that must shrink", shrinking_weight_limit, style=SIG3)
        self.one = self.value("gradient leaving the loss", identity, 1.0, style=SIG3)
        # A ReLU unit is active when z > 0: its slope there is what the pulse meets.
        self.rf = self.value("ReLU'(z) of an active unit", relu_prime, abs(z) or 1.0, style=SIG3)
        self.rg = self.value("ReLU: factor per link", link_factor, w, self.rf.value, style=SIG3)
        self.sig = self.chain("sigmoid", self.g)
        self.relu = self.chain("ReLU", self.rg)
        # The best case: every layer at the peak slope; m = links passed so far.
        self.best = [self.value(f"best case after {m} layers", total_gradient, m, self.bound.value)
                     for m in range(n, 0, -1)]
        self.lo, self.hi = log_decades([q.value for q in (*self.sig, *self.best, *self.relu)])

    def chain(self, name: str, factor: Quantity) -> list[Quantity]:
        """The gradient reaching layers 1..n (layer 1 first), then the loss's own 1."""
        n = int(self.n.value)
        reach = [self.value(f"{name}: gradient reaching layer {n - i}", backward_gradients, [factor.value] * n, pick=i)
                 for i in range(n)]
        return [*reversed(reach), self.one]

    def panel(self, chain: list[Quantity], role: str, left: float, right: float) -> VGroup:
        return get_bar_panel(chain, self.lo, self.hi, left, right, STACK_Y, BASE_Y, CHART_H, role=role,
                             bar_role="derivative" if role == "sigmoid" else role)

    def show_stack(self) -> None:
        self.beat("stack", f"{self.n.text} sigmoid layers, one unit each, the loss at the end.",
                  '<bookmark mark="weight"/>Going back, each link multiplies the gradient by its weight w '
                  '<bookmark mark="slope"/>and by the slope of the layer it reaches; '
                  '<bookmark mark="full"/>in a full layer: W transpose delta, times sigma prime of z.',
                  f'<bookmark mark="here"/>With weight {self.w.text} and z {self.z.text}, each link '
                  f"multiplies it by {self.g.text}.")
        self.heading = get_title(self.title)
        self.left = self.panel(self.sig, "sigmoid", AXIS_X + 0.75, 6.2)
        stack = self.left.stack
        self.slopes = VGroup(*(
            get_formula(r"\times <<f>>", role="derivative", scale=0.6, f=self.f).next_to(box, UP, buff=0.15)
            for box in stack.boxes))
        for label in self.slopes:
            label.scale_to_fit_width(min(label.width, 0.92 * self.left.pitch))
        self.weights = get_link_labels(stack, r"\times <<w>>", w=self.w)
        self.rule = VGroup(
            get_formula(r"\text{one step back: } \delta_k = w\,\delta_{k+1}\,\sigma'(z_k) \qquad "
                        r"\text{a full layer: } \delta = (W^{\top}\delta) \odot \sigma'(z)", scale=0.62),
            get_formula(r"\text{per link: } |w|\,\sigma'(<<z>>) = <<w>> \times <<f>> = <<g>>", role="derivative",
                        scale=0.7, z=self.z, w=self.w, f=self.f, g=self.g))
        for line, y in zip(self.rule, STRIP_Y, strict=True):
            line.move_to([0, y, 0])
        # The heading is up at once: the voice never starts over an empty frame.
        self.play(FadeIn(self.heading), run_time=0.4)
        self.play(Create(stack), run_time=1.6)
        self.wait_for_word("weight")
        self.play(LaggedStart(*(FadeIn(x) for x in self.weights), lag_ratio=0.1), run_time=1.5)
        self.wait_for_word("slope")
        self.play(LaggedStart(*(FadeIn(x) for x in self.slopes), lag_ratio=0.1), run_time=1.5)
        self.wait_for_word("full")
        self.play(Write(self.rule[0]), run_time=2)
        self.wait_for_word("here")
        self.play(Write(self.rule[1]), run_time=1.5)

    def send_pulse(self) -> None:
        # Said as "N times smaller": a whole number is heard right, "hundred-thousandths" is not.
        shrink = self.value("sigmoid: times smaller at layer 1", times_smaller, self.sig[0].value, style=SIG3)
        self.beat("pulse", "Watch the gradient travel back, shrinking at every link.",
                  f'<bookmark mark="left"/>After {self.n.text} layers it is {magnitude_words(shrink.value)} '
                  "times smaller.")
        left, n = self.left, int(self.n.value)
        self.chart_name = get_text("gradient that reaches each layer (log scale)", th.SMALL_SIZE, "muted")
        self.chart_name.move_to([left.bars.get_x(), BASE_Y - 0.8, 0])
        self.play(FadeOut(self.rule), Create(left.axis), FadeIn(self.chart_name))
        self.values = VGroup()
        for bar, q in zip(left.bars, self.sig, strict=True):
            label = NumberTex(q, role="derivative", scale=0.6).next_to(bar, DOWN, buff=0.2)
            label.scale_to_fit_width(min(label.width, 0.92 * left.pitch))
            self.values.add(label.set_y(BASE_Y - 0.3))
        pulse = get_pulse().move_to(left.stack.loss)
        self.play(FadeIn(pulse, scale=2), GrowFromEdge(left.bars[n], DOWN), FadeIn(self.values[n]))
        for k in range(n - 1, -1, -1):
            # The pulse crosses link k + 1 (its weight), then reaches layer k + 1 (its slope).
            self.play(pulse.animate.move_to(left.stack.arrows[k]), blink(self.weights[k]), run_time=0.45)
            self.play(pulse.animate.move_to(left.stack.boxes[k]), blink(self.slopes[k]),
                      GrowFromEdge(left.bars[k], DOWN), FadeIn(self.values[k]), run_time=0.6)
        self.reached = get_formula(r"\text{reaching layer 1: } (|w|\,\sigma')^{<<n>>} = <<g>>^{<<n>>} = <<r>>",
                                   role="text", scale=0.7, n=self.n, g=self.g, r=self.sig[0])
        self.reached.move_to([0, STRIP_Y[0], 0])
        self.first_frame, draw = outline(left.bars[0], role="saturated")
        self.wait_for_word("left")
        self.play(recolor(left.bars[0], role="saturated"), draw, self.values[0].animate.set_color(color("saturated")),
                  FadeIn(self.reached), FadeOut(pulse))

    def show_bound(self) -> None:
        self.beat("best case", "Could better values of z save it? "
                  f'<bookmark mark="bound"/>Sigma prime never exceeds {self.peak.text}, so with weights '
                  f'smaller than <bookmark mark="limit"/>{self.limit.text}, every link shrinks the gradient, '
                  "whatever z is.")
        bars = self.left.bars
        self.bounds = VGroup(*(
            Line(LEFT * 0.45 * self.left.pitch, RIGHT * 0.45 * self.left.pitch, color=color("highlight"),
                 stroke_width=5).move_to([bar.get_x(), self.left.axis.y_for(q.value), 0])
            for bar, q in zip(bars[:-1], self.best, strict=True)))
        key = VGroup(Line(LEFT * 0.3, RIGHT * 0.3, color=color("highlight"), stroke_width=5),
                     get_formula(r"\text{best case, } \sigma' = <<p>> \text{ everywhere: } (<<w>> \times <<p>>)^{<<n>>}"
                                 r" = <<b>>", role="highlight", scale=0.62, p=self.peak, w=self.w, n=self.n,
                                 b=self.best[0]))
        self.key = VGroup(key.arrange(RIGHT, buff=0.25),
                          get_formula(r"\text{it must shrink while } |w|\,\sigma' < 1\text{: for every } z "
                                      r"\text{ once } |w| < <<m>>", role="text", scale=0.62, m=self.limit))
        for line, y in zip(self.key, STRIP_Y, strict=True):
            line.move_to([0.3, y, 0])
        self.play(FadeOut(self.reached))
        self.wait_for_word("bound")
        self.play(LaggedStart(*(Create(b) for b in self.bounds), lag_ratio=0.1), FadeIn(self.key[0]), run_time=2)
        self.wait_for_word("limit")
        self.play(FadeIn(self.key[1]))

    def compare_relu(self) -> None:
        self.beat("ReLU beside it", f"With ReLU, an active unit's slope is {self.rf.text}: each link multiplies "
                  f'by the weight alone, <bookmark mark="first"/>and the first layer gets {self.relu[0].text}.')
        self.play(FadeOut(VGroup(self.slopes, self.weights, self.values, self.key, self.bounds, self.chart_name,
                                 self.first_frame)))
        narrow = self.panel(self.sig, "sigmoid", AXIS_X + 0.75, -0.8)
        # Its parts entered one by one; gather them so the whole panel moves as one.
        self.remove(*self.left.get_family())
        self.add(self.left)
        self.sig_panel = narrow
        self.relu_panel = right = self.panel(self.relu, "relu", 1.3, 6.2)
        narrow.bars[0].set_fill(color("saturated"))
        self.play(ReplacementTransform(self.left, narrow), run_time=1.5)
        rows = []
        for g, name, role, slope, chain in ((narrow, r"\text{sigmoid: } |w|\,\sigma'", "sigmoid", self.g, self.sig),
                                             (right, r"\text{ReLU, active: } |w| \times 1", "relu", self.rg,
                                              self.relu)):
            head = get_formula(name + r" = <<s>>", role=role, scale=0.7, s=slope)
            head.move_to([g.stack.get_x(), STRIP_Y[0], 0])
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
        self.wait_for_word("first")
        self.play(FadeOut(pulse), FadeIn(rows[1]))
        self.panels = VGroup(narrow, right, *rows)

    def plot_depth(self) -> None:
        self.beat("depth", "On a log scale, against layers passed: "
                  '<bookmark mark="c0"/>the best case falls steadily, '
                  '<bookmark mark="c1"/>our sigmoid chain faster, <bookmark mark="c2"/>and ReLU stays level.')
        n = int(self.n.value)
        ends = [self.value(f"{label} after {n} layers", total_gradient, n, q.value)
                for label, q in (("best case", self.bound), ("gradient", self.g), ("ReLU", self.rg))]
        lo, hi = log_decades([q.value for q in (*ends, self.one)])
        axes = get_log_axes(n, lo, hi, width=7.0, height=3.7, x_label="n, layers passed backward")
        axes.move_to([-2.3, -0.55, 0])
        y_name = get_text("gradient (log scale)", th.SMALL_SIZE, "muted").next_to(axes, UP, buff=0.15)
        y_name.align_to(axes, LEFT).shift(LEFT * 0.4)
        curves, keys = VGroup(), VGroup()
        for q, end, role, name in ((self.bound, ends[0], "highlight", r"\text{sigmoid, best case: }"),
                                   (self.g, ends[1], "sigmoid", r"\text{sigmoid: }"),
                                   (self.rg, ends[2], "relu", r"\text{ReLU: }")):
            points = [axes.to_point(m, self.profile(q, m)) for m in range(n + 1)]
            curves.add(VGroup(*(Line(a, b, color=color(role), stroke_width=th.STROKE)
                                for a, b in zip(points[:-1], points[1:], strict=True))))
            keys.add(VGroup(get_formula(name + r"<<q>>^{n}", role=role, scale=0.75, q=q),
                            get_formula(r"n = <<k>> \;\Rightarrow\; <<e>>", role=role, scale=0.75, k=self.n, e=end))
                     .arrange(DOWN, aligned_edge=LEFT, buff=0.12))
        keys.arrange(DOWN, aligned_edge=LEFT, buff=0.4).next_to(axes, RIGHT, buff=0.6).align_to(axes, UP)
        self.play(FadeOut(self.panels))
        self.play(Create(axes), FadeIn(y_name), run_time=1.5)
        for i, (curve, key) in enumerate(zip(curves, keys, strict=True)):
            self.wait_for_word(f"c{i}")
            self.play(Create(curve), FadeIn(key), run_time=1.2)
        self.plot = VGroup(axes, y_name, curves, keys)
        self.plot.axes, self.plot.curves, self.plot.keys = axes, curves, keys

    def profile(self, q: Quantity, m: int) -> float:
        """q.value ** m from sigsat_math, without a ledger row: a point of a curve, not a shown number."""
        return float(depth_profile(q.value, m)[m])

    def conclude(self) -> None:
        self.beat("takeaway", "Small factors, multiplied link after link, starve the first layers.",
                  '<bookmark mark="practice"/>Time to practise, starting with one such slope.')
        line = get_caption_line("Weight × slope at every link: the gradient shrinks layer by layer")
        self.play(FadeIn(line, shift=UP * 0.2))
        self.wait_for_word("practice")
        # The one factor the first practice problem works out: the sigmoid's slope.
        _, draw = outline(self.plot.keys[1], role="highlight")
        self.play(draw)
        self.end_chapter()
