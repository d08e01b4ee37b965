"""The lecture's own words, respelled so espeak-ng (the phonemizer of both voices) says them right.

The narration reaches the voice as `sigsat_math.speak` writes it ("relu", "G E L U's", "sigma
prime"); the captions and the script keep those words. Only what goes into grapheme-to-phoneme
conversion is respelled, word by word, so a respelled prefix of a text is the prefix of the
respelled text (the engines time clauses and bookmarks from prefixes).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

# Whole words, matched case-insensitively; an apostrophe-s after one keeps its place. A
# respelling is heard by both voices (their phonemizer is espeak-ng); `sigsat_math.speak` has
# already spelled the acronyms letter by letter ("E L U", "G E L U") and said the symbols.
LEXICON: Mapping[str, str] = {
    # ReLU is said "RAY-loo" (espeak-ng reads "relu" as "ree-loo", heard as "release").
    "relu": "rayloo",
    "relus": "rayloos",
    # The lesson's author, Jörg Osterrieder: German, "Yerg OH-ster-ree-der".
    "joerg": "Yerg",
    "jörg": "Yerg",
    "osterrieder": "Ohster-reeder",
}


def lexicon_version(lexicon: Mapping[str, str] | None = None) -> str:
    """A short digest of the lexicon: part of each voice's id, so a new respelling re-speaks."""
    entries = sorted((lexicon if lexicon is not None else LEXICON).items())
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()[:16]


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
