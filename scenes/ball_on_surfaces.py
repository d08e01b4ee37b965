"""Chapter 2: the lesson's intuition before its formulas. Learning is a ball rolling downhill, each
step the learning rate times the slope under it; the same steps on four real pieces of sigmoid and
ReLU; then the analogy's own question, why not bigger steps, answered by the measured network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromEdge,
    LaggedStart,
    ReplacementTransform,
    Transform,
    VGroup,
    Write,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.ball import (
    SurfaceSet,
    ball_center,
    get_ball,
    get_distance_bars,
    get_inset_map,
    get_ramp,
    get_resting_ball,
    get_saturated_stretch,
    get_step_arrow,
    place_on_ramp,
    roll_ball,
    slide_ball,
)
from scenes.widgets.charts import get_outline
from scenes.widgets.curves import get_sigmoid_stage
from scenes.widgets.text import (
    get_caption_line,
    get_formula,
    get_formula_card,
    get_prose,
    get_tex,
    get_text,
    get_title,
)
from sigsat_math import (
    INT,
    SIG3,
    Display,
    ExperimentConfig,
    Quantity,
    ball_distance,
    ball_position,
    ball_slope,
    ball_step,
    clear_of,
    descend,
    first_over_last,
    identity,
    is_saturated,
    last_over_first,
    magnitude_words,
    sigmoid_prime_max,
)

FIXED2 = Display("fixed", 2)
SCI3 = Display("sci", 3)  # a ratio a million-fold from 1 reads as a power of ten
MARGIN = 1.0  # z either side of the longest run: every window holds its ball's whole path
RAMP = (4.6, 1.6)  # the bigger-step picture's sloped ground: length and rise, in scene units
FIT = 0.3  # how far along its ramp the step that fits rolls a ball, as a fraction of the ramp


@dataclass(frozen=True)
class Spot:
    """One surface of the analogy: where on which curve, and what the lecture says about it."""

    key: str  # the `ball` parameter holding the start
    name: str  # the activation, which is also the colour role
    short: str
    lesson: str  # the seed's line, under the surface
    say: str  # the narrator, numbers filled from sigsat_math


SPOTS = (
    Spot("plateau_z", "sigmoid", "sigmoid, far out", "barely moves",
         "High on the sigmoid's plateau the ground is almost flat: each step moves the ball {step}."),
    Spot("center_z", "sigmoid", "sigmoid, centre", "rolls smoothly",
         "Near the centre the slope is gentle: the ball rolls smoothly."),
    Spot("relu_positive_z", "relu", "ReLU, z > 0", "rolls consistently",
         "On ReLU's positive side the slope is {g}: every step rolls the whole η."),
    Spot("relu_negative_z", "relu", "ReLU, z < 0", "doesn't move",
         "On its negative side, slope {g}: the ball doesn't move."),
)
# Below the saturation threshold the "plateau" is not one yet, and the lecture says so.
NOT_YET = ("still creeps",
           "Towards the sigmoid's plateau, not yet saturated, each step moves the ball {step}.")
TAGS = {"sigmoid": r"\sigma(z)", "relu": r"\mathrm{ReLU}(z)"}


class BallOnSurfaces(ChapterScene):
    """Four surfaces, the same steps: the ball rolls as far as the slope under it lets it."""

    reads = ("ball.plateau_z", "ball.center_z", "ball.relu_positive_z", "ball.relu_negative_z",
             "ball.push", "ball.pushes", "curves.threshold", "curves.inclusive", "curves.z_max",
             "problem1.z", "experiment.depth", "experiment.width", "experiment.init", "experiment.seed",
             "experiment.batch")

    def construct(self) -> None:
        self.plan()
        self.introduce()
        self.four_surfaces()
        self.distances()
        self.bigger_steps()
        self.conclude()

    def plan(self) -> None:
        b = self.p.ball
        # The plateau comes before practice problem 1 and must not answer it.
        self.start = {s.key: getattr(b, s.key) for s in SPOTS}
        self.start["plateau_z"] = clear_of(b.plateau_z, self.p.problem1.z)
        self.runs = {s.key: descend(s.name, self.start[s.key], b.push, b.pushes) for s in SPOTS}
        self.set = SurfaceSet(self.runs, MARGIN)
        self.windows, self.span = self.set.windows, self.set.span
        self.starts = {s.key: self.value(f"{s.short}: start z", identity, self.start[s.key], style=SIG3)
                       for s in SPOTS}
        self.eta = self.value("learning rate", identity, b.push, style=SIG3)
        self.n_q = self.value("steps", identity, b.pushes, style=INT)
        self.max_q = self.value("max sigma'", sigmoid_prime_max, style=SIG3)
        # When each ball rests (for the frame test), and each (ball, surface) side by side.
        self.rests: list[dict[str, Any]] = []
        self.minis: dict[str, tuple[Any, VGroup]] = {}

    def model(self, spot: Spot, what: str, func: Callable[..., Any], *extra: Any,
              style: Display = SIG3) -> Quantity:
        b = self.p.ball
        return self.value(f"{spot.short}: {what}", func, spot.name, self.start[spot.key], b.push,
                          *extra, style=style)

    def introduce(self) -> None:
        centre = self.runs["center_z"]
        self.beat("intro",
                  '<bookmark mark="ground"/>Picture training as a ball rolling downhill on the loss.',
                  f'<bookmark mark="rule"/>Each step moves it by the learning rate η times the slope under it: '
                  f"always the same η, {self.eta.text}.",
                  '<bookmark mark="maps"/>Our ground: four pieces of the sigmoid and ReLU.')
        stage = get_sigmoid_stage(self.p.curves.z_max)
        # The stage is a surface too (roll_ball reads its curve's name and parameters).
        stage.name, stage.alpha = "sigmoid", ()
        self.heading = get_title(self.title)
        ball = get_ball(0.2).move_to(ball_center(stage.axes, "sigmoid", centre.z[0], 0.2))
        self.play(FadeIn(self.heading), Create(stage), run_time=1.5)
        self.wait_for_word("ground")
        self.play(FadeIn(ball, shift=DOWN * 0.6))
        for k in range(len(centre.z) - 1):
            self.play(roll_ball(ball, stage, centre.z[k], centre.z[k + 1]), run_time=0.6)
        rule = get_formula_card(
            get_formula(r"\Delta z = -\,\eta \times f'(z)", scale=0.8),
            get_formula(r"\eta = <<e>>", scale=0.8, e=self.eta),
            get_text("the same η every time", th.SMALL_SIZE, "muted"), title="Each step rolls the ball")
        rule.next_to(self.heading, DOWN, buff=0.35).to_edge(RIGHT, buff=0.5)
        self.wait_for_word("rule")
        self.play(FadeIn(rule, shift=UP * 0.2))
        maps = VGroup(*(get_inset_map(name, name, self.p.curves.z_max,
                                      [(self.windows[s.key], self.runs[s.key].z[0], s.short.split(", ")[1])
                                       for s in SPOTS if s.name == name], 4.4, 1.7, tag)
                        for name, tag in TAGS.items()))
        maps.arrange(RIGHT, buff=0.9).next_to(self.heading, DOWN, buff=0.6)
        self.wait_for_word("maps")
        # The big curve shrinks into the sigmoid's map, the ball onto its spot there.
        sigma_map = maps[0].inset
        self.play(ReplacementTransform(stage.curve, sigma_map.curve), FadeOut(stage.axes),
                  FadeIn(VGroup(sigma_map.frame, sigma_map.bands, sigma_map.axes, sigma_map.tag)),
                  ReplacementTransform(ball, sigma_map.balls[1]),
                  rule.animate.next_to(maps, DOWN, buff=0.5).set_x(0), run_time=2)
        self.add(maps[0])
        self.play(FadeIn(VGroup(sigma_map.balls[0], maps[0].words)), FadeIn(maps[1]))
        self.leaving = [maps, rule]

    def four_surfaces(self) -> None:
        """All four side by side, to one scale; each takes its steps as the voice names it."""
        n, c = self.p.ball.pushes, self.p.curves
        steps = {s.key: [self.model(s, f"step {k + 1}", ball_step, n, k) for k in range(n)] for s in SPOTS}
        slopes = {s.key: [self.model(s, f"slope after {k}", ball_slope, n, k) for k in range(n + 1)] for s in SPOTS}
        for s in SPOTS:
            for k in range(n + 1):
                self.model(s, f"z after {k}", ball_position, n, k, style=FIXED2)
        usual = is_saturated(self.start["plateau_z"], c.threshold, c.inclusive)
        lines = []
        for s in SPOTS:
            say = s.say if usual or s.key != "plateau_z" else NOT_YET[1]
            numbers = {"start": self.starts[s.key].text, "step": steps[s.key][0].text, "m": self.max_q.text,
                       "g": slopes[s.key][0].text}
            lines.append(f'<bookmark mark="{s.key}"/>' + say.format(**numbers))
        self.beat("four surfaces", *lines)
        cols = VGroup(*(VGroup(surf := self.set.surface(s.key, 3.1, 2.7, 0.13, ruler=False),
                               *get_resting_ball(surf, self.runs[s.key].z[0], 0.13),
                               get_text(s.short, th.SMALL_SIZE, s.name).next_to(surf, DOWN, buff=0.2))
                        for s in SPOTS))
        cols.arrange(RIGHT, buff=0.35, aligned_edge=UP).next_to(self.heading, DOWN, buff=0.3)
        self.cols = cols
        self.minis = {s.key: (col[2], col[0]) for s, col in zip(SPOTS, cols, strict=True)}
        start = self.time
        self.play(*(FadeOut(m) for m in self.leaving), LaggedStart(*(FadeIn(col) for col in cols), lag_ratio=0.2))
        for s in SPOTS:
            self.rest(s, 0)
        frame, work, lessons = None, None, VGroup()
        for s, col in zip(SPOTS, cols, strict=True):
            ball, surf = self.minis[s.key]
            run = self.runs[s.key]
            extras = self.saturation(s, surf)
            outline = get_outline(col, buff=0.12)
            lesson = get_text(s.lesson if usual or s.key != "plateau_z" else NOT_YET[0], th.SMALL_SIZE, "highlight")
            lesson.next_to(col, DOWN, buff=0.25)
            if lesson.width > col.width:
                lesson.scale_to_fit_width(col.width)
            lessons.add(lesson)
            self.wait_for_word(s.key)
            self.play(ReplacementTransform(frame, outline) if frame else Create(outline),
                      *(FadeIn(e) for e in extras), FadeIn(lesson), run_time=0.5)
            frame = outline
            for k in range(n):
                line = get_prose("step <<k>>:  η × f′(z) = <<e>> × <<g>> = <<d>>", th.BODY_SIZE, "text", None,
                                 k=self.value(f"{s.short}: step number {k + 1}", identity, k + 1, style=INT),
                                 e=self.eta, g=slopes[s.key][k], d=steps[s.key][k])
                line.move_to([0, -1.75, 0])
                arrow = get_step_arrow(ball, 0.45)
                self.play(GrowArrow(arrow), Transform(work, line) if work else FadeIn(line), run_time=0.35)
                work = work or line
                self.play(roll_ball(ball, surf, run.z[k], run.z[k + 1]), FadeOut(arrow), run_time=0.6)
                self.rest(s, k + 1)
        self.offer_loop("ball-on-four-surfaces", start, what="the same steps on the four surfaces side by side")
        self.wait_for_voice()
        self.play(FadeOut(VGroup(frame, work)))
        self.lessons = lessons

    def saturation(self, spot: Spot, surf: VGroup) -> list[VGroup]:
        """The saturated stretch of a sigmoid window, drawn over the curve and labelled."""
        c, (lo, hi) = self.p.curves, self.windows[spot.key]
        if spot.name != "sigmoid" or -c.threshold < lo and hi < c.threshold:
            return []
        t = self.value(f"{spot.short}: saturation threshold", identity, c.threshold, style=SIG3)
        return [e[0] for e in get_saturated_stretch(surf, c.threshold, c.inclusive, t, 0.05 * self.span)]

    def distances(self) -> None:
        n = self.p.ball.pushes
        d = {s.key: self.model(s, "distance, compared", ball_distance, n) for s in SPOTS}
        c = self.p.curves
        # On a saturated plateau the distance is a rounding error next to ReLU's: "almost nothing"
        # is what a listener should take from it.
        saturated = is_saturated(self.start["plateau_z"], c.threshold, c.inclusive)
        far = "almost nothing" if saturated else magnitude_words(d["plateau_z"].value)
        # Each bar grows as the voice names its distance, in the order it names them.
        said = {"relu_positive_z": f"{d['relu_positive_z'].text} on ReLU's slope",
                "center_z": f"{magnitude_words(d['center_z'].value)} at the centre",
                "plateau_z": f"{far} on the plateau", "relu_negative_z": "nothing on the flat side"}
        self.beat("distances", f"After {self.n_q.text} equal steps: "
                  + ", ".join(f'<bookmark mark="{k}"/>{v}' for k, v in said.items()) + ".")
        self.bars = get_distance_bars([d[s.key] for s in SPOTS], [c.get_x() for c in self.cols],
                                      [s.name for s in SPOTS], -3.0, 1.3, self.cols.width)
        bars = dict(zip([s.key for s in SPOTS], self.bars.bars, strict=True))
        self.play(FadeOut(self.lessons), FadeIn(self.bars.base), FadeIn(self.bars.note))
        for key in said:
            self.wait_for_word(key)
            self.play(GrowFromEdge(bars[key][0], DOWN), FadeIn(bars[key][1]), run_time=0.8)

    def bigger_steps(self) -> None:
        """Why not a larger η? Each layer of a network has its own slope, measured ~1e6 apart."""
        e = self.p.experiment
        net = ExperimentConfig.from_params(e, "sigmoid")
        ratio = self.value("measured network: first / last layer gradient", first_over_last, net, style=SCI3)
        boost = self.value("measured network: last / first layer gradient", last_over_first, net, style=SCI3)
        depth = self.value("measured network: hidden layers", identity, e.depth, style=INT)
        self.beat("bigger steps",
                  "Why not just take bigger steps?",
                  '<bookmark mark="layers"/>In a network, every layer has its own ground: '
                  f'<bookmark mark="measured"/>in the {depth.text}-layer one we measure later, the first '
                  f"layer's gradient is {magnitude_words(boost.value)} times smaller than the last's.",
                  '<bookmark mark="small"/>A step that suits the last layer leaves the first standing still; '
                  '<bookmark mark="big"/>one that many times larger throws the last far off.',
                  '<bookmark mark="none"/>No single step size fits every layer.')
        ramps, balls, heads = VGroup(), VGroup(), VGroup()
        for role, rise, name, note in (("sigmoid", RAMP[1], "last layer", get_text("a slope", th.SMALL_SIZE, "muted")),
                                       ("derivative", 0.0, "first layer",
                                        get_prose("slope <<r>> × the last layer's", th.SMALL_SIZE, "muted",
                                                  "saturated", r=ratio))):
            ramp = get_ramp(RAMP[0], rise, role)
            ball = get_ball(0.16)
            ramps.add(ramp)
            balls.add(ball)
            heads.add(VGroup(get_text(name, th.BODY_SIZE, role), note).arrange(DOWN, buff=0.12))
        ramps.arrange(RIGHT, buff=1.6, aligned_edge=DOWN)
        for ball, ramp, head in zip(balls, ramps, heads, strict=True):
            place_on_ramp(ball, ramp, 0.85)
            head.next_to(ramp, UP, buff=0.35).align_to(ramp, LEFT)
        heads[1].align_to(heads[0], UP)
        source = get_prose("measured: <<n>> sigmoid layers, first / last layer gradient = <<r>>",
                           th.SMALL_SIZE, "muted", "highlight", n=depth, r=ratio)
        source.next_to(self.heading, DOWN, buff=0.3)
        picture = VGroup(ramps, balls, heads)
        picture.next_to(source, DOWN, buff=0.5).set_x(0)
        self.play(*(FadeOut(m) for m in self.mobjects if m is not self.heading), run_time=0.8)
        self.wait_for_word("layers")
        self.play(FadeIn(ramps), FadeIn(balls), FadeIn(heads[0]), FadeIn(heads[1][0]), run_time=1.0)
        self.wait_for_word("measured")
        self.play(FadeIn(heads[1][1]), FadeIn(source))
        self.wait_for_word("small")
        eta_line = get_formula(r"\eta", role="highlight", scale=0.8).next_to(ramps[1], DOWN, buff=0.5)
        self.play(FadeIn(eta_line))
        self.play(slide_ball(balls[0], ramps[0], 0.85, 0.85 - FIT), run_time=0.8)
        still = get_text("barely moves", th.SMALL_SIZE, "saturated").next_to(balls[1], UP, buff=0.25)
        self.play(FadeIn(still))
        self.wait_for_word("big")
        big_eta = get_formula(r"\eta \times <<b>>", role="highlight", scale=0.8, b=boost).move_to(eta_line)
        self.play(Transform(eta_line, big_eta), FadeOut(still))
        # The step that fitted the last layer, now the first layer's; the last's is that many times longer.
        fly = get_step_arrow(balls[0], balls[0].get_x() - ramps[0].get_left()[0] + 0.6, "saturated")
        off = get_prose("<<b>> times too far: off its ground", th.SMALL_SIZE, "saturated", None, b=boost)
        off.next_to(ramps[0], DOWN, buff=0.25).align_to(ramps[0], LEFT)
        self.play(slide_ball(balls[1], ramps[1], 0.85, 0.85 - FIT), GrowArrow(fly), run_time=0.8)
        self.play(FadeIn(off), FadeOut(balls[0]))
        self.wait_for_word("none")
        line = get_caption_line("One learning rate cannot fit gradients a million-fold apart")
        self.play(FadeIn(line, shift=UP * 0.2))

    def conclude(self) -> None:
        self.beat("conclusion", "The slope is the gradient, the distance rolled is learning: "
                  '<bookmark mark="stalls"/>on flat ground, it stalls. Why is the sigmoid flat? Its formula, next.')
        rows = VGroup(*(VGroup(get_text(a, th.BODY_SIZE), get_tex(r"\Longleftrightarrow"),
                               get_text(b, th.BODY_SIZE, role)).arrange(RIGHT, buff=0.3)
                        for a, b, role in (("slope of the ground", "the gradient", "derivative"),
                                           ("distance the ball rolls", "learning", "highlight"))))
        card = get_formula_card(rows.arrange(DOWN, buff=0.3)).move_to([0, 0.6, 0])
        line = get_caption_line("Flat ground = tiny gradient = almost no learning")
        self.play(*(FadeOut(m) for m in self.mobjects if m is not self.heading),
                  FadeIn(card, shift=UP * 0.2))
        self.wait_for_word("stalls")
        self.play(Write(line))
        self.end_chapter()

    def rest(self, spot: Spot, k: int) -> None:
        """The ball has come to rest after step k (kept for the frame test)."""
        self.rests.append({"key": spot.key, "k": k, "where": "compare", "time": self.time})
