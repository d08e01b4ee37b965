"""ChapterScene: what every chapter shares, the numbers ledger, caption cues and the layout check.

A chapter subclasses ChapterScene, lists the parameters it reads in `reads`, and writes
`construct()` as a storyboard of beats: `self.beat("name", "what the narrator says")` opens a
section, and `self.value(...)` is the only way a number reaches the screen.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from manim import Scene, config

from sigsat_math import AUTO, Display, Quantity, quantity

from . import CHAPTERS, layout
from .context import ScopedParams, current_params, current_theme
from .theme import SAFE_MARGIN, Theme

ENV_SIDECAR = "SIGSAT_SIDECAR"
ENV_SLIDES = "SIGSAT_SLIDES"

# With SIGSAT_SLIDES=1 every chapter is a manim-slides Slide, and each beat is also a slide
# (with the beat's narration as its speaker notes); chosen once, at import, because a class's
# bases cannot change afterwards.
SLIDES = os.environ.get(ENV_SLIDES, "") not in ("", "0")
if SLIDES:
    from manim import ManimColor
    from manim_slides import Slide
    from manim_slides.slide.base import BaseSlide

    class _Base(Slide):  # type: ignore[misc]
        """manim-slides' Slide, made to work with manim 0.22 (manim-slides 5.7 predates it)."""

        # Reversed clips only serve `manim-slides present` going backwards, and cost a second
        # encode of every slide: made only when asked for.
        skip_reversing = os.environ.get("SIGSAT_SLIDES_REVERSED", "") in ("", "0")

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Slide.__init__ sets config["write_to_movie"], which manim 0.22 no longer has
            # (it always writes the movie when rendering video): skip that line only.
            BaseSlide.__init__(self, *args, **kwargs)

        @property
        def _background_color(self) -> str:
            # The theme sets the camera's background as a hex string, not a ManimColor.
            return ManimColor(self.camera.background_color).to_hex()

        def render(self, *args: Any, **kwargs: Any) -> Any:
            # Slide.render for manim 0.22: "keep every partial file" is -1 there, not inf, and
            # there is no flush_cache setting any more.
            saved = config.max_files_cached
            config.max_files_cached = -1
            try:
                result = Scene.render(self, *args, **kwargs)
            finally:
                config.max_files_cached = saved
            self._save_slides(use_cache=not (config.disable_caching or self.disable_caching),
                              flush_cache=self.flush_cache, skip_reversing=self.skip_reversing)
            return result
else:
    _Base = Scene


@dataclass
class Cue:
    """One caption line: what the narrator says from `start` (seconds into the clip)."""

    start: float
    text: str
    section: str


@dataclass
class Record:
    """One number on screen: what it is called in the lecture and the Quantity behind it."""

    label: str
    quantity: Quantity

    def as_json(self) -> dict[str, Any]:
        """The ledger row."""
        return {"label": self.label, **self.quantity.record()}


@dataclass
class SectionMark:
    """A section's name, its start in the clip, and the layout problems of its last frame."""

    name: str
    start: float
    layout: list[str] = field(default_factory=list)


class ChapterScene(_Base):  # type: ignore[valid-type,misc]
    """A chapter of the lecture: one Scene, parameters from `reads`, a ledger, captions."""

    reads: ClassVar[tuple[str, ...]] = ()

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
        self.params = current_params()
        self.theme: Theme = current_theme()
        self.p = ScopedParams(self.params, (*self.reads, "theme"), type(self).__name__)
        self.camera.background_color = self.theme.background
        self.ledger: list[Record] = []
        self.cues: list[Cue] = []
        self.marks: list[SectionMark] = []

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
        self._close_mark()
        if SLIDES:
            self.next_slide(name, notes="\n\n".join(lines))
        else:
            self.next_section(name)
        self.marks.append(SectionMark(name, self.time))
        for line in lines:
            self.say(line)

    def say(self, text: str) -> None:
        """A caption line from now on (a narrator's sentence)."""
        section = self.marks[-1].name if self.marks else ""
        self.cues.append(Cue(self.time, text, section))

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

    def _close_mark(self) -> None:
        self._check_layout()

    def tear_down(self) -> None:
        """Check the last frame and write the sidecar: ledger, captions, sections, duration."""
        self._close_mark()
        path = os.environ.get(ENV_SIDECAR) or str(Path(config.media_dir) / "sigsat" / f"{type(self).__name__}.json")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        data = {
            "scene": type(self).__name__,
            "title": self.title,
            "reads": sorted({*self.reads, "theme"}),
            "params": self.params.subset({*self.reads, "theme"}),
            "duration": self.time,
            "sections": [vars(m) for m in self.marks],
            "cues": [vars(c) for c in self.cues],
            "ledger": [r.as_json() for r in self.ledger],
        }
        tmp = Path(path + ".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        tmp.replace(path)
