"""Saturation (sigma' against its maximum) and the chain rule through a stack of layers."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sigsat_math import (
    backward_gradients,
    depth_profile,
    fraction_of_max,
    is_saturated,
    layers_until_below,
    saturation_z,
    sigmoid_prime_max,
    total_gradient,
    weight_update,
)

FAST = settings(max_examples=60, deadline=None)


def mp_fraction(z: float) -> float:
    """4 sigma'(z) at 40 digits."""
    with mpmath.workdps(40):
        e = mpmath.exp(-mpmath.mpf(z))
        return float(4 * e / (1 + e) ** 2)


def mp_root(fraction: float) -> float:
    """The z >= 0 with 4 sigma'(z) = fraction, by bisection on ln(4 sigma'(z)) in mpmath."""
    with mpmath.workdps(40):
        target = mpmath.log(mpmath.mpf(fraction))

        def g(z: mpmath.mpf) -> mpmath.mpf:  # decreasing for z >= 0, g(0) = -target >= 0
            return mpmath.log(4) - z - 2 * mpmath.log1p(mpmath.exp(-z)) - target

        lo, hi = mpmath.mpf(0), mpmath.mpf(800)
        for _ in range(200):
            mid = (lo + hi) / 2
            if g(mid) > 0:
                lo = mid
            else:
                hi = mid
        return float((lo + hi) / 2)


# ---------------------------------------------------------------- saturation


def test_sigmoid_prime_max_is_a_quarter() -> None:
    assert sigmoid_prime_max() == 0.25
    assert type(sigmoid_prime_max()) is float


@pytest.mark.parametrize("z", [0.0, 0.5, -1.0, 3.0, 4.0, 5.0, -5.0, 10.0, 30.0, 300.0])
def test_fraction_of_max_against_mpmath(z: float) -> None:
    assert fraction_of_max(z) == pytest.approx(mp_fraction(z), rel=1e-13)


def test_fraction_of_max_shapes() -> None:
    assert fraction_of_max(0.0) == 1.0
    assert type(fraction_of_max(2.0)) is float
    zs = np.array([[0.0, 1.0], [3.0, 5.0]])
    out = fraction_of_max(zs)
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[mp_fraction(z) for z in row] for row in zs], rtol=1e-13)


def test_seed_fraction_at_5_is_2_66_percent() -> None:
    # sigma'(5) / 0.25 = 0.02659 (the seed's 2.7 % from rounded factors)
    assert fraction_of_max(5.0) == pytest.approx(0.026592, abs=5e-7)


@pytest.mark.parametrize("t", [3.0, 0.5, 2.25])
def test_is_saturated_at_exactly_the_threshold(t: float) -> None:
    for z in (t, -t):
        assert is_saturated(z, t) is True  # slides: |z| >= t
        assert is_saturated(z, t, inclusive=True) is True
        assert is_saturated(z, t, inclusive=False) is False  # page: |z| > t
    for z in (math.nextafter(t, math.inf), -math.nextafter(t, math.inf)):
        assert is_saturated(z, t, inclusive=False) is True
    for z in (math.nextafter(t, 0.0), 0.0, -math.nextafter(t, 0.0)):
        assert is_saturated(z, t) is False
        assert is_saturated(z, t, inclusive=False) is False


