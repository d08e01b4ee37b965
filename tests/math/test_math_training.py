"""The training run: one step by hand, gradients against finite differences, determinism, and the
result at the lecture's defaults (sigmoid against ReLU at one learning rate)."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigsat_math import DEFAULTS, load
from sigsat_math.activations import ACTIVATIONS
from sigsat_math.experiment import INITS, init_std
from sigsat_math.params import specs
from sigsat_math.training import (
    TASKS,
    TrainingConfig,
    descend,
    initial_network,
    loss_after,
    loss_and_gradients,
    loss_curve,
    relative_loss_drop,
    steps_to_fraction,
    train,
    training_data,
)

FAST = settings(max_examples=40, deadline=None)
ROOT = Path(__file__).resolve().parents[2]
SIGMOID = TrainingConfig("sigmoid")
RELU = TrainingConfig("relu")


# ---------------------------------------------------------------- one step by hand


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


SLOPES = {
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))),
    "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
}


@pytest.mark.parametrize("act", ["sigmoid", "relu"])
def test_one_step_by_hand(act: str) -> None:
    # One hidden unit, one input, two examples: out = w2 f(w1 x + b1) + b2.
    config = TrainingConfig(act, depth=1, width=1, batch=2, steps=1, learning_rate=0.7, seed=4)
    f, fp = SLOPES[act]
    rng = np.random.default_rng(4)
    (x1,), (x2,) = rng.normal(size=(2, 1))
    weights = np.random.default_rng(5)
    w1, w2 = (float(weights.normal(0.0, init_std("xavier", 1, 1))) for _ in "ab")
    teacher = np.random.default_rng(6)
    v, u = teacher.normal(0.0, 1.0), teacher.normal()
    t1, t2 = u * math.tanh(v * x1), u * math.tanh(v * x2)
    # Two targets standardised: mean 0, variance 1, so +1 and -1 in their order.
    y1, y2 = (1.0, -1.0) if t1 > t2 else (-1.0, 1.0)
    b1 = b2 = 0.0

    def loss(w1: float, b1: float, w2: float, b2: float) -> float:
        e1, e2 = (w2 * f(w1 * xi + b1) + b2 - yi for xi, yi in ((x1, y1), (x2, y2)))
        return (e1 * e1 + e2 * e2) / 4

    e = [w2 * f(w1 * xi + b1) + b2 - yi for xi, yi in ((x1, y1), (x2, y2))]
    h = [f(w1 * xi + b1) for xi in (x1, x2)]
    s = [fp(w1 * xi + b1) for xi in (x1, x2)]
    g_w2 = (e[0] * h[0] + e[1] * h[1]) / 2
    g_b2 = (e[0] + e[1]) / 2
    g_w1 = (e[0] * w2 * s[0] * x1 + e[1] * w2 * s[1] * x2) / 2
    g_b1 = (e[0] * w2 * s[0] + e[1] * w2 * s[1]) / 2
    lr = 0.7
    after = loss(w1 - lr * g_w1, b1 - lr * g_b1, w2 - lr * g_w2, b2 - lr * g_b2)

    x, y = training_data(config)
    np.testing.assert_allclose(x[:, 0], [x1, x2], rtol=0)
    np.testing.assert_allclose(y[:, 0], [y1, y2], rtol=1e-15, atol=1e-15)
    (wa, wb), _ = initial_network(config)
    assert (wa[0, 0], wb[0, 0]) == (w1, w2)
    run = train(config)
    assert run.loss.shape == run.first_grad_norm.shape == run.last_grad_norm.shape == (2,)
    assert run.loss[0] == pytest.approx(loss(w1, b1, w2, b2), rel=1e-14)
    assert run.loss[1] == pytest.approx(after, rel=1e-13)
    # With one hidden layer, the first hidden layer is also the last.
    assert run.first_grad_norm[0] == pytest.approx(abs(g_w1), rel=1e-13, abs=1e-300)
    np.testing.assert_array_equal(run.first_grad_norm, run.last_grad_norm)


# ---------------------------------------------------------------- the backward pass


def small_problem(seed: int = 3) -> tuple[tuple[list[np.ndarray], list[np.ndarray]], np.ndarray,
                                          np.ndarray]:
    config = TrainingConfig("sigmoid", depth=3, width=4, batch=5, seed=seed)
    x, y = training_data(config)
    weights, biases = initial_network(config)
    rng = np.random.default_rng(seed + 10)
    # non-zero biases, so that their gradients pass through every layer
    return (weights, [rng.normal(0.0, 0.3, size=b.shape) for b in biases]), x, y


def nudged(net: tuple[list[np.ndarray], list[np.ndarray]], which: int, layer: int,
           idx: tuple[int, ...], h: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    params = [[p.copy() for p in net[0]], [p.copy() for p in net[1]]]
    params[which][layer][idx] += h
    return params[0], params[1]


def pre_activation_signs(net: tuple[list[np.ndarray], list[np.ndarray]], x: np.ndarray) -> list[
        np.ndarray]:
    a, out = x, []
    for w, b in zip(*net, strict=True):
        z = a @ w + b
        out.append(np.sign(z))
        a = np.maximum(z, 0.0)
    return out


@pytest.mark.parametrize("act", ["sigmoid", "relu"])
def test_gradients_match_central_differences(act: str) -> None:
    net, x, y = small_problem()
    value, gw, gb = loss_and_gradients(net, x, y, act)
    assert value == pytest.approx(0.5 * np.mean((value_by_hand(net, x, act) - y) ** 2), rel=1e-14)
    h = 1e-6
    base = pre_activation_signs(net, x)
    checked = skipped = 0
    for which, grads in ((0, gw), (1, gb)):
        for layer, g in enumerate(grads):
            assert g.shape == net[which][layer].shape
            for idx in np.ndindex(g.shape):
                plus, minus = nudged(net, which, layer, idx, h), nudged(net, which, layer, idx, -h)
                if act == "relu" and not all(
                    np.array_equal(a, b) and np.array_equal(a, c)
                    for a, b, c in zip(base, pre_activation_signs(plus, x),
                                       pre_activation_signs(minus, x), strict=True)
                ):
                    skipped += 1  # the nudge crossed ReLU's kink: no derivative to compare
                    continue
                fd = (loss_and_gradients(plus, x, y, act)[0]
                      - loss_and_gradients(minus, x, y, act)[0]) / (2 * h)
                assert g[idx] == pytest.approx(fd, rel=1e-5, abs=1e-9), (which, layer, idx)
                checked += 1
    assert checked + skipped == 3 * 16 + 4 + 3 * 4 + 1
    assert checked >= 60


def value_by_hand(net: tuple[list[np.ndarray], list[np.ndarray]], x: np.ndarray,
                  act: str) -> np.ndarray:
    """An independent forward pass: einsum, hidden layers through f, a linear output."""
    f = ACTIVATIONS[act][0]
    a = x
    for i, (w, b) in enumerate(zip(*net, strict=True)):
        z = np.einsum("ni,io->no", a, w) + b
        a = z if i == len(net[0]) - 1 else f(z)
    return a


def test_descend_does_not_change_the_network_it_starts_from() -> None:
    net, x, y = small_problem()
    before = [p.copy() for p in (*net[0], *net[1])]
    descend(net, x, y, "relu", 0.1, 3)
    for p, q in zip(before, (*net[0], *net[1]), strict=True):
        np.testing.assert_array_equal(p, q)


# ---------------------------------------------------------------- determinism


def test_same_config_same_bits_and_seed_matters() -> None:
    config = TrainingConfig("sigmoid", depth=4, width=16, batch=32, steps=30)
    first, again = train.__wrapped__(config), train.__wrapped__(config)  # past the cache
    for name in ("loss", "first_grad_norm", "last_grad_norm"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    np.testing.assert_array_equal(train(config).loss, first.loss)
    other = train(dataclasses.replace(config, seed=1))
    assert not np.array_equal(other.loss, first.loss)


# The lecture's matrix shapes (128 x 64 times 64 x 64, large enough for OpenBLAS to split over
# threads) with fewer layers and steps: a thread count that changed bits would show here too.
THREADED = {"depth": 3, "steps": 10}
DIGEST = f"""
import hashlib
from sigsat_math.training import TrainingConfig, train
h = hashlib.sha256()
for act in ("sigmoid", "relu"):
    run = train(TrainingConfig(act, **{THREADED!r}))
    for arr in (run.loss, run.first_grad_norm, run.last_grad_norm):
        h.update(arr.tobytes())
