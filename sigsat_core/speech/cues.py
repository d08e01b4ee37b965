"""Caption cues cut from a narration line, wrapped to broadcast limits and timed to the voice.

A cue holds at most two lines of at most 42 characters. It ends where a sentence ends whenever
the text allows, else at a clause (; : —) or a comma; a clause too long for one cue is cut
before a word like "and" or "which", then before a preposition, and only as a last resort
anywhere between two words, and inside a formula (around ×, =, %) last of all. Never inside a
word: a word longer than a line gets a line of its own.

Timing follows the speech: anchor points (character offset, seconds) from the speech engine's
alignment, and between two anchors each cue's share of the time is its share of what the voice
says there (syllables of the spoken words, plus pauses at punctuation).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sigsat_math.spoken import speak

MAX_CHARS = 42
MAX_LINES = 2
MIN_DURATION = 1.0  # seconds a cue stays up, where the speech leaves room for it

# Where a cue may end, best first.
SENTENCE, CLAUSE, COMMA, CONJUNCTION, PHRASE, ANYWHERE, FORMULA = range(7)
CONJUNCTIONS = frozenset({
    "and", "but", "or", "nor", "so", "yet", "which", "who", "whose", "where", "when", "while", "because",
    "although", "though", "since", "unless", "until", "whereas", "if", "then", "that",
})
PREPOSITIONS = frozenset({
    "of", "in", "on", "at", "to", "for", "from", "with", "by", "through", "into", "over", "under", "after",
    "before", "between", "across", "against", "about", "like",
})
ABBREVIATIONS = frozenset({"e.g.", "i.e.", "etc.", "vs.", "cf.", "dr.", "mr.", "mrs.", "ms.", "prof.", "fig.",
                           "eq.", "no."})
CLOSERS = "\"'’”)]}"
DASHES = ("—", "–", "-")
# Symbols that bind their neighbours: "5.78 × 10⁻⁵" and "2.66 %" stay on one line.
BINDING = frozenset({"×", "÷", "·", "=", "≈", "≠", "≥", "≤", "<", ">", "+", "−", "±", "→", "%", "…"})
INFIX = BINDING - {"%"}  # these bind the word after them too
# A cue costs this much, so that fewer cues win; a clause end and a comma cost a little more.
CUE_COST = 10.0
END_COST = {SENTENCE: 0.0, CLAUSE: 1.0, COMMA: 3.0}
SHORT_CUE = 24  # characters: a shorter cue that is not a whole sentence flashes by
SHORT_COST = 8.0
# A line should not end on a word that leads into the next one ("the", "of", "and").
ARTICLES = frozenset({"a", "an", "the"})
# Pauses the voice makes, counted as syllables.
PAUSES = {".": 2.0, "?": 2.0, "!": 2.0, ";": 1.5, ":": 1.5, "—": 1.5, ",": 1.0}


@dataclass(frozen=True)
class TimedCue:
    """A caption on the speech's timeline: from `start` to `end` seconds, its wrapped text."""

    start: float
    end: float
    text: str


# ---------------------------------------------------------------- where a break may go


def break_level(words: Sequence[str], i: int) -> int:
    """How good a cue end is after words[i]: SENTENCE (best) ... FORMULA (last resort)."""
    word = words[i]
    bare = word.rstrip(CLOSERS) or word
    if i == len(words) - 1:
        return SENTENCE
    if word in INFIX:
        return FORMULA
    if bare.endswith(("...", "…")) or bare[-1] in ";:" or bare.endswith(DASHES):
        return CLAUSE
    if bare[-1] in ".?!" and word.lower() not in ABBREVIATIONS:
        return SENTENCE
    if bare[-1] == ",":
        return COMMA
    following = words[i + 1]
    if following.rstrip(",.;:!?" + CLOSERS) in BINDING:
        return FORMULA
    following = following.lower().strip("\"'‘“(")
    if following.startswith(DASHES):
        return COMMA
    if following in CONJUNCTIONS:
        return CONJUNCTION
    if following in PREPOSITIONS:
        return PHRASE
    return ANYWHERE


def sentences(words: Sequence[str]) -> list[tuple[int, int]]:
    """The [start, end) word ranges of the sentences in `words`."""
    spans, first = [], 0
    for i in range(len(words)):
        if break_level(words, i) == SENTENCE:
            spans.append((first, i + 1))
            first = i + 1
    return spans


# ---------------------------------------------------------------- lines