def test_is_saturated_arrays() -> None:
    zs = np.array([-4.0, -3.0, -2.9, 0.0, 2.9, 3.0, 4.0])
    np.testing.assert_array_equal(is_saturated(zs, 3.0), [1, 1, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(is_saturated(zs, 3.0, inclusive=False), [1, 0, 0, 0, 0, 0, 1])
    assert is_saturated(zs, 3.0).shape == zs.shape
    assert is_saturated(np.float64(4.0), 3.0) is True
    assert is_saturated(5, 3.0) is True


fractions = st.one_of(
    st.floats(min_value=1e-300, max_value=1.0, exclude_min=False),
    st.floats(min_value=1e-13, max_value=1e-11),
    st.floats(min_value=0.9, max_value=1.0),
)


@FAST
@given(fractions)
@example(1e-12)
@example(1e-300)
@example(1.0)
@example(0.5)
@example(1 - 1e-15)
def test_saturation_z_inverts_fraction_of_max(f: float) -> None:
    z = saturation_z(f)
    assert z >= 0
    assert mp_fraction(z) == pytest.approx(f, rel=1e-12)
    assert fraction_of_max(z) == pytest.approx(f, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(fractions)
@example(1e-12)
@example(0.1)
@example(1.0)
def test_saturation_z_agrees_with_a_root_solve(f: float) -> None:
    assert saturation_z(f) == pytest.approx(mp_root(f), rel=1e-12, abs=1e-12)


@FAST
@given(st.floats(min_value=0.5, max_value=600.0))
def test_saturation_z_of_fraction_is_z(z: float) -> None:
    assert saturation_z(fraction_of_max(z)) == pytest.approx(z, rel=1e-9)


def test_saturation_z_known_values() -> None:
    assert saturation_z(1.0) == 0.0
    # 4 sigma'(3) = 0.18071...: the default threshold is where sigma' is 18 % of its best
    assert saturation_z(mp_fraction(3.0)) == pytest.approx(3.0, rel=1e-12)
    assert saturation_z(0.1) > saturation_z(0.5) > 0


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.0000001, 2.0, math.nan, math.inf])
def test_saturation_z_rejects_fractions_outside_0_1(bad: float) -> None:
    with pytest.raises(ValueError):
        saturation_z(bad)


# ---------------------------------------------------------------- chain rule


def test_backward_gradients_explicit_products() -> None:
    f = [0.2, 0.5, 0.9, 0.1]
    got = backward_gradients(f, upstream=2.0)
    expected = [2.0 * 0.2, 2.0 * 0.2 * 0.5, 2.0 * 0.2 * 0.5 * 0.9, 2.0 * 0.2 * 0.5 * 0.9 * 0.1]
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert got.dtype == np.float64
    np.testing.assert_allclose(backward_gradients([0.25] * 3), [0.25, 0.0625, 0.015625], rtol=0)
    assert backward_gradients([]).shape == (0,)


@FAST
@given(st.lists(st.floats(min_value=0.0, max_value=2.0), max_size=20),
       st.floats(min_value=-10.0, max_value=10.0))
def test_backward_gradients_running_product(factors: list[float], upstream: float) -> None:
    got = backward_gradients(np.array(factors), upstream)
    assert got.shape == (len(factors),)
    exact = Fraction(upstream)
    for k, f in enumerate(factors):
        exact *= Fraction(f)
        assert got[k] == pytest.approx(float(exact), rel=1e-13, abs=1e-300)


def test_total_gradient_seed_problem_2() -> None:
    assert total_gradient(5, 0.2) == pytest.approx(0.00032, rel=1e-13)
    assert float(Fraction(1, 5) ** 5) == 0.00032
    assert total_gradient(0, 0.2) == 1.0
    assert total_gradient(1, 0.2) == 0.2
    assert total_gradient(3, 0.25) == 0.015625
    with pytest.raises(ValueError):
        total_gradient(-1, 0.2)


def test_weight_update_seed_problem_2() -> None:
    assert weight_update(0.1, 0.00032) == pytest.approx(3.2e-5, rel=1e-13)
    assert weight_update(0.1, total_gradient(5, 0.2)) == pytest.approx(0.000032, rel=1e-13)
    assert type(weight_update(1, 2)) is float


def test_depth_profile() -> None:
    p = depth_profile(0.25, 4)
    np.testing.assert_array_equal(p, [1.0, 0.25, 0.0625, 0.015625, 0.00390625])
    assert p.dtype == np.float64
    assert depth_profile(0.2, 0).tolist() == [1.0]
    p = depth_profile(0.2, 5)
    assert len(p) == 6
    assert p[-1] == pytest.approx(0.00032, rel=1e-13)
    np.testing.assert_allclose(p, [0.2**k for k in range(6)], rtol=1e-15)
    assert depth_profile(0.0, 2).tolist() == [1.0, 0.0, 0.0]


def brute_layers(factor: float, target: float) -> int:
    layers = 0
    while not factor**layers < target:
        layers += 1
    return layers


@settings(max_examples=150, deadline=None)
@given(st.floats(min_value=1e-3, max_value=0.999), st.floats(min_value=1e-12, max_value=1.0))
@example(0.5, 0.25)
@example(0.25, 0.001)
@example(0.1, 0.001)
@example(0.2, 0.00032)
@example(0.5, 1.0)
def test_layers_until_below_brute_force(factor: float, target: float) -> None:
    assert layers_until_below(factor, target) == brute_layers(factor, target)


@pytest.mark.parametrize("factor", [0.1, 0.2, 0.25, 0.5, 0.7, 0.9, 0.01, 0.125, 0.99])
def test_layers_until_below_at_exact_powers(factor: float) -> None:
    # where log(target) / log(factor) lands on an integer and a one-ulp slip changes the answer
    for power in range(1, 30):
        t = factor**power
        for target in (t, math.nextafter(t, 0.0), math.nextafter(t, 1.0)):
            if target > 0:
                assert layers_until_below(factor, target) == brute_layers(factor, target), (
                    factor, target)


def test_layers_until_below_known() -> None:
    assert layers_until_below(0.5, 0.25) == 3  # 0.5^2 = 0.25 is not below 0.25
    assert layers_until_below(0.25, 0.001) == 5  # 0.25^5 = 0.00098
    assert layers_until_below(0.2, 0.001) == 5  # 0.2^4 = 0.0016, 0.2^5 = 0.00032
    assert layers_until_below(0.0, 0.5) == 1
    assert layers_until_below(0.5, 2.0) == 0  # factor^0 = 1 is already below 2


@pytest.mark.parametrize("factor", [1.0, 1.5, 100.0])
@pytest.mark.parametrize("target", [1e-6, 0.5, 1.0])
def test_layers_until_below_none_for_factor_at_least_1(factor: float, target: float) -> None:
    assert layers_until_below(factor, target) is None


def test_layers_until_below_rejects_bad_input() -> None:
    for target in (0.0, -1.0):
        with pytest.raises(ValueError):
            layers_until_below(0.5, target)
    with pytest.raises(ValueError):
        layers_until_below(-0.5, 0.1)
