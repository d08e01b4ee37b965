"""The ball pushed on a surface, and the lesson's named quantities (including its rounding)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigsat_math import (
    DEFAULTS,
    ball_distance,
    ball_position,
    ball_slope,
    ball_step,
    exp_neg,
    identity,
    one_plus_exp_neg,
    percent_of_max,
    push_ball,
    rounded_complement,
    rounded_prime,
    rounded_sigmoid,
    rounded_working,
    sigmoid_complement,
    times_smaller_than_max,
)

FAST = settings(max_examples=60, deadline=None)

# ---------------------------------------------------------------- closed-form slopes (math only)


def _sig_slope(z: float) -> float:
    e = math.exp(-abs(z))
    return e / (1 + e) ** 2  # symmetric in z


def _gelu_slope(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2)) + z * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


SLOPES = {
    "sigmoid": _sig_slope,
    "relu": lambda z: 1.0 if z > 0 else 0.0,
    "leaky_relu": lambda z: 1.0 if z > 0 else 0.01,
    "elu": lambda z: 1.0 if z > 0 else math.exp(z),
    "gelu": _gelu_slope,
}
HEIGHTS = {
    "sigmoid": lambda z: 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z)),
    "relu": lambda z: max(z, 0.0),
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "elu": lambda z: z if z > 0 else math.expm1(z),
    "gelu": lambda z: z * 0.5 * math.erfc(-z / math.sqrt(2)),
}


def reference_run(surface: str, z0: float, push: float, pushes: int) -> list[float]:
    zs = [z0]
    for _ in range(pushes):
        zs.append(zs[-1] + push * SLOPES[surface](zs[-1]))
    return zs


@FAST
@given(
    st.sampled_from(sorted(SLOPES)),
    st.floats(min_value=-8.0, max_value=8.0),
    st.floats(min_value=0.01, max_value=2.0),
    st.integers(min_value=0, max_value=8),
)
def test_push_ball_follows_the_update_rule(surface: str, z0: float, push: float, n: int) -> None:
    run = push_ball(surface, z0, push, n)
    ref = reference_run(surface, z0, push, n)
    assert run.surface == surface
    assert run.z.shape == run.height.shape == run.slope.shape == (n + 1,)
    np.testing.assert_allclose(run.z, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run.slope, [SLOPES[surface](z) for z in run.z], rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_allclose(run.height, [HEIGHTS[surface](z) for z in run.z], rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_allclose(run.steps, np.diff(ref), rtol=1e-9, atol=1e-12)
    assert run.distance == pytest.approx(ref[-1] - ref[0], rel=1e-9, abs=1e-12)


@FAST
@given(st.floats(min_value=-6.0, max_value=0.0), st.floats(min_value=0.01, max_value=2.0),
       st.integers(min_value=0, max_value=8))
def test_relu_negative_side_never_moves(z0: float, push: float, n: int) -> None:
    run = push_ball("relu", z0, push, n)
    assert np.all(run.z == z0)
    assert np.all(run.slope == 0.0)
    assert np.all(run.height == 0.0)
    assert run.distance == 0.0


@FAST
@given(st.floats(min_value=1e-3, max_value=3.0), st.floats(min_value=0.01, max_value=2.0),
       st.integers(min_value=1, max_value=8))
def test_relu_positive_side_moves_p_every_push(z0: float, push: float, n: int) -> None:
    run = push_ball("relu", z0, push, n)
    for k in range(n):
        assert run.z[k + 1] == run.z[k] + push  # exactly one push, every push
    np.testing.assert_allclose(run.steps, push, rtol=1e-12)
    assert run.distance == pytest.approx(n * push, rel=1e-12)
    assert np.all(run.slope == 1.0)


def test_plateau_moves_less_than_5_percent_of_centre_for_defaults() -> None:
    b = DEFAULTS.ball
    plateau = push_ball("sigmoid", b.plateau_z, b.push, b.pushes).distance
    centre = push_ball("sigmoid", b.center_z, b.push, b.pushes).distance
    assert 0 < plateau < 0.05 * centre
    # and at the first push, the ratio of slopes sigma'(5)/sigma'(-1), by mpmath
    with mpmath.workdps(30):
        def s(z: float) -> mpmath.mpf:
            e = mpmath.exp(-mpmath.mpf(z))
            return e / (1 + e) ** 2
        first_ratio = float(s(b.plateau_z) / s(b.center_z))
    run_p = push_ball("sigmoid", b.plateau_z, b.push, b.pushes)
    run_c = push_ball("sigmoid", b.center_z, b.push, b.pushes)
    assert run_p.steps[0] / run_c.steps[0] == pytest.approx(first_ratio, rel=1e-12)


def test_ball_defaults_story() -> None:
    b = DEFAULTS.ball
    neg = push_ball("relu", b.relu_negative_z, b.push, b.pushes)
    pos = push_ball("relu", b.relu_positive_z, b.push, b.pushes)
    assert neg.distance == 0.0
    assert pos.distance == pytest.approx(b.pushes * b.push, rel=1e-12)
    assert pos.distance > push_ball("sigmoid", b.center_z, b.push, b.pushes).distance


def test_zero_pushes_and_errors() -> None:
    run = push_ball("sigmoid", 1.0, 0.5, 0)
    assert run.z.tolist() == [1.0]
    assert run.steps.shape == (0,)
    assert run.distance == 0.0
    with pytest.raises(ValueError):
        push_ball("sigmoid", 1.0, 0.5, -1)
    with pytest.raises(KeyError):
        push_ball("tanh", 1.0, 0.5, 2)


def test_ball_runs_are_frozen() -> None:
    run = push_ball("sigmoid", 1.0, 0.5, 2)
    with pytest.raises(AttributeError):
        run.surface = "relu"  # type: ignore[misc]


def test_ball_helpers() -> None:
    ref = reference_run("sigmoid", 5.0, 0.8, 4)
    assert ball_position("sigmoid", 5.0, 0.8, 4, 0) == 5.0
    assert ball_position("sigmoid", 5.0, 0.8, 4, 4) == pytest.approx(ref[4], rel=1e-14)
    assert ball_slope("sigmoid", 5.0, 0.8, 4, 0) == pytest.approx(_sig_slope(5.0), rel=1e-13)
    assert ball_step("sigmoid", 5.0, 0.8, 4, 0) == pytest.approx(ref[1] - ref[0], rel=1e-9)
    assert ball_distance("sigmoid", 5.0, 0.8, 4) == pytest.approx(ref[4] - ref[0], rel=1e-9)
    for f in (ball_position, ball_slope, ball_step):
        assert type(f("relu", 0.5, 0.8, 4, 1)) is float


# ---------------------------------------------------------------- the lesson's quantities


def mp_sigmoid(z: float) -> mpmath.mpf:
    return 1 / (1 + mpmath.exp(-mpmath.mpf(z)))


def dec4(x: mpmath.mpf) -> float:
    """x rounded to 4 decimals, half to even, through Decimal from 30 significant digits."""
    return float(Decimal(mpmath.nstr(x, 30)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN))


def test_rounded_working_reproduces_the_seed() -> None:
    w = rounded_working(5.0)
    # the seed: e^-5 = 0.0067, sigma(5) = 0.9933, 1 - sigma(5) = 0.0067, 0.9933 x 0.0067 = 0.0067
    assert w["exp_neg"] == 0.0067
    assert w["sigmoid"] == 0.9933
    assert w["complement"] == 0.0067
    assert w["prime"] == 0.0067
    assert w["ratio"] == pytest.approx(0.0067 / 0.25, rel=1e-15)  # 0.0268 = 2.7 %
    assert rounded_prime(5.0) == 0.0067
    assert rounded_sigmoid(5.0) == 0.9933
    assert rounded_complement(5.0) == 0.0067
    with mpmath.workdps(30):
        s = mp_sigmoid(5.0)
        assert w["sigmoid"] == dec4(s)
        assert w["complement"] == dec4(1 - s)
        assert w["exp_neg"] == dec4(mpmath.exp(-5))
        assert w["prime"] == dec4(mpmath.mpf(dec4(s)) * mpmath.mpf(dec4(1 - s)))
        # the exact sigma'(5) at 4 decimals is 0.0066, not the seed's 0.0067
        assert dec4(s * (1 - s)) == 0.0066


@pytest.mark.parametrize("z", [1.0, 3.0, 4.0, -2.0])
def test_rounded_working_other_z(z: float) -> None:
    w = rounded_working(z, decimals=3)
    with mpmath.workdps(30):
        s = mp_sigmoid(z)

        def d3(x: mpmath.mpf) -> float:
            return float(Decimal(mpmath.nstr(x, 30)).quantize(Decimal("0.001"), ROUND_HALF_EVEN))

        assert w["sigmoid"] == d3(s)
        assert w["complement"] == d3(1 - s)
        assert w["exp_neg"] == d3(mpmath.exp(-z))
        assert w["prime"] == d3(mpmath.mpf(d3(s)) * mpmath.mpf(d3(1 - s)))


@pytest.mark.parametrize("z", [0.0, 1.0, 4.0, 5.0, 12.0, 40.0, -3.0])
def test_lesson_quantities_against_mpmath(z: float) -> None:
    with mpmath.workdps(40):
        zz = mpmath.mpf(z)
        e = mpmath.exp(-zz)
        prime = e / (1 + e) ** 2
        assert exp_neg(z) == pytest.approx(float(e), rel=1e-15)
        assert one_plus_exp_neg(z) == pytest.approx(float(1 + e), rel=1e-15)
        assert sigmoid_complement(z) == pytest.approx(float(e / (1 + e)), rel=1e-14)
        assert percent_of_max(z) == pytest.approx(float(4 * prime), rel=1e-13)
        assert times_smaller_than_max(z) == pytest.approx(float(1 / (4 * prime)), rel=1e-13)


def test_seed_lesson_numbers() -> None:
    assert percent_of_max(5.0) == pytest.approx(0.02659, abs=5e-6)
    assert times_smaller_than_max(5.0) == pytest.approx(37.6, abs=0.05)
    assert sigmoid_complement(40.0) > 0  # 1 - sigma(40) would cancel to 0
    assert identity(5) == 5.0 and type(identity(5)) is float
