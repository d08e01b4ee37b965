"""What the narrator says for what the screen writes: numbers and the lecture's notation in words.

A number is read from its screen text, so voice and captions say the same thing: an integer as
words ("four hundred forty-three thousand"), the digits after a point one by one ("zero point
zero zero six six five"), `3.2 × 10⁻⁵` as "three point two times ten to the minus five".
`speak` reads a whole caption sentence this way and keeps its words and punctuation (the voice
pauses on the punctuation). Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"))
# From here on an integer is read digit by digit: nobody says "four quadrillion".
WORDS_BELOW = 10**15
ORDINAL_ENDINGS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                   "nine": "ninth", "twelve": "twelfth"}

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "Δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "π": "pi", "ρ": "rho", "σ": "sigma", "Σ": "sigma", "τ": "tau", "φ": "phi", "ϕ": "phi", "Φ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "Ω": "omega", "Γ": "gamma", "Θ": "theta", "Λ": "lambda",
    "Π": "pi", "Ψ": "psi",
}
# Names that read "name of x" before a bracket, besides Greek and single letters.
FUNCTIONS = frozenset({"sigma", "sigmoid", "tanh", "exp", "log", "ln", "max", "min", "softmax", "sin", "cos",
                       "relu", "gelu", "elu", "selu", "silu", "swish", "softplus"})
# Spellings a text-to-speech voice gets right: Piper says "relu" as the lecture does.
WORDS = {"tanh": "tan h"}
RELU = re.compile(r"([A-Z]*)ReLU(s?)")
ACRONYM = re.compile(r"[A-Z]{2,5}s?")
# After these a comparison is a condition ("for z greater than zero"), elsewhere a statement
# ("the size of z is at least three").
CONDITION_WORDS = frozenset({"for", "with", "all", "any", "every", "each", "some"})

RELATIONS = {"=": "equals", "≥": "at least", ">=": "at least", "≤": "at most", "<=": "at most",
             "<": "less than", ">": "greater than", "≈": "about", "~=": "about", "≠": "not equal to",
             "!=": "not equal to"}
ARROWS = {"→": "to", "->": "to", "⟶": "to", "⟺": "means", "⇔": "means", "<=>": "means", "<->": "means",
          "⇒": "so", "=>": "so"}
OPERATORS = {"×": "times", "·": "times", "⋅": "times", "÷": "divided by", "+": "plus", "±": "plus or minus",
             "√": "the square root of", "∇": "the gradient of", "⁻": "minus", "⁺": "plus"}
OPERANDS = {"%": "percent", "∞": "infinity"}
PRIMES = {1: "prime", 2: "double prime", 3: "triple prime"}
SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿⁱˣᶻ", "0123456789-+nixz")
SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")

# A soft space: a space between spoken words that dissolves next to real spaces and punctuation.
SOFT = "\x00"
NO_SPACE_BEFORE = frozenset(",.;:!?)]}…'’\"”-—–/")
NO_SPACE_AFTER = frozenset("([{'‘\"“-—–/")

TOKEN = re.compile(
    r"""
    (?P<norm>\|\|[^|\n]*\w[^|\n]*\|\|)
    |(?P<abs>\|[^|\n]*\w[^|\n]*\|)
    |(?P<grad>(?:∂|(?<![A-Za-z])d)(?P<top>[A-Za-zα-ωΑ-Ω])\s*/\s*(?:∂|d)(?P<bottom>[A-Za-zα-ωΑ-Ω])(?![A-Za-z]))
    |(?P<sci>\d+(?:\.\d+)?[eE][+\-−]?\d+(?![\w.]))
    |(?P<ordinal>\d+(?:st|nd|rd|th)(?![A-Za-z]))
    |(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?|(?<![\w.])\.\d+)
    |(?P<sup>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹ⁿⁱˣᶻ]+)
    |(?P<sub>[₀₁₂₃₄₅₆₇₈₉]+)
    |(?P<caret>\^(?:\{(?P<brace>[^{}]+)\}|\((?P<paren>[^()]+)\)|(?P<plain>[−\-+]?(?:\d+(?:\.\d+)?|\w(?!\w)))))
    |(?P<arrow><=>|<->|->|=>|[→⟶⟺⇔⇒])
    |(?P<relation>>=|<=|!=|~=|[=≥≤<>≈≠])
    |(?P<operator>[×·⋅÷+±√∇⁻⁺])
    |(?P<operand>[%∞])
    |(?P<range>…|\.\.\.|–)
    |(?P<minus>[−-])
    |(?P<slash>/)
    |(?P<star>\*)
    |(?P<prime>[′″‴]+|'+)
    |(?P<open>\()
    |(?P<close>\))
    |(?P<greek>[α-ωΑ-Ωϵϕ])
    |(?P<word>[A-Za-z]+)
    |(?P<space>\s+)
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_NAME = rf"(?:[A-Za-z]|(?i:{'|'.join(sorted(FUNCTIONS))})|[A-Z]*ReLU|{ACRONYM.pattern})(?![A-Za-z])"
OPERAND_START = re.compile(rf"\s*(?:[−-]?\.?\d|{_NAME}|[α-ωΑ-Ω(|∂√∞]|[−-]\s*(?:{_NAME}|[α-ωΑ-Ω(]))")
NUMBER_START = re.compile(r"\s*[−-]?\.?\d")


# ---------------------------------------------------------------- numbers


def _below_thousand(n: int) -> str:
    """1 <= n <= 999 in words: 443 -> 'four hundred forty-three'."""
    hundreds, rest = divmod(n, 100)
    parts = [f"{ONES[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        parts.append(TENS[rest // 10] + (f"-{ONES[rest % 10]}" if rest % 10 else ""))
    elif rest:
        parts.append(ONES[rest])
    return " ".join(parts)


def integer_words(n: int) -> str:
    """|n| < 10^15 in words, no 'and': 443000 -> 'four hundred forty-three thousand'."""
    if n < 0:
        return f"minus {integer_words(-n)}"
    if n >= WORDS_BELOW:
        raise ValueError(f"{n} has too many digits to say as words; use digit_words")
    if n == 0:
        return ONES[0]
    parts = []
    for size, name in SCALES:
        count, n = divmod(n, size)
        if count:
            parts.append(f"{_below_thousand(count)} {name}")
    if n:
        parts.append(_below_thousand(n))
    return " ".join(parts)


def digit_words(digits: str) -> str:
    """Digits one by one: '0665' -> 'zero six six five'."""
    return " ".join(ONES[int(d)] for d in digits)


def numeral_words(numeral: str) -> str:
    """A written decimal numeral in words: '−0.0968' -> 'minus zero point zero nine six eight'."""
    sign = "minus " if numeral[:1] in ("-", "\u2212") else ""
    whole, point, fraction = numeral.lstrip("-\u2212+").replace(",", "").partition(".")
    if not (whole or fraction) or not (whole + fraction).isdigit() or (point and not fraction):
        raise ValueError(f"{numeral!r} is not a decimal numeral")
    if not whole:
        said = ""
    elif (len(whole) > 1 and whole[0] == "0") or len(whole) > len(str(WORDS_BELOW - 1)):
        said = digit_words(whole)
    else:
        said = integer_words(int(whole))
    if fraction:
        said = f"{said} point {digit_words(fraction)}".lstrip()
    return sign + said


def ordinal_words(n: int) -> str:
    """0 <= n < 10^15 as an ordinal: 6 -> 'sixth', 21 -> 'twenty-first', 40 -> 'fortieth'."""
    words = integer_words(n)
    head, sep, last = max(words.rpartition(" "), words.rpartition("-"), key=lambda p: len(p[0]))
    if last in ORDINAL_ENDINGS:
        last = ORDINAL_ENDINGS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def exponent_words(exponent: str) -> str:
    """How a power is said: '-5' -> 'to the minus five', '2' -> 'squared', '7' -> 'to the power seven'."""
    e = exponent.strip()
    if e[:1] in ("-", "\u2212"):
        return f"to the minus {speak(e[1:].strip())}"
    e = e.removeprefix("+").strip()
    if e in ("2", "3"):
        return "squared" if e == "2" else "cubed"
    return f"to the power {speak(e)}"


# ---------------------------------------------------------------- notation


@dataclass
class _Reader:
    """The state of reading one text: what came last decides how the next symbol is said."""

    text: str
    out: list[str] = field(default_factory=list)
    last: str = "start"  # start, word, operand, function, operator, punct
    lead: str = ""  # the plain word before the current formula, lower case
    end: int = 0  # where the last token ended
    brackets: list[bool] = field(default_factory=list)  # True: a function's bracket, not said
    opening: bool = True  # at the start of a sentence

    def say(self, words: str, kind: str) -> None:
        """Append spoken words (kept apart from their neighbours by soft spaces)."""
        self.out.append(f"{SOFT}{words}{SOFT}")
        self.last = kind

    def keep(self, written: str, kind: str) -> None:
        """Append text as written."""
        self.out.append(written)
        self.last = kind

    def operand_follows(self, at: int) -> bool:
        """Does an operand (a number, a variable, a bracket) start at `at`, spaces aside?"""
        return OPERAND_START.match(self.text, at) is not None

    def after_operand(self) -> bool:
        """Does the current token follow an operand (a number, a variable, a closed bracket)?"""
        return self.last in ("operand", "function")


def _word(r: _Reader, m: re.Match[str]) -> None:
    """A run of letters: acronyms spelled, ReLU said as a word, single letters are variables."""
    w = m.group()
    relu = RELU.fullmatch(w)
    if relu:
        said = " ".join([*relu.group(1), "relu" + relu.group(2)])
        r.say(said[0].upper() + said[1:] if r.opening else said, "function")
    elif w in WORDS:
        r.say(WORDS[w], "function")
    elif ACRONYM.fullmatch(w):
        letters, plural = (w[:-1], "s") if w.endswith("s") else (w, "")
        r.say(" ".join(letters) + plural, "function")
    elif len(w) == 1 or w.lower() in FUNCTIONS:
        r.keep(w, "function")
    else:
        r.keep(w, "word")
        r.lead = w.lower()


def _minus(r: _Reader, m: re.Match[str]) -> None:
    """The minus sign '−' always; '-' where it is a sign or between operands, else a hyphen."""
    before = r.text[m.start() - 1] if m.start() else " "
    after = r.text[m.end()] if m.end() < len(r.text) else " "
    if m.group() == "\u2212":
        r.say("minus", "operator")
    elif before.isalnum():
        r.keep("-", "punct")
    elif not after.isspace() and r.operand_follows(m.end()):
        r.say("minus", "operator")
    elif before.isspace() and after.isspace() and r.after_operand() and r.operand_follows(m.end()):
        r.say("minus", "operator")
    else:
        r.keep("-", "punct")


def _relation(r: _Reader, m: re.Match[str]) -> None:
    """A comparison, with 'is' when it states something about the operand before it."""
    words = RELATIONS[m.group()]
    if m.group() != "=" and r.after_operand() and r.lead not in CONDITION_WORDS:
        words = f"is {words}"
    r.say(words, "operator")


def _between(r: _Reader, m: re.Match[str], words: str) -> None:
    """A symbol said as `words` between two operands, else kept as written."""
    if r.after_operand() and r.operand_follows(m.end()):
        r.say(words, "operator")
    else:
        r.keep(m.group(), "punct")


def _range(r: _Reader, m: re.Match[str]) -> None:
    """'1 … 5' and '1–5' read 'one to five'; an ellipsis or a dash in prose stays."""
    if r.after_operand() and NUMBER_START.match(r.text, m.end()):
        r.say("to", "operator")
    else:
        r.keep(m.group(), "punct")


def _prime(r: _Reader, m: re.Match[str]) -> None:
    """f′ is 'f prime'; an ASCII apostrophe only right after an operand and before no letter."""
    marks = m.group()
    if marks.startswith("'"):
        after = r.text[m.end()] if m.end() < len(r.text) else " "
        if not r.after_operand() or r.end != m.start() or after.isalpha() or len(marks) > 3:
            r.keep(marks, "punct")
            return
        count = len(marks)
    else:
        count = sum({"′": 1, "″": 2, "‴": 3}[c] for c in marks)
    r.say(PRIMES.get(count, " ".join(["prime"] * count)), "function")


def _open(r: _Reader, m: re.Match[str]) -> None:
    """σ(z) reads 'sigma of z': a bracket right after a function name is not said."""
    applied = r.last == "function" and r.end == m.start()
    r.brackets.append(applied)
    if applied:
        r.say("of", "operator")
    else:
        r.keep("(", "operator")


def _close(r: _Reader, m: re.Match[str]) -> None:
    """The closing bracket: silent after a function's argument, else kept."""
    if r.brackets and r.brackets.pop():
        r.say("", "operand")
    else:
        r.keep(")", "operand")


def _other(r: _Reader, m: re.Match[str]) -> None:
    """Punctuation and anything else, as written; a clause ends the formula before it."""
    r.keep(m.group(), "punct")
    r.lead = ""


def _exponent(m: re.Match[str]) -> str:
    """The written exponent of a caret: e^-5, e^{-z}, e^(-z)."""
    return next(g for g in m.group("brace", "paren", "plain") if g is not None)


def _scientific(m: re.Match[str]) -> str:
    """E notation: 3.2e-5 -> 'three point two times ten to the minus five'."""
    mantissa, exponent = re.split("[eE]", m.group())
    return f"{numeral_words(mantissa)} times ten {exponent_words(exponent)}"


SAID: dict[str, Callable[[re.Match[str]], str]] = {
    "norm": lambda m: f"the norm of {speak(m.group()[2:-2].strip())}",
    "abs": lambda m: f"the size of {speak(m.group()[1:-1].strip())}",
    "grad": lambda m: f"the gradient of {speak(m.group('top'))} with respect to {speak(m.group('bottom'))}",
    "sci": _scientific,
    "ordinal": lambda m: ordinal_words(int(m.group()[:-2])),
    "number": lambda m: numeral_words(m.group()),
    "sup": lambda m: exponent_words(m.group().translate(SUPERSCRIPT)),
    "sub": lambda m: numeral_words(m.group().translate(SUBSCRIPT)),
    "caret": lambda m: exponent_words(_exponent(m)),
    "operand": lambda m: OPERANDS[m.group()],
    "greek": lambda m: GREEK[m.group()],
}
SAID_KIND = {"greek": "function", "sub": "function"}
HANDLERS: dict[str, Callable[[_Reader, re.Match[str]], None]] = {
    "word": _word,
    "minus": _minus,
    "relation": _relation,
    "arrow": lambda r, m: r.say(ARROWS[m.group()], "operator"),
    "operator": lambda r, m: r.say(OPERATORS[m.group()], "operator"),
    "slash": lambda r, m: _between(r, m, "divided by"),
    "star": lambda r, m: _between(r, m, "times"),
    "range": _range,
    "prime": _prime,
    "open": _open,
    "close": _close,
    "space": lambda r, m: r.out.append(m.group()),
    "other": _other,
}


def _settle(text: str) -> str:
    """Soft spaces become one space between words, and nothing next to spaces or punctuation."""
    parts = re.sub(f"{SOFT}+", SOFT, text).split(SOFT)
    out = parts[0]
    for part in parts[1:]:
        if out and part and not (out[-1].isspace() or part[0].isspace()
                                 or part[0] in NO_SPACE_BEFORE or out[-1] in NO_SPACE_AFTER):
            out += " "
        out += part
    return out


def speak(written: str) -> str:
    """What the voice reads for a written sentence: numbers and notation in words, the rest kept."""
    r = _Reader(written)
    for m in TOKEN.finditer(written):
        kind = m.lastgroup or "other"
        if kind in SAID:
            r.say(SAID[kind](m), SAID_KIND.get(kind, "operand"))
        else:
            HANDLERS[kind](r, m)
        if kind != "space":
            r.end = m.end()
            r.opening = m.group() in (".", "!", "?")
    return _settle("".join(r.out))


# Fractions a listener takes in at once, largest first: x is said as a whole number of one of
# them. Tenths and hundredths as decimals, smaller ones as parts in a power of ten: a speech
# recogniser heard "seven tenths" as "seven over ten" and "two millionths" as "two millions",
# but "zero point seven" and "two parts in a million" as said.
FRACTION_UNITS = ((1e-1, "zero point {}"), (1e-2, "zero point zero {}"), (1e-3, "{} in a thousand"),
                  (1e-4, "{} in ten thousand"), (1e-5, "{} in a hundred thousand"), (1e-6, "{} in a million"),
                  (1e-7, "{} in ten million"), (1e-8, "{} in a hundred million"), (1e-9, "{} in a billion"))


def _fraction(count: int, form: str) -> str:
    """A whole number of a fraction unit in words: 'zero point seven', 'two parts in a million'."""
    if form.startswith("zero point"):
        return form.format(integer_words(count))
    return form.format(f"{integer_words(count)} part{'s' if count > 1 else ''}")


def magnitude_words(x: float) -> str:
    """x to one significant figure, for the ear: 2.26e-6 -> 'about two parts in a million',
    443050 -> 'about four hundred thousand', 0.7 -> 'zero point seven' ('about' only when rounded)."""
    if not x > 0 or x != x or x == float("inf"):
        raise ValueError(f"a magnitude must be a positive finite number, got {x}")
    if x >= 0.95:  # ten tenths is one
        exponent = len(str(int(round(x)))) - 1
        leading = round(x / 10**exponent)
        if leading == 10:
            leading, exponent = 1, exponent + 1
        rounded = leading * 10**exponent
        # Past the words for integers ("trillion"), the power of ten is said instead.
        said = (integer_words(rounded) if rounded < WORDS_BELOW
                else f"{integer_words(leading)} times ten {exponent_words(str(exponent))}")
    elif x < 0.95 * FRACTION_UNITS[-1][0]:
        return f"less than {_fraction(1, FRACTION_UNITS[-1][1])}"
    else:
        unit, form = next((u, f) for u, f in FRACTION_UNITS if x / u >= 0.95)
        count = max(1, round(x / unit))
        if count == 10 and unit < 1e-1:  # ten hundredths is one tenth
            unit, form = next((u, f) for u, f in FRACTION_UNITS if u == unit * 10)
            count = 1
        rounded = count * unit
        said = _fraction(count, form)
    return said if abs(rounded - x) <= 1e-9 * x else f"about {said}"
