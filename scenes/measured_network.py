"""Chapter 7: the lesson's claim checked on a real computation: a numpy network's per-layer gradients
in one backward pass, then the same network trained, sigmoid against ReLU."""

from __future__ import annotations

from manim import DOWN, RIGHT, UP, Create, FadeIn, FadeOut, GrowFromEdge, LaggedStart, VGroup

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.bars import get_log_axis, get_log_bars, log_decades
from scenes.widgets.charts import (
    blink,
    emphasize,
    get_caption_lines,
    get_loss_axes,
    get_readout_table,
    get_run_note,
    get_series,
    get_step_mark,
    get_trend_line,
    get_value_cell,
    recolor,
)
from scenes.widgets.text import NumberTex, get_caption_line, get_formula, get_formula_card, get_tex, get_text, get_title
from sigsat_math import (
    INT,
    PERCENT,
    SIG3,
    ExperimentConfig,
    Quantity,
    TrainingConfig,
    divergence_step,
    diverges,
    first_over_last,
    gradient_norms,
    identity,
    loss_after,
    loss_curve,
    mean_layer_factor,
    reaches_fraction,
    relative_loss_drop,
    steps_to_fraction,
)

BASE_Y = -2.3
CHART_H = 3.85
HEAD_Y = 2.3
# The chart keeps the left of the frame; the readouts take the column on its right, over nothing.
PANELS = {"sigmoid": (-5.1, -2.6), "relu": (-1.6, 0.9)}
COLUMN_X = (1.75, 6.75)
NAMES = {"sigmoid": ("sigmoid", "sigmoid"), "relu": ("ReLU", "relu")}  # name on screen, colour role
INIT_NAMES = {"xavier": "Xavier", "he": "He", "normal": "standard normal"}
TASK_WORDS = {"teacher": "examples of a fixed random tanh teacher", "labels": "examples with random targets"}


