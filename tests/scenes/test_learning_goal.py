"""The opening: the lesson's title, author, year and goal from the parameters; the preview's icons."""

from __future__ import annotations

import pytest

from sigsat_math import activation, params
from tests.conftest import assert_paced_by_the_voice, recompute_ledger, said
from tests.scenes.curve_check import worst_miss, z_extent

pytestmark = pytest.mark.slow
LONG_GOAL = ("Understand why a deep network whose hidden layers all use the logistic sigmoid stops learning "
             "in its first layers, and what replaced it")
OTHER = ["lesson.title=Vanishing Gradients in Deep Networks", "lesson.author=A. N. Other", "lesson.year=2031",
         f"lesson.goal='{LONG_GOAL}'"]


def on_screen(mob) -> str:
    """A Text's characters (manim keeps them without spaces), for comparing with a parameter."""
    return mob.text.replace(" ", "")


def test_default_opening(render_chapter):
    data = render_chapter("learning_goal", "LearningGoal")
    assert recompute_ledger(data["ledger"]) == []
    assert {row["label"]: row["text"] for row in data["ledger"]} == {"year": "2025"}
    scene = data["scene_object"]
    assert on_screen(scene.cover[0]) == "SigmoidSaturation"
    assert on_screen(scene.cover[2]) == "JoergOsterrieder,2025"
    goal = "".join(on_screen(line) for line in scene.goal)
    assert goal == "Understandthevanishinggradientproblemcausedbysigmoidsaturation."
    assert [s["name"] for s in data["sections"]] == ["title", "goal", "preview"]
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    assert {c["section"] for c in data["cues"]} == {"title", "goal", "preview"}
    assert_paced_by_the_voice(data)
    # The preview's curves are the sigmoid and ReLU themselves.
    for key, name in (("curve", "sigmoid"), ("relu", "relu")):
        icon = scene.icons[key]
        assert worst_miss(icon.curve, icon.axes, activation(name)[0]) < 1e-3
        assert z_extent(icon.curve, icon.axes)[1] > 0 > z_extent(icon.curve, icon.axes)[0]


def test_other_lesson_parameters_reach_the_screen(render_chapter):
    data = render_chapter("learning_goal", "LearningGoal", params.load(None, OTHER))
    assert recompute_ledger(data["ledger"]) == []
    assert {row["label"]: row["text"] for row in data["ledger"]} == {"year": "2031"}
    scene = data["scene_object"]
    assert on_screen(scene.cover[0]) == "VanishingGradientsinDeepNetworks"
    assert on_screen(scene.cover[2]) == "A.N.Other,2031"
    assert "".join(on_screen(line) for line in scene.goal) == LONG_GOAL.replace(" ", "")
    assert len(scene.goal) >= 2  # a long goal is wrapped, not shrunk into one line
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    assert "A. N. Other" in said(data, "title") and LONG_GOAL in said(data, "goal")
