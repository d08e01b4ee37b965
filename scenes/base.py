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
from manim.utils.exceptions import EndSceneEarlyException

from sigsat_core.contract import PAUSE_SECTION, Beat, Cue, LedgerRow, Loop, Plan, PlanSection, Section, Sidecar
from sigsat_math import AUTO, Display, Params, Quantity, quantity

from . import CHAPTERS, layout
from .context import ChapterContext, ScopedParams, activate, active
from .narration import Narrator, Tracker, beat_id, beat_record, caption_cues, spoken_form
from .theme import SAFE_MARGIN, Theme
from .upstream import ReplayRenderer


@dataclass
class LedgerEntry:
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
    rest: float | None = None  # the end of its last animation that left something on screen


def _leaves_something(animation: Any) -> bool:
    """Whether an animation ends with something new on screen: not a wait, not a removal (a
    closing fade), not a group of those."""
    from manim import Animation, AnimationGroup, Wait

    if not isinstance(animation, Animation):
        return True  # `mobject.animate` and the like: a change
    if isinstance(animation, Wait) or animation.remover:
        return False
    if isinstance(animation, AnimationGroup):
        return any(_leaves_something(a) for a in animation.animations)
    return True


class ChapterScene(Scene):
    """A chapter of the lecture: one Scene, parameters from `reads`, a ledger, captions."""

    reads: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, context: ChapterContext | None = None, **kwargs: Any) -> None:
        self.context = context or active()
        kwargs.setdefault("renderer", ReplayRenderer())
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
        self._params = self.context.params
        self.theme: Theme = self.context.theme
        # What each section reads (index: beats so far; the frames before the first beat are
        # section 0's): a part of the chapter depends on what is read up to its end.
        self._section = 0
        self._section_reads: list[set[str]] = [{"theme"}]
        self._section_files: list[int] = [0]  # each section's first entry in partial_movie_files
        self._stopped = False
        self.p = ScopedParams(self._params, (*self.reads, "theme"), type(self).__name__,
                              seen=self._saw)
        self._enter_section(0)
        # Cairo's camera (sigsat renders with cairo; OpenGL's camera has no such attribute).
        self.camera.background_color = ManimColor(self.theme.background)  # type: ignore[union-attr]
        self.ledger: list[LedgerEntry] = []
        self.marks: list[SectionMark] = []
        self.loops: list[Loop] = []
        self.beats: list[Beat] = []
        self.cues: list[Cue] = []
        self.tracker: Tracker | None = None
        self._narrator: Narrator | None = None
        self._still: Any = None  # the current section's resting picture, when stills are asked for

    @property
    def params(self) -> Params:
        """Every parameter, unscoped: the current section counts as reading all of `reads`."""
        self._section_reads[self._section].update(self.reads)
        return self._params

    def _saw(self, key: str) -> None:
        self._section_reads[self._section].add(key)

    def _enter_section(self, index: int) -> None:
        """Draw section `index` or replay it unseen, as the context asks; past the last section
        to draw, end the render (manim's own early end, as `-n` does)."""
        if index:
            self._section_files.append(len(self.renderer.file_writer.partial_movie_files))
        draw = self.context.draw
        first, last, drawing = 0, -1, True
        if isinstance(draw, frozenset):
            first, last, drawing = min(draw, default=0), max(draw, default=-1), index in draw
        elif draw is not None:
            (first, last), drawing = draw, draw[0] <= index <= draw[1]
        over = first <= last < index
        if index and self.context.on_sections is not None:
            self.context.on_sections(self, index, over)
        if over:
            self._stopped = True
            raise EndSceneEarlyException()
        renderer = self.renderer
        if isinstance(renderer, ReplayRenderer):
            renderer.drawing = drawing

    @property
    def narrator(self) -> Narrator:
        """The chapter's voice (made when the first beat speaks: loading it takes a second)."""
        if self._narrator is None:
            root = self.context.speech_dir or Path(config.media_dir) / "sigsat" / "speech"
            self._narrator = Narrator(self.context, root)
        return self._narrator

    # Numbers
    def value(self, label: str, func: Callable[..., Any], *args: Any, style: Display = AUTO,
              pick: int | None = None) -> Quantity:
        """Compute sigsat_math's `func(*args)` (a public sigsat_math function, not its name) for the
        screen and record it in the ledger."""
        q = quantity(func, *args, style=style, pick=pick)
        self.ledger.append(LedgerEntry(label, q))
        return q

    # Storyboard
    def beat(self, name: str, *lines: str) -> Tracker:
        """Close the previous beat, then open a new section whose narration is `lines`.

        The voice speaks the lines from here; the beat lasts at least as long as the speech and
        a short pause (the next beat, or the end, waits for it). The returned tracker times
        animations by the voice: `tracker.duration`, `tracker.remaining`, `time_until(mark)`.
        """
        self._finish_beat()
        if self.marks:
            self._section += 1
            self._section_reads.append({"theme"})
        self._enter_section(self._section)
        written = " ".join(line.strip() for line in lines if line.strip())
        self.next_section(name)
        self._save_still()
        self.marks.append(SectionMark(name, self.time, []))
        self._take_still()  # what a section that adds nothing rests on: the picture it opens on
        return self._speak(beat_id(name), name, written)

    def say(self, *lines: str) -> Tracker:
        """More narration inside the current beat, from now (after what is being said ends)."""
        self.wait_for_voice()
        section = self.marks[-1].name if self.marks else ""
        count = sum(b.section == section for b in self.beats)
        return self._speak(f"{beat_id(section)}-{count + 1}", section,
                           " ".join(line.strip() for line in lines if line.strip()))

    def _speak(self, ident: str, section: str, written: str) -> Tracker:
        spoken = spoken_form(written)
        said = self.narrator.speak(ident, spoken) if written else None
        self.beats.append(beat_record(ident, section, written, spoken, self.time, said))
        if said is not None:
            self.cues.extend(caption_cues(written, said.speech, self.time, section))
        duration = said.speech.duration if said is not None else 0.0
        bookmarks = said.speech.bookmarks if said is not None else {}
        self.tracker = Tracker(self.time, duration, bookmarks, self.time)
        return self.tracker

    def wait_for_voice(self) -> None:
        """Hold the picture until the beat's speech (and its pause) is over; call it before a
        beat's closing fade, so the voice is not left talking over an emptied frame."""
        if self.tracker is None:
            return
        self.tracker.now = self.time
        remaining = self.tracker.remaining
        # Whole frames only: less than one frame left is nothing to wait for.
        if remaining >= 1 / config.frame_rate:
            self.wait(remaining)

    def end_chapter(self, *keep: Any) -> None:
        """The chapter's close: once the voice is done, everything fades but `keep` (a picture
        the next chapter opens on)."""
        from manim import FadeOut

        self.wait_for_voice()
        self.play(*(FadeOut(m) for m in self.mobjects if m not in keep))

    def _finish_beat(self) -> None:
        self.wait_for_voice()
        self._check_layout()

    def pause_and_try(self, seconds: float = 8.0, line: str = "Pause the video here, and try it yourself.") -> None:
        """A beat that holds the question on screen for `seconds` at least, with a visible cue
        (a badge whose ring empties), before the working starts."""
        from manim import FadeIn, FadeOut, Uncreate, linear

        from .widgets.cues import get_pause_badge

        self.beat(PAUSE_SECTION, line)
        badge, ring = get_pause_badge()
        self.play(FadeIn(badge, shift=0.2 * UP), run_time=0.5)
        self.play(Uncreate(ring), run_time=seconds, rate_func=linear)
        self.play(FadeOut(badge), run_time=0.5)

    def offer_loop(self, name: str, start: float, what: str, pingpong: bool = False) -> None:
        """Offer the stretch from `start` to now as a loop for other decks (`sigsat embed`)."""
        self.loops.append(Loop(name=name, start=start, length=self.time - start,
                               pingpong=pingpong, what=what))

    def layout_problems(self) -> list[str]:
        """What is wrong with the current frame's text layout (empty when all is well)."""
        return layout.problems(self.mobjects, config.frame_width, config.frame_height, SAFE_MARGIN)

    def play(self, *args: Any, **kwargs: Any) -> None:
        """Play, then check the layout of the frame the animation ends on (and note it as the
        section's resting picture, unless the animations only wait or remove)."""
        super().play(*args, **kwargs)
        if self.marks and any(_leaves_something(a) for a in args):
            self.marks[-1].rest = self.time
            self._take_still()
        self._check_layout()

    def _take_still(self) -> None:
        """Keep the current picture as the section's resting one, when the context asks for stills."""
        if self.context.stills is None:
            return
        self.renderer.update_frame(self)
        self._still = self.renderer.get_frame().copy()

    def _save_still(self) -> None:
        """Write the closing section's resting picture, `NN.png` (NN: its index, from 00)."""
        if self.context.stills is None or self._still is None or not self.marks:
            return
        from PIL import Image

        self.context.stills.mkdir(parents=True, exist_ok=True)
        Image.fromarray(self._still).convert("RGB").save(self.context.stills / f"{len(self.marks) - 1:02d}.png")
        self._still = None

    def _check_layout(self) -> None:
        # Every animation's last frame is checked, not only the section's: a beat often fades
        # its texts out at the end, and what was wrong must not fade with them.
        if self.marks and self.context.check_layout:
            found = self.marks[-1].layout
            found.extend(p for p in self.layout_problems() if p not in found)

    def sidecar(self) -> Sidecar:
        """What the scene reports: ledger, beats, captions, sections, duration, loops."""
        ends = [m.start for m in self.marks[1:]] + [self.time]
        sections = [Section(name=m.name, start=m.start, end=end, layout=m.layout, rest=m.rest)
                    for m, end in zip(self.marks, ends, strict=True)]
        reads = sorted({*self.reads, "theme"})
        return Sidecar(
            scene=type(self).__name__, title=self.title, reads=reads,
            params=self._params.subset(set(reads)), duration=self.time, sections=sections,
            beats=self.beats, cues=self.cues,
            ledger=[r.row() for r in self.ledger],
            loops=self.loops)

    def section_movies(self, first: int, last: int) -> list[str]:
        """The partial movie files manim wrote for sections `first`..`last` (the drawn ones)."""
        files = self.renderer.file_writer.partial_movie_files
        ends = [*self._section_files[1:], len(files)]
        return [f for f in files[self._section_files[first]:ends[last]] if f is not None]

    def render_plan(self) -> Plan:
        """The sections' frames and what was read up to each one's end."""
        fps = config.frame_rate
        names = [m.name for m in self.marks] or ["autocreated"]
        bounds = [0, *(round(m.start * fps) for m in self.marks[1:]), round(self.time * fps)]
        seen: set[str] = set()
        sections = []
        for i, name in enumerate(names):
            seen |= self._section_reads[i]
            sections.append(PlanSection(name=name, start=bounds[i], end=bounds[i + 1], reads=sorted(seen)))
        return Plan(scene=type(self).__name__, fps=round(fps), frames=bounds[-1], sections=sections)

    def tear_down(self) -> None:
        """Let the last beat's voice finish, check the last frame and write the sidecar (and
        the plan, when the context asks for it)."""
        if not self._stopped:
            try:
                self._finish_beat()
            except EndSceneEarlyException:  # `manim -n A,B` stopped the scene early: nothing to wait for
                pass
        self._save_still()
        path = self.context.sidecar or Path(config.media_dir) / "sigsat" / f"{type(self).__name__}.json"
        self.sidecar().write(path)
        if self.context.plan is not None:
            self.render_plan().write(self.context.plan)
        if self.context.on_sections is not None and not self._stopped:
            self.context.on_sections(self, self._section + 1, True)

    def wait_for_word(self, mark: str) -> None:
        """Hold until the voice reaches `<bookmark mark="..."/>` in the current beat's lines, so
        what plays next appears on the word that names it (at once if the voice is past it)."""
        if self.tracker is None:
            return
        self.tracker.now = self.time
        # Whole frames only, as in wait_for_voice.
        if (wait := self.tracker.time_until(mark)) >= 1 / config.frame_rate:
            self.wait(wait)
