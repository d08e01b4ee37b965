"""Practice problem 2: the per-layer gradient multiplied factor by factor, then one weight update."""

from __future__ import annotations

import pytest

from sigsat_math import params
from tests.conftest import assert_paced_by_the_voice, recompute_ledger, said, shown

pytestmark = pytest.mark.slow

CONCLUSION = ("Weight updates are negligible.", "The first layer cannot learn effectively.",
              "This is the vanishing gradient problem.")


def render(render_chapter, *overrides):
    return render_chapter("problem2_chain_product", "Problem2ChainProduct", params.load(None, list(overrides)))



def layout_clean(data):
    return {s["name"]: s["layout"] for s in data["sections"] if s["layout"]} == {}


def screen_tex(scene):
    """Every LaTeX string on the worked lines, joined: what the viewer reads."""
    return " ".join([*scene.total_line.tex_strings, *scene.update_line.tex_strings])


def check_chain(scene, numbers, n):
    """The picture: n layers and the loss, the factor on every link, and under layer n - k the
    product of the first k + 1 factors, so that layer 1 shows the total."""
    boxes = scene.stack.boxes
    assert len(boxes) == n and len(scene.factors) == n and len(scene.products) == n
    assert all(f.text.replace(" ", "") == "×" + numbers["gradient per layer"] for f in scene.factors)
    for k, label in enumerate(scene.products):
        assert label.quantity.text == numbers[f"product of the first {k + 1} factors"]
        box = boxes[n - 1 - k]
        assert label.get_left()[0] < box.get_x() < label.get_right()[0] and label.get_top()[1] < box.get_bottom()[1]
    for arrow, factor in zip(scene.stack.arrows, scene.factors, strict=True):
        assert abs(factor.get_x() - arrow.get_x()) < 1e-6 and factor.get_bottom()[1] > arrow.get_top()[1]


def check_pause(data):
    pause = next(s for s in data["sections"] if s["name"] == "pause and try")
    assert pause["end"] - pause["start"] >= 8


def test_the_lesson_numbers(render_chapter):
    data = render(render_chapter)
    assert recompute_ledger(data["ledger"]) == []
    assert layout_clean(data)
    numbers = shown(data)
    assert numbers["layers"] == "5" and numbers["gradient per layer"] == "0.2"
    assert [numbers[f"product of the first {k} factors"] for k in range(1, 6)] == [
        "0.2", "0.04", "0.008", "0.0016", "0.00032"]
    assert numbers["total gradient"] == "0.00032"
    assert numbers["learning rate"] == "0.1"
    # 0.1 x 0.00032 = 0.000032, below 1e-4: the auto style writes it in scientific form.
    assert numbers["weight update"] == "3.2 × 10⁻⁵"
    scene = data["scene_object"]
    tex = screen_tex(scene)
    assert "0.2^{5}" in tex and "0.00032" in tex and r"3.2 \times 10^{-5}" in tex
    check_chain(scene, numbers, 5)
    cues = " ".join(c["text"] for c in data["cues"])
    assert all(sentence in cues for sentence in CONCLUSION)
    assert [s["name"] for s in data["sections"]] == ["question", "pause and try", "chain rule", "total", "update",
                                                     "conclusion"]
    check_pause(data)
    # The running products are on the picture, not read out one by one; the key lines are said.
    chain = said(data, "chain rule")
    assert all(numbers[f"product of the first {k} factors"] not in chain for k in range(2, 6))
    assert "0.2 to the power 5 is 0.00032" in said(data, "total")
    assert "3.2 × 10⁻⁵" in said(data, "update")
    assert_paced_by_the_voice(data)


def test_eight_layers_at_a_quarter(render_chapter):
    data = render(render_chapter, "problem2.layers=8", "problem2.gradient=0.25")
    assert recompute_ledger(data["ledger"]) == []
    assert layout_clean(data)
    numbers = shown(data)
    assert numbers["layers"] == "8" and numbers["gradient per layer"] == "0.25"
    assert numbers["total gradient"] == "1.53 × 10⁻⁵" and f"{0.25**8:.3g}" == "1.53e-05"
    assert numbers["weight update"] == "1.53 × 10⁻⁶" and f"{0.1 * 0.25**8:.3g}" == "1.53e-06"
    assert numbers["product of the first 8 factors"] == numbers["total gradient"]
    assert numbers["product of the first 3 factors"] == "0.0156"
    scene = data["scene_object"]
    check_chain(scene, numbers, 8)
    assert "0.25^{8}" in screen_tex(scene)
    assert any("8 layers" in c["text"] for c in data["cues"])


    # Twelve layers (the most allowed) at a learning rate of 2: the first eight running products
    # stay, the total and the update change.
    data = render(render_chapter, "problem2.layers=12", "problem2.gradient=0.25", "problem2.learning_rate=2")
    assert recompute_ledger(data["ledger"]) == []
    assert layout_clean(data)
    longer = shown(data)
    changed = {label for label in numbers if longer[label] != numbers[label]}
    assert changed == {"layers", "total gradient", "learning rate", "weight update"}
    assert longer["total gradient"] == "5.96 × 10⁻⁸" and f"{0.25**12:.3g}" == "5.96e-08"
    assert longer["weight update"] == "1.19 × 10⁻⁷" and f"{2 * 0.25**12:.3g}" == "1.19e-07"
    check_chain(data["scene_object"], longer, 12)
