"""A chapter's bytes are a function of its key: the encoders the renderer drives give the same
bytes for the same frames, however often and however busy the machine is."""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from sigsat_core.contract import Job, Quality
from sigsat_core.qualities import X264
from tests.render.conftest import FAKE, fake_env, sigsat

FIXTURES = Path(__file__).parent / "fixtures"
# Five frames of a text fading in over practice problem 1 (192x108, RGBA), taken from manim as
# it hands them to its segment encoder. x264 driven by PyAV encoded them three different ways
# in 30 tries (with one thread too); the decoded pictures differed, by up to 18 levels.
FRAMES = np.load(FIXTURES / "fading_frames.npz")["frames"]


def _manim_movie(path: Path, container: str, codec: str, pixels: str, options: dict[str, str]) -> None:
    """FRAMES written as manim's VideoSegmentEncoder writes them, with these settings."""
    with av.open(str(path), mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=Fraction(5), options=options)
        stream.pix_fmt, stream.width, stream.height = pixels, 192, 108
        for i, pixels_ in enumerate(FRAMES):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels_), format="rgba")
            frame.pts, frame.time_base = i, Fraction(1, 5)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())


def _job(tmp_path: Path) -> Job:
    return Job(module="m", scene="S", slug="s", title="S",
               quality=Quality(name="tiny", width=192, height=108, fps=5), format="mp4",
               transparent=False, params={}, work=str(tmp_path), tex_dir=str(tmp_path / "tex"),
               speech_dir=str(tmp_path / "speech"), cache=str(tmp_path / "cache"), key="k",
               inputs={})


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_master_is_a_function_of_the_frames_manim_drew(tmp_path):
    from manim import config, tempconfig

    from sigsat.worker import _configure
    from sigsat_core.encode import h264

    with tempconfig({}):
        _configure(_job(tmp_path), tmp_path)
        container = config.format
        codec = "libx264" if config.video_codec == "auto" else config.video_codec
        pixels = "yuv420p" if config.pixel_format == "auto" else config.pixel_format
        options = {"crf": "23", **config.video_encoder_options} if codec == "libx264" else {}
        options.update(config.video_encoder_options)
    movie = tmp_path / f"movie.{container}"
    _manim_movie(movie, container, codec, pixels, options)
    with av.open(str(movie)) as c:
        decoded = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    # Lossless: whatever bytes manim's encoder chose, they decode to the frames it was given.
    assert len(decoded) == len(FRAMES)
    assert all((d == f[..., :3]).all() for d, f in zip(decoded, FRAMES, strict=True)), codec
    masters = set()
    for i in range(6):
        master = tmp_path / f"master{i}.mp4"
        h264(movie, master)
        masters.add(_sha256(master))
    assert len(masters) == 1


def test_ffmpeg_encodes_h264_on_one_thread():
    assert X264[X264.index("-threads") + 1] == "1"


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--format", "webm"], ["--transparent", "--format", "webm"]])
def test_webm_clips_are_the_same_bytes_each_time(tmp_path, args):
    clips = set()
    for run in ("a", "b"):
        done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha", "--voice", "none", "--quiet",
                      "--out", str(tmp_path / run), *args, env=fake_env())
        assert done.returncode == 0, done.stderr
        clips.add(_sha256(tmp_path / run / "tiny" / "clips" / "01_alpha.webm"))
    assert len(clips) == 1  # Matroska's segment id is random unless ffmpeg is asked for bitexact