print(h.hexdigest())
"""


def test_runs_do_not_depend_on_the_blas_thread_count() -> None:
    digests = set()
    for threads in ("1", "2"):
        env = {**os.environ, "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads}
        out = subprocess.run([sys.executable, "-c", DIGEST], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True)
        digests.add(out.stdout.strip())
    h = hashlib.sha256()
    for act in ("sigmoid", "relu"):
        run = train(TrainingConfig(act, **THREADED))  # type: ignore[arg-type]
        for arr in (run.loss, run.first_grad_norm, run.last_grad_norm):
            h.update(arr.tobytes())
    assert digests == {h.hexdigest()}


# ---------------------------------------------------------------- the lecture's result


def test_defaults_are_the_measured_network_and_the_training_group() -> None:
    e, t = DEFAULTS.experiment, DEFAULTS.training
    for act in ("sigmoid", "relu"):
        config = TrainingConfig.from_params(DEFAULTS, act)
        assert config == TrainingConfig(act)
        assert (config.depth, config.width, config.init, config.seed, config.batch) == (
            e.depth, e.width, e.init, e.seed, e.batch)
        assert (config.steps, config.learning_rate, config.task) == (t.steps, t.learning_rate,
                                                                    t.task)
    changed = load(overrides=["experiment.depth=3", "training.steps=7", "training.task=labels",
                              "training.learning_rate=0.05"])
    assert TrainingConfig.from_params(changed, "relu") == TrainingConfig(
        "relu", depth=3, steps=7, task="labels", learning_rate=0.05)


def test_task_and_init_choices_agree_with_the_params() -> None:
    assert specs()["training.task"].choices == TASKS
    assert specs()["experiment.init"].choices == INITS


def test_default_runs_sigmoid_stays_relu_learns() -> None:
    sig, relu = train(SIGMOID), train(RELU)
    for run in (sig, relu):
        assert run.loss.shape == (SIGMOID.steps + 1,)
        assert np.all(np.isfinite(run.loss)) and np.all(run.loss >= 0)
        assert np.all(run.first_grad_norm > 0) and np.all(run.last_grad_norm > 0)
    # Both start near 0.5, the loss of predicting the mean of standardised targets.
    assert sig.loss[0] == pytest.approx(0.5, abs=0.05) and relu.loss[0] == pytest.approx(0.5, abs=0.05)
    # Sigmoid never gets below the mean predictor's loss by more than a hair; ReLU halves it.
    assert sig.loss.min() > 0.49
    assert steps_to_fraction(SIGMOID, 0.5) is None
    halved = steps_to_fraction(RELU, DEFAULTS.training.fraction)
    assert halved is not None and halved < SIGMOID.steps // 2
    assert relative_loss_drop(RELU) < 0.1 < 0.9 < relative_loss_drop(SIGMOID)
    # The vanishing gradient, throughout: the sigmoid's first layer gets far less than ReLU's.
    assert np.all(sig.first_grad_norm * 1e3 < relu.first_grad_norm)
    assert np.all(sig.first_grad_norm < sig.last_grad_norm)


def test_the_default_rate_is_the_largest_at_which_sigmoid_does_not_jump() -> None:
    # Chosen on the grid 0.01, 0.02, 0.05, 0.1, 0.2, ...: at 0.1 the sigmoid run never goes up,
    # at the next rate it jumps far above its start (see the module's docstring).
    assert DEFAULTS.training.learning_rate == 0.1
    assert np.all(np.diff(train(SIGMOID).loss) <= 0)
    faster = train(dataclasses.replace(SIGMOID, learning_rate=0.2, steps=20)).loss
    assert faster.max() > 10 * faster[0]
    assert faster.min() > 0.49  # and it learns no more for it


def test_labels_task_same_ordering() -> None:
    sig, relu = (dataclasses.replace(c, task="labels") for c in (SIGMOID, RELU))
    assert relative_loss_drop(relu) < 0.5 < 0.9 < relative_loss_drop(sig)


def test_a_rate_far_too_large_diverges_quietly() -> None:
    # pytest turns RuntimeWarnings into errors: a diverging run must not raise one.
    run = train(TrainingConfig("relu", depth=2, width=8, batch=16, steps=60, learning_rate=50.0))
    assert not np.isfinite(run.loss[-1])


# ---------------------------------------------------------------- helpers


def test_helpers_read_the_curve() -> None:
    config = TrainingConfig("relu", depth=3, width=8, batch=16, steps=40, learning_rate=0.2)
    curve = loss_curve(config)
    assert curve is train(config).loss
    assert loss_after(config, 0) == curve[0] and loss_after(config, 40) == curve[-1]
    assert all(loss_after(config, k) == curve[k] for k in range(41))
    assert relative_loss_drop(config) == curve[-1] / curve[0]
    for fraction in (0.999, 0.9, 0.5, 0.2, 1e-9):
        brute = next((k for k, v in enumerate(curve) if v <= fraction * curve[0]), None)
        assert steps_to_fraction(config, fraction) == brute
    assert steps_to_fraction(config, 1.0) == 0
    assert steps_to_fraction(config, 1e-9) is None


def test_run_is_frozen_and_read_only() -> None:
    run = train(RELU)
    for arr in (run.loss, run.first_grad_norm, run.last_grad_norm, loss_curve(RELU)):
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[0] = 123.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.loss = np.zeros(3)  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        RELU.steps = 3  # type: ignore[misc]
    assert train(RELU).loss[0] != 123.0


@pytest.mark.parametrize(
    "change, error",
    [({"activation": "tanh"}, KeyError), ({"init": "uniform"}, ValueError),
     ({"task": "mnist"}, ValueError), ({"depth": 0}, ValueError), ({"width": 0}, ValueError),
     ({"batch": 0}, ValueError), ({"steps": -1}, ValueError), ({"seed": -1}, ValueError),
     ({"learning_rate": -0.1}, ValueError), ({"learning_rate": math.nan}, ValueError),
     ({"learning_rate": math.inf}, ValueError)],
)
def test_config_refuses_what_cannot_run(change: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error) as err:
        dataclasses.replace(RELU, **change)
    assert next(iter(change)) in str(err.value)


# ---------------------------------------------------------------- properties

SMALL = st.builds(
    TrainingConfig,
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    depth=st.integers(1, 3), width=st.integers(1, 5), init=st.sampled_from(INITS),
    seed=st.integers(0, 2**31 - 1), batch=st.integers(1, 6), steps=st.integers(0, 5),
    learning_rate=st.floats(0.0, 1.0), task=st.sampled_from(TASKS),
)


@FAST
@given(SMALL)
def test_zero_rate_keeps_everything_constant(config: TrainingConfig) -> None:
    run = train(dataclasses.replace(config, learning_rate=0.0))
    for arr in (run.loss, run.first_grad_norm, run.last_grad_norm):
        assert np.all(arr == arr[0])


@FAST
@given(SMALL)
def test_loss_is_never_negative_and_has_steps_plus_one_values(config: TrainingConfig) -> None:
    run = train(config)
    assert run.loss.shape == (config.steps + 1,)
    assert not np.any(run.loss < 0)
    assert not np.any(run.first_grad_norm < 0)


@FAST
@given(SMALL.filter(lambda c: c.activation in ("sigmoid", "gelu", "elu")))
def test_a_small_step_does_not_raise_the_loss(config: TrainingConfig) -> None:
    run = train(dataclasses.replace(config, steps=1, learning_rate=1e-4))
    assert run.loss[1] <= run.loss[0] * (1 + 1e-12) + 1e-300
