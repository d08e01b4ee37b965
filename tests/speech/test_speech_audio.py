"""The soundtrack: placing speech without clicks, mastering to -16 LUFS under -1.5 dBTP, FLAC, the MP4."""

from __future__ import annotations

import hashlib
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from sigsat_core.speech import audio
from sigsat_core.speech.audio import RATE, Samples
from sigsat_core.speech.engine import Piper

SENTENCE = ("Far from zero, the sigmoid is almost flat: its slope, and with it the gradient, "
            "is close to nothing.")


@pytest.fixture(scope="module")
def speech() -> tuple[Samples, int]:
    spoken = Piper().speak(SENTENCE)
    return spoken.samples, spoken.rate


def sine(freq: float, seconds: float, amplitude: float, rate: int = RATE, phase: float = 0.0) -> Samples:
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def video(tmp_path: Path, frames: int = 60, fps: int = 30, name: str = "video.mp4") -> Path:
    path = tmp_path / name
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size=64x36:rate={fps}",
                    "-frames:v", str(frames), "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def streams(path: Path) -> tuple[list[tuple[str, str, int, float]], float]:
    """(type, codec, rate or frames, duration) per stream, and the video's frame duration."""
    with av.open(str(path)) as container:
        found: list[tuple[str, str, int, float]] = []
        frame = 0.0
        for s in container.streams:
            assert s.duration is not None and s.time_base is not None
            duration = float(s.duration * s.time_base)
            if isinstance(s, av.VideoStream):
                frame = float(1 / Fraction(s.average_rate or 1))
                found.append((s.type, s.codec_context.name, s.frames, duration))
            elif isinstance(s, av.AudioStream):
                found.append((s.type, s.codec_context.name, s.codec_context.sample_rate, duration))
        return found, frame


# -- mix -------------------------------------------------------------------------------------

def test_mix_is_exactly_as_long_as_asked_and_places_at_the_start_time() -> None:
    for duration in (0.0, 1.0, 2.345678, 10 / 3):
        assert len(audio.mix([], 22050, duration)) == round(duration * RATE)
    click = np.zeros(2205, np.float32)
    click[1000:1010] = 0.5  # 1000 samples in at 22050 Hz
    track = audio.mix([(0.25, click)], 22050, 1.0)
    peak = int(np.argmax(np.abs(track)))
    expected = 0.25 * RATE + 1000 * RATE / 22050
    assert abs(peak - expected) <= 12  # within a quarter of a millisecond


