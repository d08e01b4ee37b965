"""The voice in the rendered lecture: every beat spoken and inside its beat, broadcast loudness,
the voice in step with the picture at every chapter start, recordings, and the silent draft."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from sigsat_core.speech.audio import measure
from tests.render.conftest import FAKE, fake_env, manifest, sigsat, snapshot

RATE = 48000


def _audio(path: Path, start: float = 0.0, seconds: float | None = None) -> np.ndarray:
    """A file's audio as mono float32 at 48 kHz, from `start` for `seconds` (all by default)."""
    frames = []
    with av.open(str(path)) as c:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        for frame in c.decode(audio=0):
            frames += resampler.resample(frame)
    data = np.concatenate([f.to_ndarray().reshape(-1) for f in frames])
    a = round(start * RATE)
    return data[a:] if seconds is None else data[a:a + round(seconds * RATE)]


def test_every_beat_is_spoken_and_its_speech_ends_inside_its_section(real_out):
    m = manifest(real_out / "tiny")
    assert m["voice"] == {"kind": "piper", "model": None, "name": None}
    for chapter in m["chapters"]:
        sections = {s["name"]: s for s in chapter["sections"]}
        assert {b["section"] for b in chapter["beats"]} == set(sections)
        for beat in chapter["beats"]:
            if not beat["text"]:
                continue
            assert beat["source"] == "piper" and beat["timing"] == "aligned" and beat["audio"]
            assert beat["speech"] > 0.5
            words = len(beat["spoken"].split())
            assert 100 <= words / beat["speech"] * 60 <= 220, beat["id"]  # a speaking pace
            section = sections[beat["section"]]
            assert section["start"] <= beat["start"]
            assert beat["start"] + beat["speech"] <= section["end"] + 1e-6, beat["id"]


def test_clips_and_lecture_are_at_broadcast_loudness(real_out):
    folder = real_out / "tiny"
    for path in [*sorted((folder / "clips").glob("*.mp4")), folder / "lecture.mp4"]:
        loudness = measure(path)
        assert loudness.integrated_lufs == pytest.approx(-16.0, abs=1.0), path.name
        assert loudness.true_peak_dbtp <= -1.5, path.name


def test_lecture_streams(real_out):
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams",
                          str(real_out / "tiny" / "lecture.mp4")], capture_output=True, text=True, check=True)
    streams = json.loads(out.stdout)["streams"]
    audio = [s for s in streams if s["codec_type"] == "audio"]
    subs = [s for s in streams if s["codec_type"] == "subtitle"]
    assert [(s["codec_name"], s["profile"], s["sample_rate"]) for s in audio] == [("aac", "LC", "48000")]
    assert [(s["codec_name"], s["tags"]["language"], s["disposition"]["default"]) for s in subs] == [
        ("mov_text", "eng", 1)]
    # The chapter marks keep their own track.
    assert any(s["codec_type"] == "data" for s in streams)


def test_the_voice_and_the_picture_agree_at_every_chapter_start(real_out):
    folder = real_out / "tiny"
    m = manifest(folder)
    frame = 1 / m["fps"]
    for chapter in m["chapters"]:
        own = _audio(folder / chapter["file"], 0.0, 4.0)
        window = _audio(folder / "lecture.mp4", max(chapter["start"] - 1.0, 0.0), 6.0)
        before = min(chapter["start"], 1.0)
        # Where the chapter's own soundtrack (in step with its own video) sits in the lecture's.
        scores = np.correlate(window, own, mode="valid")
        lag = int(np.argmax(scores)) / RATE - before
        assert abs(lag) <= frame, (chapter["slug"], lag)


def test_the_lecture_carries_each_chapters_own_audio_not_an_encoding_of_it(real_out):
    # The lecture copies the chapters' AAC frames: decoded, each chapter's stretch of the
    # lecture is its clip's audio sample for sample, but for the join itself (the delay frame
    # and the closing pause's last 2048 samples).
    folder = real_out / "tiny"
    lecture = _audio(folder / "lecture.mp4")
    for chapter in manifest(folder)["chapters"]:
        own = _audio(folder / chapter["file"])
        start = round(chapter["start"] * RATE)
        lags = [lag for lag in range(-512, 513, 128) if start + lag >= 0]
        inner = slice(1024, len(own) - 2048)
        diff = min(np.abs(lecture[start + lag:start + lag + len(own)][inner] - own[inner]).max() for lag in lags)
        assert diff == 0.0, chapter["slug"]


