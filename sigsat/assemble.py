"""Assembly, in the renderer's process: a chapter's cache entry joined from its parts
(`join_chapter`, with its `soundtrack`), and the whole lecture joined from the chapters' masters
without re-encoding the video, with the narration, chapter marks and a soft-subtitle track.

ffmpeg's concat demuxer copies the H.264 streams one after another (`-c copy`: every chapter
is encoded with the same settings, so the streams join cleanly). The chapters' soundtracks
(FLAC, each exactly as long as its video) are joined the same way and encoded once, so the
voice cannot drift from the picture at a join (AAC's priming samples, which each chapter's
clip carries, would add up if the clips' AAC streams were copied instead). An FFMETADATA file
adds one chapter mark per chapter and the lecture's title; the captions become a `mov_text`
track (English, on by default); `+faststart` puts the index first.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from sigsat_core.contract import LOSSLESS, Entry, EntryFile, Job, Sidecar
from sigsat_core.encode import run_ffmpeg


@dataclass(frozen=True)
class ChapterMedia:
    """A chapter in the lecture: its master MP4, title, frames and rate, and the master's hash."""

    master: Path
    title: str
    frames: int
    fps: Fraction
    sha256: str
    audio: Path  # the chapter's soundtrack (FLAC), as long as its video
    audio_sha256: str


@dataclass(frozen=True)
class Mark:
    """A chapter mark: title, start and end in milliseconds."""

    title: str
    start: int
    end: int


def marks(parts: Sequence[ChapterMedia]) -> list[Mark]:
    """Chapter marks from exact running sums of frames over rate, rounded to milliseconds."""
    out, t = [], Fraction(0)
    for part in parts:
        end = t + Fraction(part.frames) / part.fps
        out.append(Mark(part.title, round(t * 1000), round(end * 1000)))
        t = end
    return out


def lecture_key(parts: Sequence[ChapterMedia], title: str, captions: str) -> str:
    """What the lecture file is made from: the masters' and soundtracks' bytes, the titles and
    the captions."""
    blob = json.dumps({"title": title, "captions": captions,
                       "parts": [[p.sha256, p.audio_sha256, p.title] for p in parts]})
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


def join(parts: Sequence[ChapterMedia], title: str, captions_srt: str, dest: Path, scratch: Path) -> list[Mark]:
    """Write the lecture MP4 to `dest` (any name: the container is given explicitly)."""
    from sigsat_core.speech.audio import AAC, DUAL_MONO, TRUE_PEAK_CEILING, measure

    scratch.mkdir(parents=True, exist_ok=True)
    videos, sounds = scratch / "video.txt", scratch / "audio.txt"
    videos.write_text("ffconcat version 1.0\n" + "".join(_concat_line(p.master) for p in parts),
                      encoding="utf-8")
    sounds.write_text("ffconcat version 1.0\n" + "".join(_concat_line(p.audio) for p in parts),
                      encoding="utf-8")
    chapter_marks = marks(parts)
    meta = scratch / "chapters.txt"
    meta.write_text(ffmetadata(title, chapter_marks), encoding="utf-8")
    srt = scratch / "captions.srt"
    srt.write_text(captions_srt, encoding="utf-8")
    gain_db = 0.0
    # AAC's reconstruction can overshoot the mastered peaks a little: measured, and where it
    # crossed the ceiling, encoded again that much quieter (as the chapters' clips are).
    for _ in range(3):
        volume = f"volume={gain_db:.2f}dB," if gain_db else ""
        run_ffmpeg("-f", "concat", "-safe", "0", "-i", str(videos),
                   "-f", "concat", "-safe", "0", "-i", str(sounds),
                   "-f", "ffmetadata", "-i", str(meta), "-i", str(srt),
                   "-map", "0:v", "-map", "1:a", "-map", "3:s", "-map_metadata", "2", "-map_chapters", "2",
                   "-c:v", "copy", "-af", f"{volume}{DUAL_MONO}", *AAC,
                   "-c:s", "mov_text", "-metadata:s:s:0", "language=eng", "-disposition:s:0", "default",
                   "-movflags", "+faststart", "-f", "mp4", str(dest))
        peak = measure(dest).true_peak_dbtp
        if peak <= TRUE_PEAK_CEILING:
            break
        gain_db -= peak - TRUE_PEAK_CEILING + 0.1
    return chapter_marks


def join_chapter(job: Job, side: Path, parts: list[Path], part_keys: list[str], work: Path) -> Path:
    """The chapter's cache entry from its plan's sidecar and its parts' folders (in order): the
    parts' video joined without re-encoding, the soundtrack, the clip and the poster; published
    to the cache. Returns the entry's folder (this run's copy)."""
    from sigsat_core.encode import concat, poster, transcode
    from sigsat_core.media import probe
    from sigsat_core.qualities import FORMATS

    from .cache import ENTRY, Cache

    started = time.monotonic()
    entry = work / "entry"
    if entry.exists():
        shutil.rmtree(entry)
    entry.mkdir(parents=True)
    sidecar = entry / "sidecar.json"
    shutil.copyfile(side, sidecar)
    video = work / "video.mp4"
    concat([p / "video.mp4" for p in parts], video, work / "video.txt", faststart=True)
    master, audio = entry / "master.mp4", entry / "audio.flac"
    meta = Sidecar.read(sidecar)
    soundtrack(meta, Path(job.speech_dir), video, master, audio)
    files = {"master": master, "audio": audio}
    if job.format != "mp4":
        movie = work / LOSSLESS
        concat([p / LOSSLESS for p in parts], movie, work / "lossless.txt", faststart=False)
        clip = entry / f"clip.{FORMATS[job.format].ext}"
        transcode(movie, clip, job.format, job.transparent, job.quality, audio=master)
        files["clip"] = clip
        movie.unlink()
    poster_png = entry / "poster.png"
    poster_time = poster(master, meta.sections, poster_png)
    files.update(poster=poster_png, sidecar=sidecar)
    info = probe(master)
    Entry(key=job.key, inputs=job.inputs, slug=job.slug, scene=job.scene,
          files={role: EntryFile.of(path) for role, path in files.items()},
          duration=info.duration, frames=info.frames, width=info.width, height=info.height,
          fps=str(info.fps), poster_time=poster_time,
          render_seconds=round(time.monotonic() - started, 3), part_keys=part_keys).write(entry / ENTRY)
    assert job.cache is not None  # joined by the renderer, beside its cache
    Cache(Path(job.cache)).publish(entry, job.key)
    video.unlink()
    return entry


def soundtrack(side: Sidecar, speech_dir: Path, video: Path, master: Path, flac: Path) -> None:
    """The chapter's voice, each beat's speech where its beat starts, mastered (loudness and
    peak), as FLAC (the lecture is joined from these) and muxed with the video as the master."""
    from sigsat_core.media import probe
    from sigsat_core.speech.audio import master as master_audio
    from sigsat_core.speech.audio import mix, mux, write_flac
    from sigsat_core.speech.store import SpeechStore

    store = SpeechStore(speech_dir)
    placements, rates = [], []
    for beat in side.beats:
        if beat.audio is None:
            continue
        speech = store.get(beat.audio)
        if speech is None:
            raise RuntimeError(f"the speech of beat {beat.id!r} is missing from {speech_dir}")
        placements.append((beat.start, speech.samples))
        rates.append(speech.rate)
    info = probe(video)
    track = mix(placements, rates or 48000, info.duration)
    track = master_audio(track)
    write_flac(track, flac)
    mux(video, track, master)
