"""Chapter 3: the lesson's intuition, a ball pushed on four real pieces of sigmoid and ReLU."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromEdge,
    LaggedStart,
    ReplacementTransform,
    Text,
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
    get_inset,
    get_inset_map,
    get_push_arrow,
    get_push_card,
    get_resting_ball,
    get_saturated_stretch,
    roll_ball,
)
from scenes.widgets.curves import get_sigmoid_stage
from scenes.widgets.text import (
    color,
    get_caption_line,
    get_formula,
    get_formula_card,
    get_number,
    get_prose,
    get_tex,
    get_text,
    get_title,
)
from sigsat_math import (
    INT,
    SIG3,
    Display,
    Quantity,
    ball_distance,
    ball_position,
    ball_slope,
    ball_step,
    identity,
    is_saturated,
    push_ball,
    sigmoid_prime_max,
)

FIXED2 = Display("fixed", 2)
VALUE = 26  # the readout's numbers
MARGIN = 1.0  # z either side of the longest run: every window holds its ball's whole path


@dataclass(frozen=True)
class Spot:
    """One surface of the analogy: where on which curve, and what the lecture says about it."""

    key: str  # the `ball` parameter holding the start
    name: str  # the activation, which is also the colour role
    heading: str
    short: str
    lesson: str
    gradient: str  # the lesson's gradient line (prose), numbers from sigsat_math
    say: tuple[str, ...]  # the narrator, numbers filled from sigsat_math


SPOTS = (
    Spot("plateau_z", "sigmoid", "Sigmoid at an extreme", "sigmoid, far out",
         "A plateau: no matter how hard you push, it barely moves.",
         "Gradient = <<g>>: little learning",
         ("First the sigmoid far out, at z = {start}.",
          "The slope under the ball is only {g}, so a push moves it just {d}.",
          "No matter how hard you push, it barely moves: small gradient, little learning.")),
    Spot("center_z", "sigmoid", "Sigmoid at its centre", "sigmoid, centre",
         "A gentle slope: the ball rolls smoothly.",
         "Gradient = <<g>> → <<gn>> ≤ <<m>>",
         ("Now the sigmoid near its centre, from z = {start}.",
          "A gentle slope, {g} here and never more than {m}: the ball rolls smoothly, a little "
          "further with each push.")),
    Spot("relu_positive_z", "relu", "ReLU, positive side", "ReLU, z > 0",
         "A constant slope: the ball rolls consistently.", "Gradient = <<g>>",
         ("ReLU on its positive side: a constant slope of {g}.",
          "Every push moves the ball by the whole push, {d}: it rolls consistently.")),
    Spot("relu_negative_z", "relu", "ReLU, negative side", "ReLU, z < 0",
         "Another flat plateau: the ball doesn't move.", "Gradient = <<g>>",
         ("ReLU on its negative side: another flat plateau.",
          "The slope is exactly {g}. The ball doesn't move at all.")),
)
# Below the saturation threshold the "plateau" is not one yet, and the lecture says so.
NOT_YET = ("Not yet saturated: the ball still creeps.",
           "This close in, the sigmoid is not yet saturated: the ball still creeps.")
TAGS = {"sigmoid": r"\sigma(z)", "relu": r"\mathrm{ReLU}(z)"}


class BallOnSurfaces(ChapterScene):
    """Four surfaces, the same pushes: the ball goes as far as the slope under it lets it."""

    reads = ("ball.plateau_z", "ball.center_z", "ball.relu_positive_z", "ball.relu_negative_z",
             "ball.push", "ball.pushes", "curves.threshold", "curves.inclusive", "curves.z_max")

    def construct(self) -> None:
        self.plan()
        self.introduce()
        for spot in SPOTS:
            self.solo(spot)
        self.compare()
        self.conclude()

    def plan(self) -> None:
        b = self.p.ball
        self.runs = {s.key: push_ball(s.name, getattr(b, s.key), b.push, b.pushes) for s in SPOTS}
        self.set = SurfaceSet(self.runs, MARGIN)
        self.windows, self.span = self.set.windows, self.set.span
        self.starts = {s.key: self.value(f"{s.short}: start z", identity, getattr(b, s.key), style=SIG3)
                       for s in SPOTS}
        self.start_q = self.starts[SPOTS[0].key]
        self.push_q = self.value("push", identity, b.push, style=SIG3)
        self.n_q = self.value("pushes", identity, b.pushes, style=INT)
        self.max_q = self.value("max sigma'", sigmoid_prime_max, style=SIG3)
        # (ball, surface) alone and side by side, and when each ball rests: for the tests.
        self.balls: dict[str, tuple[VGroup, VGroup]] = {}
        self.rests: list[dict[str, Any]] = []

    def model(self, spot: Spot, what: str, func: Callable[..., Any], *extra: Any,
              style: Display = SIG3) -> Quantity:
        b = self.p.ball
        return self.value(f"{spot.short}: {what}", func, spot.name, getattr(b, spot.key), b.push,
                          *extra, style=style)

    def introduce(self) -> None:
        z0 = getattr(self.p.ball, SPOTS[0].key)
        self.beat("intro", "Take the sigmoid from the last chapter, and think of it as ground.",
                  f"Put a ball on it, far out on the plateau at z = {self.start_q.text}, and push it.",
                  f"Every push has the same strength, p = {self.push_q.text}, and moves the ball "
                  "by the push times the slope under it.",
                  "The four surfaces are real pieces of the sigmoid and ReLU curves.")
        # The last chapter ended on this picture: the cut between the clips does not show.
        stage = get_sigmoid_stage(self.p.curves.z_max)
        self.add(stage)
        self.heading = get_title(self.title)
        ball = get_ball(0.2).move_to(ball_center(stage.axes, "sigmoid", z0, 0.2))
        self.play(FadeIn(self.heading), FadeIn(ball, shift=DOWN * 0.6), run_time=1.5)
        maps = VGroup(*(get_inset_map(name, name, self.p.curves.z_max,
                                      [(self.windows[s.key], self.runs[s.key].z[0], s.short.split(", ")[1])
                                       for s in SPOTS if s.name == name], 5.0, 1.9, tag)
                        for name, tag in TAGS.items()))
        maps.arrange(RIGHT, buff=0.6).next_to(self.heading, DOWN, buff=1.2)
        ask = get_text("Imagine pushing a ball on different surfaces", th.HEADING_SIZE)
        ask.next_to(self.heading, DOWN, buff=0.35)
        rule = get_formula_card(
            get_formula(r"\Delta z = p \times f'(z), \qquad p = <<p>>", p=self.push_q),
            get_text("the same push every time; the slope under the ball decides how far",
                     th.SMALL_SIZE, "muted"), title="Each push moves the ball by")
        rule.next_to(maps, DOWN, buff=0.45)
        # The big curve shrinks into the sigmoid's map, the ball onto its spot there.
        sigma_map = maps[0].inset
        self.play(ReplacementTransform(stage.curve, sigma_map.curve), FadeOut(stage.axes),
                  FadeIn(VGroup(sigma_map.frame, sigma_map.bands, sigma_map.axes, sigma_map.tag)),
                  ReplacementTransform(ball, sigma_map.balls[0]), Write(ask), run_time=2)
        self.add(maps[0])
        self.play(FadeIn(VGroup(*sigma_map.balls[1:], maps[0].words)), FadeIn(maps[1]))
        self.play(FadeIn(rule, shift=UP * 0.2))
        self.wait()
        self.leaving = [ask, maps, rule]

    def solo(self, spot: Spot) -> None:
        """One surface, full frame: the pushes one by one, the readout after each."""
        run, n = self.runs[spot.key], self.p.ball.pushes
        start = self.starts[spot.key]
        zq = [self.model(spot, f"z after {k}", ball_position, n, k, style=FIXED2)
              for k in range(n + 1)]
        sq = [self.model(spot, f"slope after {k}", ball_slope, n, k) for k in range(n + 1)]
        dq = [self.model(spot, f"distance after {k}", ball_distance, k) for k in range(n + 1)]
        step = [self.model(spot, f"step {k + 1}", ball_step, n, k) for k in range(n)]
        c = self.p.curves
        usual = spot.key != "plateau_z" or is_saturated(run.z[0], c.threshold, c.inclusive)
        numbers = {"start": start.text, "g": sq[0].text, "d": step[0].text, "m": self.max_q.text}
        self.beat(spot.key, *(line.format(**numbers) for line in spot.say[:-1]),
                  spot.say[-1].format(**numbers) if usual else NOT_YET[1])
        surf = self.set.surface(spot.key, 5.6, 5.0, 0.2).next_to(self.heading, DOWN, buff=0.2)
        surf.to_edge(LEFT, buff=0.5)
        ghost, ball = get_resting_ball(surf, run.z[0], 0.2)
        self.balls[spot.key] = (ball, surf)
        works = [get_prose("<<p>> × <<s>> = <<d>>", VALUE, "text", None, p=self.push_q, s=sq[k], d=step[k])
                 for k in range(n)]
        card = get_push_card(self.slope(zq[0], sq[0]), get_text("p × f′(z)", VALUE), get_number(dq[0], VALUE), n,
                             max(w.width for w in works))
        head = get_text(spot.heading, th.HEADING_SIZE, spot.name)
        inset = get_inset(spot.name, spot.name, self.p.curves.z_max, [self.windows[spot.key]],
                          3.6, 1.0, TAGS[spot.name])
        column = VGroup(head, inset, card).arrange(DOWN, buff=0.3, aligned_edge=RIGHT)
        column.next_to(self.heading, DOWN, buff=0.2).to_edge(RIGHT, buff=0.45)
        head.align_to(card, LEFT)
        gradient = get_prose(spot.gradient, th.BODY_SIZE, "highlight", None, g=sq[0], gn=sq[-1], m=self.max_q)
        gradient.next_to(card, DOWN, buff=0.35)
        lesson = get_caption_line(spot.lesson if usual else NOT_YET[0])
        extras = self.saturation(spot, surf)
        # The last picture fades out as this one fades in: no empty frame between them.
        self.play(*(FadeOut(m) for m in self.leaving), FadeIn(head), FadeIn(surf), FadeIn(inset),
                  *(FadeIn(e) for e in extras))
        self.play(FadeIn(ghost), FadeIn(ball, shift=DOWN * 0.4), FadeIn(card))
        self.rest(spot, 0, "solo")
        values = card.values
        for k in range(n):
            arrow = get_push_arrow(ball)
            self.play(GrowArrow(arrow), self.swap(values[1], works[k]),
                      card.dots[k].animate.set_fill(color("ball"), 1), run_time=0.6)
            self.play(roll_ball(ball, surf, run.z[k], run.z[k + 1]),
                      FadeOut(arrow), run_time=1)
            self.play(self.swap(values[0], self.slope(zq[k + 1], sq[k + 1])),
                      self.swap(values[2], get_number(dq[k + 1], VALUE)), run_time=0.5)
            self.rest(spot, k + 1, "solo")
            self.wait(0.5)
        self.play(Write(gradient), FadeIn(lesson, shift=UP * 0.2), run_time=1.5)
        self.wait()
        self.leaving = [head, surf, inset, ghost, ball, card, gradient, lesson, *extras]

    # Readout numbers change every push: plain Text, which needs no LaTeX run.
    def slope(self, z: Quantity, g: Quantity) -> Text:
        return get_prose("f′(<<z>>) = <<g>>", VALUE, "derivative", None, z=z, g=g)

    def saturation(self, spot: Spot, surf: VGroup) -> list[VGroup]:
        """The saturated stretch of a sigmoid window, drawn over the curve and labelled."""
        c, (lo, hi) = self.p.curves, self.windows[spot.key]
        if spot.name != "sigmoid" or -c.threshold < lo and hi < c.threshold:
            return []
        t = self.value(f"{spot.short}: saturation threshold", identity, c.threshold, style=SIG3)
        return get_saturated_stretch(surf, c.threshold, c.inclusive, t, 0.05 * self.span)

    def compare(self) -> None:
        """All four side by side, to one scale, the same pushes at once; then the distances."""
        n = self.p.ball.pushes
        d = {s.key: self.model(s, "distance, compared", ball_distance, n) for s in SPOTS}
        self.beat("side by side",
                  f"Side by side: the same {self.n_q.text} pushes of {self.push_q.text} on every "
                  "surface, drawn to one scale.",
                  f"The ball travelled {d['relu_positive_z'].text} on ReLU's slope, "
                  f"{d['center_z'].text} at the sigmoid's centre, {d['plateau_z'].text} on its "
                  f"plateau, and {d['relu_negative_z'].text} on ReLU's negative side.")
        start = self.time
        after = get_prose("after <<n>> pushes of p = <<p>>", th.BODY_SIZE, "muted", None, n=self.n_q, p=self.push_q)
        after.to_edge(RIGHT, buff=0.45).align_to(self.heading[0], DOWN)
        cols = VGroup(*(VGroup(surf := self.set.surface(s.key, 3.1, 2.9, 0.13, ruler=False),
                               *get_resting_ball(surf, self.runs[s.key].z[0], 0.13),
                               get_text(s.short, th.SMALL_SIZE, s.name).next_to(surf, DOWN, buff=0.2))
                        for s in SPOTS))
        cols.arrange(RIGHT, buff=0.35, aligned_edge=UP).next_to(self.heading, DOWN, buff=0.3)
        self.minis = {s.key: (col[2], col[0]) for s, col in zip(SPOTS, cols, strict=True)}
        self.play(*(FadeOut(m) for m in self.leaving), FadeIn(after),
                  LaggedStart(*(FadeIn(c) for c in cols), lag_ratio=0.2))
        for k in range(n + 1):
            if k:
                arrows = [get_push_arrow(ball, 0.6) for ball, _ in self.minis.values()]
                self.play(*(GrowArrow(a) for a in arrows), run_time=0.4)
                self.play(*(roll_ball(*self.minis[s.key], *self.runs[s.key].z[k - 1:k + 1])
                            for s in SPOTS),
                          *(FadeOut(a) for a in arrows), run_time=0.8)
            for s in SPOTS:
                self.rest(s, k, "compare")
            self.wait(0.2)
        self.bars = get_distance_bars([d[s.key] for s in SPOTS], [c.get_x() for c in cols],
                                      [s.name for s in SPOTS], -2.85, 1.3, cols.width)
        self.play(FadeIn(self.bars.base), FadeIn(self.bars.note),
                  *(GrowFromEdge(b[0], DOWN) for b in self.bars.bars), *(FadeIn(b[1]) for b in self.bars.bars),
                  run_time=1.5)
        self.wait()
        self.offer_loop("ball-on-four-surfaces", start,
                        what="the same pushes on the four surfaces side by side, then the distances")

    def conclude(self) -> None:
        self.beat("conclusion", "The slope of the surface is the gradient, and the ball's "
                  "progress is learning.",
                  "For efficient learning, we want consistent, non-vanishing gradients throughout.")
        rows = VGroup(*(VGroup(get_text(a, th.BODY_SIZE), get_tex(r"\Longleftrightarrow"),
                               get_text(b, th.BODY_SIZE, role)).arrange(RIGHT, buff=0.3)
                        for a, b, role in (("slope of the surface", "the gradient", "derivative"),
                                           ("the ball's progress", "learning", "highlight"))))
        card = get_formula_card(rows.arrange(DOWN, buff=0.3)).move_to([0, -2.05, 0])
        line = get_caption_line("For efficient learning, we want consistent, non-vanishing "
                                "gradients throughout.").set_color(color("text"))
        self.play(FadeOut(self.bars), FadeIn(card, shift=UP * 0.2))
        self.play(FadeIn(line, shift=UP * 0.2))
        self.wait()
        self.end_chapter()

    def swap(self, old: Any, new: Any) -> Transform:
        return Transform(old, new.move_to(old, aligned_edge=LEFT))

    def rest(self, spot: Spot, k: int, where: str) -> None:
        """The ball has come to rest after push k (kept for the frame test)."""
        self.rests.append({"key": spot.key, "k": k, "where": where, "time": self.time})
