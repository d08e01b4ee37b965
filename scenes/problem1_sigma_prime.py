"""Chapter 5: practice problem 1, sigma'(z) at one z against the 0.25 maximum, worked step by step.

Every equation on screen holds at the precision it shows: the working carries as many figures as
that needs (four at the default z), and the ratio is rounded to three.
"""

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
    VGroup,
    Write,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.bars import get_gradient_bar
from scenes.widgets.curves import get_activation_axes, plot_activation
from scenes.widgets.text import (
    TransformTex,
    color,
    fill,
    get_caption_line,
    get_formula,
    get_number,
    get_prose,
    get_tex,
    get_text,
    get_title,
    holds,
    shown,
)
from sigsat_math import (
    PERCENT,
    SIG3,
    Display,
    exp_neg,
    fraction_of_max,
    identity,
    is_saturated,
    percent_of_max,
    quantity,
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
WORKING = (("e^-z", exp_neg), ("sigma(z)", sigmoid), ("1 - sigma(z)", sigmoid_complement),
           ("sigma'(z)", sigmoid_prime))


class Problem1SigmaPrime(ChapterScene):
    """How small is the gradient at z = 5? Computed exactly, then compared with the peak."""

    reads = ("problem1.z", "curves.threshold", "curves.inclusive")

    def construct(self) -> None:
        self.z = self.value("z", identity, self.p.problem1.z, style=SIG3)
        self.figures()
        self.ask()
        self.pause_and_try()
        self.sigma_step()
        self.derivative_step()
        self.ratio_step()
        self.picture()
        self.conclude()

    def figures(self) -> None:
        """The working's numbers, to the fewest figures (four at least) at which every line holds."""
        z = self.z.value
        self.peak = self.value("max sigma'", sigmoid_prime_max, style=SIG3)
        self.ratio = self.value("sigma'(z) / 0.25", fraction_of_max, z, style=SIG3)
        self.share = self.value("sigma'(z) / 0.25 in percent", percent_of_max, z, style=PERCENT)
        for digits in range(4, 9):
            e, s, c, g = (quantity(f, z, style=Display("sig", digits)) for _, f in WORKING)
            one = shown(e) + 1
            if (holds(s, 1 / one) and holds(c, shown(e) / one) and holds(g, shown(s) * shown(c))
                    and holds(self.ratio, shown(g) / shown(self.peak))):
                break
        self.e, self.s, self.c, self.g = (self.value(label, f, z, style=Display("sig", digits))
                                          for label, f in WORKING)

    def ask(self) -> None:
        self.beat("question",
                  f"Practice problem 1. Calculate the sigmoid derivative at z = {self.z.text}.",
                  '<bookmark mark="compare"/>How does it compare to the maximum derivative?')
        self.heading = get_title(self.title)
        self.question = VGroup(get_prose("Calculate the sigmoid derivative at z = <<z>>.", z=self.z),
                               get_text("How does it compare to the maximum?", th.BODY_SIZE)
                               ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        self.question.next_to(self.heading, DOWN, buff=0.3).to_edge(LEFT, buff=0.5)
        self.play(FadeIn(self.heading))
        self.play(Write(self.question[0]), run_time=1.5)
        self.wait_for_word("compare")
        self.play(Write(self.question[1]), run_time=1)

    def step(self, line: VGroup, above: VGroup | None) -> VGroup:
        """Place a worked line under the previous one, at the left edge."""
        line.scale(STEP_SCALE / th.TEX_SCALE)
        line.next_to(above if above is not None else self.question, DOWN, buff=0.38)
        return line.shift(RIGHT * (LEFT_EDGE - line.get_left()[0]))

    def tex(self, *parts: str, role: str = "text", **values: object) -> VGroup:
        """A worked line in parts (for TransformTex), `<<name>>` filled from Quantities."""
        return get_tex(*(fill(p, **values) for p in parts), role=role)  # type: ignore[arg-type]

    def sigma_step(self) -> None:
        z, e = self.z, self.e
        # Said to two figures, the lesson's key line (e^-5 = 0.0067); the screen keeps the working's.
        ear = Display("sig", 2)
        e2, c2 = (self.value(f"{label}, said", f, z.value, style=ear) for label, f in WORKING[0:3:2])
        power = f"e to the minus {z.text}" if z.value >= 0 else "e to the minus z"
        size = "so sigma is almost 1" if z.value > 0 else "and sigma is one over one plus that"
        self.beat("sigma", "First the sigmoid.",
                  f'<bookmark mark="exp"/>{power} is about {e2.text}, {size}: {self.s.text}.',
                  f'<bookmark mark="rest"/>One minus sigma: about {c2.text}.')
        # e^{-z} at a negative z is e^{-(-5)}, not e^{--5}.
        power = "e^{-<<z>>}" if z.value >= 0 else "e^{-(<<z>>)}"
        frac = fill(rf"\frac{{1}}{{1 + {power}}}", z=z)
        values = fill(r"\frac{1}{1 + <<e>>}", e=e)
        start = self.step(self.tex(r"\sigma(<<z>>)", "=", frac, role="sigmoid", z=z), None)
        self.l1 = self.step(self.tex(r"\sigma(<<z>>)", "=", values, "= <<s>>", role="sigmoid", z=z, s=self.s), None)
        self.l2 = self.step(self.tex(rf"1 - \sigma(<<z>>) = \frac{{{power}}}{{1 + {power}}}",
                                     r"= \frac{<<e>>}{1 + <<e>>} = <<c>>", role="sigmoid", z=z, e=e, c=self.c),
                            self.l1)
        self.play(Write(start), run_time=1.5)
        self.wait_for_word("exp")
        self.play(TransformTex(start, self.l1, key_map={frac: values}), run_time=1.5)
        self.wait_for_word("rest")
        self.play(Write(self.l2), run_time=2)

    def derivative_step(self) -> None:
        z = self.z
        # The lesson multiplies factors rounded to four places; show that working, labelled.
        fixed = Display("fixed", 4)
        r = self.value("sigma'(z) from rounded factors (the lesson's working)", rounded_prime, z.value, style=fixed)
        rs = self.value("sigma(z) rounded", rounded_sigmoid, z.value, style=fixed)
        rc = self.value("1 - sigma(z) rounded", rounded_complement, z.value, style=fixed)
        self.beat("derivative", f'Their product is sigma prime: <bookmark mark="product"/>{self.g.text}.',
                  f'<bookmark mark="lesson"/>Rounding the factors first, the lesson gets {r.text}.')
        factors = {r"\sigma(<<z>>)": "<<s>>", r"\bigl(1-\sigma(<<z>>)\bigr)": r"\times <<c>>"}
        names = {"z": z, "s": self.s, "c": self.c, "g": self.g}
        start = self.step(self.tex(r"\sigma'(<<z>>)", "=", *factors, role="derivative", **names), self.l2)
        self.l3 = self.step(self.tex(r"\sigma'(<<z>>)", "=", *factors.values(), "= <<g>>", role="derivative",
                                     **names), self.l2)
        self.play(Write(start), run_time=1.5)
        self.wait_for_word("product")
        self.play(TransformTex(start, self.l3, key_map={fill(a, **names): fill(b, **names)
                                                        for a, b in factors.items()}), run_time=1.5)
        self.note = VGroup(get_text("lesson's working, factors rounded first:", th.SMALL_SIZE, "muted"),
                           get_formula(r"<<s>> \times <<c>> \approx <<r>>", role="muted", scale=0.6, s=rs, c=rc, r=r)
                           ).arrange(RIGHT, buff=0.2)
        self.note.next_to(self.l3, DOWN, buff=0.25).align_to(self.l3, LEFT)
        self.wait_for_word("lesson")
        self.play(FadeIn(self.note))

    def ratio_step(self) -> None:
        # The words follow the number: "only" where z is in a saturated zone, plain elsewhere
        # (at z = 0 the share is the whole maximum).
        share = f"only {self.share.text}" if self.saturated else self.share.text
        self.beat("ratio", f"Against the largest possible slope, {self.peak.text}, that is {share}.")
        self.l4 = self.step(get_formula(r"\frac{\sigma'(<<z>>)}{\max \sigma'} = \frac{<<g>>}{<<p>>} = <<r>> = <<pc>>",
                                        role="highlight", z=self.z, g=self.g, p=self.peak, r=self.ratio,
                                        pc=self.share), self.note)
        self.play(Write(self.l4), run_time=2)

    def picture(self) -> None:
        where = "far down the tail" if self.saturated else "outside the saturated zones"
        self.beat("picture", f"On the derivative's curve the point sits {where}; "
                  '<bookmark mark="bars"/>the bars show it to scale.')
        summary = VGroup(get_formula(r"\sigma'(<<z>>) = <<g>>", role="derivative", z=self.z, g=self.g),
                         get_formula(r"\max \sigma' = <<p>>", role="highlight", p=self.peak),
                         get_formula(r"\sigma'(<<z>>) / \max \sigma' = <<pc>>", role="highlight", z=self.z,
                                     pc=self.share)).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        summary.next_to(self.question, DOWN, buff=0.8).to_edge(LEFT, buff=0.6)
        working = VGroup(self.l1, self.l2, self.l3, self.note, self.l4)
        self.play(FadeOut(working, shift=LEFT * 0.5), FadeIn(summary, shift=LEFT * 0.5))
        z_max = max(6.0, abs(self.z.value) + 1.0)
        axes = get_activation_axes(z_max, y_min=0.0, y_max=0.3, width=6.0, height=3.6, y_numbers=(self.peak.value,))
        axes.next_to(summary, RIGHT, buff=0.9).align_to(summary, UP).shift(DOWN * 0.2)
        curve = plot_activation(axes, "sigmoid", "derivative", derivative=True)
        peak_dot = Dot(axes.c2p(0, self.peak.value), color=color("highlight"))
        here = Dot(axes.c2p(self.z.value, self.g.value), color=color("derivative"), radius=0.1)
        drop = DashedLine(axes.c2p(self.z.value, self.peak.value), axes.c2p(self.z.value, 0),
                          color=color("muted"), stroke_width=2)
        # Two bars to scale: the peak's bar sets the height, sigma'(z)'s is the same fraction of it.
        bars = VGroup(get_gradient_bar(self.peak, self.peak.value, 3.0, role="highlight", width=0.5),
                      get_gradient_bar(self.g, self.peak.value, 3.0, role="derivative", width=0.5))
        bars.arrange(RIGHT, buff=0.9, aligned_edge=DOWN).next_to(axes, RIGHT, buff=0.6).align_to(axes, DOWN)
        labels = VGroup(get_number(self.peak, th.SMALL_SIZE), get_number(self.g, th.SMALL_SIZE, "derivative"))
        names = VGroup(get_tex(r"\max \sigma'", role="highlight", scale=0.6),
                       get_formula(r"\sigma'(<<z>>)", role="derivative", scale=0.6, z=self.z))
        for bar, label, name in zip(bars, labels, names, strict=True):
            label.next_to(bar, UP, buff=0.12)
            name.next_to(bar, DOWN, buff=0.15)
        self.bars = bars
        self.figure = VGroup(axes, curve, peak_dot, here, drop, bars, labels, names)
        # Keep the figure clear of the frame's edge and of the caption line below it.
        room_w, room_h = SAFE_RIGHT - axes.get_left()[0], axes.get_top()[1] - FIGURE_BOTTOM
        if self.figure.width > room_w or self.figure.height > room_h:
            self.figure.scale(min(room_w / self.figure.width, room_h / self.figure.height), about_edge=UP + LEFT)
        self.play(Create(axes), Create(curve), run_time=1.5)
        self.play(FadeIn(peak_dot), FadeIn(here, scale=2), Create(drop))
        self.wait_for_word("bars")
        self.play(*(GrowFromEdge(b, DOWN) for b in bars), FadeIn(labels), FadeIn(names))

    @property
    def saturated(self) -> bool:
        """Whether z is in a saturated zone (as the curves chapter draws them)."""
        c = self.p.curves
        return is_saturated(self.z.value, c.threshold, c.inclusive)

    def conclude(self) -> None:
        saturated = self.saturated
        if saturated:
            words = "Learning is extremely slow in this saturated region."
        else:
            words = f"This z lies outside the saturated zones: the gradient keeps {self.share.text} of its maximum."
        self.beat("conclusion", words,
                  "Next: such factors, multiplied layer by layer.")
        verdict = "learning is extremely slow here" if saturated else "learning still works here"
        share = f"Only {self.share.text}" if saturated else self.share.text
        line = get_caption_line(f"{share} of the maximum gradient: {verdict}")
        self.play(FadeIn(line, shift=UP * 0.2))
        self.end_chapter()
