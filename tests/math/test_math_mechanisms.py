"""Where the measured network's z values fall (the 0.25 cap against saturation), the training control
(each activation at its best of a few rates) and magnitudes said in words.

The references are written here, apart from the code: the hidden z values by an independent forward
pass (einsum) of the experiment's network, the rates' runs by train() at each rate by hand, the
magnitude words parsed back into a number."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigsat_math import (
    ExperimentConfig,
    TrainingConfig,
    best_loss_share,
    best_rate,
    hidden_z,
    magnitude_words,
    mean_slope,
    median_abs_z,
    peak_over_start,
    rate_grid,
    relative_loss_drop,
    saturated_share,
    sigmoid_prime,
    train,
    z_shares,
)
from sigsat_math.activations import activation
from sigsat_math.experiment import init_network

SETUPS = [("sigmoid", 10, 64, "xavier", 0, 128), ("sigmoid", 4, 8, "normal", 2, 16), ("relu", 6, 12, "he", 1, 32)]


def independent_z(config: ExperimentConfig) -> np.ndarray:
    """The experiment's batch and weights, pushed forward by einsum: every hidden layer's z."""
    rng = np.random.default_rng(config.seed)
    x = rng.normal(size=(config.batch, config.width))
    net = init_network(config.depth, config.width, config.width, config.init,
                       np.random.default_rng(config.seed + 1))
    f, _ = activation(config.activation)
    a, zs = x, []
    for w, b in zip(net.weights[:-1], net.biases[:-1], strict=True):
        z = np.einsum("ni,io->no", a, w) + b
        zs.append(z.ravel())
        a = np.asarray(f(z))
    return np.concatenate(zs)


@pytest.mark.parametrize("setup", SETUPS)
def test_hidden_z_are_the_forward_pass(setup: tuple) -> None:
    config = ExperimentConfig(*setup)
    z = hidden_z(config)
    assert z.size == config.depth * config.width * config.batch
    np.testing.assert_allclose(z, independent_z(config), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("setup", SETUPS)
def test_shares_count_the_z_values(setup: tuple) -> None:
    config = ExperimentConfig(*setup)
    z = independent_z(config)
    for t in (0.5, 1.0, 3.0):
        assert saturated_share(config, t) == pytest.approx(sum(abs(v) >= t for v in z) / z.size, abs=1e-15)
        assert saturated_share(config, t, inclusive=False) == pytest.approx(
            sum(abs(v) > t for v in z) / z.size, abs=1e-15)
    assert median_abs_z(config) == pytest.approx(float(np.median(np.abs(z))), rel=1e-12)
    edges = (-3.0, -1.0, 0.0, 1.0, 3.0)
    shares = z_shares(config, edges)
    inside = [sum(lo <= v < hi for v in z) for lo, hi in zip(edges[:-2], edges[1:-1], strict=True)]
    inside.append(sum(edges[-2] <= v <= edges[-1] for v in z))
    np.testing.assert_allclose(shares, np.array(inside) / z.size, atol=1e-15)
    # Bins over every z hold all of them.
    wide = (float(z.min()) - 1, 0.0, float(z.max()) + 1)
    assert z_shares(config, wide).sum() == pytest.approx(1.0)


def test_the_measured_sigmoid_network_shows_the_cap_not_saturation() -> None:
    """At the defaults the lecture says: almost no z is past the threshold, and the mean slope is close to the
    0.25 cap; so the vanishing there comes from the cap, each unit passing less than a quarter."""
    config = ExperimentConfig("sigmoid", 10, 64, "xavier", 0, 128)
    z = independent_z(config)
    assert saturated_share(config, 3.0) < 0.001
    assert median_abs_z(config) < 1.0
    slope = mean_slope(config)
    assert slope == pytest.approx(float(np.mean(1 / (1 + np.exp(-z)) * (1 / (1 + np.exp(z))))), rel=1e-12)
    assert 0.2 < slope <= 0.25
    # A saturated unit passes much less: sigma' at the threshold is under a fifth of the cap.
    assert sigmoid_prime(3.0) / 0.25 < 0.2


def test_standard_normal_init_saturates() -> None:
    """The other mechanism exists in the same code: unit-variance weights drive z far past 3."""
    config = ExperimentConfig("sigmoid", 10, 64, "normal", 0, 128)
    assert saturated_share(config, 3.0) > 0.5
    assert mean_slope(config) < 0.1


@pytest.mark.parametrize("act", ["sigmoid", "relu"])
def test_best_rate_is_the_lowest_end_loss_of_the_grid(act: str) -> None:
    config = TrainingConfig(act, depth=4, width=16, batch=32, steps=40, learning_rate=0.1)
    grid = rate_grid(0.1)
    assert grid == pytest.approx((0.02, 0.05, 0.1))
    ends = {r: float(train(TrainingConfig(act, depth=4, width=16, batch=32, steps=40, learning_rate=r)).loss[-1])
            for r in grid}
    best = best_rate(config)
    assert best in grid and ends[best] == min(ends.values())
    by_hand = TrainingConfig(act, depth=4, width=16, batch=32, steps=40, learning_rate=best)
    assert best_loss_share(config) == relative_loss_drop(by_hand)
    # At its best the activation does at least as well as at the lecture's rate.
    assert best_loss_share(config) <= relative_loss_drop(config)


def test_a_diverging_rate_is_never_the_best() -> None:
    config = TrainingConfig("relu", depth=30, width=16, init="normal", steps=30, learning_rate=0.1)
    ends = [float(train(TrainingConfig("relu", depth=30, width=16, init="normal", steps=30,
                                       learning_rate=r)).loss[-1]) for r in rate_grid(0.1)]
    best = best_rate(config)
    assert math.isfinite(float(train(TrainingConfig("relu", depth=30, width=16, init="normal", steps=30,
                                                    learning_rate=best)).loss[-1])) or not any(
        math.isfinite(e) for e in ends)


def test_the_default_runs_at_their_best_rates() -> None:
    """The lecture's claim with its control: the sigmoid network keeps nearly all its loss at every rate of
    the grid, ReLU sheds most of it; and ReLU's run at the lecture's rate jumps above its start."""
    sigmoid, relu = TrainingConfig("sigmoid"), TrainingConfig("relu")
    assert best_loss_share(sigmoid) > 0.99
    assert best_loss_share(relu) < 0.05
    curve = train(relu).loss
    assert peak_over_start(relu) == pytest.approx(float(np.max(curve[1:]) / curve[0]))
    assert peak_over_start(relu) > 1.0
    # At a fifth of the rate it descends without jumping above its start.
    slow = TrainingConfig("relu", learning_rate=0.02)
    assert peak_over_start(slow) <= 1.0


WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9}
DENOMINATORS = {"a thousand": 1e3, "ten thousand": 1e4, "a hundred thousand": 1e5, "a million": 1e6,
                "ten million": 1e7, "a hundred million": 1e8, "a billion": 1e9}


def parse_magnitude(words: str) -> float:
    """'about two parts in a million' -> 2e-6, 'zero point zero five' -> 0.05, read with the
    tables above (not the code's); 'about' only where the number was rounded."""
    said = words.removeprefix("about ")
    if said.startswith("zero point "):
        digits = said.removeprefix("zero point ").split()
        return float("0." + "".join(str(WORDS[d]) for d in digits))
    count, rest = said.split(" ", 1)
    denominator = rest.removeprefix("parts in ").removeprefix("part in ")
    return WORDS[count] / DENOMINATORS[denominator]


@given(st.floats(min_value=1e-9, max_value=0.94))
def test_magnitude_words_say_the_number_to_one_figure(x: float) -> None:
    value = parse_magnitude(magnitude_words(x))
    # One significant figure: within half a unit of the leading digit (and a rounding hair).
    exponent = math.floor(math.log10(value))
    assert abs(value - x) <= 0.5 * 10.0**exponent * (1 + 1e-9) + 1e-18


def test_magnitude_words_examples() -> None:
    assert magnitude_words(2.26e-6) == "about two parts in a million"
    assert magnitude_words(9.7e-7) == "about one part in a million"
    assert magnitude_words(0.236) == "about zero point two"
    assert magnitude_words(3e-12) == "less than one part in a billion"
    for bad in (0.0, -0.5, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            magnitude_words(bad)
