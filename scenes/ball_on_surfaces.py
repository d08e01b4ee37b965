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
    Circle,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromEdge,
    LaggedStart,
    Line,
    Text,
    Transform,
    VGroup,
    Write,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.ball import get_ball, get_inset, get_push_arrow, get_resting_ball, get_surface, roll_ball
from scenes.widgets.bars import get_gradient_bar
from scenes.widgets.curves import plot_activation
from scenes.widgets.text import (
    NumberTex,
    color,
    fill,
    get_caption_line,
    get_formula,
    get_formula_card,
    get_table,
    get_tex,
    get_text,
    get_title,
)
from sigsat_math import (
    INT,
    SIG3,
    Display,
    Quantity,
    activation,
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
    gradient: str  # the lesson's gradient line, numbers from sigsat_math
    say: tuple[str, ...]  # the narrator, numbers filled from sigsat_math


SPOTS = (
    Spot("plateau_z", "sigmoid", "Sigmoid at an extreme", "sigmoid, far out",
         "A plateau: no matter how hard you push, it barely moves.",
         r"\text{Gradient} = <<g>>\text{: little learning}",
         ("First the sigmoid far out, at z = {start}.",
          "The slope under the ball is only {g}, so a push moves it just {d}.",
          "No matter how hard you push, it barely moves: small gradient, little learning.")),
    Spot("center_z", "sigmoid", "Sigmoid at its centre", "sigmoid, centre",
         "A gentle slope: the ball rolls smoothly.",
         r"\text{Gradient} = <<g>> \to <<gn>> \le <<m>>",
         ("Now the sigmoid near its centre, from z = {start}.",
          "A gentle slope, {g} here and never more than {m}: the ball rolls smoothly, a little "
          "further with each push.")),
    Spot("relu_positive_z", "relu", "ReLU, positive side", "ReLU, z > 0",
         "A constant slope: the ball rolls consistently.", r"\text{Gradient} = <<g>>",
         ("ReLU on its positive side: a constant slope of {g}.",
          "Every push moves the ball by the whole push, {d}: it rolls consistently.")),
    Spot("relu_negative_z", "relu", "ReLU, negative side", "ReLU, z < 0",
         "Another flat plateau: the ball doesn't move.", r"\text{Gradient} = <<g>>",
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
        # One width for every window, so that a distance looks the same on every surface.
        self.span = max(r.distance for r in self.runs.values()) + 2 * MARGIN
        self.windows = {k: ((r.z[0] + r.z[-1] - self.span) / 2, (r.z[0] + r.z[-1] + self.span) / 2)
                        for k, r in self.runs.items()}
        # Both curves rise, so a window's lowest and highest points are its ends.
        ends = {s.key: activation(s.name)[0](self.windows[s.key]) for s in SPOTS}
        self.tops = {k: float(e[1]) for k, e in ends.items()}
        self.rise = max(float(e[1] - e[0]) for e in ends.values())
        self.push_q = self.value("push", identity, b.push, style=SIG3)
        self.n_q = self.value("pushes", identity, b.pushes, style=INT)
        self.max_q = self.value("max sigma'", sigmoid_prime_max, style=SIG3)
        # (ball, surface) alone and side by side, and when each ball rests: for the tests.
        self.balls: dict[str, tuple[VGroup, VGroup]] = {}
        self.minis: dict[str, tuple[VGroup, VGroup]] = {}
        self.rests: list[dict[str, Any]] = []

    def surface(self, spot: Spot, width: float, height: float, radius: float,
                ruler: bool = True) -> VGroup:
        """The spot's window as ground; surfaces of one size share their unit and their box."""
        unit = min(width / self.span, (height - 3 * radius) / self.rise)
        top = self.tops[spot.key] + 3 * radius / unit
        return get_surface(spot.name, self.windows[spot.key], (top - height / unit, top), unit,
                           spot.name, ruler)

    def model(self, spot: Spot, what: str, func: Callable[..., Any], *extra: Any,
              style: Display = SIG3) -> Quantity:
        b = self.p.ball
        return self.value(f"{spot.short}: {what}", func, spot.name, getattr(b, spot.key), b.push,
                          *extra, style=style)

    def introduce(self) -> None:
        self.beat("intro", "Imagine pushing a ball on different surfaces.",
                  f"Every push has the same strength, p = {self.push_q.text}, and moves the ball "
                  "by the push times the slope under it.",
                  "The four surfaces are real pieces of the sigmoid and ReLU curves.")
        self.heading = get_title(self.title)
        ask = get_text("Imagine pushing a ball on different surfaces", th.HEADING_SIZE)
        ask.next_to(self.heading, DOWN, buff=0.35)
        maps = VGroup()
        for name, tag in TAGS.items():
            spots = [s for s in SPOTS if s.name == name]
            inset = get_inset(name, name, self.p.curves.z_max,
                              [self.windows[s.key] for s in spots], 5.0, 1.9, tag)
            below = VGroup()
            for s in spots:
                run, (lo, hi) = self.runs[s.key], self.windows[s.key]
                inset.add(get_ball(0.09).move_to(inset.axes.c2p(run.z[0], run.height[0])))
                word = get_text(s.short.split(", ")[1], th.SMALL_SIZE, "muted")
                word.next_to(inset[0], DOWN, buff=0.12).set_x(inset.axes.c2p((lo + hi) / 2, 0)[0])
                if any(abs(word.get_x() - w.get_x()) < (word.width + w.width) / 2 + 0.2
                       for w in below):
                    word.shift(DOWN * (word.height + 0.1))  # windows close together: stack
                below.add(word)
            maps.add(VGroup(inset, below))
        maps.arrange(RIGHT, buff=0.6).next_to(ask, DOWN, buff=0.45)
        rule = get_formula_card(
            get_formula(r"\Delta z = p \times f'(z), \qquad p = <<p>>", p=self.push_q),
            get_text("the same push every time; the slope under the ball decides how far",
                     th.SMALL_SIZE, "muted"), title="Each push moves the ball by")
        rule.next_to(maps, DOWN, buff=0.45)
        self.play(FadeIn(self.heading), Write(ask), run_time=1.5)
        self.play(LaggedStart(*(FadeIn(m) for m in maps), lag_ratio=0.5), run_time=2)
        self.wait(1)
        self.play(FadeIn(rule, shift=UP * 0.2))
        self.wait(3)
        self.play(FadeOut(ask), FadeOut(maps), FadeOut(rule))

    def solo(self, spot: Spot) -> None:
        """One surface, full frame: the pushes one by one, the readout after each."""
        run, n = self.runs[spot.key], self.p.ball.pushes
        start = self.value(f"{spot.short}: start z", identity, getattr(self.p.ball, spot.key),
                           style=SIG3)
        zq = [self.model(spot, f"z after {k}", ball_position, n, k, style=FIXED2)
              for k in range(n + 1)]
        sq = [self.model(spot, f"slope after {k}", ball_slope, n, k) for k in range(n + 1)]
        dq = [self.model(spot, f"distance after {k}", ball_distance, k) for k in range(n + 1)]
        step = [self.model(spot, f"step {k + 1}", ball_step, n, k) for k in range(n)]
        usual = spot.key != "plateau_z" or self.saturated(spot)
        numbers = {"start": start.text, "g": sq[0].text, "d": step[0].text, "m": self.max_q.text}
        self.beat(spot.key, *(line.format(**numbers) for line in spot.say[:-1]),
                  spot.say[-1].format(**numbers) if usual else NOT_YET[1])
        surf = self.surface(spot, 5.6, 5.0, 0.2).next_to(self.heading, DOWN, buff=0.2)
        surf.to_edge(LEFT, buff=0.5)
        ghost, ball = get_resting_ball(surf, run.z[0], 0.2)
        self.balls[spot.key] = (ball, surf)
        works = [get_text(fill("<<p>> × <<s>> = <<d>>", "text", p=self.push_q, s=sq[k], d=step[k]), VALUE, "text")
                 for k in range(n)]
        dots = VGroup(*(Circle(radius=0.09, stroke_color=color("ball"), stroke_width=2)
                        for _ in range(n))).arrange(RIGHT, buff=0.15)
        card = get_table([("slope under it", self.slope(zq[0], sq[0])),
                          ("this push", get_text("p × f′(z)", VALUE)),
                          ("travelled", self.travelled(dq[0])), ("pushes", dots)],
                         width=6.2, value_width=max(w.width for w in works))
        head = get_text(spot.heading, th.HEADING_SIZE, spot.name)
        inset = get_inset(spot.name, spot.name, self.p.curves.z_max, [self.windows[spot.key]],
                          3.6, 1.0, TAGS[spot.name])
        column = VGroup(head, inset, card).arrange(DOWN, buff=0.3, aligned_edge=RIGHT)
        column.next_to(self.heading, DOWN, buff=0.2).to_edge(RIGHT, buff=0.45)
        head.align_to(card, LEFT)
        gradient = get_formula(spot.gradient, role="highlight", g=sq[0], gn=sq[-1], m=self.max_q)
        gradient.next_to(card, DOWN, buff=0.35)
        lesson = get_caption_line(spot.lesson if usual else NOT_YET[0])
        extras = self.saturation(spot, surf)
        self.play(FadeIn(head), FadeIn(surf), FadeIn(inset), *(FadeIn(e) for e in extras))
        self.play(FadeIn(ghost), FadeIn(ball, shift=DOWN * 0.4), FadeIn(card))
        self.rest(spot, 0, "solo")
        values = card.values
        for k in range(n):
            arrow = get_push_arrow(ball)
            self.play(GrowArrow(arrow), self.swap(values[1], works[k]),
                      dots[k].animate.set_fill(color("ball"), 1), run_time=0.6)
            self.play(roll_ball(ball, surf, run.z[k], run.z[k + 1]),
                      FadeOut(arrow), run_time=1)
            self.play(self.swap(values[0], self.slope(zq[k + 1], sq[k + 1])),
                      self.swap(values[2], self.travelled(dq[k + 1])), run_time=0.5)
            self.rest(spot, k + 1, "solo")
            self.wait(0.5)
        self.play(Write(gradient), FadeIn(lesson, shift=UP * 0.2), run_time=1.5)
        self.wait(2.5)
        self.play(*(FadeOut(m) for m in (head, surf, inset, ghost, ball, card, gradient, lesson,
                                         *extras)))

    # Readout numbers change every push: plain Text, which needs no LaTeX run.
    def slope(self, z: Quantity, g: Quantity) -> Text:
        return get_text(fill("f′(<<z>>) = <<g>>", "text", z=z, g=g), VALUE, "derivative")

    def travelled(self, d: Quantity) -> Text:
        return get_text(fill("<<d>>", "text", d=d), VALUE, "highlight")

    def saturated(self, spot: Spot) -> bool:
        c = self.p.curves
        return bool(is_saturated(self.runs[spot.key].z[0], c.threshold, c.inclusive))

    def saturation(self, spot: Spot, surf: VGroup) -> list[VGroup]:
        """The saturated stretch of a sigmoid window, drawn over the curve and labelled."""
        c, (lo, hi) = self.p.curves, self.windows[spot.key]
        if spot.name != "sigmoid" or -c.threshold < lo and hi < c.threshold:
            return []
        t = self.value(f"{spot.short}: saturation threshold", identity, c.threshold, style=SIG3)
        out = []
        for a, b, sign in ((max(lo, c.threshold), hi, r"\geq" if c.inclusive else ">"),
                           (lo, min(hi, -c.threshold), r"\leq -" if c.inclusive else "< -")):
            if b - a < 0.05 * self.span:
                continue
            piece = plot_activation(surf.axes, "sigmoid", "saturated", x_range=(a, b))
            label = VGroup(get_text("saturated", th.SMALL_SIZE, "saturated"),
                           get_formula(rf"z {sign}<<t>>", role="saturated", t=t))
            label.arrange(DOWN, buff=0.1).next_to(piece, DOWN, buff=0.35)
            if label.width > piece.width:
                label.scale_to_fit_width(piece.width)
            out.append(VGroup(piece, label))
        return out

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
        after = get_formula(r"\text{after } <<n>> \text{ pushes of } p = <<p>>", role="muted",
                            n=self.n_q, p=self.push_q)
        after.to_edge(RIGHT, buff=0.45).align_to(self.heading[0], DOWN)
        cols = VGroup()
        for s in SPOTS:
            surf = self.surface(s, 3.1, 2.9, 0.13, ruler=False)
            ghost, ball = get_resting_ball(surf, self.runs[s.key].z[0], 0.13)
            name = get_text(s.short, th.SMALL_SIZE, s.name).next_to(surf, DOWN, buff=0.2)
            cols.add(VGroup(surf, ghost, ball, name))
            self.minis[s.key] = (ball, surf)
        cols.arrange(RIGHT, buff=0.35, aligned_edge=UP).next_to(self.heading, DOWN, buff=0.3)
        self.play(FadeIn(after), LaggedStart(*(FadeIn(c) for c in cols), lag_ratio=0.2))
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
        top = max(q.value for q in d.values())
        self.bars = VGroup()
        for s, col in zip(SPOTS, cols, strict=True):
            bar = get_gradient_bar(d[s.key], top, 1.3, role=s.name, width=0.7)
            bar.move_to([col.get_center()[0], -2.85, 0], aligned_edge=DOWN)
            self.bars.add(VGroup(bar, NumberTex(d[s.key], scale=0.8).next_to(bar, UP, buff=0.15)))
        base = Line(cols.get_left(), cols.get_right(), color=color("muted"), stroke_width=2)
        note = get_text("distance travelled", th.SMALL_SIZE, "muted")
        self.bars.add(base.set_y(-2.85), note.next_to(base, DOWN, buff=0.12))
        self.play(FadeIn(base), FadeIn(note), *(GrowFromEdge(b[0], DOWN) for b in self.bars[:4]),
                  *(FadeIn(b[1]) for b in self.bars[:4]), run_time=1.5)
        self.wait(3)
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
        self.wait(2)
        self.play(FadeIn(line, shift=UP * 0.2))
        self.wait(3)
        self.play(*(FadeOut(m) for m in self.mobjects))

    def swap(self, old: Any, new: Any) -> Transform:
        return Transform(old, new.move_to(old, aligned_edge=LEFT))

    def rest(self, spot: Spot, k: int, where: str) -> None:
        """The ball has come to rest after push k (kept for the frame test)."""
        self.rests.append({"key": spot.key, "k": k, "where": where, "time": self.time})
