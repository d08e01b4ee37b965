"""The pronunciation lexicon: the lecture's own words respelled before grapheme-to-phoneme
conversion, word by word, and heard by espeak-ng as the lecture means them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigsat_core.speech.lexicon import LEXICON, lexicon_version, respell
from sigsat_math import speak


def test_the_lecture_terms_as_speak_writes_them_are_respelled() -> None:
    # What `sigsat_math.speak` gives the voice for the written terms, then what espeak-ng reads.
    said = respell(speak("ReLU, Leaky ReLU and ReLU's slope; ReLUs die. Joerg Osterrieder."))
    assert said == "Rayloo, Leaky rayloo and rayloo's slope; rayloos die. Yerg Ohster-reeder."
    assert respell(speak("GELU's curve, ELU and σ′(5)")) == "G E L U's curve, E L U and sigma prime of five"


def test_only_whole_words_change() -> None:
    assert respell("prelude, relu-like, rerelu, RELU") == "prelude, rayloo-like, rerelu, Rayloo"
    assert respell("") == ""


words = st.sampled_from([*LEXICON, "relu's", "sigmoid", "the", "slope", "E", "L", "U", "five"])
texts = st.lists(st.tuples(words, st.sampled_from([" ", ", ", ". ", "; "])), max_size=12)


@given(texts)
def test_a_respelled_prefix_is_a_prefix_of_the_respelled_text(pieces: list[tuple[str, str]]) -> None:
    # The engines time a clause or bookmark by phonemizing the text before it: cut at a word
    # boundary, respelling must commute with the cut.
    text = "".join(w + gap for w, gap in pieces)
    for cut in (m.end() for m in re.finditer(r"\s+", text)):
        assert respell(text).startswith(respell(text[:cut]))


def test_the_version_follows_the_entries() -> None:
    assert lexicon_version() == lexicon_version(dict(LEXICON))
    assert lexicon_version({**LEXICON, "elu": "ee-loo"}) != lexicon_version()


@pytest.mark.slow
def test_espeak_hears_the_respellings_as_meant() -> None:
    # IPA written out by hand from the usual pronunciations: ReLU /ˈreɪluː/ ("RAY-loo"),
    # Jörg /jœrk/ approximated in English as /jɜːɡ/, Osterrieder /ˈoːstɐˌriːdɐ/.
    from sigsat_core.speech.kokoro import Kokoro

    voice = Kokoro()
    assert voice.phonemes("relu") == "ɹˈeɪluː"
    assert voice.phonemes("Leaky relu") == "lˈiːki ɹˈeɪluː"
    assert voice.phonemes("Joerg").startswith("jˈɜː")
    assert voice.phonemes("Osterrieder").startswith("ˈoʊstɚ")
