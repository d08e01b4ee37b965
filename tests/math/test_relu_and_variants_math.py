"""One unit of the measured network (the dying-ReLU picture), against an independent forward pass,
brute-force searches and finite differences of the loss."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from sigsat_math import (
    ExperimentConfig,
    dead_share,
    elu_prime,
    gelu_prime,
    gelu_prime_root,
    gradient_norms,
    leaky_relu_prime,
    quietest_unit,
    unit_median_z,
    unit_peak_z,
    unit_preactivations,
    unit_weight_gradient,
)

SMALL = (4, 8, "xavier", 0, 16)  # depth, width, init, seed, batch: small enough for finite differences


def relu(net: tuple) -> ExperimentConfig:
    """The ReLU network of (depth, width, init, seed, batch)."""
    return ExperimentConfig("relu", *net)


def my_network(depth: int, width: int, init: str, seed: int, batch: int):
    """The experiment's documented set-up, written out again: inputs and targets from seed, weights from seed + 1."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(batch, width)), rng.normal(size=(batch, 1))
    wrng = np.random.default_rng(seed + 1)
    sizes = [width] * (depth + 1) + [1]
    std = {"xavier": lambda a, b: math.sqrt(2 / (a + b)), "he": lambda a, b: math.sqrt(2 / a),
           "normal": lambda a, b: 1.0}[init]
    ws = [wrng.normal(0.0, std(a, b), size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return x, y, ws


def my_preactivations(x, ws):
    """Hidden pre-activations, one example at a time, with plain Python sums."""
    zs = [np.zeros((x.shape[0], w.shape[1])) for w in ws[:-1]]
    for n in range(x.shape[0]):
        a = list(x[n])
        for layer, w in enumerate(ws[:-1]):
            z = [sum(a[i] * w[i, j] for i in range(w.shape[0])) for j in range(w.shape[1])]
            zs[layer][n] = z
            a = [max(0.0, v) for v in z]
    return zs


def my_loss(x, y, ws) -> float:
    a = x
    for w in ws[:-1]:
        a = np.maximum(a @ w, 0.0)
    out = a @ ws[-1]
    return float(np.sum((out - y) ** 2) / (2 * x.shape[0]))


@pytest.mark.parametrize("net", [SMALL, (10, 64, "xavier", 0, 128), (6, 16, "he", 3, 32)])
def test_dead_units_and_the_quietest_one_by_brute_force(net):
    zs = my_preactivations(*my_network(*net)[::2])
    dead = [all(z[n, j] <= 0 for n in range(z.shape[0])) for z in zs for j in range(z.shape[1])]
    assert dead_share(relu(net)) == pytest.approx(sum(dead) / len(dead), abs=1e-12)
    peaks = {(k + 1, j + 1): max(z[:, j]) for k, z in enumerate(zs) for j in range(z.shape[1])}
    layer, unit = quietest_unit(relu(net))
    assert peaks[(int(layer), int(unit))] == pytest.approx(min(peaks.values()), abs=1e-12)
    assert unit_peak_z(relu(net), layer, unit) == pytest.approx(min(peaks.values()), abs=1e-12)
    column = zs[int(layer) - 1][:, int(unit) - 1]
    np.testing.assert_allclose(unit_preactivations(relu(net), layer, unit), column, atol=1e-12)
    assert unit_median_z(relu(net), layer, unit) == pytest.approx(float(np.median(column)), abs=1e-12)


def test_the_default_network_has_dead_units_and_they_get_no_gradient():
    net = (10, 64, "xavier", 0, 128)
    layer, unit = quietest_unit(relu(net))
    assert dead_share(relu(net)) > 0
    assert unit_peak_z(relu(net), layer, unit) < 0
    assert unit_weight_gradient(relu(net), layer, unit) == 0.0  # exactly: f'(z) = 0 on every example


def finite_difference_norm(net, layer: int, unit: int, h: float = 1e-6) -> float:
    x, y, ws = my_network(*net)
    grads = []
    for i in range(ws[layer - 1].shape[0]):
        up = [w.copy() for w in ws]
        down = [w.copy() for w in ws]
        up[layer - 1][i, unit - 1] += h
        down[layer - 1][i, unit - 1] -= h
        grads.append((my_loss(x, y, up) - my_loss(x, y, down)) / (2 * h))
    return float(np.linalg.norm(grads))


def test_weight_gradient_of_a_dead_and_a_live_unit_against_finite_differences():
    layer, unit = (int(v) for v in quietest_unit(relu(SMALL)))
    assert unit_peak_z(relu(SMALL), layer, unit) < -1e-3  # dead with room: h cannot wake it
    assert finite_difference_norm(SMALL, layer, unit) == 0.0
    assert unit_weight_gradient(relu(SMALL), layer, unit) == 0.0
    live = max(range(1, SMALL[1] + 1), key=lambda j: unit_peak_z(relu(SMALL), 1, j))
    expected = finite_difference_norm(SMALL, 1, live)
    assert expected > 1e-4
    assert unit_weight_gradient(relu(SMALL), 1, live) == pytest.approx(expected, rel=1e-5)


def test_the_unit_pass_is_the_network_measure_uses():
    # Per-unit weight gradients of one layer make up that layer's measured gradient norm.
    net = (6, 16, "he", 3, 32)
    norms = gradient_norms(relu(net))
    for layer in (1, 6):
        per_unit = [unit_weight_gradient(relu(net), layer, j) for j in range(1, 17)]
        assert math.hypot(*per_unit) == pytest.approx(norms[layer - 1], rel=1e-12)


# The variants' negative sides: where GELU' turns negative, against mpmath at 40 digits.
def mp_gelu_prime(z):
    """Phi(z) + z phi(z) with mpmath's own normal CDF and density."""
    return mpmath.ncdf(z) + z * mpmath.npdf(z)


def test_gelu_prime_turns_negative_where_mpmath_bisection_finds_its_root():
    with mpmath.workdps(40):
        root = mpmath.findroot(mp_gelu_prime, (-1.4, -0.1), solver="bisect")
        assert gelu_prime_root() == pytest.approx(float(root), abs=1e-15)
        # Negative everywhere below it (to -inf, where it tends to 0 from below), positive just above.
        below = [root - mpmath.mpf(d) for d in ("1e-9", "0.01", "0.5", "0.6624", "2", "8", "30")]
        assert all(mp_gelu_prime(z) < 0 for z in below)
        assert mp_gelu_prime(root + mpmath.mpf("1e-9")) > 0
    r = gelu_prime_root()
    assert gelu_prime(r - 1e-9) < 0 < gelu_prime(r + 1e-9)
    assert round(r, 3) == -0.752


def test_elu_and_gelu_slopes_fade_to_zero_below_zero_and_leaky_relu_keeps_alpha():
    for z in (-5.0, -10.0, -20.0):
        assert elu_prime(z, 1.0) == pytest.approx(math.exp(z), rel=1e-15)
        assert abs(gelu_prime(z)) < 2 * math.exp(-z * z / 2) * abs(z)
        assert leaky_relu_prime(z, 0.1) == 0.1
    assert 0 < elu_prime(-20.0, 1.0) < 1e-8 and -1e-80 < gelu_prime(-20.0) < 0
