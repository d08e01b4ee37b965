"""The lesson's quantities, each a small function of the parameters it depends on.

Scenes ask for these through `quantity(...)`, which records the call so that a test can compute
it again and compare with what was shown.
"""

from __future__ import annotations

import math

from .activations import sigmoid, sigmoid_prime
from .display import fmt_fixed
from .experiment import ExperimentConfig, first_over_last
from .saturation import fraction_of_max, sigmoid_prime_max


def exp_neg(z: float) -> float:
    """e^-z, the term in the sigmoid's denominator."""
    return math.exp(-z)


def one_plus_exp_neg(z: float) -> float:
    """1 + e^-z, the sigmoid's denominator."""
    return 1.0 + math.exp(-z)


def sigmoid_complement(z: float) -> float:
    """1 - sigma(z), computed as sigma(-z) so that it keeps full precision for large z."""
    return float(sigmoid(-z))


def percent_of_max(z: float) -> float:
    """sigma'(z) / 0.25 as a fraction (displayed as a percentage)."""
    return float(fraction_of_max(z))


def times_smaller_than_max(z: float) -> float:
    """0.25 / sigma'(z): how many times smaller the gradient is than its best."""
    return sigmoid_prime_max() / float(sigmoid_prime(z))


def identity(x: float) -> float:
    """x itself: a parameter shown as it is (a z, a layer count, a learning rate)."""
    return float(x)


def rounded_working(z: float, decimals: int = 4) -> dict[str, float]:
    """The lesson's own working for problem 1: each factor rounded to `decimals` before use.

    The seed multiplies rounded factors (0.9933 x 0.0067 = 0.0067), which is why it says 0.0067
    where the exact value is 0.00665; this reproduces that working, labelled as such on screen.
    """
    s = float(fmt_fixed(float(sigmoid(z)), decimals))
    c = float(fmt_fixed(float(sigmoid(-z)), decimals))
    e = float(fmt_fixed(math.exp(-z), decimals))
    product = float(fmt_fixed(s * c, decimals))
    return {"exp_neg": e, "sigmoid": s, "complement": c, "prime": product,
            "ratio": product / sigmoid_prime_max()}


def rounded_prime(z: float, decimals: int = 4) -> float:
    """sigma'(z) as the lesson computes it, from factors rounded to `decimals` places."""
    return rounded_working(z, decimals)["prime"]




def rounded_sigmoid(z: float, decimals: int = 4) -> float:
    """sigma(z) rounded to `decimals` places, as the lesson writes it before multiplying."""
    return rounded_working(z, decimals)["sigmoid"]


def rounded_complement(z: float, decimals: int = 4) -> float:
    """1 - sigma(z) rounded to `decimals` places, as the lesson writes it before multiplying."""
    return rounded_working(z, decimals)["complement"]


def mean_layer_factor(config: ExperimentConfig) -> float:
    """(first / last)^(1 / (depth - 1)): what one layer back multiplies the measured gradient by, on average."""
    if config.depth < 2:
        raise ValueError(f"a per-layer factor needs depth >= 2, got {config.depth}")
    return float(first_over_last(config) ** (1.0 / (config.depth - 1)))


def times_smaller(x: float) -> float:
    """1 / x: how many times smaller than 1 a gradient x is (said to the ear as a whole number)."""
    if not x > 0:
        raise ValueError(f"a gradient that shrank must be positive, got {x}")
    return 1.0 / float(x)
