"""A lecturer's recordings: found by chapter and beat, decoded to 48 kHz mono, bad files named in one line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from sigsat_core.speech.recordings import RecordingError, decode, find, validate_all


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


def test_validate_all_decodes_everything_and_names_what_matches_no_beat(tmp_path: Path) -> None:
    expected = {"learning_goal": ["intro", "goal"], "sigmoid_curves": ["intro", "zones"]}
    make(tmp_path / "learning_goal" / "intro.wav", seconds=0.5)
    make(tmp_path / "sigmoid_curves" / "zones.mp3", seconds=1.0)
    make(tmp_path / "sigmoid_curves" / "tangnet.flac")  # a typo
    make(tmp_path / "ball_on_surfaces" / "intro.wav")  # no such chapter
    make(tmp_path / "learning_goal" / "goal.ogg")  # not a format we read
    (tmp_path / "learning_goal" / "goal.flac").write_bytes(b"")  # broken
    (tmp_path / "notes.txt").write_text("to do")  # outside any chapter
    (tmp_path / "learning_goal" / ".DS_Store").write_bytes(b"x")  # hidden: ignored
    result = validate_all(tmp_path, expected)
    assert not result.ok
    assert set(result.found) == {("learning_goal", "intro"), ("sigmoid_curves", "zones")}
    assert result.durations[("learning_goal", "intro")] == pytest.approx(0.5, abs=0.01)
    assert result.durations[("sigmoid_curves", "zones")] == pytest.approx(1.0, abs=0.06)
    unmatched = "\n".join(result.unmatched)
    assert len(result.unmatched) == 4
    for name, why in [("tangnet.flac", "has no beat 'tangnet'"), ("ball_on_surfaces/intro.wav", "no chapter"),
                      ("goal.ogg", "not a wav/flac/mp3"), ("notes.txt", "not in a chapter folder")]:
        assert any(name in line and why in line for line in result.unmatched), (name, unmatched)
    assert len(result.errors) == 1 and "goal.flac: empty file" in result.errors[0]
    assert all("\n" not in line for line in result.unmatched + result.errors)


def test_validate_all_on_a_clean_folder_and_a_missing_one(tmp_path: Path) -> None:
    make(tmp_path / "learning_goal" / "intro.flac", seconds=0.25)
    result = validate_all(tmp_path, {"learning_goal": ["intro"]})
    assert result.ok and list(result.found) == [("learning_goal", "intro")]
    assert not validate_all(tmp_path / "nope", {}).ok
