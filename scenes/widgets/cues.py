"""Cues to the viewer that are not content: the "pause and try" badge with its countdown ring."""

from __future__ import annotations

from manim import DR, PI, Arc, Circle, Rectangle, RoundedRectangle, VGroup

from .. import theme as th
from .text import color, get_text


def get_pause_badge(radius: float = 0.32) -> tuple[VGroup, Arc]:
    """A "Pause and try" badge, bottom right: a pause sign in a ring, and the words; and the
    ring (a full arc), which a countdown shrinks."""
    bars = VGroup(*(Rectangle(width=radius * 0.22, height=radius * 0.9, stroke_width=0,
                              fill_color=color("highlight"), fill_opacity=1) for _ in range(2)))
    bars.arrange(buff=radius * 0.22)
    disc = Circle(radius=radius, stroke_width=0, fill_color=color("panel"), fill_opacity=1)
    ring = Arc(radius=radius, start_angle=PI / 2, angle=-2 * PI, color=color("highlight"), stroke_width=6)
    words = get_text("Pause and try it yourself", th.SMALL_SIZE, "highlight")
    icon = VGroup(disc, ring, bars.move_to(disc))
    body = VGroup(icon, words).arrange(buff=0.25)
    panel = RoundedRectangle(corner_radius=0.15, width=body.width + 0.5, height=body.height + 0.3,
                             stroke_width=1.5, stroke_color=color("highlight"), fill_color=color("panel"),
                             fill_opacity=0.95)
    badge = VGroup(panel, body.move_to(panel)).to_corner(DR, buff=th.SAFE_MARGIN + 0.1)
    return badge, ring
