"""Chapter 1: the lesson's title and learning goal, then a preview of the four steps to come, in the
lecture's order: the ball's picture first, then the curve, the layers and the way out."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    UP,
    FadeIn,
    FadeOut,
    GrowFromCenter,
    Line,
    VGroup,
    Write,
)

from scenes import theme as th
from scenes.base import ChapterScene
from scenes.widgets.curves import get_mini_plot, get_zone
from scenes.widgets.icons import get_ball_icon, get_bars_icon
from scenes.widgets.text import color, get_caption_line, get_paragraph, get_text, get_title
from sigsat_math import INT, depth_profile, identity, sigmoid_prime_max

ICON_W, ICON_H = 2.8, 1.9
# The preview's sigmoid spans a fixed window: the icon shows a shape, not the lecture's z range.
ICON_Z = 6.0
ICON_SATURATION = 3.0


class LearningGoal(ChapterScene):
    """Title, author and goal of the lesson; the ball, the curve, the layers and the way out, previewed."""

    reads = ("lesson.title", "lesson.goal", "lesson.author", "lesson.year")

    def construct(self) -> None:
        self.show_title()
        self.show_goal()
        self.preview()

    def show_title(self) -> None:
        lesson = self.p.lesson
        self.beat("title", f"{lesson.title}: a lesson by {lesson.author}.")
        year = self.value("year", identity, lesson.year, style=INT)
        name = get_text(lesson.title, 64, weight="BOLD")
        name.scale_to_fit_width(min(name.width, 12.5))
        rule = Line(LEFT * 3, -LEFT * 3, color=color("sigmoid"), stroke_width=4)
        by = get_text(f"{lesson.author}, {year.text}", th.HEADING_SIZE, "muted")
        by.scale_to_fit_width(min(by.width, 12.5))
        self.cover = VGroup(name, rule, by).arrange(DOWN, buff=0.4).move_to(UP * 0.3)
        self.play(Write(name), run_time=1.5)
        self.play(GrowFromCenter(rule), FadeIn(by, shift=UP * 0.2))
        self.wait_for_voice()
        self.play(FadeOut(self.cover, shift=UP * 0.3))

    def show_goal(self) -> None:
        goal = self.p.lesson.goal
        self.beat("goal", f"Our goal today: {goal}")
        self.heading = get_title(self.title)
        # Key phrases light up when the goal's text contains them (it is a parameter).
        keys = {"vanishing gradient": color("saturated"), "sigmoid saturation": color("sigmoid")}
        self.goal = get_paragraph(goal, 11.5, 40, t2c=keys).move_to(UP * 0.2)
        self.play(FadeIn(self.heading))
        self.play(Write(self.goal), run_time=2.5)

    def preview(self) -> None:
        cues = ("First a picture: a ball rolling downhill.",
                "Then the curve: where the sigmoid goes flat, and why.",
                "Then the layers, where the gradient shrinks.",
                "And the way out: ReLU and its variants.")
        self.beat("preview", "The plan:", *(f'<bookmark mark="c{i}"/>{cue}' for i, cue in enumerate(cues)))
        curve = get_mini_plot("sigmoid", ICON_Z, ICON_W, ICON_H, role="sigmoid")
        for lo, hi in ((-ICON_Z, -ICON_SATURATION), (ICON_SATURATION, ICON_Z)):
            curve.add_to_back(get_zone(curve.axes, lo, hi))
        ball = get_ball_icon("sigmoid", (-2.0, 7.0), 5.0, ICON_W)
        # Each bar is the one before times the sigmoid's best slope: the mildest case already shrinks.
        bars = get_bars_icon(list(depth_profile(sigmoid_prime_max(), 4)), ICON_W, ICON_H)
        relu = get_mini_plot("relu", ICON_Z, ICON_W, ICON_H, role="relu")
        self.icons = {"ball": ball, "curve": curve, "layers": bars, "relu": relu}
        names = ("The ball", "The curve", "The layers", "The way out")
        notes = ("rolling downhill", "the sigmoid goes flat", "gradients shrink", "ReLU and its variants")
        cards = VGroup()
        for icon, name, note in zip(self.icons.values(), names, notes, strict=True):
            # Every icon stands on y = 0 and every label hangs from just under it: one baseline.
            icon.move_to(ORIGIN, aligned_edge=DOWN)
            # Placed by their tops, not stacked: a descender (y, g) must not push one note lower.
            label = VGroup(get_text(name, th.HEADING_SIZE).next_to(DOWN * 0.35, DOWN, buff=0),
                           get_text(note, th.BODY_SIZE, "muted").next_to(DOWN * 0.95, DOWN, buff=0))
            cards.add(VGroup(icon, label))
        pitch = max(c.width for c in cards) + 0.45
        for i, card in enumerate(cards):
            card.set_x((i - (len(cards) - 1) / 2) * pitch)
        cards.scale_to_fit_width(min(cards.width, 13.0))
        self.play(self.goal.animate.scale(0.7).next_to(self.heading, DOWN, buff=0.35).to_edge(LEFT, buff=0.6))
        cards.move_to(DOWN * 0.9)
        # A long goal keeps more lines: the cards stand under its last one, not over it.
        room = self.goal.get_bottom()[1] - 0.45
        if cards.get_top()[1] > room:
            cards.shift(DOWN * (cards.get_top()[1] - room))
        self.cards = cards
        for i, card in enumerate(cards):
            self.wait_for_word(f"c{i}")
            self.play(FadeIn(card, shift=UP * 0.2))
        line = get_caption_line("Why learning stalls, and what modern networks do about it")
        self.play(FadeIn(line, shift=UP * 0.2))
        self.end_chapter()
