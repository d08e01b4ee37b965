"""A lecturer's recordings: found by chapter and beat, decoded to 48 kHz mono, bad files named in one line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from sigsat_core.speech.recordings import RecordingError, decode, find, listing, survey, unmatched


def make(path: Path, seconds: float = 1.0, rate: int = 44100, channels: int = 2, freq: int = 440) -> Path:
    """A sine recording, encoded by ffmpeg as the suffix says."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
                    "-i", f"sine=frequency={freq}:sample_rate={rate}:duration={seconds}",
                    "-ac", str(channels), str(path)], check=True)
    return path


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".mp3"])
def test_decode_gives_48k_mono_float_of_the_same_length_and_pitch(tmp_path: Path, suffix: str) -> None:
    path = make(tmp_path / f"beat{suffix}", seconds=1.0, rate=44100, channels=2, freq=440)
    samples = decode(path)
    assert samples.dtype == np.float32 and samples.ndim == 1
    # mp3 adds its encoder delay and padding; wav and flac are exact.
    assert len(samples) == pytest.approx(48000, abs=2500 if suffix == ".mp3" else 2)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    assert np.fft.rfftfreq(len(samples), 1 / 48000)[np.argmax(spectrum)] == pytest.approx(440, abs=2)
    assert 0.05 < np.sqrt(np.mean(samples[4800:-4800] ** 2)) < 1.0
    assert len(decode(path, rate=22050)) == pytest.approx(22050, abs=1200 if suffix == ".mp3" else 2)


def test_find_by_chapter_and_beat(tmp_path: Path) -> None:
    make(tmp_path / "sigmoid_curves" / "intro.flac")
    make(tmp_path / "sigmoid_curves" / "tangent.mp3")
    assert find(tmp_path, "sigmoid_curves", "intro") == tmp_path / "sigmoid_curves" / "intro.flac"
    assert find(tmp_path, "sigmoid_curves", "tangent") == tmp_path / "sigmoid_curves" / "tangent.mp3"
    assert find(tmp_path, "sigmoid_curves", "zones") is None
    assert find(tmp_path, "learning_goal", "intro") is None
    make(tmp_path / "sigmoid_curves" / "intro.wav")
    with pytest.raises(RecordingError, match="more than one recording"):
        find(tmp_path, "sigmoid_curves", "intro")


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty file"),
    (b"RIFF\x10\x00\x00\x00WAVEfmt this is not audio at all" * 20, "cannot decode"),
    (bytes(range(256)) * 64, "cannot decode"),
])
def test_a_bad_file_is_one_line_naming_it_and_why(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "chapter" / "beat.wav"
    path.parent.mkdir()
    path.write_bytes(content)
    with pytest.raises(RecordingError) as caught:
        decode(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)) and reason in message


def test_a_missing_file_and_a_video_without_sound(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such file"):
        decode(tmp_path / "nothing.wav")
    silent_video = tmp_path / "picture.mp3"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=32x32:rate=5",
                    "-frames:v", "3", "-c:v", "mjpeg", "-f", "avi", str(silent_video)], check=True)
    with pytest.raises(RecordingError, match="no audio stream"):
        decode(silent_video)


def test_survey_decodes_every_recording_and_unmatched_names_what_is_no_beat(tmp_path: Path) -> None:
    beats = {"learning_goal": ["intro", "goal"], "sigmoid_curves": ["intro", "zones"]}
    make(tmp_path / "learning_goal" / "intro.wav", seconds=0.5)
    make(tmp_path / "sigmoid_curves" / "zones.mp3", seconds=1.0)
    make(tmp_path / "sigmoid_curves" / "tangnet.flac")  # a typo
    make(tmp_path / "ball_on_surfaces" / "intro.wav")  # a chapter not rendered this time
    (tmp_path / "learning_goal" / "notes.txt").write_text("to do")  # not a recording
    (tmp_path / "learning_goal" / ".DS_Store").write_bytes(b"x")  # hidden: ignored
    found = survey(tmp_path, list(beats))
    assert found == {("learning_goal", "intro"): tmp_path / "learning_goal" / "intro.wav",
                     ("sigmoid_curves", "zones"): tmp_path / "sigmoid_curves" / "zones.mp3",
                     ("sigmoid_curves", "tangnet"): tmp_path / "sigmoid_curves" / "tangnet.flac"}
    assert unmatched(found, beats) == [tmp_path / "sigmoid_curves" / "tangnet.flac"]
    (tmp_path / "learning_goal" / "goal.flac").write_bytes(b"")  # broken
    with pytest.raises(RecordingError, match="goal.flac: empty file"):
        survey(tmp_path, list(beats))
    with pytest.raises(RecordingError, match="no such folder"):
        survey(tmp_path / "nope", list(beats))


@pytest.mark.parametrize(("names", "why"), [
    (["intro.wav", "intro.flac"], "a second recording of beat 'intro'"),
    (["intro.mp3", "intro.wav"], "a second recording of beat 'intro'"),
    (["intro.WAV"], r"lower case \(intro.wav\)"),
    (["zones.wav", "intro.Flac"], r"lower case \(intro.flac\)"),
])
def test_a_recording_that_would_be_passed_over_is_refused_naming_it(tmp_path: Path, names: list[str],
                                                                     why: str) -> None:
    # `find` looks for each beat's lower-case suffixes: a second file, or one it would not
    # look for, would be silently ignored in the render.
    for name in names:
        make(tmp_path / "learning_goal" / name, seconds=0.2)
    with pytest.raises(RecordingError, match=why) as caught:
        listing(tmp_path, ["learning_goal"])
    assert "\n" not in str(caught.value) and str(tmp_path / "learning_goal") in str(caught.value)
