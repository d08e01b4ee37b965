"""The spoken form: numbers and the lecture's notation in words, as the narrator reads them.

The references here are written independently of sigsat_math.spoken: a table of sentences and
what the voice should say, a second integer-to-words implementation, and a reader that turns
the spoken words back into the screen text, which must come out exactly.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import sigsat_math
from sigsat_math import (
    AUTO,
    INT,
    PERCENT,
    SIG3,
    SIG4,
    Display,
    integer_words,
    numeral_words,
    quantity,
    sigmoid_prime,
    speak,
)
from sigsat_math.spoken import digit_words, exponent_words, ordinal_words

FAST = settings(max_examples=150, deadline=None)
MINUS = "\u2212"
SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# Nothing the voice is given may still be notation: no digits, no operators, no Greek.
NOTATION = set("0123456789−×÷·⋅±√∞∇%=≈≠≥≤<>→⟶⟺⇔⇒^|′″‴∂…⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺₀₁₂₃₄₅₆₇₈₉") | set(
    "αβγδΔεϵζηθκλμνξπρσΣτφϕΦχψωΩΓΘΛΠΨ"
)
STYLES = [SIG3, SIG4, PERCENT, AUTO, INT, Display("sci", 2), Display("sig", 1), Display("sig", 6),
          *(Display("fixed", d) for d in range(7))]


def signed(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats with lo <= |x| <= hi, either sign."""
    return st.builds(lambda m, neg: -m if neg else m, st.floats(lo, hi), st.booleans())


# ---------------------------------------------------------------- written -> spoken, by example

