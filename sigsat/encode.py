"""One chapter's media, made from manim's movie: the faststart master, the clip in the asked-for
format, the poster. ffmpeg encodes; PyAV reads (frame counts, frames for the poster).

Encoder settings live here, and this file is part of every chapter's cache key.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from .qualities import Quality

# H.264 as manim writes it (crf 23, yuv420p), so masters made by compositing a transparent
# render match the ones manim encodes itself.
X264 = ("-c:v", "libx264", "-crf", "23", "-preset", "medium", "-pix_fmt", "yuv420p")
VP9 = ("-c:v", "libvpx-vp9", "-crf", "32", "-b:v", "0", "-deadline", "good", "-cpu-used", "4",
       "-row-mt", "1")
PRORES_HQ = ("-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le", "-vendor", "apl0")
PRORES_4444 = ("-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", "yuva444p10le",
               "-alpha_bits", "16", "-vendor", "apl0")


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


@dataclass(frozen=True)
class VideoInfo:
    """What the renderer needs to know of a clip."""

    codec: str
    pix_fmt: str
    width: int
    height: int
    fps: Fraction
    frames: int

    @property
    def duration(self) -> float:
        """Frames over rate: exact for the constant-rate clips manim writes."""
        return float(self.frames / self.fps) if self.fps else 0.0


def probe(path: Path) -> VideoInfo:
    """Codec, pixel format, size, rate and frame count of a clip's video stream."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        fps = Fraction(stream.average_rate or stream.guessed_rate or 0)
        frames = stream.frames
        if not frames:
            frames = sum(1 for p in container.demux(stream) if p.size)
        fmt = ctx.format.name if ctx.format is not None else ""
        return VideoInfo(ctx.name, fmt, ctx.width, ctx.height, fps, int(frames))


def faststart(src: Path, dest: Path) -> None:
    """The same H.264 stream, moov atom first (plays while loading; PowerPoint and Keynote)."""
    run_ffmpeg("-i", str(src), "-map", "0:v", "-c", "copy", "-movflags", "+faststart", str(dest))


def composite(src: Path, dest: Path, background: str, quality: Quality) -> None:
    """A transparent render laid on the theme's background: the opaque H.264 master."""
    colour = "0x" + background.lstrip("#")
    source = f"color=c={colour}:s={quality.width}x{quality.height}:r={quality.fps}"
    run_ffmpeg("-f", "lavfi", "-i", source, "-i", str(src), "-filter_complex",
               "[0:v]format=rgba[bg];[1:v]format=rgba[fg];"
               "[bg][fg]overlay=shortest=1:format=rgb,format=yuv420p", *X264,
               "-movflags", "+faststart", str(dest))


def transcode(src: Path, dest: Path, fmt: str, transparent: bool, quality: Quality) -> None:
    """The clip in a format other than mp4, from the master (or the transparent render)."""
    if fmt == "webm":
        pix = ("-pix_fmt", "yuva420p" if transparent else "yuv420p")
        run_ffmpeg("-i", str(src), "-map", "0:v", *VP9, *pix, str(dest))
    elif fmt == "mov":
        run_ffmpeg("-i", str(src), "-map", "0:v", *(PRORES_4444 if transparent else PRORES_HQ),
                   str(dest))
    elif fmt == "gif":
        graph = (f"fps={quality.gif_fps},split[a][b];[a]palettegen=stats_mode=diff[p];"
                 "[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle")
        run_ffmpeg("-i", str(src), "-map", "0:v", "-vf", graph, "-loop", "0", str(dest))
    else:
        raise ValueError(f"no transcoding to {fmt!r}")


def frames_at(path: Path, times: list[float]) -> list[Image.Image]:
    """The frames shown at these times (seconds), each found by a seek to the keyframe before."""
    out: list[Image.Image] = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.time_base is None:
            raise ValueError(f"{path}: the video stream has no time base")
        tb = stream.time_base
        for t in times:
            container.seek(int(Fraction(t) / tb), stream=stream, backward=True, any_frame=False)
            chosen = None
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                if chosen is not None and float(frame.pts * tb) > t + 1e-6:
                    break
                chosen = frame
            if chosen is None:
                raise ValueError(f"{path}: no frame at {t:.3f} s")
            out.append(Image.fromarray(chosen.to_ndarray(format="rgb24")))
    return out


def busyness(image: Image.Image) -> float:
    """The share of pixels that differ from the background (the top-left pixel's colour)."""
    a = np.asarray(image.convert("RGB"), dtype=np.int16)
    diff = np.abs(a - a[0, 0]).max(axis=2)
    return float((diff > 24).mean())


def poster_times(sections: list[dict[str, float]], duration: float, fps: Fraction) -> list[float]:
    """Candidate poster moments: the settled frame at the end of each section."""
    starts = [float(s["start"]) for s in sections] or [0.0]
    ends = [*starts[1:], duration]
    step = float(1 / fps) if fps else 0.1
    times = []
    for start, end in zip(starts, ends, strict=True):
        if end - start > step:
            times.append(max(start, end - 1.5 * step))
    return times or [duration * 0.6]


def poster(master: Path, sections: list[dict[str, float]], dest: Path) -> float:
    """The busiest of the sections' closing frames, as PNG; returns its time in the clip.

    A section's closing frame is its settled picture (before the next beat's changes begin),
    and the busiest one shows the most of what the chapter built.
    """
    info = probe(master)
    times = poster_times(sections, info.duration, info.fps)
    frames = frames_at(master, times)
    scores = [busyness(f) for f in frames]
    best = max(range(len(frames)), key=lambda i: (scores[i], -i))
    frames[best].save(dest, format="PNG", optimize=False)
    return times[best]
