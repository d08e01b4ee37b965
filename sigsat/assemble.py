"""Assembly, in the renderer's process: a chapter's cache entry joined from its parts
(`join_chapter`, with its `soundtrack`), and the whole lecture joined from the chapters' masters
without re-encoding anything, with the narration, chapter marks and a soft-subtitle track.

ffmpeg's concat demuxer copies the H.264 streams one after another (`-c copy`: every chapter
is encoded with the same settings, so the streams join cleanly). The narration is joined from
the chapters' own AAC packets (each chapter's soundtrack is encoded and its peak checked once,
when the chapter is made): AAC works in frames of 1024 samples and every chapter's stream
starts with a frame of encoder delay, so each chapter's packets are placed on the lecture's
1024-sample grid at the frame nearest its video start (`packet_plan`): the voice is within half
an AAC frame (11 ms) of the picture at every join and cannot drift. Only the few frames around
each join decode differently from the chapter's own clip (there the two chapters' silences
overlap), so only they are checked against the true-peak ceiling; if one crossed it, the
soundtracks would be encoded once, end to end, instead. An FFMETADATA file adds one chapter
mark per chapter and the lecture's title; the captions become a `mov_text` track (English, on
by default); `+faststart` puts the index first.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

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


AAC_FRAME = 1024  # samples in one AAC-LC frame; the encoder's delay is one frame too


@dataclass(frozen=True)
class Span:
    """Which of a chapter's AAC packets the lecture keeps: `first` up to `stop` (exclusive)."""

    first: int
    stop: int


def chapter_starts(parts: Sequence[ChapterMedia], rate: int) -> list[int]:
    """Each chapter's first sample on the lecture's timeline, and the lecture's length last."""
    out, t = [0], Fraction(0)
    for part in parts:
        t += Fraction(part.frames) / part.fps
        out.append(round(t * rate))
    return out