TABLE = [
    # numbers as the screen writes them
    ("0.00665", "zero point zero zero six six five"),
    ("3.2 × 10⁻⁵", "three point two times ten to the minus five"),
    ("2.66 %", "two point six six percent"),
    ("443000", "four hundred forty-three thousand"),
    ("−0.0968", "minus zero point zero nine six eight"),
    ("0.25", "zero point two five"),
    ("1", "one"),
    ("12", "twelve"),
    ("10", "ten"),
    ("0", "zero"),
    ("0.500", "zero point five zero zero"),
    ("1000001", "one million one"),
    ("6 × 10²³", "six times ten to the power twenty-three"),
    ("0 × 10⁰", "zero times ten to the power zero"),
    ("1,000,000 units", "one million units"),
    ("3.2e-5", "three point two times ten to the minus five"),
    (".5", "point five"),
    # the notation
    ("σ′(5)", "sigma prime of five"),
    ("σ(z)", "sigma of z"),
    ("σ", "sigma"),
    ("σ′", "sigma prime"),
    ("f′", "f prime"),
    ("f′(z)", "f prime of z"),
    ("f''(x)", "f double prime of x"),
    ("|z| ≥ 3", "the size of z is at least three"),
    ("z ≤ 3", "z is at most three"),
    ("x < 1", "x is less than one"),
    ("x > 2", "x is greater than two"),
    ("for z > 0, ReLU passes it on", "for z greater than zero, relu passes it on"),
    ("where z < 0, the unit is silent", "where z is less than zero, the unit is silent"),
    ("z = 5", "z equals five"),
    ("σ(5) ≈ 0.9933", "sigma of five is about zero point nine nine three three"),
    ("≈ 0.0066", "about zero point zero zero six six"),
    ("0.9933 × 0.006693", "zero point nine nine three three times zero point zero zero six six nine three"),
    ("1 ÷ 4", "one divided by four"),
    ("σ′(z)/0.25", "sigma prime of z divided by zero point two five"),
    ("1 - σ(z)", "one minus sigma of z"),
    ("1−σ(z)", "one minus sigma of z"),
    ("σ(z)(1 − σ(z))", "sigma of z (one minus sigma of z)"),
    ("-5", "minus five"),
    ("10⁻⁵", "ten to the minus five"),
    ("2⁵", "two to the power five"),
    ("0.2⁵", "zero point two to the power five"),
    ("x²", "x squared"),
    ("e⁻⁵", "e to the minus five"),
    ("e^-5", "e to the minus five"),
    ("e^{-z}", "e to the minus z"),
    ("e^(−z)", "e to the minus z"),
    ("a → b", "a to b"),
    ("a ⟺ b", "a means b"),
    ("a ⇔ b", "a means b"),
    ("Δw = η × gradient", "delta w equals eta times gradient"),
    ("α = 0.01", "alpha equals zero point zero one"),
    ("∂L/∂w", "the gradient of L with respect to w"),
    ("w₁", "w one"),
    ("tanh(z)", "tan h of z"),
    # names a voice must say right
    ("ReLU", "Relu"),
    ("use ReLU′ here", "use relu prime here"),
    ("ReLU'(z) = 0", "Relu prime of z equals zero"),
    ("ReLU's slope", "Relu's slope"),
    ("GELU and ELU", "G E L U and E L U"),
    ("an MLP", "an M L P"),
    ("the gates of LSTMs", "the gates of L S T Ms"),
    ("PReLU", "P relu"),
    # ranges, counts and words around numbers
    ("1 … 5.78 × 10⁻⁵", "one to five point seven eight times ten to the minus five"),
    ("2021–2024", "two thousand twenty-one to two thousand twenty-four"),
    ("layer 6", "layer six"),
    ("the 3rd layer", "the third layer"),
    ("the measured 10-layer network", "the measured ten-layer network"),
    # the lecture's own lines (as rendered with the default parameters)
    ("Beyond |z| ≥ 3 the sigmoid saturates: the output is nearly 0 or 1 and the gradient is near 0.",
     "Beyond the size of z is at least three the sigmoid saturates: the output is nearly zero or one and the "
     "gradient is near zero."),
    ("Every push has the same strength, p = 0.8, and moves the ball by the push times the slope under it.",
     "Every push has the same strength, p equals zero point eight, and moves the ball by the push times the "
     "slope under it."),
    ("Now the sigmoid near its centre, from z = −1.", "Now the sigmoid near its centre, from z equals minus one."),
    ("After 6 layers only 5.78 × 10⁻⁵ of it is left.",
     "After six layers only five point seven eight times ten to the minus five of it is left."),
    ("At z = 5 the gradient is only 2.66 % of its maximum: learning is extremely slow in this saturated region.",
     "At z equals five the gradient is only two point six six percent of its maximum: learning is extremely "
     "slow in this saturated region."),
    ("Factor by factor: 0.2, 0.04, 0.008, 0.0016, 0.00032.",
     "Factor by factor: zero point two, zero point zero four, zero point zero zero eight, zero point zero zero "
     "one six, zero point zero zero zero three two."),
    ("In one line: 0.2 to the power 5 is 0.00032.",
     "In one line: zero point two to the power five is zero point zero zero zero three two."),
    ("Sigmoid: the last layer's gradient is 443000 times the first layer's. ReLU: a ratio of 0.649.",
     "Sigmoid: the last layer's gradient is four hundred forty-three thousand times the first layer's. "
     "Relu: a ratio of zero point six four nine."),
    ("On all 128 examples its input z stays negative: the largest is −0.0968.",
     "On all one hundred twenty-eight examples its input z stays negative: the largest is minus zero point "
     "zero nine six eight."),
    ("Practice problem 3: why did ReLU become the default for hidden layers?",
     "Practice problem three: why did relu become the default for hidden layers?"),
    ("In the measured network 52.8 % of ReLU outputs are 0, against 0 % for the sigmoid.",
     "In the measured network fifty-two point eight percent of relu outputs are zero, against zero percent "
     "for the sigmoid."),
    # plain English stays as it is
    ("The ball doesn't move at all.", "The ball doesn't move at all."),
    ("consistent, non-vanishing gradients — throughout; and/or wait...",
     "consistent, non-vanishing gradients — throughout; and/or wait..."),
    ("That was Sigmoid Saturation, by Joerg Osterrieder. Thank you for watching.",
     "That was Sigmoid Saturation, by Joerg Osterrieder. Thank you for watching."),
]


