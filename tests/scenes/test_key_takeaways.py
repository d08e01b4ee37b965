"""The five takeaways: every number from sigsat_math, each icon's curve the function it recalls."""

from __future__ import annotations

from functools import partial

import pytest

from scenes.widgets.bars import bar_height
from sigsat_math import AUTO, ExperimentConfig, activation, first_over_last
from tests.conftest import recompute_ledger, said, shown
from tests.scenes.curve_check import worst_miss, z_extent
from tests.scenes.emphasis_check import record_emphasis

pytestmark = pytest.mark.slow
SECTIONS = ["saturates", "peak", "vanishing", "relu slope", "modern networks", "closing"]
CHAPTER = ("key_takeaways", "KeyTakeaways")
OTHER = ["curves.z_max=12", "experiment.depth=5", "variants.leaky_alpha=0.3", "variants.elu_alpha=2",
         "lesson.title=Vanishing Gradients", "lesson.author=A. N. Other", "lesson.year=2031",
         "lesson.goal=See why a deep network stops learning when its sigmoid units saturate, measure how the "
         "gradient shrinks from layer to layer, and learn which activations to use in hidden layers instead."]


def test_numbers_layout_and_captions(render_once):
    data = render_once(*CHAPTER)
    assert recompute_ledger(data["ledger"]) == []
    n = shown(data)
    assert n["max sigma'"] == "0.25" and n["sigma(0)"] == "0.5"
    # Takeaway 1's saturated point is practice problem 1's z, worked earlier, not a new number.
    assert n["problem 1's z"] == "5" and n["sigma'(problem 1's z)"] == "0.00665"  # sigma(5) sigma(-5)
    assert "0.000335" not in n.values()
    # The ear gets the measured ratio's magnitude, the screen its exact value.
    vanishing = said(data, "vanishing")
    assert "about two parts in a million" in vanishing and "2.26" not in vanishing
    assert n["sigmoid first/last layer gradient"] == "2.26 × 10⁻⁶"
    assert n["depth"] == "10" and n["year"] == "2025"
    assert n["sigmoid first/last layer gradient"] == AUTO.text(
        first_over_last(ExperimentConfig("sigmoid", 10, 64, "xavier", 0, 128)))
    assert [s["name"] for s in data["sections"]] == SECTIONS
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    assert {c["section"] for c in data["cues"]} == set(SECTIONS)
    # The takeaway's 0.25 is the computed peak, on screen and in the narration.
    rows = data["scene_object"].rows
    assert rows[1][2][0].text.replace(" ", "").endswith("0.25")
    assert "0.25" in said(data, "peak")


def check_icons(data, z_max: float, leaky: float, elu: float) -> None:
    scene = data["scene_object"]
    sig, relu = activation("sigmoid"), activation("relu")
    expected = {"sigmoid": (sig[0], z_max), "sigmoid_prime": (sig[1], z_max), "relu": (relu[0], z_max),
                "relu_small": (relu[0], z_max / 2),
                "leaky_relu": (partial(activation("leaky_relu")[0], alpha=leaky), z_max / 2),
                "elu": (partial(activation("elu")[0], alpha=elu), z_max / 2),
                "gelu": (activation("gelu")[0], z_max / 2)}
    assert set(scene.curves) == set(expected)
    for name, (f, reach) in expected.items():
        curve, axes = scene.curves[name], scene.curve_axes[name]
        assert worst_miss(curve, axes, f) < 1e-3, name
        lo, hi = z_extent(curve, axes)
        assert lo == pytest.approx(-reach, abs=1e-6) and hi == pytest.approx(reach, abs=1e-6), name


def test_icons_are_the_functions_they_recall(render_once):
    check_icons(render_once(*CHAPTER), 8.0, 0.1, 1.0)
    check_icons(render_once(*CHAPTER, OTHER), 12.0, 0.3, 2.0)
    with pytest.raises(AssertionError):
        check_icons(render_once(*CHAPTER), 8.0, 0.01, 1.0)


def test_other_parameters_change_only_what_depends_on_them(render_once):
    default = shown(render_once(*CHAPTER))
    data = render_once(*CHAPTER, OTHER)
    assert recompute_ledger(data["ledger"]) == []
    n = shown(data)
    assert n["depth"] == "5" and n["year"] == "2031"
    unchanged = {label for label in n if n[label] == default[label]}
    assert unchanged == {"max sigma'", "sigma(0)", "problem 1's z", "sigma'(problem 1's z)"}
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    assert "Vanishing Gradients" in said(data) and "A. N. Other" in said(data)


@pytest.mark.parametrize("overrides", [(), tuple(OTHER)], ids=["defaults", "other"])
def test_the_closing_card_has_room_under_the_takeaways(render_once, overrides):
    data = render_once(*CHAPTER, overrides)
    scene = data["scene_object"]
    card, rows = scene.card, scene.rows
    assert card.get_top()[1] <= rows.get_bottom()[1] - 0.5  # clear of the shrunken takeaways
    assert rows.get_top()[1] <= 4 - 0.25 and card.get_bottom()[1] >= -4 + 0.25
    assert card.width <= 12.5 + 1e-6
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}


def test_emphasis_never_scales_and_the_bars_keep_their_measured_heights(render_chapter, monkeypatch):
    def bars_to_scale(scene) -> None:
        # At the peak of every emphasis, each bar on screen stands on the baseline as tall as its norm.
        bars = getattr(scene, "bars", None)
        if bars is None or bars.bars[0] not in scene.get_mobject_family_members():
            return
        norms, height, floor = scene.bar_scale
        base = bars[0].get_y()
        for bar, norm in zip(bars.bars, norms, strict=True):
            assert bar.height == pytest.approx(max(bar_height(norm, max(norms), height, floor), 0.02), abs=1e-6)
            assert bar.get_bottom()[1] == pytest.approx(base, abs=1e-6)
        checked.append(scene.marks[-1].name)

    checked: list[str] = []
    found = record_emphasis(monkeypatch, bars_to_scale)
    render_chapter(*CHAPTER)
    assert "vanishing" in checked
    for e in found:
        assert e["peak"] == pytest.approx(e["before"], abs=1e-6), e


def test_takeaway_one_follows_problem_one(render_once):
    """Takeaway 1 recalls sigma' at practice problem 1's z, whatever that z is."""
    for z, shown_z, value in (("4", "4", "0.0177"), ("-6", "−6", "0.00247")):
        data = render_once(*CHAPTER, [f"problem1.z={z}"])
        assert recompute_ledger(data["ledger"]) == []
        n = shown(data)
        assert n["problem 1's z"] == shown_z and n["sigma'(problem 1's z)"] == value
        row = data["scene_object"].rows[0][2][1]
        assert value in row.tex_string
