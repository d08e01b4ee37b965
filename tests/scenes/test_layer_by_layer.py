"""Layer by layer: sigma'(z) multiplied at every layer, the 0.25 bound, ReLU beside it, depth plot."""

from __future__ import annotations

import math

import pytest

from sigsat_math import params
from tests.conftest import recompute_ledger, shown

pytestmark = pytest.mark.slow


def render(render_chapter, *overrides):
    return render_chapter("layer_by_layer", "LayerByLayer", params.load(None, list(overrides)))



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
    assert numbers["sigmoid: gradient reaching layer 6"] == "0.197"
    assert numbers["sigmoid: gradient reaching layer 1"] == "5.78 × 10⁻⁵"
    assert f"{f**6:.2e}" == "5.78e-05"
    assert numbers["best case after 6 layers"] == "0.000244"  # 0.25^6 = 0.000244140625
    assert numbers["ReLU: gradient reaching layer 1"] == "1"
    assert numbers["the lesson's per-layer gradient"] == "0.2"
    assert numbers["gradient after 6 layers"] == "6.4 × 10⁻⁵"  # 0.2^6
    assert [s["name"] for s in data["sections"]] == ["stack", "pulse", "best case", "ReLU beside it", "depth",
                                                     "takeaway"]
    assert all(any(c["section"] == s["name"] for c in data["cues"]) for s in data["sections"])
    assert 40 <= data["duration"] <= 70

    # The bars stand on the log axis at the height of the gradient each layer receives.
    scene = data["scene_object"]
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
    f = sigma_prime(-8)
    assert numbers["sigma'(z) per layer"] == f"{f:.3}" == "0.000335"
    assert numbers["sigmoid: gradient reaching layer 1"] == "1.79 × 10⁻³⁵"
    assert f"{f**10:.3g}" == "1.79e-35"
    # An active ReLU unit has z > 0, whatever the sign of the sigmoid's z.
    assert numbers["ReLU: gradient reaching layer 1"] == "1"
    assert numbers["gradient after 10 layers"] == "1 × 10⁻¹⁰"
    assert len(data["scene_object"].sig_panel.bars) == 11
    assert any("10 sigmoid layers" in c["text"] for c in data["cues"])
    return numbers


def test_default_and_a_deep_saturated_stack(render_chapter):
    # Two renders in one test: the second is compared with the first, row by row.
    default = check_default(render(render_chapter))
    deep = check_deep(render(render_chapter, "layers.count=10", "layers.z=-8", "problem2.gradient=0.1"))
    common = set(default) & set(deep)
    changed = {label for label in common if deep[label] != default[label]}
    assert changed == {"layers", "z at every layer", "sigma'(z) per layer", "the lesson's per-layer gradient"} | {
        f"sigmoid: gradient reaching layer {k}" for k in range(1, 7)}
    # What depends on neither z nor the count stays: the bound per layer, ReLU's whole gradient.
    assert {f"best case after {m} layers" for m in range(1, 7)} <= common - changed
    assert {f"ReLU: gradient reaching layer {k}" for k in range(1, 7)} <= common - changed
    assert set(deep) - set(default) >= {f"sigmoid: gradient reaching layer {k}" for k in range(7, 11)}
