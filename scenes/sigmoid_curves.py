"""Chapter 3: the sigmoid and its derivative, derived step by step as the voice names each step;
the saturation zones, the 0.25 peak and why, a sweeping z. It explains the flat ground of the ball
chapter before it, and illustrates saturation away from practice problem 1's z, so that it does
not answer the problem before it is asked."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Flash,
    LaggedStart,
    ReplacementTransform,
    TransformMatchingTex,
    ValueTracker,
    VGroup,
    Write,
    always_redraw,
    linear,
    there_and_back,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.curves import get_sigmoid_stage, get_tangent, get_zone, plot_activation
from scenes.widgets.text import (
    TransformTex,
    color,
    fit_right,
    get_caption_line,
    get_formula,
    get_formula_card,
    get_number,
    get_prose,
    get_rows,
    get_tex,
    get_text,
    get_title,
)
from sigsat_math import (
    PERCENT,
    SIG3,
    activation,
    clear_of,
    identity,
    percent_of_max,
    quantity,
    sigmoid,
    sigmoid_prime,
    sigmoid_prime_max,
)

SIGMA = r"\sigma(z) = \frac{1}{1 + e^{-z}}"
PRIME = r"\sigma'(z)"
# The derivation, one line in three steps; each step keeps the pieces the next one shares.
STEPS = (
    (PRIME, "=", r"\frac{e^{-z}}{(1 + e^{-z})^2}"),
    (PRIME, "=", r"\frac{1}{1 + e^{-z}}", r"\cdot", r"\frac{e^{-z}}{1 + e^{-z}}"),
    (PRIME, "=", r"\sigma(z)", r"\bigl(1 - \sigma(z)\bigr)"),
)
SPLIT = {r"\frac{1}{1 + e^{-z}}": r"\sigma(z)", r"\frac{e^{-z}}{1 + e^{-z}}": r"\bigl(1 - \sigma(z)\bigr)"}


class SigmoidCurves(ChapterScene):
    """sigma and sigma' on one set of axes; where the curve is flat, the gradient vanishes."""

    reads = ("curves.z_max", "curves.threshold", "curves.inclusive", "problem1.z")

    def construct(self) -> None:
        self.show_formula()
        self.derive()
        self.draw_curves()
        self.shade_zones()
        self.mark_peak()
        self.sweep()
        self.conclude()

    def show_formula(self) -> None:
        self.beat("formulas", "The sigmoid squashes any input z into an output between 0 and 1.")
        self.heading = get_title(self.title)
        sigma = get_tex(SIGMA, role="sigmoid")
        slot = get_tex(*STEPS[-1], role="derivative")
        self.card = get_formula_card(sigma, slot, buff=0.45).scale(1.2)
        self.card.next_to(self.heading, DOWN, buff=0.6)
        self.slot = self.card[1][1]
        self.card[1].remove(self.slot)
        # The heading is up at once: the voice never starts over an empty frame.
        self.play(FadeIn(self.heading), FadeIn(self.card[0]), run_time=0.4)
        self.play(Write(sigma), run_time=1.6)

    def derive(self) -> None:
        self.beat("derivation",
                  '<bookmark mark="quotient"/>By the quotient rule, its slope is e to the minus z '
                  "over one plus e to the minus z, squared:",
                  '<bookmark mark="split"/>the sigmoid itself, <bookmark mark="why"/>times one minus the sigmoid.',
                  '<bookmark mark="product"/>Sigma prime is sigma times one minus sigma.')
        lines = [get_tex(*step, role="derivative", scale=1.05) for step in STEPS]
        for line in lines:
            line.next_to(self.card, DOWN, buff=0.4)
        why = get_tex(r"\frac{e^{-z}}{1 + e^{-z}} = 1 - \frac{1}{1 + e^{-z}}", role="muted", scale=0.7)
        why.next_to(lines[1], DOWN, buff=0.3)
        self.wait_for_word("quotient")
        self.play(Write(lines[0]), run_time=1.5)
        self.wait_for_word("split")
        self.play(TransformMatchingTex(lines[0], lines[1], transform_mismatches=True), run_time=1.5)
        self.wait_for_word("why")
        self.play(FadeIn(why, shift=UP * 0.2))
        self.wait_for_word("product")
        self.play(TransformTex(lines[1], lines[2], key_map=SPLIT), FadeOut(why), run_time=1.5)
        # The result stays in view while it is said; only then does it move into the card.
        self.wait_for_voice()
        self.play(ReplacementTransform(lines[2], self.slot))
        self.card[1].add(self.slot)
        # The card moves under the rule in the right column, where the readouts will live.
        self.play(self.card.animate.scale(0.62).next_to(self.heading, DOWN, buff=0.25).to_edge(RIGHT, buff=0.4))

    def draw_curves(self) -> None:
        self.beat("curves", 'Both curves: <bookmark mark="sigma"/>the sigmoid in blue, '
                  '<bookmark mark="slope"/>its slope in orange.')
        self.stage = get_sigmoid_stage(self.p.curves.z_max)
        self.axes, self.sig = self.stage.axes, self.stage.curve
        self.der = plot_activation(self.axes, "sigmoid", "derivative", derivative=True)
        self.legend = VGroup(*(VGroup(get_tex(tex, role=role), get_text(word, th.SMALL_SIZE, "muted")).arrange(RIGHT)
                               for tex, role, word in ((r"\sigma(z)", "sigmoid", "output"),
                                                       (PRIME, "derivative", "gradient"))))
        self.legend.arrange(DOWN, aligned_edge=LEFT).next_to(self.card, DOWN, buff=0.35, aligned_edge=LEFT)
        self.play(Create(self.axes), run_time=1)
        self.wait_for_word("sigma")
        self.play(Create(self.sig), FadeIn(self.legend[0]), run_time=1.5)
        self.wait_for_word("slope")
        self.play(Create(self.der), FadeIn(self.legend[1]), run_time=1.5)

    def column(self, group: VGroup) -> VGroup:
        """Place a group in the right column, under the legend, no wider than the column."""
        group.next_to(self.legend, DOWN, buff=0.45, aligned_edge=LEFT)
        return fit_right(group)

    def shade_zones(self) -> None:
        c = self.p.curves
        t = self.value("saturation threshold", identity, c.threshold, style=SIG3)
        # The zone's edge illustrates saturation, unless it is practice problem 1's z (or close):
        # then a point further in, so that this chapter does not answer the problem.
        at = self.value("illustration z", clear_of, c.threshold, self.p.problem1.z, style=SIG3)
        g_t = self.value("sigma'(illustration z)", sigmoid_prime, at.value, style=SIG3)
        f_t = self.value("sigma'(illustration z) / 0.25", percent_of_max, at.value, style=PERCENT)
        where = "At the zone's edge" if at.value == c.threshold else f"At z = {at.text}, inside the zone,"
        self.beat("zones",
                  f"Where |z| {'≥' if c.inclusive else '>'} {t.text}, it saturates: flat, with a gradient near zero.",
                  f'<bookmark mark="edge"/>{where} the slope is down to {f_t.text} of its peak.')
        self.zones = VGroup(get_zone(self.axes, -c.z_max, -c.threshold), get_zone(self.axes, c.threshold, c.z_max))
        labels = VGroup()
        for band, sign, side, y in ((self.zones[0], r"\leq -" if c.inclusive else "< -", "0", 0.75),
                                    (self.zones[1], r"\geq " if c.inclusive else "> ", "1", 0.5)):
            label = VGroup(get_formula(rf"z {sign}<<t>>", role="saturated", t=t),
                           get_text(f"output nearly {side}", th.SMALL_SIZE, "saturated"),
                           get_text("gradient near 0", th.SMALL_SIZE, "saturated")).arrange(DOWN, buff=0.12)
            if label.width > band.width - 0.1:
                label.scale_to_fit_width(band.width - 0.1)
            labels.add(label.move_to([band.get_center()[0], self.axes.c2p(0, y)[1], 0]))
        note = self.column(VGroup(get_formula(r"\sigma'(<<t>>) = <<g>>", role="derivative", t=at, g=g_t),
                                  get_prose("that is <<f>> of the peak", th.SMALL_SIZE, "muted", "derivative", f=f_t)
                                  ).arrange(DOWN, aligned_edge=LEFT, buff=0.15))
        sig_p = activation("sigmoid")[1]
        dots = VGroup(*(Dot(self.axes.c2p(z, float(sig_p(z))), color=color("derivative"))
                        for z in (-at.value, at.value)))
        self.play(FadeIn(self.zones), run_time=1.2)
        self.play(LaggedStart(*(FadeIn(label) for label in labels), lag_ratio=0.4))
        self.wait_for_word("edge")
        self.play(FadeIn(dots), Write(note))
        self.wait_for_voice()
        self.play(FadeOut(dots), FadeOut(note))
        self.zone_labels = labels

    def mark_peak(self) -> None:
        half = self.value("sigma(0)", sigmoid, 0.0, style=SIG3)
        peak = self.value("max sigma'", sigmoid_prime_max, style=SIG3)
        self.beat("peak",
                  f"The gradient peaks at z = 0, at only {peak.text}. Why?",
                  '<bookmark mark="square"/>Write p for the output: p times one minus p is a quarter '
                  "minus the square of p minus a half.",
                  'A square is never negative, so the product is at most a quarter, '
                  '<bookmark mark="half"/>reached only where p is a half: <bookmark mark="zero"/>z = 0.')
        z_max = self.p.curves.z_max
        dot = Dot(self.axes.c2p(0, peak.value), color=color("highlight"), radius=0.09)
        level = DashedLine(self.axes.c2p(-z_max, peak.value), self.axes.c2p(z_max, peak.value),
                           color=color("highlight"), stroke_width=2)
        square = get_tex(r"p(1-p)", "=", r"\tfrac14 - \bigl(p - \tfrac12\bigr)^2 \le \tfrac14", scale=0.75)
        so = get_tex("=", r"\tfrac14 \iff p = \tfrac12", role="muted", scale=0.75)
        at_zero = get_tex(r"\max \sigma'", "=", r"\sigma(0)", r"\bigl(1-\sigma(0)\bigr)", scale=0.75)
        numbers = get_tex(r"\max \sigma'", "=", half.tex, r"\times", half.tex + " =", peak.tex, scale=0.75)
        numbers.set_color(color("highlight"))
        lines = VGroup(square, so, at_zero).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        so.shift(RIGHT * (square[1].get_x() - so[0].get_x()))
        self.column(lines)
        numbers.scale(at_zero[0].height / numbers[0].height).move_to(at_zero, aligned_edge=LEFT)
        self.play(FadeIn(dot, scale=2), Create(level))
        self.wait_for_word("square")
        self.play(Write(square))
        self.wait_for_word("half")
        self.play(FadeIn(so, shift=UP * 0.15))
        self.play(Write(at_zero))
        self.wait_for_word("zero")
        self.play(Flash(dot, color=color("highlight")),
                  TransformTex(at_zero, numbers, key_map={r"\sigma(0)": half.tex,
                                                          r"\bigl(1-\sigma(0)\bigr)": half.tex + " ="}))
        # The argument stays on screen until the voice has finished it, and a moment more to read.
        self.wait_for_voice()
        self.wait(1)
        self.play(FadeOut(VGroup(square, so, numbers, level, dot)))

    def sweep(self) -> None:
        self.beat("sweep", "Follow the slope as z sweeps across: steep in the middle, flat in the zones.")
        z_max = self.p.curves.z_max
        # A little inside the ends, so the tangent stays on the axes.
        z = ValueTracker(-z_max + 0.5)
        sig, sig_p = activation("sigmoid")

        def readouts() -> VGroup:
            # Live values change every frame: shown by sigsat_math's display, not in the ledger.
            value = z.get_value()
            rows = [[get_text(word, th.SMALL_SIZE, "muted"),
                     get_number(quantity(f, value, style=SIG3), th.BODY_SIZE, role)]
                    for word, f, role in (("input z", identity, "text"), ("output", sigmoid, "sigmoid"),
                                          ("gradient", sigmoid_prime, "derivative"))]
            return self.column(get_rows(rows, col_buff=0.35, row_buff=0.22))

        tangent = always_redraw(lambda: get_tangent(self.axes, "sigmoid", z.get_value(), length=2.2))
        dot = always_redraw(lambda: Dot(self.axes.c2p(z.get_value(), float(sig(z.get_value()))),
                                        color=color("highlight")))
        slope_dot = always_redraw(lambda: Dot(self.axes.c2p(z.get_value(), float(sig_p(z.get_value()))),
                                              color=color("derivative")))
        panel = always_redraw(readouts)
        self.add(tangent, dot, slope_dot, panel)
        start = self.time
        self.play(z.animate.set_value(z_max - 0.5), run_time=5.5, rate_func=linear)
        self.offer_loop("sigma-prime-sweep", start, pingpong=True,
                        what="the point sweeping along sigma and sigma', with its tangent and readouts")
        self.play(z.animate.set_value(0), run_time=1.5)
        self.remove(tangent, dot, slope_dot, panel)

    def conclude(self) -> None:
        self.beat("flat means slow", "Flat curve, tiny gradient: learning stalls.",
                  '<bookmark mark="next"/>And a network multiplies one such slope per layer: that is next.')
        line = get_caption_line("Flat curve = tiny gradient = almost no learning")
        # The zones pulse in colour only: their edges stay at the threshold.
        self.play(self.zones.animate(rate_func=there_and_back).set_fill(opacity=2.5 * th.ZONE_OPACITY),
                  FadeIn(line, shift=UP * 0.2), run_time=1.5)
        self.wait_for_word("next")
        # The slope at one layer is the factor the next chapter multiplies, layer after layer.
        self.play(self.der.animate.set_stroke(width=2 * th.STROKE), rate_func=there_and_back, run_time=1.2)
        self.end_chapter()
