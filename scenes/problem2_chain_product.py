"""Chapter 6: practice problem 2, the per-layer gradient multiplied layer by layer, then one update.

The picture is the chain itself: the layers and the loss, the factor on every link, and the
product growing link by link as the gradient travels back to the first layer.
"""

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
from scenes.widgets.bars import get_layer_stack, get_pulse
from scenes.widgets.text import TransformTex, color, fill, get_number, get_prose, get_tex, get_text, get_title
from sigsat_math import INT, backward_gradients, identity, total_gradient, weight_update

LEFT_EDGE = -6.6
MAX_WIDTH = 13.2
QUESTION_Y = 2.45
CHAIN_Y = 0.25
CHAIN_WIDTH = 12.6


class Problem2ChainProduct(ChapterScene):
    """5 layers at 0.2 each: the product 0.2^5, then the weight update it allows with rate 0.1."""

    reads = ("problem2.layers", "problem2.gradient", "problem2.learning_rate")

    def construct(self) -> None:
        self.compute()
        self.ask()
        self.pause_and_try()
        self.chain()
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
        """A line at the left edge, at height y, no wider than the safe area."""
        if line.width > MAX_WIDTH:
            line.scale_to_fit_width(MAX_WIDTH)
        return line.move_to([LEFT_EDGE + line.width / 2, y, 0])

    def ask(self) -> None:
        layers = "layer" if self.n.value == 1 else "layers"
        self.beat("question", f"Practice problem 2. A network has {self.n.text} {layers}, each with sigmoid "
                  f"activation. If each layer's gradient is {self.g.text}, what total gradient reaches the "
                  "first layer?")
        self.heading = get_title(self.title)
        lines = (get_prose(f"A network has <<n>> {layers}, each with sigmoid activation.", n=self.n),
                 get_prose("If each layer's gradient is <<g>>,", g=self.g),
                 get_text("what is the total gradient that reaches the first layer?", th.BODY_SIZE))
        self.question = VGroup(*(self.place(line, QUESTION_Y - 0.55 * k) for k, line in enumerate(lines)))
        self.play(FadeIn(self.heading))
        for line in self.question:
            self.play(Write(line), run_time=1.3)

    def chain(self) -> None:
        self.beat("chain rule", "Gradients multiply through the layers: that is the chain rule.",
                  '<bookmark mark="back"/>Going back from the loss, every link multiplies the gradient by '
                  f"{self.g.text} again, and the product shrinks at every layer.")
        n = int(self.n.value)
        pitch = min(1.9, CHAIN_WIDTH / (n + 0.5))
        stack = get_layer_stack(n, pitch, box_width=min(0.8, 0.6 * pitch), box_height=0.8)
        stack.move_to([0, CHAIN_Y, 0])
        nodes = [*stack.boxes, stack.loss]
        factors = VGroup(*(get_prose("× <<g>>", th.SMALL_SIZE, "derivative", None, g=self.g) for _ in range(n)))
        products = VGroup(*(get_number(q, th.SMALL_SIZE, "derivative") for q in self.running))
        for group, most in ((factors, 0.8 * pitch), (products, 1.6 * pitch)):
            if max(m.width for m in group) > most:
                group.scale(most / max(m.width for m in group))
        crowded = max(m.width for m in products) > 0.85 * pitch
        for k, arrow in enumerate(stack.arrows):
            factors[k].next_to(arrow, UP, buff=0.3)
        # The k-th product is reached after k + 1 links back from the loss: under layer n - k.
        for k, label in enumerate(products):
            label.next_to(stack.boxes[n - 1 - k], DOWN, buff=0.25 + (0.4 if crowded and k % 2 else 0))
            # A wide number under layer 1 slides in from the frame's edge, still under its box.
            label.shift(RIGHT * max(0.0, LEFT_EDGE - 0.2 - label.get_left()[0]))
        self.stack, self.products = stack, products
        self.play(FadeIn(stack), run_time=1)
        pulse = get_pulse().move_to(stack.loss)
        self.play(FadeIn(pulse, scale=0.5), run_time=0.4)
        self.wait_for_word("back")
        # Backward, link by link: the factor on the link lights up, the product lands on the layer.
        for k in range(n):
            link = n - 1 - k
            self.play(FadeIn(factors[link], shift=DOWN * 0.15), pulse.animate.move_to(nodes[link]),
                      run_time=0.8 if n <= 6 else 0.5)
            self.play(FadeIn(products[k], shift=DOWN * 0.15), run_time=0.4 if n <= 6 else 0.3)
        self.play(FadeOut(pulse), Indicate(products[-1], color=color("saturated")))
        self.factors = factors

    def total_step(self) -> None:
        self.beat("total", f"In one line: {self.g.text} to the power {self.n.text} is {self.total.text}: the first "
                  "layer receives practically zero gradient.")
        n = int(self.n.value)
        y = min(m.get_bottom()[1] for m in self.products) - 0.65
        factor = fill("<<g>>", g=self.g)
        product = get_tex("g_1", "=", *[p for k in range(n) for p in ([r"\times"] if k else []) + [factor]],
                          scale=1.0)
        power = fill("<<g>>^{<<n>>}", g=self.g, n=self.n)
        self.total_line = get_tex("g_1", "=", power, "=", fill("<<t>>", t=self.total), scale=1.0)
        self.total_line[-1].set_color(color("highlight"))
        self.place(product, y)
        self.total_line.move_to(product, aligned_edge=LEFT)
        self.words = self.place(get_prose("The first layer receives a gradient of only <<t>>: practically zero.",
                                          th.SMALL_SIZE, t=self.total), y - 0.7)
        self.play(Write(product), run_time=1.5)
        self.play(TransformTex(product, self.total_line, key_map={factor: power}), run_time=1.5)
        self.play(FadeIn(self.words))

    def update_step(self) -> None:
        self.beat("update", f"With learning rate {self.lr.text}, the weight moves by {self.lr.text} times that: "
                  f"{self.dw.text}.")
        rule = get_tex(r"\Delta w", "=", r"\eta", r"\times", "g_1", scale=1.0)
        names = {"lr": self.lr, "t": self.total, "dw": self.dw}
        line = get_tex(r"\Delta w", "=", *(fill(p, **names) for p in ("<<lr>>", r"\times", "<<t>>", "=", "<<dw>>")),
                       scale=1.0)
        line[-1].set_color(color("highlight"))
        self.update_line = self.place(line, self.words.get_y() - 0.75)
        rule.move_to(self.update_line, aligned_edge=LEFT)
        self.play(Write(rule), run_time=1)
        self.play(TransformTex(rule, self.update_line, key_map={r"\eta": line[2].tex_string,
                                                                "g_1": line[4].tex_string}), run_time=1.5)
        self.play(Indicate(self.update_line[-1], color=color("highlight")))

    def conclude(self) -> None:
        self.beat("conclusion", "Weight updates are negligible. The first layer cannot learn effectively.",
                  "This is the vanishing gradient problem.")
        keep = VGroup(self.total_line.copy(), self.update_line.copy()).arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        keep.to_edge(LEFT, buff=0.6).set_y(1.5)
        self.play(FadeOut(VGroup(self.question, self.stack, self.factors, self.products, self.words)),
                  ReplacementTransform(self.total_line, keep[0]), ReplacementTransform(self.update_line, keep[1]),
                  run_time=1.5)
        lines = VGroup(get_text("Weight updates are negligible.", th.BODY_SIZE),
                       get_text("The first layer cannot learn effectively.", th.BODY_SIZE),
                       ).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        lines.next_to(keep, DOWN, buff=0.7).align_to(keep, LEFT)
        verdict = get_text("This is the vanishing gradient problem.", th.HEADING_SIZE, "saturated", weight="BOLD")
        verdict.next_to(lines, DOWN, buff=0.6).align_to(lines, LEFT)
        for line in lines:
            self.play(FadeIn(line, shift=UP * 0.2))
        self.play(Write(verdict))
        self.wait(2)
        self.end_chapter()
