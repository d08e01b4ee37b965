"""Reading media: what a clip is (size, rate, codec, frames), frames out of it, how full each
frame is, and whether its index comes first. Writing is sigsat_core.encode's."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image


@dataclass(frozen=True)
class ClipInfo:
    """The facts about a clip's video stream that the renderer and the decks need."""

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


def probe(path: Path) -> ClipInfo:
    """Codec, pixel format, size, rate and frame count of a clip's video stream (frames
    counted from the packets when the container does not say)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        fps = Fraction(stream.average_rate or stream.guessed_rate or 0)
        frames = stream.frames
        if not frames:
            frames = sum(1 for p in container.demux(stream) if p.size)
        fmt = ctx.format.name if ctx.format is not None else ""
        return ClipInfo(ctx.name, fmt, ctx.width, ctx.height, fps, int(frames))


def frames_at(path: Path, indices: list[int]) -> list[Image.Image]:
    """The frames with these indices (0-based; negative counts from the end), as images.

    One pass of decoding after a seek to the nearest keyframe before each wanted frame, so
    a long clip is not decoded whole for a handful of frames.
    """
    info = probe(path)
    wanted = [i if i >= 0 else info.frames + i for i in indices]
    wanted = [min(max(i, 0), max(info.frames - 1, 0)) for i in wanted]
    found: dict[int, Image.Image] = {}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        tb = stream.time_base
        if tb is None:
            raise ValueError(f"{path}: the video stream has no time base")
        start = stream.start_time or 0
        for target in sorted(set(wanted)):
            if target in found:
                continue
            t = Fraction(target, 1) / info.fps
            container.seek(start + int(t / tb), stream=stream, backward=True, any_frame=False)
            last = None
            for frame in container.decode(stream):
                index = round((frame.pts - start) * tb * info.fps) if frame.pts is not None else None
                if index is not None and index > target:
                    break
                last = frame
                if index == target:
                    break
            if last is None:
                raise ValueError(f"{path}: no frame {target} (the clip has {info.frames})")
            found[target] = Image.fromarray(last.to_ndarray(format="rgb24"))
    return [found[i] for i in wanted]


def presence(path: Path, width: int = 160) -> np.ndarray:
    """How much is on screen in each frame: mean distance of its pixels from the background.

    The background is the commonest colour of the first frame; frames are measured small
    (`width` pixels wide), which is plenty to tell a full frame from a fading one.
    """
    values = []
    background = None
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        height = max(2, round(width * stream.codec_context.height / stream.codec_context.width))
        for frame in container.decode(stream):
            rgb = frame.to_ndarray(width=width, height=height, format="rgb24").astype(np.int16)
            if background is None:
                colours, counts = np.unique(rgb.reshape(-1, 3), axis=0, return_counts=True)
                background = colours[counts.argmax()]
            values.append(float(np.abs(rgb - background).mean()))
    return np.asarray(values)


def still_index(presence_: np.ndarray, first: int, last: int, hold: int = 2) -> int:
    """The frame in [first, last] that shows a section complete: its last frame, unless the
    section ends by fading or shrinking things away, then the last frame before that.

    Walking back from the end while the screen holds or fills up (going backwards) passes
    over a closing fade-out and the pause before it. Of those frames, the last one of a
    pause (`hold` or more identical frames) that shows at least 80 % of the fullest is the
    still (a pause after a partial fade, with only a heading left, is not); with no such
    pause, the last frame within 1 % of the fullest (not a highlight's brief swell).
    """
    m = presence_
    last = min(last, len(m) - 1)
    first = min(max(first, 0), last)
    top = max(float(m[first : last + 1].max()), 1e-9)
    i = last
    while i > first and m[i - 1] >= m[i] - 5e-3 * top:
        i -= 1
    fullest = float(m[i : last + 1].max())
    # Identical frames differ a little after encoding; a fade changes far more per frame.
    same = np.abs(np.diff(m[i : last + 1])) <= 2e-4 * top
    run, best = 1, None
    for k, equal in enumerate(same, start=i + 1):
        run = run + 1 if equal else 1
        if run >= hold and m[k] >= 0.8 * fullest:
            best = k
    if best is not None:
        return best
    return max(j for j in range(i, last + 1) if m[j] >= fullest * 0.99)


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order (ftyp, moov, mdat, ...)."""
    boxes = []
    with open(path, "rb") as f:
        while header := f.read(8):
            if len(header) < 8:
                break
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0] - 8
            elif size == 0:
                boxes.append(kind.decode("latin-1"))
                break
            boxes.append(kind.decode("latin-1"))
            f.seek(size - 8, 1)
    return boxes


def is_faststart(path: Path) -> bool:
    """Whether the index (moov) comes before the media data, so playback starts at once."""
    boxes = top_level_boxes(path)
    return "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat")


def busyness(image: Image.Image) -> float:
    """The share of pixels that differ from the background (the top-left pixel's colour)."""
    a = np.asarray(image.convert("RGB"), dtype=np.int16)
    diff = np.abs(a - a[0, 0]).max(axis=2)
    return float((diff > 24).mean())
