"""mean_layer_factor: the measured network's average per-layer change, against a direct product."""

from __future__ import annotations

import numpy as np
import pytest

from sigsat_math import ExperimentConfig, gradient_norms, mean_layer_factor


@pytest.mark.parametrize("act", ["sigmoid", "relu"])
@pytest.mark.parametrize("init", ["xavier", "he"])
def test_mean_layer_factor_is_the_geometric_mean_of_the_layer_to_layer_ratios(act, init):
    config = ExperimentConfig(act, 8, 16, init, 2, 32)
    norms = np.asarray(gradient_norms(config), dtype=float)
    # Going backward, layer l+1 -> l multiplies the norm by norms[l] / norms[l+1].
    steps = norms[:-1] / norms[1:]
    expected = float(np.exp(np.mean(np.log(steps))))
    assert mean_layer_factor(config) == pytest.approx(expected, rel=1e-12)


def test_the_factor_applied_depth_minus_one_times_gives_the_first_layer():
    config = ExperimentConfig("sigmoid", 6, 12, "xavier", 5, 16)
    norms = gradient_norms(config)
    assert norms[-1] * mean_layer_factor(config) ** 5 == pytest.approx(norms[0], rel=1e-12)


def test_sigmoid_shrinks_and_stays_under_the_peak_slope_at_the_defaults():
    sigmoid, relu = (ExperimentConfig(act, 10, 64, "xavier", 0, 128) for act in ("sigmoid", "relu"))
    assert mean_layer_factor(sigmoid) < 0.25 < 0.9 < mean_layer_factor(relu)


def test_one_layer_has_no_factor():
    with pytest.raises(ValueError, match="depth >= 2"):
        mean_layer_factor(ExperimentConfig("sigmoid", 1, 8, "xavier", 0, 8))
