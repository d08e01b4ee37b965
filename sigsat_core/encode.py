"""One chapter's media, made from manim's movie: the faststart master, the clip in the asked-for
format, the poster. ffmpeg encodes; sigsat_core.media reads (frame counts, frames for the poster).

Encoder settings live here, and this file is part of every chapter's cache key.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from .contract import Section
from .media import busyness, frames_at, probe
from .qualities import FORMATS, X264, Quality


def ffmpeg_exe() -> str:
    """The ffmpeg executable."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise RuntimeError("ffmpeg not found: run ./render.sh once, or apt-get install ffmpeg")
    return exe


def run_ffmpeg(*args: str) -> None:
    """ffmpeg, quiet and overwriting; its own error text on failure."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {' '.join(cmd)}\n{done.stderr.strip()}")


# Same frames, same bytes: no encoder version strings, dates or metadata in the container.
BITEXACT_VIDEO = ("-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1")


def h264(src: Path, dest: Path) -> None:
    """manim's lossless movie as the chapter's H.264 video, moov atom first (plays while loading;
    PowerPoint and Keynote)."""
    # manim writes its segments losslessly (see sigsat.worker) and the one lossy encode happens
    # here, in a process of its own on one thread: x264 driven by PyAV inside manim gave
    # different bytes for the same frames from run to run.
    run_ffmpeg("-i", str(src), "-map", "0:v", *X264, "-movflags", "+faststart", *BITEXACT_VIDEO,
               str(dest))


def concat(sources: Sequence[Path], dest: Path, listing: Path, faststart: bool) -> None:
    """Join videos of the same encoding one after another without re-encoding them (ffmpeg's
    concat demuxer): a chapter's parts, each starting on a key frame of its own."""
    lines = "".join("file '" + str(p.resolve()).replace("'", "'\\''") + "'\n" for p in sources)
    listing.write_text("ffconcat version 1.0\n" + lines, encoding="utf-8")
    index = ("-movflags", "+faststart") if faststart else ()
    run_ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-map", "0:v", "-c", "copy", *index,
               *BITEXACT_VIDEO, str(dest))


def composite(src: Path, dest: Path, background: str, quality: Quality) -> None:
    """A transparent render laid on the theme's background: the opaque H.264 master."""
    colour = "0x" + background.lstrip("#")
    source = f"color=c={colour}:s={quality.width}x{quality.height}:r={quality.fps}"
    run_ffmpeg("-f", "lavfi", "-i", source, "-i", str(src), "-filter_complex",
               "[0:v]format=rgba[bg];[1:v]format=rgba[fg];"
               "[bg][fg]overlay=shortest=1:format=rgb,format=yuv420p", *X264,
               "-movflags", "+faststart", *BITEXACT_VIDEO, str(dest))


def transcode(src: Path, dest: Path, fmt: str, transparent: bool, quality: Quality,
              audio: Path | None = None) -> None:
    """The clip in a format other than mp4, from the master's video (or the transparent render),
    with the narration from `audio` (the master) where the format carries sound."""
    f = FORMATS[fmt]
    if f.args is None:
        raise ValueError(f"no transcoding to {fmt!r}")
    sound = ["-i", str(audio), "-map", "1:a", *f.audio] if audio is not None and f.audio else []
    # bitexact: Matroska (webm) otherwise writes a random segment id and the date.
    run_ffmpeg("-i", str(src), *sound[:2], "-map", "0:v", *sound[2:], *f.args(transparent, quality),
               *BITEXACT_VIDEO, "-flags:a", "+bitexact", str(dest))


def poster_frames(sections: Sequence[Section], frames: int, fps: Fraction) -> list[int]:
    """Candidate poster frames: the settled frame at the end of each section."""
    starts = [round(s.start * fps) for s in sections] or [0]
    ends = [*starts[1:], frames]
    out = [max(start, end - 2) for start, end in zip(starts, ends, strict=True) if end - start > 1]
    return out or [int(frames * 0.6)]


def poster(master: Path, sections: Sequence[Section], dest: Path) -> float:
    """The busiest of the sections' closing frames, as PNG; returns its time in the clip.

    A section's closing frame is its settled picture (before the next beat's changes begin),
    and the busiest one shows the most of what the chapter built.
    """
    info = probe(master)
    indices = poster_frames(sections, info.frames, info.fps)
    frames = frames_at(master, indices)
    scores = [busyness(f) for f in frames]
    best = max(range(len(frames)), key=lambda i: (scores[i], -i))
    frames[best].save(dest, format="PNG", optimize=False)
    return float(indices[best] / info.fps)
