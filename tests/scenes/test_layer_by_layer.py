"""Layer by layer: sigma'(z) multiplied at every layer, the 0.25 bound, ReLU beside it, depth plot."""

from __future__ import annotations

import math
import re

import pytest

from scenes import layer_by_layer
from sigsat_math import params
from tests.conftest import assert_paced_by_the_voice, recompute_ledger, said, shown
from tests.scenes.mark_check import watching

LAYER_BY_LAYER = layer_by_layer.LayerByLayer

pytestmark = pytest.mark.slow


def render(render_chapter, monkeypatch, *overrides):
    # The chapter runs watched: its bars are checked inside every animation (mark_check).
    monkeypatch.setattr(layer_by_layer, "LayerByLayer", watching(LAYER_BY_LAYER, panel_bars))
    return render_chapter("layer_by_layer", "LayerByLayer", params.load(None, list(overrides)))


def panel_bars(scene):
    """(bar, axis, Quantity) of every bar panel the scene has made so far."""
    for name in ("left", "sig_panel", "relu_panel"):
        panel = getattr(scene, name, None)
        if panel is not None:
            yield from ((bar, panel.axis, q) for bar, q in zip(panel.bars, panel.chain, strict=True))


def check_watch(scene):
    found = scene.findings
    assert found.problems == []
    assert found.checks > 200
    # The emphasis of layer 1's bar (recoloured, outlined) was drawn and its bars found in the pixels.
    assert found.emphasis_frames >= 1 and found.pixel_checks >= 7


def sigma_prime(z):
    s = 1 / (1 + math.exp(-z))
    return s * (1 - s)


def layout_clean(data):
    return {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}


def check_default(data):
    assert recompute_ledger(data["ledger"]) == []
    assert layout_clean(data)
    numbers = shown(data)
    f = sigma_prime(1.0)
    assert numbers["sigma'(z) per layer"] == "0.197" == f"{f:.3}"
    assert numbers["weight on every link"] == "1"
    assert numbers["sigmoid: factor per link"] == "0.197"  # |w| sigma'(z) with w = 1
    assert numbers["sigmoid: gradient reaching layer 6"] == "0.197"
    assert numbers["sigmoid: gradient reaching layer 1"] == "5.78 × 10⁻⁵"
    assert f"{f**6:.2e}" == "5.78e-05"
    assert numbers["best case after 6 layers"] == "0.000244"  # (1 x 0.25)^6 = 0.000244140625
    assert numbers["largest weight that must shrink"] == "4"  # 1 / 0.25
    assert numbers["ReLU: gradient reaching layer 1"] == "1"
    # The voice says how many times smaller layer 1's gradient is, a whole number the ear takes in.
    assert numbers["sigmoid: times smaller at layer 1"] == "17300" == f"{round(1 / f**6, -2):.0f}"
    assert "about twenty thousand times smaller" in said(data, "pulse")
    # One factor per link all through: the depth plot's line is the stack's own 0.197, not another.
    assert numbers["gradient after 6 layers"] == numbers["sigmoid: gradient reaching layer 1"]
    assert [s["name"] for s in data["sections"]] == ["stack", "pulse", "best case", "ReLU beside it", "depth",
                                                     "takeaway"]
    assert all(any(c["section"] == s["name"] for c in data["cues"]) for s in data["sections"])
    assert_paced_by_the_voice(data)

    scene = data["scene_object"]
    check_watch(scene)
    # The weight is in the picture: one label per link, midway between the slopes of the layers it
    # joins (the stack itself has since moved into the narrow panel), and in the narration.
    weights, slopes = scene.weights, scene.slopes
    assert len(weights) == len(slopes) == 6
    for k, label in enumerate(weights):
        assert label.tex_string == r"\times 1"
        assert label.get_top()[1] < slopes[k].get_bottom()[1]
        if k < 5:
            assert label.get_x() == pytest.approx((slopes[k].get_x() + slopes[k + 1].get_x()) / 2, abs=1e-6)
    stack_text = said(data, "stack")
    assert "weight" in stack_text and "W transpose delta" in stack_text
    bound_text = said(data, "best case")
    # The bound holds for every z once |w| < 4, and the voice says which weights.
    assert "smaller than 4" in bound_text and "whatever z is" in bound_text
    # The depth plot counts layers with n; L is the loss node only.
    plot_tex = " ".join(m.tex_string for m in scene.plot.get_family() if hasattr(m, "tex_string"))
    plot_text = " ".join(m.text for m in scene.plot.get_family() if hasattr(m, "text") and isinstance(m.text, str))
    assert "^{n}" in plot_tex and "n,layerspassedbackward" in plot_text
    assert not re.search(r"(?<![A-Za-z\\])L(?![A-Za-z])", plot_tex + " " + plot_text)

    # The bars stand on the log axis at the height of the gradient each layer receives.
    for panel, factor in ((scene.sig_panel, f), (scene.relu_panel, 1.0)):
        axis = panel.axis
        assert len(panel.bars) == 7
        for k, bar in enumerate(panel.bars):  # column k = layer k + 1; the last column is the loss
            expected = factor ** (6 - k)
            assert bar.get_top()[1] == pytest.approx(axis.y_for(expected), abs=2e-3)
        for exponent, label in axis.ticks.items():
            assert label.get_y() == pytest.approx(axis.y_for(10.0**exponent), abs=1e-6)
    # On a log scale each sigmoid layer is the same step down: log10(1 / sigma'(z)) decades.
    bars, axis = scene.sig_panel.bars, scene.sig_panel.axis
    decade = axis.y_for(1.0) - axis.y_for(0.1)
    steps = [bars[k + 1].get_top()[1] - bars[k].get_top()[1] for k in range(6)]
    assert steps == pytest.approx([decade * math.log10(1 / f)] * 6, abs=2e-3)
    return numbers


