"""Measured network: the bars are the experiment's gradient norms, drawn to the log scale shown."""

from __future__ import annotations

import math

import pytest

import sigsat_math
from scenes.widgets.bars import bar_height
from sigsat_math import AUTO, ExperimentConfig, params
from tests.conftest import recompute_ledger, shown

pytestmark = pytest.mark.slow


def render(render_chapter, *overrides):
    return render_chapter("measured_network", "MeasuredNetwork", params.load(None, list(overrides)))



def check_bars(scene, setup):
    """Each bar's drawn height is bar_height() of the norm measured here, on the scene's axis."""
    axis = scene.axis
    height = axis.line.get_top()[1] - axis.line.get_bottom()[1]
    for act in ("sigmoid", "relu"):
        norms = sigsat_math.measure(ExperimentConfig(act, *setup)).grad_norm
        bars = scene.bars[act]
        assert len(bars) == setup[0]
        # The scale holds every bar: its floor under the smallest norm, its top over the largest.
        assert 10.0**axis.lo < min(norms) and max(norms) <= 10.0**axis.hi
        for bar, value in zip(bars, norms, strict=True):
            expected = bar_height(float(value), 10.0**axis.hi, height, 10.0**axis.lo)
            assert bar[0].height == pytest.approx(expected, abs=1e-6)
            assert bar[0].get_bottom()[1] == pytest.approx(axis.line.get_bottom()[1], abs=1e-6)
        # The printed decades sit where the bars' scale puts them.
        for exponent, label in axis.ticks.items():
            assert label.get_y() == pytest.approx(axis.y_for(10.0**exponent), abs=1e-6)
    # From the first sigmoid bar to the last: log10(last / first) decades, the ratio measured.
    bars = scene.bars["sigmoid"]
    ratio = sigsat_math.measure(ExperimentConfig("sigmoid", *setup)).last_over_first
    per_decade = height / (axis.hi - axis.lo)
    rise = bars[-1][0].get_top()[1] - bars[0][0].get_top()[1]
    assert rise == pytest.approx(per_decade * math.log10(ratio), abs=1e-6)
    return ratio


def test_default_bars_are_the_measured_norms(render_chapter):
    data = render(render_chapter)
    assert recompute_ledger(data["ledger"]) == []
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    setup = (10, 64, "xavier", 0, 128)
    ratio = check_bars(data["scene_object"], setup)
    assert ratio > 1e4  # the lesson's claim, on the real computation: sigmoid's first layers starve
    numbers = shown(data)
    assert numbers["sigmoid: last layer over first"] == AUTO.text(ratio) == "443000"
    relu = sigsat_math.measure(ExperimentConfig("relu", *setup)).last_over_first
    assert numbers["relu: last layer over first"] == AUTO.text(relu) == "0.649"
    # What was measured is said on screen and in the narration.
    caption = data["scene_object"].caption.text
    for word in ("depth10", "width64", "Xavier", "seed0", "batch128"):
        assert word in caption
    assert "10 hidden layers of 64 units" in data["cues"][0]["text"]
    assert 40 <= data["duration"] <= 70


def test_another_network_is_measured_and_drawn(render_chapter):
    data = render(render_chapter, "experiment.depth=6", "experiment.width=32", "experiment.init=he",
                  "experiment.seed=3", "experiment.batch=64")
    assert recompute_ledger(data["ledger"]) == []
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    check_bars(data["scene_object"], (6, 32, "he", 3, 64))
    caption = data["scene_object"].caption.text
    for word in ("depth6", "width32", "He", "seed3", "batch64"):
        assert word in caption
    labels = {row["label"] for row in data["ledger"]}
    assert "sigmoid: gradient norm at layer 6" in labels and "sigmoid: gradient norm at layer 7" not in labels


def test_thirty_layers_lay_out(render_chapter):
    data = render(render_chapter, "experiment.depth=30", "experiment.width=16", "experiment.init=normal")
    assert recompute_ledger(data["ledger"]) == []
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    check_bars(data["scene_object"], (30, 16, "normal", 0, 128))
