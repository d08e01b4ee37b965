"""ReLU, the dead unit, the variants and problem 3: numbers from sigsat_math, curves as computed."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest

from sigsat_math import (
    PERCENT,
    SIG3,
    ExperimentConfig,
    TrainingConfig,
    activation,
    loss_curve,
    quietest_unit,
    unit_median_z,
    unit_preactivations,
)
from tests.conftest import recompute_ledger, said, shown
from tests.scenes.curve_check import drawn_points, worst_miss, z_extent
from tests.scenes.emphasis_check import ink_over_time, record_emphasis

pytestmark = pytest.mark.slow
SECTIONS = ["relu", "dying", "inactive, not dead", "variants", "problem 3", "pause and try", "answer 3", "the catch"]
DEFAULTS_EXPERIMENT = ExperimentConfig("relu", 10, 64, "xavier", 0, 128)
CHAPTER = ("relu_and_variants", "ReluAndVariants")
OTHER = ["variants.leaky_alpha=0.3", "variants.elu_alpha=2", "curves.z_max=6", "experiment.depth=2"]


def gelu_slope(z: float) -> float:
    """Phi(z) + z phi(z), written out with math.erf (independent of sigsat_math's erfc form)."""
    return 0.5 * (1 + math.erf(z / math.sqrt(2))) + z * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def gelu_slope_root() -> float:
    """Where gelu_slope changes sign between -2 and -0.1, by plain bisection."""
    lo, hi = -2.0, -0.1
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if gelu_slope(mid) < 0 else (lo, mid)
    return (lo + hi) / 2


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
    # What each variant keeps below zero: ELU's slope at the plots' left end, where GELU's turns negative.
    assert n["left end of the variant plots"] == "\u22124"
    assert n["ELU'(left end)"] == SIG3.text(math.exp(-4.0))
    assert n["GELU' = 0 at"] == SIG3.text(gelu_slope_root()) == "\u22120.752"
    assert [s["name"] for s in data["sections"]] == SECTIONS
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    assert {c["section"] for c in data["cues"]} == set(SECTIONS)
    assert n["dead units"] in said(data)


def expected_curves(leaky: float, elu: float) -> dict:
    """Curve name -> (its sigsat_math function with the parameters' alpha, the z of its jumps)."""
    return {"relu": (activation("relu")[0], (0.0,)), "relu_prime": (activation("relu")[1], (0.0,)),
            "leaky_relu": (partial(activation("leaky_relu")[0], alpha=leaky), (0.0,)),
            "leaky_relu_prime": (partial(activation("leaky_relu")[1], alpha=leaky), (0.0,)),
            "elu": (partial(activation("elu")[0], alpha=elu), ()),
            "elu_prime": (partial(activation("elu")[1], alpha=elu), (0.0,) if elu != 1 else ()),
            "gelu": (activation("gelu")[0], ()), "gelu_prime": (activation("gelu")[1], ())}


def check_curves(data, leaky: float, elu: float, z_max: float) -> None:
    scene = data["scene_object"]
    expected = expected_curves(leaky, elu)
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
                         "sigmoid zero share", "ReLU'(typical z)", "GELU' = 0 at", "training steps"}
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}


def test_a_network_without_dead_units_shows_the_nearest_one(render_once):
    data = render_once(*CHAPTER, OTHER)  # two layers: no unit is dead there
    n = shown(data)
    assert n["dead units"] == PERCENT.text(0.0)
    assert not n["quietest unit: largest z"].startswith("\u2212")
    dying = said(data, "dying")
    assert "mostly negative" in dying and "close to inactive" in dying


