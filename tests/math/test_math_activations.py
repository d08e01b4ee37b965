"""Activations and derivatives against mpmath at 40 digits, and their properties (hypothesis)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sigsat_math import (
    ACTIVATIONS,
    activation,
    elu,
    elu_prime,
    gelu,
    gelu_prime,
    leaky_relu,
    leaky_relu_prime,
    normal_cdf,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
)

FAST = settings(max_examples=80, deadline=None)
mp = mpmath.mp

# ---------------------------------------------------------------- references (mpmath, 40 digits)


def _mpf(z: float) -> Any:
    return mpmath.mpf(z)


def ref_sigmoid(z: float) -> float:
    with mpmath.workdps(40):
        return float(1 / (1 + mpmath.exp(-_mpf(z))))


def ref_sigmoid_prime(z: float) -> float:
    with mpmath.workdps(40):
        e = mpmath.exp(-_mpf(z))
        return float(e / (1 + e) ** 2)


def ref_relu(z: float) -> float:
    return float(mpmath.mpf(z) if z > 0 else 0)


def ref_relu_prime(z: float) -> float:
    return 1.0 if z > 0 else 0.0


def ref_leaky(z: float, alpha: float = 0.01) -> float:
    with mpmath.workdps(40):
        return float(_mpf(z) if z > 0 else _mpf(alpha) * _mpf(z))


def ref_leaky_prime(z: float, alpha: float = 0.01) -> float:
    return 1.0 if z > 0 else alpha


def ref_elu(z: float, alpha: float = 1.0) -> float:
    with mpmath.workdps(40):
        return float(_mpf(z) if z > 0 else _mpf(alpha) * mpmath.expm1(_mpf(z)))


def ref_elu_prime(z: float, alpha: float = 1.0) -> float:
    with mpmath.workdps(40):
        return float(1 if z > 0 else _mpf(alpha) * mpmath.exp(_mpf(z)))


def ref_ncdf(z: float) -> float:
    with mpmath.workdps(40):
        return float(mpmath.ncdf(_mpf(z)))


def ref_gelu(z: float) -> float:
    with mpmath.workdps(40):
        return float(_mpf(z) * mpmath.ncdf(_mpf(z)))


def ref_gelu_prime_parts(z: float) -> tuple[float, float]:
    """GELU'(z) = Phi(z) + z phi(z): the value and the size of the terms (its condition)."""
    with mpmath.workdps(40):
        zz = _mpf(z)
        cdf, dens = mpmath.ncdf(zz), zz * mpmath.npdf(zz)
        return float(cdf + dens), float(abs(cdf) + abs(dens))


GRID = sorted(
    set(np.linspace(-40.0, 40.0, 161).tolist())
    | {s * v for s in (-1.0, 1.0) for v in (1e-300, 1e-12, 1e-6, 0.3, 2.5, 5.0, 37.0, 50.0, 100.0,
                                            300.0, 699.0)}
    | {0.0}
)
TAILS = [s * v for s in (-1.0, 1.0) for v in (30.0, 40.0, 80.0, 200.0, 500.0, 699.0)]


def rel_err(got: float, ref: float) -> float:
    if ref == 0:
        return abs(got)
    return abs(got - ref) / abs(ref)


def check_rel(f: Callable[[float], float], ref: Callable[[float], float], zs: list[float],
              tol: float) -> None:
    bad = [(z, f(z), ref(z), rel_err(f(z), ref(z))) for z in zs if rel_err(f(z), ref(z)) > tol]
    assert not bad, bad[:5]


# ---------------------------------------------------------------- accuracy against mpmath


def test_sigmoid_prime_at_40_is_exact_to_1e12() -> None:
    got = sigmoid_prime(40.0)
    with mpmath.workdps(50):
        ref = mpmath.exp(-40) / (1 + mpmath.exp(-40)) ** 2
    assert abs(got - float(ref)) / float(ref) < 1e-12
    assert got > 0  # no cancellation to 0 in 1 - sigma(40)


@pytest.mark.parametrize("z", [-700.0, -40.0, -5.0, 0.0, 5.0, 40.0, 700.0])
def test_sigmoid_prime_tails_relative(z: float) -> None:
    assert rel_err(sigmoid_prime(z), ref_sigmoid_prime(z)) < 1e-12


def test_sigmoid_against_mpmath() -> None:
    check_rel(sigmoid, ref_sigmoid, GRID, 1e-14)


def test_sigmoid_prime_against_mpmath() -> None:
    check_rel(sigmoid_prime, ref_sigmoid_prime, GRID, 1e-13)


