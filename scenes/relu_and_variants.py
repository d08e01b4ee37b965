"""Chapter 8: ReLU and its derivative, a unit of the real network that is inactive on the whole batch,
the variants and what each keeps below zero, practice problem 3 (why ReLU won) and where the sigmoid
still belongs."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    Indicate,
    LaggedStart,
    Line,
    ReplacementTransform,
    TransformFromCopy,
    VGroup,
    Write,
    config,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.charts import INIT_NAMES
from scenes.widgets.curves import (
    get_dots_on_curve,
    get_slope_mark,
    get_stacked_plots,
    get_z_mark,
    plot_activation,
)
from scenes.widgets.icons import get_neuron
from scenes.widgets.text import (
    color,
    fit_right,
    get_caption_line,
    get_formula,
    get_formula_card,
    get_tex,
    get_text,
    get_title,
)
from scenes.widgets.variants import (
    VARIANTS,
    get_dying_card,
    get_pair_plot,
    get_reason_icons,
    get_reason_rows,
    get_sigmoid_uses_card,
    get_unit_card,
    get_variant_panels,
    spread_z_labels,
)
from sigsat_math import (
    INT,
    PERCENT,
    SIG3,
    ExperimentConfig,
    TrainingConfig,
    activation,
    dead_share,
    first_over_last,
    gelu_prime_root,
    identity,
    loss_curve,
    quietest_unit,
    relative_loss_drop,
    relu_prime,
    sigmoid_prime,
    unit_median_z,
    unit_peak_z,
    unit_preactivations,
    unit_weight_gradient,
    zero_share,
)

PLOT_W = 6.0
RIGHT_X = 1.0  # left edge of the right-hand column


class ReluAndVariants(ChapterScene):
    """ReLU's slope of 1, the inactive unit it can leave behind, the variants, and problem 3."""

    reads = ("curves.z_max", "curves.threshold", "variants.leaky_alpha", "variants.elu_alpha", "experiment.depth",
             "experiment.width", "experiment.init", "experiment.seed", "experiment.batch", "training.steps",
             "training.learning_rate", "training.task")

    def construct(self) -> None:
        e = self.p.experiment
        self.net = ExperimentConfig.from_params(e, "relu")
        self.sigmoid_net = ExperimentConfig.from_params(e, "sigmoid")
        v = self.p.variants
        self.alphas = {"leaky_relu": (v.leaky_alpha,), "elu": (v.elu_alpha,), "gelu": ()}
        self.curves, self.curve_axes = {}, {}  # name -> drawn curve, and its axes: the tests sample them
        self.show_relu()
        self.dead_unit()
        self.not_dead_for_good()
        self.variants()
        self.problem3()
        self.catch_and_sigmoid()

    def keep(self, name: str, axes, curve) -> None:
        self.curves[name], self.curve_axes[name] = curve, axes

    def show_relu(self) -> None:
        self.beat("relu", "ReLU keeps a positive input as it is, and turns a negative one into zero.",
                  "Its slope is 1 for every positive z, and 0 for every negative one.")
        z_max, t = self.p.curves.z_max, self.p.curves.threshold
        self.heading = get_title(self.title)
        self.pair = pair = get_stacked_plots("relu", z_max, PLOT_W, (3.0, 1.4), ((-0.6, z_max), (-0.3, 1.3)),
                                             (r"\mathrm{ReLU}(z)", r"\mathrm{ReLU}'(z)"))
        pair.to_corner(LEFT + UP, buff=0.4).shift(DOWN * 0.9)
        for axes in (pair.top, pair.low):
            spread_z_labels(axes)
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
        self.say(f"Where the sigmoid is saturated, at z = {self.t.text}, its slope is {self.sig_t.text}. "
                 f"ReLU's is still {self.relu_t.text}.")
        self.play(FadeIn(compare, shift=UP * 0.2))
        self.wait(2)
        self.plots = VGroup(slope, marks)

    def dead_unit(self) -> None:
        layer = self.value("quietest unit: layer", quietest_unit, self.net, pick=0, style=INT)
        unit = self.value("quietest unit: index", quietest_unit, self.net, pick=1, style=INT)
        where = (self.net, layer.value, unit.value)
        peak = self.value("quietest unit: largest z", unit_peak_z, *where, style=SIG3)
        grad = self.value("quietest unit: weight gradient", unit_weight_gradient, *where, style=SIG3)
        self.typical = self.value("quietest unit: median z", unit_median_z, *where, style=SIG3)
        self.n = n = self.value("batch", identity, self.net.batch, style=INT)
        self.width = width = self.value("width", identity, self.net.width, style=INT)
        self.dead = self.value("dead units", dead_share, self.net, style=PERCENT)
        self.first_layer = layer.value == 1
        dead = peak.value <= 0  # else no unit is: show the one closest to it
        init = INIT_NAMES[self.p.experiment.init]
        sign = "negative." if dead else f"mostly negative: the largest is {peak.text}."
        self.beat("dying", "A real unit of the measured ReLU network, "
                  f'<bookmark mark="weights"/>at its initial weights, {init} initialisation '
                  f'like the sigmoid one: <bookmark mark="batch"/>on all {n.text} examples of this batch, its input '
                  f'z is <bookmark mark="sign"/>{sign}')
        rows = [(r"\max z = <<p>> \quad (\text{all } <<n>> \text{ examples})", "text"),
                (r"\mathrm{ReLU}'(z) = 0 \text{ " + ("for every one}" if dead else r"where } z \le 0"), "derivative"),
                (r"\lVert \partial L / \partial w \rVert = <<g>>", "derivative"),
                (r"w \leftarrow w - \eta \cdot <<g>>" + (" = w" if dead else ""), "highlight")]
        self.unit = get_unit_card(
            get_neuron([get_tex("a_1"), get_tex("a_2"), get_formula("a_{<<w>>}", w=width)], gap_after=2),
            get_formula(r"\text{layer } <<l>>,\ \text{unit } <<u>>", role="muted", scale=0.6, l=layer, u=unit),
            get_tex("0" if dead else r"\max(0, z)", role="relu", scale=0.7),
            [get_formula(s, role=r, scale=0.68, p=peak, n=n, g=grad) for s, r in rows])
        self.unit.next_to(self.heading, DOWN, buff=0.35).set_x(RIGHT_X, direction=LEFT)
        for fact in self.unit.facts:  # a z of -2.5e7 (unit-variance weights) writes a long line
            fit_right(fact)
        neuron, (_, out, tag), facts = self.unit.neuron, self.unit[0], self.unit.facts
        zs = unit_preactivations(*where)
        self.dots = dots = VGroup(get_dots_on_curve(self.curve_axes["relu"], "relu", zs, radius=0.05),
                                  get_dots_on_curve(self.curve_axes["relu_prime"], "relu", zs, True, radius=0.05))
        dots.set_fill(opacity=0.9)
        inputs = get_formula(r"\text{its } <<n>> \text{ inputs}", role="saturated", scale=0.55, n=n)
        dots.add(inputs.next_to(dots[0].get_left(), UP + LEFT, buff=0.12))  # clear of the y axis
        # Inputs spread to the plot's left end put the label past the frame: slide it back in.
        inputs.shift(RIGHT * max(0.0, -config.frame_width / 2 + th.SAFE_MARGIN + 0.05 - inputs.get_left()[0]))
        # The unit, then which one it is as the voice says where it stands: the picture moves
        # with the sentence rather than holding through it.
        self.play(FadeOut(self.card, shift=RIGHT * 0.3), FadeIn(neuron))
        self.wait_for_word("weights")
        self.play(FadeIn(tag, shift=UP * 0.1))
        self.wait_for_word("batch")
        self.play(FadeIn(dots), run_time=1.5)
        self.wait_for_word("sign")
        self.play(FadeIn(out), FadeIn(facts[0]))
        self.say("So ReLU's slope is 0 on every one, and no gradient reaches its weights: measured, exactly zero."
                 if dead else
                 f"ReLU's slope is 0 wherever z is negative, so its weights get a gradient of only {grad.text}.")
        self.play(FadeIn(facts[1:3], shift=UP * 0.2))
        self.wait(1)
        self.say("The update leaves its weights where they are: the unit is inactive." if dead
                 else "On this batch its weights hardly move: the unit is close to inactive.")
        self.play(FadeIn(facts[3]), neuron.arrows.animate.set_color(color("saturated")))
        self.wait(1)

    def not_dead_for_good(self) -> None:
        self.beat("inactive, not dead", "Is it dead for good? Not necessarily.")
        inputs = (r"a_1, \dots, a_{<<w>>} \text{ are data: a new input can turn it on}" if self.first_layer else
                  r"a_1, \dots, a_{<<w>>} \text{ change as earlier layers learn}")
        rows = ((r"\text{inactive on this batch: } z \le 0 \text{ on all } <<n>>", "saturated"), (inputs, "relu"),
                (r"\text{dead for good: } z \le 0 \text{ on every input, always}", "muted"))
        lines = VGroup(*(get_formula(s, role=r, scale=0.6, n=self.n, w=self.width) for s, r in rows))
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.28).move_to(self.unit.facts, aligned_edge=UL)
        self.play(FadeOut(self.unit.facts[1:]), ReplacementTransform(self.unit.facts[0], lines[0]))
        self.say("Its inputs are the data itself, and an input it has not seen yet can give it a positive z."
                 if self.first_layer else "Its inputs are the outputs of the layers before, and they change as those "
                 "layers learn: z can turn positive again.")
        self.play(Indicate(self.unit.neuron.inputs, color=color("relu"), scale_factor=1), FadeIn(lines[1]),
                  self.unit.neuron.arrows.animate.set_color(color("relu")), run_time=1.5)
        self.say("It is dead for good only if it stays inactive on every input from then on.")
        self.play(FadeIn(lines[2], shift=UP * 0.2))
        self.line = get_caption_line(f"Inactive on all {self.n.text} examples of the batch, at the initial weights: "
                                     f"{self.dead.text} of the hidden units")
        self.say(f"At the start, {self.dead.text} of this network's hidden units are inactive on the whole batch.")
        self.play(FadeIn(self.line, shift=UP * 0.2))
        self.wait(1.5)
        self.unit = VGroup(self.unit[0], lines)

    def variants(self) -> None:
        zt, zv = self.typical, self.p.curves.z_max / 2
        left = self.value("left end of the variant plots", identity, -zv, style=SIG3)
        alpha = {k: self.value(f"{VARIANTS[k][0]} alpha", identity, *a, style=SIG3)
                 for k, a in self.alphas.items() if a}
        elu_end = self.value("ELU'(left end)", activation("elu")[1], -zv, *self.alphas["elu"], style=SIG3)
        root = self.value("GELU' = 0 at", gelu_prime_root, style=SIG3)
        self.beat("variants", "ReLU's variants keep a small slope for negative inputs, each a different one.")
        slopes = {k: self.value(f"{VARIANTS[k][0]}'(typical z)", activation(k)[1], zt.value, *a, style=SIG3)
                  for k, a in self.alphas.items()}
        self.panels = panels = get_variant_panels(self.alphas, alpha, zv, zt, slopes)
        panels.next_to(self.heading, DOWN, buff=0.3)
        for key, panel in zip(VARIANTS, panels, strict=True):
            self.keep(key, panel.plot.axes, panel.plot.curve)
            self.keep(key + "_prime", panel.plot.axes, panel.plot.prime)
        leaky, elu, gelu = (p.plot.axes for p in panels)
        a_leaky = alpha["leaky_relu"].value
        marks = [Line(leaky.c2p(-zv, a_leaky), leaky.c2p(0, a_leaky), color=color("relu"), stroke_width=6),
                 get_z_mark(elu, -zv, elu_end.value)[1],
                 VGroup(plot_activation(gelu, "gelu", "saturated", True, (-zv, root.value)).set_stroke(width=5),
                        get_z_mark(gelu, root.value, 0.0)[1])]
        facts = [get_formula(s, role=r, scale=0.62, a=alpha["leaky_relu"], l=left, e=elu_end, r=root) for s, r in (
            (r"f'(z) = <<a>> \text{ for every } z \le 0", "relu"),
            (r"f'(<<l>>) = <<e>>, \ \text{fading to } 0", "saturated"),
            (r"f'(z) < 0 \text{ for } z < <<r>>", "saturated"))]
        for panel, fact in zip(panels, facts, strict=True):
            fact.next_to(panel.readout, DOWN, buff=0.2)
        rest = VGroup(self.pair, self.plots, self.dots, self.unit, self.line)
        # The ReLU curve becomes its three variants, so the picture carries over and the screen never empties.
        # Copies morph (a transform reshapes what it moves); then the panels' own plots take their place.
        ghosts = [p.plot.curve.copy() for p in panels]
        self.play(FadeOut(rest), *(TransformFromCopy(self.pair.curve, g) for g in ghosts),
                  *(FadeIn(VGroup(*(m for m in p.plot if m is not p.plot.curve))) for p in panels), run_time=2)
        self.remove(*ghosts)
        self.add(*(p.plot for p in panels))
        self.play(LaggedStart(*(FadeIn(VGroup(*(m for m in p if m is not p.plot))) for p in panels), lag_ratio=0.4),
                  run_time=2.5)
        # Between commas, alpha's value went unheard by a speech recogniser; "alpha = ..." is heard.
        lines = (f"Leaky ReLU's slope is alpha = {alpha['leaky_relu'].text} <bookmark mark=\"mark\"/>for every "
                 "negative z: it never reaches 0, so no Leaky ReLU unit can die.",
                 'ELU\'s slope, alpha times e to the power z, is never exactly 0, but <bookmark mark="mark"/>it fades '
                 "as z goes down.",
                 f'The GELU slope fades to 0 as well, and <bookmark mark="mark"/>below z = {root.text} it is even '
                 "negative: the thick stretch.")
        for line, mark, fact in zip(lines, marks, facts, strict=True):
            self.say(line)
            self.play(FadeIn(fact, shift=UP * 0.1))
            self.wait_for_word("mark")
            self.play(Create(mark) if isinstance(mark, Line) else FadeIn(mark))
        relu0 = self.value("ReLU'(typical z)", relu_prime, zt.value, style=SIG3)
        self.say(f"At this unit's typical z, ReLU's slope is {relu0.text}; each variant's is not.")
        self.caption = get_caption_line("Only Leaky ReLU keeps its slope away from 0 for every negative z")
        self.play(FadeIn(self.caption, shift=UP * 0.2),
                  *(Indicate(p.readout, color=color("highlight"), scale_factor=1) for p in panels))
        self.wait(2)
        self.panels.add(*facts, *marks)

    def problem3(self) -> None:
        self.beat("problem 3", "Practice problem 3: why did ReLU become the default activation for hidden layers?")
        new = get_title("Practice problem 3")
        self.question = question = get_text("Why did ReLU become the default activation for hidden layers?")
        question.next_to(new, DOWN, buff=0.3).to_edge(LEFT, buff=0.6)
        zv = self.p.curves.z_max / 2
        picture = get_pair_plot((("sigmoid", "sigmoid"), ("relu", "relu")), zv, 5.0, 2.4)
        picture.add(get_tex(r"\sigma(z)", role="sigmoid", scale=0.8).next_to(picture.axes.c2p(zv, 1), RIGHT),
                    get_tex(r"\mathrm{ReLU}(z)", role="relu", scale=0.8).next_to(picture.axes.c2p(zv, zv), RIGHT))
        picture.next_to(question, DOWN, buff=0.8).set_x(0)
        self.play(FadeTransform(self.heading, new), FadeOut(self.panels), FadeOut(self.caption), FadeIn(picture),
                  run_time=1.5)
        self.play(Write(question), run_time=1.5)
        self.heading = new
        self.pause_and_try()
        self.beat("answer 3", "Here are five reasons.")
        rows, lines = self.problem3_rows(zv)
        self.play(ReplacementTransform(picture, rows[0][1]), FadeIn(rows[0][0]), run_time=1.5)
        for i, (row, line) in enumerate(zip(rows, lines, strict=True)):
            self.say(line)
            self.play(*(FadeIn(cell, shift=RIGHT * 0.2) for cell in (row if i else row[2:])))
            self.wait(1.2)
        self.play(FadeIn(self.note))
        self.table = VGroup(rows, self.note)

    def problem3_rows(self, zv: float) -> tuple[VGroup, list[str]]:
        """The five reasons: claim, a small picture, and the evidence (sigsat_math's number where one exists)."""
        zr, zs = (self.value(f"{n} zero share", zero_share, c, style=PERCENT)
                  for n, c in (("ReLU", self.net), ("sigmoid", self.sigmoid_net)))
        fr, fs = (self.value(f"{n} first/last layer gradient", first_over_last, c)
                  for n, c in (("ReLU", self.net), ("sigmoid", self.sigmoid_net)))
        runs = {a: TrainingConfig.from_params(self.p, a) for a in ("relu", "sigmoid")}
        steps = self.value("training steps", identity, runs["relu"].steps, style=INT)
        lr, ls = (self.value(f"{a} loss after training / at the start", relative_loss_drop, runs[a], style=PERCENT)
                  for a in ("relu", "sigmoid"))
        depth = self.value("depth", identity, self.net.depth, style=INT)
        # A corner of layer 1: up to 8 units (a layer may have as few as 4) by up to 16 inputs.
        units = range(1, min(8, self.p.experiment.width) + 1)
        sample = np.array([unit_preactivations(self.net, 1, j)[:16] for j in units])
        icons = get_reason_icons(zv, sample, [(loss_curve(runs[a]), a) for a in ("sigmoid", "relu")])
        self.reason_icons = icons  # the tests read them back
        rows = (("No saturation for z > 0", [r"\mathrm{ReLU}'(<<t>>) = <<r>> \ \text{ vs } \ \sigma'(<<t>>) = <<s>>"],
                 "One: for positive z, ReLU's slope is 1, so nothing saturates there, as we saw."),
                ("Cheap to compute", [r"\max(0, z) \ \text{ vs } \ 1/(1 + e^{-z})"],
                 "Two: a maximum is far cheaper to compute than an exponential."),
                ("Sparse activation", [r"<<zr>> \text{ of outputs exactly } 0 \ \ (\sigma\text{: } <<zs>>)"],
                 f"Three: negative inputs give exact zeros: {zr.text} of the measured ReLU network's outputs."),
                ("Biologically plausible", [r"\text{the lesson's analogy: silent, or in proportion to its input}"],
                 "Four, a loose analogy with biology: silent, or responding in proportion to its input."),
                ("Trains where sigmoid stalls", [
                    r"\text{first layer / last layer: } <<fr>> \ \ (\sigma\text{: } <<fs>>)",
                    r"\text{loss at step } <<k>> \text{ / at step 0: } <<lr>> \ \ (\sigma\text{: } <<ls>>)"],
                 "Five, faster convergence, as measured here: the gradient reaches the first layers, and the "
                 "network learns where the sigmoid one stalls."))
        ev = dict(t=self.t, r=self.relu_t, s=self.sig_t, zr=zr, zs=zs, fr=fr, fs=fs, k=steps, lr=lr, ls=ls)
        table = get_reason_rows([(c, icon, e) for (c, e, _), icon in zip(rows, icons, strict=True)], ev)
        fit_right(table.next_to(self.question, DOWN, buff=0.4).align_to(self.question, LEFT))
        self.note = get_formula(r"\text{3 and 5: measured on the experiment's network, } <<d>> \text{ layers of } "
                                r"<<w>>", role="muted", scale=0.55, d=depth, w=self.width)
        self.note.next_to(table, DOWN, buff=0.3).align_to(table, LEFT)
        return table, [r[2] for r in rows]

    def catch_and_sigmoid(self) -> None:
        self.beat("the catch", "Its disadvantage is the dying ReLU we met above, and the variants avoid it.",
                  '<bookmark mark="uses"/>The sigmoid still has its place wherever an output between 0 and 1 is the '
                  'point: the probability at the output of a binary classifier, <bookmark mark="gates"/>and the gates '
                  "of an LSTM.")
        left = get_dying_card(self.dead, self.alphas, 6.4)
        right = get_sigmoid_uses_card(6.4)
        VGroup(left, right).arrange(RIGHT, buff=0.4, aligned_edge=UP).next_to(self.question, DOWN, buff=0.4)
        self.play(FadeOut(self.table, shift=UP * 0.3), FadeIn(left, shift=UP * 0.3))
        gates = right[1][1][0][2:]
        self.wait_for_word("uses")
        self.play(FadeIn(VGroup(*(m for m in right.family_members_with_points() if m not in
                                  gates.family_members_with_points())), shift=UP * 0.3))
        self.wait_for_word("gates")
        line = get_caption_line("Hidden layers: ReLU or a variant. Sigmoid: outputs and gates between 0 and 1")
        self.play(FadeIn(gates, shift=UP * 0.2), FadeIn(line, shift=UP * 0.2))
        self.end_chapter()
