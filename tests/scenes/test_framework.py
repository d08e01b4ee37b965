"""The shared scene pieces: theme contrast and colour-blind safety, numbers bound to sigsat_math,
declared parameters, the layout check, and chapter files that type no computed numbers."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import numpy as np
import pytest
from manim import RIGHT, AnimationGroup, MathTex, Text, VGroup, Wait

from scenes import CHAPTERS
from scenes.base import ChapterScene
from scenes.context import ScopedParams, UndeclaredParam
from scenes.layout import problems
from scenes.theme import THEMES
from scenes.widgets.text import NumberTex, fill
from sigsat_math import DEFAULTS, SIG3, quantity, sigmoid_prime, weight_update
from sigsat_math.params import specs

SCENES = Path(__file__).resolve().parents[2] / "scenes"


def srgb_to_linear(hex_colour: str) -> np.ndarray:
    """WCAG 2.x: sRGB channel in [0, 1] to linear light."""
    c = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    la, lb = (float(np.dot([0.2126, 0.7152, 0.0722], srgb_to_linear(c))) for c in (a, b))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_against_known_pairs():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_every_text_colour_contrasts_with_the_background(name):
    theme = THEMES[name]
    low = {
        role: round(contrast(c, theme.background), 2)
        for role, c in theme.text_roles().items()
        if contrast(c, theme.background) < 4.5
    }
    assert low == {}, f"{name}: below 4.5:1: {low}"


# Machado, Oliveira & Fernandes (2009), severity 1.0, applied in linear RGB.
CVD = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
MEANING = ("sigmoid", "derivative", "relu", "saturated", "ball", "highlight")


@pytest.mark.parametrize("name", sorted(THEMES))
@pytest.mark.parametrize("vision", sorted(CVD))
def test_meaningful_colours_stay_apart_for_colour_blind_viewers(name, vision):
    theme = THEMES[name]
    seen = {r: np.clip(CVD[vision] @ srgb_to_linear(getattr(theme, r)), 0, 1) for r in MEANING}
    for a, b in itertools.combinations(MEANING, 2):
        # Distance in linear light; 0.05 is about the step between adjacent greys 10 levels apart.
        assert np.linalg.norm(seen[a] - seen[b]) > 0.05, f"{name}/{vision}: {a} and {b} look alike"


def test_number_widgets_refuse_literals():
    with pytest.raises(TypeError):
        NumberTex(0.25)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fill(r"x = <<v>>", v="0.25")  # type: ignore[arg-type]
    q = quantity(sigmoid_prime, 5.0, style=SIG3)
    assert fill(r"\sigma'(5) = <<g>>", g=q) == r"\sigma'(5) = 0.00665"
    assert fill("<<g>> and <<g>>", "text", g=quantity(weight_update, 0.1, 0.00032)) == "3.2 × 10⁻⁵ and 3.2 × 10⁻⁵"
    with pytest.raises(KeyError):
        fill(r"<<a>> and <<b>>", a=q)
    with pytest.raises(ValueError):
        fill("<<g>>", "html", g=q)


def test_scoped_params_allow_only_declared_keys():
    p = ScopedParams(DEFAULTS, ("problem1.z",), "Chapter")
    assert p.problem1.z == DEFAULTS.problem1.z
    with pytest.raises(UndeclaredParam, match="problem2.layers"):
        _ = p.problem2.layers


def test_layout_check_finds_overlaps_and_text_outside_the_frame():
    inside = Text("inside").move_to([0, 0, 0])
    beside = MathTex("x^2").next_to(inside, buff=0.5)
    assert problems([VGroup(inside, beside)], 14.22, 8, 0.25) == []
    on_top = Text("on top").move_to(inside.get_center() + [0.3, 0.05, 0])
    found = problems([inside, on_top], 14.22, 8, 0.25)
    assert len(found) == 1 and "overlaps" in found[0]
    edge = Text("edge").move_to([6.9, 0, 0])
    assert any("leaves the safe area" in p for p in problems([edge], 14.22, 8, 0.25))
    faded = Text("gone").move_to([6.9, 0, 0]).set_opacity(0)
    assert problems([faded], 14.22, 8, 0.25) == []


def chapter_files() -> list[Path]:
    return [SCENES / f"{c.slug}.py" for c in CHAPTERS if (SCENES / f"{c.slug}.py").exists()]


# Builders whose string arguments end up on screen (captions included: they become subtitles).
SHOWN = {
    "get_text",
    "get_tex",
    "get_formula",
    "get_caption_line",
    "Text",
    "MathTex",
    "Tex",
    "MarkupText",
    "beat",
    "say",
    "get_formula_card",
    "get_prose",
}


def _has_decimal(s: str) -> bool:
    return any(s[i].isdigit() and s[i + 1] == "." and s[i + 2].isdigit() for i in range(len(s) - 2))


def _shown_strings(tree: ast.AST):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SHOWN:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            for sub in ast.walk(arg):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    yield sub.lineno, sub.value


@pytest.mark.parametrize("path", chapter_files(), ids=lambda p: p.stem)
def test_chapters_type_no_computed_numbers(path):
    """A decimal such as 0.25 or 2.7 in on-screen text is a number that should come from sigsat_math."""
    typed = [(line, s) for line, s in _shown_strings(ast.parse(path.read_text())) if _has_decimal(s)]
    assert typed == []


def test_the_scan_catches_a_typed_number():
    code = 'self.play(Write(get_text("Gradient = 0.25")))\nself.value("ratio / 0.25", f)'
    assert [s for _, s in _shown_strings(ast.parse(code)) if _has_decimal(s)] == ["Gradient = 0.25"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.slug)
def test_chapters_declare_real_parameters(chapter):
    if not (SCENES / f"{chapter.slug}.py").exists():
        pytest.skip("chapter not written yet")
    import importlib

    cls = getattr(importlib.import_module(f"scenes.{chapter.slug}"), chapter.scene)
    assert set(cls.reads) <= set(specs()), set(cls.reads) - set(specs())
    assert cls.chapter_title() == chapter.title
    assert "title" not in vars(cls)  # written once, in CHAPTERS


def test_fill_parenthesises_numbers_that_would_misread():
    from sigsat_math import identity

    minus12, tiny, five = (quantity(identity, v, style=SIG3) for v in (-12.0, 1e-9, 5.0))
    assert fill(r"e^{-<<z>>}", z=minus12) == r"e^{-(-12)}"  # not e^{--12}
    assert fill(r"e^{-<<z>>}", z=five) == r"e^{-5}"
    assert fill(r"<<g>>^{<<n>>}", g=tiny, n=five) == r"(1 \times 10^{-9})^{5}"  # no double superscript
    assert fill(r"<<g>>^{<<n>>}", g=five, n=five) == r"5^{5}"
    assert fill(r"<<z>>^2", z=minus12) == r"(-12)^2"
    assert fill("1 - <<z>>", "text", z=minus12) == "1 - (\u221212)"
    assert fill(r"<<z>> + 1", z=minus12) == r"-12 + 1"
    tex = MathTex(fill(r"<<g>>^{<<n>>} = e^{-<<z>>}", g=tiny, n=five, z=minus12))  # LaTeX takes it
    assert tex.width > 0


class _Resting(ChapterScene):
    """A step that writes, transforms, waits and fades out; one that only waits; one that
    moves a shape with `.animate` and fades part of the picture away."""

    title = "Resting"

    def construct(self) -> None:
        from manim import FadeOut, Square, Transform, Write

        self.beat("write", "")
        text = Text("sigma")
        self.play(Write(text), run_time=1)
        self.play(Transform(text, Text("sigma prime")), run_time=1)
        self.wait(1)
        self.play(FadeOut(text), run_time=1)
        self.beat("hold", "")
        self.wait(1)
        self.beat("move", "")
        square, dot = Square(), Text(".")
        self.add(square, dot)
        self.play(square.animate.shift(RIGHT), run_time=1)
        self.play(AnimationGroup(FadeOut(dot), Wait(1)), run_time=1)


def test_a_step_rests_where_its_last_animation_that_leaves_something_ends(tmp_path, tex_cache):
    from tests.conftest import render_scene

    data = render_scene(tmp_path, tex_cache, "", _Resting)
    rest = {s["name"]: s["rest"] for s in data["sections"]}
    # The transform's end, not the wait's or the closing fade's; no animation: none.
    assert rest == {"write": pytest.approx(2.0), "hold": None, "move": pytest.approx(6.0)}
