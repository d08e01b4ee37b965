"""How numbers look on screen: significant figures, fixed decimals, percent, scientific form.

Every number a scene shows is formatted here, as plain text and as LaTeX, so that the display
rounding is tested once and the same everywhere; the narrator says the plain text in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from .spoken import speak

Kind = Literal["sig", "fixed", "percent", "sci", "auto", "int"]

# Below this magnitude the auto style switches to scientific form (0.00032 stays, 3.2e-5 goes).
SCI_BELOW = 1e-4
# Outside these magnitudes even the sig style writes scientific form: a parameter at
# the end of its range (z = 1e-300) would otherwise put 300 zeros on screen, and no caption
# holds them. Positional from a millionth to below a billion.
POSITIONAL = (1e-6, 1e9)
MINUS = "\u2212"


def _decimal(x: float) -> Decimal:
    """The exact binary value of x as a Decimal (so rounding is of the true value, not its repr)."""
    return Decimal(float(x))


def _strip(s: str) -> str:
    """Drop trailing zeros after a decimal point, and the point itself if nothing follows."""
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def round_sig(x: float, digits: int) -> float:
    """x rounded to `digits` significant figures (half to even on the exact binary value)."""
    if x == 0 or not math.isfinite(x):
        return float(x)
    exp = _decimal(abs(x)).adjusted()
    q = Decimal(1).scaleb(exp - digits + 1)
    return float(_decimal(x).quantize(q, rounding=ROUND_HALF_EVEN))


def fmt_fixed(x: float, decimals: int, trim: bool = False) -> str:
    """x with exactly `decimals` digits after the point (trailing zeros dropped if trim)."""
    q = Decimal(1).scaleb(-decimals)
    s = f"{_decimal(x).quantize(q, rounding=ROUND_HALF_EVEN):f}"
    if s.startswith("-") and float(s) == 0:
        s = s[1:]
    return _strip(s) if trim else s


def fmt_sig(x: float, digits: int = 3, trim: bool = True) -> str:
    """x to `digits` significant figures in positional notation: 0.006648 -> '0.00665'."""
    if x == 0:
        return "0"
    d = _decimal(x)
    exp = d.adjusted()
    q = Decimal(1).scaleb(exp - digits + 1)
    r = d.quantize(q, rounding=ROUND_HALF_EVEN)
    if r.adjusted() != exp:  # rounding carried into a new digit (9.996 -> 10.0)
        q = Decimal(1).scaleb(r.adjusted() - digits + 1)
        r = d.quantize(q, rounding=ROUND_HALF_EVEN)
    s = f"{r:f}"
    return _strip(s) if trim else s


def sci_parts(x: float, digits: int = 2) -> tuple[str, int]:
    """Mantissa text and exponent of x in scientific form: 0.000032 -> ('3.2', -5)."""
    if x == 0:
        return "0", 0
    # Round the exact decimal, not a float: the float nearest 1e-7 lies below it, and its
    # exponent would come out one too small ('10 x 10^-8').
    d = _decimal(x)
    r = d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1), rounding=ROUND_HALF_EVEN)
    exp = r.adjusted()  # after a carry (9.99e-6 -> 1.0e-5) the exponent moves up
    mant = fmt_sig(float(r.scaleb(-exp)), digits)
    return mant, exp


def fmt_sci_text(x: float, digits: int = 2) -> str:
    """x as '3.2 × 10⁻⁵' (plain text, Unicode superscripts)."""
    mant, exp = sci_parts(x, digits)
    sup = str.maketrans(
        "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
    )
    return f"{mant} \u00d7 10{str(exp).translate(sup)}"


def fmt_sci_tex(x: float, digits: int = 2) -> str:
    """x as '3.2 \\times 10^{-5}' (LaTeX)."""
    mant, exp = sci_parts(x, digits)
    return f"{mant} \\times 10^{{{exp}}}"


def _positional(x: float) -> bool:
    """Whether x is written positionally in the sig style (see POSITIONAL)."""
    return x == 0 or not math.isfinite(x) or POSITIONAL[0] <= abs(x) < POSITIONAL[1]


def _sci(x: float, digits: int, tex: bool) -> str:
    return fmt_sci_tex(x, digits) if tex else fmt_sci_text(x, digits)


@dataclass(frozen=True)
class Display:
    """A display style: kind and digits (significant figures, or decimals for 'fixed')."""

    kind: Kind = "auto"
    digits: int = 3

    def text(self, x: float) -> str:
        """The plain-text screen form of x."""
        return self._render(x, tex=False)

    def tex(self, x: float) -> str:
        """The LaTeX screen form of x."""
        return self._render(x, tex=True)

    def spoken(self, x: float) -> str:
        """The words a narrator says for the text form of x: 0.00665 -> 'zero point zero zero six six five'."""
        return speak(self.text(x))

    def _render(self, x: float, tex: bool) -> str:
        """Format x in this style, as LaTeX or as text."""
        x = float(x)
        kind = self.kind
        if kind == "auto":
            kind = "sci" if x != 0 and abs(x) < SCI_BELOW else "sig"
        if kind == "int":
            s = str(int(round(x)))
        elif kind == "fixed":
            s = fmt_fixed(x, self.digits)
        elif kind == "sig":
            s = fmt_sig(x, self.digits) if _positional(x) else _sci(x, self.digits, tex)
        elif kind == "percent":
            body = fmt_sig(100.0 * x, self.digits)
            s = f"{body}\\,\\%" if tex else f"{body} %"
        elif kind == "sci":
            s = fmt_sci_tex(x, self.digits) if tex else fmt_sci_text(x, self.digits)
        else:
            raise ValueError(f"unknown display kind {self.kind!r}")
        if not tex and s.startswith("-"):
            s = MINUS + s[1:]
        return s


SIG3 = Display("sig", 3)
SIG4 = Display("sig", 4)
PERCENT = Display("percent", 3)
AUTO = Display("auto", 3)
INT = Display("int", 0)
