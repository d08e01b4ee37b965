"""Numbers in prose (one font with the words around them) and formulas turning into their numbers."""

from __future__ import annotations

import pytest
from manim import MathTex, Scene, Text

from scenes.theme import DARK, FONT
from scenes.widgets.text import TransformTex, get_number, get_prose, get_tex
from sigsat_math import INT, SIG3, identity, quantity, sigmoid_prime, weight_update


def hexes(mobjects):
    return [m.get_fill_color().to_hex().upper() for m in mobjects]


def test_prose_sets_its_numbers_in_the_text_font_and_colours_them():
    n = quantity(identity, 5, style=INT)
    g = quantity(sigmoid_prime, 5.0, style=SIG3)
    w = quantity(weight_update, 0.1, 0.00032)
    line = get_prose("Layer 5 of <<n>>: slope <<g>>, update <<w>>.", n=n, g=g, w=w)
    assert isinstance(line, Text) and line.family_members_with_points()
    assert not any(isinstance(m, MathTex) for m in line.get_family())
    assert line.font == FONT
    assert line.quantities == {"n": n, "g": g, "w": w}
    # The literal "5" stays text-coloured; the placeholder's 5 is the number.
    assert hexes(line[6:7]) == [DARK.text.upper()]
    assert hexes(line.numbers["n"]) == [DARK.highlight.upper()]
    assert len(line.numbers["g"]) == len("0.00665") and hexes(line.numbers["g"]) == [DARK.highlight.upper()] * 7
    # Scientific form keeps its Unicode shape: 3.2 × 10⁻⁵ (spaces are empty glyphs).
    assert "".join(line.text.split()).endswith("3.2×10⁻⁵.")


def test_prose_refuses_literal_numbers_and_unfilled_placeholders():
    with pytest.raises(TypeError):
        get_prose("slope <<g>>", g=0.25)
    with pytest.raises(KeyError):
        get_prose("slope <<g>>")
    with pytest.raises(TypeError):
        get_number(0.25)  # type: ignore[arg-type]
    q = quantity(sigmoid_prime, 5.0, style=SIG3)
    assert get_number(q).quantity is q and get_number(q).text == "0.00665"


def test_a_formula_turns_into_its_numbers_part_by_part():
    s = quantity(identity, 0.9933, style=SIG3)
    source = get_tex(r"\sigma'(5)", "=", r"\sigma(5)", r"\bigl(1 - \sigma(5)\bigr)")
    target = get_tex(r"\sigma'(5)", "=", s.tex, r"\times", "0.006693")
    anim = TransformTex(source, target, key_map={r"\sigma(5)": s.tex, r"\bigl(1 - \sigma(5)\bigr)": "0.006693"})
    # Matched and mapped parts move as one Transform; only the new x fades in.
    moved, *fades = anim.animations
    assert len(moved.mobject) == 4 and len(moved.target_mobject) == 4
    scene = Scene()
    scene.add(source)
    anim.begin()
    anim.finish()
    anim.clean_up_from_scene(scene)
    assert scene.mobjects == [target]
