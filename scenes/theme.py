"""Every colour, font and size the lecture uses: a dark theme (default) and a light one for slides.

Colours are from the Okabe-Ito palette, which stays distinct for the common colour-blindnesses;
the light theme uses darker shades of the same hues so that text keeps a 4.5:1 contrast on white.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import ManimColor


@dataclass(frozen=True)
class Theme:
    """One look for the whole lecture."""

    name: str
    background: str
    text: str  # body text
    muted: str  # axes, secondary labels
    sigmoid: str
    derivative: str
    relu: str
    saturated: str  # the saturated zones and everything that says "vanishing"
    ball: str
    highlight: str  # the number the eye should land on
    panel: str  # fill behind formula cards and readouts

    def color(self, role: str) -> ManimColor:
        """The manim colour of a role (`sigmoid`, `text`, ...)."""
        return ManimColor(getattr(self, role))

    def text_roles(self) -> dict[str, str]:
        """Roles whose colour is used for text, and so must contrast with the background."""
        return {
            r: getattr(self, r)
            for r in ("text", "muted", "sigmoid", "derivative", "relu", "saturated", "ball", "highlight")
        }


DARK = Theme(
    name="dark",
    background="#101820",
    text="#ECEFF4",
    muted="#9AA5B1",
    sigmoid="#56B4E9",
    derivative="#E69F00",
    relu="#009E73",
    saturated="#D55E00",
    ball="#F0E442",
    highlight="#CC79A7",
    panel="#1B2631",
)

LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    text="#1B1F24",
    muted="#5B6670",
    sigmoid="#0072B2",
    derivative="#C25400",
    relu="#006B4F",
    saturated="#6A4C93",
    ball="#3D3D3D",
    highlight="#9E3D7A",
    panel="#EEF1F4",
)

THEMES = {t.name: t for t in (DARK, LIGHT)}

# Fonts and sizes (manim units: the frame is 14.2 wide and 8 high).
FONT = "DejaVu Sans"
TITLE_SIZE = 44
HEADING_SIZE = 36
BODY_SIZE = 30
SMALL_SIZE = 24
CAPTION_SIZE = 26
TEX_SCALE = 0.9
SAFE_MARGIN = 0.25  # nothing with text comes closer to the frame's edge than this
ZONE_OPACITY = 0.18
STROKE = 5