def test_sigmoid_array_against_mpmath() -> None:
    zs = np.array(GRID)
    got = sigmoid(zs)
    ref = np.array([ref_sigmoid(z) for z in GRID])
    np.testing.assert_allclose(got, ref, rtol=1e-14, atol=0)
    np.testing.assert_allclose(sigmoid_prime(zs), [ref_sigmoid_prime(z) for z in GRID],
                               rtol=1e-13, atol=0)


def test_relu_and_prime_exact() -> None:
    check_rel(relu, ref_relu, GRID, 0.0)
    check_rel(relu_prime, ref_relu_prime, GRID, 0.0)
    assert relu(0.0) == 0.0 and relu_prime(0.0) == 0.0  # the kink: 0 on the left convention


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.3, 1.0])
def test_leaky_relu_against_mpmath(alpha: float) -> None:
    check_rel(lambda z: leaky_relu(z, alpha), lambda z: ref_leaky(z, alpha), GRID, 1e-15)
    check_rel(lambda z: leaky_relu_prime(z, alpha), lambda z: ref_leaky_prime(z, alpha), GRID, 0.0)


def test_leaky_relu_default_alpha_is_001() -> None:
    assert leaky_relu(-2.0) == pytest.approx(-0.02, rel=1e-15)
    assert leaky_relu_prime(-2.0) == 0.01
    assert leaky_relu_prime(2.0) == 1.0


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_elu_against_mpmath(alpha: float) -> None:
    check_rel(lambda z: elu(z, alpha), lambda z: ref_elu(z, alpha), GRID, 1e-14)
    check_rel(lambda z: elu_prime(z, alpha), lambda z: ref_elu_prime(z, alpha), GRID, 1e-14)


def test_elu_default_alpha_is_1() -> None:
    assert elu(-1.0) == pytest.approx(math.e ** -1 - 1, rel=1e-14)
    assert elu_prime(-1.0) == pytest.approx(math.e ** -1, rel=1e-14)
    assert elu(-1e4) == -1.0


def _ncdf_tol(z: float) -> float:
    # Rounding z / sqrt(2) moves erfc's argument by ~ulp; in the lower tail that costs about
    # z^2 ulp of relative accuracy (d ln Phi / dz ~ |z|).
    return 1e-15 * (8.0 + z * z)


def test_normal_cdf_against_mpmath() -> None:
    zs = [z for z in GRID if abs(z) <= 37.5]  # below -37.5, Phi underflows to subnormals
    bad = [(z, normal_cdf(z), ref_ncdf(z)) for z in zs
           if rel_err(normal_cdf(z), ref_ncdf(z)) > _ncdf_tol(z)]
    assert not bad, bad[:5]


def test_normal_cdf_lower_tail_no_cancellation() -> None:
    # 1 + erf(-z/sqrt 2) would give 0 here; erfc keeps it.
    for z in (-10.0, -20.0, -30.0, -37.0):
        assert normal_cdf(z) > 0
        assert rel_err(normal_cdf(z), ref_ncdf(z)) < _ncdf_tol(z)
    assert normal_cdf(0.0) == 0.5


def test_gelu_against_mpmath() -> None:
    zs = [z for z in GRID if abs(z) <= 37.5]
    bad = [(z, gelu(z), ref_gelu(z)) for z in zs if rel_err(gelu(z), ref_gelu(z)) > _ncdf_tol(z)]
    assert not bad, bad[:5]


def test_gelu_is_the_exact_erf_form_not_tanh() -> None:
    tanh_form = 0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * (1 + 0.044715)))
    assert gelu(1.0) == pytest.approx(ref_gelu(1.0), rel=1e-15)
    assert abs(gelu(1.0) - tanh_form) > 1e-5


def test_gelu_prime_against_mpmath() -> None:
    zs = [z for z in GRID if abs(z) <= 37.5] + [-0.7518, -0.75179, 0.7518]  # near GELU' = 0
    bad = []
    for z in zs:
        ref, scale = ref_gelu_prime_parts(z)
        # error relative to the size of the two terms: GELU' crosses 0 near z = -0.752
        if abs(gelu_prime(z) - ref) > _ncdf_tol(z) * scale:
            bad.append((z, gelu_prime(z), ref))
    assert not bad, bad[:5]


