"""Chapters as manim-slides Slides: the mixin the slides worker puts in front of a chapter
(`type(name, (SigsatSlide, Chapter), {})`), so that every beat is also a slide, with the beat's
narration as its speaker notes.

manim-slides 5.7 predates manim 0.22 in three places, checked against manim-slides 5.7.0 and
manim 0.22.0 (pyproject pins manim-slides below 5.8 for this reason): `Slide.__init__` sets
`config["write_to_movie"]` and `Slide.render` sets `config["flush_cache"]`, both gone from
manim 0.22's config, and `config["max_files_cached"] = inf`, which 0.22 refuses (it takes -1).
So `__init__` and `render` are written again here, as manim-slides writes them otherwise; the
rest of manim-slides is used as it is.
"""

from __future__ import annotations

from typing import Any

from manim import Scene, config
from manim_slides.slide.base import BaseSlide
from manim_slides.slide.manim import Slide


class SigsatSlide(Slide):
    """A chapter's beats as slides."""

    # Reversed clips only serve `manim-slides present` going backwards, and cost a second
    # encode of every slide: the worker turns them on when asked.
    skip_reversing = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Slide.__init__ minus `config["write_to_movie"] = True` (manim 0.22 always writes
        # the movie when rendering video).
        BaseSlide.__init__(self, *args, **kwargs)

    def open_section(self, name: str, notes: str) -> None:
        """A new slide, its speaker notes the beat's whole narration."""
        self.next_slide(name, notes=notes)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """Slide.render for manim 0.22: keep every partial movie (-1, not inf; a chapter may
        have more than manim's default 100 animations), then save the slides."""
        saved = config.max_files_cached
        config.max_files_cached = -1
        try:
            result = Scene.render(self, *args, **kwargs)
        finally:
            config.max_files_cached = saved
        self._save_slides(use_cache=not (config.disable_caching or self.disable_caching),
                          flush_cache=self.flush_cache, skip_reversing=self.skip_reversing)
        return result
