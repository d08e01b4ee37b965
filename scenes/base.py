"""ChapterScene: what every chapter shares, the numbers ledger, caption cues and the layout check.

A chapter subclasses ChapterScene, lists the parameters it reads in `reads`, and writes
`construct()` as a storyboard of beats: `self.beat("name", "what the narrator says")` opens a
section, and `self.value(...)` is the only way a number reaches the screen.

The renderer's worker passes a `ChapterContext` (`Chapter(context=...)`); manim's own CLI
makes the scene without one, and it renders the defaults (see scenes.context).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from manim import UP, ManimColor, Scene, config

from sigsat.captions import time_lines
from sigsat.contract import Beat, LedgerRow, Loop, Section, Sidecar
from sigsat_math import AUTO, Display, Quantity, quantity

from . import CHAPTERS, layout
from .context import ChapterContext, ScopedParams, activate, active
from .theme import SAFE_MARGIN, Theme


@dataclass
class Line:
    """One narration line, as the scene said it: when, what, in which section."""

    start: float
    text: str
    section: str


@dataclass
class Record:
    """One number on screen: what it is called in the lecture and the Quantity behind it."""

    label: str
    quantity: Quantity

    def row(self) -> LedgerRow:
        """The ledger row."""
        return LedgerRow(label=self.label, **self.quantity.record())


@dataclass
class SectionMark:
    """A section's name, its start in the clip, and the layout problems of its frames."""

    name: str
    start: float
    layout: list[str]


class ChapterScene(Scene):
    """A chapter of the lecture: one Scene, parameters from `reads`, a ledger, captions."""

    reads: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, context: ChapterContext | None = None, **kwargs: Any) -> None:
        self.context = context or active()
        super().__init__(*args, **kwargs)

    @classmethod
    def chapter_title(cls) -> str:
        """The title scenes.CHAPTERS lists for this class (or the nearest base class it lists):
        a chapter's title is written there only."""
        titles = {c.scene: c.title for c in CHAPTERS}
        return next((titles[k.__name__] for k in cls.__mro__ if k.__name__ in titles), "")

    @property
    def title(self) -> str:
        """The chapter's title, from scenes.CHAPTERS."""
        return self.chapter_title()

    def setup(self) -> None:
        """Pick up the parameters and theme, and start an empty ledger and caption track."""
        activate(self.context)
        self.params = self.context.params
        self.theme: Theme = self.context.theme
        self.p = ScopedParams(self.params, (*self.reads, "theme"), type(self).__name__)
        self.camera.background_color = ManimColor(self.theme.background)
        self.ledger: list[Record] = []
        self.lines: list[Line] = []
        self.marks: list[SectionMark] = []
        self.loops: list[Loop] = []

    # Numbers
    def value(self, label: str, func: Callable[..., Any], *args: Any, style: Display = AUTO,
              pick: int | None = None) -> Quantity:
        """Compute sigsat_math's `func(*args)` (a public sigsat_math function, not its name) for the
        screen and record it in the ledger."""
        q = quantity(func, *args, style=style, pick=pick)
        self.ledger.append(Record(label, q))
        return q

    # Storyboard
    def beat(self, name: str, *lines: str) -> None:
        """Close the previous beat (checking its last frame's layout) and open a new section."""
        self._check_layout()
        self.open_section(name, " ".join(lines))
        self.marks.append(SectionMark(name, self.time, []))
        for line in lines:
            self.say(line)

    def pause_and_try(self, seconds: float = 8.0, line: str = "Pause the video here, and try it yourself.") -> None:
        """A beat that holds the question on screen for `seconds` at least, with a visible cue
        (a badge whose ring empties), before the working starts."""
        from manim import FadeIn, FadeOut, Uncreate, linear

        from .widgets.cues import get_pause_badge

        self.beat("pause and try", line)
        badge = get_pause_badge()
        self.play(FadeIn(badge, shift=0.2 * UP), run_time=0.5)
        self.play(Uncreate(badge.ring), run_time=seconds, rate_func=linear)
        self.play(FadeOut(badge), run_time=0.5)

    def open_section(self, name: str, notes: str) -> None:
        """A new section of the movie (a slide, when rendered as slides)."""
        self.next_section(name)

    def say(self, text: str) -> None:
        """A caption line from now on (a narrator's sentence)."""
        section = self.marks[-1].name if self.marks else ""
        self.lines.append(Line(self.time, text, section))

    def offer_loop(self, name: str, start: float, what: str, pingpong: bool = False) -> None:
        """Offer the stretch from `start` to now as a loop for other decks (`sigsat embed`)."""
        self.loops.append(Loop(name=name, start=start, length=self.time - start,
                               pingpong=pingpong, what=what))

    def layout_problems(self) -> list[str]:
        """What is wrong with the current frame's text layout (empty when all is well)."""
        return layout.problems(self.mobjects, config.frame_width, config.frame_height, SAFE_MARGIN)

    def play(self, *args: Any, **kwargs: Any) -> None:
        """Play, then check the layout of the frame the animation ends on."""
        super().play(*args, **kwargs)
        self._check_layout()

    def _check_layout(self) -> None:
        # Every animation's last frame is checked, not only the section's: a beat often fades
        # its texts out at the end, and what was wrong must not fade with them.
        if self.marks:
            found = self.marks[-1].layout
            found.extend(p for p in self.layout_problems() if p not in found)

    def sidecar(self) -> Sidecar:
        """What the scene reports: ledger, beats, captions, sections, duration, loops."""
        ends = [m.start for m in self.marks[1:]] + [self.time]
        sections = [Section(name=m.name, start=m.start, end=end, layout=m.layout)
                    for m, end in zip(self.marks, ends, strict=True)]
        beats = [Beat(id=m.name, section=m.name,
                      text=" ".join(x.text for x in self.lines if x.section == m.name),
                      spoken=" ".join(x.text for x in self.lines if x.section == m.name),
                      start=m.start, speech=0.0)
                 for m in self.marks]
        reads = sorted({*self.reads, "theme"})
        return Sidecar(
            scene=type(self).__name__, title=self.title, reads=reads,
            params=self.params.subset(set(reads)), duration=self.time, sections=sections,
            beats=beats, cues=time_lines([(x.start, x.text, x.section) for x in self.lines], self.time),
            ledger=[r.row() for r in self.ledger],
            loops=self.loops)

    def tear_down(self) -> None:
        """Check the last frame and write the sidecar."""
        self._check_layout()
        path = self.context.sidecar or Path(config.media_dir) / "sigsat" / f"{type(self).__name__}.json"
        self.sidecar().write(path)