class MeasuredNetwork(ChapterScene):
    """A real MLP: the gradient norm reaching each hidden layer in one backward pass, then a short
    training run, sigmoid against ReLU."""

    reads = ("experiment.depth", "experiment.width", "experiment.init", "experiment.seed", "experiment.batch",
             "training.steps", "training.learning_rate", "training.task", "training.fraction")

    def construct(self) -> None:
        self.measure()
        self.describe()
        self.show_scale()
        self.show_bars("sigmoid")
        self.show_bars("relu")
        self.per_layer()
        self.verdict()
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
                  f"{init} initialisation, random seed {self.seed.text}.",
                  f"One forward and one backward pass on a fixed batch of {self.batch.text} inputs, "
                  "computed while this video was made.")
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
        self.wait(1)

    def show_scale(self) -> None:
        self.beat("scale", "Both networks share the same weights and inputs; only the activation differs.",
                  "Bar heights are on a log scale: each grid line is ten times the one below.")
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
        self.play(FadeOut(self.card))
        self.play(Create(self.axis), FadeIn(heads), FadeIn(self.ends), run_time=2)

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
        self.beat(f"{act} bars", f"With {name}: the gradient that reaches each layer, from the last back to the first.",
                  f"The first layer gets {norms[0].text}, the last {norms[-1].text}: "
                  f"the first layer's gradient is {ratio.text} times the last layer's.")
        a, b = PANELS[act]
        n = int(self.depth.value)
        xs = [a + (b - a) * k / max(n - 1, 1) for k in range(n)]
        self.bars[act] = bars = get_log_bars(norms, self.axis, xs, min(0.35, 0.7 * (b - a) / max(n - 1, 1)), role=role)
        column = 1 + list(PANELS).index(act)
        rows = [self.table.cells[r][column] for r in range(4)]
        # The card first, then its labels: what enters later is drawn on top.
        shown = VGroup(self.table.panel, self.table.column(0)[:4]) if act == "sigmoid" else VGroup()
        # Backward order: the pass reaches the last layer first.
        self.play(LaggedStart(*(GrowFromEdge(bar, DOWN) for bar in reversed(bars)), lag_ratio=0.15), run_time=3)
        self.gap = (b - a) / max(n - 1, 1) - bars[0].width
        show, hide = emphasize(bars[0], bars[-1], gap=self.gap)
        self.play(FadeIn(shown), FadeIn(VGroup(*rows)), show)
        self.play(hide)

    def per_layer(self) -> None:
        s, r = self.step["sigmoid"], self.step["relu"]
        self.beat("per layer", f"On average each layer back multiplies the sigmoid gradient by {s.text}, "
                  f"the ReLU gradient by {r.text}.",
                  "This measured factor is the whole step back: the layer's weights and its slopes together, "
                  "not sigma prime alone. It is the lesson's chain of factors, weights included, measured.")
        self.trends = VGroup(*(get_trend_line(self.bars[act], role="highlight") for act in PANELS))
        last_row = VGroup(*(self.table.cells[4][c] for c in range(3)))
        self.play(LaggedStart(*(Create(t) for t in self.trends), lag_ratio=0.3), FadeIn(last_row), run_time=1.5)
        self.wait(1)

    def verdict(self) -> None:
        s, r = self.ratio["sigmoid"], self.ratio["relu"]
        self.beat("verdict", f"Sigmoid: the first layer's gradient is {s.text} times the last layer's. "
                  f"ReLU: {r.text} times.",
                  "In one backward pass, through sigmoid layers, the gradient vanishes. Does that slow training?")
        self.play(recolor(self.bars["sigmoid"][0], role="saturated"),
                  self.table.cells[3][1].animate.set_color(self.theme.color("saturated")))
        self.wait(1)

    def train(self) -> None:
        t = self.p.training
        data = TASK_WORDS[t.task]
        self.beat("training", "Train both networks: the same layers, the same starting weights, "
                  f"{self.batch.text} {data} to fit, and {self.steps.text} steps of plain gradient descent "
                  f"with learning rate {self.rate.text}, the same for both.")
        init = INIT_NAMES[self.p.experiment.init]
        self.train_caption = get_caption_lines(
            f"Trained: depth {self.depth.text}, width {self.width.text}, {init} init, seed {self.seed.text}; "
            f"{self.batch.text} {data}",
            f"{self.steps.text} steps of plain gradient descent, learning rate {self.rate.text}, the same for both")
        curves = {act: loss_curve(cfg) for act, cfg in self.configs.items()}
        self.loss_axes = axes = get_loss_axes(int(self.steps.value), list(curves.values()), width=6.6, height=3.4)
        axes.move_to([-2.2, 0.0, 0])
        self.loss_lines = {act: get_series(axes, c, NAMES[act][1]) for act, c in curves.items()}
        self.loss_values = curves
        chart = VGroup(self.axis, *self.bars.values(), self.heads, self.ends, self.trends, self.table)
        self.play(FadeOut(chart), FadeOut(self.caption), FadeIn(self.train_caption))
        self.play(Create(axes), run_time=1.2)
        self.play(*(Create(line) for line in self.loss_lines.values()), run_time=3)
        self.results = self.result_table()
        self.play(FadeIn(self.results))

    def result_table(self) -> VGroup:
        """Loss at the start and the end and the share left, a column per activation; under the card,
        the step at which each loss first reaches the fraction of its start (or that none does)."""
        rows = [(label, [get_value_cell(self.runs[a][key], NAMES[a][1], "diverged") for a in PANELS])
                for label, key in (("loss at the start", "start"), ("loss at the end", "end"),
                                   ("share of it left", "left"))]
        notes = [get_run_note(*NAMES[act], self.fraction, self.steps, **self.runs[act]) for act in PANELS]
        table = get_readout_table([NAMES[a] for a in PANELS], rows, notes, width=COLUMN_X[1] - COLUMN_X[0])
        return table.move_to([COLUMN_X[0] + table.width / 2, 0.3, 0])

    def run_words(self, act: str) -> str:
        """What the narrator says of one run: where its loss went, and whether it got down to the fraction."""
        name, run = NAMES[act][0], self.runs[act]
        start, end, reach, stop = run["start"], run["end"], run["reach"], run["diverged"]
        went = (f"goes from {start.text} to {end.text}" if end else
                f"starts at {start.text} and diverges at step {stop.text}" if start else "diverges at once")
        got = (f"reaches {self.fraction.text} of its start at step {reach.text}" if reach else
               f"does not reach {self.fraction.text} of its start within {self.steps.text} steps")
        return f"{name[:1].upper()}{name[1:]}'s loss {went}, and {got}."

    def training_verdict(self) -> None:
        stalls = self.runs["sigmoid"]["reach"] is None and self.runs["relu"]["reach"] is not None
        self.beat("trained", *(self.run_words(act) for act in PANELS),
                  *(["Here ReLU trains and the sigmoid network stalls: the gradient that vanished on the way "
                     "back costs real learning."] if stalls else []))
        marks = VGroup()
        for act, run in self.runs.items():
            if run["reach"] is not None:
                k = int(run["reach"].value)
                marks.add(get_step_mark(self.loss_axes, k, float(self.loss_values[act][k]), NAMES[act][1]))
        self.play(FadeIn(marks), *(blink(line) for line in self.results.notes))
        self.wait(2)
        self.end_chapter()