@pytest.mark.parametrize(
    "f, ref",
    [(sigmoid, ref_sigmoid), (sigmoid_prime, ref_sigmoid_prime), (elu, ref_elu),
     (elu_prime, ref_elu_prime), (gelu, ref_gelu), (normal_cdf, ref_ncdf)],
)
def test_far_tails_are_right(f: Callable[..., Any], ref: Callable[[float], float]) -> None:
    for z in TAILS:
        r = ref(z)
        got = f(z)
        if r != 0 and abs(r) > 1e-300:
            assert rel_err(got, r) < 1e-11, (z, got, r)
        else:
            assert abs(got) <= 1e-300, (z, got, r)


# ---------------------------------------------------------------- properties (hypothesis)

wide = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)


@FAST
@given(wide)
def test_sigmoid_symmetry(z: float) -> None:
    assert sigmoid(-z) == pytest.approx(1.0 - sigmoid(z), abs=1e-15)


@FAST
@given(wide)
def test_sigmoid_prime_is_sigma_times_one_minus_sigma(z: float) -> None:
    s = sigmoid(z)
    assert sigmoid_prime(z) == pytest.approx(s * (1.0 - s), abs=1e-15)


@FAST
@given(wide)
def test_sigmoid_prime_bounds(z: float) -> None:
    d = sigmoid_prime(z)
    if abs(z) < 700:
        assert 0 < d <= 0.25
    else:
        assert 0 <= d <= 0.25
    assert sigmoid_prime(0.0) == 0.25


@FAST
@given(st.lists(wide, min_size=2, max_size=50))
def test_sigmoid_monotone(values: list[float]) -> None:
    zs = np.sort(np.array(values))
    s = sigmoid(zs)
    assert np.all(np.diff(s) >= 0)
    assert np.all((s >= 0) & (s <= 1))


@FAST
@given(st.lists(st.floats(min_value=0.0, max_value=1e4), min_size=2, max_size=50))
def test_sigmoid_prime_decreasing_in_abs_z(values: list[float]) -> None:
    zs = np.sort(np.array(values))
    assert np.all(np.diff(sigmoid_prime(zs)) <= 0)
    np.testing.assert_array_equal(sigmoid_prime(zs), sigmoid_prime(-zs))


# every activation with a parameter set; (name, f, f')
FAMILY: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]] = [
    ("sigmoid", sigmoid, sigmoid_prime),
    ("relu", relu, relu_prime),
    ("leaky_relu", leaky_relu, leaky_relu_prime),
    ("leaky_relu(0.2)", lambda z: leaky_relu(z, 0.2), lambda z: leaky_relu_prime(z, 0.2)),
    ("elu", elu, elu_prime),
    ("elu(1.7)", lambda z: elu(z, 1.7), lambda z: elu_prime(z, 1.7)),
    ("gelu", gelu, gelu_prime),
    ("normal_cdf", normal_cdf, lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)),
]
FAMILY_IDS = [name for name, _, _ in FAMILY]


@pytest.mark.parametrize("name, f, fprime", FAMILY, ids=FAMILY_IDS)
@FAST
@given(z=st.floats(min_value=-30.0, max_value=30.0).filter(lambda z: abs(z) > 1e-3))
def test_derivative_matches_central_difference(
    name: str, f: Callable[[Any], Any], fprime: Callable[[Any], Any], z: float
) -> None:
    h = 1e-6  # kinks are at 0 only, and |z| > 1e-3 keeps z +- h on one side
    fd = (f(z + h) - f(z - h)) / (2 * h)
    tol = 1e-6 * abs(fprime(z)) + 1e-8 * (1.0 + abs(f(z)))
    assert abs(fd - fprime(z)) <= tol, (name, z, fd, fprime(z))


@pytest.mark.parametrize("alpha", [0.01, 0.5, 1.0, 3.0])
@FAST
@given(z=st.floats(min_value=-20.0, max_value=20.0).filter(lambda z: abs(z) > 1e-3))
def test_parametrised_derivatives_match_central_difference(alpha: float, z: float) -> None:
    h = 1e-6
    for f, fp in ((leaky_relu, leaky_relu_prime), (elu, elu_prime)):
        fd = (f(z + h, alpha) - f(z - h, alpha)) / (2 * h)
        assert fd == pytest.approx(fp(z, alpha), rel=1e-6, abs=1e-8 * (1 + abs(f(z, alpha))))


# ---------------------------------------------------------------- no warnings, no NaN

ALL_FUNCS = [sigmoid, sigmoid_prime, relu, relu_prime, leaky_relu, leaky_relu_prime, elu,
             elu_prime, gelu, gelu_prime, normal_cdf]
