"""Measured network: the bars are the experiment's gradient norms, drawn to the log scale shown; the
loss curves are the training run's; the readouts cover neither."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sigsat_math
from scenes import measured_network
from scenes.widgets.bars import bar_height
from sigsat_math import AUTO, PERCENT, ExperimentConfig, TrainingConfig, params
from tests.conftest import assert_paced_by_the_voice, recompute_ledger, said, shown
from tests.scenes.mark_check import watching

MEASURED_NETWORK = measured_network.MeasuredNetwork

pytestmark = pytest.mark.slow


def render(render_chapter, monkeypatch, *overrides):
    p = params.load(None, list(overrides))
    # The curves are held to runs the test makes itself, from the same parameters.
    expected = {act: sigsat_math.train(TrainingConfig.from_params(p, act)).loss for act in ("sigmoid", "relu")}

    def bars(scene):
        for act, group in getattr(scene, "bars", {}).items():
            yield from ((bar, scene.axis, q) for bar, q in zip(group, scene.norms[act], strict=True))

    def curves(scene):
        for act, line in getattr(scene, "loss_lines", {}).items():
            axes = scene.loss_axes
            finite = expected[act][: np.argmin(np.isfinite(expected[act])) or None]
            yield line, axes, np.log10(finite) - axes.lo

    monkeypatch.setattr(measured_network, "MeasuredNetwork", watching(MEASURED_NETWORK, bars, curves))
    return render_chapter("measured_network", "MeasuredNetwork", p)


def check_watch(scene, curves=True):
    found = scene.findings
    assert found.problems == []
    assert found.checks > 100
    # The emphases (first and last bars outlined, the first sigmoid bar recoloured) were drawn and the
    # bars found in the pixels at their values.
    assert found.emphasis_frames >= 3 and found.pixel_checks >= 3 * len(scene.bars["sigmoid"])


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
    # From the first sigmoid bar to the last: log10(first / last) decades down, the ratio shown.
    bars = scene.bars["sigmoid"]
    m = sigsat_math.measure(ExperimentConfig("sigmoid", *setup))
    ratio = m.grad_norm[0] / m.grad_norm[-1]
    per_decade = height / (axis.hi - axis.lo)
    drop = bars[0][0].get_top()[1] - bars[-1][0].get_top()[1]
    assert drop == pytest.approx(per_decade * math.log10(ratio), abs=1e-6)
    # The readout card stands right of every bar and every decade line: it covers none of them.
    assert scene.table.panel.get_left()[0] > max(b.get_right()[0] for g in scene.bars.values() for b in g) + 0.2
    assert scene.table.panel.get_left()[0] > axis[0].get_right()[0]
    return ratio


def cue_text(data, section):
    return said(data, section)


def test_default_bars_and_training(render_chapter, monkeypatch):
    data = render(render_chapter, monkeypatch)
    assert recompute_ledger(data["ledger"]) == []
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    scene = data["scene_object"]
    setup = (10, 64, "xavier", 0, 128)
    ratio = check_bars(scene, setup)
    check_watch(scene)
    assert ratio < 1e-4  # the lesson's claim, on the real computation: sigmoid's first layers starve
    numbers = shown(data)
    # One direction everywhere: the first layer's gradient over the last layer's.
    assert numbers["sigmoid first/last layer gradient"] == AUTO.text(ratio) == "2.26 × 10⁻⁶"
    relu = sigsat_math.measure(ExperimentConfig("relu", *setup))
    assert numbers["relu first/last layer gradient"] == AUTO.text(relu.grad_norm[0] / relu.grad_norm[-1]) == "1.54"
    assert "443000" not in said(data)
    # The ear gets the magnitude, the card the exact value; the long power of ten is never read out.
    assert "about two parts in a million of the last layer's gradient" in cue_text(data, "sigmoid bars")
    assert "2.26" not in said(data) and "10⁻⁶" not in said(data)
    assert "1.54 times the last layer's gradient" in cue_text(data, "relu bars")
    # The log scale is not misdescribed: no claim of a fixed ratio between grid lines.
    assert "ten times the one below" not in said(data) and "log scale" in cue_text(data, "the network")
    # The measured factor per layer is said to include the weights.
    assert "weights" in cue_text(data, "per layer") and numbers["sigmoid: mean factor per layer back"] == "0.236"

    # The training run: the loss before and after, recomputed here from the run's own curve.
    for act in ("sigmoid", "relu"):
        loss = sigsat_math.train(TrainingConfig(act)).loss
        assert numbers[f"{act}: loss before training"] == f"{loss[0]:.3g}"
        assert numbers[f"{act}: loss after training"] == f"{loss[-1]:.3g}"
        assert numbers[f"{act}: share of the starting loss left"] == PERCENT.text(loss[-1] / loss[0])
    relu_loss = sigsat_math.train(TrainingConfig("relu")).loss
    assert numbers["relu: steps to reach the share"] == str(int(np.argmax(relu_loss <= 0.5 * relu_loss[0])))
    # The sigmoid run never halves: no step is shown, words are.
    assert "sigmoid: steps to reach the share" not in numbers
    assert np.all(sigsat_math.train(TrainingConfig("sigmoid")).loss > 0.5 * 0.5029)
    notes = [n.tex_string for n in scene.results.notes]
    assert notes[0].startswith(r"\text{sigmoid: }\text{not down to } 50\,\% \text{ within } 200")
    assert "does not get to 50 % of its start within 200 steps" in cue_text(data, "trained")
    assert "ReLU's loss gets there at step 67" in cue_text(data, "trained")
    assert "ReLU trains, the sigmoid network stalls" in cue_text(data, "trained")
    # ReLU's run jumps above its start, and the narration says so and why.
    assert sigsat_math.peak_over_start(TrainingConfig("relu")) > 1
    assert "at times above its start" in cue_text(data, "trained")
    # The control: each activation at its best rate of the grid, numbers recomputed from runs made here.
    for k, rate in enumerate((0.02, 0.05, 0.1)):
        assert numbers[f"control rate {k + 1}"] == f"{rate:g}"
    for act in ("sigmoid", "relu"):
        ends = {r: sigsat_math.train(TrainingConfig(act, learning_rate=r)).loss for r in (0.02, 0.05, 0.1)}
        best = min(ends, key=lambda r: ends[r][-1])
        assert numbers[f"{act}: share of the starting loss left at its best rate"] == PERCENT.text(
            ends[best][-1] / ends[best][0])
    assert "At its best of 3 rates, the sigmoid network still keeps 99.4 % of its loss; ReLU keeps" in cue_text(
        data, "trained")
    # ReLU's initialisation is said, and it is the sigmoid's.
    assert "ReLU with the sigmoid's Xavier initialisation" in cue_text(data, "training")
    # What was measured and what was trained is said on screen and in the narration.
    for word in ("depth10", "width64", "Xavier", "seed0", "batch128"):
        assert word in scene.caption.text
    trained = "".join(line.text for line in scene.train_caption)
    for word in ("depth10", "width64", "128examples", "tanhteacher", "200stepsofplaingradientdescent",
                 "learningrate0.1"):
        assert word in trained
    assert "10 hidden layers of 64 units" in said(data)
    assert set(data["reads"]) >= {"training.steps", "training.learning_rate", "training.task", "training.fraction"}
    check_mechanisms(data, 3.0)
    assert_paced_by_the_voice(data)


def check_mechanisms(data, threshold):
    """The two mechanisms: the z histogram is the network's, drawn at true heights; the shares, the cap and
    sigma' at the threshold are sigsat_math's, and the beat says which mechanism this network shows."""
    scene = data["scene_object"]
    numbers = shown(data)
    p = scene.params
    net = ExperimentConfig.from_params(p.experiment, "sigmoid")
    z = sigsat_math.hidden_z(net)
    share = float(np.mean(np.abs(z) >= threshold))
    assert numbers["sigmoid: share of z past the threshold"] == PERCENT.text(share)
    assert numbers["max sigma'"] == "0.25"
    _, _, hist, *_ = scene.mechanism
    z_range = scene.z_range
    assert z_range == min(p.curves.z_max, max(8.0, threshold + 2.0))
    edges = np.linspace(-z_range, z_range, int(round(4 * z_range)) + 1)
    counts, _ = np.histogram(z, bins=edges)
    heights = np.array([bar.height for bar in hist])
    # True heights: every bar tall enough to see (the widget keeps a hairline for the nearly empty bins) in
    # proportion to its count, the fullest the tallest.
    seen = counts / counts.max() * heights.max() > 0.01
    assert seen.sum() >= 5 and np.argmax(heights) == np.argmax(counts)
    assert np.allclose(heights[seen] / heights.max(), counts[seen] / counts.max(), atol=1e-6)
    assert np.all(heights[~seen] < 0.011)
    said_here = cue_text(data, "two mechanisms")
    assert "saturation zones" in said_here and numbers["sigma'(threshold)"] in said_here
    # The cause named is the one the histogram shows: the cap where few inputs saturate, both where many do.
    if share < 0.05:
        assert "So here it is the cap" in said_here and "both" not in said_here
    else:
        assert "Here both shrink the gradient" in said_here and "So here it is the cap" not in said_here


def test_another_network_is_measured_drawn_and_trained(render_chapter, monkeypatch):
    data = render(render_chapter, monkeypatch, "experiment.depth=6", "experiment.width=32", "experiment.init=he",
                  "experiment.seed=3", "experiment.batch=64", "training.steps=40", "training.learning_rate=0.05",
                  "training.task=labels", "training.fraction=0.8")
    assert recompute_ledger(data["ledger"]) == []
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    scene = data["scene_object"]
    check_bars(scene, (6, 32, "he", 3, 64))
    check_watch(scene)
    check_mechanisms(data, 3.0)
    for word in ("depth6", "width32", "He", "seed3", "batch64"):
        assert word in scene.caption.text
    trained = "".join(line.text for line in scene.train_caption)
    assert "40stepsofplaingradientdescent" in trained and "randomtargets" in trained and "rate0.05" in trained
    labels = {row["label"] for row in data["ledger"]}
    assert "sigmoid: gradient norm at layer 6" in labels and "sigmoid: gradient norm at layer 7" not in labels
    assert shown(data)["share of the starting loss to reach"] == "80 %"


def test_thirty_layers_lay_out_and_a_diverged_run_is_said(render_chapter, monkeypatch):
    data = render(render_chapter, monkeypatch, "experiment.depth=30", "experiment.width=16",
                  "experiment.init=normal")
    assert recompute_ledger(data["ledger"]) == []
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    scene = data["scene_object"]
    check_bars(scene, (30, 16, "normal", 0, 128))
    check_watch(scene)
    check_mechanisms(data, 3.0)
    # Standard-normal weights saturate most inputs: the other mechanism, said as such.
    assert sigsat_math.saturated_share(ExperimentConfig("sigmoid", 30, 16, "normal", 0, 128), 3.0) > 0.05
    # ReLU at standard-normal init on 30 layers blows up: no end loss is shown, the step it diverged is.
    loss = sigsat_math.train(TrainingConfig.from_params(params.load(None, [
        "experiment.depth=30", "experiment.width=16", "experiment.init=normal"]), "relu")).loss
    stop = int(np.argmin(np.isfinite(loss)))
    numbers = shown(data)
    assert stop > 0 and numbers["relu: step the loss diverges"] == str(stop)
    assert "relu: loss after training" not in numbers
    assert f"diverges at step {stop}" in cue_text(data, "trained")
    # The control too: ReLU diverges at every rate of the grid here, and that is what is said and shown.
    assert "relu: share of the starting loss left at its best rate" not in numbers
    assert "ReLU diverges at every one" in cue_text(data, "trained")
