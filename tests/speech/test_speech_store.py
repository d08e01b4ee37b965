"""The speech cache: made once per text, voice and recording; exact on reading back; whole or absent."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from sigsat_core.speech.engine import Estimate, Speech
from sigsat_core.speech.store import SpeechStore, read_wav, speech_key, wav_bytes


class FakeVoice:
    """A voice that counts how often it speaks; its 'speech' is a tone as long as the text."""

    def __init__(self, id: str = "fake 1", rate: int = 22050) -> None:
        self._id = id
        self.rate = rate
        self.calls = 0

    @property
    def id(self) -> str:
        return self._id

    @property
    def sample_rate(self) -> int:
        return self.rate

    def speak(self, text: str) -> Speech:
        self.calls += 1
        n = len(text) * 500
        samples = (0.3 * np.sin(np.arange(n) * 0.05) + 1e-7 * np.arange(n)).astype(np.float32)
        return Speech(text, samples, self.rate, [(0, 0.0), (len(text) // 2, n / self.rate / 3)],
                      {"middle": n / self.rate / 2}, "aligned")


def same(a: Speech, b: Speech) -> bool:
    return (a.text == b.text and a.rate == b.rate and np.array_equal(a.samples, b.samples)
            and a.samples.dtype == b.samples.dtype and a.anchors == b.anchors
            and a.bookmarks == b.bookmarks and a.timing == b.timing)


def test_the_second_call_does_not_speak_and_gives_the_same_speech(tmp_path: Path) -> None:
    voice = FakeVoice()
    first = SpeechStore(tmp_path).get_or_make("The slope is one quarter.", voice)
    # Another store on the same folder: as another process would see it.
    second = SpeechStore(tmp_path).get_or_make("The slope is one quarter.", voice)
    assert voice.calls == 1
    assert same(first, second)
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".wav"]


def test_text_voice_and_recording_each_change_the_key(tmp_path: Path) -> None:
    store = SpeechStore(tmp_path)
    a, b = FakeVoice("fake 1"), FakeVoice("fake 2")
    keys = {store.key("One.", a), store.key("One!", a), store.key("One.", b)}
    recording = tmp_path / "take.wav"
    recording.write_bytes(wav_bytes(np.zeros(100, np.float32), 48000))
    keys.add(store.key("One.", a, recording))
    recording.write_bytes(wav_bytes(np.ones(100, np.float32) * 0.1, 48000))  # re-recorded
    keys.add(store.key("One.", a, recording))
    assert len(keys) == 5
    assert speech_key("x", "v") == speech_key("x", "v") != speech_key("x", "v", "0" * 64)
    store.get_or_make("One.", a)
    store.get_or_make("One!", a)
    store.get_or_make("One.", b)
    assert (a.calls, b.calls) == (2, 1)


@pytest.mark.parametrize("damage", ["wav", "json", "missing wav", "missing json"])
def test_a_damaged_entry_is_made_again(tmp_path: Path, damage: str) -> None:
    voice = FakeVoice()
    store = SpeechStore(tmp_path)
    made = store.get_or_make("Saturation.", voice)
    wav, meta = store.paths(store.key("Saturation.", voice))
    if damage == "wav":
        blob = bytearray(wav.read_bytes())
        blob[-1] ^= 0xFF
        wav.write_bytes(bytes(blob))
    elif damage == "json":
        meta.write_text(meta.read_text()[:20])
    else:
        (wav if damage == "missing wav" else meta).unlink()
    again = store.get_or_make("Saturation.", voice)
    assert voice.calls == 2 and same(made, again)
    assert store.get(store.key("Saturation.", voice)) is not None


def test_the_wav_is_exact_float_and_readable_by_ffmpeg(tmp_path: Path) -> None:
    samples = np.array([0.0, 0.5, -0.25, 1e-9, -1.0], np.float32)
    blob = wav_bytes(samples, 22050)
    back, rate = read_wav(blob)
    assert rate == 22050 and np.array_equal(back, samples)
    path = tmp_path / "x.wav"
    path.write_bytes(blob)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels",
                            "-of", "csv=p=0", str(path)], capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "pcm_f32le,22050,1"


def test_a_recording_is_decoded_at_48k_with_estimated_times_stretched_to_it(tmp_path: Path) -> None:
    recording = tmp_path / "intro.flac"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
                    "-i", "sine=frequency=200:sample_rate=44100:duration=6", str(recording)], check=True)
    voice = FakeVoice()
    text = 'The sigmoid, <bookmark mark="flat"/>far from zero, is flat. So is its slope.'
    speech = SpeechStore(tmp_path / "store").get_or_make(text, voice, recording)
    assert voice.calls == 0
    assert speech.rate == 48000 and speech.duration == pytest.approx(6.0, abs=0.01)
    assert speech.timing == "estimated" and "<bookmark" not in speech.text
    times = [t for _, t in speech.anchors]
    assert times == sorted(times) and times[-1] < speech.duration
    assert 0 < speech.bookmarks["flat"] < times[-1]
    again = SpeechStore(tmp_path / "store").get_or_make(text, voice, recording)
    assert same(speech, again)


def test_the_silent_estimate_is_stored_like_a_voice(tmp_path: Path) -> None:
    store = SpeechStore(tmp_path)
    made = store.get_or_make("A draft without sound, paced like the voice.", Estimate())
    assert same(made, store.get_or_make("A draft without sound, paced like the voice.", Estimate()))


def _writer(root: str, rounds: int) -> None:
    voice = FakeVoice()
    store = SpeechStore(Path(root))
    speech = voice.speak("Concurrent writers, one entry." * 8)
    for _ in range(rounds):
        store.put(store.key("shared", voice), speech, voice.id)


def test_concurrent_writers_never_leave_a_half_entry(tmp_path: Path) -> None:
    voice = FakeVoice()
    store = SpeechStore(tmp_path)
    key = store.key("shared", voice)
    # spawn, not fork: a child forked from a process with threads (the test worker has some)
    # can inherit a lock held mid-call and hang.
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(tmp_path), 40)) for _ in range(2)]
    for w in writers:
        w.start()
    while any(w.is_alive() for w in writers):
        found = store.get(key)
        if found is not None:
            assert len(found.samples) == len(found.text) * 500
    for w in writers:
        w.join()
        assert w.exitcode == 0
    assert store.get(key) is not None
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("planted", ["json", "wav"])
def test_a_fifo_or_a_link_in_place_of_a_stored_speech_is_not_stored_and_never_waited_on(tmp_path, planted):
    import signal

    voice = FakeVoice()
    store = SpeechStore(tmp_path / "store")
    key = store.key("A beat.", voice)
    store.put(key, voice.speak("A beat."), voice.id)
    wav, meta = store.paths(key)
    target = meta if planted == "json" else wav
    saved = target.read_bytes()
    target.unlink()
    os.mkfifo(target)
    def hung(*_: object) -> None:
        raise TimeoutError("the store waited on a FIFO")

    # A blocking read would hang here; the alarm fails the test instead.
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    try:
        assert store.get(key) is None
        target.unlink()
        (tmp_path / "elsewhere").write_bytes(saved)
        target.symlink_to(tmp_path / "elsewhere")
        assert store.get(key) is None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
