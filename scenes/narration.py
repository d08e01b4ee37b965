"""The voice of a chapter: each beat's lines spoken, and the beat made to last as long as the speech.

A beat's narration is written once, for the captions (numbers in their screen form, from the
ledger). `sigsat_math.speak` turns it into the words the voice reads, so voice and captions say
the same thing and both follow a parameter change. The speech comes from the lecturer's own
recording of the beat when there is one, else from the synthetic voice (Kokoro, or Piper for a
quick draft), else, for a silent draft (`--voice none`), from an estimate of how long the voice
would take; each is kept
in the speech store by its text, voice and recording, so an unchanged beat is not spoken again.
Captions are cut from the narration and timed to the speech.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sigsat_core.contract import Beat, Cue
from sigsat_core.speech.cues import flat_text, split_cues, time_cues
from sigsat_core.speech.engine import Speech, Voice, clause_starts, split_bookmarks
from sigsat_core.speech.factory import make_voice
from sigsat_core.speech.recordings import find
from sigsat_core.speech.store import SpeechStore
from sigsat_math import speak

from .context import ChapterContext

# After the voice, the picture holds this long before the next beat starts.
PAUSE = 0.6


def beat_id(name: str) -> str:
    """A beat's file-safe id from its section name: 'flat means slow' -> 'flat-means-slow'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "beat"


def spoken_form(written: str) -> str:
    """What the voice reads for a written line; bookmark tags pass through untouched."""
    parts = re.split(r"(<bookmark\s[^>]*/>)", written)
    return "".join(p if p.startswith("<bookmark") else speak(p) for p in parts)


@dataclass(frozen=True)
class Spoken:
    """A beat's speech and where it came from."""

    speech: Speech
    key: str | None  # its entry in the speech store (None: silent)
    source: Literal["kokoro", "piper", "recording", "estimate"]


class Narrator:
    """Speaks a chapter's beats with the context's voice, or the lecturer's recordings."""

    def __init__(self, context: ChapterContext, store_root: Path) -> None:
        self.context = context
        self.store = SpeechStore(store_root)
        self.voice: Voice = make_voice(context.voice)

    def speak(self, beat: str, spoken: str) -> Spoken:
        """The beat's speech: its recording, else the voice (or its estimate), via the store."""
        folder = self.context.recordings
        recording = find(folder, self.context.chapter, beat) if folder is not None else None
        speech = self.store.get_or_make(spoken, self.voice, recording)
        if recording is not None:
            return Spoken(speech, self.store.key(spoken, self.voice, recording), "recording")
        if self.context.voice.kind == "none":
            return Spoken(speech, None, "estimate")
        return Spoken(speech, self.store.key(spoken, self.voice),
                      "kokoro" if self.context.voice.kind == "kokoro" else "piper")


@dataclass
class Tracker:
    """A beat in progress: when it started and how long its speech lasts (manim-voiceover's
    `tracker`), to time animations by the voice."""

    start: float
    duration: float
    bookmarks: dict[str, float]
    now: float = 0.0  # the scene's time, kept current by the scene

    @property
    def end(self) -> float:
        """When the speech and its pause are over (scene time)."""
        return self.start + self.duration + (PAUSE if self.duration > 0 else 0.0)

    @property
    def remaining(self) -> float:
        """Seconds until the speech and its pause are over (0 when they are)."""
        return max(0.0, self.end - self.now)

    def time_until(self, mark: str) -> float:
        """Seconds from now until the voice reaches `<bookmark mark="..."/>` (0 if past)."""
        if mark not in self.bookmarks:
            raise KeyError(f"no bookmark {mark!r} in this beat (it has {sorted(self.bookmarks)})")
        return max(0.0, self.start + self.bookmarks[mark] - self.now)


def caption_cues(written: str, speech: Speech, start: float, section: str) -> list[Cue]:
    """The beat's captions: cut at sentence and clause ends, timed to the speech's anchors."""
    text, _ = split_bookmarks(written)
    pieces = split_cues(text)
    if not pieces or speech.duration <= 0:
        return []
    flat = flat_text(pieces)
    written_starts = clause_starts(flat)
    # The voice reads the same sentences and clauses (speak() keeps every punctuation mark),
    # so the n-th clause of the captions starts when the voice starts its n-th clause.
    boundaries = ([(o, t) for o, (_, t) in zip(written_starts, speech.anchors, strict=True)]
                  if len(written_starts) == len(speech.anchors) else None)
    timed = time_cues(pieces, boundaries, 0.0, speech.duration)
    return [Cue(start=start + c.start, end=start + c.end, text=c.text, section=section) for c in timed]


def beat_record(ident: str, section: str, written: str, spoken: str, start: float,
                said: Spoken | None) -> Beat:
    """The sidecar's record of a beat's narration."""
    if said is None:
        return Beat(id=ident, section=section, text=written, spoken=spoken, start=start, speech=0.0)
    timing: Literal["aligned", "estimated", "recording"] = (
        "recording" if said.source == "recording" else said.speech.timing)
    return Beat(id=ident, section=section, text=split_bookmarks(written)[0], spoken=said.speech.text,
                start=start, speech=said.speech.duration, source=said.source,
                timing=timing, audio=said.key)
