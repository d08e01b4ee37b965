"""The whole lecture: the chapters' masters joined without re-encoding, with chapter marks.

ffmpeg's concat demuxer copies the H.264 streams one after another (`-c copy`: every chapter
is encoded with the same settings, so the streams join cleanly); an FFMETADATA file adds one
chapter mark per chapter (title, start, end in milliseconds) and the lecture's title; and
`+faststart` puts the index first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .encode import run_ffmpeg


@dataclass(frozen=True)
class Part:
    """A chapter in the lecture: its master MP4, title, frames and rate, and the master's hash."""

    master: Path
    title: str
    frames: int
    fps: Fraction
    sha256: str


@dataclass(frozen=True)
class Mark:
    """A chapter mark: title, start and end in milliseconds."""

    title: str
    start: int
    end: int


def marks(parts: Sequence[Part]) -> list[Mark]:
    """Chapter marks from exact running sums of frames over rate, rounded to milliseconds."""
    out, t = [], Fraction(0)
    for part in parts:
        end = t + Fraction(part.frames) / part.fps
        out.append(Mark(part.title, round(t * 1000), round(end * 1000)))
        t = end
    return out


def lecture_key(parts: Sequence[Part], title: str) -> str:
    """What the lecture file is made from: the masters' bytes, the titles."""
    blob = json.dumps({"title": title, "parts": [[p.sha256, p.title] for p in parts]})
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _meta_escape(text: str) -> str:
    # FFMETADATA: '=', ';', '#', '\' and newlines are special and take a backslash.
    out = text
    for ch in ("\\", "=", ";", "#", "\n"):
        out = out.replace(ch, "\\" + ch)
    return out


def ffmetadata(title: str, chapter_marks: Sequence[Mark]) -> str:
    """The FFMETADATA text: the lecture's title and a [CHAPTER] block per chapter."""
    lines = [";FFMETADATA1", f"title={_meta_escape(title)}"]
    for m in chapter_marks:
        lines += ["", "[CHAPTER]", "TIMEBASE=1/1000", f"START={m.start}", f"END={m.end}",
                  f"title={_meta_escape(m.title)}"]
    return "\n".join(lines) + "\n"


def _concat_line(path: Path) -> str:
    quoted = str(path.resolve()).replace("'", "'\\''")
    return f"file '{quoted}'\n"


def join(parts: Sequence[Part], title: str, dest: Path, scratch: Path) -> list[Mark]:
    """Write the lecture MP4 to `dest` (any name: the container is given explicitly)."""
    scratch.mkdir(parents=True, exist_ok=True)
    listing = scratch / "concat.txt"
    listing.write_text("ffconcat version 1.0\n" + "".join(_concat_line(p.master) for p in parts),
                       encoding="utf-8")
    chapter_marks = marks(parts)
    meta = scratch / "chapters.txt"
    meta.write_text(ffmetadata(title, chapter_marks), encoding="utf-8")
    run_ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-f", "ffmetadata", "-i", str(meta),
               "-map", "0:v", "-map_metadata", "1", "-map_chapters", "1", "-c", "copy",
               "-movflags", "+faststart", "-f", "mp4", str(dest))
    return chapter_marks
