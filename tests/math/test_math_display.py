"""Number formatting: significant figures, fixed decimals, percent, scientific form, styles.

References are Python's own float formatting (correctly rounded, half to even on the exact binary
value) and mpmath for the seed's numbers, never the code's output.
"""

from __future__ import annotations

import math

import mpmath
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sigsat_math import AUTO, INT, PERCENT, SIG3, SIG4, Display, sigmoid, sigmoid_prime
from sigsat_math.display import (
    MINUS,
    fmt_fixed,
    fmt_sci_tex,
    fmt_sci_text,
    fmt_sig,
    round_sig,
    sci_parts,
)

FAST = settings(max_examples=150, deadline=None)
SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")



def signed(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats with lo <= |x| <= hi, either sign (built, not filtered, so nothing is rejected)."""
    return st.builds(lambda m, neg: -m if neg else m, st.floats(lo, hi), st.booleans())


finite = signed(1e-300, 1e300)
digits = st.integers(min_value=1, max_value=8)


def ref_sci(x: float, d: int) -> tuple[str, int]:
    """Mantissa (trailing zeros dropped) and exponent from Python's correctly rounded '.{d-1}e'."""
    mant, exp = f"{x:.{d - 1}e}".split("e")
    if "." in mant:
        mant = mant.rstrip("0").rstrip(".")
    return mant, int(exp)


# ---------------------------------------------------------------- round_sig, fmt_sig, fmt_fixed


@FAST
@given(finite, digits)
def test_round_sig_is_correct_rounding(x: float, d: int) -> None:
    assert round_sig(x, d) == float(f"{x:.{d - 1}e}")


def test_round_sig_edges() -> None:
    assert round_sig(0.0, 3) == 0.0
    assert math.isinf(round_sig(math.inf, 3))
    assert round_sig(9.996, 3) == 10.0  # the carry
    assert round_sig(0.006648, 3) == 0.00665
    assert round_sig(-123456.0, 2) == -120000.0
    assert round_sig(0.125, 2) == 0.12  # exact binary tie: half to even
    assert round_sig(2.675, 3) == 2.67  # 2.675 is 2.67499999... in binary


@FAST
@given(signed(1e-4, 999.0), st.integers(min_value=3, max_value=8))
@example(0.006648, 3)
@example(9.996, 3)
@example(-0.0009996, 3)
def test_fmt_sig_matches_python_g(x: float, d: int) -> None:
    # '.{d}g' is positional for 1e-4 <= |x| < 10^d and drops trailing zeros, like fmt_sig
    assert fmt_sig(x, d) == f"{x:.{d}g}"


@FAST
@given(finite, digits)
def test_fmt_sig_value_is_the_rounded_value(x: float, d: int) -> None:
    s = fmt_sig(x, d)
    assert "e" not in s.lower()  # always positional
    assert float(s) == float(f"{x:.{d - 1}e}")


@FAST
@given(signed(1e-6, 1e6), digits)
def test_fmt_sig_untrimmed_keeps_d_significant_digits(x: float, d: int) -> None:
    s = fmt_sig(x, d, trim=False)
    sig = s.lstrip("-").replace(".", "").lstrip("0")
    if float(s).is_integer() and abs(float(s)) >= 10**d:
        assert len(sig.rstrip("0")) <= d  # 123456 at 2 sig is 120000: zeros only hold place
    else:
        assert len(sig) == d, s
    assert float(s) == float(f"{x:.{d - 1}e}")


def test_fmt_sig_carry() -> None:
    assert fmt_sig(9.996, 3, trim=False) == "10.0"  # carried into a new digit, still 3 sig
    assert fmt_sig(9.996, 3) == "10"  # trimmed (the default)
    assert fmt_sig(0.0009996, 3, trim=False) == "0.00100"
    assert fmt_sig(99.95, 3, trim=False) == "100"  # 99.95 is 99.9500000000000028... in binary
    assert fmt_sig(999.6, 3, trim=False) == "1000"


def test_fmt_sig_examples() -> None:
    assert fmt_sig(0.006648) == "0.00665"
    assert fmt_sig(0.0, 3) == "0"
    assert fmt_sig(-0.006648) == "-0.00665"
    assert fmt_sig(0.5, 3, trim=False) == "0.500"
    assert fmt_sig(0.5, 3) == "0.5"
    assert fmt_sig(123456.0, 2) == "120000"
    assert fmt_sig(0.00032000000000000016, 3) == "0.00032"


@FAST
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 8))
@example(-0.0001, 2)
@example(-0.004, 2)
@example(0.125, 2)
def test_fmt_fixed_matches_python_f(x: float, n: int) -> None:
    ref = f"{x:.{n}f}"
    if ref.startswith("-") and float(ref) == 0:
        ref = ref[1:]  # no '-0.00' on screen
    assert fmt_fixed(x, n) == ref
    trimmed = fmt_fixed(x, n, trim=True)
    assert float(trimmed) == float(ref)
    assert not ("." in trimmed and trimmed.endswith("0")) and not trimmed.endswith(".")