def _line_count(lengths: Sequence[int], max_chars: int) -> int:
    """How many lines greedy filling needs (a word longer than a line gets one of its own)."""
    lines, used = 1, -1
    for n in lengths:
        if used >= 0 and used + 1 + n > max_chars:
            lines, used = lines + 1, -1
        used += 1 + n
    return lines


def _line_break_cost(words: Sequence[str], i: int, max_chars: int) -> float:
    """Bonus (negative) for a line break after words[i] at punctuation, penalty inside a phrase."""
    bonus = max_chars * max_chars / 8
    leads_on = words[i].lower() in ARTICLES | PREPOSITIONS | CONJUNCTIONS
    return bonus * leads_on - {SENTENCE: bonus, CLAUSE: bonus, COMMA: bonus, CONJUNCTION: bonus / 2,
                               PHRASE: bonus / 4, FORMULA: -bonus}.get(break_level(words, i), 0.0)


def wrap_lines(words: Sequence[str], max_chars: int = MAX_CHARS, max_lines: int = MAX_LINES) -> list[str] | None:
    """`words` in the fewest lines of <= max_chars, as even as can be; None if they need more than max_lines."""
    if not words:
        return []
    lengths = [len(w) for w in words]
    count = _line_count(lengths, max_chars)
    if count > max_lines:
        return None
    n = len(words)
    # best[k][i]: (cost, cut) for words[i:] in k lines; a line's cost is its length squared, so
    # that for the same words even lines cost least.
    best: list[dict[int, tuple[float, int]]] = [{n: (0.0, n)}]
    for k in range(1, count + 1):
        row: dict[int, tuple[float, int]] = {}
        for i in range(n):
            width = -1
            for j in range(i + 1, n + 1):
                width += 1 + lengths[j - 1]
                if width > max_chars and j > i + 1:
                    break
                if j in best[k - 1]:
                    cost = best[k - 1][j][0] + width * width
                    cost += _line_break_cost(words, j - 1, max_chars) if j < n else 0.0
                    if i not in row or cost < row[i][0]:
                        row[i] = (cost, j)
        best.append(row)
    lines, i = [], 0
    for k in range(count, 0, -1):
        j = best[k][i][1]
        lines.append(" ".join(words[i:j]))
        i = j
    return lines


# ---------------------------------------------------------------- cues


# How many cue ends of each poor kind, worst first, then a score: tuples compare in that order.
Cost = tuple[float, ...]
POOR = (FORMULA, ANYWHERE, PHRASE, CONJUNCTION)


def _cue_cost(words: Sequence[str], i: int, j: int) -> Cost:
    """The cost of a cue of words[i:j] of a sentence: how bad its end is, then a score (fewer, fuller cues)."""
    level = break_level(words, j - 1)
    chars = len(" ".join(words[i:j]))
    score = CUE_COST + END_COST.get(level, 0.0)
    if (i, j) != (0, len(words)) and chars < SHORT_CUE:
        score += SHORT_COST * (SHORT_CUE - chars) / SHORT_CUE
    return (*(float(level == poor) for poor in POOR), score)


def _add(a: Cost, b: Cost) -> Cost:
    """Costs add up place by place."""
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _cut_sentence(words: Sequence[str], max_chars: int, max_lines: int) -> list[list[str]]:
    """One sentence's words cut into cues at the best breaks, each fitting the lines."""
    n = len(words)
    lengths = [len(w) for w in words]
    best: list[tuple[Cost, int] | None] = [((0.0,) * (len(POOR) + 1), 0)] + [None] * n
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if _line_count(lengths[i:j], max_chars) > max_lines:
                break  # and so would any longer cue
            before = best[i]
            if before is None:
                continue
            cost = _add(before[0], _cue_cost(words, i, j))
            current = best[j]
            if current is None or cost < current[0]:
                best[j] = (cost, i)
    cues, j = [], n
    while j > 0:
        entry = best[j]
        assert entry is not None  # a single word always fits: it gets a line of its own
        cues.append(list(words[entry[1]:j]))
        j = entry[1]
    return cues[::-1]


def split_cues(text: str, max_chars: int = MAX_CHARS, max_lines: int = MAX_LINES) -> list[str]:
    """The caption cues of a narration text, each wrapped into <= max_lines lines joined by newlines."""
    words = text.split()
    cues = []
    for first, last in sentences(words):
        for cue in _cut_sentence(words[first:last], max_chars, max_lines):
            lines = wrap_lines(cue, max_chars, max_lines)
            assert lines is not None
            cues.append("\n".join(lines))
    return cues


# ---------------------------------------------------------------- timing


