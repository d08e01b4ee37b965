"""Every quantity the sigmoid-saturation lecture shows, computed and tested with numpy.

numpy and the standard library only: no manim, no I/O beyond reading a params file.
"""

# The imports below are the package's API: __all__ is built from them (PUBLIC), which linters
# cannot follow, so unused-import warnings do not apply to this file.
# ruff: noqa: F401

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .activations import (
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
from .ball import BallRun, push_ball
from .chain import (
    backward_gradients,
    depth_profile,
    layers_until_below,
    total_gradient,
    weight_update,
)
from .display import AUTO, INT, PERCENT, SIG3, SIG4, Display
from .experiment import (
    dead_share,
    first_over_last,
    gradient_norms,
    last_over_first,
    measure,
    quietest_unit,
    unit_median_z,
    unit_peak_z,
    unit_preactivations,
    unit_weight_gradient,
    zero_share,
)
from .lesson import (
    exp_neg,
    identity,
    mean_layer_factor,
    one_plus_exp_neg,
    percent_of_max,
    rounded_complement,
    rounded_prime,
    rounded_sigmoid,
    rounded_working,
    sigmoid_complement,
    times_smaller_than_max,
)
from .params import DEFAULTS, ParamError, Params, load
from .quantity import Quantity, quantity
from .saturation import fraction_of_max, is_saturated, saturation_z, sigmoid_prime_max
from .spoken import integer_words, numeral_words, speak


def ball_position(surface: str, z0: float, push: float, pushes: int, k: int) -> float:
    """z of the ball after k of the pushes (k = 0 is the start)."""
    return float(push_ball(surface, z0, push, pushes).z[k])


def ball_slope(surface: str, z0: float, push: float, pushes: int, k: int) -> float:
    """The slope f'(z) under the ball after k pushes."""
    return float(push_ball(surface, z0, push, pushes).slope[k])


def ball_distance(surface: str, z0: float, push: float, pushes: int) -> float:
    """Distance travelled along z after all the pushes."""
    return push_ball(surface, z0, push, pushes).distance


def ball_step(surface: str, z0: float, push: float, pushes: int, k: int) -> float:
    """Distance moved by push number k + 1."""
    return float(push_ball(surface, z0, push, pushes).steps[k])


def mean_slope(
    activation_name: str, depth: int, width: int, init: str, seed: int, batch: int, layer: int
) -> float:
    """Mean |f'(z)| at one hidden layer of the measured network."""
    return float(measure(activation_name, depth, width, init, seed, batch).mean_slope[layer])


def activation_value(name: str, z: float, *alpha: float) -> float:
    """f(z) for the named activation (alpha for the parametrised ones)."""
    return float(activation(name)[0](z, *alpha))


def activation_slope(name: str, z: float, *alpha: float) -> float:
    """f'(z) for the named activation (alpha for the parametrised ones)."""
    return float(activation(name)[1](z, *alpha))


PUBLIC: dict[str, Callable[..., Any]] = {
    name: obj
    for name, obj in dict(globals()).items()
    if callable(obj) and not name.startswith("_") and not isinstance(obj, type)
    and getattr(obj, "__module__", "").startswith(__name__)
}

__all__ = sorted(PUBLIC) + [
    "ACTIVATIONS", "AUTO", "BallRun", "DEFAULTS", "Display", "INT", "PERCENT", "ParamError",
    "Params", "Quantity", "SIG3", "SIG4",
]
