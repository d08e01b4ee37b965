"""The measured network: backward() against finite differences, and the vanishing gradient."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

from sigsat_math import (
    DEFAULTS,
    ExperimentConfig,
    first_over_last,
    gradient_norms,
    last_over_first,
    measure,
    zero_share,
)
from sigsat_math.activations import activation
from sigsat_math.experiment import Network, backward, forward, init_network, init_std, loss

F64 = np.ndarray


def small_problem(seed: int = 3) -> tuple[Network, F64, F64]:
    rng = np.random.default_rng(seed)
    net = init_network(3, 5, 5, "xavier", rng)
    # non-zero biases so that the bias gradients are exercised through every layer
    net = Network(net.weights, tuple(rng.normal(0.0, 0.3, size=b.shape) for b in net.biases))
    x = rng.normal(size=(4, 5))
    y = rng.normal(size=(4, 1))
    return net, x, y


def my_loss(net: Network, x: F64, y: F64, act: str) -> float:
    """An independent forward pass: hidden layers through f, linear output, MSE / 2."""
    f, _ = activation(act)
    a = x
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        z = np.einsum("ni,io->no", a, w) + b
        a = z if i == len(net.weights) - 1 else np.asarray(f(z))
    return float(np.sum((a - y) ** 2) / (2 * x.shape[0]))


def entries(net: Network) -> Iterator[tuple[str, int, tuple[int, ...]]]:
    for layer, w in enumerate(net.weights):
        for idx in np.ndindex(w.shape):
            yield "w", layer, idx
    for layer, b in enumerate(net.biases):
        for idx in np.ndindex(b.shape):
            yield "b", layer, idx


def perturbed(net: Network, kind: str, layer: int, idx: tuple[int, ...], h: float) -> Network:
    ws = [w.copy() for w in net.weights]
    bs = [b.copy() for b in net.biases]
    (ws if kind == "w" else bs)[layer][idx] += h
    return Network(tuple(ws), tuple(bs))


def signs(net: Network, x: F64, act: str) -> list[F64]:
    z, _ = forward(net, x, act)
    return [np.sign(zi) for zi in z[:-1]]


def test_loss_is_half_mean_squared_error() -> None:
    net, x, y = small_problem()
    for act in ("sigmoid", "relu", "gelu", "elu", "leaky_relu"):
        assert loss(net, x, y, act) == pytest.approx(my_loss(net, x, y, act), rel=1e-13)


@pytest.mark.parametrize("act", ["sigmoid", "gelu", "elu"])
def test_backward_matches_central_differences(act: str) -> None:
    net, x, y = small_problem()
    gw, gb, z = backward(net, x, y, act)
    assert [g.shape for g in gw] == [w.shape for w in net.weights]
    assert [g.shape for g in gb] == [b.shape for b in net.biases]
    assert len(z) == len(net.weights)
    h = 1e-6
    n = 0
    for kind, layer, idx in entries(net):
        fd = (my_loss(perturbed(net, kind, layer, idx, h), x, y, act)
              - my_loss(perturbed(net, kind, layer, idx, -h), x, y, act)) / (2 * h)
        got = (gw if kind == "w" else gb)[layer][idx]
        assert got == pytest.approx(fd, rel=1e-5, abs=1e-9), (kind, layer, idx)
        n += 1
    assert n == 3 * 25 + 5 + 3 * 5 + 1


@pytest.mark.parametrize("act", ["relu", "leaky_relu"])
def test_backward_kinked_activations_where_no_unit_changes_side(act: str) -> None:
    net, x, y = small_problem()
    gw, gb, _ = backward(net, x, y, act)
    h = 1e-7
    base = signs(net, x, act)
    checked = 0
    for kind, layer, idx in entries(net):
        plus, minus = (perturbed(net, kind, layer, idx, s) for s in (h, -h))
        same = all(
            np.array_equal(a, b) and np.array_equal(a, c)
            for a, b, c in zip(base, signs(plus, x, act), signs(minus, x, act), strict=True)
        )
        if not same:
            continue  # the perturbation crossed a kink: finite differences mean nothing there
        fd = (my_loss(plus, x, y, act) - my_loss(minus, x, y, act)) / (2 * h)
        got = (gw if kind == "w" else gb)[layer][idx]
        assert got == pytest.approx(fd, rel=1e-5, abs=1e-8), (kind, layer, idx)
        checked += 1
    assert checked >= 50


def test_backward_by_hand_on_one_unit() -> None:
    # one hidden sigmoid unit, one input: dL/dw1 = (out - y) w2 sigma'(w1 x) x
    w1, w2, xv, yv = 0.7, -1.3, 0.5, 0.2
    net = Network((np.array([[w1]]), np.array([[w2]])), (np.zeros(1), np.zeros(1)))
    gw, gb, _ = backward(net, np.array([[xv]]), np.array([[yv]]), "sigmoid")
    s = 1 / (1 + math.exp(-w1 * xv))
    out = w2 * s
    assert gw[1][0, 0] == pytest.approx((out - yv) * s, rel=1e-14)
    assert gw[0][0, 0] == pytest.approx((out - yv) * w2 * s * (1 - s) * xv, rel=1e-14)
    assert gb[0][0] == pytest.approx((out - yv) * w2 * s * (1 - s), rel=1e-14)


def test_init_std() -> None:
    assert init_std("xavier", 64, 64) == pytest.approx(math.sqrt(2 / 128))
    assert init_std("he", 64, 32) == pytest.approx(math.sqrt(2 / 64))
    assert init_std("normal", 64, 64) == 1.0
    with pytest.raises(ValueError):
        init_std("uniform", 3, 3)


def test_init_network_shapes_and_spread() -> None:
    net = init_network(4, 200, 100, "he", np.random.default_rng(0))
    assert [w.shape for w in net.weights] == [(100, 200), (200, 200), (200, 200), (200, 200),
                                              (200, 1)]
    assert all(np.all(b == 0) for b in net.biases)
    assert np.std(net.weights[1]) == pytest.approx(math.sqrt(2 / 200), rel=0.02)
    assert all(w.dtype == np.float64 for w in net.weights)


# ---------------------------------------------------------------- the measurement

E = DEFAULTS.experiment
SIGMOID = ExperimentConfig.from_params(E, "sigmoid")
RELU = ExperimentConfig.from_params(E, "relu")


def test_defaults_are_the_lecture_network() -> None:
    assert SIGMOID == ExperimentConfig("sigmoid", 10, 64, "xavier", 0, 128)
    assert RELU == ExperimentConfig("relu", 10, 64, "xavier", 0, 128)
    with pytest.raises(AttributeError):
        SIGMOID.depth = 3  # type: ignore[misc]


def test_sigmoid_gradient_vanishes_relu_does_not() -> None:
    sig = measure(SIGMOID)
    relu = measure(RELU)
    assert sig.last_over_first > 100
    assert 0.1 < relu.last_over_first < 10
    assert sig.activation == "sigmoid" and relu.activation == "relu"
    for m in (sig, relu):
        assert m.grad_norm.shape == m.mean_slope.shape == m.zero_share.shape == (E.depth,)
        assert np.all(m.grad_norm > 0)
    # the sigmoid's slope never exceeds its 0.25 maximum; ReLU's slope is its share of positives
    assert np.all(sig.mean_slope <= 0.25)
    assert np.all(sig.zero_share == 0.0)
    np.testing.assert_allclose(relu.mean_slope + relu.zero_share, 1.0, atol=1e-12)
    assert 0.2 < zero_share(RELU) < 0.8


def test_helpers_agree_with_measure() -> None:
    m = measure(SIGMOID)
    assert last_over_first(SIGMOID) == pytest.approx(m.grad_norm[-1] / m.grad_norm[0], rel=1e-15)
    assert first_over_last(SIGMOID) == pytest.approx(m.grad_norm[0] / m.grad_norm[-1], rel=1e-14)
    np.testing.assert_array_equal(gradient_norms(SIGMOID), m.grad_norm)
    assert zero_share(SIGMOID) == 0.0


def test_measure_is_the_norm_of_backward() -> None:
    # recompute the measurement's gradient norms from backward() on the documented setup
    depth, width, batch, seed = 4, 8, 16, 5
    m = measure(ExperimentConfig("gelu", depth, width, "he", seed, batch))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, width))
    y = rng.normal(size=(batch, 1))
    net = init_network(depth, width, width, "he", np.random.default_rng(seed + 1))
    gw, _, _ = backward(net, x, y, "gelu")
    np.testing.assert_allclose(m.grad_norm, [np.sqrt(np.sum(g**2)) for g in gw[:depth]],
                               rtol=1e-12)


def test_measure_deterministic_and_seed_dependent() -> None:
    config = ExperimentConfig("sigmoid", 5, 16, "xavier", 7, 32)
    fresh = measure.__wrapped__(config)  # bypass the cache
    again = measure.__wrapped__(config)
    np.testing.assert_array_equal(fresh.grad_norm, again.grad_norm)
    np.testing.assert_array_equal(fresh.mean_slope, again.mean_slope)
    np.testing.assert_array_equal(measure(config).grad_norm, fresh.grad_norm)
    # cached by config: an equal config (another object) is the same measurement
    assert measure(ExperimentConfig("sigmoid", 5, 16, "xavier", 7, 32)) is measure(config)
    other = measure.__wrapped__(ExperimentConfig("sigmoid", 5, 16, "xavier", 8, 32))
    assert not np.array_equal(other.grad_norm, fresh.grad_norm)


@pytest.mark.parametrize("config", [SIGMOID, RELU], ids=["sigmoid", "relu"])
def test_measurement_arrays_are_read_only(config: ExperimentConfig) -> None:
    m = measure(config)
    for arr in (m.grad_norm, m.mean_slope, m.zero_share, gradient_norms(config)):
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[0] = 123.0
    with pytest.raises(AttributeError):
        m.grad_norm = np.zeros(3)  # type: ignore[misc]
    # and the cached object was not changed
    assert measure(config).grad_norm[0] != 123.0
