"""How a chapter splits into parts that render in separate processes (sigsat.render).

A part is a run of whole sections (beats). Each part replays the sections before it unseen
(scenes.upstream) and draws its own, so a part costs its own drawing plus the Python of
everything before it: one part per beat would pay the chapter's Python again for nearly every
beat. Parts are therefore at least MIN_PART_SECONDS of video, cut at the first section end past
that length. The cut is made walking forwards, so where a part ends follows from its own
sections and the ones before it only, never from the number of cores or what comes after:
its key (sigsat.cache.part_key) holds what was read up to its end, and nothing later.
"""

from __future__ import annotations

from dataclasses import dataclass

from sigsat_core.contract import Plan

MIN_PART_SECONDS = 30.0


@dataclass(frozen=True)
class PartSpan:
    """Sections `first`..`last` (inclusive) of a chapter: their frames and reads."""

    first: int
    last: int
    start: int  # first frame
    end: int  # one past the last frame
    reads: tuple[str, ...]  # every parameter read up to the part's end
    name: str  # `first-last:first section's name`

    @property
    def frames(self) -> int:
        """How many frames the part draws."""
        return self.end - self.start

    def seconds(self, fps: int) -> float:
        """Its length in seconds."""
        return self.frames / fps


def split(plan: Plan, min_seconds: float = MIN_PART_SECONDS) -> list[PartSpan]:
    """The chapter's parts, in order (parts without frames left out: nothing to draw)."""
    spans: list[PartSpan] = []
    first = 0
    for i, sec in enumerate(plan.sections):
        start = plan.sections[first].start
        if (sec.end - start) / plan.fps >= min_seconds or i == len(plan.sections) - 1:
            # At the last section the part is cut whatever its length: a render that is still
            # going treats only parts of min_seconds as cut (sigsat.worker).
            if sec.end > start:
                spans.append(PartSpan(first, i, start, sec.end, tuple(sec.reads),
                                      f"{first}-{i}:{plan.sections[first].name}"))
            first = i + 1
    return spans