EXTREMES = [-1e4, -1e3, -746.0, -745.0, -710.0, -709.0, -40.0, -1e-300, -5e-324, -0.0, 0.0,
            5e-324, 1e-300, 40.0, 709.0, 710.0, 745.0, 746.0, 1e3, 1e4]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("f", ALL_FUNCS, ids=lambda f: f.__name__)
def test_no_warning_no_nan_at_extremes(f: Callable[[Any], Any], dtype: Any) -> None:
    zs = np.array(EXTREMES, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = f(zs)
        scalars = [f(z) for z in EXTREMES]
    assert np.all(np.isfinite(out))
    assert all(math.isfinite(s) for s in scalars)


@FAST
@given(hnp.arrays(np.float64, st.integers(0, 30), elements=wide))
def test_no_warning_no_nan_random(zs: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in ALL_FUNCS:
            assert np.all(np.isfinite(f(zs))), f.__name__


@pytest.mark.parametrize("f", ALL_FUNCS, ids=lambda f: f.__name__)
def test_limits_at_1e4(f: Callable[[Any], Any]) -> None:
    # the values where exponentials under- or overflow: the limits, exactly
    expected = {
        "sigmoid": (0.0, 1.0), "sigmoid_prime": (0.0, 0.0), "relu": (0.0, 1e4),
        "relu_prime": (0.0, 1.0), "leaky_relu": (-100.0, 1e4), "leaky_relu_prime": (0.01, 1.0),
        "elu": (-1.0, 1e4), "elu_prime": (0.0, 1.0), "gelu": (0.0, 1e4), "gelu_prime": (0.0, 1.0),
        "normal_cdf": (0.0, 1.0),
    }[f.__name__]
    assert (f(-1e4), f(1e4)) == pytest.approx(expected, rel=1e-15, abs=0)


# ---------------------------------------------------------------- types and shapes


@pytest.mark.parametrize("f", ALL_FUNCS, ids=lambda f: f.__name__)
def test_scalar_in_python_float_out(f: Callable[[Any], Any]) -> None:
    for z in (1.5, -2, 0, np.float64(0.7), np.float32(-0.7), np.int64(3)):
        out = f(z)
        assert type(out) is float, (z, type(out))


@pytest.mark.parametrize("f", ALL_FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("shape", [(0,), (1,), (7,), (2, 3), (2, 3, 4)])
def test_array_in_same_shape_out(f: Callable[[Any], Any], shape: tuple[int, ...]) -> None:
    zs = np.linspace(-5, 5, int(np.prod(shape))).reshape(shape)
    out = f(zs)
    assert isinstance(out, np.ndarray)
    assert out.shape == shape
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out.ravel(), [f(float(z)) for z in zs.ravel()])


@pytest.mark.parametrize("f", ALL_FUNCS, ids=lambda f: f.__name__)
def test_zero_dim_array_gives_shape_empty(f: Callable[[Any], Any]) -> None:
    assert np.shape(f(np.array(0.5))) == ()
    assert float(f(np.array(0.5))) == f(0.5)


@pytest.mark.parametrize("f", ALL_FUNCS, ids=lambda f: f.__name__)
def test_float32_kept(f: Callable[[Any], Any]) -> None:
    z64 = np.linspace(-8, 8, 33)
    z32 = z64.astype(np.float32)
    out = f(z32)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, f(z32.astype(np.float64)), rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("f", ALL_FUNCS, ids=lambda f: f.__name__)
def test_int_input_works(f: Callable[[Any], Any]) -> None:
    zi = np.array([-3, -1, 0, 1, 3])
    out = f(zi)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, f(zi.astype(np.float64)))
    np.testing.assert_array_equal(f([-3, -1, 0, 1, 3]), out)  # a list too
    assert f(2) == f(2.0)


# ---------------------------------------------------------------- the registry


def test_registry_pairs() -> None:
    assert set(ACTIVATIONS) == {"sigmoid", "relu", "leaky_relu", "elu", "gelu"}
    assert activation("sigmoid") == (sigmoid, sigmoid_prime)
    assert activation("gelu") == (gelu, gelu_prime)
    assert activation("leaky_relu") == (leaky_relu, leaky_relu_prime)
    assert activation("elu")[1](-1.0, 2.0) == pytest.approx(2 * math.exp(-1.0), rel=1e-14)


def test_unknown_activation_names_known_ones() -> None:
    with pytest.raises(KeyError) as err:
        activation("tanh")
    msg = str(err.value)
    assert "tanh" in msg and "sigmoid" in msg and "relu" in msg
