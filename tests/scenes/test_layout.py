"""The layout check beyond text: a card or table must not cover the curves and bars it describes."""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Axes, Line, VGroup

from scenes.layout import covered, problems
from scenes.widgets.bars import get_gradient_bar
from scenes.widgets.curves import plot_activation
from scenes.widgets.text import get_formula_card, get_table, get_text
from sigsat_math import SIG3, quantity, sigmoid_prime


def frame(*mobjects):
    return problems(mobjects, 14.22, 8, 0.25)


def plot():
    axes = Axes(x_range=[-6, 6, 1], y_range=[0, 1, 0.5], x_length=8, y_length=4).move_to(LEFT * 2)
    return axes, plot_activation(axes, "sigmoid", "sigmoid")


def card(text="sigma'(z) = 0.00665"):
    return get_formula_card(get_text(text, 24))


def test_a_card_drawn_over_a_curve_is_found():
    axes, curve = plot()
    over = card().move_to(axes.c2p(0, 0.5))  # the sigmoid passes through (0, 0.5)
    found = frame(axes, curve, over)
    assert len(found) == 1 and found[0].startswith("\"sigma'(z) = 0.00665\" covers a curve over x")


def test_a_card_beside_or_under_the_curve_is_fine():
    axes, curve = plot()
    # In the empty top-left of the curve's bounding box: not on the curve itself.
    corner = card("legend").scale(0.5).move_to(axes.c2p(-4.5, 0.8))
    assert corner.get_left()[0] > axes.c2p(-6, 0)[0] and curve.get_top()[1] > corner.get_bottom()[1]
    assert frame(axes, curve, corner) == []
    # A card drawn first lies under the curve: the curve shows over it (a plot on a card).
    under = card().move_to(axes.c2p(0, 0.5))
    assert frame(under, axes, curve) == []
    aside = card().next_to(axes, RIGHT, buff=0.3)
    assert frame(axes, curve, aside) == []


def test_a_table_over_bars_is_found_and_a_faded_one_is_not():
    q = quantity(sigmoid_prime, 1.0, style=SIG3)
    bars = VGroup(*(get_gradient_bar(q, 0.25, 3.0) for _ in range(3))).arrange(RIGHT, buff=0.4, aligned_edge=DOWN)
    table = get_table([("gradient", get_text("0.197", 24))]).move_to(bars.get_top() + DOWN * 0.3)
    found = frame(bars, table)
    assert found == [f"'gradient' covers 3 bars in x [{bars.get_left()[0]:.2f}, {bars.get_right()[0]:.2f}]"]
    assert frame(bars, table.copy().set_opacity(0)) == []
    assert frame(bars, table.copy().next_to(bars, UP, buff=0.2)) == []


def test_lines_and_arrows_are_not_data():
    # A rule or an axis under a card is furniture, not a curve the card hides.
    rule = Line(LEFT * 3, RIGHT * 3)
    assert covered([rule, card()]) == []