def packet_plan(starts: Sequence[int], counts: Sequence[int], frame: int = AAC_FRAME) -> list[Span]:
    """The packets of each chapter's AAC stream (`counts[k]` of them, the first one the encoder's
    delay) that make the lecture's stream, so that chapter k's first sample is decoded at the
    1024-sample frame nearest `starts[k]`; `starts` ends with the lecture's length."""
    # Packet j of a chapter decodes to its samples (j - 1) * frame onwards, so placed at the
    # lecture's packet index q it puts the chapter's sample 0 at (q - j + 1) * frame. The first
    # chapter drops its delay frame; the others keep theirs (it decodes to the silence before
    # their start) and the chapter before them gives up its trailing frames to make room: at
    # most 2048 samples (43 ms) of the pause that ends every chapter.
    origin = [round(Fraction(s, frame)) for s in starts]  # where each chapter's sample 0 goes
    spans = []
    for k, count in enumerate(counts):
        first = 1 if k == 0 else 0
        if k < len(counts) - 1:  # up to the next chapter's delay frame, at its origin - 1
            stop = origin[k + 1] - 1 - origin[k] + 1
        else:  # to the lecture's end, or as far as the chapter's frames go (within half a frame)
            stop = min(-(-starts[-1] // frame) - origin[k] + 1, count)
        if not first < stop <= count:
            raise ValueError(f"chapter {k + 1}'s {count} AAC frames do not fit the lecture's frame grid")
        spans.append(Span(first, stop))
    return spans


def _aac_packets(master: Path) -> list[av.Packet[Any]]:
    """A master's AAC packets in decode order, the encoder's delay frame first."""
    with av.open(str(master)) as source:
        return [p for p in source.demux(source.streams.audio[0]) if p.size]


def _write_aac(masters: Sequence[Path], packets: Sequence[list[av.Packet[Any]]], spans: Sequence[Span],
               dest: Path) -> list[int]:
    """The chosen packets of each master, end to end, as one ADTS stream; returns the packet
    index at which each chapter after the first begins."""
    joins, index = [], 0
    with av.open(str(masters[0])) as template, av.open(str(dest), "w", format="adts") as out:
        stream = out.add_stream_from_template(template.streams.audio[0])
        for k, (own, span) in enumerate(zip(packets, spans, strict=True)):
            if k:
                joins.append(index)
            for packet in own[span.first:span.stop]:
                packet.stream = stream
                packet.pts = packet.dts = index * AAC_FRAME
                packet.time_base = Fraction(1, stream.rate)
                out.mux(packet)
                index += 1
    return joins


def _peak_at_joins(aac: Path, joins: Sequence[int], around: int = 4) -> float:
    """The true peak (dBTP) of the frames around each join, where the lecture's audio decodes
    differently from the chapters' own (everywhere else it is their checked audio)."""
    from sigsat_core.speech.audio import true_peak_envelope

    with av.open(str(aac)) as source:
        stream = source.streams.audio[0]
        packets = [p for p in source.demux(stream) if p.size]
        peak = 0.0
        for at in joins:
            # Up to two frames before the window warm the decoder up (each frame overlaps the last).
            lo, hi = max(at - around - 2, 0), min(at + around, len(packets))
            warm = max(at - around - lo, 0) * AAC_FRAME
            decoder = av.CodecContext.create("aac", "r")
            decoder.extradata = stream.codec_context.extradata
            frames = [f for p in packets[lo:hi] for f in decoder.decode(p)]
            samples = np.concatenate([f.to_ndarray() for f in frames], axis=1)
            for channel in samples[:, warm:]:
                peak = max(peak, float(true_peak_envelope(channel, stream.rate).max(initial=0.0)))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def join(parts: Sequence[ChapterMedia], title: str, captions_srt: str, dest: Path, scratch: Path) -> list[Mark]:
    """Write the lecture MP4 to `dest` (any name: the container is given explicitly)."""
    from sigsat_core.speech.audio import RATE, TRUE_PEAK_CEILING

    scratch.mkdir(parents=True, exist_ok=True)
    videos = scratch / "video.txt"
    videos.write_text("ffconcat version 1.0\n" + "".join(_concat_line(p.master) for p in parts),
                      encoding="utf-8")
    chapter_marks = marks(parts)
    meta = scratch / "chapters.txt"
    meta.write_text(ffmetadata(title, chapter_marks), encoding="utf-8")
    srt = scratch / "captions.srt"
    srt.write_text(captions_srt, encoding="utf-8")
    aac = scratch / "audio.aac"
    masters = [p.master for p in parts]
    packets = [_aac_packets(m) for m in masters]
    try:
        spans = packet_plan(chapter_starts(parts, RATE), [len(own) for own in packets])
    except ValueError:  # a master not encoded as sigsat encodes them: encode the soundtracks
        spans = []
    if not spans or _peak_at_joins(aac, _write_aac(masters, packets, spans, aac)) > TRUE_PEAK_CEILING:
        _join_encoded(parts, videos, meta, srt, dest, scratch)
        return chapter_marks
    _mux(videos, ["-i", str(aac)], meta, srt, ["-c:a", "copy"], dest)
    return chapter_marks


def _mux(videos: Path, audio_in: Sequence[str], meta: Path, srt: Path, audio_args: Sequence[str],
         dest: Path) -> None:
    """The lecture's MP4: the chapters' video copied, the audio input (`audio_args` for its
    codec), the chapter marks and title, and the captions as a default English track."""
    run_ffmpeg("-f", "concat", "-safe", "0", "-i", str(videos), *audio_in,
               "-f", "ffmetadata", "-i", str(meta), "-i", str(srt),
               "-map", "0:v", "-map", "1:a", "-map", "3:s", "-map_metadata", "2", "-map_chapters", "2",
               "-c:v", "copy", *audio_args,
               "-c:s", "mov_text", "-metadata:s:s:0", "language=eng", "-disposition:s:0", "default",
               "-movflags", "+faststart", "-f", "mp4", str(dest))


def _join_encoded(parts: Sequence[ChapterMedia], videos: Path, meta: Path, srt: Path, dest: Path,
                  scratch: Path) -> None:
    """The lecture with the chapters' soundtracks encoded once, end to end (a join whose
    overlapping frames crossed the true-peak ceiling)."""
    from sigsat_core.speech.audio import AAC, DUAL_MONO, TRUE_PEAK_CEILING, measure

    sounds = scratch / "audio.txt"
    sounds.write_text("ffconcat version 1.0\n" + "".join(_concat_line(p.audio) for p in parts),
                      encoding="utf-8")
    gain_db = 0.0
    # AAC's reconstruction can overshoot the mastered peaks a little: measured, and where it
    # crossed the ceiling, encoded again that much quieter (as the chapters' clips are).
    for _ in range(3):
        volume = f"volume={gain_db:.2f}dB," if gain_db else ""
        _mux(videos, ["-f", "concat", "-safe", "0", "-i", str(sounds)], meta, srt,
             ["-af", f"{volume}{DUAL_MONO}", *AAC], dest)
        peak = measure(dest).true_peak_dbtp
        if peak <= TRUE_PEAK_CEILING:
            break
        gain_db -= peak - TRUE_PEAK_CEILING + 0.1


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
