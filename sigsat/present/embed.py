"""Clips for other decks: each chapter as an MP4 that PowerPoint, Keynote and Google Slides
take as it is (H.264, yuv420p, index at the front, with the narration as AAC), and short
silent loops as GIF and MP4. What was written is recorded in embed/embed.json (registered in
the manifest), which the index page links from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sigsat_core.contract import EMBED, EmbedChapter, Embeds, Layout, Loop
from sigsat_core.encode import run_ffmpeg
from sigsat_core.media import is_faststart, probe

from .lecture import ChapterOut, Lecture, made_from, register

EMBED_DIR = Layout.EMBED


@dataclass(frozen=True)
class Made:
    """A file written for decks and what it is."""

    path: Path
    what: str


def embed_clip(lecture: Lecture, chapter: ChapterOut, folder: Path) -> Path:
    """The chapter as H.264/yuv420p MP4 with faststart and its narration: the clip copied when
    it already is one, else cut from the lecture (always such an MP4) and encoded."""
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
            "-map",
            "0:a?",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-crf",
            "18",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-movflags",
            "+faststart",
            str(out),
        )
    if not is_faststart(out):
        raise RuntimeError(f"{out}: ffmpeg did not move the index to the front")
    return out


def make_loop(
    loop: Loop, lecture: Lecture, chapter: ChapterOut, folder: Path, width: int = 960, fps: int = 15
) -> tuple[Path, Path]:
    """`loop-<name>.gif` (loops forever) and `loop-<name>.mp4`, `width` pixels wide; both
    silent (a loop repeats, its narration would not)."""
    length = min(loop.length, chapter.duration - loop.start)
    source, offset = lecture.opaque(chapter)
    start = loop.start + offset
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


def make_embeds(lecture: Lecture, width: int = 960, fps: int = 15) -> list[Made]:
    """embed/: every chapter's faststart MP4, and the loops its scene offered."""
    folder = lecture.root / EMBED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    made, rows = [], []
    for chapter in lecture.chapters:
        clip = embed_clip(lecture, chapter, folder)
        made.append(Made(clip, f"chapter {chapter.number}: {chapter.title}"))
        loops = {}
        for loop in chapter.loops:
            gif, mp4 = make_loop(loop, lecture, chapter, folder, width, fps)
            made += [Made(gif, f"loop (GIF): {loop.what}"), Made(mp4, f"loop (MP4): {loop.what}")]
            loops[loop.name] = {"gif": lecture.rel(gif), "mp4": lecture.rel(mp4)}
        rows.append(EmbedChapter(slug=chapter.slug, mp4=lecture.rel(clip), loops=loops))
    record = folder / "embed.json"
    Embeds(chapters=rows, made_from=made_from(lecture.chapters)).write(record)
    register(lecture, **{EMBED: record})
    return made
