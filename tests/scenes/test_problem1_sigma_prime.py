"""Practice problem 1: sigma'(z) against the maximum, every number from sigsat_math."""

from __future__ import annotations

import math

import av
import pytest

from sigsat_math import params
from tests.conftest import recompute_ledger, shown

pytestmark = pytest.mark.slow



def test_default_numbers_are_the_exact_ones(render_chapter):
    data = render_chapter("problem1_sigma_prime", "Problem1SigmaPrime")
    assert recompute_ledger(data["ledger"]) == []
    numbers = shown(data)
    # Exact values (seeds/README.md), not the lesson's rounded-factor 0.0067.
    assert numbers["sigma'(z)"] == "0.00665"
    assert numbers["sigma(z)"] == "0.9933"
    assert numbers["e^-z"] == "0.006738"
    assert numbers["1 - sigma(z)"] == "0.006693"
    assert numbers["sigma'(z) / 0.25 in percent"] == "2.66 %"
    assert numbers["sigma'(z) from rounded factors (the lesson's working)"] == "0.0067"
    assert all(section["layout"] == [] for section in data["sections"])
    assert "2.66 %" in data["cues"][-1]["text"]


def test_another_z_changes_every_dependent_number(render_chapter):
    default = shown(render_chapter("problem1_sigma_prime", "Problem1SigmaPrime"))
    data = render_chapter("problem1_sigma_prime", "Problem1SigmaPrime", params.load(None, ["problem1.z=4"]))
    assert recompute_ledger(data["ledger"]) == []
    numbers = shown(data)
    s4 = 1 / (1 + math.exp(-4))
    assert numbers["sigma'(z)"] == "0.0177" == f"{s4 * (1 - s4):.3}"
    assert numbers["sigma'(z) / 0.25 in percent"] == "7.07 %"
    unchanged = {label for label in numbers if numbers[label] == default[label]}
    assert unchanged == {"max sigma'"}
    assert all(section["layout"] == [] for section in data["sections"])


def test_a_z_outside_the_zones_is_not_called_saturated(render_chapter):
    data = render_chapter("problem1_sigma_prime", "Problem1SigmaPrime", params.load(None, ["problem1.z=1"]))
    assert "extremely slow" not in data["cues"][-1]["text"]
    assert "outside the saturated zones" in data["cues"][-1]["text"]


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
