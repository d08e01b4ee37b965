"""The lecture's own words, respelled so espeak-ng (the phonemizer of both voices) says them right.

The narration reaches the voice as `sigsat_math.speak` writes it ("relu", "G E L U's", "sigma
prime"); the captions and the script keep those words. Only what goes into grapheme-to-phoneme
conversion is respelled, word by word, so a respelled prefix of a text is the prefix of the
respelled text (the engines time clauses and bookmarks from prefixes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Bump when a respelling changes: it changes the audio, so it is part of the voices' ids.
LEXICON_VERSION = "1"

# Whole words, matched case-insensitively; an apostrophe-s after one keeps its place.
LEXICON: Mapping[str, str] = {
    "relu": "ray-loo",
    "relus": "ray-loos",
    "osterrieder": "Oster-reeder",
    "joerg": "Yurg",
}

_WORD = re.compile(r"(?<![\w'’])(?P<word>[A-Za-z]+)(?P<tail>['’]s)?(?![\w'’])")


def respell(text: str) -> str:
    """The text with each lexicon word replaced by its respelling (case of the first letter kept)."""
    def one(m: re.Match[str]) -> str:
        word = m.group("word")
        said = LEXICON.get(word.lower())
        if said is None:
            return m.group()
        if word[0].isupper():
            said = said[0].upper() + said[1:]
        return said + (m.group("tail") or "")

    return _WORD.sub(one, text)