def flat_text(pieces: Sequence[str]) -> str:
    """The cues as one line of text, the text that anchor offsets count characters in."""
    return " ".join(" ".join(p.split()) for p in pieces)


def cue_offsets(pieces: Sequence[str]) -> list[int]:
    """Where each cue starts in flat_text(pieces), and its length last."""
    offsets, at = [], 0
    for p in pieces:
        offsets.append(at)
        at += len(" ".join(p.split())) + 1
    return offsets + [max(at - 1, 0)]


def _word_syllables(word: str) -> int:
    """A rough syllable count of one spoken word (a lone letter is spelled: 'w' is three)."""
    w = word.lower()
    if len(w) == 1:
        return 3 if w == "w" else 1
    groups = len(re.findall(r"[aeiouy]+", w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(groups, 1)


def syllables(text: str) -> float:
    """Roughly how long the voice takes to say `text`: syllables of its spoken form, and pauses."""
    said = speak(text)
    return sum(_word_syllables(w) for w in re.findall(r"[A-Za-z]+", said)) + sum(PAUSES.get(c, 0.0) for c in said)


def _progress(text: str, weight: Callable[[str], float]) -> Callable[[int], float]:
    """The weight of text[:offset], additive over words and linear inside one."""
    spans = [(m.start(), m.end(), max(weight(m.group()), 0.0)) for m in re.finditer(r"\S+", text)]
    before = [0.0]
    for _, _, w in spans:
        before.append(before[-1] + w)

    def upto(offset: int) -> float:
        total = 0.0
        for k, (a, b, w) in enumerate(spans):
            if offset <= a:
                return before[k]
            if offset < b:
                return before[k] + w * (offset - a) / (b - a)
            total = before[k + 1]
        return total

    return upto


def _anchors(boundaries: Sequence[tuple[int, float]] | None, length: int, start: float,
             end: float) -> list[tuple[int, float]]:
    """The usable anchors, in order: inside the text and the speech, moving forward in both."""
    kept = [(0, start)]
    for offset, t in sorted(boundaries or ()):
        if 0 < offset < length and kept[-1][1] <= t <= end and offset > kept[-1][0]:
            kept.append((offset, t))
    return kept + [(length, end)]


def _interpolate(x: float, points: Sequence[tuple[float, float]]) -> float:
    """Piecewise-linear y(x) through points sorted by x (flat stretches take their start)."""
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x <= x1:
            return y0 if x1 <= x0 else y0 + (y1 - y0) * (min(max(x, x0), x1) - x0) / (x1 - x0)
    return points[-1][1]


def _isotonic(values: Sequence[float]) -> list[float]:
    """The nondecreasing sequence closest to `values` in least squares (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, count]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m1, c1), (m2, c2) = blocks[-2], blocks.pop()
            blocks[-1] = [(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2]
    return [m for m, c in blocks for _ in range(int(c))]


def _keep_up(times: Sequence[float], shortest: float) -> list[float]:
    """Cue boundaries moved as little as can be so that every cue lasts `shortest` seconds."""
    n = len(times) - 1
    start, end = times[0], times[-1]
    inner = _isotonic([t - k * shortest for k, t in enumerate(times[1:-1], start=1)])
    moved = [min(max(u, start), end - n * shortest) + k * shortest for k, u in enumerate(inner, start=1)]
    out = [start]
    for t in [*moved, end]:
        out.append(min(max(t, out[-1]), end))
    return out


def time_cues(pieces: Sequence[str], boundaries: Sequence[tuple[int, float]] | None, start: float, end: float,
              weight: Callable[[str], float] = syllables, min_duration: float = MIN_DURATION) -> list[TimedCue]:
    """Each cue's time in the speech [start, end]: contiguous, in order, following the anchors.

    `boundaries` are (offset in flat_text(pieces), seconds) points where the voice is known to be;
    between them a cue gets time in proportion to `weight` of its text.
    """
    if end < start:
        raise ValueError(f"the speech ends ({end}) before it starts ({start})")
    if not pieces:
        return []
    text = flat_text(pieces)
    upto = _progress(text, weight)
    if upto(len(text)) <= 0:
        upto = _progress(text, lambda s: float(len(s)))
    points = [(upto(o), t) for o, t in _anchors(boundaries, len(text), start, end)]
    times = [start] + [_interpolate(upto(o), points) for o in cue_offsets(pieces)[1:-1]] + [end]
    times = _keep_up(times, min(min_duration, (end - start) / len(pieces)))
    return [TimedCue(a, b, p) for a, b, p in zip(times[:-1], times[1:], pieces, strict=True)]

