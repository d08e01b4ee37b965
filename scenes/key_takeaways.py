"""Chapter 9: the lesson's five takeaways, each with a small picture of the chapter that showed it."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Circle,
    Circumscribe,
    Create,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    MoveToTarget,
    VGroup,
    Write,
    config,
    there_and_back,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.curves import get_mini_plot, get_slope_mark, get_z_mark, get_zone
from scenes.widgets.icons import get_bars_icon
from scenes.widgets.text import color, get_formula, get_paragraph, get_rows, get_tex, get_text, get_title
from scenes.widgets.variants import get_icon_cell
from sigsat_math import (
    AUTO,
    INT,
    SIG3,
    ExperimentConfig,
    first_over_last,
    gradient_norms,
    identity,
    magnitude_words,
    sigmoid,
    sigmoid_prime,
    sigmoid_prime_max,
)

ICON_W, ICON_H = 2.0, 0.95
TEXT_SIZE = 25
EVIDENCE_SCALE = 0.62
CARD_GAP = 0.6  # between the shrunken takeaways and the closing card


class KeyTakeaways(ChapterScene):
    """Saturation, the 0.25 peak, vanishing gradients, ReLU's slope of 1, ReLU in hidden layers."""

    reads = ("curves.z_max", "curves.threshold", "variants.leaky_alpha", "variants.elu_alpha", "experiment.depth",
             "experiment.width", "experiment.init", "experiment.seed", "experiment.batch", "lesson.title",
             "lesson.goal", "lesson.author", "lesson.year", "problem1.z")

    def construct(self) -> None:
        self.curves, self.curve_axes = {}, {}  # name -> drawn curve, and its axes: the tests sample them
        self.heading = get_title(self.title)
        self.play(FadeIn(self.heading))
        self.rows = VGroup()
        self.saturates()
        self.peak_is_small()
        self.vanishing()
        self.relu_slope()
        self.modern_networks()
        self.closing()

    def keep(self, name: str, plot: VGroup) -> None:
        self.curves[name] = plot.curve if plot.curve is not None else plot.prime
        self.curve_axes[name] = plot.axes

    def reveal(self, icon: VGroup, text: str, evidence: VGroup, accent: Animation,
               intro: Animation | None = None) -> None:
        """Row n: a numbered badge, the icon recalling the chapter, the takeaway and its number."""
        n = len(self.rows) + 1
        badge = VGroup(Circle(radius=0.24, stroke_color=color("highlight"), stroke_width=3),
                       get_tex(str(n), role="highlight", scale=0.7))
        icon_cell = get_icon_cell(icon, ICON_W)
        words = VGroup(get_text(text, TEXT_SIZE), evidence).arrange(DOWN, aligned_edge=LEFT, buff=0.14)
        row = get_rows([[badge, icon_cell, words]], col_buff=0.4)[0]
        # Every row's columns on the same x: the first row sets them, the rest follow.
        if self.rows:
            for cell, above in zip(row, self.rows[0], strict=True):
                cell.align_to(above, LEFT)
            row.next_to(self.rows[-1], DOWN, buff=0.3).align_to(self.rows[0], LEFT)
        else:
            row.next_to(self.heading, DOWN, buff=0.35).to_edge(LEFT, buff=0.55)
        self.rows.add(row)
        self.play(FadeIn(badge, scale=1.5), intro or FadeIn(icon, shift=RIGHT * 0.2))
        self.play(Write(words[0]), run_time=1.5)
        self.play(FadeIn(evidence, shift=UP * 0.1), accent)
        self.wait(2.2)

    def saturates(self) -> None:
        z_max, t = self.p.curves.z_max, self.p.curves.threshold
        self.beat("saturates", "One: the sigmoid saturates at extreme values, and there its gradient is near zero, "
                  "as practice problem 1 showed.")
        plot = get_mini_plot("sigmoid", z_max, ICON_W, ICON_H, role="sigmoid")
        zones = VGroup(get_zone(plot.axes, -z_max, -t), get_zone(plot.axes, t, z_max))
        plot.add_to_back(zones)
        self.keep("sigmoid", plot)
        # The saturated point the lecture worked out aloud: practice problem 1's z, not a new one.
        z = self.value("problem 1's z", identity, self.p.problem1.z, style=SIG3)
        g = self.value("sigma'(problem 1's z)", sigmoid_prime, self.p.problem1.z, style=AUTO)
        evidence = get_formula(r"\sigma'(<<z>>) = <<g>>", role="derivative", scale=EVIDENCE_SCALE, z=z, g=g)
        # Emphasis by colour only: the zones brighten and fade back, never moving off their z range.
        self.reveal(plot, "Sigmoid saturates at extreme values (gradient near 0)", evidence,
                    zones.animate(rate_func=there_and_back).set_fill(opacity=3 * th.ZONE_OPACITY))

    def peak_is_small(self) -> None:
        self.peak = self.value("max sigma'", sigmoid_prime_max, style=SIG3)
        half = self.value("sigma(0)", sigmoid, 0.0, style=SIG3)
        self.beat("peak", f"Two: even at its best, at z equals 0, the sigmoid's gradient is only {self.peak.text}.")
        plot = get_mini_plot("sigmoid", self.p.curves.z_max, ICON_W, ICON_H, role=None, prime_role="derivative")
        mark = get_z_mark(plot.axes, 0.0, self.peak.value)
        plot.add(mark)
        self.keep("sigmoid_prime", plot)
        evidence = get_formula(r"\max \sigma' = \sigma'(0) = <<h>> \times <<h>> = <<p>>", role="highlight",
                               scale=EVIDENCE_SCALE, h=half, p=self.peak)
        self.reveal(plot, f"Maximum sigmoid gradient is only {self.peak.text}", evidence,
                    Circumscribe(mark[1], Circle, color=color("highlight"), buff=0.08))

    def vanishing(self) -> None:
        e = self.p.experiment
        net = ExperimentConfig.from_params(e, "sigmoid")
        depth = self.value("depth", identity, e.depth, style=INT)
        ratio = self.value("sigmoid first/last layer gradient", first_over_last, net, style=AUTO)
        size = magnitude_words(ratio.value) if ratio.value < 0.1 else ratio.text
        self.beat("vanishing", "Three: multiplied layer after layer, the gradient vanishes: in the measured "
                  f"{depth.text}-layer network, the first layer got {size} of the last layer's.")
        # The measured norms, last layer first: the order in which backpropagation reaches them.
        norms = list(gradient_norms(net))[::-1]
        self.bars = bars = get_bars_icon(norms, ICON_W, ICON_H, log_floor=min(norms) / 4)
        self.bar_scale = (norms, ICON_H, min(norms) / 4)  # the tests map each bar back to its norm
        evidence = get_formula(r"\text{first layer} / \text{last layer} = <<r>> \ \ (<<d>> \text{ layers, measured})",
                               role="derivative", scale=EVIDENCE_SCALE, r=ratio, d=depth)
        grow = LaggedStart(FadeIn(bars[0]), *(GrowFromEdge(b, DOWN) for b in bars.bars), lag_ratio=0.15)
        self.reveal(bars, "Vanishing gradients prevent learning in deep networks", evidence,
                    Indicate(bars.bars[-1], color=color("saturated"), scale_factor=1), intro=grow)

    def relu_slope(self) -> None:
        z_max = self.p.curves.z_max
        self.beat("relu slope", "Four: ReLU's gradient is a constant 1 for every positive input; it never saturates.")
        plot = get_mini_plot("relu", z_max, ICON_W, ICON_H, role="relu")
        slope = get_slope_mark(plot.axes, z_max / 4, z_max / 3, 1.0)
        one = get_tex("1", role="highlight", scale=0.55).next_to(slope.rise, RIGHT, buff=0.06)
        plot.add(slope, one)
        self.keep("relu", plot)
        evidence = get_formula(r"\mathrm{ReLU}'(z) = 1 \text{ for } z > 0, \text{ while } \sigma'(z) \le <<p>>",
                               role="relu", scale=EVIDENCE_SCALE, p=self.peak)
        self.reveal(plot, "ReLU has constant gradient = 1 for positive inputs", evidence, Create(slope))

    def modern_networks(self) -> None:
        v, z_max = self.p.variants, self.p.curves.z_max
        self.beat("modern networks", "Five: that is why modern networks use ReLU, or one of its variants, "
                  "in their hidden layers, and keep the sigmoid for outputs and gates.")
        icons = VGroup()
        for key, alpha in (("relu", ()), ("leaky_relu", (v.leaky_alpha,)), ("elu", (v.elu_alpha,)), ("gelu", ())):
            plot = get_mini_plot(key, z_max / 2, (ICON_W - 0.2) / 2, (ICON_H - 0.1) / 2, "relu", alpha=alpha)
            self.keep(key if key != "relu" else "relu_small", plot)
            icons.add(plot)
        icons.arrange_in_grid(2, 2, buff=(0.2, 0.1))
        evidence = get_tex(r"\text{ReLU, Leaky ReLU, ELU, GELU inside; } \sigma \text{ at outputs and gates}",
                           role="muted", scale=EVIDENCE_SCALE)
        self.reveal(icons, "Modern networks use ReLU (or variants) for hidden layers", evidence,
                    Circumscribe(icons, color=color("relu"), buff=0.08))

    def closing(self) -> None:
        lesson = self.p.lesson
        self.beat("closing", f"That was {lesson.title}, by {lesson.author}. Thank you for watching.")
        year = self.value("year", identity, lesson.year, style=INT)
        # The takeaways shrink into a band where the heading was; the closing card gets the room below them.
        self.rows.generate_target()
        self.rows.target.scale(0.5).fade(0.6).to_edge(UP, buff=0.5)
        self.card = card = VGroup(
            get_text(lesson.title, 56, weight="BOLD"),
            get_paragraph(lesson.goal, 11.0, th.BODY_SIZE, "muted").arrange(DOWN, buff=0.18),
            get_text(f"{lesson.author}, {year.text}", th.BODY_SIZE, "muted")).arrange(DOWN, buff=0.35)
        top, bottom = self.rows.target.get_bottom()[1] - CARD_GAP, -config.frame_height / 2 + 0.8
        card.scale(min(1.0, 12.5 / card.width, (top - bottom) / card.height)).move_to([0, (top + bottom) / 2, 0])
        self.play(FadeOut(self.heading), MoveToTarget(self.rows))
        self.play(FadeIn(card, shift=UP * 0.2))
        self.wait(3)
        self.end_chapter()
