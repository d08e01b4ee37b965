"""The weight in the chain rule (one link back multiplies by |w| sigma'(z)) and whether a training
run reaches a fraction of its starting loss."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from sigsat_math import link_factor, shrinking_weight_limit, sigmoid_prime
from sigsat_math.training import (
    TrainingConfig,
    divergence_step,
    diverges,
    loss_curve,
    reaches_fraction,
    steps_to_fraction,
)


def chain_output(x: mpmath.mpf, w: float, n: int) -> mpmath.mpf:
    """n sigmoid units in a row, each fed by weight w, then a linear output w a_n (in mpmath)."""
    a = x
    for _ in range(n):
        a = 1 / (1 + mpmath.exp(-w * a))
    return w * a


@pytest.mark.parametrize(("w", "n", "x"), [(1.0, 6, 0.3), (2.5, 3, -0.7), (-1.5, 4, 0.2), (0.4, 5, 1.0)])
def test_links_multiply_to_the_chains_derivative(w: float, n: int, x: float) -> None:
    # d out / d x, differentiated by mpmath at 30 digits, against the product of |w| sigma'(z_k),
    # one per link (n + 1 weights, n slopes; the sign of w^(n+1) aside).
    with mpmath.workdps(30):
        numeric = float(mpmath.diff(lambda t: chain_output(t, w, n), mpmath.mpf(x)))
    zs, a = [], x
    for _ in range(n):
        zs.append(w * a)
        a = 1.0 / (1.0 + math.exp(-zs[-1]))
    product = abs(w) * math.prod(link_factor(w, float(sigmoid_prime(z))) for z in zs)
    assert abs(numeric) == pytest.approx(product, rel=1e-12)


def test_link_factor_is_the_size_of_the_weight_times_the_slope() -> None:
    assert link_factor(-3.0, 0.25) == 0.75
    assert link_factor(2.0, 0.0) == 0.0
    assert isinstance(link_factor(1, 1), float)


def test_below_the_limit_every_sigmoid_link_shrinks() -> None:
    limit = shrinking_weight_limit()
    assert limit == 4.0  # 1 / sigma'(0) = 1 / (0.5 x 0.5)
    zs = [k / 10 for k in range(-80, 81)]
    below = math.nextafter(limit, 0.0)
    assert max(link_factor(below, float(sigmoid_prime(z))) for z in zs) < 1.0
    # At the limit, the link at z = 0 passes the gradient whole; above it, it can grow.
    assert link_factor(limit, float(sigmoid_prime(0.0))) == 1.0
    assert link_factor(4.5, float(sigmoid_prime(0.0))) > 1.0


def test_reaches_fraction_says_whether_a_step_is_there() -> None:
    tiny = TrainingConfig("relu", depth=2, width=4, batch=8, steps=30, learning_rate=0.1)
    frozen = TrainingConfig("relu", depth=2, width=4, batch=8, steps=30, learning_rate=0.0)
    # A rate of 0 keeps the loss where it starts: it reaches 100 % at step 0 and never half of it.
    assert reaches_fraction(frozen, 1.0) and steps_to_fraction(frozen, 1.0) == 0
    assert not reaches_fraction(frozen, 0.5) and steps_to_fraction(frozen, 0.5) is None
    for f in (0.99, 0.9, 0.5, 1e-9):
        assert reaches_fraction(tiny, f) == (steps_to_fraction(tiny, f) is not None)
    assert not reaches_fraction(tiny, 1e-9)


def test_the_lectures_runs_one_reaches_half_the_other_not() -> None:
    # The defaults the measured chapter shows: ReLU halves its loss, sigmoid not within its steps.
    assert reaches_fraction(TrainingConfig("relu"), 0.5)
    assert not reaches_fraction(TrainingConfig("sigmoid"), 0.5)


def test_divergence_step_is_the_first_loss_that_is_not_a_number() -> None:
    wild = TrainingConfig("relu", depth=2, width=8, batch=16, steps=60, learning_rate=50.0)
    curve = loss_curve(wild)
    k = divergence_step(wild)
    assert diverges(wild) and k is not None and k > 0
    assert np.all(np.isfinite(curve[:k])) and not np.isfinite(curve[k])
    # The lecture's runs stay finite all the way.
    for act in ("sigmoid", "relu"):
        assert divergence_step(TrainingConfig(act)) is None and not diverges(TrainingConfig(act))