def test_table_is_large_and_unique() -> None:
    assert len(TABLE) >= 40
    assert len({w for w, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize("written, spoken", TABLE)
def test_speak_table(written: str, spoken: str) -> None:
    assert speak(written) == spoken


@pytest.mark.parametrize("written, spoken", TABLE)
def test_speak_leaves_no_notation_and_is_idempotent(written: str, spoken: str) -> None:
    said = speak(written)
    kept = set("/…") if written.endswith("wait...") else set()
    assert not (set(said) & (NOTATION - kept)), said
    assert speak(said) == said


@pytest.mark.parametrize("written", [w for w, _ in TABLE])
def test_punctuation_is_kept(written: str) -> None:
    def marks(s: str) -> list[str]:
        return re.findall(r"[,;:!?—.]", s)

    numbers = r"\.?\d+(?:[.,]\d+)*"  # their points and commas are said ("point") or dropped
    assert marks(speak(written)) == marks(re.sub(numbers, "N", written))


# ---------------------------------------------------------------- numbers on screen, in words


@pytest.mark.parametrize(
    "style, x, spoken",
    [
        (SIG3, 0.006648, "zero point zero zero six six five"),
        (AUTO, 3.2e-5, "three point two times ten to the minus five"),
        (PERCENT, 0.02659, "two point six six percent"),
        (SIG3, 443000.0, "four hundred forty-three thousand"),
        (SIG3, -0.0968, "minus zero point zero nine six eight"),
        (SIG3, 0.25, "zero point two five"),
        (SIG3, 1.0, "one"),
        (INT, 12.0, "twelve"),
        (INT, 10.0, "ten"),
        (INT, -3.0, "minus three"),
        (Display("fixed", 2), -1.5, "minus one point five zero"),
        (AUTO, -3.2e-5, "minus three point two times ten to the minus five"),
        (AUTO, 1e-7, "one times ten to the minus seven"),
    ],
)
def test_display_spoken(style: Display, x: float, spoken: str) -> None:
    assert style.spoken(x) == spoken
    assert speak(style.text(x)) == spoken


def test_quantity_spoken_is_its_styles() -> None:
    q = quantity(sigsat_math.sigmoid_prime, 5.0, style=SIG3)
    assert q.spoken == "zero point zero zero six six five" == SIG3.spoken(sigmoid_prime(5.0))
    r = quantity(sigsat_math.percent_of_max, 5.0, style=PERCENT)
    assert r.spoken == "two point six six percent"


def test_voice_and_caption_say_the_same_number() -> None:
    # a scene interpolates q.text into its narration; the voice must then say q.spoken there
    for name, args, style in [("sigmoid_prime", (5.0,), SIG3), ("total_gradient", (5, 0.2), AUTO),
                              ("weight_update", (0.1, 0.00032), AUTO), ("percent_of_max", (5.0,), PERCENT),
                              ("identity", (6,), INT), ("identity", (-0.335,), SIG3)]:
        q = quantity(getattr(sigsat_math, name), *args, style=style)
        assert speak(f"Here it is {q.text}, not more.") == f"Here it is {q.spoken}, not more."


# ---------------------------------------------------------------- the words read back


UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
DECADES = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
POWERS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}


def words_to_int(words: list[str]) -> int:
    """Integer words back to the integer, the usual accumulator way."""
    total = current = 0
    for word in words:
        for part in word.split("-"):
            if part in UNITS:
                current += UNITS[part]
            elif part in DECADES:
                current += DECADES[part]
            elif part == "hundred":
                current *= 100
            elif part in POWERS:
                total, current = total + current * POWERS[part], 0
            else:
                raise ValueError(part)
    return total + current


def read_integer(words: list[str]) -> str:
    """The digits of a spoken integer: words, or single digits one by one."""
    if len(words) > 1 and all(w in UNITS and UNITS[w] < 10 for w in words):
        return "".join(str(UNITS[w]) for w in words)
    return str(words_to_int(words))


def read_decimal(words: list[str]) -> str:
    """'zero point zero six' -> '0.06'."""
    if "point" not in words:
        return read_integer(words)
    k = words.index("point")
    return read_integer(words[:k]) + "." + "".join(str(UNITS[w]) for w in words[k + 1:])


def read_number(spoken: str) -> str:
    """The screen text of a spoken number, in the Display's formats."""
    words = spoken.split()
    sign = MINUS if words[0] == "minus" else ""
    words = words[1:] if sign else words
    if words[-1] == "percent":
        return f"{sign}{read_decimal(words[:-1])} %"
    if "times" not in words:
        return sign + read_decimal(words)
    k = words.index("times")
    mantissa, power = words[:k], words[k + 1:]
    assert power[0] == "ten"
    if power[1:] == ["squared"] or power[1:] == ["cubed"]:
        exp = "2" if power[1] == "squared" else "3"
    elif power[1:4] == ["to", "the", "minus"]:
        exp = "-" + read_integer(power[4:])
    else:
        assert power[1:4] == ["to", "the", "power"], spoken
        exp = read_integer(power[4:])
    return f"{sign}{read_decimal(mantissa)} × 10{exp.translate(SUP)}"


@FAST
@given(st.one_of(signed(1e-300, 1e300), st.just(0.0)), st.sampled_from(STYLES))
@example(0.006648, SIG3)
@example(3.2e-5, AUTO)
@example(0.02659, PERCENT)
@example(443000.0, SIG3)
@example(-0.0968, SIG3)
@example(1e300, INT)
@example(0.0, Display("sci", 2))
@example(600.0, Display("sci", 2))
@example(-1e-300, Display("fixed", 3))
def test_spoken_numbers_read_back_exactly(x: float, style: Display) -> None:
    if style.kind == "fixed" and abs(x) >= 1e20:
        x /= 1e280  # fmt_fixed's Decimal context holds 28 digits: it cannot fix 1e28 to 0 decimals
    text = style.text(x)
    said = speak(text)
    assert said == style.spoken(x)
    assert not set(said) & NOTATION, (text, said)
    assert re.fullmatch(r"[a-z]+(?:[ -][a-z]+)*", said), said
    assert read_number(said) == text


@FAST
@given(signed(1e-6, 1e6), st.sampled_from(STYLES))
def test_numbers_in_a_sentence(x: float, style: Display) -> None:
    text = style.text(x)
    assert speak(f"At z = {text}, the slope is {text}.") == (
        f"At z equals {style.spoken(x)}, the slope is {style.spoken(x)}.")


# ---------------------------------------------------------------- integers, against a second implementation


SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
TENS_WORDS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}