def test_mix_resamples_to_the_same_duration_and_pitch() -> None:
    tone = sine(440, 1.0, 0.5, rate=22050)
    track = audio.mix([(0.0, tone)], 22050, 1.0)
    spectrum = np.abs(np.fft.rfft(track * np.hanning(len(track))))
    assert np.fft.rfftfreq(len(track), 1 / RATE)[np.argmax(spectrum)] == pytest.approx(440, abs=1.5)
    middle = track[RATE // 4: 3 * RATE // 4]
    assert np.sqrt(np.mean(middle ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_overlaps_add_and_overflow_is_cut_without_a_crash() -> None:
    one = np.full(RATE, 0.25, np.float32)
    track = audio.mix([(0.0, one), (0.5, one), (1.8, one), (-0.5, one), (5.0, one)], RATE, 2.0)
    assert len(track) == 2 * RATE
    assert track[int(0.75 * RATE)] == pytest.approx(0.5)  # the first two overlap here
    assert track[int(0.25 * RATE)] == pytest.approx(0.5)  # the one that started before 0
    assert track[int(1.9 * RATE)] == pytest.approx(0.25)
    assert track[-1] == pytest.approx(0.0, abs=0.25 * 0.01)  # cut at the end, and faded there
    with pytest.raises(ValueError, match="rates"):
        audio.mix([(0.0, one)], [RATE, RATE], 1.0)


def test_placement_edges_do_not_click(speech: tuple[Samples, int]) -> None:
    samples, rate = speech
    # A tone cut at its crest (cos) at both ends: without a fade each edge is a step of 0.5.
    tone = sine(440, 0.5, 0.5, rate=rate, phase=np.pi / 2)
    # Speech cut short by the end of the timeline, mid-word.
    duration = 1.0 + len(samples) / rate / 2
    track = audio.mix([(0.3, tone), (1.0, samples)], [rate, rate], duration)
    steps = np.abs(np.diff(track.astype(np.float64)))
    speech_steps = steps[RATE:]
    window = round(0.002 * RATE)
    edges = [round(0.3 * RATE), round(0.8 * RATE), len(track) - 1]
    for edge in edges:
        near = steps[max(edge - window, 0): edge + window]
        assert near.max() < 0.25 * speech_steps.max(), edge
    tone_steps = steps[round(0.4 * RATE): round(0.7 * RATE)]
    assert steps[edges[0] - window: edges[0] + window].max() <= 1.1 * tone_steps.max()


# -- loudness --------------------------------------------------------------------------------

def test_measure_reads_a_sine_as_bs1770_says() -> None:
    # A 997 Hz sine at amplitude 0.1 (-20 dBFS peak) reads -23.0 LUFS (-3.01 dB below its peak
    # level, as in the standard's calibration) with a true peak of -20 dBTP.
    loudness = audio.measure(sine(997, 5.0, 0.1))
    assert loudness.integrated_lufs == pytest.approx(-23.0, abs=0.1)
    assert loudness.true_peak_dbtp == pytest.approx(-20.0, abs=0.1)


def test_limiter_holds_the_ceiling_and_leaves_quiet_audio_alone() -> None:
    quiet = sine(300, 1.0, 0.3)
    assert np.array_equal(audio.limit(quiet, -2.0), quiet)
    loud = sine(300, 2.0, 0.3)
    loud[RATE // 2: RATE // 2 + 200] += sine(3000, 200 / RATE, 0.9)  # a burst to +1.5 dB over 0 dBFS
    limited = audio.limit(loud, -2.0)
    assert audio.measure(limited).true_peak_dbtp <= -2.0 + 0.1
    # Away from the burst nothing changed.
    assert np.allclose(limited[RATE + RATE // 2:], loud[RATE + RATE // 2:])


def test_a_mastered_sentence_is_at_minus_16_lufs_under_minus_1_5_dbtp_in_the_mp4(
        speech: tuple[Samples, int], tmp_path: Path) -> None:
    samples, rate = speech
    duration = len(samples) / rate + 1.0
    track = audio.master(audio.mix([(0.5, samples)], rate, duration))
    assert len(track) == round(duration * RATE)
    raw = audio.measure(track)
    assert raw.integrated_lufs == pytest.approx(audio.TARGET_LUFS, abs=0.2)
    assert raw.true_peak_dbtp <= audio.TRUE_PEAK_TARGET + 0.1
    movie = tmp_path / "out.mp4"
    audio.mux(video(tmp_path, frames=round(duration * 30)), track, movie)
    delivered = audio.measure(movie)
    assert delivered.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert delivered.true_peak_dbtp <= -1.5


def test_master_takes_another_target(speech: tuple[Samples, int]) -> None:
    samples, rate = speech
    track = audio.master(audio.mix([(0.0, samples)], rate, len(samples) / rate), target_lufs=-19.0)
    loudness = audio.measure(track)
    assert loudness.integrated_lufs == pytest.approx(-19.0, abs=0.2)
    assert loudness.true_peak_dbtp <= audio.TRUE_PEAK_TARGET + 0.1


def test_silence_stays_silent() -> None:
    assert not np.any(audio.master(np.zeros(RATE, np.float32)))
    assert len(audio.master(np.zeros(0, np.float32))) == 0
    # Too quiet to measure (below the -70 LUFS gate): left as it is, not blown up.
    whisper = sine(440, 1.0, 1e-5)
    assert np.array_equal(audio.master(whisper), whisper)


# -- files -----------------------------------------------------------------------------------

def test_flac_round_trip_is_exact_to_24_bits_and_deterministic(tmp_path: Path) -> None:
    track = sine(440, 0.5, 0.5)
    first, second = tmp_path / "a.flac", tmp_path / "b.flac"
    audio.write_flac(track, first)
    audio.write_flac(track, second)
    assert first.read_bytes() == second.read_bytes()
    with av.open(str(first)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "flac" and stream.codec_context.sample_rate == RATE
        decoded = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(stream)])
    assert np.max(np.abs(decoded / 2.0 ** 31 - track)) < 2.0 ** -22
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(("frames", "seconds_of_audio"), [(60, 1.2), (60, 3.0), (45, 1.5)])
def test_mux_gives_one_video_and_one_aac_stream_as_long_as_the_video(
        tmp_path: Path, frames: int, seconds_of_audio: float) -> None:
    movie = video(tmp_path, frames=frames)
    out = tmp_path / "muxed.mp4"
    audio.mux(movie, sine(440, seconds_of_audio, 0.3), out)
    found, frame = streams(out)
    assert [(kind, codec) for kind, codec, *_ in found] == [("video", "h264"), ("audio", "aac")]
    (_, _, video_frames, video_seconds), (_, _, sample_rate, audio_seconds) = found
    assert video_frames == frames and sample_rate == RATE
    assert abs(audio_seconds - video_seconds) <= frame
    with av.open(str(out)) as container:
        ctx = container.streams.audio[0].codec_context
        assert ctx.profile == "LC" and ctx.channels == 2  # the voice on both channels (dual mono)
    # moov before mdat: plays while it loads.
    head = out.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_mux_is_deterministic_and_takes_a_flac(tmp_path: Path) -> None:
    movie = video(tmp_path)
    track = sine(220, 2.0, 0.3)
    outs = [tmp_path / f"{i}.mp4" for i in range(2)]
    for out in outs:
        audio.mux(movie, track, out)
    digests = {hashlib.sha256(out.read_bytes()).hexdigest() for out in outs}
    assert len(digests) == 1
    flac = tmp_path / "track.flac"
    audio.write_flac(track, flac)
    from_flac = tmp_path / "flac.mp4"
    audio.mux(movie, flac, from_flac)
    found, frame = streams(from_flac)
    assert abs(found[0][3] - found[1][3]) <= frame


def test_mux_keeps_the_true_peak_ceiling_after_aac(tmp_path: Path) -> None:
    # Peaks at -1.0 dBTP: over the ceiling already, and AAC adds its own overshoot.
    hot = sine(1000, 2.0, 10 ** (-1.0 / 20))
    out = tmp_path / "hot.mp4"
    audio.mux(video(tmp_path), hot, out)
    assert audio.measure(out).true_peak_dbtp <= audio.TRUE_PEAK_CEILING
    # Asked not to check, it leaves the level alone.
    audio.mux(video(tmp_path), hot, out, ceiling_dbtp=None)
    assert audio.measure(out).true_peak_dbtp > audio.TRUE_PEAK_CEILING
