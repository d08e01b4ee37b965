"""Clips for other decks: each chapter as an MP4 that PowerPoint, Keynote and Google Slides
take as it is (H.264, yuv420p, index at the front), and short loops as GIF and MP4.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..encode import run_ffmpeg
from .lecture import ChapterOut, Lecture
from .media import is_faststart, probe

EMBED_DIR = "embed"


@dataclass(frozen=True)
class Loop:
    """A short loop cut from a chapter: a section (or the whole clip), `offset` and `length`
    seconds into it, played forwards then backwards when `pingpong` (a sweep that returns)."""

    name: str
    chapter: str
    section: str | None
    offset: float = 0.0
    length: float | None = None
    pingpong: bool = False
    what: str = ""


# `length` follows the scene: the sweep is the 9-second linear pass of sigmoid_curves.sweep().
LOOPS = (
    Loop(
        "sigma-prime-sweep",
        "sigmoid_curves",
        "sweep",
        0.0,
        9.0,
        pingpong=True,
        what="the point sweeping along sigma and sigma', with its tangent and readouts",
    ),
    Loop(
        "ball-on-four-surfaces",
        "ball_on_surfaces",
        "side by side",
        what="the same pushes on the four surfaces side by side, then the distances",
    ),
)


@dataclass(frozen=True)
class Made:
    """A file written for decks and what it is."""

    path: Path
    what: str


def embed_clip(lecture: Lecture, chapter: ChapterOut, folder: Path) -> Path:
    """The chapter as H.264/yuv420p MP4 with faststart: the clip copied when it already is
    one, else cut from the lecture (always such an MP4) and encoded."""
    out = folder / f"{chapter.stem}.mp4"
    info = probe(chapter.clip)
    if (info.codec, info.pix_fmt) == ("h264", "yuv420p") and not lecture.transparent:
        run_ffmpeg("-i", str(chapter.clip), "-map", "0", "-c", "copy", "-movflags", "+faststart", str(out))
    else:
        source, offset = lecture.opaque(chapter)
        run_ffmpeg(
            "-ss",
            f"{offset:.3f}",
            "-t",
            f"{chapter.duration:.3f}",
            "-i",
            str(source),
            "-map",
            "0:v",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-crf",
            "18",
            "-movflags",
            "+faststart",
            str(out),
        )
    if not is_faststart(out):
        raise RuntimeError(f"{out}: ffmpeg did not move the index to the front")
    return out


def _span(loop: Loop, chapter: ChapterOut) -> tuple[float, float]:
    if loop.section is None:
        start, end = 0.0, chapter.duration
    else:
        match = [s for s in chapter.sections if s.name == loop.section]
        if not match:
            raise LookupError(f"loop {loop.name}: {chapter.slug} has no section {loop.section!r}")
        start, end = match[0].start, match[0].end
    start = min(start + loop.offset, end)
    length = end - start if loop.length is None else min(loop.length, end - start)
    return start, length


def make_loop(
    loop: Loop, lecture: Lecture, chapter: ChapterOut, folder: Path, width: int = 960, fps: int = 15
) -> tuple[Path, Path]:
    """`loop-<name>.gif` (loops forever) and `loop-<name>.mp4`, `width` pixels wide."""
    start, length = _span(loop, chapter)
    source, offset = lecture.opaque(chapter)
    start += offset
    width = min(width, probe(source).width) // 2 * 2  # never upscale
    head = f"[0:v]fps={fps},scale={width}:-2:flags=lanczos"
    body = f"{head},split[f][r0];[r0]reverse[r];[f][r]concat=n=2:v=1:a=0" if loop.pingpong else head
    gif, mp4 = folder / f"loop-{loop.name}.gif", folder / f"loop-{loop.name}.mp4"
    cut = ["-ss", f"{start:.3f}", "-t", f"{length:.3f}", "-i", str(source)]
    # One palette for the whole loop (stats from every frame), ordered dithering: flat
    # colours stay flat and the GIF stays small.
    run_ffmpeg(
        *cut,
        "-filter_complex",
        f"{body},split[a][b];[a]palettegen=max_colors=128:stats_mode=full[p];"
        "[b][p]paletteuse=dither=bayer:bayer_scale=3",
        "-loop",
        "0",
        str(gif),
    )
    run_ffmpeg(
        *cut,
        "-filter_complex",
        f"{body},format=yuv420p[v]",
        "-map",
        "[v]",
        "-an",
        "-c:v",
        "libx264",
        "-crf",
        "20",
        "-movflags",
        "+faststart",
        str(mp4),
    )
    return gif, mp4


def make_embeds(lecture: Lecture, width: int = 960, fps: int = 15) -> tuple[list[Made], list[str]]:
    """embed/: every chapter's faststart MP4 and the loops whose chapter was rendered.

    Returns what was written and, for loops that could not be made, why.
    """
    folder = lecture.root / EMBED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    made = [Made(embed_clip(lecture, c, folder), f"chapter {c.number}: {c.title}") for c in lecture.chapters]
    skipped = []
    by_slug = {c.slug: c for c in lecture.chapters}
    for loop in LOOPS:
        chapter = by_slug.get(loop.chapter)
        if chapter is None:
            skipped.append(f"loop {loop.name}: chapter {loop.chapter} was not rendered")
            continue
        try:
            gif, mp4 = make_loop(loop, lecture, chapter, folder, width, fps)
        except LookupError as e:
            skipped.append(str(e))
            continue
        made += [Made(gif, f"loop (GIF): {loop.what}"), Made(mp4, f"loop (MP4): {loop.what}")]
    return made, skipped
