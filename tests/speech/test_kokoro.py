"""The narrator Kokoro-82M: its model joined and checked, offline speech at a lecture's pace,
clause and bookmark times from its own durations, and the loudness it masters to."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sigsat_core.contract import VoiceSpec
from sigsat_core.speech import audio, kokoro
from sigsat_core.speech.engine import Speech, Voice, clause_starts
from sigsat_core.speech.factory import make_voice
from sigsat_core.speech.kokoro import Kokoro, KokoroModelError, sentence_spans

# Lecture sentences with the lecture's own terms (as `sigsat_math.speak` writes them).
PARAGRAPH = [
    "For the sigmoid, the slope is never larger than one quarter.",
    "Multiply five of them, and the result falls below one thousandth.",
    "Rayloo keeps a slope of one for every positive input; Leaky relu keeps a little below zero.",
    "E L U and G E L U smooth the corner, and sigma prime of five is zero point zero zero six six five.",
]
TEXT = " ".join(PARAGRAPH)


def rms(x: np.ndarray[Any, Any]) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def cut_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# -- fast: no model run ------------------------------------------------------------------------

def test_sentence_spans() -> None:
    text = 'It is 0.25, e.g. small. "Next?" One! Done'
    assert [text[a:b] for a, b in sentence_spans(text)] == ["It is 0.25, e.g. small.", '"Next?"', "One!", "Done"]
    assert sentence_spans("   ") == []


def test_a_sentence_too_long_for_the_model_is_cut_at_clauses() -> None:
    voice = Kokoro()
    assert voice.pieces(TEXT) == sentence_spans(TEXT)
    long = "In the first layer, " + ", ".join(["the slope of the sigmoid is small again"] * 20) + ". Done."
    pieces = voice.pieces(long)
    assert len(pieces) > 2 and pieces[-1] == (long.index("Done"), len(long))
    for (_, b), (c, _) in zip(pieces, pieces[1:], strict=False):
        assert long[b - 1] in ",." and c in clause_starts(long) and long[b:c].strip() == ""
    assert all(len(voice.phonemes(long[a:b])) <= kokoro.MAX_TOKENS - 2 for a, b in pieces)


def test_the_shipped_voices_are_style_vectors() -> None:
    assert kokoro.voices() == ["af_heart", "am_puck"]
    for name in kokoro.voices():
        vectors = kokoro.style(name)
        assert vectors.shape == (510, 1, 256) and vectors.dtype == np.float32
        assert np.all(np.isfinite(vectors)) and 0.01 < float(np.std(vectors)) < 10
    with pytest.raises(ValueError, match="af_heart, am_puck"):
        Kokoro("af_nobody")


def test_id_names_the_voice_and_settings_and_needs_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kokoro, "_load", lambda: pytest.fail("the id loaded the model"))
    base = Kokoro()
    assert base.id == Kokoro().id and "af_heart" in base.id and kokoro.MODEL_SHA256 in base.id
    assert len({base.id, Kokoro("am_puck").id, Kokoro(speed=1.0).id, Kokoro(sentence_pause=0.5).id}) == 4
    assert isinstance(base, Voice) and base.sample_rate == 24000


def test_a_model_whose_pieces_do_not_join_to_the_published_hash_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pieces = []
    for k in range(4):
        piece = tmp_path / f"part{k}.bin"
        piece.write_bytes(bytes([k]) * 1000)
        pieces.append(piece)
    monkeypatch.setattr(kokoro, "_parts", lambda: pieces)
    monkeypatch.setattr(kokoro, "_model_home", lambda: tmp_path / "home")
    kokoro.model_path.cache_clear()
    try:
        with pytest.raises(KokoroModelError, match="not 6e742170") as refused:
            kokoro.model_path()
        assert "\n" not in str(refused.value)
        assert list((tmp_path / "home").iterdir()) == []  # nothing half-made is left behind
    finally:
        kokoro.model_path.cache_clear()


@pytest.mark.slow
def test_the_installed_pieces_join_to_the_published_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kokoro, "_model_home", lambda: tmp_path)
    kokoro.model_path.cache_clear()
    try:
        path = kokoro.model_path()
        assert path == tmp_path / "kokoro-v1.0.int8.onnx" and path.stat().st_size == 92_361_271
        assert hashlib.sha256(path.read_bytes()).hexdigest() == kokoro.MODEL_SHA256
    finally:
        kokoro.model_path.cache_clear()


# -- slow: the model speaks ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def voice() -> Kokoro:
    return Kokoro()


@pytest.fixture(scope="module")
def paragraph(voice: Kokoro) -> Speech:
    return voice.speak(TEXT)


@pytest.mark.slow
def test_kokoro_speaks_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cut_the_network(monkeypatch)
    monkeypatch.setattr(kokoro, "_LOADED", {})  # from a fresh load
    monkeypatch.chdir(tmp_path)
    speech = Kokoro().speak("The network is off, and the narrator still speaks.")
    assert speech.rate == 24000 and speech.timing == "aligned"
    assert rms(speech.samples) > 0.02 and np.max(np.abs(speech.samples)) <= 1.0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_the_paragraph_is_at_a_lecture_pace_and_repeatable(voice: Kokoro, paragraph: Speech) -> None:
    words_per_minute = len(TEXT.split()) / paragraph.duration * 60
    assert 140 <= words_per_minute <= 175, words_per_minute
    assert np.array_equal(voice.speak(PARAGRAPH[0]).samples, voice.speak(PARAGRAPH[0]).samples)


@pytest.mark.slow
def test_anchors_are_every_clause_in_order_and_sentences_start_after_a_pause(paragraph: Speech) -> None:
    assert [o for o, _ in paragraph.anchors] == clause_starts(TEXT)
    times = [t for _, t in paragraph.anchors]
    assert times[0] == 0.0 and all(b > a for a, b in zip(times, times[1:], strict=False))
    assert times[-1] < paragraph.duration
    rate = paragraph.rate
    for sentence in PARAGRAPH[1:]:
        at = round(dict(paragraph.anchors)[TEXT.index(sentence)] * rate)
        before, after = paragraph.samples[at - round(0.2 * rate):at], paragraph.samples[at:at + round(0.4 * rate)]
        assert rms(before) < 0.1 * rms(after), sentence


@pytest.mark.slow
def test_a_bookmark_after_a_pause_lands_on_its_word(voice: Kokoro) -> None:
    # The voice pauses at the comma; the bookmark must fall within 0.1 s of the next word's onset,
    # which the audio shows independently of the durations: the first loud 10 ms after the pause.
    text = 'The slope is tiny here, <bookmark mark="b"/>and learning almost stops.'
    speech = voice.speak(text)
    rate, t = speech.rate, speech.bookmarks["b"]
    hop = rate // 100
    frames = [rms(speech.samples[i:i + hop]) for i in range(0, len(speech.samples) - hop, hop)]
    loud = 0.1 * max(frames)
    comma = speech.text.index(",") / len(speech.text) * len(frames)  # roughly where the pause is
    quiet = [i for i in range(int(comma * 0.7), len(frames)) if frames[i] < 0.02 * max(frames)]
    assert quiet, "no pause after the comma"
    onset = next(i for i in range(quiet[0], len(frames)) if frames[i] > loud) / 100
    assert abs(t - onset) <= 0.1, (t, onset)


@pytest.mark.slow
def test_mastered_to_broadcast_loudness(paragraph: Speech) -> None:
    track = audio.mix([(0.5, paragraph.samples)], paragraph.rate, paragraph.duration + 1.0)
    # Mono is mastered 3 dB under the delivered -16 LUFS (the file carries it on two channels).
    loudness = audio.measure(audio.master(track))
    assert loudness.integrated_lufs == pytest.approx(audio.TARGET_LUFS, abs=0.5)
    assert loudness.true_peak_dbtp <= audio.TRUE_PEAK_CEILING


@pytest.mark.slow
def test_the_silent_draft_paces_the_paragraph_like_kokoro(paragraph: Speech) -> None:
    # The estimate was fitted on lecture beats; this paragraph was not among them.
    guess = make_voice(VoiceSpec(kind="none")).speak(TEXT)
    assert guess.duration == pytest.approx(paragraph.duration, rel=0.10)
    assert [o for o, _ in guess.anchors] == [o for o, _ in paragraph.anchors]
    for (_, real), (_, est) in zip(paragraph.anchors, guess.anchors, strict=True):
        assert abs(real - est) <= 0.10 * paragraph.duration
