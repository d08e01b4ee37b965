"""Where each step of a chapter begins and comes to rest, in frames of its clip.

A step is a beat's section. Many sections end by fading their content away to clear the stage
for the next one, so a section's literal last frame is often blank or mid-fade. A step instead
ends on its *still*: the frame that shows the section complete, where the scene recorded that
the section's last animation that leaves something on screen ends (`Section.rest`; fades and
uncreates that remove, and waits, do not count). A section with no such animation rests on its
fullest hold (`media.still_index`, by ink). What lies between one step's still and the next
section's start (the closing fade) opens the next step, which so begins on the content the
previous one left; whatever a chapter animates before its first beat (a heading fading in)
opens its first step. The chapter's closing fade, after its last step's still, belongs to no
step.

A step's narration is never cut: when the voice is still speaking after the still, the step
rests on the first still after the voice ends if the picture is still there; if the chapter
emptied the stage while the voice went on, the step holds its still until the voice ends
(`hold`), and the next step starts there, so every word is heard once, over a picture.

The slides are cut at these frames and the handout shows the stills, so a slide comes to rest
on the same picture as its handout page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from sigsat_core.media import presence, probe, still_index

from .lecture import ChapterOut, ClipSection, Lecture

# A still is a hold of at least this long (seconds), or two frames at low rates.
HOLD = 0.3
# After the voice, a still that shows less than this share of the picture before it means the
# stage was emptied while the voice went on.
KEPT = 0.8


@dataclass(frozen=True)
class Step:
    """One step of a chapter, in frames of `source`: it plays [first, end), and holds frame
    end - 1 until `stop` (the narration [first, stop) goes with it)."""

    section: ClipSection
    first: int
    end: int
    fps: Fraction
    source: Path  # an opaque MP4 of the chapter (its clip, or the lecture)
    offset: int  # where the chapter starts in `source`, in frames
    stop: int = 0  # the step's end on the clip's timeline (>= end)

    @property
    def hold(self) -> int:
        """Frames the still is held after `end`, while the voice finishes."""
        return max(self.stop - self.end, 0)

    @property
    def still(self) -> int:
        """The frame the step comes to rest on (in `source`)."""
        return self.end - 1

    @property
    def frames(self) -> int:
        """How many frames the step lasts (those it plays and those it holds)."""
        return max(self.stop, self.end) - self.first

    @property
    def start_time(self) -> float:
        """Where the step starts in the chapter's clip (seconds)."""
        return float((self.first - self.offset) / self.fps)

    @property
    def end_time(self) -> float:
        """Where the step ends in the chapter's clip (seconds)."""
        return float((max(self.stop, self.end) - self.offset) / self.fps)

    @property
    def still_time(self) -> float:
        """The resting frame's time in the chapter's clip (seconds)."""
        return float((self.still - self.offset) / self.fps)


def chapter_steps(lecture: Lecture, chapter: ChapterOut, shown: np.ndarray | None = None) -> list[Step]:
    """The chapter's steps, from its opaque MP4 (`shown`: that MP4's presence, when measured)."""
    source, offset_s = lecture.opaque(chapter)
    info = probe(source)
    fps = info.fps
    offset = round(offset_s * fps)
    if shown is None:
        shown = presence(source)
    total = min(offset + round(chapter.duration * fps), len(shown))
    hold = max(2, round(HOLD * fps))
    steps: list[Step] = []
    first = offset  # the first step also plays what comes before the first beat
    for k, section in enumerate(chapter.sections):
        a = max(offset + round(section.start * fps), first)
        b = total if k == len(chapter.sections) - 1 else offset + round(section.end * fps)
        b = min(max(b, a + 1), total)
        voice = min(max(math.ceil(offset + section.speech_end * fps - 1e-6), a), b)
        if section.rest is not None:
            # The scene's own record: the frame its last animation (fades and waits aside) ends on.
            still = min(max(offset + round(section.rest * fps) - 1, a), b - 1)
        else:  # a step without an animation of its own: its fullest hold
            still = still_index(shown, a, b - 1, hold)
        if section.rest is None and still + 1 < voice:
            after = still_index(shown, voice - 1, b - 1, hold)
            if shown[after] >= KEPT * shown[still]:
                still = after
        stop = max(still + 1, voice)
        steps.append(Step(section, first, still + 1, fps, source, offset, stop))
        first = stop
    return steps


def lecture_steps(lecture: Lecture, chapters: tuple[ChapterOut, ...] | None = None) -> dict[str, list[Step]]:
    """Every chosen chapter's steps by slug, measuring each source once."""
    measured: dict[Path, np.ndarray] = {}
    out = {}
    for chapter in chapters if chapters is not None else lecture.chapters:
        source, _ = lecture.opaque(chapter)
        if source not in measured:
            measured[source] = presence(source)
        out[chapter.slug] = chapter_steps(lecture, chapter, measured[source])
    return out