def check_deep(data):
    assert recompute_ledger(data["ledger"]) == []
    assert layout_clean(data)  # ten layers and the smallest factor: the widest numbers
    numbers = shown(data)
    f, w = sigma_prime(-8), 2.5
    assert numbers["sigma'(z) per layer"] == f"{f:.3}" == "0.000335"
    assert numbers["sigmoid: factor per link"] == f"{w * f:.3}" == "0.000838"
    assert numbers["sigmoid: gradient reaching layer 1"] == "1.71 × 10⁻³¹"
    assert f"{(w * f)**10:.3g}" == "1.71e-31"
    # An active ReLU unit has z > 0, whatever the sign of the sigmoid's z; the weight is all it meets.
    assert numbers["ReLU: factor per link"] == "2.5"
    assert numbers["ReLU: gradient reaching layer 1"] == "9540" and round(w**10, -1) == 9540
    assert numbers["best case after 10 layers"] == f"{(w / 4) ** 10:.3}" == "0.00909"
    scene = data["scene_object"]
    check_watch(scene)
    # ReLU's gradient grows with weights above 1: its scale reaches above 1 to hold it.
    assert scene.relu_panel.axis.hi >= 4
    assert scene.relu_panel.bars[0].get_top()[1] == pytest.approx(scene.relu_panel.axis.y_for(w**10), abs=2e-3)
    assert len(scene.sig_panel.bars) == 11
    assert "10 sigmoid layers" in said(data)
    return numbers


def test_default_and_a_deep_saturated_stack(render_chapter, monkeypatch):
    # Two renders in one test: the second is compared with the first, row by row.
    default = check_default(render(render_chapter, monkeypatch))
    deep = check_deep(render(render_chapter, monkeypatch, "layers.count=10", "layers.z=-8", "layers.weight=2.5"))
    common = set(default) & set(deep)
    changed = {label for label in common if deep[label] != default[label]}
    per_link = {"sigmoid: factor per link", "ReLU: factor per link", "sigmoid: largest factor per link"}
    assert changed == {"layers", "z at every layer", "weight on every link", "sigma'(z) per layer"} | per_link | {
        f"{name}: gradient reaching layer {k}" for k in range(1, 7) for name in ("sigmoid", "ReLU")} | {
        f"best case after {m} layers" for m in range(1, 7)} - {"best case after 0 layers"} | {
        "sigmoid: times smaller at layer 1"}
    # What depends on neither z, the weight nor the count stays: the bound on sigma', the limit.
    assert {"max sigma'", "largest weight that must shrink", "gradient leaving the loss"} <= common - changed
    assert set(deep) - set(default) >= {f"sigmoid: gradient reaching layer {k}" for k in range(7, 11)}
