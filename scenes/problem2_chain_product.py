"""Chapter 6: practice problem 2, the per-layer gradient multiplied layer by layer, then one update."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    Indicate,
    ReplacementTransform,
    VGroup,
    Write,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.text import NumberTex, color, fill, get_tex, get_text, get_title
from sigsat_math import INT, backward_gradients, identity, total_gradient, weight_update

LEFT_EDGE = -6.6
MAX_WIDTH = 13.2
RIGHT_EDGE = 6.7
QUESTION_Y = 2.45
PRODUCT_Y = 0.2


class Problem2ChainProduct(ChapterScene):
    """5 layers at 0.2 each: the product 0.2^5, then the weight update it allows with rate 0.1."""

    reads = ("problem2.layers", "problem2.gradient", "problem2.learning_rate")

    def construct(self) -> None:
        self.compute()
        self.ask()
        self.multiply()
        self.total_step()
        self.update_step()
        self.conclude()

    def compute(self) -> None:
        p = self.p.problem2
        self.n = self.value("layers", identity, p.layers, style=INT)
        self.g = self.value("gradient per layer", identity, p.gradient)
        self.lr = self.value("learning rate", identity, p.learning_rate)
        factors = [p.gradient] * p.layers
        self.running = [self.value(f"product of the first {k + 1} factors", backward_gradients, factors, pick=k)
                        for k in range(p.layers)]
        self.total = self.value("total gradient", total_gradient, p.layers, p.gradient)
        self.dw = self.value("weight update", weight_update, p.learning_rate, self.total.value)

    def place(self, line: VGroup, y: float) -> VGroup:
        """A worked line at the left edge, at height y, no wider than the safe area."""
        if line.width > MAX_WIDTH:
            line.scale_to_fit_width(MAX_WIDTH)
        return line.move_to([LEFT_EDGE + line.width / 2, y, 0])

    def ask(self) -> None:
        layers = "layer" if self.n.value == 1 else "layers"
        self.beat("question", f"A network has {self.n.text} {layers}, each with sigmoid activation.",
                  f"If each layer's gradient is {self.g.text}, what total gradient reaches the first layer?")
        self.heading = get_title(self.title)
        first = VGroup(get_text("A network has", th.BODY_SIZE), NumberTex(self.n),
                       get_text(f"{layers}, each with sigmoid activation.", th.BODY_SIZE)).arrange(RIGHT, buff=0.18)
        second = VGroup(get_text("If each layer's gradient is", th.BODY_SIZE),
                        NumberTex(self.g, suffix=",")).arrange(RIGHT, buff=0.18)
        # Numbers sit on the text's baseline: the bottom of a capital letter.
        for line in (first, second):
            line[1].shift(UP * (line[0][0].get_bottom()[1] - line[1][0][0].get_bottom()[1]))
        third = get_text("what is the total gradient that reaches the first layer?", th.BODY_SIZE)
        self.question = VGroup(self.place(first, QUESTION_Y), self.place(second, QUESTION_Y - 0.55),
                               self.place(third, QUESTION_Y - 1.1))
        self.play(FadeIn(self.heading))
        for line in self.question:
            self.play(Write(line), run_time=1.3)
        self.wait(3)

    def multiply(self) -> None:
        self.beat("chain rule", "Gradients multiply through the layers: that is the chain rule.",
                  f"Factor by factor: {', '.join(q.text for q in self.running)}.")
        n = int(self.n.value)
        note = get_text("Gradients multiply through layers (chain rule):", th.SMALL_SIZE, "muted")
        self.note = self.place(note, PRODUCT_Y + 0.65)
        factor = fill("<<g>>", g=self.g)
        parts = [r"\text{Total gradient}", "="]
        for k in range(n):
            parts += ([r"\times"] if k else []) + [factor]
        self.product = self.place(get_tex(*parts, role="text", scale=1.1), PRODUCT_Y)
        self.slots = [self.product[2 + 2 * k] for k in range(n)]
        labels = VGroup(*(NumberTex(q, role="derivative", scale=0.72) for q in self.running))
        pitch = self.slots[1].get_x() - self.slots[0].get_x() if n > 1 else 2.0
        crowded = any((a.width + b.width) / 2 > 0.8 * pitch for a, b in zip(labels[:-1], labels[1:], strict=True))
        if crowded and max(label.width for label in labels) > 1.8 * pitch:
            labels.scale(1.8 * pitch / max(label.width for label in labels))
        # The last running product may be wider than its factor: shrink the line so it still fits.
        left, last, half = self.product.get_left()[0], self.slots[-1].get_x(), labels[-1].width / 2
        if last + half > RIGHT_EDGE:
            f = (RIGHT_EDGE - left) / (last - left + half)
            self.product.scale(f, about_edge=LEFT)
            labels.scale(f)
        for k, (label, slot) in enumerate(zip(labels, self.slots, strict=True)):
            # Long numbers alternate between two rows so that neighbours never touch.
            drop = 0.45 if crowded and k % 2 else 0.0
            label.move_to([slot.get_x(), PRODUCT_Y - 0.65 - drop, 0])
        self.labels = labels
        self.after = get_text("after each layer:", th.SMALL_SIZE, "muted")
        self.after.scale_to_fit_width(min(self.after.width, self.product[0].width))
        self.after.move_to([self.product[1].get_right()[0] - self.after.width / 2, labels[0].get_y(), 0])
        self.play(FadeIn(self.note))
        self.play(Write(self.product[:3]), FadeIn(labels[0], shift=DOWN * 0.2), FadeIn(self.after))
        for k in range(1, n):
            self.play(Write(self.product[2 * k + 1:2 * k + 3]), FadeIn(labels[k], shift=DOWN * 0.2),
                      run_time=1.0 if n <= 6 else 0.6)
            self.wait(0.3)
        self.play(Indicate(labels[-1], color=color("saturated")))
        self.wait(1.5)

    def total_step(self) -> None:
        self.beat("total", f"In one line: {self.g.text} to the power {self.n.text} is {self.total.text}.",
                  "The first layer receives practically zero gradient.")
        y = min(self.labels, key=lambda m: m.get_y()).get_y() - 0.85
        total = get_tex(fill(r"= <<g>>^{<<n>>} =", g=self.g, n=self.n), fill("<<t>>", t=self.total),
                        scale=1.1)
        total[1].set_color(color("highlight"))
        total.shift([self.product[1].get_left()[0] - total[0].get_left()[0], y - total.get_y(), 0])
        self.total_line = total
        words = VGroup(get_text("The first layer receives a gradient of only", th.BODY_SIZE, "text"),
                       NumberTex(self.total),
                       get_text("— practically zero!", th.BODY_SIZE, "saturated")).arrange(RIGHT, buff=0.18)
        self.words = self.place(words, y - 0.75)
        self.play(Write(total), run_time=1.5)
        self.play(Indicate(total[1], color=color("highlight")))
        self.play(FadeIn(words))
        self.wait(2.5)

    def update_step(self) -> None:
        self.beat("update", f"With learning rate {self.lr.text}, the weight moves by {self.lr.text} times that: "
                  f"{self.dw.text}.")
        line = get_tex(fill(r"\Delta w = \eta \times \text{gradient} = <<lr>> \times <<t>> =",
                                lr=self.lr, t=self.total), fill("<<dw>>", dw=self.dw), role="derivative",
                       scale=1.1)
        line[1].set_color(color("highlight"))
        self.update_line = self.place(line, self.words.get_y() - 0.85)
        self.play(Write(self.update_line), run_time=2)
        self.play(Indicate(self.update_line[1], color=color("highlight")))
        self.wait(3)

    def conclude(self) -> None:
        self.beat("conclusion", "Weight updates are negligible. The first layer cannot learn effectively.",
                  "This is the vanishing gradient problem.")
        summary = get_tex(r"\text{Total gradient}", fill(r"= <<g>>^{<<n>>} =", g=self.g, n=self.n),
                          fill("<<t>>", t=self.total), scale=1.1)
        summary[2].set_color(color("highlight"))
        keep = VGroup(summary, self.update_line.copy()).arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        keep.to_edge(LEFT, buff=0.6).set_y(1.5)
        self.play(FadeOut(VGroup(self.question, self.note, self.product[1:], self.labels, self.after, self.words)),
                  ReplacementTransform(VGroup(self.product[0], self.total_line), summary),
                  ReplacementTransform(self.update_line, keep[1]), run_time=1.5)
        lines = VGroup(get_text("Weight updates are negligible.", th.BODY_SIZE),
                       get_text("The first layer cannot learn effectively.", th.BODY_SIZE),
                       ).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        lines.next_to(keep, DOWN, buff=0.7).align_to(keep, LEFT)
        verdict = get_text("This is the vanishing gradient problem.", th.HEADING_SIZE, "saturated", weight="BOLD")
        verdict.next_to(lines, DOWN, buff=0.6).align_to(lines, LEFT)
        for line in lines:
            self.play(FadeIn(line, shift=UP * 0.2))
            self.wait(0.8)
        self.play(Write(verdict))
        self.wait(3)
        self.play(*(FadeOut(m) for m in self.mobjects))