def test_fmt_fixed_examples() -> None:
    assert fmt_fixed(0.006648, 4) == "0.0066"
    assert fmt_fixed(0.993307, 4) == "0.9933"
    assert fmt_fixed(-0.0001, 2) == "0.00"
    assert fmt_fixed(2.5, 0) == "2"  # half to even
    assert fmt_fixed(0.5, 3) == "0.500"
    assert fmt_fixed(0.5, 3, trim=True) == "0.5"
    assert fmt_fixed(3.0, 2, trim=True) == "3"


# ---------------------------------------------------------------- scientific form


@FAST
@given(finite, st.integers(min_value=1, max_value=6))
@example(1e-7, 2)
@example(1e-11, 2)
@example(1e-16, 2)
@example(1e23, 2)
@example(9.99e-6, 2)
@example(9.96e-6, 2)
@example(3.2e-5, 2)
def test_sci_parts_match_python_e(x: float, d: int) -> None:
    assert sci_parts(x, d) == ref_sci(x, d)


@pytest.mark.parametrize(
    "x, text, tex",
    [
        (3.2e-5, "3.2 × 10⁻⁵", "3.2 \\times 10^{-5}"),
        (1e-7, "1 × 10⁻⁷", "1 \\times 10^{-7}"),  # the float 1e-7 is just below 10^-7
        (1e-11, "1 × 10⁻¹¹", "1 \\times 10^{-11}"),
        (9.99e-6, "1 × 10⁻⁵", "1 \\times 10^{-5}"),  # 2 sig: the carry moves the exponent
        (-4.5e-9, "-4.5 × 10⁻⁹", "-4.5 \\times 10^{-9}"),
        (6.02e23, "6 × 10²³", "6 \\times 10^{23}"),
        (0.0, "0 × 10⁰", "0 \\times 10^{0}"),
    ],
)
def test_sci_text_and_tex(x: float, text: str, tex: str) -> None:
    assert fmt_sci_text(x) == text
    assert fmt_sci_tex(x) == tex


@FAST
@given(finite, st.integers(min_value=1, max_value=6))
def test_sci_text_form(x: float, d: int) -> None:
    mant, exp = ref_sci(x, d)
    assert fmt_sci_text(x, d) == f"{mant} × 10{str(exp).translate(SUP)}"
    assert fmt_sci_tex(x, d) == f"{mant} \\times 10^{{{exp}}}"
    m = float(mant)
    assert 1 <= abs(m) < 10


# ---------------------------------------------------------------- Display styles


def test_styles() -> None:
    assert (SIG3.kind, SIG3.digits) == ("sig", 3)
    assert (SIG4.kind, SIG4.digits) == ("sig", 4)
    assert (PERCENT.kind, PERCENT.digits) == ("percent", 3)
    assert (AUTO.kind, AUTO.digits) == ("auto", 3)
    assert INT.kind == "int"
    assert Display() == AUTO


def test_negative_numbers_use_unicode_minus_in_text_only() -> None:
    assert MINUS == "\u2212"
    assert SIG3.text(-0.006648) == "\u22120.00665"
    assert SIG3.tex(-0.006648) == "-0.00665"
    assert PERCENT.text(-0.02659) == "\u22122.66 %"
    assert PERCENT.tex(-0.02659) == "-2.66\\,\\%"
    assert AUTO.text(-3.2e-5) == "\u22123.2 × 10⁻⁵"
    assert AUTO.tex(-3.2e-5) == "-3.2 \\times 10^{-5}"
    assert INT.text(-3.0) == "\u22123"
    assert Display("fixed", 2).text(-1.5) == "\u22121.50"
    assert "-" not in SIG3.text(-0.5) and "-" not in AUTO.text(-3.2e-5)
    # a value that rounds to zero shows no sign at all
    assert Display("fixed", 2).text(-0.001) == "0.00"


def test_percent_style() -> None:
    assert PERCENT.text(0.02659) == "2.66 %"
    assert PERCENT.tex(0.02659) == "2.66\\,\\%"
    assert PERCENT.text(0.5) == "50 %"
    assert Display("percent", 2).text(0.0268) == "2.7 %"  # the seed's 2.7 %


