"""Chapter 7: the lesson's claim checked on a real computation: a numpy network's per-layer gradients
in one backward pass; where its z values fall, which separates the two mechanisms (the 0.25 cap, for
every unit, and saturation, per unit); then the same network trained, sigmoid against ReLU, with a
control over the learning rate."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedLine,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    VGroup,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.bars import get_log_axis, get_log_bars, log_decades
from scenes.widgets.charts import (
    INIT_NAMES,
    blink,
    emphasize,
    get_caption_lines,
    get_loss_axes,
    get_readout_table,
    get_run_note,
    get_series,
    get_share_bars,
    get_step_mark,
    get_trend_line,
    get_value_cell,
    recolor,
)
from scenes.widgets.curves import get_activation_axes, get_z_mark, get_zone, plot_activation
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
    INT,
    PERCENT,
    SIG3,
    ExperimentConfig,
    Quantity,
    TrainingConfig,
    best_loss_share,
    best_rate,
    divergence_step,
    diverges,
    first_over_last,
    gradient_norms,
    identity,
    loss_after,
    loss_curve,
    magnitude_words,
    mean_layer_factor,
    mean_slope,
    median_abs_z,
    peak_over_start,
    rate_grid,
    reaches_fraction,
    relative_loss_drop,
    saturated_share,
    sigmoid_prime,
    sigmoid_prime_max,
    steps_to_fraction,
    z_shares,
)

BASE_Y = -2.3
CHART_H = 3.85
HEAD_Y = 2.3
# The chart keeps the left of the frame; the readouts take the column on its right, over nothing.
PANELS = {"sigmoid": (-5.1, -2.6), "relu": (-1.6, 0.9)}
COLUMN_X = (1.75, 6.75)
NAMES = {"sigmoid": ("sigmoid", "sigmoid"), "relu": ("ReLU", "relu")}  # name on screen, colour role
TASK_WORDS = {"teacher": "examples of a fixed random tanh teacher", "labels": "examples with random targets"}


class MeasuredNetwork(ChapterScene):
    """A real MLP: the gradient norm reaching each hidden layer in one backward pass, then a short
    training run, sigmoid against ReLU."""

    reads = ("experiment.depth", "experiment.width", "experiment.init", "experiment.seed", "experiment.batch",
             "training.steps", "training.learning_rate", "training.task", "training.fraction", "curves.z_max",
             "curves.threshold", "curves.inclusive")

    def construct(self) -> None:
        self.measure()
        self.describe()
        self.show_bars("sigmoid")
        self.show_bars("relu")
        self.per_layer()
        self.mechanisms()
        self.train()
        self.training_verdict()

    def measure(self) -> None:
        e, t = self.p.experiment, self.p.training
        self.depth = self.value("depth", identity, e.depth, style=INT)
        self.width = self.value("width", identity, e.width, style=INT)
        self.seed = self.value("seed", identity, e.seed, style=INT)
        self.batch = self.value("batch", identity, e.batch, style=INT)
        self.norms: dict[str, list[Quantity]] = {}
        self.ratio: dict[str, Quantity] = {}
        self.step: dict[str, Quantity] = {}
        for act in PANELS:
            net = ExperimentConfig.from_params(e, act)
            # Run at render time: every bar is one entry of this backward pass, first layer first.
            self.norms[act] = [self.value(f"{act}: gradient norm at layer {k + 1}", gradient_norms, net, pick=k)
                               for k in range(e.depth)]
            self.ratio[act] = self.value(f"{act} first/last layer gradient", first_over_last, net)
            self.step[act] = self.value(f"{act}: mean factor per layer back", mean_layer_factor, net)
        self.lo, self.hi = log_decades([q.value for qs in self.norms.values() for q in qs])
        self.steps = self.value("training steps", identity, t.steps, style=INT)
        self.rate = self.value("learning rate", identity, t.learning_rate, style=SIG3)
        self.fraction = self.value("share of the starting loss to reach", identity, t.fraction, style=PERCENT)
        self.configs = {act: TrainingConfig.from_params(self.params, act) for act in PANELS}
        self.runs = {act: self.training_run(act, cfg) for act, cfg in self.configs.items()}
        # The control: each activation at its best rate of a small grid up to the lecture's rate.
        self.grid = [self.value(f"control rate {k + 1}", rate_grid, t.learning_rate, pick=k, style=SIG3)
                     for k in range(len(rate_grid(t.learning_rate)))]
        self.best = {act: None if diverges(replace(cfg, learning_rate=best_rate(cfg))) else
                     self.value(f"{act}: share of the starting loss left at its best rate", best_loss_share, cfg,
                                style=PERCENT)
                     for act, cfg in self.configs.items()}

    def training_run(self, act: str, cfg: TrainingConfig) -> dict[str, Quantity | None]:
        """The run's numbers for the screen; None where the run has none: a diverged run no end loss,
        a run that never gets down to the fraction no step that does."""
        t, value = self.p.training, self.value
        stop = value(f"{act}: step the loss diverges", divergence_step, cfg, style=INT) if diverges(cfg) else None
        run = {"diverged": stop, "start": None, "end": None, "left": None, "reach": None}
        if stop is None or stop.value > 0:
            run["start"] = value(f"{act}: loss before training", loss_after, cfg, 0, style=SIG3)
        if stop is None:
            run["end"] = value(f"{act}: loss after training", loss_after, cfg, t.steps, style=SIG3)
            run["left"] = value(f"{act}: share of the starting loss left", relative_loss_drop, cfg, style=PERCENT)
        if reaches_fraction(cfg, t.fraction):
            run["reach"] = value(f"{act}: steps to reach the share", steps_to_fraction, cfg, t.fraction, style=INT)
        return run

    def describe(self) -> None:
        init = INIT_NAMES[self.p.experiment.init]
        self.beat("the network", f"Now a real network: {self.depth.text} hidden layers of {self.width.text} units, "
                  "computed as this video was made, once with sigmoid units, once with ReLU: "
                  '<bookmark mark="axis"/>the gradient that reaches each layer, on a log scale.')
        self.heading = get_title(self.title)
        rows = VGroup(
            get_formula(r"x \;\to\; <<d>> \times [\,<<w>> \text{ units}\,] \;\to\; \text{one output} \;\to\; "
                        r"\text{squared error}", d=self.depth, w=self.width),
            get_text(f"{init} initialisation, seed {self.seed.text}, batch of {self.batch.text} inputs",
                     th.SMALL_SIZE, "muted"),
            get_text("measured: the norm of the loss gradient reaching each layer's weights", th.SMALL_SIZE, "muted"),
        ).arrange(DOWN, buff=0.3)
        self.card = get_formula_card(rows).move_to([0, 0.5, 0])
        self.caption = get_caption_line(
            f"Measured: depth {self.depth.text}, width {self.width.text}, {init} init, seed {self.seed.text}, "
            f"batch {self.batch.text}, one backward pass")
        self.play(FadeIn(self.heading), FadeIn(self.card, shift=UP * 0.2), run_time=1.5)
        self.play(FadeIn(self.caption))
        left, right = PANELS["sigmoid"][0], PANELS["relu"][1]
        self.axis = get_log_axis(self.lo, self.hi, CHART_H, grid_width=right - left + 0.9)
        self.axis.shift(RIGHT * (left - 0.6) + UP * BASE_Y)
        heads, ends = VGroup(), VGroup()
        for act, (name, role) in NAMES.items():
            a, b = PANELS[act]
            heads.add(get_text(name, th.BODY_SIZE, role, weight="BOLD").move_to([(a + b) / 2, HEAD_Y, 0]))
            for x, q in ((a, None), (b, self.depth)):
                tag = NumberTex(q, role="muted", scale=0.55) if q else get_tex("1", role="muted", scale=0.55)
                ends.add(tag.move_to([x, BASE_Y - 0.25, 0]))
        layer_word = get_text("layer", th.SMALL_SIZE, "muted").next_to(ends, DOWN, buff=0.12)
        self.heads, self.ends = heads, VGroup(ends, layer_word)
        self.table = self.readout_table()
        self.bars: dict[str, VGroup] = {}
        # The set-up card gives way to the empty chart on the words that name what it will hold.
        self.wait_for_word("axis")
        self.play(FadeOut(self.card, shift=UP * 0.3), FadeIn(heads, shift=DOWN * 0.2), run_time=1)
        self.play(Create(self.axis), FadeIn(self.ends), run_time=min(4.0, max(1.5, self.tracker.remaining - 0.6)))

    def readout_table(self) -> VGroup:
        """First and last layer, their ratio and the mean factor per layer, a column per activation."""
        cells = {act: [*(NumberTex(q, role=NAMES[act][1], scale=0.6) for q in (n[0], n[-1], self.ratio[act])),
                       get_formula(r"\times <<f>>", role=NAMES[act][1], scale=0.6, f=self.step[act])]
                 for act, n in self.norms.items()}
        labels = ("first layer", "last layer", "first / last", "each layer back")
        table = get_readout_table([NAMES[a] for a in PANELS], [(label, [cells[a][r] for a in PANELS])
                                                                for r, label in enumerate(labels)],
                                  width=COLUMN_X[1] - COLUMN_X[0])
        return table.move_to([COLUMN_X[0] + table.width / 2, 0.5, 0])

    def show_bars(self, act: str) -> None:
        name, role = NAMES[act]
        ratio, norms = self.ratio[act], self.norms[act]
        # The ear gets a magnitude where the screen has a power of ten; the exact value is in the card.
        size = f"{magnitude_words(ratio.value)} of" if ratio.value < 0.1 else f"{ratio.text} times"
        self.beat(f"{act} bars", f'<bookmark mark="grow"/>With {name}, the first layer gets',
                  f'<bookmark mark="first"/>{size} the last layer\'s gradient.')
        a, b = PANELS[act]
        n = int(self.depth.value)
        xs = [a + (b - a) * k / max(n - 1, 1) for k in range(n)]
        self.bars[act] = bars = get_log_bars(norms, self.axis, xs, min(0.35, 0.7 * (b - a) / max(n - 1, 1)), role=role)
        column = 1 + list(PANELS).index(act)
        rows = [self.table.cells[r][column] for r in range(4)]
        # The card first, then its labels: what enters later is drawn on top.
        shown = VGroup(self.table.panel, self.table.column(0)[:4]) if act == "sigmoid" else VGroup()
        self.wait_for_word("grow")
        # Backward order: the pass reaches the last layer first.
        self.play(LaggedStart(*(GrowFromEdge(bar, DOWN) for bar in reversed(bars)), lag_ratio=0.15), run_time=3)
        self.gap = (b - a) / max(n - 1, 1) - bars[0].width
        show, hide = emphasize(bars[0], bars[-1], gap=self.gap)
        self.wait_for_word("first")
        self.play(FadeIn(shown), FadeIn(VGroup(*rows)), show)
        self.play(hide)

    def per_layer(self) -> None:
        s, r = self.step["sigmoid"], self.step["relu"]
        self.beat("per layer", f"Each layer back multiplies the sigmoid gradient by {s.text} on average, weights and "
                  f'slopes together; <bookmark mark="relu"/>the ReLU gradient by {r.text}.')
        self.trends = VGroup(*(get_trend_line(self.bars[act], role="highlight") for act in PANELS))
        last_row = VGroup(*(self.table.cells[4][c] for c in range(3)))
        self.play(Create(self.trends[0]), FadeIn(last_row[:2]), run_time=1.5)
        self.wait_for_word("relu")
        self.play(Create(self.trends[1]), FadeIn(last_row[2]), run_time=1.2)
        self.play(recolor(self.bars["sigmoid"][0], role="saturated"),
                  self.table.cells[3][1].animate.set_color(self.theme.color("saturated")))

    def mechanisms(self) -> None:
        """Where the sigmoid network's z values fall: around 0, so its factor is the 0.25 cap, not
        saturation; saturation is the second, per-unit mechanism, shown at the threshold."""
        c, e = self.p.curves, self.p.experiment
        net = ExperimentConfig.from_params(e, "sigmoid")
        t = self.value("saturation threshold", identity, c.threshold, style=SIG3)
        share = self.value("sigmoid: share of z past the threshold", saturated_share, net, c.threshold, c.inclusive,
                           style=PERCENT)
        typical = self.value("sigmoid: median |z|", median_abs_z, net, style=SIG3)
        slope = self.value("sigmoid: mean sigma'(z)", mean_slope, net, style=SIG3)
        cap = self.value("max sigma'", sigmoid_prime_max, style=SIG3)
        at_t = self.value("sigma'(threshold)", sigmoid_prime, c.threshold, style=SIG3)
        # Which mechanism this network shows decides the words: a few saturated inputs leave the cap as the
        # cause; many make saturation a cause as well.
        few = share.value < 0.05
        self.beat("two mechanisms", "Why so small? This network's inputs z <bookmark mark=\"hist\"/>"
                  + (f"crowd around 0: only {share.text} lie in the saturation zones." if few else
                     f"spread wide: {share.text} lie in the saturation zones."),
                  '<bookmark mark="cap"/>' + ("So here it is the cap: even" if few else "Even")
                  + f" unsaturated, a sigmoid unit passes at most {cap.text}.",
                  f'<bookmark mark="sat"/>Saturation, unit by unit, is much worse: at z = {t.text}, only {at_t.text}.'
                  + ("" if few else " Here both shrink the gradient."))
        # Wide enough for both saturation zones, no wider than the lecture's usual plot: a z range of 20 would
        # crowd its labels and squeeze the histogram into a few bins.
        self.z_range = z_max = min(c.z_max, max(8.0, c.threshold + 2.0))
        axes = get_activation_axes(z_max, 0.0, 0.3, width=7.4, height=3.6)
        axes.move_to([-2.6, -0.35, 0])
        edges = tuple(float(x) for x in np.linspace(-z_max, z_max, int(round(4 * z_max)) + 1))
        shares = z_shares(net, edges)
        # True heights among the bins: the fullest bin reaches 0.2 on the plot, every other in proportion.
        hist = get_share_bars(axes, edges, shares, 0.2 / max(float(shares.max()), 1e-12))
        zones = VGroup(get_zone(axes, -z_max, -c.threshold), get_zone(axes, c.threshold, z_max))
        prime = plot_activation(axes, "sigmoid", "derivative", derivative=True)
        ceiling = DashedLine(axes.c2p(-z_max, 0.25), axes.c2p(z_max, 0.25), color=color("highlight"), stroke_width=2)
        mark = get_z_mark(axes, c.threshold, at_t.value, role="saturated")
        hist_word = get_text("where this network's z fall", th.SMALL_SIZE, "sigmoid").next_to(
            axes.c2p(-z_max, 0.3), UP, buff=0.15, aligned_edge=LEFT)
        cap_word = get_formula(r"\max \sigma' = <<c>>", role="highlight", scale=0.6, c=cap).next_to(
            axes.c2p(z_max, 0.25), UP, buff=0.1, aligned_edge=RIGHT)
        card = get_formula_card(
            get_formula(r"|z| \ge <<t>>: \ <<s>> \text{ of all } z", role="saturated", scale=0.62, t=t, s=share),
            get_formula(r"\text{median } |z| = <<m>>", role="sigmoid", scale=0.62, m=typical),
            get_formula(r"\text{mean } \sigma'(z) = <<g>> \le <<c>>", role="highlight", scale=0.62, g=slope, c=cap),
            get_formula(r"\sigma'(<<t>>) = <<a>>", role="saturated", scale=0.62, t=t, a=at_t), buff=0.3)
        card.move_to([COLUMN_X[0] + card.width / 2 + 0.4, -0.2, 0])
        chart = VGroup(self.axis, *self.bars.values(), self.heads, self.ends, self.trends, self.table)
        self.play(FadeOut(chart), FadeIn(axes), FadeIn(zones), run_time=1.2)
        self.wait_for_word("hist")
        self.play(LaggedStart(*(GrowFromEdge(b, DOWN) for b in hist), lag_ratio=0.03), FadeIn(hist_word),
                  run_time=1.5)
        self.play(FadeIn(card[0]), FadeIn(card[1][:2]))
        self.wait_for_word("cap")
        self.play(Create(prime), Create(ceiling), FadeIn(cap_word), FadeIn(card[1][2]), run_time=1.5)
        self.wait_for_word("sat")
        self.play(FadeIn(mark), FadeIn(card[1][3]), Indicate(zones, color=color("saturated"), scale_factor=1))
        self.mechanism = VGroup(axes, zones, hist, hist_word, prime, ceiling, mark, card, cap_word)

    def train(self) -> None:
        t = self.p.training
        data = TASK_WORDS[t.task]
        init = INIT_NAMES[self.p.experiment.init]
        self.beat("training", f"Does that cost learning? Both networks fit the same {self.batch.text} {data}, "
                  f'<bookmark mark="curves"/>{self.steps.text} steps of gradient descent at rate {self.rate.text}, '
                  f"ReLU with the sigmoid's {init} initialisation.")
        self.train_caption = get_caption_lines(
            f"Trained: depth {self.depth.text}, width {self.width.text}, {init} init, seed {self.seed.text}; "
            f"{self.batch.text} {data}",
            f"{self.steps.text} steps of plain gradient descent, learning rate {self.rate.text}; rate and init "
            "the same for both")
        curves = {act: loss_curve(cfg) for act, cfg in self.configs.items()}
        self.loss_axes = axes = get_loss_axes(int(self.steps.value), list(curves.values()), width=6.6, height=3.4)
        axes.move_to([-2.2, 0.0, 0])
        self.loss_lines = {act: get_series(axes, c, NAMES[act][1]) for act, c in curves.items()}
        self.loss_values = curves
        self.play(FadeOut(self.mechanism), FadeOut(self.caption), FadeIn(self.train_caption))
        self.play(Create(axes), run_time=1.2)
        self.wait_for_word("curves")
        self.play(*(Create(line) for line in self.loss_lines.values()), run_time=3)
        self.results = self.result_table()
        self.play(FadeIn(self.results.panel), FadeIn(VGroup(*self.results.cells[0])))

    def result_table(self) -> VGroup:
        """Loss at the start and the end and the share left, a column per activation, then the control: the
        share left at each activation's best rate of the grid; under the card, the step at which each loss
        first reaches the fraction of its start (or that none does)."""
        rows = [(label, [get_value_cell(self.runs[a][key], NAMES[a][1], "diverged") for a in PANELS])
                for label, key in (("loss at the start", "start"), ("loss at the end", "end"),
                                   ("share of it left", "left"))]
        rows.append(("left at its best rate", [get_value_cell(self.best[a], NAMES[a][1], "diverged") for a in PANELS]))
        notes = [get_run_note(*NAMES[act], self.fraction, self.steps, **self.runs[act]) for act in PANELS]
        rates = {f"r{k}": q for k, q in enumerate(self.grid)}
        notes.append(get_formula(r"\text{best of the rates } "
                                 + ", ".join(f"<<r{k}>>" for k in range(len(self.grid))),
                                 role="muted", scale=0.65, **rates))
        table = get_readout_table([NAMES[a] for a in PANELS], rows, notes, width=COLUMN_X[1] - COLUMN_X[0])
        return table.move_to([COLUMN_X[0] + table.width / 2, 0.3, 0])

    def run_words(self, act: str, again: bool) -> str:
        """What the narrator says of one run: whether it got down to the fraction (`again`: the fraction
        was said for the run before)."""
        name, run = NAMES[act][0], self.runs[act]
        reach, stop = run["reach"], run["diverged"]
        goal = "there" if again else f"to {self.fraction.text} of its start"
        if stop is not None:
            went = f"diverges at step {stop.text}" if stop.value > 0 else "diverges at once"
        elif reach is not None:
            went = f"gets {goal} at step {reach.text}"
        else:
            went = f"does not get {goal} within {self.steps.text} steps"
        return f"{name[:1].upper()}{name[1:]}'s loss {went}."

    def best_words(self, act: str, verb: str, tail: str = "") -> str:
        """The control's result for one activation, in words: the share it keeps at its best rate, or that it
        diverges at every rate of the grid."""
        best = self.best[act]
        return f"{verb} {best.text}{tail}" if best is not None else "diverges at every one"

    def training_verdict(self) -> None:
        stalls = self.runs["sigmoid"]["reach"] is None and self.runs["relu"]["reach"] is not None
        relu = self.configs["relu"]
        jumps = self.runs["relu"]["diverged"] is None and peak_over_start(relu) > 1
        n_rates = self.value("rates in the control", identity, len(self.grid), style=INT)
        self.beat("trained", *(self.run_words(act, k > 0) for k, act in enumerate(PANELS)),
                  *(['<bookmark mark="jumps"/>ReLU\'s curve jumps on the way, at times above its start: full-batch '
                     "descent at this step size overshoots, then recovers."] if jumps else []),
                  f'<bookmark mark="control"/>At its best of {n_rates.text} rates, the sigmoid network '
                  f"{self.best_words('sigmoid', 'still keeps', ' of its loss')}; "
                  f"ReLU {self.best_words('relu', 'keeps')}.",
                  *(['<bookmark mark="stalls"/>ReLU trains, the sigmoid network stalls.'] if stalls else []))
        rows = self.results.cells
        self.play(LaggedStart(*(FadeIn(VGroup(*row)) for row in rows[1:4]), lag_ratio=0.3),
                  FadeIn(self.results.notes[:2]), run_time=2)
        if jumps:
            curve = self.loss_values["relu"]
            k = int(np.argmax(np.where(np.isfinite(curve[1:]), curve[1:], -np.inf))) + 1
            peak = get_step_mark(self.loss_axes, k, float(curve[k]), "highlight")
            self.wait_for_word("jumps")
            self.play(FadeIn(peak, scale=1.5), blink(self.loss_lines["relu"]))
        self.wait_for_word("control")
        self.play(FadeIn(VGroup(*rows[4]), shift=UP * 0.1), FadeIn(self.results.notes[2:], shift=UP * 0.1))
        marks = VGroup()
        for act, run in self.runs.items():
            if run["reach"] is not None:
                k = int(run["reach"].value)
                marks.add(get_step_mark(self.loss_axes, k, float(self.loss_values[act][k]), NAMES[act][1]))
        if stalls:
            self.wait_for_word("stalls")
        self.play(FadeIn(marks), *(blink(line) for line in self.results.notes[:2]))
        self.end_chapter()