def ref_words(n: int) -> str:
    """Integer words by recursion on the largest power (American style, no 'and')."""
    if n < 20:
        return SMALL[n]
    if n < 100:
        return TENS_WORDS[n // 10] + (f"-{SMALL[n % 10]}" if n % 10 else "")
    for size, name in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"),
                       (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            return f"{ref_words(head)} {name}" + (f" {ref_words(rest)}" if rest else "")
    raise AssertionError(n)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.integers(0, 10**9), st.integers(0, 10**15 - 1), st.integers(0, 1000)))
@example(0)
@example(100)
@example(101)
@example(1_000_000_001)
@example(10**15 - 1)
def test_integer_words_against_a_second_implementation(n: int) -> None:
    words = integer_words(n)
    assert words == ref_words(n)
    assert words_to_int(words.split()) == n
    assert speak(str(n)) == words


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "zero"), (7, "seven"), (15, "fifteen"), (20, "twenty"), (21, "twenty-one"), (99, "ninety-nine"),
        (100, "one hundred"), (110, "one hundred ten"), (999, "nine hundred ninety-nine"),
        (1000, "one thousand"), (1001, "one thousand one"), (2024, "two thousand twenty-four"),
        (443000, "four hundred forty-three thousand"), (1_000_000, "one million"),
        (12_000_034, "twelve million thirty-four"), (3_000_000_000, "three billion"),
        (10**12, "one trillion"), (-5, "minus five"),
    ],
)
def test_integer_words_examples(n: int, words: str) -> None:
    assert integer_words(n) == words