def test_the_narration_says_what_was_measured_and_what_each_variant_keeps(render_once):
    data = render_once(*CHAPTER)
    n = shown(data)
    everything = said(data).lower()
    for overclaim in ("stays dead", "before training even starts", "so no unit can die", "dead before",
                      "like a real neuron", "attention", "slope below zero"):
        assert overclaim not in everything
    # The initialisation ReLU runs with is said where its unit is shown.
    assert "xavier initialisation like the sigmoid one" in said(data, "dying").lower()
    assert f"all {n['batch']} examples of this batch" in said(data, "dying")
    revive = said(data, "inactive, not dead")
    assert "change as those layers learn" in revive
    assert "dead for good only if it stays inactive on every input" in revive
    assert n["dead units"] in revive
    variants = said(data, "variants")
    assert "no Leaky ReLU unit can die" in variants
    left, elu_end, root = n["left end of the variant plots"], n["ELU'(left end)"], n["GELU' = 0 at"]
    assert "a small slope for negative inputs" in variants
    # ELU's fading slope is shown at the plots' left end (the screen's number), and said in words.
    assert "fades as z goes down" in variants and elu_end not in variants
    facts = "".join(m.tex_string for m in data["scene_object"].panels if hasattr(m, "tex_string"))
    assert left.replace("\u2212", "-") in facts and elu_end in facts
    assert f"below z = {root} it is even negative" in variants
    # Problem 3 does not read again what the chapter said before it: sigma' at the threshold is said once (in
    # the first beat), the measured ratios and losses stay on the screen of reason five.
    answer = [b["text"] for b in data["beats"] if b["section"] == "answer 3"]
    assert said(data).count(n["sigma'(threshold)"]) == 1 and n["sigma'(threshold)"] in said(data, "relu")
    assert not any(ch.isdigit() for ch in answer[5])
    assert "faster convergence, as measured here" in answer[5]


def test_problem3_holds_its_question_then_answers_with_a_picture_per_reason(render_once):
    data = render_once(*CHAPTER)
    sections = {s["name"]: s for s in data["sections"]}
    names = [s["name"] for s in data["sections"]]
    assert names.index("problem 3") + 1 == names.index("pause and try") == names.index("answer 3") - 1
    assert sections["pause and try"]["end"] - sections["pause and try"]["start"] >= 8
    scene = data["scene_object"]
    rows = scene.table[0]
    assert len(rows) == 5
    for row in rows:  # claim, picture, evidence: the picture has something drawn and some size
        picture = row[1]
        assert picture.width > 1.0 and picture.height > 0.4
        assert sum(len(m.points) for m in picture.family_members_with_points()) > 20
    pair, _, sparse, _, loss = scene.reason_icons
    assert worst_miss(pair.curves["sigmoid"], pair.axes, activation("sigmoid")[1]) < 1e-3
    assert worst_miss(pair.curves["relu"], pair.axes, activation("relu")[1], (0.0,)) < 1e-3
    expected = np.array([unit_preactivations(DEFAULTS_EXPERIMENT, 1, j)[:16] for j in range(1, 9)]) > 0
    filled = np.array([c.get_fill_opacity() > 0.5 for c in sparse.cells]).reshape(expected.shape)
    assert (filled == expected).all() and 0 < expected.mean() < 1
    for curve, act in zip(loss.curves, ("sigmoid", "relu"), strict=True):
        steps, losses = drawn_points(curve, loss.axes)
        want = loss_curve(TrainingConfig(act))
        # Anchors at every step, handles on the straight pieces between them.
        assert np.allclose(losses, np.interp(steps, np.arange(len(want)), want), atol=1e-9)
        assert steps.min() == pytest.approx(0, abs=1e-9) and steps.max() == pytest.approx(len(want) - 1, abs=1e-9)


def test_negative_z_labels_stay_apart(render_once):
    for data in (render_once(*CHAPTER), render_once(*CHAPTER, OTHER)):
        for axes in (data["scene_object"].pair.top, data["scene_object"].pair.low):
            labels = sorted(axes.x_axis.numbers, key=lambda m: m.get_x())
            gaps = [b.get_left()[0] - a.get_right()[0] for a, b in zip(labels, labels[1:], strict=False)]
            assert len(labels) >= 4 and min(gaps) > 0.15


def test_emphasis_keeps_sizes_and_no_frame_is_empty_between_beats(render_chapter, monkeypatch):
    def curves_on_their_functions(scene) -> None:
        # At the peak of every emphasis, each curve on screen still lies on its function, through its axes.
        shown_now = set(scene.get_mobject_family_members())
        for name, (f, kinks) in expected_curves(0.1, 1.0).items():
            if scene.curves.get(name) in shown_now:
                assert worst_miss(scene.curves[name], scene.curve_axes[name], f, kinks) < 1e-3, name

    found = record_emphasis(monkeypatch, curves_on_their_functions)
    data = render_chapter(*CHAPTER, movie=True)
    assert len(found) >= 2
    for e in found:
        assert e["peak"] == pytest.approx(e["before"], abs=1e-6), e
    first, last = data["sections"][0], data["sections"][-1]
    inks = ink_over_time(data["movie"], first["start"] + 1.6, last["end"] - 1.2)
    assert len(inks) > 100
    assert [t for t, ink in inks if ink < 0.002] == []
