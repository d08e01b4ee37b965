"""Caption cues: timing a scene's narration lines, and the SubRip (.srt) and WebVTT (.vtt) files.

A scene records when each narration line starts. A cue lasts until the next line starts, or to
the end of its chapter. Lines that start together (a beat opens with two or three sentences at
once) share the time until the next beat, each in turn, in proportion to its length, so a
reader gets each sentence on its own for a fair time. The files are written in whole
milliseconds on the lecture's timeline, so cues never overlap by rounding.
"""

from __future__ import annotations

from collections.abc import Iterable

from .contract import Cue


def shifted(cues: Iterable[Cue], offset: float) -> list[Cue]:
    """The cues moved `offset` seconds later (a chapter's cues on the lecture's timeline)."""
    return [c.model_copy(update={"start": c.start + offset, "end": c.end + offset}) for c in cues]


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _stamp(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def _lines(text: str) -> list[str]:
    # A blank line ends a cue in both formats, so a caption keeps only its non-empty lines.
    return [line.strip() for line in text.splitlines() if line.strip()]


def _timed(cues: Iterable[Cue]) -> list[tuple[int, int, Cue]]:
    return [(_ms(c.start), _ms(c.end), c) for c in cues if _ms(c.end) > _ms(c.start)]


def srt(cues: Iterable[Cue]) -> str:
    """SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line after each."""
    out: list[str] = []
    for i, (a, b, c) in enumerate(_timed(cues), start=1):
        out += [str(i), f"{_stamp(a, ',')} --> {_stamp(b, ',')}", *_lines(c.text), ""]
    return "\n".join(out) + "\n" if out else ""


def _vtt_escape(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt(cues: Iterable[Cue], title: str = "") -> str:
    """WebVTT: the header, then cues `HH:MM:SS.mmm --> HH:MM:SS.mmm` with escaped text."""
    head = "WEBVTT" + (f" - {' '.join(_lines(title))}" if title.strip() else "")
    out = [head, ""]
    for i, (a, b, c) in enumerate(_timed(cues), start=1):
        out += [str(i), f"{_stamp(a, '.')} --> {_stamp(b, '.')}", *(_vtt_escape(x) for x in _lines(c.text)), ""]
    return "\n".join(out) + "\n"