def test_long_integers_are_read_digit_by_digit() -> None:
    with pytest.raises(ValueError):
        integer_words(10**15)
    assert numeral_words("1" + "0" * 15) == "one " + " ".join(["zero"] * 15)
    assert numeral_words("007") == "zero zero seven"
    assert digit_words("0665") == "zero six six five"


@pytest.mark.parametrize("bad", ["", ".", "1.", "1.2.3", "abc", "−", "1e5"])
def test_numeral_words_rejects_non_numerals(bad: str) -> None:
    with pytest.raises(ValueError):
        numeral_words(bad)


@pytest.mark.parametrize(
    "n, words",
    [(1, "first"), (2, "second"), (3, "third"), (4, "fourth"), (5, "fifth"), (8, "eighth"), (9, "ninth"),
     (12, "twelfth"), (20, "twentieth"), (21, "twenty-first"), (40, "fortieth"), (100, "one hundredth"),
     (101, "one hundred first"), (1000, "one thousandth")],
)
def test_ordinal_words(n: int, words: str) -> None:
    assert ordinal_words(n) == words


@pytest.mark.parametrize(
    "exponent, words",
    [("-5", "to the minus five"), ("−11", "to the minus eleven"), ("2", "squared"), ("3", "cubed"),
     ("+4", "to the power four"), ("0", "to the power zero"), ("n", "to the power n"), ("-z", "to the minus z")],
)
def test_exponent_words(exponent: str, words: str) -> None:
    assert exponent_words(exponent) == words


# ---------------------------------------------------------------- plain English passes through


WORD = st.from_regex(r"[a-z]{2,9}", fullmatch=True).filter(lambda w: w not in {"relu", "tanh"})
ENGLISH_WORD = st.one_of(WORD, WORD.map(str.capitalize), st.sampled_from(
    ["a", "I", "doesn't", "layer's", "non-vanishing", "and/or", "e.g.", "isn't", "well-known"]))
PUNCT = st.sampled_from(["", "", "", ",", ".", ";", ":", "!", "?", " —"])


@FAST
@given(st.lists(st.tuples(ENGLISH_WORD, PUNCT), min_size=1, max_size=25))
def test_plain_english_is_unchanged(words: list[tuple[str, str]]) -> None:
    text = " ".join(w + p for w, p in words)
    assert speak(text) == text


LECTURE_TOKENS = st.sampled_from(
    ["σ′(5)", "σ(z)", "|z|", "≥", "≤", "=", "≈", "×", "÷", "/", "−", "-", "→", "⟺", "10⁻⁵", "0.2⁵", "e⁻⁵",
     "e^-5", "%", "Δw", "α", "∂L/∂w", "ReLU", "ReLU′", "GELU", "ELU", "MLP", "…", "layer", "the", "gradient",
     "is", "z", "x", "f′", "(", ")", ",", ".", ":", "for", "where"])


@FAST
@given(st.lists(st.one_of(LECTURE_TOKENS, signed(1e-9, 1e9).map(SIG3.text), signed(1e-9, 1).map(AUTO.text)),
                min_size=1, max_size=20), st.sampled_from([" ", ""]))
def test_speak_is_idempotent_and_leaves_no_digits(tokens: list[str], sep: str) -> None:
    said = speak(sep.join(tokens))
    assert speak(said) == said
    assert not re.search(r"\d", said)
    assert "\x00" not in said and "  " not in said
