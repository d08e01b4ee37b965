"""Chapter 5: practice problem 1, sigma'(z) at one z against the 0.25 maximum, worked step by step."""

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
    GrowFromEdge,
    Indicate,
    VGroup,
    Write,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.bars import get_gradient_bar
from scenes.widgets.curves import get_activation_axes, plot_activation
from scenes.widgets.text import NumberTex, color, get_caption_line, get_formula, get_tex, get_text, get_title
from sigsat_math import (
    PERCENT,
    SIG3,
    SIG4,
    Display,
    exp_neg,
    fraction_of_max,
    identity,
    is_saturated,
    percent_of_max,
    rounded_complement,
    rounded_prime,
    rounded_sigmoid,
    sigmoid,
    sigmoid_complement,
    sigmoid_prime,
    sigmoid_prime_max,
)

STEP_SCALE = 0.78
LEFT_EDGE = -6.75
SAFE_RIGHT = 6.7
FIGURE_BOTTOM = -2.85


class Problem1SigmaPrime(ChapterScene):
    """How small is the gradient at z = 5? Computed exactly, then compared with the peak."""

    reads = ("problem1.z", "curves.threshold", "curves.inclusive")

    def construct(self) -> None:
        self.z = self.value("z", identity, self.p.problem1.z, style=SIG3)
        self.ask()
        self.sigma_step()
        self.derivative_step()
        self.ratio_step()
        self.picture()
        self.conclude()

    def ask(self) -> None:
        self.beat(
            "question",
            f"Calculate the sigmoid derivative at z equals {self.z.text}.",
            "How does it compare to the maximum derivative?",
        )
        self.heading = get_title(self.title)
        question = VGroup(
            get_text("Calculate the sigmoid derivative at", th.BODY_SIZE),
            get_formula(r"z = <<z>>.", role="highlight", z=self.z),
            get_text("How does it compare to the maximum?", th.BODY_SIZE),
        ).arrange(RIGHT, buff=0.2)
        question.scale_to_fit_width(min(question.width, 13.0))
        question.next_to(self.heading, DOWN, buff=0.3).to_edge(LEFT, buff=0.5)
        self.question = question
        self.play(FadeIn(self.heading))
        self.play(Write(question), run_time=2)
        self.wait(1.5)

    def step(self, line: VGroup, above: VGroup | None) -> VGroup:
        """Place a worked line under the previous one, at the left edge."""
        line.scale(STEP_SCALE / th.TEX_SCALE)
        anchor = above if above is not None else self.question
        line.next_to(anchor, DOWN, buff=0.38)
        line.shift(RIGHT * (LEFT_EDGE - line.get_left()[0]))
        return line

    def sigma_step(self) -> None:
        z = self.z
        self.beat("sigma", "First the sigmoid itself. e to the minus z is tiny, so sigma is almost 1.")
        e = self.value("e^-z", exp_neg, z.value, style=SIG4)
        s = self.value("sigma(z)", sigmoid, z.value, style=SIG4)
        c = self.value("1 - sigma(z)", sigmoid_complement, z.value, style=SIG4)
        self.l1 = self.step(
            get_formula(
                r"\sigma(<<z>>) = \frac{1}{1 + e^{-<<z>>}} = \frac{1}{1 + <<e>>} = <<s>>", role="sigmoid", z=z, e=e, s=s
            ),
            None,
        )
        self.l2 = self.step(get_formula(r"1 - \sigma(<<z>>) = <<c>>", role="sigmoid", z=z, c=c), self.l1)
        self.s, self.c = s, c
        self.play(Write(self.l1), run_time=2.5)
        self.wait()
        self.play(Write(self.l2))
        self.wait()

    def derivative_step(self) -> None:
        z = self.z
        self.beat("derivative", "The derivative is sigma times one minus sigma: a number near 1 times a tiny one.")
        self.g = self.value("sigma'(z)", sigmoid_prime, z.value, style=SIG3)
        self.l3 = self.step(
            get_formula(
                r"\sigma'(<<z>>) = \sigma(<<z>>)\bigl(1-\sigma(<<z>>)\bigr) = <<s>> \times <<c>> = <<g>>",
                role="derivative",
                z=z,
                s=self.s,
                c=self.c,
                g=self.g,
            ),
            self.l2,
        )
        self.play(Write(self.l3), run_time=2.5)
        # The lesson multiplies factors rounded to four places; show that working, labelled.
        r = self.value(
            "sigma'(z) from rounded factors (the lesson's working)", rounded_prime, z.value, style=Display("fixed", 4)
        )
        rs = self.value("sigma(z) rounded", rounded_sigmoid, z.value, style=Display("fixed", 4))
        rc = self.value("1 - sigma(z) rounded", rounded_complement, z.value, style=Display("fixed", 4))
        note = VGroup(
            get_text("lesson's working, factors rounded first:", th.SMALL_SIZE, "muted"),
            get_formula(r"<<s>> \times <<c>> \approx <<r>>", role="muted", scale=0.6, s=rs, c=rc, r=r),
        ).arrange(RIGHT, buff=0.2)
        note.next_to(self.l3, DOWN, buff=0.25).align_to(self.l3, LEFT)
        self.note = note
        self.play(FadeIn(note))
        self.wait(2)

    def ratio_step(self) -> None:
        self.beat("ratio", "Against the best possible slope of one quarter, that is a tiny fraction.")
        peak = self.value("max sigma'", sigmoid_prime_max, style=SIG3)
        ratio = self.value("sigma'(z) / 0.25", fraction_of_max, self.z.value, style=SIG4)
        share = self.value("sigma'(z) / 0.25 in percent", percent_of_max, self.z.value, style=PERCENT)
        self.peak, self.share = peak, share
        self.l4 = self.step(
            get_formula(
                r"\frac{\sigma'(<<z>>)}{\max \sigma'} = \frac{<<g>>}{<<p>>} = <<r>> = <<pc>>",
                role="highlight",
                z=self.z,
                g=self.g,
                p=peak,
                r=ratio,
                pc=share,
            ),
            self.note,
        )
        self.play(Write(self.l4), run_time=2)
        self.play(Indicate(self.l4[0][-len(share.tex) :], color=color("highlight")))
        self.wait(1.5)

    def picture(self) -> None:
        self.beat(
            "picture", "On the derivative's curve the point sits far down the tail, and the bars show it to scale."
        )
        summary = VGroup(
            get_formula(r"\sigma'(<<z>>) = <<g>>", role="derivative", z=self.z, g=self.g),
            get_formula(r"\max \sigma' = <<p>>", role="highlight", p=self.peak),
            get_formula(r"\text{ratio} = <<pc>>", role="highlight", pc=self.share),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        summary.next_to(self.question, DOWN, buff=0.8).to_edge(LEFT, buff=0.6)
        working = VGroup(self.l1, self.l2, self.l3, self.note, self.l4)
        self.play(FadeOut(working, shift=LEFT * 0.5), FadeIn(summary, shift=LEFT * 0.5))
        z_max = max(6.0, abs(self.z.value) + 1.0)
        axes = get_activation_axes(z_max, y_min=0.0, y_max=0.3, width=6.0, height=3.6, y_numbers=(self.peak.value,))
        axes.next_to(summary, RIGHT, buff=0.9).align_to(summary, UP).shift(DOWN * 0.2)
        curve = plot_activation(axes, "sigmoid", "derivative", derivative=True)
        peak_dot = Dot(axes.c2p(0, self.peak.value), color=color("highlight"))
        here = Dot(axes.c2p(self.z.value, self.g.value), color=color("derivative"), radius=0.1)
        drop = DashedLine(
            axes.c2p(self.z.value, self.peak.value), axes.c2p(self.z.value, 0), color=color("muted"), stroke_width=2
        )
        # Two bars to scale: the peak's bar sets the height, sigma'(z)'s is the same fraction of it.
        bars = VGroup(
            get_gradient_bar(self.peak, self.peak.value, 3.0, role="highlight", width=0.5),
            get_gradient_bar(self.g, self.peak.value, 3.0, role="derivative", width=0.5),
        )
        bars.arrange(RIGHT, buff=0.9, aligned_edge=DOWN).next_to(axes, RIGHT, buff=0.6).align_to(axes, DOWN)
        labels = VGroup(NumberTex(self.peak, scale=0.6), NumberTex(self.g, role="derivative", scale=0.6))
        names = VGroup(
            get_tex(r"\max \sigma'", role="highlight", scale=0.6),
            get_formula(r"\sigma'(<<z>>)", role="derivative", scale=0.6, z=self.z),
        )
        for bar, label, name in zip(bars, labels, names, strict=True):
            label.next_to(bar, UP, buff=0.12)
            name.next_to(bar, DOWN, buff=0.15)
        self.bars = bars
        self.figure = VGroup(axes, curve, peak_dot, here, drop, bars, labels, names)
        # Keep the figure clear of the frame's edge and of the caption line below it.
        fits = VGroup(self.figure).copy()
        room_w, room_h = SAFE_RIGHT - axes.get_left()[0], axes.get_top()[1] - FIGURE_BOTTOM
        if fits.width > room_w or fits.height > room_h:
            self.figure.scale(min(room_w / fits.width, room_h / fits.height), about_edge=UP + LEFT)
        self.play(Create(axes), Create(curve), run_time=1.5)
        self.play(FadeIn(peak_dot), FadeIn(here, scale=2), Create(drop))
        self.play(*(GrowFromEdge(b, DOWN) for b in bars), FadeIn(labels), FadeIn(names))
        self.wait(2)

    def conclude(self) -> None:
        c = self.p.curves
        saturated = is_saturated(self.z.value, c.threshold, c.inclusive)
        if saturated:
            words = (
                f"At z = {self.z.text} the gradient is only {self.share.text} of its maximum: "
                "learning is extremely slow in this saturated region."
            )
        else:
            words = (
                f"At z = {self.z.text}, outside the saturated zones, the gradient is still "
                f"{self.share.text} of its maximum."
            )
        self.beat("conclusion", words)
        verdict = "learning is extremely slow here" if saturated else "learning still works here"
        line = get_caption_line(f"Only {self.share.text} of the maximum gradient: {verdict}")
        self.play(FadeIn(line, shift=UP * 0.2))
        self.wait(3)
        self.play(*(FadeOut(m) for m in self.mobjects))
