"""ReLU, the dead unit, the variants and problem 3: numbers from sigsat_math, curves as computed."""

from __future__ import annotations

import math
from functools import partial

import pytest

from sigsat_math import PERCENT, SIG3, ExperimentConfig, activation, quietest_unit, unit_median_z
from tests.conftest import recompute_ledger, shown
from tests.scenes.curve_check import worst_miss, z_extent

pytestmark = pytest.mark.slow
SECTIONS = ["relu", "dying", "variants", "problem 3", "the catch", "sigmoid still"]
DEFAULTS_EXPERIMENT = ExperimentConfig("relu", 10, 64, "xavier", 0, 128)
CHAPTER = ("relu_and_variants", "ReluAndVariants")
OTHER = ["variants.leaky_alpha=0.3", "variants.elu_alpha=2", "curves.z_max=6", "experiment.depth=2"]





def gelu_slope(z: float) -> float:
    """Phi(z) + z phi(z), written out with math.erf (independent of sigsat_math's erfc form)."""
    return 0.5 * (1 + math.erf(z / math.sqrt(2))) + z * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def test_default_numbers_layout_and_captions(render_once):
    data = render_once(*CHAPTER)
    assert recompute_ledger(data["ledger"]) == []
    n = shown(data)
    assert n["sigma'(threshold)"] == "0.0452" and n["ReLU'(threshold)"] == "1"
    assert n["Leaky ReLU alpha"] == "0.1" and n["ELU alpha"] == "1"
    assert n["quietest unit: weight gradient"] == "0"  # the dead unit's weights get nothing
    assert n["quietest unit: largest z"].startswith("\u2212")
    assert n["sigmoid zero share"] == "0 %" and n["ReLU'(typical z)"] == "0"
    # The variants' slopes at the unit's typical z, from their textbook formulas.
    e = DEFAULTS_EXPERIMENT
    layer, unit = quietest_unit(e)
    z = unit_median_z(e, layer, unit)
    assert n["Leaky ReLU'(typical z)"] == SIG3.text(0.1)
    assert n["ELU'(typical z)"] == SIG3.text(math.exp(z))
    assert n["GELU'(typical z)"] == SIG3.text(gelu_slope(z))
    assert [s["name"] for s in data["sections"]] == SECTIONS
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    assert {c["section"] for c in data["cues"]} == set(SECTIONS)
    assert any(n["dead units"] in c["text"] for c in data["cues"])


def check_curves(data, leaky: float, elu: float, z_max: float) -> None:
    scene = data["scene_object"]
    expected = {"relu": (activation("relu")[0], (0.0,)), "relu_prime": (activation("relu")[1], (0.0,)),
                "leaky_relu": (partial(activation("leaky_relu")[0], alpha=leaky), (0.0,)),
                "leaky_relu_prime": (partial(activation("leaky_relu")[1], alpha=leaky), (0.0,)),
                "elu": (partial(activation("elu")[0], alpha=elu), ()),
                "elu_prime": (partial(activation("elu")[1], alpha=elu), (0.0,) if elu != 1 else ()),
                "gelu": (activation("gelu")[0], ()), "gelu_prime": (activation("gelu")[1], ())}
    assert set(scene.curves) == set(expected)
    for name, (f, kinks) in expected.items():
        curve, axes = scene.curves[name], scene.curve_axes[name]
        assert worst_miss(curve, axes, f, kinks) < 1e-3, name
        lo, hi = z_extent(curve, axes)
        reach = z_max if name.startswith("relu") else z_max / 2
        assert lo == pytest.approx(-reach, abs=1e-6) and hi == pytest.approx(reach, abs=1e-6), name


def test_drawn_curves_are_sigsat_math_with_the_parameters_alpha(render_once):
    check_curves(render_once(*CHAPTER), 0.1, 1.0, 8.0)
    check_curves(render_once(*CHAPTER, OTHER), 0.3, 2.0, 6.0)


def test_the_check_notices_a_wrong_alpha(render_once):
    with pytest.raises(AssertionError):
        check_curves(render_once(*CHAPTER), 0.01, 1.0, 8.0)


def test_other_parameters_change_the_numbers_that_depend_on_them_only(render_once):
    default = shown(render_once(*CHAPTER))
    data = render_once(*CHAPTER, OTHER)
    assert recompute_ledger(data["ledger"]) == []
    n = shown(data)
    assert n["Leaky ReLU alpha"] == "0.3" and n["ELU alpha"] == "2"
    unchanged = {label for label in n if n[label] == default[label]}
    # Not read from the changed keys: the threshold, the batch and width, and two zeros that stay zero.
    assert unchanged == {"z at the saturation threshold", "sigma'(threshold)", "ReLU'(threshold)", "batch", "width",
                         "sigmoid zero share", "ReLU'(typical z)"}
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}


def test_a_network_without_dead_units_shows_the_nearest_one(render_once):
    data = render_once(*CHAPTER, OTHER)  # two layers: no unit is dead there
    n = shown(data)
    assert n["dead units"] == PERCENT.text(0.0)
    assert not n["quietest unit: largest z"].startswith("\u2212")
    dying = " ".join(c["text"] for c in data["cues"] if c["section"] == "dying")
    assert "mostly negative" in dying and "close to dying" in dying
