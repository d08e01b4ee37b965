"""Chapter 2: the sigmoid and its derivative, the saturation zones, the 0.25 peak, a sweeping z."""

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
    Indicate,
    LaggedStart,
    ValueTracker,
    VGroup,
    Write,
    always_redraw,
    linear,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.curves import get_activation_axes, get_tangent, get_zone, plot_activation
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
    PERCENT,
    SIG3,
    activation,
    identity,
    percent_of_max,
    quantity,
    sigmoid,
    sigmoid_prime,
    sigmoid_prime_max,
)


class SigmoidCurves(ChapterScene):
    """sigma and sigma' on one set of axes; where the curve is flat, the gradient vanishes."""

    reads = ("curves.z_max", "curves.threshold", "curves.inclusive")

    def construct(self) -> None:
        self.show_formulas()
        self.draw_curves()
        self.shade_zones()
        self.mark_peak()
        self.sweep()
        self.conclude()

    def show_formulas(self) -> None:
        self.beat(
            "formulas",
            "The sigmoid squashes any input z into an output between 0 and 1.",
            "Its derivative can be written with the sigmoid itself.",
        )
        self.heading = get_title(self.title)
        sigma = get_tex(r"\sigma(z) = \frac{1}{1 + e^{-z}}", role="sigmoid")
        prime = get_tex(r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)", role="derivative")
        self.card = get_formula_card(sigma, prime, buff=0.45).scale(1.2)
        self.play(FadeIn(self.heading), Write(self.card), run_time=2)
        self.wait(1.5)
        # The card moves to the right column, where readouts will live later.
        self.play(self.card.animate.scale(0.62).to_edge(RIGHT, buff=0.4).shift(UP * 1.95))

    def draw_curves(self) -> None:
        self.beat("curves", "Both curves on one set of axes: the sigmoid in blue, its slope in orange.")
        z_max = self.p.curves.z_max
        self.axes = get_activation_axes(z_max, width=8.0, height=4.6, y_numbers=(0.5, 1.0)).to_corner(
            DOWN + LEFT, buff=0.55
        )
        self.axes.shift(UP * 0.35)
        self.sig = plot_activation(self.axes, "sigmoid", "sigmoid")
        self.der = plot_activation(self.axes, "sigmoid", "derivative", derivative=True)
        legend = (
            VGroup(
                VGroup(get_tex(r"\sigma(z)", role="sigmoid"), get_text("output", th.SMALL_SIZE, "muted")).arrange(
                    RIGHT
                ),
                VGroup(get_tex(r"\sigma'(z)", role="derivative"), get_text("gradient", th.SMALL_SIZE, "muted")).arrange(
                    RIGHT
                ),
            )
            .arrange(DOWN, aligned_edge=LEFT)
            .next_to(self.card, DOWN, buff=0.35, aligned_edge=LEFT)
        )
        self.legend = legend
        self.play(Create(self.axes), run_time=1.5)
        self.play(Create(self.sig), FadeIn(legend[0]), run_time=2)
        self.play(Create(self.der), FadeIn(legend[1]), run_time=2)
        self.wait()

    def shade_zones(self) -> None:
        c = self.p.curves
        t = self.value("saturation threshold", identity, c.threshold, style=SIG3)
        self.beat(
            "zones",
            f"Beyond |z| {'≥' if c.inclusive else '>'} {t.text} the sigmoid saturates: "
            "the output is nearly 0 or 1 and the gradient is near 0.",
        )
        left = get_zone(self.axes, -c.z_max, -c.threshold)
        right = get_zone(self.axes, c.threshold, c.z_max)
        left_label = VGroup(
            get_formula(r"z \leq -<<t>>" if c.inclusive else r"z < -<<t>>", role="saturated", t=t),
            get_text("output nearly 0", th.SMALL_SIZE, "saturated"),
            get_text("gradient near 0", th.SMALL_SIZE, "saturated"),
        ).arrange(DOWN, buff=0.12)
        right_label = VGroup(
            get_formula(r"z \geq <<t>>" if c.inclusive else r"z > <<t>>", role="saturated", t=t),
            get_text("output nearly 1", th.SMALL_SIZE, "saturated"),
            get_text("gradient near 0", th.SMALL_SIZE, "saturated"),
        ).arrange(DOWN, buff=0.12)
        for label, band, y in ((left_label, left, 0.75), (right_label, right, 0.5)):
            if label.width > band.width - 0.1:
                label.scale_to_fit_width(band.width - 0.1)
            label.move_to([band.get_center()[0], self.axes.c2p(0, y)[1], 0])
        g_t = self.value("sigma'(threshold)", sigmoid_prime, c.threshold, style=SIG3)
        f_t = self.value("sigma'(threshold) / 0.25", percent_of_max, c.threshold, style=PERCENT)
        at_edge = get_formula(r"\sigma'(<<t>>) = <<g>>", role="derivative", t=t, g=g_t)
        share = VGroup(
            get_text("=", th.SMALL_SIZE),
            NumberTex(f_t, role="derivative", scale=0.75),
            get_text("of the peak", th.SMALL_SIZE, "muted"),
        ).arrange(RIGHT, buff=0.12)
        self.edge_note = VGroup(at_edge, share).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        self.edge_note.next_to(self.legend, DOWN, buff=0.45, aligned_edge=LEFT)
        self.zones = VGroup(left, right)
        self.play(FadeIn(self.zones), run_time=1.2)
        self.play(LaggedStart(FadeIn(left_label), FadeIn(right_label), lag_ratio=0.4))
        self.zone_labels = VGroup(left_label, right_label)
        edge_dots = VGroup(
            *(
                Dot(self.axes.c2p(z, float(activation("sigmoid")[1](z))), color=color("derivative"))
                for z in (-c.threshold, c.threshold)
            )
        )
        self.play(FadeIn(edge_dots), Write(self.edge_note))
        self.wait(2)
        self.play(FadeOut(edge_dots), FadeOut(self.edge_note))

    def mark_peak(self) -> None:
        self.beat("peak", "The gradient is largest at z equals 0, and even there it is only one quarter.")
        half = self.value("sigma(0)", sigmoid, 0.0, style=SIG3)
        peak = self.value("max sigma'", sigmoid_prime_max, style=SIG3)
        dot = Dot(self.axes.c2p(0, peak.value), color=color("highlight"), radius=0.09)
        level = DashedLine(
            self.axes.c2p(-self.p.curves.z_max, peak.value),
            self.axes.c2p(self.p.curves.z_max, peak.value),
            color=color("highlight"),
            stroke_width=2,
        )
        lines = VGroup(
            get_formula(r"\max \sigma' = \sigma(0)\bigl(1-\sigma(0)\bigr)", role="text", scale=0.7),
            get_formula(r"= <<h>> \times <<h>> = <<p>>", role="highlight", scale=0.85, h=half, p=peak),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        lines.next_to(self.legend, DOWN, buff=0.45, aligned_edge=LEFT)
        self.play(FadeIn(dot, scale=2), Create(level))
        self.play(Write(lines))
        self.play(Indicate(dot, color=color("highlight")))
        self.wait(2)
        self.play(FadeOut(lines), FadeOut(level), FadeOut(dot))

    def sweep(self) -> None:
        self.beat("sweep", "Follow the slope as z sweeps across: steep in the middle, flat in the zones.")
        z_max = self.p.curves.z_max
        # A little inside the ends, so the tangent stays on the axes.
        z = ValueTracker(-z_max + 0.5)
        sig, sig_p = activation("sigmoid")

        def readouts() -> VGroup:
            # Live values change every frame: text from sigsat_math's display, not the ledger.
            zq = quantity(identity, z.get_value(), style=SIG3)
            sq = quantity(sigmoid, z.get_value(), style=SIG3)
            gq = quantity(sigmoid_prime, z.get_value(), style=SIG3)
            rows = VGroup(
                *(
                    VGroup(get_tex(label, role=role, scale=0.8), get_text(q.text, th.BODY_SIZE, role)).arrange(
                        RIGHT, buff=0.2
                    )
                    for label, q, role in (
                        (r"z =", zq, "text"),
                        (r"\sigma(z) =", sq, "sigmoid"),
                        (r"\sigma'(z) =", gq, "derivative"),
                    )
                )
            ).arrange(DOWN, aligned_edge=LEFT, buff=0.22)
            return rows.next_to(self.legend, DOWN, buff=0.45, aligned_edge=LEFT)

        tangent = always_redraw(lambda: get_tangent(self.axes, "sigmoid", z.get_value(), length=2.2))
        dot = always_redraw(
            lambda: Dot(self.axes.c2p(z.get_value(), float(sig(z.get_value()))), color=color("highlight"))
        )
        slope_dot = always_redraw(
            lambda: Dot(self.axes.c2p(z.get_value(), float(sig_p(z.get_value()))), color=color("derivative"))
        )
        panel = always_redraw(readouts)
        self.add(tangent, dot, slope_dot, panel)
        start = self.time
        self.play(z.animate.set_value(z_max - 0.5), run_time=9, rate_func=linear)
        self.offer_loop("sigma-prime-sweep", start, pingpong=True,
                        what="the point sweeping along sigma and sigma', with its tangent and readouts")
        self.wait()
        self.play(z.animate.set_value(0), run_time=3)
        self.wait()
        self.remove(tangent, dot, slope_dot, panel)

    def conclude(self) -> None:
        self.beat("flat means slow", "Where the curve is flat, the gradient is almost zero, and learning stalls.")
        line = get_caption_line("Flat curve = tiny gradient = almost no learning")
        self.play(Indicate(self.zones, color=color("saturated")), FadeIn(line, shift=UP * 0.2))
        self.wait(2.5)
        self.play(*(FadeOut(m) for m in self.mobjects))
