"""Practice problem 1: sigma'(z) against the maximum, every number from sigsat_math."""

from __future__ import annotations

import math
from decimal import Decimal

import av
import pytest

from sigsat_math import Display, params
from tests.conftest import recompute_ledger, said, shown

pytestmark = pytest.mark.slow

SECTIONS = ["question", "pause and try", "sigma", "derivative", "ratio", "picture", "conclusion"]


def check_equations_hold(data):
    """Each worked line, recomputed from the numbers as the viewer reads them, rounds to the number
    it ends on: 1/(1 + e^-z), e^-z/(1 + e^-z), sigma (1 - sigma), sigma' / 0.25."""
    rows = {row["label"]: row for row in data["ledger"]}

    def read(label):
        return Decimal(rows[label]["text"].replace("\u2212", "-"))

    def rounds_to(label, value):
        style = rows[label]["style"]
        return Display(style["kind"], style["digits"]).text(float(value)) == rows[label]["text"]

    e, s, c, g = read("e^-z"), read("sigma(z)"), read("1 - sigma(z)"), read("sigma'(z)")
    assert rounds_to("sigma(z)", 1 / (1 + e))
    assert rounds_to("1 - sigma(z)", e / (1 + e))
    assert rounds_to("sigma'(z)", s * c)
    assert rounds_to("sigma'(z) / 0.25", g / read("max sigma'"))
    assert rows["sigma'(z) / 0.25"]["style"]["digits"] < rows["sigma'(z)"]["style"]["digits"]


def check_pause(data):
    pause = next(s for s in data["sections"] if s["name"] == "pause and try")
    assert pause["end"] - pause["start"] >= 8
    assert [s["name"] for s in data["sections"]] == SECTIONS



def test_default_numbers_are_the_exact_ones(render_chapter):
    data = render_chapter("problem1_sigma_prime", "Problem1SigmaPrime")
    assert recompute_ledger(data["ledger"]) == []
    numbers = shown(data)
    # Exact values (seeds/README.md), not the lesson's rounded-factor 0.0067.
    assert numbers["sigma'(z)"] == "0.006648"
    assert numbers["sigma(z)"] == "0.9933"
    assert numbers["e^-z"] == "0.006738"
    assert numbers["1 - sigma(z)"] == "0.006693"
    # 0.006648 / 0.25 = 0.026592: shown to the three figures the operands carry, not 0.02659.
    assert numbers["sigma'(z) / 0.25"] == "0.0266"
    assert numbers["sigma'(z) / 0.25 in percent"] == "2.66 %"
    assert numbers["sigma'(z) from rounded factors (the lesson's working)"] == "0.0067"
    assert all(section["layout"] == [] for section in data["sections"])
    assert "2.66 %" in said(data, "ratio")
    check_equations_hold(data)
    check_pause(data)
    # The working is said step by step, its key line (the seed's e^-5 = 0.0067) first.
    assert "e to the minus 5 is about 0.0067" in said(data, "sigma")
    assert "0.006648" in said(data, "derivative") and "0.0067" in said(data, "derivative")
    # The question stands alone: no earlier chapter answered it, and it points back to none.
    assert "ball" not in said(data, "question")


def test_another_z_changes_every_dependent_number(render_chapter):
    default = shown(render_chapter("problem1_sigma_prime", "Problem1SigmaPrime"))
    data = render_chapter("problem1_sigma_prime", "Problem1SigmaPrime", params.load(None, ["problem1.z=4"]))
    assert recompute_ledger(data["ledger"]) == []
    numbers = shown(data)
    s4 = 1 / (1 + math.exp(-4))
    # At four figures 0.01766 / 0.25 = 0.07064 would not round to the exact 0.0707: the working
    # carries six, the fewest at which every line holds.
    assert numbers["sigma'(z)"] == "0.0176627" == f"{s4 * (1 - s4):.6}"
    assert numbers["sigma'(z) / 0.25 in percent"] == "7.07 %"
    unchanged = {label for label in numbers if numbers[label] == default[label]}
    assert unchanged == {"max sigma'"}
    assert all(section["layout"] == [] for section in data["sections"])
    check_equations_hold(data)
    check_pause(data)
    question = said(data, "question")
    assert "ball" not in question  # z = 4 is not where the ball sat


def test_a_z_outside_the_zones_is_not_called_saturated(render_chapter):
    data = render_chapter("problem1_sigma_prime", "Problem1SigmaPrime", params.load(None, ["problem1.z=1"]))
    assert "extremely slow" not in said(data, data["sections"][-1]["name"])
    assert "outside the saturated zones" in said(data, data["sections"][-1]["name"])
    # Nor anywhere else: no "only", no "far down the tail".
    spoken = said(data)
    assert "far down the tail" not in spoken and "only" not in spoken.lower(), spoken


def test_the_clip_lasts_as_long_as_the_scene(render_chapter):
    data = render_chapter("problem1_sigma_prime", "Problem1SigmaPrime", movie=True)
    with av.open(data["movie"]) as clip:
        stream = clip.streams.video[0]
        seconds = float(stream.duration * stream.time_base)
        assert (stream.codec_context.width, stream.codec_context.height) == (192, 108)
    assert seconds == pytest.approx(data["duration"], abs=0.25)
    assert data["duration"] > 20


@pytest.mark.parametrize("z", ["-5", "12", "0.3"])
def test_layout_holds_across_the_range_of_z(render_chapter, z):
    data = render_chapter("problem1_sigma_prime", "Problem1SigmaPrime", params.load(None, [f"problem1.z={z}"]))
    assert {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}
    assert recompute_ledger(data["ledger"]) == []
    check_equations_hold(data)
