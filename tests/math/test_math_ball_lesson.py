"""The ball rolling downhill (gradient descent on a surface), and the lesson's named quantities
(including its rounding and the magnitudes the voice says)."""

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
    clear_of,
    descend,
    exp_neg,
    identity,
    magnitude_words,
    one_plus_exp_neg,
    percent_of_max,
    rounded_complement,
    rounded_prime,
    rounded_sigmoid,
    rounded_working,
    sigmoid_complement,
    times_smaller,
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


def reference_run(surface: str, z0: float, rate: float, steps: int) -> list[float]:
    """Gradient descent written out again: every step goes downhill, against the slope."""
    zs = [z0]
    for _ in range(steps):
        zs.append(zs[-1] - rate * SLOPES[surface](zs[-1]))
    return zs


@FAST
@given(
    st.sampled_from(sorted(SLOPES)),
    st.floats(min_value=-8.0, max_value=8.0),
    st.floats(min_value=0.01, max_value=2.0),
    st.integers(min_value=0, max_value=8),
)
def test_descend_follows_the_gradient_descent_rule(surface: str, z0: float, push: float, n: int) -> None:
    run = descend(surface, z0, push, n)
    ref = reference_run(surface, z0, push, n)
    assert run.surface == surface
    assert run.z.shape == run.height.shape == run.slope.shape == (n + 1,)
    np.testing.assert_allclose(run.z, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run.slope, [SLOPES[surface](z) for z in run.z], rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_allclose(run.height, [HEIGHTS[surface](z) for z in run.z], rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_allclose(run.steps, -np.diff(ref), rtol=1e-9, atol=1e-12)
    assert run.distance == pytest.approx(ref[0] - ref[-1], rel=1e-9, abs=1e-12)
    # Downhill on every rising surface (GELU dips below 0, and a long step can climb its far side).
    if surface != "gelu":
        heights = [HEIGHTS[surface](z) for z in run.z]
        assert all(b <= a + 1e-15 for a, b in zip(heights, heights[1:], strict=False))
        assert np.all(run.steps >= 0)


@FAST
@given(st.floats(min_value=-6.0, max_value=0.0), st.floats(min_value=0.01, max_value=2.0),
       st.integers(min_value=0, max_value=8))
def test_relu_negative_side_never_moves(z0: float, push: float, n: int) -> None:
    run = descend("relu", z0, push, n)
    assert np.all(run.z == z0)
    assert np.all(run.slope == 0.0)
    assert np.all(run.height == 0.0)
    assert run.distance == 0.0


@FAST
@given(st.floats(min_value=1e-3, max_value=10.0), st.floats(min_value=0.01, max_value=2.0),
       st.integers(min_value=1, max_value=8))
def test_relu_positive_side_moves_eta_every_step_until_the_kink(z0: float, push: float, n: int) -> None:
    run = descend("relu", z0, push, n)
    # Closed form: eta a step while the ball is above 0; the first step that ends at or below 0
    # leaves it on the flat side, where it stays (ReLU'(0) = 0).
    on_ramp = min(n, math.ceil(z0 / push))
    expected = [z0 - min(k, on_ramp) * push for k in range(n + 1)]
    np.testing.assert_allclose(run.z, expected, rtol=0, atol=1e-12)
    assert run.distance == pytest.approx(on_ramp * push, rel=1e-12)
    if z0 > n * push:
        assert np.all(run.slope == 1.0)
        np.testing.assert_allclose(run.steps, push, rtol=1e-12)


def test_plateau_moves_less_than_5_percent_of_centre_for_defaults() -> None:
    b = DEFAULTS.ball
    plateau = descend("sigmoid", b.plateau_z, b.push, b.pushes).distance
    centre = descend("sigmoid", b.center_z, b.push, b.pushes).distance
    assert 0 < plateau < 0.05 * centre
    # and at the first step, the ratio of slopes sigma'(plateau)/sigma'(centre), by mpmath
    with mpmath.workdps(30):
        def s(z: float) -> mpmath.mpf:
            e = mpmath.exp(-mpmath.mpf(z))
            return e / (1 + e) ** 2
        first_ratio = float(s(b.plateau_z) / s(b.center_z))
    run_p = descend("sigmoid", b.plateau_z, b.push, b.pushes)
    run_c = descend("sigmoid", b.center_z, b.push, b.pushes)
    assert run_p.steps[0] / run_c.steps[0] == pytest.approx(first_ratio, rel=1e-12)


def test_ball_defaults_story() -> None:
    b = DEFAULTS.ball
    neg = descend("relu", b.relu_negative_z, b.push, b.pushes)
    pos = descend("relu", b.relu_positive_z, b.push, b.pushes)
    assert neg.distance == 0.0
    # Every default step stays on ReLU's ramp: it rolls consistently, eta each time.
    assert pos.distance == pytest.approx(b.pushes * b.push, rel=1e-12) and np.all(pos.slope == 1.0)
    centre = descend("sigmoid", b.center_z, b.push, b.pushes)
    assert pos.distance > centre.distance
    # The centre ball starts above z = 0 and rolls towards the steepest point: every step longer.
    assert centre.z[0] > centre.z[-1] > 0 and np.all(np.diff(centre.steps) > 0)
    # The plateau is not problem 1's z: the ball does not answer the problem before it is asked.
    assert abs(abs(b.plateau_z) - abs(DEFAULTS.problem1.z)) >= 1


def test_zero_pushes_and_errors() -> None:
    run = descend("sigmoid", 1.0, 0.5, 0)
    assert run.z.tolist() == [1.0]
    assert run.steps.shape == (0,)
    assert run.distance == 0.0
    with pytest.raises(ValueError):
        descend("sigmoid", 1.0, 0.5, -1)
    with pytest.raises(KeyError):
        descend("tanh", 1.0, 0.5, 2)


def test_ball_runs_are_frozen() -> None:
    run = descend("sigmoid", 1.0, 0.5, 2)
    with pytest.raises(AttributeError):
        run.surface = "relu"  # type: ignore[misc]


def test_ball_helpers() -> None:
    ref = reference_run("sigmoid", 5.0, 0.8, 4)
    assert ball_position("sigmoid", 5.0, 0.8, 4, 0) == 5.0
    assert ball_position("sigmoid", 5.0, 0.8, 4, 4) == pytest.approx(ref[4], rel=1e-14)
    assert ball_slope("sigmoid", 5.0, 0.8, 4, 0) == pytest.approx(_sig_slope(5.0), rel=1e-13)
    assert ball_step("sigmoid", 5.0, 0.8, 4, 0) == pytest.approx(ref[0] - ref[1], rel=1e-9)
    assert ball_distance("sigmoid", 5.0, 0.8, 4) == pytest.approx(ref[0] - ref[4], rel=1e-9)
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


@FAST
@given(st.floats(min_value=-12.0, max_value=12.0), st.floats(min_value=-12.0, max_value=12.0))
def test_clear_of_keeps_an_illustration_away_from_the_problem(z: float, avoid: float) -> None:
    moved = clear_of(z, avoid)
    assert abs(abs(moved) - abs(avoid)) >= 1 - 1e-12  # sigma' is even: -avoid is as telling
    if abs(abs(z) - abs(avoid)) >= 1:
        assert moved == z  # already clear: untouched
    else:
        assert abs(moved) == pytest.approx(abs(avoid) + 1) and (moved > 0) == (z >= 0)


def test_clear_of_at_the_defaults() -> None:
    assert clear_of(5.0, 5.0) == 6.0 and clear_of(-5.0, 5.0) == -6.0 and clear_of(3.0, 5.0) == 3.0
    assert clear_of(6.0, 5.0) == 6.0


@pytest.mark.parametrize(("x", "words"), [
    (2e-6, "two parts in a million"), (2.257e-6, "about two parts in a million"),
    (443050.4, "about four hundred thousand"), (0.00665, "about seven parts in a thousand"),
    (0.0452, "about zero point zero five"), (3e-4, "three parts in ten thousand"), (0.69, "about zero point seven"),
    (1e-6, "one part in a million"), (0.0099, "about zero point zero one"), (7.0, "seven"), (0.97, "about one"),
    (96.0, "about one hundred"), (5.8e30, "about six times ten to the power thirty"),
    (1e-12, "less than one part in a billion"), (4e-8, "four parts in a hundred million"),
])
def test_magnitude_words(x: float, words: str) -> None:
    assert magnitude_words(x) == words


def test_magnitude_words_refuses_what_is_not_a_magnitude() -> None:
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            magnitude_words(bad)


@FAST
@given(st.floats(min_value=1e-300, max_value=1.0))
def test_times_smaller_is_the_reciprocal(x: float) -> None:
    assert times_smaller(x) * x == pytest.approx(1.0, rel=1e-15)
    assert times_smaller(x) >= 1.0


def test_times_smaller_of_the_layer_chain_is_said_as_a_whole_number() -> None:
    # sigma'(1)^6 = 5.78e-5: "about twenty thousand times smaller", not "six hundred-thousandths".
    with mpmath.workdps(30):
        e = mpmath.exp(-1)
        g = float((e / (1 + e) ** 2) ** 6)
    assert magnitude_words(times_smaller(g)) == "about twenty thousand"
    with pytest.raises(ValueError):
        times_smaller(0.0)
