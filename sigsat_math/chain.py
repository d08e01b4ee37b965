"""The chain rule through a stack of layers: per-layer factors multiply."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt


def backward_gradients(
    factors: Sequence[float] | npt.NDArray[np.floating[Any]], upstream: float = 1.0
) -> npt.NDArray[np.float64]:
    """Gradient after each layer going backward: upstream x f_L, x f_L f_(L-1), ... (running
    product).

    factors[0] is the output layer's factor, factors[-1] the first layer's.
    """
    f = np.asarray(factors, dtype=np.float64)
    return (upstream * np.cumprod(f)).astype(np.float64, copy=False)


def link_factor(weight: float, slope: float) -> float:
    """|w| x f'(z): what one link back multiplies the gradient by, delta <- w delta f'(z) with one
    unit per layer (the scalar case of delta = (W^T delta) * f'(z))."""
    return abs(float(weight)) * float(slope)


def total_gradient(layers: int, factor: float) -> float:
    """factor^layers: what reaches the first of `layers` layers that each multiply by `factor`."""
    if layers < 0:
        raise ValueError(f"layers must be >= 0, got {layers}")
    return float(factor) ** layers


def weight_update(learning_rate: float, gradient: float) -> float:
    """Delta w = learning rate x gradient (the size of a plain gradient-descent step)."""
    return float(learning_rate) * float(gradient)


def depth_profile(factor: float, layers: int) -> npt.NDArray[np.float64]:
    """[factor^0, factor^1, ..., factor^layers]: the gradient after 0, 1, ... layers."""
    return np.power(float(factor), np.arange(layers + 1, dtype=np.float64))


def layers_until_below(factor: float, target: float) -> int | None:
    """The fewest layers L with factor^L < target, or None when it never happens (factor >= 1)."""
    if not 0.0 < target:
        raise ValueError(f"target must be > 0, got {target!r}")
    if factor < 0:
        raise ValueError(f"factor must be >= 0, got {factor!r}")
    if target > 1.0:
        return 0
    if factor >= 1.0:
        return None
    if factor == 0.0:
        return 1
    guess = max(0, math.floor(math.log(target) / math.log(factor)))
    # The logarithms can be one ulp off at exact powers; settle on the true integer by checking.
    while guess > 0 and factor ** (guess - 1) < target:
        guess -= 1
    while not factor**guess < target:
        guess += 1
    return guess