def _sine(path: Path, seconds: float) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=330:duration={seconds}", str(path)], check=True)


def test_a_recording_replaces_its_beat_and_the_others_keep_the_voice(tmp_path):
    recordings = tmp_path / "rec" / "alpha"
    recordings.mkdir(parents=True)
    _sine(recordings / "circle.flac", 3.0)
    out = tmp_path / "out"
    done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha", "--out", str(out),
                  "--recordings", str(tmp_path / "rec"), env=fake_env())
    assert done.returncode == 0, done.stderr
    beats = {b["id"]: b for b in manifest(out / "tiny")["chapters"][0]["beats"]}
    assert beats["circle"]["source"] == "recording"
    assert beats["circle"]["speech"] == pytest.approx(3.0, abs=0.05)
    assert beats["square"]["source"] == "piper"
    assert "keep the synthetic voice: alpha/square" in done.stderr


@pytest.mark.parametrize("content", [b"", b"not audio at all" * 20])
def test_a_broken_recording_is_one_line_and_nothing_is_written(tmp_path, content):
    recordings = tmp_path / "rec" / "alpha"
    recordings.mkdir(parents=True)
    (recordings / "square.wav").write_bytes(content)
    out = tmp_path / "out"
    done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha", "--out", str(out),
                  "--recordings", str(tmp_path / "rec"), env=fake_env())
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "square.wav" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("names", [["square.wav", "square.flac"], ["square.WAV"]])
def test_a_recording_the_render_would_pass_over_is_one_line_and_nothing_is_written(tmp_path, names):
    recordings = tmp_path / "rec" / "alpha"
    recordings.mkdir(parents=True)
    for name in names:
        _sine(recordings / name, 0.5)
    out = tmp_path / "out"
    done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha", "--out", str(out),
                  "--recordings", str(tmp_path / "rec"), env=fake_env())
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and names[-1] in done.stderr
    assert not out.exists()


def test_a_silent_draft_is_timed_as_the_voice_would_be(tmp_path):
    # The draft is timed as the default narrator, Kokoro, would speak (the suite's other renders
    # use the draft voice Piper).
    out, narrated = tmp_path / "out", tmp_path / "narrated"
    for folder, voice in ((out, "none"), (narrated, "kokoro")):
        done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--out", str(folder), "--voice", voice,
                      env=fake_env())
        assert done.returncode == 0, done.stderr
    draft, voiced = manifest(out / "tiny"), manifest(narrated / "tiny")
    assert draft["voice"]["kind"] == "none"
    for a, b in zip(draft["chapters"], voiced["chapters"], strict=True):
        for x, y in zip(a["beats"], b["beats"], strict=True):
            assert (x["id"], x["source"], y["source"]) == (y["id"], "estimate", "kokoro")
            assert x["speech"] == pytest.approx(y["speech"], rel=0.25), x["id"]
        assert a["duration"] == pytest.approx(b["duration"], rel=0.15)
    assert measure(out / "tiny" / "lecture.mp4").true_peak_dbtp < -90  # silent, but an audio track


def test_voice_value_is_checked(tmp_path):
    for bad, says in (("nobody", "use 'kokoro[:NAME]', 'piper', 'none' or a Piper voice file"),
                      ("kokoro:af_nobody", "no Kokoro voice 'af_nobody' (there are: af_heart, am_puck)"),
                      (str(tmp_path / "x.onnx"), "no such file")):
        done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha", "--out", str(tmp_path / "o"),
                      "--voice", bad, env=fake_env())
        assert done.returncode == 2 and says in done.stderr
        assert not (tmp_path / "o").exists()


def test_script_lists_every_beat(fake_copy):
    before = snapshot(fake_copy / "tiny")
    done = sigsat("script", "--out", str(fake_copy))
    assert done.returncode == 0, done.stderr
    assert snapshot(fake_copy / "tiny") == before  # the render already wrote the same script
    rows = (fake_copy / "tiny" / "script.csv").read_text(encoding="utf-8").splitlines()
    m = manifest(fake_copy / "tiny")
    beats = [(c["slug"], b["id"]) for c in m["chapters"] for b in c["beats"] if b["text"]]
    assert [tuple(r.split(",")[:2]) for r in rows[1:]] == beats
    md = (fake_copy / "tiny" / "script.md").read_text(encoding="utf-8")
    assert all(f"`{beat}`" in md for _, beat in beats)
