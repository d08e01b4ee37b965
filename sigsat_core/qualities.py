"""What `--quality` and `--format` mean: frame size and rate, codecs and containers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .contract import Quality as Quality  # a quality is a record: jobs and manifests carry it

# 30 fps at hd and 4k, not manim's 60: the lecture's motion is slow (curves drawn, a ball
# rolling), and half the frames halve the render time on a laptop.
QUALITIES: dict[str, Quality] = {
    q.name: q
    for q in (
        Quality(name="preview", width=854, height=480, fps=15, doc="854x480 at 15 fps (manim's -ql): quick checks"),
        Quality(name="hd", width=1920, height=1080, fps=30, doc="1920x1080 at 30 fps: the lecture"),
        Quality(name="4k", width=3840, height=2160, fps=30, doc="3840x2160 at 30 fps: large screens, slow to render"),
        Quality(name="tiny", width=192, height=108, fps=5, doc="192x108 at 5 fps: tests and smoke checks"),
    )
}
DEFAULT_QUALITY = "hd"


# H.264 at crf 23, yuv420p, one thread (the same bytes each time: see sigsat.worker). The preset
# is chosen with bench/encoder_floor.py on the lecture's own hd frames: `veryfast` encodes in 68 %
# of `medium`'s time (encoder alone), at SSIM 0.9985 against the lossless frames (medium 0.9988)
# and a 7 % smaller file; `fast` and `faster` are slower than medium on these frames, `superfast`
# twice the size, `-tune animation` no faster and 7 % larger.
X264 = ("-c:v", "libx264", "-crf", "23", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-threads", "1")
_VP9 = ("-c:v", "libvpx-vp9", "-crf", "32", "-b:v", "0", "-deadline", "good", "-cpu-used", "4",
        "-row-mt", "1")
_PRORES_HQ = ("-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le", "-vendor", "apl0")
_PRORES_4444 = ("-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", "yuva444p10le",
                "-alpha_bits", "16", "-vendor", "apl0")


def _gif(transparent: bool, quality: Quality) -> tuple[str, ...]:
    graph = (f"fps={quality.gif_fps},split[a][b];[a]palettegen=stats_mode=diff[p];"
             "[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle")
    return ("-vf", graph, "-loop", "0")


@dataclass(frozen=True)
class Format:
    """A clip container and codec, with the ffmpeg arguments that make it from the master
    (`args(transparent, quality)`; None for the master's own format)."""

    name: str
    ext: str
    doc: str
    alpha: bool  # can carry transparency
    args: Callable[[bool, Quality], tuple[str, ...]] | None = None
    audio: tuple[str, ...] = ()  # how it carries the narration (none: silent)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("mp4", "mp4", "H.264 and AAC, yuv420p, faststart: browsers, PowerPoint, Keynote", False),
        Format("webm", "webm", "VP9 and Opus (VP9 with alpha when --transparent): browsers", True,
               lambda t, q: (*_VP9, "-pix_fmt", "yuva420p" if t else "yuv420p"),
               ("-c:a", "libopus", "-b:a", "96k")),
        Format("gif", "gif", "looping GIF (20 fps at most, silent): anywhere", False, _gif),
        Format("mov", "mov", "ProRes 422 HQ, or ProRes 4444 with alpha when --transparent; PCM audio", True,
               lambda t, q: _PRORES_4444 if t else _PRORES_HQ, ("-c:a", "pcm_s16le")),
    )
}
DEFAULT_FORMAT = "mp4"
TRANSPARENT_DEFAULT_FORMAT = "mov"
