"""The sigmoid chapter: sigma and sigma', the saturation zones where the threshold says, the peak; each
derivation step on the word that names it; never sigma' at practice problem 1's z."""

from __future__ import annotations

import math

import av
import numpy as np
import pytest
from manim import config

from scenes.theme import DARK, ZONE_OPACITY
from sigsat_math import params
from tests.conftest import recompute_ledger

pytestmark = pytest.mark.slow


def test_ledger_and_layout(render_chapter):
    data = render_chapter("sigmoid_curves", "SigmoidCurves")
    assert recompute_ledger(data["ledger"]) == []
    numbers = {row["label"]: row["text"] for row in data["ledger"]}
    assert numbers["max sigma'"] == "0.25" and numbers["sigma(0)"] == "0.5"
    assert numbers["saturation threshold"] == "3"
    assert [s["name"] for s in data["sections"]] == ["formulas", "derivation", "curves", "zones", "peak", "sweep",
                                                     "flat means slow"]
    for section in data["sections"]:
        assert section["layout"] == [], section["name"]
    assert len(data["cues"]) >= len(data["sections"])
    scene = data["scene_object"]
    # The derivation ends in the card: sigma' = sigma (1 - sigma), the two factors as parts.
    assert list(scene.slot.tex_strings) == [r"\sigma'(z)", "=", r"\sigma(z)", r"\bigl(1 - \sigma(z)\bigr)"]
    # The formula card sits under the title's rule, not over it.
    assert scene.card.get_top()[1] < scene.heading[1].get_bottom()[1] - 0.1
    # The chapter ends on an empty frame, once its voice is done: the layer chapter draws its own.
    left = [m for m in scene.mobjects
            if m.family_members_with_points() and m.get_fill_opacity() + m.get_stroke_opacity()]
    assert left == []
    # Each derivation step starts on the word that names it: the tracker's bookmarks, kept in order.
    beats = {b["section"]: b for b in data["beats"]}
    assert "quotient rule" in beats["derivation"]["text"] and "<bookmark" not in beats["derivation"]["text"]
    # The default illustration is the zone's edge, which is not problem 1's z (5).
    assert numbers["illustration z"] == "3" and numbers["sigma'(illustration z)"] == "0.0452"


def test_threshold_parameter_moves_the_numbers(render_chapter):
    data = render_chapter("sigmoid_curves", "SigmoidCurves", params.load(None, ["curves.threshold=2"]))
    assert recompute_ledger(data["ledger"]) == []
    numbers = {row["label"]: row["text"] for row in data["ledger"]}
    assert numbers["saturation threshold"] == "2"
    assert numbers["illustration z"] == "2"
    assert numbers["sigma'(illustration z)"] == "0.105"  # sigma(2) sigma(-2) = 0.10499...
    assert numbers["max sigma'"] == "0.25"


@pytest.mark.parametrize("z", ["3", "-3.5", "2"])
def test_the_chapter_never_answers_problem_1(render_chapter, z):
    """The sigmoid chapter comes before practice problem 1: whatever problem1.z is, its ledger holds
    no sigma' (nor share of the peak) at that z or near it, and its voice says neither."""
    data = render_chapter("sigmoid_curves", "SigmoidCurves", params.load(None, [f"problem1.z={z}"]))
    assert recompute_ledger(data["ledger"]) == []
    problem = abs(float(z))
    e = math.exp(-problem)
    answer = e / (1 + e) ** 2
    for row in data["ledger"]:
        if row["func"].endswith(("sigmoid_prime", "percent_of_max")):
            assert abs(abs(row["args"][0]) - problem) >= 1, row
            value = row["value"] / 4 if row["func"].endswith("percent_of_max") else row["value"]
            assert abs(value / answer - 1) > 0.3, row
    numbers = {row["label"]: row["text"] for row in data["ledger"]}
    zones = " ".join(b["text"] for b in data["beats"] if b["section"] == "zones")
    if abs(problem - 3) < 1:
        # The zone's edge is too close: the chapter says where it illustrates instead.
        assert numbers["illustration z"] != "3" and f"At z = {numbers['illustration z']}, inside the zone" in zones
    assert numbers["sigma'(illustration z) / 0.25"] in zones


def frame_at(path: str, t: float) -> np.ndarray:
    with av.open(path) as clip:
        for frame in clip.decode(video=0):
            if frame.time is not None and frame.time >= t:
                return frame.to_ndarray(format="rgb24").astype(float)
    raise AssertionError(f"no frame at {t} s")


@pytest.mark.parametrize("threshold", [3.0, 2.0])
def test_zones_are_shaded_where_the_threshold_says(render_chapter, threshold):
    p = params.load(None, [f"curves.threshold={threshold}"])
    data = render_chapter("sigmoid_curves", "SigmoidCurves", p, movie=True, pixel_width=384, pixel_height=216)
    axes = data["scene_object"].axes
    start = next(s["start"] for s in data["sections"] if s["name"] == "flat means slow")
    image = frame_at(data["movie"], start + 2.0)  # after the zones flash, before the fade
    h, w, _ = image.shape

    def pixel(z: float, y: float, frame: np.ndarray = image) -> np.ndarray:
        x, yy, _ = axes.c2p(z, y)
        col = int(round((x / config.frame_width + 0.5) * w))
        row = int(round((0.5 - yy / config.frame_height) * h))
        return frame[row - 1:row + 2, col - 1:col + 2].reshape(-1, 3).mean(axis=0)

    bg = np.array([int(DARK.background[i:i + 2], 16) for i in (1, 3, 5)], float)
    sat = np.array([int(DARK.saturated[i:i + 2], 16) for i in (1, 3, 5)], float)
    shaded = bg * (1 - ZONE_OPACITY) + sat * ZONE_OPACITY
    # Between the curves' tails (both near 0 on the left, sigma near 1 on the right) at height 0.3.
    for z in (-threshold - 0.6, threshold + 0.6, -7.0):
        assert np.abs(pixel(z, 0.3) - shaded).max() < 12, z
    for z in (-threshold + 0.6, threshold - 0.6):
        assert np.abs(pixel(z, 0.3) - bg).max() < 12, z
    # Mid-pulse the zones glow, and their edges stay at +-threshold (a scaling pulse moved them).
    glow = frame_at(data["movie"], start + 0.75)
    for z in (-threshold - 0.3, threshold + 0.3):
        assert np.abs(pixel(z, 0.15, glow) - shaded).max() > 12, z  # brighter than at rest
        assert np.abs(pixel(z, 0.15, glow) - bg).max() > 30, z
    for z in (-threshold + 0.3, threshold - 0.3):
        assert np.abs(pixel(z, 0.35, glow) - bg).max() < 12, z  # between the curves
