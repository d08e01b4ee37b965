"""The voice: real Piper speech, its timings and bookmarks, offline, and the estimate that paces like it."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sigsat_core.speech import engine
from sigsat_core.speech.engine import Estimate, Piper, Speech, Voice, clause_starts, estimate, split_bookmarks

# A lecture paragraph that bench/speech_bench.py's calibration never saw.
PARAGRAPH = [
    "Let us look again at the chain rule for a network with five layers.",
    "The gradient of the loss with respect to the first weight is a long product.",
    "Every factor in that product contains the slope of an activation.",
    "For the sigmoid, this slope is never larger than one quarter.",
    "Multiply five of them, and the result falls below one thousandth.",
    "The first layer therefore learns about a thousand times more slowly than the last.",
    "Training does not stop; it simply crawls, and the early features barely change.",
    "This is why deep sigmoid networks were so hard to train for many years.",
    "A better activation keeps its slope close to one over a wide range of inputs.",
    "With ReLU, the positive half passes the gradient through unchanged.",
]
TEXT = " ".join(PARAGRAPH)


@pytest.fixture(scope="module")
def voice() -> Piper:
    return Piper()


@pytest.fixture(scope="module")
def paragraph(voice: Piper) -> Speech:
    return voice.speak(TEXT)


def rms(x: np.ndarray[Any, Any]) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def test_piper_is_a_voice(voice: Piper) -> None:
    assert isinstance(voice, Voice) and isinstance(Estimate(), Voice)
    assert voice.sample_rate == 22050


def test_a_sentence_is_audible_speech_at_a_plausible_pace(voice: Piper) -> None:
    # Alone, without the pauses between sentences; short words (PARAGRAPH[0]) run faster.
    speech = voice.speak(PARAGRAPH[2])
    assert speech.samples.dtype == np.float32 and speech.samples.ndim == 1
    assert speech.rate == 22050 and speech.timing == "aligned"
    assert rms(speech.samples) > 0.02
    assert np.max(np.abs(speech.samples)) <= 1.0
    words_per_minute = len(PARAGRAPH[2].split()) / speech.duration * 60
    assert 100 <= words_per_minute <= 220


def test_the_paragraph_is_at_a_lecture_pace(paragraph: Speech) -> None:
    words_per_minute = len(TEXT.split()) / paragraph.duration * 60
    assert 145 <= words_per_minute <= 175, words_per_minute


def test_the_same_text_gives_the_same_audio(voice: Piper) -> None:
    # Piper's model draws noise; engine seeds it from the text, so the audio is repeatable.
    a, b = voice.speak(PARAGRAPH[5]), voice.speak(PARAGRAPH[5])
    assert np.array_equal(a.samples, b.samples)
    c = Piper(seed=1).speak(PARAGRAPH[5])
    assert not np.array_equal(a.samples[: len(c.samples)], c.samples[: len(a.samples)])


def test_synthesis_needs_no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    # From a fresh load, in a folder where nothing could have been downloaded before.
    monkeypatch.setattr(engine, "_LOADED", {})
    monkeypatch.chdir(tmp_path)
    speech = Piper().speak("The network is off, and the voice still speaks.")
    assert rms(speech.samples) > 0.02
    assert list(tmp_path.iterdir()) == []


def test_anchors_are_sentence_and_clause_starts_in_order_inside(paragraph: Speech) -> None:
    offsets = [o for o, _ in paragraph.anchors]
    assert offsets == clause_starts(TEXT)
    # One per sentence, and one after each ',' and ';'.
    assert len(offsets) == len(PARAGRAPH) + TEXT.count(",") + TEXT.count(";")
    times = [t for _, t in paragraph.anchors]
    assert times[0] == 0.0
    assert all(b > a for a, b in zip(times, times[1:], strict=False))
    assert times[-1] < paragraph.duration


def test_sentence_anchors_fall_in_the_pause_between_sentences(paragraph: Speech) -> None:
    # Just before a sentence's anchor the voice is silent (the pause), just after it speaks.
    rate = paragraph.rate
    sentence_starts = [TEXT.index(s) for s in PARAGRAPH[1:]]
    for offset, seconds in paragraph.anchors:
        if offset not in sentence_starts:
            continue
        at = round(seconds * rate)
        before = paragraph.samples[at - round(0.2 * rate): at]
        after = paragraph.samples[at: at + round(0.4 * rate)]
        assert rms(before) < 0.1 * rms(after), (offset, seconds)


def test_bookmarks_are_ordered_and_inside(voice: Piper) -> None:
    text = ('The slope is <bookmark mark="slope"/>one quarter at most. Stack five layers, '
            'and <bookmark mark="product"/>multiply. <bookmark mark="end"/>Done.')
    speech = voice.speak(text)
    assert "<bookmark" not in speech.text and speech.text.startswith("The slope is one quarter")
    assert list(speech.bookmarks) == ["slope", "product", "end"]
    times = list(speech.bookmarks.values())
    assert 0 < times[0] < times[1] < times[2] < speech.duration
    # "end" sits at the start of the last sentence, which is an anchor too.
    assert speech.bookmarks["end"] == dict(speech.anchors)[speech.text.index("Done")]


def test_split_bookmarks_and_clause_starts() -> None:
    spoken, marks = split_bookmarks("A <bookmark mark='x'/>b, c.<bookmark mark=\"y\" />")
    assert spoken == "A b, c." and marks == [("x", 2), ("y", 7)]
    with pytest.raises(ValueError, match="used twice"):
        split_bookmarks('<bookmark mark="a"/> x <bookmark mark="a"/>')
    with pytest.raises(ValueError, match="malformed"):
        split_bookmarks("<bookmark name='a'/> x")
    text = "It is 0.25, e.g. small—very. Next: one; two! Why? Done"
    starts = clause_starts(text)
    assert [text[i:i + 4] for i in starts] == ["It i", "e.g.", "smal", "very", "Next", "one;", "two!",
                                               "Why?", "Done"]


def test_estimate_paces_a_paragraph_like_the_voice(paragraph: Speech) -> None:
    guess = estimate(TEXT)
    assert guess.timing == "estimated" and not np.any(guess.samples)
    assert guess.duration == pytest.approx(paragraph.duration, rel=0.10)
    assert [o for o, _ in guess.anchors] == [o for o, _ in paragraph.anchors]
    # The anchors drift apart by no more than the durations do.
    for (_, real), (_, est) in zip(paragraph.anchors, guess.anchors, strict=True):
        assert abs(real - est) <= 0.10 * paragraph.duration


def test_estimate_bookmarks_and_empty_text() -> None:
    speech = estimate('One. <bookmark mark="b"/>Two, three.')
    assert 0 < speech.bookmarks["b"] < speech.duration
    empty = estimate('<bookmark mark="a"/>')
    assert empty.duration == 0 and empty.bookmarks == {"a": 0.0} and empty.anchors == []


def test_id_changes_with_the_settings_and_the_model(tmp_path: Path) -> None:
    base = Piper()
    assert base.id == Piper().id
    assert Piper(length_scale=1.0).id != base.id
    assert Piper(sentence_pause=0.5).id != base.id
    assert Piper(seed=3).id != base.id
    other = tmp_path / "other.onnx"
    other.write_bytes(b"not the same model")
    shutil.copy(f"{base.model}.json", f"{other}.json")
    assert Piper(other).id != base.id
    assert Estimate().id != Estimate(seconds_per_phoneme=0.06).id
