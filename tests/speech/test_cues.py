"""Caption cues: cut at sentence and clause ends, wrapped to broadcast limits, timed to the voice.

The properties are checked with references written here: a greedy line count (the fewest lines a
text needs), and a search for a cut of a sentence at punctuation only, which must be used when
it exists.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from sigsat_core.speech.cues import (
    ABBREVIATIONS,
    ARTICLES,
    CONJUNCTIONS,
    MAX_CHARS,
    PREPOSITIONS,
    TimedCue,
    cue_offsets,
    flat_text,
    split_cues,
    syllables,
    time_cues,
    wrap_lines,
)
from sigsat_math import AUTO, PERCENT, SIG3

FAST = settings(max_examples=150, deadline=None)
ENDS = (".", "?", "!")
MARKS = (",", ";", ":", "—")
BINDING = {"×", "÷", "·", "=", "≈", "≠", "≥", "≤", "<", ">", "+", "−", "±", "→", "%", "…"}

# Lines the lecture's narrator says, as rendered with the default parameters.
LECTURE = [
    "Sigmoid Saturation: a lesson by Joerg Osterrieder.",
    "Our goal today: Understand the vanishing gradient problem caused by sigmoid saturation.",
    "Here is the plan.",
    "Beyond |z| ≥ 3 the sigmoid saturates: the output is nearly 0 or 1 and the gradient is near 0.",
    "Every push has the same strength, p = 0.8, and moves the ball by the push times the slope under it.",
    "The slope under the ball is only 0.00665, so a push moves it just 0.00532.",
    "A gentle slope, 0.197 here and never more than 0.25: the ball rolls smoothly, a little further with each push.",
    "The slope is exactly 0. The ball doesn't move at all.",
    "The ball travelled 3.2 on ReLU's slope, 0.693 at the sigmoid's centre, 0.0211 on its plateau, and 0 on "
    "ReLU's negative side.",
    "For efficient learning, we want consistent, non-vanishing gradients throughout.",
    "After 6 layers only 5.78 × 10⁻⁵ of it is left.",
    "So the gradient reaches the first layer whole: 1, not 5.78 × 10⁻⁵.",
    "Small factors, multiplied layer after layer,",
    "At z = 5 the gradient is only 2.66 % of its maximum: learning is extremely slow in this saturated region.",
    "Factor by factor: 0.2, 0.04, 0.008, 0.0016, 0.00032.",
    "With learning rate 0.1, the weight moves by 0.1 times that: 3.2 × 10⁻⁵.",
    "Now a real network: 10 hidden layers of 64 units, Xavier initialisation, random seed 0.",
    "The last layer gets 443000 times what the first layer gets.",
    "On average each layer back multiplies the sigmoid gradient by 0.236, the ReLU gradient by 1.05: the "
    "lesson's chain of small factors, measured.",
    "In this network, 9.38 % of the hidden units are dead before training even starts.",
    "Three: negative inputs give exact zeros. In the measured network 52.8 % of ReLU outputs are 0, against 0 % "
    "for the sigmoid.",
    "Five: gradients reach the first layer: first over last is 1.54 for ReLU, 2.26 × 10⁻⁶ for the sigmoid, so "
    "deep networks train faster.",
    "Three: multiplied layer after layer, the gradient vanishes before it reaches the first layers. In the "
    "measured 10-layer network, the first layer got 2.26 × 10⁻⁶ of the last layer's gradient.",
    "That was Sigmoid Saturation, by Joerg Osterrieder. Thank you for watching.",
]


# ---------------------------------------------------------------- references


def line_count(words: list[str], max_chars: int) -> int:
    """The fewest lines of <= max_chars that hold `words` in order (greedy filling is optimal)."""
    lines, width = 0, max_chars + 1
    for w in words:
        if width + 1 + len(w) > max_chars:
            lines, width = lines + 1, len(w)
        else:
            width += 1 + len(w)
    return lines


def is_mark(word: str) -> bool:
    """Does the word end with a sentence or clause mark (an abbreviation's point is none)?"""
    return word.endswith(ENDS + MARKS) and word.lower() not in ABBREVIATIONS


def boundary(words: list[str], i: int) -> bool:
    """Does words[i] end a clause, or a dash start one after it? (A lone formula symbol never ends one.)"""
    if i == len(words) - 1:
        return True
    return (words[i] not in BINDING and is_mark(words[i])) or words[i + 1] == "—"


def sentence_spans(words: list[str]) -> list[tuple[int, int]]:
    """[start, end) of each sentence: a word ending in . ? ! ends one."""
    spans, first = [], 0
    for i, w in enumerate(words):
        if (w.endswith(ENDS) and w.lower() not in ABBREVIATIONS) or i == len(words) - 1:
            spans.append((first, i + 1))
            first = i + 1
    return spans


def cut_at_punctuation_exists(words: list[str], max_chars: int, max_lines: int) -> bool:
    """Can one sentence be cut into fitting cues at clause ends only?"""
    ok = [True] + [False] * len(words)
    for j in range(1, len(words) + 1):
        if boundary(words, j - 1):
            ok[j] = any(ok[i] and line_count(words[i:j], max_chars) <= max_lines for i in range(j))
    return ok[-1]


def check_cues(text: str, cues: list[str], max_chars: int = MAX_CHARS, max_lines: int = 2) -> None:
    """Every rule a cut must keep."""
    words = text.split()
    assert [w for c in cues for w in c.split()] == words  # every word, in order, none split
    for cue in cues:
        lines = cue.split("\n")
        assert 1 <= len(lines) <= max_lines, cue
        for line in lines:
            assert line == " ".join(line.split()) and line, cue
            assert len(line) <= max_chars or " " not in line, cue  # only a lone overlong word may overflow
        assert len(lines) == line_count(cue.split(), max_chars), cue  # no more lines than needed
    ends = set()
    at = 0
    for cue in cues:
        at += len(cue.split())
        ends.add(at - 1)
    for first, last in sentence_spans(words):
        assert last - 1 in ends, "a cue ends with every sentence"
        sentence = words[first:last]
        if cut_at_punctuation_exists(sentence, max_chars, max_lines):
            for e in ends:
                if first <= e < last:
                    assert boundary(sentence, e - first), (sentence, e - first, cues)


# ---------------------------------------------------------------- the lecture's lines


@pytest.mark.parametrize("text", LECTURE)
def test_lecture_lines_keep_the_rules(text: str) -> None:
    check_cues(text, split_cues(text))


@pytest.mark.parametrize(
    "text, cues",
    [
        ("Here is the plan.", ["Here is the plan."]),
        ("The slope is exactly 0. The ball doesn't move at all.",
         ["The slope is exactly 0.", "The ball doesn't move at all."]),
        ("The slope under the ball is only 0.00665, so a push moves it just 0.00532.",
         ["The slope under the ball is only 0.00665,\nso a push moves it just 0.00532."]),
        ("After 6 layers only 5.78 × 10⁻⁵ of it is left.", ["After 6 layers only\n5.78 × 10⁻⁵ of it is left."]),
        ("Every push has the same strength, p = 0.8, and moves the ball by the push times the slope under it.",
         ["Every push has the same strength, p = 0.8,", "and moves the ball by the push\ntimes the slope under it."]),
        ("Three: negative inputs give exact zeros. In the measured network 52.8 % of ReLU outputs are 0, "
         "against 0 % for the sigmoid.",
         ["Three: negative inputs give exact zeros.", "In the measured network 52.8 %\nof ReLU outputs are 0,",
          "against 0 % for the sigmoid."]),
        ("Small factors, multiplied layer after layer,", ["Small factors,\nmultiplied layer after layer,"]),
        ("Beyond |z| ≥ 3 the sigmoid saturates: the output is nearly 0 or 1 and the gradient is near 0.",
         ["Beyond |z| ≥ 3 the sigmoid saturates:", "the output is nearly 0 or 1\nand the gradient is near 0."]),
        ("", []),
    ],
)
def test_lecture_cuts(text: str, cues: list[str]) -> None:
    assert split_cues(text) == cues


def test_a_clause_too_long_is_cut_before_a_conjunction() -> None:
    text = ("the gradient shrinks at every single layer of the network and the first layer learns almost "
            "nothing at all from it")
    cues = split_cues(text)
    assert len(cues) == 2 and cues[1].startswith("and the first layer")
    check_cues(text, cues)


def test_a_formula_stays_together() -> None:
    text = "so the weight moves by only a tiny amount of 3.2 × 10⁻⁵ in each step, which is nothing"
    for cue in split_cues(text, max_chars=30):
        for line in cue.split("\n"):
            assert not line.endswith(("×", "3.2")) and not line.startswith(("×", "10⁻⁵")), cue


def test_an_overlong_word_gets_a_line_of_its_own() -> None:
    word = "x" * 50
    assert split_cues(f"a {word} b.") == [f"a\n{word}", "b."] or split_cues(f"a {word} b.") == [f"a\n{word}\nb."]
    check_cues(f"a {word} b.", split_cues(f"a {word} b."))


@pytest.mark.parametrize(
    "words, lines",
    [
        (["one", "two", "three"], ["one two three"]),
        ("The slope under the ball is only 0.00665, so a push moves it just 0.00532.".split(),
         ["The slope under the ball is only 0.00665,", "so a push moves it just 0.00532."]),
        ("and moves the ball by the push times the slope under it.".split(),
         ["and moves the ball by the push", "times the slope under it."]),
        ([], []),
    ],
)
def test_wrap_lines(words: list[str], lines: list[str]) -> None:
    assert wrap_lines(words) == lines


def test_wrap_lines_too_many() -> None:
    assert wrap_lines(["word"] * 30) is None
    assert wrap_lines(["word"] * 30, max_lines=4) is not None


# ---------------------------------------------------------------- random sentences


WORD = st.from_regex(r"[a-z]{1,12}", fullmatch=True)
TOKEN = st.one_of(
    WORD, WORD, WORD, WORD.map(str.capitalize),
    st.floats(1e-9, 1e9).map(SIG3.text), st.floats(1e-9, 1).map(AUTO.text), st.floats(0, 1).map(PERCENT.text),
    st.sampled_from(["and", "but", "which", "so", "of", "the", "to", "=", "σ′(5)", "|z|", "ReLU's", "non-zero"]),
)
MARK = st.sampled_from(["", "", "", "", "", ",", ";", ":", " —"])
SENTENCE = st.builds(
    lambda parts, end: " ".join(t + m for t, m in parts) + end,
    st.lists(st.tuples(TOKEN, MARK), min_size=1, max_size=30), st.sampled_from(ENDS + ("",)),
)
TEXT = st.lists(SENTENCE, min_size=1, max_size=4).map(" ".join)


@FAST
@given(TEXT)
@example("word, " * 40)
@example("a b c d e f g h i j k l m n o p q r s t u v w x y z " * 5)
def test_random_text_keeps_the_rules(text: str) -> None:
    check_cues(text, split_cues(text))


@FAST
@given(TEXT, st.integers(12, 60), st.integers(1, 3))
def test_random_limits_keep_the_rules(text: str, max_chars: int, max_lines: int) -> None:
    check_cues(text, split_cues(text, max_chars, max_lines), max_chars, max_lines)


PLAIN = WORD.filter(lambda w: w not in ARTICLES | CONJUNCTIONS | PREPOSITIONS)


@FAST
@given(st.lists(PLAIN, min_size=2, max_size=40))
def test_two_lines_are_balanced(words: list[str]) -> None:
    # with no punctuation and no little words to break at, the two lines are as even as can be
    for cue in split_cues(" ".join(words)):
        lines = cue.split("\n")
        if len(lines) == 2:
            ws = cue.split()
            splits = [(" ".join(ws[:k]), " ".join(ws[k:])) for k in range(1, len(ws))]
            best = min(abs(len(a) - len(b)) for a, b in splits if len(a) <= MAX_CHARS and len(b) <= MAX_CHARS)
            assert abs(len(lines[0]) - len(lines[1])) == best, cue


# ---------------------------------------------------------------- timing


def check_timing(cues: list[TimedCue], pieces: list[str], start: float, end: float, shortest: float) -> None:
    """Contiguous, in order, inside the speech, each long enough where there is room."""
    assert [c.text for c in cues] == pieces
    assert cues[0].start == start and cues[-1].end == end
    for a, b in zip(cues, cues[1:], strict=False):
        assert a.end == b.start
    floor = min(shortest, (end - start) / len(cues))
    for c in cues:
        assert start <= c.start <= c.end <= end
        assert c.end - c.start >= floor - 1e-9


ANCHORS = st.lists(st.tuples(st.integers(-5, 400), st.floats(-10, 200)), max_size=8)


@FAST
@given(TEXT, st.floats(0, 100), st.floats(0, 60), st.one_of(st.none(), ANCHORS), st.floats(0, 3))
@example("Here is the plan.", 0.0, 0.0, None, 1.0)
def test_timing_is_contiguous_and_inside(text: str, start: float, length: float,
                                         anchors: list[tuple[int, float]] | None, shortest: float) -> None:
    pieces = split_cues(text)
    end = start + length
    check_timing(time_cues(pieces, anchors, start, end, min_duration=shortest), pieces, start, end, shortest)


@FAST
@given(TEXT, st.floats(0, 100))
def test_without_anchors_time_follows_the_weight(text: str, start: float) -> None:
    pieces = split_cues(text)
    assume(len(pieces) > 1)
    end = start + 10.0 * len(pieces)
    cues = time_cues(pieces, None, start, end, weight=lambda s: float(len(s)), min_duration=0.0)
    total = sum(len(w) for p in pieces for w in p.split())
    for c, p in zip(cues, pieces, strict=True):
        share = sum(len(w) for w in p.split()) / total
        assert c.end - c.start == pytest.approx(share * (end - start), abs=1e-6)


@FAST
@given(TEXT, st.lists(st.floats(1.0, 5.0), min_size=60, max_size=60))
def test_anchors_at_cue_starts_are_kept(text: str, gaps: list[float]) -> None:
    pieces = split_cues(text)
    assume(len(pieces) > 1)
    offsets = cue_offsets(pieces)[1:-1]
    times = [sum(gaps[: k + 1]) for k in range(len(offsets))]
    end = times[-1] + gaps[-1]
    cues = time_cues(pieces, list(zip(offsets, times, strict=True)), 0.0, end)
    assert [c.start for c in cues[1:]] == pytest.approx(times)


def test_anchors_split_the_time_between_them() -> None:
    text = "Three: negative inputs give exact zeros. In the measured network 52.8 % of ReLU outputs are 0, " \
           "against 0 % for the sigmoid."
    pieces = split_cues(text)
    second = flat_text(pieces).index("In the measured")
    cues = time_cues(pieces, [(second, 13.0)], 10.0, 20.0)
    assert cues[0] == TimedCue(10.0, 13.0, pieces[0])
    # after the anchor, the rest is shared by what the voice says in each cue
    said = [syllables(p) for p in pieces[1:]]
    assert (cues[1].end - 13.0) / (20.0 - 13.0) == pytest.approx(said[0] / sum(said))


def test_anchors_that_go_backwards_or_outside_are_ignored() -> None:
    pieces = split_cues("One sentence here. Another one there. And a third one to end.")
    plain = time_cues(pieces, None, 0.0, 9.0)
    assert time_cues(pieces, [], 0.0, 9.0) == plain
    assert time_cues(pieces, [(-3, 2.0), (10_000, 4.0), (5, 50.0), (5, -1.0)], 0.0, 9.0) == plain


def test_a_short_cue_is_held_where_there_is_room() -> None:
    pieces = ["A long first sentence with very many words in it.", "Yes.", "And another long sentence after it."]
    cues = time_cues(pieces, None, 0.0, 10.0, min_duration=1.5)
    assert cues[1].end - cues[1].start == pytest.approx(1.5)
    squeezed = time_cues(pieces, None, 0.0, 3.0, min_duration=1.5)
    assert [c.end - c.start for c in squeezed] == pytest.approx([1.0, 1.0, 1.0])


def test_time_cues_edges() -> None:
    assert time_cues([], None, 0.0, 1.0) == []
    with pytest.raises(ValueError):
        time_cues(["a."], None, 2.0, 1.0)
    assert time_cues(["a."], None, 1.0, 1.0) == [TimedCue(1.0, 1.0, "a.")]
    # text with nothing to say still gets time, by its characters
    assert len(time_cues(["—", "…"], None, 0.0, 2.0, weight=lambda s: 0.0)) == 2


def test_offsets_count_in_the_flat_text() -> None:
    pieces = ["Small factors,\nmultiplied layer after layer,", "leave the first layers\nalmost nothing."]
    text = flat_text(pieces)
    assert text == "Small factors, multiplied layer after layer, leave the first layers almost nothing."
    offsets = cue_offsets(pieces)
    assert offsets == [0, text.index("leave"), len(text)]


def test_syllables_count_what_is_said() -> None:
    assert syllables("0.00665") == syllables("zero point zero zero six six five") == 10
    assert syllables("10⁻⁵") > syllables("10")
    assert syllables("Hello, world.") == syllables("Hello world") + 3  # pauses at the comma and the stop

