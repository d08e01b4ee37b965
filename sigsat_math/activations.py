"""Activation functions and their derivatives, vectorised and stable over the whole float range.

A Python or numpy scalar in gives a Python float out; an array in gives an array of the same
shape out, floating dtype kept (integers become float64).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, overload

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.floating[Any]]
ArrayLike = float | int | np.floating[Any] | FloatArray

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _as_float_array(z: ArrayLike) -> FloatArray:
    """Return z as a floating numpy array (float64 unless z already is floating)."""
    arr = np.asarray(z)
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    return arr


@overload
def _back(z: float | int | np.floating[Any], out: FloatArray) -> float: ...
@overload
def _back(z: FloatArray, out: FloatArray) -> FloatArray: ...
def _back(z: ArrayLike, out: FloatArray) -> float | FloatArray:
    """Give a float for a scalar input and an array for an array input."""
    if np.ndim(z) == 0 and not isinstance(z, np.ndarray):
        return float(out)
    return out


def sigmoid(z: Any) -> Any:
    """sigma(z) = 1 / (1 + e^-z), as e^min(z,0) / (1 + e^-|z|) so that no exponent overflows."""
    a = _as_float_array(z)
    return _back(z, np.exp(np.minimum(a, 0)) / (1 + np.exp(-np.abs(a))))


def sigmoid_prime(z: Any) -> Any:
    """sigma'(z) = sigma(z)(1 - sigma(z)), as sigma(z) sigma(-z) to keep the tails exact."""
    a = _as_float_array(z)
    return _back(z, sigmoid(a) * sigmoid(-a))


def relu(z: Any) -> Any:
    """ReLU(z) = max(0, z)."""
    a = _as_float_array(z)
    return _back(z, np.maximum(a, 0).astype(a.dtype))


def relu_prime(z: Any) -> Any:
    """ReLU'(z) = 1 for z > 0, 0 for z <= 0."""
    a = _as_float_array(z)
    return _back(z, (a > 0).astype(a.dtype))


def leaky_relu(z: Any, alpha: float = 0.01) -> Any:
    """LeakyReLU(z) = z for z > 0, alpha z for z <= 0."""
    a = _as_float_array(z)
    return _back(z, np.where(a > 0, a, alpha * a).astype(a.dtype))


def leaky_relu_prime(z: Any, alpha: float = 0.01) -> Any:
    """LeakyReLU'(z) = 1 for z > 0, alpha for z <= 0."""
    a = _as_float_array(z)
    return _back(z, np.where(a > 0, 1.0, alpha).astype(a.dtype))


def elu(z: Any, alpha: float = 1.0) -> Any:
    """ELU(z) = z for z > 0, alpha (e^z - 1) for z <= 0 (expm1 of min(z, 0), so never overflows)."""
    a = _as_float_array(z)
    return _back(z, np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0))).astype(a.dtype))


def elu_prime(z: Any, alpha: float = 1.0) -> Any:
    """ELU'(z) = 1 for z > 0, alpha e^z for z <= 0."""
    a = _as_float_array(z)
    return _back(z, np.where(a > 0, 1.0, alpha * np.exp(np.minimum(a, 0))).astype(a.dtype))


_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def normal_cdf(z: Any) -> Any:
    """Phi(z) = erfc(-z / sqrt 2) / 2, accurate in the lower tail where 1 + erf(.) cancels."""
    a = _as_float_array(z)
    return _back(z, (0.5 * _erfc(-a / _SQRT2)).astype(a.dtype))


def gelu(z: Any) -> Any:
    """GELU(z) = z Phi(z), the exact form with the Gaussian CDF (not the tanh approximation)."""
    a = _as_float_array(z)
    return _back(z, a * normal_cdf(a))


def gelu_prime(z: Any) -> Any:
    """GELU'(z) = Phi(z) + z phi(z), phi the standard normal density."""
    a = _as_float_array(z)
    # z^2 overflows to inf for |z| > 1.3e154; exp(-inf) is then exactly 0, which is right.
    with np.errstate(over="ignore"):
        density = _INV_SQRT_2PI * np.exp(-0.5 * a * a)
    return _back(z, (normal_cdf(a) + a * density).astype(a.dtype))


def gelu_prime_root() -> float:
    """The z where GELU'(z) = Phi(z) + z phi(z) crosses 0 (about -0.752): GELU' < 0 for every z below it.

    Bisection on [-sqrt 2, 0], where GELU' rises (GELU'' = phi(z)(2 - z^2) > 0) from its minimum
    at -sqrt 2 to 1/2; below -sqrt 2 it falls from 0 (at -inf) to that minimum, so it is negative there too.
    """
    lo, hi = -_SQRT2, 0.0
    while True:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):  # the interval is two neighbouring floats
            return min((lo, hi), key=lambda z: abs(gelu_prime(z)))
        if gelu_prime(mid) < 0:
            lo = mid
        else:
            hi = mid


Activation = Callable[..., Any]

ACTIVATIONS: dict[str, tuple[Activation, Activation]] = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "elu": (elu, elu_prime),
    "gelu": (gelu, gelu_prime),
}


def activation(name: str) -> tuple[Activation, Activation]:
    """The pair (f, f') for an activation's name; a KeyError names the known ones."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(sorted(ACTIVATIONS))
        raise KeyError(f"unknown activation {name!r}; known: {known}") from None
