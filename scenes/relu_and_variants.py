"""Chapter 8: ReLU and its derivative, a dead unit measured in the real network, the variants that
fix it, practice problem 3 (why ReLU won) and where the sigmoid still belongs."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    ReplacementTransform,
    VGroup,
    Write,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.curves import (
    get_activation_panel,
    get_dots_on_curve,
    get_mini_plot,
    get_slope_mark,
    get_stacked_plots,
)
from scenes.widgets.icons import get_neuron, get_variant_icons
from scenes.widgets.text import (
    color,
    get_caption_line,
    get_formula,
    get_formula_card,
    get_rows,
    get_tex,
    get_text,
    get_title,
)
from sigsat_math import (
    INT,
    PERCENT,
    SIG3,
    ExperimentConfig,
    activation,
    dead_share,
    first_over_last,
    identity,
    quietest_unit,
    relu_prime,
    sigmoid_prime,
    unit_median_z,
    unit_peak_z,
    unit_preactivations,
    unit_weight_gradient,
    zero_share,
)

PLOT_W = 6.0
RIGHT_X = 1.2  # left edge of the right-hand column
VARIANTS = {  # name on screen, f and f' (alpha's value is shown beside the name, from the parameters)
    "leaky_relu": ("Leaky ReLU", r"f(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}",
                   r"f'(z) = \begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}"),
    "elu": ("ELU", r"f(z) = \begin{cases} z & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases}",
            r"f'(z) = \begin{cases} 1 & z > 0 \\ \alpha e^{z} & z \le 0 \end{cases}"),
    "gelu": ("GELU", r"f(z) = z\,\Phi(z)", r"f'(z) = \Phi(z) + z\,\varphi(z)"),
}


class ReluAndVariants(ChapterScene):
    """ReLU's slope of 1, the dead unit it can leave behind, the variants, and problem 3."""

    reads = ("curves.z_max", "curves.threshold", "variants.leaky_alpha", "variants.elu_alpha", "experiment.depth",
             "experiment.width", "experiment.init", "experiment.seed", "experiment.batch")

    def construct(self) -> None:
        e = self.p.experiment
        self.net = ExperimentConfig.from_params(e, "relu")
        self.sigmoid_net = ExperimentConfig.from_params(e, "sigmoid")
        v = self.p.variants
        self.alphas = {"leaky_relu": (v.leaky_alpha,), "elu": (v.elu_alpha,), "gelu": ()}
        self.curves, self.curve_axes = {}, {}  # name -> drawn curve, and its axes: the tests sample them
        self.show_relu()
        self.dead_unit()
        self.variants()
        self.problem3()
        self.catch_and_sigmoid()

    def keep(self, name: str, axes, curve) -> None:
        self.curves[name], self.curve_axes[name] = curve, axes

    def show_relu(self) -> None:
        self.beat("relu", "ReLU keeps a positive input as it is and turns a negative one into zero.",
                  "Its slope is 1 for every positive z, and 0 for every negative one.")
        z_max, t = self.p.curves.z_max, self.p.curves.threshold
        self.heading = get_title(self.title)
        pair = get_stacked_plots("relu", z_max, PLOT_W, (3.0, 1.4), ((-0.6, z_max), (-0.3, 1.3)),
                                 (r"\mathrm{ReLU}(z)", r"\mathrm{ReLU}'(z)"))
        pair.to_corner(LEFT + UP, buff=0.4).shift(DOWN * 0.9)
        top, low, relu, prime = pair.top, pair.low, pair.curve, pair.prime
        self.keep("relu", top, relu)
        self.keep("relu_prime", low, prime)
        slope = get_slope_mark(top, z_max / 4, z_max / 4, 1.0)
        marks = VGroup(get_tex("1", role="highlight", scale=0.6).next_to(slope.rise, RIGHT, buff=0.1),
                       get_tex("1", role="derivative", scale=0.6).next_to(low.c2p(z_max / 2, 1), UP, buff=0.1),
                       get_tex("0", role="derivative", scale=0.6).next_to(low.c2p(-z_max / 2, 0), UP, buff=0.1))
        self.t = self.value("z at the saturation threshold", identity, t, style=SIG3)
        self.sig_t = self.value("sigma'(threshold)", sigmoid_prime, t, style=SIG3)
        self.relu_t = self.value("ReLU'(threshold)", relu_prime, t, style=SIG3)
        card = get_formula_card(get_tex(r"\mathrm{ReLU}(z) = \max(0, z)", role="relu"), get_tex(
            r"\mathrm{ReLU}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}", role="relu"), buff=0.4)
        compare = VGroup(get_formula(r"\sigma'(<<t>>) = <<s>>", role="sigmoid", t=self.t, s=self.sig_t),
                         get_formula(r"\mathrm{ReLU}'(<<t>>) = <<r>>", role="relu", t=self.t, r=self.relu_t),
                         get_text("no saturation for z > 0", th.SMALL_SIZE, "muted"))
        compare.arrange(DOWN, aligned_edge=LEFT)
        self.card = VGroup(card, compare).arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        self.card.next_to(self.heading, DOWN, buff=0.5).set_x(RIGHT_X, direction=LEFT)
        self.play(FadeIn(self.heading), Create(top), Create(low), run_time=1.5)
        self.play(Write(card), Create(relu), run_time=2)
        self.play(Create(prime), FadeIn(pair.tags), run_time=1.5)
        self.play(Create(slope), FadeIn(marks))
        self.wait(1.5)
        self.say(f"Where the sigmoid is saturated, at z = {self.t.text}, its slope is {self.sig_t.text}; "
                 f"ReLU's is still {self.relu_t.text}.")
        self.play(FadeIn(compare, shift=UP * 0.2))
        self.wait(3)
        self.plots = VGroup(pair, slope, marks)

    def dead_unit(self) -> None:
        layer = self.value("quietest unit: layer", quietest_unit, self.net, pick=0, style=INT)
        unit = self.value("quietest unit: index", quietest_unit, self.net, pick=1, style=INT)
        where = (self.net, layer.value, unit.value)
        peak = self.value("quietest unit: largest z", unit_peak_z, *where, style=SIG3)
        grad = self.value("quietest unit: weight gradient", unit_weight_gradient, *where, style=SIG3)
        self.typical = self.value("quietest unit: median z", unit_median_z, *where, style=SIG3)
        n = self.value("batch", identity, self.net.batch, style=INT)
        self.width = width = self.value("width", identity, self.net.width, style=INT)
        self.dead = self.value("dead units", dead_share, self.net, style=PERCENT)
        dead = peak.value <= 0  # else no unit is dead: show the one closest to it
        self.beat("dying", f"Here is a real unit of the measured network: layer {layer.text}, unit {unit.text}.",
                  f"On all {n.text} examples its input z stays {'negative' if dead else 'mostly negative'}: "
                  f"the largest is {peak.text}.")
        neuron = get_neuron([get_tex("a_1"), get_tex("a_2"), get_formula("a_{<<w>>}", w=width)], gap_after=2)
        tag = get_formula(r"\text{layer } <<l>>,\ \text{unit } <<u>>", role="muted", scale=0.6, l=layer, u=unit)
        out = get_tex("0" if dead else r"\max(0, z)", role="relu", scale=0.7).next_to(neuron.output, UP, buff=0.1)
        tag.next_to(neuron.body, UP, buff=0.15)
        rows = [(r"\max z = <<p>> \quad (\text{all } <<n>> \text{ examples})", "text"),
                (r"\mathrm{ReLU}'(z) = 0 \text{ " + ("for every one}" if dead else r"where } z \le 0"), "derivative"),
                (r"\lVert \partial L / \partial w \rVert = <<g>>", "derivative"),
                (r"w \leftarrow w - \eta \cdot <<g>>" + (" = w" if dead else ""), "highlight")]
        facts = VGroup(*(get_formula(s, role=r, scale=0.68, p=peak, n=n, g=grad) for s, r in rows))
        facts.arrange(DOWN, aligned_edge=LEFT, buff=0.28)
        self.unit = VGroup(VGroup(neuron, out, tag), facts).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        self.unit.next_to(self.heading, DOWN, buff=0.35).set_x(RIGHT_X, direction=LEFT)
        zs = unit_preactivations(*where)
        dots = VGroup(get_dots_on_curve(self.curve_axes["relu"], "relu", zs, radius=0.05),
                      get_dots_on_curve(self.curve_axes["relu_prime"], "relu", zs, True, radius=0.05))
        dots.set_fill(opacity=0.9)
        inputs = get_formula(r"\text{its } <<n>> \text{ inputs}", role="saturated", scale=0.55, n=n)
        dots.add(inputs.next_to(dots[0].get_left(), UP + LEFT, buff=0.12))  # clear of the y axis
        self.play(FadeOut(self.card, shift=RIGHT * 0.3), FadeIn(neuron), FadeIn(tag))
        self.play(FadeIn(dots, scale=1.5), run_time=1.5)
        self.play(FadeIn(out), FadeIn(facts[0]))
        self.say("ReLU's slope there is 0, so no gradient reaches its weights: measured, exactly zero." if dead
                 else f"ReLU's slope is 0 wherever z is negative, so its weights get a gradient of only {grad.text}.")
        self.play(FadeIn(facts[1:3], shift=UP * 0.2))
        self.wait(1.5)
        self.say("The update leaves the weights where they are. The unit is dead, and stays dead." if dead
                 else "Its weights hardly move: this unit is close to dying.")
        self.play(FadeIn(facts[3]), neuron.arrows.animate.set_color(color("saturated")))
        self.wait(1.5)
        line = get_caption_line(f"Dead before training starts: {self.dead.text} of this network's hidden units")
        self.say(f"In this network, {self.dead.text} of the hidden units are dead before training even starts.")
        self.play(FadeIn(line, shift=UP * 0.2))
        self.wait(2.5)
        self.play(FadeOut(VGroup(self.plots, dots, self.unit, line)))

    def variants(self) -> None:
        zt = self.typical
        self.beat("variants", "The variants keep a small slope for negative z, so no unit can die for good.",
                  f"At this unit's typical z of {zt.text}, ReLU's slope is 0, and each variant's is not.")
        zv = self.p.curves.z_max / 2
        # One y range for the three panels, so that their negative sides compare at a glance.
        ends = [activation(k)[i](zv * side, *a) for k, a in self.alphas.items() for i in (0, 1) for side in (-1, 1)]
        y_range = (min(-1.0, *ends) - 0.2, zv + 0.2)
        panels = VGroup()
        for key, (name, f, fp) in VARIANTS.items():
            alpha = self.alphas[key]
            a = self.value(f"{name} alpha", identity, *alpha, style=SIG3) if alpha else None
            s = self.value(f"{name}'(typical z)", activation(key)[1], zt.value, *alpha, style=SIG3)
            panels.add(get_activation_panel(key, name, f, fp, zv, alpha, y_range, a, zt, s))
            self.keep(key, panels[-1].plot.axes, panels[-1].plot.curve)
            self.keep(key + "_prime", panels[-1].plot.axes, panels[-1].plot.prime)
        panels.arrange(RIGHT, buff=0.6, aligned_edge=UP).next_to(self.heading, DOWN, buff=0.3)
        low = min(p.readout.get_y() for p in panels)
        for panel in panels:  # formulas of different heights, the slope readouts still on one line
            panel.readout.set_y(low)
        relu0 = self.value("ReLU'(typical z)", relu_prime, zt.value, style=SIG3)
        line = get_caption_line(f"At z = {zt.text}: ReLU' = {relu0.text}; the variants still pass a gradient")
        self.play(LaggedStart(*(FadeIn(p, shift=UP * 0.2) for p in panels), lag_ratio=0.5), run_time=4)
        self.play(FadeIn(line, shift=UP * 0.2), *(Indicate(p.readout, color=color("highlight")) for p in panels))
        self.wait(3.5)
        self.play(FadeOut(panels), FadeOut(line))

    def problem3(self) -> None:
        self.beat("problem 3", "Practice problem 3: why did ReLU become the default for hidden layers?")
        new = get_title("Practice problem 3")
        self.play(ReplacementTransform(self.heading, new))
        self.heading = new
        self.question = question = get_text("Why did ReLU become the default activation for hidden layers?")
        question.next_to(new, DOWN, buff=0.3).to_edge(LEFT, buff=0.6)
        zr = self.value("ReLU zero share", zero_share, self.net, style=PERCENT)
        zs = self.value("sigmoid zero share", zero_share, self.sigmoid_net, style=PERCENT)
        fr = self.value("ReLU first/last layer gradient", first_over_last, self.net)
        fsig = self.value("sigmoid first/last layer gradient", first_over_last, self.sigmoid_net)
        # Each claim's evidence: a number from sigsat_math where one exists, the formula otherwise.
        ev = dict(t=self.t, r=self.relu_t, s=self.sig_t, zr=zr, zs=zs, fr=fr, fs=fsig)
        rows = (("No saturation for z > 0", r"\mathrm{ReLU}'(<<t>>) = <<r>> \ \text{ vs } \ \sigma'(<<t>>) = <<s>>",
                 "One: for positive z the slope is 1, so nothing saturates there."),
                ("Cheap to compute", r"\max(0, z) \ \text{ vs } \ 1/(1 + e^{-z})",
                 "Two: a maximum is far cheaper than an exponential."),
                ("Sparse activation", r"<<zr>> \text{ of outputs exactly } 0 \ \ (\sigma\text{: } <<zs>>)",
                 f"Three: negative inputs give exact zeros. In the measured network {zr.text} of ReLU outputs are 0, "
                 f"against {zs.text} for the sigmoid."),
                ("Biologically plausible", r"\text{silent, or firing in proportion to its input}",
                 "Four: like a real neuron, it is silent or fires in proportion to its input."),
                ("Faster convergence", r"\text{gradient first/last layer: } <<fr>> \ \ (\sigma\text{: } <<fs>>)",
                 f"Five: gradients reach the first layer: first over last is {fr.text} for ReLU, {fsig.text} for the "
                 "sigmoid, so deep networks train faster."))
        table = get_rows([[get_text(f"{i}. {claim}", th.BODY_SIZE), get_formula(evidence, role="muted", scale=0.7,
                          **{k: v for k, v in ev.items() if f"<<{k}>>" in evidence})]
                          for i, (claim, evidence, _) in enumerate(rows, start=1)], row_buff=0.5)
        table.next_to(question, DOWN, buff=0.55).align_to(question, LEFT)
        depth = self.value("depth", identity, self.net.depth, style=INT)
        note = get_formula(r"\text{3 and 5: measured on the experiment's network, } <<d>> \text{ layers of } <<w>>",
                           role="muted", scale=0.6, d=depth, w=self.width).next_to(table, DOWN, buff=0.5)
        self.table = VGroup(table, note.align_to(table, LEFT))
        self.play(Write(question), run_time=1.5)
        for r, row in zip(table, rows, strict=True):
            self.say(row[2])
            self.play(FadeIn(r, shift=RIGHT * 0.2))
            self.wait(1.8)
        self.play(FadeIn(note))

    def catch_and_sigmoid(self) -> None:
        self.beat("the catch", f"The catch is the dying ReLU: here {self.dead.text} of the units. The variants fix it.")
        dying = get_formula(r"\text{dying ReLU: } z \le 0 \text{ always} \Rightarrow \text{gradient } 0", scale=0.7)
        share = get_formula(r"\text{dead in the measured network: } <<d>>", role="saturated", scale=0.7, d=self.dead)
        icons = get_variant_icons(3.0, {k: (VARIANTS[k][0], a) for k, a in self.alphas.items()})
        left = get_formula_card(dying, share, get_text("solved by the variants:", th.SMALL_SIZE, "muted"), icons,
                                title="Disadvantage", width=6.4)
        sig = get_mini_plot("sigmoid", 6.0, 1.6, 1.0, "sigmoid")
        uses = VGroup(get_text("Output layer, binary classification:", th.SMALL_SIZE),
                      get_tex(r"\sigma(z) \in (0, 1) \text{ is a probability}", role="sigmoid", scale=0.7),
                      get_text("Gates in LSTMs and attention:", th.SMALL_SIZE),
                      get_tex(r"\text{a factor in } (0, 1) \text{ sets how much passes}", role="sigmoid", scale=0.7))
        uses.arrange(DOWN, aligned_edge=LEFT, buff=0.2)[2:].shift(DOWN * 0.2)
        right = get_formula_card(uses, sig, title="Where sigmoid still belongs", width=6.4)
        sig.match_x(right[0])
        VGroup(left, right).arrange(RIGHT, buff=0.4, aligned_edge=UP).next_to(self.question, DOWN, buff=0.4)
        self.play(FadeOut(self.table, shift=UP * 0.3), FadeIn(left, shift=UP * 0.3))
        self.wait(3)
        self.beat("sigmoid still", "The sigmoid still has its place: where an output between 0 and 1 is the point,",
                  "the probability at the output of a binary classifier, and the gates of LSTMs and attention.")
        self.play(FadeIn(right, shift=UP * 0.3))
        self.wait(2.5)
        line = get_caption_line("Hidden layers: ReLU or a variant. Sigmoid: outputs and gates between 0 and 1")
        self.play(FadeIn(line, shift=UP * 0.2))
        self.wait(3)
        self.play(*(FadeOut(m) for m in self.mobjects))