def test_auto_style_switch() -> None:
    assert AUTO.text(0.00032) == "0.00032"  # stays positional
    assert AUTO.text(1e-4) == "0.0001"
    assert AUTO.text(9.9e-5) == "9.9 × 10⁻⁵"
    assert AUTO.text(0.0) == "0"
    assert AUTO.tex(0.0) == "0"
    assert AUTO.text(37.6) == "37.6"
    assert AUTO.text(1e-7) == "1 × 10⁻⁷"


def test_int_and_fixed_styles() -> None:
    assert INT.text(5.0) == "5"
    assert INT.tex(12.4) == "12"
    assert Display("fixed", 4).text(0.006648) == "0.0066"
    assert Display("fixed", 4).tex(0.993307) == "0.9933"
    assert Display("sig", 3).text(9.996) == "10"
    assert Display("sci", 2).text(0.00032) == "3.2 × 10⁻⁴"


def test_unknown_kind_raises() -> None:
    with pytest.raises(ValueError):
        Display("bogus", 3).text(1.0)  # type: ignore[arg-type]


def test_styles_are_frozen() -> None:
    with pytest.raises(AttributeError):
        SIG3.digits = 4  # type: ignore[misc]


# ---------------------------------------------------------------- the seed table, independently


def mp_sigmoid(z: int) -> mpmath.mpf:
    return 1 / (1 + mpmath.exp(-z))


def g(x: mpmath.mpf, d: int) -> str:
    """x to d significant figures by Python's correctly rounded formatting of mpmath's value."""
    return f"{float(x):.{d}g}"


def test_seed_table_references() -> None:
    # the strings the seed's numbers should show, computed from mpmath (not from sigsat_math)
    with mpmath.workdps(40):
        s5 = mp_sigmoid(5)
        prime5 = s5 * (1 - s5)
        assert g(prime5, 3) == "0.00665"
        assert g(s5, 4) == "0.9933"
        assert g(mpmath.exp(-5), 4) == "0.006738"
        assert g(1 - s5, 4) == "0.006693"
        assert g(prime5 / mpmath.mpf("0.25"), 4) == "0.02659"
        assert g(100 * prime5 / mpmath.mpf("0.25"), 3) == "2.66"
        s4 = mp_sigmoid(4)
        assert g(s4 * (1 - s4), 3) == "0.0177"
        assert g(100 * 4 * s4 * (1 - s4), 3) == "7.07"


def test_seed_table_on_screen() -> None:
    assert SIG3.text(sigmoid_prime(5.0)) == "0.00665"
    assert SIG3.tex(sigmoid_prime(5.0)) == "0.00665"
    assert SIG4.text(sigmoid(5.0)) == "0.9933"
    assert SIG4.text(math.exp(-5.0)) == "0.006738"
    assert SIG4.text(float(sigmoid(-5.0))) == "0.006693"
    assert SIG4.text(sigmoid_prime(5.0) / 0.25) == "0.02659"
    assert PERCENT.text(sigmoid_prime(5.0) / 0.25) == "2.66 %"
    assert PERCENT.tex(sigmoid_prime(5.0) / 0.25) == "2.66\\,\\%"
    assert SIG3.text(0.2**5) == "0.00032"
    assert AUTO.text(0.2**5) == "0.00032"
    assert AUTO.text(0.1 * 0.00032) == "3.2 × 10⁻⁵"
    assert AUTO.tex(0.1 * 0.00032) == "3.2 \\times 10^{-5}"
    assert SIG3.text(sigmoid_prime(4.0)) == "0.0177"
    assert PERCENT.text(sigmoid_prime(4.0) / 0.25) == "7.07 %"
    # at four decimals the exact sigma'(5) is 0.0066, not the seed's 0.0067
    assert Display("fixed", 4).text(sigmoid_prime(5.0)) == "0.0066"


def test_extreme_magnitudes_are_written_in_scientific_form() -> None:
    # A parameter at the far end of its range (z = 1e-300) once put 300 zeros on screen.
    assert SIG3.text(1e-300) == "1 × 10⁻³⁰⁰"
    assert SIG3.tex(1e-300) == "1 \\times 10^{-300}"
    assert SIG4.text(3.4e-9) == "3.4 × 10⁻⁹"
    assert SIG3.text(-2.5e12) == "\u22122.5 × 10¹²"
    assert SIG3.text(1e-6) == "0.000001" and SIG3.text(123456789.0) == "123000000"
    for x in (1e-300, 3.4e-9, 2.5e12):
        assert len(SIG3.text(x)) < 16 and SIG3.spoken(x)
