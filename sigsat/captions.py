"""Caption cues on the lecture's timeline, and the SubRip (.srt) and WebVTT (.vtt) files.

A chapter's scene records when each narration line starts. A cue lasts until the next line
starts, or to the end of its chapter. Lines that start together (a beat opens with two or
three sentences at once) share the time until the next beat, each in turn, in proportion to
its length, so a reader gets each sentence on its own for a fair time.
Times are whole milliseconds on the lecture's timeline, so cues never overlap by rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cue:
    """A caption: from `start` to `end` (milliseconds), its text and the section it belongs to."""

    start: int
    end: int
    text: str
    section: str = ""


def chapter_cues(raw: Sequence[dict[str, Any]], duration: float, offset: float = 0.0) -> list[Cue]:
    """A chapter's cues (the sidecar's `start, text, section`), timed, shifted by `offset` s."""
    rows = sorted(((float(c["start"]), i, c) for i, c in enumerate(raw) if str(c["text"]).strip()),
                  key=lambda r: (r[0], r[1]))
    end_ms = round((offset + duration) * 1000)
    groups: list[list[dict[str, Any]]] = []
    starts: list[float] = []
    for start, _, cue in rows:
        if groups and abs(start - starts[-1]) < 1e-6:
            groups[-1].append(cue)
        else:
            groups.append([cue])
            starts.append(start)
    cues: list[Cue] = []
    for g, group in enumerate(groups):
        a = min(round((offset + starts[g]) * 1000), end_ms)
        b = round((offset + starts[g + 1]) * 1000) if g + 1 < len(groups) else end_ms
        b = min(max(b, a), end_ms)
        weights = [max(len(str(c["text"])), 1) for c in group]
        total, acc = sum(weights), 0
        for cue, w in zip(group, weights, strict=True):
            s = a + (b - a) * acc // total
            acc += w
            e = a + (b - a) * acc // total
            cues.append(Cue(s, e, str(cue["text"]).strip(), str(cue.get("section", ""))))
    return cues


def _stamp(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def _lines(text: str) -> list[str]:
    # A blank line ends a cue in both formats, so a caption keeps only its non-empty lines.
    return [line.strip() for line in text.splitlines() if line.strip()]


def srt(cues: Iterable[Cue]) -> str:
    """SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line after each."""
    out: list[str] = []
    for i, c in enumerate((c for c in cues if c.end > c.start), start=1):
        out += [str(i), f"{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}", *_lines(c.text), ""]
    return "\n".join(out) + "\n" if out else ""


def _vtt_escape(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt(cues: Iterable[Cue], title: str = "") -> str:
    """WebVTT: the header, then cues `HH:MM:SS.mmm --> HH:MM:SS.mmm` with escaped text."""
    head = "WEBVTT" + (f" - {' '.join(_lines(title))}" if title.strip() else "")
    out = [head, ""]
    for i, c in enumerate((c for c in cues if c.end > c.start), start=1):
        text = [_vtt_escape(line) for line in _lines(c.text)]
        out += [str(i), f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}", *text, ""]
    return "\n".join(out) + "\n"
